#!/usr/bin/env python3
"""bench/run's report: the table on stdout, latest.json and the chart.

Reads the runs bench/run collected (one JSON object per line: connections,
scenario, system, rss_kib, and wrk's figures from bench/wrk/scenario.lua)
and the memory samples. Every figure of another system comes with its ratio
to ours in the same run. The goals are reported, not enforced: the exit
status is 0 whatever the figures, and 1 only when the input is broken.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

SYSTEMS = ["ours", "flask_mongoalchemy", "eve", "ceiling", "transport"]
SCENARIOS = ["get_by_id", "list_page", "filtered_page", "create"]
LABELS = {
    "ours": "ours",
    "flask_mongoalchemy": "Flask-MongoAlchemy",
    "eve": "Eve",
    "ceiling": "ceiling (C, driver only)",
    "transport": "transport (nginx only)",
}


def read_lines(path):
    rows = []
    if not path or not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except ValueError as e:
                    sys.exit(f"report: {path}:{n}: {e}")
    return rows


def build(results):
    """{"16": {"get_by_id": {"ours": {...}}}} from the runs."""
    out = {}
    for r in results:
        w = r["wrk"]
        out.setdefault(r["connections"], {}).setdefault(r["scenario"], {})[r["system"]] = {
            "rps": round(w["rps"], 1),
            "p50_ms": round(w["p50_ms"], 2),
            "p99_ms": round(w["p99_ms"], 2),
            "errors": w["errors"],
            "rss_kib": r["rss_kib"],
            # The workers' CPU time per answered request, in µs: the
            # framework's own cost, apart from the server's.
            "worker_cpu_us": round(r["worker_cpu_s"] * 1e6 / w["requests"]) if w["requests"] else None,
            "requests": w["requests"],
            "non2xx": w["non2xx"],
            "socket_errors": w["socket_errors"],
            "statuses": w["statuses"],
        }
    return out


def ratio(value, ours):
    if not ours:
        return None
    return value / ours


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def table(data):
    lines = []
    for conns in sorted(data, key=int):
        for scenario in SCENARIOS:
            runs = data[conns].get(scenario)
            if not runs:
                continue
            lines.append("")
            lines.append(f"{scenario}, {conns} connections")
            lines.append(f"  {'system':<26}{'req/s':>10}{'vs ours':>11}{'p50 ms':>10}"
                         f"{'p99 ms':>10}{'errors':>8}{'RSS KiB':>9}{'CPU us/req':>12}")
            ours = runs.get("ours", {}).get("rps")
            for sys_ in SYSTEMS:
                r = runs.get(sys_)
                if r is None:
                    continue
                lines.append(f"  {LABELS[sys_]:<26}{r['rps']:>10.1f}{fmt_ratio(ratio(r['rps'], ours)):>11}"
                             f"{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['errors']:>8}{r['rss_kib']:>9}"
                             f"{'-' if r['worker_cpu_us'] is None else r['worker_cpu_us']:>12}")
    return lines


MEMORY_KEYS = ("rss_kib", "anon_kib", "file_kib", "data_kib")


def memory_summary(samples):
    """RSS over the run, and its parts: a leak grows the heap (anon,
    data); code of the libraries paged in by a path run for the first
    time grows the file-backed part only."""
    if not samples:
        return None
    out = {
        "samples": [{k: s[k] for k in ("requests",) + MEMORY_KEYS if k in s} for s in samples],
        "errors": sum(s["wrk"].get("errors", 0) for s in samples),
    }
    for k in MEMORY_KEYS:
        if all(k in s for s in samples):
            name = k[:-len("_kib")]
            out[f"{name}_first_kib"] = samples[0][k]
            out[f"{name}_last_kib"] = samples[-1][k]
            # Growth after the first sample: what a leak would show.
            out[f"{name}_growth_kib"] = samples[-1][k] - samples[0][k]
    return out


def instructions_summary(rows):
    """{"get_by_id": {"ours": N, "ceiling": M, "ratio": N / M}}: each
    request's instructions in the worker, over those of an idle run."""
    out = {}
    for r in rows:
        per = (r["total"] - r["idle"]) / r["requests"]
        out.setdefault(r["scenario"], {})[r["system"]] = round(per)
    for runs in out.values():
        if runs.get("ours") and runs.get("ceiling"):
            runs["ours_over_ceiling"] = round(runs["ours"] / runs["ceiling"], 3)
    return out


