/*
** test_runtime.c — the windowing and runtime semantics of the brief, end to
** end through vg_compile_string and vg_run on temporary SQLite files:
** windows of snapshots and of days, for, prev, pct_change, streak,
** aggregates, visibility (as_of, where), bad data and --strict, recording
** in vigil_runs / vigil_alerts, alert order and tiers.
**
** th_run_on() builds a database from SQL, compiles rules against its schema
** and runs them; ALERTS() compares every alert of the run, one line each
** "KEY TIER MESSAGE" (rule names are left out unless a test needs them).
**
** The database, the compile and the run, the alert recorder and the
** diagnostics collector are the shared harness (harness.c).
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
#include "../../runtime/vm.h"

/* The first column of the first row of a query, as text ("<null>", "<none>"). */
static const char *q(const char *sql) {
  static char out[512];
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  snprintf(out, sizeof out, "<none>");
  if (sqlite3_open(th_db_path(), &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, sizeof out, "%s", t ? (const char *)t : "<null>");
  } else if (!st) {
    snprintf(out, sizeof out, "<error %s>", db ? sqlite3_errmsg(db) : "?");
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}
static long long qi(const char *sql) { return atoll(q(sql)); }

#define ALERTS(want) CU_ASSERT(th_alerts_are(0, want))
#define RULE_ALERTS(want) CU_ASSERT(th_alerts_are(1, want))

#define DIAG_HAS(text) CU_ASSERT(th_diag_has(text))

#define TBL "CREATE TABLE s (k INTEGER, d DATE, x REAL, y REAL, ok INTEGER, dd DATE);"
#define SRC "source s { table s key k time d }\n"
#define RULE_MSG(msg) SRC "rule r on s { red when true message \"" msg "\" }\n"

/* ======================================================================== */

static void test_snapshot_windows(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 1), (1, '2025-01-08', 2), (1, '2025-01-15', 4),"
                        " (2, '2025-01-15', 10);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{sum(x, last 5 snapshots)}|{count(true, last 5 snapshots)}|{avg(x, last 2 snapshots)}|"
                                          "{min(x, last 9 snapshots)}|{max(x, last 1 snapshot)}|{sum(x, last 3 snapshots)}"),
                         "2025-01-20"), 0);
  ALERTS("1 red 7|3|3|1|4|7\n2 red 10|1|10|10|10|10\n");
}

static void test_day_windows(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 1), (1, '2025-01-08', 2), (1, '2025-01-15', 4);";
  /* (t - D, t]: a row exactly D days back is out, the row at t is in */
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{sum(x, last 7 days)}|{sum(x, last 8 days)}|{sum(x, last 14 days)}|"
                                          "{sum(x, last 15 days)}|{sum(x, last 1 week)}|{sum(x, last 2 weeks)}|{count(true, last 1 day)}"),
                         "2025-01-15"), 0);
  ALERTS("1 red 4|6|6|7|4|6|1\n");
  /* the current row is 5 days old: a 5-day window is empty */
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{sum(x, last 5 days)}|{avg(x, last 5 days)}|{min(x, last 5 days)}|{count(true, last 5 days)}|"
                                          "{all(true, last 5 days)}|{any(true, last 5 days)}|{sum(x, last 6 days)}"),
                         "2025-01-20"), 0);
  ALERTS("1 red null|null|null|0|false|false|4\n");
  /* on an earlier row the window ends at that row's own time */
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when sum(x, last 7 days) = x for 3 snapshots }\n", "2025-01-16"), 0);
  ALERTS("1 red -\n");
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when count(true, last 8 days) = 2 for 2 snapshots }\n", "2025-01-15"), 0);
  ALERTS("1 red -\n");
}

static void test_for_needs_n_rows(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 5),"
                        " (2, '2025-01-01', 5), (2, '2025-01-02', 5),"
                        " (3, '2025-01-01', 0), (3, '2025-01-02', 5), (3, '2025-01-03', 5),"
                        " (4, '2025-01-01', 5), (4, '2025-01-02', 0), (4, '2025-01-03', 5),"
                        " (5, '2025-01-01', NULL), (5, '2025-01-02', 5), (5, '2025-01-03', 5),"
                        " (6, '2025-01-02', 5), (6, '2025-01-03', NULL);";
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when x > 1 for 2 snapshots }\n", "2025-01-10"), 0);
  ALERTS("2 red -\n3 red -\n5 red -\n");
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when x > 1 for 3 snapshots }\n", "2025-01-10"), 0);
  ALERTS("");
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when x > 1 for 1 snapshot }\n", "2025-01-10"), 0);
  ALERTS("1 red -\n2 red -\n3 red -\n4 red -\n5 red -\n");
  /* a condition that is true on any row still needs N rows */
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when true for 2 snapshots orange when x is null for 1 snapshot }\n",
                            "2025-01-10"), 0);
  ALERTS("2 red -\n3 red -\n4 red -\n5 red -\n6 red -\n");
  /* rows are counted, not calendar slots: a gap does not matter */
  CU_ASSERT_EQUAL(th_run_on(TBL "INSERT INTO s (k, d, x) VALUES (1, '2024-01-01', 5), (1, '2025-01-01', 5);",
                            SRC "rule r on s { red when x > 1 for 2 snapshots }\n", "2025-01-10"), 0);
  ALERTS("1 red -\n");
}

static void test_prev_pct_change(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 10), (1, '2025-01-02', 0), (1, '2025-01-03', 5),"
                        " (1, '2025-01-04', 10), (2, '2025-01-01', NULL), (2, '2025-01-02', 4), (3, '2025-01-01', 4),"
                        " (4, '2025-01-01', 4), (4, '2025-01-02', 3);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{prev(x)}|{prev(x, 2)}|{prev(x, 3)}|{prev(x, 4)}|{pct_change(x)}|"
                                          "{prev(pct_change(x))}|{prev(pct_change(x), 2)}|{pct_change(x * 2)}|{prev(d)}"),
                         "2025-01-10"), 0);
  ALERTS("1 red 5|0|10|null|1|null|-1|1|2025-01-03\n"
         "2 red null|null|null|null|null|null|null|null|2025-01-01\n"
         "3 red null|null|null|null|null|null|null|null|null\n"
         "4 red 4|null|null|null|-0.25|null|null|-0.25|2025-01-01\n");
}

static void test_streak(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 5), (1, '2025-01-02', 4), (1, '2025-01-03', 3),"
                        " (1, '2025-01-04', 2), (2, '2025-01-01', 1), (2, '2025-01-02', 2), (2, '2025-01-03', 1),"
                        " (3, '2025-01-01', 1), (3, '2025-01-02', 2), (4, '2025-01-01', NULL), (4, '2025-01-02', 7);";
  /* streak(x < prev(x)) compares each row with its own predecessor */
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{streak(x < prev(x))}|{streak(x > 0)}|{streak(x > 100)}"), "2025-01-10"), 0);
  ALERTS("1 red 3|4|0\n2 red 1|3|0\n3 red 0|2|0\n4 red 0|1|0\n");
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when streak(x < prev(x)) >= 3 orange when streak(x < prev(x)) >= 1 }\n",
                            "2025-01-10"), 0);
  ALERTS("1 red -\n2 orange -\n");
}

static void test_aggregates_nulls(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', NULL), (1, '2025-01-02', 2), (1, '2025-01-03', NULL),"
                        " (1, '2025-01-04', 4), (2, '2025-01-01', NULL), (2, '2025-01-02', NULL);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{sum(x, last 4 snapshots)}|{avg(x, last 4 snapshots)}|{min(x, last 4 snapshots)}|"
                                          "{max(x, last 4 snapshots)}|{count(x > 0, last 4 snapshots)}|{count(x is null, last 4 snapshots)}|"
                                          "{all(x > 0, last 4 snapshots)}|{any(x > 3, last 4 snapshots)}|"
                                          "{all(x > 0 or x is null, last 4 snapshots)}|{any(x > 100, last 4 snapshots)}"),
                         "2025-01-10"), 0);
  ALERTS("1 red 6|3|2|4|2|2|false|true|true|false\n"
         "2 red null|null|null|null|0|2|false|false|true|false\n");
  /* aggregates of durations and dates */
  CU_ASSERT_EQUAL(th_run_on(TBL "INSERT INTO s (k, d, dd) VALUES (1, '2025-01-05', '2025-01-01'), (1, '2025-01-09', '2025-01-02');",
                            RULE_MSG("{sum(d - dd, last 2 snapshots)}|{avg(d - dd, last 2 snapshots)}|{min(dd, last 2 snapshots)}|"
                                     "{max(d - dd, last 2 snapshots)}"),
                            "2025-01-10"), 0);
  ALERTS("1 red 11 days|5.5 days|2025-01-01|7 days\n");
}

static void test_visibility_as_of(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x, dd) VALUES (1, '2025-01-01', 1, NULL), (1, '2025-01-10', 2, '2025-02-01'),"
                        " (1, '2025-01-20', 3, NULL), (2, '2025-01-20', 9, NULL);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{x}|{prev(x)}|{count(true, last 10 snapshots)}|{sum(x, last 30 days)}|{dd}|{dd > as_of}"),
                            "2025-01-15"), 0);
  /* key 2 has no row on or before as_of: no alert; a date column after as_of is a value */
  ALERTS("1 red 2|1|2|3|2025-02-01|true\n");
  /* the row on as_of itself is visible */
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{x}"), "2025-01-20"), 0);
  ALERTS("1 red 3\n2 red 9\n");
  /* no visible row at all: no alert (regression: a run with no alert once
     called qsort(NULL, 0, ...), which aborts under SAN=1) */
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{x}"), "2024-12-31"), 0);
  ALERTS("");
}

