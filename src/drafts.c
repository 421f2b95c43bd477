/*
 * drafts.c: the Drafts reconciler.  It reaches the mailbox only through
 * struct drafts_box (drafts.h), and decides nothing itself: the policy
 * says what each thread's draft should be, this makes it so, and learns
 * what the user did with the drafts in between.
 */
#include <glib/gi18n.h>

#include "drafts.h"

#include <stdio.h>
#include <string.h>

#include "compose.h"
#include "draft.h"
#include "error.h"
#include "notify.h"
#include "pass.h"
#include "policy.h"

/* Drafting state of one account, set up on first need. */
struct drafter {
	const struct run	*r;
	struct store		*st;
	struct drafts_box	*box;
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
	gint64			 deadline;	/* the nearest platform deadline
						   after now (pass_until()) */
	guint			 composed;	/* drafts composed */
	guint			 unchanged;	/* live drafts whose inputs had
						   not changed: not composed */
	GPtrArray		*queue;		/* of struct queued: made, not
						   yet recorded nor appended */
	gsize			 queued;	/* their bytes */
};

/*
 * Drafts are appended in batches: one transaction of the store records a
 * batch pending, one command of the server's appends it (drafts_box's
 * append), one transaction records it live.  A batch holds at most
 * BATCH_DRAFTS drafts and about BATCH_BYTES bytes.
 */
#define BATCH_DRAFTS	50
#define BATCH_BYTES	(1024 * 1024)

/* A draft made and waiting for its batch. */
struct queued {
	char			*thread;	/* its thread's id */
	struct thread_draft	 rec;		/* as the store will have it */
	char			*wire;		/* the message */
	gsize			 len;
	GDateTime		*date;		/* its internal date */
	struct created		*note;		/* for notify, if news */
};

static void
queued_free(struct queued *q)
{
	g_free(q->thread);
	g_free(q->rec.message_id);
	g_free(q->rec.raw_hash);
	g_free(q->rec.content_hash);
	g_free(q->rec.inputs_hash);
	g_free(q->wire);
	g_date_time_unref(q->date);
	if (q->note != NULL)
		created_free(q->note);
	g_free(q);
}

/* The Drafts mailbox's name, asked of the box once. */
static gboolean
drafts_name(struct drafter *dr, GError **err)
{
	if (dr->drafts == NULL)
		dr->drafts = dr->box->name(dr->box->ctx, err);
	return (dr->drafts != NULL);
}

/* Open the Drafts mailbox, once. */
static gboolean
open_drafts(struct drafter *dr, GError **err)
{
	guint messages;

	if (dr->opened)
		return (TRUE);
	if (!drafts_name(dr, err) || !dr->box->open(dr->box->ctx, dr->drafts,
	    &messages, err))
		return (FALSE);
	dr->opened = TRUE;
	/* an empty Drafts holds no draft of ours: nothing to search for */
	if (messages == 0 && dr->tagged < 0)
		dr->tagged = 0;
	return (TRUE);
}

/*
 * The UIDs in Drafts of the message 'message_id'; with 'deleted', also if
 * flagged \Deleted (a take-back a run left half done), else a draft the
 * user flagged \Deleted counts as gone.
 */
static GArray *
find_draft(struct drafter *dr, const char *message_id, gboolean deleted,
    GError **err)
{
	const char *pairs[] = { "Message-ID", message_id, NULL };

	if (!open_drafts(dr, err))
		return (NULL);
	return (dr->box->search(dr->box->ctx, pairs, !deleted, err));
}

/*
 * The UIDs in Drafts of the undeleted messages that are drafts of
 * 'thread' (of any thread for ""): by their X-Renraku-Thread header, or,
 * for a copy a mail client saved without it, by the mark in their text.
 */
