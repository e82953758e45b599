import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';

export function metricsRoutes(metrics: Metrics): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  };
}
