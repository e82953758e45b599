// `profiles check`: how far a dataset is from a profile. Per indicator: does the answer carry data,
// and if not, which classes and properties the query reads are absent from the dataset.
import { NS } from '../rdf/index.js';
import { parseSparql, prepareQuery, QueryError, type ParameterSpec, type QueryRunner } from '../query/index.js';
import type { Indicator } from './registry.js';

export type CoverageStatus = 'data' | 'no data' | 'empty' | 'error';

export interface CoverageRow {
  profile: string;
  version: string;
  indicator: string;
  status: CoverageStatus;
  rows: number;
  engineMs: number;
  /** The parameter values the indicator ran with. */
  parameters: Record<string, unknown>;
  /** For "no data" and "empty": what the query reads that the dataset does not hold. */
  missing?: { classes: string[]; properties: string[]; terms: string[] };
  error?: string;
}

const RDF_TYPE = `${NS.rdf}type`;
const NUMERIC = new Set(['integer', 'decimal', 'double', 'float', 'int', 'long', 'short', 'byte', 'nonNegativeInteger', 'positiveInteger', 'unsignedInt', 'unsignedLong'].map((t) => `${NS.xsd}${t}`));
// The answer is inspected, not kept: above this the CLI believes the row count.
const MAX_INSPECTED_BYTES = 32 * 1024 * 1024;

interface JsonCell {
  type: string;
  value: string;
  datatype?: string;
}

/**
 * Whether a SELECT answer (SPARQL JSON) carries data. When it has numbers, it does only if one is
 * not zero (a row of zeros next to labels such as "Totaal" or a vestigingsnummer is what the
 * official queries return on a dataset without the entities they count). Without numbers, a bound,
 * non-empty value is data, unless all of them sit in one column of an answer that projects more:
 * row labels ("Niveau 3", "Totaal") with every figure unbound are no data either.
 */
export function answerStatus(json: string): 'data' | 'no data' | 'empty' {
  const parsed = JSON.parse(json) as { boolean?: boolean; head?: { vars?: string[] }; results?: { bindings: Record<string, JsonCell>[] } };
  if (parsed.boolean !== undefined) return parsed.boolean ? 'data' : 'no data';
  const rows = parsed.results?.bindings ?? [];
  if (!rows.length) return 'empty';
  let numbers = 0, nonZero = 0;
  const filled = new Set<string>(), seen = new Set<string>(parsed.head?.vars ?? []);
  for (const row of rows) {
    for (const [name, cell] of Object.entries(row)) {
      seen.add(name);
      if (cell.type === 'literal' && cell.datatype && NUMERIC.has(cell.datatype)) {
        numbers++;
        if (Number(cell.value) !== 0) nonZero++;
      } else if (cell.value.trim() !== '') filled.add(name);
    }
  }
  if (numbers) return nonZero > 0 ? 'data' : 'no data';
  return filled.size > 1 || (filled.size === 1 && seen.size === 1) ? 'data' : 'no data';
}

export interface QueryVocabulary {
  classes: Set<string>;
  properties: Set<string>;
  /** Other IRIs the patterns name: subjects and objects, and VALUES (ledger codes, individuals). */
  terms: Set<string>;
}

/**
 * The classes (IRI objects of rdf:type), properties (IRIs in predicate position, path steps
 * included) and other IRIs of a query's triple patterns and VALUES. Patterns under MINUS or NOT
 * EXISTS are left out: their absence never empties an answer.
 */
export function queryVocabulary(text: string): QueryVocabulary {
  const classes = new Set<string>(), properties = new Set<string>(), terms = new Set<string>();
  const term = (t: Record<string, unknown> | undefined) => void (t?.termType === 'NamedNode' && terms.add(t.value as string));
  const predicateIris = (p: Record<string, unknown>): void => {
    if (p.termType === 'NamedNode') properties.add(p.value as string);
    else if (p.type === 'path' && p.pathType !== '!') for (const item of p.items as Record<string, unknown>[]) predicateIris(item);
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'minus' || (n.type === 'operation' && n.operator === 'notexists')) return;
    if (Array.isArray(n.triples)) {
      for (const t of n.triples as Record<'subject' | 'predicate' | 'object', Record<string, unknown>>[]) {
        if (t.predicate.termType === 'NamedNode' && t.predicate.value === RDF_TYPE) {
          if (t.object.termType === 'NamedNode') classes.add(t.object.value as string);
        } else {
          predicateIris(t.predicate);
          term(t.object);
        }
        term(t.subject);
      }
    }
    if (n.type === 'values') for (const row of n.values as Record<string, Record<string, unknown> | undefined>[]) for (const v of Object.values(row)) term(v);
    for (const [key, value] of Object.entries(n)) if (key !== 'triples' && key !== 'prefixes') visit(value);
  };
  visit(parseSparql(text));
  properties.delete(RDF_TYPE);
  return { classes, properties, terms };
}

