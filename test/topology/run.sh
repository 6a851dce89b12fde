#!/usr/bin/env bash
# Test olpe in its production topology on this machine: a primary, two
# streaming replicas and pgbouncer in transaction pooling mode, started with
# scripts/topology.sh in test/tmp/topology and stopped at the end.
#
# Each check prints "ok N - name" or "not ok N - name" (with "#" detail
# lines); checks that need an optional olpe feature that this build lacks
# print "ok N - name # SKIP". The last line is
#   topology: N passed, N failed, N skipped
# and the exit status is 1 when a check failed.
#
# Parts:
#   1. pooling: pgbench through pgbouncer, 16 clients on olpe_rw sharing a
#      pool of 4 server connections (two time zones) and 16 on olpe_ro;
#      decisions checked against checksums from a direct connection, writes
#      through the enforcement trigger counted and checked
#   2. freshness: a policy change committed on the primary, seen by the next
#      statement of long-lived pooled sessions on the primary and on both
#      replicas, with the delay measured and no reconnect
#   3. replicas: compliance reports and explain on a replica; writing olpe
#      functions rejected there with SQLSTATE 25006
#   4. libpq routing with target_session_attrs, without pgbouncer
#   5. failover while clients write and evaluate through pgbouncer: a
#      planned switchover, then a crash of the new primary; no committed row
#      or decision lost
#   6. the container entry points, run here without a container: the
#      pgbouncer container's (shipped pgbouncer.ini with SCRAM, and its
#      route command) and the replica container's, which adds a replica to
#      the primary left after the failovers
#
# It uses the olpe that is installed (test/run.sh builds and installs it
# first). About one to two minutes on 2 cores.
#
# Environment:
#   OLPE_TOPOLOGY_TEST_DIR   topology directory (default: test/tmp/topology)
#   OLPE_TOPOLOGY_LISTINGS   generated listings (default: 2000)
#   OLPE_TOPOLOGY_PGBENCH_SECONDS   duration of the pgbench runs (default: 8)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
HERE=$ROOT/test/topology
TOPOLOGY=$ROOT/scripts/topology.sh
export OLPE_TOPOLOGY_DIR=${OLPE_TOPOLOGY_TEST_DIR:-$ROOT/test/tmp/topology}
LISTINGS=${OLPE_TOPOLOGY_LISTINGS:-2000}
PGBENCH_SECONDS=${OLPE_TOPOLOGY_PGBENCH_SECONDS:-8}
# pgbouncer's pool per database and user; the pooling checks rely on it.
export OLPE_TOPOLOGY_POOL_SIZE=4
RESERVE_POOL_SIZE=1

BINDIR=$(pg_config --bindir)
PSQL=("$BINDIR/psql" -X -q -At -v ON_ERROR_STOP=1 -U postgres)

passed=0
failed=0
skipped=0
test_number=0

pass() {
    test_number=$(( test_number + 1 ))
    passed=$(( passed + 1 ))
    echo "ok $test_number - $1"
}

# fail NAME [DETAIL...]
fail() {
    test_number=$(( test_number + 1 ))
    failed=$(( failed + 1 ))
    echo "not ok $test_number - $1"
    shift
    local line
    for line in "$@"; do
        echo "#   $line"
    done
}

skip() {
    test_number=$(( test_number + 1 ))
    skipped=$(( skipped + 1 ))
    echo "ok $test_number - $1 # SKIP $2"
}

# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "expected: $2" "actual:   $3"
    fi
}

# check_status NAME STATUS [DETAIL...]: pass when STATUS is 0.
check_status() {
    local name=$1 status=$2
    shift 2
    if [ "$status" -eq 0 ]; then
        pass "$name"
    else
        fail "$name" "$@"
    fi
}

section() {
    printf '# --- %s\n' "$*"
}

note() {
    printf '# %s\n' "$*"
}

# --- processes and cleanup -------------------------------------------------

background_pids=()
summary_printed=false
STOP_FILE=
# Pid files of servers that the test starts outside scripts/topology.sh.
extra_pid_files=()

print_summary() {
    $summary_printed && return 0
    summary_printed=true
    echo "topology: $passed passed, $failed failed, $skipped skipped"
}

