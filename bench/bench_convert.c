/*
 * The cost of converting one realistic document, one way per run, so that
 * a counter such as callgrind sees each conversion alone:
 *
 *   bench_convert MODE N
 *
 *   ours-to-json     ma_json_from_bson(), N times
 *   libbson-to-json  bson_as_relaxed_extended_json(), N times: the generic
 *                    conversion ours is measured against
 *   ours-from-json   ma_json_to_bson(), N times
 *   jsonc-roundtrip  json-c parsing and printing the same text, N times:
 *                    what any JSON handling costs before BSON is involved
 *   setup            nothing after the setup
 *
 * Every mode does the same setup, checks included, so that a mode's count
 * minus the count of `setup` is its loop alone. bench/convert runs them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <mongoalchemy.h>

#define BENCH_NAME "bench_convert"
#include "bench.h"

/* An order of a web shop: the mix of kinds a real collection holds. */
static const ma_field address_fields[] = {
	MA_STRING("street", .min_len = 1, .max_len = 200),
	MA_STRING("city", .min_len = 1, .max_len = 100),
	MA_STRING("postcode", .max_len = 12), MA_FIELDS_END};

static const ma_type address_type = {
	.name = "Address",
	.fields = address_fields,
};

static const ma_field order_fields[] = {
	MA_STRING("number", .regex = "ORD-[0-9]{8}"),
	MA_ENUM("status", MA_VALUES("pending", "paid", "shipped", "delivered",
				    "cancelled")),
	MA_OBJECTID("customer_id"),
	MA_STRING("customer_name", .min_len = 1, .max_len = 200),
	MA_STRING("email", .min_len = 3, .max_len = 254),
	MA_DATETIME("placed_at", .db_name = "placedAt"),
	MA_DATETIME("updated_at"),
	MA_INT("item_count", MA_MIN(1), MA_MAX(1000)),
	MA_INT("total_cents", MA_MIN(0)),
	MA_STRING("currency", .min_len = 3, .max_len = 3),
	MA_FLOAT("tax_rate", MA_FMIN(0), MA_FMAX(1)),
	MA_BOOL("gift"),
	MA_BOOL("express"),
	MA_DOCUMENT("ship_to", &address_type),
	MA_LIST("tags", MA_ITEM(MA_STRING(NULL, .max_len = 30)),
		.max_items = 20),
	MA_STRING("coupon", .optional = true, .max_len = 40),
	MA_STRING("notes", .max_len = 2000),
	MA_STRING("channel", .max_len = 20),
	MA_INT("weight_grams", MA_MIN(0)),
	MA_INT("revision", MA_MIN(1), .default_json = "1"),
	MA_FIELDS_END};

static const ma_type order_type = {
	.name = "Order",
	.fields = order_fields,
};

/* _id and the 20 declared fields: a conversion that keeps fewer did less
 * work than a real one and would flatter the numbers. */
#define ORDER_KEYS 21

/*
 * One order as a client sends it and as it is read back: non-ASCII text,
 * escapes, a long free-text field, every field of the type filled in.
 */
static const char order_json[] =
	"{\"_id\":\"65a7b3c2e4b0a1b2c3d4e5f6\","
	"\"number\":\"ORD-20240117\","
	"\"status\":\"shipped\","
	"\"customer_id\":\"64f8a2b1c9d0e1f2a3b4c5d6\","
	"\"customer_name\":\"Amélie Dubois-Schneider\","
	"\"email\":\"amelie.dubois-schneider@example.org\","
	"\"placed_at\":\"2024-01-17T09:42:13.517Z\","
	"\"updated_at\":\"2024-01-19T16:05:00.000Z\","
	"\"item_count\":3,"
	"\"total_cents\":15497,"
	"\"currency\":\"CHF\","
	"\"tax_rate\":0.081,"
	"\"gift\":true,"
	"\"express\":false,"
	"\"ship_to\":{\"street\":\"Bahnhofstrasse 21\",\"city\":\"Zürich\","
	"\"postcode\":\"8001\"},"
	"\"tags\":[\"books\",\"priority-customer\",\"eu\",\"newsletter\","
	"\"repeat-buyer\",\"winter-sale\"],"
	"\"coupon\":\"WINTER24-10PCT\","
	"\"notes\":\"Leave the parcel with the neighbour at no. 23 if nobody "
	"answers the door.\\nThe customer asked for \\\"plain packaging\\\": "
	"the books are a birthday surprise, so the invoice goes by e-mail and "
	"must not be put in the box. Second delivery attempt on Monday the "
	"22nd between 08:00 and 12:00; after that, return the parcel to the "
	"depot in Oerlikon and send the pick-up code by SMS.\\n"
	"Fragile: one of the three books is a signed first edition.\","
	"\"channel\":\"web\","
	"\"weight_grams\":1840,"
	"\"revision\":4}";

enum mode {
	MODE_SETUP,
	MODE_OURS_TO_JSON,
	MODE_LIBBSON_TO_JSON,
	MODE_OURS_FROM_JSON,
	MODE_JSONC_ROUNDTRIP,
};

static const struct {
	const char *name;
	enum mode mode;
} modes[] = {
	{"ours-to-json", MODE_OURS_TO_JSON},
	{"libbson-to-json", MODE_LIBBSON_TO_JSON},
	{"ours-from-json", MODE_OURS_FROM_JSON},
	{"jsonc-roundtrip", MODE_JSONC_ROUNDTRIP},
	{"setup", MODE_SETUP},
};

/* Read once at the end: the compiler must assume someone looks at it. */
static volatile size_t sink;

