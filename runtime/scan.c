/*
** scan.c — evaluating the rules of one source (scan.h).
**
** Per source that has rules: one query reading only the columns the program
** uses, ordered by key, time and rowid, stepped once.  The rows of the
** current key go into a vm_series (a ring of lookback + 2 slots, or a
** growing array when some rule looks back without a row bound); when the key
** changes, every rule on that source is evaluated on it.  Slots are reused,
** so the steady state allocates nothing per row.
**
** A nightly run whose rules look back a bounded number of rows reads, when
** the table has a (key, time) index and keys have many rows, only the last
** rows of each key by index seeks.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "rows.h"
#include "alerts.h"
#include "life.h"
#include "org.h"
#include "evidence.h"
#include "rollup.h"
#include "prefilter.h"
#include "db.h"
#include "../core/pg.h"
#include "../core/shard.h"
#include "../core/limits.h"
#include "../stdlib/lib.h"

/* ---- one key ---------------------------------------------------------------------- */

/* Report that rule failed on the current key; out of memory is not an
** error of the input (exec_pack_eval returns -1 without pr->failed). */
static void eval_error(exec_pack *pr, int rule, vm_status st) {
  if (st == VM_ERR_NOMEM || (st == VM_ERR_LOOKUP && pr->lookup_nomem) || pr->stopped) return;
  if (pr->sweeping) { pr->sweep_redo = 1; return; } /* (the ordered scan will report the first) */
  const vm_program *p = pr->p;
  const vm_lineinfo *li = pr->vm.err_fn >= 0 ? vm_line_at(p, pr->vm.err_fn, pr->vm.err_pc) : NULL;
  const vm_rule *r = &p->rules[rule];
  const char *what = st == VM_ERR_BUDGET ? "the evaluation took too many steps (the step budget ran out)"
                   : st == VM_ERR_DEPTH ? "window functions are nested too deeply"
                   : st == VM_ERR_LOOKUP ? "a lookup failed"
                   : "internal error: an invalid instruction";
  char key[96] = "?";
  if (pr->cur_key) lib_show_text(pr->cur_key, pr->cur_key_len, key, sizeof key);
  exec_diag(pr->o, VG_ERROR, st == VM_ERR_BUDGET || st == VM_ERR_DEPTH || st == VM_ERR_LOOKUP ? DIAG_E_EVAL : DIAG_E_INTERNAL,
            li ? p->files[li->file] : p->files[r->file], li ? (int)li->line : (int)r->line, li ? (int)li->col : (int)r->col,
       "rule %s, key %s: %s", r->name, key, what);
  pr->failed = 1;
}

/* Where the evidence of a key's alerts finds its window when the series the
** rules ran on is shorter than EXEC_EVID_ROWS (index seeks read only what
** the rules look back): the key's rows read again, once, for the keys that
** alert.  NULL: the series itself. */
typedef struct evid_reader evid_reader;
static const vm_series *evid_rows(exec_pack *pr, evid_reader *er);
/* The key's whole window, read when an evaluation of a probe (a series of
** its newest row: vm_series.least) needs more.  NULL on error. */
static const vm_series *window_rows(exec_pack *pr, evid_reader *er);
static int evid_reread(const evid_reader *er);

/* Evaluate the rules of source si on the series of one key at date;
** key_known: pr->keytext already holds its key (the key's earlier date). */
static int eval_key(exec_pack *pr, int si, const vm_series *s, const int *rules, int nrules, int32_t date, evid_reader *er,
                    int key_known) {
  const vm_row *r0 = vm_series_row(s, 0);
  if (pr->stopped) return -1; /* (a stop a where or an evidence value met) */
  /* between keys is the only moment alerts in memory can be set aside */
  if (exec_alerts_room(pr) != 0) return -1;
  pr->as_of = date;
  pr->vm.as_of = date;
  pr->keys_done++;
  if (!key_known && exec_key_text(r0, pr->srcs[si].src->key, &pr->keytext) != 0) return -1;
  const char *kbuf = pr->keytext.data;
  size_t klen = pr->keytext.len;
  pr->cur_key = NULL;
  size_t before = pr->alerts.n;
  const vm_series *es = NULL; /* the evidence's window, once needed */
  for (int i = 0; i < nrules; i++) {
    pr->cur_key = kbuf;
    pr->cur_key_len = klen;
    size_t mine = pr->alerts.n;
    long seq = pr->seq_next;
    uint64_t tw = pr->vm.type_warnings;
    vm_status st = vm_eval_rule(&pr->vm, rules[i], s);
    if (st == VM_NEED_ROWS) { /* a probe: what it did is undone, and the rule runs on the whole window */
      pr->alerts.n = mine;
      pr->seq_next = seq;
      pr->vm.type_warnings = tw;
      if (!(s = window_rows(pr, er))) return -1;
      st = vm_eval_rule(&pr->vm, rules[i], s);
    }
    if (st != VM_OK) {
      eval_error(pr, rules[i], st);
      return -1;
    }
    tw = pr->vm.type_warnings;
    int lr = exec_life_step(pr, rules[i], kbuf, klen, mine, date, s);
    if (lr == VM_NEED_ROWS) { /* (its clear condition: nothing changed before it ran) */
      pr->vm.type_warnings = tw;
      if (!(s = window_rows(pr, er))) return -1;
      lr = exec_life_step(pr, rules[i], kbuf, klen, mine, date, s);
    }
    if (lr > 0) eval_error(pr, rules[i], (vm_status)lr);
    if (lr != 0) return -1;
    for (size_t k = mine; k < pr->alerts.n; k++) {
      exec_alert *a = &pr->alerts.v[k];
      if (a->status == LIFE_RESOLVED) continue; /* routed by life.c */
      if (pr->org && a->recipient) {
        a->route = exec_org_route(pr, rules[i], a->recipient, a->recipient_len, pr->p->routes[a->tier] + a->up);
        if (!a->route) return -1;
      }
      if (!pr->want_evidence) continue;
      if (!es && !(es = evid_reread(er) ? evid_rows(pr, er) : s->least ? window_rows(pr, er) : s)) return -1;
      if (!(a->evidence = exec_evidence(pr, rules[i], a->fired, es, date))) return -1;
    }
  }
  if (pr->alerts.n > before) {
    const char *k = vg_arena_strndup(&pr->alert_arena, kbuf, klen);
    if (!k) return -1;
    for (size_t i = before; i < pr->alerts.n; i++) {
      pr->alerts.v[i].key = k;
      pr->alerts.v[i].key_len = klen;
    }
  }
  return 0;
}

int exec_eval_key(exec_pack *pr, int si, const vm_series *s, const int *rules, int nrules, int32_t date, int key_known) {
  return eval_key(pr, si, s, rules, nrules, date, NULL, key_known);
}

/* Evaluate the key's window at each evaluation date from *di on that is
** before `before` and not before the window's newest row.  *known: the
** key has been evaluated (its text is in pr->keytext); 0 for a new key. */
static int eval_dates(exec_pack *pr, int si, const vm_series *ser, const int *rules, int nrules, int *di, int *known,
                      int32_t before) {
  const vm_row *newest = vm_series_row(ser, 0);
  for (; *di < pr->ndates && pr->dates[*di] < before; (*di)++) {
    if (!newest || pr->dates[*di] < newest->time) continue;
    if (eval_key(pr, si, ser, rules, nrules, pr->dates[*di], NULL, *known) != 0) return -1;
    *known = 1;
  }
  return 0;
}


