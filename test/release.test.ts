// The release queue and its deliverer on their own: decisions logged before they take effect,
// intents of a killed decider settled by the log, the queue parsed only when a file changed,
// a sweep that hits EMFILE reported (not thrown into the timer); the CLI's audit verify on a
// data directory without a log.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, auditPath, exportAuditLog, recordActivity, type AuditEntry } from '../src/audit/index.js';
import { Deliverer, ReleaseQueue } from '../src/exchange/index.js';
import { tempDir, testConfig } from './helpers.js';

function queueWith(n: number): { dataDir: string; queue: ReleaseQueue; ids: string[] } {
  const dataDir = tempDir('ds-release-');
  const queue = new ReleaseQueue(dataDir);
  const ids = Array.from({ length: n }, (_, i) => `r${i}`);
  for (const [i, id] of ids.entries()) {
    queue.add({ id, thread_id: `t-${id}`, requester: 'did:example:r', reply_url: 'https://r.example/inbox', received: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), questions: [], preview: {} }, '{"resultset":[]}');
  }
  return { dataDir, queue, ids };
}

async function logged(dataDir: string): Promise<AuditEntry[]> {
  const all = [];
  for await (const e of exportAuditLog(auditPath(dataDir), {})) all.push(e);
  return all;
}

describe('release decisions', () => {
  it('logs the decision before it takes effect: an audit failure leaves the item pending', async () => {
    const { dataDir, queue } = queueWith(1);
    const log = AuditLog.for(dataDir);
    const real = log.io;
    log.io = { ...real, writeSync: () => { throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); } };
    await expect(queue.decide('r0', { decision: 'approved', by: 'cli:op' })).rejects.toMatchObject({ code: 'audit_unavailable' });
    log.io = real;
    expect(queue.get('r0')).toMatchObject({ state: 'pending' });
    expect(queue.get('r0').deciding).toBeUndefined();
    const item = await queue.decide('r0', { decision: 'approved', by: 'cli:op', claimed: 'j.jansen' });
    expect(item).toMatchObject({ state: 'approved', delivery: 'waiting', decidedBy: 'cli:op', decidedByClaim: 'j.jansen' });
    expect((await logged(dataDir)).map((e) => [e.activity, e.actor, e.claimed_by])).toEqual([['released', 'cli:op', 'j.jansen']]);
  });

  it('settles an intent a killed decider left: by its audit entry when there is one, back to pending when not', () => {
    const { dataDir, queue } = queueWith(2);
    const at = new Date(Date.now() - 60_000).toISOString();
    for (const id of ['r0', 'r1']) queue.save({ ...queue.get(id), deciding: { decision: 'rejected', by: 'cli:op', reason: 'no', at } });
    // r0's decider got as far as the log entry, r1's did not
    recordActivity(dataDir, { actor: 'cli:op', activity: 'release-rejected', thread_id: 't-r0', release: 'r0', reason: 'no' });
    expect(queue.recover().map((i) => [i.id, i.state])).toEqual([['r0', 'rejected'], ['r1', 'pending']]);
    expect(queue.get('r0')).toMatchObject({ state: 'rejected', delivery: 'waiting', decidedBy: 'cli:op', reason: 'no' });
    expect(queue.get('r1').deciding).toBeUndefined();
  });

  it('a rejection needs a reason; control characters are taken out of it', async () => {
    const { dataDir, queue } = queueWith(1);
    await expect(queue.decide('r0', { decision: 'rejected', by: 'cli:op' })).rejects.toMatchObject({ code: 'reason_required', status: 400 });
    await expect(queue.decide('r0', { decision: 'rejected', by: 'cli:op', reason: '\u0007\n ' })).rejects.toMatchObject({ code: 'reason_required' });
    expect(await queue.decide('r0', { decision: 'rejected', by: 'cli:op', reason: 'no\r\nthanks\u0000' })).toMatchObject({ state: 'rejected', reason: 'no thanks' });
    expect((await logged(dataDir)).map((e) => [e.activity, e.reason])).toEqual([['release-rejected', 'no thanks']]);
  });

  it('a fresh intent (a decider at work) is neither settled nor decided over', async () => {
    const { queue } = queueWith(1);
    queue.save({ ...queue.get('r0'), deciding: { decision: 'approved', by: 'cli:a', at: new Date().toISOString() } });
    expect(queue.recover()).toEqual([]);
    await expect(queue.decide('r0', { decision: 'rejected', by: 'cli:b' })).rejects.toMatchObject({ code: 'not_pending' });
  });
});

