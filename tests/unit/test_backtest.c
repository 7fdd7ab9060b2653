/*
** test_backtest.c — vg_backtest, `vigil backtest --outcome` (lead time) and
** `vigil diff`.
**
**   (a) a backtest of the SaaS demo at every snapshot date gives exactly the
**       alerts of separate vg_run calls at those dates, in the same order
**       (and every day of a month, and every week);
**   (b) `vigil diff` on a threshold change reports as added, removed and
**       moved exactly the set differences of the two versions' backtests,
**       also for git:REV:PATH versions;
**   (c) lead time on a small hand-made database, checked against numbers
**       worked out by hand.
**
** The SaaS demo database is built once (examples/saas/schema.sql and
** demo.sql) in a temporary folder.  The commands run the binary in $VIGIL.
*/
#include <CUnit/CUnit.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "unit.h"
#include "vigil.h"
#include "testutil.h"
#include "../../core/mem.h"

static char dir[256];     /* the temporary folder */
static char demo_db[300]; /* dir/saas.db */
static char saas[600];    /* VIGIL_ROOT/examples/saas */

/* The binary's absolute path (some commands run in another folder). */
static int spit(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t n = strlen(text);
  int ok = fwrite(text, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* Runs a shell command; stdout into dir/out.txt, stderr into dir/err.txt.
** Returns the exit status (-1 when it did not run). */
static int sh(const char *cmd) {
  char full[4096];
  snprintf(full, sizeof full, "%s >'%s/out.txt' 2>'%s/err.txt'", cmd, dir, dir);
  int st = system(full);
  return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static char *out_txt(void) {
  char p[400];
  snprintf(p, sizeof p, "%s/out.txt", dir);
  return tu_slurp(p, NULL);
}

static char *err_txt(void) {
  char p[400];
  snprintf(p, sizeof p, "%s/err.txt", dir);
  return tu_slurp(p, NULL);
}

static int exec_file(sqlite3 *db, const char *path) {
  char *sql = tu_slurp(path, NULL);
  if (!sql) { fprintf(stderr, "cannot read %s\n", path); return -1; }
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", path, err ? err : "?");
  sqlite3_free(err);
  free(sql);
  return rc == SQLITE_OK ? 0 : -1;
}

/* A fresh database at path from SQL text. */
static int make_db(const char *path, const char *sql) {
  remove(path);
  sqlite3 *db = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK) { sqlite3_close(db); return -1; }
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) fprintf(stderr, "make_db: %s\n", err ? err : "?");
  sqlite3_free(err);
  sqlite3_close(db);
  return rc == SQLITE_OK ? 0 : -1;
}

/* ---- a growing list of lines ---------------------------------------------------------- */

typedef struct lines {
  char **v;
  size_t n, cap;
} lines;

static void lines_add(lines *l, const char *s) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 256;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n++] = strdup(s);
}

static void lines_free(lines *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void lines_sort(lines *l) {
  if (l->n) qsort(l->v, l->n, sizeof *l->v, cmp_str);
}

/* 1 when equal; otherwise prints the first difference (what) and returns 0. */
static int lines_equal(const lines *a, const lines *b, const char *what) {
  size_t n = a->n < b->n ? a->n : b->n;
  for (size_t i = 0; i < n; i++)
    if (strcmp(a->v[i], b->v[i]) != 0) {
      fprintf(stderr, "\n%s: line %zu differs:\n  %s\n  %s\n", what, i + 1, a->v[i], b->v[i]);
      return 0;
    }
  if (a->n != b->n) {
    fprintf(stderr, "\n%s: %zu lines against %zu\n", what, a->n, b->n);
    return 0;
  }
  return 1;
}

/* Every field of an alert, one line. */
static int on_alert_line(void *ud, const vg_alert *a) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s|%s|%s|%s|%s|%s|%s", a->pack, a->rule, a->tier, a->key, a->as_of,
           a->message ? a->message : "(null)", a->recipient ? a->recipient : "(null)");
  lines_add(ud, buf);
  return 0;
}

static void quiet_diag(void *ud, const vg_diag *d) {
  (void)ud;
  if (d->severity == VG_ERROR) fprintf(stderr, "%s:%d: %s\n", d->file ? d->file : "-", d->line, d->message);
}

static vg_program *compile(const char *path, const char *db) {
  vg_compile_opts co = {.db_path = db, .diag = quiet_diag};
  vg_program *p = NULL;
  if (vg_compile_path(path, &co, &p) != VG_OK) return NULL;
  return p;
}

static vg_status backtest(vg_program *p, const char *db, const char *from, const char *to, int every, int at_snapshots,
                          lines *out) {
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db_path = db;
  bo.from = from;
  bo.to = to;
  bo.every_days = every;
  bo.at_snapshots = at_snapshots;
  bo.diag = quiet_diag;
  bo.alert = on_alert_line;
  bo.out_ud = out;
  return vg_backtest((const vg_program *const *)&p, 1, &bo);
}

/* vg_run (a dry run) at each date, the alerts appended to out. */
static int runs(vg_program *p, const char *db, const lines *dates, lines *out) {
  for (size_t i = 0; i < dates->n; i++) {
    vg_run_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.db_path = db;
    ro.as_of = dates->v[i];
    ro.dry_run = 1;
    ro.diag = quiet_diag;
    ro.alert = on_alert_line;
    ro.out_ud = out;
    if (vg_run((const vg_program *const *)&p, 1, &ro) != VG_OK) return -1;
  }
  return 0;
}

/* ---- (a) backtest = separate runs ------------------------------------------------------- */

