// Issue 14, high 1: forged presentations from fresh (padded) did:jwk identities must not grow
// memory. Cheap checks come before any DID resolution, only keys that verified a signature are
// cached, and every cache is an LRU with a maximum entry count. Counts are asserted, not RSS.
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { codeOf, makeWorld, type World } from './world.js';

const MAX = 50;
let w: World;
beforeAll(async () => {
  w = await makeWorld({ 'trust.cacheMaxEntries': MAX });
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A did:jwk of a random Ed25519 key, padded with an extra member so every DID is new and long. */
function paddedDid(pad: number, x = randomBytes(32).toString('base64url')): string {
  return `did:jwk:${b64({ kty: 'OKP', crv: 'Ed25519', use: 'sig', x, pad: 'p'.repeat(pad) })}`;
}

function forged(did: string, signature = randomBytes(64).toString('base64url')): string {
  const now = w.clock.now;
  const payload = { iss: did, aud: w.did, jti: randomUUID(), nbf: now - 5, exp: now + 60, vp: { type: ['VerifiablePresentation'], verifiableCredential: [] } };
  return `${b64({ alg: 'EdDSA', kid: `${did}#0` })}.${b64(payload)}.${signature}`;
}

describe('the DID/key cache under a flood of forged presentations', () => {
  it('keeps its entry count bounded over 3,000 unsigned presentations from fresh padded did:jwk values', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 3000; i++) codes.add(await codeOf(w.trust.verifier.verify(forged(paddedDid(400)))));
    expect(codes).toEqual(new Set(['invalid_signature']));
    // Nothing that failed its signature is cached beyond the small pending LRU.
    expect(w.trust.keys.cacheSize).toBeLessThanOrEqual(MAX);
  }, 30_000);

  it('refuses an empty or wrongly sized signature, and an over-long DID, before resolving anything', async () => {
    const before = w.trust.keys.cacheSize;
    expect(await codeOf(w.trust.verifier.verify(forged(paddedDid(10), '')))).toBe('invalid_signature');
    expect(await codeOf(w.trust.verifier.verify(forged(paddedDid(10), 'AAAA')))).toBe('invalid_signature');
    expect(await codeOf(w.trust.verifier.verify(forged(paddedDid(100_000))))).toBe('invalid_kid');
    expect(w.trust.keys.cacheSize).toBe(before);
  });

  it('evicts the least recently used keys when many genuinely signed presentations arrive', async () => {
    for (let i = 0; i < 4 * MAX; i++) {
      const { publicKey, privateKey } = await generateKeyPair('EdDSA');
      const did = `did:jwk:${b64({ ...(await exportJWK(publicKey)), use: 'sig' })}`;
      const now = w.clock.now;
      const vp = await new SignJWT({ aud: w.did, jti: randomUUID(), nbf: now - 5, exp: now + 60, vp: { type: ['VerifiablePresentation'], verifiableCredential: [] } })
        .setIssuer(did)
        .setProtectedHeader({ alg: 'EdDSA', kid: `${did}#0` })
        .sign(privateKey);
      // Signed, so its key is cached; it holds no credential, so it is refused after that.
      expect(await codeOf(w.trust.verifier.verify(vp))).toBe('invalid_presentation');
    }
    expect(w.trust.keys.cacheSize).toBeLessThanOrEqual(3 * MAX);
    expect(w.trust.keys.cacheSize).toBeGreaterThanOrEqual(MAX); // they were cached at all
  }, 30_000);

  it('bounds the access tokens too', () => {
    for (let i = 0; i < 3 * MAX; i++) w.trust.tokens.issue(w.requester);
    expect(w.trust.tokens.size).toBe(MAX);
  });
});
