/*
** pgtest.h — what the two PostgreSQL suites (test_pg.c, test_pgshard.c)
** share besides testutil.h (the binary, the repository, reading a file):
** running a command with its outputs in files, a failure with a long
** message, and registering a suite that needs PostgreSQL 15.
*/
#ifndef VIGIL_TEST_PGTEST_H
#define VIGIL_TEST_PGTEST_H

#include <CUnit/CUnit.h>
#include <stddef.h>
#include "testutil.h"

#ifndef PGBIN
#define PGBIN "/usr/lib/postgresql/15/bin"
#endif
#define INSTALL "PostgreSQL 15 is not installed (" PGBIN "/initdb): apt-get install postgresql-15"

/* Runs cmd with sh, stdout and stderr into files.  The exit status, -1 when it did not exit. */
int pgt_sh(const char *cmd, const char *out, const char *err);
/* A failure with a message of any length (fmt with three %s), also on stderr. */
void pgt_fail(const char *fmt, const char *a, const char *b, const char *c);
/* Without PostgreSQL 15: as root on Debian, where it can be installed (CI
** does), the suite's tests fail naming the package; elsewhere suite s is
** made inactive (named after the summary), with a line on stderr. */
void pgt_need_postgres(CU_pSuite s);

#endif
