// Scale-out (issue 17): one deployment directory of N tenants with their state in PostgreSQL (a
// schema of its own per run), served by P `datastation serve` processes of the built CLI at once.
// Credentialed questions go round-robin over tenants and processes: good ones (answered at once by
// an auto-release rule for the requester) and bad ones (addressed to another tenant: tenant_mismatch;
// a token no tenant issued). Throughput and p99 with P=1 against P=3 in the same run, as a ratio;
// with --kill one process is killed -9 mid-load and the client retries its requests elsewhere.
// Checks (PASS/FAIL, exit 1 on any FAIL): every request answered or refused as expected; each
// tenant's `audit verify` passes; its audit entries match what was sent to it; no answer carries
// another tenant's data; no acknowledged request lacks its audit entries.
//   npm run bench:scale -- [--tenants 20] [--employees 1000] [--requests 600] [--processes 1,3]
//     [--connections 8] [--kill] [--keep] [--out result.json]
// PostgreSQL: $KIKV_TEST_PG_URL (app role) and $KIKV_TEST_PG_ADMIN_URL (owner), as
// `eval "$(bash scripts/ci/postgres.sh)"` prints them.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generate } from '../examples/generator/generate.js';
import { indicatorClaims, trustIssuer } from '../src/cli/credentials-commands.js';
import { loadConfig, packageRoot } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { migrate, openState } from '../src/state/index.js';
import { readRegistry, tenantConfig } from '../src/tenants/index.js';
import { Parties, SCOPE } from '../src/trust/index.js';
import { arg, writeResult } from './args.js';
import { drive, p99, peakRssMb, startServe, stopServe, type Outcome, type Planned, type Serve } from './scale-client.js';

const tenantCount = Number(arg('tenants', '20'));
const employees = Number(arg('employees', '1000'));
const requests = Number(arg('requests', '600'));
const processCounts = arg('processes', '1,3').split(',').map(Number);
const connections = Number(arg('connections', '8'));
const killMode = process.argv.includes('--kill');
const appUrl = process.env.KIKV_TEST_PG_URL;
const ownerUrl = process.env.KIKV_TEST_PG_ADMIN_URL;
if (!appUrl || !ownerUrl) throw new Error('set KIKV_TEST_PG_URL and KIKV_TEST_PG_ADMIN_URL: eval "$(bash scripts/ci/postgres.sh)"');
const cli = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const log = (s: string) => process.stderr.write(`… ${s}\n`);

const root = mkdtempSync(join(tmpdir(), 'bench-scale-'));
const deployment = join(root, 'deployment');
const schema = `scale_${randomBytes(5).toString('hex')}`;
const state = { kind: 'postgres', url: appUrl, schema, appRole: 'kikv_app' };
log(`migrating schema ${schema} as the owner`);
await migrate(ownerUrl, { url: appUrl, schema, appRole: 'kikv_app' });

const parties = await Parties.open(join(root, 'parties'));
const beheer = (await parties.create('web', 'beheer.kik-v.example')).did;
const requester = (await parties.create('key')).did;
// One file every process reads: answers for this requester are released at once (a rule, not
// the default, which stays manual); limits high enough that the load, not a limit, is measured.
const configFile = join(root, 'datastation.yaml');
writeFileSync(configFile, JSON.stringify({
  state,
  server: { host: '127.0.0.1', port: 0 },
  admin: { host: '127.0.0.1', port: 0 },
  query: { workers: 1, warmWorkers: 1 },
  trust: { didDocumentsDir: parties.documentsDir },
  exchange: { defaultRelease: 'manual', release: [{ requester, mode: 'auto' }], smallCells: 'allow-with-reason', ratePerMinute: 1_000_000, concurrency: { perRequester: 64, running: 32, queued: 256 } },
}));
const run = (args: string[]) => spawnSync(process.execPath, [cli, '-c', configFile, '-d', deployment, ...args], { encoding: 'utf8' });
const base = loadConfig({ file: configFile, env: {}, overrides: { dataDir: deployment } });

