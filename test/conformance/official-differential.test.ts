// Every official Zorgkantoren 1.3.5 query on a small generated organisation: layer + Oxigraph vs
// Comunica (a second, independent engine). Needs ../shared/conformance (not shipped: CC BY-ND) and
// SLOW=1 (`npm run test:slow`); it prints the comparison and checks differences against the
// documented list below.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Parser, Store } from 'n3';
import { QueryEngine } from '@comunica/query-sparql-rdfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../examples/generator/generate.js';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { ProfileRegistry, installProfile } from '../../src/profiles/index.js';
import { QueryPool, prepareQuery } from '../../src/query/index.js';
import { currentGenerationId, generationsDir, readManifest } from '../../src/store/index.js';
import { tempDir, testConfig } from '../helpers.js';

const OFFICIAL = join(packageRoot(), '..', 'shared', 'conformance', 'zorgkantoren-1.3.5', 'queries');
const enabled = existsSync(OFFICIAL) && process.env.SLOW === '1';
const DEADLINE = 20_000;

/**
 * Remaining differences, each with its reason. "slow" = Oxigraph's plan for the query does not
 * finish within the deadline (the calendar joins of 1.1 and 11.x; see the closing notes of issue 3).
 */
export const KNOWN: Record<string, string> = {
  '1.1': 'runs through the calendar-lookup rewrite (src/query/calendar.ts) and matches the hand-computed worked example; Comunica does not finish it in time',
  '11.1': 'slow: Oxigraph does not finish within the deadline',
  '11.2': 'slow: Oxigraph does not finish within the deadline',
  '11.3': 'slow: Oxigraph does not finish within the deadline',
  '11.4': 'slow: Oxigraph does not finish within the deadline',
  '14.1': 'Comunica does not finish within the deadline',
  '14.3': 'Comunica does not finish within the deadline',
  '15.4.1': 'Comunica does not finish within the deadline',
  '15.4.2': 'Comunica does not finish within the deadline',
  '16.1': 'Comunica does not finish within the deadline',
  '18.2': 'Comunica does not finish within the deadline',
  '18.1': 'Comunica fails: "RDF joining failed: none of the configured actors were able to handle the join"',
  '19.3': 'Comunica fails: "RDF joining failed …"',
  '20.1': 'Comunica fails: "RDF joining failed …"',
  '20.3': 'Comunica fails: "RDF joining failed …"',
  '15.4.4': 'Oxigraph 1 row (organisation, all amounts unbound), Comunica 0 rows: the query BINDs ?soortIndicatie after using it in a triple pattern, which SPARQL forbids; engines differ on it (not investigated further)',
  '19.5': 'Oxigraph -2.5, Comunica unbound for the current ratio: to investigate (a negative balance divided; possibly the double fallback of the layer where Comunica reports an error)',
};

// Comunica has no arithmetic for the generic xsd:duration type the official texts use; give it the
// same durations typed as yearMonthDuration / dayTimeDuration (the same values per XPath).
const forComunica = (t: string) =>
  t
    .replace(/"(-?P(?:\d+Y)?(?:\d+M)?)"\^\^xsd:duration/g, (m, d: string) => (d === 'P' || d === '-P' ? m : `"${d}"^^xsd:yearMonthDuration`))
    .replace(/"(-?P(?:\d+D)?(?:T[^"]*)?)"\^\^xsd:duration/g, '"$1"^^xsd:dayTimeDuration');

const normalise = (rows: Record<string, string>[]) =>
  rows
    .map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, /^-?\d+(\.\d+)?$/.test(r[k]!) ? String(Math.round(Number(r[k]) * 1e6) / 1e6) : r[k]])))
    .sort();

let pool: QueryPool | undefined;
afterAll(() => pool?.close());

describe.runIf(enabled)('official queries: layer + Oxigraph vs Comunica', () => {
  it('agree on every indicator but the documented ones', async () => {
    const config = testConfig();
    const org = generate(tempDir('ds-tiny-'), { employees: 24, clients: 24, years: [2024, 2025], seed: 3, messy: false });
    await runImport(config, { inputs: [org.dir] });
    installProfile(OFFICIAL, join(config.dataDir, 'profiles'));
    const registry = ProfileRegistry.load([join(config.dataDir, 'profiles')]);
    const id = currentGenerationId(config.dataDir)!;
    const n3 = new Store();
    for (const f of readManifest(config.dataDir, id).files) n3.addQuads(new Parser({ format: 'N-Triples' }).parse(readFileSync(join(generationsDir(config.dataDir), id, f.name), 'utf8')));
    pool = new QueryPool({ dataDir: config.dataDir, size: 1, deadlineMs: DEADLINE, rowCap: 1_000_000 });
    await pool.load(id);
    const comunica = new QueryEngine();
    const profile = registry.list()[0]!;
    const report: string[] = [];
    const differences: Record<string, string> = {};
    // DIFF_ONLY=2.2,3.1 checks a subset (e.g. after a change to one rewrite).
    const only = process.env.DIFF_ONLY?.split(',');
    const unverified: string[] = [];
    for (const { id: indicatorId } of profile.indicators.filter((i) => !only || only.includes(i.id))) {
      const ind = registry.indicator(profile.id, indicatorId);
      const prepared = prepareQuery(ind.text, ind.parameters, Object.fromEntries(ind.parameters.map((p) => [p.name, p.example])));
      let ox: string[] | string, co: string[] | string;
      try {
        let json = '';
        await pool.run({ text: prepared.engineText, vars: prepared.vars, format: 'json' }, (c) => void (json += c));
        const parsed = JSON.parse(json) as { results: { bindings: Record<string, { value: string }>[] } };
        ox = normalise(parsed.results.bindings.map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.value]))));
      } catch (error) {
        ox = `oxigraph: ${(error as { code?: string }).code ?? (error as Error).message}`;
      }
      if (typeof ox === 'string' && ox.includes('deadline')) co = 'not run';
      else {
        try {
          const bindings = await Promise.race([
            comunica.queryBindings(forComunica(prepared.text), { sources: [n3] }).then((s) => s.toArray()),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), DEADLINE)),
          ]);
          co = normalise(bindings.map((b) => Object.fromEntries([...b].map(([k, v]) => [k.value, v.value]))));
        } catch (error) {
          co = `comunica: ${(error as Error).message.slice(0, 80)}`;
        }
      }
      // Comunica not finishing within the deadline (a busy machine) compares nothing: reported, not a difference.
      if (co === 'comunica: timeout' && Array.isArray(ox)) {
        unverified.push(indicatorId);
        report.push(`${indicatorId.padEnd(8)} unverified ${ox.length} rows | comunica timeout`);
        continue;
      }
      const same = JSON.stringify(ox) === JSON.stringify(co);
      report.push(`${indicatorId.padEnd(8)} ${same ? 'same' : 'DIFF'} ${Array.isArray(ox) ? `${ox.length} rows` : ox}${same ? '' : ` | comunica ${Array.isArray(co) ? `${co.length} rows` : co}`}`);
      if (!same) differences[indicatorId] = `${JSON.stringify(ox).slice(0, 300)} vs ${JSON.stringify(co).slice(0, 300)}`;
    }
    console.log(report.join('\n'));
    if (unverified.length) console.log(`not compared (Comunica over ${DEADLINE} ms): ${unverified.join(', ')}`);
    console.log(JSON.stringify(differences, null, 1));
    expect(Object.keys(differences).filter((k) => !(k in KNOWN))).toEqual([]);
  }, 3_600_000);
});
