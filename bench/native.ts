// Issue 17: every official query of the six profiles on the native Oxigraph server (RocksDB on
// disk, loaded through RemoteStore's Graph Store path, run through RemoteRunner with the engine's
// compatibility profile) vs the embedded engine (QueryPool, one worker), same generation, same
// run, each query on both before the next; medians of --runs, a deadline per query.
//   npm run bench:native -- [--employees 10000] [--runs 3] [--deadline 60000] [--only 1.1,14.2] [--data-dir <imported dir with profiles>]
// The generation and import run in a child process (--prepare), so this process's peak RSS is the
// embedded store's (plus Node), and the server's is read from /proc (VmHWM).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../examples/generator/generate.js';
import { loadConfig, packageRoot } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { ProfileRegistry, installProfile, valuesFor } from '../src/profiles/index.js';
import { QueryPool, RemoteRunner, prepareQuery, type QueryRunner, type RunRequest } from '../src/query/index.js';
import { RemoteStore, currentGenerationId } from '../src/store/index.js';
import { arg, median, peakRssMb, writeResult } from './args.js';
import { OxigraphServer, oxigraphMissing } from './oxigraph-server.js';
import { CI_PARAMETERS, OFFICIAL } from './planner-params.js';

const employees = Number(arg('employees', '1000'));
const runs = Number(arg('runs', '3'));
const deadline = Number(arg('deadline', '60000'));
const limitMs = Number(arg('limit', '2000'));
const only = arg('only', '').split(',').filter(Boolean);
// The server's own --timeout-s, a little after the client's deadline: past it, a query still
// computing is one Oxigraph does not cancel (its token is only checked when a quad is scanned).
const serverTimeoutS = Math.ceil(deadline / 1000) + 2;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

if (process.argv.includes('--prepare')) {
  // Child: generate, import and install the official profiles into the given folder.
  const dataDir = arg('prepare', '');
  const t0 = performance.now();
  const org = generate(join(dataDir, '..', 'org'), { employees, clients: Math.round((employees * 4) / 3), years: [2024, 2025], seed: 1, messy: false });
  const t1 = performance.now();
  await runImport(loadConfig({ env: {}, overrides: { dataDir, 'import.shacl': false } }), { inputs: [org.dir] });
  const conformance = arg('official', join(packageRoot(), '..', 'shared', 'conformance'));
  for (const dir of OFFICIAL) if (existsSync(join(conformance, dir))) installProfile(join(conformance, dir), join(dataDir, 'profiles'));
  writeFileSync(join(dataDir, '..', 'prepare.json'), JSON.stringify({ generateMs: t1 - t0, importMs: performance.now() - t1, peakRssMb: Math.round(peakRssMb()) }));
  rmSync(org.dir, { recursive: true, force: true });
  process.exit(0);
}

const missing = oxigraphMissing();
if (missing) {
  console.log(`bench:native not run: ${missing}`);
  writeResult({ skipped: missing });
  process.exit(0);
}

let dataDir = arg('data-dir', '');
let scratch = '';
let prepare: { generateMs: number; importMs: number; peakRssMb: number } | undefined;
if (!dataDir) {
  scratch = mkdtempSync(join(tmpdir(), `ds-bench-native-${employees}-`));
  dataDir = join(scratch, 'data');
  mkdirSync(dataDir);
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--prepare', dataDir, '--employees', String(employees), ...(process.argv.includes('--official') ? ['--official', arg('official', '')] : [])], { stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`generating and importing ${employees} employees failed (${child.status ?? child.signal})`);
  prepare = JSON.parse(readFileSync(join(scratch, 'prepare.json'), 'utf8')) as typeof prepare;
  console.log(`generated ${employees} employees in ${(prepare!.generateMs / 1000).toFixed(1)} s, imported in ${(prepare!.importMs / 1000).toFixed(1)} s (peak RSS ${prepare!.peakRssMb} MB)`);
}
const generation = currentGenerationId(dataDir)!;
const registry = ProfileRegistry.load([join(dataDir, 'profiles')]);
const cases = registry.list().flatMap((p) =>
  p.indicators
    .filter((i) => !only.length || only.includes(i.id))
    .map((i) => {
      const ind = registry.indicator(p.id, i.id, p.version);
      return { profile: p.id, indicator: i.id, key: `${p.id} ${i.id}`, prepared: prepareQuery(ind.text, ind.parameters, valuesFor(ind.parameters, CI_PARAMETERS[p.id] ?? {})) };
    }),
);

