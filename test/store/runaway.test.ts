// Runaway queries on the native Oxigraph server (issue 17): its --timeout-s is checked only while
// quads are scanned, so a cross product of grouped sub-selects (in memory once grouped) runs on
// after the timeout and after the client aborted. RemoteStore keeps such a query's place until the
// engine's timeout plus grace has passed (so runaways cannot pile up), refuses or queues beyond its
// places, reports the suspected runaway, and restarts a server it manages.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { QueryError, RemoteRunner } from '../../src/query/index.js';
import { RemoteStore, RemoteStoreError } from '../../src/store/index.js';
import { OxigraphServer } from '../../bench/oxigraph-server.js';
import { tempDir } from '../helpers.js';
import { skipReason } from './servers.js';

// 200 subjects; four grouped sub-selects of them joined: 1.6e9 rows, none of them a scan.
const RUNAWAY = `SELECT (COUNT(*) AS ?n) WHERE { ${['a', 'b', 'c', 'd'].map((v) => `{ SELECT ?${v} WHERE { ?${v} ?p${v} ?o${v} } GROUP BY ?${v} }`).join(' ')} }`;
const COUNT_ALL = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }';
const reason = skipReason('oxigraph-server');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (p: Promise<unknown>) => p.then(() => 'answered', (e: { code?: string }) => e.code);

describe.skipIf(!!reason)('runaway queries on the native Oxigraph server', () => {
  let server: OxigraphServer;
  beforeAll(async () => {
    server = new OxigraphServer(join(tempDir('ds-runaway-'), 'db'), { timeoutMs: 1000, serverTimeoutS: 1 });
    await server.start();
    const triples = Array.from({ length: 200 }, (_, i) => `<urn:s${i}> <urn:p> "${i}" .\n`).join('');
    const r = await fetch(`${server.config.gsp}?default`, { method: 'POST', headers: { 'content-type': 'application/n-triples' }, body: triples });
    expect(r.ok).toBe(true);
  }, 150_000);
  afterAll(() => server?.stop());

  /** CPU seconds the server spends over the next second. */
  const cpuOverOneSecond = async () => {
    const c0 = server.cpuSeconds();
    await sleep(1000);
    return server.cpuSeconds() - c0;
  };

  const config = () => ({ ...server.config, timeoutMs: 1000, engineTimeoutMs: 1000, runawayGraceMs: 2000, maxInFlight: 2, maxQueued: 1 });

  it('holds an abandoned query\'s place until the engine\'s timeout + grace, refuses beyond the queue, and reports it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const store = new RemoteStore(config());
      const started = Date.now();
      expect(await Promise.all([code(store.queryGraph(RUNAWAY, undefined)), code(store.queryGraph(RUNAWAY, undefined))])).toEqual(['deadline_exceeded', 'deadline_exceeded']);
      // They keep their places: the next query waits, the one after is refused at once.
      expect(store.status).toMatchObject({ running: 0, held: 2, queued: 0, suspectedRunaways: 0 });
      expect(store.problem()).toMatch(/held by a query past its deadline/);
      const waiting = store.queryGraph(COUNT_ALL, undefined, { timeoutMs: 10_000 });
      await sleep(10);
      expect(store.status.queued).toBe(1);
      await expect(store.queryGraph(COUNT_ALL, undefined)).rejects.toMatchObject({ code: 'store_busy' });
      // The question path hears the admission's refusal: 503 server_busy (with Retry-After there).
      const runner = new RemoteRunner(store, { dataDir: tempDir(), deadlineMs: 1000, rowCap: 10 });
      vi.spyOn(store, 'query').mockImplementation((text, options) => store.queryGraph(text, undefined, options)); // no generation here: the default graph
      const refusal = await runner.run({ text: COUNT_ALL, vars: ['n'], format: 'json' }, () => undefined).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(QueryError);
      expect(refusal).toMatchObject({ code: 'server_busy', status: 503 });
      // Rightly so: the engine goes on computing them.
      expect(await cpuOverOneSecond()).toBeGreaterThan(0.1);
      // Once 1 s (engine timeout) + 2 s (grace) have passed, the places are free again, and both are reported.
      const rows = (await waiting) as Map<string, { value: string }>[];
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
      expect(rows[0]!.get('n')!.value).toBe('200');
      // The two were sent a moment apart (more under load), so the second hold may end a moment later.
      await vi.waitFor(() => expect(store.status.held).toBe(0), { timeout: 5000, interval: 50 });
      expect(store.status).toMatchObject({ running: 0, held: 0, queued: 0, suspectedRunaways: 2, restarts: 0 });
      expect(store.problem()).toBeUndefined();
      expect(log.mock.calls.filter(([m]) => /may still be running there/.test(String(m)))).toHaveLength(2);
    } finally {
      log.mockRestore();
    }
  }, 60_000);

  it('restarts a server it manages when a hold ends: the runaways stop with it', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const managed = new RemoteStore({ ...config(), maxInFlight: 1, maxQueued: 0 }, undefined, server);
      expect(await code(managed.queryGraph(RUNAWAY, undefined))).toBe('deadline_exceeded');
      await expect(managed.queryGraph(COUNT_ALL, undefined)).rejects.toBeInstanceOf(RemoteStoreError);
      // A failed restart is only logged: name what was logged when it does not come.
      await vi.waitFor(() => expect(managed.status.restarts, log.mock.calls.map(String).join('; ')).toBe(1), { timeout: 15_000, interval: 100 });
      expect(await cpuOverOneSecond()).toBeLessThan(0.1);
      expect(managed.status).toMatchObject({ held: 0, suspectedRunaways: 1 });
      expect(((await managed.queryGraph(COUNT_ALL, undefined)) as Map<string, { value: string }>[])[0]!.get('n')!.value).toBe('200');
    } finally {
      log.mockRestore();
    }
  }, 60_000);
});
