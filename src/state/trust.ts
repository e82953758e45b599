// Replay cache and access tokens in PostgreSQL: a message id, presentation or challenge used on
// one process is refused on every other; a token issued by one is honoured by all. Only hashes
// are stored (sha256 of the id, of the token), as the file replay store does.
import { createHash, randomBytes } from 'node:crypto';
import { TrustError } from '../trust/errors.js';
import type { ReplayStore } from '../trust/replay.js';
import { SCOPE, type AccessToken, type TokenStore } from '../trust/tokens.js';
import type { StateClient } from './client.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class PgReplayCache implements ReplayStore {
  constructor(
    private readonly client: StateClient,
    private readonly tenant: string,
  ) {}

  get size(): number {
    return Number(this.client.rows<{ n: string }>('SELECT count(*) AS n FROM replay_used WHERE tenant = $1 AND until > $2', [this.tenant, Math.floor(Date.now() / 1000)])[0]!.n);
  }

  has(id: string, now: number): boolean {
    return this.client.rows('SELECT 1 FROM replay_used WHERE tenant = $1 AND key = $2 AND until > $3', [this.tenant, sha256(id), now]).length > 0;
  }

  use(id: string, until: number, now: number): boolean {
    return this.guard(() => this.client.callSync({ op: 'replay-use', tenant: this.tenant, keys: [sha256(id)], untils: [Math.floor(until)], now }).ok === true);
  }

  async useAllAsync(ids: readonly { id: string; until: number }[], now: number): Promise<boolean> {
    const keys = ids.map(({ id }) => sha256(id));
    if (new Set(keys).size !== keys.length) return false;
    try {
      return (await this.client.call({ op: 'replay-use', tenant: this.tenant, keys, untils: ids.map((i) => Math.floor(i.until)), now })).ok === true;
    } catch (error) {
      throw new TrustError('trust_unavailable', `the replay store could not be written: ${(error as Error).message}`);
    }
  }

  sweep(now: number): void {
    this.client.rows('DELETE FROM replay_used WHERE tenant = $1 AND until <= $2', [this.tenant, now]);
  }

  close(): void {
    /* the connection belongs to the shared state */
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw new TrustError('trust_unavailable', `the replay store could not be written: ${(error as Error).message}`);
    }
  }
}

export class PgAccessTokens implements TokenStore {
  constructor(
    private readonly client: StateClient,
    private readonly tenant: string,
    private readonly lifetimeSeconds: number,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  get size(): number {
    return Number(this.client.rows<{ n: string }>('SELECT count(*) AS n FROM access_tokens WHERE tenant = $1 AND expires_at > $2', [this.tenant, this.now()])[0]!.n);
  }

  issue(subject: string, scope = SCOPE): AccessToken {
    const token: AccessToken = { token: randomBytes(32).toString('base64url'), subject, scope, expiresAt: this.now() + this.lifetimeSeconds };
    this.client.callSync({
      op: 'tx',
      statements: [
        { sql: 'INSERT INTO access_tokens (tenant, token_sha256, subject, scope, expires_at) VALUES ($1, $2, $3, $4, $5)', params: [this.tenant, sha256(token.token), subject, scope, token.expiresAt] },
        // expired tokens go a few at a time with each issue
        { sql: 'DELETE FROM access_tokens WHERE ctid IN (SELECT ctid FROM access_tokens WHERE tenant = $1 AND expires_at <= $2 LIMIT 100)', params: [this.tenant, this.now()] },
      ],
    });
    return token;
  }

  check(authorization: string | undefined, scope: string, from: string | undefined): AccessToken {
    const match = /^Bearer ([\w-]{16,128})$/.exec(authorization ?? '');
    if (!match) throw new TrustError('invalid_token', authorization ? 'not a bearer token' : 'no Authorization header');
    let rows: { subject: string; scope: string; expires_at: string }[];
    try {
      rows = this.client.rows('SELECT subject, scope, expires_at FROM access_tokens WHERE tenant = $1 AND token_sha256 = $2 AND expires_at > $3', [this.tenant, sha256(match[1]!), this.now()]);
    } catch (error) {
      throw new TrustError('trust_unavailable', `the token store could not be read: ${(error as Error).message}`);
    }
    const row = rows[0];
    if (!row) throw new TrustError('invalid_token', 'unknown or expired token');
    const token: AccessToken = { token: match[1]!, subject: row.subject, scope: row.scope, expiresAt: Number(row.expires_at) };
    if (!token.scope.split(' ').includes(scope)) throw new TrustError('insufficient_scope', `needs ${scope}`);
    if (from !== undefined && token.subject !== from) throw new TrustError('token_subject_mismatch');
    return token;
  }
}
