/*
 * Operations: the metrics every worker of a pool adds to (metrics.c), and
 * the health, readiness and metrics routes, request ids and the request
 * log (ops.c).
 */
#ifndef MA_METRICS_PRIVATE_H
#define MA_METRICS_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http-private.h"

/* --- metrics.c ------------------------------------------------------------ */

/*
 * Counters in memory shared by the master and its workers: mapped by
 * _ma_metrics_new() in ma_app_new(), so before the fork, and never reset
 * by a worker's death or replacement. Every update is one relaxed atomic
 * add: no lock, no allocation.
 */
typedef struct ma_metrics ma_metrics;

/* Route templates with series of their own; later ones share "other". */
#define MA_METRICS_ROUTES 64
/* Upper bounds of the duration buckets, in microseconds (+Inf after). */
#define MA_METRICS_BUCKETS 14
extern const uint64_t _ma_metrics_bucket_us[MA_METRICS_BUCKETS];

/* NULL when no shared memory could be mapped: every call then does
 * nothing, and the exposition is empty. */
ma_metrics *_ma_metrics_new(void);
void _ma_metrics_destroy(ma_metrics *m);

/* The bucket of a duration: the first whose bound is >= us (Prometheus'
 * "le"), MA_METRICS_BUCKETS for +Inf. */
size_t _ma_metrics_bucket(uint64_t us);

/* One answered request: route_id as _ma_router_match() gave it (0: no
 * route), method one ma_method bit (0: unknown), status, time taken. */
void _ma_metrics_request(ma_metrics *m, size_t route_id, unsigned method,
			 int status, uint64_t us);

/* This process's requests in flight: +1 at the start, -1 at the end. The
 * process takes a worker slot the first time; a dead process's slot (and
 * what it had in flight) no longer counts. */
void _ma_metrics_in_flight(ma_metrics *m, int delta);

/* A worker has started: it takes its slot and counts a start. */
void _ma_metrics_worker_started(ma_metrics *m);

/* The number of workers the master keeps (ma_app_run()'s --workers). */
void _ma_metrics_set_workers(ma_metrics *m, int workers);

/* One command of the driver (its name: "find", "insert"...), whether it
 * succeeded, and its time on the wire. */
void _ma_metrics_db_command(ma_metrics *m, const char *name, bool ok,
			    uint64_t us);

/* One answer 503 because the database was unavailable. */
void _ma_metrics_db_unavailable(ma_metrics *m);

/*
 * Appends the Prometheus text exposition (format 0.0.4) of m to out, the
 * routes named by router's templates. Series in a fixed order: a family's
 * lines are together, labels sorted by route id, method, status.
 */
void _ma_metrics_expose(const ma_metrics *m, const ma_router *router,
			ma_buf *out);

/* The Content-Type of that text. */
#define MA_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
