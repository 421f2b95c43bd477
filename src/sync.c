/*
 * sync.c: the cron job.  For each account: read new platform mail from
 * the watched mailboxes into the store, then APPEND the drafts the policy
 * says are due.  Nothing here sees libetpan, GMime or SQLite.
 */
#include "sync.h"

#include <stdio.h>
#include <string.h>

#include "bizday.h"
#include "draft.h"
#include "error.h"
#include "imap.h"
#include "mail.h"
#include "policy.h"
#include "template.h"

#define FIRST_SYNC_DAYS	90	/* how far back the first sync looks */

/* State of one mailbox's fetch, for on_message(). */
struct fetch {
	const struct run	*r;
	struct store		*st;
	const char		*account;
	const char		*mailbox;
	guint			 platform_mails;
	guint			 new_events;
};

static gboolean
on_message(guint32 uid, const char *raw, gsize len, void *ctx, GError **err)
{
	struct fetch		*f = ctx;
	struct mail		 m;
	struct event		 ev;
	struct stored_event	 se;
	GError			*e = NULL;
	char			*digest = NULL;
	gboolean		 added, ok = TRUE;

	if (!mail_parse(raw, len, &m, &e)) {
		g_printerr("renraku: warning: %s UID %u: %s; skipped\n",
		    f->mailbox, uid, e->message);
		g_error_free(e);
		return (TRUE);
	}
	if (!rules_classify(f->r->rules, &m, &ev))
		goto out;
	f->platform_mails++;
	if (m.message_id == NULL)
		digest = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
		    (const guchar *)raw, len);
	se.mail_id = m.message_id != NULL ? m.message_id : digest;
	se.account = f->account;
	se.mailbox = f->mailbox;
	se.uid = uid;
	se.time = m.date != 0 ? m.date : g_date_time_to_unix(f->r->now);
	se.subject = m.subject;
	se.ev = &ev;
	ok = store_add_event(f->st, &se, &added, err);
	if (ok && added) {
		f->new_events++;
		if (f->r->verbose > 0)
			printf("%s UID %u: %s %s%s%s\n", f->mailbox, uid,
			    ev.platform, event_kind_name(ev.kind),
			    ev.key != NULL ? " " : "",
			    ev.key != NULL ? ev.key : "");
	}
	event_clear(&ev);
out:
	g_free(digest);
	mail_clear(&m);
	return (ok);
}

/* Bring the store up to date with one watched mailbox. */
static gboolean
sync_mailbox(const struct run *r, struct store *st, struct imap *s,
    const struct account *acct, const char *mailbox,
    const char *const *domains, GError **err)
{
	struct imap_mailbox	 mb;
	struct fetch		 f = { r, st, acct->name, mailbox, 0, 0 };
	GArray			*uids;
	GDate			 since;
	guint32			 validity, last, next_last;
	gboolean		 found, fresh;

	if (!imap_examine(s, mailbox, &mb, err) ||
	    !store_mailbox_get(st, acct->name, mailbox, &found, &validity,
	    &last, err))
		return (FALSE);
	fresh = !found || validity != mb.uidvalidity;
	if (!fresh && mb.uidnext != 0 && mb.uidnext - 1 <= last) {
		if (r->verbose > 0)
			printf("%s: nothing new\n", mailbox);
		return (TRUE);
	}
	if (fresh) {
		/* first sync, or the mailbox was recreated: look back */
		bizday_jst_date(g_date_time_to_unix(r->now), &since);
		g_date_subtract_days(&since, FIRST_SYNC_DAYS);
		last = 0;
	}
	uids = imap_search(s, last + 1, domains, fresh ? &since : NULL, err);
	if (uids == NULL)
		return (FALSE);
	if (!store_begin(st, err)) {
		g_array_unref(uids);
		return (FALSE);
	}
	next_last = mb.uidnext != 0 ? mb.uidnext - 1 : last;
	if (uids->len > 0)
		next_last = MAX(next_last, g_array_index(uids, guint32,
		    uids->len - 1));
	if (!imap_fetch(s, uids, on_message, &f, err) ||
	    !store_mailbox_set(st, acct->name, mailbox, mb.uidvalidity,
	    MAX(next_last, last), err) || !store_commit(st, err)) {
		store_rollback(st);
		g_array_unref(uids);
		return (FALSE);
	}
	if (r->verbose > 0)
		printf("%s: %u new, %u platform mails, %u new events\n",
		    mailbox, uids->len, f.platform_mails, f.new_events);
	g_array_unref(uids);
	return (TRUE);
}

