// `datastation demo`: the whole exchange on the embedded default, end to end over real HTTP on
// localhost. The datastation imports the example organisation and serves; a zorgkantoor (answered
// automatically) and a second requester (whose answers the organisation releases by hand) get
// question credentials from a demo beheerorganisatie, obtain tokens and ask; the demo operator
// approves the waiting answer; the answers and the audit trail of each conversation are printed.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { AccountStore } from '../accounts/index.js';
import { startDatastation } from '../api/index.js';
import { auditPath, exportAuditLog, verifyAuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { Parties, initIdentity } from '../trust/index.js';
import { askDatastation, resultTables } from './ask.js';
import { indicatorClaims, trustIssuer } from './credentials-commands.js';
import { profileRoots } from './engine.js';

async function identity(parties: Parties, method: 'web' | 'key', alias: string): Promise<string> {
  try {
    return (await parties.find(alias)).did;
  } catch {
    return (await parties.create(method, alias)).did;
  }
}

export async function runDemo(base: Config): Promise<void> {
  const { identity: own } = await initIdentity(base);
  const parties = await Parties.open(join(base.dataDir, 'demo-parties'));
  const beheer = await identity(parties, 'web', 'beheer.kik-v.example');
  const zorgkantoor = await identity(parties, 'key', 'zorgkantoor-demo');
  const igj = await identity(parties, 'key', 'igj-demo');
  trustIssuer(base, beheer, ['ValidQueryCredential', 'ValidatedQueryCredential'], parties.documentsDir);
  const config: Config = {
    ...base,
    // KIK-V: the organisation approves each answer (defaultRelease manual); the zorgkantoor's
    // answers go out at once only because this rule says so.
    exchange: { ...base.exchange, allowHttpReplyUrl: true, allowLoopbackReplyUrl: true, defaultRelease: 'manual', release: [{ requester: zorgkantoor, mode: 'auto' }] },
  };
  console.log(`\nThe datastation is ${own.did}; it trusts the demo beheerorganisatie ${beheer}.`);
  console.log(`Release policy: by hand (exchange.defaultRelease: manual), with one rule: exchange.release: [{ requester: ${zorgkantoor}, mode: auto }].`);
  console.log(`Requesters: zorgkantoor ${zorgkantoor} (released automatically by that rule), ${igj} (released by hand, the default).\n`);

  const replies: string[] = [];
  const inbox = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      replies.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => inbox.listen(0, '127.0.0.1', r));
  const replyUrl = `http://127.0.0.1:${(inbox.address() as { port: number }).port}/kikv/inbox`;

  const ds = await startDatastation(config, { profileRoots: profileRoots(config), pollSeconds: 0 });
  const url = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  const adminUrl = await ds.admin.listen({ host: '127.0.0.1', port: 0 });
  console.log(`Serving on ${url} (admin API on ${adminUrl}).`);
  console.log(`The console: ${adminUrl}/console/ (open it while the demo runs; it stops at the end).\n`);
  const threads: string[] = [];
  try {
    const claims = indicatorClaims(config, 'demo', 'staff-pro-rata');
    const ask = async (requester: string, parameters: Record<string, unknown>, replyTo?: string) => {
      const vc = await parties.issueQuestion(beheer, requester, claims);
      const threadId = `demo-${randomUUID()}`;
      threads.push(threadId);
      return askDatastation({ url, parties, holder: requester, audience: own.did, credentials: [vc], parameters, threadId, ...(replyTo ? { replyUrl: replyTo } : {}) });
    };

    console.log(`1. The zorgkantoor asks "${claims.profile.id} ${claims.profile.version} / staff-pro-rata" for Q1 2025 (released automatically by its rule):`);
    const auto = await ask(zorgkantoor, { jaar: 2025, kwartaal: 'Q1' });
    if (auto.status !== 200) throw new Error(`unexpected answer ${auto.status}: ${auto.text}`);
    console.log(`   HTTP ${auto.status}, answered at once:\n\n${resultTables(auto.text)}\n`);

    console.log('2. The second requester asks the same indicator for Q4 2024; its answers are released by hand:');
    const manual = await ask(igj, { jaar: 2024, kwartaal: 'Q4' }, replyUrl);
    const { release_id } = JSON.parse(manual.text) as { release_id: string };
    console.log(`   HTTP ${manual.status} Accepted; waiting for release as ${release_id}.`);
    // The console's way in: a named operator account, a session cookie and its CSRF token (not the
    // machine token). The account is a demo stand-in for a real operator: made here with a random
    // password that is printed nowhere; a real one is made with `datastation accounts add`.
    const operator = await demoOperator(config);
    const session = await signIn(adminUrl, operator);
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${adminUrl}${path}`, { ...init, headers: { cookie: session.cookie, 'content-type': 'application/json', ...(init.method && init.method !== 'GET' ? { 'x-csrf-token': session.csrf } : {}) } });
    const item = (await (await admin(`/admin/releases/${release_id}`)).json()) as { questions: { id: string; rows: number }[]; requester: string; release?: { rule: number | string; mode: string }; smallCells: unknown[] };
    const rule = item.release ? `${item.release.rule === 'default' ? 'the default' : `rule ${item.release.rule}`} (${item.release.mode})` : 'unknown';
    console.log(`   The operator signs in to the console as "${operator.name}" (${session.role}; a demo-only account made for this run) and sees: requester ${item.requester}, held by ${rule}, ${item.questions.map((q) => `${q.id} with ${q.rows} rows`).join(', ')} as a table, ${item.smallCells.length} small-number cell(s), and approves.`);
    const approved = await admin(`/admin/releases/${release_id}/approve`, { method: 'POST', body: '{}' });
    if (approved.status !== 200) throw new Error(`the approval was refused: HTTP ${approved.status} ${await approved.text()}`);
    console.log(`   Approved by ${((await approved.json()) as { decidedBy?: string }).decidedBy ?? '?'} (POST /admin/releases/${release_id}/approve with the session cookie and x-csrf-token).`);
    const until = Date.now() + 15_000;
    while (!replies.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (!replies.length) throw new Error('the released answer did not arrive');
    console.log(`   Delivered to the requester's reply_url:\n\n${resultTables(replies[0]!)}\n`);

    console.log('3. The audit trail of both conversations (NEN 7513, hash-chained):');
    for await (const e of exportAuditLog(auditPath(config.dataDir), {})) {
      if (e.thread_id && threads.includes(e.thread_id)) {
        const extra = [e.code, e.rows === undefined ? undefined : `${String(e.rows as number)} rows`, e.release].find((x) => typeof x === 'string') ?? '';
        console.log(`   ${e.time}  ${e.thread_id.slice(0, 13)}…  ${e.activity.padEnd(22)} ${e.actor.slice(0, 40)} ${extra}`);
      }
    }
    const verified = await verifyAuditLog(auditPath(config.dataDir));
    console.log(`\n   datastation audit verify: ${verified.ok ? `intact, ${verified.entries} entries` : `BROKEN at line ${verified.problem?.line}`}`);
  } finally {
    await ds.close();
    await new Promise<void>((r) => inbox.close(() => r()));
  }
}

