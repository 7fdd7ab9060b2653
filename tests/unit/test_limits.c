/*
** test_limits.c — issue 11: every compile resource bounded before it is
** spent (items 2, 11 and 18, and the class behind them).
**
**   Inlining: defs that double at each step (f0 .. f40, 1.2 KB) were checked
**   each on its own after the limit and ate gigabytes; a def's size is now
**   measured before its body is copied, and so are the nodes the checker
**   builds (VG_MAX_CHECK_NODES), the nesting of its recursion (a stack
**   overflow under ASan before) and the chain of calls between defs (65 535
**   defs in a chain hung before).
**   Lets: 100 000 lets in one rule were quadratic (120 s, 240 s); lets are
**   now found by hash, limited per rule (VG_MAX_LETS), and checking stops at
**   the first limit.
**   Number literals: read whole (they were cut at 63 characters), and one
**   that does not fit in a double is E-number, not an infinity.
**   Arguments and parameters of defs: VG_MAX_LIST applies to them too.
**   The code generator: stack depth, functions and bytes of code are counted
**   as they grow (VM_MAX_STACK, VG_MAX_ITEMS, VG_MAX_CODE) and refused with a
**   located E-limit, never by the verifier as E-internal; the verifier's own
**   out-of-memory is VG_ENOMEM.
**   A pack of many tiers and many rules no longer allocates rules x tiers.
**   Stopping: after an E-limit nothing more is reported (cc_limit), so each
**   limit is exactly one diagnostic, whatever follows it in the input.
**
** The inputs are generated in memory (vg_compile_string).  Tests of inputs
** that used to take minutes or gigabytes run in a child process with an
** alarm and (outside ASan, which maps terabytes of shadow memory) an
** RLIMIT_AS of 512 MiB, so a regression fails an assertion instead of
** eating the machine; they assert the status, the one diagnostic and its
** place, never a time.
*/
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "vigil.h"
#include "unit.h"
#include "../../core/limits.h"
#include "../../core/mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define LM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LM_ASAN 1
#endif
#endif
#ifndef LM_ASAN
#define LM_ASAN 0
#endif

/* ---- a growing text buffer --------------------------------------------------- */

typedef struct lbuf {
  char *s;
  size_t len, cap;
} lbuf;

static void lb_grow(lbuf *b, size_t need) {
  if (b->len + need + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + need + 1) cap *= 2;
  char *ns = realloc(b->s, cap);
  if (!ns) {
    fprintf(stderr, "test_limits: out of memory\n");
    abort();
  }
  b->s = ns;
  b->cap = cap;
}

