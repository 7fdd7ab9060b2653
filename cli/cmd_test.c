/*
** cmd_test.c — `vigil test`: run the test blocks of rule packs
** (vg_test_path), print one line per test with a diff for a failure, and
** optionally JUnit XML and tier-clause coverage.
*/
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>
#include "out.h"

static const char *const usage_test =
  "usage: vigil test [--junit FILE] [--coverage] [--min-coverage P] [--format text|json] [--run PATTERN]\n"
  "                  [--follow-symlinks] PATH...\n"
  "\n"
  "Run the tests of each pack: the 'test \"NAME\" { ... }' blocks of a pack\n"
  "folder's .rules files and of its tests/*.rules files (or of one .rules file).\n"
  "Each test runs the pack on an in-memory database built from the pack's\n"
  "schema.sql and the test's rows, and compares the alerts with its expect lines.\n"
  "\n"
  "  --junit FILE       also write the results as JUnit XML (one testsuite per pack)\n"
  "  --coverage         list every tier clause of every rule, covered or not, and\n"
  "                     the percentage covered (a clause is covered when some test\n"
  "                     raised an alert of that rule and tier)\n"
  "  --min-coverage P   fail (exit 1) when less than P percent of the clauses are covered\n"
  "  --format FORMAT    text (default), or json: one JSON object per line for each\n"
  "                     test, each tier clause with --coverage, and the summary\n"
  "  --run PATTERN      run only the tests whose NAME or PACK/NAME matches the shell\n"
  "                     glob PATTERN (* ? [...]); none matching is an error\n"
  "  --follow-symlinks  read source files that are symbolic links (refused by default)\n"
  "exit status: 0 all tests pass, 1 a test fails or has errors (or coverage is\n"
  "below --min-coverage), 2 bad command line\n";

/* One recorded test (for JUnit). */
typedef struct rec_test {
  char *name, *file, *diff;
  int line, outcome;
  double seconds;
} rec_test;

/* One pack (PATH) with its tests. */
typedef struct rec_pack {
  char *path, *pack;
  rec_test *tests; int ntests, cap;
  int failed, errors;
  int broken;       /* vg_test_path returned an error with no test failing: the pack or a test file has errors */
  double seconds;
} rec_pack;

/* One tier clause (for --coverage). */
typedef struct rec_clause {
  char *pack, *rule, *tier, *file;
  int line, covered;
} rec_clause;

typedef struct test_out {
  int json;                   /* --format json */
  int multi;                  /* more than one PATH: a header per pack */
  rec_pack *cur;
  int header_done;
  rec_clause *clauses; int nclauses, capclauses;
} test_out;

static char *dup_str(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (!d) out_of_memory();
  memcpy(d, s, n);
  return d;
}

/* The lines of text, each indented by four spaces and written by the
** terminal rule (a carriage return or an escape in a key or message cannot
** rewrite the line or the screen). */
static void print_indented(const char *text) {
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    out_printf(stdout, "    %.*s\n", (int)n, p);
    p += n + (e ? 1 : 0);
  }
}

