/*
 * test-drafts.c: the Drafts reconciler (drafts.c) through a Drafts
 * mailbox in memory, so that every step of a draft's life is checked
 * without a server: made, left alone, refreshed, sent, edited in place or
 * replaced, taken back, adopted after a run that died, finished after a
 * take-back that was cut short, and a dry run that changes nothing.
 *
 * One CrowdWorks contract: 仮払い Tue 10/27, the client's last message Fri
 * 10/30 18:00; follow-up 1 falls due Thu 11/5 (11/3 is a holiday).
 */
#include "unit.h"

#include "draft.h"
#include "drafts.h"
#include "error.h"
#include "mail.h"
#include "notify.h"
#include "template.h"

#define THREAD	"crowdworks/63712345"

/* One message of the mailbox in memory. */
struct msg {
	guint32	 uid;
	char	*raw;
	gboolean deleted;	/* flagged, not yet expunged */
};

/* A Drafts mailbox in memory, counting what was asked of it. */
struct membox {
	GPtrArray	*msgs;		/* of struct msg */
	guint32		 uidnext;
	guint64		 modseq;
	guint		 searches, appends, removes;
	guint		 batches;	/* calls of append */
	int		 fail_after;	/* append refuses the message after
					   this many (-1: never) */
	gboolean	 missing;	/* no Drafts mailbox at all */
};

static void
msg_free(struct msg *m)
{
	g_free(m->raw);
	g_free(m);
}

/* The value of header 'name' of 'raw' (unfolded), or NULL; allocated. */
static char *
header(const char *raw, const char *name)
{
	char	**lines, *head, *v = NULL;
	gsize	  i, n = strlen(name);
	const char *end = strstr(raw, "\r\n\r\n");

	head = g_strndup(raw, end != NULL ? (gsize)(end - raw) : strlen(raw));
	lines = g_strsplit(head, "\r\n", -1);
	for (i = 0; lines[i] != NULL && v == NULL; i++)
		if (g_ascii_strncasecmp(lines[i], name, n) == 0 &&
		    lines[i][n] == ':')
			v = g_strstrip(g_strdup(lines[i] + n + 1));
	g_strfreev(lines);
	g_free(head);
	return (v);
}

static char *
mem_name(void *ctx, GError **err)
{
	return (g_strdup("Drafts"));
}

static gboolean
mem_status(void *ctx, const char *mailbox, struct mailbox_state *ms,
    GError **err)
{
	struct membox *b = ctx;

	ms->uidvalidity = 1;
	ms->uidnext = b->uidnext;
	ms->messages = b->msgs->len;
	ms->modseq = b->modseq;
	return (TRUE);
}

static gboolean
mem_open(void *ctx, const char *mailbox, guint *messages, GError **err)
{
	*messages = ((struct membox *)ctx)->msgs->len;
	if (((struct membox *)ctx)->missing) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    "mailbox '%s' cannot be opened", mailbox);
		return (FALSE);
	}
	return (strcmp(mailbox, "Drafts") == 0);
}

static GArray *
mem_search(void *ctx, const char *const *pairs, gboolean undeleted,
    GError **err)
{
	struct membox	*b = ctx;
	GArray		*out = g_array_new(FALSE, FALSE, sizeof(guint32));
	guint		 i, j;

	b->searches++;
	for (i = 0; i < b->msgs->len; i++) {
		struct msg	*m = b->msgs->pdata[i];
		gboolean	 all = !(undeleted && m->deleted);

		for (j = 0; all && pairs[j] != NULL; j += 2) {
			char *v = *pairs[j] == '\0' ? g_strdup(strstr(m->raw,
			    "\r\n\r\n")) : header(m->raw, pairs[j]);

			all = v != NULL && strstr(v, pairs[j + 1]) != NULL;
			g_free(v);
		}
		if (all)
			g_array_append_val(out, m->uid);
	}
	return (out);
}

