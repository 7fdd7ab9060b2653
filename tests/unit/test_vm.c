/*
** test_vm.c — each VM operation and each built-in function, end to end.
**
** Every test compiles a tiny rule with vg_compile_string (schema read from
** the test database), builds a SQLite file in a temporary folder, runs it
** with vg_run (dry run) and looks at the alerts.  Most checks interpolate an
** expression into the message and compare the text: MSG("{1 / 0}", "null").
** Conditions are checked by whether the clause fires: FIRES / QUIET.
**
** The default table (source s, every 7 days), as of 2025-01-31:
**   k=1  d=2025-01-10  x=2.5  y=0  n='abc'  dd=2025-01-01  z=NULL
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

#define DEFAULT_SQL                                                                    \
  "CREATE TABLE s (k INTEGER, d DATE, x REAL, y REAL, n TEXT, dd DATE, z REAL);"       \
  "INSERT INTO s VALUES (1, '2025-01-10', 2.5, 0, 'abc', '2025-01-01', NULL);"
#define AS_OF "2025-01-31"

/* ---- running rules -------------------------------------------------------- */

/* The message of the only alert of `red when true message "MSG"` on the
** default table, or "<no alert>" / "<error N>". */
static const char *msg_of(const char *msg) {
  static char out[1100];
  char rules[2048];
  snprintf(rules, sizeof rules,
           "source s { table s key k time d every 7 days }\nrule r on s {\n  red when true\n  message \"%s\"\n}\n", msg);
  int st = th_run_on(DEFAULT_SQL, rules, AS_OF);
  if (st != 0) snprintf(out, sizeof out, "<error %d>", st);
  else if (th_nalerts != 1) snprintf(out, sizeof out, "<%d alerts>", th_nalerts);
  else snprintf(out, sizeof out, "%s", th_alerts[0].message);
  return out;
}

static int msg_is(const char *msg, const char *want) {
  const char *got = msg_of(msg);
  if (strcmp(got, want) == 0) return 1;
  fprintf(stderr, "\n  message \"%s\": expected [%s] got [%s]\n%s", msg, want, got, th_diags);
  return 0;
}
#define MSG(msg, want) CU_ASSERT(msg_is(msg, want))

/* 1 when `red when COND` fires on the default table, 0 when not, -1 on error. */
static int fires(const char *cond) {
  char rules[2048];
  snprintf(rules, sizeof rules, "source s { table s key k time d every 7 days }\nrule r on s { red when %s }\n", cond);
  int st = th_run_on(DEFAULT_SQL, rules, AS_OF);
  if (st != 0) return -1;
  return th_nalerts;
}
#define FIRES(cond) CU_ASSERT_EQUAL(fires(cond), 1)
#define QUIET(cond) CU_ASSERT_EQUAL(fires(cond), 0)

/* The recipient of `red when true notify EXPR`; "<null>" for a null one. */
static const char *recipient_of(const char *expr) {
  static char out[300];
  char rules[1024];
  snprintf(rules, sizeof rules, "source s { table s key k time d }\nrule r on s { red when true notify %s }\n", expr);
  int st = th_run_on(DEFAULT_SQL, rules, AS_OF);
  if (st != 0 || th_nalerts != 1) snprintf(out, sizeof out, "<error %d, %d alerts>", st, th_nalerts);
  else snprintf(out, sizeof out, "%s", th_alerts[0].has_recipient ? th_alerts[0].recipient : "<null>");
  return out;
}
#define RECIPIENT(expr, want) CU_ASSERT_STRING_EQUAL(recipient_of(expr), want)

/* ======================================================================== */

static void test_arith_numbers(void) {
  MSG("{1 + 2}", "3");
  MSG("{7 - 10}", "-3");
  MSG("{2 * 3.5}", "7");
  MSG("{7 / 2}", "3.5");
  MSG("{2 - 3 * 4}", "-10");
  MSG("{(2 - 3) * 4}", "-4");
  MSG("{-x}", "-2.5");
  MSG("{x * 2 + y}", "5");
  /* source order, no reassociation: (1e16 + 1) - 1e16 is 0 in doubles */
  MSG("{1e16 + 1 - 1e16}", "0");
  MSG("{1e16 - 1e16 + 1}", "1");
  /* division by zero gives null; null propagates */
  MSG("{1 / 0}", "null");
  MSG("{0 / 0}", "null");
  MSG("{x / y}", "null");
  MSG("{x + z}", "null");
  MSG("{z * 0}", "null");
  MSG("{-z}", "null");
}

