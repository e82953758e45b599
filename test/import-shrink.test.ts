// Imports that lose nothing silently: a missing or renamed export file, a renamed key column and a
// sharp drop in rows refuse the import with one sentence per entity; --allow-shrink accepts it.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportRejectedError, runImport } from '../src/importer/index.js';
import { packageRoot } from '../src/config/index.js';
import { currentGenerationId, readManifest } from '../src/store/index.js';
import { WORKED_EXAMPLE } from './fixtures/worked-example.js';
import { testConfig, writeFixture } from './helpers.js';

const refusal = async (promise: Promise<unknown>): Promise<ImportRejectedError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ImportRejectedError);
  return error as ImportRejectedError;
};

describe('imports that lose nothing', () => {
  it('a missing export file refuses the import, names the entity and the expected file; the previous generation stays current', async () => {
    const config = testConfig();
    const base = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const { 'afas-hr/functies.csv': _functions, ...withoutFunctions } = WORKED_EXAMPLE;
    const error = await refusal(runImport(config, { inputs: [writeFixture(withoutFunctions)] }));
    expect(error.code).toBe('shrunk_import');
    expect(error.message).toMatch(/afas-hr\/function: no file in this import \(the previous generation had 2 rows from .*functies\.csv\); expected a file named \*functie\*/);
    expect(error.message.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(1); // one sentence per entity
    expect(currentGenerationId(config.dataDir)).toBe(base.generation);
    // Accepted explicitly, the entity is gone and the manifest says so.
    const accepted = await runImport(config, { inputs: [writeFixture(withoutFunctions)], allowShrink: true });
    const hr = readManifest(config.dataDir, accepted.generation).sources.find((s) => s.system === 'afas-hr')!;
    expect(hr.entities!.find((e) => e.entity === 'function')).toMatchObject({ rowsMapped: 0, files: [] });
  });

  it('a renamed key column maps 0 rows: refused even on a first import, with the file\'s real headers', async () => {
    const config = testConfig();
    const renamed = { ...WORKED_EXAMPLE, 'afas-hr/medewerkers.csv': WORKED_EXAMPLE['afas-hr/medewerkers.csv'].replace('Medewerker;', 'Personeelsnummer;') };
    const error = await refusal(runImport(config, { inputs: [writeFixture(renamed)] }));
    expect(error.code).toBe('shrunk_import');
    expect(error.message).toMatch(/afas-hr\/employee: no row of .*medewerkers\.csv could be mapped \(5 read\): column Medewerker.* is missing from .*medewerkers\.csv; its headers are: Personeelsnummer, Geboortedatum\./);
    expect(error.message).toMatch(/nothing was imported/);
    expect(currentGenerationId(config.dataDir)).toBeUndefined();
  });

  it('mapped rows dropping by more than import.maxShrinkPercent refuse; within it, the import goes ahead', async () => {
    const config = testConfig();
    await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const two = { ...WORKED_EXAMPLE, 'afas-hr/medewerkers.csv': 'Medewerker;Geboortedatum\nP1;1-1-1980\nP2;1-1-1990\n' };
    const error = await refusal(runImport(config, { inputs: [writeFixture(two)] }));
    expect(error.message).toMatch(/afas-hr\/employee: 2 row\(s\) mapped against 5 in the previous generation, 60% fewer \(import\.maxShrinkPercent allows 50%\)\./);
    const lenient = testConfig(config.dataDir, { import: { maxShrinkPercent: 70 } });
    await expect(runImport(lenient, { inputs: [writeFixture(two)] })).resolves.toBeDefined();
  });

  it('the CLI refuses with exit 2 and the reason, no stack trace; --allow-shrink accepts', async () => {
    const config = testConfig();
    const cli = join(packageRoot(), 'src', 'cli', 'main.ts');
    const run = (...args: string[]) => {
      try {
        return { status: 0, stderr: execFileSync(process.execPath, ['--import', 'tsx', cli, '--data-dir', config.dataDir, ...args], { encoding: 'utf8', stdio: 'pipe' }) };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { status: err.status, stderr: err.stderr };
      }
    };
    await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const { 'ons-ecd/locaties.json': _locations, ...withoutLocations } = WORKED_EXAMPLE;
    const refused = run('import', '--quiet', writeFixture(withoutLocations));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/ons-ecd\/location: no file in this import/);
    expect(refused.stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(run('import', '--quiet', '--allow-shrink', writeFixture(withoutLocations)).status).toBe(0);
  }, 60_000);
});
