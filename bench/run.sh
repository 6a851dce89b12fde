#!/usr/bin/env bash
# Run the olpe benchmarks (`make bench`): build and install olpe, start a
# throwaway cluster in bench/tmp/cluster, generate office listings, time
# olpe against the same 20 rules written by hand, print the results and
# write them into docs/benchmarks.md.
#
#   bench/run.sh [--quick] [--rows N] [--runs N] [--duration SECONDS]
#                [--profile] [--no-docs] [--skip-build] [--keep-cluster]
#
#   --quick         a smoke run of about two minutes: 20,000 rows unless
#                   --rows is given, and 4-second pgbench runs
#   --rows N        listings to generate (default 1,000,000)
#   --runs N        timed runs of each query after one warm-up run; the
#                   median is reported (default 3)
#   --duration S    seconds of each pgbench run (default 10, quick 2)
#   --profile       also record perf profiles of the olpe.evaluate scan, of
#                   single-row INSERTs through olpe.enforce() and of the hand
#                   SQL scan into bench/tmp/profile-*.txt (needs perf)
#   --no-docs       print the results, leave docs/benchmarks.md alone
#   --skip-build    do not run install-deps.sh, make and make install
#   --keep-cluster  leave the cluster running afterwards, for psql
#
# Every variant must report the same failures per rule as olpe.evaluate;
# the run stops with an error when one differs. Sections that need a
# feature that is missing (olpe.compliance, olpe.enforce, pgbouncer) print
# "skipped: <reason>" and the run goes on.
#
# The measurements that load olpe run first and stop the run when olpe.so
# is replaced meanwhile (by another make install); the baselines run last.
#
# The listings are kept in the cluster and generated again only when the
# row count or bench/generate.sql changed. rm -rf bench/tmp starts afresh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

BENCH=$ROOT/bench
TMP=$BENCH/tmp
CLUSTER=$TMP/cluster
OUT=$TMP/out
RESULTS=$TMP/results.tsv
POLICY=bench_policy

mode=full
rows=""
runs=3
duration=""
profile=false
write_docs=true
build=true
keep_cluster=false

# Print the header comment of this file, which lists the options.
usage() {
    sed -n '2,/^set -euo pipefail/p' "$ROOT/bench/run.sh" | sed -n 's/^# \{0,1\}//p' >&2
    exit 2
}

die() {
    echo "bench: $*" >&2
    exit 1
}

positive_integer() {
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive whole number, not '$2'"
}

while [ $# -gt 0 ]; do
    case $1 in
        --quick) mode=quick; shift ;;
        --rows) [ $# -ge 2 ] || usage; positive_integer --rows "$2"; rows=$2; shift 2 ;;
        --runs) [ $# -ge 2 ] || usage; positive_integer --runs "$2"; runs=$2; shift 2 ;;
        --duration) [ $# -ge 2 ] || usage; positive_integer --duration "$2"; duration=$2; shift 2 ;;
        --profile) profile=true; shift ;;
        --no-docs) write_docs=false; shift ;;
        --skip-build) build=false; shift ;;
        --keep-cluster) keep_cluster=true; shift ;;
        -h|--help) usage ;;
        *) echo "bench: unknown argument '$1'" >&2; usage ;;
    esac
done

if [ "$mode" = quick ]; then
    rows=${rows:-20000}
    duration=${duration:-2}
    small_scan_rows=$(( rows < 10000 ? rows : 10000 ))
else
    rows=${rows:-1000000}
    duration=${duration:-10}
    small_scan_rows=$(( rows < 100000 ? rows : 100000 ))
fi
large_scan_rows=$(( rows * 10 ))
# The banned-phrase rule alone is timed on a slice of the table, because
# its 20 regular expressions take minutes over a million rows.
phrase_rows=$(( rows < 100000 ? rows : 100000 ))

library=""
library_md5=""

# Stop when olpe.so was replaced since the run installed it, because new
# backends would load the new library against the old SQL objects.
check_library() {
    [ -n "$library" ] || return 0
    [ "$(md5sum "$library" 2>/dev/null | cut -d' ' -f1)" = "$library_md5" ] \
        || die "$library was replaced during the run, for example by another make install; run the benchmark again"
}

step() {
    check_library
    printf '\n== %s\n' "$*"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# --- build and cluster ----------------------------------------------------

if $build; then
    step "dependencies"
    bash scripts/install-deps.sh
    step "build and install olpe"
    make -s
    as_root make -s install
fi

# The source that the installed library was built from, as far as git can
# tell: with --skip-build, another build may have installed it.
build_commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src sql 2>/dev/null || echo ' with uncommitted changes in src/ or sql/')"

