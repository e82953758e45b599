// The NEN 7513 activity log: append-only JSON lines, each carrying the hash of the previous one,
// fsynced before the caller goes on (an answer never leaves before its log line is on disk).
// Several processes (server, CLI release/import) may append: a lock file serialises them and
// each writer re-reads the chain head when the file grew under it.
//
// Failure policy: any write or fsync error, a short write, is an audit failure (AuditWriteError)
// and the file is truncated back to its last durable length, so it always verifies; when even
// that truncation fails, the log refuses every append until a later one manages to repair it.
// The process remembers the head it last saw (length and the bytes of the head line): a file
// that became shorter or whose head line changed is refused, never appended to.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { AuditWriteError, guardAuditWrite } from './errors.js';
import { FileLock } from './lock.js';
import { buildEntry } from './entry.js';
import { lastNewlineEnd, lineEndingAt, readBytes } from './tail.js';

export { AuditWriteError } from './errors.js';

export interface AuditEntry {
  seq: number;
  time: string;
  thread_id?: string;
  actor: string;
  activity: string;
  [detail: string]: unknown;
  prev: string;
  hash: string;
}

export type AuditInput = { actor: string; activity: string; thread_id?: string | undefined } & Record<string, unknown>;

export const GENESIS = '0'.repeat(64);
/** How long group commits may hand the lock file on to each other before it is really released. */
const LOCK_LINGER_MS = 100;
/** Default cap on one entry (its JSON line); larger details are replaced by their hash and size. */
export const DEFAULT_MAX_ENTRY_BYTES = 128 * 1024;

export function auditPath(dataDir: string): string {
  return join(dataDir, 'audit', 'audit.jsonl');
}

/** The hash of an entry: sha256 over the previous hash and the entry's JSON without `hash`. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(JSON.stringify(entry)).digest('hex');
}

/** The file operations the log uses; tests replace them to inject short writes, ENOSPC, EIO. */
export interface AuditIo {
  writeSync(fd: number, buffer: Buffer, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  fsync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): { size: number };
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number;
}

const nodeIo: AuditIo = {
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fsync: (fd, callback) => fs.fsync(fd, callback),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fstatSync: (fd) => fs.fstatSync(fd),
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
};

interface Head {
  seq: number;
  hash: string;
  /** End offset of the head line in the file, and the line itself (to notice it being changed). */
  size: number;
  line: Buffer;
}

const EMPTY: Head = { seq: 0, hash: GENESIS, size: 0, line: Buffer.alloc(0) };

interface Waiting {
  input: AuditInput;
  resolve: (entry: AuditEntry) => void;
  reject: (error: Error) => void;
  /** Entries that must be in the log (written in this group or durable before it) for this one to be written. */
  after: readonly Waiting[];
  state: 'queued' | 'written' | 'durable' | 'failed';
}

/** The group-commit record behind each appendAsync promise (for `after`). */
const tickets = new WeakMap<Promise<AuditEntry>, Waiting>();

export interface AuditOptions {
  maxEntryBytes?: number;
}

export class AuditLog {
  io: AuditIo = nodeIo;
  maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES;
  /** While failing, problem() tries a real append at most this often, to notice recovery. */
  probeEveryMs = 5_000;
  private readonly fd: number;
  private readonly lock: FileLock;
  /** What is written (possibly not yet fsynced) and what is known durable. */
  private head: Head = EMPTY;
  private durable: Head = EMPTY;
  /** Bumped by every rollback: a group whose fsync completes after one was cut off. */
  private epoch = 0;
  /** Set when a failed write could not be rolled back; appends are refused until repaired. */
  private broken: string | undefined;
  /** The last append's failure, until an append succeeds (for /ready). */
  private lastFailure: string | undefined;
  private lastProbe = 0;
  private waiting: Waiting[] = [];
  private flushing = false;
  private scheduled = false;

  private constructor(readonly path: string) {
    fs.mkdirSync(join(path, '..'), { recursive: true });
    this.fd = fs.openSync(path, 'a+');
    this.lock = new FileLock(`${path}.lock`, LOCK_LINGER_MS);
    this.lock.with(() => this.catchUp());
  }

  private static readonly open = new Map<string, AuditLog>();

