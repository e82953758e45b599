// QueryRunner over a RemoteStore: the same requests, deadlines, row cap and serialised chunks as
// the worker pool, with the engine's compatibility profile applied — the text it needs (compat
// rewrites or the validated text) and a refusal for the indicators it is known to get wrong.
import type { Quad, Term } from '@rdfjs/types';
import { Writer } from 'n3';
import { readManifest, RemoteStoreError, type RemoteStore } from '../store/index.js';
import { QueryError } from './errors.js';
import type { RunRequest, RunResult, Sink } from './pool.js';
import type { QueryRunner } from './runner.js';
import { chunks, serializer } from './serialize.js';

export interface RemoteRunnerOptions {
  dataDir: string;
  deadlineMs: number;
  rowCap: number;
}

export class RemoteRunner implements QueryRunner {
  constructor(
    readonly store: RemoteStore,
    private readonly options: RemoteRunnerOptions,
  ) {}

  get currentGeneration(): string {
    return this.store.graph ? this.store.manifest.id : '';
  }

  async load(generation: string): Promise<void> {
    await this.store.load(this.options.dataDir, readManifest(this.options.dataDir, generation));
  }

  /** The text this engine runs for a request, or a refusal (one code) for a known-wrong indicator. */
  textFor(request: RunRequest): string {
    const profile = this.store.profile;
    if (request.indicator && request.indicator in profile.refused) throw new QueryError('refused_on_engine', request.indicator);
    const rewritten = profile.rewrites === 'oxigraph' || (request.indicator !== undefined && profile.rewrittenIndicators.includes(request.indicator));
    return rewritten || request.source === undefined ? request.text : request.source;
  }

  async run(request: RunRequest, sink: Sink): Promise<RunResult> {
    const started = performance.now();
    const text = this.textFor(request);
    let result;
    try {
      result = await this.store.query(text, { timeoutMs: request.deadlineMs ?? this.options.deadlineMs, rowCap: this.options.rowCap });
    } catch (error) {
      if (error instanceof RemoteStoreError) {
        // The requester hears our code and sentence; where the store lives and what it said stays here.
        const code = error.code === 'no_generation' ? 'store_unavailable' : error.code === 'store_busy' ? 'server_busy' : error.code;
        throw new QueryError(code, code === 'deadline_exceeded' || code === 'result_too_large' ? error.message : undefined);
      }
      throw error;
    }
    const engineMs = performance.now() - started;
    await request.onResult?.({ rows: Array.isArray(result) ? result.length : 1, engineMs });
    let rows = 1;
    if (typeof result === 'boolean') await sink(serializer(request.format).boolean(result));
    else if (result.length && !(result[0] instanceof Map)) {
      rows = result.length;
      const writer = new Writer({ format: 'N-Triples' });
      let buf = '';
      for (const q of result as Quad[]) {
        buf += writer.quadToString(q.subject, q.predicate, q.object);
        if (buf.length > 64 * 1024) {
          await sink(buf);
          buf = '';
        }
      }
      if (buf) await sink(buf);
    } else {
      const list = result as Map<string, Term>[];
      rows = list.length;
      const names = request.vars.length ? request.vars : [...new Set(list.flatMap((r) => [...r.keys()]))];
      for (const chunk of chunks(serializer(request.format), names, list)) await sink(chunk);
    }
    return { rows, engineMs, totalMs: performance.now() - started };
  }

  problem(): string | undefined {
    return this.store.problem();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