static void test_where_rejected_rows(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x, ok) VALUES (1, '2025-01-01', 1, 1), (1, '2025-01-05', 2, 0),"
                        " (1, '2025-01-10', 3, 1), (1, '2025-01-12', 4, NULL), (2, '2025-01-01', 5, 0);";
  const char *rules = "source s { table s key k time d every 7 days where ok = 1 }\n"
                      "rule r on s { red when x > 0 for 2 snapshots message \"{x}|{prev(x)}|{count(true, last 10 snapshots)}|"
                      "{sum(x, last 30 days)}|{streak(true)}|{stale}|{d}\" }\n";
  /* rejected rows (false or null) are not current, not in windows, prev, streak or for;
     key 2 has only a rejected row: no alert */
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-18"), 0);
  ALERTS("1 red 3|1|2|4|2|true|2025-01-10\n");
  /* the where is written in the rule language and may use functions and params */
  CU_ASSERT_EQUAL(th_run_on(sql, "param lim = 2\nsource s { table s key k time d where coalesce(ok, 1) = 1 and x != lim }\n"
                                 "rule r on s { red when true message \"{x}|{prev(x)}\" }\n", "2025-01-18"), 0);
  ALERTS("1 red 4|3\n");
}

static void test_lets_on_earlier_rows(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x, y) VALUES (1, '2025-01-01', 5, 1), (1, '2025-01-02', 6, 1),"
                        " (2, '2025-01-01', 1, 5), (2, '2025-01-02', 6, 1);";
  /* a let inside for / an aggregate is evaluated on each row */
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s {\n  let gap = x - y\n  red when gap > 0 for 2 snapshots\n"
                                     "  orange when gap > 0\n  message \"{sum(gap, last 2 snapshots)}|{prev(gap)}\"\n}\n",
                            "2025-01-10"), 0);
  ALERTS("1 red 9|4\n2 orange 1|-4\n");
  /* a def with a window function works on the calling rule's rows */
  CU_ASSERT_EQUAL(th_run_on(sql, "def total(v) = sum(v, last 2 snapshots)\n" SRC
                                 "rule r on s { red when total(x) > 10 message \"{total(x)}|{total(y)}\" }\n", "2025-01-10"), 0);
  ALERTS("1 red 11|2\n");
}

static void test_stale_inside_windows(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 1), (1, '2025-01-05', 2), (1, '2025-01-10', 3);";
  const char *rules = "source s { table s key k time d every 7 days }\n"
                      "rule r on s { red when stale for 3 snapshots yellow when true\n"
                      "  message \"{stale}|{count(stale, last 3 snapshots)}|{all(stale, last 3 snapshots)}\" }\n";
  /* stale describes the current row: the same on every row of a window */
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-20"), 0);
  ALERTS("1 red true|3|true\n");
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-12"), 0);
  ALERTS("1 yellow false|0|false\n");
}

static void test_long_history(void) {
  /* 50 rows per key: bounded windows must see exactly the rows they need */
  const char *sql = TBL "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50)"
                        " INSERT INTO s (k, d, x) SELECT k, date('2024-01-01', '+' || i || ' days'), i + 100 * (k - 1)"
                        " FROM c, (SELECT 1 AS k UNION ALL SELECT 2);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{sum(prev(x, 2), last 3 snapshots)}|{prev(prev(x, 2), 3)}|{max(prev(x, 3), last 2 snapshots)}|"
                                          "{count(x > prev(x), last 5 snapshots)}|{streak(x > 10)}|{sum(x, last 3 snapshots)}|"
                                          "{prev(x, 49)}|{prev(x, 50)}|{count(true, last 10 days)}"),
                            "2024-02-20"), 0);
  ALERTS("1 red 141|45|47|5|40|147|1|null|10\n2 red 441|145|147|5|50|447|101|null|10\n");
  /* each alone, so that the series keeps only the rows that rule needs */
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{pct_change(x):4}"), "2025-01-01"), 0);
  ALERTS("1 red 0.0204\n2 red 0.0067\n");
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{prev(pct_change(x), 3):4}"), "2025-01-01"), 0);
  ALERTS("1 red 0.0217\n2 red 0.0068\n");
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{sum(prev(x, 2), last 3 snapshots)}|{prev(prev(x, 2), 3)}"), "2025-01-01"), 0);
  ALERTS("1 red 141|45\n2 red 441|145\n");
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{max(x, last 4 snapshots) - min(x, last 4 snapshots)}"), "2025-01-01"), 0);
  ALERTS("1 red 3\n2 red 3\n");
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when x > prev(x, 2) for 48 snapshots }\n", "2025-01-01"), 0);
  ALERTS("1 red -\n2 red -\n");
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when x > prev(x, 2) for 49 snapshots }\n", "2025-01-01"), 0);
  ALERTS("");
}

static void test_bad_data(void) {
  const char *sql = "CREATE TABLE s (k INTEGER, d DATE, x REAL, dd DATE, unused REAL);"
                    "INSERT INTO s VALUES (1, '2025-01-01', 'abc', '2025-02-30', 'zz'), (1, '2025-01-02', 'x1', 'soon', 'zz'),"
                    " (NULL, '2025-01-01', 1, NULL, 'zz'), (2, NULL, 1, NULL, 1), (3, 'garbage', 1, NULL, 1),"
                    " (4, '2025-01-02', 1, NULL, 1), (4, '2025-01-02', 2, NULL, 1), (5, '2025-01-03 10:30:00', 5, '2025-01-01T08:00', 1);";
  const char *rules = "source s { table s key k time d }\nrule bad_data on s { red when true message \"{x}|{dd}|{d}\" }\n";
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-12"), VG_OK);
  /* unreadable values read as null; rows without key or time are skipped; the later duplicate wins */
  ALERTS("1 red null|null|2025-01-02\n4 red 2|null|2025-01-02\n5 red 5|2025-01-01|2025-01-03\n");
  DIAG_HAS("warning: rule bad_data: table s, column x: 2 value(s) that are not numbers in a number column, read as null (e.g. key 1)");
  DIAG_HAS("warning: rule bad_data: table s, column dd: 2 unreadable date(s), read as null (e.g. key 1)");
  DIAG_HAS("warning: rule bad_data: table s, column k: 1 row(s) with a NULL key, skipped");
  DIAG_HAS("warning: rule bad_data: table s, column d: 1 row(s) with a NULL time, skipped (e.g. key 2)");
  DIAG_HAS("warning: rule bad_data: table s, column d: 1 row(s) with an unreadable time, skipped (e.g. key 3)");
  DIAG_HAS("warning: rule bad_data: table s, column d: 1 duplicate row(s) for the same key and day; the one with the larger rowid"
           " is used (e.g. key 4)");
  /* each kind with its code, at the rule's place: line 2, column 1 (its `rule`) */
  DIAG_HAS("column x: 2 value(s) that are not numbers in a number column, read as null (e.g. key 1) (t.rules:2:1) [W-not-number]");
  DIAG_HAS("column dd: 2 unreadable date(s), read as null (e.g. key 1) (t.rules:2:1) [W-bad-date]");
  DIAG_HAS("column k: 1 row(s) with a NULL key, skipped (t.rules:2:1) [W-null-key]");
  DIAG_HAS("(e.g. key 2) (t.rules:2:1) [W-null-time]");
  DIAG_HAS("(e.g. key 3) (t.rules:2:1) [W-bad-time]");
  DIAG_HAS("(e.g. key 4) (t.rules:2:1) [W-duplicate-row]");
  /* only columns the rules read are reported */
  CU_ASSERT_PTR_NULL(strstr(th_diags, "unused"));
  CU_ASSERT_EQUAL(th_nsummaries, 1);
  CU_ASSERT(th_nsummaries == 1 && th_summaries[0].warnings == 6);
  /* each kind once per rule and column: a second rule reports its own */
  CU_ASSERT_EQUAL(th_run_on(sql, "source s { table s key k time d }\nrule a on s { red when x > 0 }\nrule b on s { red when true }\n",
                            "2025-01-12"), VG_OK);
  DIAG_HAS("rule a: table s, column x: 2 value(s)");
  CU_ASSERT_PTR_NULL(strstr(th_diags, "rule b: table s, column x"));
  DIAG_HAS("rule b: table s, column d: 1 duplicate row(s)");
  /* the column is the rule's, where the rule is declared (here indented on line 4) */
  CU_ASSERT_EQUAL(th_run_on(sql, "source s { table s key k time d }\nrule a on s { red when x > 0 }\n\n  rule b on s { red when true }\n",
                            "2025-01-12"), VG_OK);
  DIAG_HAS("rule b: table s, column d: 1 duplicate row(s) for the same key and day; the one with the larger rowid is used"
           " (e.g. key 4) (t.rules:4:3) [W-duplicate-row]");
  /* a key that is not of its column's type */
  CU_ASSERT_EQUAL(th_run_on(TBL "INSERT INTO s (k, d) VALUES ('m-1', '2025-01-01'), (2, '2025-01-01');", SRC "rule r on s { red when true }\n",
                            "2025-01-12"), VG_OK);
  DIAG_HAS("column k: 1 row(s) whose key cannot be read as its column's type, skipped (e.g. key m-1) (t.rules:2:1) [W-bad-key]");
  /* --strict: any of them fails the run, with no alerts */
  CU_ASSERT_EQUAL(th_run_full(sql, rules, "2025-01-12", 1, 1), VG_EINPUT);
  CU_ASSERT_EQUAL(th_nalerts, 0);
  DIAG_HAS("the data has problems (listed above); nothing is recorded [E-strict]");
  /* --strict on clean data runs */
  CU_ASSERT_EQUAL(th_run_full(TBL "INSERT INTO s (k, d) VALUES (1, '2025-01-01');", SRC "rule r on s { red when true }\n",
                              "2025-01-12", 1, 1), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 1);
}

