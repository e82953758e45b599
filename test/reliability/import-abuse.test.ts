// Import abuse: a huge line, wrong encodings, binary files and 100k bad rows. Each gets a clear
// report, memory stays bounded (measured in a child process), and nothing half-read becomes data:
// a file that breaks off contributes no rows, a source whose rows all fail leaves the previous
// generation current and intact.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImport } from '../../src/importer/index.js';
import { EmbeddedStore, currentGenerationId, generationsDir } from '../../src/store/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { selectRows, testConfig, writeFixture } from '../helpers.js';

const HEADER = 'Medewerker;Geboortedatum\n';
const countHumans = 'PREFIX onz-g: <http://purl.org/ozo/onz-g#> SELECT (COUNT(DISTINCT ?h) AS ?n) WHERE { ?h a onz-g:Human }';

/** An import in a child process: its outcome and its own peak RSS. */
function importInChild(dataDir: string, input: string, ...flags: string[]): { ok: boolean; code?: string; message?: string; reportDir?: string; rowsQuarantined?: number; peakRssMb: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'children', 'import.ts'), dataDir, input, ...flags], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ReturnType<typeof importInChild>;
}

const quarantine = (reportDir: string) =>
  readFileSync(join(reportDir, 'quarantine.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { file: string; row: number; code: string; reason: string; column?: string });

describe('import abuse', () => {
  it('a 20 MB line: the file is refused with the reason, and none of its rows become data', async () => {
    const config = testConfig();
    const files = { ...WORKED_EXAMPLE, 'afas-hr/medewerkers.csv': `${HEADER}P1;1-1-1980\nP2;1-1-1990\nP9;${'x'.repeat(20 * 2 ** 20)}\nP3;1-1-1985\n` };
    // The employees' file contributing nothing refuses the import unless that loss is accepted.
    const result = importInChild(config.dataDir, writeFixture(files), '--allow-shrink');
    expect(result.ok).toBe(true); // the other files of the export are fine
    const report = quarantine(join(config.dataDir, 'reports', currentGenerationId(config.dataDir)!));
    const refused = report.find((p) => p.file.endsWith('medewerkers.csv') && p.row === 0)!;
    expect(refused.code).toBe('unreadable_csv');
    expect(refused.reason).toMatch(/2 row\(s\) read before it are not imported/);
    const store = await EmbeddedStore.open(config.dataDir);
    expect((await selectRows(store, countHumans))[0]!.n).toBe('0');
    expect(result.peakRssMb).toBeLessThan(1024);
  }, 60_000);

  it('UTF-16 with a byte-order mark is read; without one (NUL bytes) it is refused as binary, clearly', async () => {
    const utf16 = (text: string, bom: boolean) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
    const config = testConfig();
    const ok = await runImport(config, { inputs: [writeFixture({ ...WORKED_EXAMPLE, 'afas-hr/medewerkers.csv': utf16(`${HEADER}P1;1-1-1980\nP2;1-1-1990\nP3;1-1-1985\nP4;1-1-2003\nP5;1-1-1950\n`, true) })] });
    expect(ok.quarantineByReason).not.toHaveProperty('binary_file');
    expect((await selectRows(await EmbeddedStore.open(config.dataDir), countHumans))[0]!.n).toBe('5');
    const binary = writeFixture({ ...WORKED_EXAMPLE, 'afas-hr/medewerkers.csv': utf16(`${HEADER}P1;1-1-1980\n`, false) });
    const error = (await runImport(testConfig(), { inputs: [binary] }).catch((e: unknown) => e)) as { code?: string; message: string };
    expect(error.code).toBe('shrunk_import');
    expect(error.message).toMatch(/afas-hr\/employee: no row of .*medewerkers\.csv could be mapped \(0 read\): .*medewerkers\.csv was refused \(binary_file\)/);
    const refused = await runImport(testConfig(), { inputs: [binary], allowShrink: true });
    expect(refused.quarantineByReason).toMatchObject({ binary_file: 1 });
  });

  it('binary files under export names (an image as CSV, random bytes as JSON and XML) are refused with a reason each', async () => {
    const config = testConfig();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.alloc(4096, 7)]);
    const noise = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256));
    const summary = await runImport(config, { inputs: [writeFixture({ ...WORKED_EXAMPLE, 'afas-hr/medewerkers.csv': png, 'ons-ecd/vestigingen.json': noise, 'ons-ecd/indicaties.xml': noise })], allowShrink: true });
    const report = quarantine(summary.reportDir);
    for (const name of ['medewerkers.csv', 'vestigingen.json', 'indicaties.xml']) {
      const problem = report.find((p) => p.file.endsWith(name));
      expect(problem, name).toMatchObject({ row: 0, code: 'binary_file' });
      expect(problem!.reason).toMatch(/not a text file/);
    }
  });

  it('100k bad rows: every one reported with row, column and reason; the previous generation stays current and intact; memory bounded', async () => {
    const config = testConfig();
    const base = await runImport(config, { inputs: [writeFixture(WORKED_EXAMPLE)] });
    const rows = Array.from({ length: 100_000 }, (_, i) => `Q${i};31-2-19${String(i % 100).padStart(2, '0')}`).join('\n');
    const result = importInChild(config.dataDir, writeFixture({ 'afas-hr/medewerkers.csv': `${HEADER}${rows}\n` }));
    expect(result).toMatchObject({ ok: false, code: 'empty_source' });
    expect(result.message).toMatch(/no row could be mapped; the previous data stays/);
    const report = quarantine(result.reportDir!);
    expect(report).toHaveLength(100_000);
    expect(report[0]).toMatchObject({ row: 2, column: 'Geboortedatum' });
    expect(report.at(-1)!.row).toBe(100_001);
    expect(currentGenerationId(config.dataDir)).toBe(base.generation);
    expect(readdirSync(generationsDir(config.dataDir)).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    expect(existsSync(join(config.dataDir, 'import.lock'))).toBe(false);
    expect((await selectRows(await EmbeddedStore.open(config.dataDir), countHumans))[0]!.n).toBe('5');
    // 100k problems held for the report: a few hundred MB at most, not a copy of the file per row.
    expect(result.peakRssMb).toBeLessThan(1024);
    console.log(`100k bad rows: peak RSS ${result.peakRssMb} MB`);
  }, 120_000);
});
