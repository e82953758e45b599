// checkBeyondNode rule by rule, with a fake node verdict: what the node does not check is refused
// by us with its own code, cheap checks before the node is asked, and only an accepted
// presentation uses up its challenge.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { checkBeyondNode, ReplayCache, type Introspection } from '../../src/trust/index.js';
import { codeOf } from '../trust/world.js';

const config = (version: 'v5' | 'v6' = 'v5') =>
  loadConfig({ env: {}, overrides: { 'trust.mode': 'nuts', 'trust.nuts': { version, internalUrl: 'http://127.0.0.1:1', did: 'did:nuts:us', beheerDids: ['did:nuts:beheer'] } } }).trust;
const now = Math.floor(Date.now() / 1000);
const iso = (s: number) => new Date(s * 1000).toISOString();
const vc = (overrides: Record<string, unknown> = {}) => ({
  type: ['VerifiableCredential', 'ValidatedQueryCredential'],
  issuer: 'did:nuts:beheer',
  credentialSubject: { id: 'did:nuts:them', validatedQuery: { profile: 'demo@1.0.0', ontology: ['onz@3.0.0'], sparql: Buffer.from('SELECT * {}').toString('base64') } },
  ...overrides,
});
const vp = (proof: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  type: ['VerifiablePresentation'],
  holder: 'did:nuts:them',
  verifiableCredential: [vc()],
  proof: { type: 'JsonWebSignature2020', verificationMethod: 'did:nuts:them#k', created: iso(now - 1), expires: iso(now + 60), challenge: `c-${Math.random()}`, domain: 'did:nuts:us', jws: 'x..y', ...proof },
  ...extra,
});
const v5token: Introspection = { active: true, service: 'didcomm-service-kikv', iss: 'did:nuts:us', sub: 'did:nuts:them', exp: now + 60 };

function run(o: { version?: 'v5' | 'v6'; token?: Introspection; presentation?: unknown; jti?: string; valid?: boolean; replay?: ReplayCache; asked?: { n: number } } = {}) {
  const t = config(o.version);
  return checkBeyondNode({
    nuts: t.nuts!,
    layouts: t.credentialTypes,
    maxCredentials: t.maxCredentials,
    clockSkewSeconds: t.clockSkewSeconds,
    replay: o.replay ?? new ReplayCache(),
    now,
    introspection: o.token ?? v5token,
    message: { jti: o.jti ?? `m-${Math.random()}`, from: 'did:nuts:them', to: ['did:nuts:us'], presentation: 'presentation' in o ? o.presentation : vp() },
    verify: async () => {
      if (o.asked) o.asked.n++;
      return { validity: o.valid ?? true };
    },
  });
}

describe('checkBeyondNode', () => {
  it('accepts a bound token and a well-formed presentation, and returns the question credentials', async () => {
    const result = await run();
    expect(result.presenter).toBe('did:nuts:them');
    expect(result.credentials[0]).toMatchObject({ issuer: 'did:nuts:beheer', subject: 'did:nuts:them', query: 'SELECT * {}' });
  });
  it('v5 token binding: active, service (configured alternatives too), iss = addressee, sub = sender', async () => {
    expect(await codeOf(run({ token: { active: false } }))).toBe('invalid_token');
    expect(await codeOf(run({ token: { ...v5token, exp: now - 3600 } }))).toBe('invalid_token');
    expect(await codeOf(run({ token: { ...v5token, service: 'other' } }))).toBe('token_wrong_service');
    expect(await codeOf(run({ token: { ...v5token, service: 'validated-query-service' } }))).toBe('accepted');
    expect(await codeOf(run({ token: { ...v5token, iss: 'did:nuts:someone-else' } }))).toBe('token_audience_mismatch');
    expect(await codeOf(run({ token: { ...v5token, sub: 'did:nuts:someone-else' } }))).toBe('token_subject_mismatch');
  });
  it('v6: scope, the requester from the configured introspection claim, DPoP-bound tokens refused', async () => {
    const v6: Introspection = { active: true, iss: 'https://node/oauth2/us', scope: 'kikv-validated-query', organization_did: 'did:nuts:them' };
    expect(await codeOf(run({ version: 'v6', token: v6 }))).toBe('accepted');
    expect(await codeOf(run({ version: 'v6', token: { ...v6, scope: 'other' } }))).toBe('token_wrong_service');
    expect(await codeOf(run({ version: 'v6', token: { ...v6, organization_did: undefined } }))).toBe('token_subject_mismatch');
    expect(await codeOf(run({ version: 'v6', token: { ...v6, cnf: { jkt: 'x' } } }))).toBe('invalid_token');
  });
  it('the presentation: present, the sender’s, short-lived, for us, not from the future, with a challenge', async () => {
    const asked = { n: 0 };
    expect(await codeOf(run({ presentation: undefined, asked }))).toBe('presentation_required');
    expect(await codeOf(run({ presentation: 'eyJ.a.b', asked }))).toBe('invalid_presentation');
    expect(await codeOf(run({ presentation: vp({ verificationMethod: 'did:nuts:other#k' }), asked }))).toBe('presenter_mismatch');
    expect(await codeOf(run({ presentation: vp({}, { holder: 'did:nuts:other' }), asked }))).toBe('presenter_mismatch');
    expect(await codeOf(run({ presentation: vp({ expires: undefined }), asked }))).toBe('proof_expires_required');
    expect(await codeOf(run({ presentation: vp({ expires: iso(now - 3600) }), asked }))).toBe('jwt_expired');
    expect(await codeOf(run({ presentation: vp({ expires: iso(now + 3600) }), asked }))).toBe('presentation_lifetime_too_long');
    expect(await codeOf(run({ presentation: vp({ created: iso(now + 600), expires: iso(now + 700) }), asked }))).toBe('presentation_from_future');
    expect(await codeOf(run({ presentation: vp({ domain: 'did:nuts:other' }), asked }))).toBe('wrong_audience');
    expect(await codeOf(run({ presentation: vp({ challenge: undefined }), asked }))).toBe('challenge_required');
    expect(await codeOf(run({ presentation: vp({}, { verifiableCredential: [vc({ issuer: 'did:nuts:rogue' })] }), asked }))).toBe('issuer_not_trusted');
    expect(await codeOf(run({ presentation: vp({}, { verifiableCredential: [vc({ credentialSubject: { ...vc().credentialSubject, id: 'did:nuts:other' } })] }), asked }))).toBe('subject_mismatch');
    expect(await codeOf(run({ presentation: vp({}, { verifiableCredential: [vc({ type: ['VerifiableCredential', 'ValidQueryCredential'] })] }), asked }))).toBe('unsupported_credential_type');
    // none of these reached the node
    expect(asked.n).toBe(0);
  });
  it('message ids and challenges are used once; a presentation the node refused does not use up its challenge', async () => {
    const replay = new ReplayCache();
    expect(await codeOf(run({ replay, jti: 'm1' }))).toBe('accepted');
    expect(await codeOf(run({ replay, jti: 'm1' }))).toBe('replayed_message');
    const presentation = vp({ challenge: 'fixed' });
    expect(await codeOf(run({ replay, presentation, valid: false }))).toBe('presentation_rejected_by_node');
    expect(await codeOf(run({ replay, presentation }))).toBe('accepted');
    expect(await codeOf(run({ replay, presentation }))).toBe('replayed_challenge');
  });
});
