/*
** sweep.c — a backtest's source read once in the table's own order (scan.h).
**
** A snapshot table is written a date at a time, so its rows lie in the
** order of their days.  Reading them by rowid walks the table's b-tree
** once, front to back; the ordered scan (scan.c) walks the (key, time)
** index and fetches each row from the table by its rowid, a seek per row.
** The sweep keeps each key's window (its newest lookback + 1 rows) in
** memory and, when the scan passes an evaluation date, evaluates every key
** in key order on its window as of that date: what the ordered scan does,
** key after key, date after date, in the other order.
**
** The outputs must be the same byte for byte, so the sweep gives up (returns
** EXEC_SWEEP_GIVE_UP; the caller undoes what it did and reads the table in
** key order) whenever its order could show:
**   - a row out of day order (the table was not written date by date);
**   - any bad data counted (its example is the first bad row met, which
**     depends on the order; a duplicate (key, day) is bad data too);
**   - an evaluation error (it names the first key that failed);
**   - a key that is neither an INTEGER nor a TEXT (REAL and BLOB keys
**     order and compare by rules the sweep does not copy);
**   - the windows outgrowing EXEC_SWEEP_BYTES (memory stays bounded).
** It is not tried at all (exec_sweep_fits) when the program has lookups or
** an org chart (their bad data and misses are reported with the first
** example met), for a rollup's rows, a sharded run, PostgreSQL, a table
** without a rowid, or a window of unbounded length.
**
** A backtest at its snapshot dates (exec_opts.find_dates: one pack, its
** rules on this one source) is given every day of the range: the sweep
** evaluates the days of the rows it meets in the range (what
** exec_snapshot_dates finds in a pass of its own), checking that every
** row, the where's or not, comes in day order; when it gives up, or finds
** fewer than two, exec_sweep_dates finds them that way before the read in
** key order.
**
** While it reads, the main database's page cache is 256 KiB (each page is
** read once; SQLite's 2 MiB would hold pages never read again): the
** connection's own setting is put back after.
**
** Each key's window is a ring of fixed-size slots in one array: the day
** (4 bytes), then each column other than the key and the time as a type
** byte and 8 bytes (a number, a day, or a pointer to an owned copy of a
** text).  The key's text is stored once, in an arena.
*/
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "rows.h"
#include "alerts.h"
#include "life.h"
#include "db.h"
#include "rollup.h"
#include "../core/map.h"
#include "../core/pg.h"
#include "../stdlib/lib.h"

/* The memory the windows may take (bytes of the key table, its index and
** the slots) before the sweep gives up.  Keys x window fit well under the
** 32 MiB peak of issue 15: 80,000 keys of 2 rows of 3 numbers take 8 MiB. */
#ifndef EXEC_SWEEP_BYTES
#define EXEC_SWEEP_BYTES (12u * 1024u * 1024u)
#endif
size_t exec_sweep_bytes = EXEC_SWEEP_BYTES;
long exec_sweeps_done, exec_sweeps_given_up; /* (updated atomically) */
int exec_find_dates = 1;

typedef struct skey {
  int64_t ikey;       /* an INTEGER key */
  uint32_t off, len;  /* the key's text in the arena */
  uint16_t n, head;   /* rows in the ring, slot of the newest (a window under 65,535 rows) */
  uint8_t text;       /* a TEXT key (else INTEGER) */
  uint8_t vt;         /* the key column's value type as read (VT_NUM or VT_STR) */
} skey;

typedef struct sweep {
  exec_pack *pr;
  int si;
  const vm_source *s;
  uint32_t w;         /* slots per key: lookback + 1 */
  size_t rowsz;       /* bytes of one slot */
  skey *keys; uint32_t nkeys, capkeys;
  unsigned char *slots; /* capkeys * w * rowsz */
  vg_map index;       /* the keys by their hash (core/map.h) */
  uint32_t *order; uint32_t nsorted; /* key numbers in key order (the first nsorted sorted) */
  uint32_t last;      /* the key of the row before (a table written in the same key order at each date
                      ** has the next row's key next) */
  vg_buf arena;
  int has_text;       /* some slot may own a text */
} sweep;

