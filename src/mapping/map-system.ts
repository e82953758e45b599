// Map every file of one source system: read, type and check rows, drop nothing silently
// (duplicates and dangling references become problems too), and collect the quads.
import { basename } from 'node:path';
import type { Quad } from '@rdfjs/types';
import { readCsv, readJson, readXml, SourceFileError, type CsvOptions, type SourceRow } from '../ingest/index.js';
import { KEY_SEPARATOR, RowMapper, type MappingContext, type Problem } from './engine.js';
import { filePatternMatches, type Mapping } from './spec.js';

export interface RowProblem extends Problem {
  system: string;
  entity: string;
  file: string;
  /** 0 when the whole file was unusable. */
  row: number;
}

export interface EntityStats {
  entity: string;
  files: string[];
  rowsRead: number;
  rowsMapped: number;
  quads: number;
  /** The headers (field names) of the first row read, to tell a renamed column from a missing file. */
  headers?: string[];
}

export interface SystemResult {
  system: string;
  quads: Quad[];
  problems: RowProblem[];
  entities: EntityStats[];
  /** Subject IRI → where it was first typed, to trace SHACL findings back to a row. */
  provenance: Map<string, { file: string; row: number; entity: string }>;
}

export interface MapOptions extends MappingContext {
  csv: CsvOptions;
  onProgress?: (event: { file: string; rows: number }) => void;
}

/** Which mapping reads which file; a file no mapping claims is reported, not ignored. */
export function assignFiles(mappings: Mapping[], files: string[]): { byEntity: Map<string, string[]>; unclaimed: string[] } {
  const byEntity = new Map<string, string[]>(mappings.map((m) => [m.entity, []]));
  const unclaimed: string[] = [];
  for (const file of files) {
    const m = mappings.find((mapping) => mapping.files.some((p) => filePatternMatches(p, file)));
    if (m) byEntity.get(m.entity)!.push(file);
    else unclaimed.push(file);
  }
  return { byEntity, unclaimed };
}

function rowsOf(mapping: Mapping, file: string, options: MapOptions): AsyncGenerator<SourceRow> {
  if (mapping.format === 'csv') return readCsv(file, options.csv);
  if (mapping.format === 'json') return readJson(file, mapping.records, options.csv.encoding);
  return readXml(file, mapping.records!, options.csv.encoding);
}


interface Accepted {
  file: string;
  row: number;
  mapped: Exclude<ReturnType<RowMapper['map']>, Problem>;
}

function sameValues(a: Accepted['mapped'], b: Accepted['mapped']): boolean {
  if (a.values.size !== b.values.size) return false;
  for (const [k, v] of a.values) if (b.values.get(k)?.text !== v.text) return false;
  return true;
}

