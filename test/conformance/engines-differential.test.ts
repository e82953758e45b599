// The compatibility profile of each remote engine (src/store/remote/engines.ts), decided like the
// embedded engine's: every official query of every published profile in ../shared/conformance
// (unmodified) over the example organisation, on the engine (through RemoteRunner, so with the
// text its profile says: compat rewrites or the validated text) vs the embedded engine + compat
// layer, with Jena ARQ as the referee. An engine answer that differs where embedded and Jena
// agree is wrong: that indicator must be in the engine's `refused` list (and only such ones), so it
// is refused rather than answered. SLOW=1; engines from scripts/ci (skipped outside CI if absent).
// Also prints the query times on the engine vs embedded, measured in the same run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { ProfileRegistry, installProfile } from '../../src/profiles/index.js';
import { QueryPool, RemoteRunner, prepareQuery, type PreparedQuery, type QueryRunner, type RunRequest } from '../../src/query/index.js';
import { ENGINE_PROFILES, RemoteStore, currentGenerationId, generationsDir, readManifest } from '../../src/store/index.js';
import { EXAMPLE_DIR, testConfig } from '../helpers.js';
import { askJena, type JenaAnswer } from '../oracle/jena.js';
import { ENGINES_UNDER_TEST, skipReason, startServer, type RunningServer } from '../store/servers.js';

const CONFORMANCE = join(packageRoot(), '..', 'shared', 'conformance');
const FOLDERS = ['zorgkantoren-1.3.5/queries', 'igj-aangekondigd-1.0.0', 'igj-onaangekondigd-1.2.0', 'nza-wmg-1.1.1', 'nza-kostenonderzoek-1.1.1', 'vws-jaarverantwoording-1.1.1'];
const enabled = existsSync(join(CONFORMANCE, FOLDERS[0]!)) && process.env.SLOW === '1';
const DEADLINE = 120_000;
// Values within the example organisation's years (as .ci/run's `profiles check`).
const VALUES: Record<string, string | number> = { jaar: 2024, kwartaal: 'Q2', peildatum: '2024-12-31', startperiode: '2024-01-01', eindperiode: '2024-12-31', start_periode: '2024-01-01', eind_periode: '2024-12-31', start_periode_datum: '2024-01-01', eind_periode_datum: '2024-12-31', vestigingsnummer: '000012345601' };

type Cell = { type: string; value: string; datatype?: string };
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const NUMERIC = new Set(['integer', 'decimal', 'double', 'float', 'int', 'long'].map((t) => XSD + t));
/** As in jena-differential: numbers by value to 9 digits, blank nodes erased, rows sorted. */
function normalise(rows: Record<string, Cell>[]): string[] {
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => {
    const c = r[k]!;
    if (c.type === 'bnode') return [k, '_'];
    if (c.datatype && NUMERIC.has(c.datatype)) return [k, Number(Number(c.value).toPrecision(9))];
    return [k, c.value];
  }))).sort();
}
const jenaAnswer = (a: JenaAnswer) => ('error' in a ? `error ${a.error.slice(0, 80)}` : 'boolean' in a ? String(a.boolean) : normalise(a.rows));

interface Case { key: string; prepared: PreparedQuery }
type Answer = { value: string[] | string; ms: number };

