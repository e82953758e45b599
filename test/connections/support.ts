// A real HTTP server serving export files, with basic or bearer authentication, and a switch to
// answer 500 or never answer (for the failing-run tests).
import { createServer, type Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { testConfig, tempDir } from '../helpers.js';
import type { Config } from '../../src/config/index.js';

export interface ExportServer {
  url: string;
  mode: 'ok' | 'fail' | 'hang';
  files: Record<string, string>;
  requests: { path: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function exportServer(files: Record<string, string>, auth: { basic?: [string, string]; bearer?: string }): Promise<ExportServer> {
  const state: ExportServer = { url: '', mode: 'ok', files, requests: [], close: async () => undefined };
  const expected = auth.basic ? `Basic ${Buffer.from(`${auth.basic[0]}:${auth.basic[1]}`).toString('base64')}` : auth.bearer ? `Bearer ${auth.bearer}` : undefined;
  const server: Server = createServer((req, res) => {
    state.requests.push({ path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (state.mode === 'hang') return; // never answers
    if (expected && req.headers.authorization !== expected) return void res.writeHead(401, { 'www-authenticate': 'Basic' }).end('no');
    if (state.mode === 'fail') return void res.writeHead(500).end('broken');
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]!.split('/').at(-1)!);
    const body = state.files[name];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/csv' }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/export/`;
  state.close = () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); });
  return state;
}

/** A config with a data folder holding a key secret (as `datastation init` makes it). */
export function configWithSecret(overrides: Record<string, unknown> = {}): Config {
  const dataDir = tempDir('ds-conn-');
  mkdirSync(join(dataDir, 'identity'), { recursive: true });
  writeFileSync(join(dataDir, 'identity', 'key-secret'), 'a'.repeat(64), { mode: 0o600 });
  return testConfig(dataDir, overrides);
}

/** The worked example's files of one system, by bare file name. */
export function systemFiles(all: Record<string, string>, system: string): Record<string, string> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${system}/`)).map(([k, v]) => [k.slice(system.length + 1), v]));
}
