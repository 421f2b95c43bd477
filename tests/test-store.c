/*
 * test-store.c: the SQLite state, in a fresh temporary directory for each
 * test.
 */
#include "unit.h"

#include <unistd.h>

#include <sqlite3.h>

#include "error.h"
#include "store.h"

/* Open the store in 'dir', by store_open_start() and store_ready() when
 * 'started'; the test fails if it cannot. */
static struct store *
open_store_as(const char *dir, gboolean started)
{
	struct store	*st;
	GError		*e = NULL;

	st = started ? store_open_start(dir, &e) : store_open(dir, &e);
	assert_no_error(e);
	assert_non_null(st);
	if (started)
		assert_true(store_ready(st, &e));
	assert_no_error(e);
	return (st);
}

#define open_store(dir)		open_store_as((dir), FALSE)
#define open_store_started(dir)	open_store_as((dir), TRUE)

/* PRAGMA user_version of dir/state.db, read behind the store's back. */
static int
user_version(const char *dir)
{
	sqlite3		*db;
	sqlite3_stmt	*s;
	char		*path = g_build_filename(dir, "state.db", NULL);
	int		 v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) ==
	    SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	g_free(path);
	return (v);
}

/* A stored event of 'ev'; the strings are the caller's. */
static struct stored_event
stored(const char *mail_id, gint64 time, const struct event *ev)
{
	struct stored_event	se = {
		.mail_id = mail_id,
		.account = "main",
		.mailbox = "INBOX",
		.uid = 1,
		.time = time,
		.subject = "subject",
		.ev = ev,
	};

	return (se);
}

static void
add(struct store *st, const struct stored_event *se, gboolean want_added)
{
	GError		*e = NULL;
	gboolean	 added = !want_added;

	assert_true(store_add_event(st, se, &added, &e));
	assert_no_error(e);
	if (added != want_added)
		fail_msg("%s: added %d, wanted %d", se->mail_id, added,
		    want_added);
}

static GPtrArray *
threads(struct store *st, const char *account)
{
	GPtrArray	*a;
	GError		*e = NULL;

	a = store_threads(st, account, &e);
	assert_no_error(e);
	assert_non_null(a);
	return (a);
}

/*
 * What merging a thread looks up by thread (its marks and aliases, and,
 * for the foreign keys, whatever names it) goes through an index, in the
 * database at 'path': no merge reads a whole table.
 */
static void
assert_merge_indexed(const char *path)
{
	static const char *const lookups[] = {
		"UPDATE mark SET thread = 'b' WHERE thread = 'a'",
		"UPDATE alias SET thread = 'b' WHERE thread = 'a'",
		"SELECT 1 FROM event WHERE thread = 'a'",
		"SELECT 1 FROM draft WHERE thread = 'a'",
	};
	sqlite3		*db;
	sqlite3_stmt	*s;
	GString		*plan;
	gsize		 i;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 0; i < G_N_ELEMENTS(lookups); i++) {
		char *sql = g_strdup_printf("EXPLAIN QUERY PLAN %s",
		    lookups[i]);

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
		    SQLITE_OK);
		plan = g_string_new(NULL);
		while (sqlite3_step(s) == SQLITE_ROW)
			g_string_append_printf(plan, "%s\n",
			    (const char *)sqlite3_column_text(s, 3));
		sqlite3_finalize(s);
		if (strstr(plan->str, "USING") == NULL ||
		    strstr(plan->str, "SCAN") != NULL)
			fail_msg("%s: %s", lookups[i], plan->str);
		g_string_free(plan, TRUE);
		g_free(sql);
	}
	sqlite3_close(db);
}

static void
test_open(void **state)
{
	struct store	*st;
	struct stat	 sb;
	char		*dir, *db;

	/* the directory does not exist yet, nor its parent */
	dir = g_build_filename(*state, "a", "renraku", NULL);
	st = open_store(dir);
	db = g_build_filename(dir, "state.db", NULL);
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	store_close(st);
	assert_int_equal(user_version(dir), 4);
	assert_merge_indexed(db);

	/* a second open finds the schema in place */
	st = open_store(dir);
	store_close(st);
	assert_int_equal(user_version(dir), 4);
	g_free(db);
	g_free(dir);
}

static void
test_newer_schema(void **state)
{
	struct store	*st;
	sqlite3		*db;
	GError		*e = NULL;
	char		*path;

	path = g_build_filename(*state, "state.db", NULL);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 7", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	/* never write to a database a newer renraku made */
	st = store_open(*state, &e);
	assert_null(st);
	assert_non_null(e);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_PERM));
	assert_contains(e->message, "newer");
	assert_int_equal(user_version(*state), 7);
	g_error_free(e);
	g_free(path);
}

