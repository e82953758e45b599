// Issue 14, medium: outbound requests to targets a requester chooses (reply_url, online did:web,
// status lists) reach public addresses only, in every spelling of an internal one, connected to
// the address that was checked; did:web ids are not percent-decoded into other URLs; errors do
// not echo the target.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressError, allowedAddress, didWebUrl, literalHost, pinnedRequest } from '../../src/trust/index.js';

const NO_LOOPBACK = { allowLoopback: false };

let server: Server;
let port: number;
let hits = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the address filter', () => {
  it.each([
    'http://127.0.0.1/', 'http://127.1.2.3/', 'http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://10.0.0.1/', 'http://167772161/',
    'http://172.16.5.4/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/', 'http://0.0.0.0/',
    'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:a00:1]/', 'http://[fe80::1]/', 'http://[fd00::1]/', 'http://[::]/', 'http://224.0.0.1/',
  ])('refuses %s', (target) => {
    const literal = literalHost(new URL(target));
    expect(literal).toBeDefined();
    expect(allowedAddress(literal!, NO_LOOPBACK)).toBe(false);
  });
  it('accepts public addresses, and loopback only when allowed', () => {
    expect(allowedAddress('93.184.216.34', NO_LOOPBACK)).toBe(true);
    expect(allowedAddress('2606:4700::1111', NO_LOOPBACK)).toBe(true);
    expect(allowedAddress('127.0.0.1', { allowLoopback: true })).toBe(true);
    expect(allowedAddress('10.0.0.1', { allowLoopback: true })).toBe(false);
  });
});

describe('pinned requests', () => {
  const options = (allowLoopback: boolean) => ({ method: 'GET' as const, headers: {}, timeoutMs: 2000, maxBytes: 1024, allowHttp: true, policy: { allowLoopback } });
  it('never connects to a loopback target, by address or by name, unless allowed', async () => {
    const before = hits;
    for (const target of [`http://127.0.0.1:${port}/x`, `http://localhost:${port}/x`, `http://2130706433:${port}/x`, `http://[::ffff:127.0.0.1]:${port}/x`]) {
      const error = await pinnedRequest(target, options(false)).catch((e: Error) => e);
      expect(error).toBeInstanceOf(AddressError);
      expect((error as Error).message).not.toContain('127.0.0.1');
      expect((error as Error).message).not.toContain('localhost');
    }
    expect(hits).toBe(before);
    expect((await pinnedRequest(`http://localhost:${port}/x`, options(true))).text).toBe('ok');
    expect(hits).toBe(before + 1);
  });
  it('refuses plain http unless allowed, and credentials in the URL', async () => {
    await expect(pinnedRequest(`http://127.0.0.1:${port}/`, { ...options(true), allowHttp: false })).rejects.toThrow(/only https/);
    await expect(pinnedRequest(`http://u:p@127.0.0.1:${port}/`, options(true))).rejects.toThrow(/credentials/);
  });
});

describe('did:web URLs', () => {
  it('decode only the port, and refuse other escapes', () => {
    expect(didWebUrl('did:web:example.com%3A8443:a:b')).toBe('https://example.com:8443/a/b/did.json');
    for (const did of ['did:web:example.com%2F..%2Fadmin', 'did:web:example.com%3Fx=1', 'did:web:evil.example%40127.0.0.1', 'did:web:example.com:a%2Fb', 'did:web:example.com:..', 'did:web:exa mple.com']) {
      expect(() => didWebUrl(did), did).toThrow();
    }
  });
});
