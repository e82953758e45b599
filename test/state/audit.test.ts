// The audit log in PostgreSQL: the same chain as the file (verify and export unchanged), the
// insert-only app role, and one chain per tenant.
import { describe, expect, it } from 'vitest';
import { exportAuditLines, recordActivity, recordActivityAsync, verifyAuditLines } from '../../src/audit/index.js';
import { AuditWriteError } from '../../src/audit/index.js';
import { migrate, openState } from '../../src/state/index.js';
import { ADMIN_URL, APP_URL, connect, schemaForSuite, pgConfig, skipReason } from './support.js';

const skip = skipReason();
if (skip) console.warn(`test/state/audit.test.ts skipped: ${skip}`);

describe.skipIf(!!skip)('audit log in PostgreSQL', () => {
  const fresh = schemaForSuite();

  it('appends sync and async entries into one chain that verifies and exports', async () => {
    const config = pgConfig(fresh.state);
    const state = openState(config)!;
    const first = recordActivity(config.dataDir, { actor: 'test', activity: 'sync-one' });
    expect(first.seq).toBe(1);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => recordActivityAsync(config.dataDir, { actor: 'test', activity: 'async', thread_id: `t${i}` })));
    expect(many.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    expect(state.audit.durableHead()).toEqual({ seq: 51, hash: many.at(-1)!.hash });
    const verified = await verifyAuditLines(state.audit.lines());
    expect(verified).toMatchObject({ ok: true, entries: 51, head: { seq: 51 } });
    const exported = [];
    for await (const e of exportAuditLines(state.audit.lines(), { thread: 't7' })) exported.push(e);
    expect(exported.map((e) => e.activity)).toEqual(['async']);
    // an entry too large is refused alone, and one that depends on it is refused with it
    const big = recordActivityAsync(config.dataDir, { actor: 'test', activity: 'big', blob: 'x'.repeat(400_000), list: Array.from({ length: 50_000 }, (_, i) => i) });
    const after = recordActivityAsync(config.dataDir, { actor: 'test', activity: 'after-big' }, [big]);
    const fine = recordActivityAsync(config.dataDir, { actor: 'test', activity: 'independent' });
    await expect(big).resolves.toMatchObject({ activity: 'big' });
    await expect(after).resolves.toMatchObject({ activity: 'after-big' });
    await expect(fine).resolves.toMatchObject({ activity: 'independent' });
    expect(await verifyAuditLines(state.audit.lines())).toMatchObject({ ok: true, entries: 54 });
    await state.close();
  });

  it('the app role may add and read entries, never change, delete or truncate them', async () => {
    const c = await connect(APP_URL!, fresh.schema);
    try {
      await c.query("INSERT INTO release_answers (name, body) VALUES ('x', 'y')"); // other tables: full use
      const count = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM audit_entries')).rows[0]!.n);
      expect(count).toBeGreaterThan(0);
      for (const sql of ["UPDATE audit_entries SET activity = 'forged' WHERE seq = 1", 'DELETE FROM audit_entries WHERE seq = 1', 'TRUNCATE audit_entries']) {
        await expect(c.query(sql), sql).rejects.toMatchObject({ code: '42501' });
      }
      expect(Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM audit_entries')).rows[0]!.n)).toBe(count);
    } finally {
      await c.end();
    }
  });

  it('keeps one chain per tenant', async () => {
    const a = pgConfig({ ...fresh.state, tenant: 'tenant-a' });
    const b = pgConfig({ ...fresh.state, tenant: 'tenant-b' });
    const sa = openState(a)!;
    const sb = openState(b)!;
    recordActivity(a.dataDir, { actor: 'a', activity: 'x' });
    recordActivity(b.dataDir, { actor: 'b', activity: 'x' });
    const second = recordActivity(a.dataDir, { actor: 'a', activity: 'y' });
    expect(second.seq).toBe(2);
    expect(await verifyAuditLines(sa.audit.lines())).toMatchObject({ ok: true, entries: 2 });
    expect(await verifyAuditLines(sb.audit.lines())).toMatchObject({ ok: true, entries: 1 });
    await Promise.all([sa.close(), sb.close()]);
  });

  it('migrations are idempotent', async () => {
    expect(await migrate(ADMIN_URL!, { url: APP_URL!, schema: fresh.schema, appRole: 'kikv_app' })).toEqual([]);
  });

  it('an unreachable database: /ready says why, an append is an audit failure, nothing hangs', async () => {
    const url = new URL(APP_URL!);
    url.port = '1'; // nothing listens there on loopback
    const config = pgConfig({ ...fresh.state, url: url.href, statementTimeoutMs: 1000 });
    const state = openState(config)!;
    try {
      expect(await state.audit.problem()).toBe('the audit log in PostgreSQL is unreachable');
      expect(() => recordActivity(config.dataDir, { actor: 'test', activity: 'lost' })).toThrow(AuditWriteError);
      await expect(recordActivityAsync(config.dataDir, { actor: 'test', activity: 'lost' })).rejects.toThrow(AuditWriteError);
    } finally {
      await state.close();
    }
  });
});
