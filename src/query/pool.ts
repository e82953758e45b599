// Worker threads that hold the dataset and run queries with a deadline. Oxigraph's query() is
// synchronous and cannot be cancelled, so a query past its deadline is stopped by terminating its
// worker; a fresh worker loads the current generation while the others keep serving.
import { Worker } from 'node:worker_threads';
import { QueryError } from './errors.js';
import type { ResultFormat } from './serialize.js';
import type { FromWorker, ToWorker } from './worker.js';
import type { QueryRunner } from './runner.js';

export interface PoolOptions {
  dataDir: string;
  size: number;
  deadlineMs: number;
  rowCap: number;
}

export interface RunRequest {
  text: string;
  vars: string[];
  format: ResultFormat;
  deadlineMs?: number;
  /** The validated text before the Oxigraph rewrites: what an engine without Oxigraph's defects runs. */
  source?: string;
  /** `profile-id indicator-id`, so an engine can refuse an indicator it is known to answer wrongly. */
  indicator?: string;
  /**
   * Called once the engine has the result and before the first chunk, with its size; the first
   * chunk waits for it (a reply that streams logs the execution before any byte leaves).
   */
  onResult?: (info: { rows: number; engineMs: number }) => void | Promise<void>;
}

export interface RunResult {
  rows: number;
  engineMs: number;
  totalMs: number;
}

/** Receives chunks in order; returning a promise holds the next chunk back (backpressure). */
export type Sink = (chunk: string) => void | Promise<void>;

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  generation: string;
  busy: boolean;
  /** Set before we terminate it ourselves; any other exit is a crash to recover from. */
  closing?: boolean;
}

/** Compiled: worker.js beside this file. From sources (tests, tsx): worker.ts, loaded through tsx. */
function newWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const source = new URL('./worker.ts', import.meta.url).href;
  // resolved from this package, so running from sources works from any working directory
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true });
}

export class QueryPool implements QueryRunner {
  private slots: Slot[] = [];
  private waiting: ((slot: Slot) => void)[] = [];
  private generation = '';
  private nextId = 1;
  /** Workers replaced so far (deadline or engine failure), for metrics and tests. */
  replaced = 0;

  constructor(private readonly options: PoolOptions) {}

  get currentGeneration(): string {
    return this.generation;
  }

  /** Start (or move all workers to) a generation; resolves when every worker has it loaded. */
  async load(generation: string): Promise<void> {
    this.generation = generation;
    const old = this.slots;
    this.slots = Array.from({ length: this.options.size }, () => this.spawn(generation));
    await Promise.all(this.slots.map((s) => s.ready));
    // Old workers finish what they run, then go; idle ones go now.
    for (const s of old) if (!s.busy) this.terminate(s);
    this.retired.push(...old.filter((s) => s.busy));
  }

  private retired: Slot[] = [];

  private spawn(generation: string): Slot {
    const worker = newWorker();
    const slot: Slot = { worker, generation, busy: false, ready: Promise.resolve() };
    slot.ready = new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') {
          worker.off('message', onMessage);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    // A crash inside the worker must not take the server down: log-free here, the exit handles it.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (!slot.closing && !slot.busy && this.slots.includes(slot)) this.replace(slot);
    });
    worker.postMessage({ type: 'load', dataDir: this.options.dataDir, generation } satisfies ToWorker);
    return slot;
  }

  private async acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      await free.ready;
      return free;
    }
    return new Promise<Slot>((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    slot.busy = false;
    if (this.retired.includes(slot)) {
      this.retired = this.retired.filter((s) => s !== slot);
      this.terminate(slot);
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      slot.busy = true;
      void slot.ready.then(() => next(slot));
    }
  }

  /** Replace a worker that must not be used again (killed at its deadline, or a trapped engine). */
  private terminate(slot: Slot): void {
    slot.closing = true;
    void slot.worker.terminate();
  }

  private replace(slot: Slot): void {
    this.terminate(slot);
    this.replaced++;
    const index = this.slots.indexOf(slot);
    if (index < 0) {
      this.retired = this.retired.filter((s) => s !== slot); // an old generation's worker: just gone
      return;
    }
    const fresh = this.spawn(this.generation);
    this.slots[index] = fresh;
    const next = this.waiting.shift();
    if (next) {
      fresh.busy = true;
      void fresh.ready.then(() => next(fresh));
    }
  }

  async run(request: RunRequest, sink: Sink): Promise<RunResult> {
    const started = performance.now();
    const slot = await this.acquire();
    const id = this.nextId++;
    const deadlineMs = request.deadlineMs ?? this.options.deadlineMs;
    return new Promise<RunResult>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void, reuse: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        slot.worker.off('message', onMessage);
        slot.worker.off('exit', onExit);
        if (reuse) this.release(slot);
        else this.replace(slot);
        fn();
      };
      const timer = setTimeout(() => finish(() => reject(new QueryError('deadline_exceeded', `${deadlineMs} ms`)), false), deadlineMs);
      const onExit = () => finish(() => reject(new QueryError('engine_failure', 'query worker exited')), false);
      const onMessage = (m: FromWorker) => {
        if (!('id' in m) || m.id !== id) return;
        if (m.type === 'chunk') {
          // Chunks come one at a time (the worker waits for `more`), so these run in order.
          const first = m.result && request.onResult ? Promise.resolve(request.onResult(m.result)) : Promise.resolve();
          first.then(() => sink(m.data)).then(
            () => {
              if (!settled) slot.worker.postMessage({ type: 'more', id } satisfies ToWorker);
            },
            // The consumer gave up (a client gone, an audit failure): the worker sits idle between
            // chunks, so it drops the rest and serves again; no reload needed.
            (error: unknown) => {
              slot.worker.postMessage({ type: 'cancel', id } satisfies ToWorker);
              finish(() => reject(error instanceof Error ? error : new Error(String(error))), true);
            },
          );
        } else if (m.type === 'end') {
          finish(() => resolve({ rows: m.rows, engineMs: m.engineMs, totalMs: performance.now() - started }), true);
        } else if (m.type === 'error') {
          finish(() => reject(new QueryError(m.code, m.message)), !m.fatal);
        }
      };
      slot.worker.on('message', onMessage);
      slot.worker.once('exit', onExit);
      slot.worker.postMessage({ type: 'run', id, text: request.text, format: request.format, vars: request.vars, rowCap: this.options.rowCap } satisfies ToWorker);
    });
  }

  async close(): Promise<void> {
    const all = [...this.slots, ...this.retired];
    for (const s of all) s.closing = true;
    await Promise.all(all.map((s) => s.worker.terminate()));
    this.slots = [];
    this.retired = [];
  }
}
