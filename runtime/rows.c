/*
** rows.c — reading a source's rows (rows.h).
**
** A row is read into a vm_row as its source's column types say: numbers
** from SQLite's numbers (text in a number column reads as null), dates from
** date text, text into the row's own buffer.  Bad data (text in a number
** column, an unreadable date, a NULL key or time, duplicate rows) is counted
** per source and column, with an example key, and reported once per rule
** and column when the pack is done (exec.c).
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include "rows.h"
#include "db.h"
#include "../stdlib/lib.h"

/* ---- SQL text ------------------------------------------------------------------ */

/* SELECT the source's columns (and rowid, the expression that reads the
** real rowid, unless NULL) FROM its table.  keytime: NULL for every column
** other than the key and the time (exec_select_list_keytime); feed: the
** columns of table t fed by rowid (exec_select_list_feed). */
static int select_list(vg_buf *b, const vm_source *s, const char *rowid, int keytime, int feed) {
  int rc = vg_buf_append(b, "SELECT ", 7);
  for (int i = 0; i < s->ncols && rc == 0; i++) {
    if (i) rc |= vg_buf_append(b, ", ", 2);
    if (keytime && i != s->key && i != s->time) rc |= vg_buf_append(b, "NULL", 4);
    else rc |= (feed ? vg_buf_append(b, "t.", 2) : 0) | exec_quote_ident(b, s->cols[i].name);
  }
  if (rowid) rc |= vg_buf_printf(b, ", %s%s", feed ? "t." : "", rowid);
  rc |= vg_buf_append(b, " FROM ", 6);
  if (feed) rc |= vg_buf_append(b, "vigil_feed(?1) AS f CROSS JOIN ", 31);
  rc |= exec_quote_ident(b, s->table);
  if (feed) rc |= vg_buf_printf(b, " AS t WHERE t.%s = f.id", rowid);
  return rc;
}

int exec_select_list(vg_buf *b, const vm_source *s, const char *rowid) { return select_list(b, s, rowid, 0, 0); }

int exec_select_list_keytime(vg_buf *b, const vm_source *s, const char *rowid) {
  return select_list(b, s, rowid, 1, 0);
}

int exec_select_list_feed(vg_buf *b, const vm_source *s, const char *rowid) {
  return rowid ? select_list(b, s, rowid, 0, 1) : -1;
}

/* ---- vigil_feed(P): rows by rowid from one statement ------------------------ */

/* A table-valued function of one column, id: P is an exec_feed (bound with
** sqlite3_bind_pointer, type "vigil_feed"), and each row is the rowid put
** in it before a step, once; with none waiting the function ends.  Joined
** to a table on its rowid (exec_select_list_feed), one statement fetches
** the rows a walk asks for, one a step, and is never reset between them:
** SQLite keeps its cursors open, where a reset closes and reopens them. */
typedef struct feed_cursor {
  sqlite3_vtab_cursor base;
  exec_feed *feed;
  sqlite3_int64 id;
  int eof;
} feed_cursor;

static int feed_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err) {
  (void)aux;
  (void)argc;
  (void)argv;
  (void)err;
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id INTEGER, feed HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  sqlite3_vtab *v = sqlite3_malloc(sizeof *v);
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, sizeof *v);
  *out = v;
  return SQLITE_OK;
}

static int feed_disconnect(sqlite3_vtab *v) {
  sqlite3_free(v);
  return SQLITE_OK;
}

/* Only with its argument (the hidden column feed, equal to P). */
static int feed_best_index(sqlite3_vtab *v, sqlite3_index_info *ix) {
  (void)v;
  for (int i = 0; i < ix->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
    if (c->iColumn == 1 && c->op == SQLITE_INDEX_CONSTRAINT_EQ && c->usable) {
      ix->aConstraintUsage[i].argvIndex = 1;
      ix->aConstraintUsage[i].omit = 1;
      ix->estimatedCost = 1;
      ix->estimatedRows = 1;
      return SQLITE_OK;
    }
  }
  return SQLITE_CONSTRAINT;
}

static int feed_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
  (void)v;
  feed_cursor *c = sqlite3_malloc(sizeof *c);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  *out = &c->base;
  return SQLITE_OK;
}

