/*
** fuzz_data.c — libFuzzer target: a hostile DATABASE for a fixed pack
** (issue 11: "the fuzzers gain ... a hostile database mode").
**
** fuzz_run and fuzz_vgc vary the program over one fixed database; this
** target fixes the program (fuzz/hostile.rules, embedded by build.sh) and
** builds the database from the input bytes:
**
**   byte 0, bits 0-1: the shape of table h: plain; with a TEXT column named
**           rowid; with columns rowid, _rowid_ and oid and an INTEGER
**           PRIMARY KEY; WITHOUT ROWID;
**   byte 0, bits 2-3: recording tables made before the run: none; a
**           vigil_runs whose run_id is not the rowid; run_id TEXT PRIMARY
**           KEY; a vigil_alerts that lacks a column;
**   then records of h (and of the org chart people): a key (text bytes,
**   an integer, NULL or a blob), a time (a date, a date with a time and a
**   zone, unreadable text, NULL or an integer), a number (or text, NULL,
**   an infinity), a text of any bytes (NUL, invalid UTF-8, ESC, BEL, C1,
**   formula-leading characters) and a group.
**
** For each database:
**   1. the evaluations that must agree (fuzz_eval.h: seeks, scan, backtest);
**   2. a recording run: it succeeds, or fails with the reason (a recording
**      table of the wrong shape is refused before anything is written);
**      when it succeeds, every recorded key, message and recipient equals
**      the alert handed over, byte for byte (lengths included), and every
**      evidence and route is valid JSON in valid UTF-8 (SQLite's
**      json_valid);
**   3. the run's digests in every format: valid UTF-8; the text and
**      Markdown digests hold no control character but line feeds;
**   4. the vigil command's encoders (cli/out.c) on every alert text: JSON
**      and CSV valid UTF-8 with no raw control character, terminal text
**      with none at all.
** Anything else aborts (a finding), as do sanitizer reports.
*/
#include <ctype.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil.h"
#include "mem.h"
#include "fuzz_eval.h"
#include "../cli/out.h"

static const char hostile_rules[] =
#include "hostile_rules.inc"
    ;

static vg_program *prog;
static char db_path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp || strlen(tmp) > 64) tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(db_path, sizeof db_path, "%s/vigil-fuzz-data-%ld.db", tmp, (long)getpid());
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = fuzz_on_diag;
  if (vg_compile_string("hostile.rules", hostile_rules, sizeof hostile_rules - 1, NULL, &co, &prog) != VG_OK) {
    fprintf(stderr, "fuzz_data: fuzz/hostile.rules does not compile\n");
    exit(1);
  }
  return 0;
}

/* ---- reading the input -------------------------------------------------------------- */

typedef struct in { const uint8_t *p; size_t n, i; } in;

static int more(const in *x) { return x->i < x->n; }
static unsigned byte(in *x) { return x->i < x->n ? x->p[x->i++] : 0; }
static const uint8_t *take(in *x, size_t *len, size_t max) {
  size_t n = byte(x) % (max + 1);
  if (n > x->n - x->i) n = x->n - x->i;
  const uint8_t *s = x->p + x->i;
  x->i += n;
  *len = n;
  return s;
}

static void bind_time(sqlite3_stmt *st, int i, in *x) {
  static const char *const odd[] = {"2025-02-30", "2025-06-31T10:00", "20250601", " 2025-06-01", "2025-06-01T23:30-05:00",
                                    "2025-06-02T00:30+05:00", "9999-12-31", "0000-01-01", "2025-13-01", "", "\xff\x1b"};
  unsigned s = byte(x);
  char buf[40];
  if (s < 200) {
    int d = (int)(s % 60), m = 5 + d / 30;
    snprintf(buf, sizeof buf, "2025-%02d-%02d", m, d % 30 + 1);
    sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
  } else if (s < 230) {
    const char *o = odd[s % (sizeof odd / sizeof *odd)];
    sqlite3_bind_text(st, i, o, -1, SQLITE_TRANSIENT);
  } else if (s < 245) {
    sqlite3_bind_null(st, i);
  } else {
    sqlite3_bind_int(st, i, (int)s);
  }
}

