// The worked example of kikv-domain.md (Zorgkantoren 1.1, Q1 2024 = 91 days), as exports of our
// source systems, through our mappings, counted by our own query. Figures computed by hand:
//   V1:           care (91 + 30)/91 = 1.33, non-care 16/91 = 0.18, total 1 + 46/91 = 1.51
//   organisation: care 1 + 30/91 + 31/91 = 1.67 (P3 has no location), non-care 0.18, total 1.85
//   P4 (intern) and P5 (volunteer) are never staff.
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/importer/index.js';
import { EmbeddedStore } from '../src/store/index.js';
import { selectRows, staffProRataQuery, testConfig, writeFixture } from './helpers.js';

export const WORKED_EXAMPLE = {
  'afas-hr/medewerkers.csv': 'Medewerker;Geboortedatum\nP1;1-1-1980\nP2;1-1-1990\nP3;1-1-1985\nP4;1-1-2003\nP5;1-1-1950\n',
  'afas-hr/functies.csv': 'Functie;Omschrijving;Zorgfunctie;Kwalificatieniveau\nFz;Verzorgende;J;3\nFs;Receptie;N;\n',
  'afas-hr/dienstverbanden.csv':
    'Dienstverband;Medewerker;Begindatum;Einddatum;Soort\n' +
    'A1;P1;1-3-2022;;onbepaalde tijd\nA2;P2;15-2-2024;31-12-2024;bepaalde tijd\nA3;P3;1-1-2024;31-1-2024;uitzendovereenkomst\n' +
    'A4;P4;1-1-2024;31-3-2024;stagair\nA5;P5;1-1-2024;;vrijwilliger\n',
  'afas-hr/formatie.csv':
    'Dienstverband;Volgnummer;Begindatum;Einddatum;Functie;Organisatorische eenheid;Uren per week\n' +
    'A1;1;1-3-2022;;Fz;L1;36\nA2;1;15-2-2024;15-3-2024;Fz;L1;24\nA2;2;16-3-2024;31-12-2024;Fs;L1;24\nA3;1;1-1-2024;31-1-2024;Fz;;36\n' +
    'A4;1;1-1-2024;31-3-2024;Fz;L1;32\nA5;1;1-1-2024;;Fs;L1;4\n',
  'ons-ecd/vestigingen.json': JSON.stringify({ vestigingen: [{ vestigingsnummer: '000000000001', naam: 'V1', postcode: '6821AB', huisnummer: '1' }] }),
  'ons-ecd/locaties.json': JSON.stringify({ locaties: [{ code: 'L1', naam: 'Afdeling 1', vestigingsnummer: '000000000001' }] }),
};

describe('worked example: staff pro rata, Q1 2024', () => {
  it('matches the hand-computed figures per site and for the organisation', async () => {
    const config = testConfig();
    const summary = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    expect(summary.rowsQuarantined).toBe(0);
    const store = await EmbeddedStore.open(config.dataDir);
    const rows = await selectRows(store, staffProRataQuery(2024, 'Q1'));
    expect(rows).toEqual([
      { Indeling: '000000000001', Zorg: '1.33', Niet_zorg: '0.18', Totaal: '1.51' },
      { Indeling: 'Organisatie', Zorg: '1.67', Niet_zorg: '0.18', Totaal: '1.85' },
    ]);
  });
});
