/*
** digest.c — vg_digest_run: one recorded run's alerts as one digest per
** person, in text, Markdown or HTML, optionally stored in vigil_outbox.
**
** Reading.  Everything comes from vigil_runs / vigil_alerts through SQL;
** the JSON columns (evidence, route) are taken apart with SQLite's JSON
** functions (json_each, json_extract, json_type), never by hand.  A column
** the table lacks (a database recorded by an older version: no tier_rank,
** evidence or route; or even no status, first_seen, runs) is replaced by a
** constant in the query, so such a database gives plainer digests: no
** trend, the recipient only, tiers ranked by their names (below).  A JSON
** text that is not valid, or not of the expected shape, counts as absent.
**
** Shaping.  A person is every `to` of an alert's route (the route's first
** entry is the alert's recipient; the others are supervisors, `level`
** levels up), or the alert's recipient when it has no route; alerts with no
** recipient go to one digest with recipient NULL.  Inside a digest the
** alerts are grouped per key (the entity, named by evidence.key_column),
** groups ordered by their highest open tier, then key; inside a group the
** open alerts highest tier first, then the run's resolved entries.
**
** Text from the database may hold any bytes, NUL included.  It is kept as a
** C string in an internal form that is one-to-one with the bytes (so keys
** and persons compare exactly): a NUL byte is stored as 0xC0 0x80 and a
** 0xC0 byte as 0xC0 0xC0 (0xC0 never occurs in valid UTF-8).  dg_bytes
** turns it back into the bytes where they leave the digest (SQL binds, the
** caller's vg_digest).
**
** Rendering.  Each alert yields a head (tier, rule, message) and detail
** lines (its life, the route, the trend, the values) built as clean text
** (valid UTF-8, no control characters: the terminal rule of CLI.md
** "Output encoding", a NUL byte as \0, a control character or a byte that
** is not UTF-8 as \xNN, a tab or line break as a space); each format then
** escapes that text its own way and adds its own markup, so no data string
** reaches a body unescaped.  Nothing in a body depends on the clock.
**
** Memory: every string of one call lives in one arena, freed at the end;
** the growable arrays use vg_realloc.
*/
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../core/mem.h"
#include "../include/vigil.h"
#include "../runtime/exec.h"
#include "../runtime/db.h"

enum { DG_NEW, DG_ONGOING, DG_ESCALATED, DG_RESOLVED };

enum { DG_WIDTH = 72,     /* text lines wrap at this many columns */
       DG_TREND_MAX = 12, /* values of a trend shown; older ones become "…" */
       DG_RANK_MAX = 1 << 20 /* tier_rank is clamped to [0, this] */ };

/* One evidence value ("values") or window cell ("window"): its name (the
** let, column or param; for a cell, the column or "dates") and its text. */
typedef struct dg_cell {
  long long id;            /* the alert's rowid */
  const char *name, *text;
} dg_cell;

typedef struct dg_alert {
  long long id;            /* rowid in vigil_alerts */
  const char *rule, *tier, *key, *message, *recipient;
  const char *first_seen;  /* NULL when unknown */
  const char *prev_tier;   /* escalated: its open tier at the previous run, or NULL */
  const char *key_column;  /* evidence.key_column, or NULL */
  const char *owner, *owner_name; /* the route's first entry (level 0), or NULL */
  int life, runs, rank;
  const dg_cell *vals, *cells;
  long nvals, ncells;
} dg_alert;

/* One (person, alert) pair: the alert is delivered to the person. */
typedef struct dg_link {
  const char *person, *name;
  long alert;              /* index in ctx->alerts */
  int level;
} dg_link;

typedef struct dg_person {
  const char *person, *name;
  long first, n;           /* links[first .. first+n) */
} dg_person;

/* An alert in one person's digest. */
typedef struct dg_entry {
  const dg_alert *a;
  int level;
  const char *kc;          /* the key column its group is named by */
} dg_entry;

typedef struct dg_group {
  long first, n;           /* entries[first .. first+n) */
  int rank;                /* the highest open tier's rank; -1: resolved entries only */
  const char *key, *key_column;
} dg_group;

/* One finished digest, kept until the transaction is over. */
typedef struct dg_out {
  const char *recipient, *name, *subject, *body, *section;
  const char *recipient_b, *name_b; /* recipient and name as their bytes, for the caller */
  int alerts, resolved;
} dg_out;

typedef struct dg_ctx {
  const vg_digest_opts *o;
  sqlite3 *db;
  vg_arena arena;
  long long run_id, prev_id;
  const char *pack, *as_of;
  int has_status, has_first_seen, has_runs, has_rank, has_evidence, has_route;
  dg_alert *alerts; long nalerts, capalerts;
  dg_cell *vals; long nvals, capvals;
  dg_cell *cells; long ncells, capcells;
  dg_link *links; long nlinks, caplinks;
  dg_person *persons; long npersons, cappersons;
  dg_out *outs; long nouts, capouts;
  const char **tier_names; long ntier_names, captier_names; /* rank fallback */
  long long total_alerts, total_resolved;
  vg_buf body, section, details, line, scratch, subject;
  const char *to;          /* o->to in the internal form */
  const char *pack_b, *as_of_b; /* pack and as_of as their bytes, for the caller */
  int oom;
} dg_ctx;

/* ---- small helpers ---------------------------------------------------------- */

static void dg_diag(const dg_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

static void dg_diag(const dg_ctx *c, const char *fmt, ...) {
  if (!c->o->diag) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  vg_diag d;
  memset(&d, 0, sizeof d);
  d.severity = VG_ERROR;
  d.message = msg;
  c->o->diag(c->o->ud, &d);
}

/* Room for element n of an array p of elements of size sz with capacity
** *cap: returns p, or the array moved to a bigger block (*cap updated), or
** NULL when out of memory (p is then unchanged and still owned by the
** caller). */
static void *grow(void *p, long *cap, long n, size_t sz) {
  if (n < *cap) return p;
  long ncap = *cap ? *cap * 2 : 64;
  void *np = vg_realloc(p, (size_t)ncap * sz);
  if (np) *cap = ncap;
  return np;
}

/* GROW(arr, n, cap): make room for arr[n]; 0, or -1 when out of memory. */
#define GROW(arr, n, cap) grow_into((void *)&(arr), grow((arr), &(cap), (n), sizeof *(arr)))
static int grow_into(void *slot, void *np) {
  if (!np) return -1;
  memcpy(slot, &np, sizeof np); /* slot is the address of the array pointer */
  return 0;
}

/* Bytes t[0..n) in the internal form (header comment), in the arena; NULL
** when out of memory (c->oom set). */
static const char *dg_text(dg_ctx *c, const char *t, size_t n) {
  size_t extra = 0;
  for (size_t i = 0; i < n; i++) extra += t[i] == 0 || (unsigned char)t[i] == 0xc0;
  char *s = n + extra >= n ? vg_arena_alloc(&c->arena, n + extra + 1) : NULL;
  if (!s) { c->oom = 1; return NULL; }
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)t[i];
    if (ch == 0 || ch == 0xc0) {
      s[j++] = (char)0xc0;
      s[j++] = (char)(ch ? 0xc0 : 0x80);
    } else {
      s[j++] = (char)ch;
    }
  }
  s[j] = 0;
  return s;
}

/* The bytes of internal text s in the arena (a C string, cut at a NUL byte
** for the caller that reads it so), their number in *n; NULL for NULL or
** when out of memory (c->oom set). */
static const char *dg_bytes(dg_ctx *c, const char *s, size_t *n) {
  *n = 0;
  if (!s) return NULL;
  size_t len = strlen(s);
  char *d = vg_arena_alloc(&c->arena, len + 1);
  if (!d) { c->oom = 1; return NULL; }
  size_t j = 0;
  for (size_t i = 0; i < len; i++) {
    if ((unsigned char)s[i] == 0xc0 && i + 1 < len) d[j++] = (unsigned char)s[++i] == 0x80 ? 0 : (char)0xc0;
    else d[j++] = s[i];
  }
  d[j] = 0;
  *n = j;
  return d;
}

