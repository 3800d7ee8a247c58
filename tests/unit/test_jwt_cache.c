/*
 * The cache of verified tokens: a hit gives the caller a full check
 * gave, only while the token's dates still pass; one byte changed is a
 * miss; a flush forgets everything; a full cache stays at its bound,
 * giving up first what no longer passes, then what expires first.
 * Tokens are real ones, verified by jwt.c before they are kept.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "auth/auth-private.h"
#include "jwt_keys.h"

#define LEEWAY 30

static test_keys keys;
static ma_jwks *set;
static ma_jwt_rules rules = {NULL, NULL, "roles", LEEWAY};
static ma_jwt_cache *cache;
static int64_t t0;

static void
setup(void)
{
	set = test_keys_load(&keys);
	cache = _ma_jwt_cache_new(4, LEEWAY);
	t0 = (int64_t)time(NULL);
}

static void
teardown(void)
{
	_ma_jwt_cache_destroy(cache);
	_ma_jwks_destroy(set);
	test_keys_free(&keys);
}

TestSuite(jwt_cache, .init = setup, .fini = teardown);

/* A token of key for sub with the roles ["editor"], valid from nbf to
 * exp (seconds after t0); the caller frees it. */
static char *
token_for(const json_t *key, const char *sub, int64_t nbf, int64_t exp)
{
	char c[256];

	snprintf(c, sizeof(c),
		 "{\"sub\":\"%s\",\"nbf\":%lld,\"exp\":%lld,"
		 "\"roles\":[\"editor\"]}",
		 sub, (long long)(t0 + nbf), (long long)(t0 + exp));
	return mint(key, c);
}

/* Verifies token fully at now and keeps it. */
static void
keep(const char *token, int64_t now)
{
	ma_user *u;
	ma_jwt_span span;
	ma_error e;

	cr_assert(_ma_jwt_verify_span(set, &rules, token, strlen(token), now,
				      &u, &span, &e),
		  "%s", e.message);
	_ma_jwt_cache_put(cache, token, strlen(token), &span, u, now);
	ma_user_destroy(u);
}

/* The cached caller's name at now, or NULL (the user is freed). */
static const char *
hit(const char *token, int64_t now)
{
	static char name[64];
	ma_user *u = _ma_jwt_cache_get(cache, token, strlen(token), now);

	if (u == NULL)
		return NULL;
	snprintf(name, sizeof(name), "%s", ma_user_name(u));
	cr_assert(ma_user_has_role(u, "editor"));
	cr_assert_not(ma_user_has_role(u, "admin"));
	ma_user_destroy(u);
	return name;
}

Test(jwt_cache, a_kept_token_gives_its_caller_and_roles)
{
	char *t = token_for(keys.rsa, "alice", 0, 3600);

	cr_assert_null(hit(t, t0));
	keep(t, t0);
	cr_assert_eq(_ma_jwt_cache_count(cache), 1);
	cr_assert_str_eq(hit(t, t0), "alice");
	cr_assert_str_eq(hit(t, t0 + 100), "alice");
	/* kept again: still one entry */
	keep(t, t0 + 100);
	cr_assert_eq(_ma_jwt_cache_count(cache), 1);
	free(t);
}

Test(jwt_cache, a_hit_past_exp_and_the_leeway_misses_and_is_dropped)
{
	char *t = token_for(keys.hs, "bob", 0, 60);

	keep(t, t0);
	cr_assert_str_eq(hit(t, t0 + 60 + LEEWAY), "bob");
	cr_assert_null(hit(t, t0 + 60 + LEEWAY + 1));
	cr_assert_eq(_ma_jwt_cache_count(cache), 0);
	/* and the full check refuses it then, in its own words */
	{
		ma_user *u;
		ma_error e;

		cr_assert_not(_ma_jwt_verify(set, &rules, t, strlen(t),
					     t0 + 60 + LEEWAY + 1, &u, &e));
		cr_assert_str_eq(e.message, "the token expired");
	}
	free(t);
}

Test(jwt_cache, a_hit_before_nbf_and_the_leeway_misses)
{
	/* verified at its nbf, asked for again before it (a clock set
	 * back) */
	char *t = token_for(keys.ec, "carol", 100, 3600);

	keep(t, t0 + 100);
	cr_assert_str_eq(hit(t, t0 + 100 - LEEWAY), "carol");
	cr_assert_null(hit(t, t0 + 100 - LEEWAY - 1));
	cr_assert_eq(_ma_jwt_cache_count(cache), 0);
	free(t);
}

