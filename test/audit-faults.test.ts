// Faults under the audit log: short writes, ENOSPC, failing fsync (injected through AuditLog.io),
// oversized entries, a head line longer than any read-ahead, a tail cut under a running writer.
// Each time: the append is refused (AuditWriteError), nothing unacknowledged stays in the file,
// and the file verifies.
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuditLog, AuditWriteError, auditPath, verifyAuditLog, type AuditIo } from '../src/audit/index.js';
import { entryHash, GENESIS } from '../src/audit/log.js';
import { tempDir } from './helpers.js';

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

function open(n = 3): { log: AuditLog; dataDir: string; path: string; real: AuditIo } {
  const dataDir = tempDir('ds-audit-faults-');
  const log = AuditLog.for(dataDir);
  for (let i = 0; i < n; i++) log.append({ actor: 'test', activity: 'before', i });
  return { log, dataDir, path: auditPath(dataDir), real: log.io };
}

/** Writes only `bytes` of the first write (really, to the file), then fails every write with ENOSPC. */
function shortThenFull(real: AuditIo, bytes: number): AuditIo {
  let first = true;
  return {
    ...real,
    writeSync: (fd, buffer, offset, length) => {
      if (!first) throw enospc();
      first = false;
      return real.writeSync(fd, buffer, offset, Math.min(bytes, length));
    },
  };
}

describe('audit log faults', () => {
  it('a short write followed by ENOSPC is refused, cut back, and the chain goes on after it', async () => {
    const { log, path, real } = open();
    const before = readFileSync(path);
    log.io = shortThenFull(real, 17);
    expect(() => log.append({ actor: 'test', activity: 'answer-sent' })).toThrow(AuditWriteError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 });
    log.io = real;
    expect(log.append({ actor: 'test', activity: 'after' }).seq).toBe(4);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 4 });
  });

  it('a write that makes no progress is a failure, not an endless loop', () => {
    const { log, path, real } = open();
    const before = readFileSync(path);
    log.io = { ...real, writeSync: () => 0 };
    expect(() => log.append({ actor: 'test', activity: 'x' })).toThrow(/short write/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a short write the kernel completes on the next call is fine (the rest is written)', async () => {
    const { log, path, real } = open();
    let first = true;
    log.io = { ...real, writeSync: (fd, b, o, l) => real.writeSync(fd, b, o, first ? ((first = false), Math.min(5, l)) : l) };
    expect(log.append({ actor: 'test', activity: 'whole' }).seq).toBe(4);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 4 });
  });

  it('a failing fsync is refused and the written bytes are cut back', async () => {
    const { log, path, real } = open();
    log.io = { ...real, fsyncSync: () => { throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }); } };
    expect(() => log.append({ actor: 'test', activity: 'x' })).toThrow(/EIO/);
    log.io = real;
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 });
    expect(log.append({ actor: 'test', activity: 'after' }).seq).toBe(4);
  });

  it('when even the cut-back fails, appends are refused until it succeeds', async () => {
    const { log, path, real } = open();
    log.io = { ...shortThenFull(real, 40), ftruncateSync: () => { throw enospc(); } };
    expect(() => log.append({ actor: 'test', activity: 'x' })).toThrow(AuditWriteError);
    expect((await verifyAuditLog(path)).ok).toBe(false); // the torn bytes are still there ...
    log.io = { ...real, ftruncateSync: () => { throw enospc(); } };
    expect(() => log.append({ actor: 'test', activity: 'y' })).toThrow(/refuses appends/); // ... so nothing goes after them
    expect(log.problem()).toMatch(/refuses appends/);
    log.io = real;
    expect(log.append({ actor: 'test', activity: 'repaired' }).seq).toBe(4);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 4 });
  });

  it('group commit: every entry of a group whose fsync fails is refused, and the file verifies', async () => {
    const { log, path, real } = open();
    let fail = true;
    log.io = { ...real, fsync: (fd, cb) => (fail ? ((fail = false), setImmediate(() => cb(Object.assign(new Error('EIO'), { code: 'EIO' })))) : real.fsync(fd, cb)) };
    const first = log.appendAsync({ actor: 'test', activity: 'g', i: 0 });
    await Promise.resolve(); // the first group is on its way (alone)
    const results = await Promise.allSettled([first, ...Array.from({ length: 4 }, (_, i) => log.appendAsync({ actor: 'test', activity: 'g', i: i + 1 }))]);
    // the first one went alone and hit the failing fsync; the four that waited share the next
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const verified = await verifyAuditLog(path);
    expect(verified).toMatchObject({ ok: true, entries: 7 });
  });

  it('a dependent entry (answer-sent) shares its steps\' fsync, and is never written when one of them was not', async () => {
    const { log, path, real } = open(0);
    let fsyncs = 0;
    log.io = { ...real, fsync: (fd, cb) => ((fsyncs++), real.fsync(fd, cb)) };
    // in one group: the steps and the entry that depends on them, one fsync for all
    const steps = [log.appendAsync({ actor: 'test', activity: 'step', i: 1 }), log.appendAsync({ actor: 'test', activity: 'step', i: 2 })];
    await log.appendAsync({ actor: 'test', activity: 'answer-sent' }, steps);
    expect(fsyncs).toBe(1); // appended in one turn: one group
    // a step that cannot fit in the log (its activity is a chain field, never hashed away): the
    // dependent entry after it in the same group is refused too, and not in the file
    log.maxEntryBytes = 2048;
    const failed = [log.appendAsync({ actor: 'test', activity: 'x'.repeat(10_000) }), log.appendAsync({ actor: 'test', activity: 'step', i: 3 })];
    const last = log.appendAsync({ actor: 'test', activity: 'answer-sent', n: 2 }, failed);
    expect((await Promise.allSettled([...failed, last])).map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    // and one whose step failed in an earlier group (its fsync failed)
    let fail = true;
    log.io = { ...real, fsync: (fd, cb) => (fail ? ((fail = false), setImmediate(() => cb(Object.assign(new Error('EIO'), { code: 'EIO' })))) : real.fsync(fd, cb)) };
    const early = log.appendAsync({ actor: 'test', activity: 'step', i: 4 });
    await Promise.resolve(); // its group is on its way, with the failing fsync
    const late = log.appendAsync({ actor: 'test', activity: 'answer-sent', n: 3 }, [early]);
    expect((await Promise.allSettled([early, late])).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const activities = readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { activity: string }).activity);
    expect(activities).toEqual(['step', 'step', 'answer-sent', 'step']); // not the failed ones, nor what depended on them
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 4 });
  });

  it('group commit: entries that arrive during an fsync share the next one, each resolved after it', async () => {
    const { log, path, real } = open(0);
    let fsyncs = 0;
    const done: number[] = [];
    log.io = { ...real, fsync: (fd, cb) => { fsyncs++; const at = fsyncs; real.fsync(fd, (e) => { done.push(at); cb(e); }); } };
    const append = (i: number) => log.appendAsync({ actor: 'test', activity: 'g', i }).then((e) => ({ e, after: done.length }));
    const first = append(0);
    await Promise.resolve(); // the first group is on its way; the 49 after it arrive during its fsync
    const entries = await Promise.all([first, ...Array.from({ length: 49 }, (_, i) => append(i + 1))]);
    expect(fsyncs).toBe(2);
    expect(entries.every(({ after }) => after >= 1)).toBe(true);
    expect(entries.slice(1).every(({ after }) => after === 2)).toBe(true);
    expect(entries.map(({ e }) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 50 });
  });

  it('a sync append while a group fsync is in flight shares the lock and keeps one chain', async () => {
    const { log, path } = open(0);
    const pending = log.appendAsync({ actor: 'test', activity: 'async' });
    await Promise.resolve(); // its group is written, its fsync in flight
    const sync = log.append({ actor: 'test', activity: 'sync' });
    expect((await pending).seq).toBe(1);
    expect(sync.seq).toBe(2);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 2 });
  });
});

