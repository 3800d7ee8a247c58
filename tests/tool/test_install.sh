#!/bin/sh
# The installed libraries are usable, each alone: make install puts the
# headers, the shared and static libraries, their .pc files, the tool and
# the example worker in place; a program that only maps documents builds
# with `pkg-config --cflags --libs mongoalchemy` (no libfcgi), and a
# FastCGI application with `pkg-config --cflags --libs mongoalchemy-fcgi`,
# and both run.
#
# Then installs that work anywhere, from a build of its own in a temporary
# folder (the tree's build stays as it is): `make install prefix=DIR` (a
# private prefix: the .pc files name it, and the installed programs find
# their library without LD_LIBRARY_PATH); the same build reconfigured with
# another --prefix and installed without `make clean`; and a system-style
# install, `make install prefix=/usr DESTDIR=STAGE`, as a packager makes
# it: the .pc files say /usr and nothing installed names the stage.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
srcdir=${abs_top_srcdir:-.}
# The programs a user builds against the installed libraries.
user="$srcdir/tests/tool/user"
builddir=${abs_top_builddir:-.}
stage=$(mktemp -d "${TMPDIR:-/tmp}/ma-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# The tree's build is installed for the prefix it was configured with
# (staged): another prefix would relink its libraries while the other
# tests use them. Other prefixes are tried in a build of its own, below.
prefix=$(sed -n 's/^prefix = //p' "$builddir/Makefile")

tap_plan 22

expect="library mongodb://db.example:27017/"
# run_app [NAME=value...] PROGRAM [ARG...]: what PROGRAM prints on its
# standard output with nothing but those variables and the database
# settings in its environment (the driver may warn on stderr, into
# run.err).
run_app() {
	env -i MONGOALCHEMY_DATABASE=library MONGOALCHEMY_SERVER=db.example "$@" 2>>"$stage/run.err"
}

${MAKE:-make} -s -C "$builddir" install DESTDIR="$stage" >"$stage/install.log" 2>&1
tap_check $? "make install into a staging folder"
[ "$tap_failed" -eq 0 ] || { tap_diag "$(tail -n 20 "$stage/install.log")"; }

root="$stage$prefix"
[ -f "$root/include/mongoalchemy.h" ] && [ -f "$root/include/mongoalchemy/config.h" ] &&
	[ -f "$root/include/mongoalchemy/db.h" ] && [ -f "$root/include/mongoalchemy/error.h" ] &&
	[ -f "$root/include/mongoalchemy-fcgi.h" ] && [ -f "$root/include/mongoalchemy/app.h" ] &&
	[ -f "$root/include/mongoalchemy/request.h" ] && [ -f "$root/include/mongoalchemy/page.h" ]
tap_check $? "public headers installed"

ls "$root"/lib/libmongoalchemy.so.* >/dev/null 2>&1 && [ -f "$root/lib/libmongoalchemy.a" ] &&
	ls "$root"/lib/libmongoalchemy-fcgi.so.* >/dev/null 2>&1 &&
	[ -f "$root/lib/libmongoalchemy-fcgi.a" ] && [ -x "$root/bin/mongoalchemy-config" ] &&
	[ -x "$root/bin/mongoalchemy-library" ] && [ -f "$root/share/man/man1/mongoalchemy-config.1" ] &&
	[ -f "$root/share/man/man8/mongoalchemy-library.8" ] && [ -f "$root/share/man/man8/mongoalchemy-fcgi.8" ]
tap_check $? "both libraries, shared and static, the tool, the example worker and the man pages installed"

# The document mapper exports its public names and the private _ma_ ones
# its web side calls; the web side only its public names; no installed
# header declares a private name.
[ -f "$root/lib/libmongoalchemy.so" ] && [ -f "$root/lib/libmongoalchemy-fcgi.so" ] &&
	! nm -D --defined-only "$root"/lib/libmongoalchemy.so | awk '{print $3}' | grep -v '^_\{0,1\}ma_' | grep -q . &&
	! nm -D --defined-only "$root"/lib/libmongoalchemy-fcgi.so | awk '{print $3}' | grep -v '^ma_' | grep -q . &&
	! grep -rq '_ma_[a-z]' "$root"/include
tap_check $? "the shared libraries export only their ma_* (and the mapper's _ma_*) symbols"

# The document mapper needs no libfcgi, and nothing of the web side.
[ -f "$root/lib/libmongoalchemy.so" ] && ! ldd "$root"/lib/libmongoalchemy.so | grep -q fcgi &&
	[ -f "$root/lib/libmongoalchemy.so" ] && [ -f "$root/lib/libmongoalchemy-fcgi.so" ] &&
	! nm -D --defined-only "$root"/lib/libmongoalchemy.so | awk '{print $3}' | grep -q '^ma_app_\|^ma_request_\|^ma_response_'
tap_check $? "libmongoalchemy links no libfcgi and holds nothing of the web side"

# The staged .pc files say prefix=/opt/...: copies point them at the stage.
mkdir -p "$stage/pc"
for pc in mongoalchemy mongoalchemy-fcgi; do
	sed "s|^prefix=.*|prefix=$root|" "$root/lib/pkgconfig/$pc.pc" >"$stage/pc/$pc.pc"
done
flags=$(PKG_CONFIG_PATH="$stage/pc" pkg-config --cflags --libs mongoalchemy 2>"$stage/pc.err")
[ -n "$flags" ] && ! printf '%s\n' "$flags" | grep -q fcgi
tap_check $? "pkg-config mongoalchemy names no FastCGI library"
${CC:-cc} -Wall -Wextra -Werror -o "$stage/app" "$user/mapper.c" $flags >"$stage/cc.log" 2>&1
tap_check $? "a user's program builds with pkg-config --cflags --libs mongoalchemy"
[ -x "$stage/app" ] || tap_diag "flags: $flags" "$(cat "$stage/pc.err" "$stage/cc.log")"

out=$(run_app LD_LIBRARY_PATH="$root/lib" "$stage/app")
[ "$out" = "$expect" ]
tap_check $? "and runs against the installed shared library"
[ "$out" = "$expect" ] || tap_diag "got: $out" "$(cat "$stage/run.err")"

flags=$(PKG_CONFIG_PATH="$stage/pc" pkg-config --cflags --libs mongoalchemy-fcgi 2>"$stage/pc.err")
${CC:-cc} -Wall -Wextra -Werror -o "$stage/web" "$user/web.c" $flags >"$stage/cc.log" 2>&1
tap_check $? "a FastCGI program builds with pkg-config --cflags --libs mongoalchemy-fcgi"
[ -x "$stage/web" ] || tap_diag "flags: $flags" "$(cat "$stage/pc.err" "$stage/cc.log")"

out=$(run_app LD_LIBRARY_PATH="$root/lib" "$stage/web" --version)
case $out in
*mongoalchemy*) true ;;
*) false ;;
esac
ok=$?
tap_check $ok "and runs against both installed shared libraries"
[ $ok -eq 0 ] || tap_diag "got: $out"

