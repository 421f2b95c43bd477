/*
 * mail-forward.c: a forwarded mail read through to the platform's
 * original (see mail_parse() in mail.h).
 */
#include "mail-int.h"

#include <stdlib.h>
#include <string.h>

const char *const mail_forward_subjects[] = { "Fwd:", "FW:", "転送", NULL };

char *
mail_strip_forward(const char *subject)
{
	static GRegex	*prefix;
	GMatchInfo	*mi;
	char		*rest = NULL;
	gint		 s, e;

	if (prefix == NULL)
		prefix = g_regex_new("^(?:\\s*(?:fwd?|転送)\\s*[:：]\\s*)+",
		    G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
	if (g_regex_match(prefix, subject, 0, &mi)) {
		g_match_info_fetch_pos(mi, 0, &s, &e);
		rest = g_strdup(subject + e);
	}
	g_match_info_free(mi);
	return (rest);
}

/*
 * The time a forwarded block's Date: line gives: RFC 5322, Gmail's
 * "Mon, Oct 20, 2025 at 6:04 PM" or "2025年10月20日(月) 18:04" and
 * "2025/10/20 18:04".  The latter carry no zone; the forwarder's client
 * wrote them in its own, which the outer Date: (offset 'tz') shows best.
 * Returns 0 when the value is none of these.
 */
static gint64
block_date(const char *value, GTimeZone *tz)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr",
	    "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
	static GRegex	*ja, *en;
	GMatchInfo	*mi = NULL;
	GDateTime	*d = NULL;
	gint64		 t = 0;
	int		 v[6] = { 0 }, i;

	if (ja == NULL) {
		ja = g_regex_new("(\\d{4})\\s*[年/]\\s*(\\d{1,2})\\s*[月/]\\s*"
		    "(\\d{1,2})\\D+?(\\d{1,2}):(\\d{2})(?::(\\d{2}))?",
		    G_REGEX_OPTIMIZE, 0, NULL);
		en = g_regex_new("([A-Za-z]{3})[a-z]*\\.? (\\d{1,2}), (\\d{4})"
		    "(?: at|,)? (\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*([AP]M)",
		    G_REGEX_OPTIMIZE | G_REGEX_CASELESS, 0, NULL);
	}
	if (g_regex_match(ja, value, 0, &mi)) {
		for (i = 0; i < 6; i++) {
			char *n = g_match_info_fetch(mi, i + 1);

			v[i] = n != NULL ? atoi(n) : 0;
			g_free(n);
		}
		d = g_date_time_new(tz, v[0], v[1], v[2], v[3], v[4], v[5]);
	} else {
		g_match_info_free(mi);
		if (g_regex_match(en, value, 0, &mi)) {
			char *mon = g_match_info_fetch(mi, 1);
			char *ampm = g_match_info_fetch(mi, 7);

			for (i = 1; i < 6; i++) {
				char *n = g_match_info_fetch(mi, i + 1);

				v[i] = n != NULL ? atoi(n) : 0;
				g_free(n);
			}
			for (i = 0; i < 12; i++)
				if (g_ascii_strcasecmp(mon, months[i]) == 0)
					break;
			if (v[3] == 12)
				v[3] = 0;
			if (g_ascii_strcasecmp(ampm, "pm") == 0)
				v[3] += 12;
			if (i < 12)
				d = g_date_time_new(tz, v[2], i + 1, v[1],
				    v[3], v[4], v[5]);
			g_free(mon);
			g_free(ampm);
		} else
			d = g_mime_utils_header_decode_date(value);
	}
	g_match_info_free(mi);
	if (d != NULL) {
		t = g_date_time_to_unix(d);
		g_date_time_unref(d);
	}
	return (t > 0 ? t : 0);
}

/*
 * Read a forwarded block in m->body: a marker line, optional blank lines,
 * then "Label: value" lines up to a blank line.  With a From:/差出人:
 * line that holds an address, the sender, date and body become the
 * original's and TRUE is returned.
 */
