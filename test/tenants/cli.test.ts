// `datastation tenants add|list|remove` and `--tenant` as an operator runs them: a real process,
// real files and keys; refusals exit 2 with one sentence, every change is in the tenant's chain.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath, exportAuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { ReleaseQueue } from '../../src/exchange/index.js';
import { addTenant, readRegistry, removeTenant, TenantError } from '../../src/tenants/index.js';
import { CliError, describeCliError } from '../../src/cli/errors.js';
import { configForCommand } from '../../src/cli/tenant-commands.js';
import { initIdentity } from '../../src/trust/index.js';
import { tempDir, testConfig } from '../helpers.js';
import { cli } from './support.js';


describe('datastation tenants', () => {
  it('adds, lists and removes tenants; refuses what would mix or lose organisations (exit 2)', async () => {
    const dir = tempDir('ds-deploy-');
    const dep = ['--data-dir', dir];
    const added = await cli([...dep, 'tenants', 'add', 'zorg-a', '--name', 'Zorg A', '--kvk', '12345678', '--iri-base', 'https://a.example/id/']);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toContain('tenant zorg-a added: did:web:localhost%3A8443:tenants:zorg-a');
    expect((await cli([...dep, 'tenants', 'add', 'zorg-b', '--did', 'did:web:b.example'])).status).toBe(0);
    expect(readFileSync(join(dir, 'tenants', 'zorg-a', 'tenant.yaml'), 'utf8')).toContain('Zorg A');
    expect(readFileSync(join(dir, 'tenants', 'zorg-a', 'identity', 'admin-token'), 'utf8').trim()).not.toBe(readFileSync(join(dir, 'tenants', 'zorg-b', 'identity', 'admin-token'), 'utf8').trim());

    for (const [args, text] of [
      [['tenants', 'add', 'zorg-a'], 'exists already'],
      [['status'], 'pass --tenant <id>'],
    ] as const) {
      const r = await cli([...dep, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(text);
    }
    // the same refusals in-process (a process each is slow): one sentence, exit 2
    const base = testConfig(dir);
    for (const [work, text] of [
      [() => addTenant(base, 'zorg-c', { did: 'did:web:b.example', actor: 't' }), 'another tenant has the DID'],
      [() => addTenant(base, 'Zorg_C', { actor: 't' }), 'a tenant id is'],
      [() => addTenant(base, 'zorg-d', { did: 'did:key:z6Mkx', actor: 't' }), 'must be a did:web'],
      [async () => removeTenant(base, 'nobody', { force: false, actor: 't' }), 'no tenant nobody'],
      [async () => configForCommand(base, 'nobody', 'status'), 'no tenant "nobody"'],
      [async () => configForCommand(base, '../x', 'status'), 'no tenant "(invalid id)"'],
    ] as const) {
      const error = await (work as () => Promise<unknown>)().then(() => undefined, (e: unknown) => e);
      const described = describeCliError(error instanceof TenantError ? new CliError(error.message) : error);
      expect(described.exitCode, text).toBe(2);
      expect(described.message).toContain(text);
    }
    expect(readRegistry(dir).map((t) => t.id)).toEqual(['zorg-a', 'zorg-b']);
    expect(existsSync(join(dir, 'tenants', 'zorg-d'))).toBe(false);
    // --tenant points every organisation command at the tenant's own data directory
    const status = await cli([...dep, '--tenant', 'zorg-a', 'status']);
    expect(status.status).toBe(2);
    expect(status.stderr).toContain(join(dir, 'tenants', 'zorg-a'));

    const list = await cli([...dep, 'tenants', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { id: string; openReleases: number }[]).map((t) => [t.id, t.openReleases])).toEqual([['zorg-a', 0], ['zorg-b', 0]]);

    // an answer waiting for the organisation: remove refuses without --force
    new ReleaseQueue(join(dir, 'tenants', 'zorg-a')).add(
      { id: 'r-1', thread_id: 't-1', requester: 'did:key:z6Mkx', reply_url: 'https://x.example/in', received: new Date().toISOString(), questions: [], preview: {} },
      '{}',
    );
    const busy = await cli([...dep, 'tenants', 'remove', 'zorg-a']);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toContain('1 answer(s) not yet released or delivered');
    expect(readRegistry(dir).map((t) => t.id)).toEqual(['zorg-a', 'zorg-b']);
    const removed = await cli([...dep, 'tenants', 'remove', 'zorg-a', '--force', '--reason', 'contract ended']);
    expect(removed.status).toBe(0);
    expect(readRegistry(dir).map((t) => t.id)).toEqual(['zorg-b']);
    expect(existsSync(join(dir, 'tenants', 'zorg-a'))).toBe(false);
    // kept, never deleted: its audit chain verifies and tells the story
    const [kept] = readdirSync(join(dir, 'removed'));
    const keptDir = join(dir, 'removed', kept!);
    expect((await verifyAuditLog(auditPath(keptDir))).ok).toBe(true);
    const activities = [];
    for await (const e of exportAuditLog(auditPath(keptDir), {})) activities.push([e.activity, (e as { tenant?: string }).tenant]);
    expect(activities).toEqual([['tenant-added', 'zorg-a'], ['tenant-removed', 'zorg-a']]);
    expect(existsSync(join(keptDir, 'release', 'r-1.json'))).toBe(true);
    // B's chain has only B's entry
    const b = [];
    for await (const e of exportAuditLog(auditPath(join(dir, 'tenants', 'zorg-b')), {})) b.push(e.activity);
    expect(b).toEqual(['tenant-added']);
  }, 240_000);

  it('never turns one organisation\'s data directory into a deployment', async () => {
    const config = testConfig();
    await initIdentity(config, {});
    const r = await cli(['--data-dir', config.dataDir, 'tenants', 'add', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is one organisation's data directory");
    expect(existsSync(join(config.dataDir, 'tenants.json'))).toBe(false);
    const t = await cli(['--data-dir', config.dataDir, '--tenant', 'x', 'status']);
    expect(t.status).toBe(2);
    expect(t.stderr).toContain('--tenant needs a deployment directory');
  }, 60_000);
});
