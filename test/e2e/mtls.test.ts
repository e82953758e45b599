// Mutual TLS with generated certificates (openssl): a client with a certificate from the
// configured CA is served; one without a certificate, or with one from another CA, is refused in
// the handshake. And the proxy mode: the verified-certificate header only counts from a trusted proxy.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer, startDatastation } from '../../src/api/index.js';
import { packageRoot } from '../../src/config/index.js';
import { loadIdentity } from '../../src/trust/index.js';
import { tempDir } from '../helpers.js';
import { makeWorld } from '../trust/world.js';

const dir = tempDir('ds-tls-');
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function issue(name: string, ca: string, extra: string[] = []): void {
  ssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
  ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.crt`, ...extra);
}

function caCert(name: string): void {
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
}

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  caCert('ca');
  caCert('other-ca');
  const ext = join(dir, 'san.ext');
  execFileSync('sh', ['-c', `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ${ext}`]);
  issue('server', 'ca', ['-extfile', ext]);
  issue('client', 'ca');
  issue('stranger', 'other-ca');
  const w = await makeWorld({ 'server.tls': { key: join(dir, 'server.key'), cert: join(dir, 'server.crt'), ca: join(dir, 'ca.crt'), requireClientCert: true } });
  app = await buildServer({ config: w.config, identity: loadIdentity(w.config)!, trust: w.trust });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
}, 30_000);
afterAll(async () => app.close());

function get(client?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/health',
        ca: readFileSync(join(dir, 'ca.crt')),
        ...(client ? { cert: readFileSync(join(dir, `${client}.crt`)), key: readFileSync(join(dir, `${client}.key`)) } : {}),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('mutual TLS', () => {
  it('serves a client whose certificate the configured CA issued', async () => {
    expect(await get('client')).toBe(200);
  });
  it('refuses a client without a certificate', async () => {
    await expect(get()).rejects.toThrow();
  });
  it('refuses a client certificate from another CA', async () => {
    await expect(get('stranger')).rejects.toThrow();
  });
});

describe('behind a TLS-terminating proxy', () => {
  it('accepts the forwarded certificate only from a trusted proxy address', async () => {
    const wOpen = await makeWorld({ 'server.clientCertHeader': 'X-SSL-Client-Cert', 'server.trustedProxies': ['127.0.0.1'] });
    const proxied = await buildServer({ config: wOpen.config, identity: loadIdentity(wOpen.config)!, trust: wOpen.trust });
    const base = await proxied.listen({ host: '127.0.0.1', port: 0 });
    try {
      const post = (headers: Record<string, string>) => fetch(`${base}/oauth2/token`, { method: 'POST', headers, body: new URLSearchParams({ grant_type: 'x' }) });
      const without = await post({});
      expect([without.status, ((await without.json()) as { body: { code: string } }).body.code]).toEqual([403, 'client_certificate_required']);
      expect((await post({ 'x-ssl-client-cert': 'verified-by-proxy' })).status).toBe(400); // reaches the endpoint: unsupported grant
    } finally {
      await proxied.close();
    }
    const wStrict = await makeWorld({ 'server.clientCertHeader': 'X-SSL-Client-Cert', 'server.trustedProxies': ['10.0.0.1'] });
    const strict = await buildServer({ config: wStrict.config, identity: loadIdentity(wStrict.config)!, trust: wStrict.trust });
    const base2 = await strict.listen({ host: '127.0.0.1', port: 0 });
    try {
      const spoofed = await fetch(`${base2}/oauth2/token`, { method: 'POST', headers: { 'x-ssl-client-cert': 'forged' }, body: new URLSearchParams({ grant_type: 'x' }) });
      expect(spoofed.status).toBe(403);
    } finally {
      await strict.close();
    }
  });
});

/** A raw HTTP/1.1 request with the target exactly as given (fetch would normalise it). */
function raw(port: number, method: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('the client-certificate check behind a proxy is on the matched route (issue 14, high 5)', () => {
  it.each([
    ['/%61pi/verifiedsparql'],
    ['/%6Fauth2/token'],
    ['/api/%76erifiedsparql'],
    ['http://datastation.example/api/verifiedsparql'],
    ['http://datastation.example/oauth2/token'],
    ['/api/verifiedsparql?x=1'],
    ['/no-such-route'],
  ])('refuses %s without a forwarded certificate', async (target) => {
    const wProxy = await makeWorld({ 'server.clientCertHeader': 'X-SSL-Client-Cert', 'server.trustedProxies': ['127.0.0.1'], 'query.workers': 1 });
    const ds = await startDatastation(wProxy.config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
    await ds.app.listen({ host: '127.0.0.1', port: 0 });
    const p = (ds.app.server.address() as { port: number }).port;
    try {
      const without = await raw(p, 'POST', target);
      expect([without.status, (JSON.parse(without.body) as { body: { code: string } }).body.code]).toEqual([403, 'client_certificate_required']);
      if (target !== '/no-such-route') {
        const relayed = await raw(p, 'POST', target, { 'x-ssl-client-cert': 'verified-by-proxy' });
        expect(relayed.body).not.toContain('client_certificate_required'); // reaches the route
      }
      expect((await raw(p, 'GET', '/%68ealth')).status).toBe(200); // public routes stay public
    } finally {
      await ds.close();
    }
  }, 30_000);
});
