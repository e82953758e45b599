// `serve` memory and time to ready at N employees, next to the baseline measured in the same run:
// a bare Oxigraph bulk load of the same N-Triples in a fresh process (what one copy of the dataset
// costs without us). Each phase is its own process (its RSS is its own), started the way the
// datastation starts: `first` is the first start on a generation (parse, write the store image),
// `restart` the next start (restore the image), `busy` the restart plus a spare worker started by
// a question waiting behind a runaway (what memory reaches while two workers are needed).
// With --native, the same for the native engine (the choice for a large organisation): the
// datastation beside a native Oxigraph server (RocksDB; bench/oxigraph-server.ts), its RSS and the
// server's, at the first start (the generation loaded into the server), a restart of the
// datastation alone, and a restart of both (the server reopens its database).
//   npm run bench:serve -- [--employees 10000] [--data <imported data dir, reused>] [--runs 1] [--native]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import oxigraph from 'oxigraph';
import { generate } from '../examples/generator/generate.js';
import { startDatastation } from '../src/api/index.js';
import { loadConfig, packageRoot } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { QueryPool } from '../src/query/index.js';
import { IMAGE_FILE, currentGenerationId, generationsDir, readManifest } from '../src/store/index.js';
import { initIdentity } from '../src/trust/index.js';
import type { RemoteStoreConfig } from '../src/store/index.js';
import { arg, median, writeResult } from './args.js';
import { OxigraphServer, oxigraphMissing } from './oxigraph-server.js';

interface PhaseResult {
  /** From process start (module loading included) to ready. */
  readyMs: number;
  /** Of that, loading the dataset (the bare load for the baseline). */
  loadMs: number;
  rssMb: number;
  peakRssMb: number;
  source?: string;
  workers?: number;
  /** Of the dataset time, what the worker spent parsing or restoring (the rest: verifying the generation, starting up). */
  workerMs?: number;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const RUNAWAY = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }';

async function phase(kind: string, dataDir: string, store?: RemoteStoreConfig): Promise<PhaseResult> {
  if (kind === 'baseline') {
    const manifest = readManifest(dataDir, currentGenerationId(dataDir)!);
    const t0 = performance.now();
    const store = new oxigraph.Store();
    for (const f of manifest.files) store.load(readFileSync(join(generationsDir(dataDir), manifest.id, f.name)), { format: 'application/n-triples', no_transaction: true });
    if (store.size === 0) throw new Error('empty store');
    return { readyMs: performance.now(), loadMs: performance.now() - t0, rssMb: mb(process.memoryUsage().rss), peakRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  const config = loadConfig({ env: {}, overrides: { dataDir, ...(store ? { store } : {}) } });
  const t0 = performance.now();
  const ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  const url = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  const ready = await fetch(`${url}/ready`);
  if (!ready.ok) throw new Error(`/ready answered ${ready.status}`);
  const readyMs = performance.now();
  const pool = ds.pool as QueryPool;
  const loads = pool.loads ?? []; // none with a native engine: it holds the dataset
  const result: PhaseResult = { readyMs, loadMs: readyMs - t0, rssMb: mb(process.memoryUsage().rss), peakRssMb: 0, source: store ? 'native server' : loads.map((l) => l.source).join('+'), workerMs: loads.at(-1)?.ms ?? 0 };
  if (kind === 'busy') {
    // a runaway holds the warm worker; a second question waits, a spare starts and answers it
    const runaway = pool.run({ text: RUNAWAY, vars: ['n'], format: 'json', deadlineMs: 120_000 }, () => undefined).catch(() => undefined);
    await pool.run({ text: 'ASK { ?s ?p ?o }', vars: [], format: 'json' }, () => undefined);
    result.rssMb = mb(process.memoryUsage().rss);
    result.workers = pool.workers;
    void runaway;
  }
  result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0); // the runaway's worker is not waited for
}

function runPhase(kind: string, dataDir: string, store?: RemoteStoreConfig): PhaseResult {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--phase', kind, '--data', dataDir, ...(store ? ['--store', JSON.stringify(store)] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PhaseResult;
}

if (process.argv.includes('--phase')) {
  const store = arg('store', '');
  console.log(JSON.stringify(await phase(arg('phase', ''), arg('data', ''), store ? (JSON.parse(store) as RemoteStoreConfig) : undefined)));
} else {
  const employees = Number(arg('employees', '10000'));
  const runs = Number(arg('runs', '1'));
  let dataDir = arg('data', '');
  const own = !dataDir;
  if (own) {
    const root = mkdtempSync(join(tmpdir(), 'bench-serve-'));
    process.stderr.write(`… generating and importing ${employees} employees\n`);
    generate(join(root, 'exports'), { employees, clients: Math.round((employees * 4) / 3), years: [2024, 2025], seed: 1, messy: false });
    dataDir = join(root, 'data');
    await runImport(loadConfig({ env: {}, overrides: { dataDir, 'import.shacl': false } }), { inputs: [join(root, 'exports')] });
  }
  await initIdentity(loadConfig({ env: {}, overrides: { dataDir } }), {});
  const image = join(generationsDir(dataDir), currentGenerationId(dataDir)!, IMAGE_FILE);
  const baselines: PhaseResult[] = [], firsts: PhaseResult[] = [], restarts: PhaseResult[] = [], busy: PhaseResult[] = [];
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`… run ${i + 1}: baseline, first start, restart, busy restart\n`);
    baselines.push(runPhase('baseline', dataDir));
    rmSync(image, { force: true });
    firsts.push(runPhase('first', dataDir));
    if (!existsSync(image)) throw new Error('the first start wrote no store image');
    restarts.push(runPhase('restart', dataDir));
    busy.push(runPhase('busy', dataDir));
  }
  const pick = (rs: PhaseResult[]) => ({ readyMs: median(rs.map((r) => r.readyMs)), loadMs: median(rs.map((r) => r.loadMs)), rssMb: median(rs.map((r) => r.rssMb)), peakRssMb: median(rs.map((r) => r.peakRssMb)), source: rs[0]!.source, workers: rs[0]!.workers, workerMs: median(rs.map((r) => r.workerMs ?? 0)) });
  const base = pick(baselines), first = pick(firsts), restart = pick(restarts), spare = pick(busy);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`Serve benchmark: ${employees} employees, median of ${runs} run(s); baseline: bare Oxigraph bulk load of the same N-Triples in a fresh process`);
  console.log('| phase | ready after (process start) | of which dataset | of which in the worker | RSS at ready | peak RSS | loaded by |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(`| baseline: bare Oxigraph bulk load | ${s(base.readyMs)} | ${s(base.loadMs)} | – | ${base.rssMb} MB | ${Math.round(base.peakRssMb)} MB | parse |`);
  console.log(`| serve, first start on a generation | ${s(first.readyMs)} | ${s(first.loadMs)} | ${s(first.workerMs)} | ${first.rssMb} MB | ${Math.round(first.peakRssMb)} MB | ${first.source} |`);
  console.log(`| serve, restart | ${s(restart.readyMs)} | ${s(restart.loadMs)} | ${s(restart.workerMs)} | ${restart.rssMb} MB | ${Math.round(restart.peakRssMb)} MB | ${restart.source} |`);
  console.log(`| serve, restart + spare worker behind a runaway | – | – | – | ${spare.rssMb} MB (${spare.workers} workers) | ${Math.round(spare.peakRssMb)} MB | ${spare.source} |`);
  console.log(`ratio restart/baseline: ready ${(restart.readyMs / base.readyMs).toFixed(2)}×, RSS ${(restart.rssMb / base.rssMb).toFixed(2)}× (targets at 10k: ready ≤ 10 s, RSS ≤ 1.5 GB)`);
  const native = process.argv.includes('--native') ? await nativePhases(dataDir, s) : undefined;
  writeResult({ employees, runs, baseline: base, first, restart, busy: spare, readyRatio: restart.readyMs / base.readyMs, rssRatio: restart.rssMb / base.rssMb, ...(native ? { native } : {}) });
  if (own) rmSync(join(dataDir, '..'), { recursive: true, force: true });
}