/* Binds internal text s (NULL: SQL NULL) to parameter i with its bytes.
** 0, or -1 when out of memory. */
static int bind_text(dg_ctx *c, sqlite3_stmt *st, int i, const char *s) {
  size_t n;
  const char *b = dg_bytes(c, s, &n);
  if (s && !b) return -1;
  if (!b) return sqlite3_bind_null(st, i) == SQLITE_OK ? 0 : -1;
  return sqlite3_bind_text(st, i, b, (int)n, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

/* A copy of column i's text in the arena, in the internal form; NULL for
** SQL NULL (or out of memory, which sets c->oom). */
static const char *col_text(dg_ctx *c, sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  if (!t) {
    if (sqlite3_column_type(st, i) != SQLITE_NULL) c->oom = 1; /* (SQLite ran out of memory) */
    return NULL;
  }
  return dg_text(c, (const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

static const char *arena_str(dg_ctx *c, const char *s) {
  char *d = vg_arena_strdup(&c->arena, s);
  if (!d) c->oom = 1;
  return d;
}

/* A number as a digest shows it: up to 4 significant digits ("0.1235",
** "12.5"), whole numbers from 10 000 on without an exponent ("123457");
** non-finite ones as nan, inf, -inf. */
static void fmt_num(double x, char *buf, size_t cap) {
  if (x == 0) x = 0; /* no "-0" */
  if (isnan(x)) snprintf(buf, cap, "nan");
  else if (isinf(x)) snprintf(buf, cap, x > 0 ? "inf" : "-inf");
  else if (fabs(x) >= 1e4 && fabs(x) < 1e15) snprintf(buf, cap, "%.0f", x);
  else snprintf(buf, cap, "%.4g", x);
}

/* Compares keys and persons: integers (in decimal digits) numerically and
** before other text, which is in byte order. */
static int is_int_text(const char *s, long long *v) {
  const char *p = s;
  if (*p == '-') p++;
  size_t n = strspn(p, "0123456789");
  if (n == 0 || n > 18 || p[n]) return 0;
  *v = strtoll(s, NULL, 10);
  return 1;
}

static int cmp_text(const char *a, const char *b) {
  long long x, y;
  int ia = is_int_text(a, &x), ib = is_int_text(b, &y);
  if (ia && ib && x != y) return x < y ? -1 : 1;
  if (ia != ib) return ia ? -1 : 1;
  return strcmp(a, b);
}

/* NULL first. */
static int cmp_opt(const char *a, const char *b) {
  if (!a || !b) return (a != NULL) - (b != NULL);
  return cmp_text(a, b);
}

/* ---- clean text and escaping ------------------------------------------------ */

/* Append data text s (internal form) to b as clean text, by the terminal
** rule (CLI.md "Output encoding"): a tab, line feed or carriage return
** becomes a space (the text is wrapped anew), a NUL byte \0, another control
** byte or a byte that is not UTF-8 \xNN, a C1 control or a Unicode control
** that reorders or breaks lines \uNNNN.  NULL appends nothing.  0 or -1
** (memory). */
static int put_clean(vg_buf *b, const char *s) {
  int rc = 0;
  size_t len = s ? strlen(s) : 0;
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  while (p && p < end && rc == 0) {
    int n = exec_utf8_len(p, (size_t)(end - p));
    unsigned cp = n == 1 ? p[0] : n == 2 ? ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu)
                : n == 3 ? ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu) : 0x10000;
    if (n == 0 && p[0] == 0xc0 && p + 1 < end) { /* the internal form of NUL and of 0xC0 */
      rc = p[1] == 0x80 ? vg_buf_append(b, "\\0", 2) : vg_buf_append(b, "\\xc0", 4);
      p += 2;
    } else if (n == 0) {
      rc = vg_buf_printf(b, "\\x%02x", p[0]);
      p++;
    } else if (cp == '\t' || cp == '\n' || cp == '\r') {
      rc = vg_buf_append(b, " ", 1);
      p++;
    } else if (cp < 0x20 || cp == 0x7f) {
      rc = vg_buf_printf(b, "\\x%02x", cp);
      p++;
    } else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
               (cp >= 0x2066 && cp <= 0x2069)) {
      rc = vg_buf_printf(b, "\\u%04x", cp);
      p += n;
    } else {
      rc = vg_buf_append(b, p, (size_t)n);
      p += n;
    }
  }
  return rc;
}

static int put(vg_buf *b, const char *s) { return vg_buf_append(b, s, strlen(s)); }

/* Clean text t for Markdown: the characters that could start markup are
** backslash-escaped (CommonMark allows it before any ASCII punctuation). */
static int put_md(vg_buf *b, const char *t) {
  int rc = 0;
  for (const char *p = t; *p && rc == 0; p++) {
    if (strchr("\\`*_[]<>|#&~", *p)) rc = vg_buf_append(b, "\\", 1);
    if (rc == 0) rc = vg_buf_append(b, p, 1);
  }
  return rc;
}

/* Clean text t as HTML text or attribute value. */
static int put_html(vg_buf *b, const char *t) {
  int rc = 0;
  for (const char *p = t; *p && rc == 0; p++) {
    switch (*p) {
    case '&': rc = put(b, "&amp;"); break;
    case '<': rc = put(b, "&lt;"); break;
    case '>': rc = put(b, "&gt;"); break;
    case '"': rc = put(b, "&quot;"); break;
    case '\'': rc = put(b, "&#39;"); break;
    default: rc = vg_buf_append(b, p, 1);
    }
  }
  return rc;
}

/* Data text s, cleaned, then escaped for the format. */
static int put_data(dg_ctx *c, vg_buf *b, const char *s) {
  c->scratch.len = 0;
  if (put_clean(&c->scratch, s ? s : "") != 0 || vg_buf_append(&c->scratch, "", 0) != 0) return -1;
  switch (c->o->format) {
  case VG_DIGEST_MARKDOWN: return put_md(b, c->scratch.data);
  case VG_DIGEST_HTML: return put_html(b, c->scratch.data);
  default: return put(b, c->scratch.data);
  }
}

/* A rule name in Markdown: a code span when it can be one, else escaped. */
static int put_md_code(dg_ctx *c, vg_buf *b, const char *s) {
  c->scratch.len = 0;
  if (put_clean(&c->scratch, s ? s : "") != 0 || vg_buf_append(&c->scratch, "", 0) != 0) return -1;
  const char *t = c->scratch.data;
  if (*t && !strchr(t, '`') && t[0] != ' ' && t[strlen(t) - 1] != ' ')
    return put(b, "`") || put(b, t) || put(b, "`");
  return put_md(b, t);
}

/* Code points in s[0..n). */
static size_t width_of(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xc0) != 0x80;
  return w;
}

/* Clean text t as wrapped lines: the first starts with indent1, the others
** with indent2; words (split at spaces) are never broken. */
static int put_wrapped(vg_buf *b, const char *t, const char *indent1, const char *indent2) {
  int rc = put(b, indent1);
  size_t col = width_of(indent1, strlen(indent1)), start = col;
  const char *p = t;
  while (rc == 0 && *p) {
    while (*p == ' ') p++;
    if (!*p) break;
    size_t n = strcspn(p, " "), w = width_of(p, n);
    if (col > start && col + 1 + w > DG_WIDTH) {
      rc = put(b, "\n") || put(b, indent2);
      col = start = width_of(indent2, strlen(indent2));
    } else if (col > start) {
      rc = put(b, " ");
      col++;
    }
    if (rc == 0) rc = vg_buf_append(b, p, n);
    col += w;
    p += n;
  }
  return rc || put(b, "\n");
}

/* ---- reading the run ---------------------------------------------------------- */

/* Prepare sql (reporting a failure).  0 or -1. */
static int prepare(dg_ctx *c, const char *sql, sqlite3_stmt **st) {
  if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) == SQLITE_OK) return 0;
  dg_diag(c, "%s: reading the recorded runs failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
  return -1;
}

