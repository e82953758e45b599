// The deployment's own audit chain over real HTTP: every refusal its front makes (no tenant
// reached) is one entry with fixed codes and no input; a flood from one address grows the log by
// a bounded amount; `audit verify --deployment` finds it intact, and a tampered entry exits 2;
// a refusal that cannot be logged is 503 audit_unavailable.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPath, exportAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { addTenant, startDeployment, type Deployment } from '../../src/tenants/index.js';
import { tempDir, testConfig } from '../helpers.js';
import { cli } from '../tenants/support.js';

const PER_MINUTE = 4;
const MARK = 'markq7zx';

let base: Config;
let d: Deployment;
let url: string;
let adminUrl: string;
let clock = Date.UTC(2026, 0, 1, 12, 0, 1);

async function entries(dataDir: string): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const e of exportAuditLog(auditPath(dataDir), {})) all.push(e);
  return all;
}

/** Entries of the deployment's chain appended while `send` ran. */
async function written(send: () => Promise<Response>): Promise<{ status: number; code: string | undefined; logged: AuditEntry[] }> {
  const before = (await entries(base.dataDir)).length;
  const response = await send();
  const body = (await response.json()) as { body?: { code?: string }; error?: string };
  return { status: response.status, code: body.body?.code ?? body.error, logged: (await entries(base.dataDir)).slice(before) };
}

const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  const root = tempDir('ds-tenants-refusals-');
  base = testConfig(join(root, 'deployment'), { 'server.port': 0, 'admin.port': 0, 'query.workers': 1, 'exchange.ratePerMinute': 10_000, 'tenants.refusalLog.perAddressPerMinute': PER_MINUTE });
  await addTenant(base, 'a', { actor: 'test' });
  d = await startDeployment(base, { profileRoots: () => [join(packageRoot(), 'profiles')], pollSeconds: 0, refusalClock: () => clock });
  ({ base: url, adminBase: adminUrl } = await d.listen());
}, 60_000);

afterAll(async () => d?.close());

describe("the deployment's audit chain", () => {
  it('holds one entry per refusal of the front, with fixed codes and none of the input', async () => {
    const tenantBefore = (await entries(join(base.dataDir, 'tenants', 'a'))).length;
    const cases = [
      () => fetch(`${url}/tenants/${MARK}/did.json`),
      () => post('/api/verifiedsparql', { type: 'v1/basic-message/request', jti: MARK, from: `did:web:${MARK}.example`, to: `did:web:${MARK}.example`, thread_id: MARK, body: { message: MARK.repeat(1000) } }),
      () => fetch(`${adminUrl}/tenants/${MARK}/admin/releases`),
    ];
    const seen = [];
    for (const send of cases) {
      const { status, code, logged } = await written(send);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ actor: 'unknown', activity: 'request-refused', code: 'unknown_tenant', status: 404, client: expect.stringMatching(/127\.0\.0\.1/) as unknown });
      expect(JSON.stringify(logged[0])).not.toContain(MARK);
      expect(JSON.stringify(logged[0]).length).toBeLessThan(600);
      expect({ status, code }).toEqual({ status: 404, code: 'unknown_tenant' });
      seen.push(logged[0]!);
    }
    expect(seen.map((e) => [e.listener, e.route])).toEqual([['requester', '/tenants/*'], ['requester', '/api/verifiedsparql'], ['admin', '/tenants/*']]);
    expect(seen[1]).toMatchObject({ to_count: 1, to_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown });
    // the tenant's own chain is not where these go
    expect((await entries(join(base.dataDir, 'tenants', 'a'))).length).toBe(tenantBefore);
  });

  it('grows by a bounded amount under a flood from one address', async () => {
    clock += 60_000; // a fresh minute for this address
    const before = (await entries(base.dataDir)).length;
    const statuses = new Set<number>();
    for (let i = 0; i < 60; i++) statuses.add((await fetch(`${url}/tenants/nobody-${i}/did.json`)).status);
    expect([...statuses]).toEqual([404]);
    expect((await entries(base.dataDir)).length - before).toBe(PER_MINUTE);
    clock += 60_000;
    const { logged } = await written(() => fetch(`${url}/nowhere`));
    // the closed minute's summary, then this minute's first refusal
    expect(logged.map((e) => e.activity)).toEqual(['requests-refused-summary', 'request-refused']);
    expect(logged[0]).toMatchObject({ refused: 60 - PER_MINUTE, codes: { unknown_tenant: 60 - PER_MINUTE } });
    expect(logged[1]).toMatchObject({ code: 'not_found', route: '(no route)' });
  });

  it('verifies with audit verify --deployment, and a tampered entry exits 2', async () => {
    const dir = base.dataDir;
    const intact = await cli(['--data-dir', dir, 'audit', 'verify', '--deployment']);
    expect(intact.stderr).toBe('');
    expect(intact.status).toBe(0);
    expect(intact.stdout).toMatch(/audit log intact: \d+ entries/);
    // an organisation's own data directory has no deployment chain
    expect((await cli(['--data-dir', join(dir, 'tenants', 'a'), 'audit', 'verify', '--deployment'])).status).toBe(2);
    const file = auditPath(dir);
    const lines = readFileSync(file, 'utf8');
    writeFileSync(file, lines.replace('"code":"unknown_tenant"', '"code":"not_found"'));
    try {
      const broken = await cli(['--data-dir', dir, 'audit', 'verify', '--deployment']);
      expect(broken.status).toBe(2);
      expect(broken.stderr).toContain('BROKEN at line 1');
    } finally {
      writeFileSync(file, lines);
    }
  }, 60_000);
});

describe.skipIf(!existsSync('/dev/full'))("a deployment whose own audit chain cannot be written", () => {
  it('answers a refusal of its front with 503 audit_unavailable, and is not ready', async () => {
    const cfg = testConfig(join(tempDir('ds-tenants-full-'), 'deployment'), { 'server.port': 0, 'admin.port': 0, 'query.workers': 1 });
    await addTenant(cfg, 'a', { actor: 'test' });
    mkdirSync(join(cfg.dataDir, 'audit'), { recursive: true });
    symlinkSync('/dev/full', auditPath(cfg.dataDir));
    const dep = await startDeployment(cfg, { profileRoots: () => [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    try {
      const { base: u } = await dep.listen();
      const response = await fetch(`${u}/tenants/nobody/did.json`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { body: { code: string } }).body.code).toBe('audit_unavailable');
      expect((await dep.ready()).shared.audit).not.toBe(true);
      // what a tenant answers is its own business: its chain is elsewhere
      expect((await fetch(`${u}/tenants/a/did.json`)).status).toBe(200);
    } finally {
      await dep.close();
    }
  }, 60_000);
});
