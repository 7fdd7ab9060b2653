/*
** main.c — the test runner: every CUnit suite, then CUnit's summary.
**
** Suites that run the vigil binary (the golden tests) find it through the
** VIGIL environment variable and the repository through VIGIL_ROOT; the
** Makefile sets both.  Exit status: 0 when every assertion passed.
**
** A passing run prints nothing but the summary: what the tests write to
** stderr and stdout (the diagnostics of rules a test expects to fail, a
** child's output) is kept in a temporary file and shown, before the
** failures, only when something failed.  Tests registered inactive (too slow for every
** run) are named after the summary's table, which counts them.
** UNIT_SUITE=TEXT runs only the suites whose name holds TEXT.
*/
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

/* Copy what was written to f to out. */
static void replay(FILE *f, FILE *out) {
  char buf[8192];
  size_t n;
  fflush(f);
  rewind(f);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, out);
}

/* The suites and tests that did not run because they are inactive. */
static void list_inactive(void) {
  for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext) {
    if (!s->fActive) { printf("inactive: suite %s\n", s->pName); continue; }
    for (CU_pTest t = s->pTest; t; t = t->pNext)
      if (!t->fActive) printf("inactive: %s: %s\n", s->pName, t->pName);
  }
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 2;
  int (*suites[])(void) = {
    unit_register_core, unit_register_lib, unit_register_bc, unit_register_compiler, unit_register_vm,
    unit_register_runtime, unit_register_golden, unit_register_life, unit_register_route, unit_register_testrunner,
    unit_register_fmt,
    unit_register_backtest,
    unit_register_digest,
    unit_register_hardening,
    unit_register_bytes,
    unit_register_outputs,
    unit_register_cli,
    unit_register_ops,
    unit_register_dbrobust,
    unit_register_sandbox,
    unit_register_lang,
    unit_register_calendar,
    unit_register_limits,
    unit_register_api,
    unit_register_schema,
    unit_register_lsp,
    unit_register_postgres,
    unit_register_pgshard,
    unit_register_deliver,
  };
  for (size_t i = 0; i < sizeof suites / sizeof *suites; i++) {
    if (suites[i]() != CUE_SUCCESS) {
      fprintf(stderr, "cannot register suite %zu: %s\n", i, CU_get_error_msg());
      CU_cleanup_registry();
      return 2;
    }
  }
  /* UNIT_SUITE=TEXT: only the suites whose name holds TEXT (the others
  ** are inactive, and named as such) */
  const char *only = getenv("UNIT_SUITE");
  if (only && *only)
    for (CU_pSuite s = CU_get_registry()->pSuite; s; s = s->pNext)
      if (!strstr(s->pName, only)) CU_set_suite_active(s, CU_FALSE);
  /* the tests' stderr goes to a temporary file while they run */
  FILE *log = tmpfile();
  int saved = -1, saved_out = -1;
  fflush(stderr);
  fflush(stdout);
  if (log && (saved = dup(2)) >= 0) dup2(fileno(log), 2);
  /* and their stdout (CUnit's basic runner prints its summary even when
  ** silent: the summary is printed below, after the failures) */
  if (log && (saved_out = dup(1)) >= 0) dup2(fileno(log), 1);
  CU_set_fail_on_inactive(CU_FALSE);
  CU_basic_set_mode(CU_BRM_SILENT);
  CU_basic_run_tests();
  fflush(stderr);
  fflush(stdout);
  if (saved >= 0) {
    dup2(saved, 2);
    close(saved);
  }
  if (saved_out >= 0) {
    dup2(saved_out, 1);
    close(saved_out);
  }
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  if (failed) {
    if (log) {
      fprintf(stderr, "---- what the tests wrote ----\n");
      replay(log, stderr);
      fprintf(stderr, "---- end ----\n");
    }
    fflush(stderr);
    CU_basic_show_failures(CU_get_failure_list());
    printf("\n");
  }
  if (log) fclose(log);
  list_inactive();
  CU_print_run_results(stdout);
  printf("\n");
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
