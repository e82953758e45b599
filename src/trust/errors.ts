// Trust failures are values with a code, one HTTP status and one text (the error report). The
// rule numbers are those of the verification table in docs/protocol.md.
export const TRUST_ERRORS = {
  // rule 1
  jwt_too_large: { status: 413, text: 'a JWT is over the size limit' },
  too_many_credentials: { status: 413, text: 'the presentation holds more credentials than allowed' },
  // rule 2
  invalid_token: { status: 403, text: 'the access token is missing, unknown or expired' },
  insufficient_scope: { status: 403, text: 'the access token does not carry the required scope' },
  token_subject_mismatch: { status: 403, text: 'the access token was issued to another party than the sender' },
  // not in the table: a token that is not a JWT at all
  malformed_jwt: { status: 400, text: 'a JWT cannot be decoded' },
  // rule 5
  unsupported_alg: { status: 400, text: 'the JWT algorithm is not accepted (EdDSA is required)' },
  // rule 6
  invalid_kid: { status: 401, text: 'the key id is missing, not a DID URL of the issuer, or not an assertion method' },
  // rule 7
  did_unresolvable: { status: 401, text: 'the DID cannot be resolved' },
  // rule 8
  invalid_signature: { status: 401, text: 'a signature does not verify' },
  // rule 9
  presenter_mismatch: { status: 401, text: 'the presentation is missing its issuer or was not made by the sender' },
  wrong_audience: { status: 401, text: 'the presentation is not addressed to this datastation' },
  invalid_presentation: { status: 401, text: 'the presentation is not a verifiable presentation of compact JWT credentials' },
  // rule 10
  missing_time_claims: { status: 401, text: 'nbf and exp are required' },
  jwt_expired: { status: 401, text: 'the presentation has expired' },
  jwt_not_yet_valid: { status: 401, text: 'the presentation is not yet valid' },
  lifetime_too_long: { status: 401, text: 'the presentation is valid for longer than accepted' },
  // rule 11
  replayed_presentation: { status: 409, text: 'this presentation was already used' },
  replay_store_full: { status: 503, text: 'too many presentations are in use; try again later' },
  // rule 12
  issuer_not_trusted: { status: 403, text: 'the credential issuer is not on the trust list for this credential type' },
  // rule 13
  unsupported_credential_type: { status: 422, text: 'the credential is not an accepted question credential' },
  // rule 14
  subject_mismatch: { status: 403, text: 'the credential was issued to another party than the presenter' },
  // rule 15
  credential_expired: { status: 403, text: 'the credential has expired' },
  credential_not_yet_valid: { status: 403, text: 'the credential is not yet valid' },
  // rule 16
  credential_revoked: { status: 403, text: 'the credential has been revoked' },
  status_unverifiable: { status: 403, text: 'the credential status cannot be established' },
  // rule 17
  incomplete_credential: { status: 422, text: 'the credential lacks its profile, ontology or query' },
  // envelope replay (moved here from the exchange table: the trust modes check it with the token)
  replayed_message: { status: 409, text: 'a message with this id was already received' },
  // nuts mode: the node, and the checks the node does not do (nuts-interop.md §2.3, §3.3)
  trust_unavailable: { status: 503, text: 'the Nuts node could not be consulted, so the request is refused' },
  token_wrong_service: { status: 403, text: 'the access token was issued for another service' },
  token_audience_mismatch: { status: 403, text: 'the access token was issued by another organisation than the addressee' },
  presentation_required: { status: 401, text: 'the message carries no verifiable presentation' },
  proof_expires_required: { status: 401, text: 'the presentation proof must carry expires' },
  presentation_lifetime_too_long: { status: 401, text: 'the presentation is valid for longer than accepted' },
  presentation_from_future: { status: 401, text: 'the presentation was created in the future' },
  challenge_required: { status: 401, text: 'the presentation proof must carry a challenge' },
  replayed_challenge: { status: 409, text: 'a presentation with this challenge was already used' },
  presentation_rejected_by_node: { status: 401, text: 'the Nuts node found the presentation or a credential invalid' },
  // parameters against the credential's paramsSHACL
  params_shacl_invalid: { status: 422, text: "the credential's paramsSHACL cannot be read" },
  params_shacl_violation: { status: 422, text: "the parameter values do not conform to the credential's paramsSHACL" },
  // OAuth2 token endpoint (RFC 6749 §5.2 answers these with 400)
  unsupported_grant_type: { status: 400, text: 'the grant type is not supported' },
  invalid_scope: { status: 400, text: 'the requested scope is not offered' },
  invalid_request: { status: 400, text: 'the token request is malformed' },
} as const;

export type TrustErrorCode = keyof typeof TRUST_ERRORS;

export class TrustError extends Error {
  readonly status: number;
  constructor(
    readonly code: TrustErrorCode,
    readonly detail?: string,
  ) {
    super(`${TRUST_ERRORS[code].text}${detail ? `: ${detail}` : ''}`);
    this.status = TRUST_ERRORS[code].status;
  }
}