/* ---- reading a source: the full ordered scan ---------------------------------------- */

/* Append s as a SQL string literal ('it''s'). */
static int quote_text(vg_buf *b, const char *s) {
  int rc = vg_buf_append(b, "'", 1);
  for (; *s && rc == 0; s++) rc = *s == '\'' ? vg_buf_append(b, "''", 2) : vg_buf_append(b, s, 1);
  return rc | vg_buf_append(b, "'", 1);
}

/* One query over the whole table ordered by key, time and rowid: every rule
** of the source is evaluated on each key's window when the key changes.
**
** The order is that of the time text, which is the order of the days unless
** a zone in the text moves a row's day (2025-06-24T00:30+05:00 is June 23).
** A key whose rows come out of day order makes the scan stop and return 2;
** the caller undoes what it did and calls again with by_day set, which
** orders the rows by the day itself (a sort: the index cannot give that
** order).
**
** need > 0 (PostgreSQL, a nightly run whose rules look back need - 1 rows):
** PostgreSQL sends only the newest rows of each key, up to the day of the
** run (vigil_window, core/pg.c: a seek per key on its side, as the seek
** path does on SQLite), a few more than need; a key whose window those
** rows do not fill (a where, duplicates or bad data used them up) makes the
** scan stop and return 3, and the caller reads the table whole again.
** Returns 0, 2, 3, or -1 on error. */
static int scan_source(exec_pack *pr, int si, vm_series *ser, const int *rules, int nrules, int by_day, uint32_t need) {
  const vm_source *s = pr->srcs[si].src;
  int result = 0;
  sqlite3_stmt *st = NULL;
  vg_buf q = {NULL, 0, 0};
  int has_rowid;
  /* a WHERE that drops rows no tier can fire on (prefilter.c) */
  vg_buf where = {NULL, 0, 0};
  val *binds = NULL;
  int nbinds = 0;
  int pre = by_day || need ? 0 : exec_prefilter(pr, si, rules, nrules, &where, &binds, &nbinds);
  if (pre < 0) return -1;
  uint32_t wlimit = need ? need + 2 : 0; /* the rows per key PostgreSQL sends (2 spare: a duplicate, a bad row) */
  int sharded = pr->o->nshards > 1;
  int day_rc = by_day || pre ? exec_sql_day_register(pr->db) : SQLITE_OK;
  if (day_rc == SQLITE_NOMEM) { vg_free(binds); vg_buf_free(&where); return -1; }
  if (day_rc != SQLITE_OK ||
      (sharded && sqlite3_create_function_v2(pr->db, "vigil_in_shard", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                             NULL, db_sql_in_shard, NULL, NULL, NULL) != SQLITE_OK) ||
      (need && sqlite3_create_function_v2(pr->db, "vigil_window", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                          NULL, pg_sql_window, NULL, NULL, NULL) != SQLITE_OK)) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: %s", s->name, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    vg_free(binds);
    vg_buf_free(&where);
    return -1;
  }
  const char *rid;
  if (exec_rowid_expr(pr, si, &rid) != 0) { vg_buf_free(&where); vg_free(binds); return -1; }
  for (has_rowid = rid != NULL; has_rowid >= 0; has_rowid--) {
    q.len = 0;
    int rc = exec_select_list(&q, s, has_rowid ? rid : NULL);
    if (pre) rc |= vg_buf_printf(&q, " WHERE (%s)", where.data);
    if (sharded) { /* only this shard's keys (PostgreSQL computes it on its side: core/pg.c) */
      rc |= vg_buf_append(&q, pre ? " AND vigil_in_shard(" : " WHERE vigil_in_shard(", pre ? 20 : 22);
      rc |= exec_quote_ident(&q, s->cols[s->key].name);
      rc |= vg_buf_printf(&q, ", '%d/%d')", pr->o->shard + 1, pr->o->nshards);
    }
    if (need) { /* each key's newest rows up to the run's day (core/pg.c) */
      vg_buf spec = {NULL, 0, 0};
      char day[16];
      lib_format_date(pr->dates[0], day);
      rc |= vg_buf_printf(&spec, "%u/%s/%s", wlimit, day, s->cols[s->time].name);
      rc |= vg_buf_append(&q, pre || sharded ? " AND vigil_window(" : " WHERE vigil_window(", pre || sharded ? 18 : 20);
      rc |= exec_quote_ident(&q, s->cols[s->key].name);
      rc |= vg_buf_append(&q, ", ", 2);
      rc |= quote_text(&q, spec.data ? spec.data : "");
      rc |= vg_buf_append(&q, ")", 1);
      vg_buf_free(&spec);
    }
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
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: cannot read table %s: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  int rc;
  int32_t last = pr->dates[pr->ndates - 1];
  int di = 0;    /* the next evaluation date of the current key */
  int known = 0; /* its text is in pr->keytext (eval_dates) */
  uint32_t key_rows = 0; /* rows PostgreSQL sent for the current key (need > 0) */
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (!pr->srcs[si].derived && (++pr->rows_read & 0xFFFF) == 0 && pr->o->progress && exec_poll(pr)) { result = -1; goto done; }
    vm_row *r = exec_series_staging(ser);
    if (!r) { result = -1; goto done; }
    int skip;
    if (exec_read_row(pr, si, st, r, has_rowid ? s->ncols : -1, &skip) != 0) { result = -1; goto done; }
    key_rows++;
    int own = exec_row_owned(pr, si, r, skip); /* (its bad data counts once its where keeps it) */
    if (own < 0) { result = -1; goto done; }
    if (skip || r->time > last) continue;
    const vm_row *newest = vm_series_row(ser, 0);
    if (newest && !exec_same_row_key(newest, r, s->key)) {
      /* a window cut short: the key's older rows are needed after all */
      if (need && key_rows - 1 >= wlimit && ser->n < need) { result = 3; goto done; }
      key_rows = 1;
      if (eval_dates(pr, si, ser, rules, nrules, &di, &known, INT32_MAX) != 0) { result = -1; goto done; }
      /* the staged row must survive the reset: move it to slot 0 */
      if (r != &ser->rows[0]) exec_swap_rows(r, &ser->rows[0]);
      r = &ser->rows[0];
      ser->n = 0;
      ser->head = 0;
      newest = NULL;
      di = 0;
      known = 0;
    }
    if (!own) continue;
    /* the dates before this row see the window as it is now */
    if (newest && eval_dates(pr, si, ser, rules, nrules, &di, &known, r->time) != 0) { result = -1; goto done; }
    if (newest && newest->time == r->time) {
      exec_count_bad(pr, si, s->time, BAD_DUP, r);
      if (r->rowid > newest->rowid) exec_swap_rows(r, &ser->rows[ser->head]);
      continue;
    }
    if (newest && newest->time > r->time) {
      if (!by_day) { result = 2; goto done; }
      exec_diag(pr->o, VG_ERROR, DIAG_E_INTERNAL, NULL, 0, 0, "source %s: internal error: rows out of day order in a scan by day", s->name);
      pr->failed = 1;
      result = -1;
      goto done;
    }
    exec_series_push(ser);
  }
  if (rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: reading table %s failed: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
    goto done;
  }
  if (need && key_rows >= wlimit && ser->n < need) { result = 3; goto done; }
  if (ser->n > 0 && eval_dates(pr, si, ser, rules, nrules, &di, &known, INT32_MAX) != 0) result = -1;
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

