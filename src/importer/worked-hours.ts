// One source of worked hours per agreement and month. AFAS Profit books worked hours as totals per
// period (a month, dated by its first day); a roster realisation (ONS Roosteren) has the shifts
// with begin and end that IGJ 1.2.3/1.4.2 need. Both are onz-pers:GewerktePeriode: IGJ 1.4.2 reads
// only that class (with the hours as its quality), and Zorgkantoren 2.1/6.1/7.1/8.1 and NZa Wmg
// 1.2.x sum the hours of every GewerktePeriode with a begin. Neither a subclass (superclass types are
// materialised at import) nor another class keeps the two apart, so where the roster has realised
// shifts of an agreement in a month, that month's AFAS totals of the agreement are set aside: the
// shifts replace them, and every query counts the hours once.
import type { Quad } from '@rdfjs/types';
import { NS, RDF_TYPE } from '../rdf/index.js';

const WORKED = NS['onz-pers'] + 'GewerktePeriode';
const DEFINED_BY = NS['onz-g'] + 'definedBy';
const BEGIN = NS['onz-g'] + 'hasBeginTimeStamp';
const END = NS['onz-g'] + 'hasEndTimeStamp';

/** The worked periods (subject IRIs) that are monthly totals superseded by realised shifts. */
export function supersededTotals(quads: Iterable<Quad>): Set<string> {
  const worked = new Set<string>();
  const withEnd = new Set<string>();
  const agreement = new Map<string, string>();
  const month = new Map<string, string>();
  for (const q of quads) {
    const p = q.predicate.value;
    if (p === RDF_TYPE.value && q.object.value === WORKED) worked.add(q.subject.value);
    else if (p === END) withEnd.add(q.subject.value);
    else if (p === DEFINED_BY) agreement.set(q.subject.value, q.object.value);
    else if (p === BEGIN) month.set(q.subject.value, q.object.value.slice(0, 7));
  }
  const key = (s: string) => `${agreement.get(s) ?? ''} ${month.get(s) ?? ''}`;
  const covered = new Set([...worked].filter((s) => withEnd.has(s) && agreement.has(s) && month.has(s)).map(key));
  return new Set([...worked].filter((s) => !withEnd.has(s) && agreement.has(s) && month.has(s) && covered.has(key(s))));
}

/** The quads of a set-aside period: the period itself and the nodes minted under its IRI (its hours). */
export function withoutSuperseded(quads: Quad[], superseded: Set<string>): Quad[] {
  if (superseded.size === 0) return quads;
  const owner = (iri: string) => {
    for (let s = iri; ; ) {
      if (superseded.has(s)) return true;
      const cut = s.lastIndexOf('/');
      if (cut <= 0) return false;
      s = s.slice(0, cut);
    }
  };
  return quads.filter((q) => !owner(q.subject.value));
}
