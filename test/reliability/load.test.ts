// Load without loss: three requesters (did:key, did:jwk, did:web) send 120 credentialed questions
// over loopback HTTP, 12 at a time, mixed with 30 that must be rejected (no token). Afterwards
// every request has its answer or its error report, and the audit log verifies and holds exactly
// one entry set per request: the six steps of an answer, or `received` + `rejected`.
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { auditPath, exportAuditLog, verifyAuditLog } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { runImport } from '../../src/importer/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';

let w: World;
let ds: Datastation;
let base: string;
const ANSWERED = 120, REJECTED = 30, CONCURRENCY = 12;

beforeAll(async () => {
  // agreements-by-kind has counts below 5 in the example: the small-number check (tested in
  // e2e/release-review) would hold these automatic answers, and this test is about the audit trail.
  w = await makeWorld({ 'query.workers': 2, 'exchange.ratePerMinute': 100_000, 'exchange.minGroupSize': 0 });
  await runImport(w.config, { inputs: [EXAMPLE_DIR] });
  ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);
afterAll(async () => ds?.close());

describe('load without loss', () => {
  it(`${ANSWERED} answered and ${REJECTED} rejected requests, ${CONCURRENCY} at a time: one complete audit entry set each`, async () => {
    const requesters = [w.requester, w.jwkRequester, w.webRequester];
    const credential = new Map<string, string>();
    for (const r of requesters) credential.set(r, await w.parties.present(r, w.did, [await w.parties.issueQuestion(w.beheer, r, indicatorClaims(w.config, 'demo', 'agreements-by-kind'))], 3600));
    const tokens = new Map(requesters.map((r) => [r, ds.trust.tokens.issue(r).token]));
    // Authorised requests present a fresh VP each (a VP's jti is single-use); unauthorised ones
    // re-use one, which does not matter: the missing token rejects them first.
    const jobs = [
      ...Array.from({ length: ANSWERED }, (_, i) => ({ requester: requesters[i % 3]!, authorised: true })),
      ...Array.from({ length: REJECTED }, (_, i) => ({ requester: requesters[i % 3]!, authorised: false })),
    ].sort(() => Math.random() - 0.5);
    const outcomes = new Map<string, { status: number; type: string; authorised: boolean }>();
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const threadId = `load-${randomUUID()}`;
        const vp = job.authorised ? await w.parties.present(job.requester, w.did, [await w.parties.issueQuestion(w.beheer, job.requester, indicatorClaims(w.config, 'demo', 'agreements-by-kind'))]) : credential.get(job.requester)!;
        const response = await fetch(`${base}/api/verifiedsparql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(job.authorised ? { authorization: `Bearer ${tokens.get(job.requester)}` } : {}) },
          body: JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: job.requester, to: w.did, thread_id: threadId, body: { message: vp } }),
        });
        outcomes.set(threadId, { status: response.status, type: ((await response.json()) as { type: string }).type, authorised: job.authorised });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(outcomes.size).toBe(ANSWERED + REJECTED);
    for (const o of outcomes.values()) {
      if (o.authorised) expect(o).toMatchObject({ status: 200, type: 'v1/basic-message/response' });
      else expect(o).toMatchObject({ status: 403, type: 'v1/error-report' });
    }
    expect(await verifyAuditLog(auditPath(w.config.dataDir))).toMatchObject({ ok: true });
    const perThread = new Map<string, string[]>();
    // Unauthorised requests' threads are claims: logged as `unknown`, their hash apart.
    const byHash = new Map([...outcomes.keys()].map((t) => [createHash('sha256').update(t).digest('hex'), t]));
    for await (const e of exportAuditLog(auditPath(w.config.dataDir), {})) {
      const thread = e.thread_id === 'unknown' ? byHash.get((e.claimed as { thread_id_sha256?: string } | undefined)?.thread_id_sha256 ?? '') : e.thread_id;
      if (thread?.startsWith('load-')) perThread.set(thread, [...(perThread.get(thread) ?? []), e.activity]);
    }
    expect(perThread.size).toBe(ANSWERED + REJECTED);
    for (const [thread, activities] of perThread) {
      const expected = outcomes.get(thread)!.authorised ? ['received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'answer-sent'] : ['received', 'rejected'];
      expect(activities, thread).toEqual(expected);
    }
  }, 120_000);
});
