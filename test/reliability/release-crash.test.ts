// kill -9 at every step of a release decision (intent saved, audit entry half written, written
// but not fsynced, fsynced, decision saved, delivered): after the restart settles what the killed
// decider left, the decision and its audit entry agree — decided exactly when its entry is in the
// log, once — the log verifies, and deciding again completes with one entry in all.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, auditPath, findEntriesSync, verifyAuditLog } from '../../src/audit/index.js';
import { ReleaseQueue } from '../../src/exchange/index.js';
import { tempDir } from '../helpers.js';

const STEPS = ['after-intent', 'mid-audit-write', 'before-audit-fsync', 'after-audit-fsync', 'before-decision-saved', 'after-decision-saved', 'after-delivered'];

function run(dataDir: string, step: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'children', 'step-crash.ts'), dataDir, 'decide', step], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('kill -9 at every step of a release decision', () => {
  it('decision and audit entry agree after the restart', async () => {
    const dirs = STEPS.map((step) => {
      const dataDir = tempDir(`ds-release-crash-${step}-`);
      new ReleaseQueue(dataDir).add({ id: 'r1', thread_id: 't-r1', requester: 'did:example:r', reply_url: 'https://r.example/inbox', received: new Date().toISOString(), questions: [], preview: {} }, '{"resultset":[]}');
      return dataDir;
    });
    const exits = await Promise.all(STEPS.map((step, i) => run(dirs[i]!, step)));
    expect(exits.map((e) => e.signal)).toEqual(STEPS.map(() => 'SIGKILL'));

    const outcome: Record<string, string> = {};
    for (const [i, step] of STEPS.entries()) {
      const dataDir = dirs[i]!;
      // the restart: the server opens the log (cutting a torn last line) and its sweep settles
      // intents once they are stale
      AuditLog.for(dataDir);
      const queue = new ReleaseQueue(dataDir);
      queue.recover(0);
      const item = queue.get('r1');
      const entries = () => findEntriesSync(auditPath(dataDir), (e) => e.release === 'r1' && e.activity === 'released');
      expect(await verifyAuditLog(auditPath(dataDir)), step).toMatchObject({ ok: true });
      expect(item.deciding, step).toBeUndefined();
      expect(entries().length, step).toBe(item.state === 'pending' ? 0 : 1);
      outcome[step] = item.state;
      // deciding again (the operator retries) never makes a second entry
      if (item.state === 'pending') await queue.decide('r1', { decision: 'approved', by: 'crash-test' });
      expect(entries().length, step).toBe(1);
      expect(queue.get('r1').state, step).toBe('approved');
    }
    // a kill before the entry reached the file leaves the item pending; from the write on, it stands
    expect(outcome).toEqual({
      'after-intent': 'pending',
      'mid-audit-write': 'pending',
      'before-audit-fsync': 'approved',
      'after-audit-fsync': 'approved',
      'before-decision-saved': 'approved',
      'after-decision-saved': 'approved',
      'after-delivered': 'approved',
    });
  }, 90_000);
});
