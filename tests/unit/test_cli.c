/*
** test_cli.c — issue 16, items 7 and 8: what scripts and the conventions of
** other tools expect of the vigil command, through the binary ($VIGIL).
**
**   run --fail-on TIER: exit 3 when an alert of that tier or higher fires
**   (after recording), 0 when only lower tiers fire; an unknown tier is a
**   usage error.
**   run / backtest --diagnostics-format json: every line on stderr is one
**   JSON object with a "type" (diagnostic, summary), bad-data warnings and
**   the summary included; no text line.
**   vigil explain CODE: the code's line from core/diagcodes.def; an unknown
**   code exits 1 with a did-you-mean.
**   test --format json, test --run PATTERN.
**   digest --to someone not in the run: exit 1.
**   -V, --color, NO_COLOR, TERM=dumb, '-' for stdin in check and fmt, check
**   on a missing file (exit 2).
*/
#define _XOPEN_SOURCE 700 /* posix_openpt */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "unit.h"
#include "testutil.h"

static char dir[256];
static char db_path[512], rules_path[512], pack_dir[512];
static sqlite3 *mem;

typedef struct crun {
  int code;          /* exit status, -1 when it did not exit */
  char *out, *err;
} crun;

/* In a child about to exec: each "NAME=VALUE" of env set, each "NAME" unset. */
static void apply_env(const char *const *env) {
  for (int i = 0; env && env[i]; i++) {
    const char *eq = strchr(env[i], '=');
    if (eq) {
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
      setenv(name, eq + 1, 1);
    } else {
      unsetenv(env[i]);
    }
  }
}

/* Runs vigil with argv (NULL-terminated, without argv[0]); stdin from in_text
** (NULL: /dev/null); env "NAME=VALUE" strings set (or "NAME" unset) first. */
static void crun_argv(crun *r, const char *in_text, const char *const *env, const char *const *args) {
  char outp[600], errp[600], inp[600];
  snprintf(outp, sizeof outp, "%s/out.txt", dir);
  snprintf(errp, sizeof errp, "%s/err.txt", dir);
  snprintf(inp, sizeof inp, "%s/in.txt", dir);
  FILE *f = fopen(inp, "wb");
  if (f) { if (in_text) fputs(in_text, f); fclose(f); }
  char *argv[64];
  int n = 0;
  argv[n++] = (char *)tu_vigil();
  for (int i = 0; args[i] && n < 63; i++) argv[n++] = (char *)args[i];
  argv[n] = NULL;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int i0 = open(inp, O_RDONLY), o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600),
        e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (i0 < 0 || o < 0 || e < 0) _exit(126);
    dup2(i0, 0); dup2(o, 1); dup2(e, 2);
    apply_env(env);
    execv(argv[0], argv);
    _exit(126);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r->out = tu_slurp_or_empty(outp);
  r->err = tu_slurp_or_empty(errp);
}

#define V(r, ...) crun_argv((r), NULL, NULL, (const char *const[]){__VA_ARGS__, NULL})

static void crun_free(crun *r) { free(r->out); free(r->err); }

#define EXPECT_EXIT(r, want)                                                                              \
  do {                                                                                                    \
    CU_ASSERT_EQUAL((r)->code, want);                                                                     \
    if ((r)->code != (want))                                                                              \
      fprintf(stderr, "\n  line %d: exit %d, want %d; stderr:\n%.1500s\nstdout:\n%.800s\n", __LINE__, (r)->code, \
              want, (r)->err, (r)->out);                                                                  \
  } while (0)

#define EXPECT_HAS(text, part)                                                                            \
  do {                                                                                                    \
    int has_ = strstr((text), (part)) != NULL;                                                            \
    CU_ASSERT(has_);                                                                                      \
    if (!has_) fprintf(stderr, "\n  line %d: no '%s' in:\n%.1500s\n", __LINE__, (part), (text));         \
  } while (0)

