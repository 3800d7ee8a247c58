/*
 * ma_doc_insert_many() against a real MongoDB-protocol server: every
 * document stored in order, a duplicate in the middle, a server that is
 * not there, and one that stops answering in the middle of the write
 * (a server of the test's own, paused with SIGSTOP).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "library.h"
#include "live.h"
#include "config/config-private.h"

/* n books titled "<p>0".. in docs (the caller's array). */
static void
make_books(ma_doc **docs, size_t n, const char *p)
{
	ma_error e;
	size_t i;
	char *title;

	for (i = 0; i < n; i++) {
		docs[i] = ma_doc_new(&library_book_type);
		title = bson_strdup_printf("%s%zu", p, i);
		cr_assert(ma_doc_set_string(docs[i], "title", title, &e));
		cr_assert(ma_doc_set_json(docs[i], "author",
					  "{\"name\":\"Bulk\"}", NULL, &e),
			  "%s", e.message);
		cr_assert(
			ma_doc_set_int(docs[i], "year", 2000 + (int64_t)i, &e));
		bson_free(title);
	}
}

static void
destroy_books(ma_doc **docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ma_doc_destroy(docs[i]);
}

/* Whether a book with doc's id is stored in db. */
static bool
stored(ma_db *db, const ma_doc *doc)
{
	ma_query *q = ma_query_new(db, &library_book_type);
	ma_doc *found = NULL;
	bson_oid_t oid;
	ma_error e;

	cr_assert(ma_doc_id(doc, &oid));
	cr_assert(ma_query_get_oid(q, &oid, &found, &e), "%s", e.message);
	ma_query_destroy(q);
	ma_doc_destroy(found);
	return found != NULL;
}

Test(bulk_live, every_document_is_stored_in_order_with_its_id)
{
	live_own_db t = live_own_db_open("ma_bulk");
	ma_insert_state states[3];
	ma_doc *docs[3];
	ma_error e;
	size_t i;

	make_books(docs, 3, "B");
	cr_assert(ma_doc_insert_many(t.db, docs, 3, MA_SAFE_SESSION, states,
				     NULL, &e),
		  "%s", e.message);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(states[i], MA_INSERT_STORED);
		cr_assert(stored(t.db, docs[i]), "document %zu", i);
	}
	destroy_books(docs, 3);
	live_own_db_close(&t);
}

Test(bulk_live, a_duplicate_in_the_middle_stores_those_before_it_only)
{
	live_own_db t = live_own_db_open("ma_bulk");
	ma_insert_state states[4];
	ma_doc *docs[4];
	bson_oid_t oid;
	ma_error e;

	make_books(docs, 4, "D");
	cr_assert(ma_doc_insert(t.db, docs[2], MA_SAFE_SESSION, NULL, &e));
	cr_assert(ma_doc_id(docs[2], &oid));
	cr_assert_not(ma_doc_insert_many(t.db, docs, 4, MA_SAFE_SESSION, states,
					 NULL, &e));
	cr_assert_eq(e.code, MA_ERR_DUPLICATE, "%s", e.message);
	cr_assert_eq(states[0], MA_INSERT_STORED);
	cr_assert_eq(states[1], MA_INSERT_STORED);
	cr_assert_eq(states[2], MA_INSERT_REFUSED);
	cr_assert_eq(states[3], MA_INSERT_NOT_SENT);
	cr_assert(stored(t.db, docs[0]));
	cr_assert(stored(t.db, docs[1]));
	cr_assert_not(stored(t.db, docs[3]));
	destroy_books(docs, 4);
	live_own_db_close(&t);
}

Test(bulk_live, an_invalid_document_sends_nothing)
{
	live_own_db t = live_own_db_open("ma_bulk");
	ma_problems *p = ma_problems_new();
	ma_insert_state states[2];
	ma_doc *docs[2];
	ma_error e;

	make_books(docs, 2, "V");
	cr_assert(ma_doc_set_int(docs[1], "year", 10000, &e));
	cr_assert_not(ma_doc_insert_many(t.db, docs, 2, MA_SAFE_SESSION, states,
					 p, &e));
	cr_assert_eq(e.code, MA_ERR_VALIDATION);
	cr_assert_eq(ma_problems_count(p), 1);
	cr_assert_str_eq(ma_problems_field(p, 0), "[1].year");
	cr_assert_eq(states[0], MA_INSERT_NOT_SENT);
	cr_assert_not(ma_doc_id(docs[0], &(bson_oid_t){{0}}));
	ma_problems_destroy(p);
	destroy_books(docs, 2);
	live_own_db_close(&t);
}

Test(bulk_live, documents_of_two_types_are_refused)
{
	ma_db *db = live_db();
	ma_doc *docs[2] = {ma_doc_new(&library_book_type),
			   ma_doc_new(&library_author_type)};
	ma_insert_state states[2];
	ma_error e;

	cr_assert_not(ma_doc_insert_many(db, docs, 2, MA_SAFE_SESSION, states,
					 NULL, &e));
	cr_assert_eq(e.code, MA_ERR_INVALID);
	destroy_books(docs, 2);
	ma_db_destroy(db);
}