static void test_arith_dates(void) {
  MSG("{2025-03-01 - 2025-02-01}", "28 days");
  MSG("{d - dd}", "9 days");
  MSG("{dd - d}", "-9 days");
  MSG("{d - d}", "0 days");
  MSG("{2025-01-31 + 1 day}", "2025-02-01");
  MSG("{1 day + 2025-01-31}", "2025-02-01");
  MSG("{2024-02-28 + 1 day}", "2024-02-29");
  MSG("{2025-03-01 - 1 day}", "2025-02-28");
  MSG("{d + 2 weeks}", "2025-01-24");
  /* the fraction of a duration is dropped toward zero */
  MSG("{2025-01-31 + 1.9 days}", "2025-02-01");
  MSG("{2025-01-31 - 1.9 days}", "2025-01-30");
  MSG("{2025-01-31 + -1.9 days}", "2025-01-30");
  MSG("{2025-01-31 + 0.5 days}", "2025-01-31");
  MSG("{2025-01-01 + 0.5 days * 3}", "2025-01-02");
  MSG("{d + z * 1 day}", "null");
  MSG("{dd - (d - 1 day)}", "-8 days");
}

static void test_arith_durations(void) {
  MSG("{2 weeks + 1 day}", "15 days");
  MSG("{3 days - 5 days}", "-2 days");
  MSG("{-(2 days)}", "-2 days");
  MSG("{2 days * 1.5}", "3 days");
  MSG("{1.5 * 2 days}", "3 days");
  MSG("{3 days / 2}", "1.5 days");
  MSG("{6 days / 4 days}", "1.5");
  MSG("{days(2 weeks)}", "14");
  MSG("{days(d - dd) * 2}", "18");
  MSG("{1 day / 0}", "null");
  MSG("{1 day / 0 days}", "null");
  MSG("{(d - dd) / 2}", "4.5 days");
}

static void test_comparisons(void) {
  FIRES("x = 2.5");
  QUIET("x != 2.5");
  FIRES("x > 2 and x >= 2.5 and x <= 2.5 and x < 3");
  /* strings compare bytewise */
  FIRES("\"abc\" < \"abd\"");
  FIRES("\"ab\" < \"abc\"");
  QUIET("\"b\" < \"a\"");
  FIRES("n = \"abc\"");
  FIRES("\"B\" < \"a\"");
  FIRES("\"张\" > \"z\"");
  /* dates chronologically */
  FIRES("2025-01-01 < 2025-01-02");
  FIRES("d > dd and dd = 2025-01-01");
  QUIET("d < dd");
  FIRES("2024-12-31 < 2025-01-01");
  /* durations */
  FIRES("1 day < 2 days");
  FIRES("2 weeks = 14 days");
  FIRES("d - dd = 9 days and d - dd > 1 week");
  FIRES("-1 day < 0 days");
  /* a comparison with null is null: not true, and its negation is not true either */
  QUIET("x = null");
  QUIET("not (x = null)");
  QUIET("z = z");
  QUIET("z != 1");
  /* booleans */
  FIRES("(x > 1) = true");
  FIRES("(x > 1) != false");
  MSG("{x > 1}|{x < 1}|{z > 1}", "true|false|null");
}

static void test_logic(void) {
  MSG("{true and true}|{true and false}|{true and null}|{false and null}|{null and false}|{null and null}",
      "true|false|null|false|false|null");
  MSG("{true or null}|{null or true}|{false or null}|{false or false}|{null or null}",
      "true|true|null|false|null");
  MSG("{not true}|{not false}|{not null}|{not (z > 1)}", "false|true|null|null");
  FIRES("z > 1 or x > 1");
  QUIET("z > 1 and x > 1");
  QUIET("not (z > 1)");
  FIRES("not (z > 1 and false)");
  /* is [not] null is never null */
  MSG("{z is null}|{z is not null}|{x is null}|{x is not null}|{null is null}|{(z > 1) is null}",
      "true|false|false|true|true|true");
  FIRES("z is null");
  QUIET("x is null");
}

