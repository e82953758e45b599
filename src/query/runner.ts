// What the question path needs from whatever runs queries: the worker pool over the embedded
// store, or RemoteRunner over a SPARQL server. Both stream serialised results into a sink.
import type { Config } from '../config/index.js';
import { RemoteStore } from '../store/index.js';
import { QueryPool, type RunRequest, type RunResult, type Sink } from './pool.js';
import { RemoteRunner } from './remote.js';

export interface QueryRunner {
  readonly currentGeneration: string;
  /** Serve a generation of the data directory; resolves once it is the one queries see. */
  load(generation: string): Promise<void>;
  /** Optionally start loading a generation that load() will probably be asked for next. */
  prepare?(generation: string): void;
  run(request: RunRequest, sink: Sink): Promise<RunResult>;
  /** Why no query can run now although a generation is served (readiness), or undefined. */
  problem?(): string | undefined;
  close(): Promise<void>;
}

/** The one place the question path's engine is chosen from the configuration. */
export function createRunner(config: Config, workers = config.query.workers): QueryRunner {
  const { dataDir, query } = config;
  if (config.store.kind === 'sparql') return new RemoteRunner(new RemoteStore(config.store), { dataDir, deadlineMs: query.deadlineMs, rowCap: query.rowCap });
  return new QueryPool({ dataDir, size: workers, warm: Math.min(workers, query.warmWorkers), deadlineMs: query.deadlineMs, rowCap: query.rowCap, answerCacheBytes: query.answerCacheBytes });
}
