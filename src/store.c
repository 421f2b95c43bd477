/*
 * store.c: SQLite state.
 */
#include <glib/gi18n.h>

#include "store.h"

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "error.h"

#define SCHEMA_VERSION	4

struct store {
	sqlite3		*db;
	char		*path;
	GHashTable	*stmts;	/* SQL -> its statement, prepared once */
	gboolean	 lazy;	/* in store_begin_lazy()'s transaction */
	int		 version;	/* of the schema found at open */
	gboolean	 fresh;		/* the file was made by this open */
	GThread		*readying;	/* store_open_start()'s, until joined */
	GError		*unready;	/* what it found, when it found anything */
};

static const char schema_v1[] =
	"CREATE TABLE mailbox ("
	"  account TEXT NOT NULL, name TEXT NOT NULL,"
	"  drafts INTEGER NOT NULL,"
	"  uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL,"
	"  uidnext INTEGER NOT NULL, messages INTEGER NOT NULL,"
	"  modseq INTEGER NOT NULL,"
	"  PRIMARY KEY (account, name, drafts));"
	"CREATE TABLE thread ("
	"  id TEXT PRIMARY KEY, platform TEXT NOT NULL, key TEXT NOT NULL,"
	"  account TEXT NOT NULL, client TEXT, title TEXT, url TEXT);"
	"CREATE TABLE event ("
	"  id INTEGER PRIMARY KEY, mail_id TEXT NOT NULL UNIQUE,"
	"  thread TEXT REFERENCES thread(id), platform TEXT NOT NULL,"
	"  kind TEXT NOT NULL, time INTEGER NOT NULL, subject TEXT NOT NULL,"
	"  account TEXT NOT NULL, mailbox TEXT NOT NULL,"
	"  uid INTEGER NOT NULL);"
	"CREATE INDEX event_thread ON event (thread, time);"
	"CREATE TABLE draft ("
	"  message_id TEXT PRIMARY KEY,"
	"  thread TEXT NOT NULL REFERENCES thread(id), step INTEGER NOT NULL,"
	"  anchor INTEGER NOT NULL, content_hash TEXT NOT NULL,"
	"  raw_hash TEXT NOT NULL, state TEXT NOT NULL,"
	"  created INTEGER NOT NULL, changed INTEGER NOT NULL);"
	"CREATE INDEX draft_thread ON draft (thread, created);"
	"CREATE TABLE mark ("
	"  id INTEGER PRIMARY KEY,"
	"  thread TEXT NOT NULL REFERENCES thread(id), kind TEXT NOT NULL,"
	"  days INTEGER NOT NULL, time INTEGER NOT NULL);";

/* 2: the ids a thread was known by before it was merged into another. */
static const char schema_v2[] =
	"CREATE TABLE alias ("
	"  id TEXT PRIMARY KEY,"
	"  thread TEXT NOT NULL REFERENCES thread(id));";

/*
 * 3: a message the server would not give, retried (mailbox_state); the
 * index that joining a mail by its client and title to a thread needs;
 * what each draft was composed from (compose_fingerprint()); the client
 * a mail names, for the mail that names no thread (store_threads()); what
 * the last full pass over an account's threads was made from (pass.h).
 */
static const char schema_v3[] =
	"ALTER TABLE mailbox ADD COLUMN stuck_uid INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE mailbox ADD COLUMN stuck_tries INTEGER NOT NULL "
	"  DEFAULT 0;"
	"CREATE INDEX IF NOT EXISTS thread_names ON thread (platform, "
	"  account, client, title);"
	"ALTER TABLE draft ADD COLUMN inputs_hash TEXT;"
	"ALTER TABLE event ADD COLUMN client TEXT;"
	"CREATE TABLE pass ("
	"  account TEXT PRIMARY KEY, stamp TEXT NOT NULL,"
	"  until INTEGER NOT NULL);"
	/* a count of every change a pass decides from (store_version()) */
	"CREATE TABLE IF NOT EXISTS version (n INTEGER NOT NULL);"
	"INSERT INTO version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM "
	"  version);"
	"CREATE TRIGGER IF NOT EXISTS version_thread_insert AFTER INSERT "
	"  ON thread BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_thread_update AFTER UPDATE "
	"  ON thread BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_thread_delete AFTER DELETE "
	"  ON thread BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_event_insert AFTER INSERT "
	"  ON event BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_event_update AFTER UPDATE "
	"  ON event BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_event_delete AFTER DELETE "
	"  ON event BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_draft_insert AFTER INSERT "
	"  ON draft BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_draft_update AFTER UPDATE "
	"  ON draft BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_draft_delete AFTER DELETE "
	"  ON draft BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_mark_insert AFTER INSERT "
	"  ON mark BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_mark_update AFTER UPDATE "
	"  ON mark BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_mark_delete AFTER DELETE "
	"  ON mark BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_alias_insert AFTER INSERT "
	"  ON alias BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_alias_update AFTER UPDATE "
	"  ON alias BEGIN UPDATE version SET n = n + 1; END;"
	"CREATE TRIGGER IF NOT EXISTS version_alias_delete AFTER DELETE "
	"  ON alias BEGIN UPDATE version SET n = n + 1; END;";

