/*
** test_pg.c — the suite "postgres" (issue 14): the same data in a SQLite file
** and in PostgreSQL gives the same output, byte for byte.
**
** The suite's init starts a throwaway PostgreSQL 15 (tests/pg/server.sh) in a
** temporary folder and its cleanup stops it.  Each test builds a SQLite file,
** copies it into a fresh PostgreSQL database (tests/pg/load.py, or by hand for
** the types table), runs the vigil binary (VIGIL, VIGIL_ROOT as for the golden
** tests) once with --db FILE and once with --db postgresql://..., and compares
** stdout and the exit status.  Stderr is not compared for runs: the demo data
** holds values PostgreSQL cannot store ('n/a' in a double column, 2025-02-30 in
** a date column), which load.py loads as NULL, so the warnings differ.
**
** Without PostgreSQL 15 (/usr/lib/postgresql/15/bin): as root on Debian, where
** it can be installed (and CI installs it), every test fails naming the
** package; elsewhere the suite is registered inactive, with a line on stderr.
*/
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "pgtest.h"

static char tmp[512];   /* the suite's temporary folder */
static char base[256];  /* postgresql://vigil@127.0.0.1:PORT (no database) */
static int server_up;   /* 1 when the server runs */
static char why[1024];  /* why it does not */

/* 1 when the server runs; otherwise a failure saying why. */
static int need_server(void) {
  if (server_up) return 1;
  pgt_fail("no PostgreSQL server: %s%s%s", why, "", "");
  return 0;
}

/* Runs cmd; 1 when it exits 0, else a failure showing its stderr. */
static int ok_cmd(const char *what, const char *cmd) {
  char out[600], err[600];
  snprintf(out, sizeof out, "%s/cmd.out", tmp);
  snprintf(err, sizeof err, "%s/cmd.err", tmp);
  int st = pgt_sh(cmd, out, err);
  if (st == 0) return 1;
  char *e = tu_slurp(err, NULL);
  char stc[16];
  snprintf(stc, sizeof stc, "%d", st);
  pgt_fail("%s failed (exit %s): %s", what, stc, e ? e : "");
  free(e);
  return 0;
}

/* A fresh PostgreSQL database name (dropped first); with icu, its collation
** is ICU's en-US ('a' < 'B' < 'b'), not byte order.  Its URI into uri. */
static int fresh_pg(const char *name, int icu, char *uri, size_t n) {
  char cmd[1400];
  snprintf(cmd, sizeof cmd,
           "psql -X -q -v ON_ERROR_STOP=1 '%s/vigil' -c 'DROP DATABASE IF EXISTS %s' "
           "-c \"CREATE DATABASE %s%s\"",
           base, name, name, icu ? " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' TEMPLATE template0" : "");
  snprintf(uri, n, "%s/%s", base, name);
  return ok_cmd("creating a PostgreSQL database", cmd);
}

/* Runs sql (any number of statements) in the PostgreSQL database uri. */
static int pg_exec(const char *uri, const char *sql) {
  char path[600], cmd[1400];
  snprintf(path, sizeof path, "%s/pg.sql", tmp);
  FILE *f = fopen(path, "wb");
  if (!f) { CU_FAIL("cannot write pg.sql"); return 0; }
  fputs(sql, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "psql -X -q -1 -v ON_ERROR_STOP=1 '%s' -f '%s'", uri, path);
  return ok_cmd("psql", cmd);
}

/* A fresh SQLite file db from the SQL texts of the files (NULL-ended) and
** then the SQL text extra (may be NULL). */
static int make_sqlite(const char *db, const char *const *files, const char *extra) {
  unlink(db);
  sqlite3 *h;
  if (sqlite3_open(db, &h) != SQLITE_OK) { sqlite3_close(h); pgt_fail("cannot create %s%s%s", db, "", ""); return 0; }
  int ok = 1;
  for (int i = 0; ok && (files[i] || extra); i++) {
    char *sql = files[i] ? tu_slurp(files[i], NULL) : NULL;
    const char *text = files[i] ? sql : extra;
    char *err = NULL;
    if (!text) { pgt_fail("cannot read %s%s%s", files[i], "", ""); ok = 0; }
    else if (sqlite3_exec(h, text, NULL, NULL, &err) != SQLITE_OK) {
      pgt_fail("%s: %s%s", files[i] ? files[i] : "SQL", err ? err : "", "");
      ok = 0;
    }
    sqlite3_free(err);
    free(sql);
    if (!files[i]) break;
  }
  sqlite3_close(h);
  return ok;
}

