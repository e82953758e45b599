// Exact decimal products where Oxigraph has none: its decimals hold 18 fractional digits in 128
// bits and its integers 64 bits, so 0.0000000001 * 0.0000000001 (1e-20) or a product of two
// 20-digit integers is unbound. A product of two decimals is a finite decimal, so it can be exact:
// - two literals: computed here with BigInt (scaled integers) and written as a literal Oxigraph
//   carries unchanged ("0.00000000000000000001"^^xsd:decimal);
// - otherwise: in the query, from the operands' lexical forms: the digits as integers, multiplied
//   (64 bits), the point placed back by string functions, STRDT to xsd:decimal. When the digits'
//   product does not fit 64 bits it is unbound: never a rounded value.
import { NS } from '../rdf/index.js';
import { clone } from './ast.js';

type Expr = { [key: string]: unknown };
const XSD = NS.xsd;

/** A canonical integer or decimal lexical form as digits × 10^-scale, or undefined. */
export function parseDecimal(lexical: string): { digits: bigint; scale: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(lexical.trim());
  if (!m || (m[2] === '' && !m[3])) return undefined;
  const digits = BigInt(`${m[1] === '-' ? '-' : ''}${m[2] || '0'}${m[3] ?? ''}`);
  return { digits, scale: (m[3] ?? '').length };
}

/** digits × 10^-scale as an xsd:decimal lexical form (no exponent, no trailing zeros, "0.0" for zero … "2.0"). */
export function formatDecimal(digits: bigint, scale: number): string {
  const negative = digits < 0n;
  let s = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
  let int = s.slice(0, s.length - scale);
  let frac = scale ? s.slice(s.length - scale) : '';
  frac = frac.replace(/0+$/, '');
  int = int.replace(/^0+(?=\d)/, '');
  s = `${int}.${frac || '0'}`;
  return negative && /[1-9]/.test(s) ? `-${s}` : s;
}

/** The exact product of two integer/decimal lexical forms, and its type; undefined if not numbers. */
export function exactProduct(a: { value: string; integer: boolean }, b: { value: string; integer: boolean }): { value: string; integer: boolean } | undefined {
  const x = parseDecimal(a.value), y = parseDecimal(b.value);
  if (!x || !y) return undefined;
  const digits = x.digits * y.digits;
  if (a.integer && b.integer) return { value: digits.toString(), integer: true };
  return { value: formatDecimal(digits, x.scale + y.scale), integer: false };
}

const op = (operator: string, ...args: unknown[]): Expr => ({ type: 'operation', operator, args });
const fn = (name: string, ...args: unknown[]): Expr => ({ type: 'functionCall', function: { termType: 'NamedNode', value: XSD + name }, args, distinct: false });
const lit = (value: string, datatype = XSD + 'string'): Expr => ({ termType: 'Literal', value, language: '', datatype: { termType: 'NamedNode', value: datatype } });
const int = (n: number) => lit(String(n), XSD + 'integer');
const ZEROS = lit('0'.repeat(40));

/** An operand's canonical decimal text: `xsd:decimal(x + 0)` keeps the type check, and has no exponent. */
const text = (x: unknown) => op('str', fn('decimal', op('+', clone(x), int(0))));

/** `a * b` exact as xsd:decimal, in SPARQL; unbound when the digits' product exceeds 64 bits. */
export function exactProductExpr(a: unknown, b: unknown): Expr {
  const digits = (x: unknown) => fn('integer', op('replace', text(x), lit('[-.]'), lit('')));
  const scale = (x: unknown) => op('strlen', op('strafter', text(x), lit('.')));
  const negative = (x: unknown) => op('strstarts', text(x), lit('-'));
  const p = () => op('str', op('*', digits(a), digits(b)));
  const s = () => op('+', scale(a), scale(b));
  const len = () => op('strlen', p());
  // The point placed `s` digits from the right; zeros in front when the digits are fewer.
  const body = op('if', op('>', len(), s()),
    op('concat', op('substr', p(), int(1), op('-', len(), s())), lit('.'), op('substr', p(), op('+', op('-', len(), s()), int(1)))),
    op('concat', lit('0.'), op('substr', ZEROS, int(1), op('-', s(), len())), p()));
  const sign = op('if', op('!=', negative(a), negative(b)), lit('-'), lit(''));
  const trimmed = op('replace', op('concat', sign, body), lit('(\\.[0-9]*[1-9])0+$|\\.0+$'), lit('$1'));
  return op('strdt', trimmed, { termType: 'NamedNode', value: XSD + 'decimal' });
}
