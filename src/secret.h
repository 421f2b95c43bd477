/*
 * secret.h: passwords, tokens and forms that hold them never outlive
 * their use in memory.
 */
#ifndef RENRAKU_SECRET_H
#define RENRAKU_SECRET_H

#include <string.h>

#include <glib.h>

/*
 * Zero 'n' bytes at 'p' in a way the compiler may not drop as a store
 * nobody reads.  explicit_bzero() is no POSIX function (glibc hides it
 * under _POSIX_C_SOURCE, macOS has none): memset() called through a
 * volatile pointer must be called, since the pointer's value can only be
 * known by reading it at run time.
 */
static inline void
secret_wipe(void *p, size_t n)
{
	void	*(*volatile wipe)(void *, int, size_t) = memset;

	if (p != NULL && n > 0)
		wipe(p, 0, n);
}

/* Wipe the string 's' (may be NULL) and g_free it. */
static inline void
secret_free(char *s)
{
	if (s == NULL)
		return;
	secret_wipe(s, strlen(s));
	g_free(s);
}

#endif
