#!/usr/bin/env python3
"""bench/run's report: the table on stdout, the JSON, the chart, the goals,
and the tables of docs/benchmarks.md.

    report.py --results RUNS.jsonl [--memory ...] [--instructions ...]
              [--validation ...] [--provenance ...] --json OUT.json [--png OUT.png]
              [--strict]
        Reads the runs bench/run collected (one JSON object per line:
        connections, scenario, system, run, wrk's figures from
        bench/wrk/scenario.lua and bench/sample.py's meter) and writes the
        result file.

    report.py --from-json latest.json [--strict]
        Prints the table and the goals of a result file.

    report.py --docs docs/benchmarks.md [--check] [--java J.json] [--ferretdb F.json]
        Writes the tables of the result files between the markers
        <!-- bench:NAME --> and <!-- /bench:NAME --> of the document (default
        files: bench/results/latest.json and ferretdb.json); --check writes
        nothing and exits 1 when the document does not hold what it would
        write.

--strict: exit status 1 when a goal is missed. Without it the goals are
reported, not enforced: the status is 0 whatever the figures, and 2 only
when the input is broken.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile

SYSTEMS = ["ours", "flask_mongoalchemy", "eve", "flask_mongoalchemy_tuned", "eve_tuned",
           "ceiling", "transport"]
PEERS = ["flask_mongoalchemy", "eve", "flask_mongoalchemy_tuned", "eve_tuned"]
# Ours alone: get_by_id of a loan with an admin's bearer token, set beside
# get_by_id (in the result files that have them).
AUTH_SCENARIOS = ["get_by_id_hs256", "get_by_id_rs256"]
# Verification may cost at most 15 % of an unauthenticated get_by_id's
# requests per second.
AUTH_GOAL = 0.85
SCENARIOS = ["get_by_id", "get_by_id_hs256", "get_by_id_rs256", "create", "list_page", "filtered_page", "keyset_page_1",
             "keyset_page_100", "list_page_1k", "filtered_page_1k"]
LABELS = {
    "ours": "ours",
    "flask_mongoalchemy": "Flask-MongoAlchemy",
    "eve": "Eve",
    "flask_mongoalchemy_tuned": "Flask-MongoAlchemy tuned",
    "eve_tuned": "Eve tuned",
    "ceiling": "bare C",
    "transport": "nginx alone",
}
SCENARIO_LABELS = {
    "get_by_id": "get_by_id",
    "get_by_id_hs256": "get_by_id, HS256 token",
    "get_by_id_rs256": "get_by_id, RS256 token",
    "create": "create",
    "list_page": "list_page (10k)",
    "filtered_page": "filtered_page (10k)",
    "keyset_page_1": "keyset_page_1 (10k)",
    "keyset_page_100": "keyset_page_100 (10k)",
    "list_page_1k": "list_page (1k)",
    "filtered_page_1k": "filtered_page (1k)",
}
# A run shorter than this holds no p99 worth printing: its 1 % would be
# fewer than 10 requests.
P99_MIN_REQUESTS = 1000
# The memory goal's rule: once warm (after the first half of the memory
# run's requests), the worker's PSS and its heap (RssAnon) may not grow by
# more than this from the sample at half way to the last one.
MEMORY_GROWTH_TOLERANCE_KIB = 8
PSS_WORKER_GOAL_KIB = 8 * 1024


def fail_input(msg):
    print(f"report: {msg}", file=sys.stderr)
    sys.exit(2)


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
                    fail_input(f"{path}:{n}: {e}")
    return rows


# --- the result file ---------------------------------------------------------

def validation_status(validation):
    """{system: (ok, failures)} over every validation pass."""
    out = {}
    for v in validation:
        for sys_, r in v["systems"].items():
            ok, fails = out.get(sys_, (True, []))
            out[sys_] = (ok and not r["failures"], fails + r["failures"])
    return out


def build(results, validation):
    """{"16": {"get_by_id": {"ours": {...}}}} from the runs."""
    groups = {}
    for r in results:
        groups.setdefault((r["connections"], r["scenario"], r["system"]), []).append(r)
    valid = validation_status(validation)
    out = {}
    for (conns, scenario, sys_), rows in groups.items():
        rows.sort(key=lambda r: r["run"])
        rps = [r["wrk"]["rps"] for r in rows]
        requests = [r["wrk"]["requests"] for r in rows]
        cpu_ns = sum(r["sample"]["cpu_ns"] for r in rows)
        srv = [r["sample"].get("server_cpu_ns") for r in rows]
        faults = sorted({f for r in rows for f in r["sample"]["faults"]})
        cell = {
            "rps": round(statistics.median(rps), 1),
            "rps_min": round(min(rps), 1),
            "rps_max": round(max(rps), 1),
            "rps_runs": [round(x, 1) for x in rps],
            "p50_ms": round(statistics.median(r["wrk"]["p50_ms"] for r in rows), 2),
            "p99_ms": (round(statistics.median(r["wrk"]["p99_ms"] for r in rows), 2)
                       if min(requests) >= P99_MIN_REQUESTS else None),
            "errors": sum(r["wrk"]["errors"] for r in rows) + len(faults),
            "requests": requests,
            "runs": len(rows),
            # Every process of the system (masters included), all threads,
            # from the scheduler's account: the framework's own cost per
            # answered request, apart from the server's.
            "cpu_us_per_req": round(cpu_ns / 1e3 / sum(requests), 1) if sum(requests) else None,
            "server_cpu_us_per_req": (round(sum(srv) / 1e3 / sum(requests), 1)
                                      if all(x is not None for x in srv) and sum(requests) else None),
            "pss_kib": max(r["sample"]["pss_kib"] for r in rows),
            "pss_worker_kib": max(r["sample"]["pss_worker_kib"] for r in rows),
            "processes": max(r["sample"]["processes"] for r in rows),
            "faults": faults,
            "statuses": {},
            # transport (nginx alone) answers a fixed body: nothing to check.
            "validated": None if sys_ == "transport" else valid.get(sys_, (False, []))[0],
        }
        for r in rows:
            for code, n in r["wrk"].get("statuses", {}).items():
                cell["statuses"][code] = cell["statuses"].get(code, 0) + n
        out.setdefault(conns, {}).setdefault(scenario, {})[sys_] = cell
    # Systems that failed their check: reported as failed, not measured.
    for v in validation:
        scen = v["scenarios"].split()
        for sys_, r in v["systems"].items():
            if not r["failures"]:
                continue
            for conns in out:
                for scenario in scen:
                    out[conns].setdefault(scenario, {})[sys_] = {
                        "rps": None, "rps_min": None, "rps_max": None, "p50_ms": None,
                        "p99_ms": None, "errors": None, "cpu_us_per_req": None,
                        "pss_kib": None, "validated": False, "failures": r["failures"][:5]}
    return out


MEMORY_KEYS = ("pss_kib", "rss_kib", "anon_kib", "file_kib", "data_kib")


def memory_summary(samples):
    """PSS and RSS of one worker over the run, and its parts: a leak grows
    the heap (anon, data); library code paged in by a path run for the first
    time grows the file-backed part only. Warm: from the sample at half the
    requests on."""
    if not samples:
        return None
    half = samples[-1]["requests"] / 2
    warm = next(s for s in samples if s["requests"] >= half)
    out = {
        "samples": [{k: s[k] for k in ("requests",) + MEMORY_KEYS if k in s} for s in samples],
        "errors": sum(s["wrk"].get("errors", 0) for s in samples),
        "warm_after_requests": warm["requests"],
        "rule": (f"once warm (from the sample at half the requests on), PSS and RssAnon grow by at "
                 f"most {MEMORY_GROWTH_TOLERANCE_KIB} KiB"),
    }
    for k in MEMORY_KEYS:
        if all(k in s for s in samples):
            name = k[:-len("_kib")]
            out[f"{name}_first_kib"] = samples[0][k]
            out[f"{name}_warm_kib"] = warm[k]
            out[f"{name}_last_kib"] = samples[-1][k]
            out[f"{name}_growth_kib"] = samples[-1][k] - samples[0][k]
            out[f"{name}_warm_growth_kib"] = samples[-1][k] - warm[k]
    return out


def instructions_summary(rows):
    """{"get_by_id": {"ours": N, "ceiling": M, "ours_over_ceiling": N / M}}:
    each request's instructions in the worker, over those of an idle run."""
    out = {}
    for r in rows:
        per = (r["total"] - r["idle"]) / r["requests"]
        out.setdefault(r["scenario"], {})[r["system"]] = round(per)
    for runs in out.values():
        if runs.get("ours") and runs.get("ceiling"):
            runs["ours_over_ceiling"] = round(runs["ours"] / runs["ceiling"], 3)
    return out


