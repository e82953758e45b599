// The answer message as tables: read the SPARQL JSON results of each question out of a queued
// answer (2021 envelope: body.resultset; DIDComm: body.response.resultset), change cells by hand
// (each value checked against its cell's datatype), and mark what the requester receives
// (corrected, cells suppressed). The message is parsed whole: this runs on an operator's action,
// on an answer the datastation itself produced, never on requester input.

export interface Cell {
  type: 'uri' | 'literal' | 'bnode';
  value: string;
  datatype?: string;
  'xml:lang'?: string;
}
export type Row = Record<string, Cell>;
export interface Table {
  head: { vars: string[] };
  rows: Row[];
}

export interface Change {
  question: string;
  row: number;
  column: string;
  /** The new lexical value; null empties (unbinds) the cell. */
  value: string | null;
}
export interface AppliedChange {
  question: string;
  row: number;
  column: string;
  from: string | null;
  to: string | null;
}

export interface Position {
  question: string;
  row: number;
  column: string;
}

export class CorrectionError extends Error {}

type Message = { body?: { resultset?: Entry[]; response?: { resultset?: Entry[] } } & Record<string, unknown> };
type Entry = { id: string; result: { head?: { vars?: string[] }; results?: { bindings: Row[] }; boolean?: boolean } };

function entries(message: Message): Entry[] {
  const body = message.body;
  return body?.response?.resultset ?? body?.resultset ?? [];
}

/** Each question's table (ASK answers have no table and are left out). */
export function answerTables(text: string): Map<string, Table> {
  const tables = new Map<string, Table>();
  for (const e of entries(JSON.parse(text) as Message)) {
    if (e.result.results) tables.set(e.id, { head: { vars: e.result.head?.vars ?? [] }, rows: e.result.results.bindings });
  }
  return tables;
}

/** A table as the admin API shows it: the first `max` rows, and whether there were more. */
export function bounded(table: Table, max: number): { head: Table['head']; rows: Row[]; total: number; truncated: boolean } {
  return { head: table.head, rows: table.rows.slice(0, max), total: table.rows.length, truncated: table.rows.length > max };
}

const XSD = 'http://www.w3.org/2001/XMLSchema#';
const INTEGERS = ['integer', 'int', 'long', 'short', 'byte', 'nonNegativeInteger', 'positiveInteger', 'nonPositiveInteger', 'negativeInteger', 'unsignedInt', 'unsignedLong', 'unsignedShort', 'unsignedByte'];
/** Lexical spaces (XML Schema 1.1 part 2) of the datatypes SPARQL answers carry. */
const LEXICAL: Record<string, RegExp> = {
  ...Object.fromEntries(INTEGERS.map((t) => [t, /^[+-]?\d+$/])),
  decimal: /^[+-]?(\d+(\.\d*)?|\.\d+)$/,
  double: /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$/,
  float: /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$/,
  boolean: /^(true|false|1|0)$/,
  date: /^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/,
  dateTime: /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/,
  gYear: /^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$/,
  // text without control characters other than tab, newline and carriage return
  // eslint-disable-next-line no-control-regex
  string: /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*$/,
};
const SIGN_BOUNDS: Record<string, (n: bigint) => boolean> = {
  nonNegativeInteger: (n) => n >= 0n,
  unsignedInt: (n) => n >= 0n,
  unsignedLong: (n) => n >= 0n,
  unsignedShort: (n) => n >= 0n,
  unsignedByte: (n) => n >= 0n,
  positiveInteger: (n) => n > 0n,
  nonPositiveInteger: (n) => n <= 0n,
  negativeInteger: (n) => n < 0n,
};

/** Whether `value` is in the lexical space of the cell's datatype (plain literals: any text). */
function fits(cell: Cell, value: string): boolean {
  if (cell.type !== 'literal') return false; // IRIs and blank nodes are not corrected by hand
  if (value.length > 1000) return false;
  if (!cell.datatype) return LEXICAL.string!.test(value);
  if (!cell.datatype.startsWith(XSD)) return false;
  const local = cell.datatype.slice(XSD.length);
  const pattern = LEXICAL[local];
  if (!pattern?.test(value)) return false;
  const bound = SIGN_BOUNDS[local];
  if (bound && !bound(BigInt(value))) return false;
  // a date must exist (2025-02-30 fits the pattern, not the calendar)
  if ((local === 'date' || local === 'dateTime') && !realDate(value)) return false;
  return true;
}

function realDate(value: string): boolean {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(value)!;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(2000, mo - 1, d));
  day.setUTCFullYear(y);
  return mo >= 1 && mo <= 12 && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

/**
 * The answer with the changes made (in order; a later change to the same cell wins), and what
 * each changed from and to. Throws CorrectionError for an unknown question, row or column, an
 * empty cell (its datatype is unknown) or a value outside its cell's datatype.
 */
export function applyChanges(text: string, changes: Change[]): { text: string; applied: AppliedChange[] } {
  const message = JSON.parse(text) as Message;
  const byId = new Map(entries(message).map((e) => [e.id, e]));
  const applied: AppliedChange[] = [];
  for (const [i, c] of changes.entries()) {
    const where = `change ${i + 1}`;
    const result = byId.get(c.question)?.result;
    if (!result?.results) throw new CorrectionError(`${where}: the answer has no question of that id`);
    const row = result.results.bindings[c.row];
    if (!Number.isInteger(c.row) || !row) throw new CorrectionError(`${where}: the answer to that question has no row ${c.row} (rows count from 0)`);
    if (!(result.head?.vars ?? []).includes(c.column)) throw new CorrectionError(`${where}: the answer to that question has no column of that name`);
    const cell = row[c.column];
    if (c.value === null) {
      if (cell) applied.push({ question: c.question, row: c.row, column: c.column, from: cell.value, to: null });
      delete row[c.column];
      continue;
    }
    if (!cell) throw new CorrectionError(`${where}: the cell is empty, so its datatype is unknown`);
    if (!fits(cell, c.value)) throw new CorrectionError(`${where}: the value is not a valid ${cell.datatype ? cell.datatype.replace(XSD, 'xsd:') : cell.type}`);
    applied.push({ question: c.question, row: c.row, column: c.column, from: cell.value, to: c.value });
    row[c.column] = { ...cell, value: c.value };
  }
  return { text: JSON.stringify(message), applied };
}

/** What the requester is told in the answer's body, next to the results. */
export interface AnswerMarks {
  corrected?: { at: string; reason: string; corrections: number; cells: Position[] };
  suppressed?: { minGroupSize: number; cells: Position[] };
}

/**
 * The message as it is sent: the given cells removed (unbound) and the marks added to the body
 * (`body.corrected`, `body.suppressed`, beside `resultset` or DIDComm's `response`).
 */
export function outgoing(text: string, marks: AnswerMarks, suppress: Position[] = []): string {
  if (!marks.corrected && !marks.suppressed && !suppress.length) return text;
  const message = JSON.parse(text) as Message;
  const byId = new Map(entries(message).map((e) => [e.id, e]));
  for (const p of suppress) {
    const row = byId.get(p.question)?.result.results?.bindings[p.row];
    if (row) delete row[p.column];
  }
  message.body = { ...message.body, ...marks };
  return JSON.stringify(message);
}
