// Adding, listing and removing tenants of a deployment. Every step that changes a tenant is in that
// tenant's own audit chain, logged before the registry changes: add creates the data directory,
// the DID and keys, the trust list and the admin token first and registers last (a crash leaves an
// unregistered folder, which a repeated add takes over); remove logs, unregisters, then moves the
// folder aside to removed/ (the organisation's audit log and answers are kept, never deleted).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { recordActivity } from '../audit/index.js';
import { adminToken } from '../api/index.js';
import { nutsSchema, packageRoot, type Config } from '../config/index.js';
import { ReleaseQueue } from '../exchange/index.js';
import { currentGenerationId } from '../store/index.js';
import { initIdentity } from '../trust/index.js';
import { configFor, routingDid, TENANT_FILE } from './config.js';
import { readRegistry, registryPath, tenantDir, TenantError, withRegistryLock, writeRegistry, type TenantEntry } from './registry.js';

export interface AddOptions {
  /** Default did:web:<deployment domain host>:tenants:<id>, whose document the deployment serves at /tenants/<id>/did.json. */
  did?: string;
  /** A trust list to copy in (else the example, to edit). */
  trustList?: string;
  organisation?: { name: string; kvk: string; iriBase: string };
  /** Its own Nuts identity (trust.mode nuts), over the deployment's trust.nuts (node URL, …). */
  nuts?: { did: string; subjectId?: string };
  actor: string;
}

export function defaultDid(base: Config, id: string): string {
  return `did:web:${base.identity.domain.split(':')[0]}:tenants:${id}`;
}

/** A folder holding one organisation's identity is not a deployment: tenants are never mixed into it. */
function refuseSingleOrganisation(base: Config): void {
  if (!existsSync(registryPath(base.dataDir)) && existsSync(join(base.dataDir, 'identity', 'agent.json'))) {
    throw new TenantError('not_a_deployment', `${base.dataDir} is one organisation's data directory; use a new, empty folder as the deployment directory`);
  }
}

export async function addTenant(base: Config, id: string, options: AddOptions): Promise<{ entry: TenantEntry; created: string[] }> {
  refuseSingleOrganisation(base);
  tenantDir(base.dataDir, id); // a bad id is refused before anything is created
  return withRegistryLock(base.dataDir, () => addLocked(base, id, options));
}

async function addLocked(base: Config, id: string, options: AddOptions): Promise<{ entry: TenantEntry; created: string[] }> {
  const dir = tenantDir(base.dataDir, id);
  const tenants = readRegistry(base.dataDir);
  const did = options.did ?? defaultDid(base, id);
  if (tenants.some((t) => t.id === id)) throw new TenantError('tenant_exists', `tenant ${id} exists already`);
  if (tenants.some((t) => t.did === did)) throw new TenantError('tenant_exists', `another tenant has the DID ${did}`);
  const entry: TenantEntry = { id, did, addedAt: new Date().toISOString() };
  if (!/^did:web:[a-z0-9.-]+(%3A[0-9]+)?(:[A-Za-z0-9._-]+)*$/i.test(did)) throw new TenantError('bad_tenant', 'the DID must be a did:web (host, optionally %3A<port> and :path segments)');
  const trust = options.nuts ? { trust: { mode: 'nuts', nuts: nutsOf(base, tenants, options.nuts) } } : {};
  mkdirSync(join(dir, 'generations'), { recursive: true });
  mkdirSync(join(dir, 'reports'), { recursive: true });
  if ((options.organisation || options.nuts) && !existsSync(join(dir, TENANT_FILE))) writeFileSync(join(dir, TENANT_FILE), toYaml({ ...(options.organisation ? { organisation: options.organisation } : {}), ...trust }));
  const config = configFor(base, entry);
  const { created } = await initIdentity(config);
  if (!existsSync(config.trust.trustList!)) {
    writeFileSync(config.trust.trustList!, readFileSync(options.trustList ?? join(packageRoot(), 'credentials', 'trust-list.example.yaml')));
    created.push(`trust list ${config.trust.trustList}`);
  }
  // The tenant's own admin token file, never the environment's shared one.
  adminToken(config, {});
  recordActivity(dir, { actor: options.actor, activity: 'tenant-added', tenant: id, did });
  writeRegistry(base.dataDir, [...tenants, entry]);
  return { entry, created };
}

/** A tenant's Nuts identity, checked before anything is written: whole over the deployment's, and no other tenant's DID. */
function nutsOf(base: Config, tenants: TenantEntry[], nuts: NonNullable<AddOptions['nuts']>): AddOptions['nuts'] {
  const own = { did: nuts.did, ...(nuts.subjectId ? { subjectId: nuts.subjectId } : {}) };
  const whole = nutsSchema.safeParse({ ...base.trust.nuts, ...own });
  if (!whole.success) throw new TenantError('bad_tenant', `its Nuts settings over the deployment's trust.nuts are not complete: ${whole.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  for (const t of tenants) {
    if ((nutsDidOf(base, t) ?? t.did) === nuts.did) throw new TenantError('tenant_exists', `tenant ${t.id} has the DID ${nuts.did}`);
  }
  return own;
}

export interface TenantSummary extends TenantEntry {
  /** In nuts mode: the node DID requests are addressed (and routed) to. */
  nutsDid?: string;
  generation?: string;
  openReleases: number;
}

export function listTenants(base: Config): TenantSummary[] {
  return readRegistry(base.dataDir).map((t) => {
    const dir = tenantDir(base.dataDir, t.id);
    const generation = currentGenerationId(dir);
    const nutsDid = nutsDidOf(base, t);
    return { ...t, ...(nutsDid ? { nutsDid } : {}), ...(generation ? { generation } : {}), openReleases: existsSync(dir) ? new ReleaseQueue(dir).open().length : 0 };
  });
}

function nutsDidOf(base: Config, entry: TenantEntry): string | undefined {
  try {
    const did = routingDid(configFor(base, entry), entry);
    return did === entry.did ? undefined : did;
  } catch {
    return undefined; // its tenant.yaml is invalid: `serve` says why
  }
}

export function removeTenant(base: Config, id: string, options: { force: boolean; actor: string; reason?: string }): Promise<{ movedTo: string }> {
  return withRegistryLock(base.dataDir, () => removeLocked(base, id, options));
}

function removeLocked(base: Config, id: string, options: { force: boolean; actor: string; reason?: string }): { movedTo: string } {
  const tenants = readRegistry(base.dataDir);
  const entry = tenants.find((t) => t.id === id);
  if (!entry) throw new TenantError('unknown_tenant', `no tenant ${tenantIdForText(id)} in ${registryPath(base.dataDir)}`);
  const dir = tenantDir(base.dataDir, id);
  const open = new ReleaseQueue(dir).open().length;
  // Answers waiting for the organisation (or for delivery) would be lost to the requesters.
  if (open > 0 && !options.force) throw new TenantError('tenant_busy', `tenant ${id} has ${open} answer(s) not yet released or delivered; decide them first, or remove with --force`);
  recordActivity(dir, { actor: options.actor, activity: 'tenant-removed', tenant: id, did: entry.did, open_releases: open, forced: options.force, ...(options.reason ? { reason: options.reason } : {}) });
  writeRegistry(base.dataDir, tenants.filter((t) => t.id !== id));
  const removed = join(base.dataDir, 'removed');
  mkdirSync(removed, { recursive: true });
  const movedTo = join(removed, `${id}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  renameSync(dir, movedTo);
  return { movedTo };
}

function tenantIdForText(id: string): string {
  return /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) ? id : '(invalid id)';
}
