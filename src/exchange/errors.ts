// Exchange failures, and the one function that turns any failure on the question path (trust,
// query, exchange, audit) into a code, an HTTP status and an error-report text.
import { QueryError } from '../query/index.js';
import { TrustError } from '../trust/index.js';
import { AuditWriteError } from '../audit/index.js';

export const EXCHANGE_ERRORS = {
  // rule 1
  body_too_large: { status: 413, text: 'the message is over the size limit' },
  // rule 3
  malformed_envelope: { status: 400, text: 'the message envelope is malformed' },
  wrong_message_type: { status: 400, text: 'only v1/basic-message/request is accepted here' },
  wrong_recipient: { status: 400, text: 'the message is addressed to another datastation' },
  bad_reply_url: { status: 400, text: 'reply_url is missing or not an acceptable https URL' },
  // rule 4
  message_expired: { status: 400, text: 'the message has expired' },
  message_lifetime_too_long: { status: 400, text: 'the message is valid for longer than accepted' },
  // rule 17
  profile_not_served: { status: 422, text: 'the uitwisselprofiel (version) is not served here' },
  ontology_not_served: { status: 422, text: 'the ontology version is not served by this profile' },
  // rule 18
  query_mismatch: { status: 422, text: 'the query is not a validated query of the profile' },
  // manual release refused by the organisation
  release_refused: { status: 403, text: 'the organisation declined to release this answer' },
  // an automatic answer with small numbers waits for the organisation, and there is nowhere to send it later
  release_held: { status: 403, text: 'the answer waits for the organisation to review it' },
  client_certificate_required: { status: 403, text: 'a verified client certificate is required' },
  rate_limited: { status: 429, text: 'too many requests' },
  audit_unavailable: { status: 503, text: 'the request cannot be logged, so it is not answered' },
  no_dataset: { status: 503, text: 'no dataset is loaded yet' },
  internal_error: { status: 500, text: 'internal error' },
} as const;

export type ExchangeErrorCode = keyof typeof EXCHANGE_ERRORS;

export class ExchangeError extends Error {
  readonly status: number;
  constructor(
    readonly code: ExchangeErrorCode,
    readonly detail?: string,
  ) {
    super(`${EXCHANGE_ERRORS[code].text}${detail ? `: ${detail}` : ''}`);
    this.status = EXCHANGE_ERRORS[code].status;
  }
}

export interface Failure {
  code: string;
  status: number;
  /** Safe to send: our own texts and details, never dataset content. */
  text: string;
}

/** `withDetail: false` for a party not yet authenticated: the code's own sentence, nothing of its input. */
export function failure(error: unknown, withDetail = true): Failure {
  if (error instanceof TrustError || error instanceof QueryError || error instanceof ExchangeError) {
    const plain = error.detail ? error.message.slice(0, -(error.detail.length + 2)) : error.message;
    return { code: error.code, status: error.status, text: withDetail ? error.message : plain };
  }
  if (error instanceof AuditWriteError) return { code: 'audit_unavailable', status: 503, text: EXCHANGE_ERRORS.audit_unavailable.text };
  return { code: 'internal_error', status: 500, text: EXCHANGE_ERRORS.internal_error.text };
}
