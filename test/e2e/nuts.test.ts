// End to end over real HTTP in nuts mode: a datastation beside a STAND-IN Nuts node (not the real
// nuts-node, which cannot be built here; see test/nuts/stand-in-node.ts). The requester gets a token
// from the node for our compound service, presents a JSON-LD ValidatedQueryCredential (Base64
// SPARQL) in a DIDComm plaintext question; we introspect and verify through the node, do our own
// checks, and answer (auto release). Every refusal of the matrix is a problem report with one code
// and an audit entry, and leaks no dataset content.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { auditPath, verifyAuditLog } from '../../src/audit/index.js';
import { packageRoot, type Config } from '../../src/config/index.js';
import { runImport } from '../../src/importer/index.js';
import { ProfileRegistry } from '../../src/profiles/index.js';
import { EXAMPLE_DIR } from '../helpers.js';
import { makeWorld } from '../trust/world.js';
import { StandInNode } from '../nuts/stand-in-node.js';
import { threadEntries } from './support.js';

const profileRoots = [join(packageRoot(), 'profiles')];
const PR = 'https://didcomm.org/report-problem/2.0/problem-report';
// Narrower than the profile's own specs (jaar 2000–2100): 2023 passes the profile, not the credential.
const PARAMS_SHACL = `@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix p: <https://kik-v.nl/parameters#> .
p:Shape a sh:NodeShape ; sh:targetClass p:Parameters ;
  sh:property [ sh:path p:jaar ; sh:datatype xsd:integer ; sh:minInclusive 2024 ; sh:maxInclusive 2026 ; sh:minCount 1 ; sh:maxCount 1 ] ;
  sh:property [ sh:path p:kwartaal ; sh:in ("Q1" "Q2" "Q3" "Q4") ; sh:minCount 1 ] .`;
let node: StandInNode;
let config: Config;
let ds: Datastation;
let base: string;
let us: string;
let beheer: string;
let afnemer: string;
let other: string;
let rogue: string;
let manual: string;
let sparql: string;
// The requester's own message endpoint, for answers released by hand.
let inbox: Server;
const received: { authorization?: string; type?: string; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  node = await new StandInNode({ apiToken: 'node-api-token' }).start();
  us = await node.createDid('aanbieder');
  beheer = await node.createDid('beheer');
  afnemer = await node.createDid('afnemer');
  other = await node.createDid('other');
  rogue = await node.createDid('rogue');
  manual = await node.createDid('manual');
  inbox = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ authorization: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => inbox.listen(0, '127.0.0.1', r));
  // The requester registered its message endpoint at its node (v5 compound service).
  node.compoundServices.set(manual, [{ id: `${manual}#svc`, type: 'didcomm-service-kikv', serviceEndpoint: { oauth: 'https://node.example/n2n/auth/v1/accesstoken', didcomm: `http://127.0.0.1:${(inbox.address() as { port: number }).port}/inbox` } }]);
  node.trust(beheer, 'ValidatedQueryCredential');
  // The node would accept the rogue issuer: our own allow-list must still refuse it.
  node.trust(rogue, 'ValidatedQueryCredential');
  const w = await makeWorld({
    'query.workers': 1,
    'exchange.release': [{ requester: manual, mode: 'manual' }],
    'exchange.allowHttpReplyUrl': true,
    'exchange.allowLoopbackReplyUrl': true, // the stand-in requester endpoint is on loopback
    'exchange.deliveryBackoffMs': 20,
    'trust.mode': 'nuts',
    'trust.nuts': { internalUrl: node.url, apiToken: 'node-api-token', did: us, beheerDids: [beheer], timeoutMs: 1000 },
  });
  config = w.config;
  await runImport(config, { inputs: [EXAMPLE_DIR] });
  ds = await startDatastation(config, { profileRoots, pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
  sparql = Buffer.from(ProfileRegistry.load(profileRoots).indicator('demo', 'staff-pro-rata').text).toString('base64');
}, 120_000);

afterAll(async () => {
  await ds.close();
  await node.close();
  await new Promise<void>((r) => inbox.close(() => r()));
});

