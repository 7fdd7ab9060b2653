/*
** pgtest.c — what the PostgreSQL suites share (pgtest.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pgtest.h"

int pgt_sh(const char *cmd, const char *out, const char *err) {
  size_t n = strlen(cmd) + strlen(out) + strlen(err) + 32;
  char *full = malloc(n);
  if (!full) return -1;
  snprintf(full, n, "%s >'%s' 2>'%s'", cmd, out, err);
  int st = system(full);
  free(full);
  if (st == -1 || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

void pgt_fail(const char *fmt, const char *a, const char *b, const char *c) {
  size_t n = strlen(fmt) + strlen(a) + strlen(b) + strlen(c) + 1;
  char *m = malloc(n);
  if (!m) { CU_FAIL("out of memory"); return; }
  snprintf(m, n, fmt, a, b, c);
  CU_assertImplementation(CU_FALSE, __LINE__, m, __FILE__, "", CU_FALSE);
  fprintf(stderr, "postgres: %s\n", m);
  free(m);
}

void pgt_need_postgres(CU_pSuite s) {
  int installed = access(PGBIN "/initdb", X_OK) == 0 && access(PGBIN "/pg_ctl", X_OK) == 0;
  int debian_root = geteuid() == 0 && access("/etc/debian_version", R_OK) == 0;
  if (installed || debian_root) return;
  fprintf(stderr, "suite %s inactive: %s\n", s->pName, INSTALL);
  CU_set_suite_active(s, CU_FALSE);
}
