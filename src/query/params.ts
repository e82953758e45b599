// Parameters of validated queries. The official texts carry them as commented lines such as
// `#BIND(2024 AS ?jaar)`; a requester sends only values, which we check against the declared
// constraints and then write into those lines ourselves. The text that runs is the validated
// query plus activated BINDs, never text chosen by the requester.
import { z } from 'zod';
import { NS } from '../rdf/index.js';
import { QueryError } from './errors.js';

export const parameterSpec = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  type: z.enum(['integer', 'string', 'date', 'iri']),
  description: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  pattern: z.string().optional(),
  enum: z.array(z.string()).optional(),
  /** Inclusive bounds of a date parameter (yyyy-mm-dd), e.g. from a published SHACL shape. */
  minDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  maxDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  /** A value to try the indicator with (from the query's own commented BIND, or a convention). */
  example: z.union([z.string(), z.number()]).optional(),
});

export type ParameterSpec = z.infer<typeof parameterSpec>;
export type ParameterValue = string | number;

/** A textual placeholder `$(name)` (NZa profiles): filled in with a checked value before parsing. */
export const PLACEHOLDER = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g;

/** `#BIND(<expr> AS ?name)` with any whitespace, optional trailing dot and comment. */
const COMMENTED_BIND = /^(\s*)#\s*BIND\s*\((.+?)\s+AS\s+\?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*\.?\s*(?:#.*)?$/i;

export interface CommentedBind {
  line: number; // 0-based
  name: string;
  expression: string;
  /** Index of the run of consecutive commented BIND lines this one belongs to. */
  group: number;
}

export function findCommentedBinds(text: string): CommentedBind[] {
  const binds: CommentedBind[] = [];
  let group = -1, previous = -2;
  text.split('\n').forEach((line, i) => {
    const m = COMMENTED_BIND.exec(line.replace(/\r$/, ''));
    if (!m) return;
    if (i !== previous + 1) group++;
    previous = i;
    binds.push({ line: i, name: m[3]!, expression: m[2]!.trim(), group });
  });
  return binds;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** More parameters than any indicator declares are refused before they are looked at one by one. */
export const MAX_PARAMETERS = 64;

export function checkParameterCount(values: Record<string, unknown>): void {
  let n = 0;
  for (const _ in values) if (++n > MAX_PARAMETERS) throw new QueryError('invalid_parameter', `more than ${MAX_PARAMETERS} parameters`);
}

/** Names for an error text: a few, each cut short, and how many more (never the whole input). */
export function listNames(names: string[], shown = 5): string {
  const cut = names.slice(0, shown).map((n) => (n.length > 64 ? `${n.slice(0, 64)}…` : n));
  return cut.join(', ') + (names.length > shown ? ` and ${names.length - shown} more` : '');
}

/** Check one value against its declaration and render it as a SPARQL term. */
export function renderValue(spec: ParameterSpec, value: unknown): string {
  const bad = (why: string) => new QueryError('invalid_parameter', `${spec.name}: ${why}`);
  switch (spec.type) {
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw bad('expected an integer');
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw bad(`outside ${spec.min ?? ''}..${spec.max ?? ''}`);
      return String(n);
    }
    case 'string': {
      if (typeof value !== 'string') throw bad('expected a string');
      if (spec.enum && !spec.enum.includes(value)) throw bad(`expected one of ${spec.enum.join(', ')}`);
      if (spec.pattern && !new RegExp(spec.pattern).test(value)) throw bad(`does not match ${spec.pattern}`);
      return JSON.stringify(value);
    }
    case 'date': {
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value + 'T00:00:00Z')) || new Date(value + 'T00:00:00Z').toISOString().slice(0, 10) !== value) {
        throw bad('expected a date yyyy-mm-dd');
      }
      if ((spec.minDate && value < spec.minDate) || (spec.maxDate && value > spec.maxDate)) throw bad(`outside ${spec.minDate ?? ''}..${spec.maxDate ?? ''}`);
      return `"${value}"^^<${NS.xsd}date>`;
    }
    case 'iri': {
      if (typeof value !== 'string') throw bad('expected an IRI');
      const full = /^[a-z][a-z-]*:[A-Za-z0-9_]+$/.test(value) && value.split(':')[0]! in NS ? NS[value.split(':')[0] as keyof typeof NS] + value.split(':')[1] : value;
      if (!/^https?:\/\/[^\s<>"{}|\\^`]+$/.test(full)) throw bad('expected an http(s) IRI');
      if (spec.enum && !spec.enum.includes(full)) throw bad(`expected one of ${spec.enum.join(', ')}`);
      if (spec.pattern && !new RegExp(spec.pattern).test(full)) throw bad(`does not match ${spec.pattern}`);
      return `<${full}>`;
    }
  }
}

export interface Activation {
  text: string;
  /** Declared parameters that have no BIND line in this query (their value has no effect). */
  unused: string[];
}

/**
 * Check the values against the declarations and activate the commented BIND lines: every copy
 * (sub-selects repeat them), but only the first line for a name within one run of lines
 * (a run may list alternatives).
 */
export function activateParameters(text: string, declared: ParameterSpec[], values: Record<string, unknown>): Activation {
  checkParameterCount(values);
  const unknown = Object.keys(values).filter((name) => !declared.some((p) => p.name === name));
  if (unknown.length) throw new QueryError('unknown_parameter', listNames(unknown));

  const rendered = new Map<string, string>();
  for (const spec of declared) {
    if (values[spec.name] === undefined || values[spec.name] === null) throw new QueryError('missing_parameter', spec.name);
    rendered.set(spec.name, renderValue(spec, values[spec.name]));
  }
  const lines = text.split('\n');
  const activated = new Set<string>();
  const firstInGroup = new Set<string>();
  for (const bind of findCommentedBinds(text)) {
    const term = rendered.get(bind.name);
    if (term === undefined) continue; // a commented BIND of something that is not a parameter
    const key = `${bind.group}/${bind.name}`;
    if (firstInGroup.has(key)) continue;
    firstInGroup.add(key);
    const indent = /^\s*/.exec(lines[bind.line]!)![0];
    lines[bind.line] = `${indent}BIND(${term} AS ?${bind.name})`;
    activated.add(bind.name);
  }
  // Placeholders outside comment lines get the same rendered terms; one with no value is refused.
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*#/.test(lines[i]!)) continue;
    lines[i] = lines[i]!.replace(PLACEHOLDER, (_, name: string) => {
      const term = rendered.get(name);
      if (term === undefined) throw new QueryError('missing_parameter', name);
      activated.add(name);
      return term;
    });
  }
  return { text: lines.join('\n'), unused: declared.map((p) => p.name).filter((n) => !activated.has(n)) };
}
