/*
 * bench/ceiling: the bare C baseline of the HTTP benchmark ("bare C").
 *
 * The least a FastCGI worker can do for each scenario of the benchmark: the
 * same libmongoc calls as the framework's worker makes (a find with limit 1
 * and singleBatch for one book; a find with limit and batchSize for a page,
 * then a count only when the page is full; insert_one for a new book), and
 * the JSON written by the smallest correct hand-written writer: one pass
 * over the BSON into one buffer, no framework, no libbson extended JSON.
 * What the framework's worker costs more than this program is the
 * framework's price.
 *
 *   bench/ceiling --socket PATH [--workers N]
 *
 * MONGOALCHEMY_SERVER (localhost), MONGOALCHEMY_PORT (27017) and
 * MONGOALCHEMY_DATABASE (required) name the server; the collection is
 * "Book".
 *
 *   GET  /books/<24 hex>                      find one by _id
 *   GET  /books?page=N&per_page=M&year__gte=Y&_id__gt=<24 hex>
 *                                             a page (sorted by _id), and
 *                                             its total
 *   POST /books                               insert_one
 *
 * No validation, no schema: that is the point. A driver error is a 503.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <fcgios.h> /* OS_LibShutdown(): FCGX_Init()'s table */
#include <mongoc/mongoc.h>

#define MAX_BODY (1024 * 1024)
#define MAX_PER_PAGE 100 /* the framework's default bound */

static const char NOT_FOUND[] = "{\"error\":\"not found\"}";
static const char BAD_REQUEST[] = "{\"error\":\"bad request\"}";
static const char TOO_LARGE[] = "{\"error\":\"body too large\"}";

/* --- answers -------------------------------------------------------------- */

static void
reply(FCGX_Stream *out, const char *status, const char *location,
      const char *body, size_t len)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
		     "Status: %s\r\nContent-Type: application/json\r\n"
		     "Content-Length: %zu\r\n%s%s%s\r\n",
		     status, len, location ? "Location: " : "",
		     location ? location : "", location ? "\r\n" : "");
	FCGX_PutStr(head, n, out);
	FCGX_PutStr(body, (int)len, out);
}

#define REPLY_FIXED(out, status, body)                                         \
	reply((out), (status), NULL, (body), sizeof(body) - 1)

/* --- the JSON writer ----------------------------------------------------- */

typedef struct {
	char *p;
	size_t len, cap;
} buf;

static void
buf_grow(buf *b, size_t more)
{
	if (b->len + more + 1 > b->cap) {
		b->cap = (b->len + more + 1) * 2;
		b->p = bson_realloc(b->p, b->cap);
	}
}

static inline void
buf_put(buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void
buf_c(buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->len++] = c;
}

#define BUF_LIT(b, s) buf_put((b), (s), sizeof(s) - 1)

static void
buf_int(buf *b, int64_t v)
{
	char tmp[24], *e = tmp + sizeof(tmp), *q = e;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--q = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--q = '-';
	buf_put(b, q, (size_t)(e - q));
}

/* A JSON string: runs of plain bytes copied at once; '"', '\\' and control
 * characters escaped (the text is UTF-8 already: libbson checked it). */
static void
buf_str(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	buf_c(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			BUF_LIT(b, "\\\"");
			break;
		case '\\':
			BUF_LIT(b, "\\\\");
			break;
		case '\n':
			BUF_LIT(b, "\\n");
			break;
		case '\r':
			BUF_LIT(b, "\\r");
			break;
		case '\t':
			BUF_LIT(b, "\\t");
			break;
		default: {
			char u[6] = {'\\', 'u',		'0',
				     '0',  hex[c >> 4], hex[c & 15]};

			buf_put(b, u, 6);
		}
		}
	}
	buf_put(b, s + run, n - run);
	buf_c(b, '"');
}

static bool buf_value(buf *b, const bson_iter_t *it);