static void
test_not_a_database(void **state)
{
	struct store	*st;
	GError		*e = NULL;
	char		*path;

	path = unit_write(*state, "state.db", "this is not SQLite, but it is "
	    "long enough to look like a header of a database file.\n", 0600);
	st = store_open(*state, &e);
	assert_null(st);
	assert_non_null(e);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_PERM));
	assert_contains(e->message, path);
	g_error_free(e);
	g_free(path);
}

/*
 * The store opened beside other work (store_open_start()): a new one gets
 * its schema and can be written; a small one and a large one (2 MB) are
 * found sound, then each with a page overwritten found damaged, whether
 * opened so or by store_open() (store_ready() then checks it); one closed
 * before it was ready is closed cleanly; a newer schema is refused at
 * once.
 */
static void
test_open_started(void **state)
{
	static const guint	 rows[] = { 0, 2000 };
	struct mailbox_state	 ms = { 7, 41, 42, 40, 0, 0, 0 };
	struct store		*st;
	sqlite3			*db;
	GError			*e = NULL;
	char			*path, *sql, *dir;
	FILE			*f;
	gsize			 i;
	int			 damaged, k, how;

	dir = g_build_filename(*state, "new", NULL);
	st = open_store_started(dir);
	assert_true(store_mailbox_set(st, "main", "INBOX", FALSE, &ms, NULL));
	store_close(st);
	assert_int_equal(user_version(dir), 4);
	path = g_build_filename(dir, "state.db", NULL);
	assert_merge_indexed(path);
	g_free(path);
	/* closed while its thread may still work: nothing lost, no leak */
	assert_non_null(st = store_open_start(dir, NULL));
	store_close(st);
	assert_int_equal(user_version(dir), 4);
	g_free(dir);

	path = g_build_filename(*state, "state.db", NULL);
	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		unlink(path);
		st = open_store(*state);
		store_close(st);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		sql = g_strdup_printf("CREATE TABLE filler (x); WITH RECURSIVE "
		    "c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE "
		    "n < %u) INSERT INTO filler SELECT randomblob(1000) FROM "
		    "c WHERE %u > 0", MAX(rows[i], 1), rows[i]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		g_free(sql);
		sqlite3_close(db);	/* the last one: checkpointed */
		/* sound: ready, opened either way */
		for (how = 0; how < 2; how++) {
			st = how ? open_store(*state) :
			    open_store_started(*state);
			assert_true(store_ready(st, &e));
			assert_no_error(e);
			store_close(st);
		}
		assert_non_null(f = fopen(path, "r+b"));
		assert_int_equal(fseek(f, 4096 * 2, SEEK_SET), 0);
		for (k = 0; k < 256; k++)
			fputs("not a page", f);
		fclose(f);
		for (damaged = 0; damaged < 2; damaged++) {
			gboolean ok;

			st = damaged ? open_store(*state) :
			    store_open_start(*state, &e);
			assert_no_error(e);
			assert_non_null(st);
			ok = store_ready(st, &e);
			store_close(st);
			assert_false(ok);
			assert_non_null(e);
			assert_true(g_error_matches(e, RENRAKU_ERROR,
			    RENRAKU_ERROR_PERM));
			assert_contains(e->message, "integrity check");
			g_clear_error(&e);
		}
	}
	/* a newer schema: refused before anything is started */
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 7", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open_start(*state, &e));
	assert_non_null(e);
	assert_contains(e->message, "newer");
	g_clear_error(&e);
	g_free(path);
}

/*
 * A state.db that is a symbolic link is refused, and the file it points to
 * keeps its mode; a state directory others can write to is refused.
 */
static void
test_unsafe_places(void **state)
{
	struct store	*st;
	GError		*e = NULL;
	struct stat	 sb;
	char		*target, *link, *open_dir;

	target = unit_write(*state, "elsewhere", "not renraku's\n", 0644);
	link = g_build_filename(*state, "state.db", NULL);
	assert_int_equal(symlink(target, link), 0);
	st = store_open(*state, &e);
	assert_null(st);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_PERM));
	assert_contains(e->message, "symbolic link");
	g_clear_error(&e);
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);

	open_dir = g_build_filename(*state, "open", NULL);
	assert_int_equal(g_mkdir(open_dir, 0700), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	st = store_open(open_dir, &e);
	assert_null(st);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG));
	assert_contains(e->message, "writable by others");
	g_clear_error(&e);
	g_free(open_dir);
	g_free(link);
	g_free(target);
}