static void bind_bytes(sqlite3_stmt *st, int i, in *x, int blob) {
  size_t n;
  const uint8_t *s = take(x, &n, 24);
  if (blob) sqlite3_bind_blob(st, i, s, (int)n, SQLITE_TRANSIENT);
  else sqlite3_bind_text(st, i, (const char *)s, (int)n, SQLITE_TRANSIENT);
}

static void bind_key(sqlite3_stmt *st, int i, in *x) {
  unsigned k = byte(x);
  switch (k % 5) {
  case 0: case 1: bind_bytes(st, i, x, 0); break;
  case 2: sqlite3_bind_int64(st, i, (sqlite3_int64)(k / 5) - 20); break;
  case 3: sqlite3_bind_null(st, i); break;
  default: bind_bytes(st, i, x, 1); break;
  }
}

static void bind_number(sqlite3_stmt *st, int i, in *x) {
  unsigned s = byte(x);
  switch (s % 8) {
  case 0: sqlite3_bind_null(st, i); break;
  case 1: bind_bytes(st, i, x, 0); break;
  case 2: sqlite3_bind_double(st, i, s & 8 ? 1e308 * 10 : -1e308 * 10); break;
  default: sqlite3_bind_double(st, i, ((double)byte(x) - 100.0) / (double)(1 + s % 7)); break;
  }
}

/* ---- the database --------------------------------------------------------------------------- */

static const char *const h_shapes[4] = {
  "CREATE TABLE h(k, d DATE, x REAL, t TEXT, g INTEGER);",
  "CREATE TABLE h(k, d DATE, x REAL, t TEXT, g INTEGER, rowid TEXT);",
  "CREATE TABLE h(id INTEGER PRIMARY KEY, k, d DATE, x REAL, t TEXT, g INTEGER, rowid, _rowid_, oid);",
  "CREATE TABLE h(k, d DATE, x REAL, t TEXT, g INTEGER, seq INTEGER, PRIMARY KEY(seq)) WITHOUT ROWID;",
};
static const char *const rec_shapes[4] = {
  "",
  "CREATE TABLE vigil_runs(run_id INTEGER, pack TEXT, as_of TEXT, started_at TEXT, finished_at TEXT, status TEXT,"
  " rows_read INTEGER, alerts INTEGER);",
  "CREATE TABLE vigil_runs(run_id TEXT PRIMARY KEY, pack TEXT, as_of TEXT, started_at TEXT, finished_at TEXT, status TEXT,"
  " rows_read INTEGER, alerts INTEGER);",
  "CREATE TABLE vigil_alerts(run_id INTEGER, pack TEXT, rule TEXT, tier TEXT, key TEXT, as_of TEXT, message TEXT);",
};

