interface JsonResults {
  head: { vars?: string[] };
  boolean?: boolean;
  results?: { bindings: Record<string, { type: string; value: string }>[] };
}

import { printableLine } from './sanitize.js';

/** SPARQL JSON results as an aligned text table; values (from exports, or a remote datastation) printed inert. */
export function formatJsonTable(text: string): string {
  const r = JSON.parse(text) as JsonResults;
  if (r.boolean !== undefined) return String(r.boolean);
  const vars = r.head.vars ?? [];
  const rows = r.results?.bindings ?? [];
  if (!rows.length) return '(no rows)';
  const cells = rows.map((b) => vars.map((v) => printableLine(b[v] ? (b[v].type === 'uri' ? `<${b[v].value}>` : b[v].value) : '', 1 << 16)));
  const widths = vars.map((v, i) => Math.max(v.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(vars.map((v) => printableLine(v, 200))), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
