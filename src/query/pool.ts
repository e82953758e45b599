// Worker threads that hold the dataset and run queries with a deadline. Oxigraph's query() is
// synchronous and cannot be cancelled, so a query past its deadline is stopped by terminating its
// worker; a fresh worker loads the current generation while the others keep serving.
// Each worker holds a whole copy of the store (1.6 GB at 10k employees: WebAssembly memory cannot
// be shared between threads), so only `warm` workers stay loaded; while questions wait behind busy
// workers, spares up to `size` start and stop again when idle. A worker after the first restores the
// generation's store image (store/image.ts) in seconds instead of parsing the N-Triples again.
// With `warm` 0 (a deployment of many organisations, most of them idle) no copy stays loaded: the
// first worker of a generation writes the image and goes when idle, and a question starts one.
import { Worker } from 'node:worker_threads';
import type { LoadReport } from '../store/index.js';
import { QueryError } from './errors.js';
import type { ResultFormat } from './serialize.js';
import type { FromWorker, ToWorker } from './worker.js';
import type { QueryRunner } from './runner.js';
import { AnswerCache } from './answer-cache.js';

export interface PoolOptions {
  dataDir: string;
  /** At most this many workers (each a copy of the store). */
  size: number;
  deadlineMs: number;
  rowCap: number;
  /** Workers kept loaded (default 1, at most `size`; 0: none, one starts when a question comes); the others are spares started on demand. */
  warm?: number;
  /** Start a spare when a question has waited this long behind busy workers (default 500 ms). */
  spareAfterMs?: number;
  /** Stop a spare after it has been idle this long (default 30 s). */
  spareIdleMs?: number;
  /** Write and restore the generation's store image (default true). */
  image?: boolean;
  /** Bytes of answers kept for the generation served (answer-cache.ts); 0 keeps none (default). */
  answerCacheBytes?: number;
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
  onResult?: (info: { rows: number; engineMs: number; cached?: true }) => void | Promise<void>;
}

export interface RunResult {
  rows: number;
  engineMs: number;
  totalMs: number;
  /** Answered from the answer cache: the engine ran this text on this generation before. */
  cached?: true;
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
  /** Started on demand beyond the warm ones; stops when idle. */
  spare?: boolean;
  idle?: NodeJS.Timeout;
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
  /** When each waiting question began to wait (same order as `waiting`). */
  private waitingSince: number[] = [];
  private generation = '';
  private nextId = 1;
  /** Workers replaced so far (deadline or engine failure), for metrics and tests. */
  replaced = 0;
  /** How the last workers loaded (image or parse, ms), newest last, for metrics and tests. */
  readonly loads: LoadReport[] = [];
  /** Generations whose image this pool wrote or checked already: later restores skip the check. */
  private verified = new Set<string>();
  private spareTimer: NodeJS.Timeout | undefined;
  private readonly warm: number;
  /** A worker already loading the generation load() is expected to get (see prepare). */
  private prepared: Slot | undefined;

  readonly answers: AnswerCache;

  constructor(private readonly options: PoolOptions) {
    this.warm = Math.max(0, Math.min(options.size, options.warm ?? 1));
    this.answers = new AnswerCache(options.answerCacheBytes ?? 0);
  }

  /** Workers alive now (warm, spares and those still loading). */
  get workers(): number {
    return this.slots.length;
  }

  get currentGeneration(): string {
    return this.generation;
  }

  /**
   * Start (or move all workers to) a generation; resolves when the warm workers have it loaded.
   * The first parses (or restores) and writes the image; the other warm ones then restore it.
   * Until then the current workers keep answering on the current generation.
   */
  async load(generation: string): Promise<void> {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (prepared && prepared.generation !== generation) this.terminate(prepared);
    const fresh = [prepared?.generation === generation ? prepared : this.spawn(generation)];
    try {
      // a worker that died restoring the image (it removes a bad one): once more, parsing
      await fresh[0]!.ready.catch(() => {
        this.terminate(fresh[0]!);
        fresh[0] = this.spawn(generation, false, false);
        return fresh[0].ready;
      });
      fresh.push(...Array.from({ length: this.warm - 1 }, () => this.spawn(generation)));
      // none warm: the worker that proved the generation loads (and wrote its image) is a spare
      if (this.warm === 0) fresh[0]!.spare = true;
      await Promise.all(fresh.map((s) => s.ready));
    } catch (error) {
      for (const s of fresh) this.terminate(s);
      throw error;
    }
    const old = this.slots;
    this.generation = generation;
    this.answers.serve(generation);
    this.slots = fresh;
    // Old workers finish what they run, then go; idle ones go now.
    for (const s of old) {
      clearTimeout(s.idle);
      if (s.busy) this.retired.push(s);
      else this.terminate(s);
    }
    for (const s of fresh) if (this.waiting.length || s.spare) this.release(s);
  }

  private retired: Slot[] = [];

  /**
   * Start loading the generation that load() will most likely be asked for (CURRENT) while the
   * caller still verifies its files: the worker serves nothing until load() adopts it.
   */
  prepare(generation: string): void {
    if (this.prepared || generation === this.generation) return;
    this.prepared = this.spawn(generation);
    this.prepared.ready.catch(() => undefined); // load() sees the failure, or never asks
  }

