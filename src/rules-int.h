/*
 * rules-int.h: what the rules files (rules-load.c, rules.c, normalize.c)
 * share: the loaded rules, and text as the patterns see it.
 */
#ifndef RENRAKU_RULES_INT_H
#define RENRAKU_RULES_INT_H

#include <glib.h>

#include "policy.h"
#include "rules.h"

/* A pattern, the field it looks at, and where it was written. */
struct pattern {
	GRegex		*re;
	gboolean	 body;	/* else the subject */
	char		*src;	/* as written, prefix included */
	int		 line;	/* of its key; 0 unknown */
};

struct event_rule {
	enum event_kind	 kind;
	char		*group;		/* "event KIND" */
	int		 line;		/* of the group header */
	GPtrArray	*subject;	/* of struct pattern: all must match */
	GPtrArray	*body;		/* of struct pattern: all must match */
	GPtrArray	*client;	/* of struct pattern: first hit wins */
	GPtrArray	*title;
};

struct platform {
	char		 *file;		/* the rules file it came from */
	char		 *id;
	char		 *name;
	char		 *remedy;	/* the platform's own remedy, or NULL */
	char		 *url;		/* the thread page, "{key}" in it */
	struct policy_override policy;	/* the platform's own conditions */
	char		**domains;
	int		  domains_line;
	char		**exclude;	/* domains, or addresses with '@' */
	int		  exclude_line;
	GPtrArray	 *keys;		/* of struct pattern, by preference */
	GPtrArray	 *client;	/* of struct pattern */
	GPtrArray	 *title;
	GPtrArray	 *events;	/* of struct event_rule, file order */
};

struct rules {
	GPtrArray	*platforms;	/* of struct platform */
};

/*
 * A text as the rules see it: NFKC-normalised with blanks folded, and for
 * each byte of that, the span of the original it came from, so that a
 * client or title can be given as written (㈱ and ① stay, not "(株)" and
 * "1") while patterns need to know only one form.
 */
struct text {
	char	*orig;		/* valid UTF-8 copy of the input */
	GString	*norm;
	GArray	*from, *to;	/* of gsize: norm byte -> orig span */
};

/* Normalise 's' into 't' (release with text_clear()). */
void		 text_init(struct text *t, const char *s);
void		 text_clear(struct text *t);

/* The original text behind t->norm bytes [s, e), blanks folded and
 * trimmed; allocated ("" when the span is empty). */
char		*text_orig(const struct text *t, gint s, gint e);

/* Whether 'addr' is at 'domain' or one of its subdomains. */
gboolean	 rules_at_domain(const char *addr, const char *domain);

#endif