static void
test_mailbox(void **state)
{
	static const struct {
		const char	*account, *mailbox;
		guint32		 uidvalidity, last_uid;
	} sets[] = {
		{ "main", "INBOX", 1700000000, 10 },
		{ "main", "Platforms", 5, 3 },
		{ "work", "INBOX", 42, 4294967295u },
		{ "main", "INBOX", 1700000000, 25 },	/* an update */
	};
	static const struct {
		const char	*account, *mailbox;
		gboolean	 found;
		guint32		 uidvalidity, last_uid;
	} gets[] = {
		{ "main", "INBOX", TRUE, 1700000000, 25 },
		{ "main", "Platforms", TRUE, 5, 3 },
		{ "work", "INBOX", TRUE, 42, 4294967295u },
		{ "work", "Platforms", FALSE, 0, 0 },
		{ "main", "inbox", FALSE, 0, 0 },
	};
	struct store		*st = open_store(*state);
	struct mailbox_state	 ms;
	GError			*e = NULL;
	gboolean		 found;
	gsize			 i;

	/* nothing yet: not found, and the outputs are 0 */
	memset(&ms, 0x55, sizeof ms);
	assert_true(store_mailbox_get(st, "main", "INBOX", FALSE, &found, &ms,
	    &e));
	assert_false(found);
	assert_int_equal(ms.uidvalidity, 0);
	assert_int_equal(ms.last_uid, 0);

	for (i = 0; i < G_N_ELEMENTS(sets); i++) {
		memset(&ms, 0, sizeof ms);
		ms.uidvalidity = sets[i].uidvalidity;
		ms.last_uid = sets[i].last_uid;
		ms.uidnext = sets[i].last_uid + 1;
		ms.messages = 7;
		ms.modseq = G_GUINT64_CONSTANT(1) << 40;
		ms.stuck_uid = sets[i].uidvalidity;
		ms.stuck_tries = 2;
		assert_true(store_mailbox_set(st, sets[i].account,
		    sets[i].mailbox, FALSE, &ms, &e));
		assert_no_error(e);
	}
	for (i = 0; i < G_N_ELEMENTS(gets); i++) {
		memset(&ms, 0x55, sizeof ms);
		assert_true(store_mailbox_get(st, gets[i].account,
		    gets[i].mailbox, FALSE, &found, &ms, &e));
		assert_no_error(e);
		if (found != gets[i].found || ms.uidvalidity !=
		    gets[i].uidvalidity || ms.last_uid != gets[i].last_uid)
			fail_msg("%s/%s: found %d, %u, %u", gets[i].account,
			    gets[i].mailbox, found, ms.uidvalidity,
			    ms.last_uid);
		if (found && ms.modseq != G_GUINT64_CONSTANT(1) << 40)
			fail_msg("modseq lost");
		if (found && (ms.stuck_uid != gets[i].uidvalidity ||
		    ms.stuck_tries != 2))
			fail_msg("stuck message lost");
	}
	/* the Drafts mailbox of an account is kept apart */
	assert_true(store_mailbox_get(st, "main", "INBOX", TRUE, &found, &ms,
	    &e));
	assert_false(found);
	store_close(st);

	/* and it was written to disk */
	st = open_store(*state);
	assert_true(store_mailbox_get(st, "main", "INBOX", FALSE, &found, &ms,
	    &e));
	assert_true(found);
	assert_int_equal(ms.last_uid, 25);
	store_close(st);
}

