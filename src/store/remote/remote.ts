// The dataset on a SPARQL 1.1 server (native Oxigraph, Apache Jena Fuseki). Each generation is
// loaded through the Graph Store protocol into a graph of its own; a small marker graph written
// after the last file says it is complete. Queries name the served generation's graph with the
// protocol's default-graph-uri, so switching generations is one assignment on our side: a query
// runs wholly on the graph it started with. The previous graph is dropped only after the switch,
// once the queries still running on it are done.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { join } from 'node:path';
import sparqljs from 'sparqljs';
import { generationsDir, type Manifest } from '../generations.js';
import type { DatasetStore, QueryResult } from '../store.js';
import { ENGINE_PROFILES, type EngineProfile, type RemoteStoreConfig } from './engines.js';
import { InFlight, InFlightRefusal, type InFlightStatus } from './inflight.js';
import { parseResponse, ResultLimitError, type ResultKind } from './results.js';

export type RemoteErrorCode = 'store_busy' | 'store_unavailable' | 'deadline_exceeded' | 'result_too_large' | 'unparseable_query' | 'engine_failure' | 'no_generation';

/** One code per failure; the detail never carries the query text or the engine's body. */
export class RemoteStoreError extends Error {
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const PREFIX = 'urn:kikv-datastation:generation:';
export const generationGraph = (id: string) => `${PREFIX}${id}`;
const markerGraph = (id: string) => `${PREFIX}${id}:complete`;
const TRIPLES = 'urn:kikv-datastation:triples';

interface Served {
  manifest: Manifest;
  graph: string;
  running: number;
  drained?: () => void;
}

export interface RemoteQueryOptions {
  timeoutMs?: number;
  rowCap?: number;
  signal?: AbortSignal;
}

export interface RemoteStoreStatus extends InFlightStatus {
  /** Holds that ended on an engine whose timeout does not stop every query: it may still be computing them. */
  suspectedRunaways: number;
  /** Restarts of a managed server after a suspected runaway. */
  restarts: number;
}

/** A server we started ourselves (tests, benchmarks): restarted after a suspected runaway. */
export interface ManagedServer {
  restart(): Promise<void>;
}

export class RemoteStore implements DatasetStore {
  readonly kind = 'remote';
  private served: Served | undefined;
  // as the police parses (grouping validated there, not here)
  private readonly parser = new sparqljs.Parser({ skipValidation: true } as sparqljs.ParserOptions);

  private readonly places: InFlight;
  private suspectedRunaways = 0;
  private restarts = 0;
  private restarting: Promise<void> | undefined;

  /** `profile` defaults to the engine's own (tests pass a variant); `managed`: a server we may restart. */
  constructor(
    readonly config: RemoteStoreConfig,
    readonly profile: EngineProfile = ENGINE_PROFILES[config.engine],
    private readonly managed?: ManagedServer,
  ) {
    this.places = new InFlight({ max: config.maxInFlight, queued: config.maxQueued }, () => this.holdEnded());
  }

  get status(): RemoteStoreStatus {
    return { ...this.places.status, suspectedRunaways: this.suspectedRunaways, restarts: this.restarts };
  }

  /** Why the store cannot take a query now (for readiness), or undefined. */
  problem(): string | undefined {
    if (this.places.saturatedByHolds) return 'every query place on the SPARQL store is held by a query past its deadline';
    return undefined;
  }

  /** A query we gave up on should have been stopped by the engine by now; on some engines it may not be. */
  private holdEnded(): void {
    if (this.profile.timeoutStopsEveryQuery) return;
    this.suspectedRunaways++;
    console.error(`remote store: a query abandoned on ${this.config.engine} may still be running there (its timeout does not stop every query)${this.managed ? '; restarting the server' : ''}`);
    if (!this.managed || this.restarting) return;
    this.restarting = this.managed
      .restart()
      .then(() => {
        this.restarts++;
        this.places.releaseHolds();
      })
      .catch((error: Error) => console.error(`remote store: restarting ${this.config.engine} failed: ${error.message}`))
      .finally(() => (this.restarting = undefined));
  }

