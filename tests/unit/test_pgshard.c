/*
** test_pgshard.c — the suite "postgres: shards" (issue 14): sharded runs on
** one PostgreSQL server and on a cluster, killed shards, and failures.
**
** The suite's init starts a throwaway PostgreSQL 15 (tests/pg/server.sh) and
** a cluster, a coordinator and two workers with postgres_fdw
** (tests/pg/cluster.py), in a temporary folder; its cleanup stops them.  The
** saas demo is built as a SQLite file and copied into PostgreSQL databases
** (tests/pg/load.py, dates as date).  Each test runs the vigil binary (VIGIL,
** VIGIL_ROOT as for the golden tests) and compares outputs, or what is
** recorded, byte for byte:
**
**   - --shard I/N for N = 1, 2, 3 on one server: the union of the shards is
**     the unsharded run, the shards are disjoint, each equals the SQLite
**     file's same shard, and 1/1 is the unsharded run itself;
**   - recorded: three dates, unsharded in one database and three shards
**     (in several orders, once concurrently) in another: the same vigil_runs,
**     vigil_alerts and digests, nothing visible before the last shard;
**   - killed shards (SIGKILL at a random moment) leave no part or a whole
**     one, never a run; running the shards again publishes it once;
**   - the cluster: sales_snapshot and deals hash-partitioned over two
**     workers; unsharded and sharded runs equal SQLite's, a recorded sharded
**     run equals an unsharded one on a plain database;
**   - a locked table, a dropped connection and a server restart mid-run fail
**     with a message (exit 1) and record nothing.
**
** Without PostgreSQL 15 (/usr/lib/postgresql/15/bin): as root on Debian, where
** it can be installed (and CI installs it), every test fails naming the
** package; elsewhere the suite is registered inactive, with a line on stderr.
*/
#include <CUnit/CUnit.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "unit.h"
#include "pgtest.h"

static char tmp[512];    /* the suite's temporary folder */
static char base[256];   /* the server: postgresql://vigil@127.0.0.1:PORT (no database) */
static char cbase[256];  /* the cluster's coordinator, the same way */
static int server_up;    /* 1 when the server runs */
static int cluster_up;   /* 1 when the cluster runs */
static char why[1024];   /* why they do not */
static char sqlite_db[600]; /* the saas demo as a SQLite file */

static int need_server(void) {
  if (server_up) return 1;
  pgt_fail("no PostgreSQL server: %s%s%s", why, "", "");
  return 0;
}

/* Runs cmd; its stdout (malloc'd, "" when empty) and exit status in *st;
** its stderr in *err when err is not NULL.  NULL (and a failure) when the
** outputs cannot be read. */
static char *run(const char *cmd, int *st, char **err) {
  char out[600], errf[600];
  snprintf(out, sizeof out, "%s/run.out", tmp);
  snprintf(errf, sizeof errf, "%s/run.err", tmp);
  *st = pgt_sh(cmd, out, errf);
  char *o = tu_slurp(out, NULL);
  if (err) *err = tu_slurp(errf, NULL);
  if (!o || (err && !*err)) {
    pgt_fail("cannot read the output of %s%s%s", cmd, "", "");
    free(o);
    if (err) { free(*err); *err = NULL; }
    return NULL;
  }
  return o;
}

/* Runs cmd; its stdout when it exits 0, else NULL and a failure showing its stderr. */
static char *ok_out(const char *cmd) {
  int st;
  char *e = NULL, *o = run(cmd, &st, &e);
  if (o && st != 0) {
    char stc[16];
    snprintf(stc, sizeof stc, "%d", st);
    pgt_fail("%s failed (exit %s): %.3000s", cmd, stc, e);
    free(o);
    o = NULL;
  }
  free(e);
  return o;
}

static int ok_cmd(const char *cmd) {
  char *o = ok_out(cmd);
  free(o);
  return o != NULL;
}

/* The rows sql gives in the PostgreSQL database uri (psql -At: one line a
** row, columns split by |), or NULL and a failure. */
static char *psql(const char *uri, const char *sql) {
  char path[600], cmd[1400];
  snprintf(path, sizeof path, "%s/q.sql", tmp);
  FILE *f = fopen(path, "wb");
  if (!f) { CU_FAIL("cannot write q.sql"); return NULL; }
  fputs(sql, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "psql -X -q -At -v ON_ERROR_STOP=1 '%s' -f '%s'", uri, path);
  return ok_out(cmd);
}