/* A step's end: SQLITE_DONE is fine, anything else is reported.  0 or -1. */
static int step_done(dg_ctx *c, int rc) {
  if (rc == SQLITE_DONE) return 0;
  dg_diag(c, "%s: reading the recorded runs failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
  return -1;
}

/* Which run: o->run_id, or the latest of o->pack (or of any pack).  Sets
** run_id, pack, as_of and prev_id.  Returns VG_OK, VG_EINPUT or VG_EDB. */
static vg_status find_run(dg_ctx *c) {
  const vg_digest_opts *o = c->o;
  sqlite3_stmt *st = NULL;
  const char *sql = o->run_id > 0 ? "SELECT run_id, pack, as_of FROM vigil_runs WHERE run_id = ?1"
                                  : "SELECT run_id, pack, as_of FROM vigil_runs WHERE ?2 IS NULL OR pack = ?2"
                                    " ORDER BY as_of DESC, run_id DESC LIMIT 1";
  if (prepare(c, sql, &st) != 0) return VG_EDB;
  if (o->run_id > 0) sqlite3_bind_int64(st, 1, o->run_id);
  else if (o->pack) sqlite3_bind_text(st, 2, o->pack, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  vg_status status = VG_OK;
  const char *want = NULL; /* o->pack in the internal form */
  if (rc == SQLITE_ROW) {
    c->run_id = sqlite3_column_int64(st, 0);
    c->pack = col_text(c, st, 1);
    c->as_of = col_text(c, st, 2);
    if (!c->pack) c->pack = arena_str(c, "");
    if (!c->as_of) c->as_of = arena_str(c, "");
    if (c->oom) status = VG_ENOMEM;
    else if (o->run_id > 0 && o->pack && !(want = dg_text(c, o->pack, strlen(o->pack)))) status = VG_ENOMEM;
    else if (o->run_id > 0 && o->pack && strcmp(want, c->pack) != 0) {
      dg_diag(c, "%s: run %lld is a run of pack %s, not %s", o->db_path, o->run_id, c->pack, o->pack);
      status = VG_EINPUT;
    }
  } else if (step_done(c, rc) != 0) {
    status = VG_EDB;
  } else {
    if (o->run_id > 0) dg_diag(c, "%s: no run %lld in vigil_runs", o->db_path, o->run_id);
    else if (o->pack) dg_diag(c, "%s: no recorded run of pack %s", o->db_path, o->pack);
    else dg_diag(c, "%s: no recorded run (vigil_runs is empty)", o->db_path);
    status = VG_EINPUT;
  }
  sqlite3_finalize(st);
  if (status != VG_OK) return status;
  /* the previous run of the pack, for the tier an escalated alert had */
  if (prepare(c, "SELECT run_id FROM vigil_runs WHERE pack = ?1 AND as_of < ?2 ORDER BY as_of DESC, run_id DESC LIMIT 1",
              &st) != 0)
    return VG_EDB;
  if (bind_text(c, st, 1, c->pack) || bind_text(c, st, 2, c->as_of)) {
    sqlite3_finalize(st);
    return VG_ENOMEM;
  }
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) c->prev_id = sqlite3_column_int64(st, 0);
  else if (step_done(c, rc) != 0) status = VG_EDB;
  sqlite3_finalize(st);
  return status;
}

/* Without tier_rank: the default tiers by their order (yellow, orange, red),
** other names in the order they first appear in the run's rows. */
static int fallback_rank(dg_ctx *c, const char *tier) {
  static const char *const defaults[] = {"yellow", "orange", "red"};
  for (int i = 0; i < 3; i++)
    if (strcmp(tier, defaults[i]) == 0) return i;
  for (long i = 0; i < c->ntier_names; i++)
    if (strcmp(c->tier_names[i], tier) == 0) return (int)i;
  if (GROW(c->tier_names, c->ntier_names, c->captier_names) != 0) { c->oom = 1; return 0; }
  c->tier_names[c->ntier_names] = tier;
  return (int)c->ntier_names++;
}

static int life_of(const char *status) {
  if (!status) return DG_NEW;
  if (strcmp(status, "ongoing") == 0) return DG_ONGOING;
  if (strcmp(status, "escalated") == 0) return DG_ESCALATED;
  if (strcmp(status, "resolved") == 0) return DG_RESOLVED;
  return DG_NEW;
}

/* A JSON text of the column, or NULL when it is not valid JSON. */
#define VALID_JSON(col) "CASE WHEN json_valid(" col ") THEN " col " END"

static vg_status load_alerts(dg_ctx *c) {
  const char *route = "CASE WHEN json_valid(a.route) THEN CASE WHEN json_type(a.route) = 'array' THEN a.route END END";
  /* the previous run's open alerts, by (rule, key), joined through the
  ** automatic index SQLite builds on the materialized CTE: the tier an
  ** escalated alert had, and the key column a resolved entry (which has no
  ** evidence) had */
  vg_buf q = {NULL, 0, 0};
  int rc = vg_buf_printf(&q,
    "WITH prev AS (SELECT p.rule AS rule, p.key AS key, max(p.tier) AS tier, %s AS kc"
    " FROM vigil_alerts p WHERE p.run_id = ?2%s GROUP BY p.rule, p.key) ",
    c->has_evidence ? "max(CASE WHEN json_type(" VALID_JSON("p.evidence") ", '$.key_column') = 'text'"
                      " THEN json_extract(p.evidence, '$.key_column') END)" : "NULL",
    c->has_status ? " AND p.status != 'resolved'" : "");
  rc |= vg_buf_printf(&q,
    "SELECT a.rowid, a.rule, a.tier, a.key, a.message, a.recipient, %s, %s, %s, %s, ",
    c->has_status ? "a.status" : "'new'",
    c->has_first_seen ? "coalesce(a.first_seen, a.as_of)" : "a.as_of",
    c->has_runs ? "a.runs" : "1",
    c->has_rank ? "CASE WHEN typeof(a.tier_rank) IN ('integer', 'real') THEN CAST(a.tier_rank AS INTEGER) END" : "NULL");
  if (c->has_evidence)
    rc |= vg_buf_printf(&q,
      "coalesce(CASE WHEN json_type(%s, '$.key_column') = 'text' THEN json_extract(a.evidence, '$.key_column') END, prev.kc), ",
      VALID_JSON("a.evidence"));
  else
    rc |= put(&q, "NULL, ");
  if (c->has_route)
    rc |= vg_buf_printf(&q,
      "CASE WHEN json_type(%s, '$[0].to') IN ('text', 'integer', 'real') THEN CAST(json_extract(a.route, '$[0].to') AS TEXT) END, "
      "CASE WHEN json_type(%s, '$[0].name') = 'text' THEN json_extract(a.route, '$[0].name') END, ", route, route);
  else
    rc |= put(&q, "NULL, NULL, ");
  rc |= put(&q, "prev.tier FROM vigil_alerts a LEFT JOIN prev ON prev.rule = a.rule AND prev.key = a.key"
                " WHERE a.run_id = ?1 ORDER BY a.rowid");
  if (rc) { vg_buf_free(&q); return VG_ENOMEM; }
  sqlite3_stmt *st = NULL;
  int prc = prepare(c, q.data, &st);
  vg_buf_free(&q);
  if (prc != 0) return VG_EDB;
  sqlite3_bind_int64(st, 1, c->run_id);
  sqlite3_bind_int64(st, 2, c->prev_id);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && !c->oom) {
    if (GROW(c->alerts, c->nalerts, c->capalerts) != 0) { c->oom = 1; break; }
    dg_alert *a = &c->alerts[c->nalerts++];
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->rule = col_text(c, st, 1);
    a->tier = col_text(c, st, 2);
    a->key = col_text(c, st, 3);
    a->message = col_text(c, st, 4);
    a->recipient = col_text(c, st, 5);
    a->life = life_of((const char *)sqlite3_column_text(st, 6));
    a->first_seen = col_text(c, st, 7);
    a->runs = sqlite3_column_type(st, 8) == SQLITE_NULL ? 1 : sqlite3_column_int(st, 8);
    if (!a->rule) a->rule = arena_str(c, "");
    if (!a->tier) a->tier = arena_str(c, "");
    if (!a->key) a->key = arena_str(c, "");
    if (c->oom) break;
    if (sqlite3_column_type(st, 9) == SQLITE_NULL) a->rank = fallback_rank(c, a->tier);
    else {
      long long r = sqlite3_column_int64(st, 9);
      a->rank = r < 0 ? 0 : r > DG_RANK_MAX ? DG_RANK_MAX : (int)r;
    }
    a->key_column = col_text(c, st, 10);
    a->owner = col_text(c, st, 11);
    a->owner_name = col_text(c, st, 12);
    a->prev_tier = a->life == DG_ESCALATED ? col_text(c, st, 13) : NULL;
    if (a->life == DG_RESOLVED) c->total_resolved++;
    else c->total_alerts++;
  }
  if (c->oom) { sqlite3_finalize(st); return VG_ENOMEM; }
  vg_status status = step_done(c, rc) == 0 ? VG_OK : VG_EDB;
  sqlite3_finalize(st);
  return status;
}