/* (what is in use: the arrays' room not yet written is not resident) */
/* What each key takes: its entry, its place in two orders, its window. */
static size_t key_bytes(const sweep *sw) { return sizeof(skey) + 2 * sizeof(uint32_t) + sw->w * sw->rowsz; }

static size_t sweep_bytes(const sweep *sw) {
  return ((size_t)sw->nkeys + 1) * key_bytes(sw) + sw->index.cap * sizeof *sw->index.slot + sw->arena.len;
}

/* SQLite's order of two keys (ORDER BY key COLLATE BINARY): INTEGER before
** TEXT, integers by value, texts by their bytes. */
static int key_cmp(const sweep *sw, uint32_t a, uint32_t b) {
  const skey *x = &sw->keys[a], *y = &sw->keys[b];
  if (x->text != y->text) return x->text ? 1 : -1;
  if (!x->text) return x->ikey < y->ikey ? -1 : x->ikey > y->ikey;
  uint32_t n = x->len < y->len ? x->len : y->len;
  int c = n ? memcmp(sw->arena.data + x->off, sw->arena.data + y->off, n) : 0;
  if (c) return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

/* Put the keys added since the last date in key order among the others: the
** new ones sorted (a merge sort: qsort takes no context), then merged. */
static int sweep_sort(sweep *sw) {
  uint32_t n0 = sw->nsorted, n = sw->nkeys;
  if (n0 == n) return 0;
  uint32_t *v = sw->order, *t = vg_realloc(NULL, (size_t)n * sizeof *t);
  if (!t) return -1;
  for (uint32_t i = n0; i < n; i++) v[i] = i;
  /* bottom-up merge sort of v[n0..n) */
  for (uint32_t width = 1; width < n - n0; width *= 2) {
    for (uint32_t lo = n0; lo < n; lo += 2 * width) {
      uint32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      uint32_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) t[k++] = key_cmp(sw, v[j], v[i]) < 0 ? v[j++] : v[i++];
      while (i < mid) t[k++] = v[i++];
      while (j < hi) t[k++] = v[j++];
    }
    memcpy(v + n0, t + n0, (size_t)(n - n0) * sizeof *v);
  }
  /* merge v[0..n0) and v[n0..n) */
  uint32_t i = 0, j = n0, k = 0;
  while (i < n0 && j < n) t[k++] = key_cmp(sw, v[j], v[i]) < 0 ? v[j++] : v[i++];
  while (i < n0) t[k++] = v[i++];
  while (j < n) t[k++] = v[j++];
  memcpy(v, t, (size_t)n * sizeof *v);
  vg_free(t);
  sw->nsorted = n;
  return 0;
}

/* A key looked for: an INTEGER (text 0) or the bytes of a TEXT. */
typedef struct key_sought {
  const sweep *sw;
  int text;
  int64_t ikey;
  const char *kt;
  size_t kn;
} key_sought;

static int same_key(const void *ctx, uint32_t i) {
  const key_sought *k = ctx;
  const skey *x = &k->sw->keys[i];
  return x->text == k->text &&
         (!k->text ? x->ikey == k->ikey : x->len == k->kn && memcmp(k->sw->arena.data + x->off, k->kt, k->kn) == 0);
}

