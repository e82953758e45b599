// The registry file: one change at a time (a live holder refuses, a dead one is taken over), and a
// registry that names a tenant or a DID twice is refused rather than routed ambiguously.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addTenant, readRegistry, registryPath } from '../../src/tenants/index.js';
import { tempDir, testConfig } from '../helpers.js';

const codeOf = (p: Promise<unknown>) => p.then(() => 'done', (e: { code?: string }) => e.code ?? 'uncoded');

describe('the tenant registry', () => {
  it('refuses a change while another live process holds the lock, and takes over a dead one', async () => {
    const base = testConfig(tempDir('ds-registry-'));
    writeFileSync(join(base.dataDir, 'tenants.lock'), String(process.ppid));
    expect(await codeOf(addTenant(base, 'a', { actor: 't' }))).toBe('tenant_busy');
    expect(existsSync(join(base.dataDir, 'tenants', 'a'))).toBe(false);
    writeFileSync(join(base.dataDir, 'tenants.lock'), '2147483646'); // no such process
    expect(await codeOf(addTenant(base, 'a', { actor: 't' }))).toBe('done');
    expect(existsSync(join(base.dataDir, 'tenants.lock'))).toBe(false);
    expect(readRegistry(base.dataDir).map((t) => t.id)).toEqual(['a']);
    // written whole, mode 0600, no temp file left
    expect(JSON.parse(readFileSync(registryPath(base.dataDir), 'utf8'))).toMatchObject({ version: 1, tenants: [{ id: 'a' }] });
  }, 60_000);

  it('refuses a registry naming one DID twice, or one that is not a registry', () => {
    const dir = tempDir('ds-registry-');
    const t = (id: string, did: string) => ({ id, did, addedAt: '2026-01-01T00:00:00Z' });
    writeFileSync(registryPath(dir), JSON.stringify({ version: 1, tenants: [t('a', 'did:web:h:tenants:a'), t('b', 'did:web:h:tenants:a')] }));
    expect(() => readRegistry(dir)).toThrow(/twice/);
    writeFileSync(registryPath(dir), JSON.stringify({ version: 1, tenants: [t('../x', 'did:web:h')] }));
    expect(() => readRegistry(dir)).toThrow(/not a tenant registry/);
    writeFileSync(registryPath(dir), '{');
    expect(() => readRegistry(dir)).toThrow(/not JSON/);
  });
});
