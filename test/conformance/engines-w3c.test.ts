// A sample of the W3C SPARQL suites (../shared/conformance/w3c-sparql, unmodified) on each remote
// engine, through our pipeline (police → compat text or validated text, as the engine's profile
// says), against the suite's expected results, beside the embedded engine on the same sample.
// A report: the tests the embedded engine passes and an engine fails are listed per engine.
// SLOW=1; engines from scripts/ci (skipped outside CI if absent).
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import oxigraph from 'oxigraph';
import { Parser, Writer } from 'n3';
import { describe, expect, it } from 'vitest';
import { prepareQuery } from '../../src/query/index.js';
import { RemoteStore } from '../../src/store/index.js';
import { ENGINES_UNDER_TEST, skipReason, startServer } from '../store/servers.js';
import { norm, solutions } from './w3c/solutions.js';
import { expectedSolutions, SUITE, suiteTests, type Solutions, type SuiteTest } from './w3c/suite.js';

const enabled = existsSync(SUITE) && process.env.SLOW === '1';
/** Every 4th evaluation test over one Turtle/N-Triples file with an SRX/SRJ result, policed as a requester's query would be. */
function sample(): { test: SuiteTest; text: string; source: string; nt: string }[] {
  const out = [];
  const candidates = suiteTests().filter((t) => t.kind === 'eval' && t.graphData.length === 0 && t.data.length === 1 && /\.(ttl|nt)$/.test(t.data[0]!) && /\.sr[jx]$/.test(t.result ?? ''));
  for (const [i, test] of candidates.entries()) {
    if (i % 4 !== 0) continue;
    const text = `BASE <${pathToFileURL(test.query).href}>\n${readFileSync(test.query, 'utf8')}`;
    let prepared;
    try {
      prepared = prepareQuery(text, [], {});
    } catch {
      continue; // refused by policy or unparseable by the police: neither side runs it
    }
    let nt: string;
    try {
      // Relative IRIs resolved against the file, as the embedded side loads it; sent as N-Triples.
      const quads = new Parser({ baseIRI: pathToFileURL(test.data[0]!).href }).parse(readFileSync(test.data[0]!, 'utf8'));
      nt = new Writer({ format: 'N-Triples' }).quadsToString(quads);
    } catch {
      continue;
    }
    out.push({ test, text: prepared.engineText, source: prepared.text, nt });
  }
  return out;
}

describe.runIf(enabled)('W3C suite sample on each remote engine', () => {
  for (const engine of ENGINES_UNDER_TEST) {
    const reason = skipReason(engine);
    it.skipIf(!!reason)(`${engine}: passes reported beside the embedded engine`, async () => {
      const server = await startServer(engine, { serverTimeoutS: 30 });
      try {
        const store = new RemoteStore({ ...server.config, timeoutMs: 30_000 });
        const cases = sample();
        let embeddedPass = 0, enginePass = 0;
        const lost: string[] = [], gained: string[] = [];
        for (const [i, c] of cases.entries()) {
          const expected = expectedSolutions(c.test.result!)!;
          const local = new oxigraph.Store();
          local.load(c.nt, { format: 'application/n-triples' });
          let ours: Solutions | string | undefined;
          try {
            ours = solutions(local.query(c.text));
          } catch {
            ours = undefined;
          }
          const graph = `urn:kikv-w3c:${i}`;
          const url = new URL(server.config.gsp);
          url.searchParams.set('graph', graph);
          const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/n-triples' }, body: c.nt || '\n' });
          await put.body?.cancel();
          let theirs: Solutions | string | undefined;
          try {
            theirs = solutions(await store.queryGraph(store.profile.rewrites === 'none' ? c.source : c.text, graph));
          } catch {
            theirs = undefined;
          }
          const okOurs = ours !== undefined && JSON.stringify(norm(ours)) === JSON.stringify(norm(expected));
          const okTheirs = theirs !== undefined && JSON.stringify(norm(theirs)) === JSON.stringify(norm(expected));
          if (okOurs) embeddedPass++;
          if (okTheirs) enginePass++;
          if (okOurs && !okTheirs) lost.push(c.test.id);
          if (okTheirs && !okOurs) gained.push(c.test.id);
        }
        console.log(`W3C sample on ${engine}: ${cases.length} tests; embedded passes ${embeddedPass}, ${engine} passes ${enginePass}`);
        console.log(`  passed by embedded, failed by ${engine}: ${lost.join(', ') || 'none'}`);
        console.log(`  passed by ${engine}, failed by embedded: ${gained.join(', ') || 'none'}`);
        expect(cases.length).toBeGreaterThan(40);
        expect(enginePass).toBeGreaterThan(0);
      } finally {
        await server.stop();
      }
    }, 1_800_000);
  }
});
