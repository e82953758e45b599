// The activity log (NEN 7513): append-only, hash-chained, durable before anyone acts on it.
import type { AuditEntry, AuditInput } from './log.js';
import { auditFor } from './sink.js';

export { AuditLog, AuditWriteError, auditPath, DEFAULT_MAX_ENTRY_BYTES } from './log.js';
export type { AuditEntry, AuditInput, AuditIo } from './log.js';
export { verifyAuditLog, verifyAuditLines, exportAuditLog, exportAuditLines, auditLines, findEntriesSync } from './verify.js';
export { auditFor, setAuditSink } from './sink.js';
export type { AuditSink } from './sink.js';
export { buildEntry, sha256Hex } from './entry.js';
export { GENESIS, entryHash } from './log.js';
export type { VerifyResult, ExportFilter } from './verify.js';
export { CHECKPOINT_TYPE, checkAgainstCheckpoints, checkpointsPath, readCheckpoints, verifyCheckpoint, verifyLogAndCheckpoints, writeCheckpoint } from './checkpoint.js';
export type { Checkpoint, CheckpointClaims, CheckpointKeys, CheckpointReport, CheckpointSigner, LogAndCheckpoints } from './checkpoint.js';

/** Append one activity to the data directory's log now (throws AuditWriteError when it cannot). */
export function recordActivity(dataDir: string, entry: AuditInput): AuditEntry {
  return auditFor(dataDir).append(entry);
}

/** The same with group commit (for the server's hot paths): resolves once the entry is fsynced. */
export function recordActivityAsync(dataDir: string, entry: AuditInput, after: readonly Promise<AuditEntry>[] = []): Promise<AuditEntry> {
  return auditFor(dataDir).appendAsync(entry, after);
}
