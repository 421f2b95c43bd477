/*
 * explain.c: print what the rules make of one mail, and which rule said
 * so.  Only formatting lives here; the decisions come from rules_explain()
 * so that explain cannot disagree with sync.
 */
#include <glib/gi18n.h>

#include "explain.h"

#include <string.h>

#include "error.h"
#include "mail.h"

/* The label column: labels are the rules files' own words, untranslated. */
static void
field(FILE *out, const char *label)
{
	fprintf(out, "  %-9s ", label);
}

/* 's' on one line, line ends shown as a backslash and 'n': a match can
 * span lines. */
static char *
oneline(const char *s)
{
	GString	*out = g_string_new(NULL);

	for (; *s != '\0'; s++)
		if (*s == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *s);
	return (g_string_free(out, FALSE));
}

/* "FILE:LINE [group] key" for a hit. */
static char *
where(const struct rules_trace *t, const struct rules_hit *h)
{
	GString	*s = g_string_new(t->file);

	if (h->line > 0)
		g_string_append_printf(s, ":%d", h->line);
	g_string_append_printf(s, " [%s] %s", h->group, h->key);
	return (g_string_free(s, FALSE));
}

/* The first hit for 'key', or NULL. */
static const struct rules_hit *
find_hit(const struct rules_trace *t, const char *key)
{
	guint	i;

	for (i = 0; i < t->hits->len; i++) {
		const struct rules_hit *h = &g_array_index(t->hits,
		    struct rules_hit, i);

		if (strcmp(h->key, key) == 0)
			return (h);
	}
	return (NULL);
}

/*
 * "LABEL VALUE  (FILE:LINE [group] key = PATTERN, matched “TEXT” in FIELD)",
 * or, when there is no value, why (the N_() message 'none').
 */
static void
print_value(FILE *out, const char *label, const char *value,
    const struct rules_trace *t, const char *key, const char *none)
{
	const struct rules_hit	*h = find_hit(t, key);
	char			*w, *text;

	field(out, label);
	if (value == NULL) {
		fprintf(out, "-  (%s)\n", _(none));
		return;
	}
	fputs(value, out);
	if (h != NULL) {
		w = where(t, h);
		text = oneline(h->text);
		fprintf(out, _("  (%s = %s, matched \xe2\x80\x9c%s\xe2\x80\x9d "
		    "in the %s)"), w, h->pattern, text, h->field);
		g_free(text);
		g_free(w);
	}
	fputc('\n', out);
}

/* Why the mail is no platform event. */
static void
explain_none(const struct rules *r, const struct mail *m,
    const struct rules_trace *t, FILE *out)
{
	const struct rules_hit	*h;
	char			**domains, *list, *w;

	if (t->file == NULL) {
		domains = rules_sender_domains(r);
		list = g_strjoinv(", ", domains);
		field(out, "platform");
		fprintf(out, _("none: no platform domain matched the sender "
		    "%s (known: %s)\n"), *m->from_addr != '\0' ?
		    m->from_addr : _("(no From:)"), list);
		g_free(list);
		g_strfreev(domains);
	} else if ((h = find_hit(t, "exclude")) != NULL) {
		w = where(t, h);
		field(out, "platform");
		fprintf(out, _("none: the sender %s is excluded by '%s' (%s): "
		    "newsletters and the like start no thread\n"),
		    m->from_addr, h->pattern, w);
		g_free(w);
	}
	field(out, "result");
	fputs(_("not a platform event: renraku ignores this mail\n"), out);
}

/* The mail's name and what it says of itself: sender, forwarder,
 * subject, date. */