# --- the goals ---------------------------------------------------------------

def cells(doc):
    return {k: v for k, v in doc.items() if k.isdigit()}


def worst_ratio(a, b):
    """The worst of ours' runs against the other's: runs paired by
    repetition (each repetition ran every system once, side by side), the
    smallest ratio. None without figures."""
    if not a or not b or a.get("rps") is None or b.get("rps") is None:
        return None
    ra, rb = a.get("rps_runs") or [a["rps"]], b.get("rps_runs") or [b["rps"]]
    pairs = list(zip(ra, rb))
    if not pairs or any(y <= 0 for _, y in pairs):
        return None
    return min(x / y for x, y in pairs)


def auth_ratios(doc, conns, scenario):
    """An authenticated scenario's ours against ours' get_by_id: (req/s
    ratio of the medians, its worst paired run, CPU per request ratio), or
    None without both."""
    runs = cells(doc).get(conns, {})
    a, b = runs.get(scenario, {}).get("ours"), runs.get("get_by_id", {}).get("ours")
    if not a or not b or not a.get("rps") or not b.get("rps"):
        return None
    cpu_a, cpu_b = a.get("cpu_us_per_req"), b.get("cpu_us_per_req")
    return (a["rps"] / b["rps"], worst_ratio(a, b),
            cpu_a / cpu_b if cpu_a is not None and cpu_b else None)