def goals(data, memory):
    """The issue's goals, each met or not, with the figures behind it."""
    lines = []

    def rps(conns, scenario, sys_):
        return data.get(conns, {}).get(scenario, {}).get(sys_, {}).get("rps")

    for conns in sorted(data, key=int):
        for scenario in ("get_by_id", "list_page"):
            ours = rps(conns, scenario, "ours")
            for peer, want in (("flask_mongoalchemy", 5.0), ("eve", 3.0)):
                other = rps(conns, scenario, peer)
                if ours and other:
                    x = ours / other
                    lines.append((x >= want, f"{conns} conns {scenario}: ours {x:.2f}x {LABELS[peer]} (goal {want:g}x)"))
        for scenario in SCENARIOS:
            ours, ceil_ = rps(conns, scenario, "ours"), rps(conns, scenario, "ceiling")
            if ours and ceil_:
                x = ours / ceil_
                lines.append((x >= 0.9, f"{conns} conns {scenario}: ours at {x:.0%} of the ceiling (goal 90%)"))
    rss = [r["rss_kib"] for c in data.values() for s in c.values() for k, r in s.items() if k == "ours"]
    if rss:
        lines.append((max(rss) <= 10240, f"ours' largest worker RSS {max(rss)} KiB (goal 10 MiB)"))
    errs = sum(r["errors"] for c in data.values() for s in c.values() for k, r in s.items() if k == "ours")
    lines.append((errs == 0, f"ours' errors over every run: {errs} (goal 0)"))
    if memory:
        first, last = memory["samples"][0]["requests"], memory["samples"][-1]["requests"]
        lines.append((memory["rss_growth_kib"] <= 0,
                      f"memory: RSS {memory['rss_first_kib']} KiB after the first {first} requests, "
                      f"{memory['rss_last_kib']} KiB after {last}: growth {memory['rss_growth_kib']} KiB (goal none)"))
        if "anon_growth_kib" in memory:
            lines.append((memory["anon_growth_kib"] <= 0 and memory["data_growth_kib"] <= 0,
                          f"memory: heap (RssAnon) growth {memory['anon_growth_kib']} KiB, VmData growth "
                          f"{memory['data_growth_kib']} KiB, file-backed (code) growth "
                          f"{memory['file_growth_kib']} KiB (goal: no heap growth)"))
        lines.append((memory["errors"] == 0, f"memory run errors: {memory['errors']} (goal 0)"))
    return lines


def chart(data, png, title):
    """Requests per second, a panel per connection count, log scale."""
    conns_list = sorted(data, key=int)
    systems = [s for s in SYSTEMS if any(s in data[c].get(sc, {}) for c in conns_list for sc in SCENARIOS)]
    with tempfile.TemporaryDirectory() as tmp:
        script = [
            f"set terminal pngcairo size 1200,{420 * len(conns_list) + 60} font 'sans,10'",
            f"set output '{png}'",
            f"set multiplot layout {len(conns_list)},1 title '{title}'",
            "set style data histogram",
            "set style histogram cluster gap 1",
            "set style fill solid 0.85 border -1",
            "set logscale y",
            "set yrange [1:*]",
            "set ylabel 'requests per second (log scale)'",
            "set grid ytics",
            "set key outside right top",
            "set boxwidth 0.9",
            "set termoption noenhanced",
            "set xrange [-0.5:%g]" % (len(SCENARIOS) - 0.5),
        ]
        for conns in conns_list:
            path = os.path.join(tmp, f"{conns}.dat")
            with open(path, "w", encoding="utf-8") as f:
                f.write("# scenario " + " ".join(systems) + "\n")
                for scenario in SCENARIOS:
                    runs = data[conns].get(scenario, {})
                    vals = [str(runs.get(s, {}).get("rps", "NaN")) for s in systems]
                    f.write(scenario + " " + " ".join(vals) + "\n")
            plots = []
            for i, s in enumerate(systems):
                plots.append(f"'{path}' using {i + 2}:xtic(1) title '{LABELS[s]}'")
            script.append(f"set title '{conns} connections'")
            script.append("plot " + ", ".join(plots))
        script.append("unset multiplot")
        subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--results", required=True)
    ap.add_argument("--memory")
    ap.add_argument("--instructions")
    ap.add_argument("--machine", default="")
    ap.add_argument("--server", default="")
    ap.add_argument("--books", type=int, default=0)
    ap.add_argument("--quick", default="false")
    ap.add_argument("--read-seconds", type=int, default=0)
    ap.add_argument("--page-seconds", type=int, default=0)
    ap.add_argument("--json")
    ap.add_argument("--png")
    args = ap.parse_args()

    data = build(read_lines(args.results))
    if not data:
        sys.exit("report: no runs to report")
    memory = memory_summary(read_lines(args.memory))
    instructions = instructions_summary(read_lines(args.instructions))
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    out = dict(data)
    out["meta"] = {
        "date": when,
        "machine": args.machine,
        "server": args.server,
        "books": args.books,
        "quick": args.quick == "true",
        "seconds_per_run": {"get_by_id": args.read_seconds, "create": args.read_seconds,
                            "list_page": args.page_seconds, "filtered_page": args.page_seconds},
    }
    if memory:
        out["memory"] = memory
    if instructions:
        out["instructions"] = instructions
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2, sort_keys=True)
            f.write("\n")

    print(f"mongoalchemy-fcgi HTTP benchmark, {when}")
    print(f"machine: {args.machine}; server: {args.server}; {args.books} books")
    for line in table(data):
        print(line)
    if memory:
        print("")
        print("memory of one worker over mixed requests (KiB; RSS, and its heap part when known):")
        print("  " + "  ".join(f"{s['requests']}:{s['rss_kib']}" + (f"/{s['anon_kib']}" if "anon_kib" in s else "")
                               for s in memory["samples"]))
    if instructions:
        print("")
        print("instructions per request in the worker (callgrind):")
        print(f"  {'scenario':<16}{'ours':>12}{'ceiling':>12}{'ours/ceiling':>14}")
        for scenario in SCENARIOS:
            r = instructions.get(scenario)
            if r and "ours_over_ceiling" in r:
                print(f"  {scenario:<16}{r['ours']:>12,}{r['ceiling']:>12,}{r['ours_over_ceiling']:>13.2f}x")
    print("")
    print("goals:")
    for ok, text in goals(data, memory):
        print(f"  [{'met' if ok else 'MISSED'}] {text}")

    if args.png:
        chart(data, args.png, f"mongoalchemy-fcgi HTTP benchmark, {args.books} books, {when}")
        print("")
        print(f"chart: {args.png}")
    if args.json:
        print(f"figures: {args.json}")


if __name__ == "__main__":
    main()