describe('audit entry size', () => {
  it('an oversized entry is never written: its large fields become their hash and size', async () => {
    const { log, dataDir, path } = open(1);
    const huge = 'x'.repeat(1_100_000);
    const entry = log.append({ actor: 'unknown', activity: 'rejected', reason: huge, code: 'bad' });
    expect(entry.reason).toMatch(/^\[truncated: 1100002 bytes, sha256 [0-9a-f]{64}\]$/);
    expect(entry.code).toBe('bad');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThan(log.maxEntryBytes);
    log.close();
    expect(AuditLog.for(dataDir).append({ actor: 'test', activity: 'after' }).seq).toBe(3);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 });
  });

  it('a log whose last entry is longer than 1 MiB (written before the cap) still takes appends', async () => {
    const dataDir = tempDir('ds-audit-big-');
    const path = auditPath(dataDir);
    AuditLog.for(dataDir).close();
    const body = { seq: 1, time: new Date().toISOString(), actor: 'old', activity: 'received', content: 'y'.repeat(1_500_000), prev: GENESIS };
    writeFileSync(path, JSON.stringify({ ...body, hash: entryHash(body) }) + '\n');
    expect(AuditLog.for(dataDir).append({ actor: 'test', activity: 'after' }).seq).toBe(2);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 2 });
  });

  it('a torn line longer than any read-ahead is cut on open', async () => {
    const { log, dataDir, path } = open(2);
    log.close();
    appendFileSync(path, `{"seq":3,"content":"${'z'.repeat(2_000_000)}`);
    expect(AuditLog.for(dataDir).append({ actor: 'test', activity: 'after' }).seq).toBe(3);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 });
  });
});

describe('the known head', () => {
  it('a tail cut under a running writer is refused, not appended to', async () => {
    const { log, path } = open(5);
    const lines = readFileSync(path, 'utf8').split('\n');
    truncateSync(path, Buffer.byteLength(lines.slice(0, 3).join('\n') + '\n'));
    expect(() => log.append({ actor: 'test', activity: 'x' })).toThrow(/shorter than this process last wrote/);
    expect(log.problem()).toMatch(/shorter/);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 }); // nothing was added after the cut
  });

  it('a head entry replaced by one of the same length is refused', () => {
    const { log, path } = open(3);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace(/"i":2/, '"i":7'));
    expect(() => log.append({ actor: 'test', activity: 'x' })).toThrow(/entry 3 changed/);
  });

  it('entries another process appended are taken up (the head moves on, no refusal)', async () => {
    const { log, dataDir, path } = open(2);
    const last = JSON.parse(readFileSync(path, 'utf8').trim().split('\n').at(-1)!) as { seq: number; hash: string };
    const body = { seq: last.seq + 1, time: new Date().toISOString(), actor: 'other', activity: 'x', prev: last.hash };
    appendFileSync(path, JSON.stringify({ ...body, hash: entryHash(body) }) + '\n');
    expect(log.append({ actor: 'test', activity: 'after' }).seq).toBe(4);
    expect(await verifyAuditLog(auditPath(dataDir))).toMatchObject({ ok: true, entries: 4 });
  });
});
