// Credentialed indicator requests per second and p99 latency over real HTTP (autocannon), next to
// three baselines measured in the same run: a lean-verify route (the same token check and VP + VC
// signature verification, then a fixed answer: no audit, no query), lean-verify plus the same query
// on the same pool (no audit, no replay state, no release) and a bare fastify route; and, for
// comparison only, the same exchange with the audit log's fsync skipped.
// The ratio to lean-verify is the price of the audit log and the query (target ≥ 0.5); the ratio to
// lean-verify + query is the price of what the exchange adds around the engine; the ratio to the
// unsynced exchange is the price of the audit log's durability alone (group commit: near 1).
// Afterwards the audit log must verify and hold exactly the expected entries for every request.
//   npm run bench:e2e -- [--employees 10000] [--requests 400] [--rounds 5] [--connections 8] [--indicator staff-pro-rata] [--answer-cache-bytes 0] [--out result.json] [--cpu-prof-dir dir]
// The answer cache (query.answerCacheBytes, on by default) answers a repeated question on the same
// generation without the engine; --answer-cache-bytes 0 makes every question run the query.
// --cpu-prof-dir writes one V8 CPU profile per phase and round (ours-1.cpuprofile, lean-1.cpuprofile; this
// process is the server and the load generator both); read them with bench/profile-top.ts.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { AuditLog, auditPath, exportAuditLog, verifyAuditLog, type AuditIo } from '../src/audit/index.js';
import { profileRoots } from '../src/cli/engine.js';
import { ProfileRegistry } from '../src/profiles/index.js';
import { prepareQuery, type QueryPool } from '../src/query/index.js';
import { SCOPE } from '../src/trust/index.js';
import { arg, median, writeResult } from './args.js';
import { benchWorld } from './world.js';

const employees = Number(arg('employees', '1000'));
const requests = Number(arg('requests', '400'));
const connections = Number(arg('connections', '8'));
// agreements-by-kind is cheap (measures the exchange); staff-pro-rata measures the query engine too.
const indicator = arg('indicator', 'agreements-by-kind');
const answerCacheBytes = arg('answer-cache-bytes', '');

// Answered at once (the synchronous exchange is what is measured; the product default is release
// by hand); the small-number check runs on every answer, and flagged cells go with a logged count.
let threadsBeforeServer = new Set<number>();
const world = await benchWorld(
  'e2e',
  employees,
  indicator,
  { 'exchange.ratePerMinute': 1_000_000, 'query.workers': 2, 'exchange.defaultRelease': 'auto', 'exchange.smallCells': 'allow-with-reason', ...(answerCacheBytes ? { 'query.answerCacheBytes': Number(answerCacheBytes) } : {}) },
  () => (threadsBeforeServer = new Set(threadCpuMs().keys())),
);
const { config, ds, url, accessToken: access_token } = world;

process.stderr.write(`… preparing ${requests} credentialed messages\n`);
async function messages(prefix: string, count = requests): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await world.message(`${prefix}-${i}`, indicator === 'staff-pro-rata' ? { jaar: 2025, kwartaal: (['Q1', 'Q2', 'Q3', 'Q4'] as const)[i % 4] } : undefined));
  }
  return out;
}
const bodies = await messages('bench');
// fresh presentations for the lean route (the exchange's replay cache has seen the others)
const leanBodies = await messages('lean');
const leanQueryBodies = await messages('lean-query');
// the exchange once more with the audit log's fsync skipped (page cache only): the price of its durability, same run
const unsyncedBodies = await messages('unsynced');
// Warm-up requests (not measured) for both routes before their measured phase: the first requests
// of a fresh process pay for compiling the code and the query workers' first queries.
const warmup = Number(arg('warmup', '0'));
// Interleaved rounds (see below); --rounds 1 measures each route once, in one phase.
const rounds = Math.max(1, Number(arg('rounds', '5')));
const warmBodies = await messages('warm', warmup);
const leanWarmBodies = await messages('lean-warm', warmup);
const leanQueryWarmBodies = await messages('lean-query-warm', warmup);
const unsyncedWarmBodies = await messages('warm-unsynced', warmup);

/** CPU ms of this process's main thread (Linux: /proc; the server's event loop and the load generator), else NaN. */
function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return NaN;
  }
}

/** A thread's name (Linux: libuv-worker for the pool, the worker's name for a worker thread), else ''. */
function threadName(tid: number): string {
  try {
    return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** CPU ms per thread of this process (Linux), by thread id. */
function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    }
  } catch {
    /* not Linux, or a thread ended meanwhile */
  }
  return out;
}

