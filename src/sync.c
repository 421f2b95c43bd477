/*
 * sync.c: the cron job.  For each account: read new platform mail from
 * the watched mailboxes into the store, then APPEND the drafts the policy
 * says are due.  Nothing here sees libetpan, GMime or SQLite.
 */
#include <glib/gi18n.h>

#include "sync.h"

#include <stdio.h>
#include <string.h>

#include "bizday.h"
#include "compose.h"
#include "error.h"
#include "log.h"
#include "imap.h"
#include "mail.h"
#include "notify.h"
#include "policy.h"

#define FIRST_SYNC_DAYS	90	/* how far back the first sync looks */

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
	if (len < size)
		log_warning(_("%s UID %u: %lu KB, more than renraku reads; read "
		    "its first %u KB"), f->mailbox, uid,
		    (unsigned long)(size / 1024), IMAP_FETCH_MAX / 1024);
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
 * Bring the store up to date with one watched mailbox.  STATUS tells,
 * without opening the mailbox, whether anything arrived since the last
 * run; only then is it opened (EXAMINE, read-only) and searched.
 */
static gboolean
sync_mailbox(const struct run *r, struct store *st, struct imap *s,
    const struct account *acct, const char *mailbox,
    const char *const *domains, GError **err)
{
	struct imap_mailbox	 mb;
	struct mailbox_state	 ms;
	struct fetch		 f = { r, st, acct->name, mailbox, 0, 0, 0, 0 };
	GArray			*uids;
	GDate			 since;
	guint32			 last;
	gboolean		 found, fresh;

	if (!imap_status(s, mailbox, &mb, err) ||
	    !store_mailbox_get(st, acct->name, mailbox, FALSE, &found, &ms,
	    err))
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
	uids = imap_search(s, last + 1, domains, fresh ? &since : NULL, err);
	if (uids == NULL)
		return (FALSE);
	/* a dry run keeps the account's one transaction open, to roll back */
	if (!r->dry_run && !store_begin(st, err)) {
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
	f.total = uids->len;
	if (!imap_fetch(s, uids, on_message, &f, err) ||
	    !store_mailbox_set(st, acct->name, mailbox, FALSE, &ms, err) ||
	    (!r->dry_run && !store_commit(st, err))) {
		if (!r->dry_run)
			store_rollback(st);
		g_array_unref(uids);
		return (FALSE);
	}
	if (r->verbose > 0)
		printf(_("%s: %u new, %u platform mails, %u new events\n"),
		    mailbox, uids->len, f.platform_mails, f.new_events);
	g_array_unref(uids);
	return (TRUE);
}

/* Drafting state of one account, set up on first need. */
struct drafter {
	const struct run	*r;
	struct store		*st;
	struct imap		*s;
	const struct account	*acct;
	char			*drafts;	/* mailbox name */
	gboolean		 opened;
	gboolean		 changed;	/* renraku changed Drafts */
	gboolean		 bad_template;	/* the last act() failed on a
						   template */
	GPtrArray		*created;	/* of struct created */
	int			 tagged;	/* drafts in Drafts with our
						   X-Renraku-Thread header when
						   first asked: -1 not asked */
};

/* The Drafts mailbox's name: from the config, or by SPECIAL-USE. */
static gboolean
drafts_name(struct drafter *dr, GError **err)
{
	if (dr->drafts == NULL)
		dr->drafts = dr->acct->drafts != NULL ?
		    g_strdup(dr->acct->drafts) : imap_find_drafts(dr->s, err);
	return (dr->drafts != NULL);
}

/* Open the Drafts mailbox: SELECT, or EXAMINE for a dry run. */
static gboolean
open_drafts(struct drafter *dr, GError **err)
{
	struct imap_mailbox	mb;

	if (dr->opened)
		return (TRUE);
	if (!drafts_name(dr, err))
		return (FALSE);
	if (dr->r->dry_run ? !imap_examine(dr->s, dr->drafts, &mb, err) :
	    !imap_select(dr->s, dr->drafts, &mb, err))
		return (FALSE);
	dr->opened = TRUE;
	return (TRUE);
}

/*
 * The UIDs in Drafts of the message 'message_id', even if flagged
 * \Deleted (a take-back a run left half done).
 */
static GArray *
find_draft(struct drafter *dr, const char *message_id, GError **err)
{
	const char *pairs[] = { "Message-ID", message_id, NULL };

	if (!open_drafts(dr, err))
		return (NULL);
	return (imap_search_header(dr->s, pairs, FALSE, err));
}

/*
 * The UIDs in Drafts of the undeleted messages whose X-Renraku-Thread
 * contains 'thread' (every draft of renraku's for "").
 */
static GArray *
find_copies(struct drafter *dr, const char *thread, GError **err)
{
	const char *pairs[] = { "X-Renraku-Thread", thread, NULL };

	if (!open_drafts(dr, err))
		return (NULL);
	return (imap_search_header(dr->s, pairs, TRUE, err));
}

/* What fetch_hash() learns of a draft. */
struct fetched {
	char	*hash;		/* SHA-256 of the bytes */
	char	*message_id;	/* or NULL */
};

static gboolean
hash_message(guint32 uid, const char *raw, gsize len, gsize size, void *ctx,
    GError **err)
{
	struct fetched	*f = ctx;
	struct mail	 m;

	g_free(f->hash);
	f->hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)raw, len);
	if (mail_parse(raw, len, &m, NULL)) {
		g_free(f->message_id);
		f->message_id = g_strdup(m.message_id);
		mail_clear(&m);
	}
	return (TRUE);
}

