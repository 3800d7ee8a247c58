/*
 * Privileges: root binds the socket, then leaves for --user for good, and
 * proves that it cannot come back.
 */

/* initgroups() and setgroups() are not POSIX; glibc hides them otherwise. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "runtime/runtime-internal.h"

typedef struct identity {
	uid_t uid;
	gid_t gid;
	bool group_given;
	bool in_passwd; /* supplementary groups come from the group file */
	char name[256];
} identity;

/* USER[:GROUP] by name, or by number when there is no such name. */
static bool
resolve_user(const char *spec, identity *id, ma_error *error)
{
	char user[256];
	const char *group = NULL;
	struct passwd *pw;
	struct group *gr;
	char *colon;
	int64_t n;

	memset(id, 0, sizeof(*id));
	if (snprintf(user, sizeof(user), "%s", spec) >= (int)sizeof(user)) {
		_ma_error_set(error, MA_ERR_INVALID, "--user: too long");
		return false;
	}
	colon = strchr(user, ':');
	if (colon != NULL) {
		*colon = '\0';
		group = colon + 1;
		id->group_given = true;
	}

	pw = getpwnam(user);
	if (pw != NULL) {
		id->uid = pw->pw_uid;
		id->gid = pw->pw_gid;
		id->in_passwd = true;
		snprintf(id->name, sizeof(id->name), "%s", pw->pw_name);
	} else if (_ma_parse_int(user, 10, 0, INT_MAX, &n) == MA_INT_OK &&
		   group != NULL) {
		id->uid = (uid_t)n;
		snprintf(id->name, sizeof(id->name), "%s", user);
	} else {
		_ma_error_set(error, MA_ERR_INVALID, "--user %s: no such user",
			      spec);
		return false;
	}

	if (group != NULL) {
		gr = getgrnam(group);
		if (gr != NULL)
			id->gid = gr->gr_gid;
		else if (_ma_parse_int(group, 10, 0, INT_MAX, &n) == MA_INT_OK)
			id->gid = (gid_t)n;
		else {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--user %s: no such group", spec);
			return false;
		}
	}
	return true;
}

/*
 * Leaves root for id, then proves it: a process that could become root
 * again has not dropped anything, and we would rather not run at all.
 */
static bool
drop_root(const char *spec, const identity *id, ma_error *error)
{
	int rc;

	if (id->in_passwd)
		rc = initgroups(id->name, id->gid);
	else
		rc = setgroups(1, &id->gid);
	if (rc != 0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--user %s: cannot set the groups: %s", spec,
			      strerror(errno));
		return false;
	}
	if (setgid(id->gid) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "--user %s: setgid: %s",
			      spec, strerror(errno));
		return false;
	}
	if (setuid(id->uid) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "--user %s: setuid: %s",
			      spec, strerror(errno));
		return false;
	}

	if (setuid(0) != -1 || seteuid(0) != -1 || getuid() != id->uid ||
	    geteuid() != id->uid || getgid() != id->gid ||
	    getegid() != id->gid) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--user %s: root can be regained after the "
			      "switch: refusing to run",
			      spec);
		return false;
	}
	return true;
}

bool
_ma_run_settle_privileges(const ma_run_options *opts, const char *socket_path,
			  ma_error *error)
{
	identity id;

	if (geteuid() != 0) {
		if (opts->user == NULL)
			return true;
		if (!resolve_user(opts->user, &id, error))
			return false;
		if (id.uid != geteuid() ||
		    (id.group_given && id.gid != getegid())) {
			_ma_error_set(error, MA_ERR_INVALID,
				      "--user %s: only root can switch users "
				      "(running as uid %ld)",
				      opts->user, (long)geteuid());
			return false;
		}
		return true;
	}

	if (opts->user == NULL) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "refusing to run as root: give --user");
		return false;
	}
	if (!resolve_user(opts->user, &id, error))
		return false;
	if (id.uid == 0) {
		_ma_error_set(error, MA_ERR_INVALID,
			      "--user %s: refusing to run as root", opts->user);
		return false;
	}
	if (socket_path != NULL && chown(socket_path, id.uid, id.gid) != 0) {
		_ma_error_set(error, MA_ERR_INVALID, "cannot chown %s: %s",
			      socket_path, strerror(errno));
		return false;
	}
	if (!drop_root(opts->user, &id, error))
		return false;
	_ma_log("running as %s (uid %ld, gid %ld)", id.name, (long)id.uid,
		(long)id.gid);
	return true;
}
