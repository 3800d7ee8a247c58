# shellcheck shell=bash
# lib.sh: what the scripts of scripts/ share. Sourced, never run:
#
#   PROG=name   # the prefix of the messages ("name: ...")
#   # shellcheck source=scripts/lib.sh
#   source "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
#
# Sets SCRIPT_DIR (this folder) and ROOT (the source tree), both physical
# paths, so that any cwd works.

# shellcheck disable=SC2034 # for the scripts that source this file
SCRIPT_DIR=$(cd -P -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)
readonly SCRIPT_DIR
# shellcheck disable=SC2034
ROOT=$(cd -P -- "$SCRIPT_DIR/.." && pwd)
readonly ROOT
: "${PROG:=${0##*/}}"

# ---------------------------------------------------------------------------
# messages

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	log "$*"
	exit 1
}
# A wrong command line: the message, then what the script's usage_hint
# says, if it has one; exit status 2.
usage_error() {
	log "$*"
	[[ $(type -t usage_hint) != function ]] || usage_hint >&2
	exit 2
}

# Shows the last N (default 20) lines of FILE, indented, if it has any.
print_tail() {
	local file=$1 n=${2:-20}
	if [[ -s $file ]]; then
		log "last $n lines of $file:"
		tail -n "$n" -- "$file" | sed 's/^/    /' >&2
	fi
}

# Runs CMD... with its output (stdout and stderr) kept aside, shown in full
# only if it fails; returns its status.
quietly() {
	local out status=0
	out=$(mktemp) || return 1
	"$@" >"$out" 2>&1 || status=$?
	[[ $status -eq 0 ]] || cat -- "$out" >&2
	rm -f -- "$out"
	return "$status"
}

# ---------------------------------------------------------------------------
# commands

# Runs the command that starts the command line: one of COMMANDS (a list
# of words), run by the function cmd_NAME (dashes as underscores) with the
# rest of the arguments; help, -h and --help show the usage.
run_command() {
	local commands=" $1 " cmd
	shift
	[[ $# -gt 0 ]] || usage_error "missing command"
	cmd=$1
	shift
	case $cmd in
	-h | --help | help) usage ;;
	*)
		[[ $commands == *" $cmd "* ]] || usage_error "unknown command: $cmd"
		"cmd_${cmd//-/_}" "$@"
		;;
	esac
}

