#!/usr/bin/env bash
# Start, stop, inspect and fail over olpe's production topology on one
# machine: a primary with olpe installed, streaming hot-standby replicas, and
# pgbouncer in transaction pooling mode in front of them.
#
#   scripts/topology.sh up [--replicas N]   (make cluster-up)
#   scripts/topology.sh down                (make cluster-down)
#   scripts/topology.sh status              (make cluster-status)
#   scripts/topology.sh failover [--to NODE]
#
# Everything lives in one directory (default: tmp/topology in the work tree):
#   pg1/, pg2/, ...  one PostgreSQL cluster each, run by scripts/pgcluster.sh;
#                    pg1 starts as the primary, the others as its replicas
#   pgbouncer/       pgbouncer.ini, databases.ini, pgbouncer.log, its pid
#                    file and Unix socket
#   topology.env     shell variables naming the current primary, replicas and
#                    ports, for scripts and tests: . DIR/topology.env
#
# up throws away what an earlier run left in the directory and starts afresh:
# initdb and CREATE EXTENSION olpe in database olpe on the primary, one replica
# per pg_basebackup (deploy/init-replica.sh, with a replication slot each),
# then pgbouncer, whose databases deploy/pgbouncer/configure.sh writes:
#   olpe_rw -> the primary, olpe_ro -> the first replica,
#   olpe_ro_1, olpe_ro_2, ... -> each replica.
# Every server listens on 127.0.0.1, on ports picked from PGCLUSTER_PORTS
# (default 54320-54999), and on a Unix socket in its directory. A failed up
# stops whatever it had started.
#
# Commits on the primary wait for the first replica that is connected
# (synchronous_standby_names = 'FIRST 1 (pg2, pg3, ...)'), so a commit that
# returned is on a replica too, and a failover to the most advanced replica
# loses none.
#
# failover promotes a replica: the one given with --to, else the one that has
# received the most WAL. It pauses olpe_rw in pgbouncer, stops the old
# primary if it still runs (so that two primaries never take writes), promotes
# the replica, points the other replicas at it, rewrites pgbouncer's
# [databases] and reloads it, and resumes olpe_rw. Clients of olpe_rw wait
# during the switch instead of failing. The old primary stays stopped.
#
# down stops pgbouncer and every server by pid and keeps the files.
#
# As root, the servers and pgbouncer run as the postgres OS user: initdb,
# postgres and pgbouncer refuse to run as root.
#
# Environment:
#   OLPE_TOPOLOGY_DIR        directory (default: tmp/topology in the work tree)
#   OLPE_TOPOLOGY_REPLICAS   replicas that up starts (default: 2)
#   PGCLUSTER_PORTS          TCP port range, as FIRST-LAST (default: 54320-54999)
#   PG_CONFIG                pg_config to take the binaries from
set -euo pipefail

PROG=topology.sh
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PGCLUSTER=$ROOT/scripts/pgcluster.sh
INIT_REPLICA=$ROOT/deploy/init-replica.sh
CONFIGURE_PGBOUNCER=$ROOT/deploy/pgbouncer/configure.sh
INIT_SQL=$ROOT/deploy/initdb/10-olpe.sql
DBNAME=olpe

usage() {
    cat >&2 <<EOF
usage: $PROG up [--replicas N]
       $PROG down
       $PROG status
       $PROG failover [--to NODE]
EOF
    exit 2
}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

