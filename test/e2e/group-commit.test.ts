// How many audit fsyncs one credentialed question costs over real HTTP. Its six entries go to the
// log by group commit; a question answered from the answer cache is ready by the time its replay
// record is durable, so everything after the token check shares one fsync: two in all (the
// receipt's group, then the rest), not one per step.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { threadEntries } from './support.js';

let w: World;
let ds: Datastation;
let base: string;

beforeAll(async () => {
  // agreements-by-kind has counted columns (not streamed: its small cells are checked), and may go with a reason.
  w = await makeWorld({ 'query.workers': 1, 'exchange.defaultRelease': 'auto', 'exchange.smallCells': 'allow-with-reason' });
  await runImport(w.config, { inputs: [EXAMPLE_DIR] });
  ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await ds?.close();
});

async function ask(token: string, vc: string): Promise<{ status: number; thread: string }> {
  const thread = `t-${randomUUID()}`;
  const message = { type: 'v1/basic-message/request', jti: randomUUID(), from: w.requester, to: w.did, thread_id: thread, body: { message: await w.parties.present(w.requester, w.did, [vc]) } };
  const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(message) });
  await response.text();
  return { status: response.status, thread };
}

it('a question answered from the answer cache costs two audit fsyncs, its entries complete', async () => {
  const vc = await w.parties.issueQuestion(w.beheer, w.requester, indicatorClaims(w.config, 'demo', 'agreements-by-kind'));
  const tokenResponse = await fetch(`${base}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await w.parties.present(w.requester, w.did, [vc]), scope: SCOPE }) });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  expect((await ask(access_token, vc)).status).toBe(200); // runs the query, fills the cache

  const log = AuditLog.for(w.config.dataDir);
  const real = log.io;
  let fsyncs = 0;
  log.io = { ...real, fsync: (fd, callback) => (fsyncs++, real.fsync(fd, callback)) };
  let second: { status: number; thread: string };
  try {
    second = await ask(access_token, vc);
  } finally {
    log.io = real;
  }
  expect(second.status).toBe(200);
  const entries = (await threadEntries(w.config.dataDir, second.thread)) as { activity: string; cached?: unknown }[];
  expect(entries.map((e) => e.activity)).toEqual(['received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'answer-sent']);
  expect(entries.find((e) => e.activity === 'executed')?.cached).toBeTruthy();
  expect(fsyncs).toBe(2);
});
