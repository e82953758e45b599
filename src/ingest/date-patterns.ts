// Date patterns written as luxon (and date-fns, for these tokens) write them: "dd-MM-yyyy",
// "d MMM yyyy HH:mm". Checked when the configuration or a mapping loads, so a typo is a refusal at
// start-up rather than a column of quarantined rows: only known tokens, a year, a month and a day,
// and a round trip of reference dates that gives the same dates back.
import { DateTime } from 'luxon';

// Tokens luxon formats and parses alike (single quotes for literal text).
const TOKENS = new Set([
  'd', 'dd', 'M', 'MM', 'MMM', 'MMMM', 'L', 'LL', 'LLL', 'LLLL', 'y', 'yy', 'yyyy', 'H', 'HH', 'h', 'hh', 'm', 'mm', 's', 'ss', 'S', 'SSS',
  'a', 'E', 'EEE', 'EEEE', 'c', 'ccc', 'cccc', 'Z', 'ZZ', 'ZZZ',
]);

const REFERENCES = [
  DateTime.fromObject({ year: 2024, month: 3, day: 7, hour: 13, minute: 45, second: 9 }, { zone: 'utc' }),
  DateTime.fromObject({ year: 1999, month: 11, day: 28, hour: 8, minute: 5, second: 0 }, { zone: 'utc' }),
];

/** The pattern's tokens (quoted literals left out); undefined when a quote is not closed. */
function tokens(pattern: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) return undefined;
      i = end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      out.push(pattern.slice(i, j));
      i = j;
    } else i++;
  }
  return out;
}

/** Why `pattern` is not a usable date pattern, or undefined when it is. */
export function datePatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0 || pattern.length > 64) return 'a date pattern has 1 to 64 characters';
  const found = tokens(pattern);
  if (!found) return `"${pattern}" has an unclosed quote`;
  const unknown = found.find((t) => !TOKENS.has(t));
  if (unknown) return `"${pattern}": "${unknown}" is not a date token (d, dd, M, MM, MMM, yy, yyyy, HH, mm, ss; 'text' in quotes)`;
  if (!found.some((t) => t[0] === 'y') || !found.some((t) => t[0] === 'M' || t[0] === 'L') || !found.some((t) => t[0] === 'd')) {
    return `"${pattern}" needs a year (yyyy), a month (M, MM or MMM) and a day (d or dd)`;
  }
  for (const ref of REFERENCES) {
    const back = DateTime.fromFormat(ref.toFormat(pattern, { locale: 'en' }), pattern, { zone: 'utc', locale: 'en' });
    if (!back.isValid || back.toISODate() !== ref.toISODate()) return `"${pattern}" does not read back the dates it writes`;
  }
  return undefined;
}

const HAS_TIME = /[Hhms]/;

/** `value` read with a checked pattern: Dutch month and day names first, then English. */
export function parseWithPattern(value: string, pattern: string): { date: string; time?: string } | undefined {
  for (const locale of /[ML]{3}|E|c{3}/.test(pattern) ? ['nl', 'en'] : ['en']) {
    const dt = DateTime.fromFormat(value, pattern, { zone: 'utc', locale });
    if (!dt.isValid) continue;
    if (dt.year < 1800 || dt.year > 2200) return undefined;
    const date = dt.toISODate();
    const withoutQuotes = pattern.replace(/'[^']*'/g, '');
    return HAS_TIME.test(withoutQuotes) ? { date, time: dt.toFormat('HH:mm:ss') } : { date };
  }
  return undefined;
}
