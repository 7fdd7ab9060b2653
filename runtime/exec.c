/*
** exec.c — running programs over a SQLite database.
**
** Per source that has rules: one query reading only the columns the program
** uses, ordered by key, time and rowid, stepped once.  The rows of the
** current key go into a vm_series (a ring of lookback + 2 slots, or a
** growing array when some rule looks back without a row bound); when the key
** changes, every rule on that source is evaluated on it.  Slots are reused,
** so the steady state allocates nothing per row.
**
** Lookups into other sources are point queries (key = ?, newest first),
** cached per source for the last key and day.
**
** Bad data (text in a number column, an unreadable date, a NULL key or
** time, duplicate rows) is counted per source and column, with an example
** key, and reported once per rule and column when the pack is done.
** Recording happens at the end, in the transaction the run holds.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "exec.h"
#include "db.h"
#include "../core/limits.h"
#include "../stdlib/lib.h"

/* Kinds of bad data. */
enum { BAD_TEXT_NUM, BAD_DATE, BAD_NULL_KEY, BAD_KEY, BAD_NULL_TIME, BAD_TIME, BAD_DUP, BAD__COUNT };
static const char *const bad_what[BAD__COUNT] = {
  "value(s) that are not numbers in a number column, read as null",
  "unreadable date(s), read as null",
  "row(s) with a NULL key, skipped",
  "row(s) whose key cannot be read as its column's type, skipped",
  "row(s) with a NULL time, skipped",
  "row(s) with an unreadable time, skipped",
  "duplicate row(s) for the same key and day; the one with the larger rowid is used",
};

typedef struct bad_count {
  long long n;
  char example[96];  /* the first bad row's key, shown with lib_show_text */
} bad_count;

struct src_run {
  const vm_source *src;
  sqlite3_stmt *lookup;      /* prepared on first lookup */
  int has_rowid;
  char *rowid_sql; int rowid_known; /* what reads the table's real rowid (rowid_expr) */
  vm_row lrow;               /* the lookup result row */
  vm_row cand;               /* the row being read by a lookup */
  int lfound;
  val lkey; char *lkeybuf; size_t lkeycap; int32_t lday; int lvalid; /* cache */
  bad_count *bad;            /* [ncols * BAD__COUNT]: rows read by the source's scan */
  bad_count *lbad;           /* the same for rows read by lookups into it */
  int counting_lookup;       /* read_row counts into lbad */
  int derived;               /* a rollup's rows, made by the run: not counted as rows read */
  bad_count *rbad;           /* the same for rows read to make rollups of it */
  int counting_rollup;       /* read_row counts into rbad */
};

/* ---- diagnostics ------------------------------------------------------------ */

void exec_diag(const exec_opts *o, vg_severity sev, const char *file, int line, const char *fmt, ...) {
  if (!o->diag) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  vg_diag d;
  memset(&d, 0, sizeof d);
  d.severity = sev;
  d.file = file;
  d.line = line;
  d.message = msg;
  o->diag(o->ud, &d);
}

/* ---- SQL text ------------------------------------------------------------------ */

/* Append name as a quoted SQL identifier: "a""b".  Nothing in a rule file
** can end the quote, so nothing in it can become SQL. */
int exec_quote_ident(vg_buf *b, const char *name) {
  if (vg_buf_append(b, "\"", 1) != 0) return -1;
  for (const char *s = name; *s; s++) {
    if (*s == '"' && vg_buf_append(b, "\"", 1) != 0) return -1;
    if (vg_buf_append(b, s, 1) != 0) return -1;
  }
  return vg_buf_append(b, "\"", 1);
}

/* SELECT the source's columns (and rowid, the expression that reads the
** real rowid, unless NULL) FROM its table. */
int exec_select_list(vg_buf *b, const vm_source *s, const char *rowid) {
  int rc = vg_buf_append(b, "SELECT ", 7);
  for (int i = 0; i < s->ncols && rc == 0; i++) {
    if (i) rc |= vg_buf_append(b, ", ", 2);
    rc |= exec_quote_ident(b, s->cols[i].name);
  }
  if (rowid) rc |= vg_buf_printf(b, ", %s", rowid);
  rc |= vg_buf_append(b, " FROM ", 6);
  rc |= exec_quote_ident(b, s->table);
  return rc;
}

/* The expression that reads source si's real rowid, the tie-break of two
** rows of a key on one day: `rowid` unless the table has a column of that
** name, then `_rowid_`, `oid`, or its INTEGER PRIMARY KEY (exec_db_rowid);
** NULL when none is reachable (rows then carry no rowid).  Worked out once
** per source.  0, or -1 when out of memory. */
int exec_rowid_expr(exec_pack *pr, int si, const char **out) {
  src_run *sr = &pr->srcs[si];
  if (!sr->rowid_known) {
    vg_buf b = {NULL, 0, 0};
    int rc = exec_db_rowid(pr->db, sr->src->table, &b);
    if (rc < 0) { vg_buf_free(&b); return -1; }
    if (rc == 0) vg_buf_free(&b);
    sr->rowid_sql = b.data;
    sr->rowid_known = 1;
  }
  *out = sr->rowid_sql;
  return 0;
}

/* ---- reading values ---------------------------------------------------------------- */

/* A row's key as diagnostics show it: text through lib_show_text (NUL and
** control bytes visible, cut to fit), anything else as its text. */
static void row_key_text(const vm_row *r, int keycol, char *buf, size_t cap) {
  val k = r->v[keycol];
  if (r->kint) snprintf(buf, cap, "%lld", (long long)r->ikey);
  else if (k.t == VT_STR) lib_show_text(k.u.s, k.len, buf, cap);
  else lib_format_text(k, buf, cap);
}

/* The decimal digits of v into buf (at least 21 bytes); returns the length.
** Once per key evaluated, so not snprintf (8% of a nightly run). */
static size_t int_text(int64_t v, char *buf) {
  char tmp[24];
  size_t n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  size_t k = 0;
  if (v < 0) buf[k++] = '-';
  while (n) buf[k++] = tmp[--n];
  buf[k] = 0;
  return k;
}

/* The full text of a row's key into b (b->len bytes, which may include NUL
** bytes, then a NUL).  0 or -1 (no memory). */
static int row_key_buf(const vm_row *r, int keycol, vg_buf *b) {
  b->len = 0;
  val k = r->v[keycol];
  if (r->kint) {
    char tmp[24];
    size_t n = int_text(r->ikey, tmp);
    return vg_buf_append(b, tmp, n);
  }
  if (k.t == VT_STR) return vg_buf_append(b, k.u.s, k.len);
  char tmp[512];
  size_t n = lib_format_text(k, tmp, sizeof tmp);
  return vg_buf_append(b, tmp, n);
}

static void count_bad(exec_pack *pr, int si, int col, int kind, const vm_row *r) {
  src_run *sr = &pr->srcs[si];
  bad_count *b = &(sr->counting_rollup ? sr->rbad : sr->counting_lookup ? sr->lbad : sr->bad)[col * BAD__COUNT + kind];
  if (b->n++ == 0) {
    if (r) row_key_text(r, sr->src->key, b->example, sizeof b->example);
    else b->example[0] = 0;
  }
}

/* Rows of one key: an INTEGER key compares exactly (as int64). */
static int same_row_key(const vm_row *a, const vm_row *b, int keycol);
static int same_key(val a, val b);

/* Append bytes to the row's buffer; returns the offset or -1 (no memory). */
static long row_store(vm_row *r, const void *p, size_t n) {
  if (r->buflen + n + 1 > r->bufcap) {
    size_t cap = r->bufcap ? r->bufcap : 256;
    while (cap < r->buflen + n + 1) cap *= 2;
    char *nb = vg_realloc(r->buf, cap);
    if (!nb) return -1;
    r->buf = nb;
    r->bufcap = cap;
  }
  long off = (long)r->buflen;
  if (n) memcpy(r->buf + off, p, n);
  r->buf[off + (long)n] = 0;
  r->buflen += n + 1;
  return off;
}

