/*
** test_api.c — the public interface as an embedder meets it (include/vigil.h,
** docs/API.md): the version and status names, params per run on const
** programs, runs on the caller's SQLite connection (in memory, inside the
** caller's transaction), callbacks that stop a run, a step budget per run,
** vg_test_path in two threads, lead time and the matching of two versions'
** alerts.
*/
#include <CUnit/CUnit.h>
#include <math.h>
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

static int collect(void *ud, const vg_alert *a) {
  lines *l = ud;
  size_t len = strlen(l->text);
  snprintf(l->text + len, sizeof l->text - len, "%s %.*s %s %.*s\n", a->rule, (int)a->key_len, a->key, a->tier,
           (int)a->message_len, a->message ? a->message : "");
  l->n++;
  return 0;
}

static void quiet(void *ud, const vg_diag *d) { (void)ud; (void)d; }

/* The diagnostics as "CODE MESSAGE" lines (a diag callback's ud). */
typedef struct diags {
  char text[4096];
} diags;

static void keep_diag(void *ud, const vg_diag *d) {
  diags *g = ud;
  size_t len = strlen(g->text);
  snprintf(g->text + len, sizeof g->text - len, "%s%s%s\n", d->code ? d->code : "", d->code ? " " : "", d->message);
}

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
  CU_ASSERT_STRING_EQUAL(err, "param grace is a duration, and this is a number: write a duration, e.g. 7days or 2weeks");
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "5 days", err, sizeof err), VG_EPARAM);
  CU_ASSERT_STRING_EQUAL(err, "param slump is a number, and this is a duration: write a number, e.g. 3, 0.25 or 20%");
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "null", err, sizeof err), VG_EPARAM);
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "start", "\"2025-01-01\"", err, sizeof err), VG_EPARAM);
  /* not a literal */
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "abc", err, sizeof err), VG_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a literal of the rule language"));
  /* and it says which literal the param takes */
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "; param slump takes a number, e.g. 3, 0.25 or 20%"));
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "grace", "three", err, sizeof err), VG_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "; param grace takes a duration, e.g. 7days or 2weeks"));
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "start", "2025-06-31", err, sizeof err), VG_EPARAM);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "is not a calendar date; param start takes a date YYYY-MM-DD"));
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

/* ---- the caller's connection ---------------------------------------------------- */

static const char *const DB_SCHEMA = "CREATE TABLE snap(rep INTEGER, d DATE, sup INTEGER, booked REAL);";
static const char *const DB_ROWS = "INSERT INTO snap VALUES (1,'2025-06-13',90,40),(2,'2025-06-13',90,60),"
                                   "(3,'2025-06-13',91,50),(1,'2025-06-27',90,50),(3,'2025-06-27',91,70);";
/* a rule on the members and one on a rollup (a temporary table of the run) */
static const char *const DB_RULES = "source snap { table snap key rep time d }\n"
                                    "rollup team from snap by sup { booked = sum(booked) }\n"
                                    "rule low on snap { red when booked < 55 message \"{booked}\" }\n"
                                    "rule team_low on team { yellow when booked < 100 message \"{booked}\" }\n";

static vg_program *db_program(void) {
  vg_compile_opts co = {.diag = quiet};
  vg_program *p = NULL;
  vg_compile_string("db.rules", DB_RULES, strlen(DB_RULES), DB_SCHEMA, &co, &p);
  return p;
}

static long long q_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

/* What the run left on the connection: temporary objects, vigil_day and
** vigil_unread. */
static void assert_clean(sqlite3 *db) {
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM temp.sqlite_schema"), 0);
  sqlite3_stmt *st = NULL;
  CU_ASSERT_NOT_EQUAL(sqlite3_prepare_v2(db, "SELECT vigil_day('2025-01-01')", -1, &st, NULL), SQLITE_OK);
  sqlite3_finalize(st);
  st = NULL;
  CU_ASSERT_NOT_EQUAL(sqlite3_prepare_v2(db, "SELECT vigil_unread('2025-01-01')", -1, &st, NULL), SQLITE_OK);
  sqlite3_finalize(st);
}

static vg_status run_on(sqlite3 *db, const vg_program *p, int dry, lines *out, diags *g) {
  out->text[0] = 0;
  out->n = 0;
  vg_run_opts ro = {.db = db, .as_of = "2025-06-30", .dry_run = dry, .diag = g ? keep_diag : quiet, .ud = g,
                    .alert = collect, .out_ud = out};
  return vg_run(&p, 1, &ro);
}

