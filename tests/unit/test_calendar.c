/*
** test_calendar.c — the pack's fiscal year and the calendar functions as the
** compiler sees them (issue 12, item 4; docs/LANGUAGE.md §4.10 and §9).
**
**   - `fiscal year starts MONTH` (a month name in any case, or 1-12): the
**     checker appends the month to every call of a fiscal function that
**     does not give one (quarter, week_of_quarter, start/end_of_quarter,
**     start/end_of_year, fiscal_year), also inside a def and a source's
**     where; January, or no declaration, appends nothing (the code is what
**     it was); an explicit month is kept.  Checked on vg_disasm's listing:
**     CONST month just before CALL with 2 arguments.
**   - its errors: duplicate, unknown month (did you mean), 0, 13, 7.5, the
**     wrong words, a route with a name for its levels;
**   - calls: a month argument that is not a number, a literal one outside
**     1-12, date(y, m, d) and its arity and types;
**   - vigil fmt keeps the line as written and is idempotent.
** The run of a pack (the VM, the verifier, a def inlined into a rule) is in
** tests/golden/run/fiscal_year.test; the errors as printed in
** tests/golden/errors/fiscal_*.rules.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "vigil.h"
#include "unit.h"

#define SCHEMA                                                                          \
  "CREATE TABLE sales (rep_id INTEGER, day DATE, amount REAL, note TEXT, quota REAL);"

#define SRC "source s { table sales key rep_id time day }\n"

/* ---- compiling, diagnostics, the listing ------------------------------------- */

static char diags[8192];
static int nerr;
static vg_program *prog;

static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  size_t n = strlen(diags);
  snprintf(diags + n, sizeof diags - n, "%d %s %d:%d %s\n", (int)d->severity, d->code ? d->code : "-", d->line,
           d->col, d->message ? d->message : "");
  if (d->severity == VG_ERROR) nerr++;
}

/* Compiles text; the previous program is freed.  Returns the status. */
static vg_status comp(const char *text) {
  vg_free_program(prog);
  prog = NULL;
  diags[0] = 0;
  nerr = 0;
  vg_compile_opts o;
  memset(&o, 0, sizeof o);
  o.diag = on_diag;
  return vg_compile_string("t.rules", text, strlen(text), SCHEMA, &o, &prog);
}

static char listing[65536];

/* The listing of the program just compiled ("" when there is none). */
static const char *dis(void) {
  listing[0] = 0;
  if (!prog) return listing;
  char *t = vg_disasm(prog);
  if (t) snprintf(listing, sizeof listing, "%s", t);
  free(t);
  return listing;
}

/* Counts the listing's instructions with this opcode, second operand b
** (-1: any) and comment (what follows "; "), in the functions of the rules'
** code: not in those of their measures (the sides of a comparison compiled
** again for an alert's size, numbered after every other function). */
static int count_insn(const char *op, long b, const char *comment) {
  int n = 0, first_measure = -1, fn = -1;
  for (const char *m = strstr(dis(), "\n  measure "); m; m = strstr(m + 1, "\n  measure ")) {
    const char *f = strstr(m, " fn ");
    int k;
    if (f && sscanf(f, " fn %d", &k) == 1 && (first_measure < 0 || k < first_measure)) first_measure = k;
  }
  for (const char *p = dis(); *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char line[400], o[32] = "";
    long a0 = -1, b0 = -1;
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
    char *semi = strstr(line, "; ");
    if (strncmp(line, "fn ", 3) == 0) fn = atoi(line + 3);
    if (line[0] >= '0' && line[0] <= '9' && semi && (first_measure < 0 || fn < first_measure)) {
      *semi = 0;
      if (sscanf(line, "%*s %31s %ld %ld", o, &a0, &b0) >= 1 && strcmp(o, op) == 0 && (b < 0 || b0 == b) &&
          strcmp(semi + 2, comment) == 0)
        n++;
    }
    p += len + (e != NULL);
  }
  return n;
}

