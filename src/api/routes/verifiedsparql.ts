// POST /api/verifiedsparql: a KIK-V request message (JSON envelope, or the pilot's header form
// with the VP as body). The exchange does the work; this route only moves bytes and statuses.
import type { FastifyPluginAsync } from 'fastify';
import { fromHeaders, type Exchange } from '../../exchange/index.js';
import type { Metrics } from '../metrics.js';

export function verifiedSparqlRoutes(exchange: Exchange, metrics: Metrics): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser(['application/jwt', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app.post('/api/verifiedsparql', { config: { rateLimit: { max: exchange.ratePerMinute, timeWindow: 60_000 } } }, async (request, reply) => {
      const started = performance.now();
      const headerForm = typeof request.headers['message-id'] === 'string';
      const raw = headerForm ? fromHeaders(request.headers, request.body) : request.body;
      const outcome = await exchange.handle(request.headers.authorization, raw);
      metrics.requests.inc({ outcome: outcome.code ?? String(outcome.status) });
      metrics.duration.observe((performance.now() - started) / 1000);
      return reply.code(outcome.status).type('application/json').send(outcome.body);
    });
  };
}
