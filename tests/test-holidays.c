/*
 * test-holidays.c: the national holidays of Japan and the business-day
 * calendar built on them (src/bizday.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include "bizday.h"
#include "error.h"

/*
 * Every holiday of 2024 to 2027 as listed by the Cabinet Office
 * (内閣府「国民の祝日について」), where the 振替休日 and the 国民の休日 are
 * both shown as 「休日」; here they carry the names bizday_holiday() gives.
 */
static const struct official {
	guint		 y, m, d;
	const char	*name;
} official[] = {
	{ 2024, 1, 1, "元日" },
	{ 2024, 1, 8, "成人の日" },
	{ 2024, 2, 11, "建国記念の日" },
	{ 2024, 2, 12, "振替休日" },
	{ 2024, 2, 23, "天皇誕生日" },
	{ 2024, 3, 20, "春分の日" },
	{ 2024, 4, 29, "昭和の日" },
	{ 2024, 5, 3, "憲法記念日" },
	{ 2024, 5, 4, "みどりの日" },
	{ 2024, 5, 5, "こどもの日" },
	{ 2024, 5, 6, "振替休日" },
	{ 2024, 7, 15, "海の日" },
	{ 2024, 8, 11, "山の日" },
	{ 2024, 8, 12, "振替休日" },
	{ 2024, 9, 16, "敬老の日" },
	{ 2024, 9, 22, "秋分の日" },
	{ 2024, 9, 23, "振替休日" },
	{ 2024, 10, 14, "スポーツの日" },
	{ 2024, 11, 3, "文化の日" },
	{ 2024, 11, 4, "振替休日" },
	{ 2024, 11, 23, "勤労感謝の日" },

	{ 2025, 1, 1, "元日" },
	{ 2025, 1, 13, "成人の日" },
	{ 2025, 2, 11, "建国記念の日" },
	{ 2025, 2, 23, "天皇誕生日" },
	{ 2025, 2, 24, "振替休日" },
	{ 2025, 3, 20, "春分の日" },
	{ 2025, 4, 29, "昭和の日" },
	{ 2025, 5, 3, "憲法記念日" },
	{ 2025, 5, 4, "みどりの日" },
	{ 2025, 5, 5, "こどもの日" },
	{ 2025, 5, 6, "振替休日" },
	{ 2025, 7, 21, "海の日" },
	{ 2025, 8, 11, "山の日" },
	{ 2025, 9, 15, "敬老の日" },
	{ 2025, 9, 23, "秋分の日" },
	{ 2025, 10, 13, "スポーツの日" },
	{ 2025, 11, 3, "文化の日" },
	{ 2025, 11, 23, "勤労感謝の日" },
	{ 2025, 11, 24, "振替休日" },

	{ 2026, 1, 1, "元日" },
	{ 2026, 1, 12, "成人の日" },
	{ 2026, 2, 11, "建国記念の日" },
	{ 2026, 2, 23, "天皇誕生日" },
	{ 2026, 3, 20, "春分の日" },
	{ 2026, 4, 29, "昭和の日" },
	{ 2026, 5, 3, "憲法記念日" },
	{ 2026, 5, 4, "みどりの日" },
	{ 2026, 5, 5, "こどもの日" },
	{ 2026, 5, 6, "振替休日" },
	{ 2026, 7, 20, "海の日" },
	{ 2026, 8, 11, "山の日" },
	{ 2026, 9, 21, "敬老の日" },
	{ 2026, 9, 22, "国民の休日" },
	{ 2026, 9, 23, "秋分の日" },
	{ 2026, 10, 12, "スポーツの日" },
	{ 2026, 11, 3, "文化の日" },
	{ 2026, 11, 23, "勤労感謝の日" },

	{ 2027, 1, 1, "元日" },
	{ 2027, 1, 11, "成人の日" },
	{ 2027, 2, 11, "建国記念の日" },
	{ 2027, 2, 23, "天皇誕生日" },
	{ 2027, 3, 21, "春分の日" },
	{ 2027, 3, 22, "振替休日" },
	{ 2027, 4, 29, "昭和の日" },
	{ 2027, 5, 3, "憲法記念日" },
	{ 2027, 5, 4, "みどりの日" },
	{ 2027, 5, 5, "こどもの日" },
	{ 2027, 7, 19, "海の日" },
	{ 2027, 8, 11, "山の日" },
	{ 2027, 9, 20, "敬老の日" },
	{ 2027, 9, 23, "秋分の日" },
	{ 2027, 10, 11, "スポーツの日" },
	{ 2027, 11, 3, "文化の日" },
	{ 2027, 11, 23, "勤労感謝の日" },
};