static void
test_events(void **state)
{
	struct store		*st = open_store(*state);
	struct event		 first = { EVENT_SCOUT, "crowdworks",
				    (char *)"418765432",
				    (char *)"株式会社サンプル商事",
				    (char *)"【GAS】集計",
				    (char *)"https://x/1" };
	struct event		 later = { EVENT_MESSAGE, "crowdworks",
				    (char *)"418765432", NULL,
				    (char *)"【GAS】集計 v2", NULL };
	struct event		 other = { EVENT_MESSAGE, "lancers",
				    (char *)"5561234", (char *)"テスト企画",
				    NULL, NULL };
	struct event		 nokey = { EVENT_PAYMENT, "lancers", NULL, NULL,
				    NULL, NULL };
	struct stored_event	 se;
	const struct thread	*t;
	const struct thread_event *te;
	GPtrArray		*a;

	se = stored("<a@x>", 2000, &first);
	add(st, &se, TRUE);
	/* the same mail again, from another mailbox: not added twice */
	se.mailbox = "Archive";
	se.uid = 99;
	add(st, &se, FALSE);
	/* a later mail lacking the client: the client stays */
	se = stored("<b@x>", 1000, &later);
	add(st, &se, TRUE);
	se = stored("<c@x>", 3000, &other);
	se.account = "work";
	add(st, &se, TRUE);
	/* no key: recorded, but no thread */
	se = stored("<d@x>", 4000, &nokey);
	add(st, &se, TRUE);
	add(st, &se, FALSE);

	a = threads(st, NULL);
	assert_int_equal(a->len, 2);
	/* sorted by id */
	t = a->pdata[0];
	assert_string_equal(t->id, "crowdworks/418765432");
	assert_string_equal(t->platform, "crowdworks");
	assert_string_equal(t->account, "main");
	assert_string_equal(t->client, "株式会社サンプル商事");
	assert_string_equal(t->title, "【GAS】集計 v2");
	assert_string_equal(t->url, "https://x/1");
	/* both events, in time order, the duplicate once */
	assert_int_equal(t->state.events->len, 2);
	te = &g_array_index(t->state.events, struct thread_event, 0);
	assert_int_equal(te->kind, EVENT_MESSAGE);
	assert_int_equal(te->time, 1000);
	te = &g_array_index(t->state.events, struct thread_event, 1);
	assert_int_equal(te->kind, EVENT_SCOUT);
	assert_int_equal(te->time, 2000);
	assert_int_equal(t->state.drafts->len, 0);
	t = a->pdata[1];
	assert_string_equal(t->id, "lancers/5561234");
	assert_string_equal(t->account, "work");
	assert_null(t->title);
	assert_null(t->url);
	assert_int_equal(t->state.events->len, 1);
	g_ptr_array_unref(a);

	/* one account only */
	a = threads(st, "work");
	assert_int_equal(a->len, 1);
	assert_string_equal(((struct thread *)a->pdata[0])->id,
	    "lancers/5561234");
	g_ptr_array_unref(a);
	a = threads(st, "nobody");
	assert_int_equal(a->len, 0);
	g_ptr_array_unref(a);
	store_close(st);
}

/* A draft record as sync makes it. */
static struct thread_draft
draft(const char *id, guint step, gint64 anchor, gint64 created)
{
	struct thread_draft d;

	memset(&d, 0, sizeof d);
	d.message_id = (char *)id;
	d.content_hash = (char *)"c0";
	d.raw_hash = (char *)"r0";
	d.step = step;
	d.anchor = anchor;
	d.state = DRAFT_PENDING;
	d.created = d.changed = created;
	return (d);
}

static void
test_drafts(void **state)
{
	struct store		*st = open_store(*state);
	struct event		 ev = { EVENT_MESSAGE, "crowdworks",
				    (char *)"63712345", NULL, NULL, NULL };
	struct stored_event	 se = stored("<m@x>", 1000, &ev);
	struct thread_draft	 one = draft("one@example.com", 1, 1000, 5000);
	struct thread_draft	 two = draft("two@example.com", 2, 1000, 7000);
	const struct thread	*t;
	const struct thread_draft *d;
	GPtrArray		*a;
	GError			*e = NULL;

	add(st, &se, TRUE);
	assert_true(store_draft_add(st, "crowdworks/63712345", &one, &e));
	assert_no_error(e);
	a = threads(st, NULL);
	t = a->pdata[0];
	assert_int_equal(t->state.drafts->len, 1);
	d = &g_array_index(t->state.drafts, struct thread_draft, 0);
	assert_string_equal(d->message_id, "one@example.com");
	assert_string_equal(d->content_hash, "c0");
	assert_string_equal(d->raw_hash, "r0");
	assert_int_equal(d->step, 1);
	assert_int_equal(d->anchor, 1000);
	assert_int_equal(d->created, 5000);
	assert_int_equal(d->state, DRAFT_PENDING);
	g_ptr_array_unref(a);

	/* the life cycle: live, then sent when it left Drafts */
	assert_true(store_draft_set_state(st, "one@example.com", DRAFT_LIVE,
	    5001, &e));
	assert_true(store_draft_set_state(st, "one@example.com", DRAFT_SENT,
	    6000, &e));
	assert_true(store_draft_add(st, "crowdworks/63712345", &two, &e));
	assert_no_error(e);
	a = threads(st, NULL);
	t = a->pdata[0];
	assert_int_equal(t->state.drafts->len, 2);
	d = &g_array_index(t->state.drafts, struct thread_draft, 0);
	assert_int_equal(d->state, DRAFT_SENT);
	assert_int_equal(d->changed, 6000);
	d = &g_array_index(t->state.drafts, struct thread_draft, 1);
	assert_int_equal(d->step, 2);
	assert_int_equal(d->state, DRAFT_PENDING);
	g_ptr_array_unref(a);

	/* recording a known draft again updates it, never duplicates it */
	two.state = DRAFT_LIVE;
	assert_true(store_draft_add(st, "crowdworks/63712345", &two, &e));
	assert_true(store_draft_forget(st, "one@example.com", &e));
	assert_no_error(e);
	a = threads(st, NULL);
	t = a->pdata[0];
	assert_int_equal(t->state.drafts->len, 1);
	assert_int_equal(g_array_index(t->state.drafts, struct thread_draft,
	    0).state, DRAFT_LIVE);
	g_ptr_array_unref(a);

	/* marks are kept in order with their days */
	assert_true(store_mark_add(st, "crowdworks/63712345", MARK_SNOOZE, 5,
	    8000, &e));
	assert_true(store_mark_add(st, "crowdworks/63712345", MARK_RESUME, 0,
	    9000, &e));
	assert_no_error(e);
	a = threads(st, NULL);
	t = a->pdata[0];
	assert_int_equal(t->state.marks->len, 2);
	assert_int_equal(g_array_index(t->state.marks, struct thread_mark,
	    0).kind, MARK_SNOOZE);
	assert_int_equal(g_array_index(t->state.marks, struct thread_mark,
	    0).days, 5);
	assert_int_equal(g_array_index(t->state.marks, struct thread_mark,
	    1).time, 9000);
	g_ptr_array_unref(a);
	assert_int_equal(store_thread_exists(st, "crowdworks/63712345", &e),
	    1);
	assert_int_equal(store_thread_exists(st, "crowdworks/0", &e), 0);

	/* a draft must belong to a known thread */
	assert_false(store_draft_add(st, "crowdworks/0", &one, &e));
	assert_non_null(e);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_PERM));
	g_clear_error(&e);
	store_close(st);
}

