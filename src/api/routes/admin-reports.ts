// Reading what an import left behind, for the admin API: the generations' manifests, and the
// quarantine report and SHACL findings written next to each (reports/<generation>/). Reports can
// hold 100k+ rows, so they are streamed and cut at `limit` after `offset`, never read whole.
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import type { RowProblem } from '../../mapping/index.js';
import { currentGenerationId, listGenerations, readManifest } from '../../store/index.js';

export const GENERATION_ID = /^g\d{6}-[0-9A-Z]{1,20}$/;

export interface ImportView {
  generation: string;
  createdAt?: string;
  /** CURRENT points at it (what the server serves once it has loaded it). */
  current: boolean;
  served: boolean;
  sources: { name: string; system: string; files: string[]; loaded: number; read: number; quarantined: number; importedIn: string; importedAt: string }[];
  problem?: string;
}

export function importHistory(dataDir: string, served: string | undefined): ImportView[] {
  const current = currentGenerationId(dataDir);
  return listGenerations(dataDir)
    .reverse()
    .map((generation): ImportView => {
      const base = { generation, current: generation === current, served: generation === served };
      try {
        const m = readManifest(dataDir, generation);
        return {
          ...base,
          createdAt: m.createdAt,
          sources: m.sources.map((s) => ({
            name: s.system, system: s.system, files: s.files, loaded: s.rowsMapped, read: s.rowsRead, quarantined: s.rowsQuarantined, importedIn: s.importedIn, importedAt: s.importedAt,
          })),
        };
      } catch {
        return { ...base, sources: [], problem: 'its manifest cannot be read; it cannot be served' };
      }
    });
}

export interface Page<T> {
  items: T[];
  next?: number;
}

function reportFile(dataDir: string, generation: string, name: string): string {
  return join(dataDir, 'reports', generation, name);
}

export interface QuarantineView {
  source: string;
  entity: string;
  file: string;
  row: number;
  column?: string;
  code: string;
  reason: string;
}

/** Rows of the quarantine report: which file, row and column, and why (the mapper's words). */
export async function quarantinePage(dataDir: string, generation: string, offset: number, limit: number): Promise<Page<QuarantineView> | undefined> {
  const path = reportFile(dataDir, generation, 'quarantine.jsonl');
  if (!existsSync(path)) return undefined;
  const items: QuarantineView[] = [];
  let index = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (!line) continue;
      if (index++ < offset) continue;
      if (items.length === limit) return { items, next: offset + limit };
      const p = JSON.parse(line) as RowProblem;
      items.push({ source: p.system, entity: p.entity, file: p.file, row: p.row, ...(p.column ? { column: p.column } : {}), code: p.code, reason: p.reason });
    }
  } finally {
    lines.close();
  }
  return { items };
}

export interface FindingView {
  severity: string;
  focus: string;
  path: string;
  message: string;
  file?: string;
  row?: number;
  entity?: string;
}

// A shape without sh:message leaves only its constraint component: said here in words.
const COMPONENT_WORDS: Record<string, (path: string, value: string) => string> = {
  MinCountConstraintComponent: (p) => `${p || 'a required value'} is missing`,
  MaxCountConstraintComponent: (p) => `${p || 'a value'} occurs more often than allowed`,
  DatatypeConstraintComponent: (p, v) => `${p || 'a value'} ${v ? `"${v}" ` : ''}is not of the expected type`,
  ClassConstraintComponent: (p, v) => `${p || 'a reference'} ${v ? `points to ${v}, which ` : ''}is not of the expected kind`,
  NodeKindConstraintComponent: (p) => `${p || 'a value'} is of the wrong kind (a reference where a value is expected, or the other way round)`,
  PatternConstraintComponent: (p, v) => `${p || 'a value'} ${v ? `"${v}" ` : ''}does not have the expected form`,
  InConstraintComponent: (p, v) => `${p || 'a value'} ${v ? `"${v}" ` : ''}is not one of the allowed values`,
  HasValueConstraintComponent: (p) => `${p || 'a value'} lacks the value it must have`,
  MinInclusiveConstraintComponent: (p, v) => `${p || 'a value'} ${v ? `${v} ` : ''}is below the minimum`,
  MinExclusiveConstraintComponent: (p, v) => `${p || 'a value'} ${v ? `${v} ` : ''}is below the minimum`,
  MaxInclusiveConstraintComponent: (p, v) => `${p || 'a value'} ${v ? `${v} ` : ''}is above the maximum`,
  MaxExclusiveConstraintComponent: (p, v) => `${p || 'a value'} ${v ? `${v} ` : ''}is above the maximum`,
  MinLengthConstraintComponent: (p) => `${p || 'a value'} is too short`,
  MaxLengthConstraintComponent: (p) => `${p || 'a value'} is too long`,
  NodeConstraintComponent: (p) => `${p || 'a referenced item'} does not meet the rules for what it refers to`,
  QualifiedMinCountConstraintComponent: (p) => `${p || 'a value'}: too few of the required kind`,
  QualifiedMaxCountConstraintComponent: (p) => `${p || 'a value'}: too many of one kind`,
  ClosedConstraintComponent: (p) => `${p || 'a property'} is not allowed here`,
  SPARQLConstraintComponent: () => 'a rule of the shapes is not met',
};

export function findingInWords(message: string, path: string, value: string): string {
  const words = COMPONENT_WORDS[message];
  if (words) return words(path, value);
  // Any other component name ("FooConstraintComponent"): spaced out rather than shown as an identifier.
  const m = /^([A-Za-z]+)ConstraintComponent$/.exec(message);
  return m ? `${path || 'a value'} does not meet the ${m[1]!.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} rule` : message;
}

/** SHACL findings of an import (shacl.csv), with their source file and row when known. */
export async function findingsPage(dataDir: string, generation: string, offset: number, limit: number): Promise<Page<FindingView> | undefined> {
  const path = reportFile(dataDir, generation, 'shacl.csv');
  if (!existsSync(path)) return undefined;
  const items: FindingView[] = [];
  let index = 0;
  const input = createReadStream(path);
  const parser = input.pipe(parseCsv({ columns: true, relax_column_count: true }));
  try {
    for await (const r of parser as AsyncIterable<Record<string, string>>) {
      if (index++ < offset) continue;
      if (items.length === limit) return { items, next: offset + limit };
      const row = Number(r.row);
      items.push({
        severity: r.severity ?? 'violation',
        focus: r.focusNode ?? '',
        path: r.path ?? '',
        message: findingInWords(r.message ?? '', r.path ?? '', r.value ?? ''),
        ...(r.file ? { file: r.file } : {}),
        ...(r.row && Number.isFinite(row) ? { row } : {}),
        ...(r.entity ? { entity: r.entity } : {}),
      });
    }
  } finally {
    input.destroy();
  }
  return { items };
}
