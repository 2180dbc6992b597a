#!/bin/sh
# Creates the schema owner and the app role (owns nothing, no BYPASSRLS) on first start.
set -eu
psql -v ON_ERROR_STOP=1 --username postgres <<SQL
CREATE ROLE kommpass_owner LOGIN PASSWORD '${OWNER_DB_PASSWORD:-owner-change-me}' NOSUPERUSER NOCREATEROLE;
CREATE ROLE kommpass_app LOGIN PASSWORD '${APP_DB_PASSWORD:-app-change-me}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE kommpass OWNER kommpass_owner;
\connect kommpass
ALTER SCHEMA public OWNER TO kommpass_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO kommpass_app;
SQL
