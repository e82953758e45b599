// Named admin accounts in the data directory (identity/accounts.json, 0600, written durably and
// under a lock, so the CLI and a running server never see half a file or lose a change). Every
// change is logged before it is written (NEN 7513); a change that cannot be logged is not made.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { FileLock } from '../audit/lock.js';
import { recordActivity } from '../audit/index.js';
import { readJsonFile, writeFileDurable, type JsonFile } from '../store/index.js';
import { hashPassword, passwordProblem, type PasswordHash } from './password.js';

export const ROLES = ['operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const accountSchema = z.strictObject({
  name: z.string().regex(NAME),
  role: z.enum(ROLES),
  password: z.strictObject({ alg: z.literal('scrypt'), N: z.number().int(), r: z.number().int(), p: z.number().int(), keylen: z.number().int(), salt: z.string(), hash: z.string() }),
  createdAt: z.string(),
  /** Bumped by every password or role change: sessions made before it are no longer valid. */
  version: z.number().int().min(1),
});
const fileSchema = z.strictObject({ accounts: z.array(accountSchema) });

export type Account = z.infer<typeof accountSchema>;

export class AccountError extends Error {
  constructor(
    readonly code: 'bad_name' | 'bad_role' | 'weak_password' | 'exists' | 'unknown_account' | 'bad_file',
    message: string,
  ) {
    super(message);
  }
}

export function accountsPath(dataDir: string): string {
  return join(dataDir, 'identity', 'accounts.json');
}

export class AccountStore {
  private cache: JsonFile<z.infer<typeof fileSchema>> | undefined;

  constructor(readonly dataDir: string) {}

  private get path(): string {
    return accountsPath(this.dataDir);
  }

  /**
   * All accounts, read on every call (the CLI may change them under a running server, and a
   * removed account must stop working at once); parsed again only when the bytes changed. A
   * comparison of the few KiB, not of mtime: two changes within one clock tick look alike there.
   */
  list(): Account[] {
    const read = readJsonFile(this.path, fileSchema, (problem) => (problem.kind === 'unreadable' ? problem.error : new AccountError('bad_file', `${this.path} is not a valid accounts file`)), this.cache);
    if (!read) return [];
    this.cache = read;
    return read.value.accounts;
  }

  get(name: string): Account | undefined {
    return this.list().find((a) => a.name === name);
  }

  async add(name: string, role: string, password: string, actor: string): Promise<Account> {
    checkName(name);
    const r = checkRole(role);
    checkPassword(password);
    const hash = await hashPassword(password);
    return this.change(actor, (accounts) => {
      if (accounts.some((a) => a.name === name)) throw new AccountError('exists', `account ${name} already exists`);
      const account: Account = { name, role: r, password: hash, createdAt: new Date().toISOString(), version: 1 };
      return { accounts: [...accounts, account], result: account, entry: { activity: 'admin-account-added', account: name, role: r } };
    });
  }

  async passwd(name: string, password: string, actor: string): Promise<Account> {
    checkPassword(password);
    const hash: PasswordHash = await hashPassword(password);
    return this.change(actor, (accounts) => {
      const old = known(accounts, name);
      const account = { ...old, password: hash, version: old.version + 1 };
      return { accounts: accounts.map((a) => (a.name === name ? account : a)), result: account, entry: { activity: 'admin-account-password-changed', account: name } };
    });
  }

  setRole(name: string, role: string, actor: string): Account {
    const r = checkRole(role);
    return this.change(actor, (accounts) => {
      const old = known(accounts, name);
      const account = { ...old, role: r, version: old.version + 1 };
      return { accounts: accounts.map((a) => (a.name === name ? account : a)), result: account, entry: { activity: 'admin-account-role-changed', account: name, role: r, was: old.role } };
    });
  }

  remove(name: string, actor: string): Account {
    return this.change(actor, (accounts) => {
      const old = known(accounts, name);
      return { accounts: accounts.filter((a) => a.name !== name), result: old, entry: { activity: 'admin-account-removed', account: name } };
    });
  }

  protected change<T>(actor: string, fn: (accounts: Account[]) => { accounts: Account[]; result: T; entry: { activity: string } & Record<string, unknown> }): T {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    return new FileLock(`${this.path}.lock`).with(() => {
      this.cache = undefined;
      const { accounts, result, entry } = fn(this.list());
      recordActivity(this.dataDir, { actor, ...entry });
      writeFileDurable(this.path, JSON.stringify({ accounts }, null, 1), 0o600);
      this.cache = undefined;
      return result;
    });
  }
}

function known(accounts: Account[], name: string): Account {
  const account = accounts.find((a) => a.name === name);
  if (!account) throw new AccountError('unknown_account', `no account named ${name}`);
  return account;
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new AccountError('bad_name', 'an account name is 1 to 64 characters: lower-case letters, digits, dot, dash, underscore, starting with a letter or digit');
}

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new AccountError('bad_role', `the role must be one of ${ROLES.join(', ')}`);
  return role as Role;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError('weak_password', problem);
}
