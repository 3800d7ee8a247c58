#!/usr/bin/env python3
"""bench/run's meter of one system during one run.

    sample.py --root PID [--server PID] [--interval S]

Started before wrk, stopped (SIGTERM) after it: prints one JSON object.

- CPU: the on-CPU time of every thread of the system's processes (the
  process bench/run started, its master, and all its descendants), from
  /proc/PID/task/TID/schedstat, in nanoseconds: the scheduler's own
  account, not clock ticks, so a run of a few hundred requests is measured
  as well as a long one. The same for the database server (--server).
- Memory: the PSS (proportional set size, /proc/PID/smaps_rollup) of every
  process of the system, sampled every --interval seconds during the run:
  the largest sum over the processes ("pss_kib", masters included) and the
  largest single worker ("pss_worker_kib": any process but the root).
- Faults: a process of the system that is gone at the end, or new (a
  worker replaced mid-run: its CPU and growth would be lost), or a PSS of 0.
"""

import argparse
import json
import os
import signal
import sys
import time


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(root):
    kids = children_map()
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return sorted(out)


def cpu_ns(pids):
    """Summed on-CPU ns of every live thread of PIDS, and the pids that
    could not be read."""
    total, missing = 0, []
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            missing.append(pid)
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    return total, missing


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=int, required=True)
    ap.add_argument("--server", type=int)
    ap.add_argument("--interval", type=float, default=0.5)
    args = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    pids = tree(args.root)
    cpu0, missing0 = cpu_ns(pids)
    srv0 = cpu_ns([args.server])[0] if args.server else 0
    t0 = time.monotonic()
    faults = [f"process {p} unreadable at the start" for p in missing0]
    pss_max = worker_max = 0
    samples = 0
    while True:
        total = 0
        for pid in pids:
            kib = pss_kib(pid)
            if kib is None:
                continue  # gone: reported at the end
            if kib == 0:
                faults.append(f"process {pid}: PSS 0")
            total += kib
            if pid != args.root:
                worker_max = max(worker_max, kib)
        pss_max = max(pss_max, total)
        samples += 1
        if stop:
            break
        time.sleep(args.interval)
    cpu1, missing1 = cpu_ns(pids)
    srv1 = cpu_ns([args.server])[0] if args.server else 0
    now = tree(args.root)
    for p in missing1:
        faults.append(f"process {p} gone during the run")
    for p in sorted(set(now) - set(pids)):
        faults.append(f"process {p} new during the run (a worker replaced?)")
    if len(pids) > 1 and worker_max == 0:
        faults.append("no worker's PSS could be read")
    print(json.dumps({
        "seconds": round(time.monotonic() - t0, 3),
        "processes": len(pids),
        "cpu_ns": cpu1 - cpu0,
        "server_cpu_ns": srv1 - srv0 if args.server else None,
        "pss_kib": pss_max,
        "pss_worker_kib": worker_max if len(pids) > 1 else pss_max,
        "samples": samples,
        "faults": sorted(set(faults))[:10],
    }))
    sys.exit(0)


if __name__ == "__main__":
    main()
