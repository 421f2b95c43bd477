/*
 * imap.c: the IMAP session over libetpan.
 *
 * libetpan parses; the connection under it is ours (stream.c): TLS 1.2
 * or later with the chain and host name checked before the greeting is
 * read, and the bounds that keep a hostile server from hanging, flooding
 * or crashing renraku.
 * Strings from our side are checked for CR, LF and NUL because libetpan
 * does not escape them.
 */
#include <glib/gi18n.h>

#include "imap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "error.h"
#include "net.h"
#include "secret.h"
#include "stream.h"

#define FETCH_BATCH	64	/* UIDs per UID FETCH command */

struct imap {
	mailimap	*imap;
	char		*host;
	gboolean	 broken;	/* the stream can no longer be used */
	gboolean	 trace;		/* -v -v: the protocol on stderr */
	guint		 commands;	/* tagged commands sent */
	gboolean	 literal;	/* a literal's bytes are being sent */
};

static const char *
imap_strerror(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return (_("connection lost or timed out"));
	case MAILIMAP_ERROR_PARSE:
		return (_("unreadable reply from the server"));
	case MAILIMAP_ERROR_PROTOCOL:
		return (_("the server rejected the command"));
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return (_("connection refused"));
	case MAILIMAP_ERROR_MEMORY:
		return (_("out of memory"));
	case MAILIMAP_ERROR_LOGIN:
		return (_("login rejected"));
	case MAILIMAP_ERROR_SSL:
		return (_("TLS handshake failed"));
	case MAILIMAP_ERROR_STARTTLS:
		return (_("STARTTLS failed"));
	default:
		return (_("command failed"));
	}
}

/*
 * Set err for libetpan result 'r' of 'what'.  Stream-level failures make
 * the session unusable; everything on the wire is temporary.
 */
static void
fail(struct imap *s, int r, GError **err, const char *what)
{
	const char	*detail, *why;

	if (r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE ||
	    r == MAILIMAP_ERROR_MEMORY)
		s->broken = TRUE;
	detail = s->imap->imap_response;
	if (s->imap->imap_stream != NULL && (why = stream_why(
	    mailstream_get_low(s->imap->imap_stream))) != NULL) {
		s->broken = TRUE;
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: %s: %s"), s->host, what, why);
	} else if (r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE ||
	    detail == NULL || *detail == '\0')
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: %s: %s"), s->host, what, imap_strerror(r));
	else
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: %s: %s (%s)"), s->host, what, imap_strerror(r),
		    detail);
}

/*
 * Set err for STARTTLS that failed with libetpan result 'r': say that the
 * server does not offer it when its greeting listed capabilities without
 * STARTTLS, else give the server's answer to the command if it gave one.
 */
static void
starttls_failed(struct imap *s, int r, GError **err)
{
	mailimap	*imap = s->imap;
	const char	*why = imap_strerror(r);

	if (imap->imap_connection_info != NULL &&
	    imap->imap_connection_info->imap_capability != NULL &&
	    !mailimap_has_extension(imap, "STARTTLS")) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: the server does not offer STARTTLS; refusing to "
		    "log in without TLS"), s->host);
		return;
	}
	if ((r == MAILIMAP_ERROR_STARTTLS || r == MAILIMAP_ERROR_PROTOCOL) &&
	    imap->imap_response != NULL && *imap->imap_response != '\0')
		why = imap->imap_response;
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
	    _("%s: STARTTLS failed (%s); refusing to log in without TLS"),
	    s->host, why);
}

/*
 * Counts commands; with -v -v, the protocol on stderr, credentials and
 * long data cut.
 */