/* Read the statement's columns into r, as the source's column types say.
** Sets *skip when the row has no usable key or time.  Returns 0 or -1 when
** out of memory. */
int exec_read_row(exec_pack *pr, int si, sqlite3_stmt *st, vm_row *r, int rowid_col, int *skip) {
  const vm_source *s = pr->srcs[si].src;
  r->buflen = 0;
  *skip = 0;
  for (int i = 0; i < s->ncols; i++) {
    int t = sqlite3_column_type(st, i);
    val v = val_null();
    int want = s->cols[i].type;
    if (t == SQLITE_NULL) {
      v = val_null();
    } else if (want == VT_NUM || (want == VT_NULL && (t == SQLITE_INTEGER || t == SQLITE_FLOAT))) {
      if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) v = val_num(sqlite3_column_double(st, i));
      else v.t = 0xfe; /* marked: text in a number column, counted below once the key is known */
    } else if (want == VT_DATE) {
      int32_t d;
      const unsigned char *txt = t == SQLITE_TEXT ? sqlite3_column_text(st, i) : NULL;
      if (txt && lib_parse_date((const char *)txt, (size_t)sqlite3_column_bytes(st, i), &d)) v = val_date(d);
      else v.t = 0xfd; /* unreadable date */
    } else {
      const unsigned char *txt = sqlite3_column_text(st, i);
      int n = sqlite3_column_bytes(st, i);
      long off = row_store(r, txt ? (const char *)txt : "", (size_t)n);
      if (off < 0) return -1;
      v.t = VT_STR;
      v.len = (uint32_t)n;
      v.u.n = (double)off; /* fixed up to a pointer below, once buf stops moving */
    }
    r->v[i] = v;
  }
  for (int i = 0; i < s->ncols; i++)
    if (r->v[i].t == VT_STR) r->v[i].u.s = r->buf + (size_t)r->v[i].u.n;
  r->rowid = rowid_col >= 0 ? sqlite3_column_int64(st, rowid_col) : 0;
  r->kint = sqlite3_column_type(st, s->key) == SQLITE_INTEGER;
  r->ikey = r->kint ? sqlite3_column_int64(st, s->key) : 0;
  val key = r->v[s->key];
  if (key.t == VT_NULL) {
    count_bad(pr, si, s->key, BAD_NULL_KEY, NULL);
    *skip = 1;
    return 0;
  }
  if (key.t >= VT__COUNT) { /* text in a number key column: the text is the example */
    const unsigned char *txt = sqlite3_column_text(st, s->key);
    r->v[s->key] = val_str(txt ? (const char *)txt : "", txt ? (size_t)sqlite3_column_bytes(st, s->key) : 0);
    count_bad(pr, si, s->key, BAD_KEY, r);
    r->v[s->key] = val_null();
    *skip = 1;
    return 0;
  }
  for (int i = 0; i < s->ncols; i++) {
    if (r->v[i].t == 0xfe) { count_bad(pr, si, i, i == s->time ? BAD_TIME : BAD_TEXT_NUM, r); r->v[i] = val_null(); if (i == s->time) *skip = 1; }
    else if (r->v[i].t == 0xfd) { count_bad(pr, si, i, i == s->time ? BAD_TIME : BAD_DATE, r); r->v[i] = val_null(); if (i == s->time) *skip = 1; }
  }
  if (*skip) return 0;
  if (r->v[s->time].t == VT_NULL) {
    count_bad(pr, si, s->time, BAD_NULL_TIME, r);
    *skip = 1;
    return 0;
  }
  r->time = r->v[s->time].u.d;
  return 0;
}

/* ---- series -------------------------------------------------------------------------- */

static int series_init(vm_series *s, uint16_t ncols, uint32_t lookback) {
  memset(s, 0, sizeof *s);
  s->ncols = ncols;
  s->bounded = lookback != VM_UNBOUNDED;
  s->cap = s->bounded ? lookback + 2 : 16;
  s->rows = vg_realloc(NULL, s->cap * sizeof *s->rows);
  if (!s->rows) return -1;
  memset(s->rows, 0, s->cap * sizeof *s->rows);
  for (uint32_t i = 0; i < s->cap; i++) {
    s->rows[i].v = vg_realloc(NULL, (ncols ? ncols : 1) * sizeof(val));
    if (!s->rows[i].v) return -1;
  }
  return 0;
}

static void series_free(vm_series *s) {
  if (!s->rows) return;
  for (uint32_t i = 0; i < s->cap; i++) {
    vg_free(s->rows[i].v);
    vg_free(s->rows[i].buf);
  }
  vg_free(s->rows);
  s->rows = NULL;
}

/* The slot the next row is read into (not yet part of the series). */
static vm_row *series_staging(vm_series *s) {
  if (!s->bounded && s->n + 1 >= s->cap) {
    uint32_t ncap = s->cap * 2;
    vm_row *nr = vg_realloc(s->rows, ncap * sizeof *nr);
    if (!nr) return NULL;
    memset(nr + s->cap, 0, (ncap - s->cap) * sizeof *nr);
    for (uint32_t i = s->cap; i < ncap; i++) {
      nr[i].v = vg_realloc(NULL, (s->ncols ? s->ncols : 1) * sizeof(val));
      if (!nr[i].v) { s->rows = nr; s->cap = i; return NULL; }
    }
    /* strings point into each row's own buf, which did not move */
    s->rows = nr;
    s->cap = ncap;
  }
  uint32_t slot = s->n == 0 ? 0 : (s->head + 1) % s->cap;
  return &s->rows[slot];
}

static void series_push(vm_series *s) {
  s->head = s->n == 0 ? 0 : (s->head + 1) % s->cap;
  if (s->n < s->cap - 1) s->n++; /* one slot stays free for staging */
}

static void swap_rows(vm_row *a, vm_row *b) {
  vm_row t = *a;
  *a = *b;
  *b = t;
}


/* ---- lookups ------------------------------------------------------------------------- */

static int bind_key(sqlite3_stmt *st, val k) {
  char buf[16];
  switch (k.t) {
  case VT_NUM:
    /* range first: (long long) of an infinity, a NaN or 1e300 is undefined */
    if (k.u.n > -9.2e18 && k.u.n < 9.2e18 && k.u.n == (double)(long long)k.u.n) return sqlite3_bind_int64(st, 1, (long long)k.u.n);
    return sqlite3_bind_double(st, 1, k.u.n);
  case VT_STR: return sqlite3_bind_text(st, 1, k.u.s, (int)k.len, SQLITE_TRANSIENT);
  case VT_DATE: lib_format_date(k.u.d, buf); return sqlite3_bind_text(st, 1, buf, -1, SQLITE_TRANSIENT);
  case VT_BOOL: return sqlite3_bind_int(st, 1, k.u.b);
  case VT_DUR: return sqlite3_bind_double(st, 1, k.u.n);
  default: return sqlite3_bind_null(st, 1);
  }
}

static int same_row_key(const vm_row *a, const vm_row *b, int keycol) {
  if (a->kint && b->kint) return a->ikey == b->ikey;
  if (a->kint != b->kint) return 0;
  return same_key(a->v[keycol], b->v[keycol]);
}

static int same_key(val a, val b) {
  if (a.t != b.t) return 0;
  if (a.t == VT_STR) return a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0;
  if (a.t == VT_DATE) return a.u.d == b.u.d;
  if (a.t == VT_BOOL) return a.u.b == b.u.b;
  return a.u.n == b.u.n;
}

/* Copy k into the cache (its text into buf).  Returns 0 or -1. */
static int keep_key(val *dst, char **buf, size_t *cap, val k) {
  *dst = k;
  if (k.t != VT_STR) return 0;
  if (*cap < k.len + 1) {
    char *nb = vg_realloc(*buf, k.len + 1);
    if (!nb) return -1;
    *buf = nb;
    *cap = k.len + 1;
  }
  if (k.len) memcpy(*buf, k.u.s, k.len);
  dst->u.s = *buf;
  return 0;
}

