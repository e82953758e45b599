// Join-order workarounds: planner matters, not defect fixes. The three rewrites keep the answer
// exactly (same solutions, same multiplicities); they change only how Oxigraph 0.5 evaluates shapes
// the official queries share (1 and 2: the location block, location → Vestiging → postcode → region):
//
// 1. A group [P, BIND(e AS ?x), Q …] where the BGP Q uses ?x: Oxigraph joins Q once per row of P
//    (10,000 agreements → 10,000 property-path walks from postcode to region). Since e reads only
//    variables of P, the BIND and Q are evaluated once per distinct value of what they share with P:
//      P { SELECT * WHERE { { SELECT DISTINCT ?k… WHERE { P } } BIND(e AS ?x) Q } } …
//    Equal: joining P with the table keyed by ?k… gives each row of P exactly the rows of Q it had.
// 2. The patterns of a group joined with a UNION { location block } UNION { BIND("Organisatie" …) }:
//    the second branch leaves the join variables unbound, so Oxigraph's hash join has no key and
//    compares every outer row with every location row (6,500 × 8,000 at 10k employees). Joins,
//    left joins, extensions and filters distribute over UNION, so the group becomes
//      { <the group, with branch 1 in the UNION's place> } UNION { <…, with branch 2> }
//    with the group's other patterns evaluated once per branch, and each join keyed.
// 3. OPTIONAL { BGP of two or more triple patterns, FILTERs }: Oxigraph loops over the outer rows and
//    re-runs the BGP for each in an order fixed before the outer binding is known (all sick periods
//    for every agreement). With the BGP as `{ SELECT * WHERE { BGP } }` (the same solutions) it is
//    evaluated once and joined; the FILTERs stay the OPTIONAL's condition. ZK 12.1's core at 10k:
//    72 s → 0.2 s. The VALUES of the group before it are copied into that sub-select (see
//    restrictOnceBlocks), so that evaluated alone it does not enumerate what they bound.
// Measured on the 10k-employee generator organisation: ZK 1.2's location block 5.3 s → 0.5 s; the
// block joined to the agreements > 100 s → 0.7 s (bench/README.md, bench:conformance).
import { clone, distinctSelect, expressionVariables, subSelect, walkPatternLists, type Node, type Term, type Triple } from './ast.js';
import { keyUnkeyedBranches } from './union-keys.js';


/** The blocks rewrite 1 produced, for rewrite 2 to find (weak: ASTs come and go per query). */
const keyedBlocks = new WeakSet<Node>();
/** Variables of a BGP (paths included: their end points; internal path nodes are not variables). */
function bgpVariables(bgp: Node): Set<string> {
  const out = new Set<string>();
  for (const t of bgp.triples as Triple[]) for (const term of [t.subject, t.object]) if (term.termType === 'Variable') out.add(term.value);
  return out;
}

/**
 * Rewrite 1's key table with P's leaf triples dropped: a triple with a variable (or blank node)
 * that is not a key and occurs in no other triple of P only keeps keys that have such a match (ZK
 * 15.4.x: `?zorgproces hasPerdurantLocation ?locatie` enumerated the 233,000 perdurants with a
 * location, worked periods included, to find a handful of postcodes). Without it the table holds a
 * superset of the keys; exact, since the table is joined with P itself, whose rows carry only keys
 * P has, so a key beyond them meets no row. Every key stays bound by the triples left.
 */
function withoutLeaves(bgp: Node, keys: Set<string>): Node {
  let triples = bgp.triples as Triple[];
  const name = (term: Term) => (term.termType === 'Variable' || term.termType === 'BlankNode' ? `${term.termType}:${term.value}` : undefined);
  const names = (t: Triple) => [t.subject, t.predicate as Term, t.object].flatMap((term) => (term?.termType ? [name(term)] : [])).filter((x): x is string => !!x);
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of triples) {
      const others = triples.filter((o) => o !== t);
      const elsewhere = new Set(others.flatMap(names));
      const leaf = names(t).some((n) => !elsewhere.has(n) && !keys.has(n.replace(/^Variable:/, '')));
      const keysKept = [...keys].every((k) => elsewhere.has(`Variable:${k}`));
      if (leaf && keysKept && others.length) {
        triples = others;
        changed = true;
        break;
      }
    }
  }
  return { ...bgp, triples };
}

