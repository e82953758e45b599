// Planner trap: FILTER EXISTS over a BGP of two or more triple patterns. Oxigraph 0.5 evaluates the
// EXISTS once per row of its group, in a join order fixed before the row's bindings are known: in
// ZK 15.2 every row (10,000 housing units) walks all occupancy qualities first (`?q a
// OccupancyQuality` then `?unit hasQuality ?q`), 10,000 × 10,000 steps (> 60 s at 10k employees).
//
// The rewrite, where it is exact, turns the filter into a semi-join evaluated once:
//   { G… FILTER(EXISTS { P }) }  →  { G… { SELECT DISTINCT ?s… WHERE { P } } }
// with ?s… the variables of P that G mentions. Exact when every such variable is bound in every
// solution of G (it occurs in a triple pattern directly in G): EXISTS substitutes exactly those
// bindings into P, so a row passes iff its values for ?s… are a row of the DISTINCT projection,
// and then it joins with exactly that one row (no duplicates, no new variables). Other FILTERs see
// the same rows (the join adds no variable), and a join commutes with the group's other joins,
// OPTIONALs and BINDs because ?s… are bound before any of them. Not applied when a variable of P
// is mentioned by G without being certainly bound (OPTIONAL, BIND, VALUES with UNDEF, UNION,
// sub-select: the row may lack it, and EXISTS would then leave it free), inside an OPTIONAL (its
// FILTER reads the left side's bindings too), or when P shares no variable with G.
import { clone, mentioned, walkPatternLists, type Node, type Term, type Triple } from './ast.js';

/** Variables a triple pattern binds whenever it matches (path end points included). */
function tripleVariables(t: Triple, into: Set<string>): Set<string> {
  for (const term of [t.subject, t.predicate as Term, t.object]) if (term?.termType === 'Variable') into.add(term.value);
  return into;
}

/** The BGP of `FILTER(EXISTS { BGP })` with two or more triples, else undefined. */
function existsBgp(pattern: Node): Triple[] | undefined {
  if (pattern.type !== 'filter') return undefined;
  const e = pattern.expression as Node;
  if (e?.type !== 'operation' || e.operator !== 'exists') return undefined;
  let inner = (e.args as Node[])[0]!;
  if (inner.type === 'group' && (inner.patterns as Node[]).length === 1) inner = (inner.patterns as Node[])[0]!;
  if (inner.type !== 'bgp') return undefined;
  const triples = inner.triples as Triple[];
  return triples.length >= 2 ? triples : undefined;
}

/** Rewrite one group's pattern list (not an OPTIONAL's); returns it unchanged when nothing applies. */
function rewriteGroup(patterns: Node[]): Node[] {
  const certain = new Set<string>();
  for (const p of patterns) if (p.type === 'bgp') for (const t of p.triples as Triple[]) tripleVariables(t, certain);
  let out = patterns;
  for (const p of patterns) {
    const triples = existsBgp(p);
    if (!triples) continue;
    const others = mentioned(out.filter((q) => q !== p));
    const own = new Set<string>();
    for (const t of triples) tripleVariables(t, own);
    const shared = [...own].filter((v) => others.has(v)).sort();
    if (!shared.length || shared.some((v) => !certain.has(v))) continue;
    const semiJoin: Node = {
      type: 'group',
      patterns: [{ type: 'query', queryType: 'SELECT', distinct: true, variables: shared.map((v) => ({ termType: 'Variable', value: v })), where: [{ type: 'bgp', triples: clone(triples) }], prefixes: {} }],
    };
    out = [...out.filter((q) => q !== p), semiJoin];
  }
  return out;
}

/**
 * Walk the AST and apply the rewrite to every group except OPTIONAL bodies; not into expressions:
 * an EXISTS pattern's groups are evaluated with the outer row substituted.
 */
export function existsSemiJoins(ast: unknown): void {
  walkPatternLists(ast, (patterns, owner) => (owner.type === 'optional' ? undefined : rewriteGroup(patterns)), { intoExpressions: false });
}