static void test_db_in_memory(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, DB_SCHEMA, NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, DB_ROWS, NULL, NULL, NULL), SQLITE_OK);
  const vg_program *p = db_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines out;
  /* a dry run, then a recording one: both on the caller's in-memory database */
  CU_ASSERT_EQUAL(run_on(db, p, 1, &out, NULL), VG_OK);
  CU_ASSERT_STRING_EQUAL(out.text, "low 1 red 50\nteam_low 91 yellow 70\n");
  assert_clean(db);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'vigil_runs'"), 0);
  CU_ASSERT_EQUAL(run_on(db, p, 0, &out, NULL), VG_OK);
  CU_ASSERT_EQUAL(out.n, 2);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_runs"), 1);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_alerts"), 2);
  CU_ASSERT_EQUAL(sqlite3_get_autocommit(db), 1);
  assert_clean(db);
  /* a backtest at the snapshot dates, on the same connection */
  out.text[0] = 0;
  out.n = 0;
  vg_backtest_opts bo = {.db = db, .from = "2025-06-01", .to = "2025-06-30", .at_snapshots = 1, .record = 1,
                         .diag = quiet, .alert = collect, .out_ud = &out};
  CU_ASSERT_EQUAL(vg_backtest(&p, 1, &bo), VG_OK);
  CU_ASSERT_STRING_EQUAL(out.text, "low 1 red 40\nlow 3 red 50\nteam_low 91 yellow 50\nlow 1 red 50\nteam_low 91 yellow 70\n");
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(DISTINCT as_of) FROM vigil_backtest"), 2);
  assert_clean(db);
  /* the connection is the caller's: still open and usable */
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM snap"), 5);
  vg_free_program((vg_program *)p);
  sqlite3_close(db);
}

static void test_db_caller_transaction(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, DB_SCHEMA, NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, DB_ROWS, NULL, NULL, NULL), SQLITE_OK);
  const vg_program *p = db_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines out;
  /* the run reads the caller's uncommitted row, and records into its transaction */
  CU_ASSERT_EQUAL(sqlite3_exec(db, "BEGIN; INSERT INTO snap VALUES (7,'2025-06-27',92,1);", NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(run_on(db, p, 0, &out, NULL), VG_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(out.text, "low 7 red 1\n"));
  CU_ASSERT_EQUAL(sqlite3_get_autocommit(db), 0); /* still the caller's transaction */
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_runs"), 1);
  assert_clean(db);
  /* rolled back by the caller: the run's recording goes with it */
  CU_ASSERT_EQUAL(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'vigil_runs'"), 0);
  /* committed by the caller: recorded */
  CU_ASSERT_EQUAL(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(run_on(db, p, 0, &out, NULL), VG_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_alerts"), 2);
  /* a failed run inside the caller's transaction: its savepoint is rolled
  ** back, the caller's transaction stays open with its own changes */
  CU_ASSERT_EQUAL(sqlite3_exec(db, "BEGIN; INSERT INTO snap VALUES (8,'2025-06-27',92,2); ALTER TABLE snap RENAME TO snap2;",
                               NULL, NULL, NULL), SQLITE_OK);
  diags g = {""};
  CU_ASSERT_EQUAL(run_on(db, p, 0, &out, &g), VG_EINPUT);
  CU_ASSERT_EQUAL(out.n, 0);
  CU_ASSERT_EQUAL(sqlite3_get_autocommit(db), 0);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM snap2 WHERE rep = 8"), 1);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_runs"), 1);
  assert_clean(db);
  CU_ASSERT_EQUAL(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM snap"), 5);
  vg_free_program((vg_program *)p);
  sqlite3_close(db);
}

/* A temporary table of the caller's named as a rollup's is refused, untouched. */
static void test_db_temp_name(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, DB_SCHEMA, NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, DB_ROWS, NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, "CREATE TEMP TABLE \"Vigil Rollup DB.team\"(x); INSERT INTO temp.\"vigil rollup db.team\" VALUES (42);", NULL, NULL, NULL),
                  SQLITE_OK);
  const vg_program *p = db_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines out;
  diags g = {""};
  CU_ASSERT_EQUAL(run_on(db, p, 1, &out, &g), VG_EUSAGE);
  CU_ASSERT_PTR_NOT_NULL(strstr(g.text, ":memory:: the connection has a temporary table 'vigil rollup db.team', which a rollup of pack db"));
  CU_ASSERT_EQUAL(q_int(db, "SELECT x FROM temp.\"vigil rollup db.team\""), 42);
  vg_free_program((vg_program *)p);
  sqlite3_close(db);
}

/* Neither a path nor a connection: refused, not an empty database opened. */
static void test_db_none(void) {
  const vg_program *p = db_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines out;
  diags g = {""};
  CU_ASSERT_EQUAL(run_on(NULL, p, 1, &out, &g), VG_EUSAGE);
  CU_ASSERT_STRING_EQUAL(g.text, "E-options no database: give db_path or db\n");
  g.text[0] = 0;
  vg_backtest_opts bo = {.from = "2025-06-01", .to = "2025-06-30", .diag = keep_diag, .ud = &g};
  CU_ASSERT_EQUAL(vg_backtest(&p, 1, &bo), VG_EUSAGE);
  CU_ASSERT_STRING_EQUAL(g.text, "E-options no database: give db_path or db\n");
  vg_free_program((vg_program *)p);
}

/* ---- threads: vg_test_path twice at once ----------------------------------------------- */

typedef struct par_test {
  char path[4096];
  vg_test_summary sum;
  vg_status st;
} par_test;

static void *par_test_main(void *arg) {
  par_test *r = arg;
  vg_test_opts o = {.diag = quiet};
  for (int i = 0; i < 3 && r->st == VG_OK; i++) r->st = vg_test_path(r->path, &o, &r->sum);
  return NULL;
}

/* Each test's in-memory database is the call's own: two calls at once in
** one process (they were named by process and test number alone, and
** shared one database) each pass. */
static void test_test_path_concurrent(void) {
  const char *root = getenv("VIGIL_ROOT") ? getenv("VIGIL_ROOT") : ".";
  par_test r[2];
  memset(r, 0, sizeof r);
  for (int i = 0; i < 2; i++) snprintf(r[i].path, sizeof r[i].path, "%s/examples/saas", root);
  pthread_t t[2];
  for (int i = 0; i < 2; i++) CU_ASSERT_EQUAL(pthread_create(&t[i], NULL, par_test_main, &r[i]), 0);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < 2; i++) {
    CU_ASSERT_EQUAL(r[i].st, VG_OK);
    CU_ASSERT(r[i].sum.passed >= 3 * 40);
    CU_ASSERT_EQUAL(r[i].sum.failed, 0);
    CU_ASSERT_EQUAL(r[i].sum.errors, 0);
  }
}