  private spawn(generation: string, spare = false, readImage = true): Slot {
    const worker = newWorker();
    const slot: Slot = { worker, generation, busy: false, ready: Promise.resolve(), spare };
    slot.ready = new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') {
          worker.off('message', onMessage);
          if (m.load.source === 'image' || m.load.imageWritten) this.verified.add(generation);
          this.loads.push(m.load);
          if (this.loads.length > 32) this.loads.shift();
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`query worker exited (${code}) while loading`)));
    });
    // Seen by whoever waits for it (load, acquire, hand); a replacement nobody waits for yet may
    // die loading (terminated at close, a crash): its exit is handled below, not as a rejection.
    slot.ready.catch(() => undefined);
    // A crash inside the worker must not take the server down: log-free here, the exit handles it.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (!slot.closing && !slot.busy && this.slots.includes(slot)) this.replace(slot);
    });
    const image = this.options.image !== false;
    worker.postMessage({ type: 'load', dataDir: this.options.dataDir, generation, image: { read: image && readImage, write: image, verify: !this.verified.has(generation) } } satisfies ToWorker);
    return slot;
  }

  /** Questions wait behind busy workers: start a spare soon, unless one is coming or none may. */
  private wantSpare(delayMs = this.slots.length ? (this.options.spareAfterMs ?? 500) : 0): void {
    if (this.spareTimer || !this.generation || this.slots.length >= this.options.size) return;
    this.spareTimer = setTimeout(() => {
      this.spareTimer = undefined;
      if (!this.waiting.length || this.slots.length >= this.options.size) return;
      // Only the oldest question's wait counts: under steady load something is always queued for
      // a moment, and a spare restoring its image then costs more CPU than it saves.
      const waited = performance.now() - this.waitingSince[0]!;
      const after = this.slots.length ? (this.options.spareAfterMs ?? 500) : 0;
      if (waited < after) return this.wantSpare(after - waited);
      const spare = this.spawn(this.generation, true);
      spare.busy = true; // not picked by acquire() while it loads; release() hands it the next question
      this.slots.push(spare);
      spare.ready.then(() => this.release(spare), () => this.drop(spare));
    }, delayMs);
  }

  /** A spare no longer needed (idle, or killed at a deadline): its memory goes with it. */
  private drop(slot: Slot): void {
    clearTimeout(slot.idle);
    this.slots = this.slots.filter((s) => s !== slot);
    this.terminate(slot);
    if (this.waiting.length) this.wantSpare();
  }

  private async acquire(): Promise<Slot> {
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      clearTimeout(free.idle);
      await free.ready;
      return free;
    }
    return new Promise<Slot>((resolve) => {
      this.waiting.push(resolve);
      this.waitingSince.push(performance.now());
      this.wantSpare();
    });
  }

  private nextWaiting(): ((slot: Slot) => void) | undefined {
    this.waitingSince.shift();
    return this.waiting.shift();
  }

  private release(slot: Slot): void {
    slot.busy = false;
    if (this.retired.includes(slot)) {
      this.retired = this.retired.filter((s) => s !== slot);
      this.terminate(slot);
      return;
    }
    const next = this.nextWaiting();
    if (next) this.hand(slot, next);
    else if (slot.spare && this.slots.includes(slot)) {
      slot.idle = setTimeout(() => this.drop(slot), this.options.spareIdleMs ?? 30_000);
      slot.idle.unref();
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
    if (slot.spare) return this.drop(slot); // started again only if questions still wait
    const fresh = this.spawn(this.generation);
    this.slots[index] = fresh;
    const next = this.nextWaiting();
    if (next) this.hand(fresh, next);
  }

  /** A waiting question gets this worker once it is loaded; if it dies loading, the question waits on. */
  private hand(slot: Slot, next: (slot: Slot) => void): void {
    slot.busy = true;
    slot.ready.then(
      () => next(slot),
      () => {
        slot.busy = false;
        this.waiting.unshift(next);
        this.waitingSince.unshift(performance.now());
        if (this.slots.includes(slot) && !slot.closing) this.replace(slot);
      },
    );
  }

  async run(request: RunRequest, sink: Sink): Promise<RunResult> {
    const started = performance.now();
    const key = this.answers.key(this.generation, request);
    const hit = this.answers.get(key);
    if (hit) {
      await request.onResult?.({ rows: hit.rows, engineMs: hit.engineMs, cached: true });
      await sink(hit.data);
      return { rows: hit.rows, engineMs: hit.engineMs, totalMs: performance.now() - started, cached: true };
    }
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
        } else if (m.type === 'end' && m.data !== undefined) {
          // The whole result in one message: the worker is free at once, the consumer still decides.
          const data = m.data;
          const done = { rows: m.rows, engineMs: m.engineMs };
          this.answers.set(key, slot.generation, { data, ...done });
          finish(() => {
            const first = request.onResult ? Promise.resolve(request.onResult(done)) : Promise.resolve();
            first.then(() => sink(data)).then(
              () => resolve({ ...done, totalMs: performance.now() - started }),
              (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
            );
          }, true);
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
    clearTimeout(this.spareTimer);
    this.spareTimer = undefined;
    const all = [...this.slots, ...this.retired, ...(this.prepared ? [this.prepared] : [])];
    this.prepared = undefined;
    for (const s of all) clearTimeout(s.idle);
    for (const s of all) s.closing = true;
    await Promise.all(all.map((s) => s.worker.terminate()));
    this.slots = [];
    this.retired = [];
  }
}
