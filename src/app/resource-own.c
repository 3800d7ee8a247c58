/*
 * The resources an app owns: how one is freed, and how the policies of
 * those serving one type are found (what embedding asks before it shows a
 * referenced document). Below resource.c, which mounts them, and embed.c.
 */
#include "app/resource-private.h"

void
_ma_res_destroy(void *ptr)
{
	resource *r = ptr;
	size_t i;

	for (i = 0; i < sizeof(r->summaries) / sizeof(r->summaries[0]); i++)
		bson_free(r->summaries[i]);
	bson_free(r->path);
	bson_free(r);
}

bool
_ma_resource_policy_next(ma_app *app, const ma_db *db, const ma_type *type,
			 size_t *i, const ma_access **access)
{
	const resource *r;

	/* The app owns each of its resources (ma_app_resource()). */
	for (; *i < app->nowned; (*i)++) {
		r = app->owned[*i].ptr;
		if (app->owned[*i].destroy == _ma_res_destroy && r->db == db &&
		    r->type == type) {
			*access = r->opts.access;
			(*i)++;
			return true;
		}
	}
	return false;
}