describe('release queue reads', () => {
  it('parses an item file only when it changed, not on every poll', async () => {
    const { dataDir, queue } = queueWith(30);
    const fresh = new ReleaseQueue(dataDir);
    fresh.open();
    expect(fresh.parses).toBe(30);
    for (let i = 0; i < 5; i++) fresh.open('pending');
    expect(fresh.parses).toBe(30);
    await queue.decide('r3', { decision: 'approved', by: 'cli:op' });
    expect(fresh.open('approved').map((i) => i.id)).toEqual(['r3']);
    expect(fresh.parses).toBe(31);
  });
});

describe('deliverer', () => {
  it('a sweep that hits EMFILE is reported and does not throw (the next sweep tries again)', () => {
    const { dataDir, queue } = queueWith(1);
    const reports: string[] = [];
    let calls = 0;
    const failing = Object.create(queue) as ReleaseQueue;
    failing.open = () => {
      calls++;
      throw Object.assign(new Error('EMFILE: too many open files, scandir'), { code: 'EMFILE' });
    };
    const deliverer = new Deliverer(testConfig(dataDir), failing, 'did:example:us', undefined, (m) => reports.push(m));
    expect(() => deliverer.sweep()).not.toThrow();
    expect(() => deliverer.sweep()).not.toThrow();
    expect(calls).toBe(2);
    expect(reports).toEqual(['release sweep failed (EMFILE); trying again at the next sweep', 'release sweep failed (EMFILE); trying again at the next sweep']);
  });
});

const cli = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'), '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...process.env, DATASTATION_CONFIG: '', USER: 'op' } });

describe('datastation release (CLI)', () => {
  it('correct --set changes a cell (logged with the CLI user), list shows the rule, refusals exit 2', () => {
    const dataDir = tempDir('ds-release-cli-');
    const queue = new ReleaseQueue(dataDir);
    const answer = JSON.stringify({ body: { resultset: [{ id: 'q', result: { head: { vars: ['k', 'n'] }, results: { bindings: [{ k: { type: 'literal', value: 'a:b=c' }, n: { type: 'literal', value: '3', datatype: 'http://www.w3.org/2001/XMLSchema#integer' } }] } } }] } });
    queue.add({ id: 'r0', thread_id: 't-r0', requester: 'did:example:r', reply_url: 'https://r.example/inbox', received: new Date().toISOString(), questions: [{ id: 'q', profile: 'p', version: '1', title: 't', parameters: {}, rows: 1, query: '', countColumns: ['n'] }], preview: {}, release: { mode: 'auto', rule: 2, held: 'small_cells' }, smallCellCheck: { minGroupSize: 5, policy: 'block' }, smallCells: [{ question: 'q', row: 0, column: 'n', value: '3' }] }, answer);

    const shown = cli(dataDir, 'release', 'show', 'r0');
    expect(shown.stdout).toMatch(/row {2}k {6}n\n-+ +-+ +-+\n0 {4}a:b=c {2}3 \*/);
    const listed = cli(dataDir, 'release', 'list');
    expect(listed.stdout).toMatch(/r0 {2}pending .*\[rule 2 \(auto\), held: small cells, 1 small cell\(s\)\]/);
    const blocked = cli(dataDir, 'release', 'approve', 'r0');
    expect([blocked.status, blocked.stderr]).toEqual([2, expect.stringMatching(/1 cell\(s\) counting fewer than 5: correct them first/) as unknown]);
    expect(cli(dataDir, 'release', 'correct', 'r0', '--set', 'q:0:n=seven', '--reason', 'typo').status).toBe(2);
    expect(cli(dataDir, 'release', 'correct', 'r0', '--set', 'q:0=7', '--reason', 'typo').status).toBe(2);
    expect(cli(dataDir, 'release', 'reject', 'r0').status).toBe(2);
    const corrected = cli(dataDir, 'release', 'correct', 'r0', '--set', 'q:0:n=7', '--set', 'q:0:k=x:y=z', '--reason', 'typo in the export');
    expect(corrected.status, corrected.stderr).toBe(0);
    expect(corrected.stdout).toContain('q row 0 n: 3 -> 7');
    expect(corrected.stdout).toContain('q row 0 k: a:b=c -> x:y=z');
    expect(queue.get('r0')).toMatchObject({ smallCells: [], corrections: [{ by: 'cli:op', reason: 'typo in the export' }] });
    expect(cli(dataDir, 'release', 'list').stdout).toContain('corrected 1x');
  }, 120_000);
});

describe('datastation audit verify', () => {
  it('on a data directory without a log says so and exits 2 (not "intact, 0 entries")', () => {
    const dataDir = tempDir('ds-no-log-');
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src', 'cli', 'main.ts'), '--data-dir', dataDir, 'audit', 'verify'], { encoding: 'utf8', env: { ...process.env, DATASTATION_CONFIG: '' } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no audit log at .*audit\.jsonl/);
    expect(run.stdout).not.toMatch(/intact/);
  });
});