async function load(target: string, path: string, amount: number, make: () => { body?: string; headers: Record<string, string> }) {
  process.stderr.write(`… measuring ${path}\n`);
  // Timed from the start to the last response: autocannon's `duration` (and its completion) go
  // by a one-second tick, which quantised the ratio to 1/2, 1/3, 1/4 when a phase took ~1 s.
  const started = performance.now();
  const cpu = process.cpuUsage();
  const mainCpu = mainThreadCpuMs();
  const elu = performance.eventLoopUtilization();
  const threads = threadCpuMs();
  let last = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
    url: target,
    connections,
    amount,
    // a request may take as long as the query deadline
    timeout: Math.ceil(config.query.deadlineMs / 1000) + 10,
    requests: [{ method: 'POST', path, setupRequest: (req) => ({ ...req, ...make() }) }],
    }, (error, res) => (error ? reject(error as Error) : resolve(res)));
    instance.on('response', () => void (last = performance.now()));
  });
  const seconds = (last - started) / 1000;
  process.stderr.write(`… measured ${path}\n`);
  const used = process.cpuUsage(cpu);
  // per request: all threads (workers, libuv pool) and the main thread alone
  const cpuMsPerRequest = { process: (used.user + used.system) / 1000 / amount, mainThread: (mainThreadCpuMs() - mainCpu) / amount };
  // the share of the time the event loop was not waiting for events (CPU, or blocked in a synchronous call)
  const eventLoopUtilization = performance.eventLoopUtilization(elu).utilization;
  const byThread = [...threadCpuMs()].map(([tid, ms]) => ({ tid, ms: ms - (threads.get(tid) ?? 0), started: tid === process.pid ? 'main' : threadsBeforeServer.has(tid) ? 'before-server' : 'with-server' })).filter((t) => t.ms > 0).sort((a, b) => b.ms - a.ms);
  process.stderr.write(`  CPU ms by thread: ${byThread.map((t) => `${t.tid}(${threadName(t.tid)}, ${t.started}) ${t.ms}`).join(', ')}\n`);
  return { rps: amount / seconds, cpuMsPerRequest, eventLoopUtilization, autocannonSeconds: result.duration, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts };
}