static void test_bad_data_in_where(void) {
  /* a column read only by the where is read too, and reported */
  const char *sql = TBL "INSERT INTO s (k, d, x, ok) VALUES (1, '2025-01-01', 1, 'yes'), (1, '2025-01-02', 2, 1);";
  CU_ASSERT_EQUAL(th_run_on(sql, "source s { table s key k time d where ok = 1 }\nrule r on s { red when true message \"{x}|{prev(x)}\" }\n",
                            "2025-01-12"), VG_OK);
  ALERTS("1 red 2|null\n");
  DIAG_HAS("column ok: 1 value(s) that are not numbers");
}

static void test_time_of_day(void) {
  /* DATETIME times are calendar days: 23:59 on as_of is visible; two times of one day are duplicates */
  const char *sql = "CREATE TABLE s (k INTEGER, d DATETIME, x REAL);"
                    "INSERT INTO s VALUES (1, '2025-01-10 20:00:00', 1), (1, '2025-01-10T08:00', 2), (1, '2025-01-12 23:59:59', 3);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{x}|{prev(x)}|{d}"), "2025-01-12"), VG_OK);
  ALERTS("1 red 3|2|2025-01-12\n");
  DIAG_HAS("duplicate row(s)");
}

static int count_runs(void) { return (int)qi("SELECT count(*) FROM vigil_runs"); }

static void test_recording(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 5), (2, '2025-01-01', 1), (3, '2025-01-20', 9);";
  const char *rules = "pack rec\n" SRC "rule r on s { red when x > 3 message \"x={x}\" notify k\n  }\n"
                      "rule q on s { yellow when x < 3 }\n";
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_fresh_db(), 0);
  CU_ASSERT_EQUAL_FATAL(th_exec(sql), 0);
  vg_program *p = th_compile("t.rules", rules, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-15", 0, 0), VG_OK);
  RULE_ALERTS("r 1 red x=5\nq 2 yellow -\n");
  CU_ASSERT_EQUAL(count_runs(), 1);
  long long id1 = qi("SELECT run_id FROM vigil_runs");
  CU_ASSERT(th_nsummaries == 1 && th_summaries[0].run_id == id1 && th_summaries[0].alerts == 2);
  CU_ASSERT_STRING_EQUAL(q("SELECT pack || '|' || as_of || '|' || status || '|' || alerts FROM vigil_runs"), "rec|2025-01-15|ok|2");
  CU_ASSERT(qi("SELECT rows_read FROM vigil_runs") == th_summaries[0].rows_read);
  CU_ASSERT(th_summaries[0].rows_read >= 2 && th_summaries[0].rows_read <= 3);
  CU_ASSERT(qi("SELECT count(*) FROM vigil_runs WHERE started_at <= finished_at AND started_at != ''") == 1);
  CU_ASSERT_EQUAL(qi("SELECT count(*) FROM vigil_alerts"), 2);
  CU_ASSERT_STRING_EQUAL(q("SELECT group_concat(run_id = (SELECT run_id FROM vigil_runs), ',') FROM vigil_alerts"), "1,1");
  CU_ASSERT_STRING_EQUAL(q("SELECT pack || '|' || rule || '|' || tier || '|' || key || '|' || as_of || '|' || message || '|' || recipient"
                           " FROM vigil_alerts WHERE rule = 'r'"), "rec|r|red|1|2025-01-15|x=5|1");
  CU_ASSERT_STRING_EQUAL(q("SELECT coalesce(message, 'NULL') || '|' || coalesce(recipient, 'NULL') FROM vigil_alerts WHERE rule = 'q'"),
                         "NULL|NULL");
  /* the same pack and as_of again: replaced, with a new run_id */
  CU_ASSERT_EQUAL(th_exec("UPDATE s SET x = 0 WHERE k = 2"), 0);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-15", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(count_runs(), 1);
  long long id2 = qi("SELECT run_id FROM vigil_runs");
  CU_ASSERT(id2 != id1);
  CU_ASSERT_EQUAL(qi("SELECT count(*) FROM vigil_alerts"), 2);
  CU_ASSERT_EQUAL(qi("SELECT count(*) FROM vigil_alerts WHERE run_id != (SELECT run_id FROM vigil_runs)"), 0);
  /* another as_of: one more run; the earlier one is kept */
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-25", 0, 0), VG_OK);
  RULE_ALERTS("r 1 red x=5\nr 3 red x=9\nq 2 yellow -\n");
  CU_ASSERT_EQUAL(count_runs(), 2);
  CU_ASSERT_EQUAL(qi("SELECT count(*) FROM vigil_alerts WHERE as_of = '2025-01-25'"), 3);
  CU_ASSERT_EQUAL(qi("SELECT alerts FROM vigil_runs WHERE as_of = '2025-01-25'"), 3);
  CU_ASSERT_EQUAL(qi("SELECT count(*) FROM vigil_alerts WHERE run_id = (SELECT run_id FROM vigil_runs WHERE as_of = '2025-01-15')"), 2);
  /* a dry run records nothing */
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-30", 1, 0), VG_OK);
  CU_ASSERT_EQUAL(count_runs(), 2);
  CU_ASSERT(th_nsummaries == 1 && th_summaries[0].run_id == 0);
  /* bad data: status warnings */
  CU_ASSERT_EQUAL(th_exec("INSERT INTO s (k, d, x) VALUES (4, '2025-01-02', 'oops')"), 0);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-25", 0, 0), VG_OK);
  CU_ASSERT_STRING_EQUAL(q("SELECT status FROM vigil_runs WHERE as_of = '2025-01-25'"), "warnings");
  long long id3 = qi("SELECT run_id FROM vigil_runs WHERE as_of = '2025-01-25'");
  /* a failed run (--strict with bad data) records nothing and keeps the earlier runs */
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-25", 0, 1), VG_EINPUT);
  CU_ASSERT_EQUAL(th_nalerts, 0);
  CU_ASSERT_EQUAL(count_runs(), 2);
  CU_ASSERT_EQUAL(qi("SELECT run_id FROM vigil_runs WHERE as_of = '2025-01-25'"), id3);
  CU_ASSERT_EQUAL(qi("SELECT count(*) FROM vigil_alerts"), 5);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-02-05", 0, 1), VG_EINPUT);
  CU_ASSERT_EQUAL(count_runs(), 2);
  vg_free_program(p);
}

static void test_recording_two_packs(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 5);";
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_fresh_db(), 0);
  CU_ASSERT_EQUAL_FATAL(th_exec(sql), 0);
  vg_program *p[2] = {th_compile("b.rules", "pack zeta\n" SRC "rule r on s { red when true }\n", NULL),
                      th_compile("a.rules", "pack alpha\n" SRC "rule r on s { yellow when true }\n", NULL)};
  CU_ASSERT_PTR_NOT_NULL_FATAL(p[0]);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p[1]);
  /* alerts come in the order the packs are given */
  CU_ASSERT_EQUAL(th_run(p, 2, "2025-01-15", 0, 0), VG_OK);
  CU_ASSERT(th_nalerts == 2 && strcmp(th_alerts[0].pack, "zeta") == 0 && strcmp(th_alerts[1].pack, "alpha") == 0);
  CU_ASSERT_EQUAL(count_runs(), 2);
  CU_ASSERT_EQUAL(th_nsummaries, 2);
  CU_ASSERT_STRING_EQUAL(q("SELECT group_concat(pack || ':' || alerts, ',') FROM (SELECT * FROM vigil_runs ORDER BY pack)"),
                         "alpha:1,zeta:1");
  /* a pack given twice is a usage error */
  vg_program *twice[2] = {p[0], p[0]};
  CU_ASSERT_EQUAL(th_run(twice, 2, "2025-01-15", 0, 0), VG_EUSAGE);
  DIAG_HAS("pack zeta is given twice; a run records each pack once [E-options]");
  vg_free_program(p[0]);
  vg_free_program(p[1]);
}

static void test_run_errors(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-01', 5);";
  /* a bad as_of */
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when true }\n", "2025-02-30"), VG_EUSAGE);
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when true }\n", "20250101"), VG_EUSAGE);
  DIAG_HAS("error: as_of 20250101: not a date (expected YYYY-MM-DD) [E-options]");
  /* a column the program was compiled for is missing from the database */
  CU_ASSERT_EQUAL_FATAL(th_fresh_db(), 0);
  CU_ASSERT_EQUAL_FATAL(th_exec(sql), 0);
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  vg_program *p = NULL;
  const char *rules = SRC "rule r on s { red when extra > 1 }\n";
  CU_ASSERT_EQUAL_FATAL(vg_compile_string("t.rules", rules, strlen(rules),
                                          "CREATE TABLE s (k INTEGER, d DATE, extra REAL);", &co, &p), VG_OK);
  th_clear_diags();
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-15", 0, 0), VG_EINPUT);
  CU_ASSERT_EQUAL(th_nalerts, 0);
  DIAG_HAS("error: pack t, source s: the database has no column s.extra [E-missing-column]");
  CU_ASSERT_STRING_EQUAL(q("SELECT count(*) FROM sqlite_schema WHERE name = 'vigil_runs'"), "0");
  vg_free_program(p);
}

