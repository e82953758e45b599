// Issue 14, high 6: the data folder is the operator's alone. The CLI sets a private umask, so
// every file it creates (keys, admin token, DID document, replay store, audit log) is 0600 and
// every folder 0700, even when started from a shell with a permissive umask.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

function walk(dir: string): string[] {
  return [dir, ...readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))];
}

describe('file modes of the data folder', () => {
  it('creates files 0600 and folders 0700 under a umask of 0022', () => {
    const cwd = tempDir('ds-modes-');
    const dataDir = join(cwd, 'data');
    const main = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
    execFileSync('sh', ['-c', `umask 022 && exec "${process.execPath}" --import "${import.meta.resolve('tsx')}" "${main}" --data-dir "${dataDir}" init`], { cwd, stdio: 'pipe', env: { ...process.env, DATASTATION_KEY_SECRET: '' } });
    const paths = walk(dataDir);
    expect(paths.length).toBeGreaterThan(5);
    for (const p of paths) {
      const s = statSync(p);
      expect([p, s.mode & 0o777]).toEqual([p, s.isDirectory() ? 0o700 : 0o600]);
    }
  }, 60_000);
});
