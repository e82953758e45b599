// Prometheus metrics (prom-client): requests by outcome, latency, release queue, and the query
// places on a SPARQL store (running, held by abandoned queries, queued; suspected runaways).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RemoteStoreStatus } from '../store/index.js';

export function createMetrics(pendingReleases: () => number, store?: () => RemoteStoreStatus) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({ name: 'datastation_requests_total', help: 'verifiedsparql requests by outcome code', labelNames: ['outcome'], registers: [registry] }),
    duration: new Histogram({ name: 'datastation_request_seconds', help: 'verifiedsparql request duration', buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers: [registry] }),
    pending: new Gauge({
      name: 'datastation_releases_pending',
      help: 'answers waiting for manual release',
      registers: [registry],
      collect() {
        this.set(pendingReleases());
      },
    }),
    ...(store ? storeMetrics(registry, store) : {}),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

function storeMetrics(registry: Registry, store: () => RemoteStoreStatus) {
  return {
    storePlaces: new Gauge({
      name: 'datastation_store_queries',
      help: 'queries on the SPARQL store by state: running, held (abandoned, the engine may still run them), queued',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const s = store();
        for (const state of ['running', 'held', 'queued'] as const) this.set({ state }, s[state]);
      },
    }),
    storeRunaways: new Gauge({
      name: 'datastation_store_suspected_runaways',
      help: 'abandoned queries the SPARQL engine may still be computing past its own timeout (since start)',
      registers: [registry],
      collect() {
        this.set(store().suspectedRunaways);
      },
    }),
  };
}
