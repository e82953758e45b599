// A large synchronous answer streams over real HTTP: the client holds the first bytes while the
// server has not finished (the log shows answer-started, not answer-sent, and the server cannot
// finish because the client does not read: backpressure); the whole answer matches the sha256 the
// log keeps; a deadline mid-stream and a client gone mid-stream cut the response off and are
// logged; a small answer is still collected and answered with one durable write.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { packageRoot } from '../../src/config/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { runImport } from '../../src/importer/index.js';
import type { QueryPool } from '../../src/query/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { threadEntries } from './support.js';

// 400 × 250 rows of two IRIs: about 25 MB of SPARQL JSON, more than any socket buffers.
const BIG = 'SELECT ?a ?b WHERE { { SELECT DISTINCT ?a WHERE { ?a ?p ?o } LIMIT 400 } { SELECT DISTINCT ?b WHERE { ?b ?q ?r } LIMIT 250 } }\n';
// The deadline case must outgrow what loopback TCP can buffer between a client that stops reading
// and the server (autotuned receive window up to tcp_rmem's maximum, 32 MB on these machines, plus
// the send buffer): otherwise the whole answer fits in the kernel and finishes before the deadline.
const kernelBuffers = ['tcp_rmem', 'tcp_wmem'].reduce((sum, f) => {
  try {
    return sum + Number(readFileSync(`/proc/sys/net/ipv4/${f}`, 'utf8').trim().split(/\s+/)[2]);
  } catch {
    return sum + 8 * 1024 * 1024;
  }
}, 0);
const copies = Math.max(2, Math.ceil((2 * kernelBuffers) / (25 * 1024 * 1024)));
const HUGE = BIG.replace('WHERE { {', `WHERE { VALUES ?copy { ${Array.from({ length: copies }, (_, i) => i).join(' ')} } {`);
const SMALL = 'SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/ozo/onz-g#Human> }\n';

let w: World;
let ds: Datastation;
let port: number;

beforeAll(async () => {
  w = await makeWorld({ 'query.workers': 1, 'query.deadlineMs': 20_000, 'exchange.minGroupSize': 1, 'exchange.ratePerMinute': 100_000 });
  const dir = join(w.config.dataDir, 'profiles', 'stream-test', '1.0.0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'big.rq'), BIG);
  writeFileSync(join(dir, 'huge.rq'), HUGE);
  writeFileSync(join(dir, 'small.rq'), SMALL);
  const indicator = (id: string) => ({ id, title: id, query: `${id}.rq`, parameters: [] });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'stream-test', title: 'stream test', version: '1.0.0', ontology: { min: '3.0.0' }, indicators: [indicator('big'), indicator('huge'), indicator('small')] }));
  await runImport(w.config, { inputs: [EXAMPLE_DIR] });
  ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles'), join(w.config.dataDir, 'profiles')], pollSeconds: 0 });
  const base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(base).port);
}, 90_000);
afterAll(async () => ds?.close());

/** Ask over node:http so the test decides when the body is read. */
async function ask(indicator: 'big' | 'huge' | 'small'): Promise<{ thread: string; response: IncomingMessage }> {
  const vc = await w.parties.issueQuestion(w.beheer, w.requester, indicatorClaims(w.config, 'stream-test', indicator));
  const thread = `str-${randomUUID()}`;
  const body = JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: w.requester, to: w.did, thread_id: thread, body: { message: await w.parties.present(w.requester, w.did, [vc]) } });
  const token = ds.trust.tokens.issue(w.requester).token;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/verifiedsparql', method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, resolve);
    req.on('error', reject);
    req.end(body);
  });
  return { thread, response };
}

const firstChunk = (r: IncomingMessage) => new Promise<Buffer>((resolve) => r.once('data', (c: Buffer) => (r.pause(), resolve(c))));

