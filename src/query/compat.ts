// Oxigraph compatibility layer. Oxigraph 0.5.11 answers some valid SPARQL wrongly (defects 1-6 of
// kikv-domain.md, plus 7, 8 and 9 that our differential tests found). Each rewrite below is semantics-preserving under SPARQL 1.1 and avoids one
// defect; applied to the parsed query in memory (the validated text itself is never changed or
// stored). Remove a rewrite when Oxigraph fixes its defect — each has a test against bare Oxigraph.
// calendar.ts and joins.ts add planner workarounds (calendar lookups by arithmetic, join order of
// the location block) on the same AST.
import sparqljs from 'sparqljs';
import { NS } from '../rdf/index.js';
import { parseSparql, type ParsedQuery } from './police.js';
import { clone } from './ast.js';
import { calendarLookups } from './calendar.js';
import { locationJoins } from './joins.js';
import { plannerRewrites } from './planner-rewrites.js';
import { valuesLexicalForms } from './lexical.js';
import { exactProduct } from './exact.js';
import { renumberBlankNodes } from './blank-nodes.js';

type Node = Record<string, unknown>;
// The AST is walked structurally; these are the fields the rewrites read.
type Expr = { [key: string]: unknown; type?: string; operator?: string; args?: unknown; termType?: string; value?: string; datatype?: { termType?: string; value: string } };

const XSD = NS.xsd;
const DURATIONS = new Set([XSD + 'duration', XSD + 'yearMonthDuration', XSD + 'dayTimeDuration']);
const NUMERIC = new Set([XSD + 'integer', XSD + 'decimal', XSD + 'double', XSD + 'float', XSD + 'int', XSD + 'long']);

const isLiteral = (e: unknown): e is Expr => typeof e === 'object' && e !== null && (e as Expr).termType === 'Literal';
const isIntegerLiteral = (e: unknown) => isLiteral(e) && e.datatype?.value === XSD + 'integer';
const op = (operator: string, args: unknown[]): Expr => ({ type: 'operation', operator, args });
const cast = (type: string, arg: unknown): Expr => ({ type: 'functionCall', function: { termType: 'NamedNode', value: XSD + type }, args: [arg], distinct: false });
const lit = (value: string, datatype: string): Expr => ({ termType: 'Literal', value, language: '', datatype: { termType: 'NamedNode', value: datatype } });
const int = (n: number) => lit(String(n), XSD + 'integer');

/** Operands larger than this are not copied into fallbacks (each copy doubles the text). */
const MAX_COPIED_NODES = 400;

function size(e: unknown): number {
  if (Array.isArray(e)) return e.reduce((n: number, x) => n + size(x), 0);
  if (e === null || typeof e !== 'object') return 0;
  if ('termType' in e) return 1;
  return 1 + Object.values(e).reduce((n: number, v) => n + size(v), 0);
}

/** A duration literal as signed months and a signed day-time remainder (e.g. "-P1Y2M3D"). */
export function splitDuration(lexical: string): { months: number; dayTime: string | undefined } | undefined {
  const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(lexical);
  if (!m || lexical === 'P' || lexical === '-P' || lexical.endsWith('T')) return undefined;
  const sign = m[1] ? -1 : 1;
  const months = sign * (Number(m[2] ?? 0) * 12 + Number(m[3] ?? 0));
  const hasDayTime = m[4] || m[5] || m[6] || m[7];
  const dayTime = hasDayTime ? `${m[1] ?? ''}P${m[4] ? `${m[4]}D` : ''}${m[5] || m[6] || m[7] ? `T${m[5] ? `${m[5]}H` : ''}${m[6] ? `${m[6]}M` : ''}${m[7] ? `${m[7]}S` : ''}` : ''}` : undefined;
  return { months: Object.is(months, -0) ? 0 : months, dayTime };
}

const ymd = (months: number) => lit(`${months < 0 ? '-' : ''}P${Math.abs(months)}M`, XSD + 'duration');