static void die(const char *what, sqlite3 *db) {
  fprintf(stderr, "fuzz_data: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
  abort();
}

static void make_db(const uint8_t *data, size_t size) {
  unlink(db_path);
  sqlite3 *db = NULL;
  in x = {data, size, 0};
  unsigned flags = byte(&x);
  if (sqlite3_open(db_path, &db) != SQLITE_OK) die("open", db);
  char sql[1024];
  snprintf(sql, sizeof sql,
           "BEGIN; %s %s CREATE TABLE people(person TEXT, manager TEXT, name TEXT); CREATE INDEX h_kd ON h(k, d);",
           h_shapes[flags & 3], rec_shapes[(flags >> 2) & 3]);
  if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) die("schema", db);
  sqlite3_stmt *ins = NULL, *ppl = NULL;
  const char *q = (flags & 3) == 3 ? "INSERT INTO h(k, d, x, t, g, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                   : "INSERT INTO h(k, d, x, t, g) VALUES (?1, ?2, ?3, ?4, ?5)";
  if (sqlite3_prepare_v2(db, q, -1, &ins, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO people VALUES (?1, ?2, ?3)", -1, &ppl, NULL) != SQLITE_OK)
    die("prepare", db);
  for (int row = 0; more(&x) && row < 200; row++) {
    unsigned kind = byte(&x);
    sqlite3_stmt *st = kind % 7 == 0 ? ppl : ins;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (st == ppl) {
      bind_bytes(st, 1, &x, 0);
      if (byte(&x) & 1) bind_bytes(st, 2, &x, 0);
      bind_bytes(st, 3, &x, 0);
    } else {
      bind_key(st, 1, &x);
      bind_time(st, 2, &x);
      bind_number(st, 3, &x);
      bind_bytes(st, 4, &x, (kind & 8) != 0);
      sqlite3_bind_int(st, 5, (int)(byte(&x) % 4));
      if ((flags & 3) == 3) sqlite3_bind_int(st, 6, row);
    }
    if (sqlite3_step(st) != SQLITE_DONE) die("insert", db);
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(ppl);
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) die("commit", db);
  sqlite3_close(db);
}

/* ---- the checks ------------------------------------------------------------------------------ */

/* 1 when s[0..n) is well-formed UTF-8. */
static int utf8_ok(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    unsigned c = u[i];
    size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!len || i + len > n) return 0;
    for (size_t k = 1; k < len; k++)
      if ((u[i + k] & 0xC0) != 0x80) return 0;
    if (len == 3 && ((c == 0xE0 && u[i + 1] < 0xA0) || (c == 0xED && u[i + 1] > 0x9F))) return 0;
    if (len == 4 && ((c == 0xF0 && u[i + 1] < 0x90) || (c == 0xF4 && u[i + 1] > 0x8F))) return 0;
    i += len;
  }
  return 1;
}

/* 1 when s[0..n) holds no C0 control but those in allowed, nor DEL. */
static int no_controls(const char *s, size_t n, const char *allowed) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 && !(c && strchr(allowed, c))) || c == 0x7f) return 0;
  }
  return 1;
}

static void fail(const char *what, const char *s, size_t n) {
  fprintf(stderr, "fuzz_data: %s: [", what);
  for (size_t i = 0; i < n && i < 400; i++) fprintf(stderr, isprint((unsigned char)s[i]) ? "%c" : "\\x%02x", (unsigned char)s[i]);
  fprintf(stderr, "]\n");
  abort();
}

/* The alerts a recording run hands over, as length-prefixed records, and
** every encoder's output on their texts. */
static int on_alert(void *ud, const vg_alert *a) {
  vg_buf *b = ud;
  const char *f[3] = {a->key, a->message, a->recipient};
  size_t n[3] = {a->key_len, a->message_len, a->recipient_len};
  for (int i = 0; i < 3; i++) {
    uint64_t len = f[i] ? n[i] : UINT64_MAX;
    if (vg_buf_append(b, &len, sizeof len) != 0 || (f[i] && vg_buf_append(b, f[i], n[i]) != 0)) abort();
    if (f[i] && f[i][n[i]] != 0) fail("a text is not NUL-terminated after its length", f[i], n[i]);
    diag_sink s;
    memset(&s, 0, sizeof s);
    out_json(&s, f[i], n[i]);
    if (!utf8_ok(s.buf, s.len) || !no_controls(s.buf, s.len, "")) fail("JSON encoding", s.buf, s.len);
    s.len = 0;
    out_csv(&s, f[i], n[i], 0);
    /* tab, LF and CR are data inside a quoted cell (RFC 4180) */
    if (!utf8_ok(s.buf, s.len) || !no_controls(s.buf, s.len, "\t\n\r")) fail("CSV encoding", s.buf, s.len);
    if (s.len && (s.buf[0] == '=' || s.buf[0] == '+' || s.buf[0] == '-' || s.buf[0] == '@'))
      fail("CSV cell left as a formula", s.buf, s.len);
    s.len = 0;
    out_term(&s, f[i], n[i]);
    if (!utf8_ok(s.buf, s.len) || !no_controls(s.buf, s.len, "")) fail("terminal encoding", s.buf, s.len);
    s.len = 0;
    out_xml(&s, f[i], n[i], 1);
    if (!utf8_ok(s.buf, s.len) || !no_controls(s.buf, s.len, "")) fail("XML encoding", s.buf, s.len);
    free(s.buf);
  }
  return 0;
}