static struct msg *
find(struct membox *b, guint32 uid)
{
	guint	i;

	for (i = 0; i < b->msgs->len; i++)
		if (((struct msg *)b->msgs->pdata[i])->uid == uid)
			return (b->msgs->pdata[i]);
	return (NULL);
}

static char *
mem_hash(void *ctx, guint32 uid, char **message_id, GError **err)
{
	struct msg	*m = find(ctx, uid);
	char		*id;

	if (m == NULL) {
		g_set_error(err, 1, 1, "no UID %u", uid);
		return (NULL);
	}
	if (message_id != NULL) {
		id = header(m->raw, "Message-ID");
		*message_id = id != NULL ? g_strndup(id + 1, strlen(id) - 2) :
		    NULL;
		g_free(id);
	}
	return (g_compute_checksum_for_string(G_CHECKSUM_SHA256, m->raw, -1));
}

/* Put 'raw' in the mailbox; its UID. */
static guint32
put(struct membox *b, const char *raw)
{
	struct msg *m = g_new0(struct msg, 1);

	m->uid = b->uidnext++;
	m->raw = g_strdup(raw);
	g_ptr_array_add(b->msgs, m);
	b->modseq++;
	return (m->uid);
}

/* In order, all of them, unless told to fail after some. */
static gboolean
mem_append(void *ctx, const char *mailbox, const struct imap_message *msgs,
    guint n, guint *done, GError **err)
{
	struct membox	*b = ctx;

	b->batches++;
	for (*done = 0; *done < n; (*done)++) {
		if (b->fail_after >= 0 && b->appends >= (guint)b->fail_after) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
			    "APPEND refused");
			return (FALSE);
		}
		b->appends++;
		assert_int_equal(strlen(msgs[*done].data), msgs[*done].len);
		put(b, msgs[*done].data);
	}
	return (TRUE);
}

/* Take the message away (flagged \Deleted, then expunged). */
static gboolean
mem_remove(void *ctx, guint32 uid, GError **err)
{
	struct membox	*b = ctx;
	struct msg	*m = find(b, uid);

	b->removes++;
	if (m != NULL)
		g_ptr_array_remove(b->msgs, m);
	b->modseq++;
	return (TRUE);
}

/* Everything a run needs, in a directory of its own. */
struct fix {
	char			*dir;
	struct config		*cfg;
	struct rules		*rules;
	char			*rules_dir, *templates_dir;
	const char		*rdirs[2], *tdirs[2];
	struct bizcal		 cal;
	struct run		 r;
	struct store		*st;
	struct membox		 mem;
	struct drafts_box	 box;
	GPtrArray		*created;
	int			 n;		/* mails added */
};

static int
setup(void **state)
{
	struct fix	*f = g_new0(struct fix, 1);
	GError		*e = NULL;
	char		*path, *text;

	f->dir = unit_tmpdir();
	path = g_build_filename(f->dir, "config", NULL);
	text = g_strdup_printf("[general]\nyour_name = 山田 花子\n"
	    "state_dir = %s/state\n[account main]\nhost = imap.example.com\n"
	    "user = hanako@example.com\npassword_command = true\n", f->dir);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_chmod(path, 0600);
	f->cfg = config_load(path, &e);
	assert_no_error(e);
	g_free(text);
	g_free(path);
	f->rules_dir = unit_path("platforms");
	f->templates_dir = unit_path("templates");
	f->rdirs[0] = f->rules_dir;
	f->tdirs[0] = f->templates_dir;
	f->rules = rules_load(f->rdirs, &e);
	assert_no_error(e);
	bizcal_init_default(&f->cal);
	f->r.cfg = f->cfg;
	f->r.rules = f->rules;
	f->r.rules_dirs = f->rdirs;
	f->r.template_dirs = f->tdirs;
	f->r.cal = &f->cal;
	f->st = store_open(f->cfg->state_dir, &e);
	assert_no_error(e);
	f->mem.msgs = g_ptr_array_new_with_free_func((GDestroyNotify)msg_free);
	f->mem.uidnext = 1;
	f->mem.fail_after = -1;
	f->box.ctx = &f->mem;
	f->box.name = mem_name;
	f->box.status = mem_status;
	f->box.open = mem_open;
	f->box.search = mem_search;
	f->box.hash = mem_hash;
	f->box.append = mem_append;
	f->box.remove = mem_remove;
	f->created = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)created_free);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	store_close(f->st);
	rules_free(f->rules);
	config_free(f->cfg);
	bizcal_clear(&f->cal);
	g_ptr_array_unref(f->mem.msgs);
	g_ptr_array_unref(f->created);
	if (f->r.now != NULL)
		g_date_time_unref(f->r.now);
	g_free(f->rules_dir);
	g_free(f->templates_dir);
	unit_rmtree(f->dir);
	g_free(f->dir);
	g_free(f);
	return (0);
}