static int feed_close(sqlite3_vtab_cursor *cur) {
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int feed_next(sqlite3_vtab_cursor *cur) {
  feed_cursor *c = (feed_cursor *)cur;
  c->eof = !c->feed || !c->feed->ready;
  if (!c->eof) {
    c->id = c->feed->rowid;
    c->feed->ready = 0;
  }
  return SQLITE_OK;
}

static int feed_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc, sqlite3_value **argv) {
  (void)idx;
  (void)idxs;
  ((feed_cursor *)cur)->feed = argc ? sqlite3_value_pointer(argv[0], "vigil_feed") : NULL;
  return feed_next(cur);
}

static int feed_eof(sqlite3_vtab_cursor *cur) { return ((feed_cursor *)cur)->eof; }

static int feed_column(sqlite3_vtab_cursor *cur, sqlite3_context *cx, int col) {
  if (col == 0) sqlite3_result_int64(cx, ((feed_cursor *)cur)->id); /* (feed: NULL) */
  return SQLITE_OK;
}

static int feed_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out) {
  *out = ((feed_cursor *)cur)->id;
  return SQLITE_OK;
}

/* eponymous only (no xCreate): it exists in every schema, as a function */
static const sqlite3_module feed_module = {
  .xConnect = feed_connect,
  .xBestIndex = feed_best_index,
  .xDisconnect = feed_disconnect,
  .xOpen = feed_open,
  .xClose = feed_close,
  .xFilter = feed_filter,
  .xNext = feed_next,
  .xEof = feed_eof,
  .xColumn = feed_column,
  .xRowid = feed_rowid,
};

int exec_sql_feed_register(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, "SELECT id FROM vigil_feed(NULL)", -1, &st, NULL);
  sqlite3_finalize(st);
  if (rc == SQLITE_OK) return SQLITE_OK; /* (registered before) */
  return sqlite3_create_module_v2(db, "vigil_feed", &feed_module, NULL, NULL);
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

