// Planner trap: a nested group `{ P R… }` joined with the rows around it, where only some triples
// of its BGP P read variables of its sibling patterns (ZK 14.2's location block:
// `?zorgproces hasPerdurantLocation ?locatie` reads the care process, the rest walks location →
// site → region). Oxigraph 0.5 evaluates such a group either once per outer row (its plan fixed
// before the row is known) or once on its own, and then for every care process of the graph with
// a location, 233,128 at 10k employees (26 s CPU for 14.2's base part; 1.2 s rewritten). The rewrite moves the
// correlated triples P₁ out to the list and evaluates the rest once, on its own, as a sub-select:
//   … { P R… } …  →  … P₁ { SELECT * WHERE { P₂ R… } } …
// Exact for all data: P = P₁ ⋈ P₂ (a BGP is the join of any split of its triples), joins are
// associative and commute, and a BIND(e AS ?x) of R commutes with the join by P₁ because e reads
// no variable of P₁ that R does not bind certainly before it and ?x is not in P₁; `SELECT *`
// projects every variable in scope of { P₂ R… }, so the sub-select has exactly its solutions; the
// list joins P₁ and it where it joined the group. R may hold BGPs, BINDs, sub-selects, groups,
// UNIONs and VALUES (all joins); not applied with FILTERs in the group (scoped to it), with
// OPTIONAL, MINUS or anything else in R, when P₂ or R read a variable of the rows around other
// than through P₁, when P₁ or P₂ would be empty, when a blank node occurs in P₁ (it would span both parts), in OPTIONAL bodies
// and UNION branches, or inside FILTER EXISTS bodies (evaluated with the outer row substituted).
import { expressionVariables, mentioned, subSelect, walkPatternLists, type Node, type Term, type Triple } from './ast.js';

const JOINED = new Set(['bgp', 'bind', 'query', 'group', 'union', 'values']);

const isVar = (t: Term | undefined): t is Term => t?.termType === 'Variable';
const tripleTerms = (t: Triple) => [t.subject, t.predicate as Term, t.object];

/** Whether every BIND of `rest` reads only variables P₁ does not bind or that are certainly bound before it (by P₂ or `rest`). */
function bindsCommute(rest: Node[], p1Vars: Set<string>, certain: Set<string>): boolean {
  for (const r of rest) {
    if (r.type === 'bgp') for (const t of r.triples as Triple[]) for (const term of [t.subject, t.object]) if (isVar(term)) certain.add(term.value);
    if (r.type !== 'bind') continue;
    const x = (r.variable as Term).value;
    const reads = expressionVariables(r.expression);
    if (!reads || p1Vars.has(x) || [...reads].some((v) => p1Vars.has(v) && !certain.has(v))) return false;
  }
  return true;
}

/** The rewritten group's patterns, or undefined when it does not apply. */
function decorrelate(group: Node, outside: Set<string>): Node[] | undefined {
  const patterns = group.patterns as Node[];
  const [p, ...others] = patterns;
  if (p?.type !== 'bgp' || !others.length) return undefined;
  const rest = others.filter((r) => r.type !== 'filter');
  const filters = others.filter((r) => r.type === 'filter');
  if (!rest.length || rest.some((r) => !JOINED.has(r.type!))) return undefined;
  const triples = p.triples as Triple[];
  const p1 = triples.filter((t) => tripleTerms(t).some((term) => isVar(term) && outside.has(term.value)));
  const p2 = triples.filter((t) => !p1.includes(t));
  if (!p1.length || !p2.length || p1.some((t) => tripleTerms(t).some((term) => term?.termType === 'BlankNode'))) return undefined;
  const p1Vars = new Set(p1.flatMap(tripleTerms).filter(isVar).map((t) => t.value));
  // Only through P₁: a value the rows around would give the rest (ZK 2.2's ?zorgkantoor) is free
  // in the sub-select, which then walks every value (measured slower: 2.2 and 4.1 at 1k).
  if ([...mentioned([{ type: 'bgp', triples: p2 }, ...rest])].some((v) => outside.has(v) && !p1Vars.has(v))) return undefined;
  const certain = new Set(p2.flatMap((t) => [t.subject, t.object]).filter(isVar).map((t) => t.value));
  if (!bindsCommute(rest, p1Vars, certain)) return undefined;
  const block = subSelect([{ type: 'bgp', triples: p2 }, ...rest]);
  return [{ type: 'bgp', triples: p1 }, block, ...filters];
}

/**
 * One pattern list: each nested group without FILTERs, decorrelated from its siblings, takes its
 * place as P₁ (merged into a BGP right before it: adjacent BGPs are one) and the sub-select. In the
 * list, not nested: a group Oxigraph loops over would re-run the sub-select once per row.
 */
function rewriteList(patterns: Node[], owner: Node): Node[] | undefined {
  if (owner.type === 'union' || owner.type === 'optional' || patterns.length < 2) return undefined;
  let out = patterns;
  for (const g of patterns) {
    if (g.type !== 'group') continue;
    const replaced = decorrelate(g, mentioned(out.filter((q) => q !== g)));
    if (!replaced || replaced.length !== 2) continue; // FILTERs are scoped to the group: leave it
    const at = out.indexOf(g);
    const [p1, block] = replaced as [Node, Node];
    const before = out[at - 1];
    out = before?.type === 'bgp'
      ? [...out.slice(0, at - 1), { ...before, triples: [...(before.triples as Triple[]), ...(p1.triples as Triple[])] }, block, ...out.slice(at + 1)]
      : [...out.slice(0, at), p1, block, ...out.slice(at + 1)];
  }
  return out === patterns ? undefined : out;
}

/** Walk the AST bottom-up and rewrite every nested group that qualifies (not inside expressions). */
export function correlatedGroups(ast: unknown): void {
  walkPatternLists(ast, rewriteList, { intoExpressions: false });
}
