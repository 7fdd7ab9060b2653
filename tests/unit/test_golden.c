/*
** test_golden.c — golden tests, run through the vigil binary.
**
** Three kinds of files, each one test case (a failure names the file and
** the first line that differs):
**
**   tests/golden/errors/NAME.rules   rules with mistakes; after a line
**       "# expect:" the rest of the file, with "# " stripped, is exactly what
**       `vigil check NAME.rules` prints on stderr (run in that folder, whose
**       schema.sql is the schema).  The exit status must be 1 when that has
**       an error, 0 when it has only warnings.  A line "# db: FILE.sql"
**       before "# expect:" checks against a database instead: FILE.sql (in
**       that folder) is loaded into a new SQLite file, and the command is
**       `vigil check --db FILE NAME.rules`.
**
**   tests/golden/run/NAME.test, examples/PACK/tests/NAME.test
**       header lines "# as_of: DATE", "# args: ...", "# exit: N",
**       "# sql-file: PATH" (relative to the test), then sections:
**         === rules    the rules (tests/golden/run only; a pack test uses its pack)
**         === sql      statements that build the database (a pack test gets
**                      the pack's schema.sql first)
**         === expect   exactly the JSONL `vigil run --dry-run --format jsonl` prints
**         === stderr   lines that must each appear in stderr
**
**   tests/acceptance/   the brief's worked example: fixture.sql, acceptance.rules
**       and expected-DATE.jsonl for each as-of date.
*/
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "testutil.h"