static void
trace(mailimap *imap, int type, const char *buf, size_t len, void *ctx)
{
	struct imap	*s = ctx;
	const char	*dir;

	if ((type == MAILSTREAM_LOG_TYPE_DATA_SENT ||
	    type == MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE) && len > 0 &&
	    g_ascii_isdigit(buf[0]) && !s->literal)
		s->commands++;
	if (!s->trace)
		return;
	if (type == MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE) {
		fprintf(stderr, "C: <login redacted>\n");
		return;
	}
	if (type != MAILSTREAM_LOG_TYPE_DATA_SENT &&
	    type != MAILSTREAM_LOG_TYPE_DATA_RECEIVED)
		return;
	dir = type == MAILSTREAM_LOG_TYPE_DATA_SENT ? "C" : "S";
	if (len > 200)
		len = 200;
	fprintf(stderr, _("%s: %.*s%s"), dir, (int)len, buf,
	    len > 0 && buf[len - 1] == '\n' ? "" : "...\n");
}

/* LOGIN, or AUTHENTICATE XOAUTH2 with one retry on a fresh token. */
static gboolean
authenticate(struct imap *s, const struct imap_login *login, imap_secret_fn fn,
    void *ctx, enum imap_stage *stage, GError **err)
{
	char	*secret;
	int	 r, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		*stage = IMAP_STAGE_SECRET;
		if ((secret = fn(ctx, attempt > 0, err)) == NULL)
			return (FALSE);
		*stage = IMAP_STAGE_LOGIN;
		if (!imap_wire_safe("password", secret, err)) {
			secret_free(secret);
			return (FALSE);
		}
		if (login->xoauth2)
			r = mailimap_oauth2_authenticate(s->imap, login->user,
			    secret);
		else
			r = mailimap_login(s->imap, login->user, secret);
		secret_free(secret);
		if (r == MAILIMAP_NO_ERROR)
			return (TRUE);
		if (r != MAILIMAP_ERROR_LOGIN) {
			fail(s, r, err, login->xoauth2 ?
			    "AUTHENTICATE" : "LOGIN");
			return (FALSE);
		}
		if (!login->xoauth2)
			break;	/* a password is not worth a second try */
	}
	g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
	    _("%s: login as %s rejected: %s"), login->host, login->user,
	    s->imap->imap_response != NULL && *s->imap->imap_response ?
	    s->imap->imap_response : _("no reason given"));
	return (FALSE);
}

/*
 * libetpan reports every read and write here.  One that failed (timed
 * out, reset) cancels the stream, so that every later read or write fails
 * at once: libetpan hands its caller the bytes it got before a failed read
 * and lets it read again, and a stall mid-literal would otherwise cost the
 * timeout twice.  Then trace() counts it and, with -v -v, prints it.
 */
static void
on_stream(mailimap *imap, int type, const char *buf, size_t len, void *ctx)
{
	if ((type == MAILSTREAM_LOG_TYPE_ERROR_RECEIVED ||
	    type == MAILSTREAM_LOG_TYPE_ERROR_SENT) &&
	    imap->imap_stream != NULL)
		mailstream_cancel(imap->imap_stream);
	trace(imap, type, buf, len, ctx);
}

