#!/usr/bin/env bash
# Start, stop and inspect a throwaway PostgreSQL cluster that lives in one
# directory, so tests and demos never touch a system cluster.
#
#   scripts/pgcluster.sh start DIR [--conf 'key=value' ...]
#   scripts/pgcluster.sh stop DIR
#   scripts/pgcluster.sh status DIR
#
# start creates DIR/data with initdb when it is missing and picks a free TCP
# port on 127.0.0.1. The Unix socket goes in DIR and the server log in
# DIR/postgres.log. After the server is up, start creates the database
# $PGCLUSTER_DBNAME (default: olpe) and writes DIR/env, which sets PGHOST,
# PGPORT, PGUSER and PGDATABASE for psql:
#
#   . DIR/env && psql
#
# Each --conf setting goes into DIR/data/pgcluster.conf, which is rewritten on
# every start, so a restart with other settings does not need a new initdb.
# initdb and postgres refuse to run as root, so as root the server runs as the
# postgres OS user and DIR is chowned to it.
#
# Environment:
#   PG_CONFIG          pg_config to take the server binaries from (default: pg_config)
#   PGCLUSTER_DBNAME   database to create (default: olpe)
#   PGCLUSTER_PORTS    TCP port range to search, as FIRST-LAST (default: 54320-54999)
set -euo pipefail

PROG=$(basename "$0")

usage() {
    cat >&2 <<EOF
usage: $PROG start DIR [--conf 'key=value' ...]
       $PROG stop DIR
       $PROG status DIR
EOF
    exit 2
}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

# Run a command as the OS user that owns the cluster: postgres when we are
# root, otherwise the current user.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

find_bindir() {
    local pg_config=${PG_CONFIG:-pg_config}
    if ! command -v "$pg_config" >/dev/null 2>&1; then
        die "pg_config not found: run scripts/install-deps.sh or set PG_CONFIG"
    fi
    BINDIR=$("$pg_config" --bindir)
    [ -x "$BINDIR/pg_ctl" ] || die "pg_ctl not found in $BINDIR (is the PostgreSQL server package installed?)"
}

# Print the postmaster pid of the cluster in $DATA when that process is alive,
# and fail otherwise. The pid is the first line of postmaster.pid.
running_pid() {
    local pidfile=$DATA/postmaster.pid pid
    [ -r "$pidfile" ] || return 1
    pid=$(head -n 1 "$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    # A stale pid file can name a pid that another program reuses by now.
    if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q postgres; then
        echo "$pid"
        return 0
    fi
    return 1
}

# Give the postgres OS user access to DIR: chown DIR to it and add o+x to each
# ancestor directory it cannot traverse (for example /root, which is 0700).
grant_directory_access() {
    local dir=$1 ancestor
    chown postgres:postgres "$dir"
    ancestor=$(dirname "$dir")
    local -a blocked=()
    while :; do
        if ! runuser -u postgres -- test -x "$ancestor"; then
            blocked+=("$ancestor")
        fi
        [ "$ancestor" = / ] && break
        ancestor=$(dirname "$ancestor")
    done
    local d
    for d in "${blocked[@]}"; do
        chmod o+x "$d"
        echo "$PROG: note: added o+x to $d so that the postgres user can reach $dir"
    done
}

port_is_free() {
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
                                      Proto => "tcp", Listen => 1, ReuseAddr => 1);
        exit($s ? 0 : 1);' "$1"
}

