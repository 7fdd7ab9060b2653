/*
** floor.c — the floor: what it costs just to get the rows the rules need out
** of SQLite, with nothing evaluated.  It prepares the queries a run needs,
** steps through them and reads every column of every row (as its type:
** integer, double or text), and prints how many rows and values it read.
**
**   floor nightly DB AS_OF   the nightly run's reads: the distinct reps by
**                            index seeks, the newest 3 rows of each (the
**                            widest window of the pack: sum over the last 3
**                            snapshots) by a seek on (rep_id, snapshot_date),
**                            and the invoices in key order (one row per key)
**   floor scan DB            the backtest's read: sales_snapshot whole, in
**                            key and time order, the conversion rule's columns
**
** The queries are the ones docs/CLI.md §6.4 shows (and vigil runs).
** The database is opened read-only with SQLite's defaults, as vigil does.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;
static long long rows, values;
static double sink;

static void die(const char *what) {
  fprintf(stderr, "floor: %s: %s\n", what, sqlite3_errmsg(db));
  exit(1);
}

static sqlite3_stmt *prep(const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(sql);
  return st;
}

/* Read every column of the current row. */
static void read_row(sqlite3_stmt *st) {
  int n = sqlite3_column_count(st);
  for (int i = 0; i < n; i++) {
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: sink += (double)sqlite3_column_int64(st, i); break;
    case SQLITE_FLOAT: sink += sqlite3_column_double(st, i); break;
    case SQLITE_TEXT: {
      const unsigned char *t = sqlite3_column_text(st, i);
      int len = sqlite3_column_bytes(st, i);
      sink += len ? t[len - 1] : 0;
      break;
    }
    default: break;
    }
    values++;
  }
  rows++;
}

/* Step st to the end (or at most limit rows), reading every row. */
static void drain(sqlite3_stmt *st, long limit) {
  int rc;
  long k = 0;
  while (k < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    read_row(st);
    k++;
  }
  if (k < limit && rc != SQLITE_DONE) die("step");
  sqlite3_reset(st);
}

static void nightly(const char *as_of) {
  sqlite3_stmt *keys = prep(
    "WITH RECURSIVE k(v) AS (SELECT (SELECT \"rep_id\" FROM \"sales_snapshot\" WHERE \"rep_id\" IS NOT NULL ORDER BY \"rep_id\" LIMIT 1)"
    " UNION ALL SELECT (SELECT \"rep_id\" FROM \"sales_snapshot\" WHERE \"rep_id\" > k.v ORDER BY \"rep_id\" LIMIT 1) FROM k WHERE k.v IS NOT NULL)"
    " SELECT v FROM k WHERE v IS NOT NULL");
  sqlite3_stmt *last = prep(
    "SELECT \"rep_id\", \"snapshot_date\", \"supervisor_id\", \"conversion_rate\", \"baseline_conversion\","
    " \"contract_amount\", \"negative_feedback\", rowid FROM \"sales_snapshot\""
    " WHERE \"rep_id\" = ?1 AND \"snapshot_date\" <= ?2 ORDER BY \"snapshot_date\" DESC, rowid DESC");
  sqlite3_bind_text(last, 2, as_of, -1, SQLITE_STATIC);
  int rc;
  while ((rc = sqlite3_step(keys)) == SQLITE_ROW) {
    sqlite3_bind_value(last, 1, sqlite3_column_value(keys, 0));
    drain(last, 3);
  }
  if (rc != SQLITE_DONE) die("keys");
  sqlite3_finalize(keys);
  sqlite3_finalize(last);
  sqlite3_stmt *inv = prep(
    "SELECT \"invoice_id\", \"due_date\", \"paid_date\", \"customer_id\", \"amount\", \"rep_id\", rowid"
    " FROM \"invoices\" ORDER BY \"invoice_id\" COLLATE BINARY, \"due_date\", rowid");
  drain(inv, -1UL >> 1);
  sqlite3_finalize(inv);
}

static void scan(void) {
  sqlite3_stmt *st = prep(
    "SELECT \"rep_id\", \"snapshot_date\", \"supervisor_id\", \"conversion_rate\", \"baseline_conversion\", rowid"
    " FROM \"sales_snapshot\" ORDER BY \"rep_id\" COLLATE BINARY, \"snapshot_date\", rowid");
  drain(st, -1UL >> 1);
  sqlite3_finalize(st);
}

int main(int argc, char **argv) {
  if (argc < 3 || (strcmp(argv[1], "nightly") == 0 && argc < 4) ||
      (strcmp(argv[1], "nightly") != 0 && strcmp(argv[1], "scan") != 0)) {
    fprintf(stderr, "usage: floor nightly DB AS_OF | floor scan DB\n");
    return 2;
  }
  if (sqlite3_open_v2(argv[2], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) die("open");
  if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) die("begin");
  if (strcmp(argv[1], "nightly") == 0) nightly(argv[3]);
  else scan();
  sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close(db);
  printf("floor %s: %lld rows, %lld values read (checksum %.6g)\n", argv[1], rows, values, sink);
  return 0;
}