library=$(pg_config --pkglibdir)/olpe.so
[ -f "$library" ] || die "$library not found: run without --skip-build"
library_md5=$(md5sum "$library" | cut -d' ' -f1)

mkdir -p "$TMP" "$OUT"
: >"$RESULTS"
rm -f "$OUT"/*

pgbouncer_pidfile=$TMP/pgbouncer/pgbouncer.pid
sampler_stop=$TMP/sampler.stop

stop_pgbouncer() {
    local pid
    [ -f "$pgbouncer_pidfile" ] || return 0
    pid=$(cat "$pgbouncer_pidfile")
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local i
        for i in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$pgbouncer_pidfile"
}

cleanup() {
    local status=$?
    touch "$sampler_stop"
    stop_pgbouncer
    if $keep_cluster; then
        echo "bench: cluster left running in $CLUSTER (. $CLUSTER/env && psql)"
    else
        bash scripts/pgcluster.sh stop "$CLUSTER" >/dev/null || true
    fi
    if [ "$status" -ne 0 ]; then
        echo "bench: failed (exit status $status)" >&2
    fi
}
trap cleanup EXIT

step "cluster"
# A cluster left running by an interrupted run would keep its old settings.
bash scripts/pgcluster.sh stop "$CLUSTER" >/dev/null
bash scripts/pgcluster.sh start "$CLUSTER" \
    --conf shared_buffers=2GB \
    --conf work_mem=64MB \
    --conf maintenance_work_mem=512MB \
    --conf max_worker_processes=8 \
    --conf max_parallel_workers=8 \
    --conf max_parallel_workers_per_gather=2 \
    --conf jit=off \
    --conf wal_level=minimal \
    --conf max_wal_senders=0 \
    --conf max_wal_size=8GB \
    --conf checkpoint_timeout=30min \
    --conf autovacuum=off
# shellcheck disable=SC1091
. "$CLUSTER/env"
export PGHOST PGPORT PGUSER PGDATABASE

psql_run() {
    psql -X -q -v ON_ERROR_STOP=1 "$@"
}

psql_value() {
    psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"
}

result() {
    printf '%s\t%s\n' "$1" "$2" >>"$RESULTS"
}

# --- workload -----------------------------------------------------------------

step "workload: $rows listings"
generator_md5=$(md5sum bench/generate.sql | cut -d' ' -f1)
generated=""
if [ -n "$(psql_value "SELECT to_regclass('bench.workload')")" ]; then
    generated=$(psql_value "SELECT rows || ' ' || generator_md5 FROM bench.workload")
fi
if [ "$generated" = "$rows $generator_md5" ]; then
    echo "bench: reusing the $rows listings generated earlier by this bench/generate.sql"
else
    started=$EPOCHREALTIME
    psql_run -v rows="$rows" -f bench/generate.sql
    psql_run -c "SET client_min_messages = warning" \
             -c "CREATE TABLE IF NOT EXISTS bench.workload (rows bigint, generator_md5 text)" \
             -c "TRUNCATE bench.workload" \
             -c "INSERT INTO bench.workload VALUES ($rows, '$generator_md5')"
    generate_seconds=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }')
    result generate_seconds "$generate_seconds"
    echo "bench: generated in $generate_seconds s"
fi
psql_run -c CHECKPOINT

psql_run <<'SQL'
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS olpe CASCADE;
CREATE EXTENSION olpe;
SQL
psql_run -f bench/policy.sql
psql_run -f bench/baselines.sql

result rows "$rows"
result commit "$build_commit"
result load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
result table_bytes "$(psql_value "SELECT pg_total_relation_size('bench.listing')")"
result avg_description "$(psql_value "SELECT round(avg(octet_length(description))) FROM bench.listing")"
result allowed_rows "$(psql_value "SELECT count(*) FROM bench.listing l WHERE (olpe.evaluate('$POLICY', l)).outcome = 'allow'")"

# --- timing helpers -------------------------------------------------------------

# Median of numbers given one per line.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1;
        if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# time_query NAME SETTINGS QUERY
# Runs QUERY once as a warm-up, writing its result to $OUT/NAME.txt, then
# $runs more times, and records the median and all times in milliseconds.
# SETTINGS are SQL statements run first in the same session.
time_query() {
    local name=$1 settings=$2 query=$3
    local script=$OUT/$name.sql times
    check_library
    {
        echo "$settings"
        echo "\\o $OUT/$name.txt"
        echo "$query;"
        echo "\\o /dev/null"
        echo "\\timing on"
        local i
        for i in $(seq "$runs"); do
            echo "$query;"
        done
    } >"$script"
    times=$(psql -X -q -At -v ON_ERROR_STOP=1 -f "$script" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
    [ "$(echo "$times" | wc -l)" -eq "$runs" ] || die "$name: expected $runs timings, got: $times"
    result "$name.median_ms" "$(echo "$times" | median)"
    result "$name.times_ms" "$(echo "$times" | paste -sd, -)"
    printf 'bench: %-28s median %10.1f ms  (runs: %s)\n' "$name" \
        "$(echo "$times" | median)" "$(echo "$times" | paste -sd' ' -)"
}

# Fail the run when a variant's warm-up output differs from olpe's.
expect_same() {
    local reference=$1 name=$2
    if ! cmp -s "$OUT/$reference.txt" "$OUT/$name.txt"; then
        echo "bench: $name disagrees with $reference:" >&2
        diff "$OUT/$reference.txt" "$OUT/$name.txt" >&2 || true
        die "results differ: the baselines no longer state the policy's rules (see bench/baselines.sql)"
    fi
    echo "bench: $name reports the same failures as $reference"
}

SERIAL="SET max_parallel_workers_per_gather = 0;"
JIT_OFF="SET jit = off;"
# Full JIT at any plan cost, as a large scan gets with the default thresholds.
JIT_ON="SET jit = on; SET jit_above_cost = 0; SET jit_inline_above_cost = 0; SET jit_optimize_above_cost = 0;"

# --- olpe: throughput ---------------------------------------------------------------
#
# Every measurement that loads olpe runs first. The baselines after them do
# not call olpe, so a new olpe.so installed by another build during those
# long scans cannot mix two versions of olpe into one set of results.

step "olpe throughput: $rows listings, one core, median of $runs runs after a warm-up"
time_query scan "$SERIAL $JIT_OFF" \
    "SELECT count(l) FROM bench.listing AS l"
time_query olpe_evaluate "$SERIAL $JIT_OFF" \
    "SELECT * FROM bench.olpe_failures ORDER BY rule"
time_query olpe_allowed "$SERIAL $JIT_OFF" \
    "SELECT * FROM bench.olpe_allowed_count"
not_denied=$(psql_value "SELECT count(*) FROM bench.listing l WHERE (olpe.evaluate('$POLICY', l)).outcome <> 'deny'")
[ "$not_denied" = "$(cat "$OUT/olpe_allowed.txt")" ] \
    || die "olpe.allowed accepts $(cat "$OUT/olpe_allowed.txt") listings, but olpe.evaluate does not deny $not_denied"

result phrase_rows "$phrase_rows"
phrase_array="ARRAY['act now', 'best price', 'cash only', 'click here', 'crypto payment', 'deposit today', 'free money', 'guaranteed approval', 'hurry up', 'limited time offer', 'money order', 'no credit check', 'off the books', 'once in a lifetime', 'pay upfront', 'risk free', 'send deposit', 'under the table', 'western union', 'wire transfer']"
phrase_olpe_array=${phrase_array//\'/\'\'}
time_query phrases_olpe "$SERIAL $JIT_OFF" \
    "SELECT count(*) FILTER (WHERE olpe.eval('description contains_any_word $phrase_olpe_array', l)) FROM bench.listing AS l WHERE l.id <= $phrase_rows"

# --- compile and cached call ----------------------------------------------------

step "compile time and cached call"
# One listing with a description of about average length.
listing_id=$(psql_value "SELECT id FROM bench.listing ORDER BY abs(octet_length(description) - 1000), id LIMIT 1")
cat >"$OUT/compile.sql" <<SQL
DO \$\$
DECLARE
  listing bench.listing;
  decision olpe.decision;
  started timestamptz;
  first_us double precision;
  second_us double precision;
  changed_us double precision;
  cached_us double precision;
  empty_us double precision;
  i integer;
BEGIN
  SELECT * INTO STRICT listing FROM bench.listing WHERE id = $listing_id;
  -- Load the olpe library before the clock starts.
  PERFORM olpe.eval('true', listing);

  started := clock_timestamp();
  decision := olpe.evaluate('$POLICY', listing);
  first_us := extract(epoch FROM clock_timestamp() - started) * 1e6;

  started := clock_timestamp();
  decision := olpe.evaluate('$POLICY', listing);
  second_us := extract(epoch FROM clock_timestamp() - started) * 1e6;

  started := clock_timestamp();
  FOR i IN 1..1000 LOOP
    decision := olpe.evaluate('$POLICY', listing);
  END LOOP;
  cached_us := extract(epoch FROM clock_timestamp() - started) * 1e6 / 1000;

  -- The cost of the loop itself, subtracted from the cached call.
  started := clock_timestamp();
  FOR i IN 1..1000 LOOP
    decision := NULL;
  END LOOP;
  empty_us := extract(epoch FROM clock_timestamp() - started) * 1e6 / 1000;

  -- A new policy version: the next call compiles the policy again.
  UPDATE olpe.policy SET updated_at = now() WHERE name = '$POLICY';
  COMMIT;
  started := clock_timestamp();
  decision := olpe.evaluate('$POLICY', listing);
  changed_us := extract(epoch FROM clock_timestamp() - started) * 1e6;

  RAISE NOTICE 'timing % % % %', round(first_us::numeric, 1), round(second_us::numeric, 1),
    round((cached_us - empty_us)::numeric, 2), round(changed_us::numeric, 1);
END
\$\$;
SQL
: >"$OUT/compile.txt"
for session in 1 2 3 4 5; do
    psql -X -q -v ON_ERROR_STOP=1 -f "$OUT/compile.sql" 2>&1 \
        | sed -n 's/.*NOTICE:  timing //p' >>"$OUT/compile.txt"
done
[ "$(wc -l <"$OUT/compile.txt")" -eq 5 ] || die "compile timing failed: $(cat "$OUT/compile.txt")"
result compile.listing_id "$listing_id"
result compile.first_us "$(cut -d' ' -f1 "$OUT/compile.txt" | median)"
result compile.second_us "$(cut -d' ' -f2 "$OUT/compile.txt" | median)"
result compile.cached_us "$(cut -d' ' -f3 "$OUT/compile.txt" | median)"
result compile.changed_us "$(cut -d' ' -f4 "$OUT/compile.txt" | median)"
echo "bench: first call, second call, cached call, call after a policy change (us), one line per session:"
cat "$OUT/compile.txt"

# --- parallel compliance report ---------------------------------------------------

step "compliance report: serial and parallel"
if [ -z "$(psql_value "SELECT to_regprocedure('olpe.compliance(olpe.decision)')")" ]; then
    echo "skipped: olpe.compliance(olpe.decision) does not exist"
    result compliance.skipped "olpe.compliance(olpe.decision) does not exist"
else
    compliance_query="SELECT f.key AS rule, f.value::bigint AS failures
  FROM (SELECT olpe.compliance(olpe.evaluate('$POLICY', l)) AS report FROM bench.listing AS l) AS r
       CROSS JOIN LATERAL jsonb_each_text(r.report -> 'failures') AS f
 ORDER BY 1"
    # The planner picks a parallel plan by its cost estimates. Record what it
    # picks with the default costs, then force both plans.
    default_plan=$(psql_value "EXPLAIN $compliance_query" | grep -c 'Gather' || true)
    result compliance.default_plan "$([ "$default_plan" -gt 0 ] && echo parallel || echo serial)"
    PARALLEL="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
    time_query compliance_serial "$SERIAL $JIT_OFF" "$compliance_query"
    expect_same olpe_evaluate compliance_serial
    time_query compliance_parallel "$PARALLEL $JIT_OFF" "$compliance_query"
    expect_same olpe_evaluate compliance_parallel
    workers=$(psql_value "$PARALLEL $JIT_OFF EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) $compliance_query" \
              | sed -n 's/.*Workers Launched: \([0-9]*\).*/\1/p' | sed -n 1p)
    result compliance.workers "${workers:-0}"
    echo "bench: default plan $(grep compliance.default_plan "$RESULTS" | cut -f2), workers launched ${workers:-0}"