static void
test_transaction(void **state)
{
	struct store		*st = open_store(*state);
	struct event		 ev = { EVENT_MESSAGE, "lancers",
				    (char *)"1", NULL, NULL, NULL };
	struct stored_event	 se;
	GPtrArray		*a;
	GError			*e = NULL;

	/* rolled back: nothing lands */
	assert_true(store_begin(st, &e));
	se = stored("<r@x>", 1000, &ev);
	add(st, &se, TRUE);
	{
		struct mailbox_state ms = { 1, 5, 6, 5, 0 };

		assert_true(store_mailbox_set(st, "main", "INBOX", FALSE, &ms,
		    &e));
	}
	store_rollback(st);
	a = threads(st, NULL);
	assert_int_equal(a->len, 0);
	g_ptr_array_unref(a);

	/* committed: everything lands, and the mail is known */
	assert_true(store_begin(st, &e));
	add(st, &se, TRUE);
	assert_true(store_commit(st, &e));
	assert_no_error(e);
	add(st, &se, FALSE);
	a = threads(st, NULL);
	assert_int_equal(a->len, 1);
	g_ptr_array_unref(a);

	/* a rollback outside a transaction is harmless */
	store_rollback(st);
	store_close(st);
}

/* The ids of the threads, in order, with their event counts. */
static char *
thread_ids(struct store *st)
{
	GPtrArray	*a = threads(st, NULL);
	GString		*s = g_string_new(NULL);
	guint		 i;

	for (i = 0; i < a->len; i++)
		g_string_append_printf(s, "%s%s(%u)", i > 0 ? " " : "",
		    ((struct thread *)a->pdata[i])->id,
		    ((struct thread *)a->pdata[i])->state.events->len);
	g_ptr_array_unref(a);
	return (g_string_free(s, FALSE));
}

static void
assert_ids(struct store *st, const char *want)
{
	char	*ids = thread_ids(st);

	assert_string_equal(ids, want);
	g_free(ids);
}

/*
 * A CrowdWorks proposal that becomes a contract is one thread: same
 * client and job title, and the contract's id wins.
 */