/*
 * SHA-256 of draft 'uid' as the server holds it, or NULL with err; its
 * Message-ID into *message_id when that is not NULL.
 */
static char *
fetch_hash(struct drafter *dr, guint32 uid, char **message_id,
    GError **err)
{
	GArray		*one = g_array_new(FALSE, FALSE, sizeof(guint32));
	struct fetched	 f = { NULL, NULL };

	g_array_append_val(one, uid);
	if (imap_fetch(dr->s, one, hash_message, &f, err) && f.hash == NULL)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("draft UID %u vanished while being read"), uid);
	g_array_unref(one);
	if (message_id != NULL && f.hash != NULL)
		*message_id = f.message_id;
	else
		g_free(f.message_id);
	return (f.hash);
}

/* Record a draft's new state, in memory and (unless a dry run) store. */
static gboolean
set_state(struct drafter *dr, struct thread_draft *d, enum draft_state s,
    GError **err)
{
	d->state = s;
	d->changed = g_date_time_to_unix(dr->r->now);
	if (dr->r->dry_run)
		return (TRUE);
	return (store_draft_set_state(dr->st, d->message_id, s, d->changed,
	    err));
}

static gboolean	remove_if_ours(struct drafter *, struct thread_draft *,
		    GArray *, enum draft_state, GError **);

/*
 * Learn what became of the thread's drafts since the last run: a pending
 * one that never arrived is forgotten; one that left Drafts was sent (the
 * user made that step); one whose bytes changed, or that was replaced by
 * a copy carrying our thread header, was edited and is the user's now.
 * A take-back that a run did not finish (the connection broke, it was
 * killed) is finished here.
 */