/* The index of the alert with rowid id, or -1. */
static long alert_index(const dg_ctx *c, long long id) {
  long lo = 0, hi = c->nalerts;
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    if (c->alerts[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < c->nalerts && c->alerts[lo].id == id ? lo : -1;
}

/* A JSON element (json_each's type, atom and value at columns i, i+1, i+2)
** as a digest shows it. */
static const char *json_cell_text(dg_ctx *c, sqlite3_stmt *st, int i) {
  const char *type = (const char *)sqlite3_column_text(st, i);
  char num[64];
  if (!type) return arena_str(c, "null");
  if (strcmp(type, "integer") == 0) {
    snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i + 1));
    return arena_str(c, num);
  }
  if (strcmp(type, "real") == 0) {
    fmt_num(sqlite3_column_double(st, i + 1), num, sizeof num);
    return arena_str(c, num);
  }
  if (strcmp(type, "true") == 0 || strcmp(type, "false") == 0 || strcmp(type, "null") == 0) return arena_str(c, type);
  if (strcmp(type, "text") == 0) {
    const char *t = col_text(c, st, i + 1);
    return t ? t : arena_str(c, "");
  }
  const char *t = col_text(c, st, i + 2); /* an array or object: its JSON text */
  return t ? t : arena_str(c, "null");
}

/* Rows (rowid, name, type, atom, value) of sql into *v, then each alert's
** slice of them (the rows are ordered by rowid). */
static vg_status load_cells(dg_ctx *c, const char *sql, dg_cell **v, long *n, long *cap, int window) {
  sqlite3_stmt *st = NULL;
  if (prepare(c, sql, &st) != 0) return VG_EDB;
  sqlite3_bind_int64(st, 1, c->run_id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && !c->oom) {
    if (GROW(*v, *n, *cap) != 0) { c->oom = 1; break; }
    dg_cell *e = &(*v)[(*n)++];
    e->id = sqlite3_column_int64(st, 0);
    e->name = col_text(c, st, 1);
    if (!e->name) e->name = arena_str(c, "");
    e->text = json_cell_text(c, st, 2);
  }
  if (c->oom) { sqlite3_finalize(st); return VG_ENOMEM; }
  vg_status status = step_done(c, rc) == 0 ? VG_OK : VG_EDB;
  sqlite3_finalize(st);
  for (long i = 0; i < *n && status == VG_OK;) {
    long j = i;
    while (j < *n && (*v)[j].id == (*v)[i].id) j++;
    long k = alert_index(c, (*v)[i].id);
    if (k >= 0 && window) { c->alerts[k].cells = *v + i; c->alerts[k].ncells = j - i; }
    if (k >= 0 && !window) { c->alerts[k].vals = *v + i; c->alerts[k].nvals = j - i; }
    i = j;
  }
  return status;
}

static vg_status load_evidence(dg_ctx *c) {
  vg_status st = load_cells(c,
    "SELECT a.rowid, v.key, v.type, v.atom, v.value FROM vigil_alerts a, json_each("
    "CASE WHEN json_valid(a.evidence) THEN CASE WHEN json_type(a.evidence, '$.values') = 'object' THEN a.evidence END END,"
    " '$.values') v WHERE a.run_id = ?1 ORDER BY a.rowid, v.id",
    &c->vals, &c->nvals, &c->capvals, 0);
  if (st != VG_OK) return st;
  return load_cells(c,
    "SELECT a.rowid, w.key, s.type, s.atom, s.value FROM vigil_alerts a, json_each("
    "CASE WHEN json_valid(a.evidence) THEN CASE WHEN json_type(a.evidence, '$.window') = 'object' THEN a.evidence END END,"
    " '$.window') w, json_each(CASE WHEN w.type = 'array' THEN w.value END) s"
    " WHERE a.run_id = ?1 ORDER BY a.rowid, w.id, s.id",
    &c->cells, &c->ncells, &c->capcells, 1);
}

