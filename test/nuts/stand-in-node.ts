// STAND-IN for a Nuts node, for tests only — NOT the real nuts-node (which could not be built on
// these machines: the Go module proxy refuses github.com/nuts-foundation/nuts-node). A real HTTP
// fastify server on loopback serving exactly the internal-API operations the datastation calls,
// with the request and response shapes of the node's published OpenAPI files (v5.4.37, v6.2.10):
//   v5 POST /internal/auth/v1/accesstoken/introspect, POST /internal/auth/v1/request-access-token,
//      GET|POST /internal/didman/v1/did/{did}/compoundservice, PUT …/compoundservice/{type},
//      GET …/compoundservice/{type}/endpoint/{endpointType}
//   v6 POST /internal/auth/v2/accesstoken/introspect, POST /internal/auth/v2/{subjectID}/request-service-access-token,
//      GET /internal/discovery/v1/{serviceID}, POST /internal/discovery/v1/{serviceID}/{subjectID}
//   both POST /internal/vcr/v2/verifier/vp
// It issues opaque tokens it can later introspect and signs/verifies JsonWebSignature2020 proofs
// with real P-256 keys (ES256, detached JWS with b64:false, via jose). Unlike the real node it does
// NO JSON-LD canonicalisation: it signs a sorted-key JSON serialisation of the document instead, so
// it says nothing about how the real node canonicalises, resolves did:nuts, or distributes private
// credentials. Its DIDs are did:nuts-shaped names with keys held here.
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { FlattenedSign, flattenedVerify, generateKeyPair, type CryptoKey } from 'jose';

type Json = Record<string, unknown>;

export interface IssuedToken {
  version: 'v5' | 'v6';
  claims: Json;
  expiresAt: number;
}

export interface StandInOptions {
  apiToken?: string;
  /** Seconds; the real v5 node issues 60 s tokens. */
  tokenSeconds?: number;
  /** v6: the issuer URL of our authorization server, and the introspection claim naming the requester. */
  authServerUrl?: string;
  requesterClaim?: string;
}

