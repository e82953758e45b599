// The lock file that serialises appends by several processes (server, CLI release/import).
// Held by this process as a whole: nested holders in the process (a sync append while a group
// commit's fsync is in flight) share it, because JavaScript runs them one at a time.
// With `lingerMs`, a release waits for the end of the current turn of the event loop: the next
// group commit (started in the same callback) takes it over without unlinking and recreating the
// file — two metadata operations on the main thread that wait for the journal while fsyncs run.
// It is really released at least every `lingerMs`, so that other processes get their turn and the
// file's age never looks stale.
import { closeSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { AuditWriteError } from './errors.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class FileLock {
  private depth = 0;
  private since = 0;
  private lingering: NodeJS.Immediate | undefined;

  constructor(
    readonly path: string,
    private readonly lingerMs = 0,
  ) {}

  get held(): boolean {
    return this.depth > 0;
  }

  acquire(): void {
    if (this.depth++ > 0) return;
    if (this.lingering) {
      clearImmediate(this.lingering);
      this.lingering = undefined;
      return;
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const fd = openSync(this.path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.since = Date.now();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          this.depth--;
          throw error;
        }
        if (this.isStale()) {
          rmSync(this.path, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          this.depth--;
          throw new AuditWriteError('the audit log is locked by another process');
        }
        Atomics.wait(sleeper, 0, 0, 2);
      }
    }
  }

  release(): void {
    if (--this.depth > 0) return;
    if (this.lingerMs > 0 && Date.now() - this.since < this.lingerMs) {
      this.lingering = setImmediate(() => {
        this.lingering = undefined;
        // force: the folder may be gone meanwhile (a tenant removed, a test's folder cleaned up)
        if (this.depth === 0) rmSync(this.path, { force: true });
      });
      return;
    }
    unlinkSync(this.path);
  }

  /** Let go of a lingering hold now (closing). */
  close(): void {
    if (!this.lingering) return;
    clearImmediate(this.lingering);
    this.lingering = undefined;
    if (this.depth === 0) rmSync(this.path, { force: true });
  }

  with<T>(fn: () => T): T {
    this.acquire();
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  /** A lock whose writer process is gone (kill -9, power loss), or older than 10 s, is stale. */
  private isStale(): boolean {
    const lock = statSync(this.path, { throwIfNoEntry: false });
    if (!lock) return false;
    if (Date.now() - lock.mtimeMs > 10_000) return true;
    let pid = NaN;
    try {
      pid = Number(readFileSync(this.path, 'utf8').trim() || NaN);
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
