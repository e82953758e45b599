// The README's requester walkthrough, run as it stands: every command of its sh block, in a fresh
// folder, against a real `datastation serve` (on a free port instead of 8443).
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/config/index.js';
import { tempDir } from './helpers.js';
import { freePort } from './e2e/support.js';

const HEADING = '## Walkthrough: asking a datastation (for requesters)';

function walkthroughScript(): string {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(HEADING));
  expect(section.startsWith(HEADING)).toBe(true);
  const block = /```sh\n([\s\S]*?)```/.exec(section.split(/\n## /)[0]!);
  expect(block).not.toBeNull();
  return block![1]!;
}

describe('README walkthrough for requesters', () => {
  it('runs as written: init, import, credentials, serve, ask — and prints the answer', async () => {
    const dir = tempDir('ds-walkthrough-');
    symlinkSync(join(packageRoot(), 'examples'), join(dir, 'examples'));
    // `datastation` as the installed command would be: the CLI itself (exec, so `&` backgrounds the server).
    mkdirSync(join(dir, 'bin'));
    const bin = join(dir, 'bin', 'datastation');
    writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" --import "${join(packageRoot(), 'node_modules', 'tsx', 'dist', 'loader.mjs')}" "${join(packageRoot(), 'src', 'cli', 'main.ts')}" "$@"\n`);
    chmodSync(bin, 0o755);
    const port = await freePort();
    const script = `set -e\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n${walkthroughScript().replaceAll('127.0.0.1:8443', `127.0.0.1:${port}`)}`;
    const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, DATASTATION_PORT: String(port), DATASTATION_ADMIN_PORT: '0' };
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile('bash', ['-c', script], { cwd: dir, env, encoding: 'utf8', timeout: 240_000, maxBuffer: 1 << 24 }, (error, out, err) => done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout: out, stderr: err }));
    });
    expect(code, stderr).toBe(0);
        const answer = stdout.slice(stdout.lastIndexOf('[staff-pro-rata'));
    expect(answer).toMatch(/^\[staff-pro-rata[^\]]*\]\n/);
    // Q1 2025 of the example organisation, as `npm run demo` answers it too.
    expect(answer).toMatch(/\nOrganisatie\s+61\.8\s+30\.89\s+92\.69\n/);
  }, 300_000);
});