/* ---- callbacks that stop a run, the step budget ------------------------------------ */

/* What a stopping callback counts, and when it says stop (0: never). */
typedef struct stopper {
  lines out;
  int polls, stop_at_poll;
  int summaries, stop_at_alert, stop_at_summary;
} stopper;

static int st_progress(void *ud, const vg_progress *p) {
  stopper *s = ud;
  (void)p;
  return ++s->polls == s->stop_at_poll;
}

static int st_alert(void *ud, const vg_alert *a) {
  stopper *s = ud;
  collect(&s->out, a);
  return s->out.n == s->stop_at_alert;
}

static int st_summary(void *ud, const vg_run_summary *sm) {
  stopper *s = ud;
  (void)sm;
  return ++s->summaries == s->stop_at_summary;
}

static vg_status run_stop(sqlite3 *db, const vg_program *p, int dry, stopper *s, diags *g) {
  memset(&s->out, 0, sizeof s->out);
  s->polls = s->summaries = 0;
  vg_run_opts ro = {.db = db, .as_of = "2025-06-30", .dry_run = dry, .diag = g ? keep_diag : quiet, .ud = g,
                    .alert = st_alert, .summary = st_summary, .progress = st_progress, .out_ud = s};
  return vg_run(&p, 1, &ro);
}

static sqlite3 *db_with_rows(void) {
  sqlite3 *db = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlite3_exec(db, DB_SCHEMA, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, DB_ROWS, NULL, NULL, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

/* progress: polled at the start, a nonzero answer stops before anything is
** recorded or given; VG_ESTOPPED, no diagnostic, the connection as it was. */
static void test_stop_progress(void) {
  sqlite3 *db = db_with_rows();
  CU_ASSERT_PTR_NOT_NULL_FATAL(db);
  const vg_program *p = db_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  stopper s = {.stop_at_poll = 1};
  diags g = {""};
  CU_ASSERT_EQUAL(run_stop(db, p, 0, &s, &g), VG_ESTOPPED);
  CU_ASSERT_EQUAL(s.polls, 1);
  CU_ASSERT_EQUAL(s.out.n, 0);
  CU_ASSERT_EQUAL(s.summaries, 0);
  CU_ASSERT_STRING_EQUAL(g.text, "");
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'vigil_runs'"), 0);
  CU_ASSERT_EQUAL(sqlite3_get_autocommit(db), 1);
  assert_clean(db);
  /* never stopping: polled, and the run is as without the callback */
  s.stop_at_poll = 0;
  CU_ASSERT_EQUAL(run_stop(db, p, 0, &s, NULL), VG_OK);
  CU_ASSERT(s.polls >= 1);
  CU_ASSERT_STRING_EQUAL(s.out.text, "low 1 red 50\nteam_low 91 yellow 70\n");
  CU_ASSERT_EQUAL(s.summaries, 1);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_runs"), 1);
  /* inside the caller's transaction: its savepoint is rolled back, the
  ** caller's transaction stays open with its own change */
  CU_ASSERT_EQUAL(sqlite3_exec(db, "BEGIN; INSERT INTO snap VALUES (9,'2025-06-27',92,3);", NULL, NULL, NULL), SQLITE_OK);
  s.stop_at_poll = 1;
  CU_ASSERT_EQUAL(run_stop(db, p, 0, &s, NULL), VG_ESTOPPED);
  CU_ASSERT_EQUAL(sqlite3_get_autocommit(db), 0);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_runs"), 1);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM snap WHERE rep = 9"), 1);
  assert_clean(db);
  CU_ASSERT_EQUAL(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  /* a backtest stopped records nothing in vigil_backtest */
  vg_backtest_opts bo = {.db = db, .from = "2025-06-01", .to = "2025-06-30", .at_snapshots = 1, .record = 1,
                         .diag = quiet, .alert = st_alert, .progress = st_progress, .out_ud = &s};
  memset(&s, 0, sizeof s);
  s.stop_at_poll = 1;
  CU_ASSERT_EQUAL(vg_backtest(&p, 1, &bo), VG_ESTOPPED);
  CU_ASSERT_EQUAL(s.out.n, 0);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'vigil_backtest'"), 0);
  assert_clean(db);
  vg_free_program((vg_program *)p);
  sqlite3_close(db);
}

/* One key, 2000 rows, a window inside a window: four million sums, so
** several million instructions in one evaluation. */
static const char *const HEAVY_SQL =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL);"
  "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 1999)"
  " INSERT INTO t SELECT 1, date('2020-01-01', '+' || i || ' days'), 1 FROM c;";
