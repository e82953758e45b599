// The schedules of `datastation serve`: one croner job per connection with a schedule. A job whose
// previous run is still going is skipped (croner's protect), and a run while another connection's
// run or any import holds the data folder is recorded as skipped. Changes made by the admin API
// reload at once; changes made by the CLI beside a running server are picked up within `pollMs`.
import { Cron } from 'croner';
import type { Config } from '../config/index.js';
import { ConnectionError } from './errors.js';
import { runConnection, type RunResult } from './run.js';
import { appendRun } from './runs.js';
import { connectionsStamp, listConnections } from './store.js';

export const SCHEDULER_ACTOR = 'scheduler';

export interface SchedulerOptions {
  /** How often the connections file is checked for changes made elsewhere (0: never). */
  pollMs?: number;
  /** Told about every finished scheduled run (logging, tests). */
  onRun?: (name: string, result: RunResult | { skipped: string }) => void;
}

export class ConnectionScheduler {
  private jobs = new Map<string, { pattern: string; job: Cron }>();
  private stamp = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly config: Config, private readonly options: SchedulerOptions = {}) {}

  start(): void {
    this.reload();
    const poll = this.options.pollMs ?? 10_000;
    if (poll > 0 && !this.timer) {
      this.timer = setInterval(() => {
        if (connectionsStamp(this.config.dataDir) !== this.stamp) this.reload();
      }, poll);
      this.timer.unref();
    }
  }

  /** Scheduled connections and their next run. */
  next(): { name: string; schedule: string; nextRun?: string }[] {
    return [...this.jobs].map(([name, { pattern, job }]) => ({ name, schedule: pattern, ...(job.nextRun() ? { nextRun: job.nextRun()!.toISOString() } : {}) }));
  }

  /** Jobs made to match the stored connections (kept when unchanged, so a running one is not cut). */
  reload(): void {
    this.stamp = connectionsStamp(this.config.dataDir);
    let connections;
    try {
      connections = listConnections(this.config.dataDir);
    } catch (error) {
      console.error(`connections not loaded: ${(error as Error).message}`);
      return;
    }
    const wanted = new Map(connections.filter((c) => c.schedule).map((c) => [c.name, c.schedule!]));
    for (const [name, { pattern, job }] of this.jobs) {
      if (wanted.get(name) !== pattern) {
        job.stop();
        this.jobs.delete(name);
      }
    }
    for (const [name, pattern] of wanted) {
      if (this.jobs.has(name)) continue;
      const job = new Cron(pattern, { protect: true, unref: true, name: `connection:${name}` }, () => this.fire(name));
      this.jobs.set(name, { pattern, job });
    }
  }

  private async fire(name: string): Promise<void> {
    const at = new Date().toISOString();
    try {
      const result = await runConnection(this.config, name, { actor: SCHEDULER_ACTOR, trigger: 'schedule' });
      // Nobody is waiting for a scheduled run: a failure goes to the server's log too (one line).
      if (!result.ok) console.error(`scheduled run of connection ${name} failed: ${result.error}`);
      this.options.onRun?.(name, result);
    } catch (error) {
      if (error instanceof ConnectionError && error.code === 'run_busy') {
        // Not an import: a note in the history so a missing run is explained.
        appendRun(this.config.dataDir, {
          id: `skipped-${Date.now()}`, connection: name, trigger: 'schedule', actor: SCHEDULER_ACTOR, startedAt: at, finishedAt: at,
          ok: false, loaded: 0, quarantined: 0, files: 0, code: 'run_busy', error: 'skipped: another connection run was in progress',
        });
        this.options.onRun?.(name, { skipped: error.message });
      } else if (!(error instanceof ConnectionError && error.code === 'unknown_connection')) {
        console.error(`scheduled run of connection ${name} failed: ${(error as Error).message}`);
      }
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const { job } of this.jobs.values()) job.stop();
    this.jobs.clear();
  }
}
