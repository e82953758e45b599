// Hand-computed IGJ 1.2.3 and 1.4.2 (hours worked around a peildatum, from shifts with begin and
// end) on the worked example plus an agency worker and an ONS Roosteren realisation, with the
// official texts of IGJ onaangekondigd 1.2.0 when ../shared/conformance is present (aangekondigd
// 1.0.0's 1.2.3/1.4.2 of the same numbers count *planned* hours from the roster); and the rule that makes
// them coexist with AFAS monthly totals (one source of worked hours per agreement and month,
// KNOWN-ISSUES 15), with our own query always.
import { refereeAfterAll, refereed } from './referee.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type oxigraph from 'oxigraph';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { runImport, type ImportSummary } from '../../src/importer/index.js';
import { installProfile, ProfileRegistry } from '../../src/profiles/index.js';
import { prepareQuery } from '../../src/query/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { generationWithCalendar, oxigraphRows, tempDir, testConfig, writeFixture } from '../helpers.js';

const CONFORMANCE = join(packageRoot(), '..', 'shared', 'conformance');
const PROFILES = ['igj-onaangekondigd-1.2.0'].filter((p) => existsSync(join(CONFORMANCE, p)));

// A8: agency worker (uitzendovereenkomst, PNIL), Fz at L1 from 1-2-2024. Fz is level 3.
const FIXTURE = {
  ...WORKED_EXAMPLE,
  'afas-hr/medewerkers.csv': `${WORKED_EXAMPLE['afas-hr/medewerkers.csv']}P8;1-1-1992\n`,
  'afas-hr/dienstverbanden.csv': `${WORKED_EXAMPLE['afas-hr/dienstverbanden.csv']}A8;P8;1-2-2024;;uitzendovereenkomst\n`,
  'afas-hr/formatie.csv': `${WORKED_EXAMPLE['afas-hr/formatie.csv']}A8;1;1-2-2024;;Fz;L1;24\n`,
  // AFAS monthly totals: A1 in March (superseded by its realised shifts) and A2 in April (kept).
  'afas-hr/uren.csv': 'Dienstverband;Datum;Uren;Organisatorische eenheid\nA1;1-3-2024;160;L1\nA2;1-4-2024;100;L1\n',
  'ons-roosteren/realisatie-maart-2024.csv': 'Dienst-ID;Dienstverband;Afdeling;Begin;Eind;Uren\n' + [
    'G1;A1;L1;1-3-2024 07:00;1-3-2024 15:00;8', // dag, PIL onbepaald
    'G2;A2;L1;1-3-2024 15:00;1-3-2024 23:00;8', // avond, PIL bepaald (A2 is on its Fz line until 15-3)
    'G3;A8;L1;1-3-2024 23:00;2-3-2024 07:00;8', // nacht, PNIL uitzend
    'G4;A1;L1;29-2-2024 23:00;1-3-2024 07:00;8', // ends when the slot begins: not in it
    'G5;A4;L1;1-3-2024 09:00;1-3-2024 13:30;4,5', // intern (stage): 1.2.3 only
    'G6;A1;L1;2-3-2024 05:00;2-3-2024 09:00;4', // 05:00-07:00 in the slot (2 h, nacht), the rest after it
  ].join('\n') + '\n',
};

let store: oxigraph.Store;
let summary: ImportSummary;
const registries = new Map<string, ProfileRegistry>();

beforeAll(async () => {
  const config = testConfig();
  summary = await runImport(config, { inputs: [writeFixture(FIXTURE)] });
  store = await generationWithCalendar(config.dataDir, '2024-01-01', '2024-12-31');
  for (const p of PROFILES) {
    const installed = tempDir('ds-igj-shifts-');
    installProfile(join(CONFORMANCE, p), installed);
    registries.set(p, ProfileRegistry.load([installed]));
  }
}, 60_000);

function answer(profile: string, indicator: string) {
  const registry = registries.get(profile)!;
  const ind = registry.indicator(registry.list()[0]!.id, indicator);
  const prepared = prepareQuery(ind.text, ind.parameters, { peildatum: '2024-03-01', vestigingsnummer: '000000000001' });
  return refereed(`${profile} ${indicator}`, store, prepared, oxigraphRows(store, prepared.engineText));
}
refereeAfterAll();
/** The value of the column whose name ends with `suffix` in the row of `label` (the profiles differ: ingezette/geplande). */
const col = (rows: Record<string, string>[], label: string, suffix: string) => {
  const row = rows.find((r) => Object.values(r).includes(label));
  const key = row && Object.keys(row).find((k) => k.endsWith(suffix));
  return key ? Number(row[key]) : NaN;
};

