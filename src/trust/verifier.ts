// A requester's Verifiable Presentation, checked rule by rule (docs/protocol.md): the VP JWT, then
// every embedded question credential on its own (VP verification by itself says nothing about
// the credentials inside), issuer trust, subject, validity, revocation. Each failure is a
// TrustError with its code.
import { TrustError, type TrustErrorCode } from './errors.js';
import { verifyJwt, type JwtPolicy } from './jwt.js';
import type { KeyResolver } from './keys.js';
import type { ReplayStore } from './replay.js';
import type { StatusChecker } from './status.js';
import type { TrustList } from './trust-list.js';
import { layoutFor, questionFields, type CredentialLayout, type QuestionCredential } from './credentials.js';

export interface VerifierPolicy extends JwtPolicy {
  maxCredentials: number;
  /** The longest validity (exp - now) a presentation may claim. */
  maxPresentationSeconds: number;
  credentialTypes: readonly CredentialLayout[];
}

/** Another id to use up together with the presentation's (and the refusal when it was used). */
export interface ReplayUse {
  id: string;
  until: number;
  code: TrustErrorCode;
  detail?: string;
}

export interface VerifiedPresentation {
  presenter: string;
  jti: string;
  expiresAt: number;
  credentials: QuestionCredential[];
}

export interface PresentationVerifierOptions {
  ownDid: string;
  policy: VerifierPolicy;
  keys: KeyResolver;
  trustList: TrustList;
  status: StatusChecker;
  replay: ReplayStore;
  /** Epoch seconds; injectable for tests. */
  now?: () => number;
}

const VC_TIME: Record<string, 'credential_expired' | 'credential_not_yet_valid'> = {
  jwt_expired: 'credential_expired',
  jwt_not_yet_valid: 'credential_not_yet_valid',
};

export class PresentationVerifier {
  readonly now: () => number;

  constructor(private readonly options: PresentationVerifierOptions) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * Verify a VP made by `from` (the envelope sender; omitted at the token endpoint, where the
   * presenter is who the token will be bound to) for this datastation.
   */
  async verify(vpJwt: unknown, from?: string, alsoUse: readonly ReplayUse[] = []): Promise<VerifiedPresentation> {
    const { durable, ...verified } = await this.verifyDeferred(vpJwt, from, alsoUse);
    await durable;
    return verified;
  }

  /**
   * verify(), returning once every check passed and the ids are used in memory (a replay is
   * refused from then on), with `durable`: when their replay record is on disk. Work may go on
   * meanwhile, but nothing may be logged as verified, nor answered, before `durable` resolves.
   */
  async verifyDeferred(vpJwt: unknown, from?: string, alsoUse: readonly ReplayUse[] = []): Promise<VerifiedPresentation & { durable: Promise<void> }> {
    const { policy, ownDid, keys } = this.options;
    const now = this.now();
    const vp = await verifyJwt(vpJwt, keys, policy, { audience: ownDid, now, maxLifetimeSeconds: policy.maxPresentationSeconds });
    const presenter = vp.payload.iss;
    if (from !== undefined && presenter !== from) throw new TrustError('presenter_mismatch', `VP iss ${presenter} is not the sender ${from}`);
    const body = vp.payload.vp as { type?: unknown; verifiableCredential?: unknown } | undefined;
    if (!body || ![body.type].flat().includes('VerifiablePresentation')) throw new TrustError('invalid_presentation', 'no vp claim of type VerifiablePresentation');
    const embedded = body.verifiableCredential === undefined ? [] : [body.verifiableCredential].flat();
    if (embedded.length === 0) throw new TrustError('invalid_presentation', 'the presentation holds no credential');
    if (embedded.length > policy.maxCredentials) throw new TrustError('too_many_credentials', `${embedded.length} > ${policy.maxCredentials}`);
    if (embedded.some((c) => typeof c !== 'string')) throw new TrustError('invalid_presentation', 'credentials must be compact JWTs');
    // The same credential twice would run (and cost) the same question twice.
    if (new Set(embedded).size !== embedded.length) throw new TrustError('invalid_presentation', 'a credential is presented more than once');
    const jti = vp.payload.jti;
    if (typeof jti !== 'string' || jti === '') throw new TrustError('invalid_presentation', 'the presentation has no jti');

    const credentials: QuestionCredential[] = [];
    for (const vc of embedded as string[]) credentials.push(await this.credential(vc, presenter, now));
    const ids = credentials.map((c) => c.id).filter((id) => id !== undefined);
    if (new Set(ids).size !== ids.length) throw new TrustError('invalid_presentation', 'a credential is presented more than once');

    // Only a presentation that passed every check uses up its jti (and the caller's ids, e.g. the
    // envelope's, in the same durable append): a forgery cannot burn them.
    const { replay } = this.options;
    const uses = [{ id: `vp ${presenter} ${jti}`, until: vp.payload.exp + policy.clockSkewSeconds }, ...alsoUse];
    const replayed = () => {
      const used = alsoUse.find((u) => replay.has(u.id, now));
      return used ? new TrustError(used.code, used.detail) : new TrustError('replayed_presentation', jti);
    };
    let durable: Promise<void>;
    if (replay.reserveAll) {
      const reserved = replay.reserveAll(uses, now);
      if (reserved === false) throw replayed();
      durable = reserved;
      durable.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
    } else {
      // A shared store (PostgreSQL) knows only once its transaction committed.
      if (!(await replay.useAllAsync(uses, now))) throw replayed();
      durable = Promise.resolve();
    }
    return { presenter, jti, expiresAt: vp.payload.exp, credentials, durable };
  }

  private async credential(token: string, presenter: string, now: number): Promise<QuestionCredential> {
    const { policy, keys, trustList, status } = this.options;
    let verified;
    try {
      verified = await verifyJwt(token, keys, policy, { now });
    } catch (error) {
      const remapped = error instanceof TrustError ? VC_TIME[error.code] : undefined;
      throw remapped ? new TrustError(remapped, error instanceof TrustError ? error.detail : undefined) : error;
    }
    const { payload } = verified;
    const vc = payload.vc;
    const layout = layoutFor(vc, policy.credentialTypes);
    if (!layout) throw new TrustError('unsupported_credential_type', `type ${JSON.stringify((vc as { type?: unknown } | undefined)?.type ?? null)}`);
    if (!trustList.trusts(payload.iss, layout.type)) throw new TrustError('issuer_not_trusted', `${payload.iss} for ${layout.type}`);
    const subjectId = (vc as { credentialSubject?: { id?: unknown } }).credentialSubject?.id;
    if (payload.sub !== presenter || (subjectId !== undefined && subjectId !== presenter)) {
      throw new TrustError('subject_mismatch', `issued to ${String(payload.sub ?? subjectId)}, presented by ${presenter}`);
    }
    const credentialStatus = (vc as { credentialStatus?: unknown }).credentialStatus;
    if (credentialStatus !== undefined) await status.check(credentialStatus, payload.iss, now);
    return {
      ...(typeof payload.jti === 'string' ? { id: payload.jti } : {}),
      type: layout.type,
      issuer: payload.iss,
      subject: presenter,
      expiresAt: payload.exp,
      ...questionFields(vc, layout),
    };
  }
}
