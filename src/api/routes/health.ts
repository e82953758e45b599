// Liveness (the process answers) and readiness (a dataset is loaded).
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from '../server.js';

export function healthRoutes({ ready }: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/ready', async (_req, reply) => {
      const ok = ready ? ready() : false;
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'no dataset loaded' });
    });
  };
}
