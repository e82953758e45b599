// The Veramo agent: DIDs (did:web, did:key, did:jwk), keys and issuing. Its state is one JSON file
// written atomically; private keys in it are encrypted with a SecretBox unless the agent plays
// test roles (credentials/…/TEST-ONLY files).
import { scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createAgent, type ICredentialPlugin, type IDIDManager, type IIdentifier, type IKeyManager, type IResolver, type TAgent } from '@veramo/core';
import { CredentialPlugin } from '@veramo/credential-w3c';
import { CredentialProviderJWT } from '@veramo/credential-jwt';
import { DIDStoreJson, KeyStoreJson, PrivateKeyStoreJson, type VeramoJsonStore } from '@veramo/data-store-json';
import { DIDManager } from '@veramo/did-manager';
import { JwkDIDProvider, getDidJwkResolver } from '@veramo/did-provider-jwk';
import { KeyDIDProvider, getDidKeyResolver } from '@veramo/did-provider-key';
import { WebDIDProvider } from '@veramo/did-provider-web';
import { DIDResolverPlugin } from '@veramo/did-resolver';
import { KeyManager } from '@veramo/key-manager';
import { KeyManagementSystem, SecretBox } from '@veramo/kms-local';
import { Resolver, type DIDDocument } from 'did-resolver';
import { writeFileDurable } from '../store/index.js';
import { didWebResolver, type DidWebOptions } from './did-web.js';

export type Agent = TAgent<IDIDManager & IKeyManager & IResolver & ICredentialPlugin>;
export type DidMethod = 'web' | 'key' | 'jwk';

/** did:key and did:jwk resolve from the DID itself; did:web from kept documents (or online). */
export function didResolver(web: DidWebOptions): Resolver {
  return new Resolver({ ...getDidKeyResolver(), ...getDidJwkResolver(), ...didWebResolver(web) });
}

const KEY_CHECK = 'kikv-datastation key store';

/** 32 bytes for the SecretBox from a passphrase or key file content. */
export function secretBoxKey(secret: string): string {
  return scryptSync(secret.trim(), 'kikv-datastation/keys/v1', 32).toString('hex');
}

export class KeyStoreLockedError extends Error {
  readonly code = 'key_store_locked';
}

export interface AgentOptions {
  file: string;
  /** Encrypts private keys at rest; omitted only for test identities. */
  secret?: string;
  resolver: Resolver;
}

/** Open (or create) the agent whose state lives in `file`. */
export async function openAgent(options: AgentOptions): Promise<Agent> {
  const saved = existsSync(options.file) ? (JSON.parse(readFileSync(options.file, 'utf8')) as Record<string, unknown>) : {};
  const box = options.secret === undefined ? undefined : new SecretBox(secretBoxKey(options.secret));
  if (box) {
    if (typeof saved.keyCheck === 'string') {
      if ((await box.decrypt(saved.keyCheck)) !== KEY_CHECK) throw new KeyStoreLockedError(`the key secret does not open ${options.file}`);
    } else {
      saved.keyCheck = await box.encrypt(KEY_CHECK);
    }
  }
  const json = {
    dids: {},
    keys: {},
    privateKeys: {},
    ...saved,
    notifyUpdate: async (_old: unknown, next: Record<string, unknown>) => {
      const { notifyUpdate: _ignored, ...state } = next;
      mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
      writeFileDurable(options.file, JSON.stringify(state, null, 1), 0o600);
    },
  } as unknown as VeramoJsonStore;
  const providers = { defaultKms: 'local' };
  return createAgent<IDIDManager & IKeyManager & IResolver & ICredentialPlugin>({
    plugins: [
      new KeyManager({ store: new KeyStoreJson(json), kms: { local: new KeyManagementSystem(new PrivateKeyStoreJson(json, box)) } }),
      new DIDManager({
        store: new DIDStoreJson(json),
        defaultProvider: 'did:web',
        providers: { 'did:web': new WebDIDProvider(providers), 'did:key': new KeyDIDProvider(providers), 'did:jwk': new JwkDIDProvider(providers) },
      }),
      new DIDResolverPlugin({ resolver: options.resolver }),
      new CredentialPlugin([new CredentialProviderJWT()]),
    ],
  });
}

/** Create an Ed25519 DID: did:web needs the host (and path) as `alias`. */
export async function createDid(agent: Agent, method: DidMethod, alias?: string): Promise<IIdentifier> {
  return agent.didManagerCreate({ provider: `did:${method}`, ...(alias ? { alias } : {}), options: { keyType: 'Ed25519' } });
}

/** The DID document a did:web identifier publishes: its Ed25519 key as a JsonWebKey2020 method. */
export function didWebDocument(identifier: IIdentifier): DIDDocument {
  const did = identifier.did;
  const methods = identifier.keys
    .filter((k) => k.type === 'Ed25519')
    .map((k, i) => ({
      id: `${did}#key-${i + 1}`,
      type: 'JsonWebKey2020',
      controller: did,
      publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(k.publicKeyHex, 'hex').toString('base64url') },
    }));
  const ids = methods.map((m) => m.id);
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: methods,
    assertionMethod: ids,
    authentication: ids,
  };
}

/** The first assertion method of a DID, as the `kid` its JWTs are signed under. */
export async function assertionKid(agent: Agent, did: string): Promise<string> {
  const { didDocument } = await agent.resolveDid({ didUrl: did });
  const first = didDocument?.assertionMethod?.[0];
  const id = typeof first === 'string' ? first : first?.id;
  if (!id) throw new Error(`${did} has no assertion method`);
  return id.startsWith('#') ? `${did}${id}` : id;
}