/* The number sql gives (its first row), or -1 and a failure. */
static long psql_long(const char *uri, const char *sql) {
  char *o = psql(uri, sql);
  char *end = NULL;
  long v = o ? strtol(o, &end, 10) : -1;
  if (o && (end == o || *end != '\n')) { pgt_fail("%s: not a number: %s%s", sql, o, ""); v = -1; }
  free(o);
  return v;
}

/* A fresh database name on the server at b, the saas demo loaded into it
** (dates as date).  Its URI into uri. */
static int fresh_saas(const char *b, const char *name, char *uri, size_t n) {
  char cmd[2400];
  snprintf(cmd, sizeof cmd,
           "psql -X -q -v ON_ERROR_STOP=1 '%s/vigil' -c 'DROP DATABASE IF EXISTS %s' -c 'CREATE DATABASE %s'", b, name,
           name);
  if (!ok_cmd(cmd)) return 0;
  snprintf(uri, n, "%s/%s", b, name);
  snprintf(cmd, sizeof cmd, "python3 '%s/tests/pg/load.py' '%s' '%s' --dates-as date --bad-values null", tu_root(),
           sqlite_db, uri);
  return ok_cmd(cmd);
}

/* The saas demo as a SQLite file (once). */
static int make_sqlite(void) {
  if (access(sqlite_db, R_OK) == 0) return 1;
  sqlite3 *h;
  if (sqlite3_open(sqlite_db, &h) != SQLITE_OK) { sqlite3_close(h); pgt_fail("cannot create %s%s%s", sqlite_db, "", ""); return 0; }
  int ok = 1;
  static const char *const files[] = {"schema.sql", "demo.sql"};
  for (int i = 0; ok && i < 2; i++) {
    char path[600];
    snprintf(path, sizeof path, "%s/examples/saas/%s", tu_root(), files[i]);
    char *sql = tu_slurp(path, NULL), *err = NULL;
    if (!sql || sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK) {
      pgt_fail("%s: %s%s", path, err ? err : "unreadable", "");
      ok = 0;
    }
    sqlite3_free(err);
    free(sql);
  }
  sqlite3_close(h);
  if (!ok) unlink(sqlite_db);
  return ok;
}

/* `vigil run --db DB ARGS examples/saas`: its stdout when it exits want, else NULL and a failure. */
static char *vigil_run(const char *db, const char *args, int want) {
  char cmd[3000];
  snprintf(cmd, sizeof cmd, "%s run --db '%s' %s '%s/examples/saas'", tu_vigil(), db, args, tu_root());
  int st;
  char *e = NULL, *o = run(cmd, &st, &e);
  if (o && st != want) {
    char stc[48];
    snprintf(stc, sizeof stc, "exit %d, not %d", st, want);
    pgt_fail("%s: %s: %.3000s", cmd, stc, e);
    free(o);
    o = NULL;
  }
  free(e);
  return o;
}

/* 1 when a and b are the same text; else a failure naming what and the first differing line. */
static int same_text(const char *what, const char *a, const char *b) {
  if (!a || !b) return 0;
  if (strcmp(a, b) == 0) { CU_PASS("same"); return 1; }
  size_t i = 0;
  while (a[i] && a[i] == b[i]) i++;
  while (i > 0 && a[i - 1] != '\n') i--;
  char la[600], lb[600];
  snprintf(la, sizeof la, "%.*s", (int)strcspn(a + i, "\n"), a + i);
  snprintf(lb, sizeof lb, "%.*s", (int)strcspn(b + i, "\n"), b + i);
  pgt_fail("%s differ; first difference:\n  < %s\n  > %s", what, la, lb);
  return 0;
}

static int cmp_line(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* text's lines sorted (malloc'd); *dups gets the number of lines equal to the one before. */
static char *sorted(const char *text, int *dups) {
  size_t n = 0, len = strlen(text);
  for (const char *p = text; *p; p++) n += *p == '\n';
  char *copy = malloc(len + 2), **lines = malloc((n + 1) * sizeof *lines), *out = malloc(len + 2);
  if (!copy || !lines || !out) { free(copy); free(lines); free(out); return NULL; }
  memcpy(copy, text, len + 1);
  size_t k = 0;
  for (char *p = copy; *p;) {
    char *e = strchr(p, '\n');
    if (!e) e = p + strlen(p); /* a last line without a newline */
    lines[k++] = p;
    if (!*e) break;
    *e = 0;
    p = e + 1;
  }
  qsort(lines, k, sizeof *lines, cmp_line);
  *dups = 0;
  out[0] = 0;
  char *w = out;
  for (size_t i = 0; i < k; i++) {
    if (i > 0 && strcmp(lines[i], lines[i - 1]) == 0) ++*dups;
    size_t l = strlen(lines[i]);
    memcpy(w, lines[i], l);
    w += l;
    *w++ = '\n';
  }
  *w = 0;
  free(copy);
  free(lines);
  return out;
}

