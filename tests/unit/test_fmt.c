/*
** test_fmt.c — `vigil fmt`: the canonical layout (vg_format).
**
** Style cases give a text and the exact expected result; every result is
** also formatted again and must not change (idempotence).  The corpus cases
** take every .rules file under examples/ and tests/ (VIGIL_ROOT):
**   - idempotence: fmt(fmt(x)) == fmt(x); a file vg_format refuses must be
**     one that does not parse (it is under tests/golden/errors, the compiler
**     rejects it too, and the refusal came with an error diagnostic);
**   - meaning: each pack of examples/ is copied with its files formatted
**     into a temporary folder and compiled from both places with
**     vg_compile_path; the listings of vg_disasm must be equal once the
**     source positions are taken out ("file" lines, "; FILE:LINE:COL" lines,
**     " at FILE:LINE" of rule lines), and so must the diagnostics (severity,
**     code, message) and the results of the pack's tests (vg_test_path).
**     Other folders (tests/...) hold files that stand alone: each is
**     compiled on its own, with the schema.sql beside it when there is one.
**   - the same, on two distorted copies of each file: every space outside
**     strings, names and comments turned into a line break, and a comment
**     added at the end of every line (what is compared there is the
**     distorted file with its own formatted text).
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "vigil.h"
#include "../../core/mem.h"
#include "unit.h"
#include "testutil.h"

/* ---- formatting and collecting diagnostics ------------------------------------- */

static char diags[16384];
static int nerrors;

static void app(char *buf, size_t cap, const char *s) {
  size_t n = strlen(buf), m = strlen(s);
  if (n + m + 1 > cap) m = cap - n - 1;
  memcpy(buf + n, s, m);
  buf[n + m] = 0;
}

/* Records "SEVERITY CODE: MESSAGE\n" (no position: positions move when
** a file is formatted). */
static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  char line[1400];
  snprintf(line, sizeof line, "%d %s: %s\n", (int)d->severity, d->code ? d->code : "-", d->message ? d->message : "");
  app(diags, sizeof diags, line);
  if (d->severity == VG_ERROR) nerrors++;
}

static void clear_diags(void) {
  diags[0] = 0;
  nerrors = 0;
}

static char *fmt(const char *text, size_t len) {
  clear_diags();
  return vg_format("t.rules", text, len, on_diag, NULL);
}

/* Formats in, compares with want, and formats the result again. */
static void check_fmt(const char *in, const char *want, int line) {
  char *got = fmt(in, strlen(in));
  CU_ASSERT_PTR_NOT_NULL(got);
  if (!got) {
    fprintf(stderr, "\n  [line %d] vg_format refused:\n%s", line, diags);
    return;
  }
  CU_ASSERT_STRING_EQUAL(got, want);
  if (strcmp(got, want) != 0) fprintf(stderr, "\n  [line %d] got:\n%s\n  ---- wanted:\n%s\n", line, got, want);
  char *again = fmt(got, strlen(got));
  CU_ASSERT(again && strcmp(again, got) == 0);
  if (again && strcmp(again, got) != 0) fprintf(stderr, "\n  [line %d] not idempotent:\n%s\n  ---- then:\n%s\n", line, got, again);
  free(again);
  free(got);
}
#define FMT(in, want) check_fmt(in, want, __LINE__)

/* vg_format must refuse in with an error whose code is code. */
static void check_refused(const char *in, const char *code, int line) {
  char *got = fmt(in, strlen(in));
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT(nerrors > 0);
  char want[64];
  snprintf(want, sizeof want, " %s: ", code);
  CU_ASSERT_PTR_NOT_NULL(strstr(diags, want));
  if (got || !strstr(diags, want)) fprintf(stderr, "\n  [line %d] wanted a refusal with %s; got %s, diagnostics:\n%s", line, code, got ? got : "NULL", diags);
  free(got);
}
#define REFUSED(in, code) check_refused(in, code, __LINE__)

/* ---- style rules ------------------------------------------------------------------ */

static void test_declarations(void) {
  /* blank lines: none at the start or end; several become one; blocks get
  ** one before and after; one-line declarations keep the author's choice */
  FMT("\n\n# head\n\n\npack p \"t\"\ntiers a, b\n\n\n\nparam x = 1\n"
      "source s { table t key k time d }\nrule r on s { a when x > 1 }\nparam y = 2\ndef f() = 1\n\n\n",
      "# head\n\npack p \"t\"\ntiers a, b\n\nparam x = 1\n\n"
      "source s {\n  table t\n  key   k\n  time  d\n}\n\n"
      "rule r on s {\n  a when x > 1\n}\n\nparam y = 2\ndef f() = 1\n");
  /* exactly one newline at the end, also when the source has none */
  FMT("pack p", "pack p\n");
  FMT("", "");
  FMT("\n\n  \n", "");
  FMT("# only\n\n\n# two", "# only\n\n# two\n");
}