/* The distinct days of the time columns of the sources the SaaS rules are
** on (the features source only serves lookups), within [from, to]: date
** text read as the runtime reads it (YYYY-MM-DD, optionally with a time
** after 'T' or a space; impossible dates are not dates). */
static int snapshot_dates(const char *from, const char *to, lines *out) {
  static const char *const q =
    "SELECT snapshot_date FROM sales_snapshot UNION SELECT due_date FROM milestones"
    " UNION SELECT entered_date FROM activity_daily UNION SELECT updated_on FROM deals"
    " UNION SELECT revised_on FROM goal_revisions";
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open_v2(demo_db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  lines raw = {NULL, 0, 0};
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(st, 0);
    if (!t || strlen(t) < 10 || (t[10] && t[10] != 'T' && t[10] != ' ')) continue;
    char d[11];
    memcpy(d, t, 10);
    d[10] = 0;
    int day;
    if (!vg_parse_date(d, &day) || strcmp(d, from) < 0 || strcmp(d, to) > 0) continue;
    lines_add(&raw, d);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  lines_sort(&raw);
  for (size_t i = 0; i < raw.n; i++)
    if (i == 0 || strcmp(raw.v[i], raw.v[i - 1]) != 0) lines_add(out, raw.v[i]);
  lines_free(&raw);
  return 0;
}

/* The lines of in dated (field 5) on one of dates (sorted), into out. */
static void lines_on_dates(const lines *in, const lines *dates, lines *out) {
  for (size_t i = 0; i < in->n; i++) {
    const char *f = in->v[i];
    for (int k = 0; k < 4 && f; k++) f = strchr(f + 1, '|');
    if (!f || strlen(f) < 11) continue;
    char day[11];
    memcpy(day, f + 1, 10);
    day[10] = 0;
    for (size_t d = 0; d < dates->n; d++)
      if (strcmp(dates->v[d], day) == 0) { lines_add(out, in->v[i]); break; }
  }
}

/* The backtest at every snapshot date of the demo year; separate runs at a
** sample of them (every 5th, and the last 20: each run reads the members of
** the pack's rollups, a whole table, so a run per date would take minutes)
** give the backtest's alerts of those dates. */
static void test_snapshots_equal_runs(void) {
  vg_program *p = compile(saas, demo_db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines dates = {NULL, 0, 0}, sample = {NULL, 0, 0}, bt = {NULL, 0, 0}, bt_sample = {NULL, 0, 0}, sep = {NULL, 0, 0};
  CU_ASSERT_EQUAL_FATAL(snapshot_dates("2024-07-01", "2025-06-30", &dates), 0);
  CU_ASSERT(dates.n > 300); /* the demo year: entry days of the activity digest and more */
  for (size_t i = 0; i < dates.n; i++)
    if (i % 5 == 0 || i + 20 >= dates.n) lines_add(&sample, dates.v[i]);
  CU_ASSERT_EQUAL(backtest(p, demo_db, "2024-07-01", "2025-06-30", 0, 1, &bt), VG_OK);
  CU_ASSERT(bt.n > 1000);
  lines_on_dates(&bt, &sample, &bt_sample);
  CU_ASSERT_EQUAL(runs(p, demo_db, &sample, &sep), 0);
  CU_ASSERT(sep.n > 200);
  CU_ASSERT(lines_equal(&sep, &bt_sample, "at snapshots: separate runs vs backtest"));
  lines_free(&dates);
  lines_free(&sample);
  lines_free(&bt);
  lines_free(&bt_sample);
  lines_free(&sep);
  vg_free_program(p);
}

static void every_n(const char *from, const char *to, int step) {
  vg_program *p = compile(saas, demo_db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines dates = {NULL, 0, 0}, bt = {NULL, 0, 0}, sep = {NULL, 0, 0};
  int a, b;
  CU_ASSERT_FATAL(vg_parse_date(from, &a) && vg_parse_date(to, &b));
  for (int d = a; d <= b; d += step) {
    /* days since 1970-01-01 back to a date, through SQLite */
    char q[128], txt[16] = "";
    snprintf(q, sizeof q, "SELECT date(%d * 86400, 'unixepoch')", d);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    sqlite3_open(":memory:", &db);
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      snprintf(txt, sizeof txt, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    lines_add(&dates, txt);
  }
  CU_ASSERT_EQUAL(backtest(p, demo_db, from, to, step, 0, &bt), VG_OK);
  CU_ASSERT_EQUAL(runs(p, demo_db, &dates, &sep), 0);
  CU_ASSERT(bt.n > 0);
  CU_ASSERT(lines_equal(&sep, &bt, "every N days: separate runs vs backtest"));
  lines_free(&dates);
  lines_free(&bt);
  lines_free(&sep);
  vg_free_program(p);
}

static void test_every_day_of_a_month(void) { every_n("2025-06-01", "2025-06-30", 1); }
static void test_every_week(void) { every_n("2025-01-03", "2025-06-30", 7); }

/* Fuzz finding (fuzz/regressions/run/scan-lookback0-zone-order.rules): a
** zone in the time text moves a row's day, so the rows of a key can come
** out of day order in a scan ordered by the text ('2025-06-24T00:30+05:00'
** is June 23 but sorts after '2025-06-24').  The series must be in day order
** anyway: a run with seeks, a run without, and a backtest at every day all
** agree, and the current row on June 30 is the right one. */
extern size_t exec_spill_bytes;
static void test_zones_day_order(void) {
  char db[300], rules[300];
  snprintf(db, sizeof db, "%s/zones.db", dir);
  snprintf(rules, sizeof rules, "%s/zones.rules", dir);
  CU_ASSERT_EQUAL_FATAL(make_db(db,
      "CREATE TABLE zones (id INTEGER, day DATE, n REAL, label TEXT);"
      "CREATE INDEX zones_id_day ON zones(id, day);"
      "INSERT INTO zones VALUES (1, '2025-06-20', 1, 'a'), (1, '2025-06-24', 2, 'b'), (1, '2025-06-24T00:30+05:00', 3, 'c'),"
      " (2, '2025-06-10T23:30:00-05:00', 1, 'a'), (2, '2025-06-10T23:45', 2, 'b'),"
      " (3, '2025-06-01', 1, 'a'), (3, '2025-06-02T00:30+05:00', 2, 'b'), (3, '2025-06-02', 3, 'c'),"
      " (3, '2025-06-02T01:00+02:00', 4, 'd'), (3, '2025-06-03T00:10+01:00', 5, 'e'),"
      " (4, '2025-06-29T23:30:00-05:00', 1, 'a'), (4, '2025-06-30', 2, 'b'), (4, '2025-06-30T00:30+05:00', 3, 'c'),"
      " (4, '2025-06-30T23:30:00-05:00', 4, 'after as_of');"), 0);
  CU_ASSERT_EQUAL_FATAL(spit(rules, "source z { table zones key id time day }\n"
                                    "rule now on z { red when true message \"{label} {day}\" }\n"
                                    "rule back on z { orange when n > prev(n) message \"{label} after {prev(label)}\" }\n"), 0);
  vg_program *p = compile(rules, db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines dates = {NULL, 0, 0}, bt = {NULL, 0, 0}, sep = {NULL, 0, 0}, last = {NULL, 0, 0};
  char d[32];
  for (int day = 1; day <= 30; day++) {
    snprintf(d, sizeof d, "2025-06-%02d", day);
    lines_add(&dates, d);
  }
  CU_ASSERT_EQUAL(backtest(p, db, "2025-06-01", "2025-06-30", 1, 0, &bt), VG_OK);
  CU_ASSERT_EQUAL(runs(p, db, &dates, &sep), 0);
  CU_ASSERT(lines_equal(&sep, &bt, "zones: separate runs vs backtest"));
  /* fuzz_data finding: the scan redone in day order after some alerts of
  ** its first pass were set aside (a one-byte budget spills between every
  ** two keys) put back freed alerts and kept the first pass's spilled ones */
  {
    lines spilled = {NULL, 0, 0};
    size_t keep = exec_spill_bytes;
    exec_spill_bytes = 1;
    CU_ASSERT_EQUAL(backtest(p, db, "2025-06-01", "2025-06-30", 1, 0, &spilled), VG_OK);
    exec_spill_bytes = keep;
    CU_ASSERT(lines_equal(&bt, &spilled, "zones: in memory vs spilled"));
    lines_free(&spilled);
  }
  for (size_t i = 0; i < bt.n; i++)
    if (strstr(bt.v[i], "|2025-06-30|")) lines_add(&last, bt.v[i]);
  lines want = {NULL, 0, 0};
  /* in day order, one row a day (the larger rowid): 1 is a(20) c(23) b(24);
  ** 2 is b(10) a(11); 3 is d(1) e(2), of a b d on the 1st and c e on the
  ** 2nd; 4 is c(29) b(30), of a b on the 30th (a is 04:30 UTC then) */
  lines_add(&want, "zones|now|red|1|2025-06-30|b 2025-06-24|(null)");
  lines_add(&want, "zones|now|red|2|2025-06-30|a 2025-06-11|(null)");
  lines_add(&want, "zones|now|red|3|2025-06-30|e 2025-06-02|(null)");
  lines_add(&want, "zones|now|red|4|2025-06-30|b 2025-06-30|(null)");
  lines_add(&want, "zones|back|orange|3|2025-06-30|e after d|(null)");
  lines_sort(&last);
  lines_sort(&want);
  CU_ASSERT(lines_equal(&want, &last, "zones: the alerts on June 30"));
  lines_free(&dates);
  lines_free(&bt);
  lines_free(&sep);
  lines_free(&last);
  lines_free(&want);
  vg_free_program(p);
}

/* Alerts past the memory budget go to a temporary table and come back in
** the same order (exec.c: spill): with a budget of one byte every key's
** alerts are set aside, and a backtest, a dry run and a recorded run give
** exactly what they give in memory. */
static void test_spilled_alerts(void) {
  vg_program *p = compile(saas, demo_db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines mem = {NULL, 0, 0}, spilled = {NULL, 0, 0};
  CU_ASSERT_EQUAL(backtest(p, demo_db, "2025-05-01", "2025-06-30", 3, 0, &mem), VG_OK);
  size_t keep = exec_spill_bytes;
  exec_spill_bytes = 1;
  CU_ASSERT_EQUAL(backtest(p, demo_db, "2025-05-01", "2025-06-30", 3, 0, &spilled), VG_OK);
  exec_spill_bytes = keep;
  CU_ASSERT(mem.n > 500);
  CU_ASSERT(lines_equal(&mem, &spilled, "backtest: in memory vs spilled"));
  lines_free(&mem);
  lines_free(&spilled);
  /* recorded runs, with their life, statuses, evidence and routes */
  char a[400], b[400];
  snprintf(a, sizeof a, "%s/spill-a.db", dir);
  snprintf(b, sizeof b, "%s/spill-b.db", dir);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s' '%s'", demo_db, a, demo_db, b);
  CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
  const char *days[] = {"2025-06-13", "2025-06-20", "2025-06-30"};
  for (int k = 0; k < 2; k++) {
    if (k == 1) exec_spill_bytes = 1;
    for (int i = 0; i < 3; i++) {
      vg_run_opts ro;
      memset(&ro, 0, sizeof ro);
      ro.db_path = k ? b : a;
      ro.as_of = days[i];
      ro.diag = quiet_diag;
      CU_ASSERT_EQUAL(vg_run((const vg_program *const *)&p, 1, &ro), VG_OK);
    }
    exec_spill_bytes = keep;
  }
  const char *q = "SELECT r.as_of, a.rule, a.tier, a.tier_rank, a.key, a.message, a.recipient, a.status, a.first_seen,"
                  " a.runs, a.evidence, a.route FROM vigil_alerts a JOIN vigil_runs r USING (run_id) ORDER BY a.rowid";
  lines ra = {NULL, 0, 0}, rb = {NULL, 0, 0};
  const char *paths[2] = {a, b};
  lines *outs[2] = {&ra, &rb};
  for (int k = 0; k < 2; k++) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(paths[k], &db), SQLITE_OK);
    CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      char row[8192];
      size_t n = 0;
      for (int c = 0; c < sqlite3_column_count(st) && n < sizeof row - 100; c++) {
        const unsigned char *t = sqlite3_column_text(st, c);
        n += (size_t)snprintf(row + n, sizeof row - n, "%s|", t ? (const char *)t : "NULL");
      }
      lines_add(outs[k], row);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  CU_ASSERT(ra.n > 100);
  CU_ASSERT(lines_equal(&ra, &rb, "recorded runs: in memory vs spilled"));
  lines_free(&ra);
  lines_free(&rb);
  vg_free_program(p);
}

/* `backtest --record` writes exactly the alerts the backtest gives: the
** alert iterator also gives the LIFE_RESOLVED entries of alerts that close
** (not alerts), and these were written too, with a NULL message (on the
** SaaS demo year: 2,150 rows for 2,025 alerts). */
static int on_alert_record(void *ud, const vg_alert *a) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s|%s|%s|%s|%s|%s|%s|", a->pack, a->rule, a->tier, a->key, a->as_of,
           a->message ? a->message : "NULL", a->recipient ? a->recipient : "NULL");
  lines_add(ud, buf);
  return 0;
}
static void test_record_is_the_alerts(void) {
  char db[400], cmd[1024];
  snprintf(db, sizeof db, "%s/record.db", dir);
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", demo_db, db);
  CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
  vg_program *p = compile(saas, db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  lines given = {NULL, 0, 0}, rows = {NULL, 0, 0};
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db_path = db;
  bo.from = "2024-07-01";
  bo.to = "2025-06-30";
  bo.record = 1;
  bo.diag = quiet_diag;
  bo.alert = on_alert_record;
  bo.out_ud = &given;
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &bo), VG_OK);
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
  CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(h, "SELECT pack, rule, tier, key, as_of, message, recipient FROM vigil_backtest",
                                           -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    char row[8192];
    size_t n = 0;
    for (int c = 0; c < 7 && n < sizeof row - 100; c++) {
      const unsigned char *t = sqlite3_column_text(st, c);
      n += (size_t)snprintf(row + n, sizeof row - n, "%s|", t ? (const char *)t : "NULL");
    }
    lines_add(&rows, row);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  CU_ASSERT(given.n > 1000); /* the demo year: 2,025 alerts, some of which close */
  CU_ASSERT_EQUAL(rows.n, given.n);
  lines_sort(&given);
  lines_sort(&rows);
  CU_ASSERT(lines_equal(&given, &rows, "backtest --record: alerts given vs rows of vigil_backtest"));
  lines_free(&given);
  lines_free(&rows);
  vg_free_program(p);
}

/* --strict gives one verdict whatever the read path (issue 16): the bad
** data of a source is that of the rows it owns, so a nightly run (here with
** a prefilter: one row per key, no lookback), a run reading whole tables
** (no_seek, `--scan`) and a backtest of that one date find the same.  A NULL
** time in a row the prefilter drops passed `run --strict` and failed it with
** --scan; a `where d is not null` did not silence it, since rows the where
** rejects were counted. */
static void on_warning(void *ud, const vg_diag *d) {
  if (d->severity != VG_WARNING) return;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s %s", d->code ? d->code : "-", d->message);
  lines_add(ud, buf);
}
static vg_status strict_run(vg_program *p, const char *db, int no_seek, lines *warn) {
  vg_run_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.db_path = db;
  ro.as_of = "2025-06-30";
  ro.dry_run = 1;
  ro.strict = 1;
  ro.no_seek = no_seek;
  ro.diag = on_warning;
  ro.ud = warn;
  vg_status st = vg_run((const vg_program *const *)&p, 1, &ro);
  lines_sort(warn);
  return st;
}
/* A backtest of strict_run's date: its warnings (sorted) and alert lines. */
static vg_status strict_backtest(vg_program *p, const char *db, lines *warn, lines *alerts) {
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db_path = db;
  bo.from = bo.to = "2025-06-30";
  bo.diag = on_warning;
  bo.ud = warn;
  bo.alert = on_alert_line;
  bo.out_ud = alerts;
  vg_status st = vg_backtest((const vg_program *const *)&p, 1, &bo);
  lines_sort(warn);
  return st;
}

static void test_strict_every_path(void) {
  char db[400], rules[400];
  snprintf(db, sizeof db, "%s/strict.db", dir);
  CU_ASSERT_EQUAL_FATAL(make_db(db, "CREATE TABLE inv (id INTEGER PRIMARY KEY, d DATE, amt REAL, flag INTEGER);"
                                    "INSERT INTO inv VALUES (1, '2025-06-01', 500, 1), (2, '2025-06-02', 5, 1),"
                                    " (3, NULL, 5, 1), (4, '2025-06-03', 'n/a', 1), (5, '2025-06-04', 'x', 0),"
                                    " (6, 'soon', 7, 0);"), 0);
  static const char *const packs[][2] = {
    /* the NULL time (key 3) and the text amount (key 4) are the source's */
    {"source inv { table inv key id time d }", "W-bad-time:1 W-not-number:2 W-null-time:1"},
    /* the where rejects the NULL time (key 3); it could not read key 6's time
    ** ('soon'), so that one is reported; the text amounts are the source's */
    {"source inv { table inv key id time d where d is not null }", "W-bad-time:1 W-not-number:2"},
    /* the where rejects keys 5 and 6, with their bad data in columns it does not read */
    {"source inv { table inv key id time d where flag = 1 }", "W-not-number:1 W-null-time:1"},
    {"source inv { table inv key id time d where flag = 1 and d is not null }", "W-bad-time:1 W-not-number:1"},
  };
  snprintf(rules, sizeof rules, "%s/strict.rules", dir);
  for (size_t k = 0; k < sizeof packs / sizeof *packs; k++) {
    char text[600];
    snprintf(text, sizeof text, "pack p\n%s\nrule big on inv { red when amt > 100 }\n", packs[k][0]);
    CU_ASSERT_EQUAL_FATAL(spit(rules, text), 0);
    vg_program *p = compile(rules, db);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    lines seek = {NULL, 0, 0}, scan = {NULL, 0, 0}, bt = {NULL, 0, 0}, alerts = {NULL, 0, 0};
    vg_status a = strict_run(p, db, 0, &seek), b = strict_run(p, db, 1, &scan);
    CU_ASSERT_EQUAL(strict_backtest(p, db, &bt, &alerts), VG_OK);
    CU_ASSERT_EQUAL(alerts.n, 1); /* key 1 */
    /* the kinds and counts expected, in the order of the sorted lines */
    char got[256] = "";
    for (size_t i = 0; i < seek.n; i++) {
      char code[64];
      const char *col = strstr(seek.v[i], ", column ");
      const char *n = col ? strstr(col, ": ") : NULL;
      sscanf(seek.v[i], "%63s", code);
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s:%d", i ? " " : "", code, n ? atoi(n + 2) : -1);
    }
    if (strcmp(got, packs[k][1]) != 0) fprintf(stderr, "\n%s: warned %s, expected %s\n", packs[k][0], got, packs[k][1]);
    CU_ASSERT_STRING_EQUAL(got, packs[k][1]);
    CU_ASSERT_EQUAL(a, VG_EINPUT); /* --strict: every pack here has bad data */
    CU_ASSERT_EQUAL(b, a);
    CU_ASSERT(lines_equal(&seek, &scan, "--strict warnings: nightly run vs --scan"));
    CU_ASSERT(lines_equal(&seek, &bt, "--strict warnings: nightly run vs backtest of the date"));
    lines_free(&seek);
    lines_free(&scan);
    lines_free(&bt);
    lines_free(&alerts);
    vg_free_program(p);
  }
}

/* The same for what a rule's conditions count as they are evaluated (found
** in issue 15's review): the prefilter dropped rows on which a condition
** would have counted a type warning (a column of no declared type), the bad
** data of the rows a lookup reads, or a recipient missing from the org, so
** the nightly run warned less than --scan and a backtest, and --strict
** passed on one path and failed on the others.  Such a condition now keeps
** the source from being prefiltered; a message's (evaluated on rows that
** fire) does not. */
static void test_strict_counts_every_path(void) {
  char db[400], rules[400];
  snprintf(db, sizeof db, "%s/strict2.db", dir);
  CU_ASSERT_EQUAL_FATAL(make_db(db, "CREATE TABLE inv (id INTEGER PRIMARY KEY, d DATE, amt REAL, note, cust INTEGER);"
                                    "INSERT INTO inv VALUES (1, '2025-06-01', 500, 2, 7), (2, '2025-06-02', 5, 'text', 8),"
                                    " (3, '2025-06-03', 5, 'more', 9);"
                                    "CREATE TABLE cust (cid INTEGER, since DATE, lim REAL);"
                                    "INSERT INTO cust VALUES (7, '2025-01-01', 10), (8, '2025-01-01', 'n/a'), (9, '2025-01-01', 'x');"
                                    "CREATE TABLE org (p INTEGER, m INTEGER); INSERT INTO org VALUES (7, NULL);"), 0);
  static const char *const packs[] = {
    /* note has no declared type: 'text' > 1 is a type warning on keys 2 and 3 */
    "rule big on inv { red when amt > 100 and note > 1 }",
    /* the lookup reads cust 8 and 9, whose lim is text: bad data (read by a lookup) */
    "rule big on inv { red when amt > 100 and c[cust].lim > 0 }",
    /* customers 8 and 9 are not in the org */
    "rule big on inv { red when amt > 100 and manager(cust, 0) = \"7\" }",
  };
  snprintf(rules, sizeof rules, "%s/strict2.rules", dir);
  for (size_t k = 0; k < sizeof packs / sizeof *packs; k++) {
    char text[800];
    snprintf(text, sizeof text, "pack p\norg { table org person p manager m }\n"
             "source inv { table inv key id time d }\nsource c { table cust key cid time since }\n%s\n", packs[k]);
    CU_ASSERT_EQUAL_FATAL(spit(rules, text), 0);
    vg_program *p = compile(rules, db);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    lines seek = {NULL, 0, 0}, scan = {NULL, 0, 0}, bt = {NULL, 0, 0}, alerts = {NULL, 0, 0};
    vg_status a = strict_run(p, db, 0, &seek), b = strict_run(p, db, 1, &scan);
    CU_ASSERT_EQUAL(strict_backtest(p, db, &bt, &alerts), VG_OK);
    if (scan.n == 0) fprintf(stderr, "\n%s: no warning with --scan\n", packs[k]);
    CU_ASSERT(scan.n > 0); /* each pack counts something on the rows that do not fire */
    if (!lines_equal(&seek, &scan, "warnings: nightly run vs --scan")) fprintf(stderr, "  in: %s\n", packs[k]);
    CU_ASSERT(lines_equal(&seek, &scan, "warnings: nightly run vs --scan"));
    CU_ASSERT(lines_equal(&seek, &bt, "warnings: nightly run vs backtest of the date"));
    CU_ASSERT_EQUAL(a, b);
    lines_free(&seek);
    lines_free(&scan);
    lines_free(&bt);
    lines_free(&alerts);
    vg_free_program(p);
  }
}

/* ---- (b) vigil diff ------------------------------------------------------------------------- */

/* Copies the SaaS pack to dir/NAME/saas and replaces each "param X = V" line
** given (old line, new line, ...). */
static int copy_pack(const char *name, const char *const *edits, int nedits, char *path, size_t cap) {
  char cmd[2048];
  snprintf(path, cap, "%s/%s/saas", dir, name);
  snprintf(cmd, sizeof cmd, "rm -rf '%s/%s' && mkdir -p '%s/%s' && cp -R '%s' '%s/%s/'", dir, name, dir, name, saas, dir, name);
  if (system(cmd) != 0) return -1;
  char file[1024];
  snprintf(file, sizeof file, "%s/00-saas.rules", path);
  char *text = tu_slurp(file, NULL);
  if (!text) return -1;
  for (int i = 0; i < nedits; i++) {
    char *at = strstr(text, edits[2 * i]);
    if (!at) { fprintf(stderr, "copy_pack: no '%s'\n", edits[2 * i]); free(text); return -1; }
    size_t ol = strlen(edits[2 * i]), nl = strlen(edits[2 * i + 1]), tl = strlen(text);
    char *nt = malloc(tl - ol + nl + 1);
    size_t pre = (size_t)(at - text);
    memcpy(nt, text, pre);
    memcpy(nt + pre, edits[2 * i + 1], nl);
    memcpy(nt + pre + nl, at + ol, tl - pre - ol + 1);
    free(text);
    text = nt;
  }
  int rc = spit(file, text);
  free(text);
  return rc;
}

/* The changes between two backtests' alert lines (pack|rule|tier|key|as_of|...),
** as "CHANGE|rule|key|as_of|old_tier|new_tier", sorted. */
static void expected_changes(const lines *old, const lines *new_, lines *out) {
  lines a = {NULL, 0, 0}, b = {NULL, 0, 0};
  const lines *src[2] = {old, new_};
  lines *dst[2] = {&a, &b};
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < src[k]->n; i++) {
      char rule[256], tier[64], key[256], as_of[16];
      if (sscanf(src[k]->v[i], "%*[^|]|%255[^|]|%63[^|]|%255[^|]|%15[^|]", rule, tier, key, as_of) != 4) continue;
      char buf[700];
      snprintf(buf, sizeof buf, "%s|%s|%s|%s", rule, key, as_of, tier);
      lines_add(dst[k], buf);
    }
  lines_sort(&a);
  lines_sort(&b);
  /* merge on rule|key|as_of (the part before the last '|') */
  size_t i = 0, j = 0;
  while (i < a.n || j < b.n) {
    int c;
    if (i == a.n) c = 1;
    else if (j == b.n) c = -1;
    else {
      size_t la = (size_t)(strrchr(a.v[i], '|') - a.v[i]), lb = (size_t)(strrchr(b.v[j], '|') - b.v[j]);
      char ka[700], kb[700];
      snprintf(ka, sizeof ka, "%.*s", (int)la, a.v[i]);
      snprintf(kb, sizeof kb, "%.*s", (int)lb, b.v[j]);
      c = strcmp(ka, kb);
    }
    char buf[800];
    if (c < 0) {
      const char *t = strrchr(a.v[i], '|') + 1;
      snprintf(buf, sizeof buf, "removed|%.*s|%s|null", (int)(t - 1 - a.v[i]), a.v[i], t);
      lines_add(out, buf);
      i++;
    } else if (c > 0) {
      const char *t = strrchr(b.v[j], '|') + 1;
      snprintf(buf, sizeof buf, "added|%.*s|null|%s", (int)(t - 1 - b.v[j]), b.v[j], t);
      lines_add(out, buf);
      j++;
    } else {
      const char *ta = strrchr(a.v[i], '|') + 1, *tb = strrchr(b.v[j], '|') + 1;
      if (strcmp(ta, tb) != 0) {
        snprintf(buf, sizeof buf, "moved|%.*s|%s|%s", (int)(ta - 1 - a.v[i]), a.v[i], ta, tb);
        lines_add(out, buf);
      }
      i++;
      j++;
    }
  }
  lines_sort(out);
  lines_free(&a);
  lines_free(&b);
}

/* The value of "name": a string (copied without quotes) or null, in a JSON line. */
static void json_field(const char *line, const char *name, char *out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", name);
  const char *p = strstr(line, pat);
  out[0] = 0;
  if (!p) return;
  p += strlen(pat);
  if (*p == '"') {
    p++;
    size_t n = strcspn(p, "\"");
    snprintf(out, cap, "%.*s", (int)n, p);
  } else {
    size_t n = strcspn(p, ",}");
    snprintf(out, cap, "%.*s", (int)n, p);
  }
}

/* The alert lines of `vigil diff --details --format jsonl` output, as
** expected_changes writes them, sorted; the summary lines' counts summed. */
static void diff_changes(const char *out, lines *ch, long sums[4]) {
  const char *p = out;
  memset(sums, 0, 4 * sizeof *sums);
  while (p && *p) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char line[2048];
    snprintf(line, sizeof line, "%.*s", (int)n, p);
    char type[32], change[32], rule[256], key[256], as_of[32], ot[64], nt[64];
    json_field(line, "type", type, sizeof type);
    if (strcmp(type, "alert") == 0) {
      json_field(line, "change", change, sizeof change);
      json_field(line, "rule", rule, sizeof rule);
      json_field(line, "key", key, sizeof key);
      json_field(line, "as_of", as_of, sizeof as_of);
      json_field(line, "old_tier", ot, sizeof ot);
      json_field(line, "new_tier", nt, sizeof nt);
      char buf[1024];
      snprintf(buf, sizeof buf, "%s|%s|%s|%s|%s|%s", change, rule, key, as_of, ot, nt);
      lines_add(ch, buf);
    } else if (strcmp(type, "summary") == 0) {
      static const char *const f[4] = {"added", "removed", "moved_in", "moved_out"};
      for (int k = 0; k < 4; k++) {
        char v[32];
        json_field(line, f[k], v, sizeof v);
        sums[k] += atol(v);
      }
    }
    p = e ? e + 1 : NULL;
  }
  lines_sort(ch);
}

static long count_kind(const lines *l, const char *kind) {
  long n = 0;
  size_t kl = strlen(kind);
  for (size_t i = 0; i < l->n; i++) n += strncmp(l->v[i], kind, kl) == 0 && l->v[i][kl] == '|';
  return n;
}

static const char *const edits[] = {
  "param slump = 20%", "param slump = 35%",                 /* removes conversion_slump alerts */
  "param grace = 5 days", "param grace = 3 days",           /* adds milestone_late alerts */
  "param missing_orange = 4 weeks", "param missing_orange = 3 weeks", /* moves yellow to orange */
};

static void test_diff_threshold(void) {
  char newp[600];
  CU_ASSERT_EQUAL_FATAL(copy_pack("new", edits, 3, newp, sizeof newp), 0);
  vg_program *po = compile(saas, demo_db), *pn = compile(newp, demo_db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(po);
  CU_ASSERT_PTR_NOT_NULL_FATAL(pn);
  lines bo = {NULL, 0, 0}, bn = {NULL, 0, 0}, want = {NULL, 0, 0}, got = {NULL, 0, 0};
  CU_ASSERT_EQUAL(backtest(po, demo_db, "2025-01-01", "2025-06-30", 0, 0, &bo), VG_OK);
  CU_ASSERT_EQUAL(backtest(pn, demo_db, "2025-01-01", "2025-06-30", 0, 0, &bn), VG_OK);
  expected_changes(&bo, &bn, &want);
  CU_ASSERT(count_kind(&want, "added") > 0);
  CU_ASSERT(count_kind(&want, "removed") > 0);
  CU_ASSERT(count_kind(&want, "moved") > 0);

  char cmd[3000];
  snprintf(cmd, sizeof cmd, "'%s' diff '%s' '%s' --db '%s' --from 2025-01-01 --to 2025-06-30 --details --format jsonl",
           tu_vigil(), saas, newp, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  char *out = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  long sums[4];
  diff_changes(out, &got, sums);
  CU_ASSERT(lines_equal(&want, &got, "vigil diff vs the set difference of the backtests"));
  CU_ASSERT_EQUAL(sums[0], count_kind(&want, "added"));
  CU_ASSERT_EQUAL(sums[1], count_kind(&want, "removed"));
  CU_ASSERT_EQUAL(sums[2], count_kind(&want, "moved"));
  CU_ASSERT_EQUAL(sums[3], count_kind(&want, "moved"));
  free(out);

  /* the same in text and Markdown: the counts appear, details are collapsible */
  snprintf(cmd, sizeof cmd, "'%s' diff '%s' '%s' --db '%s' --from 2025-01-01 --to 2025-06-30", tu_vigil(), saas, newp, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  out = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  char total[200];
  snprintf(total, sizeof total, "%ld added, %ld removed, %ld moved to another tier", count_kind(&want, "added"),
           count_kind(&want, "removed"), count_kind(&want, "moved"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, total));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "conversion_slump: 0 added"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "unchanged: revenue_at_risk, activity_backfill, committed_feature_slip, goal_revision_audit"));
  free(out);
  snprintf(cmd, sizeof cmd, "'%s' diff '%s' '%s' --db '%s' --from 2025-01-01 --to 2025-06-30 --format markdown --details",
           tu_vigil(), saas, newp, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  out = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "| rule | tier | before | after | added | removed | moved in | moved out |"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "| `conversion_slump` | orange |"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "<details>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "</details>"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "| `snapshot_missing` | 9 | moved | yellow \xe2\x86\x92 orange |"));
  free(out);

  /* the same version twice: nothing changes */
  snprintf(cmd, sizeof cmd, "'%s' diff '%s' '%s' --db '%s' --from 2025-06-01 --to 2025-06-30 --format markdown", tu_vigil(),
           saas, saas, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  out = out_txt();
  CU_ASSERT_PTR_NOT_NULL(out && strstr(out, "**No alert changes.**"));
  free(out);

  /* command-line errors */
  snprintf(cmd, sizeof cmd, "'%s' diff '%s' --db '%s' --from 2025-06-01 --to 2025-06-30", tu_vigil(), saas, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 2);
  snprintf(cmd, sizeof cmd, "'%s' diff '%s' '%s' --db '%s' --from 2025-06-01", tu_vigil(), saas, saas, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 2);
  snprintf(cmd, sizeof cmd, "'%s' diff git:HEAD '%s' --db '%s' --from 2025-06-01 --to 2025-06-30", tu_vigil(), saas, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 2);

  lines_free(&bo);
  lines_free(&bn);
  lines_free(&want);
  lines_free(&got);
  vg_free_program(po);
  vg_free_program(pn);
}

/* git:REV:PATH: a repository with the pack committed, then changed in the
** work tree; `vigil diff git:HEAD:saas saas` (from the repository and from a
** subfolder) equals the diff of the two folders. */
static void test_diff_git(void) {
  if (system("git --version >/dev/null 2>&1") != 0) {
    fprintf(stderr, "\n(git is not installed: git:REV:PATH is not tested)\n");
    return;
  }
  char repo[400], cmd[3000], newp[600];
  snprintf(repo, sizeof repo, "%s/repo", dir);
  CU_ASSERT_EQUAL_FATAL(copy_pack("repo", NULL, 0, newp, sizeof newp), 0);
  snprintf(cmd, sizeof cmd,
           "cd '%s' && git init -q . && mkdir sub && git add saas && "
           "git -c user.name=t -c user.email=t@example.com commit -q -m pack",
           repo);
  CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
  char oldcopy[600];
  CU_ASSERT_EQUAL_FATAL(copy_pack("old", NULL, 0, oldcopy, sizeof oldcopy), 0);
  /* change the work tree's pack */
  char file[700];
  snprintf(file, sizeof file, "%s/00-saas.rules", newp);
  char *text = tu_slurp(file, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  char *at = strstr(text, "param slump = 20%");
  CU_ASSERT_PTR_NOT_NULL_FATAL(at);
  memcpy(at, "param slump = 35%", 17);
  CU_ASSERT_EQUAL(spit(file, text), 0);
  free(text);

  snprintf(cmd, sizeof cmd, "'%s' diff '%s' '%s' --db '%s' --from 2025-06-01 --to 2025-06-30 --details --format jsonl",
           tu_vigil(), oldcopy, newp, demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  char *want = out_txt();
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' diff git:HEAD:saas saas --db '%s' --from 2025-06-01 --to 2025-06-30 --details --format jsonl",
           repo, tu_vigil(), demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  char *got = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(want);
  CU_ASSERT_PTR_NOT_NULL_FATAL(got);
  CU_ASSERT(strstr(want, "\"change\":\"removed\"") != NULL);
  CU_ASSERT_STRING_EQUAL(got, want);
  free(got);
  /* from a subfolder, with a path relative to it */
  snprintf(cmd, sizeof cmd, "cd '%s/sub' && '%s' diff git:HEAD:../saas/ ../saas --db '%s' --from 2025-06-01 --to 2025-06-30 --details --format jsonl",
           repo, tu_vigil(), demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  got = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(got);
  CU_ASSERT_STRING_EQUAL(got, want);
  free(got);
  free(want);
  /* a path that is not in the revision */
  snprintf(cmd, sizeof cmd, "cd '%s' && '%s' diff git:HEAD:nope saas --db '%s' --from 2025-06-01 --to 2025-06-30", repo,
           tu_vigil(), demo_db);
  CU_ASSERT_EQUAL(sh(cmd), 1);
  char *err = err_txt();
  CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "no such path at revision HEAD"));
  free(err);
}

/* ---- (c) lead time ----------------------------------------------------------------------- */

/* Reps 1..6 over January 2025, evaluated every day (a row stays current
** until the next one).  low: yellow when x < 10, orange when x < 5.
**   rep 1: x 8 from 01-05 (yellow), 4 from 01-10 (orange)     outcome 01-31
**   rep 2: x 20, 9 on 01-20 (yellow to 01-24), 20 from 01-25    outcome 01-31
**   rep 3: x 3 from 01-02 (orange), 50 from 01-16               outcomes 01-15 and 01-31
**   rep 4: x 50, 2 from 01-25 (orange)                          outcome 01-20: alerted only after
**   rep 5: x 50                                                 outcome 01-31: never alerted
**   rep 6: x 7 from 01-10 (yellow)                              no outcome: a false alarm
** By hand, any tier: outcomes 6; flagged (1: 31-5 = 26), (2: 31-20 = 11),
** (3 @01-15: 15-2 = 13); (3 @01-31) has no alert after 01-15; median 13,
** mean 50/3; alerted keys 1 2 3 4 6, of which 1 2 3 hit, 6 a false alarm,
** 4 late: precision 3/5, recall 3/6.
** yellow: (1: 26), (2: 11); alerted 1 2 6: precision 2/3, recall 2/6.
** orange: (1: 31-10 = 21), (3 @01-15: 13); alerted 1 3 4 (4 late).
** never: alerts nothing. */
static const char *const lt_sql =
  "CREATE TABLE snap(rep INTEGER NOT NULL, d DATE NOT NULL, x REAL);"
  "INSERT INTO snap VALUES (1,'2025-01-01',50),(1,'2025-01-05',8),(1,'2025-01-10',4),"
  " (2,'2025-01-01',20),(2,'2025-01-20',9),(2,'2025-01-25',20),"
  " (3,'2025-01-02',3),(3,'2025-01-16',50),"
  " (4,'2025-01-01',50),(4,'2025-01-25',2),"
  " (5,'2025-01-01',50),"
  " (6,'2025-01-10',7);"
  "CREATE TABLE missed(rep INTEGER, quarter_end DATE);"
  "INSERT INTO missed VALUES (1,'2025-01-31'),(2,'2025-01-31'),(3,'2025-01-15'),(3,'2025-01-31'),"
  " (4,'2025-01-20'),(5,'2025-01-31'),(1,'2025-01-31'),(NULL,'2025-01-31');";

static const char *const lt_rules =
  "pack lt\n"
  "source s { table snap  key rep  time d }\n"
  "rule low on s {\n  yellow when x < 10\n  orange when x < 5\n}\n"
  "rule never on s { red when x < 0 }\n";

static const char *const lt_want =
  "{\"pack\":\"lt\",\"rule\":\"low\",\"tier\":null,\"outcomes\":6,\"flagged\":3,\"missed\":3,\"median_lead_days\":13,"
  "\"mean_lead_days\":16.6666666666667,\"alerted_keys\":5,\"false_alarms\":1,\"late_keys\":1,\"precision\":0.6,\"recall\":0.5}\n"
  "{\"pack\":\"lt\",\"rule\":\"low\",\"tier\":\"yellow\",\"outcomes\":6,\"flagged\":2,\"missed\":4,\"median_lead_days\":18.5,"
  "\"mean_lead_days\":18.5,\"alerted_keys\":3,\"false_alarms\":1,\"late_keys\":0,\"precision\":0.666666666666667,"
  "\"recall\":0.333333333333333}\n"
  "{\"pack\":\"lt\",\"rule\":\"low\",\"tier\":\"orange\",\"outcomes\":6,\"flagged\":2,\"missed\":4,\"median_lead_days\":17,"
  "\"mean_lead_days\":17,\"alerted_keys\":3,\"false_alarms\":0,\"late_keys\":1,\"precision\":0.666666666666667,"
  "\"recall\":0.333333333333333}\n"
  "{\"pack\":\"lt\",\"rule\":\"never\",\"tier\":null,\"outcomes\":6,\"flagged\":0,\"missed\":6,\"median_lead_days\":null,"
  "\"mean_lead_days\":null,\"alerted_keys\":0,\"false_alarms\":0,\"late_keys\":0,\"precision\":null,\"recall\":0}\n";

static void test_lead_time(void) {
  char db[400], rules[400], cmd[3000];
  snprintf(db, sizeof db, "%s/lt.db", dir);
  snprintf(rules, sizeof rules, "%s/lt.rules", dir);
  CU_ASSERT_EQUAL_FATAL(make_db(db, lt_sql), 0);
  CU_ASSERT_EQUAL_FATAL(spit(rules, lt_rules), 0);
  const char *base = "--from 2025-01-01 --to 2025-01-31 --every 1day";

  /* the table, as --outcome-table and as a query */
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' %s --outcome-table missed --format jsonl '%s'", tu_vigil(), db, base, rules);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  char *out = out_txt(), *err = err_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  CU_ASSERT_STRING_EQUAL(out, lt_want);
  CU_ASSERT_PTR_NOT_NULL(err && strstr(err, "1 row(s) with a NULL key, skipped"));
  free(out);
  free(err);
  snprintf(cmd, sizeof cmd,
           "'%s' backtest --db '%s' %s --outcome \"SELECT rep, quarter_end || 'T18:00:00' FROM missed WHERE rep IS NOT NULL\""
           " --report lead-time --format jsonl '%s'",
           tu_vigil(), db, base, rules);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  out = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  CU_ASSERT_STRING_EQUAL(out, lt_want);
  free(out);

  /* one column: every outcome on --to (01-31).  Keys 1 2 3 4 5: flagged
  ** 1 (26), 2 (11), 3 (29), 4 (31-25 = 6); median 18.5, mean 18 */
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' %s --outcome 'SELECT DISTINCT rep FROM missed' --format csv '%s'",
           tu_vigil(), db, base, rules);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  out = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "pack,rule,tier,outcomes,flagged,missed,median_lead_days,mean_lead_days,alerted_keys,"
                                     "false_alarms,late_keys,precision,recall\n"
                                     "lt,low,,5,4,1,18.5,18,5,1,0,0.8,0.8\n"));
  free(out);

  /* text */
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' %s --outcome-table missed '%s'", tu_vigil(), db, base, rules);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  out = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "6 outcomes on 5 keys"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "lt/low          3/6     50%      13 days  16.7 days"));
  free(out);

  /* the alert JSONL is unchanged by the lead-time work */
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' --from 2025-01-05 --to 2025-01-05 --format jsonl '%s'", tu_vigil(), db, rules);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  out = out_txt();
  CU_ASSERT_PTR_NOT_NULL(out && strcmp(out,
    "{\"pack\":\"lt\",\"rule\":\"low\",\"tier\":\"yellow\",\"key\":\"1\",\"as_of\":\"2025-01-05\",\"message\":null,\"recipient\":null}\n"
    "{\"pack\":\"lt\",\"rule\":\"low\",\"tier\":\"orange\",\"key\":\"3\",\"as_of\":\"2025-01-05\",\"message\":null,\"recipient\":null}\n") == 0);
  free(out);

  /* errors: a bad query (exit 1), a report without an outcome, both outcome options (exit 2) */
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' %s --outcome 'SELECT nope FROM missed' '%s'", tu_vigil(), db, base, rules);
  CU_ASSERT_EQUAL(sh(cmd), 1);
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' %s --outcome 'DELETE FROM missed' '%s'", tu_vigil(), db, base, rules);
  CU_ASSERT_EQUAL(sh(cmd), 1);
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' %s --report lead-time '%s'", tu_vigil(), db, base, rules);
  CU_ASSERT_EQUAL(sh(cmd), 2);
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' %s --outcome-table missed --outcome 'SELECT 1' '%s'", tu_vigil(), db, base,
           rules);
  CU_ASSERT_EQUAL(sh(cmd), 2);
  /* the outcome table was not touched */
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  int rows = -1;
  if (sqlite3_open(db, &h) == SQLITE_OK && sqlite3_prepare_v2(h, "SELECT count(*) FROM missed", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    rows = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  CU_ASSERT_EQUAL(rows, 8);
}

/* ---- registration --------------------------------------------------------------------------- */

/* ---- the sweep: a backtest's table read in its own order (runtime/sweep.c) -------- */

extern size_t exec_sweep_bytes;
extern long exec_sweeps_done, exec_sweeps_given_up;
extern int exec_find_dates;

/* Every field of an alert, and every diagnostic, one line each. */
static int on_alert_full(void *ud, const vg_alert *a) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%d", a->rule, a->tier, a->key, a->as_of,
           a->message ? a->message : "(null)", a->recipient ? a->recipient : "(null)", a->status, a->first_seen,
           a->evidence ? a->evidence : "(none)", a->runs);
  lines_add(ud, buf);
  return 0;
}
static int on_summary_line(void *ud, const vg_run_summary *s) {
  char buf[512];
  snprintf(buf, sizeof buf, "summary %s rows %lld alerts %lld warnings %d", s->pack, s->rows_read, s->alerts, s->warnings);
  lines_add(ud, buf);
  return 0;
}
static void on_diag_line(void *ud, const vg_diag *d) {
  char buf[2048];
  snprintf(buf, sizeof buf, "%d %s %s", (int)d->severity, d->code ? d->code : "-", d->message);
  lines_add(ud, buf);
}

static const char *sweep_from = "2025-01-03", *sweep_to = "2025-03-14";
static int sweep_every = 7, sweep_at_snapshots = 0;

/* A backtest every sweep_every days (the sweep when sweep is set, else the ordered
** scan): its alerts and diagnostics into out; returns the status and which
** path ran in *path ('s' sweep, 'g' gave up, 'o' never tried). */
static vg_status sweep_backtest(vg_program *p, const char *db, int sweep, int spill, lines *out, char *path) {
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db_path = db;
  bo.from = sweep_from;
  bo.to = sweep_to;
  bo.every_days = sweep_at_snapshots ? 0 : sweep_every;
  bo.at_snapshots = sweep_at_snapshots;
  bo.diag = on_diag_line;
  bo.ud = out;
  bo.alert = on_alert_full;
  bo.summary = on_summary_line;
  bo.out_ud = out;
  size_t keep = exec_sweep_bytes, keep_spill = exec_spill_bytes;
  long done = exec_sweeps_done, gave_up = exec_sweeps_given_up;
  if (!sweep) exec_sweep_bytes = 0;
  if (spill) exec_spill_bytes = 1;
  vg_status st = vg_backtest((const vg_program *const *)&p, 1, &bo);
  exec_sweep_bytes = keep;
  exec_spill_bytes = keep_spill;
  *path = exec_sweeps_done > done ? 's' : exec_sweeps_given_up > gave_up ? 'g' : 'o';
  return st;
}

/* One table shape: the sweep (expected to run to the end, or to give up)
** and the ordered scan give the same alerts and diagnostics, line for line. */
static void sweep_case(const char *name, const char *extra_sql, int time_major, char want_path) {
  char db[400], rules[400];
  snprintf(db, sizeof db, "%s/sweep-%s.db", dir, name);
  snprintf(rules, sizeof rules, "%s/sweep-%s.rules", dir, name);
  /* keys of both storage classes, in an order that is not SQLite's
  ** (INTEGER before TEXT, texts by their bytes): 10 weekly snapshots */
  static const char *const keys[] = {"12", "'b'", "3", "'B'", "''", "100", "'k10'", "'k9'", "-4", "'a b'"};
  vg_buf sql = {NULL, 0, 0};
  CU_ASSERT_EQUAL_FATAL(vg_buf_printf(&sql, "CREATE TABLE snap (k, d DATE, x REAL, owner TEXT, name TEXT, due DATE, note TEXT);"
                                            "CREATE INDEX snap_k_d ON snap(k, d);"), 0);
  for (int outer = 0; outer < 10; outer++)
    for (int inner = 0; inner < 10; inner++) {
      int w = time_major ? outer : inner, k = time_major ? inner : outer;
      if ((k * 7 + w * 3) % 11 == 0) continue; /* some keys miss some dates */
      int x = (k * 13 + w * 5) % 17 - 1;       /* (-1: the where drops it) */
      /* nulls, dates and texts of every length in the windows */
      char xs[16], due[64], note[64];
      snprintf(xs, sizeof xs, (k + w) % 9 == 4 ? "NULL" : "%d", x);
      snprintf(due, sizeof due, (k + w) % 4 == 1 ? "NULL" : "date('2024-12-01', '+%d days')", k * w);
      snprintf(note, sizeof note, (k * w) % 5 == 2 ? "NULL" : "substr('a note that is long enough', 1, %d)", k + w);
      CU_ASSERT_EQUAL_FATAL(vg_buf_printf(&sql, "INSERT INTO snap VALUES (%s, date('2025-01-03', '+%d days'), %s, 'o%d', 'n%d-%d',"
                                                " %s, %s);", keys[k], 7 * w, xs, k % 3, k, w, due, note), 0);
    }
  if (extra_sql) CU_ASSERT_EQUAL_FATAL(vg_buf_append(&sql, extra_sql, strlen(extra_sql)), 0);
  CU_ASSERT_EQUAL_FATAL(make_db(db, sql.data), 0);
  vg_buf_free(&sql);
  CU_ASSERT_EQUAL_FATAL(spit(rules, "pack sw\nparam lim = 6\n"
                                    "source s { table snap key k time d where x >= 0 }\n"
                                    "rule low on s {\n"
                                    "  red when x < lim for 2 snapshots\n"
                                    "  orange when sum(x, last 3 snapshots) < 3 * lim\n"
                                    "  clear when x > 2 * lim\n"
                                    "  escalate after 14 days\n"
                                    "  message \"{k} {name}: {x} after {prev(x)}, {as_of - d} since\"\n"
                                    "  notify owner\n}\n"
                                    "rule up on s { yellow when x > prev(x) + 3 or prev(due) > due\n"
                                    "  message \"{name} rose; due {due}, {prev(due)}; {note} / {prev(note)}\" }\n"), 0);
  vg_program *p = compile(rules, db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  for (int spill = 0; spill <= 1; spill++) {
    lines a = {NULL, 0, 0}, b = {NULL, 0, 0};
    char pa, pb;
    vg_status sa = sweep_backtest(p, db, 1, spill, &a, &pa), sb = sweep_backtest(p, db, 0, spill, &b, &pb);
    CU_ASSERT_EQUAL(sa, sb);
    CU_ASSERT_EQUAL(pa, want_path);
    CU_ASSERT_EQUAL(pb, 'g');
    CU_ASSERT(a.n > 20); /* (alerts of every kind: the case says something) */
    char what[200];
    snprintf(what, sizeof what, "sweep %s%s: the sweep vs the ordered scan", name, spill ? " (spilled)" : "");
    CU_ASSERT(lines_equal(&b, &a, what));
    lines_free(&a);
    lines_free(&b);
  }
  /* at the snapshot dates: found as the sweep reads (or, when it gives up,
  ** before the read in key order), as the pass of their own finds them */
  sweep_at_snapshots = 1;
  for (int spill = 0; spill <= 1; spill++) {
    lines a = {NULL, 0, 0}, b = {NULL, 0, 0}, c = {NULL, 0, 0};
    char pa, pb, pc;
    vg_status sa = sweep_backtest(p, db, 1, spill, &a, &pa), sb = sweep_backtest(p, db, 0, spill, &b, &pb);
    exec_find_dates = 0;
    vg_status sc = sweep_backtest(p, db, 1, spill, &c, &pc);
    exec_find_dates = 1;
    CU_ASSERT(sa == sc && sb == sc);
    CU_ASSERT_EQUAL(pa, want_path);
    CU_ASSERT_EQUAL(pc, want_path);
    CU_ASSERT(a.n > 20);
    char what[200];
    snprintf(what, sizeof what, "sweep %s%s at snapshots: found by the sweep vs a pass of their own", name, spill ? " (spilled)" : "");
    CU_ASSERT(lines_equal(&c, &a, what));
    snprintf(what, sizeof what, "sweep %s%s at snapshots: found before a read in key order vs a pass of their own", name,
             spill ? " (spilled)" : "");
    CU_ASSERT(lines_equal(&c, &b, what));
    lines_free(&a);
    lines_free(&b);
    lines_free(&c);
  }
  sweep_at_snapshots = 0;
  vg_free_program(p);
}

static void test_sweep_time_major(void) { sweep_case("time-major", NULL, 1, 's'); }
/* written key by key: the second key's first row goes back in time */
static void test_sweep_key_major(void) { sweep_case("key-major", NULL, 0, 'g'); }
/* bad data is reported with the first bad row met in key order */
static void test_sweep_bad_data(void) {
  sweep_case("bad", "INSERT INTO snap VALUES ('k9', '2025-03-14', 'lots', 'o1', 'bad', NULL, NULL), (3, '2025-03-14', 'many', 'o1', 'bad', NULL, NULL);", 1, 'g');
}
/* a second row of a key on one day is bad data too */
static void test_sweep_duplicate(void) { sweep_case("dup", "INSERT INTO snap VALUES (12, '2025-03-07', 1, 'o1', 'again', NULL, NULL);", 1, 'g'); }
/* a REAL key orders among integers by value: not the sweep's to copy */
static void test_sweep_real_key(void) { sweep_case("real", "INSERT INTO snap VALUES (2.5, '2025-03-14', 1, 'o1', 'real', NULL, NULL);", 1, 'g'); }
/* the windows over the memory budget: the table is read in key order */
static void test_sweep_budget(void) {
  size_t keep = exec_sweep_bytes;
  exec_sweep_bytes = 600;
  sweep_case("budget", NULL, 1, 'g');
  exec_sweep_bytes = keep;
}

/* At the snapshot dates of a range with none, one or two of them (a run's
** evaluation, or nothing, when there are fewer than two): the dates found
** as the sweep reads give what a pass of their own gives. */
static void test_sweep_few_dates(void) {
  char db[400], rules[400];
  snprintf(db, sizeof db, "%s/sweep-time-major.db", dir); /* (test_sweep_time_major made it) */
  snprintf(rules, sizeof rules, "%s/sweep-time-major.rules", dir);
  vg_program *p = compile(rules, db);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  static const char *const ranges[][2] = {{"2026-01-01", "2026-02-01"}, {"2025-03-01", "2025-03-10"}, {"2025-02-28", "2025-03-07"},
                                          {"2024-01-01", "2025-01-03"}};
  static const size_t want_alerts_min[] = {0, 1, 2, 1};
  sweep_at_snapshots = 1;
  for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++) {
    sweep_from = ranges[i][0];
    sweep_to = ranges[i][1];
    lines a = {NULL, 0, 0}, c = {NULL, 0, 0};
    char pa, pc;
    vg_status sa = sweep_backtest(p, db, 1, 0, &a, &pa);
    exec_find_dates = 0;
    vg_status sc = sweep_backtest(p, db, 1, 0, &c, &pc);
    exec_find_dates = 1;
    CU_ASSERT_EQUAL(sa, sc);
    CU_ASSERT(a.n >= want_alerts_min[i]);
    if (i == 0) CU_ASSERT_EQUAL(a.n, 0); /* (not even a summary) */
    char what[200];
    snprintf(what, sizeof what, "sweep at snapshots %s .. %s: found by the read vs a pass of their own", ranges[i][0], ranges[i][1]);
    CU_ASSERT(lines_equal(&c, &a, what));
    lines_free(&a);
    lines_free(&c);
  }
  sweep_at_snapshots = 0;
  sweep_from = "2025-01-03";
  sweep_to = "2025-03-14";
  vg_free_program(p);
}

/* The sweep reads with a small page cache, and puts back the caller's. */
static void test_sweep_cache_size(void) {
  char path[400], rules[400];
  snprintf(path, sizeof path, "%s/sweep-time-major.db", dir); /* (test_sweep_time_major made it) */
  snprintf(rules, sizeof rules, "%s/sweep-time-major.rules", dir);
  vg_program *p = compile(rules, path);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(db, "PRAGMA cache_size = -1234", NULL, NULL, NULL), SQLITE_OK);
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db = db;
  bo.from = "2025-01-03";
  bo.to = "2025-03-14";
  bo.every_days = 7;
  bo.diag = quiet_diag;
  long done = exec_sweeps_done;
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &bo), VG_OK);
  CU_ASSERT_EQUAL(exec_sweeps_done, done + 1);
  sqlite3_stmt *st = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &st, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
  CU_ASSERT_EQUAL(sqlite3_column_int(st, 0), -1234);
  sqlite3_finalize(st);
  sqlite3_close(db);
  vg_free_program(p);
}

