// One typed, validated configuration: defaults < config file (YAML/JSON) < environment.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { dateFormatProblem } from '../ingest/index.js';
import { loadMappings } from '../mapping/index.js';
import { packageRoot } from './package-root.js';
import { adminSchema } from './admin.js';
import { exchangeSchema } from './exchange.js';
import { stateConfig } from './state.js';
import { storeSchema } from './store.js';
import { tenantsSchema } from './tenants.js';

export { packageRoot } from './package-root.js';

const csvOptions = z.strictObject({
  delimiter: z.enum(['auto', ',', ';', '\t', '|']).default('auto'),
  encoding: z.enum(['auto', 'utf-8', 'windows-1252', 'latin1']).default('auto'),
  decimal: z.enum(['auto', 'comma', 'dot']).default('auto'),
});

// The Nuts node beside the datastation (nuts-interop.md). Names marked ⚠ there come from one
// implementer's code, not from KIK-V text: they are defaults here, not constants.
export const nutsSchema = z
  .object({
    version: z.enum(['v5', 'v6']).default('v5'),
    // The node's internal API (never expose it publicly), e.g. http://127.0.0.1:8081.
    internalUrl: z.string().url(),
    // Bearer token for the internal API when the node requires one ($DATASTATION_NUTS_API_TOKEN).
    apiToken: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    maxResponseBytes: z.number().int().min(1024).default(1024 * 1024),
    // Our organisation's DID at the node (v5 did:nuts, v6 did:web); messages are addressed to it.
    did: z.string().regex(/^did:[a-z0-9]+:\S+$/, 'a DID'),
    // v6: the node's subject for our organisation.
    subjectId: z.string().min(1).optional(),
    // v5 compound service type tokens must carry; alternatives are accepted as well.
    service: z.string().min(1).default('didcomm-service-kikv'),
    acceptServices: z.array(z.string().min(1)).default(['validated-query-service']),
    // v5 compound service keys: the token endpoint and our message endpoint.
    oauthEndpointKey: z.string().min(1).default('oauth'),
    // v5 registration: what the compound service's oauth entry points at (our node's
    // /n2n/auth/v1/accesstoken endpoint, as a URL or a did:nuts service reference).
    oauthEndpoint: z.string().min(1).optional(),
    messageEndpointKey: z.string().min(1).default('didcomm'),
    // v6: the OAuth2 scope for a question, the Discovery Service, the registration parameter
    // carrying the message endpoint, and the introspection claim (a presentation-definition field
    // id) holding the requester's DID.
    scope: z.string().min(1).default('kikv-validated-query'),
    discoveryService: z.string().min(1).default('kikv'),
    messageEndpointParameter: z.string().min(1).default('kikv_message_endpoint'),
    requesterClaim: z.string().min(1).default('organization_did'),
    // Issuer allow-list for ValidatedQueryCredential (the KIK-V beheerorganisatie), checked
    // ourselves: v6 does not check trust for did:web issuers, v5 only its own trust store.
    beheerDids: z.array(z.string().regex(/^did:[a-z0-9]+:\S+$/)).min(1),
    credentialType: z.string().min(1).default('ValidatedQueryCredential'),
    // The message VP: proof.expires required, at most this far after proof.created.
    maxPresentationSeconds: z.number().int().min(5).max(86_400).default(300),
    requireChallenge: z.boolean().default(true),
  })
  .strict();

