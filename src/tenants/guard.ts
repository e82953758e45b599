// The check every tenant's requester API makes before its own work: the message, the presentation
// and the token must all be this tenant's. A message addressed to another DID, a presentation
// whose audience is another DID, or an access token another tenant issued is refused with one
// code (tenant_mismatch, 403, one sentence), logged in the addressed tenant's audit chain with no
// echo of the input. Cheap checks only: the body is already parsed and bounded by fastify.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { AuditWriteError, recordActivityAsync } from '../audit/index.js';
import { errorReport } from '../exchange/index.js';
import { SCOPE, type Trust } from '../trust/index.js';

export const TENANT_MISMATCH = { code: 'tenant_mismatch', status: 403, text: 'the request belongs to another organisation of this deployment' } as const;
export const UNKNOWN_TENANT = { code: 'unknown_tenant', status: 404, text: 'no organisation of this deployment has that address' } as const;

/** The DIDs a KIK-V message names as its recipient: 2021 envelope / DIDComm `to`, or the header form's `To`. */
export function addressedDids(headers: FastifyRequest['headers'], body: unknown): string[] | undefined {
  if (typeof headers['message-id'] === 'string') return typeof headers.to === 'string' ? headers.to.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const to = typeof body === 'object' && body !== null ? (body as { to?: unknown }).to : undefined;
  if (typeof to === 'string') return [to];
  if (Array.isArray(to) && to.length <= 16 && to.every((t) => typeof t === 'string')) return to;
  return undefined;
}

/** The audience of a presentation JWT, without verifying it (the tenant's verifier does that). */
export function presentationAudience(assertion: unknown): string[] | undefined {
  if (typeof assertion !== 'string' || assertion.length > 512 * 1024) return undefined;
  try {
    const aud = decodeJwt(assertion).aud;
    return typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
  } catch {
    return undefined;
  }
}

export interface GuardDeps {
  id: string;
  did: string;
  dataDir: string;
  trust: Trust;
  /** The other tenants' trusts, to tell "issued by another tenant" from "unknown". */
  others: () => Trust[];
}

function knownTo(trust: Trust, authorization: string): boolean {
  if (trust.mode !== 'builtin') return false;
  try {
    trust.tokens.check(authorization, SCOPE, undefined);
    return true;
  } catch {
    return false;
  }
}

/** Why the request is another tenant's, or undefined when it is not. */
export function mismatch(deps: GuardDeps, request: FastifyRequest): string | undefined {
  const route = request.routeOptions.url;
  if (route === '/api/verifiedsparql') {
    const to = addressedDids(request.headers, request.body);
    if (to && !to.includes(deps.did)) return 'addressed';
    const authorization = request.headers.authorization;
    if (authorization && !knownTo(deps.trust, authorization) && deps.others().some((t) => knownTo(t, authorization))) return 'token';
  } else if (route === '/oauth2/token') {
    const aud = presentationAudience((request.body as { assertion?: unknown } | undefined)?.assertion);
    if (aud && !aud.includes(deps.did)) return 'audience';
  }
  return undefined;
}

export function tenantGuard(deps: GuardDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const what = mismatch(deps, request);
    if (!what) return;
    try {
      await recordActivityAsync(deps.dataDir, { actor: 'unknown', activity: 'request-refused', code: TENANT_MISMATCH.code, route: request.routeOptions.url, mismatch: what });
    } catch (error) {
      if (!(error instanceof AuditWriteError)) throw error;
      return reply.code(503).send(errorReport(deps.did, undefined, undefined, 'audit_unavailable', 'the activity log cannot be written; try again later'));
    }
    return reply.code(TENANT_MISMATCH.status).header('cache-control', 'no-store').send(errorReport(deps.did, undefined, undefined, TENANT_MISMATCH.code, TENANT_MISMATCH.text));
  };
}
