// One tenant's configuration: the deployment's, with the tenant's data directory (and every path
// that defaults into it), its DID and public URL, and the sections a care organisation decides for
// itself from <tenant>/tenant.yaml (organisation, exchange — release policy, small numbers —, and
// store). A section given there replaces the deployment's section as a whole, except `trust`: a
// tenant may set only its trust mode and, in nuts mode, its own Nuts identity (`trust.nuts.did`,
// `subjectId`, …) over the deployment's `trust.nuts` (often one node URL for every tenant).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, configSchema, nutsSchema, type Config } from '../config/index.js';
import { findTenant, tenantDir, type TenantEntry } from './registry.js';

export const TENANT_FILE = 'tenant.yaml';

const tenantFileSchema = z.strictObject({
  organisation: configSchema.shape.organisation.optional(),
  exchange: configSchema.shape.exchange.optional(),
  store: configSchema.shape.store.optional(),
  // Merged key by key over the deployment's trust.nuts, then checked whole (configFor).
  trust: z.strictObject({ mode: z.enum(['builtin', 'nuts']).optional(), nuts: z.record(z.string(), z.unknown()).optional() }).optional(),
});

export type TenantFile = z.infer<typeof tenantFileSchema>;

/** The URL path under which the deployment serves a tenant (its did:web document included). */
export function tenantPath(id: string): string {
  return `/tenants/${id}`;
}

function readTenantFile(dir: string): TenantFile {
  const file = join(dir, TENANT_FILE);
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = tenantFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `${[...i.path, ...i.keys].join('.')}: unknown key (a tenant may set organisation, exchange, store, trust.mode, trust.nuts)` : `${i.path.join('.')}: ${i.message}`));
    throw new ConfigError(`invalid ${file}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * Shared state in PostgreSQL (config `state`, src/state) keys every row by a tenant: each tenant's
 * must be its own id, or two tenants would share tokens, replay caches, sessions and queue.
 */
function stateFor(base: Config, id: string): Partial<Config> {
  return base.state.kind === 'postgres' ? { state: { ...base.state, tenant: id } } : {};
}

/** The tenant's trust: the deployment's, with its own trust list and, in nuts mode, its own Nuts identity. */
function trustFor(base: Config, dir: string, own: TenantFile['trust']): Config['trust'] {
  const trust = { ...base.trust, trustList: join(dir, 'trust-list.yaml'), mode: own?.mode ?? base.trust.mode };
  if (trust.mode !== 'nuts') return trust;
  const nuts = nutsSchema.safeParse({ ...base.trust.nuts, ...own?.nuts });
  if (!nuts.success) throw new ConfigError(`invalid trust.nuts of ${join(dir, TENANT_FILE)} (over the deployment's): ${nuts.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ...trust, nuts: nuts.data };
}

/** The DID requests to this tenant are addressed to: its node's DID in nuts mode, else its did:web. */
export function routingDid(config: Config, entry: TenantEntry): string {
  return config.trust.mode === 'nuts' ? config.trust.nuts!.did : entry.did;
}

export function configFor(base: Config, entry: TenantEntry): Config {
  const dir = tenantDir(base.dataDir, entry.id);
  const { trust: ownTrust, ...own } = readTenantFile(dir);
  return {
    ...base,
    ...own,
    ...stateFor(base, entry.id),
    dataDir: dir,
    identity: { ...base.identity, domain: entry.did.slice('did:web:'.length), keySecretFile: join(dir, 'identity', 'key-secret') },
    server: { ...base.server, publicUrl: `${base.server.publicUrl}${tenantPath(entry.id)}` },
    // A tenant's admin token is its own: one shared $DATASTATION_ADMIN_TOKEN would open every tenant.
    admin: { ...base.admin, tokenFile: join(dir, 'identity', 'admin-token') },
    trust: trustFor(base, dir, ownTrust),
  };
}

/** The configuration of tenant `id` of the deployment in base.dataDir (unknown id: refused). */
export function tenantConfig(base: Config, id: string): Config {
  return configFor(base, findTenant(base.dataDir, id));
}
