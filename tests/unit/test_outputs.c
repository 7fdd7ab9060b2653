/*
** test_outputs.c — issue 11, items 5b, 7, 8, 9, 12, 16, 17: every output is
** safe for any bytes, and no output is lost silently.
**
**   The encoders (cli/out.c, linked into this runner): for every string of
**   up to three bytes from a set that covers each UTF-8 class, and for
**   random strings, JSON is valid UTF-8 that SQLite's json_valid() accepts,
**   XML holds only characters XML 1.0 allows, terminal text has no control
**   character, CSV cells never start a formula; the engine's JSON encoder
**   (evidence, routes) likewise.
**
**   End to end, through the vigil binary ($VIGIL): a database whose keys,
**   messages, recipients and org names hold invalid UTF-8 (a stray 0xff, a
**   truncated sequence, an overlong form), ESC[2J, an OSC title, BEL, CR, a
**   line feed followed by a forged alert header, C1 and bidi controls, DEL,
**   and the spreadsheet formulas =cmd|' /C calc'!A0, +1, -1, @SUM(A1), a
**   leading tab; and a rule with a 2000-byte name.  `run` and `backtest` in
**   every format, the recorded evidence and route, `check --format
**   text|json|sarif|github` on rules with such bytes in a string, a comment
**   and a name, `test` and its JUnit XML (parsed by python3's XML parser),
**   `digest`: JSON lines parse (json_valid) and are valid UTF-8, XML is well
**   formed, text has no byte below 0x20 but '\n' and no DEL, C1 or bidi
**   control, no data line can pass for an alert header, CSV cells are
**   neutralised (and kept raw with --csv-raw), the caret of `check` lines up.
**
**   Writes: run --format jsonl, backtest, disasm, fmt and check --format
**   json into /dev/full exit 1 with "vigil: error writing the output".
**   Memory: `vigil run` of the SaaS demo under every address-space limit
**   from the loader's minimum to success (in a child, no ASLR): it ends in
**   success or in exit status 1 with a message about memory; never silent,
**   never a crash (skipped under AddressSanitizer, which needs terabytes of
**   address space).
**
**   NUL bytes (item 5): test_nul_run asserts the final behaviour (a NUL
**   shown as \0 or \u0000, never a cut, keys a\0b and a kept apart).  It
**   FAILS in this branch until the engine hands over keys, messages and
**   recipients with their lengths (vg_alert.key_len...; the owner's change).
**   test_nul_digest passes here: the digest reads the database itself.
*/
#define _GNU_SOURCE /* (personality) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "vigil.h"
#include "unit.h"
#include "../../cli/out.h"
#include "../../core/mem.h"
#include "../../runtime/exec.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define OT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OT_ASAN 1
#endif
#endif
#ifndef OT_ASAN
#define OT_ASAN 0
#endif

static char dir[256]; /* the temporary folder */

/* ---- files and bytes --------------------------------------------------------------- */

typedef struct bytes {
  char *p;
  size_t n;
} bytes;

static void path_of(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static int write_file(const char *name, const char *text, size_t n) {
  char p[512];
  path_of(p, sizeof p, name);
  FILE *f = fopen(p, "wb");
  if (!f) return -1;
  int ok = fwrite(text, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static bytes read_path(const char *p) {
  bytes b = {NULL, 0};
  FILE *f = fopen(p, "rb");
  if (!f) return b;
  size_t cap = 4096;
  b.p = malloc(cap);
  size_t k;
  while (b.p && (k = fread(b.p + b.n, 1, cap - b.n - 1, f)) > 0) {
    b.n += k;
    if (cap - b.n < 2) b.p = realloc(b.p, cap *= 2);
  }
  fclose(f);
  if (b.p) b.p[b.n] = 0;
  return b;
}

/* Does s[0..n) contain the NUL-terminated text t? */
static int contains(const char *s, size_t n, const char *t) {
  size_t m = strlen(t);
  for (size_t i = 0; s && i + m <= n; i++)
    if (memcmp(s + i, t, m) == 0) return 1;
  return 0;
}

/* ---- the checks ------------------------------------------------------------------------ */

/* Strict UTF-8 (RFC 3629): no overlong forms, surrogates, or code points
** past U+10FFFF.  Written independently of the code under test.  Returns
** the offset of the first bad byte, or (size_t)-1 when all is valid. */
static size_t utf8_bad_at(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!len || i + len > n) return i;
    unsigned long cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return i;
    i += len;
  }
  return (size_t)-1;
}

static int utf8_ok(const char *s, size_t n) {
  size_t at = utf8_bad_at((const unsigned char *)s, n);
  if (at == (size_t)-1) return 1;
  fprintf(stderr, "\n  not valid UTF-8 at byte %zu: ...%.40s\n", at, s + (at > 20 ? at - 20 : 0));
  return 0;
}

/* Terminal text: valid UTF-8 with no control character but '\n' (and '\t'
** when tabs): no byte below 0x20, no DEL, no C1 control (U+0080..U+009F),
** no bidi or line-separator control. */
static int term_clean(const char *s, size_t n, int tabs) {
  if (!utf8_ok(s, n)) return 0;
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n; i++) {
    int bad = (u[i] < 0x20 && u[i] != '\n' && !(tabs && u[i] == '\t')) || u[i] == 0x7f ||
              (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f) ||
              (u[i] == 0xe2 && i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0x8e || u[i + 2] == 0x8f ||
                                                                   (u[i + 2] >= 0xa8 && u[i + 2] <= 0xae))) ||
              (u[i] == 0xe2 && i + 2 < n && u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9);
    if (bad) {
      fprintf(stderr, "\n  a control character (0x%02x) at byte %zu: ...%.40s\n", u[i], i, s + (i > 20 ? i - 20 : 0));
      return 0;
    }
  }
  return 1;
}

static sqlite3 *mem_db;