def goals(doc):
    """The issue's goals, each (met, text). The ratios of requests per
    second are the worst run's; a missing figure misses its goal."""
    data = cells(doc)
    lines = []

    def cell(conns, scenario, sys_):
        return data.get(conns, {}).get(scenario, {}).get(sys_)

    def ratio_goal(conns, scenario, other, want, what):
        x = worst_ratio(cell(conns, scenario, "ours"), cell(conns, scenario, other))
        if cell(conns, scenario, other) is None and cell(conns, scenario, "ours") is None:
            return
        text = (f"{conns} conns {scenario}: ours {'-' if x is None else f'{x:.2f}x'} "
                f"{LABELS[other]} in the worst run (goal {want:g}x{what})")
        lines.append((x is not None and x >= want, text))

    for conns in sorted(data, key=int):
        for scenario in ("get_by_id", "create"):
            for peer, want in (("flask_mongoalchemy", 5), ("eve", 5),
                               ("flask_mongoalchemy_tuned", 3), ("eve_tuned", 3)):
                ratio_goal(conns, scenario, peer, want, "")
        for scenario in ("list_page_1k", "filtered_page_1k"):
            for peer in ("flask_mongoalchemy", "eve"):
                ratio_goal(conns, scenario, peer, 3, "")
        for scenario in SCENARIOS:
            if scenario not in AUTH_SCENARIOS:
                ratio_goal(conns, scenario, "ceiling", 0.95, ", of the bare C baseline")
        for scenario in AUTH_SCENARIOS:
            r = auth_ratios(doc, conns, scenario)
            if r is None:
                continue
            lines.append((r[1] is not None and r[1] >= AUTH_GOAL,
                          f"{conns} conns {scenario}: ours {r[0]:.2f}x its get_by_id's requests per "
                          f"second, {'-' if r[1] is None else f'{r[1]:.2f}x'} in the worst run, CPU per "
                          f"request {'-' if r[2] is None else f'{r[2]:.2f}x'} "
                          f"(goal {AUTH_GOAL:g}x or more: verification costs under 15 %)"))
    # CPU per request, every scenario and peer, over all runs of a cell.
    for conns in sorted(data, key=int):
        for scenario in SCENARIOS:
            ours = cell(conns, scenario, "ours")
            for peer in PEERS:
                other = cell(conns, scenario, peer)
                if not ours or not other:
                    continue
                a, b = ours.get("cpu_us_per_req"), other.get("cpu_us_per_req")
                ok = a is not None and b is not None and a * 10 <= b
                lines.append((ok, f"{conns} conns {scenario}: ours' CPU per request {a} us, "
                                  f"{LABELS[peer]} {b} us: {'-' if not a or b is None else f'1/{b / a:.1f}'} "
                                  f"(goal 1/10 or less)"))
    # Memory.
    pss = [c.get("pss_worker_kib") for conns in data.values() for s in conns.values()
           for k, c in s.items() if k == "ours" and c.get("pss_worker_kib") is not None]
    if pss:
        lines.append((max(pss) <= PSS_WORKER_GOAL_KIB,
                      f"ours' largest worker PSS {max(pss)} KiB over every run (goal 8 MiB = 8192 KiB)"))
    mem = doc.get("memory")
    if mem:
        tol = MEMORY_GROWTH_TOLERANCE_KIB
        pg, ag = mem.get("pss_warm_growth_kib"), mem.get("anon_warm_growth_kib")
        lines.append((pg is not None and ag is not None and pg <= tol and ag <= tol,
                      f"memory: one worker over {mem['samples'][-1]['requests']} mixed requests: PSS "
                      f"{mem.get('pss_warm_kib')} KiB at {mem['warm_after_requests']} (warm), "
                      f"{mem.get('pss_last_kib')} at the end; growth once warm: PSS {pg} KiB, "
                      f"heap (RssAnon) {ag} KiB (goal: at most {tol} KiB each)"))
        lines.append((mem["errors"] == 0, f"memory run errors: {mem['errors']} (goal 0)"))
    # Errors and validation, every system.
    for sys_ in SYSTEMS:
        cs = [c for conns in data.values() for s in conns.values() for k, c in s.items() if k == sys_]
        if not cs:
            continue
        errs = sum(c.get("errors") or 0 for c in cs)
        bad = [c for c in cs if c.get("validated") is False]
        lines.append((errs == 0 and not bad,
                      f"{LABELS[sys_]}: {errs} errors, "
                      f"{'validation FAILED' if bad else 'validated' if sys_ != 'transport' else 'nothing to validate'}"
                      f" (goal 0 errors, validated)"))
    return lines