fi

# --- memory over a long scan ------------------------------------------------------

# memory_scan NAME LOOPS ROW_LIMIT
# Evaluates bench.listing rows (id <= ROW_LIMIT) LOOPS times in one query in
# a new backend, sampling the backend's private memory (RssAnon in
# /proc/PID/status) every 50 ms, and records the peak growth over the value
# before the query, and the growth of VmHWM.
memory_scan() {
    local name=$1 loops=$2 row_limit=$3
    local samples=$OUT/$name.samples
    rm -f "$sampler_stop" "$samples"
    cat >"$OUT/$name.sql" <<SQL
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET enable_material = off;
SELECT pg_backend_pid() AS pid \gset
SELECT pg_read_file('/proc/self/status') AS status_before \gset
\setenv BENCH_PID :pid
\setenv BENCH_SAMPLES $samples
\setenv BENCH_STOP $sampler_stop
\! (while [ ! -e "\$BENCH_STOP" ]; do sed -n 's/^RssAnon:[^0-9]*\([0-9]*\).*/\1/p' "/proc/\$BENCH_PID/status"; sleep 0.05; done) >"\$BENCH_SAMPLES" 2>/dev/null &
SELECT count(*) FILTER (WHERE (olpe.evaluate('$POLICY', l)).outcome = 'deny') AS denied
  FROM generate_series(1, $loops) AS g
       CROSS JOIN bench.listing AS l
 WHERE l.id <= $row_limit;
\! touch "\$BENCH_STOP"
SELECT substring(:'status_before' FROM 'RssAnon:\s*(\d+)') AS anon_before,
       substring(:'status_before' FROM 'VmHWM:\s*(\d+)') AS hwm_before,
       substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\s*(\d+)') AS hwm_after \gset
\echo :anon_before :hwm_before :hwm_after
SQL
    local line anon_before hwm_before hwm_after anon_peak
    line=$(psql -X -q -At -v ON_ERROR_STOP=1 -f "$OUT/$name.sql" | tail -n 1)
    sleep 0.2
    read -r anon_before hwm_before hwm_after <<<"$line"
    anon_peak=$(sort -n "$samples" | tail -n 1)
    [ -n "$anon_peak" ] || die "$name: no memory samples in $samples"
    result "$name.rows" "$(( loops * (row_limit < rows ? row_limit : rows) ))"
    result "$name.anon_growth_kb" "$(( anon_peak - anon_before ))"
    result "$name.hwm_growth_kb" "$(( hwm_after - hwm_before ))"
    echo "bench: $name: RssAnon $anon_before kB before, peak $anon_peak kB; VmHWM $hwm_before -> $hwm_after kB"
}