/* org { ... } is a block like a source; route lines are one-liners. */
static void test_org_route(void) {
  FMT("org {table o person p\n manager m name n}\nroute   yellow,orange up 0\nroute red up 1\n"
      "rule r on s { red when true notify manager( k , 2 ) }\n",
      "org {\n  table   o\n  person  p\n  manager m\n  name    n\n}\n\nroute yellow, orange up 0\nroute red up 1\n\n"
      "rule r on s {\n  red when true\n  notify manager(k, 2)\n}\n");
  FMT("param a = 1 on t [ k ]\nparam bb = 2 days on t[k] . c\n", "param a  = 1 on t[k]\nparam bb = 2 days on t[k].c\n");
}

static void test_blocks(void) {
  FMT("source s { table t\n\n\n key k\n\n time d }\n",
      "source s {\n  table t\n\n  key k\n\n  time d\n}\n");
  /* no blank line after { or before } */
  FMT("rule r on s {\n\n\n  red when x > 1\n\n\n}\n", "rule r on s {\n  red when x > 1\n}\n");
  FMT("rule r on s {}", "rule r on s {\n}\n");
  /* a test with a table: rows one level deeper, their separators dropped */
  FMT("test \"t\" { as_of 2025-01-01; set p = -5 table t (a,b) { (1, 2), (3,-4); (5, \"x\") } "
      "expect red r 1 message \"m\" expect no alert r 2; }\n",
      "test \"t\" {\n  as_of 2025-01-01\n  set p = -5\n  table t (a, b) {\n    (1, 2)\n    (3, -4)\n    (5, \"x\")\n  }\n"
      "  expect red r 1 message \"m\"\n  expect no alert r 2\n}\n");
}

static void test_statements(void) {
  /* one statement per line; every trailing ; removed */
  FMT("source s { table t; key k; time d; };\nrule r on s { let x = 1; yellow when x > 1; message \"m\"; notify k; };\n"
      "param p = 1; param q = 2;\ntiers a, b;",
      "source s {\n  table t\n  key   k\n  time  d\n}\n\n"
      "rule r on s {\n  let x = 1\n  yellow when x > 1\n  message \"m\"\n  notify k\n}\n\n"
      "param p = 1\nparam q = 2\ntiers a, b\n");
  /* the one ; kept: a number, then a name spelled like a duration unit */
  FMT("rule r on s { notify 5; days when k > 1; notify 6; day_x when k }\n",
      "rule r on s {\n  notify 5;\n  days when k > 1\n  notify 6\n  day_x when k\n}\n");
}

static void test_alignment(void) {
  /* params: runs end at a comment line or a blank line, not at a trailing comment */
  FMT("param a = 1\nparam bbb = 2\n# c\nparam cc = 3\nparam d = 4\n\nparam eeeee = 5\nparam f = 6  # t\nparam gg = 7\n",
      "param a   = 1\nparam bbb = 2\n# c\nparam cc = 3\nparam d  = 4\n\nparam eeeee = 5\nparam f     = 6  # t\nparam gg    = 7\n");
  /* lets and tier clauses: separate runs; another item ends a run */
  FMT("rule r on s {\nlet a = 1\nlet long_name = 2\nyellow when a > 1\nred when a > 2\nmessage \"m\"\norange when a > 3\n}\n",
      "rule r on s {\n  let a         = 1\n  let long_name = 2\n  yellow when a > 1\n  red    when a > 2\n"
      "  message \"m\"\n  orange when a > 3\n}\n");
  /* source fields: the values line up */
  FMT("source s { table t\n key k\n time d\n every 2 weeks\n where a = 1 }\n",
      "source s {\n  table t\n  key   k\n  time  d\n  every 2 weeks\n  where a = 1\n}\n");
  /* widths count characters, not bytes */
  FMT("rule r on s {\nlet `回款率` = 1\nlet ab = 2\nred when ab > 1\n}\n",
      "rule r on s {\n  let `回款率` = 1\n  let ab    = 2\n  red when ab > 1\n}\n");
  /* a user's alignment elsewhere is not kept */
  FMT("def   f(x)   =   x\nrule r on s {\n  red     when x > 1\n}\n", "def f(x) = x\n\nrule r on s {\n  red when x > 1\n}\n");
}