# --- printing ----------------------------------------------------------------

def fmt_num(x, digits=0):
    if x is None:
        return "-"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def fmt_rps(x):
    if x is None:
        return "-"
    return fmt_num(x, 1 if x < 100 else 0)


def table(doc):
    lines = []
    data = cells(doc)
    for conns in sorted(data, key=int):
        for scenario in SCENARIOS:
            runs = data[conns].get(scenario)
            if not runs:
                continue
            lines.append("")
            lines.append(f"{scenario}, {conns} connections")
            header = len(lines) - 1
            lines.append(f"  {'system':<26}{'req/s':>10}{'min':>10}{'max':>10}{'vs ours':>9}{'p50 ms':>9}"
                         f"{'p99 ms':>9}{'errors':>7}{'CPU us/req':>11}{'PSS KiB':>9}{'valid':>7}")
            ours = runs.get("ours", {}).get("rps")
            auth = auth_ratios(doc, conns, scenario) if scenario in AUTH_SCENARIOS else None
            if scenario in AUTH_SCENARIOS:
                lines[header] += " (vs ours: against ours' get_by_id; CPU per request "
                lines[header] += f"{'-' if not auth or auth[2] is None else f'{auth[2]:.2f}x'} of it)"
            for sys_ in SYSTEMS:
                r = runs.get(sys_)
                if r is None:
                    continue
                vs = "-" if not ours or r["rps"] is None else f"{r['rps'] / ours:.2f}x"
                if scenario in AUTH_SCENARIOS:
                    vs = "-" if not auth else f"{auth[0]:.2f}x"
                lines.append(f"  {LABELS[sys_]:<26}{fmt_rps(r['rps']):>10}{fmt_rps(r['rps_min']):>10}"
                             f"{fmt_rps(r['rps_max']):>10}{vs:>9}{fmt_num(r['p50_ms'], 2):>9}"
                             f"{fmt_num(r['p99_ms'], 2):>9}{fmt_num(r['errors']):>7}"
                             f"{fmt_num(r['cpu_us_per_req']):>11}{fmt_num(r['pss_kib']):>9}"
                             f"{str(r['validated']):>7}")
    return lines


