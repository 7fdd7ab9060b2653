/*
** test_dbrobust.c — issue 11, the database side of hardening: every
** regression test of findings 4, 6, 10, 13, 14, 15 and 19.
**
**   Locks (4): every connection waits the same busy timeout for another
**   process's lock, and a lock held past it fails with one clear message.
**   The lock is held by a child process (BEGIN EXCLUSIVE) for a second, or
**   until it is killed; the commands run the binary in $VIGIL.
**
**   Recording tables (6): vigil_runs, vigil_alerts, vigil_backtest and
**   vigil_outbox that Vigil did not make the way it writes them (run_id not
**   the rowid, a column missing or of another type, a NOT NULL column Vigil
**   does not fill) are refused before evaluating, with the expected DDL;
**   tables made by older versions are still upgraded.
**
**   No helper tables in the user's schema (13): a user table vigil_probe.
**
**   The real rowid (15): a user column named rowid (or rowid, _rowid_ and
**   oid) does not take over the duplicate tie-break of scans, index seeks,
**   lookups and the org chart.
**
**   No alerts (19): backtest, lead time and diff with no alert at all (under
**   `make test SAN=1` this was qsort(NULL, 0), which UBSan stops).
**
**   --set (14): a param name longer than 255 bytes is matched whole.
**
**   Sources are regular text files (10): a symlinked pack member or
**   schema.sql is refused (and its target never quoted) unless
**   --follow-symlinks; a file that is not UTF-8 text is refused without
**   quoting it; `vigil diff git:REV:PATH` refuses symlinks in the revision.
**
** Tests that could crash run the binary (a crash is a failed exit status).
*/
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "vigil.h"
#include "unit.h"
#include "harness.h"
#include "testutil.h"

static char dir[256]; /* the suite's temporary folder */

/* ---- files and commands ------------------------------------------------------ */

