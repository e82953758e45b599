// Coverage for the admin API: the same check as `datastation profiles check` (checkCoverage), run
// on the generation being served in a pool of its own (one worker: requesters' questions keep the
// server's pool), one run at a time, each indicator under the query deadline and the whole run
// under a cap. The last report is kept in reports/coverage.json, so it survives a restart.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCoverage, type CoverageRow, type Indicator, type ProfileRegistry } from '../../profiles/index.js';
import { QueryPool } from '../../query/index.js';
import { writeFileDurable } from '../../store/index.js';

export interface CoverageReport {
  checkedAt: string;
  generation: string;
  profiles: { id: string; title: string; version: string; indicators: { id: string; title: string; status: CoverageRow['status']; rows: number; reason: string }[] }[];
}

export class CoverageBusyError extends Error {
  readonly code = 'coverage_running';
}

const RUN_CAP_MS = 10 * 60_000;

function reportPath(dataDir: string): string {
  return join(dataDir, 'reports', 'coverage.json');
}

export function lastCoverage(dataDir: string): CoverageReport | undefined {
  const path = reportPath(dataDir);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CoverageReport) : undefined;
}

/** Why an indicator has the status it has, in words. */
export function coverageReason(row: CoverageRow): string {
  if (row.status === 'error') return `the query could not run: ${row.error ?? 'unknown error'}`;
  if (row.status === 'data') return `the answer carries data (${row.rows} row${row.rows === 1 ? '' : 's'})`;
  const head = row.status === 'empty' ? 'the answer has no rows' : 'the answer has rows but no data (zeros or blanks)';
  const m = row.missing;
  const parts = m ? [['classes', m.classes], ['properties', m.properties], ['terms', m.terms]].filter(([, l]) => l!.length) : [];
  if (!parts.length) return `${head}; the dataset holds everything the query reads, the values or their combination do not match`;
  const list = (items: string[]) => `${items.slice(0, 12).join(', ')}${items.length > 12 ? ` and ${items.length - 12} more` : ''}`;
  return `${head}; the dataset lacks ${parts.map(([label, items]) => `${label as string} ${list(items as string[])}`).join('; ')}`;
}

export interface CoverageDeps {
  dataDir: string;
  registry: ProfileRegistry;
  deadlineMs: number;
  rowCap: number;
}

export class CoverageRunner {
  private running: Promise<CoverageReport> | undefined;

  constructor(private readonly deps: CoverageDeps) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs the check on `generation`; refuses while one is running. */
  run(generation: string): Promise<CoverageReport> {
    if (this.running) throw new CoverageBusyError('a coverage check is already running');
    this.running = this.check(generation).finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(generation: string): Promise<CoverageReport> {
    const { dataDir, registry, deadlineMs, rowCap } = this.deps;
    const profiles = registry.list();
    const indicators: Indicator[] = profiles.flatMap((p) => p.indicators.map((i) => registry.indicator(p.id, i.id, p.version)));
    const pool = new QueryPool({ dataDir, size: 1, deadlineMs, rowCap });
    let timer: NodeJS.Timeout | undefined;
    try {
      await pool.load(generation);
      const capped = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the coverage check took longer than ${RUN_CAP_MS / 60_000} minutes`)), RUN_CAP_MS);
      });
      const rows = await Promise.race([checkCoverage(indicators, pool, {}, { deadlineMs }), capped]);
      const report: CoverageReport = {
        checkedAt: new Date().toISOString(),
        generation,
        profiles: profiles.map((p) => ({
          id: p.id,
          title: p.title,
          version: p.version,
          indicators: p.indicators.map((i) => {
            const row = rows.find((r) => r.profile === p.id && r.version === p.version && r.indicator === i.id)!;
            return { id: i.id, title: i.title, status: row.status, rows: row.rows, reason: coverageReason(row) };
          }),
        })),
      };
      mkdirSync(join(dataDir, 'reports'), { recursive: true });
      writeFileDurable(reportPath(dataDir), JSON.stringify(report, null, 1));
      return report;
    } finally {
      clearTimeout(timer);
      await pool.close(); // also ends a run cut off by the cap
    }
  }
}
