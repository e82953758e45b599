// Any failure to make an entry durable: the caller must not act (answer, release) on it.
export class AuditWriteError extends Error {
  readonly code = 'audit_unavailable';
}
