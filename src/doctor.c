/*
 * doctor.c: check what a sync needs, one step at a time.
 */
#include <glib/gi18n.h>

#include "doctor.h"

#include <string.h>

#include <gio/gio.h>

#include "drafts.h"
#include "error.h"
#include "imap.h"
#include "mail.h"
#include "preview.h"
#include "store.h"

struct doctor {
	FILE	*out;
	guint	 failed;
	int	 first_code;	/* class of the first failure, or -1 */
};

static void G_GNUC_PRINTF(3, 4)
ok(struct doctor *dc, const char *what, const char *fmt, ...)
{
	va_list	ap;

	fprintf(dc->out, _("ok    %-10s "), what);
	va_start(ap, fmt);
	vfprintf(dc->out, fmt, ap);
	va_end(ap);
	fputc('\n', dc->out);
}

/* One failure: what is wrong (e) and what to do about it. */
static void
bad(struct doctor *dc, const char *what, const GError *e, const char *todo)
{
	char	*one = g_strdup(e->message), *p;

	for (p = one; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	fprintf(dc->out, _("FAIL  %-10s %s -> %s\n"), what, one, todo);
	g_free(one);
	if (dc->first_code < 0)
		dc->first_code = e->domain == RENRAKU_ERROR ? e->code :
		    RENRAKU_ERROR_TEMP;
	dc->failed++;
}

static gboolean
check_network(struct doctor *dc, const struct account *a, guint timeout)
{
	GResolver		*res = g_resolver_get_default();
	GSocketClient		*cl;
	GSocketConnection	*conn;
	GList			*addrs;
	GError			*e = NULL;
	char			*first;

	addrs = g_resolver_lookup_by_name(res, a->host, NULL, &e);
	g_object_unref(res);
	if (addrs == NULL) {
		bad(dc, "dns", e, _("check the host key and your network "
		    "(is the name spelt right?)"));
		g_error_free(e);
		return (FALSE);
	}
	first = g_inet_address_to_string(addrs->data);
	if (addrs->next != NULL)
		ok(dc, "dns", _("%s is %s (and more)"), a->host, first);
	else
		ok(dc, "dns", _("%s is %s"), a->host, first);
	g_free(first);
	g_resolver_free_addresses(addrs);
	cl = g_socket_client_new();
	g_socket_client_set_timeout(cl, timeout);
	conn = g_socket_client_connect_to_host(cl, a->host, a->port, NULL, &e);
	g_object_unref(cl);
	if (conn == NULL) {
		bad(dc, "tcp", e, _("check the port key (993 for tls, 143 for "
		    "starttls) and that no firewall blocks it"));
		g_error_free(e);
		return (FALSE);
	}
	g_object_unref(conn);
	ok(dc, "tcp", _("port %u answers"), a->port);
	return (TRUE);
}

/* What count_if_platform() counts with. */
struct platform_count {
	const struct rules	*rules;
	guint			 n;
};

/* Count a forwarded mail that the rules take for platform mail. */
static gboolean
count_if_platform(guint32 uid, const char *raw, gsize len, gsize size,
    void *ctx, GError **err)
{
	struct platform_count	*pc = ctx;
	struct mail		 m;
	struct event		 ev;

	if (!mail_parse(raw, len, &m, NULL))
		return (TRUE);
	if (rules_classify(pc->rules, &m, &ev)) {
		pc->n++;
		event_clear(&ev);
	}
	mail_clear(&m);
	return (TRUE);
}

/*
 * The platform mail of the examined mailbox since 'since' into *n: what
 * came from the platforms' domains, and of the forwards (Fwd:, 転送) only
 * those the rules take for platform mail.
 */
static gboolean
count_platform_mail(struct imap *s, const struct run *r, char **domains,
    GDate *since, guint *n, GError **err)
{
	struct platform_count	 pc = { r->rules, 0 };
	GArray			*direct, *all, *forwards;
	guint			 i, j;
	gboolean		 ok;

	if ((direct = imap_search(s, 1, (const char *const *)domains, NULL,
	    since, err)) == NULL)
		return (FALSE);
	if ((all = imap_search(s, 1, (const char *const *)domains,
	    mail_forward_subjects, since, err)) == NULL) {
		g_array_unref(direct);
		return (FALSE);
	}
	forwards = g_array_new(FALSE, FALSE, sizeof(guint32));
	for (i = 0, j = 0; i < all->len; i++) {
		guint32 uid = g_array_index(all, guint32, i);

		while (j < direct->len && g_array_index(direct, guint32, j) <
		    uid)
			j++;
		if (j == direct->len || g_array_index(direct, guint32, j) !=
		    uid)
			g_array_append_val(forwards, uid);
	}
	ok = forwards->len == 0 || imap_fetch(s, forwards, count_if_platform,
	    &pc, NULL, err);
	*n = direct->len + pc.n;
	g_array_unref(direct);
	g_array_unref(all);
	g_array_unref(forwards);
	return (ok);
}

static void
check_account(struct doctor *dc, const struct run *r,
    const struct account *a, char **domains)
{
	struct run_login	 l = { r, a, NULL };
	struct imap_mailbox	 mb;
	enum imap_stage		 stage;
	struct imap		*s;
	struct imap_login	 login;
	GError			*e = NULL;
	GDate			 since;
	char			*secret, *drafts;
	guint			 i;

	fprintf(dc->out, _("account %s (%s@%s)\n"), a->name, a->user, a->host);
	if ((secret = run_secret(&l, FALSE, &e)) == NULL) {
		bad(dc, a->auth == AUTH_XOAUTH2 ? "token" : "password", e,
		    a->auth == AUTH_XOAUTH2 ? _("check the oauth2_* keys; "
		    "authorize again if the grant was revoked") :
		    _("run the password_command by hand and fix it"));
		g_clear_error(&e);
		return;
	}
	config_password_free(secret);
	ok(dc, a->auth == AUTH_XOAUTH2 ? "token" : "password", "%s",
	    a->auth == AUTH_XOAUTH2 ? _("an access token was obtained") :
	    _("the password is available"));
	if (!check_network(dc, a, r->cfg->timeout))
		return;
	run_imap_login(a, &login);
	s = imap_open(&login, run_secret, &l, r->cfg->timeout, FALSE, &stage,
	    &e);
	if (s == NULL) {
		switch (stage) {
		case IMAP_STAGE_CONNECT:
			bad(dc, "tcp", e, _("check host and port"));
			break;
		case IMAP_STAGE_TLS:
			bad(dc, "tls", e, a->ca_file != NULL ? _("check that "
			    "ca_file is the CA that signed the server's "
			    "certificate, and that host is the name in it") :
			    _("check that host is the name in the server's "
			    "certificate; for a private CA set ca_file"));
			break;
		case IMAP_STAGE_GREETING:
			bad(dc, "imap", e, _("check security (tls or starttls) "
			    "matches the port"));
			break;
		case IMAP_STAGE_SECRET:
		case IMAP_STAGE_LOGIN:
		default:
			/* it got past TLS: say so, whatever came after */
			ok(dc, "tls", _("the certificate of %s is valid and "
			    "trusted"), a->host);
			bad(dc, "login", e, a->auth == AUTH_XOAUTH2 ?
			    _("authorize again and check the user key") :
			    _("check user and the password (an app password "
			    "for Gmail and Microsoft 365)"));
			break;
		}
		g_clear_error(&e);
		return;
	}
	ok(dc, "tls", _("the certificate of %s is valid and trusted"),
	    a->host);
	ok(dc, "login", _("logged in as %s"), a->user);
	g_date_clear(&since, 1);
	bizday_jst_date(g_date_time_to_unix(r->now), &since);
	g_date_subtract_days(&since, 90);
	for (i = 0; a->mailboxes[i] != NULL; i++) {
		guint n;

		if (!imap_examine(s, a->mailboxes[i], &mb, &e) ||
		    !count_platform_mail(s, r, domains, &since, &n, &e)) {
			bad(dc, "mailbox", e, _("check the mailboxes key "
			    "(names as your mail program shows them, "
			    "separated by ;)"));
			g_clear_error(&e);
			continue;
		}
		ok(dc, "mailbox", _("%s: %u messages, %u from the platforms in "
		    "the last 90 days"), a->mailboxes[i], mb.exists, n);
	}
	drafts = a->drafts != NULL ? g_strdup(a->drafts) :
	    drafts_find(s, a->host, &e);
	if (drafts == NULL || !imap_status(s, drafts, &mb, &e)) {
		bad(dc, "drafts", e, a->drafts != NULL ? _("check the drafts "
		    "key names an existing mailbox") : _("create a Drafts "
		    "mailbox in your mail program, or name one with the drafts "
		    "key"));
		g_clear_error(&e);
	} else if (a->drafts != NULL)
		ok(dc, "drafts", _("%s (%u messages)"), drafts, mb.exists);
	else
		ok(dc, "drafts", _("%s (%u messages), found by SPECIAL-USE"),
		    drafts, mb.exists);
	g_free(drafts);
	imap_close(s);
}

gboolean
doctor_run(struct run *r, const char *path, FILE *out, GError **err)
{
	struct doctor	 dc = { out, 0, -1 };
	struct config	*cfg;
	struct store	*st;
	GError		*e = NULL;
	char		**domains, **tdirs, *text = NULL;
	gsize		  len;
	FILE		 *mem;
	guint		  i;

	if ((cfg = config_load(path, &e)) == NULL) {
		bad(&dc, "config", e, _("fix each line above in the config "
		    "file (see renraku.conf(5))"));
		g_clear_error(&e);
		goto out;
	}
	ok(&dc, "config", ngettext("%s (%u account)", "%s (%u accounts)",
	    cfg->accounts->len), path, cfg->accounts->len);
	r->cfg = cfg;
	r->cal = &cfg->cal;
	tdirs = run_template_dirs(cfg);
	r->template_dirs = (const char *const *)tdirs;
	domains = rules_sender_domains(r->rules);
	for (i = 0; i < cfg->accounts->len; i++)
		check_account(&dc, r, cfg->accounts->pdata[i], domains);
	g_strfreev(domains);

	if ((st = store_open(cfg->state_dir, &e)) == NULL ||
	    !store_check(st, &e)) {
		bad(&dc, "state", e, _("check the state_dir key and the disk; "
		    "a damaged state.db can be moved away (renraku rebuilds "
		    "it from your mail)"));
		g_clear_error(&e);
	} else
		ok(&dc, "state", _("%s/state.db is sound"), cfg->state_dir);
	store_close(st);

	mem = open_memstream(&text, &len);
	if (mem != NULL && templates_check(r, mem, &e)) {
		fclose(mem);
		ok(&dc, "templates", _("every template checks"));
	} else {
		if (mem != NULL)
			fclose(mem);
		if (e == NULL)
			g_set_error(&e, RENRAKU_ERROR, RENRAKU_ERROR_PERM,
			    _("cannot check templates"));
		g_prefix_error(&e, "%s", text != NULL ? text : "");
		bad(&dc, "templates", e, _("fix each FILE:LINE named above "
		    "(renraku templates check)"));
		g_clear_error(&e);
	}
	free(text);
	r->cfg = NULL;
	r->template_dirs = NULL;
	g_strfreev(tdirs);
	config_free(cfg);
out:
	if (dc.failed == 0) {
		fprintf(out, _("all checks passed\n"));
		return (TRUE);
	}
	g_set_error(err, RENRAKU_ERROR, dc.first_code, ngettext("doctor: %u "
	    "check failed", "doctor: %u checks failed", dc.failed),
	    dc.failed);
	return (FALSE);
}
