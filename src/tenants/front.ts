// The deployment's two listeners. Requester side: /tenants/<id>/… goes to that tenant's own
// requester API (its did:web document is /tenants/<id>/did.json, as did:web:<host>:tenants:<id>
// resolves); the unprefixed POST /api/verifiedsparql and /oauth2/token are routed by the DID the
// message or presentation is addressed to; /health and /ready are the deployment's. Admin side:
// /tenants/<id>/… goes to that tenant's admin API and console (its cookies scoped to that path);
// /metrics and /ready are the deployment's, behind the deployment's admin token. Every refusal
// the front makes itself (no tenant reached) goes to the deployment's audit chain (refusals.ts)
// before it is answered; when it cannot be logged, the answer is 503 audit_unavailable.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../config/index.js';
import { errorReport, EXCHANGE_ERRORS } from '../exchange/index.js';
import { addressedDids, presentationAudience, TENANT_MISMATCH, UNKNOWN_TENANT } from './guard.js';
import type { Refusal } from './refusals.js';

export interface Routable {
  id: string;
  did: string;
  app: FastifyInstance;
  admin: FastifyInstance;
  document: unknown;
}

const TENANT_URL = /^\/tenants\/([a-z0-9][a-z0-9-]{0,62})(\/[^?#]*)?(\?.*)?$/;

function sendJson(res: ServerResponse, status: number, body: unknown, type = 'application/json; charset=utf-8'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** A refusal of the deployment itself: no tenant speaks, so the report has no `from`. */
function deploymentReport(code: string, text: string) {
  const { from: _nobody, ...report } = errorReport('', undefined, undefined, code, text);
  return report;
}

function jsonField(raw: string, name: string): unknown {
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  } catch {
    return undefined;
  }
}

/** Splits /tenants/<id>/rest: the tenant (or undefined) and the URL its own app sees. */
function tenantOf(req: IncomingMessage, tenants: ReadonlyMap<string, Routable>): { tenant?: Routable; id: string; rest: string } | undefined {
  const m = TENANT_URL.exec(req.url ?? '');
  if (!m) return undefined;
  const tenant = tenants.get(m[1]!);
  return { ...(tenant ? { tenant } : {}), id: m[1]!, rest: (m[2] ?? '/') + (m[3] ?? '') };
}

/** The one tenant among `dids`, or why not: no tenant (unknown) or more than one (mismatch). */
function byDid(dids: string[] | undefined, tenants: ReadonlyMap<string, Routable>): Routable | typeof UNKNOWN_TENANT | typeof TENANT_MISMATCH {
  const hits = [...tenants.values()].filter((t) => dids?.includes(t.did));
  return hits.length === 1 ? hits[0]! : hits.length === 0 ? UNKNOWN_TENANT : TENANT_MISMATCH;
}

export interface FrontDeps {
  config: Config;
  tenants: () => ReadonlyMap<string, Routable>;
  ready: () => Promise<{ ready: boolean }>;
  /** Counts and logs a refusal of the front; false: it could not be logged. */
  refused: (refusal: Refusal) => Promise<boolean>;
}

const AUDIT_UNAVAILABLE = { code: 'audit_unavailable', text: 'the activity log cannot be written; try again later' } as const;

/** The code of a refusal fastify or a plugin made (no route, body too large, rate limited). */
function codeOf(status: number): string {
  return status === 404 ? 'not_found' : status === 413 ? 'body_too_large' : status === 429 ? 'rate_limited' : 'malformed_request';
}

/** The router for the unprefixed routes; it never listens: the front handler calls its `routing`. */
async function requesterRouter(deps: FrontDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const router = Fastify({ bodyLimit: config.server.bodyLimitBytes, ...(config.server.trustedProxies.length ? { trustProxy: config.server.trustedProxies } : {}) });
  await router.register(rateLimit, { global: true, max: config.exchange.ratePerMinute, timeWindow: 60_000, keyGenerator: (request) => request.ip });
  // What the router refused itself is logged (onSend below); a forwarded answer is the tenant's.
  const forwarded = new WeakSet<FastifyRequest>();
  const addressed = new WeakMap<FastifyRequest, string[]>();
  const refusedAs = new WeakMap<FastifyRequest, string>();
  const proxyHeader = config.server.clientCertHeader?.toLowerCase();
  if (proxyHeader) {
    // As each tenant's API does (src/api/server.ts): behind a TLS-terminating proxy, no body is
    // read to route a request that has no verified client certificate from a trusted proxy.
    router.addHook('onRequest', async (request, reply) => {
      if (request.method === 'GET') return;
      if (!config.server.trustedProxies.includes(request.socket.remoteAddress ?? '') || !request.headers[proxyHeader]) {
        refusedAs.set(request, 'client_certificate_required');
        return reply.code(403).send(deploymentReport('client_certificate_required', EXCHANGE_ERRORS.client_certificate_required.text));
      }
    });
  }
  // Kept as sent: the tenant's own API parses it again, with its own checks.
  router.removeAllContentTypeParsers();
  router.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Logged before it leaves; the DIDs a refused message was addressed to only as a hash.
  router.addHook('onSend', async (request, reply, payload) => {
    if (forwarded.has(request) || reply.statusCode < 400 || reply.statusCode >= 500) return payload;
    const declared = Number(request.headers['content-length']);
    const to = addressed.get(request);
    const code = refusedAs.get(request) ?? codeOf(reply.statusCode);
    const logged = await deps.refused({
      code,
      status: reply.statusCode,
      route: request.routeOptions.url ?? '(no route)',
      listener: 'requester',
      client: request.ip,
      ...(Number.isSafeInteger(declared) ? { bytes: declared } : {}),
      ...(to ? { to } : {}),
    });
    if (logged) return payload;
    void reply.code(503).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify(deploymentReport(AUDIT_UNAVAILABLE.code, AUDIT_UNAVAILABLE.text));
  });
  const refuse = (reply: FastifyReply, r: typeof UNKNOWN_TENANT | typeof TENANT_MISMATCH) => {
    refusedAs.set(reply.request, r.code);
    return reply.code(r.status).header('cache-control', 'no-store').send(deploymentReport(r.code, r.text));
  };
  const forward = async (request: FastifyRequest, reply: FastifyReply, tenant: Routable) => {
    forwarded.add(request);
    const headers = { ...request.headers };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    const answer = await tenant.app.inject({ method: 'POST', url: request.url, headers, payload: (request.body as string | undefined) ?? '', remoteAddress: request.socket.remoteAddress ?? '' });
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !['content-length', 'transfer-encoding', 'connection', 'date', 'keep-alive'].includes(name)) void reply.header(name, value);
    }
    return reply.code(answer.statusCode).send(answer.rawPayload);
  };
  router.get('/health', async () => ({ status: 'ok' }));
  // /tenants/<id>/… of a tenant that is not there (the handler below serves the others).
  router.all('/tenants/*', async (_request, reply) => refuse(reply, UNKNOWN_TENANT));
  router.get('/ready', async (_request, reply) => {
    // Public: the verdict only; which tenant or component is not ready is on the admin listener.
    const report = await deps.ready();
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not ready' });
  });
  router.post('/api/verifiedsparql', async (request, reply) => {
    let body: unknown;
    const headerForm = typeof request.headers['message-id'] === 'string';
    if (!headerForm) {
      try {
        body = JSON.parse(typeof request.body === 'string' ? request.body : '');
      } catch {
        return refuse(reply, UNKNOWN_TENANT);
      }
    }
    const to = addressedDids(request.headers, body);
    if (to) addressed.set(request, to);
    const target = byDid(to, deps.tenants());
    return 'app' in target ? forward(request, reply, target) : refuse(reply, target);
  });
  router.post('/oauth2/token', async (request, reply) => {
    const raw = typeof request.body === 'string' ? request.body : '';
    // the form RFC 6749 asks for, or the JSON body the tenant's endpoint also takes
    const assertion = (request.headers['content-type'] ?? '').startsWith('application/json') ? jsonField(raw, 'assertion') : (new URLSearchParams(raw).get('assertion') ?? undefined);
    const audience = presentationAudience(assertion);
    if (audience) addressed.set(request, audience);
    const target = byDid(audience, deps.tenants());
    return 'app' in target ? forward(request, reply, target) : refuse(reply, target);
  });
  await router.ready();
  return router;
}