static GDate
date(guint y, guint m, guint d)
{
	GDate	g;

	g_date_clear(&g, 1);
	g_date_set_dmy(&g, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return (g);
}

/* The holiday name on y-m-d, or NULL; checks the two results agree. */
static const char *
holiday(guint y, guint m, guint d)
{
	GDate		 g = date(y, m, d);
	const char	*name = "unset";
	gboolean	 is;

	is = bizday_holiday(&g, &name);
	assert_true(is == (name != NULL));
	assert_true(bizday_holiday(&g, NULL) == is);
	return (name);
}

static void
assert_holiday(guint y, guint m, guint d, const char *want)
{
	const char	*got = holiday(y, m, d);

	if (want == NULL && got != NULL)
		fail_msg("%04u-%02u-%02u: got %s, want no holiday", y, m, d,
		    got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		fail_msg("%04u-%02u-%02u: got %s, want %s", y, m, d,
		    got != NULL ? got : "no holiday", want);
}

/* The computed holidays of year 'y' are the table's, no more, no less. */
static void
check_year(guint y)
{
	GDate		 g = date(y, 1, 1);
	const char	*name;
	guint		 computed = 0, listed = 0;
	gsize		 i;

	for (i = 0; i < G_N_ELEMENTS(official); i++)
		if (official[i].y == y) {
			listed++;
			assert_holiday(y, official[i].m, official[i].d,
			    official[i].name);
		}
	assert_true(listed > 0);
	for (; g_date_get_year(&g) == y; g_date_add_days(&g, 1)) {
		if (!bizday_holiday(&g, &name))
			continue;
		computed++;
		for (i = 0; i < G_N_ELEMENTS(official); i++)
			if (official[i].y == y &&
			    official[i].m == g_date_get_month(&g) &&
			    official[i].d == g_date_get_day(&g))
				break;
		if (i == G_N_ELEMENTS(official))
			fail_msg("%04u-%02u-%02u: %s is not in the official "
			    "list", y, g_date_get_month(&g),
			    g_date_get_day(&g), name);
	}
	assert_int_equal(computed, listed);
}

static void
test_official_2024(void **state)
{
	check_year(2024);
}

static void
test_official_2025(void **state)
{
	check_year(2025);
}

static void
test_official_2026(void **state)
{
	check_year(2026);
}

static void
test_official_2027(void **state)
{
	check_year(2027);
}

static void
test_special_years(void **state)
{
	/* 2019: the enthronement */
	assert_holiday(2019, 4, 29, "昭和の日");
	assert_holiday(2019, 4, 30, "国民の休日");
	assert_holiday(2019, 5, 1, "天皇の即位の日");
	assert_holiday(2019, 5, 2, "国民の休日");
	assert_holiday(2019, 5, 6, "振替休日");
	assert_holiday(2019, 10, 14, "体育の日");
	assert_holiday(2019, 10, 22, "即位礼正殿の儀");
	assert_holiday(2019, 2, 23, NULL);
	assert_holiday(2019, 12, 23, NULL);
	assert_holiday(2018, 12, 23, "天皇誕生日");
	assert_holiday(2018, 12, 24, "振替休日");
	assert_holiday(2020, 2, 23, "天皇誕生日");
	assert_holiday(2020, 2, 24, "振替休日");
	/* 2020 and 2021: the Olympics moved three holidays */
	assert_holiday(2020, 7, 20, NULL);
	assert_holiday(2020, 7, 23, "海の日");
	assert_holiday(2020, 7, 24, "スポーツの日");
	assert_holiday(2020, 8, 10, "山の日");
	assert_holiday(2020, 8, 11, NULL);
	assert_holiday(2020, 10, 12, NULL);
	assert_holiday(2021, 7, 19, NULL);
	assert_holiday(2021, 7, 22, "海の日");
	assert_holiday(2021, 7, 23, "スポーツの日");
	assert_holiday(2021, 8, 8, "山の日");
	assert_holiday(2021, 8, 9, "振替休日");
	assert_holiday(2021, 8, 11, NULL);
	assert_holiday(2021, 10, 11, NULL);
	assert_holiday(2022, 10, 10, "スポーツの日");
}

static void
test_history(void **state)
{
	/* fixed days before the Happy Monday laws */
	assert_holiday(1999, 1, 15, "成人の日");
	assert_holiday(2000, 1, 10, "成人の日");
	assert_holiday(2000, 1, 15, NULL);
	assert_holiday(1999, 10, 11, "振替休日");	/* 10/10 a Sunday */
	assert_holiday(2000, 10, 9, "体育の日");
	assert_holiday(1995, 7, 20, NULL);
	assert_holiday(1996, 7, 20, "海の日");
	assert_holiday(2003, 7, 21, "海の日");
	assert_holiday(2002, 9, 15, "敬老の日");
	assert_holiday(2002, 9, 16, "振替休日");
	assert_holiday(2003, 9, 15, "敬老の日");
	assert_holiday(2015, 8, 11, NULL);
	assert_holiday(2016, 8, 11, "山の日");
	/* the names of 4/29 and 5/4 */
	assert_holiday(1988, 4, 29, "天皇誕生日");
	assert_holiday(1989, 4, 29, "みどりの日");
	assert_holiday(2006, 4, 29, "みどりの日");
	assert_holiday(2007, 4, 29, "昭和の日");
	assert_holiday(1983, 5, 4, NULL);	/* before 国民の休日 */
	assert_holiday(1988, 5, 4, "国民の休日");
	assert_holiday(2006, 5, 4, "国民の休日");
	assert_holiday(2007, 5, 4, "みどりの日");
	assert_holiday(1989, 12, 23, "天皇誕生日");
	assert_holiday(1989, 2, 24, "昭和天皇の大喪の礼");
	assert_holiday(1990, 11, 12, "即位礼正殿の儀");
	assert_holiday(1993, 6, 9, "皇太子徳仁親王の結婚の儀");
	/* 振替休日: only the Monday before 2007, the next free day since */
	assert_holiday(1992, 5, 4, "振替休日");	/* 5/3 a Sunday */
	assert_holiday(1992, 5, 6, NULL);
	assert_holiday(2008, 5, 6, "振替休日");	/* 5/4 a Sunday */
	assert_holiday(2009, 5, 6, "振替休日");	/* 5/3 a Sunday */
	assert_holiday(2009, 9, 22, "国民の休日");
	assert_holiday(2015, 9, 22, "国民の休日");
	assert_holiday(2032, 9, 21, "国民の休日");
	/* the equinoxes by the formula */
	assert_holiday(1980, 3, 20, "春分の日");
	assert_holiday(1980, 9, 23, "秋分の日");
	assert_holiday(2012, 9, 22, "秋分の日");
	assert_holiday(2023, 3, 21, "春分の日");
	assert_holiday(2023, 9, 23, "秋分の日");
	assert_holiday(2092, 3, 19, "春分の日");
	assert_holiday(2099, 9, 23, "秋分の日");
	/* outside 1980 to 2099 nothing is computed */
	assert_holiday(1979, 1, 1, NULL);
	assert_holiday(2100, 1, 1, NULL);
}

static void
test_weekdays(void **state)
{
	GDate	d;

	d = date(2026, 9, 19);		/* Saturday */
	assert_false(bizday_is_business(NULL, &d));
	d = date(2026, 9, 20);		/* Sunday */
	assert_false(bizday_is_business(NULL, &d));
	d = date(2026, 9, 22);		/* 国民の休日, a Tuesday */
	assert_false(bizday_is_business(NULL, &d));
	d = date(2026, 9, 24);		/* Thursday */
	assert_true(bizday_is_business(NULL, &d));
}

static void
test_golden_week(void **state)
{
	GDate	from = date(2026, 4, 28), to = date(2026, 5, 8), d;

	/* 4/30, 5/1, 5/7, 5/8: 4/29 and 5/4 to 5/6 are holidays */
	assert_int_equal(bizday_between(NULL, &from, &to), 4);
	to = date(2026, 5, 6);
	assert_int_equal(bizday_between(NULL, &from, &to), 2);
	assert_int_equal(bizday_between(NULL, &to, &from), 0);
	assert_int_equal(bizday_between(NULL, &from, &from), 0);
	d = from;
	bizday_add(NULL, &d, 3);
	to = date(2026, 5, 7);
	assert_int_equal(g_date_compare(&d, &to), 0);
}

static void
test_year_end(void **state)
{
	struct bizcal	c;
	GDate		from = date(2026, 12, 25), to = date(2027, 1, 5), d, want;

	/* 12/28, 1/4, 1/5 */
	assert_int_equal(bizday_between(NULL, &from, &to), 3);
	bizcal_init_default(&c);
	assert_true(c.year_end);
	assert_int_equal(c.ye_from_month, 12);
	assert_int_equal(c.ye_from_day, 29);
	assert_int_equal(c.ye_to_month, 1);
	assert_int_equal(c.ye_to_day, 3);
	assert_null(c.extra);
	assert_int_equal(bizday_between(&c, &from, &to), 3);
	d = from;
	bizday_add(&c, &d, 2);
	want = date(2027, 1, 4);
	assert_int_equal(g_date_compare(&d, &want), 0);

	/* without the break, 12/29 to 12/31 are business days */
	c.year_end = FALSE;
	assert_int_equal(bizday_between(&c, &from, &to), 6);
	d = date(2026, 12, 29);
	assert_true(bizday_is_business(&c, &d));
	d = date(2027, 1, 1);			/* 元日 all the same */
	assert_false(bizday_is_business(&c, &d));
	d = from;
	bizday_add(&c, &d, 2);
	want = date(2026, 12, 29);
	assert_int_equal(g_date_compare(&d, &want), 0);
	bizcal_clear(&c);
}

static void
test_extra_days(void **state)
{
	struct bizcal	 c;
	GError		*e = NULL;
	GDate		 from = date(2026, 8, 10), to = date(2026, 8, 17), d;

	bizcal_init_default(&c);
	/* 8/12, 8/13, 8/14, 8/17: 8/11 is 山の日 */
	assert_int_equal(bizday_between(&c, &from, &to), 4);
	assert_true(bizcal_parse_days(&c, "2026-08-13;2026-08-14", &e));
	assert_null(e);
	assert_int_equal(bizday_between(&c, &from, &to), 2);
	d = date(2026, 8, 13);
	assert_false(bizday_is_business(&c, &d));
	assert_true(bizday_is_business(NULL, &d));
	d = from;
	bizday_add(&c, &d, 2);
	to = date(2026, 8, 17);
	assert_int_equal(g_date_compare(&d, &to), 0);
	bizcal_clear(&c);
	assert_null(c.extra);
}

static void
test_parse_days(void **state)
{
	static const char *const bad[] = {
		"2026-8-13", "2026-02-30", "2026/08/13", "26-08-13",
		"2026-08-13,2026-08-14", "2026-08-13x", "x", "2026-13-01",
		"2026-08-13;tomorrow", "2026-08-1 3",
	};
	struct bizcal	 c;
	GError		*e = NULL;
	GDate		 d, want;
	gsize		 i;

	bizcal_init_default(&c);
	assert_true(bizcal_parse_days(&c, "2026-08-13;2026-08-14;2026-08-15",
	    &e));
	assert_non_null(c.extra);
	assert_int_equal(c.extra->len, 3);
	want = date(2026, 8, 15);
	assert_int_equal(g_date_compare(&g_array_index(c.extra, GDate, 2),
	    &want), 0);

	/* blanks around the dates, an empty item: fine; replaces the list */
	assert_true(bizcal_parse_days(&c, " 2027-01-04 ;\t2027-01-05 ; ",
	    &e));
	assert_int_equal(c.extra->len, 2);
	want = date(2027, 1, 4);
	assert_int_equal(g_date_compare(&g_array_index(c.extra, GDate, 0),
	    &want), 0);
	d = date(2026, 8, 13);
	assert_true(bizday_is_business(&c, &d));

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_false(bizcal_parse_days(&c, bad[i], &e));
		assert_non_null(e);
		assert_true(g_error_matches(e, RENRAKU_ERROR,
		    RENRAKU_ERROR_CONFIG));
		g_clear_error(&e);
		/* a failure leaves the calendar as it was */
		assert_non_null(c.extra);
		assert_int_equal(c.extra->len, 2);
	}

	assert_true(bizcal_parse_days(&c, "", &e));
	assert_null(c.extra);
	assert_true(bizcal_parse_days(&c, "  ", &e));
	assert_null(c.extra);
	bizcal_clear(&c);
}

static void
test_parse_break(void **state)
{
	static const char *const bad[] = {
		"", "12-29", "12-29..", "..01-03", "13-01..01-03",
		"12-32..01-03", "00-10..01-03", "12-29..01-03x",
		"02-30..03-01", "12-29...01-03", "12-29-01-03", "nope",
		"01-01..12-31", "03-01..02-28", "-1-01..01-03", "123-1..01-03",
	};
	struct bizcal	 c;
	GError		*e = NULL;
	GDate		 d;
	gsize		 i;

	bizcal_init_default(&c);
	assert_true(bizcal_parse_break(&c, "12-28..01-04", &e));
	assert_null(e);
	assert_true(c.year_end);
	assert_int_equal(c.ye_from_month, 12);
	assert_int_equal(c.ye_from_day, 28);
	assert_int_equal(c.ye_to_month, 1);
	assert_int_equal(c.ye_to_day, 4);
	d = date(2026, 12, 28);
	assert_false(bizday_is_business(&c, &d));
	d = date(2027, 1, 4);
	assert_false(bizday_is_business(&c, &d));
	d = date(2027, 1, 5);
	assert_true(bizday_is_business(&c, &d));
	d = date(2026, 12, 25);
	assert_true(bizday_is_business(&c, &d));

	/* blanks, and a break that does not run over New Year */
	assert_true(bizcal_parse_break(&c, " 08-13 .. 08-14 ", &e));
	assert_int_equal(c.ye_from_month, 8);
	assert_int_equal(c.ye_to_day, 14);
	d = date(2026, 8, 13);
	assert_false(bizday_is_business(&c, &d));
	d = date(2026, 12, 29);
	assert_true(bizday_is_business(&c, &d));
	assert_true(bizcal_parse_break(&c, "12-29..01-03", &e));
	assert_int_equal(c.ye_from_day, 29);
	assert_int_equal(c.ye_to_day, 3);

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (bizcal_parse_break(&c, bad[i], &e))
			fail_msg("'%s' was taken for a break", bad[i]);
		assert_true(g_error_matches(e, RENRAKU_ERROR,
		    RENRAKU_ERROR_CONFIG));
		g_clear_error(&e);
		assert_true(c.year_end);
		assert_int_equal(c.ye_from_month, 12);
		assert_int_equal(c.ye_from_day, 29);
		assert_int_equal(c.ye_to_month, 1);
		assert_int_equal(c.ye_to_day, 3);
	}

	assert_true(bizcal_parse_break(&c, "none", &e));
	assert_false(c.year_end);
	d = date(2026, 12, 29);
	assert_true(bizday_is_business(&c, &d));
	assert_true(bizcal_parse_break(&c, " NONE ", &e));
	assert_false(c.year_end);
	bizcal_clear(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_official_2024),
		cmocka_unit_test(test_official_2025),
		cmocka_unit_test(test_official_2026),
		cmocka_unit_test(test_official_2027),
		cmocka_unit_test(test_special_years),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_weekdays),
		cmocka_unit_test(test_golden_week),
		cmocka_unit_test(test_year_end),
		cmocka_unit_test(test_extra_days),
		cmocka_unit_test(test_parse_days),
		cmocka_unit_test(test_parse_break),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
