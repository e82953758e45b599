// The admin API (its own listener, never reachable with requester tokens): the manual-release
// queue, data and audit views, and the Prometheus metrics (not for the public: they show load and
// queue sizes). This file is the shell: it authenticates every request once (the admin token, or
// a named account's session cookie plus its CSRF token on anything but GET), enforces the role
// (GET: viewer or operator; anything else: operator), and maps errors. Each capability registers
// its routes from its own file and asks `adminActor(request)` who is acting.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AccountStore } from '../../accounts/index.js';
import { AuditWriteError, type CheckpointKeys } from '../../audit/index.js';
import { ReleaseError, type Deliverer, type ReleaseQueue } from '../../exchange/index.js';
import { ActivationError, ImportBusyError } from '../../importer/index.js';
import type { Metrics } from '../metrics.js';
import { ADMIN_ACTOR, sameToken, setAdminPrincipal, type AdminPrincipal } from './admin-auth.js';
import { auditRoutes } from './admin-audit.js';
import { CoverageBusyError } from './admin-coverage.js';
import { dataRoutes, type DataDeps } from './admin-data.js';
import { releaseRoutes } from './admin-release.js';
import { connectionRoutes, type ConnectionDeps } from './admin-connections.js';
import { DEFAULT_SESSION, sameSecret, sessionCookieId, sessionRoutes, SessionStore, type Sessions, type SessionSettings, type SignInLimiter } from './admin-session.js';

export { ADMIN_ACTOR, adminActor } from './admin-auth.js';

export interface AdminDeps {
  dataDir: string;
  adminToken: string;
  queue: ReleaseQueue;
  deliverer: Deliverer;
  metrics?: Metrics;
  /** Connections and their schedules (admin-connections.ts). */
  connections?: ConnectionDeps;
  /** config.admin.session (defaults when absent). */
  session?: SessionSettings;
  /** Clock in milliseconds, for session expiry and sign-in windows (tests inject one). */
  now?: () => number;
  /** What the data routes need from the running server (profiles, the served generation, refresh). */
  data?: DataDeps;
  /** Sessions and sign-in limits shared by every process (state in PostgreSQL); in memory when absent. */
  /** The named accounts (shared in PostgreSQL); the data folder's file when absent. */
  accounts?: AccountStore;
  sessionStores?: (settings: SessionSettings, now: () => number) => { sessions: Sessions; limiter: SignInLimiter };
  /** Our DID document's keys, for checking the signed audit checkpoints (admin-audit.ts). */
  checkpointKeys?: () => CheckpointKeys;
}

const ACTIVATION_STATUS: Record<ActivationError['code'], number> = { unknown_generation: 404, reason_required: 400, already_current: 409, corrupt_generation: 409 };

const SESSION_ROUTE = '/admin/session';

type Outcome = AdminPrincipal | { status: number; error: string };

function authenticate(request: FastifyRequest, adminToken: string, accounts: AccountStore, sessions: Sessions): Outcome {
  if (request.headers.authorization !== undefined) {
    return sameToken(request.headers.authorization, adminToken) ? { actor: ADMIN_ACTOR, role: 'operator' } : { status: 401, error: 'sign_in_required' };
  }
  const id = sessionCookieId(request);
  const session = id ? sessions.touch(id) : undefined;
  if (!session) return { status: 401, error: 'sign_in_required' };
  // Removed, or password/role changed since signing in (by the CLI, under the running server): over.
  const account = accounts.get(session.account);
  if (!account || account.version !== session.version) {
    sessions.end(session.id);
    return { status: 401, error: 'sign_in_required' };
  }
  if (request.method !== 'GET' && request.method !== 'HEAD' && !sameSecret(request.headers['x-csrf-token'], session.csrf)) return { status: 403, error: 'csrf' };
  return { actor: `account:${session.account}`, role: session.role, session };
}

export function adminRoutes(deps: AdminDeps): FastifyPluginAsync {
  const { adminToken, metrics } = deps;
  const settings = deps.session ?? DEFAULT_SESSION;
  const accounts = deps.accounts ?? new AccountStore(deps.dataDir);
  const shared = deps.sessionStores?.(settings, deps.now ?? Date.now);
  const sessions = shared?.sessions ?? new SessionStore(settings, deps.now ?? Date.now);
  return async (app) => {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const route = request.routeOptions.url;
      // Signing in is the one call without credentials (rate limited in its route).
      if (route === SESSION_ROUTE && request.method === 'POST') return;
      const outcome = authenticate(request, adminToken, accounts, sessions);
      if ('status' in outcome) return reply.code(outcome.status).send({ error: outcome.error });
      setAdminPrincipal(request, outcome);
      // Everyone signed in may see and end their own session; otherwise reading needs a role, changing needs operator.
      if (route === SESSION_ROUTE) return;
      const reading = request.method === 'GET' || request.method === 'HEAD';
      if (!reading && outcome.role !== 'operator') return reply.code(403).send({ error: 'forbidden' });
    });
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof ReleaseError) return reply.code(error.code === 'unknown_release' ? 404 : 409).send({ error: error.code, message: error.message });
      if (error instanceof ActivationError) return reply.code(ACTIVATION_STATUS[error.code]).send({ error: error.code, message: error.message });
      if (error instanceof ImportBusyError) return reply.code(409).send({ error: 'import_running', message: 'an import is running; try again when it is done' });
      if (error instanceof CoverageBusyError) return reply.code(409).send({ error: error.code, message: error.message });
      if (error instanceof AuditWriteError) return reply.code(503).send({ error: error.code, message: 'the decision cannot be logged, so it is not taken' });
      return reply.send(error);
    });
    if (metrics) app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
    await app.register(sessionRoutes({ dataDir: deps.dataDir, accounts, sessions, settings, ...(shared ? { limiter: shared.limiter } : {}) }));
    await app.register(releaseRoutes(deps));
    if (deps.connections) await app.register(connectionRoutes(deps.connections));
    await app.register(dataRoutes(deps.dataDir, deps.data));
    await app.register(auditRoutes(deps.dataDir, deps.checkpointKeys));
  };
}
