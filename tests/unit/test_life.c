/*
** test_life.c — the life of alerts across runs: new, ongoing, escalated,
** resolved, recorded with first_seen and runs; `clear when` hysteresis;
** `escalate after`; the same life in a backtest; re-running an earlier date.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "vigil.h"
#include "unit.h"
#include "harness.h"
#include "../../core/mem.h"

/* Every row of sql on the test database as "a|b|c" lines. */
static const char *rows(const char *sql) {
  static char out[8192];
  out[0] = 0;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  size_t n = 0;
  if (sqlite3_open(th_db_path(), &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW && n < sizeof out - 256) {
      for (int i = 0; i < sqlite3_column_count(st); i++) {
        const unsigned char *t = sqlite3_column_text(st, i);
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
      }
      n += (size_t)snprintf(out + n, sizeof out - n, "\n");
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

#define ROWS(sql, want)                                                            \
  do {                                                                             \
    const char *got_ = rows(sql);                                                  \
    if (strcmp(got_, want) != 0) printf("\n%s\nwant:\n%s\ngot:\n%s\n", sql, want, got_); \
    CU_ASSERT_STRING_EQUAL(got_, want);                                            \
  } while (0)

/* Run p (recorded) as of each date. */
static void nightly(vg_program *p, const char *const *dates, int n) {
  for (int i = 0; i < n; i++) CU_ASSERT_EQUAL(th_run(&p, 1, dates[i], 0, 0), 0);
}

/* Four nightly runs: key 1 goes new -> ongoing -> escalated -> resolved. */
static void test_lifecycle(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db("CREATE TABLE s (k INTEGER, d DATE, x REAL);"
                                   "INSERT INTO s VALUES (1,'2025-01-01',10),(1,'2025-01-08',10),(1,'2025-01-15',10),"
                                   "(1,'2025-01-22',1),(2,'2025-01-01',1),(2,'2025-01-08',1),(2,'2025-01-15',1),(2,'2025-01-22',1);"), 0);
  vg_program *p = th_compile("life.rules",
                             "pack life\n"
                             "source s { table s key k time d }\n"
                             "rule high on s {\n  yellow when x > 8\n  escalate after 14 days\n  message \"x {x}\"\n}\n",
                             NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  const char *dates[] = {"2025-01-01", "2025-01-08", "2025-01-15", "2025-01-22"};
  nightly(p, dates, 4);
  ROWS("SELECT as_of, tier, status, first_seen, runs FROM vigil_alerts WHERE key = '1' ORDER BY as_of",
       "2025-01-01|yellow|new|2025-01-01|1\n"
       "2025-01-08|yellow|ongoing|2025-01-01|2\n"
       "2025-01-15|orange|escalated|2025-01-01|3\n"
       "2025-01-22|orange|resolved|2025-01-01|3\n");
  /* vigil_runs.alerts counts alerts, not resolved entries; no duplicates */
  ROWS("SELECT as_of, alerts FROM vigil_runs ORDER BY as_of",
       "2025-01-01|1\n2025-01-08|1\n2025-01-15|1\n2025-01-22|0\n");
  ROWS("SELECT count(*) FROM (SELECT run_id, rule, key FROM vigil_alerts GROUP BY 1, 2, 3 HAVING count(*) > 1)", "0\n");
  /* the summary of the last run counted one resolved alert at orange */
  CU_ASSERT_EQUAL(th_nsummaries, 1);
  if (th_nsummaries == 1) CU_ASSERT_EQUAL(th_summaries[0].alerts, 0);
  /* re-running an earlier date replaces that run only; later runs keep their history */
  const char *again[] = {"2025-01-08"};
  nightly(p, again, 1);
  ROWS("SELECT as_of, tier, status, first_seen, runs FROM vigil_alerts WHERE key = '1' ORDER BY as_of",
       "2025-01-01|yellow|new|2025-01-01|1\n"
       "2025-01-08|yellow|ongoing|2025-01-01|2\n"
       "2025-01-15|orange|escalated|2025-01-01|3\n"
       "2025-01-22|orange|resolved|2025-01-01|3\n");
  ROWS("SELECT count(*) FROM vigil_runs", "4\n");
  vg_free_program(p);
}

/* A value hovering around 8: without `clear when` the alert flaps; with
** `clear when x < 5` it fires once and stays open until x drops below 5. */
static void test_hysteresis(void) {
  const char *data = "CREATE TABLE s (k INTEGER, d DATE, x REAL);"
                     "INSERT INTO s VALUES (1,'2025-01-01',9),(1,'2025-01-02',7),(1,'2025-01-03',9),(1,'2025-01-04',7),"
                     "(1,'2025-01-05',9),(1,'2025-01-06',4),(1,'2025-01-07',7);";
  const char *dates[] = {"2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06", "2025-01-07"};
  CU_ASSERT_EQUAL_FATAL(th_make_db(data), 0);
  vg_program *flap = th_compile("flap.rules", "pack flap\nsource s { table s key k time d }\nrule r on s { red when x > 8 }\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(flap);
  nightly(flap, dates, 7);
  ROWS("SELECT group_concat(as_of || ':' || status, ' ') FROM (SELECT * FROM vigil_alerts ORDER BY as_of)",
       "2025-01-01:new 2025-01-02:resolved 2025-01-03:new 2025-01-04:resolved 2025-01-05:new 2025-01-06:resolved\n");
  vg_free_program(flap);

  CU_ASSERT_EQUAL_FATAL(th_make_db(data), 0);
  vg_program *held = th_compile("held.rules",
                                "pack held\nsource s { table s key k time d }\n"
                                "rule r on s {\n  red when x > 8\n  clear when x < 5\n  message \"x {x}\"\n}\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(held);
  nightly(held, dates, 7);
  ROWS("SELECT group_concat(as_of || ':' || status || ':' || first_seen, ' ') FROM (SELECT * FROM vigil_alerts ORDER BY as_of)",
       "2025-01-01:new:2025-01-01 2025-01-02:ongoing:2025-01-01 2025-01-03:ongoing:2025-01-01 "
       "2025-01-04:ongoing:2025-01-01 2025-01-05:ongoing:2025-01-01 2025-01-06:resolved:2025-01-01\n");
  /* a held alert keeps the message it fired with */
  ROWS("SELECT message FROM vigil_alerts WHERE as_of = '2025-01-02'", "x 9\n");
  vg_free_program(held);
}

static int on_bt(void *ud, const vg_alert *a) {
  char *out = ud;
  size_t n = strlen(out);
  snprintf(out + n, 4096 - n, "%s:%s:%s:%s ", a->as_of, a->tier, a->status, a->first_seen);
  return 0;
}

/* A backtest carries the same life from one date to the next. */
static void test_backtest_life(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db("CREATE TABLE s (k INTEGER, d DATE, x REAL);"
                                   "INSERT INTO s VALUES (1,'2025-01-01',9),(1,'2025-01-02',7),(1,'2025-01-03',9),(1,'2025-01-06',4);"), 0);
  vg_program *p = th_compile("bt.rules",
                             "pack bt\nsource s { table s key k time d }\n"
                             "rule r on s {\n  yellow when x > 8\n  clear when x < 5\n  escalate after 2 days\n}\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  char out[4096] = "";
  vg_backtest_opts o;
  memset(&o, 0, sizeof o);
  o.db_path = th_db_path();
  o.from = "2025-01-01";
  o.to = "2025-01-06";
  o.alert = on_bt;
  o.out_ud = out;
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &o), VG_OK);
  CU_ASSERT_STRING_EQUAL(out, "2025-01-01:yellow:new:2025-01-01 2025-01-02:yellow:ongoing:2025-01-01 "
                              "2025-01-03:orange:escalated:2025-01-01 2025-01-04:orange:ongoing:2025-01-01 "
                              "2025-01-05:orange:ongoing:2025-01-01 ");
  vg_free_program(p);
}

/* 'clear' cannot be a tier; escalate after takes a positive duration; the
** bytecode carries both, and the disassembly names them. */
static void test_life_syntax(void) {
  vg_status st;
  CU_ASSERT_EQUAL_FATAL(th_make_db("CREATE TABLE s (k INTEGER, d DATE, x REAL);"), 0);
  CU_ASSERT_PTR_NULL(th_compile("t.rules", "tiers low, clear\nsource s { table s key k time d }\nrule r on s { low when x > 1 }\n", &st));
  CU_ASSERT(th_diag_has("'clear' cannot be a tier"));
  th_clear_diags();
  CU_ASSERT_PTR_NULL(th_compile("t.rules", "source s { table s key k time d }\nrule r on s { red when x > 1\n escalate after 0 days }\n", &st));
  CU_ASSERT(th_diag_has("positive duration"));
  vg_program *p = th_compile("t.rules",
                             "escalate after 3 weeks\nsource s { table s key k time d }\n"
                             "rule r on s { red when x > 1\n clear when x < 0 for 2 snapshots }\n"
                             "rule q on s { red when x > 1\n escalate after 2 days }\n", &st);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  char *text = vg_disasm(p);
  CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "clear fn") : NULL);
  CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "escalate after 21 days") : NULL);
  CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "escalate after 2 days") : NULL);
  free(text);
  vg_free_program(p);
}