  /** A store serving `manifest` (loaded first unless the engine already holds it complete). */
  static async open(config: RemoteStoreConfig, dataDir: string, manifest: Manifest): Promise<RemoteStore> {
    const store = new RemoteStore(config);
    await store.load(dataDir, manifest);
    return store;
  }

  get manifest(): Manifest {
    if (!this.served) throw new RemoteStoreError('no_generation', 'no generation loaded in the remote store yet');
    return this.served.manifest;
  }

  get graph(): string | undefined {
    return this.served?.graph;
  }

  /** Load a generation into its own graph (if not there complete already), switch to it, drop the previous one. */
  async load(dataDir: string, manifest: Manifest): Promise<void> {
    if (this.served?.manifest.id === manifest.id) return;
    const graph = generationGraph(manifest.id);
    if (!(await this.isComplete(manifest.id))) {
      await this.dropGraph(graph); // leftovers of a load that was interrupted
      for (const f of manifest.files) {
        await this.gsp('POST', graph, this.profile.loadParams, createReadStream(join(generationsDir(dataDir), manifest.id, f.name)));
      }
      const triples = manifest.files.reduce((n, f) => n + f.triples, 0);
      await this.gsp('PUT', markerGraph(manifest.id), {}, `<${graph}> <${TRIPLES}> "${triples}" .\n`);
    }
    const previous = this.served;
    this.served = { manifest, graph, running: 0 };
    if (previous && previous.graph !== graph) await this.retire(previous);
  }

  /** Graphs of generations other than the served one whose drop failed earlier can be removed with this. */
  async dropGeneration(id: string): Promise<void> {
    if (this.served?.manifest.id === id) throw new Error('refusing to drop the generation being served');
    await this.dropGraph(markerGraph(id));
    await this.dropGraph(generationGraph(id));
  }

  private async retire(previous: Served): Promise<void> {
    if (previous.running > 0) await new Promise<void>((resolve) => (previous.drained = resolve));
    await this.dropGeneration(previous.manifest.id);
  }

  private async isComplete(id: string): Promise<boolean> {
    const result = await this.send(`ASK { GRAPH <${markerGraph(id)}> { ?s <${TRIPLES}> ?n } }`, 'boolean', undefined, {}, AbortSignal.timeout(this.config.timeoutMs));
    return result === true;
  }

  query(sparql: string, options: RemoteQueryOptions = {}): Promise<QueryResult> {
    const served = this.served;
    if (!served) return Promise.reject(new RemoteStoreError('no_generation', 'no generation loaded in the remote store yet'));
    served.running++;
    return this.queryGraph(sparql, served.graph, options).finally(() => {
      if (--served.running === 0) served.drained?.();
    });
  }

  private kindOf(sparql: string): ResultKind {
    let type: string;
    try {
      const parsed = this.parser.parse(sparql);
      type = parsed.type === 'query' ? parsed.queryType : 'UPDATE';
    } catch {
      throw new RemoteStoreError('unparseable_query', 'the SPARQL text cannot be parsed');
    }
    if (type === 'SELECT') return 'bindings';
    if (type === 'ASK') return 'boolean';
    if (type === 'CONSTRUCT' || type === 'DESCRIBE') return 'quads';
    throw new RemoteStoreError('unparseable_query', 'only read queries can be sent to the store');
  }