static void test_alert_order_and_tiers(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (10, '2025-01-01', 5), (2, '2025-01-01', 20), (9, '2025-01-01', 2),"
                        " (1, '2025-01-01', 0);"
                        "CREATE TABLE t (name TEXT, d DATE);"
                        "INSERT INTO t VALUES ('b', '2025-01-01'), ('B', '2025-01-01'), ('a', '2025-01-01'), ('回', '2025-01-01');";
  /* rule declaration order, then key order (integers numerically, text as SQLite orders it);
     the highest tier whose clause fires wins, whatever the order of the clauses */
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "source t { table t key name time d }\n"
                                     "rule zz on s {\n  yellow when x > 1\n  red when x > 10\n  orange when x > 3\n}\n"
                                     "rule aa on t { red when true }\n"
                                     "rule mm on s { orange when x >= 0 }\n", "2025-01-15"), 0);
  RULE_ALERTS("zz 2 red -\nzz 9 yellow -\nzz 10 orange -\n"
              "aa B red -\naa a red -\naa b red -\naa 回 red -\n"
              "mm 1 orange -\nmm 2 orange -\nmm 9 orange -\nmm 10 orange -\n");
  /* custom tiers, lowest first */
  CU_ASSERT_EQUAL(th_run_on(sql, "tiers watch, act\n" SRC "rule r on s { act when x > 10 watch when x > 1 }\n", "2025-01-15"), 0);
  ALERTS("2 act -\n9 watch -\n10 watch -\n");
}

/* INTEGER keys above 2^53 that differ by one stay two keys, and a key's
** text is its decimal digits (they were once read as doubles: one merged
** key with a bogus duplicate warning, and "1e+18"). */
static void test_big_integer_keys(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (12345678901234567, '2025-01-01', 1), (12345678901234568, '2025-01-01', 2),"
                        " (1000000000000000000, '2025-01-01', 3);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{x}"), "2025-01-15"), 0);
  ALERTS("12345678901234567 red 1\n12345678901234568 red 2\n1000000000000000000 red 3\n");
  CU_ASSERT_PTR_NULL(strstr(th_diags, "duplicate"));
}

/* Time text with a leading blank (" 2025-01-10") is unreadable, as it is
** for SQLite's date(): the row is skipped and reported.  (It was once read
** as a date and, sorting first by its text, became the "previous" row of
** 2025-01-05.) */
static void test_time_text_order(void) {
  const char *sql = TBL "INSERT INTO s (k, d, x) VALUES (1, '2025-01-05', 1), (1, ' 2025-01-10', 2);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{d}|{x}|{prev(x)}"), "2025-01-12"), 0);
  ALERTS("1 red 2025-01-05|1|null\n");
  DIAG_HAS("unreadable time");
}

/* Regression: a text key longer than 511 bytes comes out whole, as stored
** (it was once cut to 511 bytes by a fixed buffer). */
static void test_long_text_keys(void) {
  char sql[2048];
  int n = snprintf(sql, sizeof sql, "CREATE TABLE t (name TEXT, d DATE); INSERT INTO t VALUES ('");
  memset(sql + n, 'k', 600);
  n += 600;
  snprintf(sql + n, sizeof sql - (size_t)n, "', '2025-01-01'), ('x', '2025-01-01');");
  CU_ASSERT_EQUAL(th_run_on(sql, "source s { table t key name time d }\nrule r on s { red when true message \"{length(name)}\" }\n",
                            "2025-01-15"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 2);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].message, "600");
  CU_ASSERT_EQUAL(strlen(th_alerts[0].key), 600);
  CU_ASSERT_STRING_EQUAL(th_alerts[1].key, "x");
}

/* Regression: with a COLLATE NOCASE key column, whose rows come as 'a',
** 'A', 'a' in the key's collation, there is one alert per rule and key, and
** the series of 'a' holds both of its rows (or all three, if 'a' and 'A'
** are one key); key 'a' was once evaluated twice, on two partial series. */
static void test_nocase_keys(void) {
  const char *sql = "CREATE TABLE s (k TEXT COLLATE NOCASE, d DATE, x REAL);"
                    "INSERT INTO s VALUES ('a', '2025-01-01', 1), ('A', '2025-01-02', 2), ('a', '2025-01-03', 3);";
  CU_ASSERT_EQUAL(th_run_on(sql, SRC "rule r on s { red when true message \"{x} {count(true, last 10 snapshots)}\" }\n",
                            "2025-01-10"), 0);
  int dup = 0, latest_ok = 0;
  for (int i = 0; i < th_nalerts; i++) {
    for (int j = 0; j < i; j++) dup |= strcmp(th_alerts[i].key, th_alerts[j].key) == 0;
    if (strncmp(th_alerts[i].message, "3 ", 2) == 0) latest_ok = atoi(th_alerts[i].message + 2) >= 2;
  }
  CU_ASSERT_FALSE(dup);
  CU_ASSERT_TRUE(latest_ok);
}

/* The run of rules on sql as of as_of with index seeks gives the alerts of
** the full scan (no_seek), more than min_alerts of them, in the same order,
** and reads fewer than half its rows. */
static void seek_equals_scan(const char *sql, const char *rules, const char *as_of, int min_alerts) {
  th_no_seek = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, as_of), 0);
  char scan[65536];
  snprintf(scan, sizeof scan, "%s", th_alert_lines(0));
  long long scan_rows = th_nsummaries ? th_summaries[0].rows_read : -1;
  th_no_seek = 0;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, as_of), 0);
  CU_ASSERT(th_nalerts > min_alerts);
  CU_ASSERT_STRING_EQUAL(th_alert_lines(0), scan);
  long long seek_rows = th_nsummaries ? th_summaries[0].rows_read : -1;
  CU_ASSERT(seek_rows > 0 && seek_rows < scan_rows / 2);
}

/* With a (key, time) index and long histories a run seeks the last rows of
** each key; it must give exactly what the full scan gives, across where
** rejections, duplicates, zones, rows after as_of, NULL keys and bad times,
** and read fewer rows. */
static void test_seek_equals_scan(void) {
  char sql[200000];
  size_t n = (size_t)snprintf(sql, sizeof sql,
      "CREATE TABLE s (k INTEGER, d DATE, x REAL, ok INTEGER);"
      "CREATE INDEX s_kd ON s(k, d);"
      "INSERT INTO s VALUES (NULL, '2025-01-01', 1, 1), (7, 'garbage', 1, 1);");
  for (int k = 1; k <= 40; k++)
    for (int i = 0; i < 30; i++) {
      int day = 1 + i;
      n += (size_t)snprintf(sql + n, sizeof sql - n, "INSERT INTO s VALUES (%d, '2025-01-%02d', %d, %d);", k,
                            day, (k * 7 + i * 13) % 10, (k + i) % 5 != 0);
    }
  /* a duplicate day, a zone that moves a row back a day, a future row */
  snprintf(sql + n, sizeof sql - n,
           "INSERT INTO s VALUES (3, '2025-01-30', 9, 1), (4, '2025-01-30T01:00+05:00', 8, 1), (5, '2025-02-20', 9, 1);");
  const char *rules =
      "source s { table s key k time d where ok = 1 }\n"
      "rule r on s {\n"
      "  red when sum(x, last 3 snapshots) > 20\n"
      "  orange when x > prev(x, 2) for 2 snapshots\n"
      "  message \"{d} {x} {prev(x)} {pct_change(x):pct}\"\n"
      "}\n";
  seek_equals_scan(sql, rules, "2025-01-31", 3);
}

/* The seeks walk down the keys with one statement (runtime/scan.c,
** walk_keys): a key ends where a row of another key comes, by the runtime's
** identity of keys (1 and 1.0 are one key, 'a' and x'61' two, text in an
** INTEGER key column a bad key of its own), and a key whose window is
** complete is jumped past.  The same alerts, in the same order, as the
** scan, and fewer rows read. */
static void test_walk_key_types(void) {
  char sql[200000];
  size_t n = (size_t)snprintf(sql, sizeof sql,
      "CREATE TABLE s (k, d DATE, x REAL);"
      "CREATE INDEX s_kd ON s(k, d);"
      "INSERT INTO s VALUES (1, '2025-01-20', 5), (1.0, '2025-01-21', 6), ('a', '2025-01-21', 1), (x'61', '2025-01-21', 2),"
      " (2.5, '2025-01-21', 3), ('', '2025-01-21', 4), (-3, '2025-01-21', 7);");
  for (int k = 10; k <= 40; k++)
    for (int i = 0; i < 25; i++)
      n += (size_t)snprintf(sql + n, sizeof sql - n, "INSERT INTO s VALUES (%d, '2025-01-%02d', %d);", k, 1 + i,
                            (k * 3 + i * 7) % 10);
  const char *rules = "source s { table s key k time d }\n"
                      "rule r on s {\n"
                      "  red when x >= prev(x) or count(true, last 2 snapshots) < 2\n"
                      "  message \"{k} {d} {x} {prev(x)}\"\n"
                      "}\n";
  seek_equals_scan(sql, rules, "2025-01-22", 10);
}

extern long exec_probes, exec_probe_reads, exec_probe_walks, exec_evid_walks;

/* The recorded runs of rules over sql at each date of as_of (one database,
** alert life carried from run to run), with index seeks or reading tables
** whole: every alert's rule, key, tier, status, message, route and
** evidence, run after run, into out. */
static void life_runs(const char *sql, const char *rules, const char *const *as_of, int no_seek, char *out, size_t cap) {
  size_t n = 0;
  out[0] = 0;
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(sql), 0);
  vg_status cst = VG_OK;
  vg_program *p = th_compile("t.rules", rules, &cst);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  th_no_seek = no_seek;
  th_evidence = 1;
  for (int d = 0; as_of[d]; d++) {
    CU_ASSERT_EQUAL(th_run(&p, 1, as_of[d], 0, 0), 0);
    for (int i = 0; i < th_nalerts && n < cap - 4096; i++)
      n += (size_t)snprintf(out + n, cap - n, "%s %s %s %s %s %s | %s | %s\n", as_of[d], th_alerts[i].rule,
                            th_alerts[i].key, th_alerts[i].tier, th_alerts[i].status,
                            th_alerts[i].has_message ? th_alerts[i].message : "-", th_alerts[i].route,
                            th_alerts[i].evidence);
  }
  th_no_seek = 0;
  th_evidence = 0;
  vg_free_program(p);
}

