// Rewrite 2 of joins.ts without evaluating the group twice. `X { L } UNION { BIND("Organisatie" AS ?v) }`
// joins X with a UNION whose second branch leaves the join variable ?k unbound, so Oxigraph 0.5's
// hash join has no key; rewrite 2 distributes X over the branches, and X (in ZK 11.x a sub-select
// summing every agreement's absence, 1.6 s at 10k employees) is then evaluated once per branch.
// Here, when X binds ?k in every solution through a plain triple pattern t, the unkeyed branch B
// gets the key instead:
//   X { L } UNION { { SELECT DISTINCT ?k WHERE { t } } B }
// Exact for all data: every solution of X binds ?k to a value that t matches (t is a mandatory
// part of X: a triple of a BGP directly in X's group, or in a group, a sub-select projecting ?k as
// itself, or every branch of a UNION there; joins only restrict), so the DISTINCT table S holds
// exactly one row compatible with each row of X. B names no ?k, so S ⋈ B = S × B and
// X ⋈ (S ⋈ B) = (X ⋈ S) ⋈ B = X ⋈ B: the same solutions, the same multiplicities; ?k was bound by
// X already, with the same value. Not applied inside FILTER EXISTS bodies (evaluated with the
// outer row substituted), to a branch that names ?k, nor when X binds ?k only through a BIND, a
// VALUES, a path or an OPTIONAL (6.1's ?locatie): rewrite 2 then distributes as before.
import { bgpBoundVariables, distinctSelect, mentioned, type Node, type Term, type Triple } from './ast.js';

/** Triple patterns, one per alternative, at least one of which every solution of the list matches with ?k bound. */
function keyDomain(patterns: Node[], k: string): Triple[] | undefined {
  for (const p of patterns) {
    const found = p.type === 'bgp' ? bestTriple(p.triples as Triple[], k)
      : p.type === 'group' ? keyDomain(p.patterns as Node[], k)
      : p.type === 'query' ? subSelectDomain(p, k)
      : p.type === 'union' ? unionDomain(p.patterns as Node[], k)
      : undefined;
    if (found) return found;
  }
  return undefined;
}

function unionDomain(branches: Node[], k: string): Triple[] | undefined {
  const each = branches.map((b) => keyDomain([b], k)); // a branch of one pattern is that pattern
  return each.every((d) => d) ? each.flat() as Triple[] : undefined;
}

/** A sub-select passes ?k on unchanged when it projects it as itself (and groups by it as itself). */
function subSelectDomain(query: Node, k: string): Triple[] | undefined {
  if (query.queryType !== 'SELECT') return undefined;
  const projected = (query.variables as (Term | Node)[]).some((v) => (v as Term).termType === 'Wildcard' || ((v as Term).termType === 'Variable' && (v as Term).value === k));
  const grouped = !query.group || (query.group as Node[]).some((g) => !g.variable && (g.expression as Term)?.termType === 'Variable' && (g.expression as Term).value === k);
  return projected && grouped ? keyDomain(query.where as Node[], k) : undefined;
}

/** The plain triple naming ?k with the most constants (the smallest table); no paths, no blank nodes. */
function bestTriple(triples: Triple[], k: string): Triple[] | undefined {
  const terms = (t: Triple) => [t.subject, t.predicate as Term, t.object];
  const plain = triples.filter((t) => (t.predicate as Term).termType && terms(t).every((x) => x.termType !== 'BlankNode') && terms(t).some((x) => x.termType === 'Variable' && x.value === k));
  const constants = (t: Triple) => terms(t).filter((x) => x.termType !== 'Variable').length;
  const best = plain.sort((a, b) => constants(b) - constants(a))[0];
  return best ? [best] : undefined;
}

/** `{ SELECT DISTINCT ?k WHERE { t } }`, or over `{ t1 } UNION { t2 } …` for several alternatives. */
function keyTable(k: string, domain: Triple[]): Node {
  const id = (t: Triple) => JSON.stringify([t.subject, t.predicate as Term, t.object].map((x) => [x.termType, x.value, (x as { datatype?: Term }).datatype?.value, (x as { language?: string }).language]));
  const unique = [...new Map(domain.map((t) => [id(t), t])).values()];
  const bgp = (t: Triple): Node => ({ type: 'bgp', triples: [t] });
  // a branch of one pattern as sparqljs parses it (the pattern itself), so the text re-parses to this AST
  return distinctSelect([k], unique.length === 1 ? [bgp(unique[0]!)] : [{ type: 'union', patterns: unique.map(bgp) }]);
}

/** `{ SELECT … GROUP BY … }`: evaluated whole on its own in either form, so rewrite 2 would evaluate it once per branch. */
function isGroupedSubSelect(p: Node): boolean {
  const inner = p.type === 'group' ? (p.patterns as Node[]) : [];
  return inner.length === 1 && inner[0]!.type === 'query' && Array.isArray(inner[0]!.group);
}

/**
 * Give the UNION at `at` (its keyed branches certainly bind the join variable) a key in every
 * other branch, in place; false when no variable qualifies (then rewrite 2 distributes).
 */
export function keyUnkeyedBranches(patterns: Node[], at: number, keyed: (branch: Node) => boolean): boolean {
  const before = patterns.slice(0, at);
  const branches = (patterns[at]!.patterns as Node[]);
  const withKey = branches.filter(keyed), others = branches.filter((b) => !keyed(b));
  if (!before.length || !before.every(isGroupedSubSelect) || !withKey.length || !others.length) return false;
  const bound = withKey.map((b) => bgpBoundVariables(b.patterns as Node[]));
  const candidates = [...mentioned(before)].filter((v) => bound.every((s) => s.has(v))).sort();
  for (const k of candidates) {
    if (others.some((b) => mentioned(b).has(k))) continue;
    const domain = keyDomain(before, k);
    if (!domain) continue;
    // a branch of one pattern is that pattern itself in sparqljs (`{ BIND(…) }` is a bind)
    patterns[at]!.patterns = branches.map((b) => (keyed(b) ? b : { type: 'group', patterns: [keyTable(k, domain), ...(b.type === 'group' ? (b.patterns as Node[]) : [b])] }));
    return true;
  }
  return false;
}
