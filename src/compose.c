/*
 * compose.c: fill the templates and add the user's note.
 */
#include "compose.h"

#include <stdio.h>
#include <string.h>

#include "bizday.h"
#include "draft.h"
#include "log.h"
#include "template.h"

static void
put(GHashTable *v, const char *name, char *value)
{
	g_hash_table_insert(v, (gpointer)name, value);
}

/* What the article advises the user in each phase. */
static const char *
advice(enum phase phase)
{
	switch (phase) {
	case PHASE_CONTRACTED:
		return ("仮払いがまだです。作業は始めずに返信を待ちましょう。"
		    "作業前のまま連絡がなければ、契約の終了も考えましょう。");
	case PHASE_FUNDED:
		return ("仮払い済みです。作業を終えて納品すれば、"
		    "プラットフォームが預かっている報酬を受け取れます。");
	case PHASE_DELIVERED:
		return ("納品済みで、検収を待っています"
		    "（クラウドワークスの目安は1週間）。");
	default:
		return ("仮払いが済んでいるか、プラットフォームで確かめましょう。"
		    "まだなら作業は進めずに返信を待ちましょう。");
	}
}

gboolean
compose_draft(const struct run *r, const struct thread *t,
    const struct decision *d, guint step, struct composed *c,
    GError **err)
{
	struct template	*tmpl;
	GHashTable	*v, *sections;
	GDate		 last;
	GString		*body;
	char		*msg, *all;

	memset(c, 0, sizeof *c);
	tmpl = template_load(r->template_dirs, t->platform,
	    policy_template(d->phase, step), err);
	if (tmpl == NULL)
		return (FALSE);
	v = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_date_clear(&last, 1);
	bizday_jst_date(d->has_client ? d->last_client : d->anchor, &last);
	put(v, "client_name", g_strdup(t->client != NULL ? t->client :
	    "ご担当者"));
	put(v, "your_name", g_strdup(r->cfg->your_name));
	put(v, "job_title", g_strdup(t->title != NULL ? t->title : ""));
	put(v, "platform_name", g_strdup(rules_platform_name(r->rules,
	    t->platform)));
	put(v, "thread_url", g_strdup(t->url != NULL ? t->url : ""));
	put(v, "last_contact", bizday_format_ja(&last));
	put(v, "days_silent", g_strdup_printf("%u", d->days_silent));
	put(v, "step", g_strdup_printf("%u", step));
	put(v, "remedy", g_strdup(rules_platform_remedy(r->rules,
	    t->platform)));
	sections = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_add(sections, (gpointer)phase_name(d->phase));
	if (d->phase == PHASE_CONTRACTED)
		g_hash_table_add(sections, (gpointer)"not_funded");

	c->template_path = g_strdup(tmpl->path);
	c->step = step;
	c->to_user = step >= 3;
	c->subject = template_render(tmpl->subject, v, NULL, TRUE);
	msg = template_render(tmpl->body, v, sections, FALSE);
	body = g_string_new(msg);
	g_free(msg);
	if (!c->to_user) {
		g_string_append_printf(body, "\n"
		    "――――――――――――――――――――――――――――――\n"
		    "renraku メモ（この線から下は送信前に削除してください）\n"
		    "プラットフォーム: %s\n"
		    "案件: %s\n"
		    "スレッド: %s\n"
		    "クライアントの最後の連絡: %s\n"
		    "無連絡の営業日数: %s日\n"
		    "フォローアップ: %u回目\n"
		    "アドバイス: %s\n",
		    (char *)g_hash_table_lookup(v, "platform_name"),
		    (char *)g_hash_table_lookup(v, "job_title"),
		    (char *)g_hash_table_lookup(v, "thread_url"),
		    (char *)g_hash_table_lookup(v, "last_contact"),
		    (char *)g_hash_table_lookup(v, "days_silent"), step,
		    advice(d->phase));
	}
	c->body = g_string_free(body, FALSE);
	all = g_strdup_printf("%u\n%d\n%s\n%s", step, c->to_user, c->subject,
	    c->body);
	c->content_hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
	    all, -1);
	g_free(all);
	g_hash_table_unref(sections);
	g_hash_table_unref(v);
	template_free(tmpl);
	return (TRUE);
}

void
composed_clear(struct composed *c)
{
	g_free(c->template_path);
	g_free(c->subject);
	g_free(c->body);
	g_free(c->content_hash);
	memset(c, 0, sizeof *c);
}

char *
compose_message(const struct run *r, const char *user,
    const struct thread *t, const struct composed *c,
    const char *message_id, gsize *len)
{
	struct draft	d;
	gboolean	fell_back;
	char		*wire;

	memset(&d, 0, sizeof d);
	d.from_name = r->cfg->your_name;
	d.from_addr = user;
	d.to_addr = c->to_user ? user : NULL;
	d.subject = c->subject;
	d.body = c->body;
	d.thread = t->id;
	d.step = c->step;
	d.message_id = message_id;
	d.date = r->now;
	d.iso2022jp = r->cfg->iso2022jp;
	wire = draft_build(&d, len, &fell_back);
	if (fell_back)
		log_warning("%s: the draft has characters ISO-2022-JP "
		    "cannot carry; it is written in UTF-8", t->id);
	return (wire);
}

char *
compose_message_id(const char *thread, guint step, gint64 now,
    const char *user)
{
	return (draft_message_id(thread, step, now, user));
}