/* Unix time of 2026-'m'-'d' 'h':00 in Japan. */
static gint64
jst(int m, int d, int h)
{
	GTimeZone	*tz = g_time_zone_new_offset(9 * 3600);
	GDateTime	*t = g_date_time_new(tz, 2026, m, d, h, 0, 0);
	gint64		 u = g_date_time_to_unix(t);

	g_date_time_unref(t);
	g_time_zone_unref(tz);
	return (u);
}

/* A platform mail of contract 'job', of 'kind', at 'when'. */
static void
event_of(struct fix *f, const char *job, enum event_kind kind, gint64 when)
{
	char			*url = g_strconcat(
				    "https://crowdworks.jp/contracts/", job,
				    NULL);
	struct event		 ev = { kind, "crowdworks", (char *)job,
				    (char *)"株式会社サンプル商事",
				    (char *)"LP制作", url, NULL };
	struct stored_event	 se;
	char			*id = g_strdup_printf("<m%d@crowdworks.jp>",
				    ++f->n);
	gboolean		 added;
	GError			*e = NULL;

	memset(&se, 0, sizeof se);
	se.mail_id = id;
	se.account = "main";
	se.mailbox = "INBOX";
	se.uid = (guint32)f->n;
	se.time = when;
	se.subject = "subject";
	se.ev = &ev;
	assert_true(store_add_event(f->st, &se, &added, &e));
	assert_no_error(e);
	g_free(id);
	g_free(url);
}

/* A platform mail of the contract of the file's comment. */
static void
event(struct fix *f, enum event_kind kind, gint64 when)
{
	event_of(f, "63712345", kind, when);
}

/* The contract of the file's comment, silent since Fri 10/30. */
static void
silent_client(struct fix *f)
{
	event(f, EVENT_ESCROW, jst(10, 27, 9));
	event(f, EVENT_MESSAGE, jst(10, 30, 18));
}

/* One run of the reconciler at 'm'/'d' 10:00 in Japan. */
static void
run_at(struct fix *f, int m, int d)
{
	GError	*e = NULL;

	if (f->r.now != NULL)
		g_date_time_unref(f->r.now);
	f->r.now = g_date_time_new_from_unix_utc(jst(m, d, 10));
	g_ptr_array_set_size(f->created, 0);
	if (!drafts_update(&f->r, f->st, &f->box,
	    f->cfg->accounts->pdata[0], f->created, &e))
		fail_msg("drafts_update: %s", e->message);
}

/* The states of the thread's drafts, oldest first: "live sent ...". */
static char *
states(struct fix *f)
{
	GPtrArray	*a;
	GString		*s = g_string_new(NULL);
	GError		*e = NULL;
	guint		 i, j;

	a = store_threads(f->st, NULL, &e);
	assert_no_error(e);
	for (i = 0; i < a->len; i++) {
		const struct thread *t = a->pdata[i];

		for (j = 0; j < t->state.drafts->len; j++)
			g_string_append_printf(s, "%s%s:%u", s->len > 0 ?
			    " " : "", draft_state_name(g_array_index(
			    t->state.drafts, struct thread_draft, j).state),
			    g_array_index(t->state.drafts,
			    struct thread_draft, j).step);
	}
	g_ptr_array_unref(a);
	return (g_string_free(s, FALSE));
}