static int json_valid_n(const char *s, size_t n) {
  sqlite3_stmt *st = NULL;
  int ok = 0;
  if (sqlite3_prepare_v2(mem_db, "SELECT json_valid(?1)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, s, (int)n, SQLITE_STATIC);
    ok = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
  }
  sqlite3_finalize(st);
  return ok;
}

/* JSON text: json_valid() and valid UTF-8 (json_valid does not check it). */
static int json_ok(const char *s, size_t n) {
  if (!json_valid_n(s, n)) {
    fprintf(stderr, "\n  not valid JSON: %.*s\n", (int)(n > 300 ? 300 : n), s);
    return 0;
  }
  return utf8_ok(s, n);
}

/* Every line of s[0..n) is one JSON value; returns how many lines, or -1. */
static int json_lines(const char *s, size_t n) {
  int lines = 0;
  size_t i = 0;
  while (i < n) {
    const char *e = memchr(s + i, '\n', n - i);
    size_t len = e ? (size_t)(e - (s + i)) : n - i;
    if (!json_ok(s + i, len)) return -1;
    lines++;
    i += len + 1;
  }
  return lines;
}

/* A JSON path of one JSON line, as text (static; "<none>" when missing). */
static const char *json_get(const char *line, size_t n, const char *path) {
  static char out[4096];
  sqlite3_stmt *st = NULL;
  snprintf(out, sizeof out, "<none>");
  if (sqlite3_prepare_v2(mem_db, "SELECT json_extract(?1, ?2)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, line, (int)n, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
      int k = sqlite3_column_bytes(st, 0);
      if (k > (int)sizeof out - 1) k = (int)sizeof out - 1;
      memcpy(out, sqlite3_column_text(st, 0), (size_t)k);
      out[k] = 0;
    }
  }
  sqlite3_finalize(st);
  return out;
}

/* The JSON line of s[0..n) whose path equals want (NULL when none); its
** length in *len. */
static const char *json_line_where(const char *s, size_t n, const char *path, const char *want, size_t *len) {
  size_t i = 0;
  while (i < n) {
    const char *e = memchr(s + i, '\n', n - i);
    size_t l = e ? (size_t)(e - (s + i)) : n - i;
    if (strcmp(json_get(s + i, l, path), want) == 0) { *len = l; return s + i; }
    i += l + 1;
  }
  return NULL;
}

/* ---- running vigil ------------------------------------------------------------------- */

typedef struct ran {
  int status;        /* wait status */
  bytes out, err;
} ran;

static void ran_free(ran *r) {
  free(r->out.p);
  free(r->err.p);
  memset(r, 0, sizeof *r);
}

/* Runs argv[0] (with execvp) with stdout into out_to (NULL: a file that is
** read back), stderr into a file read back, under an address-space limit
** of as_kb KB (0: none) and without address randomisation.  Returns 0, or
** -1 when it could not run. */
static int run_argv(ran *r, const char *out_to, long as_kb, char *const argv[]) {
  memset(r, 0, sizeof *r);
  char outp[512], errp[512];
  path_of(outp, sizeof outp, "stdout.txt");
  path_of(errp, sizeof errp, "stderr.txt");
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int o = open(out_to ? out_to : outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (o < 0 || e < 0) _exit(126);
    dup2(o, 1);
    dup2(e, 2);
    close(o);
    close(e);
    if (as_kb > 0) {
      (void)personality(ADDR_NO_RANDOMIZE);
      struct rlimit rl = {(rlim_t)as_kb * 1024, (rlim_t)as_kb * 1024};
      setrlimit(RLIMIT_AS, &rl);
      struct rlimit nocore = {0, 0};
      setrlimit(RLIMIT_CORE, &nocore);
    }
    execvp(argv[0], argv);
    _exit(126);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  r->status = st;
  if (!out_to) r->out = read_path(outp);
  r->err = read_path(errp);
  if (!r->err.p) r->err.p = calloc(1, 1);
  if (!r->out.p) r->out.p = calloc(1, 1);
  return 0;
}

/* Runs vigil with the arguments (a NULL-terminated list). */
static int vigil_to(ran *r, const char *out_to, long as_kb, ...) {
  char *argv[64];
  int n = 0;
  argv[n++] = (char *)tu_vigil();
  va_list ap;
  va_start(ap, as_kb);
  char *a;
  while (n < 63 && (a = va_arg(ap, char *)) != NULL) argv[n++] = a;
  va_end(ap);
  argv[n] = NULL;
  return run_argv(r, out_to, as_kb, argv);
}

#define VIGIL(r, ...) vigil_to((r), NULL, 0, __VA_ARGS__, (char *)NULL)

static int exit_code(const ran *r) { return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1; }

#define EXITS(r, code)                                                                                         \
  do {                                                                                                         \
    CU_ASSERT_EQUAL(exit_code(r), code);                                                                       \
    if (exit_code(r) != (code))                                                                                \
      fprintf(stderr, "\n  line %d: exit %d (wait status %d), stderr:\n%.2000s\n", __LINE__, exit_code(r), (r)->status, \
              (r)->err.p ? (r)->err.p : "");                                                                   \
  } while (0)

/* ---- the hostile fixture ---------------------------------------------------------------- */

static char hostile_db[512], hostile_rules[512], schema_path[512];

#define ESC "char(27)"
static const char *const hostile_schema =
  "CREATE TABLE t(k TEXT, d DATE, x REAL, m TEXT, who TEXT);\n"
  "CREATE TABLE people(id TEXT, boss TEXT, name TEXT);\n";

/* Keys, messages and recipients with every kind of hostile text. */
static const char *const hostile_rows =
  "INSERT INTO t VALUES"
  " (CAST(x'61ff62' AS TEXT), '2025-01-01', 5, 'bad' || CAST(x'ff' AS TEXT), 'r1'),"        /* a stray 0xff */
  " (CAST(x'61e282' AS TEXT), '2025-01-01', 5, 'trunc' || CAST(x'e282' AS TEXT), CAST(x'e282' AS TEXT))," /* cut short */
  " (CAST(x'61c0af' AS TEXT), '2025-01-01', 5, 'over' || CAST(x'c0af' AS TEXT), 'r3'),"     /* overlong '/' */
  " ('esc', '2025-01-01', 5, " ESC " || '[2J' || " ESC " || ']0;pwned' || char(7) || ' bell', " ESC " || '[31mboss'),"
  " ('nl', '2025-01-01', 5, 'fine' || char(10) || 'red     p/r  key 1  -> ceo' || char(13) || 'cr', 'r5'),"
  " ('=cmd|'' /C calc''!A0', '2025-01-01', 5, '+1', '-1'),"
  " ('@SUM(A1)', '2025-01-01', 5, '=1+1', char(9) || 'tab'),"
  " ('c1' || CAST(x'c29b' AS TEXT) || '2J' || CAST(x'e280ae' AS TEXT), '2025-01-01', 5, 'bidi' || CAST(x'e280ae' AS TEXT) || 'x', 'r8'),"
  " ('long-key-end', '2025-01-01', 500, 'ok', 'r1'),"
  " ('cr' || char(13), '2025-01-01', 5, char(127) || 'del', '+cmd'),"
  " ('warn' || " ESC " || '[2J', '2025-01-01', 'not a number', 'w', 'r1');"
  "INSERT INTO people VALUES ('r1', 'boss' || " ESC " || '[2J', 'Ann' || CAST(x'ff' AS TEXT) || " ESC " || ']0;t' || char(7)),"
  " ('boss' || " ESC " || '[2J', NULL, 'Big' || char(10) || 'red     x');";
#define HOSTILE_ALERTS 11 /* rule r on 10 rows (not 'warn...': x is not a number), the long rule on 1 */

static char long_name[2001];

/* The pack: rule r (message from column m, recipient from who, routed one
** level up the org) and a rule with a 2000-byte name. */
static void hostile_rules_text(char *buf, size_t cap) {
  memset(long_name, 'n', 2000);
  memcpy(long_name, "long", 4);
  long_name[2000] = 0;
  snprintf(buf, cap,
           "pack p\n"
           "org { table people  person id  manager boss  name name }\n"
           "route red up 1\n"
           "source s { table t key k time d }\n"
           "rule r on s {\n  red when x > 1\n  message \"{m}\"\n  notify who\n}\n"
           "rule `%s` on s {\n  red when x > 100\n  message \"long\"\n}\n",
           long_name);
}

static int make_db(const char *path, const char *sql) {
  remove(path);
  sqlite3 *db = NULL;
  char *err = NULL;
  int rc = sqlite3_open(path, &db) == SQLITE_OK ? sqlite3_exec(db, sql, NULL, NULL, &err) : SQLITE_ERROR;
  if (rc != SQLITE_OK) fprintf(stderr, "\n  test sql fails: %s\n", err ? err : "?");
  sqlite3_free(err);
  sqlite3_close(db);
  return rc == SQLITE_OK ? 0 : -1;
}

static int setup(void) {
  snprintf(dir, sizeof dir, "/tmp/vigil-outputs-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  if (sqlite3_open(":memory:", &mem_db) != SQLITE_OK) return -1;
  path_of(hostile_db, sizeof hostile_db, "h.db");
  path_of(hostile_rules, sizeof hostile_rules, "h.rules");
  path_of(schema_path, sizeof schema_path, "schema.sql");
  char sql[8192], rules[4096];
  snprintf(sql, sizeof sql, "%s%s", hostile_schema, hostile_rows);
  if (make_db(hostile_db, sql) != 0) return -1;
  hostile_rules_text(rules, sizeof rules);
  if (write_file("h.rules", rules, strlen(rules)) != 0) return -1;
  return write_file("schema.sql", hostile_schema, strlen(hostile_schema));
}

static int cleanup(void) {
  sqlite3_close(mem_db);
  mem_db = NULL;
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* ---- the encoders, directly --------------------------------------------------------------- */

/* Pieces that cover each UTF-8 class: ASCII, quote and backslash, controls,
** DEL, stray continuation bytes, C1 controls, 2-, 3- and 4-byte characters,
** overlong forms, surrogates, U+FFFE, past U+10FFFF, lead bytes cut short,
** bidi and line-separator controls, formula starts. */
static const char *const pieces[] = {
  "a", "\"", "\\", "'", "<", "&", ",", "%", ":", "=", "+", "-", "@", "\t", "\n", "\r", "\x1b", "\x07", "\x7f",
  "\x80", "\xbf", "\xc2\x80", "\xc2\x9b", "\xc2\xa0", "\xc3\xa9", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf",
  "\xed\xa0\x80", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xe2\x80\xae", "\xe2\x80\xa8", "\xe2\x81\xa6", "\xe4\xb8\xad",
  "\xf0\x9f\x98\x80", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xff", "\xfe", "\xe2", "\xe2\x82", "\xf0\x9f", "\xc3",
};
#define NPIECES (sizeof pieces / sizeof *pieces)

/* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
static int xml_chars_ok(const char *s, size_t n) {
  if (!utf8_ok(s, n)) return 0;
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n; i++) {
    if (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r') return 0;
    if (u[i] == 0xef && i + 2 < n && u[i + 1] == 0xbf && (u[i + 2] == 0xbe || u[i + 2] == 0xbf)) return 0;
    if (u[i] == '<' || u[i] == '>' || u[i] == '"') return 0; /* escaped */
  }
  return 1;
}

static int check_encoders(const char *p, size_t n) {
  diag_sink s;
  memset(&s, 0, sizeof s);
  int ok = 1;
  out_json(&s, p, n);
  ok &= json_ok(s.buf, s.len);
  s.len = 0;
  out_xml(&s, p, n, 1);
  ok &= xml_chars_ok(s.buf, s.len);
  s.len = 0;
  out_term(&s, p, n);
  ok &= term_clean(s.buf, s.len, 0) && !memchr(s.buf, '\n', s.len);
  ok &= out_term_width(p, n) <= s.len; /* (a code point is at least one byte) */
  s.len = 0;
  out_github(&s, p, n, 1);
  ok &= term_clean(s.buf, s.len, 0) && !memchr(s.buf, '\n', s.len) && !memchr(s.buf, ',', s.len) && !memchr(s.buf, ':', s.len);
  s.len = 0;
  out_csv(&s, p, n, 0);
  ok &= utf8_ok(s.buf, s.len);
  const char *c = s.buf && s.buf[0] == '"' ? s.buf + 1 : s.buf;
  ok &= !(s.len && strchr("=+-@\t\r", c[0]) && c[0]);
  for (size_t i = 0; i < s.len; i++) {
    unsigned char ch = (unsigned char)s.buf[i];
    ok &= !(ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') && ch != 0x7f;
  }
  vg_buf b = {NULL, 0, 0};
  ok &= exec_json_str(&b, p, n) == 0 && json_ok(b.data, b.len);
  vg_buf_free(&b);
  if (!ok) {
    fprintf(stderr, "\n  an encoder fails on:");
    for (size_t i = 0; i < n; i++) fprintf(stderr, " %02x", (unsigned char)p[i]);
    fputc('\n', stderr);
  }
  free(s.buf);
  return ok;
}

/* Every string of up to three pieces, and 20000 random byte strings. */
static void test_encoders_any_bytes(void) {
  char buf[64];
  int bad = 0;
  for (size_t a = 0; a < NPIECES && bad < 5; a++)
    for (size_t b = 0; b <= NPIECES && bad < 5; b++)
      for (size_t c = 0; c <= NPIECES && bad < 5; c++) {
        size_t n = 0;
        const char *pc[3] = {pieces[a], b < NPIECES ? pieces[b] : "", c < NPIECES ? pieces[c] : ""};
        for (int k = 0; k < 3; k++) {
          size_t l = strlen(pc[k]);
          memcpy(buf + n, pc[k], l);
          n += l;
        }
        if (!check_encoders(buf, n)) bad++;
      }
  /* NUL inside and at the ends */
  if (!check_encoders("a\0b", 3) || !check_encoders("\0", 1) || !check_encoders("=\0", 2)) bad++;
  unsigned seed = 12345;
  for (int i = 0; i < 20000 && bad < 5; i++) {
    size_t n = (size_t)(seed % 24);
    for (size_t k = 0; k < n; k++) {
      seed = seed * 1103515245u + 12345u;
      buf[k] = (char)(seed >> 16);
    }
    seed = seed * 1103515245u + 12345u;
    if (!check_encoders(buf, n)) bad++;
  }
  CU_ASSERT_EQUAL(bad, 0);
}

static const char *enc(int which, const char *p, size_t n) {
  static diag_sink s;
  s.len = 0;
  if (which == 0) out_json(&s, p, n);
  else if (which == 1) out_term(&s, p, n);
  else if (which == 2) out_csv(&s, p, n, 0);
  else if (which == 3) out_xml(&s, p, n, 1);
  else if (which == 4) out_github(&s, p, n, 0);
  else out_term_block(&s, p, n, "    ");
  sink_put(&s, "", 0);
  return s.buf;
}

/* enc() of a string literal, all its bytes (NUL bytes included). */
#define ENC(which, lit) enc((which), (lit), sizeof(lit) - 1)

/* The documented forms (docs/CLI.md, Output encoding). */
static void test_encoders_documented(void) {
  CU_ASSERT_STRING_EQUAL(ENC(0, "a\xff\0\x1b\"\\\n\xc2\x9b"), "\"a\xef\xbf\xbd\\u0000\\u001b\\\"\\\\\\n\\u009b\"");
  CU_ASSERT_STRING_EQUAL(ENC(1, "a\xff\0\x1b[2J\x07\t\r\n\x7f\xc2\x9b\xe2\x80\xae\\"),
                         "a\\xff\\0\\x1b[2J\\x07\\t\\r\\n\\x7f\\u009b\\u202e\\");
  CU_ASSERT_STRING_EQUAL(ENC(1, "\xc3\xa9\xe4\xb8\xad"), "\xc3\xa9\xe4\xb8\xad");
  CU_ASSERT_EQUAL(out_term_width("\xc3\xa9\x1b", 3), 5); /* U+00E9 is one column, \x1b four */
  CU_ASSERT_STRING_EQUAL(ENC(5, "one\ntwo\x1b"), "one\n    two\\x1b");
  CU_ASSERT_STRING_EQUAL(ENC(2, "=1+1"), "'=1+1");
  CU_ASSERT_STRING_EQUAL(ENC(2, "-1"), "'-1");
  CU_ASSERT_STRING_EQUAL(ENC(2, "a,\"b\""), "\"a,\"\"b\"\"\"");
  CU_ASSERT_STRING_EQUAL(ENC(2, "@x,y"), "\"'@x,y\"");
  CU_ASSERT_STRING_EQUAL(ENC(2, "a\0\x1b\xff"), "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CU_ASSERT_STRING_EQUAL(ENC(3, "<a&'\"\n\x1b\xff\xc2\x9b"), "&lt;a&amp;&apos;&quot;&#10;\xef\xbf\xbd\xef\xbf\xbd&#x9b;");
  CU_ASSERT_STRING_EQUAL(ENC(4, "50% a\r\nb\x1b"), "50%25 a%0D%0Ab\\x1b");
  diag_sink s;
  memset(&s, 0, sizeof s);
  out_csv(&s, "=1", 2, 1);
  sink_put(&s, "", 0);
  CU_ASSERT_STRING_EQUAL(s.buf, "=1"); /* raw */
  s.len = 0;
  out_format(&s, "[%-6s|%4s|%.*s|%5.1f|%zu|%lld]", "\xc3\xa9", "\x1b", 3, "a\0b", 2.25, (size_t)7, -3LL);
  sink_put(&s, "", 0);
  CU_ASSERT_STRING_EQUAL(s.buf, "[\xc3\xa9     |\\x1b|a\\0b|  2.2|7|-3]");
  free(s.buf);
}

/* ---- run and backtest --------------------------------------------------------------------- */

/* CSV (RFC 4180) into cells; calls cell(i, row, col, text, len) for each.
** Returns the rows, or -1 when malformed. */
typedef struct csv_stats {
  int rows, max_cols, formula, ctrl;
  int raw_formula; /* a cell that starts with '=' (only with --csv-raw) */
} csv_stats;

static int parse_csv(const char *s, size_t n, csv_stats *cs) {
  memset(cs, 0, sizeof cs[0]);
  size_t i = 0;
  int col = 0;
  char cell[8192];
  while (i < n) {
    size_t cl = 0;
    if (s[i] == '"') {
      i++;
      for (;;) {
        if (i >= n) return -1;
        if (s[i] == '"') {
          if (i + 1 < n && s[i + 1] == '"') { if (cl < sizeof cell) cell[cl++] = '"'; i += 2; continue; }
          i++;
          break;
        }
        if (cl < sizeof cell) cell[cl++] = s[i];
        i++;
      }
    } else {
      while (i < n && s[i] != ',' && s[i] != '\n') {
        if (s[i] == '"' || s[i] == '\r') return -1;
        if (cl < sizeof cell) cell[cl++] = s[i];
        i++;
      }
    }
    if (cl && strchr("=+-@\t\r", cell[0])) cs->formula++;
    if (cl && cell[0] == '=') cs->raw_formula++;
    for (size_t k = 0; k < cl; k++) {
      unsigned char ch = (unsigned char)cell[k];
      if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f) cs->ctrl++;
    }
    col++;
    if (i < n && s[i] == ',') { i++; continue; }
    if (i < n && s[i] != '\n') return -1;
    i++;
    cs->rows++;
    if (col > cs->max_cols) cs->max_cols = col;
    col = 0;
  }
  return cs->rows;
}

/* The lines of text that start at column 0 with something other than a space. */
static int header_lines(const char *s, size_t n, const char *prefix) {
  int k = 0;
  for (size_t i = 0; i < n;) {
    const char *e = memchr(s + i, '\n', n - i);
    size_t l = e ? (size_t)(e - (s + i)) : n - i;
    if (l && s[i] != ' ') {
      if (strncmp(s + i, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "\n  a line that is not an alert header: %.*s\n", (int)(l > 200 ? 200 : l), s + i);
        return -1;
      }
      k++;
    }
    i += l + 1;
  }
  return k;
}

/* The lines that start at column 0 with something other than a space. */
static int col0_lines(const char *s, size_t n) {
  int k = 0;
  for (size_t i = 0; i < n;) {
    const char *e = memchr(s + i, '\n', n - i);
    size_t l = e ? (size_t)(e - (s + i)) : n - i;
    k += l && s[i] != ' ';
    i += l + 1;
  }
  return k;
}

/* Regression (item 7): invalid UTF-8 passed into `run --format jsonl`. */
static void test_run_jsonl(void) {
  ran r;
  VIGIL(&r, "run", "--db", hostile_db, "--as-of", "2025-01-02", "--dry-run", "--format", "jsonl", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT_EQUAL(json_lines(r.out.p, r.out.n), HOSTILE_ALERTS);
  size_t l = 0;
  /* the data is kept where JSON can hold it: a\xffb is a U+FFFD b; ESC is \u001b */
  CU_ASSERT_PTR_NOT_NULL(json_line_where(r.out.p, r.out.n, "$.key", "a\xef\xbf\xbd" "b", &l));
  const char *esc = json_line_where(r.out.p, r.out.n, "$.key", "esc", &l);
  CU_ASSERT(esc && strcmp(json_get(esc, l, "$.message"), "\x1b[2J\x1b]0;pwned\x07 bell") == 0);
  CU_ASSERT(esc && contains(esc, l, "\\u001b[2J"));
  CU_ASSERT(term_clean(r.err.p, r.err.n, 0));
  ran_free(&r);
}

/* Regressions (items 8, 16): raw ESC, BEL, CR and line feeds in `run` text
** (a message with a line feed forged an alert header), and the header cut
** at 511 bytes (a long rule name lost the key). */
static void test_run_text(void) {
  ran r;
  VIGIL(&r, "run", "--db", hostile_db, "--as-of", "2025-01-02", "--dry-run", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT(term_clean(r.out.p, r.out.n, 0));
  CU_ASSERT(term_clean(r.err.p, r.err.n, 0));
  /* every line at column 0 is a real alert's header; messages are indented */
  CU_ASSERT_EQUAL(header_lines(r.out.p, r.out.n, "red     p/"), HOSTILE_ALERTS);
  CU_ASSERT(contains(r.out.p, r.out.n, "\n        red     p/r  key 1  -> ceo\\rcr\n"));
  CU_ASSERT(contains(r.out.p, r.out.n, "key a\\xffb  -> r1"));
  CU_ASSERT(contains(r.out.p, r.out.n, "key a\\xc0\\xaf  -> r3"));
  CU_ASSERT(contains(r.out.p, r.out.n, "key a\\xe2\\x82  -> \\xe2\\x82"));
  CU_ASSERT(contains(r.out.p, r.out.n, "\\x1b[2J\\x1b]0;pwned\\x07 bell"));
  CU_ASSERT(contains(r.out.p, r.out.n, "key c1\\u009b2J\\u202e"));
  CU_ASSERT(contains(r.out.p, r.out.n, "\\x7fdel"));
  /* the 2000-byte rule name and, after it, the key */
  char want[2100];
  snprintf(want, sizeof want, "red     p/%s  key long-key-end\n", long_name);
  CU_ASSERT(contains(r.out.p, r.out.n, want));
  ran_free(&r);
}

/* Regression (item 17): formula-leading cells reached --format csv. */
static void test_run_csv(void) {
  ran r;
  csv_stats cs;
  VIGIL(&r, "run", "--db", hostile_db, "--as-of", "2025-01-02", "--dry-run", "--format", "csv", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT(utf8_ok(r.out.p, r.out.n));
  CU_ASSERT_EQUAL(parse_csv(r.out.p, r.out.n, &cs), HOSTILE_ALERTS + 1);
  CU_ASSERT_EQUAL(cs.max_cols, 7);
  CU_ASSERT_EQUAL(cs.formula, 0);
  CU_ASSERT_EQUAL(cs.ctrl, 0);
  CU_ASSERT(contains(r.out.p, r.out.n, ",'=cmd|' /C calc'!A0,"));
  CU_ASSERT(contains(r.out.p, r.out.n, ",'+1,'-1\n"));
  CU_ASSERT(contains(r.out.p, r.out.n, ",'@SUM(A1),"));
  ran_free(&r);
  /* --csv-raw keeps them */
  VIGIL(&r, "run", "--db", hostile_db, "--as-of", "2025-01-02", "--dry-run", "--format", "csv", "--csv-raw", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT_EQUAL(parse_csv(r.out.p, r.out.n, &cs), HOSTILE_ALERTS + 1);
  CU_ASSERT(cs.raw_formula >= 2);
  CU_ASSERT(contains(r.out.p, r.out.n, ",=cmd|' /C calc'!A0,"));
  ran_free(&r);
}

/* Regressions (items 7, 8, 17): backtest in every format. */
static void test_backtest_formats(void) {
  ran r;
  csv_stats cs;
  VIGIL(&r, "backtest", "--db", hostile_db, "--from", "2025-01-02", "--to", "2025-01-03", "--format", "jsonl", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT_EQUAL(json_lines(r.out.p, r.out.n), 2 * HOSTILE_ALERTS);
  CU_ASSERT(term_clean(r.err.p, r.err.n, 0));
  ran_free(&r);
  VIGIL(&r, "backtest", "--db", hostile_db, "--from", "2025-01-02", "--to", "2025-01-03", "--format", "csv", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT(utf8_ok(r.out.p, r.out.n));
  CU_ASSERT_EQUAL(parse_csv(r.out.p, r.out.n, &cs), 2 * HOSTILE_ALERTS + 1);
  CU_ASSERT_EQUAL(cs.formula, 0);
  CU_ASSERT_EQUAL(cs.ctrl, 0);
  ran_free(&r);
  VIGIL(&r, "backtest", "--db", hostile_db, "--from", "2025-01-02", "--to", "2025-01-03", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT(term_clean(r.out.p, r.out.n, 0));
  CU_ASSERT(contains(r.out.p, r.out.n, "key a\\xffb  first 2025-01-02"));
  char want[2100];
  snprintf(want, sizeof want, "  p/%s  key long-key-end  first", long_name);
  CU_ASSERT(contains(r.out.p, r.out.n, want));
  ran_free(&r);
}

/* Regressions (items 7, 8): the recorded evidence and route are valid JSON
** in valid UTF-8; the run's warnings (example keys and persons) are clean. */
static void test_recorded_json(void) {
  char db[512], cmd[1200];
  path_of(db, sizeof db, "rec.db");
  snprintf(cmd, sizeof cmd, "cp '%s' '%s'", hostile_db, db);
  CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
  ran r;
  VIGIL(&r, "run", "--db", db, "--as-of", "2025-01-02", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT(term_clean(r.err.p, r.err.n, 0));
  CU_ASSERT(contains(r.err.p, r.err.n, "warn\\x1b[2J")); /* the example key of the bad-data warning */
  ran_free(&r);
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  int rows = 0, routes = 0;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_prepare_v2(h, "SELECT evidence, route FROM vigil_alerts", -1, &st, NULL), SQLITE_OK);
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    rows++;
    for (int c = 0; c < 2; c++) {
      if (sqlite3_column_type(st, c) == SQLITE_NULL) continue;
      const char *t = (const char *)sqlite3_column_text(st, c);
      size_t n = (size_t)sqlite3_column_bytes(st, c);
      CU_ASSERT(json_ok(t, n));
      routes += c == 1;
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  CU_ASSERT_EQUAL(rows, HOSTILE_ALERTS);
  CU_ASSERT(routes >= 1);
}

/* ---- check ----------------------------------------------------------------------------- */

/* Control characters only: a rules file that is not UTF-8 text is refused
** before anything quotes it (test_dbrobust.c, test_not_text_refused). */
static const char bad_rules[] =
  "pack p\n"
  "# a comment: \x1b[2J \x07 \xc2\x9b\n"
  "source s { table t key k time d }\n"
  "rule r on s {\n"
  "  red when x > 1 and m = \"a\xc2\x9b" "b\x1b[31m\x07\" and `zz\x1b]0;t\x07\xc2\x85` > 1\n"
  "}\n"
  "rule q on s { red when x > 1 \x7f }\n";

/* Regressions (items 7, 8): check --format json|sarif gave invalid UTF-8,
** --format github and text printed ESC and BEL (the quoted source line too). */
static void test_check_formats(void) {
  CU_ASSERT_EQUAL_FATAL(write_file("bad.rules", bad_rules, sizeof bad_rules - 1), 0);
  char bad[512];
  path_of(bad, sizeof bad, "bad.rules");
  ran r;
  VIGIL(&r, "check", "--schema", schema_path, "--format", "json", bad);
  EXITS(&r, 1);
  CU_ASSERT(json_ok(r.out.p, r.out.n));
  CU_ASSERT(contains(r.out.p, r.out.n, "zz\\u001b]0;t\\u0007\\u0085"));
  ran_free(&r);
  VIGIL(&r, "check", "--schema", schema_path, "--format", "sarif", bad);
  EXITS(&r, 1);
  CU_ASSERT(json_ok(r.out.p, r.out.n));
  ran_free(&r);
  VIGIL(&r, "check", "--schema", schema_path, "--format", "github", bad);
  EXITS(&r, 1);
  CU_ASSERT(term_clean(r.out.p, r.out.n, 0));
  CU_ASSERT_EQUAL(header_lines(r.out.p, r.out.n, "::"), 2);
  CU_ASSERT(contains(r.out.p, r.out.n, "unknown name 'zz\\x1b]0;t\\x07\\u0085'"));
  ran_free(&r);
  VIGIL(&r, "check", "--schema", schema_path, bad);
  EXITS(&r, 1);
  CU_ASSERT(term_clean(r.err.p, r.err.n, 0));
  /* the caret stands under the backquote of `zz..., as printed */
  const char *line = strstr(r.err.p, "  red when x > 1 and m = \"a\\u009bb\\x1b[31m\\x07\" and `zz\\x1b");
  CU_ASSERT_PTR_NOT_NULL(line);
  if (line) {
    const char *ls = line;
    while (ls > r.err.p && ls[-1] != '\n') ls--;
    const char *nl = strchr(line, '\n');
    const char *caret = nl ? strchr(nl + 1, '^') : NULL;
    CU_ASSERT(caret && caret - (nl + 1) == strstr(line, "`zz") - ls);
    /* and spans the whole name as printed: `zz\x1b]0;t\x07\u0085` (22 columns) */
    size_t tildes = caret ? strspn(caret + 1, "~") : 0;
    CU_ASSERT_EQUAL(tildes, 21);
  }
  ran_free(&r);
}

/* ---- test and JUnit ------------------------------------------------------------------------- */

/* python3's XML parser (expat: well-formedness, XML 1.0 characters, UTF-8). */
static int xml_well_formed(const char *path) {
  ran r;
  char *argv[] = {"python3", "-c", "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])", (char *)path, NULL};
  if (run_argv(&r, NULL, 0, argv) != 0) return 0;
  int ok = exit_code(&r) == 0;
  if (!ok) fprintf(stderr, "\n  %s is not well-formed XML: %.500s\n", path, r.err.p);
  ran_free(&r);
  return ok;
}

static const char test_rules[] =
  "pack p\n"
  "source s { table t key k time d }\n"
  "rule r on s {\n  red when x > 1\n  message \"{m}\"\n}\n"
  "test \"bad \xc2\x9b name \x1b[2J <&> \x07 \xc2\x85\" {\n"
  "  as_of 2025-01-02\n"
  "  table t (k, d, x, m) {\n"
  "    (\"a\x1b[2Jb\xc2\x9b\", 2025-01-01, 5, \"m\xc2\x9b\x07\\nFAIL forged (x:1)\r\")\n"
  "  }\n"
  "  expect red r \"a\x1b[2Jb\xc2\x9b\" message \"other\"\n"
  "}\n";

/* Regressions (items 7, 8): `test --junit` wrote XML that is not well
** formed; the FAIL line and the diff printed raw ESC, BEL and CR. */
static void test_junit(void) {
  char sub[512], rules[600], junit[512];
  path_of(sub, sizeof sub, "tpack");
  mkdir(sub, 0700);
  CU_ASSERT_EQUAL_FATAL(write_file("tpack/p.rules", test_rules, sizeof test_rules - 1), 0);
  CU_ASSERT_EQUAL_FATAL(write_file("tpack/schema.sql", "CREATE TABLE t(k TEXT, d DATE, x REAL, m TEXT);\n", 48), 0);
  snprintf(rules, sizeof rules, "%s/p.rules", sub);
  path_of(junit, sizeof junit, "junit.xml");
  ran r;
  VIGIL(&r, "test", "--junit", junit, rules);
  EXITS(&r, 1);
  CU_ASSERT(term_clean(r.out.p, r.out.n, 0));
  CU_ASSERT(term_clean(r.err.p, r.err.n, 0));
  CU_ASSERT(contains(r.out.p, r.out.n, "FAIL bad \\u009b name \\x1b[2J <&> \\x07 \\u0085 ("));
  /* at column 0 only the FAIL line and the summary: the diff is indented */
  CU_ASSERT_EQUAL(col0_lines(r.out.p, r.out.n), 2);
  CU_ASSERT(contains(r.out.p, r.out.n, "    + actual red r \"a\\x1b[2Jb\\u009b\" \"m\\u009b\\x07\\nFAIL forged (x:1)\\r\"\n"));
  ran_free(&r);
  CU_ASSERT(xml_well_formed(junit));
  bytes x = read_path(junit);
  CU_ASSERT(x.p && utf8_ok(x.p, x.n));
  CU_ASSERT(x.p && contains(x.p, x.n, "name=\"bad &#x9b; name \xef\xbf\xbd[2J &lt;&amp;&gt; \xef\xbf\xbd &#x85;\""));
  free(x.p);
}

/* ---- digest ---------------------------------------------------------------------------------- */

/* Regression (item 5b, digest side): NUL bytes in a recorded key, message
** and recipient are shown as \0, never cut, and the person p\0x is not
** merged with p. */
static void test_nul_digest(void) {
  char db[512];
  path_of(db, sizeof db, "dg.db");
  CU_ASSERT_EQUAL_FATAL(make_db(db,
    "CREATE TABLE vigil_runs(run_id INTEGER PRIMARY KEY, pack TEXT, as_of TEXT, started_at TEXT, finished_at TEXT,"
    " status TEXT, rows_read INTEGER, alerts INTEGER);"
    "CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, key TEXT, as_of TEXT, message TEXT,"
    " recipient TEXT);"
    "INSERT INTO vigil_runs VALUES (1, 'p', '2025-01-02', 't', 't', 'ok', 3, 3);"
    "INSERT INTO vigil_alerts VALUES (1, 'p', 'r', 'red', 'k' || char(0) || 'x', '2025-01-02', 'a' || char(0) || 'secret',"
    "  'p' || char(0) || 'x'),"
    " (1, 'p', 'r', 'red', 'k', '2025-01-02', 'plain' || CAST(x'c0' AS TEXT), 'p'),"
    " (1, 'p', 'r', 'red', 'e', '2025-01-02', " ESC " || '[2J' || CAST(x'ff' AS TEXT), 'p');"), 0);
  static const char *const formats[] = {"text", "markdown", "html"};
  for (int f = 0; f < 3; f++) {
    ran r;
    VIGIL(&r, "digest", "--db", db, "--format", formats[f]);
    EXITS(&r, 0);
    CU_ASSERT(term_clean(r.out.p, r.out.n, 1));
    CU_ASSERT(contains(r.err.p, r.err.n, ": 2 digests;"));
    CU_ASSERT(contains(r.out.p, r.out.n, f == 1 ? "a\\\\0secret" : "a\\0secret"));
    CU_ASSERT(contains(r.out.p, r.out.n, f == 1 ? "plain\\\\xc0" : "plain\\xc0"));
    CU_ASSERT(contains(r.out.p, r.out.n, f == 1 ? "\\\\x1b\\[2J\\\\xff" : "\\x1b[2J\\xff"));
    ran_free(&r);
  }
}

/* ---- NUL bytes from the engine ----------------------------------------------------------------- */

/* Item 5 (output half): keys, messages and recipients with NUL bytes are
** written with the NUL visible (\u0000 in JSON, \0 on a terminal), never
** cut at it, and keys a\0b and a stay two keys.
** EXPECTED TO FAIL in branch h11-outputs until the engine carries lengths
** (the owner's change to runtime/exec.c: vg_alert.key_len...). */
static void test_nul_run(void) {
  char db[512];
  path_of(db, sizeof db, "nul.db");
  char sql[2048];
  snprintf(sql, sizeof sql, "%s%s", hostile_schema,
           "INSERT INTO t VALUES ('a' || char(0) || 'b', '2025-01-01', 5, 'ok' || char(0) || 'secret', 'r' || char(0) || 'x'),"
           " ('a', '2025-01-01', 5, 'plain', 'r');");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sql), 0);
  ran r;
  VIGIL(&r, "run", "--db", db, "--as-of", "2025-01-02", "--dry-run", "--format", "jsonl", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT_EQUAL(json_lines(r.out.p, r.out.n), 2);
  CU_ASSERT(contains(r.out.p, r.out.n, "\"key\":\"a\\u0000b\""));
  CU_ASSERT(contains(r.out.p, r.out.n, "\"message\":\"ok\\u0000secret\""));
  CU_ASSERT(contains(r.out.p, r.out.n, "\"recipient\":\"r\\u0000x\""));
  ran_free(&r);
  VIGIL(&r, "run", "--db", db, "--as-of", "2025-01-02", "--dry-run", hostile_rules);
  EXITS(&r, 0);
  CU_ASSERT(term_clean(r.out.p, r.out.n, 0));
  CU_ASSERT(contains(r.out.p, r.out.n, "key a\\0b  -> r\\0x\n        ok\\0secret\n"));
  ran_free(&r);
}

/* ---- writes ---------------------------------------------------------------------------------- */

/* Regression (item 9): output into a full device was lost with exit 0. */
static void test_dev_full(void) {
  if (access("/dev/full", W_OK) != 0) {
    fprintf(stderr, "(no /dev/full: skipped) ");
    return;
  }
  char fmt_file[512];
  path_of(fmt_file, sizeof fmt_file, "fmt.rules");
  CU_ASSERT_EQUAL_FATAL(write_file("fmt.rules", "pack   p\n", 9), 0);
  ran r;
  struct { const char *what; char *argv[16]; } cases[] = {
    {"run jsonl", {"run", "--db", hostile_db, "--as-of", "2025-01-02", "--dry-run", "--format", "jsonl", hostile_rules, NULL}},
    {"run text", {"run", "--db", hostile_db, "--as-of", "2025-01-02", "--dry-run", hostile_rules, NULL}},
    {"backtest", {"backtest", "--db", hostile_db, "--from", "2025-01-02", "--to", "2025-01-02", "--format", "jsonl", hostile_rules,
                  NULL}},
    {"backtest text", {"backtest", "--db", hostile_db, "--from", "2025-01-02", "--to", "2025-01-02", hostile_rules, NULL}},
    {"disasm", {"disasm", hostile_rules, NULL}},
    {"fmt", {"fmt", fmt_file, NULL}},
    {"check json", {"check", "--format", "json", hostile_rules, NULL}},
    {"check text", {"check", hostile_rules, NULL}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *argv[20];
    int n = 0;
    argv[n++] = (char *)tu_vigil();
    for (int k = 0; cases[i].argv[k]; k++) argv[n++] = cases[i].argv[k];
    argv[n] = NULL;
    CU_ASSERT_EQUAL_FATAL(run_argv(&r, "/dev/full", 0, argv), 0);
    int ok = exit_code(&r) == 1 && contains(r.err.p, r.err.n, "vigil: error writing the output: No space left on device\n");
    CU_ASSERT(ok);
    if (!ok) fprintf(stderr, "\n  %s > /dev/full: exit %d, stderr: %.500s\n", cases[i].what, exit_code(&r), r.err.p);
    ran_free(&r);
  }
}

/* ---- out of memory ------------------------------------------------------------------------------ */

/* Regression (item 12): `vigil run` under a small address-space limit
** exited 1 with no message.  Every limit from where the loader gets
** through up to where the run succeeds: success, or exit 1 with a message
** that names the memory. */
static void test_out_of_memory(void) {
  if (OT_ASAN) {
    fprintf(stderr, "(AddressSanitizer build: skipped) ");
    return;
  }
  char db[512], sql_path[600];
  path_of(db, sizeof db, "saas.db");
  remove(db);
  sqlite3 *h = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
  const char *files[] = {"schema.sql", "demo.sql"};
  for (int i = 0; i < 2; i++) {
    snprintf(sql_path, sizeof sql_path, "%s/examples/saas/%s", tu_root(), files[i]);
    bytes sql = read_path(sql_path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sql.p);
    char *err = NULL;
    int rc = sqlite3_exec(h, sql.p, NULL, NULL, &err);
    if (rc != SQLITE_OK) fprintf(stderr, "\n  %s: %s\n", files[i], err ? err : "?");
    CU_ASSERT_EQUAL(rc, SQLITE_OK);
    sqlite3_free(err);
    free(sql.p);
  }
  sqlite3_close(h);
  char pack[600];
  snprintf(pack, sizeof pack, "%s/examples/saas", tu_root());
  int silent = 0, crashed = 0, oom = 0, succeeded = 0;
  long kb;
  for (kb = 2048; kb < 262144 && succeeded < 2 && silent + crashed < 3; kb += kb < 16384 ? 32 : 1024) {
    ran r;
    if (vigil_to(&r, "/dev/null", kb, "run", "--db", db, "--as-of", "2025-06-30", pack, (char *)NULL) != 0) break;
    int code = exit_code(&r);
    if (code == 0) succeeded++;
    else if (code == 127) {}   /* the loader could not map the program */
    else if (code == 1 && contains(r.err.p, r.err.n, "memory")) oom++;
    else if (code == 1) {
      silent++;
      fprintf(stderr, "\n  under %ld KB: exit 1 without a word about memory: %.300s\n", kb, r.err.p);
    } else {
      /* a crash: ours, or the loader's (glibc's rtld can crash in init_tls
      ** when an mmap fails)?  The same run with a database path of the same
      ** length that does not exist (so the same layout, without ASLR): if
      ** that reaches main, it says "no such database" */
      ran v;
      db[strlen(db) - 1] = 'X';
      vigil_to(&v, "/dev/null", kb, "run", "--db", db, "--as-of", "2025-06-30", pack, (char *)NULL);
      db[strlen(db) - 1] = 'b';
      int reached_main = contains(v.err.p, v.err.n, "no such database");
      ran_free(&v);
      if (reached_main) {
        crashed++;
        fprintf(stderr, "\n  under %ld KB: wait status %d, stderr: %.300s\n", kb, r.status, r.err.p);
      }
    }
    ran_free(&r);
  }
  CU_ASSERT_EQUAL(silent, 0);
  CU_ASSERT_EQUAL(crashed, 0);
  CU_ASSERT(oom > 0);         /* some limit really ran out of memory */
  CU_ASSERT(succeeded > 0);   /* and the scan reached success */
}

int unit_register_outputs(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
    {"encoders: any bytes give valid JSON, XML, CSV, terminal text", test_encoders_any_bytes},
    {"encoders: the documented forms", test_encoders_documented},
    {"regression: run --format jsonl is valid JSON in UTF-8", test_run_jsonl},
    {"regression: run text neutralises controls; no forged header; no cut at 511 bytes", test_run_text},
    {"regression: run --format csv neutralises formulas (--csv-raw keeps them)", test_run_csv},
    {"regression: backtest jsonl, csv, text", test_backtest_formats},
    {"regression: recorded evidence and route are valid JSON", test_recorded_json},
    {"regression: check --format json, sarif, github, text", test_check_formats},
    {"regression: test --junit is well-formed XML; FAIL lines clean", test_junit},
    {"regression: digest shows NUL bytes as \\0 and keeps persons apart", test_nul_digest},
    {"NUL bytes in run output (fails until the engine carries lengths)", test_nul_run},
    {"regression: output into /dev/full is an error", test_dev_full},
    {"regression: out of memory always says so", test_out_of_memory},
  };
  CU_pSuite s = CU_add_suite("outputs: encoders for any bytes, checked writes", setup, cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}
