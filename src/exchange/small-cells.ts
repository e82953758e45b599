// Small numbers: cells of an answer that count fewer than `minGroupSize` (and more than zero)
// can point at persons. Which columns count is read from the query's AST (sparqljs): a projected
// COUNT aggregate, also when it reaches the projection through a sub-select, a BIND, a cast,
// COALESCE/IF or a SUM/MIN/MAX/SAMPLE of counts. A heuristic: ratios and averages computed from
// a small group (SUM(?x)/COUNT(?p)) are not counts and are not flagged (see README).
import sparqljs from 'sparqljs';
import type { Node } from '../query/ast.js';
import type { Position, Table } from './answer-table.js';

export type SmallCell = Position & { value: string };

const parser = new sparqljs.Parser();
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const CASTS = new Set(['integer', 'int', 'long', 'decimal', 'double', 'float', 'nonNegativeInteger'].map((t) => XSD + t));
const KEEPS_COUNT = new Set(['sum', 'min', 'max', 'sample']);

/** Whether an expression's value is a count, given the variables known to hold counts. */
function isCount(e: unknown, known: Set<string>): boolean {
  if (!e || typeof e !== 'object') return false;
  const n = e as Node & { aggregation?: string; expression?: unknown; args?: unknown[]; function?: { value?: string } };
  if (n.termType === 'Variable') return known.has(n.value!);
  if (n.termType) return false;
  if (n.type === 'aggregate') return n.aggregation === 'count' || (KEEPS_COUNT.has(n.aggregation ?? '') && isCount(n.expression, known));
  const args = Array.isArray(n.args) ? n.args : [];
  if (n.type === 'functionCall') return CASTS.has(n.function?.value ?? '') && isCount(args[0], known);
  if (n.type !== 'operation') return false;
  if (n.operator === 'coalesce') return args.some((a) => isCount(a, known));
  if (n.operator === 'if') return isCount(args[1], known) || isCount(args[2], known);
  // a sum of counts still counts; a difference, product or ratio is not read as one
  if (n.operator === '+') return args.every((a) => isCount(a, known));
  return false;
}

type Select = Node & { queryType?: string; variables?: unknown[]; where?: unknown[] };

/** The projected variables of a SELECT that hold counts. */
function countColumnsOf(query: Select): Set<string> {
  const inner = new Set<string>();
  // BINDs may build on each other and on sub-selects: walk until nothing new is found.
  for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
    const before = inner.size;
    walk(query.where, inner);
    changed = inner.size !== before;
  }
  const out = new Set<string>();
  for (const v of query.variables ?? []) {
    const x = v as Node & { variable?: { value: string }; expression?: unknown };
    if (x.termType === 'Wildcard') for (const name of inner) out.add(name);
    else if (x.termType === 'Variable' && inner.has(x.value!)) out.add(x.value!);
    else if (x.variable && isCount(x.expression, inner)) out.add(x.variable.value);
  }
  return out;
}

function walk(patterns: unknown, known: Set<string>): void {
  if (!Array.isArray(patterns)) return;
  for (const p of patterns as (Node & { patterns?: unknown[]; variable?: { value: string }; expression?: unknown })[]) {
    if (p.type === 'query') for (const name of countColumnsOf(p)) known.add(name);
    else if (p.type === 'bind' && p.variable && isCount(p.expression, known)) known.add(p.variable.value);
    else if (p.patterns) walk(p.patterns, known);
  }
}

/** Parsed per query text (the validated queries are few; their texts differ only by parameter values). */
const cache = new Map<string, string[] | undefined>();
const CACHE_SIZE = 256;

/** The columns of a query's answer that count; undefined when the query cannot be read. */
export function countColumns(query: string): string[] | undefined {
  if (cache.has(query)) return cache.get(query);
  let columns: string[] | undefined;
  try {
    const parsed = parser.parse(query) as unknown as Select;
    columns = parsed.queryType === 'SELECT' ? [...countColumnsOf(parsed)] : [];
  } catch {
    columns = undefined;
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(query, columns);
  return columns;
}

const INTEGER_TYPES = /#(integer|int|long|short|nonNegativeInteger|positiveInteger|unsignedInt|unsignedLong)$/;

/**
 * The cells of a table whose count is above zero and below `minGroupSize`. `columns` undefined
 * (a query sparqljs could not read): every integer cell is treated as a count, to be safe.
 */
export function smallCellsOf(question: string, table: Table, columns: string[] | undefined, minGroupSize: number): SmallCell[] {
  if (minGroupSize <= 1) return [];
  const found: SmallCell[] = [];
  for (const [row, binding] of table.rows.entries()) {
    for (const [column, cell] of Object.entries(binding)) {
      const counts = columns ? columns.includes(column) : cell.type === 'literal' && INTEGER_TYPES.test(cell.datatype ?? '');
      if (!counts || cell.type !== 'literal') continue;
      const n = Number(cell.value);
      if (Number.isFinite(n) && n > 0 && n < minGroupSize) found.push({ question, row, column, value: cell.value });
    }
  }
  return found;
}