/*
 * 4: what merging a thread into another looks up by thread: its marks and
 * aliases, to move them, and (foreign keys being on) every row that still
 * names it when it is deleted.  Without these, each merge read both
 * tables whole.
 */
static const char schema_v4[] =
	"CREATE INDEX mark_thread ON mark (thread);"
	"CREATE INDEX alias_thread ON alias (thread);";

/* Set err: 'what' failed on the store, in SQLite's words (its message
 * for a NULL connection is "out of memory").  Returns FALSE. */
static gboolean
db_fail(struct store *st, GError **err, const char *what)
{
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM, _("%s: %s: %s"),
	    st->path, what, sqlite3_errmsg(st->db));
	return (FALSE);
}

static gboolean
exec(struct store *st, const char *sql, GError **err)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM, _("%s: %s"),
		    st->path, msg != NULL ? msg : "error");
		sqlite3_free(msg);
		return (FALSE);
	}
	return (TRUE);
}

static void
stmt_free(gpointer s)
{
	sqlite3_finalize(s);
}

static int
user_version(struct store *st)
{
	sqlite3_stmt	*s = NULL;
	int		 v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return (v);
}

/*
 * Whether directory 'dir' is safe to keep state in: owned by this user
 * and writable by no one else (as ssh and msmtp ask of their files).
 */
static gboolean
safe_dir(const char *dir, GError **err)
{
	struct stat	sb;

	if (stat(dir, &sb) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("state directory %s: %s"), dir, g_strerror(errno));
		return (FALSE);
	}
	if (sb.st_uid != getuid() || (sb.st_mode & 022) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("state directory %s is %s: renraku keeps its state only "
		    "where no one else can change it (chmod 700 it, or set "
		    "state_dir)"), dir, sb.st_uid != getuid() ?
		    _("owned by another user") : _("writable by others"));
		return (FALSE);
	}
	return (TRUE);
}

/*
 * Open (creating it and 'dir' if needed) the database in 'dir', up to
 * reading its schema's version, which it refuses when newer than this
 * renraku's.  What may fail for a reason the user must see before
 * anything is done: the directory, the file, SQLite's open.
 */
static struct store *
open_db(const char *dir, GError **err)
{
	struct store	*st;
	struct stat	 sb;
	int		 fd;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("cannot create state directory %s: %s"), dir,
		    g_strerror(errno));
		return (NULL);
	}
	if (!safe_dir(dir, err))
		return (NULL);
	st = g_new0(struct store, 1);
	st->path = g_build_filename(dir, "state.db", NULL);
	st->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    stmt_free);
	/* the file itself, never what a link points to, owner-only */
	if ((fd = open(st->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    errno == ELOOP ? _("%s is a symbolic link; renraku does "
		    "not follow it (move it aside)") : _("cannot open %s: %s"),
		    st->path, g_strerror(errno));
		goto fail;
	}
	fchmod(fd, 0600);
	st->fresh = fstat(fd, &sb) == 0 && sb.st_size == 0;
	close(fd);
	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		db_fail(st, err, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	/*
	 * The WAL outlives the run: it is synced at every commit, so copying
	 * its pages into state.db at close (a sync of state.db, and the WAL
	 * and its index deleted and made again by the next run) buys no
	 * safety.  SQLite copies them when the WAL passes 1,000 pages.
	 */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	/*
	 * A new file is switched to WAL, and given its schema, without
	 * syncing: a crash before the first synced commit leaves it empty
	 * (the WAL's checksums drop a torn tail), and that commit syncs the
	 * WAL, schema included.  The switch alone would cost four syncs.
	 */
	if (!exec(st, st->fresh ? "PRAGMA synchronous=OFF;" :
	    "PRAGMA synchronous=FULL;", err) ||
	    !exec(st, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", err))
		goto fail;
	if ((st->version = user_version(st)) < 0) {
		db_fail(st, err, "cannot read schema version");
		goto fail;
	}
	if (st->version > SCHEMA_VERSION) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("%s: written by a newer renraku (schema %d, this one "
		    "knows %d)"), st->path, st->version, SCHEMA_VERSION);
		goto fail;
	}
	return (st);
fail:
	store_close(st);
	return (NULL);
}

/* Bring the schema of 'st', just opened, up to date. */
static gboolean
migrate(struct store *st, GError **err)
{
	int	v = st->version;

	if (v < SCHEMA_VERSION) {
		/* each version's additions, in one transaction */
		char *sql = g_strdup_printf("BEGIN; %s %s %s %s PRAGMA "
		    "user_version=%d; COMMIT;", v < 1 ? schema_v1 : "",
		    v < 2 ? schema_v2 : "", v < 3 ? schema_v3 : "", schema_v4,
		    SCHEMA_VERSION);
		gboolean ok = exec(st, sql, err);

		g_free(sql);
		if (!ok) {
			exec(st, "ROLLBACK", NULL);
			return (FALSE);
		}
		st->version = SCHEMA_VERSION;
	}
	if (st->fresh && !exec(st, "PRAGMA synchronous=FULL;", err))
		return (FALSE);
	st->fresh = FALSE;
	return (TRUE);
}

struct store *
store_open(const char *dir, GError **err)
{
	struct store *st;

	if ((st = open_db(dir, err)) != NULL && !migrate(st, err)) {
		store_close(st);
		return (NULL);
	}
	return (st);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->readying != NULL)
		g_thread_join(st->readying);
	g_clear_error(&st->unready);
	if (st->stmts != NULL)
		g_hash_table_destroy(st->stmts);	/* finalizes them */
	sqlite3_close(st->db);
	g_free(st->path);
	g_free(st);
}

