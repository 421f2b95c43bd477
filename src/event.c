/*
 * event.c: event kinds, and which of them open and close a contract.
 */
#include "event.h"

#include <string.h>

static const char *const kind_names[EVENT_NKINDS] = {
	"unknown", "noise", "message", "scout", "contract", "escrow",
	"delivery", "accepted", "returned", "payment", "ended", "request",
};

const char *
event_kind_name(enum event_kind kind)
{
	return (kind < EVENT_NKINDS ? kind_names[kind] : "unknown");
}

int
event_kind_from_name(const char *name)
{
	int	i;

	for (i = 0; i < EVENT_NKINDS; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (i);
	return (-1);
}

gboolean
event_opens_contract(enum event_kind kind)
{
	return (kind == EVENT_CONTRACT || kind == EVENT_ESCROW);
}

gboolean
event_closes_contract(enum event_kind kind)
{
	return (kind == EVENT_ACCEPTED || kind == EVENT_PAYMENT ||
	    kind == EVENT_ENDED);
}

void
event_clear(struct event *ev)
{
	g_free(ev->key);
	g_free(ev->name_key);
	g_free(ev->client);
	g_free(ev->title);
	g_free(ev->url);
	memset(ev, 0, sizeof *ev);
}
