#!/usr/bin/env bash
# Prepare the primary container for streaming replicas: create the
# replication role, allow it in pg_hba.conf, and set synchronous_standby_names.
#
# The official postgres image runs this from /docker-entrypoint-initdb.d on
# the first start of an empty data directory, after 10-olpe.sql, while a
# temporary server listens on the Unix socket only. The local topology
# (scripts/topology.sh) does not run it: its clusters trust local
# connections, and it sets synchronous_standby_names itself.
#
# Environment:
#   REPLICATION_USER (default replicator), REPLICATION_PASSWORD
#   SYNCHRONOUS_STANDBY_NAMES   for example 'FIRST 1 (replica1)': commits wait
#       until that replica has flushed them, so a failover to it loses no
#       committed transaction, and writes stop while no listed replica is
#       connected. Empty (the default) leaves replication asynchronous.
set -euo pipefail

REPLICATION_USER=${REPLICATION_USER:-replicator}
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD for the replication role}"
SYNCHRONOUS_STANDBY_NAMES=${SYNCHRONOUS_STANDBY_NAMES:-}

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     --set=role_name="$REPLICATION_USER" --set=role_password="$REPLICATION_PASSWORD" \
     --set=sync_names="$SYNCHRONOUS_STANDBY_NAMES" <<'SQL'
CREATE ROLE :"role_name" WITH LOGIN REPLICATION PASSWORD :'role_password';
-- ALTER SYSTEM takes effect when the entrypoint restarts the server after
-- the init scripts, so the rest of the initialization does not wait for a
-- replica that cannot exist yet.
ALTER SYSTEM SET synchronous_standby_names = :'sync_names';
SQL

# The image's pg_hba.conf lets every role reach every database over the
# network, but "all" does not cover replication connections.
echo "host replication $REPLICATION_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
