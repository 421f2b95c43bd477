/*
 * bizday.h: the Japanese business-day clock.  Pure functions on GDate;
 * dates are calendar days in Japan (UTC+9, no daylight saving).
 */
#ifndef RENRAKU_BIZDAY_H
#define RENRAKU_BIZDAY_H

#include <glib.h>

/* The calendar day in Japan of Unix time 't', into 'd'. */
void		bizday_jst_date(gint64 t, GDate *d);

/* Whether 'd' is a business day: Monday to Friday. */
gboolean	bizday_is_business(const GDate *d);

/* How many business days fall after 'from' up to and including 'to'. */
guint		bizday_between(const GDate *from, const GDate *to);

/* Move 'd' forward to the n-th business day after it. */
void		bizday_add(GDate *d, guint n);

/* 'd' written "2026-12-09 (Wed)"; into buf of size n. */
void		bizday_format(const GDate *d, char *buf, gsize n);

/* 'd' written the Japanese way, "11月27日（金）"; allocated. */
char		*bizday_format_ja(const GDate *d);

#endif
