// The organisation's own identity (keys encrypted at rest) and resolution/fetching that goes
// online: did:web documents and status lists from a loopback HTTP server, with the limits.
import { createServer, type Server } from 'node:http';
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrust, didDocumentFileName, didWebUrl, initIdentity, openOwnAgent, statusListFileName } from '../../src/trust/index.js';
import { tempDir, testConfig } from '../helpers.js';
import { CLAIMS, codeOf, makeWorld, type World } from './world.js';

describe('own identity', () => {
  it('creates did:web with an Ed25519 key whose private part is only stored encrypted', async () => {
    const config = testConfig(tempDir(), { 'identity.domain': 'datastation.zorggroep.example' });
    const { identity, created } = await initIdentity(config, {});
    expect(identity.did).toBe('did:web:datastation.zorggroep.example');
    expect(created).toHaveLength(2);
    const stored = readFileSync(join(config.dataDir, 'identity', 'agent.json'), 'utf8');
    const state = JSON.parse(stored) as { privateKeys: Record<string, { privateKeyHex: string }> };
    const [sealed] = Object.values(state.privateKeys);
    // a raw Ed25519 private key is 64 hex chars (or 128 with the public half); sealed it is nonce + MAC longer
    expect(sealed!.privateKeyHex.length).toBeGreaterThan(128 + 48);
    // init is idempotent: same DID, nothing new
    const again = await initIdentity(config, {});
    expect([again.identity.did, again.created]).toEqual([identity.did, []]);
  });

  it('refuses to open the key store with the wrong secret, and uses the env secret when set', async () => {
    const config = testConfig(tempDir());
    await initIdentity(config, { DATASTATION_KEY_SECRET: 'correct horse battery staple' });
    await expect(openOwnAgent(config, { DATASTATION_KEY_SECRET: 'wrong' })).rejects.toMatchObject({ code: 'key_store_locked' });
    const agent = await openOwnAgent(config, { DATASTATION_KEY_SECRET: 'correct horse battery staple' });
    expect((await agent.didManagerFind()).map((i) => i.did)).toEqual(['did:web:localhost%3A8443']);
  });

  it('maps did:web to its document URL (did:web method §3.2)', () => {
    expect(didWebUrl('did:web:example.com')).toBe('https://example.com/.well-known/did.json');
    expect(didWebUrl('did:web:localhost%3A8443:kikv:ds')).toBe('https://localhost:8443/kikv/ds/did.json');
  });
});

describe('online resolution and status lists over (loopback) HTTP', () => {
  let server: Server;
  let port: number;
  let w: World;
  const served = new Map<string, string>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/huge') {
        res.writeHead(200);
        res.end('x'.repeat(3 * 1024 * 1024));
        return;
      }
      const body = served.get(req.url ?? '');
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(body ?? '{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    w = await makeWorld({ 'trust.didWebOnline': true, 'trust.statusListOnline': true, 'trust.allowInsecureHttp': true });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('resolves a did:web requester from its host and verifies its presentation', async () => {
    const host = `127.0.0.1%3A${port}`;
    const remote = await w.parties.create('web', `${host}:requester`);
    served.set('/requester/did.json', readFileSync(join(w.parties.documentsDir, didDocumentFileName(remote.did)), 'utf8'));
    const vc = await w.parties.issueQuestion(w.beheer, remote.did, CLAIMS);
    const vp = await w.parties.present(remote.did, w.did, [vc]);
    unlinkSync(join(w.parties.documentsDir, didDocumentFileName(remote.did))); // so only the host has it
    expect((await w.trust.verifier.verify(vp, remote.did)).presenter).toBe(remote.did);
  });

  it('fails closed on a document that is not for the DID asked', async () => {
    const host = `127.0.0.1%3A${port}`;
    const liar = await w.parties.create('web', `${host}:liar`);
    served.set('/liar/did.json', readFileSync(join(w.parties.documentsDir, didDocumentFileName(w.beheer)), 'utf8'));
    const vc = await w.parties.issueQuestion(w.beheer, liar.did, CLAIMS);
    const vp = await w.parties.present(liar.did, w.did, [vc]);
    unlinkSync(join(w.parties.documentsDir, didDocumentFileName(liar.did)));
    expect(await codeOf(w.trust.verifier.verify(vp, liar.did))).toBe('did_unresolvable');
  });

  it('fetches a status list from its URL and honours it', async () => {
    const url = `http://127.0.0.1:${port}/status/7`;
    const dir = tempDir();
    await w.parties.publishStatusList(w.beheer, url, [5], dir);
    served.set('/status/7', readFileSync(join(dir, statusListFileName(url)), 'utf8'));
    const check = async (index: number) => {
      const vc = await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS, { status: { url, index } });
      return codeOf(w.trust.verifier.verify(await w.parties.present(w.requester, w.did, [vc]), w.requester));
    };
    expect(await check(5)).toBe('credential_revoked');
    expect(await check(6)).toBe('accepted');
  });

  it('fails closed on a status list over the size limit', async () => {
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS, { status: { url: `http://127.0.0.1:${port}/huge`, index: 1 } });
    expect(await codeOf(w.trust.verifier.verify(await w.parties.present(w.requester, w.did, [vc]), w.requester))).toBe('status_unverifiable');
  });

  it('does not fetch plain http unless allowed', async () => {
    const strict = createTrust({ ...w.config, trust: { ...w.config.trust, allowInsecureHttp: false } });
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS, { status: { url: `http://127.0.0.1:${port}/status/7`, index: 6 } });
    expect(await codeOf(strict.verifier.verify(await w.parties.present(w.requester, w.did, [vc]), w.requester))).toBe('status_unverifiable');
  });
});