# --- installs that work anywhere ------------------------------------------

own="$stage/own"
# no_run_path FILE...: none of them has an rpath or a runpath.
no_run_path() {
	for f in "$@"; do
		! readelf -d "$f" | grep -qi 'rpath\|runpath' || { tap_diag "run path in $f"; return 1; }
	done
}
# build_app OUT PKG_CONFIG_PATH [FLAGS...]: mapper.c built as a user builds it.
build_app() {
	out=$1 pcpath=$2
	shift 2
	flags=$(PKG_CONFIG_PATH="$pcpath" pkg-config --cflags --libs mongoalchemy) &&
		${CC:-cc} -Wall -Wextra -Werror -o "$out" "$user/mapper.c" $flags "$@" >"$stage/cc.log" 2>&1
}
# pc_names DIR PREFIX: both .pc files of DIR say prefix=PREFIX, with the
# library and header folders under it.
pc_names() {
	for pc in mongoalchemy mongoalchemy-fcgi; do
		grep -qx "prefix=$2" "$1/$pc.pc" && grep -qx 'libdir=${prefix}/lib' "$1/$pc.pc" &&
			grep -qx 'includedir=${prefix}/include' "$1/$pc.pc" || return 1
	done
}
own_make() { ${MAKE:-make} -s -C "$own" "$@" >>"$stage/own.log" 2>&1; }

# A source tree configured in place refuses a second build.
if [ -f "$srcdir/config.status" ]; then
	for what in "a build of its own" "make install prefix=DIR" \
		"a program finds the private prefix's library through an rpath" \
		"or through LD_LIBRARY_PATH" "the installed tool and worker find their library by themselves" \
		"reconfigured with another --prefix, make install without make clean" \
		"the tool of the new prefix uses the new prefix's library" \
		"make install prefix=/usr DESTDIR=STAGE" "nothing installed names the stage" \
		"a program builds against the staged tree and runs" \
		"a FastCGI program too" "the staged tool runs"; do
		tap_skip "$what" "the source tree is configured in place"
	done
	tap_done
	exit
fi

mkdir -p "$own"
(cd "$own" && "$srcdir/configure" --prefix=/usr/local >"$stage/own.log" 2>&1) && own_make
tap_check $? "a build of its own, configured for /usr/local"
[ -x "$own/mongoalchemy-config" ] || tap_diag "$(tail -n 20 "$stage/own.log")"

