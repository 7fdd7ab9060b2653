/*
** pgtest.h — what the two PostgreSQL suites (test_pg.c, test_pgshard.c)
** share: the vigil binary and the repository (VIGIL, VIGIL_ROOT), running a
** command with its outputs in files, reading a file whole, a failure with a
** long message, and registering a suite that needs PostgreSQL 15.
*/
#ifndef VIGIL_TEST_PGTEST_H
#define VIGIL_TEST_PGTEST_H

#include <CUnit/CUnit.h>
#include <stddef.h>

#ifndef PGBIN
#define PGBIN "/usr/lib/postgresql/15/bin"
#endif
#define INSTALL "PostgreSQL 15 is not installed (" PGBIN "/initdb): apt-get install postgresql-15"

const char *pgt_vigil(void);  /* $VIGIL, or ./vigil */
const char *pgt_root(void);   /* $VIGIL_ROOT, or . */
/* The whole of path, NUL-terminated (malloc), its length in *n; NULL when unreadable. */
char *pgt_slurp(const char *path, size_t *n);
/* Runs cmd with sh, stdout and stderr into files.  The exit status, -1 when it did not exit. */
int pgt_sh(const char *cmd, const char *out, const char *err);
/* A failure with a message of any length (fmt with three %s), also on stderr. */
void pgt_fail(const char *fmt, const char *a, const char *b, const char *c);
/* Without PostgreSQL 15: as root on Debian, where it can be installed (CI
** does), the suite's tests fail naming the package; elsewhere suite s is
** made inactive (named after the summary), with a line on stderr. */
void pgt_need_postgres(CU_pSuite s);

#endif
