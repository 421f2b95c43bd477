/*
 * bizday.c: business days.  Only weekends are skipped for now; national
 * holidays belong in bizday_is_business().
 */
#include "bizday.h"

void
bizday_jst_date(gint64 t, GDate *d)
{
	GDateTime	*dt;
	GTimeZone	*tz = g_time_zone_new_offset(9 * 3600);

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

gboolean
bizday_is_business(const GDate *d)
{
	GDateWeekday	w = g_date_get_weekday(d);

	return (w != G_DATE_SATURDAY && w != G_DATE_SUNDAY);
}

guint
bizday_between(const GDate *from, const GDate *to)
{
	GDate	d = *from;
	guint	n = 0;

	if (g_date_compare(from, to) >= 0)
		return (0);
	do {
		g_date_add_days(&d, 1);
		if (bizday_is_business(&d))
			n++;
	} while (g_date_compare(&d, to) < 0);
	return (n);
}

void
bizday_add(GDate *d, guint n)
{
	while (n > 0) {
		g_date_add_days(d, 1);
		if (bizday_is_business(d))
			n--;
	}
}

void
bizday_format(const GDate *d, char *buf, gsize n)
{
	g_date_strftime(buf, n, "%Y-%m-%d (%a)", d);
}

char *
bizday_format_ja(const GDate *d)
{
	static const char *const wday[] = { "", "月", "火", "水", "木", "金",
	    "土", "日" };

	return (g_strdup_printf("%d月%d日（%s）", g_date_get_month(d),
	    g_date_get_day(d), wday[g_date_get_weekday(d)]));
}