/* 1 when SQLite runs sql in an index's order, with no sort, 0 otherwise. */
static int plan_ordered(sqlite3 *db, const char *sql) {
  vg_buf q = {NULL, 0, 0};
  if (vg_buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql) != 0) return 0;
  sqlite3_stmt *st = NULL;
  int index = 0, bad = 0;
  if (sqlite3_prepare_v2(db, q.data, -1, &st, NULL) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *d = (const char *)sqlite3_column_text(st, 3);
      if (!d) continue;
      if (strstr(d, "INDEX")) index = 1;
      else bad = 1;
      if (strstr(d, "TEMP B-TREE")) bad = 1;
    }
  }
  sqlite3_finalize(st);
  vg_buf_free(&q);
  return index && !bad;
}

/* 1 when SQLite runs sql (exec_select_list_feed's) as a loop over
** vigil_feed seeking each row by its rowid, 0 otherwise. */
static int plan_by_rowid(sqlite3 *db, const char *sql) {
  vg_buf q = {NULL, 0, 0};
  if (vg_buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql) != 0) return 0;
  sqlite3_stmt *st = NULL;
  int n = 0, feed = 0, seek = 0;
  if (sqlite3_prepare_v2(db, q.data, -1, &st, NULL) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *d = (const char *)sqlite3_column_text(st, 3);
      if (!d) continue;
      n++;
      if (n == 1 && strstr(d, "SCAN f VIRTUAL TABLE")) feed = 1;
      if (n == 2 && strstr(d, "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)")) seek = 1;
    }
  }
  sqlite3_finalize(st);
  vg_buf_free(&q);
  return n == 2 && feed && seek;
}

typedef struct seek_plan {
  sqlite3_stmt *keys;   /* the distinct keys, by index seeks */
  sqlite3_stmt *rows;   /* one key's rows, newest first */
  sqlite3_stmt *nulls;  /* rows with a NULL key */
  int has_rowid;
  /* the walk down the keys, one statement for all: every key's rows newest
  ** first, from the greatest key (desc0) or below ?1 (desc: past a key
  ** whose window is complete); NULL when the index cannot give that order */
  sqlite3_stmt *desc0, *desc;
  /* the same two reading the key, the time and the rowid alone, from the
  ** index (exec_select_list_keytime), for the probe; NULL when there is none */
  sqlite3_stmt *ldesc0, *ldesc;
  /* rows by rowid (exec_select_list_feed, ?1 bound to &slot), one a step,
  ** never reset during a walk: the rows of ldesc0 and ldesc read whole
  ** (read_next_as), and the row after a probed key's newest (walk_on);
  ** NULL when ldesc is */
  sqlite3_stmt *feed;
  exec_feed slot;
} seek_plan;

static void seek_plan_free(seek_plan *sp) {
  sqlite3_finalize(sp->keys);
  sqlite3_finalize(sp->rows);
  sqlite3_finalize(sp->nulls);
  sqlite3_finalize(sp->desc0);
  sqlite3_finalize(sp->desc);
  sqlite3_finalize(sp->ldesc0);
  sqlite3_finalize(sp->ldesc);
  sqlite3_finalize(sp->feed);
  memset(sp, 0, sizeof *sp);
}