/* Compiles src, which must compile; then: `calls` calls of fn with
** `nargs` arguments, and `months` CONST instructions whose value is
** `month` (NULL: not checked). */
static void check_calls(const char *src, const char *fn, int nargs, int calls, const char *month, int months,
                        int line) {
  vg_status st = comp(src);
  CU_ASSERT_EQUAL(st, VG_OK);
  if (st != VG_OK) {
    fprintf(stderr, "\n  [line %d] does not compile:\n%s", line, diags);
    return;
  }
  int got = count_insn("CALL", nargs, fn);
  int got_months = month ? count_insn("CONST", -1, month) : months;
  CU_ASSERT_EQUAL(got, calls);
  CU_ASSERT_EQUAL(got_months, months);
  if (got != calls || got_months != months)
    fprintf(stderr, "\n  [line %d] wanted %d CALL %s with %d arguments (got %d) and %d CONST %s (got %d):\n%s", line,
            calls, fn, nargs, got, months, month ? month : "-", got_months, dis());
}
#define CALLS(src, fn, nargs, calls, month, months) check_calls(src, fn, nargs, calls, month, months, __LINE__)

/* src must fail to compile with an error whose code, line:col and text
** (a part of the message) are given. */
static void check_error(const char *src, const char *code, int line, int col, const char *text, int at) {
  vg_status st = comp(src);
  CU_ASSERT_EQUAL(st, VG_EINPUT);
  char head[80];
  snprintf(head, sizeof head, "%d %s %d:%d ", (int)VG_ERROR, code, line, col);
  int ok = 0;
  for (const char *p = diags; *p && !ok;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    char l[1000];
    snprintf(l, sizeof l, "%.*s", (int)(len < sizeof l ? len : sizeof l - 1), p);
    ok = strncmp(l, head, strlen(head)) == 0 && strstr(l + strlen(head), text) != NULL;
    p += len + (e != NULL);
  }
  CU_ASSERT(ok);
  if (!ok) fprintf(stderr, "\n  [line %d] wanted [%s... %s]; got:\n%s", at, head, text, diags);
}
#define ERROR(src, code, line, col, text) check_error(src, code, line, col, text, __LINE__)

/* ---- the fiscal month appended ------------------------------------------------- */

static void test_default_appends_nothing(void) {
  static const char *const fs[] = {"quarter", "week_of_quarter", "start_of_quarter", "end_of_quarter",
                                   "start_of_year", "end_of_year", "fiscal_year"};
  for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
    char src[512];
    snprintf(src, sizeof src, SRC "rule r on s { red when %s(day) is null }\n", fs[i]);
    CALLS(src, fs[i], 1, 1, NULL, 0);
    /* January, by name or number, is the default: the same code */
    snprintf(src, sizeof src, "fiscal year starts january\n" SRC "rule r on s { red when %s(day) is null }\n", fs[i]);
    CALLS(src, fs[i], 1, 1, NULL, 0);
    snprintf(src, sizeof src, "fiscal year starts 1\n" SRC "rule r on s { red when %s(day) is null }\n", fs[i]);
    CALLS(src, fs[i], 1, 1, NULL, 0);
    /* and every fiscal function gets the pack's month */
    snprintf(src, sizeof src, "fiscal year starts october\n" SRC "rule r on s { red when %s(day) is null }\n", fs[i]);
    CALLS(src, fs[i], 2, 1, "10", 1);
  }
  /* the calendar functions do not follow the fiscal year */
  CALLS("fiscal year starts 7\n" SRC "rule r on s { red when year(day) + month(day) + day(day) > 0 "
        "and start_of_month(day) < end_of_week(day) }\n", "year", 1, 1, "7", 0);
}

static void test_pack_month_appended(void) {
  /* in a rule, a def inlined into it, a let (once more in its evidence
  ** function), a message and a where */
  CALLS("fiscal year starts April\n"
        "def in_q2(d) = quarter(d) = 2\n"
        "source s { table sales key rep_id time day where fiscal_year(day) > 2000 }\n"
        "rule r on s {\n  let q = quarter(day)\n  red when in_q2(day) and q = 2\n"
        "  message \"{start_of_quarter(day)} {end_of_year(day)}\"\n}\n",
        "quarter", 2, 3, "4", 6);
  CALLS("fiscal year starts APRIL\n" SRC "rule r on s { red when quarter(day) = 1 }\n", "quarter", 2, 1, "4", 1);
  CALLS("fiscal year starts 04\n" SRC "rule r on s { red when quarter(day) = 1 }\n", "quarter", 2, 1, "4", 1);
  /* the declaration may come after its use, in any file of the pack */
  CALLS(SRC "rule r on s { red when week_of_quarter(day) = 6 }\nfiscal year starts december;\n", "week_of_quarter", 2,
        1, "12", 1);
  /* a month written in the call is kept */
  CALLS("fiscal year starts july\n" SRC "rule r on s { red when quarter(day, 10) = 1 and quarter(day) = 1 }\n",
        "quarter", 2, 2, "10", 1);
  CALLS(SRC "rule r on s { red when quarter(day, quota) = 1 }\n", "quarter", 2, 1, NULL, 0);
}

