// Two care organisations in one deployment, over real HTTP with real keys: each answers from its
// own data; a requester credentialed for A tries every way to reach B and is refused with one
// code; an operator of A can never see B's releases or audit; each audit chain verifies and holds
// only its own tenant's entries; metrics carry a tenant label; readiness per tenant and overall.
import { randomUUID } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { SignJWT, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { auditPath, exportAuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { addTenant, removeTenant, startDeployment, tenantConfig, type Deployment } from '../../src/tenants/index.js';
import { Parties, SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR, tempDir, testConfig } from '../helpers.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PASSWORD = 'correct horse battery staple';

let parties: Parties;
let base: Config;
let d: Deployment;
let url: string;
let adminUrl: string;
const t = {} as Record<'a' | 'b', { did: string; config: Config; requester: string; beheer: string; token: string }>;

async function tokenAt(path: string, holder: string, audience: string, beheer: string, cfg: Config): Promise<Response> {
  const vc = await parties.issueQuestion(beheer, holder, indicatorClaims(cfg, 'demo', 'staff-pro-rata'));
  return fetch(`${url}${path}`, { method: 'POST', body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: await parties.present(holder, audience, [vc]), scope: SCOPE }) });
}

async function message(holder: string, to: string | string[], beheer: string, cfg: Config, audience = Array.isArray(to) ? to[0]! : to) {
  const vc = await parties.issueQuestion(beheer, holder, indicatorClaims(cfg, 'demo', 'staff-pro-rata'));
  return { type: 'v1/basic-message/request', jti: randomUUID(), from: holder, to, thread_id: `t-${randomUUID()}`, body: { message: await parties.present(holder, audience, [vc]), parameters: { jaar: 2025, kwartaal: 'Q1' } } };
}

