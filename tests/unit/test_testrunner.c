/*
** test_testrunner.c — `vigil test`: the library's test runner
** (vg_test_path) on packs written into a temporary folder, and the command
** (its output, exit status and JUnit XML) through the vigil binary.
**
** Each case writes a pack (schema.sql, p.rules with one rule of two tiers)
** and its tests (tests/t.rules), runs vg_test_path and looks at what came
** back: per test its outcome and diff (rec_*), per tier clause its
** coverage, and the diagnostics as "FILE:LINE:COL: MESSAGE [CODE]" lines.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "vigil.h"
#include "unit.h"

/* ---- the temporary pack ---------------------------------------------------------- */

static char root[256];  /* the temporary folder */
static char pack[300];  /* root/pack */

static int write_file(const char *rel, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", pack, rel);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fputs(text, f);
  return fclose(f);
}

static const char *const SCHEMA =
  "CREATE TABLE snap (rep_id INTEGER NOT NULL, day DATE NOT NULL, rate REAL, base REAL, note TEXT);\n";

/* One rule with three tiers' clauses (yellow, orange, red): yellow below
** the floor, orange below it two snapshots running, red below half of it. */
static const char *const RULES =
  "pack p\n"
  "param slump = 20%\n"
  "source s { table snap key rep_id time day }\n"
  "rule slump on s {\n"
  "  let floor = base * (1 - slump)\n"
  "  yellow when rate < floor\n"
  "  orange when rate < floor for 2 snapshots\n"
  "  red when rate < floor / 2\n"
  "  message \"rate {rate:pct} below {floor:pct}\"\n"
  "}\n"
  "rule quiet on s {\n"
  "  red when rate < 0\n"
  "}\n";

/* A fresh pack folder with RULES, SCHEMA and tests/t.rules = tests. */
static int make_pack(const char *tests) {
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/tests'", pack, pack);
  if (system(cmd) != 0) return -1;
  if (write_file("schema.sql", SCHEMA) != 0 || write_file("p.rules", RULES) != 0) return -1;
  return tests ? write_file("tests/t.rules", tests) : 0;
}

/* ---- what the runner reports --------------------------------------------------------- */

typedef struct rec {
  char name[128];
  int outcome, line;
  char diff[2048];
} rec;

static rec recs[16];
static int nrecs;
static char clauses[2048];  /* "RULE TIER covered|uncovered LINE\n" */
static char diags[4096];
static vg_test_summary sum;

static void on_result(void *ud, const vg_test_result *r) {
  (void)ud;
  if (nrecs >= 16) return;
  rec *x = &recs[nrecs++];
  snprintf(x->name, sizeof x->name, "%s", r->name);
  x->outcome = (int)r->outcome;
  x->line = r->line;
  snprintf(x->diff, sizeof x->diff, "%s", r->diff ? r->diff : "");
}

static void on_clause(void *ud, const vg_test_clause *c) {
  (void)ud;
  size_t n = strlen(clauses);
  snprintf(clauses + n, sizeof clauses - n, "%s %s %s %d\n", c->rule, c->tier, c->covered ? "covered" : "uncovered", c->line);
}

static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  size_t n = strlen(diags);
  const char *file = d->file ? strrchr(d->file, '/') : NULL;
  file = file ? file + 1 : d->file ? d->file : "-";
  snprintf(diags + n, sizeof diags - n, "%s:%d:%d: %s [%s]\n", file, d->line, d->col, d->message, d->code ? d->code : "");
}

/* Runs the tests of path (the pack folder when NULL); returns the status. */
static vg_status run_path(const char *path) {
  nrecs = 0;
  clauses[0] = diags[0] = 0;
  memset(&sum, 0, sizeof sum);
  memset(recs, 0, sizeof recs);
  vg_test_opts o;
  memset(&o, 0, sizeof o);
  o.diag = on_diag;
  o.result = on_result;
  o.clause = on_clause;
  return vg_test_path(path ? path : pack, &o, &sum);
}

