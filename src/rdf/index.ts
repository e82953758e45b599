// RDF vocabulary and term helpers shared by the data path (a leaf, like config).
import { DataFactory } from 'n3';
import type { Literal, NamedNode, Quad } from '@rdfjs/types';

// Bound explicitly: n3's DataFactory members are plain functions, passed around as such.
export const namedNode = (value: string) => DataFactory.namedNode(value);
export const literal = (value: string, languageOrDatatype?: string | NamedNode) => DataFactory.literal(value, languageOrDatatype);
export const quad = (s: Quad['subject'], p: Quad['predicate'], o: Quad['object']) => DataFactory.quad(s, p, o);

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  time: 'http://www.w3.org/2006/time#',
  'onz-g': 'http://purl.org/ozo/onz-g#',
  'onz-pers': 'http://purl.org/ozo/onz-pers#',
  'onz-org': 'http://purl.org/ozo/onz-org#',
  'onz-zorg': 'http://purl.org/ozo/onz-zorg#',
  'onz-fin': 'http://purl.org/ozo/onz-fin#',
  'onz-plan': 'http://purl.org/ozo/onz-plan#',
  // Our own reference individuals where KIK-V names none we could find (units, ODB levels,
  // zorgkantoor regions): guessed (G), replace by official IRIs when published.
  ref: 'https://w3id.org/kikv-datastation/ref#',
  // Guessed (G in kikv-domain.md): the official queries only need postcode-4 = postcode-6 IRI
  // minus its last two characters. Change here if the publicatieplatform names a namespace.
  postcode: 'http://purl.org/ozo/onz-g/postcode/',
} as const;

export type Prefix = keyof typeof NS;

export const RDF_TYPE = namedNode(NS.rdf + 'type');
export const RDFS_SUBCLASSOF = namedNode(NS.rdfs + 'subClassOf');

/** Expand `onz-g:startDatum` (or `<http://…>`) to an IRI; throws on an unknown prefix. */
export function expandCurie(curie: string, extra: Record<string, string> = {}): string {
  if (curie.startsWith('<') && curie.endsWith('>')) return curie.slice(1, -1);
  if (curie === 'a') return NS.rdf + 'type';
  const colon = curie.indexOf(':');
  if (colon < 0) throw new Error(`not a prefixed name: ${curie}`);
  const prefix = curie.slice(0, colon);
  const base = extra[prefix] ?? (NS as Record<string, string>)[prefix];
  if (base === undefined) throw new Error(`unknown prefix "${prefix}" in ${curie}`);
  return base + curie.slice(colon + 1);
}

export function iri(curie: string): NamedNode {
  return namedNode(expandCurie(curie));
}

export function typed(value: string, datatype: 'date' | 'dateTime' | 'decimal' | 'integer' | 'boolean' | 'string'): Literal {
  return literal(value, namedNode(NS.xsd + datatype));
}

export type { Quad, NamedNode, Literal };