#define assert_states(f, want) do {					\
	char *got_ = states(f);						\
									\
	assert_string_equal(got_, (want));				\
	g_free(got_);							\
} while (0)

/* The only message in Drafts. */
static struct msg *
only(struct fix *f)
{
	assert_int_equal(f->mem.msgs->len, 1);
	return (f->mem.msgs->pdata[0]);
}

/* The user edits the draft in place: a line more. */
static void
user_edits(struct msg *m)
{
	char *was = m->raw;

	m->raw = g_strconcat(was, "追記\r\n", NULL);
	g_free(was);
}

/* The user sends the draft: it leaves Drafts. */
static void
user_sends(struct fix *f)
{
	g_ptr_array_set_size(f->mem.msgs, 0);
	f->mem.modseq++;
}

/* Follow-up 1 is made on the day it falls due, once, and told of. */
static void
test_create(void **state)
{
	struct fix	*f = *state;
	struct msg	*m;
	char		*v;

	silent_client(f);
	run_at(f, 11, 4);
	assert_int_equal(f->mem.msgs->len, 0);
	assert_states(f, "");
	run_at(f, 11, 5);
	m = only(f);
	v = header(m->raw, "X-Renraku-Thread");
	assert_string_equal(v, THREAD);
	g_free(v);
	v = header(m->raw, "X-Renraku-Step");
	assert_string_equal(v, "1");
	g_free(v);
	assert_states(f, "live:1");
	assert_int_equal(f->created->len, 1);
}

/* The same day again: Drafts unchanged, not even searched. */
static void
test_idempotent(void **state)
{
	struct fix	*f = *state;
	char		*before;

	silent_client(f);
	run_at(f, 11, 5);
	before = g_strdup(only(f)->raw);
	f->mem.searches = f->mem.appends = f->mem.removes = 0;
	run_at(f, 11, 5);
	assert_string_equal(only(f)->raw, before);
	assert_int_equal(f->mem.appends + f->mem.removes + f->mem.searches,
	    0);
	assert_int_equal(f->created->len, 0);
	assert_states(f, "live:1");
	g_free(before);
}

/* A day later its facts changed: replaced, and that is no news. */
static void
test_refresh(void **state)
{
	struct fix	*f = *state;
	guint32		 uid;

	silent_client(f);
	run_at(f, 11, 5);
	uid = only(f)->uid;
	run_at(f, 11, 6);
	assert_true(only(f)->uid != uid);
	assert_int_equal(f->mem.removes, 1);
	assert_int_equal(f->created->len, 0);
	assert_states(f, "removed:1 live:1");
}

/* Sent (it left Drafts): follow-up 2 three business days later. */
static void
test_sent_then_step2(void **state)
{
	struct fix	*f = *state;
	char		*v;

	silent_client(f);
	run_at(f, 11, 5);
	user_sends(f);
	run_at(f, 11, 6);
	assert_states(f, "sent:1");
	assert_int_equal(f->mem.msgs->len, 0);
	run_at(f, 11, 10);
	assert_int_equal(f->mem.msgs->len, 0);
	run_at(f, 11, 11);
	v = header(only(f)->raw, "X-Renraku-Step");
	assert_string_equal(v, "2");
	g_free(v);
	assert_states(f, "sent:1 live:2");
	assert_int_equal(f->created->len, 1);
}

/* Edited in place (same Message-ID, other bytes): the user's now; kept
 * even when the client answers. */
static void
test_edited_in_place(void **state)
{
	struct fix	*f = *state;
	struct msg	*m;

	silent_client(f);
	run_at(f, 11, 5);
	m = only(f);
	user_edits(m);
	f->mem.modseq++;
	run_at(f, 11, 6);
	assert_states(f, "edited:1");
	event(f, EVENT_MESSAGE, jst(11, 6, 12));
	run_at(f, 11, 9);
	assert_int_equal(f->mem.msgs->len, 1);
	assert_int_equal(f->mem.removes, 0);
	assert_states(f, "edited:1");
}

