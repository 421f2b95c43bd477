/*
 * replay.c: run a fuzz target's LLVMFuzzerTestOneInput on every file of
 * its seed corpus, without libFuzzer, printing TAP: "make check" builds
 * one tests/replay-TARGET per fuzz/fuzz-TARGET.c with the ordinary
 * compiler, so inputs that once crashed stay fixed (and run under the
 * sanitizers in scripts/check's sanitizer build).
 *
 *	replay-TARGET [DIR|FILE]...
 *
 * With no argument, DIR is $TOP_SRCDIR/fuzz/corpus/TARGET.  A crash ends
 * the run (the TAP driver reports it); anything else is "ok".
 */
#include "fuzz.h"

#include <string.h>

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET='\"name\"'"
#endif

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Add 'path' (a file, or the files of a directory, sorted) to 'files'. */
static gboolean
add_path(GPtrArray *files, const char *path)
{
	GDir		*d;
	GPtrArray	*names;
	const char	*name;
	guint		 i;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_ptr_array_add(files, g_strdup(path));
		return (TRUE);
	}
	if ((d = g_dir_open(path, 0, NULL)) == NULL)
		return (FALSE);
	names = g_ptr_array_new();
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, (gpointer)name);
	g_ptr_array_sort(names, cmp_str);
	for (i = 0; i < names->len; i++) {
		char *f = g_build_filename(path, names->pdata[i], NULL);

		if (g_file_test(f, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(files, f);
		else
			g_free(f);
	}
	g_ptr_array_free(names, TRUE);
	g_dir_close(d);
	return (TRUE);
}

int
main(int argc, char **argv)
{
	GPtrArray	*files;
	guint		 i;
	int		 status = 0;

	files = g_ptr_array_new_with_free_func(g_free);
	if (argc > 1) {
		for (i = 1; i < (guint)argc; i++)
			if (!add_path(files, argv[i])) {
				printf("Bail out! cannot read %s\n", argv[i]);
				return (2);
			}
	} else {
		char *dir = g_build_filename(fuzz_top_srcdir(), "fuzz",
		    "corpus", FUZZ_TARGET, NULL);

		if (!add_path(files, dir)) {
			printf("Bail out! cannot read %s\n", dir);
			return (2);
		}
		g_free(dir);
	}
	if (files->len == 0) {
		printf("Bail out! no inputs\n");
		return (2);
	}
	LLVMFuzzerInitialize(&argc, &argv);
	printf("1..%u\n", files->len);
	for (i = 0; i < files->len; i++) {
		const char	*f = files->pdata[i];
		char		*data;
		gsize		 len;

		/* say which input is running, in case it crashes */
		printf("# %s\n", f);
		fflush(stdout);
		if (!g_file_get_contents(f, &data, &len, NULL)) {
			printf("not ok %u - %s: cannot read\n", i + 1, f);
			status = 1;
			continue;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		g_free(data);
		printf("ok %u - " FUZZ_TARGET " %s\n", i + 1,
		    strrchr(f, '/') != NULL ? strrchr(f, '/') + 1 : f);
	}
	g_ptr_array_unref(files);
	return (status);
}
