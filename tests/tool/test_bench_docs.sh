#!/bin/sh
# docs/benchmarks.md against the committed result files: every table between
# its markers is the one bench/report.py writes from bench/results/*.json,
# every marker has a result file behind it, and the result files are whole
# (provenance, a check of every system, goals that report.py recomputes).
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
top=${abs_top_srcdir:-.}
report="$top/bench/report.py"
doc="$top/docs/benchmarks.md"

if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP no python3"
	exit 0
fi

tap_plan 4

out=$(PYTHONDONTWRITEBYTECODE=1 python3 "$report" --docs "$doc" --check 2>&1)
tap_check $? "docs/benchmarks.md's tables are those of bench/results/*.json"
[ -z "$out" ] || tap_diag "$out"

n=$(grep -c '<!-- bench:' "$doc")
[ "$n" -gt 0 ]
tap_check $? "docs/benchmarks.md has generated tables ($n)"

# Each result file: a commit, a server, and the same goals as the file says.
for f in latest ferretdb; do
	json="$top/bench/results/$f.json"
	if [ ! -f "$json" ]; then
		tap_skip "bench/results/$f.json is whole" "no such file"
		continue
	fi
	out=$(PYTHONDONTWRITEBYTECODE=1 python3 - "$report" "$json" <<'PY' 2>&1
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("report", sys.argv[1])
report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(report)
doc = json.load(open(sys.argv[2], encoding="utf-8"))
meta = doc["meta"]
problems = [k for k in ("commit", "server", "runs", "command", "provenance") if not meta.get(k)]
if problems:
    sys.exit(f"meta lacks {problems}")
for conns, scen in report.cells(doc).items():
    for name, systems in scen.items():
        for sys_, cell in systems.items():
            for k in ("rps", "rps_min", "rps_max", "p50_ms", "p99_ms", "errors",
                      "cpu_us_per_req", "pss_kib", "validated"):
                if k not in cell:
                    sys.exit(f"{conns}/{name}/{sys_} lacks {k}")
want = [{"met": ok, "text": text} for ok, text in report.goals(doc)]
if doc.get("goals") != want:
    sys.exit("the goals in the file are not those report.py computes from it")
PY
)
	tap_check $? "bench/results/$f.json is whole"
	[ -z "$out" ] || tap_diag "$out"
done

tap_done
