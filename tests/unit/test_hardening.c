/*
** test_hardening.c — issue 7: limits, the database under stress, hostile
** names and hostile data.
**
**   Limits (core/limits.h, docs/LANGUAGE.md §14): each limit a user can
**   reach is tested at the limit (accepted) and one past it (an error with a
**   location, or a clear error; never a crash).  The inputs are generated in
**   memory (vg_compile_string) or in a temporary folder.
**
**   The database: a database locked by another writer (the run waits the busy
**   timeout, then fails with VG_EDB and records nothing); a read-only file
**   (fails before evaluating, records nothing); a full database (PRAGMA
**   max_page_count, set on Vigil's own connection by an SQLite auto-extension,
**   and a real write error from RLIMIT_FSIZE): the run rolls back, earlier
**   runs stay.  Killing a run at random moments is tests/crash/kill.sh.
**
**   Hostile names: tables and columns named with quotes, semicolons, spaces
**   and non-ASCII text, read through backquoted names by scans, index seeks,
**   lookups, backtests and recording; no other SQL runs.
**
**   Hostile data: wrong types, 1 MB strings, NaN and infinities, dates out of
**   range, a million rows for one key (docs/CLI.md §6.5, docs/LANGUAGE.md §11).
**
** Tests marked "Regression (fixed)" pinned a bug that has since been fixed;
** their comments say what used to happen.  Tests that could crash run in a
** child process, so a crash is a failed assertion.
*/
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "vigil.h"
#include "unit.h"
#include "harness.h"
#include "../../core/limits.h"

#if defined(__SANITIZE_ADDRESS__)
#define HD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HD_ASAN 1
#endif
#endif
#ifndef HD_ASAN
#define HD_ASAN 0
#endif

/* ---- a growing text buffer --------------------------------------------------- */

typedef struct hbuf {
  char *s;
  size_t len, cap;
} hbuf;

static void hb_grow(hbuf *b, size_t need) {
  if (b->len + need + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + need + 1) cap *= 2;
  char *ns = realloc(b->s, cap);
  if (!ns) {
    fprintf(stderr, "test_hardening: out of memory\n");
    abort();
  }
  b->s = ns;
  b->cap = cap;
}

static void hb_put(hbuf *b, const char *s, size_t n) {
  hb_grow(b, n);
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = 0;
}

