// Calendar lookups by arithmetic: a planner workaround, not a defect fix. The official queries turn
// a date computed in the query into a day number through the calendar,
//   ?d ^time:inXSDDate/time:inTemporalPosition/time:numericPosition ?n .
// Oxigraph evaluates that path without using the bound ?d, once per row; after 1.1's day
// expansion that never finishes. When ?d is certainly bound earlier in the same group (by a BIND
// or a triple pattern), the lookup is replaced by the same number computed from the calendar's
// first day and its position (the KIK-V calendar is consecutive days with consecutive positions),
// the calendar's bounds being read once per query:
//   { SELECT (MIN(?date) AS ?first) (MAX(?date) AS ?last) (MIN(?pos) AS ?p0) WHERE { calendar } }
//   FILTER(?d >= ?first && ?d <= ?last)                      — a date outside the calendar: no row
//   BIND(xsd:integer(REPLACE(STR(?d - ?first), "[^0-9]", "")) + ?p0 AS ?n)
// Equal to the lookup for every date in the calendar and for dates outside it. It differs only
// when the BIND producing ?d fails (?d unbound): the lookup would then pair the row with every
// calendar day, the rewrite drops it. Lookups whose date may come from outside the group (an
// OPTIONAL reading an outer variable, as in 11.x) are left as they are.
import sparqljs from 'sparqljs';

const TIME = 'http://www.w3.org/2006/time#';
type Node = Record<string, unknown> & { type?: string };
type Term = { termType: string; value: string };
type Triple = { subject: Term; predicate: unknown; object: Term };

function isIri(x: unknown, iri: string): boolean {
  return typeof x === 'object' && x !== null && (x as Term).termType === 'NamedNode' && (x as Term).value === iri;
}

/** `^time:inXSDDate/time:inTemporalPosition/time:numericPosition` */
function isDayNumberPath(p: unknown): boolean {
  const path = p as { type?: string; pathType?: string; items?: unknown[] };
  if (path?.type !== 'path' || path.pathType !== '/' || path.items?.length !== 3) return false;
  const [first, second, third] = path.items as [unknown, unknown, unknown];
  const inverse = first as { type?: string; pathType?: string; items?: unknown[] };
  return (
    inverse?.type === 'path' && inverse.pathType === '^' && isIri(inverse.items?.[0], `${TIME}inXSDDate`) && isIri(second, `${TIME}inTemporalPosition`) && isIri(third, `${TIME}numericPosition`)
  );
}

const parser = new sparqljs.Parser();

/** The replacement patterns for one lookup, parsed from text (variable names are SPARQL-safe). */
function replacement(date: string, number: string, k: number): unknown[] {
  const [first, last, position] = [`kal_eerste_${k}`, `kal_laatste_${k}`, `kal_positie_${k}`];
  const text = `SELECT * WHERE {
    { SELECT (MIN(?kal_datum_${k}) AS ?${first}) (MAX(?kal_datum_${k}) AS ?${last}) (MIN(?kal_pos_${k}) AS ?${position})
      WHERE { ?kal_dag_${k} <${TIME}inXSDDate> ?kal_datum_${k} ; <${TIME}inTemporalPosition>/<${TIME}numericPosition> ?kal_pos_${k} } }
    FILTER(?${date} >= ?${first} && ?${date} <= ?${last})
    BIND(<http://www.w3.org/2001/XMLSchema#integer>(REPLACE(STR(?${date} - ?${first}), "[^0-9]", "")) + ?${position} AS ?${number})
  }`;
  return (parser.parse(text) as { where: unknown[] }).where;
}

/** Rewrite the lookups of one group's pattern list; returns the new list. */
function rewriteGroup(patterns: Node[], counter: { k: number }): Node[] {
  const bound = new Set<string>();
  const out: Node[] = [];
  for (const pattern of patterns) {
    if (pattern.type === 'bind') bound.add((pattern.variable as Term).value);
    if (pattern.type !== 'bgp') {
      out.push(pattern);
      continue;
    }
    let pending: Triple[] = [];
    for (const triple of pattern.triples as Triple[]) {
      const lookup = isDayNumberPath(triple.predicate) && triple.subject.termType === 'Variable' && triple.object.termType === 'Variable' && bound.has(triple.subject.value);
      if (!lookup) {
        pending.push(triple);
        // A triple pattern binds its variables whenever it matches.
        for (const term of [triple.subject, triple.object]) if (term.termType === 'Variable') bound.add(term.value);
        continue;
      }
      if (pending.length) out.push({ type: 'bgp', triples: pending });
      pending = [];
      out.push(...(replacement(triple.subject.value, triple.object.value, ++counter.k) as Node[]));
      bound.add(triple.object.value);
    }
    if (pending.length) out.push({ type: 'bgp', triples: pending });
  }
  return out;
}

/** Walk the whole AST and rewrite every group (WHERE clauses, sub-groups, sub-queries, OPTIONAL, UNION branches). */
export function calendarLookups(node: unknown, counter = { k: 0 }): void {
  if (Array.isArray(node)) {
    for (const n of node) calendarLookups(n, counter);
    return;
  }
  if (node === null || typeof node !== 'object' || 'termType' in node) return;
  const n = node as Node;
  for (const key of ['where', 'patterns'] as const) {
    const list = n[key];
    if (Array.isArray(list) && list.every((p) => typeof p === 'object' && p !== null && 'type' in p)) {
      n[key] = rewriteGroup(list as Node[], counter);
    }
  }
  for (const [key, value] of Object.entries(n)) if (key !== 'prefixes') calendarLookups(value, counter);
}