static int same_person(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

/* Who gets what: (person, alert, level) rows ordered by person, then alert,
** then level; grouped into persons. */
static vg_status load_links(dg_ctx *c) {
  const char *sql = c->has_route ?
    "WITH a AS (SELECT rowid AS id, recipient AS rcpt,"
    "   CASE WHEN json_valid(route) THEN CASE WHEN json_type(route) = 'array' THEN route END END AS r"
    "   FROM vigil_alerts WHERE run_id = ?1),"
    " e AS (SELECT a.id AS id, CAST(json_extract(x.value, '$.to') AS TEXT) AS person,"
    "   CASE WHEN json_type(x.value, '$.name') = 'text' THEN json_extract(x.value, '$.name') END AS name,"
    "   CASE WHEN json_type(x.value, '$.level') IN ('integer', 'real') THEN CAST(json_extract(x.value, '$.level') AS INTEGER)"
    "   ELSE x.key END AS level"
    "   FROM a, json_each(a.r) x WHERE x.type = 'object' AND json_type(x.value, '$.to') IN ('text', 'integer', 'real'))"
    " SELECT id, person, name, level FROM e"
    " UNION ALL SELECT id, rcpt, NULL, 0 FROM a WHERE id NOT IN (SELECT id FROM e)"
    " ORDER BY 2, 1, 4"
    : "SELECT rowid, recipient, NULL, 0 FROM vigil_alerts WHERE run_id = ?1 ORDER BY 2, 1";
  sqlite3_stmt *st = NULL;
  if (prepare(c, sql, &st) != 0) return VG_EDB;
  sqlite3_bind_int64(st, 1, c->run_id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && !c->oom) {
    long k = alert_index(c, sqlite3_column_int64(st, 0));
    if (k < 0) continue;
    const char *text = col_text(c, st, 1);
    if (c->oom) break;
    const dg_link *last = c->nlinks ? &c->links[c->nlinks - 1] : NULL;
    int same = last && same_person(last->person, text);
    if (same && last->alert == k) continue; /* twice on one route */
    if (same) text = last->person; /* (last dies when links grow) */
    if (GROW(c->links, c->nlinks, c->caplinks) != 0) { c->oom = 1; break; }
    dg_link *l = &c->links[c->nlinks++];
    l->person = text;
    l->name = col_text(c, st, 2);
    l->alert = k;
    l->level = sqlite3_column_int(st, 3);
  }
  if (c->oom) { sqlite3_finalize(st); return VG_ENOMEM; }
  vg_status status = step_done(c, rc) == 0 ? VG_OK : VG_EDB;
  sqlite3_finalize(st);
  /* persons: runs of one person; the name is the first one given */
  for (long i = 0; i < c->nlinks && status == VG_OK;) {
    long j = i;
    const char *name = NULL;
    while (j < c->nlinks && same_person(c->links[j].person, c->links[i].person)) {
      if (!name) name = c->links[j].name;
      j++;
    }
    const char *to = c->to;
    if (!to || (c->links[i].person && (strcmp(c->links[i].person, to) == 0 || (name && strcmp(name, to) == 0)))) {
      if (GROW(c->persons, c->npersons, c->cappersons) != 0) return VG_ENOMEM;
      dg_person *p = &c->persons[c->npersons++];
      p->person = c->links[i].person;
      p->name = name;
      p->first = i;
      p->n = j - i;
    }
    i = j;
  }
  return status;
}

/* Persons in key order, the unrouted digest last. */
static int cmp_person(const void *x, const void *y) {
  const dg_person *a = x, *b = y;
  if (!a->person || !b->person) return (a->person == NULL) - (b->person == NULL);
  return cmp_text(a->person, b->person);
}

/* ---- one person's digest ------------------------------------------------------ */

static int cmp_entry(const void *x, const void *y) {
  const dg_entry *e = x, *f = y;
  const dg_alert *a = e->a, *b = f->a;
  int r = cmp_text(a->key, b->key);
  if (!r) r = cmp_opt(e->kc, f->kc);
  if (!r) r = (a->life == DG_RESOLVED) - (b->life == DG_RESOLVED);
  if (!r) r = (a->rank < b->rank) - (a->rank > b->rank);
  if (!r) r = (a->id > b->id) - (a->id < b->id);
  return r;
}

static int cmp_group(const void *x, const void *y) {
  const dg_group *g = x, *h = y;
  if (g->rank != h->rank) return g->rank > h->rank ? -1 : 1;
  int r = cmp_text(g->key, h->key);
  return r ? r : cmp_opt(g->key_column, h->key_column);
}

typedef struct dg_view {
  const dg_person *p;
  dg_entry *e; long ne;
  dg_group *g; long ng;
  int count[4];            /* by life */
  long open_groups;
} dg_view;

/* "rep_id 17" (the evidence's key column) or "key 17". */
static int put_key_label(vg_buf *b, const dg_entry *e) {
  return put_clean(b, e->kc ? e->kc : "key") || put(b, " ") || put_clean(b, e->a->key);
}

/* The person as "Dana Kim (17)", "17", or the unrouted phrase. */
static int put_person(vg_buf *b, const char *person, const char *name) {
  if (!person) return put(b, "alerts without a recipient");
  if (name) return put_clean(b, name) || put(b, " (") || put_clean(b, person) || put(b, ")");
  return put_clean(b, person);
}

/* The open alerts per tier, highest first: "2 red, 3 orange" (clean text). */
static int put_tier_counts(vg_buf *b, const dg_view *v) {
  int rc = 0, first = 1;
  /* the entries are not in tier order across groups: pick tiers by rank,
  ** highest first, each distinct (rank, name) once */
  int last_rank = 1 << 30;
  const char *last_name = NULL;
  for (;;) {
    const dg_alert *best = NULL;
    for (long i = 0; i < v->ne; i++) {
      const dg_alert *a = v->e[i].a;
      if (a->life == DG_RESOLVED) continue;
      int after_last = a->rank < last_rank || (a->rank == last_rank && last_name && strcmp(a->tier, last_name) > 0);
      if (!after_last) continue;
      if (!best || a->rank > best->rank || (a->rank == best->rank && strcmp(a->tier, best->tier) < 0)) best = a;
    }
    if (!best) break;
    long n = 0;
    for (long i = 0; i < v->ne; i++)
      n += v->e[i].a->life != DG_RESOLVED && v->e[i].a->rank == best->rank && strcmp(v->e[i].a->tier, best->tier) == 0;
    rc |= vg_buf_printf(b, "%s%ld ", first ? "" : ", ", n);
    rc |= put_clean(b, best->tier);
    first = 0;
    last_rank = best->rank;
    last_name = best->tier;
  }
  return rc;
}

static int put_counts(vg_buf *b, const int *count) {
  return vg_buf_printf(b, "%d new, %d escalated, %d ongoing, %d resolved.", count[DG_NEW], count[DG_ESCALATED],
                       count[DG_ONGOING], count[DG_RESOLVED]);
}

/* The window of an alert is a run of cells per column: the end of the run
** starting at cell i; the start of column name's run (or -1); whether the
** run [i, j) holds one value throughout. */
static long segment_end(const dg_alert *a, long i) {
  long j = i;
  while (j < a->ncells && strcmp(a->cells[j].name, a->cells[i].name) == 0) j++;
  return j;
}

static long find_segment(const dg_alert *a, const char *name) {
  for (long i = 0; i < a->ncells; i++)
    if (strcmp(a->cells[i].name, name) == 0) return i;
  return -1;
}

static int is_flat(const dg_alert *a, long i, long j) {
  for (long k = i + 1; k < j; k++)
    if (strcmp(a->cells[k].text, a->cells[i].text) != 0) return 0;
  return 1;
}

/* The detail lines of an entry, clean text, each ending in '\n'. */
static int put_details(vg_buf *b, const dg_entry *en) {
  const dg_alert *a = en->a;
  int rc = 0;
  const char *runs_s = a->runs == 1 ? "" : "s";
  /* its life */
  switch (a->life) {
  case DG_NEW: rc |= put(b, "New since the last run."); break;
  case DG_ONGOING:
    if (a->first_seen) rc |= put(b, "Open since ") || put_clean(b, a->first_seen) || vg_buf_printf(b, ", %d run%s.", a->runs, runs_s);
    else rc |= vg_buf_printf(b, "Open for %d run%s.", a->runs, runs_s);
    break;
  case DG_ESCALATED:
    if (a->prev_tier) rc |= put(b, "Escalated from ") || put_clean(b, a->prev_tier);
    else rc |= put(b, "Escalated from the previous run");
    if (a->first_seen) rc |= put(b, "; open since ") || put_clean(b, a->first_seen) || vg_buf_printf(b, ", %d run%s.", a->runs, runs_s);
    else rc |= vg_buf_printf(b, "; open for %d run%s.", a->runs, runs_s);
    break;
  default:
    if (a->first_seen) rc |= put(b, "No longer fires; it was open since ") || put_clean(b, a->first_seen) ||
                             vg_buf_printf(b, ", %d run%s.", a->runs, runs_s);
    else rc |= vg_buf_printf(b, "No longer fires; it was open for %d run%s.", a->runs, runs_s);
  }
  rc |= put(b, "\n");
  /* why this person gets it */
  if (en->level > 0 && (a->owner || a->recipient)) {
    rc |= vg_buf_printf(b, "Routed to you: %d level%s above ", en->level, en->level == 1 ? "" : "s");
    rc |= a->owner ? put_person(b, a->owner, a->owner_name) : put_clean(b, a->recipient);
    rc |= put(b, ".\n");
  }
  /* the trend: each window column that moves, over the window's dates */
  const char *d_first = NULL, *d_last = NULL;
  for (long i = 0; i < a->ncells; i++)
    if (strcmp(a->cells[i].name, "dates") == 0) {
      if (!d_first) d_first = a->cells[i].text;
      d_last = a->cells[i].text;
    }
  for (long i = 0; i < a->ncells;) {
    long j = segment_end(a, i);
    if (strcmp(a->cells[i].name, "dates") != 0 && !is_flat(a, i, j)) {
      rc |= put(b, "Trend: ") || put_clean(b, a->cells[i].name) || put(b, " ");
      long from = j - i > DG_TREND_MAX ? j - DG_TREND_MAX : i;
      if (from > i) rc |= put(b, "\xe2\x80\xa6 \xe2\x86\x92 ");
      for (long k = from; k < j; k++) rc |= (k > from ? put(b, " \xe2\x86\x92 ") : 0) || put_clean(b, a->cells[k].text);
      if (d_first && d_last != d_first) rc |= put(b, " (") || put_clean(b, d_first) || put(b, " to ") || put_clean(b, d_last) || put(b, ")");
      else if (d_first) rc |= put(b, " (") || put_clean(b, d_first) || put(b, ")");
      rc |= put(b, "\n");
    }
    i = j;
  }
  /* the values it compared, but those a trend shows; then the window's
  ** steady columns the values do not name */
  int any = 0;
  for (long i = 0; i < a->nvals; i++) {
    long lo = find_segment(a, a->vals[i].name);
    if (lo >= 0 && !is_flat(a, lo, segment_end(a, lo))) continue;
    rc |= put(b, any ? ", " : "Values: ") || put_clean(b, a->vals[i].name) || put(b, " ") || put_clean(b, a->vals[i].text);
    any = 1;
  }
  for (long i = 0; i < a->ncells;) {
    long j = segment_end(a, i);
    int named = strcmp(a->cells[i].name, "dates") == 0;
    for (long k = 0; k < a->nvals && !named; k++) named = strcmp(a->vals[k].name, a->cells[i].name) == 0;
    if (!named && is_flat(a, i, j)) {
      rc |= put(b, any ? ", " : "Values: ") || put_clean(b, a->cells[i].name) || put(b, " ") || put_clean(b, a->cells[j - 1].text);
      any = 1;
    }
    i = j;
  }
  if (any) rc |= put(b, "\n");
  return rc;
}

/* What changed for a group since the last run, clean text. */
static int put_group_change(vg_buf *b, const dg_view *v, const dg_group *g) {
  int n[4] = {0, 0, 0, 0};
  for (long i = g->first; i < g->first + g->n; i++) n[v->e[i].a->life]++;
  if (!n[DG_NEW] && !n[DG_ESCALATED] && !n[DG_RESOLVED]) return put(b, "No change since the last run.");
  int rc = put(b, "Since the last run: "), first = 1;
  static const char *const what[4] = {"new", NULL, "escalated", "resolved"};
  static const int order[3] = {DG_NEW, DG_ESCALATED, DG_RESOLVED};
  for (int k = 0; k < 3; k++) {
    if (!n[order[k]]) continue;
    rc |= vg_buf_printf(b, "%s%d %s", first ? "" : ", ", n[order[k]], what[order[k]]);
    first = 0;
  }
  return rc || put(b, ".");
}

/* The tier colour of an HTML badge. */
static const char *tier_color(const dg_alert *a) {
  if (a->life == DG_RESOLVED) return "#5f6b7a";
  if (strcmp(a->tier, "red") == 0) return "#c62828";
  if (strcmp(a->tier, "orange") == 0) return "#d35400";
  if (strcmp(a->tier, "yellow") == 0) return "#a67c00";
  return "#3d5a80";
}

#define H_SECTION "max-width:760px;margin:0 auto 24px;padding:20px 28px;background:#ffffff;border:1px solid #d9dee5;" \
  "border-radius:8px;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933"
#define H_H1 "font-size:20px;margin:0 0 4px"
#define H_META "margin:0 0 8px;color:#52606d"
#define H_H2 "font-size:16px;margin:20px 0 8px;padding-top:12px;border-top:1px solid #e4e7eb"
#define H_UL "margin:0;padding-left:20px"
#define H_LI "margin:0 0 8px"
#define H_SUB "margin:4px 0 0;padding-left:18px;color:#3e4c59;font-size:14px"
#define H_CODE "font-family:SFMono-Regular,Consolas,'Liberation Mono',monospace;font-size:13px;background:#f0f2f5;" \
  "padding:0 4px;border-radius:3px"
#define H_NOTE "margin:4px 0 0;color:#52606d;font-size:14px"
#define H_FOOT "margin:20px 0 0;padding-top:12px;border-top:1px solid #e4e7eb;color:#52606d"
#define H_BADGE "display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;color:#ffffff;background:"

/* The line buffer's clean text, escaped for the format. */
static int put_line(dg_ctx *c, vg_buf *b) {
  const char *t = c->line.data ? c->line.data : "";
  switch (c->o->format) {
  case VG_DIGEST_MARKDOWN: return put_md(b, t);
  case VG_DIGEST_HTML: return put_html(b, t);
  default: return put(b, t);
  }
}

/* One entry: the head (tier, rule, message) and the detail lines. */
static int render_entry(dg_ctx *c, vg_buf *b, const dg_entry *en) {
  const dg_alert *a = en->a;
  vg_digest_format f = c->o->format;
  int rc = 0;
  const char *tier = a->life == DG_RESOLVED ? "resolved" : a->tier;
  if (f == VG_DIGEST_TEXT) {
    c->line.len = 0;
    rc |= put_clean(&c->line, tier) || put(&c->line, " ") || put_clean(&c->line, a->rule);
    if (a->life == DG_RESOLVED) rc |= put(&c->line, " (was ") || put_clean(&c->line, a->tier) || put(&c->line, ")");
    if (a->message) rc |= put(&c->line, ": ") || put_clean(&c->line, a->message);
    rc |= vg_buf_append(&c->line, "", 0) || put_wrapped(b, c->line.data, "  * ", "    ");
  } else if (f == VG_DIGEST_MARKDOWN) {
    rc |= put(b, "- **") || put_data(c, b, tier) || put(b, "** ") || put_md_code(c, b, a->rule);
    if (a->life == DG_RESOLVED) rc |= put(b, " (was ") || put_data(c, b, a->tier) || put(b, ")");
    if (a->message) rc |= put(b, ": ") || put_data(c, b, a->message);
    rc |= put(b, "\n");
  } else {
    rc |= put(b, "<li style=\"" H_LI "\"><span style=\"" H_BADGE) || put(b, tier_color(a)) || put(b, "\">") ||
          put_data(c, b, tier) || put(b, "</span> <code style=\"" H_CODE "\">") || put_data(c, b, a->rule) || put(b, "</code>");
    if (a->life == DG_RESOLVED) rc |= put(b, " (was ") || put_data(c, b, a->tier) || put(b, ")");
    if (a->message) rc |= put(b, ": ") || put_data(c, b, a->message);
    rc |= put(b, "\n<ul style=\"" H_SUB "\">\n");
  }
  c->details.len = 0; /* clean text, a line each */
  rc |= put_details(&c->details, en) || vg_buf_append(&c->details, "", 0);
  for (const char *p = rc ? "" : c->details.data; *p && rc == 0;) {
    size_t n = strcspn(p, "\n");
    c->line.len = 0;
    rc |= vg_buf_append(&c->line, p, n) || vg_buf_append(&c->line, "", 0);
    if (f == VG_DIGEST_TEXT) rc |= put_wrapped(b, c->line.data, "    ", "      ");
    else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "  - ") || put_line(c, b) || put(b, "\n");
    else rc |= put(b, "<li>") || put_line(c, b) || put(b, "</li>\n");
    p += n + (p[n] == '\n');
  }
  if (f == VG_DIGEST_HTML) rc |= put(b, "</ul></li>\n");
  return rc;
}