static void hb_add(hbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hb_add(hbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  hb_grow(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static void hb_rep(hbuf *b, const char *piece, long n) {
  size_t k = strlen(piece);
  hb_grow(b, k * (size_t)n);
  for (long i = 0; i < n; i++) hb_put(b, piece, k);
}

static void hb_free(hbuf *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

/* ---- diagnostics ------------------------------------------------------------------ */

static char hd_diags[32768];
static int hd_ndiags;

/* "CODE FILE:LINE:COL: MESSAGE" lines (messages cut at 300 bytes). */
static void hd_diag(void *ud, const vg_diag *d) {
  (void)ud;
  hd_ndiags++;
  size_t n = strlen(hd_diags);
  if (n > sizeof hd_diags - 512) return;
  snprintf(hd_diags + n, sizeof hd_diags - n, "%s %s:%d:%d: %.300s\n", d->code ? d->code : "-", d->file ? d->file : "-",
           d->line, d->col, d->message ? d->message : "");
}

static void hd_clear(void) {
  hd_diags[0] = 0;
  hd_ndiags = 0;
}

static int hd_has(const char *text) {
  if (strstr(hd_diags, text)) return 1;
  fprintf(stderr, "\n  no diagnostic contains [%s]:\n%s", text, hd_diags);
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- compiling generated rules ------------------------------------------------- */

static const char *const SCHEMA = "CREATE TABLE t(k INTEGER, d DATE, x REAL);";

/* Compiles text (named t.rules) against schema (NULL: columns unchecked);
** the diagnostics into hd_diags.  Returns the status. */
static vg_status hd_compile(const char *text, size_t len, const char *schema) {
  hd_clear();
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = hd_diag;
  co.max_errors = 5;
  vg_program *p = NULL;
  vg_status st = vg_compile_string("t.rules", text, len, schema, &co, &p);
  vg_free_program(p);
  return st;
}

static vg_status hb_compile(const hbuf *b, const char *schema) { return hd_compile(b->s, b->len, schema); }

#define ACCEPTED(expr)                                                                    \
  do {                                                                                    \
    vg_status st_ = (expr);                                                               \
    CU_ASSERT_EQUAL(st_, VG_OK);                                                          \
    if (st_ != VG_OK) fprintf(stderr, "\n  line %d: not accepted:\n%s", __LINE__, hd_diags); \
  } while (0)

#define REJECTED(expr, text)                                                              \
  do {                                                                                    \
    vg_status st_ = (expr);                                                               \
    CU_ASSERT_EQUAL(st_, VG_EINPUT);                                                      \
    CU_ASSERT_TRUE(hd_has(text));                                                         \
  } while (0)

static void rule_head(hbuf *b) { hb_add(b, "source s { table t key k time d }\nrule r on s { red when "); }

/* ---- child processes --------------------------------------------------------- */

/* Runs fn in a child process, which writes its findings (a few KB at most)
** to the descriptor it gets; they come back in out.  Returns the child's
** wait status, or -1. */
static int in_child(void (*fn)(int fd), char *out, size_t cap) {
  int p[2];
  out[0] = 0;
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
    fn(p[1]);
    close(p[1]);
    _exit(0);
  }
  close(p[1]);
  size_t n = 0;
  ssize_t k;
  while (n + 1 < cap && (k = read(p[0], out + n, cap - 1 - n)) > 0) n += (size_t)k;
  out[n] = 0;
  close(p[0]);
  int st;
  if (waitpid(pid, &st, 0) < 0) return -1;
  return st;
}

static int exited_ok(int st) {
  if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0) return 1;
  if (st != -1 && WIFSIGNALED(st)) fprintf(stderr, "\n  the child process died of signal %d\n", WTERMSIG(st));
  else fprintf(stderr, "\n  the child process failed (wait status %d)\n", st);
  return 0;
}

/* ---- queries on the harness database ------------------------------------------ */

/* The first column of the first row as an integer; -1 when the query fails
** or gives no row. */
static long long q_int(const char *sql) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_open_v2(th_db_path(), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

/* The first column of the first row as text ("<none>" when none). */
static const char *q_text(const char *sql) {
  static char out[1024];
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  snprintf(out, sizeof out, "<none>");
  if (sqlite3_open_v2(th_db_path(), &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, sizeof out, "%s", t ? (const char *)t : "<null>");
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

/* Runs in recorded (not vigil_runs: 0). */
static long long recorded_runs(void) {
  if (q_int("SELECT count(*) FROM sqlite_master WHERE name = 'vigil_runs'") == 0) return 0;
  return q_int("SELECT count(*) FROM vigil_runs");
}

/* ======================================================================== */
/* Limits                                                                   */
/* ======================================================================== */

/* An expression whose tree is n + 2 high: n operators of one kind around x,
** then "> 1". */
static void nested(hbuf *b, const char *kind, long n) {
  rule_head(b);
  if (strcmp(kind, "+") == 0) {
    hb_add(b, "x");
    hb_rep(b, " + 1", n);
    hb_add(b, " > 1");
  } else if (strcmp(kind, "-") == 0) {
    hb_rep(b, "- ", n);
    hb_add(b, "x > 1");
  } else if (strcmp(kind, "not") == 0) {
    hb_rep(b, "not ", n);
    hb_add(b, "x > 1");
  } else {
    hb_rep(b, "abs(", n);
    hb_add(b, "x");
    hb_rep(b, ")", n);
    hb_add(b, " > 1");
  }
  hb_add(b, " }\n");
}

static const char *const depth_kinds[] = {"+", "-", "not", "abs"};

/* VG_MAX_DEPTH: operators, unary minus, not and calls nested to the limit
** are accepted; one more is E-limit on the rule's line. */
static void test_depth_limit(void) {
  for (size_t i = 0; i < sizeof depth_kinds / sizeof *depth_kinds; i++) {
    hbuf b = {0};
    nested(&b, depth_kinds[i], VG_MAX_DEPTH - 2);
    ACCEPTED(hb_compile(&b, SCHEMA));
    hb_free(&b);
    nested(&b, depth_kinds[i], VG_MAX_DEPTH - 1);
    REJECTED(hb_compile(&b, SCHEMA), "E-limit t.rules:2:");
    CU_ASSERT_TRUE(hd_has("nested deeper than 200 levels"));
    hb_free(&b);
  }
}

/* Far past the limit (10 and 25 times it) is still an E-limit error, not a
** stack overflow.  In a child process, so a crash fails the test.  (Nested
** calls, unary minus and not stop at bison's stack first: see
** test_parentheses_far_past_limit.) */
static long depth_far_n;
static const char *depth_far_kind;
static void depth_far_child(int fd) {
  hbuf b = {0};
  nested(&b, depth_far_kind, depth_far_n);
  vg_status st = hb_compile(&b, SCHEMA);
  dprintf(fd, "%d\n%s", (int)st, hd_diags);
  hb_free(&b);
}

static void test_depth_far_past_limit(void) {
  static const long ns[] = {2000, 5000};
  for (size_t i = 0; i < sizeof depth_kinds / sizeof *depth_kinds; i++)
    for (size_t j = 0; j < 2; j++) {
      char out[8192];
      depth_far_kind = depth_kinds[i];
      depth_far_n = ns[j];
      if (strcmp(depth_far_kind, "abs") == 0 && ns[j] > 2000) continue; /* bison's stack: memory exhausted */
      int st = in_child(depth_far_child, out, sizeof out);
      CU_ASSERT_TRUE(exited_ok(st));
      CU_ASSERT_EQUAL(atoi(out), VG_EINPUT);
      CU_ASSERT_PTR_NOT_NULL(strstr(out, "E-limit t.rules:2:"));
    }
}

/* Regression (fixed): a chain of 100 000 '+' (a 400 KB file) reports E-limit at 2:24
** and then crashes (SIGSEGV, a stack overflow): after the depth error the
** parser still builds the whole left-deep tree and sema's check() recurses
** through it (compiler/sema.c:631, 80 000 frames).  `vigil check` on such a
** file exits 139.  Expected: the E-limit error, status VG_EINPUT. */
static void test_depth_very_far_past_limit(void) {
  static const char *const kinds[] = {"+", "abs"};
  for (size_t i = 0; i < 2; i++) {
    char out[8192];
    depth_far_kind = kinds[i];
    depth_far_n = 100000;
    int st = in_child(depth_far_child, out, sizeof out);
    CU_ASSERT_TRUE(exited_ok(st));
    CU_ASSERT_EQUAL(atoi(out), VG_EINPUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "E-limit"));
  }
}

/* Parentheses count toward VG_MAX_DEPTH, as limits.h says: just under the
** limit is accepted; far too many is an error with a location, not a crash. */
static void test_parentheses(void) {
  hbuf b = {0};
  rule_head(&b);
  hb_rep(&b, "(", VG_MAX_DEPTH - 3);
  hb_add(&b, "x");
  hb_rep(&b, ")", VG_MAX_DEPTH - 3);
  hb_add(&b, " > 1 }\n");
  ACCEPTED(hb_compile(&b, SCHEMA));
  hb_free(&b);
  rule_head(&b);
  hb_rep(&b, "(", 100000);
  hb_add(&b, "x");
  hb_rep(&b, ")", 100000);
  hb_add(&b, " > 1 }\n");
  vg_status st = hb_compile(&b, SCHEMA);
  CU_ASSERT_NOT_EQUAL(st, VG_OK);
  CU_ASSERT_TRUE(hd_has(" t.rules:2:"));
  hb_free(&b);
}

/* Regression (fixed): 100 000 nested parentheses give "E-syntax t.rules:2:10012: memory
** exhausted" (bison's stack, YYMAXDEPTH 10000) and status VG_ENOMEM; `vigil
** check` adds "vigil: out of memory".  The same for 5000 nested calls
** (abs(abs(...))) and 10 000 unary minus or not.  Nothing ran out of
** memory: expected an E-limit error ("expression nested deeper than 200
** levels") and VG_EINPUT.  (limits.h also says parentheses count toward
** VG_MAX_DEPTH; 1000 of them are accepted.) */
static void test_parentheses_far_past_limit(void) {
  hbuf b = {0};
  rule_head(&b);
  hb_rep(&b, "(", 100000);
  hb_add(&b, "x");
  hb_rep(&b, ")", 100000);
  hb_add(&b, " > 1 }\n");
  REJECTED(hb_compile(&b, SCHEMA), "E-limit");
  CU_ASSERT_PTR_NULL(strstr(hd_diags, "memory exhausted"));
  hb_free(&b);
  static const struct { const char *kind; long n; } more[] = {{"abs", 5000}, {"-", 10000}, {"not", 10000}};
  for (size_t i = 0; i < 3; i++) {
    nested(&b, more[i].kind, more[i].n);
    REJECTED(hb_compile(&b, SCHEMA), "E-limit");
    CU_ASSERT_PTR_NULL(strstr(hd_diags, "memory exhausted"));
    hb_free(&b);
  }
}

/* lets a0 .. a16, a_k = a_(k-1) + a_(k-1): a_k inlines to 2^(k+1) - 1 nodes. */
static void doubling_lets(hbuf *b) {
  hb_add(b, "source s { table t key k time d }\nrule r on s {\n  let a0 = x\n");
  for (int k = 1; k <= 16; k++) hb_add(b, "  let a%d = a%d + a%d\n", k, k - 1, k - 1);
}

/* An expression of exactly n nodes once inlined. */
static void sized_expr(hbuf *b, long n) {
  if (n == 1) { hb_add(b, "x"); return; }
  if (n == 2) { hb_add(b, "-x"); return; }
  for (int k = 16; k >= 0; k--) {
    long rest = n - 1 - ((1L << (k + 1)) - 1);
    if (rest >= 1) {
      hb_add(b, "a%d + (", k);
      sized_expr(b, rest);
      hb_add(b, ")");
      return;
    }
  }
}

/* VG_MAX_INLINED: a condition of exactly 200 000 nodes once its lets are
** inlined is accepted, one node more is E-limit; so is a let chain nested
** 2000 deep once inlined (10 * VG_MAX_DEPTH), and one deeper. */
static void test_inlined_limit(void) {
  for (long extra = 0; extra <= 1; extra++) {
    hbuf b = {0};
    doubling_lets(&b);
    hb_add(&b, "  red when ");
    sized_expr(&b, VG_MAX_INLINED + extra - 2); /* "> 0" adds two nodes */
    hb_add(&b, " > 0\n}\n");
    if (extra == 0) ACCEPTED(hb_compile(&b, SCHEMA));
    else REJECTED(hb_compile(&b, SCHEMA), "E-limit t.rules:20:");
    if (extra) CU_ASSERT_TRUE(hd_has("too large once its lets and defs are inlined (over 200000 nodes)"));
    hb_free(&b);
  }
  for (int n = 10 * VG_MAX_DEPTH - 2; n <= 10 * VG_MAX_DEPTH - 1; n++) {
    hbuf b = {0};
    hb_add(&b, "source s { table t key k time d }\nrule r on s {\n  let b1 = x + 1\n");
    for (int k = 2; k <= n; k++) hb_add(&b, "  let b%d = b%d + 1\n", k, k - 1);
    hb_add(&b, "  red when b%d > 0\n}\n", n);
    if (n == 10 * VG_MAX_DEPTH - 2) ACCEPTED(hb_compile(&b, SCHEMA));
    else REJECTED(hb_compile(&b, SCHEMA), "nested too deeply once its lets and defs are inlined (over 2000 levels)");
    hb_free(&b);
  }
}

/* VG_MAX_STRING: string literals (counted after unescaping) and plain
** identifiers of 65 535 bytes are accepted, 65 536 is E-limit. */
static void test_string_limit(void) {
  for (long n = VG_MAX_STRING; n <= VG_MAX_STRING + 1; n++) {
    hbuf b = {0};
    rule_head(&b);
    hb_add(&b, "x > 0\n  message \"");
    hb_rep(&b, "a", n);
    hb_add(&b, "\" }\n");
    if (n == VG_MAX_STRING) ACCEPTED(hb_compile(&b, SCHEMA));
    else REJECTED(hb_compile(&b, SCHEMA), "E-limit t.rules:3:");
    hb_free(&b);

    rule_head(&b);
    hb_add(&b, "x > 0\n  message \"");
    hb_rep(&b, "\\\\", n); /* each \\ is one byte */
    hb_add(&b, "\" }\n");
    if (n == VG_MAX_STRING) ACCEPTED(hb_compile(&b, SCHEMA));
    else REJECTED(hb_compile(&b, SCHEMA), "string literal longer than 65535 bytes");
    hb_free(&b);

    rule_head(&b); /* no schema: the column is not checked */
    hb_rep(&b, "y", n);
    hb_add(&b, " > 0 }\n");
    if (n == VG_MAX_STRING) ACCEPTED(hb_compile(&b, NULL));
    else REJECTED(hb_compile(&b, NULL), "identifier longer than 65535 bytes");
    hb_free(&b);
  }
}

/* Regression (fixed): a backquoted name has no length limit: `yyy...` of 65 536 bytes (and
** of 1 000 000) is accepted as a column, table or rule name, compiled and
** saved.  grammar/lexer.l checks VG_MAX_STRING for plain identifiers only.
** Expected: E-limit "identifier longer than 65535 bytes", as for a plain
** identifier. */
static void test_quoted_name_limit(void) {
  hbuf b = {0};
  rule_head(&b);
  hb_add(&b, "`");
  hb_rep(&b, "y", VG_MAX_STRING);
  hb_add(&b, "` > 0 }\n");
  ACCEPTED(hb_compile(&b, NULL));
  hb_free(&b);
  rule_head(&b);
  hb_add(&b, "`");
  hb_rep(&b, "y", VG_MAX_STRING + 1);
  hb_add(&b, "` > 0 }\n");
  REJECTED(hb_compile(&b, NULL), "E-limit t.rules:2:");
  hb_free(&b);
}

/* Regression (fixed): a NUL byte inside a backquoted name or a string literal is
** accepted and silently cuts the text: `x<NUL>; DROP TABLE victim` reads
** column x, and message "abc<NUL>def" prints "abc".  (Outside them a NUL is
** E-token "unexpected control character 0x00".)  Expected: an error. */
static void test_nul_in_names(void) {
  static const char name[] = "source s { table t key k time d }\nrule r on s { red when `x\0; DROP TABLE victim` > 0 }\n";
  REJECTED(hd_compile(name, sizeof name - 1, SCHEMA), "t.rules:2:");
  static const char msg[] = "source s { table t key k time d }\nrule r on s { red when x > 0 message \"abc\0def\" }\n";
  REJECTED(hd_compile(msg, sizeof msg - 1, SCHEMA), "t.rules:2:");
  /* and in a comment (a fuzz finding: vigil fmt lost the rest of the file) */
  static const char com[] = "source s { table t key k time d } # a\0b\nrule r on s { red when x > 0 }\n";
  REJECTED(hd_compile(com, sizeof com - 1, SCHEMA), "t.rules:1:");
}

/* Fuzz finding (fuzz/regressions/run/for-1e308-snapshots.rules): the count
** of `for N snapshots` was cast to long before its range was checked, which
** is undefined for 1e308 (UBSan); the same in `route ... up N`.  Each is
** E-window / E-route now, at the number. */
static void test_huge_counts(void) {
  static const char f[] = "source s { table t key k time d }\nrule r on s { red when x > 0 for 1e308 snapshots }\n";
  REJECTED(hd_compile(f, sizeof f - 1, SCHEMA), "E-window t.rules:2:");
  static const char r[] = "route red up 1e308\n";
  REJECTED(hd_compile(r, sizeof r - 1, SCHEMA), "E-route t.rules:1:");
}

/* A temporary folder of the suite's own (for files and packs). */
static char hd_dir[256];

static const char *hd_tmp(void) {
  if (!hd_dir[0]) {
    snprintf(hd_dir, sizeof hd_dir, "/tmp/vigil-hardening-XXXXXX");
    if (!mkdtemp(hd_dir)) hd_dir[0] = 0;
  }
  return hd_dir;
}

static int write_file(const char *path, const char *text, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int ok = fwrite(text, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static vg_status compile_path(const char *path) {
  hd_clear();
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = hd_diag;
  vg_program *p = NULL;
  vg_status st = vg_compile_path(path, &co, &p);
  vg_free_program(p);
  return st;
}

/* A rules text of exactly n bytes: a rule, then comment lines. */
static void sized_file(hbuf *b, size_t n) {
  hb_add(b, "source s { table t key k time d }\nrule r on s { red when x > 0 }\n");
  while (b->len + 100 <= n) hb_add(b, "# %096d\n", 0);
  hb_rep(b, "#", (long)(n - b->len - 1));
  hb_add(b, "\n");
}

/* VG_MAX_FILE_SIZE: a 16 MiB file is accepted, one byte more is an error,
** both from memory and from a file. */
static void test_file_size_limit(void) {
  hbuf b = {0};
  sized_file(&b, VG_MAX_FILE_SIZE);
  CU_ASSERT_EQUAL_FATAL(b.len, VG_MAX_FILE_SIZE);
  ACCEPTED(hb_compile(&b, SCHEMA));
  char path[512];
  snprintf(path, sizeof path, "%s/big.rules", hd_tmp());
  CU_ASSERT_EQUAL_FATAL(write_file(path, b.s, b.len), 0);
  ACCEPTED(compile_path(path));
  hb_put(&b, "\n", 1);
  REJECTED(hb_compile(&b, SCHEMA), "file too large (16777217 bytes; at most 16777216)");
  CU_ASSERT_EQUAL_FATAL(write_file(path, b.s, b.len), 0);
  CU_ASSERT_EQUAL(compile_path(path), VG_EIO); /* compile.c: a file that cannot be read whole */
  CU_ASSERT_TRUE(hd_has("big.rules: file too large (at most 16777216 bytes)"));
  remove(path);
  hb_free(&b);
}

/* VG_MAX_FILES: a pack folder of 256 .rules files compiles; 257 is an error. */
static void test_files_limit(void) {
  char dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/pack", hd_tmp());
  CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
  for (int i = 1; i <= VG_MAX_FILES + 1; i++) {
    char text[200];
    int n = snprintf(text, sizeof text, "source s%d { table t key k time d }\nrule r%d on s%d { red when x > %d }\n", i, i, i, i);
    snprintf(path, sizeof path, "%s/f%03d.rules", dir, i);
    if (i <= VG_MAX_FILES) CU_ASSERT_EQUAL(write_file(path, text, (size_t)n), 0);
  }
  ACCEPTED(compile_path(dir));
  snprintf(path, sizeof path, "%s/f%03d.rules", dir, VG_MAX_FILES + 1);
  CU_ASSERT_EQUAL(write_file(path, "rule extra on s1 { red when x > 0 }\n", 36), 0);
  REJECTED(compile_path(dir), "too many files in one pack (at most 256)");
  for (int i = 1; i <= VG_MAX_FILES + 1; i++) {
    snprintf(path, sizeof path, "%s/f%03d.rules", dir, i);
    remove(path);
  }
  rmdir(dir);
}

/* VG_MAX_WINDOW: 10 000 rows or days in every window form; 10 001 is
** E-window, located on the window. */
static void test_window_limit_compile(void) {
  static const struct {
    const char *fmt;
    int at_limit; /* the N at the limit */
    const char *col; /* where the error is */
  } forms[] = {
    {"sum(x, last %d snapshots) > 0", VG_MAX_WINDOW, "E-window t.rules:2:31"},
    {"sum(x, last %d days) > 0", VG_MAX_WINDOW, "E-window t.rules:2:31"},
    {"sum(x, last %d weeks) > 0", VG_MAX_WINDOW / 7, "E-window t.rules:2:31"},
    {"x > 0 for %d snapshots", VG_MAX_WINDOW, "E-window t.rules:2:34"},
    {"prev(x, %d) > 0", VG_MAX_WINDOW, "E-window t.rules:2:32"},
  };
  for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
    for (int extra = 0; extra <= 1; extra++) {
      hbuf b = {0};
      rule_head(&b);
      hb_add(&b, forms[i].fmt, forms[i].at_limit + extra);
      hb_add(&b, " }\n");
      if (!extra) ACCEPTED(hb_compile(&b, SCHEMA));
      else REJECTED(hb_compile(&b, SCHEMA), forms[i].col);
      hb_free(&b);
    }
}

/* Windows at the limit, run over a key with 10 001 rows (x is 0 on the
** first, 1 after): the window holds exactly 10 000 rows, `for 10000` fires,
** prev(x, 10000) is the first row; with index seeks and with a scan. */
static void test_window_limit_run(void) {
  const char *sql =
    "CREATE TABLE t(k INTEGER, d DATE, x REAL); CREATE INDEX t_kd ON t(k, d);"
    "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 10000)"
    " INSERT INTO t SELECT 1, date('2000-01-01', '+' || i || ' days'), i > 0 FROM c;"
    "INSERT INTO t VALUES (2, '2027-05-19', 1);";
  const char *rules =
    "source s { table t key k time d }\n"
    "rule w on s {\n"
    "  red when sum(x, last 10000 snapshots) = 10000 and prev(x, 10000) = 0\n"
    "  message \"{count(true, last 10000 snapshots)} {prev(d, 10000)} {prev(x, 9999)} {count(true, last 10000 days)}\"\n"
    "}\n"
    "rule f on s { orange when x = 1 for 10000 snapshots }\n"
    "rule g on s { yellow when x = 1 for 10000 snapshots message \"{prev(d, 10000)}\" }\n";
  for (int seek = 0; seek <= 1; seek++) {
    th_no_seek = !seek;
    CU_ASSERT_EQUAL(th_run_on(sql, rules, "2027-05-19"), 0);
    CU_ASSERT_TRUE(th_alerts_are(1, "w 1 red 10000 2000-01-01 1 10000\n"
                                    "f 1 orange -\n"
                                    "g 1 yellow 2000-01-01\n"));
  }
  th_no_seek = 0;
}

/* VG_MAX_LIST: 1000 values in an in list, arguments of a call, parts of a
** message; 1001 is E-limit. */
static void test_list_limit(void) {
  for (int n = VG_MAX_LIST; n <= VG_MAX_LIST + 1; n++) {
    hbuf b = {0};
    rule_head(&b);
    hb_add(&b, "x in (0");
    for (int i = 1; i < n; i++) hb_add(&b, ", %d", i);
    hb_add(&b, ") }\n");
    if (n == VG_MAX_LIST) ACCEPTED(hb_compile(&b, SCHEMA));
    else REJECTED(hb_compile(&b, SCHEMA), "too many values in an 'in' list (at most 1000)");
    hb_free(&b);

    rule_head(&b);
    hb_add(&b, "coalesce(x");
    hb_rep(&b, ", x", n - 1);
    hb_add(&b, ") > 0 }\n");
    if (n == VG_MAX_LIST) ACCEPTED(hb_compile(&b, SCHEMA));
    else REJECTED(hb_compile(&b, SCHEMA), "too many arguments (1001; at most 1000)");
    hb_free(&b);

    rule_head(&b);
    hb_add(&b, "x > 0 message \"");
    hb_rep(&b, "{x}", n);
    hb_add(&b, "\" }\n");
    if (n == VG_MAX_LIST) ACCEPTED(hb_compile(&b, SCHEMA));
    else REJECTED(hb_compile(&b, SCHEMA), "E-limit t.rules:2:");
    hb_free(&b);
  }
}

/* VG_MAX_ITEMS past the limit: 65 536 rules, or params, is an error (fast). */
static void test_items_past_limit(void) {
  hbuf b = {0};
  hb_add(&b, "source s { table t key k time d }\n");
  for (long i = 0; i <= VG_MAX_ITEMS; i++) hb_add(&b, "rule r%ld on s { red when x > %ld }\n", i, i);
  REJECTED(hb_compile(&b, SCHEMA), "too many declarations in one pack (at most 65535 of each kind)");
  hb_free(&b);
  for (long i = 0; i <= VG_MAX_ITEMS; i++) hb_add(&b, "param p%ld = %ld\n", i, i);
  hb_add(&b, "source s { table t key k time d }\nrule r on s { red when x > p0 }\n");
  REJECTED(hb_compile(&b, SCHEMA), "too many declarations in one pack (at most 65535 of each kind)");
  hb_free(&b);
}

/* VG_MAX_ITEMS at the limit: 65 535 rules compile, in about 0.5 s.  It
** used to take 20-50 s and ran only with VIGIL_SLOW_TESTS=1: the checker
** looked for a duplicate rule name by walking the rules before it (quadratic;
** a hash since 060f128, on core/map.h now).  Compile time is linear in the
** number of rules, params, defs and tiers; a return to quadratic shows here
** as a make test that is a minute slower. */
static void test_items_at_limit(void) {
  hbuf b = {0};
  hb_add(&b, "source s { table t key k time d }\n");
  for (long i = 0; i < VG_MAX_ITEMS; i++) hb_add(&b, "rule r%ld on s { red when x > %ld }\n", i, i);
  ACCEPTED(hb_compile(&b, SCHEMA));
  hb_free(&b);
}

/* Regression (fixed): 65 536 tiers are not caught by the VG_MAX_ITEMS check (which
** counts params, defs, sources and rules): the tier count wraps to 0 in the
** 16-bit field and the compile ends, after ~14 s, with "internal error: the
** compiled program does not verify: no tiers: a program needs at least one".
** Expected: an E-limit error on the tiers line ("too many tiers (at most
** 65535)"). */
static void test_tiers_past_limit(void) {
  hbuf b = {0};
  hb_add(&b, "tiers t0");
  for (long i = 1; i <= VG_MAX_ITEMS; i++) hb_add(&b, ", t%ld", i);
  hb_add(&b, "\nsource s { table t key k time d }\nrule r on s { t0 when x > 0 }\n");
  REJECTED(hb_compile(&b, SCHEMA), "E-limit t.rules:1:");
  CU_ASSERT_PTR_NULL(strstr(hd_diags, "internal error"));
  hb_free(&b);
}

static void nested_sums(hbuf *b, int n) {
  hb_add(b, "source s { table t key k time d }\nrule r on s { red when ");
  hb_rep(b, "sum(", n);
  hb_add(b, "x");
  hb_rep(b, ", last 2 snapshots)", n);
  hb_add(b, " > 0 }\n");
}

/* VM_MAX_DEPTH: window functions nested 63 deep run; 64 fail the run with
** a clear message, and nothing is recorded. */
static void test_window_nesting_run(void) {
  const char *sql = "CREATE TABLE t(k INTEGER, d DATE, x REAL); INSERT INTO t VALUES (1, '2025-01-01', 1), (1, '2025-01-02', 1);";
  hbuf b = {0};
  nested_sums(&b, VM_MAX_DEPTH - 1);
  CU_ASSERT_EQUAL(th_run_full(sql, b.s, "2025-01-10", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 1);
  hb_free(&b);
  nested_sums(&b, VM_MAX_DEPTH);
  CU_ASSERT_EQUAL(th_run_full(sql, b.s, "2025-01-10", 0, 0), VG_EINPUT);
  CU_ASSERT_TRUE(th_diag_has("rule r, key 1: window functions are nested too deeply"));
  CU_ASSERT_TRUE(th_diag_has(" [E-eval]\n"));
  CU_ASSERT_EQUAL(th_nalerts, 0);
  CU_ASSERT_EQUAL(recorded_runs(), 0);
  hb_free(&b);
}

/* VM_STEP_BUDGET: a window inside a window, 10 000 x 10 000 rows, runs out
** of steps: the run fails with a clear message and records nothing. */
static void test_step_budget(void) {
  const char *sql =
    "CREATE TABLE t(k INTEGER, d DATE, x REAL);"
    "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 9999)"
    " INSERT INTO t SELECT 1, date('2000-01-01', '+' || i || ' days'), 1 FROM c;";
  const char *rules =
    "source s { table t key k time d }\n"
    "rule r on s { red when sum(sum(x, last 10000 snapshots), last 10000 snapshots) > 0 }\n";
  double t0 = now_s();
  CU_ASSERT_EQUAL(th_run_full(sql, rules, "2030-01-01", 0, 0), VG_EINPUT);
  CU_ASSERT_TRUE(th_diag_has("rule r, key 1: the evaluation took too many steps (the step budget ran out)"));
  CU_ASSERT_EQUAL(recorded_runs(), 0);
  CU_ASSERT_TRUE(now_s() - t0 < 60);
}

/* Regression (fixed): schema SQL (a pack's schema.sql, --schema FILE, the schema_sql of
** vg_compile_string; vigil test runs it too) is executed whole with
** sqlite3_exec in an in-memory database (compiler/schema.c, tools/test.c),
** so it can ATTACH a file and write it: `vigil check` of an untrusted pack
** creates or changes any SQLite file the user can write (the nightly
** database included).  Expected: only CREATE statements in the private
** database (e.g. an authorizer that denies SQLITE_ATTACH, or
** sqlite3_limit(SQLITE_LIMIT_ATTACHED, 0)), an error for the rest, and no
** file written. */
static void test_schema_sql_attach(void) {
  char path[512], schema[1400];
  snprintf(path, sizeof path, "%s/attached.db", hd_tmp());
  remove(path);
  snprintf(schema, sizeof schema,
           "CREATE TABLE t(k INTEGER, d DATE, x REAL); ATTACH '%s' AS o;"
           " CREATE TABLE o.pwned(a); INSERT INTO o.pwned VALUES ('written by a schema');", path);
  static const char rules[] = "source s { table t key k time d }\nrule r on s { red when x > 0 }\n";
  CU_ASSERT_NOT_EQUAL(hd_compile(rules, sizeof rules - 1, schema), VG_OK);
  CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
  remove(path);
}

/* Regression (fixed): schema SQL runs without a time bound: a recursive CTE that never
** ends makes `vigil check` (and compile, test) hang forever.  Expected: an
** error (e.g. a progress handler, or only CREATE statements accepted).  The
** child gets 10 s. */
static void endless_schema_child(int fd) {
  alarm(10);
  static const char rules[] = "source s { table t key k time d }\nrule r on s { red when x > 0 }\n";
  vg_status st = hd_compile(rules, sizeof rules - 1,
                            "CREATE TABLE t(k INTEGER, d DATE, x REAL);"
                            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c;");
  dprintf(fd, "%d\n%s", (int)st, hd_diags);
}

static void test_schema_sql_endless(void) {
  char out[8192];
  int st = in_child(endless_schema_child, out, sizeof out);
  CU_ASSERT_TRUE(exited_ok(st));
  CU_ASSERT_EQUAL(atoi(out), VG_EINPUT);
}

/* ======================================================================== */
/* The database                                                             */
/* ======================================================================== */

static const char *const SIMPLE_SQL =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL, note TEXT);"
  "INSERT INTO t VALUES (1, '2025-01-01', 5, 'a'), (2, '2025-01-01', 7, 'b'), (3, '2025-01-15', 9, 'c');";
static const char *const SIMPLE_RULES =
  "source s { table t key k time d }\nrule r on s { red when x > 1 message \"{x} {note}\" }\n";

/* Another connection holds a write transaction (BEGIN IMMEDIATE): a
** recording run waits the busy timeout (5 s), then fails with VG_EDB and a
** message saying the database is locked, and records nothing.  A dry run
** meanwhile reads the committed data at once. */
static void test_locked_database(void) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(SIMPLE_SQL), 0);
  vg_program *p = th_compile("t.rules", SIMPLE_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-10", 0, 0), VG_OK);
  sqlite3 *other = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(th_db_path(), &other), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO t VALUES (4, '2025-01-02', 100, 'd');", NULL, NULL, NULL),
                  SQLITE_OK);
  th_clear_diags();
  double t0 = now_s();
  int st = th_run(&p, 1, "2025-01-20", 0, 0);
  double waited = now_s() - t0;
  CU_ASSERT_EQUAL(st, VG_EDB);
  CU_ASSERT_TRUE(th_diag_has("database is locked"));
  CU_ASSERT_EQUAL(th_nalerts, 0);
  CU_ASSERT_TRUE(waited >= 4.5 && waited < 15);
  if (!(waited >= 4.5 && waited < 15)) fprintf(stderr, "\n  the locked run returned after %.2f s\n", waited);
  /* a dry run reads while the other writer holds its RESERVED lock */
  th_clear_diags();
  t0 = now_s();
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-20", 1, 0), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 3); /* key 4 is not committed */
  CU_ASSERT_TRUE(now_s() - t0 < 2);
  sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close(other);
  CU_ASSERT_EQUAL(recorded_runs(), 1);
  CU_ASSERT_STRING_EQUAL(q_text("SELECT as_of || ' ' || alerts FROM vigil_runs"), "2025-01-10 2");
  CU_ASSERT_EQUAL(q_int("SELECT count(*) FROM vigil_alerts"), 2);
  vg_free_program(p);
}

/* A program with a rule on table ghost, which the database lacks: a run
** that evaluates reports the missing table; one that stops before
** evaluating does not. */
static vg_program *ghost_program(void) {
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = hd_diag;
  const char *schema = "CREATE TABLE t(k INTEGER, d DATE, x REAL, note TEXT); CREATE TABLE ghost(k INTEGER, d DATE, x REAL);";
  const char *rules = "source s { table t key k time d }\nsource g { table ghost key k time d }\n"
                      "rule r on s { red when x > 1 }\nrule q on g { red when x > 1 }\n";
  vg_program *p = NULL;
  hd_clear();
  if (vg_compile_string("ghost.rules", rules, strlen(rules), schema, &co, &p) != VG_OK) {
    fprintf(stderr, "\n  ghost.rules does not compile:\n%s", hd_diags);
    return NULL;
  }
  return p;
}

static vg_program *child_prog;
static int child_alerts;
static int count_alert(void *ud, const vg_alert *a) {
  (void)ud;
  (void)a;
  child_alerts++;
  return 0;
}

/* In the child: drop root (root writes read-only files), run child_prog
** recording, and write "STATUS ALERTS\nDIAGNOSTICS". */
static void unprivileged_run_child(int fd) {
  if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)) {
    dprintf(fd, "skip");
    return;
  }
  hd_clear();
  child_alerts = 0;
  vg_run_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.db_path = th_db_path();
  ro.as_of = "2025-01-20";
  ro.diag = hd_diag;
  ro.alert = count_alert;
  vg_status st = vg_run((const vg_program *const *)&child_prog, 1, &ro);
  dprintf(fd, "%d %d\n%s", (int)st, child_alerts, hd_diags);
}

/* The harness folder, made searchable for the unprivileged child. */
static void folder_of_db(char *dir, size_t cap) {
  snprintf(dir, cap, "%s", th_db_path());
  char *slash = strrchr(dir, '/');
  if (slash) *slash = 0;
}

/* A read-only database file (chmod 0444) with a recording run: VG_EDB, a
** message that says the database is read-only, before evaluating anything
** (the missing table ghost is not reported), and nothing recorded. */
static void test_readonly_database(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(SIMPLE_SQL), 0);
  child_prog = ghost_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(child_prog);
  char dir[512], out[8192];
  folder_of_db(dir, sizeof dir);
  CU_ASSERT_EQUAL(chmod(th_db_path(), 0444), 0);
  CU_ASSERT_EQUAL(chmod(dir, 0755), 0);
  int st = in_child(unprivileged_run_child, out, sizeof out);
  chmod(dir, 0700);
  chmod(th_db_path(), 0644);
  CU_ASSERT_TRUE(exited_ok(st));
  if (strcmp(out, "skip") == 0) {
    fprintf(stderr, "(cannot drop root: skipped) ");
  } else {
    CU_ASSERT_EQUAL(atoi(out), VG_EDB);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "the database is read-only, and a run records its alerts in it"));
    CU_ASSERT_PTR_NULL(strstr(out, "ghost"));
    if (!strstr(out, "read-only") || strstr(out, "ghost")) fprintf(stderr, "\n  child: %s\n", out);
  }
  CU_ASSERT_EQUAL(recorded_runs(), 0);
  vg_free_program(child_prog);
  child_prog = NULL;
}

/* A database file that can be written in a folder that cannot (so no
** rollback journal can be made): the recording run fails with VG_EDB
** ("attempt to write a readonly database", when it starts recording) and
** records nothing; the data is intact. */
static void test_readonly_folder(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(SIMPLE_SQL), 0);
  th_clear_diags();
  child_prog = th_compile("t.rules", SIMPLE_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(child_prog);
  char dir[512], out[8192];
  folder_of_db(dir, sizeof dir);
  CU_ASSERT_EQUAL(chmod(th_db_path(), 0666), 0);
  CU_ASSERT_EQUAL(chmod(dir, 0555), 0);
  int st = in_child(unprivileged_run_child, out, sizeof out);
  chmod(dir, 0700);
  chmod(th_db_path(), 0644);
  CU_ASSERT_TRUE(exited_ok(st));
  if (strcmp(out, "skip") == 0) {
    fprintf(stderr, "(cannot drop root: skipped) ");
  } else {
    CU_ASSERT_EQUAL(atoi(out), VG_EDB);
    CU_ASSERT_EQUAL(atoi(strchr(out, ' ') ? strchr(out, ' ') + 1 : "-1"), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "t.db: a run records its alerts, and the database cannot be written"));
    if (atoi(out) != VG_EDB || !strstr(out, "readonly")) fprintf(stderr, "\n  child: %s\n", out);
  }
  CU_ASSERT_EQUAL(recorded_runs(), 0);
  CU_ASSERT_STRING_EQUAL(q_text("PRAGMA integrity_check"), "ok");
  CU_ASSERT_EQUAL(q_int("SELECT count(*) FROM t"), 3);
  vg_free_program(child_prog);
  child_prog = NULL;
}

