#!/usr/bin/env bash
# Run the demo end to end and check its output and the data it loaded.
#
#   test/demo_check.sh [--data DIR]
#
# Two runs share one cluster in demo/tmp/check-cluster, apart from the
# cluster of `make demo`, which keeps running if it is up:
#   1. the real listings from DIR (default: the default data directory of
#      scripts/demo.sh), when the files are there: row counts, NULL mapping,
#      outcome and rule failure counts, decisions of chosen listings;
#   2. generated office listings (scripts/demo.sh --generate), which also
#      checks that a second run starts over in a running cluster.
# Exact figures hold for the GSA export of 2025-06-20 and the 10K file of the
# UCI apartment ads. For other files only the layout of the output is checked.
# The number of holdover leases depends on the current date, so it is compared
# with a plain SQL count instead of a fixed figure.
#
# The cluster is stopped at the end, also after a failure. The last line is
# "demo: N passed, N failed"; the exit status is non-zero when a check failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

export OLPE_DEMO_CLUSTER=$ROOT/demo/tmp/check-cluster
OUT=$ROOT/demo/tmp/check
data_dir=$ROOT/../shared/data
while [ $# -gt 0 ]; do
    case $1 in
        --data)
            if [ $# -lt 2 ]; then
                echo "usage: test/demo_check.sh [--data DIR]" >&2
                exit 2
            fi
            data_dir=$2
            shift 2
            ;;
        *) echo "usage: test/demo_check.sh [--data DIR]" >&2; exit 2 ;;
    esac
done

passed=0
failed=0

pass() {
    passed=$(( passed + 1 ))
    echo "ok: $1"
}

fail() {
    failed=$(( failed + 1 ))
    echo "FAILED: $1"
    [ $# -lt 2 ] || echo "        $2"
}

finish() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        fail "demo check runs to its end" "stopped early with exit status $status"
    fi
    bash scripts/demo.sh --stop >/dev/null 2>&1 || true
    if bash scripts/pgcluster.sh status "$OLPE_DEMO_CLUSTER" >/dev/null 2>&1; then
        fail "demo --stop leaves no server running in $OLPE_DEMO_CLUSTER"
    else
        pass "demo --stop leaves no server running in $OLPE_DEMO_CLUSTER"
    fi
    echo "demo: $passed passed, $failed failed"
    if [ "$failed" -gt 0 ]; then
        exit 1
    fi
    exit 0
}
trap finish EXIT

# Check that a file has a line matching an extended regular expression.
expect_line() {
    local name=$1 file=$2 pattern=$3
    if grep -Eq -- "$pattern" "$file"; then
        pass "$name"
    else
        fail "$name" "no line of $file matches /$pattern/"
    fi
}

# Print the lines of one policy's section of a demo report: from its
# "Policy NAME on" heading to the next heading.
report_section() {
    local file=$1 policy=$2
    awk -v heading="Policy $policy on " '
        index($0, "Policy ") == 1 { inside = (index($0, heading) == 1) }
        inside' "$file"
}

# Print the listing count of an outcome row ("deny | 46 | 0.6") in a section.
outcome_count() {
    local file=$1 policy=$2 outcome=$3
    report_section "$file" "$policy" \
        | sed -nE "s/^ $outcome +\| +([0-9]+) +\| .*/\1/p" | head -n 1
}

# Check the listing count of an outcome row ("deny | 46 | 0.6") in a section.
expect_outcome() {
    local file=$1 policy=$2 outcome=$3 expected=$4 actual
    actual=$(outcome_count "$file" "$policy" "$outcome")
    if [ "$actual" = "$expected" ]; then
        pass "$policy: $outcome count is $expected"
    else
        fail "$policy: $outcome count is $expected" "report shows '${actual:-nothing}'"
    fi
}

# Check the listing count of a rule row ("rule | deny | 46 | 0.6 | ...") in
# the failed-rules table of a section.
expect_rule_failures() {
    local file=$1 policy=$2 rule=$3 expected=$4 actual
    actual=$(report_section "$file" "$policy" \
        | sed -nE "s/^ $rule +\| (deny|review|warn) +\| +([0-9]+) +\| .*/\2/p" | head -n 1)
    if [ "$actual" = "$expected" ]; then
        pass "$policy: rule $rule fails for $expected listings"
    else
        fail "$policy: rule $rule fails for $expected listings" "report shows '${actual:-nothing}'"
    fi
}

