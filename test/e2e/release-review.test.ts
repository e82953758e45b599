// Release as KIK-V describes it, end to end over real HTTP with real files: answers wait for the
// organisation by default; it sees each answer as a table, may correct cells by hand (the
// original kept, the correction logged before it takes effect), rejects with a reason the
// requester receives, and cells counting fewer persons than exchange.minGroupSize are blocked,
// suppressed or released with a reason.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startDatastation, type Datastation } from '../../src/api/index.js';
import { ADMIN_ACTOR } from '../../src/api/routes/admin.js';
import { auditPath, exportAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR, testConfig } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { replyInbox, type Inbox } from './support.js';

let w: World;
let config: Config;
let ds: Datastation;
let base: string;
let adminBase: string;
let inbox: Inbox;

type Binding = Record<string, { type: string; value: string; datatype?: string }>;
type Table = { head: { vars: string[] }; rows: Binding[]; truncated: boolean; total: number };
type View = {
  id: string;
  state: string;
  corrected: boolean;
  answerFile: string;
  originalFile?: string;
  release: { mode: string; rule: number | string; held?: string };
  smallCells: { question: string; row: number; column: string; value: string }[];
  corrections?: { by: string; reason: string; changes: { question: string; row: number; column: string; from: string | null; to: string | null }[] }[];
  questions: { id: string; answer: Table; original?: Table; smallCells: { row: number; column: string; value: string }[] }[];
};
type Reply = { thread_id?: string; type?: string; body: Record<string, unknown> & { resultset?: { id: string; result: { results: { bindings: Binding[] } } }[] } };

beforeAll(async () => {
  w = await makeWorld({
    'exchange.allowHttpReplyUrl': true,
    'exchange.allowLoopbackReplyUrl': true,
    'exchange.deliveryBackoffMs': 20,
    'query.workers': 1,
    // the product's defaults, stated: released by hand, small cells blocked below 5
    'exchange.defaultRelease': 'manual',
    'exchange.minGroupSize': 5,
    'exchange.smallCells': 'block',
    // one requester answered at once by an explicit rule
    'exchange.release': [],
  });
  config = { ...w.config, exchange: { ...w.config.exchange, release: [{ requester: w.requester, mode: 'auto' as const }] } };
  await runImport(config, { inputs: [EXAMPLE_DIR] });
  inbox = await replyInbox();
  ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  adminBase = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await ds?.close();
  await inbox?.close();
});

async function ask(holder: string, indicator: 'staff-pro-rata' | 'agreements-by-kind', extra: Record<string, unknown> = { reply_url: inbox.url }) {
  const vc = await w.parties.issueQuestion(w.beheer, holder, indicatorClaims(config, 'demo', indicator));
  const tokenResponse = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await w.parties.present(holder, w.did, [vc]), scope: SCOPE }),
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const parameters = indicator === 'staff-pro-rata' ? { jaar: 2025, kwartaal: 'Q1' } : {};
  const message = { type: 'v1/basic-message/request', jti: randomUUID(), from: holder, to: w.did, thread_id: `t-${randomUUID()}`, body: { message: await w.parties.present(holder, w.did, [vc]), parameters }, ...extra };
  const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify(message) });
  const body = (await response.json()) as Record<string, unknown> & { release_id?: string; body?: Record<string, unknown> };
  return { status: response.status, body, thread: message.thread_id };
}