static void lb_add(lbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lb_add(lbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  lb_grow(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

static void lb_rep(lbuf *b, const char *piece, long n) {
  size_t k = strlen(piece);
  lb_grow(b, k * (size_t)n);
  for (long i = 0; i < n; i++) {
    memcpy(b->s + b->len, piece, k);
    b->len += k;
  }
  b->s[b->len] = 0;
}

static void lb_free(lbuf *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

/* Lines so far + 1: the line the next text goes on. */
static int lb_line(const lbuf *b) {
  int n = 1;
  for (size_t i = 0; i < b->len; i++) n += b->s[i] == '\n';
  return n;
}

/* ---- diagnostics: every one, warnings and notes included -------------------- */

static char lm_diags[65536];
static int lm_ndiags;

/* "SEVERITY CODE FILE:LINE:COL: MESSAGE" lines (messages cut at 300 bytes). */
static void lm_diag(void *ud, const vg_diag *d) {
  (void)ud;
  lm_ndiags++;
  size_t n = strlen(lm_diags);
  if (n > sizeof lm_diags - 512) return;
  static const char *const sev[] = {"error", "warning", "note"};
  snprintf(lm_diags + n, sizeof lm_diags - n, "%s %s %s:%d:%d: %.300s\n",
           d->severity <= VG_NOTE ? sev[d->severity] : "?", d->code ? d->code : "-", d->file ? d->file : "-", d->line,
           d->col, d->message ? d->message : "");
}

static void lm_clear(void) {
  lm_diags[0] = 0;
  lm_ndiags = 0;
}

static const char *const SCHEMA = "CREATE TABLE t(k INTEGER, d DATE, x REAL);";
static const char *const SRC = "source s { table t key k time d }\n";

/* Compiles text (named t.rules) against SCHEMA, without warnings; the
** diagnostics into lm_diags.  *out (when out is not NULL) gets the program. */
static vg_status lm_compile_p(const char *text, size_t len, vg_program **out) {
  lm_clear();
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = lm_diag;
  co.max_errors = 50;
  vg_program *p = NULL;
  vg_status st = vg_compile_string("t.rules", text, len, SCHEMA, &co, &p);
  if (out) *out = p;
  else vg_free_program(p);
  return st;
}

static vg_status lm_compile(const lbuf *b) { return lm_compile_p(b->s, b->len, NULL); }

/* 1 when the compilation gave exactly one diagnostic, an E-limit error at
** `at` ("t.rules:L:C") containing msg; otherwise prints them and returns 0. */
static int only_limit(const char *diags, int ndiags, const char *at, const char *msg) {
  char want[128];
  snprintf(want, sizeof want, "error E-limit %s: ", at);
  if (ndiags == 1 && strncmp(diags, want, strlen(want)) == 0 && strstr(diags, msg)) return 1;
  fprintf(stderr, "\n  expected only [%s...%s], got %d:\n%s", want, msg, ndiags, diags);
  return 0;
}

#define ONLY_LIMIT(st, at, msg)                                       \
  do {                                                                \
    CU_ASSERT_EQUAL((st), VG_EINPUT);                                 \
    CU_ASSERT_TRUE(only_limit(lm_diags, lm_ndiags, (at), (msg)));     \
  } while (0)

#define COMPILES(st)                                                                       \
  do {                                                                                     \
    vg_status st_ = (st);                                                                  \
    CU_ASSERT_EQUAL(st_, VG_OK);                                                           \
    if (st_ != VG_OK) fprintf(stderr, "\n  line %d: does not compile:\n%s", __LINE__, lm_diags); \
  } while (0)

/* ---- child processes ---------------------------------------------------------- */

typedef struct child_out {
  int status;     /* vg_status the child's compile returned, -1: none */
  int ndiags;
  char diags[16384];
  long max_rss_kb;
  int ok;         /* the child exited normally */
} child_out;

static const lbuf *child_text;

/* In the child: compile child_text and write "STATUS NDIAGS\nDIAGS". */
static void child_compile(int fd) {
  vg_status st = lm_compile(child_text);
  dprintf(fd, "%d %d\n%s", (int)st, lm_ndiags, lm_diags);
}

/* The resident memory of this process in KiB (0 when unknown). */
static long self_rss_kb(void) {
  long pages = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  fclose(f);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Runs fn in a child process with an alarm of `seconds` and (outside ASan)
** an address-space limit of 512 MiB; what fn writes to its descriptor
** ("STATUS NDIAGS\nDIAGS") and the child's peak memory in *o: the peak
** less what was resident when it started, the pages it shares with this
** process (which has grown by then with every suite run before, under
** ASan by hundreds of MB), so that only what fn itself uses is measured. */
static void in_child_fn(void (*fn)(int fd), unsigned seconds, child_out *o) {
  memset(o, 0, sizeof *o);
  o->status = -1;
  int p[2];
  if (pipe(p) != 0) return;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return;
  }
  if (pid == 0) {
    close(p[0]);
    dprintf(p[1], "%ld\n", self_rss_kb());
    alarm(LM_ASAN ? 3 * seconds : seconds); /* a guard against a hang, not a timing: ASan is slower */
    if (!LM_ASAN) {
      struct rlimit rl = {512ul << 20, 512ul << 20};
      setrlimit(RLIMIT_AS, &rl);
    }
    fn(p[1]);
    close(p[1]);
    _exit(0);
  }
  close(p[1]);
  char buf[sizeof o->diags + 64];
  size_t n = 0;
  ssize_t k;
  while (n + 1 < sizeof buf && (k = read(p[0], buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)k;
  buf[n] = 0;
  close(p[0]);
  int ws;
  struct rusage ru;
  if (wait4(pid, &ws, 0, &ru) < 0) return;
  long start_kb = 0;
  char *body = buf;
  if (sscanf(buf, "%ld", &start_kb) == 1 && strchr(buf, '\n')) body = strchr(buf, '\n') + 1;
  o->max_rss_kb = ru.ru_maxrss - start_kb;
  o->ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
  if (!o->ok) {
    if (WIFSIGNALED(ws)) fprintf(stderr, "\n  the child died of signal %d%s\n", WTERMSIG(ws), WTERMSIG(ws) == SIGALRM ? " (the alarm)" : "");
    else fprintf(stderr, "\n  the child failed (wait status %d)\n", ws);
  }
  if (sscanf(body, "%d %d", &o->status, &o->ndiags) != 2) o->status = -1;
  const char *nl = strchr(body, '\n');
  snprintf(o->diags, sizeof o->diags, "%s", nl ? nl + 1 : "");
}

/* Compiles b in a child process (in_child_fn). */
static void in_child(const lbuf *b, unsigned seconds, child_out *o) {
  child_text = b;
  in_child_fn(child_compile, seconds, o);
}

/* The child exited, compiled with VG_EINPUT and reported exactly one
** E-limit at `at` containing msg; its peak memory stayed under 512 MiB
** (1 GiB under ASan). */
#define CHILD_ONLY_LIMIT(o, at, msg)                                              \
  do {                                                                            \
    CU_ASSERT_TRUE((o).ok);                                                       \
    CU_ASSERT_EQUAL((o).status, VG_EINPUT);                                       \
    CU_ASSERT_TRUE(only_limit((o).diags, (o).ndiags, (at), (msg)));               \
    CU_ASSERT_TRUE((o).max_rss_kb < (LM_ASAN ? 1024L : 512L) * 1024L);            \
  } while (0)

/* ======================================================================== */
/* Defs                                                                      */
/* ======================================================================== */

/* def f0(x) = x, then def fN(x) = f(N-1)(x) + f(N-1)(x) for N = 1 .. n. */
static void doubling_defs(lbuf *b, int n, int reversed) {
  if (!reversed) lb_add(b, "def f0(x) = x\n");
  for (int k = 1; k <= n; k++) {
    int i = reversed ? n + 1 - k : k;
    lb_add(b, "def f%d(x) = f%d(x) + f%d(x)\n", i, i - 1, i - 1);
  }
  if (reversed) lb_add(b, "def f0(x) = x\n");
}

static const char *const TOO_LARGE = "this expression is too large once its lets and defs are inlined (over 200000 nodes)";

/* Regression (issue 11, item 2): f0 .. f40 (1.2 KB, no rule calls them).
** The limit was reported at f17, and then every later def was still checked
** on its own, each inlining its callee twice: 1 GB of memory at f36, 3.4 GB
** at f38, over 8 GB at f40, then a false "no column" error from the
** out-of-memory.  Now f17 (2^18 - 1 nodes) is refused before its body is
** copied, at its body, and nothing follows.  The same when a rule calls f40,
** and when the defs come in the reverse order (f40 first: refused at once). */
static void test_doubling_defs(void) {
  child_out o;
  lbuf b = {0};
  doubling_defs(&b, 40, 0);
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:18:14", TOO_LARGE);
  lb_add(&b, "%srule r on s { red when f40(x) > 0 }\n", SRC);
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:18:14", TOO_LARGE);
  lb_free(&b);
  doubling_defs(&b, 40, 1);
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:1:14", TOO_LARGE);
  lb_free(&b);
  /* f16 (2^17 - 1 nodes) is within the limit, and a rule may call it */
  doubling_defs(&b, 16, 0);
  lb_add(&b, "%srule r on s { red when f16(x) > 0 }\n", SRC);
  COMPILES(lm_compile(&b));
  lb_free(&b);
}

/* A def's size is known before a call copies it: the call whose arguments
** make it too large is refused at the call, with no note into the def. */
static void test_call_too_large(void) {
  lbuf b = {0};
  /* a12 inlines to 2^13 - 1 = 8191 nodes; q uses its argument 16 times:
  ** 16 * 8191 + 15 = 131071 fits, 32 times does not */
  lb_add(&b, "def q16(v) = v + v + v + v + v + v + v + v + v + v + v + v + v + v + v + v\n");
  lb_add(&b, "def q32(v) = q16(v) + q16(v)\n%srule r on s {\n  let a0 = x\n", SRC);
  for (int k = 1; k <= 12; k++) lb_add(&b, "  let a%d = a%d + a%d\n", k, k - 1, k - 1);
  lb_add(&b, "  red when q16(a12) > 0\n");
  lb_add(&b, "  orange when q32(a12) > 0\n}\n");
  ONLY_LIMIT(lm_compile(&b), "t.rules:19:15", TOO_LARGE);
  lb_free(&b);
}

/* Regression (found with item 2): a def whose argument is dropped keeps the
** inlined size small while the copies double (def k(x) = 1; hN calls
** k(h(N-1)(x)) twice): no size limit ever fired and memory grew without
** bound.  The nodes the checker builds are counted (VG_MAX_CHECK_NODES) and
** the def whose check would pass them is refused before it starts. */
static void test_dropped_arguments(void) {
  lbuf b = {0};
  lb_add(&b, "def k(x) = 1\ndef h0(x) = x\n");
  for (int n = 1; n <= 40; n++) lb_add(&b, "def h%d(x) = k(h%d(x)) + k(h%d(x))\n", n, n - 1, n - 1);
  child_out o;
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:19:5", "checking it would build over 2000000 tree nodes");
  lb_free(&b);
}

/* Regression (found with item 2): 199 defs, each 180 unary minus signs
** around a call of the previous one, declared in reverse order: checking
** the first one inlined them all, 36 000 levels of recursion before any
** height was measured, and the ASan build died of a stack overflow.  The
** recursion is counted as it goes: E-limit at the node 2000 levels down
** (in g188, the 12th def of the chain). */
static void test_deep_inlining(void) {
  lbuf b = {0};
  for (int k = 199; k >= 1; k--) {
    lb_add(&b, "def g%d(x) = ", k);
    lb_rep(&b, "-", 180);
    lb_add(&b, "g%d(x)\n", k - 1);
  }
  lb_add(&b, "def g0(x) = x\n");
  child_out o;
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:12:35", "nested too deeply once its lets and defs are inlined (over 2000 levels)");
  lb_free(&b);
}

/* Regression (found with item 2): 65 535 defs in a chain (gN calls g(N-1))
** hung for minutes (each def checked on its own inlined the chain below it,
** and every call looked its def up by a linear search).  The calls between
** defs are walked once, without recursion: E-limit at the call that makes
** a chain of more than 200 defs, in either order. */
static void test_def_chain(void) {
  for (int reversed = 0; reversed <= 1; reversed++) {
    lbuf b = {0};
    if (!reversed) lb_add(&b, "def g0(x) = x\n");
    for (int k = 1; k < VG_MAX_ITEMS; k++) {
      int i = reversed ? VG_MAX_ITEMS - k : k;
      lb_add(&b, "def g%d(x) = g%d(x)\n", i, i - 1);
    }
    if (reversed) lb_add(&b, "def g0(x) = x\n");
    child_out o;
    in_child(&b, 20, &o);
    CHILD_ONLY_LIMIT(o, reversed ? "t.rules:65335:15" : "t.rules:201:15", "defs nested deeper than 200 calls");
    lb_free(&b);
  }
  /* a chain of exactly 200 defs compiles, and a rule can call its head */
  lbuf b = {0};
  lb_add(&b, "def g0(x) = x + 1\n");
  for (int k = 1; k < VG_MAX_DEPTH; k++) lb_add(&b, "def g%d(x) = g%d(x)\n", k, k - 1);
  lb_add(&b, "%srule r on s { red when g%d(x) > 0 }\n", SRC, VG_MAX_DEPTH - 1);
  COMPILES(lm_compile(&b));
  lb_free(&b);
}

/* VG_MAX_LIST applies to defs (issue 11): a def of 1000 parameters called
** with 1000 arguments compiles; 1001 parameters are E-limit at the def
** (200 000 took 156 s before: the duplicate check was quadratic), and a
** call of a def with 1001 arguments is E-limit, not an arity error. */
static void test_def_arguments(void) {
  for (int n = VG_MAX_LIST; n <= VG_MAX_LIST + 1; n++) {
    lbuf b = {0};
    lb_add(&b, "def f(p0");
    for (int i = 1; i < n; i++) lb_add(&b, ", p%d", i);
    lb_add(&b, ") = p0 + p%d\n%srule r on s { red when f(x", n - 1, SRC);
    lb_rep(&b, ", 1", n - 1);
    lb_add(&b, ") > 0 }\n");
    if (n == VG_MAX_LIST) COMPILES(lm_compile(&b));
    else ONLY_LIMIT(lm_compile(&b), "t.rules:1:5", "def f has too many parameters (1001; at most 1000)");
    lb_free(&b);
  }
  lbuf b = {0};
  lb_add(&b, "def f(p) = p\n%srule r on s { red when f(x", SRC);
  lb_rep(&b, ", 1", VG_MAX_LIST);
  lb_add(&b, ") > 0 }\n");
  ONLY_LIMIT(lm_compile(&b), "t.rules:3:24", "too many arguments (1001; at most 1000)");
  lb_free(&b);
  lb_add(&b, "def f(p0");
  for (int i = 1; i < 200000; i++) lb_add(&b, ", p%d", i);
  lb_add(&b, ") = p0\n");
  child_out o;
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:1:5", "def f has too many parameters (200000; at most 1000)");
  lb_free(&b);
}

/* ======================================================================== */
/* Lets                                                                      */
/* ======================================================================== */

/* n lets in rule r: unused (let aI = x) or chained (let a1 = x + 1, then
** let aI = a(I-1) + 1); the rule fires on x (unused) or on the last let. */
static void many_lets(lbuf *b, int n, int chained) {
  lb_add(b, "%srule r on s {\n", SRC);
  if (!chained) {
    for (int i = 0; i < n; i++) lb_add(b, "  let a%d = x\n", i);
    lb_add(b, "  red when x > 0\n}\n");
  } else {
    lb_add(b, "  let a1 = x + 1\n");
    for (int i = 2; i <= n; i++) lb_add(b, "  let a%d = a%d + 1\n", i, i - 1);
    lb_add(b, "  red when a%d > 0\n}\n", n);
  }
}

/* Regression (issue 11, item 18): 100 000 unused lets in one rule took
** 120 s before E-limit (each let scanned every earlier one for a duplicate
** and every name scanned the lets); 100 000 chained lets took over 240 s
** although the nesting limit was reported at let 2000 (checking went on).
** Lets are found by hash now, at most VG_MAX_LETS (10 000) per rule are
** accepted (refused before any is checked, at the first one too many), and
** the nesting limit ends the compilation. */
static void test_many_lets(void) {
  child_out o;
  lbuf b = {0};
  many_lets(&b, 100000, 0);
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:10003:7", "rule r has too many lets (at most 10000)");
  lb_free(&b);
  many_lets(&b, 100000, 1);
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:10003:7", "rule r has too many lets (at most 10000)");
  lb_free(&b);
  /* 10 000 chained lets: the nesting limit at let 2000, and nothing after */
  many_lets(&b, VG_MAX_LETS, 1);
  in_child(&b, 20, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:2002:15", "nested too deeply once its lets and defs are inlined (over 2000 levels)");
  lb_free(&b);
  /* 10 000 unused lets compile (in the child: it took 0.8 s before, and
  ** must stay linear) */
  many_lets(&b, VG_MAX_LETS, 0);
  in_child(&b, 20, &o);
  CU_ASSERT_TRUE(o.ok);
  CU_ASSERT_EQUAL(o.status, VG_OK);
  CU_ASSERT_EQUAL(o.ndiags, 0);
  lb_free(&b);
  /* and a duplicate among them is still found, at the second one */
  lb_add(&b, "%srule r on s {\n", SRC);
  for (int i = 0; i < 5000; i++) lb_add(&b, "  let a%d = x\n", i);
  lb_add(&b, "  let a1234 = x\n  red when a1234 > 0\n}\n");
  CU_ASSERT_EQUAL(lm_compile(&b), VG_EINPUT);
  CU_ASSERT_PTR_NOT_NULL(strstr(lm_diags, "error E-duplicate t.rules:5003:7: let 'a1234' is declared twice in rule r"));
  lb_free(&b);
}

/* ======================================================================== */
/* Number literals                                                           */
/* ======================================================================== */

/* The constant of `red when x > LIT` as the disassembler prints it. */
static const char *constant_of(const char *lit) {
  static char out[128];
  lbuf b = {0};
  lb_add(&b, "%srule r on s { red when x > %s }\n", SRC, lit);
  vg_program *p = NULL;
  snprintf(out, sizeof out, "<does not compile>");
  if (lm_compile_p(b.s, b.len, &p) == VG_OK) {
    char *d = vg_disasm(p);
    const char *c = d ? strstr(d, "CONST") : NULL;
    const char *semi = c ? strchr(c, ';') : NULL;
    if (semi) {
      size_t n = strcspn(semi + 2, "\n");
      snprintf(out, sizeof out, "%.*s", (int)n, semi + 2);
    }
    free(d);
  }
  vg_free_program(p);
  lb_free(&b);
  return out;
}

/* Regression (issue 11, item 11): number literals were copied into 64
** bytes before strtod, so `1` and 100 zeros read 1e+62 and `0.` with 70
** zeros and a 1 read 0; and a literal too large for a double was an
** infinity.  The whole text is read now, and a literal that does not fit
** is E-number at the literal (a percent and a duration too).  One too small
** for a double rounds as strtod rounds it: 1e-400 reads 0. */
static void test_number_literals(void) {
  char lit[256];
  snprintf(lit, sizeof lit, "1%0100d", 0);
  CU_ASSERT_STRING_EQUAL(constant_of(lit), "1e+100");
  snprintf(lit, sizeof lit, "0.%070d1", 0);
  CU_ASSERT_STRING_EQUAL(constant_of(lit), "1e-71");
  snprintf(lit, sizeof lit, "%0200d.5", 7);
  CU_ASSERT_STRING_EQUAL(constant_of(lit), "7.5");
  CU_ASSERT_STRING_EQUAL(constant_of("1e-400"), "0");
  CU_ASSERT_STRING_EQUAL(constant_of("1e308"), "1e+308");
  static const struct { const char *rule, *at; } bad[] = {
    {"rule r on s { red when x > 1e400 }\n", "t.rules:2:28"},
    {"rule r on s { red when x > 1e400% }\n", "t.rules:2:28"},
    {"rule r on s { red when x > -1e400 }\n", "t.rules:2:29"},
    {"rule r on s { red when d > as_of - 1e400 days }\n", "t.rules:2:36"},
    {"rule r on s { red when d > as_of - 1e308 weeks }\n", "t.rules:2:36"},
    {"param p = 1e999\nrule r on s { red when x > p }\n", "t.rules:2:11"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    lbuf b = {0};
    lb_add(&b, "%s%s", SRC, bad[i].rule);
    CU_ASSERT_EQUAL(lm_compile(&b), VG_EINPUT);
    char want[128];
    snprintf(want, sizeof want, "error E-number %s: number too large for a double (the largest is about 1.8e308)", bad[i].at);
    if (!strstr(lm_diags, want)) fprintf(stderr, "\n  no [%s] in:\n%s", want, lm_diags);
    CU_ASSERT_PTR_NOT_NULL(strstr(lm_diags, want));
    CU_ASSERT_EQUAL(lm_ndiags, 1);
    lb_free(&b);
  }
}

/* ======================================================================== */
/* The code generator and the verifier                                       */
/* ======================================================================== */

/* coalesce(x, ... x, coalesce(...)) nested `levels` deep, each level with
** `per` x's before the nested call, the innermost with `last` x's: the
** stack holds levels * per + last values at its deepest. */
static void stacked_calls(lbuf *b, int levels, int per, int last) {
  lb_add(b, "%srule r on s { red when ", SRC);
  for (int l = 0; l < levels; l++) {
    lb_add(b, "coalesce(");
    lb_rep(b, "x, ", per);
  }
  lb_add(b, "coalesce(x");
  lb_rep(b, ", x", last - 1);
  lb_add(b, ")");
  lb_rep(b, ")", levels);
  lb_add(b, " > 0 }\n");
}

/* Regression (issue 11): calls of many arguments nested in each other need
** more than VM_MAX_STACK (65 535) values on the stack; the program was
** refused by the verifier as E-internal ("internal error: the compiled
** program does not verify: ... stack deeper than 65535 values").  The code
** generator counts the stack as it emits: 65 535 values compile, 65 536 are
** E-limit at the value that would be one too many. */
static void test_stack_limit(void) {
  lbuf b = {0};
  stacked_calls(&b, 65, 999, 600); /* 65 * 999 + 600 = 65535 */
  COMPILES(lm_compile(&b));
  lb_free(&b);
  stacked_calls(&b, 65, 999, 601);
  /* at the 601st x of the innermost call */
  size_t col = strlen("rule r on s { red when ") + 65 * strlen("coalesce(") + 65 * 999 * 3 + strlen("coalesce(") + 600 * 3 + 1;
  char at[64];
  snprintf(at, sizeof at, "t.rules:2:%zu", col);
  ONLY_LIMIT(lm_compile(&b), at, "needs more than 65535 values on the VM's stack at once");
  CU_ASSERT_PTR_NULL(strstr(lm_diags, "internal"));
  lb_free(&b);
}

/* Regression (found with this issue): `a between b and c` compiles a
** twice, and a count(...) in a is a function of its own, so 15 nested
** counts of a 16 383-node let made 32 768 copies of it: 600 bytes of rules
** asked for gigabytes of bytecode (out of memory).  The code generator
** counts the bytes of code and line table it emits (VG_MAX_CODE) and stops
** at the clause that passes them. */
static void test_code_limit(void) {
  lbuf b = {0};
  lb_add(&b, "%srule r on s {\n  let a0 = x\n", SRC);
  for (int k = 1; k <= 13; k++) lb_add(&b, "  let a%d = a%d + a%d\n", k, k - 1, k - 1);
  lb_add(&b, "  red when ");
  lb_rep(&b, "count(", 15);
  lb_add(&b, "a13");
  lb_rep(&b, " between 1 and 2, last 2 snapshots)", 15);
  lb_add(&b, " > 0\n}\n");
  child_out o;
  in_child(&b, 30, &o);
  CHILD_ONLY_LIMIT(o, "t.rules:17:3", "this pack is too large for the bytecode (over 67108864 bytes of code and line table)");
  lb_free(&b);
}

/* Regression (issue 11): more than VG_MAX_ITEMS (65 535) functions were
** built, then refused with an error of no place ("this pack needs 70007
** functions"); each let is a function (its evidence).  Seven rules of
** 10 000 lets need 70 007: E-limit at the let that would be function
** 65 536 (rule 6's 5529th let), as the functions are made. */
static void test_functions_limit(void) {
  lbuf b = {0};
  lb_add(&b, "%s", SRC);
  int line = 0;
  for (int r = 0; r < 7; r++) {
    lb_add(&b, "rule r%d on s {\n", r);
    for (int i = 0; i < VG_MAX_LETS; i++) {
      if (r == 6 && i == 5528) line = lb_line(&b);
      lb_add(&b, "  let a%d = x\n", i);
    }
    lb_add(&b, "  red when x > 0\n}\n");
  }
  char at[64];
  snprintf(at, sizeof at, "t.rules:%d:15", line); /* its expression */
  child_out o;
  in_child(&b, 30, &o);
  CHILD_ONLY_LIMIT(o, at, "this pack needs more than 65535 functions in the bytecode");
  lb_free(&b);
}

/* Regression (found by make bench, 100 000 generated rules): a measure (the
** size of an alert, compiled after every other function) whose right-hand
** side holds a window function reached the function limit inside that
** side; the half-built side (no RETV) was kept, and the pack failed with
** E-internal "function 65534: falls off its end".  A pack too large for its
** measures compiles without them: here 65 533 functions come first (six
** rules of 10 000 lets, one of 5 524, two for the last rule), so the last
** rule's measure `1 < sum(x, ...)` gets 65 533 and 65 534 and its window
** function would be the 65 536th. */
static void test_measures_at_function_limit(void) {
  lbuf b = {0};
  lb_add(&b, "%s", SRC);
  for (int r = 0; r < 7; r++) {
    lb_add(&b, "rule r%d on s {\n", r);
    for (int i = 0; i < (r < 6 ? VG_MAX_LETS : 5524); i++) lb_add(&b, "  let a%d = x\n", i);
    lb_add(&b, "  red when x = 1\n}\n"); /* = is not a measure */
  }
  lb_add(&b, "rule m on s { red when 1 < sum(x, last 2 snapshots) }\n");
  child_out o;
  in_child(&b, 60, &o);
  CU_ASSERT_TRUE(o.ok);
  CU_ASSERT_EQUAL(o.status, VG_OK);
  if (o.status != VG_OK) printf("\n%s\n", o.diags);
  lb_free(&b);
}

/* Regression (issue 11): an allocation failure in the verifier (its
** scratch array) during a compile was E-internal with VG_EINPUT; it is out
** of memory.  Every allocation of a small compile fails in turn: the
** status is VG_OK or VG_ENOMEM, never anything else, and no E-internal. */
static void test_verifier_oom(void) {
  const char *rules =
    "source s { table t key k time d }\n"
    "rule r on s { let y = x * 2\n red when sum(y, last 3 snapshots) > 10 and x between 1 and 5 message \"{y}\" }\n";
  int ok = 0;
  for (long k = 0; k < 5000 && !ok; k++) {
    lm_clear();
    vg_compile_opts co;
    memset(&co, 0, sizeof co);
    co.diag = lm_diag;
    vg_program *p = NULL;
    vg_mem_fail_after(k);
    vg_status st = vg_compile_string("t.rules", rules, strlen(rules), NULL, &co, &p);
    vg_mem_fail_after(-1);
    vg_free_program(p);
    if (st == VG_OK) ok = 1;
    else if (st != VG_ENOMEM || strstr(lm_diags, "E-internal")) {
      fprintf(stderr, "\n  allocation %ld failing: status %d\n%s", k, (int)st, lm_diags);
      CU_FAIL("an allocation failure that is not VG_ENOMEM");
      break;
    }
  }
  CU_ASSERT_TRUE(ok);
}

/* In the child: compile child_text without a schema. */
static void child_compile_no_schema(int fd) {
  lm_clear();
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = lm_diag;
  co.max_errors = 50;
  vg_program *p = NULL;
  vg_status st = vg_compile_string("t.rules", child_text->s, child_text->len, NULL, &co, &p);
  vg_free_program(p);
  dprintf(fd, "%d %d\n%s", (int)st, lm_ndiags, lm_diags);
}

/* Regression (issue 13): without a schema every name is a column of the
** rule's source, and the source's read list was searched linearly for each
** name, so 65 535 distinct columns took 24 s of checking and 300 000 took
** minutes; they are found by hash now.  300 000 columns (6000 rules of 50)
** check in a moment and stop at the bytecode's operand limit, at the column
** that would be number 65 536 (c65534: the key and the time are 0 and 1). */
static void test_many_columns_no_schema(void) {
  lbuf b = {0};
  lb_add(&b, "%s", SRC);
  char at[64] = "";
  long k = 0;
  for (int r = 0; r < 6000; r++) {
    size_t line_start = b.len;
    lb_add(&b, "rule r%d on s { red when ", r);
    for (int i = 0; i < 50; i++, k++) {
      if (i) lb_add(&b, " or ");
      if (k == 65534) snprintf(at, sizeof at, "t.rules:%d:%zu", r + 2, b.len - line_start + 1);
      lb_add(&b, "c%ld > 0", k);
    }
    lb_add(&b, " }\n");
  }
  child_out o;
  child_text = &b;
  in_child_fn(child_compile_no_schema, 20, &o);
  CHILD_ONLY_LIMIT(o, at, "an operand exceeds 65535");
  lb_free(&b);
}

/* Regression (found with this issue): every rule held an array of one
** entry per tier of the pack, so 20 000 tiers and 20 000 rules (900 KB)
** asked for 3.2 GB.  A rule holds its own clauses only. */
static void test_many_tiers_and_rules(void) {
  lbuf b = {0};
  lb_add(&b, "tiers t0");
  for (int i = 1; i < 20000; i++) lb_add(&b, ", t%d", i);
  lb_add(&b, "\n%s", SRC);
  for (int i = 0; i < 20000; i++) lb_add(&b, "rule r%d on s { t%d when x > %d }\n", i, i % 7, i);
  child_out o;
  in_child(&b, 30, &o);
  CU_ASSERT_TRUE(o.ok);
  CU_ASSERT_EQUAL(o.status, VG_OK);
  CU_ASSERT_EQUAL(o.ndiags, 0);
  CU_ASSERT_TRUE(o.max_rss_kb < (LM_ASAN ? 1024L : 512L) * 1024L);
  lb_free(&b);
}

/* In the child: a pack folder of 65 535 tiers and 9 000 rules (rule rI
** fires at tier t(65534 - I) when x > I) with one test, run by
** vg_test_path; writes "STATUS NDIAGS\nPASSED CLAUSES COVERED". */
static void child_test_pack(int fd) {
  char dir[] = "/tmp/vigil-limits-XXXXXX", path[256];
  if (!mkdtemp(dir)) { dprintf(fd, "-1 0\n"); return; }
  lbuf b = {0};
  lb_add(&b, "tiers t0");
  for (int i = 1; i < VG_MAX_ITEMS; i++) lb_add(&b, ", t%d", i);
  lb_add(&b, "\n%s", SRC);
  for (int i = 0; i < 9000; i++) lb_add(&b, "rule r%d on s { t%d when x > %d }\n", i, VG_MAX_ITEMS - 1 - i, i);
  lb_add(&b, "test \"one\" {\n  as_of 2025-01-01\n  table t (k, d, x) { (1, 2025-01-01, 5) }\n"
             "  expect t65534 r0 1\n  expect no alert r7 1\n}\n");
  snprintf(path, sizeof path, "%s/pack.rules", dir);
  FILE *f = fopen(path, "w");
  if (f) { fwrite(b.s, 1, b.len, f); fclose(f); }
  snprintf(path, sizeof path, "%s/schema.sql", dir);
  f = fopen(path, "w");
  if (f) { fputs(SCHEMA, f); fclose(f); }
  lb_free(&b);
  lm_clear();
  vg_test_opts to;
  memset(&to, 0, sizeof to);
  to.diag = lm_diag;
  vg_test_summary sum;
  memset(&sum, 0, sizeof sum);
  vg_status st = vg_test_path(dir, &to, &sum);
  dprintf(fd, "%d %d\n%d %d %d", (int)st, lm_ndiags, sum.passed, sum.clauses, sum.covered);
  remove(path);
  snprintf(path, sizeof path, "%s/pack.rules", dir);
  remove(path);
  rmdir(dir);
}

/* Regression (found with this issue): `vigil test` kept a byte per rule and
** tier for its coverage (9 000 x 65 535: 590 MB) and looked clauses up by
** a linear search.  It keeps one flag per clause now: the test passes, and
** the 5 clauses that fired (x = 5 > I for I < 5) of the 9 000 are covered. */
static void test_many_tiers_and_rules_tested(void) {
  child_out o;
  in_child_fn(child_test_pack, 60, &o);
  CU_ASSERT_TRUE(o.ok);
  CU_ASSERT_EQUAL(o.status, VG_OK);
  CU_ASSERT_EQUAL(o.ndiags, 0);
  CU_ASSERT_STRING_EQUAL(o.diags, "1 9000 5");
  CU_ASSERT_TRUE(o.max_rss_kb < (LM_ASAN ? 1024L : 512L) * 1024L);
}

/* VG_MAX_PACK_SIZE: the clauses, messages, notify, clear and wheres of a
** pack total at most 2 000 000 nodes once inlined.  One rule, 16 tiers,
** each clause `a16 > k` of 131 073 nodes: 15 clauses (1 966 095) compile,
** the 16th is E-limit at that clause. */
static void test_pack_size_limit(void) {
  for (int n = 15; n <= 16; n++) {
    lbuf b = {0};
    lb_add(&b, "tiers t0");
    for (int i = 1; i < 16; i++) lb_add(&b, ", t%d", i);
    lb_add(&b, "\n%srule r on s {\n  let a0 = x\n", SRC);
    for (int k = 1; k <= 16; k++) lb_add(&b, "  let a%d = a%d + a%d\n", k, k - 1, k - 1);
    for (int i = 0; i < n; i++) lb_add(&b, "  t%d when a16 > %d\n", i, i);
    lb_add(&b, "}\n");
    child_out o;
    in_child(&b, 30, &o);
    if (n == 15) {
      CU_ASSERT_TRUE(o.ok);
      CU_ASSERT_EQUAL(o.status, VG_OK);
      if (o.status != VG_OK) fprintf(stderr, "\n%s", o.diags);
    } else {
      CHILD_ONLY_LIMIT(o, "t.rules:36:12", "this pack is too large once its lets and defs are inlined (over 2000000 nodes in all its expressions)");
    }
    lb_free(&b);
  }
}

/* ======================================================================== */
/* Stopping at the first limit                                               */
/* ======================================================================== */

/* After an E-limit, nothing more: each of these inputs has a limit early
** and other mistakes after it (an unknown source, an unknown column; a
** syntax error too after a limit met while parsing, since the input ends
** there); the compile reports the limit alone.  Before, each limit was
** followed by the other errors, or by errors that were only its
** consequences ("in this call of", unknown names).  (A syntax error after a
** limit met while checking is still reported, before it: files are parsed
** whole before anything is checked.) */
static void test_stop_at_first_limit(void) {
  static const char *const after = "rule q on nosuch { red when y }\nrule z on s { red when nosuch_column > 0 }\n";
  static const char *const after_parse = "rule q on nosuch { red when y }\nrule ) {\n";
  lbuf b = {0};
  /* a string literal too long */
  lb_add(&b, "%srule r on s { red when x > 0 message \"", SRC);
  lb_rep(&b, "a", VG_MAX_STRING + 1);
  lb_add(&b, "\" }\n%s", after_parse);
  ONLY_LIMIT(lm_compile(&b), "t.rules:2:38", "string literal longer than 65535 bytes");
  lb_free(&b);
  /* an identifier too long */
  lb_add(&b, "%srule r on s { red when ", SRC);
  lb_rep(&b, "y", VG_MAX_STRING + 1);
  lb_add(&b, " > 0 }\n%s", after_parse);
  ONLY_LIMIT(lm_compile(&b), "t.rules:2:24", "identifier longer than 65535 bytes");
  lb_free(&b);
  /* nesting in the source */
  lb_add(&b, "%srule r on s { red when ", SRC);
  lb_rep(&b, "-", 250);
  lb_add(&b, "x > 0 }\n%s", after_parse);
  CU_ASSERT_EQUAL(lm_compile(&b), VG_EINPUT);
  CU_ASSERT_EQUAL(lm_ndiags, 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(lm_diags, "error E-limit t.rules:2:"));
  CU_ASSERT_PTR_NOT_NULL(strstr(lm_diags, "nested deeper than 200 levels"));
  lb_free(&b);
  /* parentheses past the lexer's limit */
  lb_add(&b, "%srule r on s { red when ", SRC);
  lb_rep(&b, "(", 300);
  lb_add(&b, "x");
  lb_rep(&b, ")", 300);
  lb_add(&b, " > 0 }\n%s", after_parse);
  ONLY_LIMIT(lm_compile(&b), "t.rules:2:224", "expression nested deeper than 200 levels");
  lb_free(&b);
  /* an in list, a call and a message past VG_MAX_LIST */
  lb_add(&b, "%srule r on s { red when x in (0", SRC);
  lb_rep(&b, ", 1", VG_MAX_LIST);
  lb_add(&b, ") }\n%s", after);
  ONLY_LIMIT(lm_compile(&b), "t.rules:2:24", "too many values in an 'in' list (at most 1000)");
  lb_free(&b);
  lb_add(&b, "%srule r on s { red when coalesce(x", SRC);
  lb_rep(&b, ", x", VG_MAX_LIST);
  lb_add(&b, ") > 0 }\n%s", after);
  ONLY_LIMIT(lm_compile(&b), "t.rules:2:24", "too many arguments (1001; at most 1000)");
  lb_free(&b);
  lb_add(&b, "%srule r on s { red when x > 0 message \"", SRC);
  lb_rep(&b, "{x}", VG_MAX_LIST + 1);
  lb_add(&b, "\" }\n%s", after);
  ONLY_LIMIT(lm_compile(&b), "t.rules:2:30", "too many parts in a message (at most 1000 interpolations and texts)");
  lb_free(&b);
  /* too many tiers */
  lb_add(&b, "%s\ntiers t0", SRC);
  for (long i = 1; i <= VG_MAX_ITEMS; i++) lb_add(&b, ", t%ld", i);
  lb_add(&b, "\n%s", after);
  ONLY_LIMIT(lm_compile(&b), "t.rules:3:1", "too many tiers (at most 65535)");
  lb_free(&b);
  /* too large once inlined: the lets that use the big one are not checked */
  lb_add(&b, "%srule r on s {\n  let a0 = x\n", SRC);
  for (int k = 1; k <= 18; k++) lb_add(&b, "  let a%d = a%d + a%d\n", k, k - 1, k - 1);
  lb_add(&b, "  let b = a18 + nosuch\n  red when a18 > 0 and b > 0\n}\n%s", after);
  ONLY_LIMIT(lm_compile(&b), "t.rules:20:13", TOO_LARGE);
  lb_free(&b);
  /* defs nested too deeply, then a rule that calls one of them */
  lb_add(&b, "def g0(x) = x\n");
  for (int k = 1; k <= VG_MAX_DEPTH; k++) lb_add(&b, "def g%d(x) = g%d(x)\n", k, k - 1);
  lb_add(&b, "%srule r on s { red when g%d(x) > nosuch }\n%s", SRC, VG_MAX_DEPTH, after);
  ONLY_LIMIT(lm_compile(&b), "t.rules:201:15", "defs nested deeper than 200 calls");
  lb_free(&b);
}

int unit_register_limits(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
    {"regression: doubling defs f0..f40 (item 2)", test_doubling_defs},
    {"a call too large once inlined is refused at the call", test_call_too_large},
    {"regression: defs that drop their argument (VG_MAX_CHECK_NODES)", test_dropped_arguments},
    {"regression: deep inlining is E-limit, not a stack overflow", test_deep_inlining},
    {"regression: 65535 defs in a chain", test_def_chain},
    {"regression: VG_MAX_LIST for defs' parameters and arguments", test_def_arguments},
    {"regression: 100000 lets (item 18, VG_MAX_LETS)", test_many_lets},
    {"regression: number literals read whole, E-number (item 11)", test_number_literals},
    {"regression: stack depth is E-limit, not E-internal (VM_MAX_STACK)", test_stack_limit},
    {"regression: bytecode size (VG_MAX_CODE)", test_code_limit},
    {"regression: functions limit located (VG_MAX_ITEMS)", test_functions_limit},
    {"regression: measures past the function limit are left out (no E-internal)", test_measures_at_function_limit},
    {"regression: verifier out of memory is VG_ENOMEM", test_verifier_oom},
    {"regression: 20000 tiers and 20000 rules", test_many_tiers_and_rules},
    {"regression: 300000 columns of a source without a schema", test_many_columns_no_schema},
    {"regression: vigil test on 65535 tiers and 9000 rules", test_many_tiers_and_rules_tested},
    {"pack size once inlined (VG_MAX_PACK_SIZE)", test_pack_size_limit},
    {"one E-limit and nothing after it", test_stop_at_first_limit},
  };
  CU_pSuite s = CU_add_suite("limits: every compile resource bounded before it is spent", NULL, NULL);
  if (!s) return CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return CU_get_error();
  return CUE_SUCCESS;
}
