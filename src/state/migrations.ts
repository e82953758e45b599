// The shared-state tables, as versioned SQL run by the owner role (`datastation state migrate`,
// or at start with state.migrateUrl). Idempotent: each version runs once, under an advisory
// lock, in one transaction with its record in state_migrations. Every table is keyed by tenant.
import pg from 'pg';
import { resolveStateUrl, type PostgresStateConfig } from '../config/state.js';

interface Migration {
  version: number;
  name: string;
  sql: (app: string) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit log, release queue, replay, tokens, sessions, sign-in limits',
    sql: (app) => `
      -- The activity log: the app role may only add and read (no UPDATE, DELETE, TRUNCATE), and a
      -- trigger refuses changes even to a role that was granted them by mistake.
      CREATE TABLE audit_entries (
        tenant text NOT NULL DEFAULT 'default',
        seq bigint NOT NULL CHECK (seq > 0),
        hash text NOT NULL,
        prev text NOT NULL,
        time timestamptz NOT NULL,
        activity text NOT NULL,
        thread_id text,
        release text,
        line text NOT NULL,
        PRIMARY KEY (tenant, seq),
        UNIQUE (tenant, prev)
      );
      CREATE INDEX audit_entries_release ON audit_entries (tenant, release) WHERE release IS NOT NULL;
      CREATE INDEX audit_entries_thread ON audit_entries (tenant, thread_id) WHERE thread_id IS NOT NULL;
      CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = '42501'; END $$;
      CREATE TRIGGER audit_entries_no_change BEFORE UPDATE OR DELETE ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();

      -- The release queue: one row per item (its JSON as the file queue keeps it), answers apart.
      CREATE TABLE release_items (
        tenant text NOT NULL DEFAULT 'default',
        id text NOT NULL,
        received text NOT NULL,
        state text NOT NULL,
        done boolean NOT NULL DEFAULT false,
        item jsonb NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX release_items_open ON release_items (tenant, received) WHERE NOT done;
      CREATE TABLE release_answers (
        tenant text NOT NULL DEFAULT 'default',
        name text NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (tenant, name)
      );

      -- Used identifiers (sha256 of VP jti, message id, challenge) until they expire (epoch seconds).
      CREATE TABLE replay_used (
        tenant text NOT NULL DEFAULT 'default',
        key text NOT NULL,
        until bigint NOT NULL,
        PRIMARY KEY (tenant, key)
      );
      CREATE INDEX replay_used_until ON replay_used (tenant, until);

      -- Access tokens (sha256 of the token only) and console sessions (sha256 of the session id).
      CREATE TABLE access_tokens (
        tenant text NOT NULL DEFAULT 'default',
        token_sha256 text NOT NULL,
        subject text NOT NULL,
        scope text NOT NULL,
        expires_at bigint NOT NULL,
        PRIMARY KEY (tenant, token_sha256)
      );
      CREATE TABLE console_sessions (
        tenant text NOT NULL DEFAULT 'default',
        id_sha256 text NOT NULL,
        session jsonb NOT NULL,
        deadline bigint NOT NULL,
        PRIMARY KEY (tenant, id_sha256)
      );
      CREATE INDEX console_sessions_deadline ON console_sessions (tenant, deadline);
      CREATE TABLE sign_in_attempts (
        tenant text NOT NULL DEFAULT 'default',
        key text NOT NULL,
        n integer NOT NULL,
        until bigint NOT NULL,
        PRIMARY KEY (tenant, key)
      );

      GRANT SELECT, INSERT ON audit_entries TO ${app};
      GRANT SELECT, INSERT, UPDATE, DELETE ON release_items, release_answers, replay_used, access_tokens, console_sessions, sign_in_attempts TO ${app};
    `,
  },
  {
    version: 2,
    name: 'named console accounts',
    sql: (app) => `
      CREATE TABLE accounts (
        tenant text NOT NULL DEFAULT 'default',
        name text NOT NULL,
        created_at text NOT NULL,
        account jsonb NOT NULL,
        PRIMARY KEY (tenant, name)
      );
      GRANT SELECT, INSERT, UPDATE, DELETE ON accounts TO ${app};
    `,
  },
];

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Apply the migrations not yet applied, with the owner's URL; returns the versions applied now. */
export async function migrate(ownerUrl: string, config: Pick<PostgresStateConfig, 'schema' | 'appRole' | 'url'>): Promise<number[]> {
  const app = config.appRole ?? decodeURIComponent(new URL(resolveStateUrl(config.url)).username);
  if (!IDENT.test(app)) throw new Error('state.appRole must be a lower-case SQL identifier');
  const client = new pg.Client({ connectionString: resolveStateUrl(ownerUrl), application_name: 'kikv-datastation-migrate' });
  await client.connect();
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`kikv-migrate:${config.schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${config.schema}`);
    await client.query(`SET LOCAL search_path = ${config.schema}`);
    await client.query(`GRANT USAGE ON SCHEMA ${config.schema} TO ${app}`);
    await client.query('CREATE TABLE IF NOT EXISTS state_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM state_migrations')).rows.map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql(app));
      await client.query('INSERT INTO state_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
  return applied;
}
