// The world bench:e2e and bench:flood measure in: a generated organisation imported into a fresh
// data folder (generated and imported in a child process: world-prepare.ts), our identity, an
// issuer trusted for question credentials, a requester, the datastation listening on loopback, a
// token for the requester, and signed question messages.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDatastation, type Datastation } from '../src/api/index.js';
import { loadConfig, packageRoot, type Config } from '../src/config/index.js';
import { indicatorClaims, trustIssuer } from '../src/cli/credentials-commands.js';
import { Parties, SCOPE, initIdentity } from '../src/trust/index.js';

export interface BenchWorld {
  root: string;
  config: Config;
  ds: Datastation;
  url: string;
  requester: string;
  ownDid: string;
  /** A token for the requester (scope SCOPE). */
  accessToken: string;
  /** One question message (2021 JSON envelope) with a fresh presentation of the question credential. */
  message(threadId: string, parameters?: Record<string, unknown>): Promise<string>;
}

/** `name` names the temporary folder; `overrides` are config overrides beside the data folder; `beforeServer` runs just before it starts. */
export async function benchWorld(name: string, employees: number, indicator: string, overrides: Record<string, unknown>, beforeServer?: () => void): Promise<BenchWorld> {
  const root = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  process.stderr.write(`… generating and importing ${employees} employees\n`);
  const prepared = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(new URL(`./world-prepare${extname(fileURLToPath(import.meta.url))}`, import.meta.url)), root, String(employees), JSON.stringify(overrides)], { stdio: 'inherit' });
  if (prepared.status !== 0) throw new Error(`generating and importing failed (exit ${prepared.status ?? prepared.signal})`);
  const config = loadConfig({ env: {}, overrides: { dataDir: join(root, 'data'), ...overrides } });
  const { identity } = await initIdentity(config, {});
  const parties = await Parties.open(join(root, 'parties'));
  const beheer = (await parties.create('web', 'beheer.kik-v.example')).did;
  const requester = (await parties.create('key')).did;
  trustIssuer(config, beheer, ['ValidQueryCredential'], parties.documentsDir);
  beforeServer?.();
  const ds = await startDatastation(config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  const url = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  const vc = await parties.issueQuestion(beheer, requester, indicatorClaims(config, 'demo', indicator));
  const tokenResponse = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'vp_token-bearer', assertion: await parties.present(requester, identity.did, [vc]), scope: SCOPE }),
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  return {
    root, config, ds, url, requester, ownDid: identity.did, accessToken: access_token,
    async message(threadId, parameters) {
      const body = { message: await parties.present(requester, identity.did, [vc], 3600), ...(parameters ? { parameters } : {}) };
      return JSON.stringify({ type: 'v1/basic-message/request', jti: randomUUID(), from: requester, to: identity.did, thread_id: threadId, body });
    },
  };
}