/** The dataset's own vocabulary: distinct predicates and distinct rdf:type objects. */
export async function datasetVocabulary(pool: QueryRunner): Promise<{ classes: Set<string>; properties: Set<string> }> {
  const distinct = async (text: string, v: string) => {
    let json = '';
    await pool.run({ text, vars: [v], format: 'json' }, (chunk) => void (json += chunk));
    const rows = (JSON.parse(json) as { results: { bindings: Record<string, JsonCell>[] } }).results.bindings;
    return new Set(rows.map((r) => r[v]?.value).filter((x): x is string => !!x));
  };
  return {
    properties: await distinct('SELECT DISTINCT ?p WHERE { ?s ?p ?o }', 'p'),
    classes: await distinct(`SELECT DISTINCT ?c WHERE { ?s <${RDF_TYPE}> ?c }`, 'c'),
  };
}

/** Which of these IRIs the dataset mentions anywhere (as subject or object); cached across indicators. */
async function mentioned(pool: QueryRunner, iris: string[], cache: Map<string, boolean>): Promise<Set<string>> {
  const unknown = iris.filter((i) => !cache.has(i) && /^https?:\/\/[^\s<>"{}|\\^`]+$/.test(i));
  for (let i = 0; i < unknown.length; i += 200) {
    const batch = unknown.slice(i, i + 200);
    let json = '';
    const text = `SELECT DISTINCT ?t WHERE { VALUES ?t { ${batch.map((t) => `<${t}>`).join(' ')} } { ?t ?p ?o } UNION { ?s ?p ?t } }`;
    await pool.run({ text, vars: ['t'], format: 'json' }, (chunk) => void (json += chunk));
    const found = new Set((JSON.parse(json) as { results: { bindings: Record<string, JsonCell>[] } }).results.bindings.map((r) => r.t?.value));
    for (const t of batch) cache.set(t, found.has(t));
  }
  return new Set(iris.filter((i) => cache.get(i)));
}

/** `onz-pers:GewerktePeriode` rather than the full IRI. */
export function compact(iri: string): string {
  for (const [prefix, ns] of Object.entries(NS)) if (iri.startsWith(ns) && iri.length > ns.length) return `${prefix}:${iri.slice(ns.length)}`;
  const plan = /^http:\/\/purl\.org\/ozo\/(onz-[a-z]+)#(.+)$/.exec(iri);
  return plan ? `${plan[1]}:${plan[2]}` : `<${iri}>`;
}

/** Values for an indicator: the ones given, else each parameter's example. */
export function valuesFor(parameters: ParameterSpec[], given: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(parameters.map((p) => [p.name, given[p.name] ?? p.example]));
}

/** Run every indicator (concurrently, as the pool allows) and return rows in the given order. */
export async function checkCoverage(indicators: Indicator[], pool: QueryRunner, given: Record<string, unknown>, options: { deadlineMs?: number } = {}): Promise<CoverageRow[]> {
  let vocabulary: Promise<{ classes: Set<string>; properties: Set<string> }> | undefined;
  const seen = new Map<string, boolean>();
  return Promise.all(
    indicators.map(async (ind): Promise<CoverageRow> => {
      const parameters = valuesFor(ind.parameters, given);
      const row: CoverageRow = { profile: ind.profile.id, version: ind.profile.version, indicator: ind.id, status: 'error', rows: 0, engineMs: 0, parameters };
      try {
        const prepared = prepareQuery(ind.text, ind.parameters, parameters);
        let json = '', inspected = true;
        const r = await pool.run({ text: prepared.engineText, source: prepared.text, indicator: `${ind.profile.id} ${ind.id}`, vars: prepared.vars, format: 'json', ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}) }, (chunk) => {
          if (json.length + chunk.length > MAX_INSPECTED_BYTES) inspected = false;
          else json += chunk;
        });
        [row.rows, row.engineMs] = [r.rows, r.engineMs];
        row.status = inspected ? answerStatus(json) : r.rows ? 'data' : 'empty';
        if (row.status !== 'data') {
          const wanted = queryVocabulary(prepared.text);
          const have = await (vocabulary ??= datasetVocabulary(pool));
          row.missing = {
            classes: [...wanted.classes].filter((c) => !have.classes.has(c)).map(compact).sort(),
            properties: [...wanted.properties].filter((p) => !have.properties.has(p)).map(compact).sort(),
            terms: [],
          };
          const present = await mentioned(pool, [...wanted.terms], seen);
          row.missing.terms = [...wanted.terms].filter((t) => !present.has(t)).map(compact).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
        }
      } catch (error) {
        row.error = error instanceof QueryError ? error.message : (error as Error).message.split('\n')[0]!.slice(0, 120);
      }
      return row;
    }),
  );
}
