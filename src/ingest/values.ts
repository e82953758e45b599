// Parsing of source values as real exports write them: several date formats, decimal commas.
import { datePatternProblem, parseWithPattern } from './date-patterns.js';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, mrt: 3, apr: 4, may: 5, mei: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, okt: 10, nov: 11, dec: 12,
};

function isoDate(y: number, m: number, d: number): string | undefined {
  if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1) return undefined;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Each named format is a pattern with groups y, m, d (and optional time). */
const DATE_FORMATS: Record<string, RegExp> = {
  'd-M-yyyy': /^(?<d>\d{1,2})-(?<m>\d{1,2})-(?<y>\d{4})(?:\s+(?<time>\d{1,2}:\d{2}(?::\d{2})?))?$/,
  'd/M/yyyy': /^(?<d>\d{1,2})\/(?<m>\d{1,2})\/(?<y>\d{4})(?:\s+(?<time>\d{1,2}:\d{2}(?::\d{2})?))?$/,
  'd.M.yyyy': /^(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})$/,
  yyyyMMdd: /^(?<y>\d{4})(?<m>\d{2})(?<d>\d{2})$/,
  // Java's Date.toString(), e.g. "Wed Jan 31 00:00:00 CET 2024".
  'EEE MMM d HH:mm:ss z yyyy': /^[A-Za-z]{3}\s+(?<mon>[A-Za-z]{3})\s+(?<d>\d{1,2})\s+(?<time>\d{2}:\d{2}:\d{2})\s+[A-Za-z]{2,5}\s+(?<y>\d{4})$/,
};

const ISO = /^(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})(?:[T ](?<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export interface ParsedDate {
  date: string; // yyyy-MM-dd
  time?: string; // HH:mm:ss
}

/** Named formats with a regex of their own (fast, and Java's toString with its zone name); any other is a luxon pattern. */
export function isNamedDateFormat(format: string): boolean {
  return Object.hasOwn(DATE_FORMATS, format);
}

/** Why a date format cannot be used (undefined: it can). */
export function dateFormatProblem(format: string): string | undefined {
  return isNamedDateFormat(format) ? undefined : datePatternProblem(format);
}

export function parseDate(raw: string, formats: readonly string[]): ParsedDate | undefined {
  const value = raw.trim();
  for (const [name, pattern] of [['iso', ISO] as const, ...formats.map((f) => [f, DATE_FORMATS[f]] as const)]) {
    if (!pattern) {
      // A luxon pattern, checked when the configuration or mapping loaded.
      const parsed = parseWithPattern(value, name);
      if (parsed) return parsed;
      continue;
    }
    const g = pattern.exec(value)?.groups;
    if (!g) continue;
    const month = g.mon ? MONTHS[g.mon.toLowerCase()] : Number(g.m);
    if (!month) return undefined;
    const date = isoDate(Number(g.y), month, Number(g.d));
    if (!date) return undefined;
    const time = g.time ? normaliseTime(g.time) : undefined;
    return time ? { date, time } : { date };
  }
  return undefined;
}

function normaliseTime(t: string): string | undefined {
  const [h = '0', m = '0', s = '0'] = t.split(':');
  const hh = Number(h), mm = Number(m), ss = Math.floor(Number(s));
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  return [hh, mm, ss].map((n) => String(n).padStart(2, '0')).join(':');
}

export type DecimalMode = 'auto' | 'comma' | 'dot';

/**
 * A decimal as written in an export → canonical xsd:decimal lexical form, or undefined.
 * auto: the last of ',' and '.' is the decimal separator when both occur; a lone ',' is decimal.
 */
export function parseDecimal(raw: string, mode: DecimalMode): string | undefined {
  let v = raw.trim().replace(/\s/g, '');
  if (v === '') return undefined;
  const hasComma = v.includes(','), hasDot = v.includes('.');
  let decimalSep: ',' | '.' = '.';
  if (mode === 'comma') decimalSep = ',';
  else if (mode === 'auto' && hasComma && (!hasDot || v.lastIndexOf(',') > v.lastIndexOf('.'))) decimalSep = ',';
  const thousands = decimalSep === ',' ? '.' : ',';
  if (mode !== 'auto' || (hasComma && hasDot)) v = v.split(thousands).join('');
  if (decimalSep === ',') v = v.replace(',', '.');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(v)) return undefined;
  const negative = v.startsWith('-');
  v = v.replace(/^[+-]/, '');
  let [int = '0', frac = ''] = v.split('.');
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return negative && out !== '0' ? `-${out}` : out;
}

const TRUE = new Set(['true', 'ja', 'j', 'yes', 'y', '1', 'waar']);
const FALSE = new Set(['false', 'nee', 'n', 'no', '0', 'onwaar']);

export function parseBoolean(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}