/* Appends b to *a (both text; *a malloc'd or NULL). */
static void append(char **a, const char *b) {
  size_t la = *a ? strlen(*a) : 0, lb = strlen(b);
  char *n = realloc(*a, la + lb + 1);
  if (!n) return;
  memcpy(n + la, b, lb + 1);
  *a = n;
}

static int count_lines(const char *t) {
  int n = 0;
  for (; t && *t; t++) n += *t == '\n';
  return n;
}

/* Starts `exec CMD` in the background, stdout and stderr into out and err: the pid is CMD's. */
static pid_t spawn(const char *cmd, const char *out, const char *err) {
  char full[4000];
  snprintf(full, sizeof full, "exec %s >'%s' 2>'%s'", cmd, out, err);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", full, (char *)NULL);
    _exit(127);
  }
  if (pid < 0) CU_FAIL("fork failed");
  return pid;
}

/* The exit status of pid (waited for), -1 when it did not exit. */
static int reap(pid_t pid) {
  int st;
  if (pid <= 0 || waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts `script start DIR` (server.sh or cluster.py) and returns its pid. */
static pid_t start_bg(const char *script, const char *dir, const char *out, const char *err) {
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "%s '%s/tests/pg/%s' start '%s/%s'", strstr(script, ".py") ? "python3" : "sh", tu_root(),
           script, tmp, dir);
  return spawn(cmd, out, err);
}

/* The first URI a start printed, without its database, into b; 1 on success, else why. */
static int started(int st, const char *out, const char *err, char *b, size_t n) {
  char *uri = tu_slurp(out, NULL), *e = tu_slurp(err, NULL);
  int ok = st == 0 && uri && strncmp(uri, "postgresql://", 13) == 0;
  if (ok) {
    uri[strcspn(uri, "\n")] = 0;
    char *slash = strrchr(uri, '/');
    if (slash && slash > uri + 13) *slash = 0;
    snprintf(b, n, "%s", uri);
  } else if (st == 77) {
    snprintf(why, sizeof why, "%s", INSTALL);
  } else if (!why[0]) {
    snprintf(why, sizeof why, "%s failed (exit %d): %.900s", out, st, e ? e : "");
  }
  free(uri);
  free(e);
  return ok;
}

static int shard_init(void) {
  const char *t = getenv("TMPDIR");
  snprintf(tmp, sizeof tmp, "%s/vigil-pgshard-XXXXXX", t && *t ? t : "/tmp");
  if (!mkdtemp(tmp)) {
    snprintf(tmp, sizeof tmp, "/tmp/vigil-pgshard-XXXXXX");
    if (!mkdtemp(tmp)) { tmp[0] = 0; snprintf(why, sizeof why, "cannot make a temporary folder"); return 0; }
  }
  chmod(tmp, 0711); /* the server's user (postgres, when root) reaches srv/ and cl/ */
  snprintf(sqlite_db, sizeof sqlite_db, "%s/saas.db", tmp);
  /* the server and the cluster start side by side (server.sh takes the next
  ** port when another start took the one it tried) */
  char out[2][600], err[2][600];
  for (int i = 0; i < 2; i++) {
    snprintf(out[i], sizeof out[i], "%s/start%d.out", tmp, i);
    snprintf(err[i], sizeof err[i], "%s/start%d.err", tmp, i);
  }
  pid_t ps = start_bg("server.sh", "srv", out[0], err[0]);
  pid_t pc = start_bg("cluster.py", "cl", out[1], err[1]);
  int ss = reap(ps), sc = reap(pc);
  server_up = started(ss, out[0], err[0], base, sizeof base);
  cluster_up = started(sc, out[1], err[1], cbase, sizeof cbase);
  if (server_up && !cluster_up) server_up = 0; /* (stopped by the cleanup) */
  if (ss == 0 && !server_up) { /* stop it anyway */
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sh '%s/tests/pg/server.sh' stop '%s/srv'", tu_root(), tmp);
    if (system(cmd) != 0) fprintf(stderr, "test_pgshard: cannot stop the server in %s/srv\n", tmp);
  }
  return 0;
}

static int shard_cleanup(void) {
  if (!tmp[0]) return 0;
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "sh '%s/tests/pg/server.sh' stop '%s/srv'", tu_root(), tmp);
  if (system(cmd) != 0) fprintf(stderr, "test_pgshard: cannot stop the server in %s/srv\n", tmp);
  snprintf(cmd, sizeof cmd, "python3 '%s/tests/pg/cluster.py' stop '%s/cl'", tu_root(), tmp);
  if (system(cmd) != 0) fprintf(stderr, "test_pgshard: cannot stop the cluster in %s/cl\n", tmp);
  server_up = cluster_up = 0;
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd) != 0) fprintf(stderr, "test_pgshard: cannot remove %s\n", tmp);
  tmp[0] = 0;
  return 0;
}

