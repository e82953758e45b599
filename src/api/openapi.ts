// The OpenAPI document of the requester-facing API (served at /openapi.json).
import type { Config } from '../config/index.js';

const errorReport = { $ref: '#/components/schemas/ErrorReport' };

export function openApi(config: Config) {
  const doc = {
    openapi: '3.1.0',
    info: { title: 'KIK-V datastation', version: '0.1.0', description: `Datastation of ${config.organisation.name}` },
    servers: [{ url: config.server.publicUrl }],
    paths: {
      '/oauth2/token': {
        post: {
          summary: 'Access token for scope verifiedsparql, from a Verifiable Presentation (RFC 7523 jwt-bearer or Nuts RFC021 vp_token-bearer)',
          requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['grant_type', 'assertion'], properties: { grant_type: { type: 'string' }, assertion: { type: 'string' }, scope: { type: 'string' } } } } } },
          responses: { '200': { description: 'token' }, '400': { description: 'RFC 6749 error, with error_code' } },
        },
      },
      '/api/verifiedsparql': {
        post: {
          summary: 'A v1/basic-message/request holding a VP with question credentials',
          security: [{ bearer: [] }],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Request' } } } },
          responses: {
            '200': { description: 'v1/basic-message/response with body.resultset' },
            '202': { description: 'accepted; the answer is POSTed to reply_url when released' },
            '400': { description: 'error report', content: { 'application/json': { schema: errorReport } } },
            '401': { description: 'error report' },
            '403': { description: 'error report (token, trust, revocation)' },
            '409': { description: 'error report (replay)' },
            '413': { description: 'error report (limits)' },
            '422': { description: 'error report (credential contents, query)' },
            '429': { description: 'rate limited, or requester_busy: this requester has its share of questions in progress (Retry-After)' },
            '503': { description: 'error report (deadline, result cap, no dataset, audit unavailable, server_busy with Retry-After)' },
          },
        },
      },
      '/datacatalog': { get: { summary: 'DCAT catalogue (text/turtle or application/ld+json)', responses: { '200': { description: 'catalogue' } } } },
      '/.well-known/did.json': { get: { summary: 'DID document (did:web)', responses: { '200': { description: 'DID document' } } } },
      '/.well-known/oauth-authorization-server': { get: { summary: 'RFC 8414 metadata', responses: { '200': { description: 'metadata' } } } },
      '/health': { get: { summary: 'liveness', responses: { '200': { description: 'up' } } } },
      '/ready': { get: { summary: 'readiness (a dataset is loaded)', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Request: {
          type: 'object',
          required: ['type', 'jti', 'from', 'to', 'thread_id', 'body'],
          properties: {
            type: { const: 'v1/basic-message/request' },
            jti: { type: 'string' },
            from: { type: 'string', description: 'requester DID' },
            to: { type: 'string', description: 'this datastation DID' },
            thread_id: { type: 'string' },
            reply_url: { type: 'string', format: 'uri' },
            exp: { type: 'integer' },
            body: { type: 'object', required: ['message'], properties: { message: { type: 'string', description: 'VP as compact JWT' }, parameters: { type: 'object' } } },
          },
        },
        ErrorReport: {
          type: 'object',
          properties: { type: { const: 'v1/error-report' }, thread_id: { type: 'string' }, body: { type: 'object', properties: { message: { type: 'string' }, code: { type: 'string' } } } },
        },
      },
    },
  };
  // In nuts mode the Nuts node is the authorization server: our token endpoint is not served.
  if (config.trust.mode === 'nuts') {
    delete (doc.paths as Record<string, unknown>)['/oauth2/token'];
    delete (doc.paths as Record<string, unknown>)['/.well-known/oauth-authorization-server'];
  }
  return doc;
}
