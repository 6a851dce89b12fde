#!/usr/bin/env bash
# Run every olpe test suite against a throwaway cluster (`make test`).
#
# Steps: install missing Debian packages, build and install olpe, start a
# cluster in test/tmp/cluster, then run
#   - pg_regress on test/schedule (test/sql, expected/). Any test/sql/*.sql
#     missing from the schedule runs after it, with a warning,
#   - each pgTAP file in test/pgtap/,
#   - test/unit/run.sh (C unit tests), test/difftest/run.sh and
#     test/demo_check.sh when they exist.
# The cluster is stopped on exit, also after a failure or an interrupt.
#
# Every pg_regress test and pgTAP assertion counts as one test, difftest and
# the demo check count what they report, and the C unit tests count as one
# test. A failed build and compiler warnings count as one failure each. The
# last line is "N passed, N failed", and the exit status is non-zero when
# anything failed.
#
# Environment:
#   OLPE_ALLOW_WARNINGS=1   do not count compiler warnings as a failure
#   test/cluster.conf       optional key=value lines passed to the cluster
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

TMP=$ROOT/test/tmp
CLUSTER=$TMP/cluster
REGRESS_OUT=$TMP/regress
TAP_OUT=$TMP/pgtap
REGRESS_DB=olpe_regress
TAP_DB=olpe_tap

passed=0
failed=0
failures=()

record_failure() {
    failed=$(( failed + 1 ))
    failures+=("$1")
}

section() {
    printf '\n== %s\n' "$*"
}

cluster_started=false

stop_cluster() {
    if $cluster_started; then
        bash scripts/pgcluster.sh stop "$CLUSTER"
        cluster_started=false
    fi
}

# Stop the cluster, list the failures and print the summary line last.
# The first changed lines of regression.diffs come just before it, so that
# the tail of a CI log shows why a regression test failed.
finish() {
    stop_cluster
    if [ "$failed" -gt 0 ] && [ -s "$REGRESS_OUT/regression.diffs" ]; then
        section "first changed lines of $REGRESS_OUT/regression.diffs"
        grep -E '^(\+\+\+ |[-+][^-+])' "$REGRESS_OUT/regression.diffs" | head -n 24 || true
    fi
    section summary
    local name
    for name in ${failures[@]+"${failures[@]}"}; do
        echo "FAILED: $name"
    done
    echo "$passed passed, $failed failed"
    if [ "$failed" -gt 0 ]; then
        exit 1
    fi
    exit 0
}

# Run a command with a time limit in seconds, show its output and store it
# in a file. Returns the command's exit status, 124 when it timed out.
# The command runs in its own process group, so that on_signal can stop all
# of it. timeout needs --foreground to stay in that group, but then it
# signals only the command itself, so run_logged kills the group after a
# timeout.
child_pid=
run_logged() {
    local output=$1 time_limit=$2
    shift 2
    setsid bash -c 'set -o pipefail; timeout --foreground "$0" "${@:2}" 2>&1 | tee "$1"' \
        "$time_limit" "$output" "$@" &
    child_pid=$!
    local status=0
    wait "$child_pid" || status=$?
    if [ "$status" -eq 124 ]; then
        kill -TERM -- "-$child_pid" 2>/dev/null || true
        echo "timed out after $time_limit seconds: $*"
    fi
    child_pid=
    return "$status"
}

