// Identifiers (VP jti, envelope jti) seen before are refused until they have expired anyway.
// With a file, the set survives a restart: each use is appended (sha256 of the id, expiry) and
// fsynced before it counts, the file is reloaded at start and compacted to the live entries.
// Lifetimes are capped by the callers (trust.maxPresentationSeconds), so entries do not linger,
// and the count is bounded: when full of live entries, new ones are refused, never forgotten.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
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

const LINE = /^(\d{1,16}) ([0-9a-f]{64})$/;

export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;
  private fd: number | undefined;
  private lines = 0;

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
    if (this.fd !== undefined && this.lines > 2 * this.seen.size + 1000) this.compact(now);
    return true;
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
  return createHash('sha256').update(id).digest('hex');
}

/** Append all of `text` (a short write is retried, not ignored) and fsync before returning. */
function appendDurable(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < buffer.length) {
    const n = writeSync(fd, buffer, written, buffer.length - written);
    if (n <= 0) throw new Error('replay store: write made no progress');
    written += n;
  }
  fsyncSync(fd);
}
