import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { detectDelimiter, parseDate, parseDecimal, readCsv, SourceFileError } from '../src/ingest/index.js';
import { writeFixture } from './helpers.js';
import { join } from 'node:path';

const formats = ['d-M-yyyy', 'd/M/yyyy', 'yyyyMMdd', 'EEE MMM d HH:mm:ss z yyyy'];

describe('source values', () => {
  it('parses the date formats real exports use, and rejects impossible dates', () => {
    expect(parseDate('2024-02-29', formats)).toEqual({ date: '2024-02-29' });
    expect(parseDate('1-3-2024', formats)).toEqual({ date: '2024-03-01' });
    expect(parseDate('01/03/2024', formats)).toEqual({ date: '2024-03-01' });
    expect(parseDate('20240301', formats)).toEqual({ date: '2024-03-01' });
    expect(parseDate('Fri Mar 01 08:30:00 CET 2024', formats)).toEqual({ date: '2024-03-01', time: '08:30:00' });
    expect(parseDate('2024-03-01T07:15', formats)).toEqual({ date: '2024-03-01', time: '07:15:00' });
    expect(parseDate('2023-02-29', formats)).toBeUndefined();
    expect(parseDate('31-4-2024', formats)).toBeUndefined();
    expect(parseDate('morgen', formats)).toBeUndefined();
  });

  it('parses decimal commas, thousands separators and dots', () => {
    expect(parseDecimal('24,5', 'auto')).toBe('24.5');
    expect(parseDecimal('1.234,56', 'auto')).toBe('1234.56');
    expect(parseDecimal('1,234.56', 'auto')).toBe('1234.56');
    expect(parseDecimal('-0012.50', 'auto')).toBe('-12.5');
    expect(parseDecimal('1.234', 'comma')).toBe('1234');
    expect(parseDecimal('12 abc', 'auto')).toBeUndefined();
  });

  it('detects the delimiter and a Windows-1252 encoding, and reports a wrong field count', async () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a,b\tc,d')).toBe(',');
    const dir = writeFixture({ 'f.csv': iconv.encode('Code;Naam\r\nF1;Coördinator\r\nF2;x;extra\r\n', 'windows-1252') });
    const rows = [];
    for await (const row of readCsv(join(dir, 'f.csv'), { delimiter: 'auto', encoding: 'auto' })) rows.push(row);
    expect(rows[0]).toEqual({ row: 2, values: { Code: 'F1', Naam: 'Coördinator' } });
    expect(rows[1]!.problem).toMatchObject({ code: 'column_count' });
  });

  it('refuses binary files with a clear error', async () => {
    const dir = writeFixture({ 'x.csv': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x01]) });
    const read = async () => {
      for await (const _ of readCsv(join(dir, 'x.csv'), { delimiter: 'auto', encoding: 'auto' })) void _;
    };
    await expect(read()).rejects.toThrow(SourceFileError);
  });
});

describe('configuration', () => {
  it('reads the file, lets the environment override it, and validates', () => {
    const dir = writeFixture({ 'c.yaml': 'dataDir: ./d\norganisation:\n  name: Huize X\n  kvk: "12345678"\n  iriBase: https://x.example/id/\n' });
    const config = loadConfig({ file: join(dir, 'c.yaml'), env: { DATASTATION_ORG_NAME: 'Huize Y', DATASTATION_SHACL: 'false' } });
    expect(config.dataDir).toBe(join(dir, 'd'));
    expect(config.organisation.name).toBe('Huize Y');
    expect(config.import.shacl).toBe(false);
    expect(() => loadConfig({ env: { DATASTATION_ORG_KVK: '12' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { DATASTATION_ORG_IRI_BASE: 'https://x.example/id' } })).toThrow(/iriBase must end in/);
  });
});