/* Regression (fixed): in a folder that cannot be written, the recording run evaluates
** every rule first and fails only when it writes ("unable to open database
** file" from the journal), or with the evaluation's own error: here the
** missing table ghost, VG_EINPUT.  sqlite3_db_readonly() is 0 for a file
** that can be written, so run.c's read-only check does not see it.
** Expected (issue 7: "a read-only database with run fails before
** evaluating"): VG_EDB with a message that the database cannot be written,
** before evaluating.  (Writing something at BEGIN, e.g. creating the
** recording tables, would find it.) */
static void test_readonly_folder_before_evaluating(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(SIMPLE_SQL), 0);
  child_prog = ghost_program();
  CU_ASSERT_PTR_NOT_NULL_FATAL(child_prog);
  char dir[512], out[8192];
  folder_of_db(dir, sizeof dir);
  CU_ASSERT_EQUAL(chmod(th_db_path(), 0666), 0);
  CU_ASSERT_EQUAL(chmod(dir, 0555), 0);
  int st = in_child(unprivileged_run_child, out, sizeof out);
  chmod(dir, 0700);
  chmod(th_db_path(), 0644);
  CU_ASSERT_TRUE(exited_ok(st));
  if (strcmp(out, "skip") != 0) {
    CU_ASSERT_EQUAL(atoi(out), VG_EDB);
    CU_ASSERT_PTR_NULL(strstr(out, "ghost"));
    fprintf(stderr, "\n  child: %s\n", out);
  }
  vg_free_program(child_prog);
  child_prog = NULL;
}

