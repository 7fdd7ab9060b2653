/*
** test_route.c — the org chart (org, manager(), route ... up N), the route
** an alert is delivered along (and one level further once it is open
** `escalate after` days), the org's diagnostics (a missing person, a manager
** not in the table, a cycle, the top of the chart), and each alert's
** evidence JSON.
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

/* 1 ceo <- 2 director <- 3 supervisor <- 10, 11 reps; 20 <-> 21 a cycle;
** 30 reports to 99, who is not in the table. */
#define ORG_SQL                                                                                  \
  "CREATE TABLE org_chart (person_id INTEGER, manager_id INTEGER, full_name TEXT);"             \
  "INSERT INTO org_chart VALUES (1, NULL, 'Ann Ceo'), (2, 1, 'Bo Director'), (3, 2, 'Cy Sup'),"  \
  " (10, 3, 'Di Rep'), (11, 3, 'Ed \"Rep\"'), (20, 21, 'Loop A'), (21, 20, 'Loop B'), (30, 99, 'Orphan');"

#define ORG_DECL "org { table org_chart person person_id manager manager_id name full_name }\n"

static void test_manager_values(void) {
  const char *sql = ORG_SQL "CREATE TABLE s (rep INTEGER, d DATE);"
                            "INSERT INTO s VALUES (10, '2025-06-01'), (3, '2025-06-01'), (1, '2025-06-01');";
  const char *rules = ORG_DECL "source s { table s key rep time d }\n"
                      "rule r on s { red when true message \"{manager(rep, 0)}|{manager(rep)}|{manager(rep, 2)}|{manager(rep, 3)}\" }\n";
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-30"), 0);
  CU_ASSERT(th_alerts_are(0, "1 red 1|null|null|null\n"
                             "3 red 3|2|1|null\n"
                             "10 red 10|3|2|1\n"));
  /* the climbs past the top are reported, with where the chain ends */
  CU_ASSERT(th_diag_has("rule r: 4 time(s) a route or manager() found no one"));
  /* text person ids work alike, and manager() gives text */
  const char *tsql = "CREATE TABLE o (p TEXT, m TEXT); INSERT INTO o VALUES ('ann', NULL), ('bo', 'ann');"
                     "CREATE TABLE s (rep TEXT, d DATE); INSERT INTO s VALUES ('bo', '2025-06-01');";
  CU_ASSERT_EQUAL(th_run_on(tsql, "org { table o person p manager m }\nsource s { table s key rep time d }\n"
                                  "rule r on s { red when manager(rep) = \"ann\" notify manager(rep) }\n", "2025-06-30"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 1);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].recipient, "ann");
}

/* person_name(x): the org's name for x; null for no one, a person missing
** from the table, and a null name; no warning counted for those. */
static void test_person_name(void) {
  const char *sql = ORG_SQL "UPDATE org_chart SET full_name = NULL WHERE person_id = 30;"
                            "CREATE TABLE s (rep INTEGER, d DATE, sup TEXT);"
                            "INSERT INTO s VALUES (10, '2025-06-01', '3'), (30, '2025-06-01', NULL), (77, '2025-06-01', '2');";
  const char *rules = ORG_DECL "source s { table s key rep time d label person_name(rep) }\n"
                      "rule r on s { red when true message \"{person_name(rep)}|{person_name(sup)}|{person_name(manager(rep))}\" }\n";
  th_evidence = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-30"), 0);
  th_evidence = 0;
  CU_ASSERT(th_alerts_are(0, "10 red Di Rep|Cy Sup|Cy Sup\n"
                             "30 red null|null|null\n"
                             "77 red null|Bo Director|null\n"));
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 3);
  CU_ASSERT_PTR_NOT_NULL(strstr(th_alerts[0].evidence, "\"key_column\":\"rep\",\"label\":\"Di Rep\","));
  CU_ASSERT_PTR_NOT_NULL(strstr(th_alerts[2].evidence, "\"key_column\":\"rep\",\"label\":null,"));
  /* 77 is not in the chart: manager(77) counts it, person_name does not */
  CU_ASSERT(th_diag_has("rule r: 1 time(s) a person to route from is not in org table org_chart (e.g. 77)"));
  const char *names = ORG_DECL "source s { table s key rep time d label person_name(rep) }\n"
                      "rule r on s { red when true message \"{person_name(rep)}|{person_name(sup)}\" }\n";
  CU_ASSERT_EQUAL(th_run_on(sql, names, "2025-06-30"), 0);
  CU_ASSERT(th_alerts_are(0, "10 red Di Rep|Cy Sup\n30 red null|null\n77 red null|Bo Director\n"));
  CU_ASSERT_FALSE(th_diag_has("a person to route from"));
}