// Embedded: one worker, so its memory is one copy of the dataset. A dataset past what the
// embedded store can hold (wasm32: 4 GiB of memory, some 13M triples by extrapolation from 10k) fails to load; the native
// run goes on and every embedded cell says why (--no-embedded skips the attempt).
const rssBeforeMb = mb(process.memoryUsage().rss);
const pool = new QueryPool({ dataDir, size: 1, deadlineMs: deadline, rowCap: 10_000_000 });
let t = performance.now();
let embeddedMissing = process.argv.includes('--no-embedded') ? 'skipped (--no-embedded)' : '';
if (!embeddedMissing) {
  try {
    await pool.load(generation);
  } catch (error) {
    embeddedMissing = `could not load: ${(error as Error).message.slice(0, 120)}`;
  }
}
const embeddedLoad = { ms: performance.now() - t, rssMb: mb(process.memoryUsage().rss), source: embeddedMissing || pool.loads.at(-1)?.source, error: embeddedMissing || undefined };
if (embeddedMissing) console.log(`embedded engine ${embeddedMissing} after ${((performance.now() - t) / 1000).toFixed(1)} s`);

// Native: a fresh RocksDB folder beside the data, loaded through RemoteStore (Graph Store protocol, bulk).
const dbDir = scratch || mkdtempSync(join(tmpdir(), 'ds-bench-native-db-'));
const server = new OxigraphServer(join(dbDir, 'oxigraph-db'), { timeoutMs: deadline, serverTimeoutS });
await server.start();
const remote = () => new RemoteRunner(new RemoteStore(server.config), { dataDir, deadlineMs: deadline, rowCap: 10_000_000 });
let native = remote();
t = performance.now();
await native.load(generation);
const nativeLoad = { ms: performance.now() - t, rssMb: Math.round(server.rssMb()), peakRssMb: Math.round(server.peakRssMb()) };
console.log(`loaded: embedded ${(embeddedLoad.ms / 1000).toFixed(1)} s (${embeddedLoad.source}), RSS ${rssBeforeMb} → ${embeddedLoad.rssMb} MB; native ${(nativeLoad.ms / 1000).toFixed(1)} s, server RSS ${nativeLoad.rssMb} MB`);

type Cell = { type: string; value: string; datatype?: string };
const NUMERIC = new Set(['integer', 'decimal', 'double', 'float', 'int', 'long'].map((x) => `http://www.w3.org/2001/XMLSchema#${x}`));
/** As test/conformance/official.ts compares engines: sorted rows, numbers to 9 digits, blank nodes erased. */
function answerOf(json: string): string {
  const parsed = JSON.parse(json) as { boolean?: boolean; results?: { bindings: Record<string, Cell>[] } };
  if (typeof parsed.boolean === 'boolean') return String(parsed.boolean);
  const rows = parsed.results!.bindings.map((r) =>
    JSON.stringify(Object.keys(r).sort().map((k) => {
      const c = r[k]!;
      if (c.type === 'bnode') return [k, '_'];
      return [k, c.datatype && NUMERIC.has(c.datatype) ? Number(Number(c.value).toPrecision(9)) : c.value];
    })),
  );
  return JSON.stringify(rows.sort());
}

type Timing = { ms: number | null; rows?: number; answer?: string; error?: string; refused?: boolean; afterAbort?: { cpuS: number; restarted: boolean } };
async function measure(runner: QueryRunner, request: RunRequest): Promise<Timing> {
  const times: number[] = [];
  let answer: string | undefined;
  let rows = 0;
  for (let r = 0; r < runs; r++) {
    let json = '';
    const started = performance.now();
    try {
      rows = (await runner.run(request, (chunk) => void (json += chunk))).rows;
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message.slice(0, 60);
      if (code === 'refused_on_engine') return { ms: null, refused: true, error: code };
      return { ms: code === 'deadline_exceeded' ? null : NaN, error: code };
    }
    times.push(performance.now() - started);
    answer ??= answerOf(json);
    if (times[0]! > limitMs * 5) break; // a slow query is slow: once is enough
  }
  return { ms: median(times), rows, answer };
}

/**
 * After a native deadline the client has aborted, but Oxigraph goes on until its own --timeout-s
 * cancels the query, if it can. Wait until just past that, measure the server's CPU over one
 * second, and restart it when it is still computing, so the next queries get the cores.
 */
let restarts = 0;
async function afterNativeAbort(): Promise<{ cpuS: number; restarted: boolean }> {
  const c0 = server.cpuSeconds();
  await new Promise((r) => setTimeout(r, serverTimeoutS * 1000 - deadline + 1000));
  const c1 = server.cpuSeconds();
  await new Promise((r) => setTimeout(r, 1000));
  const busy = server.cpuSeconds() - c1;
  const cpuS = server.cpuSeconds() - c0;
  if (busy < 0.3) return { cpuS, restarted: false };
  await server.restart();
  native = remote();
  await native.load(generation); // the generation is complete on disk: only checked, not reloaded
  restarts++;
  return { cpuS, restarted: true };
}