/**
 * Defect 7: subtracting months so that the result lands in December is wrong
 * ("2030-12-01" - "P12M" gives 2030-02-01; ZK 13.1 does `?peildatum - "P1Y"`). Forward shifts and
 * other landings are right, so a December landing goes back to January first (both have 31 days,
 * so no day is clamped on the way) and then forward 11 months.
 */
function addMonths(date: unknown, months: number): Expr {
  if (months > 0) return op('-', [date, ymd(-months)]);
  const back = -months;
  const landsInDecember = op('=', [op('month', [clone(date)]), int(((back - 1) % 12) + 1)]);
  return op('if', [landsInDecember, op('-', [op('-', [clone(date), ymd(back + 11)]), ymd(-11)]), op('-', [clone(date), ymd(back)])]);
}

/**
 * date ± duration literal. Defect 3: `?d + "P3M"^^xsd:duration` is sometimes unbound; day-time
 * parts work as `?d - "-P1D"`. Month parts go through addMonths (defect 7).
 */
function shiftDate(date: unknown, duration: Expr, negate: boolean): Expr | undefined {
  const parts = splitDuration(duration.value!);
  if (!parts) return undefined;
  let out: unknown = date;
  const months = negate ? -parts.months : parts.months;
  if (months !== 0) out = addMonths(out, months);
  if (parts.dayTime) {
    const dt = lit(parts.dayTime, XSD + 'dayTimeDuration');
    out = op('-', [out, negate ? dt : negateDuration(dt)]);
  }
  if (months === 0 && !parts.dayTime) out = op('-', [out, lit('PT0S', XSD + 'dayTimeDuration')]);
  return out as Expr;
}

function negateDuration(e: Expr): Expr {
  const v = e.value!;
  return lit(v.startsWith('-') ? v.slice(1) : '-' + v, e.datatype!.value);
}

const INT64 = 2n ** 63n;
/** Two integer literals: whether Oxigraph's 64-bit integers hold the product (a quotient is decimal and fits). */
function fitsInt64(operator: string, a: Expr, b: Expr): boolean {
  if (operator === '/') return true;
  try {
    const product = BigInt(a.value!) * BigInt(b.value!);
    return product < INT64 && product >= -INT64;
  } catch {
    return true; // not a canonical integer: leave it to Oxigraph
  }
}


const pow10 = (k: number) => lit(10n ** BigInt(k) + '', XSD + 'integer');
const failure = () => op('/', [int(1), int(0)]); // an error, so that COALESCE goes on

/**
 * `a * b` or `a / b` where Oxigraph's own result is missing (defects 4, 6, 8): decimal forms
 * only, never doubles. Each alternative is exact where it succeeds and errors otherwise:
 * - zero (defect 4): 0.0 when an operand (of `*`; the dividend of `/`) is zero and both are numbers;
 * - `*` of two integers beyond 64 bits: the decimal product (exact up to ~1.7e20), typed xsd:integer;
 * - `*` with more than 18 fractional digits: ((a × 10^k) × b) / 10^k, the product truncated to
 *   18 fractional digits, as Oxigraph truncates its own quotients (k = 6, then 18 on either side);
 * - `/` (defect 6: a divisor with many fractional digits): (a / (b × 10^k)) × 10^k, the quotient
 *   truncated to 18 − k fractional digits (k = 4, 8, 14: 14, 10 or 4 digits).
 * What none of them holds stays unbound (profiles/KNOWN-ISSUES.md §17).
 */
function fallback(operator: '*' | '/', a: unknown, b: unknown): Expr[] {
  const zero = (x: unknown) => op('=', [clone(x), int(0)]);
  const numeric = (x: unknown) => op('isnumeric', [clone(x)]);
  if (operator === '/') {
    const zeroQuotient = op('if', [op('&&', [zero(a), op('>', [op('abs', [clone(b)]), int(0)])]), lit('0.0', XSD + 'decimal'), failure()]);
    return [zeroQuotient, ...[4, 8, 14].map((k) => op('*', [op('/', [clone(a), op('*', [clone(b), pow10(k)])]), pow10(k)]))];
  }
  const zeroProduct = op('if', [op('&&', [op('||', [zero(a), zero(b)]), op('&&', [numeric(a), numeric(b)])]), lit('0.0', XSD + 'decimal'), failure()]);
  const truncated = ([[a, b, 6], [a, b, 18], [b, a, 18]] as const).map(([x, y, k]) => op('/', [op('*', [op('*', [clone(x), pow10(k)]), clone(y)]), pow10(k)]));
  return [zeroProduct, integerProduct(a, b), ...truncated];
}