/* The walk's probe (runtime/scan.c, walk_keys): a key's rules run on its
** newest row alone, and its older rows are read only when an evaluation
** needs them (vm_series.least).  Recorded runs on three dates (alerts that
** open, stay, clear and escalate) give, alert for alert with messages,
** routes and evidence, what reading the tables whole gives, over the
** window shapes a run seeks for (prev, pct_change, for N snapshots, an
** aggregate of rows, clear when; streaks and windows of days read the
** table whole, and the VM's tests cover their probes), several
** rules on one source (the first decided on one row, the next needing
** more), and keys whose newest row the probe cannot take alone: a single
** row, a duplicate day, zones and times of day, a row after as_of, an
** unreadable or NULL time, a NULL value. */
static void test_probe_equals_scan(void) {
  static char sql[400000], seek[200000], scan[200000];
  size_t n = (size_t)snprintf(sql, sizeof sql,
      "CREATE TABLE s (k INTEGER, d DATE, x REAL, who TEXT);"
      "CREATE INDEX s_kd ON s(k, d);");
  for (int k = 1; k <= 60; k++)
    for (int i = 0; i < 30; i++)
      n += (size_t)snprintf(sql + n, sizeof sql - n, "INSERT INTO s VALUES (%d, '2025-01-%02d', %d, 'm%d');", k, 1 + i,
                            (k * 7 + i * 13 + (k % 3) * i * i) % 10, k % 4);
  snprintf(sql + n, sizeof sql - n,
           "INSERT INTO s VALUES (100, '2025-01-30', 9, 'm1');"
           "INSERT INTO s VALUES (101, '2025-01-30', 9, 'm1'), (101, '2025-01-30', 1, 'm2'), (101, '2025-01-20', 9, 'm1');"
           "INSERT INTO s VALUES (102, '2025-01-30', 9, 'm1'), (102, '2025-01-29T23:00-05:00', 0, 'm2'), (102, '2025-01-20', 9, 'm1');"
           "INSERT INTO s VALUES (103, '2025-02-15', 0, 'm1'), (103, '2025-01-30', 9, 'm1'), (103, '2025-01-20', 9, 'm2');"
           "INSERT INTO s VALUES (104, 'garbage', 0, 'm1'), (104, '2025-01-30', 9, 'm1'), (104, '2025-01-20', 9, 'm2');"
           "INSERT INTO s VALUES (105, NULL, 0, 'm1'), (105, '2025-01-30', 9, 'm1');"
           "INSERT INTO s VALUES (106, '2025-01-30T05:00', 9, 'm1'), (106, '2025-01-30', 0, 'm2'), (106, '2025-01-20', 9, 'm1');"
           "INSERT INTO s VALUES (107, '2025-01-30', 9, 'm1'), (107, '2025-01-29', 9, 'm2');"
           "INSERT INTO s VALUES (108, '2025-01-30', NULL, 'm1'), (108, '2025-01-20', 9, 'm2');"
           "INSERT INTO s VALUES (109, '2025-01-31T01:00+05:00', 9, 'm1'), (109, '2025-01-28', 9, 'm2');"
           /* the window read by the walk going on, with a duplicate day, a
           ** zone, a time of day, text and no time where it takes the row
           ** after the window's oldest, read from the index alone */
           "INSERT INTO s VALUES (110, '2025-01-30', 9, 'm1'), (110, '2025-01-29', 2, 'm1'), (110, '2025-01-29', 1, 'm2'),"
           " (110, '2025-01-28', 2, 'm1'), (110, '2025-01-28', 0, 'm3'), (110, '2025-01-20', 9, 'm1');"
           "INSERT INTO s VALUES (111, '2025-01-30', 9, 'm1'), (111, '2025-01-29', 1, 'm1'), (111, '2025-01-28', 2, 'm2'),"
           " (111, '2025-01-28T23:00-05:00', 0, 'm1'), (111, '2025-01-27', 9, 'm1');"
           "INSERT INTO s VALUES (112, '2025-01-30', 1, 'm1'), (112, '2025-01-29', 2, 'm1'), (112, '2025-01-28T10:00', 0, 'm2'),"
           " (112, '2025-01-28', 5, 'm2'), (112, '2025-01-27', 'x', 'm1'), (112, '2025-01-20', 9, 'm1');"
           "INSERT INTO s VALUES (113, '2025-01-30', 9, 'm1'), (113, '2025-01-29', 'bad', 'm1'), (113, '2025-01-28', 1, 'm2'),"
           " (113, NULL, 0, 'm1'), (113, '2025-01-27', 'bad', 'm3');");
  const char *rules =
      "source s { table s key k time d every 1 day }\n"
      "rule a on s { red when x > 7 and x > prev(x) message \"{x} {prev(x)}\" notify who }\n"
      "rule b on s { orange when x < 4 for 3 snapshots message \"{x}\" }\n"
      "rule c on s { yellow when x < 3 for 2 snapshots message \"{x} {pct_change(x):pct}\" }\n"
      "rule e on s { red when x <= 1 and sum(x, last 3 snapshots) < 6 message \"{sum(x, last 3 snapshots)}\" }\n"
      "rule g on s { red when x > 6 clear when x < 2 message \"{x}\" escalate after 2 days }\n"
      "rule i on s { orange when pct_change(x) > 1 message \"{pct_change(x)}\" }\n";
  const char *const dates[] = {"2025-01-28", "2025-01-30", "2025-02-01", NULL};
  life_runs(sql, rules, dates, 1, scan, sizeof scan);
  long probes = exec_probes, reads = exec_probe_reads, walks = exec_probe_walks, evid = exec_evid_walks;
  life_runs(sql, rules, dates, 0, seek, sizeof seek);
  CU_ASSERT(strlen(scan) > 2000);
  CU_ASSERT_STRING_EQUAL(seek, scan);
  /* the probe ran; rule b (for 3 snapshots: more than the two rows a
  ** probe knows the window has) reads every key's window, most of them by
  ** the walk going on */
  CU_ASSERT(exec_probes - probes > 100);
  CU_ASSERT(exec_probe_reads - reads >= exec_probes - probes);
  CU_ASSERT(exec_probe_walks - walks >= exec_probes - probes);
  CU_ASSERT(exec_evid_walks - evid > 10); /* (the evidence's rows read by the walk going on) */
  /* rules c and g alone (a `for` that stops at the first row not true,
  ** a condition on the newest row): most keys are decided on that row.
  ** (a, e and i read the row before on every key: their conditions'
  ** second conjuncts are window functions, evaluated whatever the first) */
  const char *a = strstr(rules, "rule a"), *c = strstr(rules, "rule c"), *d = strstr(rules, "rule e");
  const char *g = strstr(rules, "rule g"), *i = strstr(rules, "rule i");
  char fewer[4096];
  snprintf(fewer, sizeof fewer, "%.*s%.*s%.*s", (int)(a - rules), rules, (int)(d - c), c, (int)(i - g), g);
  life_runs(sql, fewer, dates, 1, scan, sizeof scan);
  probes = exec_probes;
  reads = exec_probe_reads;
  life_runs(sql, fewer, dates, 0, seek, sizeof seek);
  CU_ASSERT(strlen(scan) > 1000);
  CU_ASSERT_STRING_EQUAL(seek, scan);
  CU_ASSERT(exec_probes - probes > 100);
  CU_ASSERT(exec_probe_reads - reads > 10);
  CU_ASSERT(2 * (exec_probe_reads - reads) < exec_probes - probes);
}

/* The probe reads whole rows by their rowids through vigil_feed
** (runtime/rows.c), joined to the table as t: a table whose columns are
** named as the function's (id, feed), and one whose rowid is reachable
** only as its INTEGER PRIMARY KEY (rowid, _rowid_ and oid are columns),
** still probe, and give what reading them whole gives. */
static void test_probe_feed_names(void) {
  static const char *const tables[] = {
      "CREATE TABLE s (k INTEGER, d DATE, id REAL, feed TEXT);",
      "CREATE TABLE s (n INTEGER PRIMARY KEY, k INTEGER, d DATE, id REAL, feed TEXT, rowid INT, _rowid_ INT, oid INT);",
  };
  static char sql[200000], seek[100000], scan[100000];
  for (int t = 0; t < 2; t++) {
    size_t n = (size_t)snprintf(sql, sizeof sql, "%sCREATE INDEX s_kd ON s(k, d);", tables[t]);
    /* rowids going down the keys, as the walk meets them, and up */
    for (int k = 1; k <= 40; k++)
      for (int i = 0; i < 6; i++) {
        int key = t ? 41 - k : k;
        n += (size_t)snprintf(sql + n, sizeof sql - n, "INSERT INTO s (k, d, id, feed) VALUES (%d, '2025-01-%02d', %d, 'm%d');",
                              key, 10 + i, (key * 7 + i * 5) % 10, key % 3);
      }
    const char *rules = "source s { table s key k time d every 1 day }\n"
                        "rule a on s { red when id > 6 and id > prev(id) message \"{id} {prev(id)}\" notify feed }\n"
                        "rule c on s { yellow when id < 3 for 2 snapshots message \"{id}\" notify feed }\n";
    const char *const dates[] = {"2025-01-14", "2025-01-16", NULL};
    life_runs(sql, rules, dates, 1, scan, sizeof scan);
    long probes = exec_probes, walks = exec_probe_walks;
    life_runs(sql, rules, dates, 0, seek, sizeof seek);
    CU_ASSERT(strlen(scan) > 500);
    CU_ASSERT_STRING_EQUAL(seek, scan);
    CU_ASSERT(exec_probes - probes >= 40);
    CU_ASSERT(exec_probe_walks - walks > 0);
  }
}

