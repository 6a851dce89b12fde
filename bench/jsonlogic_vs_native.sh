#!/usr/bin/env bash
# Time the same rules written in JsonLogic (olpe.rule.condition_jsonlogic)
# and in olpe's rule language, evaluated by olpe.evaluate over generated
# listing rows, and print the ratio of the two times.
#
#   bench/jsonlogic_vs_native.sh [--rows N] [--runs N] [--skip-build]
#                                [--keep-cluster]
#
#   --rows N        listings to generate with bench/generate.sql
#                   (default 200,000)
#   --runs N        timed rounds after one warm-up round; the median of
#                   each query is reported (default 3)
#   --skip-build    do not run make and make install
#   --keep-cluster  leave the cluster running afterwards, for psql
#
# Both policies have the same 12 rules: the 12 of the 20 rules of
# bench/policy.sql that JsonLogic can state, with their parameters written
# out as lists. Their names, effects and applies_when scopes are the same,
# and only the conditions differ in language.
#
# Before timing, the script checks that both report the same failures per
# rule, and stops with an error when they differ.
#
# Three scans are timed in one backend with parallel query off, in turn in
# each round. Each runs olpe.evaluate over every row, with a policy that has
# no rules (the cost of the scan and the call), with the rule-language
# policy, or with the JsonLogic policy. The script prints the median time of each, the ratio of the
# totals, and the ratio of the evaluation times, which subtract the empty
# policy's time.
#
# The cluster lives in bench/tmp/jsonlogic-cluster and keeps the listings
# between runs; they are generated again when the row count changed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

CLUSTER=$ROOT/bench/tmp/jsonlogic-cluster

rows=200000
runs=3
build=true
keep_cluster=false

usage() {
    sed -n '6,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "jsonlogic_vs_native: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
        --rows)
            [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || die "--rows needs a positive integer"
            rows=$2
            shift 2
            ;;
        --runs)
            [ $# -ge 2 ] && [[ $2 =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive integer"
            runs=$2
            shift 2
            ;;
        --skip-build)
            build=false
            shift
            ;;
        --keep-cluster)
            keep_cluster=true
            shift
            ;;
        *)
            usage
            ;;
    esac
done

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# --- build and cluster ------------------------------------------------------

if $build; then
    echo "== build"
    make -j"$(nproc)" >/dev/null
    as_root make install >/dev/null
fi

stop_cluster() {
    if ! $keep_cluster; then
        bash scripts/pgcluster.sh stop "$CLUSTER" >/dev/null
    fi
}

echo "== cluster ($CLUSTER)"
mkdir -p "$(dirname "$CLUSTER")"
trap stop_cluster EXIT
bash scripts/pgcluster.sh start "$CLUSTER" \
    --conf 'shared_buffers=512MB' --conf 'max_parallel_workers_per_gather=0' >/dev/null
# shellcheck disable=SC1091
. "$CLUSTER/env"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

# A new olpe.so may change the install script, so the extension is made again.
PGOPTIONS='-c client_min_messages=warning' \
    "${PSQL[@]}" -c 'DROP EXTENSION IF EXISTS olpe CASCADE' -c 'CREATE EXTENSION olpe'

have_rows=0
if [ "$("${PSQL[@]}" -At -c "SELECT to_regclass('bench.listing') IS NOT NULL")" = t ]; then
    have_rows=$("${PSQL[@]}" -At -c "SELECT count(*) FROM bench.listing")
fi
if [ "$have_rows" != "$rows" ]; then
    echo "== generating $rows listings (bench/generate.sql)"
    "${PSQL[@]}" -v rows="$rows" -f bench/generate.sql >/dev/null
fi

# --- policies ---------------------------------------------------------------

echo "== policies"
"${PSQL[@]}" <<'SQL'
SET client_min_messages = warning;
BEGIN;
DELETE FROM olpe.policy WHERE name IN ('jl_native', 'jl_jsonlogic', 'jl_empty');
INSERT INTO olpe.policy (name, target) VALUES
  ('jl_native', 'bench.listing'), ('jl_jsonlogic', 'bench.listing'), ('jl_empty', 'bench.listing');