def chart(doc, png, title):
    """Requests per second, a panel per connection count, log scale."""
    data = cells(doc)
    conns_list = sorted(data, key=int)
    scen = [s for s in SCENARIOS if any(s in data[c] for c in conns_list)]
    systems = [s for s in SYSTEMS if any(s in data[c].get(sc, {}) for c in conns_list for sc in scen)]
    with tempfile.TemporaryDirectory() as tmp:
        script = [
            f"set terminal pngcairo size 1400,{420 * len(conns_list) + 60} font 'sans,10'",
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
            "set xtics rotate by -20",
            "set xrange [-0.5:%g]" % (len(scen) - 0.5),
        ]
        for conns in conns_list:
            path = os.path.join(tmp, f"{conns}.dat")
            with open(path, "w", encoding="utf-8") as f:
                f.write("# scenario " + " ".join(systems) + "\n")
                for scenario in scen:
                    runs = data[conns].get(scenario, {})
                    vals = [str(runs.get(s, {}).get("rps") or "NaN") for s in systems]
                    f.write(scenario + " " + " ".join(vals) + "\n")
            plots = [f"'{path}' using {i + 2}:xtic(1) title '{LABELS[s]}'" for i, s in enumerate(systems)]
            script.append(f"set title '{conns} connections'")
            script.append("plot " + ", ".join(plots))
        script.append("unset multiplot")
        subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)


def print_report(doc):
    meta = doc.get("meta", {})
    print(f"mongoalchemy-fcgi HTTP benchmark, {meta.get('date', '')}")
    print(f"machine: {meta.get('machine', '')}; server: {meta.get('server', '')}; "
          f"{meta.get('books', '')} books; {meta.get('runs', '')} run(s) per cell")
    for line in table(doc):
        print(line)
    mem = doc.get("memory")
    if mem:
        print("")
        print("memory of one worker over mixed requests (KiB; PSS/RSS/heap):")
        print("  " + "  ".join(f"{s['requests']}:{s.get('pss_kib', '-')}/{s['rss_kib']}/{s.get('anon_kib', '-')}"
                               for s in mem["samples"]))
    ins = doc.get("instructions")
    if ins:
        print("")
        print("instructions per request in the worker (callgrind):")
        print(f"  {'scenario':<16}{'ours':>12}{'bare C':>12}{'ours/bare C':>13}")
        for scenario in SCENARIOS:
            r = ins.get(scenario)
            if r and "ours_over_ceiling" in r:
                print(f"  {scenario:<16}{r['ours']:>12,}{r['ceiling']:>12,}{r['ours_over_ceiling']:>12.2f}x")
    print("")
    print("goals:")
    lines = goals(doc)
    for ok, text in lines:
        print(f"  [{'met' if ok else 'MISSED'}] {text}")
    return lines


# --- the document's tables ---------------------------------------------------