/* ---- a: shards on one server, and on the SQLite file ------------------------------- */

/* --shard I/N for N = nmin..nmax on db (and, when other is not NULL, the
** same shard on other gives the same output): the union is unsharded, the
** shards disjoint and none empty, 1/1 is unsharded itself. */
static void check_shards(const char *db, const char *other, const char *date, int nmin, int nmax) {
  char args[300];
  snprintf(args, sizeof args, "--as-of %s --dry-run --format jsonl", date);
  char *whole = vigil_run(db, args, 0);
  if (!whole) return;
  int dups;
  char *want = sorted(whole, &dups);
  CU_ASSERT_EQUAL(dups, 0);
  CU_ASSERT(count_lines(whole) >= 20);
  for (int n = nmin; n <= nmax; n++) {
    char *all = NULL;
    for (int i = 1; i <= n; i++) {
      snprintf(args, sizeof args, "--as-of %s --dry-run --format jsonl --shard %d/%d", date, i, n);
      char *o = vigil_run(db, args, 0);
      if (!o) continue;
      if (n == 1) same_text("--shard 1/1 and the unsharded run", whole, o);
      if (o && count_lines(o) == 0) pgt_fail("%s: run %s: no alert in this shard%s", db, args, "");
      if (other) {
        char *p = vigil_run(other, args, 0);
        char what[700];
        snprintf(what, sizeof what, "the alerts of %s on SQLite and PostgreSQL", args);
        same_text(what, o, p);
        free(p);
      }
      append(&all, o ? o : "");
      free(o);
    }
    char *got = all ? sorted(all, &dups) : NULL;
    char what[300];
    snprintf(what, sizeof what, "the union of %d shards as of %s and the unsharded run's alerts (sorted)", n, date);
    same_text(what, want, got);
    if (dups) pgt_fail("%s: %s: the shards overlap (a line in two of them)%s", db, what, "");
    free(got);
    free(all);
  }
  free(want);
  free(whole);
}

static void test_shards_one_server(void) {
  if (!need_server() || !make_sqlite()) return;
  char uri[512];
  if (!fresh_saas(base, "saas", uri, sizeof uri)) return;
  check_shards(uri, sqlite_db, "2025-06-30", 1, 3);
}

/* ---- b: recorded shards = a recorded unsharded run ----------------------------------- */

static const char *const DATES[] = {"2025-05-30", "2025-06-13", "2025-06-30"};
static char rec_a[512], rec_b[512]; /* unsharded and sharded, after test b */

/* What is recorded that must be the same unsharded and sharded: vigil_runs
** (pack, as_of, status, alerts) and vigil_alerts (all but run_id, in run
** and recording order). */
static char *recorded(const char *uri) {
  return psql(uri, "SELECT pack, as_of, status, alerts FROM vigil_runs ORDER BY run_id;\n"
                   "SELECT (to_jsonb(a) - 'run_id' - 'vigil_rowid')::text FROM vigil_alerts a ORDER BY run_id, vigil_rowid;\n");
}

static int same_recorded(const char *what, const char *a, const char *b) {
  char *ra = recorded(a), *rb = recorded(b);
  int ok = ra && rb && count_lines(ra) > 1;
  if (ra && rb) ok = same_text(what, ra, rb) && ok;
  free(ra);
  free(rb);
  return ok;
}

