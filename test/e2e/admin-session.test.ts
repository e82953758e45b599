// Named accounts on the admin API over real HTTP: sign in and out, the same refusal for an unknown
// account and a wrong password, rate limits, CSRF, roles enforced by the shell, decisions
// attributed to the account, expiry on an injected clock, and the `accounts` CLI.
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore, accountsPath } from '../../src/accounts/index.js';
import { adminToken } from '../../src/api/index.js';
import { auditPath, exportAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { tempDir } from '../helpers.js';
import { adminWorld, as, askForRelease, session, signIn, type AdminWorld } from './admin-support.js';

let a: AdminWorld;
let accounts: AccountStore;
const ALICE = 'alice-correct-horse';
const VIEWER = 'victor-battery-staple';

beforeAll(async () => {
  a = await adminWorld({ 'admin.session.signInFailuresPerAccount': 3, 'admin.session.signInPerIp': 8 });
  accounts = new AccountStore(a.config.dataDir);
  await accounts.add('alice', 'operator', ALICE, 'test');
  await accounts.add('victor', 'viewer', VIEWER, 'test');
}, 120_000);
afterAll(async () => a?.close());

async function entries(filter: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  const found = [];
  for await (const e of exportAuditLog(auditPath(a.config.dataDir), {})) if (filter(e)) found.push(e);
  return found;
}

describe('admin sessions', () => {
  it('signs in with a HttpOnly SameSite=Strict cookie, shows the session, and logs the sign-in', async () => {
    const s = await session(a.adminBase, 'alice', ALICE);
    expect(s.body).toMatchObject({ account: 'alice', role: 'operator' });
    expect(s.body.csrf.length).toBeGreaterThanOrEqual(40);
    expect(Date.parse(s.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(s.setCookie).toMatch(/^kikv_admin=[\w-]{40,};/);
    expect(s.setCookie).toMatch(/HttpOnly/i);
    expect(s.setCookie).toMatch(/SameSite=Strict/i);
    expect(s.setCookie).toMatch(/Path=\//);
    expect(s.setCookie).not.toMatch(/Secure/i); // this admin listener has no TLS
    const me = await as(s, a.adminBase, 'GET', '/admin/session');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ account: 'alice', role: 'operator', csrf: s.csrf });
    expect(await entries((e) => e.activity === 'admin-signed-in' && e.actor === 'account:alice')).not.toHaveLength(0);
  });

  it('answers an unknown account and a wrong password the same, logs both, never the password', async () => {
    const wrong = await signIn(a.adminBase, 'victor', 'not-the-password-1');
    const unknown = await signIn(a.adminBase, 'nobody-here', 'not-the-password-2');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual({ error: 'sign_in_failed' });
    expect(await unknown.json()).toEqual({ error: 'sign_in_failed' });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const failed = await entries((e) => e.activity === 'admin-sign-in-failed');
    expect(failed.some((e) => e.account === 'victor')).toBe(true);
    expect(failed.some((e) => typeof e.account_sha256 === 'string' && e.account === undefined)).toBe(true);
    const log = readFileSync(auditPath(a.config.dataDir), 'utf8');
    expect(log).not.toContain('not-the-password');
    expect(log).not.toContain('nobody-here');
    // the good password still works (failures below the limit)
    expect((await signIn(a.adminBase, 'victor', VIEWER)).status).toBe(200);
  });

  it('without credentials, with a bad token or a bad cookie: 401 sign_in_required', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { cookie: 'kikv_admin=forged-session-id' }] as Record<string, string>[]) {
      const response = await fetch(`${a.adminBase}/admin/releases`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'sign_in_required' });
    }
  });

  it('a cookie request that changes something needs the CSRF token', async () => {
    const s = await session(a.adminBase, 'alice', ALICE);
    const missing = await as(s, a.adminBase, 'POST', '/admin/releases/nope/approve', {}, { csrf: false });
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({ error: 'csrf' });
    const forged = await fetch(`${a.adminBase}/admin/releases/nope/approve`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(43), 'content-type': 'application/json' }, body: '{}' });
    expect(forged.status).toBe(403);
    // with it, the request reaches the route (an unknown release)
    expect((await as(s, a.adminBase, 'POST', '/admin/releases/nope/approve', {})).status).toBe(404);
  });

  it('a viewer may read the queue but not decide; an operator decides, attributed to account:alice', async () => {
    const q = await askForRelease(a);
    expect(q.status).toBe(202);
    const viewer = await session(a.adminBase, 'victor', VIEWER);
    const list = await as(viewer, a.adminBase, 'GET', '/admin/releases?state=pending');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { id: string }[]).map((i) => i.id)).toContain(q.release);
    const refused = await as(viewer, a.adminBase, 'POST', `/admin/releases/${q.release}/approve`, { by: 'victor' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'forbidden' });
    expect(a.ds.queue.get(q.release)).toMatchObject({ state: 'pending' });

    const alice = await session(a.adminBase, 'alice', ALICE);
    const approved = await as(alice, a.adminBase, 'POST', `/admin/releases/${q.release}/approve`, { by: 'someone else' });
    expect(approved.status).toBe(200);
    const released = await entries((e) => e.release === q.release && e.activity === 'released');
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ actor: 'account:alice', claimed_by: 'someone else' });
  });

  it('the admin token still works as the machine credential (operator, admin-api:token-holder)', async () => {
    const q = await askForRelease(a);
    const response = await fetch(`${a.adminBase}/admin/releases/${q.release}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken(a.config)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'test' }),
    });
    expect(response.status).toBe(200);
    expect(await entries((e) => e.release === q.release && e.activity === 'release-rejected')).toMatchObject([{ actor: 'admin-api:token-holder' }]);
  });

  it('signing out ends the session; a password change or removal ends the others', async () => {
    const s = await session(a.adminBase, 'alice', ALICE);
    const out = await as(s, a.adminBase, 'DELETE', '/admin/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await as(s, a.adminBase, 'GET', '/admin/session')).status).toBe(401);

    await accounts.add('carol', 'operator', 'carol-first-password', 'test');
    const c = await session(a.adminBase, 'carol', 'carol-first-password');
    await accounts.passwd('carol', 'carol-second-password', 'test');
    expect((await as(c, a.adminBase, 'GET', '/admin/releases')).status).toBe(401);
    expect((await signIn(a.adminBase, 'carol', 'carol-first-password')).status).toBe(401);
    const c2 = await session(a.adminBase, 'carol', 'carol-second-password');
    accounts.remove('carol', 'test');
    expect((await as(c2, a.adminBase, 'GET', '/admin/releases')).status).toBe(401);
    expect((await entries((e) => e.account === 'carol')).map((e) => e.activity)).toEqual(
      expect.arrayContaining(['admin-account-added', 'admin-account-password-changed', 'admin-account-removed']),
    );
  });

  it('rate limits failures per account (even the right password then waits) and per address', async () => {
    await accounts.add('dave', 'viewer', 'dave-password-ok', 'test');
    for (let i = 0; i < 3; i++) expect((await signIn(a.adminBase, 'dave', `wrong-${i}-xxxxxxx`)).status).toBe(401);
    const limited = await signIn(a.adminBase, 'dave', 'dave-password-ok');
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error: 'too_many_attempts' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // other names from this address: the address budget (8 failures, 3 + 3 used above) runs out too
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signIn(a.adminBase, `ghost${i}`, 'whatever-password')).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect((await signIn(a.adminBase, 'alice', ALICE)).status).toBe(429);
    // after the window, both budgets are back
    a.clock.offsetMs += 16 * 60_000;
    expect((await signIn(a.adminBase, 'dave', 'dave-password-ok')).status).toBe(200);
  });

  it('expires after 30 idle minutes, and after 8 hours however busy (injected clock)', async () => {
    const idle = await session(a.adminBase, 'alice', ALICE);
    a.clock.offsetMs += 29 * 60_000;
    expect((await as(idle, a.adminBase, 'GET', '/admin/session')).status).toBe(200); // restarts the idle clock
    a.clock.offsetMs += 29 * 60_000;
    expect((await as(idle, a.adminBase, 'GET', '/admin/session')).status).toBe(200);
    a.clock.offsetMs += 31 * 60_000;
    const expired = await as(idle, a.adminBase, 'GET', '/admin/releases');
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ error: 'sign_in_required' });

    const busy = await session(a.adminBase, 'alice', ALICE);
    for (let h = 0; h < 16; h++) {
      a.clock.offsetMs += 29 * 60_000;
      expect((await as(busy, a.adminBase, 'GET', '/admin/session')).status).toBe(200);
    }
    a.clock.offsetMs += 29 * 60_000; // 8 h 13 min after signing in, never idle for 30
    expect((await as(busy, a.adminBase, 'GET', '/admin/session')).status).toBe(401);
  });
});

const CLI = join(packageRoot(), 'src', 'cli', 'main.ts');
function cli(args: string[], stdin: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: packageRoot(), env: { ...process.env, USER: 'tester' }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      done({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

describe('datastation accounts', () => {
  it('adds from stdin (hashed, 0600), refuses a short password with exit 2, lists, removes, all logged', async () => {
    const dir = tempDir('ds-accounts-');
    const short = await cli(['-d', dir, 'accounts', 'add', 'erin', '--role', 'viewer'], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('at least 12 characters');
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, 'erin-long-password\n');
    const added = await cli(['-d', dir, 'accounts', 'add', 'erin', '--role', 'operator', '--password-file', pwFile], '');
    expect(added).toMatchObject({ status: 0, stdout: 'added erin (operator)\n' });
    const piped = await cli(['-d', dir, 'accounts', 'add', 'frank', '--role', 'viewer'], 'frank-long-password\n');
    expect(piped.status).toBe(0);
    const file = readFileSync(accountsPath(dir), 'utf8');
    expect(file).not.toContain('long-password');
    expect(statSync(accountsPath(dir)).mode & 0o777).toBe(0o600);
    const store = new AccountStore(dir);
    expect(store.get('frank')).toMatchObject({ role: 'viewer', password: { alg: 'scrypt', N: 32768 } });
    const { checkPassword } = await import('../../src/accounts/index.js');
    expect(await checkPassword('frank-long-password', store.get('frank')!.password)).toBe(true);
    expect(await checkPassword('frank-long-passwore', store.get('frank')!.password)).toBe(false);
    expect((await cli(['-d', dir, 'accounts', 'add', 'frank', '--role', 'viewer'], 'frank-long-password\n')).status).toBe(2);
    expect((await cli(['-d', dir, 'accounts', 'list'], '')).stdout).toMatch(/erin {2}operator[\s\S]*frank {2}viewer/);
    expect((await cli(['-d', dir, 'accounts', 'remove', 'erin'], '')).status).toBe(0);
    expect(new AccountStore(dir).get('erin')).toBeUndefined();
    const logged = [];
    for await (const e of exportAuditLog(auditPath(dir), {})) logged.push(`${e.actor} ${e.activity} ${String(e.account)}`);
    expect(logged).toEqual(['cli:tester admin-account-added erin', 'cli:tester admin-account-added frank', 'cli:tester admin-account-removed erin']);
  }, 120_000);
});
