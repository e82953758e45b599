// Which answer columns count (read from the query's AST), which cells are small, and corrections
// checked against their cell's datatype.
import { describe, expect, it } from 'vitest';
import { answerTables, countColumns, smallCellsOf } from '../../src/exchange/index.js';
import { applyChanges, outgoing } from '../../src/exchange/answer-table.js';

const P = 'PREFIX ex: <https://ex.example/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>';

describe('countColumns', () => {
  it.each([
    ['a projected COUNT', `${P} SELECT ?g (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p ex:in ?g } GROUP BY ?g`, ['n']],
    ['a count from a sub-select, projected as it is', `${P} SELECT ?g ?n WHERE { { SELECT ?g (COUNT(?p) AS ?n) WHERE { ?p ex:in ?g } GROUP BY ?g } }`, ['n']],
    ['a BIND of a sub-select count, cast', `${P} SELECT ?g ?m WHERE { { SELECT ?g (COUNT(?p) AS ?n) WHERE { ?p ex:in ?g } GROUP BY ?g } BIND(xsd:integer(?n) AS ?m) }`, ['m']],
    ['a SUM of sub-select counts, and COALESCE', `${P} SELECT (SUM(?n) AS ?total) (COALESCE(MAX(?n), 0) AS ?most) WHERE { { SELECT ?g (COUNT(?p) AS ?n) WHERE { ?p ex:in ?g } GROUP BY ?g } }`, ['total', 'most']],
    ['SELECT * over a sub-select count', `${P} SELECT * WHERE { { SELECT ?g (COUNT(?p) AS ?n) WHERE { ?p ex:in ?g } GROUP BY ?g } }`, ['n']],
    ['a count inside IF (KIK-V style)', `${P} SELECT (COUNT(DISTINCT IF(?s = ex:VV, ?c, ?u)) AS ?VV) WHERE { ?c ex:sector ?s }`, ['VV']],
    // not counts (not flagged; see README): a ratio and an average of a small group, a sum of values
    ['a ratio, an average, a sum of values', `${P} SELECT (SUM(?h) / COUNT(?p) AS ?avg) (AVG(?h) AS ?a) (SUM(?h) AS ?hours) WHERE { ?p ex:hours ?h }`, []],
    ['an ASK', `${P} ASK { ?s ?p ?o }`, []],
  ])('%s', (_name, query, expected) => {
    expect(countColumns(query)?.sort()).toEqual([...expected].sort());
  });

  it('is undefined for a query it cannot read (then every integer cell counts)', () => {
    expect(countColumns('SELECT nonsense')).toBeUndefined();
  });
});

const answer = (bindings: Record<string, { type: 'literal'; value: string; datatype?: string }>[]): string =>
  JSON.stringify({ type: 'v1/basic-message/response', body: { resultset: [{ id: 'q', result: { head: { vars: ['k', 'n', 'd', 'when'] }, results: { bindings } } }] } });
const INT = 'http://www.w3.org/2001/XMLSchema#integer';
const DEC = 'http://www.w3.org/2001/XMLSchema#decimal';
const DATE = 'http://www.w3.org/2001/XMLSchema#date';
type Lit = { type: 'literal'; value: string; datatype?: string };
const rows: Record<string, Lit>[] = [
  { k: { type: 'literal' as const, value: 'a' }, n: { type: 'literal' as const, value: '3', datatype: INT }, d: { type: 'literal' as const, value: '2.5', datatype: DEC }, when: { type: 'literal' as const, value: '2025-01-01', datatype: DATE } },
  { k: { type: 'literal' as const, value: 'b' }, n: { type: 'literal' as const, value: '0', datatype: INT }, d: { type: 'literal' as const, value: '4', datatype: DEC } },
  { k: { type: 'literal' as const, value: 'c' }, n: { type: 'literal' as const, value: '12', datatype: INT }, d: { type: 'literal' as const, value: '1', datatype: DEC } },
];

describe('smallCellsOf', () => {
  const table = answerTables(answer(rows)).get('q')!;
  it('flags counted cells above 0 and below minGroupSize only', () => {
    expect(smallCellsOf('q', table, ['n'], 5)).toEqual([{ question: 'q', row: 0, column: 'n', value: '3' }]);
    expect(smallCellsOf('q', table, ['n'], 13).map((c) => c.row)).toEqual([0, 2]);
    expect(smallCellsOf('q', table, ['n'], 1)).toEqual([]);
    expect(smallCellsOf('q', table, ['n'], 0)).toEqual([]);
  });
  it('without a readable query, integer cells count and decimals do not', () => {
    expect(smallCellsOf('q', table, undefined, 5)).toEqual([{ question: 'q', row: 0, column: 'n', value: '3' }]);
  });
});

describe('applyChanges', () => {
  const text = answer(rows);
  it('checks each value against its cell datatype', () => {
    const ok = (column: string, value: string) => () => applyChanges(text, [{ question: 'q', row: 0, column, value }]);
    expect(ok('n', '7')).not.toThrow();
    expect(ok('n', '-7')).not.toThrow();
    expect(ok('n', '7.5')).toThrow(/not a valid xsd:integer/);
    expect(ok('n', '')).toThrow(/xsd:integer/);
    expect(ok('d', '7.25')).not.toThrow();
    expect(ok('d', 'NaN')).toThrow(/xsd:decimal/);
    expect(ok('when', '2025-02-30x')).toThrow(/xsd:date/);
    expect(ok('when', '2025-02-03')).not.toThrow();
    expect(ok('when', '2025-02-30')).toThrow(/xsd:date/);
    expect(ok('when', '2024-02-29')).not.toThrow();
    expect(ok('k', 'any text')).not.toThrow();
  });
  it('an empty cell cannot be given a value (its datatype is unknown), but a value can be emptied', () => {
    expect(() => applyChanges(text, [{ question: 'q', row: 1, column: 'when', value: '2025-01-01' }])).toThrow(/empty/);
    const { text: emptied, applied } = applyChanges(text, [{ question: 'q', row: 0, column: 'n', value: null }]);
    expect(applied).toEqual([{ question: 'q', row: 0, column: 'n', from: '3', to: null }]);
    expect(answerTables(emptied).get('q')!.rows[0]).not.toHaveProperty('n');
  });
  it('outgoing marks the body and removes suppressed cells without touching the rest', () => {
    const sent = JSON.parse(outgoing(text, { suppressed: { minGroupSize: 5, cells: [{ question: 'q', row: 0, column: 'n' }] } }, [{ question: 'q', row: 0, column: 'n' }])) as { body: { suppressed: unknown; resultset: { result: { results: { bindings: Record<string, unknown>[] } } }[] } };
    expect(sent.body.suppressed).toEqual({ minGroupSize: 5, cells: [{ question: 'q', row: 0, column: 'n' }] });
    expect(sent.body.resultset[0]!.result.results.bindings[0]).not.toHaveProperty('n');
    expect(sent.body.resultset[0]!.result.results.bindings[2]).toHaveProperty('n');
    expect(outgoing(text, {})).toBe(text);
  });
});