struct imap *
imap_open(const struct imap_login *login, imap_secret_fn secret, void *ctx,
    guint timeout, gboolean trace_on, enum imap_stage *stage_r, GError **err)
{
	struct imap	*s;
	mailstream	*st = NULL;
	mailstream_low	*low = NULL;
	struct mailimap_capability_data *cap = NULL;
	enum imap_stage	 dummy, *stage = stage_r != NULL ? stage_r : &dummy;
	int		 fd, r;

	*stage = IMAP_STAGE_CONNECT;
	if (!imap_wire_safe("user", login->user, err))
		return (NULL);
	s = g_new0(struct imap, 1);
	s->host = g_strdup(login->host);
	s->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(s->imap, timeout);
	s->trace = trace_on;
	mailimap_set_logger(s->imap, on_stream, s);

	if ((fd = net_connect(login->host, login->port, timeout, err)) == -1)
		goto fail;
	if ((low = stream_new(fd, timeout)) == NULL ||
	    (st = mailstream_new(low, 8192)) == NULL) {
		if (low != NULL)
			mailstream_low_free(low);
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: out of memory"), login->host);
		goto fail;
	}
	if (!login->starttls) {
		*stage = IMAP_STAGE_TLS;
		if (!stream_start_tls(low, login->host, login->ca_file, FALSE,
		    err)) {
			mailstream_close(st);
			goto fail;
		}
		*stage = IMAP_STAGE_GREETING;
		r = mailimap_connect(s->imap, st);
	} else {
		*stage = IMAP_STAGE_GREETING;
		r = mailimap_connect(s->imap, st);
		if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
			/* PREAUTH in clear: nothing here can be trusted */
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
			    _("%s: the server skipped authentication before "
			    "STARTTLS; refusing to continue"), login->host);
			s->broken = TRUE;
			goto fail;
		}
		if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
			fail(s, r, err, "greeting");
			s->broken = TRUE;
			goto fail;
		}
		/* Sent even if not advertised: never fall back to clear. */
		*stage = IMAP_STAGE_TLS;
		if ((r = mailimap_starttls(s->imap)) != MAILIMAP_NO_ERROR) {
			starttls_failed(s, r, err);
			s->broken = TRUE;
			goto fail;
		}
		/* bytes sent in clear after the OK would pass as TLS's */
		if (s->imap->imap_stream->read_buffer_len > 0) {
			g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
			    _("%s: the server sent data in clear after STARTTLS; "
			    "refusing to continue"), login->host);
			s->broken = TRUE;
			goto fail;
		}
		if (!stream_start_tls(low, login->host, login->ca_file, TRUE,
		    err)) {
			s->broken = TRUE;
			goto fail;
		}
		*stage = IMAP_STAGE_GREETING;
		/* Capabilities read before TLS cannot be trusted. */
		if ((r = mailimap_capability(s->imap, &cap)) !=
		    MAILIMAP_NO_ERROR) {
			fail(s, r, err, "CAPABILITY");
			goto fail;
		}
		mailimap_capability_data_free(cap);
		r = MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
	}
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		fail(s, r, err, "greeting");
		s->broken = TRUE;
		goto fail;
	}
	if (r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED &&
	    !authenticate(s, login, secret, ctx, stage, err))
		goto fail;
	/* Gmail asks clients to say who they are (RFC 2971) */
	if (mailimap_has_id(s->imap)) {
		char *name = NULL, *version = NULL;

		if (mailimap_id_basic(s->imap, "renraku", PACKAGE_VERSION,
		    &name, &version) == MAILIMAP_NO_ERROR) {
			free(name);
			free(version);
		}
	}
	*stage = IMAP_STAGE_DONE;
	return (s);
fail:
	imap_close(s);
	return (NULL);
}

void
imap_close(struct imap *s)
{
	if (s == NULL)
		return;
	if (s->imap->imap_stream != NULL) {
		if (s->broken) {
			mailstream_close(s->imap->imap_stream);
			s->imap->imap_stream = NULL;
		} else
			mailimap_logout(s->imap);
	}
	mailimap_free(s->imap);
	g_free(s->host);
	g_free(s);
}

/* Set err for 'cmd' on 'mailbox' failed with 'r' ('refused': NO). */
static gboolean
mailbox_failed(struct imap *s, int r, gboolean refused, const char *cmd,
    const char *mailbox, GError **err)
{
	char	*what;

	if (refused) {
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_CONFIG,
		    _("%s: mailbox '%s' cannot be opened: %s"), s->host,
		    mailbox, s->imap->imap_response != NULL ?
		    s->imap->imap_response : _("no such mailbox"));
		return (FALSE);
	}
	what = g_strdup_printf("%s %s", cmd, mailbox);
	fail(s, r, err, what);
	g_free(what);
	return (FALSE);
}

static gboolean
open_mailbox(struct imap *s, const char *mailbox, gboolean write,
    struct imap_mailbox *mb, GError **err)
{
	struct mailimap_selection_info	*si;
	char				*wire;
	int				 r;

