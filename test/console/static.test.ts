// The console's files on the admin listener, without a browser: a fixed set served from memory
// with a strict CSP; nothing else under /console/ reaches the disk; the API behind it still
// needs credentials.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { consoleRoutes, CONSOLE_CSP } from '../../src/console/index.js';

async function app() {
  const a = Fastify();
  await a.register(consoleRoutes());
  a.get('/admin/releases', async (_r, reply) => reply.code(401).send({ error: 'sign_in_required' }));
  return a;
}

describe('console static files', () => {
  it('serves the page, its modules and the vendor modules with a CSP that allows no inline script and nothing off-origin', async () => {
    const a = await app();
    const index = await a.inject('/console/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).toMatch(/script-src 'self'(;|$)/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-|https?:/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    // every script the page loads is a module file of ours, none inline
    // relative, so the same page works under a deployment's /tenants/<id>/console/
    expect(index.body).toMatch(/<script type="module" src="js\/main\.js"><\/script>/);
    expect(index.body.match(/<script/g)).toHaveLength(1);
    for (const path of ['/console/js/main.js', '/console/vendor/preact.js', '/console/vendor/htm.js', '/console/style.css']) {
      const r = await a.inject(path);
      expect(r.statusCode, path).toBe(200);
      expect(r.body).not.toMatch(/sourceMappingURL/);
    }
    expect((await a.inject('/console/vendor/preact.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await a.inject('/console')).headers.location).toBe('/console/');
    await a.close();
  });

  it('every module the console imports is one it serves (no bare or off-origin imports)', async () => {
    const a = await app();
    const seen = new Set<string>();
    const queue = ['/console/js/main.js'];
    while (queue.length) {
      const path = queue.pop()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const r = await a.inject(path);
      expect(r.statusCode, path).toBe(200);
      for (const m of r.body.matchAll(/^import\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm)) {
        expect(m[1], `${path} imports ${m[1]}`).toMatch(/^\.\.?\//);
        queue.push(new URL(m[1]!, `http://x${path}`).pathname);
      }
    }
    expect(seen.size).toBeGreaterThan(8);
    await a.close();
  });

  it('answers anything else under /console/ with one 404 and echoes nothing', async () => {
    const a = await app();
    for (const path of ['/console/js/..%2f..%2fpackage.json', '/console/%2e%2e%2fpackage.json', '/console/index.ts', '/console/js/<script>.js', '/console/vendor/preact.js.map']) {
      const r = await a.inject(path);
      expect(r.statusCode, path).toBe(404);
      expect(r.body).not.toMatch(/script>|package|\.ts|\.map/);
    }
    expect((await a.inject('/admin/releases')).statusCode).toBe(401);
    await a.close();
  });
});
