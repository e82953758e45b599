// Mapping without forking: the organisation's own folder on top of the shipped mappings (header
// aliases, date patterns, a replaced mapping), and date patterns checked when the config loads.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, packageRoot } from '../src/config/index.js';
import { ImportRejectedError, runImport } from '../src/importer/index.js';
import { dateFormatProblem, parseDate } from '../src/ingest/index.js';
import { loadMappings, MappingSpecError } from '../src/mapping/index.js';
import { generationsDir } from '../src/store/index.js';
import { WORKED_EXAMPLE } from './fixtures/worked-example.js';
import { tempDir, testConfig, writeFixture } from './helpers.js';

const sourceTriples = (dataDir: string, generation: string) => readFileSync(join(generationsDir(dataDir), generation, 'source-afas-hr.nt'), 'utf8').split('\n').sort();
const HR = Object.fromEntries(Object.entries(WORKED_EXAMPLE).filter(([k]) => k.startsWith('afas-hr/')));

describe('date patterns', () => {
  it('reads luxon patterns, Dutch month names included; refuses impossible dates', () => {
    expect(parseDate('07-03-2024', ['dd-MM-yyyy'])).toEqual({ date: '2024-03-07' });
    expect(parseDate('31-02-2024', ['dd-MM-yyyy'])).toBeUndefined();
    expect(parseDate('7 mrt 2024', ['d MMM yyyy'])).toEqual({ date: '2024-03-07' });
    expect(parseDate('7 Mar 2024', ['d MMM yyyy'])).toEqual({ date: '2024-03-07' });
    expect(parseDate('07.03.2024 13:45', ['dd.MM.yyyy HH:mm'])).toEqual({ date: '2024-03-07', time: '13:45:00' });
    expect(parseDate('2024-03-07', ['dd-MM-yyyy'])).toEqual({ date: '2024-03-07' }); // ISO 8601 always
  });

  it('refuses patterns that cannot be dates, with the reason', () => {
    expect(dateFormatProblem('dd-MM-yyyy')).toBeUndefined();
    expect(dateFormatProblem('EEE MMM d HH:mm:ss z yyyy')).toBeUndefined(); // a named format
    expect(dateFormatProblem('dd-QQ-yyyy')).toMatch(/"QQ" is not a date token/);
    expect(dateFormatProblem('foo')).toMatch(/"f" is not a date token/);
    expect(dateFormatProblem('yyyy-MM')).toMatch(/needs a year \(yyyy\), a month .* and a day/);
    expect(dateFormatProblem("dd-MM-yyyy 'uur")).toMatch(/unclosed quote/);
  });

  it('an invalid pattern is refused when the configuration loads; the CLI exits 2', async () => {
    expect(() => testConfig(tempDir(), { import: { dateFormats: ['dd-QQ-yyyy'] } })).toThrow(ConfigError);
    expect(() => testConfig(tempDir(), { import: { dateFormats: ['dd-QQ-yyyy'] } })).toThrow(/import\.dateFormats\.0: "dd-QQ-yyyy": "QQ" is not a date token/);
    const overrides = writeFixture({ 'afas-hr/employee.yaml': 'system: afas-hr\nentity: employee\ndateFormats:\n  Geboortedatum: [dd-MM-jjjj]\n' });
    expect(() => testConfig(tempDir(), { mappings: { overrides } })).toThrow(/invalid mapping override: afas-hr\/employee\.yaml: dateFormats\.Geboortedatum\.0: "dd-MM-jjjj": "jjjj" is not a date token/);
    const dir = tempDir();
    const file = join(dir, 'datastation.yaml');
    writeFileSync(file, `dataDir: ${dir}/data\nimport:\n  dateFormats: [dd-MM-yyyy, 'd-M-yyyy-QQ']\n`);
    const cli = join(packageRoot(), 'src', 'cli', 'main.ts');
    const error = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, '--config', file, 'status']).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(error?.code).toBe(2);
    expect(error?.stderr.trim()).toMatch(/^datastation: invalid configuration in .*datastation\.yaml: import\.dateFormats\.1: "d-M-yyyy-QQ": "QQ" is not a date token[^\n]*$/);
  }, 60_000);
});

