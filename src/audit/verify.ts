// `datastation audit verify` and `audit export`: recompute the chain, report the first entry that
// was edited, removed or reordered; select what an auditor asks for.
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { GENESIS, entryHash, type AuditEntry } from './log.js';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string };
  problem?: { line: number; reason: string };
  /** Hashes of the entries asked for in `at` (the positions of signed checkpoints); only when asked. */
  hashesAt?: Map<number, string>;
}

export async function* auditLines(path: string): AsyncGenerator<[number, string]> {
  if (!existsSync(path)) return;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    n++;
    if (line !== '') yield [n, line];
  }
}

export async function verifyAuditLog(path: string, at: ReadonlySet<number> = new Set()): Promise<VerifyResult> {
  return verifyAuditLines(auditLines(path), at);
}

/** The same over lines from any store (PostgreSQL: src/state). */
export async function verifyAuditLines(source: AsyncIterable<[number, string]>, at: ReadonlySet<number> = new Set()): Promise<VerifyResult> {
  let head = { seq: 0, hash: GENESIS };
  let entries = 0;
  const hashesAt = new Map<number, string>();
  for await (const [line, text] of source) {
    const fail = (reason: string): VerifyResult => ({ ok: false, entries, head, problem: { line, reason }, ...(at.size ? { hashesAt } : {}) });
    let entry: AuditEntry;
    try {
      entry = JSON.parse(text) as AuditEntry;
    } catch {
      return fail('not a JSON entry');
    }
    const { hash, ...body } = entry;
    if (entry.seq !== head.seq + 1) return fail(`sequence ${String(entry.seq)} follows ${head.seq} (an entry was removed, inserted or reordered)`);
    if (entry.prev !== head.hash) return fail('does not chain to the entry before it (removed, inserted or reordered)');
    if (entryHash(body) !== hash) return fail('content does not match its hash (edited)');
    head = { seq: entry.seq, hash };
    if (at.has(entry.seq)) hashesAt.set(entry.seq, hash);
    entries++;
  }
  return { ok: true, entries, head, ...(at.size ? { hashesAt } : {}) };
}

export interface ExportFilter {
  thread?: string;
  from?: Date;
  to?: Date;
}

export function exportAuditLog(path: string, filter: ExportFilter): AsyncGenerator<AuditEntry> {
  return exportAuditLines(auditLines(path), filter);
}

export async function* exportAuditLines(source: AsyncIterable<[number, string]>, filter: ExportFilter): AsyncGenerator<AuditEntry> {
  for await (const [, text] of source) {
    const entry = JSON.parse(text) as AuditEntry;
    if (filter.thread && entry.thread_id !== filter.thread) continue;
    const time = new Date(entry.time);
    if (filter.from && time < filter.from) continue;
    if (filter.to && time > filter.to) continue;
    yield entry;
  }
}

/** Entries matching `match`, read synchronously in chunks (for rare recovery look-ups). */
export function findEntriesSync(path: string, match: (entry: AuditEntry) => boolean): AuditEntry[] {
  if (!existsSync(path)) return [];
  const found: AuditEntry[] = [];
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(256 * 1024);
    let rest = Buffer.alloc(0);
    let position = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) break;
      position += n;
      let data = Buffer.concat([rest, chunk.subarray(0, n)]);
      let at: number;
      while ((at = data.indexOf(0x0a)) >= 0) {
        const line = data.subarray(0, at).toString('utf8');
        data = data.subarray(at + 1);
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as AuditEntry;
          if (match(entry)) found.push(entry);
        } catch {
          /* a torn line: not an entry */
        }
      }
      rest = Buffer.from(data);
    }
  } finally {
    closeSync(fd);
  }
  return found;
}