/* PRAGMA max_page_count belongs to a connection: it is not stored in the
** file, and setting it on a second connection does nothing to Vigil's.  An
** auto-extension runs it on every connection the process opens, Vigil's
** included. */
static int hd_max_pages;
static int limit_pages(sqlite3 *db, char **err, const struct sqlite3_api_routines *api) {
  (void)err;
  (void)api;
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d", hd_max_pages);
  sqlite3_exec(db, sql, NULL, NULL, NULL);
  return SQLITE_OK;
}

/* 200 keys; three of them have a row by 2025-01-15, the rest from
** 2025-02-01, each with a 2000-byte note the message prints. */
static const char *const FULL_RULES =
  "source s { table t key k time d }\nrule r on s { red when x > 0 message \"{x} {note}\" }\n";
static const char *const FULL_SQL =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL, note TEXT);"
  "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200)"
  " INSERT INTO t SELECT i, CASE WHEN i <= 3 THEN '2025-01-01' ELSE '2025-02-01' END, i, printf('%.*c', 2000, 'n') FROM c;";

/* The database is full (no page may be added): a recording run that needs
** more room rolls back with a clear error; the earlier run is intact; once
** there is room, the run works. */
static void test_full_database(void) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(FULL_SQL), 0);
  vg_program *p = th_compile("t.rules", FULL_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-01-15", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 3);
  long long pages = q_int("PRAGMA page_count");
  hd_max_pages = 1; /* below the file's size: SQLite keeps the current size */
  CU_ASSERT_EQUAL_FATAL(sqlite3_auto_extension((void (*)(void))limit_pages), SQLITE_OK);
  th_clear_diags();
  int st = th_run(&p, 1, "2025-02-15", 0, 0);
  int st_again = th_run(&p, 1, "2025-02-15", 0, 0);
  sqlite3_cancel_auto_extension((void (*)(void))limit_pages);
  CU_ASSERT_EQUAL(st, VG_EDB);
  CU_ASSERT_EQUAL(st_again, VG_EDB);
  CU_ASSERT_TRUE(th_diag_has("the database cannot be written: database or disk is full"));
  CU_ASSERT_EQUAL(th_nalerts, 0);
  CU_ASSERT_EQUAL(q_int("PRAGMA page_count"), pages);
  CU_ASSERT_STRING_EQUAL(q_text("PRAGMA integrity_check"), "ok");
  CU_ASSERT_STRING_EQUAL(q_text("SELECT group_concat(as_of || ' ' || alerts) FROM vigil_runs"), "2025-01-15 3");
  CU_ASSERT_EQUAL(q_int("SELECT count(*) FROM vigil_alerts"), 3);
  th_clear_diags();
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-02-15", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 200);
  CU_ASSERT_EQUAL(q_int("SELECT count(*) FROM vigil_alerts"), 203);
  vg_free_program(p);
}

