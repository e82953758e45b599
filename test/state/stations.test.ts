// Two running datastations (real HTTP) with their own data folders and one PostgreSQL: a question
// queued by one is listed and approved on the other, with a console session signed in on the
// first; both report ready; the audit chain they wrote together verifies through either's admin
// API and through `datastation audit verify`; an entry forged by the insert-only role is caught.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsPath } from '../../src/accounts/index.js';
import { accountStore } from '../../src/state/index.js';
import { adminToken, startDatastation, type Datastation } from '../../src/api/datastation.js';
import { packageRoot } from '../../src/config/index.js';
import { tempDir } from '../helpers.js';
import { adminWorld, as, askForRelease, session, type AdminWorld } from '../e2e/admin-support.js';
import { ADMIN_URL, APP_URL, connect, freshSchema, skipReason } from './support.js';

const skip = skipReason();
if (skip) console.warn(`test/state/stations.test.ts skipped: ${skip}`);
const run = promisify(execFile);
const PASSWORD = 'alice-correct-horse-battery';

describe.skipIf(!!skip)('two datastations, one PostgreSQL', () => {
  let fresh: Awaited<ReturnType<typeof freshSchema>>;
  let a: AdminWorld;
  let b: Datastation;
  let bAdmin: string;
  let bBase: string;
  let bConfig: AdminWorld['config'];
  beforeAll(async () => {
    fresh = await freshSchema();
    // the first one runs the (already applied: idempotent) migrations at start with the owner URL
    a = await adminWorld({ state: { ...fresh.state, migrateUrl: ADMIN_URL } });
    // added in PostgreSQL through the first one's configuration: the second finds it there
    await accountStore(a.config).add('alice', 'operator', PASSWORD, 'test');
    expect(existsSync(accountsPath(a.config.dataDir))).toBe(false);
    // the second: a copy of the data folder (identity, dataset, accounts); only PostgreSQL is shared
    const dataDir = join(tempDir('ds-pg-second-'), 'data');
    cpSync(a.config.dataDir, dataDir, { recursive: true });
    bConfig = { ...a.config, dataDir };
    b = await startDatastation(bConfig, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    bBase = await b.app.listen({ host: '127.0.0.1', port: 0 });
    bAdmin = await b.admin.listen({ host: '127.0.0.1', port: 0 });
  }, 240_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await fresh?.drop();
  });

  it('queues on one, decides on the other with a session from the first, and both are ready', async () => {
    for (const base of [a.base, bBase]) {
      const ready = await fetch(`${base}/ready`);
      expect(await ready.json()).toEqual({ status: 'ready' });
    }
    const asked = await askForRelease(a);
    expect(asked.status).toBe(202);
    const s = await session(a.adminBase, 'alice', PASSWORD);
    const listed = await as(s, bAdmin, 'GET', '/admin/releases?state=pending');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { id: string }[]).map((r) => r.id)).toContain(asked.release);
    const approved = await as(s, bAdmin, 'POST', `/admin/releases/${asked.release}/approve`, { by: 'Alice' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ state: 'approved', decidedBy: 'account:alice' });
    // the first sees the decision; deciding again there is refused
    expect(a.ds.queue.get(asked.release)).toMatchObject({ state: 'approved' });
    const again = await as(s, a.adminBase, 'POST', `/admin/releases/${asked.release}/approve`, {});
    expect(again.status).toBe(409);
    // signed out on the second: the session is gone on the first too
    expect((await as(s, bAdmin, 'DELETE', '/admin/session')).status).toBe(204);
    expect((await as(s, a.adminBase, 'GET', '/admin/session')).status).toBe(401);
    // a role changed through the second's configuration (the CLI there) ends a session made on the first
    const again2 = await session(a.adminBase, 'alice', PASSWORD);
    expect((await as(again2, bAdmin, 'GET', '/admin/session')).status).toBe(200);
    accountStore(bConfig).setRole('alice', 'viewer', 'cli:test');
    expect((await as(again2, a.adminBase, 'GET', '/admin/session')).status).toBe(401);
  }, 120_000);

  it('the chain both wrote verifies through either admin API and the CLI; a forged entry is caught', async () => {
    const token = adminToken(a.config);
    for (const base of [a.adminBase, bAdmin]) {
      const verified = await fetch(`${base}/admin/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
      expect(verified.status).toBe(200);
      const body = (await verified.json()) as { ok: boolean; entries: number };
      expect(body.ok).toBe(true);
      expect(body.entries).toBeGreaterThan(5);
    }
    // the admin search pages through the shared chain with a seq cursor
    const first = (await (await fetch(`${bAdmin}/admin/audit?limit=2`, { headers: { authorization: `Bearer ${token}` } })).json()) as { entries: { seq: number }[]; next?: string };
    expect(first.entries.map((e) => e.seq)).toEqual([1, 2]);
    const second = (await (await fetch(`${a.adminBase}/admin/audit?limit=2&cursor=${first.next!}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { entries: { seq: number }[] };
    expect(second.entries.map((e) => e.seq)).toEqual([3, 4]);
    const configFile = join(tempDir('ds-pg-cli-'), 'datastation.yaml');
    writeFileSync(configFile, JSON.stringify({ state: { ...fresh.state, url: 'env:KIKV_TEST_PG_URL' } }));
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src/cli/main.ts'), '--config', configFile, '--data-dir', a.config.dataDir, ...args], { env: { ...process.env, DATASTATION_STATE_OWNER_URL: ADMIN_URL } });
    expect((await cli('state', 'migrate')).stdout).toMatch(/up to date \(version 2\)/);
    expect((await cli('audit', 'verify')).stdout).toMatch(/^audit log intact: \d+ entries/);
    // the app role can only add: an entry with a wrong hash at the head is still found by verify
    const c = await connect(APP_URL!, fresh.schema);
    try {
      const [head] = (await c.query("SELECT seq, hash FROM audit_entries WHERE tenant = 'default' ORDER BY seq DESC LIMIT 1")).rows as { seq: string; hash: string }[];
      const seq = Number(head!.seq) + 1;
      const line = JSON.stringify({ seq, time: new Date().toISOString(), actor: 'forger', activity: 'released', prev: head!.hash, hash: 'f'.repeat(64) });
      await c.query("INSERT INTO audit_entries (seq, hash, prev, time, activity, line) VALUES ($1, $2, $3, now(), 'released', $4)", [seq, 'f'.repeat(64), head!.hash, line]);
    } finally {
      await c.end();
    }
    const broken = await cli('audit', 'verify').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(broken?.code).toBe(2);
    expect(broken?.stderr).toMatch(/BROKEN at line \d+: content does not match its hash/);
  }, 180_000);
});
