// Client of the organisation's Nuts node (internal API, v5 or v6). Every call has a timeout, a
// response-size limit and a schema; a node that is down, slow, or answers something else than its
// OpenAPI shape becomes `trust_unavailable`, so the datastation refuses rather than guesses.
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { TrustError } from '../errors.js';
import {
  compoundService,
  endpointResponse,
  searchResult,
  v5AccessToken,
  v5Introspection,
  v6AccessToken,
  v6Introspection,
  vpVerificationResult,
  type AccessTokenResponse,
  type Introspection,
  type SearchResult,
  type VPVerificationResult,
} from './schemas.js';

export type NutsConfig = NonNullable<Config['trust']['nuts']>;

type Body = { json: unknown } | { form: Record<string, string> } | undefined;

export class NutsNode {
  private readonly base: string;

  constructor(readonly config: NutsConfig) {
    this.base = config.internalUrl.replace(/\/+$/, '');
  }

  get version(): 'v5' | 'v6' {
    return this.config.version;
  }

  /** RFC 7662 introspection at the node; an unknown or expired token is `active: false`, not an error. */
  async introspect(token: string): Promise<Introspection> {
    const path = this.version === 'v5' ? '/internal/auth/v1/accesstoken/introspect' : '/internal/auth/v2/accesstoken/introspect';
    const schema = this.version === 'v5' ? v5Introspection : v6Introspection;
    return (await this.call('POST', path, { form: { token } }, schema));
  }

  /** The node checks signature, validity window, credentials and (v5; v6 for did:nuts) issuer trust. */
  async verifyPresentation(verifiablePresentation: unknown): Promise<VPVerificationResult> {
    return this.call('POST', '/internal/vcr/v2/verifier/vp', { json: { verifiablePresentation, verifyCredentials: true } }, vpVerificationResult);
  }

  /** A token from our node for `authorizer`'s endpoint (reply path). v5: RFC003; v6: RFC021 against an authorization server URL. */
  async requestAccessToken(target: { authorizer: string; requester: string; service: string } | { subjectId: string; authorizationServer: string; scope: string }): Promise<AccessTokenResponse> {
    if ('authorizer' in target) {
      return this.call('POST', '/internal/auth/v1/request-access-token', { json: { ...target, credentials: [] } }, v5AccessToken);
    }
    const path = `/internal/auth/v2/${encodeURIComponent(target.subjectId)}/request-service-access-token`;
    return this.call('POST', path, { json: { authorization_server: target.authorizationServer, scope: target.scope, token_type: 'Bearer' } }, v6AccessToken);
  }

  /** v5 didman: the endpoint `endpointType` of `did`'s compound service `serviceType`. */
  async endpoint(did: string, serviceType: string, endpointType: string): Promise<string> {
    const path = `/internal/didman/v1/did/${encodeURIComponent(did)}/compoundservice/${encodeURIComponent(serviceType)}/endpoint/${encodeURIComponent(endpointType)}`;
    return (await this.call('GET', path, undefined, endpointResponse)).endpoint;
  }

  /** v5 didman: the compound services on `did`. */
  async compoundServices(did: string): Promise<z.infer<typeof compoundService>[]> {
    return this.call('GET', `/internal/didman/v1/did/${encodeURIComponent(did)}/compoundservice`, undefined, z.array(compoundService).max(1000));
  }

  /** v5 didman: register (or, when it exists, replace) a compound service on `did`. */
  async registerCompoundService(did: string, type: string, serviceEndpoint: Record<string, string>): Promise<z.infer<typeof compoundService>> {
    const existing = await this.compoundServices(did);
    const same = existing.find((s) => s.type === type);
    if (same && JSON.stringify(same.serviceEndpoint) === JSON.stringify(serviceEndpoint)) return same;
    const path = same ? `/internal/didman/v1/did/${encodeURIComponent(did)}/compoundservice/${encodeURIComponent(type)}` : `/internal/didman/v1/did/${encodeURIComponent(did)}/compoundservice`;
    return this.call(same ? 'PUT' : 'POST', path, { json: { type, serviceEndpoint } }, compoundService);
  }

  /** v6 Discovery: search a service's registrations (keys are JSON-path-like, values may use *). */
  async search(serviceId: string, query: Record<string, string>): Promise<SearchResult[]> {
    const qs = new URLSearchParams(query).toString();
    return this.call('GET', `/internal/discovery/v1/${encodeURIComponent(serviceId)}${qs ? `?${qs}` : ''}`, undefined, z.array(searchResult).max(1000));
  }

  /** v6 Discovery: activate our subject on a service, with registration parameters (idempotent at the node). */
  async activate(serviceId: string, subjectId: string, registrationParameters: Record<string, string>): Promise<void> {
    await this.call('POST', `/internal/discovery/v1/${encodeURIComponent(serviceId)}/${encodeURIComponent(subjectId)}`, { json: { registrationParameters } }, undefined);
  }

  private async call<T>(method: string, path: string, body: Body, schema: z.ZodType<T> | undefined): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.apiToken) headers.authorization = `Bearer ${this.config.apiToken}`;
    let payload: string | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(body.form).toString();
    }
    const where = `${method} ${path.replace(/\/did:[^/]+/g, '/<did>')}`;
    let text: string;
    let status: number;
    try {
      const response = await fetch(this.base + path, { method, headers, body: payload, signal: AbortSignal.timeout(this.config.timeoutMs), redirect: 'error' });
      status = response.status;
      text = await readBounded(response, this.config.maxResponseBytes);
    } catch (error) {
      throw new TrustError('trust_unavailable', `${where}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${this.config.timeoutMs} ms` : 'not reachable'}`);
    }
    if (status < 200 || status > 299) throw new TrustError('trust_unavailable', `${where}: HTTP ${status}`);
    if (!schema) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TrustError('trust_unavailable', `${where}: the answer is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new TrustError('trust_unavailable', `${where}: the answer does not have the documented shape`);
    return parsed.data;
  }
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (Number(response.headers.get('content-length') ?? '0') > maxBytes) throw new Error('too large');
  if (!response.body) return '';
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error('too large');
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
