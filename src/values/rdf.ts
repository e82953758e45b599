// Manual values as RDF, in the shape the reading queries expect (kinds.ts), under the
// organisation's IRI base: handmatig/<id> is the posting, …/bedrag what it is about, …/kwaliteit
// and …/waarde the quality path to the amount. Dated by the period's start (the queries filter
// the date into the asked period), with the period's start and end and the unit beside it.
import type { Quad } from '@rdfjs/types';
import type { Config } from '../config/index.js';
import type { SystemResult } from '../mapping/index.js';
import { RDF_TYPE, iri, namedNode, quad, typed } from '../rdf/index.js';
import { valueKind } from './kinds.js';
import type { ManualValue } from './store.js';

export const MANUAL_SYSTEM = 'manual-values';

export function valueQuads(base: string, v: ManualValue): Quad[] {
  const kind = valueKind(v.kind)!;
  const post = namedNode(`${base}handmatig/${v.id}`);
  const about = namedNode(`${base}handmatig/${v.id}/bedrag`);
  const quality = namedNode(`${base}handmatig/${v.id}/kwaliteit`);
  const value = namedNode(`${base}handmatig/${v.id}/waarde`);
  const unit = namedNode(`${base}eenheid/${encodeURIComponent(v.unit)}`);
  return [
    quad(post, RDF_TYPE, iri('onz-fin:Grootboekpost')),
    quad(post, iri('onz-g:partOf'), iri(`onz-fin:${kind.rubriek}`)),
    quad(post, iri('onz-g:hasDate'), typed(v.period.start, 'date')),
    quad(post, iri('onz-g:startDatum'), typed(v.period.start, 'date')),
    quad(post, iri('onz-g:eindDatum'), typed(v.period.end, 'date')),
    quad(post, iri('onz-g:isAbout'), about),
    quad(about, iri('onz-g:hasQuality'), quality),
    quad(quality, iri('onz-g:hasQualityValue'), value),
    quad(value, iri('onz-g:hasDataValue'), typed(v.value, 'decimal')),
    quad(value, iri('onz-g:hasUnitOfMeasure'), unit),
    quad(unit, RDF_TYPE, iri('onz-g:UnitOfMeasure')),
  ];
}

/** The values as an already-mapped source for the importer. */
export function valuesResult(config: Config, values: ManualValue[]): SystemResult {
  const base = config.organisation.iriBase;
  const quads = values.flatMap((v) => valueQuads(base, v));
  return {
    system: MANUAL_SYSTEM,
    quads,
    problems: [],
    entities: [{ entity: 'value', files: [], rowsRead: values.length, rowsMapped: values.length, quads: quads.length }],
    provenance: new Map(values.map((v) => [`${base}handmatig/${v.id}`, { file: 'values.json', row: 0, entity: 'value' }])),
  };
}