/* What the recording holds, in on_alert's form, and checks its JSON. */
static void read_recording(vg_buf *b) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "SELECT key, message, recipient, evidence, route, json_valid(evidence), json_valid(route)"
                             " FROM vigil_alerts WHERE status != 'resolved' ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
    die("reading the recording", db);
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < 3; i++) {
      const char *t = (const char *)sqlite3_column_text(st, i);
      uint64_t len = t ? (uint64_t)sqlite3_column_bytes(st, i) : UINT64_MAX;
      if (vg_buf_append(b, &len, sizeof len) != 0 || (t && vg_buf_append(b, t, (size_t)len) != 0)) abort();
    }
    for (int i = 3; i < 5; i++) {
      const char *t = (const char *)sqlite3_column_text(st, i);
      if (!t) continue;
      size_t n = (size_t)sqlite3_column_bytes(st, i);
      if (!sqlite3_column_int(st, i + 2) || !utf8_ok(t, n)) fail(i == 3 ? "evidence is not valid JSON" : "route is not valid JSON", t, n);
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
}

static void on_digest(void *ud, const vg_digest *d) {
  int format = *(int *)ud;
  size_t n = strlen(d->body);
  if (!utf8_ok(d->body, n)) fail("a digest is not valid UTF-8", d->body, n);
  if (format != VG_DIGEST_HTML && !no_controls(d->body, n, "\n")) fail("a digest holds control characters", d->body, n);
  fuzz_touch(d->subject);
  fuzz_touch(d->recipient);
  fuzz_touch(d->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  make_db(data, size);
  fuzz_evaluate("fuzz_data", prog, db_path);
  /* a recording run, then what it recorded */
  vg_buf handed = {NULL, 0, 0}, recorded = {NULL, 0, 0};
  vg_run_opts o;
  memset(&o, 0, sizeof o);
  o.db_path = db_path;
  o.as_of = FUZZ_AS_OF;
  o.diag = fuzz_on_diag;
  o.alert = on_alert;
  o.out_ud = &handed;
  vg_status st = vg_run((const vg_program *const *)&prog, 1, &o);
  if (st == VG_ENOMEM) { fprintf(stderr, "fuzz_data: out of memory\n"); abort(); }
  if (st == VG_OK) {
    read_recording(&recorded);
    if (!fuzz_same(&handed, &recorded)) fail("the recording differs from the alerts handed over", recorded.data, recorded.len);
    for (int f = VG_DIGEST_TEXT; f <= VG_DIGEST_HTML; f++) {
      vg_digest_opts d;
      memset(&d, 0, sizeof d);
      d.db_path = db_path;
      d.format = (vg_digest_format)f;
      d.diag = fuzz_on_diag;
      d.digest = on_digest;
      d.out_ud = &f;
      vg_status ds = vg_digest_run(&d);
      if (ds == VG_ENOMEM) { fprintf(stderr, "fuzz_data: digest out of memory\n"); abort(); }
    }
  }
  if (getenv("FUZZ_DATA_VERBOSE"))
    fprintf(stderr, "fuzz_data: recording run status %d, %zu bytes of alerts handed over\n", (int)st, handed.len);
  vg_buf_free(&handed);
  vg_buf_free(&recorded);
  unlink(db_path);
  return 0;
}
