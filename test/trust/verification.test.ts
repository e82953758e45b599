// One test per rule of the verification table (docs/protocol.md), each with real Ed25519-signed
// tokens crafted to break exactly that rule, and the happy paths over did:key, did:jwk, did:web.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTrust, didDocumentFileName } from '../../src/trust/index.js';
import { CLAIMS, QUERY, codeOf, makeWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await makeWorld();
});

async function goodVc(overrides = {}, vc = {}) {
  return w.sign(w.beheer, w.vcPayload(overrides, vc));
}
async function goodVp(credentials: string[], overrides = {}, header = {}) {
  return w.sign(w.requester, w.vpPayload(credentials, overrides), header);
}

describe('happy paths', () => {
  it('accepts a Veramo-issued credential presented by a did:key requester', async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS);
    const vp = await w.parties.present(w.requester, w.did, [vc]);
    const verified = await w.trust.verifier.verify(vp, w.requester);
    expect(verified.presenter).toBe(w.requester);
    expect(verified.credentials).toEqual([
      expect.objectContaining({
        type: 'ValidQueryCredential',
        issuer: w.beheer,
        subject: w.requester,
        profile: { id: 'demo', version: '1.0.0' },
        ontology: [{ id: 'onz', version: '3.0.0' }],
        query: QUERY,
      }),
    ]);
  });

  it.each([
    ['did:jwk', () => w.jwkRequester],
    ['did:web', () => w.webRequester],
  ])('accepts a %s requester', async (_method, who) => {
    const vc = await w.parties.issueQuestion(w.beheer, who(), CLAIMS);
    const vp = await w.parties.present(who(), w.did, [vc]);
    expect((await w.trust.verifier.verify(vp, who())).presenter).toBe(who());
  });

  it("normalises the pilot's ValidatedQueryCredential (URL-encoded SPARQL) to the same question", async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, { ...CLAIMS, profile: { id: 'demo', version: '1.0.0' } }, { type: 'ValidatedQueryCredential' });
    const payload = JSON.parse(Buffer.from(vc.split('.')[1]!, 'base64url').toString()) as { vc: { credentialSubject: { validatedQuery: { sparql: string } } } };
    expect(payload.vc.credentialSubject.validatedQuery.sparql).toContain('%20');
    const [q] = (await w.trust.verifier.verify(await w.parties.present(w.requester, w.did, [vc]), w.requester)).credentials;
    expect(q).toMatchObject({ type: 'ValidatedQueryCredential', query: QUERY, profile: { id: 'demo', version: '1.0.0' } });
  });

  it('accepts times inside the configured clock skew', async () => {
    const vp = await goodVp([await goodVc()], { exp: w.clock.now - 10, nbf: w.clock.now + 10 });
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('accepted');
  });

  it('accepts several credentials and returns each question', async () => {
    const vcs = [await goodVc(), await goodVc()];
    expect((await w.trust.verifier.verify(await goodVp(vcs), w.requester)).credentials).toHaveLength(2);
  });
});

describe('rule 1: limits', () => {
  it('rejects an oversized JWT before decoding it', async () => {
    const small = createTrust({ ...w.config, trust: { ...w.config.trust, maxJwtBytes: 2048 } }, () => w.clock.now);
    const vp = await goodVp([await goodVc()], { padding: 'x'.repeat(3000) });
    expect(await codeOf(small.verifier.verify(vp, w.requester))).toBe('jwt_too_large');
  });
  it('rejects more credentials than allowed', async () => {
    const vc = await goodVc();
    const vp = await goodVp(Array.from({ length: w.config.trust.maxCredentials + 1 }, () => vc));
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('too_many_credentials');
  });
});

describe('rule 5: algorithm', () => {
  it('rejects alg none', async () => {
    const vp = new UnsecuredJWT(w.vpPayload([await goodVc()])).encode();
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('unsupported_alg');
  });
  it('rejects HS256 (a MAC keyed with anything, e.g. the public key)', async () => {
    const vp = await new SignJWT(w.vpPayload([await goodVc()])).setProtectedHeader({ alg: 'HS256', kid: await w.parties.kid(w.requester) }).sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('unsupported_alg');
  });
  it('rejects the non-standard alias alg "Ed25519" even with a valid Ed25519 signature', async () => {
    const vp = await goodVp([await goodVc()], {}, { alg: 'Ed25519' });
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('unsupported_alg');
  });
  it('rejects alias alg on an embedded credential too', async () => {
    const vc = await w.sign(w.beheer, w.vcPayload(), { alg: 'Ed25519' });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('unsupported_alg');
  });
});

