// The admin API (its own listener, never reachable with requester tokens): the manual-release
// queue, and the Prometheus metrics (not for the public: they show load and queue sizes). Every
// call needs the admin token; every decision is logged with who made it: the holder of the admin
// token (the one identity this API authenticates), the name the caller gives apart.
// This file is the shell (authentication, errors); each capability registers its routes from its
// own file and asks `adminActor(request)` who is acting.
import type { FastifyPluginAsync } from 'fastify';
import { AuditWriteError } from '../../audit/index.js';
import { ReleaseError, type Deliverer, type ReleaseQueue } from '../../exchange/index.js';
import type { Metrics } from '../metrics.js';
import { sameToken } from './admin-auth.js';
import { releaseRoutes } from './admin-release.js';
import { connectionRoutes, type ConnectionDeps } from './admin-connections.js';

export { ADMIN_ACTOR, adminActor } from './admin-auth.js';

export interface AdminDeps {
  dataDir: string;
  adminToken: string;
  queue: ReleaseQueue;
  deliverer: Deliverer;
  metrics?: Metrics;
  /** Connections and their schedules (admin-connections.ts). */
  connections?: ConnectionDeps;
}

export function adminRoutes(deps: AdminDeps): FastifyPluginAsync {
  const { adminToken, metrics } = deps;
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
    await app.register(releaseRoutes(deps));
    if (deps.connections) await app.register(connectionRoutes(deps.connections));
  };
}