  /**
   * A query over one named graph as the default graph (conformance tests load their own graphs),
   * in one of the store's places (inflight.ts): the deadline runs from here, the wait included.
   */
  async queryGraph(sparql: string, graph: string | undefined, options: RemoteQueryOptions = {}): Promise<QueryResult> {
    const kind = this.kindOf(sparql); // a text the engine would refuse takes no place
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs;
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]);
    let place;
    try {
      place = await this.places.acquire(signal);
    } catch (error) {
      if (error instanceof InFlightRefusal) throw new RemoteStoreError('store_busy', error.message);
      throw new RemoteStoreError('deadline_exceeded', `${timeoutMs} ms (waiting for a place on the store)`);
    }
    const sent = Date.now();
    try {
      const result = await this.send(sparql, kind, graph, options, signal);
      place.done();
      return result;
    } catch (error) {
      // Aborted by us: the engine may go on until its own timeout (sent per request, or the server's).
      if (signal.aborted) place.abandon(sent + Math.max(timeoutMs, this.config.engineTimeoutMs ?? 0) + this.config.runawayGraceMs);
      else place.done();
      throw error;
    }
  }

  private async send(sparql: string, kind: ResultKind, graph: string | undefined, options: RemoteQueryOptions, signal: AbortSignal): Promise<QueryResult> {
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs;
    const url = new URL(this.config.endpoint);
    if (graph) url.searchParams.set('default-graph-uri', graph);
    for (const [k, v] of Object.entries(this.profile.timeoutParams(timeoutMs) ?? {})) url.searchParams.set(k, v);
    const accept = kind === 'quads' ? 'application/n-triples' : 'application/sparql-results+json';
    try {
      const response = await this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/sparql-query', accept }, body: sparql, signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw this.statusError(response.status);
      }
      if (!response.body) throw new RemoteStoreError('engine_failure', 'the engine sent no body');
      return await parseResponse(response.body as WebReadableStream<Uint8Array>, kind, { maxBytes: this.config.maxResponseBytes, rowCap: options.rowCap ?? Number.MAX_SAFE_INTEGER });
    } catch (error) {
      if (error instanceof RemoteStoreError) throw error;
      if (error instanceof ResultLimitError) throw new RemoteStoreError('result_too_large', error.message);
      if (signal.aborted) throw new RemoteStoreError('deadline_exceeded', `${timeoutMs} ms`);
      throw new RemoteStoreError('engine_failure', `the engine's answer could not be read (${(error as Error).name})`);
    }
  }

  /** The engines' own timeouts: Fuseki answers 503, Oxigraph 500 with a cancellation message we cannot tell apart cheaply. */
  private statusError(status: number): RemoteStoreError {
    if (status === 503 || status === 504) return new RemoteStoreError('deadline_exceeded', `the engine stopped the query (HTTP ${status})`);
    if (status === 400) return new RemoteStoreError('unparseable_query', 'the engine refused the query text (HTTP 400)');
    return new RemoteStoreError('engine_failure', `the engine answered HTTP ${status}`);
  }

  /** fetch, with "cannot connect" as one clear error rather than undici's TypeError. */
  private async fetch(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') throw error;
      throw new RemoteStoreError('store_unavailable', `the SPARQL store at ${url.origin} cannot be reached`);
    }
  }

  private async gsp(method: 'PUT' | 'POST', graph: string, params: Record<string, string>, body: string | Readable): Promise<void> {
    const url = new URL(this.config.gsp);
    url.searchParams.set('graph', graph);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const init: RequestInit & { duplex?: 'half' } = {
      method,
      headers: { 'content-type': 'application/n-triples' },
      body: typeof body === 'string' ? body : (Readable.toWeb(body) as ReadableStream<Uint8Array>),
      duplex: 'half',
    };
    const response = await this.fetch(url, init);
    await response.body?.cancel();
    if (!response.ok) throw new RemoteStoreError('engine_failure', `loading into the SPARQL store failed (HTTP ${response.status})`);
  }

  private async dropGraph(graph: string): Promise<void> {
    const url = new URL(this.config.gsp);
    url.searchParams.set('graph', graph);
    const response = await this.fetch(url, { method: 'DELETE' });
    await response.body?.cancel();
    if (!response.ok && response.status !== 404) throw new RemoteStoreError('engine_failure', `dropping a graph failed (HTTP ${response.status})`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