	if (!imap_wire_safe("mailbox name", mailbox, err))
		return (FALSE);
	wire = imap_utf7_encode(mailbox);
	r = write ? mailimap_select(s->imap, wire) :
	    mailimap_examine(s->imap, wire);
	g_free(wire);
	if (r != MAILIMAP_NO_ERROR)
		return (mailbox_failed(s, r, r == MAILIMAP_ERROR_EXAMINE ||
		    r == MAILIMAP_ERROR_SELECT, write ? "SELECT" : "EXAMINE",
		    mailbox, err));
	si = s->imap->imap_selection_info;
	mb->uidvalidity = si != NULL ? si->sel_uidvalidity : 0;
	mb->uidnext = si != NULL ? si->sel_uidnext : 0;
	mb->exists = si != NULL ? si->sel_exists : 0;
	return (TRUE);
}

int
imap_idle_start(struct imap *s, GError **err)
{
	int	r;

	if (!mailimap_has_idle(s->imap))
		return (-2);
	if ((r = mailimap_idle(s->imap)) != MAILIMAP_NO_ERROR) {
		fail(s, r, err, "IDLE");
		s->broken = TRUE;
		return (-1);
	}
	return (mailimap_idle_get_fd(s->imap));
}

gboolean
imap_idle_pending(const struct imap *s)
{
	return (s->imap->imap_stream->read_buffer_len > 0 ||
	    stream_pending(mailstream_get_low(s->imap->imap_stream)));
}

gboolean
imap_idle_done(struct imap *s, GError **err)
{
	int	r;

	if ((r = mailimap_idle_done(s->imap)) != MAILIMAP_NO_ERROR) {
		fail(s, r, err, "IDLE");
		s->broken = TRUE;
		return (FALSE);
	}
	return (TRUE);
}

guint
imap_commands(const struct imap *s)
{
	return (s->commands);
}

gboolean
imap_status(struct imap *s, const char *mailbox, struct imap_mailbox *mb,
    GError **err)
{
	struct mailimap_status_att_list		*atts;
	struct mailimap_mailbox_data_status	*st = NULL;
	clistiter				*it;
	char					*what;
	int					 r;

	if (!imap_wire_safe("mailbox name", mailbox, err))
		return (FALSE);
	memset(mb, 0, sizeof *mb);
	atts = mailimap_status_att_list_new_empty();
	mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDVALIDITY);
	mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_UIDNEXT);
	mailimap_status_att_list_add(atts, MAILIMAP_STATUS_ATT_MESSAGES);
	if (mailimap_has_condstore(s->imap))
		mailimap_status_att_list_add(atts,
		    MAILIMAP_STATUS_ATT_HIGHESTMODSEQ);
	what = imap_utf7_encode(mailbox);
	r = mailimap_status(s->imap, what, atts, &st);
	g_free(what);
	mailimap_status_att_list_free(atts);
	if (r != MAILIMAP_NO_ERROR)
		return (mailbox_failed(s, r, r == MAILIMAP_ERROR_STATUS,
		    "STATUS", mailbox, err));
	for (it = st->st_info_list != NULL ? clist_begin(st->st_info_list) :
	    NULL; it != NULL; it = clist_next(it)) {
		struct mailimap_status_info *si = clist_content(it);

		switch (si->st_att) {
		case MAILIMAP_STATUS_ATT_UIDVALIDITY:
			mb->uidvalidity = si->st_value;
			break;
		case MAILIMAP_STATUS_ATT_UIDNEXT:
			mb->uidnext = si->st_value;
			break;
		case MAILIMAP_STATUS_ATT_MESSAGES:
			mb->exists = si->st_value;
			break;
		case MAILIMAP_STATUS_ATT_HIGHESTMODSEQ:
			if (si->st_ext_data != NULL &&
			    si->st_ext_data->ext_data != NULL)
				mb->highestmodseq = ((struct
				    mailimap_condstore_status_info *)
				    si->st_ext_data->ext_data)->
				    cs_highestmodseq_value;
			break;
		}
	}
	mailimap_mailbox_data_status_free(st);
	return (TRUE);
}

gboolean
imap_examine(struct imap *s, const char *mailbox, struct imap_mailbox *mb,
    GError **err)
{
	return (open_mailbox(s, mailbox, FALSE, mb, err));
}

