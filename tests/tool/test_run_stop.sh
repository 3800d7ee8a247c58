#!/usr/bin/env bash
# scripts/run stops everything it started however its output ends: run as
# `scripts/run 2>&1 | tee log` whose tee is gone when Ctrl-C comes (the
# same Ctrl-C ends both), or in a terminal that is closed (SIGHUP). Each
# case starts scripts/run in a process group of its own with its output
# into a pipe whose reader exits once the service is up, signals the whole
# group as a terminal does, and checks that scripts/run exited, that no
# process of its stack (nginx, the workers, FerretDB) is left, and that
# its port is free again.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
# shellcheck source=scripts/lib.sh
PROG=test_run_stop source "${abs_top_srcdir:-.}/scripts/lib.sh"

# A FerretDB of its own, as scripts/run starts for a newcomer.
unset MONGOALCHEMY_CONNECTION_STRING MONGOALCHEMY_SERVER MONGOALCHEMY_PORT
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ma-run-stop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Job control: each background job is a process group of its own that does
# not ignore SIGINT, as a command started from a terminal.
set -m

# Prints the pids of the processes whose command line names PATH.
pids_naming() {
	local f
	for f in /proc/[0-9]*/cmdline; do
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$1" || continue
		f=${f#/proc/}
		printf '%s ' "${f%/cmdline}"
	done
	return 0
}

# The curl lines of README.md's first sh block that has any.
readme_lines() {
	awk '/^```sh$/ { inb = 1; next } /^```$/ { if (found) exit; inb = 0 }
		inb && /^curl / { print; found = 1 }' "$ROOT/README.md"
}

# stop_case NAME SIGNAL [RUN OPTIONS]: scripts/run into a pipe whose reader
# has exited, then SIGNAL to its process group.
stop_case() {
	local name=$1 sig=$2 port run_pid reader out=$tmp/out.$((++cases)) i dir mongo left line kept
	port=$(pick_port)
	rm -f "$tmp/pipe"
	mkfifo "$tmp/pipe"
	shift 2
	# With the signals it is sent at their defaults, as in a terminal:
	# a shell cannot trap a signal ignored when it started, and a suite
	# run under nohup or as a background job would hand it HUP or INT
	# ignored.
	PORT=$port env --default-signal=HUP,INT,TERM "$ROOT/scripts/run" "$@" >"$tmp/pipe" 2>&1 &
	run_pid=$!
	# The reader keeps what it read and leaves once the service is up.
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$out"
		[[ $line != *"Press Ctrl-C"* ]] || break
	done <"$tmp/pipe" &
	reader=$!
	for ((i = 0; i < 600; i++)); do
		pid_alive "$reader" || break
		sleep 0.5
	done
	dir=$(sed -n 's/^Logs: \(.*\)\/worker\.log .*/\1/p' "$out" | head -n 1)
	mongo=$(sed -n 's/^MA_STACK_MONGO_DIR=//p' "$dir/stack.env" 2>/dev/null)
	[[ -n $dir ]] && port_open "$port"
	tap_check $? "$name: the service is up"
	[[ -n $dir ]] || tap_diag "$(cat "$out")"
	if [[ $# -eq 0 ]]; then
		# The README's three curl lines are the ones it prints.
		readme_lines | sed "s|127.0.0.1:8080|127.0.0.1:$port|" >"$tmp/readme"
		[[ $(wc -l <"$tmp/readme") == 3 ]] &&
			sed 's/^ *//' "$out" | grep -xFf "$tmp/readme" | cmp -s - "$tmp/readme"
		tap_check $? "$name: it prints the README's three curl lines"
	else
		# Ready with no /books assumed: GET / answered by the worker.
		[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/") == 404 ]] &&
			grep -qx "  curl -si http://127.0.0.1:$port/" "$out"
		tap_check $? "$name: the worker answers GET / (its 404) and the line to try says so"
	fi

	kill "-$sig" -- "-$run_pid" 2>/dev/null
	for ((i = 0; i < 60; i++)); do
		pid_alive "$run_pid" || break
		sleep 0.5
	done
	! pid_alive "$run_pid"
	tap_check $? "$name: scripts/run exited"
	left=$( [[ -z $dir ]] || pids_naming "$dir"; [[ -z $mongo ]] || pids_naming "$mongo")
	[[ -z $left ]] && ! port_open "$port" && [[ -n $dir && ! -e $dir ]]
	tap_check $? "$name: nginx, the workers and FerretDB stopped, port free"
	[[ -z $left ]] || tap_diag "still running: $left"
	kept=$(sed -n 's/.*; kept in \(.*\)\/$/\1/p' "$out" | head -n 1)
	[[ -n $kept && -s $kept/worker.log && -f $kept/front-access.log ]]
	tap_check $? "$name: the logs are kept where it said"
	[[ -z $kept ]] || rm -rf -- "$kept"
	# Whatever a failure left behind goes now, so the next case starts clean.
	kill -KILL -- "-$run_pid" 2>/dev/null
	# TERM first: an nginx master killed outright leaves its workers.
	# shellcheck disable=SC2086 # one word per pid
	if [[ -n $left ]]; then
		kill -TERM $left 2>/dev/null
		sleep 2
		kill -KILL $left 2>/dev/null
	fi
	[[ -z $dir || ! -f $dir/stack.env ]] || rm -rf -- "$dir" "$mongo"
	wait "$run_pid" "$reader" 2>/dev/null
	return 0
}

if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
	echo "1..0 # SKIP nginx is not installed"
	exit 0
fi
# scripts/run builds the tree it belongs to (scripts/setup): not in a
# read-only one (make distcheck's).
if [[ ! -w $ROOT ]]; then
	echo "1..0 # SKIP the source tree is read-only; scripts/run builds in it"
	exit 0
fi
cases=0
tap_plan 15
stop_case "Ctrl-C, output into a closed pipe" INT
stop_case "terminal closed (SIGHUP)" HUP
# Any program built on ma_app_run() as the worker: the example's will do.
stop_case "--worker, Ctrl-C" INT --worker "${abs_top_builddir:-$ROOT/build}/examples/library/library"
tap_done