static void test_in(void) {
  MSG("{x in (1, 2.5)}|{x in (1, 2)}|{x in (2.5)}", "true|false|true");
  /* SQL: no match with a null in the list is null; a match is true */
  MSG("{x in (1, null)}|{x in (2.5, null)}|{z in (1, 2)}|{z in (null)}", "null|true|null|null");
  MSG("{x not in (1, 2)}|{x not in (1, null)}|{x not in (2.5, null)}", "true|null|false");
  FIRES("n in (\"x\", \"abc\")");
  FIRES("d in (2025-01-10, 2025-01-11)");
  FIRES("d - dd in (9 days)");
  QUIET("x not in (1, null)");
}

static void test_between(void) {
  MSG("{x between 2.5 and 3}|{x between 1 and 2.5}|{x between 2.6 and 3}|{x between 3 and 1}",
      "true|true|false|false");
  MSG("{x between null and 3}|{x between null and 1}|{z between 1 and 2}", "null|false|null");
  MSG("{x not between 1 and 2}|{x not between 2 and 3}", "true|false");
  FIRES("d between 2025-01-10 and 2025-01-10");
  FIRES("d between dd and dd + 9 days");
  QUIET("d between dd and dd + 8 days");
  FIRES("n between \"abc\" and \"abd\"");
  FIRES("d - dd between 1 week and 2 weeks");
}

static void test_format_numbers(void) {
  MSG("{x}|{1250000}|{9}|{0.2}|{0.1 + 0.2}|{1 / 3}", "2.5|1250000|9|0.2|0.3|0.333333333333333");
  MSG("{1e20}|{-0.5}|{123456789012345678}", "1e+20|-0.5|1.23456789012346e+17");
  MSG("{x:pct}|{0.205:pct}|{0.2:pct}|{0.12345:pct}|{1:pct}|{-0.25:pct}", "250%|20.5%|20%|12.3%|100%|-25%");
  MSG("{x:2}|{1 / 3:4}|{x:0}|{7:1}|{0.125:2}|{-1.5:1}", "2.50|0.3333|2|7.0|0.12|-1.5");
  MSG("{x:20}", "2.50000000000000000000");
  MSG("{z:pct}|{z:2}|{z}", "null|null|null");
  /* no minus sign on zero in any format */
  MSG("{-0.0}|{0 * -1}|{-0.0004:pct}|{-0.0:1}|{-0.001:2}|{-0.0001:pct}|{-(0 days)}", "0|0|0%|0.0|0.00|0%|0 days");
}

static void test_format_other_types(void) {
  MSG("{1 day}|{-1 day}|{5 days}|{0 days}|{2.5 days}|{2 weeks}|{-(1 day)}", "1 day|-1 day|5 days|0 days|2.5 days|14 days|-1 day");
  MSG("{d}|{dd}|{2025-12-31}", "2025-01-10|2025-01-01|2025-12-31");
  MSG("{true}|{false}|{null}", "true|false|null");
  MSG("{n}|[{n}]", "abc|[abc]");
  MSG("plain text", "plain text");
  MSG("", "");
  MSG("\\\"quoted\\\" back\\\\slash", "\"quoted\" back\\slash");
  MSG("{{x}} = {x}", "{x} = 2.5");
  MSG("}}{{|{{{x}}}", "}{|{2.5}");
  MSG("a\\nb", "a\nb");
  MSG("张三 {x}", "张三 2.5");
}

/* Regression: a string literal can be written inside an interpolation.
** The message is a string, so its quotes are escaped; the escaped form
** `{lower(\"ABC\")}` compiles (it was once rejected with "unexpected
** character '\'"), reads the string "ABC" and prints "abc". */
static void test_format_string_in_interpolation(void) {
  MSG("{lower(\\\"ABC\\\")}", "abc");
}