gboolean
store_check(struct store *st, GError **err)
{
	sqlite3_stmt	*s = NULL;
	GString		*found = g_string_new(NULL);
	int		 r;

	/* quick_check: every page and b-tree, as integrity_check, but not
	   each index against its table, which costs three times as much on
	   every sync of a large store */
	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL) !=
	    SQLITE_OK) {
		g_string_free(found, TRUE);
		return (db_fail(st, err, "integrity check"));
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t != NULL && strcmp(t, "ok") != 0)
			g_string_append_printf(found, "%s%s",
			    found->len > 0 ? "; " : "", t);
	}
	/* one line: SQLite's report is several */
	g_strdelimit(found->str, "\n", ' ');
	sqlite3_finalize(s);
	if (r != SQLITE_DONE || found->len > 0) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
		    _("%s: integrity check failed: %s; move it aside and sync "
		    "again (renraku finds its drafts in Drafts by their "
		    "X-Renraku-Thread header)"), st->path,
		    found->len > 0 ? found->str : sqlite3_errmsg(st->db));
		g_string_free(found, TRUE);
		return (FALSE);
	}
	g_string_free(found, TRUE);
	return (TRUE);
}

/* The thread of store_open_start(): the rest of store_open(), and the
 * check, on the store's own connection (nothing else uses it meanwhile). */
static gpointer
ready_thread(gpointer data)
{
	struct store *st = data;

	if (migrate(st, &st->unready))
		store_check(st, &st->unready);
	return (NULL);
}

struct store *
store_open_start(const char *dir, GError **err)
{
	struct store *st;

	if ((st = open_db(dir, err)) != NULL)
		st->readying = g_thread_new("store", ready_thread, st);
	return (st);
}

gboolean
store_ready(struct store *st, GError **err)
{
	if (st->readying == NULL)
		return (store_check(st, err));
	g_thread_join(st->readying);
	st->readying = NULL;
	if (st->unready == NULL)
		return (TRUE);
	g_propagate_error(err, st->unready);
	st->unready = NULL;
	return (FALSE);
}

gboolean
store_begin(struct store *st, GError **err)
{
	return (exec(st, "BEGIN IMMEDIATE", err));
}

gboolean
store_begin_lazy(struct store *st, GError **err)
{
	/* SQLite takes the level at BEGIN, and refuses it inside */
	if (!exec(st, "PRAGMA synchronous=NORMAL", err))
		return (FALSE);
	st->lazy = TRUE;
	if (store_begin(st, err))
		return (TRUE);
	store_rollback(st);
	return (FALSE);
}

/* Back to commits that wait for the disk, after a lazy transaction. */
static gboolean
unlazy(struct store *st, GError **err)
{
	if (!st->lazy)
		return (TRUE);
	st->lazy = FALSE;
	return (exec(st, "PRAGMA synchronous=FULL", err));
}

gboolean
store_commit(struct store *st, GError **err)
{
	return (exec(st, "COMMIT", err) && unlazy(st, err));
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		exec(st, "ROLLBACK", NULL);
	unlazy(st, NULL);
}

/*
 * Prepare 'sql' (once a run: kept in st->stmts; a fresh one while the
 * kept one is being stepped) and bind the variadic arguments described by
 * 'types': 't' text (const char *, may be NULL), 'i' gint64.  Give it back
 * with release().
 */
static sqlite3_stmt *
prepare(struct store *st, const char *sql, const char *types, ...)
{
	sqlite3_stmt	*s;
	va_list		 ap;
	int		 i;

	s = g_hash_table_lookup(st->stmts, sql);
	if (s != NULL && sqlite3_stmt_busy(s))
		s = NULL;
	else if (s != NULL)
		sqlite3_clear_bindings(s);
	if (s == NULL) {
		if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) !=
		    SQLITE_OK) {
			sqlite3_finalize(s);
			return (NULL);
		}
		if (!g_hash_table_contains(st->stmts, sql))
			g_hash_table_insert(st->stmts, g_strdup(sql), s);
	}
	va_start(ap, types);
	for (i = 0; types[i] != '\0'; i++) {
		if (types[i] == 't')
			sqlite3_bind_text(s, i + 1, va_arg(ap, const char *),
			    -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(s, i + 1, va_arg(ap, gint64));
	}
	va_end(ap);
	return (s);
}

/* Done with 's': reset if it is the kept one, else finalized. */
static void
release(struct store *st, sqlite3_stmt *s)
{
	if (s == NULL)
		return;
	if (g_hash_table_lookup(st->stmts, sqlite3_sql(s)) == s)
		sqlite3_reset(s);
	else
		sqlite3_finalize(s);
}