#define EXPECT_HASNT(text, part)                                                                          \
  do {                                                                                                    \
    int has_ = strstr((text), (part)) != NULL;                                                            \
    CU_ASSERT(!has_);                                                                                     \
    if (has_) fprintf(stderr, "\n  line %d: '%s' in:\n%.1500s\n", __LINE__, (part), (text));             \
  } while (0)

/* Every line of s is a JSON object with a "type"; how many, or -1. */
static int json_typed_lines(const char *s) {
  int n = 0;
  while (*s) {
    const char *e = strchr(s, '\n');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    sqlite3_stmt *st = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(mem, "SELECT json_valid(?1) AND json_type(?1) = 'object' AND json_extract(?1, '$.type') IS NOT NULL",
                           -1, &st, NULL) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, s, (int)len, SQLITE_STATIC);
      ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    }
    sqlite3_finalize(st);
    if (!ok) {
      fprintf(stderr, "\n  not a JSON object with a type: %.*s\n", (int)len, s);
      return -1;
    }
    n++;
    s += len + (e ? 1 : 0);
  }
  return n;
}

static const char *const pack_rules =
  "source s { table sales key rep_id time day }\n"
  "rule low on s {\n"
  "  red when rate < 0.1\n"
  "  orange when rate < 0.2\n"
  "  yellow when rate < 0.3\n"
  "  message \"rate {rate}\"\n"
  "  notify boss\n"
  "}\n"
  "test \"low rate is red\" {\n"
  "  as_of 2025-03-31\n"
  "  table sales (rep_id, day, rate, boss) { (1, 2025-03-15, 0.05, \"ann\") }\n"
  "  expect red low 1\n"
  "}\n"
  "test \"fine rate\" {\n"
  "  as_of 2025-03-31\n"
  "  table sales (rep_id, day, rate, boss) { (2, 2025-03-15, 0.5, \"bo\") }\n"
  "  expect no alert low 2\n"
  "}\n";

static const char *const schema = "CREATE TABLE sales (rep_id INTEGER, day DATE, rate REAL, boss TEXT);\n";

static int write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  fputs(text, f);
  return fclose(f);
}

/* A database with rows: rates (key 1 red... key 3 yellow), a bad value. */
static int make_db(const char *rows) {
  unlink(db_path);
  sqlite3 *db = NULL;
  if (sqlite3_open(db_path, &db) != SQLITE_OK) return -1;
  char *sql = sqlite3_mprintf("%s%s", schema, rows);
  int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
  sqlite3_free(sql);
  sqlite3_close(db);
  return rc == SQLITE_OK ? 0 : -1;
}

static const char *const yellow_rows = "INSERT INTO sales VALUES (3, '2025-03-15', 0.25, 'cy');\n";
static const char *const all_rows =
  "INSERT INTO sales VALUES (1, '2025-03-15', 0.05, 'ann'), (2, '2025-03-15', 0.15, 'bo'),"
  " (3, '2025-03-15', 0.25, 'cy'), (4, '2025-03-15', 'n/a', 'di');\n";

