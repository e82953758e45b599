// One entry's text and hash, the same for every store (file, PostgreSQL): the hashed text is the
// entry's JSON without `hash`; the stored line is that text with the hash field appended.
import { hash as oneShotHash } from 'node:crypto';
import { AuditWriteError } from './errors.js';
import { fitEntry } from './tail.js';
import type { AuditEntry, AuditInput } from './log.js';

/** sha256 as hex, in one call (no Hash object per entry: the hot path hashes six entries a request). */
export function sha256Hex(text: string): string {
  return oneShotHash('sha256', text, 'hex');
}

export function buildEntry(head: { seq: number; hash: string }, input: AuditInput, maxEntryBytes: number, time = new Date()): { entry: AuditEntry; line: string } {
  const { actor, activity, thread_id, ...details } = input;
  const raw = {
    seq: head.seq + 1,
    time: time.toISOString(),
    ...(thread_id ? { thread_id } : {}),
    actor,
    activity,
    ...details,
    prev: head.hash,
  };
  // Serialised once: the text that is hashed is the line without its hash field (the same
  // bytes entryHash() and `audit verify` produce), so the line is that text plus the hash.
  let text = JSON.stringify(raw);
  let body: typeof raw | undefined = raw;
  if (text.length * 3 > maxEntryBytes - 80 && Buffer.byteLength(text) > maxEntryBytes - 80) {
    body = fitEntry(raw, maxEntryBytes);
    if (!body) throw new AuditWriteError(`the audit entry does not fit in ${maxEntryBytes} bytes`);
    text = JSON.stringify(body);
  }
  const hash = sha256Hex(text);
  const entry = { ...body, hash } as AuditEntry;
  return { entry, line: `${text.slice(0, -1)},"hash":"${hash}"}` };
}