/* Step a statement that returns no rows, then release it. */
static gboolean
run(struct store *st, sqlite3_stmt *s, GError **err, const char *what)
{
	gboolean ok = s != NULL && sqlite3_step(s) == SQLITE_DONE;

	if (!ok)
		db_fail(st, err, what);
	release(st, s);
	return (ok);
}

gboolean
store_mailbox_get(struct store *st, const char *account, const char *mailbox,
    gboolean drafts, gboolean *found, struct mailbox_state *ms, GError **err)
{
	sqlite3_stmt	*s;
	int		 r;

	*found = FALSE;
	memset(ms, 0, sizeof *ms);
	s = prepare(st, "SELECT uidvalidity, last_uid, uidnext, messages, "
	    "modseq, stuck_uid, stuck_tries FROM mailbox WHERE account = ? AND "
	    "name = ? AND drafts = ?", "tti", account, mailbox, (gint64)(drafts != 0));
	if (s == NULL || ((r = sqlite3_step(s)) != SQLITE_ROW &&
	    r != SQLITE_DONE)) {
		release(st, s);
		return (db_fail(st, err, "reading mailbox state"));
	}
	if (r == SQLITE_ROW) {
		*found = TRUE;
		ms->uidvalidity = (guint32)sqlite3_column_int64(s, 0);
		ms->last_uid = (guint32)sqlite3_column_int64(s, 1);
		ms->uidnext = (guint32)sqlite3_column_int64(s, 2);
		ms->messages = (guint32)sqlite3_column_int64(s, 3);
		ms->modseq = (guint64)sqlite3_column_int64(s, 4);
		ms->stuck_uid = (guint32)sqlite3_column_int64(s, 5);
		ms->stuck_tries = (guint)sqlite3_column_int64(s, 6);
	}
	release(st, s);
	return (TRUE);
}

gboolean
store_mailbox_set(struct store *st, const char *account, const char *mailbox,
    gboolean drafts, const struct mailbox_state *ms, GError **err)
{
	return (run(st, prepare(st, "INSERT INTO mailbox VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, name, drafts) "
	    "DO UPDATE SET uidvalidity = excluded.uidvalidity, "
	    "last_uid = excluded.last_uid, uidnext = excluded.uidnext, "
	    "messages = excluded.messages, modseq = excluded.modseq, "
	    "stuck_uid = excluded.stuck_uid, stuck_tries = excluded.stuck_tries",
	    "ttiiiiiiii", account, mailbox, (gint64)(drafts != 0),
	    (gint64)ms->uidvalidity, (gint64)ms->last_uid,
	    (gint64)ms->uidnext, (gint64)ms->messages, (gint64)ms->modseq,
	    (gint64)ms->stuck_uid, (gint64)ms->stuck_tries),
	    err, "saving mailbox state"));
}

/* "('contract', 'escrow')": the names of the kinds 'pred' holds for, as
 * an SQL list (the names are the store's own, never the user's);
 * allocated. */
static char *
kinds_sql(gboolean (*pred)(enum event_kind))
{
	GString	*s = g_string_new("(");
	int	 k;

	for (k = 0; k < EVENT_NKINDS; k++)
		if (pred((enum event_kind)k))
			g_string_append_printf(s, "%s'%s'", s->len > 1 ?
			    ", " : "", event_kind_name((enum event_kind)k));
	g_string_append_c(s, ')');
	return (g_string_free(s, FALSE));
}