def md_rps_table(doc, conns):
    data = cells(doc).get(conns, {})
    systems = [s for s in SYSTEMS if any(s in data.get(sc, {}) for sc in SCENARIOS)]
    out = ["| scenario | " + " | ".join(LABELS[s] for s in systems) + " |",
           "|---|" + "---:|" * len(systems)]
    for scenario in SCENARIOS:
        runs = data.get(scenario)
        if not runs:
            continue
        ours = runs.get("ours", {}).get("rps")
        row = []
        for s in systems:
            c = runs.get(s)
            if c is None:
                row.append("")
            elif c.get("rps") is None:
                row.append("failed" if c.get("validated") is False else "-")
            else:
                text = fmt_rps(c["rps"])
                if c.get("runs", 1) > 1:
                    text += f" ({fmt_rps(c['rps_min'])}–{fmt_rps(c['rps_max'])})"
                if s != "ours" and ours:
                    text += f" **{c['rps'] / ours:.2f}**"
                auth = auth_ratios(doc, conns, scenario) if scenario in AUTH_SCENARIOS else None
                if s == "ours" and auth:
                    text += f" **{auth[0]:.2f}** of get_by_id"
                row.append(text)
        out.append(f"| {SCENARIO_LABELS[scenario]} | " + " | ".join(row) + " |")
    return out


def md_cpu_table(doc, conns):
    data = cells(doc).get(conns, {})
    systems = [s for s in SYSTEMS if s != "transport" and any(s in data.get(sc, {}) for sc in SCENARIOS)]
    out = ["| scenario | " + " | ".join(LABELS[s] for s in systems) + " | server |",
           "|---|" + "---:|" * (len(systems) + 1)]
    for scenario in SCENARIOS:
        runs = data.get(scenario)
        if not runs:
            continue
        ours = runs.get("ours", {}).get("cpu_us_per_req")
        row = []
        auth = auth_ratios(doc, conns, scenario) if scenario in AUTH_SCENARIOS else None
        for s in systems:
            c = runs.get(s)
            if c is None and scenario in AUTH_SCENARIOS:
                row.append("")
                continue
            v = (c or {}).get("cpu_us_per_req")
            text = fmt_num(v)
            if v is not None and s != "ours" and ours:
                text += f" **{v / ours:.1f}**"
            if s == "ours" and auth and auth[2] is not None:
                text += f" **{auth[2]:.2f}** of get_by_id"
            row.append(text)
        srv = (runs.get("ours") or {}).get("server_cpu_us_per_req")
        out.append(f"| {SCENARIO_LABELS[scenario]} | " + " | ".join(row) + f" | {fmt_num(srv)} |")
    return out


def md_latency_table(doc, conns):
    data = cells(doc).get(conns, {})
    systems = [s for s in SYSTEMS if s != "transport" and any(s in data.get(sc, {}) for sc in SCENARIOS)]
    out = ["| scenario | " + " | ".join(LABELS[s] for s in systems) + " |",
           "|---|" + "---:|" * len(systems)]
    for scenario in SCENARIOS:
        runs = data.get(scenario)
        if not runs:
            continue
        row = []
        for s in systems:
            c = runs.get(s)
            if c is None and scenario in AUTH_SCENARIOS:
                row.append("")
                continue
            c = c or {}
            row.append(f"{fmt_num(c.get('p50_ms'), 2)} / {fmt_num(c.get('p99_ms'), 2)}")
        out.append(f"| {SCENARIO_LABELS[scenario]} | " + " | ".join(row) + " |")
    return out


def md_memory_table(doc):
    data = cells(doc)
    out = ["| system | processes | PSS of all processes, KiB | largest worker PSS, KiB |",
           "|---|---:|---:|---:|"]
    for s in SYSTEMS:
        cs = [c for conns in data.values() for sc in conns.values() for k, c in sc.items()
              if k == s and c.get("pss_kib")]
        if cs:
            out.append(f"| {LABELS[s]} | {max(c.get('processes', 0) for c in cs)} | "
                       f"{fmt_num(max(c['pss_kib'] for c in cs))} | "
                       f"{fmt_num(max(c['pss_worker_kib'] for c in cs))} |")
    mem = doc.get("memory")
    if mem:
        out.append("")
        out.append("| requests | " + " | ".join(fmt_num(s["requests"]) for s in mem["samples"]) + " |")
        out.append("|---|" + "---:|" * len(mem["samples"]))
        for k, label in (("pss_kib", "PSS, KiB"), ("rss_kib", "RSS, KiB"), ("anon_kib", "heap (RssAnon), KiB")):
            if all(k in s for s in mem["samples"]):
                out.append(f"| {label} | " + " | ".join(fmt_num(s[k]) for s in mem["samples"]) + " |")
    return out