export const configSchema = z.strictObject({
  // production: refuse to serve with settings only fit for a demo (the key secret beside the key).
  mode: z.enum(['development', 'production']).default('development'),
  dataDir: z.string().default('./data'),
  organisation: z
    .strictObject({
      name: z.string().default('Zorggroep De Linde'),
      kvk: z.string().regex(/^[0-9]{8}$/, 'KvK number is 8 digits').default('90000001'),
      // Base for IRIs minted from source keys; must end in / or #.
      iriBase: z.string().url().regex(/[/#]$/, 'iriBase must end in / or #').default('https://data.zorggroep-delinde.example/id/'),
    })
    .default({ name: 'Zorggroep De Linde', kvk: '90000001', iriBase: 'https://data.zorggroep-delinde.example/id/' }),
  ontologyDir: z.string().default(join(packageRoot(), 'ontology')),
  mappingsDir: z.string().default(join(packageRoot(), 'src', 'mapping', 'sources')),
  mappings: z
    .strictObject({
      // The organisation's own folder on top of mappingsDir: whole mappings replacing shipped ones,
      // or patches adding file patterns, header aliases and date patterns (docs/mapping-format.md).
      overrides: z.string().optional(),
    })
    .prefault({}),
  import: z
    .strictObject({
      csv: csvOptions.default({ delimiter: 'auto', encoding: 'auto', decimal: 'auto' }),
      // Source date formats tried in order (after ISO 8601); see src/ingest/dates.ts.
      // Named formats, or any luxon pattern ("dd-MM-yyyy"), checked here (docs/mapping-format.md).
      dateFormats: z.array(z.string().superRefine((f, ctx) => {
        const problem = dateFormatProblem(f);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })).default(['d-M-yyyy', 'd/M/yyyy', 'yyyyMMdd', 'EEE MMM d HH:mm:ss z yyyy']),
      shacl: z.boolean().default(true),
      // Calendar days are loaded for every data year, plus this margin on both sides.
      calendarMarginYears: z.number().int().min(0).max(5).default(1),
      keepGenerations: z.number().int().min(1).max(100).default(3),
      // An entity mapping more than this percentage fewer rows than the previous generation refuses the import (--allow-shrink).
      maxShrinkPercent: z.number().min(0).max(100).default(50),
    })
    .default({
      csv: { delimiter: 'auto', encoding: 'auto', decimal: 'auto' },
      dateFormats: ['d-M-yyyy', 'd/M/yyyy', 'yyyyMMdd', 'EEE MMM d HH:mm:ss z yyyy'],
      shacl: true,
      calendarMarginYears: 1,
      keepGenerations: 3,
      maxShrinkPercent: 50,
    }),
  query: z
    .strictObject({
      /** At most this many worker threads; each holds a full copy of the dataset (1.4 GB at 10k employees). */
      workers: z.number().int().min(1).max(32).default(2),
      /** Workers kept loaded; the others start (from the store image) only while questions wait. */
      warmWorkers: z.number().int().min(0).max(32).default(1),
      deadlineMs: z.number().int().min(100).default(60_000),
      rowCap: z.number().int().min(1).default(1_000_000),
      maxQueryBytes: z.number().int().min(1024).default(256 * 1024),
      maxDepth: z.number().int().min(4).default(128),
      /** Bytes of small answers kept for the generation served (src/query/answer-cache.ts); 0 keeps none. */
      answerCacheBytes: z.number().int().min(0).max(1024 * 1024 * 1024).default(16 * 1024 * 1024),
    })
    .default({ workers: 2, warmWorkers: 1, deadlineMs: 60_000, rowCap: 1_000_000, maxQueryBytes: 256 * 1024, maxDepth: 128, answerCacheBytes: 16 * 1024 * 1024 }),
  /** Where the dataset is queried: in-process Oxigraph (default) or a SPARQL 1.1 server (src/config/store.ts, src/store/remote). */
  store: storeSchema,
  /** Shared state: files in the data folder (default) or PostgreSQL (src/config/state.ts, src/state). */
  state: stateConfig,
  identity: z
    .strictObject({
      // did:web of this datastation; the document is served at /.well-known/did.json of this host.
      domain: z.string().regex(/^[a-z0-9.-]+(%3A[0-9]+)?(:[A-Za-z0-9._-]+)*$/i, 'a host name, optionally %3A<port> and :path segments').default('localhost%3A8443'),
      // Private keys are encrypted at rest with a key derived from $DATASTATION_KEY_SECRET, or else
      // from this file (created with mode 0600 by `datastation init` when neither exists).
      keySecretFile: z.string().optional(),
      // Production: where the secret lives instead, apart from the data directory: env:NAME (an
      // environment variable) or file:/absolute/path (e.g. a mounted secret). Overrides the two above.
      keySecret: z
        .string()
        .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/, 'env:NAME or file:/absolute/path')
        .optional(),
    })
    .prefault({}),
  server: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8443),
      // The URL requesters use (behind a proxy it differs from host:port); default https://<domain>.
      publicUrl: z.string().url().optional(),
      bodyLimitBytes: z.number().int().min(1024).default(1024 * 1024),
      maxHeaderBytes: z.number().int().min(1024).default(16 * 1024),
      requestTimeoutMs: z.number().int().min(1000).default(120_000),
      // TLS on our own listener; with requireClientCert, mutual TLS against the CA bundle (e.g. PKIoverheid).
      tls: z
        .strictObject({
          key: z.string(),
          cert: z.string(),
          ca: z.string().optional(),
          requireClientCert: z.boolean().default(false),
          // With requireClientCert: the client certificate `datastation healthcheck` presents (one
          // the ca bundle accepts); default the server's own cert and key (PKIoverheid server
          // certificates usually allow client authentication too).
          healthcheck: z.strictObject({ cert: z.string(), key: z.string() }).optional(),
        })
        .optional(),
      // Behind a TLS-terminating proxy that verified the client certificate: the header it forwards
      // the certificate in, accepted only from these proxy addresses.
      clientCertHeader: z.string().optional(),
      trustedProxies: z.array(z.string()).default([]),
    })
    .prefault({}),
  /** Answering questions and releasing answers (src/config/exchange.ts). */
  exchange: exchangeSchema,
  audit: z
    .strictObject({
      // The running server signs the chain head with the organisation's key after this many new
      // entries (and when it stops); 0: only `datastation audit checkpoint`.
      checkpointEvery: z.number().int().min(0).default(1000),
    })
    .prefault({}),
  /** The admin API and the console's sessions (src/config/admin.ts). */
  admin: adminSchema,
  trust: z
    .strictObject({
      // Issuer trust list (YAML/JSON): beheerorganisatie DIDs per question-credential type.
      trustList: z.string().optional(),
      algorithms: z.array(z.enum(['EdDSA', 'ES256', 'ES384', 'PS256'])).min(1).default(['EdDSA']),
      clockSkewSeconds: z.number().int().min(0).max(300).default(30),
      maxJwtBytes: z.number().int().min(1024).default(512 * 1024),
      maxCredentials: z.number().int().min(1).default(20),
      // Question-credential layouts accepted, normalised to one internal type.
      credentialTypes: z
        .array(
          z.strictObject({
            type: z.string(),
            profile: z.string(),
            ontology: z.string(),
            query: z.string(),
            queryUrlEncoded: z.boolean().default(false),
            // Overrides queryUrlEncoded: plain | url | base64 | base64-or-url.
            queryEncoding: z.enum(['plain', 'url', 'base64', 'base64-or-url']).optional(),
            queryId: z.array(z.string()).optional(),
            paramsShacl: z.string().optional(),
          }),
        )
        .min(1)
        .default([
          { type: 'ValidQueryCredential', profile: 'credentialSubject.profile', ontology: 'credentialSubject.ontology', query: 'credentialSubject.query', queryUrlEncoded: false },
          {
            type: 'ValidatedQueryCredential',
            profile: 'credentialSubject.validatedQuery.profile',
            ontology: 'credentialSubject.validatedQuery.ontology',
            query: 'credentialSubject.validatedQuery.sparql',
            queryUrlEncoded: true,
            // Production (KIK-V data spec 1.0.1) is Base64; the 2022 workshop URL-encoded.
            queryEncoding: 'base64-or-url',
            queryId: ['credentialSubject.validatedQuery.id', 'credentialSubject.validatedQuery.identifier'],
            paramsShacl: 'credentialSubject.validatedQuery.paramsSHACL',
          },
        ]),
      // did:web documents kept here (<did with : as _>.json) are used without going online.
      didDocumentsDir: z.string().optional(),
      didWebOnline: z.boolean().default(false),
      didCacheSeconds: z.number().int().min(0).default(300),
      fetchTimeoutMs: z.number().int().min(100).default(3000),
      fetchMaxBytes: z.number().int().min(1024).default(1024 * 1024),
      // Status lists: fetched from their URL (https) unless a copy is in this folder.
      statusListDir: z.string().optional(),
      statusListOnline: z.boolean().default(true),
      statusListCacheSeconds: z.number().int().min(0).default(300),
      // Plain http for DID documents and status lists: loopback tests only.
      allowInsecureHttp: z.boolean().default(false),
      accessTokenSeconds: z.number().int().min(10).max(3600).default(300),
      // Presentations valid for longer are refused: the replay window (kept across restarts) is their lifetime.
      maxPresentationSeconds: z.number().int().min(10).max(86_400).default(3600),
      // Entries per in-memory cache (DID documents, keys, status lists, access tokens), LRU beyond.
      cacheMaxEntries: z.number().int().min(1).default(10_000),
      // Presentation and message ids remembered (on disk, in the data folder) until they expire.
      replayMaxEntries: z.number().int().min(100).default(200_000),
      // builtin: own token endpoint and jose verification (demo, development, tests);
      // nuts: the organisation's Nuts node introspects tokens and verifies presentations.
      mode: z.enum(['builtin', 'nuts']).default('builtin'),
      nuts: nutsSchema.optional(),
    })
    .prefault({})
    .superRefine((t, ctx) => {
      if (t.mode === 'nuts' && !t.nuts) ctx.addIssue({ code: 'custom', path: ['nuts'], message: 'trust.mode nuts needs a trust.nuts section' });
    }),
  // Many organisations in one deployment directory (src/tenants; docs/deployment.md).
  tenants: tenantsSchema,
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  readonly code = 'invalid_config';
}