gboolean
imap_select(struct imap *s, const char *mailbox, struct imap_mailbox *mb,
    GError **err)
{
	return (open_mailbox(s, mailbox, TRUE, mb, err));
}

static int
uid_cmp(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return (x < y ? -1 : x > y);
}

/* Run UID SEARCH with key 'k' (freed here); an ascending GArray or NULL. */
static GArray *
run_search(struct imap *s, const char *charset, struct mailimap_search_key *k,
    GError **err)
{
	clist		*res = NULL;
	clistiter	*it;
	GArray		*uids;
	int		 r;

	r = mailimap_uid_search(s->imap, charset, k, &res);
	mailimap_search_key_free(k);
	if (r != MAILIMAP_NO_ERROR) {
		if (res != NULL)
			mailimap_search_result_free(res);
		fail(s, r, err, "UID SEARCH");
		return (NULL);
	}
	uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	for (it = clist_begin(res); it != NULL; it = clist_next(it))
		g_array_append_val(uids, *(guint32 *)clist_content(it));
	mailimap_search_result_free(res);
	g_array_sort(uids, uid_cmp);
	return (uids);
}

GArray *
imap_search(struct imap *s, guint32 min_uid, const char *const *domains,
    const char *const *subjects, GDate *since, GError **err)
{
	struct mailimap_search_key	*k, *from = NULL;
	GArray				*uids;
	guint				 i;

	for (i = 0; domains != NULL && domains[i] != NULL; i++)
		if (!imap_wire_safe("sender domain", domains[i], err))
			return (NULL);
	for (i = 0; subjects != NULL && subjects[i] != NULL; i++)
		if (!imap_wire_safe("subject", subjects[i], err))
			return (NULL);
	k = mailimap_search_key_new_multiple_empty();
	mailimap_search_key_multiple_add(k, mailimap_search_key_new_uid(
	    mailimap_set_new_interval(min_uid > 0 ? min_uid : 1, 0)));
	for (i = 0; domains != NULL && domains[i] != NULL; i++) {
		struct mailimap_search_key *f;

		f = mailimap_search_key_new_from(g_strdup(domains[i]));
		from = from == NULL ? f : mailimap_search_key_new_or(f, from);
	}
	/* forwarded mail is From the forwarder: found by its Subject */
	for (i = 0; from != NULL && subjects != NULL && subjects[i] != NULL;
	    i++)
		from = mailimap_search_key_new_or(mailimap_search_key_new_subject(
		    g_strdup(subjects[i])), from);
	if (from != NULL)
		mailimap_search_key_multiple_add(k, from);
	if (since != NULL)
		mailimap_search_key_multiple_add(k,
		    mailimap_search_key_new_since(mailimap_date_new(
		    g_date_get_day(since), g_date_get_month(since),
		    g_date_get_year(since))));
	if ((uids = run_search(s, from != NULL ? "UTF-8" : NULL, k, err)) ==
	    NULL)
		return (NULL);
	/* "n:*" always matches the highest message, even below n. */
	while (uids->len > 0 && g_array_index(uids, guint32, 0) < min_uid)
		g_array_remove_index(uids, 0);
	return (uids);
}

/*
 * Hand each message of one UID FETCH result to 'fn', if it is one of the
 * 'n' UIDs 'want' asked for and came with its body, and mark it in 'got'.
 */
