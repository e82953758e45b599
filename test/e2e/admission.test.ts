// Per-requester concurrency and a bounded queue, over real HTTP: requester A flooding with slow
// questions holds at most its share; B is still answered; beyond the queue everyone gets 503;
// each refusal is one code with Retry-After, and logged.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { packageRoot } from '../../src/config/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { Admission } from '../../src/exchange/index.js';
import { runImport } from '../../src/importer/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { threadEntries } from './support.js';

// A question that keeps a query worker busy for a while (a counted cross product), and a cheap one.
const SLOW = 'SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?p ?o } LIMIT 2500 } { SELECT ?b WHERE { ?b ?q ?r } LIMIT 2500 } }\n';
const FAST = 'SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/ozo/onz-g#Human> }\n';

let w: World;
let ds: Datastation;
let base: string;

beforeAll(async () => {
  w = await makeWorld({ 'query.workers': 1, 'exchange.ratePerMinute': 100_000, 'exchange.concurrency': { perRequester: 2, running: 2, queued: 1, retryAfterSeconds: 3 } });
  const dir = join(w.config.dataDir, 'profiles', 'admission-test', '1.0.0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'slow.rq'), SLOW);
  writeFileSync(join(dir, 'fast.rq'), FAST);
  const indicator = (id: string) => ({ id, title: id, query: `${id}.rq`, parameters: [] });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'admission-test', title: 'admission test', version: '1.0.0', ontology: { min: '3.0.0' }, indicators: [indicator('slow'), indicator('fast')] }));
  await runImport(w.config, { inputs: [EXAMPLE_DIR] });
  ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles'), join(w.config.dataDir, 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);
afterAll(async () => ds?.close());

interface Question {
  requester: string;
  thread: string;
  body: string;
}

/** Signed ahead, so that the flood itself is only HTTP. */
async function question(requester: string, indicator: 'slow' | 'fast'): Promise<Question> {
  const vc = await w.parties.issueQuestion(w.beheer, requester, indicatorClaims(w.config, 'admission-test', indicator));
  const thread = `adm-${randomUUID()}`;
  const message = { type: 'v1/basic-message/request', jti: randomUUID(), from: requester, to: w.did, thread_id: thread, body: { message: await w.parties.present(requester, w.did, [vc]) } };
  return { requester, thread, body: JSON.stringify(message) };
}

async function ask(q: Question): Promise<{ status: number; retryAfter: string | null; code?: string; thread: string }> {
  const response = await fetch(`${base}/api/verifiedsparql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ds.trust.tokens.issue(q.requester).token}` },
    body: q.body,
  });
  const body = (await response.json()) as { body?: { code?: string } };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), thread: q.thread, ...(body.body?.code ? { code: body.body.code } : {}) };
}

const questions = (n: number, requester: string, indicator: 'slow' | 'fast') => Promise.all(Array.from({ length: n }, () => question(requester, indicator)));

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
};

describe('admission', () => {
  it('the limiter: per-requester share, FIFO hand-over, bounded queue', async () => {
    const a = new Admission({ perRequester: 2, running: 1, queued: 2 });
    const first = await a.acquire('A');
    const second = a.acquire('A'); // waits
    await expect(a.acquire('A')).rejects.toMatchObject({ code: 'requester_busy', status: 429 });
    const b = a.acquire('B'); // waits behind A's second
    await expect(a.acquire('C')).rejects.toMatchObject({ code: 'server_busy', status: 503 });
    const order: string[] = [];
    void second.then(() => order.push('A2'));
    void b.then(() => order.push('B'));
    first();
    first(); // a second call is ignored
    (await second)();
    (await b)();
    expect(order).toEqual(['A2', 'B']);
    expect([a.running, a.queued]).toEqual([0, 0]);
    (await a.acquire('A'))();
  });

  it('A floods with slow questions: A gets 429 beyond its two, B is answered, a third party beyond the queue gets 503', async () => {
    const [first, more, [forB], [forC]] = await Promise.all([questions(10, w.requester, 'slow'), questions(6, w.requester, 'slow'), questions(1, w.jwkRequester, 'fast'), questions(1, w.webRequester, 'fast')]);
    const flood = first.map(ask);
    await until(() => ds.exchange.admission.running === 2);
    // While A's two run, A keeps flooding and is refused at once, each time.
    const refused = await Promise.all(more.map(ask));
    for (const r of refused) expect(r).toMatchObject({ status: 429, code: 'requester_busy', retryAfter: '3' });
    expect(ds.exchange.admission.running).toBe(2); // A's slow ones still run: the refusals were not served after them
    const b = ask(forB!);
    await until(() => ds.exchange.admission.queued === 1);
    const c = await ask(forC!);
    expect(c).toMatchObject({ status: 503, code: 'server_busy', retryAfter: '3' });
    const answeredB = await b;
    expect(answeredB.status).toBe(200);
    const outcomes = await Promise.all(flood);
    expect(outcomes.filter((o) => o.status === 200)).toHaveLength(2);
    expect(outcomes.filter((o) => o.code === 'requester_busy')).toHaveLength(8);
    // Each is logged: B's answer, A's refusal with its code under A.
    expect((await threadEntries(w.config.dataDir, answeredB.thread)).map((e) => e.activity)).toContain('answer-sent');
    const refusal = await threadEntries(w.config.dataDir, refused[0]!.thread);
    expect(refusal.at(-1)).toMatchObject({ activity: 'rejected', code: 'requester_busy', actor: w.requester });
    expect([ds.exchange.admission.running, ds.exchange.admission.queued]).toEqual([0, 0]);
  }, 120_000);
});