static void
test_proposal_becomes_contract(void **state)
{
	struct store	*st = open_store(*state);
	GError		*e = NULL;
	int		 known;
#define EV(kind, key, title) { kind, "crowdworks", (char *)key,		\
	(char *)"株式会社サンプル商事", (char *)title, NULL }
	struct event	 scout = EV(EVENT_SCOUT, "418765432", "GAS"),
			 proposal = EV(EVENT_MESSAGE, "412345678", "GAS"),
			 escrow = EV(EVENT_ESCROW, "63712345", "GAS"),
			 later = EV(EVENT_MESSAGE, "418765432", "GAS"),
			 other = EV(EVENT_MESSAGE, "499999999", "LP"),
			 paid = EV(EVENT_PAYMENT, "63712345", "GAS"),
			 again = EV(EVENT_SCOUT, "420000000", "GAS");
	struct stored_event se;

	se = stored("<1@x>", 1000, &scout);
	add(st, &se, TRUE);
	se = stored("<2@x>", 1100, &proposal);
	add(st, &se, TRUE);
	se = stored("<3@x>", 1200, &other);
	add(st, &se, TRUE);
	assert_ids(st, "crowdworks/412345678(1) crowdworks/418765432(1) "
	    "crowdworks/499999999(1)");

	/* the escrow takes in both threads of that job, not the other job */
	se = stored("<4@x>", 2000, &escrow);
	add(st, &se, TRUE);
	assert_ids(st, "crowdworks/499999999(1) "
	    "crowdworks/63712345(3)");

	/* later mail naming the proposal goes to the contract */
	se = stored("<5@x>", 3000, &later);
	add(st, &se, TRUE);
	assert_ids(st, "crowdworks/499999999(1) "
	    "crowdworks/63712345(4)");
	/* the old id names the contract now (preview takes it) */
	{
		char *cur = store_thread_current(st, "crowdworks/418765432");

		assert_string_equal(cur, "crowdworks/63712345");
		g_free(cur);
		cur = store_thread_current(st, "crowdworks/499999999");
		assert_string_equal(cur, "crowdworks/499999999");
		g_free(cur);
	}
	/* the old id is no thread of its own: a mark goes to the contract,
	   as "renraku mark" finds it with store_thread_current() */
	known = store_thread_exists(st, "crowdworks/418765432", &e);
	assert_no_error(e);
	assert_int_equal(known, 0);
	assert_true(store_mark_add(st, "crowdworks/63712345", MARK_SENT, 0,
	    3100, &e));
	assert_no_error(e);
	{
		GPtrArray *a = threads(st, NULL);

		assert_int_equal(((struct thread *)a->pdata[1])->state.marks->len,
		    1);
		g_ptr_array_unref(a);
	}

	/* once paid, a new proposal of the same title is a new job */
	se = stored("<6@x>", 4000, &paid);
	add(st, &se, TRUE);
	se = stored("<7@x>", 5000, &again);
	add(st, &se, TRUE);
	assert_ids(st, "crowdworks/420000000(1) "
	    "crowdworks/499999999(1) crowdworks/63712345(5)");
#undef EV
	store_close(st);
}

/*
 * Mail that names only the client and the job (Lancers' comments) makes a
 * thread of those names; mail that also gives the platform's id takes it
 * in (events and drafts), and later mail of those names joins the id's
 * thread, even when the id came first.
 */
static void
test_named_thread(void **state)
{
	struct store		*st = open_store(*state);
	char			*nk = rules_name_key("株式会社ハナミズキ",
				    "社内報の制作"), *named, *cur, *want;
	struct event		 comment = { EVENT_MESSAGE, "lancers", NULL,
				    (char *)"株式会社ハナミズキ",
				    (char *)"社内報の制作", NULL, nk };
	struct event		 withid = { EVENT_MESSAGE, "lancers",
				    (char *)"5600123",
				    (char *)"株式会社ハナミズキ",
				    (char *)"社内報の制作",
				    (char *)"https://www.lancers.jp/work/detail/5600123",
				    nk };
	struct thread_draft	 d = draft("named@example.com", 1, 1000, 1500);
	struct stored_event	 se;
	GPtrArray		*a;
	GError			*e = NULL;

	/* the key is made of the names, NFKC and blanks aside */
	cur = rules_name_key(" 株式会社ハナミズキ", "社内報の制作 ");
	assert_string_equal(cur, nk);
	g_free(cur);
	cur = rules_name_key("ハナミズキ", "LP（～12/25）");
	want = rules_name_key("ハナミズキ", "LP（〜12/25）");
	assert_string_equal(cur, want);
	g_free(cur);
	g_free(want);
	cur = rules_name_key("株式会社ハナミズキ", "社内報の制作2");
	assert_string_not_equal(cur, nk);
	g_free(cur);
	assert_int_equal(strlen(nk), 9);
	assert_true(nk[0] == 'n');

	named = g_strdup_printf("lancers/%s", nk);
	se = stored("<n1@x>", 1000, &comment);
	add(st, &se, TRUE);
	want = g_strdup_printf("%s(1)", named);
	assert_ids(st, want);
	g_free(want);
	assert_true(store_draft_add(st, named, &d, &e));
	assert_no_error(e);

	se = stored("<n2@x>", 2000, &withid);
	add(st, &se, TRUE);
	assert_ids(st, "lancers/5600123(2)");
	cur = store_thread_current(st, named);
	assert_string_equal(cur, "lancers/5600123");
	g_free(cur);
	a = threads(st, NULL);
	assert_int_equal(((struct thread *)a->pdata[0])->state.drafts->len, 1);
	assert_string_equal(((struct thread *)a->pdata[0])->url,
	    "https://www.lancers.jp/work/detail/5600123");
	g_ptr_array_unref(a);

	se = stored("<n3@x>", 3000, &comment);
	add(st, &se, TRUE);
	assert_ids(st, "lancers/5600123(3)");

	/* the id first, then mail of the names: no thread of the names */
	withid.key = (char *)"5600999";
	withid.title = (char *)"別の案件";
	g_free(nk);
	nk = rules_name_key("株式会社ハナミズキ", "別の案件");
	withid.name_key = comment.name_key = nk;
	comment.title = (char *)"別の案件";
	se = stored("<n4@x>", 4000, &withid);
	add(st, &se, TRUE);
	se = stored("<n5@x>", 5000, &comment);
	add(st, &se, TRUE);
	assert_ids(st, "lancers/5600123(3) lancers/5600999(2)");
	g_free(named);
	g_free(nk);
	store_close(st);
}

