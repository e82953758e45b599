// Several datastation processes sharing one PostgreSQL (issue 17), each with a data folder of its
// own, so that only the database is shared: concurrent appends form one chain that verifies;
// kill -9 mid-appends loses no acknowledged entry; a release queued on one is decided on the
// other (and only once when both try); a used message id or challenge is refused on the other;
// a token and a session made on one are honoured, and ended, on the other.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAuditLines } from '../../src/audit/index.js';
import { openState, releaseQueue } from '../../src/state/index.js';
import { scriptChild, tempDir } from '../helpers.js';
import { schemaForSuite, pgConfig, skipReason } from './support.js';

const skip = skipReason();
if (skip) console.warn(`test/state/processes.test.ts skipped: ${skip}`);

type Child = ReturnType<typeof scriptChild>;

function child(job: string, state: Record<string, unknown>, args: string[], dataDir = tempDir('ds-pg-proc-')): Child {
  return scriptChild(join(import.meta.dirname, 'children', 'actor.ts'), [job, JSON.stringify(state), dataDir, ...args]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!!skip)('two processes, one PostgreSQL', () => {
  const fresh = schemaForSuite();

  it('concurrent appends from two processes form one chain that verifies; kill -9 loses no acknowledged entry', async () => {
    const state = { ...fresh.state, tenant: 'appends' };
    const a = child('append', state, ['proc-a', '120']);
    const b = child('append', state, ['proc-b', '120']);
    expect(await a.done).toBe(0);
    expect(await b.done).toBe(0);
    const acknowledged = new Map<number, string>();
    for (const line of [...a.lines, ...b.lines]) {
      const [seq, thread] = line.split(' ');
      expect(acknowledged.has(Number(seq)), `seq ${seq} handed out twice`).toBe(false);
      acknowledged.set(Number(seq), thread!);
    }
    expect(acknowledged.size).toBe(240);

    // kill -9 while both append; the survivor and a later writer go on from the real head
    for (let round = 0; round < 3; round++) {
      const x = child('append', state, [`kill-x${round}`, '0']);
      const y = child('append', state, [`kill-y${round}`, '400']);
      while (x.lines.length < 5 && x.proc.exitCode === null) await sleep(10);
      await sleep(Math.random() * 200);
      x.proc.kill('SIGKILL');
      await x.done;
      expect(await y.done).toBe(0);
      for (const line of [...x.lines, ...y.lines]) {
        const [seq, thread] = line.split(' ');
        acknowledged.set(Number(seq), thread!);
      }
    }

    const config = pgConfig(state);
    const shared = openState(config)!;
    try {
      const verified = await verifyAuditLines(shared.audit.lines());
      expect(verified).toMatchObject({ ok: true });
      const stored = new Map<number, string>();
      for await (const [, line] of shared.audit.lines()) {
        const e = JSON.parse(line) as { seq: number; thread_id: string };
        stored.set(e.seq, e.thread_id);
      }
      // every acknowledged entry is there, at the seq its writer was told, with its content
      for (const [seq, thread] of acknowledged) expect(stored.get(seq), `acknowledged entry ${seq}`).toBe(thread);
      expect(verified.entries).toBe(stored.size);
      expect(verified.entries).toBeGreaterThanOrEqual(acknowledged.size);
    } finally {
      await shared.close();
    }
  }, 180_000);

  it('a release queued on one process is decided on the other, and only once when both decide', async () => {
    const state = { ...fresh.state, tenant: 'release' };
    const q = child('queue', state, ['r-1']);
    expect(await q.done).toBe(0);
    expect(q.lines).toEqual(['queued r-1']);
    const d = child('decide', state, ['r-1', 'approve']);
    expect(await d.done).toBe(0);
    expect(d.lines).toEqual(['decided approved {"answer":"r-1"}']);

    const q2 = child('queue', state, ['r-2']);
    expect(await q2.done).toBe(0);
    const [first, second] = [child('decide', state, ['r-2', 'approve']), child('decide', state, ['r-2', 'reject'])];
    await Promise.all([first.done, second.done]);
    const outcomes = [...first.lines, ...second.lines].sort();
    expect(outcomes).toHaveLength(2);
    expect(outcomes.filter((l) => l.startsWith('decided'))).toHaveLength(1);
    expect(outcomes.filter((l) => l === 'refused not_pending')).toHaveLength(1);

    const config = pgConfig(state);
    const shared = openState(config)!;
    try {
      const queue = releaseQueue(config);
      expect(queue.get('r-1')).toMatchObject({ state: 'approved', delivery: 'waiting' });
      const r2 = queue.get('r-2');
      expect(r2.deciding).toBeUndefined();
      const decisions = shared.audit.find((e) => e.activity === 'released' || e.activity === 'release-rejected', { releases: ['r-1', 'r-2'] });
      expect(decisions.map((e) => e.release).sort()).toEqual(['r-1', 'r-2']);
      expect(decisions.find((e) => e.release === 'r-2')!.activity).toBe(r2.state === 'approved' ? 'released' : 'release-rejected');
      expect(await verifyAuditLines(shared.audit.lines())).toMatchObject({ ok: true, entries: 4 });
    } finally {
      await shared.close();
    }
  }, 120_000);

  it('a decider killed mid-decision: the intent is settled by the chain in PostgreSQL, on another process', async () => {
    const state = { ...fresh.state, tenant: 'release-kill' };
    const config = pgConfig(state);
    const shared = openState(config)!;
    try {
      for (const [id, step, expected] of [['k-1', 'after-intent', 'pending'], ['k-2', 'after-audit', 'approved']] as const) {
        const q = child('queue', state, [id]);
        expect(await q.done).toBe(0);
        const killed = child('decide-die', state, [id, step]);
        await killed.done;
        expect(killed.proc.signalCode).toBe('SIGKILL');
        expect(killed.lines).toEqual(['intent']);
        const queue = releaseQueue(config);
        expect(queue.get(id).deciding).toBeDefined();
        // an intent younger than the stale age is someone deciding right now: refused, not taken over
        await expect(queue.decide(id, { decision: 'rejected', by: 'other', reason: 'r' })).rejects.toMatchObject({ code: 'not_pending' });
        const [settled] = queue.recover(0);
        expect(settled, `${id} ${step}`).toMatchObject({ id, state: expected });
        expect(queue.get(id).deciding).toBeUndefined();
        const logged = shared.audit.find((e) => e.activity === 'released', { releases: [id] });
        expect(logged).toHaveLength(expected === 'approved' ? 1 : 0);
      }
      expect(await verifyAuditLines(shared.audit.lines())).toMatchObject({ ok: true });
    } finally {
      await shared.close();
    }
  }, 120_000);

  it('a message id or challenge used on one process is refused on the other', async () => {
    const state = { ...fresh.state, tenant: 'replay' };
    const now = String(Math.floor(Date.now() / 1000));
    const a = child('replay', state, [now, 'm1', 'm2']);
    expect(await a.done).toBe(0);
    expect(a.lines).toEqual(['m1 used used', 'm2 used used']);
    const b = child('replay', state, [now, 'm2', 'm3']);
    expect(await b.done).toBe(0);
    expect(b.lines).toEqual(['m2 refused refused', 'm3 used used']);
    // at the same time: each id is used by exactly one of them
    const ids = Array.from({ length: 20 }, (_, i) => `race-${i}`);
    const [x, y] = [child('replay', state, [now, ...ids]), child('replay', state, [now, ...ids])];
    await Promise.all([x.done, y.done]);
    for (const id of ids) {
      const mine = [...x.lines, ...y.lines].filter((l) => l.startsWith(`${id} `));
      expect(mine.filter((l) => l.split(' ')[1] === 'used'), id).toHaveLength(1);
      expect(mine.filter((l) => l.split(' ')[2] === 'used'), id).toHaveLength(1);
    }
  }, 120_000);

  it('an access token and a console session made on one process are honoured, and ended, on the other', async () => {
    const state = { ...fresh.state, tenant: 'sessions' };
    const a = child('token', state, []);
    expect(await a.done).toBe(0);
    const [token, session] = a.lines[0]!.split(' ');
    const b = child('check', state, [token!, session!]);
    expect(await b.done).toBe(0);
    expect(b.lines).toEqual(['did:web:requester.example alice', 'after-end none']);
  }, 60_000);
});
