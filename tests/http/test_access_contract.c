/*
 * The example's access control in-process, against the real test
 * database server (live.h), as test_contract drives the open example:
 * LIBRARY_JWKS_FILE names a set of development keys (token.c), and each
 * request carries a token signed by one of them, or none, or a bad one.
 *
 * Every rule of the example: the catalogue's reads public, its writes
 * for editor and admin, deletes for admin; /loans each caller's own,
 * admin all; and for every refused request, that nothing was stored or
 * changed. Each test names its callers after its own prefix, so that
 * what a caller lists is exactly what that test made.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "inproc.h"
#include "live.h"
#include "resources.h"
#include "token.h"
#include "app/app-private.h"
#include "auth/auth-private.h"
#include "library.h"
#include "library_app.h"

static char *database;
static char keys[64];

ReportHook(PRE_ALL)(struct criterion_test_set *tests)
{
	const char *given = getenv("MONGOALCHEMY_DATABASE");
	ma_error e;
	int fd;

	(void)tests;
	snprintf(keys, sizeof(keys), "/tmp/ma-access-jwks.XXXXXX");
	fd = mkstemp(keys);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || !library_token_keys(keys, &e)) {
		fprintf(stderr, "test_access_contract: no keys\n");
		return;
	}
	setenv("LIBRARY_JWKS_FILE", keys, 1);
	if (given == NULL || given[0] == '\0')
		return;
	database = live_unique_name("ma_access");
	setenv("MONGOALCHEMY_DATABASE", database, 1);
	if (!inproc_seed(&e))
		fprintf(stderr, "test_access_contract: not seeded: %s\n",
			e.message);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	unlink(keys);
	if (database != NULL) {
		live_drop_database(database);
		bson_free(database);
		database = NULL;
	}
	ma_cleanup();
}

TestSuite(catalogue, .fini = inproc_stop);
TestSuite(loans, .fini = inproc_stop);
TestSuite(tokens, .fini = inproc_stop);

/* --- callers -------------------------------------------------------------- */

/* This test's prefix for its callers' names: one per test process. */
static const char *
me(void)
{
	static const char *p;

	if (p == NULL)
		p = prefix();
	return p;
}

/* "Authorization: Bearer <token>" for who (this test's prefix added)
 * with roles (a JSON array's text), signed by kid, valid from now for
 * seconds (negative: expired that long ago). */
static const char *
bearer_for(const char *kid, const char *who, const char *roles, long seconds)
{
	long long now = (long long)time(NULL);
	const char *claims = tprintf(
		"{\"sub\":\"%s-%s\",\"iat\":%lld,\"exp\":%lld,\"roles\":%s}",
		me(), who, seconds < 0 ? now + 2 * seconds : now, now + seconds,
		roles);
	ma_error e;
	/* The set's name comes through the environment: each test runs in a
	 * process of its own. */
	char *token = library_token_sign(getenv("LIBRARY_JWKS_FILE"), kid,
					 claims, &e);

	cr_assert_not_null(token, "%s", e.message);
	keep(token, bson_free);
	return tprintf("Authorization: Bearer %s", token);
}

static const char *
as(const char *who, const char *roles)
{
	return bearer_for("dev-hs256", who, roles, 600);
}

/* The 401 or 403 of a refused request, with its challenge. */
static void
expect_refused(const http_resp *r, long status, const char *challenge)
{
	expect_problem(r, status, NULL);
	expect_header(r, "WWW-Authenticate", challenge);
}

#define NO_TOKEN "Bearer realm=\"library\""
#define BAD_TOKEN "Bearer realm=\"library\", error=\"invalid_token\""
#define NO_ROLE "Bearer realm=\"library\", error=\"insufficient_scope\""

/* How many books have this title. */
static int64_t
books_titled(const char *title)
{
	json_object *page = expect_json(
		http_get(tprintf("/books?title=%s", qenc(title))), 200);

	return json_object_get_int64(jget("books", page, "total"));
}

/* --- the catalogue -------------------------------------------------------- */

Test(catalogue, reads_stay_public)
{
	expect_json(http_get("/books"), 200);
	expect_json(http_get("/authors"), 200);
	expect_json(http_get("/books/since/2000"), 200);
	expect_json(http_get("/books/5f0000000000000000000b01"), 200);
}

Test(catalogue, a_write_without_a_token_is_a_401_and_stores_nothing)
{
	const char *title = tprintf("%s anonymous", prefix());

	expect_refused(
		http_json("POST", "/books", book_json(title, "Nobody", 2020)),
		401, NO_TOKEN);
	cr_assert_eq(books_titled(title), 0);
}