/* A pass kept, read back, forgotten; the version moves with a mark. */
static void
test_pass(void **state)
{
	struct store	*st = open_store(*state);
	struct event	 a = { EVENT_MESSAGE, "lancers", (char *)"1",
			    (char *)"株式会社ハナミズキ", (char *)"社内報", NULL,
			    NULL };
	struct stored_event se;
	GError		*e = NULL;
	char		*stamp, *v1, *v2;
	gint64		 until;

	assert_true(store_pass_get(st, "main", &stamp, &until, &e));
	assert_null(stamp);
	assert_true(store_pass_set(st, "main", "abc", 42, &e));
	assert_true(store_pass_set(st, "main", "def", 43, &e));
	assert_true(store_pass_get(st, "main", &stamp, &until, &e));
	assert_string_equal(stamp, "def");
	assert_int_equal(until, 43);
	g_free(stamp);
	assert_true(store_pass_set(st, "main", NULL, 0, &e));
	assert_true(store_pass_get(st, "main", &stamp, &until, &e));
	assert_null(stamp);
	assert_no_error(e);

	se = stored("<a@x>", 1000, &a);
	add(st, &se, TRUE);
	v1 = store_version(st, &e);
	assert_true(store_mark_add(st, "lancers/1", MARK_SNOOZE, 3, 2000, &e));
	v2 = store_version(st, &e);
	assert_no_error(e);
	assert_string_not_equal(v1, v2);
	g_free(v1);
	g_free(v2);
	store_close(st);
}

/* The kinds of a thread's events, with their times: "message@1000 ...". */
static char *
event_list(const struct thread *t)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	for (i = 0; i < t->state.events->len; i++) {
		const struct thread_event *e = &g_array_index(t->state.events,
		    struct thread_event, i);

		g_string_append_printf(s, "%s%s@%" G_GINT64_FORMAT,
		    i > 0 ? " " : "", event_kind_name(e->kind), e->time);
	}
	return (g_string_free(s, FALSE));
}

/*
 * A client's mail that names no thread counts in the threads of its
 * client when one has that name, else in every thread of its platform
 * and account, as a mail renraku could not read; mail that is not the
 * client's, and other accounts', count nowhere.
 */
