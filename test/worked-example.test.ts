// The worked example of kikv-domain.md (Zorgkantoren 1.1, Q1 2024 = 91 days), as exports of our
// source systems, through our mappings, counted by our own query. Figures computed by hand:
//   V1:           care (91 + 30)/91 = 1.33, non-care 16/91 = 0.18, total 1 + 46/91 = 1.51
//   organisation: care 1 + 30/91 + 31/91 = 1.67 (P3 has no location), non-care 0.18, total 1.85
//   P4 (intern) and P5 (volunteer) are never staff.
import { describe, expect, it } from 'vitest';
import { runImport } from '../src/importer/index.js';
import { EmbeddedStore } from '../src/store/index.js';
import { WORKED_EXAMPLE } from './fixtures/worked-example.js';
import { selectRows, staffProRataQuery, testConfig, writeFixture } from './helpers.js';

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