CREATE TEMP TABLE rule_set (
  name text, effect text, applies_when text, condition text, condition_jsonlogic jsonb
);
INSERT INTO rule_set VALUES
  ('photo_count', 'warn', NULL,
   $$photo_count >= 3$$,
   '{">=": [{"var": "photo_count"}, 3]}'),
  ('size_range', 'deny', NULL,
   $$size_sqft BETWEEN 100 AND 500000$$,
   '{"<=": [100, {"var": "size_sqft"}, 500000]}'),
  ('energy_rating_required', 'deny',
   $$country IN ('AT', 'BE', 'CZ', 'DE', 'DK', 'ES', 'FI', 'FR', 'GR', 'IE', 'IT', 'LU', 'NL', 'PL', 'PT', 'RO', 'SE', 'UK')$$,
   $$energy_rating IS NOT NULL$$,
   '{"!=": [{"var": "energy_rating"}, null]}'),
  ('energy_rating_valid', 'deny', $$energy_rating IS NOT NULL$$,
   $$energy_rating IN ('A', 'B', 'C', 'D', 'E', 'F', 'G')$$,
   '{"in": [{"var": "energy_rating"}, ["A", "B", "C", "D", "E", "F", "G"]]}'),
  ('available_from_recent', 'deny', NULL,
   $$available_from >= date '2025-05-02'$$,
   '{">=": [{"var": "available_from"}, "2025-05-02"]}'),
  ('lease_max', 'deny', NULL,
   $$lease_min_months <= 120$$,
   '{"<=": [{"var": "lease_min_months"}, 120]}'),
  ('coworking_wifi_desks', 'deny', $$property_type = 'coworking'$$,
   $$amenities @> ARRAY['wifi'] AND desks > 0$$,
   '{"and": [{"in": ["wifi", {"var": "amenities"}]}, {">": [{"var": "desks"}, 0]}]}'),
  ('currency_matches_country', 'deny', NULL,
   $$country || ':' || currency IN ('AE:AED', 'AT:EUR', 'AU:AUD', 'BE:EUR', 'BR:BRL', 'CA:CAD', 'CH:CHF', 'CZ:CZK', 'DE:EUR', 'DK:DKK', 'ES:EUR', 'FI:EUR', 'FR:EUR', 'GR:EUR', 'HK:HKD', 'IE:EUR', 'IN:INR', 'IT:EUR', 'LU:EUR', 'MX:MXN', 'NL:EUR', 'NO:NOK', 'NZ:NZD', 'PL:PLN', 'PT:EUR', 'RO:RON', 'SE:SEK', 'SG:SGD', 'UK:GBP', 'US:USD', 'ZA:ZAR')$$,
   '{"in": [{"cat": [{"var": "country"}, ":", {"var": "currency"}]},
            ["AE:AED", "AT:EUR", "AU:AUD", "BE:EUR", "BR:BRL", "CA:CAD", "CH:CHF", "CZ:CZK", "DE:EUR", "DK:DKK", "ES:EUR", "FI:EUR", "FR:EUR", "GR:EUR", "HK:HKD", "IE:EUR", "IN:INR", "IT:EUR", "LU:EUR", "MX:MXN", "NL:EUR", "NO:NOK", "NZ:NZD", "PL:PLN", "PT:EUR", "RO:RON", "SE:SEK", "SG:SGD", "UK:GBP", "US:USD", "ZA:ZAR"]]}'),
  ('coordinates_valid', 'deny', NULL,
   $$lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 AND NOT (lat = 0 AND lon = 0)$$,
   '{"and": [{"<=": [-90, {"var": "lat"}, 90]}, {"<=": [-180, {"var": "lon"}, 180]},
             {"!": {"and": [{"==": [{"var": "lat"}, 0]}, {"==": [{"var": "lon"}, 0]}]}}]}'),
  ('floor_range', 'deny', NULL,
   $$floor BETWEEN -5 AND 200$$,
   '{"<=": [-5, {"var": "floor"}, 200]}'),
  ('property_type_allowed', 'deny', NULL,
   $$property_type IN ('office', 'coworking', 'retail', 'industrial', 'mixed')$$,
   '{"in": [{"var": "property_type"}, ["office", "coworking", "retail", "industrial", "mixed"]]}'),
  ('large_lease_verified_broker', 'review', $$price_month > 50000$$,
   $$broker_verified$$,
   '{"var": "broker_verified"}');

