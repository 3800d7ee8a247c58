/*
 * The HTTP suites' tools, compiled once (Makefile.am):
 *
 *   httplib.c  answers, the assertions every answer goes through, memory
 *              that lives as long as the test; no transport
 *   stack.c    the transport through a front end (libcurl, MA_STACK_URL)
 *              and the handles on the stack that scripts/http-stack
 *              started: its master, its workers, its commands
 *   inproc.c   the transport without one: the example application in the
 *              test process, driven through _ma_app_handle()
 *
 * A program links httplib.c and one transport; both transports define
 * http_try() and http_ready().
 *
 * The stack says where it is through the environment (see
 * scripts/http-stack): MA_STACK_URL, MA_STACK_DIR, MA_STACK_WORKERS,
 * MA_STACK_MASTER_PID_FILE, MA_STACK_WORKER_LOG, MA_STACK_DATABASE,
 * MA_STACK_WORKER_BIN. Without them nothing of stack.c can work, and a
 * test says so instead of skipping: run the suite through
 * tests/http/with-stack.sh.
 *
 * Memory: what http() and tprintf() return lives until the test process
 * exits, so that a test reads as a list of requests and expectations.
 * http_try() is for threads: the caller frees its answer.
 */
#ifndef HTTPLIB_H
#define HTTPLIB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "http/http-private.h"

/* --- memory that lives as long as the test (main thread only) ------------- */

/* Frees p with release when the test process exits; returns p. */
void *keep(void *p, void (*release)(void *));
/* A formatted string that lives until the test ends. */
const char *tprintf(const char *fmt, ...) MA_PRINTF(1, 2);
/* s percent-encoded for a query string, as the server encodes its Link
 * parameters (_ma_qs_encode). */
const char *qenc(const char *s);

/* --- time ----------------------------------------------------------------- */

long long now_ms(void);
void sleep_ms(long ms);
/* Waits until the counter reaches n (threads count there); false after
 * ms. */
bool wait_count(atomic_int *counter, int n, long ms);

/* --- answers -------------------------------------------------------------- */

typedef struct http_header {
	char *name;
	char *value;
} http_header;

typedef struct http_resp {
	/* 0 when no answer came; error then says why. */
	long status;
	char *error;
	/* "GET /books?page=2", for messages. */
	char *what;
	/* The final answer's headers, in order, repeats kept. */
	http_header *headers;
	size_t nheaders;
	/* NUL-terminated; "" when there is none. */
	char *body;
	size_t len;
	/* The body parsed, when its type says JSON and it is. */
	json_object *json;
} http_resp;

/* Per-request options beyond the common ones. */
typedef struct http_opts {
	long timeout_ms; /* 0: 20 s */
	/* More request headers, "Name: value", ending with NULL. */
	const char *const *headers;
	/* The local address to send from ("127.0.0.2"); NULL: any. */
	const char *source;
} http_opts;

void http_headers_clear(http_resp *r);
/* Frees an answer and everything in it; NULL is a no-op. */
void http_free(http_resp *r);
void http_free_any(void *p);
/* The first value of a header, any case; NULL when it is absent. */
const char *http_header_get(const http_resp *r, const char *name);
/* How many times a header came. */
size_t http_header_count(const http_resp *r, const char *name);
/* Whether a Content-Type is JSON: application/json or any +json type. */
bool http_type_is_json(const char *type);
/* s as one JSON value with nothing after it; NULL when it is not. */
json_object *http_parse_json(const char *s, size_t len);
/* Whether a Content-Type's media type is exactly type, with no parameter
 * but charset=utf-8. */
bool http_media_type_is(const char *ct, const char *type);

/* --- requests ------------------------------------------------------------- */

/*
 * One request (the transport's: stack.c or inproc.c) to path_and_query,
 * sent as is: bad escapes and all. content_type NULL sends no
 * Content-Type at all; body may be NULL. Never asserts, so threads may
 * call stack.c's (inproc.c's serves the main thread: one application, one
 * MongoDB client): a transport failure gives status 0 and error. The
 * caller frees the answer with http_free().
 */
http_resp *http_try(const char *method, const char *path_and_query,
		    const char *content_type, const char *body, size_t len,
		    const http_opts *opts);
/* Fails the test when the transport cannot send at all (no stack, no
 * application), saying why. */
void http_ready(void);

/* One request, as http_try(), for the test's main thread: fails the test
 * when no answer comes at all. The answer lives until the test ends. */
http_resp *http(const char *method, const char *path_and_query,
		const char *content_type, const char *body, size_t len);
http_resp *http_get(const char *path_and_query);
/* A JSON body with its content type. */
http_resp *http_json(const char *method, const char *path, const char *json);

/* --- expectations on answers ---------------------------------------------- */

/* At most this much of a body goes into a failure message. */
#define HTTP_SHOWN 600

