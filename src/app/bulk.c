/*
 * Bulk create: a resource's POST with a JSON array. Every item is checked
 * before any is stored; then one ordered insert; and when the database
 * fails part way, an answer that says exactly which items are stored.
 */
#include <string.h>

#include "app/app-private.h"

bool
_ma_bulk_body(ma_request *req)
{
	const char *body;
	size_t len, i;

	if (!_ma_request_json_body(req, &body, &len, NULL))
		return false;
	for (i = 0; i < len; i++) {
		if (body[i] != ' ' && body[i] != '\t' && body[i] != '\n' &&
		    body[i] != '\r')
			return body[i] == '[';
	}
	return false;
}

/* The 201: the stored documents, in the order sent. */
static void
respond_created(ma_response *res, ma_doc *const *docs, size_t n)
{
	ma_buf out;
	char *json;
	size_t i, len;

	_ma_buf_init(&out, 256 * n);
	_ma_buf_putc(&out, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			_ma_buf_putc(&out, ',');
		json = ma_doc_to_json(docs[i], &len);
		_ma_buf_append(&out, json, len);
		bson_free(json);
	}
	_ma_buf_putc(&out, ']');
	json = _ma_buf_steal(&out, &len);
	ma_response_json_take(res, MA_STATUS_CREATED, json, len);
}

/* Why item i is not stored, in words a client may see (the server's own
 * words name its database and stay in the log). */
static const char *
reason(ma_insert_state state, const ma_error *e)
{
	switch (state) {
	case MA_INSERT_REFUSED:
		return e->code == MA_ERR_DUPLICATE
			       ? "a stored document already has this id or "
				 "the same value for a unique index"
			       : ma_strerror(e->code);
	case MA_INSERT_NOT_STORED:
		return "the connection to the database broke during the "
		       "write, and a read afterwards did not find it";
	case MA_INSERT_NOT_SENT:
	default:
		return e->domain == MONGOC_ERROR_SERVER_SELECTION
			       ? "not sent: the database is unavailable"
			       : "not sent: an item before it failed";
	}
}

/* {"index":i,"_id":"..."[,"reason":"..."]} */
static void
write_item(ma_buf *b, size_t i, const ma_doc *doc, const char *why)
{
	bson_oid_t oid;
	char hex[25] = "";

	if (ma_doc_id(doc, &oid))
		bson_oid_to_string(&oid, hex);
	_ma_buf_printf(b, "{\"index\":%zu,\"_id\":\"%s\"", i, hex);
	if (why != NULL) {
		_ma_buf_append(b, ",\"reason\":", 10);
		_ma_json_write_string(b, why, strlen(why));
	}
	_ma_buf_putc(b, '}');
}

/* One of the problem's lists: the items in states matching want. */
static size_t
write_list(ma_buf *b, const char *name, ma_doc *const *docs,
	   const ma_insert_state *states, size_t n, bool stored, bool unknown,
	   const ma_error *e)
{
	size_t i, count = 0;
	bool in;

	_ma_buf_printf(b, ",\"%s\":[", name);
	for (i = 0; i < n; i++) {
		in = stored    ? states[i] == MA_INSERT_STORED
		     : unknown ? states[i] == MA_INSERT_UNKNOWN
			       : states[i] != MA_INSERT_STORED &&
					 states[i] != MA_INSERT_UNKNOWN;
		if (!in)
			continue;
		if (count++ > 0)
			_ma_buf_putc(b, ',');
		write_item(b, i, docs[i],
			   stored || unknown ? NULL : reason(states[i], e));
	}
	_ma_buf_putc(b, ']');
	return count;
}

/*
 * The database failed part way: the error's status (409 for a duplicate,
 * 503 for an outage...) and a problem whose members stored, not_stored
 * and unknown name every item by index and id.
 */
static void
respond_partial(const ma_request *req, ma_response *res, ma_doc *const *docs,
		const ma_insert_state *states, size_t n, const ma_error *e)
{
	ma_status status = ma_status_from_error(e->code);
	size_t stored, unknown;
	char detail[160];
	ma_buf members;

	if (status >= 500)
		_ma_request_log(req, "%d: %s (%s)", status, e->message,
				ma_strerror(e->code));
	_ma_buf_init(&members, 64 * n + 64);
	stored =
		write_list(&members, "stored", docs, states, n, true, false, e);
	(void)write_list(&members, "not_stored", docs, states, n, false, false,
			 e);
	unknown = write_list(&members, "unknown", docs, states, n, false, true,
			     e);
	snprintf(detail, sizeof(detail),
		 "%zu of %zu items stored, %zu unknown: %s", stored, n, unknown,
		 e->code == MA_ERR_DUPLICATE ? "an item has a duplicate key"
		 : status == MA_STATUS_SERVICE_UNAVAILABLE
			 ? "the database became unavailable"
			 : "the database failed");
	ma_response_problem(res, status, detail);
	_ma_response_problem_members(res, members.data, members.len);
	_ma_buf_destroy(&members);
}

void
_ma_resource_create_many(ma_request *req, ma_response *res, ma_db *db,
			 const ma_type *type, const ma_resource_options *opts)
{
	ma_problems *problems = ma_problems_new();
	ma_insert_state *states = NULL;
	size_t max = opts->max_bulk > 0 ? opts->max_bulk : MA_MAX_BULK;
	ma_doc **docs = NULL;
	const char *body;
	size_t n = 0, i, len;
	ma_error e;

	if (_ma_request_json_body(req, &body, &len, &e))
		docs = ma_docs_new_from_json(type, body, len, max, &n, problems,
					     &e);
	if (docs == NULL) {
		ma_response_error(res, &e, problems);
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (!_ma_owner_set(opts->access, req, res, docs[i], NULL))
			goto done; /* answered */
	}
	states = bson_malloc0(n * sizeof(*states));
	ma_problems_clear(problems);
	if (ma_doc_insert_many(db, docs, n, opts->safe, states, problems, &e))
		respond_created(res, docs, n);
	else if (e.code == MA_ERR_VALIDATION || e.code == MA_ERR_INVALID)
		ma_response_error(res, &e, problems); /* nothing was sent */
	else
		respond_partial(req, res, docs, states, n, &e);
done:
	bson_free(states);
	ma_docs_destroy(docs, n);
	ma_problems_destroy(problems);
}