/** Environment variables that override the file, as dotted config paths. */
const ENV: Record<string, string> = {
  DATASTATION_MODE: 'mode',
  DATASTATION_DATA_DIR: 'dataDir',
  DATASTATION_ORG_NAME: 'organisation.name',
  DATASTATION_ORG_KVK: 'organisation.kvk',
  DATASTATION_ORG_IRI_BASE: 'organisation.iriBase',
  DATASTATION_ONTOLOGY_DIR: 'ontologyDir',
  DATASTATION_MAPPINGS_DIR: 'mappingsDir',
  DATASTATION_SHACL: 'import.shacl',
  DATASTATION_QUERY_WORKERS: 'query.workers',
  DATASTATION_QUERY_WARM_WORKERS: 'query.warmWorkers',
  DATASTATION_QUERY_DEADLINE_MS: 'query.deadlineMs',
  DATASTATION_QUERY_ANSWER_CACHE_BYTES: 'query.answerCacheBytes',
  DATASTATION_DOMAIN: 'identity.domain',
  DATASTATION_TRUST_LIST: 'trust.trustList',
  DATASTATION_HOST: 'server.host',
  DATASTATION_PORT: 'server.port',
  DATASTATION_PUBLIC_URL: 'server.publicUrl',
  DATASTATION_ADMIN_HOST: 'admin.host',
  DATASTATION_ADMIN_PORT: 'admin.port',
  DATASTATION_TRUST_MODE: 'trust.mode',
  DATASTATION_NUTS_URL: 'trust.nuts.internalUrl',
  DATASTATION_NUTS_API_TOKEN: 'trust.nuts.apiToken',
};

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