/* The key of row r (text: SQLite holds it as TEXT, read as a string; else
** an INTEGER), added when new.  Returns its number, -1 when out of memory,
** -2 when over the budget. */
static long find_key(sweep *sw, const vm_row *r, int text) {
  const val k = r->v[sw->s->key];
  key_sought ks = {sw, text, r->ikey, text ? k.u.s : NULL, text ? k.len : 0};
  if (sw->last + 1 < sw->nkeys && same_key(&ks, sw->last + 1)) return (long)++sw->last;
  uint32_t h = text ? vg_hash(ks.kt, ks.kn) : vg_hash(&r->ikey, sizeof r->ikey);
  long found = vg_map_find(&sw->index, h, same_key, &ks);
  if (found >= 0) return (long)(sw->last = (uint32_t)found);
  const char *kt = ks.kt;
  size_t kn = ks.kn;
  if (!text) { /* (its text is what the ordered scan shows: exec_key_text) */
    if (exec_key_text(r, sw->s->key, &sw->pr->keytext) != 0) return -1;
    kt = sw->pr->keytext.data;
    kn = sw->pr->keytext.len;
  }
  /* a new key */
  if (sw->nkeys == sw->capkeys) {
    /* within the budget before allocating: a key's window slots alone can
    ** be megabytes (lookback up to 65533 rows), and 1024 keys of them
    ** gigabytes */
    size_t per_key = key_bytes(sw);
    if (per_key > exec_sweep_bytes / ((size_t)sw->nkeys + 1)) return -2;
    uint32_t cap = sw->capkeys ? sw->capkeys * 2 : 1024;
    if (cap > exec_sweep_bytes / per_key) cap = (uint32_t)(exec_sweep_bytes / per_key); /* (> nkeys, by the test above) */
    skey *nk = vg_realloc(sw->keys, (size_t)cap * sizeof *nk);
    if (!nk) return -1;
    sw->keys = nk;
    unsigned char *ns = vg_realloc(sw->slots, (size_t)cap * sw->w * sw->rowsz);
    if (!ns) return -1;
    sw->slots = ns;
    uint32_t *no = vg_realloc(sw->order, (size_t)cap * sizeof *no);
    if (!no) return -1;
    sw->order = no;
    sw->capkeys = cap;
    if (sweep_bytes(sw) > exec_sweep_bytes) return -2;
  }
  size_t off = sw->arena.len;
  if (vg_buf_append(&sw->arena, kt, kn) != 0 || vg_buf_append(&sw->arena, "", 1) != 0) return -1;
  if (sweep_bytes(sw) > exec_sweep_bytes) return -2;
  skey *e = &sw->keys[sw->nkeys];
  memset(e, 0, sizeof *e);
  e->ikey = r->ikey;
  e->off = (uint32_t)off;
  e->len = (uint32_t)kn;
  e->text = (uint8_t)text;
  e->vt = k.t;
  if (vg_map_put(&sw->index, h, sw->nkeys) != 0) return -1;
  sw->last = sw->nkeys;
  return (long)sw->nkeys++;
}

static unsigned char *slot_of(const sweep *sw, uint32_t k, uint32_t i) {
  return sw->slots + ((size_t)k * sw->w + i) * sw->rowsz;
}

/* Free the texts a slot owns. */
static void slot_clear(const sweep *sw, unsigned char *p) {
  if (!sw->has_text) return;
  p += 4;
  for (int c = 0; c < sw->s->ncols; c++) {
    if (c == sw->s->key || c == sw->s->time) continue;
    if (*p == VT_STR) {
      char *t;
      memcpy(&t, p + 1, sizeof t);
      vg_free(t);
    }
    p += 9;
  }
}

