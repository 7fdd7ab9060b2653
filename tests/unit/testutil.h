/*
** testutil.h — what the suites that run the vigil binary share: where the
** binary and the repository are, and reading a file whole.
*/
#ifndef VIGIL_TEST_TESTUTIL_H
#define VIGIL_TEST_TESTUTIL_H

#include <stddef.h>

/* The vigil binary: $VIGIL (or ./vigil) as an absolute path when it exists,
** so it still runs after a test changes directory. */
const char *tu_vigil(void);
/* The repository: $VIGIL_ROOT, or "." */
const char *tu_root(void);
/* The whole of path, NUL-terminated (malloc), its length in *n when n is
** not NULL; NULL when it cannot be read (or out of memory). */
char *tu_slurp(const char *path, size_t *n);
/* tu_slurp, but "" (malloc) for a file that cannot be read: for outputs a
** test compares whatever happened.  NULL only when out of memory. */
char *tu_slurp_or_empty(const char *path);

#endif