/** Two integers beyond 64 bits: the decimal product, exact up to ~1.7e20, typed xsd:integer. A decimal operand fails here as it failed in `a * b`. */
function integerProduct(a: unknown, b: unknown): Expr {
  return op('strdt', [op('str', [op('*', [cast('decimal', op('+', [clone(a), int(0)])), clone(b)])]), { termType: 'NamedNode', value: XSD + 'integer' }]);
}

/** An integer or decimal literal whose value is a whole number other than zero (5, 100.0). */
const nonZeroWhole = (e: unknown) => isLiteral(e) && DECIMALS.has(e.datatype!.value) && /^[+-]?0*[1-9]\d*(\.0*)?$/.test(e.value!);

const DECIMALS = new Set([XSD + 'integer', XSD + 'decimal']);
/** Two integer/decimal literals multiplied: the exact product, computed here. */
function foldedProduct(a: unknown, b: unknown): Expr | undefined {
  if (!isLiteral(a) || !isLiteral(b) || !DECIMALS.has(a.datatype!.value) || !DECIMALS.has(b.datatype!.value)) return undefined;
  const product = exactProduct({ value: a.value!, integer: isIntegerLiteral(a) }, { value: b.value!, integer: isIntegerLiteral(b) });
  return product && lit(product.value, XSD + (product.integer ? 'integer' : 'decimal'));
}

/** The local rewrite of one operation whose operands have been rewritten already. */
function rewriteOperation(out: Expr): Expr {
  if (out.type !== 'operation' || !Array.isArray(out.args)) return out;
  const [a, b] = out.args as unknown[];
  const operator = out.operator!;
  if ((operator === '+' || operator === '-') && out.args.length === 2) {
    if (isLiteral(b) && DURATIONS.has(b.datatype!.value)) return shiftDate(a, b, operator === '-') ?? out;
    if (operator === '+' && isLiteral(a) && DURATIONS.has(a.datatype!.value)) return shiftDate(b, a, false) ?? out;
  }
  // Defect 4: a decimal product or quotient equal to zero errors when an operand is not an
  // integer (7.5 * 0); defects 6 and 8: decimal results that overflow Oxigraph's 18 fractional
  // digits on the way are unbound; a product of integers beyond 64 bits is unbound. Only where
  // Oxigraph's own result is missing: a product of two literals is folded exactly (BigInt,
  // src/query/exact.ts); otherwise the exact decimal forms of fallback(), never doubles. Real
  // errors (unbound or non-numeric operands, division by zero) stay errors.
  // Operands are copied, so the rewrite is skipped on very large operands (no blow-up).
  if (operator === '*' && out.args.length === 2 && !(isIntegerLiteral(a) && isIntegerLiteral(b) && fitsInt64(operator, a as Expr, b as Expr))) {
    const folded = foldedProduct(a, b);
    if (folded) return folded;
  }
  if ((operator === '*' || operator === '/') && out.args.length === 2 && !(isIntegerLiteral(a) && isIntegerLiteral(b) && fitsInt64(operator, a as Expr, b as Expr)) && size(a) + size(b) <= MAX_COPIED_NODES) {
    // By a non-zero whole literal (`/ 100`, `* 36`, `100.0 *`) Oxigraph fails only where no decimal
    // holds the result, and in `*` of two integers beyond 64 bits: no other fallback is needed.
    if (operator === '/' && nonZeroWhole(b)) return out;
    if (operator === '*' && (nonZeroWhole(a) || nonZeroWhole(b))) {
      return (isLiteral(a) && a.datatype!.value !== XSD + 'integer') || (isLiteral(b) && b.datatype!.value !== XSD + 'integer') ? out : op('coalesce', [out, integerProduct(a, b)]);
    }
    return op('coalesce', [out, ...fallback(operator, a, b)]);
  }
  // Defect 9: ROUND of a negative decimal whose fraction starts with 5 rounds toward zero
  // (ROUND(-33.56) is -33; ZK 24.5 at 10k employees) and of a negative double's tie away from
  // zero (ROUND(-33.5e0) is -34). SPARQL's round is half toward positive infinity: the fraction
  // above FLOOR decides, exact for decimals and doubles alike; FLOOR and CEIL keep the type and
  // are right in 0.5.11. Non-numeric operands stay errors (FLOOR errors).
  if (operator === 'round' && out.args.length === 1 && deterministic(a) && 3 * size(a) <= MAX_COPIED_NODES) {
    return op('if', [op('>=', [op('-', [clone(a), op('floor', [clone(a)])]), lit('0.5', XSD + 'decimal')]), op('ceil', [clone(a)]), op('floor', [clone(a)])]);
  }
  // Defect 5: numeric literals lose their lexical form in STR(01); the string is known statically.
  if (operator === 'str' && isLiteral(a) && NUMERIC.has(a.datatype!.value)) return lit(a.value!, XSD + 'string');
  return out;
}

