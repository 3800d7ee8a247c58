/*
 * Metrics shared by the workers of a pool, and their Prometheus text.
 *
 * One anonymous shared mapping, made before the fork: each worker adds to
 * the same counters with relaxed atomic adds, so a scrape that any worker
 * answers sees the whole pool, and a worker that dies (or is replaced on
 * SIGHUP) takes nothing with it but the request it was serving. Labels are
 * bounded: a route is its template, never the raw path; a status is one of
 * at most 1000 codes; a method one of seven.
 */
/* MAP_ANONYMOUS is not POSIX. */
#define _DEFAULT_SOURCE

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "app/app-private.h"

/* Request series (route, method, status): open addressing on a packed
 * key; a realistic application has a few hundred. */
#define SERIES 4096
/* Worker slots: MA_RUN_MAX_WORKERS, and room for replacements whose
 * predecessor is not reaped yet. */
#define SLOTS 1100

/* Driver commands by name; anything else is "other". */
static const char *const db_kinds[] = {
	"find",		 "getMore",   "insert", "update",   "delete",
	"findAndModify", "aggregate", "count",	"distinct", "createIndexes",
	"listIndexes",	 "ping",      "other",
};
#define DB_KINDS (sizeof(db_kinds) / sizeof(db_kinds[0]))

const uint64_t _ma_metrics_bucket_us[MA_METRICS_BUCKETS] = {
	100,   250,   500,    1000,   2500,   5000,    10000,
	25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
};
/* The same bounds as Prometheus reads them. */
static const char *const bucket_le[MA_METRICS_BUCKETS + 1] = {
	"0.0001", "0.00025", "0.0005", "0.001", "0.0025",
	"0.005",  "0.01",    "0.025",  "0.05",	"0.1",
	"0.25",	  "0.5",     "1",      "2.5",	"+Inf",
};

typedef struct route_hist {
	atomic_uint_fast64_t bucket[MA_METRICS_BUCKETS + 1];
	atomic_uint_fast64_t sum_us;
} route_hist;

struct ma_metrics {
	double start_time; /* seconds since the epoch */
	atomic_int workers;
	atomic_uint_fast64_t worker_starts;
	atomic_uint_fast64_t db_unavailable;
	atomic_uint_fast64_t db_ops[DB_KINDS][2]; /* [kind][ok] */
	atomic_uint_fast64_t db_us[DB_KINDS];
	/* route slot: 0 no route, 1..MA_METRICS_ROUTES-1 a template, the
	 * last every later template */
	route_hist hist[MA_METRICS_ROUTES + 1];
	atomic_uint_least32_t key[SERIES]; /* 0: free */
	atomic_uint_fast64_t count[SERIES];
	struct {
		atomic_int pid; /* 0: never taken */
		atomic_int in_flight;
	} slot[SLOTS];
};

static void forget_slot(void);
static bool atfork_done;