def md_instructions_table(doc):
    ins = doc.get("instructions")
    if not ins:
        return ["(no callgrind figures in this result file)"]
    out = ["| scenario | ours | bare C | ours / bare C |", "|---|---:|---:|---:|"]
    for scenario in SCENARIOS:
        r = ins.get(scenario)
        if r and "ours_over_ceiling" in r:
            out.append(f"| {scenario} | {r['ours']:,} | {r['ceiling']:,} | {r['ours_over_ceiling']:.2f} |")
    return out


def md_goals(doc):
    lines = goals(doc)
    missed = sum(1 for ok, _ in lines if not ok)
    out = [f"{len(lines) - missed} of {len(lines)} goals met, {missed} missed.", ""]
    out += [f"- {'met' if ok else '**MISSED**'}: {text}" for ok, text in lines]
    return out


def md_meta(doc):
    m = doc.get("meta", {})
    p = m.get("provenance", {})
    return [
        f"- date: {m.get('date', '-')}; machine: {m.get('machine', '-')} ({p.get('cpu', '-')})",
        f"- server: {m.get('server', '-')}",
        f"- commit: `{m.get('commit', '-')}`{' (with uncommitted changes)' if m.get('dirty') else ''}",
        f"- command: `{m.get('command', '-')}`",
        f"- {m.get('runs', '-')} run(s) per cell, systems in a shuffled order per run; "
        f"{m.get('read_seconds', '-')} s per get_by_id and create run, "
        f"{m.get('page_requests', '-')} requests per page run; "
        f"{m.get('books', '-')} books (and {m.get('small_books', '-')} for the 1k pages)",
        f"- nginx {p.get('nginx', '-')}, {p.get('wrk', '-')}, libmongoc {p.get('libmongoc', '-')}, "
        f"{p.get('python', '-')}",
    ]


def doc_tables(java, ferretdb):
    """{marker: lines} of everything docs/benchmarks.md shows."""
    out = {}
    for prefix, doc in (("java", java), ("ferretdb", ferretdb)):
        if doc is None:
            continue
        out[f"{prefix}-meta"] = md_meta(doc)
        # The connection counts of the full run, whether or not this file
        # has them (a --quick run has 16 only).
        for conns in sorted(set(cells(doc)) | {"16", "64"}, key=int):
            if conns not in cells(doc):
                none = [f"(no runs at {conns} connections in this result file)"]
                for kind in ("rps", "cpu", "latency"):
                    out[f"{prefix}-{kind}-{conns}"] = none
                continue
            out[f"{prefix}-rps-{conns}"] = md_rps_table(doc, conns)
            out[f"{prefix}-cpu-{conns}"] = md_cpu_table(doc, conns)
            out[f"{prefix}-latency-{conns}"] = md_latency_table(doc, conns)
        out[f"{prefix}-memory"] = md_memory_table(doc)
        out[f"{prefix}-instructions"] = md_instructions_table(doc)
        out[f"{prefix}-goals"] = md_goals(doc)
    return out


def fill_doc(text, tables, unknown=None):
    """TEXT with each <!-- bench:NAME --> ... <!-- /bench:NAME --> block
    holding its table; names without a table are left alone (and listed
    in UNKNOWN)."""
    out, i = [], 0
    while True:
        a = text.find("<!-- bench:", i)
        if a < 0:
            out.append(text[i:])
            break
        end_open = text.index("-->", a) + 3
        name = text[a + len("<!-- bench:"):end_open - 3].strip()
        close = f"<!-- /bench:{name} -->"
        b = text.find(close, end_open)
        if b < 0:
            fail_input(f"no {close} after <!-- bench:{name} -->")
        out.append(text[i:end_open])
        if name in tables:
            out.append("\n" + "\n".join(tables[name]) + "\n")
        else:
            out.append(text[end_open:b])
            if unknown is not None:
                unknown.append(name)
        out.append(close)
        i = b + len(close)
    return "".join(out)


