// Issue 14, high 3 and medium: what an unauthenticated party sends never reaches the audit log.
// Its entries carry fixed codes, sizes and hashes; actor and thread are `unknown`, the claimed
// values kept apart as hashes; an entry's size does not depend on the request's size.
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatastation, type Datastation } from '../../src/api/index.js';
import { auditPath, exportAuditLog, type AuditEntry } from '../../src/audit/index.js';
import { packageRoot } from '../../src/config/index.js';
import { makeWorld, type World } from '../trust/world.js';

let w: World;
let ds: Datastation;
let base: string;

beforeAll(async () => {
  w = await makeWorld({ 'query.workers': 1 });
  ds = await startDatastation(w.config, { profileRoots: [join(packageRoot(), 'profiles')], pollSeconds: 0 });
  base = await ds.app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);
afterAll(async () => ds.close());

async function entries(): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for await (const e of exportAuditLog(auditPath(w.config.dataDir), {})) all.push(e);
  return all;
}

/** Entries appended while `send` ran. */
async function written(send: () => Promise<Response>): Promise<AuditEntry[]> {
  const before = (await entries()).length;
  const response = await send();
  await response.text();
  return (await entries()).slice(before);
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('entries for unauthenticated requests', () => {
  it.each([1_000, 900_000])('hold none of the bytes of a refused question (%i bytes of padding), at a bounded size', async (padding) => {
    const mark = `MARK${randomUUID().replace(/-/g, '')}`;
    const thread = `${mark}-thread`;
    const message = {
      type: 'v1/basic-message/request',
      jti: `${mark}-jti`,
      from: `did:web:${mark}.example`,
      to: w.did,
      thread_id: thread,
      body: { message: `${mark}.${'A'.repeat(padding)}.x`, parameters: { [mark]: mark } },
    };
    const logged = await written(() =>
      fetch(`${base}/api/verifiedsparql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${mark}` }, body: JSON.stringify(message) }),
    );
    expect(logged.map((e) => e.activity)).toEqual(['received', 'rejected']);
    for (const e of logged) {
      const text = JSON.stringify(e);
      expect(text).not.toContain(mark);
      expect(text.length).toBeLessThan(1024);
      expect(e).toMatchObject({ actor: 'unknown', thread_id: 'unknown', claimed: { from_sha256: sha(message.from), thread_id_sha256: sha(thread) } });
    }
    expect(logged[1]).toMatchObject({ code: 'invalid_token', status: 403 });
    expect(logged[1]).not.toHaveProperty('reason');
  });

  it.each([1_000, 900_000])('hold none of the bytes of a refused token request (%i bytes), at a bounded size', async (padding) => {
    const mark = `MARK${randomUUID().replace(/-/g, '')}`;
    for (const form of <Record<string, string>[]>[
      { grant_type: `${mark}${'g'.repeat(padding)}` },
      { grant_type: 'vp_token-bearer', assertion: `${mark}${'a'.repeat(padding)}` },
      { grant_type: 'vp_token-bearer', assertion: `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify({ iss: `did:web:${mark}` })).toString('base64url')}.${'x'.repeat(86)}` },
    ]) {
      let answer = '';
      const logged = await written(async () => {
        const response = await fetch(`${base}/oauth2/token`, { method: 'POST', body: new URLSearchParams(form) });
        answer = await response.clone().text();
        return response;
      });
      expect(logged.map((e) => e.activity)).toEqual(['token-rejected']);
      expect(JSON.stringify(logged[0])).not.toContain(mark);
      expect(JSON.stringify(logged[0]).length).toBeLessThan(1024);
      expect(logged[0]!.actor).toBe('unknown');
      expect(answer).not.toContain(mark); // nor echoed back
    }
  });
});