const DEMO_OPERATOR = 'demo-operator';

/** The demo's operator account, with a fresh random password each run (demo only). */
async function demoOperator(config: Config): Promise<{ name: string; password: string }> {
  const accounts = new AccountStore(config.dataDir);
  const password = randomBytes(18).toString('base64url');
  const existing = accounts.get(DEMO_OPERATOR);
  if (existing && existing.role !== 'operator') accounts.setRole(DEMO_OPERATOR, 'operator', 'demo');
  if (existing) await accounts.passwd(DEMO_OPERATOR, password, 'demo');
  else await accounts.add(DEMO_OPERATOR, 'operator', password, 'demo');
  return { name: DEMO_OPERATOR, password };
}

/** POST /admin/session as the console does: the session cookie and the CSRF token it answers with. */
async function signIn(adminUrl: string, operator: { name: string; password: string }): Promise<{ cookie: string; csrf: string; role: string }> {
  const response = await fetch(`${adminUrl}/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: operator.name, password: operator.password }) });
  if (response.status !== 200) throw new Error(`signing in as ${operator.name} was refused: HTTP ${response.status}`);
  const { csrf, role } = (await response.json()) as { csrf: string; role: string };
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('kikv_admin='));
  if (!cookie) throw new Error('the admin listener set no session cookie');
  return { cookie, csrf, role };
}