async function answer(runner: QueryRunner, c: Case): Promise<Answer> {
  const request: RunRequest = { text: c.prepared.engineText, source: c.prepared.text, indicator: c.key, vars: c.prepared.vars, format: 'json', deadlineMs: DEADLINE };
  let json = '';
  const started = performance.now();
  try {
    await runner.run(request, (chunk) => void (json += chunk));
    const parsed = JSON.parse(json) as { boolean?: boolean; results?: { bindings: Record<string, Cell>[] } };
    return { value: typeof parsed.boolean === 'boolean' ? String(parsed.boolean) : normalise(parsed.results!.bindings), ms: performance.now() - started };
  } catch (error) {
    return { value: `error ${(error as { code?: string }).code ?? (error as Error).message}`, ms: performance.now() - started };
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

let dataDir: string;
let cases: Case[] = [];
let embedded: Answer[] = [];
let jena: (string[] | string)[] = [];
let pool: QueryPool | undefined;

describe.runIf(enabled)('official queries on each remote engine vs embedded (+ Jena as referee)', () => {
  beforeAll(async () => {
    const config = testConfig();
    dataDir = config.dataDir;
    await runImport(config, { inputs: [EXAMPLE_DIR] });
    for (const f of FOLDERS) installProfile(join(CONFORMANCE, f), join(dataDir, 'profiles'));
    const registry = ProfileRegistry.load([join(dataDir, 'profiles')]);
    cases = registry.list().flatMap((profile) => profile.indicators.map((i) => registry.indicator(profile.id, i.id)).map((ind) => {
      const values = Object.fromEntries(ind.parameters.map((p) => [p.name, VALUES[p.name] ?? p.example]));
      return { key: `${ind.profile.id} ${ind.id}`, prepared: prepareQuery(ind.text, ind.parameters, values) };
    }));
    const id = currentGenerationId(dataDir)!;
    pool = new QueryPool({ dataDir, size: 1, deadlineMs: DEADLINE, rowCap: 1_000_000 });
    await pool.load(id);
    embedded = [];
    for (const c of cases) embedded.push(await answer(pool, c));
    const files = readManifest(dataDir, id).files.map((f) => join(generationsDir(dataDir), id, f.name));
    jena = (await askJena(files, cases.map((c) => c.prepared.text))).map(jenaAnswer);
  }, 3_600_000);
  afterAll(() => pool?.close());

  for (const engine of ENGINES_UNDER_TEST) {
    const reason = skipReason(engine);
    it.skipIf(!!reason)(`${engine}: wrong answers are exactly the refused indicators`, async () => {
      let server: RunningServer | undefined;
      try {
        server = await startServer(engine, { serverTimeoutS: DEADLINE / 1000 });
        const config = { ...server.config, timeoutMs: DEADLINE };
        // Every indicator is run, refused ones too, to see whether the refusal still holds.
        const unrestricted = new RemoteRunner(new RemoteStore(config, { ...ENGINE_PROFILES[engine], refused: {} }), { dataDir, deadlineMs: DEADLINE, rowCap: 1_000_000 });
        await unrestricted.load(currentGenerationId(dataDir)!);
        const report: string[] = [];
        const wrong: Record<string, string> = {};
        let agree = 0, engineMs = 0, embeddedMs = 0;
        for (const [i, c] of cases.entries()) {
          const theirs = await answer(unrestricted, c);
          const ours = embedded[i]!;
          const refereed = same(ours.value, jena[i]);
          const ok = same(theirs.value, ours.value);
          if (ok) agree++;
          else if (refereed) wrong[c.key] = `${JSON.stringify(theirs.value).slice(0, 300)} vs ${JSON.stringify(ours.value).slice(0, 300)}`;
          engineMs += theirs.ms;
          embeddedMs += ours.ms;
          const show = (v: string[] | string) => (Array.isArray(v) ? `${v.length} rows` : v);
          report.push(`${c.key.padEnd(72)} ${ok ? 'same' : refereed ? 'WRONG' : 'differs (embedded≠Jena, documented)'} ${show(theirs.value)} ${theirs.ms.toFixed(0)}ms vs ${ours.ms.toFixed(0)}ms${ok ? '' : ` | embedded ${show(ours.value)}`}`);
        }
        console.log(`== ${engine} ==\n${report.join('\n')}`);
        console.log(`${engine}: ${agree}/${cases.length} official queries agree with embedded; wrong (embedded = Jena): ${Object.keys(wrong).length}`);
        console.log(`${engine}: total query time ${engineMs.toFixed(0)} ms vs embedded ${embeddedMs.toFixed(0)} ms (ratio ${(engineMs / embeddedMs).toFixed(2)}), same run`);
        console.log(JSON.stringify(wrong, null, 1));
        expect(cases.length).toBeGreaterThan(50);
        expect(Object.keys(wrong).sort()).toEqual(Object.keys(ENGINE_PROFILES[engine].refused).sort());
        // And through the engine's real profile, a refused indicator is refused with one code.
        const served = new RemoteRunner(new RemoteStore(config), { dataDir, deadlineMs: DEADLINE, rowCap: 1_000_000 });
        await served.load(currentGenerationId(dataDir)!);
        for (const key of Object.keys(ENGINE_PROFILES[engine].refused)) {
          const c = cases.find((x) => x.key === key)!;
          expect((await answer(served, c)).value).toBe('error refused_on_engine');
        }
      } finally {
        await server?.stop();
      }
    }, 3_600_000);
  }
});
