// What every generation holds besides the organisation's data: the ontology (TBox), the reference
// individuals, and calendar days for every year with data (the official queries join on them).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { Parser } from 'n3';
import type { Quad } from '@rdfjs/types';
import { NS, RDF_TYPE, RDFS_SUBCLASSOF, literal, namedNode, quad, typed } from '../rdf/index.js';

function parseTurtleFiles(dir: string): Quad[] {
  const quads: Quad[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ttl')).sort()) {
    quads.push(...new Parser({ baseIRI: 'file:///' + file }).parse(readFileSync(join(dir, file), 'utf8')));
  }
  return quads;
}

/** The ontology modules: every `*.ttl` directly in the ontology folder (drop-in official files work). */
export function loadTbox(ontologyDir: string): Quad[] {
  return parseTurtleFiles(ontologyDir);
}

/** owl:versionInfo per ontology IRI, for the manifest (and later the DCAT catalogue). */
export function ontologyVersions(tbox: Quad[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const q of tbox) if (q.predicate.value === NS.owl + 'versionInfo') versions[q.subject.value] = q.object.value;
  return versions;
}

/** Class → all its superclasses (transitive, excluding itself). */
export function superclassIndex(tbox: Quad[]): Map<string, string[]> {
  const direct = new Map<string, Set<string>>();
  for (const q of tbox) {
    if (!q.predicate.equals(RDFS_SUBCLASSOF) || q.object.termType !== 'NamedNode') continue;
    if (!direct.has(q.subject.value)) direct.set(q.subject.value, new Set());
    direct.get(q.subject.value)!.add(q.object.value);
  }
  const closure = new Map<string, string[]>();
  for (const cls of direct.keys()) {
    const seen = new Set<string>();
    const stack = [...direct.get(cls)!];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c) || c === cls) continue;
      seen.add(c);
      stack.push(...(direct.get(c) ?? []));
    }
    closure.set(cls, [...seen]);
  }
  return closure;
}

/**
 * Materialise superclass types: no reasoning happens at query time and the official queries ask
 * for e.g. `a onz-pers:ArbeidsOvereenkomst` on a fixed-term contract.
 */
export function withSuperclassTypes(quads: Quad[], supers: Map<string, string[]>): Quad[] {
  const out = quads.slice();
  for (const q of quads) {
    if (!q.predicate.equals(RDF_TYPE)) continue;
    for (const sup of supers.get(q.object.value) ?? []) out.push(quad(q.subject, RDF_TYPE, namedNode(sup)));
  }
  return out;
}

function readReferenceCsv(path: string): Record<string, string>[] {
  return parseCsv<Record<string, string>>(readFileSync(path), { columns: true, delimiter: ';', comment: '#', skip_empty_lines: true, trim: true });
}

const FIN = NS['onz-fin'];
const RUBRIEK = namedNode(FIN + 'Grootboekrubriek');
const PART_OF = namedNode(NS['onz-g'] + 'partOf');

/** RGS parent: drop the last capitalised segment (WPerLes → WPer → W); Prismant: drop a digit. */
export function ledgerParent(code: string): string | undefined {
  if (/^[0-9]+$/.test(code)) return code.length > 1 ? code.slice(0, -1) : undefined;
  const m = /^(.*[a-z])[A-Z][a-z]*$/.exec(code) ?? /^([A-Z])[A-Z]?[a-z]+$/.exec(code);
  return m ? m[1] : undefined;
}

/** A ledger code and all its parents as Grootboekrubriek individuals linked by partOf. */
export function ledgerCodeQuads(code: string): Quad[] {
  const quads: Quad[] = [];
  for (let c: string | undefined = code; c; c = ledgerParent(c)) {
    const node = namedNode(FIN + c);
    quads.push(quad(node, RDF_TYPE, RUBRIEK));
    const parent = ledgerParent(c);
    if (parent) quads.push(quad(node, PART_OF, namedNode(FIN + parent)));
  }
  return quads;
}

/** Reference individuals: `reference/*.ttl`, postcode areas per zorgkantoor region, RGS codes. */
export function loadReference(ontologyDir: string): Quad[] {
  const dir = join(ontologyDir, 'reference');
  const quads = parseTurtleFiles(dir);
  const ID = namedNode(NS['onz-g'] + 'identifiedBy');
  const AREA = namedNode(NS['onz-g'] + 'PostcodeArea');
  for (const r of readReferenceCsv(join(dir, 'zorgkantoorregio-postcodes.csv'))) {
    const region = namedNode(NS.ref + r.regio);
    for (let pc = Number(r.postcode4_van); pc <= Number(r.postcode4_tot); pc++) {
      const area = namedNode(`${NS.ref}postcodegebied-${pc}`);
      quads.push(quad(area, RDF_TYPE, AREA), quad(area, ID, namedNode(NS.postcode + pc)), quad(area, PART_OF, region));
    }
  }
  for (const r of readReferenceCsv(join(dir, 'rgs.csv'))) quads.push(...ledgerCodeQuads(r.code!));
  return quads;
}

const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(1900, 0, 1);

/**
 * Calendar days `onz-g/dagYYYY-MM-DD` with `time:inXSDDate` and a numeric position (1900-01-01 = 1),
 * the shape the official queries use to count days.
 */
export function calendarQuads(fromYear: number, toYear: number): Quad[] {
  const quads: Quad[] = [];
  const instant = namedNode(NS.time + 'Instant');
  const position = namedNode(NS.time + 'TimePosition');
  const inXsdDate = namedNode(NS.time + 'inXSDDate');
  const inPosition = namedNode(NS.time + 'inTemporalPosition');
  const numeric = namedNode(NS.time + 'numericPosition');
  for (let t = Date.UTC(fromYear, 0, 1); t < Date.UTC(toYear + 1, 0, 1); t += DAY_MS) {
    const iso = new Date(t).toISOString().slice(0, 10);
    const day = namedNode(`http://purl.org/ozo/onz-g/dag${iso}`);
    const pos = namedNode(`http://purl.org/ozo/onz-g/dag${iso}/positie`);
    quads.push(
      quad(day, RDF_TYPE, instant),
      quad(day, inXsdDate, typed(iso, 'date')),
      quad(day, inPosition, pos),
      quad(pos, RDF_TYPE, position),
      quad(pos, numeric, literal(String(Math.round((t - EPOCH) / DAY_MS) + 1), namedNode(NS.xsd + 'integer'))),
    );
  }
  return quads;
}

const NOT_FOR_CALENDAR = new Set([NS['onz-g'] + 'hasDateOfBirth', NS['onz-g'] + 'hasDateOfDeath']);

/** The span of years of dates in the data (birth and death dates excluded: they are not periods). */
export function yearSpan(quads: Iterable<Quad>): [number, number] | undefined {
  let min = Infinity, max = -Infinity;
  for (const q of quads) {
    if (q.object.termType !== 'Literal' || NOT_FOR_CALENDAR.has(q.predicate.value)) continue;
    const dt = q.object.datatype.value;
    if (dt !== NS.xsd + 'date' && dt !== NS.xsd + 'dateTime') continue;
    const y = Number(q.object.value.slice(0, 4));
    if (y < min) min = y;
    if (y > max) max = y;
  }
  return min === Infinity ? undefined : [min, max];
}
