// The activity log (NEN 7513): append-only, hash-chained, durable before anyone acts on it.
import { AuditLog, type AuditEntry, type AuditInput } from './log.js';

export { AuditLog, AuditWriteError, auditPath } from './log.js';
export type { AuditEntry, AuditInput } from './log.js';
export { verifyAuditLog, exportAuditLog } from './verify.js';
export type { VerifyResult, ExportFilter } from './verify.js';

/** Append one activity to the data directory's log (throws AuditWriteError when it cannot). */
export function recordActivity(dataDir: string, entry: AuditInput): AuditEntry {
  return AuditLog.for(dataDir).append(entry);
}