ma_metrics *
_ma_metrics_new(void)
{
	ma_metrics *m;
	struct timeval tv;

	/* Anonymous shared memory starts zeroed: every counter at 0. */
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Once per process, however many apps: a handler per call would
	 * pile up. */
	if (!atfork_done) {
		pthread_atfork(NULL, NULL, forget_slot);
		atfork_done = true;
	}
	gettimeofday(&tv, NULL);
	m->start_time = (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
	return m;
}

void
_ma_metrics_destroy(ma_metrics *m)
{
	if (m != NULL)
		munmap(m, sizeof(*m));
}

size_t
_ma_metrics_bucket(uint64_t us)
{
	size_t i;

	for (i = 0; i < MA_METRICS_BUCKETS; i++) {
		if (us <= _ma_metrics_bucket_us[i])
			break;
	}
	return i;
}

static size_t
route_slot(size_t route_id)
{
	return route_id < MA_METRICS_ROUTES ? route_id : MA_METRICS_ROUTES;
}

/* 0 for an unknown method, else 1 + the bit's position. */
static unsigned
method_index(unsigned method)
{
	unsigned i;

	for (i = 0; i < 7; i++) {
		if (method == 1u << i)
			return i + 1;
	}
	return 0;
}

void
_ma_metrics_request(ma_metrics *m, size_t route_id, unsigned method, int status,
		    uint64_t us)
{
	size_t r = route_slot(route_id), i, h;
	uint_least32_t key, seen;

	if (m == NULL)
		return;
	atomic_fetch_add_explicit(&m->hist[r].bucket[_ma_metrics_bucket(us)], 1,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&m->hist[r].sum_us, us, memory_order_relaxed);

	/* Never 0: the route slot is stored plus one. */
	if (status < 0 || status > 999)
		status = 0;
	key = (uint_least32_t)((r + 1) << 13 | method_index(method) << 10 |
			       (unsigned)status);
	h = (size_t)(_ma_fnv1a(&key, sizeof(key)) % SERIES);
	for (i = 0; i < SERIES; i++, h = (h + 1) % SERIES) {
		seen = atomic_load_explicit(&m->key[h], memory_order_acquire);
		if (seen == 0) {
			/* Claim the free entry, unless another process just
			 * did: then look at what it put there. */
			if (!atomic_compare_exchange_strong(&m->key[h], &seen,
							    key) &&
			    seen != key)
				continue;
			seen = key;
		}
		if (seen == key) {
			atomic_fetch_add_explicit(&m->count[h], 1,
						  memory_order_relaxed);
			return;
		}
	}
	/* XXX: a full table drops the count; 4096 series is far beyond
	 * what a route table gives (routes x methods x statuses used). */
}

static bool
pid_alive(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* This process's slot; a child forgets its parent's (pthread_atfork()),
 * so that no request pays a getpid() to find out. */
static int cached_slot = -1;

static void
forget_slot(void)
{
	cached_slot = -1;
}

/* This process's slot, taken the first time: a free one, or one whose
 * process is gone (what it had in flight is dropped with it). */
static int
my_slot(ma_metrics *m)
{
	pid_t me;
	int i, seen;

	if (cached_slot >= 0)
		return cached_slot;
	me = getpid();
	for (i = 0; i < SLOTS; i++) {
		seen = atomic_load(&m->slot[i].pid);
		if ((seen == 0 || !pid_alive(seen)) &&
		    atomic_compare_exchange_strong(&m->slot[i].pid, &seen,
						   (int)me)) {
			atomic_store(&m->slot[i].in_flight, 0);
			cached_slot = i;
			return i;
		}
	}
	return -1;
}

void
_ma_metrics_in_flight(ma_metrics *m, int delta)
{
	int i;

	if (m == NULL || (i = my_slot(m)) < 0)
		return;
	atomic_fetch_add_explicit(&m->slot[i].in_flight, delta,
				  memory_order_relaxed);
}

void
_ma_metrics_worker_started(ma_metrics *m)
{
	if (m == NULL)
		return;
	(void)my_slot(m);
	atomic_fetch_add(&m->worker_starts, 1);
}

void
_ma_metrics_set_workers(ma_metrics *m, int workers)
{
	if (m != NULL)
		atomic_store(&m->workers, workers);
}

void
_ma_metrics_db_command(ma_metrics *m, const char *name, bool ok, uint64_t us)
{
	size_t k;

	if (m == NULL)
		return;
	for (k = 0; k < DB_KINDS - 1; k++) {
		if (name != NULL && strcmp(name, db_kinds[k]) == 0)
			break;
	}
	atomic_fetch_add_explicit(&m->db_ops[k][ok ? 1 : 0], 1,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&m->db_us[k], us, memory_order_relaxed);
}

void
_ma_metrics_db_unavailable(ma_metrics *m)
{
	if (m != NULL)
		atomic_fetch_add_explicit(&m->db_unavailable, 1,
					  memory_order_relaxed);
}

/* --- the exposition ------------------------------------------------------- */

static void
family(ma_buf *out, const char *name, const char *type, const char *help)
{
	_ma_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		       type);
}

/* A label value: backslash, quote and newline escaped. */
static void
label_value(ma_buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			_ma_buf_putc(out, '\\');
		if (*s == '\n')
			_ma_buf_append(out, "\\n", 2);
		else
			_ma_buf_putc(out, *s);
	}
}

