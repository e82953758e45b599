// The admin audit routes over real HTTP: search by thread, requester and period a page at a time,
// verify, export as NDJSON, and every read of the log is itself in the log (NEN 7513).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { searchLog } from '../../src/api/routes/admin-audit.js';
import { AuditLog, auditPath, exportAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { tempDir } from '../helpers.js';
import { adminWorld, as, askForRelease, session, type AdminWorld, type Signed } from './admin-support.js';

let a: AdminWorld;
let victor: Signed;
let thread: string;

async function all(): Promise<AuditEntry[]> {
  const found = [];
  for await (const e of exportAuditLog(auditPath(a.config.dataDir), {})) found.push(e);
  return found;
}

beforeAll(async () => {
  a = await adminWorld();
  await new AccountStore(a.config.dataDir).add('victor', 'viewer', 'victor-battery-staple', 'test');
  victor = await session(a.adminBase, 'victor', 'victor-battery-staple');
  const q = await askForRelease(a, a.w.requester);
  expect(q.status).toBe(200);
  thread = q.thread;
  await askForRelease(a, a.w.requester); // another thread, to be left out
}, 180_000);
afterAll(async () => a?.close());

type Page = { entries: AuditEntry[]; next?: string };

describe('admin audit routes', () => {
  it('finds a thread, and logs the search as an access by the account', async () => {
    const response = await as(victor, a.adminBase, 'GET', `/admin/audit?thread=${encodeURIComponent(thread)}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    expect(page.next).toBeUndefined();
    expect(page.entries.length).toBeGreaterThanOrEqual(3);
    expect(page.entries.every((e) => e.thread_id === thread)).toBe(true);
    expect(page.entries.map((e) => e.activity)).toEqual(expect.arrayContaining(['received', 'answer-sent']));
    const reads = (await all()).filter((e) => e.activity === 'audit-log-read');
    expect(reads.at(-1)).toMatchObject({ actor: 'account:victor', read: 'search', filter_thread: thread });
  });

  it('pages by requester with limit and cursor, in log order, without gaps or repeats', async () => {
    const requester = a.w.requester;
    const everything = (await all()).filter((e) => e.actor === requester || e.requester === requester || e.from === requester);
    expect(everything.length).toBeGreaterThan(4);
    const seen: AuditEntry[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = (await (await as(victor, a.adminBase, 'GET', `/admin/audit?requester=${encodeURIComponent(requester)}&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json()) as Page;
      expect(page.entries.length).toBeLessThanOrEqual(3);
      seen.push(...page.entries);
      cursor = page.next;
      pages++;
    } while (cursor && pages < 50);
    expect(seen.map((e) => e.seq)).toEqual(everything.map((e) => e.seq));
    expect(pages).toBeGreaterThan(1);
  });

  it('filters by period, and refuses a bad date or a forged cursor with one code', async () => {
    const entries = (await all()).filter((e) => e.thread_id === thread);
    const from = entries[1]!.time;
    const to = entries.at(-1)!.time;
    const page = (await (await as(victor, a.adminBase, 'GET', `/admin/audit?thread=${encodeURIComponent(thread)}&from=${from}&to=${to}`)).json()) as Page;
    expect(page.entries.every((e) => e.time >= from && e.time <= to)).toBe(true);
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.length).toBeLessThanOrEqual(entries.length);
    for (const query of ['from=yesterday', 'cursor=-1', 'cursor=abc']) {
      const refused = await as(victor, a.adminBase, 'GET', `/admin/audit?${query}`);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe('bad_filter');
    }
  });

  it('verifies the chain and exports a thread as NDJSON, both logged', async () => {
    const verify = await as(victor, a.adminBase, 'GET', '/admin/audit/verify');
    expect(verify.status).toBe(200);
    const result = (await verify.json()) as { ok: boolean; entries: number; head: { seq: number } };
    expect(result.ok).toBe(true);
    expect(result.entries).toBe(result.head.seq);

    const exported = await as(victor, a.adminBase, 'GET', `/admin/audit/export?thread=${encodeURIComponent(thread)}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-.*\.ndjson"$/);
    const lines = (await exported.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    expect(lines.map((e) => e.seq)).toEqual((await all()).filter((e) => e.thread_id === thread).map((e) => e.seq));
    const reads = (await all()).filter((e) => e.activity === 'audit-log-read').map((e) => e.read);
    expect(reads).toEqual(expect.arrayContaining(['verify', 'export']));
    // an export abandoned half-way does not block the next one
    const controller = new AbortController();
    const big = await fetch(`${a.adminBase}/admin/audit/export`, { headers: { cookie: victor.cookie }, signal: controller.signal });
    controller.abort();
    await big.body?.cancel().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect((await as(victor, a.adminBase, 'GET', '/admin/audit/verify')).status).toBe(200);
  });

  it('a search scans a bounded number of bytes per request and says where to go on', async () => {
    const dir = tempDir('ds-auditscan-');
    const log = AuditLog.for(dir);
    for (let i = 0; i < 40; i++) log.append({ actor: 'test', activity: i === 37 ? 'needle' : 'hay', thread_id: `t${i}` });
    const path = auditPath(dir);
    const filter = { thread: 't37' };
    let page = await searchLog(path, filter, 0, 10, 1000);
    expect(page.entries).toEqual([]);
    expect(page.next).toBeDefined();
    let steps = 1;
    const found: AuditEntry[] = [];
    while (page.next) {
      page = await searchLog(path, filter, Number(page.next), 10, 1000);
      found.push(...page.entries);
      steps++;
    }
    expect(found.map((e) => e.activity)).toEqual(['needle']);
    expect(steps).toBeGreaterThan(3);
    expect(await searchLog(auditPath(tempDir()), {}, 0, 10)).toEqual({ entries: [] }); // no log yet
  });
});
