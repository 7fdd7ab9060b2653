/*
** test_api.c — the public interface as an embedder meets it (include/vigil.h,
** docs/API.md): the version and status names, params per run on const
** programs, runs on the caller's SQLite connection (in memory, inside the
** caller's transaction), callbacks that stop a run, a step budget per run,
** alert sets, lead time and the matching of two versions' alerts.
*/
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil.h"
#include "harness.h"
#include "unit.h"

/* Alerts as "RULE KEY TIER MESSAGE" lines (a callback's out_ud). */
typedef struct lines {
  char text[8192];
  int n;
} lines;

static void collect(void *ud, const vg_alert *a) {
  lines *l = ud;
  size_t len = strlen(l->text);
  snprintf(l->text + len, sizeof l->text - len, "%s %.*s %s %.*s\n", a->rule, (int)a->key_len, a->key, a->tier,
           (int)a->message_len, a->message ? a->message : "");
  l->n++;
}

static void quiet(void *ud, const vg_diag *d) { (void)ud; (void)d; }

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

/* ---- params per run ------------------------------------------------------------ */

static const char *const P_SQL = "CREATE TABLE s(k INTEGER, d DATE, x REAL);"
                                 "INSERT INTO s VALUES (1, '2025-01-01', 1), (2, '2025-01-01', 5);";
static const char *const P_RULES = "param grace = 5 days\nparam slump = 20%\nparam who = \"ann\"\n"
                                   "param start = 2025-01-01\nparam on_ = true\n"
                                   "source s { table s key k time d }\n"
                                   "rule r on s { red when on_ and x > slump * 10\n"
                                   "  message \"{grace} {slump} {who} {start} {on_}\" }\n";

/* Runs p on the harness's database with ps; the alerts as lines. */
static const char *run_with(vg_program *p, const vg_params *ps) {
  th_params = ps;
  int st = th_run(&p, 1, "2025-01-02", 1, 0);
  th_params = NULL;
  return st == VG_OK ? th_alert_lines(0) : "(the run failed)";
}

static void test_params_values(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(P_SQL), 0);
  vg_program *p = th_compile("p.rules", P_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_STRING_EQUAL(run_with(p, NULL), "2 red 5 days 0.2 ann 2025-01-01 true\n");
  vg_params *ps = vg_params_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(ps);
  char err[256];
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "grace", "7days", err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "25%", err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "who", "\"bob\"", err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "start", "2025-02-01", err, sizeof err), VG_OK);
  CU_ASSERT_STRING_EQUAL(run_with(p, ps), "2 red 7 days 0.25 bob 2025-02-01 true\n");
  /* the last value wins; a literal's spellings */
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "grace", "2 weeks", err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "0.05", err, sizeof err), VG_OK);
  CU_ASSERT_STRING_EQUAL(run_with(p, ps), "1 red 14 days 0.05 bob 2025-02-01 true\n2 red 14 days 0.05 bob 2025-02-01 true\n");
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "grace", "-1 day", err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "on_", "false", err, sizeof err), VG_OK);
  CU_ASSERT_STRING_EQUAL(run_with(p, ps), "");
  /* the program itself never changed: a run without the set, and its listing */
  CU_ASSERT_STRING_EQUAL(run_with(p, NULL), "2 red 5 days 0.2 ann 2025-01-01 true\n");
  char *listing = vg_disasm(p);
  CU_ASSERT_PTR_NOT_NULL(listing);
  if (listing) CU_ASSERT_PTR_NOT_NULL(strstr(listing, "param 0 grace = 5 days"));
  vg_free(listing);
  vg_params_free(ps);
  vg_params_free(NULL);
  vg_free_program(p);
}

static void test_params_errors(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(P_SQL), 0);
  vg_program *p = th_compile("p.rules", P_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  vg_params *ps = vg_params_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(ps);
  char err[256];
  /* a value of another type: VG_EPARAM, and the value is not kept */
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "grace", "7", err, sizeof err), VG_EPARAM);
  CU_ASSERT_STRING_EQUAL(err, "param grace is a duration, and this is a number (write a duration, e.g. 7days)");
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "5 days", err, sizeof err), VG_EPARAM);
  CU_ASSERT_STRING_EQUAL(err, "param slump is a number, and this is a duration");
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "null", err, sizeof err), VG_EPARAM);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "start", "\"2025-01-01\"", err, sizeof err), VG_EPARAM);
  /* not a literal */
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "abc", err, sizeof err), VG_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a literal of the rule language"));
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "1 2", err, sizeof err), VG_EPARAM);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "", err, sizeof err), VG_EPARAM);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "1 + 2", err, sizeof err), VG_EPARAM);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "start", "2025-02-30", err, sizeof err), VG_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a calendar date"));
  /* an unknown name: its own status, and the message lists the params */
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "nosuch", "1", err, sizeof err), VG_ENOPARAM);
  CU_ASSERT_STRING_EQUAL(err, "pack p has no param 'nosuch'; its params are grace, slump, who, start, on_");
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "nosuch", "1", NULL, 0), VG_ENOPARAM);
  /* no message names a command-line flag */
  CU_ASSERT_PTR_NULL(strstr(err, "--"));
  /* none of them was kept */
  CU_ASSERT_STRING_EQUAL(run_with(p, ps), "2 red 5 days 0.2 ann 2025-01-01 true\n");
  vg_params_free(ps);
  vg_free_program(p);
}

