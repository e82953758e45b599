// The audit log's lock file with a linger: a release is handed on to the next group commit of the
// same turn instead of unlinking and recreating the file, is really released once the turn ends,
// and at least every lingerMs however busy the log is (other processes' turn; never stale by age).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLock } from '../src/audit/lock.js';
import { tempDir } from './helpers.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('audit lock file', () => {
  it('is handed on within a turn and released when the turn ends', async () => {
    const path = join(tempDir(), 'audit.jsonl.lock');
    const lock = new FileLock(path, 10_000);
    lock.acquire();
    lock.release();
    expect(existsSync(path)).toBe(true); // lingering: still ours
    lock.acquire(); // the next group commit takes it over
    lock.release();
    await turn();
    expect(existsSync(path)).toBe(false);
  });

  it('is really released once held for lingerMs, however often it is handed on', async () => {
    const path = join(tempDir(), 'audit.jsonl.lock');
    const lock = new FileLock(path, 30);
    lock.acquire();
    await new Promise((resolve) => setTimeout(resolve, 50));
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('without a linger, releases at once; close lets a lingering hold go', () => {
    const dir = tempDir();
    const plain = new FileLock(join(dir, 'a.lock'));
    plain.acquire();
    plain.release();
    expect(existsSync(join(dir, 'a.lock'))).toBe(false);
    const lingering = new FileLock(join(dir, 'b.lock'), 10_000);
    lingering.acquire();
    lingering.release();
    lingering.close();
    expect(existsSync(join(dir, 'b.lock'))).toBe(false);
  });
});

describe('audit lock file, its folder removed', () => {
  it('lets a lingering hold go quietly when the folder is gone (a tenant removed)', async () => {
    const dir = tempDir();
    const lock = new FileLock(join(dir, 'audit.jsonl.lock'), 10_000);
    lock.acquire();
    lock.release();
    rmSync(dir, { recursive: true, force: true });
    await turn(); // would throw ENOENT from the immediate, an uncaught exception
    expect(existsSync(dir)).toBe(false);
  });
});