step "memory: $small_scan_rows and $large_scan_rows rows in one scan"
memory_scan memory_small 1 "$small_scan_rows"
memory_scan memory_large 10 "$rows"

# --- writes: enforcement trigger ------------------------------------------------------

pgbench_tps() {
    # Print the TPS of a pgbench run, or fail when a transaction failed.
    local log=$1
    shift
    pgbench "$@" >"$log" 2>&1 || { cat "$log" >&2; die "pgbench failed: $*"; }
    if grep -q 'number of failed transactions: [1-9]' "$log"; then
        cat "$log" >&2
        die "pgbench reported failed transactions: $*"
    fi
    sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$log"
}

step "writes: INSERT and COPY with and without olpe.enforce()"
if [ -z "$(psql_value "SELECT to_regprocedure('olpe.enforce()')")" ]; then
    echo "skipped: olpe.enforce() does not exist"
    result trigger.skipped "olpe.enforce() does not exist"
else
    copy_rows=$(( rows < 200000 ? rows : 200000 ))
    copy_file=$CLUSTER/copy_rows.txt
    columns="title, description, city, country, property_type, size_sqft, price_per_sqft_month, price_month, currency, desks, photo_count, amenities, energy_rating, available_from, lease_min_months, floor, lat, lon, broker_verified"
    psql_run <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench.listing_source, bench.listing_insert;