void expect_status(const http_resp *r, long status);
/* The Content-Type is type, charset=utf-8 the only parameter allowed. */
void expect_media_type(const http_resp *r, const char *type);
/* A header is there exactly once, with this value. */
void expect_header(const http_resp *r, const char *name, const char *value);
/* A 200/201 answer whose body is a JSON object; the object. */
json_object *expect_json(const http_resp *r, long status);
/* A member of an object that must be there. */
json_object *jget(const char *what, json_object *obj, const char *key);
void expect_jstr(const char *what, json_object *obj, const char *key,
		 const char *want);
void expect_jint(const char *what, json_object *obj, const char *key,
		 int64_t want);
void expect_jbool(const char *what, json_object *obj, const char *key,
		  bool want);
void expect_jnull(const char *what, json_object *obj, const char *key);
/* obj has exactly these keys ("a,b,c"), in any order. */
void expect_keys(const char *what, json_object *obj, const char *keys);
/* A string that is a 24-digit lower-case hexadecimal ObjectId. */
bool is_oid_hex(const char *s);
/* The reason phrases of RFC 9110, the problem titles. */
const char *http_reason(long status);
/* Case-insensitive strstr. */
const char *find_nocase(const char *hay, const char *needle);
/* An RFC 9457 problem of this status whose detail names mentions (NULL:
 * any non-empty detail); its body. */
json_object *expect_problem(const http_resp *r, long status,
			    const char *mentions);
/* The problem's errors list names field (and gives it a message). */
void expect_error_for(const http_resp *r, const char *field);

/* --- Link headers --------------------------------------------------------- */

typedef struct link_ref {
	char rel[16];
	char *url;
} link_ref;

/* The links of a Link header, in order; at most max. */
size_t links_parse(const char *header, link_ref *out, size_t max);
/* A link's URL in a form that compares its meaning, whatever the escapes'
 * letter case. */
const char *link_canon(const char *url);
/* The Link header holds exactly the links first, prev, next, last that
 * are not NULL, in that order, each pointing at the given URL. */
void expect_links(const http_resp *r, const char *first, const char *prev,
		  const char *next, const char *last);

/* --- files and process ids ------------------------------------------------ */

/* A whole file (or its part from offset) as a string; "" if absent. */
const char *read_file_from(const char *path, long offset);
long file_size(const char *path);
/* The pids, space-separated, for messages; lives until the test ends. */
const char *pid_list(const pid_t *pids, size_t n);

/* --- stack.c: the stack's environment, processes and commands ------------- */

/* An MA_STACK_* variable; the test fails when it is missing. */
const char *stack_env(const char *name);
/* libcurl callbacks that fill an ma_buf (body) and an http_resp
 * (headers: an interim answer's are forgotten). */
size_t http_on_body(char *data, size_t size, size_t n, void *ctx);
size_t http_on_header(char *data, size_t size, size_t n, void *ctx);
/* The state letter and parent of the process /proc/<pid> names; false
 * when it is gone. */
bool proc_stat(const char *pid, char *state, long *ppid);
/* Alive and not a zombie waiting for its parent. */
bool proc_alive(pid_t pid);
/* The live (not zombie) children of parent, at most max; their count. */
size_t proc_children(pid_t parent, pid_t *out, size_t max);
bool pid_in(pid_t pid, const pid_t *list, size_t n);
/* The current master's pid, from MA_STACK_MASTER_PID_FILE. */
pid_t stack_master_pid(void);
/* The current master's environment: NAME=value entries, each ended by a
 * NUL, up to *end. Overwritten by the next call. */
const char *stack_master_environ(const char **end);
/* A variable of the current master's environment; NULL when unset. */
const char *stack_master_getenv(const char *name);
int stack_workers(void);
/* The top of the source tree: $abs_top_srcdir, or two levels above this
 * program. */
const char *top_srcdir(void);
/* Starts a program, stdin from /dev/null, stdout and stderr into log
 * (NULL: stderr). envp NULL: this process's environment. */
pid_t spawn(const char *const argv[], char *const envp[], const char *log);
/* Waits up to ms for a child to end; true and *status when it did. */
bool wait_exit(pid_t pid, long ms, int *status);
/* Polls until pid is gone (not ours to wait for); true if it went. */
bool wait_gone(pid_t pid, long ms);
/* `scripts/http-stack CMD $MA_STACK_DIR`: its exit status, -1 when it
 * did not exit normally. */
int stack_cmd(const char *cmd);
/* stack_cmd() that must succeed. */
void stack_do(const char *cmd);
/* Every worker of the stack answers again (20 GETs of the first seed book
 * in a row), within ms. */
bool wait_serving(long ms);
/* GETs path until the answer is status, for up to ms; the last answer
 * (it lives until the test ends). */
http_resp *poll_status(const char *path, long status, long ms);

#endif
