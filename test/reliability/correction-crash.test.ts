// kill -9 at every step of a correction (intent saved, audit entry half written, written but not
// fsynced, fsynced, correction saved): after the restart settles what the killed corrector left,
// the correction stands exactly when its audit entry is in the log, the original answer is
// untouched, the current answer is the corrected one only then, and the log verifies.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, auditPath, findEntriesSync, verifyAuditLog } from '../../src/audit/index.js';
import { answerTables, ReleaseQueue } from '../../src/exchange/index.js';
import { tempDir } from '../helpers.js';

const STEPS = ['after-intent', 'mid-audit-write', 'before-audit-fsync', 'after-audit-fsync', 'before-correction-saved', 'after-correction-saved'];
const ANSWER = JSON.stringify({ body: { resultset: [{ id: 'q', result: { head: { vars: ['n'] }, results: { bindings: [{ n: { type: 'literal', value: '3', datatype: 'http://www.w3.org/2001/XMLSchema#integer' } }] } } }] } });

function run(dataDir: string, step: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'children', 'step-crash.ts'), dataDir, 'correct', step], { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('kill -9 at every step of a correction', () => {
  it('the correction stands exactly when it is logged; the original is kept', async () => {
    const dirs = STEPS.map((step) => {
      const dataDir = tempDir(`ds-correction-crash-${step}-`);
      const queue = new ReleaseQueue(dataDir);
      queue.add({ id: 'r1', thread_id: 't-r1', requester: 'did:example:r', reply_url: 'https://r.example/inbox', received: new Date().toISOString(), questions: [{ id: 'q', profile: 'p', version: '1', title: 't', parameters: {}, rows: 1, query: '', countColumns: ['n'] }], preview: {}, smallCellCheck: { minGroupSize: 5, policy: 'block' }, smallCells: [{ question: 'q', row: 0, column: 'n', value: '3' }] }, ANSWER);
      return dataDir;
    });
    const exits = await Promise.all(STEPS.map((step, i) => run(dirs[i]!, step)));
    expect(exits.map((e) => e.signal)).toEqual(STEPS.map(() => 'SIGKILL'));

    const outcome: Record<string, number> = {};
    for (const [i, step] of STEPS.entries()) {
      const dataDir = dirs[i]!;
      AuditLog.for(dataDir); // the restart opens the log (cutting a torn last line) ...
      const queue = new ReleaseQueue(dataDir);
      queue.recover(0); // ... and its sweep settles stale intents
      const item = queue.get('r1');
      const logged = () => findEntriesSync(auditPath(dataDir), (e) => e.release === 'r1' && e.activity === 'release-corrected');
      expect(await verifyAuditLog(auditPath(dataDir)), step).toMatchObject({ ok: true });
      expect(item.correcting, step).toBeUndefined();
      const corrections = item.corrections?.length ?? 0;
      expect(logged().map((e) => e.correction), step).toEqual((item.corrections ?? []).map((c) => c.id));
      expect(readFileSync(item.originalFile ?? item.answerFile, 'utf8'), step).toBe(ANSWER);
      expect(answerTables(queue.answer(item)).get('q')!.rows[0]!.n!.value, step).toBe(corrections ? '7' : '3');
      expect(item.smallCells, step).toEqual(corrections ? [] : [{ question: 'q', row: 0, column: 'n', value: '3' }]);
      outcome[step] = corrections;
      // the operator corrects again: it stacks, one more entry
      const again = await queue.correct('r1', { by: 'crash-test', reason: 'again', changes: [{ question: 'q', row: 0, column: 'n', value: '8' }] });
      expect(again.corrections!.length, step).toBe(corrections + 1);
      expect(logged().length, step).toBe(corrections + 1);
      expect(readFileSync(again.originalFile!, 'utf8'), step).toBe(ANSWER);
    }
    // a kill before the entry reached the file drops the correction; from the write on, it stands
    expect(outcome).toEqual({ 'after-intent': 0, 'mid-audit-write': 0, 'before-audit-fsync': 1, 'after-audit-fsync': 1, 'before-correction-saved': 1, 'after-correction-saved': 1 });
  }, 90_000);
});