/* The thread 'id' was merged into, or NULL; allocated. */
static char *
alias_of(struct store *st, const char *id)
{
	sqlite3_stmt	*s;
	char		*to = NULL;

	s = prepare(st, "SELECT thread FROM alias WHERE id = ?", "t", id);
	if (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		to = g_strdup((const char *)sqlite3_column_text(s, 0));
	release(st, s);
	return (to);
}

/*
 * Move everything of thread 'from' (events, drafts, marks, aliases) to
 * thread 'to', and make 'from' an alias of it.
 */
static gboolean
merge(struct store *st, const char *from, const char *to, GError **err)
{
	static const char *const moves[] = {
		"UPDATE event SET thread = ?2 WHERE thread = ?1",
		"UPDATE draft SET thread = ?2 WHERE thread = ?1",
		"UPDATE mark SET thread = ?2 WHERE thread = ?1",
		"UPDATE alias SET thread = ?2 WHERE thread = ?1",
		"INSERT OR REPLACE INTO alias VALUES (?1, ?2)",
		"UPDATE thread SET client = coalesce(client, (SELECT client "
		"FROM thread WHERE id = ?1)), url = coalesce(url, (SELECT url "
		"FROM thread WHERE id = ?1)) WHERE id = ?2",
		"DELETE FROM thread WHERE id = ?1",
	};
	gsize	i;

	for (i = 0; i < G_N_ELEMENTS(moves); i++)
		if (!run(st, prepare(st, moves[i], "tt", from, to), err,
		    "merging threads"))
			return (FALSE);
	return (TRUE);
}

/*
 * A CrowdWorks proposal that becomes a contract is one thread under two
 * ids (platform-mails.md: "keep an alias table").  Threads of the same
 * platform, account, client and job title are one when one of them has a
 * contract: a contract (or escrow) event of thread 'id' takes in the
 * others that have none; any other event of 'id' goes to the one open
 * contract thread there is.  Sets *into to the thread the event belongs
 * to (allocated).
 */
static gboolean
join_contract(struct store *st, const char *id, const struct stored_event *e,
    char **into, GError **err)
{
	const struct event	*ev = e->ev;
	sqlite3_stmt		*s;
	GPtrArray		*others = g_ptr_array_new_with_free_func(g_free);
	gboolean		 ok = TRUE, makes;
	char			*opening = NULL, *closing = NULL, *sql;
	guint			 i;

	*into = g_strdup(id);
	if (ev->client == NULL || ev->title == NULL)
		goto out;
	makes = event_opens_contract(ev->kind);
	opening = kinds_sql(event_opens_contract);
	closing = kinds_sql(event_closes_contract);
	sql = makes ? g_strdup_printf(
	    "SELECT id FROM thread t WHERE platform = ?1 AND account = ?2 AND "
	    "client = ?3 AND title = ?4 AND id != ?5 AND NOT EXISTS (SELECT 1 "
	    "FROM event WHERE thread = t.id AND kind IN %s)", opening) :
	    g_strdup_printf(
	    "SELECT id FROM thread t WHERE platform = ?1 AND account = ?2 AND "
	    "client = ?3 AND title = ?4 AND id != ?5 AND EXISTS (SELECT 1 "
	    "FROM event WHERE thread = t.id AND kind IN %s) "
	    "AND NOT EXISTS (SELECT 1 FROM event WHERE thread = t.id AND "
	    "kind IN %s) AND NOT EXISTS (SELECT 1 FROM event "
	    "WHERE thread = ?5 AND kind IN %s)", opening, closing, opening);
	s = prepare(st, sql, "ttttt", ev->platform, e->account, ev->client,
	    ev->title, id);
	g_free(sql);
	while (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		g_ptr_array_add(others, g_strdup((const char *)
		    sqlite3_column_text(s, 0)));
	release(st, s);
	if (makes)
		for (i = 0; ok && i < others->len; i++)
			ok = merge(st, others->pdata[i], id, err);
	else if (others->len == 1) {
		/* one open contract: this id is another name of it */
		ok = merge(st, id, others->pdata[0], err);
		g_free(*into);
		*into = g_strdup(others->pdata[0]);
	}
out:
	g_free(opening);
	g_free(closing);
	g_ptr_array_unref(others);
	return (ok);
}

/*
 * Mail that names thread 'thread' by its id and also names its client and
 * job title is what ties a thread known only by those names (an id made
 * by rules_name_key()) to it: that thread, if any, is merged into
 * 'thread', and the name becomes another name of 'thread', so later mail
 * that names no id joins it.
 */
static gboolean
link_names(struct store *st, const char *thread, const struct event *ev,
    const char *account, GError **err)
{
	sqlite3_stmt	*s;
	char		*named = g_strdup_printf("%s/%s", ev->platform,
			    ev->name_key);
	gboolean	 ok, exists, ours;

	if (strcmp(named, thread) == 0) {
		g_free(named);
		return (TRUE);
	}
	s = prepare(st, "SELECT account = ? FROM thread WHERE id = ?", "tt",
	    account, named);
	exists = s != NULL && sqlite3_step(s) == SQLITE_ROW;
	ours = exists && sqlite3_column_int(s, 0) != 0;
	release(st, s);
	/* the same names in another account are another thread */
	ok = ours ? merge(st, named, thread, err) : exists ? TRUE :
	    run(st, prepare(st, "INSERT OR REPLACE INTO alias VALUES (?, ?)",
	    "tt", named, thread), err, "saving thread");
	g_free(named);
	return (ok);
}

gboolean
store_add_event(struct store *st, const struct stored_event *e,
    gboolean *added, GError **err)
{
	const struct event	*ev = e->ev;
	const char		*key = ev->key != NULL ? ev->key : ev->name_key;
	char			*thread = NULL, *to;
	gboolean		 ok = FALSE;

	*added = FALSE;
	if (key != NULL) {
		thread = g_strdup_printf("%s/%s", ev->platform, key);
		if ((to = alias_of(st, thread)) != NULL) {
			/* merged into another: that one, its names kept */
			g_free(thread);
			thread = to;
			if (!run(st, prepare(st, "UPDATE thread SET client = "
			    "coalesce(client, ?2), title = coalesce(title, ?3) "
			    "WHERE id = ?1", "ttt", thread, ev->client,
			    ev->title), err, "saving thread"))
				goto out;
		} else {
			/* newer mail brings newer names; keep what it lacks */
			if (!run(st, prepare(st, "INSERT INTO thread VALUES "
			    "(?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
			    "SET client = coalesce(excluded.client, client), "
			    "title = coalesce(excluded.title, title), "
			    "url = coalesce(excluded.url, url)", "ttttttt",
			    thread, ev->platform, key, e->account,
			    ev->client, ev->title, ev->url), err,
			    "saving thread") ||
			    !join_contract(st, thread, e, &to, err))
				goto out;
			g_free(thread);
			thread = to;
		}
		if (ev->key != NULL && ev->name_key != NULL &&
		    !link_names(st, thread, ev, e->account, err))
			goto out;
	}
	if (!run(st, prepare(st, "INSERT INTO event (mail_id, thread, "
	    "platform, kind, time, subject, account, mailbox, uid, client) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mail_id) DO "
	    "NOTHING", "ttttitttit", e->mail_id, thread, ev->platform,
	    event_kind_name(ev->kind), e->time, e->subject, e->account,
	    e->mailbox, (gint64)e->uid, ev->client), err, "saving event"))
		goto out;
	*added = sqlite3_changes(st->db) > 0;
	ok = TRUE;
out:
	g_free(thread);
	return (ok);
}

static char *
column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return (t != NULL ? g_strdup((const char *)t) : NULL);
}

static void
draft_clear(gpointer p)
{
	struct thread_draft *d = p;

	g_free(d->message_id);
	g_free(d->content_hash);
	g_free(d->raw_hash);
	g_free(d->inputs_hash);
}

static void
thread_free(struct thread *t)
{
	g_free(t->id);
	g_free(t->platform);
	g_free(t->account);
	g_free(t->client);
	g_free(t->title);
	g_free(t->url);
	g_free(t->last_subject);
	g_array_unref(t->state.events);
	g_array_unref(t->state.drafts);
	g_array_unref(t->state.marks);
	g_free(t);
}

void
unknown_mail_free(struct unknown_mail *u)
{
	if (u == NULL)
		return;
	g_free(u->platform);
	g_free(u->subject);
	g_free(u->account);
	g_free(u->mailbox);
	g_free(u->thread);
	g_free(u);
}

GPtrArray *
store_unknown(struct store *st, GError **err)
{
	GPtrArray	*out;
	sqlite3_stmt	*s;
	int		 r = SQLITE_ERROR, kind;

	out = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)unknown_mail_free);
	s = prepare(st, "SELECT platform, subject, account, mailbox, uid, "
	    "time, thread, kind FROM event WHERE kind = 'unknown' OR "
	    "(thread IS NULL AND kind != 'noise') ORDER BY time DESC, id DESC",
	    "");
	while (s != NULL && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct unknown_mail *u = g_new0(struct unknown_mail, 1);

		u->platform = column_dup(s, 0);
		u->subject = column_dup(s, 1);
		u->account = column_dup(s, 2);
		u->mailbox = column_dup(s, 3);
		u->uid = (guint32)sqlite3_column_int64(s, 4);
		u->time = sqlite3_column_int64(s, 5);
		u->thread = column_dup(s, 6);
		kind = event_kind_from_name((const char *)
		    sqlite3_column_text(s, 7));
		u->kind = kind < 0 ? EVENT_UNKNOWN : (enum event_kind)kind;
		g_ptr_array_add(out, u);
	}
	release(st, s);
	if (s == NULL || r != SQLITE_DONE) {
		db_fail(st, err, "unknown mail");
		g_ptr_array_unref(out);
		return (NULL);
	}
	return (out);
}

