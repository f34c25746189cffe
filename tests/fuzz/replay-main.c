/* replay-main.c — runs a libFuzzer target over files, without libFuzzer.
 *
 * Linked into every fuzz target when the `fuzzing` option is off, so the
 * seed corpus (and any crash reproducer added to it) runs in every
 * `meson test` with the normal compiler (STYLE.md habit 12; GLib fuzzing/).
 *
 *   fuzz-TARGET [FILE|DIR]...
 *
 * Each FILE, and each regular file directly in each DIR (in name order), is
 * handed to LLVMFuzzerTestOneInput in a malloc'd buffer of exactly its size,
 * so ASan/valgrind see reads past the end. Exits 1 when an argument cannot
 * be read or when no input was run at all (a missing corpus must not pass
 * silently). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static int
run_file (const char *path)
{
	FILE *fp = fopen (path, "rb");
	struct stat st;
	uint8_t *buf;
	size_t n;

	if (fp == NULL || fstat (fileno (fp), &st) != 0) {
		fprintf (stderr, "replay: %s: %s\n", path, strerror (errno));
		if (fp)
			fclose (fp);
		return -1;
	}
	/* malloc (0) may return NULL: keep one byte so data is never NULL */
	buf = malloc ((size_t) st.st_size + 1);
	if (buf == NULL) {
		fclose (fp);
		fprintf (stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	n = fread (buf, 1, (size_t) st.st_size, fp);
	fclose (fp);
	if (n != (size_t) st.st_size) {
		fprintf (stderr, "replay: %s: short read\n", path);
		free (buf);
		return -1;
	}
	fprintf (stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput (buf, n);
	free (buf);
	return 0;
}

static int
compare_names (const void *a, const void *b)
{
	return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
run_dir (const char *dir, unsigned *count)
{
	DIR *d = opendir (dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (d == NULL) {
		fprintf (stderr, "replay: %s: %s\n", dir, strerror (errno));
		return -1;
	}
	while ((e = readdir (d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc (names, cap * sizeof *names);
			if (names == NULL)
				abort ();
		}
		names[n++] = strdup (e->d_name);
	}
	closedir (d);
	qsort (names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen (dir) + strlen (names[i]) + 2;
		char *path = malloc (len);
		struct stat st;

		snprintf (path, len, "%s/%s", dir, names[i]);
		if (stat (path, &st) == 0 && S_ISREG (st.st_mode)) {
			if (run_file (path) != 0)
				rc = -1;
			else
				(*count)++;
		}
		free (path);
		free (names[i]);
	}
	free (names);
	return rc;
}

int
main (int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize (&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat (argv[i], &st) != 0) {
			fprintf (stderr, "replay: %s: %s\n", argv[i], strerror (errno));
			rc = 1;
		} else if (S_ISDIR (st.st_mode)) {
			if (run_dir (argv[i], &count) != 0)
				rc = 1;
		} else if (run_file (argv[i]) != 0) {
			rc = 1;
		} else {
			count++;
		}
	}
	fprintf (stderr, "replay: %u input(s) run\n", count);
	if (count == 0) {
		fprintf (stderr, "replay: no input: give corpus directories or files\n");
		return 1;
	}
	return rc;
}
