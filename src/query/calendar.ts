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
// calendar day, the rewrite drops it.
//
// 11.x also look dates of the outer group up inside an OPTIONAL, two at a time:
//   OPTIONAL { FILTER(BOUND(?a) && BOUND(?b)) ?a <lookup> ?na . ?b <lookup> ?nb . BIND(?nb - ?na + 1 AS ?days) }
// Evaluated bottom-up, that OPTIONAL is the calendar joined with itself (7,670² rows) before any
// outer row is seen. When the OPTIONAL holds only lookups of outer dates, FILTERs on outer
// variables and BINDs on its own variables, it becomes BINDs in the outer group:
//   BIND(COALESCE(<every date in the calendar> && <the FILTERs>, false) AS ?ok)
//   BIND(IF(?ok, <day number of ?a>, ?nothing) AS ?na) … BIND(IF(?ok, ?nb - ?na + 1, ?nothing) AS ?days)
// Equal for every row whose dates are bound; for a row whose date is unbound the OPTIONAL would
// pair it with every calendar day (the FILTER sees the day's date), the rewrite leaves it alone.
// In 11.x such rows are removed by their group's FILTERs either way (test/query/calendar.test.ts
// compares the official 11.x texts with and without the rewrite on a small calendar).
import sparqljs from 'sparqljs';
import { expressionVariables, mentioned, type Node, type Term, type Triple } from './ast.js';

const TIME = 'http://www.w3.org/2006/time#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';

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

/** The calendar's first and last date and first position, as ?kal_eerste_k, ?kal_laatste_k, ?kal_positie_k. */
function bounds(k: number): string {
  return `{ SELECT (MIN(?kal_datum_${k}) AS ?kal_eerste_${k}) (MAX(?kal_datum_${k}) AS ?kal_laatste_${k}) (MIN(?kal_pos_${k}) AS ?kal_positie_${k})
      WHERE { ?kal_dag_${k} <${TIME}inXSDDate> ?kal_datum_${k} ; <${TIME}inTemporalPosition>/<${TIME}numericPosition> ?kal_pos_${k} } }`;
}

/** The day number of ?date: days since the calendar's first date plus its first position. */
function dayNumber(date: string, k: number): string {
  return `<${XSD}integer>(REPLACE(STR(?${date} - ?kal_eerste_${k}), "[^0-9]", "")) + ?kal_positie_${k}`;
}

/** The replacement patterns for one lookup, parsed from text (variable names are SPARQL-safe). */
function replacement(date: string, number: string, k: number): unknown[] {
  const text = `SELECT * WHERE {
    ${bounds(k)}
    FILTER(?${date} >= ?kal_eerste_${k} && ?${date} <= ?kal_laatste_${k})
    BIND(${dayNumber(date, k)} AS ?${number})
  }`;
  return (parser.parse(text) as { where: unknown[] }).where;
}

/**
 * An OPTIONAL made only of lookups of outer dates, FILTERs and BINDs, as BINDs in the outer group
 * (see the header); undefined when it has any other shape.
 */
function inlineOptional(optional: Node, outer: Set<string>, k: number): Node[] | undefined {
  const lookups: { date: string; number: string }[] = [];
  const filters: unknown[] = [];
  const binds: { name: string; expression: unknown }[] = [];
  const inner = new Set<string>(); // variables the OPTIONAL's own patterns bind
  for (const p of optional.patterns as Node[]) {
    if (p.type === 'filter') filters.push(p.expression);
    else if (p.type === 'bgp') {
      for (const t of p.triples as Triple[]) {
        const ok = isDayNumberPath(t.predicate) && t.subject.termType === 'Variable' && t.object.termType === 'Variable' && outer.has(t.subject.value) && !outer.has(t.object.value) && !inner.has(t.object.value);
        if (!ok || binds.length) return undefined; // lookups after a BIND would see its variable
        lookups.push({ date: t.subject.value, number: t.object.value });
        inner.add(t.object.value);
      }
    } else if (p.type === 'bind') {
      const name = (p.variable as Term).value;
      const reads = expressionVariables(p.expression);
      const own = new Set([...inner, ...lookups.map((l) => l.date)]);
      if (!reads || [...reads].some((v) => !own.has(v)) || outer.has(name) || inner.has(name)) return undefined;
      binds.push({ name, expression: p.expression });
      inner.add(name);
    } else return undefined;
  }
  if (!lookups.length) return undefined;
  for (const f of filters) {
    const reads = expressionVariables(f);
    if (!reads || [...reads].some((v) => inner.has(v))) return undefined; // the FILTER must read outer values only
  }
  // Built as text with placeholders (?kal_filter_k, ?kal_bind_k_i) for the AST parts, then substituted.
  const [first, last, ok, nothing] = [`?kal_eerste_${k}`, `?kal_laatste_${k}`, `?kal_ok_${k}`, `?kal_leeg_${k}`];
  const inCalendar = lookups.map(({ date }) => `(DATATYPE(?${date}) = <${XSD}date> && ?${date} >= ${first} && ?${date} <= ${last})`);
  const text = `SELECT * WHERE {
    ${bounds(k)}
    BIND(COALESCE(${[...inCalendar, ...(filters.length ? [`?kal_filter_${k}`] : [])].join(' && ')}, false) AS ${ok})
    ${lookups.map(({ date, number }) => `BIND(IF(${ok}, ${dayNumber(date, k)}, ${nothing}) AS ?${number})`).join('\n')}
    ${binds.map(({ name }, i) => `BIND(IF(${ok}, ?kal_bind_${k}_${i}, ${nothing}) AS ?${name})`).join('\n')}
  }`;
  const placeholders = new Map<string, unknown>(binds.map(({ expression }, i) => [`kal_bind_${k}_${i}`, expression]));
  if (filters.length) placeholders.set(`kal_filter_${k}`, filters.reduce((x, y) => ({ type: 'operation', operator: '&&', args: [x, y] })));
  return substitute((parser.parse(text) as unknown as { where: Node[] }).where, placeholders);
}

