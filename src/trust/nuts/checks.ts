// Everything the Nuts node does not check for us, in one function, cheapest first
// (nuts-interop.md §2.3 and §3.3): the token is active and bound to this message (v5: service,
// iss = addressee, sub = sender; v6: scope and the requester claim), the message id is fresh, the
// VP is the sender's own (presenter = holder = every credential subject = `from`), short-lived
// (proof.expires), for us (proof.domain), not from the future, its credentials question
// credentials from an allowed beheerorganisatie; only then the node verifies signatures
// and credentials, and only a presentation the node accepted uses up its challenge.
import type { CredentialLayout, QuestionCredential } from '../credentials.js';
import { layoutFor, questionFields } from '../credentials.js';
import { TrustError } from '../errors.js';
import type { ReplayStore } from '../replay.js';
import type { VerifiedPresentation } from '../verifier.js';
import type { NutsConfig } from './client.js';
import type { Introspection, VPVerificationResult } from './schemas.js';

export interface BeyondNodeInput {
  nuts: NutsConfig;
  layouts: readonly CredentialLayout[];
  maxCredentials: number;
  clockSkewSeconds: number;
  replay: ReplayStore;
  now: number;
  introspection: Introspection;
  message: { jti: string; from: string; to: string[]; exp?: number | undefined; presentation?: unknown };
  /** The node's presentation verification, called only when every cheap check passed. */
  verify: (vp: unknown) => Promise<VPVerificationResult>;
  /** Called once the token is known to be the sender's (for the audit trail). */
  onToken?: (requester: string) => void;
}

const didOf = (url: unknown) => (typeof url === 'string' ? url.split('#')[0]! : undefined);
const idOf = (v: unknown) => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined);
const seconds = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Math.floor(Date.parse(v) / 1000) : undefined);

export async function checkBeyondNode(input: BeyondNodeInput): Promise<VerifiedPresentation> {
  const { nuts, introspection: t, message, now, clockSkewSeconds: skew } = input;

  // 1. the token: active, not expired by our clock, for our service, bound to this message
  if (!t.active) throw new TrustError('invalid_token', 'the node reports the token inactive');
  if (t.exp !== undefined && t.exp <= now - skew) throw new TrustError('invalid_token', 'expired');
  let requester: unknown;
  if (nuts.version === 'v5') {
    if (!t.service || ![nuts.service, ...nuts.acceptServices].includes(t.service)) throw new TrustError('token_wrong_service');
    if (t.iss !== nuts.did || !message.to.includes(nuts.did)) throw new TrustError('token_audience_mismatch');
    requester = t.sub;
  } else {
    if (!(t.scope ?? '').split(' ').includes(nuts.scope)) throw new TrustError('token_wrong_service', `needs scope ${nuts.scope}`);
    if (!message.to.includes(nuts.did)) throw new TrustError('token_audience_mismatch');
    // A DPoP-bound token needs its proof validated at the node; not done yet, so refused (fail closed).
    if (t.cnf !== undefined) throw new TrustError('invalid_token', 'DPoP-bound tokens are not accepted yet');
    requester = t[nuts.requesterClaim];
  }
  if (typeof requester !== 'string' || requester !== message.from) throw new TrustError('token_subject_mismatch');
  input.onToken?.(requester);

  // 2. the message id, once per sender (expiry of the message, else a day)
  if (!input.replay.use(`msg ${message.from} ${message.jti}`, (message.exp ?? now + 86400) + skew, now)) throw new TrustError('replayed_message', message.jti);

  // 3. the presentation's own shape, before the node spends time on it
  const vp = message.presentation;
  if (vp === undefined) throw new TrustError('presentation_required');
  if (!vp || typeof vp !== 'object' || Array.isArray(vp)) throw new TrustError('invalid_presentation', 'a JSON-LD verifiable presentation is expected');
  const p = vp as Record<string, unknown>;
  if (![p.type].flat().includes('VerifiablePresentation')) throw new TrustError('invalid_presentation', 'type VerifiablePresentation is missing');
  const proof = p.proof;
  if (!proof || typeof proof !== 'object' || Array.isArray(proof)) throw new TrustError('invalid_presentation', 'exactly one proof is expected');
  const pr = proof as Record<string, unknown>;
  const presenter = didOf(pr.verificationMethod);
  if (!presenter || presenter !== message.from || (p.holder !== undefined && idOf(p.holder) !== message.from)) {
    throw new TrustError('presenter_mismatch', 'the proof, holder and sender must be the same party');
  }
  const created = seconds(pr.created);
  const expires = seconds(pr.expires);
  if (expires === undefined) throw new TrustError('proof_expires_required');
  if (expires <= now - skew) throw new TrustError('jwt_expired');
  if (created !== undefined && created > now + skew) throw new TrustError('presentation_from_future');
  if (expires - (created ?? now) > nuts.maxPresentationSeconds) throw new TrustError('presentation_lifetime_too_long', `at most ${nuts.maxPresentationSeconds} s`);
  if (pr.domain !== undefined && pr.domain !== nuts.did) throw new TrustError('wrong_audience');
  const challenge = typeof pr.challenge === 'string' && pr.challenge !== '' ? pr.challenge.slice(0, 512) : undefined;
  if (nuts.requireChallenge && !challenge) throw new TrustError('challenge_required');

  const embedded = p.verifiableCredential === undefined ? [] : [p.verifiableCredential].flat();
  if (embedded.length === 0) throw new TrustError('invalid_presentation', 'the presentation holds no credential');
  if (embedded.length > input.maxCredentials) throw new TrustError('too_many_credentials', `${embedded.length} > ${input.maxCredentials}`);
  const credentials: QuestionCredential[] = [];
  for (const vc of embedded) {
    if (!vc || typeof vc !== 'object') throw new TrustError('invalid_presentation', 'credentials must be JSON-LD objects');
    const c = vc as Record<string, unknown>;
    const layout = layoutFor(vc, input.layouts.filter((l) => l.type === nuts.credentialType));
    if (!layout) throw new TrustError('unsupported_credential_type', `only ${nuts.credentialType} is accepted`);
    const issuer = idOf(c.issuer);
    if (!issuer || !nuts.beheerDids.includes(issuer)) throw new TrustError('issuer_not_trusted', `for ${layout.type}`);
    const subject = idOf(c.credentialSubject);
    if (subject !== message.from) throw new TrustError('subject_mismatch', 'the credential was issued to another party than the sender');
    const validUntil = seconds(c.expirationDate);
    if (validUntil !== undefined && validUntil <= now - skew) throw new TrustError('credential_expired');
    const validFrom = seconds(c.issuanceDate);
    if (validFrom !== undefined && validFrom > now + skew) throw new TrustError('credential_not_yet_valid');
    credentials.push({
      ...(typeof c.id === 'string' ? { id: c.id } : {}),
      type: layout.type,
      issuer,
      subject,
      expiresAt: validUntil ?? expires,
      ...questionFields(vc, layout),
    });
  }

  // 4. the node: signatures, validity, revocation, its trust store
  const result = await input.verify(vp);
  if (!result.validity) throw new TrustError('presentation_rejected_by_node');

  // 5. only an accepted presentation uses up its challenge
  if (challenge && !input.replay.use(`challenge ${presenter} ${challenge}`, expires + skew, now)) throw new TrustError('replayed_challenge');
  return { presenter, jti: challenge ?? message.jti, expiresAt: expires, credentials };
}