static const char *const HEAVY_RULES = "source s { table t key k time d }\n"
                                       "rule r on s { red when sum(sum(x, last 2000 snapshots), last 2000 snapshots) > 0 }\n";

static vg_status run_heavy(sqlite3 *db, const vg_program *p, stopper *s, unsigned long long budget, diags *g) {
  memset(&s->out, 0, sizeof s->out);
  s->polls = 0;
  vg_run_opts ro = {.db = db, .as_of = "2030-01-01", .dry_run = 1, .diag = g ? keep_diag : quiet, .ud = g,
                    .alert = st_alert, .progress = s->stop_at_poll >= 0 ? st_progress : NULL, .out_ud = s,
                    .step_budget = budget};
  return vg_run(&p, 1, &ro);
}

/* progress is polled during one long evaluation too, not only between them. */
static void test_stop_long_evaluation(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, HEAVY_SQL, NULL, NULL, NULL), SQLITE_OK);
  vg_compile_opts co = {.diag = quiet};
  vg_program *p = NULL;
  CU_ASSERT_EQUAL_FATAL(vg_compile_string("h.rules", HEAVY_RULES, strlen(HEAVY_RULES), "CREATE TABLE t(k INTEGER, d DATE, x REAL);",
                                          &co, &p), VG_OK);
  stopper s = {.stop_at_poll = 0};
  CU_ASSERT_EQUAL(run_heavy(db, p, &s, 0, NULL), VG_OK);
  CU_ASSERT_EQUAL(s.out.n, 1);
  int polls = s.polls;
  CU_ASSERT(polls >= 3);
  /* stopped at the third poll: in the middle of the one evaluation */
  s.stop_at_poll = 3;
  CU_ASSERT_EQUAL(run_heavy(db, p, &s, 0, NULL), VG_ESTOPPED);
  CU_ASSERT_EQUAL(s.polls, 3);
  CU_ASSERT_EQUAL(s.out.n, 0);
  vg_free_program(p);
  sqlite3_close(db);
}

/* step_budget: per run; 0 is the default; past it the run fails as with
** the default budget, with the same message. */
static void test_step_budget_per_run(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, HEAVY_SQL, NULL, NULL, NULL), SQLITE_OK);
  vg_compile_opts co = {.diag = quiet};
  vg_program *p = NULL;
  CU_ASSERT_EQUAL_FATAL(vg_compile_string("h.rules", HEAVY_RULES, strlen(HEAVY_RULES), "CREATE TABLE t(k INTEGER, d DATE, x REAL);",
                                          &co, &p), VG_OK);
  stopper s = {.stop_at_poll = -1};
  diags g = {""};
  CU_ASSERT_EQUAL(run_heavy(db, p, &s, 100000, &g), VG_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(g.text, "rule r, key 1: the evaluation took too many steps (the step budget ran out)\n"));
  CU_ASSERT_EQUAL(s.out.n, 0);
  CU_ASSERT_EQUAL(run_heavy(db, p, &s, 0, NULL), VG_OK);
  CU_ASSERT_EQUAL(s.out.n, 1);
  CU_ASSERT_EQUAL(run_heavy(db, p, &s, 100000000ull, NULL), VG_OK);
  /* with a progress callback too: the budget still counts per evaluation */
  s.stop_at_poll = 0;
  g.text[0] = 0;
  CU_ASSERT_EQUAL(run_heavy(db, p, &s, 2500000, &g), VG_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(g.text, "the step budget ran out"));
  CU_ASSERT_EQUAL(s.polls, 3); /* at the start, after 1 and 2 million steps */
  /* a backtest takes it too */
  g.text[0] = 0;
  vg_backtest_opts bo = {.db = db, .from = "2022-09-26", .to = "2022-09-26", .diag = keep_diag, .ud = &g,
                         .step_budget = 100000};
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &bo), VG_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(g.text, "the step budget ran out"));
  vg_free_program(p);
  sqlite3_close(db);
}