static int
cmp_event_time(gconstpointer a, gconstpointer b)
{
	const struct thread_event *x = a, *y = b;

	return (x->time < y->time ? -1 : x->time > y->time);
}

/*
 * A client's mail that names no thread (no id, not both client and title)
 * may be an answer in any thread of its platform and account: in the
 * threads of the client it names, when some thread has that client, else
 * (no client, or one by another name: a Lancers user name, a Coconala
 * nickname) in all of them.  renraku cannot tell which, so it counts in
 * each as a platform mail it could not read (EVENT_UNKNOWN, counted as
 * the client's): their silences start again from it, and a draft older
 * than it is taken back.  Adds those events to the threads 'out' (of
 * 'account', or all), each to the threads whose own first mail is not
 * later than it: an older mail is no answer in a contract that came after.
 */
static gboolean
add_loose(struct store *st, GPtrArray *out, const char *account)
{
	sqlite3_stmt	*s;
	gint64		*first;
	guint		 i, j;
	gboolean	 named;
	int		 r, kind;

	/* a mail older than a thread's own first one is not about it */
	first = g_new(gint64, MAX(out->len, 1));
	for (i = 0; i < out->len; i++) {
		struct thread *t = out->pdata[i];

		first[i] = G_MAXINT64;
		for (j = 0; j < t->state.events->len; j++)
			first[i] = MIN(first[i], g_array_index(t->state.events,
			    struct thread_event, j).time);
	}
	s = prepare(st, "SELECT platform, account, client, kind, time FROM "
	    "event WHERE thread IS NULL AND (?1 IS NULL OR account = ?1)",
	    "t", account);
	while (s != NULL && (r = sqlite3_step(s)) == SQLITE_ROW) {
		const char		*platform, *acct, *client;
		struct thread_event	 e = { EVENT_UNKNOWN, 0 };

		kind = event_kind_from_name((const char *)
		    sqlite3_column_text(s, 3));
		if (!policy_is_client_event(kind < 0 ? EVENT_UNKNOWN :
		    (enum event_kind)kind))
			continue;
		platform = (const char *)sqlite3_column_text(s, 0);
		acct = (const char *)sqlite3_column_text(s, 1);
		client = (const char *)sqlite3_column_text(s, 2);
		e.time = sqlite3_column_int64(s, 4);
		named = FALSE;
		for (i = 0; client != NULL && i < out->len && !named; i++) {
			struct thread *t = out->pdata[i];

			named = strcmp(t->platform, platform) == 0 &&
			    strcmp(t->account, acct) == 0 &&
			    g_strcmp0(t->client, client) == 0;
		}
		for (i = 0; i < out->len; i++) {
			struct thread *t = out->pdata[i];

			if (strcmp(t->platform, platform) == 0 &&
			    strcmp(t->account, acct) == 0 && (!named ||
			    g_strcmp0(t->client, client) == 0) &&
			    e.time >= first[i])
				g_array_append_val(t->state.events, e);
		}
	}
	g_free(first);
	if (s == NULL || r != SQLITE_DONE) {
		release(st, s);
		return (FALSE);
	}
	release(st, s);
	for (i = 0; i < out->len; i++) {
		struct thread *t = out->pdata[i];

		g_array_sort(t->state.events, cmp_event_time);
	}
	return (TRUE);
}

