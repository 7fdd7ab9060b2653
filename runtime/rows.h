/*
** rows.h — reading a source's rows: the SELECT of the columns a program
** reads, one row read as the source's column types say (bad data counted
** per source and column, with an example key), the window of one key (a
** vm_series ring), and the source's where.
**
** The small functions the scan calls per row are inline here: a row read
** is the hot path of a run.
*/
#ifndef VIGIL_ROWS_H
#define VIGIL_ROWS_H

#include <math.h>
#include <string.h>
#include "pack.h"

/* Kinds of bad data (exec.c reports them). */
enum { BAD_TEXT_NUM, BAD_DATE, BAD_NULL_KEY, BAD_KEY, BAD_NULL_TIME, BAD_TIME, BAD_DUP, BAD__COUNT };

struct bad_count {
  long long n;
  char example[96];  /* the first bad row's key, shown with lib_show_text */
};

/* What a run keeps per source. */
struct src_run {
  const vm_source *src;
  sqlite3_stmt *lookup;      /* prepared on first lookup (lookup.c) */
  int has_rowid;
  char *rowid_sql; int rowid_known; /* what reads the table's real rowid (exec_rowid_expr) */
  vm_row lrow;               /* the lookup result row */
  vm_row cand;               /* the row being read by a lookup */
  int lfound;
  val lkey; char *lkeybuf; size_t lkeycap; int32_t lday; int lvalid; /* cache */
  bad_count *bad;            /* [ncols * BAD__COUNT]: rows read by the source's scan */
  bad_count *lbad;           /* the same for rows read by lookups into it */
  int counting_lookup;       /* exec_read_row counts into lbad */
  int derived;               /* a rollup's rows, made by the run: not counted as rows read */
  bad_count *rbad;           /* the same for rows read to make rollups of it */
  int counting_rollup;       /* exec_read_row counts into rbad */
  unsigned char *pend;       /* [ncols]: the bad data of the row just read (kind + 1, or 0), counted
                             ** only once the source's where keeps the row (exec_row_owned);
                             ** then [ncols]: 1 for the columns the where reads */
  int npend;
  char pend_key[96];         /* the example of a BAD_KEY pending (the key's text) */
  /* the last two time texts read and their days (len (size_t)-1: none):
  ** rows read in the table's order share their date with the row before,
  ** and a walk's keys alternate between their newest two; tlen: the
  ** length of the last one read ((size_t)-1: longer than text) */
  struct { char text[16]; size_t len; int32_t day; int ok; } tc[2];
  unsigned tnext;
  size_t tlen;
};

/* "SELECT col, ... [, ROWID] FROM table" for source s into b, ROWID being
** the expression that reads the real rowid (exec_rowid_expr), or none for
** NULL.  0 or -1 (memory). */
int exec_select_list(vg_buf *b, const vm_source *s, const char *rowid);
/* The same with NULL for each column other than the key and the time: a
** walk of the (key, time) index alone, which never reads the table's rows. */
int exec_select_list_keytime(vg_buf *b, const vm_source *s, const char *rowid);
/* The same select list over `vigil_feed(?1) AS f CROSS JOIN table AS t
** WHERE t.ROWID = f.id` (every name qualified by t): the rows whose rowids
** are put in the exec_feed bound to ?1, one a step.  -1 without a rowid. */
int exec_select_list_feed(vg_buf *b, const vm_source *s, const char *rowid);
/* What a statement of exec_select_list_feed reads from: the next step
** fetches the row of rowid when ready is 1, and clears it. */
typedef struct exec_feed {
  int64_t rowid;
  int ready;
} exec_feed;
/* Register vigil_feed (a table-valued function) on db, once: it is looked
** for first.  An SQLite result code. */
int exec_sql_feed_register(sqlite3 *db);
/* The expression that reads source si's real rowid (not a column named
** rowid), or NULL when it has none reachable.  0, or -1 (memory). */
int exec_rowid_expr(exec_pack *pr, int si, const char **out);

/* Read the statement's row into r as source si's column types say; *skip
** when the row has no usable key or time.  The row's bad data is pending:
** exec_row_owned (or exec_row_bad) counts it.  0 or -1 (memory). */
int exec_read_row(exec_pack *pr, int si, sqlite3_stmt *st, vm_row *r, int rowid_col, int *skip);
/* The same for the key, the time and the rowid alone, the other values
** NULL: a row read from the index (exec_select_list_keytime), whose bad data
** is forgotten (exec_row_forget). */
int exec_read_key_time(exec_pack *pr, int si, sqlite3_stmt *st, vm_row *r, int rowid_col, int *skip);
/* The full text of a row's key into b (b->len bytes, which may include NUL
** bytes, then a NUL): an integer key in decimal, text as it is, anything
** else as lib_format_text writes it.  0 or -1 (no memory). */
int exec_key_text(const vm_row *r, int keycol, vg_buf *b);
/* Count the bad data of the row just read (pending since exec_read_row). */
void exec_row_bad(exec_pack *pr, int si, const vm_row *r);
/* The row just read is one the where rejects: count only the unreadable
** values the where read (it could not judge them; a NULL it could). */
void exec_row_unjudged(exec_pack *pr, int si, const vm_row *r);
/* Forget the bad data of the row just read: a row read again, already
** counted, or one read only for its key and time (scan.c's walk). */
void exec_row_forget(exec_pack *pr, int si);
/* dst becomes a copy of src, a row exec_read_row read (every string in its
** buffer).  0 or -1 (memory). */
int exec_row_copy(vm_row *dst, const vm_row *src, uint16_t ncols);
/* Count one bad datum of kind in column col of source si (r: the row, for
** its key as the example; may be NULL). */
void exec_count_bad(exec_pack *pr, int si, int col, int kind, const vm_row *r);

