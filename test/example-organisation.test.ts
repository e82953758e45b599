// The example organisation end to end: every messy row lands in the quarantine report with file,
// row, column and reason; the rest is in the store; and a staff count over it matches an
// independent computation straight from the export files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport, type ImportSummary } from '../src/importer/index.js';
import { EmbeddedStore } from '../src/store/index.js';
import { EXAMPLE_DIR, selectRows, staffProRataQuery, testConfig } from './helpers.js';

let summary: ImportSummary;
let store: EmbeddedStore;
let dataDir: string;

beforeAll(async () => {
  const config = testConfig();
  dataDir = config.dataDir;
  summary = await runImport(config, { inputs: [EXAMPLE_DIR] });
  store = await EmbeddedStore.open(config.dataDir);
});

describe('importing examples/de-linde', () => {
  it('quarantines exactly the messy rows, each with file, row, column and reason', () => {
    const records = parseCsv<Record<string, string>>(readFileSync(join(summary.reportDir, 'quarantine.csv')), { columns: true });
    const got = records.map((r) => [r.entity, r.file!.replace(/^.*de-linde\//, ''), r.row, r.column, r.value, r.code].join(',')).sort();
    // entity, file (relative to the example), row, column, value, code
    expect(got).toEqual(
      [
        ',notities.txt,0,,,unclaimed_file',
        'absence,afas-hr/verzuim.csv,48,VerzuimPercentage,120,out_of_range',
        'agreement-line,afas-hr/formatie.csv,200,Dienstverband,D900001,unknown_reference',
        'agreement-line,afas-hr/formatie.csv,201,Functie,F999,unknown_reference',
        'agreement-line,afas-hr/formatie.csv,202,UrenPerWeek,veel,invalid_value',
        'agreement-line,afas-hr/formatie.csv,203,UrenPerWeek,1.234,5,out_of_range',
        'care-period,ons-ecd/zorgtrajecten.json,201,Einddatum,2023-03-01,end_before_start',
        'client,ons-ecd/clienten.json,201,Geboortedatum,,missing_value',
        'dbc-invoice,ons-ecd/dbc-grz.csv,3,Zorgproductcode,97280006,invalid_value',
        'employee,afas-hr/medewerkers.csv,152,Medewerker,M000003,duplicate_row',
        'employee,afas-hr/medewerkers.csv,153,Medewerker,,missing_value',
        'employee,afas-hr/medewerkers.csv,154,Geboortedatum,1975-13-01,invalid_date',
        'employment,afas-hr/dienstverbanden.csv,152,Einddatum,2024-02-01,end_before_start',
        'employment,afas-hr/dienstverbanden.csv,153,Soort,detachering,unknown_code',
        'employment,afas-hr/dienstverbanden.csv,155,Dienstverband,D900003,duplicate_key',
        'employment,afas-hr/dienstverbanden.csv,156,Medewerker,M999999,unknown_reference',
        'indication,ons-ecd/indicaties.xml,201,Zorgprofiel,VV11,unknown_code',
        'invoice,ons-ecd/declaraties.csv,202,Traject,T9999999,unknown_reference',
        'paid-hours,afas-hr/loonjournaal.csv,2143,Dienstverband,D999999,unknown_reference',
        'posting,exact-fin/boekingen.xml,650,Rekening,7777,unknown_reference',
        'prismant,exact-fin/prismant-rekeningschema.csv,22,Rekening,4999,unknown_reference',
        'prismant,exact-fin/prismant-rekeningschema.csv,23,Prismant,4181,invalid_value',
        'shift,ons-roosteren/rooster-diensten.csv,889,Dienstverband,,missing_value',
        'shift,ons-roosteren/rooster-diensten.csv,890,DienstId,R240050,duplicate_row',
        'shift,ons-roosteren/rooster-diensten.csv,891,Soort,Ruil,unknown_code',
        'shift,ons-roosteren/rooster-diensten.csv,892,Begin,31-6-2024 07:00,invalid_date',
        'worked-shift,ons-roosteren/realisatie-juni-2024.csv,1237,Eind,2024-06-15T07:00:00,end_before_start',
      ].sort(),
    );
    expect(summary.rowsQuarantined).toBe(27);
    expect(summary.rowsRead).toBe(summary.rowsMapped + summary.rowsQuarantined - 1); // the unclaimed file has no rows
  });

  it('reports graph-level findings with the source row that caused them', () => {
    const shacl = readFileSync(join(summary.reportDir, 'shacl.csv'), 'utf8');
    expect(summary.shacl.violations).toBe(2);
    expect(shacl).toMatch(/violation,.*exact-fin\/grootboekrekeningen\.csv,18,account,.*grootboekrekening\/9999,.*not linked to a known RGS/);
    expect(shacl).toMatch(/violation,.*afas-hr\/uren\.csv,\d+,worked-hours,.*XX-ONBEKEND/);
    expect(shacl).toMatch(/warning,.*agreement without any afspraak/);
  });

  it('accepts the messy-but-valid values: Java and slash dates, decimal commas, Windows-1252', async () => {
    const rows = await selectRows(store, `PREFIX onz-g: <http://purl.org/ozo/onz-g#>
      SELECT ?p ?d WHERE { ?p onz-g:hasDateOfBirth ?d FILTER(STRENDS(STR(?p), "M900002") || STRENDS(STR(?p), "M900003")) } ORDER BY ?p`);
    expect(rows.map((r) => r.d)).toEqual(['1980-01-31', '1975-01-31']);
    const amount = await selectRows(store, `PREFIX onz-fin: <http://purl.org/ozo/onz-fin#>
      SELECT ?a WHERE { ?p onz-fin:heeftGeldBedrag ?a FILTER(STRENDS(STR(?p), "boeking/X1/1")) }`);
    expect(amount).toEqual([{ a: '1234.56' }]);
    const label = await selectRows(store, `PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
      SELECT ?l WHERE { ?f rdfs:label ?l FILTER(STRENDS(STR(?f), "functie/F150")) }`);
    expect(label).toEqual([{ l: 'Coördinator zorg' }]);
  });

  it('materialises superclass types and loads the calendar for every data year', async () => {
    const rows = await selectRows(store, `PREFIX onz-pers: <http://purl.org/ozo/onz-pers#>
      SELECT (COUNT(?o) AS ?n) WHERE { ?o a onz-pers:ArbeidsOvereenkomstBepaaldeTijd . FILTER NOT EXISTS { ?o a onz-pers:ArbeidsOvereenkomst } }`);
    expect(rows[0]!.n).toBe('0');
    const days = await selectRows(store, `PREFIX time: <http://www.w3.org/2006/time#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
      SELECT ?n WHERE { ?d time:inXSDDate "2024-02-29"^^xsd:date ; time:inTemporalPosition/time:numericPosition ?n }`);
    expect(days).toEqual([{ n: String(Math.round((Date.UTC(2024, 1, 29) - Date.UTC(1900, 0, 1)) / 86_400_000) + 1) }]);
    expect(summary.years![0]).toBeLessThanOrEqual(2024);
  });

  it('counts staff pro rata for Q1 2025 as an independent computation from the CSV files does', async () => {
    const rows = await selectRows(store, staffProRataQuery(2025, 'Q1'));
    const expected = independentStaffProRata(2025, 1);
    expect(rows).toEqual(expected);
    // The figures themselves (computed once and written down, so a change to the example shows):
    expect(rows.find((r) => r.Indeling === 'Organisatie')).toEqual({ Indeling: 'Organisatie', Zorg: '61.8', Niet_zorg: '30.89', Totaal: '92.69' });
  });

  it('records the import in the activity log', () => {
    const log = readFileSync(join(dataDir, 'audit', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.at(-1)).toMatchObject({ activity: 'import', generation: summary.generation, quarantineByReason: summary.quarantineByReason });
  });
});

/** Staff pro rata straight from the export files, without RDF: the definition of ZK 1.1. */
function independentStaffProRata(year: number, quarter: number): Record<string, string>[] {
  const csv = (name: string) =>
    readFileSync(join(EXAMPLE_DIR, 'afas-hr', name), 'latin1').trim().split(/\r?\n/).slice(1).map((l) => l.split(';'));
  const day = (nl: string) => {
    const [d, m, y] = nl.split('-').map(Number);
    return Date.UTC(y!, m! - 1, d);
  };
  const qs = Date.UTC(year, (quarter - 1) * 3, 1), qe = Date.UTC(year, quarter * 3, 0);
  const daysInQ = (qe - qs) / 86_400_000 + 1;
  const care = new Map(csv('functies.csv').map(([f, , z]) => [f!, z === 'J']));
  const locations = JSON.parse(readFileSync(join(EXAMPLE_DIR, 'ons-ecd', 'locaties.json'), 'utf8')) as { locaties: { code: string; vestigingsnummer: string }[] };
  const siteOf = new Map(locations.locaties.map((l) => [l.code, l.vestigingsnummer]));
  const counted = new Set(['onbepaalde tijd', 'bepaalde tijd', 'oproepcontract', 'BBL', 'uitzendovereenkomst', 'inhuur']);
  const employment = new Map(
    csv('dienstverbanden.csv').filter(([id, , , , soort]) => !id!.startsWith('D9') && counted.has(soort!)).map(([id, person, s, e]) => [id!, { person: person!, s: day(s!), e: e ? day(e) : Infinity }]),
  );
  const perPerson = new Map<string, { care: number; other: number }>(); // key: indeling|person
  for (const [id, , s, e, fn, unit] of csv('formatie.csv')) {
    const emp = employment.get(id!);
    if (!emp) continue;
    const from = Math.max(qs, emp.s, day(s!)), to = Math.min(qe, emp.e, e ? day(e) : Infinity);
    if (from > to) continue;
    const days = (to - from) / 86_400_000 + 1;
    const site = unit ? siteOf.get(unit) : undefined;
    for (const indeling of site ? [site, 'Organisatie'] : ['Organisatie']) {
      const k = `${indeling}|${emp.person}`;
      const acc = perPerson.get(k) ?? { care: 0, other: 0 };
      if (care.get(fn!)) acc.care += days;
      else acc.other += days;
      perPerson.set(k, acc);
    }
  }
  const totals = new Map<string, { z: number; n: number; t: number }>();
  for (const [k, v] of perPerson) {
    const indeling = k.split('|')[0]!;
    const t = totals.get(indeling) ?? { z: 0, n: 0, t: 0 };
    t.z += Math.min(1, v.care / daysInQ);
    t.n += Math.min(1, v.other / daysInQ);
    t.t += Math.min(1, (v.care + v.other) / daysInQ);
    totals.set(indeling, t);
  }
  const r = (x: number) => String(Math.round(x * 100) / 100);
  return [...totals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([Indeling, t]) => ({ Indeling, Zorg: r(t.z), Niet_zorg: r(t.n), Totaal: r(t.t) }));
}
