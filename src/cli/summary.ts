// Human-readable import summaries for the terminal.
import type { ImportSummary } from '../importer/index.js';

const n = (x: number) => x.toLocaleString('en-US');

export function formatSummary(s: ImportSummary): string {
  const out: string[] = [];
  out.push(`Generation ${s.generation}${s.previous ? ` (replaces ${s.previous})` : ''} in ${(s.durationMs / 1000).toFixed(1)} s`);
  for (const sys of s.systems) {
    out.push(`  ${sys.system}: ${n(sys.rowsRead)} rows read, ${n(sys.rowsMapped)} mapped, ${n(sys.rowsQuarantined)} quarantined, ${n(sys.triples)} triples`);
    for (const e of sys.entities) {
      if (e.rowsRead === 0 && e.files.length === 0) continue;
      out.push(`    ${e.entity.padEnd(15)} ${String(e.rowsRead).padStart(8)} read ${String(e.rowsMapped).padStart(8)} mapped`);
    }
  }
  if (s.carried.length) out.push(`  carried forward unchanged: ${s.carried.join(', ')}`);
  out.push(`Rows: ${n(s.rowsRead)} read, ${n(s.rowsMapped)} mapped, ${n(s.rowsQuarantined)} quarantined`);
  for (const [reason, count] of Object.entries(s.quarantineByReason).sort((a, b) => b[1] - a[1])) out.push(`  ${String(count).padStart(6)}  ${reason}`);
  out.push(`SHACL: ${s.shacl.violations} violation(s), ${s.shacl.warnings} warning(s)`);
  for (const [message, count] of Object.entries(s.shacl.byMessage).sort((a, b) => b[1] - a[1])) out.push(`  ${String(count).padStart(6)}  ${message}`);
  out.push(
    `Triples: ${n(s.triples.total)} (data ${n(s.triples.data)}, ontology ${n(s.triples.tbox)}, reference ${n(s.triples.reference)}, calendar ${n(s.triples.calendar)}${s.years ? ` for ${s.years[0]}–${s.years[1]}` : ''})`,
  );
  out.push(`Report: ${s.reportDir}`);
  return out.join('\n');
}