static vg_status run_tests(const char *tests) {
  if (make_pack(tests) != 0) return (vg_status)-1;
  return run_path(NULL);
}

static int has(const char *hay, const char *needle) {
  if (strstr(hay, needle)) return 1;
  printf("\n[%s] not in:\n%s\n", needle, hay);
  return 0;
}

/* Two reps: rep 1 below the floor (0.2 * 0.8 = 0.16) twice, rep 2 fine. */
#define ROWS                                                   \
  "  table snap (rep_id, day, rate, base) {\n"                 \
  "    (1, 2025-03-01, 0.15, 0.2)\n"                           \
  "    (1, 2025-03-15, 0.12, 0.2)\n"                           \
  "    (2, 2025-03-15, 0.20, 0.2)\n"                           \
  "  }\n"

/* ---- the cases ---------------------------------------------------------------------- */

static void test_pass(void) {
  CU_ASSERT_EQUAL(run_tests("test \"orange after two\" {\n  as_of 2025-03-15\n" ROWS
                            "  expect orange slump 1 message \"rate 12% below 16%\"\n"
                            "  expect no alert quiet 1\n}\n"),
                  VG_OK);
  CU_ASSERT_EQUAL(nrecs, 1);
  CU_ASSERT_STRING_EQUAL(recs[0].name, "orange after two");
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_PASS);
  CU_ASSERT_EQUAL(recs[0].line, 1);
  CU_ASSERT_STRING_EQUAL(recs[0].diff, "");
  CU_ASSERT_EQUAL(sum.passed, 1);
  CU_ASSERT_EQUAL(sum.failed + sum.errors, 0);
  CU_ASSERT_STRING_EQUAL(diags, "");
}

static void test_failing_tier(void) {
  CU_ASSERT_EQUAL(run_tests("test \"wrong tier\" {\n  as_of 2025-03-15\n" ROWS "  expect red slump 1\n}\n"), VG_EINPUT);
  CU_ASSERT_EQUAL(nrecs, 1);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_FAIL);
  CU_ASSERT_STRING_EQUAL(recs[0].diff, "- expected red slump 1\n+ actual orange slump 1 \"rate 12% below 16%\"\n");
  CU_ASSERT_EQUAL(sum.failed, 1);
}

