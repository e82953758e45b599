// The web console (Dutch) on the admin listener at /console/: a fixed set of static files, read
// once at start-up and served from memory, that call only the admin JSON API. No build step and
// no third-party network: Preact and htm are served as ES modules from node_modules. Every
// response carries a strict Content-Security-Policy (no inline script, nothing off-origin).
// Registered beside the admin shell, not inside it: the sign-in page needs no credentials; the
// data behind it does (the shell's hook guards /admin/*).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { packageRoot } from '../config/index.js';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's pages and modules (under console/ in the package) and the two vendor modules. */
function consoleFiles(): Map<string, { body: Buffer; type: string }> {
  const root = join(packageRoot(), 'console');
  const require = createRequire(import.meta.url);
  // beside the package's CommonJS entry (dist/): htm's exports do not open package.json
  const vendor = (pkg: string, file: string) => join(dirname(require.resolve(pkg)), file);
  const sources: [string, string][] = [
    ['index.html', join(root, 'index.html')],
    ['style.css', join(root, 'style.css')],
    ...['main', 'api', 'ui', 'signin', 'releases', 'release', 'imports', 'coverage', 'audit', 'connections'].map(
      (name): [string, string] => [`js/${name}.js`, join(root, 'js', `${name}.js`)],
    ),
    ['vendor/preact.js', vendor('preact', 'preact.module.js')],
    ['vendor/htm.js', vendor('htm', 'htm.module.js')],
  ];
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const [path, file] of sources) {
    let body = readFileSync(file);
    // the vendor builds point at source maps we do not serve
    if (path.startsWith('vendor/')) body = Buffer.from(body.toString('utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
    files.set(path, { body, type: TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
  }
  return files;
}

export function consoleRoutes(): FastifyPluginAsync {
  const files = consoleFiles();
  return async (app) => {
    app.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cross-origin-opener-policy', 'same-origin');
    });
    app.get('/console', async (_request, reply) => reply.redirect('/console/'));
    app.get('/console/*', async (request, reply) => {
      // the router's wildcard: a plain lookup in a fixed map, so no path ever reaches the disk
      const path = (request.params as { '*': string })['*'] || 'index.html';
      const file = files.get(path);
      if (!file) return reply.code(404).type('application/json').send({ error: 'not_found' });
      return reply
        .type(file.type)
        .header('cache-control', path === 'index.html' ? 'no-store' : 'no-cache')
        .send(file.body);
    });
  };
}