/* Prepare the seek statements when the table's indexes make them searches.
** Returns 1 (ready), 0 (no index for it: scan instead) or -1 (no memory). */
static int seek_prepare(exec_pack *pr, int si, seek_plan *sp) {
  const vm_source *s = pr->srcs[si].src;
  memset(sp, 0, sizeof *sp);
  /* the probe (walk_keys): no where (it reads a row's columns to judge it),
  ** no lookup (an evaluation that stops for more rows would read twice);
  ** vigil_feed registered before any statement is prepared */
  int probe = s->where < 0 && !exec_reads_elsewhere(pr->p) && exec_sql_feed_register(pr->db) == SQLITE_OK;
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
  /* the rows with a NULL key: counted, or read when a where decides whose they are */
  q.len = 0;
  if ((s->where >= 0 ? exec_select_list(&q, s, NULL) | vg_buf_printf(&q, " WHERE %s IS NULL", k.data)
                     : vg_buf_printf(&q, "SELECT count(*) FROM %s WHERE %s IS NULL", tab.data, k.data)) != 0) {
    ready = -1;
    goto done;
  }
  if (sqlite3_prepare_v2(pr->db, q.data, -1, &sp->nulls, NULL) != SQLITE_OK) { ready = 0; goto done; }
  /* BINARY, as the runtime compares keys (scan_source): a key index of
  ** another collation gives no such walk */
  for (int i = 0; i < 4; i++) {
    int keytime = i >= 2, below = i % 2;
    if (keytime && (!probe || !sp->desc || !sp->has_rowid)) break;
    q.len = 0;
    rc = keytime ? exec_select_list_keytime(&q, s, rid) : exec_select_list(&q, s, sp->has_rowid ? rid : NULL);
    rc |= vg_buf_printf(&q, " WHERE %s %s ORDER BY %s COLLATE BINARY DESC, %s DESC", k.data,
                        below ? "COLLATE BINARY < ?1" : "IS NOT NULL", k.data, t.data);
    if (sp->has_rowid) rc |= vg_buf_printf(&q, ", %s DESC", rid);
    if (rc) { ready = -1; goto done; }
    sqlite3_stmt **d = keytime ? (below ? &sp->ldesc : &sp->ldesc0) : below ? &sp->desc : &sp->desc0;
    if (sqlite3_prepare_v2(pr->db, q.data, -1, d, NULL) != SQLITE_OK || !plan_ordered(pr->db, q.data)) {
      sqlite3_stmt **first = keytime ? &sp->ldesc0 : &sp->desc0, **second = keytime ? &sp->ldesc : &sp->desc;
      sqlite3_finalize(*first);
      sqlite3_finalize(*second);
      *first = *second = NULL;
      break;
    }
  }
  if (sp->ldesc) { /* (the probe reads whole rows by their rowids only) */
    q.len = 0;
    if (exec_select_list_feed(&q, s, rid) != 0) { ready = -1; goto done; }
    if (sqlite3_prepare_v2(pr->db, q.data, -1, &sp->feed, NULL) != SQLITE_OK || !plan_by_rowid(pr->db, q.data) ||
        sqlite3_bind_pointer(sp->feed, 1, &sp->slot, "vigil_feed", NULL) != SQLITE_OK) {
      sqlite3_finalize(sp->feed);
      sqlite3_finalize(sp->ldesc0);
      sqlite3_finalize(sp->ldesc);
      sp->feed = sp->ldesc0 = sp->ldesc = NULL;
    }
  }
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

/* Is r, the row just read (its time text the source's last: tlen), and
** every row after it in text order, older than `oldest`?  Two days or more
** older (a zone moves a day by one at most), or older and a plain date
** (YYYY-MM-DD: a text after it in that order is of its day or before). */
static int past_row(const exec_pack *pr, int si, const vm_row *r, const vm_row *oldest) {
  return r->time < oldest->time - 1 || (r->time < oldest->time && pr->srcs[si].tlen == 10);
}

/* Place the row just read into tmp->rows[*n] among the kept rows of its key
** (tmp->rows[0..*n), newest first, need at most).  Returns 1 when it is
** past the window (the window is complete: the key's older rows are not
** needed), 0 otherwise, -1 on error. */
static int place_row(exec_pack *pr, int si, vm_series *tmp, uint32_t *n, uint32_t need, int skip) {
  const vm_source *s = pr->srcs[si].src;
  vm_row *r = &tmp->rows[*n];
  int own = exec_row_owned(pr, si, r, skip); /* (its bad data counts once its where keeps it) */
  if (own < 0) return -1;
  if (skip || r->time > pr->dates[0]) return 0;
  /* past the window */
  if (*n >= need && past_row(pr, si, r, &tmp->rows[need - 1])) return 1;
  if (!own) return 0;
  /* rows come newest first by their time text: put this one in its place */
  uint32_t j = *n;
  while (j > 0 && tmp->rows[j - 1].time < tmp->rows[j].time) {
    exec_swap_rows(&tmp->rows[j - 1], &tmp->rows[j]);
    j--;
  }
  uint32_t dup = j > 0 && tmp->rows[j - 1].time == tmp->rows[j].time ? j - 1
               : j + 1 <= *n && tmp->rows[j + 1].time == tmp->rows[j].time ? j + 1 : UINT32_MAX;
  if (dup != UINT32_MAX) {
    exec_count_bad(pr, si, s->time, BAD_DUP, &tmp->rows[j]);
    uint32_t lose = tmp->rows[dup].rowid > tmp->rows[j].rowid ? j : dup;
    for (uint32_t k2 = lose; k2 < *n; k2++) exec_swap_rows(&tmp->rows[k2], &tmp->rows[k2 + 1]);
    return 0;
  }
  (*n)++;
  return 0;
}

static void read_failed(exec_pack *pr, const vm_source *s) {
  exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: reading table %s failed: %s", s->name, s->table, sqlite3_errmsg(pr->db));
  pr->failed = 1;
}

/* Step sp->feed to the row of rowid (the walk's read transaction holds
** it).  0, or -1 with a diagnostic. */
static int feed_row(exec_pack *pr, int si, seek_plan *sp, int64_t rowid) {
  sp->slot.rowid = rowid;
  sp->slot.ready = 1;
  if (sqlite3_step(sp->feed) == SQLITE_ROW) return 0;
  sqlite3_reset(sp->feed);
  read_failed(pr, pr->srcs[si].src);
  return -1;
}

/* Read the next row of st into tmp->rows[n] (growing tmp); whole, or its
** key and time alone (exec_read_key_time).  0, or -1. */
static int read_next_as(exec_pack *pr, int si, seek_plan *sp, sqlite3_stmt *st, vm_series *tmp, uint32_t n, int *skip,
                        int whole) {
  const vm_source *s = pr->srcs[si].src;
  if (!pr->srcs[si].derived) pr->rows_read++;
  if (n + 1 >= tmp->cap) { /* grow: the rows array is linear here */
    tmp->n = n;
    tmp->head = n ? n - 1 : 0;
    if (!exec_series_staging(tmp)) return -1;
  }
  vm_row *r = &tmp->rows[n];
  int rowid_col = sp->has_rowid ? s->ncols : -1;
  if (whole && (st == sp->ldesc0 || st == sp->ldesc)) { /* (the index alone: the row fetched by its rowid) */
    if (feed_row(pr, si, sp, sqlite3_column_int64(st, rowid_col)) != 0) return -1;
    st = sp->feed;
  }
  return whole ? exec_read_row(pr, si, st, r, rowid_col, skip) : exec_read_key_time(pr, si, st, r, rowid_col, skip);
}

static int read_next(exec_pack *pr, int si, seek_plan *sp, sqlite3_stmt *st, vm_series *tmp, uint32_t n, int *skip) {
  return read_next_as(pr, si, sp, st, tmp, n, skip, 1);
}

/* The bytes of source si's bad-data counts (bad, then lbad): what a
** reading that must not count is bracketed by (bad_keep, bad_put_back). */
static size_t bad_bytes(const exec_pack *pr, int si) {
  const vm_source *s = pr->srcs[si].src;
  return (size_t)(s->ncols ? s->ncols : 1) * BAD__COUNT * sizeof(bad_count);
}
static void bad_keep(const exec_pack *pr, int si, bad_count *buf) {
  size_t n = bad_bytes(pr, si);
  memcpy(buf, pr->srcs[si].bad, n);
  memcpy((char *)buf + n, pr->srcs[si].lbad, n);
}
static void bad_put_back(exec_pack *pr, int si, const bad_count *buf) {
  size_t n = bad_bytes(pr, si);
  memcpy(pr->srcs[si].bad, buf, n);
  memcpy(pr->srcs[si].lbad, (const char *)buf + n, n);
}

/* A key as SQLite holds it (its type and value, as sqlite3_value_dup
** would keep it), to bind it again: a walk keeps one for each key, and
** sqlite3_value_dup allocates. */
typedef struct bound_key {
  int type; /* SQLITE_INTEGER, _FLOAT, _TEXT or _BLOB; SQLITE_NULL: none */
  int64_t i;
  double d;
  vg_buf bytes; /* text or blob */
} bound_key;

/* k becomes the key v.  0, or -1 (memory). */
static int key_keep(bound_key *k, sqlite3_value *v) {
  k->type = sqlite3_value_type(v); /* (first: reading a blob as text would change it) */
  if (k->type == SQLITE_INTEGER) k->i = sqlite3_value_int64(v);
  else if (k->type == SQLITE_FLOAT) k->d = sqlite3_value_double(v);
  else if (k->type == SQLITE_TEXT || k->type == SQLITE_BLOB) {
    const void *p = k->type == SQLITE_TEXT ? (const void *)sqlite3_value_text(v) : sqlite3_value_blob(v);
    k->bytes.len = 0;
    if (vg_buf_append(&k->bytes, p, (size_t)sqlite3_value_bytes(v)) != 0) return -1;
  }
  return 0;
}

/* Bind key k to st's ?1; k must stay as it is while st runs. */
static void key_bind(sqlite3_stmt *st, const bound_key *k) {
  switch (k->type) {
  case SQLITE_INTEGER: sqlite3_bind_int64(st, 1, k->i); break;
  case SQLITE_FLOAT: sqlite3_bind_double(st, 1, k->d); break;
  case SQLITE_TEXT: sqlite3_bind_text64(st, 1, k->bytes.data, k->bytes.len, SQLITE_STATIC, SQLITE_UTF8); break;
  case SQLITE_BLOB: sqlite3_bind_blob64(st, 1, k->bytes.data, k->bytes.len, SQLITE_STATIC); break;
  default: sqlite3_bind_null(st, 1); break;
  }
}

/* Read the newest rows of key (sp->rows bound to it) into tmp, newest
** first, until the window is full; the bad data of the first `counted`
** rows is not counted (it was).  Returns the rows kept, or -1. */
static long seek_key(exec_pack *pr, int si, seek_plan *sp, const bound_key *key, vm_series *tmp, uint32_t need,
                     uint32_t counted) {
  sqlite3_stmt *st = sp->rows;
  uint32_t n = 0, read = 0;
  int rc, skip, placed = 0;
  sqlite3_reset(st);
  key_bind(st, key);
  tmp->n = 0;
  while (placed == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (read_next(pr, si, sp, st, tmp, n, &skip) != 0) return -1;
    if (read++ < counted) exec_row_forget(pr, si);
    if ((placed = place_row(pr, si, tmp, &n, need, skip)) < 0) return -1;
  }
  sqlite3_reset(st);
  if (placed == 0 && rc != SQLITE_DONE) {
    read_failed(pr, pr->srcs[si].src);
    return -1;
  }
  return n < need ? n : need;
}

/* The rows of the key being evaluated read again, for the seek path: the
** evidence's window, and a probe's whole window. */
struct evid_reader {
  int si;
  seek_plan *sp;
  const bound_key *key; /* the key, as SQLite holds it */
  int evid;         /* the evidence reads its window again (the rules' is shorter) */
  vm_series tmp;    /* rows as read, newest first */
  vm_series ev;     /* the window, oldest first as in any series */
  bad_count *saved; /* the source's bad-data counts, kept while reading again */
  /* a probe's window: need rows, of which the walk read `counted` rows
  ** (and their bad data) and the key and time of one more */
  uint32_t need, counted;
  int win_read;     /* win holds the key's window */
  vm_series wtmp, win;
  /* a probe of the walk (walk_on), or NULL: its statement, at the row
  ** after the key's newest (go_next, read for its key, time and rowid); the
  ** key's newest row (go_row0), and the key as the walk read it (go_ref) */
  sqlite3_stmt *go;
  const vm_row *go_row0, *go_next, *go_ref;
  /* after walk_on, the walk's statement (NULL: none, or moved), for the
  ** evidence: it goes on from the row of rowid ev_rowid (ev_more), or the
  ** key has no row after the window (!ev_more) */
  sqlite3_stmt *ev_go;
  int64_t ev_rowid;
  int ev_more;
};

static int evid_reread(const evid_reader *er) { return er && er->evid; }
static long evid_walk_on(exec_pack *pr, evid_reader *er);

/* The current key's newest EXEC_EVID_ROWS rows, read again: only for a key
** with an alert, and counted nowhere (neither as rows read nor as bad data:
** the evaluation read and counted what it needed).  NULL on error. */
static const vm_series *evid_rows(exec_pack *pr, evid_reader *er) {
  bad_keep(pr, er->si, er->saved);
  long long rows = pr->rows_read;
  long n = er->ev_go ? evid_walk_on(pr, er) : seek_key(pr, er->si, er->sp, er->key, &er->tmp, EXEC_EVID_ROWS, 0);
  er->ev_go = NULL;
  bad_put_back(pr, er->si, er->saved);
  pr->rows_read = rows;
  pr->srcs[er->si].lvalid = 0;
  if (n < 0) return NULL;
  er->ev.n = (uint32_t)n;
  er->ev.head = n ? (uint32_t)n - 1 : 0;
  for (long o = 0; o < n; o++) exec_swap_rows(&er->tmp.rows[o], &er->ev.rows[n - 1 - o]);
  return &er->ev;
}

long exec_probes, exec_probe_reads, exec_probe_walks, exec_evid_walks;

/* Read the row of rowid into tmp->rows[n], whole (sp->feed): a row the
** walk read from the index alone, and counted then as read.  0 or -1. */
static int fetch_row(exec_pack *pr, evid_reader *er, vm_series *tmp, uint32_t n, int64_t rowid, int *skip) {
  if (feed_row(pr, er->si, er->sp, rowid) != 0) return -1;
  pr->rows_read--;
  return read_next(pr, er->si, er->sp, er->sp->feed, tmp, n, skip);
}

/* The key's rows after the n in tmp, read by the walk going on from its
** statement go (the index alone): first the row of rowid, fetched whole;
** then the statement's rows, each fetched whole while fewer than need rows
** are kept, and the row after them read for its key and time only (fetched
** whole when the rows kept take it after all: a duplicate day, a zone, no
** time), until need rows are kept with a row past them, or another key
** comes.  Counted as seek_key counts: each row once as read, the bad data
** of the rows kept.  Where it stopped is left in er->ev_go, ev_more and
** ev_rowid (the evidence goes on from there).  Returns the rows kept, or
** -1. */
static long go_on(exec_pack *pr, evid_reader *er, sqlite3_stmt *go, vm_series *tmp, uint32_t n, uint32_t need,
                  int64_t rowid) {
  int si = er->si;
  const vm_source *s = pr->srcs[si].src;
  int skip, placed, rc;
  if (fetch_row(pr, er, tmp, n, rowid, &skip) != 0 || (placed = place_row(pr, si, tmp, &n, need, skip)) < 0) return -1;
  while (placed == 0) {
    int whole = n < need;
    rc = sqlite3_step(go);
    if (rc != SQLITE_ROW) {
      if (rc == SQLITE_DONE) break;
      read_failed(pr, s);
      return -1;
    }
    if (read_next_as(pr, si, er->sp, go, tmp, n, &skip, 0) != 0) return -1;
    vm_row *r = &tmp->rows[n];
    exec_row_forget(pr, si); /* (its key and time only) */
    if (r->v[s->key].t == VT_NULL || !exec_same_row_key(r, er->go_ref, s->key)) { /* another key: read after the jump */
      pr->rows_read--;
      break;
    }
    if (!whole && !skip && past_row(pr, si, r, &tmp->rows[need - 1])) placed = 1;
    else if (fetch_row(pr, er, tmp, n, r->rowid, &skip) != 0) return -1;
    if (!placed && (placed = place_row(pr, si, tmp, &n, need, skip)) < 0) return -1;
  }
  er->ev_go = go;
  er->ev_more = placed;
  er->ev_rowid = placed ? tmp->rows[n].rowid : 0;
  return n < need ? n : need;
}

/* A probe's window, read by the walk going on (er->go): its newest row as
** the walk read it, then go_on from the row after it.  Returns the rows
** kept, or -1. */
static long walk_on(exec_pack *pr, evid_reader *er) {
  exec_probe_walks++;
  if (exec_row_copy(&er->wtmp.rows[0], er->go_row0, pr->srcs[er->si].src->ncols) != 0) return -1;
  return go_on(pr, er, er->go, &er->wtmp, 1, er->need, er->go_next->rowid);
}

/* The evidence's rows (evid_rows) read by the walk going on after walk_on:
** the window's rows, then go_on from the row past them; the same rows as
** seek_key would read, since every row past the window is older than its
** rows.  Into er->tmp, newest first; returns the rows kept, or -1. */
static long evid_walk_on(exec_pack *pr, evid_reader *er) {
  vm_series *tmp = &er->tmp;
  uint32_t n = er->win.n;
  exec_evid_walks++;
  while (tmp->cap < n + 2)
    if (exec_series_grow(tmp) != 0) return -1;
  for (uint32_t o = 0; o < n; o++)
    if (exec_row_copy(&tmp->rows[o], vm_series_row(&er->win, o), pr->srcs[er->si].src->ncols) != 0) return -1;
  return er->ev_more ? go_on(pr, er, er->ev_go, tmp, n, EXEC_EVID_ROWS, er->ev_rowid) : n;
}

/* A probe's whole window, read by the walk going on, or again (the rows the
** walk read are counted once: as rows read, and their bad data). */
static const vm_series *window_rows(exec_pack *pr, evid_reader *er) {
  if (!er) return NULL; /* (never: only the walk makes probes) */
  if (er->win_read) return &er->win;
  exec_probe_reads++;
  long n;
  if (er->go) {
    n = walk_on(pr, er);
    er->go = NULL; /* (the walk's statement has moved) */
  } else {
    long long rows = pr->rows_read;
    n = seek_key(pr, er->si, er->sp, er->key, &er->wtmp, er->need, er->counted);
    long long more = pr->rows_read - rows - (long long)er->counted - 1;
    pr->rows_read = rows + (more > 0 ? more : 0);
  }
  if (n < 0) return NULL;
  pr->srcs[er->si].lvalid = 0;
  er->win.n = (uint32_t)n;
  er->win.head = n ? (uint32_t)n - 1 : 0;
  for (long o = 0; o < n; o++) exec_swap_rows(&er->wtmp.rows[o], &er->win.rows[n - 1 - o]);
  er->win_read = 1;
  return &er->win;
}

/* Evaluate the rules on a key's window: the first n rows of tmp (newest
** first) moved into ser; least: 0, or a probe's (vm_series.least).  0 or -1. */
static int eval_window(exec_pack *pr, int si, vm_series *tmp, uint32_t n, uint32_t least, vm_series *ser,
                       const int *rules, int nrules, evid_reader *er) {
  if (n == 0) return 0;
  /* into the series: offset o is tmp row o */
  ser->n = n;
  ser->head = n - 1;
  ser->least = least;
  for (uint32_t o = 0; o < n; o++) exec_swap_rows(&tmp->rows[o], &ser->rows[n - 1 - o]);
  if (er) er->win_read = 0;
  int rc = eval_key(pr, si, ser, rules, nrules, pr->dates[0], er, 0);
  ser->least = 0;
  return rc;
}

/* The seqs of one key's alerts in a walk down the keys (more than any key
** can raise: a rule raises at most two per key, and rules are 16-bit). */
#define WALK_SEQS (1L << 20)

/* A key of the walk down the keys: its alerts take the next block of seqs
** going down. */
static void walk_seqs(exec_pack *pr) {
  pr->seq_walk -= WALK_SEQS;
  pr->seq_next = pr->seq_walk;
}

/* eval_window for a key of the walk down the keys. */
static int walk_eval(exec_pack *pr, int si, vm_series *tmp, uint32_t n, uint32_t least, vm_series *ser,
                     const int *rules, int nrules, evid_reader *er) {
  walk_seqs(pr);
  return eval_window(pr, si, tmp, n, least, ser, rules, nrules, er);
}

/* The walk down the keys (sp->desc0, sp->desc): one statement steps through
** each key's rows, newest first; once a key's window is complete it jumps
** past the key's older rows (desc bound to the key), and a key of another
** shard is jumped over at its first row.  A key ends where a row of
** another key (exec_same_row_key) comes.
**
** The probe (sp->ldesc0, sp->ldesc: the same walk of the index alone, a
** row read whole fetched by its rowid from sp->feed): once a key's newest
** row is read, the next row is read for its key and time only.
** When it is the key's and surely older, with every row after it (so the
** newest is the window's row 0, no duplicate and no zone about it), the
** rules run on the newest row alone (vm_series.least), and the key's older
** rows are read only if an evaluation needs them (window_rows); otherwise
** the window is read whole.  When the first 256 probes mostly needed
** them, the walk goes on without probing.  0 or -1. */
static int walk_keys(exec_pack *pr, int si, seek_plan *sp, vm_series *tmp, vm_series *ser, uint32_t need,
                     const int *rules, int nrules, evid_reader *er) {
  const vm_source *s = pr->srcs[si].src;
  int sharded = pr->o->nshards > 1;
  int probing = sp->ldesc && er;
  sqlite3_stmt *st = probing ? sp->ldesc0 : sp->desc0;
  /* the current key as SQLite holds it (key.type SQLITE_NULL between keys),
  ** and the last one past which the walk jumped, bound to st */
  bound_key key, past;
  memset(&key, 0, sizeof key);
  memset(&past, 0, sizeof past);
  key.type = past.type = SQLITE_NULL; /* (none: SQLITE_NULL is not 0) */
  vm_row ref;                /* the current key as the runtime read it (its key column only) */
  memset(&ref, 0, sizeof ref);
  uint32_t n = 0;            /* the current key's rows kept in tmp */
  uint32_t krows = 0;        /* the current key's rows read with their columns */
  int checking = 0;          /* the row coming is read for its key and time only */
  long probes = 0, needed = 0;
  int result = 0, rc = SQLITE_DONE, skip;
  /* alerts are handed out by date, rule and seq, the order of evaluation,
  ** which elsewhere is the keys' ascending order: the keys met going down
  ** take blocks of seqs going down from 0, below every other, each source's
  ** below the last one's (pr->seq_next is put back after) */
  long seq_saved = pr->seq_next;
  if (!(ref.v = vg_realloc(NULL, (s->ncols ? s->ncols : 1) * sizeof *ref.v))) return -1;
  sqlite3_reset(st);
  while (result == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    sqlite3_value *kv = sqlite3_column_value(st, s->key);
    if (checking) { /* the row after the key's newest (tmp row 0) */
      checking = 0;
      int other = sharded && db_shard_of_value(kv, pr->o->nshards) != pr->o->shard;
      skip = 0;
      if (!other) {
        if (read_next_as(pr, si, sp, st, tmp, 1, &skip, 0) != 0) { result = -1; break; }
        exec_row_forget(pr, si); /* (its bad data is not read: only its key and time are) */
      }
      vm_row *r = &tmp->rows[1];
      int same = !other && r->v[s->key].t != VT_NULL && exec_same_row_key(r, &ref, s->key);
      er->key = &key;
      er->counted = krows;
      if (!same) { /* the key's only row: its whole window */
        if (!other) pr->rows_read--; /* (the next key's first row, read again after the jump) */
        result = walk_eval(pr, si, tmp, 1, 0, ser, rules, nrules, er);
      } else if (!skip && past_row(pr, si, r, &tmp->rows[0])) { /* older, with every row after it */
        /* (the walk goes on from r when the rules need more: eval_window
        ** moves tmp row 0 into ser->rows[0]) */
        er->go = st;
        er->ev_go = NULL;
        er->go_row0 = &ser->rows[0];
        er->go_next = r;
        er->go_ref = &ref;
        result = walk_eval(pr, si, tmp, 1, need >= 2 ? 2 : 0, ser, rules, nrules, er);
        er->go = er->ev_go = NULL;
        probes++;
        exec_probes++;
        needed += er->win_read;
        /* the rules need the older rows of most keys: read them as they come
        ** (the statement that reads whole rows, from the next key on) */
        if (probes == 256 && needed * 2 > probes) probing = 0;
      } else { /* a duplicate day, a zone, a row without a time: the window read whole */
        er->win_read = 0;
        const vm_series *w = window_rows(pr, er);
        if (!w) { result = -1; break; }
        walk_seqs(pr);
        if (w->n && eval_key(pr, si, w, rules, nrules, pr->dates[0], er, 0) != 0) result = -1;
      }
      if (result != 0) break;
      n = 0;
      krows = 0;
      goto past_key;
    }
    int jump = 0;
    if (sharded && db_shard_of_value(kv, pr->o->nshards) != pr->o->shard) {
      jump = 1; /* (a key of another shard is another key) */
    } else if (read_next(pr, si, sp, st, tmp, n, &skip) != 0) {
      result = -1;
      break;
    }
    vm_row *r = &tmp->rows[n];
    int usable = !jump && r->v[s->key].t != VT_NULL; /* (a bad key is counted, never evaluated) */
    if (key.type != SQLITE_NULL && (jump || !usable || !exec_same_row_key(r, &ref, s->key))) { /* the key ended */
      if (er) er->key = &key;
      if (walk_eval(pr, si, tmp, n < need ? n : need, 0, ser, rules, nrules, er) != 0) result = -1;
      exec_swap_rows(&tmp->rows[0], &tmp->rows[n]);
      r = &tmp->rows[0];
      n = 0;
      key.type = SQLITE_NULL;
    }
    if (result != 0) break;
    if (!jump && usable && key.type == SQLITE_NULL) { /* a new key */
      if (key_keep(&key, kv) != 0) { result = -1; break; }
      krows = 0;
      ref.kint = r->kint;
      ref.ikey = r->ikey;
      ref.kblob = r->kblob;
      val kval = r->v[s->key];
      if (kval.t == VT_STR) {
        if (kval.len + 1 > ref.bufcap) {
          char *nb = vg_realloc(ref.buf, kval.len + 1);
          if (!nb) { result = -1; break; }
          ref.buf = nb;
          ref.bufcap = kval.len + 1;
        }
        memcpy(ref.buf, kval.u.s, kval.len);
        kval.u.s = ref.buf;
      }
      ref.v[s->key] = kval;
    }
    if (usable) krows++;
    uint32_t had = n;
    int placed = jump ? 0 : place_row(pr, si, tmp, &n, need, skip);
    if (placed < 0) { result = -1; break; }
    if (placed == 0 && !jump) {
      if (probing && had == 0 && n == 1) { /* the key's newest row: read the next one's key and time only */
        checking = 1;
      }
      continue;
    }
    /* the window is complete, or the key is another shard's: past its rows */
    if (placed) {
      if (er) er->key = &key;
      if (walk_eval(pr, si, tmp, n < need ? n : need, 0, ser, rules, nrules, er) != 0) { result = -1; break; }
      n = 0;
    }
    if (!placed && key_keep(&key, kv) != 0) { result = -1; break; } /* another shard's key: past it */
  past_key:;
    sqlite3_reset(st);
    st = probing ? sp->ldesc : sp->desc;
    sqlite3_reset(st);
    bound_key t = past; /* (past is bound to st until the next jump) */
    past = key;
    key = t;
    key.type = SQLITE_NULL;
    key_bind(st, &past);
  }
  if (result == 0 && rc != SQLITE_DONE) {
    read_failed(pr, s);
    result = -1;
  }
  if (result == 0 && key.type != SQLITE_NULL) {
    if (er) er->key = &key;
    result = walk_eval(pr, si, tmp, n < need ? n : need, 0, ser, rules, nrules, er);
  }
  pr->seq_next = seq_saved;
  sqlite3_reset(sp->desc0);
  sqlite3_reset(sp->desc);
  sqlite3_reset(sp->ldesc0);
  sqlite3_reset(sp->ldesc);
  sqlite3_reset(sp->feed);
  vg_buf_free(&key.bytes);
  vg_buf_free(&past.bytes);
  vg_free(ref.buf);
  vg_free(ref.v);
  return result;
}

static int seek_source(exec_pack *pr, int si, seek_plan *sp, vm_series *ser, uint32_t lookback, const int *rules, int nrules) {
  const vm_source *s = pr->srcs[si].src;
  vm_series tmp;
  evid_reader er;
  memset(&er, 0, sizeof er);
  bound_key key; /* (the keys read by a recursive query) */
  memset(&key, 0, sizeof key);
  key.type = SQLITE_NULL;
  er.si = si;
  er.sp = sp;
  er.need = lookback + 1; /* (a probe's window) */
  /* a recorded alert's evidence shows a trend of EXEC_EVID_ROWS rows: read
  ** again for the keys that alert when the rules look back fewer */
  int reread = pr->want_evidence && lookback + 1 < EXEC_EVID_ROWS;
  er.evid = reread;
  int bad_init = exec_series_init(&tmp, s->ncols, VM_UNBOUNDED);
  if (reread) {
    bad_init |= exec_series_init(&er.tmp, s->ncols, VM_UNBOUNDED) | exec_series_init(&er.ev, s->ncols, EXEC_EVID_ROWS - 1);
    if (!(er.saved = vg_realloc(NULL, 2 * bad_bytes(pr, si)))) bad_init = -1;
  }
  if (sp->ldesc) /* (a probe's window, read when needed) */
    bad_init |= exec_series_init(&er.wtmp, s->ncols, VM_UNBOUNDED) | exec_series_init(&er.win, s->ncols, lookback);
  if (bad_init != 0) {
    exec_series_free(&tmp);
    exec_series_free(&er.tmp);
    exec_series_free(&er.ev);
    exec_series_free(&er.wtmp);
    exec_series_free(&er.win);
    vg_free(er.saved);
    return -1;
  }
  evid_reader *erp = reread || sp->ldesc ? &er : NULL;
  int result = 0, rc = SQLITE_DONE;
  int sharded = pr->o->nshards > 1;
  if ((!sharded || pr->o->shard == 0) && s->where >= 0) { /* NULL keys (shard 1's), each through the where */
    while (result == 0 && (rc = sqlite3_step(sp->nulls)) == SQLITE_ROW) {
      int skip;
      pr->rows_read++;
      if (exec_read_row(pr, si, sp->nulls, &tmp.rows[0], -1, &skip) != 0 || exec_row_owned(pr, si, &tmp.rows[0], skip) < 0)
        result = -1;
    }
  } else if ((!sharded || pr->o->shard == 0) && sqlite3_step(sp->nulls) == SQLITE_ROW) { /* NULL keys: shard 1's */
    long long nulls = sqlite3_column_int64(sp->nulls, 0);
    if (nulls > 0) {
      exec_count_bad(pr, si, s->key, BAD_NULL_KEY, NULL);
      pr->srcs[si].bad[s->key * BAD__COUNT + BAD_NULL_KEY].n += nulls - 1;
      pr->rows_read += nulls;
    }
  }
  if (result == 0 && sp->desc) {
    result = walk_keys(pr, si, sp, &tmp, ser, lookback + 1, rules, nrules, erp);
    rc = SQLITE_DONE;
  }
  while (result == 0 && !sp->desc && (rc = sqlite3_step(sp->keys)) == SQLITE_ROW) {
    sqlite3_value *kv = sqlite3_column_value(sp->keys, 0);
    if (sharded && db_shard_of_value(kv, pr->o->nshards) != pr->o->shard) continue;
    if (key_keep(&key, kv) != 0) { result = -1; break; }
    long n = seek_key(pr, si, sp, &key, &tmp, lookback + 1, 0);
    er.key = &key;
    if (n < 0 || eval_window(pr, si, &tmp, (uint32_t)n, 0, ser, rules, nrules, reread ? &er : NULL) != 0) result = -1;
  }
  if (result == 0 && rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: reading the keys of table %s failed: %s", s->name, s->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
  }
  exec_series_free(&tmp);
  exec_series_free(&er.tmp);
  exec_series_free(&er.ev);
  exec_series_free(&er.wtmp);
  exec_series_free(&er.win);
  vg_free(er.saved);
  vg_buf_free(&key.bytes);
  return result;
}

/* The rows rule r looks back: its tiers, message and recipient, and its
** clear condition, which alert life evaluates on the same series. */
static uint32_t rule_lookback(const vm_program *p, const vm_rule *r) {
  uint32_t lb = vm_lookback(p, r->fn);
  uint32_t lc = r->clear >= 0 ? vm_lookback(p, r->clear) : 0;
  return lc > lb ? lc : lb;
}

/* 1 when the table has an index that makes the per-key query a search. */
static int has_seek_index(exec_pack *pr, int si) {
  seek_plan sp;
  int ready = seek_prepare(pr, si, &sp);
  seek_plan_free(&sp);
  return ready != 0;
}

static void index_note(exec_pack *pr, const vm_source *s, const char *how) {
  exec_diag(pr->o, VG_NOTE, DIAG_NONE, NULL, 0, 0, "table %s has no index on (%s, %s)%s: with CREATE INDEX %s_%s_%s ON %s(%s, %s) a run "
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
        uint32_t lb = rule_lookback(p, &p->rules[r]);
        if (lb > lookback) lookback = lb;
      }
    /* the same table named by two sources is advised once */
    int seen = 0;
    for (int sj = 0; sj < si; sj++) seen |= strcmp(p->sources[sj].table, s->table) == 0;
    /* a rollup's rows are made and indexed by the run itself */
    if (pg_is(pr->db)) { /* PostgreSQL: a run reads each table whole, in key and time order */
      if (!used || seen || exec_rollup_of(p, si) >= 0) continue;
      vg_buf create = {NULL, 0, 0};
      if (pg_order_index(pr->db, s->table, s->cols[s->key].name, s->cols[s->time].name, &create) == 0)
        exec_diag(pr->o, VG_NOTE, DIAG_NONE, NULL, 0, 0, "table %s has no index in the order a run reads it (%s, %s):"
                  " PostgreSQL sorts the whole table for each run; with %s it streams the rows in order",
                  s->table, s->cols[s->key].name, s->cols[s->time].name, create.data);
      vg_buf_free(&create);
      continue;
    }
    if (!used || seen || lookback == VM_UNBOUNDED || exec_rollup_of(p, si) >= 0 || exec_key_unique(pr, s)) continue;
    if (!has_seek_index(pr, si)) index_note(pr, s, " (a nightly run reads the whole table)");
  }
  pr->srcs = NULL;
  for (int si = 0; si < p->nsources; si++) {
    vg_free(srcs[si].rowid_sql);
    vg_free(srcs[si].pend);
  }
  vg_free(srcs);
}

