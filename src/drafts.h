/*
 * drafts.h: the Drafts reconciler.  For each thread of an account it
 * learns what became of renraku's drafts since the last run, then brings
 * Drafts in line with the policy's decision (create, refresh, take back).
 * It reaches the mailbox only through a struct drafts_box: IMAP
 * (drafts-imap.c), a dry run of it, or a mailbox in memory (the tests).
 *
 * A draft's life, as the store records it (enum draft_state):
 *
 *   pending --APPEND seen--> live --left Drafts--> sent
 *      |                      |  \--bytes changed, or replaced by a copy
 *      |                      |     with our X-Renraku-Thread--> edited
 *      |                      \--stale or refreshed--> removing --> removed
 *      \--the run died before APPEND: forgotten
 *
 * pending is recorded before the APPEND and removing before the delete, so
 * that a run killed between the two is finished by the next one: a
 * pending draft found in Drafts is live, one not found is forgotten; a
 * removing draft still there as renraku made it is deleted, one the user
 * changed meanwhile is edited.  An edited draft is the user's and is never
 * touched again.  A draft of ours that the store does not know (the state
 * was lost) is adopted rather than made twice.
 */
#ifndef RENRAKU_DRAFTS_H
#define RENRAKU_DRAFTS_H

#include <glib.h>

#include "imap.h"
#include "run.h"
#include "store.h"

/*
 * What the reconciler needs of a Drafts mailbox, as isync's struct driver
 * is what its engine needs of a store.  'ctx' is given back to each call;
 * errors set 'err' (RENRAKU_ERROR_*) and return FALSE or NULL.
 */
struct drafts_box {
	void	*ctx;
	/* The Drafts mailbox's name (allocated). */
	char	*(*name)(void *ctx, GError **err);
	/* Its STATUS: uidvalidity, uidnext, messages and modseq of 'ms'. */
	gboolean (*status)(void *ctx, const char *mailbox,
		    struct mailbox_state *ms, GError **err);
	/* Open 'mailbox' for search, hash, remove; '*messages': how many it
	 * holds. */
	gboolean (*open)(void *ctx, const char *mailbox, guint *messages,
		    GError **err);
	/* The UIDs, ascending, of the messages whose header of each pair of
	 * 'pairs' (name, value, ..., NULL) contains the value (the name ""
	 * stands for the text), and with 'undeleted' not flagged \Deleted:
	 * a GArray of guint32. */
	GArray	*(*search)(void *ctx, const char *const *pairs,
		    gboolean undeleted, GError **err);
	/* SHA-256 (hex) of message 'uid' as held, and its Message-ID
	 * (allocated, NULL if none) into *message_id when not NULL. */
	char	*(*hash)(void *ctx, guint32 uid, char **message_id,
		    GError **err);
	/* Add the 'n' messages of 'msgs' to 'mailbox', flagged \Draft, in
	 * order, in one transaction of the server's where it has them;
	 * '*done' is how many of the first are in when it returns. */
	gboolean (*append)(void *ctx, const char *mailbox,
		    const struct imap_message *msgs, guint n, guint *done,
		    GError **err);
	/* Take message 'uid' away. */
	gboolean (*remove)(void *ctx, guint32 uid, GError **err);
};

/*
 * Reconcile and act for every thread of account 'acct' in 'st', through
 * 'box'.  Drafts made go to 'created' (of struct created, for notify).
 * With r->dry_run, what would be drafted or taken back is printed and
 * 'box' should be one that changes nothing (drafts_imap_box's dry run);
 * the caller undoes the store's changes (one transaction, rolled back).
 * A broken template stops that thread's draft, not the others', and is
 * reported (RENRAKU_ERROR_CONFIG) once all threads are done.
 */
gboolean	drafts_update(const struct run *r, struct store *st,
		    struct drafts_box *box, const struct account *acct,
		    GPtrArray *created, GError **err);

/*
 * 'box' over the IMAP session 's' of account 'acct': Drafts is the
 * configured mailbox or the one marked \Drafts (SPECIAL-USE).  With
 * 'dry_run' the mailbox is opened read-only (EXAMINE) and append and
 * remove change nothing.  Release with drafts_imap_box_clear().
 */
void		drafts_imap_box(struct drafts_box *box, struct imap *s,
		    const struct account *acct, gboolean dry_run);
void		drafts_imap_box_clear(struct drafts_box *box);

/*
 * The Drafts mailbox of session 's' to 'host': the one marked \Drafts
 * (SPECIAL-USE).  NULL with err set (RENRAKU_ERROR_CONFIG) when none is,
 * naming the one whose name says Drafts (INBOX.Drafts, [Gmail]/下書き)
 * when there is one.  Allocated.
 */
char		*drafts_find(struct imap *s, const char *host, GError **err);

#endif
