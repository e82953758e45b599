// Hand-computed IGJ values on small export fixtures, with our own queries (always) and the official
// IGJ aangekondigd 1.0.0 texts (and onaangekondigd 1.2.0's for 1.1.1, 1.1.3) when ../shared/conformance is present. Like hand-computed.test.ts:
// the fixtures go through our own mappings; the official texts are read where they are.
import { refereeAfterAll, refereed } from './referee.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import oxigraph from 'oxigraph';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { installProfile, ProfileRegistry } from '../../src/profiles/index.js';
import { prepareQuery } from '../../src/query/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { generationWithCalendar, oxigraphRows, tempDir, testConfig, writeFixture } from '../helpers.js';

const OFFICIAL = join(packageRoot(), '..', 'shared', 'conformance', 'igj-aangekondigd-1.0.0');
// The unannounced-visit profile shares the indicators; its 1.1.1 and 1.1.3 (which differs in
// comments and layout) are checked on the same fixtures.
const UNANNOUNCED = join(packageRoot(), '..', 'shared', 'conformance', 'igj-onaangekondigd-1.2.0');
const OFFICIAL_SOURCES = [...(existsSync(OFFICIAL) ? ['official'] : []), ...(existsSync(UNANNOUNCED) ? ['onaangekondigd'] : [])];
const OWN = join(packageRoot(), 'test', 'conformance', 'own-indicators-igj');
const PERS = 'http://purl.org/ozo/onz-pers#';
const SUBCLASS = 'http://www.w3.org/2000/01/rdf-schema#subClassOf';