/* Replaced by a copy that kept our X-Renraku-Thread (a client that saves
 * drafts anew): edited, not sent, and no step 2 beside it. */
static void
test_replaced_copy(void **state)
{
	struct fix	*f = *state;
	char		*copy, *at;

	silent_client(f);
	run_at(f, 11, 5);
	copy = g_strdup(only(f)->raw);
	at = strstr(copy, "Message-Id: <renraku.");
	assert_non_null(at);
	at[strlen("Message-Id: <")] = 'R';
	user_sends(f);
	put(&f->mem, copy);
	run_at(f, 11, 6);
	assert_states(f, "edited:1");
	run_at(f, 11, 12);
	assert_int_equal(f->mem.msgs->len, 1);
	assert_states(f, "edited:1");
	g_free(copy);
}

/* The client answers: the untouched draft is taken back. */
static void
test_answered(void **state)
{
	struct fix *f = *state;

	silent_client(f);
	run_at(f, 11, 5);
	event(f, EVENT_MESSAGE, jst(11, 5, 15));
	run_at(f, 11, 6);
	assert_int_equal(f->mem.msgs->len, 0);
	assert_states(f, "removed:1");
}

/* Contract paid: the draft is taken back, nothing more is made. */
static void
test_closed(void **state)
{
	struct fix *f = *state;

	silent_client(f);
	run_at(f, 11, 5);
	event(f, EVENT_PAYMENT, jst(11, 5, 15));
	run_at(f, 11, 6);
	run_at(f, 11, 20);
	assert_int_equal(f->mem.msgs->len, 0);
	assert_states(f, "removed:1");
}

/* A run died between APPEND and recording it (or the state was lost):
 * the draft in Drafts is adopted, not made twice. */
static void
test_adopt(void **state)
{
	struct fix	*f = *state;
	GPtrArray	*a;
	GError		*e = NULL;

	silent_client(f);
	run_at(f, 11, 5);
	a = store_threads(f->st, NULL, &e);
	assert_true(store_draft_forget(f->st, g_array_index(((struct thread *)
	    a->pdata[0])->state.drafts, struct thread_draft, 0).message_id,
	    &e));
	g_ptr_array_unref(a);
	assert_states(f, "");
	f->mem.appends = 0;
	run_at(f, 11, 5);
	assert_int_equal(f->mem.appends, 0);
	assert_int_equal(f->mem.msgs->len, 1);
	assert_states(f, "live:1");
}

/* Recorded pending, but the run died before APPEND: forgotten, and the
 * draft made anew. */
static void
test_pending_lost(void **state)
{
	struct fix		*f = *state;
	struct thread_draft	 d;
	GError			*e = NULL;

	silent_client(f);
	memset(&d, 0, sizeof d);
	d.message_id = (char *)"renraku.lost@example.com";
	d.content_hash = d.raw_hash = (char *)"x";
	d.step = 1;
	d.anchor = jst(10, 30, 18);
	d.state = DRAFT_PENDING;
	d.created = d.changed = jst(11, 5, 9);
	assert_true(store_draft_add(f->st, THREAD, &d, &e));
	run_at(f, 11, 5);
	assert_int_equal(f->mem.msgs->len, 1);
	assert_states(f, "live:1");
}

/*
 * Three drafts due at once go to Drafts in one batch.  When the server
 * takes the first and refuses the next, the first is live and the others
 * stay pending; the next run finds them absent, and makes them: each
 * once.
 */