/* route red up 1: red goes to the recipient and one level above, yellow to
** the recipient only; names come from the org's name column. */
static void test_route_levels(void) {
  const char *sql = ORG_SQL "CREATE TABLE s (rep INTEGER, d DATE, x REAL, sup INTEGER);"
                            "INSERT INTO s VALUES (10, '2025-06-01', 1, 3), (11, '2025-06-01', 5, 3);";
  const char *rules = ORG_DECL "route red up 1\n"
                      "source s { table s key rep time d }\n"
                      "rule r on s { yellow when x < 8  red when x < 2  notify sup }\n";
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-30"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 2);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].key, "10");
  CU_ASSERT_STRING_EQUAL(th_alerts[0].route,
                         "[{\"to\":\"3\",\"name\":\"Cy Sup\",\"level\":0},{\"to\":\"2\",\"name\":\"Bo Director\",\"level\":1}]");
  CU_ASSERT_STRING_EQUAL(th_alerts[1].route, "[{\"to\":\"3\",\"name\":\"Cy Sup\",\"level\":0}]");
  /* JSON escaping of a name with quotes */
  CU_ASSERT_EQUAL(th_run_on(sql, ORG_DECL "route yellow, red up 0\nsource s { table s key rep time d }\n"
                                 "rule r on s { red when true notify rep }\n", "2025-06-30"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 2);
  CU_ASSERT_STRING_EQUAL(th_alerts[1].route, "[{\"to\":\"11\",\"name\":\"Ed \\\"Rep\\\"\",\"level\":0}]");
  /* an org with email and chat columns puts each person's addresses in the route */
  const char *sql2 = ORG_SQL "ALTER TABLE org_chart ADD COLUMN mail TEXT; ALTER TABLE org_chart ADD COLUMN room TEXT;"
                             "UPDATE org_chart SET mail = 'cy@example.com', room = 'team-3' WHERE person_id = 3;"
                             "CREATE TABLE s (rep INTEGER, d DATE, x REAL, sup INTEGER);"
                             "INSERT INTO s VALUES (10, '2025-06-01', 1, 3), (11, '2025-06-01', 5, 3);";
  CU_ASSERT_EQUAL(th_run_on(sql2, "org { table org_chart person person_id manager manager_id email mail chat room }\n"
                                  "route red up 1\nsource s { table s key rep time d }\n"
                                  "rule r on s { red when x < 2  notify sup }\n", "2025-06-30"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 1);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].route,
                         "[{\"to\":\"3\",\"name\":null,\"email\":\"cy@example.com\",\"chat\":\"team-3\",\"level\":0},"
                         "{\"to\":\"2\",\"name\":null,\"email\":null,\"chat\":null,\"level\":1}]");
  /* without an org there is no route */
  CU_ASSERT_EQUAL(th_run_on(sql, "source s { table s key rep time d }\nrule r on s { red when true notify sup }\n",
                            "2025-06-30"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 2);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].route, "");
}

