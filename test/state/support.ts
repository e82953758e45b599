// Real PostgreSQL for the shared-state tests: the URLs scripts/ci/postgres.sh prints (.ci/run
// exports them). Outside CI without them the tests skip with a message; in CI they fail.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../src/state/index.js';
import { testConfig, tempDir } from '../helpers.js';
import type { Config } from '../../src/config/index.js';

export const IN_CI = !!process.env.CI && process.env.CI !== '0' && process.env.CI !== 'false';
export const APP_URL = process.env.KIKV_TEST_PG_URL;
export const ADMIN_URL = process.env.KIKV_TEST_PG_ADMIN_URL;

/** Why these tests do not run here, or undefined when they do (CI never skips: it fails). */
export function skipReason(): string | undefined {
  if ((APP_URL && ADMIN_URL) || IN_CI) return undefined;
  return 'no PostgreSQL: run `eval "$(bash scripts/ci/postgres.sh)"; export KIKV_TEST_PG_URL KIKV_TEST_PG_ADMIN_URL` (CI does and does not skip)';
}

export function requireUrls(): { app: string; admin: string } {
  if (!APP_URL || !ADMIN_URL) throw new Error('KIKV_TEST_PG_URL and KIKV_TEST_PG_ADMIN_URL are not set: .ci/run sets them from scripts/ci/postgres.sh');
  return { app: APP_URL, admin: ADMIN_URL };
}

/** A schema of its own for one test (migrated by the owner role), dropped by `drop`. */
export async function freshSchema(): Promise<{ schema: string; state: Record<string, unknown>; drop: () => Promise<void> }> {
  const { app, admin } = requireUrls();
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const state = { kind: 'postgres', url: app, schema, appRole: 'kikv_app' };
  await migrate(admin, { url: app, schema, appRole: 'kikv_app' });
  return {
    schema,
    state,
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

export function pgConfig(state: Record<string, unknown>, dataDir = tempDir('ds-pg-')): Config {
  return testConfig(dataDir, { state });
}

/** A plain connection as `url` with the schema on its search path. */
export async function connect(url: string, schema: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await c.connect();
  return c;
}

/** A schema of its own for the enclosing describe block: made before its tests, dropped after them. */
export function schemaForSuite(): { readonly state: Record<string, unknown>; readonly schema: string } {
  let fresh: Awaited<ReturnType<typeof freshSchema>> | undefined;
  beforeAll(async () => {
    fresh = await freshSchema();
  });
  afterAll(async () => fresh?.drop());
  return {
    get state() {
      return fresh!.state;
    },
    get schema() {
      return fresh!.schema;
    },
  };
}
