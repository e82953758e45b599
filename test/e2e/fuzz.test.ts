// Property-based fuzzing of the question endpoint (fast-check): envelopes with mutated fields, JSON
// shapes, JWT segments, headers and the SPARQL inside validly signed credentials. Whatever arrives, the server answers with a declared status
// and an error report (never a 5xx, never a crash), never executes a query for it, and logs it.
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { auditPath, exportAuditLog } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { runImport } from '../../src/importer/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';

let w: World;
let ds: Datastation;
let base: string;
let token: string;
let valid: Record<string, unknown>;

beforeAll(async () => {
  w = await makeWorld({ 'query.workers': 1, 'exchange.ratePerMinute': 100_000 });
  await runImport(w.config, { inputs: [EXAMPLE_DIR] });
  ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  token = ds.trust.tokens.issue(w.requester).token;
  const vc = await w.parties.issueQuestion(w.beheer, w.requester, indicatorClaims(w.config, 'demo', 'staff-pro-rata'));
  valid = {
    type: 'v1/basic-message/request',
    jti: 'template',
    from: w.requester,
    to: w.did,
    thread_id: 'template',
    body: { message: await w.parties.present(w.requester, w.did, [vc], 3600), parameters: { jaar: 2025, kwartaal: 'Q1' } },
  };
}, 60_000);
afterAll(async () => ds?.close());

const DECLARED = new Set([400, 401, 403, 409, 413, 422, 429]);

/** A mutation of one part of a valid envelope. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('field'), key: fc.constantFrom('type', 'jti', 'from', 'to', 'reply_url', 'exp', 'body'), value: fc.jsonValue() }),
  fc.record({ kind: fc.constant('drop'), key: fc.constantFrom('type', 'jti', 'from', 'to', 'body') }),
  fc.record({ kind: fc.constant('jwt'), segment: fc.integer({ min: 0, max: 2 }), text: fc.string({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('parameters'), value: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue()) }),
  fc.record({ kind: fc.constant('raw'), text: fc.string({ maxLength: 200 }) }),
  fc.record({ kind: fc.constant('auth'), header: fc.string({ maxLength: 60 }) }),
);

type Mutation = { kind: string; key?: string; value?: unknown; segment?: number; text?: string; header?: string };

function apply(m: Mutation, threadId: string): { body: string; authorization: string } {
  const envelope: Record<string, unknown> = structuredClone({ ...valid, jti: randomUUID(), thread_id: threadId });
  let authorization = `Bearer ${token}`;
  const body = envelope.body as { message: string; parameters?: unknown };
  if (m.kind === 'field') envelope[m.key!] = m.value;
  if (m.kind === 'drop') delete envelope[m.key!];
  if (m.kind === 'jwt') {
    const parts = body.message.split('.');
    parts[m.segment!] = Buffer.from(m.text!).toString('base64url');
    body.message = parts.join('.');
  }
  if (m.kind === 'parameters') body.parameters = m.value;
  if (m.kind === 'auth') authorization = m.header!;
  if (m.kind === 'raw') return { body: m.text!, authorization };
  return { body: JSON.stringify(envelope), authorization };
}

describe('fuzzing the question endpoint', () => {
  it('answers every mutated request with a declared status and an error report, executes nothing, logs each', async () => {
    const threads: string[] = [];
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const threadId = `fuzz-${randomUUID()}`;
        const { body, authorization } = apply(m, threadId);
        const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
        const text = await response.text();
        // A mutation can leave the request valid (e.g. an extra parameter value that is accepted):
        // then it is answered; otherwise a declared status with an error report.
        if (response.status !== 200) {
          expect(DECLARED.has(response.status), `${response.status} ${text.slice(0, 200)}`).toBe(true);
          expect((JSON.parse(text) as { type: string }).type).toBe('v1/error-report');
          if (m.kind !== 'raw') threads.push(threadId);
        }
      }),
      { numRuns: 150, seed: 20261122 },
    );
    // Every rejected request (all keep their thread id) is in the audit log, and none was executed.
    // Before the token checked, the thread is only a claim: logged as `unknown` with its hash apart.
    const byHash = new Map(threads.map((t) => [createHash('sha256').update(t).digest('hex'), t]));
    const seen = new Map<string, string[]>();
    for await (const e of exportAuditLog(auditPath(w.config.dataDir), {})) {
      const thread = e.thread_id === 'unknown' ? byHash.get((e.claimed as { thread_id_sha256?: string } | undefined)?.thread_id_sha256 ?? '') : e.thread_id;
      if (thread?.startsWith('fuzz-')) seen.set(thread, [...(seen.get(thread) ?? []), e.activity]);
    }
    expect(threads.length).toBeGreaterThan(50);
    for (const t of threads) {
      expect(seen.get(t)).toContain('received');
      expect(seen.get(t)).toContain('rejected');
      expect(seen.get(t)).not.toContain('executed');
    }
  }, 120_000);

  it('runs only validated text: a trusted, validly signed credential whose SPARQL was mutated is refused (or, if the mutation is immaterial, answers as the original)', async () => {
    const claims = indicatorClaims(w.config, 'demo', 'staff-pro-rata');
    const ask = async (query: string) => {
      const vc = await w.parties.issueQuestion(w.beheer, w.requester, { ...claims, query });
      const message = { ...valid, jti: randomUUID(), thread_id: `fuzz-q-${randomUUID()}`, body: { message: await w.parties.present(w.requester, w.did, [vc]), parameters: { jaar: 2025, kwartaal: 'Q1' } } };
      const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(message) });
      return { status: response.status, body: (await response.json()) as { type: string; body: { code?: string; resultset?: unknown } } };
    };
    const original = await ask(claims.query);
    expect(original.status).toBe(200);
    const edit = fc.oneof(
      fc.record({ at: fc.nat(), insert: fc.constantFrom(' SERVICE <http://e.example/> { ?x ?y ?z } ', '}', ' LIMIT 1', ' OPTIONAL { ?a ?b ?c }', '#', 'x', '\n') }),
      fc.record({ at: fc.nat(), remove: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ replace: fc.constantFrom('DELETE WHERE { ?s ?p ?o }', 'LOAD <http://e.example/x>', 'SELECT * WHERE { ?s ?p ?o }', '') }),
    );
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(edit, async (e) => {
        const q = claims.query;
        const at = 'at' in e ? e.at % (q.length + 1) : 0;
        const mutated = 'replace' in e ? e.replace : 'insert' in e ? q.slice(0, at) + e.insert + q.slice(at) : q.slice(0, at) + q.slice(at + e.remove);
        const { status, body } = await ask(mutated);
        if (status === 200) expect(body.body.resultset).toEqual(original.body.body.resultset);
        else {
          expect(body.type).toBe('v1/error-report');
          expect(mutated ? 'query_mismatch' : 'incomplete_credential').toBe(body.body.code); // an empty query is no question at all
          refused++;
        }
      }),
      { numRuns: 60, seed: 20261122 },
    );
    expect(refused).toBeGreaterThan(50);
  }, 120_000);
});
