# Sourced by the suites that take a front end's name as their first
# argument (nginx or apache): sets front, or exits, with a usage line (2)
# for any other name and a TAP skip (0) when that front end is not
# installed.
front=${1:-nginx}
case $front in
nginx) bins=(nginx) ;;
apache) bins=(apache2 httpd) ;;
*)
	echo "usage: $0 nginx|apache" >&2
	exit 2
	;;
esac
found=
for b in "${bins[@]}"; do
	if command -v "$b" >/dev/null 2>&1 || [[ -x /usr/sbin/$b ]]; then
		found=$b
	fi
done
if [[ -z $found ]]; then
	echo "1..0 # SKIP $front is not installed"
	exit 0
fi
