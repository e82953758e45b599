// Import benchmark: the whole pipeline (read → map → SHACL → generation on disk) at N employees,
// next to the baseline measured in the same run: bulk-loading the same triples as N-Triples
// straight into Oxigraph. Each phase runs in its own process so peak RSS is its own.
//   npm run bench:import -- [--employees 10000] [--runs 3]
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import oxigraph from 'oxigraph';
import { generate } from '../examples/generator/generate.js';
import { loadConfig } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { generationsDir, readManifest, currentGenerationId } from '../src/store/index.js';
import { arg, median, writeResult } from './args.js';

interface PhaseResult {
  ms: number;
  maxRssMb: number;
  triples: number;
  rows?: number;
}


async function phase(kind: string, dir: string, dataDir: string): Promise<PhaseResult> {
  const started = performance.now();
  if (kind === 'import' || kind === 'import-no-shacl') {
    const config = loadConfig({ env: {}, overrides: { dataDir, 'import.shacl': kind === 'import' } });
    const s = await runImport(config, { inputs: [dir] });
    return { ms: performance.now() - started, maxRssMb: process.resourceUsage().maxRSS / 1024, triples: s.triples.total, rows: s.rowsRead };
  }
  // Baseline: the generation's N-Triples files, bulk-loaded into a fresh Oxigraph store.
  const manifest = readManifest(dataDir, currentGenerationId(dataDir)!);
  const files = manifest.files.map((f) => readFileSync(join(generationsDir(dataDir), manifest.id, f.name)));
  const t0 = performance.now();
  const store = new oxigraph.Store();
  for (const bytes of files) store.load(bytes, { format: 'application/n-triples', no_transaction: true });
  return { ms: performance.now() - t0, maxRssMb: process.resourceUsage().maxRSS / 1024, triples: store.size };
}

function runPhase(kind: string, dir: string, dataDir: string): PhaseResult {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--phase', kind, '--dir', dir, '--data', dataDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PhaseResult;
}


if (process.argv.includes('--phase')) {
  console.log(JSON.stringify(await phase(arg('phase', ''), arg('dir', ''), arg('data', ''))));
} else {
  const employees = Number(arg('employees', '10000'));
  const runs = Number(arg('runs', '3'));
  const dir = join(tmpdir(), `ds-bench-org-${employees}`);
  const gen = generate(dir, { employees, clients: Math.round((employees * 4) / 3), years: [2024, 2025], seed: 1, messy: false });
  const imports: PhaseResult[] = [], noShacl: PhaseResult[] = [], baselines: PhaseResult[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = join(tmpdir(), `ds-bench-data-${process.pid}-${i}`);
    noShacl.push(runPhase('import-no-shacl', dir, dataDir + '-n'));
    rmSync(dataDir + '-n', { recursive: true, force: true });
    imports.push(runPhase('import', dir, dataDir));
    baselines.push(runPhase('baseline', dir, dataDir));
    rmSync(dataDir, { recursive: true, force: true });
  }
  const ns = { ms: median(noShacl.map((r) => r.ms)), rss: median(noShacl.map((r) => r.maxRssMb)) };
  const imp = { ms: median(imports.map((r) => r.ms)), rss: median(imports.map((r) => r.maxRssMb)) };
  const base = { ms: median(baselines.map((r) => r.ms)), rss: median(baselines.map((r) => r.maxRssMb)) };
  const rows = imports[0]!.rows!, triples = imports[0]!.triples;
  console.log(`Import benchmark: ${employees} employees, ${gen.rows} source rows, ${triples} triples, median of ${runs} runs`);
  console.log('| phase | time | rows/s | triples/s | peak RSS |');
  console.log('|---|---|---|---|---|');
  console.log(`| pipeline (read, map, SHACL, write generation) | ${(imp.ms / 1000).toFixed(2)} s | ${Math.round(rows / (imp.ms / 1000))} | ${Math.round(triples / (imp.ms / 1000))} | ${Math.round(imp.rss)} MB |`);
  console.log(`| pipeline without SHACL (import.shacl: false) | ${(ns.ms / 1000).toFixed(2)} s | ${Math.round(rows / (ns.ms / 1000))} | ${Math.round(triples / (ns.ms / 1000))} | ${Math.round(ns.rss)} MB |`);
  console.log(`| baseline (Oxigraph bulk load of the same N-Triples) | ${(base.ms / 1000).toFixed(2)} s | – | ${Math.round(triples / (base.ms / 1000))} | ${Math.round(base.rss)} MB |`);
  console.log(`ratio pipeline/baseline: time ${(imp.ms / base.ms).toFixed(2)}×, peak RSS ${(imp.rss / base.rss).toFixed(2)}× (target: time ≤ 3×)`);
  console.log(`ratio without SHACL/baseline: time ${(ns.ms / base.ms).toFixed(2)}×, peak RSS ${(ns.rss / base.rss).toFixed(2)}×`);
  writeResult({ employees, runs, sourceRows: gen.rows, triples, pipeline: imp, withoutShacl: ns, baseline: base, ratio: imp.ms / base.ms, ratioWithoutShacl: ns.ms / base.ms, rssRatio: imp.rss / base.rss, target: 3 });
}
