// Corrections by named accounts (the console's sessions): the correction and its audit entry name
// the signed-in account; a viewer sees the answer tables but cannot correct.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { auditPath, findEntriesSync } from '../../src/audit/index.js';
import { adminWorld, as, askForRelease, session, type AdminWorld } from './admin-support.js';

let a: AdminWorld;
const ALICE = 'alice-correct-horse';
const VIEWER = 'victor-battery-staple';

beforeAll(async () => {
  a = await adminWorld();
  const accounts = new AccountStore(a.config.dataDir);
  await accounts.add('alice', 'operator', ALICE, 'test');
  await accounts.add('victor', 'viewer', VIEWER, 'test');
}, 120_000);
afterAll(async () => a?.close());

describe('corrections by named accounts', () => {
  it('the correction is by the signed-in operator; a viewer reads the tables and may not correct', async () => {
    const q = await askForRelease(a);
    expect(q.status).toBe(202);
    const viewer = await session(a.adminBase, 'victor', VIEWER);
    const seen = (await (await as(viewer, a.adminBase, 'GET', `/admin/releases/${q.release}`)).json()) as { questions: { answer: { rows: unknown[] } }[] };
    expect(seen.questions[0]!.answer.rows.length).toBeGreaterThan(0);
    const change = { question: 'staff-pro-rata', row: 0, column: 'Totaal', value: '1.25' };
    expect((await as(viewer, a.adminBase, 'POST', `/admin/releases/${q.release}/correct`, { reason: 'x', changes: [change] })).status).toBe(403);

    const alice = await session(a.adminBase, 'alice', ALICE);
    expect((await as(alice, a.adminBase, 'POST', `/admin/releases/${q.release}/correct`, { reason: 'typo', changes: [change] }, { csrf: false })).status).toBe(403);
    const corrected = await as(alice, a.adminBase, 'POST', `/admin/releases/${q.release}/correct`, { reason: 'typo', changes: [change] });
    expect(corrected.status).toBe(200);
    expect(((await corrected.json()) as { correction: { by: string } }).correction.by).toBe('account:alice');
    expect(findEntriesSync(auditPath(a.config.dataDir), (e) => e.release === q.release && e.activity === 'release-corrected')).toMatchObject([{ actor: 'account:alice', reason: 'typo' }]);
  });
});
