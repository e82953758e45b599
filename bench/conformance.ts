// Each official Zorgkantoren query's median engine time on generator data of a given size, run
// the way a requester's question runs (compatibility layer, one query worker, deadline), against
// the target of 5 s per query at 10k employees.
//   npm run bench:conformance -- [--sizes 1000,10000] [--runs 3] [--deadline 20000]
//     [--official ../shared/conformance/zorgkantoren-1.3.5/queries] [--out result.json]
// The official texts are read from where they are (CC BY-ND: never copied into the project).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../examples/generator/generate.js';
import { loadConfig, packageRoot } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { installProfile, ProfileRegistry } from '../src/profiles/index.js';
import { prepareQuery, QueryError, QueryPool } from '../src/query/index.js';
import { currentGenerationId } from '../src/store/index.js';
import { arg, median } from './args.js';

const sizes = arg('sizes', '1000,10000').split(',').map(Number);
const runs = Number(arg('runs', '3'));
const deadlineMs = Number(arg('deadline', '20000'));
const official = arg('official', join(packageRoot(), '..', 'shared', 'conformance', 'zorgkantoren-1.3.5', 'queries'));
const TARGET_MS = 5000;
if (!existsSync(official)) {
  console.error(`no official queries at ${official} (--official <dir>)`);
  process.exit(2);
}
// One set of parameter values for every run: the last full year of the generated data.
const VALUES: Record<string, unknown> = { jaar: 2024, kwartaal: 'Q2', peildatum: '2024-12-31', startperiode: '2024-01-01', eindperiode: '2024-12-31' };

interface Row {
  rows: number;
  medianMs?: number;
  status: string;
}
const results = new Map<string, Map<number, Row>>();

for (const employees of sizes) {
  const root = mkdtempSync(join(tmpdir(), `bench-conf-${employees}-`));
  process.stderr.write(`… ${employees} employees: generating and importing\n`);
  generate(join(root, 'exports'), { employees, clients: Math.round((employees * 4) / 3), years: [2024, 2025], seed: 1, messy: false });
  const config = loadConfig({ env: {}, overrides: { dataDir: join(root, 'data') } });
  await runImport(config, { inputs: [join(root, 'exports')] });
  installProfile(official, join(config.dataDir, 'profiles'));
  const registry = ProfileRegistry.load([join(config.dataDir, 'profiles')]);
  const profile = registry.list()[0]!;
  const pool = new QueryPool({ dataDir: config.dataDir, size: 1, deadlineMs, rowCap: 1_000_000 });
  await pool.load(currentGenerationId(config.dataDir)!);
  for (const { id } of profile.indicators) {
    const ind = registry.indicator(profile.id, id);
    const prepared = prepareQuery(ind.text, ind.parameters, Object.fromEntries(ind.parameters.map((p) => [p.name, VALUES[p.name] ?? p.example])));
    const times: number[] = [];
    let row: Row = { rows: 0, status: 'ok' };
    for (let r = 0; r < runs; r++) {
      try {
        const result = await pool.run({ text: prepared.engineText, vars: prepared.vars, format: 'json' }, () => undefined);
        times.push(result.engineMs);
        row = { rows: result.rows, status: 'ok' };
      } catch (error) {
        row = { rows: 0, status: error instanceof QueryError ? error.code : 'error' };
        break; // a deadline does not get better by trying again
      }
    }
    if (times.length) row.medianMs = median(times);
    process.stderr.write(`   ${id}: ${row.status} ${row.rows} rows ${row.medianMs?.toFixed(0) ?? '–'} ms\n`);
    if (!results.has(id)) results.set(id, new Map());
    results.get(id)!.set(employees, row);
  }
  await pool.close();
}

const cell = (r: Row | undefined) => (!r ? '–' : r.status !== 'ok' ? r.status : `${(r.medianMs! / 1000).toFixed(2)} s (${r.rows})`);
console.log(`Official Zorgkantoren 1.3.5 queries: median engine time of ${runs} runs (rows), one worker, deadline ${deadlineMs / 1000} s`);
console.log(`| indicator | ${sizes.map((s) => `${s} employees`).join(' | ')} | < 5 s at ${Math.max(...sizes)} |`);
console.log(`|---|${sizes.map(() => '---').join('|')}|---|`);
let met = 0;
for (const [id, bySize] of results) {
  const largest = bySize.get(Math.max(...sizes));
  const ok = largest?.status === 'ok' && largest.medianMs! < TARGET_MS;
  if (ok) met++;
  console.log(`| ${id} | ${sizes.map((s) => cell(bySize.get(s))).join(' | ')} | ${ok ? 'yes' : 'NO'} |`);
}
console.log(`\n${met}/${results.size} queries under 5 s at ${Math.max(...sizes)} employees`);
const out = arg('out', '');
if (out) writeFileSync(out, JSON.stringify(Object.fromEntries([...results].map(([id, m]) => [id, Object.fromEntries(m)])), null, 2));
