// A nursing home's own mapping folder on top of the shipped one (config `mappings.overrides`),
// instead of a copy of all of them: under <overrides>/<system>/, a file with `triples` is a whole
// mapping that replaces the shipped one of that system and entity (or adds an entity); a file
// without is a patch that adds file name patterns, header aliases and date patterns to a shipped
// mapping. Everything is checked when it loads. Reference: docs/mapping-format.md.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { dateFormatProblem } from '../ingest/index.js';
import { loadMappingDir, MappingSpecError, parseMapping, type Mapping } from './spec.js';

const datePattern = z.string().superRefine((f, ctx) => {
  const problem = dateFormatProblem(f);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const patchSchema = z.strictObject({
  system: z.string().regex(/^[a-z0-9-]+$/),
  entity: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().optional(),
  /** File name patterns read besides the shipped ones. */
  files: z.array(z.string().min(1)).min(1).optional(),
  /** Per column: header names tried after the shipped ones (a renamed column). */
  aliases: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
  /** Per date column: patterns tried before the shipped ones and import.dateFormats. */
  dateFormats: z.record(z.string(), z.array(datePattern).min(1)).optional(),
});
type Patch = z.infer<typeof patchSchema>;

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code === 'unrecognized_keys' ? `unknown key ${i.keys.join(', ')}` : i.message}`).join('; ');
}

function applyPatch(mapping: Mapping, patch: Patch, file: string): Mapping {
  const columns = { ...mapping.columns };
  const column = (name: string, what: string) => {
    const spec = columns[name];
    if (!spec) throw new MappingSpecError(`${file}: ${what} names column "${name}", which ${mapping.system}/${mapping.entity} does not have; its columns: ${Object.keys(columns).join(', ')}`);
    return spec;
  };
  for (const [name, aliases] of Object.entries(patch.aliases ?? {})) {
    const spec = column(name, 'aliases');
    const shipped = spec.source === undefined ? [name] : Array.isArray(spec.source) ? spec.source : [spec.source];
    columns[name] = { ...spec, source: [...new Set([...shipped, ...aliases])] };
  }
  for (const [name, formats] of Object.entries(patch.dateFormats ?? {})) {
    const spec = column(name, 'dateFormats');
    if (spec.type !== 'date' && spec.type !== 'dateTime') throw new MappingSpecError(`${file}: dateFormats names column "${name}", which is not a date column`);
    columns[name] = { ...spec, dateFormats: [...formats, ...(spec.dateFormats ?? [])] };
  }
  return { ...mapping, files: [...mapping.files, ...(patch.files ?? [])], columns };
}

/** The shipped mappings in `dir` with the overrides in `overridesDir` (when given) applied. */
export function loadMappings(dir: string, overridesDir?: string): Map<string, Mapping[]> {
  const systems = loadMappingDir(dir);
  if (!overridesDir) return systems;
  if (!existsSync(overridesDir) || !statSync(overridesDir).isDirectory()) throw new MappingSpecError(`mapping overrides folder ${overridesDir} does not exist`);
  for (const system of readdirSync(overridesDir).sort()) {
    const sub = join(overridesDir, system);
    if (!statSync(sub).isDirectory()) continue;
    for (const name of readdirSync(sub).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const file = join(system, name);
      const text = readFileSync(join(sub, name), 'utf8');
      let raw: unknown;
      try {
        raw = parseYaml(text);
      } catch (error) {
        throw new MappingSpecError(`${file}: ${(error as Error).message}`);
      }
      const whole = typeof raw === 'object' && raw !== null && 'triples' in raw;
      const entry = whole ? parseMapping(text, file) : patchSchema.safeParse(raw);
      let next: Mapping;
      const list = systems.get(system) ?? [];
      if ('success' in entry) {
        if (!entry.success) throw new MappingSpecError(`${file}: ${issues(entry.error)}`);
        if (entry.data.system !== system) throw new MappingSpecError(`${file}: system "${entry.data.system}" does not match its folder`);
        const shipped = list.find((m) => m.entity === entry.data.entity);
        if (!shipped) throw new MappingSpecError(`${file}: no shipped mapping ${system}/${entry.data.entity} to patch (a file with triples adds a mapping)`);
        next = applyPatch(shipped, entry.data, file);
      } else {
        if (entry.system !== system) throw new MappingSpecError(`${file}: system "${entry.system}" does not match its folder`);
        next = entry;
      }
      const at = list.findIndex((m) => m.entity === next.entity);
      systems.set(system, at < 0 ? [...list, next] : list.map((m, i) => (i === at ? next : m)));
    }
  }
  return systems;
}