/* In the child: the file size limit is the database's size, so writing
** past it fails (EFBIG) as a full disk would; write "STATUS\nDIAGNOSTICS". */
static void fsize_child(int fd) {
  struct stat sb;
  signal(SIGXFSZ, SIG_IGN);
  if (stat(th_db_path(), &sb) != 0) {
    dprintf(fd, "no stat");
    return;
  }
  struct rlimit rl = {(rlim_t)sb.st_size, (rlim_t)sb.st_size};
  if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
    dprintf(fd, "no setrlimit");
    return;
  }
  hd_clear();
  child_alerts = 0;
  vg_run_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.db_path = th_db_path();
  ro.as_of = "2025-02-15";
  ro.diag = hd_diag;
  ro.alert = count_alert;
  vg_status st = vg_run((const vg_program *const *)&child_prog, 1, &ro);
  dprintf(fd, "%d %d\n%s", (int)st, child_alerts, hd_diags);
}

/* The same with a real write error: the file cannot grow (RLIMIT_FSIZE;
** SIGXFSZ ignored, so write() fails with EFBIG).  SQLite reports it at
** COMMIT as "disk I/O error"; the run rolls back and earlier runs stay. */
static void test_write_error(void) {
  th_clear_diags();
  CU_ASSERT_EQUAL_FATAL(th_make_db(FULL_SQL), 0);
  child_prog = th_compile("t.rules", FULL_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(child_prog);
  CU_ASSERT_EQUAL(th_run(&child_prog, 1, "2025-01-15", 0, 0), VG_OK);
  char out[8192];
  int st = in_child(fsize_child, out, sizeof out);
  CU_ASSERT_TRUE(exited_ok(st));
  CU_ASSERT_EQUAL(atoi(out), VG_EDB);
  CU_ASSERT_PTR_NOT_NULL(strstr(out, "t.db: disk I/O error")); /* at COMMIT */
  if (atoi(out) != VG_EDB || !strstr(out, "disk I/O error")) fprintf(stderr, "\n  child: %s\n", out);
  CU_ASSERT_STRING_EQUAL(q_text("PRAGMA integrity_check"), "ok");
  CU_ASSERT_STRING_EQUAL(q_text("SELECT group_concat(as_of || ' ' || alerts) FROM vigil_runs"), "2025-01-15 3");
  CU_ASSERT_EQUAL(q_int("SELECT count(*) FROM vigil_alerts"), 3);
  vg_free_program(child_prog);
  child_prog = NULL;
}

/* ======================================================================== */
/* Hostile names                                                            */
/* ======================================================================== */

static const char *const HOSTILE_SQL =
  "CREATE TABLE victim (v INTEGER); INSERT INTO victim VALUES (42);"
  "CREATE TABLE \"a\"\"b; DROP TABLE victim; --\" (\"x; DROP TABLE victim; --\" INTEGER, \"my col\" DATE,"
  " \"回款率\" REAL, \"q\"\"uo`te'\" TEXT, \"]) --\" REAL, \"*/ SELECT 1; /*\" TEXT);"
  "CREATE INDEX hostile_idx ON \"a\"\"b; DROP TABLE victim; --\" (\"x; DROP TABLE victim; --\", \"my col\");"
  "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 98)"
  " INSERT INTO \"a\"\"b; DROP TABLE victim; --\" SELECT i % 3, date('2025-01-01', '+' || (i / 3) || ' days'),"
  " (i % 10) / 10.0, 'note ' || i, i % 9 != 0, 'c' || i FROM c;"
  "CREATE TABLE \"目标 `x`\" (\"销售代表\" INTEGER, \"日期\" DATE, \"金额\" REAL);"
  "INSERT INTO \"目标 `x`\" VALUES (0, '2025-01-01', 100), (1, '2025-01-01', 200), (2, '2025-01-01', 300);";

static const char *const HOSTILE_RULES =
  "pack `p\"; DROP TABLE victim; --`\n"
  "source s {\n"
  "  table `a\"b; DROP TABLE victim; --`\n"
  "  key `x; DROP TABLE victim; --`\n"
  "  time `my col`\n"
  "  where `]) --` = 1\n"
  "}\n"
  "source goal { table `目标 ``x``` key `销售代表` time `日期` }\n"
  "rule `r\"; DROP TABLE victim; --` on s {\n"
  "  let who = `q\"uo``te'`\n"
  "  red when avg(`回款率`, last 3 snapshots) >= 0 and prev(`回款率`) >= 0 and `*/ SELECT 1; /*` is not null\n"
  "  message \"{`回款率`:pct} {goal.`金额`} {`my col`} {who}\"\n"
  "  notify who\n"
  "}\n";

static int victim_intact(void) {
  return q_int("SELECT count(*) FROM victim WHERE v = 42") == 1 && q_int("SELECT count(*) FROM victim") == 1;
}

/* Names with quotes, semicolons, comment markers, spaces, backquotes and
** Chinese text are read correctly by index seeks, a scan, lookups and a
** backtest, recorded verbatim, and no other SQL runs: the table victim is
** there, unchanged, and the schema has only Vigil's own tables added. */
static void test_hostile_names(void) {
  const char *want = "r\"; DROP TABLE victim; -- 0 red 60% 100 2025-02-02 note 96\n"
                     "r\"; DROP TABLE victim; -- 1 red 70% 200 2025-02-02 note 97\n"
                     "r\"; DROP TABLE victim; -- 2 red 80% 300 2025-02-02 note 98\n";
  for (int seek = 0; seek <= 1; seek++) {
    th_no_seek = !seek;
    CU_ASSERT_EQUAL(th_run_full(HOSTILE_SQL, HOSTILE_RULES, "2025-06-01", 0, 0), VG_OK);
    CU_ASSERT_TRUE(th_alerts_are(1, want));
    CU_ASSERT_STRING_EQUAL(th_alerts[0].recipient, "note 96");
    CU_ASSERT_STRING_EQUAL(th_alerts[0].pack, "p\"; DROP TABLE victim; --");
    CU_ASSERT_TRUE(victim_intact());
    CU_ASSERT_EQUAL(q_int("SELECT count(*) FROM sqlite_master"), 9); /* 3 tables and hostile_idx, 5 of Vigil's */
    CU_ASSERT_STRING_EQUAL(q_text("SELECT pack FROM vigil_runs"), "p\"; DROP TABLE victim; --");
    CU_ASSERT_STRING_EQUAL(q_text("SELECT rule FROM vigil_alerts ORDER BY key LIMIT 1"), "r\"; DROP TABLE victim; --");
    CU_ASSERT_EQUAL(q_int("SELECT rows_read FROM vigil_runs") < 99, seek); /* seeks read the last rows only */
  }
  th_no_seek = 0;

  /* a backtest at the days the table has rows for reads the hostile time column too */
  vg_program *p = th_compile("t.rules", HOSTILE_RULES, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db_path = th_db_path();
  bo.from = "2025-01-01";
  bo.to = "2025-03-01";
  bo.at_snapshots = 1;
  bo.record = 1;
  hd_clear();
  bo.diag = hd_diag;
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &bo), VG_OK);
  /* every day from 2025-01-02 (the first with a prev) to 2025-02-02 */
  CU_ASSERT_STRING_EQUAL(q_text("SELECT count(DISTINCT as_of) || ' ' || min(as_of) || ' ' || max(as_of) FROM vigil_backtest"),
                         "32 2025-01-02 2025-02-02");
  CU_ASSERT_TRUE(victim_intact());
  vg_free_program(p);

  /* check against the database: every hostile name is found */
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.db_path = th_db_path();
  co.diag = hd_diag;
  hd_clear();
  p = NULL;
  ACCEPTED(vg_compile_string("t.rules", HOSTILE_RULES, strlen(HOSTILE_RULES), NULL, &co, &p));
  vg_free_program(p);
}

