// Shared pieces of the end-to-end tests: a requester's inbox on loopback, a thread's audit
// entries (claimed threads included), a free port, and one credentialed question.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditPath, exportAuditLog } from '../../src/audit/index.js';
import { indicatorClaims } from '../../src/cli/credentials-commands.js';
import type { Config } from '../../src/config/index.js';
import { SCOPE } from '../../src/trust/index.js';
import type { World } from '../trust/world.js';

export interface Inbox {
  url: string;
  replies: { thread_id?: string; type?: string; body?: unknown }[];
  close(): Promise<void>;
}

/** An HTTP endpoint that keeps every JSON body POSTed to it. */
export async function replyInbox(): Promise<Inbox> {
  const replies: Inbox['replies'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      replies.push(JSON.parse(body) as Inbox['replies'][number]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`, replies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A thread's entries; before the token checked, the thread is a claim, logged as `unknown` with its hash. */
export async function threadEntries(dataDir: string, id: string): Promise<{ activity: string; code?: string }[]> {
  const entries = [];
  const claimed = createHash('sha256').update(id).digest('hex');
  for await (const e of exportAuditLog(auditPath(dataDir), {})) {
    if (e.thread_id === id || (e.thread_id === 'unknown' && (e.claimed as { thread_id_sha256?: string } | undefined)?.thread_id_sha256 === claimed)) entries.push(e);
  }
  return entries;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * `holder` asks the demo staff-pro-rata question (2025 Q1) over HTTP: a token, then the 2021
 * envelope, with `extra` fields (reply_url, ...) merged into the message.
 */
export async function askStaffProRata(w: World, config: Config, base: string, holder: string, extra: Record<string, unknown> = {}): Promise<{ status: number; text: string; thread: string }> {
  const vc = await w.parties.issueQuestion(w.beheer, holder, indicatorClaims(config, 'demo', 'staff-pro-rata'));
  const tokenResponse = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await w.parties.present(holder, w.did, [vc]), scope: SCOPE }),
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const message = {
    type: 'v1/basic-message/request',
    jti: randomUUID(),
    from: holder,
    to: w.did,
    thread_id: `t-${randomUUID()}`,
    body: { message: await w.parties.present(holder, w.did, [vc]), parameters: { jaar: 2025, kwartaal: 'Q1' } },
    ...extra,
  };
  const response = await fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify(message) });
  return { status: response.status, text: await response.text(), thread: message.thread_id };
}
