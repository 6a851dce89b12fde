#!/usr/bin/env bash
# Entry point of the replica container (deploy/docker-compose.yml): on the
# first start, create the data directory from the primary with
# init-replica.sh (the script that scripts/topology.sh uses too), then run
# postgres as a hot standby. Arguments are passed on to postgres.
#
# Environment:
#   PRIMARY_HOST, PRIMARY_PORT (default 5432)   the primary to copy and follow
#   REPLICATION_USER (default replicator), REPLICATION_PASSWORD
#                                 the role that deploy/initdb/20-replication.sh
#                                 creates on the primary
#   REPLICA_NAME (default replica1)   replication slot and application_name;
#                                 synchronous_standby_names on the primary
#                                 refers to this name
#   PGDATA (default /var/lib/postgresql/data)
set -euo pipefail

: "${PRIMARY_HOST:?set PRIMARY_HOST to the host name of the primary}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICATION_USER=${REPLICATION_USER:-replicator}
REPLICA_NAME=${REPLICA_NAME:-replica1}
export PGDATA=${PGDATA:-/var/lib/postgresql/data}

# The official image starts as root: prepare the directory, then run this
# script again as postgres.
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec gosu postgres "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "replica-entrypoint: waiting for the primary at $PRIMARY_HOST:$PRIMARY_PORT"
    until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do
        sleep 1
    done
    PGPASSWORD=$REPLICATION_PASSWORD init-replica.sh \
        --host "$PRIMARY_HOST" --port "$PRIMARY_PORT" --user "$REPLICATION_USER" \
        --slot "$REPLICA_NAME" --application-name "$REPLICA_NAME" --pgdata "$PGDATA"
fi

exec postgres -D "$PGDATA" -c hot_standby=on -c hot_standby_feedback=on "$@"
