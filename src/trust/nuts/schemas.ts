// Response shapes of the Nuts node's internal API, written from its published OpenAPI files
// (v5.4.37 and v6.2.10: auth/v1.yaml, auth/v2.yaml, vcr/vcr_v2.yaml, didman/v1.yaml,
// discovery/v1.yaml). Only the properties we read are typed; the required ones are required,
// others pass through, so a newer node with more fields still parses.
import { z } from 'zod';

/** v5 TokenIntrospectionResponse (required: active). */
export const v5Introspection = z.looseObject({
  active: z.boolean(),
  service: z.string().optional(),
  iss: z.string().optional(),
  sub: z.string().optional(),
  aud: z.string().optional(),
  exp: z.number().int().optional(),
  iat: z.number().int().optional(),
  vcs: z.array(z.string()).optional(),
});

/** v6 TokenIntrospectionResponse (required: active); presentation-definition field ids arrive as extra claims. */
export const v6Introspection = z.looseObject({
  active: z.boolean(),
  iss: z.string().optional(),
  aud: z.string().optional(),
  client_id: z.string().optional(),
  exp: z.number().int().optional(),
  iat: z.number().int().optional(),
  scope: z.string().optional(),
  cnf: z.looseObject({ jkt: z.string() }).optional(),
});

export type Introspection = z.infer<typeof v6Introspection> & z.infer<typeof v5Introspection> & Record<string, unknown>;

/** VPVerificationResult (required: validity) — HTTP 200 also when invalid. */
export const vpVerificationResult = z.looseObject({
  validity: z.boolean(),
  message: z.string().optional(),
  credentials: z.array(z.unknown()).optional(),
});
export type VPVerificationResult = z.infer<typeof vpVerificationResult>;

/** v5 AccessTokenResponse (required: access_token, token_type, expires_in). */
export const v5AccessToken = z.looseObject({ access_token: z.string().min(1), token_type: z.string(), expires_in: z.number().int() });
/** v6 TokenResponse (required: access_token, token_type). */
export const v6AccessToken = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().int().optional(),
  expires_at: z.number().int().optional(),
  scope: z.string().optional(),
  dpop_kid: z.string().optional(),
});
export type AccessTokenResponse = z.infer<typeof v6AccessToken>;

/** v5 didman EndpointResponse (required: endpoint). */
export const endpointResponse = z.looseObject({ endpoint: z.string().min(1) });

/** v5 didman CompoundService (required: id, type, serviceEndpoint). */
export const compoundService = z.looseObject({ id: z.string(), type: z.string(), serviceEndpoint: z.record(z.string(), z.string()) });

/** v6 discovery SearchResult (required: id, credential_subject_id, vp, fields, registrationParameters). */
export const searchResult = z.looseObject({
  id: z.string(),
  credential_subject_id: z.string(),
  vp: z.unknown(),
  fields: z.record(z.string(), z.unknown()),
  registrationParameters: z.record(z.string(), z.unknown()),
});
export type SearchResult = z.infer<typeof searchResult>;
