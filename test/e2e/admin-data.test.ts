// The admin data routes over real HTTP: import history per generation and source, quarantined
// rows and SHACL findings in words (reading them is logged), rollback to an earlier generation
// that changes the served answer at once (logged, attributed to the account), and coverage.
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { auditPath, exportAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { findingInWords } from '../../src/api/routes/admin-reports.js';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { currentGenerationId, listGenerations } from '../../src/store/index.js';
import { EXAMPLE_DIR, tempDir } from '../helpers.js';
import { adminWorld, as, askForRelease, session, type AdminWorld, type Signed } from './admin-support.js';

let a: AdminWorld;
let alice: Signed;
let victor: Signed;
let g1: string;
let g2: string;

/** The served answer to the demo question, without the envelope's per-message fields. */
async function answer(): Promise<string> {
  const q = await askForRelease(a, a.w.requester);
  expect(q.status).toBe(200);
  const body = (JSON.parse(q.text) as { body: Record<string, unknown> }).body;
  return JSON.stringify(body.resultset ?? body);
}

async function entries(filter: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  const found = [];
  for await (const e of exportAuditLog(auditPath(a.config.dataDir), {})) if (filter(e)) found.push(e);
  return found;
}

beforeAll(async () => {
  a = await adminWorld();
  const accounts = new AccountStore(a.config.dataDir);
  await accounts.add('alice', 'operator', 'alice-correct-horse', 'test');
  await accounts.add('victor', 'viewer', 'victor-battery-staple', 'test');
  alice = await session(a.adminBase, 'alice', 'alice-correct-horse');
  victor = await session(a.adminBase, 'victor', 'victor-battery-staple');
  g1 = currentGenerationId(a.config.dataDir)!;
  // A second import of the HR export with half of the employments: a different answer.
  const hr = join(tempDir('ds-hr-'), 'afas-hr');
  cpSync(join(EXAMPLE_DIR, 'afas-hr'), hr, { recursive: true });
  const lines = readFileSync(join(hr, 'dienstverbanden.csv'), 'utf8').split('\n');
  writeFileSync(join(hr, 'dienstverbanden.csv'), lines.slice(0, 70).join('\n') + '\n');
  g2 = (await runImport(a.config, { inputs: [hr], allowShrink: true })).generation;
  await a.ds.refresh();
}, 180_000);
afterAll(async () => a?.close());

describe('admin data routes', () => {
  it('lists the imports newest first, per source what was loaded and quarantined, and which one is served', async () => {
    const response = await as(victor, a.adminBase, 'GET', '/admin/imports');
    expect(response.status).toBe(200);
    const list = (await response.json()) as { generation: string; current: boolean; served: boolean; sources: { system: string; loaded: number; quarantined: number; importedIn: string }[] }[];
    expect(list.map((g) => g.generation)).toEqual([g2, g1]);
    expect(list[0]).toMatchObject({ current: true, served: true });
    expect(list[1]).toMatchObject({ current: false, served: false });
    const hr2 = list[0]!.sources.find((s) => s.system === 'afas-hr')!;
    const hr1 = list[1]!.sources.find((s) => s.system === 'afas-hr')!;
    expect(hr2.importedIn).toBe(g2);
    expect(hr2.loaded).toBeLessThan(hr1.loaded);
    expect(hr1.quarantined).toBeGreaterThan(0);
    expect(list[0]!.sources.find((s) => s.system === 'exact-fin')).toMatchObject({ importedIn: g1 }); // carried forward
  });

  it('shows quarantined rows with file, row, column and reason, a page at a time, and logs the reading', async () => {
    const first = await as(victor, a.adminBase, 'GET', `/admin/imports/${g1}/quarantine?limit=5`);
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { file: string; row: number; column?: string; reason: string; source: string }[];
    expect(page1).toHaveLength(5);
    expect(first.headers.get('x-next-offset')).toBe('5');
    const all = (await (await as(victor, a.adminBase, 'GET', `/admin/imports/${g1}/quarantine`)).json()) as typeof page1;
    expect(all.slice(0, 5)).toEqual(page1);
    const absence = all.find((r) => r.file.endsWith('verzuim.csv') && r.row === 48);
    expect(absence).toMatchObject({ source: 'afas-hr', column: 'VerzuimPercentage', reason: 'outside 0..100' });
    const second = (await (await as(victor, a.adminBase, 'GET', `/admin/imports/${g1}/quarantine?offset=5&limit=5`)).json()) as typeof page1;
    expect(second).toEqual(all.slice(5, 10));
    expect((await entries((e) => e.activity === 'admin-report-read' && e.actor === 'account:victor' && e.report === 'quarantine')).length).toBe(3);
    expect((await as(victor, a.adminBase, 'GET', '/admin/imports/g999999-X/quarantine')).status).toBe(404);
    expect((await as(victor, a.adminBase, 'GET', '/admin/imports/..%2F..%2Fetc/quarantine')).status).toBe(404);
  });

  it('gives SHACL findings in words with the source row, never a constraint component name', async () => {
    const response = await as(victor, a.adminBase, 'GET', `/admin/imports/${g1}/findings`);
    expect(response.status).toBe(200);
    const findings = (await response.json()) as { severity: string; focus: string; path: string; message: string; file?: string; row?: number }[];
    expect(findings.length).toBeGreaterThan(0);
    const account = findings.find((f) => f.message === 'account is not linked to a known RGS/Prismant code');
    expect(account).toMatchObject({ severity: 'violation', row: 18 });
    expect(account?.file).toMatch(/grootboekrekeningen\.csv$/);
    for (const f of findings) expect(f.message).not.toMatch(/ConstraintComponent/);
    // a shape without sh:message: its component said in words
    expect(findingInWords('MinCountConstraintComponent', 'heeftOpdrachtnemer', '')).toBe('heeftOpdrachtnemer is missing');
    expect(findingInWords('DisjointConstraintComponent', 'p', '')).toBe('p does not meet the disjoint rule');
  });

  it('a viewer cannot roll back; an operator can, with a reason, logged first, and the served answer changes at once', async () => {
    const before = await answer();
    expect((await as(victor, a.adminBase, 'POST', `/admin/generations/${g1}/activate`, { reason: 'x' })).status).toBe(403);
    const noReason = await as(alice, a.adminBase, 'POST', `/admin/generations/${g1}/activate`, {});
    expect(noReason.status).toBe(400);
    expect(await noReason.json()).toMatchObject({ error: 'reason_required' });
    expect((await as(alice, a.adminBase, 'POST', '/admin/generations/g000077-20260101T000000Z/activate', { reason: 'x' })).status).toBe(404);
    expect((await as(alice, a.adminBase, 'POST', `/admin/generations/${g2}/activate`, { reason: 'x' })).status).toBe(409); // already current

    const rolled = await as(alice, a.adminBase, 'POST', `/admin/generations/${g1}/activate`, { reason: 'HR export of today is incomplete' });
    expect(rolled.status).toBe(200);
    expect(await rolled.json()).toMatchObject({ generation: g1, previous: g2, served: g1 });
    expect(currentGenerationId(a.config.dataDir)).toBe(g1);
    const after = await answer();
    expect(after).not.toEqual(before);
    expect(await entries((e) => e.activity === 'generation-activated')).toMatchObject([{ actor: 'account:alice', generation: g1, previous: g2, reason: 'HR export of today is incomplete' }]);

    // and forward again: the first answer is back
    expect((await as(alice, a.adminBase, 'POST', `/admin/generations/${g2}/activate`, { reason: 'fixed' })).status).toBe(200);
    expect(await answer()).toEqual(before);
    expect(listGenerations(a.config.dataDir)).toEqual([g1, g2]);
  });

  it('coverage: none before a run; a run (one at a time) checks every installed indicator and is kept', async () => {
    expect((await as(victor, a.adminBase, 'GET', '/admin/coverage')).status).toBe(404);
    expect((await as(victor, a.adminBase, 'POST', '/admin/coverage/run')).status).toBe(403);
    const run = as(alice, a.adminBase, 'POST', '/admin/coverage/run');
    await new Promise((r) => setTimeout(r, 50));
    const concurrent = await as(alice, a.adminBase, 'POST', '/admin/coverage/run');
    expect(concurrent.status).toBe(409);
    const done = await run;
    expect(done.status).toBe(200);
    const report = (await done.json()) as { checkedAt: string; generation: string; profiles: { id: string; title: string; indicators: { id: string; title: string; status: string; reason: string }[] }[] };
    expect(report.generation).toBe(g2);
    const demo = report.profiles.find((p) => p.id === 'demo')!;
    expect(demo.title).toBeTruthy();
    const staff = demo.indicators.find((i) => i.id === 'staff-pro-rata');
    expect(staff?.status).toBe('data');
    expect(staff?.reason).toMatch(/^the answer carries data/);
    for (const i of demo.indicators) expect(i.reason.length).toBeGreaterThan(10);
    expect(await (await as(victor, a.adminBase, 'GET', '/admin/coverage')).json()).toEqual(report);
    expect(await entries((e) => e.activity === 'profiles-check' && e.actor === 'account:alice')).toHaveLength(1);
  });

  it('datastation generations list | activate: the same switch from the CLI, refusals exit 2', async () => {
    const cli = (args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((done) =>
        execFile(process.execPath, ['--import', 'tsx', join(packageRoot(), 'src', 'cli', 'main.ts'), '-d', a.config.dataDir, ...args], { cwd: packageRoot(), encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
          done({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const list = await cli(['generations', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(new RegExp(`^\\* ${g2} .*afas-hr \\d+ loaded/\\d+ quarantined`));
    expect(list.stdout).toContain(`  ${g1} `);
    const unknown = await cli(['generations', 'activate', 'g000099-20260101T000000Z', '--reason', 'test']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no such generation');
    const switched = await cli(['generations', 'activate', g1, '--reason', 'from the CLI']);
    expect(switched.status).toBe(0);
    expect(currentGenerationId(a.config.dataDir)).toBe(g1);
    const logged = (await entries((e) => e.activity === 'generation-activated')).at(-1);
    expect(logged).toMatchObject({ generation: g1, reason: 'from the CLI' });
    expect(logged?.actor).toMatch(/^cli:/);
  }, 120_000);
});