/* The budget counts exactly the instructions an evaluation runs, nested
** window functions and skipped branches included: the VM tests it only at
** calls when a frame cannot reach it before its next call (runtime/vm.c,
** vmfetch), and must stop at the same step as when it tested every
** instruction.  EXACT_STEPS is the count the VM that tested every
** instruction ran out at (found by trying each budget). */
#define EXACT_STEPS 41
static void test_step_budget_exact(void) {
  static const char *const sql = "CREATE TABLE t(k INTEGER, d DATE, x REAL);"
                                 "INSERT INTO t VALUES (1,'2025-01-01',1),(1,'2025-01-08',2),(1,'2025-01-15',3),(1,'2025-01-22',4);";
  static const char *const rules = "source s { table t key k time d }\n"
                                   "rule r on s {\n"
                                   "  red when x > 100 and sum(x, last 3 snapshots) > 0\n"
                                   "  orange when sum(max(x, last 2 snapshots), last 3 snapshots) > 0 message \"{x}\"\n"
                                   "}\n";
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  vg_compile_opts co = {.diag = quiet};
  vg_program *p = NULL;
  CU_ASSERT_EQUAL_FATAL(vg_compile_string("b.rules", rules, strlen(rules), "CREATE TABLE t(k INTEGER, d DATE, x REAL);", &co, &p),
                        VG_OK);
  int first_ok = 0;
  for (int with_progress = 0; with_progress < 2; with_progress++) {
    stopper s = {.stop_at_poll = with_progress ? 0 : -1};
    for (unsigned long long b = 1; b <= 1000 && !first_ok; b++) {
      diags g = {""};
      vg_status r = run_heavy(db, p, &s, b, &g);
      if (r == VG_OK) first_ok = (int)b;
      else CU_ASSERT_PTR_NOT_NULL(strstr(g.text, "the step budget ran out"));
    }
    CU_ASSERT_EQUAL(first_ok, EXACT_STEPS);
    if (first_ok != EXACT_STEPS) fprintf(stderr, "\n  the budget first passed at %d steps\n", first_ok);
    CU_ASSERT_EQUAL(s.out.n, 1);
    first_ok = 0;
  }
  vg_free_program(p);
  sqlite3_close(db);
}

/* ---- progress: what the callback is told ---------------------------------------------- */

/* The calls a progress callback had, kept (the first 64 and the last). */
typedef struct progress_log {
  vg_progress v[64], last;
  char pack[32];
  int n, bad_order, stop_at;
} progress_log;

static int log_progress(void *ud, const vg_progress *p) {
  progress_log *l = ud;
  if (l->n > 0 && (p->rows_read < l->last.rows_read || p->keys_done < l->last.keys_done || p->elapsed < l->last.elapsed ||
                   p->phase < l->last.phase))
    l->bad_order = 1;
  if (l->n < 64) l->v[l->n] = *p;
  l->last = *p;
  snprintf(l->pack, sizeof l->pack, "%s", p->pack ? p->pack : "(null)");
  return ++l->n == l->stop_at;
}

/* 1000 keys with a row on each of 200 days: 200 000 rows. */
static const char *const MANY_SQL =
  "CREATE TABLE m(k INTEGER, d DATE, x REAL);"
  "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 199999)"
  " INSERT INTO m SELECT i / 200, date('2025-01-01', '+' || (i % 200) || ' days'), i % 7 FROM c;";
static const char *const MANY_RULES = "source s { table m key k time d }\n"
                                      "rule r on s { red when x > 5 and avg(x, last 3 snapshots) > 4 }\n";

/* A backtest over many rows and dates: the callback hears the rows read and
** the keys evaluated grow, at least every 65536 rows, then once at the
** end with every date done; the counts are the call's. */
static void test_progress_counts(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db, MANY_SQL, NULL, NULL, NULL), SQLITE_OK);
  vg_compile_opts co = {.diag = quiet};
  vg_program *p = NULL;
  CU_ASSERT_EQUAL_FATAL(vg_compile_string("many.rules", MANY_RULES, strlen(MANY_RULES), "CREATE TABLE m(k INTEGER, d DATE, x REAL);",
                                          &co, &p), VG_OK);
  static progress_log l;
  memset(&l, 0, sizeof l);
  vg_backtest_opts bo = {.db = db, .from = "2025-03-01", .to = "2025-03-30", .diag = quiet, .progress = log_progress, .out_ud = &l};
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &bo), VG_OK);
  CU_ASSERT_EQUAL(l.bad_order, 0);
  CU_ASSERT(l.n >= 4); /* the start, rows 65536, 131072 and 196608, the end */
  CU_ASSERT_EQUAL(l.v[0].phase, VG_PHASE_EVAL);
  CU_ASSERT_EQUAL(l.v[0].dates_total, 30);
  CU_ASSERT_EQUAL(l.v[0].dates_done, 0);
  CU_ASSERT_EQUAL(l.v[0].npacks, 1);
  int at_rows = 0;
  for (int i = 0; i < l.n && i < 64; i++) at_rows += l.v[i].phase == VG_PHASE_EVAL && l.v[i].rows_read % 65536 == 0;
  CU_ASSERT(at_rows >= 3);
  CU_ASSERT_EQUAL(l.last.phase, VG_PHASE_DONE);
  CU_ASSERT_EQUAL(l.last.dates_total, 30);
  CU_ASSERT_EQUAL(l.last.dates_done, 30);
  CU_ASSERT_EQUAL(l.last.pack_index, 0);
  CU_ASSERT_STRING_EQUAL(l.pack, "many");
  CU_ASSERT_EQUAL(l.last.rows_read, 200000);
  CU_ASSERT_EQUAL(l.last.keys_done, 1000 * 30); /* every key has a row on each date */
  CU_ASSERT(l.last.elapsed >= 0);
  /* stopped at a poll between rows: VG_ESTOPPED, nothing given */
  memset(&l, 0, sizeof l);
  l.stop_at = 3;
  stopper s;
  memset(&s, 0, sizeof s);
  bo.alert = st_alert;
  bo.out_ud = &l;
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &bo), VG_ESTOPPED);
  CU_ASSERT_EQUAL(l.n, 3);
  CU_ASSERT(l.last.rows_read < 200000);
  /* a run: one date, every row read (no seeks), each key evaluated once */
  memset(&l, 0, sizeof l);
  vg_run_opts ro = {.db = db, .as_of = "2025-05-01", .dry_run = 1, .no_seek = 1, .diag = quiet, .progress = log_progress,
                    .out_ud = &l};
  CU_ASSERT_EQUAL(vg_run((const vg_program *const *)&p, 1, &ro), VG_OK);
  CU_ASSERT_EQUAL(l.last.phase, VG_PHASE_DONE);
  CU_ASSERT_EQUAL(l.last.dates_total, 1);
  CU_ASSERT_EQUAL(l.last.rows_read, 200000);
  CU_ASSERT_EQUAL(l.last.keys_done, 1000);
  vg_free_program(p);
  sqlite3_close(db);
}

