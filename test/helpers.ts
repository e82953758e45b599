import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Quad, Term } from '@rdfjs/types';
import oxigraph from 'oxigraph';
import { loadConfig, packageRoot, type Config } from '../src/config/index.js';
import { EmbeddedStore, calendarQuads, generationsDir, latestGoodGeneration, type DatasetStore } from '../src/store/index.js';
import { runImport } from '../src/importer/index.js';
import { installProfile, ProfileRegistry } from '../src/profiles/index.js';
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

/**
 * A hand-computed fixture's setup: import the export files into a fresh data directory, open its
 * generation in the embedded store, and install the official profile folder when it is present
 * (../shared/conformance is optional outside CI). `dataDir` is what the referee reads.
 */
export async function importWithProfile(files: Record<string, string | Buffer>, profileDir: string): Promise<{ dataDir: string; store: EmbeddedStore; registry: ProfileRegistry | undefined }> {
  const config = testConfig();
  await runImport(config, { inputs: [writeFixture(files)] });
  const store = await EmbeddedStore.open(config.dataDir);
  if (!existsSync(profileDir)) return { dataDir: config.dataDir, store, registry: undefined };
  const installed = tempDir('ds-profile-');
  installProfile(profileDir, installed);
  return { dataDir: config.dataDir, store, registry: ProfileRegistry.load([installed]) };
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

/** An RDF/JS quad (n3) as Oxigraph's own (default graph; IRIs and literals only, as our calendar). */
function oxigraphQuad(q: Quad): oxigraph.Quad {
  const term = (t: Term) => (t.termType === 'Literal' ? oxigraph.literal(t.value, oxigraph.namedNode(t.datatype.value)) : oxigraph.namedNode(t.value));
  return oxigraph.quad(oxigraph.namedNode(q.subject.value), oxigraph.namedNode(q.predicate.value), term(q.object));
}

/** A bare Oxigraph store holding only the calendar of the given years, or of the days between two ISO dates. */
export function calendarStore(fromYear: number, toYear: number, between?: [string, string]): oxigraph.Store {
  const store = new oxigraph.Store();
  for (const q of calendarQuads(fromYear, toYear)) {
    const day = /dag(\d{4}-\d{2}-\d{2})/.exec(q.subject.value)![1]!;
    if (!between || (day >= between[0] && day <= between[1])) store.add(oxigraphQuad(q));
  }
  return store;
}

/** The current generation in a bare Oxigraph store, with a calendar of the days between two ISO dates instead of its own. */
export async function generationWithCalendar(dataDir: string, from: string, to: string): Promise<oxigraph.Store> {
  const manifest = await latestGoodGeneration(dataDir);
  const store = calendarStore(Number(from.slice(0, 4)), Number(to.slice(0, 4)), [from, to]);
  for (const f of manifest.files.filter((file) => file.kind !== 'calendar')) {
    store.load(readFileSync(join(generationsDir(dataDir), manifest.id, f.name)), { format: 'application/n-triples' });
  }
  return store;
}

/** SELECT rows of a bare Oxigraph store as plain objects of lexical values. */
export function oxigraphRows(store: oxigraph.Store, text: string): Record<string, string>[] {
  return (store.query(text) as Map<string, Term>[]).map((row) => Object.fromEntries([...row.entries()].map(([k, v]) => [k, v.value])));
}

/** A TypeScript script run as a child process (tsx), its stdout collected line by line (for kill -9 tests). */
export function scriptChild(script: string, args: string[]): { proc: ChildProcess; lines: string[]; done: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let rest = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  const done = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, lines, done };
}
