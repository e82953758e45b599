// Small helpers over the sparqljs AST shared by the rewrites (compat.ts, calendar.ts, joins.ts).

/** The AST as the rewrites walk it: plain objects, RDF terms (with termType) as leaves. */
export type Node = Record<string, unknown> & { type?: string; operator?: string; termType?: string; value?: string };
export type Term = { termType: string; value: string };
export type Triple = { subject: Term; predicate: unknown; object: Term };

/** Deep copy of the AST's structure; RDF terms are immutable and shared (their classes matter to the generator). */
export function clone<T>(x: T): T {
  if (Array.isArray(x)) return x.map(clone) as T;
  if (x === null || typeof x !== 'object' || 'termType' in x) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, clone(v)])) as T;
}

/** Functions whose value may differ between two evaluations. */
const VOLATILE = new Set(['rand', 'now', 'uuid', 'struuid', 'bnode']);

/**
 * The variables an expression reads; undefined when its value is not a function of them alone
 * (EXISTS reads the graph, aggregates read groups, RAND/NOW/UUID/BNODE differ per call).
 */
export function expressionVariables(e: unknown, into = new Set<string>()): Set<string> | undefined {
  if (Array.isArray(e)) {
    for (const x of e) if (!expressionVariables(x, into)) return undefined;
    return into;
  }
  if (e === null || typeof e !== 'object') return into;
  const node = e as Node;
  if (node.termType === 'Variable') into.add(node.value!);
  if (node.termType) return into;
  if (node.type === 'aggregate') return undefined;
  if (node.type === 'operation' && (node.operator === 'exists' || node.operator === 'notexists' || VOLATILE.has(node.operator!))) return undefined;
  for (const [key, value] of Object.entries(node)) if ((key === 'args' || key === 'expression') && !expressionVariables(value, into)) return undefined;
  return into;
}
