/*
** test_api.c — the public interface as an embedder meets it (include/vigil.h,
** docs/API.md): the version and status names, params per run on const
** programs, runs on the caller's SQLite connection (in memory, inside the
** caller's transaction), callbacks that stop a run, a step budget per run,
** alert sets, lead time and the matching of two versions' alerts.
*/
#include <CUnit/CUnit.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil.h"
#include "unit.h"

/* ---- version, statuses, vg_free ---------------------------------------------- */

static void test_version(void) {
  CU_ASSERT_STRING_EQUAL(vg_libversion(), VG_VERSION);
  CU_ASSERT_EQUAL(vg_libversion_number(), VG_VERSION_NUMBER);
  /* VG_VERSION_NUMBER is MAJOR * 1000000 + MINOR * 1000 + PATCH of VG_VERSION */
  int major = 0, minor = 0, patch = 0;
  CU_ASSERT_EQUAL(sscanf(VG_VERSION, "%d.%d.%d", &major, &minor, &patch), 3);
  CU_ASSERT_EQUAL(VG_VERSION_NUMBER, major * 1000000 + minor * 1000 + patch);
}

static void test_status_names(void) {
  CU_ASSERT_STRING_EQUAL(vg_status_name(VG_OK), "VG_OK");
  CU_ASSERT_STRING_EQUAL(vg_status_name(VG_EINPUT), "VG_EINPUT");
  CU_ASSERT_STRING_EQUAL(vg_status_name(VG_EUSAGE), "VG_EUSAGE");
  CU_ASSERT_STRING_EQUAL(vg_status_name(VG_ENOMEM), "VG_ENOMEM");
  CU_ASSERT_STRING_EQUAL(vg_status_name(VG_EIO), "VG_EIO");
  CU_ASSERT_STRING_EQUAL(vg_status_name(VG_EDB), "VG_EDB");
  CU_ASSERT_STRING_EQUAL(vg_status_name((vg_status)99), "VG_UNKNOWN");
  CU_ASSERT_STRING_EQUAL(vg_status_name((vg_status)-1), "VG_UNKNOWN");
}

static void test_free_disasm(void) {
  vg_compile_opts co = {.max_errors = 1};
  vg_program *p = NULL;
  const char *rules = "pack t\nsource s { table s key k time d }\nrule r on s { red when x > 1 }\n";
  CU_ASSERT_EQUAL_FATAL(vg_compile_string("t.rules", rules, strlen(rules), "CREATE TABLE s(k INTEGER, d DATE, x REAL);",
                                          &co, &p), VG_OK);
  char *text = vg_disasm(p);
  CU_ASSERT_PTR_NOT_NULL(text);
  if (text) CU_ASSERT_PTR_NOT_NULL(strstr(text, "pack t"));
  vg_free(text);
  vg_free(NULL);
  vg_free_program(p);
}

int unit_register_api(void) {
  CU_pSuite s = CU_add_suite("api", NULL, NULL);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "vg_libversion and VG_VERSION_NUMBER", test_version) ||
      !CU_add_test(s, "vg_status_name", test_status_names) ||
      !CU_add_test(s, "vg_free frees what the library returns", test_free_disasm))
    return CU_get_error();
  return CUE_SUCCESS;
}