Test(catalogue, a_reader_may_not_write_and_an_editor_may_not_delete)
{
	const char *title = tprintf("%s by a reader", prefix());
	const char *id;
	http_resp *r;

	r = http_with("POST", "/books", book_json(title, "R", 2020),
		      as("rita", "[\"reader\"]"));
	expect_refused(r, 403, NO_ROLE);
	cr_assert_eq(books_titled(title), 0);

	r = http_with("POST", "/books", book_json(title, "E", 2020),
		      as("ed", "[\"editor\"]"));
	id = id_of(r->what, expect_json(r, 201));
	r = http_with("PATCH", tprintf("/books/%s", id), "{\"year\":1999}",
		      as("rita", "[\"reader\"]"));
	expect_refused(r, 403, NO_ROLE);
	r = http_with("DELETE", tprintf("/books/%s", id), NULL,
		      as("ed", "[\"editor\"]"));
	expect_refused(r, 403, NO_ROLE);
	expect_jint("unchanged",
		    expect_json(http_get(tprintf("/books/%s", id)), 200),
		    "year", 2020);

	r = http_with("DELETE", tprintf("/books/%s", id), NULL,
		      as("ada", "[\"admin\"]"));
	expect_status(r, 204);
	cr_assert_eq(books_titled(title), 0);
}

/* --- loans ---------------------------------------------------------------- */

static const char *
loan_json(const char *book)
{
	return tprintf("{\"book\":\"%s\",\"due\":\"2030-01-15T00:00:00Z\"}",
		       book);
}

/* A loan created by who: its id. */
static const char *
lend(const char *who)
{
	http_resp *r =
		http_with("POST", "/loans",
			  loan_json("5f0000000000000000000b01"), as(who, "[]"));
	json_object *doc = expect_json(r, 201);

	expect_jstr("a new loan", doc, "owner", tprintf("%s-%s", me(), who));
	return id_of(r->what, doc);
}

static int64_t
loans_of(const char *who, const char *roles, const char *query)
{
	http_resp *r = http_with("GET", tprintf("/loans%s", query), NULL,
				 as(who, roles));

	return json_object_get_int64(
		jget(r->what, expect_json(r, 200), "total"));
}

Test(loans, every_method_needs_a_caller)
{
	expect_refused(http_get("/loans"), 401, NO_TOKEN);
	expect_refused(http_get("/loans/5f0000000000000000000b01"), 401,
		       NO_TOKEN);
	expect_refused(http_json("POST", "/loans",
				 loan_json("5f0000000000000000000b01")),
		       401, NO_TOKEN);
	expect_refused(http("DELETE", "/loans/5f0000000000000000000b01", NULL,
			    NULL, 0),
		       401, NO_TOKEN);
}

Test(loans, each_caller_lists_their_own)
{
	lend("anna");
	lend("anna");
	lend("ben");
	cr_assert_eq(loans_of("anna", "[]", ""), 2);
	cr_assert_eq(loans_of("ben", "[]", ""), 1);
	cr_assert_eq(loans_of("cleo", "[]", ""), 0);
}

Test(loans, filtering_on_another_owner_is_never_obeyed)
{
	const char *anna = tprintf("%s-anna", me());

	lend("anna");
	cr_assert_eq(loans_of("ben", "[]", tprintf("?owner=%s", qenc(anna))),
		     0);
	cr_assert_eq(
		loans_of("ben", "[]", tprintf("?owner__ne=%s", qenc(anna))), 0);
	cr_assert_eq(
		loans_of("ben", "[]", tprintf("?owner__in=%s,x", qenc(anna))),
		0);
}

Test(loans, another_caller_s_loan_is_a_404_and_stays_as_it_was)
{
	const char *id = lend("anna");
	const char *path = tprintf("/loans/%s", id);
	const char *ben = as("ben", "[]");
	json_object *doc;

	expect_problem(http_with("GET", path, NULL, ben), 404, NULL);
	expect_problem(http_with("PUT", path,
				 loan_json("5f0000000000000000000b02"), ben),
		       404, NULL);
	expect_problem(http_with("PATCH", path,
				 "{\"due\":\"2031-01-01T00:00:00Z\"}", ben),
		       404, NULL);
	expect_problem(http_with("DELETE", path, NULL, ben), 404, NULL);

	doc = expect_json(http_with("GET", path, NULL, as("anna", "[]")), 200);
	expect_jstr("anna's loan", doc, "book", "5f0000000000000000000b01");
	cr_assert(strncmp(json_object_get_string(jget("due", doc, "due")),
			  "2030-01-15", 10) == 0);
}

