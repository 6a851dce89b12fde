#!/usr/bin/env bash
# Run the olpe demo: install missing packages, build and install olpe, start a
# throwaway cluster in demo/tmp/cluster, load listings, create example
# policies, evaluate every listing and print a report. For each listing table
# the report step also inserts an allowed and a denied listing into a copy
# guarded by the olpe.enforce() trigger, and prints a compliance report by
# city. The cluster stays up afterwards so that you can explore it with psql;
# stop it with --stop.
#
#   scripts/demo.sh [--data DIR]   run the demo (make demo [DATA=DIR])
#   scripts/demo.sh --generate     run it on generated office listings only
#   scripts/demo.sh --stop         stop the demo cluster (make demo-stop)
#
# Listings: DIR (default: DEFAULT_DATA below, when that directory exists) is
# searched for the GSA lease inventory export gsa_iolp_leases_*.csv and the
# UCI apartment ads apartments_for_rent_classified*.csv. Of several matches,
# the last name in version order wins. Every file found is loaded with its
# policy. When neither is found, or with --generate, the demo generates
# synthetic office listings instead. An explicit --data DIR without either
# file is an error.
#
# Running the demo again while its cluster runs reuses the cluster but starts
# over inside it: the demo schema and the extension are dropped and created
# again.
#
# Environment:
#   OLPE_DEMO_CLUSTER   cluster directory (default: demo/tmp/cluster)
#   OLPE_DEMO_SKIP_BUILD=1   skip install-deps.sh, make and make install
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

CLUSTER=${OLPE_DEMO_CLUSTER:-$ROOT/demo/tmp/cluster}
DEFAULT_DATA=$ROOT/../shared/data

usage() {
    echo "usage: scripts/demo.sh [--data DIR | --generate] | --stop" >&2
    exit 2
}

die() {
    echo "demo: $*" >&2
    exit 1
}

step() {
    printf '\n== %s\n' "$*"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# Print the last file, in version order, that matches a name pattern under a
# directory, or nothing.
find_newest() {
    local dir=$1 pattern=$2
    find "$dir" -maxdepth 4 -type f -name "$pattern" -print 2>/dev/null | sort -V | tail -n 1
}

# Run a psql script against the demo database, reading standard input from
# the second argument when one is given.
run_sql() {
    local script=$1 input=${2:-/dev/null}
    psql -X -q -v ON_ERROR_STOP=1 -f "$script" <"$input"
}

# --- arguments --------------------------------------------------------------

data_dir=""
data_explicit=false
generate=false
stop=false
while [ $# -gt 0 ]; do
    case $1 in
        --data)
            if [ $# -lt 2 ] || [ -z "$2" ]; then usage; fi
            data_dir=$2
            data_explicit=true
            shift 2
            ;;
        --data=*)
            data_dir=${1#--data=}
            data_explicit=true
            shift
            ;;
        --generate)
            generate=true
            shift
            ;;
        --stop)
            stop=true
            shift
            ;;
        -h|--help)
            usage
            ;;
        *)
            echo "demo: unknown argument '$1'" >&2
            usage
            ;;
    esac
done

if $stop; then
    bash scripts/pgcluster.sh stop "$CLUSTER"
    exit 0
fi

# --- listings to load ---------------------------------------------------------

if $generate && $data_explicit; then
    die "--data and --generate exclude each other"
elif $generate; then
    data_dir=""
elif $data_explicit; then
    [ -d "$data_dir" ] || die "data directory $data_dir not found"
elif [ -d "$DEFAULT_DATA" ]; then
    data_dir=$DEFAULT_DATA
fi

gsa_csv=""
apartment_csv=""
if [ -n "$data_dir" ]; then
    data_dir=$(cd "$data_dir" && pwd -P)
    gsa_csv=$(find_newest "$data_dir" 'gsa_iolp_leases_*.csv')
    apartment_csv=$(find_newest "$data_dir" 'apartments_for_rent_classified*.csv')
    if $data_explicit && [ -z "$gsa_csv" ] && [ -z "$apartment_csv" ]; then
        die "no gsa_iolp_leases_*.csv or apartments_for_rent_classified*.csv under $data_dir"
    fi
fi

# --- build and install --------------------------------------------------------

if [ "${OLPE_DEMO_SKIP_BUILD:-0}" != 1 ]; then
    step "dependencies"
    bash scripts/install-deps.sh

    step "build and install olpe"
    make -s
    as_root make -s install
fi

# --- cluster ------------------------------------------------------------------

step "cluster"
bash scripts/pgcluster.sh start "$CLUSTER"
# shellcheck disable=SC1091
. "$CLUSTER/env"
export PGHOST PGPORT PGUSER PGDATABASE

# From here on, a failure leaves the cluster running: say so.
report_failure() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo "demo: failed (exit status $status); the cluster in $CLUSTER is still running," \
             "stop it with make demo-stop" >&2
    fi
}
trap report_failure EXIT

# A second run starts over: it drops the demo schema and the extension with
# its policies, then creates the extension from the version just installed.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS demo CASCADE;
DROP EXTENSION IF EXISTS olpe CASCADE;
CREATE EXTENSION olpe;
SQL
echo "demo: CREATE EXTENSION olpe in database $PGDATABASE"

# --- listings and policies ----------------------------------------------------

step "listings and policies"
# Scripts of the report step, three per listing table: the policy report, the
# enforcement trigger on a copy of the table, and the compliance report by city.
reports=()
example_policy="" example_table=""
if [ -n "$gsa_csv" ]; then
    echo "demo: GSA leases from $gsa_csv"
    run_sql demo/load_gsa_leases.sql "$gsa_csv"
    run_sql demo/policy_gsa_lease_quality.sql
    echo "demo: created policy gsa_lease_quality"
    reports+=(demo/report_gsa_lease_quality.sql
              demo/enforce_gsa_lease_quality.sql
              demo/compliance_by_city_gsa_lease_quality.sql)
    example_policy=gsa_lease_quality example_table=demo.gsa_lease
fi
if [ -n "$apartment_csv" ]; then
    echo "demo: apartment ads from $apartment_csv"
    run_sql demo/load_apartment_ads.sql "$apartment_csv"
    run_sql demo/policy_apartment_ad_content.sql
    echo "demo: created policy apartment_ad_content"
    reports+=(demo/report_apartment_ad_content.sql
              demo/enforce_apartment_ad_content.sql
              demo/compliance_by_city_apartment_ad_content.sql)
    example_policy=${example_policy:-apartment_ad_content}
    example_table=${example_table:-demo.apartment_ad}
fi
if [ ${#reports[@]} -eq 0 ]; then
    if $generate; then
        echo "demo: generating office listings (--generate)"
    else
        echo "demo: no listing files found; generating office listings"
    fi
    run_sql demo/generate_office_listings.sql
    run_sql demo/policy_office_listing_quality.sql
    echo "demo: created policy office_listing_quality"
    reports+=(demo/report_office_listing_quality.sql
              demo/enforce_office_listing_quality.sql
              demo/compliance_by_city_office_listing_quality.sql)
    example_policy=office_listing_quality example_table=demo.office_listing
fi

# --- report -------------------------------------------------------------------

step "report"
for report in "${reports[@]}"; do
    run_sql "$report"
done

cat <<EOF

== the demo cluster is running
Connect:   psql -h 127.0.0.1 -p $PGPORT -U postgres $PGDATABASE
      or:  . $CLUSTER/env && psql
Try:       SELECT l.id, d.* FROM $example_table AS l,
             olpe.evaluate('$example_policy', l) AS d LIMIT 5;
Stop:      make demo-stop
EOF
