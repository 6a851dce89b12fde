#!/usr/bin/env bash
# Differential test of the olpe rule language against PostgreSQL.
#
# Generates random boolean expressions (gen.py), evaluates each one over every
# row of difftest.t both as SQL and with olpe.eval, and reports the rows where
# the two disagree. A result is true, false, NULL or an error; errors are
# compared by SQLSTATE. An expression passes when all its rows agree.
#
#   test/difftest/run.sh [--count N] [--seed S] [--jobs J] [--engine olpe|pg]
#   test/difftest/run.sh --validate [--count N] [--seed S]
#
#   --count N     number of expressions (default 10000)
#   --seed S      generator seed (default 1); use --seed $RANDOM for a new sample
#   --jobs J      parallel sessions (default: the number of CPUs, at most 4)
#   --engine pg   compare PostgreSQL with itself, to test the harness without olpe
#   --validate    only check that PostgreSQL parses, type-checks and plans every
#                 expression, and report the rate and the failure causes
#   --timezone Z  session TimeZone for both sides (default UTC)
#
# Needs a running cluster with the olpe extension installed, reached through
# the usual libpq variables (PGHOST, PGPORT, PGDATABASE, PGUSER), and a UTF8
# database. Replaces the schema difftest in that database. The last line is
# "difftest: N passed, N failed", counting expressions; the exit status is 1
# when any expression failed and 2 on a usage or setup error.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

count=10000
seed=1
engine=olpe
validate=false
timezone=UTC
jobs=$(nproc 2>/dev/null || echo 2)
(( jobs > 4 )) && jobs=4

# Print the header comment as help, and exit with status $1.
usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
    exit "$1"
}

while [ $# -gt 0 ]; do
    case $1 in
        --count) count=${2:?--count needs a number}; shift 2 ;;
        --seed) seed=${2:?--seed needs a value}; shift 2 ;;
        --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
        --engine) engine=${2:?--engine needs olpe or pg}; shift 2 ;;
        --timezone) timezone=${2:?--timezone needs a zone name}; shift 2 ;;
        --validate) validate=true; shift ;;
        -h|--help) usage 0 ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage 2 ;;
    esac
done

case $engine in
    olpe|pg) ;;
    *) echo "run.sh: invalid --engine '$engine': use olpe or pg" >&2; exit 2 ;;
esac
if ! [[ $count =~ ^[0-9]+$ && $jobs =~ ^[1-9][0-9]*$ ]]; then
    echo "run.sh: --count and --jobs take whole numbers" >&2
    exit 2
fi
if ! [[ $seed =~ ^[A-Za-z0-9_.-]+$ ]]; then
    echo "run.sh: invalid --seed '$seed': use letters, digits, '_', '.' or '-'" >&2
    exit 2
fi

# Both sides of every comparison run in sessions with these settings, so that
# literals and casts of dates, timestamps, intervals and floats agree.
export PGOPTIONS="${PGOPTIONS:-} -c TimeZone=$timezone -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1 -c client_min_messages=warning"

psql_cmd=(psql -X -q -v ON_ERROR_STOP=1)

if ! "${psql_cmd[@]}" -c 'SELECT 1' >/dev/null; then
    echo "run.sh: cannot connect to PostgreSQL: set PGHOST, PGPORT and PGDATABASE" >&2
    exit 2
fi

encoding=$("${psql_cmd[@]}" -At -c 'SHOW server_encoding')
if [ "$encoding" != UTF8 ]; then
    echo "run.sh: database encoding is $encoding, but the fixture needs UTF8" >&2
    exit 2
fi

if [ "$engine" = olpe ] && ! $validate; then
    if ! "${psql_cmd[@]}" -c 'CREATE EXTENSION IF NOT EXISTS olpe'; then
        echo "run.sh: the olpe extension cannot be created: run make install first" >&2
        exit 2
    fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/difftest.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "difftest: seed $seed, $count expressions, engine $engine, TimeZone $timezone"
"${psql_cmd[@]}" -f "$DIR/fixture.sql" -f "$DIR/harness.sql"
python3 "$DIR/gen.py" --seed "$seed" --count "$count" --numbered >"$work/expressions.tsv"
"${psql_cmd[@]}" -c "\\copy difftest.expr FROM '$work/expressions.tsv'"

if $validate; then
    "${psql_cmd[@]}" -c 'CREATE TABLE difftest.invalid AS SELECT * FROM difftest.invalid_expressions()'
    "${psql_cmd[@]}" -P pager=off <<'SQL'
SELECT count(*) AS expressions,
       (SELECT count(*) FROM difftest.invalid) AS invalid,
       round(100.0 * (count(*) - (SELECT count(*) FROM difftest.invalid)) / greatest(count(*), 1), 2)
         AS valid_percent
  FROM difftest.expr;
SELECT error_code, left(message, 100) AS message, count(*)
  FROM difftest.invalid GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 20;
SELECT n, expr FROM difftest.invalid ORDER BY n LIMIT 20;
SQL
    invalid=$("${psql_cmd[@]}" -At -c 'SELECT count(*) FROM difftest.invalid')
    echo "difftest: $(( count - invalid )) passed, $invalid failed"
    [ "$invalid" -eq 0 ] || exit 1
    exit 0
fi

# Wait until the server accepts connections again, after a crash restart.
wait_for_server() {
    local i
    for (( i = 0; i < 120; i++ )); do
        "${psql_cmd[@]}" -c 'SELECT 1' >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "run.sh: the server did not come back within 60 seconds" >&2
    return 1
}

# Run psql with the given arguments, and again after a crash restart, which
# ends every session, not only the one that crashed.
psql_retry() {
    local attempt
    for attempt in 1 2 3 4 5; do
        "${psql_cmd[@]}" "$@" && return 0
        wait_for_server
    done
    return 1
}

