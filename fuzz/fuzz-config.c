/*
 * fuzz-config.c: the input as a configuration file in a private
 * directory, read by config_load.  The file is private (0600) or not
 * depending on the input's length, so both ways of reading a password
 * key are taken.
 */
#include "fuzz.h"

#include "config.h"

static char	*dir, *file;

static void
done(void)
{
	if (file != NULL)
		g_unlink(file);
	if (dir != NULL)
		g_rmdir(dir);
	g_clear_pointer(&file, g_free);
	g_clear_pointer(&dir, g_free);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if ((dir = g_dir_make_tmp("renraku-fuzz-config-XXXXXX", NULL)) ==
	    NULL) {
		perror("fuzz-config");
		abort();
	}
	file = g_build_filename(dir, "config", NULL);
	atexit(done);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg;
	GError		*e = NULL;

	fuzz_write_file(file, data, size);
	if (g_chmod(file, size % 2 == 0 ? 0600 : 0644) != 0)
		abort();
	if ((cfg = config_load(file, &e)) != NULL) {
		if (cfg->accounts->len == 0)
			abort();	/* config.h: at least one */
		config_free(cfg);
	} else
		g_clear_error(&e);
	return (0);
}