describe('rule 6: kid', () => {
  it('rejects a missing kid', async () => {
    const vp = await goodVp([await goodVc()], {}, { kid: undefined });
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('invalid_kid');
  });
  it("rejects a kid of another DID (even the signer's own)", async () => {
    const vp = await goodVp([await goodVc()], {}, { kid: await w.parties.kid(w.jwkRequester) });
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('invalid_kid');
  });
  it('rejects a key that is not an assertion method', async () => {
    const authOnly = (await w.parties.create('web', 'authonly.example')).did;
    const file = join(w.parties.documentsDir, didDocumentFileName(authOnly));
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...doc, assertionMethod: [] }));
    const vc = await goodVc({ sub: authOnly });
    const vp = await w.sign(authOnly, w.vpPayload([vc], { iss: authOnly }), { kid: `${authOnly}#key-1` });
    expect(await codeOf(w.trust.verifier.verify(vp, authOnly))).toBe('invalid_kid');
  });
});

describe('rule 7: DID resolution', () => {
  it('fails closed for a did:web without a kept document (online resolution off)', async () => {
    const vp = await goodVp([await goodVc()], { iss: 'did:web:unknown.example' }, { kid: 'did:web:unknown.example#key-1' });
    expect(await codeOf(w.trust.verifier.verify(vp, 'did:web:unknown.example'))).toBe('did_unresolvable');
  });
});

describe('rule 8: signatures, of the VP and of each VC', () => {
  it('rejects a VP signed by another key under the requester kid', async () => {
    const vp = await w.sign(w.jwkRequester, w.vpPayload([await goodVc()]), { kid: await w.parties.kid(w.requester) });
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('invalid_signature');
  });
  it('rejects a VP whose embedded VC was tampered with (query swapped, signature kept)', async () => {
    const [h, p, s] = (await goodVc()).split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { vc: { credentialSubject: { query: string } } };
    payload.vc.credentialSubject.query = 'SELECT * WHERE { ?s ?p ?o }';
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect(await codeOf(w.trust.verifier.verify(await goodVp([tampered]), w.requester))).toBe('invalid_signature');
  });
  it('rejects a VC forged by a rogue party under the beheerorganisatie kid', async () => {
    const vc = await w.sign(w.rogue, w.vcPayload(), { kid: await w.parties.kid(w.beheer) });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('invalid_signature');
  });
});

describe('rule 9: presenter and audience', () => {
  it('rejects a VP whose iss is not the envelope sender', async () => {
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()]), w.jwkRequester))).toBe('presenter_mismatch');
  });
  it('rejects a VP without iss', async () => {
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()], { iss: undefined }), w.requester))).toBe('presenter_mismatch');
  });
  it('rejects a VP for another datastation', async () => {
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()], { aud: 'did:web:other.example' }), w.requester))).toBe('wrong_audience');
  });
  it('rejects a VP without aud', async () => {
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()], { aud: undefined }), w.requester))).toBe('wrong_audience');
  });
});

describe('rule 10: nbf / exp on the presentation', () => {
  it.each([['nbf'], ['exp']])('rejects a VP without %s', async (claim) => {
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()], { [claim]: undefined }), w.requester))).toBe('missing_time_claims');
  });
  it('rejects a VC without exp', async () => {
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc({ exp: undefined })]), w.requester))).toBe('missing_time_claims');
  });
  it('rejects an expired VP (beyond the skew)', async () => {
    const skew = w.config.trust.clockSkewSeconds;
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()], { exp: w.clock.now - skew - 1 }), w.requester))).toBe('jwt_expired');
  });
  it('rejects a VP not yet valid (beyond the skew)', async () => {
    const skew = w.config.trust.clockSkewSeconds;
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()], { nbf: w.clock.now + skew + 1 }), w.requester))).toBe('jwt_not_yet_valid');
  });
});

describe('rule 11: replay', () => {
  it('accepts a VP once and refuses it the second time', async () => {
    const vp = await goodVp([await goodVc()]);
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('accepted');
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('replayed_presentation');
  });
  it('does not burn the jti of a rejected presentation', async () => {
    const jti = 'urn:uuid:replay-after-failure';
    const forged = await w.sign(w.jwkRequester, w.vpPayload([await goodVc()], { jti }), { kid: await w.parties.kid(w.requester) });
    expect(await codeOf(w.trust.verifier.verify(forged, w.requester))).toBe('invalid_signature');
    expect(await codeOf(w.trust.verifier.verify(await goodVp([await goodVc()], { jti }), w.requester))).toBe('accepted');
  });
});

