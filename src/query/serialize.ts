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

function csv(): Serializer {
  let vars: string[] = [];
  return {
    head: (v) => ((vars = v), v.map(csvField).join(',') + '\r\n'),
    row: (row) => vars.map((n) => csvField(row.get(n)?.value ?? '')).join(',') + '\r\n',
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

/** The variables of a SELECT, in projection order (Oxigraph's rows only hold bound ones). */
export function projectedVariables(ast: { variables?: unknown[] }, rows: Row[]): string[] {
  const vars = (ast.variables ?? []).flatMap((v) => {
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
