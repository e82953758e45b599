// Where a data folder's activity log is kept: the file (default) or a store registered for it
// (PostgreSQL, src/state). Every caller goes through auditFor(dataDir), so the callers do not
// change with the store.
import { resolve } from 'node:path';
import { AuditLog, auditPath, type AuditEntry, type AuditInput } from './log.js';
import { findEntriesSync, auditLines } from './verify.js';

export interface AuditSink {
  /** Durable (committed) before it returns; throws AuditWriteError when it could not be. */
  append(input: AuditInput): AuditEntry;
  /** The same with group commit: resolves once durable. */
  appendAsync(input: AuditInput, after?: readonly Promise<AuditEntry>[]): Promise<AuditEntry>;
  /** Why an append would fail now, or undefined (for /ready). */
  problem(): string | undefined | Promise<string | undefined>;
  /** The last durable entry (what a checkpoint signs). */
  durableHead(): { seq: number; hash: string };
  /** Every stored line in order, numbered from 1 (for verify and export). */
  lines(): AsyncIterable<[number, string]>;
  /** Entries matching, read synchronously (rare recovery look-ups). */
  find(match: (entry: AuditEntry) => boolean, hint?: { releases?: readonly string[] }): AuditEntry[];
  /** A page of matching entries after cursor `start` (stores other than the file; the file's cursor is a byte offset). */
  search?(match: (entry: AuditEntry) => boolean, start: number, limit: number): Promise<{ entries: AuditEntry[]; next?: string }>;
}

const registered = new Map<string, AuditSink>();

/** Route this data folder's log to `sink` (undefined: back to the file). */
export function setAuditSink(dataDir: string, sink: AuditSink | undefined): void {
  if (sink) registered.set(resolve(dataDir), sink);
  else registered.delete(resolve(dataDir));
}

export function auditFor(dataDir: string, options: { maxEntryBytes?: number } = {}): AuditSink {
  const sink = registered.get(resolve(dataDir));
  if (sink) return sink;
  const log = AuditLog.for(dataDir, options);
  const path = auditPath(dataDir);
  return {
    append: (input) => log.append(input),
    appendAsync: (input, after) => log.appendAsync(input, after),
    problem: () => log.problem(),
    durableHead: () => log.durableHead(),
    lines: () => auditLines(path),
    find: (match) => findEntriesSync(path, match),
  };
}