DROP SEQUENCE IF EXISTS bench.listing_insert_id;
-- Listings that the policy allows, so that a reject trigger writes them all.
CREATE TABLE bench.listing_source AS
SELECT row_number() OVER (ORDER BY l.id) AS k, l.*
  FROM bench.listing AS l
 WHERE (olpe.evaluate('$POLICY', l)).outcome = 'allow'
 ORDER BY l.id
 LIMIT $copy_rows;
ALTER TABLE bench.listing_source ADD PRIMARY KEY (k);
CREATE TABLE bench.listing_insert (LIKE bench.listing INCLUDING ALL);
CREATE SEQUENCE bench.listing_insert_id;
CREATE OR REPLACE FUNCTION bench.noop_trigger() RETURNS trigger
LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
COPY (SELECT id, $columns FROM bench.listing_source ORDER BY k) TO '$copy_file';
VACUUM ANALYZE bench.listing_source;
SQL
    source_rows=$(psql_value "SELECT count(*) FROM bench.listing_source")
    result copy.rows "$source_rows"
    cat >"$OUT/insert.pgbench" <<SQL
\\set k random(1, $source_rows)
INSERT INTO bench.listing_insert (id, $columns)
SELECT nextval('bench.listing_insert_id'), $columns FROM bench.listing_source WHERE k = :k;
SQL

    set_trigger() {
        psql_run -c "SET client_min_messages = warning" \
                 -c "DROP TRIGGER IF EXISTS listing_insert_check ON bench.listing_insert"
        case $1 in
            none) ;;
            noop) psql_run -c "CREATE TRIGGER listing_insert_check BEFORE INSERT ON bench.listing_insert
                               FOR EACH ROW EXECUTE FUNCTION bench.noop_trigger()" ;;
            olpe) psql_run -c "CREATE TRIGGER listing_insert_check BEFORE INSERT ON bench.listing_insert
                               FOR EACH ROW EXECUTE FUNCTION olpe.enforce('$POLICY', 'reject')" ;;
        esac
    }

    # The trigger must really judge rows: a listing with a one-word title is
    # rejected with check_violation.
    set_trigger olpe
    if psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO bench.listing_insert (id, $columns)
            SELECT -1, 'Office', $(echo "$columns" | cut -d, -f2-) FROM bench.listing_source WHERE k = 1" \
            >"$OUT/trigger_check.txt" 2>&1; then
        die "olpe.enforce('$POLICY', 'reject') wrote a listing with a 6-character title"
    fi
    grep -q 'violates policy' "$OUT/trigger_check.txt" \
        || die "unexpected error from the reject trigger: $(cat "$OUT/trigger_check.txt")"

    # The three variants take turns round by round, so that a drift of the
    # machine's speed weighs on all three alike. Round 0 is the warm-up.
    declare -A insert_tps=()
    for round in $(seq 0 "$runs"); do
        for variant in none noop olpe; do
            set_trigger "$variant"
            psql_run -c "TRUNCATE bench.listing_insert" -c "CHECKPOINT"
            tps=$(pgbench_tps "$OUT/insert_${variant}_$round.log" -n -M prepared -c 8 -j 2 \
                  -T "$duration" -f "$OUT/insert.pgbench")
            if [ "$round" -eq 0 ]; then
                echo "bench: INSERT, trigger $variant, warm-up: $tps transactions/s (8 clients)"
            else
                insert_tps[$variant]+="$tps "
                echo "bench: INSERT, trigger $variant, run $round: $tps transactions/s (8 clients)"
            fi
        done
    done
    for variant in none noop olpe; do
        result "insert_$variant.tps" "$(echo ${insert_tps[$variant]} | tr ' ' '\n' | median)"
        result "insert_$variant.runs" "$(echo ${insert_tps[$variant]} | tr ' ' ',')"
    done

    for variant in none noop olpe; do
        set_trigger "$variant"
        {
            echo "\\timing on"
            for i in $(seq $(( runs + 1 ))); do
                echo "TRUNCATE bench.listing_insert;"
                echo "COPY bench.listing_insert (id, $columns) FROM '$copy_file';"
            done
        } >"$OUT/copy_$variant.sql"
        # The Time line of each COPY follows the Time line of its TRUNCATE;
        # the first COPY is the warm-up.
        times=$(psql -X -q -At -v ON_ERROR_STOP=1 -f "$OUT/copy_$variant.sql" \
                | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk 'NR % 2 == 0' | tail -n +2)
        result "copy_$variant.median_ms" "$(echo "$times" | median)"
        result "copy_$variant.times_ms" "$(echo "$times" | paste -sd, -)"
        echo "bench: COPY $source_rows rows, trigger $variant: median $(echo "$times" | median) ms"
    done
    set_trigger none
    copied=$(psql_value "SELECT count(*) FROM bench.listing_insert")
    [ "$copied" = "$source_rows" ] || die "COPY wrote $copied rows, expected $source_rows"
