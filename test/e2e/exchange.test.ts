// End to end over real HTTP: a requester gets a token, sends credentialed questions about the
// example organisation, and gets answers (synchronously, or after a manual release, POSTed to its
// reply server, across a restart of the datastation); every rejection class reaches it as the
// right status and error report and lands in the audit log with its code.
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startDatastation, type Datastation } from '../../src/api/index.js';
import { auditPath, verifyAuditLog } from '../../src/audit/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { makeWorld, type World } from '../trust/world.js';
import { replyInbox, threadEntries, type Inbox } from './support.js';

let w: World;
let config: Config;
let ds: Datastation;
let base: string;
let adminBase: string;
let inbox: Inbox;
let replyUrl: string;
const profileRoots = [join(packageRoot(), 'profiles')];

async function start(): Promise<void> {
  ds = await startDatastation(config, { profileRoots, pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  adminBase = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
}

beforeAll(async () => {
  w = await makeWorld({
    'exchange.allowHttpReplyUrl': true,
    'exchange.allowLoopbackReplyUrl': true,
    'exchange.deliveryBackoffMs': 20,
    'query.workers': 1,
  });
  // Questions from the did:jwk requester are released by hand.
  config = { ...w.config, exchange: { ...w.config.exchange, release: [{ requester: w.jwkRequester, mode: 'manual' as const }] } };
  await runImport(config, { inputs: [EXAMPLE_DIR] });
  inbox = await replyInbox();
  replyUrl = inbox.url;
  await start();
}, 60_000);

afterAll(async () => {
  await ds.close();
  await inbox.close();
});

const claims = (indicator = 'staff-pro-rata') => indicatorClaims(config, 'demo', indicator);

async function token(holder = w.requester): Promise<string> {
  const vc = await w.parties.issueQuestion(w.beheer, holder, claims());
  const response = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await w.parties.present(holder, w.did, [vc]), scope: SCOPE }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function envelope(holder = w.requester, overrides: Record<string, unknown> = {}, vcs?: string[]) {
  const credentials = vcs ?? [await w.parties.issueQuestion(w.beheer, holder, claims())];
  return {
    type: 'v1/basic-message/request',
    jti: randomUUID(),
    from: holder,
    to: w.did,
    thread_id: `thread-${randomUUID()}`,
    body: { message: await w.parties.present(holder, w.did, credentials), parameters: { jaar: 2025, kwartaal: 'Q1' } },
    ...overrides,
  };
}

async function send(message: unknown, bearer?: string, raw?: string) {
  const response = await fetch(`${base}/api/verifiedsparql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: raw ?? JSON.stringify(message),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { body: Record<string, unknown> } };
}

const thread = (id: string) => threadEntries(config.dataDir, id);

describe('synchronous answers', () => {
  it('answers a credentialed question with the resultset, and logs each step of the thread', async () => {
    const message = await envelope();
    const { status, body } = await send(message, await token());
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'v1/basic-message/response', from: w.did, to: w.requester, thread_id: message.thread_id });
    const [entry] = (body.body as { resultset: { id: string; result: { results: { bindings: Record<string, { value: string }>[] } } }[] }).resultset;
    expect(entry!.id).toBe('staff-pro-rata');
    const org = entry!.result.results.bindings.find((b) => b.Indeling?.value === 'Organisatie');
    // the figure the example-organisation test computes independently from the CSV files
    expect(org?.Totaal?.value).toBe('92.69');
    expect((await thread(message.thread_id)).map((e) => e.activity)).toEqual(['received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'answer-sent']);
  });

  it('logs the hash of the bytes received and, for a small answer, the message that was sent (both forms)', async () => {
    // an answer that is not streamed: it has counts, and small ones may go with a logged count
    config.exchange.smallCells = 'allow-with-reason';
    try {
      const vc = () => w.parties.issueQuestion(w.beheer, w.requester, claims('agreements-by-kind'));
      const basic = await envelope(w.requester, {}, [await vc()]);
      delete (basic.body as { parameters?: unknown }).parameters; // it has none
      const plain = { id: randomUUID(), type: config.exchange.didcomm.requestTypes[0], from: w.requester, to: [w.did], body: { vp: await w.parties.present(w.requester, w.did, [await vc()]) } };
      for (const [message, type, thread_id] of [[basic, 'application/json', basic.thread_id], [plain, 'application/didcomm-plain+json', plain.id]] as const) {
        // whitespace a re-serialisation would lose: the receipt is of what came in
        const raw = JSON.stringify(message, null, 1);
        const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { 'content-type': type, authorization: `Bearer ${await token()}` }, body: raw });
        const text = await response.text();
        expect(response.status).toBe(200);
        const entries = await thread(thread_id);
        const received = entries.find((e) => e.activity === 'received') as { request?: unknown };
        expect(received.request).toEqual({ sha256: createHash('sha256').update(raw).digest('hex'), bytes: Buffer.byteLength(raw) });
        const sent = entries.find((e) => e.activity === 'answer-sent') as { content?: unknown; small_cells?: number };
        expect(sent.small_cells).toBeGreaterThan(0);
        expect(sent.content).toEqual(JSON.parse(text));
        expect(JSON.stringify(sent.content)).toBe(text);
      }
    } finally {
      config.exchange.smallCells = 'block';
    }
  });

  it('accepts the header form of the Nuts pilot', async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, claims());
    const vp = await w.parties.present(w.requester, w.did, [vc]);
    const threadId = `thread-${randomUUID()}`;
    const response = await fetch(`${base}/api/verifiedsparql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token()}`, 'message-id': randomUUID(), from: w.requester, to: w.did, references: threadId, 'content-type': 'application/json' },
      body: JSON.stringify({ message: vp, parameters: { jaar: 2024, kwartaal: 'Q4' } }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { thread_id: string }).thread_id).toBe(threadId);
  });
});

describe('DIDComm plaintext (builtin trust)', () => {
  const didcomm = async (overrides: Record<string, unknown> = {}) => ({
    id: randomUUID(),
    type: config.exchange.didcomm.requestTypes[0],
    from: w.requester,
    to: [w.did],
    created_time: Math.floor(Date.now() / 1000),
    expires_time: Math.floor(Date.now() / 1000) + 300,
    body: { vp: await w.parties.present(w.requester, w.did, [await w.parties.issueQuestion(w.beheer, w.requester, claims())]), parameters: { jaar: 2025, kwartaal: 'Q1' } },
    ...overrides,
  });
  const post = async (message: unknown, bearer: string) => {
    const response = await fetch(`${base}/api/verifiedsparql`, {
      method: 'POST',
      headers: { 'content-type': 'application/didcomm-plain+json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(message),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> & { body: Record<string, unknown> } };
  };
  it('answers as a new DIDComm message whose thid is the request id', async () => {
    const message = await didcomm();
    const { status, type, body } = await post(message, await token());
    expect([status, type?.split(';')[0]]).toEqual([200, 'application/didcomm-plain+json']);
    expect(body).toMatchObject({ type: config.exchange.didcomm.responseType, thid: message.id, from: w.did, to: [w.requester] });
    expect(body.id).not.toBe(message.id);
    const [entry] = (body.body as { response: { resultset: { id: string; result: { results: { bindings: Record<string, { value: string }>[] } } }[] } }).response.resultset;
    expect(entry!.result.results.bindings.find((b) => b.Indeling?.value === 'Organisatie')?.Totaal?.value).toBe('92.69');
    expect((await thread(message.id)).map((e) => e.activity)).toEqual(['received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'answer-sent']);
  });
  it('refuses as a problem report with pthid and one code', async () => {
    const message = await didcomm({ to: ['did:web:other.example'] });
    const { status, body } = await post(message, await token());
    expect([status, body.type, body.pthid, body.body.code]).toEqual([400, 'https://didcomm.org/report-problem/2.0/problem-report', message.id, 'e.p.wrong_recipient']);
    expect((await thread(message.id)).at(-1)).toMatchObject({ activity: 'rejected', code: 'wrong_recipient' });
    const again = await didcomm();
    expect((await post(again, await token())).status).toBe(200);
    const replay = await post(again, await token());
    expect([replay.status, replay.body.body.code]).toEqual([409, 'e.p.replayed_message']);
  });
});

describe('every rejection class reaches the requester and the audit log', () => {
  const cases: [string, () => Promise<{ message: unknown; bearer?: string; raw?: string }>, number, string][] = [
    ['no access token', async () => ({ message: await envelope() }), 403, 'invalid_token'],
    ['a token earned by someone else', async () => ({ message: await envelope(), bearer: await token(w.webRequester) }), 403, 'token_subject_mismatch'],
    ['a malformed envelope', async () => ({ message: { ...(await envelope()), jti: undefined }, bearer: await token() }), 400, 'malformed_envelope'],
    ['the wrong message type', async () => ({ message: await envelope(w.requester, { type: 'v1/basic-message/response' }), bearer: await token() }), 400, 'wrong_message_type'],
    ['another recipient', async () => ({ message: await envelope(w.requester, { to: 'did:web:other.example' }), bearer: await token() }), 400, 'wrong_recipient'],
    ['a reply_url that is not http(s)', async () => ({ message: await envelope(w.requester, { reply_url: 'file:///etc/passwd' }), bearer: await token() }), 400, 'bad_reply_url'],
    ...['https://169.254.169.254/latest', 'https://10.0.0.1/x', 'https://167772161/x', 'https://[::ffff:10.0.0.1]/x', 'https://[fe80::1]/x'].map(
      (url): (typeof cases)[number] => [`a reply_url on an internal address (${url})`, async () => ({ message: await envelope(w.requester, { reply_url: url }), bearer: await token() }), 400, 'bad_reply_url'],
    ),
    ['an expired envelope', async () => ({ message: await envelope(w.requester, { exp: Math.floor(Date.now() / 1000) - 3600 }), bearer: await token() }), 400, 'message_expired'],
    ['a 10-year envelope', async () => ({ message: await envelope(w.requester, { exp: Math.floor(Date.now() / 1000) + 10 * 365 * 86400 }), bearer: await token() }), 400, 'message_lifetime_too_long'],
    ['a VP signed with the alias alg', async () => {
      const vc = await w.parties.issueQuestion(w.beheer, w.requester, claims());
      const vp = await w.sign(w.requester, w.vpPayload([vc]), { alg: 'Ed25519' });
      return { message: { ...(await envelope()), body: { message: vp, parameters: { jaar: 2025, kwartaal: 'Q1' } } }, bearer: await token() };
    }, 400, 'unsupported_alg'],
    ['a tampered credential', async () => {
      const [h, p, s] = (await w.parties.issueQuestion(w.beheer, w.requester, claims())).split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { vc: { credentialSubject: { query: string } } };
      payload.vc.credentialSubject.query = 'SELECT * WHERE { ?s ?p ?o }';
      return { message: await envelope(w.requester, {}, [`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`]), bearer: await token() };
    }, 401, 'invalid_signature'],
    ['a credential from an untrusted issuer', async () => ({ message: await envelope(w.requester, {}, [await w.parties.issueQuestion(w.rogue, w.requester, claims())]), bearer: await token() }), 403, 'issuer_not_trusted'],
    ['a query that no served profile validated', async () => ({ message: await envelope(w.requester, {}, [await w.parties.issueQuestion(w.beheer, w.requester, { ...claims(), query: 'SELECT * WHERE { ?s ?p ?o }' })]), bearer: await token() }), 422, 'query_mismatch'],
    ['a profile version not served', async () => ({ message: await envelope(w.requester, {}, [await w.parties.issueQuestion(w.beheer, w.requester, { ...claims(), profile: { id: 'demo', version: '9.9.9' } })]), bearer: await token() }), 422, 'profile_not_served'],
    ['a parameter outside its constraints', async () => ({ message: { ...(await envelope()), body: { ...(await envelope()).body, parameters: { jaar: 2025, kwartaal: 'Q5' } } }, bearer: await token() }), 422, 'invalid_parameter'],
    ['a parameter no question declares', async () => ({ message: { ...(await envelope()), body: { ...(await envelope()).body, parameters: { jaar: 2025, kwartaal: 'Q1', regio: 'x' } } }, bearer: await token() }), 422, 'unknown_parameter'],
    ['a body that is not JSON', async () => ({ message: null, bearer: await token(), raw: '{"type":' }), 400, 'malformed_envelope'],
    ['a body over the limit', async () => ({ message: null, bearer: await token(), raw: JSON.stringify({ pad: 'x'.repeat(config.server.bodyLimitBytes) }) }), 413, 'body_too_large'],
  ];
  it.each(cases)('%s', async (_name, make, status, code) => {
    const { message, bearer, raw } = await make();
    const { status: got, body } = await send(message, bearer, raw);
    expect([got, body.type, body.body.code]).toEqual([status, 'v1/error-report', code]);
    const threadId = (message as { thread_id?: string } | null)?.thread_id;
    if (threadId) expect((await thread(threadId)).at(-1)).toMatchObject({ activity: 'rejected', code });
    expect(JSON.stringify(body)).not.toMatch(/92\.69|Organisatie/);
  });

  it('refuses a replayed message', async () => {
    const message = await envelope();
    const bearer = await token();
    expect((await send(message, bearer)).status).toBe(200);
    const again = await send(message, bearer);
    expect([again.status, again.body.body.code]).toEqual([409, 'replayed_message']);
  });
});

describe('manual release', () => {
  it('queues the answer, survives a restart, and delivers it to reply_url once approved', async () => {
    const message = await envelope(w.jwkRequester, { reply_url: replyUrl });
    const { status, body } = await send(message, await token(w.jwkRequester));
    expect(status).toBe(202);
    const releaseId = body.release_id as string;

    await ds.close();
    await start();

    const admin = (path: string, init: RequestInit = {}, bearer = adminToken(config)) =>
      fetch(`${adminBase}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    expect((await admin('/admin/releases', {}, await token())).status).toBe(401);
    const pending = (await (await admin('/admin/releases?state=pending')).json()) as { id: string }[];
    expect(pending.map((p) => p.id)).toContain(releaseId);
    const item = (await (await admin(`/admin/releases/${releaseId}`)).json()) as { requester: string; questions: { id: string }[]; preview: Record<string, { total: number }> };
    expect(item.requester).toBe(w.jwkRequester);
    expect(item.preview['staff-pro-rata']!.total).toBeGreaterThan(0);

    expect((await admin(`/admin/releases/${releaseId}/approve`, { method: 'POST', body: JSON.stringify({ by: 'j.jansen' }) })).status).toBe(200);
    await waitFor(() => inbox.replies.some((r) => r.thread_id === message.thread_id));
    const reply = inbox.replies.find((r) => r.thread_id === message.thread_id)!;
    expect(reply.type).toBe('v1/basic-message/response');
    expect((await admin(`/admin/releases/${releaseId}/approve`, { method: 'POST', body: '{}' })).status).toBe(409);
    // Delivered items leave the open queue the server polls, and stay listed and readable.
    await waitFor(() => ds.queue.get(releaseId).delivery === 'delivered');
    expect(ds.queue.open().map((i) => i.id)).not.toContain(releaseId);
    expect(ds.queue.list().map((i) => i.id)).toContain(releaseId);
    expect((await thread(message.thread_id)).map((e) => e.activity)).toEqual([
      'received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'queued-for-release', 'released', 'answer-sent',
    ]);
  });

  it('sends an error report when the organisation declines', async () => {
    const message = await envelope(w.jwkRequester, { reply_url: replyUrl });
    const { body } = await send(message, await token(w.jwkRequester));
    const response = await fetch(`${adminBase}/admin/releases/${String(body.release_id)}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken(config)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ by: 'j.jansen', reason: 'wrong quarter' }),
    });
    expect(response.status).toBe(200);
    await waitFor(() => inbox.replies.some((r) => r.thread_id === message.thread_id));
    expect(inbox.replies.find((r) => r.thread_id === message.thread_id)).toMatchObject({ type: 'v1/error-report', body: { code: 'release_refused' } });
  });

  it('requires a reply_url for questions released by hand', async () => {
    const { status, body } = await send(await envelope(w.jwkRequester), await token(w.jwkRequester));
    expect([status, body.body.code]).toEqual([400, 'bad_reply_url']);
  });
});

describe('discovery and operations', () => {
  it('serves the DCAT catalogue as Turtle and JSON-LD', async () => {
    const ttl = await (await fetch(`${base}/datacatalog`)).text();
    expect(ttl).toContain('dcat:DataService');
    expect(ttl).toContain(`${config.server.publicUrl}/api/verifiedsparql`);
    expect(ttl).toContain('KvK:90000001');
    const jsonld = (await (await fetch(`${base}/datacatalog`, { headers: { accept: 'application/ld+json' } })).json()) as { '@type'?: string[]; 'http://purl.org/dc/terms/conformsTo'?: unknown[] }[];
    const dataset = jsonld.find((n) => n['@type']?.includes('http://www.w3.org/ns/dcat#Dataset'));
    expect(dataset?.['http://purl.org/dc/terms/conformsTo']?.length).toBeGreaterThan(0);
  });
  it('reports readiness, metrics and its OpenAPI document', async () => {
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    // Metrics only on the admin listener, with the admin token (issue 14: /metrics was public).
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${adminBase}/metrics`)).status).toBe(401);
    expect(await (await fetch(`${adminBase}/metrics`, { headers: { authorization: `Bearer ${adminToken(config)}` } })).text()).toMatch(/datastation_requests_total\{outcome="[a-z_0-9]+"\} \d+/);
    expect(((await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> }).paths).toHaveProperty('/api/verifiedsparql');
  });
  it('leaves an audit log that verifies', async () => {
    expect((await verifyAuditLog(auditPath(config.dataDir))).ok).toBe(true);
  });
});

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('replay record not written (last: it closes the replay store)', () => {
  it('the question may run while the replay record is fsynced, but without that record nothing is answered nor logged as verified', async () => {
    const message = await envelope();
    const bearer = await token();
    ds.trust.replay.close(); // every later write of the store fails
    const { status, body } = await send(message, bearer);
    expect(status).not.toBe(200);
    expect(body.body.code).toBe('trust_unavailable');
    expect(JSON.stringify(body)).not.toMatch(/92\.69|Organisatie/);
    const entries = await thread(message.thread_id);
    expect(entries.map((e) => e.activity)).toEqual(['received', 'token-checked', 'rejected']);
    expect(entries.at(-1)).toMatchObject({ code: 'trust_unavailable' });
    expect((await verifyAuditLog(auditPath(config.dataDir))).ok).toBe(true);
  });
});