static int do_lookup(void *ud, vm_state *vm, int si, val key, int32_t day, const vm_row **row) {
  (void)vm;
  exec_pack *pr = ud;
  src_run *sr = &pr->srcs[si];
  const vm_source *s = sr->src;
  if (sr->lvalid && sr->lday == day && same_key(sr->lkey, key)) {
    *row = sr->lfound ? &sr->lrow : NULL;
    return 0;
  }
  if (!sr->lookup) {
    vg_buf q = {NULL, 0, 0};
    const char *rid;
    if (exec_rowid_expr(pr, si, &rid) != 0) return -1;
    for (sr->has_rowid = rid != NULL; sr->has_rowid >= 0; sr->has_rowid--) {
      q.len = 0;
      int rc = exec_select_list(&q, s, sr->has_rowid ? rid : NULL);
      rc |= vg_buf_append(&q, " WHERE ", 7);
      rc |= exec_quote_ident(&q, s->cols[s->key].name);
      rc |= vg_buf_printf(&q, " = ?1 COLLATE BINARY ORDER BY ");
      rc |= exec_quote_ident(&q, s->cols[s->time].name);
      rc |= sr->has_rowid ? vg_buf_printf(&q, " DESC, %s DESC", rid) : vg_buf_append(&q, " DESC", 5);
      if (rc) { vg_buf_free(&q); return -1; }
      if (sqlite3_prepare_v2(pr->db, q.data, -1, &sr->lookup, NULL) == SQLITE_OK) break;
    }
    vg_buf_free(&q);
    if (!sr->lookup) {
      exec_diag(pr->o, VG_ERROR, NULL, 0, "lookup into %s: %s", s->table, sqlite3_errmsg(pr->db));
      return -1;
    }
    if (!sr->lrow.v) {
      sr->lrow.v = vg_realloc(NULL, (s->ncols ? s->ncols : 1) * sizeof(val));
      if (!sr->lrow.v) return -1;
    }
  }
  sqlite3_reset(sr->lookup);
  if (bind_key(sr->lookup, key) != SQLITE_OK) return -1;
  sr->lfound = 0;
  if (!sr->cand.v) {
    sr->cand.v = vg_realloc(NULL, (s->ncols ? s->ncols : 1) * sizeof(val));
    if (!sr->cand.v) return -1;
  }
  int rc, result = 0;
  sr->counting_lookup = 1;
  while ((rc = sqlite3_step(sr->lookup)) == SQLITE_ROW) {
    if (!sr->derived) pr->rows_read++;
    int skip;
    if (exec_read_row(pr, si, sr->lookup, &sr->cand, sr->has_rowid ? s->ncols : -1, &skip) != 0) { result = -1; break; }
    if (skip || sr->cand.time > day) continue;
    /* rows come newest first by their time text; a zone in the text can
    ** move a row's day by one either way, so stop only once the text is
    ** surely older than the day found */
    if (sr->lfound && sr->cand.time < sr->lrow.time - 2) break;
    if (sr->lfound && (sr->cand.time < sr->lrow.time ||
                       (sr->cand.time == sr->lrow.time && sr->cand.rowid <= sr->lrow.rowid)))
      continue;
    if (s->where >= 0) {
      vm_series one = {&sr->cand, 1, 1, 0, 1, s->ncols};
      val ok;
      if (vm_eval_value(&pr->wvm, s->where, &one, sr->cand.time, &ok) != VM_OK) { result = -1; break; }
      if (!(ok.t == VT_BOOL && ok.u.b)) continue;
    }
    swap_rows(&sr->cand, &sr->lrow);
    sr->lfound = 1;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "lookup into %s: %s", s->table, sqlite3_errmsg(pr->db));
    result = -1;
  }
  sr->counting_lookup = 0;
  sqlite3_reset(sr->lookup);
  if (result != 0) { sr->lvalid = 0; return -1; }
  if (keep_key(&sr->lkey, &sr->lkeybuf, &sr->lkeycap, key) != 0) return -1;
  sr->lday = day;
  sr->lvalid = 1;
  *row = sr->lfound ? &sr->lrow : NULL;
  return 0;
}

/* ---- alerts ---------------------------------------------------------------------------- */

static int on_emit(void *ud, int rule, int tier, const char *message, size_t mlen, const char *recipient, size_t rlen) {
  return exec_add_alert(ud, rule, tier, message, mlen, recipient, rlen) < 0 ? -1 : 0;
}

long exec_add_alert(exec_pack *pr, int rule, int tier, const char *message, size_t mlen, const char *recipient,
                    size_t rlen) {
  if (pr->nalerts == pr->capalerts) {
    long ncap = pr->capalerts ? pr->capalerts * 2 : 64;
    exec_alert *na = vg_realloc(pr->alerts, (size_t)ncap * sizeof *na);
    if (!na) return -1;
    pr->alerts = na;
    pr->capalerts = ncap;
  }
  exec_alert *a = &pr->alerts[pr->nalerts];
  a->rule = rule;
  a->tier = tier;
  a->date = pr->as_of;
  a->seq = pr->seq_next++;
  a->key = pr->cur_key;
  a->key_len = pr->cur_key_len;
  a->message = message ? vg_arena_strndup(&pr->alert_arena, message, mlen) : NULL;
  a->message_len = message ? mlen : 0;
  a->recipient = recipient ? vg_arena_strndup(&pr->alert_arena, recipient, rlen) : NULL;
  a->recipient_len = recipient ? rlen : 0;
  a->status = LIFE_NEW;
  a->first_seen = pr->as_of;
  a->runs = 1;
  a->up = 0;
  a->evidence = NULL;
  a->route = NULL;
  if ((message && !a->message) || (recipient && !a->recipient)) return -1;
  return pr->nalerts++;
}

/* By date, then rule in declaration order, then key in the order read. */
static int cmp_alert(const void *x, const void *y) {
  const exec_alert *a = x, *b = y;
  if (a->date != b->date) return a->date < b->date ? -1 : 1;
  if (a->rule != b->rule) return a->rule < b->rule ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- one source --------------------------------------------------------------------- */

static void eval_error(exec_pack *pr, int rule, vm_status st) {
  const vm_program *p = pr->p;
  const vm_lineinfo *li = pr->vm.err_fn >= 0 ? vm_line_at(p, pr->vm.err_fn, pr->vm.err_pc) : NULL;
  const vm_rule *r = &p->rules[rule];
  const char *what = st == VM_ERR_BUDGET ? "the evaluation took too many steps (the step budget ran out)"
                   : st == VM_ERR_DEPTH ? "window functions are nested too deeply"
                   : st == VM_ERR_NOMEM ? "out of memory"
                   : st == VM_ERR_LOOKUP ? "a lookup failed"
                   : "internal error: an invalid instruction";
  char key[96] = "?";
  if (pr->cur_key) lib_show_text(pr->cur_key, pr->cur_key_len, key, sizeof key);
  exec_diag(pr->o, VG_ERROR, li ? p->files[li->file] : p->files[r->file], li ? (int)li->line : (int)r->line,
       "rule %s, key %s: %s", r->name, key, what);
  pr->failed = 1;
}

/* Evaluate the rules of source si on the series of one key. */
/* ---- alerts past the memory budget: a temporary table ----------------------------- */

size_t exec_spill_bytes = EXEC_SPILL_BYTES;

static const char *const spill_cols =
    "seq, date, rule, tier, key, message, recipient, status, first_seen, runs, up, evidence, route";

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s, size_t n) {
  if (s) sqlite3_bind_text64(st, i, s, n, SQLITE_STATIC, SQLITE_UTF8);
  else sqlite3_bind_null(st, i);
}