/* rows_total: an estimate of the rows the call reads, when every source is
** read whole (a backtest, a run without seeks) from a rowid table of the
** database (max(rowid) - min(rowid) + 1, each table as often as it is
** read); -1 when a run may seek, or a table is a view, WITHOUT ROWID or
** virtual (PostgreSQL).  The same in every call of the callback. */
static long long progress_total(sqlite3 *db, const char *rules, const char *schema, int backtest, int no_seek, int *same) {
  vg_compile_opts co = {.diag = quiet};
  vg_program *p = NULL;
  if (vg_compile_string("t.rules", rules, strlen(rules), schema, &co, &p) != VG_OK) return -2;
  static progress_log l;
  memset(&l, 0, sizeof l);
  vg_status st;
  if (backtest) {
    vg_backtest_opts bo = {.db = db, .from = "2025-03-01", .to = "2025-03-10", .diag = quiet, .progress = log_progress, .out_ud = &l};
    st = vg_backtest((const vg_program *const *)&p, 1, &bo);
  } else {
    vg_run_opts ro = {.db = db, .as_of = "2025-05-01", .dry_run = 1, .no_seek = no_seek, .diag = quiet, .progress = log_progress,
                      .out_ud = &l};
    st = vg_run((const vg_program *const *)&p, 1, &ro);
  }
  vg_free_program(p);
  if (st != VG_OK || l.n < 2) return -3;
  *same = 1;
  for (int i = 0; i < l.n && i < 64; i++) *same &= l.v[i].rows_total == l.last.rows_total;
  return l.last.rows_total;
}

static void test_progress_total(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db, MANY_SQL, NULL, NULL, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_exec(db, "CREATE TABLE w(k INTEGER, d DATE, x REAL, PRIMARY KEY (k, d)) WITHOUT ROWID;"
                                         "INSERT INTO w SELECT k, d, x FROM m WHERE k < 10;"
                                         "CREATE VIEW v AS SELECT * FROM m;"
                                         "CREATE TABLE g(k INTEGER, d DATE, x REAL);"
                                         "INSERT INTO g SELECT k, d, x FROM m WHERE k < 10;"
                                         "DELETE FROM g WHERE k = 5;", NULL, NULL, NULL), SQLITE_OK);
  const char *schema = "CREATE TABLE m(k INTEGER, d DATE, x REAL); CREATE TABLE w(k INTEGER, d DATE, x REAL);"
                       " CREATE TABLE v(k INTEGER, d DATE, x REAL); CREATE TABLE g(k INTEGER, d DATE, x REAL);";
  int same = 0;
  /* a backtest and a run that reads whole tables: the table's rows */
  CU_ASSERT_EQUAL(progress_total(db, MANY_RULES, schema, 1, 1, &same), 200000);
  CU_ASSERT(same);
  CU_ASSERT_EQUAL(progress_total(db, MANY_RULES, schema, 0, 1, &same), 200000);
  CU_ASSERT(same);
  /* a run that may seek: unknown */
  CU_ASSERT_EQUAL(progress_total(db, MANY_RULES, schema, 0, 0, &same), -1);
  CU_ASSERT(same);
  /* two sources on one table: read twice; a source no rule is on: not read */
  const char *two = "source s { table m key k time d }\nsource t { table m key k time d where x > 1 }\n"
                    "source u { table g key k time d }\n"
                    "rule r on s { red when x > 5 }\nrule q on t { red when x > 5 }\n";
  CU_ASSERT_EQUAL(progress_total(db, two, schema, 1, 1, &same), 400000);
  /* rows deleted inside the rowid range still count: an estimate */
  const char *gaps = "source s { table g key k time d }\nrule r on s { red when x > 5 }\n";
  CU_ASSERT_EQUAL(progress_total(db, gaps, schema, 1, 1, &same), 2000);
  /* WITHOUT ROWID, a view: unknown */
  const char *wr = "source s { table w key k time d }\nrule r on s { red when x > 5 }\n";
  CU_ASSERT_EQUAL(progress_total(db, wr, schema, 1, 1, &same), -1);
  const char *view = "source s { table v key k time d }\nrule r on s { red when x > 5 }\n";
  CU_ASSERT_EQUAL(progress_total(db, view, schema, 1, 1, &same), -1);
  /* one table of several unknown: the whole is */
  const char *mixed = "source s { table m key k time d }\nsource t { table w key k time d }\n"
                      "rule r on s { red when x > 5 }\nrule q on t { red when x > 5 }\n";
  CU_ASSERT_EQUAL(progress_total(db, mixed, schema, 1, 1, &same), -1);
  /* a rollup reads its members' table once more */
  const char *roll = "source s { table m key k time d }\nrollup grp from s by x { n = count(k > 0) }\n"
                     "rule r on s { red when x > 5 }\nrule q on grp { red when n > 100000 }\n";
  CU_ASSERT_EQUAL(progress_total(db, roll, schema, 1, 1, &same), 400000);
  sqlite3_close(db);
}