/* The digests of the latest run, in each format, the same in both databases. */
static void same_digests(const char *what, const char *a, const char *b) {
  static const char *const formats[] = {"text", "markdown", "html"};
  for (int f = 0; f < 3; f++) {
    char cmd[2][1400], *o[2] = {NULL, NULL}, *e[2] = {NULL, NULL};
    int st[2];
    for (int i = 0; i < 2; i++) {
      snprintf(cmd[i], sizeof cmd[i], "%s digest --db '%s' --format %s", tu_vigil(), i ? b : a, formats[f]);
      o[i] = run(cmd[i], &st[i], &e[i]);
    }
    char w[600];
    snprintf(w, sizeof w, "%s: the %s digests (exit %d and %d)", what, formats[f], st[0], st[1]);
    if (o[0] && o[1]) {
      same_text(w, o[0], o[1]);
      same_text(w, e[0], e[1]);
      CU_ASSERT_EQUAL(st[0], st[1]);
      if (strlen(o[0]) + strlen(e[0]) == 0) pgt_fail("%s: printed nothing%s%s", w, "", "");
    }
    for (int i = 0; i < 2; i++) { free(o[i]); free(e[i]); }
  }
}

static long runs_on(const char *uri, const char *date) {
  char sql[300];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM vigil_runs WHERE as_of = '%s'", date);
  return psql_long(uri, sql);
}

static long parts_left(const char *uri) {
  return psql_long(uri, "SELECT (SELECT count(*) FROM vigil_parts) + (SELECT count(*) FROM vigil_part_alerts)");
}

static void test_recorded(void) {
  if (!need_server() || !make_sqlite()) return;
  if (!fresh_saas(base, "rec_a", rec_a, sizeof rec_a) || !fresh_saas(base, "rec_b", rec_b, sizeof rec_b)) return;
  /* the order of the shards of each date: -1 runs them side by side (first,
  ** on the fresh database: all three make Vigil's tables at once) */
  static const int order[3][3] = {{-1, 0, 0}, {3, 1, 2}, {2, 3, 1}};
  for (int d = 0; d < 3; d++) {
    char args[300], what[300];
    snprintf(what, sizeof what, "as of %s", DATES[d]);
    if (order[d][0] > 0) {
      for (int k = 0; k < 3; k++) {
        if (k == 2) { /* before the last shard: the previous run, as in A */
          CU_ASSERT_EQUAL(runs_on(rec_b, DATES[d]), 0);
          if (d > 0) same_digests("before the last shard", rec_a, rec_b);
        }
        snprintf(args, sizeof args, "--as-of %s --format jsonl --shard %d/3", DATES[d], order[d][k]);
        free(vigil_run(rec_b, args, 0));
      }
    } else {
      pid_t pid[3];
      char out[3][600], err[3][600], cmd[2000];
      for (int k = 0; k < 3; k++) {
        snprintf(out[k], sizeof out[k], "%s/bg%d.out", tmp, k);
        snprintf(err[k], sizeof err[k], "%s/bg%d.err", tmp, k);
        snprintf(cmd, sizeof cmd, "%s run --db '%s' --as-of %s --format jsonl --shard %d/3 '%s/examples/saas'",
                 tu_vigil(), rec_b, DATES[d], 3 - k, tu_root());
        pid[k] = spawn(cmd, out[k], err[k]);
      }
      for (int k = 0; k < 3; k++) {
        int st = reap(pid[k]);
        if (st != 0) {
          char *e = tu_slurp(err[k], NULL);
          pgt_fail("a concurrent shard failed: %s: %.2000s%s", err[k], e ? e : "", "");
          free(e);
        }
      }
    }
    snprintf(args, sizeof args, "--as-of %s --format jsonl", DATES[d]);
    free(vigil_run(rec_a, args, 0));
    CU_ASSERT_EQUAL(runs_on(rec_b, DATES[d]), 1);
    same_recorded(what, rec_a, rec_b);
    CU_ASSERT_EQUAL(parts_left(rec_b), 0);
    same_digests(what, rec_a, rec_b);
  }
}

/* ---- c: killed shards ---------------------------------------------------------------- */

