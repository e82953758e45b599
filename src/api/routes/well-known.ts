// Discovery: our DID document (did:web) and the OAuth2 authorization-server metadata (RFC 8414).
import type { FastifyPluginAsync } from 'fastify';
import { SCOPE } from '../../trust/index.js';
import type { ServerDeps } from '../server.js';
import { GRANT_TYPES } from './oauth.js';

export function wellKnownRoutes({ config, identity, trust }: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/.well-known/did.json', async (_req, reply) => reply.type('application/did+json').send(identity.document));
    if (trust.mode !== 'builtin') return;
    app.get('/.well-known/oauth-authorization-server', async () => {
      const base = config.server.publicUrl!;
      const algs = config.trust.algorithms;
      return {
        issuer: base,
        token_endpoint: `${base}/oauth2/token`,
        grant_types_supported: GRANT_TYPES,
        scopes_supported: [SCOPE],
        token_endpoint_auth_methods_supported: ['none'],
        vp_formats_supported: { jwt_vp: { alg: algs }, jwt_vc: { alg: algs } },
        did: identity.did,
      };
    });
  };
}