/* The digest of v into c->body (and c->section, c->subject). */
static int render(dg_ctx *c, const dg_view *v) {
  vg_digest_format f = c->o->format;
  vg_buf *b = &c->body;
  int rc = 0;
  long open = v->count[DG_NEW] + v->count[DG_ONGOING] + v->count[DG_ESCALATED];
  /* subject */
  c->subject.len = 0;
  rc |= put(&c->subject, "Vigil ") || put_clean(&c->subject, c->pack) || put(&c->subject, " ") ||
        put_clean(&c->subject, c->as_of) || put(&c->subject, ": ");
  if (open) rc |= put_tier_counts(&c->subject, v);
  else rc |= put(&c->subject, "nothing open");
  if (v->count[DG_RESOLVED]) rc |= vg_buf_printf(&c->subject, ", %d resolved", v->count[DG_RESOLVED]);
  if (v->p->person) rc |= put(&c->subject, " for ") || put_clean(&c->subject, v->p->name ? v->p->name : v->p->person);
  else rc |= put(&c->subject, " without a recipient");
  rc |= vg_buf_append(&c->subject, "", 0);
  /* the title and the overview line, clean text in scratch buffers */
  vg_buf title = {NULL, 0, 0}, over = {NULL, 0, 0}, text = {NULL, 0, 0};
  rc |= put(&title, v->p->person ? "Vigil digest for " : "Vigil digest: ") || put_person(&title, v->p->person, v->p->name) ||
        vg_buf_append(&title, "", 0);
  rc |= put(&over, "Pack ") || put_clean(&over, c->pack) || put(&over, ", as of ") || put_clean(&over, c->as_of) ||
        vg_buf_printf(&over, " (run %lld): ", c->run_id);
  if (open) rc |= put_tier_counts(&over, v) || vg_buf_printf(&over, " on %ld key%s.", v->open_groups, v->open_groups == 1 ? "" : "s");
  else rc |= put(&over, "no open alerts.");
  rc |= vg_buf_append(&over, "", 0);
  b->len = 0;
  if (rc) goto done;
  if (f == VG_DIGEST_TEXT) {
    rc |= put_wrapped(b, title.data, "", "") || put_wrapped(b, over.data, "", "");
  } else if (f == VG_DIGEST_MARKDOWN) {
    rc |= put(b, "# ") || put_md(b, title.data) || put(b, "\n\n") || put_md(b, over.data) || put(b, "\n");
  } else {
    rc |= put(b, "<div style=\"" H_SECTION "\">\n<h1 style=\"" H_H1 "\">") || put_html(b, title.data) ||
          put(b, "</h1>\n<p style=\"" H_META "\">") || put_html(b, over.data) || put(b, "</p>\n");
  }
  for (long gi = 0; gi < v->ng && rc == 0; gi++) {
    const dg_group *g = &v->g[gi];
    const dg_alert *head = v->e[g->first].a;
    text.len = 0;
    rc |= put_key_label(&text, &v->e[g->first]) || put(&text, ": ") || put_clean(&text, g->rank >= 0 ? head->tier : "resolved") ||
          vg_buf_append(&text, "", 0);
    if (rc) break;
    if (f == VG_DIGEST_TEXT) rc |= put(b, "\n") || put_wrapped(b, text.data, "", "  ");
    else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "\n## ") || put_md(b, text.data) || put(b, "\n\n");
    else rc |= put(b, "<h2 style=\"" H_H2 "\">") || put_html(b, text.data) || put(b, "</h2>\n<ul style=\"" H_UL "\">\n");
    for (long i = g->first; i < g->first + g->n && rc == 0; i++) rc |= render_entry(c, b, &v->e[i]);
    text.len = 0;
    rc |= put_group_change(&text, v, g) || vg_buf_append(&text, "", 0);
    if (rc) break;
    if (f == VG_DIGEST_TEXT) rc |= put_wrapped(b, text.data, "  ", "  ");
    else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "\n") || put_md(b, text.data) || put(b, "\n");
    else rc |= put(b, "</ul>\n<p style=\"" H_NOTE "\">") || put_html(b, text.data) || put(b, "</p>\n");
  }
  text.len = 0;
  rc |= put(&text, "In all: ") || put_counts(&text, v->count) || vg_buf_append(&text, "", 0);
  if (rc) goto done;
  if (f == VG_DIGEST_TEXT) rc |= put(b, "\n") || put_wrapped(b, text.data, "", "");
  else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "\n") || put_md(b, text.data) || put(b, "\n");
  else {
    rc |= put(b, "<p style=\"" H_FOOT "\">") || put_html(b, text.data) || put(b, "</p>\n</div>\n");
    /* the section alone, then the document around it */
    c->section.len = 0;
    rc |= vg_buf_append(&c->section, b->data, b->len);
    b->len = 0;
    rc |= put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>") ||
          put_html(b, c->subject.data) ||
          put(b, "</title>\n</head>\n<body style=\"margin:0;padding:24px;background:#f3f4f6\">\n") ||
          vg_buf_append(b, c->section.data, c->section.len) || put(b, "</body>\n</html>\n");
  }