/* dir/name into a static buffer (one of 16, so a test can hold a few). */
static const char *path_of(const char *name) {
  static char bufs[16][600];
  static int next;
  char *b = bufs[next++ % 16];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

static int spit_n(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(text, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static int spit(const char *path, const char *text) { return spit_n(path, text, strlen(text)); }

/* A fresh database at path from SQL text. */
static int make_db(const char *path, const char *sql) {
  remove(path);
  sqlite3 *db = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK) { sqlite3_close(db); return -1; }
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) fprintf(stderr, "\n  make_db: %s\n", err ? err : "?");
  sqlite3_free(err);
  sqlite3_close(db);
  return rc == SQLITE_OK ? 0 : -1;
}

/* The first column of the first row of sql on the database at path as an
** integer; -1 when the query fails or gives no row. */
static long long db_int(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

/* The same as text, into a static buffer ("<none>" when no row). */
static const char *db_text(const char *path, const char *sql) {
  static char out[2048];
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  snprintf(out, sizeof out, "<none>");
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, sizeof out, "%s", t ? (const char *)t : "<null>");
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

/* The result of one command: exit status (-1: it did not exit normally),
** standard output and error (malloc'd), and the time it took. */
typedef struct cmd_result {
  int status;
  char *out, *err;
  double seconds;
} cmd_result;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs a shell command (printf-style) with its output into files of dir. */
static cmd_result sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static cmd_result sh(const char *fmt, ...) {
  cmd_result r;
  memset(&r, 0, sizeof r);
  char cmd[8192], full[9000];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  snprintf(full, sizeof full, "%s >'%s/out.txt' 2>'%s/err.txt'", cmd, dir, dir);
  double t0 = now_s();
  int st = system(full);
  r.seconds = now_s() - t0;
  r.status = st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
  char p[600];
  snprintf(p, sizeof p, "%s/out.txt", dir);
  r.out = tu_slurp(p, NULL);
  snprintf(p, sizeof p, "%s/err.txt", dir);
  r.err = tu_slurp(p, NULL);
  if (!r.out) r.out = strdup("");
  if (!r.err) r.err = strdup("");
  return r;
}

static void cmd_free(cmd_result *r) {
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof *r);
}

/* 1 when text contains want; otherwise prints both and returns 0. */
static int has(const char *what, const char *text, const char *want) {
  if (text && strstr(text, want)) return 1;
  fprintf(stderr, "\n  %s does not contain [%s]:\n%.600s\n", what, want, text ? text : "(null)");
  return 0;
}

/* ---- a lock held by another process --------------------------------------------- */

/* Forks a child that opens db, takes an exclusive lock (BEGIN EXCLUSIVE:
** readers wait too), and keeps it for ms milliseconds (ms < 0: until it is
** killed).  Returns the child's pid once the lock is held, or -1. */
static pid_t hold_lock(const char *db, int ms) {
  int p[2];
  if (pipe(p) != 0) return -1;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return -1;
  }
  if (pid == 0) {
    close(p[0]);
    sqlite3 *c = NULL;
    if (sqlite3_open(db, &c) != SQLITE_OK || sqlite3_busy_timeout(c, 5000) != SQLITE_OK ||
        sqlite3_exec(c, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
      _exit(1);
    if (write(p[1], "x", 1) != 1) _exit(1);
    close(p[1]);
    if (ms < 0)
      for (;;) pause();
    usleep((useconds_t)ms * 1000u);
    sqlite3_exec(c, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(c);
    _exit(0);
  }
  close(p[1]);
  char ch;
  ssize_t n = read(p[0], &ch, 1);
  close(p[0]);
  if (n != 1) {
    waitpid(pid, NULL, 0);
    return -1;
  }
  return pid;
}

/* Ends a child of hold_lock (killing it if it still runs). */
static void release_lock(pid_t pid, int kill_it) {
  if (pid <= 0) return;
  if (kill_it) kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

/* ======================================================================== */
/* 4. Locks                                                                 */
/* ======================================================================== */

static const char *const LOCK_SQL =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL);"
  "CREATE INDEX t_k_d ON t(k, d);"
  "INSERT INTO t VALUES (1, '2025-01-01', 5), (1, '2025-01-02', 6), (2, '2025-01-01', 0), (2, '2025-01-02', 0);";
static const char *const LOCK_RULES =
  "source s { table t key k time d }\nrule r on s { red when x > prev(x) message \"{x}\" }\n";

/* Regression (finding 4): the connections that read the schema (run and
** check from .rules), find the snapshot dates (backtest --at-snapshots)
** and give index advice (check --db) had no busy timeout: with another
** process holding a lock for a second they failed at once with "cannot
** read the schema: database is locked", while a run from a .vgc waited.
** Expected: each waits for the lock and succeeds. */
static void test_lock_waited_for(void) {
  const char *db = path_of("lock.db"), *rules = path_of("lock.rules"), *vgc = path_of("lock.vgc");
  CU_ASSERT_EQUAL_FATAL(make_db(db, LOCK_SQL), 0);
  CU_ASSERT_EQUAL_FATAL(spit(rules, LOCK_RULES), 0);
  cmd_result r = sh("'%s' compile -o '%s' '%s'", tu_vigil(), vgc, rules);
  CU_ASSERT_EQUAL_FATAL(r.status, 0);
  cmd_free(&r);
  static const char *const cmds[] = {
    "run --db '%s' --as-of 2025-01-02 --dry-run '%s'",
    "run --db '%s' --as-of 2025-01-02 '%s'",
    "check --db '%s' '%s'",
    "backtest --db '%s' --from 2025-01-01 --to 2025-01-02 --at-snapshots '%s'",
  };
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
    char line[4096];
    snprintf(line, sizeof line, cmds[i], db, i == 3 ? vgc : rules);
    pid_t locker = hold_lock(db, 1000);
    CU_ASSERT_FATAL(locker > 0);
    r = sh("'%s' %s", tu_vigil(), line);
    release_lock(locker, 0);
    CU_ASSERT_EQUAL(r.status, 0);
    if (r.status != 0) fprintf(stderr, "\n  vigil %s: exit %d after %.2f s:\n%s", line, r.status, r.seconds, r.err);
    CU_ASSERT_TRUE(r.seconds > 0.5); /* it waited for the lock */
    CU_ASSERT_PTR_NULL(strstr(r.err, "locked"));
    cmd_free(&r);
  }
  CU_ASSERT_EQUAL(db_int(db, "SELECT count(*) FROM vigil_runs"), 1);
}

static int advice_notes;
static void count_notes(void *ud, const vg_diag *d) {
  (void)ud;
  if (d->severity == VG_NOTE && d->message && strstr(d->message, "has no index")) advice_notes++;
  if (d->severity != VG_NOTE) fprintf(stderr, "\n  index advice: %s\n", d->message ? d->message : "");
}

/* Regression (finding 4): vg_index_advice read the indexes on a
** connection without a busy timeout; locked, every query failed and the
** table (which has its index) was reported as lacking one.  Expected: it
** waits, and gives no false note. */
static void test_lock_index_advice(void) {
  const char *db = path_of("advice.db");
  CU_ASSERT_EQUAL_FATAL(make_db(db, LOCK_SQL), 0);
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.db_path = db;
  vg_program *p = NULL;
  CU_ASSERT_EQUAL_FATAL(vg_compile_string("t.rules", LOCK_RULES, strlen(LOCK_RULES), NULL, &co, &p), VG_OK);
  advice_notes = 0;
  CU_ASSERT_EQUAL(vg_index_advice(p, db, count_notes, NULL), VG_OK);
  CU_ASSERT_EQUAL(advice_notes, 0); /* unlocked: the index is found */
  pid_t locker = hold_lock(db, 1000);
  CU_ASSERT_FATAL(locker > 0);
  advice_notes = 0;
  CU_ASSERT_EQUAL(vg_index_advice(p, db, count_notes, NULL), VG_OK);
  release_lock(locker, 0);
  CU_ASSERT_EQUAL(advice_notes, 0);
  vg_free_program(p);
}

/* Finding 4: a lock held past the busy timeout fails every command with
** the same message, naming the database and the time waited, after about
** the timeout (the commands run at once, so the test waits it once). */
static void test_lock_message(void) {
  const char *db = path_of("lockmsg.db"), *rules = path_of("lock.rules"), *vgc = path_of("lockmsg.vgc");
  CU_ASSERT_EQUAL_FATAL(make_db(db, LOCK_SQL), 0);
  CU_ASSERT_EQUAL_FATAL(spit(rules, LOCK_RULES), 0);
  cmd_result r = sh("'%s' compile -o '%s' '%s' && '%s' run --db '%s' --as-of 2025-01-02 '%s'", tu_vigil(), vgc, rules,
                    tu_vigil(), db, vgc);
  CU_ASSERT_EQUAL_FATAL(r.status, 0);
  cmd_free(&r);
  static const char *const cmds[] = {
    "run --db '%s' --as-of 2025-01-02 --dry-run '%s'",                              /* schema from .rules */
    "check --db '%s' '%s'",                                                         /* the same */
    "backtest --db '%s' --from 2025-01-01 --to 2025-01-02 --at-snapshots '%s'",    /* dates (.vgc) */
    "run --db '%s' --as-of 2025-01-03 '%s'",                                        /* BEGIN IMMEDIATE (.vgc) */
    "run --db '%s' --as-of 2025-01-03 --dry-run '%s'",                              /* a read (.vgc) */
    "backtest --db '%s' --from 2025-01-01 --to 2025-01-02 '%s' --outcome 'SELECT k FROM t'", /* the outcome query */
    "digest --db '%s' %s",                                                          /* the digest */
  };
  enum { N = sizeof cmds / sizeof *cmds };
  pid_t locker = hold_lock(db, -1);
  CU_ASSERT_FATAL(locker > 0);
  char script[8192] = "";
  size_t used = 0;
  for (int i = 0; i < N; i++) {
    char line[2048];
    snprintf(line, sizeof line, cmds[i], db, i < 2 ? rules : i < 6 ? vgc : "");
    used += (size_t)snprintf(script + used, sizeof script - used, "('%s' %s >'%s/l%d.out' 2>'%s/l%d.err'; echo $? >'%s/l%d.rc') & ",
                             tu_vigil(), line, dir, i, dir, i, dir, i);
  }
  snprintf(script + used, sizeof script - used, "wait");
  r = sh("%s", script);
  release_lock(locker, 1);
  CU_ASSERT_TRUE(r.seconds > 4.5 && r.seconds < 30);
  if (!(r.seconds > 4.5 && r.seconds < 30)) fprintf(stderr, "\n  the locked commands took %.2f s\n", r.seconds);
  cmd_free(&r);
  for (int i = 0; i < N; i++) {
    char name[700];
    snprintf(name, sizeof name, "%s/l%d.rc", dir, i);
    char *rc = tu_slurp(name, NULL);
    snprintf(name, sizeof name, "%s/l%d.err", dir, i);
    char *err = tu_slurp(name, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err);
    CU_ASSERT_EQUAL(atoi(rc), 1);
    char want[700];
    snprintf(want, sizeof want, "%s: the database is locked by another process (waited 5 s)", db);
    char what[64];
    snprintf(what, sizeof what, "command %d's stderr", i);
    CU_ASSERT_TRUE(has(what, err, want));
    free(rc);
    free(err);
  }
  CU_ASSERT_EQUAL(db_int(db, "SELECT count(*) FROM vigil_runs"), 1);
}

/* ======================================================================== */
/* 6. Recording tables                                                      */
/* ======================================================================== */

static const char *const REC_SQL =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL);"
  "INSERT INTO t VALUES (1, '2025-01-01', 5), (2, '2025-01-01', 7), (3, '2025-01-01', 0);";
static const char *const REC_RULES = "source s { table t key k time d }\nrule r on s { red when x > 1 message \"{x}\" }\n";

static const char *const RUNS_COLS =
  "pack TEXT NOT NULL, as_of TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, status TEXT NOT NULL,"
  " rows_read INTEGER NOT NULL, alerts INTEGER NOT NULL";

/* A program on t and on table ghost (which the database lacks): a run that
** evaluates reports the missing table, one that stops before does not. */
static vg_program *ghost_program(void) {
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = th_on_diag;
  const char *schema = "CREATE TABLE t(k INTEGER, d DATE, x REAL); CREATE TABLE ghost(k INTEGER, d DATE, x REAL);";
  const char *rules = "source s { table t key k time d }\nsource g { table ghost key k time d }\n"
                      "rule r on s { red when x > 1 }\nrule q on g { red when x > 1 }\n";
  vg_program *p = NULL;
  if (vg_compile_string("ghost.rules", rules, strlen(rules), schema, &co, &p) != VG_OK) return NULL;
  return p;
}

/* The database holds t and the extra SQL; a recording run of the ghost
** program must be refused before evaluating, naming the table, with want
** in the message; nothing is recorded. */
static void refused(const char *extra, const char *table, const char *want) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(REC_SQL), 0);
  CU_ASSERT_EQUAL_FATAL(th_exec(extra), 0);
  vg_program *p = ghost_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  long long objects = db_int(th_db_path(), "SELECT count(*) FROM sqlite_master");
  int st = th_run(&p, 1, "2025-01-10", 0, 0);
  CU_ASSERT_EQUAL(st, VG_EDB);
  CU_ASSERT_TRUE(th_diag_has(table));
  CU_ASSERT_TRUE(th_diag_has(want));
  CU_ASSERT_TRUE(th_diag_has("nothing was evaluated or recorded"));
  CU_ASSERT_PTR_NULL(strstr(th_diags, "ghost"));
  if (strstr(th_diags, "ghost")) fprintf(stderr, "\n  evaluated before refusing:\n%s", th_diags);
  CU_ASSERT_EQUAL(th_nalerts, 0);
  CU_ASSERT_TRUE(db_int(th_db_path(), "SELECT count(*) FROM vigil_runs") <= 0);
  CU_ASSERT_TRUE(db_int(th_db_path(), "SELECT count(*) FROM vigil_alerts") <= 0);
  CU_ASSERT_EQUAL(db_int(th_db_path(), "SELECT count(*) FROM sqlite_master"), objects);
  vg_free_program(p);
}

