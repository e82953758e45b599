// Issue 14, medium findings on the question path and the operator surface: error texts bounded
// whatever the input (80k parameter keys), one credential presented many times, `from` compared
// in full, a short admin token, public metrics.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, startDatastation, type Datastation } from '../../src/api/index.js';
import { packageRoot } from '../../src/config/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import { SCOPE } from '../../src/trust/index.js';
import { codeOf, makeWorld, type World } from '../trust/world.js';

let w: World;
let ds: Datastation;
let base: string;

beforeAll(async () => {
  w = await makeWorld({ 'query.workers': 1, 'exchange.ratePerMinute': 10_000 });
  ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);
afterAll(async () => ds.close());

async function ask(parameters: Record<string, unknown>, from = w.requester, bearer = ds.trust.tokens.issue(w.requester).token) {
  const vc = await w.parties.issueQuestion(w.beheer, w.requester, indicatorClaims(w.config, 'demo', 'staff-pro-rata'));
  const message = { type: 'v1/basic-message/request', jti: randomUUID(), from, to: w.did, thread_id: randomUUID(), body: { message: await w.parties.present(w.requester, w.did, [vc]), parameters } };
  const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify(message) });
  const text = await response.text();
  return { status: response.status, text, code: (JSON.parse(text) as { body: { code: string } }).body.code };
}

describe('bounded error texts', () => {
  it('refuses 80k parameter keys with a short error', async () => {
    const many = Object.fromEntries(Array.from({ length: 80_000 }, (_, i) => [`p${i}`, 1]));
    const { code, text } = await ask(many);
    expect(code).toBe('invalid_parameter');
    expect(text.length).toBeLessThan(1000);
  });
  it('names a few unknown parameters, not all of them', async () => {
    const some = { jaar: 2025, kwartaal: 'Q1', ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`extra_${'x'.repeat(200)}_${i}`, 1])) };
    const { code, text } = await ask(some);
    expect(code).toBe('unknown_parameter');
    expect(text).toContain('and 35 more');
    expect(text.length).toBeLessThan(1000);
  });
  it('reports a malformed envelope with 50k bad values in a few issues', async () => {
    const bad = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`p${i}`, {}]));
    const { code, text } = await ask(bad);
    expect(code).toBe('malformed_envelope');
    expect(text.length).toBeLessThan(1000);
  });
});

describe('presentations and senders', () => {
  it('refuses one presentation carrying the same credential 20 times', async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, indicatorClaims(w.config, 'demo', 'staff-pro-rata'));
    const vp = await w.parties.present(w.requester, w.did, Array.from({ length: 20 }, () => vc));
    expect(await codeOf(ds.trust.verifier.verify(vp))).toBe('invalid_presentation');
  });
  it('compares `from` with the token subject in full, and refuses an over-long one', async () => {
    const long = `did:web:${'a'.repeat(504)}`; // exactly 512 characters
    const token = ds.trust.tokens.issue(long, SCOPE).token;
    expect((await ask({}, `${long.slice(0, -1)}b`, token)).code).toBe('token_subject_mismatch'); // differs only in the 512th character
    const longer = `did:web:${'a'.repeat(600)}`;
    expect((await ask({}, longer, ds.trust.tokens.issue(longer, SCOPE).token)).code).toBe('malformed_envelope');
  });
});

describe('the operator surface', () => {
  it('refuses an admin token shorter than 32 characters', () => {
    expect(() => adminToken(w.config, { DATASTATION_ADMIN_TOKEN: 'x' })).toThrow(/at least 32/);
    expect(adminToken(w.config, { DATASTATION_ADMIN_TOKEN: 'y'.repeat(32) })).toBe('y'.repeat(32));
  });
  it('serves metrics only on the admin listener, with the admin token', async () => {
    const admin = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${admin}/metrics`)).status).toBe(401);
    const ok = await fetch(`${admin}/metrics`, { headers: { authorization: `Bearer ${adminToken(w.config)}` } });
    expect([ok.status, (await ok.text()).includes('datastation_')]).toEqual([200, true]);
  });
});
