// The hash-chained audit log: verify catches edits, removals and reorderings; a torn tail from a
// crash is cut off; several processes appending at once still make one valid chain.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuditLog, auditPath, exportAuditLog, recordActivity, verifyAuditLog } from '../src/audit/index.js';
import { tempDir } from './helpers.js';

function fill(dataDir: string, n: number): string {
  for (let i = 0; i < n; i++) recordActivity(dataDir, { actor: 'did:key:z6Mk', activity: 'received', thread_id: `t-${i % 3}`, n: i });
  return auditPath(dataDir);
}

describe('audit log', () => {
  it('chains entries and verifies', async () => {
    const path = fill(tempDir(), 10);
    const result = await verifyAuditLog(path);
    expect(result).toMatchObject({ ok: true, entries: 10, head: { seq: 10 } });
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prev: string; hash: string });
    expect(lines[1]!.prev).toBe(lines[0]!.hash);
  });

  it.each([
    ['an edited entry', (l: string[]) => { l[4] = l[4]!.replace('"n":4', '"n":40'); }, 5, /edited/],
    ['a removed entry', (l: string[]) => { l.splice(3, 1); }, 4, /removed/],
    ['two swapped entries', (l: string[]) => { [l[6], l[7]] = [l[7]!, l[6]!]; }, 7, /reordered/],
    ['an edit that keeps the line valid JSON', (l: string[]) => {
      const e = JSON.parse(l[2]!) as Record<string, unknown>;
      e.actor = 'someone else';
      l[2] = JSON.stringify(e);
    }, 3, /edited/],
  ])('detects %s', async (_name, tamper, line, reason) => {
    const dataDir = tempDir();
    const path = fill(dataDir, 10);
    AuditLog.for(dataDir).close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    tamper(lines);
    writeFileSync(path, lines.join('\n') + '\n');
    const result = await verifyAuditLog(path);
    expect(result.ok).toBe(false);
    expect(result.problem!.line).toBe(line);
    expect(result.problem!.reason).toMatch(reason);
  });

  it('cuts a torn last line (crash mid-write) and continues the chain', async () => {
    const dataDir = tempDir();
    const path = fill(dataDir, 3);
    AuditLog.for(dataDir).close();
    appendFileSync(path, '{"seq":4,"time":"2026-');
    recordActivity(dataDir, { actor: 'cli', activity: 'after-crash' });
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, entries: 4 });
  });

  it('exports a thread or a time window', async () => {
    const path = fill(tempDir(), 9);
    const thread = [];
    for await (const e of exportAuditLog(path, { thread: 't-1' })) thread.push(e.n);
    expect(thread).toEqual([1, 4, 7]);
    const none = [];
    for await (const e of exportAuditLog(path, { to: new Date('2000-01-01') })) none.push(e);
    expect(none).toEqual([]);
  });

  it('keeps one valid chain when several processes append at once', async () => {
    const dataDir = tempDir();
    const script = `import { recordActivity } from './src/audit/index.ts';
      for (let i = 0; i < 100; i++) recordActivity(process.argv[1], { actor: 'p' + process.pid, activity: 'x', i });`;
    const run = () =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir], { stdio: 'inherit' });
        child.on('exit', (code) => resolve(code ?? 1));
      });
    expect(await Promise.all([run(), run(), run()])).toEqual([0, 0, 0]);
    expect(await verifyAuditLog(auditPath(dataDir))).toMatchObject({ ok: true, entries: 300 });
  });
});
