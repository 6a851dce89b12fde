#!/usr/bin/env python3
"""Render the results of bench/run.sh as Markdown.

Reads the key<TAB>value lines that bench/run.sh writes to bench/tmp/results.tsv,
prints the tables, and with --docs replaces the section of that run's mode
(full or quick) in docs/benchmarks.md, between the lines

    <!-- BEGIN bench/run.sh MODE results -->
    <!-- END bench/run.sh MODE results -->

Text outside the markers is kept. When the markers are missing, the section
is appended at the end of the file.
"""

import argparse
import re
import sys
from pathlib import Path

# Targets of the design, as (description, test over the results). A test
# returns (measured text, met) or None when the figures are missing.
TARGET_EVALUATE_SPEEDUP = 3.0
TARGET_PARALLEL_SPEEDUP = 1.6
TARGET_TRIGGER_RATIO = 0.8
TARGET_POOLED_RATIO = 0.9
TARGET_MEMORY_GROWTH_KB = 16 * 1024


def read_results(path):
    results = {}
    for line in Path(path).read_text().splitlines():
        if not line.strip():
            continue
        key, _, value = line.partition("\t")
        results[key] = value
    return results


def number(results, key):
    value = results.get(key)
    if value is None or value == "":
        return None
    return float(value)


def thousands(value, decimals=0):
    return f"{value:,.{decimals}f}"


def seconds(milliseconds):
    if milliseconds >= 10000:
        return f"{milliseconds / 1000:,.1f} s"
    if milliseconds >= 1000:
        return f"{milliseconds / 1000:,.2f} s"
    return f"{milliseconds:,.0f} ms"


def spread(results, name):
    """Return 'min-max' of a variant's timed runs."""
    times = results.get(f"{name}.times_ms")
    if not times:
        return ""
    values = [float(t) for t in times.split(",")]
    return f"{seconds(min(values))} to {seconds(max(values))}"