static void test_notify(void) {
  RECIPIENT("k", "1");
  RECIPIENT("x", "2.5");
  RECIPIENT("1e6", "1000000");
  RECIPIENT("12345678901234", "12345678901234");
  RECIPIENT("-42", "-42");
  RECIPIENT("-0.0", "0");
  RECIPIENT("z", "<null>");
  RECIPIENT("null", "<null>");
  RECIPIENT("n", "abc");
  RECIPIENT("d", "2025-01-10");
  RECIPIENT("3 days", "3 days");
  RECIPIENT("1 day", "1 day");
  RECIPIENT("x > 1", "true");
  RECIPIENT("coalesce(z, 7)", "7");
  /* without notify the recipient is null, without message the message */
  CU_ASSERT_EQUAL(th_run_on(DEFAULT_SQL, "source s { table s key k time d }\nrule r on s { red when true }\n", AS_OF), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 1);
  CU_ASSERT_FALSE(th_alerts[0].has_recipient);
  CU_ASSERT_FALSE(th_alerts[0].has_message);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].rule, "r");
  CU_ASSERT_STRING_EQUAL(th_alerts[0].tier, "red");
  CU_ASSERT_STRING_EQUAL(th_alerts[0].key, "1");
  CU_ASSERT_STRING_EQUAL(th_alerts[0].as_of, AS_OF);
}

/* An integral number of 1e18 or more is still printed in decimal digits as
** a recipient (it once came out as "1e+20"). */
static void test_notify_large_integer(void) {
  RECIPIENT("1e20", "100000000000000000000");
  RECIPIENT("1e18", "1000000000000000000");
}

static void test_builtins_dates(void) {
  MSG("{days(3 days)}|{days(d - dd)}|{days(z * 1 day)}", "3|9|null");
  MSG("{date(n)}|{date(d)}", "null|2025-01-10");
  FIRES("date(\"2025-03-01\") = 2025-03-01");
  FIRES("date(\"2025-03-01T10:30:00\") = 2025-03-01");
  FIRES("date(\"2025-03-01 23:59\") = 2025-03-01");
  FIRES("date(\"2025-02-30\") is null");
  FIRES("date(\"03/01/2025\") is null");
  MSG("{year(d)}|{month(d)}|{quarter(d)}|{quarter(2025-12-31)}|{year(z * 1 day + d)}", "2025|1|1|4|null");
  /* 2025-01-10 is the 10th day of Q1: week 2; 2025-04-01 is week 1 of Q2 */
  MSG("{week_of_quarter(d)}|{week_of_quarter(2025-04-01)}|{week_of_quarter(2025-04-08)}", "2|1|2");
  MSG("{dekad(2025-01-10)}|{dekad(2025-01-11)}|{dekad(2025-01-20)}|{dekad(2025-01-21)}|{dekad(2025-01-31)}",
      "1|2|2|3|3");
  /* 2025-01-10 is a Friday; 2025-01-12 a Sunday; 2025-01-13 a Monday */
  MSG("{weekday(d)}|{weekday(2025-01-12)}|{weekday(2025-01-13)}|{weekday(1970-01-01)}", "5|7|1|4");
}