/* Copies the SQLite file db into the PostgreSQL database uri (load.py). */
static int load(const char *db, const char *uri, const char *dates_as) {
  char cmd[2400];
  snprintf(cmd, sizeof cmd, "python3 '%s/tests/pg/load.py' '%s' '%s' --dates-as %s --bad-values null", tu_root(), db,
           uri, dates_as);
  return ok_cmd("tests/pg/load.py", cmd);
}

/* text without its index notes: each database is read its own way (per-key
** seeks in SQLite, one ordered read in PostgreSQL), so the index each needs
** differs; test_index_advice checks PostgreSQL's advice does what it says. */
static void cut_notes(char *text, size_t *n) {
  static const char note[] = "vigil: note: table ", mark[] = " has no index";
  char *w = text;
  for (char *l = text; l < text + *n;) {
    char *e = memchr(l, '\n', (size_t)(text + *n - l));
    size_t len = e ? (size_t)(e - l) + 1 : (size_t)(text + *n - l);
    char *m = strncmp(l, note, sizeof note - 1) == 0 ? strstr(l, mark) : NULL;
    if (!m || (e && m > e)) {
      memmove(w, l, len);
      w += len;
    }
    l += len;
  }
  *n = (size_t)(w - text);
  *w = 0;
}

/* Dates stored as text in PostgreSQL are a string column: naming one as a
** source's time is E-type, as a TEXT column is in SQLite (LANGUAGE.md 11.7). */
static void text_dates_refused(const char *uri, const char *date, const char *path) {
  char cmd[2000], out[600], err[600];
  snprintf(cmd, sizeof cmd, "%s run --db '%s' --as-of %s --dry-run '%s'", tu_vigil(), uri, date, path);
  snprintf(out, sizeof out, "%s/text.out", tmp);
  snprintf(err, sizeof err, "%s/text.err", tmp);
  int st = pgt_sh(cmd, out, err);
  char *e = tu_slurp(err, NULL);
  CU_ASSERT_EQUAL(st, 1);
  CU_ASSERT_PTR_NOT_NULL(e);
  if (e && !(strstr(e, "is declared as a string; declare it DATE") && strstr(e, "[E-type]")))
    pgt_fail("%s: expected E-type for a text time column, got: %.2000s%s", cmd, e, "");
  free(e);
}

