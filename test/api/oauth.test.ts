// The token endpoint and discovery documents over real HTTP, and the token checks the query API
// reuses (rule 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/index.js';
import { loadIdentity, SCOPE } from '../../src/trust/index.js';
import { CLAIMS, codeOf, makeWorld, type World } from '../trust/world.js';

let w: World;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  w = await makeWorld();
  app = await buildServer({ config: w.config, identity: loadIdentity(w.config)!, trust: w.trust });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => app.close());

async function presentation(audience = w.did): Promise<string> {
  const vc = await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS);
  return w.parties.present(w.requester, audience, [vc]);
}

async function tokenRequest(form: Record<string, string>) {
  const response = await fetch(`${base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

describe('discovery', () => {
  it('serves the DID document of this datastation', async () => {
    const response = await fetch(`${base}/.well-known/did.json`);
    expect(response.headers.get('content-type')).toContain('application/did+json');
    const doc = (await response.json()) as { id: string; assertionMethod: string[]; verificationMethod: { publicKeyJwk: Record<string, string> }[] };
    expect(doc.id).toBe(w.did);
    expect(doc.assertionMethod).toEqual([`${w.did}#key-1`]);
    expect(doc.verificationMethod[0]!.publicKeyJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(JSON.stringify(doc)).not.toMatch(/"d"\s*:/);
  });
  it('serves authorization-server metadata', async () => {
    const meta = (await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(meta.token_endpoint).toBe(`${w.config.server.publicUrl}/oauth2/token`);
    expect(meta.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(meta.scopes_supported).toEqual([SCOPE]);
  });
});

describe('POST /oauth2/token', () => {
  it.each([['urn:ietf:params:oauth:grant-type:jwt-bearer'], ['vp_token-bearer']])('issues a token bound to the presenter for %s', async (grant) => {
    const { status, body, headers } = await tokenRequest({ grant_type: grant, assertion: await presentation(), scope: SCOPE });
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', scope: SCOPE, expires_in: w.config.trust.accessTokenSeconds });
    expect(w.trust.tokens.check(`Bearer ${String(body.access_token)}`, SCOPE, w.requester).subject).toBe(w.requester);
  });
  it('refuses an unknown grant type', async () => {
    const { status, body } = await tokenRequest({ grant_type: 'client_credentials', scope: SCOPE });
    expect([status, body.error]).toEqual([400, 'unsupported_grant_type']);
  });
  it('refuses another scope', async () => {
    const { status, body } = await tokenRequest({ grant_type: 'vp_token-bearer', assertion: await presentation(), scope: 'openid' });
    expect([status, body.error]).toEqual([400, 'invalid_scope']);
  });
  it('refuses a presentation for another audience, saying why', async () => {
    const { status, body } = await tokenRequest({ grant_type: 'vp_token-bearer', assertion: await presentation('did:web:other.example'), scope: SCOPE });
    expect([status, body.error, body.error_code]).toEqual([400, 'invalid_grant', 'wrong_audience']);
  });
  it('refuses a replayed presentation', async () => {
    const vp = await presentation();
    expect((await tokenRequest({ grant_type: 'vp_token-bearer', assertion: vp, scope: SCOPE })).status).toBe(200);
    const again = await tokenRequest({ grant_type: 'vp_token-bearer', assertion: vp, scope: SCOPE });
    expect([again.status, again.body.error_code]).toEqual([400, 'replayed_presentation']);
  });
  it('accepts JSON bodies too, and refuses a missing assertion', async () => {
    const response = await fetch(`${base}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'vp_token-bearer', scope: SCOPE }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('access-token checks (rule 2)', () => {
  it('rejects missing, malformed and unknown tokens', async () => {
    expect(await codeOf(Promise.resolve().then(() => w.trust.tokens.check(undefined, SCOPE, w.requester)))).toBe('invalid_token');
    expect(await codeOf(Promise.resolve().then(() => w.trust.tokens.check('Basic abc', SCOPE, w.requester)))).toBe('invalid_token');
    expect(await codeOf(Promise.resolve().then(() => w.trust.tokens.check(`Bearer ${'A'.repeat(43)}`, SCOPE, w.requester)))).toBe('invalid_token');
  });
  it('rejects an expired token', async () => {
    const t = w.trust.tokens.issue(w.requester);
    w.clock.now += w.config.trust.accessTokenSeconds;
    try {
      expect(await codeOf(Promise.resolve().then(() => w.trust.tokens.check(`Bearer ${t.token}`, SCOPE, w.requester)))).toBe('invalid_token');
    } finally {
      w.clock.now -= w.config.trust.accessTokenSeconds;
    }
  });
  it('rejects a token of another scope and a token used by someone else', async () => {
    const other = w.trust.tokens.issue(w.requester, 'openid');
    expect(await codeOf(Promise.resolve().then(() => w.trust.tokens.check(`Bearer ${other.token}`, SCOPE, w.requester)))).toBe('insufficient_scope');
    const mine = w.trust.tokens.issue(w.requester);
    expect(await codeOf(Promise.resolve().then(() => w.trust.tokens.check(`Bearer ${mine.token}`, SCOPE, w.jwkRequester)))).toBe('token_subject_mismatch');
  });
});
