// A small JSON file of a known shape (tenants.json, identity/accounts.json): none when absent; a
// file that cannot be read, is not JSON or has another shape is refused with the caller's own
// error (each file has its own refusal code and sentence).
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';

/** Why a file was refused: unreadable (the fs error), not JSON, or JSON of another shape (its first issue). */
export type JsonFileProblem = { kind: 'unreadable'; error: Error } | { kind: 'not_json' } | { kind: 'bad_shape'; issue: string | undefined };

/** A file's bytes as read and its checked value. */
export interface JsonFile<T> {
  raw: string;
  value: T;
}

/**
 * Read, parse and check `path`; undefined when there is no file. Given the result of an earlier
 * read with the same bytes, that is returned without parsing again (a changed file is seen at once).
 */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, refuse: (problem: JsonFileProblem) => Error, previous?: JsonFile<T>): JsonFile<T> | undefined {
  if (!existsSync(path)) return undefined;
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw refuse({ kind: 'unreadable', error: error as Error });
  }
  if (previous?.raw === raw) return previous;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw refuse({ kind: 'not_json' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw refuse({ kind: 'bad_shape', issue: parsed.error.issues[0]?.message });
  return { raw, value: parsed.data };
}