fi

# --- one listing at a time through pgbouncer -------------------------------------------

free_port() {
    local port
    for port in $(shuf -i 56000-56999 -n 50); do
        if perl -MIO::Socket::INET -e '
            exit(IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
                                       Proto => "tcp", Listen => 1, ReuseAddr => 1) ? 0 : 1)' "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

step "one listing at a time: pgbench, 8 clients, through pgbouncer"
if ! command -v pgbouncer >/dev/null 2>&1; then
    echo "skipped: pgbouncer is not installed (scripts/install-deps.sh installs it)"
    result pgbouncer.skipped "pgbouncer is not installed"
else
    bouncer_dir=$TMP/pgbouncer
    mkdir -p "$bouncer_dir"
    bouncer_port=$(free_port) || die "no free port for pgbouncer in 56000-56999"
    cat >"$bouncer_dir/pgbouncer.ini" <<INI
; Written by bench/run.sh for one benchmark run.
[databases]
$PGDATABASE = host=$CLUSTER port=$PGPORT dbname=$PGDATABASE user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $bouncer_dir/userlist.txt
pool_mode = transaction
default_pool_size = 8
max_client_conn = 100
ignore_startup_parameters = extra_float_digits
logfile = $bouncer_dir/pgbouncer.log
pidfile = $pgbouncer_pidfile
INI
    echo '"postgres" ""' >"$bouncer_dir/userlist.txt"
    rm -f "$pgbouncer_pidfile"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres:postgres "$bouncer_dir"
        runuser -u postgres -- pgbouncer -d -q "$bouncer_dir/pgbouncer.ini"
    else
        pgbouncer -d -q "$bouncer_dir/pgbouncer.ini"
    fi
    for i in $(seq 50); do
        pg_isready -q -h 127.0.0.1 -p "$bouncer_port" -d "$PGDATABASE" && break
        sleep 0.1
    done
    pg_isready -q -h 127.0.0.1 -p "$bouncer_port" -d "$PGDATABASE" \
        || die "pgbouncer did not start on port $bouncer_port (see $bouncer_dir/pgbouncer.log)"
    echo "bench: pgbouncer pid $(cat "$pgbouncer_pidfile") on 127.0.0.1:$bouncer_port, transaction pooling"

    cat >"$OUT/select_pk.pgbench" <<SQL
