// Verification of one compact JWT (a VP, a VC or a status-list credential) with jose, cheap checks
// first: size, decoding, algorithm allow-list, required claims and times, audience; then the key
// from the issuer's DID document and the signature.
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { TrustError } from './errors.js';
import type { KeyResolver } from './keys.js';

export interface JwtPolicy {
  algorithms: readonly string[];
  clockSkewSeconds: number;
  maxJwtBytes: number;
}

export interface VerifiedJwt {
  header: { alg: string; kid: string };
  payload: JWTPayload & { iss: string; nbf: number; exp: number };
}

/** Never accepted, whatever the configuration says: unsigned, symmetric, and the non-standard alias. */
const FORBIDDEN = /^(none|HS\d+|Ed25519)$/i;

/** Signature lengths (base64url characters) of the fixed-size algorithms: checked before any key lookup. */
const SIGNATURE_CHARS: Record<string, number> = { EdDSA: 86, ES256: 86, ES384: 128 };

export async function verifyJwt(
  token: unknown,
  keys: KeyResolver,
  policy: JwtPolicy,
  expect: { audience?: string; now: number; maxLifetimeSeconds?: number },
): Promise<VerifiedJwt> {
  if (typeof token !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) throw new TrustError('malformed_jwt', 'not a compact JWS');
  if (token.length > policy.maxJwtBytes) throw new TrustError('jwt_too_large', `${token.length} bytes`);
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    throw new TrustError('malformed_jwt');
  }
  const alg = header.alg ?? '';
  if (FORBIDDEN.test(alg) || !policy.algorithms.includes(alg)) throw new TrustError('unsupported_alg', `alg ${alg || '(missing)'}`);
  if (typeof payload.iss !== 'string' || !payload.iss.startsWith('did:')) throw new TrustError('presenter_mismatch', 'iss is missing or not a DID');
  if (typeof payload.nbf !== 'number' || typeof payload.exp !== 'number') throw new TrustError('missing_time_claims');
  const skew = policy.clockSkewSeconds;
  if (payload.exp <= expect.now - skew) throw new TrustError('jwt_expired');
  if (payload.nbf > expect.now + skew) throw new TrustError('jwt_not_yet_valid');
  // A long-lived presentation is a long replay window (and a long entry in the replay store).
  if (expect.maxLifetimeSeconds !== undefined && payload.exp > expect.now + expect.maxLifetimeSeconds + skew) {
    throw new TrustError('lifetime_too_long', `at most ${expect.maxLifetimeSeconds} s`);
  }
  if (expect.audience !== undefined) {
    const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!aud.includes(expect.audience)) throw new TrustError('wrong_audience');
  }
  const signature = token.slice(token.lastIndexOf('.') + 1);
  if (signature === '' || (SIGNATURE_CHARS[alg] !== undefined && signature.length !== SIGNATURE_CHARS[alg])) throw new TrustError('invalid_signature', 'the signature has the wrong size');
  const key = await keys.key(payload.iss, header.kid, alg);
  try {
    await jwtVerify(token, key, { algorithms: [alg], currentDate: new Date(expect.now * 1000), clockTolerance: skew });
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new TrustError('invalid_signature');
    throw new TrustError('invalid_signature');
  }
  keys.confirm(header.kid!, alg);
  return { header: { alg, kid: header.kid! }, payload: payload as VerifiedJwt['payload'] };
}