static GArray *
find_copies(struct drafter *dr, const char *thread, GError **err)
{
	const char	*pairs[] = { DRAFT_THREAD_HEADER, thread, NULL };
	char		*mark = *thread != '\0' ? g_strdup_printf(
			    DRAFT_MARK_PREFIX "%s]", thread) :
			    g_strdup(DRAFT_MARK_PREFIX);
	const char	*text[] = { "", mark, NULL };
	GArray		*a = NULL, *b = NULL;
	guint		 i, j;

	if (open_drafts(dr, err) &&
	    (a = dr->box->search(dr->box->ctx, pairs, TRUE, err)) != NULL &&
	    (b = dr->box->search(dr->box->ctx, text, TRUE, err)) != NULL)
		for (i = 0; i < b->len; i++) {
			guint32 uid = g_array_index(b, guint32, i);

			for (j = 0; j < a->len &&
			    g_array_index(a, guint32, j) != uid; j++)
				;
			if (j == a->len)
				g_array_append_val(a, uid);
		}
	if (b == NULL && a != NULL)
		g_clear_pointer(&a, g_array_unref);
	if (b != NULL)
		g_array_unref(b);
	g_free(mark);
	return (a);
}

/* Record a draft's new state, in memory and in the store (a dry run's
 * store writes are undone with its transaction). */
static gboolean
set_state(struct drafter *dr, struct thread_draft *d, enum draft_state s,
    GError **err)
{
	d->state = s;
	d->changed = g_date_time_to_unix(dr->r->now);
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
		/* a take-back half done may have left it \Deleted; else a
		   draft the user flagged \Deleted is gone */
		if ((ours = find_draft(dr, d->message_id, d->state ==
		    DRAFT_REMOVING || d->state == DRAFT_PENDING, err)) == NULL)
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
				if (!store_draft_forget(dr->st,
				    d->message_id, err))
					goto out;
				d->state = DRAFT_REMOVED;
			}
		} else if (d->state == DRAFT_LIVE && ours->len > 0) {
			hash = dr->box->hash(dr->box->ctx, g_array_index(
			    ours, guint32, ours->len - 1), NULL, err);
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
	if ((hash = dr->box->hash(dr->box->ctx, uid, NULL, err)) == NULL)
		return (FALSE);
	same = strcmp(hash, d->raw_hash) == 0;
	g_free(hash);
	if (!same)
		return (set_state(dr, d, DRAFT_EDITED, err));
	/* intent first: if the run dies before the draft is gone, the
	   draft is neither taken for sent nor left behind: the next run
	   finds it in DRAFT_REMOVING and finishes (reconcile) */
	dr->changed = TRUE;
	return (set_state(dr, d, DRAFT_REMOVING, err) &&
	    dr->box->remove(dr->box->ctx, uid, err) &&
	    set_state(dr, d, DRAFT_REMOVED, err));
}

/* Take back the live draft 'd'; gone from Drafts, it was sent. */
static gboolean
take_back(struct drafter *dr, struct thread_draft *d, GError **err)
{
	GArray	*uids;
	gboolean ok;

	if ((uids = find_draft(dr, d->message_id, FALSE, err)) == NULL)
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
	const char		*pairs[] = { DRAFT_THREAD_HEADER, t->id,
				    DRAFT_STEP_HEADER, step, NULL };
	GArray			*uids;
	int			 rv = -1;

	/*
	 * One search tells whether Drafts holds any draft of ours at all;
	 * when it holds none (a first sync, or every draft was sent), no
	 * thread has one to adopt, and the search per thread is skipped.
	 * Drafts appended later in this run are for other threads.  An
	 * empty Drafts needs no search (open_drafts()).
	 */
	if (!open_drafts(dr, err))
		return (-1);
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
	    (uids = dr->box->search(dr->box->ctx, pairs, TRUE, err)) == NULL)
		return (-1);
	if (uids->len == 0) {
		g_array_unref(uids);
		return (0);
	}
	memset(&rec, 0, sizeof rec);
	rec.raw_hash = dr->box->hash(dr->box->ctx, g_array_index(uids,
	    guint32, uids->len - 1), &rec.message_id, err);
	if (rec.raw_hash == NULL)
		goto out;
	if (rec.message_id == NULL) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("%s: a draft for %s in %s has no Message-ID"),
		    dr->acct->host, t->id, dr->drafts);
		goto out;
	}
	rec.content_hash = g_strdup(c->content_hash);
	rec.inputs_hash = g_strdup(c->inputs_hash);
	rec.step = c->step;
	rec.anchor = d->anchor;
	rec.created = rec.changed = g_date_time_to_unix(dr->r->now);
	rec.state = DRAFT_LIVE;
	rv = store_draft_add(dr->st, t->id, &rec, err) ? 1 : -1;
	if (rv == 1 && dr->r->verbose > 0)
		printf(_("%s: follow-up %u already in %s\n"), t->id, c->step,
		    dr->drafts);
