/*
 * Document locks shared by the worker processes of one app.
 *
 * A conditional write (If-Match) reads the stored document, compares its
 * ETag, and writes with a filter that matches only that stored state. On
 * MongoDB the write is atomic, and the filter alone makes the check and
 * the write one step. Servers that speak MongoDB's protocol do not all
 * isolate a single-document write (FerretDB 1.x reads, then writes by
 * _id), and there two workers could both pass the same If-Match. So the
 * workers of a pool also serialize their conditional writes per document:
 * a fixed set of robust, process-shared mutexes, mapped before the fork,
 * picked by a hash of the document's id. A worker killed while it holds
 * one leaves it to the next taker (EOWNERDEAD), not locked forever.
 */
/* MAP_ANONYMOUS is not POSIX. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "app/app-private.h"

#define MA_DOC_LOCKS 256 /* stripes: a collision only costs waiting */

struct ma_locks {
	pthread_mutex_t mutex[MA_DOC_LOCKS];
};

ma_locks *
_ma_locks_new(void)
{
	pthread_mutexattr_t attr;
	ma_locks *locks;
	size_t i;

	locks = mmap(NULL, sizeof(*locks), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (locks == MAP_FAILED)
		return NULL;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	for (i = 0; i < MA_DOC_LOCKS; i++)
		pthread_mutex_init(&locks->mutex[i], &attr);
	pthread_mutexattr_destroy(&attr);
	return locks;
}

void
_ma_locks_destroy(ma_locks *locks)
{
	if (locks != NULL)
		munmap(locks, sizeof(*locks));
}

static pthread_mutex_t *
stripe(ma_locks *locks, const bson_oid_t *id)
{
	return &locks->mutex[_ma_fnv1a(id->bytes, sizeof(id->bytes)) %
			     MA_DOC_LOCKS];
}

void
_ma_locks_acquire(ma_locks *locks, const bson_oid_t *id)
{
	pthread_mutex_t *m;

	if (locks == NULL)
		return;
	m = stripe(locks, id);
	/* The holder died: what it guarded is in the database, not here. */
	if (pthread_mutex_lock(m) == EOWNERDEAD)
		pthread_mutex_consistent(m);
}

void
_ma_locks_release(ma_locks *locks, const bson_oid_t *id)
{
	if (locks != NULL)
		pthread_mutex_unlock(stripe(locks, id));
}
