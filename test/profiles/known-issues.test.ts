// The minimal demonstrations of profiles/KNOWN-ISSUES.md, on the engine we run.
import oxigraph from 'oxigraph';
import sparqljs from 'sparqljs';
import { describe, expect, it } from 'vitest';
import { calendarStore } from '../helpers.js';

describe('known issues of the published profiles', () => {
  it('1: an outer binding is not in scope inside a UNION branch (only the organisation row)', () => {
    const store = new oxigraph.Store();
    const rows = store.query(
      'SELECT ?rij WHERE { VALUES ?locatie { <http://example.org/locatie1> } { { FILTER(BOUND(?locatie)) BIND("per locatie" AS ?rij) } UNION { BIND("organisatie" AS ?rij) } } }',
    ) as Map<string, { value: string }>[];
    expect(rows.map((r) => r.get('rij')?.value)).toEqual(['organisatie']);
  });

  it('2: binding a variable already in scope is refused by a strict parser and by Oxigraph', () => {
    const text = 'SELECT * WHERE { ?s ?p ?o . BIND(1 AS ?o) }';
    expect(() => new sparqljs.Parser().parse(text)).toThrow(/already bound/);
    expect(() => new oxigraph.Store().query(text)).toThrow();
  });

  it('6: a FILTER(BOUND(?d)) inside an OPTIONAL sees the calendar\'s date: an unbound outer date pairs with every day', () => {
    const text = `PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?x ?n WHERE { VALUES ?x { 1 } OPTIONAL { FILTER(BOUND(?d)) ?d ^time:inXSDDate/time:inTemporalPosition/time:numericPosition ?n } }`;
    expect(calendarStore(2024, 2024).query(text)).toHaveLength(366);
  });
});
