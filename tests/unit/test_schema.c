/*
** test_schema.c — vg_schema_read (tools/schema_info.c): a schema's tables
** and columns, and the key and time it guesses for each (what `vigil new
** pack` makes sources from): from an index on (key, time), from the primary
** key and the first date column, from *_id names, from an untyped column
** named like a date; none without a date; Vigil's own tables left out; the
** CREATE statements of a database; refusals and out of memory.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include "../../core/mem.h"
#include "../../include/vigil.h"
#include "unit.h"

static char dir[64];

static const char *write_tmp(const char *name, const char *text) {
  static char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) return NULL;
  fputs(text, f);
  fclose(f);
  return path;
}

static vg_schema *read_sql(const char *sql) {
  const char *p = write_tmp("schema.sql", sql);
  vg_schema *s = NULL;
  char err[512];
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  vg_status st = vg_schema_read(p, NULL, 0, &s, err, sizeof err);
  CU_ASSERT_EQUAL(st, VG_OK);
  if (st != VG_OK) fprintf(stderr, "vg_schema_read: %s\n", err);
  return s;
}

static const vg_schema_table *table(const vg_schema *s, const char *name) {
  for (int i = 0; i < vg_schema_table_count(s); i++)
    if (strcmp(vg_schema_table_at(s, i)->name, name) == 0) return vg_schema_table_at(s, i);
  return NULL;
}

/* t's guessed key and time names ("-" for none) and the guess holds why. */
static void expect(const vg_schema *s, const char *name, const char *key, const char *time, const char *why) {
  const vg_schema_table *t = table(s, name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  CU_ASSERT_STRING_EQUAL(t->key >= 0 ? t->cols[t->key].name : "-", key);
  CU_ASSERT_STRING_EQUAL(t->time >= 0 ? t->cols[t->time].name : "-", time);
  CU_ASSERT_PTR_NOT_NULL(strstr(t->guess, why));
  if (!strstr(t->guess, why)) fprintf(stderr, "%s: guess '%s', not '%s'\n", name, t->guess, why);
}

static void test_guesses(void) {
  vg_schema *s = read_sql(
      "CREATE TABLE snap (supervisor_id INTEGER, rep_id INTEGER NOT NULL, created DATE, snapshot_date DATE NOT NULL);\n"
      "CREATE INDEX snap_key_time ON snap(rep_id, snapshot_date);\n"
      "CREATE TABLE deals (deal_id INTEGER PRIMARY KEY, owner_id INTEGER, closed_on DATE, opened_on DATE NOT NULL);\n"
      "CREATE TABLE visits (note TEXT, region_id TEXT, account_id INTEGER NOT NULL, visit_at DATETIME);\n"
      "CREATE TABLE codes (code TEXT, valid TIMESTAMP);\n"
      "CREATE TABLE plain (a INTEGER, b TEXT);\n"
      "CREATE TABLE only_date (d DATE);\n"
      "CREATE VIEW firsts AS SELECT rep_id, min(snapshot_date) AS first_on FROM snap GROUP BY rep_id;\n"
      "CREATE TABLE vigil_runs (run_id INTEGER, as_of DATE);\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL_FATAL(vg_schema_table_count(s), 7); /* vigil_runs is Vigil's */
  CU_ASSERT_STRING_EQUAL(vg_schema_table_at(s, 0)->name, "snap"); /* the order they were made in */
  CU_ASSERT_STRING_EQUAL(vg_schema_table_at(s, 6)->name, "firsts");
  expect(s, "snap", "rep_id", "snapshot_date", "the index snap_key_time on (rep_id, snapshot_date)");
  expect(s, "deals", "deal_id", "opened_on", "key: its primary key; time: its first NOT NULL date column");
  expect(s, "visits", "account_id", "visit_at", "key: its first NOT NULL column named *_id; time: its first date column");
  expect(s, "codes", "code", "valid", "key: its first column that is not the time");
  expect(s, "plain", "-", "-", "no date column");
  expect(s, "only_date", "-", "-", "no column for a key");
  expect(s, "firsts", "rep_id", "first_on", "the first untyped column named like a date");
  const vg_schema_table *t = table(s, "deals");
  CU_ASSERT(t->cols[0].pk == 1 && t->cols[3].notnull && !t->cols[2].notnull && !t->is_view);
  CU_ASSERT_STRING_EQUAL(t->cols[2].decl_type, "DATE");
  CU_ASSERT(table(s, "firsts")->is_view);
  CU_ASSERT_PTR_NOT_NULL(strstr(vg_schema_sql(s), "CREATE INDEX snap_key_time")); /* the file's text */
  CU_ASSERT_PTR_NULL(vg_schema_table_at(s, 7));
  CU_ASSERT_PTR_NULL(vg_schema_table_at(s, -1));
  vg_schema_free(s);
}

/* A database: the same guesses, and its CREATE statements as schema.sql. */
static void test_database(void) {
  char path[128];
  snprintf(path, sizeof path, "%s/t.db", dir);
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db,
                               "CREATE TABLE snap (rep_id INTEGER NOT NULL, snapshot_date DATE NOT NULL, x REAL);"
                               "CREATE INDEX snap_key_time ON snap(rep_id, snapshot_date);"
                               "CREATE TABLE vigil_alerts (run_id INTEGER);"
                               "INSERT INTO snap VALUES (1, '2025-01-01', 2);",
                               NULL, NULL, NULL),
                  SQLITE_OK);
  sqlite3_close(db);
  vg_schema *s = NULL;
  char err[512];
  CU_ASSERT_EQUAL_FATAL(vg_schema_read(NULL, path, 0, &s, err, sizeof err), VG_OK);
  CU_ASSERT_EQUAL(vg_schema_table_count(s), 1);
  expect(s, "snap", "rep_id", "snapshot_date", "the index snap_key_time");
  CU_ASSERT_STRING_EQUAL(vg_schema_sql(s), "CREATE TABLE snap (rep_id INTEGER NOT NULL, snapshot_date DATE NOT NULL, x REAL);\n"
                                           "CREATE INDEX snap_key_time ON snap(rep_id, snapshot_date);\n");
  /* the statements make a schema that reads the same */
  vg_schema *again = read_sql(vg_schema_sql(s));
  CU_ASSERT_PTR_NOT_NULL_FATAL(again);
  expect(again, "snap", "rep_id", "snapshot_date", "the index snap_key_time");
  vg_schema_free(again);
  vg_schema_free(s);
  /* a virtual table (as PostgreSQL's tables are) is written as a plain one */
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, "CREATE VIRTUAL TABLE notes USING fts5(rep_id, body)", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
  CU_ASSERT_EQUAL_FATAL(vg_schema_read(NULL, path, 0, &s, err, sizeof err), VG_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(vg_schema_sql(s), "\nCREATE TABLE \"notes\" (\"rep_id\", \"body\");\n"));
  CU_ASSERT_PTR_NULL(strstr(vg_schema_sql(s), "VIRTUAL"));
  vg_schema_free(s);
}