/* A missing person, a manager not in the table and a cycle are warnings,
** never a hang: the route stops where the chain does. */
static void test_org_problems(void) {
  const char *sql = ORG_SQL "CREATE TABLE s (rep INTEGER, d DATE);"
                            "INSERT INTO s VALUES (20, '2025-06-01'), (30, '2025-06-01'), (77, '2025-06-01');";
  const char *rules = ORG_DECL "route red up 16\n"
                      "source s { table s key rep time d }\n"
                      "rule r on s { red when true message \"{manager(rep, 16)}\" notify rep }\n";
  th_clear_diags();
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-30"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 3);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].route,
                         "[{\"to\":\"20\",\"name\":\"Loop A\",\"level\":0},{\"to\":\"21\",\"name\":\"Loop B\",\"level\":1}]");
  CU_ASSERT_STRING_EQUAL(th_alerts[1].route, "[{\"to\":\"30\",\"name\":\"Orphan\",\"level\":0}]");
  CU_ASSERT_STRING_EQUAL(th_alerts[2].route, "[{\"to\":\"77\",\"name\":null,\"level\":0}]");
  CU_ASSERT_STRING_EQUAL(th_alerts[0].message, "null");
  CU_ASSERT(th_diag_has("org org_chart: 2 person(s) are their own manager's manager (a cycle, e.g. 20 -> 21 -> 20)"));
  CU_ASSERT(th_diag_has("org org_chart: 1 person(s) have a manager who is not in the table (e.g. 30, manager 99)"));
  CU_ASSERT(th_diag_has("rule r: 2 time(s) a person to route from is not in org table org_chart (e.g. 77)"));
  /* each with its code; the rule's at the rule's place (line 4, column 1), the org's without a place */
  CU_ASSERT(th_diag_has("(a cycle, e.g. 20 -> 21 -> 20): a route stops where it would meet someone twice [W-org-cycle]\n"));
  CU_ASSERT(th_diag_has("(e.g. 30, manager 99): a route stops there [W-org-unknown-manager]\n"));
  CU_ASSERT(th_diag_has("not in org table org_chart (e.g. 77) (t.rules:4:1) [W-route-unknown-person]\n"));
  CU_ASSERT(th_diag_has("found no one 16 level(s) up"));
  CU_ASSERT(th_diag_has("a manager not in the table, or a cycle) (t.rules:4:1) [W-route-end]\n"));
  /* a person NULL or given twice */
  CU_ASSERT_EQUAL(th_run_on("CREATE TABLE o (p INTEGER, m INTEGER); INSERT INTO o VALUES (1, NULL), (NULL, 1), (2, 1), (2, NULL);"
                            "CREATE TABLE s (rep INTEGER, d DATE); INSERT INTO s VALUES (2, '2025-06-01');",
                            "org { table o person p manager m }\nroute red up 0\nsource s { table s key rep time d }\n"
                            "rule r on s { red when true notify rep }\n", "2025-06-30"), 0);
  CU_ASSERT(th_diag_has("warning: org o: 1 row(s) with a NULL p are skipped [W-org-null-person]\n"));
  CU_ASSERT(th_diag_has("warning: org o: 1 row(s) repeat a person (e.g. 2); the last row of each is used [W-org-repeated-person]\n"));
  /* a long chain: a climb of 16 levels in a 40-person line, and a 40-cycle */
  char big[8192];
  size_t n = (size_t)snprintf(big, sizeof big, "CREATE TABLE o (p INTEGER, m INTEGER); INSERT INTO o VALUES (0, NULL)");
  for (int i = 1; i < 40; i++) n += (size_t)snprintf(big + n, sizeof big - n, ", (%d, %d)", i, i - 1);
  for (int i = 100; i < 140; i++) n += (size_t)snprintf(big + n, sizeof big - n, ", (%d, %d)", i, i == 100 ? 139 : i - 1);
  snprintf(big + n, sizeof big - n, "; CREATE TABLE s (rep INTEGER, d DATE); INSERT INTO s VALUES (39, '2025-06-01'), (120, '2025-06-01');");
  CU_ASSERT_EQUAL(th_run_on(big, "org { table o person p manager m }\nsource s { table s key rep time d }\n"
                                 "rule r on s { red when true message \"{manager(rep, 16)}\" }\n", "2025-06-30"), 0);
  CU_ASSERT(th_alerts_are(0, "39 red 23\n120 red 104\n"));
  CU_ASSERT(th_diag_has("40 person(s) are their own manager's manager"));
}

/* escalate after: open long enough, an alert goes a tier up and one level
** further up the org chart (also at the top tier, where it cannot go up a
** tier); recorded in vigil_alerts.route. */
static void test_escalation_route(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(ORG_SQL "CREATE TABLE s (rep INTEGER, d DATE, x REAL);"
                                   "INSERT INTO s VALUES (10,'2025-01-01',1),(10,'2025-01-08',1),(10,'2025-01-15',1),(10,'2025-01-22',1),"
                                   "(11,'2025-01-01',5),(11,'2025-01-08',5),(11,'2025-01-15',5),(11,'2025-01-22',9);"), 0);
  vg_program *p = th_compile("esc.rules",
                             "pack esc\n" ORG_DECL "route red up 1\n"
                             "source s { table s key rep time d }\n"
                             "rule r on s {\n  yellow when x < 8\n  red when x < 2\n  escalate after 14 days\n  notify manager(rep)\n}\n",
                             NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  const char *dates[] = {"2025-01-01", "2025-01-08", "2025-01-15", "2025-01-22"};
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(th_run(&p, 1, dates[i], 0, 0), 0);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  char got[4096] = "";
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(th_db_path(), &db), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "SELECT key, as_of, tier, tier_rank, status, "
                                               "(SELECT group_concat(json_extract(value, '$.to'), '>') FROM json_each(route)) "
                                               "FROM vigil_alerts ORDER BY key, as_of", -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW && n < sizeof got - 200) {
    for (int i = 0; i < 6; i++) {
      const unsigned char *t = sqlite3_column_text(st, i);
      n += (size_t)snprintf(got + n, sizeof got - n, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
    }
    n += (size_t)snprintf(got + n, sizeof got - n, "\n");
  }
  sqlite3_finalize(st);
  /* an alert raised a tier keeps the size of the clause that fired (yellow, x < 8) */
  st = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "SELECT tier, json_extract(evidence, '$.size.threshold'), json_extract(evidence, '$.size.rel')"
                                               " FROM vigil_alerts WHERE key = '11' AND as_of = '2025-01-15'", -1, &st, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_step(st), SQLITE_ROW);
  CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 0), "orange");
  CU_ASSERT_EQUAL(sqlite3_column_type(st, 1), SQLITE_INTEGER);
  CU_ASSERT_EQUAL(sqlite3_column_int(st, 1), 8);
  CU_ASSERT_DOUBLE_EQUAL(sqlite3_column_double(st, 2), 0.375, 1e-12);
  sqlite3_finalize(st);
  sqlite3_close(db);
  const char *want =
      "10|2025-01-01|red|2|new|3>2\n"
      "10|2025-01-08|red|2|ongoing|3>2\n"
      "10|2025-01-15|red|2|ongoing|3>2>1\n" /* the top tier already: one level further up only */
      "10|2025-01-22|red|2|ongoing|3>2>1\n"
      "11|2025-01-01|yellow|0|new|3\n"
      "11|2025-01-08|yellow|0|ongoing|3\n"
      "11|2025-01-15|orange|1|escalated|3>2\n"
      "11|2025-01-22|orange|1|resolved|3\n"; /* resolved: routed as its tier is */
  if (strcmp(got, want) != 0) printf("\ngot:\n%s\nwant:\n%s", got, want);
  CU_ASSERT_STRING_EQUAL(got, want);
  vg_free_program(p);
}