static void on_result(void *ud, const vg_test_result *r) {
  test_out *o = ud;
  rec_pack *pk = o->cur;
  if (!pk->pack) pk->pack = dup_str(r->pack);
  if (o->json) {
    static const char *const outcome[] = {"pass", "fail", "error"};
    diag_sink j;
    memset(&j, 0, sizeof j);
    sink_str(&j, "{\"type\":\"test\",\"pack\":"); out_json_str(&j, r->pack);
    sink_str(&j, ",\"name\":"); out_json_str(&j, r->name);
    sink_str(&j, ",\"file\":"); out_json_str(&j, r->file);
    out_format(&j, ",\"line\":%d,\"outcome\":\"%s\",\"seconds\":%.3f,\"diff\":", r->line,
               (unsigned)r->outcome < 3 ? outcome[r->outcome] : "error", r->seconds);
    out_json_str(&j, r->outcome == VG_TEST_PASS ? NULL : r->diff);
    sink_str(&j, "}\n");
    out_flush_sink(stdout, &j);
    free(j.buf);
  } else if (o->multi && !o->header_done) {
    out_printf(stdout, "== %s (pack %s)\n", pk->path, r->pack);
    o->header_done = 1;
  }
  if (o->json) {
    /* printed above */
  } else if (r->outcome == VG_TEST_PASS) {
    out_printf(stdout, "PASS %s\n", r->name);
  } else {
    out_printf(stdout, "FAIL %s (%s:%d)\n", r->name, r->file, r->line);
    if (r->diff) print_indented(r->diff);
  }
  out_flush();
  if (pk->ntests == pk->cap) {
    pk->cap = pk->cap ? pk->cap * 2 : 16;
    rec_test *nt = realloc(pk->tests, (size_t)pk->cap * sizeof *nt);
    if (!nt) out_of_memory();
    pk->tests = nt;
  }
  rec_test *t = &pk->tests[pk->ntests++];
  t->name = dup_str(r->name);
  t->file = dup_str(r->file);
  t->diff = dup_str(r->diff);
  t->line = r->line;
  t->outcome = (int)r->outcome;
  t->seconds = r->seconds;
  pk->seconds += r->seconds;
  if (r->outcome == VG_TEST_FAIL) pk->failed++;
  if (r->outcome == VG_TEST_ERROR) pk->errors++;
}

static void on_clause(void *ud, const vg_test_clause *c) {
  test_out *o = ud;
  if (o->nclauses == o->capclauses) {
    o->capclauses = o->capclauses ? o->capclauses * 2 : 64;
    rec_clause *nc = realloc(o->clauses, (size_t)o->capclauses * sizeof *nc);
    if (!nc) out_of_memory();
    o->clauses = nc;
  }
  rec_clause *r = &o->clauses[o->nclauses++];
  r->pack = dup_str(c->pack);
  r->rule = dup_str(c->rule);
  r->tier = dup_str(c->tier);
  r->file = dup_str(c->file);
  r->line = c->line;
  r->covered = c->covered;
}

static void pct_text(char *buf, size_t cap, int covered, int total) {
  double pct = total ? 100.0 * covered / total : 100.0;
  snprintf(buf, cap, "%.1f", pct);
  size_t n = strlen(buf);
  if (n > 2 && strcmp(buf + n - 2, ".0") == 0) buf[n - 2] = 0;
}

/* The terminal columns of s as printed. */
static int width_of(const char *s) {
  size_t w = out_term_width(s, strlen(s));
  return w > 100000 ? 100000 : (int)w;
}

/* The coverage table: one line per tier clause, aligned, then per pack. */
static void print_coverage(const test_out *o) {
  int wp = 4, wr = 4, wt = 4;
  for (int i = 0; i < o->nclauses; i++) {
    const rec_clause *c = &o->clauses[i];
    if (width_of(c->pack) > wp) wp = width_of(c->pack);
    if (width_of(c->rule) > wr) wr = width_of(c->rule);
    if (width_of(c->tier) > wt) wt = width_of(c->tier);
  }
  out_printf(stdout, "coverage: the tier clauses some test made fire\n");
  for (int i = 0; i < o->nclauses; i++) {
    const rec_clause *c = &o->clauses[i];
    out_printf(stdout, "  %-*s  %-*s  %-*s  %-11s  %s:%d\n", wp, c->pack, wr, c->rule, wt, c->tier,
               c->covered ? "covered" : "NOT covered", c->file, c->line);
  }
  for (int i = 0; i < o->nclauses;) {
    int j = i, cov = 0;
    while (j < o->nclauses && strcmp(o->clauses[j].pack, o->clauses[i].pack) == 0) cov += o->clauses[j++].covered;
    char pct[32];
    pct_text(pct, sizeof pct, cov, j - i);
    out_printf(stdout, "  pack %s: %d of %d covered (%s%%)\n", o->clauses[i].pack, cov, j - i, pct);
    i = j;
  }
}

