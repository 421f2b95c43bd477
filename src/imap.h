/*
 * imap.h: the IMAP session, the only part of renraku that sees libetpan.
 *
 * A session is opened over verified TLS (implicit or STARTTLS) and logged
 * in.  The user's mailboxes are only ever opened with EXAMINE and read with
 * BODY.PEEK, so no flag of theirs changes; the only write is APPEND to the
 * Drafts mailbox.  Every failure is classed: RENRAKU_ERROR_TEMP for network
 * and server trouble (including a certificate that fails verification),
 * RENRAKU_ERROR_CONFIG for a rejected login or a missing mailbox.
 */
#ifndef RENRAKU_IMAP_H
#define RENRAKU_IMAP_H

#include <glib.h>

struct imap;

/* What EXAMINE or STATUS told about a mailbox. */
struct imap_mailbox {
	guint32	uidvalidity;
	guint32	uidnext;	/* 0 if the server did not say */
	guint32	exists;
	guint64	highestmodseq;	/* STATUS only, with CONDSTORE; else 0 */
};

/* At most this much of each message is fetched: notifications are small,
   and memory stays bounded whatever a mailbox holds. */
#define IMAP_FETCH_MAX	(256 * 1024)

/*
 * Called for each fetched message: its UID, its raw text ('len' bytes,
 * borrowed for the call) and its whole size on the server ('size', the
 * RFC822.SIZE; larger than 'len' when the message was cut at
 * IMAP_FETCH_MAX).  Return FALSE with err set to stop.
 */
typedef gboolean (*imap_message_fn)(guint32 uid, const char *raw, gsize len,
    gsize size, void *ctx, GError **err);

/* How far imap_open() got: where it failed, for "renraku doctor". */
enum imap_stage {
	IMAP_STAGE_CONNECT,	/* DNS and TCP */
	IMAP_STAGE_TLS,		/* handshake, certificate, host name */
	IMAP_STAGE_GREETING,	/* the server's greeting, STARTTLS */
	IMAP_STAGE_SECRET,	/* getting the password or token */
	IMAP_STAGE_LOGIN,	/* LOGIN or AUTHENTICATE */
	IMAP_STAGE_DONE
};

/*
 * The secret to log in with: the password, or an OAuth2 access token.
 * With 'again', the server refused the last one: a fresh token is wanted.
 * Returns an allocated string (imap_open() wipes and frees it), or NULL
 * with err set.
 */
typedef char	*(*imap_secret_fn)(void *ctx, gboolean again, GError **err);

/* Where and as whom to log in (run_imap_login() fills it from an
 * account of the config). */
struct imap_login {
	const char	*host;
	guint16		 port;
	gboolean	 starttls;	/* else TLS from the first byte */
	const char	*ca_file;	/* NULL: the system trust store */
	const char	*user;
	gboolean	 xoauth2;	/* AUTHENTICATE XOAUTH2, else LOGIN */
};

/*
 * Connect to the server, verify its certificate before any IMAP command
 * is sent, and log in: LOGIN with the secret from 'secret', or with
 * xoauth2, AUTHENTICATE XOAUTH2 with a token, asking for a fresh token
 * and trying once more if the server refuses it.  'timeout'
 * bounds every network wait, in seconds.  With 'trace', the protocol is
 * written to stderr with the login line redacted.  'stage' (may be NULL)
 * tells how far it got.  Returns a session for imap_close(), or NULL with
 * err set.
 */
struct imap	*imap_open(const struct imap_login *login, imap_secret_fn secret,
		    void *ctx, guint timeout, gboolean trace,
		    enum imap_stage *stage, GError **err);

/* Log out (when the connection is still healthy) and free the session. */
void		 imap_close(struct imap *s);

/*
 * IDLE (RFC 2177) on the examined mailbox, in two halves so that one
 * process can wait on several sessions at once.  imap_idle_start() sends
 * IDLE and returns the descriptor to poll() for the server's news, -2 when
 * the server has no IDLE (poll instead; nothing is sent), or -1 with err
 * set (the session is then unusable).  imap_idle_pending() tells whether
 * news already waits in the session's buffer, where poll() cannot see it.
 * imap_idle_done() sends DONE and reads the rest of the answer; FALSE with
 * err set on failure (the session is then unusable).
 */
int		 imap_idle_start(struct imap *s, GError **err);
gboolean	 imap_idle_pending(const struct imap *s);
gboolean	 imap_idle_done(struct imap *s, GError **err);

/*
 * Mailbox names: renraku and its users speak UTF-8 ("[Gmail]/下書き");
 * the wire speaks modified UTF-7 (RFC 3501 5.1.3, "[Gmail]/&Tgtm+DBN-").
 * Every function here takes and returns UTF-8 names and converts at the
 * wire.  Both return allocated strings, always valid UTF-8; decoding a
 * malformed name gives it back unchanged (bytes that are no UTF-8 as
 * U+FFFD), and bytes that are no UTF-8 given to the encoder are U+FFFD
 * too, never read past.
 */
