#!/bin/sh
# The Debian packages: `dpkg-buildpackage -us -uc -b` on a copy of the
# source tree in a temporary folder (the tree itself stays clean) builds
# the two SONAME-named runtime libraries, the -dev package and the tools;
# lintian finds no error in them; unpacked in a scratch root (dpkg -x, so
# that nothing is installed on the machine), they hold what they should,
# and a program built against that root with pkg-config runs, as do the
# packaged tool and example worker. Its timings follow as comments.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
srcdir=${abs_top_srcdir:-.}
# The programs a user builds against the installed libraries.
user="$srcdir/tests/tool/user"
work=$(mktemp -d "${TMPDIR:-/tmp}/ma-debian.XXXXXX")
trap 'rm -rf "$work"' EXIT
packages="libmongoalchemy0 libmongoalchemy-fcgi0 libmongoalchemy-dev mongoalchemy-tools"

tap_plan 8

# skip_all REASON
skip_all() {
	for what in "dpkg-buildpackage -us -uc -b" "lintian finds no error" \
		"each package holds what it should" "the -dev package needs the libraries of its version" \
		"a program builds against the unpacked packages" "and runs against them" \
		"a FastCGI program too" "the packaged tool and example worker run"; do
		tap_skip "$what" "$1"
	done
	exit 0
}
for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null 2>&1 || skip_all "$tool is missing (scripts/setup installs it)"
done
# The packages are built with Debian's compiler and flags whatever the
# build that runs this test: scripts/sanitize's would build the same ones.
case ${CC:-} in
*-fsanitize=*) skip_all "the packages do not depend on the sanitizer build" ;;
esac

# The tree's files as git knows them, with what is not committed yet; a
# release tarball's whole content when there is no git.
src="$work/mongoalchemy-fcgi"
mkdir "$src"
if git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$srcdir" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) |
		tar -xf - -C "$src"
else
	cp -R "$srcdir/." "$src"
fi
# make distcheck's source tree is read-only; the build writes in its copy.
chmod -R u+w "$src"

start=$(date +%s)
# With Debian's compiler and flags, not those of the build that runs
# this test.
(cd "$src" && env -u CC -u CFLAGS -u CPPFLAGS -u LDFLAGS MAKEFLAGS= MFLAGS= \
	DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=2" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
tap_check $? "dpkg-buildpackage -us -uc -b"
[ "$tap_failed" -eq 0 ] || tap_diag "$(tail -n 30 "$work/build.log")"
tap_diag "package build: $(($(date +%s) - start)) s"

start=$(date +%s)
lintian --fail-on error "$work"/mongoalchemy-fcgi_*.changes >"$work/lintian.log" 2>&1 &&
	! grep -q '^E:' "$work/lintian.log"
tap_check $? "lintian finds no error"
tap_diag "lintian: $(($(date +%s) - start)) s"
grep '^[EW]:' "$work/lintian.log" | sed 's/^/# /'

# deb PACKAGE: its file.
deb() { ls "$work/$1"_*.deb 2>/dev/null | head -n 1; }
# holds PACKAGE PATTERN...: each pattern matches a path of the package.
holds() {
	pkg=$1
	shift
	list=$(dpkg-deb -c "$(deb "$pkg")" 2>/dev/null | awk '{print $6}') || return 1
	for pattern in "$@"; do
		printf '%s\n' "$list" | grep -q -- "$pattern" || { tap_diag "$pkg lacks $pattern"; return 1; }
	done
}
holds libmongoalchemy0 '/libmongoalchemy\.so\.0$' &&
	! dpkg-deb -c "$(deb libmongoalchemy0)" | grep -q fcgi &&
	holds libmongoalchemy-fcgi0 '/libmongoalchemy-fcgi\.so\.0$' &&
	holds libmongoalchemy-dev '/usr/include/mongoalchemy\.h$' '/usr/include/mongoalchemy-fcgi\.h$' \
		'/usr/include/mongoalchemy/app\.h$' '/libmongoalchemy\.so$' '/libmongoalchemy-fcgi\.so$' \
		'/libmongoalchemy\.a$' '/libmongoalchemy-fcgi\.a$' '/pkgconfig/mongoalchemy\.pc$' \
		'/pkgconfig/mongoalchemy-fcgi\.pc$' '/man8/mongoalchemy-fcgi\.8\.gz$' &&
	holds mongoalchemy-tools '/usr/bin/mongoalchemy-config$' '/usr/bin/mongoalchemy-library$' \
		'/man1/mongoalchemy-config\.1\.gz$' '/man8/mongoalchemy-library\.8\.gz$' \
		'/examples/mongoalchemy\.conf$' '/examples/apache-mongoalchemy\.conf$' \
		'/examples/mongoalchemy\.service$' '/examples/mongoalchemy\.socket$' \
		'/examples/mongoalchemy-standalone\.service$'
tap_check $? "each package holds what it should"

version=$(dpkg-deb -f "$(deb libmongoalchemy-dev)" Version 2>/dev/null)
depends=$(dpkg-deb -f "$(deb libmongoalchemy-dev)" Depends 2>/dev/null)
case $depends in
*"libmongoalchemy0 (= $version)"*"libmongoalchemy-fcgi0 (= $version)"* | \
	*"libmongoalchemy-fcgi0 (= $version)"*"libmongoalchemy0 (= $version)"*)
	dpkg-deb -f "$(deb mongoalchemy-tools)" Depends | grep -q 'libmongoalchemy0'
	;;
