/*
** test_compiler.c — CUnit suites for the lexer, the parser, the checker and
** the code generator, all through the public API.
**
** comp() compiles rule text with vg_compile_string against SCHEMA and
** records every diagnostic (severity, code, line, col, end_col, message);
** EXPECT() asserts that one with the given code, place and message text was
** reported.  Code generation is checked on vg_disasm's listing: dis_fn()
** parses one function of it into instructions, and ops() gives the opcode
** sequence as text ("COL CONST GE ...").
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "vigil.h"
#include "unit.h"
#include "../../core/diagcodes.h"

#define SCHEMA                                                                                    \
  "CREATE TABLE sales (rep_id INTEGER, snapshot_date DATE, conversion_rate REAL,"                 \
  " baseline_conversion REAL, owner TEXT, due DATE, active INTEGER, \"回款率\" REAL, quota REAL," \
  " feature_id TEXT, \"a`b\" REAL);"                                                              \
  "CREATE TABLE target (rep_id INTEGER, day DATE, amount REAL);"                                  \
  "CREATE TABLE feature (feature_id TEXT, d DATE, launch_date DATE);"                             \
  "CREATE TABLE badtime (rep_id INTEGER, t TEXT);"

/* The source most tests use (line 1 of their text). */
#define SRC "source snap { table sales key rep_id time snapshot_date }\n"

/* ---- compiling and recording diagnostics ----------------------------------- */

typedef struct drec {
  int sev;
  char code[40];
  int line, col, end_col;
  char msg[700];
} drec;

static drec diags[128];
static int ndiags;
static vg_program *prog;

static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  if (ndiags >= (int)(sizeof diags / sizeof *diags)) return;
  drec *r = &diags[ndiags++];
  r->sev = (int)d->severity;
  snprintf(r->code, sizeof r->code, "%s", d->code ? d->code : "");
  r->line = d->line;
  r->col = d->col;
  r->end_col = d->end_col;
  snprintf(r->msg, sizeof r->msg, "%s", d->message ? d->message : "");
}

static void dump_diags(const char *why) {
  fprintf(stderr, "\n  [%s] %d diagnostic(s):\n", why, ndiags);
  for (int i = 0; i < ndiags; i++)
    fprintf(stderr, "    %d %s %d:%d-%d %s\n", diags[i].sev, diags[i].code, diags[i].line, diags[i].col,
            diags[i].end_col, diags[i].msg);
}

/* Compiles text against schema (the previous program is freed).  Returns the status. */
static vg_status comp_schema(const char *text, const char *schema) {
  vg_free_program(prog);
  prog = NULL;
  ndiags = 0;
  vg_compile_opts o;
  memset(&o, 0, sizeof o);
  o.diag = on_diag;
  return vg_compile_string("t.rules", text, strlen(text), schema, &o, &prog);
}
static vg_status comp(const char *text) { return comp_schema(text, SCHEMA); }

/* Compiles text that must compile cleanly; prints the diagnostics if not. */
static int comp_ok(const char *text) {
  vg_status st = comp(text);
  if (st != VG_OK || !prog) dump_diags("expected to compile");
  return st == VG_OK && prog != NULL;
}

static int nerrors(void) {
  int n = 0;
  for (int i = 0; i < ndiags; i++) n += diags[i].sev == VG_ERROR;
  return n;
}

/* A diagnostic with this code (NULL: any), line and col (0: any), end_col
** (0: any) and message containing text (NULL: any). */
static const drec *find(const char *code, int line, int col, int end_col, const char *text) {
  for (int i = 0; i < ndiags; i++) {
    const drec *d = &diags[i];
    if (code && strcmp(d->code, code) != 0) continue;
    if (line && d->line != line) continue;
    if (col && d->col != col) continue;
    if (end_col && d->end_col != end_col) continue;
    if (text && !strstr(d->msg, text)) continue;
    return d;
  }
  return NULL;
}

static int has(const char *code, int line, int col, const char *text) {
  if (find(code, line, col, 0, text)) return 1;
  char why[300];
  snprintf(why, sizeof why, "wanted %s at %d:%d with \"%s\"", code ? code : "*", line, col, text ? text : "");
  dump_diags(why);
  return 0;
}

/* The source is wrong: compile fails and this diagnostic is among those reported. */
#define EXPECT(code, line, col, text) CU_ASSERT(has(code, line, col, text))
#define FAILS(src) CU_ASSERT_EQUAL(comp(src), VG_EINPUT)
#define COMPILES(src) CU_ASSERT_TRUE_FATAL(comp_ok(src))

/* ---- reading the disassembly -------------------------------------------------- */

typedef struct insn {
  char op[16];
  long a[3];
  int na;
  char comment[200];
} insn;

static insn code[512];
static int ncode;
static char listing[65536];

/* The whole listing of prog. */
static const char *dis(void) {
  listing[0] = 0;
  if (!prog) return listing;
  char *t = vg_disasm(prog);
  if (t) {
    snprintf(listing, sizeof listing, "%s", t);
    free(t);
  }
  return listing;
}

/* Parses function fn of the listing into code[0..ncode).  Returns ncode
** (0 when the function is missing). */
static int dis_fn(int fn) {
  ncode = 0;
  const char *l = dis();
  char head[32];
  snprintf(head, sizeof head, "\nfn %d ", fn);
  const char *p = strstr(l, head);
  if (!p) return 0;
  p = strchr(p + 1, '\n');
  while (p && p[1] && p[1] != '\n' && strncmp(p + 1, "fn ", 3) != 0) {
    const char *line = p + 1;
    const char *e = strchr(line, '\n');
    size_t len = e ? (size_t)(e - line) : strlen(line);
    char buf[400];
    snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf - 1 ? len : sizeof buf - 1), line);
    if (buf[0] >= '0' && buf[0] <= '9' && ncode < (int)(sizeof code / sizeof *code)) {
      insn *in = &code[ncode++];
      memset(in, 0, sizeof *in);
      char *semi = strstr(buf, "; ");
      if (semi) {
        snprintf(in->comment, sizeof in->comment, "%s", semi + 2);
        *semi = 0;
      }
      char *tok = strtok(buf, " "); /* the pc */
      tok = strtok(NULL, " ");
      if (tok) snprintf(in->op, sizeof in->op, "%s", tok);
      while ((tok = strtok(NULL, " ")) != NULL && in->na < 3) in->a[in->na++] = strtol(tok, NULL, 10);
    }
    p = e;
  }
  return ncode;
}

/* The opcode names of function fn, separated by blanks. */
static const char *ops(int fn) {
  static char s[4096];
  s[0] = 0;
  dis_fn(fn);
  for (int i = 0; i < ncode; i++) {
    if (i) strncat(s, " ", sizeof s - strlen(s) - 1);
    strncat(s, code[i].op, sizeof s - strlen(s) - 1);
  }
  return s;
}

/* 1 when ops(fn) contains seq; prints the listing when not. */
static int ops_has(int fn, const char *seq) {
  const char *o = ops(fn);
  if (strstr(o, seq)) return 1;
  fprintf(stderr, "\n  fn %d ops [%s] lack [%s]\n", fn, o, seq);
  return 0;
}
#define OPS_HAVE(fn, seq) CU_ASSERT(ops_has(fn, seq))

/* The first instruction of the last parsed function with this op (and comment
** text, when given), or NULL. */
static const insn *insn_find(const char *op, const char *comment) {
  for (int i = 0; i < ncode; i++)
    if (strcmp(code[i].op, op) == 0 && (!comment || strcmp(code[i].comment, comment) == 0)) return &code[i];
  return NULL;
}

/* 1 when the listing has this exact line. */
static int listing_has_line(const char *line) {
  const char *l = dis();
  size_t n = strlen(line);
  for (const char *p = l; (p = strstr(p, line)) != NULL; p++)
    if ((p == l || p[-1] == '\n') && (p[n] == '\n' || p[n] == 0)) return 1;
  fprintf(stderr, "\n  listing lacks line [%s]:\n%s\n", line, l);
  return 0;
}
#define LISTING_HAS(line) CU_ASSERT(listing_has_line(line))

/* Compiles `red when COND` on snap and says whether the condition's code
** holds a CONST whose comment is value. */
static int const_in_cond(const char *cond, const char *value) {
  char src[1024];
  snprintf(src, sizeof src, SRC "rule r on snap { red when %s }\n", cond);
  if (!comp_ok(src)) return 0;
  dis_fn(0);
  if (insn_find("CONST", value)) return 1;
  fprintf(stderr, "\n  no CONST %s in:\n%s\n", value, dis());
  return 0;
}
#define CONST_IS(cond, value) CU_ASSERT(const_in_cond(cond, value))

/* ======================================================================== */
/* Lexer                                                                     */
/* ======================================================================== */

static void test_lex_numbers(void) {
  CONST_IS("conversion_rate = 12", "12");
  CONST_IS("conversion_rate = 3.5", "3.5");
  CONST_IS("conversion_rate = 1e6", "1000000");
  CONST_IS("conversion_rate = 2.5E-3", "0.0025");
  CONST_IS("conversion_rate = 0.1", "0.1");
}