/* alert and summary: called once the run is recorded; a nonzero answer
** stops the delivery (VG_ESTOPPED), the run stays recorded. */
static void test_stop_alert_summary(void) {
  sqlite3 *db = db_with_rows();
  CU_ASSERT_PTR_NOT_NULL_FATAL(db);
  const vg_program *p = db_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  stopper s = {.stop_at_alert = 1};
  diags g = {""};
  CU_ASSERT_EQUAL(run_stop(db, p, 0, &s, &g), VG_ESTOPPED);
  CU_ASSERT_STRING_EQUAL(s.out.text, "low 1 red 50\n");
  CU_ASSERT_EQUAL(s.summaries, 0);
  CU_ASSERT_STRING_EQUAL(g.text, "");
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_runs"), 1);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(*) FROM vigil_alerts"), 2);
  assert_clean(db);
  s.stop_at_alert = 0;
  s.stop_at_summary = 1;
  CU_ASSERT_EQUAL(run_stop(db, p, 1, &s, NULL), VG_ESTOPPED);
  CU_ASSERT_EQUAL(s.out.n, 2);
  CU_ASSERT_EQUAL(s.summaries, 1);
  /* a backtest: alerts stop at the second */
  memset(&s, 0, sizeof s);
  s.stop_at_alert = 2;
  vg_backtest_opts bo = {.db = db, .from = "2025-06-01", .to = "2025-06-30", .at_snapshots = 1, .record = 1,
                         .diag = quiet, .alert = st_alert, .summary = st_summary, .out_ud = &s};
  CU_ASSERT_EQUAL(vg_backtest(&p, 1, &bo), VG_ESTOPPED);
  CU_ASSERT_STRING_EQUAL(s.out.text, "low 1 red 40\nlow 3 red 50\n");
  CU_ASSERT_EQUAL(s.summaries, 0);
  CU_ASSERT_EQUAL(q_int(db, "SELECT count(DISTINCT as_of) FROM vigil_backtest"), 2);
  assert_clean(db);
  CU_ASSERT_STRING_EQUAL(vg_status_name(VG_ESTOPPED), "VG_ESTOPPED");
  vg_free_program((vg_program *)p);
  sqlite3_close(db);
}

/* ---- lead time ------------------------------------------------------------------------ */

