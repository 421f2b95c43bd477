/*
 * test-bizday.c: the business-day clock.  Dates are taken from December
 * 2026, which has no national holiday, so the tests hold when holidays are
 * added to bizday_is_business().
 */
#include "unit.h"

#include "bizday.h"
#include "pass.h"

static void
test_is_business(void **state)
{
	static const struct {
		const char	*date;
		gboolean	 business;
	} cases[] = {
		{ "2026-12-04", TRUE },		/* Fri */
		{ "2026-12-05", FALSE },	/* Sat */
		{ "2026-12-06", FALSE },	/* Sun */
		{ "2026-12-07", TRUE },		/* Mon */
		{ "2026-12-09", TRUE },		/* Wed */
	};
	GDate	d;
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		unit_date(cases[i].date, &d);
		if (bizday_is_business(NULL, &d) != cases[i].business)
			fail_msg("%s: business %d, wanted %d", cases[i].date,
			    bizday_is_business(NULL, &d), cases[i].business);
	}
}

static void
test_between(void **state)
{
	static const struct {
		const char	*from, *to;
		guint		 n;
	} cases[] = {
		{ "2026-12-07", "2026-12-07", 0 },	/* same day */
		{ "2026-12-07", "2026-12-08", 1 },	/* Mon -> Tue */
		{ "2026-12-07", "2026-12-10", 3 },	/* Mon -> Thu */
		{ "2026-12-04", "2026-12-05", 0 },	/* Fri -> Sat */
		{ "2026-12-04", "2026-12-06", 0 },	/* Fri -> Sun */
		{ "2026-12-04", "2026-12-07", 1 },	/* Fri -> Mon */
		{ "2026-12-04", "2026-12-08", 2 },	/* Fri -> Tue */
		{ "2026-12-05", "2026-12-07", 1 },	/* Sat -> Mon */
		{ "2026-12-06", "2026-12-06", 0 },	/* Sun, same day */
		{ "2026-12-07", "2026-12-14", 5 },	/* a whole week */
		{ "2026-12-07", "2026-12-21", 10 },	/* two weeks */
		{ "2026-11-27", "2026-12-01", 2 },	/* over a month end */
		{ "2026-12-10", "2026-12-07", 0 },	/* backwards */
	};
	GDate	from, to;
	guint	n;
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		unit_date(cases[i].from, &from);
		unit_date(cases[i].to, &to);
		n = bizday_between(NULL, &from, &to);
		if (n != cases[i].n)
			fail_msg("between %s and %s: %u, wanted %u",
			    cases[i].from, cases[i].to, n, cases[i].n);
	}
}

static void
test_add(void **state)
{
	static const struct {
		const char	*from;
		guint		 n;
		const char	*to;
	} cases[] = {
		{ "2026-12-07", 0, "2026-12-07" },	/* Mon + 0 */
		{ "2026-12-07", 1, "2026-12-08" },	/* Mon + 1 = Tue */
		{ "2026-12-07", 3, "2026-12-10" },	/* Mon + 3 = Thu */
		{ "2026-12-04", 1, "2026-12-07" },	/* Fri + 1 = Mon */
		{ "2026-12-09", 3, "2026-12-14" },	/* Wed + 3 = Mon */
		{ "2026-12-10", 3, "2026-12-15" },	/* Thu + 3 = Tue */
		{ "2026-12-05", 1, "2026-12-07" },	/* Sat + 1 = Mon */
		{ "2026-12-06", 1, "2026-12-07" },	/* Sun + 1 = Mon */
		{ "2026-12-04", 5, "2026-12-11" },	/* Fri + 5 = Fri */
		{ "2026-11-27", 2, "2026-12-01" },	/* over a month end */
	};
	GDate	d, from;
	char	got[16];
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		unit_date(cases[i].from, &d);
		from = d;
		bizday_add(NULL, &d, cases[i].n);
		unit_ymd(&d, got, sizeof got);
		if (strcmp(got, cases[i].to) != 0)
			fail_msg("%s + %u business days: %s, wanted %s",
			    cases[i].from, cases[i].n, got, cases[i].to);
		/* the two functions must agree, or step dates drift */
		if (bizday_between(NULL, &from, &d) != cases[i].n)
			fail_msg("between %s and %s is %u, not %u",
			    cases[i].from, got, bizday_between(NULL, &from, &d),
			    cases[i].n);
	}
}

static void
test_jst_date(void **state)
{
	static const struct {
		const char	*utc;
		const char	*jst;
	} cases[] = {
		{ "2026-12-01T15:30:00Z", "2026-12-02" },	/* 00:30 JST */
		{ "2026-12-01T14:59:59Z", "2026-12-01" },	/* 23:59:59 */
		{ "2026-12-01T15:00:00Z", "2026-12-02" },	/* midnight */
		{ "2026-12-01T00:00:00Z", "2026-12-01" },	/* 09:00 */
		{ "2026-12-31T15:00:00Z", "2027-01-01" },	/* new year */
		{ "2026-12-09T10:00:00+09:00", "2026-12-09" },
		{ "1970-01-01T00:00:00Z", "1970-01-01" },
	};
	GDate	d;
	char	got[16];
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_date_clear(&d, 1);
		bizday_jst_date(unit_time(cases[i].utc), &d);
		unit_ymd(&d, got, sizeof got);
		if (strcmp(got, cases[i].jst) != 0)
			fail_msg("%s: %s in Japan, wanted %s", cases[i].utc,
			    got, cases[i].jst);
	}
}

static void
test_format(void **state)
{
	GDate	d;
	char	buf[64];

	/* the C locale: tests do not call setlocale() */
	unit_date("2026-12-09", &d);
	bizday_format(&d, buf, sizeof buf);
	assert_string_equal(buf, "2026-12-09 (Wed)");
}

static void
test_format_ja(void **state)
{
	static const struct {
		const char	*date;
		const char	*ja;
	} cases[] = {
		{ "2026-12-09", "12月9日（水）" },
		{ "2026-11-27", "11月27日（金）" },
		{ "2026-12-07", "12月7日（月）" },
		{ "2026-12-08", "12月8日（火）" },
		{ "2026-12-10", "12月10日（木）" },
		{ "2026-12-12", "12月12日（土）" },
		{ "2026-12-13", "12月13日（日）" },
		{ "2027-01-04", "1月4日（月）" },
	};
	GDate	 d;
	char	*s;
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		unit_date(cases[i].date, &d);
		s = bizday_format_ja(&d);
		assert_string_equal(s, cases[i].ja);
		g_free(s);
	}
}

/* A pass's decisions hold until the next midnight in Japan, or a
   platform's deadline before it. */
static void
test_pass_until(void **state)
{
	/* 2026-12-09T10:00+09:00 and the next midnight there */
	gint64	now = 1796778000, midnight = 1796828400;

	(void)state;
	assert_int_equal(pass_until(now, 0), midnight);
	assert_int_equal(pass_until(now, now + 3600), now + 3600);
	assert_int_equal(pass_until(now, now - 1), midnight);
	assert_int_equal(pass_until(now, midnight + 60), midnight);
	/* a minute before midnight: still that midnight */
	assert_int_equal(pass_until(midnight - 60, 0), midnight);
	assert_int_equal(pass_until(midnight, 0), midnight + 86400);
}

UNIT_MAIN(
	cmocka_unit_test(test_is_business),
	cmocka_unit_test(test_between),
	cmocka_unit_test(test_add),
	cmocka_unit_test(test_jst_date),
	cmocka_unit_test(test_format),
	cmocka_unit_test(test_format_ja),
	cmocka_unit_test(test_pass_until),
)
