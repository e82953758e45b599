// Small helpers over the sparqljs AST shared by the rewrites (compat.ts, calendar.ts, joins.ts,
// union-keys.ts and the planner-*.ts files).

import sparqljs from 'sparqljs';

const parser = new sparqljs.Parser();

/** `{ SELECT * WHERE { patterns } }` as a group pattern, from a parsed template (so the wildcard is the parser's own term). */
export function subSelect(patterns: Node[]): Node {
  const group = (parser.parse('SELECT * WHERE { { SELECT * WHERE { } } }') as unknown as { where: Node[] }).where[0]!;
  ((group.patterns as Node[])[0]!).where = patterns;
  return group;
}

/** `{ SELECT DISTINCT ?k… WHERE { patterns } }` as a group pattern: the key tables of joins.ts, planner-bind.ts, union-keys.ts. */
export function distinctSelect(keys: string[], patterns: Node[]): Node {
  const group = (parser.parse(`SELECT * WHERE { { SELECT DISTINCT ${keys.map((k) => `?${k}`).join(' ')} WHERE { } } }`) as unknown as { where: Node[] }).where[0]!;
  ((group.patterns as Node[])[0]!).where = patterns;
  return group;
}

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

/** Every variable named anywhere under a node (deep, conservative: sub-select internals too). */
export function mentioned(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) mentioned(n, into);
  else if (node !== null && typeof node === 'object') {
    const n = node as Node;
    if (n.termType === 'Variable') into.add(n.value!);
    else if (!n.termType) for (const [key, value] of Object.entries(n)) if (key !== 'prefixes') mentioned(value, into);
  }
  return into;
}

/** Variables that BGPs directly in a pattern list bind in every solution (subject, predicate, object; path end points). */
export function bgpBoundVariables(patterns: Node[]): Set<string> {
  const out = new Set<string>();
  for (const p of patterns) if (p.type === 'bgp') for (const t of p.triples as Triple[]) for (const term of [t.subject, t.predicate as Term, t.object]) if (term?.termType === 'Variable') out.add(term.value);
  return out;
}

/** Variables at the ends of `p*` / `p?` paths of a BGP. */
export function zeroLengthEnds(bgp: Node): string[] {
  return (bgp.triples as Triple[])
    .filter((t) => ['*', '?'].includes((t.predicate as { pathType?: string }).pathType ?? ''))
    .flatMap((t) => [t.subject, t.object])
    .filter((term) => term.termType === 'Variable')
    .map((term) => term.value);
}

/** Functions whose value may differ between two evaluations (lower case: sparqljs writes BNODE in capitals). */
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
  if (node.type === 'operation' && (node.operator === 'exists' || node.operator === 'notexists' || VOLATILE.has(node.operator!.toLowerCase()))) return undefined;
  for (const [key, value] of Object.entries(node)) if ((key === 'args' || key === 'expression') && !expressionVariables(value, into)) return undefined;
  return into;
}

/** A list of graph patterns, as opposed to the other arrays of the AST (triples, terms, expressions). */
function isPatternList(list: unknown): list is Node[] {
  return Array.isArray(list) && list.every((x) => typeof x === 'object' && x !== null && 'type' in x);
}

/**
 * Visit every group's pattern list bottom-up (inner lists first): a query's `where` (sub-selects
 * too) and the `patterns` of groups, OPTIONAL, MINUS, UNION, GRAPH and SERVICE. With
 * `intoExpressions` also those under FILTER, BIND and other expressions (the bodies of FILTER
 * EXISTS / NOT EXISTS); without, expressions are not entered (an EXISTS body is evaluated with the
 * outer row substituted, which some rewrites must not assume away). `visit` gets the list and the
 * node holding it; it may change the list in place, or return a new one to take its place.
 */
export function walkPatternLists(node: unknown, visit: (patterns: Node[], owner: Node) => Node[] | undefined, options: { intoExpressions: boolean }): void {
  if (Array.isArray(node)) {
    for (const n of node) walkPatternLists(n, visit, options);
    return;
  }
  if (node === null || typeof node !== 'object' || 'termType' in node) return;
  const n = node as Node;
  if (!options.intoExpressions && (n.type === 'operation' || n.type === 'filter' || n.type === 'bind')) return;
  for (const [key, value] of Object.entries(n)) if (key !== 'prefixes') walkPatternLists(value, visit, options);
  for (const key of ['where', 'patterns'] as const) {
    const list = n[key];
    if (!isPatternList(list)) continue;
    const replaced = visit(list, n);
    if (replaced) n[key] = replaced;
  }
}