static void test_failing_message(void) {
  CU_ASSERT_EQUAL(run_tests("test \"wrong message\" {\n  as_of 2025-03-15\n" ROWS
                            "  expect orange slump 1 message \"rate 12% below \\\"16%\\\"\"\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_FAIL);
  CU_ASSERT_STRING_EQUAL(recs[0].diff,
                         "- expected orange slump 1 \"rate 12% below \\\"16%\\\"\"\n"
                         "+ actual orange slump 1 \"rate 12% below 16%\"\n");
}

static void test_unexpected_alert(void) {
  /* rep 3 falls too: its alert is not expected, so the test fails */
  CU_ASSERT_EQUAL(run_tests("test \"extra\" {\n  as_of 2025-03-15\n" ROWS
                            "  table snap (rep_id, day, rate, base) { (3, 2025-03-15, 0.1, 0.2) }\n"
                            "  expect orange slump 1\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_FAIL);
  CU_ASSERT_STRING_EQUAL(recs[0].diff, "+ actual yellow slump 3 \"rate 10% below 16%\"\n");
  /* an expected alert that is not raised */
  CU_ASSERT_EQUAL(run_tests("test \"missing\" {\n  as_of 2025-03-15\n" ROWS
                            "  expect orange slump 1\n  expect yellow slump 2\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_STRING_EQUAL(recs[0].diff, "- expected yellow slump 2\n+ actual no alert slump 2\n");
  /* rules no expect names are not checked */
  CU_ASSERT_EQUAL(run_tests("test \"other rule only\" {\n  as_of 2025-03-15\n" ROWS "  expect no alert quiet 1\n}\n"), VG_OK);
}

static void test_no_alert(void) {
  CU_ASSERT_EQUAL(run_tests("test \"healthy\" {\n  as_of 2025-03-15\n"
                            "  table snap (rep_id, day, rate, base) { (2, 2025-03-15, 0.2, 0.2) }\n"
                            "  expect no alert slump 2\n  expect no alert quiet 2\n}\n"
                            "test \"not healthy\" {\n  as_of 2025-03-15\n" ROWS "  expect no alert slump 1\n}\n"
                            "test \"another key\" {\n  as_of 2025-03-15\n" ROWS "  expect no alert slump 2\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_EQUAL(nrecs, 3);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_PASS);
  CU_ASSERT_EQUAL(recs[1].outcome, VG_TEST_FAIL);
  CU_ASSERT_STRING_EQUAL(recs[1].diff, "- expected no alert slump 1\n+ actual orange slump 1 \"rate 12% below 16%\"\n");
  /* naming a rule checks all its alerts: rep 1's is unexpected */
  CU_ASSERT_EQUAL(recs[2].outcome, VG_TEST_FAIL);
  CU_ASSERT_STRING_EQUAL(recs[2].diff, "+ actual orange slump 1 \"rate 12% below 16%\"\n");
  CU_ASSERT_EQUAL(sum.passed, 1);
  CU_ASSERT_EQUAL(sum.failed, 2);
}

static void test_set(void) {
  /* slump = 50%: the floor is 0.1, rep 1's 0.15 and 0.12 are above it;
  ** the next test runs with the default again */
  CU_ASSERT_EQUAL(run_tests("test \"lenient\" {\n  as_of 2025-03-15\n  set slump = 50%\n" ROWS "  expect no alert slump 1\n}\n"
                            "test \"default again\" {\n  as_of 2025-03-15\n" ROWS "  expect orange slump 1\n}\n"
                            "test \"strict\" {\n  as_of 2025-03-15\n  set slump = 0.05\n" ROWS
                            "  expect red slump 1 message \"rate 12% below 19%\"\n  expect yellow slump 2 message \"rate 20% below 19%\"\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_EQUAL(nrecs, 3);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_PASS);
  CU_ASSERT_EQUAL(recs[1].outcome, VG_TEST_PASS);
  /* 0.05: floor 0.19; rep 2's 0.20 is above it: its expectation fails; 0.12 is not below 0.095 */
  CU_ASSERT_EQUAL(recs[2].outcome, VG_TEST_FAIL);
  CU_ASSERT(has(recs[2].diff, "- expected red slump 1 \"rate 12% below 19%\"\n+ actual orange slump 1 \"rate 12% below 19%\"\n"));
  CU_ASSERT(has(recs[2].diff, "- expected yellow slump 2 \"rate 20% below 19%\"\n+ actual no alert slump 2\n"));
  /* a wrongly typed or unknown param is a located error */
  CU_ASSERT_EQUAL(run_tests("test \"bad set\" {\n  as_of 2025-03-15\n  set slump = 3 days\n  set slumpy = 1\n" ROWS "}\n"), VG_EINPUT);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_ERROR);
  CU_ASSERT(has(diags, "t.rules:3:15: set slump: param slump is a number, and this is a duration"));
  CU_ASSERT(has(diags, "t.rules:4:7: pack p has no param 'slumpy' (its params are slump) [E-test]"));
}

static void test_unknown_names(void) {
  CU_ASSERT_EQUAL(run_tests("test \"names\" {\n  as_of 2025-03-15\n" ROWS
                            "  expect orange slumpp 1\n"
                            "  expect purple slump 1\n"
                            "  expect red quiet 1\n"
                            "  expect yellow quiet 1\n"
                            "  expect no alert nothing 1\n"
                            "  expect orange quiet 1\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_EQUAL(nrecs, 1);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_ERROR);
  CU_ASSERT_EQUAL(sum.errors, 1);
  CU_ASSERT(has(diags, "t.rules:8:17: unknown rule 'slumpp' (the rules of pack p are slump, quiet) [E-test]"));
  CU_ASSERT(has(diags, "t.rules:9:10: unknown tier 'purple' (the tiers are yellow, orange, red) [E-test]"));
  CU_ASSERT(has(diags, "t.rules:11:10: rule quiet has no yellow clause, so it never raises a yellow alert [E-test]"));
  CU_ASSERT(has(diags, "t.rules:12:19: unknown rule 'nothing'"));
  /* a/an by the tier's first letter */
  CU_ASSERT(has(diags, "t.rules:13:10: rule quiet has no orange clause, so it never raises an orange alert [E-test]"));
  CU_ASSERT(strstr(diags, "t.rules:10:") == NULL); /* red quiet is fine */
  /* the result carries the errors too */
  CU_ASSERT(has(recs[0].diff, "t.rules:8:17: unknown rule 'slumpp'"));
}

static void test_missing_table(void) {
  CU_ASSERT_EQUAL(run_tests("test \"tables\" {\n  as_of 2025-03-15\n"
                            "  table sales (rep_id) { (1) }\n"
                            "  table snap (rep_id, dya, rate) { (1, 2025-03-15, 0.1) }\n"
                            "  table snap (rep_id, day) { (1, 2025-03-15, 3) }\n}\n"
                            "test \"no as_of\" {\n  expect no alert slump 1\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_EQUAL(nrecs, 2);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_ERROR);
  CU_ASSERT(has(diags, "t.rules:3:9: table 'sales' is not in the pack's schema.sql"));
  CU_ASSERT(has(diags, "(its tables are snap) [E-test]"));
  CU_ASSERT(has(diags, "t.rules:4:23: table snap has no column 'dya' [E-test]"));
  CU_ASSERT(has(diags, "t.rules:5:30: this row has 3 values for 2 columns [E-test]"));
  CU_ASSERT_EQUAL(recs[1].outcome, VG_TEST_ERROR);
  CU_ASSERT(has(diags, "t.rules:7:6: this test has no as_of"));
  /* a row the database refuses (NOT NULL) is located too */
  CU_ASSERT_EQUAL(run_tests("test \"null day\" {\n  as_of 2025-03-15\n  table snap (rep_id, day) {\n    (1, null)\n  }\n}\n"), VG_EINPUT);
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_ERROR);
  CU_ASSERT(has(diags, "t.rules:4:5: cannot insert this row into snap: NOT NULL constraint failed"));
}

static void test_coverage(void) {
  /* orange and yellow fire (red does not); quiet never fires */
  CU_ASSERT_EQUAL(run_tests("test \"orange\" {\n  as_of 2025-03-15\n" ROWS "  expect orange slump 1\n}\n"
                            "test \"yellow\" {\n  as_of 2025-03-15\n"
                            "  table snap (rep_id, day, rate, base) { (3, 2025-03-15, 0.15, 0.2) }\n"
                            "  expect yellow slump 3\n}\n"),
                  VG_OK);
  CU_ASSERT_EQUAL(sum.passed, 2);
  CU_ASSERT_EQUAL(sum.clauses, 4);
  CU_ASSERT_EQUAL(sum.covered, 2);
  CU_ASSERT_STRING_EQUAL(clauses,
                         "slump yellow covered 6\n"
                         "slump orange covered 7\n"
                         "slump red uncovered 8\n"
                         "quiet red uncovered 12\n");
  /* a failing test's alerts count; a test with errors does not run */
  CU_ASSERT_EQUAL(run_tests("test \"red, wrongly expected\" {\n  as_of 2025-03-15\n"
                            "  table snap (rep_id, day, rate, base) { (4, 2025-03-15, 0.01, 0.2) }\n"
                            "  expect no alert slump 4\n}\n"
                            "test \"broken\" {\n  as_of 2025-03-15\n"
                            "  table snap (rep_id, day, rate, base) { (5, 2025-03-15, -1, 0.2) }\n"
                            "  expect red nope 5\n}\n"),
                  VG_EINPUT);
  CU_ASSERT_EQUAL(sum.covered, 1);
  CU_ASSERT(has(clauses, "slump red covered 8\n"));
  CU_ASSERT(has(clauses, "quiet red uncovered 12\n"));
  /* no tests: every clause is uncovered, and that is not an error */
  CU_ASSERT_EQUAL(run_tests(NULL), VG_OK);
  CU_ASSERT_EQUAL(nrecs, 0);
  CU_ASSERT_EQUAL(sum.clauses, 4);
  CU_ASSERT_EQUAL(sum.covered, 0);
}

static void test_paths(void) {
  /* tests in the pack's own .rules and in tests/, in file order */
  CU_ASSERT_EQUAL(make_pack("test \"in tests\" {\n  as_of 2025-03-15\n  expect no alert slump 1\n}\n"), 0);
  char text[2048];
  snprintf(text, sizeof text, "%stest \"in the pack\" {\n  as_of 2025-03-15\n" ROWS "  expect orange slump 1\n}\n", RULES);
  CU_ASSERT_EQUAL(write_file("p.rules", text), 0);
  CU_ASSERT_EQUAL(run_path(NULL), VG_OK);
  CU_ASSERT_EQUAL(nrecs, 2);
  CU_ASSERT_STRING_EQUAL(recs[0].name, "in the pack");
  CU_ASSERT_STRING_EQUAL(recs[1].name, "in tests");
  /* a single .rules file: its own tests only */
  char path[512];
  snprintf(path, sizeof path, "%s/p.rules", pack);
  CU_ASSERT_EQUAL(run_path(path), VG_OK);
  CU_ASSERT_EQUAL(nrecs, 1);
  CU_ASSERT_STRING_EQUAL(recs[0].name, "in the pack");
  /* a tests/ file holds tests only */
  CU_ASSERT_EQUAL(run_tests("param extra = 1\ntest \"t\" {\n  as_of 2025-03-15\n}\n"), VG_EINPUT);
  CU_ASSERT(has(diags, "t.rules:1:7: a file under tests/ holds test blocks only"));
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_ERROR);
  /* a syntax error in a test file: its tests do not run */
  CU_ASSERT_EQUAL(run_tests("test \"t\" {\n  as_of 2025-03-15\n  expekt red slump 1\n}\n"), VG_EINPUT);
  CU_ASSERT(has(diags, "t.rules:3:3: unexpected 'expekt' in a test"));
  CU_ASSERT_EQUAL(recs[0].outcome, VG_TEST_ERROR);
  /* no schema.sql */
  CU_ASSERT_EQUAL(make_pack(NULL), 0);
  snprintf(path, sizeof path, "%s/schema.sql", pack);
  remove(path);
  CU_ASSERT_EQUAL(run_path(NULL), VG_EINPUT);
  CU_ASSERT(has(diags, "schema.sql: cannot read the pack's schema"));
  /* a pack that does not compile runs nothing */
  CU_ASSERT_EQUAL(make_pack("test \"t\" {\n  as_of 2025-03-15\n}\n"), 0);
  CU_ASSERT_EQUAL(write_file("p.rules", "source s { table snap key rep_id time day }\nrule r on s { red when nope > 1 }\n"), 0);
  CU_ASSERT_EQUAL(run_path(NULL), VG_EINPUT);
  CU_ASSERT_EQUAL(nrecs, 0);
  CU_ASSERT_EQUAL(sum.clauses, 0);
  CU_ASSERT(has(diags, "p.rules:2:24:"));
}

/* ---- the command: output, exit status, JUnit XML -------------------------------------- */

static const char *vigil_bin(void) {
  const char *v = getenv("VIGIL");
  return v ? v : "./vigil";
}

static char out_text[16384];

/* Runs `vigil test ARGS` (stdout into out_text); returns the exit status. */
static int run_vigil(const char *args) {
  char cmd[2048], out[400];
  snprintf(out, sizeof out, "%s/out.txt", root);
  snprintf(cmd, sizeof cmd, "%s test %s >'%s' 2>/dev/null", vigil_bin(), args, out);
  int st = system(cmd);
  out_text[0] = 0;
  FILE *f = fopen(out, "r");
  if (f) {
    size_t n = fread(out_text, 1, sizeof out_text - 1, f);
    out_text[n] = 0;
    fclose(f);
  }
  return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* Minimal XML well-formedness: tags nest and close, attributes are quoted,
** '&' starts a known entity, no '<' inside an attribute value or text.
** Returns 1 when the text passes; counts elements named name in *count. */
static int xml_ok(const char *x, const char *name, int *count) {
  const char *stack[64];
  size_t lens[64];
  int depth = 0, seen_root = 0;
  *count = 0;
  const char *p = x;
  if (strncmp(p, "<?xml", 5) == 0) {
    p = strstr(p, "?>");
    if (!p) return 0;
    p += 2;
  }
  while (*p) {
    if (*p == '&') {
      if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6))
        return 0;
      p++;
      continue;
    }
    if (*p == '>') return 0; /* a raw '>' in text is legal XML, but the writer escapes it */
    if (*p != '<') { p++; continue; }
    p++;
    int closing = *p == '/';
    if (closing) p++;
    const char *n = p;
    while (*p && *p != ' ' && *p != '>' && *p != '/' && *p != '\n') p++;
    size_t nl = (size_t)(p - n);
    if (nl == 0) return 0;
    if (closing) {
      if (depth == 0 || lens[depth - 1] != nl || strncmp(stack[depth - 1], n, nl) != 0) return 0;
      depth--;
      if (*p != '>') return 0;
      p++;
      continue;
    }
    if (depth == 0 && seen_root) return 0;
    seen_root = 1;
    if (strlen(name) == nl && strncmp(n, name, nl) == 0) (*count)++;
    /* attributes: name="value" */
    for (;;) {
      while (*p == ' ' || *p == '\n') p++;
      if (*p == '>' || (*p == '/' && p[1] == '>')) break;
      while (*p && *p != '=' && *p != '>') p++;
      if (*p != '=' || p[1] != '"') return 0;
      p += 2;
      while (*p && *p != '"') {
        if (*p == '<' || *p == '>') return 0;
        if (*p == '&' && strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&quot;", 6) &&
            strncmp(p, "&apos;", 6))
          return 0;
        p++;
      }
      if (*p != '"') return 0;
      p++;
    }
    if (*p == '/') { p += 2; continue; }
    p++;
    if (depth == 64) return 0;
    stack[depth] = n;
    lens[depth++] = nl;
  }
  return depth == 0 && seen_root;
}

static void test_command(void) {
  /* a name and a message with every character XML escapes */
  CU_ASSERT_EQUAL(make_pack("test \"a <b> & \\\"c\\\" 'd'\" {\n  as_of 2025-03-15\n" ROWS
                            "  expect orange slump 1 message \"<&>\\\"\"\n}\n"
                            "test \"ok\" {\n  as_of 2025-03-15\n" ROWS "  expect orange slump 1\n}\n"),
                  0);
  char args[1024], xml_path[400];
  snprintf(xml_path, sizeof xml_path, "%s/junit.xml", root);
  snprintf(args, sizeof args, "--junit '%s' '%s'", xml_path, pack);
  CU_ASSERT_EQUAL(run_vigil(args), 1);
  CU_ASSERT(has(out_text, "FAIL a <b> & \"c\" 'd' ("));
  CU_ASSERT(has(out_text, "t.rules:1)\n    - expected orange slump 1 \"<&>\\\"\"\n    + actual orange slump 1 \"rate 12% below 16%\"\n"));
  CU_ASSERT(has(out_text, "PASS ok\n"));
  CU_ASSERT(has(out_text, "1 passed, 1 failed\n"));
  char xml[8192] = "";
  FILE *f = fopen(xml_path, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  size_t n = fread(xml, 1, sizeof xml - 1, f);
  xml[n] = 0;
  fclose(f);
  int count = 0;
  CU_ASSERT(xml_ok(xml, "testcase", &count));
  CU_ASSERT_EQUAL(count, 2);
  CU_ASSERT(xml_ok(xml, "failure", &count));
  CU_ASSERT_EQUAL(count, 1);
  CU_ASSERT(xml_ok(xml, "testsuite", &count));
  CU_ASSERT_EQUAL(count, 1);
  CU_ASSERT(has(xml, "<testcase name=\"a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;\" classname=\"p\""));
  CU_ASSERT(has(xml, "- expected orange slump 1 &quot;&lt;&amp;&gt;\\&quot;&quot;\n"));
  CU_ASSERT(has(xml, "<testsuites name=\"vigil test\" tests=\"2\" failures=\"1\" errors=\"0\""));
  /* each testsuite says when (ISO 8601, UTC, as the JUnit schemas type it)
  ** and where it ran */
  {
    const char *ts = strstr(xml, " timestamp=\"");
    CU_ASSERT_PTR_NOT_NULL(ts);
    int y, mo, d, h, mi, se;
    char end = 0;
    CU_ASSERT(ts && sscanf(ts, " timestamp=\"%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &end) == 7 && end == '"' &&
              y >= 2024 && mo >= 1 && mo <= 12);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    char want[320];
    snprintf(want, sizeof want, " hostname=\"%s\"", host);
    CU_ASSERT(has(xml, want));
  }
  /* coverage, and --min-coverage */
  snprintf(args, sizeof args, "--coverage '%s'", pack);
  CU_ASSERT_EQUAL(run_vigil(args), 1);
  CU_ASSERT(has(out_text, "NOT covered"));
  CU_ASSERT(has(out_text, "coverage: 1 of 4 tier clauses covered (25%)\n"));
  CU_ASSERT_EQUAL(make_pack("test \"ok\" {\n  as_of 2025-03-15\n" ROWS "  expect orange slump 1\n}\n"), 0);
  snprintf(args, sizeof args, "--min-coverage 25 '%s'", pack);
  CU_ASSERT_EQUAL(run_vigil(args), 0);
  CU_ASSERT(has(out_text, "PASS ok\n1 passed, 0 failed\n"));
  snprintf(args, sizeof args, "--min-coverage 25.1 '%s'", pack);
  CU_ASSERT_EQUAL(run_vigil(args), 1);
  /* the command line */
  CU_ASSERT_EQUAL(run_vigil(""), 2);
  CU_ASSERT_EQUAL(run_vigil("--bogus x"), 2);
  CU_ASSERT_EQUAL(run_vigil("--min-coverage lots x"), 2);
  CU_ASSERT_EQUAL(run_vigil("--format yaml x"), 2);
  CU_ASSERT_EQUAL(run_vigil("--help"), 0);
  CU_ASSERT(has(out_text, "usage: vigil test"));
}

/* ---- registration ------------------------------------------------------------------------- */

static int suite_init(void) {
  snprintf(root, sizeof root, "/tmp/vigil-testrunner-XXXXXX");
  if (!mkdtemp(root)) return -1;
  snprintf(pack, sizeof pack, "%s/pack", root);
  return 0;
}

static int suite_cleanup(void) {
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  return system(cmd) == 0 ? 0 : -1;
}

int unit_register_testrunner(void) {
  CU_pSuite s = CU_add_suite("testrunner", suite_init, suite_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "a passing test", test_pass) ||
      !CU_add_test(s, "a failing tier", test_failing_tier) ||
      !CU_add_test(s, "a failing message", test_failing_message) ||
      !CU_add_test(s, "an unexpected extra alert; a missing one", test_unexpected_alert) ||
      !CU_add_test(s, "expect no alert", test_no_alert) ||
      !CU_add_test(s, "set, restored after the test; bad set", test_set) ||
      !CU_add_test(s, "unknown rule or tier in an expect: located errors", test_unknown_names) ||
      !CU_add_test(s, "missing table, column, row arity, as_of", test_missing_table) ||
      !CU_add_test(s, "coverage of tier clauses", test_coverage) ||
      !CU_add_test(s, "pack folder, tests/, single file, errors", test_paths) ||
      !CU_add_test(s, "the command: output, exit status, JUnit XML", test_command))
    return CU_get_error();
  return CUE_SUCCESS;
}
