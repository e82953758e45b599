// Message content in the audit log: inline when small, otherwise its sha256 and size (the full
// answer can be reproduced from the dataset generation and the query, both logged). What an
// unauthenticated party sent is never logged as such: only its size and hashes, so an outsider
// cannot grow the log by more than a fixed amount per request, nor write its bytes into it.
import { sha256Hex } from '../audit/index.js';

export function sha256(text: string): string {
  return sha256Hex(text);
}

/** `parse`: what JSON.parse(text) gives, where the caller has it cheaper. */
export function contentForAudit(text: string, maxBytes: number, parse: () => unknown = () => JSON.parse(text)): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) {
    try {
      return parse();
    } catch {
      return text;
    }
  }
  return { sha256: sha256(text), bytes };
}

/** A request (or presentation) as the log keeps it: size and hash, never the bytes. */
export function digestForAudit(text: string): { sha256: string; bytes: number } {
  return { sha256: sha256(text), bytes: Buffer.byteLength(text) };
}

/**
 * Who an unchecked request says it is: actor and thread are `unknown`, the claimed values kept
 * apart as hashes (an operator can hash a DID or thread id to look for it).
 */
export function unauthenticatedForAudit(claims: { from?: unknown; thread_id?: unknown }): { actor: 'unknown'; thread_id: 'unknown'; claimed?: Record<string, string> } {
  const claimed: Record<string, string> = {};
  if (typeof claims.from === 'string') claimed.from_sha256 = sha256(claims.from);
  if (typeof claims.thread_id === 'string') claimed.thread_id_sha256 = sha256(claims.thread_id);
  return { actor: 'unknown', thread_id: 'unknown', ...(Object.keys(claimed).length ? { claimed } : {}) };
}
