/*
 * bizday.h: the Japanese business-day clock.  Pure functions on GDate;
 * dates are calendar days in Japan (UTC+9, no daylight saving).
 */
#ifndef RENRAKU_BIZDAY_H
#define RENRAKU_BIZDAY_H

#include <glib.h>

/* Japan's offset from UTC, in seconds: JST has no summer time. */
#define BIZDAY_JST_OFFSET	(9 * 3600)

/*
 * What the user configures: the year-end break and their own days off.
 * Saturdays, Sundays and national holidays are always days off.
 */
struct bizcal {
	gboolean	 year_end;	/* skip the year-end break */
	guint		 ye_from_month, ye_from_day; /* first day of the break */
	guint		 ye_to_month, ye_to_day;     /* last day, may wrap */
	GArray		*extra;		/* of GDate: own days off; may be NULL */
};

/* The default calendar: a year-end break 12/29 to 1/3, no other days. */
void		bizcal_init_default(struct bizcal *c);

/* Free what 'c' holds (c->extra); 'c' itself is the caller's. */
void		bizcal_clear(struct bizcal *c);

/*
 * Parse the user's days off, "2026-08-13; 2026-08-14;2026-08-15" (ISO
 * dates separated by ';', blanks allowed), into c->extra, replacing what
 * was there.  On failure, 'c' is unchanged.
 */
gboolean	bizcal_parse_days(struct bizcal *c, const char *spec,
		    GError **err);

/*
 * Parse the year-end break, "12-29..01-03" (MM-DD..MM-DD, inclusive, may
 * run over New Year) or "none".  On failure, 'c' is unchanged.
 */
gboolean	bizcal_parse_break(struct bizcal *c, const char *spec,
		    GError **err);

/* The calendar day in Japan of Unix time 't', into 'd'. */
void		bizday_jst_date(gint64 t, GDate *d);

/*
 * Whether 'd' is a holiday under 国民の祝日に関する法律 (including
 * 振替休日, 国民の休日 and the days made holidays by special laws), and
 * if so its Japanese name into *name (static; 'name' may be NULL).
 * Computed for 1980 to 2099; other years have no holidays.
 */
gboolean	bizday_holiday(const GDate *d, const char **name);

/*
 * Whether 'd' is a business day in calendar 'cal' (NULL: the default):
 * not Saturday or Sunday, not a national holiday, not in the year-end
 * break, not one of the user's days off.
 */
gboolean	bizday_is_business(const struct bizcal *cal, const GDate *d);

/* How many business days fall after 'from' up to and including 'to'. */
guint		bizday_between(const struct bizcal *cal, const GDate *from,
		    const GDate *to);

/* Move 'd' forward to the n-th business day after it. */
void		bizday_add(const struct bizcal *cal, GDate *d, guint n);

/* 'd' written "2026-12-09 (Wed)"; into buf of size n. */
void		bizday_format(const GDate *d, char *buf, gsize n);

/*
 * 'd' in the user's language, as status shows it: "Dec 9 (Wed)", or
 * "12月9日（水）" in Japanese (the format is translated).  Allocated.
 */
char		*bizday_format_local(const GDate *d);

/* 'd' written the Japanese way, "11月27日（金）"; allocated. */
char		*bizday_format_ja(const GDate *d);

#endif
