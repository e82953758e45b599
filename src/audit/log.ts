// The NEN 7513 activity log: append-only JSON lines, each carrying the hash of the previous one,
// fsynced before the caller goes on (an answer never leaves before its log line is on disk).
// Several processes (server, CLI release/import) may append: a lock file serialises them and
// each writer re-reads the chain head when the file grew under it.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

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

export function auditPath(dataDir: string): string {
  return join(dataDir, 'audit', 'audit.jsonl');
}

/** The hash of an entry: sha256 over the previous hash and the entry's JSON without `hash`. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(JSON.stringify(entry)).digest('hex');
}

export class AuditWriteError extends Error {
  readonly code = 'audit_unavailable';
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class AuditLog {
  private fd: number;
  private head = { seq: 0, hash: GENESIS };
  private knownSize = 0;
  private readonly lockPath: string;

  private constructor(readonly path: string) {
    mkdirSync(join(path, '..'), { recursive: true });
    this.fd = openSync(path, 'a+');
    this.lockPath = `${path}.lock`;
    this.withLock(() => this.catchUp());
  }

  private static readonly open = new Map<string, AuditLog>();

  /** One log object per file in this process. */
  static for(dataDir: string): AuditLog {
    const path = auditPath(dataDir);
    let log = AuditLog.open.get(path);
    if (!log) {
      log = new AuditLog(path);
      AuditLog.open.set(path, log);
    }
    return log;
  }

  /** Append durably; throws AuditWriteError when the entry could not be made durable. */
  append(input: AuditInput): AuditEntry {
    try {
      return this.withLock(() => {
        this.catchUp();
        const { actor, activity, thread_id, ...details } = input;
        const body = {
          seq: this.head.seq + 1,
          time: new Date().toISOString(),
          ...(thread_id ? { thread_id } : {}),
          actor,
          activity,
          ...details,
          prev: this.head.hash,
        };
        const entry = { ...body, hash: entryHash(body) } as AuditEntry;
        const line = Buffer.from(JSON.stringify(entry) + '\n');
        writeSync(this.fd, line);
        fsyncSync(this.fd);
        this.knownSize += line.length;
        this.head = { seq: entry.seq, hash: entry.hash };
        return entry;
      });
    } catch (error) {
      if (error instanceof AuditWriteError) throw error;
      throw new AuditWriteError(`the audit log could not be written: ${(error as Error).message}`);
    }
  }

  close(): void {
    closeSync(this.fd);
    AuditLog.open.delete(this.path);
  }

  /** Bring the head up to date when another process appended (or a torn tail is left). */
  private catchUp(): void {
    const size = fstatSync(this.fd).size;
    if (size === this.knownSize) return;
    const tail = this.readTail(size);
    const complete = tail.lastIndexOf('\n');
    if (complete < tail.length - 1) {
      // A crash mid-write left a partial last line: that entry was never acknowledged, so no
      // answer depended on it. Cut it off (a later `audit verify` still sees the chain intact).
      const cut = size - Buffer.byteLength(tail.slice(complete + 1));
      ftruncateSync(this.fd, cut);
      fsyncSync(this.fd);
      this.knownSize = -1;
      return this.catchUp();
    }
    const lines = tail.slice(0, complete).split('\n');
    const last = lines[lines.length - 1];
    if (last) {
      const entry = JSON.parse(last) as AuditEntry;
      this.head = { seq: entry.seq, hash: entry.hash };
    }
    this.knownSize = size;
  }

  private readTail(size: number): string {
    const length = Math.min(size, 1024 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(this.fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  }

  private withLock<T>(fn: () => T): T {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (this.lockIsStale()) {
          rmSync(this.lockPath, { force: true });
          continue;
        }
        if (Date.now() > deadline) throw new AuditWriteError('the audit log is locked by another process');
        Atomics.wait(sleeper, 0, 0, 2);
      }
    }
    try {
      return fn();
    } finally {
      unlinkSync(this.lockPath);
    }
  }

  /** A lock whose writer process is gone (kill -9, power loss), or older than 10 s, is stale. */
  private lockIsStale(): boolean {
    const lock = statSync(this.lockPath, { throwIfNoEntry: false });
    if (!lock) return false;
    if (Date.now() - lock.mtimeMs > 10_000) return true;
    let pid = NaN;
    try {
      pid = Number(readFileSync(this.lockPath, 'utf8').trim() || NaN);
    } catch {
      return false; // released meanwhile
    }
    // No pid yet: its writer died between creating and writing it (it writes at once), or is writing now.
    if (!Number.isInteger(pid)) return Date.now() - lock.mtimeMs > 1_000;
    if (pid === process.pid) return false; // our own
    try {
      process.kill(pid, 0); // signal 0: does the process exist (on this host)?
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}