/**
 * `OPTIONAL { t . ?d <lookup> ?n }` where the triple t binds ?d, as
 *   <bounds> OPTIONAL { t FILTER(<?d in the calendar>) } BIND(IF(BOUND(?d), <day number of ?d>, ?nothing) AS ?n)
 * Oxigraph looks the single triple up per outer row; the body as a once-evaluated sub-select with
 * the calendar (joins.ts) read every matching triple of the graph (VWS 4.2: each sick period's end
 * date among all `eindDatum`s, 1.4 s at 10k). Equal when no pattern before the OPTIONAL names ?d
 * or ?n: ?d is then bound after it exactly when the OPTIONAL matched, and the FILTER, the left
 * join's condition, keeps the matches whose date the calendar holds. Undefined for other shapes.
 */
function optionalTripleLookup(optional: Node, before: Set<string>, k: number): Node[] | undefined {
  const [bgp, ...more] = optional.patterns as Node[];
  const triples = bgp?.type === 'bgp' ? (bgp.triples as Triple[]) : [];
  if (more.length || triples.length !== 2) return undefined;
  const [t, lookup] = isDayNumberPath(triples[1]!.predicate) ? [triples[0]!, triples[1]!] : [triples[1]!, triples[0]!];
  const date = lookup.subject.value, number = lookup.object.value;
  const tVariables = [t.subject, t.predicate as Term, t.object].filter((x) => x.termType === 'Variable').map((x) => x.value);
  const ok = isDayNumberPath(lookup.predicate) && !(t.predicate as { type?: string }).type && lookup.subject.termType === 'Variable' && lookup.object.termType === 'Variable'
    && tVariables.includes(date) && !tVariables.includes(number) && date !== number && !before.has(date) && !before.has(number);
  if (!ok) return undefined;
  const text = `SELECT * WHERE {
    ${bounds(k)}
    OPTIONAL { ?kal_t_${k} ?kal_t_${k} ?kal_t_${k} FILTER(DATATYPE(?${date}) = <${XSD}date> && ?${date} >= ?kal_eerste_${k} && ?${date} <= ?kal_laatste_${k}) }
    BIND(IF(BOUND(?${date}), ${dayNumber(date, k)}, ?kal_leeg_${k}) AS ?${number})
  }`;
  const where = (parser.parse(text) as unknown as { where: Node[] }).where;
  ((where[1]!.patterns as Node[])[0]!).triples = [t]; // the placeholder triple is t
  return where;
}

/** Replace placeholder variables by AST expressions. */
function substitute<T>(node: T, placeholders: Map<string, unknown>): T {
  if (Array.isArray(node)) return node.map((n: unknown) => substitute(n, placeholders)) as T;
  if (node === null || typeof node !== 'object') return node;
  const term = node as Partial<Term>;
  if (term.termType === 'Variable' && placeholders.has(term.value!)) return placeholders.get(term.value!) as T;
  if (term.termType) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, substitute(value, placeholders)])) as T;
}

/** Variables a VALUES block binds in every row (sparqljs keys them as "?name"; UNDEF is undefined). */
function valuesBound(rows: Record<string, unknown>[]): string[] {
  const names = Object.keys(rows[0] ?? {});
  return names.filter((name) => rows.every((row) => row[name] !== undefined)).map((name) => name.slice(1));
}

/** Rewrite the lookups of one group's pattern list; returns the new list. */
function rewriteGroup(patterns: Node[], counter: { k: number }): Node[] {
  const bound = new Set<string>();
  const out: Node[] = [];
  for (const pattern of patterns) {
    if (pattern.type === 'bind') bound.add((pattern.variable as Term).value);
    if (pattern.type === 'values') for (const name of valuesBound(pattern.values as Record<string, unknown>[])) bound.add(name);
    const inlined = pattern.type === 'optional' ? (inlineOptional(pattern, bound, ++counter.k) ?? optionalTripleLookup(pattern, mentioned(out), ++counter.k)) : undefined;
    if (inlined) {
      out.push(...inlined);
      for (const p of inlined) if (p.type === 'bind') bound.add((p.variable as Term).value);
      continue;
    }
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
