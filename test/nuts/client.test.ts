// The Nuts node client against the stand-in node over real HTTP: v5 and v6 paths, the API token,
// and fail-closed behaviour (down, slow, malformed → trust_unavailable). Also the trust.mode
// config rules. The stand-in is not the real nuts-node (see its header).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { NutsNode, type NutsConfig } from '../../src/trust/index.js';
import { codeOf } from '../trust/world.js';
import { StandInNode } from './stand-in-node.js';

let node: StandInNode;
const client = (overrides: Partial<NutsConfig> = {}) =>
  new NutsNode(loadConfig({ env: {}, overrides: { 'trust.mode': 'nuts', 'trust.nuts': { internalUrl: node.url, apiToken: 'secret-api-token', did: 'did:nuts:us', beheerDids: ['did:nuts:beheer'], timeoutMs: 5000, ...overrides } } }).trust.nuts!);

beforeAll(async () => {
  node = await new StandInNode({ apiToken: 'secret-api-token' }).start();
});
afterAll(async () => node.close());

describe('Nuts node client', () => {
  it('introspects v5 and v6 tokens, and reports unknown ones inactive', async () => {
    const v5 = node.issueToken('v5', { iss: 'did:nuts:us', sub: 'did:nuts:them', service: 'didcomm-service-kikv' });
    expect(await client().introspect(v5)).toMatchObject({ active: true, iss: 'did:nuts:us', sub: 'did:nuts:them', service: 'didcomm-service-kikv' });
    expect((await client().introspect('unknown')).active).toBe(false);
    const v6 = node.issueToken('v6', { iss: 'https://as.example/oauth2/us', scope: 'kikv-validated-query', organization_did: 'did:web:them' });
    expect(await client({ version: 'v6' }).introspect(v6)).toMatchObject({ active: true, scope: 'kikv-validated-query', organization_did: 'did:web:them' });
    expect(node.calls).toContain('POST /internal/auth/v2/accesstoken/introspect');
  });

  it('verifies presentations through the node and reads validity', async () => {
    const beheer = await node.createDid('beheer');
    const holder = await node.createDid('afnemer');
    node.trust(beheer, 'ValidatedQueryCredential');
    const vc = await node.issueCredential(beheer, 'ValidatedQueryCredential', { id: holder, validatedQuery: { sparql: 'x' } });
    const vp = await node.createPresentation(holder, [vc], { challenge: 'c1' });
    expect((await client().verifyPresentation(vp)).validity).toBe(true);
    const tampered = { ...vp, verifiableCredential: [{ ...vc, credentialSubject: { id: holder, validatedQuery: { sparql: 'y' } } }] };
    expect(await client().verifyPresentation(tampered)).toMatchObject({ validity: false });
  });

  it('registers a compound service idempotently and looks endpoints up (v5), activates and searches Discovery (v6)', async () => {
    const c = client();
    const first = await c.registerCompoundService('did:nuts:us', 'didcomm-service-kikv', { oauth: 'https://node/n2n/auth/v1/accesstoken', didcomm: 'https://ds/api/verifiedsparql' });
    const again = await c.registerCompoundService('did:nuts:us', 'didcomm-service-kikv', { oauth: 'https://node/n2n/auth/v1/accesstoken', didcomm: 'https://ds/api/verifiedsparql' });
    expect(again.id).toBe(first.id);
    expect(await c.endpoint('did:nuts:us', 'didcomm-service-kikv', 'didcomm')).toBe('https://ds/api/verifiedsparql');
    const v6 = client({ version: 'v6' });
    await v6.activate('kikv', 'us', { kikv_message_endpoint: 'https://ds/api/verifiedsparql' });
    expect((await v6.search('kikv', {}))[0]).toMatchObject({ credential_subject_id: 'us', registrationParameters: { kikv_message_endpoint: 'https://ds/api/verifiedsparql' } });
    expect((await c.requestAccessToken({ authorizer: 'did:nuts:them', requester: 'did:nuts:us', service: 'didcomm-service-kikv' })).access_token).toBeTruthy();
    expect((await v6.requestAccessToken({ subjectId: 'us', authorizationServer: 'https://as.example/oauth2/them', scope: 'kikv-validated-query' })).token_type).toBe('Bearer');
  });

  it.each(['down', 'slow', 'malformed'] as const)('fails closed when the node is %s', async (mode) => {
    node.mode = mode;
    node.slowMs = 1000;
    // a short client timeout for the slow node; the other tests leave room for a loaded machine
    const impatient = () => client({ timeoutMs: 300 });
    try {
      expect(await codeOf(impatient().introspect('x'))).toBe('trust_unavailable');
      expect(await codeOf(impatient().verifyPresentation({}))).toBe('trust_unavailable');
    } finally {
      node.mode = 'ok';
    }
  });

  it('fails closed without the API token, and when nothing listens', async () => {
    expect(await codeOf(client({ apiToken: undefined }).introspect('x'))).toBe('trust_unavailable');
    expect(await codeOf(client({ internalUrl: 'http://127.0.0.1:9' }).introspect('x'))).toBe('trust_unavailable');
  });
});

describe('trust.mode configuration', () => {
  it('is builtin by default; nuts needs its section; the section refuses unknown keys', () => {
    expect(loadConfig({ env: {} }).trust.mode).toBe('builtin');
    expect(() => loadConfig({ env: {}, overrides: { 'trust.mode': 'nuts' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, overrides: { 'trust.mode': 'nuts', 'trust.nuts': { internalUrl: 'http://127.0.0.1:1', did: 'did:nuts:x', beheerDids: ['did:nuts:b'], sevice: 'typo' } } })).toThrow(/sevice/);
    const nuts = loadConfig({ env: {}, overrides: { 'trust.mode': 'nuts', 'trust.nuts': { internalUrl: 'http://127.0.0.1:1', did: 'did:nuts:x', beheerDids: ['did:nuts:b'] } } }).trust.nuts!;
    expect([nuts.version, nuts.service, nuts.acceptServices, nuts.messageEndpointKey, nuts.maxPresentationSeconds]).toEqual(['v5', 'didcomm-service-kikv', ['validated-query-service'], 'didcomm', 300]);
  });
});
