/*
 * rules.h: platform rules as data.  One GKeyFile per platform says how to
 * recognise its mail and turn it into an event of a contract thread; see
 * platforms/crowdworks.rules for the format.
 */
#ifndef RENRAKU_RULES_H
#define RENRAKU_RULES_H

#include <stdio.h>

#include <glib.h>

#include "event.h"
#include "mail.h"

struct rules;

/*
 * Load every "*.rules" file of 'dirs' (NULL-terminated, lowest priority
 * first; a file overrides one of the same name in an earlier directory,
 * missing directories are skipped).  Returns rules for rules_free(), or
 * NULL with err set (RENRAKU_ERROR_CONFIG), naming each bad file.
 */
struct rules	*rules_load(const char *const *dirs, GError **err);

void		 rules_free(struct rules *r);

/*
 * Classify 'm'.  Returns FALSE when it comes from no known platform (or
 * from an excluded sender such as a newsletter, which counts as noise of
 * no platform); otherwise fills 'ev' (release with event_clear()).
 * Patterns match the NFKC-normalised subject and body; client and title
 * are then cut from the original text, so ㈱ and ① survive.  Thread-key
 * patterns are tried on the body, then on the links of the HTML parts,
 * then on the subject.  A subject that could not be decoded (it holds
 * U+FFFD) gives EVENT_UNKNOWN whatever it seems to say: renraku does not
 * guess at what it could not read.
 * Pure: no I/O.
 */
gboolean	 rules_classify(const struct rules *r, const struct mail *m,
		    struct event *ev);

/* One pattern of a rules file that took part in a decision. */
struct rules_hit {
	const char	*key;		/* "domains", "exclude", "subject",
					   "body", "thread_key", "client",
					   "title" */
	const char	*pattern;	/* as written (client and title with
					   their "subject:"/"body:" prefix) */
	int		 line;		/* of the key in the file; 0 unknown */
	const char	*group;		/* "platform" or "event KIND" */
	const char	*field;		/* "subject", "body" or "from" */
	char		*text;		/* what it matched (group 0) */
};

/* Why rules_explain() decided what it did.  Strings are borrowed from
 * the rules unless said otherwise. */
struct rules_trace {
	const char	*file;		/* rules file of the platform whose
					   domain matched, or NULL */
	GArray		*hits;		/* of struct rules_hit, in this order:
					   the domain, the exclude entry
					   (only if one matched), the event
					   group's subject and body patterns
					   (only if a group matched), then
					   thread_key, client and title
					   patterns that gave a value */
	const char	*group;		/* the [event KIND] group that matched,
					   or NULL: no group did */
	int		 group_line;	/* its header line */
	guint		 ngroups;	/* event groups tried */
	gboolean	 undecoded;	/* the subject could not be decoded, so
					   no group was tried */
};

/*
 * rules_classify() that also says why in 't' (when not NULL), for
 * "renraku explain": same return value and 'ev'.  't' is always filled
 * (zeroed first) and must be released with rules_trace_clear(), whatever
 * the result.  When the result is FALSE, t->file == NULL means no
 * platform domain matched the sender, else the sender matched an exclude
 * entry (the last hit).  When TRUE with t->group == NULL, the platform is
 * known but no [event KIND] group matched (ev->kind == EVENT_UNKNOWN).
 */
gboolean	 rules_explain(const struct rules *r, const struct mail *m,
		    struct event *ev, struct rules_trace *t);

void		 rules_trace_clear(struct rules_trace *t);

/*
 * Lint the rules files that rules_load(dirs) would load (the same
 * override order) and print one line per problem to 'out' as
 * "FILE:LINE: what" ("FILE: what" when no line applies): syntax errors,
 * unknown groups, keys and event kinds, missing keys, bad patterns
 * (errors); patterns that capture nothing where a value is wanted,
 * patterns that NFKC normalisation would change (they can never match
 * the normalised text), duplicate groups or keys, domains claimed by
 * two platforms (warnings, printed as "FILE:LINE: warning: what").  A
 * file without problems gets "FILE: ok".  Returns TRUE when there is no
 * error (warnings allowed); FALSE with err set (RENRAKU_ERROR_CONFIG)
 * saying how many errors, or that no rules file was found.
 */
gboolean	 rules_check(const char *const *dirs, FILE *out,
		    GError **err);

/*
 * The key of a thread that mail names only by client and job title
 * (Lancers' comment mail): "n" and 8 hex digits of a SHA-256 of the
 * NFKC-normalised client and title (〜 as ～, − as －), so that the same
 * names always give the same key and a user can type it.  Returns an
 * allocated string.
 */
char		*rules_name_key(const char *client, const char *title);

/* Display name of platform 'id' (クラウドワークス...), or 'id' itself. */
const char	*rules_platform_name(const struct rules *r, const char *id);

struct policy;

/* Lay platform 'id''s own conditions (remedy_days, ...) over 'p'. */
void		 rules_platform_policy(const struct rules *r, const char *id,
		    struct policy *p);

/* What platform 'id' offers against a silent client, or "". */
const char	*rules_platform_remedy(const struct rules *r, const char *id);

/* Every platform's id: an allocated strv (g_strfreev). */
char		**rules_platform_ids(const struct rules *r);

/* Every platform's sender domains: an allocated strv (g_strfreev). */
char		**rules_sender_domains(const struct rules *r);

/*
 * NFKC-normalise 's' and fold runs of blanks to one space, line ends
 * kept.  Returns an allocated string.
 */
char		*rules_normalize(const char *s);

#endif