static void test_refusals(void) {
  vg_schema *s = (vg_schema *)1;
  char err[512];
  CU_ASSERT_EQUAL(vg_schema_read(NULL, NULL, 0, &s, err, sizeof err), VG_EUSAGE);
  CU_ASSERT_EQUAL(vg_schema_read("a.sql", "b.db", 0, &s, err, sizeof err), VG_EUSAGE);
  const char *p = write_tmp("bad.sql", "CREATE TABLE t (a INTEGER);\nDROP TABLE t;\n");
  CU_ASSERT_EQUAL(vg_schema_read(p, NULL, 0, &s, err, sizeof err), VG_EINPUT);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad.sql"));
  p = write_tmp("syntax.sql", "CREATE TABLE (;\n");
  CU_ASSERT_EQUAL(vg_schema_read(p, NULL, 0, &s, err, sizeof err), VG_EINPUT);
  char missing[128];
  snprintf(missing, sizeof missing, "%s/none.sql", dir);
  CU_ASSERT_EQUAL(vg_schema_read(missing, NULL, 0, &s, err, sizeof err), VG_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "none.sql"));
  /* a link is refused unless followed */
  char link[128];
  snprintf(link, sizeof link, "%s/link.sql", dir);
  p = write_tmp("real.sql", "CREATE TABLE t (k INTEGER, d DATE);\n");
  CU_ASSERT_EQUAL_FATAL(symlink(p, link), 0);
  CU_ASSERT_EQUAL(vg_schema_read(link, NULL, 0, &s, err, sizeof err), VG_EINPUT);
  CU_ASSERT_EQUAL(vg_schema_read(link, NULL, 1, &s, err, sizeof err), VG_OK);
  vg_schema_free(s);
  snprintf(missing, sizeof missing, "%s/no/such.db", dir);
  CU_ASSERT_EQUAL(vg_schema_read(NULL, missing, 0, &s, err, sizeof err), VG_EDB);
  vg_schema_free(NULL);
  CU_ASSERT_EQUAL(vg_schema_table_count(NULL), 0);
  CU_ASSERT_STRING_EQUAL(vg_schema_sql(NULL), "");
}

static void test_out_of_memory(void) {
  const char *p = write_tmp("oom.sql", "CREATE TABLE snap (rep_id INTEGER NOT NULL, d DATE NOT NULL);\n"
                                       "CREATE INDEX snap_kt ON snap(rep_id, d);\nCREATE TABLE o (id INTEGER PRIMARY KEY, w DATE);\n");
  int failed = 0, ok = 0;
  for (long k = 0; k < 100000 && !ok; k++) {
    vg_schema *s = NULL;
    char err[512];
    vg_mem_fail_after(k);
    vg_status st = vg_schema_read(p, NULL, 0, &s, err, sizeof err);
    vg_mem_fail_after(-1);
    if (st == VG_OK) {
      ok = 1;
      CU_ASSERT_EQUAL(vg_schema_table_count(s), 2);
      vg_schema_free(s);
    } else {
      CU_ASSERT_PTR_NULL(s);
      failed++;
    }
  }
  CU_ASSERT(ok);
  CU_ASSERT(failed > 0); /* each allocation of the library failed once (SQLite's own are not counted) */
}

static int setup(void) {
  snprintf(dir, sizeof dir, "/tmp/vigil-schema-XXXXXX");
  return mkdtemp(dir) ? 0 : 1;
}

static int teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : 1;
}

int unit_register_schema(void) {
  CU_pSuite s = CU_add_suite("schema: tables and guesses", setup, teardown);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "key and time guesses", test_guesses) || !CU_add_test(s, "a database", test_database) ||
      !CU_add_test(s, "refusals", test_refusals) || !CU_add_test(s, "out of memory", test_out_of_memory))
    return CU_get_error();
  return CUE_SUCCESS;
}