/* Runs `vigil SUB --db DB ARGS` against the SQLite file db and the
** PostgreSQL database uri; 1 when stdout and the exit status are the same
** (and stderr too when with_err, index notes cut by cut_notes), the SQLite run exited want_exit (-1: any)
** and printed something.  Otherwise a failure with both commands, and the
** diff on stderr. */
static int same(const char *sub, const char *db, const char *uri, const char *args, int with_err, int want_exit) {
  char cmd[2][3000], out[2][600], err[2][600];
  int st[2];
  char *o[2], *e[2];
  size_t on[2], en[2];
  for (int i = 0; i < 2; i++) {
    snprintf(cmd[i], sizeof cmd[i], "%s %s --db '%s' %s", tu_vigil(), sub, i ? uri : db, args);
    snprintf(out[i], sizeof out[i], "%s/%s.out", tmp, i ? "pg" : "sqlite");
    snprintf(err[i], sizeof err[i], "%s/%s.err", tmp, i ? "pg" : "sqlite");
    st[i] = pgt_sh(cmd[i], out[i], err[i]);
    o[i] = tu_slurp(out[i], &on[i]);
    e[i] = tu_slurp(err[i], &en[i]);
  }
  if (with_err && e[0] && e[1]) { cut_notes(e[0], &en[0]); cut_notes(e[1], &en[1]); }
  int ok = 1;
  const char *what = "";
  if (!o[0] || !o[1] || !e[0] || !e[1]) { ok = 0; what = "cannot read the outputs"; }
  else if (want_exit >= 0 && st[0] != want_exit) { ok = 0; what = "the SQLite run's exit status is not the expected one"; }
  else if (on[0] == 0) { ok = 0; what = "the SQLite run printed nothing (a test that cannot fail)"; }
  else if (st[0] != st[1]) { ok = 0; what = "the exit statuses differ"; }
  else if (on[0] != on[1] || memcmp(o[0], o[1], on[0]) != 0) { ok = 0; what = "stdout differs"; }
  else if (with_err && (en[0] != en[1] || memcmp(e[0], e[1], en[0]) != 0)) { ok = 0; what = "stderr differs"; }
  if (!ok) {
    char sts[64], line[8000];
    snprintf(sts, sizeof sts, "exit %d and %d", st[0], st[1]);
    snprintf(line, sizeof line, "%s (%s)\n  sqlite: %s\n  pg:     %s", what, sts, cmd[0], cmd[1]);
    pgt_fail("%s%s%s", line, "", "");
    fprintf(stderr, "---- %s\n  sqlite: %s\n  pg:     %s\n", what, cmd[0], cmd[1]);
    fflush(stderr);
    char diff[2000];
    snprintf(diff, sizeof diff, "diff -u '%s' '%s' | head -40 >&2; echo '  pg stderr:' >&2; head -5 '%s' >&2",
             out[0], out[1], err[1]);
    if (system(diff) == -1) fprintf(stderr, "(no diff)\n");
    if (with_err && e[0] && e[1]) fprintf(stderr, "  sqlite stderr:\n%s  pg stderr:\n%s", e[0], e[1]);
  } else {
    CU_PASS("same output");
  }
  for (int i = 0; i < 2; i++) { free(o[i]); free(e[i]); }
  return ok;
}

/* `vigil run --dry-run` as of date in each format. */
static void same_run(const char *db, const char *uri, const char *date, const char *path) {
  static const char *const formats[] = {"jsonl", "csv", "text"};
  for (int f = 0; f < 3; f++) {
    char args[1400];
    snprintf(args, sizeof args, "--as-of %s --dry-run --format %s '%s'", date, formats[f], path);
    same("run", db, uri, args, 0, 0);
  }
}

/* ---- the suite ---------------------------------------------------------------- */

static int pg_init(void) {
  const char *t = getenv("TMPDIR");
  snprintf(tmp, sizeof tmp, "%s/vigil-pg-XXXXXX", t && *t ? t : "/tmp");
  if (!mkdtemp(tmp)) {
    snprintf(tmp, sizeof tmp, "/tmp/vigil-pg-XXXXXX");
    if (!mkdtemp(tmp)) { tmp[0] = 0; snprintf(why, sizeof why, "cannot make a temporary folder"); return 0; }
  }
  chmod(tmp, 0711); /* the server's user (postgres, when root) reaches srv/ */
  char cmd[1400], out[600], err[600];
  snprintf(cmd, sizeof cmd, "sh '%s/tests/pg/server.sh' start '%s/srv'", tu_root(), tmp);
  snprintf(out, sizeof out, "%s/server.out", tmp);
  snprintf(err, sizeof err, "%s/server.err", tmp);
  int st = pgt_sh(cmd, out, err);
  char *uri = tu_slurp(out, NULL), *e = tu_slurp(err, NULL);
  if (st == 0 && uri && strncmp(uri, "postgresql://", 13) == 0) {
    size_t n = strcspn(uri, "\n");
    uri[n] = 0;
    char *slash = strrchr(uri, '/');
    if (slash && slash > uri + 13) *slash = 0; /* drop the database */
    snprintf(base, sizeof base, "%s", uri);
    server_up = 1;
  } else if (st == 77) {
    snprintf(why, sizeof why, "%s", INSTALL);
  } else {
    snprintf(why, sizeof why, "tests/pg/server.sh failed (exit %d): %.900s", st, e ? e : "");
  }
  free(uri);
  free(e);
  return 0;
}