# Check that the report of a policy has every part: outcome rows, the failed
# rules table and the explain sections.
expect_report_layout() {
    local file=$1 policy=$2 section
    section=$(report_section "$file" "$policy")
    local outcome
    for outcome in allow warn review deny; do
        if grep -Eq "^ $outcome +\| +[0-9]+ +\| +[0-9.]+" <<<"$section"; then
            pass "$policy: report lists outcome $outcome"
        else
            fail "$policy: report lists outcome $outcome" "no '$outcome | N | percent' row"
        fi
    done
    if grep -q '^Listings failing each rule' <<<"$section"; then
        pass "$policy: report has the failed rules table"
    else
        fail "$policy: report has the failed rules table"
    fi
    if grep -Eq '^olpe\.explain for (a denied|a listing under review|an allowed)' <<<"$section"; then
        pass "$policy: report explains a listing"
    else
        fail "$policy: report explains a listing"
    fi
}

# Check the single value that a query returns in the demo database.
expect_sql() {
    local name=$1 query=$2 expected=$3 actual
    if ! $connected; then
        fail "$name" "no demo cluster to query"
    elif ! actual=$(psql -X -At -v ON_ERROR_STOP=1 -c "$query" 2>&1); then
        fail "$name" "query failed: $actual"
    elif [ "$actual" = "$expected" ]; then
        pass "$name"
    else
        fail "$name" "expected '$expected', got '$actual'"
    fi
}

# Print the single value that a query returns in the demo database, or a
# line starting with "(query failed" when it cannot be run.
query_value() {
    local query=$1 value
    if ! $connected; then
        echo "(query failed: no demo cluster to query)"
    elif ! value=$(psql -X -At -v ON_ERROR_STOP=1 -c "$query" 2>&1); then
        echo "(query failed: $value)"
    else
        echo "$value"
    fi
}

# Point psql at the demo cluster. Without its env file (the demo failed before
# starting the cluster), every SQL check fails instead of connecting to
# whatever server the default settings reach.
connected=false
connect_to_demo() {
    if [ -f "$OLPE_DEMO_CLUSTER/env" ]; then
        # shellcheck disable=SC1091
        . "$OLPE_DEMO_CLUSTER/env"
        export PGHOST PGPORT PGUSER PGDATABASE
        connected=true
    else
        connected=false
        fail "demo cluster has an env file" "$OLPE_DEMO_CLUSTER/env is missing"
    fi
}

# Check the closing lines that tell how to connect and how to stop.
expect_closing_lines() {
    local file=$1
    expect_line "demo prints the psql command" "$file" \
        '^Connect: +psql -h 127\.0\.0\.1 -p [0-9]+ -U postgres olpe$'
    expect_line "demo prints how to stop" "$file" '^Stop: +make demo-stop$'
}

# Check that a policy's section has a line equal to the given text.
expect_section_line() {
    local name=$1 file=$2 policy=$3 line=$4
    if report_section "$file" "$policy" | grep -qxF -- "$line"; then
        pass "$name"
    else
        fail "$name" "no line of the $policy section is '$line'"
    fi
}

# Print the ids that the enforcement part of a section inserts, from its
# "=> INSERT INTO ... WHERE id = N" lines: the allowed listing, then the
# denied one.
inserted_ids() {
    report_section "$1" "$2" \
        | sed -nE 's/^=> INSERT INTO [^ ]+ SELECT \* FROM [^ ]+ WHERE id = ([0-9]+)$/\1/p'
}

# Print the DETAIL of the rejected INSERT in a section without its "DETAIL:  "
# prefix: one line per failed rule.
rejection_detail() {
    report_section "$1" "$2" | awk '
        /^HINT:  / { inside = 0 }
        /^DETAIL:  / { inside = 1; sub(/^DETAIL:  /, "") }
        inside'
}

# Print the rows of the compliance-by-city table in a section, one line per
# city, with the cells separated by "|" and without padding.
city_rows() {
    report_section "$1" "$2" | awk '
        /^for the 10 cities/ { table = 1; skip = 2; next }
        table && skip > 0 { skip--; next }
        table && $0 == "" { exit }
        table' | sed -E 's/ *\| */|/g; s/^ +//; s/ +$//'
}