static void
route_label(ma_buf *out, const ma_router *router, size_t r)
{
	const char *t = r == 0 ? "unmatched"
			: r == MA_METRICS_ROUTES
				? "other"
				: _ma_router_template(router, r);

	_ma_buf_append(out, "route=\"", 7);
	label_value(out, t != NULL ? t : "other");
	_ma_buf_putc(out, '"');
}

/* Microseconds as seconds, exactly. */
static void
seconds(ma_buf *out, uint64_t us)
{
	_ma_buf_printf(out, "%llu.%06llu", (unsigned long long)(us / 1000000),
		       (unsigned long long)(us % 1000000));
}

typedef struct series {
	uint_least32_t key;
	uint64_t count;
} series;

static int
key_order(const void *a, const void *b)
{
	uint_least32_t x = ((const series *)a)->key;
	uint_least32_t y = ((const series *)b)->key;

	return x < y ? -1 : x > y;
}

static void
expose_requests(const ma_metrics *m, const ma_router *router, ma_buf *out)
{
	static series s[SERIES]; /* 64 KiB: not on a worker's stack */
	size_t i, n = 0;
	unsigned method;

	family(out, "http_requests_total", "counter",
	       "Requests answered, by route template, method and status.");
	for (i = 0; i < SERIES; i++) {
		s[n].key =
			atomic_load_explicit(&m->key[i], memory_order_acquire);
		if (s[n].key != 0)
			s[n++].count = atomic_load_explicit(
				&m->count[i], memory_order_relaxed);
	}
	qsort(s, n, sizeof(s[0]), key_order);
	for (i = 0; i < n; i++) {
		method = s[i].key >> 10 & 7;
		_ma_buf_append(out, "http_requests_total{", 20);
		route_label(out, router, (s[i].key >> 13) - 1);
		_ma_buf_printf(out, ",method=\"%s\",status=\"%u\"} %llu\n",
			       method == 0 ? "other"
					   : ma_method_name(1u << (method - 1)),
			       (unsigned)(s[i].key & 1023),
			       (unsigned long long)s[i].count);
	}
}

static void
expose_durations(const ma_metrics *m, const ma_router *router, ma_buf *out)
{
	uint64_t b[MA_METRICS_BUCKETS + 1], total;
	size_t r, i;

	family(out, "http_request_duration_seconds", "histogram",
	       "Time from a request's start to its answer's end, by route "
	       "template.");
	for (r = 0; r <= MA_METRICS_ROUTES; r++) {
		for (i = 0, total = 0; i <= MA_METRICS_BUCKETS; i++) {
			b[i] = atomic_load_explicit(&m->hist[r].bucket[i],
						    memory_order_relaxed);
			total += b[i];
		}
		if (total == 0)
			continue;
		for (i = 0, total = 0; i <= MA_METRICS_BUCKETS; i++) {
			total += b[i]; /* cumulative, as "le" means */
			_ma_buf_append(out,
				       "http_request_duration_seconds_bucket{",
				       37);
			route_label(out, router, r);
			_ma_buf_printf(out, ",le=\"%s\"} %llu\n", bucket_le[i],
				       (unsigned long long)total);
		}
		_ma_buf_append(out, "http_request_duration_seconds_sum{", 34);
		route_label(out, router, r);
		_ma_buf_append(out, "} ", 2);
		seconds(out, atomic_load_explicit(&m->hist[r].sum_us,
						  memory_order_relaxed));
		_ma_buf_append(out, "\nhttp_request_duration_seconds_count{",
			       37);
		route_label(out, router, r);
		_ma_buf_printf(out, "} %llu\n", (unsigned long long)total);
	}
}

