/*
 * jsonout.h: what renraku's JSON writers (status --json, notify_url)
 * share.
 */
#ifndef RENRAKU_JSONOUT_H
#define RENRAKU_JSONOUT_H

#include <json-glib/json-glib.h>

/* Member 'name' of the object being built: 'value', or null for NULL. */
static inline void
jsonout_member(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

#endif