static int setup(void) {
  snprintf(dir, sizeof dir, "/tmp/vigil-cli-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  snprintf(pack_dir, sizeof pack_dir, "%s/pack", dir);
  if (mkdir(pack_dir, 0700) != 0) return -1;
  snprintf(rules_path, sizeof rules_path, "%s/pack/low.rules", dir);
  snprintf(db_path, sizeof db_path, "%s/sales.db", dir);
  char sp[600];
  snprintf(sp, sizeof sp, "%s/pack/schema.sql", dir);
  if (write_text(rules_path, pack_rules) || write_text(sp, schema)) return -1;
  return sqlite3_open(":memory:", &mem) == SQLITE_OK ? 0 : -1;
}

static int cleanup(void) {
  sqlite3_close(mem);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* ---- item 8a: run --fail-on TIER ---------------------------------------------------- */

static int count_runs(void) {
  sqlite3 *db = NULL;
  int n = -1;
  if (sqlite3_open(db_path, &db) == SQLITE_OK) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM vigil_runs", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

static void test_fail_on(void) {
  crun r;
  CU_ASSERT_FATAL(make_db(all_rows) == 0);
  /* red fires: --fail-on orange and red exit 3, after recording */
  V(&r, "run", "--db", db_path, "--as-of", "2025-03-31", "--fail-on", "orange", pack_dir);
  EXPECT_EXIT(&r, 3);
  EXPECT_HAS(r.out, "red");
  crun_free(&r);
  CU_ASSERT_EQUAL(count_runs(), 1);
  V(&r, "run", "--db", db_path, "--as-of", "2025-03-31", "--fail-on=red", "--dry-run", pack_dir);
  EXPECT_EXIT(&r, 3);
  crun_free(&r);
  /* only yellow fires: --fail-on orange passes, --fail-on yellow does not */
  CU_ASSERT_FATAL(make_db(yellow_rows) == 0);
  V(&r, "run", "--db", db_path, "--as-of", "2025-03-31", "--fail-on", "orange", pack_dir);
  EXPECT_EXIT(&r, 0);
  crun_free(&r);
  V(&r, "run", "--db", db_path, "--as-of", "2025-03-31", "--fail-on", "yellow", "--dry-run", pack_dir);
  EXPECT_EXIT(&r, 3);
  crun_free(&r);
  /* a tier no pack has is a usage error naming the tiers */
  V(&r, "run", "--db", db_path, "--as-of", "2025-03-31", "--fail-on", "purple", pack_dir);
  EXPECT_EXIT(&r, 2);
  EXPECT_HAS(r.err, "purple");
  EXPECT_HAS(r.err, "yellow, orange, red");
  crun_free(&r);
  V(&r, "run", "--help");
  EXPECT_HAS(r.out, "--fail-on TIER");
  EXPECT_HAS(r.out, "3 ");
  crun_free(&r);
}

/* ---- item 8b: --diagnostics-format json ------------------------------------------- */

static void test_diagnostics_json(void) {
  crun r;
  CU_ASSERT_FATAL(make_db(all_rows) == 0);
  V(&r, "run", "--db", db_path, "--as-of", "2025-03-31", "--dry-run", "--diagnostics-format", "json", pack_dir);
  EXPECT_EXIT(&r, 0);
  CU_ASSERT(json_typed_lines(r.err) >= 2);
  EXPECT_HAS(r.err, "{\"type\":\"diagnostic\",\"severity\":\"warning\",\"code\":");
  EXPECT_HAS(r.err, "not numbers in a number column");
  EXPECT_HAS(r.err, "{\"type\":\"summary\",\"pack\":");
  EXPECT_HASNT(r.err, "vigil: ");
  crun_free(&r);
  /* a missing database: one diagnostic line, exit 1 */
  V(&r, "run", "--db", "/nonexistent/x.db", "--diagnostics-format", "json", pack_dir);
  EXPECT_EXIT(&r, 1);
  CU_ASSERT_EQUAL(json_typed_lines(r.err), 1);
  EXPECT_HAS(r.err, "no such database");
  crun_free(&r);
  /* errors in a pack */
  char bad[600];
  snprintf(bad, sizeof bad, "%s/bad.rules", dir);
  CU_ASSERT_FATAL(write_text(bad, "source s { table sales key rep_id time day }\nrule r on s { red when nope > 1 }\n") == 0);
  V(&r, "run", "--db", db_path, "--dry-run", "--diagnostics-format", "json", bad);
  EXPECT_EXIT(&r, 1);
  CU_ASSERT(json_typed_lines(r.err) >= 1);
  EXPECT_HAS(r.err, "\"severity\":\"error\"");
  EXPECT_HAS(r.err, "\"line\":2");
  crun_free(&r);
  V(&r, "backtest", "--db", db_path, "--from", "2025-03-30", "--to", "2025-03-31", "--format", "jsonl",
    "--diagnostics-format=json", pack_dir);
  EXPECT_EXIT(&r, 0);
  CU_ASSERT(json_typed_lines(r.err) >= 2);
  EXPECT_HAS(r.err, "{\"type\":\"summary\",\"pack\":");
  EXPECT_HAS(r.err, "not numbers in a number column");
  crun_free(&r);
  V(&r, "run", "--db", db_path, "--diagnostics-format", "yaml", pack_dir);
  EXPECT_EXIT(&r, 2);
  crun_free(&r);
}

/* ---- item 8c: vigil explain CODE ----------------------------------------------------- */

static void test_explain(void) {
  crun r;
  V(&r, "explain", "E-unknown-column");
  EXPECT_EXIT(&r, 0);
  EXPECT_HAS(r.out, "E-unknown-column");
  EXPECT_HAS(r.out, "a name that is no column, let or param"); /* core/diagcodes.def's text */
  EXPECT_HAS(r.out, "DIAGNOSTICS.md");
  crun_free(&r);
  V(&r, "explain", "E-unknown-colum");
  EXPECT_EXIT(&r, 1);
  EXPECT_HAS(r.err, "unknown code 'E-unknown-colum'");
  EXPECT_HAS(r.err, "did you mean 'E-unknown-column'?");
  crun_free(&r);
  V(&r, "explain");
  EXPECT_EXIT(&r, 2);
  crun_free(&r);
  V(&r, "explain", "--help");
  EXPECT_EXIT(&r, 0);
  EXPECT_HAS(r.out, "usage: vigil explain CODE");
  crun_free(&r);
}

/* ---- item 8e: digest --to an unknown person ---------------------------------------- */

static void test_digest_to_unknown(void) {
  crun r;
  CU_ASSERT_FATAL(make_db(all_rows) == 0);
  V(&r, "run", "--db", db_path, "--as-of", "2025-03-31", pack_dir);
  EXPECT_EXIT(&r, 0);
  crun_free(&r);
  V(&r, "digest", "--db", db_path, "--to", "ann");
  EXPECT_EXIT(&r, 0);
  EXPECT_HAS(r.out, "ann");
  crun_free(&r);
  V(&r, "digest", "--db", db_path, "--to", "zed");
  EXPECT_EXIT(&r, 1);
  EXPECT_HAS(r.err, "zed");
  EXPECT_HAS(r.err, "is not in the run");
  crun_free(&r);
}

/* ---- item 8d: test --format json, test --run PATTERN ------------------------------------ */

static void test_test_json_run(void) {
  crun r;
  V(&r, "test", "--format", "json", pack_dir);
  EXPECT_EXIT(&r, 0);
  CU_ASSERT_EQUAL(json_typed_lines(r.out), 3); /* two tests and the summary */
  EXPECT_HAS(r.out, "{\"type\":\"test\",\"pack\":\"pack\",\"name\":\"low rate is red\",");
  EXPECT_HAS(r.out, "\"outcome\":\"pass\"");
  EXPECT_HAS(r.out, "{\"type\":\"summary\",\"passed\":2,\"failed\":0,\"errors\":0");
  crun_free(&r);
  /* a glob on the test's name or PACK/NAME: only those run */
  V(&r, "test", "--run", "low*", pack_dir);
  EXPECT_EXIT(&r, 0);
  EXPECT_HAS(r.out, "PASS low rate is red");
  EXPECT_HASNT(r.out, "fine rate");
  EXPECT_HAS(r.out, "1 passed, 0 failed");
  crun_free(&r);
  V(&r, "test", "--run=pack/fine*", "--format=json", pack_dir);
  EXPECT_EXIT(&r, 0);
  CU_ASSERT_EQUAL(json_typed_lines(r.out), 2);
  EXPECT_HAS(r.out, "\"name\":\"fine rate\"");
  EXPECT_HASNT(r.out, "low rate");
  crun_free(&r);
  /* no test matches: an error */
  V(&r, "test", "--run", "nothing*", pack_dir);
  EXPECT_EXIT(&r, 1);
  EXPECT_HAS(r.err, "--run nothing*: no test matches");
  crun_free(&r);
  /* a failing test in JSON: outcome fail with its diff, exit 1 */
  char bad[600];
  snprintf(bad, sizeof bad, "%s/failing.rules", dir);
  CU_ASSERT_FATAL(write_text(bad, "source s { table sales key rep_id time day }\n"
                                  "rule low on s { red when rate < 0.1 }\n"
                                  "test \"wrong\" {\n  as_of 2025-03-31\n"
                                  "  table sales (rep_id, day, rate) { (1, 2025-03-15, 0.5) }\n  expect red low 1\n}\n") == 0);
  char sch[600];
  snprintf(sch, sizeof sch, "%s/schema.sql", dir);
  CU_ASSERT_FATAL(write_text(sch, schema) == 0);
  V(&r, "test", "--format", "json", bad);
  EXPECT_EXIT(&r, 1);
  CU_ASSERT_EQUAL(json_typed_lines(r.out), 2);
  EXPECT_HAS(r.out, "\"outcome\":\"fail\"");
  EXPECT_HAS(r.out, "\"diff\":\"- expected red low 1");
  crun_free(&r);
}

/* ---- item 7: -V, --color, NO_COLOR, TERM=dumb, '-' for stdin, a missing file -------------- */

/* vigil check of a file with an error, stderr on a pseudo-terminal when tty
** (else a file); env as for crun_argv.  Returns 1 when stderr had an escape
** sequence, 0 when not, -1 when it could not run. */
static int colored(int tty, const char *const *env, const char *color_arg) {
  char bad[600], errp[600];
  snprintf(bad, sizeof bad, "%s/color.rules", dir);
  snprintf(errp, sizeof errp, "%s/color-err.txt", dir);
  if (write_text(bad, "rule r on nowhere { red when x > 1 }\n") != 0) return -1;
  int master = -1;
  char *slave = NULL;
  if (tty) {
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || !(slave = ptsname(master))) return -1;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int e = tty ? open(slave, O_RDWR | O_NOCTTY) : open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int nul = open("/dev/null", O_RDWR);
    if (e < 0 || nul < 0) _exit(126);
    dup2(nul, 0); dup2(nul, 1); dup2(e, 2);
    apply_env(env);
    if (color_arg) execl(tu_vigil(), tu_vigil(), color_arg, "check", bad, (char *)NULL);
    else execl(tu_vigil(), tu_vigil(), "check", bad, (char *)NULL);
    _exit(126);
  }
  char buf[8192];
  size_t n = 0;
  if (tty) {
    for (;;) { /* read until the child closes the terminal (EIO) */
      ssize_t k = read(master, buf + n, sizeof buf - 1 - n);
      if (k <= 0) break;
      n += (size_t)k;
      if (n >= sizeof buf - 1) break;
    }
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  if (tty) close(master);
  buf[n] = 0;
  if (!tty) {
    char *t = tu_slurp_or_empty(errp);
    snprintf(buf, sizeof buf, "%s", t ? t : "");
    free(t);
  }
  if (!strstr(buf, "error")) { fprintf(stderr, "\n  no error shown: %s\n", buf); return -1; }
  return strchr(buf, '\033') != NULL;
}

static void test_color(void) {
  const char *const term[] = {"TERM=xterm", "NO_COLOR", NULL};
  const char *const no_color[] = {"TERM=xterm", "NO_COLOR=1", NULL};
  const char *const no_color_empty[] = {"TERM=xterm", "NO_COLOR=", NULL};
  const char *const dumb[] = {"TERM=dumb", "NO_COLOR", NULL};
  CU_ASSERT_EQUAL(colored(1, term, NULL), 1);               /* auto: a terminal */
  CU_ASSERT_EQUAL(colored(0, term, NULL), 0);               /* auto: a file */
  CU_ASSERT_EQUAL(colored(1, no_color, NULL), 0);           /* NO_COLOR set and not empty */
  CU_ASSERT_EQUAL(colored(1, no_color_empty, NULL), 1);     /* NO_COLOR empty: ignored */
  CU_ASSERT_EQUAL(colored(1, dumb, NULL), 0);               /* TERM=dumb */
  CU_ASSERT_EQUAL(colored(1, term, "--color=never"), 0);
  CU_ASSERT_EQUAL(colored(0, term, "--color=always"), 1);
  CU_ASSERT_EQUAL(colored(0, no_color, "--color=always"), 1); /* the command line wins */
  CU_ASSERT_EQUAL(colored(1, dumb, "--color=auto"), 0);
  crun r;
  V(&r, "--color=sometimes", "check", rules_path);
  EXPECT_EXIT(&r, 2);
  EXPECT_HAS(r.err, "--color");
  crun_free(&r);
  V(&r, "check", "--color=never", rules_path); /* after the command too */
  EXPECT_EXIT(&r, 0);
  crun_free(&r);
}

static void test_conventions(void) {
  crun r, v;
  V(&r, "-V");
  V(&v, "--version");
  EXPECT_EXIT(&r, 0);
  CU_ASSERT_STRING_EQUAL(r.out, v.out);
  EXPECT_HAS(r.out, "vigil ");
  crun_free(&r);
  crun_free(&v);
  /* check on a missing file: a usage error */
  V(&r, "check", "/nonexistent/nope.rules");
  EXPECT_EXIT(&r, 2);
  EXPECT_HAS(r.err, "/nonexistent/nope.rules: no such file or folder");
  crun_free(&r);
  /* '-' reads standard input, named <stdin> */
  const char *const none[] = {NULL};
  crun_argv(&r, "rule r on s { red when x > 1 }\n", none, (const char *const[]){"check", "-", NULL});
  EXPECT_EXIT(&r, 1);
  EXPECT_HAS(r.err, "<stdin>:1:");
  crun_free(&r);
  char sch[600];
  snprintf(sch, sizeof sch, "%s/pack/schema.sql", dir);
  crun_argv(&r, pack_rules, none, (const char *const[]){"check", "--schema", sch, "-", NULL});
  EXPECT_EXIT(&r, 0);
  EXPECT_HAS(r.out, "<stdin>: ok");
  crun_free(&r);
  crun_argv(&r, "rule r on s {  red when x>1 }\n", none, (const char *const[]){"fmt", "-", NULL});
  EXPECT_EXIT(&r, 0);
  CU_ASSERT_STRING_EQUAL(r.out, "rule r on s {\n  red when x > 1\n}\n");
  crun_free(&r);
  crun_argv(&r, "rule r on s {  red when x>1 }\n", none, (const char *const[]){"fmt", "--check", "-", NULL});
  EXPECT_EXIT(&r, 1);
  EXPECT_HAS(r.out, "--- a/<stdin>\n+++ b/<stdin>");
  crun_free(&r);
  crun_argv(&r, "rule r on s { red when x > 1 \n", none, (const char *const[]){"fmt", "-", NULL});
  EXPECT_EXIT(&r, 1);
  EXPECT_HAS(r.err, "<stdin>:");
  crun_free(&r);
  crun_argv(&r, "rule r on s { red when x > 1 }\n", none, (const char *const[]){"fmt", "--write", "-", NULL});
  EXPECT_EXIT(&r, 2);
  crun_free(&r);
}

int unit_register_cli(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
    {"run --fail-on TIER exits 3 after recording", test_fail_on},
    {"run/backtest --diagnostics-format json: JSON lines on stderr", test_diagnostics_json},
    {"explain CODE, did-you-mean for an unknown code", test_explain},
    {"digest --to a person not in the run exits 1", test_digest_to_unknown},
    {"test --format json and --run PATTERN", test_test_json_run},
    {"--color, NO_COLOR only when not empty, TERM=dumb", test_color},
    {"-V, '-' for stdin in check and fmt, check on a missing file exits 2", test_conventions},
  };
  CU_pSuite s = CU_add_suite("cli: scripts and conventions (issue 16, items 7 and 8)", setup, cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}