  /** One log object per file in this process. */
  static for(dataDir: string, options: AuditOptions = {}): AuditLog {
    const path = auditPath(dataDir);
    let log = AuditLog.open.get(path);
    if (!log) {
      log = new AuditLog(path);
      AuditLog.open.set(path, log);
    }
    if (options.maxEntryBytes) log.maxEntryBytes = options.maxEntryBytes;
    return log;
  }

  /** Append durably, now (write + fsync in this call); throws AuditWriteError when it could not. */
  append(input: AuditInput): AuditEntry {
    return this.guard(() =>
      this.lock.with(() => {
        this.prepare();
        const { entry, line } = this.build(input);
        this.write(line);
        this.sync();
        return entry;
      }),
    );
  }

  /**
   * Append durably with group commit: entries arriving while an fsync is in flight are written
   * together and share the next fsync. Resolves only after the fsync that covers the entry.
   */
  appendAsync(input: AuditInput, after: readonly Promise<AuditEntry>[] = []): Promise<AuditEntry> {
    let w!: Waiting;
    const appended = new Promise<AuditEntry>((resolve, reject) => {
      w = { input, after: after.map((p) => tickets.get(p)).filter((t) => t !== undefined), state: 'queued', resolve: (e) => ((w.state = 'durable'), resolve(e)), reject: (e) => ((w.state = 'failed'), reject(e)) };
    });
    tickets.set(appended, w);
    this.waiting.push(w);
    // Entries appended in the same turn of the event loop (a request's steps, several requests'
    // steps) go in one group: the flush starts once the current job is done, not at the first.
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
    return appended;
  }

  /** Why an append would fail now, or undefined when the log looks appendable (for /ready). */
  problem(): string | undefined {
    if ((this.broken || this.lastFailure) && !this.flushing && Date.now() - this.lastProbe >= this.probeEveryMs) {
      // Nothing else appends while /ready says no: a real entry now and then finds out when it works again.
      this.lastProbe = Date.now();
      const reason = this.broken ?? this.lastFailure;
      try {
        this.append({ actor: 'datastation', activity: 'audit-recovered', after: reason });
      } catch {
        /* still failing: reported below */
      }
    }
    if (this.broken) return this.broken;
    if (this.lastFailure) return this.lastFailure;
    try {
      this.checkHead(this.io.fstatSync(this.fd).size);
      const space = fs.statfsSync(this.path);
      if (space.bavail * space.bsize < 4 * this.maxEntryBytes) return 'the audit log has no room left on its disk';
    } catch (error) {
      return (error as Error).message;
    }
    return undefined;
  }

  /** The last durable entry, after catching up with other writers: what a checkpoint signs. */
  durableHead(): { seq: number; hash: string } {
    return this.guard(() =>
      this.lock.with(() => {
        this.prepare();
        return { seq: this.durable.seq, hash: this.durable.hash };
      }),
    );
  }

  close(): void {
    this.lock.close();
    fs.closeSync(this.fd);
    AuditLog.open.delete(this.path);
  }

  private guard<T>(fn: () => T): T {
    return guardAuditWrite(fn, (failure) => (this.lastFailure = failure));
  }

  private flush(): void {
    if (this.flushing || this.waiting.length === 0) return;
    const group = this.waiting.splice(0);
    const built: { entry: AuditEntry; waiting: Waiting }[] = [];
    let epoch = 0;
    let end = 0;
    let head: Head = EMPTY;
    try {
      this.guard(() => {
        this.lock.acquire();
        try {
          this.prepare();
          const lines: Buffer[] = [];
          for (const w of group) {
            try {
              // `after` is how a request's last entry (answer-sent) shares the fsync of the steps
              // before it without ever standing in the log when one of them does not.
              if (w.after.some((a) => a.state === 'failed' || a.state === 'queued')) throw new AuditWriteError('the audit log could not be written: an entry before this one was not written');
              const { entry, line } = this.build(w.input);
              w.state = 'written';
              lines.push(line);
              built.push({ entry, waiting: w });
            } catch (error) {
              w.reject(error as Error); // this entry alone (too large); the rest of the group goes on
            }
          }
          if (lines.length) this.write(Buffer.concat(lines));
        } catch (error) {
          this.lock.release();
          throw error;
        }
      });
    } catch (error) {
      for (const b of built) b.waiting.reject(error as Error);
      for (const w of group) if (!built.some((b) => b.waiting === w)) w.reject(error as Error);
      return this.flush();
    }
    if (!built.length) {
      this.lock.release();
      return this.flush();
    }
    epoch = this.epoch;
    end = this.head.size;
    head = this.head;
    this.flushing = true;
    this.io.fsync(this.fd, (error) => {
      let failure: AuditWriteError | undefined;
      if (this.epoch !== epoch) failure = new AuditWriteError('the audit log could not be written: an entry written with this one failed');
      else if (error && this.durable.size < end) {
        failure = new AuditWriteError(`the audit log could not be written: ${error.message}`);
        this.rollback();
      } else if (this.durable.size < end) this.durable = head;
      this.lastFailure = failure?.message;
      this.lock.release();
      this.flushing = false;
      for (const b of built) {
        if (failure) b.waiting.reject(failure);
        else b.waiting.resolve(b.entry);
      }
      this.flush();
    });
  }