INSERT INTO olpe.rule (policy, name, effect, applies_when, condition)
SELECT 'jl_native', name, effect, applies_when, condition FROM rule_set;
INSERT INTO olpe.rule (policy, name, effect, applies_when, condition_jsonlogic)
SELECT 'jl_jsonlogic', name, effect, applies_when, condition_jsonlogic FROM rule_set;
COMMIT;
SQL

# --- same decisions ---------------------------------------------------------

echo "== checking that both policies report the same failures"
mismatches=$("${PSQL[@]}" -At <<'SQL'
WITH native AS (
  SELECT f, count(*) AS n FROM bench.listing l, unnest((olpe.evaluate('jl_native', l)).failed) f GROUP BY f
), jsonlogic AS (
  SELECT f, count(*) AS n FROM bench.listing l, unnest((olpe.evaluate('jl_jsonlogic', l)).failed) f GROUP BY f
)
SELECT coalesce(native.f, jsonlogic.f) || ': rule language ' || coalesce(native.n, 0)
       || ', JsonLogic ' || coalesce(jsonlogic.n, 0)
  FROM native FULL JOIN jsonlogic USING (f)
 WHERE native.n IS DISTINCT FROM jsonlogic.n
    OR native.f IS NULL OR jsonlogic.f IS NULL;
SQL
)
if [ -n "$mismatches" ]; then
    echo "$mismatches" >&2
    die "the two policies report different failures"
fi
"${PSQL[@]}" -At -F ' ' -c "SELECT count(DISTINCT f), count(*) FROM bench.listing l,
                                   unnest((olpe.evaluate('jl_native', l)).failed) f" |
    while read -r nrules nfailures; do
        echo "same failures: $nfailures failures of $nrules rules over $rows rows"
    done

# --- timing -----------------------------------------------------------------

# Time one scan per policy that evaluates every row, the three policies in
# turn within each round, so that a change in the machine's load affects all
# of them alike. Round 0 warms the caches and is not counted. Prints the
# median time of each policy in milliseconds, in the order of the arguments.
time_policies() {
    "${PSQL[@]}" -At -v runs="$runs" -v policies="$*" <<'SQL'
CREATE TEMP TABLE times (policy text, ms double precision);
SET jl.policies = :'policies';
SET jl.runs = :'runs';
DO $$
DECLARE
  started timestamptz;
  denied bigint;
  policy text;
BEGIN
  FOR round IN 0 .. current_setting('jl.runs')::integer LOOP
    FOREACH policy IN ARRAY string_to_array(current_setting('jl.policies'), ' ') LOOP
      started := clock_timestamp();
      SELECT count(*) INTO denied FROM bench.listing l
       WHERE (olpe.evaluate(policy, l)).outcome <> 'allow';
      IF round > 0 THEN
        INSERT INTO times VALUES (policy, extract(epoch FROM clock_timestamp() - started) * 1000);
      END IF;
    END LOOP;
  END LOOP;
END;
$$;
SELECT round(percentile_disc(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1)
  FROM unnest(string_to_array(:'policies', ' ')) WITH ORDINALITY AS p(name, i)
  JOIN times t ON t.policy = p.name
 GROUP BY p.i ORDER BY p.i;
SQL
}

echo "== timing ($runs rounds after one warm-up round, median)"
{ read -r empty_ms; read -r native_ms; read -r jsonlogic_ms; } < <(time_policies jl_empty jl_native jl_jsonlogic)

"${PSQL[@]}" -At -v empty="$empty_ms" -v native="$native_ms" -v jsonlogic="$jsonlogic_ms" \
    -v rows="$rows" <<'SQL'
SELECT format('%-32s %10s ms', 'no rules (scan and call)', :'empty')
UNION ALL
SELECT format('%-32s %10s ms', 'rule language', :'native')
UNION ALL
SELECT format('%-32s %10s ms', 'JsonLogic', :'jsonlogic')
UNION ALL
SELECT format('JsonLogic / rule language, total: %s', round(:'jsonlogic'::numeric / :'native'::numeric, 2))
UNION ALL
SELECT format('JsonLogic / rule language, evaluation only: %s',
              round((:'jsonlogic'::numeric - :'empty'::numeric)
                    / nullif(:'native'::numeric - :'empty'::numeric, 0), 2))
UNION ALL
SELECT format('rows: %s, rules: 12', :'rows');
SQL
