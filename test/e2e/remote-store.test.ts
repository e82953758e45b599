// `serve` with `store: {kind: sparql}`: the same credentialed question over real HTTP, answered
// from a real SPARQL server (Fuseki, native Oxigraph) instead of the embedded workers — the same
// figure as the embedded path, and the same audit trail. With the server gone, one clear refusal.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { makeWorld, type World } from '../trust/world.js';
import { ENGINES_UNDER_TEST, skipReason, startServer, type RunningServer } from '../store/servers.js';
import { threadEntries } from './support.js';

const profileRoots = [join(packageRoot(), 'profiles')];

for (const engine of ENGINES_UNDER_TEST) {
  const reason = skipReason(engine);
  if (reason) console.warn(`skipping serve-on-${engine}: ${reason}`);

  describe.skipIf(!!reason)(`serve with the dataset on ${engine}`, () => {
    let w: World, config: Config, ds: Datastation, base: string, server: RunningServer;

    beforeAll(async () => {
      server = await startServer(engine);
      w = await makeWorld({ 'query.workers': 1 });
      config = { ...w.config, store: server.config };
      await runImport(config, { inputs: [EXAMPLE_DIR] });
      ds = await startDatastation(config, { profileRoots, pollSeconds: 0 });
      base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
    }, 180_000);
    afterAll(async () => {
      await ds?.close();
      await server?.stop();
    });

    async function ask(): Promise<{ status: number; body: Record<string, unknown> & { body: Record<string, unknown> }; thread: string }> {
      const claims = indicatorClaims(config, 'demo', 'staff-pro-rata');
      const vc = await w.parties.issueQuestion(w.beheer, w.requester, claims);
      const tokenResponse = await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await w.parties.present(w.requester, w.did, [vc]), scope: SCOPE }),
      });
      const { access_token } = (await tokenResponse.json()) as { access_token: string };
      const thread = `thread-${randomUUID()}`;
      const message = {
        type: 'v1/basic-message/request', jti: randomUUID(), from: w.requester, to: w.did, thread_id: thread,
        body: { message: await w.parties.present(w.requester, w.did, [await w.parties.issueQuestion(w.beheer, w.requester, claims)]), parameters: { jaar: 2025, kwartaal: 'Q1' } },
      };
      const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` }, body: JSON.stringify(message) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> & { body: Record<string, unknown> }, thread };
    }

    it('answers a credentialed question from the SPARQL server with the embedded figure', async () => {
      expect(ds.pool.currentGeneration).toMatch(/^g\d{6}-/);
      const { status, body, thread } = await ask();
      expect(status).toBe(200);
      // The store's query places are in the metrics (src/store/remote/inflight.ts): all free again.
      const metrics = await ds.metrics.registry.metrics();
      for (const state of ['running', 'held', 'queued']) expect(metrics).toContain(`datastation_store_queries{state="${state}"} 0`);
      expect(metrics).toContain('datastation_store_suspected_runaways 0');
      const [entry] = (body.body as { resultset: { id: string; result: { results: { bindings: Record<string, { value: string }>[] } } }[] }).resultset;
      const org = entry!.result.results.bindings.find((b) => b.Indeling?.value === 'Organisatie');
      // the figure the example-organisation test computes from the CSV files (and the embedded e2e gets)
      expect(org?.Totaal?.value).toBe('92.69');
      expect((await threadEntries(config.dataDir, thread)).map((e) => e.activity)).toContain('executed');
    }, 120_000);

    it('refuses with one code when the SPARQL server is gone, and logs it', async () => {
      await server.stop();
      const { status, body, thread } = await ask();
      expect(status).toBe(503);
      expect(JSON.stringify(body)).toContain('store_unavailable');
      expect((await threadEntries(config.dataDir, thread)).some((e) => e.code === 'store_unavailable')).toBe(true);
    }, 120_000);
  });
}
