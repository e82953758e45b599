// From a JWT's `iss` and `kid` to a public key, through the DID document: the kid must be a DID
// URL of the issuer and listed as an assertion method (rule 6), the DID must resolve (rule 7).
// Documents and imported keys are cached, so the hot path does no resolution and no key parsing.
import { importJWK, type JWK } from 'jose';
import { base58btc } from 'multiformats/bases/base58';
import type { DIDDocument, Resolvable, VerificationMethod } from 'did-resolver';
import { TrustError } from './errors.js';

type PublicKey = Awaited<ReturnType<typeof importJWK>>;

const ED25519_MULTICODEC = [0xed, 0x01];

/** The verification method's key as a JWK (publicKeyJwk, or Ed25519 multibase/base58 forms). */
function methodJwk(method: VerificationMethod): JWK {
  if (method.publicKeyJwk) return method.publicKeyJwk;
  let raw: Uint8Array | undefined;
  if (method.publicKeyMultibase) {
    const bytes = base58btc.decode(method.publicKeyMultibase);
    raw = bytes[0] === ED25519_MULTICODEC[0] && bytes[1] === ED25519_MULTICODEC[1] ? bytes.subarray(2) : bytes;
  } else if (method.publicKeyBase58) {
    raw = base58btc.baseDecode(method.publicKeyBase58);
  }
  if (!raw || raw.length !== 32) throw new TrustError('invalid_kid', `${method.id} has no usable Ed25519 key`);
  return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') };
}

function absolute(did: string, id: string): string {
  return id.startsWith('#') ? `${did}${id}` : id;
}

export interface KeyResolverOptions {
  resolver: Resolvable;
  cacheSeconds: number;
  now?: () => number;
}

export class KeyResolver {
  private readonly documents = new Map<string, { doc: DIDDocument; until: number }>();
  private readonly keys = new Map<string, { key: PublicKey; until: number }>();
  private readonly now: () => number;

  constructor(private readonly options: KeyResolverOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The public key for `kid`, checked to belong to `iss` and to be an assertion method. */
  async key(iss: string, kid: unknown, alg: string): Promise<PublicKey> {
    if (typeof kid !== 'string' || kid === '') throw new TrustError('invalid_kid', 'no kid in the header');
    const hash = kid.indexOf('#');
    if (hash <= 0 || kid.slice(0, hash) !== iss) throw new TrustError('invalid_kid', `${kid} is not a DID URL of ${iss}`);
    const cacheKey = `${alg} ${kid}`;
    const cached = this.keys.get(cacheKey);
    if (cached && cached.until > this.now()) return cached.key;

    const doc = await this.document(iss);
    const assertion = (doc.assertionMethod ?? []).map((m) => absolute(iss, typeof m === 'string' ? m : m.id));
    if (!assertion.includes(kid)) throw new TrustError('invalid_kid', `${kid} is not an assertion method of ${iss}`);
    const embedded = (doc.assertionMethod ?? []).filter((m): m is VerificationMethod => typeof m !== 'string');
    const method = [...(doc.verificationMethod ?? []), ...embedded].find((m) => absolute(iss, m.id) === kid);
    if (!method) throw new TrustError('invalid_kid', `${kid} is not a verification method of ${iss}`);
    let key: PublicKey;
    try {
      key = await importJWK({ ...methodJwk(method), alg }, alg);
    } catch (error) {
      if (error instanceof TrustError) throw error;
      throw new TrustError('invalid_kid', `${kid} does not hold a key for ${alg}`);
    }
    this.keys.set(cacheKey, { key, until: this.now() + this.options.cacheSeconds * 1000 });
    return key;
  }

  async document(did: string): Promise<DIDDocument> {
    const cached = this.documents.get(did);
    if (cached && cached.until > this.now()) return cached.doc;
    let result;
    try {
      result = await this.options.resolver.resolve(did);
    } catch (error) {
      throw new TrustError('did_unresolvable', `${did}: ${(error as Error).message}`);
    }
    const doc = result.didDocument;
    if (!doc || result.didResolutionMetadata.error) {
      throw new TrustError('did_unresolvable', `${did}: ${result.didResolutionMetadata.error ?? 'no document'} ${String(result.didResolutionMetadata.message ?? '')}`.trim());
    }
    this.documents.set(did, { doc, until: this.now() + this.options.cacheSeconds * 1000 });
    return doc;
  }
}
