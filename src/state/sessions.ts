// Console sessions and sign-in limits in PostgreSQL: signed in on one process, recognised on all;
// the attempt counts per address and per account are one count, whichever process is asked.
// Only the sha256 of a session id is stored (the id itself is the cookie).
import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../accounts/index.js';
import { sessionDeadline, type Session, type Sessions, type SessionSettings, type SignInLimiter } from '../api/routes/admin-session.js';
import type { StateClient } from './client.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type Stored = Omit<Session, 'id'>;

export class PgSessions implements Sessions {
  constructor(
    private readonly client: StateClient,
    private readonly tenant: string,
    private readonly settings: SessionSettings,
    readonly now: () => number,
  ) {}

  get size(): number {
    return Number(this.client.rows<{ n: string }>('SELECT count(*) AS n FROM console_sessions WHERE tenant = $1 AND deadline > $2', [this.tenant, this.now()])[0]!.n);
  }

  create(account: string, role: Role, version: number): Session {
    const at = this.now();
    const session: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), account, role, version, createdAt: at, lastSeen: at };
    const { id, ...stored } = session;
    this.client.callSync({
      op: 'tx',
      statements: [
        { sql: 'DELETE FROM console_sessions WHERE tenant = $1 AND deadline <= $2', params: [this.tenant, at] },
        // bounded as the memory store is: the least recently used go first
        {
          sql: 'DELETE FROM console_sessions WHERE tenant = $1 AND id_sha256 IN (SELECT id_sha256 FROM console_sessions WHERE tenant = $1 ORDER BY (session->>\'lastSeen\')::bigint DESC OFFSET $2)',
          params: [this.tenant, this.settings.maxSessions - 1],
        },
        { sql: 'INSERT INTO console_sessions (tenant, id_sha256, session, deadline) VALUES ($1, $2, $3, $4)', params: [this.tenant, sha256(id), JSON.stringify(stored), sessionDeadline(session, this.settings)] },
      ],
    });
    return session;
  }

  touch(id: string): Session | undefined {
    const at = this.now();
    const [row] = this.client.rows<{ session: Stored }>(
      `UPDATE console_sessions SET session = jsonb_set(session, '{lastSeen}', to_jsonb($3::bigint)),
         deadline = LEAST($3::bigint + $4::bigint, (session->>'createdAt')::bigint + $5::bigint)
       WHERE tenant = $1 AND id_sha256 = $2 AND deadline > $3 RETURNING session`,
      [this.tenant, sha256(id), at, this.settings.idleMinutes * 60_000, this.settings.absoluteHours * 3_600_000],
    );
    return row ? { id, ...row.session } : undefined;
  }

  expiresAt(s: Session): string {
    return new Date(sessionDeadline(s, this.settings)).toISOString();
  }

  end(id: string): void {
    this.client.rows('DELETE FROM console_sessions WHERE tenant = $1 AND id_sha256 = $2', [this.tenant, sha256(id)]);
  }
}

export class PgSignInLimiter implements SignInLimiter {
  constructor(
    private readonly client: StateClient,
    private readonly tenant: string,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  take(key: string, max: number): number {
    const at = this.now();
    // One statement: a new window starts when the old one ended; a count past max is refused
    // (kept at max + 1, so refusals do not grow it).
    const [, [row]] = this.client.callSync({
      op: 'tx',
      statements: [
        // the table holds live windows only (an outsider's many addresses do not pile up)
        { sql: 'DELETE FROM sign_in_attempts WHERE ctid IN (SELECT ctid FROM sign_in_attempts WHERE tenant = $1 AND until <= $2 LIMIT 100)', params: [this.tenant, at] },
        { sql: `INSERT INTO sign_in_attempts (tenant, key, n, until) VALUES ($1, $2, 1, $3::bigint + $4::bigint)
       ON CONFLICT (tenant, key) DO UPDATE SET
         n = CASE WHEN sign_in_attempts.until <= $3 THEN 1 ELSE LEAST(sign_in_attempts.n + 1, $5::integer + 1) END,
         until = CASE WHEN sign_in_attempts.until <= $3 THEN $3::bigint + $4::bigint ELSE sign_in_attempts.until END
       RETURNING n, until`, params: [this.tenant, key, at, this.windowMs, max] },
      ],
    }).each as [unknown[], ({ n: number; until: string } | undefined)[]];
    if (!row || row.n <= max) return 0;
    return Math.max(1, Math.ceil((Number(row.until) - at) / 1000));
  }

  refund(key: string): void {
    this.client.rows('UPDATE sign_in_attempts SET n = n - 1 WHERE tenant = $1 AND key = $2 AND n > 0 AND until > $3', [this.tenant, key, this.now()]);
  }
}