# Checks that DIR is a folder this script made (a temp dir named PREFIX.*
# holding the file MARKER), since the caller is about to act on the
# processes it names and maybe remove it; refuses anything else (exit 2),
# calling it WHAT. Sets OWN_DIR to its physical path.
own_dir() {
	local dir=${1%/} prefix=$2 marker=$3 what=$4
	if [[ ! -d $dir || ! -f $dir/$marker || ${dir##*/} != "$prefix".* ]]; then
		log "$1 does not look like $what (no $marker); refusing"
		exit 2
	fi
	OWN_DIR=$(cd -P -- "$dir" && pwd)
}

# True, with a message, if DIR (a temp dir named PREFIX.*) is gone: there
# is nothing to stop.
already_gone() {
	local dir=${1%/} prefix=$2
	[[ ! -e $dir && ${dir##*/} == "$prefix".* ]] || return 1
	log "$dir is already gone; nothing to stop"
}

# ---------------------------------------------------------------------------
# processes

# True if PID is running (a zombie does not count).
pid_alive() {
	local pid=$1 stat
	[[ $pid =~ ^[1-9][0-9]*$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	if stat=$(cat "/proc/$pid/stat" 2>/dev/null); then
		stat=${stat##*) }
		[[ ${stat%% *} != Z ]] || return 1
	fi
	return 0
}

# Reads a pid file; prints nothing if it is missing, empty or invalid.
read_pid() {
	local pid
	pid=$(cat -- "$1" 2>/dev/null) || true
	[[ $pid =~ ^[1-9][0-9]*$ ]] && printf '%s\n' "$pid"
	return 0
}

# Runs CMD... in the background, in a session of its own when setsid is
# there (it outlives the caller, and a Ctrl-C in the caller's terminal
# does not reach it), stdout and stderr appended to LOGFILE. PIDFILE gets
# its pid (the session id) before it execs; LAUNCHED_PID is set too.
launch() {
	local pidfile=$1 logfile=$2
	shift 2
	local -a detach=()
	command -v setsid >/dev/null 2>&1 && detach=(setsid)
	# The inner shell writes its own pid, then execs the command, so the pid
	# file is right even if setsid has to fork.
	# shellcheck disable=SC2016 # expanded by the inner shell
	"${detach[@]}" bash -c 'echo "$$" >"$0" && exec "$@"' "$pidfile" "$@" \
		</dev/null >>"$logfile" 2>&1 &
	LAUNCHED_PID=$!
	# No job-status noise ("Killed ...") from this shell if it dies.
	disown "$LAUNCHED_PID" 2>/dev/null || true
}

# Sleeps N seconds in the background and waits, so that the signal traps
# of the caller run at once.
nap() {
	sleep "$1" &
	wait $! || true
}

# Makes INT and TERM end the script with the shell's usual status, so that
# its EXIT trap runs.
exit_on_signals() {
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ---------------------------------------------------------------------------
# ports

# True if something accepts TCP connections on HOST (default 127.0.0.1):PORT.
port_open() {
	(exec 3<>"/dev/tcp/${HOST:-127.0.0.1}/$1") 2>/dev/null
}

# Prints a free loopback TCP port, below the kernel's range for the local
# ports of outgoing connections (ip_local_port_range, 32768 and up by
# default): a port from that range, free when picked, can be taken by one
# of the tests' own connections before the server binds it.
pick_port() {
	local port i low=32768 range
	if read -r range _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
		((range > 11024)); then
		low=$range
	fi
	for ((i = 0; i < 200; i++)); do
		port=$((10000 + (RANDOM * 32768 + RANDOM) % (low - 10000)))
		# Nothing listening if the connect is refused.
		if ! port_open "$port"; then
			printf '%s\n' "$port"
			return
		fi
	done
	die "could not find a free TCP port"
}

# ---------------------------------------------------------------------------
# the database, the builds

# True when MONGOALCHEMY_* point at the user's own MongoDB.
users_mongodb() {
	[[ -n ${MONGOALCHEMY_CONNECTION_STRING:-}${MONGOALCHEMY_SERVER:-}${MONGOALCHEMY_PORT:-} ]]
}

# Prints the build the scripts use: the source tree itself when it was
# configured in place (./configure at the top), else build/ (what
# scripts/setup makes).
build_dir() {
	if [[ -f $ROOT/config.status ]]; then
		printf '%s\n' "$ROOT"
	else
		printf '%s\n' "$ROOT/build"
	fi
}

# Configures DIR as a build of the source tree in another folder (a VPATH
# build) with the configure arguments ARGS; again only when ARGS change.
configure_build_dir() {
	local dir=$1 args=
	shift
	[[ $# -eq 0 ]] || args=$(printf '%q ' "$@")
	# configure refuses ("source directory already configured"), and make
	# would take the objects built in the source tree for its own.
	[[ ! -f $ROOT/config.status ]] ||
		die "the source tree is configured in place ($ROOT/config.status), so it cannot be built in another folder; run \"make distclean\" at the top first (scripts/setup then builds in build/)"
	if [[ ! -x $ROOT/configure ]]; then
		log "autoreconf -fi"
		(cd "$ROOT" && quietly autoreconf -fi) || return
	fi
	mkdir -p -- "$dir"
	if [[ -f $dir/config.status && -f $dir/Makefile &&
		$(cat -- "$dir/.configure-args" 2>/dev/null) == "$args" ]]; then
		return 0
	fi
	log "configure ${args}(in ${dir#"$ROOT"/})"
	(cd "$dir" && quietly "$ROOT/configure" "$@") || return
	printf '%s\n' "$args" >"$dir/.configure-args"
}

# Automake's summary of test results in FILE (# PASS: N ...), summed over
# every suite: prints "PASSED FAILED SKIPPED".
count_results() {
	awk '/^# (PASS|XFAIL): *[0-9]+$/ { p += $3 }
		/^# (FAIL|ERROR|XPASS): *[0-9]+$/ { f += $3 }
		/^# SKIP: *[0-9]+$/ { s += $3 }
		END { print p + 0, f + 0, s + 0 }' "$1"
}
