// The Jena referee of the hand-computed fixtures can fail: a wrong recorded answer is reported, a
// right one is not, on a bare store and on a data directory's generation. Needs Java and Maven, so
// it runs where the referee runs (CI, test:slow).
import oxigraph from 'oxigraph';
import { describe, expect, it } from 'vitest';
import { prepareQuery } from '../../src/query/index.js';
import { REFEREE, refereed, refereeVerdicts } from '../conformance/referee.js';

describe.runIf(REFEREE)('the Jena referee', () => {
  it('reports exactly the recorded answer Jena gives otherwise', async () => {
    const store = new oxigraph.Store();
    const ex = (n: string) => oxigraph.namedNode(`http://example.org/${n}`);
    store.add(oxigraph.quad(ex('a'), ex('p'), oxigraph.literal('1', oxigraph.namedNode('http://www.w3.org/2001/XMLSchema#decimal'))));
    store.add(oxigraph.quad(ex('b'), ex('p'), oxigraph.literal('2.5', oxigraph.namedNode('http://www.w3.org/2001/XMLSchema#decimal'))));
    const prepared = prepareQuery('PREFIX ex: <http://example.org/> SELECT (SUM(?v) AS ?total) (COUNT(*) AS ?n) WHERE { ?s ex:p ?v }', [], {});
    refereed('right', store, prepared, [{ total: '3.5', n: '2' }]);
    refereed('wrong', store, prepared, [{ total: '3.5', n: '3' }]);
    const { checked, differences } = await refereeVerdicts();
    expect(checked).toBe(2);
    expect(differences).toHaveLength(1);
    expect(differences[0]).toMatch(/^wrong: /);
  }, 120_000);
});
