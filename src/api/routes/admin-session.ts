// Sessions of named accounts on the admin API: sign in (POST /admin/session), who am I (GET),
// sign out (DELETE). The session lives in memory only (a restart signs everyone out), bounded in
// number (the least recently used is dropped first); its id is an opaque random value in an
// HttpOnly SameSite=Strict cookie, with a CSRF token the console sends back as x-csrf-token.
// Sign-in is reachable without credentials: cheap checks (size, rate per address and per account)
// come before any hashing, the answer is the same for an unknown account and a wrong password, and
// neither the password nor an unknown name is ever logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { burnPasswordCheck, checkPassword, PasswordBusyError, type AccountStore, type Role } from '../../accounts/index.js';
import { auditFor } from '../../audit/index.js';
import { LruCache } from '../../trust/lru.js';
import { adminPrincipal } from './admin-auth.js';

export const SESSION_COOKIE = 'kikv_admin';
const MAX_FIELD = 1024;

export interface SessionSettings {
  idleMinutes: number;
  absoluteHours: number;
  maxSessions: number;
  signInPerIp: number;
  signInFailuresPerAccount: number;
  signInWindowMinutes: number;
}

export const DEFAULT_SESSION: SessionSettings = { idleMinutes: 30, absoluteHours: 8, maxSessions: 1000, signInPerIp: 10, signInFailuresPerAccount: 5, signInWindowMinutes: 15 };

export interface Session {
  id: string;
  csrf: string;
  account: string;
  role: Role;
  /** The account's version when signed in: a password or role change ends the session. */
  version: number;
  createdAt: number;
  lastSeen: number;
}

/** Signed-in sessions (memory: SessionStore; PostgreSQL, shared by every process: src/state). */
export interface Sessions {
  readonly now: () => number;
  readonly size: number;
  create(account: string, role: Role, version: number): Session;
  touch(id: string): Session | undefined;
  expiresAt(s: Session): string;
  end(id: string): void;
}

/** Sign-in attempts per key in a fixed window: `take` counts one (0) or says how long to wait. */
export interface SignInLimiter {
  take(key: string, max: number): number;
  refund(key: string): void;
}

/** The deadline of a session: idle timeout from its last use, capped by its absolute lifetime. */
export function sessionDeadline(s: Pick<Session, 'lastSeen' | 'createdAt'>, settings: SessionSettings): number {
  return Math.min(s.lastSeen + settings.idleMinutes * 60_000, s.createdAt + settings.absoluteHours * 3_600_000);
}

export class SessionStore implements Sessions {
  private readonly sessions: LruCache<string, Session>;

  constructor(
    private readonly settings: SessionSettings,
    readonly now: () => number,
  ) {
    this.sessions = new LruCache(settings.maxSessions);
  }

  private deadline(s: Session): number {
    return sessionDeadline(s, this.settings);
  }

  create(account: string, role: Role, version: number): Session {
    const at = this.now();
    const session: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), account, role, version, createdAt: at, lastSeen: at };
    this.sessions.set(session.id, session, this.deadline(session));
    return session;
  }

  /** The live session with this id (its idle clock restarted), or undefined. */
  touch(id: string): Session | undefined {
    const at = this.now();
    const session = this.sessions.get(id, at);
    if (!session) return undefined;
    session.lastSeen = at;
    this.sessions.set(id, session, this.deadline(session));
    return session;
  }

  expiresAt(s: Session): string {
    return new Date(this.deadline(s)).toISOString();
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}

/** Attempts in a fixed window per key (bounded LRU of keys): counted before the work, refunded on success. */
export class AttemptLimiter implements SignInLimiter {
  private readonly counts = new LruCache<string, { n: number; until: number }>(10_000);

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Seconds to wait when `key` is at `max`, else 0 (and the attempt is counted). */
  take(key: string, max: number): number {
    const at = this.now();
    const c = this.counts.get(key, at) ?? { n: 0, until: at + this.windowMs };
    if (c.n >= max) return Math.max(1, Math.ceil((c.until - at) / 1000));
    c.n++;
    this.counts.set(key, c, c.until);
    return 0;
  }

  refund(key: string): void {
    const at = this.now();
    const c = this.counts.get(key, at);
    if (c && c.n > 0) c.n--;
  }
}

