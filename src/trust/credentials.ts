// Question credentials come in more than one layout (the draft's ValidQueryCredential, the
// pilot's and production's ValidatedQueryCredential); each configured layout says where profile,
// ontology and query live and how the query is encoded. All are normalised to one internal type.
import { base64Text } from './base64.js';
import { TrustError } from './errors.js';

/** plain text; URL-encoded (workshop 2022); Base64 (production); Base64 when it is strict Base64, else URL-encoded. */
export type QueryEncoding = 'plain' | 'url' | 'base64' | 'base64-or-url';

export interface CredentialLayout {
  type: string;
  profile: string;
  ontology: string;
  query: string;
  queryUrlEncoded: boolean;
  queryEncoding?: QueryEncoding | undefined;
  /** Paths tried in order for the validated query's identifier (production: id, some senders: identifier). */
  queryId?: readonly string[] | undefined;
  /** Path of the SHACL shapes for the parameters (Turtle text). */
  paramsShacl?: string | undefined;
}

/** A validated SPARQL text is small; a bigger Base64 field is refused before decoding. */
export const MAX_QUERY_BYTES = 256 * 1024;

/** A name with an optional version: "zorgkantoren@1.3.5", "zorgkantoren 1.3.5", {id, version}. */
export interface VersionedRef {
  id: string;
  version?: string;
}

export interface QuestionCredential {
  /** VC `jti`, when present. */
  id?: string;
  type: string;
  issuer: string;
  subject: string;
  expiresAt: number;
  profile: VersionedRef;
  /** One or more (production: `ontology[]`). */
  ontology: VersionedRef[];
  /** The validated SPARQL text. */
  query: string;
  /** `validatedQuery.id` / `.identifier`, when the layout has one. */
  queryId?: string;
  /** The credential's SHACL shapes for the parameters, when present. */
  paramsShacl?: string;
}

function at(object: unknown, path: string): unknown {
  let node = object;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export function versionedRef(value: unknown): VersionedRef | undefined {
  if (typeof value === 'string' && value.trim() !== '') {
    const m = /^(.*?)[@ /:]v?(\d+(?:\.\d+)*)$/.exec(value.trim());
    return m ? { id: m[1]!, version: m[2]! } : { id: value.trim() };
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const id = o.id ?? o.name ?? o['@id'];
    if (typeof id !== 'string' || id === '') return undefined;
    return typeof o.version === 'string' || typeof o.version === 'number' ? { id, version: String(o.version) } : { id };
  }
  return undefined;
}

/** The layout whose type the VC's `type` lists; undefined when none does (rule 13). */
export function layoutFor(vc: unknown, layouts: readonly CredentialLayout[]): CredentialLayout | undefined {
  const types = [at(vc, 'type') ?? []].flat();
  if (!types.includes('VerifiableCredential')) return undefined;
  return layouts.find((l) => types.includes(l.type));
}

/** Profile, ontology and query out of a VC in `layout`; incomplete credentials fail rule 17. */
function decodeQuery(value: string, encoding: QueryEncoding): string {
  if (encoding === 'plain') return value;
  if (encoding !== 'url') {
    const text = base64Text(value, MAX_QUERY_BYTES);
    if (text !== undefined) return text;
    if (encoding === 'base64') throw new TrustError('incomplete_credential', 'the query is not strict Base64 UTF-8 text');
  }
  try {
    return decodeURIComponent(value);
  } catch {
    throw new TrustError('incomplete_credential', 'the query is not URL-encoded text');
  }
}

export function questionFields(vc: unknown, layout: CredentialLayout): Pick<QuestionCredential, 'profile' | 'ontology' | 'query' | 'queryId' | 'paramsShacl'> {
  const profile = versionedRef(at(vc, layout.profile));
  const rawOntology = at(vc, layout.ontology);
  const ontologies = (Array.isArray(rawOntology) ? rawOntology.slice(0, 32) : [rawOntology]).map(versionedRef);
  let query = at(vc, layout.query);
  if (typeof query === 'string') {
    if (query.length > (MAX_QUERY_BYTES * 4) / 3 + 4) throw new TrustError('incomplete_credential', 'the query is over the size limit');
    query = decodeQuery(query, layout.queryEncoding ?? (layout.queryUrlEncoded ? 'url' : 'plain'));
  }
  if (!profile) throw new TrustError('incomplete_credential', `no profile at ${layout.profile}`);
  if (ontologies.length === 0 || ontologies.some((o) => !o)) throw new TrustError('incomplete_credential', `no ontology at ${layout.ontology}`);
  if (typeof query !== 'string' || query.trim() === '') throw new TrustError('incomplete_credential', `no query at ${layout.query}`);
  const queryId = (layout.queryId ?? []).map((p) => at(vc, p)).find((v): v is string => typeof v === 'string' && v !== '');
  const shapes = layout.paramsShacl ? at(vc, layout.paramsShacl) : undefined;
  if (shapes !== undefined && (typeof shapes !== 'string' || shapes.length > MAX_QUERY_BYTES)) throw new TrustError('incomplete_credential', 'paramsSHACL is not a bounded text');
  return {
    profile,
    ontology: ontologies as VersionedRef[],
    query,
    ...(queryId ? { queryId: queryId.slice(0, 256) } : {}),
    ...(typeof shapes === 'string' && shapes.trim() !== '' ? { paramsShacl: shapes } : {}),
  };
}