static void test_killed(void) {
  if (!need_server()) return;
  if (!rec_a[0] || runs_on(rec_b, DATES[2]) != 1) { CU_FAIL("needs the databases of the test before it"); return; }
  static const char date[] = "2025-07-14";
  char args[300], cmd[2000], out[600], err[600], sql[600];
  /* what shard 2 of 3 gives, and how long it takes */
  snprintf(args, sizeof args, "--as-of %s --dry-run --format jsonl --shard 2/3", date);
  double t0 = now_s();
  char *dry = vigil_run(rec_b, args, 0);
  double took = now_s() - t0;
  if (!dry) return;
  long want = count_lines(dry);
  free(dry);
  CU_ASSERT(want > 0);
  snprintf(cmd, sizeof cmd, "%s run --db '%s' --as-of %s --format jsonl --shard 2/3 '%s/examples/saas'", tu_vigil(),
           rec_b, date, tu_root());
  snprintf(out, sizeof out, "%s/kill.out", tmp);
  snprintf(err, sizeof err, "%s/kill.err", tmp);
  /* the parts of the date, shard 2's alerts and its open ones (a whole
  ** part records as many as a dry run prints), the parts of other shards */
  snprintf(sql, sizeof sql,
           "SELECT count(*) || ' ' || coalesce(max(p.alerts), -1) || ' ' || coalesce(sum((SELECT count(*) FROM"
           " vigil_part_alerts a WHERE a.part_id = p.part_id AND a.status <> 'resolved')), -1) || ' '"
           " || count(*) FILTER (WHERE shard <> 2 OR nshards <> 3) FROM vigil_parts p WHERE as_of = '%s'", date);
  char clear[600];
  snprintf(clear, sizeof clear,
           "DELETE FROM vigil_part_alerts WHERE part_id IN (SELECT part_id FROM vigil_parts WHERE as_of = '%s');\n"
           "DELETE FROM vigil_parts WHERE as_of = '%s';\n", date, date);
  srand((unsigned)time(NULL));
  int whole = 0, none = 0;
  for (int i = 0; i < 20; i++) {
    /* each kill starts with no part: what is left is that run's */
    if (i > 0) free(psql(rec_b, clear));
    pid_t pid = spawn(cmd, out, err);
    usleep((useconds_t)((double)rand() / RAND_MAX * took * 1e6));
    kill(pid, SIGKILL);
    reap(pid);
    char *o = psql(rec_b, sql);
    long n = -1, a = -1, open = -1, other = -1;
    if (!o || sscanf(o, "%ld %ld %ld %ld", &n, &a, &open, &other) != 4) { free(o); break; }
    free(o);
    if (n == 0) none++;
    else if (n == 1 && a == want && open == want && other == 0) whole++;
    else {
      char got[160], w[40];
      snprintf(got, sizeof got, "%ld part(s) of %ld alerts (%ld recorded open), %ld of other shards", n, a, open, other);
      snprintf(w, sizeof w, "%ld", want);
      pgt_fail("after a killed shard 2/3: %s, not none or one of %s alerts%s", got, w, "");
    }
    CU_ASSERT_EQUAL(runs_on(rec_b, date), 0);
  }
  fprintf(stderr, "test_pgshard: killed shards (run %.2f s): %d left no part, %d a whole one\n", took, none, whole);
  /* the shards again, 1, 3 and 2: published once, when the last is in (at
  ** 3 when a kill left a whole part of shard 2; shard 2 run again then makes
  ** a new part, pending: "running a shard again replaces its part") */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM vigil_parts WHERE as_of = '%s' AND shard = 2", date);
  long part2 = psql_long(rec_b, sql);
  static const int again[] = {1, 3, 2};
  for (int k = 0; k < 3; k++) {
    snprintf(args, sizeof args, "--as-of %s --format jsonl --shard %d/3", date, again[k]);
    free(vigil_run(rec_b, args, 0));
    CU_ASSERT_EQUAL(runs_on(rec_b, date), k == 0 ? 0 : k == 1 ? part2 : 1);
  }
  CU_ASSERT_EQUAL(parts_left(rec_b) > 0, part2 > 0);
  snprintf(args, sizeof args, "--as-of %s --format jsonl", date);
  free(vigil_run(rec_a, args, 0));
  same_recorded("after killed shards", rec_a, rec_b);
}

/* ---- d: the cluster ------------------------------------------------------------------ */