static void test_lex_percents(void) {
  CONST_IS("conversion_rate < 20%", "0.2");
  CONST_IS("conversion_rate < 12.5%", "0.125");
  CONST_IS("conversion_rate < 100%", "1");
  COMPILES("param slump = 20%\n" SRC "rule r on snap { red when conversion_rate < slump }\n");
  LISTING_HAS("param 0 slump = 0.2");
}

static void test_lex_durations(void) {
  COMPILES("param a = 5 days\nparam b = 7days\nparam c = 2 weeks\nparam d = 1 day\nparam e = 1 week\n"
           "param f = 1.5 weeks\nparam g = 1weeks\nparam h = -1 day\nparam i = 3 \t days\n" SRC
           "rule r on snap { red when a > b }\n");
  LISTING_HAS("param 0 a = 5 days");
  LISTING_HAS("param 1 b = 7 days");
  LISTING_HAS("param 2 c = 14 days");
  LISTING_HAS("param 3 d = 1 day");
  LISTING_HAS("param 4 e = 7 days");
  LISTING_HAS("param 5 f = 10.5 days");
  LISTING_HAS("param 6 g = 7 days");
  LISTING_HAS("param 7 h = -1 day");
  LISTING_HAS("param 8 i = 3 days");
  /* 2 weeks and 14 days are the same constant */
  CONST_IS("due - snapshot_date > 2 weeks", "14 days");
  CONST_IS("due - snapshot_date > 7days", "7 days");
  /* "5 dayx" is a number followed by an identifier, not a duration */
  FAILS(SRC "rule r on snap { red when conversion_rate > 5 dayx }\n");
  EXPECT("E-syntax", 2, 52, "unexpected '}', expecting identifier or 'when'");
}

static void test_lex_dates(void) {
  CONST_IS("due < 2025-03-31", "2025-03-31");
  CONST_IS("due < 2024-02-29", "2024-02-29");
  /* impossible dates: the error points at the literal */
  FAILS(SRC "rule r on snap { red when due < 2025-02-30 }\n");
  EXPECT("E-date", 2, 33, "'2025-02-30' is not a calendar date");
  CU_ASSERT_PTR_NOT_NULL(find("E-date", 2, 33, 43, NULL));
  FAILS(SRC "rule r on snap {\n  red when due < 2025-02-29 or due > 2025-13-01\n}\n");
  EXPECT("E-date", 3, 18, "2025-02-29");
  EXPECT("E-date", 3, 38, "2025-13-01");
  FAILS("param p = 2023-04-31\n" SRC "rule r on snap { red when due < p }\n");
  EXPECT("E-date", 1, 11, "2023-04-31");
}

static void test_lex_strings(void) {
  COMPILES(SRC "rule r on snap { red when owner = \"a\\\"b\\\\c\\nd\" }\n");
  dis_fn(0);
  CU_ASSERT_PTR_NOT_NULL(insn_find("CONST", "\"a\\\"b\\\\c\\nd\""));
  /* UTF-8 text in a string */
  COMPILES(SRC "rule r on snap { red when owner = \"张三\" }\n");
  dis_fn(0);
  CU_ASSERT_PTR_NOT_NULL(insn_find("CONST", "\"张三\""));
  /* a bad escape: the error covers the two bytes of the escape */
  FAILS(SRC "rule r on snap { red when owner = \"ab\\qc\" }\n");
  EXPECT("E-escape", 2, 38, "unknown escape '\\q'");
  CU_ASSERT_PTR_NOT_NULL(find("E-escape", 2, 38, 40, NULL));
  CU_ASSERT_EQUAL(nerrors(), 1);
  /* unterminated */
  FAILS(SRC "rule r on snap {\n  red when owner = \"abc\n}\n");
  EXPECT("E-token", 3, 20, "unterminated string");
}

/* Regression: a string cut off right after a backslash ("abc\ at the end
** of the line) gives the one "unterminated string" error, with no E-escape
** ("unknown escape") for the end of the line after it. */
static void test_lex_string_ending_in_backslash(void) {
  FAILS(SRC "rule r on snap {\n  red when true\n  message \"abc\\\n}\n");
  EXPECT("E-token", 4, 11, "unterminated string");
  CU_ASSERT_PTR_NULL(find("E-escape", 0, 0, 0, NULL));
  CU_ASSERT_EQUAL(nerrors(), 1);
}

static void test_lex_quoted_names(void) {
  COMPILES(SRC "rule r on snap { red when `回款率` < 0.5 and `a``b` > 1 and `owner` = \"x\" }\n");
  LISTING_HAS("  col 2 回款率: number");
  LISTING_HAS("  col 3 a`b: number");
  LISTING_HAS("  col 4 owner: string");
  /* a quoted source name */
  COMPILES("source `my snap` { table sales key rep_id time snapshot_date }\n"
           "rule r on `my snap` { red when true }\n");
  LISTING_HAS("rule 0 r on my snap fn 0 at t.rules:2 lookback 0");
  /* columns count characters, not bytes, after a UTF-8 name */
  FAILS(SRC "rule r on snap {\n  red when `回款率` + bogus > 1\n}\n");
  EXPECT("E-unknown-column", 3, 20, "'bogus'");
  CU_ASSERT_PTR_NOT_NULL(find("E-unknown-column", 3, 20, 25, NULL));
  /* empty and unterminated quoted names */
  FAILS(SRC "rule r on snap { red when `` > 1 }\n");
  EXPECT("E-token", 2, 27, "empty quoted name");
  FAILS(SRC "rule r on snap {\n  red when `abc > 1\n}\n");
  EXPECT("E-token", 3, 12, "unterminated quoted name");
  /* non-ASCII outside backquotes */
  FAILS(SRC "rule r on snap { red when 回款率 > 1 }\n");
  EXPECT("E-token", 2, 27, "non-ASCII");
}

static void test_lex_stray_and_comments(void) {
  FAILS(SRC "rule r on snap { red when conversion_rate @ 1 }\n");
  EXPECT("E-token", 2, 43, "unexpected character '@'");
  FAILS(SRC "rule r on snap { red when conversion_rate \x01> 1 }\n");
  EXPECT("E-token", 2, 43, "control character 0x01");
  /* comments anywhere; '#' in a string is text */
  COMPILES("# header\n" SRC "rule r on snap { # open\n"
           "  red when conversion_rate > 1 # trailing\n"
           "  # a line of its own\n"
           "  message \"a # b\" #\n"
           "}\n#last");
  dis_fn(0);
  CU_ASSERT_PTR_NOT_NULL(insn_find("CONST", "\"a # b\""));
  /* ';' ends any statement, and line breaks are white space */
  COMPILES("pack p \"t\";\ntiers a, b;\nparam x = 1;\ndef f(v) = v > 1;\n"
           "source snap { table sales; key rep_id; time snapshot_date; every 2 weeks; where active = 1; }\n"
           "rule r on snap { let y = 2; a when f(conversion_rate); b when conversion_rate\n"
           "  >\n  y\n  and active = 1; message \"m\"; notify owner; }\n");
}

/* ======================================================================== */
/* Parser                                                                    */
/* ======================================================================== */

static void test_parse_declarations(void) {
  COMPILES("pack demo \"Demo title\"\n"
           "tiers low, mid, high\n"
           "param grace = 5 days\n"
           "param slump = 20%\n"
           "param start = 2025-01-01\n"
           "param region = \"north\"\n"
           "param strict = true\n"
           "param neg = -3\n"
           "def below(x, base, pct) = x < base * (1 - pct)\n"
           "source snap {\n  table sales\n  key rep_id\n  time snapshot_date\n  every 2 weeks\n  where active = 1\n}\n"
           "source target { table target key rep_id time day }\n"
           "rule conversion_slump on snap {\n"
           "  let floor = baseline_conversion * (1 - slump)\n"
           "  mid when conversion_rate < floor for 2 snapshots\n"
           "  high when below(conversion_rate, baseline_conversion, slump) and strict\n"
           "  low when target.amount > 0\n"
           "  message \"conversion {conversion_rate:pct} below {floor:pct}\"\n"
           "  notify rep_id\n"
           "}\n");
  CU_ASSERT_STRING_EQUAL(vg_program_pack(prog), "demo");
  LISTING_HAS("pack demo \"Demo title\"");
  LISTING_HAS("tiers low, mid, high");
  LISTING_HAS("param 0 grace = 5 days");
  LISTING_HAS("param 1 slump = 0.2");
  LISTING_HAS("param 2 start = 2025-01-01");
  LISTING_HAS("param 3 region = \"north\"");
  LISTING_HAS("param 4 strict = true");
  LISTING_HAS("param 5 neg = -3");
  CU_ASSERT_PTR_NOT_NULL(strstr(dis(), "source 0 snap table sales key rep_id time snapshot_date every 14 days where fn "));
  LISTING_HAS("source 1 target table target key rep_id time day every none where none");
  CU_ASSERT_PTR_NOT_NULL(strstr(dis(), "rule 0 conversion_slump on snap fn 0 at t.rules:18"));
  /* without a pack line the pack is named after the file */
  COMPILES(SRC "rule r on snap { red when true }\n");
  CU_ASSERT_STRING_EQUAL(vg_program_pack(prog), "t");
  LISTING_HAS("tiers yellow, orange, red");
}

