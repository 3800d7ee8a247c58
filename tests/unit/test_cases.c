/*
 * The conversion cases of tests/cases/documents/: one Criterion test per
 * case folder, each failure naming its case.
 *
 * A folder holds:
 *   type           the name of a type of case_types.h
 *   input.json     the input, bytes as they are
 *   expected.json  when the input converts: the BSON, as MongoDB canonical
 *                  extended JSON
 *   errors         when it does not: the code name (MA_ERR_JSON or
 *                  MA_ERR_VALIDATION), then for MA_ERR_JSON the error
 *                  message, for MA_ERR_VALIDATION every problem in order
 *                  as "path: message" (": message" for the document)
 *   output.json    optional: the exact JSON ma_json_from_bson() writes for
 *                  the expected BSON
 *
 * A converting case is also sent round: its BSON to JSON and back must give
 * the same BSON, and the JSON written a second time must be the same text.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <criterion/parameterized.h>

#include "case_types.h"

#define CASE_NAME_SIZE 128
#define CASE_PATH_SIZE 4096
#define CASES_SUBDIR "/tests/cases/documents"

typedef struct case_param {
	char name[CASE_NAME_SIZE]; /* empty: no case was found */
} case_param;

/* A file read whole: data ends with a NUL not counted in len. */
typedef struct case_file {
	char *data;
	size_t len;
} case_file;

/* A growing text for failure reports. */
typedef struct report {
	char *text;
	size_t len;
	FILE *out;
} report;

static const char *const code_names[] = {
	[MA_OK] = "MA_OK",
	[MA_ERR_CONFIG] = "MA_ERR_CONFIG",
	[MA_ERR_INVALID] = "MA_ERR_INVALID",
	[MA_ERR_NOMEM] = "MA_ERR_NOMEM",
	[MA_ERR_UNAVAILABLE] = "MA_ERR_UNAVAILABLE",
	[MA_ERR_AUTH] = "MA_ERR_AUTH",
	[MA_ERR_DRIVER] = "MA_ERR_DRIVER",
	[MA_ERR_JSON] = "MA_ERR_JSON",
	[MA_ERR_VALIDATION] = "MA_ERR_VALIDATION",
	[MA_ERR_DUPLICATE] = "MA_ERR_DUPLICATE",
	[MA_ERR_NOT_FOUND] = "MA_ERR_NOT_FOUND",
};

/* --- files ---------------------------------------------------------------- */

static const char *
cases_root(void)
{
	const char *top = getenv("abs_top_srcdir");

	return top && *top ? top : ".";
}

static void
case_dir(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s" CASES_SUBDIR "/%s", cases_root(), name);
}

/* Reads dir/file into *file; false when it does not exist or fails. */
static bool
read_case_file(const char *dir, const char *file, case_file *out)
{
	char path[CASE_PATH_SIZE];
	FILE *f;
	char *data = NULL;
	size_t len = 0, cap = 0, n;

	out->data = NULL;
	out->len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "rb");
	if (!f)
		return false;
	for (;;) {
		if (cap - len < 4096 + 1) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
			if (!data) {
				fclose(f);
				return false;
			}
		}
		n = fread(data + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	data[len] = '\0';
	out->data = data;
	out->len = len;
	return true;
}

static void
free_case_file(case_file *file)
{
	free(file->data);
	file->data = NULL;
	file->len = 0;
}

/* Drops trailing "\n" and "\r\n" line ends (not other white space). */
static void
chomp(case_file *file)
{
	while (file->len > 0 && (file->data[file->len - 1] == '\n' ||
				 file->data[file->len - 1] == '\r'))
		file->data[--file->len] = '\0';
}