/* Regression (finding 6): a vigil_runs whose run_id is not the rowid alias
** (no PRIMARY KEY; TEXT PRIMARY KEY; INTEGER PRIMARY KEY DESC, which
** SQLite does not make an alias; a WITHOUT ROWID table) was accepted:
** run_id was recorded NULL, a re-run did not replace the earlier one (four
** alert rows for "run 1"), and every alert stayed new.  Expected: refused
** before evaluating, with the DDL Vigil expects. */
static void test_runs_run_id_not_rowid(void) {
  static const char *const decls[] = {
    "run_id INTEGER, %s",
    "run_id TEXT PRIMARY KEY, %s",
    "run_id INTEGER PRIMARY KEY DESC, %s",
    "run_id INTEGER NOT NULL, %s, PRIMARY KEY (run_id, pack)",
    "run_id INTEGER PRIMARY KEY, %s) WITHOUT ROWID; SELECT (1",
  };
  for (size_t i = 0; i < sizeof decls / sizeof *decls; i++) {
    char cols[1024], sql[1200];
    snprintf(cols, sizeof cols, decls[i], RUNS_COLS);
    snprintf(sql, sizeof sql, "CREATE TABLE vigil_runs(%s);", cols);
    refused(sql, "vigil_runs", "column run_id is not the table's rowid");
  }
}

/* What the same vigil_runs (run_id INTEGER, no key) did to a re-run: the
** run id is there, a second run of the same date replaces the first, and
** the alerts of a later run are ongoing. */
static void test_runs_good_rerun(void) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(REC_SQL), 0);
  vg_program *p = th_compile("t.rules", REC_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-10", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-10", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-11", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(db_int(th_db_path(), "SELECT count(*) FROM vigil_alerts WHERE run_id IS NULL"), 0);
  CU_ASSERT_EQUAL(db_int(th_db_path(), "SELECT count(*) FROM vigil_alerts"), 4);
  CU_ASSERT_STRING_EQUAL(db_text(th_db_path(), "SELECT group_concat(a.status || '/' || a.runs) FROM vigil_alerts a"
                                               " JOIN vigil_runs r USING (run_id) WHERE r.as_of = '2025-01-11'"),
                         "ongoing/2,ongoing/2");
  vg_free_program(p);
}

/* Finding 6: the other shapes that would record wrong data or fail only
** after evaluating: a column Vigil writes is missing or of another type, a
** column it does not write is NOT NULL without a default, Vigil's columns
** are a key, half of a later version's columns are there. */
static void test_alerts_shape_refused(void) {
  char runs[1024];
  snprintf(runs, sizeof runs, "CREATE TABLE vigil_runs(run_id INTEGER PRIMARY KEY AUTOINCREMENT, %s);", RUNS_COLS);
  static const char *const alerts[][2] = {
    {"CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, as_of TEXT, message TEXT, recipient TEXT);",
     "has no column key"},
    {"CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, key INTEGER, as_of TEXT, message TEXT,"
     " recipient TEXT);", "column key is INTEGER"},
    {"CREATE TABLE vigil_alerts(run_id TEXT, pack TEXT, rule TEXT, tier TEXT, key TEXT, as_of TEXT, message TEXT,"
     " recipient TEXT);", "column run_id is TEXT"},
    {"CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, key TEXT, as_of TEXT, message TEXT,"
     " recipient TEXT, owner TEXT NOT NULL);", "column owner is NOT NULL"},
    {"CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, key TEXT PRIMARY KEY, as_of TEXT,"
     " message TEXT, recipient TEXT);", "column key is part of the PRIMARY KEY"},
    {"CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, key TEXT, as_of TEXT, message TEXT,"
     " recipient TEXT, status TEXT);", "has column status but not first_seen"},
    {"CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, key TEXT, as_of TEXT, message TEXT,"
     " recipient TEXT, rowid INTEGER);", "column rowid"},
  };
  for (size_t i = 0; i < sizeof alerts / sizeof *alerts; i++) {
    char sql[2048];
    snprintf(sql, sizeof sql, "%s%s", runs, alerts[i][0]);
    refused(sql, "vigil_alerts", alerts[i][1]);
    CU_ASSERT_TRUE(th_diag_has("CREATE TABLE vigil_alerts("));
  }
  refused("CREATE TABLE vigil_runs(run_id INTEGER PRIMARY KEY, pack TEXT, as_of TEXT);", "vigil_runs", "has no column started_at");
}

