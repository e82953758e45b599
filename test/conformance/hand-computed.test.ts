// Hand-computed indicator values on small export fixtures. Each case writes down its reasoning and
// runs twice: with our own indicator queries (test/conformance/own-indicators, our formulation of
// the indicator definitions — always) and with the official Zorgkantoren 1.3.5 texts when
// ../shared/conformance is beside the project (CI). The fixtures go through our own mappings; the
// official texts are read from where they are, never copied.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it as vitestIt, type TestContext } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { ProfileRegistry, installProfile } from '../../src/profiles/index.js';
import { compatibleText, parseSparql, prepareQuery } from '../../src/query/index.js';
import { EmbeddedStore } from '../../src/store/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { refereeAfterAll, refereed } from './referee.js';
import { generationWithCalendar, oxigraphRows, selectRows, tempDir, testConfig, writeFixture } from '../helpers.js';

const OFFICIAL = join(packageRoot(), '..', 'shared', 'conformance', 'zorgkantoren-1.3.5', 'queries');
const OWN = join(packageRoot(), 'test', 'conformance', 'own-indicators');
const SOURCES = [...(existsSync(OFFICIAL) ? ['official'] : []), 'own'];

const registries = new Map<string, ProfileRegistry>();
refereeAfterAll();
beforeAll(() => {
  for (const [source, dir] of [['official', OFFICIAL], ['own', OWN]] as const) {
    if (!existsSync(dir)) continue;
    const installed = tempDir(`ds-${source}-`);
    installProfile(dir, installed);
    registries.set(source, ProfileRegistry.load([installed]));
  }
});

/** Thrown when the current source has no query for an indicator: the case is skipped for it. */
class NoQuery extends Error {}
let source = 'official';

function indicatorOf(indicator: string) {
  const registry = registries.get(source)!;
  const profile = registry.list()[0]!;
  if (!profile.indicators.some((i) => i.id === indicator)) throw new NoQuery(`${source} has no ${indicator}`);
  return registry.indicator(profile.id, indicator);
}
const officialIndicator = (indicator: string) => {
  if (source !== 'official') throw new NoQuery('official texts only');
  return indicatorOf(indicator);
};

/** Import the fixture and answer one indicator with the current source's query. */
async function official(files: Record<string, string>, indicator: string, values: Record<string, unknown>) {
  const ind = indicatorOf(indicator);
  const config = testConfig();
  await runImport(config, { inputs: [writeFixture(files)] });
  const prepared = prepareQuery(ind.text, ind.parameters, values);
  return refereed(`${source} ${indicator}`, config.dataDir, prepared, await selectRows(await EmbeddedStore.open(config.dataDir), prepared.engineText));
}

/** `it`, run for the current source; a case whose indicator the source lacks is skipped. */
function it(name: string, fn: () => Promise<void>, timeout?: number) {
  const mine = source;
  vitestIt(name, async (ctx: TestContext) => {
    source = mine;
    try {
      await fn();
    } catch (error) {
      if (error instanceof NoQuery) ctx.skip();
      throw error;
    }
  }, timeout);
}

const num = (rows: Record<string, string>[], label: string, column: string) => Number(rows.find((r) => Object.values(r).includes(label))?.[column]);

