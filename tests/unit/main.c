/*
** main.c — the test runner: every CUnit suite, then CUnit's summary.
**
** Suites that run the vigil binary (the golden tests) find it through the
** VIGIL environment variable and the repository through VIGIL_ROOT; the
** Makefile sets both.  Exit status: 0 when every assertion passed.
*/
#include <CUnit/Basic.h>
#include <stdio.h>
#include "unit.h"

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
    unit_register_dbrobust,
    unit_register_sandbox,
    unit_register_lang,
    unit_register_calendar,
    unit_register_limits,
    unit_register_api,
  };
  for (size_t i = 0; i < sizeof suites / sizeof *suites; i++) {
    if (suites[i]() != CUE_SUCCESS) {
      fprintf(stderr, "cannot register suite %zu: %s\n", i, CU_get_error_msg());
      CU_cleanup_registry();
      return 2;
    }
  }
  CU_basic_set_mode(CU_BRM_NORMAL);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