/* The tables a run made before the lifecycle (status, first_seen, runs)
** and evidence (tier_rank, evidence, route) columns, and a user's own
** columns with defaults, are still accepted: the missing columns are added
** and the alert life continues. */
static void test_older_tables_upgraded(void) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(REC_SQL), 0);
  char sql[2048];
  snprintf(sql, sizeof sql,
           "CREATE TABLE vigil_runs(run_id INTEGER PRIMARY KEY AUTOINCREMENT, %s, note TEXT NOT NULL DEFAULT '');"
           "CREATE UNIQUE INDEX vigil_runs_pack_as_of ON vigil_runs(pack, as_of);"
           "CREATE TABLE vigil_alerts(run_id INTEGER NOT NULL REFERENCES vigil_runs(run_id), pack TEXT NOT NULL, rule TEXT NOT NULL,"
           " tier TEXT NOT NULL, key TEXT NOT NULL, as_of TEXT NOT NULL, message TEXT, recipient TEXT);"
           "INSERT INTO vigil_runs(pack, as_of, started_at, finished_at, status, rows_read, alerts)"
           " VALUES ('t', '2025-01-09', 'x', 'x', 'ok', 3, 2);"
           "INSERT INTO vigil_alerts VALUES (1, 't', 'r', 'red', '1', '2025-01-09', '5', NULL), (1, 't', 'r', 'red', '2', '2025-01-09', '7', NULL);",
           RUNS_COLS);
  CU_ASSERT_EQUAL_FATAL(th_exec(sql), 0);
  vg_program *p = th_compile("t.rules", REC_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-10", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 2);
  CU_ASSERT_STRING_EQUAL(th_alerts[0].status, "ongoing");
  CU_ASSERT_EQUAL(db_int(th_db_path(), "SELECT count(*) FROM pragma_table_info('vigil_alerts') WHERE name IN"
                                       " ('status', 'first_seen', 'runs', 'tier_rank', 'evidence', 'route')"), 6);
  CU_ASSERT_STRING_EQUAL(db_text(th_db_path(), "SELECT group_concat(runs) FROM vigil_alerts WHERE as_of = '2025-01-10'"), "2,2");
  vg_free_program(p);
}

/* Finding 6: vigil_backtest (backtest --record) and vigil_outbox (digest
** --outbox) are checked the same way before anything is evaluated or
** written. */
static vg_program *bt_prog;
static void test_backtest_outbox_shape(void) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(REC_SQL), 0);
  CU_ASSERT_EQUAL_FATAL(th_exec("CREATE TABLE vigil_backtest(pack TEXT, rule TEXT, tier TEXT, key TEXT, as_of TEXT);"), 0);
  bt_prog = ghost_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(bt_prog);
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db_path = th_db_path();
  bo.from = "2025-01-01";
  bo.to = "2025-01-03";
  bo.record = 1;
  bo.diag = th_on_diag;
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&bt_prog, 1, &bo), VG_EDB);
  CU_ASSERT_TRUE(th_diag_has("vigil_backtest"));
  CU_ASSERT_TRUE(th_diag_has("has no column message"));
  CU_ASSERT_TRUE(th_diag_has("CREATE TABLE vigil_backtest("));
  CU_ASSERT_PTR_NULL(strstr(th_diags, "ghost"));
  CU_ASSERT_EQUAL(db_int(th_db_path(), "SELECT count(*) FROM vigil_backtest"), 0);
  vg_free_program(bt_prog);
  bt_prog = NULL;

  /* a recorded run, then a digest into a vigil_outbox without body */
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(REC_SQL), 0);
  vg_program *p = th_compile("t.rules", REC_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-10", 0, 0), VG_OK);
  vg_free_program(p);
  CU_ASSERT_EQUAL_FATAL(th_exec("CREATE TABLE vigil_outbox(id INTEGER PRIMARY KEY, run_id INTEGER, recipient TEXT,"
                                " subject TEXT NOT NULL, format TEXT NOT NULL, created TEXT NOT NULL);"), 0);
  vg_digest_opts dg;
  memset(&dg, 0, sizeof dg);
  dg.db_path = th_db_path();
  dg.outbox = 1;
  dg.diag = th_on_diag;
  th_clear_diags();
  CU_ASSERT_EQUAL(vg_digest_run(&dg), VG_EDB);
  CU_ASSERT_TRUE(th_diag_has("vigil_outbox"));
  CU_ASSERT_TRUE(th_diag_has("has no column body"));
  CU_ASSERT_TRUE(th_diag_has("CREATE TABLE vigil_outbox("));
  CU_ASSERT_EQUAL(db_int(th_db_path(), "SELECT count(*) FROM vigil_outbox"), 0);
}

/* ======================================================================== */
/* 13. No helper tables in the user's schema                                */
/* ======================================================================== */

/* Regression (finding 13): the write probe created and rolled back a table
** main.vigil_probe, so a user table of that name made every recording run
** fail ("a run records its alerts, and the database cannot be written:
** table vigil_probe already exists").  Expected: the run records, the
** user's table is untouched, and nothing but Vigil's recording tables and
** their indexes is added to the schema. */
static void test_vigil_probe_not_reserved(void) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(REC_SQL), 0);
  CU_ASSERT_EQUAL_FATAL(th_exec("CREATE TABLE vigil_probe(x); INSERT INTO vigil_probe VALUES ('mine');"
                                "CREATE TABLE vigil_spill(y); CREATE TEMP TABLE scratch(z);"), 0);
  vg_program *p = th_compile("t.rules", REC_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-10", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 2);
  CU_ASSERT_EQUAL(db_int(th_db_path(), "SELECT count(*) FROM vigil_runs"), 1);
  CU_ASSERT_STRING_EQUAL(db_text(th_db_path(), "SELECT group_concat(x) FROM vigil_probe"), "mine");
  CU_ASSERT_STRING_EQUAL(db_text(th_db_path(), "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master ORDER BY name)"),
                         "sqlite_sequence t vigil_alerts vigil_alerts_run vigil_probe vigil_runs vigil_runs_pack_as_of vigil_spill");
  vg_free_program(p);
}