\\set id random(1, $rows)
SELECT * FROM bench.listing WHERE id = :id;
SQL
    cat >"$OUT/evaluate_one.pgbench" <<SQL
\\set id random(1, $rows)
SELECT olpe.evaluate('$POLICY', l) FROM bench.listing AS l WHERE l.id = :id;
SQL
    # As for the writes, the four loads take turns round by round, and round 0
    # is the warm-up.
    declare -A one_tps=()
    for round in $(seq 0 "$runs"); do
        for script in select_pk evaluate_one; do
            tps=$(pgbench_tps "$OUT/${script}_pgbouncer_$round.log" -n -c 8 -j 2 -T "$duration" \
                  -h 127.0.0.1 -p "$bouncer_port" -f "$OUT/$script.pgbench" "$PGDATABASE")
            [ "$round" -eq 0 ] || one_tps[${script}_pgbouncer]+="$tps "
            echo "bench: $script through pgbouncer, $( [ "$round" -eq 0 ] && echo warm-up || echo "run $round"): $tps transactions/s"
            tps=$(pgbench_tps "$OUT/${script}_direct_$round.log" -n -c 8 -j 2 -T "$duration" \
                  -f "$OUT/$script.pgbench")
            [ "$round" -eq 0 ] || one_tps[${script}_direct]+="$tps "
            echo "bench: $script direct, $( [ "$round" -eq 0 ] && echo warm-up || echo "run $round"): $tps transactions/s"
        done
    done
    for key in select_pk_pgbouncer select_pk_direct evaluate_one_pgbouncer evaluate_one_direct; do
        result "$key.tps" "$(echo ${one_tps[$key]} | tr ' ' '\n' | median)"
        result "$key.runs" "$(echo ${one_tps[$key]} | tr ' ' ',')"
    done
    stop_pgbouncer
fi

# --- profiles ----------------------------------------------------------------------------