static void
test_batch(void **state)
{
	struct fix	*f = *state;
	static const char *const jobs[] = { "63712345", "63712346",
			    "63712347" };
	GError		*e = NULL;
	guint		 i;

	for (i = 0; i < G_N_ELEMENTS(jobs); i++) {
		event_of(f, jobs[i], EVENT_ESCROW, jst(10, 27, 9));
		event_of(f, jobs[i], EVENT_MESSAGE, jst(10, 30, 18));
	}
	f->mem.fail_after = 1;
	f->r.now = g_date_time_new_from_unix_utc(jst(11, 5, 10));
	assert_false(drafts_update(&f->r, f->st, &f->box,
	    f->cfg->accounts->pdata[0], f->created, &e));
	assert_non_null(strstr(e->message, "APPEND refused"));
	g_clear_error(&e);
	assert_int_equal(f->mem.batches, 1);
	assert_int_equal(f->mem.msgs->len, 1);
	assert_states(f, "live:1 pending:1 pending:1");
	/* only the one appended is told of */
	assert_int_equal(f->created->len, 1);

	f->mem.fail_after = -1;
	f->mem.batches = f->mem.appends = 0;
	f->mem.modseq++;
	run_at(f, 11, 5);
	assert_int_equal(f->mem.batches, 1);
	assert_int_equal(f->mem.appends, 2);
	assert_int_equal(f->mem.msgs->len, 3);
	assert_states(f, "live:1 live:1 live:1");
	assert_int_equal(f->created->len, 2);
}

/* Recorded pending, APPENDed, then the run died: live, not made twice. */
static void
test_pending_arrived(void **state)
{
	struct fix		*f = *state;
	struct thread_draft	*d;
	GPtrArray		*a;
	GError			*e = NULL;

	silent_client(f);
	run_at(f, 11, 5);
	a = store_threads(f->st, NULL, &e);
	d = &g_array_index(((struct thread *)a->pdata[0])->state.drafts,
	    struct thread_draft, 0);
	assert_true(store_draft_set_state(f->st, d->message_id, DRAFT_PENDING,
	    d->changed, &e));
	g_ptr_array_unref(a);
	f->mem.appends = 0;
	f->mem.modseq++;
	run_at(f, 11, 5);
	assert_int_equal(f->mem.appends, 0);
	assert_int_equal(f->mem.msgs->len, 1);
	assert_states(f, "live:1");
}

/* A take-back cut short (recorded removing, still in Drafts): finished;
 * but if the user changed it meanwhile, it is theirs and stays. */
static void
test_removing(void **state)
{
	struct fix		*f = *state;
	struct thread_draft	*d;
	GPtrArray		*a;
	GError			*e = NULL;
	int			 edit;

	for (edit = 0; edit < 2; edit++) {
		if (edit) {
			teardown(state);
			setup(state);
			f = *state;
		}
		silent_client(f);
		run_at(f, 11, 5);
		a = store_threads(f->st, NULL, &e);
		d = &g_array_index(((struct thread *)a->pdata[0])->state.drafts,
		    struct thread_draft, 0);
		assert_true(store_draft_set_state(f->st, d->message_id,
		    DRAFT_REMOVING, d->changed, &e));
		g_ptr_array_unref(a);
		if (edit) {
			struct msg *m = only(f);

			user_edits(m);
		}
		f->mem.modseq++;
		event(f, EVENT_MESSAGE, jst(11, 5, 15));
		run_at(f, 11, 6);
		assert_int_equal(f->mem.msgs->len, edit ? 1 : 0);
		assert_states(f, edit ? "edited:1" : "removed:1");
	}
}

/* The IMAP box's dry run: appends and removes are asked, not made. */
static gboolean
dry_append(void *ctx, const char *mailbox, const struct imap_message *msgs,
    guint n, guint *done, GError **err)
{
	((struct membox *)ctx)->appends += n;
	*done = n;
	return (TRUE);
}

static gboolean
dry_remove(void *ctx, guint32 uid, GError **err)
{
	((struct membox *)ctx)->removes++;
	return (TRUE);
}

/* A dry run (inside a transaction the caller undoes, as sync does):
 * Drafts and the store as they were. */