/* ======================================================================== */
/* 15. The real rowid                                                       */
/* ======================================================================== */

/* Key 1 has two rows on 2025-01-05; the later one (the larger real rowid)
** has x = 2.  Earlier rows make index seeks worth it.  The user's column
** rowid says the opposite. */
static const char *const ROWID_SQL =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL, rowid INTEGER);"
  "CREATE INDEX t_k_d ON t(k, d);"
  "INSERT INTO t VALUES (1, '2025-01-01', 0, 50), (1, '2025-01-02', 0, 51), (1, '2025-01-03', 0, 52), (1, '2025-01-04', 0, 53);"
  "INSERT INTO t VALUES (1, '2025-01-05', 1, 100);"
  "INSERT INTO t VALUES (1, '2025-01-05', 2, 1);"
  "CREATE TABLE m(k INTEGER, d DATE);"
  "INSERT INTO m VALUES (1, '2025-01-05');";

/* Regression (finding 15): exec.c selected `rowid`, which names the user's
** column when the table has one: of two rows for one key and day the one
** with the larger value in that column won (here the earlier row, x = 1).
** Expected: the later row (x = 2) in the scan, the index seeks and the
** lookups, and the duplicate reported. */
static void test_rowid_column(void) {
  static const char *const rules =
    "source s { table t key k time d }\nsource sm { table m key k time d }\n"
    "rule r on s { red when x > 0 message \"{x}\" }\n"
    "rule l on sm { red when s.x > 0 message \"{s.x}\" }\n";
  long long rows[2] = {0, 0};
  for (int seek = 0; seek <= 1; seek++) {
    th_no_seek = !seek;
    CU_ASSERT_EQUAL(th_run_on(ROWID_SQL, rules, "2025-01-05"), VG_OK);
    CU_ASSERT_TRUE(th_alerts_are(1, "r 1 red 2\nl 1 red 2\n"));
    CU_ASSERT_TRUE(th_diag_has("duplicate row(s) for the same key and day"));
    rows[seek] = th_nsummaries ? th_summaries[0].rows_read : -1;
  }
  CU_ASSERT_TRUE(rows[1] < rows[0]); /* the seeks did not read key 1's older rows */
  th_no_seek = 0;
}

/* Regression (fuzz_data, issue 13's session): a key is an SQLite value, and
** two rows are one entity when SQLite finds their keys equal, as the index
** seeks do (WHERE k = ?).  The scan compared keys as Vigil reads them: text
** '3' and blob X'33' (two keys for SQLite, both read as the string "3") made
** one series when they sorted next to each other, and integer 5 and real
** 5.0 (one key for SQLite) broke the series at every change of type.
** Expected, with and without seeks: key 5 is one series; text '3' and
** blob '3' are two. */
static void test_key_identity(void) {
  static const char *const sql =
    "CREATE TABLE t(k, d DATE, x REAL); CREATE INDEX t_kd ON t(k, d);"
    "INSERT INTO t VALUES (5, '2024-12-01', 1), (5.0, '2024-12-02', 1), (5, '2024-12-03', 1), (5.0, '2024-12-04', 1),"
    " (5, '2024-12-05', 1), (5.0, '2024-12-06', 1), (5, '2024-12-07', 1), (5.0, '2024-12-08', 1),"
    " (5, '2025-01-01', 1), (5.0, '2025-01-02', 1), (5, '2025-01-03', 1),"
    " ('3', '2025-01-01', 1), ('3', '2025-01-02', 1), ('3', '2025-01-03', 1), (X'33', '2025-01-04', 1);";
  static const char *const rules = "source s { table t key k time d }\nrule r on s { red when x > 0 message \"{d}\" }\n";
  static const char *const want = "5 red 2025-01-03\n3 red 2025-01-03\n3 red 2025-01-04\n";
  long long rows[2] = {0, 0};
  for (int seek = 0; seek <= 1; seek++) {
    th_no_seek = !seek;
    CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-05"), VG_OK);
    CU_ASSERT_TRUE(th_alerts_are(0, want));
    rows[seek] = th_nsummaries ? th_summaries[0].rows_read : -1;
  }
  CU_ASSERT_TRUE(rows[1] < rows[0]); /* the seeks were taken: they read only the newest rows */
  th_no_seek = 0;
}

/* Regression (fuzz_data, CI of stop 22): reading a blob in a text column
** with sqlite3_column_text made the statement's value text, and the walk
** down the keys copied the key from it: past a blob key X'41' it jumped
** with "k < 'A'" (lost the text keys from 'A' up and every blob below),
** past X'' with "k < ''" (lost every text key).  Expected, with and without
** seeks, with the key index (the walk) and with an index on the key alone
** (one seek per key): the same four alerts. */
static void test_empty_key_bound(void) {
  static const char *const rows =
    "INSERT INTO t VALUES (X'', '2025-05-19', 1), (X'', '2025-05-26', 1), ('', '2025-05-26', 1), ('', '2025-05-26', 2),"
    " ('', '2025-05-26', 3), ('a', '2025-05-20', 1), ('a', '2025-05-26', 1), (X'41', '2025-05-26', 1),"
    " (X'41', '2025-05-12', 1);";
  static const char *const index[2] = {"CREATE INDEX t_kd ON t(k, d);", "CREATE INDEX t_k ON t(k);"};
  static const char *const rules = "source s { table t key k time d }\nrule r on s { red when x > 0 message \"{x}\" }\n";
  static const char *const want = " red 3\na red 1\n red 1\nA red 1\n"; /* text '', 'a', blobs X'', X'41' */
  char sql[1024];
  for (int ix = 0; ix < 2; ix++) {
    snprintf(sql, sizeof sql, "CREATE TABLE t(k, d DATE, x REAL); %s %s", index[ix], rows);
    for (int seek = 0; seek <= 1; seek++) {
      th_no_seek = !seek;
      CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-05-26"), VG_OK);
      if (!th_alerts_are(0, want)) fprintf(stderr, "(empty key, index %d, seek %d)\n", ix, seek);
      CU_ASSERT_TRUE(th_alerts_are(0, want));
    }
  }
  th_no_seek = 0;
}

