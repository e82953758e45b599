// An unauthenticated flood against a legitimate requester, measured in the same run:
//   1. baseline: the requester asks `--requests` credentialed questions (`--concurrency` at a time), no flood;
//   2. flood: a second process (bench/flood-child.ts) floods the public routes without credentials
//      (bad tokens, junk and oversized bodies, junk token requests) over `--connections`
//      connections from `--sources` loopback addresses, while the requester asks the same number again.
// Prints p50/p99 of the legitimate requests in both phases and their ratio, what the flood got
// (statuses, rate), the server process's RSS growth and the audit log's growth per flood request.
// The server runs in this process (the requester's client is light: bodies are signed beforehand).
//   npm run bench:flood -- [--employees 300] [--requests 200] [--concurrency 2] [--connections 32] [--sources 64] [--out result.json]
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { auditPath, verifyAuditLog } from '../src/audit/index.js';
import { arg, writeResult } from './args.js';
import { benchWorld } from './world.js';

const employees = Number(arg('employees', '300'));
const requests = Number(arg('requests', '200'));
const concurrency = Number(arg('concurrency', '2'));
const connections = Number(arg('connections', '32'));
const sources = Number(arg('sources', '64'));

// The shipped limits (rate per address, admission), except the requester's own budget: its
// 2 × `requests` questions from one address must fit in the rate window, and answers go at once
// (the product default, release by hand, answers 400 without a reply_url: nothing to measure).
const world = await benchWorld('flood', employees, 'agreements-by-kind', { 'exchange.ratePerMinute': Math.max(120, 4 * requests), 'exchange.defaultRelease': 'auto', 'exchange.smallCells': 'allow-with-reason' });
const { config, ds, url, accessToken: access_token } = world;
const port = Number(new URL(url).port);

process.stderr.write(`… signing ${2 * requests} questions\n`);
const bodies = async (n: number) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await world.message(`flood-bench-${randomUUID()}`));
  return out;
};
const [baselineBodies, floodBodies] = [await bodies(requests), await bodies(requests)];

async function legitimate(list: string[]) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const body = list[next++]!;
      const started = performance.now();
      const response = await fetch(`${url}/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)!, rps: list.length / seconds, statuses };
}

// RSS of this (the server's) process, sampled through both phases.
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mb = (b: number) => b / 1024 / 1024;
// With --expose-gc (npm run bench:flood) memory is read after a full collection: what is kept, not garbage.
const settled = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
};
const auditBytes = () => statSync(auditPath(config.dataDir)).size;

// warm-up (JIT, worker, caches), not measured
await legitimate(await bodies(10));
const { rss: rssStart, heapUsed: heapStart } = settled();
const baseline = await legitimate(baselineBodies);
const { rss: rssAfterBaseline, heapUsed: heapAfterBaseline } = settled();

process.stderr.write(`… flooding with ${connections} connections from ${sources} addresses\n`);
const child = fork(new URL(`./flood-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url), [String('127.0.0.1'), String(port), String(connections), String(sources), world.ownDid]);
await new Promise<void>((ready) => child.once('message', () => ready()));
await new Promise((r) => setTimeout(r, 1000)); // let the flood reach its pace
const auditBeforeFlood = auditBytes();
const floodStarted = performance.now();
const flooded = await legitimate(floodBodies);
const floodSeconds = (performance.now() - floodStarted) / 1000;
const floodReport = new Promise<{ counts: Record<string, number> }>((done) => child.on('message', (m) => typeof m === 'object' && m !== null && 'counts' in m && done(m as { counts: Record<string, number> })));
child.send('stop');
const { counts } = await floodReport;
const auditGrowth = auditBytes() - auditBeforeFlood;
const { rss: rssEnd, heapUsed: heapEnd } = settled();
clearInterval(sampler);
await ds.close();
const verified = await verifyAuditLog(auditPath(config.dataDir));

const floodTotal = Object.values(counts).reduce((a, b) => a + b, 0);
const legitAudit = (auditGrowth / floodTotal).toFixed(0);
const result = {
  employees, requests, concurrency, connections, sources,
  baseline, flooded,
  p99Ratio: flooded.p99 / baseline.p99,
  p50Ratio: flooded.p50 / baseline.p50,
  flood: { requests: floodTotal, perSecond: floodTotal / floodSeconds, statuses: counts },
  memory: { rssStartMb: mb(rssStart), rssAfterBaselineMb: mb(rssAfterBaseline), rssEndMb: mb(rssEnd), peakMb: mb(peakRss), growthDuringFloodMb: mb(rssEnd - rssAfterBaseline), heapMb: [mb(heapStart), mb(heapAfterBaseline), mb(heapEnd)], gc: Boolean((globalThis as { gc?: unknown }).gc) },
  audit: { bytesDuringFlood: auditGrowth, bytesPerRequestDuringFlood: auditGrowth / floodTotal, verifies: verified.ok },
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`Unauthenticated flood: ${employees} employees; legitimate requester ${requests} questions per phase, ${concurrency} at a time; flood ${connections} connections from ${sources} addresses`);
console.log('| phase | p50 | p99 | max | legit req/s | legit statuses |');
console.log('|---|---|---|---|---|---|');
console.log(`| baseline (no flood) | ${ms(baseline.p50)} | ${ms(baseline.p99)} | ${ms(baseline.max)} | ${baseline.rps.toFixed(1)} | ${JSON.stringify(baseline.statuses)} |`);
console.log(`| under flood | ${ms(flooded.p50)} | ${ms(flooded.p99)} | ${ms(flooded.max)} | ${flooded.rps.toFixed(1)} | ${JSON.stringify(flooded.statuses)} |`);
console.log(`p99 under flood / baseline p99: ${result.p99Ratio.toFixed(2)}; p50 ratio ${result.p50Ratio.toFixed(2)}`);
console.log(`flood: ${floodTotal} requests, ${result.flood.perSecond.toFixed(0)}/s, statuses ${JSON.stringify(counts)}`);
console.log(`server RSS: ${mb(rssStart).toFixed(0)} MB before, ${mb(rssAfterBaseline).toFixed(0)} MB after the baseline, ${mb(rssEnd).toFixed(0)} MB after the flood (peak ${mb(peakRss).toFixed(0)} MB): growth during the flood ${result.memory.growthDuringFloodMb.toFixed(1)} MB; heap ${result.memory.heapMb.map((h) => h.toFixed(0)).join(' → ')} MB${result.memory.gc ? ' (after full GC)' : ' (run with --expose-gc for settled figures)'}`);
console.log(`audit log: +${auditGrowth} bytes during the flood phase (legitimate entries included), ${legitAudit} bytes per flood request; chain ${verified.ok ? 'verifies' : 'BROKEN'}`);
writeResult(result);
process.exit(0);
