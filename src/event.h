/*
 * event.h: the domain's one model of what happened: the kinds of event a
 * platform mail can tell of, and an event as the rules read it.  Which
 * kinds open and which close a contract is said here once, for the store
 * (joining threads) and the policy (phases).
 */
#ifndef RENRAKU_EVENT_H
#define RENRAKU_EVENT_H

#include <glib.h>

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
	EVENT_REQUEST,		/* the client asks the user to act (a
				   途中終了 request): the user's move */
	EVENT_NKINDS
};

struct event {
	enum event_kind	 kind;
	const char	*platform;	/* platform id, borrowed from rules */
	char		*key;		/* the platform's thread id (normalised:
					   ASCII digits), or NULL */
	char		*client;	/* as the mail wrote it, blanks folded;
					   or NULL */
	char		*title;		/* likewise */
	char		*url;		/* thread page, or NULL */
	char		*name_key;	/* a key made from client and title,
					   for mail that names no id (see
					   rules_name_key()); NULL unless both
					   are known */
};

/* "message", "escrow", ...; the names used in rules files and the store. */
const char	*event_kind_name(enum event_kind kind);

/* The kind named 'name', or -1. */
int		 event_kind_from_name(const char *name);

/* Whether an event of 'kind' makes a contract (contract, 仮払い). */
gboolean	 event_opens_contract(enum event_kind kind);

/* Whether an event of 'kind' ends one (検収, payment, end). */
gboolean	 event_closes_contract(enum event_kind kind);

/* Release what 'ev' holds and zero it. */
void		 event_clear(struct event *ev);

#endif
