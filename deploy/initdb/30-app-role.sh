#!/usr/bin/env bash
# Create the application's login role on the primary container. The role
# may evaluate policies (olpe grants that to PUBLIC) and create its own
# listing tables in the database. Policies stay owned and edited by
# POSTGRES_USER. pgbouncer logs in with this role (OLPE_DB_USER and
# OLPE_DB_PASSWORD in deploy/docker-compose.yml).
#
# The official postgres image runs this from /docker-entrypoint-initdb.d on
# the first start of an empty data directory. Without OLPE_APP_USER it does
# nothing. The local topology does not run it: it connects as postgres.
#
# Environment: OLPE_APP_USER, OLPE_APP_PASSWORD, POSTGRES_DB
set -euo pipefail

if [ -z "${OLPE_APP_USER:-}" ]; then
    echo "30-app-role.sh: OLPE_APP_USER is not set; no application role created"
    exit 0
fi
: "${OLPE_APP_PASSWORD:?set OLPE_APP_PASSWORD for the application role}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set=role_name="$OLPE_APP_USER" --set=role_password="$OLPE_APP_PASSWORD" \
     --set=database="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"role_name" WITH LOGIN PASSWORD :'role_password';
GRANT CREATE ON DATABASE :"database" TO :"role_name";
SQL
