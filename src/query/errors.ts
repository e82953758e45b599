// Query errors are values with a code, one HTTP status and one text (the exchange maps them to an
// error report). The table is the single place that says which is which.
export const QUERY_ERRORS = {
  unparseable_query: { status: 422, text: 'the SPARQL text cannot be parsed' },
  update_not_allowed: { status: 422, text: 'only read queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are allowed' },
  service_not_allowed: { status: 422, text: 'SERVICE (federated query) is not allowed' },
  dataset_not_allowed: { status: 422, text: 'FROM / FROM NAMED outside the datastation dataset is not allowed' },
  query_too_large: { status: 413, text: 'the query text is over the size limit' },
  query_too_deep: { status: 422, text: 'the query nests deeper than allowed' },
  unknown_parameter: { status: 422, text: 'a parameter was sent that the indicator does not declare' },
  missing_parameter: { status: 422, text: 'a declared parameter has no value' },
  invalid_parameter: { status: 422, text: 'a parameter value does not meet its declared constraints' },
  unknown_indicator: { status: 422, text: 'the profile or indicator is not served here' },
  deadline_exceeded: { status: 503, text: 'the query did not finish within the deadline' },
  result_too_large: { status: 503, text: 'the result has more rows than allowed' },
  engine_failure: { status: 500, text: 'the query engine failed' },
  store_unavailable: { status: 503, text: 'the dataset store cannot be reached' },
  // the SPARQL store's places are all taken (store/remote/inflight.ts): the same refusal as admission's, with Retry-After
  server_busy: { status: 503, text: 'the datastation is at capacity' },
  refused_on_engine: { status: 501, text: 'the configured query engine is known to answer this indicator wrongly, so it is not run' },
} as const;

export type QueryErrorCode = keyof typeof QUERY_ERRORS;

export class QueryError extends Error {
  readonly status: number;
  constructor(
    readonly code: QueryErrorCode,
    readonly detail?: string,
  ) {
    super(`${QUERY_ERRORS[code].text}${detail ? `: ${detail}` : ''}`);
    this.status = QUERY_ERRORS[code].status;
  }
}