static void
test_loose(void **state)
{
	struct store	*st = open_store(*state);
	struct event	 a = { EVENT_MESSAGE, "lancers", (char *)"1",
			    (char *)"株式会社ハナミズキ", (char *)"社内報", NULL,
			    NULL };
	struct event	 b = { EVENT_MESSAGE, "lancers", (char *)"2",
			    (char *)"山本デザイン", (char *)"ロゴ", NULL, NULL };
	struct event	 c = { EVENT_MESSAGE, "crowdworks", (char *)"3",
			    (char *)"山本デザイン", (char *)"LP", NULL, NULL };
	struct event	 yamamoto = { EVENT_MESSAGE, "lancers", NULL,
			    (char *)"山本デザイン", NULL, NULL, NULL };
	struct event	 stranger = { EVENT_MESSAGE, "lancers", NULL,
			    (char *)"sakura_office", NULL, NULL, NULL };
	struct event	 noise = { EVENT_NOISE, "lancers", NULL, NULL, NULL,
			    NULL, NULL };
	struct stored_event se;
	GPtrArray	*th;
	char		*got;
	static const char *const want[] = {
		"message@1000 unknown@3000",			/* lancers/1 */
		"message@1000 unknown@2000 unknown@3000",	/* lancers/2 */
		"message@1000",					/* crowdworks/3 */
	};
	static const char *const ids[] = { "lancers/1", "lancers/2",
	    "crowdworks/3" };
	guint		 i, j;

	se = stored("<a@x>", 1000, &a);
	add(st, &se, TRUE);
	se = stored("<b@x>", 1000, &b);
	add(st, &se, TRUE);
	se = stored("<c@x>", 1000, &c);
	add(st, &se, TRUE);
	se = stored("<y@x>", 2000, &yamamoto);		/* lancers/2 only */
	add(st, &se, TRUE);
	se = stored("<s@x>", 3000, &stranger);		/* no such client */
	add(st, &se, TRUE);
	se = stored("<n@x>", 4000, &noise);		/* not the client's */
	add(st, &se, TRUE);
	se = stored("<o@x>", 500, &stranger);		/* before them all */
	add(st, &se, TRUE);
	se = stored("<w@x>", 5000, &stranger);		/* another account */
	se.account = "work";
	add(st, &se, TRUE);

	th = threads(st, "main");
	assert_int_equal(th->len, 3);
	for (i = 0; i < G_N_ELEMENTS(ids); i++) {
		for (j = 0; j < th->len; j++)
			if (strcmp(((struct thread *)th->pdata[j])->id,
			    ids[i]) == 0)
				break;
		assert_true(j < th->len);
		got = event_list(th->pdata[j]);
		if (strcmp(got, want[i]) != 0)
			fail_msg("%s: %s, wanted %s", ids[i], got, want[i]);
		g_free(got);
	}
	g_ptr_array_unref(th);
	store_close(st);
}

/*
 * A state database of schema 1 gains the alias table and the mailbox's
 * retry columns, one of schema 2 the columns; data kept; by store_open()
 * and by store_open_start().
 */
static void
test_old_schemas(void **state)
{
	struct store		*st;
	struct mailbox_state	 ms = { 7, 41, 42, 40, 0, 0, 0 };
	sqlite3			*db;
	char			*path, *sql;
	gboolean		 found;
	int			 v, old;

	path = g_build_filename(*state, "state.db", NULL);
	for (v = 1; v <= 6; v++) {
		old = (v - 1) % 3 + 1;
		unlink(path);
		st = open_store(*state);
		assert_true(store_mailbox_set(st, "main", "INBOX", FALSE, &ms,
		    NULL));
		store_close(st);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		sql = g_strdup_printf("DROP INDEX mark_thread; DROP INDEX "
		    "alias_thread; %s %s INSERT INTO thread VALUES "
		    "('lancers/1', 'lancers', '1', 'main', NULL, NULL, NULL); "
		    "PRAGMA user_version = %d", old == 1 ? "DROP TABLE alias;" :
		    "", old == 3 ? "" : "DROP INDEX thread_names; "
		    "ALTER TABLE draft DROP COLUMN inputs_hash; "
		    "ALTER TABLE event DROP COLUMN client; DROP TABLE pass; "
		    "ALTER TABLE mailbox DROP COLUMN "
		    "stuck_uid; ALTER TABLE mailbox DROP COLUMN stuck_tries;",
		    old);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		g_free(sql);
		sqlite3_close(db);
		/* 4 to 6: the same, upgraded in store_open_start()'s thread */
		st = v > 3 ? open_store_started(*state) : open_store(*state);
		assert_int_equal(user_version(*state), 4);
		assert_ids(st, "lancers/1(0)");
		memset(&ms, 0xff, sizeof ms);
		assert_true(store_mailbox_get(st, "main", "INBOX", FALSE,
		    &found, &ms, NULL));
		assert_true(found);
		assert_int_equal(ms.last_uid, 41);
		assert_int_equal(ms.stuck_uid, 0);
		assert_int_equal(ms.stuck_tries, 0);
		store_close(st);
		assert_merge_indexed(path);
	}
	g_free(path);
}

#define TMP_TEST(f)	cmocka_unit_test_setup_teardown(f,		\
			    unit_setup_tmpdir, unit_teardown_tmpdir)

UNIT_MAIN(
	TMP_TEST(test_open),
	TMP_TEST(test_newer_schema),
	TMP_TEST(test_not_a_database),
	TMP_TEST(test_open_started),
	TMP_TEST(test_unsafe_places),
	TMP_TEST(test_mailbox),
	TMP_TEST(test_events),
	TMP_TEST(test_proposal_becomes_contract),
	TMP_TEST(test_named_thread),
	TMP_TEST(test_loose),
	TMP_TEST(test_pass),
	TMP_TEST(test_old_schemas),
	TMP_TEST(test_drafts),
	TMP_TEST(test_transaction),
)