# Check that two values are equal.
expect_equal() {
    local name=$1 actual=$2 expected=$3
    if [ "$actual" = "$expected" ]; then
        pass "$name"
    else
        fail "$name" "expected '$expected', got '$actual'"
    fi
}

# Check the enforcement part of a policy's section against the database. The
# trigger must write the allowed listing with the lowest id into TABLE_live.
# It must reject the denied listing with the lowest id with SQLSTATE 23514,
# the HINT, and a DETAIL line for each rule that the listing fails.
expect_enforcement() {
    local file=$1 policy=$2 table=$3 section ids allowed_id denied_id
    local live=${table}_live
    local relation=${live#*.}
    section=$(report_section "$file" "$policy")
    ids=$(inserted_ids "$file" "$policy")
    allowed_id=$(sed -n 1p <<<"$ids")
    denied_id=$(sed -n 2p <<<"$ids")

    expect_equal "$policy: demo inserts the lowest allowed id" "$allowed_id" \
        "$(query_value "SELECT min(l.id) FROM $table AS l
                         WHERE (olpe.evaluate('$policy', l)).outcome = 'allow'")"
    expect_equal "$policy: demo inserts the lowest denied id" "$denied_id" \
        "$(query_value "SELECT min(l.id) FROM $table AS l WHERE NOT olpe.allowed('$policy', l)")"
    expect_sql "$policy: $live holds only the allowed listing" \
        "SELECT string_agg(id::text, ',') FROM $live" "$allowed_id"
    if grep -qx "Rows in $live afterwards: 1" <<<"$section"; then
        pass "$policy: demo shows 1 row in $live"
    else
        fail "$policy: demo shows 1 row in $live" "no line 'Rows in $live afterwards: 1'"
    fi
    if grep -qx 'SQLSTATE: 23514' <<<"$section"; then
        pass "$policy: denied insert fails with SQLSTATE 23514"
    else
        fail "$policy: denied insert fails with SQLSTATE 23514" \
            "no line 'SQLSTATE: 23514'; got '$(grep -E '^(SQLSTATE|no error)' <<<"$section")'"
    fi
    if grep -qxF "ERROR:  new row for relation \"$relation\" violates policy \"$policy\"" <<<"$section"; then
        pass "$policy: rejection names the table and the policy"
    else
        fail "$policy: rejection names the table and the policy" \
            "got '$(grep '^ERROR:' <<<"$section")'"
    fi
    if grep -qxF "HINT:  Correct the row, or run olpe.explain('$policy', row) to see how each rule was decided." <<<"$section"; then
        pass "$policy: rejection has the HINT"
    else
        fail "$policy: rejection has the HINT" "got '$(grep '^HINT:' <<<"$section")'"
    fi
    expect_equal "$policy: DETAIL names the failed rules of listing $denied_id" \
        "$(rejection_detail "$file" "$policy" | sed -nE 's/^Rule "([^"]+)" .*/\1/p' | sort | paste -sd,)" \
        "$(query_value "SELECT string_agg(f.rule, ',' ORDER BY f.rule)
                          FROM $table AS l
                         CROSS JOIN LATERAL unnest((olpe.evaluate('$policy', l)).failed) AS f (rule)
                         WHERE l.id = ${denied_id:-NULL}")"
}

# Check the compliance report by city of a policy's section. It must have 10
# rows, with the top city and its listing count that a plain GROUP BY finds.
# The totals of its last line must match the table's row count, the number of
# distinct cities and the outcome counts of the policy report. CITY is the SQL
# expression of the demo's city column, over the listing l.
expect_city_report() {
    local file=$1 policy=$2 table=$3 city=$4 section rows totals
    section=$(report_section "$file" "$policy")
    rows=$(city_rows "$file" "$policy")
    expect_equal "$policy: compliance by city has 10 rows" "$(grep -c . <<<"$rows")" 10
    expect_equal "$policy: top city and its count match GROUP BY" \
        "$(head -n 1 <<<"$rows" | cut -d'|' -f1,2)" \
        "$(query_value "SELECT c.city || '|' || c.listings
                          FROM (SELECT $city AS city, count(*) AS listings
                                  FROM $table AS l GROUP BY 1) AS c
                         ORDER BY c.listings DESC, c.city LIMIT 1")"
    totals=$(sed -nE 's/^All ([0-9]+) cities: ([0-9]+) listings, ([0-9]+) denied, ([0-9]+) under review, ([0-9]+) warned\.$/\1 \2 \3 \4 \5/p' <<<"$section")
    if [ -z "$totals" ]; then
        fail "$policy: compliance by city has a totals line" "no 'All N cities: ...' line"
        return
    fi
    local cities listings denied review warned
    read -r cities listings denied review warned <<<"$totals"
    expect_equal "$policy: city totals sum to the row count" "$listings" \
        "$(query_value "SELECT count(*) FROM $table")"
    expect_equal "$policy: city totals cover every city" "$cities" \
        "$(query_value "SELECT count(DISTINCT $city) FROM $table AS l")"
    expect_equal "$policy: city totals of deny match the report" "$denied" \
        "$(outcome_count "$file" "$policy" deny)"
    expect_equal "$policy: city totals of review match the report" "$review" \
        "$(outcome_count "$file" "$policy" review)"
    expect_equal "$policy: city totals of warn match the report" "$warned" \
        "$(outcome_count "$file" "$policy" warn)"
}

mkdir -p "$OUT"

# --- run 1: real listings -------------------------------------------------------

gsa_csv=""
apartment_csv=""
if [ -d "$data_dir" ]; then
    data_dir=$(cd "$data_dir" && pwd -P)
    gsa_csv=$(find "$data_dir" -maxdepth 4 -type f -name 'gsa_iolp_leases_*.csv' | sort -V | tail -n 1)
    apartment_csv=$(find "$data_dir" -maxdepth 4 -type f -name 'apartments_for_rent_classified*.csv' | sort -V | tail -n 1)
fi

if [ -n "$gsa_csv" ] || [ -n "$apartment_csv" ]; then
    log=$OUT/real.log
    echo "demo check: run 1, listings from $data_dir (output in $log)"
    if bash scripts/demo.sh --data "$data_dir" >"$log" 2>&1; then
        pass "demo runs on the listings in $data_dir"
    else
        fail "demo runs on the listings in $data_dir" "exit status $?; see $log"
        tail -n 20 "$log"
    fi
    connect_to_demo
    expect_closing_lines "$log"

    if [ -n "$gsa_csv" ]; then
        expect_report_layout "$log" gsa_lease_quality
        expect_enforcement "$log" gsa_lease_quality demo.gsa_lease
        expect_city_report "$log" gsa_lease_quality demo.gsa_lease "l.city || ', ' || l.state"
    fi
    if [ -n "$apartment_csv" ]; then
        expect_report_layout "$log" apartment_ad_content
        expect_enforcement "$log" apartment_ad_content demo.apartment_ad
        expect_city_report "$log" apartment_ad_content demo.apartment_ad \
            "coalesce(l.cityname || ', ' || l.state, '(no city)')"
    fi

    if [ "$(basename "$gsa_csv")" = gsa_iolp_leases_2025-06-20.csv ]; then
        expect_line "loads 7512 GSA leases" "$log" '^loaded 7512 GSA leases into demo\.gsa_lease$'
        expect_sql "gsa_lease has 7512 rows" "SELECT count(*) FROM demo.gsa_lease" 7512
        expect_sql "gsa_lease: installation name NA is NULL" \
            "SELECT count(*) FROM demo.gsa_lease WHERE installation_name IS NULL" 7463
        expect_sql "gsa_lease: no string NA is left" \
            "SELECT count(*) FROM demo.gsa_lease AS l WHERE 'NA' = ANY (ARRAY[l.asset_name, l.installation_name, l.city, l.representative])" 0
        expect_sql "gsa_lease: empty available area is NULL" \
            "SELECT count(*) FROM demo.gsa_lease WHERE available_sqft IS NULL" 7512
        expect_sql "gsa_lease: fractional areas kept" \
            "SELECT count(*) FROM demo.gsa_lease WHERE rentable_sqft <> round(rentable_sqft)" 243
        expect_sql "gsa_lease: ZIP codes keep leading zeros" \
            "SELECT min(zip) FROM demo.gsa_lease" 00602
        expect_sql "gsa_lease: first line typed" \
            "SELECT concat_ws('|', location_code, gsa_region, zip, latitude, longitude, rentable_sqft, effective_date, expiration_date) FROM demo.gsa_lease WHERE id = 1" \
            "PA0656|3|19601|40.33587|-75.933271|54743|2020-02-12|2035-02-11"
        expect_outcome "$log" gsa_lease_quality deny 46
        expect_outcome "$log" gsa_lease_quality review 297
        expect_rule_failures "$log" gsa_lease_quality rentable_area_positive 46
        expect_rule_failures "$log" gsa_lease_quality term_at_most_20_years 297
        expect_rule_failures "$log" gsa_lease_quality term_dates_ordered 0
        expect_rule_failures "$log" gsa_lease_quality coordinates_present 0
        expect_rule_failures "$log" gsa_lease_quality coordinates_in_state 0
        expect_rule_failures "$log" gsa_lease_quality zip_code_valid 0
        expect_sql "gsa_lease_quality: holdovers counted against current_date" \
            "SELECT count(*) = (SELECT count(*) FROM demo.gsa_lease WHERE expiration_date < current_date)
               FROM demo.gsa_lease AS l
              WHERE 'not_holdover' = ANY ((olpe.evaluate('gsa_lease_quality', l)).failed)" t
        expect_sql "gsa_lease_quality: message of a zero-area building" \
            "SELECT (olpe.evaluate('gsa_lease_quality', l)).messages[1] FROM demo.gsa_lease AS l
              WHERE l.lease_number = 'LCA00837' AND l.asset_type = 'BUILDING' AND l.rentable_sqft = 0 LIMIT 1" \
            "building lease LCA00837 has a rentable area of 0 sq ft; it must be positive"
        expect_sql "gsa_lease_quality: a structure without area is allowed" \
            "SELECT bool_and(olpe.allowed('gsa_lease_quality', l)) FROM demo.gsa_lease AS l
              WHERE l.asset_type <> 'BUILDING' AND l.rentable_sqft = 0" t
        # Lease 77 expires on 2039-12-12: from then on its DETAIL also has a
        # not_holdover line, so only the deny line is compared. The lowest
        # allowed id changes as leases expire, so expect_enforcement compares
        # it with SQL instead of a fixed figure.
        expect_equal "gsa_lease_quality: demo rejects lease 77" \
            "$(inserted_ids "$log" gsa_lease_quality | sed -n 2p)" 77
        if rejection_detail "$log" gsa_lease_quality | grep -qxF \
            'Rule "rentable_area_positive" (deny): building lease LCA00837 has a rentable area of 0 sq ft; it must be positive'; then
            pass "gsa_lease_quality: DETAIL names rentable_area_positive"
        else
            fail "gsa_lease_quality: DETAIL names rentable_area_positive" \
                "DETAIL is '$(rejection_detail "$log" gsa_lease_quality)'"
        fi
        expect_equal "gsa_lease_quality: top city is Washington DC" \
            "$(city_rows "$log" gsa_lease_quality | head -n 1 | cut -d'|' -f1-4)" "WASHINGTON, DC|160|0|2"
        expect_sql "gsa_lease_quality: 160 leases in Washington DC" \
            "SELECT count(*) FROM demo.gsa_lease WHERE city = 'WASHINGTON' AND state = 'DC'" 160
        expect_line "gsa_lease_quality: city totals" "$log" \
            '^All 2035 cities: 7512 listings, 46 denied, 297 under review, [0-9]+ warned\.$'
    elif [ -n "$gsa_csv" ]; then
        echo "demo check: $(basename "$gsa_csv") is not the 2025-06-20 export; exact GSA figures skipped"
    fi

    if [ "$(basename "$apartment_csv")" = apartments_for_rent_classified_10K.csv ]; then
        expect_line "loads 10000 apartment ads" "$log" '^loaded 10000 apartment ads into demo\.apartment_ad$'
        expect_sql "apartment_ad has 10000 rows" "SELECT count(*) FROM demo.apartment_ad" 10000
        expect_sql "apartment_ad: amenities null is NULL" \
            "SELECT count(*) FROM demo.apartment_ad WHERE amenities IS NULL" 3549
        expect_sql "apartment_ad: pets_allowed None is empty" \
            "SELECT count(*) FROM demo.apartment_ad WHERE pets_allowed = '{}'" 2415
        expect_sql "apartment_ad: pets_allowed null is NULL" \
            "SELECT count(*) FROM demo.apartment_ad WHERE pets_allowed IS NULL" 1748
        expect_sql "apartment_ad: bathrooms null is NULL" \
            "SELECT count(*) FROM demo.apartment_ad WHERE bathrooms IS NULL" 34
        expect_sql "apartment_ad: no string null is left" \
            "SELECT count(*) FROM demo.apartment_ad AS a WHERE 'null' = ANY (ARRAY[a.address, a.cityname, a.state, a.title])" 0
        expect_sql "apartment_ad: first line typed" \
            "SELECT concat_ws('|', id, price, square_feet, bedrooms, bathrooms IS NULL, fee, has_photo, pets_allowed, amenities IS NULL, time AT TIME ZONE 'UTC') FROM demo.apartment_ad WHERE id = 5668626895" \
            "5668626895|790|101|0|t|f|Thumbnail|{}|t|2019-12-26 11:23:35"
        expect_outcome "$log" apartment_ad_content allow 9593
        expect_outcome "$log" apartment_ad_content warn 178
        expect_outcome "$log" apartment_ad_content review 203
        expect_outcome "$log" apartment_ad_content deny 26
        expect_rule_failures "$log" apartment_ad_content has_photo 184
        expect_rule_failures "$log" apartment_ad_content location_present 77
        expect_rule_failures "$log" apartment_ad_content no_banned_words 54
        expect_rule_failures "$log" apartment_ad_content no_phone_number 50
        expect_rule_failures "$log" apartment_ad_content price_per_sqft_in_band 20
        expect_rule_failures "$log" apartment_ad_content body_present 13
        expect_rule_failures "$log" apartment_ad_content square_feet_in_band 13
        expect_rule_failures "$log" apartment_ad_content price_in_band 7
        expect_rule_failures "$log" apartment_ad_content title_length 7
        expect_rule_failures "$log" apartment_ad_content no_email_address 3
        expect_rule_failures "$log" apartment_ad_content price_type_known 2
        expect_rule_failures "$log" apartment_ad_content price_present 0
        expect_sql "apartment_ad_content: decision of ad 5661066229" \
            "SELECT d.outcome || ' ' || array_to_string(ARRAY(SELECT unnest(d.failed) ORDER BY 1), ',')
               FROM demo.apartment_ad AS a,
                    olpe.evaluate('apartment_ad_content', a) AS d WHERE a.id = 5661066229" \
            "deny has_photo,no_email_address,title_length"
        expect_sql "apartment_ad_content: masked phone number found" \
            "SELECT 'no_phone_number' = ANY ((olpe.evaluate('apartment_ad_content', a)).failed)
               FROM demo.apartment_ad AS a WHERE a.body LIKE '%Call or text 210-370-XXXX%' LIMIT 1" t
        expect_equal "apartment_ad_content: demo inserts ads 5508654087 and 5545821771" \
            "$(inserted_ids "$log" apartment_ad_content | paste -sd' ')" "5508654087 5545821771"
        expect_equal "apartment_ad_content: DETAIL of ad 5545821771" \
            "$(rejection_detail "$log" apartment_ad_content)" \
            'Rule "body_present" (deny): body "Duplex" is shorter than 30 characters
Rule "title_length" (deny): title "Duplex" must be 10 to 120 characters long'
        expect_equal "apartment_ad_content: top city is Austin TX" \
            "$(city_rows "$log" apartment_ad_content | head -n 1)" "Austin, TX|523|0|0|0|(none)"
        expect_sql "apartment_ad_content: 523 ads in Austin TX" \
            "SELECT count(*) FROM demo.apartment_ad WHERE cityname = 'Austin' AND state = 'TX'" 523
        expect_section_line "apartment_ad_content: San Francisco row" "$log" apartment_ad_content \
            " San Francisco, CA |      104 |    0 |      7 |    0 | price_per_sqft_in_band (7)"
        expect_sql "apartment_ad_content: 7 San Francisco ads fail price_per_sqft_in_band" \
            "SELECT count(*) FROM demo.apartment_ad AS a
              WHERE a.cityname = 'San Francisco' AND a.state = 'CA'
                AND a.square_feet > 0 AND a.price IS NOT NULL
                AND a.price / a.square_feet NOT BETWEEN 0.3 AND 8" 7
        expect_line "apartment_ad_content: city totals" "$log" \
            '^All 1770 cities: 10000 listings, 26 denied, 203 under review, 178 warned\.$'
    elif [ -n "$apartment_csv" ]; then
        echo "demo check: $(basename "$apartment_csv") is not the 10K file; exact apartment figures skipped"
    fi
else
    echo "demo check: no listing files under $data_dir; run 1 skipped"
fi

# --- run 2: generated listings, in the same cluster -----------------------------

log=$OUT/generated.log
echo "demo check: run 2, generated office listings (output in $log)"
if bash scripts/demo.sh --generate >"$log" 2>&1; then
    pass "demo runs on generated listings"
else
    fail "demo runs on generated listings" "exit status $?; see $log"
    tail -n 20 "$log"
fi
connect_to_demo
expect_closing_lines "$log"
expect_line "generates 5000 office listings" "$log" \
    '^generated 5000 office listings into demo\.office_listing$'
expect_sql "second run drops the earlier listings" \
    "SELECT count(*) FROM pg_tables
      WHERE schemaname = 'demo' AND tablename NOT IN ('office_listing', 'office_listing_live')" 0
expect_sql "second run leaves one policy" "SELECT string_agg(name, ',') FROM olpe.policy" \
    office_listing_quality
expect_report_layout "$log" office_listing_quality
expect_enforcement "$log" office_listing_quality demo.office_listing
expect_city_report "$log" office_listing_quality demo.office_listing "l.city"
expect_outcome "$log" office_listing_quality allow 2908
expect_outcome "$log" office_listing_quality warn 1283
expect_outcome "$log" office_listing_quality review 486
expect_outcome "$log" office_listing_quality deny 323
expect_rule_failures "$log" office_listing_quality enough_photos 932
expect_rule_failures "$log" office_listing_quality broker_verified 691
expect_rule_failures "$log" office_listing_quality energy_rating_disclosed 244
expect_rule_failures "$log" office_listing_quality no_phone_number 161
expect_rule_failures "$log" office_listing_quality no_banned_words 141
expect_rule_failures "$log" office_listing_quality no_email_address 115
expect_rule_failures "$log" office_listing_quality rent_per_sqft_in_band 116
expect_rule_failures "$log" office_listing_quality title_length 52
expect_rule_failures "$log" office_listing_quality coworking_has_wifi 21
expect_rule_failures "$log" office_listing_quality size_plausible 32
expect_equal "office_listing_quality: demo inserts listings 2 and 32" \
    "$(inserted_ids "$log" office_listing_quality | paste -sd' ')" "2 32"
expect_equal "office_listing_quality: DETAIL of listing 32" \
    "$(rejection_detail "$log" office_listing_quality)" \
    'Rule "energy_rating_disclosed" (deny): listing 32 in IE must show its energy rating
Rule "enough_photos" (warn): listing 32 has too few photos (2)'
expect_equal "office_listing_quality: top city is Warsaw" \
    "$(city_rows "$log" office_listing_quality | head -n 1)" "Warsaw|296|30|22|84|enough_photos (62)"
expect_sql "office_listing_quality: 296 listings in Warsaw" \
    "SELECT count(*) FROM demo.office_listing WHERE city = 'Warsaw'" 296
expect_sql "office_listing_quality: 62 Warsaw listings with too few photos" \
    "SELECT count(*) FROM demo.office_listing WHERE city = 'Warsaw' AND photo_count < 3" 62
expect_line "office_listing_quality: city totals" "$log" \
    '^All 18 cities: 5000 listings, 323 denied, 486 under review, 1283 warned\.$'
expect_sql "generated listings match known digest" \
    "SELECT md5(string_agg(concat_ws('|', id, title, description, size_sqft, price_month, energy_rating, amenities), '/' ORDER BY id)) FROM demo.office_listing" \
    00b2778d59488e255053258a4905a021
