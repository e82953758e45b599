// "A request whose audit write fails is not answered": the audit log is pointed at /dev/full, a
// real device whose writes fail with ENOSPC (a full disk). The requester gets 503 audit_unavailable
// and nothing from the dataset.
import { mkdirSync, symlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { auditPath } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';

let w: World;
let ds: Datastation;
let base: string;

beforeAll(async () => {
  w = await makeWorld({ 'query.workers': 1 });
  await runImport(w.config, { inputs: [EXAMPLE_DIR] });
  // The import logged normally; from now on this data directory's log lives on a full disk.
  const other = { ...w.config, dataDir: join(w.config.dataDir, '..', 'full-disk') };
  mkdirSync(join(other.dataDir, 'audit'), { recursive: true });
  symlinkSync('/dev/full', auditPath(other.dataDir));
  // same dataset and identity, but its own audit path: copy what the datastation needs by linking
  for (const entry of ['generations', 'CURRENT', 'identity', 'trust-list.yaml', 'did-documents']) {
    const from = join(w.config.dataDir, entry);
    if (existsSync(from)) symlinkSync(from, join(other.dataDir, entry));
  }
  ds = await startDatastation({ ...other, trust: { ...other.trust, trustList: join(other.dataDir, 'trust-list.yaml') } }, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);
afterAll(async () => ds?.close());

describe.skipIf(!existsSync('/dev/full'))('audit log unavailable', () => {
  it('does not answer a valid question it cannot log', async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, indicatorClaims(w.config, 'demo', 'staff-pro-rata'));
    const token = ds.trust.tokens.issue(w.requester).token;
    const message = {
      type: 'v1/basic-message/request',
      jti: randomUUID(),
      from: w.requester,
      to: w.did,
      thread_id: `t-${randomUUID()}`,
      body: { message: await w.parties.present(w.requester, w.did, [vc]), parameters: { jaar: 2025, kwartaal: 'Q1' } },
    };
    const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(message) });
    const body = (await response.json()) as { type: string; body: { code: string } };
    expect([response.status, body.type, body.body.code]).toEqual([503, 'v1/error-report', 'audit_unavailable']);
    expect(JSON.stringify(body)).not.toMatch(/resultset|92\.69/);
  });
});
