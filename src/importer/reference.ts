// Our reference individuals, without what the imported data brings itself. A supplier's ONZ RDF
// export carries its own code lists (ODB levels under its own IRIs, labelled "Niveau 3"), and the
// official queries enumerate such a list (`?niveau a onz-pers:ODBKwalificatieWaarde`): ours next
// to the supplier's would count every level twice (ZK 6.1: 18 rows instead of 4). So:
// - a code list the data brings (individuals of the class not ours): our individuals of that class
//   go, except those the data refers to itself (a CSV source mapped onto ref:OdbNiveau3 in the same
//   import keeps its level);
// - unless the data brings its own individual for that very code (same class, same label or
//   skos:notation, case and spacing aside): then the data's references to ours are rewritten onto
//   its own (`renamed`) and ours goes, so the store holds one individual per code (ZK 6.1 shows one
//   "Niveau 3"). Two of the data's own for one code are ambiguous: ours stays, reported.
// - a property the data states of one of our individuals (a label, a partOf): the data's value
//   wins; ours of that subject and property go. Types are kept (they add, never contradict).
// Other reference data (postcode areas, regions, ledger codes) is not a code list the data would
// replace: a supplier's own postcode area must not take away the 4000 areas that place a site.
import type { Quad } from '@rdfjs/types';
import { NS, namedNode, quad } from '../rdf/index.js';

/** The classes whose individuals our reference enumerates as a code list (ontology/reference/codelijsten.ttl). */
export const CODE_LISTS = new Set([
  NS['onz-pers'] + 'ODBKwalificatieWaarde',
  NS['onz-zorg'] + 'ZorgProfiel',
  NS['onz-zorg'] + 'Leveringsvorm',
  NS['onz-zorg'] + 'LangdurigeZorgSector',
  NS['onz-g'] + 'UnitOfMeasure',
]);

const TYPE = NS.rdf + 'type';
const KEYS = new Set([NS.rdfs + 'label', 'http://www.w3.org/2004/02/skos/core#notation']);
const codeKey = (cls: string, value: string) => `${cls} ${value.trim().replace(/\s+/g, ' ').toLowerCase()}`;

export interface ReferenceChoice {
  quads: Quad[];
  /** Code lists the data brings, for which ours were left out (for the import summary). */
  replacedLists: string[];
  /** Our individuals left out, and the triples of ours the data's own statements replaced. */
  droppedIndividuals: number;
  droppedTriples: number;
  /** Our individuals the data points at, mapped onto the data's own individual for the same code. */
  renamed: Map<string, string>;
  /** Codes for which the data brings more than one individual of its own (ours kept), for the summary. */
  ambiguous: string[];
}

export function referenceFor(reference: Quad[], data: Iterable<Quad>): ReferenceChoice {
  const ours = new Set<string>();
  const classOf = new Map<string, string>();
  for (const q of reference) {
    ours.add(q.subject.value);
    if (q.predicate.value === TYPE && CODE_LISTS.has(q.object.value)) classOf.set(q.subject.value, q.object.value);
  }
  const stated = new Set<string>(); // `subject predicate` the data states of our individuals
  const described = new Set<string>(); // our individuals the data says anything about
  const referenced = new Set<string>(); // our individuals the data points at
  const brought = new Set<string>(); // code lists with individuals of the data's own
  const ownClasses = new Map<string, string[]>(); // the data's own code-list individuals
  const keysOf = new Map<string, string[]>(); // labels and notations of subjects not ours
  for (const q of data) {
    const s = q.subject.value, p = q.predicate.value;
    if (ours.has(s)) {
      described.add(s);
      if (p !== TYPE) stated.add(`${s} ${p}`);
    } else if (p === TYPE && CODE_LISTS.has(q.object.value)) {
      brought.add(q.object.value);
      ownClasses.set(s, [...(ownClasses.get(s) ?? []), q.object.value]);
    } else if (KEYS.has(p) && q.object.termType === 'Literal') keysOf.set(s, [...(keysOf.get(s) ?? []), q.object.value]);
    if (q.object.termType === 'NamedNode' && p !== TYPE && ours.has(q.object.value)) referenced.add(q.object.value);
  }
  // The data's own individual per code; a code with two of them maps nothing.
  const theirs = new Map<string, string | null>();
  for (const [s, classes] of ownClasses) {
    for (const key of new Set(classes.flatMap((c) => (keysOf.get(s) ?? []).map((v) => codeKey(c, v))))) theirs.set(key, theirs.has(key) && theirs.get(key) !== s ? null : s);
  }
  const renamed = new Map<string, string>();
  const ambiguous = new Set<string>();
  for (const q of reference) {
    const cls = classOf.get(q.subject.value);
    if (!cls || !KEYS.has(q.predicate.value) || !(referenced.has(q.subject.value) || described.has(q.subject.value))) continue;
    const target = theirs.get(codeKey(cls, q.object.value));
    if (target) renamed.set(q.subject.value, target);
    else if (target === null) ambiguous.add(`${cls.replace(/^.*[#/]/, '')} "${q.object.value}"`);
  }
  const dropped = new Set<string>(renamed.keys());
  for (const [subject, cls] of classOf) if (brought.has(cls) && !referenced.has(subject) && !described.has(subject)) dropped.add(subject);
  let droppedTriples = 0;
  const quads = reference.filter((q) => {
    if (dropped.has(q.subject.value)) return false;
    if (q.predicate.value !== TYPE && stated.has(`${q.subject.value} ${q.predicate.value}`)) return (droppedTriples++, false);
    return true;
  });
  return { quads, replacedLists: [...brought].filter((c) => [...classOf.values()].includes(c)), droppedIndividuals: dropped.size, droppedTriples, renamed, ambiguous: [...ambiguous] };
}

/** The quads with every term that is one of `renamed`'s keys replaced by its value; `changed`: how many quads. */
export function renameIndividuals(quads: Quad[], renamed: Map<string, string>): { quads: Quad[]; changed: number } {
  if (!renamed.size) return { quads, changed: 0 };
  let changed = 0;
  const term = <T extends Quad['subject'] | Quad['object']>(t: T): T => (t.termType === 'NamedNode' && renamed.has(t.value) ? (namedNode(renamed.get(t.value)!) as unknown as T) : t);
  const out = quads.map((q) => {
    const s = term(q.subject), o = term(q.object);
    if (s === q.subject && o === q.object) return q;
    changed++;
    return quad(s, q.predicate, o);
  });
  return { quads: out, changed };
}
