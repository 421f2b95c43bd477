/*
 * rules.h: platform rules as data.  One GKeyFile per platform says how to
 * recognise its mail and turn it into an event of a contract thread; see
 * platforms/crowdworks.rules for the format.
 */
#ifndef RENRAKU_RULES_H
#define RENRAKU_RULES_H

#include <glib.h>

#include "mail.h"

/* What a notification mail says happened.  Names are in event_kind_name. */
enum event_kind {
	EVENT_UNKNOWN,		/* from a platform, not recognised */
	EVENT_NOISE,		/* digests, newsletters: no thread */
	EVENT_MESSAGE,		/* the client wrote */
	EVENT_SCOUT,		/* scout, invitation, consultation */
	EVENT_CONTRACT,		/* 契約成立 */
	EVENT_ESCROW,		/* 仮払い done */
	EVENT_DELIVERY,		/* 納品 / 完了報告 by the user */
	EVENT_ACCEPTED,		/* 検収 / 承諾 */
	EVENT_RETURNED,		/* 差し戻し */
	EVENT_PAYMENT,		/* payment fixed */
	EVENT_ENDED,		/* ended or cancelled */
	EVENT_NKINDS
};

struct event {
	enum event_kind	 kind;
	const char	*platform;	/* platform id, borrowed from rules */
	char		*key;		/* the platform's thread id, or NULL */
	char		*client;	/* or NULL */
	char		*title;		/* or NULL */
	char		*url;		/* thread page, or NULL */
};

struct rules;

/* "message", "escrow", ...; the names used in rules files and the store. */
const char	*event_kind_name(enum event_kind kind);

/* The kind named 'name', or -1. */
int		 event_kind_from_name(const char *name);

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
 * Pure: no I/O.
 */
gboolean	 rules_classify(const struct rules *r, const struct mail *m,
		    struct event *ev);

void		 event_clear(struct event *ev);

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
