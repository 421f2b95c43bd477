/*
 * bizday.c: business days in Japan.  A business day is a weekday that is
 * not a national holiday, not in the user's year-end break and not one of
 * the user's own days off.
 *
 * The holidays are computed from the rules of 国民の祝日に関する法律 as
 * they stood in each year, not tabled per year, for 1980 to 2099 (the
 * range of the equinox formula below).
 */
#include <glib/gi18n.h>

#include "bizday.h"

#include <string.h>

#include "error.h"

/* Give up looking for a business day after this many days off in a row. */
#define BIZDAY_MAX_GAP	3660

/* Days made holidays by laws of their own, counted as 国民の祝日. */
static const struct {
	guint		 year, month, day;
	const char	*name;
} special_days[] = {
	{ 1989, 2, 24, "昭和天皇の大喪の礼" },
	{ 1990, 11, 12, "即位礼正殿の儀" },
	{ 1993, 6, 9, "皇太子徳仁親王の結婚の儀" },
	{ 2019, 5, 1, "天皇の即位の日" },
	{ 2019, 10, 22, "即位礼正殿の儀" },
};

void
bizday_jst_date(gint64 t, GDate *d)
{
	GDateTime	*dt;
	GTimeZone	*tz = g_time_zone_new_offset(BIZDAY_JST_OFFSET);

	dt = g_date_time_new_from_unix_utc(t);
	if (dt != NULL) {
		GDateTime *jst = g_date_time_to_timezone(dt, tz);

		g_date_set_dmy(d, (GDateDay)g_date_time_get_day_of_month(jst),
		    (GDateMonth)g_date_time_get_month(jst),
		    (GDateYear)g_date_time_get_year(jst));
		g_date_time_unref(jst);
		g_date_time_unref(dt);
	} else
		g_date_set_dmy(d, 1, 1, 1970);
	g_time_zone_unref(tz);
}

/* The day of month of the n-th Monday of month 'm' of year 'y'. */
static guint
nth_monday(guint y, guint m, guint n)
{
	GDate	first;
	guint	w;

	g_date_clear(&first, 1);
	g_date_set_dmy(&first, 1, (GDateMonth)m, (GDateYear)y);
	w = g_date_get_weekday(&first);		/* 1 = Monday .. 7 = Sunday */
	return (1 + (8 - w) % 7 + 7 * (n - 1));
}

/*
 * The day in March (base 20843100) or September (base 23248800) of the
 * equinox holiday of year 'y', 1980 to 2099:
 * int(base + 0.242194 * (y - 1980) - int((y - 1980) / 4)), in millionths
 * so that no rounding creeps in.
 */
static guint
equinox(guint y, gint64 base)
{
	gint64	k = (gint64)y - 1980;

	return ((guint)((base + 242194 * k) / 1000000 - k / 4));
}

/*
 * The name of the 国民の祝日 (or day counted as one) on y-m-d, or NULL.
 * Not 振替休日 nor 国民の休日, which follow from these.
 */
static const char *
shukujitsu(guint y, guint m, guint d)
{
	gsize	i;

	if (y < 1980 || y > 2099)
		return (NULL);
	for (i = 0; i < G_N_ELEMENTS(special_days); i++)
		if (special_days[i].year == y && special_days[i].month == m &&
		    special_days[i].day == d)
			return (special_days[i].name);
	switch (m) {
	case 1:
		if (d == 1)
			return ("元日");
		if (d == (y < 2000 ? 15 : nth_monday(y, 1, 2)))
			return ("成人の日");
		break;
	case 2:
		if (d == 11)
			return ("建国記念の日");
		if (d == 23 && y >= 2020)
			return ("天皇誕生日");
		break;
	case 3:
		if (d == equinox(y, 20843100))
			return ("春分の日");
		break;
	case 4:
		if (d == 29)
			return (y <= 1988 ? "天皇誕生日" : y <= 2006 ?
			    "みどりの日" : "昭和の日");
		break;
	case 5:
		if (d == 3)
			return ("憲法記念日");
		if (d == 4 && y >= 2007)
			return ("みどりの日");
		if (d == 5)
			return ("こどもの日");
		break;
	case 7:
		if (y == 2020)
			return (d == 23 ? "海の日" : d == 24 ? "スポーツの日" :
			    NULL);
		if (y == 2021)
			return (d == 22 ? "海の日" : d == 23 ? "スポーツの日" :
			    NULL);
		if ((y >= 1996 && y <= 2002 && d == 20) ||
		    (y >= 2003 && d == nth_monday(y, 7, 3)))
			return ("海の日");
		break;
	case 8:
		if ((y == 2020 && d == 10) || (y == 2021 && d == 8) ||
		    (y >= 2016 && y != 2020 && y != 2021 && d == 11))
			return ("山の日");
		break;
	case 9:
		if (d == (y <= 2002 ? 15 : nth_monday(y, 9, 3)))
			return ("敬老の日");
		if (d == equinox(y, 23248800))
			return ("秋分の日");
		break;
	case 10:
		if (y <= 1999 && d == 10)
			return ("体育の日");
		if (y >= 2000 && y <= 2019 && d == nth_monday(y, 10, 2))
			return ("体育の日");
		if (y >= 2022 && d == nth_monday(y, 10, 2))
			return ("スポーツの日");
		break;
	case 11:
		if (d == 3)
			return ("文化の日");
		if (d == 23)
			return ("勤労感謝の日");
		break;
	case 12:
		if (d == 23 && y >= 1989 && y <= 2018)
			return ("天皇誕生日");
		break;
	}
	return (NULL);
}