// Tenants: added with the CLI (as an operator does); each gets its own generated organisation
// (its own seed and size, so no two tenants' answers are alike) imported into its own folder.
const ids = Array.from({ length: tenantCount }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
for (const [i, id] of ids.entries()) {
  const added = run(['tenants', 'add', id]);
  if (added.status !== 0) throw new Error(`tenants add ${id}: ${added.stderr}`);
  const tc = tenantConfig(base, id);
  trustIssuer(tc, beheer, ['ValidQueryCredential'], parties.documentsDir);
  const exports = join(root, 'exports', id);
  const e = employees + i;
  generate(exports, { employees: e, clients: Math.round((e * 4) / 3), years: [2024, 2025], seed: i + 1, messy: false });
  openState(tc); // its audit entries go to its chain in PostgreSQL, as the CLI's would
  log(`tenant ${id}: importing ${e} employees`);
  await runImport(tc, { inputs: [exports] });
  rmSync(exports, { recursive: true, force: true });
}
const did = new Map(readRegistry(deployment).map((t) => [t.id, t.did]));
const vc = await parties.issueQuestion(beheer, requester, indicatorClaims(tenantConfig(base, ids[0]!), 'demo', 'agreements-by-kind'));

// Of five requests three are good, one is addressed to the next tenant on this tenant's path, one
// carries a token nobody issued; shifted by one each round over the tenants, so that every tenant
// gets every kind whatever the number of tenants.
const kindOf = (i: number) => (i + Math.floor(i / ids.length)) % 5;
const plan = (): Planned[] => Array.from({ length: requests }, (_, i) => ({ i, tenant: ids[i % ids.length]!, kind: kindOf(i) === 2 ? 'mismatch' : kindOf(i) === 4 ? 'badtoken' : 'good' }));
const tokens = new Map<string, string>();
async function message(p: Planned, thread: string): Promise<string> {
  const to = p.kind === 'mismatch' ? did.get(ids[(ids.indexOf(p.tenant) + 1) % ids.length]!)! : did.get(p.tenant)!;
  return JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: requester, to, thread_id: thread, body: { message: await parties.present(requester, to, [vc], 3600) } });
}
// First attempts are signed before a phase starts (the client's signing is not the server's load); retries on the fly.
const prepared = new Map<string, string>();
async function send(p: Planned, url: string, thread: string) {
  const body = prepared.get(thread) ?? (await message(p, thread));
  prepared.delete(thread);
  const bearer = p.kind === 'badtoken' ? `not-a-token-${randomBytes(8).toString('hex')}` : tokens.get(p.tenant)!;
  const response = await fetch(`${url}/tenants/${p.tenant}/api/verifiedsparql`, { method: 'POST', body, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const checks: { ok: boolean; text: string }[] = [];
const check = (ok: boolean, text: string) => checks.push({ ok, text });
const all: { prefix: string; outcomes: Outcome[] }[] = [];
const phases: Record<string, { processes: number; rps: number; p99: number; seconds: number; retried: number; socketFailures: number; peakRssMb: number[] }> = {};

async function phase(name: string, serves: Serve[], kill = false) {
  log(`${name}: ${requests} requests over ${serves.length} process(es)`);
  let killed = false;
  const onAck = kill ? (done: number) => {
    if (!killed && done >= requests / 3) {
      killed = true;
      log(`kill -9 process 0 (pid ${serves[0]!.proc.pid}) after ${done} acknowledged requests`);
      serves[0]!.proc.kill('SIGKILL');
    }
  } : undefined;
  for (const p of plan()) prepared.set(`${name}-${p.i}-a0`, await message(p, `${name}-${p.i}-a0`));
  const { outcomes, seconds, latencies } = await drive(plan(), serves, connections, send, name, onAck);
  all.push({ prefix: name, outcomes });
  const failures = outcomes.flatMap((o) => o.attempts.filter((a) => a.status === undefined));
  phases[name] = { processes: serves.length, rps: requests / seconds, p99: p99(latencies), seconds, retried: outcomes.filter((o) => o.attempts.length > 1).length, socketFailures: failures.length, peakRssMb: serves.map((s) => Math.round(peakRssMb(s.proc.pid))) };
  if (kill) check(killed && failures.length > 0 && outcomes.every((o) => o.attempts.at(-1)?.status !== undefined), `${name}: killed one of ${serves.length} processes mid-load; ${failures.length} socket failures, ${phases[name].retried} requests retried on another process and acknowledged`);
}

const p1 = Math.min(...processCounts);
const pN = Math.max(...processCounts);
let serves = await Promise.all(Array.from({ length: p1 }, () => startServe(cli, configFile, deployment)));
for (const id of ids) {
  const response = await fetch(`${serves[0]!.url}/tenants/${id}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'vp_token-bearer', assertion: await parties.present(requester, did.get(id)!, [vc]), scope: SCOPE }) });
  tokens.set(id, ((await response.json()) as { access_token: string }).access_token);
}
await phase(`p${p1}`, serves);
if (pN !== p1) {
  await Promise.all(serves.map(stopServe));
  serves = [];
  for (let k = 0; k < pN; k++) serves.push(await startServe(cli, configFile, deployment)); // one at a time: each loads every tenant
  await phase(`p${pN}`, serves);
}
if (killMode) await phase(`p${pN}-kill`, serves, true);
await Promise.all(serves.map(stopServe));

// Expected outcome per request: the answer with the tenant's DID as `from`, or the refusal.
const expected = (o: Outcome) => {
  const a = o.attempts.at(-1);
  if (!a || a.status === undefined) return false;
  if (o.kind === 'good') return a.status === 200 && a.body?.from === did.get(o.tenant);
  if (o.kind === 'mismatch') return a.status === 403 && JSON.stringify(a.body).includes('tenant_mismatch');
  return a.status === 403 && JSON.stringify(a.body).includes('"invalid_token"');
};
const outcomes = all.flatMap((p) => p.outcomes);
const wrong = outcomes.filter((o) => !expected(o));
check(wrong.length === 0, `every request answered or refused as expected (${outcomes.length - wrong.length}/${outcomes.length})${wrong.length ? `; first unexpected: ${wrong[0]!.kind} to ${wrong[0]!.tenant}: ${wrong[0]!.attempts.at(-1)?.status} ${JSON.stringify(wrong[0]!.attempts.at(-1)?.body).slice(0, 200)}` : ''}`);

// No answer carries another tenant's data: each tenant's answers are alike, and unlike every other's.
const answerOf = new Map<string, Set<string>>();
for (const o of outcomes) {
  const a = o.attempts.at(-1);
  if (o.kind === 'good' && a?.status === 200) {
    const { thread_id: _t, id: _i, jti: _j, created_time: _c, ...rest } = a.body as Record<string, unknown>;
    answerOf.set(o.tenant, (answerOf.get(o.tenant) ?? new Set()).add(JSON.stringify(rest.body)));
  }
}
const distinct = [...answerOf.values()].flatMap((s) => [...s]);
check([...answerOf.values()].every((s) => s.size === 1) && new Set(distinct).size === distinct.length && answerOf.size === ids.length, `no answer carries another tenant's data: ${answerOf.size} tenants, each one answer body, ${new Set(distinct).size} distinct`);

// Audit, per tenant: the chain verifies (CLI), and holds what was sent to it.
let auditOk = true;
let lacking = 0;
let unacknowledgedAnswered = 0;
const perTenant: string[] = [];
for (const id of ids) {
  const verify = run(['--tenant', id, 'audit', 'verify']);
  check(verify.status === 0, `tenant ${id}: audit verify ${verify.status === 0 ? 'passes' : `FAILS: ${verify.stdout}${verify.stderr}`.slice(0, 300)}`);
  const activities = new Map<string, string[]>();
  let mismatchEntries = 0;
  // an unauthenticated refusal logs the claimed thread id as its sha256 only (no echo of input)
  const tokenRefused = new Set<string>();
  for await (const [, line] of openState(tenantConfig(base, id))!.audit.lines()) {
    const e = JSON.parse(line) as { thread_id?: string; activity: string; code?: string; claimed?: { thread_id_sha256?: string } };
    if (e.activity === 'request-refused' && e.code === 'tenant_mismatch') mismatchEntries++;
    if (e.activity === 'rejected' && e.code === 'invalid_token' && e.claimed?.thread_id_sha256) tokenRefused.add(e.claimed.thread_id_sha256);
    else if (e.thread_id) activities.set(e.thread_id, [...(activities.get(e.thread_id) ?? []), e.activity]);
  }
  const mine = outcomes.filter((o) => o.tenant === id);
  const acked = (kind: string) => mine.filter((o) => o.kind === kind).flatMap((o) => o.attempts.filter((a) => a.status !== undefined));
  const tried = (kind: string) => mine.filter((o) => o.kind === kind).flatMap((o) => o.attempts);
  const answered = (t: string) => activities.get(t)?.includes('answer-sent') ?? false;
  const refused = (t: string) => tokenRefused.has(createHash('sha256').update(t).digest('hex'));
  // acknowledged: must be there; sent but never acknowledged (killed in flight): may be there or not
  const goodLacking = acked('good').filter((a) => !answered(a.thread)).length;
  const badLacking = acked('badtoken').filter((a) => !refused(a.thread)).length;
  lacking += goodLacking + badLacking;
  const answeredThreads = [...activities.entries()].filter(([t, a]) => a.includes('answer-sent') && all.some((p) => t.startsWith(`${p.prefix}-`))).length;
  unacknowledgedAnswered += answeredThreads - acked('good').length;
  const ok = acked('good').length > 0 && acked('mismatch').length > 0 && acked('badtoken').length > 0 && goodLacking === 0 && badLacking === 0 && answeredThreads >= acked('good').length && answeredThreads <= tried('good').length && mismatchEntries >= acked('mismatch').length && mismatchEntries <= tried('mismatch').length;
  auditOk &&= ok;
  perTenant.push(`${id}: answer-sent ${answeredThreads} (acknowledged ${acked('good').length}), tenant_mismatch ${mismatchEntries} (acknowledged ${acked('mismatch').length}), bad token refused ${acked('badtoken').length - badLacking}/${acked('badtoken').length}`);
}
check(auditOk, `audit entries per tenant match the requests sent to it (${ids.length} tenants)`);
check(lacking === 0, `no acknowledged request lacks its audit entries (${lacking} lacking; ${unacknowledgedAnswered} answered in the audit but never acknowledged: in flight at the kill)`);

const one = phases[`p${p1}`]!;
const many = phases[`p${pN}`]!;
console.log(`Scale-out benchmark: ${tenantCount} tenants × ${employees}+ employees, ${requests} requests per phase (3/5 good, 1/5 tenant_mismatch, 1/5 bad token), ${connections} connections, state in PostgreSQL (schema ${schema})`);
console.log('| phase | processes | requests/s | p99 latency | socket failures | retried | peak RSS per process (MB) |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, r] of Object.entries(phases)) console.log(`| ${name} | ${r.processes} | ${r.rps.toFixed(1)} | ${r.p99.toFixed(0)} ms | ${r.socketFailures} | ${r.retried} | ${r.peakRssMb.join(', ')} |`);
console.log(`ratio P=${pN} / P=${p1}: requests/s ${(many.rps / one.rps).toFixed(3)}, p99 ${(many.p99 / one.p99).toFixed(3)}`);
for (const line of perTenant.slice(0, 5)) console.log(`  ${line}`);
if (perTenant.length > 5) console.log(`  … ${perTenant.length - 5} more tenants`);
for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'} ${c.text}`);
writeResult({ tenants: tenantCount, employees, requests, connections, phases, ratioRps: many.rps / one.rps, ratioP99: many.p99 / one.p99, checks });

if (!process.argv.includes('--keep')) {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  await c.query(`DROP SCHEMA ${schema} CASCADE`);
  await c.end();
  rmSync(root, { recursive: true, force: true });
} else log(`kept ${root} and schema ${schema}`);
process.exit(checks.every((c) => c.ok) ? 0 : 1);
