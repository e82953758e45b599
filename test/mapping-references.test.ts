// References are checked against the final accepted set: a row pointing at a row rejected in the
// same import is rejected too, down the whole chain, each with its row, column and reason.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { loadMappings, mapSystem } from '../src/mapping/index.js';
import { WORKED_EXAMPLE } from './fixtures/worked-example.js';
import { writeFixture } from './helpers.js';

const config = loadConfig({ env: {} });
const mappings = loadMappings(config.mappingsDir);

async function mapHr(files: Record<string, string>) {
  const dir = join(writeFixture(files), 'afas-hr');
  return mapSystem('afas-hr', mappings.get('afas-hr')!, readdirSync(dir).map((f) => join(dir, f)), {
    iriBase: 'https://org.example/id/', dateFormats: config.import.dateFormats, decimal: 'auto', csv: { delimiter: 'auto', encoding: 'auto' },
  });
}

describe('references against the final set', () => {
  it('an employee rejected for a bad date takes its employment and that employment\'s agreement lines with it', async () => {
    const files = { ...WORKED_EXAMPLE, 'afas-hr/medewerkers.csv': WORKED_EXAMPLE['afas-hr/medewerkers.csv'].replace('P2;1-1-1990', 'P2;31-2-1990') };
    const result = await mapHr(files);
    const problems = result.problems.map((p) => ({ entity: p.entity, file: p.file.replace(/^.*\//, ''), row: p.row, code: p.code, column: p.column, reason: p.reason }));
    expect(problems).toEqual([
      { entity: 'employee', file: 'medewerkers.csv', row: 3, code: 'invalid_date', column: 'Geboortedatum', reason: 'not a recognised date' },
      { entity: 'employment', file: 'dienstverbanden.csv', row: 3, code: 'unknown_reference', column: 'Medewerker', reason: 'no employee with key P2' },
      { entity: 'agreement-line', file: 'formatie.csv', row: 3, code: 'rejected_reference', column: 'Dienstverband', reason: 'employment A2 was rejected (dienstverbanden.csv row 3: unknown_reference)' },
      { entity: 'agreement-line', file: 'formatie.csv', row: 4, code: 'rejected_reference', column: 'Dienstverband', reason: 'employment A2 was rejected (dienstverbanden.csv row 3: unknown_reference)' },
    ]);
    const stats = Object.fromEntries(result.entities.map((e) => [e.entity, e.rowsMapped]));
    expect(stats).toMatchObject({ employee: 4, employment: 4, 'agreement-line': 4, function: 2 });
    // No quad of the rejected agreement lines (A2's lines 1 and 2) is in the output.
    expect(result.quads.filter((q) => /A2/.test(q.subject.value) || /A2/.test(q.object.value))).toEqual([]);
  });

  it('5k dependants of one rejected row: each reported, none mapped', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `A2;${i + 1};1-1-2024;;Fz;L1;1`).join('\n');
    const files = {
      ...WORKED_EXAMPLE,
      'afas-hr/medewerkers.csv': WORKED_EXAMPLE['afas-hr/medewerkers.csv'].replace('P2;1-1-1990', 'P2;x'),
      'afas-hr/formatie.csv': 'Dienstverband;Volgnummer;Begindatum;Einddatum;Functie;Organisatorische eenheid;Uren per week\n' + lines + '\n',
    };
    const result = await mapHr(files);
    expect(result.problems.filter((p) => p.code === 'rejected_reference')).toHaveLength(5000);
    expect(result.entities.find((e) => e.entity === 'agreement-line')!.rowsMapped).toBe(0);
  });
});