int exec_key_text(const vm_row *r, int keycol, vg_buf *b) {
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


/* A row's key as diagnostics show it: text through lib_show_text (NUL and
** control bytes visible, cut to fit), anything else as its text. */
static void row_key_text(const vm_row *r, int keycol, char *buf, size_t cap) {
  val k = r->v[keycol];
  if (r->kint) snprintf(buf, cap, "%lld", (long long)r->ikey);
  else if (k.t == VT_STR) lib_show_text(k.u.s, k.len, buf, cap);
  else lib_format_text(k, buf, cap);
}

void exec_count_bad(exec_pack *pr, int si, int col, int kind, const vm_row *r) {
  src_run *sr = &pr->srcs[si];
  bad_count *b = &(sr->counting_rollup ? sr->rbad : sr->counting_lookup ? sr->lbad : sr->bad)[col * BAD__COUNT + kind];
  pr->bad_events++;
  if (b->n++ == 0) {
    if (kind == BAD_KEY) snprintf(b->example, sizeof b->example, "%s", sr->pend_key);
    else if (r && kind != BAD_NULL_KEY) row_key_text(r, sr->src->key, b->example, sizeof b->example);
    else b->example[0] = 0;
  }
}

/* Mark bad datum kind in column col of the row being read (counted later). */
static void pend(src_run *sr, int col, int kind) {
  sr->pend[col] = (unsigned char)(kind + 1);
  sr->npend++;
}

void exec_row_bad(exec_pack *pr, int si, const vm_row *r) {
  src_run *sr = &pr->srcs[si];
  for (int i = 0; sr->npend && i < sr->src->ncols; i++)
    if (sr->pend[i]) {
      exec_count_bad(pr, si, i, sr->pend[i] - 1, r);
      sr->pend[i] = 0;
      sr->npend--;
    }
  sr->npend = 0;
}

void exec_row_forget(exec_pack *pr, int si) {
  src_run *sr = &pr->srcs[si];
  if (sr->npend && sr->pend) memset(sr->pend, 0, (size_t)(sr->src->ncols ? sr->src->ncols : 1));
  sr->npend = 0;
}

void exec_row_unjudged(exec_pack *pr, int si, const vm_row *r) {
  src_run *sr = &pr->srcs[si];
  const vm_source *s = sr->src;
  const unsigned char *wcols = sr->pend + (s->ncols ? s->ncols : 1);
  for (int i = 0; sr->npend && i < s->ncols; i++) {
    int kind = sr->pend[i] - 1;
    if (sr->pend[i] && wcols[i] && kind != BAD_NULL_KEY && kind != BAD_NULL_TIME) exec_count_bad(pr, si, i, kind, r);
    if (sr->pend[i]) sr->npend--;
    sr->pend[i] = 0;
  }
  sr->npend = 0;
}

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

/* dst becomes a copy of src: its values, the strings in dst's own buffer.
** 0 or -1 (memory). */
int exec_row_copy(vm_row *dst, const vm_row *src, uint16_t ncols) {
  if (src->buflen > dst->bufcap) {
    char *nb = vg_realloc(dst->buf, src->buflen);
    if (!nb) return -1;
    dst->buf = nb;
    dst->bufcap = src->buflen;
  }
  if (src->buflen) memcpy(dst->buf, src->buf, src->buflen);
  dst->buflen = src->buflen;
  dst->time = src->time;
  dst->rowid = src->rowid;
  dst->ikey = src->ikey;
  dst->kint = src->kint;
  dst->kblob = src->kblob;
  for (uint16_t i = 0; i < ncols; i++) {
    val v = src->v[i];
    if (v.t == VT_STR) v.u.s = dst->buf + (v.u.s - src->buf); /* (read rows keep every string in buf) */
    dst->v[i] = v;
  }
  return 0;
}

/* Read the statement's columns into r, as the source's column types say.
** Sets *skip when the row has no usable key or time.  Returns 0 or -1 when
** out of memory. */
static int read_row(exec_pack *pr, int si, sqlite3_stmt *st, vm_row *r, int rowid_col, int *skip, int key_time) {
  src_run *sr = &pr->srcs[si];
  const vm_source *s = sr->src;
  r->buflen = 0;
  *skip = 0;
  if (!sr->pend) { /* (exec.c sets it up with the where's columns) */
    sr->pend = vg_realloc(NULL, 2 * (size_t)(s->ncols ? s->ncols : 1));
    if (!sr->pend) return -1;
    memset(sr->pend, 0, 2 * (size_t)(s->ncols ? s->ncols : 1));
  } else if (sr->npend) {
    memset(sr->pend, 0, (size_t)(s->ncols ? s->ncols : 1)); /* the last row's, not the source's */
  }
  sr->npend = 0;
  int marks = 0, strs = 0; /* (values marked bad, strings: the loops after the first are for them) */
  /* each column's value taken once (sqlite3_column_value): the
  ** sqlite3_column_* calls each take the statement's column again, with its
  ** checks, and make six a row.  The connection is this thread's alone
  ** (NOMUTEX), so the value may be read as it is. */
  sqlite3_value *kv = sqlite3_column_value(st, s->key);
  /* (the key's type before any conversion: reading a blob as text makes
  ** its type undefined) */
  int key_type = sqlite3_value_type(kv);
  for (int i = 0; i < s->ncols; i++) {
    if (key_time && i != s->key && i != s->time) {
      r->v[i] = val_null();
      continue;
    }
    sqlite3_value *cv = i == s->key ? kv : sqlite3_column_value(st, i);
    int t = i == s->key ? key_type : sqlite3_value_type(cv);
    val v = val_null();
    int want = s->cols[i].type;
    if (t == SQLITE_NULL) {
      v = val_null();
    } else if (want == VT_NUM || (want == VT_NULL && (t == SQLITE_INTEGER || t == SQLITE_FLOAT))) {
      if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) v = val_num(sqlite3_value_double(cv));
      else v.t = 0xfe, marks++; /* marked: text in a number column, counted below once the key is known */
    } else if (want == VT_DATE) {
      int32_t d;
      const unsigned char *txt = t == SQLITE_TEXT ? sqlite3_value_text(cv) : NULL;
      size_t n = txt ? (size_t)sqlite3_value_bytes(cv) : 0;
      int ok = 0;
      if (i == s->time && txt) { /* (a time text read lately: rows of a key alternate between two days) */
        sr->tlen = n <= sizeof sr->tc[0].text ? n : (size_t)-1;
        int hit = -1;
        for (int c = 0; c < 2 && hit < 0; c++)
          if (sr->tc[c].len == n && memcmp(txt, sr->tc[c].text, n) == 0) hit = c;
        if (hit >= 0) {
          ok = sr->tc[hit].ok;
          d = sr->tc[hit].day;
        } else {
          ok = lib_parse_date((const char *)txt, n, &d);
          if (sr->tlen != (size_t)-1) {
            unsigned c = sr->tnext++ & 1;
            sr->tc[c].len = n;
            memcpy(sr->tc[c].text, txt, n);
            sr->tc[c].ok = ok;
            sr->tc[c].day = ok ? d : 0;
          }
        }
      } else {
        ok = txt && lib_parse_date((const char *)txt, n, &d);
      }
      if (ok) v = val_date(d);
      else v.t = 0xfd, marks++; /* unreadable date */
    } else {
      /* a blob's bytes as they are: sqlite3_value_text would make the
      ** statement's value text, and a key read back from it afterwards
      ** (the walk down the keys binds it) would be bound as text */
      const void *txt = t == SQLITE_BLOB ? sqlite3_value_blob(cv) : (const void *)sqlite3_value_text(cv);
      int n = sqlite3_value_bytes(cv);
      long off = row_store(r, txt ? txt : "", (size_t)n);
      if (off < 0) return -1;
      v.t = VT_STR;
      v.len = (uint32_t)n;
      v.u.n = (double)off; /* fixed up to a pointer below, once buf stops moving */
      strs++;
    }
    r->v[i] = v;
  }
  for (int i = 0; strs && i < s->ncols; i++)
    if (r->v[i].t == VT_STR) r->v[i].u.s = r->buf + (size_t)r->v[i].u.n;
  r->rowid = rowid_col >= 0 ? sqlite3_value_int64(sqlite3_column_value(st, rowid_col)) : 0;
  r->kint = key_type == SQLITE_INTEGER;
  r->ikey = r->kint ? sqlite3_value_int64(kv) : 0;
  r->kblob = key_type == SQLITE_BLOB;
  val key = r->v[s->key];
  /* the other values are kept, nulled where bad: the source's where is
  ** evaluated on the row before its bad data counts */
  if (key.t == VT_NULL) {
    pend(sr, s->key, BAD_NULL_KEY);
    *skip = 1;
  } else if (key.t >= VT__COUNT) { /* text in a number key column: the text is the example */
    const unsigned char *txt = sqlite3_column_text(st, s->key);
    lib_show_text(txt ? (const char *)txt : "", txt ? (size_t)sqlite3_column_bytes(st, s->key) : 0, sr->pend_key,
                  sizeof sr->pend_key);
    pend(sr, s->key, BAD_KEY);
    r->v[s->key] = val_null();
    *skip = 1;
  }
  int nokey = *skip;
  for (int i = 0; marks && i < s->ncols; i++) {
    if (nokey && r->v[i].t >= VT__COUNT) { r->v[i] = val_null(); continue; } /* a row without a key: only that counts */
    if (r->v[i].t == 0xfe) { pend(sr, i, i == s->time ? BAD_TIME : BAD_TEXT_NUM); r->v[i] = val_null(); if (i == s->time) *skip = 1; }
    else if (r->v[i].t == 0xfd) { pend(sr, i, i == s->time ? BAD_TIME : BAD_DATE); r->v[i] = val_null(); if (i == s->time) *skip = 1; }
  }
  if (*skip) return 0;
  if (r->v[s->time].t == VT_NULL) {
    pend(sr, s->time, BAD_NULL_TIME);
    *skip = 1;
    return 0;
  }
  r->time = r->v[s->time].u.d;
  return 0;
}

