// Strict, bounded Base64: the production credential carries its SPARQL as Base64 and DIDComm
// bodies carry the VP as Base64 JSON-LD. Node's decoder skips junk silently, so the text is checked
// against the alphabet and re-encoded before it is trusted; the size is checked before decoding.
import { TrustError } from './errors.js';

const STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** The decoded bytes of standard (padded) or base64url (unpadded) text, or undefined. */
export function strictBase64(text: string, maxBytes: number): Buffer | undefined {
  const compact = text.replace(/[\r\n]/g, '');
  if (compact === '' || Math.floor((compact.length * 3) / 4) > maxBytes) return undefined;
  if (STANDARD.test(compact)) {
    const bytes = Buffer.from(compact, 'base64');
    return bytes.toString('base64') === compact ? bytes : undefined;
  }
  if (URL_SAFE.test(compact) && compact.length % 4 !== 1) {
    const bytes = Buffer.from(compact, 'base64url');
    return bytes.toString('base64url') === compact ? bytes : undefined;
  }
  return undefined;
}

/** UTF-8 text out of strict Base64; invalid UTF-8 is refused, not replaced. */
export function base64Text(text: string, maxBytes: number): string | undefined {
  const bytes = strictBase64(text, maxBytes);
  if (!bytes) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** A JSON object out of strict Base64 (a JSON-LD presentation in a DIDComm body). */
export function base64Json(text: string, maxBytes: number, what: string): Record<string, unknown> {
  const decoded = base64Text(text, maxBytes);
  if (decoded === undefined) throw new TrustError('invalid_presentation', `${what} is not strict Base64 text within ${maxBytes} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(decoded);
  } catch {
    throw new TrustError('invalid_presentation', `${what} is not Base64 JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TrustError('invalid_presentation', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
