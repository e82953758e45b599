// A deployment with its state in PostgreSQL: the refusals its front makes go to the audit chain
// of the reserved tenant `_deployment` in the database (none to a file), apart from every
// tenant's; `audit verify --deployment` reads and verifies that chain, and an edited row exits 2.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { auditPath } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { addTenant, DEPLOYMENT_TENANT, startDeployment } from '../../src/tenants/index.js';
import { tempDir, testConfig } from '../helpers.js';
import { ADMIN_URL, connect, schemaForSuite, requireUrls, skipReason } from './support.js';
import { cli } from '../tenants/support.js';

const skip = skipReason();
if (skip) console.warn(`test/state/deployment-audit: skipped: ${skip}`);

describe.skipIf(!!skip)("a deployment's own audit chain in PostgreSQL", () => {
  const fresh = schemaForSuite();

  it('is the _deployment chain, verified by audit verify --deployment; an edited row exits 2', async () => {
    const dir = join(tempDir('ds-pg-deploy-'), 'deployment');
    const overrides = { 'server.port': 0, 'admin.port': 0, 'query.workers': 1, state: fresh.state };
    const base = testConfig(dir, overrides);
    await addTenant(base, 'a', { actor: 'test' });
    const d = await startDeployment(base, { profileRoots: () => [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    try {
      const { base: url } = await d.listen();
      for (const path of ['/tenants/nobody/did.json', '/nowhere']) expect((await fetch(`${url}${path}`)).status).toBe(404);
    } finally {
      await d.close();
    }
    expect(existsSync(auditPath(dir))).toBe(false);
    const db = await connect(requireUrls().app, fresh.schema);
    try {
      const rows = (await db.query<{ tenant: string; line: string }>('SELECT tenant, line FROM audit_entries ORDER BY tenant, seq')).rows;
      const own = rows.filter((r) => r.tenant === DEPLOYMENT_TENANT).map((r) => JSON.parse(r.line) as { code: string; activity: string });
      expect(own.map((e) => [e.activity, e.code])).toEqual([['request-refused', 'unknown_tenant'], ['request-refused', 'not_found']]);
      // the tenant's chain holds only its own entries
      expect(rows.filter((r) => r.tenant === 'a').every((r) => !r.line.includes('request-refused'))).toBe(true);
    } finally {
      await db.end();
    }

    // the CLI reads the same configuration (state in PostgreSQL) from a file
    const file = join(dir, '..', 'datastation.yaml');
    writeFileSync(file, stringify({ dataDir: dir, state: fresh.state }));
    const intact = await cli(['--config', file, 'audit', 'verify', '--deployment']);
    expect(intact.stderr).toBe('');
    expect(intact).toMatchObject({ status: 0, stdout: expect.stringContaining('audit log intact: 2 entries') as unknown });

    // the owner can still edit a row (the app role cannot): verify finds it
    const owner = await connect(ADMIN_URL!, fresh.schema);
    try {
      await owner.query('ALTER TABLE audit_entries DISABLE TRIGGER USER');
      await owner.query(`UPDATE audit_entries SET line = replace(line, '"not_found"', '"rate_limited"') WHERE tenant = $1 AND seq = 2`, [DEPLOYMENT_TENANT]);
      await owner.query('ALTER TABLE audit_entries ENABLE TRIGGER USER');
    } finally {
      await owner.end();
    }
    const broken = await cli(['--config', file, 'audit', 'verify', '--deployment']);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain('BROKEN at line 2');
  }, 120_000);
});
