/*
 * secret.h: passwords, tokens and forms that hold them never outlive
 * their use in memory.
 */
#ifndef RENRAKU_SECRET_H
#define RENRAKU_SECRET_H

#include <string.h>

#include <glib.h>

/* Wipe the string 's' (may be NULL) and g_free it. */
static inline void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	g_free(s);
}

#endif