/* A document as an object (array: as an array, keys dropped). */
static bool
buf_doc(buf *b, bson_iter_t *it, bool array)
{
	bool first = true;

	buf_c(b, array ? '[' : '{');
	while (bson_iter_next(it)) {
		if (!first)
			buf_c(b, ',');
		first = false;
		if (!array) {
			buf_str(b, bson_iter_key(it), bson_iter_key_len(it));
			buf_c(b, ':');
		}
		if (!buf_value(b, it))
			return false;
	}
	buf_c(b, array ? ']' : '}');
	return true;
}

/* The kinds the books hold; anything else is refused (false). */
static bool
buf_value(buf *b, const bson_iter_t *it)
{
	bson_iter_t child;
	const char *s;
	uint32_t n;
	char num[32], oid[25];
	int k;

	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8:
		s = bson_iter_utf8(it, &n);
		buf_str(b, s, n);
		return true;
	case BSON_TYPE_INT32:
		buf_int(b, bson_iter_int32(it));
		return true;
	case BSON_TYPE_INT64:
		buf_int(b, bson_iter_int64(it));
		return true;
	case BSON_TYPE_DOUBLE:
		k = snprintf(num, sizeof(num), "%.17g", bson_iter_double(it));
		if (k <= 0 || (size_t)k >= sizeof(num) || strpbrk(num, "in"))
			return false; /* no JSON for NaN and the infinities */
		buf_put(b, num, (size_t)k);
		return true;
	case BSON_TYPE_BOOL:
		if (bson_iter_bool(it))
			BUF_LIT(b, "true");
		else
			BUF_LIT(b, "false");
		return true;
	case BSON_TYPE_NULL:
		BUF_LIT(b, "null");
		return true;
	case BSON_TYPE_OID:
		bson_oid_to_string(bson_iter_oid(it), oid);
		buf_c(b, '"');
		buf_put(b, oid, 24);
		buf_c(b, '"');
		return true;
	case BSON_TYPE_DOCUMENT:
	case BSON_TYPE_ARRAY:
		return bson_iter_recurse(it, &child) &&
		       buf_doc(b, &child,
			       bson_iter_type(it) == BSON_TYPE_ARRAY);
	default:
		return false;
	}
}

static bool
buf_bson(buf *b, const bson_t *doc)
{
	bson_iter_t it;

	return bson_iter_init(&it, doc) && buf_doc(b, &it, false);
}

static const char WRITE_FAILED[] = "{\"error\":\"a value with no JSON form\"}";

/* 503 with the driver's message, escaped by the writer. */
static void
reply_error(FCGX_Stream *out, const bson_error_t *error)
{
	buf b = {NULL, 0, 0};

	BUF_LIT(&b, "{\"error\":");
	buf_str(&b, error->message, strlen(error->message));
	buf_c(&b, '}');
	reply(out, "503 Service Unavailable", NULL, b.p, b.len);
	bson_free(b.p);
}

/* --- the three calls ------------------------------------------------------ */

static void
get_book(mongoc_collection_t *coll, const char *hex, FCGX_Stream *out)
{
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER;
	mongoc_cursor_t *cursor;
	const bson_t *doc;
	bson_error_t error;
	bson_oid_t oid;
	buf b = {NULL, 0, 0};

	if (strlen(hex) != 24 || !bson_oid_is_valid(hex, 24)) {
		REPLY_FIXED(out, "404 Not Found", NOT_FOUND);
		return;
	}
	bson_oid_init_from_string(&oid, hex);
	BSON_APPEND_OID(&filter, "_id", &oid);
	BSON_APPEND_INT64(&opts, "limit", 1);
	BSON_APPEND_BOOL(&opts, "singleBatch", true);
	cursor = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
	if (mongoc_cursor_next(cursor, &doc)) {
		if (buf_bson(&b, doc))
			reply(out, "200 OK", NULL, b.p, b.len);
		else
			REPLY_FIXED(out, "500 Internal Server Error",
				    WRITE_FAILED);
		bson_free(b.p);
	} else if (mongoc_cursor_error(cursor, &error)) {
		reply_error(out, &error);
	} else {
		REPLY_FIXED(out, "404 Not Found", NOT_FOUND);
	}
	mongoc_cursor_destroy(cursor);
	bson_destroy(&opts);
	bson_destroy(&filter);
}

