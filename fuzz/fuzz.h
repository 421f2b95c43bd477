/*
 * fuzz.h: what the fuzz targets share.  Each fuzz-*.c defines the two
 * libFuzzer entry points; fuzz/run links them with libFuzzer, and
 * fuzz/replay.c (built by automake as tests/replay-*) calls them on every
 * file of a seed corpus, so the corpus is also an ordinary test.
 *
 * Run them with G_SLICE=always-malloc in the environment (fuzz/run and
 * "make check" set it): GLib 2.74's slice allocator otherwise keeps
 * blocks in its own caches, where LeakSanitizer cannot see them leak.  It
 * must be set before the process starts: GLib's constructors already
 * allocate.
 */
#ifndef RENRAKU_FUZZ_H
#define RENRAKU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <glib/gstdio.h>

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The top of the source tree: $TOP_SRCDIR (as "make check" sets it),
 * else where the target was built from. */
static inline const char *
fuzz_top_srcdir(void)
{
	const char *top = getenv("TOP_SRCDIR");

	if (top != NULL && *top != '\0')
		return (top);
#ifdef FUZZ_TOP_SRCDIR
	return (FUZZ_TOP_SRCDIR);
#else
	return (".");
#endif
}

/* Write 'size' bytes to 'path' (replacing it); aborts on failure, which
 * is the harness's fault, not the code under test's. */
static inline void
fuzz_write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE	*f = fopen(path, "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
}

#endif