/* A source's label column: the evidence names the entity by its value on
** the current row (as text; null when the row has none). */
static void test_evidence_label(void) {
  const char *sql = "CREATE TABLE s (rep INTEGER, d DATE, rate REAL, nm TEXT);"
                    "INSERT INTO s VALUES (1,'2025-05-01',0.3,'Ann Old'),(1,'2025-05-15',0.1,'Ann Lee'),"
                    "(2,'2025-05-15',0.1,NULL),(3,'2025-05-15',0.1,42);";
  const char *rules = "source s { table s key rep time d label nm }\n"
                      "rule low on s { orange when rate < 0.2 }\n";
  th_evidence = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-20"), 0);
  th_evidence = 0;
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 3);
  CU_ASSERT_PTR_NOT_NULL(strstr(th_alerts[0].evidence, "{\"rule\":\"low\",\"key_column\":\"rep\",\"label\":\"Ann Lee\",\"values\":{"));
  CU_ASSERT_PTR_NOT_NULL(strstr(th_alerts[1].evidence, "\"key_column\":\"rep\",\"label\":null,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(th_alerts[2].evidence, "\"key_column\":\"rep\",\"label\":\"42\","));
  /* the label column is not a value the rule compared */
  CU_ASSERT_PTR_NULL(strstr(th_alerts[0].evidence, "\"nm\""));
}

/* A label that is an expression: a lookup names an entity that has no name
** column (a revision by its rep, a rollup's group by its key's person), as
** of the evaluation time (not a later rename); no row found is null. */
static void test_evidence_label_lookup(void) {
  const char *sql = "CREATE TABLE people (rep INTEGER, d DATE, nm TEXT);"
                    "INSERT INTO people VALUES (1,'2025-05-01','Ann Lee'),(1,'2025-07-01','Ann Renamed'),"
                    "(2,'2025-05-01','bo ng');"
                    "CREATE TABLE rev (id INTEGER, rep INTEGER, d DATE, cut REAL);"
                    "INSERT INTO rev VALUES (7,1,'2025-06-01',0.5),(8,2,'2025-06-01',0.5),(9,3,'2025-06-01',0.5);"
                    "CREATE TABLE act (id INTEGER, rep INTEGER, d DATE, late INTEGER);"
                    "INSERT INTO act VALUES (1,1,'2025-06-10',1),(2,2,'2025-06-10',1),(3,2,'2025-06-11',1);";
  const char *rules = "source people { table people key rep time d }\n"
                      "source rev { table rev key id time d label people[rep].nm }\n"
                      "source act { table act key id time d }\n"
                      "rollup reps from act by rep { label upper(people.nm)\n late = count(late = 1) }\n"
                      "rule big_cut on rev { yellow when cut > 0.3 }\n"
                      "rule late_work on reps { orange when late >= 1 }\n";
  th_evidence = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-20"), 0);
  th_evidence = 0;
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 5);
  static const char *const want[][2] = {{"big_cut", "\"key_column\":\"id\",\"label\":\"Ann Lee\","},
                                        {"big_cut", "\"key_column\":\"id\",\"label\":\"bo ng\","},
                                        {"big_cut", "\"key_column\":\"id\",\"label\":null,"},
                                        {"late_work", "\"key_column\":\"rep\",\"label\":\"ANN LEE\","},
                                        {"late_work", "\"key_column\":\"rep\",\"label\":\"BO NG\","}};
  for (int i = 0; i < 5; i++) {
    int found = 0;
    for (int k = 0; k < th_nalerts; k++)
      found |= strcmp(th_alerts[k].rule, want[i][0]) == 0 && strstr(th_alerts[k].evidence, want[i][1]) != NULL;
    if (!found) printf("\nno %s alert with evidence %s\n", want[i][0], want[i][1]);
    CU_ASSERT(found);
  }
}