static void test_spacing(void) {
  FMT("def f(a,b)=a+b*-a/2-(a)\n", "def f(a, b) = a + b * -a / 2 - (a)\n");
  FMT("def g( ) = not(a<>b)and x is not null or y not in(1,2)or z not between 1 and 2 or w in ( 3 ) or v between(1)and 2\n",
      "def g() = not (a != b) and x is not null or y not in (1, 2) or z not between 1 and 2 or w in (3) or v between (1) and 2\n");
  FMT("rule r on s { red when sum( x , last 3 snapshots )>t . y or count(x,last 7days)>s[ k ].z or - - x<=1 "
      "or prev(x,2)>=f() or x is null or a=b or a!=b or a<b }\n",
      "rule r on s {\n  red when sum(x, last 3 snapshots) > t.y or count(x, last 7days) > s[k].z or --x <= 1 "
      "or prev(x, 2) >= f() or x is null or a = b or a != b or a < b\n}\n");
  FMT("rule r on s { red when streak(x<prev(x))>=2 for 3 snapshot }", "rule r on s {\n  red when streak(x < prev(x)) >= 2 for 3 snapshot\n}\n");
  FMT("param n = - 5\nparam d = -2 days\n", "param n = -5\nparam d = -2 days\n");
  FMT("tiers  a ,b,c\n", "tiers a, b, c\n");
}

static void test_values(void) {
  /* values as written; only the white space inside a duration is normalised */
  FMT("param a = 1e6\nparam b = 12.50\nparam c = 20%\nparam d = 7days\nparam e = 5   days\nparam f = 3\n  weeks\n"
      "param g = 2025-03-31\nparam h = \"a \\\"q\\\" \\\\ {x}\"\nparam `回款率` = 1.5E-3\nparam i = 1.5 week\n",
      "param a     = 1e6\nparam b     = 12.50\nparam c     = 20%\nparam d     = 7days\nparam e     = 5 days\nparam f     = 3 weeks\n"
      "param g     = 2025-03-31\nparam h     = \"a \\\"q\\\" \\\\ {x}\"\nparam `回款率` = 1.5E-3\nparam i     = 1.5 week\n");
  /* message strings, interpolations included, are not touched */
  FMT("rule r on s { red when x   message \"a  {x:pct}  {  f( y ,\\\"s\\\" ) }\" }",
      "rule r on s {\n  red when x\n  message \"a  {x:pct}  {  f( y ,\\\"s\\\" ) }\"\n}\n");
  /* 2025-3-1 is arithmetic, and stays so */
  FMT("def d() = 2025-3-1\n", "def d() = 2025 - 3 - 1\n");
}

static void test_line_breaks(void) {
  /* a line break inside a statement is kept: continuation +4 */
  FMT("rule r on s {\n  red when a > 1 and\n  b < 2\n        or c\n}\ndef f(x) =\nx + 1\n",
      "rule r on s {\n  red when a > 1 and\n      b < 2\n      or c\n}\n\ndef f(x) =\n    x + 1\n");
  /* but never before a block's { */
  FMT("rule r\n on s\n{\n red when x }\n", "rule r\n    on s {\n  red when x\n}\n");
  /* a table row broken over lines */
  FMT("test \"t\" { table t (a,\n b) { (1,\n 2) } }\n", "test \"t\" {\n  table t (a,\n      b) {\n    (1,\n        2)\n  }\n}\n");
}