/* Append row r to key k's window (the oldest row drops off a full ring). */
static int push_row(sweep *sw, uint32_t k, const vm_row *r) {
  skey *e = &sw->keys[k];
  uint32_t i = e->n == 0 ? 0 : (e->head + 1) % sw->w;
  unsigned char *p = slot_of(sw, k, i);
  if (e->n == sw->w) slot_clear(sw, p);
  memcpy(p, &r->time, 4);
  unsigned char *q = p + 4;
  for (int c = 0; c < sw->s->ncols; c++) {
    if (c == sw->s->key || c == sw->s->time) continue;
    val v = r->v[c];
    *q = v.t;
    if (v.t == VT_STR) {
      char *t = vg_realloc(NULL, (size_t)v.len + 5);
      if (!t) { *q = VT_NULL; return -1; }
      memcpy(t, &v.len, 4);
      if (v.len) memcpy(t + 4, v.u.s, v.len);
      t[4 + v.len] = 0;
      memcpy(q + 1, &t, sizeof t);
      sw->has_text = 1;
    } else if (v.t == VT_DATE) {
      memcpy(q + 1, &v.u.d, 4);
    } else if (v.t == VT_BOOL) {
      memcpy(q + 1, &v.u.b, sizeof v.u.b);
    } else {
      memcpy(q + 1, &v.u.n, 8);
    }
    q += 9;
  }
  e->head = (uint16_t)i;
  if (e->n < sw->w) e->n++;
  return 0;
}

/* Key k's window into ser (row 0 the newest), its text into pr->keytext. */
static int unpack(sweep *sw, uint32_t k, vm_series *ser) {
  const skey *e = &sw->keys[k];
  const vm_source *s = sw->s;
  const char *kt = sw->arena.data + e->off;
  for (uint32_t off = 0; off < e->n; off++) {
    const unsigned char *p = slot_of(sw, k, (e->head + sw->w - off) % sw->w);
    vm_row *r = &ser->rows[e->n - 1 - off];
    memcpy(&r->time, p, 4);
    r->rowid = 0;
    r->ikey = e->ikey;
    r->kint = !e->text;
    r->kblob = 0;
    const unsigned char *q = p + 4;
    for (int c = 0; c < s->ncols; c++) {
      val v = val_null();
      if (c == s->key) {
        if (e->vt == VT_STR) { v.t = VT_STR; v.len = e->len; v.u.s = kt; }
        else v = val_num((double)e->ikey);
      } else if (c == s->time) {
        v = val_date(r->time);
      } else {
        v.t = *q;
        if (v.t == VT_STR) {
          const char *t;
          memcpy(&t, q + 1, sizeof t);
          memcpy(&v.len, t, 4);
          v.u.s = t + 4;
        } else if (v.t == VT_DATE) {
          memcpy(&v.u.d, q + 1, 4);
        } else if (v.t == VT_BOOL) {
          memcpy(&v.u.b, q + 1, sizeof v.u.b);
        } else if (v.t != VT_NULL) {
          memcpy(&v.u.n, q + 1, 8);
        }
        q += 9;
      }
      r->v[c] = v;
    }
  }
  ser->n = e->n;
  ser->head = e->n - 1;
  sw->pr->keytext.len = 0;
  return vg_buf_append(&sw->pr->keytext, kt, e->len);
}

/* Evaluate every key (in key order) on its window at date. */
static int eval_all(sweep *sw, vm_series *ser, const int *rules, int nrules, int32_t date) {
  if (sweep_sort(sw) != 0) return -1;
  for (uint32_t i = 0; i < sw->nkeys; i++) {
    uint32_t k = sw->order[i];
    if (unpack(sw, k, ser) != 0) return -1;
    if (exec_eval_key(sw->pr, sw->si, ser, rules, nrules, date, 1) != 0) return -1;
  }
  return 0;
}

static void sweep_free(sweep *sw) {
  if (sw->has_text)
    for (uint32_t k = 0; k < sw->nkeys; k++)
      for (uint32_t i = 0; i < sw->keys[k].n; i++) slot_clear(sw, slot_of(sw, k, i));
  vg_free(sw->keys);
  vg_free(sw->slots);
  vg_map_free(&sw->index);
  vg_free(sw->order);
  vg_buf_free(&sw->arena);
}

