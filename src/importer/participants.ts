// NZa kostenonderzoek 1.1 (older ONZ 2.x modelling) finds absence through the person:
// `?persoon onz-g:isParticipantIn ?verzuimperiode`. AFAS exports an absence per dienstverband, so
// the mapping can only say `?verzuimperiode onz-g:definedBy ?overeenkomst`; the person is the
// agreement's opdrachtnemer, known from another file of the same export. This derives the link at
// import. No other published query reads isParticipantIn (profiles/KNOWN-ISSUES.md item 9).
import type { Quad } from '@rdfjs/types';
import { NS, RDF_TYPE, namedNode, quad } from '../rdf/index.js';

const ABSENCE = NS['onz-pers'] + 'VerzuimPeriode';
const DEFINED_BY = NS['onz-g'] + 'definedBy';
const OPDRACHTNEMER = NS['onz-pers'] + 'heeftOpdrachtnemer';
const PARTICIPANT_IN = namedNode(NS['onz-g'] + 'isParticipantIn');

/** `person isParticipantIn period` for every absence period in `quads` defined by an agreement whose opdrachtnemer `context` names. */
export function absenceParticipants(quads: Quad[], context: Iterable<Quad>): Quad[] {
  const absences = new Set<string>();
  for (const q of quads) if (q.predicate.value === RDF_TYPE.value && q.object.value === ABSENCE) absences.add(q.subject.value);
  if (absences.size === 0) return [];
  const persons = new Map<string, Quad['object'][]>();
  for (const q of context) {
    if (q.predicate.value !== OPDRACHTNEMER) continue;
    const list = persons.get(q.subject.value) ?? [];
    if (!list.some((p) => p.equals(q.object))) list.push(q.object);
    persons.set(q.subject.value, list);
  }
  return quads
    .filter((q) => q.predicate.value === DEFINED_BY && absences.has(q.subject.value))
    .flatMap((q) => (persons.get(q.object.value) ?? []).map((p) => quad(p as Quad['subject'], PARTICIPANT_IN, q.subject)));
}
