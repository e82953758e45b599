// Planner trap: a BGP after a run of BINDs that it does not read, `[… P BIND(e₁ AS ?x₁) … BIND(eₙ
// AS ?xₙ) Q …]` (IGJ 1.2.3: the planned shifts P, the hours computed from them, and only then Q,
// the assertions that tie a shift to its agreement and site). Oxigraph 0.5 joins a group left to
// right through each BIND, so P is joined with the rows before it with no shared variable (every
// agreement × every planned shift: past any deadline at 10k employees) and Q's link comes last.
// The rewrite moves Q in front of the run, into P, when P shares no variable with the patterns
// before it and Q shares one with P and one with them (the measured trap; elsewhere moving a BGP
// only reshuffles Oxigraph's greedy join order, sometimes for the worse), and when no `p*` or `p?`
// path of Q ends in a variable of P (Oxigraph evaluates such a path with a bound end on its own,
// every node of the graph a zero-length match: IGJ 1.4.1 went 5.7 → > 120 s):
//   … P BIND(e₁ AS ?x₁) … Q …  →  … P Q BIND(e₁ AS ?x₁) … …
// Exact for all data: Extend(A, x, e) ⋈ Q = Extend(A ⋈ Q, x, e) when Q does not mention x and e
// has the same value on a row of A ⋈ Q as on its A part: e is deterministic, has no EXISTS (it
// would see Q's variables) and every variable it reads that Q mentions is certainly bound before
// it (a BGP of the list binds it), so Q cannot bind it anew. FILTERs in the run are the group's
// (they see the whole group either way). A BGP is the join of its triples, so Q joins P where it
// joined the run. Not applied inside FILTER EXISTS bodies (evaluated with the outer row substituted).
import { bgpBoundVariables, expressionVariables, mentioned, walkPatternLists, zeroLengthEnds, type Node, type Term, type Triple } from './ast.js';

/** Whether BGP q may be moved in front of `run` (BINDs and FILTERs) that follows `before`. */
function movable(q: Node, run: Node[], before: Node[]): boolean {
  const qVars = mentioned(q.triples);
  const certain = bgpBoundVariables(before);
  for (const p of run) {
    if (p.type === 'filter') continue;
    if (qVars.has((p.variable as Term).value)) return false;
    const reads = expressionVariables(p.expression);
    if (!reads || [...reads].some((v) => qVars.has(v) && !certain.has(v))) return false;
  }
  return true;
}

/** One group's list: each BGP after a run of BINDs it does not read, moved in front of the run. */
function hoistGroup(patterns: Node[]): Node[] | undefined {
  let out: Node[] | undefined;
  for (let i = 2; i < (out ?? patterns).length; i++) {
    const list = out ?? patterns;
    const q = list[i]!;
    if (q.type !== 'bgp') continue;
    let start = i;
    while (start > 0 && (list[start - 1]!.type === 'bind' || list[start - 1]!.type === 'filter')) start--;
    const run = list.slice(start, i);
    // a run with a BIND, after a BGP (the trap is a BGP joined through BINDs to the next one)
    if (start === 0 || list[start - 1]!.type !== 'bgp' || !run.some((p) => p.type === 'bind')) continue;
    const p = list[start - 1]!;
    // Only the trap: P meets nothing before it (a cartesian product) and Q ties it to what came before.
    const earlier = mentioned(list.slice(0, start - 1)), pVars = mentioned(p.triples), qVars = mentioned(q.triples);
    if ([...pVars].some((v) => earlier.has(v)) || ![...qVars].some((v) => pVars.has(v)) || ![...qVars].some((v) => earlier.has(v))) continue;
    if (zeroLengthEnds(q).some((v) => pVars.has(v)) || !movable(q, run, list.slice(0, start))) continue;
    const merged: Node = { ...p, triples: [...(p.triples as Triple[]), ...(q.triples as Triple[])] };
    out = [...list.slice(0, start - 1), merged, ...run, ...list.slice(i + 1)];
  }
  return out;
}

/** Walk the AST bottom-up and hoist in every group (not inside expressions). */
export function hoistBgpsOverBinds(ast: unknown): void {
  walkPatternLists(ast, (patterns) => hoistGroup(patterns), { intoExpressions: false });
}
