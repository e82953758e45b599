// Imports that lose nothing silently: an entity the previous generation had and this import lacks,
// one whose mapped rows drop sharply, or one of which no row maps (a renamed key column) refuses
// the import, one sentence per entity, unless the operator accepts it explicitly.
import type { EntityStats, Mapping, RowProblem } from '../mapping/index.js';
import type { SourceEntry } from '../store/index.js';

export interface ShrinkOptions {
  /** Refuse when an entity maps more than this percentage fewer rows than in the previous generation. */
  maxShrinkPercent: number;
}

const MAX_HEADERS_SHOWN = 40;

function list(items: string[], max = MAX_HEADERS_SHOWN): string {
  const shown = items.slice(0, max).map((h) => (h.length > 64 ? `${h.slice(0, 61)}…` : h));
  return shown.join(', ') + (items.length > max ? ` and ${items.length - max} more` : '');
}

/** Why no row of this entity mapped: the most frequent problem, with the file's real headers when a column is missing. */
function zeroReason(entity: EntityStats, problems: RowProblem[]): string {
  const mine = problems.filter((p) => p.entity === entity.entity);
  const missing = mine.find((p) => p.code === 'missing_column');
  if (missing) {
    const headers = entity.headers?.length ? `; its headers are: ${list(entity.headers)}` : '';
    return `${missing.reason.replace(/ from the file$/, ` from ${missing.file}`)}${headers}`;
  }
  const refused = mine.find((p) => p.row === 0);
  if (refused) return `${refused.file} was refused (${refused.code}): ${refused.reason}`;
  const counts = new Map<string, number>();
  for (const p of mine) counts.set(p.code, (counts.get(p.code) ?? 0) + 1);
  const [code, n] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['no rows', 0];
  const example = mine.find((p) => p.code === code);
  return n ? `${n} row(s) ${code}${example ? `, e.g. ${example.file} row ${example.row}: ${example.reason}` : ''}` : 'the file has no rows';
}

/**
 * The sentences refusing this system's import, empty when nothing is lost. `previous` is the
 * system's entry in the previous generation (undefined on a first import).
 */
export function shrinkRefusals(system: string, mappings: Mapping[], entities: EntityStats[], problems: RowProblem[], previous: SourceEntry | undefined, options: ShrinkOptions): string[] {
  const refusals: string[] = [];
  const before = new Map((previous?.entities ?? []).map((e) => [e.entity, e]));
  for (const mapping of mappings) {
    const now = entities.find((e) => e.entity === mapping.entity);
    const prev = before.get(mapping.entity);
    const name = `${system}/${mapping.entity}`;
    const hadRows = prev !== undefined && prev.rowsMapped > 0;
    if (!now || now.files.length === 0) {
      if (hadRows) refusals.push(`${name}: no file in this import (the previous generation had ${prev.rowsMapped} rows from ${list(prev.files, 5)}); expected a file named ${mapping.files.join(' or ')}.`);
      continue;
    }
    if (now.rowsMapped === 0) {
      const fileRefused = problems.some((p) => p.entity === mapping.entity && p.row === 0);
      if (now.rowsRead > 0 || hadRows || fileRefused) refusals.push(`${name}: no row of ${list(now.files, 5)} could be mapped (${now.rowsRead} read): ${zeroReason(now, problems)}.`);
      continue;
    }
    if (hadRows) {
      const dropPercent = ((prev.rowsMapped - now.rowsMapped) / prev.rowsMapped) * 100;
      if (dropPercent > options.maxShrinkPercent) {
        refusals.push(`${name}: ${now.rowsMapped} row(s) mapped against ${prev.rowsMapped} in the previous generation, ${Math.round(dropPercent)}% fewer (import.maxShrinkPercent allows ${options.maxShrinkPercent}%).`);
      }
    }
  }
  return refusals;
}