# A private prefix, given to make install alone.
private="$stage/private"
own_make install prefix="$private" && pc_names "$private/lib/pkgconfig" "$private"
tap_check $? "make install prefix=DIR: the .pc files name DIR"
[ -f "$private/lib/pkgconfig/mongoalchemy.pc" ] || tap_diag "$(tail -n 20 "$stage/own.log")"

libdir=$(PKG_CONFIG_PATH="$private/lib/pkgconfig" pkg-config --variable=libdir mongoalchemy)
build_app "$stage/app-rpath" "$private/lib/pkgconfig" "-Wl,-rpath,$libdir" &&
	[ "$libdir" = "$private/lib" ] && [ "$(run_app "$stage/app-rpath")" = "$expect" ]
tap_check $? "a program finds the private prefix's library through an rpath"
build_app "$stage/app-plain" "$private/lib/pkgconfig" &&
	[ "$(run_app LD_LIBRARY_PATH="$private/lib" "$stage/app-plain")" = "$expect" ]
tap_check $? "or through LD_LIBRARY_PATH"

out=$(run_app "$private/bin/mongoalchemy-config")
case $out in
*"uri: mongodb://db.example:27017/"*)
	out=$(run_app "$private/bin/mongoalchemy-library" --version)
	case $out in *"mongoalchemy 0.1"*) true ;; *) false ;; esac
	;;
*) false ;;
esac
ok=$?
tap_check $ok "the installed tool and worker find their library by themselves"
[ $ok -eq 0 ] || tap_diag "got: $out"

# The same build, reconfigured: no make clean, and nothing of the first
# prefix is left in what the second installs.
second="$stage/second"
(cd "$own" && "$srcdir/configure" --prefix="$second" >>"$stage/own.log" 2>&1) &&
	own_make install && pc_names "$second/lib/pkgconfig" "$second"
tap_check $? "reconfigured with another --prefix, make install without make clean"
[ -f "$second/lib/pkgconfig/mongoalchemy.pc" ] || tap_diag "$(tail -n 20 "$stage/own.log")"
rm -rf "$private"
out=$(run_app "$second/bin/mongoalchemy-config")
case $out in *"uri: mongodb://db.example:27017/"*) true ;; *) false ;; esac
ok=$?
tap_check $ok "the tool of the new prefix uses the new prefix's library"
[ $ok -eq 0 ] || tap_diag "got: $out"

# A system-style install, staged as a packager stages it.
sys="$stage/sys"
own_make install prefix=/usr DESTDIR="$sys" && pc_names "$sys/usr/lib/pkgconfig" /usr
tap_check $? "make install prefix=/usr DESTDIR=STAGE: the .pc files say /usr"
[ -f "$sys/usr/lib/pkgconfig/mongoalchemy.pc" ] || tap_diag "$(tail -n 20 "$stage/own.log")"

# No text file names the stage, nor any library or program's run path.
! grep -rqF "$sys" "$sys" && [ -f "$sys/usr/lib/libmongoalchemy-fcgi.so.0" ] &&
	no_run_path "$sys"/usr/lib/*.so.* "$sys"/usr/bin/*
tap_check $? "nothing installed names the stage, and no run path is set"

# The staged tree as a sysroot: copies of the .pc files point at it.
mkdir -p "$stage/syspc"
for pc in mongoalchemy mongoalchemy-fcgi; do
	sed "s|^prefix=.*|prefix=$sys/usr|" "$sys/usr/lib/pkgconfig/$pc.pc" >"$stage/syspc/$pc.pc"
done
build_app "$stage/app-sys" "$stage/syspc" &&
	[ "$(run_app LD_LIBRARY_PATH="$sys/usr/lib" "$stage/app-sys")" = "$expect" ]
tap_check $? "a program builds against the staged tree and runs"
flags=$(PKG_CONFIG_PATH="$stage/syspc" pkg-config --cflags --libs mongoalchemy-fcgi) &&
	${CC:-cc} -Wall -Wextra -Werror -o "$stage/web-sys" "$user/web.c" $flags >"$stage/cc.log" 2>&1 &&
	out=$(run_app LD_LIBRARY_PATH="$sys/usr/lib" "$stage/web-sys" --version) &&
	case $out in *mongoalchemy*) true ;; *) false ;; esac
tap_check $? "a FastCGI program too"
out=$(run_app LD_LIBRARY_PATH="$sys/usr/lib" "$sys/usr/bin/mongoalchemy-config")
case $out in *"uri: mongodb://db.example:27017/"*) true ;; *) false ;; esac
tap_check $? "the staged tool runs"

# What the programs said on stderr (the driver's warnings; a sanitizer's
# report, in a sanitizer build).
[ -s "$stage/run.err" ] && sed 's/^/# stderr: /' "$stage/run.err"
tap_done
