/*
 * Internals shared between the library's files. Nothing here is installed;
 * names start with _ma_ so that the shared library does not export them.
 */
#ifndef MA_PRIVATE_H
#define MA_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <mongoc/mongoc.h>

#include <mongoalchemy.h>

#if defined(__GNUC__)
#define MA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MA_PRINTF(f, a)
#endif

/* Fills error (when not NULL) with code and a formatted message, cut to
 * size (a character cut short is dropped) and made UTF-8. */
void _ma_error_set(ma_error *error, ma_error_code code, const char *fmt, ...)
	MA_PRINTF(3, 4);

/* The same, with every occurrence of secret (the password; may be NULL)
 * in the whole text replaced by "***" before it is cut or mended. */
void _ma_error_set_masked(ma_error *error, ma_error_code code,
			  const char *secret, const char *fmt, ...)
	MA_PRINTF(4, 5);

/*
 * Fills error from a driver error: the code is chosen from the driver's
 * domain and code (unreachable server, refused credentials, other), the
 * message is "<context>: <driver message>" with every occurrence of secret
 * (the password, may be NULL) replaced by "***".
 */
void _ma_error_from_bson(ma_error *error, const bson_error_t *berr,
			 const char *context, const char *secret);

/* FNV-1a, 64 bits, of len bytes: ETags, lock stripes. A fingerprint that
 * detects changes, not a MAC. */
uint64_t _ma_fnv1a(const void *data, size_t len);

/*
 * The length of the well-formed UTF-8 character at s (1 for ASCII), within
 * avail bytes; 0 when none starts there. libbson's check decides: no
 * overlong form, no UTF-16 surrogate, nothing past U+10FFFF.
 */
size_t _ma_utf8_char_len(const char *s, size_t avail);

/* text with every occurrence of secret (may be NULL) replaced by "***";
 * bson_free() it. */
char *_ma_masked(const char *text, const char *secret);

/*
 * URI pieces, as the configuration gives them. Everything but server may be
 * NULL: no user, no password, no path, no options, no replica set.
 */
typedef struct ma_uri_parts {
	const char *server;      /* host name, IPv4, IPv6, or a socket path */
	unsigned port;
	const char *user;
	const char *password;    /* only used with user */
	const char *path;        /* the database in the path, for auth */
	const char *options;     /* "k=v&k2=v2", used as given */
	const char *replica_set; /* added as replicaSet= */
} ma_uri_parts;

/*
 * Builds "mongodb://[user[:password]@]host:port/[path][?options]". User,
 * password and replica set are percent-encoded; options are not (they are
 * already in URI form). password_override, when not NULL, is written in
 * place of the password (to build the redacted form). Returns a new string
 * to free with bson_free().
 */
char *_ma_uri_build(const ma_uri_parts *parts, const char *password_override);

/* Percent-encodes every byte outside RFC 3986's unreserved set. bson_free(). */
char *_ma_pct_encode(const char *s);

/*
 * A copy of uri with the password of its user information, if any,
 * replaced by "***". Errs on the side of hiding too much when the URI is
 * malformed. bson_free().
 */
char *_ma_uri_redact(const char *uri);

/*
 * Where the password of uri's user information is: offset and length in
 * bytes. Returns false when there is no password. Used for redaction.
 */
bool _ma_uri_password_span(const char *uri, size_t *offset, size_t *len);

/* The configured password (also one from a connection string), or NULL:
 * for scrubbing driver messages, never for printing. */
const char *_ma_config_secret(const ma_config *config);

/* --- output buffer (buf.c) ----------------------------------------------- */

/* A growable byte buffer; JSON output is written into one of these. */
typedef struct ma_buf {
	char *data;
	size_t len;
	size_t cap;
} ma_buf;

void _ma_buf_init(ma_buf *buf, size_t cap);
void _ma_buf_destroy(ma_buf *buf);
/* Makes room for n more bytes (and a NUL). Aborts on out of memory, as
 * libbson does. */
void _ma_buf_reserve(ma_buf *buf, size_t n);
void _ma_buf_append(ma_buf *buf, const char *s, size_t n);
void _ma_buf_printf(ma_buf *buf, const char *fmt, ...) MA_PRINTF(2, 3);
/* The contents, NUL-terminated, handed to the caller (bson_free()); the
 * buffer is left empty. */
char *_ma_buf_steal(ma_buf *buf, size_t *len);

static inline void
_ma_buf_putc(ma_buf *buf, char c)
{
	if (buf->len + 1 >= buf->cap)
		_ma_buf_reserve(buf, 1);
	buf->data[buf->len++] = c;
}

/* --- BSON helpers (document.c) ------------------------------------------- */

/* A read-only view of the document or array it points at, valid while
 * its parent is. false when it holds something else. */