*) false ;;
esac
tap_check $? "the -dev package needs the libraries of its version"
[ "$tap_failed" -eq 0 ] || tap_diag "libmongoalchemy-dev $version depends: $depends"

root="$work/root"
for pkg in $packages; do
	dpkg -x "$(deb "$pkg")" "$root" || tap_diag "cannot unpack $pkg"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir="$root/usr/lib/$multiarch"
# Copies of the .pc files point at the scratch root, as a sysroot would.
mkdir -p "$work/pc"
for pc in mongoalchemy mongoalchemy-fcgi; do
	sed "s|^prefix=.*|prefix=$root/usr|" "$libdir/pkgconfig/$pc.pc" >"$work/pc/$pc.pc" 2>/dev/null
done
flags=$(PKG_CONFIG_PATH="$work/pc" pkg-config --cflags --libs mongoalchemy 2>&1) &&
	case $flags in *"-I$root/usr/include"*"-L$libdir"*) true ;; *) false ;; esac &&
	${CC:-cc} -Wall -Wextra -Werror -o "$work/app" "$user/mapper.c" $flags >"$work/cc.log" 2>&1
tap_check $? "a program builds against the unpacked packages"
[ -x "$work/app" ] || tap_diag "flags: $flags" "$(cat "$work/cc.log")"

# run PROGRAM [ARG...]: its standard output, with the scratch root's
# libraries and nothing else in the environment but the database
# settings (the driver may warn on stderr, into run.err).
run() {
	env -i LD_LIBRARY_PATH="$libdir" MONGOALCHEMY_DATABASE=library \
		MONGOALCHEMY_SERVER=db.example "$@" 2>>"$work/run.err"
}
out=$(run "$work/app")
[ "$out" = "library mongodb://db.example:27017/" ] &&
	LD_LIBRARY_PATH="$libdir" ldd "$work/app" | grep -q "libmongoalchemy.so.0 => $libdir/"
tap_check $? "and runs against them"
[ "$out" = "library mongodb://db.example:27017/" ] || tap_diag "got: $out" "$(cat "$work/run.err")"

flags=$(PKG_CONFIG_PATH="$work/pc" pkg-config --cflags --libs mongoalchemy-fcgi 2>&1) &&
	${CC:-cc} -Wall -Wextra -Werror -o "$work/web" "$user/web.c" $flags >"$work/cc.log" 2>&1 &&
	out=$(run "$work/web" --version) &&
	case $out in *"mongoalchemy $version"*) true ;; *) false ;; esac
ok=$?
tap_check $ok "a FastCGI program too"
[ $ok -eq 0 ] || tap_diag "got: $out" "$(cat "$work/cc.log")"

config=$(run "$root/usr/bin/mongoalchemy-config")
worker=$(run "$root/usr/bin/mongoalchemy-library" --version)
case $config in *"uri: mongodb://db.example:27017/"*) true ;; *) false ;; esac &&
	case $worker in *"mongoalchemy $version"*) true ;; *) false ;; esac
ok=$?
tap_check $ok "the packaged tool and example worker run"
[ $ok -eq 0 ] || tap_diag "mongoalchemy-config: $config" "mongoalchemy-library --version: $worker"

# What the programs said on stderr (the driver's warnings; a sanitizer's
# report, in a sanitizer build).
[ -s "$work/run.err" ] && sed 's/^/# stderr: /' "$work/run.err"
tap_done