const fmt = (x: Timing) => (x.refused ? 'refused' : x.ms === null ? `> ${deadline / 1000} s` : Number.isNaN(x.ms) ? `error ${x.error}` : `${Math.round(x.ms)}`);
const finished = (x: Timing) => x.ms !== null && !Number.isNaN(x.ms);
const results: { profile: string; indicator: string; embedded: Timing; native: Timing; ratio: number | null; agree: boolean | null }[] = [];
console.log(`\n| profile | indicator | embedded ms | native ms | native/embedded | answers agree | rows |\n|---|---|---|---|---|---|---|`);
for (const c of cases) {
  const p = c.prepared;
  const request: RunRequest = { text: p.engineText, source: p.text, indicator: c.key, vars: p.vars, format: 'json', deadlineMs: deadline };
  const embedded: Timing = embeddedMissing ? { ms: NaN, error: 'not loaded' } : await measure(pool, request);
  // A deadline replaces the worker: wait for its reload so the next time is the next query's own.
  if (embedded.error === 'deadline_exceeded') await pool.run({ text: 'ASK {}', vars: [], format: 'json' }, () => undefined);
  const nat = await measure(native, request);
  if (nat.error === 'deadline_exceeded') nat.afterAbort = await afterNativeAbort();
  const ratio = finished(embedded) && finished(nat) ? nat.ms! / embedded.ms! : null;
  const agree = embedded.answer !== undefined && nat.answer !== undefined ? embedded.answer === nat.answer : null;
  results.push({ profile: c.profile, indicator: c.indicator, embedded, native: nat, ratio, agree });
  const abort = nat.afterAbort ? ` (server ${nat.afterAbort.cpuS.toFixed(1)} CPU s after the abort${nat.afterAbort.restarted ? ', still computing: restarted' : ''})` : '';
  console.log(`| ${c.profile.slice(0, 28)} | ${c.indicator} | ${fmt(embedded)} | ${fmt(nat)}${abort} | ${ratio === null ? '' : ratio.toFixed(2)} | ${agree === null ? '–' : agree ? 'yes' : 'NO'} | ${embedded.rows ?? ''}/${nat.rows ?? ''} |`);
}

const under = (x: Timing) => finished(x) && x.ms! < limitMs;
const ratios = results.flatMap((r) => (r.ratio === null ? [] : [r.ratio]));
const summary = {
  employees,
  total: results.length,
  deadline,
  limitMs,
  runs,
  embeddedUnder: results.filter((r) => under(r.embedded)).length,
  nativeUnder: results.filter((r) => under(r.native)).length,
  bothFinished: ratios.length,
  medianRatio: ratios.length ? median(ratios) : null,
  agree: results.filter((r) => r.agree === true).length,
  disagree: results.filter((r) => r.agree === false).map((r) => `${r.profile} ${r.indicator}`),
  refused: results.filter((r) => r.native.refused).length,
  embeddedDeadlines: results.filter((r) => r.embedded.error === 'deadline_exceeded').length,
  nativeDeadlines: results.filter((r) => r.native.error === 'deadline_exceeded').length,
  nativeRestarts: restarts,
  embeddedTotalMs: results.reduce((n, r) => n + (finished(r.embedded) ? r.embedded.ms! : 0), 0),
  nativeTotalMs: results.reduce((n, r) => n + (finished(r.native) ? r.native.ms! : 0), 0),
  prepare,
  embeddedLoad: { ...embeddedLoad, rssBeforeMb, peakRssMb: Math.round(peakRssMb()) },
  nativeLoad: { ...nativeLoad, peakRssMb: Math.round(server.peakRssMb()) },
};
console.log(`\n| summary | embedded | native |\n|---|---|---|`);
console.log(`| official queries under ${limitMs / 1000} s (of ${summary.total}) | ${summary.embeddedUnder} | ${summary.nativeUnder} |`);
console.log(`| past the ${deadline / 1000} s deadline | ${summary.embeddedDeadlines} | ${summary.nativeDeadlines} (server restarted ${restarts}×) |`);
console.log(`| refused by the engine profile | – | ${summary.refused} |`);
console.log(`| median native/embedded (over ${summary.bothFinished} both finished) | | ${summary.medianRatio?.toFixed(2) ?? '–'} |`);
console.log(`| answers agree (of those both answered) | ${summary.agree} | disagree: ${summary.disagree.join(', ') || 'none'} |`);
console.log(`| load | ${(embeddedLoad.ms / 1000).toFixed(1)} s (${embeddedLoad.source}) | ${(nativeLoad.ms / 1000).toFixed(1)} s (Graph Store bulk POST) |`);
console.log(`| peak RSS | ${summary.embeddedLoad.peakRssMb} MB (this process: Node ${rssBeforeMb} MB + worker) | ${summary.nativeLoad.peakRssMb} MB (server process) |`);
writeResult({ ...summary, results });
await pool.close();
await server.stop();
rmSync(dbDir, { recursive: true, force: true }); // holds the data folder too when this run made it
