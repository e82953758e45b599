// Hand-computed VWS Jaarverantwoording Zorg 1.1.1 (4.1, 4.2, 5.1) and NZa Wmg 1.1.1 (1.2.1, 1.2.2,
// 2.1, 2.2) on the worked example plus worked hours, absence and six clients, with the official texts
// when ../shared/conformance is present (unmodified; the reasoning is written next to each value).
import { refereeAfterAll, refereed } from './referee.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type oxigraph from 'oxigraph';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { installProfile, ProfileRegistry } from '../../src/profiles/index.js';
import { prepareQuery } from '../../src/query/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { generationWithCalendar, oxigraphRows, tempDir, testConfig, writeFixture } from '../helpers.js';

const CONFORMANCE = join(packageRoot(), '..', 'shared', 'conformance');
const VWS = join(CONFORMANCE, 'vws-jaarverantwoording-1.1.1');
const WMG = join(CONFORMANCE, 'nza-wmg-1.1.1');

const FIXTURE = {
  ...WORKED_EXAMPLE,
  // AFAS worked hours (141 h = one fte-month in Wmg 1.2.x): A1 Jan 141, Feb 141, Mar 282; A2 on its
  // Fz line in March 141 and on its Fs line in April 141; the agency worker A3 in January 282.
  'afas-hr/uren.csv': 'Dienstverband;Datum;Uren;Organisatorische eenheid\nA1;1-1-2024;141;L1\nA1;1-2-2024;141;L1\nA1;1-3-2024;282;L1\nA2;1-3-2024;141;L1\nA2;1-4-2024;141;L1\nA3;1-1-2024;282;L1\n',
  // Absence: A1 fully ill 1-4..10-4 (presence 0 %); A2 ill 1-3..5-3 at 50 % presence.
  'afas-hr/verzuim.csv': 'Verzuimmelding;Dienstverband;Soort verzuim;Begindatum verzuim;Einddatum verzuim;Begindatum percentage;Einddatum percentage;Percentage aanwezig\n' +
    'V1;A1;Ziekte;1-4-2024;10-4-2024;1-4-2024;10-4-2024;0\nV2;A2;Ziekte;1-3-2024;5-3-2024;1-3-2024;5-3-2024;50\n',
  // C7 has a Wlz indication with a persoonsgebonden budget (pgb) from 1-3-2024 and no care process here.
  'ons-ecd/clienten.json': JSON.stringify({ clienten: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7'].map((c) => ({ clientnummer: c, geboortedatum: '1940-01-01' })) }),
  'ons-ecd/indicaties.xml': `<?xml version="1.0" encoding="UTF-8"?>\n<Indicaties>${[
    ['B1', 'C1', 'Wlz', 'VV05', 'instelling', '2024-01-01', ''],
    ['B2', 'C2', 'Zvw', '', '', '2024-05-01', '2024-08-31'],
    ['B3', 'C3', 'Wmo', '', '', '2024-01-01', ''],
    ['B4', 'C4', 'Wlz', 'VV06', 'instelling', '2023-01-01', '2024-03-31'],
    ['B5', 'C5', 'Wlz', 'VV05', 'instelling', '2025-02-01', ''],
    ['B6', 'C6', 'Wlz', 'VV05', 'instelling', '2024-01-01', ''],
    ['B7', 'C7', 'Wlz', 'VV05', 'pgb', '2024-03-01', ''],
  ].map(([b, c, wet, zp, lv, start, eind]) => `<Indicatie><Besluitnummer>${b}</Besluitnummer><Clientnummer>${c}</Clientnummer><Wet>${wet}</Wet>${zp ? `<Zorgprofiel>${zp}</Zorgprofiel>` : ''}${lv ? `<Leveringsvorm>${lv}</Leveringsvorm>` : ''}<Ingangsdatum>${start}</Ingangsdatum>${eind ? `<Einddatum>${eind}</Einddatum>` : ''}<Behandeling>N</Behandeling></Indicatie>`).join('')}</Indicaties>\n`,
  'ons-ecd/zorgtrajecten.json': JSON.stringify({ zorgtrajecten: [
    ['T1', 'C1', 'B1', '2024-01-10', ''],
    ['T2', 'C2', 'B2', '2024-05-02', '2024-08-31'],
    ['T3', 'C3', 'B3', '2024-01-01', ''],
    ['T4', 'C4', 'B4', '2023-01-05', '2024-03-31'],
    ['T5', 'C5', 'B5', '2025-02-01', ''],
    ['T6', 'C6', 'B6', '2024-07-15', ''],
  ].map(([trajectId, clientnummer, besluitnummer, begindatum, einddatum]) => ({ trajectId, clientnummer, besluitnummer, locatieCode: 'L1', begindatum, ...(einddatum ? { einddatum } : {}) })) }),
};

let store: oxigraph.Store;
const registries = new Map<string, ProfileRegistry>();

beforeAll(async () => {
  const config = testConfig();
  await runImport(config, { inputs: [writeFixture(FIXTURE)] });
  store = await generationWithCalendar(config.dataDir, '2023-01-01', '2025-12-31');
  for (const dir of [VWS, WMG].filter((d) => existsSync(d))) {
    const installed = tempDir('ds-vws-wmg-');
    installProfile(dir, installed);
    registries.set(dir, ProfileRegistry.load([installed]));
  }
}, 60_000);
refereeAfterAll();

function row(dir: string, indicator: string, jaar: number): Record<string, string> {
  const registry = registries.get(dir)!;
  const ind = registry.indicator(registry.list()[0]!.id, indicator);
  const prepared = prepareQuery(ind.text, ind.parameters, { jaar });
  const rows = refereed(`${dir} ${indicator} ${jaar}`, store, prepared, oxigraphRows(store, prepared.engineText));
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe.runIf(existsSync(VWS))('VWS Jaarverantwoording Zorg hand-computed, official text', () => {
  // 4.1, 2024: care providers (arbeid/uitzend/inhuur with a Fz line) per month. A1 all 12 months;
  // A2's Fz line 15-2..15-3 → Feb, Mar; A3 (agency, Fz) Jan; A4 is an intern (no employment), A5
  // a volunteer with Fs. Jan 2, Feb 2, Mar 2, Apr–Dec 1 each: 15 over 12 months → 1.25.
  it('4.1 care providers 2024: 15 person-months, 1.25 on average', () => {
    const r = row(VWS, '4.1', 2024);
    expect([Number(r.Teller), Number(r.Indicator)]).toEqual([15, 1.25]);
  });
  // 4.2, 2024, employment (ArbeidsOvereenkomst) lines with a care function, weighted by ptf = hours/36:
  //   A1's line: 366 days × 1 = 366; A2's Fz line 15-2..15-3: 30 days × 24/36 = 20 → noemer 386.
  //   V1: 10 days × 1, 100 % absent → 10. V2: 5 days, 50 % present → (5 − 2.5) × 2/3 = 5/3.
  //   Teller 10 + 5/3 = 11.667; indicator 100 × 11.667 / 386 = 3.0225 %.
  it('4.2 sick leave of care providers 2024 is 3.02 %', () => {
    const r = row(VWS, '4.2', 2024);
    expect(Number(r.Noemer)).toBeCloseTo(386, 9);
    expect(Number(r.Teller)).toBeCloseTo(10 + 5 / 3, 9);
    expect(Number(r.Indicator)).toBeCloseTo((100 * (10 + 5 / 3)) / 386, 9);
  });
  // 5.1: clients with a care process overlapping the year. 2024: T1, T2, T3, T4 (until 31-3), T6 → 5
  // (T5 starts 2025). 2025: T1, T3, T5, T6 (open) → 4. (The profile's shape allows jaar 2024–2026.)
  it.each([[2024, 5], [2025, 4]])('5.1 unique clients %i: %i', (jaar, expected) => {
    expect(Number(row(VWS, '5.1', jaar).Teller)).toBe(expected);
  });
});

describe.runIf(existsSync(WMG))('NZa Wmg hand-computed, official text', () => {
  // 1.2.1, 2024: hours of employment agreements on a care line, per month, / 141. A1: Jan 1, Feb 1,
  // Mar 2; A2's March row lies on its Fz line (+1), its April row on the Fs line (not care). Months
  // Jan 1, Feb 1, Mar 3 → 5 / 3 months = 1.67 → ROUND 2. The agency worker is not in loondienst.
  it('1.2.1 average deployed care fte in loondienst 2024 is 2', () => expect(Number(row(WMG, '1.2.1', 2024).Teller)).toBe(2));
  // 1.2.2, 2024: the same for agency/hired staff: A3 in January 282 / 141 = 2 over 1 month → 2.
  it('1.2.2 average deployed care fte not in loondienst 2024 is 2', () => expect(Number(row(WMG, '1.2.2', 2024).Teller)).toBe(2));
  // 2.1, 2024: clients by the law of an indication overlapping the year. Wlz: C1, C4 (until 31-3),
  // C6, C7 (pgb) → 4 (C5's starts 2025); Zvw: C2 → 1; forensic 0; other: C3 (Wmo) → 1.
  it('2.1 clients per law 2024: Zvw 1, Wlz 4, forensic 0, other 1', () => {
    const r = row(WMG, '2.1', 2024);
    expect(['Aantal_clienten_Zvw', 'Aantal_clienten_Wlz', 'Aantal_clienten_Forensische_zorg', 'Aantal_clienten_Overige_zorg'].map((c) => Number(r[c]))).toEqual([1, 4, 0, 1]);
  });
  // 2.2, 2024: clients whose indication has the delivery form pgb: C7 (Wlz) → Wlz 1, Zvw 0.
  it('2.2 pgb clients 2024: Zvw 0, Wlz 1', () => {
    const r = row(WMG, '2.2', 2024);
    expect([Number(r.Aantal_clienten_met_leveringsvorm_PGB_in_de_Zvw), Number(r.Aantal_clienten_met_leveringsvorm_PGB_in_de_Wlz)]).toEqual([0, 1]);
  });
});