static void test_parse_precedence(void) {
  /* or is looser than and */
  COMPILES(SRC "rule r on snap { red when active = 1 or active = 2 and active = 3 }\n");
  OPS_HAVE(0, "COL CONST EQ COL CONST EQ COL CONST EQ AND OR JMPF");
  /* not is looser than comparisons: not (a = b) */
  COMPILES(SRC "rule r on snap { red when not active = 1 }\n");
  OPS_HAVE(0, "COL CONST EQ NOT JMPF");
  /* unary minus binds tighter than * */
  COMPILES(SRC "rule r on snap { red when -conversion_rate * quota > 0 }\n");
  OPS_HAVE(0, "COL NEG COL MUL CONST GT");
  /* * before +, left associativity of - */
  COMPILES(SRC "rule r on snap { red when conversion_rate + quota * active - 1 - 2 > 0 }\n");
  OPS_HAVE(0, "COL COL COL MUL ADD CONST SUB CONST SUB CONST GT");
  /* and is looser than not; parentheses win */
  COMPILES(SRC "rule r on snap { red when not (active = 1 or active = 2) and active > 0 }\n");
  OPS_HAVE(0, "COL CONST EQ COL CONST EQ OR NOT JMPF COL CONST GT JMPF"); /* (conjuncts tested one by one) */
  /* between's "and" is not the logical one */
  COMPILES(SRC "rule r on snap { red when active between 1 and 2 and active > 0 }\n");
  OPS_HAVE(0, "COL CONST GE COL CONST LE AND JMPF COL CONST GT JMPF");
}

static void test_parse_chained_comparison(void) {
  FAILS(SRC "rule r on snap { red when conversion_rate < 1 < 2 }\n");
  EXPECT("E-syntax", 2, 47, "unexpected '<'");
  FAILS(SRC "rule r on snap { red when active = 1 = 1 }\n");
  EXPECT("E-syntax", 2, 38, "'='");
}

static void test_parse_recovery(void) {
  /* three mistakes in three rules: all three are reported in one run */
  FAILS(SRC "rule a on snap { red when conversion_rate > }\n"
            "rule b on snap { red when ) }\n"
            "rule c on snap { red when active = 1 ) }\n"
            "rule d on snap { red when true }\n");
  EXPECT("E-syntax", 2, 45, "unexpected '}'");
  EXPECT("E-syntax", 3, 27, "unexpected ')'");
  EXPECT("E-syntax", 4, 38, "unexpected ')'");
  /* and a checker error after the syntax errors is still found */
  FAILS(SRC "rule a on snap { red when conversion_rate > }\n"
            "rule b on snap { red when nosuch > 1 }\n");
  EXPECT("E-syntax", 2, 45, NULL);
  EXPECT("E-unknown-column", 3, 27, "'nosuch'");
  /* a declaration keyword where a value is expected */
  FAILS("param p =\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-syntax", 2, 1, "unexpected 'source'");
}

/* A rule whose only clause has a syntax error is not also reported as
** having no tier clause (a cascade of the recovery). */
static void test_parse_no_cascade(void) {
  FAILS(SRC "rule a on snap { red when conversion_rate > }\n");
  EXPECT("E-syntax", 2, 45, NULL);
  CU_ASSERT_PTR_NULL(find("E-no-clause", 0, 0, 0, NULL));
  CU_ASSERT_EQUAL(nerrors(), 1);
}

/* Regression: error recovery after an unclosed parenthesis does not skip
** everything up to the next ')', so it hides no later mistake of the file:
** the unclosed '(' of rule a (reported at its '}'), the missing operand of
** rule b (at its '}') and the stray ')' of rule c are all reported. */
static void test_parse_unclosed_paren(void) {
  FAILS(SRC "rule a on snap {\n  red when (conversion_rate > 1\n}\n"
            "rule b on snap {\n  red when conversion_rate > \n}\n"
            "rule c on snap {\n  red when ) \n}\n");
  EXPECT("E-syntax", 4, 1, "unexpected '}'");
  EXPECT("E-syntax", 7, 1, "unexpected '}'");
  EXPECT("E-syntax", 9, 12, "unexpected ')'");
}

/* Regression: a non-ASCII name outside backquotes is reported once
** (E-token) and does not cascade: the parser reports no E-syntax error
** ("unexpected '<'") for the correct token after it in `回款率 < 1`. */
static void test_lex_non_ascii_no_cascade(void) {
  FAILS(SRC "rule r on snap { red when 回款率 < 1 }\n");
  EXPECT("E-token", 2, 27, "non-ASCII");
  CU_ASSERT_PTR_NULL(find("E-syntax", 0, 0, 0, NULL));
  CU_ASSERT_EQUAL(nerrors(), 1);
}

static void test_parse_for(void) {
  COMPILES(SRC "rule r on snap { red when active = 1 for 3 snapshots }\n");
  dis_fn(0);
  CU_ASSERT_PTR_NOT_NULL(insn_find("FOR", NULL));
  CU_ASSERT_EQUAL(insn_find("FOR", NULL) ? insn_find("FOR", NULL)->a[1] : -1, 3);
  COMPILES(SRC "rule r on snap { red when active = 1 for 1 snapshot }\n");
  FAILS(SRC "rule r on snap { red when active = 1 for 0 snapshots }\n");
  EXPECT("E-window", 2, 42, "whole number of snapshots");
  FAILS(SRC "rule r on snap { red when active = 1 for 2.5 snapshots }\n");
  EXPECT("E-window", 2, 42, "whole number of snapshots");
  FAILS(SRC "rule r on snap { red when active = 1 for 10001 snapshots }\n");
  EXPECT("E-window", 2, 42, "10000");
  /* for D counts calendar time: it needs the source's cadence (snap has no every) */
  FAILS(SRC "rule r on snap { red when active = 1 for 2 days }\n");
  EXPECT("E-cadence", 2, 38, "add 'every DURATION'");
  FAILS(SRC "rule r on snap { red when active = 1 for 1.5 days }\n");
  EXPECT("E-window", 2, 42, "whole number of days");
  FAILS(SRC "rule r on snap { red when active = 1 for 2 rows }\n");
  EXPECT("E-syntax", 2, 44, "'rows' is not a unit here: write N snapshots, N days or N weeks");
}

static void test_parse_null_in_between(void) {
  COMPILES(SRC "rule r on snap { red when owner is null or owner is not null }\n");
  OPS_HAVE(0, "COL ISNULL COL ISNULL NOT OR");
  COMPILES(SRC "rule r on snap { red when active in (1, 2, 3) }\n");
  OPS_HAVE(0, "COL CONST CONST CONST IN JMPF");
  dis_fn(0);
  CU_ASSERT_EQUAL(insn_find("IN", NULL) ? insn_find("IN", NULL)->a[0] : -1, 3);
  COMPILES(SRC "rule r on snap { red when active not in (1) }\n");
  OPS_HAVE(0, "COL CONST IN NOT JMPF");
  COMPILES(SRC "rule r on snap { red when active not between 1 and 2 }\n");
  OPS_HAVE(0, "COL CONST GE COL CONST LE AND NOT JMPF");
  FAILS(SRC "rule r on snap { red when active in () }\n");
  EXPECT("E-syntax", 2, 38, "unexpected ')'");
}

/* ======================================================================== */
/* Checker                                                                   */
/* ======================================================================== */

static void test_check_unknown_names(void) {
  FAILS(SRC "rule r on snap {\n  red when conversion_rat > 1\n}\n");
  EXPECT("E-unknown-column", 3, 12, "unknown name 'conversion_rat': not a column of table sales (source snap)");
  CU_ASSERT_PTR_NOT_NULL(find("E-unknown-column", 3, 12, 26, NULL));
  FAILS("source s { table sales key nokey time snapshot_date }\nrule r on s { red when true }\n");
  EXPECT("E-unknown-column", 1, 28, "table sales has no column 'nokey'");
  FAILS("source s { table sales key rep_id time notime }\nrule r on s { red when true }\n");
  EXPECT("E-unknown-column", 1, 40, "no column 'notime'");
  FAILS(SRC "source target { table target key rep_id time day }\n"
            "rule r on snap { red when target.nocol > 1 }\n");
  EXPECT("E-unknown-column", 3, 34, "table target (source target) has no column 'nocol'");
  FAILS(SRC "rule r on snap { red when nofn(conversion_rate) > 1 }\n");
  EXPECT("E-unknown-function", 2, 27, "unknown function 'nofn'");
  FAILS(SRC "rule r on nosrc { red when true }\n");
  EXPECT("E-unknown-source", 2, 11, "unknown source 'nosrc'");
  FAILS(SRC "rule r on snap { red when nosrc.amount > 1 }\n");
  EXPECT("E-unknown-source", 2, 27, "unknown source 'nosrc'");
  FAILS(SRC "rule r on snap { purple when true }\n");
  EXPECT("E-unknown-tier", 2, 18, "unknown tier 'purple' (the tiers are yellow, orange, red)");
  FAILS("tiers low, high\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-unknown-tier", 3, 18, "the tiers are low, high");
  FAILS("source s { table nosuch key rep_id time d }\nrule r on s { red when x > 1 }\n");
  EXPECT("E-unknown-table", 1, 18, "has no table 'nosuch'");
  CU_ASSERT_EQUAL(nerrors(), 1); /* the rule on the broken source adds nothing */
  FAILS("def f(a) = a + nope\n" SRC "rule r on snap { red when f(1) > 0 }\n");
  EXPECT("E-unknown-name", 1, 16, "unknown name 'nope' in def f");
}