/* While on, bad data read from source si counts for its rollups (reported apart). */
void exec_count_rollup(exec_pack *pr, int si, int on);
/* Keep what rollup ro counted (and start its member's count afresh for the
** next rollup of the same members): each rollup reports its own.  0 or -1. */
int exec_rollup_bad_keep(exec_pack *pr, int ro);
/* Forget what the rows of member source si read for a rollup counted. */
void exec_rollup_bad_clear(exec_pack *pr, int si);

/* Register the SQL functions vigil_day(t) on db: the day the runtime reads
** in time text t, or NULL; and vigil_unread(x, ...): 1 when an argument is
** neither null nor such a text.  An SQLite result code. */
int exec_sql_day_register(sqlite3 *db);

/* ---- the window of one key ------------------------------------------------------ */

/* A series of rows of ncols columns: a ring of lookback + 2 slots, or a
** growing array for VM_UNBOUNDED.  0 or -1 (memory; free it anyway). */
int exec_series_init(vm_series *s, uint16_t ncols, uint32_t lookback);
void exec_series_free(vm_series *s);
/* Double an unbounded series' slots.  0 or -1 (memory). */
int exec_series_grow(vm_series *s);

/* The slot the next row is read into (not yet part of the series); NULL
** when out of memory. */
static inline vm_row *exec_series_staging(vm_series *s) {
  if (!s->bounded && s->n + 1 >= s->cap && exec_series_grow(s) != 0) return NULL;
  return &s->rows[s->n == 0 ? 0 : (s->head + 1) % s->cap];
}

/* The staged row becomes the newest. */
static inline void exec_series_push(vm_series *s) {
  s->head = s->n == 0 ? 0 : (s->head + 1) % s->cap;
  if (s->n < s->cap - 1) s->n++; /* one slot stays free for staging */
}

static inline void exec_swap_rows(vm_row *a, vm_row *b) {
  vm_row t = *a;
  *a = *b;
  *b = t;
}

/* Keys compare as the runtime reads them: byte for byte, by type. */
static inline int exec_same_key(val a, val b) {
  if (a.t != b.t) return 0;
  if (a.t == VT_STR) return a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0;
  if (a.t == VT_DATE) return a.u.d == b.u.d;
  if (a.t == VT_BOOL) return a.u.b == b.u.b;
  return a.u.n == b.u.n;
}

/* Are two rows' keys one entity?  As SQLite compares them, so that the scan
** makes the series the index seeks (WHERE k = ?) make: an INTEGER compares
** exactly (as int64) and equals a REAL of the same value; text never equals
** a blob (both read as strings). */
static inline int exec_same_row_key(const vm_row *a, const vm_row *b, int keycol) {
  if (a->kint && b->kint) return a->ikey == b->ikey;
  if (a->kint != b->kint) {
    const vm_row *i = a->kint ? a : b, *o = a->kint ? b : a;
    val v = o->v[keycol];
    double d = v.u.n;
    return v.t == VT_NUM && d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == floor(d) &&
           (int64_t)d == i->ikey;
  }
  if (a->kblob != b->kblob) return 0;
  return exec_same_key(a->v[keycol], b->v[keycol]);
}

/* 1 when row r passes source si's where (or it has none), 0 when not, -1 on
** error.  Its as_of is the row's own time; a row without one (skip) is
** judged as of the first evaluation date. */
static inline int exec_where_ok(exec_pack *pr, int si, vm_row *r, int skip) {
  const vm_source *s = pr->srcs[si].src;
  if (s->where < 0) return 1;
  vm_series one = {r, 1, 1, 0, 1, s->ncols, 0};
  val ok;
  if (vm_eval_value(&pr->wvm, s->where, &one, skip ? pr->dates[0] : r->time, &ok) != VM_OK) return -1;
  return ok.t == VT_BOOL && ok.u.b;
}

/* Is the row just read the source's?  1 when its where keeps it (its bad
** data is then counted: bad data in rows the where rejects is not the
** source's, docs/LANGUAGE.md §11.1, unless the where could not read it),
** 0 when not, -1 on error. */
static inline int exec_row_owned(exec_pack *pr, int si, vm_row *r, int skip) {
  int ok = pr->srcs[si].npend || !skip ? exec_where_ok(pr, si, r, skip) : 0;
  if (ok > 0) exec_row_bad(pr, si, r);
  else if (ok == 0 && pr->srcs[si].npend) exec_row_unjudged(pr, si, r);
  return ok;
}

#endif