# profile_query NAME QUERY: records a perf profile of the backend running
# QUERY and writes two views of it to $TMP/profile-NAME.txt: time per shared
# object, and the functions with the most time including their callees.
# The Debian postgres binary keeps only its exported symbols, so its static
# functions (the regular expression engine's among them) show as addresses
# and are left out of the second view.
profile_query() {
    local name=$1 query=$2
    local data=$OUT/perf-$name.data pidfile=$OUT/perf-$name.pid
    cat >"$OUT/profile-$name.sql" <<SQL
$SERIAL $JIT_OFF
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
\! perf record -F 999 -g -o "$data" -p "\$BENCH_PID" >/dev/null 2>&1 & echo \$! >"$pidfile"; sleep 1
$query;
\! kill -INT "\$(cat "$pidfile")"; sleep 2
SQL
    psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -f "$OUT/profile-$name.sql"
    {
        echo "# $query"
        echo "# time per shared object (self)"
        perf report -i "$data" --no-children --sort dso --stdio -g none 2>/dev/null \
            | grep -E '^ +[0-9.]+%' | sed -n 1,8p
        echo "# functions by time including callees (children, self)"
        perf report -i "$data" --children --sort symbol --stdio -g none 2>/dev/null \
            | grep -E '^ +[0-9.]+%' | grep -v ' 0x0000' | sed -n 1,45p
    } >"$TMP/profile-$name.txt"
    echo "bench: profile of $name in $TMP/profile-$name.txt"
}

if $profile; then
    step "profiles of olpe"
    if ! command -v perf >/dev/null 2>&1; then
        echo "skipped: perf is not installed (apt-get install linux-perf)"
    else
        profile_query olpe_evaluate "SELECT * FROM bench.olpe_failures"
        if [ -n "${source_rows:-}" ]; then
            # Single-row INSERTs through the reject trigger, one statement each,
            # as the pgbench clients send them.
            set_trigger olpe
            psql_run -c "TRUNCATE bench.listing_insert"
            profile_query olpe_enforce "DO \$\$ BEGIN FOR i IN 1..20000 LOOP
  INSERT INTO bench.listing_insert (id, $columns)
  SELECT nextval('bench.listing_insert_id'), $columns FROM bench.listing_source WHERE k = 1 + i % $source_rows;
END LOOP; END \$\$"
            set_trigger none
        fi
    fi
fi

# --- baselines ------------------------------------------------------------------------

step "olpe measurements done; baselines follow and do not load olpe"
# From here on a replaced olpe.so cannot affect the results.
library=""

step "baselines: $rows listings, one core, median of $runs runs after a warm-up"
time_query hand_sql "$SERIAL $JIT_OFF" \
    "SELECT * FROM bench.hand_failures ORDER BY rule"
expect_same olpe_evaluate hand_sql
time_query hand_sql_jit "$SERIAL $JIT_ON" \
    "SELECT * FROM bench.hand_failures ORDER BY rule"
expect_same olpe_evaluate hand_sql_jit
time_query plpgsql "$SERIAL $JIT_OFF" \
    "SELECT * FROM bench.plpgsql_failures ORDER BY rule"
expect_same olpe_evaluate plpgsql
time_query hand_allowed "$SERIAL $JIT_OFF" \
    "SELECT * FROM bench.hand_allowed_count"
expect_same olpe_allowed hand_allowed

step "banned phrases alone without olpe: $phrase_rows listings"
phrase_regex=$(psql_value "SELECT string_agg(p, '|') FROM unnest($phrase_array) AS p")
phrase_each=$(psql_value "SELECT string_agg(format('description ~* %L', '\\m' || p || '\\M'), ' OR ') FROM unnest($phrase_array) AS p")
time_query phrases_regex_each "$SERIAL $JIT_OFF" \
    "SELECT count(*) FILTER (WHERE $phrase_each) FROM bench.listing AS l WHERE l.id <= $phrase_rows"
expect_same phrases_olpe phrases_regex_each
time_query phrases_regex_one "$SERIAL $JIT_OFF" \
    "SELECT count(*) FILTER (WHERE description ~* '\\m($phrase_regex)\\M') FROM bench.listing AS l WHERE l.id <= $phrase_rows"
expect_same phrases_olpe phrases_regex_one
time_query phrases_lower "$SERIAL $JIT_OFF" \
    "SELECT count(*) FILTER (WHERE lower(description) <> '') FROM bench.listing AS l WHERE l.id <= $phrase_rows"

if $profile && command -v perf >/dev/null 2>&1; then
    step "profile of the hand-written SQL"
    profile_query hand_sql "SELECT * FROM bench.hand_failures"
fi

# --- report --------------------------------------------------------------------------------

step "results"
result mode "$mode"
result runs "$runs"
result duration "$duration"
result date "$(date -u '+%Y-%m-%d %H:%M UTC')"
result cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p)"
result cores "$(nproc)"
result memory_kb "$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
result postgres "$(psql_value 'SELECT version()')"
result load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

check_library
report_args=(--results "$RESULTS")
if $write_docs; then
    report_args+=(--docs docs/benchmarks.md)
fi
python3 bench/report.py "${report_args[@]}"