cleanup() {
    local status=$?
    [ -z "$STOP_FILE" ] || touch "$STOP_FILE" 2>/dev/null || true
    local pid
    for pid in ${background_pids[@]+"${background_pids[@]}"}; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in ${background_pids[@]+"${background_pids[@]}"}; do
        wait "$pid" 2>/dev/null || true
    done
    local pid_file
    for pid_file in ${extra_pid_files[@]+"${extra_pid_files[@]}"}; do
        stop_by_pid_file "$pid_file"
    done
    bash "$TOPOLOGY" down >/dev/null 2>&1 || true
    if ! $summary_printed; then
        [ "$status" -eq 0 ] || fail "test script ended early with exit status $status"
        print_summary
    fi
    if [ "$failed" -gt 0 ]; then
        exit 1
    fi
}
# Stop the process named on the first line of PID_FILE (a postmaster.pid or
# a pgbouncer pid file) with SIGTERM, then SIGKILL after 10 s.
stop_by_pid_file() {
    local pid_file=$1 pid i
    [ -r "$pid_file" ] || return 0
    pid=$(head -n 1 "$pid_file")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

trap cleanup EXIT
trap 'exit 130' INT TERM

# --- connections ----------------------------------------------------------

# sql PORT DATABASE [psql arguments...]: run SQL on 127.0.0.1:PORT.
sql() {
    local port=$1 database=$2
    shift 2
    "${PSQL[@]}" -h 127.0.0.1 -p "$port" -d "$database" "$@"
}

load_topology() {
    # shellcheck disable=SC1091
    . "$OLPE_TOPOLOGY_DIR/topology.env"
    read -ra REPLICA_PORT_LIST <<<"$REPLICA_PORTS"
    read -ra REPLICA_NODE_LIST <<<"$REPLICA_NODES"
}

primary_sql() {
    sql "$PRIMARY_PORT" olpe "$@"
}

pooled_sql() {
    local database=$1
    shift
    sql "$PGBOUNCER_PORT" "$database" "$@"
}

pgbouncer_admin() {
    "${PSQL[@]}" -h "$PGBOUNCER_SOCKET_DIR" -p "$PGBOUNCER_PORT" -d pgbouncer -c "$1"
}

# Print the first ERROR line (with its SQLSTATE) that SQL raises on PORT/DB.
error_of() {
    local port=$1 database=$2 query=$3
    "$BINDIR/psql" -X -q -At -v VERBOSITY=verbose -U postgres -h 127.0.0.1 -p "$port" \
        -d "$database" -c "$query" 2>&1 >/dev/null | grep -m 1 '^ERROR:' || true
}

# Wait until every replica has replayed the primary's current WAL position.
wait_for_replay() {
    local lsn port i caught_up
    lsn=$(primary_sql -c 'SELECT pg_current_wal_lsn()')
    for port in ${REPLICA_PORT_LIST[@]+"${REPLICA_PORT_LIST[@]}"}; do
        caught_up=f
        for i in $(seq 1 100); do
            caught_up=$(sql "$port" olpe -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")
            [ "$caught_up" = t ] && break
            sleep 0.1
        done
        [ "$caught_up" = t ] || return 1
    done
}

has_feature() {
    [ "$(primary_sql -c "SELECT present FROM topology.feature WHERE name = '$1'")" = t ]
}

now_ms() {
    date +%s%3N
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Create a directory that the postgres OS user owns (when run as root) and
# alone can enter.
make_postgres_dir() {
    mkdir -p "$1"
    chmod 700 "$1"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$1"
    fi
}

# Print a free TCP port on 127.0.0.1 from PGCLUSTER_PORTS (default
# 54320-54999).
pick_port() {
    local range=${PGCLUSTER_PORTS:-54320-54999} port i
    local first=${range%-*} last=${range#*-}
    for i in $(seq 1 200); do
        port=$(( first + RANDOM % (last - first + 1) ))
        if perl -MIO::Socket::INET -e '
                exit(IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
                                           Proto => "tcp", Listen => 1, ReuseAddr => 1) ? 0 : 1)' "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Print the value of a "key: value" line of pgbench's summary for one script
# (SCRIPT given) or for the whole run.
pgbench_transactions() {
    local output=$1 script=${2-}
    if [ -z "$script" ]; then
        sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$output"
    else
        awk -v script="$script" '
            /^SQL script [0-9]+: / { n = split($4, parts, "/"); current = (parts[n] == script) }
            current && /^ - [0-9]+ transactions/ { print $2; exit }' "$output"
    fi
}

pgbench_failed() {
    sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$1"
}

# Check one pgbench run: exit status 0, no failed transaction, no aborted
# client, and at least one transaction.
check_pgbench() {
    local name=$1 output=$2 status=$3 total failures
    total=$(pgbench_transactions "$output")
    failures=$(pgbench_failed "$output")
    if [ "$status" -eq 0 ] && [ "${failures:-x}" = 0 ] && [ "${total:-0}" -gt 0 ] \
            && ! grep -q 'aborted' "$output"; then
        pass "$name ($total transactions, 0 failed)"
    else
        fail "$name" "exit status $status, ${total:-no} transactions, ${failures:-unknown} failed" \
            "$(grep -E 'aborted|ERROR|error' "$output" | head -n 5 | tr '\n' ' ')" "output: $output"
    fi
}

# --- setup ----------------------------------------------------------------

section "setup"
if ! bash "$TOPOLOGY" up --replicas 2 >"$ROOT/test/tmp/topology-up.log" 2>&1; then
    fail "topology starts" "$(tail -n 15 "$ROOT/test/tmp/topology-up.log" | tr '\n' ' ')"
    exit 1
fi
pass "topology starts: primary, 2 replicas, pgbouncer"
load_topology
OUT=$OLPE_TOPOLOGY_DIR/test-output
mkdir -p "$OUT"
mv "$ROOT/test/tmp/topology-up.log" "$OUT/topology-up.log"
note "primary $PRIMARY_NODE:$PRIMARY_PORT, replicas $REPLICA_NODES ($REPLICA_PORTS), pgbouncer $PGBOUNCER_PORT"

if ! primary_sql -v listings="$LISTINGS" -f "$HERE/fixture.sql" >"$OUT/fixture.log" 2>&1; then
    fail "fixture loads on the primary" "$(tail -n 10 "$OUT/fixture.log" | tr '\n' ' ')"
    exit 1
fi
pass "fixture loads on the primary ($LISTINGS listings)"
if wait_for_replay; then
    pass "replicas replay the fixture"
else
    fail "replicas replay the fixture" "a replica did not reach the primary's WAL position in 10 s"
    exit 1
fi

features=$(primary_sql -c "SELECT string_agg(name || '=' || present, ' ' ORDER BY name) FROM topology.feature")
note "optional olpe features: $features"
HAS_ENFORCE=false
HAS_COMPLIANCE=false
HAS_COPY_POLICY=false
has_feature enforce && HAS_ENFORCE=true
has_feature compliance && HAS_COMPLIANCE=true
has_feature copy_policy && HAS_COPY_POLICY=true

EXPECTED_TOTAL=$(primary_sql -c "SELECT md5(string_agg(checksum, ',' ORDER BY bucket)) FROM topology.expected_checksum")
TOTAL_CHECKSUM_SQL="SELECT md5(string_agg(checksum, ',' ORDER BY bucket)) FROM (
    SELECT l.id % 50 AS bucket,
           md5(string_agg(l.id || '=' || topology.decision_text(olpe.evaluate('office_listing_quality', l)),
                          ';' ORDER BY l.id)) AS checksum
      FROM demo.office_listing l GROUP BY 1) s"

# --- 1. pooling -------------------------------------------------------------

section "1. evaluation and writes through pgbouncer in transaction mode"

run_pgbench() {
    local output=$1 database=$2 timezone=$3 clients=$4
    shift 4
    PGTZ=$timezone "$BINDIR/pgbench" -n -c "$clients" -j 2 -T "$PGBENCH_SECONDS" \
        -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres "$@" "$database" >"$output" 2>&1
}

# Two groups of 8 clients in different time zones share olpe_rw's pool of 4
# server connections; 16 more clients evaluate on olpe_ro (a replica).
run_pgbench "$OUT/pgbench-rw-new-york.out" olpe_rw America/New_York 8 \
    -D writer_id=1 -f "$HERE/eval.sql@4" -f "$HERE/write.sql@1" &
pgbench_ny=$!
run_pgbench "$OUT/pgbench-rw-tokyo.out" olpe_rw Asia/Tokyo 8 \
    -D writer_id=2 -f "$HERE/eval.sql@4" -f "$HERE/write.sql@1" &
pgbench_tokyo=$!
run_pgbench "$OUT/pgbench-ro.out" olpe_ro UTC 16 -f "$HERE/eval.sql" &
pgbench_ro=$!
background_pids+=("$pgbench_ny" "$pgbench_tokyo" "$pgbench_ro")

# Sample pgbouncer's pool of olpe_rw while the clients run.
max_clients=0
max_servers=0
sleep 2
for i in $(seq 1 8); do
    row=$(pgbouncer_admin 'SHOW POOLS' | awk -F'|' '$1 == "olpe_rw"')
    if [ -n "$row" ]; then
        clients=$(awk -F'|' '{ print $3 + $4 }' <<<"$row")
        servers=$(awk -F'|' '{ print $7 + $10 + $11 + $12 + $13 }' <<<"$row")
        [ "$clients" -gt "$max_clients" ] && max_clients=$clients
        [ "$servers" -gt "$max_servers" ] && max_servers=$servers
    fi
    sleep 0.5
done

status_ny=0; wait "$pgbench_ny" || status_ny=$?
status_tokyo=0; wait "$pgbench_tokyo" || status_tokyo=$?
status_ro=0; wait "$pgbench_ro" || status_ro=$?
background_pids=()

check_pgbench "pgbench on olpe_rw, 8 clients in America/New_York" "$OUT/pgbench-rw-new-york.out" "$status_ny"
check_pgbench "pgbench on olpe_rw, 8 clients in Asia/Tokyo" "$OUT/pgbench-rw-tokyo.out" "$status_tokyo"
check_pgbench "pgbench on olpe_ro, 16 clients" "$OUT/pgbench-ro.out" "$status_ro"
if [ "$max_clients" -eq 16 ] && [ "$max_servers" -ge 1 ] \
        && [ "$max_servers" -le $(( OLPE_TOPOLOGY_POOL_SIZE + RESERVE_POOL_SIZE )) ]; then
    pass "16 clients of olpe_rw shared at most $max_servers server connections"
else
    fail "16 clients of olpe_rw shared the pool" \
        "sampled at most $max_clients clients and $max_servers server connections (pool $OLPE_TOPOLOGY_POOL_SIZE + reserve $RESERVE_POOL_SIZE)"
fi

for target in "olpe_rw:$PGBOUNCER_PORT" "olpe_ro:$PGBOUNCER_PORT" "olpe_ro_1:$PGBOUNCER_PORT" \
        "olpe_ro_2:$PGBOUNCER_PORT" "olpe:$PRIMARY_PORT" "olpe:${REPLICA_PORT_LIST[0]}" \
        "olpe:${REPLICA_PORT_LIST[1]}"; do
    database=${target%:*}
    port=${target##*:}
    label="$database on port $port"
    [ "$port" = "$PGBOUNCER_PORT" ] && label="pgbouncer $database"
    [ "$port" = "$PRIMARY_PORT" ] && label="direct primary"
    [ "$port" = "${REPLICA_PORT_LIST[0]}" ] && label="direct replica ${REPLICA_NODE_LIST[0]}"
    [ "$port" = "${REPLICA_PORT_LIST[1]}" ] && label="direct replica ${REPLICA_NODE_LIST[1]}"
    check "decision checksum through $label" "$EXPECTED_TOTAL" \
        "$(sql "$port" "$database" -c "$TOTAL_CHECKSUM_SQL" 2>&1)"
done

check "decision checksum on a copy of the listing table through olpe_ro" "$EXPECTED_TOTAL" \
    "$(pooled_sql olpe_ro -c "${TOTAL_CHECKSUM_SQL//demo.office_listing/topology.office_listing_copy}" 2>&1)"

written_ny=$(pgbench_transactions "$OUT/pgbench-rw-new-york.out" write.sql)
written_tokyo=$(pgbench_transactions "$OUT/pgbench-rw-tokyo.out" write.sql)
written_by_pgbench=$(( ${written_ny:-0} + ${written_tokyo:-0} ))
check "every INSERT that pgbench counted is on the primary" "$written_by_pgbench" \
    "$(primary_sql -c "SELECT count(*) FROM topology.written_listing WHERE writer IN ('pgbench-1', 'pgbench-2')")"

if $HAS_ENFORCE; then
    for timezone in America/New_York Asia/Tokyo; do
        check "annotations written in $timezone match olpe.evaluate there" 0 \
            "$(PGTZ=$timezone primary_sql -c "SELECT count(*)
                 FROM topology.written_listing w, olpe.evaluate('topology_write', w) d
                WHERE w.writer_tz = '$timezone'
                  AND (w.policy_outcome, w.policy_failures) IS DISTINCT FROM (d.outcome, d.failed)")"
    done
    # west_of_utc passes only west of UTC: each client's TimeZone reached the
    # server connection that pgbouncer lent it, and olpe compiled under it.
    check "each pooled client's TimeZone decides west_of_utc" "0 0" \
        "$(primary_sql -c "SELECT count(*) FILTER (WHERE writer_tz = 'America/New_York' AND 'west_of_utc' = ANY (policy_failures))
                                  || ' ' ||
                                  count(*) FILTER (WHERE writer_tz = 'Asia/Tokyo' AND NOT 'west_of_utc' = ANY (policy_failures))
                             FROM topology.written_listing WHERE writer IN ('pgbench-1', 'pgbench-2')")"
    check "a recorded decision for every row pgbench wrote" "$written_by_pgbench" \
        "$(primary_sql -c "SELECT count(*) FROM olpe.decision_log d JOIN topology.written_listing w
                             ON d.row_key = jsonb_build_object('id', w.id)
                            WHERE d.policy = 'topology_write' AND w.writer IN ('pgbench-1', 'pgbench-2')")"
    check "reject trigger through pgbouncer raises 23514" \
        'ERROR:  23514: new row for relation "strict_listing" violates policy "topology_strict"' \
        "$(error_of "$PGBOUNCER_PORT" olpe_rw 'INSERT INTO topology.strict_listing VALUES (1, 20)')"
    pooled_sql olpe_rw -c 'INSERT INTO topology.strict_listing VALUES (2, 500)'
    check "reject trigger through pgbouncer lets an allowed row in" "2" \
        "$(primary_sql -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM topology.strict_listing")"
else
    for name in "annotations match olpe.evaluate" "pooled clients' TimeZone decides" \
            "recorded decisions" "reject trigger raises 23514" "reject trigger allows"; do
        skip "$name" "olpe.enforce() is not in this build"
    done
fi

# --- 2. freshness -------------------------------------------------------------

section "2. a policy change reaches pooled sessions on the primary and replicas"

# A psql session that evaluates the probe policy again and again, each time
# in a statement (and so a transaction) of its own, through pgbouncer.
READER_SCRIPT=$OUT/reader.sql
{
    echo '\set ON_ERROR_STOP on'
    for i in $(seq 1 700); do
        echo "SELECT extract(epoch FROM clock_timestamp()), pg_backend_pid(), extract(epoch FROM a.backend_start), d.outcome, d.version FROM olpe.evaluate('topology_probe', '{\"size_sqft\": 500}'::jsonb) d, pg_stat_activity a WHERE a.pid = pg_backend_pid();"
        echo 'SELECT pg_sleep(0.004) \g /dev/null'
    done
} >"$READER_SCRIPT"

readers=(olpe_rw olpe_ro_1 olpe_ro_2)
reader_pids=()
for database in "${readers[@]}"; do
    "${PSQL[@]}" -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d "$database" -f "$READER_SCRIPT" \
        >"$OUT/reader-$database.out" 2>"$OUT/reader-$database.err" &
    reader_pids+=($!)
done
background_pids+=("${reader_pids[@]}")
old_version=$(primary_sql -c "SELECT version FROM olpe.policy WHERE name = 'topology_probe'")
sleep 1.5

# Times around the commit, from the same clock the readers use.
change=$(primary_sql <<'EOF'
SELECT extract(epoch FROM clock_timestamp());
UPDATE olpe.rule SET condition = 'size_sqft >= 1000000'
 WHERE policy = 'topology_probe' AND name = 'min_size';
SELECT extract(epoch FROM clock_timestamp());
SELECT version FROM olpe.policy WHERE name = 'topology_probe';
EOF
)
read -r commit_start commit_end new_version <<<"$(tr '\n' ' ' <<<"$change")"
note "policy topology_probe changed from version $old_version to $new_version"

reader_status=0
for pid in "${reader_pids[@]}"; do
    wait "$pid" || reader_status=1
done
background_pids=()
check_status "reader sessions ran without error" "$reader_status" \
    "$(cat "$OUT"/reader-*.err | head -n 5 | tr '\n' ' ')"

delays=()
for database in "${readers[@]}"; do
    # Fields: time|backend pid|backend start|outcome|version
    result=$(awk -F'|' -v old="$old_version" -v new="$new_version" \
                 -v start="$commit_start" -v end="$commit_end" '
        NF == 5 {
            rows++
            pids[$2] = 1
            if ($3 > max_backend_start) max_backend_start = $3
            if ($5 == new) {
                if (first_new == "") first_new = $1
                if ($4 != "deny") wrong_outcome++
            } else if ($5 == old) {
                if (first_new != "") stale_after_new++
                if ($4 != "allow") wrong_outcome++
                if ($1 < start) before_change++
            } else {
                other_version++
            }
        }
        END {
            npids = 0
            for (p in pids) npids++
            delay = (first_new == "") ? "none" : sprintf("%.1f", (first_new - end) * 1000)
            printf "rows=%d pids=%d before=%d stale_after_new=%d wrong_outcome=%d other_version=%d started_before_change=%s delay_ms=%s\n",
                rows, npids, before_change, stale_after_new, wrong_outcome, other_version,
                (max_backend_start < start) ? "yes" : "no", delay
        }' "$OUT/reader-$database.out")
    note "$database: $result"
    delay=${result##*delay_ms=}
    expected="rows=700 pids=1 before=B stale_after_new=0 wrong_outcome=0 other_version=0 started_before_change=yes"
    actual=$(sed -E 's/before=[1-9][0-9]* /before=B /; s/ delay_ms=.*//' <<<"$result")
    check "$database: one pooled backend saw the old then the new version" "$expected" "$actual"
    if [ "$delay" != none ] && awk -v d="$delay" 'BEGIN { exit !(d < 2000) }'; then
        pass "$database: new version used $delay ms after COMMIT returned"
        delays+=("$database ${delay} ms")
    else
        fail "$database: new version used within 2 s of COMMIT" "delay: $delay ms"
    fi
done
note "delay from COMMIT returning on the primary to the first statement using the new version (polling every ~5 ms): ${delays[*]}"

# --- 3. replicas ----------------------------------------------------------

section "3. reports run on a replica; writes are rejected there"

REPLICA=${REPLICA_PORT_LIST[0]}
if $HAS_COMPLIANCE; then
    REPORT_SQL="SELECT olpe.compliance(olpe.evaluate('office_listing_quality', l)) FROM demo.office_listing l"
else
    REPORT_SQL="SELECT string_agg(outcome || '=' || n, ',' ORDER BY outcome) FROM (
        SELECT (olpe.evaluate('office_listing_quality', l)).outcome, count(*) AS n
          FROM demo.office_listing l GROUP BY 1) s"
    note "olpe.compliance is not in this build: the report is a GROUP BY over olpe.evaluate"
fi
primary_report=$(primary_sql -c "$REPORT_SQL")
check "compliance report on a replica equals the primary's" "$primary_report" "$(sql "$REPLICA" olpe -c "$REPORT_SQL" 2>&1)"
check "compliance report through olpe_ro equals the primary's" "$primary_report" "$(pooled_sql olpe_ro -c "$REPORT_SQL" 2>&1)"
if $HAS_COMPLIANCE; then
    PARALLEL=(-c 'SET max_parallel_workers_per_gather = 2' -c 'SET parallel_setup_cost = 0'
              -c 'SET parallel_tuple_cost = 0' -c 'SET min_parallel_table_scan_size = 0')
    plan=$(sql "${REPLICA_PORT_LIST[1]}" olpe "${PARALLEL[@]}" -c "EXPLAIN (COSTS OFF) $REPORT_SQL" 2>&1)
    if grep -q 'Partial Aggregate' <<<"$plan"; then
        pass "compliance report on a replica plans a parallel partial aggregate"
    else
        fail "compliance report on a replica plans a parallel partial aggregate" "$(tr '\n' ' ' <<<"$plan")"
    fi
    check "parallel compliance report on a replica equals the primary's" "$primary_report" \
        "$(sql "${REPLICA_PORT_LIST[1]}" olpe "${PARALLEL[@]}" -c "$REPORT_SQL" 2>&1)"
else
    skip "parallel compliance report on a replica" "olpe.compliance is not in this build"
    skip "parallel compliance plan on a replica" "olpe.compliance is not in this build"
fi

EXPLAIN_SQL="SELECT string_agg(l.id || ':' || e.rule || ':' || e.applied || ':' || coalesce(e.passed::text, 'null') || ':' || coalesce(e.message, '') || ':' || e.detail, E'\n' ORDER BY l.id, e.rule)
  FROM demo.office_listing l, olpe.explain('office_listing_quality', l) e WHERE l.id <= 20"
check "olpe.explain on a replica equals the primary's" "$(primary_sql -c "$EXPLAIN_SQL")" \
    "$(sql "$REPLICA" olpe -c "$EXPLAIN_SQL" 2>&1)"

check "INSERT INTO olpe.rule on a replica" \
    "ERROR:  25006: cannot execute INSERT in a read-only transaction" \
    "$(error_of "$REPLICA" olpe "INSERT INTO olpe.rule (policy, name, condition) VALUES ('topology_probe', 'extra', 'true')")"
check "UPDATE olpe.policy on a replica" \
    "ERROR:  25006: cannot execute UPDATE in a read-only transaction" \
    "$(error_of "$REPLICA" olpe "UPDATE olpe.policy SET description = 'changed' WHERE name = 'topology_probe'")"
check "INSERT into a table with the enforcement trigger through olpe_ro" \
    "ERROR:  25006: cannot execute INSERT in a read-only transaction" \
    "$(error_of "$PGBOUNCER_PORT" olpe_ro "INSERT INTO topology.written_listing (writer, title, size_sqft, photo_count) VALUES ('replica', 'Replica office', 500, 5)")"
if $HAS_COPY_POLICY; then
    check "olpe.copy_policy on a replica" \
        "ERROR:  25006: cannot execute SELECT FOR SHARE in a read-only transaction" \
        "$(error_of "$REPLICA" olpe "SELECT olpe.copy_policy('topology_probe', 'topology_probe_copy')")"
else
    skip "olpe.copy_policy on a replica" "olpe.copy_policy is not in this build"
fi
if $HAS_ENFORCE; then
    check "olpe.purge_decision_log on a replica" \
        "ERROR:  25006: cannot execute DELETE in a read-only transaction" \
        "$(error_of "$REPLICA" olpe "SELECT olpe.purge_decision_log('1 day')")"
else
    skip "olpe.purge_decision_log on a replica" "olpe.enforce() is not in this build"
fi

# --- 4. libpq routing -----------------------------------------------------

section "4. libpq target_session_attrs without pgbouncer"

# conninfo TARGET_SESSION_ATTRS PORT...: a libpq connection string that
# lists 127.0.0.1 once per port.
conninfo() {
    local attrs=$1 hosts="" ports="" port
    shift
    for port in "$@"; do
        hosts+=${hosts:+,}127.0.0.1
        ports+=${ports:+,}$port
    done
    echo "host=$hosts port=$ports dbname=olpe user=postgres target_session_attrs=$attrs"
}
where_sql="SELECT pg_is_in_recovery()::text || ' ' || inet_server_port()"
check "prefer-standby with the primary listed first lands on a replica" \
    "true ${REPLICA_PORT_LIST[0]}" \
    "$("${PSQL[@]}" -d "$(conninfo prefer-standby "$PRIMARY_PORT" "${REPLICA_PORT_LIST[0]}")" -c "$where_sql" 2>&1)"
check "report through a prefer-standby connection equals the primary's" "$primary_report" \
    "$("${PSQL[@]}" -d "$(conninfo prefer-standby "$PRIMARY_PORT" "${REPLICA_PORT_LIST[@]}")" -c "$REPORT_SQL" 2>&1)"
check "read-write with a replica listed first lands on the primary" \
    "false $PRIMARY_PORT" \
    "$("${PSQL[@]}" -d "$(conninfo read-write "${REPLICA_PORT_LIST[0]}" "$PRIMARY_PORT")" -c "$where_sql" 2>&1)"
standby_only=$("${PSQL[@]}" -d "$(conninfo standby "$PRIMARY_PORT")" -c "$where_sql" 2>&1 || true)
if grep -q 'server is not in hot standby mode' <<<"$standby_only"; then
    pass "standby with only the primary listed fails"
else
    fail "standby with only the primary listed fails" "output: $standby_only"
fi

# --- 5. failover ------------------------------------------------------------

section "5. failover while clients write and evaluate through pgbouncer"

STOP_FILE=$OUT/stop
rm -f "$STOP_FILE" "$OUT"/writer-* "$OUT"/evaluator-*

# Insert listings one per psql run through olpe_rw, and log each id whose
# INSERT ... RETURNING reported success, with the time in ms.
writer_loop() {
    local writer=$1 i=0 id out
    while [ ! -e "$STOP_FILE" ]; do
        id=$(( 1000000000 + writer * 1000000 + i ))
        i=$(( i + 1 ))
        if out=$(PGCONNECT_TIMEOUT=5 "${PSQL[@]}" -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d olpe_rw \
                -c "INSERT INTO topology.written_listing (id, writer, title, size_sqft, photo_count)
                    VALUES ($id, 'failover-$writer', 'Failover office $id', $(( 50 + i % 400 )), $(( i % 6 )))
                    RETURNING id" 2>>"$OUT/writer-$writer.err") && [ "$out" = "$id" ]; then
            echo "$(now_ms) $id" >>"$OUT/writer-$writer.ok"
        else
            echo "$(now_ms) $id" >>"$OUT/writer-$writer.failed"
        fi
    done
}

# Evaluate a random bucket through DATABASE and log ok or failed with the time.
evaluator_loop() {
    local database=$1 bucket
    while [ ! -e "$STOP_FILE" ]; do
        bucket=$(( RANDOM % 50 ))
        if PGCONNECT_TIMEOUT=5 "${PSQL[@]}" -h 127.0.0.1 -p "$PGBOUNCER_PORT" -d "$database" \
                -c "SELECT topology.check_checksum($bucket, md5(string_agg(l.id || '=' || topology.decision_text(olpe.evaluate('office_listing_quality', l)), ';' ORDER BY l.id)))
                      FROM demo.office_listing l WHERE l.id % 50 = $bucket" \
                >/dev/null 2>>"$OUT/evaluator-$database.err"; then
            echo "$(now_ms) ok" >>"$OUT/evaluator-$database.log"
        else
            echo "$(now_ms) failed" >>"$OUT/evaluator-$database.log"
        fi
    done
}

writer_loop 1 &
background_pids+=($!)
writer_loop 2 &
background_pids+=($!)
evaluator_loop olpe_rw &
background_pids+=($!)
evaluator_loop olpe_ro &
background_pids+=($!)
loop_pids=("${background_pids[@]}")

# pgbench writes through the planned switchover.
PGTZ=UTC "$BINDIR/pgbench" -n -c 4 -j 2 -T 8 -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres \
    -D writer_id=3 -f "$HERE/write.sql" -f "$HERE/eval.sql" olpe_rw >"$OUT/pgbench-switchover.out" 2>&1 &
pgbench_switchover=$!
background_pids+=("$pgbench_switchover")

sleep 2
first_primary=$PRIMARY_NODE
switchover_status=0
bash "$TOPOLOGY" failover >"$OUT/failover-1.log" 2>&1 || switchover_status=$?
switchover_done=$(now_ms)
load_topology
check_status "planned switchover from $first_primary to $PRIMARY_NODE" "$switchover_status" \
    "$(tail -n 10 "$OUT/failover-1.log" | tr '\n' ' ')"
note "$(grep -m 1 'failover done' "$OUT/failover-1.log" || echo 'failover did not finish')"

status_switchover=0
wait "$pgbench_switchover" || status_switchover=$?
check_pgbench "pgbench writer through the switchover" "$OUT/pgbench-switchover.out" "$status_switchover"
# A transaction that commits while its connection is cut by the switchover is
# on the new primary but not counted by pgbench, so the rows may exceed the
# count by the number of clients; fewer rows than counted would be a loss.
counted=$(pgbench_transactions "$OUT/pgbench-switchover.out" write.sql)
stored=$(primary_sql -c "SELECT count(*) FROM topology.written_listing WHERE writer = 'pgbench-3'")
if [ -n "$counted" ] && [ -n "$stored" ] && [ "$stored" -ge "$counted" ] &&
   [ "$stored" -le $((counted + 4)) ]; then
    pass "every INSERT pgbench counted through the switchover is on the new primary"
else
    fail "every INSERT pgbench counted through the switchover is on the new primary" \
        "expected: $counted to $((counted + 4)) rows" "actual:   $stored"
fi

# Crash the new primary: SIGKILL to its postmaster, then fail over again.
second_primary=$PRIMARY_NODE
crash_pid=$(head -n 1 "$OLPE_TOPOLOGY_DIR/$second_primary/data/postmaster.pid")
# The time is taken before the kill: a write that fails from then on may
# have failed because of the crash.
crashed_at=$(now_ms)
kill -KILL "$crash_pid"
note "killed $second_primary (postmaster pid $crash_pid) with SIGKILL"
sleep 1
crash_status=0
bash "$TOPOLOGY" failover >"$OUT/failover-2.log" 2>&1 || crash_status=$?
crash_done=$(now_ms)
load_topology
check_status "failover after a crash of $second_primary to $PRIMARY_NODE" "$crash_status" \
    "$(tail -n 10 "$OUT/failover-2.log" | tr '\n' ' ')"
note "$(grep -m 1 'failover done' "$OUT/failover-2.log" || echo 'failover did not finish')"
sleep 3
touch "$STOP_FILE"
for pid in "${loop_pids[@]}"; do
    wait "$pid" || true
done
background_pids=()

touch "$OUT/writer-1.ok" "$OUT/writer-2.ok" "$OUT/writer-1.failed" "$OUT/writer-2.failed"
awk '{ print $2 }' "$OUT"/writer-*.ok >"$OUT/committed-ids"
committed=$(wc -l <"$OUT/committed-ids")
failed_writes=$(cat "$OUT"/writer-*.failed | wc -l)
after_switchover=$(awk -v t="$switchover_done" '$1 > t' "$OUT"/writer-*.ok | wc -l)
after_crash=$(awk -v t="$crash_done" '$1 > t' "$OUT"/writer-*.ok | wc -l)
note "writers: $committed INSERTs reported success ($after_switchover after the switchover, $after_crash after the crash failover), $failed_writes failed"

lost=$(primary_sql <<EOF
CREATE TEMPORARY TABLE committed_id (id bigint);
\copy committed_id FROM '$OUT/committed-ids'
SELECT count(*) FROM committed_id c
 WHERE NOT EXISTS (SELECT FROM topology.written_listing w WHERE w.id = c.id);
EOF
)
check "every INSERT that reported success is on the final primary ($committed rows)" 0 "$lost"
# pgbouncer pauses olpe_rw during a planned switchover, so clients wait
# instead of failing. A crash fails the transactions in flight.
check "no INSERT failed during the planned switchover" 0 \
    "$(awk -v t="$crashed_at" '$1 < t' "$OUT"/writer-*.failed | wc -l)"
[ "$after_switchover" -gt 0 ] && status=0 || status=1
check_status "writes continue after the switchover" "$status" "no successful INSERT after the switchover"
[ "$after_crash" -gt 0 ] && status=0 || status=1
check_status "writes continue after the crash failover" "$status" "no successful INSERT after the crash failover"

if $HAS_ENFORCE; then
    missing_decisions=$(primary_sql <<EOF
CREATE TEMPORARY TABLE committed_id (id bigint);
\copy committed_id FROM '$OUT/committed-ids'
SELECT count(*) FROM committed_id c
 WHERE NOT EXISTS (SELECT FROM olpe.decision_log d
                    WHERE d.policy = 'topology_write' AND d.row_key = jsonb_build_object('id', c.id));
EOF
)
    check "a recorded decision for every committed INSERT" 0 "$missing_decisions"
    check "annotations of the failover rows match olpe.evaluate" 0 \
        "$(PGTZ=UTC primary_sql -c "SELECT count(*)
             FROM topology.written_listing w, olpe.evaluate('topology_write', w) d
            WHERE w.writer LIKE 'failover-%'
              AND (w.policy_outcome, w.policy_failures) IS DISTINCT FROM (d.outcome, d.failed)")"
else
    skip "a recorded decision for every committed INSERT" "olpe.enforce() is not in this build"
    skip "annotations of the failover rows" "olpe.enforce() is not in this build"
fi

for database in olpe_rw olpe_ro; do
    log=$OUT/evaluator-$database.log
    touch "$log" "$OUT/evaluator-$database.err"
    ok_after=$(awk -v t="$crash_done" '$1 > t && $2 == "ok"' "$log" | wc -l)
    [ "$ok_after" -gt 0 ] && status=0 || status=1
    check_status "evaluations through $database continue after the failovers" "$status" \
        "$(tail -n 3 "$OUT/evaluator-$database.err" | tr '\n' ' ')"
    note "$database evaluations: $(awk '$2 == "ok"' "$log" | wc -l) ok, $(awk '$2 == "failed"' "$log" | wc -l) failed (connection errors during the switch)"
done
mismatches=$(cat "$OUT"/evaluator-*.err | grep -c 'checksum mismatch' || true)
check "no evaluation returned a wrong decision during the failovers" 0 "$mismatches"
crash_window_ms=$(( crash_done - crashed_at ))
note "from SIGKILL to pgbouncer routing to the new primary: $crash_window_ms ms"

final_status=0
bash "$TOPOLOGY" status >"$OUT/status-final.log" 2>&1 || final_status=$?
check_status "topology status is healthy after two failovers (primary $PRIMARY_NODE, no replica left)" \
    "$final_status" "$(tr '\n' ' ' <"$OUT/status-final.log")"
check "olpe_ro routes to the primary when no replica is left" "false $PRIMARY_PORT" \
    "$(pooled_sql olpe_ro -c "$where_sql" 2>&1)"

# --- 6. container entry points -------------------------------------------

section "6. container entry points, run without a container"

# The pgbouncer container's entry point with the shipped pgbouncer.ini:
# SCRAM authentication from its auth file, transaction pooling.
container_bouncer=$OUT/pgbouncer-container
make_postgres_dir "$container_bouncer"
bouncer_port=$(pick_port)
bouncer_env=(
    OLPE_PGBOUNCER_HOME="$ROOT/deploy/pgbouncer" OLPE_PGBOUNCER_STATE="$container_bouncer"
    OLPE_PRIMARY="127.0.0.1:$PRIMARY_PORT" OLPE_REPLICAS=""
    OLPE_DB_USER=postgres OLPE_DB_PASSWORD=topology-secret PGBOUNCER_ADMIN_PASSWORD=admin-secret
    PGBOUNCER_LISTEN_ADDR=127.0.0.1 PGBOUNCER_LISTEN_PORT="$bouncer_port"
)
as_postgres env "${bouncer_env[@]}" bash "$ROOT/deploy/pgbouncer/entrypoint.sh" run \
    >"$OUT/pgbouncer-container.log" 2>&1 &
background_pids+=($!)
extra_pid_files+=("$container_bouncer/pgbouncer.pid")
bouncer_up=1
for i in $(seq 1 50); do
    if PGPASSWORD=topology-secret "${PSQL[@]}" -h 127.0.0.1 -p "$bouncer_port" -d olpe_rw -c 'SELECT 1' >/dev/null 2>&1; then
        bouncer_up=0
        break
    fi
    sleep 0.1
done
check_status "pgbouncer container entry point starts pgbouncer" "$bouncer_up" \
    "$(tail -n 5 "$OUT/pgbouncer-container.log" | tr '\n' ' ')"
check "evaluation through the container's pgbouncer with a SCRAM login" "$EXPECTED_TOTAL" \
    "$(PGPASSWORD=topology-secret "${PSQL[@]}" -h 127.0.0.1 -p "$bouncer_port" -d olpe_rw -c "$TOTAL_CHECKSUM_SQL" 2>&1)"
wrong_password=$(PGPASSWORD=wrong "${PSQL[@]}" -h 127.0.0.1 -p "$bouncer_port" -d olpe_rw -c 'SELECT 1' 2>&1 || true)
if grep -q "FATAL:  SASL authentication failed" <<<"$wrong_password"; then
    pass "the container's pgbouncer rejects a wrong password"
else
    fail "the container's pgbouncer rejects a wrong password" "output: $wrong_password"
fi
check "the container's pgbouncer pools by transaction" "transaction" \
    "$(PGPASSWORD=admin-secret "${PSQL[@]}" -U pgbouncer_admin -h 127.0.0.1 -p "$bouncer_port" -d pgbouncer -c 'SHOW CONFIG' 2>&1 | awk -F'|' '$1 == "pool_mode" { print $2 }')"
as_postgres env "${bouncer_env[@]}" bash "$ROOT/deploy/pgbouncer/entrypoint.sh" route \
    "127.0.0.1:$PRIMARY_PORT" "127.0.0.1:$PRIMARY_PORT" >>"$OUT/pgbouncer-container.log" 2>&1 || true
routed=""
for i in $(seq 1 20); do
    routed=$(PGPASSWORD=admin-secret "${PSQL[@]}" -U pgbouncer_admin -h 127.0.0.1 -p "$bouncer_port" -d pgbouncer -c 'SHOW DATABASES' 2>&1 \
             | awk -F'|' '$1 ~ /^olpe_/ { print $1 "=" $3 }' | sort | tr '\n' ' ')
    [[ "$routed" == *olpe_ro_1=* ]] && break
    sleep 0.1
done
check "route in the container's entry point rewrites the databases and reloads" \
    "olpe_ro=$PRIMARY_PORT olpe_ro_1=$PRIMARY_PORT olpe_rw=$PRIMARY_PORT " "$routed"
stop_by_pid_file "$container_bouncer/pgbouncer.pid"

# The replica container's entry point adds a replica to the primary that the
# failovers left, through deploy/init-replica.sh, and runs it.
replica_data=$OUT/replica-container/data
replica_port=$(pick_port)
make_postgres_dir "$OUT/replica-container"
as_postgres env PRIMARY_HOST=127.0.0.1 PRIMARY_PORT="$PRIMARY_PORT" REPLICATION_USER=postgres \
    REPLICATION_PASSWORD=unused-with-trust REPLICA_NAME=container_replica PGDATA="$replica_data" \
    PATH="$BINDIR:$ROOT/deploy:$PATH" \
    bash "$ROOT/deploy/docker/replica-entrypoint.sh" \
    -c "port=$replica_port" -c listen_addresses=127.0.0.1 -c "unix_socket_directories=$OUT/replica-container" \
    -c cluster_name=container_replica >"$OUT/replica-container.log" 2>&1 &
background_pids+=($!)
extra_pid_files+=("$replica_data/postmaster.pid")
replica_ready=1
for i in $(seq 1 300); do
    if [ "$(sql "$replica_port" olpe -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; then
        replica_ready=0
        break
    fi
    sleep 0.1
done
check_status "replica container entry point starts a hot standby" "$replica_ready" \
    "$(tail -n 5 "$OUT/replica-container.log" | tr '\n' ' ')"
streaming=""
for i in $(seq 1 100); do
    streaming=$(primary_sql -c "SELECT state FROM pg_stat_replication WHERE application_name = 'container_replica'")
    [ "$streaming" = streaming ] && break
    sleep 0.1
done
check "the new replica streams from the primary through slot container_replica" "streaming" "$streaming"
REPLICA_PORT_LIST=("$replica_port")
wait_for_replay || true
check "decision checksum on the new replica" "$EXPECTED_TOTAL" "$(sql "$replica_port" olpe -c "$TOTAL_CHECKSUM_SQL" 2>&1)"
stop_by_pid_file "$replica_data/postmaster.pid"
primary_sql -c "SELECT pg_drop_replication_slot('container_replica')" >/dev/null 2>&1 || true

print_summary
