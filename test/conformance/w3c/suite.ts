// The W3C SPARQL 1.0/1.1 test suites (../shared/conformance/w3c-sparql, unmodified): manifests,
// data and expected results read as the suite defines them, for the differential in w3c.test.ts.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { Parser, type Quad, type Term } from 'n3';

export const SUITE = join(import.meta.dirname, '../../../../shared/conformance/w3c-sparql');
const MF = 'http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#';
const QT = 'http://www.w3.org/2001/sw/DataAccess/tests/test-query#';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
// Groups that test something other than a query engine over one dataset.
const OTHER = /entailment|update|protocol|service|http-rdf|graph-store|syntax-fed|add$|clear|copy|delete|drop|move|basic-update|syntax-update/;

export interface SuiteTest {
  id: string;
  kind: 'eval' | 'positive-syntax' | 'negative-syntax';
  query: string; // file path
  data: string[];
  graphData: string[];
  result?: string;
}

function list(quads: Quad[], head: Term): Term[] {
  const out: Term[] = [];
  let node: Term | undefined = head;
  while (node && node.value !== RDF + 'nil') {
    const first = quads.find((q) => q.subject.equals(node!) && q.predicate.value === RDF + 'first');
    if (first) out.push(first.object);
    node = quads.find((q) => q.subject.equals(node!) && q.predicate.value === RDF + 'rest')?.object;
  }
  return out;
}

export function suiteTests(): SuiteTest[] {
  const tests: SuiteTest[] = [];
  for (const version of ['sparql10', 'sparql11']) {
    for (const group of readdirSync(join(SUITE, version)).sort()) {
      const manifest = join(SUITE, version, group, 'manifest.ttl');
      if (OTHER.test(group) || !existsSync(manifest)) continue;
      const base = pathToFileURL(manifest).href;
      const quads = new Parser({ baseIRI: base }).parse(readFileSync(manifest, 'utf8'));
      const objects = (s: Term, p: string) => quads.filter((q) => q.subject.equals(s) && q.predicate.value === p).map((q) => q.object);
      const entries = quads.filter((q) => q.predicate.value === MF + 'entries').flatMap((q) => list(quads, q.object));
      for (const entry of entries) {
        const type = objects(entry, RDF + 'type')[0]?.value ?? '';
        const kind = /QueryEvaluationTest$/.test(type) ? 'eval' : /PositiveSyntaxTest(11)?$/.test(type) ? 'positive-syntax' : /NegativeSyntaxTest(11)?$/.test(type) ? 'negative-syntax' : undefined;
        if (!kind) continue;
        const action = objects(entry, MF + 'action')[0];
        if (!action) continue;
        const file = (t: Term) => decodeURIComponent(new URL(t.value).pathname);
        const query = kind === 'eval' ? objects(action, QT + 'query')[0] : action;
        if (!query) continue;
        const result = objects(entry, MF + 'result')[0];
        tests.push({
          id: `${version}/${group}/${entry.value.split('#').pop()}`,
          kind,
          query: file(query),
          data: kind === 'eval' ? objects(action, QT + 'data').map(file) : [],
          graphData: kind === 'eval' ? objects(action, QT + 'graphData').map(file) : [],
          ...(result ? { result: file(result) } : {}),
        });
      }
    }
  }
  return tests;
}

/** One solution as comparable text: variable=term, blank-node labels erased. */
export type Solutions = string[] | boolean;
const termKey = (type: string, value: string, extra = '') => (type === 'bnode' ? '_' : `${type}:${value}${extra}`);

/** Expected results in SRX or SRJ (undefined for formats compared elsewhere). */
export function expectedSolutions(path: string): Solutions | undefined {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.srj')) {
    const json = JSON.parse(text) as { boolean?: boolean; results?: { bindings: Record<string, { type: string; value: string; datatype?: string; 'xml:lang'?: string }>[] } };
    if (typeof json.boolean === 'boolean') return json.boolean;
    return json.results!.bindings.map((b) => Object.entries(b).map(([k, t]) => `${k}=${termKey(t.type === 'typed-literal' ? 'literal' : t.type, t.value, t.datatype ? `^^${t.datatype}` : t['xml:lang'] ? `@${t['xml:lang'].toLowerCase()}` : '')}`).sort().join(' ')).sort();
  }
  if (!path.endsWith('.srx')) return undefined;
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'result' || name === 'binding', textNodeName: '#text', parseTagValue: false, trimValues: false }).parse(text) as { sparql: { boolean?: string; results?: { result?: { binding: Record<string, unknown>[] }[] } } };
  if (xml.sparql.boolean !== undefined) return String(xml.sparql.boolean).trim() === 'true';
  const str = (v: unknown): string => {
    const inner = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['#text'] : v;
    return typeof inner === 'string' || typeof inner === 'number' || typeof inner === 'boolean' ? String(inner) : '';
  };
  return (xml.sparql.results?.result ?? []).map((r) => (r.binding ?? []).map((b) => {
    const name = b['@name'] as string;
    if ('uri' in b) return `${name}=${termKey('uri', str(b.uri).trim())}`;
    if ('bnode' in b) return `${name}=_`;
    const l = b.literal as Record<string, unknown> | string;
    const attrs = typeof l === 'object' && l !== null ? l : {};
    const dt = attrs['@datatype'] as string | undefined, lang = attrs['@xml:lang'] as string | undefined;
    return `${name}=${termKey('literal', str(l), dt ? `^^${dt}` : lang ? `@${lang.toLowerCase()}` : '')}`;
  }).sort().join(' ')).sort();
}
