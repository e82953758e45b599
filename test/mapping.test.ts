// Each mapping's output checked triple by triple against hand-written N-Triples.
import { describe, expect, it } from 'vitest';
import { Writer } from 'n3';
import { loadConfig } from '../src/config/index.js';
import { loadMappings, mapSystem, parseMapping } from '../src/mapping/index.js';
import { writeFixture } from './helpers.js';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';

const BASE = 'https://org.example/id/';
const config = loadConfig({ env: {} });
const mappings = loadMappings(config.mappingsDir);

async function triplesOf(system: string, files: Record<string, string>): Promise<{ nt: string[]; problems: string[] }> {
  const dir = writeFixture(files);
  const result = await mapSystem(system, mappings.get(system)!, readdirSync(dir).map((f) => join(dir, f)), {
    iriBase: BASE, dateFormats: config.import.dateFormats, decimal: 'auto', csv: { delimiter: 'auto', encoding: 'auto' },
  });
  const w = new Writer({ format: 'N-Triples' });
  const nt = [...new Set(result.quads.map((q) => w.quadToString(q.subject, q.predicate, q.object).trim()))].sort();
  return { nt, problems: result.problems.map((p) => `${p.row}:${p.code}:${p.column ?? ''}`) };
}

const G = 'http://purl.org/ozo/onz-g#', P = 'http://purl.org/ozo/onz-pers#', T = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const X = 'http://www.w3.org/2001/XMLSchema#';

