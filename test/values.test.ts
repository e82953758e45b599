// Manual values: entered with period, unit, who and why; a new generation holds them in the shape
// the official NZa kostenonderzoek queries read (run here, unmodified, on the generation); removal
// makes another; older generations keep what they had; every change and listing is logged.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPath } from '../src/audit/index.js';
import { packageRoot } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { installProfile, ProfileRegistry } from '../src/profiles/index.js';
import { prepareQuery } from '../src/query/index.js';
import { EmbeddedStore, readManifest } from '../src/store/index.js';
import { ValueError, listValues, listValuesLogged, removeValue, setValue } from '../src/values/index.js';
import { WORKED_EXAMPLE } from './fixtures/worked-example.js';
import { selectRows, tempDir, testConfig, writeFixture } from './helpers.js';

const CONFORMANCE = join(packageRoot(), '..', 'shared', 'conformance');
const year = { start: '2024-01-01', end: '2024-12-31' };

describe('manual values', () => {
  it('become RDF the official NZa 12.1 and 12.2 queries sum; removal is a new generation; older ones keep them', async () => {
    const config = testConfig();
    const first = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const budget = await setValue(config, { kind: 'nza-wettelijk-budget', period: year, value: '1250000.50', unit: 'EUR', reason: 'NZa budgetbrief 2024' }, 'test:alice');
    const extra = await setValue(config, { kind: 'nza-wettelijk-budget', period: year, value: 2000, unit: 'EUR', reason: 'nacalculatie' }, 'test:bob');
    await setValue(config, { kind: 'nza-budgetcorrecties', period: { start: '2023-01-01', end: '2023-12-31' }, value: '-300.25', unit: 'EUR', reason: 'correctie 2023' }, 'test:bob');
    const triples = readFileSync(join(config.dataDir, 'generations', budget.generation, 'source-manual-values.nt'), 'utf8');
    expect(triples).toContain(`<${config.organisation.iriBase}handmatig/${budget.value.id}> <http://purl.org/ozo/onz-g#partOf> <http://purl.org/ozo/onz-fin#PM811000>`);
    expect(triples).toContain('"1250000.5"^^<http://www.w3.org/2001/XMLSchema#decimal>');
    expect(budget.value).toMatchObject({ by: 'test:alice', unit: 'EUR', value: '1250000.5', period: year });
    const manifest = readManifest(config.dataDir, extra.generation);
    expect(manifest.sources.map((s) => s.system).sort()).toEqual(['afas-hr', 'manual-values', 'ons-ecd']); // the imports carried forward

    // The official queries (CC BY-ND, not shipped) where this machine has them; the triples always.
    const official = existsSync(CONFORMANCE);
    const dir = tempDir('ds-profiles-');
    const nza = official ? installProfile(join(CONFORMANCE, 'nza-kostenonderzoek-1.1.1'), dir) : undefined;
    const registry = nza ? ProfileRegistry.load([dir]) : undefined;
    const ask = async (id: string, period: { start: string; end: string }, expected: number) => {
      if (!registry || !nza) return;
      const indicator = registry.indicator(nza.id, id);
      const store = await EmbeddedStore.open(config.dataDir);
      try {
        const rows = await selectRows(store, prepareQuery(indicator.text, indicator.parameters, { start_periode: period.start, eind_periode: period.end }).engineText);
        expect(Number(rows[0]?.totaal)).toBe(expected);
      } finally {
        await store.close();
      }
    };
    await ask('12.1', year, 1252000.5);
    await ask('12.1', { start: '2023-01-01', end: '2023-12-31' }, 0); // a value counts in its own period only
    await ask('12.2', { start: '2023-01-01', end: '2023-12-31' }, -300.25);

    const removed = await removeValue(config, extra.value.id, 'dubbel ingevoerd', 'test:carol');
    expect(removed.value.removed).toMatchObject({ by: 'test:carol', reason: 'dubbel ingevoerd' });
    await ask('12.1', year, 1250000.5);
    expect(listValues(config.dataDir).map((v) => v.id)).not.toContain(extra.value.id);
    expect(listValues(config.dataDir, { all: true }).map((v) => v.id)).toContain(extra.value.id);
    // The generation before the removal still holds the value: versioned with the data.
    const before = readFileSync(join(config.dataDir, 'generations', extra.generation, 'source-manual-values.nt'), 'utf8');
    expect(before).toContain(`handmatig/${extra.value.id}>`);
    expect(readFileSync(join(config.dataDir, 'generations', removed.generation, 'source-manual-values.nt'), 'utf8')).not.toContain(extra.value.id);
    // A later import of the exports carries the values forward.
    const again = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    expect(again.carried).toContain('manual-values');
    await ask('12.1', year, 1250000.5);

    listValuesLogged(config, 'test:dave');
    const entries = readFileSync(auditPath(config.dataDir), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { actor: string; activity: string; reason?: string });
    expect(entries.filter((e) => e.activity.startsWith('value-')).map((e) => [e.activity, e.actor])).toEqual([
      ['value-set', 'test:alice'], ['value-set', 'test:bob'], ['value-set', 'test:bob'], ['value-remove', 'test:carol'], ['value-list', 'test:dave'],
    ]);
    expect(entries.filter((e) => e.activity === 'import').length).toBeGreaterThanOrEqual(5);
    expect(first.generation).not.toBe(again.generation);
  }, 120_000);

  it('refuses bad input with one sentence, leaving the file and the generations as they were', async () => {
    const config = testConfig();
    const bad = async (input: Record<string, unknown>) => setValue(config, { kind: 'nza-wettelijk-budget', period: year, value: '1', unit: 'EUR', reason: 'omdat het zo is', ...input }, 'a').then(() => 'accepted', (e: ValueError) => `${e.code}: ${e.message}`);
    expect(await bad({ kind: 'omzet' })).toMatch(/^bad_value: kind: one of nza-wettelijk-budget, nza-budgetcorrecties, nza-correctie-voorgaande-jaren$/);
    expect(await bad({ unit: 'USD' })).toBe('bad_value: unit: nza-wettelijk-budget is in EUR');
    expect(await bad({ value: '1,5' })).toBe('bad_value: value: a number such as 1234567.89');
    expect(await bad({ period: { start: '2024-02-30', end: '2024-12-31' } })).toBe('bad_value: period.start: not a calendar date');
    expect(await bad({ period: { start: '2024-12-31', end: '2024-01-01' } })).toBe('bad_value: period: the period ends before it starts');
    expect(await bad({ reason: '' })).toBe('bad_value: reason: say why (at least 3 characters)');
    expect(listValues(config.dataDir)).toEqual([]);
    await expect(removeValue(config, 'v-000000000000', 'weg ermee', 'a')).rejects.toMatchObject({ code: 'unknown_value' });
  });
});
