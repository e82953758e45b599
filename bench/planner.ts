// Official queries under 2 s: every indicator of every installed profile, timed in a query worker
// with a deadline, both as our engine runs it (policing + rewrites, incl. the planner rewrites)
// and as the bare validated text on the same Oxigraph, medians of --runs, in one run.
//   npx tsx bench/planner.ts --data-dir <imported dir with profiles> [--runs 3] [--deadline 60000] [--only 1.1,14.2] [--mode ours,before,bare]
// Or, without --data-dir: --employees N generates, imports and installs the official profiles first.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../examples/generator/generate.js';
import { loadConfig, packageRoot } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { ProfileRegistry, installProfile, valuesFor } from '../src/profiles/index.js';
import { QueryPool, compatibleText, police, prepareQuery } from '../src/query/index.js';
import { currentGenerationId } from '../src/store/index.js';
import { arg, median, writeResult } from './args.js';
import { CI_PARAMETERS, OFFICIAL } from './planner-params.js';

const runs = Number(arg('runs', '3'));
const deadline = Number(arg('deadline', '60000'));
const only = arg('only', '').split(',').filter(Boolean);
const profileFilter = arg('profile', '');
// ours: the engine text; before: the same without the planner rewrites of planner-*.ts; bare: the validated text.
const modes = new Set(arg('mode', 'ours,bare').split(','));
const limitMs = Number(arg('limit', '2000'));
let dataDir = arg('data-dir', '');
let scratch = '';
if (!dataDir) {
  const employees = Number(arg('employees', '1000'));
  scratch = dataDir = mkdtempSync(join(tmpdir(), `ds-bench-planner-${employees}-`));
  const org = generate(join(tmpdir(), `ds-bench-org-${employees}`), { employees, clients: Math.round((employees * 4) / 3), years: [2024, 2025], seed: 1, messy: false });
  await runImport(loadConfig({ env: {}, overrides: { dataDir, 'import.shacl': false } }), { inputs: [org.dir] });
  const conformance = arg('official', join(packageRoot(), '..', 'shared', 'conformance'));
  for (const dir of OFFICIAL) if (existsSync(join(conformance, dir))) installProfile(join(conformance, dir), join(dataDir, 'profiles'));
}
const registry = ProfileRegistry.load([join(dataDir, 'profiles')]);
// Two workers: after a deadline the next query runs on the other while the killed one reloads.
const pool = new QueryPool({ dataDir, size: Number(arg('workers', '2')), deadlineMs: deadline, rowCap: 10_000_000 });
await pool.load(currentGenerationId(dataDir)!);

type Timing = { ms: number | null; rows: number | null; error?: string };
async function time(text: string, vars: string[]): Promise<Timing> {
  const times: number[] = [];
  let rows = 0;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    try {
      rows = (await pool.run({ text, vars, format: 'json', deadlineMs: deadline }, () => undefined)).rows;
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).message.slice(0, 60);
      // A deadline replaces the worker: wait for its reload so the next query's time is its own.
      await pool.run({ text: 'ASK {}', vars: [], format: 'json' }, () => undefined);
      return { ms: code === 'deadline_exceeded' ? null : NaN, rows: null, error: code };
    }
    times.push(performance.now() - t);
    if (times[0]! > limitMs * 5) break; // a slow query is slow: once is enough
  }
  return { ms: median(times), rows };
}
const fmt = (t: Timing | undefined) => (!t ? '' : t.ms === null ? `> ${deadline / 1000} s` : Number.isNaN(t.ms) ? `error ${t.error}` : `${(t.ms / 1000).toFixed(2)} s`);
const under = (t: Timing | undefined) => !!t && t.ms !== null && !Number.isNaN(t.ms) && t.ms < limitMs;

const results: { profile: string; indicator: string; rewritten: boolean; ours?: Timing; before?: Timing; bare?: Timing }[] = [];
console.log('| profile | indicator | rewritten | ours | before (no planner-*.ts) | bare validated text | rows ours/before/bare |');
console.log('|---|---|---|---|---|---|---|');
for (const p of registry.list()) {
  if (profileFilter && !p.id.startsWith(profileFilter)) continue;
  for (const i of p.indicators) {
    if (only.length && !only.includes(i.id)) continue;
    const ind = registry.indicator(p.id, i.id, p.version);
    const prepared = prepareQuery(ind.text, ind.parameters, valuesFor(ind.parameters, CI_PARAMETERS[p.id] ?? {}));
    const row: (typeof results)[number] = { profile: p.id, indicator: i.id, rewritten: prepared.engineText !== prepared.text };
    if (modes.has('ours')) row.ours = await time(prepared.engineText, prepared.vars);
    if (modes.has('before')) row.before = await time(compatibleText(police(prepared.text), { planner: false, original: prepared.text }), prepared.vars);
    if (modes.has('bare')) row.bare = await time(prepared.text, prepared.vars);
    results.push(row);
    console.log(`| ${p.id.slice(0, 24)} | ${i.id} | ${row.rewritten ? 'yes' : ''} | ${fmt(row.ours)} | ${fmt(row.before)} | ${fmt(row.bare)} | ${row.ours?.rows ?? ''}/${row.before?.rows ?? ''}/${row.bare?.rows ?? ''} |`);
  }
}
const oursUnder = results.filter((r) => under(r.ours)).length;
const bareUnder = results.filter((r) => under(r.bare)).length;
const beforeUnder = results.filter((r) => under(r.before)).length;
console.log(`\nofficial queries under ${limitMs / 1000} s: ours ${oursUnder}/${results.length}${modes.has('before') ? `, before ${beforeUnder}` : ''}, bare validated text ${bareUnder}/${results.length}`);
writeResult({ limitMs, deadline, runs, total: results.length, oursUnder, beforeUnder, bareUnder, results });
await pool.close();
if (scratch) rmSync(scratch, { recursive: true, force: true });
