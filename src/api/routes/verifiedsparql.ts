// POST /api/verifiedsparql: a KIK-V request message (DIDComm plaintext, the 2021 JSON envelope, or
// the pilot's header form with the VP as body). The exchange does the work; this route only moves bytes and statuses.
import type { FastifyPluginAsync } from 'fastify';
import { DIDCOMM_MEDIA_TYPE, fromHeaders, type Exchange } from '../../exchange/index.js';
import type { Metrics } from '../metrics.js';

/** The body text of a JSON request, while it is handled (collected with the request). */
const received = new WeakMap<object, string>();

export function verifiedSparqlRoutes(exchange: Exchange, metrics: Metrics): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser(['application/jwt', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    // JSON as fastify parses it (prototype poisoning refused), keeping the bytes received: the
    // receipt's hash is of those, not of a re-serialisation.
    const json = app.getDefaultJsonParser('error', 'error');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      received.set(request, body as string);
      void json(request, body as string, done);
    });
    // DIDComm plaintext is JSON under its own media type.
    app.addContentTypeParser(DIDCOMM_MEDIA_TYPE, { parseAs: 'string' }, (request, body, done) => {
      try {
        const parsed = JSON.parse(body as string) as unknown;
        received.set(request, body as string); // before done(): it runs the handler
        done(null, parsed);
      } catch {
        done(Object.assign(new Error('the body is not JSON'), { statusCode: 400 }), undefined);
      }
    });
    app.post('/api/verifiedsparql', { config: { rateLimit: { max: exchange.ratePerMinute, timeWindow: 60_000 } } }, async (request, reply) => {
      const started = performance.now();
      const headerForm = typeof request.headers['message-id'] === 'string';
      const raw = headerForm ? fromHeaders(request.headers, request.body) : request.body;
      const didcomm = !headerForm && (request.headers['content-type'] ?? '').startsWith(DIDCOMM_MEDIA_TYPE);
      const outcome = await exchange.handle(request.headers.authorization, raw, didcomm ? 'didcomm' : undefined, headerForm ? undefined : received.get(request));
      metrics.requests.inc({ outcome: outcome.code ?? String(outcome.status) });
      metrics.duration.observe((performance.now() - started) / 1000);
      if (outcome.retryAfter !== undefined) void reply.header('retry-after', String(outcome.retryAfter));
      // The answer goes back in the media type the question came in; a large one as it is
      // serialised (chunked, cut off without its final chunk when it fails mid-way).
      return reply.code(outcome.status).type(didcomm ? DIDCOMM_MEDIA_TYPE : 'application/json').send(outcome.stream ?? outcome.body);
    });
  };
}