const NUMERIC = new Set(['query.workers', 'query.warmWorkers', 'query.deadlineMs', 'query.answerCacheBytes', 'server.port', 'admin.port']);

function envValue(path: string, raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (NUMERIC.has(path) && /^\d+$/.test(raw)) return Number(raw);
  return raw;
}

export interface LoadConfigOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}

/**
 * Load the configuration. The file is `--config`, else $DATASTATION_CONFIG, else
 * `datastation.yaml` in the working directory when present. Relative paths in the file are
 * resolved against the file's folder.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.DATASTATION_CONFIG ?? (existsSync('datastation.yaml') ? 'datastation.yaml' : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = (parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown> | null) ?? {};
    } catch (error) {
      throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
    }
  }
  for (const [name, path] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, envValue(path, value));
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw, path, value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    // An unknown key is most often a typo that would otherwise silently keep the default.
    const problems = parsed.error.issues
      .map((i) => (i.code === 'unrecognized_keys' ? i.keys.map((k) => `${[...i.path, k].join('.')}: unknown key`).join('; ') : `${i.path.join('.') || '(root)'}: ${i.message}`))
      .join('; ');
    throw new ConfigError(`invalid configuration${file ? ` in ${file}` : ''}: ${problems}`);
  }
  const base = file ? dirname(resolve(file)) : process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const config = parsed.data;
  const dataDir = abs(config.dataDir);
  const inData = (p: string | undefined, fallback: string) => (p ? abs(p) : join(dataDir, fallback));
  const mappingsDir = abs(config.mappingsDir);
  const overrides = config.mappings.overrides ? abs(config.mappings.overrides) : undefined;
  if (overrides) {
    // Checked now: a bad override or date pattern is a refusal at start-up, not quarantined rows later.
    try {
      loadMappings(mappingsDir, overrides);
    } catch (error) {
      throw new ConfigError(`invalid mapping override${file ? ` (${file})` : ''}: ${(error as Error).message}`);
    }
  }
  return {
    ...config,
    dataDir,
    ontologyDir: abs(config.ontologyDir),
    mappingsDir,
    mappings: { ...(overrides ? { overrides } : {}) },
    server: { ...config.server, publicUrl: (config.server.publicUrl ?? `https://${decodeURIComponent(config.identity.domain.split(':')[0]!)}`).replace(/\/$/, '') },
    admin: { ...config.admin, tokenFile: inData(config.admin.tokenFile, 'identity/admin-token') },
    identity: { ...config.identity, keySecretFile: inData(config.identity.keySecretFile, 'identity/key-secret') },
    trust: {
      ...config.trust,
      trustList: inData(config.trust.trustList, 'trust-list.yaml'),
      didDocumentsDir: inData(config.trust.didDocumentsDir, 'did-documents'),
      statusListDir: inData(config.trust.statusListDir, 'status-lists'),
    },
  };
}