/* shukujitsu() of the day 'days' away from 'd' (its weekday too). */
static const char *
shukujitsu_at(const GDate *d, gint days, GDateWeekday *wday)
{
	GDate	x;

	g_date_clear(&x, 1);
	g_date_set_julian(&x, (guint32)((gint64)g_date_get_julian(d) + days));
	if (wday != NULL)
		*wday = g_date_get_weekday(&x);
	return (shukujitsu(g_date_get_year(&x), g_date_get_month(&x),
	    g_date_get_day(&x)));
}

gboolean
bizday_holiday(const GDate *d, const char **name)
{
	const char	*n;
	GDateWeekday	 w;
	guint		 y;
	gint		 i;

	if (name != NULL)
		*name = NULL;
	if (d == NULL || !g_date_valid(d))
		return (FALSE);
	y = g_date_get_year(d);
	if (y < 1980 || y > 2099)
		return (FALSE);
	if ((n = shukujitsu_at(d, 0, NULL)) == NULL) {
		/*
		 * 振替休日: a 祝日 on a Sunday makes the next day a holiday;
		 * since 2007, the first day after it that is not a 祝日.
		 */
		for (i = -1; shukujitsu_at(d, i, &w) != NULL; i--) {
			if (w == G_DATE_SUNDAY) {
				n = "振替休日";
				break;
			}
			if (y < 2007)
				break;
		}
		/*
		 * 国民の休日 (since 1985-12-27): a day between two 祝日 that
		 * is neither a Sunday nor a 振替休日.
		 */
		if (n == NULL && y >= 1986 &&
		    g_date_get_weekday(d) != G_DATE_SUNDAY &&
		    shukujitsu_at(d, -1, NULL) != NULL &&
		    shukujitsu_at(d, 1, NULL) != NULL)
			n = "国民の休日";
	}
	if (name != NULL)
		*name = n;
	return (n != NULL);
}

void
bizcal_init_default(struct bizcal *c)
{
	memset(c, 0, sizeof *c);
	c->year_end = TRUE;
	c->ye_from_month = 12;
	c->ye_from_day = 29;
	c->ye_to_month = 1;
	c->ye_to_day = 3;
	c->extra = NULL;
}

void
bizcal_clear(struct bizcal *c)
{
	if (c->extra != NULL)
		g_array_unref(c->extra);
	c->extra = NULL;
}

/* Parse exactly 'width' digits at 's' into *v. */
static gboolean
digits(const char *s, guint width, guint *v)
{
	guint	i;

	*v = 0;
	for (i = 0; i < width; i++) {
		if (!g_ascii_isdigit(s[i]))
			return (FALSE);
		*v = *v * 10 + (guint)(s[i] - '0');
	}
	return (TRUE);
}

gboolean
bizcal_parse_days(struct bizcal *c, const char *spec, GError **err)
{
	GArray	 *days;
	GDate	  d;
	char	**parts;
	guint	  i, y, m, dd;

	days = g_array_new(FALSE, FALSE, sizeof(GDate));
	parts = g_strsplit(spec, ";", -1);
	for (i = 0; parts[i] != NULL; i++) {
		const char *s = g_strstrip(parts[i]);

		if (*s == '\0')
			continue;
		if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
		    !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
		    !digits(s + 8, 2, &dd) || !g_date_valid_dmy((GDateDay)dd,
		    (GDateMonth)m, (GDateYear)y)) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
			    _("'%s' is not a date (YYYY-MM-DD; dates separated "
			    "by ';')"), s);
			g_strfreev(parts);
			g_array_unref(days);
			return (FALSE);
		}
		g_date_clear(&d, 1);
		g_date_set_dmy(&d, (GDateDay)dd, (GDateMonth)m, (GDateYear)y);
		g_array_append_val(days, d);
	}
	g_strfreev(parts);
	bizcal_clear(c);
	if (days->len > 0)
		c->extra = days;
	else
		g_array_unref(days);
	return (TRUE);
}

/* Parse "MM-DD" (or "M-D") at 's' into *m, *d: a day of a leap year. */
static gboolean
month_day(const char *s, guint *m, guint *d)
{
	char	*end;
	guint64	 v;

	if (!g_ascii_isdigit(*s))
		return (FALSE);
	v = g_ascii_strtoull(s, &end, 10);
	if (end - s > 2 || *end != '-' || v < 1 || v > 12)
		return (FALSE);
	*m = (guint)v;
	s = end + 1;
	if (!g_ascii_isdigit(*s))
		return (FALSE);
	v = g_ascii_strtoull(s, &end, 10);
	if (end - s > 2 || *end != '\0' || v < 1 ||
	    v > g_date_get_days_in_month((GDateMonth)*m, 2000))
		return (FALSE);
	*d = (guint)v;
	return (TRUE);
}