static _Noreturn void
usage(void)
{
	size_t i;

	fputs("usage: bench_convert MODE N\nmodes:", stderr);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, " %s", modes[i].name);
	fputc('\n', stderr);
	exit(2);
}

static bool
parse_mode(const char *s, enum mode *mode)
{
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(s, modes[i].name) == 0) {
			*mode = modes[i].mode;
			return true;
		}
	}
	return false;
}

/*
 * One json-c round trip. The tokener is made per document, as the one
 * inside ma_json_to_bson() has to be, so both sides pay for it.
 * json_object_to_json_string_length() is json_object_to_json_string_ext()
 * that also gives the length, which spares a strlen().
 */
static size_t
jsonc_roundtrip(const char *json, size_t len, enum json_tokener_error *jerr)
{
	struct json_tokener *tok;
	struct json_object *obj;
	size_t out_len = 0;

	tok = json_tokener_new_ex(MA_JSON_MAX_DEPTH);
	if (tok == NULL)
		fail("jsonc-roundtrip: out of memory");
	obj = json_tokener_parse_ex(tok, json, (int)len);
	*jerr = json_tokener_get_error(tok);
	if (obj != NULL)
		json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN,
						  &out_len);
	json_object_put(obj);
	json_tokener_free(tok);
	return out_len;
}

/*
 * Every conversion once, whatever the mode, so that the loop never times
 * an error path and every mode's fixed cost is the same. *doc gets the
 * stored form of the order, the input of the to-JSON modes.
 */
static void
setup(bson_t *doc)
{
	ma_error error;
	bson_t back;
	char *json;
	size_t len;
	enum json_tokener_error jerr;

	if (!ma_type_check(&order_type, &error))
		fail("the Order type is wrong: %s", error.message);

	if (!ma_json_to_bson(&order_type, order_json, sizeof(order_json) - 1,
			     doc, NULL, &error))
		fail("ours-from-json fails: %s", error.message);
	if (bson_count_keys(doc) != ORDER_KEYS)
		fail("ours-from-json kept %u fields of %d",
		     bson_count_keys(doc), ORDER_KEYS);

	/* Converting back must give the same document: output that loses or
	 * garbles fields would be cheaper to write and mean nothing. */
	json = ma_json_from_bson(&order_type, doc, &len);
	if (json == NULL || len == 0)
		fail("ours-to-json gives nothing");
	if (!ma_json_to_bson(&order_type, json, len, &back, NULL, &error))
		fail("ours-to-json gives JSON that does not convert back: "
		     "%s\n%s",
		     error.message, json);
	if (!bson_equal(doc, &back))
		fail("ours-to-json gives JSON that converts back to another "
		     "document:\n%s",
		     json);
	bson_destroy(&back);
	bson_free(json);

	json = bson_as_relaxed_extended_json(doc, &len);
	if (json == NULL || len == 0)
		fail("libbson-to-json fails");
	bson_free(json);

	if (jsonc_roundtrip(order_json, sizeof(order_json) - 1, &jerr) == 0)
		fail("jsonc-roundtrip fails: %s",
		     json_tokener_error_desc(jerr));
}

/* ma_json_from_bson() for the Order type, shaped like libbson's call. */
static char *
ours_to_json(const bson_t *doc, size_t *len)
{
	return ma_json_from_bson(&order_type, doc, len);
}

/* n conversions of doc by to_json: both sides pay the same indirect call. */
static size_t
run_to_json(char *(*to_json)(const bson_t *, size_t *), const bson_t *doc,
	    long n)
{
	size_t total = 0;
	size_t len;
	char *json;
	long i;

	for (i = 0; i < n; i++) {
		json = to_json(doc, &len);
		total += len;
		bson_free(json);
	}
	return total;
}

static size_t
run_ours_from_json(long n)
{
	size_t total = 0;
	long failed = 0;
	ma_error error;
	bson_t out;
	long i;

	for (i = 0; i < n; i++) {
		if (!ma_json_to_bson(&order_type, order_json,
				     sizeof(order_json) - 1, &out, NULL,
				     &error))
			failed++;
		total += out.len;
		bson_destroy(&out);
	}
	/* The check before the loop makes this unreachable, unless the
	 * conversion has a state that changes from one call to the next. */
	if (failed > 0)
		fail("ours-from-json failed %ld times of %ld", failed, n);
	return total;
}

static size_t
run_jsonc_roundtrip(long n)
{
	enum json_tokener_error jerr;
	size_t total = 0;
	long i;

	for (i = 0; i < n; i++)
		total += jsonc_roundtrip(order_json, sizeof(order_json) - 1,
					 &jerr);
	return total;
}

int
main(int argc, char **argv)
{
	enum mode mode;
	size_t total = 0;
	bson_t doc;
	long n;

	if (argc != 3 || !parse_mode(argv[1], &mode) ||
	    !parse_count(argv[2], 0, &n))
		usage();

	setup(&doc);

	switch (mode) {
	case MODE_OURS_TO_JSON:
		total = run_to_json(ours_to_json, &doc, n);
		break;
	case MODE_LIBBSON_TO_JSON:
		total = run_to_json(bson_as_relaxed_extended_json, &doc, n);
		break;
	case MODE_OURS_FROM_JSON:
		total = run_ours_from_json(n);
		break;
	case MODE_JSONC_ROUNDTRIP:
		total = run_jsonc_roundtrip(n);
		break;
	case MODE_SETUP:
		n = 0;
		break;
	}
	sink = total;

	printf("%s: %ld documents of %zu bytes of JSON, %zu bytes out\n",
	       argv[1], n, sizeof(order_json) - 1, (size_t)sink);
	bson_destroy(&doc);
	return 0;
}
