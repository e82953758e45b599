// SPARQL results as text, row by row, so a large result is written out in chunks and never held
// twice as one string. Formats: SPARQL 1.1 JSON, CSV and TSV (W3C Recommendations).
import type { Term } from '@rdfjs/types';

export type ResultFormat = 'json' | 'csv' | 'tsv';

type Row = Map<string, Term>;

export interface Serializer {
  head(vars: string[]): string;
  row(row: Row, index: number): string;
  tail(): string;
  boolean(value: boolean): string;
}

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
const RDF_LANG = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString';

// Written as strings (no intermediate objects): this runs once per value of a large result.
const q = JSON.stringify;

function jsonTerm(t: Term): string {
  switch (t.termType) {
    case 'NamedNode':
      return `{"type":"uri","value":${q(t.value)}}`;
    case 'BlankNode':
      return `{"type":"bnode","value":${q(t.value)}}`;
    case 'Literal': {
      if (t.language) return `{"type":"literal","value":${q(t.value)},"xml:lang":${q(t.language)}}`;
      const dt = t.datatype.value;
      if (dt === XSD_STRING || dt === RDF_LANG) return `{"type":"literal","value":${q(t.value)}}`;
      return `{"type":"literal","value":${q(t.value)},"datatype":${q(dt)}}`;
    }
    default:
      return `{"type":"literal","value":${q(t.value)}}`;
  }
}

function json(): Serializer {
  let names: [string, string][] = [];
  return {
    head: (v) => ((names = v.map((n) => [n, q(n)])), `{"head":{"vars":${q(v)}},"results":{"bindings":[`),
    row: (row, i) => {
      let out = i ? ',{' : '{';
      let first = true;
      for (const [name, quoted] of names) {
        const t = row.get(name);
        if (!t) continue;
        out += (first ? '' : ',') + quoted + ':' + jsonTerm(t);
        first = false;
      }
      return out + '}';
    },
    tail: () => ']}}',
    boolean: (value) => `{"head":{},"boolean":${value}}`,
  };
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** SPARQL 1.1 CSV: values without datatype or language, blank nodes as `_:label`. */
const csvTerm = (t: Term | undefined) => (!t ? '' : t.termType === 'BlankNode' ? `_:${t.value}` : t.value);

function csv(): Serializer {
  let vars: string[] = [];
  return {
    head: (v) => ((vars = v), v.map(csvField).join(',') + '\r\n'),
    row: (row) => vars.map((n) => csvField(csvTerm(row.get(n)))).join(',') + '\r\n',
    tail: () => '',
    boolean: (value) => `_askResult\r\n${value}\r\n`,
  };
}

function tsvTerm(t: Term | undefined): string {
  if (!t) return '';
  if (t.termType === 'NamedNode') return `<${t.value}>`;
  if (t.termType === 'BlankNode') return `_:${t.value}`;
  if (t.termType !== 'Literal') return t.value;
  const body = '"' + t.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
  if (t.language) return `${body}@${t.language}`;
  if (t.datatype.value === XSD_STRING) return body;
  return `${body}^^<${t.datatype.value}>`;
}

function tsv(): Serializer {
  let vars: string[] = [];
  return {
    head: (v) => ((vars = v), v.map((n) => `?${n}`).join('\t') + '\n'),
    row: (row) => vars.map((n) => tsvTerm(row.get(n))).join('\t') + '\n',
    tail: () => '',
    boolean: (value) => `?_askResult\n"${value}"^^<http://www.w3.org/2001/XMLSchema#boolean>\n`,
  };
}

export function serializer(format: ResultFormat): Serializer {
  return format === 'json' ? json() : format === 'csv' ? csv() : tsv();
}

type Pattern = { type?: string; triples?: unknown[]; patterns?: Pattern[]; variable?: { value: string }; values?: Record<string, unknown>[]; variables?: unknown[]; name?: { termType?: string; value: string } };

/** Variables of a term or property path, in order of appearance. */
function termVariables(t: unknown, out: Set<string>): void {
  if (t === null || typeof t !== 'object') return;
  const term = t as { termType?: string; value?: string; items?: unknown[] };
  if (term.termType === 'Variable') out.add(term.value!);
  else if (term.termType === 'Quad' || !term.termType) for (const v of Object.values(term)) termVariables(v, out);
}

/**
 * The in-scope variables of a group pattern (SPARQL 1.1 §18.2.1), in order of appearance: what
 * `SELECT *` projects. FILTER-only variables, MINUS's right side and EXISTS are not in scope.
 */
export function inScopeVariables(patterns: Pattern[], out = new Set<string>()): Set<string> {
  for (const p of patterns) {
    switch (p.type) {
      case 'bgp':
        for (const triple of p.triples ?? []) termVariables(triple, out);
        break;
      case 'bind':
        out.add(p.variable!.value);
        break;
      case 'values':
        for (const row of p.values ?? []) for (const key of Object.keys(row)) out.add(key.replace(/^\?/, ''));
        break;
      case 'query':
        for (const v of projectedVariables(p, [])) out.add(v);
        break;
      case 'graph':
        if (p.name?.termType === 'Variable') out.add(p.name.value);
        inScopeVariables(p.patterns ?? [], out);
        break;
      case 'group': case 'optional': case 'union': case 'service':
        inScopeVariables(p.patterns ?? [], out);
        break;
      default: // filter, minus: no new variables in scope
    }
  }
  return out;
}

/** The variables of a SELECT, in projection order; for `SELECT *` every in-scope variable. */
export function projectedVariables(ast: { variables?: unknown[]; where?: unknown[] }, rows: Row[]): string[] {
  const items = ast.variables ?? [];
  if (items.some((v) => (v as { termType?: string }).termType === 'Wildcard') && ast.where) return [...inScopeVariables(ast.where as Pattern[])];
  const vars = items.flatMap((v) => {
    const item = v as { termType?: string; value?: string; variable?: { value: string } };
    if (item.termType === 'Wildcard') return [];
    return [item.variable?.value ?? item.value!];
  });
  if (vars.length) return vars;
  return [...new Set(rows.flatMap((r) => [...r.keys()]))];
}

/** Cut a result into chunks of about `chunkBytes`; the generator is pulled as the sink drains. */
export function* chunks(s: Serializer, vars: string[], rows: Row[], chunkBytes = 64 * 1024): Generator<string> {
  let buf = s.head(vars);
  for (let i = 0; i < rows.length; i++) {
    buf += s.row(rows[i]!, i);
    if (buf.length >= chunkBytes) {
      yield buf;
      buf = '';
    }
  }
  buf += s.tail();
  if (buf) yield buf;
}

/**
 * The KIK-V response body: `{"resultset":[{"id":…,"result":<SPARQL JSON>},…]}`, written around
 * streamed SPARQL JSON results so the whole answer is never one string.
 */
export const resultset = {
  open: (id: string) => `{"resultset":[{"id":${JSON.stringify(id)},"result":`,
  next: (id: string) => `},{"id":${JSON.stringify(id)},"result":`,
  close: () => '}]}',
};