static int pg_cleanup(void) {
  if (!tmp[0]) return 0;
  char cmd[1400];
  if (server_up) {
    snprintf(cmd, sizeof cmd, "sh '%s/tests/pg/server.sh' stop '%s/srv'", tu_root(), tmp);
    if (system(cmd) != 0) fprintf(stderr, "test_pg: cannot stop the server in %s/srv\n", tmp);
    server_up = 0;
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd) != 0) fprintf(stderr, "test_pg: cannot remove %s\n", tmp);
  tmp[0] = 0;
  return 0;
}

/* ---- the acceptance example ------------------------------------------------------ */

static void test_acceptance(void) {
  if (!need_server()) return;
  char db[600], fixture[600], dir[600], rules[700], uri[512];
  snprintf(db, sizeof db, "%s/acceptance.db", tmp);
  snprintf(fixture, sizeof fixture, "%s/tests/acceptance/fixture.sql", tu_root());
  snprintf(dir, sizeof dir, "%s/tests/acceptance", tu_root());
  snprintf(rules, sizeof rules, "%s/acceptance.rules", dir);
  const char *files[] = {fixture, NULL};
  if (!make_sqlite(db, files, NULL)) return;
  static const char *const dates_as[] = {"text", "date"};
  for (int d = 0; d < 2; d++) {
    char name[64];
    snprintf(name, sizeof name, "acceptance_%s", dates_as[d]);
    if (!fresh_pg(name, d, uri, sizeof uri) || !load(db, uri, dates_as[d])) continue;
    if (d == 0) { text_dates_refused(uri, "2025-03-14", rules); continue; }
    DIR *dh = opendir(dir);
    int dates = 0;
    for (struct dirent *ent; dh && (ent = readdir(dh)) != NULL;) {
      char date[11];
      if (sscanf(ent->d_name, "expected-%10[0-9-].jsonl", date) != 1) continue;
      dates++;
      same_run(db, uri, date, rules);
    }
    if (dh) closedir(dh);
    CU_ASSERT(dates > 0);
  }
}

/* ---- the packs' demos ----------------------------------------------------------- */

/* The dates each pack's demo is shown at (README.md, tests/demo.test, make demo). */
static const struct { const char *pack, *dates[4]; } DEMO_DATES[] = {
  {"distributor", {"2025-06-30", "2025-06-21", NULL}},
  {"hardware", {"2025-05-16", "2025-05-02", NULL}},
  {"saas", {"2025-06-30", "2025-06-13", "2025-05-30", NULL}},
  {"startup", {"2025-05-16", "2025-05-02", NULL}},
};
enum { NPACKS = sizeof DEMO_DATES / sizeof *DEMO_DATES };

/* Builds examples/PACK's demo as a SQLite file (into db) and, once per way of
** storing dates, as a PostgreSQL database (into uri[0], text dates, byte-order
** collation; uri[1], date columns, ICU collation).  Returns 1 on success. */
static int pack_dbs(const char *pack, char *db, size_t dbn, char uri[2][512]) {
  char schema[600], demo[600];
  snprintf(db, dbn, "%s/%s.db", tmp, pack);
  snprintf(schema, sizeof schema, "%s/examples/%s/schema.sql", tu_root(), pack);
  snprintf(demo, sizeof demo, "%s/examples/%s/demo.sql", tu_root(), pack);
  const char *files[] = {schema, demo, NULL};
  if (access(db, R_OK) != 0 && !make_sqlite(db, files, NULL)) return 0;
  for (int d = 0; d < 2; d++) {
    char name[128];
    snprintf(name, sizeof name, "pack_%s_%s", pack, d ? "date" : "text");
    if (!fresh_pg(name, d, uri[d], sizeof uri[d]) || !load(db, uri[d], d ? "date" : "text")) return 0;
  }
  return 1;
}

/* Every pack folder of examples/ has its dates here, and 2 at least. */
static void test_pack_dates(void) {
  char ex[600];
  snprintf(ex, sizeof ex, "%s/examples", tu_root());
  DIR *dh = opendir(ex);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
  int seen = 0;
  for (struct dirent *ent; (ent = readdir(dh)) != NULL;) {
    char schema[1200];
    snprintf(schema, sizeof schema, "%s/%s/schema.sql", ex, ent->d_name);
    if (ent->d_name[0] == '.' || access(schema, R_OK) != 0) continue;
    int found = 0;
    for (int p = 0; p < NPACKS; p++)
      if (strcmp(DEMO_DATES[p].pack, ent->d_name) == 0) found = DEMO_DATES[p].dates[1] != NULL;
    if (!found) pgt_fail("examples/%s has no demo dates in test_pg.c's DEMO_DATES%s%s", ent->d_name, "", "");
    seen++;
  }
  closedir(dh);
  CU_ASSERT_EQUAL(seen, NPACKS);
}

