// The running datastation (as `datastation serve` starts it): a connection added through its admin
// listener with a per-second schedule runs by itself, and the server loads the new generation.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { adminToken, startDatastation, type Datastation } from '../../src/api/index.js';
import { packageRoot } from '../../src/config/index.js';
import { listRuns } from '../../src/connections/index.js';
import { WORKED_EXAMPLE } from '../fixtures/worked-example.js';
import { tempDir } from '../helpers.js';
import { makeWorld } from '../trust/world.js';
import { systemFiles } from './support.js';

let ds: Datastation | undefined;

/** A 6-field cron pattern for the local time `seconds` from now. */
function once(seconds: number): string {
  const at = new Date(Date.now() + seconds * 1000);
  return `${at.getSeconds()} ${at.getMinutes()} ${at.getHours()} ${at.getDate()} ${at.getMonth() + 1} *`;
}
afterAll(async () => {
  await ds?.close();
});

describe('schedules under serve', () => {
  it('a scheduled connection runs in the server and the new generation is served', async () => {
    const w = await makeWorld({ 'query.workers': 1 });
    ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0, schedules: true });
    expect((await ds.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503); // no data yet
    const drop = tempDir('ds-drop-');
    for (const [name, body] of Object.entries(systemFiles(WORKED_EXAMPLE, 'afas-hr'))) writeFileSync(join(drop, name), body);
    const added = await ds.admin.inject({
      method: 'POST', url: '/admin/connections', headers: { authorization: `Bearer ${adminToken(w.config)}` },
      // Once, a few seconds from now (a per-second schedule would keep importing, and pruning, under the test).
      payload: { name: 'hr', system: 'afas-hr', source: { kind: 'folder', path: drop }, schedule: once(4) },
    });
    expect(added.statusCode).toBe(201);
    await vi.waitFor(() => expect(listRuns(w.config.dataDir, 'hr').find((r) => r.ok && r.trigger === 'schedule')).toBeDefined(), { timeout: 30_000, interval: 200 });
    const run = listRuns(w.config.dataDir, 'hr').find((r) => r.ok)!;
    expect(run.actor).toBe('scheduler');
    await ds.refresh();
    const ready = await ds.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(listRuns(w.config.dataDir, 'hr')).toHaveLength(1);
  }, 90_000);
});