/* ---- one source ----------------------------------------------------------------------- */

/* Evaluate the rules on source si.  A nightly run whose rules look back a
** bounded number of rows seeks the last rows of each key through the (key,
** time) index; otherwise (no such index, a day window or streak, or about
** one row per key) the table is read once in key and time order. */
int exec_run_source(exec_pack *pr, int si) {
  const vm_program *p = pr->p;
  const vm_source *s = pr->srcs[si].src;
  int *rules = vg_realloc(NULL, (p->nrules ? p->nrules : 1) * sizeof *rules);
  if (!rules) return -1;
  int nrules = 0;
  uint32_t lookback = 0;
  for (int i = 0; i < p->nrules; i++)
    if (p->rules[i].source == si) {
      rules[nrules++] = i;
      uint32_t lb = rule_lookback(p, &p->rules[i]);
      if (lb > lookback) lookback = lb;
    }
  if (nrules == 0) { vg_free(rules); return 0; }
  if (lookback != VM_UNBOUNDED && lookback > 10u * VG_MAX_WINDOW) lookback = VM_UNBOUNDED;
  vm_series ser;
  seek_plan sp;
  memset(&sp, 0, sizeof sp);
  memset(&ser, 0, sizeof ser);
  int result = 0, seek = 0;
  long long before = pr->rows_read;
  if (lookback != VM_UNBOUNDED && !pr->o->no_seek && pr->ndates == 1) {
    seek = seek_prepare(pr, si, &sp);
    if (seek < 0) { result = -1; goto done; }
    if (seek) seek = seek_worth_it(pr, &sp, lookback);
  }
  /* a recorded alert's evidence shows a trend (evidence.c: at most
  ** EXEC_EVID_ROWS rows): a scan keeps that many in each key's window; the
  ** seeks read them again only for the keys that alert (seek_source) */
  if (!seek && pr->want_evidence && lookback != VM_UNBOUNDED && lookback + 1 < EXEC_EVID_ROWS) lookback = EXEC_EVID_ROWS - 1;
  if (exec_series_init(&ser, s->ncols, lookback) != 0) { result = -1; goto done; }
  if (seek) {
    result = seek_source(pr, si, &sp, &ser, lookback, rules, nrules);
  } else {
    /* what to put back if the scan must be redone in day order */
    exec_alerts_mark mark = exec_alerts_here(pr);
    bad_count *bad = vg_realloc(NULL, 2 * bad_bytes(pr, si));
    life_saved *life = exec_life_save(pr);
    if (!bad || !life) {
      vg_free(bad);
      exec_life_saved_free(life);
      result = -1;
      goto done;
    }
    bad_keep(pr, si, bad);
    /* PostgreSQL, a nightly run that looks back a bounded number of rows:
    ** only each key's newest rows (scan_source) */
    uint32_t need = pg_is(pr->db) && lookback != VM_UNBOUNDED && !pr->o->no_seek && pr->ndates == 1 ? lookback + 1 : 0;
    /* (worth it when keys have many more rows than the window, by
    ** PostgreSQL's statistics; a seek per invoice is not) */
    if (need && !(pg_rows_per_key(pr->db, s->table, s->cols[s->key].name) > 2.0 * need)) need = 0;
    long long rows_before = pr->rows_read;
    uint64_t tw = pr->vm.type_warnings, wtw = pr->wvm.type_warnings;
    long long keys_before = pr->keys_done;
    /* a backtest: first in the table's own order (sweep.c) */
    result = !need && exec_sweep_fits(pr, si, lookback) ? exec_sweep_source(pr, si, &ser, rules, nrules, lookback)
           : pr->o->find_dates ? EXEC_SWEEP_GIVE_UP : scan_source(pr, si, &ser, rules, nrules, 0, need);
    /* 2: redo in day order; 3: redo reading the table whole; 4: in key order */
    for (int again = 0; (result == 2 || result == 3 || result == EXEC_SWEEP_GIVE_UP) && again < 3; again++) {
      int by_day = result == 2;
      pr->vm.type_warnings = tw; /* (what the first try counted) */
      pr->wvm.type_warnings = wtw;
      pr->keys_done = keys_before;
      if (exec_alerts_back(pr, &mark) != 0) { result = -1; break; }
      bad_put_back(pr, si, bad);
      pr->srcs[si].lvalid = 0;
      pr->rows_read = rows_before;
      ser.n = 0;
      ser.head = 0;
      if (exec_life_restore(pr, life) != 0) { result = -1; break; }
      exec_life_saved_free(life);
      if (!(life = exec_life_save(pr))) { result = -1; break; } /* (restoring consumed it) */
      if (pr->o->find_dates && exec_sweep_dates(pr) != 0) { result = -1; break; }
      result = pr->ndates ? scan_source(pr, si, &ser, rules, nrules, by_day, 0) : 0;
    }
    vg_free(bad);
    exec_life_saved_free(life);
  }
  /* (SQLite's per-key seeks; PostgreSQL's index is check --db's to advise) */
  if (result == 0 && !seek && !pr->o->no_seek && pr->rows_read - before > 10000 && lookback != VM_UNBOUNDED &&
      !pg_is(pr->db) && !has_seek_index(pr, si)) {
    index_note(pr, s, "");
  }
done:
  if (pr->failed) result = -1;
  seek_plan_free(&sp);
  exec_series_free(&ser);
  vg_free(rules);
  return result;
}

