// The fastify servers. Requester-facing: routes in ./routes, one file per concern, limits (body,
// headers, time, rate per requester), TLS with optional mutual TLS or a verified-certificate
// header from a trusted proxy. Admin: a separate listener for the release queue.
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../config/index.js';
import { consoleRoutes } from '../console/index.js';
import { errorReport, EXCHANGE_ERRORS, type Exchange } from '../exchange/index.js';
import type { OwnIdentity, Trust } from '../trust/index.js';
import type { CatalogInput } from './catalog.js';
import type { Metrics } from './metrics.js';
import { openApi } from './openapi.js';
import { adminRoutes, type AdminDeps } from './routes/admin.js';
import { catalogRoutes } from './routes/catalog.js';
import { healthRoutes } from './routes/health.js';
import { oauthRoutes } from './routes/oauth.js';
import { verifiedSparqlRoutes } from './routes/verifiedsparql.js';
import { wellKnownRoutes } from './routes/well-known.js';

export interface ServerDeps {
  config: Config;
  identity: OwnIdentity;
  trust: Trust;
  exchange?: Exchange;
  metrics?: Metrics;
  catalog?: () => CatalogInput;
  /** Whether a dataset is loaded and queries can be answered (for /ready): true, or why not. */
  ready?: () => boolean | string | Promise<boolean | string>;
  logger?: boolean;
}

/** Routes anyone may reach without a client certificate: discovery, health, descriptions. */
const PUBLIC_ROUTES = new Set(['/.well-known/did.json', '/.well-known/oauth-authorization-server', '/health', '/ready', '/openapi.json', '/datacatalog']);

export function tlsOptions(config: Config): Partial<FastifyServerOptions> {
  const tls = config.server.tls;
  if (!tls) return {};
  return {
    https: {
      key: readFileSync(tls.key),
      cert: readFileSync(tls.cert),
      ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
      requestCert: tls.requireClientCert,
      rejectUnauthorized: tls.requireClientCert,
    },
  } as Partial<FastifyServerOptions>;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, trust } = deps;
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: config.server.bodyLimitBytes,
    requestTimeout: config.server.requestTimeoutMs,
    http: { maxHeaderSize: config.server.maxHeaderBytes },
    // request.ip is the client's address; X-Forwarded-For counts only from a trusted proxy.
    ...(config.server.trustedProxies.length ? { trustProxy: config.server.trustedProxies } : {}),
    ...tlsOptions(config),
  } as FastifyServerOptions);
  await app.register(formbody);
  await app.register(rateLimit, {
    // Every route, before any work or logging, per client address: a header the client chooses
    // (Authorization) would give it a fresh budget per request. The store is an LRU.
    global: true,
    max: config.exchange.ratePerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      ...errorReport(trust.did, undefined, undefined, 'rate_limited', `${EXCHANGE_ERRORS.rate_limited.text}; retry in ${Math.ceil(context.ttl / 1000)} s`),
    }),
  });
  const proxyHeader = config.server.clientCertHeader?.toLowerCase();
  if (proxyHeader) {
    // Behind a TLS-terminating proxy: only requests relayed by a trusted proxy with a verified
    // client certificate get past the public routes. Decided on the route the router matched
    // (after its decoding of %61pi and of absolute-form targets), never on the raw URL; anything
    // not known to be public, unknown paths included, needs the certificate.
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url !== undefined && PUBLIC_ROUTES.has(request.routeOptions.url)) return;
      if (!config.server.trustedProxies.includes(request.socket.remoteAddress ?? '') || !request.headers[proxyHeader]) {
        return reply.code(403).send(errorReport(trust.did, undefined, undefined, 'client_certificate_required', EXCHANGE_ERRORS.client_certificate_required.text));
      }
    });
  }
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, _request, reply) => {
    // fastify's own refusals (body too large, bad JSON) as error reports too
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    const code = status === 413 ? 'body_too_large' : status === 429 ? 'rate_limited' : status < 500 ? 'malformed_envelope' : 'internal_error';
    if (status === 500) console.error(error);
    return reply.code(status).send(errorReport(trust.did, undefined, undefined, code, status === 500 ? EXCHANGE_ERRORS.internal_error.text : error.message));
  });
  await app.register(wellKnownRoutes(deps));
  // In nuts mode the organisation's Nuts node is the authorization server; ours stays off.
  if (trust.mode === 'builtin') await app.register(oauthRoutes(deps));
  await app.register(healthRoutes(deps));
  app.get('/openapi.json', async () => openApi(config));
  // /metrics is served on the admin listener, behind the admin token.
  if (deps.catalog) await app.register(catalogRoutes(deps.catalog));
  if (deps.exchange && deps.metrics) await app.register(verifiedSparqlRoutes(deps.exchange, deps.metrics));
  return app;
}

export async function buildAdminServer(deps: AdminDeps, logger: boolean): Promise<FastifyInstance> {
  const admin = Fastify({ logger, bodyLimit: 64 * 1024 });
  await admin.register(adminRoutes(deps));
  await admin.register(consoleRoutes());
  return admin;
}