export async function requesterHandler(deps: FrontDeps): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const router = await requesterRouter(deps);
  return (req, res) => {
    const t = tenantOf(req, deps.tenants());
    // No tenant path, or one of no tenant: the router answers (and logs its refusal).
    if (!t?.tenant) return router.routing(req, res);
    // did:web:<host>:tenants:<id> resolves to https://<host>/tenants/<id>/did.json
    if (req.method === 'GET' && t.rest === '/did.json') return sendJson(res, 200, t.tenant.document, 'application/did+json');
    req.url = t.rest;
    t.tenant.app.routing(req, res);
  };
}

/**
 * What a tenant's admin API says about paths, said under the tenant's prefix: its cookies hold
 * only there (one browser, many consoles, no collision), its redirects (/console → /console/) stay there.
 */
function scopeToTenant(res: ServerResponse, prefix: string): void {
  const cookie = (v: unknown): unknown => (Array.isArray(v) ? v.map(cookie) : typeof v === 'string' ? v.replace(/;\s*Path=\/(?=;|$)/i, `; Path=${prefix}/`) : v);
  const location = (v: unknown): unknown => (typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') ? prefix + v : v);
  const fix = (name: string, value: unknown) => (name.toLowerCase() === 'set-cookie' ? cookie(value) : name.toLowerCase() === 'location' ? location(value) : value);
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => setHeader(name, fix(name, value) as string);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) as Record<string, unknown> | undefined;
    if (headers) for (const k of Object.keys(headers)) headers[k] = fix(k, headers[k]);
    return writeHead(status, ...rest);
  });
}