def load_json(path):
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results")
    ap.add_argument("--memory")
    ap.add_argument("--instructions")
    ap.add_argument("--validation")
    ap.add_argument("--provenance")
    ap.add_argument("--machine", default="")
    ap.add_argument("--server", default="")
    ap.add_argument("--server-kind", default="")
    ap.add_argument("--books", type=int, default=0)
    ap.add_argument("--small-books", type=int, default=0)
    ap.add_argument("--quick", default="false")
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--read-seconds", type=int, default=0)
    ap.add_argument("--page-requests", type=int, default=0)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--tuned", default="")
    ap.add_argument("--command", default="")
    ap.add_argument("--json")
    ap.add_argument("--png")
    ap.add_argument("--from-json")
    ap.add_argument("--docs")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--java", default=None)
    ap.add_argument("--ferretdb", default=None)
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()

    if args.docs:
        here = os.path.dirname(os.path.abspath(__file__))
        java = load_json(args.java or os.path.join(here, "results", "latest.json"))
        ferretdb = load_json(args.ferretdb or os.path.join(here, "results", "ferretdb.json"))
        with open(args.docs, encoding="utf-8") as f:
            text = f.read()
        unknown = []
        new = fill_doc(text, doc_tables(java, ferretdb), unknown)
        if args.check:
            if unknown:
                print(f"report: {args.docs}: no result file has the table of "
                      f"{', '.join(unknown)}", file=sys.stderr)
                sys.exit(1)
            if new != text:
                print(f"report: {args.docs} does not match the result files; "
                      f"run bench/report.py --docs {args.docs}", file=sys.stderr)
                sys.exit(1)
            return
        if new != text:
            with open(args.docs, "w", encoding="utf-8") as f:
                f.write(new)
        return

    if args.from_json:
        doc = load_json(args.from_json)
        if doc is None:
            fail_input(f"no {args.from_json}")
        lines = print_report(doc)
        sys.exit(1 if args.strict and any(not ok for ok, _ in lines) else 0)

    if not args.results:
        fail_input("--results, --from-json or --docs")
    results = read_lines(args.results)
    validation = read_lines(args.validation)
    data = build(results, validation)
    if not data:
        fail_input("no runs to report")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    prov = load_json(args.provenance) or {}
    doc = dict(data)
    doc["meta"] = {
        "date": when,
        "machine": args.machine,
        "server": args.server,
        "server_kind": args.server_kind,
        "commit": prov.get("commit"),
        "dirty": prov.get("dirty"),
        "command": args.command,
        "books": args.books,
        "small_books": args.small_books,
        "quick": args.quick == "true",
        "runs": args.runs,
        "read_seconds": args.read_seconds,
        "page_requests": args.page_requests,
        "workers": args.workers,
        "tuned_peers": args.tuned,
        "provenance": prov,
        "validation": validation,
    }
    memory = memory_summary(read_lines(args.memory))
    if memory:
        doc["memory"] = memory
    instructions = instructions_summary(read_lines(args.instructions))
    if instructions:
        doc["instructions"] = instructions
    lines = print_report(doc)
    doc["goals"] = [{"met": ok, "text": text} for ok, text in lines]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2, sort_keys=True, ensure_ascii=False)
            f.write("\n")
    if args.png:
        chart(doc, args.png, f"mongoalchemy-fcgi HTTP benchmark, {args.server}, {when}")
        print("")
        print(f"chart: {args.png}")
    if args.json:
        print(f"figures: {args.json}")
    sys.exit(1 if args.strict and any(not ok for ok, _ in lines) else 0)


if __name__ == "__main__":
    main()