static void
test_dry_run(void **state)
{
	struct fix	*f = *state;
	GError		*e = NULL;
	char		*before;

	silent_client(f);
	run_at(f, 11, 5);
	before = g_strdup(only(f)->raw);
	event(f, EVENT_MESSAGE, jst(11, 5, 15));
	f->r.dry_run = TRUE;
	f->box.append = dry_append;
	f->box.remove = dry_remove;
	f->mem.removes = 0;
	assert_true(store_begin(f->st, &e));
	run_at(f, 11, 6);
	store_rollback(f->st);
	assert_int_equal(f->mem.removes, 1);	/* it would take it back */
	assert_string_equal(only(f)->raw, before);
	assert_states(f, "live:1");
	g_free(before);
}

/* A client saved the draft again without our headers and with a new
 * Message-ID, the note (with its mark) kept: edited, not sent, and no
 * step 2 beside it. */
static void
test_resaved_without_headers(void **state)
{
	struct fix	*f = *state;
	char		*copy;

	silent_client(f);
	run_at(f, 11, 5);
	copy = g_strdup_printf("From: hanako@example.com\r\n"
	    "Subject: =?UTF-8?B?5rOo5paH?=\r\nMessage-ID: <webmail.1@x>\r\n"
	    "\r\n株式会社サンプル商事様\r\n(edited)\r\n" DRAFT_MARK_FORMAT,
	    THREAD);
	user_sends(f);
	put(&f->mem, copy);
	run_at(f, 11, 6);
	assert_states(f, "edited:1");
	run_at(f, 11, 12);
	assert_int_equal(f->mem.msgs->len, 1);
	assert_int_equal(f->mem.appends, 1);
	assert_states(f, "edited:1");
	g_free(copy);
}

/* The user flagged the draft \Deleted and did not expunge it: gone (the
 * step was made), never deleted again nor made anew. */
static void
test_flagged_deleted(void **state)
{
	struct fix *f = *state;

	silent_client(f);
	run_at(f, 11, 5);
	only(f)->deleted = TRUE;
	f->mem.modseq++;
	f->mem.appends = f->mem.removes = 0;
	run_at(f, 11, 6);
	run_at(f, 11, 9);
	assert_states(f, "sent:1");
	assert_int_equal(f->mem.appends + f->mem.removes, 0);
	assert_true(only(f)->deleted);
}

/* A dry run with no Drafts mailbox fails as the real run would. */
static void
test_dry_run_no_drafts(void **state)
{
	struct fix	*f = *state;
	GError		*e = NULL;

	silent_client(f);
	f->mem.missing = TRUE;
	f->r.dry_run = TRUE;
	f->r.now = g_date_time_new_from_unix_utc(jst(11, 5, 10));
	assert_true(store_begin(f->st, &e));
	assert_false(drafts_update(&f->r, f->st, &f->box,
	    f->cfg->accounts->pdata[0], f->created, &e));
	store_rollback(f->st);
	assert_true(g_error_matches(e, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG));
	g_error_free(e);
}

/* A broken template of the user's stops that draft with its file and
 * line named, and nothing is appended. */
static void
test_bad_template(void **state)
{
	struct fix	*f = *state;
	GError		*e = NULL;
	char		*dir = g_build_filename(f->dir, "tmpl", NULL);
	char		*path = g_build_filename(dir, "followup-1.txt", NULL);

	g_mkdir(dir, 0700);
	assert_true(g_file_set_contents(path, "Subject: x\n\n{{clinet}}\n",
	    -1, NULL));
	f->tdirs[0] = dir;
	silent_client(f);
	f->r.now = g_date_time_new_from_unix_utc(jst(11, 5, 10));
	assert_false(drafts_update(&f->r, f->st, &f->box,
	    f->cfg->accounts->pdata[0], f->created, &e));
	assert_non_null(e);
	assert_contains(e->message, THREAD ": no draft made: ");
	assert_contains(e->message, "followup-1.txt:3: unknown placeholder");
	assert_int_equal(f->mem.msgs->len, 0);
	g_error_free(e);
	f->tdirs[0] = f->templates_dir;
	g_free(path);
	g_free(dir);
}

