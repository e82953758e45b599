// Prometheus metrics (prom-client): requests by outcome, latency, release queue.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(pendingReleases: () => number) {
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