/** Rewrite 1 on one group's pattern list (in place). */
function bindOncePerKey(patterns: Node[]): void {
  const [p, bind, q] = patterns;
  if (patterns.length < 3 || p?.type !== 'bgp' || bind?.type !== 'bind' || q?.type !== 'bgp') return;
  const x = (bind.variable as Term).value;
  const pVars = bgpVariables(p), qVars = bgpVariables(q);
  const eVars = expressionVariables(bind.expression);
  if (!eVars || !qVars.has(x) || pVars.has(x) || [...eVars].some((v) => !pVars.has(v))) return;
  const keys = [...new Set([...eVars, ...[...qVars].filter((v) => pVars.has(v))])].sort();
  const block = subSelect([distinctSelect(keys, [withoutLeaves(clone(p), new Set(keys))]), bind, q]);
  keyedBlocks.add(block);
  patterns.splice(1, 2, block);
}

/** The sub-selects rewrite 3 produced, for the VALUES restriction of the enclosing group. */
const onceBlocks = new WeakSet<Node>();

/** Rewrite 3 on an OPTIONAL's pattern list (in place): a BGP-and-FILTERs OPTIONAL's BGP, evaluated once. */
function optionalOnce(patterns: Node[]): void {
  const bgps = patterns.filter((p) => p.type === 'bgp');
  if (bgps.length !== 1 || (bgps[0]!.triples as unknown[]).length < 2 || patterns.some((p) => p.type !== 'bgp' && p.type !== 'filter')) return;
  const block = subSelect([bgps[0]!]);
  onceBlocks.add(block);
  patterns[patterns.indexOf(bgps[0]!)] = block;
}

/**
 * Rewrite 3's sub-select evaluated on its own must not enumerate what only the group's VALUES
 * bound before (ZK 12.2: `VALUES ?type_verzuim { ZiektePeriode ZwangerschapsVerlof }` and then
 * `OPTIONAL { ?z a ?type_verzuim ; definedBy ?overeenkomst … }`: every typed node of the graph, 9 s
 * at 10k employees). Each VALUES column the block reads, with a value in every row, is copied into
 * the block: `{ SELECT * WHERE { VALUES ?v { … } BGP } }`. Exact: every row on the left of the
 * OPTIONAL went through that VALUES (the group is joined left to right, and joins only restrict),
 * so it binds ?v to one of the listed terms; a solution of the BGP with another value for ?v is
 * compatible with no left row, and dropping it changes no left join.
 */
function restrictOnceBlocks(patterns: Node[]): void {
  patterns.forEach((optional, i) => {
    if (optional.type !== 'optional') return;
    const block = (optional.patterns as Node[]).find((p) => onceBlocks.has(p));
    if (!block) return;
    const select = (block.patterns as Node[])[0]!;
    const reads = bgpVariables((select.where as Node[]).find((p) => p.type === 'bgp')!);
    for (const values of patterns.slice(0, i).filter((p) => p.type === 'values')) {
      const rows = values.values as Record<string, Term | undefined>[];
      for (const key of new Set(rows.flatMap((r) => Object.keys(r)))) {
        if (!reads.has(key.slice(1)) || rows.some((r) => !r[key])) continue;
        const seen = new Map(rows.map((r) => [JSON.stringify(r[key]), r[key]!]));
        (select.where as Node[]).unshift({ type: 'values', values: [...seen.values()].map((term) => ({ [key]: term })) });
      }
    }
  });
}

/** A UNION with a branch that directly holds a keyed block (the official location block). */
function holdsUnionWithKeyedBlock(pattern: Node): boolean {
  return pattern.type === 'union' && (pattern.patterns as Node[]).some(isKeyedBranch);
}

function isKeyedBranch(branch: Node): boolean {
  return branch.type === 'group' && (branch.patterns as Node[]).some((p) => keyedBlocks.has(p));
}

/** Walk the AST bottom-up (FILTER EXISTS bodies too) and apply the three rewrites. */
export function locationJoins(ast: unknown): void {
  const outsideExpressions = new WeakSet<Node[]>();
  walkPatternLists(ast, (patterns) => void outsideExpressions.add(patterns), { intoExpressions: false });
  walkPatternLists(ast, (patterns, owner) => {
    if (owner.type === 'union') return undefined; // its branches are groups, handled on their own
    bindOncePerKey(patterns);
    if (owner.type === 'optional') optionalOnce(patterns);
    restrictOnceBlocks(patterns);
    // Rewrite 2: the group's patterns joined with each branch of a UNION that holds a keyed block.
    const at = patterns.findIndex(holdsUnionWithKeyedBlock);
    if (at < 0 || patterns.length < 2) return undefined;
    const union = patterns[at]!;
    // Where the patterns before it bind the key in every row, a key in the other branches instead (union-keys.ts).
    if (outsideExpressions.has(patterns) && keyUnkeyedBranches(patterns, at, isKeyedBranch)) return undefined;
    const branches = (union.patterns as Node[]).map((branch) => ({ type: 'group', patterns: patterns.map((p, i) => (i === at ? branch : clone(p))) }));
    return [{ type: 'union', patterns: branches }];
  }, { intoExpressions: true });
}
