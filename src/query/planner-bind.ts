// Planner trap: a BIND between two BGPs in the middle of a group, `[A… P BIND(e AS ?x) Q …]`, with
// Q using ?x (the location block of ZK 14.2's DTV part and of 2.1, 7.1, 8.1: postcode → area →
// region after the agreements or care processes). Oxigraph 0.5 joins Q once per row of everything
// before it, in a join order fixed before ?x is known (1,244 rows × the region walk: 7 s at 1k
// employees for a block that takes 0.2 s on its own; at 10k 59 s CPU → 2.7 s for that part).
// joins.ts rewrite 1 handles the shape at the start of a group; this one anywhere in it, and only
// with the part of Q that reaches ?x:
//   A… P BIND(e AS ?x) Q  →  A… P { SELECT * WHERE { { SELECT DISTINCT ?k… WHERE { P } } BIND(e AS ?x) Q₁ } } Q₂
// Q₁ is the triples of Q connected to ?x through variables P does not bind (blank nodes always
// connect: they are existential in their BGP and must stay in one), Q₂ the rest; ?k… are the
// variables of e and those Q₁ shares with P. Exact for all data: P is a BGP, so every row r before
// the BIND binds all of P's variables and r restricted to them is a solution of P; e reads only
// them (deterministic, no EXISTS), so the keyed table holds for r's keys exactly one row per
// solution of Q₁ with e's value, the value the BIND gave r. Joining r with it gives r exactly the
// rows of Q₁ it had, with the same multiplicities; Q₁'s variables shared with A are compared by the
// outer join as before; a BGP is the join of any split of its triples, and joins commute. The
// group's FILTERs still see the whole group. Not applied when ?x is mentioned before the BIND, when
// e reads a variable P does not bind, or inside FILTER EXISTS bodies (evaluated with the outer row
// substituted).
import { clone, distinctSelect, expressionVariables, mentioned, subSelect, walkPatternLists, type Node, type Term, type Triple } from './ast.js';


/** Variables and blank nodes of a triple (subject, object, and a variable predicate). */
function terms(t: Triple): Term[] {
  return [t.subject, t.predicate as Term, t.object].filter((x) => x?.termType === 'Variable' || x?.termType === 'BlankNode');
}
const key = (t: Term) => `${t.termType}:${t.value}`;

/** Q split into the triples that reach ?x through terms P does not bind, and the rest. */
function split(q: Triple[], x: string, bound: Set<string>): [Triple[], Triple[]] {
  const reach = new Set([`Variable:${x}`]);
  const inside = new Set<Triple>();
  for (let grown = true; grown; ) {
    grown = false;
    for (const t of q) {
      if (inside.has(t) || !terms(t).some((term) => reach.has(key(term)))) continue;
      inside.add(t);
      grown = true;
      for (const term of terms(t)) if (!(term.termType === 'Variable' && bound.has(term.value))) reach.add(key(term));
    }
  }
  return [q.filter((t) => inside.has(t)), q.filter((t) => !inside.has(t))];
}

/** Subject and object variables of a BGP: bound in every solution. */
function bgpVariables(bgp: Node): Set<string> {
  const out = new Set<string>();
  for (const t of bgp.triples as Triple[]) for (const term of [t.subject, t.object]) if (term.termType === 'Variable') out.add(term.value);
  return out;
}

/** The rewrite at position i (a BIND with a BGP before and after it): the new list, or undefined. */
function keyAt(patterns: Node[], i: number): Node[] | undefined {
  const [p, bind, q] = [patterns[i - 1], patterns[i]!, patterns[i + 1]];
  if (p?.type !== 'bgp' || bind.type !== 'bind' || q?.type !== 'bgp') return undefined;
  const x = (bind.variable as Term).value;
  const pVars = bgpVariables(p);
  const eVars = expressionVariables(bind.expression);
  if (!eVars || [...eVars].some((v) => !pVars.has(v)) || mentioned(patterns.slice(0, i)).has(x)) return undefined;
  const [q1, q2] = split(q.triples as Triple[], x, pVars);
  if (!q1.length) return undefined;
  const shared = q1.flatMap(terms).filter((t) => t.termType === 'Variable' && pVars.has(t.value)).map((t) => t.value);
  const keys = [...new Set([...eVars, ...shared])].sort();
  if (!keys.length) return undefined; // nothing to key on: the BIND is a constant, no loop to avoid
  const block = subSelect([distinctSelect(keys, [clone(p)]), bind, { type: 'bgp', triples: q1 }]);
  return [...patterns.slice(0, i), block, ...(q2.length ? [{ type: 'bgp', triples: q2 }] : []), ...patterns.slice(i + 2)];
}

/** One group's pattern list: every qualifying BIND after the first pattern, left to right. */
function rewriteGroup(patterns: Node[]): Node[] | undefined {
  let out: Node[] | undefined;
  for (let i = 1; i < (out ?? patterns).length - 1; i++) out = keyAt(out ?? patterns, i) ?? out;
  return out;
}

/** Walk the AST bottom-up and rewrite every group that qualifies (not inside expressions). */
export function midGroupBinds(ast: unknown): void {
  walkPatternLists(ast, (patterns, owner) => (owner.type === 'union' ? undefined : rewriteGroup(patterns)), { intoExpressions: false });
}
