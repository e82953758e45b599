// Shared pieces of the admin API tests: a running datastation with manual release and a clock the
// test moves, a question that lands in the release queue, and signing in as a named account.
import { join } from 'node:path';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld, type World } from '../trust/world.js';
import { askStaffProRata, replyInbox, type Inbox } from './support.js';

export interface AdminWorld {
  w: World;
  config: Config;
  ds: Datastation;
  base: string;
  adminBase: string;
  inbox: Inbox;
  /** Milliseconds added to the real clock (session expiry without sleeping). */
  clock: { offsetMs: number };
  close(): Promise<void>;
}

export async function adminWorld(overrides: Record<string, unknown> = {}): Promise<AdminWorld> {
  const w = await makeWorld({ 'exchange.allowHttpReplyUrl': true, 'exchange.allowLoopbackReplyUrl': true, 'query.workers': 1, ...overrides });
  const config = { ...w.config, exchange: { ...w.config.exchange, release: [{ requester: w.jwkRequester, mode: 'manual' as const }] } };
  await runImport(config, { inputs: [EXAMPLE_DIR] });
  const inbox = await replyInbox();
  const clock = { offsetMs: 0 };
  const ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0, now: () => Math.floor((Date.now() + clock.offsetMs) / 1000) });
  const base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  const adminBase = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
  return {
    w, config, ds, base, adminBase, inbox, clock,
    async close() {
      await ds.close();
      await inbox.close();
    },
  };
}

/**
 * A credentialed question: from the manual-release requester by default (it lands in the queue:
 * its release id), or from `holder` (w.requester is answered at once: the answer in `text`).
 */
export async function askForRelease(a: AdminWorld, holder = a.w.jwkRequester): Promise<{ thread: string; release: string; status: number; text: string }> {
  const { status, text, thread } = await askStaffProRata(a.w, a.config, a.base, holder, { reply_url: a.inbox.url });
  const release = status === 202 ? (JSON.parse(text) as { release_id: string }).release_id : '';
  return { thread, release, status, text };
}

export interface Signed {
  cookie: string;
  csrf: string;
  body: { account: string; role: string; csrf: string; expiresAt: string };
  setCookie: string;
}

export async function signIn(adminBase: string, account: string, password: string): Promise<Response> {
  return fetch(`${adminBase}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, password }) });
}

export async function session(adminBase: string, account: string, password: string): Promise<Signed> {
  const response = await signIn(adminBase, account, password);
  if (response.status !== 200) throw new Error(`sign-in of ${account} failed: ${response.status} ${await response.text()}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  const body = (await response.json()) as Signed['body'];
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrf, body, setCookie };
}

/** A request with the session cookie (and its CSRF token unless `csrf: false`). */
export function as(s: Signed, adminBase: string, method: string, path: string, body?: unknown, opts: { csrf?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { cookie: s.cookie };
  if (opts.csrf !== false) headers['x-csrf-token'] = s.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${adminBase}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}
