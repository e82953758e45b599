// Oxigraph compatibility layer. Oxigraph 0.5.11 answers some valid SPARQL wrongly (defects listed
// in kikv-domain.md). Each rewrite below is semantics-preserving under SPARQL 1.1 and avoids one
// defect; applied to the parsed query in memory (the validated text itself is never changed or
// stored). Remove a rewrite when Oxigraph fixes its defect — each has a test against bare Oxigraph.
import sparqljs from 'sparqljs';
import { NS } from '../rdf/index.js';
import type { ParsedQuery } from './police.js';

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
/** Deep copy of the AST's structure; RDF terms are immutable and shared (their classes matter to the generator). */
function clone<T>(x: T): T {
  if (Array.isArray(x)) return x.map(clone) as T;
  if (x === null || typeof x !== 'object' || 'termType' in x) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, clone(v)])) as T;
}

/** Defect 3: `?d + "P3M"^^xsd:duration` is sometimes unbound; `?d - "-P3M"^^xsd:duration` works. */
function negateDuration(e: Expr): Expr {
  const v = e.value!;
  return lit(v.startsWith('-') ? v.slice(1) : '-' + v, e.datatype!.value);
}

function rewriteExpression(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(rewriteExpression);
  if (e === null || typeof e !== 'object') return e;
  const node = e as Expr;
  if (node.termType) return node;
  const out: Expr = { ...node };
  for (const [k, v] of Object.entries(node)) {
    if (k === 'args' || k === 'expression' || k === 'patterns' || k === 'where') out[k] = rewriteExpression(v);
  }
  if (out.type !== 'operation' || !Array.isArray(out.args)) return out;
  const [a, b] = out.args as unknown[];
  const operator = out.operator!;
  if (operator === '+' && out.args.length === 2) {
    if (isLiteral(b) && DURATIONS.has(b.datatype!.value)) return op('-', [a, negateDuration(b)]);
    if (isLiteral(a) && DURATIONS.has(a.datatype!.value)) return op('-', [b, negateDuration(a)]);
  }
  // Defect 4: a decimal product or quotient that equals zero errors when an operand is not an
  // integer (7.5 * 0). The guard yields the zero without asking Oxigraph to compute it.
  if ((operator === '*' || operator === '/') && out.args.length === 2 && !(isIntegerLiteral(a) && isIntegerLiteral(b))) {
    const zero = lit('0.0', XSD + 'decimal');
    const condition = operator === '*'
      ? op('||', [op('=', [clone(a), lit('0', XSD + 'integer')]), op('=', [clone(b), lit('0', XSD + 'integer')])])
      : op('&&', [op('=', [clone(a), lit('0', XSD + 'integer')]), op('!=', [clone(b), lit('0', XSD + 'integer')])]);
    // Defect 6: decimal / decimal with many fractional digits is unbound. Fall back to double
    // division only when Oxigraph's exact result is missing (precision ~15 digits instead of none).
    const guarded = operator === '/'
      ? op('coalesce', [out, cast('decimal', op('/', [cast('double', clone(a)), cast('double', clone(b))]))])
      : out;
    return op('if', [condition, zero, guarded]);
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

/** Defect 2: a SELECT expression may not use an alias defined earlier in the same SELECT; inline it. */
function inlineAliases(select: Node): void {
  const variables = select.variables as unknown[] | undefined;
  if (!Array.isArray(variables)) return;
  const aliases = new Map<string, unknown>();
  select.variables = variables.map((v) => {
    const item = v as { expression?: unknown; variable?: { value: string } };
    if (!item.expression || !item.variable) return v;
    const expression = aliases.size ? replaceVariables(item.expression, aliases) : item.expression;
    aliases.set(item.variable.value, expression);
    return { ...item, expression };
  });
}

function rewriteQueryNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteQueryNode);
  if (node === null || typeof node !== 'object') return node;
  const n = node as Node;
  if ((n as Expr).termType) return n;
  if (n.type === 'query' && n.queryType === 'SELECT') inlineAliases(n);
  const out: Node = {};
  for (const [k, v] of Object.entries(n)) {
    if (k === 'prefixes') out[k] = v;
    else if (k === 'expression' || k === 'args') out[k] = rewriteExpression(rewriteQueryNode(v));
    else out[k] = rewriteQueryNode(v);
  }
  return out;
}

const generator = new sparqljs.Generator({ allPrefixes: true });

/**
 * The query text Oxigraph should run for a validated, parsed query. Regenerating the text from the
 * AST also makes every nested operation explicit in parentheses (defect 1: chained `-` and `/`
 * associate to the right in Oxigraph).
 */
export function compatibleText(ast: ParsedQuery): string {
  return generator.stringify(rewriteQueryNode(clone(ast)) as ParsedQuery);
}
