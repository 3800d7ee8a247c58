/*
 * The caller: its name and roles, as an authenticator made it (jwt.c, the
 * front end's in auth.c) and as the cache of verified tokens keeps it.
 * Below every file of auth/.
 */
#include <string.h>

#include "auth/auth-private.h"

const char *
ma_user_name(const ma_user *user)
{
	return user != NULL ? user->name : NULL;
}

bool
ma_user_has_role(const ma_user *user, const char *role)
{
	size_t i;

	for (i = 0; user != NULL && role != NULL && i < user->nroles; i++) {
		if (strcmp(user->roles[i], role) == 0)
			return true;
	}
	return false;
}

void
ma_user_destroy(ma_user *user)
{
	size_t i;

	if (user == NULL)
		return;
	for (i = 0; i < user->nroles; i++)
		bson_free(user->roles[i]);
	bson_free(user->roles);
	bson_free(user->name);
	bson_free(user);
}

/* A copy the caller owns. */
struct ma_user *
_ma_user_copy(const struct ma_user *user)
{
	struct ma_user *copy = bson_malloc0(sizeof(*copy));
	size_t i;

	copy->name = bson_strdup(user->name);
	copy->nroles = user->nroles;
	copy->roles = bson_malloc0((user->nroles + 1) * sizeof(char *));
	for (i = 0; i < user->nroles; i++)
		copy->roles[i] = bson_strdup(user->roles[i]);
	return copy;
}