/* A whole decimal number in [min, max]. */
static bool
parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* page, per_page and year__gte of the query string; false: a bad one. */
static bool
parse_query(const char *qs, long *page, long *per_page, bool *has_year,
	    long *year, bool *has_after, bson_oid_t *after)
{
	char *copy = bson_strdup(qs ? qs : ""), *save = NULL, *pair, *eq;
	bool ok = true;

	for (pair = strtok_r(copy, "&", &save); ok && pair;
	     pair = strtok_r(NULL, "&", &save)) {
		eq = strchr(pair, '=');
		if (eq == NULL)
			continue;
		*eq++ = '\0';
		if (strcmp(pair, "page") == 0)
			ok = parse_num(eq, 1, LONG_MAX, page);
		else if (strcmp(pair, "per_page") == 0)
			ok = parse_num(eq, 1, MAX_PER_PAGE, per_page);
		else if (strcmp(pair, "year__gte") == 0)
			ok = *has_year =
				parse_num(eq, LONG_MIN, LONG_MAX, year);
		else if (strcmp(pair, "_id__gt") == 0 &&
			 (ok = *has_after = strlen(eq) == 24 &&
					    bson_oid_is_valid(eq, 24)))
			bson_oid_init_from_string(after, eq);
	}
	bson_free(copy);
	/* The skip must fit. */
	return ok && *page - 1 <= INT64_MAX / *per_page;
}

static void
list_books(mongoc_collection_t *coll, const char *qs, FCGX_Stream *out)
{
	long page = 1, per_page = 20, year = 0;
	bool has_year = false, has_after = false, ok = true;
	bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, child;
	mongoc_cursor_t *cursor;
	const bson_t *doc;
	bson_error_t error;
	bson_oid_t after;
	buf b = {NULL, 0, 0};
	int64_t total = 0, skip, n = 0;

	if (!parse_query(qs, &page, &per_page, &has_year, &year, &has_after,
			 &after)) {
		REPLY_FIXED(out, "400 Bad Request", BAD_REQUEST);
		return;
	}
	if (has_year) {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "year", &child);
		BSON_APPEND_INT64(&child, "$gte", year);
		bson_append_document_end(&filter, &child);
	}
	if (has_after) {
		BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &child);
		BSON_APPEND_OID(&child, "$gt", &after);
		bson_append_document_end(&filter, &child);
	}
	skip = (int64_t)(page - 1) * per_page;
	BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &child);
	BSON_APPEND_INT32(&child, "_id", 1);
	bson_append_document_end(&opts, &child);
	if (skip > 0)
		BSON_APPEND_INT64(&opts, "skip", skip);
	BSON_APPEND_INT64(&opts, "limit", per_page);
	BSON_APPEND_INT32(&opts, "batchSize", (int32_t)per_page);

	BUF_LIT(&b, "{\"items\":[");
	cursor = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
	while (ok && mongoc_cursor_next(cursor, &doc)) {
		if (n++ > 0)
			buf_c(&b, ',');
		ok = buf_bson(&b, doc);
	}
	if (!ok) {
		REPLY_FIXED(out, "500 Internal Server Error", WRITE_FAILED);
	} else if (mongoc_cursor_error(cursor, &error)) {
		reply_error(out, &error);
	} else if (n < per_page) {
		/* A short page is the last: its total needs no count. */
		total = skip + n;
	} else if ((total = mongoc_collection_count_documents(
			    coll, &filter, NULL, NULL, NULL, &error)) < 0) {
		reply_error(out, &error);
		ok = false;
	}
	if (ok && total >= 0 && !mongoc_cursor_error(cursor, &error)) {
		BUF_LIT(&b, "],\"total\":");
		buf_int(&b, total);
		BUF_LIT(&b, ",\"page\":");
		buf_int(&b, page);
		BUF_LIT(&b, ",\"per_page\":");
		buf_int(&b, per_page);
		buf_c(&b, '}');
		reply(out, "200 OK", NULL, b.p, b.len);
	}
	mongoc_cursor_destroy(cursor);
	bson_free(b.p);
	bson_destroy(&opts);
	bson_destroy(&filter);
}