/* A scan redone in day order (a zone moved a row's day) counted the type
** warnings of the keys its first try evaluated twice. */
static void test_redo_counts_once(void) {
  const char *tables[2] = {
      /* key 2's second row is on June 2 by its zone: out of day order by text */
      "CREATE TABLE t (k INTEGER, d DATE, u);"
      "INSERT INTO t VALUES (1, '2025-06-01', 'x'), (1, '2025-06-02', 'x'), (2, '2025-06-03', 'x'),"
      " (2, '2025-06-03T01:00+05:00', 'x');",
      /* the same days, plain */
      "CREATE TABLE t (k INTEGER, d DATE, u);"
      "INSERT INTO t VALUES (1, '2025-06-01', 'x'), (1, '2025-06-02', 'x'), (2, '2025-06-02', 'x'),"
      " (2, '2025-06-03', 'x');"};
  lines warn[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
  for (int i = 0; i < 2; i++) {
    char db[400], rules[400];
    snprintf(db, sizeof db, "%s/redo%d.db", dir, i);
    snprintf(rules, sizeof rules, "%s/redo%d.rules", dir, i);
    CU_ASSERT_EQUAL_FATAL(make_db(db, tables[i]), 0);
    CU_ASSERT_EQUAL_FATAL(spit(rules, "pack r\nsource t { table t key k time d }\nrule r on t { red when u > 1 }\n"), 0);
    vg_program *p = compile(rules, db);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    lines all = {NULL, 0, 0};
    char path;
    sweep_from = "2025-06-01";
    sweep_to = "2025-06-05";
    sweep_every = 1;
    CU_ASSERT_EQUAL(sweep_backtest(p, db, 0, 0, &all, &path), VG_OK);
    sweep_from = "2025-01-03";
    sweep_to = "2025-03-14";
    sweep_every = 7;
    for (size_t j = 0; j < all.n; j++)
      if (strstr(all.v[j], "type they do not take")) lines_add(&warn[i], all.v[j]);
    lines_free(&all);
    vg_free_program(p);
  }
  CU_ASSERT_EQUAL(warn[0].n, 1); /* (9: key 1 on 5 dates, key 2 on 4) */
  CU_ASSERT(warn[0].n == 1 && strstr(warn[0].v[0], ": 9 operation(s)"));
  CU_ASSERT(lines_equal(&warn[1], &warn[0], "type warnings, redone in day order vs read once"));
  lines_free(&warn[0]);
  lines_free(&warn[1]);
}

static int suite_init(void) {
  snprintf(dir, sizeof dir, "/tmp/vigil-backtest-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  snprintf(demo_db, sizeof demo_db, "%s/saas.db", dir);
  snprintf(saas, sizeof saas, "%s/examples/saas", tu_root());
  char schema[700], demo[700];
  snprintf(schema, sizeof schema, "%s/schema.sql", saas);
  snprintf(demo, sizeof demo, "%s/demo.sql", saas);
  sqlite3 *db = NULL;
  if (sqlite3_open(demo_db, &db) != SQLITE_OK) { sqlite3_close(db); return -1; }
  int rc = exec_file(db, schema) || exec_file(db, demo) ? -1 : 0;
  sqlite3_close(db);
  return rc;
}

/* The text report counts each rule and tier once per date, highest tier
** first, though the alerts of a rule arrive in key order with their tiers
** interleaved (it listed "r red 1  r yellow 1  r red 1"). */
static void test_text_report_groups(void) {
  char db[400], rules[400], cmd[3000];
  snprintf(db, sizeof db, "%s/tr.db", dir);
  snprintf(rules, sizeof rules, "%s/tr.rules", dir);
  CU_ASSERT_EQUAL_FATAL(make_db(db, "CREATE TABLE s (k INTEGER, d DATE, x REAL);"
                                    "INSERT INTO s VALUES (1, '2025-01-01', 20), (2, '2025-01-01', 5), (3, '2025-01-01', 30),"
                                    " (4, '2025-01-01', 6), (1, '2025-01-02', 1), (2, '2025-01-02', 50), (3, '2025-01-02', 2);"), 0);
  CU_ASSERT_EQUAL_FATAL(spit(rules, "pack t\nsource s { table s key k time d }\n"
                                    "rule q on s { yellow when x > 0 }\n"
                                    "rule r on s { yellow when x > 0\n red when x > 10 }\n"), 0);
  snprintf(cmd, sizeof cmd, "'%s' backtest --db '%s' --from 2025-01-01 --to 2025-01-02 '%s'", tu_vigil(), db, rules);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  char *out = out_txt();
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  const char *want = "alerts per date\n"
                     "  2025-01-01  t/q yellow 4  t/r red 2  t/r yellow 2\n"
                     "  2025-01-02  t/q yellow 4  t/r red 1  t/r yellow 3\n";
  CU_ASSERT_NSTRING_EQUAL(out, want, strlen(want));
  free(out);
}

static int suite_cleanup(void) {
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int unit_register_backtest(void) {
  CU_pSuite s = CU_add_suite("backtest", suite_init, suite_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "SaaS demo at every snapshot date = separate runs", test_snapshots_equal_runs) ||
      !CU_add_test(s, "SaaS demo every day of a month = separate runs", test_every_day_of_a_month) ||
      !CU_add_test(s, "SaaS demo every week = separate runs", test_every_week) ||
      !CU_add_test(s, "rows in day order when a zone moves a day", test_zones_day_order) ||
      !CU_add_test(s, "alerts spilled to a temporary table = in memory", test_spilled_alerts) ||
      !CU_add_test(s, "backtest --record writes the alerts given, no more", test_record_is_the_alerts) ||
      !CU_add_test(s, "--strict: one verdict on every read path", test_strict_every_path) ||
      !CU_add_test(s, "--strict: what conditions count, the same on every read path", test_strict_counts_every_path) ||
      !CU_add_test(s, "vigil diff on a threshold change = set difference of backtests", test_diff_threshold) ||
      !CU_add_test(s, "vigil diff git:REV:PATH", test_diff_git) ||
      !CU_add_test(s, "lead time on a hand-made database", test_lead_time) ||
      !CU_add_test(s, "the text report: each rule and tier once per date", test_text_report_groups) ||
      !CU_add_test(s, "sweep: a table written date by date = the ordered scan", test_sweep_time_major) ||
      !CU_add_test(s, "sweep: written key by key, it gives up", test_sweep_key_major) ||
      !CU_add_test(s, "sweep: bad data, it gives up", test_sweep_bad_data) ||
      !CU_add_test(s, "sweep: a duplicate day, it gives up", test_sweep_duplicate) ||
      !CU_add_test(s, "sweep: a REAL key, it gives up", test_sweep_real_key) ||
      !CU_add_test(s, "sweep: over its memory budget, it gives up", test_sweep_budget) ||
      !CU_add_test(s, "sweep: the caller's page cache put back", test_sweep_cache_size) ||
      !CU_add_test(s, "sweep: none, one or two snapshot dates in the range", test_sweep_few_dates) ||
      !CU_add_test(s, "a scan redone in day order counts type warnings once", test_redo_counts_once))
    return CU_get_error();
  return CUE_SUCCESS;
}
