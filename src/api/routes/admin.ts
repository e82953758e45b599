// The admin API (its own listener, never reachable with requester tokens): the manual-release
// queue, and the Prometheus metrics (not for the public: they show load and queue sizes). Every
// call needs the admin token; every decision is logged with who made it: the holder of the admin
// token (the one identity this API authenticates), the name the caller gives apart.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { AuditWriteError } from '../../audit/index.js';
import { ReleaseError, type Deliverer, type ReleaseQueue } from '../../exchange/index.js';
import type { Metrics } from '../metrics.js';

/** The authenticated identity behind every admin decision. */
export const ADMIN_ACTOR = 'admin-api:token-holder';
const MAX_CLAIM = 200;

export interface AdminDeps {
  dataDir: string;
  adminToken: string;
  queue: ReleaseQueue;
  deliverer: Deliverer;
  metrics?: Metrics;
}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function adminRoutes({ adminToken, queue, deliverer, metrics }: AdminDeps): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      if (!sameToken(request.headers.authorization, adminToken)) return reply.code(401).send({ error: 'admin token required' });
    });
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof ReleaseError) return reply.code(error.code === 'unknown_release' ? 404 : 409).send({ error: error.code, message: error.message });
      if (error instanceof AuditWriteError) return reply.code(503).send({ error: error.code, message: 'the decision cannot be logged, so it is not taken' });
      return reply.send(error);
    });
    if (metrics) app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
    app.get('/admin/releases', async (request) => {
      const state = (request.query as { state?: 'pending' | 'approved' | 'rejected' }).state;
      return queue.list(state).map(({ preview: _p, ...summary }) => summary);
    });
    app.get('/admin/releases/:id', async (request) => queue.get((request.params as { id: string }).id));
    const decide = (decision: 'approved' | 'rejected') => async (request: { params: unknown; body: unknown }) => {
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as { by?: unknown; reason?: unknown };
      const claimed = typeof body.by === 'string' ? body.by.slice(0, MAX_CLAIM) : undefined;
      const reason = typeof body.reason === 'string' ? body.reason : undefined;
      const item = await queue.decide(id, { decision, by: ADMIN_ACTOR, ...(claimed !== undefined ? { claimed } : {}), ...(reason ? { reason } : {}) });
      deliverer.kick(item);
      return item;
    };
    app.post('/admin/releases/:id/approve', decide('approved'));
    app.post('/admin/releases/:id/reject', decide('rejected'));
  };
}