# Quote a postgresql.conf value unless the caller already quoted it.
conf_line() {
    local setting=$1 key value
    [[ "$setting" == *=* ]] || die "invalid --conf '$setting': expected key=value"
    key=${setting%%=*}
    value=${setting#*=}
    key=${key//[[:space:]]/}
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_.]*$ ]] || die "invalid --conf key '$key' in '$setting'"
    if [[ "$value" != \'* ]]; then
        value="'${value//\'/\'\'}'"
    fi
    printf '%s = %s\n' "$key" "$value"
}

write_conf() {
    local port=$1
    shift
    {
        echo "# Written by $PROG on every start; edits here are lost."
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '${DIR//\'/\'\'}'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "logging_collector = off"
        echo "log_line_prefix = '%m [%p] %q%u@%d '"
        echo "lc_messages = 'C'"
        local setting
        for setting in "$@"; do
            conf_line "$setting"
        done
    } >"$DATA/pgcluster.conf"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$DATA/pgcluster.conf"
    fi
}

init_cluster() {
    local locale=C
    if locale -a 2>/dev/null | grep -qix 'C.utf-\?8'; then
        locale=C.UTF-8
    fi
    echo "$PROG: initdb $DATA (locale $locale)"
    if ! as_owner "$BINDIR/initdb" -D "$DATA" -U postgres -A trust -E UTF8 \
            --locale="$locale" --no-sync >"$DIR/initdb.log" 2>&1; then
        cat "$DIR/initdb.log" >&2
        rm -rf "$DATA"
        die "initdb failed"
    fi
    echo "include_if_exists = 'pgcluster.conf'" >>"$DATA/postgresql.conf"
}

# Stop whatever a failed start left behind, then show why it failed.
abandon_start() {
    local pid
    if pid=$(running_pid); then
        kill -QUIT "$pid" 2>/dev/null || true
        sleep 1
        kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "$PROG: last lines of $LOG:" >&2
    tail -n 20 "$LOG" >&2 || true
}

cmd_start() {
    local -a confs=()
    while [ $# -gt 0 ]; do
        case $1 in
            --conf) [ $# -ge 2 ] || usage; confs+=("$2"); shift 2 ;;
            --conf=*) confs+=("${1#--conf=}"); shift ;;
            *) die "unknown option '$1'" ;;
        esac
    done

    local pid
    if pid=$(running_pid); then
        echo "$PROG: cluster in $DIR is already running (pid $pid); not restarting it"
        [ ${#confs[@]} -eq 0 ] || echo "$PROG: warning: --conf settings not applied because the cluster runs: stop it first" >&2
        return 0
    fi

    # The Unix socket path must fit in sockaddr_un.sun_path (107 bytes on Linux).
    local socket_suffix=/.s.PGSQL.65535
    if [ $(( ${#DIR} + ${#socket_suffix} )) -gt 107 ]; then
        die "socket path $DIR/.s.PGSQL.NNNNN is longer than 107 bytes: use a shorter DIR"
    fi

    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "OS user postgres missing (install postgresql-15)"
        grant_directory_access "$DIR"
    fi
    [ -f "$DATA/PG_VERSION" ] || init_cluster

    local dbname=${PGCLUSTER_DBNAME:-olpe}
    local range=${PGCLUSTER_PORTS:-54320-54999}
    local first=${range%-*} last=${range#*-}
    [[ "$first" =~ ^[0-9]+$ && "$last" =~ ^[0-9]+$ && "$first" -le "$last" ]] \
        || die "invalid PGCLUSTER_PORTS '$range': expected FIRST-LAST"

    # Start at a random offset so clusters started at the same time rarely
    # try the same port. Another process can still take the port between the
    # bind test and the server start, so a failed start moves on to the next
    # port, up to 5 times.
    local span=$(( last - first + 1 ))
    local offset=$(( RANDOM % span ))
    local tries=0 attempts=0 port=""
    while [ "$tries" -lt "$span" ] && [ "$attempts" -lt 5 ]; do
        port=$(( first + (offset + tries) % span ))
        tries=$(( tries + 1 ))
        port_is_free "$port" || continue
        attempts=$(( attempts + 1 ))

        write_conf "$port" ${confs[@]+"${confs[@]}"}
        local log_size=0
        [ -f "$LOG" ] && log_size=$(stat -c %s "$LOG")
        if as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null; then
            break
        fi
        if tail -c +$(( log_size + 1 )) "$LOG" \
                | grep -q 'could not \(create any TCP/IP sockets\|bind IPv4 address\)' \
                && [ "$attempts" -lt 5 ]; then
            echo "$PROG: port $port was taken during start, trying another" >&2
            if pid=$(running_pid); then kill -QUIT "$pid" 2>/dev/null || true; fi
            port=""
            continue
        fi
        abandon_start
        die "could not start the cluster in $DIR (port $port)"
    done
    if [ -z "$port" ] || ! running_pid >/dev/null; then
        [ -z "$port" ] || abandon_start
        die "no free TCP port found in $range"
    fi

    local psql=("$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$port" -U postgres)
    if ! exists=$("${psql[@]}" -d postgres -At -c \
            "SELECT 1 FROM pg_database WHERE datname = '${dbname//\'/\'\'}'"); then
        abandon_start
        die "could not connect to the cluster in $DIR"
    fi
    if [ "$exists" != 1 ]; then
        "${psql[@]}" -d postgres -c "CREATE DATABASE \"${dbname//\"/\"\"}\"" \
            || { abandon_start; die "could not create database $dbname"; }
    fi

    printf 'export PGHOST=%q PGPORT=%q PGUSER=postgres PGDATABASE=%q\n' \
        "$DIR" "$port" "$dbname" >"$DIR/env"

    echo "$PROG: started PostgreSQL (pid $(running_pid)) from $DATA"
    echo "$PROG:   port $port on 127.0.0.1, socket in $DIR, database $dbname, log $LOG"
    echo "$PROG:   connect with: . $DIR/env && psql"
}

cmd_stop() {
    local pid
    if ! pid=$(running_pid); then
        echo "$PROG: no cluster running in $DIR"
        return 0
    fi
    if ! as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1; then
        echo "$PROG: pg_ctl stop failed, sending SIGQUIT to pid $pid" >&2
        kill -QUIT "$pid" 2>/dev/null || true
        local i
        for i in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$PROG: sending SIGKILL to pid $pid" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    echo "$PROG: stopped cluster in $DIR (pid $pid)"
}

cmd_status() {
    local pid
    if pid=$(running_pid); then
        local port
        port=$(sed -n 4p "$DATA/postmaster.pid")
        echo "$PROG: running in $DIR (pid $pid, port $port)"
    else
        echo "$PROG: not running in $DIR"
        return 3
    fi
}

[ $# -ge 2 ] || usage
COMMAND=$1
if [ "$COMMAND" = start ]; then
    mkdir -p "$2"
elif [ ! -d "$2" ]; then
    echo "$PROG: no cluster in $2 (directory missing)"
    [ "$COMMAND" = status ] && exit 3
    exit 0
fi
DIR=$(cd "$2" && pwd -P)
DATA=$DIR/data
LOG=$DIR/postgres.log
shift 2
find_bindir

case $COMMAND in
    start) cmd_start "$@" ;;
    stop) [ $# -eq 0 ] || usage; cmd_stop ;;
    status) [ $# -eq 0 ] || usage; cmd_status ;;
    *) usage ;;
esac