function sameToken(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  if (!given) return false;
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(given), h(token));
}

export interface AdminFrontDeps {
  tenants: () => ReadonlyMap<string, Routable>;
  token: string;
  metrics: () => Promise<{ contentType: string; text: string }>;
  ready: FrontDeps['ready'];
  refused: FrontDeps['refused'];
}

export function adminHandler(deps: AdminFrontDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const refuse = (status: number, code: string, route: string) =>
      void deps
        .refused({ code, status, route, listener: 'admin', client: req.socket.remoteAddress })
        .then((logged) => (logged ? sendJson(res, status, { error: code }) : sendJson(res, 503, { error: AUDIT_UNAVAILABLE.code })))
        .catch(() => sendJson(res, 500, { error: 'internal_error' }));
    const t = tenantOf(req, deps.tenants());
    if (t) {
      if (!t.tenant) return refuse(404, UNKNOWN_TENANT.code, '/tenants/*');
      scopeToTenant(res, `/tenants/${t.id}`);
      req.url = t.rest;
      return t.tenant.admin.routing(req, res);
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/ready')) return refuse(404, 'not_found', '(no route)');
    // The deployment's own views: every tenant's figures, so only with the deployment's token.
    if (!sameToken(req.headers.authorization, deps.token)) return refuse(401, 'sign_in_required', path);
    const work =
      path === '/metrics'
        ? deps.metrics().then(({ contentType, text }) => {
            res.writeHead(200, { 'content-type': contentType });
            res.end(text);
          })
        : deps.ready().then((report) => sendJson(res, report.ready ? 200 : 503, report));
    work.catch(() => sendJson(res, 500, { error: 'internal_error' }));
  };
}
