// Hand-computed NZa Wmg 1.1.1 values on the worked example plus two contracts, with the official
// texts when ../shared/conformance is present. The point is the one ontology (KNOWN-ISSUES 11):
// 1.1.2/1.1.4/1.1.6 take one rdfs:subClassOf step to OccupationalPositionRole, and the shipped TBox
// states the reflexive triple (rdfs10) so that a non-care function typed only with it is counted.
import { refereeAfterAll, refereed } from './referee.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import type { ProfileRegistry } from '../../src/profiles/index.js';
import { prepareQuery } from '../../src/query/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { generationWithCalendar, importWithProfile, oxigraphRows } from '../helpers.js';

const OFFICIAL = join(packageRoot(), '..', 'shared', 'conformance', 'nza-wmg-1.1.1');
const OPR = 'http://purl.org/ozo/onz-g#OccupationalPositionRole';
const SUBCLASS = 'http://www.w3.org/2000/01/rdf-schema#subClassOf';

// P6: onbepaalde tijd from 1-12-2024 as receptionist (Fs, not care) 18 h; P7: bepaalde tijd
// 1-6-2024..30-6-2025 as verzorgende (Fz, care) 36 h.
const FIXTURE = {
  ...WORKED_EXAMPLE,
  'afas-hr/medewerkers.csv': `${WORKED_EXAMPLE['afas-hr/medewerkers.csv']}P6;1-1-1975\nP7;1-1-1995\n`,
  'afas-hr/dienstverbanden.csv': `${WORKED_EXAMPLE['afas-hr/dienstverbanden.csv']}A6;P6;1-12-2024;;onbepaalde tijd\nA7;P7;1-6-2024;30-6-2025;bepaalde tijd\n`,
  'afas-hr/formatie.csv': `${WORKED_EXAMPLE['afas-hr/formatie.csv']}A6;1;1-12-2024;;Fs;L1;18\nA7;1;1-6-2024;30-6-2025;Fz;L1;36\n`,
};

let store: oxigraph.Store;
let registry: ProfileRegistry | undefined;

beforeAll(async () => {
  const { dataDir, registry: installed } = await importWithProfile(FIXTURE, OFFICIAL);
  store = await generationWithCalendar(dataDir, '2024-01-01', '2025-12-31');
  registry = installed;
}, 60_000);
refereeAfterAll();

function teller(indicator: string, jaar: number): number {
  const ind = registry!.indicator(registry!.list()[0]!.id, indicator);
  const prepared = prepareQuery(ind.text, ind.parameters, { jaar });
  const rows = refereed(`nza-wmg ${indicator} ${jaar}`, store, prepared, oxigraphRows(store, prepared.engineText));
  return Number(rows[0]?.Teller ?? 0);
}

describe('one TBox: OccupationalPositionRole is its own subclass (rdfs10)', () => {
  it('the generation carries the reflexive triple', () => {
    expect(store.match(oxigraph.namedNode(OPR), oxigraph.namedNode(SUBCLASS), oxigraph.namedNode(OPR), null).length).toBe(1);
  });
});

// jaar=2025, peildatum 2025-01-01, employees in loondienst (ArbeidsOvereenkomst):
//   A1 (Fz 36 h, since 2022) care; A7 (Fz 36 h until 30-6-2025) care; A6 (Fs 18 h since 1-12-2024)
//   non-care; A2 ended 31-12-2024; A5 (vrijwilliger, Fs) is no employment. Care fte 36/36 + 36/36 = 2;
//   non-care fte 18/36 = 0.5 (before the TBox triple: 0, no line passes the one-step walk).
describe.runIf(existsSync(OFFICIAL))('NZa Wmg hand-computed, official text', () => {
  it('1.1.1 care fte on 2025-01-01 is 2', () => expect(teller('1.1.1', 2025)).toBe(2));
  it('1.1.2 non-care fte on 2025-01-01 is 0.5', () => expect(teller('1.1.2', 2025)).toBe(0.5));
});
