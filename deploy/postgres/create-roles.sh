#!/bin/sh
# Run once by the postgres image, when it first creates its data volume: the two roles tenantry
# uses, neither a superuser. tenantry_owner owns the schema and runs the migrations
# (DATABASE_MIGRATION_URL); tenantry_app is the server's (DATABASE_URL): it owns nothing and cannot
# bypass row-level security, so every query it makes stays within the tenant it sets.
set -eu
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set db="$POSTGRES_DB" \
  --set owner_password="$TENANTRY_OWNER_PASSWORD" \
  --set app_password="$TENANTRY_APP_PASSWORD" <<'SQL'
CREATE ROLE tenantry_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE tenantry_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO tenantry_owner;
ALTER SCHEMA public OWNER TO tenantry_owner;
SQL