out:
	g_free(rec.message_id);
	g_free(rec.content_hash);
	g_free(rec.inputs_hash);
	g_free(rec.raw_hash);
	g_array_unref(uids);
	return (rv);
}

/* What notify_command and notify_url say of a new draft. */
static struct created *
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
	return (n);
}

/*
 * Append the waiting drafts: record them pending, APPEND them, record
 * those appended live.  A run that dies in between leaves them pending,
 * and the next one looks each up by its Message-ID (reconcile()).  With
 * 'keep', the transaction that records them live is left open, for the
 * caller to commit with what it records after (also when no draft was
 * waiting); it is rolled back when this fails.
 */
static gboolean
flush_drafts(struct drafter *dr, gboolean keep, GError **err)
{
	struct imap_message	*msgs;
	guint			 i, done = 0, n = dr->queue->len;
	gboolean		 ok;

	if (n == 0)
		return (!keep || store_begin(dr->st, err));
	if (!open_drafts(dr, err) || !store_begin(dr->st, err))
		return (FALSE);
	for (i = 0; i < n; i++) {
		struct queued *q = dr->queue->pdata[i];

		if (!store_draft_add(dr->st, q->thread, &q->rec, err)) {
			store_rollback(dr->st);
			return (FALSE);
		}
	}
	if (!store_commit(dr->st, err)) {
		store_rollback(dr->st);
		return (FALSE);
	}
	msgs = g_new(struct imap_message, n);
	for (i = 0; i < n; i++) {
		struct queued *q = dr->queue->pdata[i];

		msgs[i].data = q->wire;
		msgs[i].len = q->len;
		msgs[i].date = q->date;
	}
	ok = dr->box->append(dr->box->ctx, dr->drafts, msgs, n, &done, err);
	g_free(msgs);
	/* those in are live, even when a later one failed (then committed
	   here whatever 'keep' says); none in: nothing to record */
	if (done > 0 && !store_begin(dr->st, ok ? err : NULL))
		return (FALSE);
	for (i = 0; i < done; i++) {
		struct queued *q = dr->queue->pdata[i];

		if (!store_draft_set_state(dr->st, q->rec.message_id,
		    DRAFT_LIVE, q->rec.created, ok ? err : NULL)) {
			store_rollback(dr->st);
			return (FALSE);
		}
	}
	if (done > 0 && (!ok || !keep) && !store_commit(dr->st, ok ? err :
	    NULL)) {
		store_rollback(dr->st);
		return (FALSE);
	}
	for (i = 0; i < done; i++) {
		struct queued *q = dr->queue->pdata[i];

		if (dr->r->verbose > 0)
			printf(_("%s: follow-up %u drafted in %s\n"), q->thread,
			    q->rec.step, dr->drafts);
		if (q->note != NULL) {
			g_ptr_array_add(dr->created, q->note);
			q->note = NULL;
		}
	}
	g_ptr_array_set_size(dr->queue, 0);
	dr->queued = 0;
	return (ok);
}

/*
 * Make the draft and queue it for its batch (flush_drafts()).  'news': a
 * draft of a new step, not a refresh of the one in Drafts, so warnings
 * about it are said (once per draft, not at every refresh), and notify
 * tells of it.
 */
static gboolean
append_draft(struct drafter *dr, struct thread *t, const struct decision *d,
    const struct composed *c, gboolean news, GError **err)
{
	const struct run	*r = dr->r;
	struct queued		*q = g_new0(struct queued, 1);
	GTimeZone		*tz;

	q->thread = g_strdup(t->id);
	q->rec.created = q->rec.changed = g_date_time_to_unix(r->now);
	q->rec.message_id = compose_message_id(t->id, c->step, q->rec.created,
	    dr->acct->from);
	q->wire = compose_message(r, dr->acct->from, t, c, q->rec.message_id,
	    news, &q->len);
	tz = g_time_zone_new_offset(BIZDAY_JST_OFFSET);
	q->date = g_date_time_to_timezone(r->now, tz);
	g_time_zone_unref(tz);
	q->rec.raw_hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)q->wire, q->len);
	q->rec.content_hash = g_strdup(c->content_hash);
	q->rec.inputs_hash = g_strdup(c->inputs_hash);
	q->rec.step = c->step;
	q->rec.anchor = d->anchor;
	q->rec.state = DRAFT_PENDING;
	q->note = news ? note_created(dr, t, c) : NULL;
	dr->changed = TRUE;
	g_ptr_array_add(dr->queue, q);
	dr->queued += q->len;
	if (dr->queue->len < BATCH_DRAFTS && dr->queued < BATCH_BYTES)
		return (TRUE);
	return (flush_drafts(dr, FALSE, err));
}