/* What one evaluation did: its status, alerts, type warnings and steps. */
typedef struct probe_out {
  char text[2048];
  size_t len;
} probe_out;

static int probe_emit(void *ud, int rule, int tier, const char *m, size_t mlen, const char *r, size_t rlen) {
  probe_out *o = ud;
  int n = snprintf(o->text + o->len, sizeof o->text - o->len, "rule %d tier %d [%.*s] [%.*s]; ", rule, tier,
                   m ? (int)mlen : 1, m ? m : "-", r ? (int)rlen : 1, r ? r : "-");
  if (n > 0 && o->len + (size_t)n < sizeof o->text) o->len += (size_t)n;
  return 0;
}

static vm_status probe_eval(vm_state *vm, int rule, const vm_series *s, probe_out *o) {
  o->len = 0;
  o->text[0] = 0;
  vm->ud = o;
  uint64_t tw = vm->type_warnings;
  vm_status st = vm_eval_rule(vm, rule, s);
  size_t n = o->len;
  snprintf(o->text + n, sizeof o->text - n, "status %d, %llu type warnings, %llu steps", (int)st,
           (unsigned long long)(vm->type_warnings - tw), (unsigned long long)vm->steps);
  return st;
}

/* A probe (vm_series.least) is exact or stops: on every window, each of
** its newest-row prefixes told any true lower bound of the window's length
** gives VM_NEED_ROWS, or what the whole window gives (alerts, messages,
** type warnings, even the steps).  Over every window operation: prev,
** pct_change, streak, for N snapshots, for a duration, aggregates of rows
** and of days, with nulls and gaps, on random windows. */
static void test_vm_probe_exact(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db("CREATE TABLE s (k INTEGER, d DATE, x REAL, t TEXT);"), 0);
  const char *rules =
      "source s { table s key k time d every 7 days }\n"
      "rule r0 on s { red when x > 5 and x > prev(x) message \"{x} {prev(x)}\" }\n"
      "rule r1 on s { red when x < 5 for 3 snapshots message \"{x}\" }\n"
      "rule r2 on s { orange when x < 6 for 2 weeks }\n"
      "rule r3 on s { red when streak(x < 5) >= 2 message \"{streak(x < 5)}\" }\n"
      "rule r4 on s { red when sum(x, last 3 snapshots) > 10 message \"{avg(x, last 2 snapshots)}\" }\n"
      "rule r5 on s { red when x > 1 and count(x > 3, last 15 days) >= 2 }\n"
      "rule r6 on s { red when pct_change(x) > 0.5 }\n"
      "rule r7 on s { yellow when x > 2 message \"{prev(x, 2)} {min(x, last 4 snapshots)} {max(t, last 3 snapshots)}\" }\n"
      "rule r8 on s {\n  orange when x > 1 for 2 snapshots\n  red when x > 6 for 3 snapshots\n"
      "  message \"{all(x > 0, last 3 snapshots)} {any(x > 8, last 2 snapshots)}\"\n}\n"
      "rule r9 on s { red when x >= 0 and x + prev(x) > 8 message \"{t}\" }\n";
  vg_program *prog = th_compile("p.rules", rules, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(prog);
  vm_program *p = prog;
  enum { L = 7 };
  vm_row rows[L];
  val vals[L][4];
  char texts[L][8];
  memset(rows, 0, sizeof rows);
  vm_series full;
  memset(&full, 0, sizeof full);
  full.rows = rows;
  full.cap = L;
  full.bounded = 1;
  full.ncols = 4;
  vm_state vm;
  vm_state_init(&vm, p, 20000);
  vm.emit = probe_emit;
  unsigned seed = 12345;
  long exact = 0, stopped = 0;
  probe_out want, got;
  for (int trial = 0; trial < 400; trial++) {
    uint32_t len = 1 + (uint32_t)(trial % L);
    int32_t t = 20000;
    for (uint32_t o = 0; o < len; o++) { /* offset o: slot len-1-o (the newest at head) */
      vm_row *r = &rows[len - 1 - o];
      seed = seed * 1103515245u + 12345u;
      int x = (int)((seed >> 16) % 11);
      r->v = vals[len - 1 - o];
      r->time = t;
      r->v[0] = val_num(1);
      r->v[1] = val_date(t);
      r->v[2] = x == 10 ? val_null() : val_num(x);
      snprintf(texts[len - 1 - o], sizeof texts[0], "t%d", x);
      r->v[3] = val_str(texts[len - 1 - o], 2);
      t -= (seed >> 8) % 5 == 0 ? 14 : 7; /* a gap now and then */
    }
    full.n = len;
    full.head = len - 1;
    full.least = 0;
    vm.as_of = 20000 + (int32_t)(trial % 3);
    for (int rule = 0; rule < p->nrules; rule++) {
      vm.cur_rule = rule;
      vm_status st = probe_eval(&vm, rule, &full, &want);
      CU_ASSERT_EQUAL(st, VM_OK);
      for (uint32_t n = 1; n < len; n++)
        for (uint32_t least = n; least <= len; least++) {
          vm_series pr = full;
          pr.n = n;
          pr.least = least;
          st = probe_eval(&vm, rule, &pr, &got);
          if (st == VM_NEED_ROWS) { stopped++; continue; }
          exact++;
          if (strcmp(got.text, want.text) != 0) {
            fprintf(stderr, "\n  rule %d, window of %u, probe of %u (at least %u):\n  whole: %s\n  probe: %s\n", rule, len, n,
                    least, want.text, got.text);
            CU_FAIL("a probe that did not stop differs from the whole window");
          }
        }
    }
  }
  /* both outcomes are common */
  CU_ASSERT(exact > 1000);
  CU_ASSERT(stopped > 1000);
  vm_state_free(&vm);
  vg_free_program(prog);
}