int exec_read_row(exec_pack *pr, int si, sqlite3_stmt *st, vm_row *r, int rowid_col, int *skip) {
  return read_row(pr, si, st, r, rowid_col, skip, 0);
}

int exec_read_key_time(exec_pack *pr, int si, sqlite3_stmt *st, vm_row *r, int rowid_col, int *skip) {
  return read_row(pr, si, st, r, rowid_col, skip, 1);
}

/* The days vigil_day() read last: a prefilter names a column's day in
** several conditions, and SQLite calls the function for each, so a text
** with a time or a zone is parsed once per row (the texts are compared,
** never their addresses); a plain date, 10 bytes, is read faster than it is
** looked up here. */
enum { DAY_CACHE = 4, DAY_TEXT = 40 };
typedef struct day_cache {
  struct { size_t len; int ok; int32_t day; char text[DAY_TEXT]; } e[DAY_CACHE];
  unsigned next;
} day_cache;

/* vigil_day(t): the day the runtime reads in time text t (lib_parse_date),
** or NULL; registered on the connection for scans in day order. */
static void sql_vigil_day(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  int32_t d;
  const unsigned char *t = sqlite3_value_type(argv[0]) == SQLITE_TEXT ? sqlite3_value_text(argv[0]) : NULL;
  if (!t) { sqlite3_result_null(cx); return; }
  size_t n = (size_t)sqlite3_value_bytes(argv[0]);
  if (n == 10) { /* a plain date is read faster than it is looked up */
    if (lib_parse_date((const char *)t, n, &d)) sqlite3_result_int(cx, d);
    else sqlite3_result_null(cx);
    return;
  }
  day_cache *c = sqlite3_user_data(cx);
  int ok = -1;
  for (unsigned i = 0; i < DAY_CACHE && ok < 0; i++)
    if (c->e[i].len == n && n <= DAY_TEXT && memcmp(c->e[i].text, t, n) == 0) {
      ok = c->e[i].ok;
      d = c->e[i].day;
    }
  if (ok < 0) {
    ok = lib_parse_date((const char *)t, n, &d);
    if (n <= DAY_TEXT) {
      unsigned i = c->next++ % DAY_CACHE;
      c->e[i].len = n;
      c->e[i].ok = ok;
      c->e[i].day = ok ? d : 0;
      memcpy(c->e[i].text, t, n);
    }
  }
  if (ok) sqlite3_result_int(cx, d);
  else sqlite3_result_null(cx);
}

