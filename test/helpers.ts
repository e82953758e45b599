import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Term } from '@rdfjs/types';
import { loadConfig, packageRoot, type Config } from '../src/config/index.js';
import type { DatasetStore } from '../src/store/index.js';
import { ProfileRegistry } from '../src/profiles/index.js';
import { prepareQuery } from '../src/query/index.js';

export function tempDir(prefix = 'ds-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write `{ 'afas-hr/medewerkers.csv': '…' }` under a fresh folder. */
export function writeFixture(files: Record<string, string | Buffer>): string {
  const dir = tempDir('ds-fixture-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export function testConfig(dataDir = tempDir('ds-data-'), overrides: Record<string, unknown> = {}): Config {
  return loadConfig({ env: {}, overrides: { dataDir, ...overrides } });
}

export const EXAMPLE_DIR = join(packageRoot(), 'examples', 'de-linde');

/** Our demo indicator, its parameters activated and prepared for Oxigraph as the engine does. */
export function staffProRataQuery(jaar: number, kwartaal: string): string {
  const indicator = ProfileRegistry.load([join(packageRoot(), 'profiles')]).indicator('demo', 'staff-pro-rata');
  return prepareQuery(indicator.text, indicator.parameters, { jaar, kwartaal }).engineText;
}

export async function selectRows(store: DatasetStore, sparql: string): Promise<Record<string, string>[]> {
  const result = (await store.query(sparql)) as Map<string, Term>[];
  return result.map((row) => Object.fromEntries([...row].map(([k, v]) => [k, v.value])));
}