/** The datastation beside a native server: first start (loads the generation), restart of the datastation, restart of both. */
async function nativePhases(dataDir: string, s: (ms: number) => string) {
  const missing = oxigraphMissing();
  if (missing) {
    console.log(`native engine: skipped (${missing})`);
    return undefined;
  }
  const db = mkdtempSync(join(tmpdir(), 'bench-serve-native-'));
  const server = new OxigraphServer(db, { timeoutMs: 60_000 });
  try {
    await server.start();
    const first = runPhase('first', dataDir, server.config);
    const firstServerMb = server.rssMb();
    const restart = runPhase('restart', dataDir, server.config);
    const restartServerMb = server.rssMb();
    const t0 = performance.now();
    await server.restart();
    const reopenMs = performance.now() - t0;
    const both = runPhase('restart', dataDir, server.config);
    const bothServerMb = server.rssMb();
    const row = (label: string, r: PhaseResult, serverMb: number, extraMs = 0) =>
      console.log(`| ${label} | ${s(r.readyMs + extraMs)} | ${r.rssMb} MB | ${Math.round(serverMb)} MB | ${Math.round(r.rssMb + serverMb)} MB |`);
    console.log('Native engine beside the datastation (same data):');
    console.log('| phase | ready after | datastation RSS | server RSS | together |');
    console.log('|---|---|---|---|---|');
    row('first start (generation loaded into the server)', first, firstServerMb);
    row('restart of the datastation', restart, restartServerMb);
    row('restart of both (server reopens RocksDB, then the datastation)', both, bothServerMb, reopenMs);
    console.log(`server peak RSS ${Math.round(server.peakRssMb())} MB; database on disk ${diskMb(db)} MB`);
    return { first, restart, both: { ...both, serverReopenMs: reopenMs }, serverRssMb: { first: firstServerMb, restart: restartServerMb, both: bothServerMb }, serverPeakRssMb: server.peakRssMb(), diskMb: diskMb(db) };
  } finally {
    await server.stop();
    rmSync(db, { recursive: true, force: true });
  }
}

function diskMb(dir: string): number {
  return Math.round(Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024);
}
