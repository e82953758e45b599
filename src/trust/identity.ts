// The datastation's own identity: did:web for the configured domain with an Ed25519 key. The
// private key lives encrypted in <dataDir>/identity/agent.json; the public DID document is kept
// beside it for /.well-known/did.json.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DIDDocument } from 'did-resolver';
import type { Config } from '../config/index.js';
import { readKeySecret, keySecretSource } from './key-secret.js';
import { createDid, didResolver, didWebDocument, openAgent, type Agent } from './agent.js';

export interface OwnIdentity {
  did: string;
  document: DIDDocument;
}

export function ownDid(config: Config): string {
  return `did:web:${config.identity.domain}`;
}

function paths(config: Config) {
  const dir = join(config.dataDir, 'identity');
  return { agent: join(dir, 'agent.json'), document: join(dir, 'did.json') };
}

/** The key-store secret (see key-secret.ts). Never logged. */
export const keySecret = readKeySecret;

/** Open the organisation's agent (private keys decrypted only inside it). */
export async function openOwnAgent(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<Agent> {
  return openAgent({ file: paths(config).agent, secret: keySecret(config, env), resolver: resolverFor(config) });
}

export function resolverFor(config: Config) {
  const t = config.trust;
  return didResolver({
    documentsDir: t.didDocumentsDir!,
    online: t.didWebOnline,
    timeoutMs: t.fetchTimeoutMs,
    maxBytes: t.fetchMaxBytes,
    allowInsecureHttp: t.allowInsecureHttp,
  });
}

/**
 * Create the identity when missing (and a key file when no secret is configured); idempotent.
 * Returns what was created, for the operator.
 */
export async function initIdentity(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<{ identity: OwnIdentity; created: string[] }> {
  const created: string[] = [];
  const source = keySecretSource(config, env);
  // Only the default file is created; a configured secret is the operator's to provide.
  const secretFile = config.identity.keySecretFile!;
  if (source.kind === 'file' && !source.configured && !existsSync(secretFile)) {
    mkdirSync(dirname(secretFile), { recursive: true, mode: 0o700 });
    writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    created.push(`key secret ${secretFile} (keep a copy apart from the data; production: identity.keySecret env:NAME or file:/path outside the data directory)`);
  }
  const agent = await openOwnAgent(config, env);
  const did = ownDid(config);
  let identifier = (await agent.didManagerFind({ provider: 'did:web' })).find((i) => i.did === did);
  if (!identifier) {
    identifier = await createDid(agent, 'web', config.identity.domain);
    created.push(`DID ${did} with an Ed25519 key (encrypted at rest)`);
  }
  const document = didWebDocument(identifier);
  writeFileSync(paths(config).document, JSON.stringify(document, null, 2));
  return { identity: { did, document }, created };
}

/** The public side, for serving and as our own audience; undefined before `init`. */
export function loadIdentity(config: Config): OwnIdentity | undefined {
  const file = paths(config).document;
  if (!existsSync(file)) return undefined;
  return { did: ownDid(config), document: JSON.parse(readFileSync(file, 'utf8')) as DIDDocument };
}