/*
 * A run loads each template once: three drafts of one step come from one
 * reading of followup-1.txt, kept in the run's table, and a fourth made
 * later in the same run does not read the file again (gone by then, it
 * is not missed).  A run without the table reads it at each use, and
 * finds it gone.
 */
static void
test_template_once(void **state)
{
	struct fix	*f = *state;
	GHashTable	*cache = g_hash_table_new_full(g_str_hash, g_str_equal,
			    g_free, (GDestroyNotify)template_free);
	static const char *const jobs[] = { "63712345", "63712346",
			    "63712347", "63712348", "63712349" };
	char		*dir = g_build_filename(f->dir, "tmpl", NULL);
	char		*path = g_build_filename(dir, "followup-1.txt", NULL);
	char		*from = g_build_filename(f->templates_dir,
			    "followup-1.txt", NULL);
	char		*text;
	GError		*e = NULL;
	guint		 i;

	g_mkdir(dir, 0700);
	assert_true(g_file_get_contents(from, &text, NULL, NULL));
	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(text);
	f->tdirs[0] = dir;
	f->r.templates = cache;
	for (i = 0; i < 3; i++) {
		event_of(f, jobs[i], EVENT_ESCROW, jst(10, 27, 9));
		event_of(f, jobs[i], EVENT_MESSAGE, jst(10, 30, 18));
	}
	run_at(f, 11, 5);
	assert_int_equal(f->mem.msgs->len, 3);
	assert_int_equal(g_hash_table_size(cache), 1);

	assert_int_equal(g_unlink(path), 0);
	event_of(f, jobs[3], EVENT_ESCROW, jst(10, 27, 9));
	event_of(f, jobs[3], EVENT_MESSAGE, jst(10, 30, 18));
	run_at(f, 11, 5);
	assert_int_equal(f->mem.msgs->len, 4);

	f->r.templates = NULL;
	event_of(f, jobs[4], EVENT_ESCROW, jst(10, 27, 9));
	event_of(f, jobs[4], EVENT_MESSAGE, jst(10, 30, 18));
	assert_false(drafts_update(&f->r, f->st, &f->box,
	    f->cfg->accounts->pdata[0], f->created, &e));
	assert_contains(e->message, "template followup-1.txt not found");
	assert_int_equal(f->mem.msgs->len, 4);
	g_error_free(e);
	f->tdirs[0] = f->templates_dir;
	g_hash_table_destroy(cache);
	g_free(from);
	g_free(path);
	g_free(dir);
}

static int
group_setup(void **state)
{
	mail_init();
	return (0);
}

UNIT_MAIN_GROUP(group_setup, NULL,
	cmocka_unit_test_setup_teardown(test_create, setup, teardown),
	cmocka_unit_test_setup_teardown(test_idempotent, setup, teardown),
	cmocka_unit_test_setup_teardown(test_refresh, setup, teardown),
	cmocka_unit_test_setup_teardown(test_sent_then_step2, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_edited_in_place, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_replaced_copy, setup, teardown),
	cmocka_unit_test_setup_teardown(test_answered, setup, teardown),
	cmocka_unit_test_setup_teardown(test_closed, setup, teardown),
	cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
	cmocka_unit_test_setup_teardown(test_pending_lost, setup, teardown),
	cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
	cmocka_unit_test_setup_teardown(test_template_once, setup, teardown),
	cmocka_unit_test_setup_teardown(test_pending_arrived, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_removing, setup, teardown),
	cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
	cmocka_unit_test_setup_teardown(test_bad_template, setup, teardown),
	cmocka_unit_test_setup_teardown(test_resaved_without_headers, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_flagged_deleted, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_dry_run_no_drafts, setup,
	    teardown),
)