char		*imap_utf7_encode(const char *utf8);
char		*imap_utf7_decode(const char *utf7);

/* IMAP commands sent on this session so far (for -v and benchmarks). */
guint		 imap_commands(const struct imap *s);

/*
 * Whether 'v' can go on the wire inside a command: no line break.  FALSE
 * with err set (RENRAKU_ERROR_CONFIG) naming it as 'what'.
 */
gboolean	 imap_wire_safe(const char *what, const char *v, GError **err);

/* EXAMINE 'mailbox' (read-only) and fill 'mb'. */
gboolean	 imap_examine(struct imap *s, const char *mailbox,
		    struct imap_mailbox *mb, GError **err);

/*
 * STATUS 'mailbox' (UIDVALIDITY, UIDNEXT, MESSAGES, and HIGHESTMODSEQ
 * where the server has CONDSTORE) without opening it, and fill 'mb'.
 */
gboolean	 imap_status(struct imap *s, const char *mailbox,
		    struct imap_mailbox *mb, GError **err);

/*
 * SELECT 'mailbox' (read-write) and fill 'mb'.  Only for the Drafts
 * mailbox, where renraku removes drafts it made.
 */
gboolean	 imap_select(struct imap *s, const char *mailbox,
		    struct imap_mailbox *mb, GError **err);

/*
 * In the examined mailbox, the UIDs of messages with UID >= 'min_uid',
 * sent FROM one of 'domains' (NULL-terminated; none means any sender) or,
 * when there are domains, with a SUBJECT containing one of 'subjects'
 * (NULL-terminated, may be NULL: the forward prefixes, since a forward is
 * From whoever forwarded it; searched with CHARSET UTF-8), and
 * when 'since' is not NULL, with an internal date on or after that day.
 * Returns an ascending GArray of guint32 (g_array_unref), or NULL with err.
 */
GArray		*imap_search(struct imap *s, guint32 min_uid,
		    const char *const *domains, const char *const *subjects,
		    GDate *since, GError **err);

/*
 * Fetch the messages 'uids' of the examined mailbox with BODY.PEEK[]
 * (the first IMAP_FETCH_MAX bytes of each) and RFC822.SIZE, and call 'fn'
 * for each, in batches, once per UID asked for.  A UID the server's answer
 * leaves out, or gives without its UID or its body, is appended to
 * 'missed' (a GArray of guint32, or NULL not to know).  Returns FALSE with
 * err set on failure.
 */
gboolean	 imap_fetch(struct imap *s, GArray *uids, imap_message_fn fn,
		    void *ctx, GArray *missed, GError **err);

/*
 * The names (decoded from modified UTF-7) of the mailboxes that can be
 * opened: a GPtrArray of allocated strings; *drafts the first marked
 * \Drafts (SPECIAL-USE, allocated) or NULL.  NULL with err set on
 * failure.
 */
GPtrArray	*imap_list(struct imap *s, char **drafts, GError **err);

/*
 * The UIDs of the messages of the open mailbox whose header 'name'
 * contains 'value' (the text, for the name ""), for each pair of the
 * NULL-terminated 'pairs' (name, value, name, value, ..., NULL), and, if
 * 'undeleted', without the flag
 * \Deleted.  Returns an ascending GArray of guint32 (g_array_unref), or
 * NULL with err set.
 */
GArray		*imap_search_header(struct imap *s, const char *const *pairs,
		    gboolean undeleted, GError **err);

/*
 * Remove message 'uid' of the selected mailbox: flag it \Deleted and,
 * where the server has UIDPLUS, UID EXPUNGE that one message (never a
 * plain EXPUNGE, which would take the user's deleted messages too).
 */
gboolean	 imap_delete(struct imap *s, guint32 uid, GError **err);

/* A message to append: 'len' bytes of CRLF lines at 'data', dated 'date'. */
struct imap_message {
	const char	*data;
	gsize		 len;
	GDateTime	*date;
};

/*
 * APPEND each of the 'n' messages of 'msgs' to 'mailbox', flagged \Draft
 * and dated as given (in the zone each date is in): in one MULTIAPPEND
 * command (RFC 3502: all
 * appended or none) where the server offers MULTIAPPEND and LITERAL+
 * (RFC 7888), so that a run costs the server one transaction and no round
 * trip per message; else one APPEND each, in order.  '*done' is the
 * number of leading messages appended when it returns, 'n' on success.
 */
gboolean	 imap_append_drafts(struct imap *s, const char *mailbox,
		    const struct imap_message *msgs, guint n, guint *done,
		    GError **err);

#endif