/* Splits text into lines in place; returns how many, up to max. */
static size_t
split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text, *nl;

	while (*p && n < max) {
		nl = strchr(p, '\n');
		if (nl) {
			*nl = '\0';
			if (nl > p && nl[-1] == '\r')
				nl[-1] = '\0';
		}
		lines[n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

static const char *
code_name(ma_error_code code)
{
	if ((size_t)code < sizeof(code_names) / sizeof(code_names[0]) &&
	    code_names[code])
		return code_names[code];
	return "(unknown code)";
}

static bool
code_from_name(const char *name, ma_error_code *code)
{
	size_t i;

	for (i = 0; i < sizeof(code_names) / sizeof(code_names[0]); i++) {
		if (code_names[i] && strcmp(code_names[i], name) == 0) {
			*code = (ma_error_code)i;
			return true;
		}
	}
	return false;
}

/* --- reports -------------------------------------------------------------- */

static void
report_open(report *r)
{
	r->text = NULL;
	r->len = 0;
	r->out = open_memstream(&r->text, &r->len);
	cr_assert_not_null(r->out, "open_memstream: %s", strerror(errno));
}

/* Ends the report; returns its text, to free(). */
static char *
report_close(report *r)
{
	fclose(r->out);
	r->out = NULL;
	return r->text;
}

static void
report_problems(FILE *out, const ma_problems *problems)
{
	size_t i, n = ma_problems_count(problems);

	if (n == 0)
		fprintf(out, "    (none)\n");
	for (i = 0; i < n; i++)
		fprintf(out, "    %s: %s\n", ma_problems_field(problems, i),
			ma_problems_message(problems, i));
	if (ma_problems_truncated(problems))
		fprintf(out, "    (truncated)\n");
}

static void
report_bson(FILE *out, const char *label, const bson_t *bson)
{
	char *json = bson_as_canonical_extended_json(bson, NULL);

	fprintf(out, "  %s %s\n", label, json ? json : "(not printable)");
	bson_free(json);
}

/* --- the checks ----------------------------------------------------------- */

/* The ma_error message the problems give: "invalid Type: a: m; b: m". */
static void
expected_validation_message(const ma_type *type, char **lines, size_t n,
			    char *buf, size_t size)
{
	size_t len = 0, i;
	const char *line;
	int w;

	buf[0] = '\0';
	w = snprintf(buf, size, "invalid %s: ", type->name);
	len = w < 0 ? 0 : (size_t)w;
	for (i = 0; i < n && len < size; i++) {
		line = lines[i];
		/* a problem at "" is written without its path */
		if (strncmp(line, ": ", 2) == 0)
			line += 2;
		w = snprintf(buf + len, size - len, "%s%s", i ? "; " : "",
			     line);
		len += w < 0 ? 0 : (size_t)w;
	}
}

/* A failing case: the error and problems must be as errors says. */
static void
check_failure(const char *name, const ma_type *type, case_file *errors, bool ok,
	      const bson_t *out, const ma_problems *problems,
	      const ma_error *error)
{
	char *lines[MA_PROBLEMS_MAX + 2];
	char message[MA_ERROR_MESSAGE_SIZE];
	size_t n, i, count;
	ma_error_code want;
	bool same;
	report r;
	char *text;

	n = split_lines(errors->data, lines, sizeof(lines) / sizeof(lines[0]));
	if (n == 0 || !code_from_name(lines[0], &want)) {
		cr_expect_fail("[%s] errors: the first line must be an error "
			       "code name, not \"%s\"",
			       name, n ? lines[0] : "");
		return;
	}
	if (ok) {
		report_open(&r);
		fprintf(r.out,
			"[%s] expected %s, but the conversion succeeded\n",
			name, lines[0]);
		report_bson(r.out, "got", out);
		text = report_close(&r);
		cr_expect_fail("%s", text);
		free(text);
		return;
	}
	if (error->code != want) {
		report_open(&r);
		fprintf(r.out, "[%s] expected %s, got %s: %s\n  problems:\n",
			name, lines[0], code_name(error->code), error->message);
		report_problems(r.out, problems);
		text = report_close(&r);
		cr_expect_fail("%s", text);
		free(text);
		return;
	}
	if (want == MA_ERR_JSON) {
		cr_expect(n >= 2 && strcmp(error->message, lines[1]) == 0,
			  "[%s] MA_ERR_JSON message\n  expected \"%s\"\n  "
			  "actual   \"%s\"",
			  name,
			  n >= 2 ? lines[1] : "(errors has no message line)",
			  error->message);
		return;
	}

	/* MA_ERR_VALIDATION: every problem, in order */
	count = ma_problems_count(problems);
	same = count == n - 1;
	for (i = 0; same && i < count; i++) {
		const char *field = ma_problems_field(problems, i);
		const char *msg = ma_problems_message(problems, i);
		size_t flen = strlen(field);

		same = strncmp(lines[i + 1], field, flen) == 0 &&
		       strncmp(lines[i + 1] + flen, ": ", 2) == 0 &&
		       strcmp(lines[i + 1] + flen + 2, msg) == 0;
	}
	if (!same) {
		report_open(&r);
		fprintf(r.out, "[%s] problems differ\n  expected:\n", name);
		for (i = 1; i < n; i++)
			fprintf(r.out, "    %s\n", lines[i]);
		fprintf(r.out, "  actual:\n");
		report_problems(r.out, problems);
		text = report_close(&r);
		cr_expect_fail("%s", text);
		free(text);
		return;
	}
	expected_validation_message(type, lines + 1, n - 1, message,
				    sizeof(message));
	cr_expect_str_eq(error->message, message,
			 "[%s] MA_ERR_VALIDATION message\n  expected \"%s\"\n  "
			 "actual   \"%s\"",
			 name, message, error->message);
}

/* A converting case: the BSON, the JSON written back and the round trip. */
static void
check_success(const char *name, const char *dir, const ma_type *type,
	      case_file *expected_json, bool ok, const bson_t *out,
	      const ma_problems *problems, const ma_error *error)
{
	bson_t expected, again;
	bson_error_t berr;
	case_file output;
	char *json1 = NULL, *json2 = NULL;
	size_t len1 = 0, len2 = 0;
	ma_error e2;
	bool ok2;
	report r;
	char *text;

	if (!bson_init_from_json(&expected, expected_json->data,
				 (ssize_t)expected_json->len, &berr)) {
		cr_expect_fail("[%s] expected.json is not extended JSON: %s",
			       name, berr.message);
		return;
	}
	if (!ok) {
		report_open(&r);
		fprintf(r.out,
			"[%s] expected success, got %s: %s\n  problems:\n",
			name, code_name(error->code), error->message);
		report_problems(r.out, problems);
		text = report_close(&r);
		cr_expect_fail("%s", text);
		free(text);
		goto out;
	}
	cr_expect_eq(
		ma_problems_count(problems), 0,
		"[%s] success with %zu problems (first: %s: %s)", name,
		ma_problems_count(problems),
		ma_problems_count(problems) ? ma_problems_field(problems, 0)
					    : "",
		ma_problems_count(problems) ? ma_problems_message(problems, 0)
					    : "");
	if (!bson_equal(&expected, out)) {
		report_open(&r);
		fprintf(r.out, "[%s] BSON differs\n", name);
		report_bson(r.out, "expected", &expected);
		report_bson(r.out, "actual  ", out);
		text = report_close(&r);
		cr_expect_fail("%s", text);
		free(text);
		goto out;
	}

	/* BSON -> JSON */
	json1 = ma_json_from_bson(type, out, &len1);
	if (!json1) {
		cr_expect_fail("[%s] ma_json_from_bson returned NULL", name);
		goto out;
	}
	cr_expect_eq(len1, strlen(json1),
		     "[%s] ma_json_from_bson: *len %zu but strlen %zu", name,
		     len1, strlen(json1));
	if (read_case_file(dir, "output.json", &output)) {
		chomp(&output);
		cr_expect(output.len == len1 &&
				  memcmp(output.data, json1, len1) == 0,
			  "[%s] output.json differs\n  expected %s\n  actual   "
			  "%s",
			  name, output.data, json1);
		free_case_file(&output);
	}

	/* JSON -> BSON -> JSON */
	ok2 = ma_json_to_bson(type, json1, len1, &again, NULL, &e2);
	if (!ok2) {
		cr_expect_fail("[%s] round trip: the JSON written does not "
			       "convert back: %s: %s\n  json %s",
			       name, code_name(e2.code), e2.message, json1);
		bson_destroy(&again);
		goto out;
	}
	if (!bson_equal(out, &again)) {
		report_open(&r);
		fprintf(r.out, "[%s] round trip: BSON differs after JSON %s\n",
			name, json1);
		report_bson(r.out, "first ", out);
		report_bson(r.out, "second", &again);
		text = report_close(&r);
		cr_expect_fail("%s", text);
		free(text);
	}
	json2 = ma_json_from_bson(type, &again, &len2);
	cr_expect(json2 && len2 == len1 && memcmp(json1, json2, len1) == 0,
		  "[%s] round trip: JSON text is not stable\n  first  %s\n  "
		  "second %s",
		  name, json1, json2 ? json2 : "(NULL)");
	bson_destroy(&again);
out:
	bson_free(json1);
	bson_free(json2);
	bson_destroy(&expected);
}

static void
run_case(const char *name)
{
	char dir[CASE_PATH_SIZE];
	case_file type_file, input, expected, errors;
	bool has_expected, has_errors, ok;
	const ma_type *type;
	ma_problems *problems;
	ma_error error;
	bson_t out;

	case_dir(name, dir, sizeof(dir));
	if (!read_case_file(dir, "type", &type_file)) {
		cr_expect_fail("[%s] cannot read %s/type", name, dir);
		return;
	}
	chomp(&type_file);
	type = case_type(type_file.data);
	if (!type) {
		cr_expect_fail("[%s] no case type \"%s\" in case_types.h", name,
			       type_file.data);
		free_case_file(&type_file);
		return;
	}
	free_case_file(&type_file);
	if (!ma_type_check(type, &error)) {
		cr_expect_fail("[%s] type %s fails ma_type_check: %s", name,
			       type->name, error.message);
		return;
	}
	if (!read_case_file(dir, "input.json", &input)) {
		cr_expect_fail("[%s] cannot read %s/input.json", name, dir);
		return;
	}
	has_expected = read_case_file(dir, "expected.json", &expected);
	has_errors = read_case_file(dir, "errors", &errors);
	if (has_expected == has_errors) {
		cr_expect_fail(
			"[%s] needs exactly one of expected.json and errors",
			name);
		goto done;
	}

	problems = ma_problems_new();
	memset(&error, 0, sizeof(error));
	ok = ma_json_to_bson(type, input.data, input.len, &out, problems,
			     &error);
	if (has_expected)
		check_success(name, dir, type, &expected, ok, &out, problems,
			      &error);
	else
		check_failure(name, type, &errors, ok, &out, problems, &error);
	bson_destroy(&out);
	ma_problems_destroy(problems);
done:
	free_case_file(&input);
	free_case_file(&expected);
	free_case_file(&errors);
}

/* --- one test per case folder -----------------------------------------------
 */

static int
compare_names(const void *a, const void *b)
{
	return strcmp(((const case_param *)a)->name,
		      ((const case_param *)b)->name);
}

static void
free_params(struct criterion_test_params *ctp)
{
	cr_free(ctp->params);
}

ParameterizedTestParameters(documents, cases)
{
	char root[CASE_PATH_SIZE], path[CASE_PATH_SIZE];
	case_param *params;
	size_t n = 0, cap = 0;
	struct dirent *entry;
	struct stat st;
	DIR *d;
	int w;

	snprintf(root, sizeof(root), "%s" CASES_SUBDIR, cases_root());
	d = opendir(root);
	/* count first: the array lives in Criterion's shared memory */
	if (d) {
		while ((entry = readdir(d)) != NULL)
			cap++;
		rewinddir(d);
	}
	params = cr_malloc(sizeof(*params) * (cap ? cap : 1));
	while (d && (entry = readdir(d)) != NULL && n < cap) {
		if (entry->d_name[0] == '.' ||
		    strlen(entry->d_name) >= CASE_NAME_SIZE)
			continue;
		w = snprintf(path, sizeof(path), "%s/%s", root, entry->d_name);
		if (w < 0 || (size_t)w >= sizeof(path) ||
		    stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		strcpy(params[n++].name, entry->d_name);
	}
	if (d)
		closedir(d);
	if (n == 0) {
		/* one test, that fails saying so */
		params[0].name[0] = '\0';
		n = 1;
	}
	qsort(params, n, sizeof(*params), compare_names);
	return cr_make_param_array(case_param, params, n, free_params);
}

ParameterizedTest(case_param *param, documents, cases)
{
	if (param->name[0] == '\0') {
		cr_expect_fail("no case folders in %s" CASES_SUBDIR
			       " (set abs_top_srcdir to the source tree)",
			       cases_root());
		return;
	}
	cr_log_info("case %s", param->name);
	run_case(param->name);
}
