/*
** digest.c — vg_digest_run: one recorded run's alerts as one digest per
** person, in text, Markdown or HTML, optionally stored in vigil_outbox.
** This half reads and shapes; digest_render.c writes.
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
** open alerts highest tier first (of one tier, new and escalated ones before
** ongoing ones), then the run's resolved entries.  Persons are ordered by
** the severity they hold (cmp_person).
**
** Text from the database may hold any bytes, NUL included.  It is kept as a
** C string in an internal form that is one-to-one with the bytes (so keys
** and persons compare exactly): a NUL byte is stored as 0xC0 0x80 and a
** 0xC0 byte as 0xC0 0xC0 (0xC0 never occurs in valid UTF-8).  dg_bytes
** turns it back into the bytes where they leave the digest (SQL binds, the
** caller's vg_digest).
**
** Memory: every string of one call lives in one arena, freed at the end;
** the arrays are vg_vecs.
*/
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "digest.h"
#include "../runtime/exec.h"
#include "../runtime/db.h"
#include "../core/diagcodes.h"

/* ---- small helpers ---------------------------------------------------------- */

static void dg_diag(const dg_ctx *c, vg_dcode code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

static void dg_diag(const dg_ctx *c, vg_dcode code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vg_vreport(c->o->diag, c->o->ud, VG_ERROR, code, NULL, 0, 0, fmt, ap);
  va_end(ap);
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

/* A whole number with a comma between each group of three digits. */
static void group_thousands(double x, char *buf, size_t cap) {
  char d[32];
  int n = snprintf(d, sizeof d, "%.0f", fabs(x));
  size_t j = 0;
  if (x < 0 && j + 1 < cap) buf[j++] = '-';
  for (int i = 0; i < n && j + 2 < cap; i++) {
    if (i > 0 && (n - i) % 3 == 0) buf[j++] = ',';
    buf[j++] = d[i];
  }
  buf[j] = 0;
}

/* A number as a digest shows it: up to 4 significant digits ("0.1235",
** "12.5"), from 10,000 on rounded to a whole number, its thousands grouped ("123,457");
** non-finite ones as nan, inf, -inf. */
static void fmt_num(double x, char *buf, size_t cap) {
  if (x == 0) x = 0; /* no "-0" */
  if (isnan(x)) snprintf(buf, cap, "nan");
  else if (isinf(x)) snprintf(buf, cap, x > 0 ? "inf" : "-inf");
  else if (fabs(x) >= 1e4 && fabs(x) < 1e15) group_thousands(x, buf, cap);
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

static int put(vg_buf *b, const char *s) { return vg_buf_append(b, s, strlen(s)); }

/* ---- reading the run ---------------------------------------------------------- */

/* Prepare sql (reporting a failure).  0 or -1. */
static int prepare(dg_ctx *c, const char *sql, sqlite3_stmt **st) {
  if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) == SQLITE_OK) return 0;
  dg_diag(c, DIAG_E_DATABASE, "%s: reading the recorded runs failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
  return -1;
}

/* A step's end: SQLITE_DONE is fine, anything else is reported.  0 or -1. */
static int step_done(dg_ctx *c, int rc) {
  if (rc == SQLITE_DONE) return 0;
  dg_diag(c, DIAG_E_DATABASE, "%s: reading the recorded runs failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
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
      dg_diag(c, DIAG_E_NO_RUN, "%s: run %lld is a run of pack %s, not %s", o->db_path, o->run_id, c->pack, o->pack);
      status = VG_EINPUT;
    }
  } else if (step_done(c, rc) != 0) {
    status = VG_EDB;
  } else {
    if (o->run_id > 0) dg_diag(c, DIAG_E_NO_RUN, "%s: no run %lld in vigil_runs", o->db_path, o->run_id);
    else if (o->pack) dg_diag(c, DIAG_E_NO_RUN, "%s: no recorded run of pack %s", o->db_path, o->pack);
    else dg_diag(c, DIAG_E_NO_RUN, "%s: no recorded run (vigil_runs is empty)", o->db_path);
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
  for (size_t i = 0; i < c->tier_names.n; i++)
    if (strcmp(c->tier_names.v[i], tier) == 0) return (int)i;
  if (vg_vec_push(&c->tier_names, tier) != 0) { c->oom = 1; return 0; }
  return (int)c->tier_names.n - 1;
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

/* The size of alert a from columns i (rel), i+1 (value), i+2 (threshold)
** and i+3 (op): its rel, and the words a card shows. */
static void size_of(dg_ctx *c, dg_alert *a, sqlite3_stmt *st, int i) {
  double rel = sqlite3_column_double(st, i), x = sqlite3_column_double(st, i + 1), y = sqlite3_column_double(st, i + 2);
  const char *op = (const char *)sqlite3_column_text(st, i + 3);
  if (!isfinite(rel) || rel < 0 || !op || (strcmp(op, "<") && strcmp(op, "<=") && strcmp(op, ">") && strcmp(op, ">=")))
    return; /* not the shape a run records */
  char r[64], v[64], t[64], out[256];
  fmt_num(x, v, sizeof v);
  fmt_num(y, t, sizeof t);
  const char *side = op[0] == '<' ? "below" : "above";
  if (rel == 0) snprintf(out, sizeof out, "%s, at the threshold %s", v, t);
  else {
    double pc = rel * 100; /* a percent in 2 significant digits, whole from 10% on */
    if (y == 0) fmt_num(rel, r, sizeof r);
    else if (pc >= 1e4 && pc < 1e15) group_thousands(pc, r, sizeof r);
    else snprintf(r, sizeof r - 1, pc >= 10 && pc < 1e15 ? "%.0f" : "%.2g", pc);
    if (y != 0) strcat(r, "%");
    snprintf(out, sizeof out, "%s, %s %s the threshold %s", v, r, side, t);
  }
  a->has_size = 1;
  a->size = rel;
  a->size_text = arena_str(c, out);
}

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
  if (c->has_evidence)
    rc |= vg_buf_printf(&q,
      "CASE WHEN json_type(%s, '$.label') IN ('text', 'integer', 'real') THEN CAST(json_extract(a.evidence, '$.label') AS TEXT) END, ",
      VALID_JSON("a.evidence"));
  else
    rc |= put(&q, "NULL, ");
  if (c->has_route)
    rc |= vg_buf_printf(&q,
      "CASE WHEN json_type(%s, '$[0].to') IN ('text', 'integer', 'real') THEN CAST(json_extract(a.route, '$[0].to') AS TEXT) END, "
      "CASE WHEN json_type(%s, '$[0].name') = 'text' THEN json_extract(a.route, '$[0].name') END, ", route, route);
  else
    rc |= put(&q, "NULL, NULL, ");
  if (c->has_evidence) /* the size: rel, value, threshold, op (all four, or none) */
    rc |= put(&q,
      "CASE WHEN json_valid(a.evidence) THEN CASE WHEN json_type(a.evidence, '$.size.rel') IN ('integer', 'real')"
      " AND json_type(a.evidence, '$.size.value') IN ('integer', 'real')"
      " AND json_type(a.evidence, '$.size.threshold') IN ('integer', 'real') AND json_type(a.evidence, '$.size.op') = 'text'"
      " THEN json_extract(a.evidence, '$.size.rel') END END,"
      " CASE WHEN json_valid(a.evidence) THEN json_extract(a.evidence, '$.size.value') END,"
      " CASE WHEN json_valid(a.evidence) THEN json_extract(a.evidence, '$.size.threshold') END,"
      " CASE WHEN json_valid(a.evidence) THEN json_extract(a.evidence, '$.size.op') END, ");
  else
    rc |= put(&q, "NULL, NULL, NULL, NULL, ");
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
    dg_alert *a = vg_vec_add(&c->alerts);
    if (!a) { c->oom = 1; break; }
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
    a->label = col_text(c, st, 11);
    a->owner = col_text(c, st, 12);
    a->owner_name = col_text(c, st, 13);
    a->prev_tier = a->life == DG_ESCALATED ? col_text(c, st, 18) : NULL;
    if (sqlite3_column_type(st, 14) != SQLITE_NULL) size_of(c, a, st, 14);
    if (a->label && !a->label[0]) a->label = NULL;
    if (a->owner_name && !a->owner_name[0]) a->owner_name = NULL;
    if (a->life == DG_RESOLVED) c->total_resolved++;
    else c->total_alerts++;
    c->total_new += a->life == DG_NEW;
    c->total_escalated += a->life == DG_ESCALATED;
  }
  if (c->oom) { sqlite3_finalize(st); return VG_ENOMEM; }
  vg_status status = step_done(c, rc) == 0 ? VG_OK : VG_EDB;
  sqlite3_finalize(st);
  return status;
}

/* The index of the alert with rowid id, or -1. */
static long alert_index(const dg_ctx *c, long long id) {
  size_t lo = 0, hi = c->alerts.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->alerts.v[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < c->alerts.n && c->alerts.v[lo].id == id ? (long)lo : -1;
}

/* Duration text "N days" (or "N day"), N a whole number of weeks other than
** 0, as "N/7 weeks" ("1 week"); anything else is kept. */
static const char *in_weeks(dg_ctx *c, const char *t) {
  long long n;
  char d[32], out[48];
  size_t len = strcspn(t, " ");
  if (len == 0 || len >= sizeof d || (strcmp(t + len, " days") != 0 && strcmp(t + len, " day") != 0)) return t;
  memcpy(d, t, len);
  d[len] = 0;
  if (!is_int_text(d, &n) || n == 0 || n % 7 != 0) return t;
  snprintf(out, sizeof out, "%lld week%s", n / 7, n == 7 || n == -7 ? "" : "s");
  return arena_str(c, out);
}

/* A JSON element (json_each's type, atom and value at columns i, i+1, i+2)
** as a digest shows it; kind is how the evidence's "params" says a param
** shows (NULL for other values): "percent" makes a number a percent. */
static const char *json_cell_text(dg_ctx *c, sqlite3_stmt *st, int i, const char *kind) {
  const char *type = (const char *)sqlite3_column_text(st, i);
  char num[64];
  if (!type) return arena_str(c, "null");
  if (kind && strcmp(kind, "percent") == 0 && (strcmp(type, "integer") == 0 || strcmp(type, "real") == 0)) {
    double x = sqlite3_column_double(st, i + 1) * 100;
    fmt_num(x, num, sizeof num);
    if (isfinite(x)) strcat(num, "%");
    return arena_str(c, num);
  }
  if (strcmp(type, "integer") == 0) {
    /* a count or an amount from 10,000 on with its thousands grouped; an
    ** identifier (a name that is id or ends in _id) as it is */
    long long v = sqlite3_column_int64(st, i + 1);
    const char *name = (const char *)sqlite3_column_text(st, i - 1);
    size_t n = name ? strlen(name) : 0;
    int is_id = name && (strcmp(name, "id") == 0 || (n > 3 && strcmp(name + n - 3, "_id") == 0));
    if (!is_id && (v >= 10000 || v <= -10000) && v < 1000000000000000LL && v > -1000000000000000LL)
      group_thousands((double)v, num, sizeof num);
    else snprintf(num, sizeof num, "%lld", v);
    return arena_str(c, num);
  }
  if (strcmp(type, "real") == 0) {
    fmt_num(sqlite3_column_double(st, i + 1), num, sizeof num);
    return arena_str(c, num);
  }
  if (strcmp(type, "true") == 0 || strcmp(type, "false") == 0 || strcmp(type, "null") == 0) return arena_str(c, type);
  if (strcmp(type, "text") == 0) {
    const char *t = col_text(c, st, i + 1);
    return t ? in_weeks(c, t) : arena_str(c, "");
  }
  const char *t = col_text(c, st, i + 2); /* an array or object: its JSON text */
  return t ? t : arena_str(c, "null");
}

/* Rows (rowid, name, type, atom, value, kind) of sql into *v, then each
** alert's slice of them (the rows are ordered by rowid); kind is the
** evidence's "params" entry of the value, NULL when it is not a param. */
static vg_status load_cells(dg_ctx *c, const char *sql, dg_cells *v, int window) {
  sqlite3_stmt *st = NULL;
  if (prepare(c, sql, &st) != 0) return VG_EDB;
  sqlite3_bind_int64(st, 1, c->run_id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW && !c->oom) {
    dg_cell *e = vg_vec_add(v);
    if (!e) { c->oom = 1; break; }
    e->id = sqlite3_column_int64(st, 0);
    e->name = col_text(c, st, 1);
    if (!e->name) e->name = arena_str(c, "");
    const char *kind = (const char *)sqlite3_column_text(st, 5);
    e->param = kind != NULL;
    e->text = json_cell_text(c, st, 2, kind);
  }
  if (c->oom) { sqlite3_finalize(st); return VG_ENOMEM; }
  vg_status status = step_done(c, rc) == 0 ? VG_OK : VG_EDB;
  sqlite3_finalize(st);
  for (size_t i = 0; i < v->n && status == VG_OK;) {
    size_t j = i;
    while (j < v->n && v->v[j].id == v->v[i].id) j++;
    long k = alert_index(c, v->v[i].id);
    if (k >= 0 && window) { c->alerts.v[k].cells = v->v + i; c->alerts.v[k].ncells = (long)(j - i); }
    if (k >= 0 && !window) { c->alerts.v[k].vals = v->v + i; c->alerts.v[k].nvals = (long)(j - i); }
    i = j;
  }
  return status;
}

static vg_status load_evidence(dg_ctx *c) {
  vg_status st = load_cells(c,
    "SELECT a.rowid, v.key, v.type, v.atom, v.value,"
    " (SELECT k.value FROM json_each(CASE WHEN json_type(a.evidence, '$.params') = 'object' THEN a.evidence END, '$.params') k"
    "  WHERE k.key = v.key AND k.type = 'text') FROM vigil_alerts a, json_each("
    "CASE WHEN json_valid(a.evidence) THEN CASE WHEN json_type(a.evidence, '$.values') = 'object' THEN a.evidence END END,"
    " '$.values') v WHERE a.run_id = ?1 ORDER BY a.rowid, v.id",
    &c->vals, 0);
  if (st != VG_OK) return st;
  return load_cells(c,
    "SELECT a.rowid, w.key, s.type, s.atom, s.value, NULL FROM vigil_alerts a, json_each("
    "CASE WHEN json_valid(a.evidence) THEN CASE WHEN json_type(a.evidence, '$.window') = 'object' THEN a.evidence END END,"
    " '$.window') w, json_each(CASE WHEN w.type = 'array' THEN w.value END) s"
    " WHERE a.run_id = ?1 ORDER BY a.rowid, w.id, s.id",
    &c->cells, 1);
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
    const dg_link *last = c->links.n ? &c->links.v[c->links.n - 1] : NULL;
    int same = last && same_person(last->person, text);
    if (same && last->alert == k) continue; /* twice on one route */
    if (same) text = last->person; /* (last dies when links grow) */
    dg_link *l = vg_vec_add(&c->links);
    if (!l) { c->oom = 1; break; }
    l->person = text;
    l->name = col_text(c, st, 2);
    l->alert = k;
    l->level = sqlite3_column_int(st, 3);
  }
  if (c->oom) { sqlite3_finalize(st); return VG_ENOMEM; }
  vg_status status = step_done(c, rc) == 0 ? VG_OK : VG_EDB;
  sqlite3_finalize(st);
  /* persons: runs of one person; the name is the first one given */
  const dg_link *lk = c->links.v;
  for (size_t i = 0; i < c->links.n && status == VG_OK;) {
    size_t j = i;
    const char *name = NULL;
    while (j < c->links.n && same_person(lk[j].person, lk[i].person)) {
      if (!name) name = lk[j].name;
      j++;
    }
    const char *to = c->to;
    if (!to || (lk[i].person && (strcmp(lk[i].person, to) == 0 || (name && strcmp(name, to) == 0)))) {
      dg_person *p = vg_vec_add(&c->persons);
      if (!p) return VG_ENOMEM;
      p->person = lk[i].person;
      p->name = name;
      p->first = (long)i;
      p->n = (long)(j - i);
      p->rank = -1;
      p->at_rank = p->open = 0;
      for (size_t k = i; k < j; k++) {
        const dg_alert *a = &c->alerts.v[lk[k].alert];
        if (a->life == DG_RESOLVED) continue;
        p->open++;
        if (a->rank > p->rank) { p->rank = a->rank; p->at_rank = 0; }
        p->at_rank += a->rank == p->rank;
      }
    }
    i = j;
  }
  return status;
}

/* Persons by the severity they hold (the highest open tier, then how many
** alerts of it, then how many open ones), then in key order; the unrouted
** digest last. */
static int cmp_person(const void *x, const void *y) {
  const dg_person *a = x, *b = y;
  if (!a->person || !b->person) return (a->person == NULL) - (b->person == NULL);
  if (a->rank != b->rank) return a->rank > b->rank ? -1 : 1;
  if (a->at_rank != b->at_rank) return a->at_rank > b->at_rank ? -1 : 1;
  if (a->open != b->open) return a->open > b->open ? -1 : 1;
  return cmp_text(a->person, b->person);
}

/* ---- the entities' names ------------------------------------------------------ */

/* An alert routed to its own key (the route's first entry is the key) says
** the key is a person of the org chart, and gives the chart's name of it:
** c->named holds those keys (with a name), ordered by key, then rowid. */
static int cmp_named(const void *x, const void *y) {
  const dg_named *a = x, *b = y;
  int r = cmp_text(a->key, b->key);
  return r ? r : (a->id > b->id) - (a->id < b->id);
}

static vg_status index_names(dg_ctx *c) {
  for (size_t i = 0; i < c->alerts.n; i++) {
    const dg_alert *a = &c->alerts.v[i];
    if (!a->owner || !a->owner_name || strcmp(a->owner, a->key) != 0) continue;
    dg_named n = {a->key, a->key_column, a->owner_name, a->id};
    if (vg_vec_push(&c->named, n) != 0) return VG_ENOMEM;
  }
  if (c->named.n > 1) qsort(c->named.v, c->named.n, sizeof *c->named.v, cmp_named);
  return VG_OK;
}

/* The name of group g (of key g->key, named by key column g->key_column):
** the label the evidence of one of its alerts gives (the first, in the
** group's order), else the org chart's name of the key when an alert of the
** run with that key (and that key column, or none) is routed to the key;
** NULL when neither. */
static const char *entity_name(const dg_ctx *c, const dg_entry *e, const dg_group *g) {
  for (long i = g->first; i < g->first + g->n; i++)
    if (e[i].a->label) return e[i].a->label;
  size_t lo = 0, hi = c->named.n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cmp_text(c->named.v[mid].key, g->key) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (; lo < c->named.n; lo++) {
    const dg_named *n = &c->named.v[lo];
    if (strcmp(n->key, g->key) != 0) break;
    if (!n->key_column || !g->key_column || strcmp(n->key_column, g->key_column) == 0) return n->name;
  }
  return NULL;
}

/* ---- one person's digest ------------------------------------------------------ */

static int cmp_entry(const void *x, const void *y) {
  const dg_entry *e = x, *f = y;
  const dg_alert *a = e->a, *b = f->a;
  int r = cmp_text(a->key, b->key);
  if (!r) r = cmp_opt(e->kc, f->kc);
  if (!r) r = (a->life == DG_RESOLVED) - (b->life == DG_RESOLVED);
  if (!r) r = (a->rank < b->rank) - (a->rank > b->rank);
  if (!r) r = (a->life == DG_ONGOING) - (b->life == DG_ONGOING); /* new or escalated first */
  if (!r) r = b->has_size - a->has_size;                           /* with a size first, */
  if (!r && a->has_size) r = (a->size < b->size) - (a->size > b->size); /* the largest first */
  if (!r) r = (a->id > b->id) - (a->id < b->id);
  return r;
}

static int cmp_group(const void *x, const void *y) {
  const dg_group *g = x, *h = y;
  if (g->rank != h->rank) return g->rank > h->rank ? -1 : 1;
  int r = cmp_text(g->key, h->key);
  return r ? r : cmp_opt(g->key_column, h->key_column);
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
    const dg_link *l = &c->links.v[p->first + i];
    v.e[v.ne].a = &c->alerts.v[l->alert];
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
    g->name = entity_name(c, v.e, g);
    if (g->rank >= 0) v.open_groups++;
    i = j;
  }
  qsort(v.g, (size_t)v.ng, sizeof *v.g, cmp_group);
  if (dg_render(c, &v) != 0) goto done;
  dg_out o;
  memset(&o, 0, sizeof o);
  o.recipient = p->person;
  o.name = p->name;
  o.subject = vg_arena_strndup(&c->arena, c->subject.data, c->subject.len);
  o.body = vg_arena_strndup(&c->arena, c->body.data, c->body.len);
  o.section = c->o->format == VG_DIGEST_HTML ? vg_arena_strndup(&c->arena, c->section.data, c->section.len) : o.body;
  o.toc = c->o->format == VG_DIGEST_HTML ? vg_arena_strndup(&c->arena, c->toc.data, c->toc.len) : NULL;
  o.alerts = v.count[DG_NEW] + v.count[DG_ONGOING] + v.count[DG_ESCALATED];
  o.resolved = v.count[DG_RESOLVED];
  if (!o.subject || !o.body || !o.section || (c->o->format == VG_DIGEST_HTML && !o.toc) || vg_vec_push(&c->outs, o) != 0) goto done;
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
  for (size_t i = 0; i < (c->o->to ? c->outs.n : 1) && rc == 0; i++) {
    sqlite3_reset(del);
    sqlite3_bind_int64(del, 1, c->run_id);
    sqlite3_bind_text(del, 2, fmt, -1, SQLITE_STATIC);
    if (c->o->to && bind_text(c, del, 3, c->outs.v[i].recipient) != 0) rc = -1;
    if (rc == 0 && sqlite3_step(del) != SQLITE_DONE) rc = -1;
  }
  for (size_t i = 0; i < c->outs.n && rc == 0; i++) {
    const dg_out *o = &c->outs.v[i];
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
  if (rc) dg_diag(c, DIAG_E_DATABASE, "%s: writing vigil_outbox failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
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
    dg_diag(c, DIAG_E_DATABASE, "%s: cannot open the database: %s", o->db_path, err);
    return ost;
  }
  if (o->outbox && sqlite3_db_readonly(c->db, "main") == 1) {
    dg_diag(c, DIAG_E_READ_ONLY, "%s: the database is read-only, and storing the digests in vigil_outbox writes into it", o->db_path);
    return VG_EDB;
  }
  /* one transaction: one snapshot of the runs, and the outbox written with
  ** it; its lock is taken (or waited for) now */
  if (db_begin(c->db, o->outbox) != SQLITE_OK) {
    dg_diag(c, DIAG_E_DATABASE, "%s: %s", o->db_path, vg_db_errmsg(c->db));
    return VG_EDB;
  }
  /* the outbox must take what a digest writes: find out before anything is made */
  if (o->outbox) {
    int rc = exec_db_check_table(c->db, EXEC_REC_OUTBOX, o->db_path, "no digest was made or written", o->diag, o->ud);
    if (rc != 0) return rc == -3 ? VG_ENOMEM : VG_EDB;
  }
  if (!exec_has_column(c->db, "vigil_runs", "as_of") || !exec_has_column(c->db, "vigil_alerts", "run_id")) {
    dg_diag(c, DIAG_E_NO_RUN, "%s: no recorded runs here (no vigil_runs / vigil_alerts tables; 'vigil run' records them)", o->db_path);
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
  if (st == VG_OK) st = index_names(c);
  if (st != VG_OK) return st;
  if (c->persons.n > 1) qsort(c->persons.v, c->persons.n, sizeof *c->persons.v, cmp_person);
  for (size_t i = 0; i < c->persons.n && st == VG_OK; i++) {
    c->index = (long)i + 1;
    st = make_digest(c, &c->persons.v[i]);
  }
  /* what the caller gets, as bytes (C strings, so a NUL byte ends them for it) */
  size_t n;
  for (size_t i = 0; i < c->outs.n && st == VG_OK; i++) {
    c->outs.v[i].recipient_b = dg_bytes(c, c->outs.v[i].recipient, &n);
    c->outs.v[i].name_b = dg_bytes(c, c->outs.v[i].name, &n);
  }
  if (st == VG_OK) {
    c->pack_b = dg_bytes(c, c->pack, &n);
    c->as_of_b = dg_bytes(c, c->as_of, &n);
  }
  if (st == VG_OK && c->oom) st = VG_ENOMEM;
  if (st == VG_OK && o->outbox && write_outbox(c) != 0) st = VG_EDB;
  if (st == VG_OK && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    dg_diag(c, DIAG_E_DATABASE, "%s: %s", o->db_path, vg_db_errmsg(c->db));
    st = VG_EDB;
  }
  return st;
}

vg_status vg_digest_run(const vg_digest_opts *o) {
  dg_ctx c;
  memset(&c, 0, sizeof c);
  c.o = o;
  if (!o->db_path || o->run_id < 0 || (int)o->format < VG_DIGEST_TEXT || (int)o->format > VG_DIGEST_HTML) {
    dg_diag(&c, DIAG_E_OPTIONS, "a digest needs a database, a run id >= 0 (0: the latest) and a format");
    return VG_EUSAGE;
  }
  vg_status st = digest_all(&c);
  if (c.db) {
    if (st != VG_OK) sqlite3_exec(c.db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(c.db);
  }
  if (st == VG_OK) {
    for (size_t i = 0; i < c.outs.n && o->digest; i++) {
      const dg_out *d = &c.outs.v[i];
      vg_digest vd = {d->recipient_b, d->name_b, d->subject, d->body, d->section, d->alerts, d->resolved, d->toc};
      o->digest(o->out_ud, &vd);
    }
    if (o->summary) {
      vg_digest_summary s = {c.run_id, c.pack_b, c.as_of_b, c.total_alerts, c.total_resolved, (int)c.outs.n,
                             o->outbox ? (int)c.outs.n : 0, c.total_new, c.total_escalated};
      o->summary(o->out_ud, &s);
    }
  }
  vg_vec_free(&c.alerts);
  vg_vec_free(&c.vals);
  vg_vec_free(&c.cells);
  vg_vec_free(&c.links);
  vg_vec_free(&c.persons);
  vg_vec_free(&c.outs);
  vg_vec_free(&c.tier_names);
  vg_vec_free(&c.named);
  vg_buf_free(&c.body);
  vg_buf_free(&c.section);
  vg_buf_free(&c.details);
  vg_buf_free(&c.line);
  vg_buf_free(&c.scratch);
  vg_buf_free(&c.subject);
  vg_buf_free(&c.toc);
  vg_arena_free(&c.arena);
  return st;
}
