/*
** lookup.c — lookups into other sources (lookup.h).
**
** Rows read by a lookup count their bad data apart from the source's own
** scan (src_run.lbad): a rule is told what the rows it looked up held.
*/
#include <sqlite3.h>
#include <string.h>
#include "lookup.h"
#include "rows.h"
#include "db.h"
#include "../stdlib/lib.h"

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

/* Out of memory: the VM is told the lookup failed, the run that it ran out
** of memory (pr->lookup_nomem). */
static int nomem(exec_pack *pr) {
  pr->lookup_nomem = 1;
  return -1;
}

int exec_lookup(void *ud, vm_state *vm, int si, val key, int32_t day, const vm_row **row) {
  (void)vm;
  exec_pack *pr = ud;
  src_run *sr = &pr->srcs[si];
  const vm_source *s = sr->src;
  if (sr->lvalid && sr->lday == day && exec_same_key(sr->lkey, key)) {
    *row = sr->lfound ? &sr->lrow : NULL;
    return 0;
  }
  if (!sr->lookup) {
    vg_buf q = {NULL, 0, 0};
    const char *rid;
    if (exec_rowid_expr(pr, si, &rid) != 0) return nomem(pr);
    for (sr->has_rowid = rid != NULL; sr->has_rowid >= 0; sr->has_rowid--) {
      q.len = 0;
      int rc = exec_select_list(&q, s, sr->has_rowid ? rid : NULL);
      rc |= vg_buf_append(&q, " WHERE ", 7);
      rc |= exec_quote_ident(&q, s->cols[s->key].name);
      rc |= vg_buf_printf(&q, " = ?1 COLLATE BINARY ORDER BY ");
      rc |= exec_quote_ident(&q, s->cols[s->time].name);
      rc |= sr->has_rowid ? vg_buf_printf(&q, " DESC, %s DESC", rid) : vg_buf_append(&q, " DESC", 5);
      if (rc) { vg_buf_free(&q); return nomem(pr); }
      if (sqlite3_prepare_v2(pr->db, q.data, -1, &sr->lookup, NULL) == SQLITE_OK) break;
    }
    vg_buf_free(&q);
    if (!sr->lookup) {
      exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "lookup into %s: %s", s->table, sqlite3_errmsg(pr->db));
      return -1;
    }
    if (!sr->lrow.v) {
      sr->lrow.v = vg_realloc(NULL, (s->ncols ? s->ncols : 1) * sizeof(val));
      if (!sr->lrow.v) return nomem(pr);
    }
  }
  sqlite3_reset(sr->lookup);
  int brc = bind_key(sr->lookup, key);
  if (brc != SQLITE_OK) return brc == SQLITE_NOMEM ? nomem(pr) : -1;
  sr->lfound = 0;
  if (!sr->cand.v) {
    sr->cand.v = vg_realloc(NULL, (s->ncols ? s->ncols : 1) * sizeof(val));
    if (!sr->cand.v) return nomem(pr);
  }
  int rc, result = 0;
  sr->counting_lookup = 1;
  while ((rc = sqlite3_step(sr->lookup)) == SQLITE_ROW) {
    if (!sr->derived) pr->rows_read++;
    int skip;
    if (exec_read_row(pr, si, sr->lookup, &sr->cand, sr->has_rowid ? s->ncols : -1, &skip) != 0) { result = nomem(pr); break; }
    exec_row_bad(pr, si, &sr->cand); /* (what a lookup reads counts apart, as read) */
    if (skip || sr->cand.time > day) continue;
    /* rows come newest first by their time text; a zone in the text can
    ** move a row's day by one either way, so stop only once the text is
    ** surely older than the day found */
    if (sr->lfound && sr->cand.time < sr->lrow.time - 2) break;
    if (sr->lfound && (sr->cand.time < sr->lrow.time ||
                       (sr->cand.time == sr->lrow.time && sr->cand.rowid <= sr->lrow.rowid)))
      continue;
    if (s->where >= 0) {
      vm_series one = {&sr->cand, 1, 1, 0, 1, s->ncols, 0};
      val ok;
      vm_status ws = vm_eval_value(&pr->wvm, s->where, &one, sr->cand.time, &ok);
      if (ws != VM_OK) { result = ws == VM_ERR_NOMEM ? nomem(pr) : -1; break; }
      if (!(ok.t == VT_BOOL && ok.u.b)) continue;
    }
    exec_swap_rows(&sr->cand, &sr->lrow);
    sr->lfound = 1;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "lookup into %s: %s", s->table, sqlite3_errmsg(pr->db));
    result = -1;
  }
  sr->counting_lookup = 0;
  sqlite3_reset(sr->lookup);
  if (result != 0) { sr->lvalid = 0; return -1; }
  if (keep_key(&sr->lkey, &sr->lkeybuf, &sr->lkeycap, key) != 0) return nomem(pr);
  sr->lday = day;
  sr->lvalid = 1;
  *row = sr->lfound ? &sr->lrow : NULL;
  return 0;
}