static void
expose_db(const ma_metrics *m, ma_buf *out)
{
	size_t k;
	int ok;

	family(out, "mongoalchemy_db_operations_total", "counter",
	       "Driver commands sent, by command and outcome.");
	for (k = 0; k < DB_KINDS; k++) {
		for (ok = 1; ok >= 0; ok--)
			_ma_buf_printf(
				out,
				"mongoalchemy_db_operations_total{kind=\"%s\","
				"outcome=\"%s\"} %llu\n",
				db_kinds[k], ok ? "ok" : "error",
				(unsigned long long)atomic_load(
					&m->db_ops[k][ok]));
	}
	family(out, "mongoalchemy_db_operation_seconds_total", "counter",
	       "Time the driver's commands took on the wire, by command.");
	for (k = 0; k < DB_KINDS; k++) {
		_ma_buf_printf(out,
			       "mongoalchemy_db_operation_seconds_total{kind="
			       "\"%s\"} ",
			       db_kinds[k]);
		seconds(out, atomic_load(&m->db_us[k]));
		_ma_buf_putc(out, '\n');
	}
	family(out, "mongoalchemy_db_unavailable_total", "counter",
	       "Answers 503 because the database could not be reached.");
	_ma_buf_printf(out, "mongoalchemy_db_unavailable_total %llu\n",
		       (unsigned long long)atomic_load(&m->db_unavailable));
}

static void
expose_process(const ma_metrics *m, ma_buf *out)
{
	long in_flight = 0, alive = 0, restarts;
	int i, pid, workers = atomic_load(&m->workers);

	for (i = 0; i < SLOTS; i++) {
		pid = atomic_load(&m->slot[i].pid);
		if (pid_alive(pid)) {
			alive++;
			in_flight += atomic_load(&m->slot[i].in_flight);
		}
	}
	restarts = (long)atomic_load(&m->worker_starts) - workers;

	family(out, "http_requests_in_flight", "gauge",
	       "Requests being answered now, over every live worker.");
	_ma_buf_printf(out, "http_requests_in_flight %ld\n", in_flight);
	family(out, "mongoalchemy_workers", "gauge",
	       "Worker processes the master keeps running.");
	_ma_buf_printf(out, "mongoalchemy_workers %d\n", workers);
	family(out, "mongoalchemy_workers_alive", "gauge",
	       "Worker processes alive now.");
	_ma_buf_printf(out, "mongoalchemy_workers_alive %ld\n", alive);
	family(out, "mongoalchemy_worker_restarts_total", "counter",
	       "Workers started after the first round: replaced after a "
	       "death or on SIGHUP.");
	_ma_buf_printf(out, "mongoalchemy_worker_restarts_total %ld\n",
		       restarts > 0 ? restarts : 0);
	family(out, "process_start_time_seconds", "gauge",
	       "Start time of the application, in seconds since the epoch.");
	_ma_buf_printf(out, "process_start_time_seconds %.3f\n", m->start_time);
	family(out, "mongoalchemy_build_info", "gauge",
	       "Versions of this library and of its drivers; always 1.");
	_ma_buf_printf(
		out,
		"mongoalchemy_build_info{version=\"%s\",libmongoc=\"%s\","
		"libbson=\"%s\",json_c=\"%s\"} 1\n",
		PACKAGE_VERSION, mongoc_get_version(), bson_get_version(),
		json_c_version());
}

void
_ma_metrics_expose(const ma_metrics *m, const ma_router *router, ma_buf *out)
{
	if (m != NULL) {
		expose_requests(m, router, out);
		expose_durations(m, router, out);
		expose_db(m, out);
		expose_process(m, out);
	}
	_ma_buf_reserve(out, 0);
	out->data[out->len] = '\0';
}
