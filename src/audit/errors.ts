// Any failure to make an entry durable: the caller must not act (answer, release) on it.
export class AuditWriteError extends Error {
  readonly code = 'audit_unavailable';
}

/**
 * Runs an audit write: any failure becomes an AuditWriteError; `remember` hears the failure (or
 * undefined after a success), which is what /ready reports.
 */
export function guardAuditWrite<T>(fn: () => T, remember: (failure: string | undefined) => void): T {
  try {
    const result = fn();
    remember(undefined);
    return result;
  } catch (error) {
    const failure = error instanceof AuditWriteError ? error : new AuditWriteError(`the audit log could not be written: ${(error as Error).message}`);
    remember(failure.message);
    throw failure;
  }
}
