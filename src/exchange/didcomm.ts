// DIDComm v2 plaintext messages (KIK-V production, nuts-interop.md §5.1): requests in, responses
// (a new message with `thid`) and problem reports (`pthid`, code `e.p.<our code>`) out. Message
// type URIs come from config; the body carries the VP as Base64 JSON-LD (or a compact JWT) in
// `vp`, or only `credentialSubject`, plus `param_values` or our `parameters` map.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config/index.js';
import { base64Json } from '../trust/index.js';
import { ExchangeError } from './errors.js';
import type { RequestMessage } from './envelope.js';

export const DIDCOMM_MEDIA_TYPE = 'application/didcomm-plain+json';

const did = z.string().max(512).regex(/^did:[a-z0-9]+:\S+$/, 'a DID');
const COMPACT_JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const didcommSchema = z.object({
  id: z.string().min(1).max(256),
  type: z.string().max(512),
  from: did,
  to: z.array(did).min(1).max(16),
  thid: z.string().max(256).optional(),
  created_time: z.number().int().optional(),
  expires_time: z.number().int().optional(),
  body: z.object({
    vp: z.string().min(1).optional(),
    credentialSubject: z.unknown().optional(),
    param_values: z.string().max(64 * 1024).optional(),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
});

type Didcomm = Config['exchange']['didcomm'];

/** Whether an unchecked body is meant as DIDComm: `to` is a list, or it has `id` and no `jti`. */
export function looksLikeDidcomm(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object') return false;
  const r = raw as Record<string, unknown>;
  return Array.isArray(r.to) || (typeof r.id === 'string' && r.jti === undefined);
}

export function parseDidcomm(raw: unknown, types: Didcomm): RequestMessage {
  const parsed = didcommSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ExchangeError('malformed_envelope', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const m = parsed.data;
  if (!types.requestTypes.includes(m.type)) throw new ExchangeError('wrong_message_type', m.type.slice(0, 200));
  const { vp, credentialSubject, param_values, parameters } = m.body;
  let presentation: unknown;
  // A compact JWT VP (v6 jwt_vp, our builtin mode) is used as it is; otherwise Base64 JSON-LD.
  if (vp !== undefined) presentation = COMPACT_JWT.test(vp) ? vp : base64Json(vp, types.maxPresentationBytes, 'body.vp');
  if (param_values !== undefined && parameters !== undefined) throw new ExchangeError('malformed_envelope', 'body has both param_values and parameters');
  // param_values: a JSON object text of name → value (its KIK-V syntax is not published ⚠).
  const values = param_values !== undefined ? parseParamValues(param_values) : parameters;
  return {
    form: 'didcomm',
    jti: m.id,
    from: m.from,
    to: m.to,
    // The request's own id is the thread (a reply in an existing thread keeps its thid).
    thread_id: m.thid ?? m.id,
    ...(m.created_time !== undefined ? { iat: m.created_time } : {}),
    ...(m.expires_time !== undefined ? { exp: m.expires_time } : {}),
    ...(presentation !== undefined ? { presentation } : {}),
    ...(credentialSubject !== undefined ? { credentialSubject } : {}),
    ...(values ? { parameters: values } : {}),
    ...(param_values !== undefined ? { paramValues: param_values } : {}),
  };
}

const paramMap = z.record(z.string().max(64), z.union([z.string().max(1024), z.number(), z.boolean()]));

function parseParamValues(text: string): Record<string, string | number | boolean> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ExchangeError('malformed_envelope', 'body.param_values is not a JSON object of parameter values');
  }
  const parsed = paramMap.safeParse(json);
  if (!parsed.success) throw new ExchangeError('malformed_envelope', 'body.param_values is not a JSON object of parameter values');
  return parsed.data;
}

/** The head of a response message; the body (`{response: <resultset>}`) is spliced in by the caller. */
export function didcommResponseHead(ownDid: string, message: Pick<RequestMessage, 'from' | 'jti' | 'thread_id'>, types: Didcomm) {
  return { id: randomUUID(), type: types.responseType, thid: message.thread_id, from: ownDid, to: [message.from], created_time: Math.floor(Date.now() / 1000) };
}

/** A DIDComm problem report: sorter e(rror), scope p(rotocol), descriptor = our error code. */
export function problemReport(ownDid: string, to: string | undefined, threadId: string | undefined, code: string, text: string, types: Didcomm) {
  return {
    id: randomUUID(),
    type: types.problemReportType,
    ...(threadId ? { pthid: threadId } : {}),
    from: ownDid,
    ...(to ? { to: [to] } : {}),
    created_time: Math.floor(Date.now() / 1000),
    body: { code: `e.p.${code}`, comment: text },
  };
}