static void test_comments(void) {
  FMT("# file header\n\npack p # trailing on pack\n# before source\nsource s # before brace\n{ # after brace\n"
      "  table t # trailing field\n  # own line in block\n  key k\n  time d\n  where a = 1 # in expr\n    and b = 2\n"
      "  # before close\n}\n# after block\nrule r on s {\n  red when a > # mid\n  # own-line mid\n  1\n}\n# end of file   \n",
      "# file header\n\npack p  # trailing on pack\n\n# before source\nsource s {  # before brace\n  # after brace\n"
      "  table t  # trailing field\n  # own line in block\n  key   k\n  time  d\n  where a = 1  # in expr\n      and b = 2\n"
      "  # before close\n}\n\n# after block\nrule r on s {\n  red when a >  # mid\n      # own-line mid\n      1\n}\n# end of file\n");
  /* comments between declarations, blank lines around them kept */
  FMT("param a = 1\n\n# about b\nparam b = 2 # tail\n\n\n# loose\n\nparam c = 3\n",
      "param a = 1\n\n# about b\nparam b = 2  # tail\n\n# loose\n\nparam c = 3\n");
  /* a comment where a ; is dropped stays */
  FMT("param a = 1 # x\n;\nparam b = 2\n", "param a = 1  # x\nparam b = 2\n");
  /* comments inside a test table */
  FMT("test \"t\" { # about t\n table t (a) { # rows\n (1) # one\n # two next\n (2)\n # end\n } }",
      "test \"t\" {  # about t\n  table t (a) {  # rows\n    (1)  # one\n    # two next\n    (2)\n    # end\n  }\n}\n");
  /* CR LF, trailing white space, tabs */
  FMT("pack p   \r\n\tparam x = 1 # c \t \r\n", "pack p\nparam x = 1  # c\n");
  /* a comment with a # inside a string before it */
  FMT("rule r on s { message \"# not a comment\" # a comment\n}", "rule r on s {\n  message \"# not a comment\"  # a comment\n}\n");
}

static void test_refused(void) {
  REFUSED("rule r on s { red when a < b < c }", "E-syntax");
  REFUSED("param x = 1 $\n", "E-token");
  REFUSED("param x = \"open\n", "E-token");
  REFUSED("param d = 2025-02-30\n", "E-date");
  REFUSED("source s {", "E-syntax");
  /* fuzz finding (fuzz/regressions/fmt/nul-in-comment.rules): a NUL in a
  ** comment cut the formatted file there, losing the rest of it */
  static const char nul[] = "param a = 1 # x\0y\nparam b = 2\n";
  char *cut = fmt(nul, sizeof nul - 1);
  CU_ASSERT_PTR_NULL(cut);
  CU_ASSERT_PTR_NOT_NULL(strstr(diags, "E-token: a NUL byte inside a comment"));
  free(cut);
  /* too deep for the formatter (the parser accepts it) */
  size_t n = 1200;
  char *deep = malloc(4 * n + 64);
  CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
  strcpy(deep, "def f() = ");
  size_t k = strlen(deep);
  for (size_t i = 0; i < n; i++) deep[k++] = '(';
  deep[k++] = '1';
  for (size_t i = 0; i < n; i++) deep[k++] = ')';
  deep[k++] = '\n';
  deep[k] = 0;
  char *got = fmt(deep, k);
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT(nerrors > 0);
  free(got);
  free(deep);
  /* not as deep: fine */
  const char *ok = "def f() = ((((((((((1))))))))))\n";
  FMT(ok, ok);
  /* errors that need the schema or the whole pack do not stop formatting */
  FMT("rule r on nowhere { purple when nothing(1) }", "rule r on nowhere {\n  purple when nothing(1)\n}\n");
}

/* Every allocation of vg_format failing in turn: NULL and "out of memory",
** or the whole right result; never a crash or a leak (SAN=1 checks those). */
static void test_out_of_memory(void) {
  const char *src = "# c\nparam a = 1\nsource s { table t key k time d }\n"
                    "rule r on s { let x = 1  # t\n red when x > 1\n  or x < `q`\n}\ntest \"t\" { table t (a) { (1) } }\n";
  char *want = fmt(src, strlen(src));
  CU_ASSERT_PTR_NOT_NULL_FATAL(want);
  int failed = 0, ok = 0;
  for (long k = 0; k < 100000 && !ok; k++) {
    clear_diags();
    vg_mem_fail_after(k);
    char *got = vg_format("t.rules", src, strlen(src), on_diag, NULL);
    vg_mem_fail_after(-1);
    if (got) {
      CU_ASSERT_STRING_EQUAL(got, want);
      ok = 1;
    } else {
      CU_ASSERT_PTR_NOT_NULL(strstr(diags, "out of memory"));
      failed++;
    }
    free(got);
  }
  CU_ASSERT(ok);
  CU_ASSERT(failed > 5);
  free(want);
}

/* ---- the corpus ------------------------------------------------------------------------ */

static int spit(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(text, 1, len, f);
  return fclose(f) != 0 || w != len ? -1 : 0;
}

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

typedef struct names {
  char v[256][512];
  int n;
} names;

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