static void
create_book(mongoc_collection_t *coll, FCGX_Request *req)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", req->envp);
	bson_t *doc = NULL, stored = BSON_INITIALIZER;
	const bson_t *ins;
	bson_error_t error;
	bson_iter_t it;
	bson_oid_t oid;
	long length = 0;
	int got = 0, n;
	char *data = NULL, location[40];
	buf b = {NULL, 0, 0};

	if (cl != NULL && *cl != '\0' && !parse_num(cl, 0, LONG_MAX, &length)) {
		REPLY_FIXED(req->out, "400 Bad Request", BAD_REQUEST);
		goto done;
	}
	if (length > MAX_BODY) {
		REPLY_FIXED(req->out, "413 Content Too Large", TOO_LARGE);
		goto done;
	}
	data = bson_malloc((size_t)length + 1);
	while (got < length &&
	       (n = FCGX_GetStr(data + got, (int)length - got, req->in)) > 0)
		got += n;
	if (got < length ||
	    (doc = bson_new_from_json((const uint8_t *)data, length, &error)) ==
		    NULL) {
		REPLY_FIXED(req->out, "400 Bad Request", BAD_REQUEST);
		goto done;
	}

	/* A fresh _id, first, as the server would put it. */
	ins = doc;
	if (!bson_iter_init_find(&it, doc, "_id")) {
		bson_oid_init(&oid, NULL);
		BSON_APPEND_OID(&stored, "_id", &oid);
		bson_concat(&stored, doc);
		ins = &stored;
	}
	if (!mongoc_collection_insert_one(coll, ins, NULL, NULL, &error)) {
		reply_error(req->out, &error);
		goto done;
	}
	/* A Location only for an ObjectId: the one kind GET /books/ takes. */
	location[0] = '\0';
	if (bson_iter_init_find(&it, ins, "_id") && BSON_ITER_HOLDS_OID(&it)) {
		memcpy(location, "/books/", 7);
		bson_oid_to_string(bson_iter_oid(&it), location + 7);
	}
	if (buf_bson(&b, ins))
		reply(req->out, "201 Created", location[0] ? location : NULL,
		      b.p, b.len);
	else
		REPLY_FIXED(req->out, "500 Internal Server Error",
			    WRITE_FAILED);
	bson_free(b.p);
done:
	bson_destroy(&stored);
	if (doc)
		bson_destroy(doc);
	bson_free(data);
}

static void
handle(mongoc_collection_t *coll, FCGX_Request *req)
{
	const char *method = FCGX_GetParam("REQUEST_METHOD", req->envp);
	const char *uri = FCGX_GetParam("REQUEST_URI", req->envp);
	size_t n = uri ? strcspn(uri, "?") : 0;
	bool get = method && strcmp(method, "GET") == 0;

	if (n == 6 && strncmp(uri, "/books", 6) == 0 && get)
		list_books(coll, FCGX_GetParam("QUERY_STRING", req->envp),
			   req->out);
	else if (n == 6 && strncmp(uri, "/books", 6) == 0 && method &&
		 strcmp(method, "POST") == 0)
		create_book(coll, req);
	else if (n == 31 && strncmp(uri, "/books/", 7) == 0 && get) {
		char hex[25];

		memcpy(hex, uri + 7, 24);
		hex[24] = '\0';
		get_book(coll, hex, req->out);
	} else
		REPLY_FIXED(req->out, "404 Not Found", NOT_FOUND);
}

/* --- processes ------------------------------------------------------------ */

static volatile sig_atomic_t stop;
static int listen_fd = -1, dead_fd = -1;
static const char *host = "localhost", *db;
static long port = 27017;

/*
 * A worker's SIGTERM/SIGINT, with SA_RESTART so that the request in flight
 * finishes. An accept() in progress would be restarted and wait: pointing
 * the listening descriptor at a socket that does not listen makes it (and
 * any later one) fail at once, and FCGX_Accept_r() returns an error.
 */
static void
worker_signal(int sig)
{
	int saved = errno;

	(void)sig;
	stop = 1;
	if (dead_fd >= 0)
		(void)dup2(dead_fd, listen_fd);
	errno = saved;
}

static void
parent_signal(int sig)
{
	if (sig != SIGCHLD)
		stop = 1;
}