// The worked example plus a second site and six clients (ONS exports), for the client indicators.
const CLIENTS = {
  ...WORKED_EXAMPLE,
  'ons-ecd/vestigingen.json': JSON.stringify({ vestigingen: [
    { vestigingsnummer: '000000000001', naam: 'V1', postcode: '6821AB', huisnummer: '1' },
    { vestigingsnummer: '000000000002', naam: 'V2', postcode: '6881CD', huisnummer: '2' },
  ] }),
  'ons-ecd/locaties.json': JSON.stringify({ locaties: [
    { code: 'L1', naam: 'Afdeling 1', vestigingsnummer: '000000000001' },
    { code: 'L2', naam: 'Afdeling 2', vestigingsnummer: '000000000002' },
  ] }),
  'ons-ecd/clienten.json': JSON.stringify({ clienten: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'].map((c) => ({ clientnummer: c, geboortedatum: '1940-01-01' })) }),
  'ons-ecd/indicaties.xml': `<?xml version="1.0" encoding="UTF-8"?>\n<Indicaties>${[
    ['B1', 'C1', 'Wlz', 'VV05', 'instelling', '2024-01-01', ''],
    ['B2', 'C2', 'Zvw', '', '', '2024-05-01', '2024-08-31'],
    ['B3', 'C3', 'Wmo', '', '', '2024-01-01', ''],
    ['B4', 'C4', 'Wlz', 'VV06', 'instelling', '2023-01-01', '2024-03-31'],
    ['B5', 'C5', 'Wlz', 'VV05', 'instelling', '2024-01-01', ''],
    ['B6', 'C6', 'Wlz', 'VV05', 'instelling', '2024-01-01', ''],
  ].map(([b, c, wet, zp, lv, start, eind]) => `<Indicatie><Besluitnummer>${b}</Besluitnummer><Clientnummer>${c}</Clientnummer><Wet>${wet}</Wet>${zp ? `<Zorgprofiel>${zp}</Zorgprofiel>` : ''}${lv ? `<Leveringsvorm>${lv}</Leveringsvorm>` : ''}<Ingangsdatum>${start}</Ingangsdatum>${eind ? `<Einddatum>${eind}</Einddatum>` : ''}<Behandeling>N</Behandeling></Indicatie>`).join('')}</Indicaties>\n`,
  'ons-ecd/zorgtrajecten.json': JSON.stringify({ zorgtrajecten: [
    ['T1', 'C1', 'B1', 'L1', '2024-01-10', ''],
    ['T2', 'C2', 'B2', 'L1', '2024-05-02', '2024-08-31'],
    ['T3', 'C3', 'B3', 'L1', '2024-01-01', ''],
    ['T4', 'C4', 'B4', 'L1', '2023-01-05', '2024-03-31'],
    ['T5', 'C5', 'B5', 'L2', '2024-01-01', ''],
    ['T6', 'C6', 'B6', 'L1', '2024-07-15', ''],
  ].map(([trajectId, clientnummer, besluitnummer, locatieCode, begindatum, einddatum]) => ({ trajectId, clientnummer, besluitnummer, locatieCode, begindatum, ...(einddatum ? { einddatum } : {}) })) }),
};

// CLIENTS plus four Zvw clients with their declaraties and DBCs (1.1.3), an agency worker (A8, Fz
// at L1 from 1-2-2024) and an ONS Roosteren export (1.4.1).
const ZVW = [
  // client, besluit, location, care start, invoice kind, code, approved
  ['C7', 'B7', 'L1', '2024-06-03', 'declaratie', '1002', 'J'],
  ['C8', 'B8', 'L1', '2024-05-21', 'dbc', '972800066', 'J'],
  ['C9', 'B9', 'L1', '2024-06-11', 'dbc', '972800067', 'N'],
  ['C10', 'B10', 'L2', '2024-06-01', 'declaratie', '1001', 'J'],
] as const;
const ROSTER = {
  ...CLIENTS,
  'ons-ecd/clienten.json': JSON.stringify({ clienten: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', ...ZVW.map((z) => z[0])].map((c) => ({ clientnummer: c, geboortedatum: '1940-01-01' })) }),
  'ons-ecd/indicaties.xml': CLIENTS['ons-ecd/indicaties.xml'].replace('</Indicaties>', `${ZVW.map(([c, b]) => `<Indicatie><Besluitnummer>${b}</Besluitnummer><Clientnummer>${c}</Clientnummer><Wet>Zvw</Wet><Ingangsdatum>2024-05-01</Ingangsdatum><Einddatum>2024-09-30</Einddatum><Behandeling>J</Behandeling></Indicatie>`).join('')}</Indicaties>`),
  'ons-ecd/zorgtrajecten.json': JSON.stringify({ zorgtrajecten: [
    ...(JSON.parse(CLIENTS['ons-ecd/zorgtrajecten.json']) as { zorgtrajecten: unknown[] }).zorgtrajecten,
    ...ZVW.map(([c, b, locatieCode, begindatum]) => ({ trajectId: `T${c}`, clientnummer: c, besluitnummer: b, locatieCode, begindatum })),
  ] }),
  'ons-ecd/declaraties.csv': `Declaratie;Traject;Prestatiecode;Datum;Bedrag;Goedgekeurd\n${ZVW.filter((z) => z[4] === 'declaratie').map(([c, , , , , code, ok]) => `D${c};T${c};${code};2024-06-28;100,00;${ok}`).join('\n')}\n`,
  'ons-ecd/dbc-grz.csv': `DBC-nummer;Traject;Zorgproductcode;Einddatum DBC;Bedrag;Goedgekeurd\n${ZVW.filter((z) => z[4] === 'dbc').map(([c, , , , , code, ok]) => `DBC${c};T${c};${code};2024-06-28;100,00;${ok}`).join('\n')}\n`,
  'afas-hr/medewerkers.csv': `${WORKED_EXAMPLE['afas-hr/medewerkers.csv']}P8;1-1-1992\n`,
  'afas-hr/dienstverbanden.csv': `${WORKED_EXAMPLE['afas-hr/dienstverbanden.csv']}A8;P8;1-2-2024;;uitzendovereenkomst\n`,
  'afas-hr/formatie.csv': `${WORKED_EXAMPLE['afas-hr/formatie.csv']}A8;1;1-2-2024;;Fz;L1;24\n`,
  'ons-roosteren/rooster-diensten.csv': 'Dienst-ID;Dienstverband;Afdeling;Soort;Begin;Eind\n' + [
    'R1;A1;L1;Dienst;1-3-2024 07:00;1-3-2024 15:00',
    'R2;A1;L1;Dienst;1-3-2024 07:30;1-3-2024 15:30',
    'R3;A2;L1;Dienst;1-3-2024 15:00;1-3-2024 23:00',
    'R4;A8;L1;Dienst;1-3-2024 23:00;1-3-2024 07:15',
    'R5;A8;L1;Dienst;2-3-2024 07:00;2-3-2024 15:00',
    'R6;A1;L1;Vervallen;1-3-2024 15:00;1-3-2024 23:00',
    'R7;A2;L1;Dienst;29-2-2024 23:00;29-2-2024 07:15',
    'R8;A4;L1;Dienst;1-3-2024 07:00;1-3-2024 15:00',
    'R9;A2;L1;Dienst;2-3-2024 06:00;2-3-2024 07:00',
  ].join('\n') + '\n',
};

let store: oxigraph.Store;
let rosterStore: oxigraph.Store;
const registries = new Map<string, ProfileRegistry>();

beforeAll(async () => {
  const config = testConfig();
  await runImport(config, { inputs: [writeFixture(CLIENTS)] });
  store = await generationWithCalendar(config.dataDir, '2024-01-01', '2024-12-31');
  const rosterConfig = testConfig();
  await runImport(rosterConfig, { inputs: [writeFixture(ROSTER)] });
  rosterStore = await generationWithCalendar(rosterConfig.dataDir, '2024-01-01', '2024-12-31');
  for (const [source, dir] of [['official', OFFICIAL], ['onaangekondigd', UNANNOUNCED], ['own', OWN]] as const) {
    if (!existsSync(dir)) continue;
    const installed = tempDir(`ds-igj-${source}-`);
    installProfile(dir, installed);
    registries.set(source, ProfileRegistry.load([installed]));
  }
}, 60_000);

function answer(source: string, indicator: string, values: Record<string, unknown>, on = store) {
  const registry = registries.get(source)!;
  const ind = registry.indicator(registry.list()[0]!.id, indicator);
  const prepared = prepareQuery(ind.text, ind.parameters, values);
  return refereed(`igj ${source} ${indicator}`, on, prepared, oxigraphRows(on, prepared.engineText));
}
refereeAfterAll();

const COLUMNS = ['Totaal', 'Aantal_ZV_medewerkers_onbepaalde_tijd', 'Aantal_ZV_medewerkers_bepaalde_tijd', 'Aantal_ZV_medewerkers_oproep', 'Aantal_ZV_medewerkers_BBL', 'Aantal_ZV_medewerkers_inhuur', 'Aantal_ZV_medewerkers_uitzend', 'Aantal_ZV_medewerkers_stage', 'Aantal_ZV_medewerkers_vrijwilliger'];
const level = (rows: Record<string, string>[], label: string) => COLUMNS.map((c) => Number(rows.find((r) => r.kwalificatie_niveau === label)?.[c] ?? 0));

// IGJ 1.2.1 on the worked example (kikv-domain.md), site V1 = 000000000001, care function Fz is
// level 3 ("Niveau 3"), Fs is not a care function:
//   2024-03-01: A1 (P1, onbepaalde tijd, Fz at L1) counts; A2 (P2, bepaalde tijd) is on its Fz line
//     (15-2..15-3) and counts; A3 (agency) ended 31-1 and has no location; A4 (intern, Fz at L1
//     until 31-3) counts as stage; A5 (volunteer) has Fs. Niveau 3: total 3 = 1 onbepaald +
//     1 bepaald + 1 stage.
//   2024-03-20: A2 has moved to Fs, so only A1 and A4: total 2 = 1 onbepaald + 1 stage.
const CASES: [string, number[]][] = [
  ['2024-03-01', [3, 1, 1, 0, 0, 0, 0, 1, 0]],
  ['2024-03-20', [2, 1, 0, 0, 0, 0, 0, 1, 0]],
];

describe('IGJ 1.2.1 hand-computed, own query', () => {
  it.each(CASES)('peildatum %s', (peildatum, expected) => {
    expect(level(answer('own', '1.2.1', { peildatum, vestigingsnummer: '000000000001' }), 'Niveau 3')).toEqual(expected);
  });
});

describe.runIf(existsSync(OFFICIAL))('IGJ 1.2.1 hand-computed, official text', () => {
  // The shipped TBox states the rdfs11 closure of the agreement tree (KNOWN-ISSUES 11), so the
  // published one-step walk to WerkOvereenkomst counts employees in loondienst per contract type.
  it.each(CASES)('peildatum %s, on the shipped TBox', (peildatum, expected) => {
    const rows = answer('official', '1.2.1', { peildatum, vestigingsnummer: '000000000001' });
    expect(level(rows, 'Niveau 3')).toEqual(expected);
    expect(level(rows, 'Totaal aantal medewerkers')).toEqual(expected); // one level in the fixture
  });

  it('the TBox links every employment contract type to WerkOvereenkomst in one step', () => {
    const direct = (c: string) => store.match(oxigraph.namedNode(`${PERS}${c}`), oxigraph.namedNode(SUBCLASS), oxigraph.namedNode(`${PERS}WerkOvereenkomst`), null).length;
    expect(['ArbeidsOvereenkomstOnbepaaldeTijd', 'ArbeidsOvereenkomstBepaaldeTijd', 'ArbeidsOvereenkomstBBL', 'OproepOvereenkomst'].map(direct)).toEqual([1, 1, 1, 1]);
  });
});

// IGJ 1.1.1 on CLIENTS, peildatum 2024-06-30:
//   V1 (000000000001): C1 Wlz in care at L1 since 10-1 → Wlz; C2 Zvw 1-5..31-8 at L1 → Zvw; C3 Wmo
//     at L1 → other; C4's indication and care ended 31-3 → out; C5 is at L2 (V2) → out; C6's care
//     starts 15-7 → out. Total 3 = 1 Zvw + 1 Wlz + 1 other.
//   V2 (000000000002): only C5 (Wlz). Total 1.
const CLIENT_COLUMNS = ['Totaal_aantal_unieke_clienten', 'Aantal_clienten_Zvw', 'Aantal_clienten_Wlz', 'Aantal_clienten_Overige_zorg'];
const CLIENT_CASES: [string, number[]][] = [
  ['000000000001', [3, 1, 1, 1]],
  ['000000000002', [1, 0, 1, 0]],
];
const clients = (rows: Record<string, string>[]) => (rows.length === 1 ? CLIENT_COLUMNS.map((c) => Number(rows[0]![c])) : rows);

describe.each([...OFFICIAL_SOURCES, 'own'])('IGJ 1.1.1 hand-computed, %s query', (source) => {
  it.each(CLIENT_CASES)('vestiging %s', (vestigingsnummer, expected) => {
    expect(clients(answer(source, '1.1.1', { peildatum: '2024-06-30', vestigingsnummer }))).toEqual(expected);
  });
});

// IGJ 1.4.1 on ROSTER, peildatum 2024-03-01, vestiging V1; the slot runs 1-3 07:00 … 2-3 07:00:
//   R1 and R2: A1 (PIL) starts a day shift twice → A1 once in dag. R3: A2 (PIL, Fz until 15-3)
//   avond. R4: A8 (agency, PNIL) nacht at 23:00 (end written on the shift's date, as exported).
//   R5 starts 2-3 07:00 → next slot. R6 is cancelled (no planned worked period). R7 starts the
//   day before. R8: A4 is an intern (neither PIL nor PNIL). R9: A2 starts 2-3 06:00 → nacht.
//   Niveau 3 (the only level) and Totaal: PIL dag 1, avond 1, nacht 1; PNIL dag 0, avond 0, nacht 1.
const SHIFT_COLUMNS = ['Aantal_ZV_PIL_dag', 'Aantal_ZV_PIL_avond', 'Aantal_ZV_PIL_nacht', 'Aantal_ZV_PNIL_dag', 'Aantal_ZV_PNIL_avond', 'Aantal_ZV_PNIL_nacht'];
const shifts = (rows: Record<string, string>[], label: string) => SHIFT_COLUMNS.map((c) => Number(rows.find((r) => r.kwalificatieniveau === label)?.[c] ?? NaN));

// onaangekondigd's 1.4.1 reads realised worked periods, not the roster: igj-shifts-hand-computed.test.ts
describe.each([...(existsSync(OFFICIAL) ? ['official'] : []), 'own'])('IGJ 1.4.1 hand-computed, %s query', (source) => {
  it.each(['Niveau 3', 'Totaal'])('%s on 2024-03-01 at V1', (label) => {
    const rows = answer(source, '1.4.1', { peildatum: '2024-03-01', vestigingsnummer: '000000000001' }, rosterStore);
    expect(shifts(rows, label)).toEqual([1, 1, 1, 0, 0, 1]);
  });

  it('another vestiging has no rostered staff: zeros', () => {
    const rows = answer(source, '1.4.1', { peildatum: '2024-03-01', vestigingsnummer: '000000000002' }, rosterStore);
    expect(shifts(rows, 'Totaal')).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

// IGJ 1.1.3 on ROSTER, peildatum 2024-06-30 (Zvw indications 1-5..30-9):
//   V1: C2 (Zvw, no invoice) other; C7 approved ELV declaratie 1002 → ELV; C8 approved DBC
//     972800066 → GRZ; C9's DBC is not approved → other. C1/C3/C5/C6 have no Zvw indication.
//     Total 4 = 1 ELV + 1 GRZ + 2 other.
//   V2: C10 at L2 with approved ELV 1001 → total 1, ELV 1.
const ZVW_COLUMNS = ['Totaal_aantal_unieke_clienten', 'Aantal_clienten_ELV', 'Aantal_clienten_GRZ', 'Aantal_clienten_met_een_Zvw_indicatie_overig'];
const ZVW_CASES: [string, number[]][] = [
  ['000000000001', [4, 1, 1, 2]],
  ['000000000002', [1, 1, 0, 0]],
];

describe.each([...OFFICIAL_SOURCES, 'own'])('IGJ 1.1.3 hand-computed, %s query', (source) => {
  it.each(ZVW_CASES)('vestiging %s', (vestigingsnummer, expected) => {
    const rows = answer(source, '1.1.3', { peildatum: '2024-06-30', vestigingsnummer }, rosterStore);
    expect(rows.length === 1 ? ZVW_COLUMNS.map((c) => Number(rows[0]![c] ?? 0)) : rows).toEqual(expected);
  });
});

// IGJ 1.1.2 on CLIENTS, peildatum 2024-06-30: Wlz clients in care by care profile. The published
// text leaves its vestiging filter commented out (KNOWN-ISSUES 9), so both sites count. C1 (VV05,
// instelling, no treatment, at L1 since 10-1) and C5 (VV05, instelling, at L2) are in care; C4's
// indication and care ended 31-3; C6's care starts 15-7; C2 (Zvw) and C3 (Wmo) have no Wlz
// indication. 5VV: total 2, both verblijf zonder behandeling; every other profile 0; the
// organisation row "Totaal uniek aantal clienten" the same as 5VV.
const PROFILE_COLUMNS = ['Totaal', 'verblijf_met_behandeling', 'verblijf_zonder_behandeling', 'pgb', 'mpt', 'vpt', 'pgb_en_mpt'];
describe.runIf(existsSync(OFFICIAL))('IGJ 1.1.2 hand-computed, official text', () => {
  it('clients per care profile on 2024-06-30', () => {
    const rows = answer('official', '1.1.2', { peildatum: '2024-06-30', vestigingsnummer: '000000000001' });
    const of = (r: Record<string, string> | undefined) => PROFILE_COLUMNS.map((c) => Number(r?.[c] ?? NaN));
    expect(of(rows.find((r) => r.zorgprofiel?.endsWith('#5VV')))).toEqual([2, 0, 2, 0, 0, 0, 0]);
    expect(of(rows.find((r) => r.zorgprofiel === 'Totaal uniek aantal clienten'))).toEqual([2, 0, 2, 0, 0, 0, 0]);
    const others = rows.filter((r) => r.zorgprofiel !== 'Totaal uniek aantal clienten' && !r.zorgprofiel?.endsWith('#5VV'));
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((r) => Number(r.Totaal) === 0)).toBe(true);
  });
});

// IGJ aangekondigd 1.2.3 on ROSTER (planned hours of care staff in the slot 1-3 07:00 … 2-3 07:00,
// per contract type), official text. The agreement line only has to overlap the slot; every
// planned worked period of the agreement at a site of V1 counts, cut to the slot:
//   A1 (onbepaald): R1 07:00–15:00 = 8 and R2 07:30–15:30 = 8 — the same person, level and hours,
//     and the published text takes SELECT DISTINCT over (employee, level, hours per type) before
//     summing, so the two shifts count once: 8, not 16 (KNOWN-ISSUES 16).
//   A2 (bepaald, Fz line until 15-3): R3 15:00–23:00 = 8; R9 2-3 06:00–07:00 = 1 → 9. R7 (29-2
//     23:00, its end "29-2 07:15" as exported) ends before the slot: the night belongs to 29-2.
//   A8 (uitzend): R4 23:00 to "1-3 07:15" = 24 − 23 + 7.25 = 8.25. R5 starts at the slot's end.
//   A4 (stage): R8 = 8. R6 is cancelled (no planned worked period).
//   Niveau 3 and the total row: 8 + 9 + 8.25 + 8 = 33.25 = 8 onbepaald + 9 bepaald + 8.25 uitzend + 8 stage.
// On 29-2 only R7 falls in the slot (29-2 23:00 to the exported 29-2 07:15 → 8.25, bepaald).
// V2 has no planned staff: the level rows come back with every sum unbound (a SUM over the one
// unmatched OPTIONAL row; the published text has no COALESCE, unlike 1.4.2).
const PLANNED_COLUMNS = ['Totaal_aantal_geplande_uren_ZV', 'Aantal_geplande_uren_ZV_onbepaalde_tijd', 'Aantal_geplande_uren_ZV_bepaalde_tijd', 'Aantal_geplande_uren_ZV_oproep', 'Aantal_geplande_uren_ZV_BBL', 'Aantal_geplande_uren_ZV_inhuur', 'Aantal_geplande_uren_ZV_uitzend', 'Aantal_geplande_uren_ZV_stage', 'Aantal_geplande_uren_ZV_vrijwilliger'];
const planned = (rows: Record<string, string>[], label: string) => PLANNED_COLUMNS.map((c) => Number(rows.find((r) => r.kwalificatie_niveau === label)?.[c] ?? NaN));
const PLANNED_CASES: [string, string, number[]][] = [
  ['2024-03-01', '000000000001', [33.25, 8, 9, 0, 0, 0, 8.25, 8, 0]],
  ['2024-02-29', '000000000001', [8.25, 0, 8.25, 0, 0, 0, 0, 0, 0]],
];
// The published text has three blank-node subjects (`[] a onz-plan:PlanInformationObject`, twice
// `[] a onz-plan:PlannedEntityAssertion`). Before the fix of KNOWN-ISSUES 16 the layer's round-trip
// check compared blank-node labels, which the parser renames on every parse, so it ran the text
// unrewritten and Oxigraph's date + duration defect left every sum unbound; written with variables
// instead, the text was rewritten and right. Both forms must now give the hand-computed values.
const namedBlankNodes = (text: string) => {
  let n = 0;
  return text.replace(/\[\] a onz-plan:/g, () => `?blank${++n} a onz-plan:`);
};
function plannedAnswer(peildatum: string, vestigingsnummer: string, rewrite: (t: string) => string) {
  const registry = registries.get('official')!;
  const ind = registry.indicator(registry.list()[0]!.id, '1.2.3');
  const text = rewrite(prepareQuery(ind.text, ind.parameters, { peildatum, vestigingsnummer }).text);
  return oxigraphRows(rosterStore, prepareQuery(text, [], {}).engineText);
}
const expectPlanned = (rows: Record<string, string>[], expected: number[]) => {
  for (const label of ['Niveau 3', 'Totaal aantal ingeplande uren']) planned(rows, label).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
};
describe.runIf(existsSync(OFFICIAL))('IGJ aangekondigd 1.2.3 hand-computed, official text', () => {
  it.each(PLANNED_CASES)('as published, peildatum %s at %s', (peildatum, vestigingsnummer, expected) => {
    expectPlanned(answer('official', '1.2.3', { peildatum, vestigingsnummer }, rosterStore), expected); // refereed by Jena in CI
  });
  it.each(PLANNED_CASES)('blank nodes written as variables, peildatum %s at %s', (peildatum, vestigingsnummer, expected) => {
    expect(namedBlankNodes(prepareQuery(registries.get('official')!.indicator(registries.get('official')!.list()[0]!.id, '1.2.3').text, [], {}).text).match(/\?blank\d/g)).toHaveLength(3);
    expectPlanned(plannedAnswer(peildatum, vestigingsnummer, namedBlankNodes), expected);
  });
  it('V2 without planned staff, as published and with variables: labels only', () => {
    for (const rows of [answer('official', '1.2.3', { peildatum: '2024-03-01', vestigingsnummer: '000000000002' }, rosterStore), plannedAnswer('2024-03-01', '000000000002', namedBlankNodes)]) {
      expect(rows.map((r) => Object.keys(r))).toEqual([['kwalificatie_niveau'], ['kwalificatie_niveau']]);
    }
  });
});

// IGJ aangekondigd 1.4.2 on ROSTER (planned hours split into dag 07–15, avond 15–23, nacht 23–07
// within the slot from 07:00 on the peildatum; PIL = ArbeidsOvereenkomst, PNIL = uitzend/inhuur;
// the agreement line must be active on the peildatum), official text:
//   A1 (PIL): R1 07:00–15:00 → dag 8; R2 07:30–15:30 → dag 7.5, avond 0.5 (different hours, so
//     DISTINCT keeps both).
//   A2 (PIL): R3 → avond 8; R9 2-3 06:00–07:00 starts early on the next day → nacht 1; R7, the
//     night of 29-2 (23:00 to the exported "29-2 07:15", read as 1-3 07:15), overlaps the slot by
//     15 minutes, and the published text, seeing a start on the previous day, begins it at 07:00
//     and ends it at 07:15 + 24 h, clamped to 31:00: 24 hours, dag 8 + avond 8 + nacht 8, where
//     the slot holds 0.25 h of it (KNOWN-ISSUES 16).
//   A8 (PNIL): R4 23:00–07:15 → nacht 8 (clamped at 07:00). R5 starts at the slot's end.
//   A4 is an intern (neither PIL nor PNIL); R6 is cancelled.
//   Niveau 3 and Totaal: PIL dag 8 + 7.5 + 8 = 23.5, avond 0.5 + 8 + 8 = 16.5, nacht 8 + 1 = 9;
//   PNIL nacht 8.
// On 29-2: R7 is A2's night of that day → PIL nacht 8 (to the slot's end at 07:00), nothing else.
const SPLIT_CASES: [string, number[]][] = [
  ['2024-03-01', [23.5, 16.5, 9, 0, 0, 8]],
  ['2024-02-29', [0, 0, 8, 0, 0, 0]],
];
const SPLIT_COLUMNS = ['Aantal_geplande_uren_ZV_PIL_dag', 'Aantal_geplande_uren_ZV_PIL_avond', 'Aantal_geplande_uren_ZV_PIL_nacht', 'Aantal_geplande_uren_ZV_PNIL_dag', 'Aantal_geplande_uren_ZV_PNIL_avond', 'Aantal_geplande_uren_ZV_PNIL_nacht'];
describe.runIf(existsSync(OFFICIAL))('IGJ aangekondigd 1.4.2 hand-computed, official text', () => {
  it.each(SPLIT_CASES)('peildatum %s at V1', (peildatum, expected) => {
    const rows = answer('official', '1.4.2', { peildatum, vestigingsnummer: '000000000001' }, rosterStore);
    for (const label of ['Niveau 3', 'Totaal']) {
      const got = SPLIT_COLUMNS.map((c) => Number(rows.find((r) => r.kwalificatie_niveau === label)?.[c] ?? NaN));
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    }
  });
});

// Our own 1.2.3 and 1.4.2 on ROSTER count each planned shift once, cut to the slot, a night
// exported with its own date on the end ending the next day. Where that differs from the published
// texts (KNOWN-ISSUES 16), on 1-3 at V1:
//   1.2.3: A1's R1 and R2 are 8 + 8 = 16 (official: 8, DISTINCT); R4 ends at the slot's end, 8
//     (official 8.25: it reads the exported 07:15 as a clock time); A2's night R7 of 29-2 has its
//     last quarter hour in the slot, 0.25 → A2 9.25. Total 16 + 9.25 + 8 + 8 = 41.25.
//   1.4.2: R7 is 0.25 h dag (official: 24 h) → PIL dag 8 + 7.5 + 0.25 = 15.75, avond 0.5 + 8 = 8.5,
//     nacht 1 (R9); PNIL nacht 8.
// On 29-2 R7 is the night of that day: 1.2.3 8 bepaald (official 8.25), 1.4.2 PIL nacht 8.
describe('IGJ 1.2.3 and 1.4.2 hand-computed, own queries', () => {
  it.each([
    ['2024-03-01', '000000000001', [41.25, 16, 9.25, 0, 0, 0, 8, 8, 0]],
    ['2024-02-29', '000000000001', [8, 0, 8, 0, 0, 0, 0, 0, 0]],
    ['2024-03-01', '000000000002', [0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ] as [string, string, number[]][])('1.2.3 on %s at %s', (peildatum, vestigingsnummer, expected) => {
    expectPlanned(answer('own', '1.2.3', { peildatum, vestigingsnummer }, rosterStore), expected);
  });
  it.each([
    ['2024-03-01', [15.75, 8.5, 1, 0, 0, 8]],
    ['2024-02-29', [0, 0, 8, 0, 0, 0]],
  ] as [string, number[]][])('1.4.2 on %s at V1', (peildatum, expected) => {
    const rows = answer('own', '1.4.2', { peildatum, vestigingsnummer: '000000000001' }, rosterStore);
    for (const label of ['Niveau 3', 'Totaal']) {
      SPLIT_COLUMNS.map((c) => Number(rows.find((r) => r.kwalificatie_niveau === label)?.[c] ?? NaN)).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    }
  });
});