/* The entries of dir (not starting with '.'), sorted; dirs_only: folders,
** else .rules files. */
static names *list_dir(const char *dir, int dirs_only) {
  names *out = calloc(1, sizeof *out);
  if (!out) return NULL;
  DIR *d = opendir(dir);
  if (!d) return out;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && out->n < 256) {
    if (e->d_name[0] == '.') continue;
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(p, &st) != 0) continue;
    if (dirs_only ? !S_ISDIR(st.st_mode) : !(S_ISREG(st.st_mode) && has_suffix(e->d_name, ".rules"))) continue;
    snprintf(out->v[out->n++], sizeof out->v[0], "%s", e->d_name);
  }
  closedir(d);
  qsort(out->v, (size_t)out->n, sizeof out->v[0], cmp_name);
  return out;
}

/* A distortion of a file's text for the stress checks. */
typedef enum { AS_IS, SPACES_TO_BREAKS, COMMENT_EVERY_LINE } distortion;

static char *distort(const char *s, size_t n, distortion how, size_t *outlen) {
  char *o = malloc(n * 4 + 16);
  if (!o) return NULL;
  size_t k = 0;
  int str = 0, bq = 0, com = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (ch == '\n') {
      if (how == COMMENT_EVERY_LINE && !com) { memcpy(o + k, " #~", 3); k += 3; }
      str = bq = com = 0;
      o[k++] = ch;
      continue;
    }
    if (com) { o[k++] = ch; continue; }
    if (str) {
      o[k++] = ch;
      if (ch == '\\' && i + 1 < n && s[i + 1] != '\n') o[k++] = s[++i];
      else if (ch == '"') str = 0;
      continue;
    }
    if (bq) {
      o[k++] = ch;
      if (ch == '`') bq = 0;
      continue;
    }
    if (ch == '"') str = 1;
    else if (ch == '`') bq = 1;
    else if (ch == '#') com = 1;
    else if (ch == ' ' && how == SPACES_TO_BREAKS) ch = '\n';
    o[k++] = ch;
  }
  o[k] = 0;
  *outlen = k;
  return o;
}

/* The listing of path's program with the source positions taken out, and
** the diagnostics of the compile, in *listing and *diag_text (malloc'd). */
static vg_status compile_norm(const char *path, char **listing, char **diag_text) {
  clear_diags();
  vg_compile_opts o;
  memset(&o, 0, sizeof o);
  o.diag = on_diag;
  vg_program *p = NULL;
  vg_status st = vg_compile_path(path, &o, &p);
  /* messages may name the schema file ("the schema DIR/schema.sql has no
  ** table"): the folder is written DIR, so the two copies compare equal */
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  size_t dl = strlen(dir);
  if (dl > 6 && strcmp(dir + dl - 6, ".rules") == 0) {
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
  }
  dl = strlen(dir);
  *diag_text = malloc(3 * strlen(diags) + 1); /* DIR may be longer than a short folder name */
  if (*diag_text) {
    char *w = *diag_text;
    for (const char *r = diags; *r;) {
      if (dl && strncmp(r, dir, dl) == 0) { memcpy(w, "DIR", 3); w += 3; r += dl; }
      else *w++ = *r++;
    }
    *w = 0;
  }
  *listing = NULL;
  if (st != VG_OK || !p) return st;
  char *d = vg_disasm(p);
  vg_free_program(p);
  if (!d) return VG_ENOMEM;
  char *out = malloc(strlen(d) + 1);
  size_t k = 0;
  for (char *l = d; out && *l;) {
    char *e = strchr(l, '\n');
    size_t len = e ? (size_t)(e - l) + 1 : strlen(l);
    const char *end = l + len;
    if (strncmp(l, "file ", 5) == 0 || strncmp(l, "; ", 2) == 0) {
      l += len;
      continue;
    }
    /* rule I NAME on SOURCE fn F at FILE:LINE lookback N: without " at FILE:LINE" */
    const char *at = NULL, *lb = NULL;
    if (strncmp(l, "rule ", 5) == 0)
      for (const char *q = l; q + 10 <= end; q++) {
        if (strncmp(q, " at ", 4) == 0) at = q;
        if (strncmp(q, " lookback ", 10) == 0) lb = q;
      }
    if (at && lb && at < lb) {
      memcpy(out + k, l, (size_t)(at - l));
      k += (size_t)(at - l);
      memcpy(out + k, lb, (size_t)(end - lb));
      k += (size_t)(end - lb);
    } else {
      memcpy(out + k, l, len);
      k += len;
    }
    l += len;
  }
  if (out) out[k] = 0;
  free(d);
  *listing = out;
  return out ? VG_OK : VG_ENOMEM;
}

