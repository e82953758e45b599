// The admin API (its own listener, never reachable with requester tokens): the manual-release
// queue, and the Prometheus metrics (not for the public: they show load and queue sizes). Every
// call needs the admin token; every decision is logged with who made it.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { recordActivity } from '../../audit/index.js';
import { ReleaseError, type Deliverer, type ReleaseQueue } from '../../exchange/index.js';
import type { Metrics } from '../metrics.js';

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

export function adminRoutes({ dataDir, adminToken, queue, deliverer, metrics }: AdminDeps): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      if (!sameToken(request.headers.authorization, adminToken)) return reply.code(401).send({ error: 'admin token required' });
    });
    app.setErrorHandler((error, _request, reply) => {
      if (error instanceof ReleaseError) return reply.code(error.code === 'unknown_release' ? 404 : 409).send({ error: error.code, message: error.message });
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
      const body = (request.body ?? {}) as { by?: string; reason?: string };
      const by = `admin-api:${body.by ?? 'unknown'}`;
      const item = queue.decide(id, decision, by, body.reason);
      recordActivity(dataDir, { thread_id: item.thread_id, actor: by, activity: decision === 'approved' ? 'released' : 'release-rejected', release: id, ...(body.reason ? { reason: body.reason } : {}) });
      void deliverer.deliver(item);
      return item;
    };
    app.post('/admin/releases/:id/approve', decide('approved'));
    app.post('/admin/releases/:id/reject', decide('rejected'));
  };
}
