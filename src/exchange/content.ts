// Message content in the audit log: inline when small, otherwise its sha256 and size (the full
// answer can be reproduced from the dataset generation and the query, both logged).
import { createHash } from 'node:crypto';

export function contentForAudit(text: string, maxBytes: number): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return { sha256: createHash('sha256').update(text).digest('hex'), bytes };
}
