// The official queries of the six published profiles in ../shared/conformance (unmodified), as the
// differentials against Jena and the remote engines load and compare them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/config/index.js';
import { ProfileRegistry, installProfile } from '../../src/profiles/index.js';
import { prepareQuery, type PreparedQuery } from '../../src/query/index.js';
import type { JenaAnswer } from '../oracle/jena.js';

export const CONFORMANCE = join(packageRoot(), '..', 'shared', 'conformance');
export const OFFICIAL_FOLDERS = ['zorgkantoren-1.3.5/queries', 'igj-aangekondigd-1.0.0', 'igj-onaangekondigd-1.2.0', 'nza-wmg-1.1.1', 'nza-kostenonderzoek-1.1.1', 'vws-jaarverantwoording-1.1.1'];
export const HAVE_OFFICIAL = existsSync(join(CONFORMANCE, OFFICIAL_FOLDERS[0]!));

/** Parameter values within the test data's years, where a query's own example lies outside them. */
export const PERIOD_VALUES: Record<string, string | number> = { jaar: 2024, kwartaal: 'Q2', peildatum: '2024-12-31', startperiode: '2024-01-01', eindperiode: '2024-12-31', start_periode: '2024-01-01', eind_periode: '2024-12-31', start_periode_datum: '2024-01-01', eind_periode_datum: '2024-12-31' };

export interface OfficialCase { key: string; prepared: PreparedQuery }

type Values = Record<string, string | number>;

/** Installs every official profile into the data directory; one prepared case per indicator (`values` per profile id; `only`: indicator ids). */
export function officialCases(dataDir: string, values: Values | ((profileId: string) => Values), only?: string[]): OfficialCase[] {
  for (const f of OFFICIAL_FOLDERS) installProfile(join(CONFORMANCE, f), join(dataDir, 'profiles'));
  const registry = ProfileRegistry.load([join(dataDir, 'profiles')]);
  return registry.list().flatMap((profile) => profile.indicators.map((i) => registry.indicator(profile.id, i.id)).filter((ind) => !only || only.includes(ind.id)).map((ind) => {
    const given = typeof values === 'function' ? values(ind.profile.id) : values;
    const chosen = Object.fromEntries(ind.parameters.map((p) => [p.name, given[p.name] ?? p.example]));
    return { key: `${ind.profile.id} ${ind.id}`, prepared: prepareQuery(ind.text, ind.parameters, chosen) };
  }));
}

export type Cell = { type: string; value: string; datatype?: string };
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const NUMERIC = new Set(['integer', 'decimal', 'double', 'float', 'int', 'long'].map((t) => XSD + t));

/** Rows as sorted text: numbers by value to 9 significant digits (Jena's decimals are unbounded, Oxigraph's 18 digits), blank nodes erased. */
export function normalise(rows: Record<string, Cell>[]): string[] {
  return rows.map((r) => JSON.stringify(Object.keys(r).sort().map((k) => {
    const c = r[k]!;
    if (c.type === 'bnode') return [k, '_'];
    if (c.datatype && NUMERIC.has(c.datatype)) return [k, Number(Number(c.value).toPrecision(9))];
    return [k, c.value];
  }))).sort();
}

export const jenaAnswer = (a: JenaAnswer): string[] | string => ('error' in a ? `error ${a.error.slice(0, 80)}` : 'boolean' in a ? String(a.boolean) : normalise(a.rows));