static gboolean
deliver_fetched(clist *res, const guint32 *want, gboolean *got, guint n,
    imap_message_fn fn, void *ctx, GError **err)
{
	clistiter	*i, *j;
	guint		 k;

	for (i = clist_begin(res); i != NULL; i = clist_next(i)) {
		struct mailimap_msg_att	*ma = clist_content(i);
		guint32			 uid = 0, size = 0;
		const char		*raw = NULL;
		size_t			 len = 0;

		for (j = clist_begin(ma->att_list); j; j = clist_next(j)) {
			struct mailimap_msg_att_item	*it;
			struct mailimap_msg_att_static	*st;

			it = clist_content(j);
			if (it->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			st = it->att_data.att_static;
			if (st->att_type == MAILIMAP_MSG_ATT_UID)
				uid = st->att_data.att_uid;
			else if (st->att_type == MAILIMAP_MSG_ATT_RFC822_SIZE)
				size = st->att_data.att_rfc822_size;
			else if (st->att_type ==
			    MAILIMAP_MSG_ATT_BODY_SECTION) {
				raw = st->att_data.att_body_section->
				    sec_body_part;
				len = st->att_data.att_body_section->
				    sec_length;
			}
		}
		for (k = 0; k < n && want[k] != uid; k++)
			;
		if (uid == 0 || raw == NULL || k == n || got[k])
			continue;	/* unasked for, or unreadable */
		got[k] = TRUE;
		if (!fn(uid, raw, len, MAX(size, len), ctx, err))
			return (FALSE);
	}
	return (TRUE);
}

gboolean
imap_fetch(struct imap *s, GArray *uids, imap_message_fn fn, void *ctx,
    GArray *missed, GError **err)
{
	struct mailimap_fetch_type	*ft;
	struct mailimap_set		*set;
	clist				*res;
	gboolean			 got[FETCH_BATCH], ok = TRUE;
	guint				 i, j, n;
	int				 r;

	for (i = 0; ok && i < uids->len; i += FETCH_BATCH) {
		n = MIN(uids->len - i, FETCH_BATCH);
		set = mailimap_set_new_empty();
		for (j = 0; j < n; j++) {
			mailimap_set_add_single(set,
			    g_array_index(uids, guint32, i + j));
			got[j] = FALSE;
		}
		ft = mailimap_fetch_type_new_fetch_att_list_empty();
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_uid());
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_rfc822_size());
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_body_peek_section_partial(
		    mailimap_section_new(NULL), 0, IMAP_FETCH_MAX));
		res = NULL;
		r = mailimap_uid_fetch(s->imap, set, ft, &res);
		mailimap_set_free(set);
		mailimap_fetch_type_free(ft);
		if (r != MAILIMAP_NO_ERROR) {
			fail(s, r, err, "UID FETCH");
			return (FALSE);
		}
		ok = deliver_fetched(res, &g_array_index(uids, guint32, i),
		    got, n, fn, ctx, err);
		mailimap_fetch_list_free(res);
		for (j = 0; ok && missed != NULL && j < n; j++)
			if (!got[j])
				g_array_append_val(missed, g_array_index(uids,
				    guint32, i + j));
	}
	return (ok);
}

GPtrArray *
imap_list(struct imap *s, char **drafts, GError **err)
{
	GPtrArray	*names;
	clist		*list = NULL;
	clistiter	*it, *f;
	int		 r;

	*drafts = NULL;
	if ((r = mailimap_list(s->imap, "", "*", &list)) != MAILIMAP_NO_ERROR) {
		if (list != NULL)
			mailimap_list_result_free(list);
		fail(s, r, err, "LIST");
		return (NULL);
	}
	names = g_ptr_array_new_with_free_func(g_free);
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		struct mailimap_mailbox_list *mb = clist_content(it);

		if (mb->mb_flag == NULL || (mb->mb_flag->mbf_type ==
		    MAILIMAP_MBX_LIST_FLAGS_SFLAG && mb->mb_flag->mbf_sflag ==
		    MAILIMAP_MBX_LIST_SFLAG_NOSELECT))
			continue;
		g_ptr_array_add(names, imap_utf7_decode(mb->mb_name));
		for (f = clist_begin(mb->mb_flag->mbf_oflags); f != NULL &&
		    *drafts == NULL; f = clist_next(f)) {
			struct mailimap_mbx_list_oflag *of = clist_content(f);

			if (of->of_type == MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT &&
			    g_ascii_strcasecmp(of->of_flag_ext, "Drafts") == 0)
				*drafts = g_strdup(names->pdata[names->len -
				    1]);
		}
	}
	mailimap_list_result_free(list);
	return (names);
}