function replaceVariables(e: unknown, aliases: Map<string, unknown>): unknown {
  if (Array.isArray(e)) return e.map((x) => replaceVariables(x, aliases));
  if (e === null || typeof e !== 'object') return e;
  const node = e as Expr;
  if (node.termType === 'Variable') return aliases.has(node.value!) ? clone(aliases.get(node.value!)) : node;
  if (node.termType) return node;
  if (node.type === 'operation' && (node.operator === 'exists' || node.operator === 'notexists')) return node; // patterns, not projection
  const out: Expr = { ...node };
  for (const [k, v] of Object.entries(node)) if (k === 'args' || k === 'expression') out[k] = replaceVariables(v, aliases);
  return out;
}

const VOLATILE = new Set(['bnode', 'rand', 'uuid', 'struuid']);

/** Whether an expression may be copied: no fresh values per evaluation (BNODE(), RAND(), …). */
function deterministic(e: unknown): boolean {
  if (Array.isArray(e)) return e.every(deterministic);
  if (e === null || typeof e !== 'object' || (e as Expr).termType) return true;
  if ((e as Expr).type === 'operation' && VOLATILE.has((e as Expr).operator!)) return false;
  return Object.values(e).every(deterministic);
}

/** Whether `name` occurs as BOUND(?name): there an inlined expression is not a variable. */
function usedInBound(e: unknown, name: string): boolean {
  if (Array.isArray(e)) return e.some((x) => usedInBound(x, name));
  if (e === null || typeof e !== 'object' || (e as Expr).termType) return false;
  const node = e as Expr;
  if (node.type === 'operation' && node.operator === 'bound') return (node.args as Expr[]).some((x) => x.termType === 'Variable' && x.value === name);
  return Object.values(node).some((x) => usedInBound(x, name));
}

function hasAggregate(e: unknown): boolean {
  if (Array.isArray(e)) return e.some(hasAggregate);
  if (e === null || typeof e !== 'object' || (e as Expr).termType) return false;
  return (e as Expr).type === 'aggregate' || Object.values(e).some(hasAggregate);
}

/**
 * Defect 2: in a grouped SELECT (GROUP BY or aggregates), an expression may not use an alias
 * defined earlier in the same SELECT (parse error); inline it. Ungrouped SELECTs need nothing.
 * Only deterministic aliases are inlined, and not into BOUND(): a copy of BNODE() or RAND() is a
 * second value, and BOUND(1/0) is no query. Those stay as written (Oxigraph refuses them as bare).
 */
