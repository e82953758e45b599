// The `rdf` source: Turtle, N-Triples, N-Quads (named graphs merged into the default graph) and
// RDF/XML are imported as they are; a file with a syntax error is quarantined with its line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/importer/index.js';
import { EmbeddedStore } from '../src/store/index.js';
import { selectRows, testConfig, writeFixture } from './helpers.js';

const ONZ = 'http://purl.org/ozo/onz-g#';

describe('RDF as a source', () => {
  it('imports every syntax into the default graph, with superclass types, and reports a broken file with its line', async () => {
    const dir = writeFixture({
      'rdf/people.ttl': `@prefix onz-g: <${ONZ}> .\n<https://x.example/p1> a onz-g:Human ; onz-g:hasDateOfDeath "2024-03-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n`,
      'rdf/more.nt': `<https://x.example/p2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${ONZ}Human> .\n`,
      'rdf/graphs.nq': `<https://x.example/p3> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <${ONZ}Human> <https://x.example/graph> .\n`,
      'rdf/legacy.rdf': `<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:onz-g="${ONZ}">\n  <onz-g:Human rdf:about="https://x.example/p4"/>\n</rdf:RDF>\n`,
      'rdf/broken.ttl': `@prefix onz-g: <${ONZ}> .\n<https://x.example/p5> a onz-g:Human .\n<https://x.example/p6> a onz-g:Human onz-g:Human .\n`,
    });
    const config = testConfig();
    const summary = await runImport(config, { inputs: [dir] });
    expect(summary.systems.map((s) => s.system)).toEqual(['rdf']);
    expect(summary.quarantineByReason).toEqual({ rdf_syntax: 1 });
    const quarantine = readFileSync(join(summary.reportDir, 'quarantine.csv'), 'utf8');
    expect(quarantine).toMatch(/broken\.ttl,3,/);
    const store = await EmbeddedStore.open(config.dataDir);
    const humans = await selectRows(store, `SELECT ?h WHERE { ?h a <${ONZ}Human> } ORDER BY ?h`);
    // p5 is in the broken file: the file is all or nothing
    expect(humans.map((r) => r.h)).toEqual(['https://x.example/p1', 'https://x.example/p2', 'https://x.example/p3', 'https://x.example/p4']);
    const named = await selectRows(store, 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }');
    expect(named[0]!.n).toBe('0');
  });
});