static gboolean
reconcile(struct drafter *dr, struct thread *t, GError **err)
{
	GArray	*ours = NULL, *tagged = NULL;
	guint	 i;
	gboolean ok = FALSE;

	for (i = 0; i < t->state.drafts->len; i++) {
		struct thread_draft *d = &g_array_index(t->state.drafts,
		    struct thread_draft, i);
		char	*hash;

		if (d->state != DRAFT_PENDING && d->state != DRAFT_LIVE &&
		    d->state != DRAFT_EDITED && d->state != DRAFT_REMOVING)
			continue;
		if ((ours = find_draft(dr, d->message_id, err)) == NULL)
			goto out;
		if (d->state == DRAFT_REMOVING) {
			if (!remove_if_ours(dr, d, ours, DRAFT_REMOVED, err))
				goto out;
		} else if (d->state == DRAFT_PENDING) {
			if (ours->len > 0) {
				if (!set_state(dr, d, DRAFT_LIVE, err))
					goto out;
			} else {
				/* the run died before APPEND */
				if (!dr->r->dry_run && !store_draft_forget(
				    dr->st, d->message_id, err))
					goto out;
				d->state = DRAFT_REMOVED;
			}
		} else if (d->state == DRAFT_LIVE && ours->len > 0) {
			hash = fetch_hash(dr, g_array_index(ours, guint32,
			    ours->len - 1), NULL, err);
			if (hash == NULL)
				goto out;
			if (strcmp(hash, d->raw_hash) != 0 &&
			    !set_state(dr, d, DRAFT_EDITED, err)) {
				g_free(hash);
				goto out;
			}
			g_free(hash);
		} else if (ours->len == 0) {
			/* gone: sent, unless an edited copy took its place */
			if ((tagged = find_copies(dr, t->id, err)) == NULL)
				goto out;
			if (!set_state(dr, d, tagged->len > 0 ?
			    DRAFT_EDITED : DRAFT_SENT, err))
				goto out;
			g_clear_pointer(&tagged, g_array_unref);
		}
		g_clear_pointer(&ours, g_array_unref);
	}
	ok = TRUE;
out:
	if (ours != NULL)
		g_array_unref(ours);
	if (tagged != NULL)
		g_array_unref(tagged);
	return (ok);
}

/*
 * Remove the draft 'd' from Drafts, where 'uids' are the messages with its
 * Message-ID, only if it is still there exactly as renraku made it
 * (perhaps flagged \Deleted by a run that died): otherwise it is the
 * user's now (DRAFT_EDITED) and stays.  None there: 'd' becomes 'gone'.
 */
static gboolean
remove_if_ours(struct drafter *dr, struct thread_draft *d, GArray *uids,
    enum draft_state gone, GError **err)
{
	char	*hash;
	gboolean same;
	guint32	 uid;

	if (uids->len == 0)
		return (set_state(dr, d, gone, err));
	uid = g_array_index(uids, guint32, uids->len - 1);
	if ((hash = fetch_hash(dr, uid, NULL, err)) == NULL)
		return (FALSE);
	same = strcmp(hash, d->raw_hash) == 0;
	g_free(hash);
	if (!same)
		return (set_state(dr, d, DRAFT_EDITED, err));
	/* intent first: if the run dies before the draft is gone, the
	   draft is neither taken for sent nor left behind: the next run
	   finds it in DRAFT_REMOVING and finishes (reconcile) */
	dr->changed = !dr->r->dry_run;
	return (set_state(dr, d, DRAFT_REMOVING, err) &&
	    (dr->r->dry_run || imap_delete(dr->s, uid, err)) &&
	    set_state(dr, d, DRAFT_REMOVED, err));
}

/* Take back the live draft 'd'; gone from Drafts, it was sent. */
static gboolean
take_back(struct drafter *dr, struct thread_draft *d, GError **err)
{
	GArray	*uids;
	gboolean ok;

	if ((uids = find_draft(dr, d->message_id, err)) == NULL)
		return (FALSE);
	ok = remove_if_ours(dr, d, uids, DRAFT_SENT, err);
	g_array_unref(uids);
	return (ok);
}

/*
 * A draft of this thread already in Drafts that the store does not know
 * (the state was lost, or a run died between APPEND and recording it):
 * adopt it as the live draft of 'step' instead of adding a second one.
 * Returns 1 if adopted, 0 if there is none, -1 on error.
 */
