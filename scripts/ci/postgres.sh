#!/usr/bin/env bash
# Debian's PostgreSQL 15 for the shared-state tests (test/state): installed with apt when missing,
# a cluster of its own (initdb as the `postgres` OS user: initdb refuses root) listening on
# loopback only, port ${KIKV_PG_PORT:-55432}. Idempotent: a running cluster is reused. Creates the
# database and two roles: kikv_owner (owns the schema, runs migrations) and kikv_app (what the
# datastation connects as: on the audit table it may only INSERT and SELECT, granted by the
# migrations). Prints the two URLs as shell assignments for .ci/run to eval.
set -euo pipefail
PORT="${KIKV_PG_PORT:-55432}"
PGBIN=/usr/lib/postgresql/15/bin
# Under /tmp, not ~/.cache: the postgres OS user cannot enter root's home.
ROOT="${KIKV_PG_DIR:-/tmp/kikv-datastation-pg15}"
DATA="$ROOT/data"
OWNER_PW="${KIKV_PG_OWNER_PASSWORD:-kikv-owner-ci}"
APP_PW="${KIKV_PG_APP_PASSWORD:-kikv-app-ci}"

if [ ! -x "$PGBIN/initdb" ]; then
  if ! apt-cache policy postgresql-15 2>/dev/null | grep -q 'Candidate: [0-9]'; then apt-get update -qq >&2; fi
  echo "installing Debian's postgresql-15" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
fi
as_pg() { runuser -u postgres -- "$@"; }

mkdir -p "$ROOT"
chown postgres:postgres "$ROOT"
chmod 700 "$ROOT"
if [ ! -s "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"
  # Local socket: peer (the postgres OS user administers); TCP on loopback: passwords.
  as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
fi
if ! as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$ROOT/server.log" -w -t 60 \
    -o "-p $PORT -k $ROOT -c listen_addresses=127.0.0.1 -c max_connections=200" start >&2
fi
[ -x /usr/bin/psql ] || { echo "psql missing (postgresql-client-15)" >&2; exit 1; }
psql_admin() { as_pg /usr/bin/psql -h "$ROOT" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_admin -d postgres <<SQL >&2
SELECT 'CREATE ROLE kikv_owner LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kikv_owner') \gexec
SELECT 'CREATE ROLE kikv_app LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kikv_app') \gexec
ALTER ROLE kikv_owner PASSWORD '$OWNER_PW' NOSUPERUSER NOCREATEROLE;
ALTER ROLE kikv_app PASSWORD '$APP_PW' NOSUPERUSER NOCREATEROLE NOCREATEDB;
SELECT 'CREATE DATABASE kikv OWNER kikv_owner' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'kikv') \gexec
SQL
# The owner may create a schema per test run; the app role only connects (the migrations grant the rest).
psql_admin -d kikv <<SQL >&2
GRANT CONNECT ON DATABASE kikv TO kikv_app;
GRANT CREATE ON DATABASE kikv TO kikv_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
echo "KIKV_TEST_PG_URL=postgres://kikv_app:$APP_PW@127.0.0.1:$PORT/kikv"
echo "KIKV_TEST_PG_ADMIN_URL=postgres://kikv_owner:$OWNER_PW@127.0.0.1:$PORT/kikv"
