// The tenant registry of a deployment directory: <deployment>/tenants.json names every care
// organisation served, and <deployment>/tenants/<id>/ is that organisation's data directory,
// laid out exactly like a single organisation's (identity, generations, profiles, audit, release
// queue, accounts). Written durably and atomically (temp file, fsync, rename): a crash leaves the
// previous registry.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { alive } from '../importer/lock.js';
import { readJsonFile, writeFileDurable } from '../store/index.js';

export const REGISTRY_FILE = 'tenants.json';

/** Lower-case letters, digits and hyphens: safe as a folder name, a URL segment and a metric label. */
export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const entrySchema = z.strictObject({
  id: z.string().regex(TENANT_ID),
  did: z.string().regex(/^did:web:[a-z0-9.-]+(%3A[0-9]+)?(:[A-Za-z0-9._-]+)*$/i),
  addedAt: z.string(),
});

const registrySchema = z.strictObject({ version: z.literal(1), tenants: z.array(entrySchema) });

export type TenantEntry = z.infer<typeof entrySchema>;

export class TenantError extends Error {
  constructor(
    readonly code: 'unknown_tenant' | 'tenant_exists' | 'bad_tenant' | 'not_a_deployment' | 'tenant_busy' | 'tenant_required',
    message: string,
  ) {
    super(message);
  }
}

export function registryPath(deploymentDir: string): string {
  return join(deploymentDir, REGISTRY_FILE);
}

/** A deployment directory holds a registry; a single organisation's data directory does not. */
export function isDeployment(dir: string): boolean {
  return existsSync(registryPath(dir));
}

export function tenantDir(deploymentDir: string, id: string): string {
  if (!TENANT_ID.test(id)) throw new TenantError('bad_tenant', 'a tenant id is 1 to 63 lower-case letters, digits or hyphens, starting with a letter or digit');
  return join(deploymentDir, 'tenants', id);
}

export function readRegistry(deploymentDir: string): TenantEntry[] {
  const file = registryPath(deploymentDir);
  const read = readJsonFile(file, registrySchema, (problem) =>
    problem.kind === 'bad_shape'
      ? new TenantError('not_a_deployment', `${file} is not a tenant registry: ${problem.issue ?? 'bad shape'}`)
      : new TenantError('not_a_deployment', `${file} is not JSON`),
  );
  if (!read) return [];
  const ids = new Set<string>();
  const dids = new Set<string>();
  for (const t of read.value.tenants) {
    // Routing by DID needs each DID (and each id) once.
    if (ids.has(t.id) || dids.has(t.did)) throw new TenantError('not_a_deployment', `${file} names tenant ${t.id} or DID ${t.did} twice`);
    ids.add(t.id);
    dids.add(t.did);
  }
  return read.value.tenants;
}

export function writeRegistry(deploymentDir: string, tenants: TenantEntry[]): void {
  writeFileDurable(registryPath(deploymentDir), `${JSON.stringify({ version: 1, tenants }, null, 2)}\n`, 0o600);
}

export function findTenant(deploymentDir: string, id: string): TenantEntry {
  const entry = readRegistry(deploymentDir).find((t) => t.id === id);
  if (!entry) throw new TenantError('unknown_tenant', `no tenant "${TENANT_ID.test(id) ? id : '(invalid id)'}" in ${registryPath(deploymentDir)}`);
  return entry;
}


/**
 * One change of the registry at a time (two `tenants add` at once would each write the list
 * without the other's tenant). A lock left by a killed process is taken over, as the import's is.
 */
export async function withRegistryLock<T>(deploymentDir: string, work: () => T | Promise<T>): Promise<T> {
  mkdirSync(deploymentDir, { recursive: true });
  const path = join(deploymentDir, 'tenants.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      try {
        return await work();
      } finally {
        rmSync(path, { force: true });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (holder && alive(holder)) throw new TenantError('tenant_busy', `another change of the tenants (pid ${holder}) is running on ${deploymentDir}`);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new TenantError('tenant_busy', `cannot take ${path}`);
}