GPtrArray *
store_threads(struct store *st, const char *account, GError **err)
{
	GPtrArray	*out;
	GHashTable	*byid;
	sqlite3_stmt	*s;
	int		 r;

	out = g_ptr_array_new_with_free_func((GDestroyNotify)thread_free);
	byid = g_hash_table_new(g_str_hash, g_str_equal);
	s = prepare(st, "SELECT id, platform, account, client, title, url "
	    "FROM thread WHERE ?1 IS NULL OR account = ?1 ORDER BY id", "t",
	    account);
	while (s != NULL && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct thread *t = g_new0(struct thread, 1);

		t->id = column_dup(s, 0);
		t->platform = column_dup(s, 1);
		t->account = column_dup(s, 2);
		t->client = column_dup(s, 3);
		t->title = column_dup(s, 4);
		t->url = column_dup(s, 5);
		t->state.events = g_array_new(FALSE, FALSE,
		    sizeof(struct thread_event));
		t->state.drafts = g_array_new(FALSE, FALSE,
		    sizeof(struct thread_draft));
		g_array_set_clear_func(t->state.drafts, draft_clear);
		t->state.marks = g_array_new(FALSE, FALSE,
		    sizeof(struct thread_mark));
		g_ptr_array_add(out, t);
		g_hash_table_insert(byid, t->id, t);
	}
	if (s == NULL || r != SQLITE_DONE)
		goto fail;
	release(st, s);

	s = prepare(st, "SELECT thread, kind, time, subject FROM event "
	    "WHERE thread IS NOT NULL ORDER BY time, id", "");
	while (s != NULL && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct thread		*t = g_hash_table_lookup(byid,
					    sqlite3_column_text(s, 0));
		struct thread_event	 e;
		int			 kind;

		if (t == NULL)
			continue;
		kind = event_kind_from_name(
		    (const char *)sqlite3_column_text(s, 1));
		e.kind = kind < 0 ? EVENT_UNKNOWN : (enum event_kind)kind;
		e.time = sqlite3_column_int64(s, 2);
		g_array_append_val(t->state.events, e);
		if (policy_is_client_event(e.kind)) {
			g_free(t->last_subject);
			t->last_subject = column_dup(s, 3);
		}
	}
	if (s == NULL || r != SQLITE_DONE)
		goto fail;
	release(st, s);
	s = NULL;	/* given back: not to be given back again */
	if (!add_loose(st, out, account))
		goto fail;

	s = prepare(st, "SELECT thread, step, anchor, state, created, "
	    "changed, message_id, content_hash, raw_hash, inputs_hash FROM "
	    "draft ORDER BY created, rowid", "");
	while (s != NULL && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct thread		*t = g_hash_table_lookup(byid,
					    sqlite3_column_text(s, 0));
		struct thread_draft	 d;
		int			 state;

		if (t == NULL)
			continue;
		d.step = (guint)sqlite3_column_int(s, 1);
		d.anchor = sqlite3_column_int64(s, 2);
		state = draft_state_from_name(
		    (const char *)sqlite3_column_text(s, 3));
		d.state = state < 0 ? DRAFT_REMOVED : (enum draft_state)state;
		d.created = sqlite3_column_int64(s, 4);
		d.changed = sqlite3_column_int64(s, 5);
		d.message_id = column_dup(s, 6);
		d.content_hash = column_dup(s, 7);
		d.raw_hash = column_dup(s, 8);
		d.inputs_hash = column_dup(s, 9);
		g_array_append_val(t->state.drafts, d);
	}
	if (s == NULL || r != SQLITE_DONE)
		goto fail;
	release(st, s);

	s = prepare(st, "SELECT thread, kind, days, time FROM mark "
	    "ORDER BY time, id", "");
	while (s != NULL && (r = sqlite3_step(s)) == SQLITE_ROW) {
		struct thread		*t = g_hash_table_lookup(byid,
					    sqlite3_column_text(s, 0));
		struct thread_mark	 m;
		int			 kind;

		kind = mark_kind_from_name(
		    (const char *)sqlite3_column_text(s, 1));
		if (t == NULL || kind < 0)
			continue;
		m.kind = (enum mark_kind)kind;
		m.days = (guint)sqlite3_column_int(s, 2);
		m.time = sqlite3_column_int64(s, 3);
		g_array_append_val(t->state.marks, m);
	}
	if (s == NULL || r != SQLITE_DONE)
		goto fail;
	release(st, s);
	g_hash_table_unref(byid);
	return (out);
fail:
	db_fail(st, err, "reading threads");
	release(st, s);
	g_hash_table_unref(byid);
	g_ptr_array_unref(out);
	return (NULL);
}

