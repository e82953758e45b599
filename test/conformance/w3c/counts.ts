// W3C SPARQL pass counts for `npm run bench`: the evaluation tests with an SRX/SRJ expected result
// and no named graphs (what all three can be given the same way), each answered by our pipeline
// (police → compatibility layer → Oxigraph), by bare Oxigraph and by Apache Jena ARQ
// (test/oracle), and compared with the suite's expected solutions (blank-node labels erased).
// Run with tsx (it reads the suite and the oracle from their places in the repository):
//   node --import tsx test/conformance/w3c/counts.ts [--out result.json]
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import oxigraph from 'oxigraph';
import { prepareQuery } from '../../../src/query/index.js';
import { runJenaW3c } from '../../oracle/jena.js';
import { expectedSolutions, SUITE, suiteTests, type Solutions } from './suite.js';

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
const LANG_STRING = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString';
type T = { termType: string; value: string; language?: string; datatype?: { value: string } };
const FORMATS: Record<string, string> = { ttl: 'text/turtle', nt: 'application/n-triples', rdf: 'application/rdf+xml', n3: 'text/turtle' };

// As w3c.test.ts: a solution as sorted `var=term` text.
function key(t: T): string {
  if (t.termType === 'BlankNode') return '_';
  if (t.termType === 'NamedNode') return `uri:${t.value}`;
  const dt = t.datatype?.value;
  return `literal:${t.value}${t.language ? `@${t.language.toLowerCase()}` : dt && dt !== XSD_STRING && dt !== LANG_STRING ? `^^${dt}` : ''}`;
}
const norm = (s: Solutions) => (Array.isArray(s) ? s.map((r) => r.replace(/\^\^http:\/\/www\.w3\.org\/2001\/XMLSchema#string/g, '')) : s);
const solutions = (r: unknown): Solutions | undefined => (typeof r === 'boolean' ? r : Array.isArray(r) && (r.length === 0 || r[0] instanceof Map) ? (r as Map<string, T>[]).map((m) => [...m].map(([k, t]) => `${k}=${key(t)}`).sort().join(' ')).sort() : undefined);
const matches = (got: Solutions | undefined, expected: Solutions) => got !== undefined && JSON.stringify(norm(got)) === JSON.stringify(norm(expected));

function oxigraphAnswer(test: { data: string[] }, text: string, base: string): Solutions | undefined {
  try {
    const store = new oxigraph.Store();
    for (const d of test.data) store.load(readFileSync(d, 'utf8'), { format: FORMATS[d.split('.').pop()!] ?? 'text/turtle', base_iri: pathToFileURL(d).href });
    return solutions(store.query(text, { base_iri: base }));
  } catch {
    return undefined;
  }
}

export interface W3cCounts {
  tests: number;
  ours: number;
  oxigraph: number;
  jena: number | null;
  jenaError?: string;
}

export async function w3cCounts(): Promise<W3cCounts> {
  const tests = suiteTests().filter((t) => t.kind === 'eval' && t.graphData.length === 0 && /\.sr[jx]$/.test(t.result ?? ''));
  const dir = mkdtempSync(join(tmpdir(), 'w3c-jena-'));
  const counts: W3cCounts = { tests: tests.length, ours: 0, oxigraph: 0, jena: 0 };
  const expected = tests.map((t) => expectedSolutions(t.result!)!);
  for (const [i, test] of tests.entries()) {
    const base = pathToFileURL(test.query).href;
    const text = `BASE <${base}>\n${readFileSync(test.query, 'utf8')}`;
    if (matches(oxigraphAnswer(test, text, base), expected[i]!)) counts.oxigraph++;
    let engineText: string | undefined;
    try {
      engineText = prepareQuery(text, [], {}).engineText;
    } catch {
      engineText = undefined; // refused by policy (FROM, SERVICE …) or by the police's parser: a fail
    }
    if (engineText !== undefined && matches(oxigraphAnswer(test, engineText, base), expected[i]!)) counts.ours++;
  }
  try {
    const jobs = tests.map((t, i) => ({ out: join(dir, `${i}.srj`), query: t.query, data: t.data }));
    await runJenaW3c(jobs);
    counts.jena = jobs.filter((j, i) => {
      if (!existsSync(j.out) || 'error' in (JSON.parse(readFileSync(j.out, 'utf8')) as object)) return false;
      return matches(expectedSolutions(j.out), expected[i]!);
    }).length;
  } catch (error) {
    counts.jena = null; // no java/mvn here: reported, not guessed
    counts.jenaError = (error as Error).message.slice(0, 200);
  }
  return counts;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  if (!existsSync(SUITE)) {
    console.error(`no W3C suite at ${SUITE}`);
    process.exit(2);
  }
  const counts = await w3cCounts();
  console.log(`W3C SPARQL, ${counts.tests} evaluation tests with SRX/SRJ results: ours ${counts.ours}, bare Oxigraph ${counts.oxigraph}, Jena ARQ ${counts.jena ?? `not run (${counts.jenaError})`}`);
  const i = process.argv.indexOf('--out');
  if (i > 0) writeFileSync(process.argv[i + 1]!, JSON.stringify(counts, null, 2));
}
