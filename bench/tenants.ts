// What serving many organisations from one deployment costs per request: credentialed requests
// per second and p99 over real HTTP (autocannon) against the same organisation served alone,
// measured in the same run on the same data, through the tenant's path (/tenants/a/…: routing +
// the tenant guard) and unprefixed (routed by the message's `to` DID: the body read once more
// and handed on in-process). A second tenant is registered and served meanwhile.
//   npx tsx bench/tenants.ts [--requests 300] [--connections 8] [--out result.json]
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startDatastation } from '../src/api/index.js';
import { indicatorClaims, trustIssuer } from '../src/cli/credentials-commands.js';
import { loadConfig, packageRoot, type Config } from '../src/config/index.js';
import { runImport } from '../src/importer/index.js';
import { addTenant, startDeployment, tenantConfig } from '../src/tenants/index.js';
import { Parties, SCOPE, initIdentity } from '../src/trust/index.js';
import { arg, writeResult } from './args.js';

const requests = Number(arg('requests', '300'));
const connections = Number(arg('connections', '8'));
const example = join(packageRoot(), 'examples', 'de-linde');
const root = mkdtempSync(join(tmpdir(), 'bench-tenants-'));
const parties = await Parties.open(join(root, 'parties'));
const beheer = (await parties.create('web', 'beheer.kik-v.example')).did;
const requester = (await parties.create('key')).did;
const settings = { 'exchange.ratePerMinute': 1_000_000, 'query.workers': 1, 'exchange.defaultRelease': 'auto', 'exchange.smallCells': 'allow-with-reason', 'trust.didDocumentsDir': parties.documentsDir, 'server.port': 0, 'admin.port': 0 };

// Alone: one organisation's data directory.
const single = loadConfig({ env: {}, overrides: { dataDir: join(root, 'single'), ...settings } });
const { identity } = await initIdentity(single, {});
trustIssuer(single, beheer, ['ValidQueryCredential'], parties.documentsDir);
await runImport(single, { inputs: [example] });

// A deployment of two, the same organisation as tenant a.
const base = loadConfig({ env: {}, overrides: { dataDir: join(root, 'deployment'), ...settings } });
const tenant: Record<string, Config> = {};
for (const id of ['a', 'b']) {
  await addTenant(base, id, { actor: 'bench' });
  tenant[id] = tenantConfig(base, id);
  trustIssuer(tenant[id], beheer, ['ValidQueryCredential'], parties.documentsDir);
  await runImport(tenant[id], { inputs: [example] });
}

async function bodies(did: string, prefix: string): Promise<string[]> {
  const vc = await parties.issueQuestion(beheer, requester, indicatorClaims(single, 'demo', 'agreements-by-kind'));
  const out: string[] = [];
  for (let i = 0; i < requests; i++) {
    out.push(JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: requester, to: did, thread_id: `${prefix}-${i}`, body: { message: await parties.present(requester, did, [vc], 3600) } }));
  }
  return out;
}

async function token(url: string, did: string): Promise<string> {
  const vc = await parties.issueQuestion(beheer, requester, indicatorClaims(single, 'demo', 'agreements-by-kind'));
  const response = await fetch(`${url}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'vp_token-bearer', assertion: await parties.present(requester, did, [vc]), scope: SCOPE }) });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function load(url: string, path: string, bearer: string, messages: string[]) {
  let next = 0;
  const started = performance.now();
  let last = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections, amount: messages.length, timeout: 70, requests: [{ method: 'POST', path, setupRequest: (req) => ({ ...req, body: messages[next++]!, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' } }) }] },
      (error, res) => (error ? reject(error as Error) : resolve(res)),
    );
    instance.on('response', () => void (last = performance.now()));
  });
  return { rps: messages.length / ((last - started) / 1000), p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

const ds = await startDatastation(single, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
const singleUrl = await ds.app.listen({ host: '127.0.0.1', port: 0 });
const alone = await load(singleUrl, '/api/verifiedsparql', await token(singleUrl, identity.did), await bodies(identity.did, 'alone'));
await ds.close();

const deployment = await startDeployment(base, { profileRoots: (c) => [join(packageRoot(), 'profiles'), join(c.dataDir, 'profiles')], pollSeconds: 0 });
const { base: url } = await deployment.listen();
const didA = deployment.tenants.get('a')!.did;
const bearer = await token(url, didA);
const viaPath = await load(url, '/tenants/a/api/verifiedsparql', bearer, await bodies(didA, 'path'));
const viaDid = await load(url, '/api/verifiedsparql', bearer, await bodies(didA, 'did'));
await deployment.close();

const result = { requests, connections, alone, viaPath, viaDid, ratioPath: viaPath.rps / alone.rps, ratioDid: viaDid.rps / alone.rps };
console.log(`Tenants benchmark: ${requests} credentialed requests (demo agreements-by-kind), ${connections} connections, example organisation`);
console.log('| what | requests/s | p99 latency | non-2xx | errors |');
console.log('|---|---|---|---|---|');
console.log(`| baseline: the organisation alone (its own data directory) | ${alone.rps.toFixed(1)} | ${alone.p99} ms | ${alone.non2xx} | ${alone.errors} |`);
console.log(`| deployment of 2, /tenants/a/api/verifiedsparql | ${viaPath.rps.toFixed(1)} | ${viaPath.p99} ms | ${viaPath.non2xx} | ${viaPath.errors} |`);
console.log(`| deployment of 2, /api/verifiedsparql routed by the \`to\` DID | ${viaDid.rps.toFixed(1)} | ${viaDid.p99} ms | ${viaDid.non2xx} | ${viaDid.errors} |`);
console.log(`ratio to alone: by path ${result.ratioPath.toFixed(3)}, by DID ${result.ratioDid.toFixed(3)}`);
writeResult(result);