  /** Under the lock, before writing: repair what a failed write left, then find the head. */
  private prepare(): void {
    if (this.broken) this.rollback();
    if (this.broken) throw new AuditWriteError(this.broken);
    this.catchUp();
  }

  private build(input: AuditInput): { entry: AuditEntry; line: Buffer } {
    const built = buildEntry(this.head, input, this.maxEntryBytes);
    const line = Buffer.from(`${built.line}\n`);
    this.head = { seq: built.entry.seq, hash: built.entry.hash, size: this.head.size + line.length, line };
    return { entry: built.entry, line };
  }

  /** Write all of it; a short write that cannot be completed is a failure, rolled back. */
  private write(buffer: Buffer): void {
    const expected = this.head.size;
    let done = 0;
    try {
      while (done < buffer.length) {
        const n = this.io.writeSync(this.fd, buffer, done, buffer.length - done);
        if (n <= 0) throw new Error(`short write (${done} of ${buffer.length} bytes)`);
        done += n;
      }
      if (this.io.fstatSync(this.fd).size !== expected) throw new Error('the audit log changed while being written');
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  private sync(): void {
    try {
      this.io.fsyncSync(this.fd);
    } catch (error) {
      this.rollback();
      throw error;
    }
    this.durable = this.head;
  }

  /** Cut the file back to its last durable length, so what is on disk always verifies. */
  private rollback(): void {
    this.epoch++;
    this.head = this.durable;
    try {
      this.io.ftruncateSync(this.fd, this.durable.size);
      this.io.fsyncSync(this.fd);
      this.broken = undefined;
    } catch (error) {
      this.broken = `the audit log could not be repaired after a failed write (${(error as Error).message}); it refuses appends until it can be`;
    }
  }

  /** The file must still end with the head this process knows (not cut, not changed). */
  private checkHead(size: number): void {
    const known = this.head;
    if (size < known.size) throw new AuditWriteError(`the audit log is shorter than this process last wrote it (${size} < ${known.size} bytes): entries were cut; run \`datastation audit verify\``);
    if (known.size === 0) return;
    const line = readBytes(this.io, this.fd, known.size - known.line.length, known.line.length);
    if (!line.equals(known.line)) throw new AuditWriteError(`the audit log's entry ${known.seq} changed under this process; run \`datastation audit verify\``);
  }

  /** Bring the head up to date when another process appended (or a torn tail is left). */
  private catchUp(): void {
    const size = this.io.fstatSync(this.fd).size;
    this.checkHead(size);
    if (size === this.head.size) return;
    const complete = lastNewlineEnd(this.io, this.fd, size, this.head.size);
    if (complete < size) {
      // A crash mid-write left a partial last line: that entry was never acknowledged, so no
      // answer depended on it. Cut it off (a later `audit verify` still sees the chain intact).
      this.io.ftruncateSync(this.fd, complete);
      this.io.fsyncSync(this.fd);
    }
    if (complete > this.head.size) {
      const line = lineEndingAt(this.io, this.fd, complete);
      const entry = JSON.parse(line.toString('utf8')) as AuditEntry;
      this.head = { seq: entry.seq, hash: entry.hash, size: complete, line };
    }
    // What other processes appended was fsynced before they released the lock.
    this.durable = this.head;
  }
}