/* Bring the thread's draft in line with the decision. */
static gboolean
act(struct drafter *dr, struct thread *t, GError **err)
{
	const struct run	*r = dr->r;
	struct decision		 d;
	struct composed		 c;
	struct thread_draft	*live;
	gboolean		 ok = TRUE, news;
	int			 adopted;

	run_decide(r, t, &d);
	if (d.auto_accept > g_date_time_to_unix(r->now) && (dr->deadline == 0 ||
	    d.auto_accept < dr->deadline))
		dr->deadline = d.auto_accept;
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
	/* what it would be made from is what it was made from */
	if (d.action == ACTION_REFRESH && live->step == d.step_due &&
	    live->inputs_hash != NULL) {
		char *fp = compose_fingerprint(r, t, &d, d.step_due);

		ok = strcmp(fp, live->inputs_hash) == 0;
		g_free(fp);
		if (ok) {
			dr->unchanged++;
			return (TRUE);
		}
		ok = TRUE;
	}
	if (!compose_draft(r, t, &d, d.step_due, &c, err)) {
		dr->bad_template = TRUE;
		return (FALSE);
	}
	dr->composed++;
	if (d.action == ACTION_REFRESH && live->step == d.step_due &&
	    strcmp(live->content_hash, c.content_hash) == 0) {
		/* the same words from other inputs: remember them */
		if (!r->dry_run)
			ok = store_draft_set_inputs(dr->st, live->message_id,
			    c.inputs_hash, err);
		goto out;
	}
	if (r->dry_run) {
		/* as a real run would: Drafts must be there to draft in */
		if (!(ok = open_drafts(dr, err)))
			goto out;
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
	struct mailbox_state	then;
	gboolean		found;

	*changed = TRUE;
	memset(now, 0, sizeof *now);
	if (!drafts_name(dr, err) || !dr->box->status(dr->box->ctx,
	    dr->drafts, now, err) || !store_mailbox_get(dr->st,
	    dr->acct->name, dr->drafts, TRUE, &found, &then, err))
		return (FALSE);
	*changed = !found || then.uidvalidity != now->uidvalidity ||
	    then.uidnext != now->uidnext || then.messages != now->messages ||
	    then.modseq != now->modseq || now->uidnext == 0;
	return (TRUE);
}

/*
 * Whether the last full pass over the account's threads still holds:
 * kept with the same stamp (pass_stamp()), 'now' before its end, and
 * Drafts as renraku left it (asked of the server: 'status', '*look'),
 * unless that pass had no need of Drafts (its stamp kept with a '-'
 * before it: no draft tracked, none made), as a full pass would not ask.
 * Returns 1 if so, 0 if not (Drafts not asked), 2 if not because Drafts
 * changed (asked), -1 with err set on failure.
 */
static int
pass_holds(struct drafter *dr, struct mailbox_state *status, gboolean *look,
    GError **err)
{
	char	*kept = NULL, *stamp = NULL;
	gint64	 until;
	int	 r = 0;

	if (!store_pass_get(dr->st, dr->acct->name, &kept, &until, err) ||
	    (kept != NULL && (stamp = pass_stamp(dr->r, dr->st, dr->acct->name,
	    err)) == NULL)) {
		g_free(kept);
		return (-1);
	}
	if (kept != NULL && strcmp(kept + (*kept == '-'), stamp) == 0 &&
	    g_date_time_to_unix(dr->r->now) < until)
		r = *kept == '-' ? 1 : !drafts_changed(dr, status, look, err) ?
		    -1 : *look ? 2 : 1;
	g_free(kept);
	g_free(stamp);
	return (r);
}

/*
 * After a pass: keep its stamp and end ('whole': it decided every thread
 * and made every draft it meant to), or forget the last one.
 */
static gboolean
pass_keep(struct drafter *dr, gboolean whole, GError **err)
{
	char		*stamp = NULL, *kept = NULL;
	gint64		 now = g_date_time_to_unix(dr->r->now);
	gboolean	 ok;

	if (whole && (stamp = pass_stamp(dr->r, dr->st, dr->acct->name,
	    err)) == NULL)
		return (FALSE);
	/* a pass that never needed Drafts: the next need not ask it */
	if (stamp != NULL)
		kept = g_strconcat(dr->drafts == NULL ? "-" : "", stamp, NULL);
	ok = store_pass_set(dr->st, dr->acct->name, kept, pass_until(now,
	    dr->deadline), err);
	g_free(stamp);
	g_free(kept);
	return (ok);
}

gboolean
drafts_update(const struct run *r, struct store *st, struct drafts_box *box,
    const struct account *acct, GPtrArray *created, GError **err)
{
	struct drafter		 dr;
	struct mailbox_state	 status;
	GPtrArray		*threads;
	GError			*e = NULL, *refused = NULL;
	gboolean		 ok = TRUE, look = FALSE, unfinished, known = FALSE;
	gboolean		 asked = FALSE;
	guint			 i;

	memset(&dr, 0, sizeof dr);
	dr.r = r;
	dr.st = st;
	dr.box = box;
	dr.acct = acct;
	dr.created = created;
	dr.tagged = -1;
	/* nothing the last pass decided from has changed: it still holds */
	if (!r->dry_run) {
		switch (pass_holds(&dr, &status, &look, err)) {
		case -1:
			g_free(dr.drafts);
			return (FALSE);
		case 1:
			if (r->verbose > 0)
				printf(_("%s: nothing changed since the last run; "
				    "no thread decided again\n"), acct->name);
			g_free(dr.drafts);
			return (TRUE);
		case 2:
			asked = TRUE;	/* Drafts changed: the status is new */
			break;
		}
	}
	if ((threads = store_threads(st, acct->name, err)) == NULL) {
		g_free(dr.drafts);
		return (FALSE);
	}
	if (tracking(threads, &unfinished)) {
		if (!asked && !drafts_changed(&dr, &status, &look, err)) {
			g_ptr_array_unref(threads);
			g_free(dr.drafts);
			return (FALSE);
		}
		known = TRUE;
		look = look || unfinished;
	} else if (asked)
		known = TRUE;	/* Drafts was asked: remember how it is */
	dr.queue = g_ptr_array_new_with_free_func((GDestroyNotify)queued_free);
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
	/*
	 * The last batch (after a failure, none: nothing of it was recorded),
	 * then one transaction for its live records and what follows.
	 */
	if (ok)
		ok = flush_drafts(&dr, !r->dry_run, err);
	/* remember how renraku left Drafts, to skip looking next time */
	if (ok && !r->dry_run && (known || dr.changed)) {
		if (known && !dr.changed)
			ok = store_mailbox_set(st, acct->name, dr.drafts, TRUE,
			    &status, err);
		else
			ok = drafts_changed(&dr, &status, &look, err) &&
			    store_mailbox_set(st, acct->name, dr.drafts, TRUE,
			    &status, err);
	}
	g_ptr_array_unref(threads);
	g_ptr_array_unref(dr.queue);
	/* a whole pass, without a broken template: what it holds until;
	   after a failure, the last pass is forgotten */
	if (!r->dry_run && ok)
		ok = pass_keep(&dr, refused == NULL, err) &&
		    store_commit(st, err);
	if (!r->dry_run && !ok) {
		store_rollback(st);
		pass_keep(&dr, FALSE, NULL);
	}
	g_free(dr.drafts);
	if (r->verbose > 0 && dr.composed + dr.unchanged > 0)
		printf(_("%s: %u drafts composed, %u left as they were without "
		    "composing\n"), acct->name, dr.composed, dr.unchanged);
	if (ok && refused != NULL) {
		g_propagate_error(err, refused);
		return (FALSE);
	}
	if (refused != NULL)
		g_error_free(refused);
	return (ok);
}

