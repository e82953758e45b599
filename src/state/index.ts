// Shared state (issue 17): with `state: { kind: postgres }` the audit log, release queue, replay
// caches, access tokens, console sessions and sign-in limits live in PostgreSQL, so several
// stateless API processes serve one deployment; with `files` (the default) nothing changes.
import { setAuditSink } from '../audit/index.js';
import { DEFAULT_MAX_ENTRY_BYTES } from '../audit/log.js';
import type { Config } from '../config/index.js';
import type { PostgresStateConfig } from '../config/state.js';
import { PgAuditLog } from './audit.js';
import { StateClient } from './client.js';
import { migrate } from './migrations.js';
import { PgReleaseQueue } from './release.js';
import { PgAccountStore } from './accounts.js';
import { AccountStore } from '../accounts/index.js';
import { ReleaseQueue } from '../exchange/release.js';
import { PgSessions, PgSignInLimiter } from './sessions.js';
import type { SessionSettings } from '../api/routes/admin-session.js';

export { StateClient, StateError } from './client.js';
export { migrate, MIGRATIONS } from './migrations.js';
export { PgAuditLog } from './audit.js';
export { PgReleaseQueue } from './release.js';
export { PgAccountStore } from './accounts.js';
export { PgAccessTokens, PgReplayCache } from './trust.js';
export { PgSessions, PgSignInLimiter } from './sessions.js';

export interface SharedState {
  config: PostgresStateConfig;
  client: StateClient;
  audit: PgAuditLog;
  queue(): PgReleaseQueue;
  accounts(): PgAccountStore;
  sessionStores: (settings: SessionSettings, now: () => number) => { sessions: PgSessions; limiter: PgSignInLimiter };
  close(): Promise<void>;
}

const opened = new Map<string, SharedState>();

/**
 * The PostgreSQL state of this configuration, opened once per data folder in a process (its
 * audit log is then where every recordActivity for that folder goes); undefined for `files`.
 */
export function openState(config: Config): SharedState | undefined {
  const s = config.state;
  if (s.kind !== 'postgres') return undefined;
  const known = opened.get(config.dataDir);
  if (known) return known;
  const client = new StateClient(s);
  const audit = new PgAuditLog(client, s.tenant, config.exchange.auditMaxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES);
  const state: SharedState = {
    config: s,
    client,
    audit,
    queue: () => new PgReleaseQueue(config.dataDir, client, s.tenant),
    accounts: () => new PgAccountStore(config.dataDir, client, s.tenant),
    sessionStores: (settings, now) => ({
      sessions: new PgSessions(client, s.tenant, settings, now),
      limiter: new PgSignInLimiter(client, s.tenant, settings.signInWindowMinutes * 60_000, now),
    }),
    async close() {
      opened.delete(config.dataDir);
      setAuditSink(config.dataDir, undefined);
      await client.close();
    },
  };
  opened.set(config.dataDir, state);
  setAuditSink(config.dataDir, audit);
  return state;
}

/** The release queue of this configuration: in PostgreSQL or in the data folder. */
export function releaseQueue(config: Config): ReleaseQueue {
  return openState(config)?.queue() ?? new ReleaseQueue(config.dataDir);
}

/** The named console accounts of this configuration: in PostgreSQL or in the data folder. */
export function accountStore(config: Config): AccountStore {
  return openState(config)?.accounts() ?? new AccountStore(config.dataDir);
}

/** At start: the migrations when the owner's URL is configured (idempotent), then the state. */
export async function startState(config: Config): Promise<SharedState | undefined> {
  const s = config.state;
  if (s.kind !== 'postgres') return undefined;
  if (s.migrateUrl) await migrate(s.migrateUrl, s);
  return openState(config);
}
