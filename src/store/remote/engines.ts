// What differs between the SPARQL 1.1 engines we can serve from: how a server-side timeout is asked
// for, whether a bulk load is available through the Graph Store protocol, which text the engine
// runs (the Oxigraph rewrites or the validated text), and which official queries it answers
// wrongly (refused, never answered). The refusals and rewrites are decided by
// test/conformance/engines-differential.test.ts, the same way the embedded engine's are.
import { z } from 'zod';

export const ENGINES = ['oxigraph-server', 'fuseki'] as const;
export type Engine = (typeof ENGINES)[number];

/** Defaults of the places on the server (inflight.ts), also spread into configs built in code. */
export const PLACES_DEFAULTS = { maxInFlight: 4, maxQueued: 32, runawayGraceMs: 5_000 } as const;

export const remoteStoreConfig = z.strictObject({
  kind: z.literal('sparql'),
  engine: z.enum(ENGINES),
  /** The SPARQL 1.1 query endpoint, e.g. http://127.0.0.1:7878/query or http://127.0.0.1:3030/ds/query. */
  endpoint: z.url({ protocol: /^https?$/ }),
  /** The Graph Store protocol endpoint, e.g. http://127.0.0.1:7878/store or http://127.0.0.1:3030/ds/data. */
  gsp: z.url({ protocol: /^https?$/ }),
  /** Client deadline per query; also sent as the engine's own timeout where it takes one per request. */
  timeoutMs: z.number().int().min(100).default(60_000),
  /** A response larger than this is abandoned (result_too_large), whatever its row count. */
  maxResponseBytes: z.number().int().min(1024).default(512 * 1024 * 1024),
  /** Queries on the server at once (src/store/remote/inflight.ts); beyond, they wait in a queue. */
  maxInFlight: z.number().int().min(1).default(PLACES_DEFAULTS.maxInFlight),
  /** Queries waiting for a place; beyond, refused at once with 503 server_busy. */
  maxQueued: z.number().int().min(0).default(PLACES_DEFAULTS.maxQueued),
  /**
   * The server's own timeout where it is set at its start (oxigraph serve --timeout-s), ms; default
   * timeoutMs. A query we stop waiting for keeps its place until this plus runawayGraceMs has passed.
   */
  engineTimeoutMs: z.number().int().min(100).optional(),
  runawayGraceMs: z.number().int().min(0).default(PLACES_DEFAULTS.runawayGraceMs),
});
export type RemoteStoreConfig = z.infer<typeof remoteStoreConfig>;

export interface EngineProfile {
  /** 'oxigraph': run the compat layer's text (same engine family as the embedded one); 'none': the validated text. */
  rewrites: 'oxigraph' | 'none';
  /** Indicators that run the compat text even so (its planner rewrites make them finish in time here). */
  rewrittenIndicators: string[];
  /** Query-string parameters that ask the engine itself to stop at the deadline (undefined: set at server start). */
  timeoutParams(timeoutMs: number): Record<string, string> | undefined;
  /** The engine's timeout stops every query (false: a query past it may run on, a suspected runaway). */
  timeoutStopsEveryQuery: boolean;
  /** Extra parameters for a Graph Store POST of a whole generation. */
  loadParams: Record<string, string>;
  /** `profile-id indicator-id` → why this engine's answer is wrong (the query is refused). */
  refused: Record<string, string>;
}

const ZK_11 = ['11.1', '11.2', '11.3', '11.4'].map((i) => `zorgkantoren-inkoopondersteuning-en-beleidsontwikkeling ${i}`);

export const ENGINE_PROFILES: Record<Engine, EngineProfile> = {
  'oxigraph-server': {
    rewrites: 'oxigraph',
    rewrittenIndicators: [],
    // `oxigraph serve --timeout-s N` is server-wide; there is no per-request parameter. In 0.5.13 it
    // did not stop a COUNT over a cross product (test/store/remote.test.ts): the client abort is the
    // guard, and the engine may go on computing.
    timeoutParams: () => undefined,
    // Checked only while quads are scanned (spareval eval.rs); an aborted request is not stopped either.
    timeoutStopsEveryQuery: false,
    // The bulk loader: not one transaction, which is fine because a generation is only used
    // once its completion marker is written after the last file.
    loadParams: { no_transaction: '' },
    refused: {},
  },
  fuseki: {
    rewrites: 'none',
    // ZK 11.1-11.4: the validated text ran past a 120 s deadline on Fuseki 5.6.0 (TDB2) over the
    // example organisation; the layer's text finishes (15-75 s) but answers other figures than
    // embedded and Jena ARQ agree on. So they run the layer's text (fails fast in the
    // differential) and are refused below.
    rewrittenIndicators: ZK_11,
    // Fuseki reads `timeout` in (fractional) seconds and cancels the query itself.
    timeoutParams: (ms) => ({ timeout: (ms / 1000).toFixed(3) }),
    timeoutStopsEveryQuery: true,
    loadParams: {},
    refused: Object.fromEntries(ZK_11.map((k) => [k, 'past the deadline on the validated text, other figures on the compat text (engines-differential, 2026-12-02)'])),
  },
};
