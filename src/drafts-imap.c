/*
 * drafts-imap.c: the Drafts mailbox of drafts.h over imap.c, and its dry
 * run, which reads but never writes.
 */
#include <glib/gi18n.h>

#include "drafts.h"

#include <string.h>

#include "error.h"
#include "imap.h"
#include "mail.h"

struct imap_box {
	struct imap		*s;
	const struct account	*acct;
	gboolean		 dry_run;
};

/* Whether mailbox 'name' is called drafts: its last part "Drafts",
 * "Draft" or "下書き" (INBOX.Drafts, [Gmail]/下書き). */
static gboolean
named_drafts(const char *name)
{
	static const char *const words[] = { "drafts", "draft", "下書き",
	    NULL };
	const char	*last = name + strlen(name);
	gsize		 i;

	while (last > name && last[-1] != '/' && last[-1] != '.')
		last--;
	for (i = 0; words[i] != NULL; i++)
		if (g_ascii_strcasecmp(last, words[i]) == 0)
			return (TRUE);
	return (FALSE);
}

char *
drafts_find(struct imap *s, const char *host, GError **err)
{
	GPtrArray	*names;
	char		*drafts = NULL;
	const char	*guess = NULL;
	guint		 i;

	if ((names = imap_list(s, &drafts, err)) == NULL)
		goto out;
	if (drafts != NULL && g_ascii_strcasecmp(drafts, "INBOX") == 0) {
		/* a server that says so is wrong or hostile: drafts there
		   would be taken for sent the moment they are read */
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("%s: the server marks INBOX as \\Drafts; renraku never "
		    "puts drafts in INBOX: name the Drafts mailbox with the "
		    "drafts key"), host);
		g_clear_pointer(&drafts, g_free);
		goto out;
	}
	if (drafts != NULL)
		goto out;
	for (i = 0; i < names->len && guess == NULL; i++)
		if (named_drafts(names->pdata[i]))
			guess = names->pdata[i];
	if (guess != NULL)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("%s: no mailbox is marked \\Drafts (SPECIAL-USE); '%s' "
		    "looks like it: set drafts = %s"), host, guess, guess);
	else
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("%s: no mailbox is marked \\Drafts (SPECIAL-USE); name "
		    "it with the drafts key"), host);
out:
	if (names != NULL)
		g_ptr_array_unref(names);
	return (drafts);
}

static char *
box_name(void *ctx, GError **err)
{
	struct imap_box	*b = ctx;

	return (b->acct->drafts != NULL ? g_strdup(b->acct->drafts) :
	    drafts_find(b->s, b->acct->host, err));
}

static gboolean
box_status(void *ctx, const char *mailbox, struct mailbox_state *ms,
    GError **err)
{
	struct imap_box		*b = ctx;
	struct imap_mailbox	 mb;

	if (!imap_status(b->s, mailbox, &mb, err))
		return (FALSE);
	ms->uidvalidity = mb.uidvalidity;
	ms->uidnext = mb.uidnext;
	ms->messages = mb.exists;
	ms->modseq = mb.highestmodseq;
	return (TRUE);
}

/* SELECT, or EXAMINE for a dry run. */
static gboolean
box_open(void *ctx, const char *mailbox, guint *messages, GError **err)
{
	struct imap_box		*b = ctx;
	struct imap_mailbox	 mb;

	if (!(b->dry_run ? imap_examine(b->s, mailbox, &mb, err) :
	    imap_select(b->s, mailbox, &mb, err)))
		return (FALSE);
	*messages = mb.exists;
	return (TRUE);
}

static GArray *
box_search(void *ctx, const char *const *pairs, gboolean undeleted,
    GError **err)
{
	struct imap_box *b = ctx;

	return (imap_search_header(b->s, pairs, undeleted, err));
}

/* What hash_message() learns of a draft. */
struct fetched {
	char	*hash;		/* SHA-256 of the bytes */
	char	*message_id;	/* or NULL */
};

static gboolean
hash_message(guint32 uid, const char *raw, gsize len, gsize size, void *ctx,
    GError **err)
{
	struct fetched	*f = ctx;

	g_free(f->hash);
	f->hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)raw, len);
	g_free(f->message_id);
	f->message_id = mail_message_id(raw, len);
	return (TRUE);
}

static char *
box_hash(void *ctx, guint32 uid, char **message_id, GError **err)
{
	struct imap_box	*b = ctx;
	GArray		*one = g_array_new(FALSE, FALSE, sizeof(guint32));
	struct fetched	 f = { NULL, NULL };

	g_array_append_val(one, uid);
	if (imap_fetch(b->s, one, hash_message, &f, NULL, err) && f.hash == NULL)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("draft UID %u vanished while being read"), uid);
	g_array_unref(one);
	if (message_id != NULL && f.hash != NULL)
		*message_id = f.message_id;
	else
		g_free(f.message_id);
	return (f.hash);
}

static gboolean
box_append(void *ctx, const char *mailbox, const struct imap_message *msgs,
    guint n, guint *done, GError **err)
{
	struct imap_box *b = ctx;

	if (b->dry_run) {
		*done = n;
		return (TRUE);
	}
	return (imap_append_drafts(b->s, mailbox, msgs, n, done, err));
}

static gboolean
box_remove(void *ctx, guint32 uid, GError **err)
{
	struct imap_box *b = ctx;

	return (b->dry_run || imap_delete(b->s, uid, err));
}

void
drafts_imap_box(struct drafts_box *box, struct imap *s,
    const struct account *acct, gboolean dry_run)
{
	struct imap_box *b = g_new0(struct imap_box, 1);

	b->s = s;
	b->acct = acct;
	b->dry_run = dry_run;
	box->ctx = b;
	box->name = box_name;
	box->status = box_status;
	box->open = box_open;
	box->search = box_search;
	box->hash = box_hash;
	box->append = box_append;
	box->remove = box_remove;
}

void
drafts_imap_box_clear(struct drafts_box *box)
{
	g_free(box->ctx);
	memset(box, 0, sizeof *box);
}