static void test_check_arity(void) {
  FAILS(SRC "rule r on snap { red when abs(1, 2) > 0 }\n");
  EXPECT("E-arity", 2, 27, "abs takes 1 argument, got 2");
  FAILS(SRC "rule r on snap { red when round() > 0 }\n");
  EXPECT("E-arity", 2, 27, "round takes 1 to 2 arguments, got 0");
  FAILS(SRC "rule r on snap { red when least() > 0 }\n");
  EXPECT("E-arity", 2, 27, "least takes at least 1 argument, got 0");
  FAILS("def f(a, b) = a + b\n" SRC "rule r on snap { red when f(1) > 0 }\n");
  EXPECT("E-arity", 3, 27, "f takes 2 arguments, got 1");
  CU_ASSERT_PTR_NOT_NULL(find(NULL, 1, 5, 0, "f is defined here"));
  FAILS(SRC "rule r on snap { red when sum(conversion_rate) > 0 }\n");
  EXPECT("E-arity", 2, 27, "sum takes an expression and a window");
  FAILS(SRC "rule r on snap { red when prev(conversion_rate, 1, 2) > 0 }\n");
  EXPECT("E-arity", 2, 27, "prev takes 1 or 2 arguments");
  FAILS(SRC "rule r on snap { red when streak(active = 1, active = 2) > 0 }\n");
  EXPECT("E-arity", 2, 27, "streak takes 1 argument, got 2");
}

static void test_check_types(void) {
  FAILS(SRC "rule r on snap { red when due < 5 }\n");
  EXPECT("E-type", 2, 27, "cannot compare a date with a number");
  FAILS(SRC "rule r on snap { red when due + due > due }\n");
  EXPECT("E-type", 2, 27, "cannot apply '+' to a date and a date");
  FAILS(SRC "rule r on snap { red when owner + 1 > 0 }\n");
  EXPECT("E-type", 2, 27, "cannot apply '+' to a string and a number");
  FAILS(SRC "rule r on snap { red when 2 * due > due }\n");
  EXPECT("E-type", 2, 27, "cannot apply '*' to a number and a date");
  FAILS(SRC "rule r on snap { red when 5 days / due > 1 }\n");
  EXPECT("E-type", 2, 27, "cannot apply '/' to a duration and a date");
  FAILS(SRC "rule r on snap { red when conversion_rate }\n");
  EXPECT("E-type", 2, 27, "a tier's condition must be a condition (bool), not a number");
  FAILS(SRC "rule r on snap { red when not active }\n");
  EXPECT("E-type", 2, 31, "the operand of 'not'");
  FAILS(SRC "rule r on snap { red when active and true }\n");
  EXPECT("E-type", 2, 27, "each side of 'and'");
  FAILS(SRC "rule r on snap { red when -owner = \"a\" }\n");
  EXPECT("E-type", 2, 27, "cannot negate a string");
  FAILS(SRC "rule r on snap { red when true < false }\n");
  EXPECT("E-type", 2, 27, "booleans can be compared with = and != only");
  FAILS(SRC "rule r on snap { red when active between 1 and \"z\" }\n");
  EXPECT("E-type", 2, 27, "between needs values of one type");
  FAILS(SRC "rule r on snap { red when active in (1, \"b\") }\n");
  EXPECT("E-type", 2, 41, "cannot compare a number with a string");
  FAILS(SRC "rule r on snap { red when count(active, last 2 snapshots) > 1 }\n");
  EXPECT("E-type", 2, 33, "the first argument of count must be a condition");
  FAILS(SRC "rule r on snap { red when sum(owner, last 2 snapshots) > 1 }\n");
  EXPECT("E-type", 2, 31, "sum needs numbers or durations, not a string");
  FAILS(SRC "rule r on snap { red when pct_change(owner) > 1 }\n");
  EXPECT("E-type", 2, 38, "pct_change needs a number, not a string");
  FAILS(SRC "rule r on snap { red when abs(owner) > 1 }\n");
  EXPECT("E-type", 2, 31, "abs does not take a string");
  FAILS(SRC "rule r on snap { red when least(1, due) > 1 }\n");
  EXPECT("E-type", 2, 36, "the arguments of least must have one type");
  FAILS(SRC "source target { table target key rep_id time day }\n"
            "rule r on snap { red when target[owner].amount > 1 }\n");
  EXPECT("E-type", 3, 34, "the key of source target is a number; this is a string");
  FAILS("param p = null\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-type", 1, 11, "param 'p' needs a value that is not null");
  FAILS(SRC "rule r on snap { red when true message \"{owner:pct}\" }\n");
  EXPECT("E-type", 2, 42, "format 'pct' needs a number, not a string");
  FAILS("source s { table badtime key rep_id time t }\nrule r on s { red when true }\n");
  EXPECT("E-type", 1, 42, "the time column 't' is declared as a string");
  FAILS("source s { table sales key rep_id time snapshot_date where active }\nrule r on s { red when true }\n");
  EXPECT("E-type", 1, 60, "a source's where must be a condition");
  /* what does go together */
  COMPILES(SRC "rule r on snap { red when due - snapshot_date > 5 days and due + 1 day > snapshot_date\n"
               "  and 2 * 3 days - 1 day < due - 2 days - snapshot_date and days(due - snapshot_date) > 1\n"
               "  and (due - snapshot_date) / 2 > 1 day and (due - snapshot_date) / 1 day > 1 and -1 day < 1 day }\n");
}

static void test_check_duplicates(void) {
  FAILS("param g = 1\nparam g = 2\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-duplicate", 2, 7, "param 'g' is declared twice");
  CU_ASSERT_PTR_NOT_NULL(find(NULL, 1, 7, 0, "first declared here"));
  FAILS("def f(a) = a\ndef f(b) = b\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-duplicate", 2, 5, "def 'f' is declared twice");
  FAILS("def f(a, a) = a\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-duplicate", 1, 10, "parameter 'a' is listed twice");
  FAILS("def sum(a) = a\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-duplicate", 1, 5, "def 'sum' has the name of a built-in function");
  FAILS(SRC SRC "rule r on snap { red when true }\n");
  EXPECT("E-duplicate", 2, 8, "source 'snap' is declared twice");
  FAILS(SRC "rule r on snap { red when true }\nrule r on snap { red when true }\n");
  EXPECT("E-duplicate", 3, 6, "rule 'r' is declared twice");
  FAILS(SRC "rule r on snap { let a = 1 let a = 2 red when a > 1 }\n");
  EXPECT("E-duplicate", 2, 32, "let 'a' is declared twice in rule r");
  FAILS(SRC "rule r on snap {\n  red when true\n  red when false\n}\n");
  EXPECT("E-duplicate", 4, 3, "rule r has two 'red' clauses");
  CU_ASSERT_PTR_NOT_NULL(find(NULL, 3, 3, 0, "the first is here"));
  FAILS(SRC "rule r on snap { red when true message \"a\" message \"b\" }\n");
  EXPECT("E-duplicate", 2, 44, "rule r has two messages");
  FAILS(SRC "rule r on snap { red when true notify owner notify rep_id }\n");
  EXPECT("E-duplicate", 2, 45, "rule r has two notify lines");
  FAILS("tiers a, b, a\n" SRC "rule r on snap { a when true }\n");
  EXPECT("E-duplicate", 1, 13, "tier 'a' is listed twice");
  FAILS("tiers a, b\ntiers c\n" SRC "rule r on snap { a when true }\n");
  EXPECT("E-duplicate", 2, 1, "a pack has one 'tiers' line");
  FAILS("pack one\npack two\n" SRC "rule r on snap { red when true }\n");
  EXPECT("E-duplicate", 2, 6, "a pack has one name");
  FAILS("source s { table sales key rep_id key owner time snapshot_date }\nrule r on s { red when true }\n");
  EXPECT("E-duplicate", 1, 35, "'key' is given twice in source s");
}