/* The pack's temporary table, made before any statement runs (a schema
** change would abort the statements running).  0, or -1 with a diagnostic. */
static int spill_table(exec_pack *pr) {
  snprintf(pr->spill_table, sizeof pr->spill_table, "vigil_spill_%p", (void *)pr);
  char sql[512];
  snprintf(sql, sizeof sql,
           "CREATE TEMP TABLE IF NOT EXISTS \"%s\"(seq INTEGER PRIMARY KEY, date INTEGER, rule INTEGER, tier INTEGER,"
           " key TEXT, message TEXT, recipient TEXT, status INTEGER, first_seen INTEGER, runs INTEGER, up INTEGER,"
           " evidence TEXT, route TEXT); DELETE FROM temp.\"%s\"", pr->spill_table, pr->spill_table);
  if (sqlite3_exec(pr->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "%s: cannot make a temporary table for alerts: %s", pr->o->db_path,
              sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  return 0;
}

/* Move the alerts in memory to the pack's temporary table and free their
** texts.  Tallies them.  0, or -1 with a diagnostic. */
static int spill(exec_pack *pr) {
  if (!pr->spill_ins) {
    char ins[512];
    snprintf(ins, sizeof ins, "INSERT INTO temp.\"%s\"(%s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
             pr->spill_table, spill_cols);
    if (sqlite3_prepare_v2(pr->db, ins, -1, &pr->spill_ins, NULL) != SQLITE_OK) {
      exec_diag(pr->o, VG_ERROR, NULL, 0, "%s: cannot set alerts aside in a temporary table: %s", pr->o->db_path,
                sqlite3_errmsg(pr->db));
      pr->failed = 1;
      return -1;
    }
  }
  sqlite3_stmt *st = pr->spill_ins;
  for (long i = 0; i < pr->nalerts; i++) {
    const exec_alert *a = &pr->alerts[i];
    pr->tally[a->tier * LIFE__COUNT + a->status]++;
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, a->seq);
    sqlite3_bind_int(st, 2, a->date);
    sqlite3_bind_int(st, 3, a->rule);
    sqlite3_bind_int(st, 4, a->tier);
    bind_text_or_null(st, 5, a->key, a->key_len);
    bind_text_or_null(st, 6, a->message, a->message_len);
    bind_text_or_null(st, 7, a->recipient, a->recipient_len);
    sqlite3_bind_int(st, 8, a->status);
    sqlite3_bind_int(st, 9, a->first_seen);
    sqlite3_bind_int(st, 10, a->runs);
    sqlite3_bind_int(st, 11, a->up);
    bind_text_or_null(st, 12, a->evidence, a->evidence ? strlen(a->evidence) : 0);
    bind_text_or_null(st, 13, a->route, a->route ? strlen(a->route) : 0);
    if (sqlite3_step(st) != SQLITE_DONE) {
      exec_diag(pr->o, VG_ERROR, NULL, 0, "%s: setting alerts aside in a temporary table failed: %s", pr->o->db_path,
                sqlite3_errmsg(pr->db));
      pr->failed = 1;
      return -1;
    }
  }
  sqlite3_reset(st);
  pr->nspilled += pr->nalerts;
  pr->nalerts = 0;
  vg_arena_free(&pr->alert_arena);
  return 0;
}

int exec_iter_open(exec_pack *pr, exec_iter *it) {
  memset(it, 0, sizeof *it);
  it->pr = pr;
  if (!pr->nspilled) return 0;
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT %s FROM temp.\"%s\" ORDER BY date, rule, seq", spill_cols, pr->spill_table);
  if (sqlite3_prepare_v2(pr->db, sql, -1, &it->st, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "%s: reading the alerts set aside failed: %s", pr->o->db_path, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  return 0;
}

const exec_alert *exec_iter_next(exec_iter *it) {
  exec_pack *pr = it->pr;
  if (!it->st) return it->i < pr->nalerts ? &pr->alerts[it->i++] : NULL;
  int rc = sqlite3_step(it->st);
  if (rc != SQLITE_ROW) {
    if (rc != SQLITE_DONE) {
      exec_diag(pr->o, VG_ERROR, NULL, 0, "%s: reading the alerts set aside failed: %s", pr->o->db_path, sqlite3_errmsg(pr->db));
      pr->failed = 1;
    }
    return NULL;
  }
  sqlite3_stmt *st = it->st;
  exec_alert *a = &it->cur;
  a->seq = sqlite3_column_int64(st, 0);
  a->date = sqlite3_column_int(st, 1);
  a->rule = sqlite3_column_int(st, 2);
  a->tier = sqlite3_column_int(st, 3);
  a->key = (const char *)sqlite3_column_text(st, 4);
  a->key_len = (size_t)sqlite3_column_bytes(st, 4);
  a->message = (const char *)sqlite3_column_text(st, 5);
  a->message_len = (size_t)sqlite3_column_bytes(st, 5);
  a->recipient = (const char *)sqlite3_column_text(st, 6);
  a->recipient_len = (size_t)sqlite3_column_bytes(st, 6);
  a->status = (uint8_t)sqlite3_column_int(st, 7);
  a->first_seen = sqlite3_column_int(st, 8);
  a->runs = sqlite3_column_int(st, 9);
  a->up = (uint8_t)sqlite3_column_int(st, 10);
  a->evidence = (const char *)sqlite3_column_text(st, 11);
  a->route = (const char *)sqlite3_column_text(st, 12);
  if (!a->key) { /* out of memory in SQLite */
    pr->failed = 1;
    return NULL;
  }
  return a;
}

void exec_iter_close(exec_iter *it) {
  sqlite3_finalize(it->st);
  it->st = NULL;
}

static int eval_key(exec_pack *pr, int si, const vm_series *s, const int *rules, int nrules, int32_t date) {
  const vm_row *r0 = vm_series_row(s, 0);
  /* between keys is the only moment alerts in memory can be set aside */
  if (pr->nalerts && pr->alert_arena.bytes + (size_t)pr->nalerts * sizeof *pr->alerts > exec_spill_bytes &&
      spill(pr) != 0)
    return -1;
  pr->as_of = date;
  pr->vm.as_of = date;
  if (row_key_buf(r0, pr->srcs[si].src->key, &pr->keytext) != 0) return -1;
  const char *kbuf = pr->keytext.data;
  size_t klen = pr->keytext.len;
  pr->cur_key = NULL;
  long before = pr->nalerts;
  for (int i = 0; i < nrules; i++) {
    pr->cur_key = kbuf;
    pr->cur_key_len = klen;
    long mine = pr->nalerts;
    vm_status st = vm_eval_rule(&pr->vm, rules[i], s);
    if (st != VM_OK) {
      eval_error(pr, rules[i], st);
      return -1;
    }
    int lr = exec_life_step(pr, rules[i], kbuf, klen, mine, date, s);
    if (lr > 0) eval_error(pr, rules[i], (vm_status)lr);
    if (lr != 0) return -1;
    for (long k = mine; k < pr->nalerts; k++) {
      exec_alert *a = &pr->alerts[k];
      if (a->status == LIFE_RESOLVED) continue; /* routed by life.c */
      if (pr->org && a->recipient) {
        a->route = exec_org_route(pr, rules[i], a->recipient, a->recipient_len, pr->p->routes[a->tier] + a->up);
        if (!a->route) return -1;
      }
      if (pr->want_evidence && a->status != LIFE_RESOLVED && !(a->evidence = exec_evidence(pr, rules[i], s, date)))
        return -1;
    }
  }
  if (pr->nalerts > before) {
    const char *k = vg_arena_strndup(&pr->alert_arena, kbuf, klen);
    if (!k) return -1;
    for (long i = before; i < pr->nalerts; i++) {
      pr->alerts[i].key = k;
      pr->alerts[i].key_len = klen;
    }
  }
  return 0;
}

/* Evaluate the key's window at each evaluation date from *di on that is
** before `before` and not before the window's newest row. */
static int eval_dates(exec_pack *pr, int si, const vm_series *ser, const int *rules, int nrules, int *di, int32_t before) {
  const vm_row *newest = vm_series_row(ser, 0);
  for (; *di < pr->ndates && pr->dates[*di] < before; (*di)++)
    if (newest && pr->dates[*di] >= newest->time && eval_key(pr, si, ser, rules, nrules, pr->dates[*di]) != 0) return -1;
  return 0;
}

/* 1 when row r passes source si's where (or it has none), 0 when not, -1 on error. */
int exec_where_ok(exec_pack *pr, int si, vm_row *r) {
  const vm_source *s = pr->srcs[si].src;
  if (s->where < 0) return 1;
  vm_series one = {r, 1, 1, 0, 1, s->ncols};
  val ok;
  if (vm_eval_value(&pr->wvm, s->where, &one, r->time, &ok) != VM_OK) return -1;
  return ok.t == VT_BOOL && ok.u.b;
}

/* ---- reading a source: the full ordered scan ---------------------------------------- */

/* vigil_day(t): the day the runtime reads in time text t (lib_parse_date),
** or NULL; registered on the connection for scans in day order. */
void exec_sql_vigil_day(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  int32_t d;
  const unsigned char *t = sqlite3_value_type(argv[0]) == SQLITE_TEXT ? sqlite3_value_text(argv[0]) : NULL;
  if (t && lib_parse_date((const char *)t, (size_t)sqlite3_value_bytes(argv[0]), &d)) sqlite3_result_int(cx, d);
  else sqlite3_result_null(cx);
}

/* One query over the whole table ordered by key, time and rowid: every rule
** of the source is evaluated on each key's window when the key changes.
**
** The order is that of the time text, which is the order of the days unless
** a zone in the text moves a row's day (2025-06-24T00:30+05:00 is June 23).
** A key whose rows come out of day order makes the scan stop and return 2;
** the caller undoes what it did and calls again with by_day set, which
** orders the rows by the day itself (a sort: the index cannot give that
** order).  Returns 0, 2, or -1 on error. */
static int scan_source(exec_pack *pr, int si, vm_series *ser, const int *rules, int nrules, int by_day) {
  const vm_source *s = pr->srcs[si].src;
  int result = 0;
  sqlite3_stmt *st = NULL;
  vg_buf q = {NULL, 0, 0};
  int has_rowid;
  /* a WHERE that drops rows no tier can fire on (prefilter.c) */
  vg_buf where = {NULL, 0, 0};
  val *binds = NULL;
  int nbinds = 0;
  int pre = by_day ? 0 : exec_prefilter(pr, si, rules, nrules, &where, &binds, &nbinds);
  if (pre < 0) return -1;
  if ((by_day || pre) && sqlite3_create_function_v2(pr->db, "vigil_day", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                           NULL, exec_sql_vigil_day, NULL, NULL, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "source %s: %s", s->name, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  const char *rid;
  if (exec_rowid_expr(pr, si, &rid) != 0) { vg_buf_free(&where); vg_free(binds); return -1; }
  for (has_rowid = rid != NULL; has_rowid >= 0; has_rowid--) {
    q.len = 0;
    int rc = exec_select_list(&q, s, has_rowid ? rid : NULL);
    if (pre) rc |= vg_buf_printf(&q, " WHERE %s", where.data);
    /* BINARY: the keys of one group must be equal byte for byte, as the
    ** runtime compares them, whatever collation the column declares */
    rc |= vg_buf_append(&q, " ORDER BY ", 10);
    rc |= exec_quote_ident(&q, s->cols[s->key].name);
    rc |= vg_buf_append(&q, " COLLATE BINARY, ", 17);
    if (by_day) rc |= vg_buf_append(&q, "vigil_day(", 10);
    rc |= exec_quote_ident(&q, s->cols[s->time].name);
    if (by_day) rc |= vg_buf_append(&q, ")", 1);
    if (has_rowid) rc |= vg_buf_printf(&q, ", %s", rid);
    if (rc) { vg_buf_free(&q); vg_buf_free(&where); vg_free(binds); return -1; }
    if (sqlite3_prepare_v2(pr->db, q.data, -1, &st, NULL) == SQLITE_OK) break;
  }
  vg_buf_free(&q);
  vg_buf_free(&where);
  if (st && pre) {
    int np = sqlite3_bind_parameter_count(st);
    sqlite3_bind_int(st, 1, pr->dates[0]);
    for (int i = 0; i < nbinds && i + 2 <= np; i++) sqlite3_bind_double(st, i + 2, binds[i].u.n);
  }
  vg_free(binds);
  if (!st) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "source %s: cannot read table %s: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  int rc;
  int32_t last = pr->dates[pr->ndates - 1];
  int di = 0; /* the next evaluation date of the current key */
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (!pr->srcs[si].derived) pr->rows_read++;
    vm_row *r = series_staging(ser);
    if (!r) { result = -1; goto done; }
    int skip;
    if (exec_read_row(pr, si, st, r, has_rowid ? s->ncols : -1, &skip) != 0) { result = -1; goto done; }
    if (skip || r->time > last) continue;
    const vm_row *newest = vm_series_row(ser, 0);
    if (newest && !same_row_key(newest, r, s->key)) {
      if (eval_dates(pr, si, ser, rules, nrules, &di, INT32_MAX) != 0) { result = -1; goto done; }
      /* the staged row must survive the reset: move it to slot 0 */
      if (r != &ser->rows[0]) swap_rows(r, &ser->rows[0]);
      r = &ser->rows[0];
      ser->n = 0;
      ser->head = 0;
      newest = NULL;
      di = 0;
    }
    int ok = exec_where_ok(pr, si, r);
    if (ok < 0) { result = -1; goto done; }
    if (!ok) continue;
    /* the dates before this row see the window as it is now */
    if (newest && eval_dates(pr, si, ser, rules, nrules, &di, r->time) != 0) { result = -1; goto done; }
    if (newest && newest->time == r->time) {
      count_bad(pr, si, s->time, BAD_DUP, r);
      if (r->rowid > newest->rowid) swap_rows(r, &ser->rows[ser->head]);
      continue;
    }
    if (newest && newest->time > r->time) {
      if (!by_day) { result = 2; goto done; }
      exec_diag(pr->o, VG_ERROR, NULL, 0, "source %s: internal error: rows out of day order in a scan by day", s->name);
      pr->failed = 1;
      result = -1;
      goto done;
    }
    series_push(ser);
  }
  if (rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "source %s: reading table %s failed: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
    goto done;
  }
  if (ser->n > 0 && eval_dates(pr, si, ser, rules, nrules, &di, INT32_MAX) != 0) result = -1;
done:
  sqlite3_finalize(st);
  return result;
}

/* ---- reading a source: index seeks for the last rows of each key ------------------- */

/* 1 when SQLite runs sql as index searches with no sort, 0 otherwise. */
static int plan_seeks(sqlite3 *db, const char *sql) {
  vg_buf q = {NULL, 0, 0};
  if (vg_buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql) != 0) return 0;
  sqlite3_stmt *st = NULL;
  int seeks = 0, bad = 0;
  if (sqlite3_prepare_v2(db, q.data, -1, &st, NULL) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *d = (const char *)sqlite3_column_text(st, 3);
      if (!d) continue;
      if (strstr(d, "SEARCH")) seeks = 1;
      if (strstr(d, "SCAN") || strstr(d, "TEMP B-TREE")) bad = 1;
    }
  }
  sqlite3_finalize(st);
  vg_buf_free(&q);
  return seeks && !bad;
}

typedef struct seek_plan {
  sqlite3_stmt *keys;   /* the distinct keys, by index seeks */
  sqlite3_stmt *rows;   /* one key's rows, newest first */
  sqlite3_stmt *nulls;  /* rows with a NULL key */
  int has_rowid;
} seek_plan;

static void seek_plan_free(seek_plan *sp) {
  sqlite3_finalize(sp->keys);
  sqlite3_finalize(sp->rows);
  sqlite3_finalize(sp->nulls);
  memset(sp, 0, sizeof *sp);
}

/* Prepare the seek statements when the table's indexes make them searches.
** Returns 1 (ready), 0 (no index for it: scan instead) or -1 (no memory). */
static int seek_prepare(exec_pack *pr, int si, seek_plan *sp) {
  const vm_source *s = pr->srcs[si].src;
  memset(sp, 0, sizeof *sp);
  vg_buf k = {NULL, 0, 0}, t = {NULL, 0, 0}, tab = {NULL, 0, 0}, q = {NULL, 0, 0};
  int rc = exec_quote_ident(&k, s->cols[s->key].name) | exec_quote_ident(&t, s->cols[s->time].name) | exec_quote_ident(&tab, s->table);
  int ready = 0;
  const char *rid = NULL;
  if (rc || (rc = exec_rowid_expr(pr, si, &rid)) != 0) goto done;
  for (sp->has_rowid = rid != NULL; sp->has_rowid >= 0 && !ready; sp->has_rowid--) {
    q.len = 0;
    rc = exec_select_list(&q, s, sp->has_rowid ? rid : NULL);
    rc |= vg_buf_printf(&q, " WHERE %s = ?1 ORDER BY %s DESC", k.data, t.data);
    if (sp->has_rowid) rc |= vg_buf_printf(&q, ", %s DESC", rid);
    if (rc) goto done;
    if (sqlite3_prepare_v2(pr->db, q.data, -1, &sp->rows, NULL) != SQLITE_OK) { sqlite3_finalize(sp->rows); sp->rows = NULL; continue; }
    ready = 1;
  }
  sp->has_rowid++;
  if (!ready) goto done;
  ready = plan_seeks(pr->db, sqlite3_sql(sp->rows));
  if (!ready) goto done;
  q.len = 0;
  rc = vg_buf_printf(&q,
      "WITH RECURSIVE k(v) AS (SELECT (SELECT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s LIMIT 1)"
      " UNION ALL SELECT (SELECT %s FROM %s WHERE %s > k.v ORDER BY %s LIMIT 1) FROM k WHERE k.v IS NOT NULL)"
      " SELECT v FROM k WHERE v IS NOT NULL",
      k.data, tab.data, k.data, k.data, k.data, tab.data, k.data, k.data);
  if (rc) { ready = -1; goto done; }
  if (sqlite3_prepare_v2(pr->db, q.data, -1, &sp->keys, NULL) != SQLITE_OK) { ready = 0; goto done; }
  q.len = 0;
  if (vg_buf_printf(&q, "SELECT count(*) FROM %s WHERE %s IS NULL", tab.data, k.data) != 0) { ready = -1; goto done; }
  if (sqlite3_prepare_v2(pr->db, q.data, -1, &sp->nulls, NULL) != SQLITE_OK) { ready = 0; goto done; }
done:
  if (rc && ready >= 0) ready = -1;
  if (ready != 1) seek_plan_free(sp);
  vg_buf_free(&k);
  vg_buf_free(&t);
  vg_buf_free(&tab);
  vg_buf_free(&q);
  return ready;
}

/* Are seeks worth it?  Sample the first keys' history lengths: a table with
** about one row per key (invoices) is read faster by one scan. */
static int seek_worth_it(exec_pack *pr, seek_plan *sp, uint32_t lookback) {
  sqlite3_stmt *cnt = NULL;
  vg_buf q = {NULL, 0, 0};
  const char *sql = sqlite3_sql(sp->rows);
  if (vg_buf_printf(&q, "SELECT count(*) FROM (%s)", sql) != 0) return 0;
  int rc = sqlite3_prepare_v2(pr->db, q.data, -1, &cnt, NULL);
  vg_buf_free(&q);
  if (rc != SQLITE_OK) { sqlite3_finalize(cnt); return 0; }
  long long keys = 0, rows = 0;
  while (keys < 32 && sqlite3_step(sp->keys) == SQLITE_ROW) {
    sqlite3_reset(cnt);
    sqlite3_bind_value(cnt, 1, sqlite3_column_value(sp->keys, 0));
    if (sqlite3_step(cnt) == SQLITE_ROW) rows += sqlite3_column_int64(cnt, 0);
    keys++;
  }
  sqlite3_reset(sp->keys);
  sqlite3_finalize(cnt);
  return keys > 0 && (double)rows / (double)keys > 2.0 * (lookback + 1.0);
}

/* Read the newest rows of one key (sp->rows bound to it) into tmp, newest
** first, until the window is full.  Returns the rows kept, or -1. */
static long seek_key(exec_pack *pr, int si, seek_plan *sp, vm_series *tmp, uint32_t need) {
  const vm_source *s = pr->srcs[si].src;
  uint32_t n = 0;
  int rc;
  tmp->n = 0;
  while ((rc = sqlite3_step(sp->rows)) == SQLITE_ROW) {
    if (!pr->srcs[si].derived) pr->rows_read++;
    if (n + 1 >= tmp->cap) { /* grow: the rows array is linear here */
      tmp->n = n;
      tmp->head = n ? n - 1 : 0;
      if (!series_staging(tmp)) return -1;
    }
    vm_row *r = &tmp->rows[n];
    int skip;
    if (exec_read_row(pr, si, sp->rows, r, sp->has_rowid ? s->ncols : -1, &skip) != 0) return -1;
    if (skip || r->time > pr->dates[0]) continue;
    /* past the window (a day of tolerance for zones in the time text) */
    if (n >= need && r->time < tmp->rows[need - 1].time - 1) break;
    int ok = exec_where_ok(pr, si, r);
    if (ok < 0) return -1;
    if (!ok) continue;
    /* rows come newest first by their time text: put this one in its place */
    uint32_t j = n;
    while (j > 0 && tmp->rows[j - 1].time < tmp->rows[j].time) {
      swap_rows(&tmp->rows[j - 1], &tmp->rows[j]);
      j--;
    }
    uint32_t dup = j > 0 && tmp->rows[j - 1].time == tmp->rows[j].time ? j - 1
                 : j + 1 <= n && tmp->rows[j + 1].time == tmp->rows[j].time ? j + 1 : UINT32_MAX;
    if (dup != UINT32_MAX) {
      count_bad(pr, si, s->time, BAD_DUP, &tmp->rows[j]);
      uint32_t lose = tmp->rows[dup].rowid > tmp->rows[j].rowid ? j : dup;
      for (uint32_t k2 = lose; k2 < n; k2++) swap_rows(&tmp->rows[k2], &tmp->rows[k2 + 1]);
      continue;
    }
    n++;
  }
  sqlite3_reset(sp->rows);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "source %s: reading table %s failed: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  return n < need ? n : need;
}

static int seek_source(exec_pack *pr, int si, seek_plan *sp, vm_series *ser, uint32_t lookback, const int *rules, int nrules) {
  const vm_source *s = pr->srcs[si].src;
  vm_series tmp;
  if (series_init(&tmp, s->ncols, VM_UNBOUNDED) != 0) { series_free(&tmp); return -1; }
  int result = 0, rc;
  if (sqlite3_step(sp->nulls) == SQLITE_ROW) {
    long long nulls = sqlite3_column_int64(sp->nulls, 0);
    if (nulls > 0) {
      count_bad(pr, si, s->key, BAD_NULL_KEY, NULL);
      pr->srcs[si].bad[s->key * BAD__COUNT + BAD_NULL_KEY].n += nulls - 1;
      pr->rows_read += nulls;
    }
  }
  while ((rc = sqlite3_step(sp->keys)) == SQLITE_ROW) {
    sqlite3_reset(sp->rows);
    sqlite3_bind_value(sp->rows, 1, sqlite3_column_value(sp->keys, 0));
    long n = seek_key(pr, si, sp, &tmp, lookback + 1);
    if (n < 0) { result = -1; break; }
    if (n == 0) continue;
    /* into the series: offset o is tmp row o */
    ser->n = (uint32_t)n;
    ser->head = (uint32_t)n - 1;
    for (long o = 0; o < n; o++) swap_rows(&tmp.rows[o], &ser->rows[n - 1 - o]);
    if (eval_key(pr, si, ser, rules, nrules, pr->dates[0]) != 0) { result = -1; break; }
  }
  if (result == 0 && rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "source %s: reading the keys of table %s failed: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
  }
  series_free(&tmp);
  return result;
}

/* 1 when the table has an index that makes the per-key query a search. */
static int has_seek_index(exec_pack *pr, int si) {
  seek_plan sp;
  int ready = seek_prepare(pr, si, &sp);
  seek_plan_free(&sp);
  return ready != 0;
}

static void index_note(exec_pack *pr, const vm_source *s, const char *how) {
  exec_diag(pr->o, VG_NOTE, NULL, 0, "table %s has no index on (%s, %s)%s: with CREATE INDEX %s_%s_%s ON %s(%s, %s) a run "
            "would read only the last rows of each key", s->table, s->cols[s->key].name, s->cols[s->time].name, how,
            s->table, s->cols[s->key].name, s->cols[s->time].name, s->table, s->cols[s->key].name, s->cols[s->time].name);
}

void exec_index_advice(exec_pack *pr) {
  const vm_program *p = pr->p;
  src_run *srcs = vg_realloc(NULL, (p->nsources ? p->nsources : 1) * sizeof *srcs);
  if (!srcs) return;
  memset(srcs, 0, (p->nsources ? p->nsources : 1) * sizeof *srcs);
  pr->srcs = srcs;
  for (int si = 0; si < p->nsources; si++) {
    const vm_source *s = &p->sources[si];
    srcs[si].src = s;
    uint32_t lookback = 0;
    int used = 0;
    for (int r = 0; r < p->nrules; r++)
      if (p->rules[r].source == si) {
        used = 1;
        uint32_t lb = vm_lookback(p, p->rules[r].fn);
        if (lb > lookback) lookback = lb;
      }
    /* the same table named by two sources is advised once */
    int seen = 0;
    for (int sj = 0; sj < si; sj++) seen |= strcmp(p->sources[sj].table, s->table) == 0;
    /* a rollup's rows are made and indexed by the run itself */
    if (!used || seen || lookback == VM_UNBOUNDED || exec_rollup_of(p, si) >= 0 || exec_key_unique(pr, s)) continue;
    if (!has_seek_index(pr, si)) index_note(pr, s, " (a nightly run reads the whole table)");
  }
  pr->srcs = NULL;
  for (int si = 0; si < p->nsources; si++) vg_free(srcs[si].rowid_sql);
  vg_free(srcs);
}

/* ---- one source ----------------------------------------------------------------------- */

/* Evaluate the rules on source si.  A nightly run whose rules look back a
** bounded number of rows seeks the last rows of each key through the (key,
** time) index; otherwise (no such index, a day window or streak, or about
** one row per key) the table is read once in key and time order. */
static int run_source(exec_pack *pr, int si) {
  const vm_program *p = pr->p;
  const vm_source *s = pr->srcs[si].src;
  int *rules = vg_realloc(NULL, (p->nrules ? p->nrules : 1) * sizeof *rules);
  if (!rules) return -1;
  int nrules = 0;
  uint32_t lookback = 0;
  for (int i = 0; i < p->nrules; i++)
    if (p->rules[i].source == si) {
      rules[nrules++] = i;
      uint32_t lb = vm_lookback(p, p->rules[i].fn);
      if (lb > lookback) lookback = lb;
    }
  if (nrules == 0) { vg_free(rules); return 0; }
  if (lookback != VM_UNBOUNDED && lookback > 10u * VG_MAX_WINDOW) lookback = VM_UNBOUNDED;
  /* a recorded alert's evidence shows a trend: keep a few rows more than
  ** the rules need (evidence.c shows at most EXEC_EVID_ROWS) */
  if (pr->want_evidence && lookback != VM_UNBOUNDED && lookback + 1 < EXEC_EVID_ROWS) lookback = EXEC_EVID_ROWS - 1;
  vm_series ser;
  seek_plan sp;
  memset(&sp, 0, sizeof sp);
  int result = 0, seek = 0;
  long long before = pr->rows_read;
  if (series_init(&ser, s->ncols, lookback) != 0) { result = -1; goto done; }
  if (lookback != VM_UNBOUNDED && !pr->o->no_seek && pr->ndates == 1) {
    seek = seek_prepare(pr, si, &sp);
    if (seek < 0) { result = -1; goto done; }
    if (seek) seek = seek_worth_it(pr, &sp, lookback);
  }
  if (seek) {
    result = seek_source(pr, si, &sp, &ser, lookback, rules, nrules);
  } else {
    /* what to put back if the scan must be redone in day order */
    long mark = pr->nalerts;
    size_t nbad = (size_t)(s->ncols ? s->ncols : 1) * BAD__COUNT * sizeof(bad_count);
    bad_count *bad = vg_realloc(NULL, 2 * nbad);
    life_saved *life = exec_life_save(pr);
    if (!bad || !life) {
      vg_free(bad);
      exec_life_saved_free(life);
      result = -1;
      goto done;
    }
    memcpy(bad, pr->srcs[si].bad, nbad);
    memcpy((char *)bad + nbad, pr->srcs[si].lbad, nbad);
    result = scan_source(pr, si, &ser, rules, nrules, 0);
    if (result == 2) {
      pr->nalerts = mark;
      memcpy(pr->srcs[si].bad, bad, nbad);
      memcpy(pr->srcs[si].lbad, (char *)bad + nbad, nbad);
      pr->srcs[si].lvalid = 0;
      ser.n = 0;
      ser.head = 0;
      result = exec_life_restore(pr, life) != 0 ? -1 : scan_source(pr, si, &ser, rules, nrules, 1);
    }
    vg_free(bad);
    exec_life_saved_free(life);
  }
  if (result == 0 && !seek && !pr->o->no_seek && pr->rows_read - before > 10000 && lookback != VM_UNBOUNDED &&
      !has_seek_index(pr, si)) {
    index_note(pr, s, "");
  }
done:
  if (pr->failed) result = -1;
  seek_plan_free(&sp);
  series_free(&ser);
  vg_free(rules);
  return result;
}

/* ---- checks before running ---------------------------------------------------------- */

/* The columns the program reads must exist with the types it was compiled
** for (a .vgc may meet another database than it was compiled against). */
static int check_tables(exec_pack *pr) {
  const vm_program *p = pr->p;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(pr->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, NULL, 0, "%s: cannot read the schema: %s", pr->o->db_path, sqlite3_errmsg(pr->db));
    return -1;
  }
  int rc = 0;
  for (int i = 0; i < p->nsources && rc == 0; i++) {
    const vm_source *s = &p->sources[i];
    if (exec_rollup_of(p, i) >= 0) continue; /* made by exec_rollups, with exactly its columns */
    for (int k = 0; k < s->ncols && rc == 0; k++) {
      sqlite3_reset(st);
      sqlite3_bind_text(st, 1, s->table, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, s->cols[k].name, -1, SQLITE_STATIC);
      if (sqlite3_step(st) != SQLITE_ROW) {
        exec_diag(pr->o, VG_ERROR, NULL, 0, "pack %s, source %s: the database has no column %s.%s", p->pack, s->name, s->table,
             s->cols[k].name);
        rc = -1;
      }
    }
  }
  sqlite3_finalize(st);
  return rc;
}