describe('afas-hr mappings', () => {
  it('maps an employment with its afspraak, function, location and contract size', async () => {
    const { nt, problems } = await triplesOf('afas-hr', {
      'medewerkers.csv': 'Medewerker;Geboortedatum\nE1;3-4-1980\n',
      'functies.csv': 'Functie;Omschrijving;Zorgfunctie;Kwalificatieniveau\nF1;Verzorgende IG;J;3\n',
      'dienstverbanden.csv': 'Dienstverband;Medewerker;Begindatum;Einddatum;Soort\nD1;E1;1-1-2024;30-6-2024;bepaalde tijd\n',
      'formatie.csv': 'Dienstverband;Volgnummer;Begindatum;Einddatum;Functie;Organisatorische eenheid;Uren per week\nD1;1;1-1-2024;;F1;L1;24,5\n',
    });
    expect(problems).toEqual([]);
    const a = `<${BASE}overeenkomst/D1>`, l = `<${BASE}overeenkomst/D1/afspraak/1>`, o = `<${BASE}overeenkomst/D1/afspraak/1/omvang>`;
    const v = `<${BASE}overeenkomst/D1/afspraak/1/omvang/24.5>`, f = `<${BASE}functie/F1>`, q = `<${BASE}functie/F1/kwalificatie>`;
    expect(nt).toEqual(
      [
        `<${BASE}medewerker/E1> <${T}> <${G}Human> .`,
        `<${BASE}medewerker/E1> <${G}hasDateOfBirth> "1980-04-03"^^<${X}date> .`,
        `${f} <${T}> <${G}OccupationalPositionRole> .`,
        `${f} <${T}> <${P}ZorgverlenerFunctie> .`,
        `${f} <http://www.w3.org/2000/01/rdf-schema#label> "Verzorgende IG" .`,
        `${f} <${G}hasQuality> ${q} .`,
        `${q} <${T}> <${G}Quality> .`,
        `${q} <${G}hasQualityValue> <https://w3id.org/kikv-datastation/ref#OdbNiveau3> .`,
        `${a} <${T}> <${P}ArbeidsOvereenkomstBepaaldeTijd> .`,
        `${a} <${P}heeftOpdrachtnemer> <${BASE}medewerker/E1> .`,
        `${a} <${G}startDatum> "2024-01-01"^^<${X}date> .`,
        `${a} <${G}eindDatum> "2024-06-30"^^<${X}date> .`,
        `${a} <${G}hasPart> ${l} .`,
        `${l} <${T}> <${P}WerkOvereenkomstAfspraak> .`,
        `${l} <${G}startDatum> "2024-01-01"^^<${X}date> .`,
        `${l} <${G}isAbout> ${f} .`,
        `${l} <${G}isAbout> <${BASE}locatie/L1> .`,
        `${l} <${G}hasPart> ${o} .`,
        `${o} <${T}> <${P}ContractOmvang> .`,
        // The same size node is also a part of the agreement, with the line's dates (NZa kostenonderzoek 1.1/3.2).
        `${a} <${G}hasPart> ${o} .`,
        `${o} <${G}partOf> ${a} .`,
        `${o} <${G}startDatum> "2024-01-01"^^<${X}date> .`,
        `${o} <${G}isAbout> ${v} .`,
        `${v} <${T}> <${P}ContractOmvangWaarde> .`,
        `${v} <${G}hasDataValue> "24.5"^^<${X}decimal> .`,
        `${v} <${G}hasUnitOfMeasure> <https://w3id.org/kikv-datastation/ref#UrenPerWeek> .`,
      ].sort(),
    );
  });

  it('maps absence segments with the absence percentage (100 − presence)', async () => {
    const { nt } = await triplesOf('afas-hr', {
      'dienstverbanden.csv': 'Dienstverband;Medewerker;Begindatum;Einddatum;Soort\nD1;E1;1-1-2024;;onbepaalde tijd\n',
      'verzuim.csv':
        'Verzuimmelding;Dienstverband;Soort verzuim;Begindatum verzuim;Einddatum verzuim;Begindatum percentage;Einddatum percentage;Percentage aanwezig\n' +
        'V1;D1;Ziekte;1-2-2024;29-2-2024;1-2-2024;14-2-2024;0\nV1;D1;Ziekte;1-2-2024;29-2-2024;15-2-2024;29-2-2024;62,5\n',
    });
    const v = (d: string) => `<${BASE}verzuim/V1/verzuimtijd/${d}>`;
    expect(nt).toEqual(expect.arrayContaining([
      `<${BASE}verzuim/V1> <${T}> <${P}ZiektePeriode> .`,
      `<${BASE}verzuim/V1> <${G}definedBy> <${BASE}overeenkomst/D1> .`,
      `<${BASE}verzuim/V1> <${G}eindDatum> "2024-02-29"^^<${X}date> .`,
      `<${BASE}verzuim/V1/verzuimtijd> <${T}> <${P}VerzuimTijdKwaliteit> .`,
      `${v('2024-02-01')} <${G}hasDataValue> "100"^^<${X}decimal> .`,
      `${v('2024-02-15')} <${G}hasDataValue> "37.5"^^<${X}decimal> .`,
      `${v('2024-02-15')} <${G}hasUnitOfMeasure> <${G}percent> .`,
      `${v('2024-02-15')} <${G}startDatum> "2024-02-15"^^<${X}date> .`,
    ]));
  });
});

