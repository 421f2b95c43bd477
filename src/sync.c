/*
 * sync.c: the cron job.  For each account: read new platform mail from
 * the watched mailboxes into the store (intake), then let the Drafts
 * reconciler (drafts.c) bring the drafts in line.  Nothing here sees
 * libetpan, GMime or SQLite.
 */
#include <glib/gi18n.h>

#include "sync.h"

#include <stdio.h>
#include <string.h>

#include "bizday.h"
#include "drafts.h"
#include "error.h"
#include "log.h"
#include "imap.h"
#include "mail.h"
#include "notify.h"
#include "policy.h"

#define FIRST_SYNC_DAYS	90	/* how far back the first sync looks */
#define STUCK_TRIES	3	/* runs that ask for an unreadable message */
#define UID_SLACK	100	/* UIDs past UIDNEXT that mail arriving
				   during a sync may explain */

/* State of one mailbox's fetch, for on_message(). */
struct fetch {
	const struct run	*r;
	struct store		*st;
	const char		*account;
	const char		*mailbox;
	guint			 platform_mails;
	guint			 new_events;
	guint			 done, total;	/* for the progress counter */
};

static gboolean
on_message(guint32 uid, const char *raw, gsize len, gsize size, void *ctx,
    GError **err)
{
	struct fetch		*f = ctx;
	struct mail		 m;
	struct event		 ev;
	struct stored_event	 se;
	GError			*e = NULL;
	char			*digest = NULL;
	gboolean		 added, ok = TRUE;

	f->done++;
	if (f->r->progress && f->total >= 200 && (f->done % 50 == 0 ||
	    f->done == f->total))
		fprintf(stderr, "\rrenraku: %s: %u/%u%s", f->mailbox, f->done,
		    f->total, f->done == f->total ? "\n" : "");
	if (!mail_parse(raw, len, &m, &e)) {
		log_warning(_("%s UID %u: %s; skipped"), f->mailbox, uid,
		    e->message);
		g_error_free(e);
		return (TRUE);
	}
	if (!rules_classify(f->r->rules, &m, &ev))
		goto out;
	/* only platform mail is worth a word: a colleague's forward with a
	   PDF in it is none of renraku's business */
	if (len < size && ev.kind != EVENT_NOISE)
		log_warning(_("%s UID %u: %lu KB, more than renraku reads; read "
		    "its first %u KB"), f->mailbox, uid,
		    (unsigned long)(size / 1024), IMAP_FETCH_MAX / 1024);
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
			printf(_("%s UID %u: %s %s%s%s\n"), f->mailbox, uid,
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

/*
 * Drop from 'uids' (ascending) those at or above 'uidnext' (0: unknown):
 * mail that arrived since EXAMINE, read next run, or a server's lie,
 * which is worth a warning.
 */
static void
drop_beyond(GArray *uids, guint32 uidnext, const char *mailbox)
{
	guint	i = uids->len;

	while (uidnext != 0 && i > 0 && g_array_index(uids, guint32, i - 1) >=
	    uidnext)
		i--;
	if (i < uids->len && g_array_index(uids, guint32, uids->len - 1) -
	    uidnext >= UID_SLACK)
		log_warning(_("%s: the server's search named UID %u, beyond "
		    "the mailbox's next UID %u; ignored"), mailbox,
		    g_array_index(uids, guint32, uids->len - 1), uidnext);
	g_array_set_size(uids, i);
}

/*
 * Decide about the messages the server would not give ('missed',
 * ascending) and set 'ms' so: the lowest is asked for again next run
 * (last_uid stays below it) until STUCK_TRIES runs have tried it; then it
 * is reported once and passed over.  Returns TRUE when the account may go
 * on to its drafts; FALSE with err set (temporary) when it must hold them,
 * as that message may be a client's answer.
 */
static gboolean
hold_for_missed(const char *mailbox, GArray *missed, struct mailbox_state *ms,
    GError **err)
{
	guint32	uid;
	guint	i = 0;

	ms->stuck_tries = missed->len > 0 && ms->stuck_uid ==
	    g_array_index(missed, guint32, 0) ? ms->stuck_tries + 1 : 1;
	if (missed->len > 0 && ms->stuck_tries >= STUCK_TRIES) {
		log_warning(_("%s UID %u: the server has not given this message "
		    "in %u runs; passed over.  If it is a client's message, "
		    "renraku cannot see it: read it yourself"), mailbox,
		    g_array_index(missed, guint32, 0), ms->stuck_tries);
		i = 1;
		ms->stuck_tries = 1;
	}
	if (i == missed->len) {
		ms->stuck_uid = 0;
		ms->stuck_tries = 0;
		return (TRUE);
	}
	uid = g_array_index(missed, guint32, i);
	ms->stuck_uid = uid;
	ms->last_uid = MIN(ms->last_uid, uid - 1);
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
	    _("%s UID %u: the server did not give this message (try %u of %u); "
	    "it is asked for again next run, and until then no drafts are "
	    "made for this account"), mailbox, uid, ms->stuck_tries,
	    STUCK_TRIES);
	return (FALSE);
}

/*
 * When a mailbox is read for the first time, leave dormant each thread of
 * the account renraku has never drafted for nor been told about whose
 * silence is older than the policy's horizon (policy_dormant()): a
 * MARK_DORMANT dated at the silence's start, so that the client's next
 * word wakes the thread, "renraku mark ... resume" takes it up, and
 * status names it.  Runs in the mailbox's transaction: a crash cannot
 * leave the mailbox read and its threads undecided.
 */
static gboolean
leave_dormant(const struct run *r, struct store *st,
    const struct account *acct, guint *n, GError **err)
{
	GPtrArray	*threads;
	struct policy	 p;
	struct decision	 d;
	gint64		 now = g_date_time_to_unix(r->now);
	guint		 i;
	gboolean	 ok = TRUE;

	if ((threads = store_threads(st, acct->name, err)) == NULL)
		return (FALSE);
	for (i = 0; ok && i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		if (t->state.drafts->len > 0 || t->state.marks->len > 0)
			continue;
		run_policy(r, t->platform, &p);
		policy_decide(&t->state, &p, now, &d);
		if (policy_dormant(&p, &d) && (ok = store_mark_add(st, t->id,
		    MARK_DORMANT, 0, d.anchor, err)))
			(*n)++;
	}
	g_ptr_array_unref(threads);
	return (ok);
}

/*
 * Bring the store up to date with one watched mailbox.  STATUS tells,
 * without opening the mailbox, whether anything arrived since the last
 * run; only then is it opened (EXAMINE, read-only) and searched.  A
 * mailbox never read before is opened straight away.
 */
static gboolean
sync_mailbox(const struct run *r, struct store *st, struct imap *s,
    const struct account *acct, const char *mailbox,
    const char *const *domains, GError **err)
{
	struct imap_mailbox	 mb;
	struct mailbox_state	 ms;
	struct fetch		 f = { r, st, acct->name, mailbox, 0, 0, 0, 0 };
	GArray			*uids, *missed;
	GDate			 since;
	GError			*e = NULL;
	guint32			 last;
	guint			 dormant = 0;
	gboolean		 found, fresh, held = FALSE, ok;

	/* a mailbox never read must be opened: no STATUS first */
	if (!store_mailbox_get(st, acct->name, mailbox, FALSE, &found, &ms,
	    err) || (found && !imap_status(s, mailbox, &mb, err)))
		return (FALSE);
	fresh = !found || ms.uidvalidity != mb.uidvalidity;
	if (!fresh && mb.uidnext != 0 && mb.uidnext - 1 <= ms.last_uid) {
		if (r->verbose > 0)
			printf(_("%s: nothing new\n"), mailbox);
		return (TRUE);
	}
	if (!imap_examine(s, mailbox, &mb, err))
		return (FALSE);
	fresh = !found || ms.uidvalidity != mb.uidvalidity;
	last = fresh ? 0 : ms.last_uid;
	g_date_clear(&since, 1);
	if (fresh) {
		/* first sync, or the mailbox was recreated: look back */
		bizday_jst_date(g_date_time_to_unix(r->now), &since);
		g_date_subtract_days(&since, FIRST_SYNC_DAYS);
	}
	uids = imap_search(s, last + 1, domains, mail_forward_subjects,
	    fresh ? &since : NULL, err);
	if (uids == NULL)
		return (FALSE);
	drop_beyond(uids, mb.uidnext, mailbox);
	/*
	 * A dry run keeps the account's one transaction open, to roll back.
	 * What is read here is not worth a wait for the disk: lost to a power
	 * failure, it is read again, and before any draft is appended or
	 * removed a commit that waits takes it to disk.
	 */
	if (!r->dry_run && !store_begin_lazy(st, err)) {
		g_array_unref(uids);
		return (FALSE);
	}
	ms.uidvalidity = mb.uidvalidity;
	ms.uidnext = mb.uidnext;
	ms.messages = mb.exists;
	ms.last_uid = mb.uidnext != 0 ? mb.uidnext - 1 : last;
	if (uids->len > 0)
		ms.last_uid = MAX(ms.last_uid, g_array_index(uids, guint32,
		    uids->len - 1));
	ms.last_uid = MAX(ms.last_uid, last);
	if (fresh)
		ms.stuck_uid = ms.stuck_tries = 0;
	f.total = uids->len;
	missed = g_array_new(FALSE, FALSE, sizeof(guint32));
	ok = imap_fetch(s, uids, on_message, &f, missed, err);
	/* what was read is kept even when the account must hold */
	if (ok && !hold_for_missed(mailbox, missed, &ms, &e))
		held = TRUE;
	g_array_unref(missed);
	if (!ok || (fresh && !leave_dormant(r, st, acct, &dormant, err)) ||
	    !store_mailbox_set(st, acct->name, mailbox, FALSE, &ms, err) ||
	    (!r->dry_run && !store_commit(st, err))) {
		if (!r->dry_run)
			store_rollback(st);
		g_clear_error(&e);
		g_array_unref(uids);
		return (FALSE);
	}
	if (held) {
		g_propagate_error(err, e);
		g_array_unref(uids);
		return (FALSE);
	}
	if (r->verbose > 0)
		printf(_("%s: %u new, %u platform mails, %u new events\n"),
		    mailbox, uids->len, f.platform_mails, f.new_events);
	if (r->verbose > 0 && dormant > 0)
		printf(ngettext("%u thread silent longer than the ladder left "
		    "dormant (renraku status lists it)\n", "%u threads silent "
		    "longer than the ladder left dormant (renraku status lists "
		    "them)\n", dormant), dormant);
	g_array_unref(uids);
	return (TRUE);
}

/* Connect and log in to 'acct', its password_command running meanwhile. */
static struct imap *
connect_account(const struct run *r, const struct account *acct,
    GError **err)
{
	struct imap_login login;
	struct run_login l = { r, acct, NULL };
	struct imap	*s;

	run_imap_login(acct, &login);
	run_secret_start(&l);
	s = imap_open(&login, run_secret, &l, r->cfg->timeout, r->verbose > 1,
	    NULL, err);
	run_secret_clear(&l);
	return (s);
}

/* Sync 'acct' over 's' (logged in; closed here). */
static gboolean
sync_account(const struct run *r, struct store *st, struct imap *s,
    const struct account *acct, GPtrArray *created, GError **err)
{
	char		**domains;
	gboolean	 ok = TRUE;
	guint		 i;

	/* a dry run reads and decides inside one transaction it undoes */
	if (r->dry_run && !store_begin(st, err)) {
		imap_close(s);
		return (FALSE);
	}
	domains = rules_sender_domains(r->rules);
	for (i = 0; ok && acct->mailboxes[i] != NULL; i++)
		ok = sync_mailbox(r, st, s, acct, acct->mailboxes[i],
		    (const char *const *)domains, err);
	g_strfreev(domains);
	if (ok) {
		struct drafts_box box;

		drafts_imap_box(&box, s, acct, r->dry_run);
		ok = drafts_update(r, st, &box, acct, created, err);
		drafts_imap_box_clear(&box);
	}
	if (r->dry_run)
		store_rollback(st);
	if (r->verbose > 0)
		printf(_("%s: %u IMAP commands\n"), acct->name,
		    imap_commands(s) + 1);	/* and LOGOUT */
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
	GString			*msgs = NULL;
	GPtrArray		*created;
	GError			*e = NULL;
	struct imap		*s;
	gboolean		 ready = FALSE;
	int			 worst = -1;
	guint			 i;

	/*
	 * A damaged store would lose or repeat drafts: it is checked (and a
	 * new one given its schema) while the first connection is made, as
	 * the check reads the whole database, which grows with the threads;
	 * nothing is read from the store or the server before it passed.
	 */
	created = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)created_free);
	for (i = 0; i < r->cfg->accounts->len; i++) {
		const struct account	*acct = r->cfg->accounts->pdata[i];

		s = connect_account(r, acct, &e);
		if (!ready && !store_ready(st, err)) {
			imap_close(s);
			g_clear_error(&e);
			g_ptr_array_unref(created);
			return (FALSE);
		}
		ready = TRUE;
		if (s != NULL && sync_account(r, st, s, acct, created, &e))
			continue;
		if (msgs == NULL)
			msgs = g_string_new(NULL);
		else
			g_string_append_c(msgs, '\n');
		if (r->cfg->accounts->len > 1)
			g_string_append_printf(msgs, _("account %s: "),
			    acct->name);
		g_string_append(msgs, e->message);
		if (worst < 0 || severity(e->code) > severity(worst))
			worst = e->code;
		g_clear_error(&e);
	}
	if (!ready && !store_ready(st, err)) {
		g_ptr_array_unref(created);
		return (FALSE);		/* no account: nothing was done */
	}
	/* the drafts are made; a failed notification is only a warning */
	if (!r->dry_run && !notify_drafts(r->cfg, created, r->cfg->timeout,
	    &e)) {
		log_warning("%s", e->message);
		g_clear_error(&e);
	}
	g_ptr_array_unref(created);
	if (msgs == NULL)
		return (TRUE);
	g_set_error_literal(err, RENRAKU_ERROR, worst, msgs->str);
	g_string_free(msgs, TRUE);
	return (FALSE);
}
