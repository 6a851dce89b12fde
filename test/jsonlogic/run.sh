#!/usr/bin/env bash
# Conformance of olpe.jsonlogic_apply with json-logic-js 2.0.5.
#
#   test/jsonlogic/run.sh [DATA_DIR]
#
# Runs three suites against a running cluster with olpe installed (PGHOST,
# PGPORT and PGDATABASE must be set, e.g. by scripts/pgcluster.sh's env file):
#   - the jsonlogic.com suite, DATA_DIR/jsonlogic/tests.json: olpe's result
#     must equal the expected value of every case;
#   - the community suites, DATA_DIR/jsonlogic/compat-tables (in the order of
#     index.json): json-logic-js, installed from the npm registry with the
#     committed package-lock.json, evaluates every case (oracle.js), and olpe
#     must return the same value or raise an error where it raises one (with
#     the same message for "Unrecognized operation");
#   - generated rules (generate.js, seeded, so every run makes the same ones),
#     judged by json-logic-js in the same way.
# Results are compared as jsonb values in one psql session (compare.sql).
#
# DATA_DIR defaults to $OLPE_DATA, else ../shared/data beside the repository.
# Without DATA_DIR/jsonlogic, only the generated rules run, with a warning.
# JSONLOGIC_GENERATED sets the number of generated rules (default 10000, 0 for
# none) and JSONLOGIC_SEED their seed (default 1).
# Installs nodejs and npm with apt-get when they are missing (as root).
# The last line is "jsonlogic: N passed, N failed"; the exit status is
# non-zero when a case failed or the suites could not run.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
DATA_DIR=${1:-${OLPE_DATA:-$ROOT/../shared/data}}
WORK=$ROOT/test/tmp/jsonlogic
MAX_FAILURES=${JSONLOGIC_MAX_FAILURES:-50}

fail() {
    echo "jsonlogic: $*" >&2
    echo "jsonlogic: 0 passed, 1 failed"
    exit 1
}

for var in PGHOST PGPORT PGDATABASE; do
    [ -n "${!var:-}" ] || fail "$var is not set: start a cluster and source its env file"
done
have_suites=true
if [ -f "$DATA_DIR/jsonlogic/tests.json" ]; then
    DATA_DIR=$(cd "$DATA_DIR" && pwd -P)
else
    echo "warning: no JsonLogic suites in $DATA_DIR/jsonlogic (pass DATA_DIR or set OLPE_DATA):" \
        "the jsonlogic.com and compat-tables suites are skipped"
    have_suites=false
fi

# --- json-logic-js ------------------------------------------------------

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || fail "node and npm are missing: install the Debian packages nodejs and npm"
    echo "installing nodejs and npm"
    apt-get update -q >/dev/null
    apt-get install -y -q nodejs npm >/dev/null
fi

installed_version() {
    node -e 'console.log(require(process.argv[1]).version)' \
        "$HERE/node_modules/json-logic-js/package.json" 2>/dev/null || true
}
if [ "$(installed_version)" != 2.0.5 ]; then
    echo "installing json-logic-js from package-lock.json (npm ci)"
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
[ "$(installed_version)" = 2.0.5 ] || fail "json-logic-js 2.0.5 is not installed in $HERE/node_modules"

# --- expected results ---------------------------------------------------

mkdir -p "$WORK"
oracle_files=(generated)
if $have_suites; then
    node "$HERE/oracle.js" "$DATA_DIR" "$WORK/oracle.jsonl"
    oracle_files+=(oracle)
fi
node "$HERE/generate.js" "${JSONLOGIC_SEED:-1}" "${JSONLOGIC_GENERATED:-10000}" "$WORK/generated.jsonl"

# The suite files, in order: tests.json, then compat-tables in index.json's order.
files=()
if $have_suites; then
    mapfile -t compat < <(node -e 'for (const f of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))) console.log(f)' \
        "$DATA_DIR/jsonlogic/compat-tables/index.json")
    files=("tests.json")
    for name in "${compat[@]}"; do
        files+=("compat-tables/$name")
    done
fi
for name in ${files[@]+"${files[@]}"}; do
    path=$DATA_DIR/jsonlogic/$name
    [ -f "$path" ] || fail "missing suite file $path"
    [[ "$path" != *"'"* ]] || fail "cannot quote the path $path"
done

# psql reads each suite file through a backquoted cat, so that PostgreSQL
# parses the original text (numbers included) rather than a re-serialisation.
LOAD=$WORK/load.sql
{
    echo "CREATE TEMP TABLE suite_file (file text, body jsonb);"
    echo "CREATE TEMP TABLE oracle_line (line text);"
    for name in ${files[@]+"${files[@]}"}; do
        printf '%s\n' "\\set body \`cat '$DATA_DIR/jsonlogic/$name'\`"
        printf '%s\n' "INSERT INTO suite_file VALUES ('$name', :'body');"
    done
    # one line per row: no character of JSON text is a CSV quote or delimiter here
    for lines in "${oracle_files[@]}"; do
        printf '%s\n' "\\copy oracle_line FROM '$WORK/$lines.jsonl' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    done
} >"$LOAD"

# --- comparison -------------------------------------------------------------

OUTPUT=$WORK/compare.out
psql -X -q -At -F ' | ' -v ON_ERROR_STOP=1 -v max_failures="$MAX_FAILURES" \
    -f "$LOAD" -f "$HERE/compare.sql" >"$OUTPUT" \
    || { cat "$OUTPUT"; fail "psql failed"; }

passed=0
failed=0
while IFS= read -r line; do
    case $line in
        FAILED*)
            echo "$line" ;;
        summary*)
            IFS='|' read -r _ suite ok bad <<<"$line"
            suite=$(echo "$suite" | sed 's/^ *//; s/ *$//')
            ok=${ok// /}
            bad=${bad// /}
            echo "$suite: $ok passed, $bad failed"
            passed=$(( passed + ok ))
            failed=$(( failed + bad ))
            ;;
        errors*)
            IFS='|' read -r _ total bad <<<"$line"
            echo "json-logic-js raised an error in ${total// /} cases; olpe differed in ${bad// /} of them"
            ;;
    esac
done <"$OUTPUT"

[ "$passed" -gt 0 ] || fail "no case ran"
echo "jsonlogic: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