/* The evidence: lets, the columns read, the params read, and the window;
** then which values are params, and how each shows (slump is used as a
** fraction, cap is written as a percent: both percent). */
static void test_evidence(void) {
  const char *sql = "CREATE TABLE s (rep INTEGER, d DATE, rate REAL, base REAL, note TEXT, unused REAL);"
                    "INSERT INTO s VALUES (1,'2025-05-01',0.3,0.2,'a',0),(1,'2025-05-15',0.15,0.2,'b',0),"
                    "(1,'2025-05-29',0.12,0.2,'c\"q',0),(1,'2025-06-12',0.1,0.2,NULL,0);";
  const char *rules = "param slump = 20%\nparam grace = 5 days\nparam cap = 50%\n"
                      "source s { table s key rep time d }\n"
                      "rule low on s {\n"
                      "  let floor = base * (1 - slump)\n"
                      "  let since = as_of - d\n"
                      "  orange when rate < floor for 2 snapshots\n"
                      "  message \"{note} {since > grace} {rate < cap}\"\n"
                      "}\n";
  th_evidence = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-20"), 0);
  th_evidence = 0;
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 1);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].evidence,
                         "{\"rule\":\"low\",\"key_column\":\"rep\","
                         "\"values\":{\"floor\":0.16000000000000003,\"since\":\"8 days\",\"base\":0.2,\"rate\":0.1,"
                         "\"note\":null,\"slump\":0.2,\"grace\":\"5 days\",\"cap\":0.5},"
                         "\"window\":{\"dates\":[\"2025-05-01\",\"2025-05-15\",\"2025-05-29\",\"2025-06-12\"],"
                         "\"base\":[0.2,0.2,0.2,0.2],\"rate\":[0.3,0.15,0.12,0.1],\"note\":[\"a\",\"b\",\"c\\\"q\",null]},"
                         "\"params\":{\"slump\":\"percent\",\"grace\":\"duration\",\"cap\":\"percent\"},"
                         "\"size\":{\"value\":0.1,\"threshold\":0.16000000000000003,\"op\":\"<\",\"rel\":0.3750000000000001}}");
  /* the JSON is valid for SQLite's json functions */
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "SELECT json_valid(?1), json_extract(?1, '$.window.note[2]')", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, th_alerts[0].evidence, -1, SQLITE_STATIC);
  CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
  CU_ASSERT_EQUAL(sqlite3_column_int(st, 0), 1);
  CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 1), "c\"q");
  sqlite3_finalize(st);
  sqlite3_close(db);
  /* a dry run without the option computes none */
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-20"), 0);
  CU_ASSERT_EQUAL_FATAL(th_nalerts, 1);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].evidence, "");
}

/* The size of an alert (docs/LANGUAGE.md "Size"): the first comparison of
** numbers of the clause that fired, through and / or / for, that holds on
** the current row; |value - threshold| / |threshold| (absolute when the
** threshold is 0); none without one, or when no comparison holds. */
static void test_evidence_size(void) {
  const char *sql = "CREATE TABLE s (rep INTEGER, d DATE, x REAL, y REAL, ok INTEGER, t TEXT);"
                    "INSERT INTO s VALUES (1,'2025-06-01',1,0,1,'a'),(1,'2025-06-08',1,0,1,'a'),"
                    "(2,'2025-06-08',5,0,1,'a'),(3,'2025-06-08',0.5,-3,1,'a'),(4,'2025-06-08',3,1,1,'a'),"
                    "(5,'2025-06-08',3,5,1,'b'),(6,'2025-06-08',9,9,0,'b');";
  const char *rules =
      "param cap = 4\n"
      "source s { table s key rep time d }\n"
      /* rep 1: x < 2 for 2 snapshots: (2 - 1) / 2 */
      "rule a on s { red when x < 2 for 2 snapshots }\n"
      /* rep 2: the first operand of the `or` is false: y < 0 does not hold, x > cap does */
      "rule b on s { orange when (y < 0 or x > cap) and t = \"a\" }\n"
      /* rep 3: the threshold is 0: |0.5 - 0| */
      "rule c on s { yellow when x > 0 and y < 0 }\n"
      /* rep 6: no numeric comparison: no size */
      "rule d on s { yellow when ok = 0 or t = \"z\" }\n"
      /* reps 4 and 5: the orange clause fired; rep 5: the first operand of the `or` is false */
      "rule e on s { red when x >= 10  orange when y <= 1 or x >= 2 }\n";
  th_evidence = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-10"), 0);
  th_evidence = 0;
  static const struct { const char *rule, *key, *size; } want[] = {
      {"a", "1", ",\"size\":{\"value\":1,\"threshold\":2,\"op\":\"<\",\"rel\":0.5}}"},
      {"b", "2", ",\"size\":{\"value\":5,\"threshold\":4,\"op\":\">\",\"rel\":0.25}}"},
      {"c", "3", ",\"size\":{\"value\":0.5,\"threshold\":0,\"op\":\">\",\"rel\":0.5}}"},
      {"d", "6", NULL},
      {"e", "4", ",\"size\":{\"value\":1,\"threshold\":1,\"op\":\"<=\",\"rel\":0}}"},
      {"e", "5", ",\"size\":{\"value\":3,\"threshold\":2,\"op\":\">=\",\"rel\":0.5}}"},
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    const th_alert *a = NULL;
    for (int k = 0; k < th_nalerts; k++)
      if (strcmp(th_alerts[k].rule, want[i].rule) == 0 && strcmp(th_alerts[k].key, want[i].key) == 0) a = &th_alerts[k];
    CU_ASSERT_PTR_NOT_NULL(a);
    if (!a) continue;
    const char *sz = strstr(a->evidence, ",\"size\":");
    if (want[i].size ? !sz || strcmp(sz, want[i].size) != 0 : sz != NULL) {
      printf("\nrule %s key %s: %s\n", want[i].rule, want[i].key, a->evidence);
      CU_FAIL("size");
    }
  }
}