describe('one source of worked hours per agreement and month (own query)', () => {
  const hours = (agreement: string, month: string) => Number(oxigraphRows(store, `PREFIX onz-g: <http://purl.org/ozo/onz-g#>
    PREFIX onz-pers: <http://purl.org/ozo/onz-pers#>
    SELECT (SUM(?h) AS ?uren) WHERE { ?p a onz-pers:GewerktePeriode ; onz-g:definedBy ?a ; onz-g:hasBeginTimeStamp ?b ;
      onz-g:hasQuality/onz-g:hasQualityValue/onz-g:hasDataValue ?h
      FILTER(STRENDS(STR(?a), "overeenkomst/${agreement}") && STRSTARTS(STR(?b), "${month}")) }`)[0]!.uren);
  // A1 in March: AFAS says 160, the realisation has G1 (8) and G6 (4) → 12, not 172. A1 in
  // February: only G4 (8; AFAS has no February row). A2 in April: no shifts, AFAS's 100 stays.
  it('realised shifts replace the AFAS total of that agreement and month', () => {
    expect([hours('A1', '2024-03'), hours('A1', '2024-02'), hours('A2', '2024-04')]).toEqual([12, 8, 100]);
    expect(summary.supersededWorkedTotals).toBe(1);
  });
});

describe('the rule holds when one of the two sources is carried forward', () => {
  it('a realisation imported alone rewrites the carried AFAS source without the superseded total', async () => {
    const config = testConfig();
    const { 'ons-roosteren/realisatie-maart-2024.csv': realisation, ...rest } = FIXTURE;
    await runImport(config, { inputs: [writeFixture(rest)] });
    const before = await generationWithCalendar(config.dataDir, '2024-01-01', '2024-12-31');
    const second = await runImport(config, { inputs: [writeFixture({ 'ons-roosteren/realisatie-maart-2024.csv': realisation })] });
    const after = await generationWithCalendar(config.dataDir, '2024-01-01', '2024-12-31');
    const a1March = (s: oxigraph.Store) => Number(oxigraphRows(s, `PREFIX onz-g: <http://purl.org/ozo/onz-g#>
      SELECT (SUM(?h) AS ?uren) WHERE { ?p onz-g:definedBy ?a ; onz-g:hasBeginTimeStamp ?b ; onz-g:hasQuality/onz-g:hasQualityValue/onz-g:hasDataValue ?h
        FILTER(STRENDS(STR(?a), "overeenkomst/A1") && STRSTARTS(STR(?b), "2024-03")) }`)[0]!.uren);
    expect(second.carried).toContain('afas-hr');
    expect([a1March(before), a1March(after), second.supersededWorkedTotals]).toEqual([160, 12, 1]);
  }, 60_000);
});

// Peildatum 2024-03-01 at V1: the slot runs 1-3 07:00 … 2-3 07:00.
describe.each(PROFILES)('IGJ %s hand-computed, official text', (profile) => {
  // 1.2.3 per contract type: G1 8 + G6 2 (05:00-07:00, clipped at the slot's end) = 10 onbepaald (A1);
  // G2 8 bepaald (A2); G3 8 uitzend (A8, 23:00 → 07:00: 7 − 23 + 24); G5 4.5 stage (A4); G4 ends at
  // 07:00 and does not overlap. Total 30.5, one level (Niveau 3), so the total row is the same.
  it.each(['Niveau 3', 'Totaal aantal ingezette uren'])('1.2.3 %s', (label) => {
    const rows = answer(profile, '1.2.3');
    expect(['_ZV', '_onbepaalde_tijd', '_bepaalde_tijd', '_oproep', '_BBL', '_inhuur', '_uitzend', '_stage', '_vrijwilliger'].map((s) => col(rows, label, s)))
      .toEqual([30.5, 10, 8, 0, 0, 0, 8, 4.5, 0]);
  });
  // 1.4.2 by part of the day (dag 07-15, avond 15-23, nacht 23-07), PIL = arbeidsovereenkomst,
  // PNIL = uitzend/inhuur; the intern (G5) is neither. PIL: dag 8 (G1), avond 8 (G2), nacht 2 (G6 is
  // an early start on the next day: 05:00-07:00); PNIL: nacht 8 (G3).
  it.each(['Niveau 3', 'Totaal'])('1.4.2 %s', (label) => {
    const rows = answer(profile, '1.4.2');
    expect(['PIL_dag', 'PIL_avond', 'PIL_nacht', 'PNIL_dag', 'PNIL_avond', 'PNIL_nacht'].map((s) => col(rows, label, s))).toEqual([8, 8, 2, 0, 0, 8]);
  });
});