static int
adopt(struct drafter *dr, struct thread *t, const struct decision *d,
    const struct composed *c, GError **err)
{
	struct thread_draft	 rec;
	char			 step[16];
	const char		*pairs[] = { "X-Renraku-Thread", t->id,
				    "X-Renraku-Step", step, NULL };
	GArray			*uids;
	int			 rv = -1;

	/*
	 * One search tells whether Drafts holds any draft of ours at all;
	 * when it holds none (a first sync, or every draft was sent), no
	 * thread has one to adopt, and the search per thread is skipped.
	 * Drafts appended later in this run are for other threads.
	 */
	if (dr->tagged < 0) {
		if ((uids = find_copies(dr, "", err)) == NULL)
			return (-1);
		dr->tagged = uids->len > 0;
		g_array_unref(uids);
	}
	if (dr->tagged == 0)
		return (0);
	g_snprintf(step, sizeof step, "%u", c->step);
	if (!open_drafts(dr, err) ||
	    (uids = imap_search_header(dr->s, pairs, TRUE, err)) == NULL)
		return (-1);
	if (uids->len == 0) {
		g_array_unref(uids);
		return (0);
	}
	memset(&rec, 0, sizeof rec);
	rec.raw_hash = fetch_hash(dr, g_array_index(uids, guint32,
	    uids->len - 1), &rec.message_id, err);
	if (rec.raw_hash == NULL)
		goto out;
	if (rec.message_id == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("%s: a draft for %s in %s has no Message-ID"), dr->s ?
		    dr->acct->host : "", t->id, dr->drafts);
		goto out;
	}
	rec.content_hash = g_strdup(c->content_hash);
	rec.step = c->step;
	rec.anchor = d->anchor;
	rec.created = rec.changed = g_date_time_to_unix(dr->r->now);
	rec.state = DRAFT_LIVE;
	rv = dr->r->dry_run || store_draft_add(dr->st, t->id, &rec, err) ?
	    1 : -1;
	if (rv == 1 && dr->r->verbose > 0)
		printf(_("%s: follow-up %u already in %s\n"), t->id, c->step,
		    dr->drafts);
out:
	g_free(rec.message_id);
	g_free(rec.content_hash);
	g_free(rec.raw_hash);
	g_array_unref(uids);
	return (rv);
}

/* Note a new draft for notify_command and notify_url. */
static void
note_created(struct drafter *dr, const struct thread *t,
    const struct composed *c)
{
	struct created *n = g_new0(struct created, 1);

	n->account = g_strdup(dr->acct->name);
	n->thread = g_strdup(t->id);
	n->platform_name = g_strdup(rules_platform_name(dr->r->rules,
	    t->platform));
	n->client = g_strdup(t->client);
	n->job_title = g_strdup(t->title);
	n->url = g_strdup(t->url);
	n->subject = g_strdup(c->subject);
	n->step = c->step;
	g_ptr_array_add(dr->created, n);
}

/*
 * Compose, record as pending, APPEND, record as live.  'news': a draft of
 * a new step, not a refresh of the one in Drafts, so warnings about it
 * are said (once per draft, not at every refresh).
 */
static gboolean
append_draft(struct drafter *dr, struct thread *t, const struct decision *d,
    const struct composed *c, gboolean news, GError **err)
{
	const struct run	*r = dr->r;
	struct thread_draft	 rec;
	char			*wire;
	gsize			 len;
	gboolean		 ok;

	memset(&rec, 0, sizeof rec);
	rec.created = rec.changed = g_date_time_to_unix(r->now);
	rec.message_id = compose_message_id(t->id, c->step, rec.created,
	    dr->acct->user);
	wire = compose_message(r, dr->acct->user, t, c, rec.message_id, news,
	    &len);
	rec.raw_hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)wire, len);
	rec.content_hash = g_strdup(c->content_hash);
	rec.step = c->step;
	rec.anchor = d->anchor;
	rec.state = DRAFT_PENDING;
	dr->changed = TRUE;
	ok = open_drafts(dr, err) &&
	    store_draft_add(dr->st, t->id, &rec, err) &&
	    imap_append_draft(dr->s, dr->drafts, wire, len, r->now, err) &&
	    store_draft_set_state(dr->st, rec.message_id, DRAFT_LIVE,
	    rec.created, err);
	if (ok && r->verbose > 0)
		printf(_("%s: follow-up %u drafted in %s\n"), t->id, c->step,
		    dr->drafts);
	g_free(rec.message_id);
	g_free(rec.raw_hash);
	g_free(rec.content_hash);
	g_free(wire);
	return (ok);
}

