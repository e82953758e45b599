// The stand-in node against the real node's published OpenAPI files: every response the
// stand-in gives for an operation the datastation calls has every required property of the
// documented 200 schema, no undeclared property where the schema does not allow extra ones, and
// the documented primitive types. The files are read from /work/notes/nuts-openapi (exported
// for reading only, not in the repository: their text stays out of it); when that folder is
// absent, this suite is SKIPPED (vitest reports it as skipped, not passed).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StandInNode } from './stand-in-node.js';

const DIR = process.env.NUTS_OPENAPI_DIR ?? '/work/notes/nuts-openapi';
type Schema = { $ref?: string; type?: string; required?: string[]; properties?: Record<string, Schema>; additionalProperties?: unknown; items?: Schema };

function responseSchema(file: string, path: string, method: string): { doc: { components?: { schemas?: Record<string, Schema> } }; schema: Schema } {
  const doc = parse(readFileSync(join(DIR, file), 'utf8')) as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
    components?: { schemas?: Record<string, Schema> };
  };
  return { doc, schema: doc.paths[path]![method]!.responses['200']!.content!['application/json']!.schema };
}

function resolve(doc: { components?: { schemas?: Record<string, Schema> } }, schema: Schema): Schema | undefined {
  if (!schema.$ref) return schema;
  // Only local references are followed; a property typed in another file is checked for presence only.
  return schema.$ref.startsWith('#/components/schemas/') ? doc.components?.schemas?.[schema.$ref.slice('#/components/schemas/'.length)] : undefined;
}

const JSON_TYPE: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === 'number',
  array: Array.isArray,
  object: (v) => !!v && typeof v === 'object' && !Array.isArray(v),
};

/** Problems of `value` against `schema` (empty when it conforms). */
function problems(doc: Parameters<typeof resolve>[0], schema: Schema, value: unknown, at = '$'): string[] {
  const s = resolve(doc, schema);
  if (!s) return [];
  if (s.type && JSON_TYPE[s.type] && !JSON_TYPE[s.type]!(value)) return [`${at}: not ${s.type}`];
  if (s.type === 'array' && s.items) return (value as unknown[]).flatMap((v, i) => problems(doc, s.items!, v, `${at}[${i}]`));
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: string[] = [];
  const o = value as Record<string, unknown>;
  for (const r of s.required ?? []) if (!(r in o)) out.push(`${at}.${r}: required, missing`);
  for (const [k, v] of Object.entries(o)) {
    const declared = s.properties?.[k];
    if (declared) out.push(...problems(doc, declared, v, `${at}.${k}`));
    else if (s.properties && s.additionalProperties === undefined) out.push(`${at}.${k}: not declared`);
  }
  return out;
}

describe.skipIf(!existsSync(DIR))('stand-in node responses match the Nuts OpenAPI files (skipped when the files are absent)', () => {
  let node: StandInNode;
  let did: string;
  const post = async (path: string, body: unknown, form = false) =>
    fetch(node.url + path, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
    }).then((r): Promise<unknown> => r.json());
  const get = async (path: string) => fetch(node.url + path).then((r): Promise<unknown> => r.json());

  beforeAll(async () => {
    node = await new StandInNode().start();
    did = await node.createDid('x');
    node.trust(did, 'ValidatedQueryCredential');
  });
  afterAll(async () => node.close());

  const check = (file: string, path: string, method: string, value: unknown) => {
    const { doc, schema } = responseSchema(file, path, method);
    expect(problems(doc, schema, value)).toEqual([]);
  };

  it('v5 and v6 introspection, active and inactive', async () => {
    const v5 = node.issueToken('v5', { iss: did, sub: did, service: 'didcomm-service-kikv' });
    check('v5/auth/v1.yaml', '/internal/auth/v1/accesstoken/introspect', 'post', await post('/internal/auth/v1/accesstoken/introspect', { token: v5 }, true));
    check('v5/auth/v1.yaml', '/internal/auth/v1/accesstoken/introspect', 'post', await post('/internal/auth/v1/accesstoken/introspect', { token: 'x' }, true));
    const v6 = node.issueToken('v6', { iss: 'https://as/oauth2/x', client_id: 'https://c', scope: 's', organization_did: did });
    check('v6/auth/v2.yaml', '/internal/auth/v2/accesstoken/introspect', 'post', await post('/internal/auth/v2/accesstoken/introspect', { token: v6 }, true));
  });

  it('token requests (v5 RFC003, v6 service access token)', async () => {
    check('v5/auth/v1.yaml', '/internal/auth/v1/request-access-token', 'post', await post('/internal/auth/v1/request-access-token', { authorizer: did, requester: did, service: 's', credentials: [] }));
    check('v6/auth/v2.yaml', '/internal/auth/v2/{subjectID}/request-service-access-token', 'post', await post('/internal/auth/v2/x/request-service-access-token', { authorization_server: 'https://as', scope: 's' }));
  });

  it('presentation verification, valid and invalid, in both versions', async () => {
    const vc = await node.issueCredential(did, 'ValidatedQueryCredential', { id: did });
    const vp = await node.createPresentation(did, [vc], { challenge: 'c' });
    for (const v of ['v5', 'v6']) {
      check(`${v}/vcr/vcr_v2.yaml`, '/internal/vcr/v2/verifier/vp', 'post', await post('/internal/vcr/v2/verifier/vp', { verifiablePresentation: vp }));
      check(`${v}/vcr/vcr_v2.yaml`, '/internal/vcr/v2/verifier/vp', 'post', await post('/internal/vcr/v2/verifier/vp', { verifiablePresentation: { ...vp, holder: 'x' } }));
    }
  });

  it('v5 didman compound services and endpoint lookup, v6 Discovery search', async () => {
    const base = `/internal/didman/v1/did/${encodeURIComponent(did)}/compoundservice`;
    check('v5/didman/v1.yaml', '/internal/didman/v1/did/{did}/compoundservice', 'post', await post(base, { type: 'kikv', serviceEndpoint: { oauth: 'https://n/o', didcomm: 'https://d/m' } }));
    check('v5/didman/v1.yaml', '/internal/didman/v1/did/{did}/compoundservice', 'get', await get(base));
    check('v5/didman/v1.yaml', '/internal/didman/v1/did/{did}/compoundservice/{compoundServiceType}/endpoint/{endpointType}', 'get', await get(`${base}/kikv/endpoint/didcomm`));
    // activation documents a 200 without a body
    const activated = await fetch(`${node.url}/internal/discovery/v1/kikv/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registrationParameters: { kikv_message_endpoint: 'https://d/m' } }) });
    expect([activated.status, await activated.text()]).toEqual([200, '']);
    const found = await get('/internal/discovery/v1/kikv');
    expect(found).toHaveLength(1);
    check('v6/discovery/v1.yaml', '/internal/discovery/v1/{serviceID}', 'get', found);
  });

  it('the checker itself finds a missing required property and an undeclared one', () => {
    const { doc, schema } = responseSchema('v5/auth/v1.yaml', '/internal/auth/v1/request-access-token', 'post');
    expect(problems(doc, schema, { access_token: 'a', token_type: 'b' })).toEqual(['$.expires_in: required, missing']);
    expect(problems(doc, schema, { access_token: 'a', token_type: 'b', expires_in: 1, extra: 1 })).toEqual(['$.extra: not declared']);
  });
});