/* Which columns each rule's code reads (following its value functions),
** from its operands' kinds: own[c] for its source's columns, look[src][c]
** for columns it looks up. */
void exec_mark_reads(const vm_program *p, int fn, uint8_t *own, uint8_t **look, uint8_t *params, uint8_t *seen) {
  if (fn < 0 || seen[fn]) return;
  seen[fn] = 1;
  const vm_func *f = &p->funcs[fn];
  const uint8_t *code = p->code + f->code_off;
  vm_insn in;
  for (uint32_t pc = 0; pc < f->code_len && vm_decode(code, f->code_len, pc, &in) == VM_DEC_OK; pc += in.len) {
    const vm_opinfo *oi = &vm_ops[in.op];
    for (int k = 0; k < oi->nops; k++) {
      unsigned v = in.o[k];
      switch (oi->kind[k]) {
      case VM_K_COL: own[v] = 1; break;
      case VM_K_PARAM: if (params) params[v] = 1; break;
      case VM_K_LCOL: /* the operand before it is the source */
        if (look) {
          const vm_source *t = &p->sources[in.o[k - 1]];
          uint8_t *l = look[in.o[k - 1]];
          l[v] = l[t->key] = l[t->time] = 1;
          if (t->where >= 0) exec_mark_reads(p, t->where, l, NULL, NULL, seen);
        }
        break;
      case VM_K_FN: exec_mark_reads(p, (int)v, own, look, params, seen); break;
      default: break;
      }
    }
  }
}