static void test_cluster(void) {
  if (!need_server() || !make_sqlite()) return;
  char uri[512], cmd[2000];
  if (!fresh_saas(cbase, "saas", uri, sizeof uri)) return;
  static const char *const dist[][3] = {{"sales_snapshot", "rep_id", "snapshot_date"}, {"deals", "deal_id", "updated_on"}};
  for (int i = 0; i < 2; i++) {
    snprintf(cmd, sizeof cmd, "python3 '%s/tests/pg/cluster.py' distribute '%s/cl' saas %s %s %s", tu_root(), tmp, dist[i][0],
             dist[i][1], dist[i][2]);
    if (!ok_cmd(cmd)) return;
  }
  /* the tables are partitioned, their rows on the workers */
  char *o = psql(uri, "SELECT c.relname || ' ' || c.relkind::text || ' ' || count(p.*) FROM pg_class c"
                      " LEFT JOIN pg_inherits i ON i.inhparent = c.oid LEFT JOIN pg_class p ON p.oid = i.inhrelid"
                      " AND p.relkind = 'f' WHERE c.relname IN ('sales_snapshot', 'deals') GROUP BY c.relname, c.relkind"
                      " ORDER BY 1;\n");
  if (o) same_text("the distributed tables", "deals p 2\nsales_snapshot p 2\n", o);
  free(o);
  /* unsharded: the SQLite file's alerts, in each format */
  static const char *const formats[] = {"jsonl", "text"};
  for (int f = 0; f < 2; f++) {
    char args[300];
    snprintf(args, sizeof args, "--as-of 2025-06-30 --dry-run --format %s", formats[f]);
    char *a = vigil_run(sqlite_db, args, 0), *b = vigil_run(uri, args, 0);
    same_text("the alerts of the cluster and the SQLite file", a, b);
    free(a);
    free(b);
  }
  check_shards(uri, sqlite_db, "2025-06-30", 2, 3);
  /* recorded: 2 shards on the cluster, unsharded on a plain database */
  char plain[512];
  if (!fresh_saas(base, "plain", plain, sizeof plain)) return;
  free(vigil_run(plain, "--as-of 2025-06-30 --format jsonl", 0));
  free(vigil_run(uri, "--as-of 2025-06-30 --format jsonl --shard 2/2", 0));
  CU_ASSERT_EQUAL(runs_on(uri, "2025-06-30"), 0);
  free(vigil_run(uri, "--as-of 2025-06-30 --format jsonl --shard 1/2", 0));
  CU_ASSERT_EQUAL(runs_on(uri, "2025-06-30"), 1);
  CU_ASSERT_EQUAL(parts_left(uri), 0);
  same_recorded("a recorded run on the cluster (2 shards) and on a plain database", plain, uri);
}

/* ---- e: failures --------------------------------------------------------------------- */

static char fail_uri[512];

/* What a failure must leave as it was. */
static char *state(void) {
  return psql(fail_uri, "SELECT run_id, as_of, status, alerts FROM vigil_runs ORDER BY run_id;\n"
                        "SELECT count(*) FROM vigil_alerts;\n"
                        "SELECT count(*) FROM vigil_parts;\nSELECT count(*) FROM vigil_part_alerts;\n");
}

/* What libpq or the server says when the connection is gone. */
#define LIBPQ_GONE "terminating connection|server closed the connection|no connection to the server|could not receive data" \
                   "|the database system is shutting down|the database system is starting up|Connection refused"

/* Waits for a run (pid, stderr in err) that must fail: exit 1, a message
** holding want (any of want's |-separated texts), and nothing recorded
** (state before).  Returns 1 when it failed so; 0 when it did not, a
** failure unless it exited 0 and may_retry (the blow came too late). */
static int failed_clean(pid_t pid, const char *err, const char *want, const char *before, const char *what, int may_retry) {
  int st = reap(pid);
  if (st == 0 && may_retry) {
    fprintf(stderr, "test_pgshard: %s: the run finished first; again\n", what);
    return 0;
  }
  char *e = tu_slurp(err, NULL), *after = state();
  /* the blow landed after the shard's part was committed, as it published:
  ** the part is recorded (by design) and says so; too late for this test */
  if (st == 1 && may_retry && e && strstr(e, "is recorded, but publishing the run failed")) {
    fprintf(stderr, "test_pgshard: %s: the part was committed first; again\n", what);
    free(e);
    free(after);
    return 0;
  }
  int found = 0;
  char alt[300];
  snprintf(alt, sizeof alt, "%s", want);
  for (char *t = strtok(alt, "|"); t && e; t = strtok(NULL, "|")) found |= strstr(e, t) != NULL;
  char stc[32];
  snprintf(stc, sizeof stc, "exit %d", st);
  int ok = st == 1 && found;
  if (!ok) pgt_fail("%s: %s (want exit 1 and a message with %s; its stderr is in the log)", what, stc, want);
  if (e) fprintf(stderr, "test_pgshard: %s: %s", what, e);
  if (after && before) ok = same_text(what, before, after) && ok;
  free(e);
  free(after);
  return ok;
}

static pid_t start_run(const char *date, const char *shard, const char *env) {
  char cmd[2000], out[600], err[600];
  snprintf(cmd, sizeof cmd, "%s%s run --db '%s' --as-of %s --format jsonl %s '%s/examples/saas'", env, tu_vigil(),
           fail_uri, date, shard, tu_root());
  snprintf(out, sizeof out, "%s/fail.out", tmp);
  snprintf(err, sizeof err, "%s/fail.err", tmp);
  return spawn(cmd, out, err);
}

