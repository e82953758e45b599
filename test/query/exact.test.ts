// Products of literals that Oxigraph cannot hold (over 18 fractional digits, over 64-bit integers)
// come out as exact xsd:decimal / xsd:integer, folded with BigInt; compared with Jena ARQ.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import { describe, expect, it } from 'vitest';
import { compatibleText, parseSparql } from '../../src/query/index.js';
import { exactProduct, formatDecimal, parseDecimal } from '../../src/query/exact.js';
import { tempDir } from '../helpers.js';
import { askJena } from '../oracle/jena.js';

const hasJava = (() => {
  try {
    execFileSync('javac', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const store = new oxigraph.Store();
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const layer = (text: string) => compatibleText(parseSparql(text), { original: text });
const run = (text: string) => (store.query(layer(text)) as Map<string, { value: string; datatype?: { value: string } }>[]).map((r) => Object.fromEntries([...r].map(([k, v]) => [k, `${v.value}^^${v.datatype!.value.slice(XSD.length)}`])));

describe('exact products', () => {
  it('BigInt decimals: parse, multiply, canonical text', () => {
    expect(parseDecimal('-0.0000000001')).toEqual({ digits: -1n, scale: 10 });
    expect(formatDecimal(100n, 2)).toBe('1.0');
    expect(formatDecimal(-5n, 3)).toBe('-0.005');
    expect(formatDecimal(0n, 4)).toBe('0.0');
    expect(exactProduct({ value: '0.0000000001', integer: false }, { value: '0.0000000001', integer: false })).toEqual({ value: '0.00000000000000000001', integer: false });
    expect(exactProduct({ value: '12345678901234567890', integer: true }, { value: '98765432109876543210', integer: true })!.value).toBe((12345678901234567890n * 98765432109876543210n).toString());
  });

  it('two literals: folded exactly, where bare Oxigraph is unbound', () => {
    const q = 'SELECT (0.0000000001 * 0.0000000001 AS ?x) (12345678901234567890 * 98765432109876543210 AS ?y) (0.01 * 0.003333333333333333 AS ?z) WHERE {}';
    expect(store.query(q)).toEqual([new Map()]);
    expect(run(q)).toEqual([{ x: '0.00000000000000000001^^decimal', y: '1219326311370217952237463801111263526900^^integer', z: '0.00003333333333333333^^decimal' }]);
  });

  // Jena ARQ computes xsd:decimal with BigDecimal: the same values, compared as exact decimals.
  it.skipIf(!hasJava && !process.env.CI)('agrees with Jena ARQ on the same products', async () => {
    const queries = [
      'SELECT (0.0000000001 * 0.0000000001 AS ?x) (0.01 * 0.003333333333333333 AS ?z) WHERE {}',
      'SELECT (-0.0000000001 * 0.00000000025 AS ?a) (-0.000000003 * -0.00000000002 AS ?b) (7.5 * 0 AS ?c) (1.5 * 2 AS ?d) (9223372036854775807 * 2 AS ?e) WHERE {}',
    ];
    const data = join(tempDir('ds-exact-'), 'empty.nt');
    writeFileSync(data, '');
    const jena = await askJena([data], queries);
    const exact = (v: string) => { const d = parseDecimal(v)!; return formatDecimal(d.digits, d.scale); };
    for (const [i, q] of queries.entries()) {
      const answer = jena[i]!;
      if (!('rows' in answer)) throw new Error(`Jena: ${JSON.stringify(answer).slice(0, 200)}`);
      const theirs = answer.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, t]) => [k, exact(t.value)])));
      const ours = run(q).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, exact(v.split('^^')[0]!)])));
      expect(ours).toEqual(theirs);
    }
  }, 300_000);
});
