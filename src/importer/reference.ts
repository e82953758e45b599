// Our reference individuals, without what the imported data brings itself. A supplier's ONZ RDF
// export carries its own code lists (ODB levels under its own IRIs, labelled "Niveau 3"), and the
// official queries enumerate such a list (`?niveau a onz-pers:ODBKwalificatieWaarde`): ours next
// to the supplier's would count every level twice (ZK 6.1: 18 rows instead of 4). So:
// - a code list the data brings (individuals of the class not ours): our individuals of that class
//   go, except those the data refers to itself (a CSV source mapped onto ref:OdbNiveau3 in the same
//   import keeps its level);
// - a property the data states of one of our individuals (a label, a partOf): the data's value
//   wins; ours of that subject and property go. Types are kept (they add, never contradict).
// Other reference data (postcode areas, regions, ledger codes) is not a code list the data would
// replace: a supplier's own postcode area must not take away the 4000 areas that place a site.
import type { Quad } from '@rdfjs/types';
import { NS } from '../rdf/index.js';

/** The classes whose individuals our reference enumerates as a code list (ontology/reference/codelijsten.ttl). */
export const CODE_LISTS = new Set([
  NS['onz-pers'] + 'ODBKwalificatieWaarde',
  NS['onz-zorg'] + 'ZorgProfiel',
  NS['onz-zorg'] + 'Leveringsvorm',
  NS['onz-zorg'] + 'LangdurigeZorgSector',
  NS['onz-g'] + 'UnitOfMeasure',
]);

const TYPE = NS.rdf + 'type';

export interface ReferenceChoice {
  quads: Quad[];
  /** Code lists the data brings, for which ours were left out (for the import summary). */
  replacedLists: string[];
  /** Our individuals left out, and the triples of ours the data's own statements replaced. */
  droppedIndividuals: number;
  droppedTriples: number;
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
  for (const q of data) {
    const s = q.subject.value, p = q.predicate.value;
    if (ours.has(s)) {
      described.add(s);
      if (p !== TYPE) stated.add(`${s} ${p}`);
    } else if (p === TYPE && CODE_LISTS.has(q.object.value)) brought.add(q.object.value);
    if (q.object.termType === 'NamedNode' && p !== TYPE && ours.has(q.object.value)) referenced.add(q.object.value);
  }
  const dropped = new Set<string>();
  for (const [subject, cls] of classOf) if (brought.has(cls) && !referenced.has(subject) && !described.has(subject)) dropped.add(subject);
  let droppedTriples = 0;
  const quads = reference.filter((q) => {
    if (dropped.has(q.subject.value)) return false;
    if (q.predicate.value !== TYPE && stated.has(`${q.subject.value} ${q.predicate.value}`)) return (droppedTriples++, false);
    return true;
  });
  return { quads, replacedLists: [...brought].filter((c) => [...classOf.values()].includes(c)), droppedIndividuals: dropped.size, droppedTriples };
}
