// Planner trap: a BGP holding a part that shares no variable with the rest of the BGP nor with
// anything before it in the group, joined to the group only by a BGP after an OPTIONAL or a BIND
// (ZK 15.4.2: `?sector a onz-zorg:LangdurigeZorgSector` beside the care processes, tied to them
// by the indication's sector after the OPTIONAL end date). Oxigraph 0.5 evaluates the BGP as it
// stands, a cartesian product (8 sectors × every care process), and carries that through the
// OPTIONAL and the joins up to the BGP that ties them. The rewrite moves the part C into that BGP:
//   … { D C } E₁ … Eₙ Q …  →  … { D } E₁ … Eₙ { Q C } …
// Exact for all data, each Eᵢ being one of:
//   - a BGP, or a group, UNION, sub-select or VALUES that names no variable of C: join is
//     associative and commutative, (X ⋈ C) ⋈ E = (X ⋈ E) ⋈ C;
//   - OPTIONAL { O } with no variable of C anywhere in it (its FILTER too): a row x ∪ c is
//     compatible with a row o of O exactly when x is, since c binds only C's variables, so
//     LeftJoin(X ⋈ C, O) = LeftJoin(X, O) ⋈ C, multiplicities included;
//   - MINUS { M } with no variable of C: M's rows share a variable with x ∪ c exactly when with x;
//   - BIND(e AS ?v), e deterministic with no EXISTS and no variable of C, ?v not in C:
//     Extend(X ⋈ C, v, e) = Extend(X, v, e) ⋈ C, as e has the same value on x ∪ c as on x;
//   - a FILTER: the group's FILTERs apply to the whole group wherever they stand.
// C is plain triples (no paths), every one of its variables certainly bound by it, and no blank
// nodes (they are scoped to their BGP). Q gets no `p*` / `p?` path ending in a variable of C
// (Oxigraph evaluates such a path with a bound end on its own, see planner-hoist.ts). Not
// applied inside FILTER EXISTS bodies (evaluated with the outer row substituted) nor to the
// branches of a UNION (a list of alternatives, not a group).
import { expressionVariables, mentioned, walkPatternLists, zeroLengthEnds, type Node, type Term, type Triple } from './ast.js';

const terms = (t: Triple) => [t.subject, t.predicate as Term, t.object];
const linking = (term: Term) => term.termType === 'Variable' || term.termType === 'BlankNode';

/** The BGP's triples in parts connected by shared variables and blank nodes. */
function parts(triples: Triple[]): Triple[][] {
  const groups: { triples: Triple[]; keys: Set<string> }[] = [];
  for (const t of triples) {
    const keys = new Set(terms(t).filter((x) => x && linking(x)).map((x) => `${x.termType}:${x.value}`));
    const touching = groups.filter((g) => [...keys].some((k) => g.keys.has(k)));
    const merged = { triples: [...touching.flatMap((g) => g.triples), t], keys: new Set([...keys, ...touching.flatMap((g) => [...g.keys])]) };
    for (const g of touching) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups.map((g) => g.triples);
}

/** Whether C (its variables cVars) moves across this element unchanged in meaning. */
function crossable(e: Node, cVars: Set<string>): boolean {
  const names = (x: unknown) => [...mentioned(x)].some((v) => cVars.has(v));
  switch (e.type) {
    case 'filter':
    case 'bgp': // one that names no variable of C (else it is the BGP C moves into)
      return true;
    case 'bind': {
      const reads = expressionVariables(e.expression);
      return !!reads && ![...reads].some((v) => cVars.has(v)) && !cVars.has((e.variable as Term).value);
    }
    case 'optional':
    case 'minus':
    case 'group':
    case 'union':
    case 'values':
    case 'query':
      return !names(e);
    default:
      return false;
  }
}

/** One group's list: each disconnected plain part of a BGP moved into the later BGP that ties it in. */
function sinkGroup(patterns: Node[]): Node[] | undefined {
  let list = patterns;
  for (let i = 0; i < list.length; i++) {
    const bgp = list[i]!;
    if (bgp.type !== 'bgp') continue;
    const own = parts(bgp.triples as Triple[]);
    for (const c of own) {
      const cVars = mentioned(c);
      const plain = c.every((t) => !(t.predicate as Node).type && terms(t).every((x) => x.termType !== 'BlankNode'));
      if (!cVars.size || !plain) continue;
      const earlier = mentioned(list.slice(0, i));
      // the trap: C meets nothing before it, yet rows are made beside it (another part of its BGP)
      // or before it by more than BINDs and VALUES (one row each, often: the parameters)
      const rowsBefore = own.length > 1 || list.slice(0, i).some((p) => !['filter', 'bind', 'values'].includes(p.type!));
      if ([...cVars].some((v) => earlier.has(v)) || !rowsBefore) continue;
      let j = i + 1;
      while (j < list.length && !(list[j]!.type === 'bgp' && [...mentioned(list[j]!.triples)].some((v) => cVars.has(v))) && crossable(list[j]!, cVars)) j++;
      const q = list[j];
      // only across an OPTIONAL, a BIND or a block: across FILTERs alone Oxigraph joins the two BGPs already
      const crossed = list.slice(i + 1, j);
      if (!q || q.type !== 'bgp' || crossed.every((p) => p.type === 'filter') || zeroLengthEnds(q).some((v) => cVars.has(v))) continue;
      const rest = (bgp.triples as Triple[]).filter((t) => !c.includes(t));
      const merged: Node = { ...q, triples: [...(q.triples as Triple[]), ...c] };
      list = [...list.slice(0, i), ...(rest.length ? [{ ...bgp, triples: rest }] : []), ...crossed, merged, ...list.slice(j + 1)];
      i--; // look at this position again: the BGP left behind (or what took its place)
      break;
    }
  }
  return list === patterns ? undefined : list;
}

/** Walk the AST bottom-up and sink disconnected parts in every group (not inside expressions, not across UNION branches). */
export function sinkDisconnectedParts(ast: unknown): void {
  walkPatternLists(ast, (patterns, owner) => (owner.type === 'union' ? undefined : sinkGroup(patterns)), { intoExpressions: false });
}
