// The check every tenant's requester API makes before its own work: the message, the presentation
// and the token must all be this tenant's. A message addressed to another DID, a presentation
// whose audience is another DID, or an access token another tenant issued is refused with one
// code (tenant_mismatch, 403, one sentence), logged in the addressed tenant's audit chain with no
// echo of the input. Cheap checks only: the body is already parsed and bounded by fastify. In
// nuts mode "another tenant's token" is what the node's introspection says: the organisation the
// token was granted for (v5 `iss`, v6 the subject of the `iss` authorization server URL) is another
// tenant's; one introspection per node (tenants often share one), kept for the authorisation.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { AuditWriteError, recordActivityAsync } from '../audit/index.js';
import { errorReport } from '../exchange/index.js';
import { SCOPE, type Introspection, type Trust } from '../trust/index.js';

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

/** Who a Nuts token is for, as the node names the organisation: v5 its DID, v6 its subject. */
function nutsOwner(trust: Trust, introspection: Introspection): string | undefined {
  if (!introspection.active) return undefined;
  if (trust.node!.config.version === 'v5') return introspection.iss;
  try {
    return /\/oauth2\/([^/]+)\/?$/.exec(new URL(introspection.iss ?? '').pathname)?.[1];
  } catch {
    return undefined;
  }
}

function nutsIdentity(trust: Trust): string | undefined {
  const nuts = trust.node!.config;
  return nuts.version === 'v5' ? nuts.did : nuts.subjectId;
}

/**
 * Is the token one `trust` issued (builtin) or its node granted for its organisation (nuts)?
 * `ask` introspects at a trust's node once per node URL (and API token) for this request.
 */
async function knownTo(trust: Trust, authorization: string, ask: (trust: Trust, token: string) => Promise<Introspection | undefined>): Promise<boolean> {
  if (trust.mode === 'builtin') {
    try {
      trust.tokens.check(authorization, SCOPE, undefined);
      return true;
    } catch {
      return false;
    }
  }
  const token = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(authorization)?.[1];
  if (!token || !trust.node) return false;
  const introspection = await ask(trust, token);
  const owner = introspection && nutsOwner(trust, introspection);
  return owner !== undefined && owner === nutsIdentity(trust);
}

/** One introspection per node for a request; a node that does not answer knows nothing here. */
function introspector(own: Trust): (trust: Trust, token: string) => Promise<Introspection | undefined> {
  const asked = new Map<string, Promise<Introspection | undefined>>();
  return (trust, token) => {
    const node = trust.node!.config;
    const key = `${node.internalUrl} ${node.apiToken ?? ''}`;
    let answer = asked.get(key);
    if (!answer) {
      // Our own node's answer is kept for the authorisation that follows.
      const sameAsOwn = own.node && own.node.config.internalUrl === node.internalUrl && own.node.config.apiToken === node.apiToken;
      const call = sameAsOwn && own.introspect ? own.introspect(token) : trust.node!.introspect(token);
      answer = call.catch(() => undefined);
      asked.set(key, answer);
    }
    return answer;
  };
}

/** Why the request is another tenant's, or undefined when it is not. */
export async function mismatch(deps: GuardDeps, request: FastifyRequest): Promise<string | undefined> {
  const route = request.routeOptions.url;
  if (route === '/api/verifiedsparql') {
    const to = addressedDids(request.headers, request.body);
    if (to && !to.includes(deps.did)) return 'addressed';
    const authorization = request.headers.authorization;
    if (authorization) {
      const ask = introspector(deps.trust);
      if (await knownTo(deps.trust, authorization, ask)) return undefined;
      for (const other of deps.others()) if (await knownTo(other, authorization, ask)) return 'token';
    }
  } else if (route === '/oauth2/token') {
    const aud = presentationAudience((request.body as { assertion?: unknown } | undefined)?.assertion);
    if (aud && !aud.includes(deps.did)) return 'audience';
  }
  return undefined;
}

export function tenantGuard(deps: GuardDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const what = await mismatch(deps, request);
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