/* Compile errors of org, route and manager(). */
static void test_org_errors(void) {
  static const struct {
    const char *rules, *want;
  } cases[] = {
      {"route red up 1\n", "'route' climbs the org chart: declare it first"},
      {"source s { table s key rep time d }\nrule r on s { red when manager(rep) = \"1\" }\n",
       "manager() climbs the org chart: declare it"},
      {ORG_DECL ORG_DECL, "a pack has one 'org'"},
      {"org { table org_chart person person_id }\n", "the org has no 'manager'"},
      {"org { table org_chart person person_id manager boss }\n", "table org_chart has no column 'boss'"},
      {"org { table org_chart person person_id manager full_name }\n", "the manager column 'full_name' is a string"},
      {"org { table org_chart person person_id manager manager_id colour x }\n", "unknown org field 'colour'"},
      {"org { table nope person a manager b }\n", "has no table 'nope'"},
      {"org { table org_chart person person_id manager manager_id email mail }\n", "table org_chart has no column 'mail'"},
      {"org { table org_chart person person_id manager manager_id chat manager_id }\n",
       "the chat column 'manager_id' is a number: it holds addresses, as text"},
      {"org { table org_chart person person_id manager manager_id email full_name email full_name }\n",
       "'email' is given twice in the org"},
      {ORG_DECL "route purple up 1\n", "unknown tier 'purple' in a route"},
      {ORG_DECL "route red up 1\nroute red up 2\n", "tier 'red' is routed twice"},
      {ORG_DECL "route red up 17\n", "'route ... up' takes a whole number of levels from 0 to 16"},
      {ORG_DECL "source s { table s key rep time d }\nrule r on s { red when manager(rep, 17) = \"1\" }\n",
       "the levels of manager(x, N) must be a whole number from 0 to 16"},
      {ORG_DECL "source s { table s key rep time d }\nrule r on s { red when manager(rep, 1, 2) = \"1\" }\n",
       "manager takes 1 or 2 arguments"},
      {ORG_DECL "source s { table s key rep time d }\nrule r on s { red when manager(rep) = 1 }\n", "cannot compare a string with a number"},
      {ORG_DECL "source s { table s key rep time d where manager(rep) = \"1\" }\nrule r on s { red when true }\n",
       "cannot be used in a source's where"},
      {ORG_DECL "def boss(x) = manager(x)\n", "cannot be used in a def"},
      {"rout red up 1\n", "did you mean 'route TIER, ... up N'"},
      {"orgs { table t }\n", "did you mean 'org {'"},
  };
  CU_ASSERT_EQUAL_FATAL(th_make_db(ORG_SQL "CREATE TABLE s (rep INTEGER, d DATE);"), 0);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_clear_diags();
    vg_compile_opts co;
    memset(&co, 0, sizeof co);
    co.db_path = th_db_path();
    vg_program *p = NULL;
    co.diag = th_on_diag;
    vg_status st = vg_compile_string("o.rules", cases[i].rules, strlen(cases[i].rules), NULL, &co, &p);
    CU_ASSERT_EQUAL(st, VG_EINPUT);
    if (!strstr(th_diags, cases[i].want)) {
      printf("\ncase %zu: wanted '%s' in:\n%s", i, cases[i].want, th_diags);
      CU_FAIL("diagnostic missing");
    }
    vg_free_program(p);
  }
}

