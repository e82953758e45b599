// On an admin listener that speaks TLS the session cookie is marked Secure (openssl-generated
// self-signed certificate; the release queue's deliverer is not used here and is left out).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AccountStore } from '../../src/accounts/index.js';
import { adminRoutes } from '../../src/api/routes/admin.js';
import { ReleaseQueue, type Deliverer } from '../../src/exchange/index.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('ds-admintls-');
let app: FastifyInstance;
let port = 0;

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/CN=localhost'], { cwd: dir, stdio: 'pipe' });
  app = Fastify({ https: { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) } });
  await new AccountStore(dir).add('alice', 'operator', 'alice-correct-horse', 'test');
  await app.register(adminRoutes({ dataDir: dir, adminToken: 'x'.repeat(43), queue: new ReleaseQueue(dir), deliverer: {} as Deliverer }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
}, 60_000);
afterAll(async () => app?.close());

it('marks the session cookie Secure over TLS', async () => {
  const { status, setCookie } = await new Promise<{ status: number; setCookie: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/admin/session', method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: String(res.headers['set-cookie'] ?? '') }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ account: 'alice', password: 'alice-correct-horse' }));
  });
  expect(status).toBe(200);
  expect(setCookie).toMatch(/; Secure/i);
  expect(setCookie).toMatch(/HttpOnly/i);
});