/* vigil_unread(x, ...): 1 when some argument is neither null nor a text
** lib_parse_date reads (what exec_read_row counts as bad data in a date
** column), else 0.  The prefilter's bad-data test of a row's date columns:
** one call a row however many columns, where `x IS NOT NULL AND
** vigil_day(x) IS NULL` was one call a column. */
static void sql_vigil_unread(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  for (int i = 0; i < argc; i++) {
    int t = sqlite3_value_type(argv[i]);
    if (t == SQLITE_NULL) continue;
    const unsigned char *s = t == SQLITE_TEXT ? sqlite3_value_text(argv[i]) : NULL;
    if (!s || !lib_parse_date((const char *)s, (size_t)sqlite3_value_bytes(argv[i]), NULL)) {
      sqlite3_result_int(cx, 1);
      return;
    }
  }
  sqlite3_result_int(cx, 0);
}

static void day_cache_free(void *p) { vg_free(p); }

int exec_sql_day_register(sqlite3 *db) {
  day_cache *c = vg_realloc(NULL, sizeof *c);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  for (unsigned i = 0; i < DAY_CACHE; i++) c->e[i].len = (size_t)-1;
  /* (deterministic for SQLite: the same text gives the same day) */
  int rc = sqlite3_create_function_v2(db, "vigil_day", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, c,
                                      sql_vigil_day, NULL, NULL, day_cache_free);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "vigil_unread", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                    sql_vigil_unread, NULL, NULL, NULL);
  return rc;
}

/* ---- what rollups read ------------------------------------------------------------ */

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

/* ---- series -------------------------------------------------------------------------- */

int exec_series_init(vm_series *s, uint16_t ncols, uint32_t lookback) {
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

void exec_series_free(vm_series *s) {
  if (!s->rows) return;
  for (uint32_t i = 0; i < s->cap; i++) {
    vg_free(s->rows[i].v);
    vg_free(s->rows[i].buf);
  }
  vg_free(s->rows);
  s->rows = NULL;
}

int exec_series_grow(vm_series *s) {
  uint32_t ncap = s->cap * 2;
  vm_row *nr = vg_realloc(s->rows, ncap * sizeof *nr);
  if (!nr) return -1;
  memset(nr + s->cap, 0, (ncap - s->cap) * sizeof *nr);
  for (uint32_t i = s->cap; i < ncap; i++) {
    nr[i].v = vg_realloc(NULL, (s->ncols ? s->ncols : 1) * sizeof(val));
    if (!nr[i].v) { s->rows = nr; s->cap = i; return -1; }
  }
  /* strings point into each row's own buf, which did not move */
  s->rows = nr;
  s->cap = ncap;
  return 0;
}
