// What differs between the SPARQL 1.1 engines we can serve from: how a server-side timeout is asked
// for, whether a bulk load is available through the Graph Store protocol, which text the engine
// runs (the Oxigraph rewrites or the validated text), and which official queries it answers
// wrongly (refused, never answered). The refusals and rewrites are decided by
// test/conformance/engines-differential.test.ts, the same way the embedded engine's are.
import { z } from 'zod';

export const ENGINES = ['oxigraph-server', 'fuseki'] as const;
export type Engine = (typeof ENGINES)[number];

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
});
export type RemoteStoreConfig = z.infer<typeof remoteStoreConfig>;

export interface EngineProfile {
  /** 'oxigraph': run the compat layer's text (same engine family as the embedded one); 'none': the validated text. */
  rewrites: 'oxigraph' | 'none';
  /** Indicators that run the compat text even so (its planner rewrites make them finish in time here). */
  rewrittenIndicators: string[];
  /** Query-string parameters that ask the engine itself to stop at the deadline (undefined: set at server start). */
  timeoutParams(timeoutMs: number): Record<string, string> | undefined;
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
    loadParams: {},
    refused: Object.fromEntries(ZK_11.map((k) => [k, 'past the deadline on the validated text, other figures on the compat text (engines-differential, 2026-12-02)'])),
  },
};