describe('ons-ecd and exact-fin mappings', () => {
  it('maps a site to the postcode path the official queries follow', async () => {
    const { nt } = await triplesOf('ons-ecd', {
      'vestigingen.json': JSON.stringify({ vestigingen: [{ vestigingsnummer: '000012345601', naam: 'Arnhem', postcode: '6821 ab', huisnummer: '12' }] }),
    });
    const s = `<${BASE}vestiging/000012345601>`;
    expect(nt).toEqual(expect.arrayContaining([
      `${s} <${T}> <http://purl.org/ozo/onz-org#Vestiging> .`,
      `${s} <${G}identifiedBy> <${BASE}vestiging/000012345601/vestigingsnummer> .`,
      `<${BASE}vestiging/000012345601/vestigingsnummer> <${G}hasDataValue> "000012345601" .`,
      `${s} <${G}hasLocalizableArea> <${BASE}vestiging/000012345601/gebied> .`,
      `<${BASE}vestiging/000012345601/gebied> <${G}identifiedBy> <${BASE}vestiging/000012345601/adres> .`,
      `<${BASE}vestiging/000012345601/adres> <${G}hasPart> <${BASE}vestiging/000012345601/adres/postcode-huisnummer> .`,
      `<${BASE}vestiging/000012345601/adres/postcode-huisnummer> <${G}hasPart> <http://purl.org/ozo/onz-g/postcode/6821AB> .`,
      `${s} <http://purl.org/ozo/onz-org#vestigingVan> <${BASE}organisatie> .`,
    ]));
  });

  it('maps a Wlz indication from XML with profile and delivery form codes', async () => {
    const { nt, problems } = await triplesOf('ons-ecd', {
      'clienten.json': JSON.stringify({ clienten: [{ clientnummer: 'C1', geboortedatum: '1940-05-01' }] }),
      'indicaties.xml': '<Indicaties><Indicatie><Besluitnummer>B1</Besluitnummer><Clientnummer>C1</Clientnummer><Wet>Wlz</Wet><Zorgprofiel>VV05</Zorgprofiel><Leveringsvorm>instelling</Leveringsvorm><Ingangsdatum>2024-01-01</Ingangsdatum><Behandeling>N</Behandeling></Indicatie></Indicaties>',
    });
    expect(problems).toEqual([]);
    const z = 'http://purl.org/ozo/onz-zorg#';
    expect(nt).toEqual(expect.arrayContaining([
      `<${BASE}indicatie/B1> <${T}> <${z}WlzIndicatie> .`,
      `<${BASE}indicatie/B1> <${G}isAbout> <${BASE}client/C1> .`,
      `<${BASE}indicatie/B1> <${G}hasPart> <${z}5VV> .`,
      `<${BASE}indicatie/B1> <${G}hasPart> <${z}instelling> .`,
      `<${BASE}indicatie/B1> <${z}heeftIndicatieBehandeling> "false"^^<${X}boolean> .`,
    ]));
  });

  it('maps postings from XML onto accounts that are part of an RGS code', async () => {
    const { nt } = await triplesOf('exact-fin', {
      'grootboekrekeningen.csv': 'Rekening,Omschrijving,RGS-code\n4000,Salarissen,WPerLes\n',
      'boekingen.xml': '<eExact><GLTransactions><GLTransactionLine entry="E1" line="1"><Date>2024-03-31</Date><GLAccount>4000</GLAccount><Amount>-1250.50</Amount></GLTransactionLine></GLTransactions></eExact>',
    });
    expect(nt).toEqual(expect.arrayContaining([
      `<${BASE}grootboekrekening/4000> <${G}partOf> <http://purl.org/ozo/onz-fin#WPerLes> .`,
      `<${BASE}boeking/E1/1> <${G}partOf> <${BASE}grootboekrekening/4000> .`,
      `<${BASE}boeking/E1/1> <http://purl.org/ozo/onz-fin#heeftGeldBedrag> "-1250.5"^^<${X}decimal> .`,
      `<${BASE}boeking/E1/1> <${G}hasDate> "2024-03-31"^^<${X}date> .`,
    ]));
  });
});

describe('mapping files', () => {
  it('are validated on load with a clear message', () => {
    expect(() => parseMapping('system: x\nentity: y\nfiles: ["*.csv"]\nformat: csv\nkey: [A]\ncolumns: {}\nsubjects: {}\ntriples: [[s, a, b]]\n', 'x/y.yaml'))
      .toThrow(/key names unknown column "A"/);
    expect(() => parseMapping('system: x\nentity: y\nfiles: ["*.json"]\nformat: json\nkey: [A]\ncolumns: { A: {} }\nsubjects: { s: "a/{A}" }\ntriples: [[s, a, "onz-g:Human"]]\n', 'x/y.yaml'))
      .toThrow(/json mappings need "records"/);
  });

  it('mint the same IRIs on every import (deterministic from source keys)', async () => {
    const files = { 'functies.csv': 'Functie;Omschrijving;Zorgfunctie\nF/1 x;Zorg;J\n' };
    const first = await triplesOf('afas-hr', files);
    const second = await triplesOf('afas-hr', files);
    expect(first.nt).toEqual(second.nt);
    expect(first.problems).toEqual([]);
    expect(first.nt[0]).toContain(`<${BASE}functie/F%2F1%20x>`);
  });
});
