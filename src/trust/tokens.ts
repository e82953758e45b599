// OAuth2 access tokens for scope `verifiedsparql`: opaque, short-lived, bound to the presenter
// DID that earned them at the token endpoint. The checks are the query API's rule 2. Held in
// memory only, in a bounded cache: a restart invalidates every token (requesters ask again).
import { randomBytes } from 'node:crypto';
import { TrustError } from './errors.js';
import { LruCache } from './lru.js';

export const SCOPE = 'verifiedsparql';

export interface AccessToken {
  token: string;
  subject: string;
  scope: string;
  expiresAt: number;
}

/** Issued tokens (memory: AccessTokens; PostgreSQL, shared by every process: src/state). */
export interface TokenStore {
  readonly size: number;
  issue(subject: string, scope?: string): AccessToken;
  check(authorization: string | undefined, scope: string, from: string | undefined): AccessToken;
}

export class AccessTokens implements TokenStore {
  private readonly tokens: LruCache<string, AccessToken>;

  constructor(
    private readonly lifetimeSeconds: number,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
    maxEntries = 10_000,
  ) {
    this.tokens = new LruCache(maxEntries);
  }

  get size(): number {
    return this.tokens.size;
  }

  issue(subject: string, scope = SCOPE): AccessToken {
    const token: AccessToken = { token: randomBytes(32).toString('base64url'), subject, scope, expiresAt: this.now() + this.lifetimeSeconds };
    this.tokens.set(token.token, token, token.expiresAt);
    return token;
  }

  /** The token from an `Authorization: Bearer` header, checked for scope and sender. */
  check(authorization: string | undefined, scope: string, from: string | undefined): AccessToken {
    const match = /^Bearer ([\w-]{16,128})$/.exec(authorization ?? '');
    if (!match) throw new TrustError('invalid_token', authorization ? 'not a bearer token' : 'no Authorization header');
    // The cache forgets expired tokens: unknown and expired look alike to the caller.
    const token = this.tokens.get(match[1]!, this.now());
    if (!token) throw new TrustError('invalid_token', 'unknown or expired token');
    if (!token.scope.split(' ').includes(scope)) throw new TrustError('insufficient_scope', `needs ${scope}`);
    if (from !== undefined && token.subject !== from) throw new TrustError('token_subject_mismatch');
    return token;
  }
}
