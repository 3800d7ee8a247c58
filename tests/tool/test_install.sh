#!/bin/sh
# The installed library is usable: make install puts headers, the shared
# and static libraries and mongoalchemy.pc in place, and a user's program
# builds with `pkg-config --cflags --libs mongoalchemy` and runs.
set -u
. "${abs_top_srcdir:-.}/tests/tool/tap.sh"
builddir=${abs_top_builddir:-.}
stage=$(mktemp -d "${TMPDIR:-/tmp}/ma-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
prefix=/opt/mongoalchemy-test

tap_plan 6

${MAKE:-make} -s -C "$builddir" install DESTDIR="$stage" prefix="$prefix" >"$stage/install.log" 2>&1
tap_check $? "make install into a staging folder"
[ "$tap_failed" -eq 0 ] || { tap_diag "$(tail -n 20 "$stage/install.log")"; }

root="$stage$prefix"
[ -f "$root/include/mongoalchemy.h" ] && [ -f "$root/include/mongoalchemy/config.h" ] &&
	[ -f "$root/include/mongoalchemy/db.h" ] && [ -f "$root/include/mongoalchemy/error.h" ]
tap_check $? "public headers installed"

ls "$root"/lib/libmongoalchemy.so.* >/dev/null 2>&1 && [ -f "$root/lib/libmongoalchemy.a" ] &&
	[ -x "$root/bin/mongoalchemy-config" ]
tap_check $? "shared and static libraries and the tool installed"

# Only the public names leave the shared library.
! nm -D --defined-only "$root"/lib/libmongoalchemy.so | awk '{print $3}' | grep -v '^ma_' | grep -q .
tap_check $? "the shared library exports only ma_* symbols"

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
# The staged .pc says prefix=/opt/...: a copy points it at the stage.
mkdir -p "$stage/pc"
sed "s|^prefix=.*|prefix=$root|" "$root/lib/pkgconfig/mongoalchemy.pc" >"$stage/pc/mongoalchemy.pc"
flags=$(PKG_CONFIG_PATH="$stage/pc" pkg-config --cflags --libs mongoalchemy 2>"$stage/pc.err")
${CC:-cc} -Wall -Wextra -Werror -o "$stage/app" "$stage/app.c" $flags >"$stage/cc.log" 2>&1
tap_check $? "a user's program builds with pkg-config --cflags --libs mongoalchemy"
[ -x "$stage/app" ] || tap_diag "flags: $flags" "$(cat "$stage/pc.err" "$stage/cc.log")"

out=$(env -i LD_LIBRARY_PATH="$root/lib" MONGOALCHEMY_DATABASE=library \
	MONGOALCHEMY_SERVER=db.example "$stage/app" 2>&1)
[ "$out" = "library mongodb://db.example:27017/" ]
tap_check $? "and runs against the installed shared library"
[ "$out" = "library mongodb://db.example:27017/" ] || tap_diag "got: $out"

tap_done