/* Records the tests' results (no file, line or time; an error's text names
** places, so only its outcome counts). */
static char tests_buf[65536];

static void on_test(void *ud, const vg_test_result *r) {
  (void)ud;
  char line[4096];
  snprintf(line, sizeof line, "%s|%s|%d|%d|%d|%s\n", r->pack ? r->pack : "", r->name ? r->name : "", (int)r->outcome,
           r->expectations, r->alerts, r->outcome == VG_TEST_FAIL && r->diff ? r->diff : "");
  app(tests_buf, sizeof tests_buf, line);
}

static void on_clause(void *ud, const vg_test_clause *c) {
  (void)ud;
  char line[512];
  snprintf(line, sizeof line, "clause %s %s %s %d\n", c->pack, c->rule, c->tier, c->covered);
  app(tests_buf, sizeof tests_buf, line);
}

static char *run_tests(const char *path) {
  tests_buf[0] = 0;
  clear_diags();
  vg_test_opts o;
  memset(&o, 0, sizeof o);
  o.diag = on_diag;
  o.result = on_test;
  o.clause = on_clause;
  vg_test_summary sum;
  memset(&sum, 0, sizeof sum);
  vg_status st = vg_test_path(path, &o, &sum);
  char head[128];
  snprintf(head, sizeof head, "status %d passed %d failed %d errors %d clauses %d covered %d\n", (int)st, sum.passed,
           sum.failed, sum.errors, sum.clauses, sum.covered);
  size_t n = strlen(head) + strlen(tests_buf) + 1;
  char *r = malloc(n);
  if (r) snprintf(r, n, "%s%s", head, tests_buf);
  return r;
}

static int files_checked, files_refused, units_compared;
static char tmp_root[256];

static int make_tmp(void) {
  if (tmp_root[0]) return 0;
  snprintf(tmp_root, sizeof tmp_root, "/tmp/vigil-fmt-test-XXXXXX");
  if (!mkdtemp(tmp_root)) {
    tmp_root[0] = 0;
    return -1;
  }
  return 0;
}

static void rm_tmp(void) {
  if (!tmp_root[0]) return;
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp_root);
  tmp_root[0] = 0;
}

/* Copies folder src's .rules files (distorted by how) into dst, and the
** same formatted into fdst, with schema.sql; returns the number of files
** that could not be formatted (refusals are checked in *bad). */
static int copy_unit(const char *src, const char *dst, const char *fdst, distortion how, int *bad) {
  names *fs = list_dir(src, 0);
  if (!fs) { CU_FAIL("out of memory"); return 0; }
  int refused = 0;
  mkdir(dst, 0700);
  mkdir(fdst, 0700);
  char p[1024], q[1024];
  snprintf(p, sizeof p, "%s/schema.sql", src);
  size_t len;
  char *schema = tu_slurp(p, &len);
  if (schema) {
    snprintf(q, sizeof q, "%s/schema.sql", dst);
    spit(q, schema, len);
    snprintf(q, sizeof q, "%s/schema.sql", fdst);
    spit(q, schema, len);
    free(schema);
  }
  for (int i = 0; i < fs->n; i++) {
    snprintf(p, sizeof p, "%s/%s", src, fs->v[i]);
    char *text = tu_slurp(p, &len);
    CU_ASSERT_PTR_NOT_NULL(text);
    if (!text) continue;
    size_t dl;
    char *d = distort(text, len, how, &dl);
    free(text);
    if (!d) continue;
    char *out = fmt(d, dl);
    if (!out) {
      /* only files that do not parse are refused */
      refused++;
      if (!strstr(src, "golden/errors") && how == AS_IS) {
        (*bad)++;
        fprintf(stderr, "\n  vg_format refused %s:\n%s", p, diags);
      }
      free(d);
      continue;
    }
    /* idempotence */
    size_t ol = strlen(out);
    char *again = fmt(out, ol);
    CU_ASSERT_PTR_NOT_NULL(again);
    if (!again || strcmp(again, out) != 0) {
      (*bad)++;
      fprintf(stderr, "\n  not idempotent (%s, distortion %d):\n%s\n  ---- then:\n%s\n", p, (int)how, out,
              again ? again : diags);
    }
    free(again);
    snprintf(q, sizeof q, "%s/%s", dst, fs->v[i]);
    spit(q, d, dl);
    snprintf(q, sizeof q, "%s/%s", fdst, fs->v[i]);
    spit(q, out, ol);
    free(out);
    free(d);
  }
  free(fs);
  return refused;
}