function inlineAliases(select: Node): void {
  const variables = select.variables as unknown[] | undefined;
  if (!Array.isArray(variables)) return;
  if (!select.group && !hasAggregate(variables)) return;
  const aliases = new Map<string, unknown>();
  select.variables = variables.map((v) => {
    const item = v as { expression?: unknown; variable?: { value: string } };
    if (!item.expression || !item.variable) return v;
    const usable = new Map([...aliases].filter(([name]) => !usedInBound(item.expression, name)));
    const expression = usable.size ? replaceVariables(item.expression, usable) : item.expression;
    if (deterministic(expression)) aliases.set(item.variable.value, expression);
    return { ...item, expression };
  });
}

/** One bottom-up pass over the whole AST: every node is rewritten exactly once. */
function rewriteNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNode);
  if (node === null || typeof node !== 'object') return node;
  if ((node as Expr).termType) return node;
  const out: Expr = {};
  for (const [k, v] of Object.entries(node as Node)) out[k] = k === 'prefixes' ? v : rewriteNode(v);
  if (out.type === 'query' && out.queryType === 'SELECT') inlineAliases(out);
  return out.type === 'operation' ? rewriteOperation(out) : out;
}

const generator = new sparqljs.Generator({ allPrefixes: true });

/** The AST as comparable data: terms by their fields (parsed and built terms differ in class). */
function canonical(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(canonical);
  if (node === null || typeof node !== 'object') return node;
  const t = node as Expr & { language?: string };
  if (t.termType) return [t.termType, t.value, t.language ?? '', t.datatype?.value ?? ''];
  const entries = Object.entries(node).filter(([k, v]) => k !== 'prefixes' && v !== undefined);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
}
// Up to a renaming of blank nodes: the parser names them afresh on every parse (blank-nodes.ts).
const same = (a: unknown, b: unknown) => renumberBlankNodes(JSON.stringify(canonical(a))) === renumberBlankNodes(JSON.stringify(canonical(b)));

const ARITHMETIC = new Set(['+', '-', '*', '/']);
const PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/** Defect 1: a chain of same-precedence arithmetic (`a - b - c`, `a - b + c`) that Oxigraph reads right to left. */
function hasArithmeticChain(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasArithmeticChain);
  if (node === null || typeof node !== 'object' || (node as Expr).termType) return false;
  const e = node as Expr;
  if (e.type === 'operation' && ARITHMETIC.has(e.operator!) && Array.isArray(e.args)) {
    const left = e.args[0] as Expr | undefined;
    if (left?.type === 'operation' && ARITHMETIC.has(left.operator!) && PRECEDENCE[left.operator!] === PRECEDENCE[e.operator!]) return true;
  }
  return Object.values(e).some(hasArithmeticChain);
}

/**
 * The query text Oxigraph should run for a validated, parsed query. Do no harm: when no rewrite
 * changes the query and it has no arithmetic chain, the text runs as written (`original`, when
 * given). Otherwise the text is regenerated from the rewritten AST, which also makes every
 * nested operation explicit in parentheses (defect 1), and the regenerated text must parse back
 * to the rewritten query; if the generator cannot say it faithfully, the text runs as written.
 */
export function compatibleText(ast: ParsedQuery, options: { calendarLookups?: boolean; joins?: boolean; planner?: boolean; original?: string } = {}): string {
  const rewritten = rewriteNode(ast);
  valuesLexicalForms(rewritten);
  if (options.calendarLookups !== false) calendarLookups(rewritten);
  if (options.joins !== false) locationJoins(rewritten);
  if (options.planner !== false) plannerRewrites(rewritten);
  const original = options.original;
  if (original !== undefined && !hasArithmeticChain(ast) && same(rewritten, ast)) return original;
  let text: string;
  try {
    text = generator.stringify(rewritten as ParsedQuery);
    if (same(parseSparql(text), rewritten)) return text;
  } catch {
    // the generator or the parser failed on the rewritten query: fall through
  }
  if (original !== undefined) return original;
  return generator.stringify(rewritten as ParsedQuery);
}
