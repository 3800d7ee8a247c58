/*
 * The transport through a front end (httplib.h): libcurl to the stack
 * that scripts/http-stack started, and the handles on that stack: its
 * master, its workers, its commands.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <curl/curl.h>

#include "httplib.h"

/* --- the stack's environment ---------------------------------------------- */

/* An MA_STACK_* variable; the test fails when it is missing. */
const char *
stack_env(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v != NULL && v[0] != '\0',
		  "%s is not set: these tests need the stack of "
		  "scripts/http-stack; run tests/http/test_http_nginx.sh "
		  "(or scripts/http-stack exec -- tests/http/test_http)",
		  name);
	return v;
}

size_t
http_on_body(char *data, size_t size, size_t n, void *ctx)
{
	_ma_buf_append(ctx, data, size * n);
	return size * n;
}

size_t
http_on_header(char *data, size_t size, size_t n, void *ctx)
{
	http_resp *r = ctx;
	size_t len = size * n;
	const char *colon;

	/* An interim answer (100 Continue) starts over: only the final
	 * answer's headers count. */
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		http_headers_clear(r);
		return len;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	colon = memchr(data, ':', len);
	if (colon == NULL)
		return size * n;
	r->headers = bson_realloc(r->headers,
				  (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders].name =
		bson_strndup(data, (size_t)(colon - data));
	colon++;
	while (colon < data + len && (*colon == ' ' || *colon == '\t'))
		colon++;
	r->headers[r->nheaders].value =
		bson_strndup(colon, (size_t)(data + len - colon));
	r->nheaders++;
	return size * n;
}

void
http_ready(void)
{
	stack_env("MA_STACK_URL");
}

/*
 * One request to MA_STACK_URL + path_and_query (sent as is: bad escapes
 * and all). content_type NULL sends no Content-Type at all; body may be
 * NULL. Never asserts, so threads may call it: a transport failure gives
 * status 0 and error. The caller frees the answer with http_free().
 */
http_resp *
http_try(const char *method, const char *path_and_query,
	 const char *content_type, const char *body, size_t len,
	 const http_opts *opts)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	const char *base = getenv("MA_STACK_URL");
	http_resp *r = bson_malloc0(sizeof(*r));
	char *url, *ctype;
	ma_buf out;
	CURLcode rc;
	CURL *curl;

	r->what = bson_strdup_printf("%s %s", method, path_and_query);
	_ma_buf_init(&out, 1024);
	if (base == NULL || base[0] == '\0') {
		r->error = bson_strdup("MA_STACK_URL is not set");
		r->body = _ma_buf_steal(&out, NULL);
		return r;
	}
	/* Thread-safe since curl 7.84; a no-op after the first call. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	url = bson_strdup_printf("%s%s", base, path_and_query);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
			 opts != NULL && opts->timeout_ms > 0 ? opts->timeout_ms
							      : 20000L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	if (opts != NULL && opts->source != NULL)
		curl_easy_setopt(curl, CURLOPT_INTERFACE, opts->source);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	}
	/* "Content-Type:" with nothing after it makes curl send none. */
	ctype = bson_strdup_printf("Content-Type:%s%s",
				   content_type != NULL ? " " : "",
				   content_type != NULL ? content_type : "");
	hdrs = curl_slist_append(hdrs, ctype);
	for (size_t i = 0;
	     opts != NULL && opts->headers != NULL && opts->headers[i] != NULL;
	     i++)
		hdrs = curl_slist_append(hdrs, opts->headers[i]);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	} else {
		r->error = bson_strdup_printf("%s: %s", curl_easy_strerror(rc),
					      errbuf);
		r->status = 0;
	}
	r->body = _ma_buf_steal(&out, &r->len);
	if (r->status != 0 && r->len > 0 &&
	    http_type_is_json(http_header_get(r, "Content-Type")))
		r->json = http_parse_json(r->body, r->len);

	curl_slist_free_all(hdrs);
	curl_easy_cleanup(curl);
	bson_free(ctype);
	bson_free(url);
	return r;
}

/* --- the stack's processes and commands ----------------------------------- */

/* The state letter and parent of the process /proc/<pid> names; false
 * when it is gone. */
bool
proc_stat(const char *pid, char *state, long *ppid)
{
	char path[288], buf[512], *rp;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The state follows the command name, which may hold spaces and
	 * parentheses: look after the last ')'. */
	rp = strrchr(buf, ')');
	return rp != NULL && sscanf(rp + 1, " %c %ld", state, ppid) == 2;
}

/* Alive and not a zombie waiting for its parent. */
bool
proc_alive(pid_t pid)
{
	char id[24], state;
	long ppid;

	if (pid <= 0 || kill(pid, 0) != 0)
		return false;
	snprintf(id, sizeof(id), "%ld", (long)pid);
	return proc_stat(id, &state, &ppid) && state != 'Z' && state != 'X';
}

/* The live (not zombie) children of parent, at most max; their count. */
size_t
proc_children(pid_t parent, pid_t *out, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	long ppid;
	char state;
	DIR *d;

	d = opendir("/proc");
	cr_assert_not_null(d, "/proc: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    !proc_stat(de->d_name, &state, &ppid))
			continue;
		if (ppid != (long)parent || state == 'Z' || state == 'X')
			continue;
		if (n < max)
			out[n] = (pid_t)atol(de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

bool
pid_in(pid_t pid, const pid_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i] == pid)
			return true;
	}
	return false;
}

