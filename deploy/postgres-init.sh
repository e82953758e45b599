#!/bin/sh
# The postgres image runs this once, on an empty volume (/docker-entrypoint-initdb.d), as its
# superuser: the two roles of docs/shared-state.md, as scripts/ci/postgres.sh makes them for CI.
# kikv_owner owns the database and runs the migrations; kikv_app is what the datastation connects
# as (on the audit table the migrations grant it INSERT and SELECT only).
set -eu
psql -v ON_ERROR_STOP=1 -v owner_pw="$KIKV_OWNER_PASSWORD" -v app_pw="$KIKV_APP_PASSWORD" \
  --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE kikv_owner LOGIN NOSUPERUSER NOCREATEROLE PASSWORD :'owner_pw';
CREATE ROLE kikv_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'app_pw';
CREATE DATABASE kikv OWNER kikv_owner;
\connect kikv
GRANT CONNECT ON DATABASE kikv TO kikv_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