static void
put(GHashTable *v, const char *name, char *value)
{
	g_hash_table_insert(v, (gpointer)name, value);
}

/* The values a template may use, for thread 't' and decision 'd'. */
static GHashTable *
template_values(const struct run *r, const struct thread *t,
    const struct decision *d, guint step)
{
	GHashTable	*v;
	GDate		 last;

	v = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	bizday_jst_date(d->last_client, &last);
	put(v, "client_name", g_strdup(t->client != NULL ?
	    t->client : "ご担当者"));
	put(v, "your_name", g_strdup(r->cfg->your_name));
	put(v, "job_title", g_strdup(t->title != NULL ?
	    t->title : ""));
	put(v, "platform_name", g_strdup(
	    rules_platform_name(r->rules, t->platform)));
	put(v, "thread_url", g_strdup(t->url != NULL ?
	    t->url : ""));
	put(v, "last_contact", bizday_format_ja(&last));
	put(v, "days_silent", g_strdup_printf("%u",
	    d->days_silent));
	put(v, "step", g_strdup_printf("%u", step));
	return (v);
}

/* The message to paste, then the user's own notes, clearly apart. */
static char *
draft_body(const char *message, GHashTable *v)
{
	return (g_strdup_printf("%s\n"
	    "――――――――――――――――――――――――――――――\n"
	    "renraku メモ（この線から下は送信前に削除してください）\n"
	    "プラットフォーム: %s\n"
	    "案件: %s\n"
	    "スレッド: %s\n"
	    "クライアントの最後の連絡: %s\n"
	    "無連絡の営業日数: %s日\n",
	    message,
	    (char *)g_hash_table_lookup(v, "platform_name"),
	    (char *)g_hash_table_lookup(v, "job_title"),
	    (char *)g_hash_table_lookup(v, "thread_url"),
	    (char *)g_hash_table_lookup(v, "last_contact"),
	    (char *)g_hash_table_lookup(v, "days_silent")));
}

/* Drafting state of one account, set up on first need. */
struct drafter {
	const struct run	*r;
	struct store		*st;
	struct imap		*s;
	const struct account	*acct;
	struct template		*tmpl;
	char			*drafts;	/* mailbox name */
	gboolean		 examined;
};

static gboolean
make_draft(struct drafter *dr, const struct thread *t,
    const struct decision *d, GError **err)
{
	const struct run	*r = dr->r;
	struct draft		 draft;
	GHashTable		*v;
	char			*subject, *message, *body, *id, *wire = NULL;
	gsize			 len;
	gboolean		 ok = FALSE;
	int			 has;

	if (dr->tmpl == NULL && (dr->tmpl = template_load(r->template_dirs,
	    "followup-1", err)) == NULL)
		return (FALSE);
	v = template_values(r, t, d, d->step_due);
	subject = template_render(dr->tmpl->subject, v, TRUE);
	message = template_render(dr->tmpl->body, v, FALSE);
	body = draft_body(message, v);
	id = draft_message_id(t->id, d->step_due, d->last_client,
	    dr->acct->user);
	if (r->dry_run) {
		printf("would draft %s step %u\nSubject: %s\n\n%s\n", t->id,
		    d->step_due, subject, body);
		ok = TRUE;
		goto out;
	}
	if (!store_draft_begin(dr->st, t->id, d->step_due, d->last_client,
	    id, g_date_time_to_unix(r->now), err))
		goto out;
	if (dr->drafts == NULL) {
		dr->drafts = dr->acct->drafts != NULL ?
		    g_strdup(dr->acct->drafts) : imap_find_drafts(dr->s, err);
		if (dr->drafts == NULL)
			goto out;
	}
	if (!dr->examined) {
		struct imap_mailbox mb;

		if (!imap_examine(dr->s, dr->drafts, &mb, err))
			goto out;
		dr->examined = TRUE;
	}
	/* a run that died after APPEND left it there: do not add another */
	{
		char		 step[16];
		const char	*pairs[] = { "X-Renraku-Thread", t->id,
				    "X-Renraku-Step", step, "Message-ID", id,
				    NULL };

		g_snprintf(step, sizeof step, "%u", d->step_due);
		if ((has = imap_has_header(dr->s, pairs, err)) < 0)
			goto out;
	}
	if (!has) {
		draft.from_name = r->cfg->your_name;
		draft.from_addr = dr->acct->user;
		draft.subject = subject;
		draft.body = body;
		draft.thread = t->id;
		draft.step = d->step_due;
		draft.message_id = id;
		draft.date = r->now;
		wire = draft_build(&draft, &len);
		if (!imap_append_draft(dr->s, dr->drafts, wire, len, r->now,
		    err))
			goto out;
	}
	if (!store_draft_done(dr->st, t->id, d->step_due, d->last_client,
	    err))
		goto out;
	if (r->verbose > 0)
		printf("%s: follow-up %u %s %s\n", t->id, d->step_due,
		    has ? "already in" : "drafted in", dr->drafts);
	ok = TRUE;
out:
	g_hash_table_unref(v);
	g_free(subject);
	g_free(message);
	g_free(body);
	g_free(id);
	g_free(wire);
	return (ok);
}