Test(loans, a_body_naming_another_owner_is_a_403_and_stores_nothing)
{
	const char *ben = tprintf("%s-ben", me());
	const char *id;
	http_resp *r;

	r = http_with("POST", "/loans",
		      tprintf("{\"book\":\"5f0000000000000000000b01\",\"due\":"
			      "\"2030-01-15T00:00:00Z\",\"owner\":\"%s\"}",
			      ben),
		      as("anna", "[]"));
	expect_problem(r, 403, NULL);
	cr_assert_eq(loans_of("anna", "[]", ""), 0);
	cr_assert_eq(loans_of("ben", "[]", ""), 0);

	id = lend("anna");
	r = http_with("PATCH", tprintf("/loans/%s", id),
		      tprintf("{\"owner\":\"%s\"}", ben), as("anna", "[]"));
	expect_problem(r, 403, NULL);
	r = http_with("PATCH", tprintf("/loans/%s", id), "{\"owner\":null}",
		      as("anna", "[]"));
	cr_assert(r->status == 403 || r->status == 400, "%s: %ld", r->what,
		  r->status);
	r = http_with("PUT", tprintf("/loans/%s", id),
		      tprintf("{\"book\":\"5f0000000000000000000b01\",\"due\":"
			      "\"2030-01-15T00:00:00Z\",\"owner\":\"%s\"}",
			      ben),
		      as("anna", "[]"));
	expect_problem(r, 403, NULL);
	cr_assert_eq(loans_of("anna", "[]", ""), 1);
	cr_assert_eq(loans_of("ben", "[]", ""), 0);
}

/* A bulk create is a create: every item gets the caller as its owner, an
 * item naming another is a 403 for the whole array, and the catalogue's
 * roles apply as to one document. */
Test(loans, a_bulk_create_makes_every_loan_the_caller_s)
{
	const char *anna = tprintf("%s-anna", me());
	const char *two =
		tprintf("[%s,%s]", loan_json("5f0000000000000000000b01"),
			loan_json("5f0000000000000000000b02"));
	http_resp *r = http_with("POST", "/loans", two, as("anna", "[]"));
	size_t i;

	expect_status(r, 201);
	cr_assert_eq(json_object_array_length(r->json), 2, "%s", r->body);
	for (i = 0; i < 2; i++)
		expect_jstr(r->what, json_object_array_get_idx(r->json, i),
			    "owner", anna);
	cr_assert_eq(loans_of("anna", "[]", ""), 2);
	cr_assert_eq(loans_of("ben", "[]", ""), 0);

	r = http_with("POST", "/loans",
		      tprintf("[%s,{\"book\":\"5f0000000000000000000b01\","
			      "\"due\":\"2030-01-15T00:00:00Z\",\"owner\":"
			      "\"%s-ben\"}]",
			      loan_json("5f0000000000000000000b03"), me()),
		      as("anna", "[]"));
	expect_problem(r, 403, "owner");
	cr_assert_eq(loans_of("anna", "[]", ""), 2);
	cr_assert_eq(loans_of("ben", "[]", ""), 0);
	expect_refused(http_json("POST", "/loans", two), 401, NO_TOKEN);
}

Test(catalogue, a_bulk_create_needs_the_create_s_role)
{
	const char *p = prefix();
	const char *two = tprintf("[%s,%s]", book_json(p, "A", 2000),
				  book_json(p, "B", 2001));

	expect_refused(http_json("POST", "/books", two), 401, NO_TOKEN);
	expect_refused(
		http_with("POST", "/books", two, as("rita", "[\"reader\"]")),
		403, NO_ROLE);
	cr_assert_eq(books_titled(p), 0);
	expect_status(
		http_with("POST", "/books", two, as("ed", "[\"editor\"]")),
		201);
	cr_assert_eq(books_titled(p), 2);
}

Test(loans, the_owner_changes_their_own_and_keeps_it)
{
	const char *id = lend("anna");
	const char *path = tprintf("/loans/%s", id);
	json_object *doc;

	doc = expect_json(http_with("PUT", path,
				    loan_json("5f0000000000000000000b02"),
				    as("anna", "[]")),
			  200);
	expect_jstr("replaced", doc, "owner", tprintf("%s-anna", me()));
	expect_jstr("replaced", doc, "book", "5f0000000000000000000b02");
	doc = expect_json(http_with("PATCH", path,
				    "{\"due\":\"2031-02-01T00:00:00Z\"}",
				    as("anna", "[]")),
			  200);
	expect_jstr("patched", doc, "owner", tprintf("%s-anna", me()));
	expect_status(http_with("DELETE", path, NULL, as("anna", "[]")), 204);
	cr_assert_eq(loans_of("anna", "[]", ""), 0);
}