/** Sorted-key JSON: the stand-in's replacement for JSON-LD canonicalisation (see header). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Json)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class StandInNode {
  readonly app: FastifyInstance;
  url = '';
  /** Failure modes for tests. */
  mode: 'ok' | 'down' | 'slow' | 'malformed' = 'ok';
  slowMs = 10_000;
  readonly keys = new Map<string, { privateKey: CryptoKey; publicKey: CryptoKey }>();
  /** v5 trust store: credential type → trusted issuer DIDs. */
  readonly trusted = new Map<string, Set<string>>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly compoundServices = new Map<string, { id: string; type: string; serviceEndpoint: Record<string, string> }[]>();
  readonly endpoints = new Map<string, string>();
  readonly discovery = new Map<string, Map<string, Record<string, string>>>();
  readonly calls: string[] = [];

  constructor(private readonly options: StandInOptions = {}) {
    this.app = Fastify({ logger: false, forceCloseConnections: true });
  }

  async start(): Promise<this> {
    await this.app.register(formbody);
    this.app.addHook('onRequest', async (request, reply) => {
      this.calls.push(`${request.method} ${request.url.split('?')[0]}`);
      if (this.mode === 'down') return reply.code(503).send({ title: 'down', status: 503, detail: 'stand-in is down' });
      if (this.mode === 'slow') await new Promise((r) => setTimeout(r, this.slowMs));
      if (this.mode === 'malformed') return reply.code(200).send({ unexpected: true });
      if (this.options.apiToken && request.headers.authorization !== `Bearer ${this.options.apiToken}`) return reply.code(401).send({ title: 'unauthorized', status: 401, detail: 'API token required' });
    });
    this.routes();
    this.url = await this.app.listen({ host: '127.0.0.1', port: 0 });
    return this;
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  // ---- identities, trust, credentials (what an operator or another node would do) ----

  async createDid(name: string): Promise<string> {
    const did = `did:nuts:${name}-${randomBytes(6).toString('hex')}`;
    this.keys.set(did, await generateKeyPair('ES256', { extractable: true }));
    return did;
  }

  trust(issuer: string, credentialType: string): void {
    if (!this.trusted.has(credentialType)) this.trusted.set(credentialType, new Set());
    this.trusted.get(credentialType)!.add(issuer);
  }

  private async prove(signer: string, document: Json, extra: Json): Promise<Json> {
    const key = this.keys.get(signer);
    if (!key) throw new Error(`no key for ${signer}`);
    const proof = { type: 'JsonWebSignature2020', created: new Date().toISOString(), verificationMethod: `${signer}#key-1`, ...extra };
    const payload = new TextEncoder().encode(canonical({ ...document, proof }));
    const jws = await new FlattenedSign(payload).setProtectedHeader({ alg: 'ES256', b64: false, crit: ['b64'] }).sign(key.privateKey);
    return { ...document, proof: { ...proof, jws: `${jws.protected}..${jws.signature}` } };
  }

  private async proofValid(document: Json): Promise<boolean> {
    const { proof, ...rest } = document as Json & { proof?: Json };
    if (!proof || proof.type !== 'JsonWebSignature2020' || typeof proof.jws !== 'string' || typeof proof.verificationMethod !== 'string') return false;
    const key = this.keys.get(proof.verificationMethod.split('#')[0]!);
    if (!key) return false;
    const [protectedHeader, empty, signature] = proof.jws.split('.');
    if (empty !== '' || !protectedHeader || !signature) return false;
    const { jws: _jws, ...unsigned } = proof;
    try {
      await flattenedVerify({ protected: protectedHeader, signature, payload: new TextEncoder().encode(canonical({ ...rest, proof: unsigned })) }, key.publicKey, { crit: { b64: true } });
      return true;
    } catch {
      return false;
    }
  }

  /** As POST /internal/vcr/v2/issuer/vc with a JSON-LD proof. */
  async issueCredential(issuer: string, type: string, credentialSubject: Json, validSeconds = 30 * 86400): Promise<Json> {
    const now = Date.now();
    return this.prove(issuer, {
      '@context': ['https://www.w3.org/2018/credentials/v1', 'https://kik-v.nl/context/v1.json'],
      id: `${issuer}#${randomUUID()}`,
      type: ['VerifiableCredential', type],
      issuer,
      issuanceDate: new Date(now - 1000).toISOString(),
      expirationDate: new Date(now + validSeconds * 1000).toISOString(),
      credentialSubject,
    }, { proofPurpose: 'assertionMethod' });
  }

  /** As POST /internal/vcr/v2/holder/vp: one proof with challenge, domain, expires as asked. */
  async createPresentation(holder: string, credentials: Json[], options: { challenge?: string; domain?: string; expiresSeconds?: number; holder?: string } = {}): Promise<Json> {
    const expires = new Date(Date.now() + (options.expiresSeconds ?? 60) * 1000).toISOString();
    return this.prove(
      holder,
      { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], holder: options.holder ?? holder, verifiableCredential: credentials },
      { proofPurpose: 'assertionMethod', expires, ...(options.challenge !== undefined ? { challenge: options.challenge } : {}), ...(options.domain ? { domain: options.domain } : {}) },
    );
  }

  /** What the authorizer's node issues after a successful grant (RFC003 v5 / RFC021 v6). */
  issueToken(version: 'v5' | 'v6', claims: Json, seconds = this.options.tokenSeconds ?? 60): string {
    const token = randomBytes(32).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    this.tokens.set(token, { version, claims: { ...claims, iat: now, exp: now + seconds }, expiresAt: now + seconds });
    return token;
  }

  // ---- the node's checks on a presentation (v5 verifier.go doVerifyVP, in spirit) ----

  private async verifyVp(vp: unknown): Promise<Json> {
    if (!vp || typeof vp !== 'object') return { validity: false, message: 'not a JSON-LD presentation' };
    const p = vp as Json & { proof?: Json; verifiableCredential?: unknown };
    if (!(await this.proofValid(p))) return { validity: false, message: 'presentation signature invalid' };
    const now = Date.now();
    if (typeof p.proof?.expires === 'string' && Date.parse(p.proof.expires) < now) return { validity: false, message: 'presentation expired' };
    const vcs = [p.verifiableCredential ?? []].flat() as Json[];
    for (const vc of vcs) {
      if (!(await this.proofValid(vc))) return { validity: false, message: 'credential signature invalid' };
      if (typeof vc.expirationDate === 'string' && Date.parse(vc.expirationDate) < now) return { validity: false, message: 'credential expired' };
      const type = [vc.type].flat().find((t) => t !== 'VerifiableCredential') as string | undefined;
      if (!type || !this.trusted.get(type)?.has(String(vc.issuer))) return { validity: false, message: 'untrusted issuer' };
    }
    return { validity: true, credentials: vcs };
  }

  private routes(): void {
    const app = this.app;
    const introspect = (version: 'v5' | 'v6') => async (request: { body: unknown }) => {
      const token = (request.body as { token?: string } | undefined)?.token ?? '';
      const t = this.tokens.get(token);
      if (!t || t.version !== version || t.expiresAt <= Math.floor(Date.now() / 1000)) return { active: false };
      return { active: true, ...t.claims };
    };
    app.post('/internal/auth/v1/accesstoken/introspect', introspect('v5'));
    app.post('/internal/auth/v2/accesstoken/introspect', introspect('v6'));
    app.post('/internal/vcr/v2/verifier/vp', async (request) => this.verifyVp((request.body as Json | undefined)?.verifiablePresentation));

    app.post('/internal/auth/v1/request-access-token', async (request, reply) => {
      const b = request.body as Json;
      if (typeof b.authorizer !== 'string' || typeof b.requester !== 'string' || typeof b.service !== 'string' || !Array.isArray(b.credentials)) {
        return reply.code(400).send({ title: 'bad request', status: 400, detail: 'authorizer, requester, service and credentials are required' });
      }
      const seconds = this.options.tokenSeconds ?? 60;
      return { access_token: this.issueToken('v5', { iss: b.authorizer, sub: b.requester, service: b.service }, seconds), token_type: 'bearer', expires_in: seconds };
    });
    app.post<{ Params: { subjectID: string } }>('/internal/auth/v2/:subjectID/request-service-access-token', async (request, reply) => {
      const b = request.body as Json;
      if (typeof b.authorization_server !== 'string' || typeof b.scope !== 'string') return reply.code(400).send({ title: 'bad request', status: 400, detail: 'authorization_server and scope are required' });
      const seconds = this.options.tokenSeconds ?? 60;
      const claims = { iss: b.authorization_server, client_id: `${this.url}/oauth2/${request.params.subjectID}`, scope: b.scope, [this.options.requesterClaim ?? 'organization_did']: request.params.subjectID };
      return { access_token: this.issueToken('v6', claims, seconds), token_type: 'Bearer', expires_in: seconds, scope: b.scope };
    });

    app.get<{ Params: { did: string } }>('/internal/didman/v1/did/:did/compoundservice', async (request) => this.compoundServices.get(request.params.did) ?? []);
    const putService = (did: string, type: string, serviceEndpoint: Record<string, string>) => {
      const list = (this.compoundServices.get(did) ?? []).filter((s) => s.type !== type);
      const service = { id: `${did}#${randomBytes(4).toString('hex')}`, type, serviceEndpoint };
      this.compoundServices.set(did, [...list, service]);
      return service;
    };
    app.post<{ Params: { did: string } }>('/internal/didman/v1/did/:did/compoundservice', async (request, reply) => {
      const b = request.body as { type?: string; serviceEndpoint?: Record<string, string> };
      if (!b.type || !b.serviceEndpoint) return reply.code(400).send({ title: 'bad request', status: 400, detail: 'type and serviceEndpoint are required' });
      if ((this.compoundServices.get(request.params.did) ?? []).some((s) => s.type === b.type)) return reply.code(409).send({ title: 'conflict', status: 409, detail: 'service exists' });
      return putService(request.params.did, b.type, b.serviceEndpoint);
    });
    app.put<{ Params: { did: string; type: string } }>('/internal/didman/v1/did/:did/compoundservice/:type', async (request) => {
      const b = request.body as { serviceEndpoint: Record<string, string> };
      return putService(request.params.did, request.params.type, b.serviceEndpoint);
    });
    app.get<{ Params: { did: string; type: string; endpointType: string } }>('/internal/didman/v1/did/:did/compoundservice/:type/endpoint/:endpointType', async (request, reply) => {
      const service = (this.compoundServices.get(request.params.did) ?? []).find((s) => s.type === request.params.type);
      const ref = service?.serviceEndpoint[request.params.endpointType];
      if (!ref) return reply.code(404).send({ title: 'not found', status: 404, detail: 'no such endpoint' });
      // A reference (did#id?type=…) resolves to a registered endpoint; a URL is the endpoint itself.
      return { endpoint: this.endpoints.get(ref) ?? ref };
    });

    app.get<{ Params: { serviceID: string } }>('/internal/discovery/v1/:serviceID', async (request) =>
      [...(this.discovery.get(request.params.serviceID) ?? new Map<string, Record<string, string>>())].map(([subject, registrationParameters]) => ({
        id: `${subject}#${request.params.serviceID}`,
        credential_subject_id: subject,
        vp: {},
        fields: {},
        registrationParameters,
      })),
    );
    app.post<{ Params: { serviceID: string; subjectID: string } }>('/internal/discovery/v1/:serviceID/:subjectID', async (request, reply) => {
      const params = ((request.body as Json | undefined)?.registrationParameters ?? {}) as Record<string, string>;
      if (!this.discovery.has(request.params.serviceID)) this.discovery.set(request.params.serviceID, new Map());
      this.discovery.get(request.params.serviceID)!.set(request.params.subjectID, params);
      return reply.code(200).send();
    });
  }
}
