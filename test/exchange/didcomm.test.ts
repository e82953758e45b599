// DIDComm plaintext parsing and strict Base64: the shapes production KIK-V sends, and the ways a
// body can be wrong (each with one code).
import { describe, expect, it } from 'vitest';
import { testConfig } from '../helpers.js';
import { looksLikeDidcomm, problemReport } from '../../src/exchange/index.js';
import { parseDidcomm } from '../../src/exchange/didcomm.js';
import { base64Text, strictBase64 } from '../../src/trust/index.js';

const types = testConfig().exchange.didcomm;
const vp = { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], holder: 'did:nuts:afnemer' };
const message = (overrides: Record<string, unknown> = {}, body: Record<string, unknown> = {}) => ({
  id: '547429be-0b8c-4eb0-966d-6e1ab858127c',
  type: types.requestTypes[0],
  from: 'did:nuts:afnemer',
  to: ['did:nuts:aanbieder'],
  created_time: 1737763200,
  expires_time: 1737849600,
  body: { vp: Buffer.from(JSON.stringify(vp)).toString('base64'), param_values: '{"jaar":2025}', ...body },
  ...overrides,
});
const code = (f: () => unknown) => {
  try {
    f();
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe('DIDComm plaintext requests', () => {
  it('normalises a request: id is the thread, the VP is decoded from Base64 JSON-LD', () => {
    const m = parseDidcomm(message(), types);
    expect(m).toMatchObject({ form: 'didcomm', jti: message().id, thread_id: message().id, to: ['did:nuts:aanbieder'], exp: 1737849600, parameters: { jaar: 2025 } });
    expect(m.presentation).toEqual(vp);
  });
  it('keeps a compact JWT VP as it is, and a parameters map', () => {
    const m = parseDidcomm(message({}, { vp: 'eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln', param_values: undefined, parameters: { jaar: 2025 } }), types);
    expect(m.presentation).toBe('eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln');
    expect(m.parameters).toEqual({ jaar: 2025 });
  });
  it('refuses other message types, missing fields, and a VP that is not strict Base64 JSON', () => {
    expect(code(() => parseDidcomm(message({ type: 'https://didcomm.org/basicmessage/2.0/message' }), types))).toBe('wrong_message_type');
    expect(code(() => parseDidcomm(message({ to: [] }), types))).toBe('malformed_envelope');
    expect(code(() => parseDidcomm(message({ id: undefined }), types))).toBe('malformed_envelope');
    expect(code(() => parseDidcomm(message({}, { vp: 'not base64!' }), types))).toBe('invalid_presentation');
    expect(code(() => parseDidcomm(message({}, { parameters: { jaar: 2025 } }), types))).toBe('malformed_envelope');
    expect(code(() => parseDidcomm(message({}, { param_values: 'jaar=2025' }), types))).toBe('malformed_envelope');
    expect(code(() => parseDidcomm(message({}, { param_values: '{"jaar":{"nested":1}}' }), types))).toBe('malformed_envelope');
    expect(code(() => parseDidcomm(message({}, { vp: Buffer.from('[1,2]').toString('base64') }), types))).toBe('invalid_presentation');
    expect(code(() => parseDidcomm(message({}, { vp: Buffer.from('x'.repeat(types.maxPresentationBytes + 10)).toString('base64') }), types))).toBe('invalid_presentation');
  });
  it('tells the forms apart by shape', () => {
    expect(looksLikeDidcomm(message())).toBe(true);
    expect(looksLikeDidcomm({ jti: 'x', id: 'y', to: 'did:web:a' })).toBe(false);
  });
  it('writes problem reports with pthid and an e.p. code', () => {
    expect(problemReport('did:nuts:aanbieder', 'did:nuts:afnemer', 'thread-1', 'invalid_token', 'text', types)).toMatchObject({
      type: 'https://didcomm.org/report-problem/2.0/problem-report',
      pthid: 'thread-1',
      to: ['did:nuts:afnemer'],
      body: { code: 'e.p.invalid_token', comment: 'text' },
    });
  });
});

describe('strict Base64', () => {
  it('accepts padded standard and unpadded base64url, refuses junk, non-canonical padding bits and invalid UTF-8', () => {
    expect(base64Text(Buffer.from('SELECT ?x {}').toString('base64'), 100)).toBe('SELECT ?x {}');
    expect(base64Text(Buffer.from('SELECT ?x {}?>').toString('base64url'), 100)).toBe('SELECT ?x {}?>');
    expect(strictBase64('QUJD*', 100)).toBeUndefined();
    expect(strictBase64('QUI=', 100)?.toString()).toBe('AB');
    expect(strictBase64('QUJ=', 100)).toBeUndefined(); // non-zero padding bits
    expect(base64Text(Buffer.from([0xff, 0xfe]).toString('base64'), 100)).toBeUndefined();
    expect(strictBase64(Buffer.alloc(200).toString('base64'), 100)).toBeUndefined();
  });
});
