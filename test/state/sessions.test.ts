// Console sessions, sign-in limits and access tokens in PostgreSQL, on an injected clock: bounded
// like the memory stores (least recently used first), idle and absolute expiry, one count per key.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION } from '../../src/api/routes/admin-session.js';
import { openState, PgAccessTokens } from '../../src/state/index.js';
import { schemaForSuite, pgConfig, skipReason } from './support.js';

const skip = skipReason();
if (skip) console.warn(`test/state/sessions.test.ts skipped: ${skip}`);

describe.skipIf(!!skip)('sessions, sign-in limits and tokens in PostgreSQL', () => {
  const fresh = schemaForSuite();

  it('keeps at most maxSessions (the least recently used go), expires idle and old sessions', async () => {
    const state = openState(pgConfig(fresh.state))!;
    try {
      let now = 1_000_000;
      const { sessions } = state.sessionStores({ ...DEFAULT_SESSION, maxSessions: 3, idleMinutes: 10, absoluteHours: 1 }, () => now);
      const made = [];
      for (let i = 0; i < 3; i++) {
        made.push(sessions.create(`user${i}`, 'viewer', 1));
        now += 1000;
      }
      expect(sessions.touch(made[0]!.id)?.account).toBe('user0'); // now the most recently used
      now += 1000;
      const fourth = sessions.create('user3', 'operator', 1);
      expect(sessions.touch(made[1]!.id)).toBeUndefined(); // the least recently used went
      expect(sessions.touch(made[0]!.id)?.account).toBe('user0');
      expect(sessions.touch(fourth.id)).toMatchObject({ account: 'user3', role: 'operator', csrf: fourth.csrf });
      now += 11 * 60_000; // idle past 10 minutes
      expect(sessions.touch(fourth.id)).toBeUndefined();
      const kept = sessions.create('busy', 'viewer', 1);
      for (let i = 0; i < 6; i++) {
        now += 9 * 60_000;
        expect(sessions.touch(kept.id), `touch ${i}`).toBeDefined();
      }
      now += 9 * 60_000; // used all along, but past the absolute hour
      expect(sessions.touch(kept.id)).toBeUndefined();
    } finally {
      await state.close();
    }
  });

  it('counts sign-in attempts per key in a window, refuses past the limit, refunds, and starts a new window', async () => {
    const state = openState(pgConfig({ ...fresh.state, tenant: 'limits' }))!;
    try {
      let now = 5_000_000;
      const { limiter } = state.sessionStores({ ...DEFAULT_SESSION, signInWindowMinutes: 15 }, () => now);
      expect([limiter.take('ip:a', 3), limiter.take('ip:a', 3), limiter.take('ip:a', 3)]).toEqual([0, 0, 0]);
      expect(limiter.take('ip:a', 3)).toBe(15 * 60);
      expect(limiter.take('ip:b', 3)).toBe(0); // another key, its own count
      limiter.refund('ip:a');
      limiter.refund('ip:a');
      expect(limiter.take('ip:a', 3)).toBe(0);
      now += 60_000;
      expect(limiter.take('ip:a', 3)).toBe(14 * 60);
      now += 15 * 60_000;
      expect(limiter.take('ip:a', 3)).toBe(0);
    } finally {
      await state.close();
    }
  });

  it('honours a token until it expires, for its subject and scope only', async () => {
    const state = openState(pgConfig({ ...fresh.state, tenant: 'tokens' }))!;
    try {
      let now = 1_700_000_000;
      const tokens = new PgAccessTokens(state.client, 'tokens', 300, () => now);
      const t = tokens.issue('did:web:a.example');
      expect(tokens.check(`Bearer ${t.token}`, 'verifiedsparql', 'did:web:a.example').subject).toBe('did:web:a.example');
      expect(() => tokens.check(`Bearer ${t.token}`, 'verifiedsparql', 'did:web:b.example')).toThrow(expect.objectContaining({ code: 'token_subject_mismatch' }));
      expect(() => tokens.check(`Bearer ${t.token}`, 'other', undefined)).toThrow(expect.objectContaining({ code: 'insufficient_scope' }));
      expect(() => tokens.check(`Bearer ${'x'.repeat(43)}`, 'verifiedsparql', undefined)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
      now += 301;
      expect(() => tokens.check(`Bearer ${t.token}`, 'verifiedsparql', undefined)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
      // another tenant never sees it
      expect(() => new PgAccessTokens(state.client, 'other', 300, () => now - 301).check(`Bearer ${t.token}`, 'verifiedsparql', undefined)).toThrow(expect.objectContaining({ code: 'invalid_token' }));
    } finally {
      await state.close();
    }
  });
});