Test(jwt_cache, one_changed_byte_is_a_miss)
{
	char *t = token_for(keys.rsa, "alice", 0, 3600);
	size_t i, n = strlen(t);
	char *dot = strchr(t, '.');

	keep(t, t0);
	/* a byte of the header, of the payload, of the signature */
	for (i = 0; i < 3; i++) {
		size_t at = i == 0 ? 5 : i == 1 ? (size_t)(dot - t) + 5 : n - 2;

		t[at] ^= 1;
		cr_assert_null(hit(t, t0), "byte %zu", at);
		t[at] ^= 1;
	}
	/* one byte more, one byte less */
	cr_assert_null(_ma_jwt_cache_get(cache, t, n - 1, t0));
	t = realloc(t, n + 2);
	t[n] = 'A';
	t[n + 1] = '\0';
	cr_assert_null(hit(t, t0));
	t[n] = '\0';
	cr_assert_str_eq(hit(t, t0), "alice");
	free(t);
}

Test(jwt_cache, a_flush_forgets_every_token)
{
	char *a = token_for(keys.rsa, "alice", 0, 3600);
	char *b = token_for(keys.hs, "bob", 0, 3600);

	keep(a, t0);
	keep(b, t0);
	cr_assert_eq(_ma_jwt_cache_count(cache), 2);
	_ma_jwt_cache_flush(cache);
	cr_assert_eq(_ma_jwt_cache_count(cache), 0);
	cr_assert_null(hit(a, t0));
	cr_assert_null(hit(b, t0));
	free(a);
	free(b);
}

Test(jwt_cache, a_full_cache_gives_up_what_expires_first)
{
	char *t[6];
	char sub[16]; /* "u" and any int */
	int i;

	/* exp 600, 500, 400, 300 seconds away: full at four */
	for (i = 0; i < 4; i++) {
		snprintf(sub, sizeof(sub), "u%d", i);
		t[i] = token_for(keys.hs, sub, 0, 600 - 100 * i);
		keep(t[i], t0);
	}
	cr_assert_eq(_ma_jwt_cache_count(cache), 4);
	t[4] = token_for(keys.hs, "u4", 0, 1000);
	keep(t[4], t0);
	cr_assert_eq(_ma_jwt_cache_count(cache), 4);
	cr_assert_null(hit(t[3], t0), "the soonest to expire stayed");
	cr_assert_str_eq(hit(t[0], t0), "u0");
	cr_assert_str_eq(hit(t[4], t0), "u4");

	/* at t0 + 450, u2 (exp 400) no longer passes, though u1 (exp 500)
	 * expires before u4 and u0: u2 gives way */
	t[5] = token_for(keys.hs, "u5", 0, 2000);
	keep(t[5], t0 + 450);
	cr_assert_eq(_ma_jwt_cache_count(cache), 4);
	cr_assert_str_eq(hit(t[1], t0 + 450), "u1");
	cr_assert_str_eq(hit(t[5], t0 + 450), "u5");
	cr_assert_str_eq(hit(t[0], t0 + 450), "u0");
	cr_assert_str_eq(hit(t[4], t0 + 450), "u4");
	for (i = 0; i < 6; i++)
		free(t[i]);
}

Test(jwt_cache, a_cache_of_no_size_keeps_nothing)
{
	char *t = token_for(keys.rsa, "alice", 0, 3600);

	_ma_jwt_cache_destroy(cache);
	cache = _ma_jwt_cache_new(0, LEEWAY);
	keep(t, t0);
	cr_assert_eq(_ma_jwt_cache_count(cache), 0);
	cr_assert_null(hit(t, t0));
	free(t);
}

Test(jwt_cache, the_span_holds_by_the_full_check_s_rules)
{
	ma_jwt_span s = {.exp = 1000, .nbf = NAN, .iat = NAN};

	cr_assert(_ma_jwt_span_holds(&s, 1000 + LEEWAY, LEEWAY));
	cr_assert_not(_ma_jwt_span_holds(&s, 1001 + LEEWAY, LEEWAY));
	s.iat = 500;
	cr_assert(_ma_jwt_span_holds(&s, 500 - LEEWAY, LEEWAY));
	cr_assert_not(_ma_jwt_span_holds(&s, 499 - LEEWAY, LEEWAY));
	s.iat = NAN;
	s.nbf = 700;
	cr_assert_not(_ma_jwt_span_holds(&s, 669, LEEWAY));
	cr_assert(_ma_jwt_span_holds(&s, 670, LEEWAY));
}