static gboolean
draft_due(const struct run *r, struct store *st, struct imap *s,
    const struct account *acct, GError **err)
{
	struct drafter	 dr = { r, st, s, acct, NULL, NULL, FALSE };
	struct policy	 p = { r->cfg->step1_days };
	struct decision	 d;
	GPtrArray	*threads;
	gboolean	 ok = TRUE;
	guint		 i;

	if ((threads = store_threads(st, acct->name, err)) == NULL)
		return (FALSE);
	for (i = 0; ok && i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		policy_decide(&t->state, &p, g_date_time_to_unix(r->now), &d);
		if (d.step_due > 0)
			ok = make_draft(&dr, t, &d, err);
	}
	g_ptr_array_unref(threads);
	template_free(dr.tmpl);
	g_free(dr.drafts);
	return (ok);
}

static gboolean
sync_account(const struct run *r, struct store *st,
    const struct account *acct, GError **err)
{
	struct imap	*s;
	char		*password, **domains;
	gboolean	 ok = TRUE;
	guint		 i;

	if ((password = config_password(acct, err)) == NULL)
		return (FALSE);
	s = imap_open(acct, password, r->cfg->timeout, r->verbose > 1, err);
	config_password_free(password);
	if (s == NULL)
		return (FALSE);
	domains = rules_sender_domains(r->rules);
	for (i = 0; ok && acct->mailboxes[i] != NULL; i++)
		ok = sync_mailbox(r, st, s, acct, acct->mailboxes[i],
		    (const char *const *)domains, err);
	g_strfreev(domains);
	if (ok)
		ok = draft_due(r, st, s, acct, err);
	imap_close(s);
	return (ok);
}

/* Precedence of error classes for the exit status: higher wins. */
static int
severity(int code)
{
	switch (code) {
	case RENRAKU_ERROR_CONFIG:
		return (3);
	case RENRAKU_ERROR_PERM:
		return (2);
	default:
		return (1);
	}
}

gboolean
sync_run(const struct run *r, struct store *st, GError **err)
{
	GString		*msgs = NULL;
	int		 worst = -1;
	guint		 i;

	for (i = 0; i < r->cfg->accounts->len; i++) {
		const struct account	*acct = r->cfg->accounts->pdata[i];
		GError			*e = NULL;

		if (sync_account(r, st, acct, &e))
			continue;
		if (msgs == NULL)
			msgs = g_string_new(NULL);
		else
			g_string_append_c(msgs, '\n');
		if (r->cfg->accounts->len > 1)
			g_string_append_printf(msgs, "account %s: ",
			    acct->name);
		g_string_append(msgs, e->message);
		if (worst < 0 || severity(e->code) > severity(worst))
			worst = e->code;
		g_error_free(e);
	}
	if (msgs == NULL)
		return (TRUE);
	g_set_error_literal(err, RENRAKU_ERROR, worst, msgs->str);
	g_string_free(msgs, TRUE);
	return (FALSE);
}