/* Alerts no longer seen at the next run are resolved in the order the
** previous run recorded them (life.c keeps its entries in the order they
** were loaded), not in the order of a hash table. */
static void test_resolved_order(void) {
  char sql[4096] = "CREATE TABLE s (k TEXT, d DATE, x REAL); INSERT INTO s VALUES ";
  static const char *const keys[] = {"m", "b", "x", "a", "q", "c", "z", "k", "e", "w", "f", "p"};
  for (int i = 0; i < 12; i++) {
    size_t n = strlen(sql);
    snprintf(sql + n, sizeof sql - n, "%s('%s', '2025-01-01', 9)", i ? ", " : "", keys[i]);
  }
  CU_ASSERT_EQUAL_FATAL(th_make_db(sql), 0);
  vg_program *p = th_compile("order.rules", "pack order\nsource s { table s key k time d }\nrule r on s { red when x > 8 }\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  const char *first[] = {"2025-01-01"};
  nightly(p, first, 1);
  /* every key's rows are gone: the sweep at the end of the run closes them */
  CU_ASSERT_EQUAL(th_exec("DELETE FROM s"), 0);
  const char *second[] = {"2025-01-02"};
  nightly(p, second, 1);
  ROWS("SELECT group_concat(key, ' ') FROM (SELECT key FROM vigil_alerts WHERE as_of = '2025-01-01' ORDER BY rowid)",
       "a b c e f k m p q w x z\n");
  ROWS("SELECT group_concat(key || ':' || status, ' ') FROM (SELECT * FROM vigil_alerts WHERE as_of = '2025-01-02' ORDER BY rowid)",
       "a:resolved b:resolved c:resolved e:resolved f:resolved k:resolved m:resolved p:resolved q:resolved w:resolved "
       "x:resolved z:resolved\n");
  vg_free_program(p);
}

/* Runs p as of 2025-01-02 (a dry run, or a backtest of that one date) with
** each allocation failing in turn, until 64 runs in a row fail none: the
** status is VG_OK or VG_ENOMEM, never another, and a run that succeeds
** (an allocation whose failure only drops a check also succeeds) gives the
** alerts of a run without failures.  Returns the allocations tried. */
static long each_allocation_fails(vg_program *p, int backtest) {
  int want = backtest ? th_backtest_one(p, "2025-01-02") : th_run(&p, 1, "2025-01-02", 1, 0);
  CU_ASSERT_EQUAL(want, VG_OK);
  char expect[4096];
  snprintf(expect, sizeof expect, "%s", th_alert_lines(1));
  long k = 0;
  for (int clean = 0; clean < 64 && k < 100000; k++) {
    vg_mem_fail_after(k);
    int st = backtest ? th_backtest_one(p, "2025-01-02") : th_run(&p, 1, "2025-01-02", 1, 0);
    vg_mem_fail_after(-1);
    if (st == VG_OK) {
      clean++;
      if (strcmp(th_alert_lines(1), expect) != 0) {
        fprintf(stderr, "\n  allocation %ld failing (backtest %d): alerts\n%s\ninstead of\n%s", k, backtest, th_alert_lines(1),
                expect);
        CU_FAIL("a run that succeeded with an allocation failing gave other alerts");
        break;
      }
    } else if (st == VG_ENOMEM) {
      clean = 0;
    } else {
      fprintf(stderr, "\n  allocation %ld failing (backtest %d): status %d\n%s", k, backtest, st, th_diags);
      CU_FAIL("an allocation failure that is not VG_ENOMEM");
      break;
    }
  }
  th_clear_diags();
  return k;
}

/* Every allocation of a run with history fails in turn: the life map
** loaded, kept across a backtest's dates, saved and put back when a scan is
** redone in day order, swept. */
static void test_life_out_of_memory(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db("CREATE TABLE s (k INTEGER, d DATETIME, x REAL);"
                                   "INSERT INTO s VALUES (1,'2025-01-01',9),(2,'2025-01-01',9),(3,'2025-01-01',9),"
                                   "(1,'2025-01-02',9),(2,'2025-01-02',4),(5,'2025-01-01',9),"
                                   /* its text sorts after the next row's, its day is before it: the scan is redone by day */
                                   "(4,'2025-01-02 00:00',9),(4,'2025-01-02T01:00+05:00',9);"), 0);
  vg_program *p = th_compile("oom.rules",
                             "pack oom\nsource s { table s key k time d where k != 5 or as_of < 2025-01-02 }\n"
                             "rule r on s {\n  red when x > 8\n  clear when x < 5\n  escalate after 1 day\n  message \"x {x}\"\n}\n"
                             "rule q on s { yellow when x > 8 and prev(x) > 8 }\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  const char *first[] = {"2025-01-01"};
  nightly(p, first, 1);
  th_no_seek = 1; /* the scan, so that it is redone by day */
  CU_ASSERT_TRUE(each_allocation_fails(p, 0) > 64);
  CU_ASSERT_TRUE(each_allocation_fails(p, 1) > 64);
  th_no_seek = 0;
  vg_free_program(p);
}

int unit_register_life(void) {
  CU_pSuite s = CU_add_suite("life: new, ongoing, escalated, resolved", NULL, th_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "four nightly runs: new, ongoing, escalated, resolved", test_lifecycle) ||
      !CU_add_test(s, "clear when holds an alert; without it, it flaps", test_hysteresis) ||
      !CU_add_test(s, "a backtest carries the life across dates", test_backtest_life) ||
      !CU_add_test(s, "clear and escalate in the language and the bytecode", test_life_syntax) ||
      !CU_add_test(s, "resolved at the sweep in the order the previous run recorded", test_resolved_order) ||
      !CU_add_test(s, "a run with history when allocations fail", test_life_out_of_memory))
    return CU_get_error();
  return CUE_SUCCESS;
}
