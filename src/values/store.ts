// Manual values, kept in the data folder (values.json, 0600, written atomically). Setting or
// removing one is logged with who and why, then makes a new generation holding the values still
// in force (source "manual-values"), so they are versioned with the data like any import: rolling
// back to an older generation brings back the values it had. A removed value stays in the file,
// marked removed, with who removed it and why.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { recordActivity } from '../audit/index.js';
import { parseDecimal } from '../ingest/index.js';
import type { Config } from '../config/index.js';
import { runImport, type ImportSummary } from '../importer/index.js';
import { writeFileDurable } from '../store/index.js';
import { valueKind, VALUE_KINDS } from './kinds.js';
import { MANUAL_SYSTEM, valuesResult } from './rdf.js';

export class ValueError extends Error {
  constructor(readonly code: 'bad_value' | 'unknown_value' | 'already_removed', message: string) {
    super(message);
  }
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as yyyy-MM-dd').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

export const valueInput = z.strictObject({
  kind: z.string().refine((k) => !!valueKind(k), `one of ${VALUE_KINDS.map((k) => k.kind).join(', ')}`),
  period: z.strictObject({ start: isoDate, end: isoDate }).refine((p) => p.start <= p.end, 'the period ends before it starts'),
  // A decimal as text (dot), so no float rounding: 1234567.89
  value: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.string().regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'a number such as 1234567.89').transform((v) => parseDecimal(v, 'dot')!)),
  unit: z.string(),
  reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(1000),
  source: z.string().max(500).optional(),
}).superRefine((v, ctx) => {
  const kind = valueKind(v.kind);
  if (kind && !kind.units.includes(v.unit)) ctx.addIssue({ code: 'custom', path: ['unit'], message: `${v.kind} is in ${kind.units.join(' or ')}` });
});
export type ValueInput = z.input<typeof valueInput>;

export interface ManualValue {
  id: string;
  kind: string;
  period: { start: string; end: string };
  value: string;
  unit: string;
  reason: string;
  source?: string;
  by: string;
  at: string;
  removed?: { by: string; at: string; reason: string };
}

function file(dataDir: string): string {
  return join(dataDir, 'values', 'values.json');
}

export function listValues(dataDir: string, options: { all?: boolean } = {}): ManualValue[] {
  const path = file(dataDir);
  const values = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { values: ManualValue[] }).values : [];
  return options.all ? values : values.filter((v) => !v.removed);
}

function save(dataDir: string, values: ManualValue[]): void {
  mkdirSync(join(dataDir, 'values'), { recursive: true, mode: 0o700 });
  writeFileDurable(file(dataDir), JSON.stringify({ values }, null, 1), 0o600);
}

function parse(input: unknown) {
  const parsed = valueInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ValueError('bad_value', `${issue.path.join('.') || 'value'}: ${issue.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : issue.message}`);
}

/** The values in force as a new generation (the other sources carried forward unchanged). */
async function regenerate(config: Config, values: ManualValue[], actor: string): Promise<ImportSummary> {
  return runImport(config, { inputs: [], actor, generated: [valuesResult(config, values.filter((v) => !v.removed))] });
}

export interface ValueChange {
  value: ManualValue;
  generation: string;
}

export async function setValue(config: Config, input: unknown, actor: string): Promise<ValueChange> {
  const given = parse(input);
  const value: ManualValue = {
    id: `v-${randomBytes(6).toString('hex')}`, kind: given.kind, period: given.period, value: given.value, unit: given.unit, reason: given.reason,
    ...(given.source ? { source: given.source } : {}), by: actor, at: new Date().toISOString(),
  };
  const all = listValues(config.dataDir, { all: true });
  // Logged before it takes effect; the generation is made before the file changes, so a refused
  // import (the importer busy) leaves both as they were.
  recordActivity(config.dataDir, { actor, activity: 'value-set', value: value.id, kind: value.kind, period: value.period, amount: value.value, unit: value.unit, reason: value.reason });
  const summary = await regenerate(config, [...all, value], actor);
  save(config.dataDir, [...all, value]);
  return { value, generation: summary.generation };
}

export async function removeValue(config: Config, id: string, reason: string, actor: string): Promise<ValueChange> {
  if (typeof reason !== 'string' || reason.trim().length < 3) throw new ValueError('bad_value', 'reason: say why (at least 3 characters)');
  const all = listValues(config.dataDir, { all: true });
  const found = all.find((v) => v.id === id);
  if (!found) throw new ValueError('unknown_value', `no manual value ${id.slice(0, 40)}`);
  if (found.removed) throw new ValueError('already_removed', `manual value ${id} was removed ${found.removed.at}`);
  const removed: ManualValue = { ...found, removed: { by: actor, at: new Date().toISOString(), reason: reason.trim().slice(0, 1000) } };
  const next = all.map((v) => (v.id === id ? removed : v));
  recordActivity(config.dataDir, { actor, activity: 'value-remove', value: id, kind: found.kind, reason: removed.removed!.reason });
  const summary = await regenerate(config, next, actor);
  save(config.dataDir, next);
  return { value: removed, generation: summary.generation };
}

/** Listing is logged too (who looked at the hand-entered figures). */
export function listValuesLogged(config: Config, actor: string, options: { all?: boolean } = {}): ManualValue[] {
  const values = listValues(config.dataDir, options);
  recordActivity(config.dataDir, { actor, activity: 'value-list', count: values.length });
  return values;
}

export { MANUAL_SYSTEM };