describe.each(SOURCES)('hand-computed values, %s queries', (current) => {
  source = current;
  // The worked example's organisation (kikv-domain.md) plus a payroll journal. In words:
  // A1 permanent, care function Fz at L1 all year; A2 fixed-term from 15-2-2024, Fz until 15-3,
  // then non-care Fs; A3 temporary agency (PNIL: not in 2.2); A5 volunteer (not in 2.2).
  const payroll = {
    ...WORKED_EXAMPLE,
    'afas-hr/loonjournaal.csv':
      'Dienstverband;Periode;Verloonde uren\n' +
      'A1;1-1-2024;150\nA1;1-2-2024;140\nA1;1-3-2024;156\nA1;1-4-2024;148\n' +
      // A2's February run is dated before its first agreement line starts (15-2): it counts nowhere.
      // 1-3 falls in line 1 (care); the correction run of 20-3 in line 2 (non-care); 1-4 in line 2.
      'A2;1-2-2024;60\nA2;1-3-2024;80\nA2;20-3-2024;12\nA2;1-4-2024;100\n' +
      'A3;1-1-2024;120\nA5;1-1-2024;10\n',
  };

  it('2.2 paid hours, Q1 2024: care 150+140+156+80 = 526, non-care 12, total 538 (site V1 and organisation)', async () => {
    const rows = await official(payroll, '2.2', { jaar: 2024, kwartaal: 'Q1', zorgkantoor: 'onz-org:ZorgkantoorMenzis' });
    for (const label of ['000000000001', 'Organisatie (gecontracteerd + algemeen)']) {
      expect([num(rows, label, 'Zorggerelateerd'), num(rows, label, 'Niet_Zorggerelateerd'), num(rows, label, 'Totaal')], label).toEqual([526, 12, 538]);
    }
  });

  it('2.2 paid hours, Q2 2024: care 148 (A1), non-care 100 (A2 line 2), total 248', async () => {
    const rows = await official(payroll, '2.2', { jaar: 2024, kwartaal: 'Q2', zorgkantoor: 'onz-org:ZorgkantoorMenzis' });
    expect([num(rows, 'Organisatie (gecontracteerd + algemeen)', 'Zorggerelateerd'), num(rows, 'Organisatie (gecontracteerd + algemeen)', 'Niet_Zorggerelateerd')]).toEqual([148, 100]);
  });

  // Clients and care in the same organisation: four clients at L1 (site V1, region of Menzis).
  const care = {
    ...WORKED_EXAMPLE,
    'ons-ecd/clienten.json': JSON.stringify({
      clienten: [
        { clientnummer: 'C1', geboortedatum: '1940-01-01' },
        { clientnummer: 'C2', geboortedatum: '1941-01-01' },
        { clientnummer: 'C3', geboortedatum: '1942-01-01' },
        { clientnummer: 'C4', geboortedatum: '1943-01-01' },
      ],
    }),
    'ons-ecd/indicaties.xml':
      '<?xml version="1.0" encoding="UTF-8"?>\n<Indicaties>\n' +
      ['C1', 'C2', 'C3', 'C4']
        .map((c) => `  <Indicatie>\n    <Besluitnummer>B${c}</Besluitnummer>\n    <Clientnummer>${c}</Clientnummer>\n    <Wet>Wlz</Wet>\n    <Zorgprofiel>VV05</Zorgprofiel>\n    <Leveringsvorm>instelling</Leveringsvorm>\n    <Ingangsdatum>2023-01-01</Ingangsdatum>\n  </Indicatie>\n`)
        .join('') +
      '</Indicaties>\n',
    'ons-ecd/zorgtrajecten.json': JSON.stringify({
      zorgtrajecten: [
        { trajectId: 'T1', clientnummer: 'C1', besluitnummer: 'BC1', locatieCode: 'L1', begindatum: '2023-02-01' },
        { trajectId: 'T2', clientnummer: 'C2', besluitnummer: 'BC2', locatieCode: 'L1', begindatum: '2023-02-01', einddatum: '2023-12-31' },
        { trajectId: 'T3', clientnummer: 'C3', besluitnummer: 'BC3', locatieCode: 'L1', begindatum: '2024-06-01' },
        { trajectId: 'T4', clientnummer: 'C4', besluitnummer: 'BC4', locatieCode: 'L1', begindatum: '2023-05-01' },
      ],
    }),
    'ons-ecd/wooneenheden.csv': 'Wooneenheid,Locatie,Capaciteit\nL1-001,L1,1\nL1-002,L1,2\nL1-003,L1,1\n',
    // L1-002 is empty on the reference date: it gets no OccupancyQuality.
    'ons-ecd/bezetting.csv': 'Wooneenheid;Peildatum;Bezet;Bewoners\nL1-001;2024-12-31;J;1\nL1-002;2024-12-31;N;0\nL1-003;2024-12-31;J;1\n',
    // Korsakov care = an approved EX001/EX003/EX004 invoice on a care period running on the peildatum.
    // T1: approved EX001 → counts. T2: approved EX003 but ended 2023-12-31 → not on 2024-01-01.
    // T3: approved EX004 but starts 2024-06-01 → not yet. T4: EX001 not approved, plus an approved
    // Z105 (not Korsakov) → does not count. Expected on 2024-01-01: 1 client (C1).
    // On 2024-07-01: C1 and C3 → 2.
    'ons-ecd/declaraties.csv':
      'Declaratie;Traject;Prestatiecode;Datum;Bedrag;Goedgekeurd\n' +
      'F1;T1;EX001;2023-02-28;1000,00;J\nF2;T2;EX003;2023-02-28;1000,00;J\nF3;T3;EX004;2024-06-30;1000,00;J\n' +
      'F4;T4;EX001;2023-05-31;1000,00;N\nF5;T4;Z105;2023-05-31;1000,00;J\n',
  };

  it('15.2 occupied housing units: 2 of 3 (L1-002 is empty), for site V1 and the organisation', async () => {
    const rows = await official(care, '15.2', { zorgkantoor: 'onz-org:ZorgkantoorMenzis' });
    expect([num(rows, '000000000001', 'Aantal_bezette_wooneenheden'), num(rows, 'Organisatie (gecontracteerd + algemeen)', 'Aantal_bezette_wooneenheden')]).toEqual([2, 2]);
  });

  it('16.1 clients with Korsakov care: 1 on 2024-01-01 (C1), 2 on 2024-07-01 (C1, C3)', async () => {
    const column = 'Aantal_clienten_met_het_syndroom_van_Korsakov';
    const jan = await official(care, '16.1', { peildatum: '2024-01-01', zorgkantoor: 'onz-org:ZorgkantoorMenzis' });
    expect([num(jan, '000000000001', column), num(jan, 'Organisatie (gecontracteerd + algemeen)', column)]).toEqual([1, 1]);
    const jul = await official(care, '16.1', { peildatum: '2024-07-01', zorgkantoor: 'onz-org:ZorgkantoorMenzis' });
    expect(num(jul, 'Organisatie (gecontracteerd + algemeen)', column)).toBe(2);
  });

  // The worked example alone (kikv-domain.md): on 1-3-2024 A1 (P1, Fz care, 36 h) and A2 line 1
  // (P2, Fz care, 24 h, 15-2..15-3) run; on 1-4-2024 A1 and A2 line 2 (P2, Fs non-care, 24 h);
  // on 15-1-2024 also A3 (P3, agency, Fz, no unit). A4 is an intern and A5 a volunteer (Fs, L1).
  const ORG = 'Organisatie (gecontracteerd + algemeen)';
  const SITE = '000000000001';
  const zk = { zorgkantoor: 'onz-org:ZorgkantoorMenzis' };

  it('1.2 staff on a peildatum (persons; interns and volunteers never count)', async () => {
    // 1-3: P1 and P2 both in care functions → care 2, non-care 0, total 2 (site and organisation).
    const march = await official(WORKED_EXAMPLE, '1.2', { peildatum: '2024-03-01', ...zk });
    expect([num(march, SITE, 'Zorg'), num(march, SITE, 'Niet_zorg'), num(march, SITE, 'Totaal')]).toEqual([2, 0, 2]);
    // 1-4: P2 moved to the non-care function → 1, 1, 2.
    const april = await official(WORKED_EXAMPLE, '1.2', { peildatum: '2024-04-01', ...zk });
    expect([num(april, ORG, 'Zorg'), num(april, ORG, 'Niet_zorg'), num(april, ORG, 'Totaal')]).toEqual([1, 1, 2]);
    // 15-1: P1, and P3 through the agency (PNIL counts in 1.2); P3's line has no unit, so it is
    // in the organisation row only: site care 1, organisation care 2.
    const jan = await official(WORKED_EXAMPLE, '1.2', { peildatum: '2024-01-15', ...zk });
    expect([num(jan, SITE, 'Zorg'), num(jan, ORG, 'Zorg'), num(jan, ORG, 'Totaal')]).toEqual([1, 2, 2]);
  });

  it('4.1 average contract hours per care / non-care employee (PIL only)', async () => {
    // 1-4: care A1 36 h / 1 person = 36; non-care A2 line 2 24 h / 1 person = 24.
    const april = await official(WORKED_EXAMPLE, '4.1', { peildatum: '2024-04-01', ...zk });
    expect([num(april, ORG, 'Gem_contracturen_per_zorgverlener'), num(april, ORG, 'Gem_contracturen_per_niet_zorgverlener')]).toEqual([36, 24]);
    // 1-3: care (36 + 24) / 2 = 30; nobody in a non-care function: "Ongedefineerd".
    const march = await official(WORKED_EXAMPLE, '4.1', { peildatum: '2024-03-01', ...zk });
    expect(num(march, SITE, 'Gem_contracturen_per_zorgverlener')).toBe(30);
    expect(march.find((r) => r.Indeling === SITE)?.Gem_contracturen_per_niet_zorgverlener).toBe('Ongedefineerd');
  });

  it('9.1 volunteers in a quarter: P5 (A5 from 1-1-2024 at L1) → 1, site and organisation', async () => {
    const rows = await official(WORKED_EXAMPLE, '9.1', { jaar: 2024, kwartaal: 'Q1', ...zk });
    expect([num(rows, SITE, 'Aantal_vrijwilligers'), num(rows, ORG, 'Aantal_vrijwilligers')]).toEqual([1, 1]);
    // The same asked for CZ, whose region V1 (postcode 6821) is not in: the organisation row only.
    const cz = await official(WORKED_EXAMPLE, '9.1', { jaar: 2024, kwartaal: 'Q1', zorgkantoor: 'onz-org:ZorgkantoorCZ' });
    expect(cz.map((r) => r.Indeling)).toEqual([ORG]);
  });

  it('15.1 housing units: 3, and 15.3 capacity: 1 + 2 + 1 = 4', async () => {
    const units = await official(care, '15.1', zk);
    expect([num(units, SITE, 'Aantal_wooneenheden'), num(units, ORG, 'Aantal_wooneenheden')]).toEqual([3, 3]);
    const capacity = await official(care, '15.3', zk);
    expect([num(capacity, SITE, 'Capaciteit_aantal_bewoners'), num(capacity, ORG, 'Capaciteit_aantal_bewoners')]).toEqual([4, 4]);
  });

  it('12.1 absence frequency Q1 2024: PIL persons P1, P2; new sick reports of P1 (10-1, 5-3) → 2 / 2 = 100 %', async () => {
    // P2's report of 1-2 predates A2's first agreement line (15-2): it counts nowhere. Pregnancy
    // leave is not a ZiektePeriode. A3 (agency) is not in loondienst.
    const rows = await official(absence, '12.1', { jaar: 2024, kwartaal: 'Q1', ...zk });
    expect([num(rows, ORG, 'Aantal_personeelsleden_in_loondienst'), num(rows, ORG, 'Aantal_nieuwe_ziekmeldingen'), num(rows, ORG, 'Verzuimfrequentie_excl_zwangerschap')]).toEqual([2, 2, 100]);
  });

  it('12.2 the same including pregnancy leave: the leave of P2 on 1-3 falls in A2 line 1 → 3 / 2 = 150 %', async () => {
    const rows = await official(absence, '12.2', { jaar: 2024, kwartaal: 'Q1', ...zk });
    expect([num(rows, ORG, 'Aantal_nieuwe_ziekmeldingen'), num(rows, ORG, 'Verzuimfrequentie_incl_zwangerschap')]).toEqual([3, 150]);
  });

  const absence0 = () => ({
      ...WORKED_EXAMPLE,
      'afas-hr/verzuim.csv':
        'Verzuimmelding;Dienstverband;Soort verzuim;Begindatum verzuim;Einddatum verzuim;Begindatum percentage;Einddatum percentage;Percentage aanwezig\n' +
        'V1;A1;Ziekte;10-1-2024;20-1-2024;10-1-2024;20-1-2024;0\nV2;A1;Ziekte;5-3-2024;8-3-2024;5-3-2024;8-3-2024;0\n' +
        'V3;A2;Ziekte;1-2-2024;3-2-2024;1-2-2024;3-2-2024;0\nV4;A2;Zwangerschapsverlof;1-3-2024;20-6-2024;1-3-2024;20-6-2024;0\n' +
        'V5;A3;Ziekte;10-1-2024;12-1-2024;10-1-2024;12-1-2024;0\n',
  });
  const absence = absence0();

  it('13.1 inflow of PIL care staff: on 1-3-2024 P1 (since 2022) and P2 (new) → 1 of 2 = 50 %; on 1-4-2024 0 of 1', async () => {
    const march = await official(WORKED_EXAMPLE, '13.1', { peildatum: '2024-03-01' });
    expect([num(march, ORG, 'Aantal_PIL_met_zorgfunctie'), num(march, ORG, 'Aantal_ingestroomde_PIL_met_zorgfunctie'), num(march, ORG, 'Procent_zorggerelateerde_instroom_tov_totaal_zorggerelateerd')]).toEqual([2, 1, 50]);
    // 1-4: P2 now has a non-care function, so only P1 (who was there a year ago): 0 %.
    const april = await official(WORKED_EXAMPLE, '13.1', { peildatum: '2024-04-01' });
    expect([num(april, ORG, 'Aantal_PIL_met_zorgfunctie'), num(april, ORG, 'Aantal_ingestroomde_PIL_met_zorgfunctie'), num(april, ORG, 'Procent_zorggerelateerde_instroom_tov_totaal_zorggerelateerd')]).toEqual([1, 0, 0]);
  });

  it('14.2 Wlz VV clients by delivery form on 1-7-2024: T1, T3, T4 run (T2 ended) → Verblijf 3, total 3', async () => {
    const rows = await official(care, '14.2', { peildatum: '2024-07-01', ...zk });
    expect([num(rows, ORG, 'Verblijf'), num(rows, ORG, 'VPT'), num(rows, ORG, 'MPT'), num(rows, ORG, 'PGB'), num(rows, ORG, 'Totaal')]).toEqual([3, 0, 0, 0, 3]);
    expect(num(rows, SITE, 'Verblijf')).toBe(3);
  });

  // A small ledger (Exact): opening balances per RGS code on 31-12-2023 and postings in 2024.
  // Credit amounts are negative, as Exact exports them.
  const ledger = {
    ...WORKED_EXAMPLE,
    'exact-fin/grootboekrekeningen.csv': 'Rekening,Omschrijving,RGS-code\n1000,Liquide middelen,BLim\n1300,Debiteuren,BVor\n1600,Crediteuren,BSch\n',
    'exact-fin/balans.csv': 'RGS-code;Datum;Saldo\nBLim;31-12-2023;100000\nBVor;31-12-2023;50000\nBSch;31-12-2023;-30000\n',
    'exact-fin/kostenplaatsen.csv': 'Kostenplaats,Omschrijving,Vestigingsnummer\nKP1,V1,000000000001\n',
    'exact-fin/boekingen.xml':
      '<?xml version="1.0" encoding="UTF-8"?>\n<eExact>\n  <GLTransactions>\n' +
      [
        ['1', '2024-03-01', '1000', '2000'],
        ['2', '2024-04-01', '1300', '-500'],
        ['3', '2024-05-01', '1600', '-1000'],
        ['4', '2024-08-01', '1000', '9999'],
      ]
        .map(([e, d, a, m]) => `    <GLTransactionLine entry="${e}" line="1">\n      <Date>${d}</Date>\n      <GLAccount>${a}</GLAccount>\n      <Amount>${m}</Amount>\n      <CostCenter>KP1</CostCenter>\n    </GLTransactionLine>\n`)
        .join('') +
      '  </GLTransactions>\n</eExact>\n',
  };

  it('19.2 working capital on 30-6-2024: current assets (100000 + 2000) + (50000 − 500) minus short-term debt (−30000 − 1000) = 182500', async () => {
    // The posting of 1-8 is after the peildatum. Debt is credit (negative) in the export, and the
    // query subtracts it as it stands: 151500 − (−31000).
    const rows = await official(ledger, '19.2', { peildatum: '2024-06-30' });
    expect(rows).toEqual([{ Kental: 'Werkkapitaal op korte termijn', Waarde: '182500' }]);
  });

  it('3.1 fixed-term share: on 1-3-2024 A2 (fixed) and A1 (permanent) → 1 of 2 = 50 %; on 15-1-2024 only A1 → 0 %', async () => {
    const march = await official(WORKED_EXAMPLE, '3.1', { peildatum: '2024-03-01', ...zk });
    expect([num(march, SITE, 'Aantal_arbeidsovereenkomsten_bepaalde_tijd'), num(march, SITE, 'Aantal_arbeidsovereenkomsten_voor_bepaalde_en_onbepaalde_tijd'), num(march, SITE, 'Percentage_bepaalde_tijd')]).toEqual([1, 2, 50]);
    const jan = await official(WORKED_EXAMPLE, '3.1', { peildatum: '2024-01-15', ...zk });
    expect([num(jan, ORG, 'Aantal_arbeidsovereenkomsten_bepaalde_tijd'), num(jan, ORG, 'Aantal_arbeidsovereenkomsten_voor_bepaalde_en_onbepaalde_tijd'), num(jan, ORG, 'Percentage_bepaalde_tijd')]).toEqual([0, 1, 0]);
  });

  it('10.1 BBL students in a quarter: P6 (BBL from 1-9-2023 at L1) → 1 in Q1 2024; P7 (BBL ended 31-12-2023) does not count', async () => {
    const files = {
      ...WORKED_EXAMPLE,
      'afas-hr/medewerkers.csv': `${WORKED_EXAMPLE['afas-hr/medewerkers.csv']}P6;1-1-2004\nP7;1-1-2005\n`,
      'afas-hr/dienstverbanden.csv': `${WORKED_EXAMPLE['afas-hr/dienstverbanden.csv']}A6;P6;1-9-2023;;bbl\nA7;P7;1-9-2022;31-12-2023;bbl\n`,
      'afas-hr/formatie.csv': `${WORKED_EXAMPLE['afas-hr/formatie.csv']}A6;1;1-9-2023;;Fz;L1;20\nA7;1;1-9-2022;31-12-2023;Fz;L1;20\n`,
    };
    const rows = await official(files, '10.1', { jaar: 2024, kwartaal: 'Q1', ...zk });
    expect([num(rows, SITE, 'Aantal_BBL_leerlingen'), num(rows, ORG, 'Aantal_BBL_leerlingen')]).toEqual([1, 1]);
  });

  // Staff changes over time: P8 (care, permanent) leaves on 30-6-2024; P9 (care, permanent from
  // 1-1-2024) moves from Fz (level 3) to Fv (level 4) on 1-4-2024.
  const changes = {
    ...WORKED_EXAMPLE,
    'afas-hr/medewerkers.csv': `${WORKED_EXAMPLE['afas-hr/medewerkers.csv']}P8;1-1-1970\nP9;1-1-1995\n`,
    'afas-hr/functies.csv': `${WORKED_EXAMPLE['afas-hr/functies.csv']}Fv;Verpleegkundige;J;4\n`,
    'afas-hr/dienstverbanden.csv': `${WORKED_EXAMPLE['afas-hr/dienstverbanden.csv']}A8;P8;1-1-2023;30-6-2024;onbepaalde tijd\nA9;P9;1-1-2024;;onbepaalde tijd\n`,
    'afas-hr/formatie.csv': `${WORKED_EXAMPLE['afas-hr/formatie.csv']}A8;1;1-1-2023;30-6-2024;Fz;L1;32\nA9;1;1-1-2024;31-3-2024;Fz;L1;36\nA9;2;1-4-2024;;Fv;L1;36\n`,
  };

  it('13.2 outflow of PIL care staff on 1-9-2024 vs 1-9-2023: P1 stayed, P8 left → 1 of 2 = 50 %', async () => {
    // P2 and P9 were not there a year before (not in the denominator).
    const rows = await official(changes, '13.2', { peildatum: '2024-09-01' });
    expect([num(rows, ORG, 'Aantal_PIL_met_zorgfunctie'), num(rows, ORG, 'Aantal_uitgestroomde_PIL_met_zorgfunctie')]).toEqual([2, 1]);
    expect(Number(Object.values(rows[0]!).at(-1))).toBe(50);
  });

  it('13.3 / 13.4 qualification rising / falling between 1-2-2024 and 1-5-2024: P9 3 → 4 (rising), P1 and P8 stay 3 → 1 of 3 = 33.33 % and 0 %', async () => {
    // P2 was not there on 1-2 (A2 starts 15-2) and has a non-care function on 1-5: not counted.
    const rising = await official(changes, '13.3', { peildatum: '2024-05-01' });
    expect(Number(Object.values(rising[0]!).at(-1))).toBe(33.33);
    const falling = await official(changes, '13.4', { peildatum: '2024-05-01' });
    expect(Number(Object.values(falling[0]!).at(-1))).toBe(0);
  });

  it('5.1 age bands of PIL staff at the end of Q1 2024: P1 (born 1980) 44 → 41–45, P2 (born 1990) 34 → 31–35', async () => {
    const rows = await official(WORKED_EXAMPLE, '5.1', { jaar: 2024, kwartaal: 'Q1', ...zk });
    const org = rows.find((r) => r.Indeling === ORG)!;
    const bands = Object.fromEntries(Object.entries(org).filter(([k]) => k !== 'Indeling').map(([k, v]) => [k, Number(v)]));
    expect(bands).toMatchObject({ '41_45': 1, '31_35': 1, '36_40': 0, '16_20': 0, '46_50': 0 });
    expect(Object.values(bands).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('14.1 Wlz clients per care profile on 1-7-2024: three clients with 5VV (T2 ended), per site and organisation', async () => {
    const rows = await official(care, '14.1', { peildatum: '2024-07-01', ...zk });
    const byRow = rows.map((r) => [r.Indeling, r.Zorgprofiel?.replace(/^.*#/, ''), Number(r.Indicator)]);
    expect(byRow).toEqual(expect.arrayContaining([[SITE, '5VV', 3], [ORG, '5VV', 3]]));
    expect(byRow).toHaveLength(2);
  });

  it('8.2 PNIL share of staff costs in Q1 2024: organisation 2500 / (16000 + 2500) = 13.51 %, site V1 2500 / (15000 + 2500) = 14.29 %', async () => {
    // Salaries (WPerLes): 10000 and 5000 on KP1, 1000 on no cost centre (organisation only); an
    // internship allowance (WPerLesOlrSvg, 800) is excluded from PIL; agency staff (WBedOvpUit) 2500
    // on KP1; the April posting is outside the quarter.
    const line = (e: string, d: string, a: string, m: string, kp?: string) =>
      `    <GLTransactionLine entry="${e}" line="1">\n      <Date>${d}</Date>\n      <GLAccount>${a}</GLAccount>\n      <Amount>${m}</Amount>\n${kp ? `      <CostCenter>${kp}</CostCenter>\n` : ''}    </GLTransactionLine>\n`;
    const files = {
      ...WORKED_EXAMPLE,
      'exact-fin/grootboekrekeningen.csv': 'Rekening,Omschrijving,RGS-code\n4000,Lonen en salarissen,WPerLes\n4010,Stagevergoedingen,WPerLesOlrSvg\n4400,Uitzendkrachten,WBedOvpUit\n',
      'exact-fin/kostenplaatsen.csv': 'Kostenplaats,Omschrijving,Vestigingsnummer\nKP1,V1,000000000001\n',
      'exact-fin/boekingen.xml':
        '<?xml version="1.0" encoding="UTF-8"?>\n<eExact>\n  <GLTransactions>\n' +
        line('1', '2024-01-25', '4000', '10000', 'KP1') + line('2', '2024-02-25', '4000', '5000', 'KP1') + line('3', '2024-02-25', '4000', '1000') +
        line('4', '2024-02-25', '4010', '800', 'KP1') + line('5', '2024-03-10', '4400', '2500', 'KP1') + line('6', '2024-04-05', '4000', '9999', 'KP1') +
        '  </GLTransactions>\n</eExact>\n',
    };
    const rows = await official(files, '8.2', { jaar: 2024, kwartaal: 'Q1', ...zk });
    expect([num(rows, ORG, 'Kosten_PIL_Euro'), num(rows, ORG, 'Kosten_PNIL_Euro'), num(rows, ORG, 'Procent_PNIL_tov_PIL_plus_PNIL')]).toEqual([16000, 2500, 13.51]);
    expect([num(rows, SITE, 'Kosten_PIL_Euro'), num(rows, SITE, 'Kosten_PNIL_Euro'), num(rows, SITE, 'Procent_PNIL_tov_PIL_plus_PNIL')]).toEqual([15000, 2500, 14.29]);
  });

  it('6.1 care hours by qualification level in Q2 2024: level 3 260 h (63.41 %), level 4 150 h (36.59 %), total 410 h', async () => {
    // Care functions only: A1 (Fz, level 3) 100 + 110, A8 (Fz, level 3) 50, A9 line 2 (Fv, level 4
    // from 1-4) 90 + 60. A2 works in the non-care Fs function in Q2: not counted. The March hours
    // of A1 are outside the quarter.
    const files = {
      ...changes,
      'afas-hr/uren.csv':
        'Dienstverband;Datum;Uren;Organisatorische eenheid\n' +
        'A1;1-3-2024;99;L1\nA1;1-4-2024;100;L1\nA1;1-5-2024;110;L1\nA8;1-6-2024;50;L1\nA9;1-4-2024;90;L1\nA9;1-5-2024;60;L1\nA2;1-4-2024;70;L1\n',
    };
    const rows = (await official(files, '6.1', { jaar: 2024, kwartaal: 'Q2', ...zk })).filter((r) => r.Indeling === ORG);
    const byHours = rows.filter((r) => Number(r.Ingezette_uren_aan_zorgverleners) > 0).map((r) => [Number(r.Ingezette_uren_aan_zorgverleners), Number(r.Percentage)]);
    expect(byHours.sort((a, b) => a[0]! - b[0]!)).toEqual([[150, 36.59], [260, 63.41], [410, 100]]);
    expect(rows.find((r) => r.Kwalificatieniveau === 'Totaal')?.Ingezette_uren_aan_zorgverleners).toBe('410');
  });

  it('1.1 staff pro rata Q1 2024 = the worked example of kikv-domain.md: V1 1.33 / 0.18 / 1.51, organisation 1.67 / 0.18 / 1.85', async () => {
    // V1: care (91 + 30)/91 = 1.33, non-care 16/91 = 0.18, total 1 + 46/91 = 1.51; organisation:
    // care 1 + 30/91 + 31/91 = 1.67 (P3 has no location), non-care 0.18, total 1.85.
    // (Runs only through the calendar-lookup rewrite: src/query/calendar.ts.)
    const rows = await official(WORKED_EXAMPLE, '1.1', { jaar: 2024, kwartaal: 'Q1', ...zk });
    expect([num(rows, SITE, 'Zorg'), num(rows, SITE, 'Niet_zorg'), num(rows, SITE, 'Totaal')]).toEqual([1.33, 0.18, 1.51]);
    expect([num(rows, ORG, 'Zorg'), num(rows, ORG, 'Niet_zorg'), num(rows, ORG, 'Totaal')]).toEqual([1.67, 0.18, 1.85]);
  });

  const balanceSheet = {
    ...WORKED_EXAMPLE,
    'exact-fin/grootboekrekeningen.csv': 'Rekening,Omschrijving,RGS-code\n0500,Overige reserves,BEivOvr\n0700,Voorzieningen,BVrz\n0800,Langlopende schulden,BLas\n1600,Crediteuren,BSch\n',
    'exact-fin/balans.csv': 'RGS-code;Datum;Saldo\nBEivOvr;31-12-2023;-6000\nBVrz;31-12-2023;-1000\nBLas;31-12-2023;-2000\nBSch;31-12-2023;-1000\n',
    'exact-fin/boekingen.xml':
      '<?xml version="1.0" encoding="UTF-8"?>\n<eExact>\n  <GLTransactions>\n    <GLTransactionLine entry="1" line="1">\n      <Date>2024-05-01</Date>\n      <GLAccount>1600</GLAccount>\n      <Amount>-500</Amount>\n    </GLTransactionLine>\n  </GLTransactions>\n</eExact>\n',
  };

  it('20.1 solvency on 30-6-2024: equity 6000 of total liabilities 6000 + 1000 + 2000 + (1000 + 500) = 10500 → 0.57 and 57.1 %', async () => {
    // Opening balances on 31-12-2023 (credit negative): reserves (BEivOvr) −6000, provisions (BVrz)
    // −1000, long-term debt (BLas) −2000, short-term debt (BSch) −1000; a purchase invoice adds
    // −500 to short-term debt in May. Ratio −6000 / −10500 = 0.5714.
    const rows = await official(balanceSheet, '20.1', { peildatum: '2024-06-30' });
    const value = (kental: string) => Number(rows.find((r) => r.Kental === kental)?.Waarde);
    expect([value('Solvabiliteitsratio'), value('Solvabiliteitsratio (%)')]).toEqual([0.57, 57.1]);
  });

  // Outsourced work against revenues and own staff (24.7, 24.9), 2024. Revenue 8000 (RGS WOmzNzo)
  // −100000 (credit); salaries 4000 (WPerLes) 30000, social charges 4010 (WPerSol) 6000, pensions
  // 4020 on Prismant 422300 (Q.IV; written under 422300 and PM422300, not under RGS) 4000; care
  // bought from another provider 4120 (WKprKuw, Q.II) 6000; agency staff 4100 (WBedOvpUik) 3000 is
  // neither; 4120's posting of 31-12-2023 lies before the period.
  //   24.7: Q.II / P = 6000 / −100000 = −0.06 → −0.06 and −6 %.
  //   24.9: Q.II / own staff = 6000 / (30000 + 6000 + 4000) = 0.15.
  const outsourced = {
    'exact-fin/grootboekrekeningen.csv': 'Rekening,Omschrijving,RGS-code\n8000,Opbrengsten Wlz,WOmzNzo\n4000,Salarissen,WPerLes\n4010,Sociale lasten,WPerSol\n4020,Pensioenlasten,WPerPen\n4100,Uitzendkrachten,WBedOvpUik\n4120,Onderaanneming zorg,WKprKuw\n',
    'exact-fin/prismant-rekeningschema.csv': 'Rekening;Prismant-rubriek\n4020;422300\n',
    'exact-fin/kostenplaatsen.csv': 'Kostenplaats,Omschrijving,Vestigingsnummer\nKP1,V1,000000000001\n',
    'exact-fin/boekingen.xml':
      '<?xml version="1.0" encoding="UTF-8"?>\n<eExact>\n  <GLTransactions>\n' +
      [
        ['1', '2024-03-31', '8000', '-100000'],
        ['2', '2024-03-31', '4000', '30000'],
        ['3', '2024-03-31', '4010', '6000'],
        ['4', '2024-03-31', '4020', '4000'],
        ['5', '2024-06-30', '4120', '6000'],
        ['6', '2024-06-30', '4100', '3000'],
        ['7', '2023-12-31', '4120', '9999'],
      ]
        .map(([e, d, a, m]) => `    <GLTransactionLine entry="${e}" line="1">\n      <Date>${d}</Date>\n      <GLAccount>${a}</GLAccount>\n      <Amount>${m}</Amount>\n      <CostCenter>KP1</CostCenter>\n    </GLTransactionLine>\n`)
        .join('') +
      '  </GLTransactions>\n</eExact>\n',
  };

  it('24.7 / 24.9 outsourced work 2024: 6000 of revenues −100000 → −0.06 (−6 %); of own staff costs 40000 → 0.15', async () => {
    const period = { startperiode: '2024-01-01', eindperiode: '2024-12-31' };
    const pnil = await official(outsourced, '24.7', period);
    expect(pnil).toEqual([{ Kental: 'Arbeidsintensiteit PNIL', Waarde: '-0.06' }, { Kental: 'Arbeidsintensiteit PNIL%', Waarde: '-6' }]);
    const staff = await official(outsourced, '24.9', period);
    expect(staff).toEqual([{ Kental: 'Uitbesteed werk vs vast personeel', Waarde: '0.15' }]);
  });

  it('18.1 balance sheet on 30-6-2024: D.VII −6000 (= D), E −1000, F −2000, G −1000 − 500 = −1500, H −10500; no data for assets', async () => {
    const rows = await official(balanceSheet, '18.1', { peildatum: '2024-06-30' });
    const amount = (post: string) => rows.find((r) => r.Jaarrekeningpost === post)?.Bedrag;
    expect(rows).toHaveLength(23);
    expect(
      ['D.VII Overige reserves', 'D Eigen vermogen', 'E Voorzieningen', 'F Langlopende schulden (nog voor meer dan een jaar)', 'G Kortlopende schulden (ten hoogste 1 jaar)', 'H Totaal passiva'].map((p) => Number(amount(p))),
    ).toEqual([-6000, -6000, -1000, -2000, -1500, -10500]);
    expect(amount('B.IV Liquide middelen')).toBe('Niet beschikbaar');
  });
  // Sickness in Q2 2024 (91 days). Denominators (ptf × days in the quarter, ptf = hours / 36):
  // care A1 line 1 (36 h) 1 × 91 + A6 (18 h, never sick) 0.5 × 91 = 136.5; non-care A2 line 2
  // (24 h) 2/3 × 91 = 60.67; total 197.17. Numerators (ptf × absence % × days):
  // A1 sick 10-4..19-4 at 100 %: 10 days, short (≤ 28) → care 10;
  // A1 pregnancy leave 1-6..14-6 at 100 %: 14 days, short → care 14 (11.2 / 11.4 only);
  // A2 sick from 1-5 without end, 50 % absent in May (31 days), 100 % from 1-6 (30 days in Q2):
  //   clipped at 30-6 it lasts 61 days, long (> 28) → non-care 2/3 × (0.5 × 31 + 30) = 30.33.
  const sickness = {
    ...WORKED_EXAMPLE,
    'afas-hr/medewerkers.csv': WORKED_EXAMPLE['afas-hr/medewerkers.csv'] + 'P6;1-1-1975\n',
    'afas-hr/dienstverbanden.csv': WORKED_EXAMPLE['afas-hr/dienstverbanden.csv'] + 'A6;P6;1-1-2023;;onbepaalde tijd\n',
    'afas-hr/formatie.csv': WORKED_EXAMPLE['afas-hr/formatie.csv'] + 'A6;1;1-1-2023;;Fz;L1;18\n',
    'afas-hr/verzuim.csv':
      'Verzuimmelding;Dienstverband;Soort verzuim;Begindatum verzuim;Einddatum verzuim;Begindatum percentage;Einddatum percentage;Percentage aanwezig\n' +
      'S1;A1;Ziekte;10-4-2024;19-4-2024;10-4-2024;19-4-2024;0\nS2;A1;Zwangerschapsverlof;1-6-2024;14-6-2024;1-6-2024;14-6-2024;0\n' +
      'S3;A2;Ziekte;1-5-2024;;1-5-2024;31-5-2024;50\nS3;A2;Ziekte;1-5-2024;;1-6-2024;;0\n',
  };
  const q2 = { jaar: 2024, kwartaal: 'Q2', ...zk };
  const percentages = (rows: Record<string, string>[], label: string) => ['Zorg', 'Niet_zorg', 'Totaal'].map((c) => num(rows, label, c));

  for (const [indicator, what, expected] of [
    // 10 / 136.5 = 7.33 %, 10 / 197.17 = 5.07 %
    ['11.1', 'short sickness', [7.33, 0, 5.07]],
    // (10 + 14) / 136.5 = 17.58 %, 24 / 197.17 = 12.17 %
    ['11.2', 'short sickness and pregnancy leave', [17.58, 0, 12.17]],
    // 30.33 / 60.67 = 50 %, 30.33 / 197.17 = 15.38 %
    ['11.3', 'long sickness', [0, 50, 15.38]],
    ['11.4', 'long sickness and pregnancy leave', [0, 50, 15.38]],
  ] as const) {
    it(`${indicator} ${what} in Q2 2024, for site V1 and the organisation`, async () => {
      const rows = await official(sickness, indicator, q2);
      expect(percentages(rows, SITE)).toEqual(expected);
      expect(percentages(rows, ORG)).toEqual(expected);
    });
  }

  it('the calendar rewrite does not change 11.x: the same rows as the plain lookups, on a calendar of Q2 2024 only', async () => {
    // The plain lookups pair rows whose dates are unbound (A6, never sick) with every calendar day,
    // twice; on the real calendar (7,670 days) that never finishes, on the 91 days of Q2 (every
    // date these queries look up) it takes seconds.
    const config = testConfig();
    await runImport(config, { inputs: [writeFixture(sickness)] });
    const store = await generationWithCalendar(config.dataDir, '2024-04-01', '2024-06-30');
    for (const indicator of ['11.1', '11.2', '11.3', '11.4']) {
      const ind = officialIndicator(indicator);
      const { text } = prepareQuery(ind.text, ind.parameters, q2);
      const ast = parseSparql(text);
      const plain = oxigraphRows(store, compatibleText(ast, { calendarLookups: false }));
      expect(oxigraphRows(store, compatibleText(ast)), indicator).toEqual(plain);
      expect(plain.length, indicator).toBe(2);
    }
  });
});