say() {
    echo "$PROG: $*"
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

find_bindir() {
    local pg_config=${PG_CONFIG:-pg_config}
    command -v "$pg_config" >/dev/null 2>&1 \
        || die "pg_config not found: run scripts/install-deps.sh or set PG_CONFIG"
    BINDIR=$("$pg_config" --bindir)
    SHAREDIR=$("$pg_config" --sharedir)
    command -v pgbouncer >/dev/null 2>&1 \
        || die "pgbouncer not found: run scripts/install-deps.sh (Debian package pgbouncer)"
}

# --- nodes ----------------------------------------------------------------

node_dir() {
    echo "$TOPOLOGY_DIR/$1"
}

# Print the nodes that exist in the directory (pg1, pg2, ...) in number order.
list_nodes() {
    local path
    for path in "$TOPOLOGY_DIR"/pg[0-9]*; do
        [ -d "$path/data" ] && basename "$path"
    done | sort -V
}

# Print the postmaster pid of NODE when it runs, and fail otherwise.
node_pid() {
    local pidfile pid
    pidfile=$(node_dir "$1")/data/postmaster.pid
    [ -r "$pidfile" ] || return 1
    pid=$(head -n 1 "$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    # A stale pid file can name a pid that is gone or that another program
    # reuses by now.
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q postgres; then
        echo "$pid"
        return 0
    fi
    return 1
}

node_running() {
    node_pid "$1" >/dev/null
}

node_port() {
    sed -n 4p "$(node_dir "$1")/data/postmaster.pid"
}

# Run one SQL command on NODE in database olpe and print the result unaligned.
node_sql() {
    local node=$1
    shift
    "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$(node_dir "$node")" \
        -p "$(node_port "$node")" -U postgres -d "$DBNAME" "$@"
}

node_role() {
    local node=$1 in_recovery
    if ! node_running "$node"; then
        echo stopped
        return 0
    fi
    if ! in_recovery=$(node_sql "$node" -c 'SELECT pg_is_in_recovery()' 2>/dev/null); then
        echo unreachable
    elif [ "$in_recovery" = t ]; then
        echo replica
    else
        echo primary
    fi
}

# Settings of every node. Each node gets all of them, so that a replica
# promoted later is already configured as a primary; replicas ignore the
# primary-only ones. pgcluster.sh writes them into the node's pgcluster.conf.
# synchronous_standby_names is not among them: set_synchronous_standbys sets
# it on the current primary once its replicas stream, because until then
# every commit would wait.
node_confs() {
    local node=$1
    NODE_CONFS=(
        --conf "cluster_name=$node"
        --conf "max_connections=100"
        --conf "shared_buffers=32MB"
        --conf "wal_level=replica"
        --conf "max_wal_senders=10"
        --conf "max_replication_slots=10"
        --conf "wal_keep_size=64MB"
        --conf "hot_standby=on"
        --conf "hot_standby_feedback=on"
        # pg_rewind, which can turn a former primary into a replica, needs
        # wal_log_hints (or data checksums) and full_page_writes.
        --conf "wal_log_hints=on"
        --conf "full_page_writes=on"
        # pgcluster.sh turns synchronous_commit off for speed; the topology
        # needs it on for synchronous replication.
        --conf "synchronous_commit=on"
        --conf "log_connections=off"
    )
}

# Print a synchronous_standby_names value for the given replica names.
sync_standby_names() {
    if [ $# -eq 0 ]; then
        echo ""
    else
        local IFS=,
        echo "FIRST 1 ($*)"
    fi
}

start_node() {
    local node=$1
    node_confs "$node"
    bash "$PGCLUSTER" start "$(node_dir "$node")" "${NODE_CONFS[@]}"
}

# Make commits on PRIMARY wait until the first connected one of the given
# replicas has flushed them; with no replica, commits do not wait.
set_synchronous_standbys() {
    local primary=$1
    shift
    node_sql "$primary" \
        -c "ALTER SYSTEM SET synchronous_standby_names = '$(sync_standby_names "$@")'" \
        -c 'SELECT pg_reload_conf()' >/dev/null
}

# Wait until the primary lists REPLICA in pg_stat_replication as streaming.
wait_streaming() {
    local primary=$1 replica=$2 state="" i
    for i in $(seq 1 150); do
        state=$(node_sql "$primary" -c \
            "SELECT state FROM pg_stat_replication WHERE application_name = '$replica'" 2>/dev/null || true)
        [ "$state" = streaming ] && return 0
        sleep 0.2
    done
    echo "$PROG: $replica is not streaming from $primary after 30 s (state: ${state:-not connected})" >&2
    return 1
}

# --- pgbouncer ------------------------------------------------------------

PGBOUNCER_DIR_NAME=pgbouncer

pgbouncer_dir() {
    echo "$TOPOLOGY_DIR/$PGBOUNCER_DIR_NAME"
}

pgbouncer_pid() {
    local pidfile pid
    pidfile=$(pgbouncer_dir)/pgbouncer.pid
    [ -r "$pidfile" ] || return 1
    pid=$(head -n 1 "$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q pgbouncer; then
        echo "$pid"
        return 0
    fi
    return 1
}

# Run a command on pgbouncer's admin console (database pgbouncer).
pgbouncer_admin() {
    timeout "${ADMIN_TIMEOUT:-15}" "$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 \
        -h "$(pgbouncer_dir)" -p "$PGBOUNCER_PORT" -U postgres -d pgbouncer -c "$1"
}

port_is_free() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
                                      Proto => "tcp", Listen => 1, ReuseAddr => 1);
        exit($s ? 0 : 1);' "$1"
}

pick_port() {
    local range=${PGCLUSTER_PORTS:-54320-54999}
    local first=${range%-*} last=${range#*-} span offset i port
    [[ "$first" =~ ^[0-9]+$ && "$last" =~ ^[0-9]+$ && "$first" -le "$last" ]] \
        || die "invalid PGCLUSTER_PORTS '$range': expected FIRST-LAST"
    span=$(( last - first + 1 ))
    offset=$(( RANDOM % span ))
    for (( i = 0; i < span; i++ )); do
        port=$(( first + (offset + i) % span ))
        if port_is_free "$port"; then
            echo "$port"
            return 0
        fi
    done
    die "no free TCP port found in $range"
}

# Write pgbouncer's configuration for a primary and a list of replicas.
configure_pgbouncer() {
    local primary=$1
    shift
    local dir ro_args=() replica
    dir=$(pgbouncer_dir)
    for replica in "$@"; do
        ro_args+=(--ro "127.0.0.1:$(node_port "$replica")")
    done
    as_owner bash "$CONFIGURE_PGBOUNCER" \
        --config "$dir/pgbouncer.ini" --databases "$dir/databases.ini" \
        --rw "127.0.0.1:$(node_port "$primary")" ${ro_args[@]+"${ro_args[@]}"} \
        --dbname "$DBNAME" \
        --set "listen_addr=127.0.0.1" \
        --set "listen_port=$PGBOUNCER_PORT" \
        --set "unix_socket_dir=$dir" \
        --set "logfile=$dir/pgbouncer.log" \
        --set "pidfile=$dir/pgbouncer.pid" \
        --set "auth_type=trust" \
        --set "auth_file=$dir/userlist.txt" \
        --set "admin_users=postgres" \
        --set "stats_users=postgres" \
        --set "max_client_conn=200" \
        --set "default_pool_size=${OLPE_TOPOLOGY_POOL_SIZE:-4}" \
        --set "reserve_pool_size=1" \
        --set "server_login_retry=1" \
        --set "log_connections=1" \
        --set "log_disconnections=1"
}

start_pgbouncer() {
    local primary=$1
    shift
    local dir pid i
    dir=$(pgbouncer_dir)
    as_owner mkdir -p "$dir"
    # With auth_type = trust pgbouncer checks no password, but the user must
    # be listed in auth_file.
    printf '"postgres" ""\n' | as_owner tee "$dir/userlist.txt" >/dev/null
    PGBOUNCER_PORT=$(pick_port)
    configure_pgbouncer "$primary" "$@"
    if ! as_owner pgbouncer -d "$dir/pgbouncer.ini"; then
        tail -n 20 "$dir/pgbouncer.log" >&2 || true
        die "pgbouncer did not start (log: $dir/pgbouncer.log)"
    fi
    for i in $(seq 1 50); do
        if pid=$(pgbouncer_pid) && pgbouncer_admin 'SHOW VERSION' >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$dir/pgbouncer.log" >&2 || true
    die "pgbouncer does not accept connections on port $PGBOUNCER_PORT (log: $dir/pgbouncer.log)"
}

stop_pgbouncer() {
    local pid i
    if ! pid=$(pgbouncer_pid); then
        return 0
    fi
    # SIGTERM makes pgbouncer exit at once and close every connection.
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$PROG: pgbouncer (pid $pid) did not exit after SIGTERM, sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped pgbouncer (pid $pid)"
}

# --- state file -----------------------------------------------------------

write_state() {
    local primary=$1
    shift
    local replica ports=()
    for replica in "$@"; do
        ports+=("$(node_port "$replica")")
    done
    {
        echo "# Written by scripts/topology.sh after up and failover; edits here are lost."
        printf 'TOPOLOGY_DIR=%q\n' "$TOPOLOGY_DIR"
        printf 'PRIMARY_NODE=%q\n' "$primary"
        printf 'PRIMARY_PORT=%q\n' "$(node_port "$primary")"
        printf 'REPLICA_NODES=%q\n' "$*"
        printf 'REPLICA_PORTS=%q\n' "${ports[*]-}"
        printf 'PGBOUNCER_PORT=%q\n' "$PGBOUNCER_PORT"
        printf 'PGBOUNCER_SOCKET_DIR=%q\n' "$(pgbouncer_dir)"
        printf 'PGBOUNCER_LOG=%q\n' "$(pgbouncer_dir)/pgbouncer.log"
    } >"$TOPOLOGY_DIR/topology.env.tmp"
    mv -f "$TOPOLOGY_DIR/topology.env.tmp" "$TOPOLOGY_DIR/topology.env"
}

load_state() {
    [ -f "$TOPOLOGY_DIR/topology.env" ] || die "no topology in $TOPOLOGY_DIR (run: $PROG up)"
    # shellcheck disable=SC1091
    . "$TOPOLOGY_DIR/topology.env"
    read -ra REPLICAS <<<"$REPLICA_NODES"
}

# --- commands -------------------------------------------------------------

anything_running() {
    local node
    pgbouncer_pid >/dev/null && return 0
    for node in $(list_nodes); do
        node_running "$node" && return 0
    done
    return 1
}

stop_everything() {
    local node
    stop_pgbouncer
    for node in $(list_nodes); do
        bash "$PGCLUSTER" stop "$(node_dir "$node")"
    done
}

cmd_up() {
    local replica_count=${OLPE_TOPOLOGY_REPLICAS:-2}
    while [ $# -gt 0 ]; do
        case $1 in
            --replicas) [ $# -ge 2 ] || usage; replica_count=$2; shift 2 ;;
            *) die "unknown option '$1'" ;;
        esac
    done
    # Each replica takes a WAL sender; max_wal_senders = 10 (node_confs)
    # keeps two for pg_basebackup and tools.
    if ! [[ "$replica_count" =~ ^[0-9]+$ ]] || [ "$replica_count" -gt 8 ]; then
        die "invalid --replicas '$replica_count': expected 0 to 8"
    fi
    [ -f "$SHAREDIR/extension/olpe.control" ] \
        || die "olpe is not installed in $SHAREDIR/extension: run make && make install first"

    if [ -d "$TOPOLOGY_DIR" ] && anything_running; then
        die "a topology is already running in $TOPOLOGY_DIR (see: $PROG status); stop it first with: $PROG down"
    fi

    local started=$SECONDS
    rm -rf "$TOPOLOGY_DIR"
    mkdir -p "$TOPOLOGY_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$TOPOLOGY_DIR"
    fi

    # From here on, a failure stops everything this run started.
    trap 'echo "$PROG: start failed; stopping what was started" >&2; stop_everything' EXIT

    local primary=pg1 replicas=() i
    for (( i = 2; i <= replica_count + 1; i++ )); do
        replicas+=("pg$i")
    done
    say "starting primary $primary"
    start_node "$primary"
    node_sql "$primary" -f "$INIT_SQL"
    say "olpe $(node_sql "$primary" -c "SELECT extversion FROM pg_extension WHERE extname = 'olpe'") installed in database $DBNAME on $primary"

    local replica
    for replica in ${replicas[@]+"${replicas[@]}"}; do
        say "creating replica $replica"
        as_owner mkdir -p "$(node_dir "$replica")"
        as_owner bash "$INIT_REPLICA" --host 127.0.0.1 --port "$(node_port "$primary")" \
            --user postgres --slot "$replica" --application-name "$replica" \
            --pgdata "$(node_dir "$replica")/data" --bindir "$BINDIR"
        start_node "$replica"
        wait_streaming "$primary" "$replica"
    done
    set_synchronous_standbys "$primary" ${replicas[@]+"${replicas[@]}"}

    say "starting pgbouncer"
    start_pgbouncer "$primary" ${replicas[@]+"${replicas[@]}"}
    write_state "$primary" ${replicas[@]+"${replicas[@]}"}
    trap - EXIT

    say "topology up in $(( SECONDS - started )) s"
    cmd_status
}

cmd_down() {
    [ $# -eq 0 ] || usage
    if [ ! -d "$TOPOLOGY_DIR" ]; then
        say "no topology in $TOPOLOGY_DIR"
        return 0
    fi
    stop_everything
    say "topology in $TOPOLOGY_DIR stopped (files kept)"
}

# Print one line per node and one for pgbouncer. Returns 3 when something
# that the state file names is not running.
cmd_status() {
    [ $# -eq 0 ] || usage
    if [ ! -f "$TOPOLOGY_DIR/topology.env" ]; then
        say "no topology in $TOPOLOGY_DIR"
        return 3
    fi
    load_state
    local status=0 node role dir line
    say "topology in $TOPOLOGY_DIR"

    for node in $(list_nodes); do
        dir=$(node_dir "$node")
        role=$(node_role "$node")
        case $role in
            stopped)
                if [ "$node" = "$PRIMARY_NODE" ] || [[ " $REPLICA_NODES " == *" $node "* ]]; then
                    line="stopped"
                    status=3
                else
                    line="stopped, out of the topology (a former primary)"
                fi
                ;;
            primary)
                line="primary  pid $(node_pid "$node")  port $(node_port "$node")"
                line+="  synchronous_standby_names '$(node_sql "$node" -c 'SHOW synchronous_standby_names')'"
                ;;
            replica)
                line="replica  pid $(node_pid "$node")  port $(node_port "$node")"
                line+="  $(node_sql "$node" -c "SELECT coalesce((SELECT 'streaming from port ' || sender_port FROM pg_stat_wal_receiver WHERE status = 'streaming'), 'not streaming') || ', replayed ' || coalesce(pg_last_wal_replay_lsn()::text, '-')")"
                ;;
            *)
                line=$role
                status=3
                ;;
        esac
        printf '  %-9s %s\n' "$node" "$line"
        printf '  %-9s socket %s  log %s\n' "" "$dir" "$dir/postgres.log"
    done

    local pid
    if pid=$(pgbouncer_pid); then
        printf '  %-9s pid %s  port %s  socket %s\n' pgbouncer "$pid" "$PGBOUNCER_PORT" "$(pgbouncer_dir)"
        printf '  %-9s log %s  config %s\n' "" "$PGBOUNCER_LOG" "$(pgbouncer_dir)/pgbouncer.ini"
        while IFS='|' read -r name host port database; do
            [ "$name" = pgbouncer ] && continue
            printf '  %-9s %s -> %s:%s/%s\n' "" "$name" "$host" "$port" "$database"
        done < <(pgbouncer_admin 'SHOW DATABASES' | cut -d'|' -f1-4)
    else
        printf '  %-9s stopped\n' pgbouncer
        status=3
    fi

    if [ "$status" -eq 0 ]; then
        echo "  connect: psql -h 127.0.0.1 -p $PGBOUNCER_PORT -U postgres olpe_rw   (or olpe_ro)"
        echo "  variables: . $TOPOLOGY_DIR/topology.env"
    fi
    return "$status"
}

# Print the WAL position, in bytes, up to which NODE has received WAL.
received_bytes() {
    node_sql "$1" -c "SELECT pg_wal_lsn_diff(coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), '0/0')::bigint"
}

cmd_failover() {
    local target=""
    while [ $# -gt 0 ]; do
        case $1 in
            --to) [ $# -ge 2 ] || usage; target=$2; shift 2 ;;
            *) die "unknown option '$1'" ;;
        esac
    done
    load_state
    local old=$PRIMARY_NODE started_ns replica
    started_ns=$(date +%s%N)

    local candidates=()
    for replica in ${REPLICAS[@]+"${REPLICAS[@]}"}; do
        if [ "$(node_role "$replica")" = replica ]; then
            candidates+=("$replica")
        else
            echo "$PROG: warning: $replica is not a running replica; leaving it out" >&2
        fi
    done
    [ ${#candidates[@]} -gt 0 ] || die "no running replica to promote"

    if [ -n "$target" ]; then
        [[ " ${candidates[*]} " == *" $target "* ]] \
            || die "--to $target: not a running replica (running replicas: ${candidates[*]})"
    else
        # The replica that received the most WAL has every commit that any
        # other replica has, because they all receive the same WAL stream.
        local best_bytes=-1 bytes
        for replica in "${candidates[@]}"; do
            bytes=$(received_bytes "$replica")
            say "$replica has received WAL up to byte $bytes"
            if [ "$bytes" -gt "$best_bytes" ]; then
                best_bytes=$bytes
                target=$replica
            fi
        done
    fi
    say "failover from $old to $target"

    # 1. Hold new transactions of olpe_rw in pgbouncer. PAUSE waits for the
    # transactions in progress, then closes the server connections.
    local paused=true
    if ! pgbouncer_admin "PAUSE ${DBNAME}_rw" >/dev/null; then
        paused=false
        echo "$PROG: warning: PAUSE ${DBNAME}_rw failed or timed out; continuing" >&2
    fi

    # 2. Fence the old primary. A fast shutdown sends the remaining WAL to the
    # connected replicas before the server exits.
    if node_running "$old"; then
        say "stopping the old primary $old"
        bash "$PGCLUSTER" stop "$(node_dir "$old")"
    else
        say "the old primary $old is not running"
    fi

    # 3. Promote.
    as_owner "$BINDIR/pg_ctl" promote -w -t 60 -D "$(node_dir "$target")/data" >/dev/null
    [ "$(node_role "$target")" = primary ] || die "$target did not become a primary"
    say "promoted $target (port $(node_port "$target"))"

    # 4. Point the other replicas at the new primary. Each gets a slot there
    # first. Commits wait for one of them, once one is connected.
    local others=()
    for replica in "${candidates[@]}"; do
        [ "$replica" = "$target" ] || others+=("$replica")
    done
    set_synchronous_standbys "$target" ${others[@]+"${others[@]}"}
    local target_port following=()
    target_port=$(node_port "$target")
    for replica in ${others[@]+"${others[@]}"}; do
        node_sql "$target" -c "SELECT pg_create_physical_replication_slot('$replica', true)
                               WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '$replica')" >/dev/null
        node_sql "$replica" \
            -c "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=$target_port user=postgres application_name=$replica'" \
            -c "ALTER SYSTEM SET primary_slot_name = '$replica'" \
            -c 'SELECT pg_reload_conf()' >/dev/null
    done
    for replica in ${others[@]+"${others[@]}"}; do
        if wait_streaming "$target" "$replica"; then
            following+=("$replica")
            say "$replica streams from $target"
        else
            echo "$PROG: warning: $replica does not follow $target; it stays out of pgbouncer. Re-create it with deploy/init-replica.sh (see docs/deployment.md)" >&2
        fi
    done
    if [ ${#following[@]} -lt ${#others[@]} ]; then
        set_synchronous_standbys "$target" ${following[@]+"${following[@]}"}
    fi

    # 5. Route pgbouncer to the new primary and resume olpe_rw.
    configure_pgbouncer "$target" ${following[@]+"${following[@]}"}
    pgbouncer_admin RELOAD >/dev/null
    # RESUME also when PAUSE timed out: pgbouncer may still be pausing.
    if ! pgbouncer_admin "RESUME ${DBNAME}_rw" >/dev/null 2>&1 && $paused; then
        echo "$PROG: warning: RESUME ${DBNAME}_rw failed" >&2
    fi
    write_state "$target" ${following[@]+"${following[@]}"}

    local elapsed_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))
    say "failover done in $elapsed_ms ms: primary $target, replicas: ${following[*]:-none}; $old stays stopped"
}

[ $# -ge 1 ] || usage
COMMAND=$1
shift
TOPOLOGY_DIR=${OLPE_TOPOLOGY_DIR:-$ROOT/tmp/topology}
mkdir -p "$(dirname "$TOPOLOGY_DIR")"
TOPOLOGY_DIR=$(cd "$(dirname "$TOPOLOGY_DIR")" && pwd -P)/$(basename "$TOPOLOGY_DIR")
find_bindir

case $COMMAND in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    failover) cmd_failover "$@" ;;
    *) usage ;;
esac