export function sessionCookieId(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  const id = parseCookie(header)[SESSION_COOKIE];
  return id && id.length <= 100 ? id : undefined;
}

function cookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  // Secure whenever the admin listener itself speaks TLS (request.protocol is the socket's here: no trustProxy).
  return stringifySetCookie({ name: SESSION_COOKIE, value, httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https', maxAge: maxAgeSeconds });
}

export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface SessionDeps {
  dataDir: string;
  accounts: AccountStore;
  sessions: Sessions;
  settings: SessionSettings;
  /** Shared by every process when the state is in PostgreSQL; in memory otherwise. */
  limiter?: SignInLimiter;
}

export function sessionRoutes({ dataDir, accounts, sessions, settings, limiter = new AttemptLimiter(settings.signInWindowMinutes * 60_000, sessions.now) }: SessionDeps): FastifyPluginAsync {
  const audit = () => auditFor(dataDir);
  const view = (s: Session) => ({ account: s.account, role: s.role, csrf: s.csrf, expiresAt: sessions.expiresAt(s) });
  const refuse = (reply: FastifyReply, status: number, error: string) => reply.code(status).send({ error });

  return async (app) => {
    app.post('/admin/session', async (request, reply) => {
      const body = (request.body ?? {}) as { account?: unknown; password?: unknown };
      const name = typeof body.account === 'string' && body.account.length <= MAX_FIELD ? body.account : undefined;
      const password = typeof body.password === 'string' && body.password.length <= MAX_FIELD ? body.password : undefined;
      if (name === undefined || password === undefined) return refuse(reply, 400, 'bad_request');
      const ipKey = `ip:${request.ip}`;
      const accountKey = `account:${createHash('sha256').update(name).digest('hex')}`;
      const waitIp = limiter.take(ipKey, settings.signInPerIp);
      const wait = waitIp || limiter.take(accountKey, settings.signInFailuresPerAccount);
      if (wait) {
        if (!waitIp) limiter.refund(ipKey);
        // Not logged one by one: an outsider could otherwise fill the log; the failures before it are.
        return reply.code(429).header('retry-after', String(wait)).send({ error: 'too_many_attempts' });
      }
      const account = accounts.get(name);
      let ok: boolean;
      try {
        ok = account ? await checkPassword(password, account.password) : await burnPasswordCheck(password);
      } catch (error) {
        limiter.refund(ipKey);
        limiter.refund(accountKey);
        if (error instanceof PasswordBusyError) return reply.code(429).header('retry-after', '1').send({ error: 'too_many_attempts' });
        throw error;
      }
      if (!ok || !account) {
        await audit().appendAsync({
          actor: 'admin-api:unauthenticated',
          activity: 'admin-sign-in-failed',
          client: request.ip,
          // a known name is who was tried; an unknown one (maybe a mistyped password) only as its hash
          ...(account ? { account: account.name } : { account_sha256: createHash('sha256').update(name).digest('hex') }),
        });
        return refuse(reply, 401, 'sign_in_failed');
      }
      limiter.refund(ipKey);
      limiter.refund(accountKey);
      const session = sessions.create(account.name, account.role, account.version);
      try {
        await audit().appendAsync({ actor: `account:${account.name}`, activity: 'admin-signed-in', role: account.role, client: request.ip });
      } catch (error) {
        sessions.end(session.id);
        throw error;
      }
      reply.header('set-cookie', cookie(request, session.id, settings.absoluteHours * 3600));
      return view(session);
    });

    // GET and DELETE are authenticated by the shell; only a session has something to show or end.
    app.get('/admin/session', async (request, reply) => {
      const session = adminPrincipal(request)?.session;
      if (!session) return refuse(reply, 401, 'sign_in_required');
      return view(session);
    });

    app.delete('/admin/session', async (request, reply) => {
      const session = adminPrincipal(request)?.session;
      if (!session) return refuse(reply, 401, 'sign_in_required');
      sessions.end(session.id);
      await audit().appendAsync({ actor: `account:${session.account}`, activity: 'admin-signed-out' });
      return reply.code(204).header('set-cookie', cookie(request, '', 0)).send();
    });
  };
}
