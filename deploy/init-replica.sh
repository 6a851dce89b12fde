#!/usr/bin/env bash
# Create the data directory of a streaming hot-standby replica from a running
# primary with pg_basebackup, with a physical replication slot of its own.
#
#   deploy/init-replica.sh --host HOST --port PORT --user USER --slot NAME \
#       --pgdata DIR [--application-name NAME] [--bindir DIR]
#
# Both the local topology (scripts/topology.sh) and the replica container
# (deploy/docker/replica-entrypoint.sh) create their replicas with this
# script, so the path that the tests run is the one that ships.
#
# The script runs pg_basebackup with -R, so the copy gets standby.signal and
# a primary_conninfo and primary_slot_name in postgresql.auto.conf. The slot
# is created on the primary unless it exists already (a replica created again
# under the same name reuses it). The slot keeps the WAL that the replica has
# not received yet, so a replica that was down catches up instead of needing
# a new base backup. A slot whose replica is gone keeps WAL forever, so drop
# it on the primary with pg_drop_replication_slot(NAME) when you remove a
# replica.
#
# Run it as the OS user that will run the replica's server, because
# pg_basebackup writes the files as that user. A password, when the primary
# requires one, comes from PGPASSWORD or ~/.pgpass as for any libpq program,
# and -R copies it into primary_conninfo.
#
# DIR must not exist or be empty. hot_standby is on by default since
# PostgreSQL 10, so the replica accepts read-only queries once it is started.
set -euo pipefail

PROG=init-replica.sh

usage() {
    cat >&2 <<EOF
usage: $PROG --host HOST --port PORT --user USER --slot NAME --pgdata DIR
          [--application-name NAME] [--bindir DIR]
EOF
    exit 2
}

die() {
    echo "$PROG: $*" >&2
    exit 1
}

host='' port='' user='' slot='' pgdata='' application_name='' bindir=''
while [ $# -gt 0 ]; do
    case $1 in
        --host) host=${2-}; shift 2 || usage ;;
        --port) port=${2-}; shift 2 || usage ;;
        --user) user=${2-}; shift 2 || usage ;;
        --slot) slot=${2-}; shift 2 || usage ;;
        --pgdata) pgdata=${2-}; shift 2 || usage ;;
        --application-name) application_name=${2-}; shift 2 || usage ;;
        --bindir) bindir=${2-}; shift 2 || usage ;;
        *) echo "$PROG: unknown option '$1'" >&2; usage ;;
    esac
done
if [ -z "$host" ] || [ -z "$port" ] || [ -z "$user" ] || [ -z "$slot" ] || [ -z "$pgdata" ]; then
    usage
fi
[[ "$slot" =~ ^[a-z0-9_]{1,63}$ ]] \
    || die "invalid slot name '$slot': use 1 to 63 lower-case letters, digits and underscores"
[[ "$port" =~ ^[0-9]+$ ]] || die "invalid port '$port'"
application_name=${application_name:-$slot}

if [ -z "$bindir" ]; then
    if command -v pg_config >/dev/null 2>&1; then
        bindir=$(pg_config --bindir)
    else
        bindir=$(dirname "$(command -v pg_basebackup)")
    fi
fi
[ -x "$bindir/pg_basebackup" ] || die "pg_basebackup not found in $bindir"

if [ -e "$pgdata" ] && [ -n "$(ls -A "$pgdata" 2>/dev/null)" ]; then
    die "$pgdata exists and is not empty: remove it first, or start the replica that is there"
fi

# Look the slot up over an ordinary connection: a replication connection
# cannot run queries.
slot_exists=$("$bindir/psql" -X -At -v ON_ERROR_STOP=1 \
    -h "$host" -p "$port" -U "$user" -d postgres \
    -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$slot'") \
    || die "query on the primary at $host:$port as $user failed: check that it runs and accepts $user"

create_slot=(--create-slot)
if [ "$slot_exists" = 1 ]; then
    echo "$PROG: replication slot $slot exists on the primary; the replica reuses it"
    create_slot=()
fi

echo "$PROG: base backup of $host:$port into $pgdata (slot $slot, application_name $application_name)"
"$bindir/pg_basebackup" \
    --dbname="host=$host port=$port user=$user application_name=$application_name" \
    --pgdata="$pgdata" \
    --wal-method=stream \
    --write-recovery-conf \
    --slot="$slot" ${create_slot[@]+"${create_slot[@]}"} \
    --checkpoint=fast \
    --no-password

[ -f "$pgdata/standby.signal" ] || die "pg_basebackup wrote no standby.signal in $pgdata"

# The copy carries the primary's postgresql.auto.conf. A
# synchronous_standby_names set there with ALTER SYSTEM names the primary's
# standbys, and would make this server wait for them (or for itself) once it
# is promoted, so it is dropped here, before the server first starts. The
# failover procedure sets it on the promoted server.
if grep -q '^synchronous_standby_names' "$pgdata/postgresql.auto.conf"; then
    sed -i '/^synchronous_standby_names/d' "$pgdata/postgresql.auto.conf"
    echo "$PROG: removed synchronous_standby_names copied from the primary's postgresql.auto.conf"
fi
grep -q "^primary_slot_name = '$slot'" "$pgdata/postgresql.auto.conf" \
    || die "pg_basebackup wrote no primary_slot_name in $pgdata/postgresql.auto.conf"
echo "$PROG: replica data directory ready in $pgdata"
