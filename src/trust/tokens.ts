// OAuth2 access tokens for scope `verifiedsparql`: opaque, short-lived, bound to the presenter
// DID that earned them at the token endpoint. The checks are the query API's rule 2.
import { randomBytes } from 'node:crypto';
import { TrustError } from './errors.js';

export const SCOPE = 'verifiedsparql';

export interface AccessToken {
  token: string;
  subject: string;
  scope: string;
  expiresAt: number;
}

export class AccessTokens {
  private readonly tokens = new Map<string, AccessToken>();

  constructor(
    private readonly lifetimeSeconds: number,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  issue(subject: string, scope = SCOPE): AccessToken {
    this.sweep();
    const token: AccessToken = { token: randomBytes(32).toString('base64url'), subject, scope, expiresAt: this.now() + this.lifetimeSeconds };
    this.tokens.set(token.token, token);
    return token;
  }

  /** The token from an `Authorization: Bearer` header, checked for scope and sender. */
  check(authorization: string | undefined, scope: string, from: string | undefined): AccessToken {
    const match = /^Bearer ([\w-]{16,128})$/.exec(authorization ?? '');
    if (!match) throw new TrustError('invalid_token', authorization ? 'not a bearer token' : 'no Authorization header');
    const token = this.tokens.get(match[1]!);
    if (!token) throw new TrustError('invalid_token', 'unknown token');
    if (token.expiresAt <= this.now()) {
      this.tokens.delete(token.token);
      throw new TrustError('invalid_token', 'expired');
    }
    if (!token.scope.split(' ').includes(scope)) throw new TrustError('insufficient_scope', `needs ${scope}`);
    if (from !== undefined && token.subject !== from) throw new TrustError('token_subject_mismatch');
    return token;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(key);
  }
}