/* Bring the thread's draft in line with the decision. */
static gboolean
act(struct drafter *dr, struct thread *t, GError **err)
{
	const struct run	*r = dr->r;
	struct policy		 p;
	struct decision		 d;
	struct composed		 c;
	struct thread_draft	*live;
	gboolean		 ok = TRUE, news;
	int			 adopted;

	run_policy(r, t->platform, &p);
	policy_decide(&t->state, &p, g_date_time_to_unix(r->now), &d);
	live = d.live >= 0 ? &g_array_index(t->state.drafts,
	    struct thread_draft, d.live) : NULL;
	if (d.action == ACTION_NONE)
		return (TRUE);
	if (d.action == ACTION_REMOVE) {
		if (r->dry_run)
			printf(_("would take back the draft of %s: %s\n"), t->id,
			    _(d.why));
		ok = take_back(dr, live, err);
		if (ok && r->verbose > 0 && !r->dry_run)
			printf(_("%s: draft taken back: %s\n"), t->id,
			    _(d.why));
		return (ok);
	}
	if (!compose_draft(r, t, &d, d.step_due, &c, err)) {
		dr->bad_template = TRUE;
		return (FALSE);
	}
	if (d.action == ACTION_REFRESH && live->step == d.step_due &&
	    strcmp(live->content_hash, c.content_hash) == 0)
		goto out;	/* nothing changed */
	if (r->dry_run) {
		printf(d.action == ACTION_REFRESH ? _("would refresh %s step %u "
		    "(%s)\nSubject: %s\n\n%s\n") : _("would draft %s step %u "
		    "(%s)\nSubject: %s\n\n%s\n"), t->id, d.step_due,
		    c.template_path, c.subject, c.body);
		goto out;
	}
	if (d.action == ACTION_REFRESH) {
		if (!(ok = take_back(dr, live, err)))
			goto out;
		if (live->state == DRAFT_EDITED)
			goto out;	/* the user's now: leave it be */
	} else {
		if ((adopted = adopt(dr, t, &d, &c, err)) != 0) {
			ok = adopted > 0;
			goto out;
		}
	}
	/* a refresh of the same step is not news */
	news = d.action == ACTION_CREATE || live->step != d.step_due;
	ok = append_draft(dr, t, &d, &c, news, err);
	if (ok && news)
		note_created(dr, t, &c);
out:
	composed_clear(&c);
	return (ok);
}

/*
 * Whether any draft of 'threads' may have changed hands in Drafts;
 * '*unfinished' tells whether a run left one half made or half taken back,
 * which must be looked at even if Drafts seems unchanged.
 */
static gboolean
tracking(GPtrArray *threads, gboolean *unfinished)
{
	gboolean	any = FALSE;
	guint		i, j;

	*unfinished = FALSE;
	for (i = 0; i < threads->len; i++) {
		const struct thread *t = threads->pdata[i];

		for (j = 0; j < t->state.drafts->len; j++) {
			const struct thread_draft *d = &g_array_index(
			    t->state.drafts, struct thread_draft, j);

			if (d->state == DRAFT_PENDING ||
			    d->state == DRAFT_REMOVING)
				*unfinished = TRUE;
			if (d->state != DRAFT_SENT &&
			    d->state != DRAFT_REMOVED)
				any = TRUE;
		}
	}
	return (any);
}

/*
 * Whether Drafts changed since renraku last left it: if not (same
 * UIDVALIDITY, UIDNEXT, message count and HIGHESTMODSEQ), no draft can
 * have been sent or edited, and the drafts need not be looked at one by
 * one.  Fills 'now' with the mailbox's STATUS.
 */