static void report_counts(exec_pack *pr, const vm_rule *r, int si, const uint8_t *used, const bad_count *bad, const char *how) {
  const vm_program *p = pr->p;
  const vm_source *s = &p->sources[si];
  for (int k = 0; k < s->ncols; k++) {
    if (!used[k]) continue;
    for (int b = 0; b < BAD__COUNT; b++) {
      const bad_count *bc = &bad[k * BAD__COUNT + b];
      if (!bc->n) continue;
      pr->warnings++;
      exec_diag(pr->o, VG_WARNING, p->files[r->file], (int)r->line, "rule %s: table %s, column %s%s: %lld %s%s%s%s", r->name,
           s->table, s->cols[k].name, how, bc->n, bad_what[b], bc->example[0] ? " (e.g. key " : "", bc->example,
           bc->example[0] ? ")" : "");
    }
  }
}

/* Bad data met while making rollup ro's rows (read from its member source). */
static void report_rollup_counts(exec_pack *pr, const vm_rollup *ro, uint8_t *seen, size_t nf) {
  const vm_program *p = pr->p;
  const vm_source *m = &p->sources[ro->member];
  uint8_t *used = vg_realloc(NULL, m->ncols ? m->ncols : 1);
  if (!used) return;
  memset(used, 0, m->ncols ? m->ncols : 1);
  memset(seen, 0, nf);
  for (unsigned k = 0; k < ro->ncols; k++) exec_mark_reads(p, ro->cols[k].fn, used, NULL, NULL, seen);
  if (m->where >= 0) exec_mark_reads(p, m->where, used, NULL, NULL, seen);
  used[m->key] = used[m->time] = used[ro->group] = 1;
  int ri = (int)(ro - p->rollups);
  const bad_count *bad = pr->rollup_bad ? pr->rollup_bad[ri] : NULL;
  if (!bad) { vg_free(used); return; }
  for (int k = 0; k < m->ncols; k++) {
    if (!used[k]) continue;
    for (int b = 0; b < BAD__COUNT; b++) {
      const bad_count *bc = &bad[k * BAD__COUNT + b];
      if (!bc->n) continue;
      pr->warnings++;
      exec_diag(pr->o, VG_WARNING, NULL, 0, "rollup %s: table %s, column %s: %lld %s%s%s%s", p->sources[ro->source].name,
                m->table, m->cols[k].name, bc->n, bad_what[b], bc->example[0] ? " (e.g. key " : "", bc->example,
                bc->example[0] ? ")" : "");
    }
  }
  vg_free(used);
}