/* Finding 15: with columns named rowid, _rowid_ and oid all declared, the
** INTEGER PRIMARY KEY column is the rowid; here the larger id is the
** earlier row (x = 1), and it wins. */
static void test_rowid_all_shadowed(void) {
  static const char *const sql =
    "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, d DATE, x REAL, rowid INTEGER, _rowid_ INTEGER, oid INTEGER);"
    "INSERT INTO t VALUES (9, 1, '2025-01-05', 1, 1, 1, 1), (3, 1, '2025-01-05', 2, 100, 100, 100);";
  static const char *const rules = "source s { table t key k time d }\nrule r on s { red when x > 0 message \"{x}\" }\n";
  th_no_seek = 1;
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-05"), VG_OK);
  CU_ASSERT_TRUE(th_alerts_are(1, "r 1 red 1\n"));
  /* only rowid and _rowid_ shadowed: oid is the rowid */
  static const char *const sql2 =
    "CREATE TABLE t(k INTEGER, d DATE, x REAL, rowid INTEGER, _rowid_ INTEGER);"
    "INSERT INTO t VALUES (1, '2025-01-05', 1, 100, 100), (1, '2025-01-05', 2, 1, 1);";
  CU_ASSERT_EQUAL(th_run_on(sql2, rules, "2025-01-05"), VG_OK);
  CU_ASSERT_TRUE(th_alerts_are(1, "r 1 red 2\n"));
  th_no_seek = 0;
}

/* Finding 15, the org chart: of a person listed twice the later row (the
** larger real rowid) gives the manager, whatever a column named rowid says. */
static void test_rowid_org(void) {
  static const char *const sql =
    "CREATE TABLE t(k INTEGER, d DATE, x REAL);"
    "INSERT INTO t VALUES (1, '2025-01-05', 1);"
    "CREATE TABLE people(p INTEGER, boss INTEGER, rowid INTEGER);"
    "INSERT INTO people VALUES (1, 8, 100), (1, 9, 1), (8, NULL, 0), (9, NULL, 0);";
  static const char *const rules =
    "org { table people person p manager boss }\n"
    "source s { table t key k time d }\nrule r on s { red when x > 0 message \"{manager(k)}\" }\n";
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-05"), VG_OK);
  CU_ASSERT_TRUE(th_alerts_are(1, "r 1 red 9\n"));
}

/* ======================================================================== */
/* 19. No alerts                                                             */
/* ======================================================================== */

/* Regression (finding 19): with no alert at all, backtest's text report,
** its lead-time report and diff called qsort(NULL, 0, ...): undefined
** behaviour, which stops the sanitizer build (`make test SAN=1` runs this
** with the sanitizer binary).  Expected: exit 0 and the empty reports. */
static void test_no_alerts(void) {
  const char *db = path_of("none.db"), *rules = path_of("none.rules");
  CU_ASSERT_EQUAL_FATAL(make_db(db, "CREATE TABLE t(k INTEGER, d DATE, x REAL); INSERT INTO t VALUES (1, '2025-01-01', 1);"
                                    "CREATE TABLE bad(k INTEGER, d DATE); INSERT INTO bad VALUES (1, '2025-01-02');"), 0);
  CU_ASSERT_EQUAL_FATAL(spit(rules, "source s { table t key k time d }\nrule r on s { red when x > 1000 }\n"), 0);
  cmd_result r = sh("'%s' backtest --db '%s' --from 2025-01-01 --to 2025-01-03 '%s'", tu_vigil(), db, rules);
  CU_ASSERT_EQUAL(r.status, 0);
  CU_ASSERT_TRUE(has("backtest", r.out, "per rule and key"));
  if (r.status) fprintf(stderr, "\n  backtest: %s", r.err);
  cmd_free(&r);
  r = sh("'%s' backtest --db '%s' --from 2025-01-01 --to 2025-01-03 --outcome-table bad '%s'", tu_vigil(), db, rules);
  CU_ASSERT_EQUAL(r.status, 0);
  if (r.status) fprintf(stderr, "\n  lead time: %s", r.err);
  cmd_free(&r);
  r = sh("'%s' diff '%s' '%s' --db '%s' --from 2025-01-01 --to 2025-01-03 --details", tu_vigil(), rules, rules, db);
  CU_ASSERT_EQUAL(r.status, 0);
  if (r.status) fprintf(stderr, "\n  diff: %s", r.err);
  cmd_free(&r);
}

/* ======================================================================== */
/* 14. --set with long names                                                 */
/* ======================================================================== */

/* Regression (finding 14): run and backtest cut a --set name to 255 bytes,
** so `--set Q=1` with a 300-byte Q set the param named by Q's first 255
** bytes (P), and a 300-byte name no pack has set P too.  Expected: the
** whole name is matched. */
static void test_set_long_name(void) {
  char p[256], q[301], z[301];
  memset(p, 'a', 255);
  p[0] = 'p';
  p[255] = 0;
  memcpy(q, p, 255);
  memset(q + 255, 'b', 45);
  q[300] = 0;
  memcpy(z, p, 255);
  memset(z + 255, 'c', 45);
  z[300] = 0;
  const char *db = path_of("set.db"), *rules = path_of("set.rules");
  CU_ASSERT_EQUAL_FATAL(make_db(db, "CREATE TABLE t(k INTEGER, d DATE, x REAL); INSERT INTO t VALUES (1, '2025-01-01', 5);"), 0);
  char text[2048];
  snprintf(text, sizeof text, "param %s = 100\nparam %s = 100\nsource s { table t key k time d }\n"
                              "rule r on s { red when x > %s and x < %s + 1000 message \"{x}\" }\n", p, q, q, p);
  CU_ASSERT_EQUAL_FATAL(spit(rules, text), 0);
  static const char *const cmds[] = {"run --db '%s' --as-of 2025-01-01 --dry-run --format jsonl",
                                     "backtest --db '%s' --from 2025-01-01 --to 2025-01-01 --format jsonl"};
  for (int i = 0; i < 2; i++) {
    char base[1024];
    snprintf(base, sizeof base, cmds[i], db);
    cmd_result r = sh("'%s' %s --set %s=1 '%s'", tu_vigil(), base, q, rules);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_TRUE(has("the output of --set Q=1", r.out, "\"key\":\"1\""));
    cmd_free(&r);
    r = sh("'%s' %s --set %s=1 '%s'", tu_vigil(), base, z, rules);
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_TRUE(has("the error of --set Z=1", r.err, z)); /* the whole name */
    CU_ASSERT_PTR_NULL(strstr(r.out, "\"key\""));
    cmd_free(&r);
  }
}

/* ======================================================================== */
/* 10. Sources are regular text files                                       */
/* ======================================================================== */