const profileDir = arg('cpu-prof-dir', '');
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (!profileDir) return run();
  mkdirSync(profileDir, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

// The three routes, each with its own fresh presentations (the exchange's replay cache has seen
// the others). They are measured in interleaved rounds, in a rotating order, and each round's ratio
// is taken between phases minutes apart at most seconds: a neighbour's load on this shared machine
// shifts all phases of a round alike, where one long phase per route compared different minutes.
const headers = { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' };
const lean = Fastify({ bodyLimit: config.trust.maxJwtBytes * 2 });
// lean-verify: the same token check and signature verification as the exchange, nothing else
lean.post('/lean', async (request, reply) => {
  const message = request.body as { from: string; body: { message: string } };
  ds.trust.tokens.check(request.headers.authorization, SCOPE, message.from);
  const vp = await ds.trust.verifier.verify(message.body.message, message.from);
  return reply.send({ type: 'v1/basic-message/response', body: { resultset: [], credentials: vp.credentials.length } });
});
// lean-verify + query: the same checks, then the indicator's prepared text on the same pool
const question = ProfileRegistry.load(profileRoots(config)).indicator('demo', indicator);
lean.post('/lean-query', async (request, reply) => {
  const message = request.body as { from: string; body: { message: string; parameters?: Record<string, unknown> } };
  ds.trust.tokens.check(request.headers.authorization, SCOPE, message.from);
  await ds.trust.verifier.verify(message.body.message, message.from);
  const prepared = prepareQuery(question.text, question.parameters, message.body.parameters ?? {});
  const parts: string[] = [];
  await ds.pool.run({ text: prepared.engineText, vars: prepared.vars, format: 'json' }, (chunk) => void parts.push(chunk));
  return reply.type('application/json').send(`{"type":"v1/basic-message/response","body":{"resultset":${parts.join('')}}}`);
});
const leanUrl = await lean.listen({ host: '127.0.0.1', port: 0 });

type Measured = Awaited<ReturnType<typeof load>>;
interface Phase {
  name: 'ours' | 'lean' | 'lean-query' | 'unsynced';
  target: string;
  path: string;
  warm: string[];
  bodies: string[];
  next: number;
  rounds: (Measured & { amount: number })[];
}
const phases: Phase[] = [
  { name: 'ours', target: url, path: '/api/verifiedsparql', warm: warmBodies, bodies, next: 0, rounds: [] },
  { name: 'lean', target: leanUrl, path: '/lean', warm: leanWarmBodies, bodies: leanBodies, next: 0, rounds: [] },
  { name: 'lean-query', target: leanUrl, path: '/lean-query', warm: leanQueryWarmBodies, bodies: leanQueryBodies, next: 0, rounds: [] },
  { name: 'unsynced', target: url, path: '/api/verifiedsparql', warm: unsyncedWarmBodies, bodies: unsyncedBodies, next: 0, rounds: [] },
];
for (const p of phases) {
  let w = 0;
  if (warmup) await load(p.target, p.path, warmup, () => ({ body: p.warm[w++]!, headers }));
}
const answers = 'answers' in ds.pool ? (ds.pool as QueryPool).answers : undefined;
let oursCacheHits = 0;
// The audit log's fsyncs during the measured requests: what group commit shares among them.
const auditLog = AuditLog.for(config.dataDir);
const realIo = auditLog.io;
let auditFsyncs = 0;
const countedIo: AuditIo = { ...realIo, fsync: (fd, callback) => (auditFsyncs++, realIo.fsync(fd, callback)) };
// for comparison only: written to the page cache, acknowledged without an fsync (never the product's behaviour)
const unsyncedIo: AuditIo = { ...realIo, fsync: (_fd, callback) => void setImmediate(callback, null) };
for (let r = 0; r < rounds; r++) {
  const amount = Math.floor(requests / rounds) + (r < requests % rounds ? 1 : 0);
  for (let i = 0; i < phases.length; i++) {
    const p = phases[(r + i) % phases.length]!;
    const hits = answers?.hits ?? 0;
    auditLog.io = p.name === 'unsynced' ? unsyncedIo : countedIo;
    const measured = await profiled(rounds > 1 ? `${p.name}-${r + 1}` : p.name, () => load(p.target, p.path, amount, () => ({ body: p.bodies[p.next++]!, headers })));
    if (p.name === 'ours') oursCacheHits += (answers?.hits ?? 0) - hits;
    p.rounds.push({ ...measured, amount });
  }
}
await lean.close();
auditLog.io = realIo;

/** A route's rounds together: requests over their summed time, CPU weighted by requests, the worst round's p99. */
function combined(p: Phase) {
  const amount = p.rounds.reduce((n, r) => n + r.amount, 0);
  const seconds = p.rounds.reduce((t, r) => t + r.amount / r.rps, 0);
  const weighted = (f: (r: Phase['rounds'][number]) => number) => p.rounds.reduce((t, r) => t + f(r) * r.amount, 0) / amount;
  return {
    rps: amount / seconds,
    rpsByRound: p.rounds.map((r) => r.rps),
    cpuMsPerRequest: { process: weighted((r) => r.cpuMsPerRequest.process), mainThread: weighted((r) => r.cpuMsPerRequest.mainThread) },
    eventLoopUtilization: weighted((r) => r.eventLoopUtilization),
    p99: Math.max(...p.rounds.map((r) => r.p99)),
    non2xx: p.rounds.reduce((n, r) => n + r.non2xx, 0),
    errors: p.rounds.reduce((n, r) => n + r.errors, 0),
    timeouts: p.rounds.reduce((n, r) => n + r.timeouts, 0),
  };
}
const [oursPhase, leanPhase, leanQueryPhase, unsyncedPhase] = phases as [Phase, Phase, Phase, Phase];
const ours = combined(oursPhase);
const leanVerify = combined(leanPhase);
const leanQuery = combined(leanQueryPhase);
const unsynced = combined(unsyncedPhase);
const cacheHits = oursCacheHits;
const roundRatios = (to: Phase) => oursPhase.rounds.map((r, i) => r.rps / to.rounds[i]!.rps);
const byLeanVerify = roundRatios(leanPhase);
const byLeanQuery = roundRatios(leanQueryPhase);
const byUnsynced = roundRatios(unsyncedPhase);
await ds.close();

const bare = Fastify();
bare.post('/bare', async () => ({ type: 'v1/basic-message/response', body: { resultset: [] } }));
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
// the bare route gets enough requests to measure a rate at all
const baseline = await load(bareUrl, '/bare', Math.max(requests, 5000), () => ({ body: '{}', headers: { 'content-type': 'application/json' } }));
await bare.close();

// Every request: received, token-checked, presentation-verified, query-validated, executed, answer-sent.
const verified = await verifyAuditLog(auditPath(config.dataDir));
const perThread = new Map<string, string[]>();
for await (const e of exportAuditLog(auditPath(config.dataDir), {})) {
  if (e.thread_id?.startsWith('bench-') || e.thread_id?.startsWith('unsynced-')) perThread.set(e.thread_id, [...(perThread.get(e.thread_id) ?? []), e.activity]);
}
const expected = 'received,token-checked,presentation-verified,query-validated,executed,answer-sent';
const complete = [...perThread.values()].filter((a) => a.join(',') === expected).length;

const result = {
  employees,
  requests,
  connections,
  answerCacheBytes: config.query.answerCacheBytes,
  ours: { ...ours, answerCacheHits: cacheHits, auditFsyncsPerRequest: auditFsyncs / requests },
  leanVerify,
  leanQuery,
  baseline,
  ratio: ours.rps / baseline.rps,
  // the median of the rounds' ratios (each round's phases seconds apart), and every round's
  ratioToLeanVerify: median(byLeanVerify),
  ratioToLeanQuery: median(byLeanQuery),
  ratioToUnsynced: median(byUnsynced),
  unsynced,
  rounds: { count: rounds, ratioToLeanVerify: byLeanVerify, ratioToLeanQuery: byLeanQuery, ratioToUnsynced: byUnsynced },
  pooled: { ratioToLeanVerify: ours.rps / leanVerify.rps, ratioToLeanQuery: ours.rps / leanQuery.rps, ratioToUnsynced: ours.rps / unsynced.rps },
  audit: { verifies: verified.ok, threadsComplete: complete, threadsExpected: 2 * requests },
};
console.log(`End-to-end benchmark: ${employees} employees, ${requests} credentialed requests (demo ${indicator}), ${connections} connections`);
console.log('| what | requests/s | p99 latency | non-2xx | errors |');
console.log('|---|---|---|---|---|');
const cacheNote = config.query.answerCacheBytes ? `answer cache: ${cacheHits}/${requests} from the cache` : 'answer cache off: the engine ran every question';
console.log(`| POST /api/verifiedsparql (token, VP + VC verify, query, audit fsync; ${cacheNote}) | ${ours.rps.toFixed(2)} | ${ours.p99} ms | ${ours.non2xx} | ${ours.errors} |`);
console.log(`| baseline: lean-verify route (token + VP + VC verify, no audit, no query) | ${leanVerify.rps.toFixed(1)} | ${leanVerify.p99} ms | ${leanVerify.non2xx} | ${leanVerify.errors} |`);
console.log(`| baseline: lean-verify + query (the same pool and answer cache; no audit, no replay state) | ${leanQuery.rps.toFixed(1)} | ${leanQuery.p99} ms | ${leanQuery.non2xx} | ${leanQuery.errors} |`);
console.log(`| comparison: the same exchange, audit log not fsynced (page cache only; never the product) | ${unsynced.rps.toFixed(1)} | ${unsynced.p99} ms | ${unsynced.non2xx} | ${unsynced.errors} |`);
console.log(`| baseline: bare fastify route | ${baseline.rps.toFixed(1)} | ${baseline.p99} ms | ${baseline.non2xx} | ${baseline.errors} |`);
const cpu = (r: Pick<typeof ours, 'cpuMsPerRequest' | 'eventLoopUtilization'>) => `${r.cpuMsPerRequest.mainThread.toFixed(2)} ms main thread, ${r.cpuMsPerRequest.process.toFixed(2)} ms all threads, event loop ${(100 * r.eventLoopUtilization).toFixed(0)} % busy`;
console.log(`CPU per request (server and load generator share the process): ours ${cpu(ours)}; lean-verify ${cpu(leanVerify)}; lean-verify + query ${cpu(leanQuery)}; bare ${cpu(baseline)}`);
const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
console.log(`ratio to lean-verify: ${result.ratioToLeanVerify.toFixed(4)} (median of ${rounds} interleaved rounds: ${list(byLeanVerify)}; pooled ${result.pooled.ratioToLeanVerify.toFixed(4)}; target ≥ 0.5)`);
console.log(`ratio to lean-verify + query: ${result.ratioToLeanQuery.toFixed(4)} (median of the rounds: ${list(byLeanQuery)}; pooled ${result.pooled.ratioToLeanQuery.toFixed(4)}; the price of the exchange around the engine: envelope, replay state, audit)`);
console.log(`ratio to the same exchange without audit fsync: ${result.ratioToUnsynced.toFixed(4)} (median of the rounds: ${list(byUnsynced)}; pooled ${result.pooled.ratioToUnsynced.toFixed(4)}; the price of the audit log's durability)`);
console.log(`ratio to bare route: ${result.ratio.toFixed(4)}`);
console.log(`audit log: ${verified.ok ? 'verifies' : 'BROKEN'}; ${complete}/${2 * requests} threads hold exactly the 6 expected entries; ${(auditFsyncs / requests).toFixed(2)} audit fsyncs per request (group commit)`);
writeResult(result);
