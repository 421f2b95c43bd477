/*
 * store.h: renraku's state in SQLite (state_dir/state.db), the only part
 * of renraku that sees SQLite.  The schema version is PRAGMA user_version.
 * Errors are RENRAKU_ERROR_PERM (a damaged or unwritable database).
 */
#ifndef RENRAKU_STORE_H
#define RENRAKU_STORE_H

#include <glib.h>

#include "policy.h"
#include "rules.h"

struct store;

/* One platform mail as recorded. */
struct stored_event {
	const char	*mail_id;	/* Message-ID, or a digest of the mail */
	const char	*account;
	const char	*mailbox;
	guint32		 uid;
	gint64		 time;
	const char	*subject;
	const struct event *ev;		/* thread id is "platform/key" */
};

/* A thread with its history, for the policy and for status. */
struct thread {
	char			*id;		/* "crowdworks/63712345" */
	char			*platform;
	char			*account;
	char			*client;	/* or NULL */
	char			*title;		/* or NULL */
	char			*url;		/* or NULL */
	char			*last_subject;	/* of the latest client event */
	struct thread_state	 state;
};

/*
 * Open (creating it and 'dir', owner-only, if needed) the database in
 * 'dir' and bring its schema up to date.  Returns a store for
 * store_close(), or NULL with err set.
 */
struct store	*store_open(const char *dir, GError **err);

void		 store_close(struct store *st);

/*
 * PRAGMA quick_check.  Returns TRUE if the database is sound, else
 * FALSE with err set (RENRAKU_ERROR_PERM) quoting what SQLite found and
 * what to do.  sync_run() runs it (store_ready()) before anything else,
 * doctor too.
 */
gboolean	 store_check(struct store *st, GError **err);

/*
 * store_open() with its slow part (bringing the schema up to date, which
 * on a new store is most of its time) in a thread of its own, followed by
 * store_check(), so that both run while renraku waits for the server.
 * Returns NULL with err set for what store_open() refuses before that
 * (directory, file, a newer schema).  The store may not be used until
 * store_ready() returned TRUE; store_close() may be called at any time.
 */
struct store	*store_open_start(const char *dir, GError **err);

/*
 * Wait for what store_open_start() started; TRUE when the schema is up to
 * date and the store sound, else FALSE with err set as store_open() or
 * store_check() would.  On a store that was ready already: store_check().
 */
gboolean	 store_ready(struct store *st, GError **err);

/* Transactions: everything between begin and commit lands, or nothing.
 * A commit is on disk when store_commit() returns. */
gboolean	 store_begin(struct store *st, GError **err);
gboolean	 store_commit(struct store *st, GError **err);
void		 store_rollback(struct store *st);

/*
 * store_begin() for a transaction whose commit does not wait for the
 * disk: a power failure soon after may undo it (whole, never in part; a
 * crash of renraku alone cannot), and the next commit that does wait
 * takes it to disk too, as the WAL is written in order.  For what the
 * next run can read again (mail), as long as nothing outside the store
 * (APPEND, EXPUNGE) depends on it before a waiting commit.
 */
gboolean	 store_begin_lazy(struct store *st, GError **err);

/* Where a sync left a mailbox, to tell next time whether it changed. */
struct mailbox_state {
	guint32	uidvalidity;
	guint32	last_uid;	/* the highest UID read */
	guint32	uidnext;
	guint32	messages;
	guint64	modseq;		/* HIGHESTMODSEQ, or 0 */
	guint32	stuck_uid;	/* the lowest UID the server would not give */
	guint	stuck_tries;	/* runs that tried it */
};

/*
 * The state of watched mailbox 'mailbox' (or, with 'drafts', of the
 * account's Drafts mailbox).  Returns TRUE and sets *found; when not
 * found, 'ms' is zeroed.
 */
gboolean	 store_mailbox_get(struct store *st, const char *account,
		    const char *mailbox, gboolean drafts, gboolean *found,
		    struct mailbox_state *ms, GError **err);

gboolean	 store_mailbox_set(struct store *st, const char *account,
		    const char *mailbox, gboolean drafts,
		    const struct mailbox_state *ms, GError **err);

/*
 * Record 'e' once (by mail_id; *added tells whether it is new) and create
 * or update its thread when the event has a key: the platform's id, or
 * else the key made from client and title (ev->name_key).  Mail with both
 * ties the two: a thread known by the names is merged into the id's, and
 * later mail naming only client and title joins the id's thread.
 */
gboolean	 store_add_event(struct store *st, const struct stored_event *e,
		    gboolean *added, GError **err);

/*
 * Every thread, or those of 'account' when not NULL, sorted by id.
 * Returns a GPtrArray of struct thread (g_ptr_array_unref), or NULL.
 */
GPtrArray	*store_threads(struct store *st, const char *account,
		    GError **err);

/*
 * A platform mail renraku could not fully use, kept for the user to see:
 * no rule recognised it (kind EVENT_UNKNOWN; within a thread it counts as
 * the client's), or it names no thread (no id, nor client and title).
 */
struct unknown_mail {
	char		*platform;
	char		*subject;
	char		*account;
	char		*mailbox;
	guint32		 uid;
	gint64		 time;
	char		*thread;	/* or NULL: it belongs to none */
	enum event_kind	 kind;
};

void		 unknown_mail_free(struct unknown_mail *u);

/*
 * The platform mails recorded as of unknown kind or with no thread (noise
 * aside), newest first.  Returns a GPtrArray of struct unknown_mail
 * (g_ptr_array_unref), or NULL with err set.
 */
GPtrArray	*store_unknown(struct store *st, GError **err);

/*
 * Record draft 'd' (its message_id, hashes, state and times) of 'thread'.
 * Drafts are recorded as DRAFT_PENDING before they are APPENDed.
 */
gboolean	 store_draft_add(struct store *st, const char *thread,
		    const struct thread_draft *d, GError **err);

/* Move the draft 'message_id' to 'state' at 'now'. */
/* Record what draft 'message_id' was composed from (its content kept). */
gboolean	 store_draft_set_inputs(struct store *st,
		    const char *message_id, const char *inputs_hash,
		    GError **err);

gboolean	 store_draft_set_state(struct store *st, const char *message_id,
		    enum draft_state state, gint64 now, GError **err);

/* Forget a draft that never reached the server. */
gboolean	 store_draft_forget(struct store *st, const char *message_id,
		    GError **err);

/*
 * The id thread 'thread' ("platform/key") is known by now: itself, or the
 * thread it was merged into (a proposal that became a contract).
 * Allocated.
 */
char		*store_thread_current(struct store *st, const char *thread);

/* 1 if thread 'thread' ("platform/key") is known, 0 if not, -1 on error. */
int		 store_thread_exists(struct store *st, const char *thread,
		    GError **err);

/* Record what the user said with "renraku mark". */
gboolean	 store_mark_add(struct store *st, const char *thread,
		    enum mark_kind kind, guint days, gint64 now, GError **err);

/*
 * A string that changes with every change to a thread, event, draft,
 * mark or alias (a count kept by triggers): what the Drafts reconciler
 * decides from.  Allocated, or NULL with err set.
 */
char		*store_version(struct store *st, GError **err);

/*
 * The stamp and the time until which the last full pass over the
 * threads of 'account' holds (pass.h); *stamp NULL when none is kept.
 * store_pass_set() keeps them, or forgets them when 'stamp' is NULL.
 */
gboolean	 store_pass_get(struct store *st, const char *account,
		    char **stamp, gint64 *until, GError **err);
gboolean	 store_pass_set(struct store *st, const char *account,
		    const char *stamp, gint64 until, GError **err);

#endif
