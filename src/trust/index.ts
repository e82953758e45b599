// Trust: own identity, DID resolution, presentation and credential verification, issuer trust,
// revocation, replay protection and OAuth2 access tokens.
import type { Config } from '../config/index.js';
import { KeyResolver } from './keys.js';
import { verifyJwt } from './jwt.js';
import { ReplayCache } from './replay.js';
import { StatusChecker } from './status.js';
import { TrustList } from './trust-list.js';
import { PresentationVerifier } from './verifier.js';
import { AccessTokens } from './tokens.js';
import { ownDid, resolverFor } from './identity.js';

export { TrustError, TRUST_ERRORS } from './errors.js';
export type { TrustErrorCode } from './errors.js';
export { AccessTokens, SCOPE } from './tokens.js';
export type { AccessToken } from './tokens.js';
export { PresentationVerifier } from './verifier.js';
export type { VerifiedPresentation } from './verifier.js';
export type { QuestionCredential, VersionedRef } from './credentials.js';
export { ReplayCache } from './replay.js';
export { base64Json, base64Text, strictBase64 } from './base64.js';
export { TrustList, trustListSchema } from './trust-list.js';
export { initIdentity, loadIdentity, openOwnAgent, ownDid } from './identity.js';
export type { OwnIdentity } from './identity.js';
export { KeyStoreLockedError } from './agent.js';
export { Parties } from './parties.js';
export { didDocumentFileName, didWebUrl } from './did-web.js';
export { statusListFileName } from './status.js';

export interface Trust {
  did: string;
  verifier: PresentationVerifier;
  tokens: AccessTokens;
  replay: ReplayCache;
  trustList: TrustList;
}

/** Everything the question path needs to decide whether to trust a request, from the config. */
export function createTrust(config: Config, now: () => number = () => Math.floor(Date.now() / 1000)): Trust {
  const t = config.trust;
  const policy = { ...t };
  const keys = new KeyResolver({ resolver: resolverFor(config), cacheSeconds: t.didCacheSeconds, now: () => now() * 1000 });
  const status = new StatusChecker(
    { dir: t.statusListDir!, online: t.statusListOnline, cacheSeconds: t.statusListCacheSeconds, timeoutMs: t.fetchTimeoutMs, maxBytes: t.fetchMaxBytes, allowInsecureHttp: t.allowInsecureHttp },
    (jwt, at) => verifyJwt(jwt, keys, policy, { now: at }),
  );
  const replay = new ReplayCache();
  const trustList = new TrustList(t.trustList!);
  const did = ownDid(config);
  const verifier = new PresentationVerifier({ ownDid: did, policy, keys, trustList, status, replay, now });
  return { did, verifier, tokens: new AccessTokens(t.accessTokenSeconds, now), replay, trustList };
}
