/*
 * Filters: one condition on a field, and their combinations (or, and,
 * not), checked against the type as they are built.
 */
#ifndef MONGOALCHEMY_FILTER_H
#define MONGOALCHEMY_FILTER_H

#include <mongoalchemy/value.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A filter expression on a document type, for combining with or / not. A
 * query's own filter calls are the usual way; build these only for
 * alternatives. Functions that take filters take ownership of them (also
 * on error) and accept NULL (a filter that failed to build) by failing.
 * A call given NULL fails with the reason the failed filter could not be
 * built (this thread's last such reason), so that one check covers a
 * whole expression:
 *
 *   ma_query_where(q, ma_filter_or(ma_filter_new(..., &e),
 *                                  ma_filter_new(..., &e), &e), &e)
 *
 * fails with the reason of the part that failed. The calls below fill
 * error only when they fail.
 */
typedef struct ma_filter ma_filter;

/* path op value. Fails with MA_ERR_INVALID naming the path and what it
 * expected; NULL then. */
ma_filter *ma_filter_new(const ma_type *type, const char *path, ma_op op,
			 ma_value value, ma_error *error) MA_WARN_UNUSED_RESULT;

/* path in / not in n values, or a list holding all of them (op is
 * MA_OP_IN, MA_OP_NIN or MA_OP_ALL; n may be 0: "in nothing" and "all of
 * nothing" match nothing). */
ma_filter *ma_filter_new_in(const ma_type *type, const char *path, ma_op op,
			    const ma_value *values, size_t n,
			    ma_error *error) MA_WARN_UNUSED_RESULT;

/* Takes ownership of a and b (also on error): a or b, a and b; both of
 * the same type. Nested ors and ands are flattened. */
ma_filter *ma_filter_or(ma_filter *a, ma_filter *b,
			ma_error *error) MA_WARN_UNUSED_RESULT;
ma_filter *ma_filter_and(ma_filter *a, ma_filter *b,
			 ma_error *error) MA_WARN_UNUSED_RESULT;

/* Takes ownership of a (also on error): matches what a does not. */
ma_filter *ma_filter_not(ma_filter *a, ma_error *error) MA_WARN_UNUSED_RESULT;

/* NULL is a no-op. */
void ma_filter_destroy(ma_filter *filter);

/* The MongoDB form, valid while filter lives. */
const bson_t *ma_filter_bson(const ma_filter *filter);

#ifdef __cplusplus
}
#endif

#endif
