#!/usr/bin/env bash
# Count the CPU instructions that olpe.enforce() adds to a single-row INSERT,
# with valgrind's callgrind (`make bench-instructions`). Instruction counts do
# not move with the load of the machine, so they compare two builds where
# pgbench throughput is too noisy to.
#
#   bench/trigger_instructions.sh [--statements N] [--skip-build]
#
#   --statements N  INSERT statements in the shorter run (default 2000)
#   --skip-build    do not run make and make install
#
# The script starts a throwaway cluster in bench/tmp/instructions, generates
# 20,000 listings with bench/generate.sql and the policy of bench/policy.sql,
# and keeps the listings that the policy allows as the source of the
# INSERTs, as bench/run.sh does. It then stops the server and runs a backend
# in single-user mode under callgrind four times: N and 2N INSERT statements,
# each its own transaction, into a table without a trigger and into one
# with olpe.enforce('bench_policy', 'reject'). Subtracting the N-statement
# run from the 2N-statement run removes the start-up and the first compile
# of the policy. Subtracting the runs without a trigger then leaves what
# the trigger adds: olpe's work and PostgreSQL's own work for a row trigger
# (copying the new row for it). The directory is removed at the end.
#
# The count moves with the process's memory layout: string functions take
# more or fewer instructions with the alignment of their data. So valgrind
# runs with an empty environment and from inside the data directory, which
# keeps the layout the same from one checkout and shell to another.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

TMP=$ROOT/bench/tmp/instructions
CLUSTER=$TMP/cluster
ROWS=20000
POLICY=bench_policy

statements=2000
build=true

usage() {
    sed -n '2,/^set -euo pipefail/p' "$ROOT/bench/trigger_instructions.sh" | sed -n 's/^# \{0,1\}//p' >&2
    exit 2
}

die() {
    echo "bench-instructions: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
        --statements)
            [ $# -ge 2 ] || usage
            [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "--statements needs a positive whole number, not '$2'"
            statements=$2
            shift 2
            ;;
        --skip-build) build=false; shift ;;
        -h|--help) usage ;;
        *) echo "bench-instructions: unknown argument '$1'" >&2; usage ;;
    esac
done

command -v valgrind >/dev/null 2>&1 \
    || die "valgrind is not installed; install it with: apt-get install valgrind"

# The backend runs as the owner of the data directory: postgres when we are
# root, as scripts/pgcluster.sh arranges it.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if $build; then
    bash scripts/install-deps.sh
    make -s
    if [ "$(id -u)" -eq 0 ]; then
        make -s install
    else
        sudo make -s install
    fi
fi

# The directory stays after a failure, for its logs, and goes after a run
# that succeeded.
cleanup() {
    bash scripts/pgcluster.sh stop "$CLUSTER" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rm -rf "$TMP"
mkdir -p "$TMP"
bash scripts/pgcluster.sh start "$CLUSTER" --conf shared_buffers=128MB --conf autovacuum=off >/dev/null
# shellcheck disable=SC1091
. "$CLUSTER/env"
export PGHOST PGPORT PGUSER PGDATABASE

columns="title, description, city, country, property_type, size_sqft, price_per_sqft_month, price_month, currency, desks, photo_count, amenities, energy_rating, available_from, lease_min_months, floor, lat, lon, broker_verified"

echo "bench-instructions: generating $ROWS listings"
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION olpe" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -f bench/generate.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -f bench/policy.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
CREATE TABLE bench.listing_source AS
SELECT row_number() OVER (ORDER BY l.id) AS k, l.*
  FROM bench.listing AS l
 WHERE (olpe.evaluate('$POLICY', l)).outcome = 'allow'
 ORDER BY l.id;
ALTER TABLE bench.listing_source ADD PRIMARY KEY (k);
CREATE TABLE bench.listing_insert (LIKE bench.listing INCLUDING ALL);
CREATE SEQUENCE bench.listing_insert_id;
VACUUM ANALYZE bench.listing_source;
CHECKPOINT;
SQL
source_rows=$(psql -X -q -At -c "SELECT count(*) FROM bench.listing_source")
data_dir=$CLUSTER/data
bash scripts/pgcluster.sh stop "$CLUSTER" >/dev/null

# callgrind writes its output as the backend's user.
mkdir -p "$TMP/callgrind"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$TMP/callgrind"
fi

# One SQL file per run: the trigger (or none), then one INSERT per line. In
# single-user mode each line is a statement in its own transaction.
write_script() {
    local file=$1 trigger=$2 count=$3 i
    {
        echo "DROP TRIGGER IF EXISTS listing_insert_check ON bench.listing_insert;"
        if [ "$trigger" = olpe ]; then
            echo "CREATE TRIGGER listing_insert_check BEFORE INSERT ON bench.listing_insert FOR EACH ROW EXECUTE FUNCTION olpe.enforce('$POLICY', 'reject');"
        fi
        echo "TRUNCATE bench.listing_insert;"
        for ((i = 1; i <= count; i++)); do
            echo "INSERT INTO bench.listing_insert (id, $columns) SELECT nextval('bench.listing_insert_id'), $columns FROM bench.listing_source WHERE k = $(( 1 + i % source_rows ));"
        done
    } >"$file"
    chmod 644 "$file"
}

# Print the instructions that one run executed.
count_instructions() {
    local name=$1 script=$2 log=$TMP/$1.log
    (
        cd "$data_dir"
        as_owner env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
            valgrind --tool=callgrind --callgrind-out-file="$TMP/callgrind/$name.out" \
            "$(pg_config --bindir)/postgres" --single -D . "$PGDATABASE" \
            <"$script" >"$log" 2>&1
    ) || die "the backend failed under valgrind; see $log"
    grep -q 'ERROR:  ' "$log" && die "a statement failed in $name; see $log"
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log" | tail -1
}

declare -A total=()
for trigger in none olpe; do
    for count in "$statements" $(( 2 * statements )); do
        script=$TMP/$trigger-$count.sql
        write_script "$script" "$trigger" "$count"
        echo "bench-instructions: $count INSERT statements, trigger $trigger, under callgrind"
        total[$trigger-$count]=$(count_instructions "$trigger-$count" "$script")
        [ -n "${total[$trigger-$count]}" ] || die "no instruction count in $TMP/$trigger-$count.log"
    done
done

per_row_none=$(( (total[none-$(( 2 * statements ))] - total[none-$statements]) / statements ))
per_row_olpe=$(( (total[olpe-$(( 2 * statements ))] - total[olpe-$statements]) / statements ))
added=$(( per_row_olpe - per_row_none ))
echo
echo "olpe commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src sql 2>/dev/null || echo ' with uncommitted changes in src/ or sql/')"
printf 'instructions per INSERT without a trigger:  %d\n' "$per_row_none"
printf 'instructions per INSERT with olpe.enforce(): %d\n' "$per_row_olpe"
printf 'added by olpe.enforce() per row:             %d (%s%% of the INSERT without a trigger)\n' \
    "$added" "$(awk -v a="$added" -v b="$per_row_none" 'BEGIN { printf "%.1f", 100 * a / b }')"
rm -rf "$TMP"
