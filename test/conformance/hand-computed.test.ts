// Hand-computed indicator values on small export fixtures, checked with the official queries when
// ../shared/conformance is beside the project (CI). The fixtures go through our own mappings; the
// official texts are read from where they are, never copied. Each case writes down its reasoning.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { ProfileRegistry, installProfile } from '../../src/profiles/index.js';
import { prepareQuery } from '../../src/query/index.js';
import { EmbeddedStore } from '../../src/store/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { selectRows, tempDir, testConfig, writeFixture } from '../helpers.js';

const OFFICIAL = join(packageRoot(), '..', 'shared', 'conformance', 'zorgkantoren-1.3.5', 'queries');

let registry: ProfileRegistry;
beforeAll(() => {
  if (!existsSync(OFFICIAL)) return;
  const dir = tempDir('ds-official-');
  installProfile(OFFICIAL, dir);
  registry = ProfileRegistry.load([dir]);
});

async function official(files: Record<string, string>, indicator: string, values: Record<string, unknown>) {
  const config = testConfig();
  await runImport(config, { inputs: [writeFixture(files)] });
  const profile = registry.list()[0]!;
  const ind = registry.indicator(profile.id, indicator);
  const prepared = prepareQuery(ind.text, ind.parameters, values);
  return selectRows(await EmbeddedStore.open(config.dataDir), prepared.engineText);
}

const num = (rows: Record<string, string>[], label: string, column: string) => Number(rows.find((r) => Object.values(r).includes(label))?.[column]);

describe.skipIf(!existsSync(OFFICIAL))('hand-computed values, official queries', () => {
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
});