describe('rules 12–15: the question credential', () => {
  it('rejects a credential from an issuer not on the trust list', async () => {
    const vc = await w.sign(w.rogue, w.vcPayload({ iss: w.rogue }));
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('issuer_not_trusted');
  });
  it('rejects a trusted issuer for a type it is not trusted for', async () => {
    const trust = createTrust({ ...w.config, trust: { ...w.config.trust, credentialTypes: [...w.config.trust.credentialTypes, { type: 'OtherQueryCredential', profile: 'credentialSubject.profile', ontology: 'credentialSubject.ontology', query: 'credentialSubject.query', queryUrlEncoded: false }] } }, () => w.clock.now);
    const vc = await goodVc({}, { type: ['VerifiableCredential', 'OtherQueryCredential'] });
    expect(await codeOf(trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('issuer_not_trusted');
  });
  it('rejects a credential of another type', async () => {
    const vc = await goodVc({}, { type: ['VerifiableCredential', 'NutsOrganizationCredential'] });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('unsupported_credential_type');
  });
  it('rejects a credential issued to someone else', async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.jwkRequester, CLAIMS);
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('subject_mismatch');
  });
  it('rejects a credential whose credentialSubject.id names someone else', async () => {
    const vc = await goodVc({}, { credentialSubject: { ...CLAIMS, id: w.jwkRequester } });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('subject_mismatch');
  });
  it('rejects an expired credential inside a valid presentation', async () => {
    const vc = await goodVc({ nbf: w.clock.now - 7200, exp: w.clock.now - 3600 });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('credential_expired');
  });
  it('rejects a credential not yet valid', async () => {
    const vc = await goodVc({ nbf: w.clock.now + 3600 });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('credential_not_yet_valid');
  });
  it('rejects a credential given as JSON instead of a JWT', async () => {
    const vp = await w.sign(w.requester, w.vpPayload([w.vcPayload() as unknown as string]));
    expect(await codeOf(w.trust.verifier.verify(vp, w.requester))).toBe('invalid_presentation');
  });
});

describe('rule 16: revocation', () => {
  const url = 'https://beheer.kik-v.example/status/1';
  beforeAll(async () => {
    await w.parties.publishStatusList(w.beheer, url, [7, 42], w.config.trust.statusListDir!);
    await w.parties.publishStatusList(w.beheer, `${url}-2021`, [3], w.config.trust.statusListDir!, 'StatusList2021');
    await w.parties.publishStatusList(w.rogue, `${url}-rogue`, [], w.config.trust.statusListDir!);
  });
  const verifyWithStatus = async (status: { url: string; index: number; kind?: 'StatusList2021' | 'BitstringStatusList' }) => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS, { status });
    return codeOf(w.trust.verifier.verify(await w.parties.present(w.requester, w.did, [vc]), w.requester));
  };
  it('accepts a credential whose bit is clear (Bitstring Status List)', async () => {
    expect(await verifyWithStatus({ url, index: 8 })).toBe('accepted');
  });
  it('rejects a revoked credential (Bitstring Status List)', async () => {
    expect(await verifyWithStatus({ url, index: 42 })).toBe('credential_revoked');
  });
  it('rejects a revoked credential (StatusList2021) and accepts its neighbour', async () => {
    expect(await verifyWithStatus({ url: `${url}-2021`, index: 3, kind: 'StatusList2021' })).toBe('credential_revoked');
    expect(await verifyWithStatus({ url: `${url}-2021`, index: 4, kind: 'StatusList2021' })).toBe('accepted');
  });
  it('fails closed when the list cannot be obtained', async () => {
    expect(await verifyWithStatus({ url: 'https://beheer.kik-v.example/status/missing', index: 1 })).toBe('status_unverifiable');
  });
  it('fails closed when the list is signed by another issuer than the credential', async () => {
    expect(await verifyWithStatus({ url: `${url}-rogue`, index: 1 })).toBe('status_unverifiable');
  });
  it('fails closed for an index outside the list and for an unknown status type', async () => {
    expect(await verifyWithStatus({ url, index: 16384 * 8 })).toBe('status_unverifiable');
    const vc = await goodVc({}, { credentialStatus: { type: 'RevocationList2020Status', statusListIndex: '1', statusListCredential: url } });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('status_unverifiable');
  });
});

describe('rule 17: credential contents', () => {
  it.each([['profile'], ['ontology'], ['query']])('rejects a credential without %s', async (field) => {
    const subject: Record<string, unknown> = { ...CLAIMS };
    delete subject[field];
    const vc = await goodVc({}, { credentialSubject: subject });
    expect(await codeOf(w.trust.verifier.verify(await goodVp([vc]), w.requester))).toBe('incomplete_credential');
  });
});

describe('not a JWT at all', () => {
  it.each([['', 'empty'], ['abc', 'one segment'], ['a.b', 'two segments'], ['!!.??.##', 'not base64url']])('rejects %j (%s)', async (token) => {
    expect(await codeOf(w.trust.verifier.verify(token, w.requester))).toBe('malformed_jwt');
  });
});
