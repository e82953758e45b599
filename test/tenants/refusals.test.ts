// The deployment's refusal log on its own: per client address and minute the first N refusals
// are entries, the rest one summary per address when the minute is over; the map of addresses is
// bounded, so a flood from many addresses grows the log by a bounded amount too.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditPath, exportAuditLog, verifyAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { postgresStateConfig } from '../../src/config/state.js';
import { RefusalLog, TENANT_ID } from '../../src/tenants/index.js';
import { tempDir } from '../helpers.js';

async function entries(dir: string): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const e of exportAuditLog(auditPath(dir), {})) all.push(e);
  return all;
}

const refusal = (client: string, code = 'unknown_tenant') => ({ code, status: 404, route: '/tenants/*', listener: 'requester' as const, client });

describe('the deployment refusal log', () => {
  it('logs the first N refusals of an address in a minute, then one summary of the rest', async () => {
    const dir = tempDir('ds-refusals-');
    let clock = Date.UTC(2026, 0, 1, 12, 0, 5);
    const log = new RefusalLog(dir, { perAddressPerMinute: 3, maxAddresses: 100 }, () => clock);
    for (let i = 0; i < 500; i++) expect(await log.record(refusal('192.0.2.7', i % 2 ? 'unknown_tenant' : 'not_found'))).toBe(true);
    expect((await entries(dir)).length).toBe(3);
    clock += 60_000;
    await log.record(refusal('192.0.2.7'));
    await log.close();
    const all = await entries(dir);
    expect(all.map((e) => e.activity)).toEqual(['request-refused', 'request-refused', 'request-refused', 'requests-refused-summary', 'request-refused']);
    expect(all[3]).toMatchObject({ actor: 'unknown', client: '192.0.2.7', minute: '2026-01-01T12:00:00.000Z', refused: 497, codes: { unknown_tenant: 249, not_found: 248 } });
    expect((await verifyAuditLog(auditPath(dir))).ok).toBe(true);
  });

  it('tells at most maxAddresses addresses apart in a minute: a flood from many addresses stays bounded', async () => {
    const dir = tempDir('ds-refusals-');
    let clock = Date.UTC(2026, 0, 1, 12, 0, 5);
    const log = new RefusalLog(dir, { perAddressPerMinute: 2, maxAddresses: 10 }, () => clock);
    for (let i = 0; i < 2000; i++) await log.record(refusal(`10.0.${i >> 8}.${i & 255}`));
    // the first 10 addresses get their entry; the 1990 others share the "other" bucket's summary
    expect((await entries(dir)).length).toBe(10);
    clock += 60_000;
    await log.close();
    const summaries = (await entries(dir)).filter((e) => e.activity === 'requests-refused-summary');
    expect(summaries).toEqual([expect.objectContaining({ client: 'other', refused: 1990 })]);
  });

  it('keeps no client text that is not an address, and no tenant can be named _deployment', async () => {
    const dir = tempDir('ds-refusals-');
    const log = new RefusalLog(dir, { perAddressPerMinute: 3, maxAddresses: 10 });
    await log.record({ ...refusal('MARK<script>'), to: ['did:web:MARK.example'] });
    await log.close();
    const [entry] = await entries(dir);
    expect(entry).toMatchObject({ client: 'unknown', to_count: 1 });
    expect(JSON.stringify(entry)).not.toContain('MARK');
    expect(TENANT_ID.test('_deployment')).toBe(false);
    expect(() => postgresStateConfig.parse({ kind: 'postgres', url: 'postgres://x@localhost/db', tenant: '_deployment' })).toThrow(/reserved/);
  });

  it('says false when a refusal it must log cannot be written', async () => {
    if (!existsSync('/dev/full')) return;
    const dir = tempDir('ds-refusals-');
    mkdirSync(`${dir}/audit`, { recursive: true });
    symlinkSync('/dev/full', auditPath(dir));
    const log = new RefusalLog(dir, { perAddressPerMinute: 1, maxAddresses: 10 });
    expect(await log.record(refusal('192.0.2.1'))).toBe(false);
    // rationed away: counted, nothing to write
    expect(await log.record(refusal('192.0.2.1'))).toBe(true);
    await log.close();
  });
});
