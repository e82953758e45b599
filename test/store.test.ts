// Generations: atomic swap, restart, fallback from a damaged generation, carry-forward of sources,
// refusal to wipe a source with an empty export, and kill -9 in the middle of an import.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/config/index.js';
import { ImportRejectedError, runImport } from '../src/importer/index.js';
import { EmbeddedStore, currentGenerationId, generationsDir, listGenerations, readManifest } from '../src/store/index.js';
import { generate } from '../examples/generator/generate.js';
import { EXAMPLE_DIR, selectRows, tempDir, testConfig, writeFixture } from './helpers.js';
import { WORKED_EXAMPLE } from './fixtures/worked-example.js';

const countAgreements = `PREFIX onz-pers: <http://purl.org/ozo/onz-pers#> SELECT (COUNT(?o) AS ?n) WHERE { ?o a onz-pers:WerkOvereenkomst }`;

describe('generations', () => {
  it('survive a restart and re-import produces byte-identical data', async () => {
    const config = testConfig();
    const first = await runImport(config, { inputs: [join(EXAMPLE_DIR, 'afas-hr')] });
    const second = await runImport(config, { inputs: [join(EXAMPLE_DIR, 'afas-hr')] });
    expect(second.previous).toBe(first.generation);
    const sha = (id: string) => readManifest(config.dataDir, id).files.find((f) => f.name === 'source-afas-hr.nt')!.sha256;
    expect(sha(second.generation)).toBe(sha(first.generation));
    const reopened = await EmbeddedStore.open(config.dataDir);
    expect(reopened.manifest.id).toBe(second.generation);
    expect((await selectRows(reopened, countAgreements))[0]!.n).toBe('151');
  });

  it('carries other sources forward when one source is re-imported', async () => {
    const config = testConfig();
    await runImport(config, { inputs: [EXAMPLE_DIR] });
    const hrOnly = await runImport(config, { inputs: [join(EXAMPLE_DIR, 'afas-hr')] });
    expect(hrOnly.carried.sort()).toEqual(['exact-fin', 'ons-ecd', 'ons-roosteren']);
    const store = await EmbeddedStore.open(config.dataDir);
    expect(store.manifest.sources.map((s) => s.system).sort()).toEqual(['afas-hr', 'exact-fin', 'ons-ecd', 'ons-roosteren']);
    const sites = await selectRows(store, `PREFIX onz-org: <http://purl.org/ozo/onz-org#> SELECT (COUNT(?v) AS ?n) WHERE { ?v a onz-org:Vestiging }`);
    expect(sites[0]!.n).toBe('3');
  });

  it('falls back to the previous generation when the current one is damaged', async () => {
    const config = testConfig();
    const first = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const second = await runImport(config, { inputs: [join(EXAMPLE_DIR, 'afas-hr')] });
    appendFileSync(join(generationsDir(config.dataDir), second.generation, 'source-afas-hr.nt'), '<urn:x> <urn:y> <urn:z> .\n');
    const skipped: string[] = [];
    const store = await EmbeddedStore.open(config.dataDir, (id) => skipped.push(id));
    expect(skipped).toEqual([second.generation]);
    expect(store.manifest.id).toBe(first.generation);
  });

  it('refuses to replace a source by an export in which no row maps', async () => {
    const config = testConfig();
    await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const before = currentGenerationId(config.dataDir);
    const broken = writeFixture({ 'afas-hr/medewerkers.csv': 'Medewerker;Geboortedatum\n;\n' });
    await expect(runImport(config, { inputs: [broken] })).rejects.toThrow(ImportRejectedError);
    expect(currentGenerationId(config.dataDir)).toBe(before);
  });
});

describe('crash safety', () => {
  it('kill -9 at any moment of an import leaves the previous generation current and intact', async () => {
    const config = testConfig();
    const base = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const big = generate(tempDir('ds-big-'), { employees: 3000, clients: 1000, years: [2024, 2025], seed: 7, messy: false }).dir;
    const cli = join(packageRoot(), 'src', 'cli', 'main.ts');
    // Kill at several moments: while reading, mapping, validating and writing the generation.
    for (const delayMs of [300, 1500, 3000, 4500]) {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, '--data-dir', config.dataDir, 'import', '--quiet', big], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const current = currentGenerationId(config.dataDir)!;
      const store = await EmbeddedStore.open(config.dataDir);
      // Either the kill came before the switch (old generation) or after it (complete new one).
      expect(store.manifest.id).toBe(current);
      if (current === base.generation) expect((await selectRows(store, countAgreements))[0]!.n).toBe('5');
      else expect(Number((await selectRows(store, countAgreements))[0]!.n)).toBeGreaterThan(2900);
    }
    // The next import cleans up what the killed ones left and succeeds.
    const after = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    expect(existsSync(join(config.dataDir, 'import.lock'))).toBe(false);
    expect(readdirSync(generationsDir(config.dataDir)).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    expect(listGenerations(config.dataDir)).toContain(after.generation);
    expect(readFileSync(join(config.dataDir, 'CURRENT'), 'utf8').trim()).toBe(after.generation);
  }, 180_000);
});
