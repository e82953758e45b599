// The compatibility profile of each remote engine (src/store/remote/engines.ts), decided like the
// embedded engine's: every official query of every published profile in ../shared/conformance
// (unmodified) over the example organisation, on the engine (through RemoteRunner, so with the
// text its profile says: compat rewrites or the validated text) vs the embedded engine + compat
// layer, with Jena ARQ as the referee. An engine answer that differs where embedded and Jena
// agree is wrong: that indicator must be in the engine's `refused` list (and only such ones), so it
// is refused rather than answered. SLOW=1; engines from scripts/ci (skipped outside CI if absent).
// Also prints the query times on the engine vs embedded, measured in the same run.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../src/importer/index.js';
import { QueryPool, RemoteRunner, type QueryRunner, type RunRequest } from '../../src/query/index.js';
import { ENGINE_PROFILES, RemoteStore, currentGenerationId, generationsDir, readManifest } from '../../src/store/index.js';
import { EXAMPLE_DIR, testConfig } from '../helpers.js';
import { askJena } from '../oracle/jena.js';
import { ENGINES_UNDER_TEST, skipReason, startServer, type RunningServer } from '../store/servers.js';
import { HAVE_OFFICIAL, PERIOD_VALUES, jenaAnswer, normalise, officialCases, type Cell, type OfficialCase } from './official.js';

const enabled = HAVE_OFFICIAL && process.env.SLOW === '1';
const DEADLINE = 120_000;
// Values within the example organisation's years (as .ci/run's `profiles check`).
const VALUES = { ...PERIOD_VALUES, vestigingsnummer: '000012345601' };

type Case = OfficialCase;
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
    cases = officialCases(dataDir, VALUES);
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