static void test_check_recursion(void) {
  FAILS("def f(a) = f(a) + 1\n" SRC "rule r on snap { red when f(1) > 0 }\n");
  EXPECT("E-recursion", 1, 12, "def f calls itself: defs cannot be recursive");
  FAILS("def f(a) = g(a)\ndef g(a) = h(a)\ndef h(a) = f(a) * 2\n" SRC "rule r on snap { red when g(1) > 0 }\n");
  EXPECT("E-recursion", 3, 12, "calls itself through");
  CU_ASSERT_EQUAL(nerrors(), 1);
  /* a def calling another (not recursive) is fine, and so is using it twice */
  COMPILES("def f(a) = a + 1\ndef g(a) = f(a) * f(a)\n" SRC "rule r on snap { red when g(active) > g(2) }\n");
}

static void test_check_stale_and_context(void) {
  FAILS(SRC "rule r on snap { red when stale }\n");
  EXPECT("E-stale", 2, 27, "add 'every DURATION' to source snap");
  CU_ASSERT_PTR_NOT_NULL(find(NULL, 1, 8, 0, "source snap is declared here"));
  COMPILES("source snap { table sales key rep_id time snapshot_date every 2 weeks }\n"
           "rule r on snap { red when stale }\n");
  FAILS("def st() = stale\n" SRC "rule r on snap { red when st() }\n");
  EXPECT("E-context", 1, 12, "cannot be used in a def");
  FAILS("source snap { table sales key rep_id time snapshot_date every 1 week where stale }\n"
        "rule r on snap { red when true }\n");
  EXPECT("E-context", 1, 76, "in a source's where");
  /* lookups and window functions in a where */
  FAILS("source t { table target key rep_id time day }\n"
        "source snap { table sales key rep_id time snapshot_date where t.amount > 1 }\n"
        "rule r on snap { red when true }\n");
  EXPECT("E-context", 2, 63, "a lookup reads another source; it cannot be used in a source's where");
  FAILS("source snap { table sales key rep_id time snapshot_date where sum(active, last 2 snapshots) > 1 }\n"
        "rule r on snap { red when true }\n");
  EXPECT("E-context", 1, 63, "'sum' reads earlier rows and cannot be used in a source's where");
  FAILS("source snap { table sales key rep_id time snapshot_date where prev(active) = 1 }\n"
        "rule r on snap { red when true }\n");
  EXPECT("E-context", 1, 63, "'prev' reads earlier rows");
  /* a def reading a source */
  FAILS("def lk(a) = target.amount + a\n" SRC "source target { table target key rep_id time day }\n"
        "rule r on snap { red when lk(1) > 0 }\n");
  EXPECT("E-context", 1, 13, "a lookup reads another source");
}

static void test_check_defs(void) {
  /* a def cannot read a column or a let */
  FAILS("def f(a) = a + conversion_rate\n" SRC "rule r on snap { red when f(1) > 0 }\n");
  EXPECT("E-unknown-name", 1, 16, "unknown name 'conversion_rate' in def f");
  EXPECT("E-unknown-name", 1, 16, "pass columns and lets as arguments");
  FAILS("def f(a) = a + k\n" SRC "rule r on snap { let k = 1 red when f(1) > 0 }\n");
  EXPECT("E-unknown-name", 1, 16, "unknown name 'k' in def f");
  /* a def sees params and as_of; a parameter hides a param of the same name */
  COMPILES("param k = 5\ndef f(a) = a + k\ndef g(k) = k * 2\ndef h(d) = as_of - d\n" SRC
           "rule r on snap { red when f(1) > 0 and g(active) > 1 and h(due) > 1 day }\n");
  OPS_HAVE(0, "CONST PARAM ADD CONST GT JMPF COL CONST MUL CONST GT JMPF ASOF COL SUB CONST GT JMPF");
  /* a def's own type errors are reported once, at the def */
  FAILS("def f(a) = a + due_x\n" SRC "rule r on snap { red when f(1) > 0 and f(2) > 0 }\n");
  CU_ASSERT_EQUAL(nerrors(), 1);
  /* a def's argument type error is reported in the call */
  FAILS("def f(d) = d + 1 day\n" SRC "rule r on snap { red when f(owner) > due }\n");
  EXPECT("E-type", 1, 12, "cannot apply '+' to a string and a duration");
  CU_ASSERT_PTR_NOT_NULL(find(NULL, 3, 27, 0, "in this call of f"));
}

static void test_check_windows(void) {
  FAILS(SRC "rule r on snap { red when abs(last 2 snapshots) > 1 }\n");
  EXPECT("E-window", 2, 31, "abs does not take a window");
  FAILS("def f(a) = a\n" SRC "rule r on snap { red when f(last 2 snapshots) > 1 }\n");
  EXPECT("E-window", 3, 29, "a window can only be passed to a window function");
  FAILS(SRC "rule r on snap { red when prev(active, last 2 snapshots) > 1 }\n");
  EXPECT("E-window", 2, 40, "prev does not take a window");
  FAILS(SRC "rule r on snap { red when prev(active, 0) > 1 }\n");
  EXPECT("E-window", 2, 40, "the second argument of prev must be a whole number");
  FAILS(SRC "rule r on snap { red when sum(active, last 0 snapshots) > 1 }\n");
  EXPECT("E-window", 2, 39, "a window needs a whole number of snapshots");
  FAILS(SRC "rule r on snap { red when sum(active, last 1.5 snapshots) > 1 }\n");
  EXPECT("E-window", 2, 39, "whole number of snapshots");
  FAILS(SRC "rule r on snap { red when sum(active, last 0 days) > 1 }\n");
  EXPECT("E-window", 2, 39, "a day window needs a whole number of days");
  FAILS(SRC "rule r on snap { red when sum(last 2 snapshots, active) > 1 }\n");
  EXPECT("E-arity", 2, 27, "sum takes an expression and a window");
  FAILS(SRC "rule r on snap { red when last 2 snapshots }\n");
  EXPECT("E-syntax", 2, 27, "unexpected 'last'");
  /* windows that are right */
  COMPILES(SRC "rule r on snap { red when sum(active, last 3 snapshots) > 1 and avg(active, last 2 weeks) > 0\n"
               "  and min(due, last 10 days) < max(due, last 1 snapshot) and count(active = 1, last 4 snapshots) >= 1\n"
               "  and all(active = 1, last 2 snapshots) and any(active = 1, last 7days) }\n");
}

static void test_check_ambiguous_and_clauses(void) {
  FAILS("param quota = 20%\n" SRC "rule r on snap { red when conversion_rate < quota }\n");
  EXPECT("E-ambiguous", 3, 45, "'quota' is both a column of sales and a param");
  FAILS(SRC "rule r on snap { let a = 1 message \"x\" }\n");
  EXPECT("E-no-clause", 2, 6, "rule r has no tier clause");
  CU_ASSERT_EQUAL(nerrors(), 1);
}