/* The org, routes, manager and evidence survive a .vgc round trip, and the
** listing shows them. */
static void test_bytecode(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(ORG_SQL "CREATE TABLE s (rep INTEGER, d DATE, x REAL);"), 0);
  vg_program *p = th_compile("b.rules", "org { table org_chart person person_id manager manager_id name full_name email full_name"
                                        " chat full_name }\nroute orange, red up 1\nsource s { table s key rep time d }\n"
                                        "rule r on s { let lim = 2  red when x < lim  notify manager(rep, 2) }\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  char path[512];
  snprintf(path, sizeof path, "%s.vgc", th_db_path());
  char err[256];
  CU_ASSERT_EQUAL_FATAL(vg_save_program(p, path, err, sizeof err), VG_OK);
  vg_program *q = NULL;
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  CU_ASSERT_EQUAL_FATAL(vg_compile_path(path, &co, &q), VG_OK);
  char *a = vg_disasm(p), *b = vg_disasm(q);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_STRING_EQUAL(a, b);
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "org table org_chart person person_id manager manager_id name full_name email full_name chat full_name routes yellow +0, orange +1, red +1\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "  evidence lim fn "));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "  measure red fn "));
  CU_ASSERT_PTR_NOT_NULL(strstr(a, "MANAGER 2 "));
  free(a);
  free(b);
  remove(path);
  vg_free_program(p);
  vg_free_program(q);
}

