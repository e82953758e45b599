// Issue 14, high 1 and 3: every route is rate limited per client address, before any work or
// logging; a header the client picks (Authorization, X-Forwarded-For from an untrusted peer) does
// not give it a fresh budget.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/index.js';
import { auditPath, exportAuditLog } from '../../src/audit/index.js';
import { loadIdentity } from '../../src/trust/index.js';
import { makeWorld } from '../trust/world.js';

const LIMIT = 5;
const servers: FastifyInstance[] = [];

let dataDir = '';

async function serve(overrides: Record<string, unknown> = {}): Promise<string> {
  const w = await makeWorld({ 'exchange.ratePerMinute': LIMIT, ...overrides });
  dataDir ||= w.config.dataDir;
  const app = await buildServer({ config: w.config, identity: loadIdentity(w.config)!, trust: w.trust });
  servers.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

let base: string;
beforeAll(async () => {
  base = await serve();
});
afterAll(async () => Promise.all(servers.map((s) => s.close())));

const statuses = (n: number, send: (i: number) => Promise<Response>) => Promise.all(Array.from({ length: n }, async (_, i) => (await send(i)).status));

describe('rate limits per client address', () => {
  it('limits the token endpoint even when every request carries another Authorization header', async () => {
    const codes = await statuses(LIMIT + 4, () =>
      fetch(`${base}/oauth2/token`, { method: 'POST', headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` }, body: new URLSearchParams({ grant_type: 'x' }) }),
    );
    expect(codes.filter((c) => c === 429)).toHaveLength(4);
    // Limited before any work: the refused requests left no audit entry.
    const activities: string[] = [];
    for await (const e of exportAuditLog(auditPath(dataDir), {})) activities.push(e.activity);
    expect(activities).toEqual(Array.from({ length: LIMIT }, () => 'token-rejected'));
  });
  it('limits the public discovery routes too', async () => {
    const other = await serve();
    const codes = await statuses(LIMIT + 2, () => fetch(`${other}/.well-known/did.json`));
    expect(codes.filter((c) => c === 429)).toHaveLength(2);
  });
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const other = await serve();
    const codes = await statuses(LIMIT + 2, (i) => fetch(`${other}/health`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } }));
    expect(codes.filter((c) => c === 429)).toHaveLength(2);
  });
  it('limits each client behind a trusted proxy on its own address', async () => {
    const other = await serve({ 'server.trustedProxies': ['127.0.0.1'] });
    const codes = await statuses(LIMIT + 2, (i) => fetch(`${other}/health`, { headers: { 'x-forwarded-for': `203.0.113.${i}` } }));
    expect(codes.filter((c) => c === 429)).toHaveLength(0);
    const same = await statuses(LIMIT + 2, () => fetch(`${other}/health`, { headers: { 'x-forwarded-for': '203.0.113.99' } }));
    expect(same.filter((c) => c === 429)).toHaveLength(2);
  });
});