/* A name that is not in the database is an error naming it; the SQL never
** runs with it. */
static void test_hostile_unknown_names(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(HOSTILE_SQL), 0);
  const char *unknown = "source s { table `victim\"; DROP TABLE victim; --` key k time d }\n"
                        "rule r on s { red when true }\n";
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = hd_diag;
  co.db_path = th_db_path();
  vg_program *p = NULL;
  hd_clear();
  REJECTED(vg_compile_string("t.rules", unknown, strlen(unknown), NULL, &co, &p),
           "E-unknown-table t.rules:1:18: the database ");
  CU_ASSERT_TRUE(hd_has(" has no table 'victim\"; DROP TABLE victim; --'"));
  vg_free_program(p);
  CU_ASSERT_TRUE(victim_intact());
  /* compiled without a schema, the run finds the table missing */
  hd_clear();
  co.db_path = NULL;
  const char *rules = "source s { table `victim\"; DROP TABLE victim; --` key `v\"; DROP TABLE victim; --` time `v` }\n"
                      "rule r on s { red when true }\n";
  p = NULL;
  ACCEPTED(vg_compile_string("t.rules", rules, strlen(rules), NULL, &co, &p));
  if (p) {
    th_clear_diags();
    CU_ASSERT_EQUAL(th_run(&p, 1, "2025-06-01", 0, 0), VG_EINPUT);
    CU_ASSERT_TRUE(th_diag_has("victim\"; DROP TABLE victim; --"));
    CU_ASSERT_TRUE(victim_intact());
    CU_ASSERT_EQUAL(recorded_runs(), 0);
    vg_free_program(p);
  }
}

