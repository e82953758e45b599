// Where the shared state lives (issue 17): files in the data folder (the embedded default), or
// PostgreSQL, so that several stateless API processes behind a load balancer serve one
// deployment: audit log, release queue, replay caches, access tokens, console sessions.
import { z } from 'zod';

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier');
/** A postgres:// URL, or `env:NAME`: the URL (with its password) in that environment variable. */
const pgUrl = z.string().regex(/^(postgres(ql)?:\/\/|env:[A-Z_][A-Z0-9_]*$)/, 'a postgres:// URL or env:NAME');

/** The URL itself: `env:NAME` read from the environment (a secret kept out of the config file). */
export function resolveStateUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!url.startsWith('env:')) return url;
  const value = env[url.slice(4)];
  if (!value || !/^postgres(ql)?:\/\//.test(value)) throw new Error(`${url.slice(4)} holds no postgres:// URL`);
  return value;
}

export const postgresStateConfig = z.strictObject({
  kind: z.literal('postgres'),
  /** What the datastation connects as (postgres://user:password@host:port/db): the app role. */
  url: pgUrl,
  /** The owner role's URL: when set, the migrations run at start with it (else `datastation state migrate`). */
  migrateUrl: pgUrl.optional(),
  /** The schema of the tables (one deployment per schema). */
  schema: identifier.default('public'),
  /** The role the migrations grant to (INSERT and SELECT only on the audit table); default: the url's user. */
  appRole: identifier.optional(),
  /** The tenant this process serves (multi-tenancy passes its own; every table is keyed by it). */
  // `_deployment` is a deployment's own audit chain (src/tenants/refusals.ts), never a tenant's.
  tenant: z.string().min(1).max(100).refine((t) => t !== '_deployment', 'the tenant _deployment is reserved for a deployment\'s own audit chain').default('default'),
  poolSize: z.number().int().min(1).max(100).default(10),
  /** A statement taking longer fails (the process never hangs on a stuck database). */
  statementTimeoutMs: z.number().int().min(100).default(10_000),
});

export const stateConfig = z
  .discriminatedUnion('kind', [z.strictObject({ kind: z.literal('files') }), postgresStateConfig])
  .default({ kind: 'files' });

export type StateConfig = z.infer<typeof stateConfig>;
export type PostgresStateConfig = z.infer<typeof postgresStateConfig>;