/** The requester's node hands out a token for our service (as after an RFC003 grant). */
async function token(requester = afnemer, service = 'didcomm-service-kikv'): Promise<string> {
  const response = await fetch(`${node.url}/internal/auth/v1/request-access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer node-api-token' },
    body: JSON.stringify({ authorizer: us, requester, service, credentials: [] }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

interface Ask {
  holder?: string;
  from?: string;
  issuer?: string;
  vq?: Record<string, unknown>;
  tamper?: boolean;
  bearer?: string;
  message?: Record<string, unknown>;
  parameters?: Record<string, unknown>;
}

async function question(a: Ask = {}) {
  const holder = a.holder ?? afnemer;
  const validatedQuery = { id: `urn:uuid:${randomUUID()}`, name: 'staff pro rata', description: 'test', ontology: ['http://purl.org/ozo/onz-g', 'onz@3.0.0'], profile: 'demo@1.0.0', sparql, paramsSHACL: PARAMS_SHACL, ...a.vq };
  let vc = await node.issueCredential(a.issuer ?? beheer, 'ValidatedQueryCredential', { id: holder, validatedQuery });
  if (a.tamper) vc = { ...vc, credentialSubject: { id: holder, validatedQuery: { ...validatedQuery, sparql: Buffer.from('SELECT * WHERE { ?s ?p ?o }').toString('base64') } } };
  const vp = await node.createPresentation(holder, [vc], { challenge: randomUUID(), domain: us, expiresSeconds: 60 });
  const now = Math.floor(Date.now() / 1000);
  return {
    id: randomUUID(),
    type: 'https://www.kik-v.nl/validated-query-request/1.0/request',
    from: a.from ?? holder,
    to: [us],
    created_time: now,
    expires_time: now + 300,
    body: { vp: Buffer.from(JSON.stringify(vp)).toString('base64'), parameters: a.parameters ?? { jaar: 2025, kwartaal: 'Q1' } },
    ...a.message,
  };
}

async function send(message: unknown, bearer: string | undefined) {
  const response = await fetch(`${base}/api/verifiedsparql`, {
    method: 'POST',
    headers: { 'content-type': 'application/didcomm-plain+json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(message),
  });
  return { status: response.status, text: await response.clone().text(), body: (await response.json()) as Record<string, unknown> & { body: Record<string, unknown> } };
}

const thread = (id: string) => threadEntries(config.dataDir, id);

describe('nuts mode, v5 flow through the stand-in node', () => {
  it('answers a DIDComm question: introspect, verify at the node, own checks, run, answer with thid', async () => {
    const message = await question();
    const calls = node.calls.length;
    const { status, body } = await send(message, await token());
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'https://www.kik-v.nl/validated-query-request/1.0/response', thid: message.id, from: us, to: [afnemer] });
    const [entry] = (body.body as { response: { resultset: { result: { results: { bindings: Record<string, { value: string }>[] } } }[] } }).response.resultset;
    expect(entry!.result.results.bindings.find((b) => b.Indeling?.value === 'Organisatie')?.Totaal?.value).toBe('92.69');
    expect(node.calls.slice(calls)).toEqual(['POST /internal/auth/v1/request-access-token', 'POST /internal/auth/v1/accesstoken/introspect', 'POST /internal/vcr/v2/verifier/vp']);
    expect((await thread(message.id)).map((e) => e.activity)).toEqual(['received', 'token-checked', 'presentation-verified', 'query-validated', 'executed', 'answer-sent']);
  });

  it('reads param_values (a JSON text) as well, checked against paramsSHACL', async () => {
    const message = await question();
    const { parameters: _p, ...body } = message.body;
    const { status } = await send({ ...message, body: { ...body, param_values: JSON.stringify({ jaar: 2024, kwartaal: 'Q2' }) } }, await token());
    expect(status).toBe(200);
    expect((await thread(message.id)).find((e) => e.activity === 'query-validated')).toMatchObject({ questions: [{ parameters: { jaar: 2024, kwartaal: 'Q2' } }] });
  });

  it("answers a question released by hand at the requester's registered endpoint, with a token from our node", async () => {
    const message = await question({ holder: manual });
    const { status, body } = await send(message, await token(manual));
    expect(status).toBe(202);
    const releaseId = body.release_id as string;
    await ds.queue.decide(releaseId, { decision: 'approved', by: 'test' });
    expect((await ds.deliverer.deliver(ds.queue.get(releaseId))).delivery).toBe('delivered');
    const reply = received.find((r) => r.body.thid === message.id)!;
    expect(reply.type).toBe('application/didcomm-plain+json');
    expect(reply.body).toMatchObject({ type: 'https://www.kik-v.nl/validated-query-request/1.0/response', from: us, to: [manual] });
    // The bearer token is one our node issued for the requester's service, with the requester as authorizer.
    const introspected = await fetch(`${node.url}/internal/auth/v1/accesstoken/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer node-api-token' },
      body: new URLSearchParams({ token: reply.authorization!.replace(/^Bearer /, '') }).toString(),
    });
    expect(await introspected.json()).toMatchObject({ active: true, iss: manual, sub: us, service: 'didcomm-service-kikv' });
    expect((await thread(message.id)).map((e) => e.activity)).toEqual(['received', 'token-checked', 'presentation-verified', 'query-validated', 'reply-endpoint-found', 'executed', 'queued-for-release', 'released', 'answer-sent']);
  });

  it('a DIDComm answer corrected by hand says so in its body; a rejection carries the reason in comment and args', async () => {
    const message = await question({ holder: manual });
    const releaseId = (await send(message, await token(manual))).body.release_id as string;
    const row = 0;
    const corrected = await ds.queue.correct(releaseId, { by: 'test', reason: 'source fixed', changes: [{ question: 'staff-pro-rata', row, column: 'Totaal', value: '1.5' }] });
    await ds.queue.decide(releaseId, { decision: 'approved', by: 'test' });
    expect((await ds.deliverer.deliver(ds.queue.get(releaseId))).delivery).toBe('delivered');
    const reply = received.find((r) => r.body.thid === message.id)!.body as { body: { response: { resultset: { result: { results: { bindings: Record<string, { value: string }>[] } } }[] }; corrected: unknown } };
    expect(reply.body.response.resultset[0]!.result.results.bindings[row]!.Totaal!.value).toBe('1.5');
    expect(reply.body.corrected).toEqual({ at: corrected.corrections![0]!.at, reason: 'source fixed', corrections: 1, cells: [{ question: 'staff-pro-rata', row, column: 'Totaal' }] });

    const refused = await question({ holder: manual });
    const refusedId = (await send(refused, await token(manual))).body.release_id as string;
    await ds.queue.decide(refusedId, { decision: 'rejected', by: 'test', reason: 'ask for\u0000 the whole year' });
    expect((await ds.deliverer.deliver(ds.queue.get(refusedId))).delivery).toBe('delivered');
    expect(received.find((r) => r.body.pthid === refused.id)!.body).toMatchObject({
      type: PR,
      body: { code: 'e.p.release_refused', comment: 'the organisation declined to release this answer: ask for the whole year', args: ['ask for the whole year'] },
    });
  });

  it('refuses a question released by hand when the requester has no registered endpoint', async () => {
    const services = node.compoundServices.get(manual)!;
    node.compoundServices.delete(manual);
    try {
      const message = await question({ holder: manual });
      const got = await send(message, await token(manual));
      expect([got.status, got.body.type, got.body.body.code]).toEqual([503, PR, 'e.p.trust_unavailable']);
      expect((await thread(message.id)).at(-1)).toMatchObject({ activity: 'rejected', code: 'trust_unavailable' });
    } finally {
      node.compoundServices.set(manual, services);
    }
  });

  it('does not offer its own token endpoint', async () => {
    expect((await fetch(`${base}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'x' }) })).status).toBe(404);
    expect((await fetch(`${base}/.well-known/oauth-authorization-server`)).status).toBe(404);
    expect(((await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> }).paths).not.toHaveProperty('/oauth2/token');
    expect(await (await fetch(`${base}/datacatalog`)).text()).not.toContain('/oauth2/token');
  });
});

describe('the refusal matrix through the node path', () => {
  const cases: [string, () => Promise<{ message: unknown; bearer?: string }>, number, string][] = [
    ['an unknown token', async () => ({ message: await question(), bearer: 'not-a-token-the-node-issued' }), 403, 'invalid_token'],
    ['an expired token', async () => ({ message: await question(), bearer: node.issueToken('v5', { iss: us, sub: afnemer, service: 'didcomm-service-kikv' }, -1) }), 403, 'invalid_token'],
    ['a token for another service', async () => ({ message: await question(), bearer: await token(afnemer, 'some-other-service') }), 403, 'token_wrong_service'],
    ['a token of another requester', async () => ({ message: await question(), bearer: await token(other) }), 403, 'token_subject_mismatch'],
    ['the VP of someone else', async () => ({ message: await question({ holder: other, from: afnemer }), bearer: await token() }), 401, 'presenter_mismatch'],
    ['a credential from an issuer the node trusts but we do not', async () => ({ message: await question({ issuer: rogue }), bearer: await token() }), 403, 'issuer_not_trusted'],
    ['a tampered credential (the node says invalid)', async () => ({ message: await question({ tamper: true }), bearer: await token() }), 401, 'presentation_rejected_by_node'],
    ['a query no served profile validated', async () => ({ message: await question({ vq: { sparql: Buffer.from('SELECT * WHERE { ?s ?p ?o }').toString('base64') } }), bearer: await token() }), 422, 'query_mismatch'],
    ['a parameter outside the profile constraints', async () => ({ message: await question({ parameters: { jaar: 2025, kwartaal: 'Q5' } }), bearer: await token() }), 422, 'invalid_parameter'],
    ['a parameter the profile accepts but paramsSHACL does not', async () => ({ message: await question({ parameters: { jaar: 2023, kwartaal: 'Q1' } }), bearer: await token() }), 422, 'params_shacl_violation'],
    ['a paramsSHACL that is not SHACL', async () => ({ message: await question({ vq: { paramsSHACL: 'not turtle at all {' } }), bearer: await token() }), 422, 'params_shacl_invalid'],
  ];
  it.each(cases)('%s', async (_name, make, status, code) => {
    const { message, bearer } = await make();
    const got = await send(message, bearer);
    expect([got.status, got.body.type, got.body.pthid, got.body.body.code]).toEqual([status, PR, (message as { id: string }).id, `e.p.${code}`]);
    expect((await thread((message as { id: string }).id)).at(-1)).toMatchObject({ activity: 'rejected', code });
    expect(got.text).not.toMatch(/92\.69|Organisatie/);
  });

  it('refuses a replayed message id and a replayed presentation', async () => {
    const message = await question();
    expect((await send(message, await token())).status).toBe(200);
    const again = await send(message, await token());
    expect([again.status, again.body.body.code]).toEqual([409, 'e.p.replayed_message']);
    const sameVp = await send({ ...message, id: randomUUID() }, await token());
    expect([sameVp.status, sameVp.body.body.code]).toEqual([409, 'e.p.replayed_challenge']);
  });

  it.each(['down', 'slow', 'malformed'] as const)('refuses when the node is %s (trust_unavailable, audited)', async (mode) => {
    const message = await question();
    const bearer = await token();
    node.mode = mode;
    node.slowMs = 1500;
    try {
      const got = await send(message, bearer);
      expect([got.status, got.body.body.code]).toEqual([503, 'e.p.trust_unavailable']);
      expect((await thread(message.id)).at(-1)).toMatchObject({ activity: 'rejected', code: 'trust_unavailable' });
    } finally {
      node.mode = 'ok';
    }
  });

  it('leaves an audit log that verifies', async () => {
    expect((await verifyAuditLog(auditPath(config.dataDir))).ok).toBe(true);
  });
});
