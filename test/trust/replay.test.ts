// Issue 14, high 6 and medium: a presentation used before a restart stays used after it (the
// replay store is a file in the data folder, 0600 in a 0700 folder), access tokens die with the
// process, lifetimes are capped, and only verified presentations take a place in the store.
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayCache, SCOPE, createTrust } from '../../src/trust/index.js';
import { tempDir } from '../helpers.js';
import { CLAIMS, codeOf, makeWorld } from './world.js';

const TEN_YEARS = 10 * 365 * 86400;

describe('replay protection across a restart', () => {
  it('refuses a presentation used before the restart, and forgets the tokens issued before it', async () => {
    const w = await makeWorld();
    const vp = await w.parties.present(w.requester, w.did, [await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS)]);
    expect((await w.trust.verifier.verify(vp)).presenter).toBe(w.requester);
    const token = w.trust.tokens.issue(w.requester);
    w.trust.replay.close();

    const restarted = createTrust(w.config, () => w.clock.now); // a new instance on the same data folder
    expect(await codeOf(restarted.verifier.verify(vp))).toBe('replayed_presentation');
    expect(await codeOf(Promise.resolve().then(() => restarted.tokens.check(`Bearer ${token.token}`, SCOPE, w.requester)))).toBe('invalid_token');
    // A fresh presentation still works after the restart.
    const fresh = await w.parties.present(w.requester, w.did, [await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS)]);
    expect((await restarted.verifier.verify(fresh)).presenter).toBe(w.requester);
    restarted.replay.close();
  });

  it('keeps the store private: the file 0600, its folder 0700, ids only as hashes', async () => {
    const w = await makeWorld();
    const vp = await w.parties.present(w.requester, w.did, [await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS)]);
    const { jti } = await w.trust.verifier.verify(vp);
    const file = join(w.config.dataDir, 'replay', 'used.log');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(w.config.dataDir, 'replay')).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\d+ [0-9a-f]{64}\n$/);
    expect(text).not.toContain(jti);
    w.trust.replay.close();
  });
});

describe('lifetimes and the store size', () => {
  it('refuses a 10-year presentation, and one with exp = 2^53, without taking a place in the store', async () => {
    const w = await makeWorld();
    const vc = await w.parties.issueQuestion(w.beheer, w.requester, CLAIMS);
    const before = w.trust.replay.size;
    for (const exp of [w.clock.now + TEN_YEARS, 2 ** 53]) {
      expect(await codeOf(w.trust.verifier.verify(await w.sign(w.requester, w.vpPayload([vc], { exp }))))).toBe('lifetime_too_long');
    }
    // A forgery (bad signature) takes no place either.
    const [h, p] = (await w.sign(w.requester, w.vpPayload([vc]))).split('.');
    expect(await codeOf(w.trust.verifier.verify(`${h}.${p}.${'A'.repeat(86)}`))).toBe('invalid_signature');
    expect(w.trust.replay.size).toBe(before);
    w.trust.replay.close();
  });

  it('group commit: ids used together share one fsync, are refused at once when replayed, and survive a restart', async () => {
    const file = join(tempDir('ds-replay-'), 'replay', 'used.log');
    const now = 1_800_000_000;
    const a = new ReplayCache({ file, now });
    const uses = Array.from({ length: 20 }, (_, i) => a.useAllAsync([{ id: `vp ${i}`, until: now + 100 }, { id: `msg ${i}`, until: now + 100 }], now));
    // a replay while the fsync runs is refused already, and takes no id (all or none)
    expect(await a.useAllAsync([{ id: 'vp 3', until: now + 100 }, { id: 'msg new', until: now + 100 }], now)).toBe(false);
    expect(await Promise.all(uses)).toEqual(Array(20).fill(true));
    expect(a.has('msg new', now)).toBe(false);
    a.close();
    const b = new ReplayCache({ file, now: now + 1 });
    expect(b.size).toBe(40);
    expect(b.use('msg 19', now + 100, now + 1)).toBe(false);
    b.close();
  });

  it('prunes expired entries on reload, drops a torn last line, and refuses rather than forgets when full', () => {
    const file = join(tempDir('ds-replay-'), 'replay', 'used.log');
    const now = 1_800_000_000;
    const a = new ReplayCache({ file, maxEntries: 100, now });
    for (let i = 0; i < 50; i++) expect(a.use(`old ${i}`, now + 10, now)).toBe(true);
    for (let i = 0; i < 50; i++) expect(a.use(`live ${i}`, now + 1000, now)).toBe(true);
    expect(() => a.use('one too many', now + 1000, now)).toThrow(expect.objectContaining({ code: 'replay_store_full' }));
    a.close();
    appendFileSync(file, '1900000000 abc'); // torn: a crash in the middle of an append
    const b = new ReplayCache({ file, maxEntries: 100, now: now + 100 });
    expect(b.size).toBe(50);
    expect(b.use('live 7', now + 1000, now + 100)).toBe(false);
    expect(b.use('old 7', now + 1000, now + 100)).toBe(true);
    b.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(51);
  });
});