/* An override set for one program of a pack does not fit another program
** of the same name: the run says so, with its own status, before reading. */
static void test_params_other_program(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(P_SQL), 0);
  vg_program *p = th_compile("p.rules", P_RULES, NULL);
  vg_program *q = th_compile("p.rules", "param grace = 1\nsource s { table s key k time d }\n"
                                         "rule r on s { red when x > grace }\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_PTR_NOT_NULL_FATAL(q);
  vg_params *ps = vg_params_new();
  char err[256];
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "grace", "7days", err, sizeof err), VG_OK);
  th_clear_diags();
  th_params = ps;
  CU_ASSERT_EQUAL(th_run(&q, 1, "2025-01-02", 1, 0), VG_EPARAM);
  CU_ASSERT(th_diag_has("pack p: the override of param 'grace' was set for another program of that pack"));
  vg_params *ps2 = vg_params_new();
  CU_ASSERT_EQUAL(vg_params_set(ps2, p, "slump", "1", err, sizeof err), VG_OK);
  th_params = ps2;
  CU_ASSERT_EQUAL(th_run(&q, 1, "2025-01-02", 1, 0), VG_ENOPARAM);
  CU_ASSERT(th_diag_has("pack p: the override of param 'slump' was set for another program of that pack (this one has no such param)"));
  th_params = NULL;
  vg_params_free(ps2);
  CU_ASSERT_EQUAL(vg_params_set(ps, q, "nosuch", "1", err, sizeof err), VG_ENOPARAM);
  CU_ASSERT_STRING_EQUAL(err, "pack p has no param 'nosuch'; its params are grace");
  vg_params_free(ps);
  vg_free_program(p);
  vg_free_program(q);
}

/* One const program, two threads, two sets of params, at the same time. */
typedef struct par_run {
  const vg_program *p;
  const vg_params *ps;
  const char *db;
  lines out;
  vg_status st;
} par_run;

static void *par_main(void *arg) {
  par_run *r = arg;
  for (int i = 0; i < 20 && r->st == VG_OK; i++) {
    r->out.text[0] = 0;
    r->out.n = 0;
    vg_run_opts ro = {.db_path = r->db, .params = r->ps, .as_of = "2025-01-02", .dry_run = 1, .diag = quiet,
                      .alert = collect, .out_ud = &r->out};
    r->st = vg_run(&r->p, 1, &ro);
  }
  return NULL;
}

static void test_params_concurrent(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(P_SQL), 0);
  vg_program *p = th_compile("p.rules", P_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  vg_params *a = vg_params_new(), *b = vg_params_new();
  char err[256];
  CU_ASSERT_EQUAL(vg_params_set(a, p, "who", "\"ann-a\"", err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_params_set(b, p, "who", "\"bob-b\"", err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_params_set(b, p, "slump", "0.01", err, sizeof err), VG_OK);
  par_run r[2] = {{.p = p, .ps = a, .db = th_db_path()}, {.p = p, .ps = b, .db = th_db_path()}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++) CU_ASSERT_EQUAL(pthread_create(&t[i], NULL, par_main, &r[i]), 0);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  CU_ASSERT_EQUAL(r[0].st, VG_OK);
  CU_ASSERT_EQUAL(r[1].st, VG_OK);
  CU_ASSERT_STRING_EQUAL(r[0].out.text, "r 2 red 5 days 0.2 ann-a 2025-01-01 true\n");
  CU_ASSERT_STRING_EQUAL(r[1].out.text, "r 1 red 5 days 0.01 bob-b 2025-01-01 true\nr 2 red 5 days 0.01 bob-b 2025-01-01 true\n");
  vg_params_free(a);
  vg_params_free(b);
  vg_free_program(p);
}

int unit_register_api(void) {
  CU_pSuite s = CU_add_suite("api", NULL, th_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "vg_libversion and VG_VERSION_NUMBER", test_version) ||
      !CU_add_test(s, "vg_status_name", test_status_names) ||
      !CU_add_test(s, "vg_free frees what the library returns", test_free_disasm) ||
      !CU_add_test(s, "params per run: every type, the last value wins, the program unchanged", test_params_values) ||
      !CU_add_test(s, "params per run: VG_ENOPARAM and VG_EPARAM, their messages", test_params_errors) ||
      !CU_add_test(s, "params per run: an override for another program of the pack", test_params_other_program) ||
      !CU_add_test(s, "params per run: one const program, two threads, two sets", test_params_concurrent))
    return CU_get_error();
  return CUE_SUCCESS;
}