/* Compiles a and b (folders or files) and compares listings and diagnostics. */
static void compare_compiles(const char *a, const char *b, const char *what, int *bad) {
  char *la, *da, *lb, *db;
  vg_status sa = compile_norm(a, &la, &da);
  vg_status sb = compile_norm(b, &lb, &db);
  units_compared++;
  int same = sa == sb && ((!la && !lb) || (la && lb && strcmp(la, lb) == 0)) && da && db && strcmp(da, db) == 0;
  if (!same) {
    (*bad)++;
    fprintf(stderr, "\n  %s: the formatted text does not compile to the same program (status %d / %d)\n"
            "  ---- diagnostics before:\n%s  ---- after:\n%s", what, (int)sa, (int)sb, da ? da : "", db ? db : "");
    if (la && lb && strcmp(la, lb) != 0) {
      FILE *f = fopen("/tmp/vigil-fmt-before.txt", "w");
      if (f) { fputs(la, f); fclose(f); }
      f = fopen("/tmp/vigil-fmt-after.txt", "w");
      if (f) { fputs(lb, f); fclose(f); }
      fprintf(stderr, "  (listings in /tmp/vigil-fmt-before.txt and /tmp/vigil-fmt-after.txt)\n");
    }
  }
  free(la);
  free(lb);
  free(da);
  free(db);
}

/* Checks the files of a folder that stands alone: each file compiles the
** same formatted; a refused file must be one the compiler rejects too. */
static void check_files(const char *src, const char *dst, const char *fdst, const names *fs, distortion how, int *bad) {
  for (int i = 0; i < fs->n; i++) {
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s/%s", dst, fs->v[i]);
    snprintf(b, sizeof b, "%s/%s", fdst, fs->v[i]);
    if (access(b, R_OK) == 0) {
      compare_compiles(a, b, a, bad);
      continue;
    }
    if (how != AS_IS) continue; /* a distortion may break a file */
    char orig[1024];
    snprintf(orig, sizeof orig, "%s/%s", src, fs->v[i]);
    size_t len;
    char *text = tu_slurp(orig, &len);
    char *out = text ? fmt(text, len) : NULL;
    CU_ASSERT_PTR_NULL(out);
    CU_ASSERT(nerrors > 0);
    free(out);
    free(text);
    char *l, *d;
    vg_status st = compile_norm(orig, &l, &d);
    CU_ASSERT(st == VG_EINPUT);
    if (st != VG_EINPUT) {
      (*bad)++;
      fprintf(stderr, "\n  %s: vg_format refused a file that compiles\n", orig);
    }
    free(l);
    free(d);
  }
}

/* Checks one folder: a pack (a folder of examples/, with its tests/) is
** compiled and tested as a whole, other folders file by file. */
static void check_unit(const char *src, int is_pack, distortion how, int *bad) {
  static int seq;
  char dst[512], fdst[512], tsrc[1024], tdst[1024], tfdst[1024];
  snprintf(dst, sizeof dst, "%s/u%d", tmp_root, seq);
  snprintf(fdst, sizeof fdst, "%s/f%d", tmp_root, seq);
  seq++;
  snprintf(tsrc, sizeof tsrc, "%s/tests", src);
  names *fs = list_dir(src, 0), *ts = list_dir(tsrc, 0);
  if (!fs || !ts) {
    free(fs);
    free(ts);
    CU_FAIL("out of memory");
    return;
  }
  int refused = copy_unit(src, dst, fdst, how, bad);
  if (how == AS_IS) files_checked += fs->n;
  if (is_pack && ts->n) {
    snprintf(tdst, sizeof tdst, "%s/tests", dst);
    snprintf(tfdst, sizeof tfdst, "%s/tests", fdst);
    refused += copy_unit(tsrc, tdst, tfdst, how, bad);
    if (how == AS_IS) files_checked += ts->n;
  }
  if (how == AS_IS) files_refused += refused;
  if (!is_pack) {
    check_files(src, dst, fdst, fs, how, bad);
  } else if (!refused) { /* (a refusal in a pack was counted as bad by copy_unit) */
    compare_compiles(dst, fdst, src, bad);
    char *ra = run_tests(dst), *rb = run_tests(fdst);
    CU_ASSERT(ra && rb && strcmp(ra, rb) == 0);
    if (ra && rb && strcmp(ra, rb) != 0) {
      (*bad)++;
      fprintf(stderr, "\n  %s: the tests give other results once formatted:\n%s  ---- after:\n%s", src, ra, rb);
    }
    free(ra);
    free(rb);
  }
  free(fs);
  free(ts);
}

