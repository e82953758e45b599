// Planner trap: a group joined on a variable that the rows before it bind by a BIND that may leave
// it unbound (ZK 2.1, 6.1, 7.1, 8.1: `BIND(IF(!BOUND(?locatie_werk), ?locatie_afspraak,
// ?locatie_werk) AS ?locatie)` and then the location block `{ ?locatie a StationaryArtifact ;
// partOf* ?vestiging … }`). Oxigraph 0.5 keys a hash join only on variables certainly bound on
// both sides; ?locatie is not, so every row is compared with every row of the block (500,000 hour
// rows × 5,700 location rows at 10k employees: past any deadline). The rewrite adds a key that is
// certainly bound on both sides:
//   … BIND(e AS ?x) … { G… }  →  … BIND(e AS ?x) … BIND(COALESCE(?x, "") AS ?k) { G… VALUES ?f { true false } BIND(COALESCE(IF(?f, ?x, ""), "") AS ?k) }
// Exact for all data, when ?x is the subject of a triple pattern directly in G (so G binds it, to
// an IRI or blank node, never to a literal, in every solution): each solution g of G appears
// twice, keyed by its ?x (f true) and by "" (f false). A row r with ?x bound to v has key v (or
// "" when v is that literal) and meets the first copy of each g with g.x = v, and no second copy
// (its key "" differs from v, or when v is "", g.x ≠ v makes them incompatible), exactly the g it
// was compatible with before. A row with ?x unbound has key "" and meets the second copy of every
// g (and no first copy, whose key is an IRI or blank node), compatible on the other variables
// exactly as before. So each pair of the old join gives one row, with ?k and ?f added; both are
// functions of r (r.x or "", and whether r.x is bound), so DISTINCT and COUNT(DISTINCT *) are
// unchanged, and the names are fresh, so no pattern or FILTER reads them. They would show in a
// `SELECT *` result: not applied when the query's own projection is a wildcard, nor inside FILTER
// EXISTS bodies or UNION branch lists (their groups are handled on their own).
import sparqljs from 'sparqljs';
import { bgpBoundVariables, mentioned, walkPatternLists, type Node, type Term, type Triple } from './ast.js';

const parser = new sparqljs.Parser();

/** The two additions for ?x, keyed by ?k with copy flag ?f, from a parsed template (so the terms are the parser's own). */
function additions(x: string, k: string, f: string): { outer: Node; inner: Node[] } {
  const template = parser.parse(`SELECT * WHERE { BIND(COALESCE(?${x}, "") AS ?${k}) { VALUES ?${f} { true false } BIND(COALESCE(IF(?${f}, ?${x}, ""), "") AS ?${k}) } }`) as unknown as { where: Node[] };
  const [outer, group] = template.where;
  return { outer: outer!, inner: group!.patterns as Node[] };
}

/** Variables that are subjects of triple patterns directly in a group's pattern list. */
function subjects(patterns: Node[]): Set<string> {
  const out = new Set<string>();
  for (const p of patterns) if (p.type === 'bgp') for (const t of p.triples as Triple[]) if (t.subject.termType === 'Variable') out.add(t.subject.value);
  return out;
}

export function unboundJoinKeys(ast: unknown): void {
  const query = ast as Node;
  if (query.type !== 'query' || !Array.isArray(query.variables) || query.variables.some((v) => (v as Term).termType === 'Wildcard')) return;
  const taken = mentioned(ast);
  let n = 0;
  const fresh = (base: string) => {
    let name: string;
    do name = `${base}${++n}`;
    while (taken.has(name));
    taken.add(name);
    return name;
  };
  walkPatternLists(ast, (patterns, owner) => {
    if (owner.type === 'union') return undefined;
    let out: Node[] | undefined;
    for (let i = 1; i < (out ?? patterns).length; i++) {
      const list = out ?? patterns;
      const group = list[i]!;
      if (group.type !== 'group') continue;
      const before = list.slice(0, i);
      const certain = bgpBoundVariables(before);
      const inside = subjects(group.patterns as Node[]);
      // ?x: bound before by a BIND that reads a variable no BGP before binds (it may stay unbound).
      const bind = before.find((p) => p.type === 'bind' && inside.has((p.variable as Term).value) && [...mentioned(p.expression)].some((v) => !certain.has(v)));
      if (!bind) continue;
      const { outer, inner } = additions((bind.variable as Term).value, fresh('planner_key_'), fresh('planner_copy_'));
      out = [...before, outer, { type: 'group', patterns: [...(group.patterns as Node[]), ...inner] }, ...list.slice(i + 1)];
      i++;
    }
    return out;
  }, { intoExpressions: false });
}
