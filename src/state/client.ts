// The main thread's side of the state worker (worker.ts): call() for the async paths, callSync()
// for the existing synchronous interfaces (it blocks this thread until the worker answers, or
// until the statement timeout plus a margin has passed).
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { resolveStateUrl, type PostgresStateConfig } from '../config/state.js';
import type { Reply, Request, WorkerData } from './worker.js';

type Answer = { id: number; reply?: Reply; error?: { message: string; code?: string } };

export class StateError extends Error {
  constructor(
    message: string,
    /** The PostgreSQL SQLSTATE (42501: permission denied, 23505: unique violation), when there is one. */
    readonly sqlState?: string,
  ) {
    super(message);
  }
}

/** Compiled: worker.js beside this file; from sources (tests, tsx): worker.ts through tsx (as src/query/pool.ts). */
function newWorker(data: WorkerData): Worker {
  const options = { workerData: data, transferList: [data.syncPort] };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), options);
  const source = new URL('./worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

export class StateClient {
  private readonly worker: Worker;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly syncPort: MessagePort;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private next = 1;
  private dead: string | undefined;
  private readonly waitMs: number;

  constructor(readonly config: PostgresStateConfig) {
    const { port1, port2 } = new MessageChannel();
    this.syncPort = port1;
    this.waitMs = config.statementTimeoutMs * 2 + 5_000;
    this.worker = newWorker({ url: resolveStateUrl(config.url), schema: config.schema, poolSize: config.poolSize, statementTimeoutMs: config.statementTimeoutMs, flag: this.flag.buffer, syncPort: port2 });
    this.worker.on('message', (m: Answer) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error) w.reject(new StateError(`PostgreSQL: ${m.error.message}`, m.error.code));
      else w.resolve(m.reply!);
    });
    this.worker.on('error', (e) => this.fail(`the state worker failed: ${e.message}`));
    this.worker.on('exit', () => this.fail('the state worker stopped'));
    // Nothing pending keeps the process alive for the worker's sake.
    this.worker.unref();
  }

  private fail(reason: string): void {
    this.dead ??= reason;
    for (const w of this.waiting.values()) w.reject(new StateError(reason));
    this.waiting.clear();
  }

  call(request: Request): Promise<Reply> {
    if (this.dead) return Promise.reject(new StateError(this.dead));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, {
        resolve: (r) => (this.settled(), resolve(r)),
        reject: (e) => (this.settled(), reject(e)),
      });
      this.worker.postMessage({ id, sync: false, request });
    });
  }

  private settled(): void {
    if (this.waiting.size === 0) this.worker.unref();
  }

  callSync(request: Request): Reply {
    if (this.dead) throw new StateError(this.dead);
    const id = this.next++;
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage({ id, sync: true, request });
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const got = receiveMessageOnPort(this.syncPort);
      if (got) {
        const m = got.message as Answer;
        // an answer to an earlier call that timed out is not this one's
        if (m.id !== id) continue;
        if (m.error) throw new StateError(`PostgreSQL: ${m.error.message}`, m.error.code);
        return m.reply!;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new StateError('PostgreSQL did not answer in time');
      Atomics.wait(this.flag, 0, 0, Math.min(left, 1_000));
      Atomics.store(this.flag, 0, 0);
    }
  }

  rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): T[] {
    return (this.callSync({ op: 'query', sql, params }).rows ?? []) as T[];
  }

  async rowsAsync<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return ((await this.call({ op: 'query', sql, params })).rows ?? []) as T[];
  }

  async close(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref();
    this.worker.postMessage({ close: true });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
    this.dead = 'closed';
  }
}