static void report_bad(exec_pack *pr) {
  const vm_program *p = pr->p;
  size_t nf = p->nfuncs ? p->nfuncs : 1, ns = p->nsources ? p->nsources : 1;
  uint8_t *seen = vg_realloc(NULL, nf);
  uint8_t **look = vg_realloc(NULL, ns * sizeof *look);
  if (!seen || !look) { vg_free(seen); vg_free(look); return; }
  memset(look, 0, ns * sizeof *look);
  int ok = 1;
  for (int i = 0; i < p->nsources && ok; i++) {
    look[i] = vg_realloc(NULL, p->sources[i].ncols ? p->sources[i].ncols : 1);
    ok = look[i] != NULL;
  }
  for (int ri = 0; ri < p->nrules && ok; ri++) {
    const vm_rule *r = &p->rules[ri];
    const vm_source *s = &p->sources[r->source];
    for (int i = 0; i < p->nsources; i++) memset(look[i], 0, p->sources[i].ncols ? p->sources[i].ncols : 1);
    memset(seen, 0, nf);
    uint8_t *mine = vg_realloc(NULL, s->ncols ? s->ncols : 1);
    if (!mine) break;
    memset(mine, 0, s->ncols ? s->ncols : 1);
    exec_mark_reads(p, r->fn, mine, look, NULL, seen);
    if (s->where >= 0) exec_mark_reads(p, s->where, mine, NULL, NULL, seen);
    mine[s->key] = mine[s->time] = 1;
    report_counts(pr, r, r->source, mine, pr->srcs[r->source].bad, "");
    for (int i = 0; i < p->nsources; i++) report_counts(pr, r, i, look[i], pr->srcs[i].lbad, " (read by a lookup)");
    vg_free(mine);
  }
  for (int i = 0; i < p->nsources; i++) vg_free(look[i]);
  vg_free(look);
  for (unsigned i = 0; i < p->nrollups && ok; i++) report_rollup_counts(pr, &p->rollups[i], seen, nf);
  vg_free(seen);
}