static void test_pack_runs(void) {
  if (!need_server()) return;
  for (int p = 0; p < NPACKS; p++) {
    char db[600], uri[2][512], path[600];
    if (!pack_dbs(DEMO_DATES[p].pack, db, sizeof db, uri)) continue;
    snprintf(path, sizeof path, "%s/examples/%s", tu_root(), DEMO_DATES[p].pack);
    text_dates_refused(uri[0], DEMO_DATES[p].dates[0], path);
    for (int i = 0; DEMO_DATES[p].dates[i]; i++) same_run(db, uri[1], DEMO_DATES[p].dates[i], path);
  }
}

/* vigil check --db on each pack: exit 0, the same stdout and stderr. */
static void test_pack_check(void) {
  if (!need_server()) return;
  for (int p = 0; p < NPACKS; p++) {
    char db[600], uri[2][512], args[700];
    if (!pack_dbs(DEMO_DATES[p].pack, db, sizeof db, uri)) continue;
    snprintf(args, sizeof args, "'%s/examples/%s'", tu_root(), DEMO_DATES[p].pack);
    same("check", db, uri[1], args, 1, 0);
  }
}

/* vigil backtest over five weeks of the saas demo. */
static void test_backtest(void) {
  if (!need_server()) return;
  char db[600], uri[2][512];
  if (!pack_dbs("saas", db, sizeof db, uri)) return;
  static const char *const how[] = {
    "--from 2025-05-26 --to 2025-06-30 --every 1week --format jsonl",
    "--from 2025-05-26 --to 2025-06-30 --every 1week --format csv",
    "--from 2025-05-26 --to 2025-06-30 --every 1week --format text",
    "--from 2025-06-01 --to 2025-06-30 --at-snapshots --format jsonl",
  };
  for (size_t i = 0; i < sizeof how / sizeof *how; i++) {
    char args[1400];
    snprintf(args, sizeof args, "%s '%s/examples/saas'", how[i], tu_root());
    same("backtest", db, uri[1], args, 0, 0);
  }
}