/* date(text) and date columns read text as SQLite's date() does, except that
** an impossible date (which SQLite rolls over: 2025-02-30 -> 2025-03-02) is
** unreadable.  Each input is compared with SQLite's own answer.
** Regression: the inputs marked * (blanks between the time and its zone, a
** lowercase 'z', two blanks before the time, the time 24:00) are read as
** SQLite reads them; they were once null in Vigil. */
static void test_builtins_date_like_sqlite(void) {
  static const char *const inputs[] = {
    "2025-01-10", "2025-01-10 10:30", "2025-01-10T10:30:15", "2025-01-10 10:30:15.123", "2025-01-10T10:30Z",
    "2025-01-10 10:30+05:00", "2025-01-10 10:30+14:00", "2025-01-10 23:59:59.999", "2025-01-10 ", "2024-02-29",
    " 2025-01-10", "2025-1-10", "2025-01-32", "2025-01-10x", "2025-01-10 25:00", "2025-01-10 10:60", "20250110",
    "2025/01/10", "", "2025-01-10T10", "2025-01-10 1:30", "2025-13-01", "2025-01-00", "2025-01-10 10:30+15:00",
    "2025-01-10 10:30 -05:00" /* * */, "2025-01-10 10:30z" /* * */, "2025-01-10  10:30" /* * */,
    "2025-01-10 24:00" /* * */, "2025-01-10 10:30:15 Z" /* * */,
  };
  enum { N = sizeof inputs / sizeof *inputs };
  char sql[8192] = "CREATE TABLE s (k INTEGER, d DATE, n TEXT); INSERT INTO s VALUES ";
  for (int i = 0; i < N; i++) {
    size_t len = strlen(sql);
    snprintf(sql + len, sizeof sql - len, "%s(%d, '2025-01-01', '%s')", i ? ", " : "", i, inputs[i]);
  }
  strncat(sql, "; INSERT INTO s VALUES (100, '2025-01-01', '2025-02-30'), (101, '2025-01-01', '2023-02-29');",
          sizeof sql - strlen(sql) - 1);
  CU_ASSERT_EQUAL_FATAL(th_run_on(sql, "source s { table s key k time d }\nrule r on s { red when true message \"{date(n)}\" }\n",
                                  AS_OF), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, N + 2);
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(th_db_path(), &db), SQLITE_OK);
  for (int i = 0; i < N; i++) {
    sqlite3_stmt *st = NULL;
    char want[32] = "null";
    if (sqlite3_prepare_v2(db, "SELECT date(?1)", -1, &st, NULL) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, inputs[i], -1, SQLITE_STATIC);
      if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        snprintf(want, sizeof want, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    const char *got = "<missing>";
    char key[16];
    snprintf(key, sizeof key, "%d", i);
    for (int a = 0; a < th_nalerts; a++)
      if (strcmp(th_alerts[a].key, key) == 0) got = th_alerts[a].message;
    if (strcmp(want, got) != 0) fprintf(stderr, "\n  date(\"%s\"): SQLite %s, Vigil %s\n", inputs[i], want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
  }
  sqlite3_close(db);
  /* impossible dates: null, although SQLite rolls them over */
  CU_ASSERT_STRING_EQUAL(th_alerts[N].message, "null");
  CU_ASSERT_STRING_EQUAL(th_alerts[N + 1].message, "null");
}

static void test_builtins_numbers_strings(void) {
  MSG("{abs(-2)}|{abs(2)}|{abs(-2 days)}|{abs(z)}", "2|2|2 days|null");
  MSG("{round(2.5)}|{round(-2.5)}|{round(2.4)}|{round(0.125, 2)}|{round(1234.5, -2)}|{round(z)}",
      "3|-3|2|0.13|1200|null");
  MSG("{least(3, 1, 2)}|{least(3, null, 2)}|{greatest(3, 1, 2)}|{greatest(z, null)}", "1|2|3|null");
  MSG("{least(d, dd)}|{greatest(d, dd)}|{greatest(1 day, 3 days)}", "2025-01-01|2025-01-10|3 days");
  MSG("{coalesce(z, 7)}|{coalesce(z, null, x)}|{coalesce(null, z)}|{coalesce(x, 1)}", "7|2.5|null|2.5");
  MSG("{length(n)}|{upper(n)}|{lower(upper(n))}|{trim(n)}", "3|ABC|abc|abc");
  FIRES("length(\"回款率\") = 3");
  FIRES("trim(\"  a b \") = \"a b\"");
  FIRES("upper(\"aBc1\") = \"ABC1\" and lower(\"aBc1\") = \"abc1\"");
  FIRES("length(\"\") = 0");
  FIRES("least(\"b\", \"a\") = \"a\"");
}

static void test_as_of_and_stale(void) {
  MSG("{as_of}|{as_of - d}|{stale}", "2025-01-31|21 days|true");
  char rules[] = "source s { table s key k time d every 3 weeks }\n"
                 "rule r on s { red when true message \"{stale}|{as_of}\" }\n";
  /* stale: more than D before as_of; exactly D is not stale */
  CU_ASSERT_EQUAL(th_run_on(DEFAULT_SQL, rules, "2025-01-31"), 0);
  CU_ASSERT(th_nalerts == 1 && strcmp(th_alerts[0].message, "false|2025-01-31") == 0);
  CU_ASSERT_EQUAL(th_run_on(DEFAULT_SQL, rules, "2025-02-01"), 0);
  CU_ASSERT(th_nalerts == 1 && strcmp(th_alerts[0].message, "true|2025-02-01") == 0);
  /* a stale tier */
  CU_ASSERT_EQUAL(th_run_on(DEFAULT_SQL, "source s { table s key k time d every 2 weeks }\n"
                                         "rule r on s { yellow when stale }\n", "2025-01-24"), 0);
  CU_ASSERT_EQUAL(th_nalerts, 0);
  CU_ASSERT_EQUAL(th_run_on(DEFAULT_SQL, "source s { table s key k time d every 2 weeks }\n"
                                         "rule r on s { yellow when stale }\n", "2025-01-25"), 0);
  CU_ASSERT_EQUAL(th_nalerts, 1);
}

#define LOOKUP_SQL                                                                   \
  "CREATE TABLE s (k INTEGER, d DATE, x REAL, f TEXT);"                              \
  "CREATE TABLE tg (k INTEGER, day DATE, amount REAL, ok INTEGER);"                  \
  "CREATE TABLE feat (fid TEXT, d DATE, launch DATE);"                               \
  "INSERT INTO s VALUES (1, '2025-01-01', 1, 'f1'), (1, '2025-01-05', 2, 'f2'),"     \
  " (1, '2025-01-10', 4, 'f2'), (2, '2025-01-10', 9, 'nope');"                       \
  "INSERT INTO tg VALUES (1, '2025-01-01', 100, 1), (1, '2025-01-04', 200, 1),"      \
  " (1, '2025-01-06', 300, 0), (1, '2025-01-08', 400, 1), (1, '2025-01-20', 500, 1)," \
  " (7, '2025-01-01', 7, 1);"                                                         \
  "INSERT INTO feat VALUES ('f1', '2024-12-01', '2025-02-01'), ('f2', '2024-12-01', '2025-03-01')," \
  " ('f2', '2025-01-09', '2025-04-01');"

#define LOOKUP_RULES                                                                 \
  "source s { table s key k time d }\n"                                             \
  "source tg { table tg key k time day where ok = 1 }\n"                             \
  "source feat { table feat key fid time d }\n"

static void test_lookups(void) {
  /* same key, as of the current row's evaluation time (as_of), through tg's where */
  CU_ASSERT_EQUAL(th_run_on(LOOKUP_SQL, LOOKUP_RULES
                            "rule r on s { red when true message \"{tg.amount}|{prev(tg.amount)}|{prev(tg.amount, 2)}\" }\n",
                            "2025-01-12"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 2);
  /* row 01-10 sees 01-08 (400; 01-06 is rejected by the where), row 01-05 sees 01-04, row 01-01 sees 01-01 */
  CU_ASSERT_STRING_EQUAL(th_alerts[0].message, "400|200|100");
  /* key 2 has no tg row */
  CU_ASSERT_STRING_EQUAL(th_alerts[1].message, "null|null|null");
  /* as_of after a later target row: the current row sees it */
  CU_ASSERT_EQUAL(th_run_on(LOOKUP_SQL, LOOKUP_RULES "rule r on s { red when k = 1 message \"{tg.amount}\" }\n", "2025-01-25"), 0);
  CU_ASSERT(th_nalerts == 1 && strcmp(th_alerts[0].message, "500") == 0);
  /* on an earlier row the evaluation time is that row's time */
  CU_ASSERT_EQUAL(th_run_on(LOOKUP_SQL, LOOKUP_RULES "rule r on s { red when k = 1 message \"{max(tg.amount, last 3 snapshots)}|"
                                                      "{count(tg.amount > 150, last 3 snapshots)}\" }\n", "2025-01-25"), 0);
  CU_ASSERT(th_nalerts == 1 && strcmp(th_alerts[0].message, "500|2") == 0);
  /* by another key: feat[f].launch, as of the row's evaluation time */
  CU_ASSERT_EQUAL(th_run_on(LOOKUP_SQL, LOOKUP_RULES
                            "rule r on s { red when true message \"{feat[f].launch}|{prev(feat[f].launch)}|{prev(feat[f].launch, 2)}|{tg[7].amount}\" }\n",
                            "2025-01-12"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 2);
  /* row 01-10 (f2) sees feat f2 as of 2025-01-12: the 01-09 row; row 01-05 (f2) sees only
     the 2024-12-01 row of f2, since its evaluation time is 01-05; row 01-01 sees f1 */
  CU_ASSERT_STRING_EQUAL(th_alerts[0].message, "2025-04-01|2025-03-01|2025-02-01|7");
  CU_ASSERT_STRING_EQUAL(th_alerts[1].message, "null|null|null|7");
  /* as of 2025-01-08 key 2 has no visible row; key 1's current row is 2025-01-05
     (f2), and feat's 2025-01-09 row of f2 is not visible yet */
  CU_ASSERT_EQUAL(th_run_on(LOOKUP_SQL, LOOKUP_RULES "rule r on s { red when true message \"{f}:{feat[f].launch}\" }\n",
                            "2025-01-08"), 0);
  CU_ASSERT(th_nalerts == 1 && strcmp(th_alerts[0].message, "f2:2025-03-01") == 0);
  /* a lookup in a condition; a null key gives null */
  CU_ASSERT_EQUAL(th_run_on(LOOKUP_SQL, LOOKUP_RULES "rule r on s { red when tg.amount >= 400 or tg[null].amount is null }\n",
                            "2025-01-12"), 0);
  CU_ASSERT_EQUAL(th_nalerts, 2);
}

static void test_lookup_duplicate_target_rows(void) {
  /* two target rows on the same day: the larger rowid is used */
  const char *sql = "CREATE TABLE s (k INTEGER, d DATE);"
                    "CREATE TABLE tg (k INTEGER, day DATE, amount REAL);"
                    "INSERT INTO s VALUES (1, '2025-01-10');"
                    "INSERT INTO tg VALUES (1, '2025-01-05', 1), (1, '2025-01-05', 2), (1, '2025-01-04', 3);";
  CU_ASSERT_EQUAL(th_run_on(sql, "source s { table s key k time d }\nsource tg { table tg key k time day }\n"
                                 "rule r on s { red when true message \"{tg.amount}\" }\n", "2025-01-12"), 0);
  CU_ASSERT(th_nalerts == 1 && strcmp(th_alerts[0].message, "2") == 0);
}

/* ---- registration ----------------------------------------------------------- */

int unit_register_vm(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
    {"arithmetic on numbers, division by zero", test_arith_numbers},
    {"date - date, date +- duration", test_arith_dates},
    {"duration arithmetic", test_arith_durations},
    {"comparisons of numbers, strings, dates, durations", test_comparisons},
    {"three-valued and/or/not, is [not] null", test_logic},
    {"SQL in with nulls", test_in},
    {"between (inclusive)", test_between},
    {"message format of numbers, pct, N decimals, no -0", test_format_numbers},
    {"message format of other types, {{ and }}", test_format_other_types},
    {"a string literal inside an interpolation", test_format_string_in_interpolation},
    {"notify: text of the recipient", test_notify},
    {"notify: a large integer in decimal digits", test_notify_large_integer},
    {"built-ins: dates", test_builtins_dates},
    {"built-ins: date() reads text as SQLite does", test_builtins_date_like_sqlite},
    {"built-ins: numbers and strings", test_builtins_numbers_strings},
    {"as_of and stale", test_as_of_and_stale},
    {"lookups", test_lookups},
    {"lookups: duplicate target rows", test_lookup_duplicate_target_rows},
  };
  CU_pSuite s = CU_add_suite("vm: operations and built-ins", NULL, th_cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}