/* Waits up to 10 s for a client backend of the database other than psql's own; 1 when there is one. */
static int backend_seen(void) {
  for (double t0 = now_s(); now_s() - t0 < 10;) {
    long n = psql_long(fail_uri, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'fail'"
                                 " AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
    if (n != 0) return n > 0;
  }
  return 0;
}

static void test_failures(void) {
  if (!need_server() || !make_sqlite()) return;
  if (!fresh_saas(base, "fail", fail_uri, sizeof fail_uri)) return;
  /* a run and a sharded run recorded: Vigil's tables are there */
  free(vigil_run(fail_uri, "--as-of 2025-05-30 --format jsonl --shard 1/2", 0));
  free(vigil_run(fail_uri, "--as-of 2025-05-30 --format jsonl --shard 2/2", 0));
  char *before = state();
  if (!before) return;
  char err[600], cmd[2000], lout[600], lerr[600];
  snprintf(err, sizeof err, "%s/fail.err", tmp);
  /* a table locked by another session: lock_timeout=1s */
  snprintf(lout, sizeof lout, "%s/lock.out", tmp);
  snprintf(lerr, sizeof lerr, "%s/lock.err", tmp);
  static const char *const shards[] = {"", "--shard 1/2"};
  for (int k = 0; k < 2; k++) {
    snprintf(cmd, sizeof cmd,
             "env PGAPPNAME=vigil-locker psql -X -q '%s' -c 'BEGIN; LOCK TABLE sales_snapshot IN ACCESS EXCLUSIVE MODE;"
             " SELECT pg_sleep(5); COMMIT'", fail_uri);
    pid_t locker = spawn(cmd, lout, lerr);
    long held = 0;
    for (double t0 = now_s(); held == 0 && now_s() - t0 < 10;)
      held = psql_long(fail_uri, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                                 " WHERE a.application_name = 'vigil-locker' AND l.granted AND l.mode = 'AccessExclusiveLock'");
    CU_ASSERT(held > 0);
    pid_t pid = start_run("2025-06-13", shards[k], "env PGOPTIONS='-c lock_timeout=1s' ");
    char what[100];
    snprintf(what, sizeof what, "a locked table (%s)", k ? "a shard" : "unsharded");
    failed_clean(pid, err, "locked by another session", before, what, 0);
    free(psql(fail_uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vigil-locker'"));
    reap(locker);
  }
  /* a dropped connection (vigil's backend terminated while it runs), then a
  ** server restart mid-run; a run that finished before the blow landed is
  ** recorded: the state is taken again and the blow tried again */
  snprintf(cmd, sizeof cmd, "%s%s/pg_ctl -D '%s/srv/data' -m fast -w restart", geteuid() == 0 ? "runuser -u postgres -- " : "",
           PGBIN, tmp);
  static const char *const blows[] = {"a dropped connection (unsharded)", "a dropped connection (a shard)", "a server restart (a shard)"};
  for (int k = 0; k < 3; k++) {
    int landed = 0;
    for (int attempt = 0; attempt < 5 && !landed; attempt++) {
      pid_t pid = start_run("2025-06-13", k ? "--shard 2/2" : "", "");
      CU_ASSERT(backend_seen());
      if (k < 2)
        free(psql(fail_uri, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'fail'"
                            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"));
      else
        ok_cmd(cmd);
      landed = failed_clean(pid, err, LIBPQ_GONE, before, blows[k], attempt < 4);
      if (!landed && attempt < 4) {
        free(before);
        before = state();
        if (!before) return;
      }
    }
  }
  /* and the next run works */
  free(vigil_run(fail_uri, "--as-of 2025-06-13 --format jsonl", 0));
  CU_ASSERT_EQUAL(runs_on(fail_uri, "2025-06-13"), 1);
  free(before);
}

/* ---- registration ---------------------------------------------------------------- */

int unit_register_pgshard(void) {
  CU_pSuite s = CU_add_suite("postgres: shards", shard_init, shard_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "--shard I/N on one server: union = unsharded, = SQLite's", test_shards_one_server) ||
      !CU_add_test(s, "recorded: 3 shards = unsharded, published when the last is in", test_recorded) ||
      !CU_add_test(s, "killed shards leave no part or a whole one; re-run publishes", test_killed) ||
      !CU_add_test(s, "a cluster with postgres_fdw partitions: = SQLite, shards, recorded", test_cluster) ||
      !CU_add_test(s, "a locked table, a dropped connection, a restart: nothing recorded", test_failures))
    return CU_get_error();
  pgt_need_postgres(s);
  return CUE_SUCCESS;
}
