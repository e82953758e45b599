// What every benchmark script needs: `--name value` options, the median of repeated runs, and the
// result as JSON for `npm run bench` (`--out <file>`), with this process's peak RSS.
import { writeFileSync } from 'node:fs';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

/** The middle value; for an even count the mean of the two middle ones (not the upper one, which overstated a ratio of two rounds). */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Peak resident set size of this process so far, in MB. */
export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** Write the result to `--out` when given (adding this process's peak RSS). */
export function writeResult(result: object): void {
  const out = arg('out', '');
  if (out) writeFileSync(out, JSON.stringify({ ...result, peakRssMb: Math.round(peakRssMb()) }, null, 2));
}
