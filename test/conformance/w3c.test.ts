// The W3C SPARQL 1.0/1.1 query suites through our pipeline (police → parameters → compatibility
// layer → Oxigraph) against bare Oxigraph on the same data. The gate: every test bare Oxigraph
// passes, the pipeline passes too, except for the listed policy refusals (FROM / FROM NAMED).
// Where the two answer differently, the suite's expected result (SRX/SRJ) decides who is right.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import oxigraph from 'oxigraph';
import { describe, expect, it } from 'vitest';
import { prepareQuery, QueryError } from '../../src/query/index.js';
import { norm, solutions } from './w3c/solutions.js';
import { expectedSolutions, SUITE, suiteTests, type Solutions, type SuiteTest } from './w3c/suite.js';

const FORMATS: Record<string, string> = { ttl: 'text/turtle', nt: 'application/n-triples', rdf: 'application/rdf+xml', n3: 'text/turtle' };
function storeFor(test: SuiteTest): oxigraph.Store {
  const store = new oxigraph.Store();
  const load = (file: string, graph?: string) => store.load(readFileSync(file, 'utf8'), { format: FORMATS[file.split('.').pop()!] ?? 'text/turtle', base_iri: pathToFileURL(file).href, ...(graph ? { to_graph_name: oxigraph.namedNode(graph) } : {}) });
  for (const d of test.data) load(d);
  for (const g of test.graphData) load(g, pathToFileURL(g).href);
  return store;
}

type Outcome = { ok: true; value: Solutions | string } | { ok: false; error: string; policy?: boolean };
function run(store: oxigraph.Store, text: string, base: string): Outcome {
  try {
    return { ok: true, value: solutions(store.query(text, { base_iri: base })) };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0]!.slice(0, 120) };
  }
}
function viaPipeline(store: oxigraph.Store, text: string, base: string): Outcome {
  let engineText: string;
  try {
    engineText = prepareQuery(text, [], {}).engineText;
  } catch (error) {
    const policy = error instanceof QueryError && error.code === 'dataset_not_allowed';
    return { ok: false, error: error instanceof QueryError ? error.code : String(error), policy };
  }
  return run(store, engineText, base);
}

const same = (a: Outcome, b: Outcome) => a.ok === b.ok && (!a.ok || JSON.stringify(a.value) === JSON.stringify((b as { value: unknown }).value));
const matches = (o: Outcome, expected: Solutions | undefined) => o.ok && expected !== undefined && JSON.stringify(norm(o.value as Solutions)) === JSON.stringify(norm(expected));

describe.skipIf(!existsSync(SUITE))('W3C SPARQL suites: pipeline vs bare Oxigraph', () => {
  it('passes every test bare Oxigraph passes (policy refusals listed)', { timeout: 600_000 }, () => {
    const tally = { eval: 0, identical: 0, policy: [] as string[], fixed: [] as string[], regressions: [] as string[], undecided: [] as string[], syntax: 0, syntaxRegressions: [] as string[] };
    for (const test of suiteTests()) {
      const base = pathToFileURL(test.query).href;
      // The suite's queries mean their IRIs relative to the file: say so in the text, for both sides.
      const text = `BASE <${base}>\n${readFileSync(test.query, 'utf8')}`;
      if (test.kind !== 'eval') {
        if (test.kind === 'negative-syntax') continue; // the pipeline ends in Oxigraph: it refuses what Oxigraph refuses
        tally.syntax++;
        const store = new oxigraph.Store();
        const bare = run(store, text, base), ours = viaPipeline(store, text, base);
        if (bare.ok && !ours.ok && !('policy' in ours && ours.policy)) tally.syntaxRegressions.push(`${test.id}: ${ours.error}`);
        if (!ours.ok && ours.policy) tally.policy.push(test.id);
        continue;
      }
      tally.eval++;
      let store: oxigraph.Store;
      try {
        store = storeFor(test);
      } catch {
        continue; // data Oxigraph cannot load: neither side runs
      }
      const bare = run(store, text, base), ours = viaPipeline(store, text, base);
      if (same(bare, ours)) { tally.identical++; continue; }
      if (!ours.ok && ours.policy) { tally.policy.push(test.id); continue; }
      if (bare.ok && !ours.ok) { tally.regressions.push(`${test.id}: ${ours.error}`); continue; }
      const expected = test.result ? expectedSolutions(test.result) : undefined;
      if (expected === undefined) tally.undecided.push(`${test.id}: bare ${bare.ok ? 'answers' : bare.error}, ours ${ours.ok ? 'answers' : ours.error}`);
      else if (matches(bare, expected) && !matches(ours, expected)) tally.regressions.push(`${test.id}: ${ours.ok ? 'other answer' : ours.error}`);
      else if (matches(ours, expected) && !matches(bare, expected)) tally.fixed.push(test.id);
      else tally.undecided.push(`${test.id}: neither matches the expected result`);
    }
    console.log(`W3C: ${tally.eval} evaluation tests, ${tally.identical} identical to bare Oxigraph, ${tally.fixed.length} fixed by the layer (${tally.fixed.join(', ')}), ${tally.policy.length} policy refusals, ${tally.undecided.length} undecided; ${tally.syntax} positive syntax tests`);
    for (const u of tally.undecided) console.log(`  undecided ${u}`);
    console.log(`  policy refusals: ${tally.policy.join(', ')}`);
    // sparqljs cannot parse a blank-node property list in a CONSTRUCT template (it throws inside
    // its parser); the query cannot be policed, so it is refused. KNOWN-ISSUES 12.
    expect(tally.regressions).toEqual(['sparql10/construct/construct-3: unparseable_query']);
    expect(tally.syntaxRegressions).toEqual([]);
    expect(tally.eval).toBeGreaterThan(400);
  });
});
