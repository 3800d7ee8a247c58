# Minimal TAP for the shell tests: plan, ok/not ok, skip, and a summary exit.
# Sourced; the test calls tap_plan N before its first check.
tap_n=0
tap_failed=0

tap_plan() { echo "1..$1"; }

# tap_check STATUS NAME: STATUS 0 is ok, anything else is not ok.
tap_check() {
	local status=$1 name=$2
	tap_n=$((tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $tap_n - $name"
	else
		echo "not ok $tap_n - $name"
		tap_failed=$((tap_failed + 1))
	fi
}

tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# Prints a diagnostic line for a failed expectation.
tap_diag() { printf '# %s\n' "$@"; }

tap_done() { [ "$tap_failed" -eq 0 ]; }