static const char *const GOOD_RULES = "source s { table t key k time d }\nrule r on s { red when x > 1 }\n";
static const char *const GOOD_SCHEMA = "CREATE TABLE t(k INTEGER, d DATE, x REAL);\n";

/* A fresh pack folder dir/name with a.rules and schema.sql. */
static const char *fresh_pack(const char *name) {
  const char *pk = path_of(name);
  cmd_result r = sh("rm -rf '%s' && mkdir -p '%s'", pk, pk);
  cmd_free(&r);
  char f[700];
  snprintf(f, sizeof f, "%s/a.rules", pk);
  spit(f, GOOD_RULES);
  snprintf(f, sizeof f, "%s/schema.sql", pk);
  spit(f, GOOD_SCHEMA);
  return pk;
}

/* Regression (finding 10): a pack member zz.rules -> /proc/self/environ was
** read, and its first line (an environment variable, a secret) printed as
** the source line of the syntax error; a symlinked schema.sql showed a
** token of its target.  Expected: refused as a symbolic link, the target
** never read; --follow-symlinks reads a link (to a good file) as before. */
static void test_symlink_refused(void) {
  const char *pk = fresh_pack("linkpack");
  char link[700], target[700];
  snprintf(link, sizeof link, "%s/zz.rules", pk);
  CU_ASSERT_EQUAL_FATAL(symlink("/proc/self/environ", link), 0);
  static const char *const cmds[] = {"check", "compile -o /dev/null", "disasm", "test"};
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
    cmd_result r = sh("VIGIL_SECRET=hunter2 '%s' %s '%s'", tu_vigil(), cmds[i], pk);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "hunter2"));
    CU_ASSERT_TRUE(has(cmds[i], r.err, "zz.rules: a symbolic link"));
    cmd_free(&r);
  }
  /* even with the flag, the target must be a regular text file */
  cmd_result r = sh("VIGIL_SECRET=hunter2 '%s' check --follow-symlinks '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
  cmd_free(&r);
  /* a link to a good file: refused, then read with --follow-symlinks */
  remove(link);
  snprintf(target, sizeof target, "%s/good.txt", dir);
  CU_ASSERT_EQUAL(spit(target, "rule q on s { red when x > 2 }\n"), 0);
  CU_ASSERT_EQUAL_FATAL(symlink(target, link), 0);
  r = sh("'%s' check '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_TRUE(has("check", r.err, "zz.rules: a symbolic link"));
  cmd_free(&r);
  r = sh("'%s' check --follow-symlinks '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 0);
  if (r.status) fprintf(stderr, "\n  %s", r.err);
  cmd_free(&r);
  /* schema.sql as a link */
  remove(link);
  char schema[700];
  snprintf(schema, sizeof schema, "%s/schema.sql", pk);
  remove(schema);
  CU_ASSERT_EQUAL_FATAL(symlink("/proc/self/environ", schema), 0);
  r = sh("VIGIL_SECRET=hunter2 '%s' check '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_PTR_NULL(strstr(r.err, "VIGIL_SECRET"));
  CU_ASSERT_TRUE(has("check", r.err, "schema.sql: a symbolic link"));
  cmd_free(&r);
  r = sh("VIGIL_SECRET=hunter2 '%s' test '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_PTR_NULL(strstr(r.err, "VIGIL_SECRET"));
  CU_ASSERT_TRUE(has("test", r.err, "schema.sql: a symbolic link"));
  cmd_free(&r);
  /* a test file under tests/ as a link */
  remove(schema);
  spit(schema, GOOD_SCHEMA);
  char tests[700];
  snprintf(tests, sizeof tests, "%s/tests", pk);
  CU_ASSERT_EQUAL(mkdir(tests, 0700), 0);
  snprintf(link, sizeof link, "%s/tests/t.rules", pk);
  CU_ASSERT_EQUAL_FATAL(symlink("/proc/self/environ", link), 0);
  r = sh("VIGIL_SECRET=hunter2 '%s' test '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
  CU_ASSERT_TRUE(has("test", r.err, "t.rules: a symbolic link"));
  cmd_free(&r);
  /* a tests/ folder that is a link */
  remove(link);
  rmdir(tests);
  char elsewhere[700];
  snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", dir);
  mkdir(elsewhere, 0700);
  CU_ASSERT_EQUAL_FATAL(symlink(elsewhere, tests), 0);
  r = sh("'%s' test '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_TRUE(has("test", r.err, "tests: a symbolic link"));
  cmd_free(&r);
  remove(tests);
  /* fmt reads sources too */
  snprintf(link, sizeof link, "%s/zz.rules", pk);
  CU_ASSERT_EQUAL_FATAL(symlink("/proc/self/environ", link), 0);
  r = sh("VIGIL_SECRET=hunter2 '%s' fmt --check '%s'", tu_vigil(), link);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
  CU_ASSERT_TRUE(has("fmt", r.err, "a symbolic link"));
  cmd_free(&r);
}

/* Finding 10: a pack member that is not UTF-8 text (a binary file, a NUL
** byte, a Latin-1 byte) is refused as such, with its line number, and no
** line of it is quoted; the library says so without a CLI flag name. */
static void test_not_text_refused(void) {
  const char *pk = fresh_pack("binpack");
  char f[700];
  snprintf(f, sizeof f, "%s/zz.rules", pk);
  static const char nul[] = "# ok\nKEY=hunter2\0OTHER=x\n";
  static const char latin[] = "# ok\n# caf\xe9 hunter2\nrule q on s { red when x > 2 }\n";
  static const char over[] = "# ok\n# \xc0\xaf hunter2\n";
  const char *texts[] = {nul, latin, over};
  size_t lens[] = {sizeof nul - 1, sizeof latin - 1, sizeof over - 1};
  for (int i = 0; i < 3; i++) {
    CU_ASSERT_EQUAL_FATAL(spit_n(f, texts[i], lens[i]), 0);
    cmd_result r = sh("'%s' check '%s'", tu_vigil(), pk);
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
    CU_ASSERT_TRUE(has("check", r.err, "zz.rules: not a text file"));
    CU_ASSERT_TRUE(has("check", r.err, "line 2"));
    cmd_free(&r);
  }
  /* the same for a schema.sql */
  remove(f);
  snprintf(f, sizeof f, "%s/schema.sql", pk);
  CU_ASSERT_EQUAL_FATAL(spit_n(f, "CREATE TABLE t(k INTEGER, d DATE, x REAL);\0hunter2", 50), 0);
  cmd_result r = sh("'%s' check '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
  CU_ASSERT_TRUE(has("check", r.err, "schema.sql: not a text file"));
  cmd_free(&r);
  /* a FIFO is not a regular file (and reading it would wait forever) */
  remove(f);
  CU_ASSERT_EQUAL_FATAL(mkfifo(f, 0600), 0);
  r = sh("timeout 10 '%s' check '%s'", tu_vigil(), pk);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_TRUE(has("check", r.err, "schema.sql: not a regular file"));
  cmd_free(&r);
}

/* Finding 10: what vg_text_bad_line calls text: UTF-8 in its shortest form,
** no surrogates, nothing past U+10FFFF, no NUL; the line of the first
** offence. */
static void test_text_check(void) {
  static const struct {
    const char *s;
    size_t n;
    size_t line;
    int nul;
  } cases[] = {
    {"", 0, 0, 0},
    {"plain\nascii\n", 12, 0, 0},
    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x90\x8d\x88 \xf4\x8f\xbf\xbf \xef\xbb\xbf", 23, 0, 0}, /* é € 𐍈 U+10FFFF BOM */
    {"a\nb\0c", 5, 2, 1},
    {"a\n\xc0\xaf", 4, 2, 0},           /* overlong '/' */
    {"\xe0\x80\xaf", 3, 1, 0},           /* overlong, 3 bytes */
    {"\xed\xa0\x80", 3, 1, 0},           /* a surrogate */
    {"\xf4\x90\x80\x80", 4, 1, 0},       /* past U+10FFFF */
    {"\xf5\x80\x80\x80", 4, 1, 0},
    {"\x80", 1, 1, 0},                   /* a continuation byte alone */
    {"x\n\n\xe2\x82", 5, 3, 0},           /* cut short at the end */
    {"\xe2\x28\xa1", 3, 1, 0},           /* a bad continuation */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int nul = -1;
    size_t line = vg_text_bad_line(cases[i].s, cases[i].n, &nul);
    CU_ASSERT_EQUAL(line, cases[i].line);
    CU_ASSERT_EQUAL(nul, cases[i].nul);
    if (line != cases[i].line || nul != cases[i].nul) fprintf(stderr, "\n  case %zu: line %zu nul %d\n", i, line, nul);
  }
}

/* Regression (finding 10): `vigil diff git:REV:PATH` extracted the
** revision with git archive and tar, symlinks included, so a pull request
** could point a pack member at any file of the machine.  Expected: a
** symlink in the revision is refused (and its target not printed). */
static void test_diff_git_symlink(void) {
  if (system("git --version >/dev/null 2>&1") != 0) {
    fprintf(stderr, "\n(git is not installed: git:REV:PATH is not tested)\n");
    return;
  }
  const char *db = path_of("gitdiff.db");
  CU_ASSERT_EQUAL_FATAL(make_db(db, "CREATE TABLE t(k INTEGER, d DATE, x REAL); INSERT INTO t VALUES (1, '2025-01-01', 5);"), 0);
  const char *repo = path_of("repo");
  cmd_result r = sh("rm -rf '%s' && mkdir -p '%s/pk' && cd '%s' && git init -q . && printf '%%s' '%s' >pk/a.rules && "
                    "printf '%%s' '%s' >pk/schema.sql && ln -s /proc/self/environ pk/zz.rules && ln -s a.rules pk/one.rules && "
                    "git add pk && git -c user.name=t -c user.email=t@example.com commit -q -m pack",
                    repo, repo, repo, GOOD_RULES, GOOD_SCHEMA);
  CU_ASSERT_EQUAL_FATAL(r.status, 0);
  cmd_free(&r);
  r = sh("cd '%s' && rm pk/zz.rules pk/one.rules && VIGIL_SECRET=hunter2 '%s' diff git:HEAD:pk pk --db '%s' --from 2025-01-01 --to 2025-01-02",
         repo, tu_vigil(), db);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_PTR_NULL(strstr(r.err, "hunter2"));
  CU_ASSERT_TRUE(has("diff", r.err, "a symbolic link"));
  cmd_free(&r);
  /* git:REV:FILE where the file is a symlink */
  r = sh("cd '%s' && '%s' diff git:HEAD:pk/one.rules pk/a.rules --db '%s' --from 2025-01-01 --to 2025-01-02", repo, tu_vigil(), db);
  CU_ASSERT_EQUAL(r.status, 1);
  CU_ASSERT_TRUE(has("diff", r.err, "a symbolic link"));
  cmd_free(&r);
}

/* ---- registration ------------------------------------------------------------------ */

static int suite_init(void) {
  snprintf(dir, sizeof dir, "/tmp/vigil-dbrobust-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int suite_cleanup(void) {
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  th_cleanup();
  return system(cmd) == 0 ? 0 : -1;
}

int unit_register_dbrobust(void) {
  CU_pSuite s = CU_add_suite("dbrobust", suite_init, suite_cleanup);
  if (!s) return CU_get_error();
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
    {"regression 4: a locked database is waited for (schema, dates, run, check)", test_lock_waited_for},
    {"regression 4: index advice waits for a lock", test_lock_index_advice},
    {"4: a lock held too long: one message everywhere", test_lock_message},
    {"regression 6: vigil_runs.run_id that is not the rowid is refused", test_runs_run_id_not_rowid},
    {"6: re-runs replace, alerts continue (the shape Vigil makes)", test_runs_good_rerun},
    {"6: vigil_alerts of another shape is refused", test_alerts_shape_refused},
    {"6: older Vigil tables are upgraded", test_older_tables_upgraded},
    {"6: vigil_backtest and vigil_outbox are checked", test_backtest_outbox_shape},
    {"regression 13: a user table vigil_probe", test_vigil_probe_not_reserved},
    {"regression 15: a column named rowid (scan, seeks, lookups)", test_rowid_column},
    {"15: rowid, _rowid_ and oid all declared", test_rowid_all_shadowed},
    {"15: the org chart's duplicates", test_rowid_org},
    {"regression 19: backtest, lead time and diff with no alerts", test_no_alerts},
    {"regression 14: --set with a 300-byte param name", test_set_long_name},
    {"regression 10: symlinked sources are refused", test_symlink_refused},
    {"10: sources that are not text are refused unquoted", test_not_text_refused},
    {"10: what counts as text", test_text_check},
    {"regression 10: diff git:REV:PATH refuses symlinks", test_diff_git_symlink},
    {"regression: keys are one entity when SQLite finds them equal (seek and scan)", test_key_identity},
    {"regression: an empty blob or text key is bound as itself, not NULL (seek and scan)", test_empty_key_bound},
  };
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return CU_get_error();
  return CUE_SUCCESS;
}
