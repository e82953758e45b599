// Crash safety with real processes and kill -9: during audit writes (two writers on one chain)
// and during manual-release state changes. After each kill the audit chain verifies, every entry
// a writer had acknowledged (fsynced) is still there, and the release queue holds every item,
// readable, in a consistent state. kill -9 during an import is in test/store.test.ts.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath, findEntriesSync, recordActivity, verifyAuditLog } from '../../src/audit/index.js';
import { ReleaseQueue } from '../../src/exchange/index.js';
import { scriptChild, tempDir } from '../helpers.js';

const child = (script: string, args: string[]) => scriptChild(join(import.meta.dirname, 'children', script), args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (proc: ChildProcess) => (proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', r)));
/** Wait until the child has printed something (tsx start-up takes a while), then a random moment more. */
async function killSoon(c: { proc: ChildProcess; lines: string[] }, maxMs: number): Promise<void> {
  while (c.lines.length === 0 && c.proc.exitCode === null) await sleep(10);
  await sleep(Math.random() * maxMs);
  c.proc.kill('SIGKILL');
  await exited(c.proc);
}

describe('kill -9', () => {
  it('during audit writes by two processes: the chain verifies and no acknowledged entry is lost', async () => {
    const dataDir = tempDir('ds-crash-audit-');
    let acknowledged = 0;
    for (let round = 0; round < 5; round++) {
      const a = child('audit-writer.ts', [dataDir, `a${round}`]);
      const b = child('audit-writer.ts', [dataDir, `b${round}`]);
      await killSoon(a, 300); // b goes on writing after a died, possibly holding the lock
      await killSoon(b, 300);
      acknowledged = Math.max(acknowledged, ...[...a.lines, ...b.lines].map(Number));
      // The next writer cuts a torn last line and appends after the last whole entry.
      const started = Date.now();
      const next = recordActivity(dataDir, { actor: 'test', activity: 'after-kill' });
      const waited = Date.now() - started;
      expect(next.seq).toBeGreaterThan(acknowledged);
      const verified = await verifyAuditLog(auditPath(dataDir));
      expect(verified, `round ${round}`).toMatchObject({ ok: true });
      expect(verified.entries).toBe(next.seq);
      // A lock left by a killed writer is recognised at once (its process is gone), not after the
      // 10 s staleness limit. Only the append is timed: the children's start-up on a loaded CI
      // machine once took the whole round past 8 s.
      expect(waited).toBeLessThan(8_000);
    }
    expect(existsSync(`${auditPath(dataDir)}.lock`)).toBe(false);
  }, 90_000);

  it('during manual-release decisions and deliveries: every item survives, readable and consistent', async () => {
    const dataDir = tempDir('ds-crash-release-');
    const queue = new ReleaseQueue(dataDir);
    const ids = Array.from({ length: 40 }, (_, i) => `r${String(i).padStart(3, '0')}-${randomUUID()}`);
    for (const [i, id] of ids.entries()) {
      const answer = JSON.stringify({ resultset: [{ id: 'demo', result: { rows: 'y'.repeat(50_000) } }] });
      queue.add({ id, thread_id: `t-${id}`, requester: 'did:example:r', reply_url: 'https://r.example/inbox', received: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), questions: [], preview: {} }, answer);
    }
    let kills = 0;
    for (;;) {
      const c = child('release-decider.ts', [dataDir]);
      // The first run is killed as soon as it has decided one item (39 are left, so the kill
      // lands mid-work however fast the machine); later ones at a random moment.
      await Promise.race([killSoon(c, kills === 0 ? 0 : 150).then(() => kills++), exited(c.proc)]);
      await exited(c.proc);
      // After every kill: all items, each a whole JSON file, done ones only in done/ (or in both
      // when the kill fell between writing done/ and removing the open copy: done/ wins).
      queue.recover(0); // as the restarted server's sweep does with a killed decider's intent
      const items = queue.list();
      expect(items.map((i) => i.id).sort()).toEqual(ids);
      for (const item of items) expect(['pending', 'approved']).toContain(item.state);
      // decision and audit entry agree: decided exactly when its `released` entry is in the log, once
      const released = new Map<string, number>();
      for (const e of findEntriesSync(auditPath(dataDir), (e) => e.activity === 'released')) released.set(e.release as string, (released.get(e.release as string) ?? 0) + 1);
      for (const item of items) expect(released.get(item.id) ?? 0, item.id).toBe(item.state === 'approved' ? 1 : 0);
      for (const item of queue.open()) expect(item.delivery).not.toBe('delivered');
      expect((await verifyAuditLog(auditPath(dataDir))).ok).toBe(true);
      if (c.proc.exitCode === 0) break;
      expect(kills).toBeLessThan(200);
    }
    expect(queue.open()).toEqual([]);
    expect(queue.list().every((i) => i.state === 'approved' && i.delivery === 'delivered')).toBe(true);
    expect(readdirSync(join(dataDir, 'release', 'done')).filter((f) => f.endsWith('.json'))).toHaveLength(ids.length);
    expect(kills).toBeGreaterThan(0);
  }, 120_000);
});