/* --coverage with --format json: one line per tier clause. */
static void json_coverage(const test_out *o) {
  diag_sink j;
  memset(&j, 0, sizeof j);
  for (int i = 0; i < o->nclauses; i++) {
    const rec_clause *c = &o->clauses[i];
    sink_str(&j, "{\"type\":\"clause\",\"pack\":"); out_json_str(&j, c->pack);
    sink_str(&j, ",\"rule\":"); out_json_str(&j, c->rule);
    sink_str(&j, ",\"tier\":"); out_json_str(&j, c->tier);
    sink_str(&j, ",\"file\":"); out_json_str(&j, c->file);
    out_format(&j, ",\"line\":%d,\"covered\":%s}\n", c->line, c->covered ? "true" : "false");
  }
  out_flush_sink(stdout, &j);
  free(j.buf);
}

/* ---- JUnit XML ------------------------------------------------------------------------ */

/* Text as an XML attribute value or character data (cli/out.h: bytes that
** are not UTF-8 and characters XML 1.0 cannot hold become U+FFFD). */
static void xml_attr(diag_sink *x, const char *s) {
  if (s) out_xml(x, s, strlen(s), 1);
}
static void xml_text(diag_sink *x, const char *s) {
  if (s) out_xml(x, s, strlen(s), 0);
}

/* The first line of text (for a failure's message attribute). */
static void xml_first_line(diag_sink *x, const char *s) {
  if (s) out_xml(x, s, strcspn(s, "\n"), 1);
}