static int spit(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(text, 1, n, f) == n;
  return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* Runs cmd with sh; stdout and stderr into files.  Returns the exit status. */
static int run_cmd(const char *cmd, const char *out, const char *err) {
  char full[9300];
  snprintf(full, sizeof full, "%s >'%s' 2>'%s'", cmd, out, err);
  int st = system(full);
  if (st == -1 || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

/* Report a failure for file with a message (CUnit keeps the text). */
static void fail_case(const char *file, const char *fmt, const char *a, const char *b) {
  static char msg[4096];
  char detail[3000];
  snprintf(detail, sizeof detail, fmt, a ? a : "", b ? b : "");
  snprintf(msg, sizeof msg, "%s: %s", file, detail);
  CU_assertImplementation(CU_FALSE, __LINE__, strdup(msg), __FILE__, "", CU_FALSE);
}

static void pass_case(void) { CU_assertImplementation(CU_TRUE, __LINE__, "golden", __FILE__, "", CU_FALSE); }

/* Compare two texts line by line; on a difference report the first one. */
static int same_text(const char *file, const char *want, const char *got) {
  if (strcmp(want, got) == 0) return 1;
  const char *w = want, *g = got;
  int line = 1;
  while (*w && *g) {
    const char *we = strchr(w, '\n'), *ge = strchr(g, '\n');
    size_t wl = we ? (size_t)(we - w) : strlen(w), gl = ge ? (size_t)(ge - g) : strlen(g);
    if (wl != gl || memcmp(w, g, wl) != 0) break;
    w += wl + (we ? 1 : 0);
    g += gl + (ge ? 1 : 0);
    line++;
  }
  char wbuf[1200], gbuf[1200];
  snprintf(wbuf, sizeof wbuf, "%.*s", (int)(strchr(w, '\n') ? strchr(w, '\n') - w : (long)strlen(w)), w);
  snprintf(gbuf, sizeof gbuf, "%.*s", (int)(strchr(g, '\n') ? strchr(g, '\n') - g : (long)strlen(g)), g);
  char head[64];
  snprintf(head, sizeof head, "line %d differs: ", line);
  char both[2600];
  snprintf(both, sizeof both, "%sexpected [%s] got [%s]", head, wbuf, gbuf);
  fail_case(file, "%s%s", both, "");
  return 0;
}

/* Files in dir ending in suffix, sorted; NULL-terminated array (caller frees). */
static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static char **list_dir(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  if (!d) return NULL;
  size_t n = 0, cap = 16;
  char **v = malloc(cap * sizeof *v);
  struct dirent *e;
  while (v && (e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name), sl = strlen(suffix);
    if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix) != 0) continue;
    if (n + 2 > cap) { cap *= 2; v = realloc(v, cap * sizeof *v); if (!v) break; }
    v[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (!v) return NULL;
  v[n] = NULL;
  qsort(v, n, sizeof *v, cmp_names);
  return v;
}
/* The pack folders of examples/ (each holds a schema.sql), sorted; NULL-terminated. */
static char **list_packs(const char *examples) {
  DIR *d = opendir(examples);
  if (!d) return NULL;
  size_t n = 0, cap = 16;
  char **v = malloc(cap * sizeof *v);
  struct dirent *e;
  while (v && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char schema[1024];
    snprintf(schema, sizeof schema, "%s/%s/schema.sql", examples, e->d_name);
    if (access(schema, R_OK) != 0) continue;
    if (n + 2 > cap) { cap *= 2; v = realloc(v, cap * sizeof *v); if (!v) break; }
    v[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (!v) return NULL;
  v[n] = NULL;
  qsort(v, n, sizeof *v, cmp_names);
  return v;
}

static void free_list(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

static char tmpdir[256];

static void make_tmp(void) {
  if (tmpdir[0]) return;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/vigil-golden-XXXXXX");
  if (!mkdtemp(tmpdir)) tmpdir[0] = 0;
}

/* ---- error goldens ------------------------------------------------------------ */

static int load_sql(sqlite3 *db, const char *sql, const char *what, const char *file);

static void error_case(const char *dir, const char *name) {
  char path[1024], out[512], err[512], cmd[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *text = tu_slurp(path, NULL);
  if (!text) { fail_case(path, "cannot read%s%s", "", ""); return; }
  char *mark = strstr(text, "# expect:\n");
  if (!mark) { fail_case(path, "no '# expect:' block%s%s", "", ""); free(text); return; }
  /* the expected text: each following line without its "# " (or "#") */
  size_t cap = strlen(mark) + 1, n = 0;
  char *want = malloc(cap);
  for (char *l = mark + 10; *l;) {
    char *e = strchr(l, '\n');
    size_t len = e ? (size_t)(e - l) : strlen(l);
    const char *s = l;
    if (len >= 2 && s[0] == '#' && s[1] == ' ') { s += 2; len -= 2; }
    else if (len >= 1 && s[0] == '#') { s += 1; len -= 1; }
    memcpy(want + n, s, len);
    n += len;
    want[n++] = '\n';
    l = e ? e + 1 : l + strlen(l);
  }
  want[n] = 0;
  snprintf(out, sizeof out, "%s/check.out", tmpdir);
  snprintf(err, sizeof err, "%s/check.err", tmpdir);
  char abs_bin[1024];
  if (tu_vigil()[0] == '/') snprintf(abs_bin, sizeof abs_bin, "%s", tu_vigil());
  else { char cwd[512]; snprintf(abs_bin, sizeof abs_bin, "%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".", tu_vigil()); }
  /* "# db: FILE.sql": the database it makes */
  char db_opt[700] = "";
  const char *dbl = strstr(text, "# db: ");
  if (dbl && dbl < mark) {
    char sqlname[256], sqlpath[1300], dbpath[600];
    if (sscanf(dbl + 6, "%255s", sqlname) != 1) sqlname[0] = 0;
    snprintf(sqlpath, sizeof sqlpath, "%s/%s", dir, sqlname);
    snprintf(dbpath, sizeof dbpath, "%s/%s.db", tmpdir, name);
    remove(dbpath);
    char *sql = tu_slurp(sqlpath, NULL);
    sqlite3 *db = NULL;
    int ok = sql && sqlite3_open(dbpath, &db) == SQLITE_OK && load_sql(db, sql, sqlname, path) == 0;
    sqlite3_close(db);
    free(sql);
    if (!ok) {
      if (!sql) fail_case(path, "cannot read %s%s", sqlpath, "");
      free(want);
      free(text);
      return;
    }
    snprintf(db_opt, sizeof db_opt, "--db '%s' ", dbpath);
  }
  snprintf(cmd, sizeof cmd, "cd '%s' && NO_COLOR=1 '%s' check %s'%s'", dir, abs_bin, db_opt, name);
  int rc = run_cmd(cmd, out, err);
  char *got = tu_slurp(err, NULL);
  int want_rc = strstr(want, ": error: ") ? 1 : 0; /* warnings alone pass */
  if (rc != want_rc) {
    char rcs[64];
    snprintf(rcs, sizeof rcs, "%d, expected %d", rc, want_rc);
    fail_case(path, "vigil check exited %s; stderr: %.2000s", rcs, got ? got : "");
  } else if (same_text(path, want, got ? got : "")) {
    pass_case();
  }
  free(got);
  free(want);
  free(text);
}

static void test_errors(void) {
  make_tmp();
  char dir[512];
  snprintf(dir, sizeof dir, "%s/tests/golden/errors", tu_root());
  char **files = list_dir(dir, ".rules");
  CU_ASSERT_PTR_NOT_NULL_FATAL(files);
  int n = 0;
  for (char **f = files; *f; f++, n++) error_case(dir, *f);
  CU_ASSERT(n > 0);
  free_list(files);
}

/* ---- run goldens --------------------------------------------------------------------- */

typedef struct run_case {
  char as_of[32], args[1300], sql_file[512];
  int exit_code;
  char *rules, *sql, *expect, *stderr_lines;
} run_case;

/* Split a .test file into its header and sections (pointers into text;
** each section keeps its lines' newlines).  Returns -1 for an unknown
** section name. */
static int parse_case(char *text, run_case *c) {
  memset(c, 0, sizeof *c);
  int in_section = 0;
  for (char *l = text; *l;) {
    char *e = strchr(l, '\n');
    size_t len = e ? (size_t)(e - l) : strlen(l);
    char line[1200];
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1), l);
    if (strncmp(line, "=== ", 4) == 0) {
      const char *s = line + 4;
      char **next = strcmp(s, "rules") == 0 ? &c->rules : strcmp(s, "sql") == 0 ? &c->sql
                  : strcmp(s, "expect") == 0 ? &c->expect : strcmp(s, "stderr") == 0 ? &c->stderr_lines : NULL;
      if (!next) return -1;
      *l = 0; /* ends the previous section */
      *next = e ? e + 1 : l + len;
      in_section = 1;
    } else if (!in_section) {
      if (strncmp(line, "# as_of:", 8) == 0) sscanf(line + 8, " %31s", c->as_of);
      else if (strncmp(line, "# args:", 7) == 0) snprintf(c->args, sizeof c->args, "%s", line + 7);
      else if (strncmp(line, "# exit:", 7) == 0) c->exit_code = atoi(line + 7);
      else if (strncmp(line, "# sql-file:", 11) == 0) sscanf(line + 11, " %511s", c->sql_file);
    }
    if (!e) break;
    l = e + 1;
  }
  return 0;
}

static int load_sql(sqlite3 *db, const char *sql, const char *what, const char *file) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fail_case(file, "%s does not load: %s", what, err ? err : "?");
    sqlite3_free(err);
    return -1;
  }
  return 0;
}

/* pack_dir is the pack a pack test runs (NULL for tests/golden/run). */
static void run_test_file(const char *dir, const char *name, const char *pack_dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *text = tu_slurp(path, NULL);
  if (!text) { fail_case(path, "cannot read%s%s", "", ""); return; }
  run_case c;
  if (parse_case(text, &c) != 0 || !c.as_of[0] || !c.expect) {
    fail_case(path, "malformed test (needs '# as_of:' and an '=== expect' section)%s%s", "", "");
    free(text);
    return;
  }
  char db_path[512], rules_path[512], out[512], err[512], cmd[8192];
  snprintf(db_path, sizeof db_path, "%s/case.db", tmpdir);
  snprintf(rules_path, sizeof rules_path, "%s/case.rules", tmpdir);
  snprintf(out, sizeof out, "%s/run.out", tmpdir);
  snprintf(err, sizeof err, "%s/run.err", tmpdir);
  remove(db_path);
  sqlite3 *db = NULL;
  int ok = sqlite3_open(db_path, &db) == SQLITE_OK;
  if (ok && pack_dir) {
    char schema[1024];
    snprintf(schema, sizeof schema, "%s/schema.sql", pack_dir);
    char *sql = tu_slurp(schema, NULL);
    ok = sql && load_sql(db, sql, "the pack's schema.sql", path) == 0;
    free(sql);
  }
  if (ok && c.sql_file[0]) {
    char sf[1200];
    snprintf(sf, sizeof sf, "%s/%s", dir, c.sql_file);
    char *sql = tu_slurp(sf, NULL);
    ok = sql && load_sql(db, sql, c.sql_file, path) == 0;
    if (!sql) fail_case(path, "cannot read %s%s", c.sql_file, "");
    free(sql);
  }
  if (ok && c.sql) ok = load_sql(db, c.sql, "the sql section", path) == 0;
  sqlite3_close(db);
  if (!ok) { free(text); return; }
  const char *target = pack_dir;
  if (!pack_dir) {
    if (!c.rules || spit(rules_path, c.rules, strlen(c.rules)) != 0) {
      fail_case(path, "no rules section%s%s", "", "");
      free(text);
      return;
    }
    target = rules_path;
  }
  snprintf(cmd, sizeof cmd, "NO_COLOR=1 '%s' run --db '%s' --as-of %s --dry-run --format jsonl %s '%s'", tu_vigil(), db_path,
           c.as_of, c.args, target);
  int rc = run_cmd(cmd, out, err);
  char *got = tu_slurp(out, NULL), *gerr = tu_slurp(err, NULL);
  if (rc != c.exit_code) {
    char rcs[64];
    snprintf(rcs, sizeof rcs, "%d (expected %d)", rc, c.exit_code);
    fail_case(path, "vigil run exited %s; stderr: %.2000s", rcs, gerr ? gerr : "");
  } else if (same_text(path, c.expect, got ? got : "")) {
    int all = 1;
    if (c.stderr_lines) {
      char *lines = strdup(c.stderr_lines);
      for (char *l = strtok(lines, "\n"); l; l = strtok(NULL, "\n")) {
        if (!*l) continue;
        if (!gerr || !strstr(gerr, l)) {
          fail_case(path, "stderr lacks [%s]; it is: %.1500s", l, gerr ? gerr : "");
          all = 0;
          break;
        }
      }
      free(lines);
    }
    if (all) pass_case();
  }
  free(got);
  free(gerr);
  free(text);
}

static void test_run(void) {
  make_tmp();
  char dir[512];
  snprintf(dir, sizeof dir, "%s/tests/golden/run", tu_root());
  char **files = list_dir(dir, ".test");
  CU_ASSERT_PTR_NOT_NULL_FATAL(files);
  int n = 0;
  for (char **f = files; *f; f++, n++) run_test_file(dir, *f, NULL);
  CU_ASSERT(n > 0);
  free_list(files);
}

static void test_packs(void) {
  make_tmp();
  char dir[512];
  snprintf(dir, sizeof dir, "%s/examples", tu_root());
  char **packs = list_packs(dir); /* every pack of examples/, so a new one is tested too */
  CU_ASSERT_FATAL(packs && packs[0]);
  for (size_t i = 0; packs[i]; i++) {
    char pack[700], tdir[800];
    snprintf(pack, sizeof pack, "%s/%s", dir, packs[i]);
    snprintf(tdir, sizeof tdir, "%s/tests", pack);
    char **files = list_dir(tdir, ".test");
    if (!files || !files[0]) {
      fail_case(pack, "the pack has no tests%s%s", "", "");
      free_list(files);
      continue;
    }
    for (char **f = files; *f; f++) run_test_file(tdir, *f, pack);
    free_list(files);
  }
  free_list(packs);
}

static void test_acceptance(void) {
  make_tmp();
  char dir[512], fixture[600], rules[600];
  snprintf(dir, sizeof dir, "%s/tests/acceptance", tu_root());
  snprintf(fixture, sizeof fixture, "%s/fixture.sql", dir);
  snprintf(rules, sizeof rules, "%s/acceptance.rules", dir);
  char **files = list_dir(dir, ".jsonl");
  CU_ASSERT_PTR_NOT_NULL_FATAL(files);
  for (char **f = files; *f; f++) {
    char exp[800], db_path[512], out[512], err[512], cmd[4096], as_of[32] = "";
    snprintf(exp, sizeof exp, "%s/%s", dir, *f);
    sscanf(*f, "expected-%10s", as_of);
    snprintf(db_path, sizeof db_path, "%s/acceptance.db", tmpdir);
    snprintf(out, sizeof out, "%s/acc.out", tmpdir);
    snprintf(err, sizeof err, "%s/acc.err", tmpdir);
    remove(db_path);
    sqlite3 *db = NULL;
    char *sql = tu_slurp(fixture, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sql);
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
    int ok = load_sql(db, sql, "fixture.sql", exp) == 0;
    sqlite3_close(db);
    free(sql);
    if (!ok) continue;
    snprintf(cmd, sizeof cmd, "'%s' run --db '%s' --as-of %s --dry-run --format jsonl '%s'", tu_vigil(), db_path, as_of, rules);
    int rc = run_cmd(cmd, out, err);
    char *want = tu_slurp(exp, NULL), *got = tu_slurp(out, NULL);
    CU_ASSERT_EQUAL(rc, 0);
    if (want && got) {
      if (same_text(exp, want, got)) pass_case();
    } else {
      fail_case(exp, "cannot read the expected or actual output%s%s", "", "");
    }
    free(want);
    free(got);
  }
  free_list(files);
}

/* Each pack's demo gives the same alerts from source and from its .vgc; a
** truncated or bit-flipped .vgc is rejected with exit 1 and a reason. */
static void test_vgc(void) {
  make_tmp();
  char examples[512];
  snprintf(examples, sizeof examples, "%s/examples", tu_root());
  char **packs = list_packs(examples);
  CU_ASSERT_FATAL(packs && packs[0]);
  for (size_t i = 0; packs[i]; i++) {
    char pack[600], db_path[512], vgc[512], out1[512], out2[512], err[512], cmd[4096];
    snprintf(pack, sizeof pack, "%s/examples/%s", tu_root(), packs[i]);
    snprintf(db_path, sizeof db_path, "%s/demo-%s.db", tmpdir, packs[i]);
    snprintf(vgc, sizeof vgc, "%s/%s.vgc", tmpdir, packs[i]);
    snprintf(out1, sizeof out1, "%s/src.out", tmpdir);
    snprintf(out2, sizeof out2, "%s/vgc.out", tmpdir);
    snprintf(err, sizeof err, "%s/vgc.err", tmpdir);
    remove(db_path);
    sqlite3 *db = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_open(db_path, &db), SQLITE_OK);
    char f1[700], f2[700];
    snprintf(f1, sizeof f1, "%s/schema.sql", pack);
    snprintf(f2, sizeof f2, "%s/demo.sql", pack);
    char *schema = tu_slurp(f1, NULL), *demo = tu_slurp(f2, NULL);
    int ok = schema && demo && load_sql(db, schema, "schema.sql", pack) == 0 && load_sql(db, demo, "demo.sql", pack) == 0;
    free(schema);
    free(demo);
    sqlite3_close(db);
    CU_ASSERT_FATAL(ok);
    snprintf(cmd, sizeof cmd, "'%s' compile -o '%s' '%s'", tu_vigil(), vgc, pack);
    CU_ASSERT_EQUAL(run_cmd(cmd, out1, err), 0);
    snprintf(cmd, sizeof cmd, "'%s' run --db '%s' --as-of 2025-06-30 --dry-run --format jsonl '%s'", tu_vigil(), db_path, pack);
    CU_ASSERT_EQUAL(run_cmd(cmd, out1, err), 0);
    snprintf(cmd, sizeof cmd, "'%s' run --db '%s' --as-of 2025-06-30 --dry-run --format jsonl '%s'", tu_vigil(), db_path, vgc);
    CU_ASSERT_EQUAL(run_cmd(cmd, out2, err), 0);
    char *a = tu_slurp(out1, NULL), *b = tu_slurp(out2, NULL);
    CU_ASSERT_PTR_NOT_NULL(a);
    CU_ASSERT_PTR_NOT_NULL(b);
    if (a && b) {
      CU_ASSERT(strlen(a) > 0);
      if (same_text(vgc, a, b)) pass_case();
    }
    free(b);
    /* the same alerts when the tables are read whole (--scan) as with the
    ** per-key index seeks the demo's indexes allow */
    snprintf(cmd, sizeof cmd, "'%s' run --scan --db '%s' --as-of 2025-06-30 --dry-run --format jsonl '%s'", tu_vigil(), db_path, pack);
    CU_ASSERT_EQUAL(run_cmd(cmd, out2, err), 0);
    b = tu_slurp(out2, NULL);
    if (a && b && same_text(pack, a, b)) pass_case();
    free(a);
    free(b);
    /* damaged copies: cut in half, and one flipped bit in the middle */
    char *bytes = tu_slurp(vgc, NULL);
    FILE *f = fopen(vgc, "rb");
    long size = 0;
    if (f) { fseek(f, 0, SEEK_END); size = ftell(f); fclose(f); }
    CU_ASSERT_FATAL(bytes != NULL && size > 16);
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.vgc", tmpdir);
    for (int k = 0; k < 2; k++) {
      if (k == 0) spit(bad, bytes, (size_t)size / 2);
      else {
        bytes[size / 2] ^= 0x10;
        spit(bad, bytes, (size_t)size);
      }
      snprintf(cmd, sizeof cmd, "'%s' run --db '%s' --as-of 2025-06-30 --dry-run '%s'", tu_vigil(), db_path, bad);
      CU_ASSERT_EQUAL(run_cmd(cmd, out2, err), 1);
      char *e = tu_slurp(err, NULL);
      CU_ASSERT_PTR_NOT_NULL(e ? strstr(e, "not a valid compiled pack") : NULL);
      free(e);
    }
    free(bytes);
  }
  free_list(packs);
}

static int cleanup(void) {
  if (tmpdir[0]) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) return 0;
  }
  return 0;
}

int unit_register_golden(void) {
  CU_pSuite s = CU_add_suite("golden", NULL, cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "acceptance example of the brief", test_acceptance) ||
      !CU_add_test(s, "diagnostics of bad rules (tests/golden/errors)", test_errors) ||
      !CU_add_test(s, "rules + data -> alerts (tests/golden/run)", test_run) ||
      !CU_add_test(s, "pack tests (examples/*/tests)", test_packs) ||
      !CU_add_test(s, "packs run the same from .vgc and with --scan; damaged .vgc rejected", test_vgc))
    return CU_get_error();
  return CUE_SUCCESS;
}
