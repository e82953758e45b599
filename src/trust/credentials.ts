// Question credentials come in more than one layout (the draft's ValidQueryCredential, the
// pilot's ValidatedQueryCredential); each configured layout says where profile, ontology and
// query live. All are normalised to one internal type.
import { TrustError } from './errors.js';

export interface CredentialLayout {
  type: string;
  profile: string;
  ontology: string;
  query: string;
  queryUrlEncoded: boolean;
}

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
  ontology: VersionedRef;
  /** The validated SPARQL text. */
  query: string;
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
export function questionFields(vc: unknown, layout: CredentialLayout): Pick<QuestionCredential, 'profile' | 'ontology' | 'query'> {
  const profile = versionedRef(at(vc, layout.profile));
  const ontology = versionedRef(at(vc, layout.ontology));
  let query = at(vc, layout.query);
  if (typeof query === 'string' && layout.queryUrlEncoded) {
    try {
      query = decodeURIComponent(query);
    } catch {
      throw new TrustError('incomplete_credential', 'the query is not URL-encoded text');
    }
  }
  if (!profile) throw new TrustError('incomplete_credential', `no profile at ${layout.profile}`);
  if (!ontology) throw new TrustError('incomplete_credential', `no ontology at ${layout.ontology}`);
  if (typeof query !== 'string' || query.trim() === '') throw new TrustError('incomplete_credential', `no query at ${layout.query}`);
  return { profile, ontology, query };
}