/* Every folder under dir that holds .rules files, recursively (a pack's
** tests/ folder is checked with its pack). */
static void walk(const char *dir, int in_examples, distortion how, int *bad) {
  names *fs = list_dir(dir, 0), *ds = list_dir(dir, 1);
  if (!fs || !ds) {
    free(fs);
    free(ds);
    CU_FAIL("out of memory");
    return;
  }
  if (fs->n) check_unit(dir, in_examples, how, bad);
  for (int i = 0; i < ds->n; i++) {
    if (fs->n && in_examples && strcmp(ds->v[i], "tests") == 0) continue; /* done with its pack */
    char sub[1024];
    snprintf(sub, sizeof sub, "%s/%s", dir, ds->v[i]);
    walk(sub, in_examples, how, bad);
  }
  free(fs);
  free(ds);
}

static void check_corpus(distortion how) {
  CU_ASSERT_FATAL(make_tmp() == 0);
  int bad = 0;
  char p[512];
  files_checked = files_refused = units_compared = 0;
  snprintf(p, sizeof p, "%s/examples", tu_root());
  walk(p, 1, how, &bad);
  snprintf(p, sizeof p, "%s/tests", tu_root());
  walk(p, 0, how, &bad);
  CU_ASSERT_EQUAL(bad, 0);
  if (how == AS_IS) {
    /* the corpus is there: three packs and the golden error files */
    CU_ASSERT(files_checked >= 40);
    CU_ASSERT(files_refused >= 1);
    CU_ASSERT(files_refused < files_checked);
  }
  CU_ASSERT(units_compared >= 3);
  rm_tmp();
}

static void test_corpus(void) { check_corpus(AS_IS); }
static void test_corpus_line_breaks(void) { check_corpus(SPACES_TO_BREAKS); }
static void test_corpus_comments(void) { check_corpus(COMMENT_EVERY_LINE); }

/* The examples are formatted (vigil fmt --check examples/ passes). */
static void test_examples_formatted(void) {
  char p[512];
  snprintf(p, sizeof p, "%s/examples", tu_root());
  names *packs = list_dir(p, 1);
  if (!packs) {
    CU_FAIL("out of memory");
    return;
  }
  CU_ASSERT(packs->n >= 3);
  for (int i = 0; i < packs->n; i++) {
    for (int t = 0; t < 2; t++) {
      char dir[1024];
      snprintf(dir, sizeof dir, "%s/%s%s", p, packs->v[i], t ? "/tests" : "");
      names *fs = list_dir(dir, 0);
      for (int k = 0; fs && k < fs->n; k++) {
        char f[1200];
        snprintf(f, sizeof f, "%s/%s", dir, fs->v[k]);
        size_t len;
        char *text = tu_slurp(f, &len);
        char *out = text ? fmt(text, len) : NULL;
        CU_ASSERT(out && strcmp(out, text) == 0);
        if (!out || strcmp(out, text) != 0) fprintf(stderr, "\n  %s is not formatted (run vigil fmt --write examples)\n", f);
        free(out);
        free(text);
      }
      free(fs);
    }
  }
  free(packs);
}

int unit_register_fmt(void) {
  CU_pSuite s = CU_add_suite("fmt", NULL, NULL);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "declarations and blank lines", test_declarations) ||
      !CU_add_test(s, "blocks and indentation", test_blocks) ||
      !CU_add_test(s, "org block and route lines", test_org_route) ||
      !CU_add_test(s, "one statement per line, ; removed", test_statements) ||
      !CU_add_test(s, "alignment of runs", test_alignment) ||
      !CU_add_test(s, "spaces", test_spacing) ||
      !CU_add_test(s, "values printed as written", test_values) ||
      !CU_add_test(s, "line breaks kept inside statements", test_line_breaks) ||
      !CU_add_test(s, "comments kept where they are", test_comments) ||
      !CU_add_test(s, "files with errors refused", test_refused) ||
      !CU_add_test(s, "out of memory", test_out_of_memory) ||
      !CU_add_test(s, "corpus: idempotent and same meaning", test_corpus) ||
      !CU_add_test(s, "corpus with every space a line break", test_corpus_line_breaks) ||
      !CU_add_test(s, "corpus with a comment on every line", test_corpus_comments) ||
      !CU_add_test(s, "examples are formatted", test_examples_formatted))
    return CU_get_error();
  return CUE_SUCCESS;
}
