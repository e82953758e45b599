// Query results as comparable text, for the W3C differentials (w3c.test.ts, engines-w3c.test.ts):
// one sorted line per solution or triple, blank-node labels erased, xsd:string made implicit.
import type { Solutions } from './suite.js';

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
const LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString';
type T = { termType: string; value: string; language?: string; datatype?: { value: string } };

function key(t: T): string {
  if (t.termType === 'BlankNode') return '_';
  if (t.termType === 'NamedNode') return `uri:${t.value}`;
  const dt = t.datatype?.value;
  return `literal:${t.value}${t.language ? `@${t.language.toLowerCase()}` : dt && dt !== XSD_STRING && dt !== LANG_STRING ? `^^${dt}` : ''}`;
}

/** An RDF/JS result (boolean, bindings or triples; a string passes through) as Solutions. */
export function solutions(result: unknown): Solutions | string {
  if (typeof result === 'boolean') return result;
  if (typeof result === 'string') return result;
  const rows = result as (Map<string, T> | { subject: T; predicate: T; object: T })[];
  return rows.map((r) => (r instanceof Map ? [...r].map(([k, t]) => `${k}=${key(t)}`).sort().join(' ') : `${key(r.subject)} ${key(r.predicate)} ${key(r.object)}`)).sort();
}

/** xsd:string written out or implicit is the same literal. */
export const norm = <S extends Solutions | string | undefined>(s: S): S => (Array.isArray(s) ? (s.map((r) => r.replace(/\^\^http:\/\/www\.w3\.org\/2001\/XMLSchema#string/g, '')) as S) : s);