/* A nightly scan of a one-row-per-key table (INTEGER PRIMARY KEY) whose
** rules look back no rows lets SQLite drop the rows no tier can fire on
** (runtime/prefilter.c): the same alerts as reading every row (no_seek),
** over text in number columns, unreadable and zoned dates, NULLs, infinities,
** rows after as_of; and fewer rows read.  A key that is not unique, a rule
** with `clear when` or one that looks back get no prefilter. */
#define PREFILTER_ROWS 309
static void test_prefilter_equals_scan(void) {
  char sql[200000];
  size_t n = (size_t)snprintf(sql, sizeof sql,
      "CREATE TABLE inv (id INTEGER PRIMARY KEY, due DATE, paid DATE, amount REAL, n INTEGER);"
      "INSERT INTO inv VALUES (100001, '2025-01-10', NULL, 'abc', 1), (100002, 'garbage', NULL, 5, 2),"
      " (100003, '2025-01-10T23:30:00-05:00', NULL, 1e999, 3), (100004, '2025-01-20', '2025-02-20', -1e999, NULL),"
      " (100005, NULL, NULL, 3, 4), (100006, '2025-03-01', NULL, 3, 5), (100007, '2025-01-05', X'00', NULL, 6),"
      " (100008, '2025-01-05', 20250101, 2.5, 7), (100009, '2025-01-06', '2025-01-31', 0, 8);");
  for (int i = 1; i <= 600; i++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, "INSERT INTO inv VALUES (%d, '2025-01-%02d', %s, %d.5, %d);", i,
                          1 + i % 28, i % 3 == 0 ? "NULL" : i % 3 == 1 ? "'2025-01-30'" : "'2025-02-15'", i % 7, i % 5);
  const char *rules =
      "param late = 10 days\nparam big = 3\n"
      "def unpaid(p) = p is null or p > as_of\n"
      "source inv { table inv key id time due }\n"
      "rule aging on inv {\n"
      "  let overdue = as_of - due\n"
      "  yellow when unpaid(paid) and overdue > late\n"
      "  orange when unpaid(paid) and overdue > late and not (amount < big)\n"
      "  red    when (amount >= big or n = 4) and due + 2 days < as_of and paid is null\n"
      "  message \"{overdue} {amount}\"\n"
      "}\n";
  th_no_seek = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-02-01"), 0);
  char scan[65536];
  snprintf(scan, sizeof scan, "%s", th_alert_lines(0));
  long long scan_rows = th_nsummaries ? th_summaries[0].rows_read : -1;
  th_no_seek = 0;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-02-01"), 0);
  CU_ASSERT(th_nalerts > 100);
  CU_ASSERT_STRING_EQUAL(th_alert_lines(0), scan);
  long long pre_rows = th_nsummaries ? th_summaries[0].rows_read : -1;
  CU_ASSERT(pre_rows > 0 && pre_rows < scan_rows);
  /* the receivables rule's shape: a first conjunct all tiers share, tested
  ** once (c1 JMPF end), then each tier's conjuncts one by one (compiler/cg.c):
  ** each tier's guard is the AND of the conditions on its path, the WHERE the
  ** same as when the code tested each clause whole (PREFILTER_ROWS rows, as
  ** read before the code generator chained the conjuncts) */
  const char *shared = "param late = 10 days\nparam later = 20 days\nparam latest = 25 days\n"
                       "def unpaid(p) = p is null or p > as_of\n"
                       "source inv { table inv key id time due }\n"
                       "rule aging on inv {\n"
                       "  let overdue = as_of - due\n"
                       "  yellow when unpaid(paid) and overdue > late\n"
                       "  orange when unpaid(paid) and overdue > later\n"
                       "  red    when unpaid(paid) and overdue > latest and n >= 0\n"
                       "  message \"{overdue} {amount}\"\n"
                       "}\n";
  th_no_seek = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, shared, "2025-02-01"), 0);
  snprintf(scan, sizeof scan, "%s", th_alert_lines(0));
  th_no_seek = 0;
  CU_ASSERT_EQUAL(th_run_on(sql, shared, "2025-02-01"), 0);
  CU_ASSERT(th_nalerts > 100);
  CU_ASSERT_STRING_EQUAL(th_alert_lines(0), scan);
  CU_ASSERT_EQUAL(th_nsummaries ? th_summaries[0].rows_read : -1, PREFILTER_ROWS);
  /* the tiers' common conjuncts are written once (A and B1 or A and B2 is
  ** A and (B1 or B2)); column names holding " AND ", parentheses and quotes
  ** must not confuse that */
  const char *odd = "CREATE TABLE o (id INTEGER PRIMARY KEY, d DATE, \"a AND (b\" REAL, \"c\"\") AND (\" REAL);"
                    "INSERT INTO o VALUES (1, '2025-01-01', 5, 1), (2, '2025-01-01', 1, 5), (3, '2025-01-01', 5, 5),"
                    " (4, '2025-01-01', NULL, 5), (5, '2025-01-01', 'x', 9);";
  const char *odd_rules = "source o { table o key id time d }\n"
                          "rule r on o {\n"
                          "  yellow when `a AND (b` > 2 and `c\") AND (` > 0\n"
                          "  orange when `a AND (b` > 2 and `c\") AND (` > 3\n"
                          "  red    when `a AND (b` > 2 and (`c\") AND (` > 4 and `c\") AND (` < 100)\n"
                          "}\n";
  th_no_seek = 1;
  CU_ASSERT_EQUAL(th_run_on(odd, odd_rules, "2025-02-01"), 0);
  snprintf(scan, sizeof scan, "%s", th_alert_lines(0));
  th_no_seek = 0;
  CU_ASSERT_EQUAL(th_run_on(odd, odd_rules, "2025-02-01"), 0);
  CU_ASSERT_STRING_EQUAL(th_alert_lines(0), scan);
  CU_ASSERT(th_alerts_are(0, "1 yellow -\n3 red -\n"));
  /* rows 1 and 3, and row 5 for its bad data ('x'), kept to be reported as the full scan reports it */
  CU_ASSERT_EQUAL(th_nsummaries ? th_summaries[0].rows_read : -1, 3);
  /* what cannot be prefiltered reads every row */
  static const char *const whole[] = {
      /* a string comparison (collations and encodings differ) that may decide alone */
      "source inv { table inv key id time due }\nrule r on inv { red when due < as_of or \"x\" < \"y\" }\n",
      /* clear when: an open alert must be seen to stay open */
      "source inv { table inv key id time due }\nrule r on inv { red when due < as_of  clear when paid is not null }\n",
      /* an unguarded alert */
      "source inv { table inv key id time due }\nrule r on inv { red when true }\n",
      /* conjuncts tested one by one, none of which SQL can test */
      "source inv { table inv key id time due }\nrule r on inv { red when \"x\" < \"y\" and \"a\" < \"b\" }\n",
  };
  for (size_t i = 0; i < sizeof whole / sizeof *whole; i++) {
    CU_ASSERT_EQUAL(th_run_on(sql, whole[i], "2025-02-01"), 0);
    CU_ASSERT_EQUAL(th_nsummaries ? th_summaries[0].rows_read : -1, scan_rows);
  }
  /* a key that is not unique: a dropped newer row would make an older one current */
  CU_ASSERT_EQUAL(th_run_on("CREATE TABLE s (k INTEGER, d DATE, x REAL); CREATE INDEX s_k ON s(k);"
                            "INSERT INTO s VALUES (1, '2025-01-01', 5), (1, '2025-01-02', 1);",
                            "source s { table s key k time d }\nrule r on s { red when x > 3 }\n", "2025-02-01"), 0);
  CU_ASSERT_EQUAL(th_nalerts, 0);
  /* a unique index on the key alone counts; the same data and rule fire alike */
  CU_ASSERT_EQUAL(th_run_on("CREATE TABLE s (k TEXT, d DATE, x REAL); CREATE UNIQUE INDEX s_k ON s(k);"
                            "INSERT INTO s VALUES ('a', '2025-01-01', 5), ('b', '2025-01-02', 1), ('c', '2025-01-02', 'x');",
                            "source s { table s key k time d }\nrule r on s { red when x > 3 }\n", "2025-02-01"), 0);
  CU_ASSERT(th_alerts_are(0, "a red -\n"));
  CU_ASSERT_EQUAL(th_nsummaries ? th_summaries[0].rows_read : -1, 2); /* 'a', and 'c' for its bad data */
  DIAG_HAS("column x: 1 value(s) that are not numbers in a number column, read as null (e.g. key c)");
}

/* The prefilter tests a date column against a day with a text comparison
** first (runtime/prefilter.c: day_cheap), widened by the day a zone can
** move a time: over date texts of every shape lib_parse_date reads (plain,
** date-times, zones on both sides of midnight, blanks and 'T's, the edges
** of the range) and values it does not read (junk before or after, invalid
** days, numbers, a blob, null), with days on either side of each value, the
** prefiltered run fires on the rows the full scan fires on and reports the
** same bad data. */
static void test_prefilter_day_shapes(void) {
  static const char *const vals[] = {
      "'2025-06-15'", "'2025-06-15T00:30+05:00'", "'2025-06-15T23:30-05:00'", "'2025-06-15 23:59:59.999 -14:00'",
      "'2025-06-15T24:00'", "'2025-06-15T00:00:00Z'", "'2025-06-15TT 10:00 z'", "'2025-06-15   '",
      "'2025-06-15' || char(9, 10)", "'2025-06-15T00:00+14:00'", "'0001-01-01'", "'0001-01-01T00:00+01:00'",
      "'9999-12-31'", "'9999-12-31T23:00-05:00'", "'2024-12-31T23:30-01:00'", "'2025-01-01T00:10+00:30'",
      "'2024-02-29'", "'2025-03-01T01:00+02:00'", "'2025-02-28T23:00-01:00'",
      /* not dates */
      "' 2025-06-15'", "'2025-06-15x'", "'2025-02-30'", "'2025-6-15'", "''", "'garbage'", "20250615", "2025.5",
      "X'323032352D30362D3135'", "NULL", "'2025-06-15T12:00+15:00'", "'2025-06-15T25:00'",
      "'2025-06-15 10:00 +05:00 x'", "'0000-06-15'", "'10000-01-01'", "'2025-06-15T'", "'2025-06-1'"};
  char sql[8192];
  size_t n = (size_t)snprintf(sql, sizeof sql, "CREATE TABLE t (id INTEGER PRIMARY KEY, d DATE, p DATE COLLATE RTRIM);");
  for (size_t i = 0; i < sizeof vals / sizeof *vals; i++)
    n += (size_t)snprintf(sql + n, sizeof sql - n, "INSERT INTO t VALUES (%d, '0001-01-01', %s);", (int)i + 1, vals[i]);
  CU_ASSERT_EQUAL_FATAL(th_make_db(sql), 0);
  /* one rule a run: the WHERE is the OR of the rules' guards */
  static const char *const rules[] = {
      "p > as_of", "p >= as_of", "p < as_of", "p <= as_of", "p = as_of", "as_of - p > 1 days",
      "p + 2 days <= as_of and not (p is null)", "as_of - p <= -1 days or as_of - p >= 3 days", "p - 1 days >= as_of",
      "as_of - p < 1.5 days and as_of - p >= -2.5 days",
      /* bounds no day reaches (and no int64) */
      "as_of - p > 100000000000000000000 days or p - as_of >= 100000000000000000000 days"};
  static const char *const days[] = {
      "2025-06-12", "2025-06-13", "2025-06-14", "2025-06-15", "2025-06-16", "2025-06-17", "2025-06-18",
      "0001-01-01", "0001-01-02", "0001-01-03", "9999-12-29", "9999-12-30", "9999-12-31", "2024-12-30",
      "2024-12-31", "2025-01-01", "2025-01-02", "2024-02-28", "2024-02-29", "2024-03-01", "2025-02-27",
      "2025-02-28", "2025-03-01", "2025-03-02"};
  int dropped = 0;
  for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
    char text[256];
    snprintf(text, sizeof text, "source t { table t key id time d }\nrule r on t { red when %s }\n", rules[r]);
    vg_program *p = th_compile("t.rules", text, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
      static char scan[16384], scan_diags[TH_DIAG_SIZE];
      th_no_seek = 1;
      th_clear_diags();
      CU_ASSERT_EQUAL(th_run(&p, 1, days[i], 1, 0), VG_OK);
      snprintf(scan, sizeof scan, "%s", th_alert_lines(1));
      snprintf(scan_diags, sizeof scan_diags, "%s", th_diags);
      long long scan_rows = th_nsummaries ? th_summaries[0].rows_read : -1;
      th_no_seek = 0;
      th_clear_diags();
      CU_ASSERT_EQUAL(th_run(&p, 1, days[i], 1, 0), VG_OK);
      CU_ASSERT_STRING_EQUAL(th_alert_lines(1), scan);
      CU_ASSERT_STRING_EQUAL(th_diags, scan_diags);
      if (strcmp(th_alert_lines(1), scan) != 0 || strcmp(th_diags, scan_diags) != 0)
        fprintf(stderr, "\n  as of %s, %s: scan\n%s%s  prefiltered\n%s%s", days[i], rules[r], scan, scan_diags,
                th_alert_lines(1), th_diags);
      dropped += th_nsummaries && th_summaries[0].rows_read < scan_rows;
    }
    vg_free_program(p);
  }
  th_no_seek = 0;
  CU_ASSERT(dropped > 0); /* the prefilter was at work */
}