/** The rest of the body, or how it ended when it was cut off. */
function rest(r: IncomingMessage, into: Buffer[]): Promise<'complete' | 'cut off'> {
  return new Promise((resolve) => {
    r.on('data', (c: Buffer) => into.push(c));
    r.on('end', () => resolve(r.complete ? 'complete' : 'cut off'));
    r.on('aborted', () => resolve('cut off'));
    r.on('error', () => resolve('cut off'));
    r.resume();
  });
}

/** The thread's entries once `activity` is among them; fails with what is there after 60 s. */
async function waitFor(thread: string, activity: string): Promise<Record<string, unknown>[]> {
  const until = Date.now() + 60_000;
  for (;;) {
    const entries = (await threadEntries(w.config.dataDir, thread)) as unknown as Record<string, unknown>[];
    if (entries.some((e) => e.activity === activity)) return entries;
    if (Date.now() > until) throw new Error(`no ${activity} after 60 s; the thread has: ${entries.map((e) => String(e.activity)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a large synchronous answer streams', () => {
  it('reaches the client before the server has finished it, and the log holds its digest', async () => {
    const { thread, response } = await ask('big');
    expect(response.statusCode).toBe(200);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    const first = await firstChunk(response);
    expect(first.toString().startsWith('{"type":"v1/basic-message/response"')).toBe(true);
    // The client holds the first bytes and reads no more: the server is stuck mid-answer.
    let entries = await threadEntries(w.config.dataDir, thread);
    expect(entries.map((e) => e.activity)).toContain('answer-started');
    expect(entries.map((e) => e.activity)).not.toContain('answer-sent');
    const chunks = [first];
    expect(await rest(response, chunks)).toBe('complete');
    const body = Buffer.concat(chunks);
    const parsed = JSON.parse(body.toString()) as { thread_id: string; body: { resultset: { id: string; result: { results: { bindings: unknown[] } } }[] } };
    expect(parsed.thread_id).toBe(thread);
    expect(parsed.body.resultset[0]!.id).toBe('big');
    expect(parsed.body.resultset[0]!.result.results.bindings).toHaveLength(400 * 250);
    entries = await threadEntries(w.config.dataDir, thread);
    const sent = entries.find((e) => e.activity === 'answer-sent') as unknown as { content: { sha256: string; bytes: number }; streamed: boolean };
    expect(sent.content).toEqual({ sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length });
    const order = entries.map((e) => e.activity);
    expect(order.indexOf('executed')).toBeLessThan(order.indexOf('answer-started'));
  }, 60_000);

  it('is cut off, detectably, when the deadline passes mid-stream; the worker is replaced and serves again', async () => {
    const replaced = (ds.pool as QueryPool).replaced;
    const { thread, response } = await ask('huge');
    expect(response.statusCode).toBe(200); // the query itself finished within the deadline
    await firstChunk(response);
    // The client stops reading until the server has given up at its deadline.
    const entries = await waitFor(thread, 'answer-aborted');
    expect(entries.find((e) => e.activity === 'answer-aborted')).toMatchObject({ code: 'deadline_exceeded' });
    expect(entries.map((e) => e.activity)).not.toContain('answer-sent');
    expect(await rest(response, [])).toBe('cut off');
    expect((ds.pool as QueryPool).replaced).toBe(replaced + 1);
    const small = await ask('small');
    const parts: Buffer[] = [];
    expect(await rest(small.response, parts)).toBe('complete');
    expect(small.response.headers['content-length']).toBeDefined(); // collected, not streamed
    expect(Buffer.concat(parts).toString()).toMatch(/"resultset":\[\{"id":"small"/);
  }, 120_000);

  it('stops serialising when the client goes, logs it, and reuses the worker', async () => {
    const replaced = (ds.pool as QueryPool).replaced;
    const { thread, response } = await ask('big');
    await firstChunk(response);
    response.destroy();
    const entries = await waitFor(thread, 'answer-aborted');
    expect(entries.find((e) => e.activity === 'answer-aborted')).toMatchObject({ code: 'client_gone' });
    const small = await ask('small');
    expect(await rest(small.response, [])).toBe('complete');
    expect((ds.pool as QueryPool).replaced).toBe(replaced);
  }, 60_000);
});