done:
  vg_buf_free(&title);
  vg_buf_free(&over);
  vg_buf_free(&text);
  return rc;
}

/* Shape and render the digest of person p, and keep it. */
static vg_status make_digest(dg_ctx *c, const dg_person *p) {
  dg_view v;
  memset(&v, 0, sizeof v);
  v.p = p;
  v.e = vg_realloc(NULL, (size_t)p->n * sizeof *v.e);
  v.g = vg_realloc(NULL, (size_t)p->n * sizeof *v.g);
  vg_status status = VG_ENOMEM;
  if (!v.e || !v.g) goto done;
  for (long i = 0; i < p->n; i++) {
    const dg_link *l = &c->links[p->first + i];
    v.e[v.ne].a = &c->alerts[l->alert];
    v.e[v.ne].level = l->level;
    v.e[v.ne].kc = v.e[v.ne].a->key_column;
    v.count[v.e[v.ne].a->life]++;
    v.ne++;
  }
  qsort(v.e, (size_t)v.ne, sizeof *v.e, cmp_entry);
  /* an entry without a key column (no evidence) joins the group of its key
  ** that has one (entries without come first among those of a key) */
  int moved = 0;
  for (long i = 0; i < v.ne;) {
    long j = i;
    while (j < v.ne && strcmp(v.e[j].a->key, v.e[i].a->key) == 0) j++;
    if (!v.e[i].kc && v.e[j - 1].kc) {
      const char *kc = NULL;
      for (long k = i; k < j; k++) {
        if (!kc && v.e[k].kc) kc = v.e[k].kc;
      }
      for (long k = i; k < j && !v.e[k].kc; k++) v.e[k].kc = kc;
      moved = 1;
    }
    i = j;
  }
  if (moved) qsort(v.e, (size_t)v.ne, sizeof *v.e, cmp_entry);
  for (long i = 0; i < v.ne;) {
    long j = i;
    while (j < v.ne && strcmp(v.e[j].a->key, v.e[i].a->key) == 0 && cmp_opt(v.e[j].kc, v.e[i].kc) == 0) j++;
    dg_group *g = &v.g[v.ng++];
    g->first = i;
    g->n = j - i;
    g->rank = v.e[i].a->life == DG_RESOLVED ? -1 : v.e[i].a->rank; /* open ones first, highest tier first */
    g->key = v.e[i].a->key;
    g->key_column = v.e[i].kc;
    if (g->rank >= 0) v.open_groups++;
    i = j;
  }
  qsort(v.g, (size_t)v.ng, sizeof *v.g, cmp_group);
  if (render(c, &v) != 0) goto done;
  if (GROW(c->outs, c->nouts, c->capouts) != 0) goto done;
  dg_out *o = &c->outs[c->nouts];
  o->recipient = p->person;
  o->name = p->name;
  o->subject = vg_arena_strndup(&c->arena, c->subject.data, c->subject.len);
  o->body = vg_arena_strndup(&c->arena, c->body.data, c->body.len);
  o->section = c->o->format == VG_DIGEST_HTML ? vg_arena_strndup(&c->arena, c->section.data, c->section.len) : o->body;
  o->alerts = v.count[DG_NEW] + v.count[DG_ONGOING] + v.count[DG_ESCALATED];
  o->resolved = v.count[DG_RESOLVED];
  if (!o->subject || !o->body || !o->section) goto done;
  c->nouts++;
  status = VG_OK;
done:
  vg_free(v.e);
  vg_free(v.g);
  return status;
}