/* embed=book on a caller's own loans: the public book is shown; the
 * loans of others stay out of the page as before. */
Test(loans, embed_book_shows_the_book_of_each_own_loan)
{
	const char *id = lend("dora");
	http_resp *r = http_with("GET", tprintf("/loans/%s?embed=book", id),
				 NULL, as("dora", "[]"));
	json_object *book = jget(r->what, expect_json(r, 200), "book");

	expect_jstr(r->what, book, "_id", "5f0000000000000000000b01");
	expect_jstr(r->what, book, "title", "Dive Into Python");
	cr_assert_null(json_object_object_get(r->json, "_unresolved"));

	r = http_with("GET", "/loans?embed=book", NULL, as("dora", "[]"));
	book = jget(r->what,
		    json_object_array_get_idx(
			    jget(r->what, expect_json(r, 200), "items"), 0),
		    "book");
	expect_jint(r->what, r->json, "total", 1);
	expect_jstr(r->what, book, "title", "Dive Into Python");

	/* Another caller's loan stays a 404, embed= or not. */
	expect_problem(http_with("GET", tprintf("/loans/%s?embed=book", id),
				 NULL, as("eve", "[]")),
		       404, NULL);
	/* The catalogue's reviews embed their public book for anyone. */
	r = http_get("/reviews/5f0000000000000000000c01?embed=book");
	expect_jstr(r->what, jget(r->what, expect_json(r, 200), "book"),
		    "title", "Dive Into Python");
}

/* A note on a loan: a reference to a type whose resource (/loans) keeps
 * each caller to their own, embedded from a route of its own. */
static const ma_field note_fields[] = {MA_REF("loan", &library_loan_type),
				       MA_FIELDS_END};
static const ma_type note_type = {.name = "LoanNote", .fields = note_fields};

/*
 * What a note on loan shows in the example's app, for a request with
 * authorization (an Authorization header; NULL: none) and, where a policy
 * let the caller in, user: "embedded", or the reason under _unresolved.
 */
static const char *
note_shows(const char *loan, const char *authorization, const ma_user *user)
{
	ma_app *app = library_app_new();
	const char *json = tprintf("{\"loan\":\"%s\"}", loan);
	ma_doc *note = ma_doc_new_from_json(&note_type, json, strlen(json),
					    NULL, NULL);
	ma_embed_req em = {.fields = {&note_fields[0]}, .n = 1};
	char *env[4] = {"REQUEST_METHOD=GET", "REQUEST_URI=/notes", NULL, NULL};
	const char *shown = "embedded", *why;
	json_object *doc;
	char *text;
	ma_request req;
	ma_status st;
	ma_error e;

	if (authorization != NULL)
		env[2] = (char *)tprintf("HTTP_AUTHORIZATION=%s",
					 authorization +
						 strlen("Authorization: "));
	cr_assert_not_null(note);
	cr_assert(_ma_request_init(&req, 1024, env, NULL, NULL, &st, &e), "%s",
		  e.message);
	req.user = user;
	cr_assert(
		_ma_embed_docs(app, &req, app->dbs[0], &em, &note, 1, NULL, &e),
		"%s", e.message);
	text = ma_doc_to_json(note, NULL);
	doc = json_tokener_parse(text);
	bson_free(text);
	if (json_object_is_type(json_object_object_get(doc, "loan"),
				json_type_string)) {
		why = json_object_get_string(json_object_object_get(
			json_object_object_get(doc, "_unresolved"), "loan"));
		shown = tprintf("%s", why != NULL ? why : "(no reason)");
	}
	json_object_put(doc);
	_ma_request_destroy(&req);
	ma_doc_destroy(note);
	ma_app_destroy(app);
	return shown;
}

Test(loans, a_loan_embedded_elsewhere_is_shown_to_whom_may_read_it)
{
	const char *id = lend("fay");
	char *no_roles[] = {NULL};
	ma_user fay = {(char *)tprintf("%s-fay", me()), no_roles, 0};
	ma_user gus = {(char *)tprintf("%s-gus", me()), no_roles, 0};

	/* A public route: the request's own credentials name the caller. */
	cr_assert_str_eq(note_shows(id, as("fay", "[]"), NULL), "embedded");
	cr_assert_str_eq(note_shows(id, as("gus", "[]"), NULL), "forbidden");
	cr_assert_str_eq(note_shows(id, as("root", "[\"admin\"]"), NULL),
			 "embedded");
	cr_assert_str_eq(note_shows(id, NULL, NULL), "forbidden");
	cr_assert_str_eq(note_shows(id, "Authorization: Bearer x.y.z", NULL),
			 "forbidden");
	/* A route behind a policy: the caller it let in. */
	cr_assert_str_eq(note_shows(id, NULL, &fay), "embedded");
	cr_assert_str_eq(note_shows(id, NULL, &gus), "forbidden");
	/* Not stored: missing, whoever asks. */
	cr_assert_str_eq(note_shows(absent_id(), as("fay", "[]"), NULL),
			 "missing");
}

