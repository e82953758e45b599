// Trust: own identity, DID resolution, presentation and credential verification, issuer trust,
// revocation, replay protection and OAuth2 access tokens. Two modes behind one face: builtin (our
// own token endpoint and jose verification) and nuts (the organisation's Nuts node, plus the
// checks the node does not do). The exchange only calls `authorize`.
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { KeyResolver } from './keys.js';
import { verifyJwt } from './jwt.js';
import { ReplayCache, type ReplayStore } from './replay.js';
import { StatusChecker } from './status.js';
import { TrustList } from './trust-list.js';
import { PresentationVerifier } from './verifier.js';
import { AccessTokens, type TokenStore } from './tokens.js';
import { openState } from '../state/index.js';
import { PgAccessTokens, PgReplayCache } from '../state/trust.js';
import { ownDid, resolverFor } from './identity.js';
import { TrustError } from './errors.js';
import { checkBeyondNode, NutsNode } from './nuts/index.js';
import { SCOPE } from './tokens.js';
import type { VerifiedPresentation } from './verifier.js';
import type { Introspection } from './nuts/index.js';

export { TrustError, TRUST_ERRORS } from './errors.js';
export type { TrustErrorCode } from './errors.js';
export { AccessTokens, SCOPE } from './tokens.js';
export type { AccessToken, TokenStore } from './tokens.js';
export { PresentationVerifier } from './verifier.js';
export type { VerifiedPresentation } from './verifier.js';
export type { QuestionCredential, VersionedRef } from './credentials.js';
export { ReplayCache } from './replay.js';
export type { ReplayStore } from './replay.js';
export { base64Json, base64Text, strictBase64 } from './base64.js';
export { TrustList, trustListSchema } from './trust-list.js';
export { initIdentity, keySecret, loadIdentity, openOwnAgent, ownDid } from './identity.js';
export type { OwnIdentity } from './identity.js';
export { KeyStoreLockedError } from './agent.js';
export { checkpointKeys, checkpointSigner } from './checkpoints.js';
export { keySecretBesideKey, keySecretSource, readKeySecret } from './key-secret.js';
export { Parties } from './parties.js';
export { didDocumentFileName, didWebUrl } from './did-web.js';
export { statusListFileName } from './status.js';
export { AddressError, pinnedRequest, pinnedStream } from './fetch.js';
export type { PinnedRequest } from './fetch.js';
export { allowedAddress, literalHost } from './address.js';

export { NutsNode, checkBeyondNode } from './nuts/index.js';
export type { NutsConfig, Introspection, VPVerificationResult, SearchResult, AccessTokenResponse } from './nuts/index.js';

/** What the exchange hands over from a parsed message. */
export interface AuthorizeInput {
  authorization: string | undefined;
  message: { jti: string; from: string; to: string[]; exp?: number | undefined; presentation?: unknown };
}

export interface Authorized {
  requester: string;
  presentation: VerifiedPresentation;
  /**
   * When the replay records of this message and presentation are on disk. The question may be
   * prepared and run meanwhile; nothing may be logged as verified, nor answered, before it resolves
   * (it rejects, trust_unavailable, when they could not be written).
   */
  durable: Promise<void>;
}

export interface Trust {
  mode: 'builtin' | 'nuts';
  /** The DID messages must be addressed to (nuts mode: our organisation's DID at the node). */
  did: string;
  verifier: PresentationVerifier;
  tokens: TokenStore;
  replay: ReplayStore;
  trustList: TrustList;
  /** The bounded caches, exposed for their sizes. */
  keys: KeyResolver;
  status: StatusChecker;
  /** Epoch seconds. */
  now(): number;
  /** Access token, message id and presentation of one question; `onToken` once the token is the sender's. */
  authorize(input: AuthorizeInput, onToken?: (requester: string) => void): Promise<Authorized>;
  /** The Nuts node client, in nuts mode. */
  node?: NutsNode;
  /** Nuts mode: the requester's registered message endpoint (v5 didman, v6 Discovery). */
  replyEndpoint?(requester: string): Promise<{ url: string; authServerUrl?: string }>;
  /** Nuts mode: a token from our node for the requester's endpoint. */
  replyToken?(requester: string, authServerUrl?: string): Promise<string>;
  /**
   * Nuts mode: the node's introspection of a bearer token, asked before the question is
   * authorised (a deployment's tenant guard); `authorize` then uses this answer once, within 2 s,
   * instead of asking the node again.
   */
  introspect?(token: string): Promise<Introspection>;
}

const KEPT_MS = 2000;
const KEPT_MAX = 256;

