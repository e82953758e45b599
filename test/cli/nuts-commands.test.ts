// `datastation nuts register | status` against the stand-in node (not the real nuts-node):
// v5 compound service and v6 Discovery activation, idempotent, and refusals with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { nutsRegister, nutsStatus } from '../../src/cli/nuts-commands.js';
import { codeOf } from '../trust/world.js';
import { StandInNode } from '../nuts/stand-in-node.js';

let node: StandInNode;
const cfg = (nuts: Record<string, unknown>) =>
  loadConfig({ env: {}, overrides: { 'server.publicUrl': 'https://ds.example', 'trust.mode': 'nuts', 'trust.nuts': { internalUrl: node.url, did: 'did:nuts:us', beheerDids: ['did:nuts:beheer'], ...nuts } } });

beforeAll(async () => {
  node = await new StandInNode().start();
});
afterAll(async () => node.close());

describe('datastation nuts', () => {
  it('v5: registers the compound service with oauth and our message endpoint, idempotently, and shows it', async () => {
    const config = cfg({ oauthEndpoint: 'https://node.example/n2n/auth/v1/accesstoken' });
    expect((await nutsStatus(config)).join('\n')).toContain('no compound services registered');
    await nutsRegister(config);
    const first = node.compoundServices.get('did:nuts:us')![0]!;
    expect(first).toMatchObject({ type: 'didcomm-service-kikv', serviceEndpoint: { oauth: 'https://node.example/n2n/auth/v1/accesstoken', didcomm: 'https://ds.example/api/verifiedsparql' } });
    await nutsRegister(config);
    expect(node.compoundServices.get('did:nuts:us')).toEqual([first]);
    expect((await nutsStatus(config)).join('\n')).toContain('compound service didcomm-service-kikv (ours): oauth → https://node.example/n2n/auth/v1/accesstoken, didcomm → https://ds.example/api/verifiedsparql');
  });
  it('v6: activates on the Discovery Service with the message endpoint parameter', async () => {
    const config = cfg({ version: 'v6', subjectId: 'aanbieder' });
    await nutsRegister(config);
    expect(node.discovery.get('kikv')?.get('aanbieder')).toEqual({ kikv_message_endpoint: 'https://ds.example/api/verifiedsparql' });
    expect((await nutsStatus(config)).join('\n')).toContain('kikv_message_endpoint → https://ds.example/api/verifiedsparql');
  });
  it('refuses without what it needs, and when the node is down', async () => {
    expect(await codeOf(nutsRegister(cfg({})))).toBe('trust_unavailable');
    expect(await codeOf(nutsRegister(loadConfig({ env: {} })))).toBe('trust_unavailable');
    node.mode = 'down';
    try {
      expect(await codeOf(nutsStatus(cfg({})))).toBe('trust_unavailable');
    } finally {
      node.mode = 'ok';
    }
  });
});
