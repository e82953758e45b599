// Source files as streams of rows. A row the reader cannot make sense of is still yielded, with a
// problem, so the quarantine report gets it: nothing is dropped here.
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse';
import { XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';

export type Encoding = 'utf-8' | 'windows-1252' | 'latin1' | 'utf-16le';

export interface SourceRow {
  /** Line number in the file for CSV (header is line 1), record number (1-based) for JSON/XML. */
  row: number;
  values: Record<string, string>;
  problem?: { column?: string; value?: string; reason: string; code: string };
}

export interface CsvOptions {
  delimiter: 'auto' | ',' | ';' | '\t' | '|';
  encoding: 'auto' | Encoding;
}

const SNIFF_BYTES = 64 * 1024;
/** A single field larger than this is a broken export (or a binary file), not data. */
export const MAX_FIELD_BYTES = 64 * 1024;

async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** BOM first; then strict UTF-8; anything else is taken as Windows-1252 (what Excel on Windows writes). */
export function detectEncoding(sample: Buffer): Encoding {
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  // A multi-byte sequence may be cut at the sniff boundary: ignore the last 3 bytes.
  const body = sample.length === SNIFF_BYTES ? sample.subarray(0, sample.length - 3) : sample;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

export function looksBinary(sample: Buffer): boolean {
  if (sample[0] === 0xff && sample[1] === 0xfe) return false; // UTF-16 has NULs by design
  return sample.subarray(0, 8192).includes(0);
}

/** The candidate that splits the header line into the most fields. */
export function detectDelimiter(headerLine: string): ',' | ';' | '\t' | '|' {
  const candidates = [';', ',', '\t', '|'] as const;
  let best: (typeof candidates)[number] = ',';
  let bestCount = 0;
  for (const c of candidates) {
    const count = headerLine.split(c).length - 1;
    if (count > bestCount) [best, bestCount] = [c, count];
  }
  return best;
}

export class SourceFileError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export async function* readCsv(path: string, options: CsvOptions): AsyncGenerator<SourceRow> {
  const sample = await head(path);
  if (looksBinary(sample)) throw new SourceFileError('binary_file', `${path} is not a text file (NUL bytes)`);
  const encoding = options.encoding === 'auto' ? detectEncoding(sample) : options.encoding;
  const text = iconv.decode(sample, encoding).replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = options.delimiter === 'auto' ? detectDelimiter(firstLine) : options.delimiter;

  const parser = createReadStream(path)
    .pipe(iconv.decodeStream(encoding))
    .pipe(
      parseCsv({
        delimiter,
        bom: true,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        trim: true,
        info: true,
        max_record_size: MAX_FIELD_BYTES,
      }),
    );
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((h) => h.replace(/^\uFEFF/, '').trim());
        continue;
      }
      const values: Record<string, string> = {};
      header.forEach((name, i) => (values[name] = record[i] ?? ''));
      const row: SourceRow = { row: info.lines, values };
      if (record.length !== header.length) {
        row.problem = { code: 'column_count', reason: `expected ${header.length} fields, found ${record.length}` };
      } else {
        const bad = header.find((name) => values[name]!.includes('\uFFFD'));
        if (bad) row.problem = { code: 'encoding', column: bad, value: values[bad], reason: `undecodable bytes in ${encoding} text` };
      }
      yield row;
    }
  } catch (error) {
    const e = error as Error & { code?: string; lines?: number };
    throw new SourceFileError('unreadable_csv', `${path}: ${e.message}`);
  }
}

/** Walk a dotted path (`Export.Medewerkers.Medewerker`) to the array of records. */
function recordsAt(doc: unknown, path: string | undefined, file: string): unknown[] {
  let node: unknown = doc;
  for (const key of path ? path.split('.') : []) {
    if (node === null || typeof node !== 'object' || !(key in node)) {
      throw new SourceFileError('records_not_found', `${file}: no "${path}" in document`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  if (node === undefined || node === '') return [];
  return Array.isArray(node) ? node : [node];
}

function flatten(record: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (record === null || typeof record !== 'object') return values;
  for (const [key, value] of Object.entries(record)) {
    if (value === null || value === undefined) values[key] = '';
    else if (typeof value === 'object') values[key] = JSON.stringify(value);
    else values[key] = String(value as string | number | boolean).trim();
  }
  return values;
}

async function decodeFile(path: string, encoding: 'auto' | Encoding): Promise<string> {
  const buf = await readFile(path);
  if (looksBinary(buf)) throw new SourceFileError('binary_file', `${path} is not a text file (NUL bytes)`);
  return iconv.decode(buf, encoding === 'auto' ? detectEncoding(buf.subarray(0, SNIFF_BYTES)) : encoding).replace(/^\uFEFF/, '');
}

// JSON and XML exports are documents, not line streams; they are parsed whole (exports of this
// kind are per entity and bounded; the CSV path is the one that streams).
export async function* readJson(path: string, records: string | undefined, encoding: 'auto' | Encoding): AsyncGenerator<SourceRow> {
  let doc: unknown;
  try {
    doc = JSON.parse(await decodeFile(path, encoding));
  } catch (error) {
    if (error instanceof SourceFileError) throw error;
    throw new SourceFileError('unreadable_json', `${path}: ${(error as Error).message}`);
  }
  let n = 0;
  for (const record of recordsAt(doc, records, path)) yield { row: ++n, values: flatten(record) };
}

export async function* readXml(path: string, records: string, encoding: 'auto' | Encoding): AsyncGenerator<SourceRow> {
  const text = await decodeFile(path, encoding);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (_name, jpath) => jpath === records,
  });
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (error) {
    throw new SourceFileError('unreadable_xml', `${path}: ${(error as Error).message}`);
  }
  let n = 0;
  for (const record of recordsAt(doc, records, path)) yield { row: ++n, values: flatten(record) };
}