/* ======================================================================== */
/* Hostile data                                                             */
/* ======================================================================== */

/* Values of the wrong type read as null and are reported; rows whose key
** or time cannot be read are skipped; --strict fails and records nothing. */
static void test_wrong_types(void) {
  const char *sql =
    "CREATE TABLE t (k INTEGER, d DATE, x REAL, due DATE, note TEXT, dyn);"
    "INSERT INTO t VALUES"
    " (1, '2025-01-01', 'n/a', '2025-02-01', 'ok', 1),"
    " (2, '2025-01-01', x'00ff', 20250101, 42, 'text'),"
    " ('abc', '2025-01-01', 1, '2025-02-01', 'ok', 2.5),"
    " (3, 20250101, 1, NULL, 'ok', NULL),"
    " (4, '2025-01-01', 2.5, 'soon', 3.25, x'41'),"
    " (5, '2025-01-01', '', '', '', '');";
  const char *rules = "source s { table t key k time d }\n"
                      "rule r on s { red when true message \"{x} {due} {note} {dyn}\" }\n";
  CU_ASSERT_EQUAL(th_run_full(sql, rules, "2025-03-01", 0, 0), VG_OK);
  CU_ASSERT_TRUE(th_alerts_are(0, "1 red null 2025-02-01 ok 1\n"
                                  "2 red null null 42 text\n"
                                  "4 red 2.5 null 3.25 A\n"
                                  "5 red null null  \n"));
  CU_ASSERT_TRUE(th_diag_has("column x: 3 value(s) that are not numbers in a number column, read as null (e.g. key 1)"));
  CU_ASSERT_TRUE(th_diag_has("column due: 3 unreadable date(s), read as null (e.g. key 2)"));
  CU_ASSERT_TRUE(th_diag_has("column d: 1 row(s) with an unreadable time, skipped (e.g. key 3)"));
  CU_ASSERT_TRUE(th_diag_has("column k: 1 "));
  CU_ASSERT_STRING_EQUAL(q_text("SELECT status FROM vigil_runs"), "warnings");
  CU_ASSERT_EQUAL(th_run_full(sql, rules, "2025-03-01", 0, 1), VG_EINPUT);
  CU_ASSERT_TRUE(th_diag_has("the data has problems (listed above); nothing is recorded"));
  CU_ASSERT_EQUAL(recorded_runs(), 0);
}

/* Text in an INTEGER key column: the row is skipped and reported as such,
** with the text as the example (docs/LANGUAGE.md §11.4). */
static void test_text_key_report(void) {
  const char *sql = "CREATE TABLE t (k INTEGER, d DATE, x REAL); INSERT INTO t VALUES ('abc', '2025-01-01', 1), (1, '2025-01-01', 1);";
  CU_ASSERT_EQUAL(th_run_on(sql, "source s { table t key k time d }\nrule r on s { red when true }\n", "2025-03-01"), 0);
  CU_ASSERT_TRUE(th_diag_has("column k: 1 row(s) whose key cannot be read as its column's type, skipped (e.g. key abc)"));
}

/* 1 MB text: in a TEXT column it reaches the message, the recipient and the
** recorded alert whole; as a key it is the alert's key whole; in a number
** or date column it reads as null with a warning; a 1 MB number text is
** turned into a REAL (infinity) by SQLite's affinity. */
static void test_huge_strings(void) {
  const char *sql =
    "CREATE TABLE t(k TEXT, d DATE, x REAL, note TEXT, due DATE);"
    "INSERT INTO t VALUES"
    " ('a', '2025-01-01', 1, printf('%.*c', 1000000, 'n'), '2025-01-01'),"
    " (printf('%.*c', 1000000, 'K'), '2025-01-01', 2, 'short', '2025-01-01'),"
    " ('c', '2025-01-01', printf('%.*c', 1000000, 'z'), 'x', printf('%.*c', 1000000, '2')),"
    " ('d', '2025-01-01', printf('%.*c', 1000000, '9'), 'y', NULL);";
  const char *rules = "source s { table t key k time d }\n"
                      "rule r on s { red when true message \"<{note}> {x} {due} {length(note)}\" notify note }\n";
  CU_ASSERT_EQUAL(th_run_full(sql, rules, "2025-03-01", 0, 0), VG_OK);
  CU_ASSERT_EQUAL(th_nalerts, 4);
  CU_ASSERT_EQUAL(q_int("SELECT length(message) FROM vigil_alerts WHERE key = 'a'"), 1000000 + 23);
  CU_ASSERT_EQUAL(q_int("SELECT length(recipient) FROM vigil_alerts WHERE key = 'a'"), 1000000);
  CU_ASSERT_EQUAL(q_int("SELECT count(*) FROM vigil_alerts WHERE key = printf('%.*c', 1000000, 'K')"), 1);
  CU_ASSERT_STRING_EQUAL(q_text("SELECT message FROM vigil_alerts WHERE key = 'c'"), "<x> null null 1");
  CU_ASSERT_STRING_EQUAL(q_text("SELECT message FROM vigil_alerts WHERE key = 'd'"), "<y> inf null 1");
  CU_ASSERT_TRUE(th_diag_has("column x: 1 value(s) that are not numbers in a number column, read as null (e.g. key c)"));
  CU_ASSERT_TRUE(th_diag_has("column due: 1 unreadable date(s), read as null (e.g. key c)"));
}

/* NaN bound into a REAL column is stored as NULL by SQLite (read as null,
** no warning); 9e999 and -9e999 are stored as infinities and read as inf and
** -inf; arithmetic on them gives nan, which compares with nothing. */
static void test_nan_and_infinity(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db("CREATE TABLE t(k INTEGER, d DATE, x REAL);"
                                   "INSERT INTO t VALUES (1, '2025-01-01', 9e999), (2, '2025-01-01', -9e999);"),
                        0);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(th_db_path(), &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_prepare_v2(db, "INSERT INTO t VALUES (3, '2025-01-01', ?1)", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_double(st, 1, nan(""));
  CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
  CU_ASSERT_STRING_EQUAL(q_text("SELECT typeof(x) FROM t WHERE k = 3"), "null");
  th_clear_diags();
  vg_program *p = th_compile("t.rules",
                             "source s { table t key k time d }\n"
                             "rule r on s {\n"
                             "  red when x > 0 or x < 0 or x is null\n"
                             "  message \"{x} {x:pct} {x:2} {x - x} {-x} {x - x > 0} {x - x = x - x} {sum(x, last 2 snapshots)}\"\n"
                             "  notify x\n"
                             "}\n",
                             NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "2025-02-01", 0, 0), VG_OK);
  CU_ASSERT_TRUE(th_alerts_are(0, "1 red inf inf% inf nan -inf null null inf\n"
                                  "2 red -inf -inf% -inf nan inf null null -inf\n"
                                  "3 red null null null null null null null null\n"));
  CU_ASSERT_STRING_EQUAL(th_alerts[0].recipient, "inf");
  CU_ASSERT_EQUAL(th_alerts[2].has_recipient, 0);
  CU_ASSERT_PTR_NULL(strstr(th_diags, "warning"));
  vg_free_program(p);
}

