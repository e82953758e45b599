// Each known Oxigraph defect: reproduced against bare Oxigraph (these assertions fail the day a
// release fixes it — then remove that rewrite from src/query/compat.ts), and correct through the layer.
import oxigraph from 'oxigraph';
import { describe, expect, it } from 'vitest';
import { compatibleText, parseSparql } from '../../src/query/index.js';

const PREFIX = 'PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n';
const store = new oxigraph.Store();

function bare(q: string): Record<string, string>[] | string {
  try {
    return (store.query(PREFIX + q) as Map<string, { value: string }>[]).map((r) => Object.fromEntries([...r].map(([k, v]) => [k, v.value])));
  } catch (error) {
    return `error: ${(error as Error).message.split('\n')[0]}`;
  }
}
const layered = (q: string) => (store.query(compatibleText(parseSparql(PREFIX + q))) as Map<string, { value: string }>[]).map((r) => Object.fromEntries([...r].map(([k, v]) => [k, v.value])));

describe('Oxigraph 0.5.11 defects, bare vs through the compatibility layer', () => {
  it('1: chained - and / associate to the right', () => {
    const q = 'SELECT (10 - 2 - 3 AS ?a) (8 / 4 / 2 AS ?b) (ROUND(2 / 3 * 100) / 100 AS ?c) WHERE {}';
    expect(bare(q)).toEqual([{ a: '11', b: '4', c: '0' }]);
    expect(layered(q)).toEqual([{ a: '5', b: '1', c: '0.67' }]);
  });

  it('2: a SELECT expression cannot reuse an earlier alias', () => {
    const q = 'SELECT (COUNT(*) AS ?n) (?n * 2 AS ?m) WHERE { VALUES ?x { 1 2 3 } }';
    expect(bare(q)).toMatch(/^error/);
    expect(layered(q)).toEqual([{ n: '3', m: '6' }]);
  });

  it('3: date + xsd:duration is unbound', () => {
    const q = 'SELECT ?e WHERE { BIND("2024-01-01"^^xsd:date AS ?x) BIND(?x + "P3M"^^xsd:duration + "-P1D"^^xsd:duration AS ?e) }';
    expect(bare(q)).toEqual([{}]);
    expect(layered(q)).toEqual([{ e: '2024-03-31' }]);
    const leap = 'SELECT ?e WHERE { BIND("2024-02-29"^^xsd:date + "P1Y"^^xsd:duration AS ?e) }';
    expect(layered(leap)).toEqual([{ e: '2025-02-28' }]);
  });

  it('4: a zero decimal product with a non-integer operand errors, so SUM becomes unbound', () => {
    const q = 'SELECT (SUM(?v * ?z) AS ?s) (SUM(0 / ?v) AS ?t) WHERE { VALUES (?v ?z) { (7.5 0) (2.5 1) } }';
    expect(bare(q)).toEqual([{}]);
    expect(layered(q)).toEqual([{ s: '2.5', t: '0' }]);
  });

  it('5: STR of a numeric literal loses its lexical form', () => {
    const q = 'SELECT (STR(01) AS ?s) (CONCAT("2024-", STR(01), "-", STR(05)) AS ?d) WHERE {}';
    expect(bare(q)).toEqual([{ s: '1', d: '2024-1-5' }]);
    expect(layered(q)).toEqual([{ s: '01', d: '2024-01-05' }]);
  });

  it('6: decimal / decimal with many fractional digits is unbound', () => {
    const q = 'SELECT (?a / ?b AS ?r) WHERE { BIND(171.123456789012345678 AS ?a) BIND(3.123456789012345678 AS ?b) }';
    expect(bare(q)).toEqual([{}]);
    expect(Number(layered(q)[0]!.r)).toBeCloseTo(Number('171.123456789012345678') / Number('3.123456789012345678'), 12);
  });

  it('7 (found by the differential tests): subtracting months into December is wrong', () => {
    const q = 'SELECT ?a ?b ?c WHERE { BIND("2024-12-31"^^xsd:date - "P1Y"^^xsd:duration AS ?a) BIND("2030-01-31"^^xsd:date - "P1M"^^xsd:duration AS ?b) BIND("2030-06-15"^^xsd:date + "-P6M"^^xsd:duration AS ?c) }';
    expect(bare(q)).toEqual([{ a: '2024-02-29', b: '2030-02-28', c: '2030-02-15' }]);
    expect(layered(q)).toEqual([{ a: '2023-12-31', b: '2029-12-31', c: '2029-12-15' }]);
  });

  it('8 (found by the differential tests): a decimal product needing over 18 fractional digits is unbound', () => {
    const q = 'SELECT (0.01 * 0.003333333333333333 AS ?p) WHERE {}';
    expect(bare(q)).toEqual([{}]);
    expect(layered(q)).toEqual([{ p: '0.00003333333333333333' }]); // exact (src/query/exact.ts), as Jena's BigDecimal
  });

  it('9 (found by bench:native, ZK 24.5 at 10k): ROUND of a negative decimal .5x rounds toward zero, of a negative double tie away from zero', () => {
    const q = 'SELECT ?v (ROUND(?v) AS ?r) WHERE { VALUES ?v { -33.5697 -0.51 -1.5 -2.7 33.56 2.5 -33.5e0 0.49999999999999994e0 -0.3e0 7 -3 "x" } }';
    const rows = (f: (q: string) => Record<string, string>[] | string) => (f(q) as Record<string, string>[]).map((r) => `${r.v}→${r.r ?? ''}`);
    expect(rows(bare)).toEqual(['-33.5697→-33', '-0.51→0', '-1.5→-1', '-2.7→-3', '33.56→34', '2.5→3', '-33.5→-34', '0.49999999999999994→0', '-0.3→-0', '7→7', '-3→-3', 'x→']);
    // SPARQL (XPath fn:round): the nearest integer, a tie toward positive infinity; types kept, errors stay errors.
    expect(rows(layered)).toEqual(['-33.5697→-34', '-0.51→-1', '-1.5→-1', '-2.7→-3', '33.56→34', '2.5→3', '-33.5→-33', '0.49999999999999994→0', '-0.3→-0', '7→7', '-3→-3', 'x→']);
    const types = 'SELECT (DATATYPE(ROUND(7)) AS ?i) (DATATYPE(ROUND(-1.5)) AS ?d) (DATATYPE(ROUND(-1.5e0)) AS ?f) WHERE {}';
    expect(layered(types)).toEqual(bare(types));
  });

  it('keeps errors errors: division by zero stays unbound, unbound operands stay unbound', () => {
    expect(layered('SELECT (1.5 / 0 AS ?x) (?u * 0 AS ?y) (0 * ?u AS ?w) (0 / 0.0 AS ?z) ("a" * 0 AS ?v) WHERE {}')).toEqual([{}]);
  });
});
