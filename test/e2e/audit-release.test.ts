// The audit log failing under a running server (faults injected through AuditLog.io): a question
// whose entries cannot all be written is not answered, /ready says so, an admin decision that
// cannot be logged is not taken, and a delivery whose entry fails does not end the server.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startDatastation, type Datastation } from '../../src/api/index.js';
import { ADMIN_ACTOR } from '../../src/api/routes/admin.js';
import { AuditLog, auditPath, exportAuditLog, verifyAuditLog, type AuditEntry, type AuditIo } from '../../src/audit/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { SCOPE } from '../../src/trust/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { askStaffProRata, replyInbox, type Inbox } from './support.js';

let w: World;
let config: Config;
let ds: Datastation;
let base: string;
let adminBase: string;
let inbox: Inbox;
let replyUrl: string;
let log: AuditLog;
let real: AuditIo;

beforeAll(async () => {
  w = await makeWorld({ 'exchange.allowHttpReplyUrl': true, 'exchange.allowLoopbackReplyUrl': true, 'exchange.deliveryBackoffMs': 20, 'exchange.deliveryAttempts': 2, 'query.workers': 1 });
  config = { ...w.config, exchange: { ...w.config.exchange, release: [{ requester: w.jwkRequester, mode: 'manual' as const }] } };
  await runImport(config, { inputs: [EXAMPLE_DIR] });
  inbox = await replyInbox();
  replyUrl = inbox.url;
  ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  adminBase = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
  log = AuditLog.for(config.dataDir);
  real = log.io;
  log.probeEveryMs = 0;
}, 60_000);

afterAll(async () => {
  await ds?.close();
  await inbox.close();
});

/** Writes fail (a short write, then ENOSPC) for entries whose line contains `marker`. */
function failWrites(marker: string): AuditIo {
  return {
    ...real,
    writeSync: (fd, buffer, offset, length) => {
      if (!buffer.includes(marker)) return real.writeSync(fd, buffer, offset, length);
      if (offset === 0) return real.writeSync(fd, buffer, 0, Math.min(length, 23));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
}

const ask = (holder: string, extra: Record<string, unknown> = {}) => askStaffProRata(w, config, base, holder, extra);

async function entries(filter: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  const found = [];
  for await (const e of exportAuditLog(auditPath(config.dataDir), {})) if (filter(e)) found.push(e);
  return found;
}

const admin = (path: string, body: unknown) =>
  fetch(`${adminBase}${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken(config)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

const waitFor = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(ok()).toBe(true);
};

describe('audit faults under a running server', () => {
  it('a short write of one step (query-validated) means no answer, and the log still verifies', async () => {
    log.io = failWrites('"activity":"query-validated"');
    const failed = await ask(w.requester);
    log.io = real;
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.text)).toMatchObject({ type: 'v1/error-report', body: { code: 'audit_unavailable' } });
    expect(failed.text).not.toMatch(/resultset/);
    expect(await verifyAuditLog(auditPath(config.dataDir))).toMatchObject({ ok: true });
    // the torn query-validated line was cut; the refusal itself is logged
    const logged = await entries((e) => e.thread_id === failed.thread);
    // (entries written in the same group as the torn one went with it; steps already under way
    // when the failure became known may be logged; never the answer)
    const activities = logged.map((e) => e.activity);
    expect(activities[0]).toBe('received');
    expect(activities).not.toContain('query-validated');
    expect(activities).not.toContain('answer-sent');
    expect(logged.at(-1)).toMatchObject({ activity: 'rejected', code: 'audit_unavailable' });
    const answered = await ask(w.requester);
    expect(answered.status).toBe(200);
    expect((await entries((e) => e.thread_id === answered.thread)).map((e) => e.activity)).toEqual(['received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'answer-sent']);
  });

  it('the token endpoint gives no token (503, audit_unavailable) when its entry cannot be logged, and the log still verifies', async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, indicatorClaims(config, 'demo', 'staff-pro-rata'));
    log.io = failWrites('"activity":"token-issued"');
    const response = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await w.parties.present(w.requester, w.did, [vc]), scope: SCOPE }),
    });
    log.io = real;
    expect(response.status).toBe(503);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'temporarily_unavailable', error_code: 'audit_unavailable' });
    expect(body).not.toHaveProperty('access_token');
    expect(await verifyAuditLog(auditPath(config.dataDir))).toMatchObject({ ok: true });
  });

  it('/ready is 503 while the audit log cannot be appended, and 200 again once it can', async () => {
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    log.io = failWrites('"activity"');
    await ask(w.requester).catch(() => undefined);
    const notReady = await fetch(`${base}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not ready', reason: expect.stringMatching(/audit log/) as unknown });
    log.io = real;
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect((await entries((e) => e.activity === 'audit-recovered')).length).toBeGreaterThan(0);
  });

  it('an admin decision that cannot be logged is not taken; one that can is attributed to the token holder', async () => {
    const queued = await ask(w.jwkRequester, { reply_url: replyUrl });
    expect(queued.status).toBe(202);
    const id = (JSON.parse(queued.text) as { release_id: string }).release_id;
    log.io = failWrites('"activity":"released"');
    const refused = await admin(`/admin/releases/${id}/approve`, { by: 'mallory' });
    log.io = real;
    expect(refused.status).toBe(503);
    expect(ds.queue.get(id)).toMatchObject({ state: 'pending' });
    expect(ds.queue.get(id).deciding).toBeUndefined();
    expect(inbox.replies.some((r) => r.thread_id === queued.thread)).toBe(false);

    expect((await admin(`/admin/releases/${id}/approve`, { by: 'mallory' })).status).toBe(200);
    const [released] = await entries((e) => e.release === id && e.activity === 'released');
    expect(released).toMatchObject({ actor: ADMIN_ACTOR, claimed_by: 'mallory' });
    expect(ds.queue.get(id)).toMatchObject({ decidedBy: ADMIN_ACTOR, decidedByClaim: 'mallory' });
    await waitFor(() => inbox.replies.some((r) => r.thread_id === queued.thread));
  });

  it('a delivery whose audit entry fails is not made, is caught (no unhandled rejection), and is made at the next sweep', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const queued = await ask(w.jwkRequester, { reply_url: replyUrl });
      const id = (JSON.parse(queued.text) as { release_id: string }).release_id;
      log.io = failWrites('"activity":"answer-sent"');
      expect((await admin(`/admin/releases/${id}/approve`, {})).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(inbox.replies.some((r) => r.thread_id === queued.thread)).toBe(false);
      expect(ds.queue.get(id)).toMatchObject({ state: 'approved', delivery: 'waiting' });
      expect(unhandled).toEqual([]);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      log.io = real;
      ds.deliverer.sweep();
      await waitFor(() => inbox.replies.some((r) => r.thread_id === queued.thread));
      await waitFor(() => ds.queue.get(id).delivery === 'delivered');
      expect((await entries((e) => e.thread_id === queued.thread)).map((e) => e.activity).slice(-2)).toEqual(['released', 'answer-sent']);
      expect(await verifyAuditLog(auditPath(config.dataDir))).toMatchObject({ ok: true });
    } finally {
      log.io = real;
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