# True when the error output in file $1 shows that the session ended because
# of another session's crash or a restart, not because of its own statement.
ended_by_restart() {
    grep -qE 'crash of another server process|not yet accepting connections|is starting up|in recovery mode|shutting down|Connection refused|No such file or directory' "$1"
}

# Check expression n alone. When it keeps failing (a server crash in its own
# session, or an error in the harness), record it as a mismatch with the first
# line of the error as olpe's result.
check_alone() {
    local n=$1 log=$2 attempt own_failures=0 message
    for (( attempt = 0; attempt < 8 && own_failures < 2; attempt++ )); do
        if "${psql_cmd[@]}" -At -c "SELECT difftest.run($n, $n, '$engine')" \
                >/dev/null 2>"$log.one"; then
            return 0
        fi
        cat "$log.one" >>"$log"
        ended_by_restart "$log.one" || own_failures=$(( own_failures + 1 ))
        wait_for_server
    done
    message=$(grep -v '^[[:space:]]*$' "$log.one" | head -n 1 | cut -c1-200)
    psql_retry -v n="$n" -v message="FAILED: $message" <<'SQL'
BEGIN;
INSERT INTO difftest.outcome VALUES (:n, false, 0, 0, 0, 0) ON CONFLICT (n) DO NOTHING;
INSERT INTO difftest.mismatch
  SELECT n, expr, 0, 'any', :'message' FROM difftest.expr x
   WHERE n = :n AND NOT EXISTS (SELECT FROM difftest.mismatch m WHERE m.n = :n);
COMMIT;
SQL
}

# Check expressions first..last one statement at a time, after their batch
# failed: usually a server crash, which also ends the other sessions' batches.
check_one_by_one() {
    local n=$1 last=$2 log=$3 done_upto
    while (( n <= last )); do
        seq "$n" "$last" | sed "s/.*/SELECT difftest.run(&, &, '$engine');/" |
            "${psql_cmd[@]}" -At >/dev/null 2>>"$log" || true
        wait_for_server
        done_upto=$(psql_retry -At -c \
            "SELECT coalesce(max(n), $n - 1) FROM difftest.outcome WHERE n BETWEEN $n AND $last")
        (( done_upto < last )) || return 0
        n=$(( done_upto + 1 ))
        check_alone "$n" "$log"
        n=$(( n + 1 ))
    done
}

# Check expressions first..last in batches; each batch is one transaction.
check_range() {
    local first=$1 last=$2 log=$3 lo hi
    for (( lo = first; lo <= last; lo += batch )); do
        hi=$(( lo + batch - 1 ))
        (( hi <= last )) || hi=$last
        if ! "${psql_cmd[@]}" -At -c "SELECT difftest.run($lo, $hi, '$engine')" \
                >/dev/null 2>>"$log"; then
            wait_for_server
            check_one_by_one "$lo" "$hi" "$log"
        fi
    done
}

# Split the expressions into one contiguous range per session.
batch=250
started=$(date +%s)
pids=()
per_job=$(( (count + jobs - 1) / jobs ))
for (( j = 0; j < jobs; j++ )); do
    first=$(( j * per_job ))
    last=$(( first + per_job - 1 ))
    (( first < count )) || break
    (( last < count )) || last=$(( count - 1 ))
    check_range "$first" "$last" "$work/job$j.log" &
    pids+=($!)
done

job_failed=false
for j in "${!pids[@]}"; do
    if ! wait "${pids[$j]}"; then
        echo "run.sh: session $j failed:" >&2
        cat "$work/job$j.log" >&2
        job_failed=true
    fi
done
if $job_failed; then
    echo "difftest: 0 passed, $count failed"
    exit 1
fi
elapsed=$(( $(date +%s) - started ))

# Report: the first 50 failing expressions in full, then every class of
# mismatch by the pair of results.
"${psql_cmd[@]}" -P pager=off <<SQL
SELECT count(*) AS expressions,
       count(*) FILTER (WHERE rows_error > 0) AS with_error_rows,
       sum(rows_true) AS rows_true, sum(rows_false) AS rows_false,
       sum(rows_null) AS rows_null, sum(rows_error) AS rows_error
  FROM difftest.outcome;

\\pset format unaligned
\\pset tuples_only on
WITH failing AS (
  SELECT DISTINCT n FROM difftest.mismatch ORDER BY n LIMIT 50
)
SELECT format(E'\\n#%s  %s\\n  regenerate: python3 test/difftest/gen.py --seed %s --first %s --count 1\\n%s',
              m.n, min(m.expr), '$seed', m.n,
              string_agg(format('  id %s: postgres %s, olpe %s', m.id, left(m.pg, 120), left(m.olpe, 120)),
                         E'\\n' ORDER BY m.id))
  FROM difftest.mismatch m JOIN failing USING (n)
 GROUP BY m.n ORDER BY m.n;
\\pset format aligned
\\pset tuples_only off

SELECT difftest.result_key(pg) AS postgres, difftest.result_key(olpe) AS olpe,
       count(DISTINCT n) AS expressions, count(*) AS rows, min(n) AS first_expression
  FROM difftest.mismatch GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2;
SQL

failed=$("${psql_cmd[@]}" -At -c 'SELECT count(*) FROM difftest.outcome WHERE NOT passed')
checked=$("${psql_cmd[@]}" -At -c 'SELECT count(*) FROM difftest.outcome')
if [ "$checked" -ne "$count" ]; then
    echo "run.sh: checked $checked of $count expressions" >&2
    failed=$(( failed + count - checked ))
fi
echo "difftest: checked in ${elapsed}s"
echo "difftest: $(( count - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
