// Jena ARQ as the referee of the hand-computed fixtures: every answer a fixture computes with an
// official or own indicator text on Oxigraph is recorded with its data, and after the file Jena
// answers the same validated text on the same data (one JVM per file). On in CI and `test:slow`;
// elsewhere nothing is recorded, so `npm test` on a laptop needs no Java.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import { afterAll, expect } from 'vitest';
import type { PreparedQuery } from '../../src/query/index.js';
import { currentGenerationId, generationsDir, readManifest } from '../../src/store/index.js';
import { tempDir } from '../helpers.js';
import { askJenaEach, type JenaAnswer } from '../oracle/jena.js';

export const REFEREE = !!process.env.CI || process.env.SLOW === '1';

interface Recorded { key: string; data: string[]; text: string; ours: Record<string, string>[] }
const recorded: Recorded[] = [];
const dumps = new WeakMap<oxigraph.Store, string>();

/** The N-Triples files Jena loads: a data directory's current generation, or a dump of a bare store. */
function dataFiles(data: oxigraph.Store | string): string[] {
  if (typeof data === 'string') {
    const id = currentGenerationId(data)!;
    return readManifest(data, id).files.map((f) => join(generationsDir(data), id, f.name));
  }
  let file = dumps.get(data);
  if (!file) {
    file = join(tempDir('ds-referee-'), 'data.nt');
    writeFileSync(file, data.dump({ format: 'application/n-triples', from_graph_name: oxigraph.defaultGraph() }));
    dumps.set(data, file);
  }
  return [file];
}

/** Records `ours` (the rows Oxigraph gave for `prepared.engineText`) for Jena to check; returns them unchanged. */
export function refereed(key: string, data: oxigraph.Store | string, prepared: PreparedQuery, ours: Record<string, string>[]): Record<string, string>[] {
  if (REFEREE) recorded.push({ key, data: dataFiles(data), text: prepared.text, ours });
  return ours;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Lexical values as compared: numbers by value to 9 significant digits ("0" = "0.0"), rows sorted. */
function normalise(rows: Record<string, string>[]): string[] {
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, NUMBER.test(r[k]!) ? Number(Number(r[k]).toPrecision(9)) : r[k]]))).sort();
}
const theirs = (a: JenaAnswer): string[] | string => ('error' in a ? `error ${a.error.slice(0, 120)}` : 'boolean' in a ? String(a.boolean) : normalise(a.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, c]) => [k, c.value])))));

/** Jena's verdict on everything recorded so far: one line per case where Jena answers otherwise. */
export async function refereeVerdicts(): Promise<{ checked: number; differences: string[] }> {
  const cases = recorded.splice(0);
  if (!cases.length) return { checked: 0, differences: [] };
  const answers = await askJenaEach(cases);
  const differences = cases.flatMap((c, i) => {
    const ours = normalise(c.ours), jena = theirs(answers[i]!);
    return JSON.stringify(ours) === JSON.stringify(jena) ? [] : [`${c.key}: ours ${JSON.stringify(ours).slice(0, 300)} vs Jena ${JSON.stringify(jena).slice(0, 300)}`];
  });
  return { checked: cases.length, differences };
}

/** In a test file: after all its cases, Jena checks every recorded answer; a difference fails the file. */
export function refereeAfterAll(): void {
  afterAll(async () => {
    if (!REFEREE) return;
    const { checked, differences } = await refereeVerdicts();
    console.log(`Jena referee: ${checked} answers checked, ${differences.length} differ`);
    expect(differences).toEqual([]);
  }, 600_000);
}