/* The JUnit XML of the packs, built whole, then written to path; each
** testsuite says when the tests started (ISO 8601 in UTC, without a zone, as
** the JUnit schemas type it) and on which host.  0, or -1 after reporting why
** the file could not be written. */
static int write_junit(const char *path, rec_pack *packs, int npacks, time_t started) {
  diag_sink x;
  memset(&x, 0, sizeof x);
  char stamp[32] = "1970-01-01T00:00:00", host[256] = "localhost";
  struct tm tm;
  if (gmtime_r(&started, &tm)) strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  if (gethostname(host, sizeof host - 1) != 0 || !host[0]) snprintf(host, sizeof host, "localhost");
  host[sizeof host - 1] = 0;
  int tests = 0, failures = 0, errors = 0;
  double secs = 0;
  for (int i = 0; i < npacks; i++) {
    tests += packs[i].ntests + (packs[i].broken ? 1 : 0);
    failures += packs[i].failed;
    errors += packs[i].errors + (packs[i].broken ? 1 : 0);
    secs += packs[i].seconds;
  }
  out_format(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  out_format(&x, "<testsuites name=\"vigil test\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n", tests, failures,
             errors, secs);
  for (int i = 0; i < npacks; i++) {
    rec_pack *pk = &packs[i];
    const char *name = pk->pack ? pk->pack : pk->path;
    sink_str(&x, "  <testsuite name=\"");
    xml_attr(&x, name);
    out_format(&x, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\" hostname=\"",
               pk->ntests + (pk->broken ? 1 : 0), pk->failed, pk->errors + (pk->broken ? 1 : 0), pk->seconds, stamp);
    xml_attr(&x, host);
    sink_str(&x, "\" file=\"");
    xml_attr(&x, pk->path);
    sink_str(&x, "\">\n");
    for (int k = 0; k < pk->ntests; k++) {
      rec_test *t = &pk->tests[k];
      sink_str(&x, "    <testcase name=\"");
      xml_attr(&x, t->name);
      sink_str(&x, "\" classname=\"");
      xml_attr(&x, name);
      /* no file and line attributes: the JUnit XSD of Jenkins' xUnit plugin
      ** (tests/schemas/junit-10.xsd) rejects them; a failure's text says where */
      out_format(&x, "\" time=\"%.3f\"", t->seconds);
      if (t->outcome == VG_TEST_PASS) { sink_str(&x, "/>\n"); continue; }
      sink_str(&x, ">\n");
      const char *tag = t->outcome == VG_TEST_FAIL ? "failure" : "error";
      out_format(&x, "      <%s message=\"", tag);
      xml_first_line(&x, t->diff);
      out_format(&x, "\" type=\"%s\">", t->outcome == VG_TEST_FAIL ? "alerts differ" : "test error");
      xml_text(&x, t->file);
      out_format(&x, ":%d: test \"", t->line);
      xml_text(&x, t->name);
      sink_str(&x, "\"\n");
      xml_text(&x, t->diff);
      out_format(&x, "</%s>\n    </testcase>\n", tag);
    }
    if (pk->broken) {
      sink_str(&x, "    <testcase name=\"(pack)\" classname=\"");
      xml_attr(&x, name);
      sink_str(&x, "\" time=\"0\">\n      <error message=\"");
      xml_attr(&x, pk->path);
      sink_str(&x, ": the pack or its tests have errors (see the diagnostics)\" type=\"error\"/>\n    </testcase>\n");
    }
    sink_str(&x, "  </testsuite>\n");
  }
  sink_str(&x, "</testsuites>\n");
  int e = 0;
  errno = 0;
  FILE *f = fopen(path, "w");
  if (!f) e = errno ? errno : EIO;
  else {
    if (fwrite(x.buf, 1, x.len, f) != x.len) e = errno ? errno : EIO;
    errno = 0;
    if (fclose(f) != 0 && !e) e = errno ? errno : EIO;
  }
  int rc = e ? -1 : 0;
  if (e) out_printf(stderr, "vigil: %s: cannot write the JUnit XML: %s\n", path, strerror(e));
  free(x.buf);
  return rc;
}

/* ---- the command ------------------------------------------------------------------------- */

int cmd_test(int argc, char **argv) {
  cli_opts o = {.accept = CLI_FOLLOW | CLI_PATHS, .usage = usage_test};
  const char *junit = NULL, *run = NULL;
  int coverage = 0, json = 0;
  double min_cov = -1;
  time_t started = time(NULL); /* (JUnit: when the tests started) */
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_test, stdout); return 0; }
    int r = cli_opt(&o, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if ((v = opt_value(argc, argv, &i, "--junit"))) {
      if (!*v) return usage_error(usage_test, "%s needs a file", "--junit");
      junit = v;
    } else if (strcmp(argv[i], "--coverage") == 0) {
      coverage = 1;
    } else if ((v = opt_value(argc, argv, &i, "--min-coverage"))) {
      char *end;
      double p = strtod(v, &end);
      if (*end == '%') end++;
      if (!*v || *end || !(p >= 0 && p <= 100)) return usage_error(usage_test, "--min-coverage needs a percentage from 0 to 100, not '%s'", v);
      min_cov = p;
    } else if ((v = opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0) json = 0;
      else if (strcmp(v, "json") == 0) json = 1;
      else return usage_error(usage_test, "unknown format '%s' (text or json)", v);
    } else if ((v = opt_value(argc, argv, &i, "--run"))) {
      if (!*v) return usage_error(usage_test, "%s needs a PATTERN (a glob on the test names)", "--run");
      run = v;
    } else {
      return usage_error(usage_test, "unknown option '%s'", argv[i]);
    }
  }
  const char *const *paths = o.paths;
  int npaths = o.npaths, follow = o.follow;
  if (npaths == 0) return usage_error(usage_test, "%s", "no PATH given");

  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  test_out out;
  memset(&out, 0, sizeof out);
  out.multi = npaths > 1;
  out.json = json;
  rec_pack *packs = calloc((size_t)npaths, sizeof *packs);
  if (!packs) out_of_memory();
  vg_test_summary sum;
  memset(&sum, 0, sizeof sum);
  vg_test_opts to;
  memset(&to, 0, sizeof to);
  to.diag = on_diag;
  to.ud = &sink;
  to.result = on_result;
  to.clause = on_clause;
  to.out_ud = &out;
  to.follow_symlinks = follow;
  to.run = run;
  int rc = 0;
  for (int i = 0; i < npaths; i++) {
    rec_pack *pk = &packs[i];
    pk->path = dup_str(paths[i]);
    out.cur = pk;
    out.header_done = 0;
    int before = sum.failed + sum.errors, ran = sum.passed + sum.failed + sum.errors, clauses = sum.clauses;
    vg_status st = vg_test_path(paths[i], &to, &sum);
    if (st == VG_ENOMEM) out_status(st);
    if (st != VG_OK) {
      rc = EXIT_INPUT;
      if (sum.failed + sum.errors == before) {
        pk->broken = 1;
        if (sum.clauses == clauses) out_printf(stderr, "vigil: %s: the pack's tests did not run\n", paths[i]);
      }
    } else if (sum.passed + sum.failed + sum.errors == ran && !run) {
      out_printf(stderr, "vigil: %s: warning: no tests (write 'test \"NAME\" { ... }' blocks in %s)\n", paths[i],
              "the pack's tests/*.rules files");
    }
  }
  int failed = sum.failed + sum.errors, broken = 0;
  for (int i = 0; i < npaths; i++) broken += packs[i].broken;
  double pct = sum.clauses ? 100.0 * sum.covered / sum.clauses : 100.0;
  char pcts[32];
  pct_text(pcts, sizeof pcts, sum.covered, sum.clauses);
  if (json) {
    if (coverage) json_coverage(&out);
    out_printf(stdout, "{\"type\":\"summary\",\"passed\":%d,\"failed\":%d,\"errors\":%d,\"packs_with_errors\":%d", sum.passed,
               sum.failed, sum.errors, broken);
    if (coverage) out_printf(stdout, ",\"clauses\":%d,\"covered\":%d", sum.clauses, sum.covered);
    out_printf(stdout, "}\n");
  } else if (broken) out_printf(stdout, "%d passed, %d failed; %d pack%s with errors (reported above)\n", sum.passed, failed, broken, broken == 1 ? "" : "s");
  else out_printf(stdout, "%d passed, %d failed\n", sum.passed, failed);
  if (failed) rc = EXIT_INPUT;
  if (run && sum.passed + failed == 0 && !broken) {
    out_printf(stderr, "vigil: --run %s: no test matches (a glob on NAME or PACK/NAME)\n", run);
    rc = EXIT_INPUT;
  }
  if (coverage && !json) {
    print_coverage(&out);
    out_printf(stdout, "coverage: %d of %d tier clauses covered (%s%%)\n", sum.covered, sum.clauses, pcts);
  }
  if (min_cov >= 0 && pct < min_cov) {
    fprintf(stderr, "vigil: coverage %s%% is below --min-coverage %g%%\n", pcts, min_cov);
    rc = EXIT_INPUT;
  }
  if (junit && write_junit(junit, packs, npaths, started) != 0) rc = EXIT_INPUT;
  for (int i = 0; i < npaths; i++) {
    for (int k = 0; k < packs[i].ntests; k++) {
      free(packs[i].tests[k].name);
      free(packs[i].tests[k].file);
      free(packs[i].tests[k].diff);
    }
    free(packs[i].tests);
    free(packs[i].path);
    free(packs[i].pack);
  }
  free(packs);
  for (int i = 0; i < out.nclauses; i++) {
    free(out.clauses[i].pack);
    free(out.clauses[i].rule);
    free(out.clauses[i].tier);
    free(out.clauses[i].file);
  }
  free(out.clauses);
  sink_end(&sink);
  return rc;
}