static void
on(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
}

static int
worker(pid_t parent, const sigset_t *mask)
{
	mongoc_uri_t *uri;
	mongoc_client_t *client;
	mongoc_collection_t *coll;
	FCGX_Request req;

	dead_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	on(SIGCHLD, SIG_DFL, 0);
	on(SIGPIPE, SIG_IGN, 0);
	on(SIGTERM, worker_signal, SA_RESTART);
	on(SIGINT, worker_signal, SA_RESTART);
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 0;
	sigprocmask(SIG_SETMASK, mask, NULL);

	mongoc_init();
	uri = mongoc_uri_new_for_host_port(host, (uint16_t)port);
	if (uri == NULL) {
		fprintf(stderr, "ceiling: bad MONGOALCHEMY_SERVER\n");
		mongoc_cleanup();
		return 1;
	}
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
				       2000);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 2000);
	client = mongoc_client_new_from_uri(uri);
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	coll = mongoc_client_get_collection(client, db, "Book");

	FCGX_InitRequest(&req, listen_fd, 0);
	while (!stop && FCGX_Accept_r(&req) == 0) {
		handle(coll, &req);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);

	mongoc_collection_destroy(coll);
	mongoc_client_destroy(client);
	mongoc_uri_destroy(uri);
	mongoc_cleanup();
	OS_LibShutdown();
	if (dead_fd >= 0)
		close(dead_fd);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: ceiling --socket PATH [--workers N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *path = NULL, *env;
	long workers = 2;
	int i, live = 0, status, rc = 0;
	pid_t *pids, pid, me = getpid();
	sigset_t block, orig;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
			if (!parse_num(argv[++i], 1, 1024, &workers))
				usage();
		} else
			usage();
	}
	if (path == NULL)
		usage();
	db = getenv("MONGOALCHEMY_DATABASE");
	if (db == NULL || *db == '\0') {
		fprintf(stderr, "ceiling: MONGOALCHEMY_DATABASE is not set\n");
		return 2;
	}
	if ((env = getenv("MONGOALCHEMY_SERVER")) != NULL && *env != '\0')
		host = env;
	if ((env = getenv("MONGOALCHEMY_PORT")) != NULL && *env != '\0' &&
	    !parse_num(env, 1, 65535, &port)) {
		fprintf(stderr, "ceiling: bad MONGOALCHEMY_PORT: %s\n", env);
		return 2;
	}

	if (FCGX_Init() != 0 || (listen_fd = FCGX_OpenSocket(path, 1024)) < 0) {
		fprintf(stderr, "ceiling: cannot listen on %s\n", path);
		return 1;
	}
	(void)chmod(path, 0666);

	/* Signals wait in the mask until sigsuspend(): none is lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	on(SIGTERM, parent_signal, 0);
	on(SIGINT, parent_signal, 0);
	on(SIGCHLD, parent_signal, 0);

	pids = calloc((size_t)workers, sizeof(*pids));
	if (pids == NULL) {
		perror("ceiling");
		unlink(path);
		return 1;
	}
	/* libmongoc 1.x initialises itself as it loads, in this parent too:
	 * the pair here makes its cleanup explicit. */
	mongoc_init();
	for (i = 0; i < workers; i++) {
		pid = fork();
		if (pid == 0) {
			free(pids);
			/* exit(): OpenSSL (of libmongoc) cleans up at exit. */
			exit(worker(me, &orig));
		}
		if (pid < 0) {
			perror("ceiling: fork");
			stop = 1;
			rc = 1;
			break;
		}
		pids[i] = pid;
		live++;
	}

	/* Until SIGTERM/SIGINT, or a worker's death (which stops them all). */
	while (!stop) {
		sigsuspend(&orig);
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < workers; i++)
				if (pids[i] == pid)
					pids[i] = 0;
			live--;
			fprintf(stderr, "ceiling: worker %ld died\n",
				(long)pid);
			stop = 1;
			rc = 1;
		}
	}
	for (i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (live > 0 && waitpid(-1, &status, 0) > 0)
		live--;
	free(pids);
	unlink(path);
	mongoc_cleanup();
	OS_LibShutdown();
	return rc;
}
