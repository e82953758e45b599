// Planner trap: a group's first BGP filtered only at the group's end (IGJ onaangekondigd 1.4.2:
// every worked period of two years, 220,000 at 10k employees, is joined with its agreement, its
// function, both branches of the level UNION and a dozen BINDs before `FILTER((?end_dt > ?dan_start)
// && (?start_werk < ?dan_end))` keeps the few of one day: 11 s). SPARQL applies a group's FILTERs
// to the whole group, so Oxigraph 0.5 evaluates them last. The rewrite evaluates the FILTER with
// the BGP, and the BINDs it needs, first:
//   BIND… B OPTIONAL… X… BIND(e AS ?v) Y… FILTER(f)
//     →  { SELECT * WHERE { BIND… B OPTIONAL… BIND(e AS ?v) FILTER(f) } } X… Y… FILTER(f)
// (the sub-select is the group's own start, so the join order up to it is the same). Exact for all
// data, when
// - f and e read only *final* variables: certainly bound by B (joins never change a bound value),
//   or bound by a leading BIND, one of those OPTIONALs or a moved BIND and named by no pattern
//   after them but BINDs and FILTERs (so a variable left unbound stays unbound: nothing else can
//   bind it);
// - e is deterministic and error-free in the sense of expressionVariables (no EXISTS, RAND, BNODE),
//   and no pattern between B and the BIND names ?v: Extend commutes with the joins, left joins and
//   minus it is moved over, since they do not name ?v and e sees the same values before them;
// - f reads no EXISTS, and stays in the group as well: filtering B's rows by f before the joins
//   gives the rows the group filter would keep, since f's variables have their final values there.
// The sub-select sees nothing from outside: it starts the group, and groups are evaluated on their
// own (not applied in FILTER EXISTS bodies, whose rows are substituted, nor to OPTIONAL or MINUS
// bodies, whose FILTERs are the left join's condition). Blank nodes in B keep it out.
import { bgpBoundVariables, clone, expressionVariables, mentioned, subSelect, walkPatternLists, type Node, type Term } from './ast.js';

function hasBlankNode(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasBlankNode);
  if (node === null || typeof node !== 'object') return false;
  return (node as Node).termType === 'BlankNode' || (!(node as Node).termType && Object.values(node).some(hasBlankNode));
}

function pushFilters(patterns: Node[], withOptionals: boolean): Node[] | undefined {
  const at = patterns.findIndex((p) => p.type !== 'bind');
  const bgp = patterns[at];
  if (at < 0 || bgp?.type !== 'bgp' || hasBlankNode(bgp)) return undefined;
  // the OPTIONALs right after B go with it (IGJ 1.1.2: the care process's end date)
  let end = at + 1;
  while (withOptionals && patterns[end]?.type === 'optional') end++;
  const rest = patterns.slice(end);
  const bindsVariable = (v: string) => rest.some((p) => p.type !== 'bind' && p.type !== 'filter' && mentioned(p).has(v));
  const certain = bgpBoundVariables([bgp]);
  const final = new Set(certain);
  const leading = new Set(patterns.slice(0, at).map((b) => (b.variable as Term).value));
  for (const v of [...leading, ...mentioned(patterns.slice(at + 1, end))]) if (!bindsVariable(v)) final.add(v);
  // BINDs after B that can move up to it, in order (one may read another moved before it)
  const movable = new Map<Node, Set<string>>();
  rest.forEach((p, j) => {
    if (p.type !== 'bind') return;
    const v = (p.variable as Term).value, reads = expressionVariables(p.expression);
    if (!reads || ![...reads].every((r) => final.has(r)) || rest.slice(0, j).some((q) => q.type !== 'filter' && !movable.has(q) && mentioned(q).has(v))) return;
    if (bindsVariable(v)) return;
    movable.set(p, reads);
    final.add(v);
  });
  const filters = rest.filter((p) => {
    if (p.type !== 'filter') return false;
    const reads = expressionVariables(p.expression);
    return !!reads && [...reads].every((r) => final.has(r)) && [...reads].some((r) => !leading.has(r)); // not on parameters alone
  });
  if (!filters.length) return undefined;
  // only the BINDs the filters need, directly or through another moved BIND
  const need = new Set(filters.flatMap((f) => [...expressionVariables(f.expression)!]));
  const moved = [...movable].reverse().filter(([b, reads]) => need.has((b.variable as Term).value) && (reads.forEach((r) => need.add(r)), true)).map(([b]) => b).reverse();
  if (!rest.some((p) => p.type !== 'filter' && !moved.includes(p))) return undefined; // nothing to filter before
  const block = subSelect([...patterns.slice(0, end), ...moved, ...filters.map(clone)]);
  return [block, ...rest.filter((p) => !moved.includes(p))];
}

export function filtersWithFirstBgp(ast: unknown): void {
  // with the OPTIONALs when that leaves rows to filter before, else before them
  walkPatternLists(ast, (patterns, owner) => (owner.type === 'query' || owner.type === 'group' ? pushFilters(patterns, true) ?? pushFilters(patterns, false) : undefined), { intoExpressions: false });
}