Test(loans, admin_sees_and_changes_every_loan)
{
	const char *id = lend("anna");
	const char *admin = as("root", "[\"admin\"]");
	json_object *doc;

	lend("ben");
	cr_assert_geq(loans_of("root", "[\"admin\"]", ""), 2);
	cr_assert_eq(loans_of("root", "[\"admin\"]",
			      tprintf("?owner=%s-anna", qenc(me()))),
		     1);
	doc = expect_json(http_with("PUT", tprintf("/loans/%s", id),
				    loan_json("5f0000000000000000000b02"),
				    admin),
			  200);
	/* The stored owner stays when the admin names none. */
	expect_jstr("replaced by admin", doc, "owner",
		    tprintf("%s-anna", me()));
	expect_status(
		http_with("DELETE", tprintf("/loans/%s", id), NULL, admin),
		204);
	cr_assert_eq(loans_of("anna", "[]", ""), 0);
}

/* --- tokens through the application --------------------------------------- */

Test(tokens, an_rs256_token_of_the_set_is_taken)
{
	http_resp *r = http_with("GET", "/loans", NULL,
				 bearer_for("dev-rs256", "rs", "[]", 600));

	expect_json(r, 200);
}

Test(tokens, an_expired_token_is_a_401_invalid_token)
{
	const char *title = tprintf("%s expired", prefix());
	http_resp *r =
		http_with("POST", "/books", book_json(title, "X", 2000),
			  bearer_for("dev-hs256", "ed", "[\"editor\"]", -600));

	expect_refused(r, 401, BAD_TOKEN);
	cr_assert_eq(books_titled(title), 0);
}

Test(tokens, a_token_in_the_query_string_is_ignored)
{
	const char *h = as("anna", "[]") + strlen("Authorization: Bearer ");

	expect_refused(http_get(tprintf("/loans?access_token=%s", h)), 401,
		       NO_TOKEN);
}

int
main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int status = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true))
		status = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return status;
}

/* --- the API description ------------------------------------------------- */

TestSuite(openapi, .fini = inproc_stop);

/* The member at a path of keys, NULL-terminated; NULL where one is
 * missing. */
static json_object *
at(json_object *o, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, o);
	while (o != NULL && (key = va_arg(ap, const char *)) != NULL) {
		if (!json_object_object_get_ex(o, key, &o))
			o = NULL;
	}
	va_end(ap);
	return o;
}

/* An operation's security is the bearer scheme, with its 401 and 403, or
 * none of the three. */
static void
expect_guarded(json_object *doc, const char *path, const char *method,
	       bool guarded)
{
	json_object *op = at(doc, "paths", path, method, NULL);
	json_object *security = at(op, "security", NULL);

	cr_assert_not_null(op, "no %s %s", method, path);
	cr_assert_eq(security != NULL, guarded, "%s %s: security", method,
		     path);
	cr_assert_eq(at(op, "responses", "401", NULL) != NULL, guarded,
		     "%s %s: 401", method, path);
	cr_assert_eq(at(op, "responses", "403", NULL) != NULL, guarded,
		     "%s %s: 403", method, path);
	if (guarded)
		cr_assert_not_null(at(json_object_array_get_idx(security, 0),
				      "bearer", NULL),
				   "%s %s: the bearer scheme", method, path);
}

Test(openapi, the_bearer_scheme_guards_what_the_policies_guard)
{
	json_object *doc = expect_json(http_get("/openapi.json"), 200);

	expect_jstr("the scheme",
		    at(doc, "components", "securitySchemes", "bearer", NULL),
		    "scheme", "bearer");
	expect_guarded(doc, "/books", "get", false);
	expect_guarded(doc, "/books/{id}", "get", false);
	expect_guarded(doc, "/books", "post", true);
	expect_guarded(doc, "/books/{id}", "patch", true);
	expect_guarded(doc, "/books/{id}", "delete", true);
	expect_guarded(doc, "/loans", "get", true);
	expect_guarded(doc, "/loans/{id}", "get", true);
	expect_guarded(doc, "/healthz", "get", false);
}