/* ---- errors --------------------------------------------------------------------- */

static void test_declaration_errors(void) {
  ERROR("fiscal year starts july\nfiscal year starts july\n" SRC "rule r on s { red when true }\n", "E-duplicate", 2,
        1, "a pack has one 'fiscal year starts'");
  CU_ASSERT_PTR_NOT_NULL(strstr(diags, "1:1 the fiscal year is declared here"));
  ERROR("fiscal year starts jully\n" SRC "rule r on s { red when true }\n", "E-month", 1, 20,
        "unknown month 'jully' in 'fiscal year starts'");
  CU_ASSERT_PTR_NOT_NULL(strstr(diags, "1:20 did you mean 'july'?"));
  ERROR("fiscal year starts Sept\n" SRC "rule r on s { red when true }\n", "E-month", 1, 20, "unknown month 'Sept'");
  CU_ASSERT_PTR_NOT_NULL(strstr(diags, "1:20 did you mean 'september'?"));
  ERROR("fiscal year starts thursday\n" SRC "rule r on s { red when true }\n", "E-month", 1, 20, "unknown month");
  CU_ASSERT_PTR_NULL(strstr(diags, "did you mean"));
  ERROR("fiscal year starts 0\n" SRC "rule r on s { red when true }\n", "E-month", 1, 20,
        "'fiscal year starts' takes a month: a name (january ... december) or a number from 1 to 12, not 0");
  ERROR("fiscal year starts 13\n" SRC "rule r on s { red when true }\n", "E-month", 1, 20, "not 13");
  ERROR("fiscal year starts 7.5\n" SRC "rule r on s { red when true }\n", "E-month", 1, 20, "not 7.5");
  ERROR("fiscal yr starts july\n" SRC "rule r on s { red when true }\n", "E-syntax", 1, 8,
        "unexpected 'yr' (did you mean 'fiscal year starts MONTH'?)");
  ERROR("fiscal year begins 7\n" SRC "rule r on s { red when true }\n", "E-syntax", 1, 13,
        "unexpected 'begins' (did you mean 'fiscal year starts MONTH'?)");
  ERROR("fiscal year, month starts 7\n" SRC "rule r on s { red when true }\n", "E-syntax", 1, 14,
        "unexpected 'month' (did you mean 'fiscal year starts MONTH'?)");
  ERROR("fiscal_year from month july\n" SRC "rule r on s { red when true }\n", "E-syntax", 1, 1,
        "unexpected 'fiscal_year' (did you mean 'fiscal year starts MONTH'?)");
  /* route keeps its own errors */
  ERROR("route red up two\n" SRC "rule r on s { red when true }\n", "E-route", 1, 14,
        "'route ... up' takes a whole number of levels from 0 to 16");
  ERROR("rout red up 2\n" SRC "rule r on s { red when true }\n", "E-syntax", 1, 1,
        "did you mean 'route TIER, ... up N'?");
  /* the words are not reserved */
  CU_ASSERT_EQUAL(comp("param fiscal = 1\nparam year = 2\nparam starts = 3\nparam july = 4\n" SRC
                       "rule r on s { red when fiscal + year + starts + july > 0 }\n"),
                  VG_OK);
}

