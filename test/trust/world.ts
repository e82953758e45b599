// A small world for trust tests: a beheerorganisatie (did:web), requesters on did:key, did:jwk
// and did:web, a datastation with its own did:web identity and trust list, and a way to craft
// deliberately broken JWTs with the parties' real keys (jose, not hand-rolled).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, importJWK, type JWTPayload } from 'jose';
import type { Config } from '../../src/config/index.js';
import { Parties, createTrust, initIdentity, type Trust } from '../../src/trust/index.js';
import { tempDir, testConfig } from '../helpers.js';

export const QUERY = 'PREFIX onz-g: <http://purl.org/ozo/onz-g#>\nSELECT (COUNT(*) AS ?n) WHERE { ?s a onz-g:Human }';
export const CLAIMS = { profile: 'demo@1.0.0', ontology: 'onz@3.0.0', query: QUERY };

export interface World {
  parties: Parties;
  config: Config;
  trust: Trust;
  did: string;
  beheer: string;
  rogue: string;
  requester: string;
  jwkRequester: string;
  webRequester: string;
  clock: { now: number };
  /** Sign `payload` as `did` with its real key; header fields may be overridden or removed. */
  sign(did: string, payload: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** A correct question credential as a plain payload, to be broken by a test. */
  vcPayload(overrides?: Partial<JWTPayload>, vc?: Record<string, unknown>): JWTPayload;
  vpPayload(credentials: string[], overrides?: Partial<JWTPayload>): JWTPayload;
}

export async function makeWorld(configOverrides: Record<string, unknown> = {}): Promise<World> {
  const root = tempDir('ds-trust-');
  const parties = await Parties.open(join(root, 'parties'));
  const beheer = (await parties.create('web', 'beheer.kik-v.example')).did;
  const rogue = (await parties.create('web', 'rogue.example')).did;
  const requester = (await parties.create('key')).did;
  const jwkRequester = (await parties.create('jwk')).did;
  const webRequester = (await parties.create('web', 'zorgkantoor.example:kikv')).did;
  const config = testConfig(join(root, 'data'), {
    'trust.didDocumentsDir': parties.documentsDir,
    'trust.statusListDir': join(root, 'status-lists'),
    'trust.statusListOnline': false,
    // The test world answers at once unless a test says otherwise (the product's default is
    // manual release); the release tests set their own rules.
    'exchange.defaultRelease': 'auto',
    ...configOverrides,
  });
  const { identity } = await initIdentity(config, {});
  writeFileSync(
    config.trust.trustList!,
    `# test trust list\nissuers:\n  - did: ${beheer}\n    name: KIK-V beheerorganisatie (test)\n    credentialTypes: [ValidQueryCredential, ValidatedQueryCredential]\n`,
  );
  const clock = { now: Math.floor(Date.now() / 1000) };
  const trust = createTrust(config, () => clock.now);
  const keys = new Map<string, Awaited<ReturnType<typeof importJWK>>>();

  return {
    parties,
    config,
    trust,
    did: identity.did,
    beheer,
    rogue,
    requester,
    jwkRequester,
    webRequester,
    clock,
    async sign(did, payload, header = {}) {
      if (!keys.has(did)) keys.set(did, await importJWK(await parties.privateJwk(did), 'EdDSA'));
      const fullHeader = { alg: 'EdDSA', typ: 'JWT', ...('kid' in header ? {} : { kid: await parties.kid(did) }), ...header };
      for (const [k, v] of Object.entries(fullHeader)) if (v === undefined) delete (fullHeader as Record<string, unknown>)[k];
      return new SignJWT(payload).setProtectedHeader(fullHeader).sign(keys.get(did)!);
    },
    vcPayload(overrides = {}, vc = {}) {
      return {
        iss: beheer,
        sub: requester,
        jti: `urn:uuid:${randomUUID()}`,
        nbf: clock.now - 60,
        exp: clock.now + 86400,
        vc: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential', 'ValidQueryCredential'],
          credentialSubject: { ...CLAIMS },
          ...vc,
        },
        ...overrides,
      };
    },
    vpPayload(credentials, overrides = {}) {
      return {
        iss: requester,
        aud: identity.did,
        jti: `urn:uuid:${randomUUID()}`,
        nbf: clock.now - 5,
        exp: clock.now + 300,
        vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: credentials },
        ...overrides,
      };
    },
  };
}

/** The error code a rejected promise carries (or 'accepted'). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? `uncoded: ${(error as Error).message}`;
  }
}
