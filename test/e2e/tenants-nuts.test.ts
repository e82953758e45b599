// A deployment whose tenants each have their own Nuts identity (did:nuts of that care
// organisation) on ONE node: a STAND-IN Nuts node (test/nuts/stand-in-node.ts, not the real
// nuts-node). Requests are routed by the node DID; A answers with A's token (one introspection
// for the guard and the authorisation together); A's token sent to B, on B's path or unprefixed
// and addressed to B, is tenant_mismatch in B's chain; a builtin tenant refuses it the same way.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPath, exportAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { ProfileRegistry } from '../../src/profiles/index.js';
import { addTenant, startDeployment, tenantConfig, type Deployment } from '../../src/tenants/index.js';
import { EXAMPLE_DIR, tempDir, testConfig } from '../helpers.js';
import { StandInNode } from '../nuts/stand-in-node.js';

const API_TOKEN = 'node-api-token';
let node: StandInNode;
let d: Deployment;
let url: string;
let base: Config;
let beheer: string;
let afnemer: string;
let sparql: string;
const did = {} as Record<'a' | 'b' | 'c', string>;

async function entries(id: string): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const e of exportAuditLog(auditPath(join(base.dataDir, 'tenants', id)), {})) all.push(e);
  return all;
}

/** The requester's node grants a token for the organisation `authorizer`'s KIK-V service. */
async function token(authorizer: string): Promise<string> {
  const response = await fetch(`${node.url}/internal/auth/v1/request-access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
    body: JSON.stringify({ authorizer, requester: afnemer, service: 'didcomm-service-kikv', credentials: [] }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function question(to: string) {
  const validatedQuery = { id: `urn:uuid:${randomUUID()}`, name: 'staff pro rata', description: 'test', ontology: ['http://purl.org/ozo/onz-g', 'onz@3.0.0'], profile: 'demo@1.0.0', sparql };
  const vc = await node.issueCredential(beheer, 'ValidatedQueryCredential', { id: afnemer, validatedQuery });
  const vp = await node.createPresentation(afnemer, [vc], { challenge: randomUUID(), domain: to, expiresSeconds: 60 });
  const now = Math.floor(Date.now() / 1000);
  return { id: randomUUID(), type: 'https://www.kik-v.nl/validated-query-request/1.0/request', from: afnemer, to: [to], created_time: now, expires_time: now + 300, body: { vp: Buffer.from(JSON.stringify(vp)).toString('base64'), parameters: { jaar: 2025, kwartaal: 'Q1' } } };
}

async function send(path: string, bearer: string, message: unknown): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/didcomm-plain+json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(message) });
  const body = (await response.json()) as { body?: { code?: string } };
  return { status: response.status, code: body.body?.code };
}

beforeAll(async () => {
  node = await new StandInNode({ apiToken: API_TOKEN }).start();
  beheer = await node.createDid('beheer');
  afnemer = await node.createDid('afnemer');
  node.trust(beheer, 'ValidatedQueryCredential');
  const root = tempDir('ds-tenants-nuts-');
  // The deployment's node settings (one node for every tenant); each tenant brings its own DID.
  base = testConfig(join(root, 'deployment'), {
    'server.port': 0,
    'admin.port': 0,
    'query.workers': 1,
    'trust.nuts': { internalUrl: node.url, apiToken: API_TOKEN, did: 'did:nuts:placeholder', beheerDids: [beheer], timeoutMs: 2000 },
  });
  for (const id of ['a', 'b', 'c'] as const) {
    const { entry } = await addTenant(base, id, { actor: 'test' });
    if (id === 'c') {
      did.c = entry.did; // a builtin tenant beside them
      continue;
    }
    did[id] = await node.createDid(`zorg-${id}`);
    writeFileSync(join(base.dataDir, 'tenants', id, 'tenant.yaml'), stringify({ trust: { mode: 'nuts', nuts: { did: did[id] } }, exchange: { defaultRelease: 'auto' } }));
  }
  await runImport(tenantConfig(base, 'a'), { inputs: [EXAMPLE_DIR] });
  d = await startDeployment(base, { profileRoots: (cfg) => [join(packageRoot(), 'profiles'), join(cfg.dataDir, 'profiles')], pollSeconds: 0 });
  ({ base: url } = await d.listen());
  sparql = Buffer.from(ProfileRegistry.load([join(packageRoot(), 'profiles')]).indicator('demo', 'staff-pro-rata').text).toString('base64');
}, 120_000);

afterAll(async () => {
  await d?.close();
  await node?.close();
});

describe('tenants with their own Nuts identity on one node', () => {
  it('routes by the node DID and answers with one introspection for guard and authorisation', async () => {
    expect(d.tenants.get('a')!.did).toBe(did.a);
    expect(d.failed.size).toBe(0);
    for (const path of ['/api/verifiedsparql', '/tenants/a/api/verifiedsparql']) {
      const calls = node.calls.length;
      expect(await send(path, await token(did.a), await question(did.a)), path).toEqual({ status: 200, code: undefined });
      expect(node.calls.slice(calls), path).toEqual(['POST /internal/auth/v1/request-access-token', 'POST /internal/auth/v1/accesstoken/introspect', 'POST /internal/vcr/v2/verifier/vp']);
    }
  });

  it("refuses A's token at B, on B's path and unprefixed, with tenant_mismatch in B's chain", async () => {
    const tokenA = await token(did.a);
    for (const path of ['/tenants/b/api/verifiedsparql', '/api/verifiedsparql']) {
      const before = (await entries('b')).length;
      expect(await send(path, tokenA, await question(did.b)), path).toEqual({ status: 403, code: 'tenant_mismatch' });
      const logged = (await entries('b')).slice(before);
      expect(logged, path).toEqual([expect.objectContaining({ actor: 'unknown', activity: 'request-refused', code: 'tenant_mismatch', mismatch: 'token' })]);
      expect(JSON.stringify(logged)).not.toContain(tokenA);
    }
    // a builtin tenant knows the token is A's (A's node says so)
    expect(await send('/tenants/c/api/verifiedsparql', tokenA, await question(did.c))).toEqual({ status: 403, code: 'tenant_mismatch' });
    // B's own token at B passes the guard (B has no dataset: whatever B says, it is not a mismatch)
    expect((await send('/tenants/b/api/verifiedsparql', await token(did.b), await question(did.b))).code).not.toBe('tenant_mismatch');
    // a token for no tenant here is the addressed tenant's own refusal
    expect(await send('/tenants/b/api/verifiedsparql', await token(afnemer), await question(did.b))).toEqual({ status: 403, code: 'e.p.token_audience_mismatch' });
  });

  it('does not start a second tenant with the same node DID', async () => {
    const { entry } = await addTenant(base, 'twin', { actor: 'test' });
    writeFileSync(join(base.dataDir, 'tenants', 'twin', 'tenant.yaml'), stringify({ trust: { mode: 'nuts', nuts: { did: did.a } } }));
    await d.sync();
    expect(d.failed.get('twin')).toContain('of tenant a');
    expect(d.tenants.get('a')!.did).toBe(did.a);
    expect(entry.did).toMatch(/^did:web:/);
  });
});
