// The 2021 KIK-V message envelope: requests in (JSON canonical form, or the Nuts pilot's header
// form), responses and error reports out. DIDComm plaintext lives in ./didcomm.ts; both are
// normalised to one RequestMessage.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ExchangeError } from './errors.js';

export const REQUEST = 'v1/basic-message/request';
export const RESPONSE = 'v1/basic-message/response';
export const ERROR_REPORT = 'v1/error-report';

const did = z.string().max(512).regex(/^did:[a-z0-9]+:\S+$/, 'a DID');

export const requestSchema = z.object({
  type: z.string(),
  jti: z.string().min(1).max(256),
  from: did,
  to: did,
  thread_id: z.string().min(1).max(256),
  reply_url: z.string().max(2048).optional(),
  iat: z.number().int().optional(),
  exp: z.number().int().optional(),
  body: z.object({
    message: z.string().min(1),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
});

/** The form a question came in; the answer goes back in the same form. */
export type MessageForm = 'basic' | 'didcomm';

/** A request in any form, normalised. */
export interface RequestMessage {
  form: MessageForm;
  /** The message id (2021 `jti`, DIDComm `id`). */
  jti: string;
  from: string;
  to: string[];
  thread_id: string;
  reply_url?: string;
  iat?: number;
  exp?: number;
  /** A compact JWT VP, or a decoded JSON-LD VP object. */
  presentation?: unknown;
  /** DIDComm MVP body form: only the credential subject, no proof. */
  credentialSubject?: unknown;
  parameters?: Record<string, string | number | boolean>;
  /** DIDComm `param_values`, as sent. */
  paramValues?: string;
}

/** What identifies a message for logging, as far as it can be read from an unchecked body. */
export function threadOf(raw: unknown): { thread_id?: string; from?: string } {
  if (!raw || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  // 2021: thread_id; DIDComm: thid, else the request's own id
  const thread = [r.thread_id, r.thid, r.id].find((v): v is string => typeof v === 'string');
  return {
    ...(thread !== undefined ? { thread_id: thread.slice(0, 256) } : {}),
    ...(typeof r.from === 'string' ? { from: r.from.slice(0, 512) } : {}),
  };
}

export function parseRequest(raw: unknown): RequestMessage {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    // A few issues, paths cut short: an envelope with 80k bad keys must not become an 80k-line error.
    const issues = parsed.error.issues;
    const text = issues.slice(0, 5).map((i) => `${i.path.join('.').slice(0, 64) || '(root)'}: ${i.message.slice(0, 100)}`).join('; ');
    throw new ExchangeError('malformed_envelope', issues.length > 5 ? `${text}; and ${issues.length - 5} more` : text);
  }
  const m = parsed.data;
  if (m.type !== REQUEST) throw new ExchangeError('wrong_message_type', m.type);
  return {
    form: 'basic',
    jti: m.jti,
    from: m.from,
    to: [m.to],
    thread_id: m.thread_id,
    ...(m.reply_url !== undefined ? { reply_url: m.reply_url } : {}),
    ...(m.iat !== undefined ? { iat: m.iat } : {}),
    ...(m.exp !== undefined ? { exp: m.exp } : {}),
    presentation: m.body.message,
    ...(m.body.parameters ? { parameters: m.body.parameters } : {}),
  };
}

/**
 * The Nuts workshop variant: `Message-ID`, `From`, `To`, `References` (thread) and `Reply-To` as
 * HTTP headers, the VP as the body (text) or `{ message, parameters }` (JSON).
 */
export function fromHeaders(headers: Record<string, string | string[] | undefined>, body: unknown): unknown {
  const h = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const json = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  return {
    type: REQUEST,
    jti: h('message-id'),
    from: h('from'),
    to: h('to'),
    thread_id: h('references') ?? h('message-id'),
    ...(h('reply-to') ? { reply_url: h('reply-to') } : {}),
    body: json ? { message: json.message, ...(json.parameters ? { parameters: json.parameters } : {}) } : { message: typeof body === 'string' ? body.trim() : undefined },
  };
}

export function responseMessage(ownDid: string, to: string, threadId: string, body: unknown) {
  return { type: RESPONSE, jti: randomUUID(), from: ownDid, to, thread_id: threadId, iat: Math.floor(Date.now() / 1000), body };
}

export function errorReport(ownDid: string, to: string | undefined, threadId: string | undefined, code: string, text: string) {
  return { type: ERROR_REPORT, jti: randomUUID(), from: ownDid, ...(to ? { to } : {}), ...(threadId ? { thread_id: threadId } : {}), iat: Math.floor(Date.now() / 1000), body: { message: text, code } };
}