static void
print_headers(const char *name, const struct mail *m, FILE *out)
{
	GDateTime	*d;
	char		*s;

	fprintf(out, _("%s:\n"), name);
	field(out, "from");
	if (*m->from_name != '\0')
		fprintf(out, "%s <%s>\n", m->from_name, m->from_addr);
	else if (*m->from_addr != '\0')
		fprintf(out, "%s\n", m->from_addr);
	else
		fprintf(out, "-  %s\n", _("(no From:)"));
	if (m->forwarded_by != NULL) {
		field(out, "forwarded");
		fprintf(out, _("by %s; the other fields are the original's\n"),
		    m->forwarded_by);
	}
	field(out, "subject");
	if (*m->subject != '\0')
		fprintf(out, "%s\n", m->subject);
	else
		fprintf(out, "-  %s\n", _("(no Subject:)"));
	if (m->date != 0 && (d = g_date_time_new_from_unix_local(m->date)) !=
	    NULL) {
		s = g_date_time_format(d, "%Y-%m-%d %H:%M:%S %z");
		field(out, "date");
		fprintf(out, "%s\n", s);
		g_free(s);
		g_date_time_unref(d);
	} else {
		field(out, "date");
		fprintf(out, "-  %s\n", _("(no usable Date:; sync uses the "
		    "time it reads the mail)"));
	}
}

gboolean
explain_mail(const struct rules *r, const char *name, const char *raw,
    gsize len, FILE *out, GError **err)
{
	struct mail		 m;
	struct event		 ev;
	struct rules_trace	 t;
	const struct rules_hit	*h;
	gboolean		 known;
	char			*s, *w;
	guint			 i;

	if (!mail_parse(raw, len, &m, err)) {
		g_prefix_error(err, _("%s: "), name);
		return (FALSE);
	}
	known = rules_explain(r, &m, &ev, &t);

	print_headers(name, &m, out);

	if (!known) {
		explain_none(r, &m, &t, out);
		goto out;
	}
	h = find_hit(&t, "domains");
	w = where(&t, h);
	field(out, "platform");
	fprintf(out, _("%s (%s)  (%s = %s, matched the sender %s)\n"),
	    ev.platform, rules_platform_name(r, ev.platform), w, h->pattern,
	    h->text);
	g_free(w);

	if (t.undecoded) {
		field(out, "event");
		fprintf(out, _("unknown  (the subject could not be decoded, so "
		    "no [event KIND] group was tried; in a thread, sync "
		    "counts it as the client's)\n"));
	} else if (t.group == NULL) {
		s = rules_normalize(m.subject);
		field(out, "event");
		fprintf(out, _("unknown  (platform %s, but none of the %u "
		    "[event KIND] groups of %s matched; normalised subject "
		    "\xe2\x80\x9c%s\xe2\x80\x9d)\n"), ev.platform, t.ngroups,
		    t.file, s);
		g_free(s);
	} else {
		const char *sep = "";

		field(out, "event");
		fprintf(out, "%s  (%s:%d [%s]", event_kind_name(ev.kind),
		    t.file, t.group_line, t.group);
		for (i = 0; i < t.hits->len; i++) {
			h = &g_array_index(t.hits, struct rules_hit, i);
			if (strcmp(h->group, t.group) != 0 ||
			    (strcmp(h->key, "subject") != 0 &&
			    strcmp(h->key, "body") != 0))
				continue;
			s = oneline(h->text);
			fprintf(out, _("%s %s = %s, matched \xe2\x80\x9c%s"
			    "\xe2\x80\x9d"), sep, h->key, h->pattern, s);
			g_free(s);
			sep = ";";
		}
		fprintf(out, _(")\n"));
	}
	if (ev.kind == EVENT_NOISE) {
		field(out, "result");
		fputs(_("noise: no thread, key, client or title\n"), out);
		goto out;
	}
	print_value(out, "key", ev.key, &t, "thread_key",
	    N_("no thread_key pattern matched the body, links or subject"));
	if (ev.key == NULL) {
		field(out, "thread");
		if (ev.name_key != NULL)
			fprintf(out, _("%s/%s  (made from client and title: the "
			    "thread of the same client and job title)\n"),
			    ev.platform, ev.name_key);
		else
			fprintf(out, _("-  (no id, nor client and title: sync "
			    "lists it in renraku status)\n"));
	}
	field(out, "url");
	fprintf(out, "%s\n", ev.url != NULL ? ev.url : "-");
	print_value(out, "client", ev.client, &t, "client",
	    N_("no client pattern matched"));
	print_value(out, "title", ev.title, &t, "title",
	    N_("no title pattern matched"));
out:
	if (known)
		event_clear(&ev);
	rules_trace_clear(&t);
	mail_clear(&m);
	return (TRUE);
}
