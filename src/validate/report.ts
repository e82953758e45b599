// The quarantine report: every row that did not make it into the dataset, and every SHACL finding,
// with file, row, column, value and reason — in the data directory and summarised in the CLI.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { RowProblem } from '../mapping/index.js';
import { writeFileDurable } from '../store/index.js';
import type { ShaclFinding } from './shacl.js';

export interface QuarantineReport {
  dir: string;
  rows: RowProblem[];
  findings: ShaclFinding[];
}

export function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export function writeQuarantineReport(dataDir: string, name: string, rows: RowProblem[], findings: ShaclFinding[]): QuarantineReport {
  const dir = join(dataDir, 'reports', name);
  mkdirSync(dir, { recursive: true });
  const rowColumns = ['system', 'entity', 'file', 'row', 'column', 'value', 'code', 'reason'] as const;
  writeFileDurable(join(dir, 'quarantine.csv'), stringify(rows.map((r) => rowColumns.map((c) => r[c] ?? '')), { header: true, columns: [...rowColumns] }));
  writeFileDurable(join(dir, 'quarantine.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
  const findingColumns = ['severity', 'file', 'row', 'entity', 'focusNode', 'path', 'value', 'message', 'shape'];
  writeFileDurable(
    join(dir, 'shacl.csv'),
    stringify(
      findings.map((f) => [f.severity, f.source?.file ?? '', f.source?.row ?? '', f.source?.entity ?? '', f.focusNode, f.path, f.value ?? '', f.message, f.shape]),
      { header: true, columns: findingColumns },
    ),
  );
  return { dir, rows, findings };
}
