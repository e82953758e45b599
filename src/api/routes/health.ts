// Liveness (the process answers) and readiness (a dataset is loaded and the audit log appendable).
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from '../server.js';

export function healthRoutes({ ready }: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', async () => ({ status: 'ok' }));
    app.get('/ready', async (_req, reply) => {
      const state = ready ? await ready() : false;
      if (state === true) return reply.send({ status: 'ready' });
      // the audit log's reason names only our own file and state, never request input
      return reply.code(503).send({ status: 'not ready', reason: typeof state === 'string' ? state : 'no dataset loaded' });
    });
  };
}
