// Requester-controlled strings reach the operator's terminal inert (`release list|show|approve`,
// `audit export`, refusals), and an alias that would become a path outside its folder is refused
// (one code, exit 2) before anything is written.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordActivity } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { describeCliError } from '../../src/cli/errors.js';
import { safeName } from '../../src/cli/safe-name.js';
import { printable, printableLine, safeJson } from '../../src/cli/sanitize.js';
import { ReleaseQueue } from '../../src/exchange/index.js';
import { initIdentity } from '../../src/trust/index.js';
import { tempDir, testConfig } from '../helpers.js';

const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: packageRoot(), env: { ...process.env, DATASTATION_CONFIG: '' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

// Clear screen, a window title (OSC), an 8-bit CSI, a bidi override, a carriage return, a line separator.
const EVIL = 'did:key:z6Mk\u001b[2J\u001b]0;owned\u0007\u009b31m\u202egnp.exe\rX\u2028Y';
// What a terminal acts on: controls other than the newline ending a line, C1, bidi, separators.
// eslint-disable-next-line no-control-regex
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('foreign strings on the terminal', () => {
  it('the sanitiser escapes every control, C1 and bidi character visibly; JSON stays the same value', () => {
    expect(printableLine(EVIL)).not.toMatch(ACTIVE);
    expect(printableLine(EVIL)).toContain('\\u001b[2J');
    expect(printableLine('a\nb')).toBe('a\\u000ab');
    expect(printable('a\nb\u001b')).toBe('a\nb\\u001b');
    const value = { requester: EVIL, n: [1, 'x\u0085'] };
    expect(safeJson(value, 2)).not.toMatch(ACTIVE);
    expect(JSON.parse(safeJson(value, 2))).toEqual(value);
    expect(printableLine('x'.repeat(50), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it('release list, release show, audit export and a refusal print requester strings inert', async () => {
    const config = testConfig();
    const queue = new ReleaseQueue(config.dataDir);
    const item = queue.add(
      {
        id: 'r-evil', thread_id: `t-${EVIL}`, requester: EVIL, reply_url: `https://x.example/${EVIL}`, received: new Date().toISOString(),
        questions: [{ id: `ind-${EVIL}`, profile: `p-${EVIL}`, version: '1.0.0', title: EVIL, parameters: { jaar: EVIL }, rows: 1, query: 'SELECT * {}' }],
        preview: {},
      },
      '{}',
    );
    recordActivity(config.dataDir, { thread_id: `t-${EVIL}`, actor: EVIL, activity: 'rejected', reason: EVIL });
    const data = ['--data-dir', config.dataDir];

    const list = await cli([...data, 'release', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('r-evil');
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(1); // the \r and U+2028 did not start new lines
    expect(list.stdout.trimEnd()).not.toMatch(ACTIVE);

    const table = await cli([...data, 'release', 'show', 'r-evil']);
    expect(table.status).toBe(0);
    expect(table.stdout.trimEnd()).not.toMatch(ACTIVE);

    const show = await cli([...data, 'release', 'show', 'r-evil', '--json']);
    expect(show.status).toBe(0);
    expect(show.stdout.trimEnd()).not.toMatch(ACTIVE);
    expect(JSON.parse(show.stdout)).toEqual(queue.get(item.id)); // escaped, not altered

    const exported = await cli([...data, 'audit', 'export']);
    expect(exported.status).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toMatch(ACTIVE);
    expect(lines.map((l) => JSON.parse(l) as { actor: string }).some((e) => e.actor === EVIL)).toBe(true);

    // A refusal quoting the operator's (here: pasted) argument.
    const unknown = await cli([...data, 'release', 'approve', `x${EVIL}`]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trimEnd()).not.toMatch(ACTIVE);
  }, 120_000);
});

describe('names that become paths', () => {
  it('safeName refuses separators, dot segments and controls with one code', () => {
    for (const bad of ['x/../../identity/did', '../x', 'a\\b', '..', '.hidden', '', 'a\u001b', 'a b']) {
      expect(() => safeName('the alias', bad), bad).toThrow(expect.objectContaining({ code: 'unsafe_name' }) as Error);
    }
    for (const bad of ['x/../../identity/did', 'host:..:x', 'host/x', 'host:a/b']) expect(() => safeName('the alias', bad, 'did-web'), bad).toThrow(/refused/);
    expect(safeName('the alias', 'zorgkantoor-try')).toBe('zorgkantoor-try');
    expect(safeName('the alias', 'beheer.kik-v.example%3A8443:kikv:v1', 'did-web')).toBe('beheer.kik-v.example%3A8443:kikv:v1');
    expect(describeCliError(catchIt(() => safeName('the alias', '../x')))).toMatchObject({ exitCode: 2 });
  });

  it("`credentials create 'x/../../identity/did' --method web` exits 2 and writes nothing; our DID document is untouched", async () => {
    const config = testConfig();
    await initIdentity(config, {});
    const own = join(config.dataDir, 'identity', 'did.json');
    const before = readdirSync(join(config.dataDir, 'identity'));
    const dir = join(config.dataDir, 'identity', 'parties', 'a', 'b'); // ../../ from its did-documents reaches identity/
    for (const method of ['web', 'key']) {
      const r = await cli(['credentials', 'create', 'x/../../identity/did', '--method', method, '--dir', dir]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^datastation: the alias must be .*refused\n$/);
    }
    expect(existsSync(dir)).toBe(false); // refused before the folder was made
    expect(readdirSync(join(config.dataDir, 'identity'))).toEqual(before);
    expect(existsSync(own)).toBe(true);
    const ok = await cli(['credentials', 'create', 'beheer.safe.example', '--method', 'web', '--dir', tempDir()]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('did:web:beheer.safe.example');
  }, 120_000);
});

function catchIt(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}
