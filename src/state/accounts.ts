// Named console accounts in PostgreSQL: added on one process (or by the CLI), signing in on all;
// a removal or password change ends the sessions everywhere (their version no longer matches).
// As in the file store, each change is logged (committed) before it is written.
import { AccountStore, type Account } from '../accounts/index.js';
import { recordActivity } from '../audit/index.js';
import type { StateClient } from './client.js';

export class PgAccountStore extends AccountStore {
  constructor(
    dataDir: string,
    private readonly client: StateClient,
    private readonly tenant: string,
  ) {
    super(dataDir);
  }

  override list(): Account[] {
    return this.client.rows<{ account: Account }>('SELECT account FROM accounts WHERE tenant = $1 ORDER BY created_at, name', [this.tenant]).map((r) => r.account);
  }

  protected override change<T>(actor: string, fn: (accounts: Account[]) => { accounts: Account[]; result: T; entry: { activity: string } & Record<string, unknown> }): T {
    const before = this.list();
    const { accounts, result, entry } = fn(before);
    recordActivity(this.dataDir, { actor, ...entry });
    const names = new Set(accounts.map((a) => a.name));
    const changed = accounts.filter((a) => JSON.stringify(a) !== JSON.stringify(before.find((b) => b.name === a.name)));
    this.client.callSync({
      op: 'tx',
      statements: [
        ...before.filter((a) => !names.has(a.name)).map((a) => ({ sql: 'DELETE FROM accounts WHERE tenant = $1 AND name = $2', params: [this.tenant, a.name] })),
        ...changed.map((a) => ({
          sql: 'INSERT INTO accounts (tenant, name, created_at, account) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant, name) DO UPDATE SET account = EXCLUDED.account',
          params: [this.tenant, a.name, a.createdAt, JSON.stringify(a)],
        })),
      ],
    });
    return result;
  }
}