static void test_lead_time(void) {
  /* given in no order: vg_rule_lead_time sorts its own copy */
  const vg_dated_alert al[] = {
    {"r", "yellow", "3", 1, 40}, {"r", "red", "1", 1, 20}, {"r", "yellow", "2", 1, 15}, {"r", "yellow", "1", 1, 10},
    {"r", "yellow", "5", 1, 1},
  };
  char k1[] = "1", k1b[] = "1";
  vg_outcome os[] = {{"4", 1, 50}, {k1, 1, 25}, {"3", 1, 30}, {k1b, 1, 25}, {"1", 1, 50}, {"5", 1, 4}};
  size_t nkeys = 0;
  size_t n = vg_outcomes_normalize(os, 6, &nkeys);
  CU_ASSERT_EQUAL(n, 5);
  CU_ASSERT_EQUAL(nkeys, 4);
  CU_ASSERT(os[0].day == 25 && os[1].day == 50 && os[2].key[0] == '3' && os[3].key[0] == '4' && os[4].key[0] == '5');
  /* the repeat is behind the others, not lost (its key is the caller's) */
  CU_ASSERT(os[5].day == 25 && (os[5].key == k1 || os[5].key == k1b) && os[5].key != os[0].key);
  vg_lead_time r;
  CU_ASSERT_EQUAL(vg_rule_lead_time(al, 5, NULL, os, n, &r), VG_OK);
  /* key 1: alerted 10, outcomes 25 (flagged, 15 days) and 50 (nothing after 25);
  ** key 2: no outcome; key 3: alerted after its outcome; key 5: 3 days ahead */
  CU_ASSERT_EQUAL(r.outcomes, 5);
  CU_ASSERT_EQUAL(r.flagged, 2);
  CU_ASSERT_DOUBLE_EQUAL(r.median, 9.0, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(r.mean, 9.0, 1e-9);
  CU_ASSERT_EQUAL(r.alerted, 4);
  CU_ASSERT_EQUAL(r.hit_keys, 2);
  CU_ASSERT_EQUAL(r.false_alarms, 1);
  CU_ASSERT_EQUAL(r.late, 1);
  /* one tier: red alerted key 1 on day 20 only */
  CU_ASSERT_EQUAL(vg_rule_lead_time(al, 5, "red", os, n, &r), VG_OK);
  CU_ASSERT_EQUAL(r.flagged, 1);
  CU_ASSERT_DOUBLE_EQUAL(r.median, 5.0, 1e-9);
  CU_ASSERT_EQUAL(r.alerted, 1);
  CU_ASSERT_EQUAL(r.false_alarms + r.late, 0);
  /* no alert: nothing flagged, no lead time */
  CU_ASSERT_EQUAL(vg_rule_lead_time(NULL, 0, NULL, os, n, &r), VG_OK);
  CU_ASSERT_EQUAL(r.flagged, 0);
  CU_ASSERT(isnan(r.median) && isnan(r.mean));
}

/* ---- matching two versions' alerts ------------------------------------------------------ */

static void test_match_alerts(void) {
  const vg_dated_alert old[] = {{"a", "red", "10", 2, 5}, {"b", "yellow", "2", 1, 1}, {"a", "red", "9", 1, 5}, {"b", "red", "x", 1, 1}};
  const vg_dated_alert neu[] = {{"a", "yellow", "10", 2, 5}, {"b", "red", "x", 1, 1}, {"a", "red", "9", 1, 6}};
  const char *const rules[] = {"b", "a"};
  vg_alert_pair *p = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(vg_match_alerts(old, 4, neu, 3, rules, 2, &p, &n), VG_OK);
  /* rule b first (the report's order); keys 2 before x (numbers first), 9 before 10 (as numbers) */
  const long want[][2] = {{1, -1}, {3, 1}, {2, -1}, {-1, 2}, {0, 0}};
  CU_ASSERT_EQUAL_FATAL(n, 5);
  for (size_t i = 0; i < n; i++) {
    CU_ASSERT_EQUAL(p[i].old_i, want[i][0]);
    CU_ASSERT_EQUAL(p[i].new_i, want[i][1]);
  }
  vg_free(p);
  /* a rule the order does not name: refused */
  const char *const only_a[] = {"a"};
  CU_ASSERT_EQUAL(vg_match_alerts(old, 4, neu, 3, only_a, 1, &p, &n), VG_EUSAGE);
  CU_ASSERT_PTR_NULL(p);
  CU_ASSERT_EQUAL(vg_match_alerts(NULL, 0, NULL, 0, rules, 2, &p, &n), VG_OK);
  CU_ASSERT_EQUAL(n, 0);
  vg_free(p);
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
      !CU_add_test(s, "params per run: one const program, two threads, two sets", test_params_concurrent) ||
      !CU_add_test(s, "the caller's connection: an in-memory database, left clean", test_db_in_memory) ||
      !CU_add_test(s, "the caller's connection: inside its transaction (a savepoint)", test_db_caller_transaction) ||
      !CU_add_test(s, "the caller's connection: its temporary table is not replaced", test_db_temp_name) ||
      !CU_add_test(s, "no database: neither a path nor a connection", test_db_none) ||
      !CU_add_test(s, "stop: progress stops before anything is recorded", test_stop_progress) ||
      !CU_add_test(s, "stop: progress is polled inside a long evaluation", test_stop_long_evaluation) ||
      !CU_add_test(s, "progress: rows, keys and dates of a backtest and a run", test_progress_counts) ||
      !CU_add_test(s, "progress: rows_total, the rows a call will read, or -1", test_progress_total) ||
      !CU_add_test(s, "stop: alert and summary stop the delivery of a recorded run", test_stop_alert_summary) ||
      !CU_add_test(s, "step budget per run", test_step_budget_per_run) ||
      !CU_add_test(s, "step budget: the exact count of instructions", test_step_budget_exact) ||
      !CU_add_test(s, "threads: vg_test_path twice at once", test_test_path_concurrent) ||
      !CU_add_test(s, "lead time: vg_outcomes_normalize and vg_rule_lead_time", test_lead_time) ||
      !CU_add_test(s, "diff: vg_match_alerts", test_match_alerts))
    return CU_get_error();
  return CUE_SUCCESS;
}
