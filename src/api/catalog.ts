// The DCAT-2 catalogue at /datacatalog: the organisation (KvK number, DID), its dataset conforming
// to the ontology versions loaded, and the verifiedsparql DataService with what it accepts.
// Turtle through n3's writer; JSON-LD as the same statements in expanded form.
import { Writer, type Quad } from 'n3';
import { literal, namedNode, quad } from '../rdf/index.js';
import type { Config } from '../config/index.js';
import type { ProfileManifest } from '../profiles/index.js';
import type { Manifest } from '../store/index.js';

const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  ref: 'https://w3id.org/kikv-datastation/ref#',
};

export interface CatalogInput {
  config: Config;
  did: string;
  generation?: Manifest;
  profiles: ProfileManifest[];
}

export function catalogQuads({ config, did, generation, profiles }: CatalogInput): Quad[] {
  const base = config.server.publicUrl!;
  const n = (ns: keyof typeof NS, local: string) => namedNode(NS[ns] + local);
  const catalog = namedNode(`${base}/datacatalog`);
  const org = namedNode(`${base}/#organisation`);
  const dataset = namedNode(`${base}/#dataset`);
  const service = namedNode(`${base}/#verifiedsparql`);
  const q: Quad[] = [
    quad(catalog, n('rdf', 'type'), n('dcat', 'Catalog')),
    quad(catalog, n('dct', 'title'), literal(`KIK-V datastation of ${config.organisation.name}`, 'nl')),
    quad(catalog, n('dct', 'publisher'), org),
    quad(catalog, n('dcat', 'dataset'), dataset),
    quad(catalog, n('dcat', 'service'), service),
    quad(org, n('rdf', 'type'), n('foaf', 'Organization')),
    quad(org, n('foaf', 'name'), literal(config.organisation.name)),
    quad(org, n('dct', 'identifier'), literal(`KvK:${config.organisation.kvk}`)),
    quad(org, n('dct', 'identifier'), literal(did)),
    quad(org, n('ref', 'kvkNumber'), literal(config.organisation.kvk)),
    quad(org, n('ref', 'did'), namedNode(did)),
    quad(dataset, n('rdf', 'type'), n('dcat', 'Dataset')),
    quad(dataset, n('dct', 'title'), literal(`Kwaliteitsinformatie verpleeghuiszorg, ${config.organisation.name}`, 'nl')),
    quad(dataset, n('dct', 'publisher'), org),
    quad(service, n('rdf', 'type'), n('dcat', 'DataService')),
    quad(service, n('dct', 'title'), literal('verifiedsparql: questions validated by the KIK-V beheerorganisatie')),
    quad(service, n('dcat', 'endpointURL'), namedNode(`${base}/api/verifiedsparql`)),
    quad(service, n('dcat', 'endpointDescription'), namedNode(`${base}/openapi.json`)),
    quad(service, n('dcat', 'servesDataset'), dataset),
    ...(config.trust.mode === 'builtin' ? [quad(service, n('ref', 'tokenEndpoint'), namedNode(`${base}/oauth2/token`))] : []),
    quad(service, n('ref', 'scope'), literal('verifiedsparql')),
    ...config.trust.algorithms.map((a) => quad(service, n('ref', 'acceptedAlgorithm'), literal(a))),
    quad(service, n('ref', 'credentialFormat'), literal('jwt_vp')),
    quad(service, n('ref', 'credentialFormat'), literal('jwt_vc')),
    ...config.trust.credentialTypes.map((t) => quad(service, n('ref', 'acceptedCredentialType'), literal(t.type))),
    ...profiles.map((p) => quad(service, n('ref', 'servesProfile'), literal(`${p.id} ${p.version}`))),
  ];
  if (generation) {
    q.push(quad(dataset, n('dct', 'modified'), literal(generation.createdAt, n('xsd', 'dateTime'))));
    for (const [ontology, version] of Object.entries(generation.ontology)) {
      const standard = namedNode(`${base}/#ontology-${ontology.replace(/[^A-Za-z0-9]+/g, '-')}`);
      q.push(
        quad(dataset, n('dct', 'conformsTo'), standard),
        quad(standard, n('rdf', 'type'), n('dct', 'Standard')),
        quad(standard, n('dct', 'source'), namedNode(ontology)),
        quad(standard, n('ref', 'version'), literal(version)),
      );
    }
  }
  return q;
}

export function catalogTurtle(input: CatalogInput): Promise<string> {
  const writer = new Writer({ prefixes: NS });
  writer.addQuads(catalogQuads(input));
  return new Promise((resolve, reject) => writer.end((error, text: string) => (error ? reject(error) : resolve(text))));
}

/** Expanded JSON-LD (one node object per subject), valid without fetching a context. */
export function catalogJsonLd(input: CatalogInput): unknown[] {
  const nodes = new Map<string, Record<string, unknown[]>>();
  for (const { subject, predicate, object } of catalogQuads(input)) {
    const node = nodes.get(subject.value) ?? {};
    nodes.set(subject.value, node);
    const key = predicate.value === `${NS.rdf}type` ? '@type' : predicate.value;
    const value =
      key === '@type'
        ? object.value
        : object.termType === 'NamedNode'
          ? { '@id': object.value }
          : { '@value': object.value, ...(object.termType === 'Literal' && object.language ? { '@language': object.language } : {}), ...(object.termType === 'Literal' && !object.language && object.datatype.value !== `${NS.xsd}string` ? { '@type': object.datatype.value } : {}) };
    (node[key] ??= []).push(value);
  }
  return [...nodes].map(([id, props]) => ({ '@id': id, ...props }));
}
