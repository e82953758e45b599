// A tenant's own Nuts identity: tenant.yaml's trust.nuts over the deployment's (key by key, then
// checked whole), and the guard's question "whose organisation is this token for?" in Nuts v6,
// answered by a STAND-IN node (test/nuts/stand-in-node.ts): the subject of the token's
// authorization server URL.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { addTenant, listTenants, routingDid, tenantConfig } from '../../src/tenants/index.js';
import { mismatch } from '../../src/tenants/guard.js';
import { createTrust } from '../../src/trust/index.js';
import { tempDir, testConfig } from '../helpers.js';
import { StandInNode } from '../nuts/stand-in-node.js';

let node: StandInNode;
let base: Config;

beforeAll(async () => {
  node = await new StandInNode().start();
  base = testConfig(join(tempDir('ds-tenants-nuts-unit-'), 'deployment'), {
    'trust.nuts': { version: 'v6', internalUrl: node.url, did: 'did:web:placeholder.example', beheerDids: ['did:web:beheer.example'] },
  });
  for (const id of ['a', 'b', 'c']) {
    await addTenant(base, id, { actor: 'test' });
    if (id !== 'c') writeFileSync(join(base.dataDir, 'tenants', id, 'tenant.yaml'), stringify({ trust: { mode: 'nuts', nuts: { did: `did:web:zorg-${id}.example`, subjectId: `zorg-${id}` } } }));
  }
}, 60_000);

afterAll(async () => node?.close());

describe("a tenant's Nuts identity", () => {
  it("is its own DID and subject over the deployment's node settings", () => {
    const a = tenantConfig(base, 'a');
    expect(a.trust.mode).toBe('nuts');
    expect(a.trust.nuts).toMatchObject({ version: 'v6', internalUrl: node.url, did: 'did:web:zorg-a.example', subjectId: 'zorg-a', beheerDids: ['did:web:beheer.example'] });
    expect(routingDid(a, { id: 'a', did: 'did:web:x', addedAt: '' })).toBe('did:web:zorg-a.example');
    // the builtin tenant keeps its did:web
    expect(tenantConfig(base, 'c').trust.mode).toBe('builtin');
    expect(routingDid(tenantConfig(base, 'c'), { id: 'c', did: 'did:web:x', addedAt: '' })).toBe('did:web:x');
  });

  it('is refused when it is not a whole, valid Nuts section, or sets other trust settings', () => {
    const file = join(base.dataDir, 'tenants', 'c', 'tenant.yaml');
    writeFileSync(file, stringify({ trust: { mode: 'nuts', nuts: { did: 'not a did' } } }));
    expect(() => tenantConfig(base, 'c')).toThrow(/invalid trust\.nuts .*did/);
    writeFileSync(file, stringify({ trust: { trustList: '/etc/other.yaml' } }));
    expect(() => tenantConfig(base, 'c')).toThrow(/unknown key/);
    writeFileSync(file, '{}\n');
  });

  it('is given by tenants add: checked whole, and never another tenant\'s DID', async () => {
    await addTenant(base, 'd', { actor: 'test', nuts: { did: 'did:web:zorg-d.example', subjectId: 'zorg-d' } });
    expect(tenantConfig(base, 'd').trust).toMatchObject({ mode: 'nuts', nuts: { did: 'did:web:zorg-d.example', subjectId: 'zorg-d', internalUrl: node.url } });
    expect(listTenants(base).map((t) => [t.id, t.nutsDid])).toEqual([['a', 'did:web:zorg-a.example'], ['b', 'did:web:zorg-b.example'], ['c', undefined], ['d', 'did:web:zorg-d.example']]);
    await expect(addTenant(base, 'e', { actor: 'test', nuts: { did: 'did:web:zorg-a.example' } })).rejects.toMatchObject({ code: 'tenant_exists' });
    // a deployment without the node's settings: a DID alone is not a Nuts identity
    const bare = testConfig(join(tempDir('ds-tenants-nuts-bare-'), 'deployment'));
    await expect(addTenant(bare, 'x', { actor: 'test', nuts: { did: 'did:nuts:x' } })).rejects.toMatchObject({ code: 'bad_tenant', message: expect.stringMatching(/internalUrl/) as unknown });
    expect(existsSync(join(bare.dataDir, 'tenants', 'x'))).toBe(false);
  });

  it("v6: a token granted for A's subject, sent to B, is another tenant's; B's own is not", async () => {
    const trust = Object.fromEntries(['a', 'b', 'c'].map((id) => [id, createTrust(tenantConfig(base, id))]));
    const tokenFor = async (subject: string) => {
      const response = await fetch(`${node.url}/internal/auth/v2/requester/request-service-access-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ authorization_server: `https://nuts.example/oauth2/${subject}`, scope: 'kikv-validated-query' }),
      });
      return `Bearer ${((await response.json()) as { access_token: string }).access_token}`;
    };
    const request = (authorization: string) => ({ routeOptions: { url: '/api/verifiedsparql' }, headers: { authorization }, body: { id: 'm', to: ['did:web:zorg-b.example'] } }) as unknown as FastifyRequest;
    const atB = { id: 'b', did: 'did:web:zorg-b.example', dataDir: '', trust: trust.b!, others: () => [trust.a!, trust.c!] };
    expect(await mismatch(atB, request(await tokenFor('zorg-a')))).toBe('token');
    expect(await mismatch(atB, request(await tokenFor('zorg-b')))).toBeUndefined();
    expect(await mismatch(atB, request(await tokenFor('somebody-else')))).toBeUndefined();
    expect(await mismatch(atB, request('Bearer not-a-token'))).toBeUndefined();
    // at the builtin tenant C, A's token is A's as well
    const atC = { id: 'c', did: trust.c!.did, dataDir: '', trust: trust.c!, others: () => [trust.a!, trust.b!] };
    expect(await mismatch(atC, { ...request(await tokenFor('zorg-a')), body: { id: 'm', to: [trust.c!.did] } })).toBe('token');
    // one introspection per node and request, however many tenants share it
    const calls = node.calls.length;
    await mismatch(atB, request(await tokenFor('zorg-a')));
    expect(node.calls.slice(calls).filter((c) => c.includes('introspect'))).toHaveLength(1);
  });
});
