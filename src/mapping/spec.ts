// The declarative mapping format: one YAML file per source system and entity, validated on load.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { dateFormatProblem } from '../ingest/index.js';

const columnType = z.enum(['string', 'integer', 'decimal', 'date', 'dateTime', 'boolean', 'postcode', 'code']);

const column = z
  .object({
    /** Header names in the export; aliases cover the spellings of different versions. */
    source: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    type: columnType.default('string'),
    required: z.boolean().default(false),
    /** For type `code`: the lookup table turning the source code into IRIs. */
    lookup: z.string().optional(),
    pattern: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** A fixed transformation after parsing; `hundredMinus` turns a presence % into an absence %. */
    fn: z.enum(['hundredMinus']).optional(),
    /** For date and dateTime columns: patterns (luxon tokens, "dd-MM-yyyy") tried before import.dateFormats. */
    dateFormats: z.array(z.string().superRefine((f, ctx) => {
      const problem = dateFormatProblem(f);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })).min(1).optional(),
  })
  .strict()
  .refine((c) => c.type !== 'code' || c.lookup, { message: 'a code column needs a lookup' })
  .refine((c) => !c.dateFormats || c.type === 'date' || c.type === 'dateTime', { message: 'dateFormats go with a date or dateTime column' });

const objectSpec = z.union([z.string(), z.object({ literal: z.union([z.string(), z.number(), z.boolean()]), datatype: z.string().optional() }).strict()]);

const triple = z.union([
  z.tuple([z.string(), z.string(), objectSpec]),
  z.object({ s: z.string(), p: z.string(), o: objectSpec, when: z.string().optional() }).strict(),
]);

export const mappingSchema = z
  .object({
    system: z.string().regex(/^[a-z0-9-]+$/),
    entity: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string().optional(),
    /** File name patterns (case-insensitive, `*` wildcard) this mapping reads. */
    files: z.array(z.string()).min(1),
    format: z.enum(['csv', 'json', 'xml']),
    /** Dotted path to the records in a JSON/XML document. */
    records: z.string().optional(),
    key: z.array(z.string()).min(1),
    columns: z.record(z.string(), column),
    checks: z.array(z.object({ endNotBefore: z.tuple([z.string(), z.string()]) }).strict()).default([]),
    references: z.array(z.object({ column: z.string(), entity: z.string() }).strict()).default([]),
    subjects: z.record(z.string(), z.string()),
    triples: z.array(triple).min(1),
    lookups: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))).default({}),
  })
  .strict()
  .superRefine((m, ctx) => {
    const known = new Set(Object.keys(m.columns));
    const need = (name: string, where: string) => {
      if (!known.has(name)) ctx.addIssue({ code: 'custom', message: `${where} names unknown column "${name}"` });
    };
    m.key.forEach((k) => need(k, 'key'));
    m.checks.forEach((c) => c.endNotBefore.forEach((k) => need(k, 'check')));
    m.references.forEach((r) => need(r.column, 'reference'));
    for (const [name, template] of Object.entries(m.subjects)) {
      for (const [, col] of template.matchAll(/\{([^}?]+)\??\}/g)) need(col!, `subject ${name}`);
    }
    for (const [name, c] of Object.entries(m.columns)) {
      if (c.lookup && !m.lookups[c.lookup]) ctx.addIssue({ code: 'custom', message: `column ${name}: no lookup "${c.lookup}"` });
    }
    if (m.format !== 'csv' && !m.records) ctx.addIssue({ code: 'custom', message: `${m.format} mappings need "records"` });
  });

export type Mapping = z.infer<typeof mappingSchema>;
export type ColumnSpec = Mapping['columns'][string];

export class MappingSpecError extends Error {
  readonly code = 'invalid_mapping';
}

export function parseMapping(text: string, file: string): Mapping {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new MappingSpecError(`${file}: ${(error as Error).message}`);
  }
  const parsed = mappingSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new MappingSpecError(`${file}: ${problems}`);
  }
  return parsed.data;
}

/** All mappings under `dir/<system>/<entity>.yaml`, grouped by system (overrides: see overrides.ts). */
export function loadMappingDir(dir: string): Map<string, Mapping[]> {
  const systems = new Map<string, Mapping[]>();
  for (const system of readdirSync(dir).sort()) {
    const sub = join(dir, system);
    if (!statSync(sub).isDirectory()) continue;
    const mappings = readdirSync(sub)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => parseMapping(readFileSync(join(sub, f), 'utf8'), join(system, f)));
    for (const m of mappings) {
      if (m.system !== system) throw new MappingSpecError(`${system}/${m.entity}: system "${m.system}" does not match its folder`);
    }
    if (mappings.length) systems.set(system, mappings);
  }
  return systems;
}

export function filePatternMatches(pattern: string, file: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
  return re.test(basename(file));
}