/* param NAME = V on SOURCE[KEY][.COLUMN]: the value of the latest row of
** SOURCE for the rule's KEY on or before the evaluation time, when it is
** not null; the pack's value (or --set's) otherwise. */
static void test_param_overrides(void) {
  const char *sql = "CREATE TABLE s (rep INTEGER, d DATE, x REAL, region TEXT);"
                    "INSERT INTO s VALUES (1,'2025-06-01',0.5,'eu'),(2,'2025-06-01',0.5,'us'),(3,'2025-06-01',0.5,'us'),"
                    "(4,'2025-06-01',0.5,'us');"
                    "CREATE TABLE rep_targets (rep_id INTEGER, valid_from DATE, slump REAL, grace_days REAL);"
                    "INSERT INTO rep_targets VALUES (1,'2025-01-01',0.6,3),(1,'2025-06-15',0.7,3),(2,'2025-07-01',0.6,NULL),"
                    "(3,'2025-01-01',NULL,10);";
  const char *rules = "param slump = 40% on targets[rep]\n"
                      "param grace = 5 days on targets[rep].grace_days\n"
                      "source targets { table rep_targets key rep_id time valid_from }\n"
                      "source s { table s key rep time d }\n"
                      "rule r on s { red when x < slump message \"{slump} {grace}\" }\n";
  /* 1: its row of 06-15; 2: its row is later than as_of; 3: a NULL slump; 4: no row */
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-30"), 0);
  CU_ASSERT(th_alerts_are(0, "1 red 0.7 3 days\n"));
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-06-10"), 0);
  CU_ASSERT(th_alerts_are(0, "1 red 0.6 3 days\n"));
  /* a changed default (what --set does) changes the keys without an override only */
  CU_ASSERT_EQUAL_FATAL(th_make_db(sql), 0);
  vg_program *p = th_compile("o.rules", rules, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  char err[256];
  vg_params *ps = vg_params_new();
  CU_ASSERT_EQUAL(vg_params_set(ps, p, "slump", "0.55", err, sizeof err), VG_OK);
  th_params = ps;
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-06-30", 1, 0), 0);
  th_params = NULL;
  vg_params_free(ps);
  CU_ASSERT(th_alerts_are(0, "1 red 0.7 3 days\n2 red 0.55 5 days\n3 red 0.55 10 days\n4 red 0.55 5 days\n"));
  vg_free_program(p);
  /* errors */
  static const struct {
    const char *rules, *want;
  } cases[] = {
      {"param slump = 40% on nope[rep]\n", "unknown source 'nope'"},
      {"param slump = 40% on targets[rep].zz\nsource targets { table rep_targets key rep_id time valid_from }\n",
       "has no column 'zz' to override param slump"},
      {"param slump = \"a\" on targets[rep]\nsource targets { table rep_targets key rep_id time valid_from }\n",
       "param slump is a string; column slump of rep_targets is a number"},
      {"param slump = 40% on targets[rep]\nsource targets { table rep_targets key rep_id time valid_from }\n"
       "source s { table s key rep time d where x < slump }\nrule r on s { red when true }\n",
       "it can be read in rules only"},
      {"param slump = 40% on targets[rep]\nsource targets { table rep_targets key rep_id time valid_from }\n"
       "source s { table s key rep time d }\ndef low(v) = v < slump\nrule r on s { red when low(x) }\n",
       "a def cannot read it: pass it as an argument"},
      {"param slump = 40% on targets[who]\nsource targets { table rep_targets key rep_id time valid_from }\n"
       "source s { table s key rep time d }\nrule r on s { red when x < slump }\n",
       "param slump is set per who, and source s (table s) has no column 'who'"},
      {"param slump = 40% on targets[region]\nsource targets { table rep_targets key rep_id time valid_from }\n"
       "source s { table s key rep time d }\nrule r on s { red when x < slump }\n",
       "param slump is set per region, a string here; the key of source targets is a number"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_clear_diags();
    vg_compile_opts co;
    memset(&co, 0, sizeof co);
    co.db_path = th_db_path();
    co.diag = th_on_diag;
    vg_program *q = NULL;
    CU_ASSERT_EQUAL(vg_compile_string("o.rules", cases[i].rules, strlen(cases[i].rules), NULL, &co, &q), VG_EINPUT);
    if (!strstr(th_diags, cases[i].want)) {
      printf("\ncase %zu: wanted '%s' in:\n%s", i, cases[i].want, th_diags);
      CU_FAIL("diagnostic missing");
    }
    vg_free_program(q);
  }
}

/* Each allocation of a recorded-evidence dry run over an org chart with its
** problems (a repeated person, a manager not in the table, a cycle, a
** recipient not in it) fails in turn, until 64 runs in a row fail none:
** the status is VG_OK or VG_ENOMEM, never another, and a run that succeeds
** gives the alerts (routes and evidence included) of a run without
** failures. */
static void test_org_out_of_memory(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(ORG_SQL "INSERT INTO org_chart VALUES (11, 2, 'Ed again');"
                                   "CREATE TABLE s (rep INTEGER, d DATE, x REAL, sup INTEGER);"
                                   "INSERT INTO s VALUES (10, '2025-06-01', 1, 3), (11, '2025-06-01', 1, 77), (20, '2025-06-01', 1, 20),"
                                   " (30, '2025-06-01', 1, 30), (10, '2025-06-02', 1, 3);"), 0);
  vg_program *p = th_compile("oom.rules", ORG_DECL "route red up 2\nsource s { table s key rep time d }\n"
                             "rule r on s { let m = manager(rep)\n red when x < 2 and prev(x) is null\n yellow when x < 2\n"
                             " message \"{m}\" notify sup }\n", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  th_evidence = 1;
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-06-30", 1, 0), VG_OK);
  char expect[8192];
  size_t n = 0;
  for (int i = 0; i < th_nalerts; i++)
    n += (size_t)snprintf(expect + n, sizeof expect - n, "%s %s %s %s\n", th_alerts[i].key, th_alerts[i].message, th_alerts[i].route,
                          th_alerts[i].evidence);
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
    char got[8192];
    size_t g = 0;
    for (int i = 0; i < th_nalerts; i++)
      g += (size_t)snprintf(got + g, sizeof got - g, "%s %s %s %s\n", th_alerts[i].key, th_alerts[i].message, th_alerts[i].route,
                            th_alerts[i].evidence);
    if (strcmp(got, expect) != 0) {
      fprintf(stderr, "\n  allocation %ld failing: alerts\n%s\ninstead of\n%s", k, got, expect);
      CU_FAIL("a run that succeeded with an allocation failing gave other alerts");
      break;
    }
  }
  CU_ASSERT_TRUE(k > 64);
  th_evidence = 0;
  th_clear_diags();
  vg_free_program(p);
}

int unit_register_route(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
      {"manager(x), manager(x, n) over an org table", test_manager_values},
      {"person_name(x): the org's name, in a message and a label", test_person_name},
      {"route TIER up N: who an alert goes to", test_route_levels},
      {"missing person, manager not in table, cycles", test_org_problems},
      {"escalate after: a tier and a level up", test_escalation_route},
      {"evidence JSON: lets, columns, params, window", test_evidence},
      {"evidence JSON: the source's label", test_evidence_label},
      {"evidence JSON: a label that is a lookup, on a source and a rollup", test_evidence_label_lookup},
      {"evidence JSON: the size of an alert", test_evidence_size},
      {"org, route and manager() compile errors", test_org_errors},
      {"org and evidence in the bytecode", test_bytecode},
      {"param NAME = V on SOURCE[KEY]: per-key values", test_param_overrides},
      {"an org chart and routes when allocations fail", test_org_out_of_memory},
  };
  CU_pSuite s = CU_add_suite("routing, evidence, per-key params", NULL, th_cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}
