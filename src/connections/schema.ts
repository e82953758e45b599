// What a connection is: a named source system, the mapping set it is read with, where its exports
// come from (a folder they are dropped into, or an HTTP(S) endpoint serving them) and when it runs.
// Stored in the data folder; an HTTP credential only ever encrypted (secrets.ts).
import { Cron } from 'croner';
import { z } from 'zod';

export const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A credential as given (CLI, admin API); never stored like this. */
export const authInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('basic'), user: z.string().min(1).max(200).regex(/^[^:]*$/, 'a user name without ":"'), password: z.string().min(1).max(4096) }),
  z.strictObject({ kind: z.literal('bearer'), token: z.string().min(1).max(8192).regex(/^[\x21-\x7e]+$/, 'printable characters') }),
]);
export type AuthInput = z.infer<typeof authInput>;

/** A credential as stored: the secret part encrypted (hex SecretBox), the user name in the clear. */
export const storedAuth = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('basic'), user: z.string(), secret: z.string() }),
  z.strictObject({ kind: z.literal('bearer'), secret: z.string() }),
]);
export type StoredAuth = z.infer<typeof storedAuth>;

const fileName = z.string().min(1).max(200).regex(/^[^/\\]+$/, 'a file name, no folders').refine((f) => !f.startsWith('.'), 'not a hidden file');

const httpFields = {
  kind: z.literal('http'),
  url: z.string().url().max(2048).refine((u) => /^https?:\/\//.test(u), 'an http(s) URL'),
  /** Several files under `url` (each fetched as url + name); without, `url` serves one file. */
  files: z.array(fileName).min(1).max(100).optional(),
  /** The file name the single download is imported under (default: the URL's last path segment). */
  fileName: fileName.optional(),
  /** Plain http (a LAN endpoint without TLS): an explicit opt-in. */
  allowHttp: z.boolean().default(false),
  /** Private, loopback and link-local addresses (an endpoint on the organisation's LAN): an explicit opt-in. */
  allowPrivate: z.boolean().default(false),
  timeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  maxBytes: z.number().int().min(1024).max(4 * 1024 ** 3).default(512 * 1024 ** 2),
};

export const sourceInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('folder'), path: z.string().min(1).max(4096) }),
  z.strictObject({ ...httpFields, auth: authInput.optional() }),
]);
export const storedSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('folder'), path: z.string() }),
  z.strictObject({ ...httpFields, auth: storedAuth.optional() }),
]);
export type SourceInput = z.infer<typeof sourceInput>;
export type StoredSource = z.infer<typeof storedSource>;

/** A cron pattern croner reads (5 fields, or 6 with seconds); refused when it cannot. */
export const schedule = z.string().min(1).max(200).superRefine((pattern, ctx) => {
  try {
    new Cron(pattern, { paused: true }).stop();
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a cron pattern (${(error as Error).message.slice(0, 120)})` });
  }
});

export const connectionInput = z.strictObject({
  name: z.string().regex(NAME, 'lower-case letters, digits and "-", at most 63'),
  system: z.string().min(1).max(100),
  /** A folder of mapping sets read instead of the configured mappingsDir for this connection. */
  mappings: z.string().min(1).max(4096).optional(),
  source: sourceInput,
  schedule: schedule.optional(),
});
export type ConnectionInput = z.infer<typeof connectionInput>;

export const storedConnection = z.strictObject({
  name: z.string().regex(NAME),
  system: z.string(),
  mappings: z.string().optional(),
  source: storedSource,
  schedule: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  by: z.string(),
});
export type Connection = z.infer<typeof storedConnection>;

/** What is shown (CLI list, admin API): everything but the secret. */
export function publicView(c: Connection) {
  if (c.source.kind !== 'http' || !c.source.auth) return c;
  const auth = c.source.auth.kind === 'basic' ? { kind: 'basic' as const, user: c.source.auth.user } : { kind: 'bearer' as const };
  return { ...c, source: { ...c.source, auth } };
}