gboolean
bizcal_parse_break(struct bizcal *c, const char *spec, GError **err)
{
	char	*s, *sep, *from, *to;
	guint	 fm, fd, tm, td;
	GDate	 a, b;
	gboolean ok;

	s = g_strstrip(g_strdup(spec));
	if (g_ascii_strcasecmp(s, "none") == 0) {
		g_free(s);
		c->year_end = FALSE;
		return (TRUE);
	}
	ok = FALSE;
	if ((sep = strstr(s, "..")) != NULL) {
		*sep = '\0';
		from = g_strstrip(s);
		to = g_strstrip(sep + 2);
		ok = month_day(from, &fm, &fd) && month_day(to, &tm, &td);
	}
	if (!ok) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("'%s' is not a break: write MM-DD..MM-DD (e.g. "
		    "12-29..01-03) or none"), spec);
		g_free(s);
		return (FALSE);
	}
	g_free(s);
	/* the length of the break, in a leap year; it must leave a day */
	g_date_clear(&a, 1);
	g_date_clear(&b, 1);
	g_date_set_dmy(&a, (GDateDay)fd, (GDateMonth)fm, 2000);
	g_date_set_dmy(&b, (GDateDay)td, (GDateMonth)tm, 2000);
	if (g_date_compare(&b, &a) < 0)
		g_date_add_years(&b, 1);
	if (g_date_days_between(&a, &b) + 1 >= 365) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("'%s' is not a break: it covers the whole year"), spec);
		return (FALSE);
	}
	c->year_end = TRUE;
	c->ye_from_month = fm;
	c->ye_from_day = fd;
	c->ye_to_month = tm;
	c->ye_to_day = td;
	return (TRUE);
}

/* Whether 'd' falls in the year-end break of 'cal'. */
static gboolean
in_break(const struct bizcal *cal, const GDate *d)
{
	guint	md, from, to;

	if (!cal->year_end)
		return (FALSE);
	md = g_date_get_month(d) * 100 + g_date_get_day(d);
	from = cal->ye_from_month * 100 + cal->ye_from_day;
	to = cal->ye_to_month * 100 + cal->ye_to_day;
	if (from <= to)
		return (md >= from && md <= to);
	return (md >= from || md <= to);
}

gboolean
bizday_is_business(const struct bizcal *cal, const GDate *d)
{
	struct bizcal	def;
	GDateWeekday	w = g_date_get_weekday(d);
	guint		i;

	if (w == G_DATE_SATURDAY || w == G_DATE_SUNDAY)
		return (FALSE);
	if (cal == NULL) {
		bizcal_init_default(&def);
		cal = &def;
	}
	if (in_break(cal, d) || bizday_holiday(d, NULL))
		return (FALSE);
	if (cal->extra != NULL)
		for (i = 0; i < cal->extra->len; i++)
			if (g_date_compare(&g_array_index(cal->extra, GDate,
			    i), d) == 0)
				return (FALSE);
	return (TRUE);
}

guint
bizday_between(const struct bizcal *cal, const GDate *from, const GDate *to)
{
	GDate	d = *from;
	guint	n = 0;

	if (g_date_compare(from, to) >= 0)
		return (0);
	do {
		g_date_add_days(&d, 1);
		if (bizday_is_business(cal, &d))
			n++;
	} while (g_date_compare(&d, to) < 0);
	return (n);
}

void
bizday_add(const struct bizcal *cal, GDate *d, guint n)
{
	guint	gap = 0;

	while (n > 0 && gap < BIZDAY_MAX_GAP) {
		g_date_add_days(d, 1);
		if (bizday_is_business(cal, d)) {
			n--;
			gap = 0;
		} else
			gap++;
	}
}

void
bizday_format(const GDate *d, char *buf, gsize n)
{
	g_date_strftime(buf, n, "%Y-%m-%d (%a)", d);
}

char *
bizday_format_local(const GDate *d)
{
	GTimeZone	*tz = g_time_zone_new_offset(BIZDAY_JST_OFFSET);
	GDateTime	*t;
	char		*s;

	t = g_date_time_new(tz, g_date_get_year(d), g_date_get_month(d),
	    g_date_get_day(d), 12, 0, 0);
	/* TRANSLATORS: a day, for g_date_time_format(); in Japanese
	   "%-m月%-d日（%a）" */
	s = g_date_time_format(t, _("%b %-d (%a)"));
	g_date_time_unref(t);
	g_time_zone_unref(tz);
	return (s);
}

char *
bizday_format_ja(const GDate *d)
{
	static const char *const wday[] = { "", "月", "火", "水", "木", "金",
	    "土", "日" };

	return (g_strdup_printf("%d月%d日（%s）", g_date_get_month(d),
	    g_date_get_day(d), wday[g_date_get_weekday(d)]));
}