bool _ma_iter_view(const bson_iter_t *it, bson_t *view);

/* The ObjectId written as exactly 24 hex digits in s (NUL-terminated). */
bool _ma_oid_from_hex(const char *s, bson_oid_t *oid);

/* The filter that matches current only while it is stored unchanged: its
 * id, each of its fields' values, each declared field it lacks absent. */
void _ma_doc_unchanged_filter(const ma_doc *current, bson_t *out);

/* --- dates (datetime.c) -------------------------------------------------- */

/*
 * Parses an ISO 8601 date and time with a zone (Z or +hh:mm), years 0000 to
 * 9999, fraction truncated to milliseconds, into milliseconds since the
 * epoch. The whole of s[0..len) must be the date.
 */
bool _ma_datetime_parse(const char *s, size_t len, int64_t *ms);

/* Room for "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL. */
#define MA_DATETIME_SIZE 25

/*
 * Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out. Returns false (out
 * untouched) when the date is outside the years 0 to 9999.
 */
bool _ma_datetime_format(int64_t ms, char out[MA_DATETIME_SIZE]);

/* --- walking a document against its type (schema.c) ---------------------- */

/*
 * The state of a walk over a document: where we are (the path of the
 * field, "author.name" or "tags[2]") and the problems found so far.
 */
typedef struct ma_walk {
	ma_problems *problems;
	ma_buf path;
} ma_walk;

void _ma_walk_init(ma_walk *walk, ma_problems *problems);
void _ma_walk_destroy(ma_walk *walk);
/* Descends into key (n bytes) or list index i; returns what to pass to
 * _ma_walk_pop() to come back. */
size_t _ma_walk_push_key(ma_walk *walk, const char *key, size_t n);
size_t _ma_walk_push_index(ma_walk *walk, size_t i);
void _ma_walk_pop(ma_walk *walk, size_t mark);
/* A problem at the current path. */
void _ma_walk_problem(ma_walk *walk, const char *fmt, ...) MA_PRINTF(2, 3);
/* What a value of kind must be, for messages: "an integer" (schema.c). */
const char *_ma_kind_expects(ma_kind kind);
/* A problem at the current path saying what field expects: "must be ...". */
void _ma_walk_expect(ma_walk *walk, const ma_field *field);
/* Checks a key of an object being read from a client: '$', '.'. */
bool _ma_walk_check_key(ma_walk *walk, const char *key);

/* Value checks shared by JSON input and BSON validation; each adds the
 * problem itself and returns false. */
bool _ma_check_string(ma_walk *walk, const ma_field *field, const char *s,
		      size_t len);
bool _ma_check_int(ma_walk *walk, const ma_field *field, int64_t v);
bool _ma_check_float(ma_walk *walk, const ma_field *field, double v);
bool _ma_check_enum(ma_walk *walk, const ma_field *field, const char *s,
		    size_t len);
bool _ma_check_items(ma_walk *walk, const ma_field *field, size_t n);
/* Frees this thread's compiled regexes (ma_cleanup() calls it). */
void _ma_regex_cache_clear(void);

/*
 * Follows a dotted path of JSON names ("author.name") through type and its
 * embedded types. dbpath (when not NULL) gets the path's database form,
 * parts the type does not declare kept as given; *last (when not NULL) the
 * field of the last part, or NULL. Returns true when every part is a
 * declared field and each but the last an embedded document or a list of
 * them.
 */
bool _ma_type_path(const ma_type *type, const char *path, ma_buf *dbpath,
		   const ma_field **last);

/* The field whose database name is key (n bytes), or NULL. hint, when
 * not NULL, is where to look first and is moved past a match: documents
 * are usually stored in the order of their type's table. */
const ma_field *_ma_type_field_by_db_name(const ma_type *type, const char *key,
					  size_t n, size_t *hint);

/* Turns a problem list into an MA_ERR_VALIDATION error
 * "invalid Book: year: ...; title: ...". */
void _ma_error_from_problems(ma_error *error, const ma_type *type,
			     const ma_problems *problems);

/* The first problem as an MA_ERR_INVALID "path: message", for one
 * value checked alone; false (error untouched) when there is none. */
bool _ma_error_from_first_problem(ma_error *error, const ma_problems *problems);

/* The list to fill: given (emptied), or a new one when the caller passed
 * none. _ma_problems_done() frees the new one. */
ma_problems *_ma_problems_use(ma_problems *given);
void _ma_problems_done(ma_problems *used, ma_problems *given);

/* --- conversion and validation ------------------------------------------- */

/* Converts one JSON value for field into out under key (json-in.c). */
struct json_object;
void _ma_json_value_to_bson(ma_walk *walk, const ma_field *field,
			    struct json_object *value, bson_t *out,
			    const char *key);
