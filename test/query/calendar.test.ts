// The calendar-lookup rewrite gives the same day numbers as the lookup itself, on our calendar:
// first and last day, a leap day, a date outside the calendar; lookups it must not touch stay.
import { describe, expect, it } from 'vitest';
import { compatibleText, parseSparql } from '../../src/query/index.js';
import { calendarStore, oxigraphRows } from '../helpers.js';

const store = calendarStore(2023, 2024);

const query = (date: string) => `PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?n WHERE { BIND(xsd:date("${date}") AS ?d) ?d ^time:inXSDDate/time:inTemporalPosition/time:numericPosition ?n . }`;

const run = (text: string) => (store.query(text) as Map<string, { value: string }>[]).map((r) => r.get('n')?.value);

describe('calendar lookups by arithmetic', () => {
  it.each([['2023-01-01'], ['2024-02-29'], ['2024-03-01'], ['2024-12-31'], ['2022-12-31'], ['2025-01-01']])('agrees with the lookup for %s', (date) => {
    const rewritten = compatibleText(parseSparql(query(date)));
    expect(rewritten).not.toContain('^time:inXSDDate');
    expect(run(rewritten)).toEqual(run(query(date)));
  });

  it('numbers days from 1900-01-01 = 1, as the calendar does', () => {
    expect(run(compatibleText(parseSparql(query('2024-01-01'))))).toEqual(['45291']) // 124 years of which 30 leap (1904–2020): 45290 days after 1900-01-01;
  });

  const optional = (dates: string, inner: string) => `PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?x ?na ?nb ?days WHERE { VALUES (?x ?a ?b) { ${dates} } OPTIONAL { ${inner} } } ORDER BY ?x`;
  const lookup = (d: string, n: string) => `?${d} ^time:inXSDDate/time:inTemporalPosition/time:numericPosition ?${n} .`;
  const runAll = (text: string) => oxigraphRows(store, text);

  it('inlines an OPTIONAL of lookups on outer dates: the same rows, including dates outside the calendar and a false FILTER', () => {
    const dates = '(1 "2024-01-01"^^xsd:date "2024-03-01"^^xsd:date) (2 "2024-12-31"^^xsd:date "2025-01-01"^^xsd:date) (3 "2023-06-01"^^xsd:date "2023-05-01"^^xsd:date) (4 "2024-02-01"^^xsd:dateTime "2024-02-02"^^xsd:date)';
    const text = optional(dates, `FILTER(BOUND(?a) && BOUND(?b) && ?x != 3) ${lookup('a', 'na')} ${lookup('b', 'nb')} BIND(?nb - ?na + 1 AS ?days)`);
    const rewritten = compatibleText(parseSparql(text));
    expect(rewritten).not.toContain('^time:inXSDDate');
    const rows = runAll(rewritten);
    // The reference keeps the defect rewrites (`?nb - ?na + 1` is defect 1 in bare Oxigraph).
    expect(rows).toEqual(runAll(compatibleText(parseSparql(text), { calendarLookups: false })));
    expect(rows[0]).toMatchObject({ x: '1', days: '61' }); // 31 + 29 + 1: 2024 is a leap year
    expect(rows.slice(1).map((r) => r.days)).toEqual([undefined, undefined, undefined]); // outside, filtered, not a date
  });

  it('leaves an OPTIONAL that also matches data, or whose BIND reads an outer variable', () => {
    const dates = '(1 "2024-01-01"^^xsd:date "2024-03-01"^^xsd:date)';
    for (const inner of [`${lookup('a', 'na')} ?na ?p ?o .`, `${lookup('a', 'na')} BIND(?na + ?x AS ?days)`]) {
      const text = optional(dates, inner);
      const rewritten = compatibleText(parseSparql(text));
      expect(rewritten, inner).toContain('^time:inXSDDate');
      expect(runAll(rewritten), inner).toEqual(runAll(compatibleText(parseSparql(text), { calendarLookups: false })));
    }
  });

  it('keeps a one-triple OPTIONAL and the lookup of its date apart from the calendar: no end, two ends, outside the calendar, not a date', () => {
    const periods = calendarStore(2023, 2024);
    periods.load(`@prefix : <urn:x:> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
      :p1 :end "2024-03-01"^^xsd:date . :p3 :end "2024-01-10"^^xsd:date , "2024-02-10"^^xsd:date .
      :p4 :end "2026-01-01"^^xsd:date . :p5 :end "2024-01-05T00:00:00"^^xsd:dateTime .`, { format: 'text/turtle' });
    const text = (before: string) => `PREFIX time: <http://www.w3.org/2006/time#> PREFIX : <urn:x:>
SELECT ?p ?e ?n WHERE { VALUES ?p { :p1 :p2 :p3 :p4 :p5 } ${before} OPTIONAL { ?p :end ?e . ${lookup('e', 'n')} } } ORDER BY ?p ?e`;
    const rows = (t: string) => oxigraphRows(periods, t).map((r) => `${r.p?.slice(6)} ${r.e ?? '-'} ${r.n ?? '-'}`);
    const rewritten = compatibleText(parseSparql(text('')));
    expect(rewritten).not.toContain('^time:inXSDDate');
    expect(rewritten).toMatch(/OPTIONAL \{\s*\?p :end \?e\.\s*FILTER/);
    expect(rows(rewritten)).toEqual(rows(compatibleText(parseSparql(text('')), { calendarLookups: false })));
    expect(rows(rewritten)).toEqual(['p1 2024-03-01 45351', 'p2 - -', 'p3 2024-01-10 45300', 'p3 2024-02-10 45331', 'p4 - -', 'p5 - -']);
    // a pattern before it names the day number: the lookup is rewritten inside the OPTIONAL instead
    const named = text('OPTIONAL { ?p :other ?n }');
    const inside = compatibleText(parseSparql(named));
    expect(inside).not.toContain('BOUND(?e)');
    expect(rows(inside)).toEqual(rows(compatibleText(parseSparql(named), { calendarLookups: false })));
  });
});