gboolean
store_draft_add(struct store *st, const char *thread,
    const struct thread_draft *d, GError **err)
{
	return (run(st, prepare(st, "INSERT INTO draft (message_id, thread, "
	    "step, anchor, content_hash, raw_hash, state, created, changed, "
	    "inputs_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
	    "(message_id) DO UPDATE SET step = excluded.step, anchor = "
	    "excluded.anchor, content_hash = excluded.content_hash, raw_hash "
	    "= excluded.raw_hash, state = excluded.state, changed = "
	    "excluded.changed, inputs_hash = excluded.inputs_hash",
	    "ttiitttiit", d->message_id, thread, (gint64)d->step, d->anchor,
	    d->content_hash, d->raw_hash, draft_state_name(d->state),
	    d->created, d->changed, d->inputs_hash), err, "saving draft"));
}

gboolean
store_draft_set_inputs(struct store *st, const char *message_id,
    const char *inputs_hash, GError **err)
{
	return (run(st, prepare(st, "UPDATE draft SET inputs_hash = ? WHERE "
	    "message_id = ?", "tt", inputs_hash, message_id), err,
	    "saving draft"));
}

gboolean
store_draft_set_state(struct store *st, const char *message_id,
    enum draft_state state, gint64 now, GError **err)
{
	return (run(st, prepare(st, "UPDATE draft SET state = ?, changed = ? "
	    "WHERE message_id = ?", "tit", draft_state_name(state), now,
	    message_id), err, "saving draft"));
}

gboolean
store_draft_forget(struct store *st, const char *message_id, GError **err)
{
	return (run(st, prepare(st, "DELETE FROM draft WHERE message_id = ?",
	    "t", message_id), err, "forgetting draft"));
}

char *
store_thread_current(struct store *st, const char *thread)
{
	char	*to = alias_of(st, thread);

	return (to != NULL ? to : g_strdup(thread));
}

int
store_thread_exists(struct store *st, const char *thread, GError **err)
{
	sqlite3_stmt	*s;
	int		 r;

	s = prepare(st, "SELECT 1 FROM thread WHERE id = ?", "t", thread);
	if (s == NULL || ((r = sqlite3_step(s)) != SQLITE_ROW &&
	    r != SQLITE_DONE)) {
		release(st, s);
		db_fail(st, err, "reading threads");
		return (-1);
	}
	release(st, s);
	return (r == SQLITE_ROW);
}

gboolean
store_mark_add(struct store *st, const char *thread, enum mark_kind kind,
    guint days, gint64 now, GError **err)
{
	return (run(st, prepare(st, "INSERT INTO mark (thread, kind, days, "
	    "time) VALUES (?, ?, ?, ?)", "ttii", thread, mark_kind_name(kind),
	    (gint64)days, now), err, "saving mark"));
}

char *
store_version(struct store *st, GError **err)
{
	sqlite3_stmt	*s;
	char		*v = NULL;

	s = prepare(st, "SELECT n FROM version", "");
	if (s != NULL && sqlite3_step(s) == SQLITE_ROW)
		v = g_strdup_printf("%" G_GINT64_FORMAT,
		    (gint64)sqlite3_column_int64(s, 0));
	else
		db_fail(st, err, "reading the store's version");
	release(st, s);
	return (v);
}

gboolean
store_pass_get(struct store *st, const char *account, char **stamp,
    gint64 *until, GError **err)
{
	sqlite3_stmt	*s;
	int		 r;

	*stamp = NULL;
	*until = 0;
	s = prepare(st, "SELECT stamp, until FROM pass WHERE account = ?", "t",
	    account);
	if (s == NULL || ((r = sqlite3_step(s)) != SQLITE_ROW &&
	    r != SQLITE_DONE)) {
		release(st, s);
		return (db_fail(st, err, "reading the last pass"));
	}
	if (r == SQLITE_ROW) {
		*stamp = column_dup(s, 0);
		*until = sqlite3_column_int64(s, 1);
	}
	release(st, s);
	return (TRUE);
}

gboolean
store_pass_set(struct store *st, const char *account, const char *stamp,
    gint64 until, GError **err)
{
	if (stamp == NULL)
		return (run(st, prepare(st, "DELETE FROM pass WHERE account = ?",
		    "t", account), err, "saving the pass"));
	return (run(st, prepare(st, "INSERT INTO pass VALUES (?, ?, ?) ON "
	    "CONFLICT (account) DO UPDATE SET stamp = excluded.stamp, until = "
	    "excluded.until", "tti", account, stamp, until), err,
	    "saving the pass"));
}
