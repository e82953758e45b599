// The production ValidatedQueryCredential layout (KIK-V data spec 1.0.1): validatedQuery.{id |
// identifier, name, description, ontology[], profile, sparql (Base64), paramsSHACL}, normalised
// to the same question as the older layouts; the text must still be a validated query.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/index.js';
import { ProfileRegistry } from '../../src/profiles/index.js';
import { resolveQuestion } from '../../src/exchange/questions.js';
import { questionFields } from '../../src/trust/credentials.js';
import { codeOf, makeWorld, type World } from './world.js';

let w: World;
let registry: ProfileRegistry;
beforeAll(async () => {
  w = await makeWorld();
  registry = ProfileRegistry.load([join(packageRoot(), 'profiles')]);
});

const SHACL = '@prefix sh: <http://www.w3.org/ns/shacl#> .';
const demoQuery = () => registry.indicator('demo', 'agreements-by-kind').text;
const validatedQuery = (overrides: Record<string, unknown> = {}) => ({
  id: 'urn:uuid:aaadb8ae-0cbc-4b10-ac41-57df3aedcc5a',
  name: 'Working agreements by kind',
  description: 'test',
  ontology: ['http://purl.org/ozo/onz-g', 'onz@3.0.0'],
  profile: 'https://kik-v-publicatieplatform.nl/documentatie/demo/1.0.0',
  sparql: Buffer.from(demoQuery()).toString('base64'),
  paramsSHACL: SHACL,
  ...overrides,
});
async function present(vq: Record<string, unknown>) {
  const vc = await w.sign(w.beheer, w.vcPayload({}, { type: ['VerifiableCredential', 'ValidatedQueryCredential'], credentialSubject: { id: w.requester, validatedQuery: vq } }));
  return w.sign(w.requester, w.vpPayload([vc]));
}

describe('production ValidatedQueryCredential', () => {
  it('decodes Base64 SPARQL, reads ontology[] and the query id, keeps paramsSHACL, and resolves to the installed indicator', async () => {
    const [q] = (await w.trust.verifier.verify(await present(validatedQuery()), w.requester)).credentials;
    expect(q).toMatchObject({
      type: 'ValidatedQueryCredential',
      query: demoQuery(),
      queryId: 'urn:uuid:aaadb8ae-0cbc-4b10-ac41-57df3aedcc5a',
      ontology: [{ id: 'http://purl.org/ozo/onz-g' }, { id: 'onz', version: '3.0.0' }],
      profile: { id: 'https://kik-v-publicatieplatform.nl/documentatie/demo', version: '1.0.0' },
      paramsShacl: SHACL,
    });
    const question = resolveQuestion(q!, registry, {}, w.config.query);
    expect([question.profile, question.version, question.id]).toEqual(['demo', '1.0.0', 'agreements-by-kind']);
  });

  it('accepts identifier instead of id', async () => {
    const [q] = (await w.trust.verifier.verify(await present(validatedQuery({ id: undefined, identifier: 'urn:uuid:1' })), w.requester)).credentials;
    expect(q!.queryId).toBe('urn:uuid:1');
  });

  it('refuses Base64 of text that is not a validated query, an unserved ontology version and another profile', async () => {
    const other = (await w.trust.verifier.verify(await present(validatedQuery({ sparql: Buffer.from('SELECT * WHERE { ?s ?p ?o }').toString('base64') })), w.requester)).credentials[0]!;
    expect(await codeOf(Promise.resolve().then(() => resolveQuestion(other, registry, {}, w.config.query)))).toBe('query_mismatch');
    const old = (await w.trust.verifier.verify(await present(validatedQuery({ ontology: ['onz@2.0.0'] })), w.requester)).credentials[0]!;
    expect(await codeOf(Promise.resolve().then(() => resolveQuestion(old, registry, {}, w.config.query)))).toBe('ontology_not_served');
    const elsewhere = (await w.trust.verifier.verify(await present(validatedQuery({ profile: 'https://kik-v-publicatieplatform.nl/documentatie/zorgkantoren/1.0.0' })), w.requester)).credentials[0]!;
    expect(await codeOf(Promise.resolve().then(() => resolveQuestion(elsewhere, registry, {}, w.config.query)))).toBe('profile_not_served');
  });

  it('refuses an empty ontology list, a non-text paramsSHACL and an oversized query', async () => {
    expect(await codeOf(w.trust.verifier.verify(await present(validatedQuery({ ontology: [] })), w.requester))).toBe('incomplete_credential');
    expect(await codeOf(w.trust.verifier.verify(await present(validatedQuery({ paramsSHACL: { '@graph': [] } })), w.requester))).toBe('incomplete_credential');
    // a field over the query limit is refused before decoding (a VP that big is refused as a JWT already)
    const layout = w.config.trust.credentialTypes.find((t) => t.type === 'ValidatedQueryCredential')!;
    const vc = { type: ['VerifiableCredential', 'ValidatedQueryCredential'], credentialSubject: { validatedQuery: validatedQuery({ sparql: 'A'.repeat(360 * 1024) }) } };
    expect(await codeOf(Promise.resolve().then(() => questionFields(vc, layout)))).toBe('incomplete_credential');
    expect(questionFields({ ...vc, credentialSubject: { validatedQuery: validatedQuery() } }, layout).query).toBe(demoQuery());
  });
});