/* Dates out of range: a time of 0000-01-01 or 10000-01-01 is unreadable
** (the row is skipped), the same in another date column reads as null; date
** arithmetic past 9999-12-31 or before 0001-01-01 gives null; as_of out of
** range is a usage error. */
static void test_dates_out_of_range(void) {
  const char *sql =
    "CREATE TABLE t (k INTEGER, d DATE, due DATE);"
    "INSERT INTO t VALUES"
    " (1, '2025-01-01', '0000-01-01'), (2, '2025-01-01', '10000-01-01'), (3, '0000-01-01', NULL),"
    " (4, '10000-01-01', NULL), (5, '9999-12-31', '9999-12-31'), (6, '0001-01-01', '0001-01-01'),"
    " (7, '-0001-01-01', '+2025-01-01');";
  const char *rules = "source s { table t key k time d }\n"
                      "rule r on s { red when true message \"{d} {due} {due + 1 day} {due - 1 day} {d - 2025-01-01}\" }\n";
  CU_ASSERT_EQUAL(th_run_full(sql, rules, "9999-12-31", 0, 0), VG_OK);
  CU_ASSERT_TRUE(th_alerts_are(0, "1 red 2025-01-01 null null null 0 days\n"
                                  "2 red 2025-01-01 null null null 0 days\n"
                                  "5 red 9999-12-31 9999-12-31 null 9999-12-30 2912807 days\n"
                                  "6 red 0001-01-01 0001-01-01 0001-01-02 null -739251 days\n"));
  CU_ASSERT_TRUE(th_diag_has("column d: 3 row(s) with an unreadable time, skipped (e.g. key 3)"));
  CU_ASSERT_TRUE(th_diag_has("column due: 3 unreadable date(s), read as null (e.g. key 1)"));
  th_clear_diags();
  vg_program *p = th_compile("t.rules", rules, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(th_run(&p, 1, "10000-01-01", 1, 0), VG_EUSAGE);
  CU_ASSERT_EQUAL(th_run(&p, 1, "0000-01-01", 1, 0), VG_EUSAGE);
  CU_ASSERT_TRUE(th_diag_has("as_of 0000-01-01: not a date"));
  vg_free_program(p);
}

/* One key with a million rows: in a child process (its peak memory is its
** own) run rule RULES, and write "STATUS ALERTS KB\nMESSAGE". */
static const char *million_rules;
static int million_scan;
static void million_child(int fd) {
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  th_clear_diags();
  vg_program *p = th_compile("t.rules", million_rules, NULL);
  if (!p) {
    dprintf(fd, "-1 0 0\n%s", th_diags);
    return;
  }
  th_no_seek = million_scan;
  int st = th_run(&p, 1, "9999-12-31", 1, 0);
  getrusage(RUSAGE_SELF, &after);
  dprintf(fd, "%d %d %ld\n%s", st, th_nalerts, after.ru_maxrss - before.ru_maxrss, th_nalerts ? th_alerts[0].message : th_diags);
  vg_free_program(p);
}

/* A bounded window holds only its rows: the run's memory does not grow with
** the key's million rows (with index seeks, it reads a few rows); streak
** holds the key's history (docs/CLI.md §6.5) and finishes. */
static void test_million_rows_one_key(void) {
  CU_ASSERT_EQUAL_FATAL(
    th_make_db("CREATE TABLE t(k INTEGER, d DATE, x REAL, y REAL); CREATE INDEX t_kd ON t(k, d);"
               "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 999999)"
               " INSERT INTO t SELECT 1, date('1800-01-01', '+' || i || ' days'), 1, i % 7 FROM c;"
               "INSERT INTO t VALUES (2, '2025-01-01', 1, 0);"),
    0);
  static const struct {
    const char *rules;
    int scan;
    const char *message;
    long max_kb; /* peak memory growth allowed (twice that under ASan) */
  } runs[] = {
    {"source s { table t key k time d }\n"
     "rule bounded on s { red when sum(x, last 30 snapshots) = 30 message \"{sum(x, last 30 snapshots)} {prev(y, 5)} {y}\" }\n",
     0, "30 2 0", 16 * 1024}, /* measured: 2.4 MB (5.5 MB under ASan) */
    {"source s { table t key k time d }\n"
     "rule bounded on s { red when sum(x, last 30 snapshots) = 30 message \"{sum(x, last 30 snapshots)} {prev(y, 5)} {y}\" }\n",
     1, "30 2 0", 16 * 1024},
    {"source s { table t key k time d }\n"
     "rule streaky on s { red when streak(x = 1) > 2 message \"{streak(x = 1)}\" }\n",
     1, "1000000", 512 * 1024}, /* measured: 133 MB (198 MB under ASan) */
  };
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    char out[8192];
    million_rules = runs[i].rules;
    million_scan = runs[i].scan;
    double t0 = now_s();
    int st = in_child(million_child, out, sizeof out);
    double secs = now_s() - t0;
    CU_ASSERT_TRUE(exited_ok(st));
    int status = -1, nalerts = -1;
    long kb = -1;
    CU_ASSERT_EQUAL(sscanf(out, "%d %d %ld", &status, &nalerts, &kb), 3);
    CU_ASSERT_EQUAL(status, VG_OK);
    CU_ASSERT_EQUAL(nalerts, 1);
    const char *msg = strchr(out, '\n');
    CU_ASSERT_TRUE(msg && strcmp(msg + 1, runs[i].message) == 0);
    long max_kb = runs[i].max_kb * (HD_ASAN ? 2 : 1);
    CU_ASSERT_TRUE(kb < max_kb);
    if (status != VG_OK || nalerts != 1 || !msg || strcmp(msg + 1, runs[i].message) != 0 || kb >= max_kb)
      fprintf(stderr, "\n  run %zu: %.500s (%.1f s, %ld KB)\n", i, out, secs, kb);
  }
}

/* ======================================================================== */

static int cleanup(void) {
  if (hd_dir[0]) {
    char path[512];
    snprintf(path, sizeof path, "%s/big.rules", hd_dir);
    remove(path);
    snprintf(path, sizeof path, "%s/pack", hd_dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/attached.db", hd_dir);
    remove(path);
    rmdir(hd_dir);
    hd_dir[0] = 0;
  }
  th_no_seek = 0;
  return th_cleanup();
}

typedef struct hd_test {
  const char *name;
  void (*fn)(void);
} hd_test;

int unit_register_hardening(void) {
  static const hd_test tests[] = {
    {"limit: expression depth at and past VG_MAX_DEPTH", test_depth_limit},
    {"limit: expression depth far past the limit (child)", test_depth_far_past_limit},
    {"limit: deep parentheses", test_parentheses},
    {"limit: inlined size and depth (VG_MAX_INLINED)", test_inlined_limit},
    {"limit: string and identifier length (VG_MAX_STRING)", test_string_limit},
    {"limit: file size (VG_MAX_FILE_SIZE)", test_file_size_limit},
    {"limit: files per pack (VG_MAX_FILES)", test_files_limit},
    {"limit: windows (VG_MAX_WINDOW), compile", test_window_limit_compile},
    {"limit: windows of 10000 rows, run", test_window_limit_run},
    {"limit: lists (VG_MAX_LIST)", test_list_limit},
    {"limit: rules and params past VG_MAX_ITEMS", test_items_past_limit},
    {"limit: 65535 rules", test_items_at_limit},
    {"limit: window nesting at run time (VM_MAX_DEPTH)", test_window_nesting_run},
    {"limit: step budget (VM_STEP_BUDGET)", test_step_budget},
    {"database: locked by another writer", test_locked_database},
    {"database: read-only file", test_readonly_database},
    {"database: read-only folder", test_readonly_folder},
    {"database: full (max_page_count)", test_full_database},
    {"database: write error (RLIMIT_FSIZE)", test_write_error},
    {"hostile names: quotes, semicolons, spaces, non-ASCII", test_hostile_names},
    {"hostile names: unknown hostile names", test_hostile_unknown_names},
    {"hostile data: wrong types", test_wrong_types},
    {"hostile data: 1 MB strings", test_huge_strings},
    {"hostile data: NaN and infinities", test_nan_and_infinity},
    {"hostile data: dates out of range", test_dates_out_of_range},
    {"hostile data: a million rows for one key", test_million_rows_one_key},
    /* regressions: each of these failed before the fix named in its comment */
    {"regression: depth 100000 is E-limit, not a stack overflow", test_depth_very_far_past_limit},
    {"regression: 100000 parentheses are E-limit, not out of memory", test_parentheses_far_past_limit},
    {"regression: backquoted name length limit", test_quoted_name_limit},
    {"regression: NUL in a backquoted name or string", test_nul_in_names},
    {"regression: for 1e308 snapshots, route up 1e308", test_huge_counts},
    {"regression: 65536 tiers", test_tiers_past_limit},
    {"regression: read-only folder found before evaluating", test_readonly_folder_before_evaluating},
    {"regression: text in an INTEGER key reported as such", test_text_key_report},
    {"regression: schema SQL cannot ATTACH or write files", test_schema_sql_attach},
    {"regression: schema SQL has a time bound", test_schema_sql_endless},
  };
  CU_pSuite s = CU_add_suite("hardening: limits, database, hostile names and data", NULL, cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
    CU_pTest t = CU_add_test(s, tests[i].name, tests[i].fn);
    if (!t) return (int)CU_get_error();
  }
  return CUE_SUCCESS;
}
