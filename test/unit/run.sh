#!/usr/bin/env bash
# Build and run the C unit tests that need no PostgreSQL server.
#
# Compiles src/wordlist.c with test/unit/wordlist_test.c against the stand-in
# headers in test/unit/shim, twice: as the extension builds it, and with
# MIN_STREAM_BYTES=1 so that short texts also take the four-stream scan.
# The last line of output is "wordlist: N passed, N failed", the sum over
# both builds.  The script exits non-zero when a test fails or a build has a
# warning.
#
# Usage: test/unit/run.sh [--bench [LISTINGS_CSV]] [--sanitize]
#   --bench     also time the matcher against 20 memmem() scans per text, on
#               generated texts and, when python3 and the CSV are present, on
#               the lower-cased bodies of real listings (default: the UCI
#               apartments CSV under ../shared/data beside the repository)
#   --sanitize  build with AddressSanitizer and UndefinedBehaviorSanitizer
set -euo pipefail

unit_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$unit_dir/../.." && pwd)"
build_dir="$(mktemp -d)"
trap 'rm -rf "$build_dir"' EXIT

bench=false
listings_csv="$repo_dir/../shared/data/listings/uci-apartments/apartments_for_rent_classified_10K.csv"
cflags=(-Wall -Wextra -Werror -O2 -g)
while [[ $# -gt 0 ]]; do
    case "$1" in
        --bench)
            bench=true
            if [[ $# -gt 1 && "$2" != --* ]]; then
                listings_csv="$2"
                shift
            fi
            ;;
        --sanitize)
            cflags+=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
            ;;
        *)
            echo "usage: $0 [--bench [LISTINGS_CSV]] [--sanitize]" >&2
            exit 2
            ;;
    esac
    shift
done

# Compile one variant.  The shim directory comes first so that "postgres.h"
# resolves to the stand-in.
build() {
    local output="$1"
    shift
    ${CC:-cc} "${cflags[@]}" "$@" \
        -I"$unit_dir/shim" -I"$repo_dir/src" \
        -o "$output" \
        "$repo_dir/src/wordlist.c" "$unit_dir/wordlist_test.c"
}

build "$build_dir/wordlist_test"
build "$build_dir/wordlist_test_short_streams" -DMIN_STREAM_BYTES=1

# Run one variant and print its output.  Its summary line is added to the totals.
passed=0
failed=0
run() {
    local label="$1"
    shift
    local output summary
    output="$("$@")" || true
    printf '%s\n' "$output" | sed '$d'
    summary="$(printf '%s\n' "$output" | tail -n 1)"
    if [[ "$summary" =~ ^wordlist:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        echo "$label: ${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed"
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
    else
        echo "$label: no summary line, the test program crashed: $summary"
        failed=$((failed + 1))
    fi
}

run "short texts in four streams" "$build_dir/wordlist_test_short_streams"

bench_args=()
if $bench; then
    bench_args+=(-b)
    if [[ -f "$listings_csv" ]] && command -v python3 >/dev/null; then
        # One lower-cased listing body per line, line breaks replaced by spaces.
        python3 - "$listings_csv" >"$build_dir/bodies.txt" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for row in csv.DictReader(f):
        print(" ".join(row["body"].lower().split("\n")))
PY
        bench_args+=(-t "$build_dir/bodies.txt")
    else
        echo "benchmark: no listings CSV at $listings_csv or no python3, generated texts only"
    fi
fi
run "default build" "$build_dir/wordlist_test" "${bench_args[@]+"${bench_args[@]}"}"

echo "wordlist: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
