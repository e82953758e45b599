// Named admin accounts: scrypt with a salt per account and its parameters stored, names and
// passwords checked, a change that cannot be logged is not made, a damaged file is refused, and
// at most a bounded number of password checks run or wait at once.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountError, AccountStore, accountsPath, checkPassword, hashPassword, PasswordBusyError } from '../src/accounts/index.js';
import { AuditLog, AuditWriteError, auditPath, exportAuditLog } from '../src/audit/index.js';
import { tempDir } from './helpers.js';

const code = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).constructor.name;
  }
  return 'ok';
};

describe('accounts', () => {
  it('hashes with scrypt, a fresh salt each time, parameters stored, and checks in constant time', async () => {
    const a = await hashPassword('the same password');
    const b = await hashPassword('the same password');
    expect(a).toMatchObject({ alg: 'scrypt', N: 32768, r: 8, p: 1, keylen: 32 });
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
    expect(await checkPassword('the same password', a)).toBe(true);
    expect(await checkPassword('the same passwore', a)).toBe(false);
    // stored parameters are honoured (an account hashed with other ones still signs in)
    const light = await hashPassword('lighter parameters', { N: 1024, r: 8, p: 1, keylen: 64 });
    expect(await checkPassword('lighter parameters', light)).toBe(true);
  });

  it('refuses bad names, roles and short passwords (counted in characters), and duplicates', async () => {
    const store = new AccountStore(tempDir());
    expect(await code(store.add('Alice', 'operator', 'long enough password', 't'))).toBe('bad_name');
    expect(await code(store.add('../x', 'operator', 'long enough password', 't'))).toBe('bad_name');
    expect(await code(store.add('alice', 'root', 'long enough password', 't'))).toBe('bad_role');
    expect(await code(store.add('alice', 'viewer', '12345678901', 't'))).toBe('weak_password');
    expect(await code(store.add('alice', 'viewer', '😀'.repeat(6), 't'))).toBe('weak_password'); // 12 UTF-16 units, 6 characters
    expect(await code(store.add('alice', 'viewer', '123456789012', 't'))).toBe('ok');
    expect(await code(store.add('alice', 'viewer', '123456789012', 't'))).toBe('exists');
    expect(await code(() => store.remove('bob', 't'))).toBe('unknown_account');
  });

  it('a change that cannot be logged is not made', async () => {
    const dir = tempDir();
    const store = new AccountStore(dir);
    await store.add('alice', 'viewer', 'alice password 1', 'tester');
    const before = readFileSync(accountsPath(dir), 'utf8');
    const log = AuditLog.for(dir);
    const real = log.io;
    log.io = { ...real, writeSync: () => { throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); } };
    try {
      await expect(store.passwd('alice', 'alice password 2', 'tester')).rejects.toBeInstanceOf(AuditWriteError);
      expect(() => store.setRole('alice', 'operator', 'tester')).toThrow(AuditWriteError);
    } finally {
      log.io = real;
    }
    expect(readFileSync(accountsPath(dir), 'utf8')).toBe(before);
    expect(await checkPassword('alice password 1', store.get('alice')!.password)).toBe(true);
    expect(statSync(accountsPath(dir)).mode & 0o777).toBe(0o600);
    expect(existsSync(`${accountsPath(dir)}.lock`)).toBe(false);
    const activities = [];
    for await (const e of exportAuditLog(auditPath(dir), {})) activities.push(`${e.actor} ${e.activity}`);
    expect(activities).toEqual(['tester admin-account-added']);
  });

  it('refuses a damaged accounts file rather than guessing', () => {
    const dir = tempDir();
    const store = new AccountStore(dir);
    mkdirSync(dirname(accountsPath(dir)), { recursive: true });
    writeFileSync(accountsPath(dir), '{"accounts":[{"name":"x"}]}');
    expect(() => store.list()).toThrow(AccountError);
  });

  it('bounds the password checks running or waiting at once (memory: 32 MiB each)', async () => {
    const stored = await hashPassword('bounded password');
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => checkPassword('bounded password', stored)));
    const busy = results.filter((r) => r.status === 'rejected' && r.reason instanceof PasswordBusyError).length;
    const ok = results.filter((r) => r.status === 'fulfilled' && r.value).length;
    expect(ok).toBe(34); // 2 running + 32 waiting
    expect(busy).toBe(6);
    expect(await checkPassword('bounded password', stored)).toBe(true); // and it recovers
  });
});