/** Everything the question path needs to decide whether to trust a request, from the config. */
export function createTrust(config: Config, now: () => number = () => Math.floor(Date.now() / 1000)): Trust {
  const t = config.trust;
  const policy = { ...t };
  const keys = new KeyResolver({ resolver: resolverFor(config), cacheSeconds: t.didCacheSeconds, maxEntries: t.cacheMaxEntries, now: () => now() * 1000 });
  const status = new StatusChecker(
    {
      dir: t.statusListDir!,
      online: t.statusListOnline,
      cacheSeconds: t.statusListCacheSeconds,
      maxEntries: t.cacheMaxEntries,
      timeoutMs: t.fetchTimeoutMs,
      maxBytes: t.fetchMaxBytes,
      allowInsecureHttp: t.allowInsecureHttp,
    },
    (jwt, at) => verifyJwt(jwt, keys, policy, { now: at }),
  );
  // On disk in the data folder: a presentation used before a restart stays used after it.
  // With state in PostgreSQL (src/state), replay and tokens are shared by every process.
  const shared = openState(config);
  const replay: ReplayStore = shared ? new PgReplayCache(shared.client, shared.config.tenant) : new ReplayCache({ file: join(config.dataDir, 'replay', 'used.log'), maxEntries: t.replayMaxEntries, now: now() });
  const trustList = new TrustList(t.trustList!);
  const did = ownDid(config);
  const verifier = new PresentationVerifier({ ownDid: did, policy, keys, trustList, status, replay, now });
  const tokens: TokenStore = shared ? new PgAccessTokens(shared.client, shared.config.tenant, t.accessTokenSeconds, now) : new AccessTokens(t.accessTokenSeconds, now, t.cacheMaxEntries);
  const base = { verifier, tokens, replay, trustList, now, keys, status };
  if (t.mode === 'nuts') {
    const nuts = t.nuts!;
    const node = new NutsNode(nuts);
    // Answers asked for ahead of authorize, each used once (bounded: the oldest go first).
    const kept = new Map<string, { at: number; answer: Promise<Introspection> }>();
    return {
      ...base,
      mode: 'nuts',
      did: nuts.did,
      node,
      introspect(token) {
        const answer = node.introspect(token);
        kept.delete(token);
        kept.set(token, { at: Date.now(), answer });
        while (kept.size > KEPT_MAX) kept.delete(kept.keys().next().value!);
        void answer.catch(() => kept.get(token)?.answer === answer && kept.delete(token));
        return answer;
      },
      async authorize({ authorization, message }, onToken) {
        // Cheap shape check before asking the node about it.
        const match = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(authorization ?? '');
        if (!match) throw new TrustError('invalid_token', authorization ? 'not a bearer token' : 'no Authorization header');
        const early = kept.get(match[1]!);
        kept.delete(match[1]!);
        const introspection = await (early && Date.now() - early.at < KEPT_MS ? early.answer : node.introspect(match[1]!));
        const presentation = await checkBeyondNode({
          nuts,
          layouts: t.credentialTypes,
          maxCredentials: t.maxCredentials,
          clockSkewSeconds: t.clockSkewSeconds,
          replay,
          now: now(),
          introspection,
          message,
          verify: (vp) => node.verifyPresentation(vp),
          ...(onToken ? { onToken } : {}),
        });
        return { requester: message.from, presentation, durable: Promise.resolve() };
      },
      async replyEndpoint(requester) {
        if (nuts.version === 'v5') return { url: await node.endpoint(requester, nuts.service, nuts.messageEndpointKey) };
        const found = (await node.search(nuts.discoveryService, { 'credentialSubject.id': requester })).find((r) => r.credential_subject_id === requester);
        const url = found?.registrationParameters[nuts.messageEndpointParameter];
        const authServerUrl = found?.registrationParameters.authServerURL;
        if (typeof url !== 'string' || typeof authServerUrl !== 'string') throw new TrustError('trust_unavailable', 'the requester has no message endpoint on the Discovery Service');
        return { url, authServerUrl };
      },
      async replyToken(requester, authServerUrl) {
        if (nuts.version === 'v5') return (await node.requestAccessToken({ authorizer: requester, requester: nuts.did, service: nuts.service })).access_token;
        if (!nuts.subjectId || !authServerUrl) throw new TrustError('trust_unavailable', 'v6 replies need trust.nuts.subjectId and the requester\'s authServerURL');
        return (await node.requestAccessToken({ subjectId: nuts.subjectId, authorizationServer: authServerUrl, scope: nuts.scope })).access_token;
      },
    };
  }
  return {
    ...base,
    mode: 'builtin',
    did,
    async authorize({ authorization, message }, onToken) {
      const requester = tokens.check(authorization, SCOPE, message.from).subject;
      onToken?.(requester);
      if (message.presentation === undefined) throw new TrustError('presentation_required');
      const at = now();
      const key = `msg ${message.from} ${message.jti}`;
      if (replay.has(key, at)) throw new TrustError('replayed_message', message.jti);
      // The message id is used up only once the presentation verified (a forgery cannot burn it),
      // in the same durable append as the presentation's id: one shared fsync, not two.
      const until = (message.exp ?? at + t.maxPresentationSeconds) + t.clockSkewSeconds;
      const { durable, ...presentation } = await verifier.verifyDeferred(message.presentation, message.from, [{ id: key, until, code: 'replayed_message', detail: message.jti }]);
      return { requester, presentation, durable };
    },
  };
}