const admin = async (path: string, body?: unknown) => {
  const response = await fetch(`${adminBase}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${adminToken(config)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as View & { error?: string } };
};

async function entries(filter: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  const found = [];
  for await (const e of exportAuditLog(auditPath(config.dataDir), {})) if (filter(e)) found.push(e);
  return found;
}

async function replyTo(thread: string): Promise<Reply> {
  for (let i = 0; i < 400 && !inbox.replies.some((r) => r.thread_id === thread); i++) await new Promise((r) => setTimeout(r, 25));
  const reply = inbox.replies.find((r) => r.thread_id === thread);
  expect(reply, 'a reply arrived').toBeDefined();
  return reply as Reply;
}

describe('release by hand by default', () => {
  it('the product default is manual; an explicit auto rule answers at once', async () => {
    expect(testConfig().exchange).toMatchObject({ defaultRelease: 'manual', minGroupSize: 5, smallCells: 'block' });
    const auto = await ask(w.requester, 'staff-pro-rata', {});
    expect(auto.status).toBe(200);
    expect((await entries((e) => e.thread_id === auto.thread && e.activity === 'answer-sent'))[0]).toMatchObject({ release: 'auto', rule: 1 });
    const held = await ask(w.jwkRequester, 'staff-pro-rata');
    expect(held.status).toBe(202);
    const { body: item } = await admin(`/admin/releases/${held.body.release_id}`);
    expect(item.release).toEqual({ mode: 'manual', rule: 'default' });
    const list = (await (await fetch(`${adminBase}/admin/releases?state=pending`, { headers: { authorization: `Bearer ${adminToken(config)}` } })).json()) as Record<string, unknown>[];
    expect(list.find((s) => s.id === item.id)).toMatchObject({ corrected: false, smallCells: 0, release: { mode: 'manual', rule: 'default' } });
    expect(list.find((s) => s.id === item.id)).not.toHaveProperty('preview');
  });
});

describe('the item as the console reads it', () => {
  it('shows at most 500 rows of an answer, says it is truncated, and counts small cells in the list', async () => {
    const INT = 'http://www.w3.org/2001/XMLSchema#integer';
    const bindings = Array.from({ length: 600 }, (_, i) => ({ n: { type: 'literal', value: String(i), datatype: INT } }));
    const answer = JSON.stringify({ type: 'v1/basic-message/response', body: { resultset: [{ id: 'big', result: { head: { vars: ['n'] }, results: { bindings } } }] } });
    const id = `big-${randomUUID()}`;
    ds.queue.add({ id, thread_id: `t-${id}`, requester: w.jwkRequester, reply_url: inbox.url, received: new Date().toISOString(), questions: [{ id: 'big', profile: 'demo', version: '1.0.0', title: 'big', parameters: {}, rows: 600, query: '', countColumns: ['n'] }], preview: {}, smallCellCheck: { minGroupSize: 5, policy: 'block' }, smallCells: [1, 2, 3, 4].map((v) => ({ question: 'big', row: v, column: 'n', value: String(v) })) }, answer);
    const { body: item } = await admin(`/admin/releases/${id}`);
    expect(item.questions[0]!.answer).toMatchObject({ head: { vars: ['n'] }, total: 600, truncated: true });
    expect(item.questions[0]!.answer.rows).toHaveLength(500);
    expect(item.questions[0]!.answer.rows[499]!.n!.value).toBe('499');
    expect(item.questions[0]!.smallCells.map((c) => c.value)).toEqual(['1', '2', '3', '4']);
    const list = (await (await fetch(`${adminBase}/admin/releases`, { headers: { authorization: `Bearer ${adminToken(config)}` } })).json()) as Record<string, unknown>[];
    expect(list.find((s) => s.id === id)).toMatchObject({ smallCells: 4, corrected: false });
    expect((await admin(`/admin/releases/${id}/reject`, { reason: 'test item' })).status).toBe(200);
  });
});

describe('correct by hand', () => {
  it('the requester receives the corrected values and the marker; the original is kept; the correction is logged before the release', async () => {
    const asked = await ask(w.jwkRequester, 'staff-pro-rata');
    const id = asked.body.release_id!;
    const { body: before } = await admin(`/admin/releases/${id}`);
    const table = before.questions[0]!.answer;
    expect(table.head.vars).toEqual(['Indeling', 'Zorg', 'Niet_zorg', 'Totaal']);
    const row = table.rows.findIndex((r) => r.Indeling?.value === 'Organisatie');
    const was = table.rows[row]!.Totaal!;
    expect(was.datatype).toBe('http://www.w3.org/2001/XMLSchema#decimal');
    const originalText = readFileSync(before.answerFile, 'utf8');

    const first = await admin(`/admin/releases/${id}/correct`, { reason: 'Totaal\u0007 double-counted a transfer', changes: [{ question: 'staff-pro-rata', row, column: 'Totaal', value: '91.5' }] });
    expect(first.status).toBe(200);
    const second = await admin(`/admin/releases/${id}/correct`, { reason: 'and Zorg with it', changes: [{ question: 'staff-pro-rata', row, column: 'Zorg', value: '60' }, { question: 'staff-pro-rata', row, column: 'Totaal', value: '91.25' }] });
    expect(second.status).toBe(200);
    const item = second.body;
    expect(item.corrected).toBe(true);
    expect(item.corrections!.map((c) => [c.by, c.reason])).toEqual([[ADMIN_ACTOR, 'Totaal double-counted a transfer'], [ADMIN_ACTOR, 'and Zorg with it']]);
    expect(item.corrections![1]!.changes[1]).toEqual({ question: 'staff-pro-rata', row, column: 'Totaal', from: '91.5', to: '91.25' });
    expect(item.questions[0]!.answer.rows[row]!.Totaal).toEqual({ ...was, value: '91.25' });
    expect(item.questions[0]!.original!.rows[row]!.Totaal).toEqual(was);
    // the original answer file is untouched; each correction has its own file
    expect(readFileSync(item.originalFile!, 'utf8')).toBe(originalText);
    expect(item.answerFile).not.toBe(item.originalFile);
    expect(existsSync(item.answerFile)).toBe(true);

    expect((await admin(`/admin/releases/${id}/approve`, {})).status).toBe(200);
    const reply = await replyTo(asked.thread);
    expect(reply.type).toBe('v1/basic-message/response');
    const sent = reply.body.resultset![0]!.result.results.bindings[row]!;
    expect([sent.Totaal?.value, sent.Zorg?.value, sent.Totaal?.datatype]).toEqual(['91.25', '60', was.datatype]);
    expect(reply.body.corrected).toMatchObject({ reason: 'and Zorg with it', corrections: 2, cells: [{ question: 'staff-pro-rata', row, column: 'Totaal' }, { question: 'staff-pro-rata', row, column: 'Zorg' }] });
    expect(JSON.stringify(reply.body.corrected)).not.toContain(was.value); // the old value does not leave

    const trail = (await entries((e) => e.release === id)).map((e) => [e.activity, e.actor, e.reason]);
    expect(trail.slice(0, 4)).toEqual([
      ['queued-for-release', w.did, undefined],
      ['release-corrected', ADMIN_ACTOR, 'Totaal double-counted a transfer'],
      ['release-corrected', ADMIN_ACTOR, 'and Zorg with it'],
      ['released', ADMIN_ACTOR, undefined],
    ]);
    expect((await entries((e) => e.release === id && e.activity === 'release-corrected'))[0]).toMatchObject({ changes: [{ column: 'Totaal', from: was.value, to: '91.5' }] });
  });

  it('refuses a bad correction with 400 bad_correction and changes nothing', async () => {
    const asked = await ask(w.jwkRequester, 'staff-pro-rata');
    const id = asked.body.release_id!;
    const change = { question: 'staff-pro-rata', row: 0, column: 'Totaal', value: '12.5' };
    for (const bad of [
      { ...change, question: 'nope' },
      { ...change, row: 999 },
      { ...change, row: -1 },
      { ...change, column: 'Nope' },
      { ...change, value: 'twelve' },
      { ...change, value: '1e3' }, // not an xsd:decimal
      { ...change, column: 'Indeling', value: 'x\u0001' }, // a control character in a string
    ]) {
      const refused = await admin(`/admin/releases/${id}/correct`, { reason: 'typo', changes: [bad] });
      expect([refused.status, refused.body.error], JSON.stringify(bad)).toEqual([400, 'bad_correction']);
    }
    expect((await admin(`/admin/releases/${id}/correct`, { reason: 'typo', changes: 'Totaal=1' })).body.error).toBe('bad_correction');
    expect((await admin(`/admin/releases/${id}/correct`, { reason: ' \u0000 ', changes: [change] })).body.error).toBe('reason_required');
    expect((await admin(`/admin/releases/${id}/correct`, { reason: 'x'.repeat(501), changes: [change] })).status).toBe(400);
    expect((await admin('/admin/releases/no-such/correct', { reason: 'typo', changes: [change] })).status).toBe(404);
    const { body: item } = await admin(`/admin/releases/${id}`);
    expect([item.corrected, item.originalFile]).toEqual([false, undefined]);
    expect(await entries((e) => e.release === id && e.activity === 'release-corrected')).toEqual([]);
    expect((await admin(`/admin/releases/${id}/approve`, {})).status).toBe(200);
    const reply = await replyTo(asked.thread);
    expect(reply.body).not.toHaveProperty('corrected');
  });
});

describe('reject with a reason', () => {
  it('needs a reason; the requester receives it, cleaned of control characters', async () => {
    const asked = await ask(w.jwkRequester, 'staff-pro-rata');
    const id = asked.body.release_id!;
    expect(await admin(`/admin/releases/${id}/reject`, {})).toMatchObject({ status: 400, body: { error: 'reason_required' } });
    expect((await admin(`/admin/releases/${id}/reject`, { reason: 'r'.repeat(501) })).status).toBe(400);
    expect((await admin(`/admin/releases/${id}/reject`, { reason: 'wrong\u001b[31m quarter:\nask for Q2\u202e' })).status).toBe(200);
    const reply = await replyTo(asked.thread);
    expect(reply).toMatchObject({ type: 'v1/error-report', body: { code: 'release_refused', reason: 'wrong [31m quarter: ask for Q2' } });
    expect(reply.body.message).toBe('the organisation declined to release this answer: wrong [31m quarter: ask for Q2');
    expect((await entries((e) => e.release === id && e.activity === 'release-rejected'))[0]).toMatchObject({ actor: ADMIN_ACTOR, reason: 'wrong [31m quarter: ask for Q2' });
  });
});

describe('small numbers', () => {
  /** The agreements-by-kind answer of De Linde: which kinds count 1-4. */
  let small: View['smallCells'];

  it('flags counted cells below minGroupSize; block refuses approval until corrected', async () => {
    const asked = await ask(w.jwkRequester, 'agreements-by-kind');
    const id = asked.body.release_id!;
    const { body: item } = await admin(`/admin/releases/${id}`);
    const rows = item.questions[0]!.answer.rows;
    const expected = rows.flatMap((r, row) => (Number(r.aantal!.value) > 0 && Number(r.aantal!.value) < 5 ? [{ question: 'agreements-by-kind', row, column: 'aantal', value: r.aantal!.value }] : []));
    expect(expected.length, 'the example organisation has kinds with 1-4 agreements').toBeGreaterThan(0);
    expect(rows.some((r) => Number(r.aantal!.value) >= 5), 'and kinds with more').toBe(true);
    small = item.smallCells;
    expect(small).toEqual(expected);
    expect(item.questions[0]!.smallCells).toEqual(expected.map(({ row, column, value }) => ({ row, column, value })));

    expect(await admin(`/admin/releases/${id}/approve`, {})).toMatchObject({ status: 409, body: { error: 'small_cells_blocked' } });
    // emptying all but one small cell still blocks; emptying the last one lets it go
    const [last, ...others] = small;
    if (others.length) expect((await admin(`/admin/releases/${id}/correct`, { reason: 'small numbers', changes: others.map((c) => ({ ...c, value: null })) })).body.smallCells).toHaveLength(1);
    expect((await admin(`/admin/releases/${id}/approve`, {})).status).toBe(409);
    const corrected = await admin(`/admin/releases/${id}/correct`, { reason: 'small numbers', changes: [{ ...last!, value: null }] });
    expect(corrected.body.smallCells).toEqual([]);
    expect((await admin(`/admin/releases/${id}/approve`, {})).status).toBe(200);
    const sent = (await replyTo(asked.thread)).body.resultset![0]!.result.results.bindings;
    for (const c of small) expect(sent[c.row]).not.toHaveProperty('aantal');
    expect(sent.filter((b) => b.aantal).every((b) => Number(b.aantal!.value) >= 5)).toBe(true);
  });

  it('suppress removes those cells from what is sent and says so', async () => {
    config.exchange.smallCells = 'suppress'; // as a restart with another setting would; the item keeps the policy it came with
    try {
      const asked = await ask(w.jwkRequester, 'agreements-by-kind');
      const id = asked.body.release_id!;
      const { body: item } = await admin(`/admin/releases/${id}`);
      expect(item.smallCells).toEqual(small);
      const approved = await admin(`/admin/releases/${id}/approve`, {});
      expect(approved.status).toBe(200);
      const reply = await replyTo(asked.thread);
      const sent = reply.body.resultset![0]!.result.results.bindings;
      for (const c of small) expect(sent[c.row]).not.toHaveProperty('aantal');
      expect(sent.length).toBe(item.questions[0]!.answer.rows.length); // rows stay, the cells go
      expect(reply.body.suppressed).toEqual({ minGroupSize: 5, cells: small.map(({ question, row, column }) => ({ question, row, column })) });
      // what was stored is not changed: the queued answer still holds the counts
      expect(readFileSync(ds.queue.get(id).answerFile, 'utf8')).toContain(`"value":"${small[0]!.value}"`);
      expect((await entries((e) => e.release === id && e.activity === 'released'))[0]).toMatchObject({ small_cells: small.length, small_cell_policy: 'suppress' });
    } finally {
      config.exchange.smallCells = 'block';
    }
  });

  it('allow-with-reason needs a reason to approve, and logs it', async () => {
    config.exchange.smallCells = 'allow-with-reason';
    try {
      const asked = await ask(w.jwkRequester, 'agreements-by-kind');
      const id = asked.body.release_id!;
      expect(await admin(`/admin/releases/${id}/approve`, {})).toMatchObject({ status: 400, body: { error: 'reason_required' } });
      expect((await admin(`/admin/releases/${id}/approve`, { reason: 'agreements, not persons' })).status).toBe(200);
      const sent = (await replyTo(asked.thread)).body.resultset![0]!.result.results.bindings;
      expect(sent[small[0]!.row]!.aantal!.value).toBe(small[0]!.value);
      expect((await entries((e) => e.release === id && e.activity === 'released'))[0]).toMatchObject({ actor: ADMIN_ACTOR, reason: 'agreements, not persons', small_cells: small.length, small_cell_policy: 'allow-with-reason' });
    } finally {
      config.exchange.smallCells = 'block';
    }
  });

  it('an automatic answer with small cells waits for a person (logged); without a reply_url it is refused', async () => {
    const asked = await ask(w.requester, 'agreements-by-kind');
    expect(asked.status).toBe(202);
    const id = asked.body.release_id!;
    const { body: item } = await admin(`/admin/releases/${id}`);
    expect(item.release).toEqual({ mode: 'auto', rule: 1, held: 'small_cells' });
    expect((await entries((e) => e.thread_id === asked.thread)).map((e) => e.activity)).toEqual(['received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'release-held', 'queued-for-release']);
    const noReply = await ask(w.requester, 'agreements-by-kind', {});
    expect([noReply.status, noReply.body.body?.code]).toEqual([403, 'release_held']);
    expect(JSON.stringify(noReply.body)).not.toContain('aantal');
    // the same auto rule without small numbers still answers at once
    expect((await ask(w.requester, 'staff-pro-rata', {})).status).toBe(200);
  });
});
