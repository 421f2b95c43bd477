/*
 * unit.h: what every cmocka unit test shares.  Each test file includes
 * this once and ends with UNIT_MAIN(...) listing its tests.
 *
 * Test data is found under $TOP_SRCDIR (set by the Makefile's
 * TESTS_ENVIRONMENT), or "." when a binary is run by hand from the top of
 * the source tree.
 */
#ifndef RENRAKU_UNIT_H
#define RENRAKU_UNIT_H

/* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

/*
 * main(): run the tests given as a group, printing TAP so the automake
 * TAP driver counts each test.  The exit status is the number of failed
 * tests, as cmocka returns it.
 */
#define UNIT_MAIN(...)	UNIT_MAIN_GROUP(NULL, NULL, __VA_ARGS__)

/* The same, with a setup and teardown run once around all the tests. */
#define UNIT_MAIN_GROUP(setup, teardown, ...)				\
int									\
main(void)								\
{									\
	const struct CMUnitTest tests[] = { __VA_ARGS__ };		\
									\
	cmocka_set_message_output(CM_OUTPUT_TAP);			\
	return (cmocka_run_group_tests(tests, (setup), (teardown)));	\
}

/* Fail with the error's message when 'e' is set, so a failure says why. */
#define assert_no_error(e) do {						\
	if ((e) != NULL)						\
		fail_msg("unexpected error: %s", (e)->message);		\
} while (0)

/*
 * Like assert_string_equal, but 'want' may be NULL (then 'got' must be
 * NULL); cmocka's own strcmp would crash on a NULL.
 */
#define assert_string_or_null(got, want) do {				\
	const char *got_ = (got), *want_ = (want);			\
									\
	if (want_ == NULL && got_ != NULL)				\
		fail_msg("%s is \"%s\", wanted NULL", #got, got_);	\
	if (want_ != NULL && got_ == NULL)				\
		fail_msg("%s is NULL, wanted \"%s\"", #got, want_);	\
	if (want_ != NULL)						\
		assert_string_equal(got_, want_);			\
} while (0)

/* Fail unless 'hay' contains 'needle'; both shown when it does not. */
#define assert_contains(hay, needle) do {				\
	const char *hay_ = (hay), *needle_ = (needle);			\
									\
	if (hay_ == NULL || strstr(hay_, needle_) == NULL)		\
		fail_msg("%s: \"%s\" not found in \"%s\"", #hay,	\
		    needle_, hay_ != NULL ? hay_ : "(null)");		\
} while (0)

#define assert_not_contains(hay, needle) do {				\
	const char *hay_ = (hay), *needle_ = (needle);			\
									\
	if (hay_ != NULL && strstr(hay_, needle_) != NULL)		\
		fail_msg("%s: \"%s\" found in \"%s\"", #hay, needle_,	\
		    hay_);						\
} while (0)

/* The top of the source tree. */
static inline const char *
unit_srcdir(void)
{
	const char *d = g_getenv("TOP_SRCDIR");

	return (d != NULL && *d != '\0' ? d : ".");
}

/* 'rel' under the source tree; allocated. */
static inline char *
unit_path(const char *rel)
{
	return (g_build_filename(unit_srcdir(), rel, NULL));
}

/*
 * The bytes of tests/corpus/'name' (NUL-terminated too); the test fails
 * if it cannot be read.  *len may be NULL.
 */
static inline char *
unit_corpus(const char *name, gsize *len)
{
	GError	*e = NULL;
	char	*path, *text = NULL;
	gsize	 n = 0;

	path = g_build_filename(unit_srcdir(), "tests", "corpus", name,
	    NULL);
	if (!g_file_get_contents(path, &text, &n, &e))
		fail_msg("%s: %s (is TOP_SRCDIR set?)", path, e->message);
	g_free(path);
	if (len != NULL)
		*len = n;
	return (text);
}

/* A new private directory under $TMPDIR; remove with unit_rmtree(). */
static inline char *
unit_tmpdir(void)
{
	GError	*e = NULL;
	char	*d;

	if ((d = g_dir_make_tmp("renraku-unit-XXXXXX", &e)) == NULL)
		fail_msg("cannot make a temporary directory: %s", e->message);
	return (d);
}

/* Remove 'path' and everything under it; errors are ignored. */
static inline void
unit_rmtree(const char *path)
{
	GDir		*d;
	const char	*name;

	if (path == NULL)
		return;
	if (!g_file_test(path, G_FILE_TEST_IS_SYMLINK) &&
	    (d = g_dir_open(path, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char *sub = g_build_filename(path, name, NULL);

			unit_rmtree(sub);
			g_free(sub);
		}
		g_dir_close(d);
		g_rmdir(path);
	} else
		g_unlink(path);
}

/*
 * Per-test setup and teardown (cmocka_unit_test_setup_teardown) giving
 * the test a fresh temporary directory as *state.
 */
static inline int
unit_setup_tmpdir(void **state)
{
	*state = unit_tmpdir();
	return (0);
}

static inline int
unit_teardown_tmpdir(void **state)
{
	unit_rmtree(*state);
	g_free(*state);
	return (0);
}

/* Write 'text' to dir/name with permissions 'mode'; returns the path. */
static inline char *
unit_write(const char *dir, const char *name, const char *text, int mode)
{
	GError	*e = NULL;
	char	*path = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(path, text, -1, &e))
		fail_msg("%s: %s", path, e->message);
	/* g_file_set_contents picks its own mode; the tests need this one */
	if (g_chmod(path, mode) != 0)
		fail_msg("chmod %s: %s", path, g_strerror(errno));
	return (path);
}

/* Unix time of an ISO 8601 time with its zone; the test fails if bad. */
static inline gint64
unit_time(const char *iso)
{
	GDateTime	*dt = g_date_time_new_from_iso8601(iso, NULL);
	gint64		 t;

	if (dt == NULL)
		fail_msg("bad time in the test: %s", iso);
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return (t);
}

/* 'd' as "YYYY-MM-DD", or "invalid"; into a buffer of 11 bytes or more. */
static inline const char *
unit_ymd(const GDate *d, char *buf, gsize n)
{
	if (!g_date_valid(d))
		g_strlcpy(buf, "invalid", n);
	else
		g_snprintf(buf, n, "%04u-%02u-%02u", g_date_get_year(d),
		    (guint)g_date_get_month(d), g_date_get_day(d));
	return (buf);
}

/* "YYYY-MM-DD" into 'd'; the test fails if bad. */
static inline void
unit_date(const char *ymd, GDate *d)
{
	guint	y, m, dd;

	if (sscanf(ymd, "%u-%u-%u", &y, &m, &dd) != 3 ||
	    !g_date_valid_dmy((GDateDay)dd, (GDateMonth)m, (GDateYear)y))
		fail_msg("bad date in the test: %s", ymd);
	g_date_clear(d, 1);
	g_date_set_dmy(d, (GDateDay)dd, (GDateMonth)m, (GDateYear)y);
}

#endif