/* ma_json_to_bson() for the fields given only: no defaults, nothing
 * required; what a partial update sends (json-in.c). */
bool _ma_json_to_bson_partial(const ma_type *type, const char *json,
			      size_t len, bson_t *out, ma_problems *problems,
			      ma_error *error);
/* Parses JSON text with our limits into a json-c value (an object when
 * `object`); NULL with MA_ERR_JSON filled. Duplicate keys are added to walk
 * (json-in.c). A JSON null gives NULL too, with error MA_OK. */
struct json_object *_ma_json_parse(const char *json, size_t len, bool object,
				   ma_walk *walk, ma_error *error);

/*
 * Converts f's default (its JSON text, parsed as strictly as input) into
 * out under key; problems go to walk. false when the text is not JSON,
 * which ma_type_check() refuses (json-in.c).
 */
bool _ma_default_to_bson(ma_walk *walk, const ma_field *field, bson_t *out,
			 const char *key);
/* Frees this thread's converted defaults (ma_cleanup() calls it). */
void _ma_default_cache_clear(void);

/* Appends doc as JSON, names and forms from type (NULL: none) (json-out.c). */
void _ma_json_write_doc(ma_buf *buf, const ma_type *type, const bson_t *doc);

/* Checks the declared fields of doc against type (validate.c). */
void _ma_validate_doc(ma_walk *walk, const ma_type *type, const bson_t *doc);
void _ma_validate_value(ma_walk *walk, const ma_field *field,
			const bson_iter_t *iter);

/* --- the database object and types (db.c) -------------------------------- */

/* Closes this process's client, if it has one: the master of a worker
 * pool after its start hook, so that no connection it opened lingers
 * beside the workers' own (db.c). */
void _ma_db_release(ma_db *db);

/* Appends the write concern for safe to opts; returns it (db.c). */
const mongoc_write_concern_t *_ma_db_write_concern(ma_db *db, ma_safe safe,
						   bson_t *opts);

/* A driver error while doing verb ("save", "read"...) to documents of
 * type: "cannot read Book: ...", without the password (db.c). */
void _ma_db_error(ma_db *db, ma_error *error, const bson_error_t *berr,
		  const char *verb, const ma_type *type);

/*
 * The collection of type, after making sure (once per process) that the
 * indexes of every type the database object knows exist. Registers type
 * when it is new. mongoc_collection_destroy() it.
 */
mongoc_collection_t *_ma_db_type_collection(ma_db *db, const ma_type *type,
					    ma_error *error);

/* --- queries (filter.c, query.c, update.c, page.c) ------------------------ */

/*
 * Converts value for field into out under key, checking the kind only
 * (bounds are for writes): what a filter compares with. field NULL is the
 * document's "_id". false with MA_ERR_INVALID naming path (filter.c).
 */
bool _ma_value_to_bson(const ma_field *field, const char *path,
		       const ma_value *value, bson_t *out, const char *key,
		       ma_error *error);

/*
 * Resolves a path of JSON names for a query: "_id", or declared fields
 * (dotted through embedded documents and lists of them). dbpath gets the
 * database form; *field the last field (NULL for "_id"). false with
 * MA_ERR_INVALID ("Book has no field 'x'") (filter.c).
 */
bool _ma_query_path(const ma_type *type, const char *path, ma_buf *dbpath,
		    const ma_field **field, ma_error *error);

/* Whether dotted path a is b or a field inside b (filter.c). */
bool _ma_path_within(const char *a, const char *b);

/* "^" and prefix with every regex metacharacter escaped: a literal prefix
 * match. bson_free() (filter.c). */
char *_ma_regex_prefix(const char *prefix);

/* Why this thread's last filter could not be built, into error: what a
 * call given a NULL filter reports (filter.c). */
void _ma_filter_failure(ma_error *error);

/* The filter as a query clause; the filter's type (filter.c). */
const ma_type *_ma_filter_type(const ma_filter *filter);

/*
 * Pagination arithmetic (page.c). The offset of page (>= 1) of per_page
 * (>= 1) items: false when it does not fit in 64 bits (a page past any
 * collection's end).
 */
bool _ma_page_offset(int64_t page, int64_t per_page, int64_t *skip);
/* ceil(total / per_page) for total >= 0, per_page >= 1, without overflow. */
int64_t _ma_page_pages(int64_t total, int64_t per_page);

/* Appends one value as JSON in field's form (field NULL: its natural form)
 * (json-out.c). */
void _ma_json_write_value(ma_buf *buf, const ma_field *field,
			  const bson_iter_t *iter);
/* Appends s (n bytes) as a JSON string (json-out.c). */
void _ma_json_write_string(ma_buf *buf, const char *s, size_t n);

#endif