/* No server: nothing was sent, so nothing is stored, and that is known. */
Test(bulk_live, no_server_is_unavailable_and_nothing_sent)
{
	ma_db *db = live_stopped_db();
	ma_insert_state states[2];
	ma_doc *docs[2];
	ma_error e;

	make_books(docs, 2, "S");
	cr_assert_not(ma_doc_insert_many(db, docs, 2, MA_SAFE_SESSION, states,
					 NULL, &e));
	cr_assert_eq(e.code, MA_ERR_UNAVAILABLE, "%s", e.message);
	cr_assert_eq(states[0], MA_INSERT_NOT_SENT);
	cr_assert_eq(states[1], MA_INSERT_NOT_SENT);
	destroy_books(docs, 2);
	ma_db_destroy(db);
}

/* --- a server that stops answering mid-write ------------------------------ */

typedef struct own_server {
	char dir[256];
	char port[16];
	pid_t pid;
} own_server;

/* A FerretDB of the test's own (scripts/mongo-local start). */
static own_server
own_server_start(void)
{
	const char *top = getenv("abs_top_srcdir");
	own_server s = {.pid = 0};
	char line[512], *cmd;
	long pid = 0;
	FILE *out;

	/* make check says where the scripts are; make valgrind does not,
	 * and would trace the server's script and FerretDB too. */
	if (top == NULL)
		cr_skip_test("a server of its own needs abs_top_srcdir (make "
			     "check)");
	cmd = bson_strdup_printf("'%s/scripts/mongo-local' start", top);
	out = popen(cmd, "r");
	bson_free(cmd);
	cr_assert_not_null(out);
	while (fgets(line, sizeof(line), out) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "MONGO_LOCAL_DIR=", 16) == 0)
			bson_strncpy(s.dir, line + 16, sizeof(s.dir));
		else if (strncmp(line, "MONGO_LOCAL_PORT=", 17) == 0)
			bson_strncpy(s.port, line + 17, sizeof(s.port));
		else if (strncmp(line, "MONGO_LOCAL_PID=", 16) == 0)
			pid = strtol(line + 16, NULL, 10);
	}
	cr_assert_eq(pclose(out), 0, "scripts/mongo-local start failed");
	cr_assert(pid > 0 && s.dir[0] != '\0' && s.port[0] != '\0');
	s.pid = (pid_t)pid;
	return s;
}

static void
own_server_stop(own_server *s)
{
	const char *top = getenv("abs_top_srcdir");
	char *cmd;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGCONT);
	cmd = bson_strdup_printf("'%s/scripts/mongo-local' stop '%s'", top,
				 s->dir);
	cr_expect_eq(system(cmd), 0, "%s", cmd);
	bson_free(cmd);
	s->pid = 0;
}

/* The test's server, stopped by the test's .fini even when an assertion
 * ended the test early. */
static own_server silent;

static void
stop_silent(void)
{
	own_server_stop(&silent);
}

/* A database object on s that gives up on a silent server in 1.5 s. */
static ma_db *
own_server_db(const own_server *s)
{
	ma_config *cfg;
	ma_error e;
	ma_db *db;

	cfg = CONFIG_FROM(NULL, &e, {"MONGOALCHEMY_DATABASE", "bulk"},
			  {"MONGOALCHEMY_SERVER", "127.0.0.1"},
			  {"MONGOALCHEMY_PORT", s->port},
			  {"MONGOALCHEMY_OPTIONS",
			   "socketTimeoutMS=1500&connectTimeoutMS=1500&"
			   "serverSelectionTimeoutMS=1500"});
	cr_assert_not_null(cfg, "%s", e.message);
	db = ma_db_new_with_config(cfg, &e);
	cr_assert_not_null(db, "%s", e.message);
	return db;
}

/*
 * The server is paused after the connection is made: the insert is sent,
 * no answer comes, and the read that would tell what was stored cannot
 * reach the server either. Every document is unknown, none claimed. Once
 * the server runs again, the write it had received may well be applied:
 * which is why "unknown" is the only honest answer.
 */
Test(bulk_live, a_server_silent_mid_write_leaves_every_document_unknown,
     .fini = stop_silent, .timeout = 60)
{
	own_server *s = &silent;
	ma_db *db;
	ma_insert_state states[3];
	ma_doc *docs[3], *warm[1];
	ma_error e;
	size_t i;

	silent = own_server_start();
	db = own_server_db(s);
	/* Connected, indexes made: the next write goes straight out. */
	make_books(warm, 1, "W");
	cr_assert(ma_doc_insert_many(db, warm, 1, MA_SAFE_SESSION, states, NULL,
				     &e),
		  "%s", e.message);
	make_books(docs, 3, "P");
	cr_assert_eq(kill(s->pid, SIGSTOP), 0);
	cr_assert_not(ma_doc_insert_many(db, docs, 3, MA_SAFE_SESSION, states,
					 NULL, &e));
	cr_assert_eq(kill(s->pid, SIGCONT), 0);
	cr_assert_eq(e.code, MA_ERR_UNAVAILABLE, "%s", e.message);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(states[i], MA_INSERT_UNKNOWN, "document %zu: %d",
			     i, (int)states[i]);
		cr_assert(ma_doc_id(docs[i], &(bson_oid_t){{0}}),
			  "document %zu has no id to look for", i);
	}
	destroy_books(docs, 3);
	destroy_books(warm, 1);
	ma_db_destroy(db);
}
