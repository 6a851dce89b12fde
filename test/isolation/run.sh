#!/usr/bin/env bash
# Run olpe's isolation tests: the specs in test/isolation/specs run with
# PostgreSQL's pg_isolation_regress, and their output is compared with
# test/isolation/expected.
#
# The tests run against the cluster that PGHOST and PGPORT point at (as after
# `. DIR/env` for a cluster of scripts/pgcluster.sh), with olpe installed.
# When PGPORT is not set, the script starts a throwaway cluster in
# test/tmp/isolation-cluster and stops it on exit.
#
# The database olpe_isolation is dropped and created again with the olpe
# extension. Results and regression.diffs go to test/tmp/isolation. The last
# line of output is "isolation: N passed, N failed", and the exit status is
# non-zero when a spec failed or the run did not complete.
#
#   test/isolation/run.sh [SPEC...]    (default: every spec)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT"

DBNAME=olpe_isolation
OUTDIR=$ROOT/test/tmp/isolation
CLUSTER=$ROOT/test/tmp/isolation-cluster


own_cluster=false
stop_own_cluster() {
    if $own_cluster; then
        bash scripts/pgcluster.sh stop "$CLUSTER" >/dev/null
        own_cluster=false
    fi
}
trap stop_own_cluster EXIT

# Report a setup step that failed as one failed test, and stop.
setup_failed() {
    echo "$*" >&2
    stop_own_cluster
    echo "isolation: 0 passed, 1 failed"
    exit 1
}

command -v pg_config >/dev/null 2>&1 \
    || setup_failed "pg_config not found (run scripts/install-deps.sh)"
ISOLATION_REGRESS=$(pg_config --pkglibdir)/pgxs/src/test/isolation/pg_isolation_regress
BINDIR=$(pg_config --bindir)
if [ ! -x "$ISOLATION_REGRESS" ]; then
    setup_failed "pg_isolation_regress not found at $ISOLATION_REGRESS (install postgresql-server-dev-15)"
fi

if [ -z "${PGPORT:-}" ]; then
    own_cluster=true
    bash scripts/pgcluster.sh start "$CLUSTER" || setup_failed "could not start a cluster in $CLUSTER"
    # shellcheck disable=SC1091
    . "$CLUSTER/env"
fi

specs=("$@")
if [ ${#specs[@]} -eq 0 ]; then
    for file in test/isolation/specs/*.spec; do
        specs+=("$(basename "$file" .spec)")
    done
fi

PSQL=("$BINDIR/psql" -X -q -v ON_ERROR_STOP=1)
PGOPTIONS='-c client_min_messages=warning' \
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DBNAME" -c "CREATE DATABASE $DBNAME" \
    || setup_failed "could not create the database $DBNAME"
"${PSQL[@]}" -d "$DBNAME" -c 'CREATE EXTENSION olpe' \
    || setup_failed "could not create the extension olpe in $DBNAME (is olpe installed?)"

rm -rf "$OUTDIR"
mkdir -p "$OUTDIR"
status=0
"$ISOLATION_REGRESS" --use-existing --bindir="$BINDIR" \
    --host="$PGHOST" --port="$PGPORT" ${PGUSER:+--user="$PGUSER"} \
    --inputdir=test/isolation --outputdir="$OUTDIR" --dbname="$DBNAME" \
    "${specs[@]}" 2>&1 | tee "$OUTDIR/pg_isolation_regress.out" || status=$?

passed=$(grep -Ec '\.\.\. ok ' "$OUTDIR/pg_isolation_regress.out" || true)
failed=$(grep -Ec '\.\.\. FAILED' "$OUTDIR/pg_isolation_regress.out" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # pg_isolation_regress stopped before it could report a spec
    failed=1
fi
if [ -s "$OUTDIR/regression.diffs" ]; then
    echo "differences: $OUTDIR/regression.diffs"
fi
# stop the cluster first, so that the summary stays the last line
stop_own_cluster
echo "isolation: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
