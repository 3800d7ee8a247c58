#!/bin/sh
# The installed libraries are usable, each alone: make install puts the
# headers, the shared and static libraries and their .pc files in place; a
# program that only maps documents builds with `pkg-config --cflags --libs
# mongoalchemy` (no libfcgi), and a FastCGI application with
# `pkg-config --cflags --libs mongoalchemy-fcgi`, and both run.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
builddir=${abs_top_builddir:-.}
stage=$(mktemp -d "${TMPDIR:-/tmp}/ma-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# The configured prefix: libtool relinks the web side against the installed
# mapper, and refuses to when the install names another libdir.
prefix=$(sed -n 's/^prefix = //p' "$builddir/Makefile")

tap_plan 10

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
	[ -f "$root/lib/libmongoalchemy-fcgi.a" ] && [ -x "$root/bin/mongoalchemy-config" ]
tap_check $? "both libraries, shared and static, and the tool installed"

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

cat >"$stage/app.c" <<'APP'
#include <stdio.h>
#include <mongoalchemy.h>

int
main(void)
{
	ma_error err;
	ma_db *db = ma_db_new(NULL, &err);

	if (db == NULL) {
		printf("error: %s\n", err.message);
		return 1;
	}
	printf("%s %s\n", ma_config_database(ma_db_config(db)),
	       ma_config_uri(ma_db_config(db)));
	ma_db_destroy(db);
	ma_cleanup();
	return 0;
}
APP
# The staged .pc files say prefix=/opt/...: copies point them at the stage.
mkdir -p "$stage/pc"
for pc in mongoalchemy mongoalchemy-fcgi; do
	sed "s|^prefix=.*|prefix=$root|" "$root/lib/pkgconfig/$pc.pc" >"$stage/pc/$pc.pc"
done
flags=$(PKG_CONFIG_PATH="$stage/pc" pkg-config --cflags --libs mongoalchemy 2>"$stage/pc.err")
[ -n "$flags" ] && ! printf '%s\n' "$flags" | grep -q fcgi
tap_check $? "pkg-config mongoalchemy names no FastCGI library"
${CC:-cc} -Wall -Wextra -Werror -o "$stage/app" "$stage/app.c" $flags >"$stage/cc.log" 2>&1
tap_check $? "a user's program builds with pkg-config --cflags --libs mongoalchemy"
[ -x "$stage/app" ] || tap_diag "flags: $flags" "$(cat "$stage/pc.err" "$stage/cc.log")"

out=$(env -i LD_LIBRARY_PATH="$root/lib" MONGOALCHEMY_DATABASE=library \
	MONGOALCHEMY_SERVER=db.example "$stage/app" 2>&1)
[ "$out" = "library mongodb://db.example:27017/" ]
tap_check $? "and runs against the installed shared library"
[ "$out" = "library mongodb://db.example:27017/" ] || tap_diag "got: $out"

cat >"$stage/web.c" <<'APP'
#include <stdio.h>
#include <mongoalchemy-fcgi.h>

static void
hello(ma_request *req, ma_response *res, void *arg)
{
	(void)req;
	(void)arg;
	ma_response_json(res, 200, "{}", 2);
}

int
main(int argc, char **argv)
{
	ma_error err;
	ma_app *app = ma_app_new(NULL, &err);
	int status;

	if (app == NULL || ma_app_add_db(app, NULL, &err) == NULL ||
	    !ma_app_route(app, MA_GET, "/hello", hello, NULL, &err)) {
		printf("error: %s\n", err.message);
		ma_app_destroy(app);
		return 1;
	}
	status = ma_app_run(app, argc, argv);
	ma_app_destroy(app);
	ma_cleanup();
	return status;
}
APP
flags=$(PKG_CONFIG_PATH="$stage/pc" pkg-config --cflags --libs mongoalchemy-fcgi 2>"$stage/pc.err")
${CC:-cc} -Wall -Wextra -Werror -o "$stage/web" "$stage/web.c" $flags >"$stage/cc.log" 2>&1
tap_check $? "a FastCGI program builds with pkg-config --cflags --libs mongoalchemy-fcgi"
[ -x "$stage/web" ] || tap_diag "flags: $flags" "$(cat "$stage/pc.err" "$stage/cc.log")"

out=$(env -i LD_LIBRARY_PATH="$root/lib" MONGOALCHEMY_DATABASE=library "$stage/web" --version 2>&1)
case $out in
*mongoalchemy*) true ;;
*) false ;;
esac
tap_check $? "and runs against both installed shared libraries"
[ $? -eq 0 ] || tap_diag "got: $out"

tap_done