/* A clause `a > 1 and b > 1` with b of no declared type is evaluated whole
** (compiler/cg.c: warning_free): b holds text on the rows where a <= 1, and
** each of those comparisons counts a type warning, whether or not a decided;
** skipping b there would report fewer (and pass --strict).  A typed second
** conjunct is skipped, and counts nothing either way. */
static void test_short_circuit_type_warnings(void) {
  const char *sql = "CREATE TABLE t (k INTEGER, d DATE, a REAL, b, c REAL); CREATE INDEX t_kd ON t(k, d);"
                    "INSERT INTO t VALUES (1, '2025-01-10', 5, 7, 2), (2, '2025-01-10', 0, 'x', 2),"
                    " (3, '2025-01-10', 1, 'y', 2), (4, '2025-01-10', 2, 3, 0), (5, '2025-01-10', -1, 'z', 2);";
  CU_ASSERT_EQUAL(th_run_on(sql, "source t { table t key k time d }\nrule r on t { yellow when a > 1 and b > 1 }\n",
                            "2025-02-01"), 0);
  CU_ASSERT(th_alerts_are(0, "1 yellow -\n4 yellow -\n"));
  DIAG_HAS("3 operation(s) met a value of a type they do not take");
  CU_ASSERT_NOT_EQUAL(th_run_full(sql, "source t { table t key k time d }\nrule r on t { yellow when a > 1 and b > 1 }\n",
                                  "2025-02-01", 1, 1), 0);
  CU_ASSERT_EQUAL(th_run_on(sql, "source t { table t key k time d }\nrule r on t { yellow when a > 1 and c > 1 }\n",
                            "2025-02-01"), 0);
  CU_ASSERT(th_alerts_are(0, "1 yellow -\n"));
  CU_ASSERT_PTR_NULL(strstr(th_diags, "operation(s)"));
}

/* vigil check --db: a table read with a bounded lookback and no (key, time)
** index gets one note with a CREATE INDEX that SQLite accepts; with the
** index, or with a key that cannot repeat, none. */
static void test_index_advice(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db("CREATE TABLE s (k INTEGER, d DATE, x REAL);"
                                   "CREATE TABLE u (id INTEGER PRIMARY KEY, d DATE, x REAL);"), 0);
  vg_program *p = th_compile("a.rules", "source s { table s key k time d }\nsource s2 { table s key k time d }\n"
                                        "source u { table u key id time d }\n"
                                        "rule r on s { red when x > prev(x) }\nrule r2 on s2 { red when x > 1 }\n"
                                        "rule q on u { red when x > 1 }\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  th_clear_diags();
  CU_ASSERT_EQUAL(vg_index_advice(p, th_db_path(), th_on_diag, NULL), VG_OK);
  const char *note = "table s has no index on (k, d) (a nightly run reads the whole table): with CREATE INDEX s_k_d ON s(k, d)";
  const char *first = strstr(th_diags, note);
  CU_ASSERT_PTR_NOT_NULL(first);
  CU_ASSERT(first && !strstr(first + 1, note)); /* once, though two sources read it */
  CU_ASSERT_PTR_NULL(strstr(th_diags, "table u"));
  /* the statement it suggests is valid, and then nothing is said */
  CU_ASSERT_EQUAL(th_exec("CREATE INDEX s_k_d ON s(k, d)"), 0);
  th_clear_diags();
  CU_ASSERT_EQUAL(vg_index_advice(p, th_db_path(), th_on_diag, NULL), VG_OK);
  CU_ASSERT_STRING_EQUAL(th_diags, "");
  vg_free_program(p);
}

/* Regression: rows are ordered by the calendar day read from the time
** column, not by its raw text.  '2025-01-10T01:00+05:00' is 2025-01-09 as
** SQLite's date() reads it, although its text sorts after '2025-01-10
** 00:00', so it is the previous row of the 2025-01-10 one. */
static void test_time_order_by_day(void) {
  const char *sql = "CREATE TABLE s (k INTEGER, d DATETIME, x REAL);"
                    "INSERT INTO s VALUES (1, '2025-01-10 00:00', 1), (1, '2025-01-10T01:00+05:00', 2);";
  CU_ASSERT_EQUAL(th_run_on(sql, RULE_MSG("{d} {x} prev {prev(d)} {prev(x)}"), "2025-01-20"), 0);
  ALERTS("1 red 2025-01-10 1 prev 2025-01-09 2\n");
}

/* ---- out of memory ------------------------------------------------------------ */

/* Each allocation of a run fails in turn, until 64 runs in a row fail none:
** a rollup (text groups, members moving between them, a horizon, a zone
** that makes its rows be read again by day), lookups into it and into the
** members, bad data.  The status is VG_OK or VG_ENOMEM, never another, and
** a run that succeeds gives the alerts of a run without failures. */
static void test_run_out_of_memory(void) {
  const char *sql = "CREATE TABLE snap(rep INTEGER, d DATE, sup TEXT, goal REAL);"
                    "INSERT INTO snap VALUES (1,'2025-06-13','ann',100),(2,'2025-06-13','ann','lots'),(3,'2025-06-13','bo',200),"
                    "(1,'2025-06-27','ann',50),(2,'2025-06-27','bo',80),(3,'2025-06-27T00:30+05:00','bo',60),(4,NULL,'bo',1);";
  const char *rules = "source snap { table snap key rep time d every 2 weeks }\n"
                      "rollup team from snap by sup { horizon 3 weeks goal = sum(goal) low = min(sup) }\n"
                      "rule r on team { yellow when goal > 0 message \"{members} {goal} {low} {prev(goal)}\" }\n"
                      "rule l on snap { red when team[sup].goal > goal message \"{team[sup].goal} {snap[rep].sup}\" }\n";
  CU_ASSERT_EQUAL_FATAL(th_make_db(sql), 0);
  vg_program *p = th_compile("oom.rules", rules, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-06-30", 1, 0), VG_OK);
  char expect[4096];
  snprintf(expect, sizeof expect, "%s", th_alert_lines(1));
  CU_ASSERT_PTR_NOT_NULL(strstr(expect, "r ann yellow"));
  CU_ASSERT_PTR_NOT_NULL(strstr(expect, "l 2 red 140 bo"));
  long k = 0;
  for (int clean = 0; clean < 64 && k < 100000; k++) {
    vg_mem_fail_after(k);
    int st = th_run(&p, 1, "2025-06-30", 1, 0);
    vg_mem_fail_after(-1);
    if (st == VG_ENOMEM) { clean = 0; continue; }
    if (st != VG_OK) {
      fprintf(stderr, "\n  allocation %ld failing: status %d\n%s", k, st, th_diags);
      CU_FAIL("an allocation failure that is not VG_ENOMEM");
      break;
    }
    clean++;
    if (strcmp(th_alert_lines(1), expect) != 0) {
      fprintf(stderr, "\n  allocation %ld failing: alerts\n%s\ninstead of\n%s", k, th_alert_lines(1), expect);
      CU_FAIL("a run that succeeded with an allocation failing gave other alerts");
      break;
    }
  }
  CU_ASSERT_TRUE(k > 64);
  th_clear_diags();
  vg_free_program(p);
}

/* ---- registration ----------------------------------------------------------- */

int unit_register_runtime(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
    {"last N snapshots with fewer rows", test_snapshot_windows},
    {"index seeks give what the scan gives", test_seek_equals_scan},
    {"the walk down the keys: which rows are one key", test_walk_key_types},
    {"the walk's probe: a key's newest row alone, older rows when needed", test_probe_equals_scan},
    {"the probe's rows by rowid: columns named id and feed, a rowid only as its INTEGER PRIMARY KEY", test_probe_feed_names},
    {"a VM probe is exact or stops for more rows", test_vm_probe_exact},
    {"a prefiltered scan gives what the full scan gives", test_prefilter_equals_scan},
    {"the prefilter's day tests over date texts of every shape", test_prefilter_day_shapes},
    {"conjuncts skipped only where no type warning is lost", test_short_circuit_type_warnings},
    {"vigil check --db: a missing (key, time) index, said once", test_index_advice},
    {"last N days: (t - D, t], empty when stale", test_day_windows},
    {"for N needs N rows", test_for_needs_n_rows},
    {"prev, prev(x, k), pct_change", test_prev_pct_change},
    {"streak", test_streak},
    {"aggregates skip nulls; count, all, any", test_aggregates_nulls},
    {"rows after as_of are invisible", test_visibility_as_of},
    {"where-rejected rows are not in the series", test_where_rejected_rows},
    {"lets and defs on earlier rows", test_lets_on_earlier_rows},
    {"stale inside for and aggregates", test_stale_inside_windows},
    {"bounded windows over a long history", test_long_history},
    {"bad data: warnings, --strict", test_bad_data},
    {"bad data in a where column", test_bad_data_in_where},
    {"a time of day is dropped", test_time_of_day},
    {"recording in vigil_runs / vigil_alerts", test_recording},
    {"recording two packs", test_recording_two_packs},
    {"run errors: as_of, missing column", test_run_errors},
    {"alert order, highest tier wins, custom tiers", test_alert_order_and_tiers},
    {"integer keys above 2^53", test_big_integer_keys},
    {"time text with a leading blank", test_time_text_order},
    {"rows in calendar order, not text order", test_time_order_by_day},
    {"text keys longer than 511 bytes", test_long_text_keys},
    {"a COLLATE NOCASE key column", test_nocase_keys},
    {"a run with rollups and lookups when allocations fail", test_run_out_of_memory},
  };
  CU_pSuite s = CU_add_suite("runtime: windows, data, recording", NULL, th_cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}