/* ---- one pack ---------------------------------------------------------------------------- */

int exec_rollup_of(const vm_program *p, int si) {
  for (unsigned i = 0; i < p->nrollups; i++)
    if (p->rollups[i].source == si) return (int)i;
  return -1;
}

void exec_count_rollup(exec_pack *pr, int si, int on) { pr->srcs[si].counting_rollup = on; }

void exec_rollup_bad_clear(exec_pack *pr, int si) {
  src_run *m = &pr->srcs[si];
  memset(m->rbad, 0, (size_t)(m->src->ncols ? m->src->ncols : 1) * BAD__COUNT * sizeof(bad_count));
}

int exec_rollup_bad_keep(exec_pack *pr, int ro) {
  const vm_program *p = pr->p;
  if (!pr->rollup_bad) {
    pr->rollup_bad = vg_realloc(NULL, (p->nrollups ? p->nrollups : 1) * sizeof *pr->rollup_bad);
    if (!pr->rollup_bad) return -1;
    memset(pr->rollup_bad, 0, (p->nrollups ? p->nrollups : 1) * sizeof *pr->rollup_bad);
  }
  src_run *m = &pr->srcs[p->rollups[ro].member];
  size_t n = (size_t)(m->src->ncols ? m->src->ncols : 1) * BAD__COUNT * sizeof(bad_count);
  bad_count *keep = vg_realloc(pr->rollup_bad[ro], n);
  if (!keep) return -1;
  memcpy(keep, m->rbad, n);
  memset(m->rbad, 0, n);
  pr->rollup_bad[ro] = keep;
  return 0;
}

static int on_manager(void *ud, vm_state *vm, const char *person, size_t len, int levels, const char **out,
                      size_t *outlen) {
  exec_pack *pr = ud;
  return exec_org_manager(pr, vm->cur_rule, person, len, levels, out, outlen);
}

void exec_pack_free(exec_pack *pr) {
  if (pr->srcs) {
    for (int i = 0; i < pr->p->nsources; i++) {
      sqlite3_finalize(pr->srcs[i].lookup);
      vg_free(pr->srcs[i].lrow.v);
      vg_free(pr->srcs[i].lrow.buf);
      vg_free(pr->srcs[i].cand.v);
      vg_free(pr->srcs[i].cand.buf);
      vg_free(pr->srcs[i].lkeybuf);
      vg_free(pr->srcs[i].rowid_sql);
      vg_free(pr->srcs[i].bad);
      vg_free(pr->srcs[i].lbad);
      vg_free(pr->srcs[i].rbad);
    }
    vg_free(pr->srcs);
  }
  if (pr->rollup_bad) {
    for (unsigned i = 0; i < pr->p->nrollups; i++) vg_free(pr->rollup_bad[i]);
    vg_free(pr->rollup_bad);
  }
  vm_state_free(&pr->vm);
  vm_state_free(&pr->wvm);
  vg_free(pr->alerts);
  exec_life_free(pr);
  exec_org_free(pr);
  exec_evidence_free(pr);
  vg_buf_free(&pr->keytext);
  vg_arena_free(&pr->arena);
  vg_arena_free(&pr->alert_arena);
  sqlite3_finalize(pr->spill_ins);
  vg_free(pr->tally);
}

int exec_pack_eval(exec_pack *pr) {
  pr->as_of = pr->ndates ? pr->dates[pr->ndates - 1] : 0;
  vm_program *p = pr->p;
  vm_state_init(&pr->vm, p, pr->as_of);
  vm_state_init(&pr->wvm, p, pr->as_of);
  pr->vm.lookup = do_lookup;
  pr->vm.emit = on_emit;
  pr->vm.manager = on_manager;
  pr->vm.ud = pr;
  pr->srcs = vg_realloc(NULL, (p->nsources ? p->nsources : 1) * sizeof *pr->srcs);
  if (!pr->srcs) return -1;
  memset(pr->srcs, 0, (p->nsources ? p->nsources : 1) * sizeof *pr->srcs);
  for (int i = 0; i < p->nsources; i++) {
    pr->srcs[i].src = &p->sources[i];
    pr->srcs[i].derived = exec_rollup_of(p, i) >= 0;
    size_t n = (size_t)(p->sources[i].ncols ? p->sources[i].ncols : 1) * BAD__COUNT;
    pr->srcs[i].bad = vg_realloc(NULL, n * sizeof(bad_count));
    pr->srcs[i].lbad = vg_realloc(NULL, n * sizeof(bad_count));
    pr->srcs[i].rbad = vg_realloc(NULL, n * sizeof(bad_count));
    if (!pr->srcs[i].bad || !pr->srcs[i].lbad || !pr->srcs[i].rbad) return -1;
    memset(pr->srcs[i].bad, 0, n * sizeof(bad_count));
    memset(pr->srcs[i].lbad, 0, n * sizeof(bad_count));
    memset(pr->srcs[i].rbad, 0, n * sizeof(bad_count));
  }
  pr->tally = vg_realloc(NULL, (size_t)(p->ntiers ? p->ntiers : 1) * LIFE__COUNT * sizeof *pr->tally);
  if (!pr->tally) return -1;
  memset(pr->tally, 0, (size_t)(p->ntiers ? p->ntiers : 1) * LIFE__COUNT * sizeof *pr->tally);
  if (check_tables(pr) != 0) { pr->failed = 1; return -1; }
  if (spill_table(pr) != 0) return -1;
  if (exec_rollups(pr) != 0) return -1;
  if (exec_org_load(pr) != 0) return -1;
  if (pr->want_evidence && exec_evidence_plan(pr) != 0) return -1;
  for (int i = 0; i < p->nsources; i++)
    if (run_source(pr, i) != 0 || pr->failed) return -1;
  if (pr->vm.type_warnings) {
    pr->warnings++;
    exec_diag(pr->o, VG_WARNING, NULL, 0, "pack %s: %llu operation(s) met a value of a type they do not take and gave null",
         p->pack, (unsigned long long)pr->vm.type_warnings);
  }
  if (pr->ndates == 1 && exec_life_sweep(pr, pr->dates[0]) != 0) return -1;
  report_bad(pr);
  exec_org_report(pr);
  if (pr->nspilled) return spill(pr); /* all of them in the table: read back in order */
  for (long i = 0; i < pr->nalerts; i++) pr->tally[pr->alerts[i].tier * LIFE__COUNT + pr->alerts[i].status]++;
  if (pr->nalerts > 1) qsort(pr->alerts, (size_t)pr->nalerts, sizeof *pr->alerts, cmp_alert);
  return 0;
}

