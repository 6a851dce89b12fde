#!/usr/bin/env bash
# Entry point of the pgbouncer container (deploy/pgbouncer/Dockerfile).
#
#   entrypoint.sh run                 write the configuration, run pgbouncer
#   entrypoint.sh route PRIMARY [REPLICA...]
#                                     point olpe_rw at PRIMARY and olpe_ro at
#                                     the replicas (each HOST:PORT), then make
#                                     the running pgbouncer reload
#
# route is the pgbouncer step of a failover (docs/deployment.md):
#   docker compose exec pgbouncer /opt/olpe/pgbouncer/entrypoint.sh route replica:5432
#
# Environment:
#   OLPE_PRIMARY       HOST:PORT of the primary (run)
#   OLPE_REPLICAS      space-separated HOST:PORT of the replicas (run; may be empty)
#   OLPE_DB_USER, OLPE_DB_PASSWORD   the application's PostgreSQL role; clients
#                      log in to pgbouncer with it and pgbouncer logs in to
#                      PostgreSQL with it
#   PGBOUNCER_ADMIN_PASSWORD   password of pgbouncer_admin on the admin
#                      console (database pgbouncer)
#   PGBOUNCER_LISTEN_ADDR, PGBOUNCER_LISTEN_PORT   override listen_addr and
#                      listen_port of pgbouncer.ini (0.0.0.0 and 6432)
#   OLPE_PGBOUNCER_HOME   directory of pgbouncer.ini and configure.sh
#                      (default /opt/olpe/pgbouncer)
#   OLPE_PGBOUNCER_STATE  directory for the generated configuration, the
#                      auth file, the pid file and the Unix socket
#                      (default /var/lib/olpe-pgbouncer)
#
# test/topology/run.sh runs this script outside a container, with the last
# four variables pointing into the work tree.
set -euo pipefail

HERE=${OLPE_PGBOUNCER_HOME:-/opt/olpe/pgbouncer}
STATE=${OLPE_PGBOUNCER_STATE:-/var/lib/olpe-pgbouncer}
CONFIG=$STATE/pgbouncer.ini

die() {
    echo "entrypoint: $*" >&2
    exit 1
}

write_config() {
    local primary=$1
    shift
    local ro_args=() replica listen_args=()
    for replica in "$@"; do
        ro_args+=(--ro "$replica")
    done
    [ -z "${PGBOUNCER_LISTEN_ADDR:-}" ] || listen_args+=(--set "listen_addr=$PGBOUNCER_LISTEN_ADDR")
    [ -z "${PGBOUNCER_LISTEN_PORT:-}" ] || listen_args+=(--set "listen_port=$PGBOUNCER_LISTEN_PORT")
    # An empty logfile makes pgbouncer log to stderr, the container's log.
    bash "$HERE/configure.sh" --base "$HERE/pgbouncer.ini" \
        --config "$CONFIG" --databases "$STATE/databases.ini" \
        --rw "$primary" ${ro_args[@]+"${ro_args[@]}"} \
        ${listen_args[@]+"${listen_args[@]}"} \
        --set "unix_socket_dir=$STATE" \
        --set "auth_file=$STATE/userlist.txt" \
        --set "logfile=" \
        --set "pidfile=$STATE/pgbouncer.pid"
    # Remember the servers, so that a restarted container keeps the routing
    # of the last failover.
    printf '%s\n' "$primary" "$@" >"$STATE/servers"
}

write_userlist() {
    : "${OLPE_DB_USER:?set OLPE_DB_USER}"
    : "${OLPE_DB_PASSWORD:?set OLPE_DB_PASSWORD}"
    : "${PGBOUNCER_ADMIN_PASSWORD:?set PGBOUNCER_ADMIN_PASSWORD}"
    local quoted_password=${OLPE_DB_PASSWORD//\"/\"\"}
    local quoted_admin_password=${PGBOUNCER_ADMIN_PASSWORD//\"/\"\"}
    umask 077
    printf '"%s" "%s"\n"%s" "%s"\n' \
        "$OLPE_DB_USER" "$quoted_password" \
        pgbouncer_admin "$quoted_admin_password" >"$STATE/userlist.txt"
}

case ${1:-run} in
    run)
        write_userlist
        if [ -s "$STATE/servers" ]; then
            mapfile -t servers <"$STATE/servers"
        else
            : "${OLPE_PRIMARY:?set OLPE_PRIMARY to HOST:PORT of the primary}"
            read -ra replicas <<<"${OLPE_REPLICAS:-}"
            servers=("$OLPE_PRIMARY" ${replicas[@]+"${replicas[@]}"})
        fi
        write_config "${servers[@]}"
        exec pgbouncer "$CONFIG"
        ;;
    route)
        shift
        [ $# -ge 1 ] || die "usage: entrypoint.sh route PRIMARY [REPLICA...]"
        write_config "$@"
        [ -s "$STATE/pgbouncer.pid" ] || die "pgbouncer is not running (no $STATE/pgbouncer.pid)"
        # SIGHUP makes pgbouncer reload, like RELOAD on the admin console.
        kill -HUP "$(cat "$STATE/pgbouncer.pid")"
        echo "entrypoint: pgbouncer reloaded; olpe_rw -> $1"
        ;;
    *)
        die "unknown command '$1' (expected run or route)"
        ;;
esac