function ask(path: string, token: string, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function refusal(response: Response): Promise<{ status: number; code: string | undefined }> {
  const body = (await response.json()) as { body?: { code?: string }; error_code?: string };
  return { status: response.status, code: body.body?.code ?? body.error_code };
}

async function entries(dataDir: string): Promise<Record<string, unknown>[]> {
  const all = [];
  for await (const e of exportAuditLog(auditPath(dataDir), {})) all.push(e);
  return all;
}

beforeAll(async () => {
  const root = tempDir('ds-tenants-');
  parties = await Parties.open(join(root, 'parties'));
  base = testConfig(join(root, 'deployment'), {
    'trust.didDocumentsDir': parties.documentsDir,
    'trust.statusListDir': join(root, 'status-lists'),
    'trust.statusListOnline': false,
    'server.port': 0,
    'admin.port': 0,
    'query.workers': 1,
  });
  for (const [id, release] of [['a', 'auto'], ['b', 'manual']] as const) {
    const beheer = (await parties.create('web', `beheer-${id}.kik-v.example`)).did;
    const requester = (await parties.create('key')).did;
    const trustList = join(root, `trust-${id}.yaml`);
    // Each organisation trusts its own beheerorganisatie only: a credential for A is nothing to B.
    writeFileSync(trustList, `issuers:\n  - did: ${beheer}\n    name: beheer ${id} (test)\n    credentialTypes: [ValidQueryCredential]\n`);
    const { entry } = await addTenant(base, id, { actor: 'test', trustList });
    writeFileSync(join(base.dataDir, 'tenants', id, 'tenant.yaml'), `exchange:\n  defaultRelease: ${release}\n  allowHttpReplyUrl: true\n  allowLoopbackReplyUrl: true\n`);
    t[id] = { did: entry.did, config: tenantConfig(base, id), requester, beheer, token: '' };
  }
  // Different data: A the whole example organisation, B its HR export with a third of the employments.
  await runImport(t.a.config, { inputs: [EXAMPLE_DIR] });
  const hr = join(root, 'b-exports', 'afas-hr');
  cpSync(join(EXAMPLE_DIR, 'afas-hr'), hr, { recursive: true });
  writeFileSync(join(hr, 'dienstverbanden.csv'), readFileSync(join(hr, 'dienstverbanden.csv'), 'utf8').split('\n').slice(0, 50).join('\n') + '\n');
  await runImport(t.b.config, { inputs: [hr], allowShrink: true });
  await new AccountStore(t.a.config.dataDir).add('anna', 'operator', PASSWORD, 'test');
  await new AccountStore(t.b.config.dataDir).add('bert', 'operator', PASSWORD, 'test');
  d = await startDeployment(base, { profileRoots: (cfg) => [join(packageRoot(), 'profiles'), join(cfg.dataDir, 'profiles')], pollSeconds: 0 });
  ({ base: url, adminBase: adminUrl } = await d.listen());
  for (const id of ['a', 'b'] as const) {
    const response = await tokenAt('/oauth2/token', t[id].requester, t[id].did, t[id].beheer, t[id].config);
    expect(response.status, `token at ${id}`).toBe(200);
    t[id].token = ((await response.json()) as { access_token: string }).access_token;
  }
}, 180_000);

afterAll(async () => {
  await d?.close();
});

describe('a deployment of two organisations', () => {
  it('serves each did:web document at its path, and each tenant answers from its own data', async () => {
    for (const id of ['a', 'b'] as const) {
      const doc = (await (await fetch(`${url}/tenants/${id}/did.json`)).json()) as { id: string };
      expect(doc.id).toBe(t[id].did);
      expect(t[id].did).toBe(`did:web:localhost%3A8443:tenants:${id}`);
    }
    const a = await ask('/api/verifiedsparql', t.a.token, await message(t.a.requester, t.a.did, t.a.beheer, t.a.config));
    expect(a.status).toBe(200);
    const viaPath = await ask('/tenants/a/api/verifiedsparql', t.a.token, await message(t.a.requester, t.a.did, t.a.beheer, t.a.config));
    expect(viaPath.status).toBe(200);
    // the token endpoint routes a JSON body by its presentation's audience too
    const vc = await parties.issueQuestion(t.a.beheer, t.a.requester, indicatorClaims(t.a.config, 'demo', 'staff-pro-rata'));
    const json = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: JWT_BEARER, assertion: await parties.present(t.a.requester, t.a.did, [vc]), scope: SCOPE }) });
    expect(json.status).toBe(200);
    const b = await ask('/api/verifiedsparql', t.b.token, { ...(await message(t.b.requester, t.b.did, t.b.beheer, t.b.config)), reply_url: 'http://127.0.0.1:9/inbox' });
    expect(b.status).toBe(202); // B releases by hand
    const item = d.tenants.get('b')!.ds.queue.get(((await b.json()) as { release_id: string }).release_id);
    const answerA = JSON.stringify((JSON.parse(await a.text()) as { body: { resultset: unknown } }).body.resultset);
    const answerB = JSON.stringify((JSON.parse(d.tenants.get('b')!.ds.queue.answer(item)) as { body: { resultset: unknown } }).body.resultset);
    expect(answerA).not.toBe(answerB);
  });

  it('refuses every way a requester of A tries to reach B with tenant_mismatch (or B\'s own trust refusal)', async () => {
    const toB = () => message(t.a.requester, t.b.did, t.a.beheer, t.a.config);
    // B's DID in the envelope with A's token: routed to B, whose guard knows the token is A's
    expect(await refusal(await ask('/api/verifiedsparql', t.a.token, await toB()))).toEqual({ status: 403, code: 'tenant_mismatch' });
    expect(await refusal(await ask('/tenants/b/api/verifiedsparql', t.a.token, await toB()))).toEqual({ status: 403, code: 'tenant_mismatch' });
    // A's DID on B's path, and B's DID on A's path
    expect(await refusal(await ask('/tenants/b/api/verifiedsparql', t.a.token, await message(t.a.requester, t.a.did, t.a.beheer, t.a.config)))).toEqual({ status: 403, code: 'tenant_mismatch' });
    expect(await refusal(await ask('/tenants/a/api/verifiedsparql', t.a.token, await toB()))).toEqual({ status: 403, code: 'tenant_mismatch' });
    // both DIDs at once: no single tenant
    expect(await refusal(await ask('/api/verifiedsparql', t.a.token, await message(t.a.requester, [t.a.did, t.b.did], t.a.beheer, t.a.config)))).toEqual({ status: 403, code: 'tenant_mismatch' });
    // the header form, addressed to B on A's path
    const m = await toB();
    const header = await fetch(`${url}/tenants/a/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${t.a.token}`, 'message-id': m.jti, from: m.from, to: t.b.did, 'content-type': 'application/jwt' }, body: m.body.message });
    expect(await refusal(header)).toEqual({ status: 403, code: 'tenant_mismatch' });
    // a presentation for A at B's token endpoint
    expect(await refusal(await tokenAt('/tenants/b/oauth2/token', t.a.requester, t.a.did, t.a.beheer, t.a.config))).toEqual({ status: 403, code: 'tenant_mismatch' });
    // a forged audience: a presentation to B of a credential B does not trust
    expect(await refusal(await tokenAt('/oauth2/token', t.a.requester, t.b.did, t.a.beheer, t.a.config))).toEqual({ status: 400, code: 'issuer_not_trusted' });
    expect(await refusal(await tokenAt('/tenants/b/oauth2/token', t.a.requester, t.b.did, t.a.beheer, t.a.config))).toEqual({ status: 400, code: 'issuer_not_trusted' });
    // a presentation addressed to both organisations
    const vc = await parties.issueQuestion(t.a.beheer, t.a.requester, indicatorClaims(t.a.config, 'demo', 'staff-pro-rata'));
    const key = await importJWK(await parties.privateJwk(t.a.requester), 'EdDSA');
    const now = Math.floor(Date.now() / 1000);
    const both = await new SignJWT({ iss: t.a.requester, aud: [t.a.did, t.b.did], jti: `urn:uuid:${randomUUID()}`, nbf: now - 5, exp: now + 300, vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [vc] } })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: await parties.kid(t.a.requester) })
      .sign(key);
    const twice = await fetch(`${url}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: both, scope: SCOPE }) });
    expect(await refusal(twice)).toEqual({ status: 403, code: 'tenant_mismatch' });
    // nobody here: one code
    expect(await refusal(await ask('/api/verifiedsparql', t.a.token, await message(t.a.requester, 'did:web:elsewhere.example', t.a.beheer, t.a.config)))).toEqual({ status: 404, code: 'unknown_tenant' });
    expect((await fetch(`${url}/tenants/zz/did.json`)).status).toBe(404);
    // a dot segment (sent raw: fetch would resolve it) does not cross from A's path into B's
    const raw = await new Promise<number>((done) => request(`${url}/tenants/a/../b/did.json`, { path: '/tenants/a/../b/did.json' }, (r) => (r.resume(), done(r.statusCode ?? 0))).end());
    expect(raw).toBe(404);
  });

  it('keeps consoles apart: A\'s operator, session and admin token open nothing of B', async () => {
    const signIn = (id: string, account: string) => fetch(`${adminUrl}/tenants/${id}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, password: PASSWORD }) });
    const a = await signIn('a', 'anna');
    expect(a.status).toBe(200);
    const setCookie = a.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/Path=\/tenants\/a\//);
    const cookie = setCookie.split(';')[0]!;
    const csrf = ((await a.json()) as { csrf: string }).csrf;
    expect((await signIn('b', 'anna')).status).toBe(401); // accounts are per tenant
    const bRelease = d.tenants.get('b')!.ds.queue.open('pending')[0]!.id;
    const asAnna = (path: string, method = 'GET', body?: unknown) =>
      fetch(`${adminUrl}${path}`, { method, headers: { cookie, 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect((await asAnna('/tenants/a/admin/releases')).status).toBe(200);
    for (const path of ['/tenants/b/admin/releases', `/tenants/b/admin/releases/${bRelease}`, '/tenants/b/admin/audit', '/tenants/b/admin/audit/export', '/metrics']) {
      expect((await asAnna(path)).status, path).toBe(401);
    }
    expect((await asAnna(`/tenants/b/admin/releases/${bRelease}/approve`, 'POST', { reason: 'x' })).status).toBe(401);
    // B's release id on A's own console: not A's
    expect((await asAnna(`/tenants/a/admin/releases/${bRelease}`)).status).toBe(404);
    expect((await asAnna(`/tenants/a/admin/releases/${bRelease}/approve`, 'POST', { reason: 'x' })).status).toBe(404);
    // A's admin token is A's only
    const tokenA = readFileSync(t.a.config.admin.tokenFile!, 'utf8').trim();
    const withToken = (path: string, token: string) => fetch(`${adminUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await withToken('/tenants/a/admin/releases', tokenA)).status).toBe(200);
    expect((await withToken('/tenants/b/admin/releases', tokenA)).status).toBe(401);
    expect((await withToken('/metrics', tokenA)).status).toBe(401);
    expect(d.tenants.get('b')!.ds.queue.get(bRelease).state).toBe('pending');
    // the console's redirect stays under the tenant
    expect((await fetch(`${adminUrl}/tenants/a/console`, { redirect: 'manual' })).headers.get('location')).toBe('/tenants/a/console/');
  });

  it('keeps one audit chain per tenant, each verifying and holding only its own entries', async () => {
    for (const [own, other] of [['a', 'b'], ['b', 'a']] as const) {
      const dir = t[own].config.dataDir;
      expect((await verifyAuditLog(auditPath(dir))).ok).toBe(true);
      const text = readFileSync(auditPath(dir), 'utf8');
      expect(text).not.toContain(t[other].requester);
      const log = await entries(dir);
      expect(log[0]).toMatchObject({ activity: 'tenant-added', tenant: own, did: t[own].did });
      expect(log.some((e) => e.activity === 'answer-sent' || e.activity === 'release-queued' || e.activity === 'token-issued')).toBe(true);
    }
    // the refusals are in the log of the tenant that was addressed
    const refusedAtB = (await entries(t.b.config.dataDir)).filter((e) => e.activity === 'request-refused' && e.code === 'tenant_mismatch');
    const refusedAtA = (await entries(t.a.config.dataDir)).filter((e) => e.activity === 'request-refused' && e.code === 'tenant_mismatch');
    expect(refusedAtB.length).toBeGreaterThanOrEqual(4);
    expect(refusedAtA.length).toBeGreaterThanOrEqual(1);
    // anna's sign-in is A's alone
    const signInsB = (await entries(t.b.config.dataDir)).filter((e) => String(e.actor).includes('anna'));
    expect(signInsB).toEqual([]);
  });

  it('labels metrics by tenant and reports readiness per tenant and overall', async () => {
    const deploymentToken = readFileSync(base.admin.tokenFile!, 'utf8').trim();
    const metrics = await (await fetch(`${adminUrl}/metrics`, { headers: { authorization: `Bearer ${deploymentToken}` } })).text();
    expect(metrics).toMatch(/datastation_requests_total\{outcome="200",tenant="a"\} [1-9]/);
    expect(metrics).toMatch(/datastation_requests_total\{outcome="202",tenant="b"\} 1\n/);
    expect(metrics).not.toMatch(/datastation_requests_total\{outcome="202",tenant="a"\}/);
    expect(metrics).toMatch(/datastation_routing_refused_total\{code="unknown_tenant"\} [1-9]/);
    expect(metrics).toMatch(/datastation_tenants 2/);
    expect(metrics.match(/^process_cpu_seconds_total/gm)?.length).toBe(1);
    const tokenA = readFileSync(t.a.config.admin.tokenFile!, 'utf8').trim();
    const own = await (await fetch(`${adminUrl}/tenants/a/metrics`, { headers: { authorization: `Bearer ${tokenA}` } })).text();
    expect(own).toContain('tenant="a"');
    expect(own).not.toContain('tenant="b"');
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    expect((await fetch(`${url}/tenants/b/ready`)).status).toBe(200);
    const report = (await (await fetch(`${adminUrl}/ready`, { headers: { authorization: `Bearer ${deploymentToken}` } })).json()) as { ready: boolean; tenants: Record<string, unknown> };
    expect(report).toMatchObject({ ready: true, tenants: { a: true, b: true } });
  });

  it('starts a tenant added to the registry and stops a removed one, without a restart', async () => {
    await addTenant(base, 'c', { actor: 'test' });
    await d.sync();
    expect(((await (await fetch(`${url}/tenants/c/did.json`)).json()) as { id: string }).id).toBe('did:web:localhost%3A8443:tenants:c');
    // c has no dataset yet: it is not ready, so neither is the deployment, and the admin report says which
    expect((await fetch(`${url}/tenants/c/ready`)).status).toBe(503);
    expect((await fetch(`${url}/ready`)).status).toBe(503);
    const deploymentToken = readFileSync(base.admin.tokenFile!, 'utf8').trim();
    const report = (await (await fetch(`${adminUrl}/ready`, { headers: { authorization: `Bearer ${deploymentToken}` } })).json()) as { tenants: Record<string, unknown> };
    expect(report.tenants).toEqual({ a: true, b: true, c: 'no dataset loaded' });
    await removeTenant(base, 'c', { force: false, actor: 'test' });
    await d.sync();
    expect((await fetch(`${url}/tenants/c/did.json`)).status).toBe(404);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    expect([...d.tenants.keys()]).toEqual(['a', 'b']);
  });
});

describe('a deployment behind a TLS-terminating proxy', () => {
  it('reads no body to route a request without a verified client certificate from a trusted proxy', async () => {
    const root = tempDir('ds-tenants-proxy-');
    const cfg = testConfig(join(root, 'deployment'), { 'server.port': 0, 'admin.port': 0, 'query.workers': 1, 'server.clientCertHeader': 'x-client-cert', 'server.trustedProxies': ['127.0.0.1'] });
    const { entry } = await addTenant(cfg, 'p', { actor: 'test' });
    const dep = await startDeployment(cfg, { profileRoots: () => [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    try {
      const { base: u } = await dep.listen();
      const body = JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: 'did:key:z6Mkx', to: entry.did, thread_id: 't-1', body: {} });
      const post = (path: string, headers: Record<string, string> = {}) => fetch(`${u}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token-of-anyone-here', ...headers }, body });
      for (const path of ['/api/verifiedsparql', '/tenants/p/api/verifiedsparql']) {
        expect(await refusal(await post(path)), path).toEqual({ status: 403, code: 'client_certificate_required' });
        // with the proxy's header the request reaches the tenant's exchange, which refuses the empty envelope
        expect(await refusal(await post(path, { 'x-client-cert': 'CN=requester' })), path).toEqual({ status: 400, code: 'malformed_envelope' });
      }
      expect((await fetch(`${u}/tenants/p/did.json`)).status).toBe(200); // public, as /.well-known/did.json is
    } finally {
      await dep.close();
    }
  }, 60_000);
});
