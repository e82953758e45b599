// Identifiers (VP jti, envelope jti) seen before are refused until they have expired anyway.
// With a file, the set survives a restart: each use is appended (sha256 of the id, expiry) and
// fsynced before it counts, the file is reloaded at start and compacted to the live entries.
// Lifetimes are capped by the callers (trust.maxPresentationSeconds), so entries do not linger,
// and the count is bounded: when full of live entries, new ones are refused, never forgotten.
import { hash as oneShotHash } from 'node:crypto';
import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileDurable } from '../store/index.js';
import { TrustError } from './errors.js';

export interface ReplayOptions {
  /** Where the used identifiers are kept; in memory only without one. */
  file?: string;
  maxEntries?: number;
  /** Epoch seconds at load time. */
  now?: number;
}

/** What the verifier and the Nuts checks need of a replay store (file: ReplayCache; PostgreSQL: src/state). */
export interface ReplayStore {
  readonly size: number;
  has(id: string, now: number): boolean;
  use(id: string, until: number, now: number): boolean;
  useAllAsync(ids: readonly { id: string; until: number }[], now: number): Promise<boolean>;
  /** useAllAsync in two parts, where the store can tell at once (the file): see ReplayCache. */
  reserveAll?(ids: readonly { id: string; until: number }[], now: number): false | Promise<void>;
  sweep(now: number): void;
  close(): void;
}

const LINE = /^(\d{1,16}) ([0-9a-f]{64})$/;

export class ReplayCache implements ReplayStore {
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;
  private fd: number | undefined;
  private lines = 0;
  /** Group commit (useAllAsync): lines waiting for the next fsync, and whether one is in flight. */
  private pending: { text: string; done: (error?: Error) => void }[] = [];
  private flushing = false;

  constructor(private readonly options: ReplayOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1_000_000;
    if (options.file) this.load(options.file, options.now ?? Math.floor(Date.now() / 1000));
  }

  get size(): number {
    return this.seen.size;
  }

  /** Whether `id` is in use at `now` (without recording it). */
  has(id: string, now: number): boolean {
    const until = this.seen.get(key(id));
    return until !== undefined && until > now;
  }

  /** Record `id` as used until `until` (epoch seconds); false when it was already used. */
  use(id: string, until: number, now: number): boolean {
    const k = key(id);
    const previous = this.seen.get(k);
    if (previous !== undefined && previous > now) return false;
    if (this.seen.size >= this.maxEntries) this.sweep(now);
    if (this.seen.size >= this.maxEntries) throw new TrustError('replay_store_full');
    if (this.fd !== undefined) {
      appendDurable(this.fd, `${Math.floor(until)} ${k}\n`);
      this.lines++;
    }
    this.seen.set(k, until);
    this.maybeCompact(now);
    return true;
  }

  /**
   * Use several ids at once (all or none: false when one was already used), durably, with group
   * commit: uses that arrive while an fsync is in flight share the next one, and the event loop
   * is not blocked by it. The ids count as used at once (a concurrent replay is refused while the
   * fsync runs); the promise resolves only once they are on disk, and rejects when they could not
   * be written (they stay used in memory: refusing is the safe side).
   */
  async useAllAsync(ids: readonly { id: string; until: number }[], now: number): Promise<boolean> {
    const reserved = this.reserveAll(ids, now);
    if (reserved === false) return false;
    await reserved;
    return true;
  }

  /**
   * useAllAsync in two parts: false at once when one id was already used; otherwise the ids are
   * used in memory now and the promise says when they are on disk (rejects when they could not be
   * written). The caller must not act on the ids being used (log, answer) before it resolves.
   */
  reserveAll(ids: readonly { id: string; until: number }[], now: number): false | Promise<void> {
    const keys = ids.map(({ id, until }) => ({ k: key(id), until }));
    if (new Set(keys.map((e) => e.k)).size !== keys.length) return false;
    for (const { k } of keys) {
      const previous = this.seen.get(k);
      if (previous !== undefined && previous > now) return false;
    }
    if (this.seen.size + keys.length > this.maxEntries) this.sweep(now);
    if (this.seen.size + keys.length > this.maxEntries) throw new TrustError('replay_store_full');
    for (const { k, until } of keys) this.seen.set(k, until);
    if (this.options.file === undefined) return Promise.resolve();
    const text = keys.map(({ k, until }) => `${Math.floor(until)} ${k}\n`).join('');
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, done: (error) => (error ? reject(error) : resolve()) });
      this.flush(now);
    });
  }

  private flush(now: number): void {
    if (this.flushing || this.pending.length === 0) return;
    const group = this.pending.splice(0);
    const fd = this.fd;
    const fail = (error: Error) => {
      for (const w of group) w.done(new TrustError('trust_unavailable', `the replay store could not be written: ${error.message}`));
    };
    if (fd === undefined) return fail(new Error('closed'));
    try {
      // The write goes to the page cache (cheap); the fsync is what takes time, off the loop.
      writeAll(fd, group.map((w) => w.text).join(''));
    } catch (error) {
      fail(error as Error);
      return this.flush(now);
    }
    this.lines += group.length;
    this.flushing = true;
    fsync(fd, (error) => {
      this.flushing = false;
      if (error) fail(error);
      else for (const w of group) w.done();
      this.maybeCompact(now);
      this.flush(now);
    });
  }

  /** Compaction swaps the file: never while a group's fsync is in flight on it. */
  private maybeCompact(now: number): void {
    if (this.fd !== undefined && !this.flushing && this.lines > 2 * this.seen.size + 1000) this.compact(now);
  }

  sweep(now: number): void {
    for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private load(file: string, now: number): void {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (existsSync(file)) {
      // A torn last line (a crash mid-append) does not match and is dropped: that use never counted.
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const m = LINE.exec(line);
        if (m && Number(m[1]) > now) this.seen.set(m[2]!, Math.max(Number(m[1]), this.seen.get(m[2]!) ?? 0));
      }
    }
    this.compact(now);
  }

  /** Rewrite the file with the live entries only, atomically, and append from there. */
  private compact(now: number): void {
    const file = this.options.file!;
    this.sweep(now);
    this.close();
    writeFileDurable(file, [...this.seen].map(([k, until]) => `${Math.floor(until)} ${k}\n`).join(''), 0o600);
    this.fd = openSync(file, 'a', 0o600);
    this.lines = this.seen.size;
  }
}

function key(id: string): string {
  return oneShotHash('sha256', id, 'hex');
}

/** Append all of `text` (a short write is retried, not ignored) and fsync before returning. */
function appendDurable(fd: number, text: string): void {
  writeAll(fd, text);
  fsyncSync(fd);
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < buffer.length) {
    const n = writeSync(fd, buffer, written, buffer.length - written);
    if (n <= 0) throw new Error('replay store: write made no progress');
    written += n;
  }
}
