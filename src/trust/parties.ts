// The other roles, played with real keys for suppliers' tests and ours: a beheerorganisatie that
// issues question credentials (and status lists), a requester that presents them. Their keys
// are test-only, in a file named as such, encrypted under a published (so: no) secret.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { IIdentifier } from '@veramo/core';
import { SecretBox } from '@veramo/kms-local';
import { assertionKid, createDid, didResolver, didWebDocument, openAgent, secretBoxKey, type Agent, type DidMethod } from './agent.js';
import { didDocumentFileName } from './did-web.js';
import { statusListFileName } from './status.js';

export const TEST_ONLY_FILE = 'TEST-ONLY-identities.json';
const TEST_ONLY_SECRET = 'test-only identities: this is not a secret';

export interface QuestionClaims {
  profile: string | { id: string; version: string };
  ontology: string | { id: string; version: string };
  query: string;
}

export interface IssueOptions {
  /** Default ValidQueryCredential; `ValidatedQueryCredential` uses the pilot's layout. */
  type?: 'ValidQueryCredential' | 'ValidatedQueryCredential';
  validSeconds?: number;
  status?: { url: string; index: number; kind?: 'StatusList2021' | 'BitstringStatusList' };
}

export class Parties {
  private constructor(
    readonly agent: Agent,
    readonly dir: string,
  ) {}

  /** Identities kept in `dir`; did:web documents are written to `dir`/did-documents. */
  static async open(dir: string): Promise<Parties> {
    mkdirSync(join(dir, 'did-documents'), { recursive: true });
    const resolver = didResolver({ documentsDir: join(dir, 'did-documents'), online: false, timeoutMs: 1000, maxBytes: 65536, allowInsecureHttp: false });
    return new Parties(await openAgent({ file: join(dir, TEST_ONLY_FILE), secret: TEST_ONLY_SECRET, resolver }), dir);
  }

  get documentsDir(): string {
    return join(this.dir, 'did-documents');
  }

  /** A new Ed25519 identity; `alias` is the host (and :path) for did:web, a name otherwise. */
  async create(method: DidMethod, alias?: string): Promise<IIdentifier> {
    const identifier = await createDid(this.agent, method, alias);
    if (method === 'web') {
      writeFileSync(join(this.documentsDir, didDocumentFileName(identifier.did)), JSON.stringify(didWebDocument(identifier), null, 2));
    }
    return identifier;
  }

  async find(didOrAlias: string): Promise<IIdentifier> {
    const all = await this.agent.didManagerFind();
    const found = all.find((i) => i.did === didOrAlias || i.alias === didOrAlias);
    if (!found) throw new Error(`no identity ${didOrAlias} in ${this.dir}`);
    return found;
  }

  async kid(did: string): Promise<string> {
    return assertionKid(this.agent, did);
  }

  /** A question credential from `issuer` to `subject`, as a compact JWT (EdDSA, kid set). */
  async issueQuestion(issuer: string, subject: string, claims: QuestionClaims, options: IssueOptions = {}): Promise<string> {
    const type = options.type ?? 'ValidQueryCredential';
    const now = Date.now();
    const credentialSubject =
      type === 'ValidQueryCredential'
        ? { id: subject, ...claims }
        : { id: subject, validatedQuery: { profile: claims.profile, ontology: claims.ontology, sparql: encodeURIComponent(claims.query) } };
    const status = options.status;
    const kind = status?.kind ?? 'BitstringStatusList';
    const credential = await this.agent.createVerifiableCredential({
      proofFormat: 'jwt',
      credential: {
        id: `urn:uuid:${randomUUID()}`,
        issuer: { id: issuer },
        type: ['VerifiableCredential', type],
        issuanceDate: new Date(now - 1000).toISOString(),
        expirationDate: new Date(now + (options.validSeconds ?? 30 * 86400) * 1000).toISOString(),
        credentialSubject,
        ...(status
          ? {
              credentialStatus: {
                id: `${status.url}#${status.index}`,
                type: kind === 'StatusList2021' ? 'StatusList2021Entry' : 'BitstringStatusListEntry',
                statusPurpose: 'revocation',
                statusListIndex: String(status.index),
                statusListCredential: status.url,
              },
            }
          : {}),
      },
      header: { kid: await this.kid(issuer) },
    });
    return credential.proof.jwt as string;
  }

  /** The requester's presentation of `credentials` to the datastation `audience`. */
  async present(holder: string, audience: string, credentials: string[], validSeconds = 300): Promise<string> {
    const now = Date.now();
    const presentation = await this.agent.createVerifiablePresentation({
      proofFormat: 'jwt',
      domain: audience,
      presentation: {
        id: `urn:uuid:${randomUUID()}`,
        holder,
        verifiableCredential: credentials,
        issuanceDate: new Date(now - 1000).toISOString(),
        expirationDate: new Date(now + validSeconds * 1000).toISOString(),
      },
      header: { kid: await this.kid(holder) },
    });
    return presentation.proof.jwt as string;
  }

  /**
   * A signed status list with `revoked` indexes set, kept in `statusListDir` under its URL's
   * file name (what the datastation reads before going online).
   */
  async publishStatusList(issuer: string, url: string, revoked: number[], statusListDir: string, kind: 'StatusList2021' | 'BitstringStatusList' = 'BitstringStatusList'): Promise<string> {
    const bits = Buffer.alloc(16384);
    for (const i of revoked) bits[i >> 3]! |= 0x80 >> (i & 7);
    const encoded = gzipSync(bits).toString('base64url');
    const now = Date.now();
    const vc = await this.agent.createVerifiableCredential({
      proofFormat: 'jwt',
      credential: {
        id: url,
        issuer: { id: issuer },
        type: ['VerifiableCredential', `${kind}Credential`],
        issuanceDate: new Date(now - 1000).toISOString(),
        expirationDate: new Date(now + 86400 * 1000).toISOString(),
        credentialSubject: { id: `${url}#list`, type: kind, statusPurpose: 'revocation', encodedList: kind === 'BitstringStatusList' ? `u${encoded}` : encoded },
      },
      header: { kid: await this.kid(issuer) },
    });
    const jwt = vc.proof.jwt as string;
    mkdirSync(statusListDir, { recursive: true });
    writeFileSync(join(statusListDir, statusListFileName(url)), jwt);
    return jwt;
  }

  /** The private key of a test identity as a JWK (for crafting deliberately broken tokens). */
  async privateJwk(did: string): Promise<{ kty: 'OKP'; crv: 'Ed25519'; x: string; d: string }> {
    const key = (await this.find(did)).keys[0]!;
    const state = JSON.parse(readFileSync(join(this.dir, TEST_ONLY_FILE), 'utf8')) as { privateKeys: Record<string, { privateKeyHex: string }> };
    const sealed = state.privateKeys[key.kid]?.privateKeyHex;
    if (!sealed) throw new Error(`no private key for ${did}`);
    const hex = await new SecretBox(secretBoxKey(TEST_ONLY_SECRET)).decrypt(sealed);
    // kms-local keeps seed ‖ public key; the JWK's d is the 32-byte seed.
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKeyHex, 'hex').toString('base64url'), d: Buffer.from(hex.slice(0, 64), 'hex').toString('base64url') };
  }
}