/* ---- the outbox --------------------------------------------------------------- */


static const char *const format_names[] = {"text", "markdown", "html"};

/* Replace this run's rows of this format (with o->to: those of the digests
** made) by the digests.  0 or -1 (reported). */
static int write_outbox(dg_ctx *c) {
  char created[40];
  exec_now_utc(created, sizeof created);
  const char *fmt = format_names[c->o->format];
  sqlite3_stmt *del = NULL, *ins = NULL;
  int rc = 0;
  if (exec_db_create(c->db, EXEC_REC_OUTBOX) != SQLITE_OK ||
      sqlite3_prepare_v2(c->db, c->o->to ? "DELETE FROM vigil_outbox WHERE run_id = ?1 AND format = ?2 AND recipient IS ?3"
                                         : "DELETE FROM vigil_outbox WHERE run_id = ?1 AND format = ?2", -1, &del, NULL) ||
      sqlite3_prepare_v2(c->db, "INSERT INTO vigil_outbox(run_id, recipient, subject, body, format, created)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &ins, NULL)) {
    rc = -1;
    goto done;
  }
  for (long i = 0; i < (c->o->to ? c->nouts : 1) && rc == 0; i++) {
    sqlite3_reset(del);
    sqlite3_bind_int64(del, 1, c->run_id);
    sqlite3_bind_text(del, 2, fmt, -1, SQLITE_STATIC);
    if (c->o->to && bind_text(c, del, 3, c->outs[i].recipient) != 0) rc = -1;
    if (rc == 0 && sqlite3_step(del) != SQLITE_DONE) rc = -1;
  }
  for (long i = 0; i < c->nouts && rc == 0; i++) {
    const dg_out *o = &c->outs[i];
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, c->run_id);
    if (bind_text(c, ins, 2, o->recipient) != 0) rc = -1;
    sqlite3_bind_text(ins, 3, o->subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, o->body, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, fmt, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, created, -1, SQLITE_STATIC);
    if (rc == 0 && sqlite3_step(ins) != SQLITE_DONE) rc = -1;
  }
done:
  if (rc) dg_diag(c, "%s: writing vigil_outbox failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
  sqlite3_finalize(del);
  sqlite3_finalize(ins);
  return rc;
}

/* ---- vg_digest_run -------------------------------------------------------------- */

static vg_status digest_all(dg_ctx *c) {
  const vg_digest_opts *o = c->o;
  int flags = (o->outbox ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  char err[256];
  vg_status ost = vg_db_open(o->db_path, flags, &c->db, err, sizeof err);
  if (ost != VG_OK) {
    dg_diag(c, "%s: cannot open the database: %s", o->db_path, err);
    return ost;
  }
  if (o->outbox && sqlite3_db_readonly(c->db, "main") == 1) {
    dg_diag(c, "%s: the database is read-only, and storing the digests in vigil_outbox writes into it", o->db_path);
    return VG_EDB;
  }
  /* one transaction: one snapshot of the runs, and the outbox written with
  ** it; its lock is taken (or waited for) now */
  if (db_begin(c->db, o->outbox) != SQLITE_OK) {
    dg_diag(c, "%s: %s", o->db_path, vg_db_errmsg(c->db));
    return VG_EDB;
  }
  /* the outbox must take what a digest writes: find out before anything is made */
  if (o->outbox) {
    int rc = exec_db_check_table(c->db, EXEC_REC_OUTBOX, o->db_path, "no digest was made or written", o->diag, o->ud);
    if (rc != 0) return rc == -3 ? VG_ENOMEM : VG_EDB;
  }
  if (!exec_has_column(c->db, "vigil_runs", "as_of") || !exec_has_column(c->db, "vigil_alerts", "run_id")) {
    dg_diag(c, "%s: no recorded runs here (no vigil_runs / vigil_alerts tables; 'vigil run' records them)", o->db_path);
    return VG_EINPUT;
  }
  c->has_status = exec_has_column(c->db, "vigil_alerts", "status");
  c->has_first_seen = exec_has_column(c->db, "vigil_alerts", "first_seen");
  c->has_runs = exec_has_column(c->db, "vigil_alerts", "runs");
  c->has_rank = exec_has_column(c->db, "vigil_alerts", "tier_rank");
  c->has_evidence = exec_has_column(c->db, "vigil_alerts", "evidence");
  c->has_route = exec_has_column(c->db, "vigil_alerts", "route");
  if (o->to && !(c->to = dg_text(c, o->to, strlen(o->to)))) return VG_ENOMEM;
  vg_status st = find_run(c);
  if (st == VG_OK) st = load_alerts(c);
  if (st == VG_OK && c->has_evidence) st = load_evidence(c);
  if (st == VG_OK) st = load_links(c);
  if (st != VG_OK) return st;
  if (c->npersons > 1) qsort(c->persons, (size_t)c->npersons, sizeof *c->persons, cmp_person);
  for (long i = 0; i < c->npersons && st == VG_OK; i++) st = make_digest(c, &c->persons[i]);
  /* what the caller gets, as bytes (C strings, so a NUL byte ends them for it) */
  size_t n;
  for (long i = 0; i < c->nouts && st == VG_OK; i++) {
    c->outs[i].recipient_b = dg_bytes(c, c->outs[i].recipient, &n);
    c->outs[i].name_b = dg_bytes(c, c->outs[i].name, &n);
  }
  if (st == VG_OK) {
    c->pack_b = dg_bytes(c, c->pack, &n);
    c->as_of_b = dg_bytes(c, c->as_of, &n);
  }
  if (st == VG_OK && c->oom) st = VG_ENOMEM;
  if (st == VG_OK && o->outbox && write_outbox(c) != 0) st = VG_EDB;
  if (st == VG_OK && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    dg_diag(c, "%s: %s", o->db_path, vg_db_errmsg(c->db));
    st = VG_EDB;
  }
  return st;
}

vg_status vg_digest_run(const vg_digest_opts *o) {
  dg_ctx c;
  memset(&c, 0, sizeof c);
  c.o = o;
  if (!o->db_path || o->run_id < 0 || (int)o->format < VG_DIGEST_TEXT || (int)o->format > VG_DIGEST_HTML) {
    dg_diag(&c, "a digest needs a database, a run id >= 0 (0: the latest) and a format");
    return VG_EUSAGE;
  }
  vg_status st = digest_all(&c);
  if (c.db) {
    if (st != VG_OK) sqlite3_exec(c.db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(c.db);
  }
  if (st == VG_OK) {
    for (long i = 0; i < c.nouts && o->digest; i++) {
      const dg_out *d = &c.outs[i];
      vg_digest vd = {d->recipient_b, d->name_b, d->subject, d->body, d->section, d->alerts, d->resolved};
      o->digest(o->out_ud, &vd);
    }
    if (o->summary) {
      vg_digest_summary s = {c.run_id, c.pack_b, c.as_of_b, c.total_alerts, c.total_resolved, (int)c.nouts,
                             o->outbox ? (int)c.nouts : 0};
      o->summary(o->out_ud, &s);
    }
  }
  vg_free(c.alerts);
  vg_free(c.vals);
  vg_free(c.cells);
  vg_free(c.links);
  vg_free(c.persons);
  vg_free(c.outs);
  vg_free(c.tier_names);
  vg_buf_free(&c.body);
  vg_buf_free(&c.section);
  vg_buf_free(&c.details);
  vg_buf_free(&c.line);
  vg_buf_free(&c.scratch);
  vg_buf_free(&c.subject);
  vg_arena_free(&c.arena);
  return st;
}
