// From a JWT's `iss` and `kid` to a public key, through the DID document: the kid must be a DID
// URL of the issuer and listed as an assertion method (rule 6), the DID must resolve (rule 7).
// Documents and imported keys are cached, so the hot path does no resolution and no key parsing;
// only once a signature made with the key verified (confirm), so forgeries cannot fill the cache,
// and in bounded LRU caches, so nothing can.
import { importJWK, type JWK } from 'jose';
import { base58btc } from 'multiformats/bases/base58';
import type { DIDDocument, Resolvable, VerificationMethod } from 'did-resolver';
import { TrustError } from './errors.js';
import { LruCache } from './lru.js';

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
  /** Entries per cache (documents, keys); the least recently used goes first. */
  maxEntries: number;
  now?: () => number;
}

/** A resolved key waiting for its first verified signature before it is cached. */
interface Pending {
  did: string;
  doc: DIDDocument;
  key: PublicKey;
}

/** The longest DID (and key id) resolved at all: an RSA did:jwk is ~600 characters. */
export const MAX_DID_LENGTH = 2048;

export class KeyResolver {
  private readonly documents: LruCache<string, DIDDocument>;
  private readonly keys: LruCache<string, PublicKey>;
  private readonly pending: LruCache<string, Pending>;
  private readonly now: () => number;

  constructor(private readonly options: KeyResolverOptions) {
    this.now = options.now ?? Date.now;
    this.documents = new LruCache(options.maxEntries);
    this.keys = new LruCache(options.maxEntries);
    this.pending = new LruCache(Math.min(options.maxEntries, 256));
  }

  /** Entries held in all caches together (for tests and metrics). */
  get cacheSize(): number {
    return this.documents.size + this.keys.size + this.pending.size;
  }

  /** The public key for `kid`, checked to belong to `iss` and to be an assertion method. */
  async key(iss: string, kid: unknown, alg: string): Promise<PublicKey> {
    if (typeof kid !== 'string' || kid === '') throw new TrustError('invalid_kid', 'no kid in the header');
    if (iss.length > MAX_DID_LENGTH || kid.length > MAX_DID_LENGTH * 2) throw new TrustError('invalid_kid', 'the DID or key id is too long');
    const hash = kid.indexOf('#');
    if (hash <= 0 || kid.slice(0, hash) !== iss) throw new TrustError('invalid_kid', 'the key id is not a DID URL of the issuer');
    const cacheKey = `${alg} ${kid}`;
    const now = this.now();
    const cached = this.keys.get(cacheKey, now) ?? this.pending.get(cacheKey, now)?.key;
    if (cached) return cached;

    const doc = await this.document(iss);
    const assertion = (doc.assertionMethod ?? []).map((m) => absolute(iss, typeof m === 'string' ? m : m.id));
    if (!assertion.includes(kid)) throw new TrustError('invalid_kid', 'the key id is not an assertion method of the issuer');
    const embedded = (doc.assertionMethod ?? []).filter((m): m is VerificationMethod => typeof m !== 'string');
    const method = [...(doc.verificationMethod ?? []), ...embedded].find((m) => absolute(iss, m.id) === kid);
    if (!method) throw new TrustError('invalid_kid', 'the key id is not a verification method of the issuer');
    let key: PublicKey;
    try {
      key = await importJWK({ ...methodJwk(method), alg }, alg);
    } catch (error) {
      if (error instanceof TrustError) throw error;
      throw new TrustError('invalid_kid', `the key id does not hold a key for ${alg}`);
    }
    this.pending.set(cacheKey, { did: iss, doc, key }, now + this.options.cacheSeconds * 1000);
    return key;
  }

  /** A signature made with `kid` verified: from now on its key and document are cached. */
  confirm(kid: string, alg: string): void {
    const cacheKey = `${alg} ${kid}`;
    const now = this.now();
    const pending = this.pending.get(cacheKey, now);
    if (!pending) return;
    this.pending.delete(cacheKey);
    const until = now + this.options.cacheSeconds * 1000;
    this.keys.set(cacheKey, pending.key, until);
    this.documents.set(pending.did, pending.doc, until);
  }

  async document(did: string): Promise<DIDDocument> {
    const cached = this.documents.get(did, this.now());
    if (cached) return cached;
    let result;
    try {
      result = await this.options.resolver.resolve(did);
    } catch (error) {
      throw new TrustError('did_unresolvable', (error as Error).message.slice(0, 200));
    }
    const doc = result.didDocument;
    if (!doc || result.didResolutionMetadata.error) {
      throw new TrustError('did_unresolvable', String(result.didResolutionMetadata.error ?? 'no document').slice(0, 100));
    }
    return doc;
  }
}