def table(header, rows):
    aligns = ["---" if i == 0 else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(aligns) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def throughput_section(results, rows):
    hand = number(results, "hand_sql.median_ms")
    variants = [
        ("scan", "scan only: `count(l)` over the rows"),
        ("olpe_evaluate", "`olpe.evaluate`, failures per rule"),
        ("hand_sql", "hand-written SQL, jit off"),
        ("hand_sql_jit", "hand-written SQL, jit on"),
        ("plpgsql", "PL/pgSQL function"),
        ("olpe_allowed", "`olpe.allowed`, count of allowed listings"),
        ("hand_allowed", "hand-written SQL, deny rules only, count of allowed listings"),
    ]
    body = []
    for name, label in variants:
        median = number(results, f"{name}.median_ms")
        if median is None:
            continue
        speed = f"{hand / median:.2f}x" if hand else ""
        body.append([label, seconds(median), thousands(rows / (median / 1000)), speed,
                     spread(results, name)])
    text = ["### Throughput on one core", "",
            "Each query scans all listings with `max_parallel_workers_per_gather = 0`. "
            "\"vs hand SQL\" is the time of hand-written SQL with jit off divided by the "
            "time of the variant, so 2.00x means twice as fast.", ""]
    text.append(table(["variant", "median", "listings/s", "vs hand SQL", "runs"], body))
    return "\n".join(text)


def phrase_section(results):
    rows = number(results, "phrase_rows")
    base = number(results, "phrases_regex_each.median_ms")
    variants = [
        ("phrases_olpe", "`contains_any_word` with 20 phrases (`olpe.eval`)"),
        ("phrases_regex_each", "20 regular expressions `~* '\\mphrase\\M'`, OR-ed"),
        # A "|" inside a table cell must be escaped, even in a code span.
        ("phrases_regex_one", "one regular expression `~* '\\m(p1\\|p2\\|...)\\M'`"),
        ("phrases_lower", "`lower(description)` alone, for scale"),
    ]
    body = []
    for name, label in variants:
        median = number(results, f"{name}.median_ms")
        if median is None or not rows:
            continue
        body.append([label, seconds(median), f"{median * 1000 / rows:,.1f}",
                     f"{base / median:.2f}x" if base else ""])
    if not body:
        return ""
    text = ["### The banned-phrase rule alone", "",
            f"Over the first {thousands(rows)} listings, on one core.", ""]
    text.append(table(["matcher", "median", "us per listing", "vs 20 expressions"], body))
    return "\n".join(text)


def compile_section(results):
    first = number(results, "compile.first_us")
    if first is None:
        return ""
    rows = [
        ["first call in a new session (reads and compiles the policy)", f"{first:,.0f}"],
        ["second call", f"{number(results, 'compile.second_us'):,.1f}"],
        ["cached call, mean of 1,000 calls in a PL/pgSQL loop",
         f"{number(results, 'compile.cached_us'):,.1f}"],
        ["first call after a policy change (new version)",
         f"{number(results, 'compile.changed_us'):,.0f}"],
    ]
    text = ["### Compiling and calling for one listing", "",
            f"`olpe.evaluate` on listing {results.get('compile.listing_id')} (a description "
            "of about 1,000 bytes) from a `DO` block, timed with `clock_timestamp()`; "
            "the median of 5 new sessions.", ""]
    text.append(table(["call", "microseconds"], rows))
    return "\n".join(text)


def compliance_section(results, rows):
    if "compliance.skipped" in results:
        return f"### Compliance report\n\nskipped: {results['compliance.skipped']}"
    serial = number(results, "compliance_serial.median_ms")
    parallel = number(results, "compliance_parallel.median_ms")
    if serial is None or parallel is None:
        return ""
    body = [
        ["serial", seconds(serial), thousands(rows / (serial / 1000)), "1.00x"],
        [f"parallel, {results.get('compliance.workers', '?')} workers launched",
         seconds(parallel), thousands(rows / (parallel / 1000)), f"{serial / parallel:.2f}x"],
    ]
    text = ["### Compliance report, serial and parallel", "",
            "`SELECT olpe.compliance(olpe.evaluate(...)) FROM bench.listing`. The parallel "
            "run sets `parallel_setup_cost` and `parallel_tuple_cost` to 0 so that the "
            f"planner uses its workers. With the default costs the planner chose a "
            f"{results.get('compliance.default_plan', '?')} plan.", ""]
    text.append(table(["plan", "median", "listings/s", "speed-up"], body))
    return "\n".join(text)


def memory_section(results):
    body = []
    for name in ("memory_small", "memory_large"):
        rows = number(results, f"{name}.rows")
        if rows is None:
            continue
        body.append([thousands(rows),
                     f"{number(results, f'{name}.anon_growth_kb') / 1024:,.1f} MB",
                     f"{number(results, f'{name}.hwm_growth_kb') / 1024:,.1f} MB"])
    if not body:
        return ""
    text = ["### Memory of one long scan", "",
            "One query evaluates the listings (the large scan reads the table 10 times), "
            "in a new backend. \"RssAnon\" is the peak of the backend's private memory, "
            "sampled every 50 ms, minus its value before the query. \"VmHWM\" is the growth "
            "of the backend's peak resident set, which also counts the shared buffers that "
            "the backend touched for the first time.", ""]
    text.append(table(["listings evaluated", "RssAnon growth", "VmHWM growth"], body))
    return "\n".join(text)


def pgbench_method(results, duration):
    runs = results.get("runs", "?")
    return (f"pgbench with 8 clients gives the median of {runs} runs of {duration} s, "
            "after a warm-up run. The variants take turns, run by run, so that a drift "
            "in the machine's speed weighs on all of them alike.")


def tps_range(results, key):
    runs = [float(v) for v in results.get(f"{key}.runs", "").split(",") if v]
    if not runs:
        return ""
    return f"{thousands(min(runs))} to {thousands(max(runs))}"


def writes_section(results, duration):
    if "trigger.skipped" in results:
        return f"### Writes with the enforcement trigger\n\nskipped: {results['trigger.skipped']}"
    none_tps = number(results, "insert_none.tps")
    none_copy = number(results, "copy_none.median_ms")
    copy_rows = number(results, "copy.rows")
    if none_tps is None:
        return ""
    labels = [("none", "no trigger"), ("noop", "PL/pgSQL trigger that returns NEW"),
              ("olpe", "`olpe.enforce('bench_policy', 'reject')`")]
    body = []
    for name, label in labels:
        tps = number(results, f"insert_{name}.tps")
        copy = number(results, f"copy_{name}.median_ms")
        if tps is None or copy is None:
            continue
        body.append([label, thousands(tps), tps_range(results, f"insert_{name}"),
                     f"{tps / none_tps:.2f}x",
                     thousands(copy_rows / (copy / 1000)), f"{none_copy / copy:.2f}x"])
    text = ["### Writes with the enforcement trigger", "",
            f"{pgbench_method(results, duration)} INSERT: prepared statements, and each "
            "transaction copies one allowed listing by primary key from "
            "`bench.listing_source` into `bench.listing_insert`. "
            f"COPY: {thousands(copy_rows)} allowed listings from a server-side file. "
            "A table with a BEFORE ROW trigger loses COPY's batched inserts, so the "
            "PL/pgSQL row separates that cost from olpe's.", ""]
    text.append(table(["trigger", "INSERT transactions/s", "runs", "vs none", "COPY rows/s",
                       "vs none"], body))
    return "\n".join(text)


def pooled_section(results, duration):
    if "pgbouncer.skipped" in results:
        return f"### One listing at a time\n\nskipped: {results['pgbouncer.skipped']}"
    rows = []
    for name, label in (("select_pk", "`SELECT * FROM bench.listing WHERE id = :id`"),
                        ("evaluate_one", "`SELECT olpe.evaluate('bench_policy', l) ... WHERE l.id = :id`")):
        pooled = number(results, f"{name}_pgbouncer.tps")
        direct = number(results, f"{name}_direct.tps")
        if pooled is None:
            continue
        rows.append([label, thousands(pooled), tps_range(results, f"{name}_pgbouncer"),
                     thousands(direct) if direct else "", tps_range(results, f"{name}_direct")])
    if not rows:
        return ""
    text = ["### One listing at a time", "",
            f"{pgbench_method(results, duration)} Each transaction sends one query for a random "
            "listing with the simple query protocol, through pgbouncer in transaction mode "
            "(pool of 8 server connections) or directly over the Unix socket.", ""]
    text.append(table(["query", "through pgbouncer, transactions/s", "runs",
                       "direct, transactions/s", "runs"], rows))
    return "\n".join(text)


def targets_section(results):
    checks = []

    evaluate = number(results, "olpe_evaluate.median_ms")
    hands = [v for v in (number(results, "hand_sql.median_ms"),
                         number(results, "hand_sql_jit.median_ms")) if v]
    if evaluate and hands:
        speedup = min(hands) / evaluate
        checks.append((f"`olpe.evaluate` at least {TARGET_EVALUATE_SPEEDUP:.0f}x faster than "
                       "hand-written SQL (the faster of jit off and on)",
                       f"{speedup:.2f}x", speedup >= TARGET_EVALUATE_SPEEDUP))

    allowed = number(results, "olpe_allowed.median_ms")
    if evaluate and allowed:
        checks.append(("`olpe.allowed` faster than `olpe.evaluate`",
                       f"{evaluate / allowed:.2f}x", allowed < evaluate))

    serial = number(results, "compliance_serial.median_ms")
    parallel = number(results, "compliance_parallel.median_ms")
    if serial and parallel:
        checks.append((f"parallel compliance report at least {TARGET_PARALLEL_SPEEDUP}x serial",
                       f"{serial / parallel:.2f}x", serial / parallel >= TARGET_PARALLEL_SPEEDUP))

    none_tps = number(results, "insert_none.tps")
    olpe_tps = number(results, "insert_olpe.tps")
    if none_tps and olpe_tps:
        checks.append((f"INSERT with the trigger at least {TARGET_TRIGGER_RATIO}x of no trigger",
                       f"{olpe_tps / none_tps:.2f}x", olpe_tps / none_tps >= TARGET_TRIGGER_RATIO))

    pk = number(results, "select_pk_pgbouncer.tps")
    one = number(results, "evaluate_one_pgbouncer.tps")
    if pk and one:
        checks.append((f"one evaluation through pgbouncer at least {TARGET_POOLED_RATIO}x "
                       "the TPS of a primary-key SELECT",
                       f"{one / pk:.2f}x", one / pk >= TARGET_POOLED_RATIO))

    small = number(results, "memory_small.anon_growth_kb")
    large = number(results, "memory_large.anon_growth_kb")
    if small is not None and large is not None:
        growth = large - small
        checks.append((f"flat memory: the large scan grows private memory by at most "
                       f"{TARGET_MEMORY_GROWTH_KB // 1024} MB more than the small one",
                       f"{growth:+,.0f} kB", growth <= TARGET_MEMORY_GROWTH_KB))

    if not checks:
        return ""
    text = ["### Targets", ""]
    text.append(table(["target", "measured", "met"],
                      [[label, measured, "yes" if met else "**no**"] for label, measured, met in checks]))
    return "\n".join(text)


def render(results):
    rows = int(number(results, "rows"))
    duration = results.get("duration", "?")
    memory_gib = number(results, "memory_kb") / 1024 / 1024
    table_gb = number(results, "table_bytes") / 1e9
    allowed = number(results, "allowed_rows")
    mode = results.get("mode", "full")

    header = [
        f"## Results: {mode} run",
        "",
        f"Measured on {results.get('date')} by `bench/run.sh{' --quick' if mode == 'quick' else ''}` "
        f"with {thousands(rows)} generated listings.",
        "",
        f"- Machine: {results.get('cpu')}, {results.get('cores')} cores, "
        f"{memory_gib:.1f} GiB RAM; load average {results.get('load_start')} at the start "
        f"and {results.get('load_end')} at the end (1, 5 and 15 minutes).",
        f"- {results.get('postgres')}; olpe commit {results.get('commit')}.",
        f"- Server settings: shared_buffers 2GB, work_mem 64MB, jit off unless a row says "
        f"otherwise, fsync off (a throwaway cluster).",
        f"- Table `bench.listing`: {table_gb:.2f} GB with its index, descriptions of "
        f"{thousands(number(results, 'avg_description'))} bytes on average; "
        f"{allowed / rows * 100:.1f}% of the listings pass all 20 rules.",
        f"- Times are the median of {results.get('runs')} runs after one warm-up run.",
    ]
    if "generate_seconds" in results:
        header.append(f"- Generating the listings took {number(results, 'generate_seconds'):.1f} s.")

    sections = [
        "\n".join(header),
        throughput_section(results, rows),
        phrase_section(results),
        compile_section(results),
        compliance_section(results, rows),
        memory_section(results),
        writes_section(results, duration),
        pooled_section(results, duration),
        targets_section(results),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def update_docs(path, mode, text):
    begin = f"<!-- BEGIN bench/run.sh {mode} results -->"
    end = f"<!-- END bench/run.sh {mode} results -->"
    block = f"{begin}\n{text}{end}"
    docs = Path(path)
    current = docs.read_text() if docs.exists() else ""
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: block, current, count=1)
    else:
        updated = current.rstrip("\n") + ("\n\n" if current else "") + block + "\n"
    docs.write_text(updated)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, help="results.tsv written by bench/run.sh")
    parser.add_argument("--docs", help="Markdown file whose results section to replace")
    args = parser.parse_args()

    results = read_results(args.results)
    text = render(results)
    print(text)
    if args.docs:
        update_docs(args.docs, results.get("mode", "full"), text)
        print(f"bench: wrote the {results.get('mode', 'full')} results into {args.docs}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