GArray *
imap_search_header(struct imap *s, const char *const *pairs,
    gboolean undeleted, GError **err)
{
	struct mailimap_search_key	*k;
	guint				 i;

	k = mailimap_search_key_new_multiple_empty();
	for (i = 0; pairs[i] != NULL && pairs[i + 1] != NULL; i += 2) {
		if (!imap_wire_safe("header", pairs[i], err) ||
		    !imap_wire_safe("header value", pairs[i + 1], err)) {
			mailimap_search_key_free(k);
			return (NULL);
		}
		mailimap_search_key_multiple_add(k, *pairs[i] == '\0' ?
		    mailimap_search_key_new_body(g_strdup(pairs[i + 1])) :
		    mailimap_search_key_new_header(g_strdup(pairs[i]),
		    g_strdup(pairs[i + 1])));
	}
	if (undeleted)
		mailimap_search_key_multiple_add(k, mailimap_search_key_new(
		    MAILIMAP_SEARCH_KEY_UNDELETED, NULL, NULL, NULL, NULL,
		    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		    0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL));
	return (run_search(s, NULL, k, err));
}

gboolean
imap_delete(struct imap *s, guint32 uid, GError **err)
{
	struct mailimap_flag_list	*fl;
	struct mailimap_store_att_flags	*sf;
	struct mailimap_set		*set;
	int				 r;

	fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_store(s->imap, set, sf);
	mailimap_store_att_flags_free(sf);
	if (r == MAILIMAP_NO_ERROR && mailimap_has_uidplus(s->imap))
		r = mailimap_uid_expunge(s->imap, set);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		fail(s, r, err, "removing a draft");
		return (FALSE);
	}
	return (TRUE);
}

/* Set err for APPEND to 'mailbox' that failed with libetpan result 'r'. */
static void
append_failed(struct imap *s, const char *mailbox, int r, GError **err)
{
	if (r == MAILIMAP_ERROR_APPEND)
		g_set_error(err, RENRAKU_ERROR, RENRAKU_ERROR_TEMP,
		    _("%s: APPEND to '%s' refused: %s"), s->host, mailbox,
		    s->imap->imap_response != NULL ? s->imap->imap_response :
		    _("no reason given"));
	else
		fail(s, r, err, "APPEND");
}

/*
 * APPEND 'data' ('len' bytes, CRLF lines) to 'mailbox' with the \Draft
 * flag and internal date 'date', in the zone 'date' is in.
 */
static gboolean
append_one(struct imap *s, const char *mailbox, const char *data, gsize len,
    GDateTime *date, GError **err)
{
	struct mailimap_flag_list	*fl;
	struct mailimap_date_time	*dt;
	gint64				 min;
	int				 r;

	if (!imap_wire_safe("mailbox name", mailbox, err))
		return (FALSE);
	/* as written in its own zone: +0900 for renraku's drafts */
	min = g_date_time_get_utc_offset(date) / G_TIME_SPAN_MINUTE;
	dt = mailimap_date_time_new(g_date_time_get_day_of_month(date),
	    g_date_time_get_month(date), g_date_time_get_year(date),
	    g_date_time_get_hour(date), g_date_time_get_minute(date),
	    g_date_time_get_second(date), (int)(min / 60 * 100 + min % 60));
	fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, mailimap_flag_new_draft());
	{
		char *wire = imap_utf7_encode(mailbox);

		r = mailimap_append(s->imap, wire, fl, dt, data, len);
		g_free(wire);
	}
	mailimap_flag_list_free(fl);
	mailimap_date_time_free(dt);
	if (r != MAILIMAP_NO_ERROR) {
		append_failed(s, mailbox, r, err);
		return (FALSE);
	}
	return (TRUE);
}

/*
 * A MULTIAPPEND message's flags, date and literal header, as
 * mailimap_append() sends them for one: " (\Draft) "DD-Mon-YYYY
 * HH:MM:SS +ZZZZ" {SIZE+}", the date in its own zone.
 */