describe('mapping overrides', () => {
  it('a renamed column, read through an alias, imports the same data as the shipped header', async () => {
    const shipped = testConfig();
    const base = await runImport(shipped, { inputs: [writeFixture(HR)] });
    const renamed = { ...HR, 'afas-hr/medewerkers.csv': HR['afas-hr/medewerkers.csv']!.replace('Medewerker;', 'Personeelsnummer;') };
    // Without the alias the import is refused…
    await expect(runImport(testConfig(), { inputs: [writeFixture(renamed)] })).rejects.toBeInstanceOf(ImportRejectedError);
    // …with it, the same triples.
    const overrides = writeFixture({ 'afas-hr/employee.yaml': 'system: afas-hr\nentity: employee\naliases:\n  Medewerker: [Personeelsnummer]\n' });
    const own = testConfig(tempDir(), { mappings: { overrides } });
    const result = await runImport(own, { inputs: [writeFixture(renamed)] });
    expect(result.rowsMapped).toBe(base.rowsMapped);
    expect(sourceTriples(own.dataDir, result.generation)).toEqual(sourceTriples(shipped.dataDir, base.generation));
    // Only that one mapping changed; the others are the shipped ones.
    const merged = loadMappings(own.mappingsDir, own.mappings.overrides);
    expect(merged.get('afas-hr')!.find((m) => m.entity === 'employee')!.columns.Medewerker!.source).toEqual(['Medewerker', 'EmployeeId', 'Personeelsnummer']);
    expect(merged.get('ons-ecd')).toEqual(loadMappings(own.mappingsDir).get('ons-ecd'));
  }, 60_000);

  it('a dd-MM-yyyy pattern for one column reads dates the defaults do not; the same birth dates come out', async () => {
    const dutch = { ...HR, 'afas-hr/medewerkers.csv': 'Medewerker;Geboortedatum\nP1;01 jan 1980\nP2;01 jan 1990\nP3;01 jan 1985\nP4;01 jan 2003\nP5;01 jan 1950\n' };
    const overrides = writeFixture({ 'afas-hr/employee.yaml': 'system: afas-hr\nentity: employee\ndateFormats:\n  Geboortedatum: [dd MMM yyyy]\n' });
    const own = testConfig(tempDir(), { mappings: { overrides } });
    const shipped = testConfig();
    const base = await runImport(shipped, { inputs: [writeFixture(HR)] });
    const result = await runImport(own, { inputs: [writeFixture(dutch)] });
    expect(result.rowsQuarantined).toBe(0);
    expect(sourceTriples(own.dataDir, result.generation)).toEqual(sourceTriples(shipped.dataDir, base.generation));
    // And dd-MM-yyyy as the only configured format reads "01-01-1980" (no d-M-yyyy fallback left).
    const strict = testConfig(tempDir(), { import: { dateFormats: ['dd-MM-yyyy'] } });
    const zeroPadded = { ...HR };
    for (const [k, v] of Object.entries(zeroPadded)) zeroPadded[k] = v.replace(/\b(\d)-(\d)-(\d{4})\b/g, '0$1-0$2-$3').replace(/\b(\d\d)-(\d)-(\d{4})\b/g, '$1-0$2-$3').replace(/\b(\d)-(\d\d)-(\d{4})\b/g, '0$1-$2-$3');
    const padded = await runImport(strict, { inputs: [writeFixture(zeroPadded)] });
    expect(padded.rowsQuarantined).toBe(0);
    expect(sourceTriples(strict.dataDir, padded.generation)).toEqual(sourceTriples(shipped.dataDir, base.generation));
  }, 60_000);

  it('a whole mapping replaces the shipped one; a patch naming an unknown column or entity is refused', () => {
    const shippedText = readFileSync(join(packageRoot(), 'src', 'mapping', 'sources', 'afas-hr', 'function.yaml'), 'utf8');
    const replaced = writeFixture({ 'afas-hr/function.yaml': shippedText.replace(/files: \[[^\]]*\]/, 'files: ["*rollen*.csv"]') });
    const merged = loadMappings(join(packageRoot(), 'src', 'mapping', 'sources'), replaced);
    expect(merged.get('afas-hr')!.find((m) => m.entity === 'function')!.files).toEqual(['*rollen*.csv']);
    expect(merged.get('afas-hr')).toHaveLength(loadMappings(join(packageRoot(), 'src', 'mapping', 'sources')).get('afas-hr')!.length);
    const load = (files: Record<string, string>) => () => loadMappings(join(packageRoot(), 'src', 'mapping', 'sources'), writeFixture(files));
    expect(load({ 'afas-hr/x.yaml': 'system: afas-hr\nentity: employee\naliases:\n  Naam: [Name]\n' })).toThrow(/names column "Naam", which afas-hr\/employee does not have; its columns: Medewerker, Geboortedatum/);
    expect(load({ 'afas-hr/x.yaml': 'system: afas-hr\nentity: nobody\naliases:\n  A: [B]\n' })).toThrow(MappingSpecError);
    expect(load({ 'afas-hr/x.yaml': 'system: afas-hr\nentity: employee\ndateFormats:\n  Medewerker: [dd-MM-yyyy]\n' })).toThrow(/not a date column/);
    expect(load({ 'afas-hr/x.yaml': 'system: afas-hr\nentity: employee\nalias:\n  Medewerker: [X]\n' })).toThrow(/unknown key alias/);
    expect(() => loadConfig({ env: {}, overrides: { dataDir: tempDir(), mappings: { overrides: join(tempDir(), 'absent') } } })).toThrow(/mapping overrides folder .* does not exist/);
  });
});
