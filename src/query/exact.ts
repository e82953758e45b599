// Exact decimal products where Oxigraph has none: its decimals hold 18 fractional digits in 128
// bits and its integers 64 bits, so 0.0000000001 * 0.0000000001 (1e-20) or a product of two
// 20-digit integers is unbound. A product of two literals is computed here with BigInt (scaled
// integers) and written as a literal Oxigraph carries unchanged ("0.00000000000000000001"^^xsd:decimal).
// Operands known only at run time get decimal fallbacks in compat.ts (truncated to a stated number
// of fractional digits, never doubles; KNOWN-ISSUES.md §17). Built in the query from their digits
// (STR, REPLACE, integer product, STRDT) they would be exact, but each operand was copied about a
// dozen times and the nested fallbacks no longer fit MAX_COPIED_NODES: withdrawn.

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