export async function mapSystem(system: string, mappings: Mapping[], files: string[], options: MapOptions): Promise<SystemResult> {
  const { byEntity } = assignFiles(mappings, files);
  const problems: RowProblem[] = [];
  const accepted = new Map<string, Accepted[]>();
  const entities: EntityStats[] = [];

  // Pass 1: type and check every row; keep the first row per key.
  for (const mapping of mappings) {
    const mapper = new RowMapper(mapping, options);
    const mine = byEntity.get(mapping.entity) ?? [];
    const stats: EntityStats = { entity: mapping.entity, files: mine, rowsRead: 0, rowsMapped: 0, quads: 0 };
    entities.push(stats);
    const rows: Accepted[] = [];
    accepted.set(mapping.entity, rows);
    const firstByKey = new Map<string, { file: string; row: number; mapped: Accepted['mapped'] }>();
    for (const file of mine) {
      const problem = (row: number, p: Problem) => problems.push({ system, entity: mapping.entity, file, row, ...p });
      // A file that breaks off (a huge line, bad bytes in a document) contributes no rows at all:
      // half an export would be a wrong dataset that looks right.
      const [rowsBefore, problemsBefore, readBefore] = [rows.length, problems.length, stats.rowsRead];
      try {
        for await (const row of rowsOf(mapping, file, options)) {
          stats.rowsRead++;
          stats.headers ??= Object.keys(row.values);
          if (stats.rowsRead % 50_000 === 0) options.onProgress?.({ file, rows: stats.rowsRead });
          const mapped = mapper.map(row);
          if ('code' in mapped) {
            problem(row.row, mapped);
            continue;
          }
          const first = firstByKey.get(mapped.key);
          if (first) {
            const where = first.file === file ? `row ${first.row}` : `${first.file} row ${first.row}`;
            problem(row.row, sameValues(first.mapped, mapped)
              ? { code: 'duplicate_row', column: mapping.key.join('+'), value: mapped.key.split(KEY_SEPARATOR).join('+'), reason: `same as ${where}` }
              : { code: 'duplicate_key', column: mapping.key.join('+'), value: mapped.key.split(KEY_SEPARATOR).join('+'), reason: `key already used by ${where} with other values` });
            continue;
          }
          firstByKey.set(mapped.key, { file, row: row.row, mapped });
          rows.push({ file, row: row.row, mapped });
        }
      } catch (error) {
        if (!(error instanceof SourceFileError)) throw error;
        for (const r of rows.splice(rowsBefore)) firstByKey.delete(r.mapped.key);
        problems.length = problemsBefore;
        const read = stats.rowsRead - readBefore;
        problem(0, { code: error.code, reason: `${error.message}${read ? ` (the ${read} row(s) read before it are not imported either)` : ''}` });
      }
    }
  }

  // Pass 2: references between entities of this system (only when the referenced entity was imported),
  // checked against the final accepted set: a row whose referent is rejected here is rejected too,
  // and so on down the chain (a worklist, so a long chain stays linear).
  const keysOf = new Map([...accepted].map(([entity, rows]) => [entity, new Set(rows.map((r) => r.mapped.key))]));
  const rejected = new Map<Accepted, string>(); // → the code it was rejected with
  const dependants = new Map<string, { mapping: Mapping; row: Accepted; column: string }[]>();
  const queue: { entity: string; row: Accepted }[] = [];
  const where = (from: Accepted, to: Accepted) => (from.file === to.file ? `row ${to.row}` : `${basename(to.file)} row ${to.row}`);
  for (const mapping of mappings) {
    const checks = mapping.references.filter((r) => (byEntity.get(r.entity) ?? []).length > 0);
    for (const row of accepted.get(mapping.entity)!) {
      const dangling = checks.find((r) => {
        const v = row.mapped.values.get(r.column);
        return v !== undefined && !keysOf.get(r.entity)?.has(v.text);
      });
      if (dangling) {
        const value = row.mapped.values.get(dangling.column)!.text;
        problems.push({ system, entity: mapping.entity, file: row.file, row: row.row, code: 'unknown_reference', column: dangling.column, value, reason: `no ${dangling.entity} with key ${value}` });
        rejected.set(row, 'unknown_reference');
        queue.push({ entity: mapping.entity, row });
        continue;
      }
      for (const r of checks) {
        const v = row.mapped.values.get(r.column);
        if (v === undefined) continue;
        const id = r.entity + KEY_SEPARATOR + v.text;
        let list = dependants.get(id);
        if (!list) dependants.set(id, (list = []));
        list.push({ mapping, row, column: r.column });
      }
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const { entity, row: gone } = queue[i]!;
    for (const d of dependants.get(entity + KEY_SEPARATOR + gone.mapped.key) ?? []) {
      if (rejected.has(d.row)) continue;
      rejected.set(d.row, 'rejected_reference');
      const value = d.row.mapped.values.get(d.column)!.text;
      problems.push({ system, entity: d.mapping.entity, file: d.row.file, row: d.row.row, code: 'rejected_reference', column: d.column, value, reason: `${entity} ${value} was rejected (${where(d.row, gone)}: ${rejected.get(gone)})` });
      queue.push({ entity: d.mapping.entity, row: d.row });
    }
  }

  const quads: Quad[] = [];
  const provenance = new Map<string, { file: string; row: number; entity: string }>();
  for (const mapping of mappings) {
    const stats = entities.find((e) => e.entity === mapping.entity)!;
    for (const row of accepted.get(mapping.entity)!) {
      if (rejected.has(row)) continue;
      const { file, mapped } = row;
      stats.rowsMapped++;
      stats.quads += mapped.quads.length;
      for (const q of mapped.quads) quads.push(q);
      for (const s of mapped.typedSubjects) if (!provenance.has(s)) provenance.set(s, { file, row: row.row, entity: mapping.entity });
    }
  }
  return { system, quads, problems, entities, provenance };
}