/* check --db postgresql:// advises an index for each table a run reads in
** an order no index gives; once they are made, it advises none. */
static void test_index_advice(void) {
  if (!need_server()) return;
  char db[600], uri[512], cmd[2400], out[600], err[600];
  snprintf(db, sizeof db, "%s/saas.db", tmp);
  if (access(db, R_OK) != 0 || !fresh_pg("advice", 1, uri, sizeof uri) || !load(db, uri, "date")) return;
  /* no index but the primary keys */
  if (!pg_exec(uri, "DO $$ DECLARE i record; BEGIN FOR i IN SELECT indexrelid::regclass AS n FROM pg_index x"
                    " JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace s ON s.oid = c.relnamespace"
                    " WHERE s.nspname = 'public' AND NOT x.indisprimary LOOP EXECUTE 'DROP INDEX ' || i.n; END LOOP; END $$;"))
    return;
  snprintf(cmd, sizeof cmd, "%s check --db '%s' '%s/examples/saas'", tu_vigil(), uri, tu_root());
  snprintf(out, sizeof out, "%s/advice.out", tmp);
  snprintf(err, sizeof err, "%s/advice.err", tmp);
  CU_ASSERT_EQUAL(pgt_sh(cmd, out, err), 0);
  char *e = tu_slurp(err, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  /* every "with CREATE INDEX ... it streams" becomes a statement */
  char sql[16384] = "";
  int notes = 0;
  for (char *l = e; (l = strstr(l, "with CREATE INDEX ")) != NULL; notes++) {
    l += 5;
    char *end = strstr(l, " it streams");
    if (!end) break;
    size_t n = (size_t)(end - l) - (end[-1] == ',' ? 1 : 0);
    strncat(sql, l, n < sizeof sql - strlen(sql) - 3 ? n : 0);
    strcat(sql, ";\n");
  }
  CU_ASSERT(notes >= 2); /* sales_snapshot, deals, ... */
  free(e);
  if (!pg_exec(uri, sql)) return;
  CU_ASSERT_EQUAL(pgt_sh(cmd, out, err), 0);
  e = tu_slurp(err, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  if (strstr(e, "has no index")) pgt_fail("advice remains after making the advised indexes:\n%.3000s%s%s", e, "", "");
  free(e);
}

/* ---- the types table ------------------------------------------------------------ */

/* The same values on both sides: what a SQLite file holds after inserting
** them (NaN becomes NULL there; a real is the float4 value widened).  The
** PostgreSQL database runs in America/New_York, so a timestamptz read in
** the session's zone shows the wrong day. */
static const char TYPES_SQLITE[] =
  "CREATE TABLE typed (id INTEGER, d DATE, i INTEGER, b BIGINT, f DOUBLE PRECISION, r REAL, n NUMERIC,"
  " dd DATE, ts TIMESTAMP, tz TIMESTAMP, t TEXT);\n"
  "INSERT INTO typed VALUES\n"
  " (1, '2025-03-03', 1, 1, 1.5, 0.5, 1.5, '2025-03-01', '2025-03-01 10:00:00', '2025-03-01 10:00:00+00:00', 'a'),\n"
  " (2, '2025-03-04', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),\n"
  " (3, '2025-03-05', 2147483647, 9223372036854775807, 9e999, 9e999, 9e999, '1999-12-31',"
  "  '2025-03-01 23:59:59', '2025-03-01 23:30:00-05:00', 'B'),\n"
  " (4, '2025-03-06', -2147483648, -9223372036854775808, -9e999, -9e999, -9e999, '2025-02-28',"
  "  '2025-03-02 00:00:00', '2025-03-02 01:30:00+02:00', 'b'),\n"
  " (5, '2025-03-07', 0, 9007199254740993, NULL, NULL, NULL, '2024-02-29', '2024-02-29 12:00:00',"
  "  '2024-02-29 12:00:00+00:00', ''),\n"
  " (6, '2025-03-08', -7, -9007199254740993, 0.1, 0.10000000149011612, 0.1, '2025-12-31', '2025-12-31 23:59:59.999',"
  "  '2025-12-31 23:00:00-01:00', 'h\xc3\xa9llo'),\n"
  " (7, '2025-03-09', 3, 3, 1e-300, 1.401298464324817e-45, 12345678901234567890.123, '2025-03-09', '2025-03-09 00:00:00',"
  "  '2025-03-09 00:00:00+00:00', '_z'),\n"
  " (8, '2025-03-10', 10, 10, -0.0, 3.4028234663852886e38, 0, '2025-03-10', '2025-03-10 00:00:00',"
  "  '2025-03-10 00:00:00+00:00', 'e\xcc\x81');\n";

static const char TYPES_PG[] =
  "CREATE TABLE typed (id integer, d date, i integer, b bigint, f double precision, r real, n numeric,"
  " dd date, ts timestamp, tz timestamptz, t text);\n"
  "INSERT INTO typed VALUES\n"
  " (1, '2025-03-03', 1, 1, 1.5, 0.5, 1.5, '2025-03-01', '2025-03-01 10:00:00', '2025-03-01 10:00:00+00', 'a'),\n"
  " (2, '2025-03-04', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),\n"
  " (3, '2025-03-05', 2147483647, 9223372036854775807, 'Infinity', 'Infinity', 'Infinity', '1999-12-31',"
  "  '2025-03-01 23:59:59', '2025-03-01 23:30:00-05', 'B'),\n"
  " (4, '2025-03-06', -2147483648, -9223372036854775808, '-Infinity', '-Infinity', '-Infinity', '2025-02-28',"
  "  '2025-03-02 00:00:00', '2025-03-02 01:30:00+02', 'b'),\n"
  " (5, '2025-03-07', 0, 9007199254740993, 'NaN', 'NaN', 'NaN', '2024-02-29', '2024-02-29 12:00:00',"
  "  '2024-02-29 12:00:00+00', ''),\n"
  " (6, '2025-03-08', -7, -9007199254740993, 0.1, 0.1, 0.1, '2025-12-31', '2025-12-31 23:59:59.999',"
  "  '2025-12-31 23:00:00-01', 'h\xc3\xa9llo'),\n"
  " (7, '2025-03-09', 3, 3, 1e-300, 1.401298464324817e-45, 12345678901234567890.123, '2025-03-09', '2025-03-09 00:00:00',"
  "  '2025-03-09 00:00:00+00', '_z'),\n"
  " (8, '2025-03-10', 10, 10, '-0', 3.4028234663852886e38, 0, '2025-03-10', '2025-03-10 00:00:00',"
  "  '2025-03-10 00:00:00+00', 'e\xcc\x81');\n";

/* A rule per column: each shows its value, compares it and computes with it. */
static const char TYPES_RULES[] =
  "pack types\n"
  "source s {\n  table typed\n  key id\n  time d\n}\n"
  "rule show on s {\n"
  "  yellow when id > 0\n"
  "  message \"i={i} b={b} f={f} r={r} n={n} dd={dd} ts={ts} tz={tz} t=[{t}]\"\n"
  "}\n"
  "rule ints on s {\n  orange when i > 2 or b > 9007199254740992 or b < -9007199254740992\n"
  "  message \"{i + 1} {b - 1} {b / 2} {i / 0}\"\n}\n"
  "rule doubles on s {\n  red when f > 1 or f < 1 or f is null\n  message \"{f * 2} {f - f} {1 / f} {f:pct}\"\n}\n"
  "rule reals on s {\n  red when r > 0.1 or r < 0.2\n  message \"{r * 2} {r - 0.1} {r:pct}\"\n}\n"
  "rule numerics on s {\n  red when n >= 0 or n < 0\n  message \"{n * 2} {n - 0.1} {n / 0}\"\n}\n"
  "rule dates on s {\n  yellow when dd < as_of or ts < as_of or tz < as_of\n"
  "  message \"{as_of - dd} {as_of - ts} {as_of - tz} {dd} {ts} {tz}\"\n}\n"
  "rule texts on s {\n  orange when t < \"b\"\n  message \"[{t}] < b\"\n}\n"
  "rule texts_ge on s {\n  orange when t >= \"b\"\n  message \"[{t}] >= b\"\n}\n";

static void test_types(void) {
  if (!need_server()) return;
  char db[600], rules[600], uri[512];
  snprintf(db, sizeof db, "%s/types.db", tmp);
  snprintf(rules, sizeof rules, "%s/types.rules", tmp);
  const char *none[] = {NULL};
  if (!make_sqlite(db, none, TYPES_SQLITE)) return;
  FILE *f = fopen(rules, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(TYPES_RULES, f);
  fclose(f);
  if (!fresh_pg("types", 1, uri, sizeof uri)) return;
  if (!pg_exec(uri, "ALTER DATABASE types SET timezone = 'America/New_York';")) return;
  if (!pg_exec(uri, TYPES_PG)) return;
  same_run(db, uri, "2025-03-31", rules);
  char args[1400];
  snprintf(args, sizeof args, "'%s'", rules);
  same("check", db, uri, args, 1, 0);
}

/* ---- hostile identifiers ---------------------------------------------------------- */

#define HT "t\"; x'); DROP TABLE victim; --"
#define HK "k\"; '); DROP TABLE victim; --"
#define HC "c;\"'); DROP TABLE victim; --"
#define HQ "q\"uo``te' \xe9\x94\x80"
static const char HOSTILE_SQL[] =
  "CREATE TABLE victim (v INTEGER);\n"
  "INSERT INTO victim VALUES (1), (2), (3);\n"
  "CREATE TABLE \"t\"\"; x'); DROP TABLE victim; --\" (\"k\"\"; '); DROP TABLE victim; --\" INTEGER,"
  " d DATE, \"c;\"\"'); DROP TABLE victim; --\" REAL, \"q\"\"uo`te' \xe9\x94\x80\" TEXT);\n"
  "CREATE INDEX \"i\"\"; '); DROP TABLE victim; --\" ON \"t\"\"; x'); DROP TABLE victim; --\""
  " (\"k\"\"; '); DROP TABLE victim; --\", d);\n"
  "INSERT INTO \"t\"\"; x'); DROP TABLE victim; --\" VALUES (1, '2025-03-01', 5, 'a'), (1, '2025-03-08', 50, 'b'),"
  " (2, '2025-03-01', 7, 'c'), (2, '2025-03-08', 8, 'd'), (3, '2025-03-08', NULL, 'e'), (4, '2025-03-08', 99, 'skip');\n";
static const char HOSTILE_RULES[] =
  "pack `p\"; '); DROP TABLE victim; --`\n"
  "source s {\n  table `" HT "`\n  key `" HK "`\n  time d\n  where `" HQ "` != \"skip\"\n}\n"
  "rule `r\"; '); DROP TABLE victim; --` on s {\n"
  "  let c = `" HC "`\n  let q = `" HQ "`\n"
  "  let p = prev(`" HC "`)\n"
  "  red when c > 10 or c > p\n"
  "  message \"{c} {p} [{q}]\"\n}\n";

static void test_hostile(void) {
  if (!need_server()) return;
  char db[600], rules[600], uri[512], args[1400];
  snprintf(db, sizeof db, "%s/hostile.db", tmp);
  snprintf(rules, sizeof rules, "%s/hostile.rules", tmp);
  const char *none[] = {NULL};
  if (!make_sqlite(db, none, HOSTILE_SQL)) return;
  FILE *f = fopen(rules, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(HOSTILE_RULES, f);
  fclose(f);
  if (!fresh_pg("hostile", 1, uri, sizeof uri) || !load(db, uri, "date")) return;
  same_run(db, uri, "2025-03-10", rules);
  snprintf(args, sizeof args, "'%s'", rules);
  same("check", db, uri, args, 1, 0);
  /* a recorded run too: the names go into vigil_runs and vigil_alerts */
  snprintf(args, sizeof args, "--as-of 2025-03-10 --format jsonl '%s'", rules);
  same("run", db, uri, args, 0, 0);
  /* nothing was dropped, on either side */
  char sql[600], cmd[1400], out[600], err[600];
  snprintf(sql, sizeof sql, "%s/victim.sql", tmp);
  f = fopen(sql, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("SELECT count(*) FROM victim;\nSELECT count(*) FROM \"t\"\"; x'); DROP TABLE victim; --\";\n", f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "psql -X -At -v ON_ERROR_STOP=1 '%s' -f '%s'", uri, sql);
  snprintf(out, sizeof out, "%s/victim.out", tmp);
  snprintf(err, sizeof err, "%s/victim.err", tmp);
  int st = pgt_sh(cmd, out, err);
  char *got = tu_slurp(out, NULL);
  CU_ASSERT_EQUAL(st, 0);
  CU_ASSERT_PTR_NOT_NULL(got);
  if (got) CU_ASSERT_STRING_EQUAL(got, "3\n6\n");
  free(got);
  sqlite3 *h;
  int n = -1;
  if (sqlite3_open(db, &h) == SQLITE_OK) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM victim", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  CU_ASSERT_EQUAL(n, 3);
}

/* ---- registration ---------------------------------------------------------------- */

int unit_register_postgres(void) {
  CU_pSuite s = CU_add_suite("postgres", pg_init, pg_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "every pack has demo dates", test_pack_dates) ||
      !CU_add_test(s, "acceptance example: SQLite = PostgreSQL", test_acceptance) ||
      !CU_add_test(s, "packs' demos: run, 3 formats (text dates: E-type)", test_pack_runs) ||
      !CU_add_test(s, "packs: check --db postgresql://", test_pack_check) ||
      !CU_add_test(s, "check --db postgresql://: the advised indexes", test_index_advice) ||
      !CU_add_test(s, "backtest on the saas demo", test_backtest) ||
      !CU_add_test(s, "types: integer .. timestamptz, NULL, infinities, NaN", test_types) ||
      !CU_add_test(s, "hostile identifiers", test_hostile))
    return CU_get_error();
  pgt_need_postgres(s);
  return CUE_SUCCESS;
}