static void test_check_source_fields(void) {
  FAILS("source s { table sales key rep_id time snapshot_date bogus 1 }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 54, "unknown source field 'bogus'");
  FAILS("source s { key rep_id time snapshot_date }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 8, "source s has no 'table'");
  FAILS("source s { table sales time snapshot_date }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 8, "source s has no 'key'");
  FAILS("source s { table sales key rep_id }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 8, "source s has no 'time'");
  FAILS("source s { table sales key rep_id time snapshot_date every 3 }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 60, "'every' takes a positive duration");
  FAILS("source s { table sales key rep_id time snapshot_date every -1 day }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 60, "'every' takes a positive duration");
  FAILS("source s { table sales key 1 time snapshot_date }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 28, "'key' takes a name");
}

/* A source without 'key' gets that one error, not also "table sales has no
** column 'snapshot_date'" (the time column once landed in the key's slot). */
static void test_check_source_without_key(void) {
  FAILS("source s { table sales time snapshot_date }\nrule r on s { red when true }\n");
  EXPECT("E-source-field", 1, 8, "source s has no 'key'");
  CU_ASSERT_PTR_NULL(find("E-unknown-column", 0, 0, 0, NULL));
  CU_ASSERT_EQUAL(nerrors(), 1);
}

static void test_check_messages(void) {
  FAILS(SRC "rule r on snap { red when true message \"{active:foo}\" }\n");
  EXPECT("E-format", 2, 49, "unknown format 'foo'");
  FAILS(SRC "rule r on snap { red when true message \"a {} b\" }\n");
  EXPECT("E-format", 2, 44, "empty interpolation");
  FAILS(SRC "rule r on snap { red when true message \"a } b\" }\n");
  EXPECT("E-format", 2, 43, "'}' without '{'");
  FAILS(SRC "rule r on snap { red when true message \"a {active\" }\n");
  EXPECT("E-format", 2, 43, "'{' without '}'");
  /* a '}' inside an unclosed \"...\" or `...` does not close the braces */
  FAILS(SRC "rule r on snap { red when true message \"{coalesce(owner, \\\"a)}\" }\n");
  EXPECT("E-format", 2, 41, "'{' without '}' in message: a \\\" or ` inside it is not closed");
  FAILS(SRC "rule r on snap { red when true message \"{`active)}\" }\n");
  EXPECT("E-format", 2, 41, "'{' without '}' in message: a \\\" or ` inside it is not closed");
  FAILS(SRC "rule r on snap { red when true message \"{nosuch}\" }\n");
  EXPECT("E-unknown-column", 2, 42, "'nosuch'");
  FAILS(SRC "rule r on snap { red when true message \"{active +}\" }\n");
  EXPECT("E-syntax", 2, 49, "unexpected end");
}

static void test_check_limits(void) {
  /* a chain of 250 unary minus signs is deeper than the parser allows */
  static char src[80000];
  size_t n = (size_t)snprintf(src, sizeof src, SRC "rule r on snap { red when ");
  for (int i = 0; i < 250; i++) src[n++] = '-';
  snprintf(src + n, sizeof src - n, "conversion_rate > 0 }\n");
  FAILS(src);
  EXPECT("E-limit", 2, 0, "nested deeper than 200 levels");
  /* lets that double at each step: too large once inlined */
  n = (size_t)snprintf(src, sizeof src, SRC "rule r on snap {\n  let a0 = conversion_rate\n");
  for (int i = 1; i <= 24; i++) n += (size_t)snprintf(src + n, sizeof src - n, "  let a%d = a%d + a%d\n", i, i - 1, i - 1);
  snprintf(src + n, sizeof src - n, "  red when a24 > 0\n}\n");
  FAILS(src);
  EXPECT("E-limit", 0, 0, "too large once its lets and defs are inlined");
  /* a string literal over 65535 bytes */
  n = (size_t)snprintf(src, sizeof src, SRC "rule r on snap { red when owner = \"");
  memset(src + n, 'a', 70000);
  n += 70000;
  snprintf(src + n, sizeof src - n, "\" }\n");
  FAILS(src);
  EXPECT("E-limit", 2, 35, "string literal longer than 65535 bytes");
}

/* ======================================================================== */
/* Code generation                                                           */
/* ======================================================================== */

static void test_cg_for(void) {
  COMPILES(SRC "rule r on snap {\n  let floor = baseline_conversion * 0.8\n"
               "  orange when conversion_rate < floor for 2 snapshots\n}\n");
  dis_fn(0);
  const insn *f = insn_find("FOR", NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_EQUAL(f->na, 2);
  CU_ASSERT_EQUAL(f->a[1], 2);
  int fn = (int)f->a[0];
  CU_ASSERT(fn > 0); /* numbered after its caller */
  OPS_HAVE(0, "FOR JMPF NULL NULL EMIT RET RET");
  /* the value function computes the condition, the let inlined */
  CU_ASSERT_STRING_EQUAL(ops(fn), "COL COL CONST MUL LT RETV");
  CU_ASSERT_PTR_NOT_NULL(strstr(dis(), "value source snap"));
  CU_ASSERT_PTR_NOT_NULL(strstr(dis(), "lookback 1"));
}

static void test_cg_between(void) {
  COMPILES(SRC "rule r on snap { red when conversion_rate between 0.1 and 0.9 }\n");
  CU_ASSERT_STRING_EQUAL(ops(0), "COL CONST GE COL CONST LE AND JMPF NULL NULL EMIT RET RET");
}

static void test_cg_constants_shared(void) {
  COMPILES(SRC "rule r on snap { red when conversion_rate > 2.5 and baseline_conversion < 2.5 and quota = 2.5\n"
               "  message \"same\" }\n"
               "rule q on snap { red when active = 2.5 message \"same\" }\n");
  dis_fn(0);
  long k = -1;
  int n = 0;
  for (int i = 0; i < ncode; i++)
    if (strcmp(code[i].op, "CONST") == 0 && strcmp(code[i].comment, "2.5") == 0) {
      if (k < 0) k = code[i].a[0];
      CU_ASSERT_EQUAL(code[i].a[0], k);
      n++;
    }
  CU_ASSERT_EQUAL(n, 3);
  const insn *m0 = insn_find("CONST", "\"same\"");
  long km = m0 ? m0->a[0] : -1;
  /* rule q's function (rule r's measures are value functions numbered before it) */
  const char *rq = strstr(dis(), "rule 1 q on snap fn ");
  int qfn = -1;
  CU_ASSERT_FATAL(rq && sscanf(rq, "rule 1 q on snap fn %d", &qfn) == 1);
  dis_fn(qfn);
  const insn *c1 = insn_find("CONST", "2.5"), *m1 = insn_find("CONST", "\"same\"");
  CU_ASSERT(c1 && c1->a[0] == k);
  CU_ASSERT(m1 && m1->a[0] == km);
  /* 2.5 and "2.5" and 2.5 days are different constants */
  COMPILES(SRC "rule r on snap { red when conversion_rate = 2.5 and owner = \"2.5\" and due - due = 2.5 days }\n");
  dis_fn(0);
  const insn *a = insn_find("CONST", "2.5"), *b = insn_find("CONST", "\"2.5\""), *c = insn_find("CONST", "2.5 days");
  CU_ASSERT(a && b && c && a->a[0] != b->a[0] && a->a[0] != c->a[0] && b->a[0] != c->a[0]);
}

static void test_cg_def_inlined(void) {
  COMPILES("param slump = 20%\ndef below(x, base, pct) = x < base * (1 - pct)\n"
           "source snap { table sales key rep_id time snapshot_date }\n"
           "rule r on snap { red when below(conversion_rate, baseline_conversion, slump) }\n");
  CU_ASSERT_STRING_EQUAL(ops(0), "COL COL CONST PARAM SUB MUL LT JMPF NULL NULL EMIT RET RET");
  CU_ASSERT_PTR_NULL(strstr(dis(), "CALL"));
  /* a window function inside a def works on the calling rule's rows */
  COMPILES("def total(x) = sum(x, last 3 snapshots)\n" SRC
           "rule r on snap { red when total(conversion_rate) > total(active) }\n");
  dis_fn(0);
  CU_ASSERT_PTR_NOT_NULL(insn_find("AGGN", NULL));
  CU_ASSERT_STRING_EQUAL(ops(0), "AGGN AGGN GT JMPF NULL NULL EMIT RET RET");
  CU_ASSERT_STRING_EQUAL(ops(1), "COL RETV");
}

static void test_cg_tiers_and_emit(void) {
  /* clauses run from the highest tier down; the first that fires emits and returns */
  COMPILES(SRC "rule r on snap {\n  yellow when active = 1\n  red when active = 3\n  orange when active = 2\n"
               "  message \"a {active} b {conversion_rate:pct} c {quota:2}\"\n  notify owner\n}\n");
  dis_fn(0);
  int emits[3], ne = 0;
  for (int i = 0; i < ncode && ne < 3; i++)
    if (strcmp(code[i].op, "EMIT") == 0) emits[ne++] = (int)code[i].a[0];
  CU_ASSERT_EQUAL_FATAL(ne, 3);
  CU_ASSERT_EQUAL(emits[0], 2);
  CU_ASSERT_EQUAL(emits[1], 1);
  CU_ASSERT_EQUAL(emits[2], 0);
  OPS_HAVE(0, "CONST COL FMT CONST COL FMT CONST COL FMT CONCAT COL TEXT EMIT RET");
  const insn *pct = NULL, *fix = NULL;
  for (int i = 0; i < ncode; i++) {
    if (strcmp(code[i].op, "FMT") == 0 && code[i].a[1] == 1 && !pct) pct = &code[i];
    if (strcmp(code[i].op, "FMT") == 0 && code[i].a[1] == 2 && !fix) fix = &code[i];
  }
  CU_ASSERT(pct != NULL);
  CU_ASSERT(fix != NULL && fix->a[0] == 2);
  /* literal braces are plain text in a constant */
  COMPILES(SRC "rule r on snap { red when true message \"{{x}} {active}}}\" }\n");
  dis_fn(0);
  CU_ASSERT_PTR_NOT_NULL(insn_find("CONST", "\"{x} \""));
  CU_ASSERT_PTR_NOT_NULL(insn_find("CONST", "\"}\""));
}

/* A clause `c1 and c2 and ...` is tested conjunct by conjunct (JMPF after
** each), and a first conjunct every clause shares once, with a JMPF to the
** rule's last RET (compiler/cg.c: warning_free): the receivables rule's
** shape.  A later conjunct that could count a type warning at run time (a
** column of no declared type, a lookup, a window function) keeps the clause
** whole: skipping it would change the warnings and --strict. */
#define INV_SCHEMA "CREATE TABLE inv (id INTEGER PRIMARY KEY, due DATE, paid DATE, amount REAL, loose);"
#define INV_SRC "source inv { table inv key id time due }\n"
static void test_cg_tier_short_circuit(void) {
  static const char *const aging = "param late = 30 days\ndef unpaid(p) = p is null or p > as_of\n" INV_SRC
                                   "rule r on inv {\n  let overdue = as_of - due\n"
                                   "  yellow when unpaid(paid) and overdue > late\n"
                                   "  orange when unpaid(paid) and overdue > late * 2\n"
                                   "  red    when unpaid(paid) and overdue > late * 3 and amount > 0\n}\n";
  CU_ASSERT_EQUAL_FATAL(comp_schema(aging, INV_SCHEMA), VG_OK);
  CU_ASSERT_STRING_EQUAL(ops(0), "COL ISNULL COL ASOF GT OR JMPF "
                                 "ASOF COL SUB PARAM CONST MUL GT JMPF COL CONST GT JMPF NULL NULL EMIT RET "
                                 "ASOF COL SUB PARAM CONST MUL GT JMPF NULL NULL EMIT RET "
                                 "ASOF COL SUB PARAM GT JMPF NULL NULL EMIT RET RET");
  /* the shared test and the lowest tier's jump both go to the last RET; the
  ** red clause's two jumps to the orange clause */
  CU_ASSERT_EQUAL_FATAL(ncode, 46);
  CU_ASSERT_STRING_EQUAL(code[6].comment, code[40].comment);
  CU_ASSERT_STRING_EQUAL(code[14].comment, code[18].comment);
  CU_ASSERT(strncmp(code[6].comment, "to ", 3) == 0);
  /* not all clauses start alike: each is chained, none shared */
  CU_ASSERT_EQUAL_FATAL(comp_schema(INV_SRC "rule r on inv {\n  yellow when paid is null and amount > 1\n"
                                            "  red when amount > 2 and paid is null\n}\n", INV_SCHEMA), VG_OK);
  CU_ASSERT_STRING_EQUAL(ops(0), "COL CONST GT JMPF COL ISNULL JMPF NULL NULL EMIT RET "
                                 "COL ISNULL JMPF COL CONST GT JMPF NULL NULL EMIT RET RET");
  /* a second conjunct reading a column of no declared type: evaluated whole */
  CU_ASSERT_EQUAL_FATAL(comp_schema(INV_SRC "rule r on inv { yellow when amount > 1 and loose > 1 }\n", INV_SCHEMA), VG_OK);
  CU_ASSERT_STRING_EQUAL(ops(0), "COL CONST GT COL CONST GT AND JMPF NULL NULL EMIT RET RET");
  /* ... also when a value computed from it is compared, deep in the conjunct */
  CU_ASSERT_EQUAL_FATAL(comp_schema(INV_SRC "rule r on inv { yellow when amount > 1 and (paid is null or loose + 1 > 2) }\n",
                                    INV_SCHEMA), VG_OK);
  OPS_HAVE(0, "OR AND JMPF");
  /* the untyped column first is fine: the first conjunct is always evaluated */
  CU_ASSERT_EQUAL_FATAL(comp_schema(INV_SRC "rule r on inv { yellow when loose > 1 and amount > 1 }\n", INV_SCHEMA), VG_OK);
  CU_ASSERT_STRING_EQUAL(ops(0), "COL CONST GT JMPF COL CONST GT JMPF NULL NULL EMIT RET RET");
  /* ... but not shared: evaluated once for three clauses, it would count its warnings once */
  CU_ASSERT_EQUAL_FATAL(comp_schema(INV_SRC "rule r on inv {\n  yellow when loose > 1 and amount > 1\n"
                                            "  red when loose > 1 and amount > 2\n}\n", INV_SCHEMA), VG_OK);
  CU_ASSERT_STRING_EQUAL(ops(0), "COL CONST GT JMPF COL CONST GT JMPF NULL NULL EMIT RET "
                                 "COL CONST GT JMPF COL CONST GT JMPF NULL NULL EMIT RET RET");
  /* a window function or a for clause: as before */
  CU_ASSERT_EQUAL_FATAL(comp_schema(INV_SRC "rule r on inv { yellow when amount > 1 and prev(amount) > 1 }\n", INV_SCHEMA), VG_OK);
  OPS_HAVE(0, "COL CONST GT PREV CONST GT AND JMPF");
  CU_ASSERT_EQUAL_FATAL(comp_schema(INV_SRC "rule r on inv { yellow when amount > 1 and amount < 5 for 2 snapshots }\n",
                                    INV_SCHEMA), VG_OK);
  CU_ASSERT_STRING_EQUAL(ops(0), "FOR JMPF NULL NULL EMIT RET RET");
}

static void test_cg_window_functions(void) {
  COMPILES(SRC "rule r on snap { red when sum(conversion_rate, last 3 snapshots) > avg(conversion_rate, last 2 weeks)\n"
               "  and count(active = 1, last 4 snapshots) > 1 and prev(active, 2) = pct_change(conversion_rate)\n"
               "  and streak(active = 1) > 2 }\n");
  dis_fn(0);
  const insn *s = insn_find("AGGN", NULL), *a = insn_find("AGGD", NULL);
  CU_ASSERT(s && s->na == 3 && s->a[1] == 3 && s->a[2] == 0); /* sum */
  CU_ASSERT(a && a->na == 3 && a->a[1] == 14 && a->a[2] == 1); /* avg over 14 days */
  int count_seen = 0;
  for (int i = 0; i < ncode; i++)
    if (strcmp(code[i].op, "AGGN") == 0 && code[i].a[2] == 4 && code[i].a[1] == 4) count_seen = 1;
  CU_ASSERT(count_seen);
  const insn *p = insn_find("PREV", NULL);
  CU_ASSERT(p && p->a[1] == 2);
  CU_ASSERT_PTR_NOT_NULL(insn_find("PCTCHG", NULL));
  CU_ASSERT_PTR_NOT_NULL(insn_find("STREAK", NULL));
  CU_ASSERT_PTR_NOT_NULL(strstr(dis(), "lookback unbounded")); /* streak and a day window */
  /* min/max/all/any */
  COMPILES(SRC "rule r on snap { red when min(due, last 2 snapshots) < max(due, last 3 snapshots)\n"
               "  and all(active = 1, last 2 snapshots) and any(active = 1, last 2 snapshots) }\n");
  dis_fn(0);
  int kinds = 0;
  for (int i = 0; i < ncode; i++)
    if (strcmp(code[i].op, "AGGN") == 0) kinds |= 1 << code[i].a[2];
  CU_ASSERT_EQUAL(kinds, (1 << 2) | (1 << 3) | (1 << 5) | (1 << 6));
  CU_ASSERT_PTR_NOT_NULL(strstr(dis(), "lookback 2"));
}

static void test_cg_lookups_where_misc(void) {
  COMPILES("source snap { table sales key rep_id time snapshot_date every 2 weeks where active = 1 }\n"
           "source target { table target key rep_id time day }\n"
           "source feature { table feature key feature_id time d }\n"
           "rule r on snap { red when target.amount > 1 and feature[feature_id].launch_date < as_of\n"
           "  and stale and owner is not null\n  notify rep_id }\n");
  dis_fn(0);
  const insn *l = insn_find("LOOKUP", NULL);
  CU_ASSERT(l && l->a[0] == 1 && l->a[1] == 2); /* source target, column amount */
  OPS_HAVE(0, "COL LOOKUP CONST GT COL LOOKUP ASOF LT AND STALE AND COL ISNULL NOT AND JMPF");
  OPS_HAVE(0, "NULL COL TEXT EMIT");
  LISTING_HAS("  col 2 amount: number");
  LISTING_HAS("  col 2 launch_date: date");
  /* the where is a value function after the rules */
  const char *w = strstr(dis(), "where fn ");
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  int wf = atoi(w + 9);
  CU_ASSERT(wf >= 1);
  CU_ASSERT_STRING_EQUAL(ops(wf), "COL CONST EQ RETV");
  /* calls of built-ins */
  COMPILES(SRC "rule r on snap { red when abs(conversion_rate) > round(quota, 2) and year(due) = 2025 }\n");
  OPS_HAVE(0, "COL CALL COL CONST CALL GT JMPF COL CALL CONST EQ JMPF");
  /* line table: the comparison's position is recorded */
  COMPILES(SRC "rule r on snap {\n  red when\n    conversion_rate > 1\n}\n");
  CU_ASSERT_PTR_NOT_NULL(strstr(dis(), "; t.rules:4:5"));
}

/* ---- names of the schema in any case ---------------------------------------------- */

/* A table or column is found by its exact name, else by the first name equal
** to it ignoring case (as SQLite does); the program keeps the schema's
** spelling.  (The checker finds them by hash, sema.c.) */
static void test_schema_names_any_case(void) {
  static const char schema[] =
    "CREATE TABLE Sales (Rep INTEGER, Day DATE, Amount REAL, grp INTEGER);"
    "CREATE TABLE other (k INTEGER, d DATE, v REAL);";
  static const char rules[] =
    "source s { table SALES key rep time DAY }\n"
    "source o { table Other key K time d }\n"
    "rollup g from s by GRP { total = sum(AMOUNT) }\n"
    "rule r on s { red when amount > 1 and AMOUNT < 5 and o[REP].V > 1 }\n"
    "rule q on g { red when TOTAL > 1 and Members > 0 }\n"
    "rule u on s { red when Amont > 1 }\n";
  vg_free_program(prog);
  prog = NULL;
  ndiags = 0;
  vg_compile_opts o;
  memset(&o, 0, sizeof o);
  o.diag = on_diag;
  vg_status st = vg_compile_string("t.rules", rules, sizeof rules - 1, schema, &o, &prog);
  CU_ASSERT_EQUAL(st, VG_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(find("E-unknown-column", 6, 24, 29, "unknown name 'Amont': not a column of table Sales"));
  CU_ASSERT_PTR_NOT_NULL(find("", 6, 24, 29, "did you mean 'Amount'?"));
  CU_ASSERT_EQUAL(ndiags, 2);
  vg_free_program(prog);
  prog = NULL;
  vg_status st2 = vg_compile_string("t.rules", rules, sizeof rules - 1 - strlen("rule u on s { red when Amont > 1 }\n"),
                                    schema, &o, &prog);
  CU_ASSERT_EQUAL_FATAL(st2, VG_OK);
  CU_ASSERT_TRUE(listing_has_line("source 0 s table Sales key Rep time Day every none where none"));
  CU_ASSERT_TRUE(listing_has_line("  col 3 Amount: number"));
  CU_ASSERT_TRUE(listing_has_line("source 2 g table vigil rollup t.g key grp time Day every none where none"));
  CU_ASSERT_TRUE(listing_has_line("source 1 o table other key k time d every none where none"));
  CU_ASSERT_TRUE(listing_has_line("  col 2 v: number"));
}

/* ---- the diagnostic codes (core/diagcodes.def) ------------------------------ */

/* The table as written, with each entry's C name. */
static const struct { const char *id, *code, *group; } dcode_src[] = {
#define DIAG(id, code, group, doc) {#id, code, group},
#include "../../core/diagcodes.def"
#undef DIAG
};

/* Each code's C name is the code in capitals with '_' for '-'; the codes are
** distinct, E- or W-, and vg_dcodes / vg_dcode_name follow the enum. */
static void test_dcode_table(void) {
  CU_ASSERT_EQUAL(sizeof dcode_src / sizeof *dcode_src, DIAG__COUNT);
  for (int i = 0; i < DIAG__COUNT; i++) {
    const char *dc = dcode_src[i].code, *id = dcode_src[i].id;
    char want[64];
    size_t n = strlen(dc);
    CU_ASSERT_FATAL(n < sizeof want);
    for (size_t k = 0; k <= n; k++) want[k] = dc[k] == '-' ? '_' : (char)(dc[k] >= 'a' && dc[k] <= 'z' ? dc[k] - 32 : dc[k]);
    if (strcmp(want, id) != 0) fprintf(stderr, "\n  DIAG(%s, \"%s\", ...): the name should be %s\n", id, dc, want);
    CU_ASSERT_STRING_EQUAL(want, id);
    CU_ASSERT_TRUE((dc[0] == 'E' || dc[0] == 'W') && dc[1] == '-' && dc[2]);
    CU_ASSERT_STRING_EQUAL(vg_dcode_name((vg_dcode)i), dc);
    CU_ASSERT_STRING_EQUAL(vg_dcodes[i].group, dcode_src[i].group);
    CU_ASSERT_TRUE(vg_dcodes[i].meaning && vg_dcodes[i].meaning[0]);
    for (int k = 0; k < i; k++) CU_ASSERT_TRUE(strcmp(dcode_src[k].code, dc) != 0);
  }
  CU_ASSERT_PTR_NULL(vg_dcode_name(DIAG__COUNT));
  CU_ASSERT_PTR_NULL(vg_dcode_name((vg_dcode)-1));
  CU_ASSERT_STRING_EQUAL(vg_dcode_name(DIAG_E_UNKNOWN_COLUMN), "E-unknown-column");
}

/* Every code has one section "### `CODE`" in docs/DIAGNOSTICS.md, and every
** such section is a code's.  (docs/gen-diagnostics.sh --check, run by make
** test, also holds the list of codes and each section's group.) */
static void test_dcode_docs(void) {
  const char *r = getenv("VIGIL_ROOT");
  char path[1024];
  snprintf(path, sizeof path, "%s/docs/DIAGNOSTICS.md", r ? r : ".");
  FILE *f = fopen(path, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  int sections[DIAG__COUNT] = {0}, unknown = 0;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "### `", 5) != 0 || (line[5] != 'E' && line[5] != 'W') || line[6] != '-') continue;
    char *end = strchr(line + 5, '`');
    if (!end) continue;
    *end = 0;
    int k = 0;
    while (k < DIAG__COUNT && strcmp(vg_dcodes[k].code, line + 5) != 0) k++;
    if (k < DIAG__COUNT) sections[k]++;
    else {
      fprintf(stderr, "\n  %s: a section for %s, which is not in core/diagcodes.def\n", path, line + 5);
      unknown++;
    }
  }
  fclose(f);
  CU_ASSERT_EQUAL(unknown, 0);
  for (int k = 0; k < DIAG__COUNT; k++) {
    if (sections[k] != 1) fprintf(stderr, "\n  %s: %d sections for %s\n", path, sections[k], vg_dcodes[k].code);
    CU_ASSERT_EQUAL(sections[k], 1);
  }
}

/* The code that reaches vg_diag is the table's text, for errors and warnings. */
static void test_dcode_reported(void) {
  comp(SRC "rule r on snap { red when conversoin_rate < 0.1 }\n");
  CU_ASSERT_TRUE(ndiags >= 1);
  CU_ASSERT_STRING_EQUAL(diags[0].code, vg_dcode_name(DIAG_E_UNKNOWN_COLUMN));
  CU_ASSERT_EQUAL(diags[0].sev, VG_ERROR);
}

/* ---- registration ----------------------------------------------------------- */

static int cleanup(void) {
  vg_free_program(prog);
  prog = NULL;
  return 0;
}

typedef struct tcase {
  const char *name;
  void (*fn)(void);
} tcase;

static int add_suite(const char *name, const tcase *t, size_t n) {
  CU_pSuite s = CU_add_suite(name, NULL, cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < n; i++)
    if (!CU_add_test(s, t[i].name, t[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}

int unit_register_compiler(void) {
  static const tcase lexer[] = {
    {"numbers", test_lex_numbers},
    {"percents", test_lex_percents},
    {"durations", test_lex_durations},
    {"dates and impossible dates", test_lex_dates},
    {"strings, escapes, unterminated", test_lex_strings},
    {"a string cut off after a backslash", test_lex_string_ending_in_backslash},
    {"backquoted names (UTF-8, doubled backquote)", test_lex_quoted_names},
    {"stray characters, comments, ';'", test_lex_stray_and_comments},
    {"non-ASCII outside backquotes: one error", test_lex_non_ascii_no_cascade},
  };
  static const tcase parser[] = {
    {"every declaration", test_parse_declarations},
    {"precedence", test_parse_precedence},
    {"a < b < c is an error", test_parse_chained_comparison},
    {"error recovery: several errors per run", test_parse_recovery},
    {"no cascade after a broken clause", test_parse_no_cascade},
    {"an unclosed '(' does not hide later errors", test_parse_unclosed_paren},
    {"for N snapshots", test_parse_for},
    {"is null, in, between", test_parse_null_in_between},
  };
  static const tcase checker[] = {
    {"unknown names, functions, sources, tiers, tables", test_check_unknown_names},
    {"arity", test_check_arity},
    {"types", test_check_types},
    {"duplicates", test_check_duplicates},
    {"recursive defs", test_check_recursion},
    {"stale and where/def contexts", test_check_stale_and_context},
    {"defs: what they see", test_check_defs},
    {"windows", test_check_windows},
    {"ambiguity and missing clauses", test_check_ambiguous_and_clauses},
    {"source fields", test_check_source_fields},
    {"a source without key", test_check_source_without_key},
    {"messages", test_check_messages},
    {"limits", test_check_limits},
    {"names of the schema in any case", test_schema_names_any_case},
    {"diagnostic codes: one table, C names that match", test_dcode_table},
    {"diagnostic codes: one section each in DIAGNOSTICS.md", test_dcode_docs},
    {"diagnostic codes: the table's text is reported", test_dcode_reported},
  };
  static const tcase codegen[] = {
    {"for N snapshots -> FOR over a value function", test_cg_for},
    {"between -> GE/LE/AND", test_cg_between},
    {"constants are shared", test_cg_constants_shared},
    {"defs are inlined", test_cg_def_inlined},
    {"tiers, messages, notify", test_cg_tiers_and_emit},
    {"tier conditions stop at the first false conjunct", test_cg_tier_short_circuit},
    {"window functions", test_cg_window_functions},
    {"lookups, where, calls, lines", test_cg_lookups_where_misc},
  };
  int rc;
  if ((rc = add_suite("compiler: lexer", lexer, sizeof lexer / sizeof *lexer)) != CUE_SUCCESS) return rc;
  if ((rc = add_suite("compiler: parser", parser, sizeof parser / sizeof *parser)) != CUE_SUCCESS) return rc;
  if ((rc = add_suite("compiler: checker", checker, sizeof checker / sizeof *checker)) != CUE_SUCCESS) return rc;
  return add_suite("compiler: code generator", codegen, sizeof codegen / sizeof *codegen);
}