static void test_call_errors(void) {
  ERROR(SRC "rule r on s { red when quarter(day, \"4\") = 1 }\n", "E-type", 2, 37,
        "the last argument of quarter, the first month of the fiscal year, must be a number, not a string");
  ERROR(SRC "rule r on s { red when start_of_year(day, day) < day }\n", "E-type", 2, 43, "not a date");
  ERROR(SRC "rule r on s { red when quarter(day, 13) = 1 }\n", "E-month", 2, 37,
        "the first month of the fiscal year is a whole number from 1 to 12, not 13");
  ERROR(SRC "rule r on s { red when fiscal_year(day, 0) = 1 }\n", "E-month", 2, 41, "not 0");
  ERROR(SRC "rule r on s { red when end_of_quarter(day, 2.5) = day }\n", "E-month", 2, 44, "not 2.5");
  ERROR(SRC "rule r on s { red when quarter(quota, 4) = 1 }\n", "E-type", 2, 32, "quarter does not take a number here");
  ERROR(SRC "rule r on s { red when quarter(day, 4, 5) = 1 }\n", "E-arity", 2, 24,
        "quarter takes 1 to 2 arguments, got 3");
  /* date: one argument (text or a date) or three (numbers) */
  ERROR(SRC "rule r on s { red when date(2025, 1) = day }\n", "E-arity", 2, 24, "date takes 1 or 3 arguments, got 2");
  ERROR(SRC "rule r on s { red when date() = day }\n", "E-arity", 2, 24, "date takes 1 or 3 arguments, got 0");
  ERROR(SRC "rule r on s { red when date(2025, 1, note) = day }\n", "E-type", 2, 38, "date does not take a string here");
  ERROR(SRC "rule r on s { red when date(quota) = day }\n", "E-type", 2, 29, "date does not take a number here");
  ERROR(SRC "rule r on s { red when width(quota) > 1 }\n", "E-type", 2, 30, "width does not take a number here");
  CALLS(SRC "rule r on s { red when date(2025, 1, 1) = day and date(note) = day and date(day) = day }\n", "date", 3, 1,
        NULL, 0);
  CALLS(SRC "rule r on s { red when date(2025, 1, 1) = day and date(note) = day and date(day) = day }\n", "date", 1, 2,
        NULL, 0);
  CALLS(SRC "rule r on s { red when date(year(day), month(day), 1) = start_of_month(day) }\n", "date", 3, 1, NULL, 0);
  CALLS(SRC "rule r on s { red when width(note) > length(note) }\n", "width", 1, 1, NULL, 0);
}

/* ---- vigil fmt ---------------------------------------------------------------- */

static void check_fmt(const char *in, const char *want, int line) {
  diags[0] = 0;
  char *got = vg_format("t.rules", in, strlen(in), on_diag, NULL);
  CU_ASSERT_PTR_NOT_NULL(got);
  if (!got) {
    fprintf(stderr, "\n  [line %d] vg_format refused:\n%s", line, diags);
    return;
  }
  CU_ASSERT_STRING_EQUAL(got, want);
  if (strcmp(got, want) != 0) fprintf(stderr, "\n  [line %d] got:\n%s\n  ---- wanted:\n%s\n", line, got, want);
  char *again = vg_format("t.rules", got, strlen(got), on_diag, NULL);
  CU_ASSERT(again && strcmp(again, got) == 0);
  free(again);
  free(got);
}
#define FMT(in, want) check_fmt(in, want, __LINE__)

static void test_fmt(void) {
  FMT("fiscal   year starts\tJuly;\n", "fiscal year starts July\n");
  FMT("fiscal year starts 4 # April, as in Japan\npack p\n", "fiscal year starts 4  # April, as in Japan\npack p\n");
  /* a line break inside the statement is kept, as a continuation line */
  FMT("pack p\nfiscal year\n  starts october\nroute red up 1\n",
      "pack p\nfiscal year\n    starts october\nroute red up 1\n");
  FMT("fiscal year starts july\nsource s { table t key k time d }\n",
      "fiscal year starts july\n\nsource s {\n  table t\n  key   k\n  time  d\n}\n");
}

int unit_register_calendar(void) {
  CU_pSuite s = CU_add_suite("calendar", NULL, NULL);
  if (!s) return (int)CU_get_error();
  if (!CU_add_test(s, "no fiscal year, or January: no month appended", test_default_appends_nothing) ||
      !CU_add_test(s, "the pack's month appended (rule, def, let, message, where)", test_pack_month_appended) ||
      !CU_add_test(s, "fiscal year starts: errors", test_declaration_errors) ||
      !CU_add_test(s, "calls: month argument, date(y, m, d), width", test_call_errors) ||
      !CU_add_test(s, "vigil fmt", test_fmt))
    return (int)CU_get_error();
  return CUE_SUCCESS;
}