/* 1 when any function of the program looks something up or reads the org
** chart (whose bad data and misses name the first example met). */
int exec_reads_elsewhere(const vm_program *p) {
  for (uint32_t fn = 0; fn < p->nfuncs; fn++) {
    const vm_func *fu = &p->funcs[fn];
    const uint8_t *code = p->code + fu->code_off;
    vm_insn in;
    for (uint32_t pc = 0; pc < fu->code_len; pc += in.len) {
      if (vm_decode(code, fu->code_len, pc, &in) != VM_DEC_OK) return 1;
      if (in.op == OP_LOOKUP || in.op == OP_MANAGER || in.op == OP_PNAME) return 1;
    }
  }
  return 0;
}

/* The connection's page cache for the main database (PRAGMA cache_size), or
** INT_MIN when it cannot be read. */
static int cache_size(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  int n = INT_MIN;
  if (sqlite3_prepare_v2(db, "PRAGMA main.cache_size", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void set_cache_size(sqlite3 *db, int n) {
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA main.cache_size = %d", n);
  sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* 1 when SQLite reads sql without a sort (the table in its own order). */
static int plan_unsorted(sqlite3 *db, const char *sql) {
  vg_buf q = {NULL, 0, 0};
  if (vg_buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql) != 0) return 0;
  sqlite3_stmt *st = NULL;
  int ok = sqlite3_prepare_v2(db, q.data, -1, &st, NULL) == SQLITE_OK;
  while (ok && sqlite3_step(st) == SQLITE_ROW) {
    const char *d = (const char *)sqlite3_column_text(st, 3);
    if (d && strstr(d, "TEMP B-TREE")) ok = 0;
  }
  sqlite3_finalize(st);
  vg_buf_free(&q);
  return ok;
}

int exec_sweep_finds_dates(const vm_program *p) {
  int src = -1;
  for (int r = 0; r < p->nrules; r++) {
    if (src >= 0 && p->rules[r].source != src) return 0;
    src = p->rules[r].source;
  }
  return src >= 0 && p->nrollups == 0 && !p->org_table && !exec_reads_elsewhere(p);
}

int exec_sweep_dates(exec_pack *pr) {
  if (pr->found && pr->dates == pr->found) return 0; /* (the sweep found them) */
  int32_t *v = NULL;
  int n = 0;
  const vm_program *p = pr->p;
  int rc = exec_snapshot_dates(pr->db, pr->o, &p, 1, pr->dates[0], pr->dates[pr->ndates - 1], &v, &n);
  if (rc != 0) {
    if (rc == -2) pr->failed = 1;
    return -1;
  }
  vg_free(pr->found);
  pr->found = v;
  pr->dates = v;
  pr->ndates = pr->nfound = n;
  return 0;
}

int exec_sweep_fits(exec_pack *pr, int si, uint32_t lookback) {
  return pr->ndates > 1 && lookback < 65534 && !pr->org && !pr->srcs[si].derived &&
         pr->o->nshards <= 1 && !pg_is(pr->db) && !exec_reads_elsewhere(pr->p);
}

int exec_sweep_source(exec_pack *pr, int si, vm_series *ser, const int *rules, int nrules, uint32_t lookback) {
  const vm_source *s = pr->srcs[si].src;
  sweep sw;
  memset(&sw, 0, sizeof sw);
  sw.pr = pr;
  sw.si = si;
  sw.s = s;
  sw.w = lookback + 1;
  sw.rowsz = 4 + 9 * (size_t)(s->ncols - (s->key == s->time ? 1 : 2));
  const char *rid;
  if (exec_rowid_expr(pr, si, &rid) != 0) return -1;
  if (!rid) return EXEC_SWEEP_GIVE_UP;
  vg_buf q = {NULL, 0, 0};
  int rc = exec_select_list(&q, s, rid);
  rc |= vg_buf_printf(&q, " ORDER BY %s", rid);
  if (rc) { vg_buf_free(&q); return -1; }
  vm_series one;
  if (exec_series_init(&one, s->ncols, 0) != 0) { exec_series_free(&one); vg_buf_free(&q); return -1; }
  sqlite3_stmt *st = NULL;
  /* each page is read once: a cache would keep pages never read again
  ** (256 KiB instead of SQLite's 2 MiB; the connection's own is put back) */
  int cache = cache_size(pr->db);
  if (cache != INT_MIN) set_cache_size(pr->db, -256);
  int result = 0;
  /* the table's own order, or nothing: a sort would cost more than the index */
  if (sqlite3_prepare_v2(pr->db, q.data, -1, &st, NULL) != SQLITE_OK || !plan_unsorted(pr->db, q.data)) result = EXEC_SWEEP_GIVE_UP;
  vg_buf_free(&q);
  if (result) goto done;
  /* find: the dates are every day of the range, and the days of the rows
  ** met (any row in the range: snapshot_dates' days) are the ones evaluated */
  int find = pr->o->find_dates && pr->dates != pr->found;
  int32_t first = pr->dates[0], last = pr->dates[pr->ndates - 1], top = INT32_MIN;
  int di = 0, capfound = 0;
  const int32_t *dates = find ? NULL : pr->dates;
  int ndates = find ? 0 : pr->ndates;
  if (find) pr->nfound = 0;
  long long bad0 = pr->bad_events;
  pr->sweeping = 1;
  pr->sweep_redo = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((++pr->rows_read & 0xFFFF) == 0 && pr->o->progress && exec_poll(pr)) { result = -1; goto done; }
    vm_row *r = &one.rows[0];
    int skip;
    int kt = sqlite3_column_type(st, s->key);
    if (exec_read_row(pr, si, st, r, s->ncols, &skip) != 0) { result = -1; goto done; }
    int own = exec_row_owned(pr, si, r, skip);
    if (own < 0) { result = -1; goto done; }
    if (pr->bad_events != bad0) { result = EXEC_SWEEP_GIVE_UP; goto done; }
    /* rows in day order: the rows kept, and with find every row in the range
    ** (the days of all of them are the dates) */
    if (!skip && r->time <= last && (own || find)) {
      if (r->time < top) { result = EXEC_SWEEP_GIVE_UP; goto done; } /* not written date by date */
      top = r->time;
      if (find && r->time >= first && (pr->nfound == 0 || pr->found[pr->nfound - 1] < r->time)) {
        if (pr->nfound == capfound) {
          int cap = capfound ? 2 * capfound : 64;
          int32_t *nf = vg_realloc(pr->found, (size_t)cap * sizeof *nf);
          if (!nf) { result = -1; goto done; }
          pr->found = nf;
          capfound = cap;
        }
        pr->found[pr->nfound++] = r->time;
        dates = pr->found;
        ndates = pr->nfound;
      }
    }
    if (skip || !own || r->time > last) continue;
    /* an INTEGER key (read as a number, or as its text in a text column),
    ** or a TEXT read as a string */
    int kv = r->v[s->key].t;
    if (kt == SQLITE_INTEGER ? kv != VT_NUM && kv != VT_STR : kt != SQLITE_TEXT || kv != VT_STR) { result = EXEC_SWEEP_GIVE_UP; goto done; }
    /* the dates before this row's day see every window as it is now */
    for (; di < ndates && dates[di] < r->time; di++)
      if (eval_all(&sw, ser, rules, nrules, dates[di]) != 0) { result = pr->sweep_redo ? EXEC_SWEEP_GIVE_UP : -1; goto done; }
    long k = find_key(&sw, r, kt == SQLITE_TEXT);
    if (k == -2) { result = EXEC_SWEEP_GIVE_UP; goto done; }
    if (k < 0) { result = -1; goto done; }
    const skey *e = &sw.keys[k];
    if (e->n) {
      int32_t newest;
      memcpy(&newest, slot_of(&sw, (uint32_t)k, e->head), 4);
      if (newest == r->time) { result = EXEC_SWEEP_GIVE_UP; goto done; } /* a duplicate: bad data */
    }
    if (push_row(&sw, (uint32_t)k, r) != 0) { result = -1; goto done; }
  }
  if (rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: reading table %s failed: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
    goto done;
  }
  for (; di < ndates; di++)
    if (eval_all(&sw, ser, rules, nrules, dates[di]) != 0) { result = pr->sweep_redo ? EXEC_SWEEP_GIVE_UP : -1; goto done; }
  if (pr->bad_events != bad0) result = EXEC_SWEEP_GIVE_UP;
  /* (one date or none is a run's evaluation, or nothing: as vg_backtest does it) */
  else if (find && pr->nfound < 2) result = EXEC_SWEEP_GIVE_UP;
  else if (find) {
    pr->dates = pr->found;
    pr->ndates = pr->nfound;
  }
done:
  __atomic_fetch_add(result == 0 ? &exec_sweeps_done : &exec_sweeps_given_up, result == 0 || result == EXEC_SWEEP_GIVE_UP, __ATOMIC_RELAXED);
  pr->sweeping = 0;
  sqlite3_finalize(st);
  if (cache != INT_MIN) set_cache_size(pr->db, cache);
  exec_series_free(&one);
  sweep_free(&sw);
  return result;
}

/* ---- the snapshot dates of a backtest ----------------------------------------------- */

/* (scan.h) The days are marked in a bitmap of the range as the time column is read (a
** SELECT DISTINCT would sort a million texts into a temporary b-tree to
** find a few dozen; its days are what counts, not its texts). */
int exec_snapshot_dates(sqlite3 *db, const exec_opts *o, const vm_program *const *programs, int n, int32_t from, int32_t to,
                        int32_t **out, int *nout) {
  size_t span = (size_t)((int64_t)to - from + 1);
  unsigned char *seen = vg_realloc(NULL, span / 8 + 1);
  if (!seen) return -1;
  memset(seen, 0, span / 8 + 1);
  for (int i = 0; i < n; i++) {
    const vm_program *p = programs[i];
    for (int si = 0; si < p->nsources; si++) {
      int has_rule = 0;
      for (int r = 0; r < p->nrules; r++) has_rule |= p->rules[r].source == si;
      if (!has_rule) continue;
      const vm_source *s = &p->sources[si];
      int ro = exec_rollup_of(p, si);
      if (ro >= 0) s = &p->sources[p->rollups[ro].member]; /* a rollup has rows when its members do */
      vg_buf q = {NULL, 0, 0};
      int rc = vg_buf_append(&q, "SELECT ", 7);
      rc |= exec_quote_ident(&q, s->cols[s->time].name);
      rc |= vg_buf_append(&q, " FROM ", 6);
      rc |= exec_quote_ident(&q, s->table);
      sqlite3_stmt *st = NULL;
      if (rc || sqlite3_prepare_v2(db, q.data, -1, &st, NULL) != SQLITE_OK) {
        if (!rc) exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: %s", s->name, vg_db_errmsg(db));
        vg_buf_free(&q);
        vg_free(seen);
        return rc ? -1 : -2;
      }
      vg_buf_free(&q);
      while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_TEXT) continue;
        const unsigned char *t = sqlite3_column_text(st, 0);
        int32_t day;
        if (!t || !lib_parse_date((const char *)t, (size_t)sqlite3_column_bytes(st, 0), &day)) continue;
        if (day < from || day > to) continue;
        size_t b = (size_t)(day - from);
        seen[b / 8] |= (unsigned char)(1u << (b % 8));
      }
      sqlite3_finalize(st);
    }
  }
  int m = 0;
  for (size_t b = 0; b < span; b++) m += seen[b / 8] >> (b % 8) & 1;
  int32_t *v = vg_realloc(NULL, (size_t)(m ? m : 1) * sizeof *v);
  if (!v) { vg_free(seen); return -1; }
  m = 0;
  for (size_t b = 0; b < span; b++)
    if (seen[b / 8] >> (b % 8) & 1) v[m++] = from + (int32_t)b;
  vg_free(seen);
  *out = v;
  *nout = m;
  return 0;
}
