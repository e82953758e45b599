// The OAuth2 token endpoint for service-to-service access: a Verifiable Presentation as the
// grant (RFC 7523 jwt-bearer as in the Nuts GFI profile, or the Nuts RFC021 vp_token-bearer),
// scope `verifiedsparql`, a short-lived access token bound to the presenter DID. Errors follow
// RFC 6749 §5.2; `error_code` carries our own code for the requester's logs.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AuditWriteError, recordActivityAsync } from '../../audit/index.js';
import { digestForAudit } from '../../exchange/index.js';
import { SCOPE, TRUST_ERRORS, TrustError } from '../../trust/index.js';
import type { ServerDeps } from '../server.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const GRANT_TYPES = [JWT_BEARER, 'vp_token-bearer', 'urn:ietf:params:oauth:grant-type:vp_token-bearer'];

const OAUTH_ERROR: Partial<Record<string, string>> = {
  unsupported_grant_type: 'unsupported_grant_type',
  invalid_scope: 'invalid_scope',
  invalid_request: 'invalid_request',
};

/** The audit log cannot take the entry: no token and no refusal leave without it. */
function unavailable(reply: FastifyReply) {
  return reply.code(503).header('cache-control', 'no-store').send({ error: 'temporarily_unavailable', error_description: 'the activity log cannot be written; try again later', error_code: 'audit_unavailable' });
}

export function oauthRoutes({ config, trust }: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    app.post('/oauth2/token', async (request, reply) => {
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
      try {
        const grantType = body.grant_type;
        if (typeof grantType !== 'string') throw new TrustError('invalid_request', 'grant_type is required');
        if (!GRANT_TYPES.includes(grantType)) throw new TrustError('unsupported_grant_type');
        const scopes = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [SCOPE];
        if (scopes.length !== 1 || scopes[0] !== SCOPE) throw new TrustError('invalid_scope', `only ${SCOPE} is offered`);
        if (typeof body.assertion !== 'string') throw new TrustError('invalid_request', 'assertion (the presentation) is required');
        const presentation = await trust.verifier.verify(body.assertion);
        const token = trust.tokens.issue(presentation.presenter, SCOPE);
        // Nothing is answered that could not be logged: the entry is durable before the token leaves.
        await recordActivityAsync(config.dataDir, { actor: presentation.presenter, activity: 'token-issued', grant_type: grantType, vp_jti: presentation.jti, vp: digestForAudit(body.assertion), expires_at: token.expiresAt });
        return reply
          .header('cache-control', 'no-store')
          .send({ access_token: token.token, token_type: 'Bearer', expires_in: config.trust.accessTokenSeconds, scope: SCOPE });
      } catch (error) {
        if (error instanceof AuditWriteError) return unavailable(reply);
        if (!(error instanceof TrustError)) throw error;
        // Nobody is authenticated here: a fixed code, the request's size and the assertion's hash,
        // never what was sent (nor the reason, which may quote it), in the log or the answer.
        try {
          await recordActivityAsync(config.dataDir, {
            actor: 'unknown',
            activity: 'token-rejected',
            code: error.code,
            request_bytes: Number(request.headers['content-length'] ?? 0) || 0,
            ...(typeof body.assertion === 'string' ? { assertion: digestForAudit(body.assertion) } : {}),
          });
        } catch (auditError) {
          if (auditError instanceof AuditWriteError) return unavailable(reply);
          throw auditError;
        }
        return reply
          .code(400)
          .header('cache-control', 'no-store')
          .send({ error: OAUTH_ERROR[error.code] ?? 'invalid_grant', error_description: TRUST_ERRORS[error.code].text, error_code: error.code });
      }
    });
  };
}