static char *
multiappend_part(GDateTime *date, gsize size)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	gint64	min = g_date_time_get_utc_offset(date) / G_TIME_SPAN_MINUTE;

	return (g_strdup_printf(" (\\Draft) \"%02d-%s-%04d %02d:%02d:%02d "
	    "%c%02d%02d\" {%" G_GSIZE_FORMAT "+}\r\n",
	    g_date_time_get_day_of_month(date),
	    months[g_date_time_get_month(date) - 1],
	    g_date_time_get_year(date), g_date_time_get_hour(date),
	    g_date_time_get_minute(date), g_date_time_get_second(date),
	    min < 0 ? '-' : '+', (int)(ABS(min) / 60), (int)(ABS(min) % 60),
	    size));
}

/*
 * Send one MULTIAPPEND of 'msgs' to 'wire' (the mailbox as on the wire)
 * with non-synchronising literals, and read its answer.  A libetpan
 * result.
 */
static int
multiappend(struct imap *s, const char *wire, const struct imap_message *msgs,
    guint n)
{
	mailstream			*st = s->imap->imap_stream;
	struct mailimap_response	*resp;
	GString				*head = g_string_new("APPEND \"");
	const char			*p;
	guint				 i;
	int				 r, ok;

	for (p = wire; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(head, '\\');
		g_string_append_c(head, *p);
	}
	g_string_append_c(head, '"');
	/* counted here: the bytes go out while the literal flag is up */
	s->commands++;
	s->literal = TRUE;
	r = mailimap_send_current_tag(s->imap);
	if (r == MAILIMAP_NO_ERROR && mailstream_write(st, head->str,
	    head->len) == -1)
		r = MAILIMAP_ERROR_STREAM;
	for (i = 0; r == MAILIMAP_NO_ERROR && i < n; i++) {
		gsize	 size = mailstream_get_data_crlf_size(msgs[i].data,
			    msgs[i].len);
		char	*part = multiappend_part(msgs[i].date, size);

		if (mailstream_write(st, part, strlen(part)) == -1 ||
		    mailstream_send_data_crlf(st, msgs[i].data, msgs[i].len, 0,
		    NULL) == -1)
			r = MAILIMAP_ERROR_STREAM;
		g_free(part);
	}
	if (r == MAILIMAP_NO_ERROR && (mailstream_write(st, "\r\n", 2) == -1 ||
	    mailstream_flush(st) == -1))
		r = MAILIMAP_ERROR_STREAM;
	s->literal = FALSE;
	g_string_free(head, TRUE);
	if (r != MAILIMAP_NO_ERROR)
		return (r);
	if (mailimap_read_line(s->imap) == NULL)
		return (MAILIMAP_ERROR_STREAM);
	if ((r = mailimap_parse_response(s->imap, &resp)) != MAILIMAP_NO_ERROR)
		return (r);
	ok = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	mailimap_response_free(resp);
	return (ok == MAILIMAP_RESP_COND_STATE_OK ? MAILIMAP_NO_ERROR :
	    MAILIMAP_ERROR_APPEND);
}

gboolean
imap_append_drafts(struct imap *s, const char *mailbox,
    const struct imap_message *msgs, guint n, guint *done, GError **err)
{
	char	*wire;
	int	 r;

	*done = 0;
	if (n > 1 && mailimap_has_extension(s->imap, "MULTIAPPEND") &&
	    mailimap_has_extension(s->imap, "LITERAL+")) {
		if (!imap_wire_safe("mailbox name", mailbox, err))
			return (FALSE);
		wire = imap_utf7_encode(mailbox);
		r = multiappend(s, wire, msgs, n);
		g_free(wire);
		if (r != MAILIMAP_NO_ERROR) {
			append_failed(s, mailbox, r, err);
			return (FALSE);
		}
		*done = n;
		return (TRUE);
	}
	for (; *done < n; (*done)++)
		if (!append_one(s, mailbox, msgs[*done].data,
		    msgs[*done].len, msgs[*done].date, err))
			return (FALSE);
	return (TRUE);
}