on_signal() {
    if [ -n "$child_pid" ]; then
        kill -TERM -- "-$child_pid" 2>/dev/null || true
    fi
    exit 130
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# --- dependencies and build ---------------------------------------------

section dependencies
bash scripts/install-deps.sh

section build
mkdir -p "$TMP"
BUILD_LOG=$TMP/build.log
# A clean build compiles every file, so the warning check covers all of them.
make clean >/dev/null
if ! make -j"$(nproc)" >"$BUILD_LOG" 2>&1; then
    cat "$BUILD_LOG"
    record_failure "build: make failed (log in $BUILD_LOG)"
    finish
fi
warnings=$(grep -c 'warning:' "$BUILD_LOG" || true)
if [ "$warnings" -gt 0 ]; then
    echo "compiler warnings:"
    grep -A3 'warning:' "$BUILD_LOG"
    if [ "${OLPE_ALLOW_WARNINGS:-0}" = 1 ]; then
        echo "build: $warnings compiler warnings (allowed by OLPE_ALLOW_WARNINGS=1)"
    else
        record_failure "build: $warnings compiler warnings (set OLPE_ALLOW_WARNINGS=1 to allow them)"
    fi
else
    echo "build: ok, no compiler warnings"
fi
if ! as_root make install >"$TMP/install.log" 2>&1; then
    cat "$TMP/install.log"
    record_failure "build: make install failed"
    finish
fi
echo "install: ok ($(pg_config --pkglibdir)/olpe.so)"

# --- cluster --------------------------------------------------------------

section cluster
# A cluster left running by an interrupted run is stopped and replaced, so
# every run starts from initdb.
bash scripts/pgcluster.sh stop "$CLUSTER" >/dev/null
rm -rf "$CLUSTER" "$REGRESS_OUT" "$TAP_OUT"
trap stop_cluster EXIT
trap on_signal INT TERM

cluster_args=()
if [ -f test/cluster.conf ]; then
    while IFS= read -r line; do
        line=${line%%#*}
        [[ "$line" =~ [^[:space:]] ]] || continue
        cluster_args+=(--conf "$line")
    done <test/cluster.conf
fi
cluster_started=true
if ! bash scripts/pgcluster.sh start "$CLUSTER" ${cluster_args[@]+"${cluster_args[@]}"}; then
    record_failure "cluster: start failed"
    finish
fi
# shellcheck disable=SC1091
. "$CLUSTER/env"
BINDIR=$(pg_config --bindir)
PSQL=("$BINDIR/psql" -X -q -v ON_ERROR_STOP=1)

recreate_database() {
    PGOPTIONS='-c client_min_messages=warning' \
        "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

# --- pg_regress -----------------------------------------------------------

has_expected_output() {
    local name=$1 alternative
    [ -f "test/expected/$name.out" ] && return 0
    for alternative in test/expected/"$name"_[0-9].out; do
        [ -f "$alternative" ] && return 0
    done
    return 1
}

pg_regress_run() {
    local output=$1 outputdir=$2
    shift 2
    run_logged "$output" 600 "$(pg_config --pkglibdir)/pgxs/src/test/regress/pg_regress" \
        --use-existing --bindir="$BINDIR" \
        --host="$PGHOST" --port="$PGPORT" --user="$PGUSER" \
        --inputdir=test --outputdir="$outputdir" --dbname="$REGRESS_DB" "$@"
}

run_regress() {
    section "pg_regress (test/schedule)"
    mkdir -p "$REGRESS_OUT"

    # Build the schedule that runs: test/schedule with its groups, then any
    # test/sql file it does not list. pg_regress aborts the whole run at a
    # test without an expected file, so such tests are left out of it.
    local schedule=$REGRESS_OUT/schedule line group name file
    local scheduled=() unscheduled=() no_expected=()
    : >"$schedule"
    while IFS= read -r line; do
        [[ "$line" =~ ^test:(.*)$ ]] || continue
        read -ra group <<<"${BASH_REMATCH[1]}"
        local runnable=()
        for name in "${group[@]}"; do
            scheduled+=("$name")
            if has_expected_output "$name"; then
                runnable+=("$name")
            else
                no_expected+=("$name")
            fi
        done
        [ ${#runnable[@]} -eq 0 ] || echo "test: ${runnable[*]}" >>"$schedule"
    done <test/schedule
    for file in test/sql/*.sql; do
        [ -e "$file" ] || continue
        name=$(basename "$file" .sql)
        [[ " ${scheduled[*]} " == *" $name "* ]] && continue
        unscheduled+=("$name")
        if has_expected_output "$name"; then
            echo "test: $name" >>"$schedule"
        else
            no_expected+=("$name")
        fi
    done
    if [ ${#unscheduled[@]} -gt 0 ]; then
        echo "warning: not in test/schedule, run last: ${unscheduled[*]}"
    fi

    recreate_database "$REGRESS_DB"
    local output=$REGRESS_OUT/pg_regress.out status=0 ok=0 bad=0
    if [ -s "$schedule" ]; then
        pg_regress_run "$output" "$REGRESS_OUT" --schedule="$schedule" || status=$?
        ok=$(grep -Ec '\.\.\. ok ' "$output" || true)
        bad=$(grep -Ec '\.\.\. FAILED' "$output" || true)
    fi
    passed=$(( passed + ok ))
    failed=$(( failed + bad ))
    local test_name
    if [ -s "$schedule" ]; then
        while read -r test_name; do
            failures+=("pg_regress: $test_name")
        done < <(sed -nE 's/^(test |[[:space:]]+)([^[:space:]]+)[[:space:]]+\.\.\. FAILED.*/\2/p' "$output")
    fi
    if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
        record_failure "pg_regress: exited with status $status"
    fi
    if [ -s "$REGRESS_OUT/regression.diffs" ]; then
        section "regression.diffs (first 400 lines; all in $REGRESS_OUT/regression.diffs)"
        head -n 400 "$REGRESS_OUT/regression.diffs"
    fi

    # Run each test without an expected file alone, after the others, so that
    # its output is there to review and copy to expected/.
    local missing_out=$REGRESS_OUT/no-expected
    for name in ${no_expected[@]+"${no_expected[@]}"}; do
        mkdir -p "$missing_out"
        pg_regress_run "$missing_out/$name.log" "$missing_out" "$name" >/dev/null || true
        record_failure "pg_regress: $name has no expected/$name.out (its output: $missing_out/results/$name.out)"
    done
}

# --- pgTAP ----------------------------------------------------------------

# Count the TAP lines in one file's output: "ok N" passes, "not ok N" fails
# unless marked "# TODO", and each planned test that never ran fails.
count_tap() {
    local label=$1 output=$2 status=$3
    local ok bad todo plan ran
    ok=$(grep -Ec '^[[:space:]]*ok [0-9]+' "$output" || true)
    bad=$(grep -Ec '^[[:space:]]*not ok [0-9]+' "$output" || true)
    todo=$(grep -Eic '^[[:space:]]*not ok [0-9]+.*# TODO' "$output" || true)
    plan=$(sed -nE 's/^[[:space:]]*1\.\.([0-9]+).*/\1/p' "$output" | head -n 1)
    passed=$(( passed + ok + todo ))
    bad=$(( bad - todo ))
    failed=$(( failed + bad ))
    [ "$bad" -eq 0 ] || failures+=("pgTAP $label: $bad assertions failed")
    ran=$(( ok + bad + todo ))
    if [ -n "$plan" ] && [ "$ran" -lt "$plan" ]; then
        failed=$(( failed + plan - ran ))
        failures+=("pgTAP $label: $(( plan - ran )) planned assertions did not run")
    elif [ -z "$plan" ] && [ "$ran" -eq 0 ]; then
        record_failure "pgTAP $label: no plan and no assertions"
    elif [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
        record_failure "pgTAP $label: exited with status $status"
    fi
}

run_pgtap() {
    local files=(test/pgtap/*.sql)
    [ -e "${files[0]}" ] || return 0
    section "pgTAP (test/pgtap)"

    recreate_database "$TAP_DB"
    if ! "${PSQL[@]}" -d "$TAP_DB" -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION olpe'; then
        echo "pgTAP files run anyway, so that each one reports its failure"
    fi
    mkdir -p "$TAP_OUT"

    local file label output status
    for file in "${files[@]}"; do
        label=$(basename "$file")
        output=$TAP_OUT/${label%.sql}.out
        status=0
        if command -v pg_prove >/dev/null 2>&1; then
            run_logged "$output" 300 pg_prove --verbose --dbname "$TAP_DB" "$file" || status=$?
        else
            run_logged "$output" 300 "${PSQL[@]}" -At -d "$TAP_DB" -f "$file" || status=$?
        fi
        count_tap "$label" "$output" "$status"
    done
}

# --- other suites ---------------------------------------------------------

# Run a suite script that ends its output with "NAME: N passed, N failed",
# where NAME matches the extended regular expression name_pattern, and read
# the last such line. With counting=each, its counts are added as they are.
# With counting=one, the whole suite counts as one test, for suites that count
# thousands of generated cases. A script that prints no such line counts as
# one failure.
run_counted_suite() {
    local label=$1 script=$2 time_limit=$3 name_pattern=$4 counting=$5
    [ -f "$script" ] || return 0
    section "$label ($script)"
    local output=$TMP/$label.out status=0
    run_logged "$output" "$time_limit" bash "$script" || status=$?
    local summary
    summary=$(grep -E "^($name_pattern): [0-9]+ passed, [0-9]+ failed" "$output" | tail -n 1 || true)
    if [ -z "$summary" ]; then
        record_failure "$label: no summary line (exit status $status)"
        return 0
    fi
    local ok bad
    read -r ok bad < <(sed -E "s/^.*: ([0-9]+) passed, ([0-9]+) failed.*/\\1 \\2/" <<<"$summary")
    if [ "$counting" = one ]; then
        if [ "$bad" -eq 0 ] && [ "$status" -eq 0 ]; then
            passed=$(( passed + 1 ))
        else
            record_failure "$label: $summary (exit status $status)"
        fi
        return 0
    fi
    passed=$(( passed + ok ))
    failed=$(( failed + bad ))
    [ "$bad" -eq 0 ] || failures+=("$label: $bad failed")
    if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
        record_failure "$label: exited with status $status"
    fi
}

# A crashed backend makes the postmaster end every session and restart, and
# the tests then report only lost connections, so the server log is checked.
check_server_log() {
    local log=$CLUSTER/postgres.log crashes
    [ -f "$log" ] || return 0
    crashes=$(grep -E -A1 'server process \(PID [0-9]+\) (was terminated by signal|exited with exit code)' "$log" || true)
    [ -n "$crashes" ] || return 0
    local count
    count=$(grep -Ec 'server process \(PID [0-9]+\) (was terminated by signal|exited with exit code)' <<<"$crashes")
    section "server crashes (first 40 lines; all in $log)"
    head -n 40 <<<"$crashes"
    record_failure "server: $count backend crashes (see $log)"
}

run_regress
run_pgtap
run_counted_suite unit test/unit/run.sh 300 '[A-Za-z0-9_]+' one
run_counted_suite isolation test/isolation/run.sh 300 isolation each
run_counted_suite difftest test/difftest/run.sh 900 difftest each
run_counted_suite jsonlogic test/jsonlogic/run.sh 600 jsonlogic each
run_counted_suite topology test/topology/run.sh 600 topology each
run_counted_suite demo test/demo_check.sh 600 demo each
check_server_log
finish