/* The current master's pid, from MA_STACK_MASTER_PID_FILE. */
pid_t
stack_master_pid(void)
{
	const char *file = stack_env("MA_STACK_MASTER_PID_FILE");
	long pid = 0;
	FILE *f = fopen(file, "r");

	cr_assert_not_null(f, "%s: %s", file, strerror(errno));
	cr_assert(fscanf(f, "%ld", &pid) == 1 && pid > 1, "%s holds no pid",
		  file);
	fclose(f);
	return (pid_t)pid;
}

/* The current master's environment: NAME=value entries, each ended by a
 * NUL, up to *end. Overwritten by the next call. */
const char *
stack_master_environ(const char **end)
{
	static char env[65536];
	const char *file =
		tprintf("/proc/%ld/environ", (long)stack_master_pid());
	FILE *f = fopen(file, "r");
	size_t len;

	cr_assert_not_null(f, "%s: %s", file, strerror(errno));
	len = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[len] = '\0';
	*end = env + len;
	return env;
}

/* A variable of the current master's environment; NULL when unset. */
const char *
stack_master_getenv(const char *name)
{
	const char *e, *end;
	size_t n = strlen(name);

	for (e = stack_master_environ(&end); e < end; e += strlen(e) + 1) {
		if (strncmp(e, name, n) == 0 && e[n] == '=')
			return tprintf("%s", e + n + 1);
	}
	return NULL;
}

int
stack_workers(void)
{
	int n = atoi(stack_env("MA_STACK_WORKERS"));

	cr_assert(n >= 1, "MA_STACK_WORKERS is \"%s\"",
		  getenv("MA_STACK_WORKERS"));
	return n;
}

/* The top of the source tree: $abs_top_srcdir (set by make check), or two
 * levels above this program (tests/http/test_http). */
const char *
top_srcdir(void)
{
	const char *env = getenv("abs_top_srcdir");
	char exe[4096], *slash;
	ssize_t n;
	int up;

	if (env != NULL && env[0] != '\0')
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert(n > 0, "/proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	/* libtool may keep the real program one level deeper, in .libs. */
	up = strstr(exe, "/.libs/") != NULL ? 4 : 3;
	while (up-- > 0 && (slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	return tprintf("%s", exe);
}

/*
 * Starts a program with stdin from /dev/null and stdout and stderr into
 * log (NULL: stderr for both, so that nothing reaches the TAP stream on
 * stdout). envp NULL: this process's environment.
 */
pid_t
spawn(const char *const argv[], char *const envp[], const char *log)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid > 0)
		return pid;
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	if (log != NULL) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 2);
	}
	dup2(2, 1);
	if (envp != NULL)
		execve(argv[0], (char *const *)argv, envp);
	else
		execv(argv[0], (char *const *)argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Waits up to ms for a child to end; true and *status when it did. */
bool
wait_exit(pid_t pid, long ms, int *status)
{
	long long deadline = now_ms() + ms;
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return true;
		if (got < 0 && errno != EINTR)
			return false;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(20);
	}
}

/* Polls until pid is gone (not ours to wait for); true if it went. */
bool
wait_gone(pid_t pid, long ms)
{
	long long deadline = now_ms() + ms;

	while (proc_alive(pid)) {
		if (now_ms() >= deadline)
			return false;
		sleep_ms(20);
	}
	return true;
}

/*
 * Runs `scripts/http-stack CMD $MA_STACK_DIR` and returns its exit
 * status (-1 when it did not exit normally). Its output goes to stderr.
 */
int
stack_cmd(const char *cmd)
{
	const char *script = tprintf("%s/scripts/http-stack", top_srcdir());
	const char *argv[] = {script, cmd, stack_env("MA_STACK_DIR"), NULL};
	int status = 0;
	pid_t pid;

	pid = spawn(argv, NULL, NULL);
	cr_assert(wait_exit(pid, 120000, &status),
		  "%s %s: still running after 120 s", script, cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* stack_cmd() that must succeed. */
void
stack_do(const char *cmd)
{
	int rc = stack_cmd(cmd);

	cr_assert_eq(rc, 0, "scripts/http-stack %s exited with %d", cmd, rc);
}

/*
 * The stack answers again, every worker of it: 20 GETs of the example's
 * first seed book in a row answer 200 (one worker's 200 says nothing of
 * the others, which may still wait out their driver's reconnect delay).
 * For up to ms.
 */
bool
wait_serving(long ms)
{
	long long deadline = now_ms() + ms;
	int in_a_row = 0;
	http_resp *r;
	long status;

	while (in_a_row < 20) {
		r = http_try("GET", "/books/5f0000000000000000000b01", NULL,
			     NULL, 0, NULL);
		status = r->status;
		http_free(r);
		if (status == 200) {
			in_a_row++;
			continue;
		}
		in_a_row = 0;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(100);
	}
	return true;
}

http_resp *
poll_status(const char *path, long status, long ms)
{
	long long deadline = now_ms() + ms;
	http_opts o = {.timeout_ms = ms + 2000};
	http_resp *r;

	for (;;) {
		r = http_try("GET", path, NULL, NULL, 0, &o);
		keep(r, http_free_any);
		if (r->status == status || now_ms() >= deadline)
			return r;
		sleep_ms(100);
	}
}