static gboolean
drafts_changed(struct drafter *dr, struct mailbox_state *now,
    gboolean *changed, GError **err)
{
	struct imap_mailbox	mb;
	struct mailbox_state	then;
	gboolean		found;

	*changed = TRUE;
	if (!drafts_name(dr, err) || !imap_status(dr->s, dr->drafts, &mb,
	    err) || !store_mailbox_get(dr->st, dr->acct->name, dr->drafts,
	    TRUE, &found, &then, err))
		return (FALSE);
	memset(now, 0, sizeof *now);
	now->uidvalidity = mb.uidvalidity;
	now->uidnext = mb.uidnext;
	now->messages = mb.exists;
	now->modseq = mb.highestmodseq;
	*changed = !found || then.uidvalidity != now->uidvalidity ||
	    then.uidnext != now->uidnext || then.messages != now->messages ||
	    then.modseq != now->modseq || now->uidnext == 0;
	return (TRUE);
}

static gboolean
draft_due(const struct run *r, struct store *st, struct imap *s,
    const struct account *acct, GPtrArray *created, GError **err)
{
	struct drafter		 dr;
	struct mailbox_state	 box;
	GPtrArray		*threads;
	GError			*e = NULL, *refused = NULL;
	gboolean		 ok = TRUE, look = FALSE, unfinished, known = FALSE;
	guint			 i;

	memset(&dr, 0, sizeof dr);
	dr.r = r;
	dr.st = st;
	dr.s = s;
	dr.acct = acct;
	dr.created = created;
	dr.tagged = -1;
	if ((threads = store_threads(st, acct->name, err)) == NULL)
		return (FALSE);
	if (tracking(threads, &unfinished)) {
		if (!drafts_changed(&dr, &box, &look, err)) {
			g_ptr_array_unref(threads);
			g_free(dr.drafts);
			return (FALSE);
		}
		known = TRUE;
		look = look || unfinished;
	}
	for (i = 0; ok && i < threads->len; i++) {
		struct thread *t = threads->pdata[i];

		dr.bad_template = FALSE;
		if ((!look || reconcile(&dr, t, &e)) && act(&dr, t, &e))
			continue;
		/* a broken template stops that draft, not the others */
		if (dr.bad_template) {
			if (refused == NULL)
				refused = g_error_new(RENRAKU_ERROR,
				    RENRAKU_ERROR_CONFIG, "%s: no draft made: "
				    "%s", t->id, e->message);
			g_clear_error(&e);
			continue;
		}
		g_propagate_error(err, e);
		e = NULL;
		ok = FALSE;
	}
	/* remember how renraku left Drafts, to skip looking next time */
	if (ok && !r->dry_run && (known || dr.changed)) {
		if (known && !dr.changed)
			ok = store_mailbox_set(st, acct->name, dr.drafts, TRUE,
			    &box, err);
		else
			ok = drafts_changed(&dr, &box, &look, err) &&
			    store_mailbox_set(st, acct->name, dr.drafts, TRUE,
			    &box, err);
	}
	g_ptr_array_unref(threads);
	g_free(dr.drafts);
	if (ok && refused != NULL) {
		g_propagate_error(err, refused);
		return (FALSE);
	}
	if (refused != NULL)
		g_error_free(refused);
	return (ok);
}

static gboolean
sync_account(const struct run *r, struct store *st,
    const struct account *acct, GPtrArray *created, GError **err)
{
	struct run_login l = { r, acct };
	struct imap	*s;
	char		**domains;
	gboolean	 ok = TRUE;
	guint		 i;

	s = imap_open(acct, run_secret, &l, r->cfg->timeout, r->verbose > 1, NULL,
	    err);
	if (s == NULL)
		return (FALSE);
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
	if (ok)
		ok = draft_due(r, st, s, acct, created, err);
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
	GString		*msgs = NULL;
	GPtrArray	*created;
	GError		*e = NULL;
	int		 worst = -1;
	guint		 i;

	/* a damaged store would lose or repeat drafts: stop before work */
	if (!store_check(st, err))
		return (FALSE);
	created = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)created_free);
	for (i = 0; i < r->cfg->accounts->len; i++) {
		const struct account	*acct = r->cfg->accounts->pdata[i];

		if (sync_account(r, st, acct, created, &e))
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