static gboolean
read_forward_block(struct mail *m, GTimeZone *tz)
{
	static GRegex	*marker, *field;
	char		**lines = g_strsplit(m->body, "\n", -1);
	char		 *from = NULL, *date = NULL;
	gboolean	  found = FALSE;
	int		  i, j;

	if (marker == NULL) {
		/* Gmail, Thunderbird, Apple Mail, Outlook, Yahoo! */
		marker = g_regex_new("forwarded message|original message|"
		    "begin forwarded message|転送(?:された)?メッセージ|"
		    "元のメッセージ|^\\s*[-_]{10,}\\s*$", G_REGEX_CASELESS |
		    G_REGEX_OPTIMIZE, 0, NULL);
		field = g_regex_new("^\\s*>?\\s*([^:：]{1,20}?)\\s*[:：]\\s*"
		    "(.*?)\\s*$", G_REGEX_OPTIMIZE, 0, NULL);
	}
	for (i = 0; lines[i] != NULL && !found; i++) {
		if (!g_regex_match(marker, lines[i], 0, NULL))
			continue;
		for (j = i + 1; lines[j] != NULL && *g_strstrip(lines[j]) ==
		    '\0'; j++)
			;
		for (; lines[j] != NULL; j++) {
			GMatchInfo	*mi;
			char		*label, *value;

			if (!g_regex_match(field, lines[j], 0, &mi)) {
				g_match_info_free(mi);
				break;
			}
			label = g_match_info_fetch(mi, 1);
			value = g_match_info_fetch(mi, 2);
			g_match_info_free(mi);
			if (from == NULL && (g_ascii_strcasecmp(label,
			    "from") == 0 || strcmp(label, "差出人") == 0 ||
			    strcmp(label, "送信者") == 0 ||
			    strcmp(label, "送信元") == 0))
				from = g_strdup(value);
			else if (date == NULL && (g_ascii_strcasecmp(label,
			    "date") == 0 || g_ascii_strcasecmp(label,
			    "sent") == 0 || strcmp(label, "日付") == 0 ||
			    strcmp(label, "日時") == 0 ||
			    strcmp(label, "送信日時") == 0))
				date = g_strdup(value);
			g_free(label);
			g_free(value);
		}
		if (from != NULL && mail_set_sender(m, from)) {
			char *body;

			found = TRUE;
			if (date != NULL && block_date(date, tz) != 0)
				m->date = block_date(date, tz);
			/* the original's text starts after the block */
			while (lines[j] != NULL && *g_strstrip(lines[j]) ==
			    '\0')
				j++;
			body = lines[j] != NULL ? g_strjoinv("\n",
			    lines + j) : g_strdup("");
			g_free(m->body);
			m->body = body;
		}
		g_clear_pointer(&from, g_free);
		g_clear_pointer(&date, g_free);
	}
	g_strfreev(lines);
	return (found);
}

/* The first message/rfc822 part of 'msg', or NULL. */
static GMimeMessage *
attached_message(GMimeMessage *msg)
{
	GMimeObject	*top = g_mime_message_get_mime_part(msg);
	GMimeMessage	*inner = NULL;
	GMimePartIter	*it;

	if (top == NULL || !GMIME_IS_MULTIPART(top))
		return (NULL);
	it = g_mime_part_iter_new(top);
	do {
		GMimeObject *o = g_mime_part_iter_get_current(it);

		if (o != NULL && GMIME_IS_MESSAGE_PART(o))
			inner = g_mime_message_part_get_message(
			    GMIME_MESSAGE_PART(o));
	} while (inner == NULL && g_mime_part_iter_next(it));
	g_mime_part_iter_free(it);
	return (inner);
}

/* Read a forwarded mail through to the original; see mail.h. */
void
mail_read_forward(GMimeMessage *msg, struct mail *m)
{
	GMimeMessage	*inner;
	GDateTime	*outer_date = g_mime_message_get_date(msg);
	GTimeZone	*tz;
	char		*outer_from, *stripped;

	if ((stripped = mail_strip_forward(m->subject)) == NULL)
		return;
	outer_from = g_strdup(m->from_addr);
	if ((inner = attached_message(msg)) != NULL) {
		mail_read_message(inner, m);
		if (*m->from_addr != '\0') {
			m->forwarded_by = outer_from;
			g_free(stripped);
			return;
		}
		mail_read_message(msg, m);	/* an empty shell: back out */
	}
	tz = outer_date != NULL ? g_time_zone_new_offset(
	    (gint32)(g_date_time_get_utc_offset(outer_date) /
	    G_TIME_SPAN_SECOND)) : g_time_zone_new_local();
	if (read_forward_block(m, tz)) {
		m->forwarded_by = outer_from;
		g_free(m->subject);
		m->subject = stripped;
		stripped = NULL;
	} else
		g_free(outer_from);
	g_time_zone_unref(tz);
	g_free(stripped);
}

