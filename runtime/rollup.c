/*
** rollup.c — the rows of rollups: a team's view across its reps.
**
** `rollup team from progress by supervisor_id { ... }` makes, before any
** rule runs, a temporary table "vigil rollup PACK.team" on the run's
** connection with one row per (group, t): t is a day on which a member row
** of the group arrives (or a member leaves the group), and the row
** aggregates, over the group's members, each member's latest row on or
** before t (through the member source's where).  A member belongs to the
** group its latest row names; with a horizon, a member whose latest row is
** older than the horizon at t is left out.  So a member that stops
** reporting stays in the denominator (counted in `members`, not in
** `reporting`) until the horizon says otherwise, and never silently.
**
** One pass over the member table in day order (SQLite sorts it by
** vigil_day(time)); the state is one entry per member key (its group and
** its values) and one per group (its members): memory grows with the keys,
** not the rows.  The rollup's own source then reads the table as any
** source: scans, seeks, lookups and backtests alike.
*/
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "rollup.h"
#include "rows.h"
#include "db.h"
#include "../core/map.h"
#include "../core/vec.h"
#include "../stdlib/lib.h"

/* A member key or a group value as bytes: a type byte, then the payload. */
typedef struct rkey { char *b; size_t n; } rkey;

typedef struct rmember {
  rkey key;
  int32_t group;        /* index into groups, -1: none */
  int32_t time;         /* day of its latest row */
  val *v;               /* ncols values (members and reporting unused) */
  vg_buf text;          /* the strings of v */
} rmember;

typedef struct rgroup {
  rkey key;
  val g;                /* the group value (strings into key's bytes) */
  vg_vec(int32_t) m;    /* its members, in the order they joined */
  int dirty;
} rgroup;

typedef struct rstate {
  exec_pack *pr;
  const vm_rollup *ro;
  vg_vec(rmember) mem;
  vg_vec(rgroup) grp;
  vg_map mt, gt;        /* key bytes -> mem, grp */
  vg_vec(int32_t) dirty;
  sqlite3_stmt *ins;
} rstate;

/* The bytes of a key or group value into b (reused).  0 or -1 (memory). */
static int key_bytes(vg_buf *b, val v, const vm_row *r, int is_key) {
  b->len = 0;
  if (is_key && r->kint) {
    int64_t i = r->ikey;
    return vg_buf_append(b, "i", 1) | vg_buf_append(b, &i, sizeof i);
  }
  switch (v.t) {
  case VT_STR: return vg_buf_append(b, "s", 1) | vg_buf_append(b, v.u.s, v.len);
  case VT_DATE: return vg_buf_append(b, "d", 1) | vg_buf_append(b, &v.u.d, sizeof v.u.d);
  case VT_BOOL: return vg_buf_append(b, v.u.b ? "b1" : "b0", 2);
  default: {
    double x = v.u.n == 0 ? 0.0 : v.u.n; /* -0 and 0 are one group */
    return vg_buf_append(b, "n", 1) | vg_buf_append(b, &x, sizeof x);
  }
  }
}

/* What vg_map_find looks for: key bytes among the members' or the groups' keys. */
typedef struct rlook {
  const rstate *st;
  const vg_buf *kb;
} rlook;

static int same_bytes(const rkey *k, const vg_buf *kb) { return k->n == kb->len && memcmp(k->b, kb->data, k->n) == 0; }
static int same_member(const void *ctx, uint32_t i) {
  const rlook *l = ctx;
  return same_bytes(&l->st->mem.v[i].key, l->kb);
}
static int same_group(const void *ctx, uint32_t i) {
  const rlook *l = ctx;
  return same_bytes(&l->st->grp.v[i].key, l->kb);
}

static int copy_key(rkey *k, const vg_buf *b) {
  k->b = vg_realloc(NULL, b->len ? b->len : 1);
  if (!k->b) return -1;
  memcpy(k->b, b->data, b->len);
  k->n = b->len;
  return 0;
}

/* The member of the row's key, added (no group) when new; -1 when out of memory. */
static int32_t member_of(rstate *st, const vm_row *r, int keycol, vg_buf *kb) {
  if (key_bytes(kb, r->v[keycol], r, 1) != 0) return -1;
  uint32_t h = vg_hash(kb->data, kb->len);
  rlook l = {st, kb};
  long i = vg_map_find(&st->mt, h, same_member, &l);
  if (i >= 0) return (int32_t)i;
  if (st->mem.n >= INT32_MAX) return -1;
  rmember *m = vg_vec_add(&st->mem);
  if (!m) return -1;
  m->group = -1;
  m->v = vg_realloc(NULL, (st->ro->ncols ? st->ro->ncols : 1) * sizeof *m->v);
  if (!m->v || copy_key(&m->key, kb) != 0 || vg_map_put(&st->mt, h, (uint32_t)(st->mem.n - 1)) != 0) {
    vg_free(m->v);
    vg_free(m->key.b);
    st->mem.n--;
    return -1;
  }
  for (unsigned k = 0; k < st->ro->ncols; k++) m->v[k] = val_null();
  return (int32_t)(st->mem.n - 1);
}

/* The group of value g (not null), added when new; -1 when out of memory. */
static int32_t group_of(rstate *st, val g, vg_buf *kb) {
  if (key_bytes(kb, g, NULL, 0) != 0) return -1;
  uint32_t h = vg_hash(kb->data, kb->len);
  rlook l = {st, kb};
  long i = vg_map_find(&st->gt, h, same_group, &l);
  if (i >= 0) return (int32_t)i;
  if (st->grp.n >= INT32_MAX) return -1;
  rgroup *gr = vg_vec_add(&st->grp);
  if (!gr) return -1;
  if (copy_key(&gr->key, kb) != 0 || vg_map_put(&st->gt, h, (uint32_t)(st->grp.n - 1)) != 0) {
    vg_free(gr->key.b);
    st->grp.n--;
    return -1;
  }
  gr->g = g;
  if (g.t == VT_STR) gr->g.u.s = gr->key.b + 1; /* the text after the type byte */
  return (int32_t)(st->grp.n - 1);
}

static int mark_dirty(rstate *st, int32_t g) {
  if (st->grp.v[g].dirty) return 0;
  if (vg_vec_push(&st->dirty, g) != 0) return -1;
  st->grp.v[g].dirty = 1;
  return 0;
}

static int join(rstate *st, int32_t g, int32_t mi) { return vg_vec_push(&st->grp.v[g].m, mi); }

/* Leave the group: the members after it move up one (the order stays the joining order). */
static void leave(rstate *st, int32_t g, int32_t mi) {
  rgroup *gr = &st->grp.v[g];
  for (size_t i = 0; i < gr->m.n; i++)
    if (gr->m.v[i] == mi) {
      memmove(gr->m.v + i, gr->m.v + i + 1, (gr->m.n - i - 1) * sizeof *gr->m.v);
      gr->m.n--;
      return;
    }
}

/* Set member m's values from its new row (strings copied into its text). */
static int set_values(rstate *st, rmember *m, const val *v) {
  m->text.len = 0;
  for (unsigned k = 0; k < st->ro->ncols; k++)
    if (v[k].t == VT_STR && vg_buf_append(&m->text, v[k].u.s, v[k].len) != 0) return -1;
  size_t off = 0;
  for (unsigned k = 0; k < st->ro->ncols; k++) {
    m->v[k] = v[k];
    if (v[k].t == VT_STR) {
      m->v[k].u.s = m->text.data + off;
      off += v[k].len;
    }
  }
  return 0;
}

static int cmp_vals(val a, val b) {
  if (a.t == VT_NUM) return a.u.n < b.u.n ? -1 : a.u.n > b.u.n;
  if (a.t == VT_DATE) return a.u.d < b.u.d ? -1 : a.u.d > b.u.d;
  size_t n = a.len < b.len ? a.len : b.len;
  int c = memcmp(a.u.s, b.u.s, n);
  return c ? (c < 0 ? -1 : 1) : a.len < b.len ? -1 : a.len > b.len;
}

static int bind_val(sqlite3_stmt *ins, int i, val v) {
  char day[16];
  switch (v.t) {
  case VT_NUM:
    if (v.u.n > -9.2e18 && v.u.n < 9.2e18 && v.u.n == (double)(long long)v.u.n) /* range first: (long long)inf is undefined */
      return sqlite3_bind_int64(ins, i, (long long)v.u.n);
    return sqlite3_bind_double(ins, i, v.u.n);
  case VT_STR: return sqlite3_bind_text64(ins, i, v.u.s, v.len, SQLITE_TRANSIENT, SQLITE_UTF8);
  case VT_DATE: lib_format_date(v.u.d, day); return sqlite3_bind_text(ins, i, day, -1, SQLITE_TRANSIENT);
  case VT_BOOL: return sqlite3_bind_int(ins, i, v.u.b);
  default: return sqlite3_bind_null(ins, i);
  }
}

/* The row of group g at day t into the table.  0, or -1 with a diagnostic. */
static int group_row(rstate *st, int32_t g, int32_t t) {
  const vm_rollup *ro = st->ro;
  exec_pack *pr = st->pr;
  const vm_source *m = &pr->p->sources[ro->member];
  rgroup *gr = &st->grp.v[g];
  if (ro->horizon >= 0) {
    /* members past the horizon leave the group for good (rows come in day
    ** order: a later t only finds them older); a new row joins them again */
    size_t kept = 0;
    for (size_t i = 0; i < gr->m.n; i++) {
      rmember *mm = &st->mem.v[gr->m.v[i]];
      if ((double)t - (double)mm->time > ro->horizon) mm->group = -1;
      else gr->m.v[kept++] = gr->m.v[i];
    }
    gr->m.n = kept;
  }
  sqlite3_stmt *ins = st->ins;
  sqlite3_reset(ins);
  int rc = bind_val(ins, 1, gr->g);
  char day[16];
  lib_format_date(t, day);
  rc |= sqlite3_bind_text(ins, 2, day, -1, SQLITE_TRANSIENT);
  for (unsigned k = 0; k < ro->ncols; k++) {
    const vm_rcol *c = &ro->cols[k];
    long members = 0, reporting = 0, count = 0, nonnull = 0;
    double sum = 0;
    val best = val_null();
    for (size_t i = 0; i < gr->m.n; i++) {
      const rmember *mm = &st->mem.v[gr->m.v[i]];
      double age = (double)t - (double)mm->time;
      members++;
      if (m->every > 0 ? age <= m->every : age == 0) reporting++;
      val v = mm->v[k];
      switch (c->agg) {
      case RC_SUM: case RC_AVG:
        if (v.t == VT_NULL) break;
        if (v.t != VT_NUM) { pr->vm.type_warnings++; break; }
        sum += v.u.n;
        count++;
        break;
      case RC_MIN: case RC_MAX:
        if (v.t == VT_NULL) break;
        if (v.t != VT_NUM && v.t != VT_DATE && v.t != VT_STR) { pr->vm.type_warnings++; break; }
        if (best.t == VT_NULL) best = v;
        else if (best.t != v.t) pr->vm.type_warnings++;
        else if ((c->agg == RC_MIN) == (cmp_vals(v, best) < 0) && cmp_vals(v, best) != 0) best = v;
        break;
      case RC_COUNT: case RC_SHARE:
        if (v.t != VT_NULL) nonnull++;
        if (v.t == VT_BOOL && v.u.b) count++;
        break;
      default: break;
      }
    }
    val out = val_null();
    switch (c->agg) {
    case RC_MEMBERS: out = val_num((double)members); break;
    case RC_REPORTING: out = val_num((double)reporting); break;
    case RC_SUM: if (count) out = val_num(sum); break;
    case RC_AVG: if (count) out = val_num(sum / (double)count); break;
    case RC_MIN: case RC_MAX: out = best; break;
    case RC_COUNT: out = val_num((double)count); break;
    default: if (nonnull) out = val_num((double)count / (double)nonnull); break;
    }
    rc |= bind_val(ins, (int)k + 3, out);
  }
  if (rc != SQLITE_OK || sqlite3_step(ins) != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "rollup %s: writing its rows failed: %s", pr->p->sources[ro->source].name,
              sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  return 0;
}

/* The rows of every dirty group at day t. */
static int flush(rstate *st, int32_t t) {
  for (size_t i = 0; i < st->dirty.n; i++) {
    st->grp.v[st->dirty.v[i]].dirty = 0;
    if (group_row(st, st->dirty.v[i], t) != 0) return -1;
  }
  st->dirty.n = 0;
  return 0;
}

static void rstate_free(rstate *st) {
  for (size_t i = 0; i < st->mem.n; i++) {
    vg_free(st->mem.v[i].key.b);
    vg_free(st->mem.v[i].v);
    vg_buf_free(&st->mem.v[i].text);
  }
  for (size_t i = 0; i < st->grp.n; i++) {
    vg_free(st->grp.v[i].key.b);
    vg_vec_free(&st->grp.v[i].m);
  }
  vg_vec_free(&st->mem);
  vg_vec_free(&st->grp);
  vg_map_free(&st->mt);
  vg_map_free(&st->gt);
  vg_vec_free(&st->dirty);
  sqlite3_finalize(st->ins);
}

static const char *decl_type(int t) {
  return t == VT_NUM ? "REAL" : t == VT_DATE ? "DATE" : t == VT_STR ? "TEXT" : "";
}

/* CREATE TEMP TABLE for rollup ro and its INSERT.  0, or -1 (reported, or memory). */
static int make_table(rstate *st) {
  exec_pack *pr = st->pr;
  const vm_rollup *ro = st->ro;
  const vm_source *s = &pr->p->sources[ro->source], *m = &pr->p->sources[ro->member];
  vg_buf q = {NULL, 0, 0}, ins = {NULL, 0, 0};
  int rc = vg_buf_append(&q, "DROP TABLE IF EXISTS temp.", 26) | exec_quote_ident(&q, s->table);
  rc |= vg_buf_append(&q, "; CREATE TEMP TABLE ", 20) | exec_quote_ident(&q, s->table) | vg_buf_append(&q, "(", 1);
  rc |= exec_quote_ident(&q, m->cols[ro->group].name) | vg_buf_append(&q, ", ", 2);
  rc |= exec_quote_ident(&q, m->cols[m->time].name) | vg_buf_append(&q, " DATE", 5);
  rc |= vg_buf_append(&ins, "INSERT INTO temp.", 17) | exec_quote_ident(&ins, s->table) | vg_buf_append(&ins, " VALUES (?1, ?2", 15);
  for (unsigned k = 0; k < ro->ncols; k++) {
    rc |= vg_buf_append(&q, ", ", 2) | exec_quote_ident(&q, ro->cols[k].name);
    rc |= vg_buf_printf(&q, " %s", decl_type(ro->cols[k].type));
    rc |= vg_buf_printf(&ins, ", ?%u", k + 3);
  }
  rc |= vg_buf_append(&q, ")", 1) | vg_buf_append(&ins, ")", 1);
  int result = 0;
  if (rc) result = -1;
  else if (sqlite3_exec(pr->db, q.data, NULL, NULL, NULL) != SQLITE_OK ||
           sqlite3_prepare_v2(pr->db, ins.data, -1, &st->ins, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "rollup %s: cannot make its temporary table: %s", s->name, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
  }
  vg_buf_free(&q);
  vg_buf_free(&ins);
  return result;
}

/* The member source's rows in the order of their time text (an index on the
** time column serves it, no sort), or with by_day in the order of the day
** itself (a sort: a zone in the text can move a day, so the text order is
** not always the day order); then key, then rowid: of two rows of one key
** and day, the later one is read last and wins. */
static sqlite3_stmt *member_query(exec_pack *pr, int mi, int by_day, int *has_rowid) {
  const vm_source *m = &pr->p->sources[mi];
  sqlite3_stmt *q = NULL;
  vg_buf b = {NULL, 0, 0};
  const char *rid = NULL;
  if (exec_rowid_expr(pr, mi, &rid) != 0) return NULL;
  int oom = 0;
  for (*has_rowid = rid != NULL; *has_rowid >= 0; (*has_rowid)--) {
    b.len = 0;
    int rc = exec_select_list(&b, m, *has_rowid ? rid : NULL) | vg_buf_append(&b, " ORDER BY ", 10);
    if (by_day) rc |= vg_buf_append(&b, "vigil_day(", 10);
    rc |= exec_quote_ident(&b, m->cols[m->time].name) | vg_buf_append(&b, by_day ? "), " : ", ", by_day ? 3 : 2);
    rc |= exec_quote_ident(&b, m->cols[m->key].name) | vg_buf_append(&b, " COLLATE BINARY", 15);
    if (*has_rowid) rc |= vg_buf_printf(&b, ", %s", rid);
    if (rc) { oom = 1; break; } /* out of memory: not an error of the table */
    if (sqlite3_prepare_v2(pr->db, b.data, -1, &q, NULL) == SQLITE_OK) break;
  }
  if (!q && !oom) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: cannot read table %s: %s", m->name, m->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
  }
  vg_buf_free(&b);
  return q;
}

/* Make rollup ro's rows.  Returns 0; 2 when, read in time-text order, the
** rows turned out not to be in day order (the caller calls again with
** by_day); -1 on an error (pr->failed when reported) or out of memory. */
static int one_rollup(exec_pack *pr, const vm_rollup *ro, int by_day) {
  const vm_program *p = pr->p;
  const vm_source *m = &p->sources[ro->member];
  rstate st;
  memset(&st, 0, sizeof st);
  st.pr = pr;
  st.ro = ro;
  int result = 0, has_rowid = 0;
  sqlite3_stmt *q = NULL;
  vm_row row;
  memset(&row, 0, sizeof row);
  val *vals = vg_realloc(NULL, (ro->ncols ? ro->ncols : 1) * sizeof *vals);
  row.v = vg_realloc(NULL, (m->ncols ? m->ncols : 1) * sizeof *row.v);
  vg_buf kb = {NULL, 0, 0};
  if (!vals || !row.v) { result = -1; goto done; }
  if (make_table(&st) != 0) { result = -1; goto done; }
  q = member_query(pr, ro->member, by_day, &has_rowid);
  if (!q) { result = -1; goto done; }
  int32_t last = pr->dates[pr->ndates - 1], cur = INT32_MIN;
  int rc;
  exec_count_rollup(pr, ro->member, 1);
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    pr->rows_read++;
    int skip;
    if (exec_read_row(pr, ro->member, q, &row, has_rowid ? m->ncols : -1, &skip) != 0) { result = -1; break; }
    int ok = exec_row_owned(pr, ro->member, &row, skip); /* (its bad data counts once its where keeps it) */
    if (ok < 0) { result = -1; break; }
    if (skip) continue;
    /* nothing later is needed; in text order a zone moves a day by one at
    ** most, so only a day two past the last is surely past it */
    if (row.time > last) {
      if (by_day || row.time > last + 2) break;
      continue;
    }
    if (!ok) continue;
    if (cur != INT32_MIN && row.time < cur) { result = 2; break; } /* not day order: read again by day */
    if (row.time != cur) {
      if (cur != INT32_MIN && flush(&st, cur) != 0) { result = -1; break; }
      cur = row.time;
    }
    /* the member's values on this row, as of its own day */
    vm_series one = {&row, 1, 1, 0, 1, m->ncols, 0};
    for (unsigned k = 0; k < ro->ncols; k++) vals[k] = val_null(); /* (what the last row kept is freed) */
    for (unsigned k = 0; k < ro->ncols; k++) {
      if (ro->cols[k].fn < 0) continue;
      val v;
      vm_status vs = vm_eval_value(&pr->wvm, ro->cols[k].fn, &one, row.time, &v);
      if (vs != VM_OK) {
        /* out of memory is reported as such by the caller; the rest here */
        if (vs != VM_ERR_NOMEM && !pr->stopped) {
          const vm_lineinfo *li = pr->wvm.err_fn >= 0 ? vm_line_at(p, pr->wvm.err_fn, pr->wvm.err_pc) : NULL;
          exec_diag(pr->o, VG_ERROR, vs == VM_ERR_BUDGET ? DIAG_E_EVAL : DIAG_E_INTERNAL, li ? p->files[li->file] : NULL,
                    li ? (int)li->line : 0, li ? (int)li->col : 0, "rollup %s, column %s: the evaluation failed (%s)", p->sources[ro->source].name,
                    ro->cols[k].name, vs == VM_ERR_BUDGET ? "the step budget ran out" : "an internal error");
          pr->failed = 1;
        }
        result = -1;
        break;
      }
      /* the VM's scratch is reused by the next evaluation: keep a copy of
      ** the text (vals holds only copies: they are freed below) */
      if (v.t == VT_STR) {
        char *d = vg_realloc(NULL, v.len ? v.len : 1);
        if (!d) { result = -1; break; }
        memcpy(d, v.u.s, v.len);
        v.u.s = d;
      }
      vals[k] = v;
    }
    int32_t mi = result == 0 ? member_of(&st, &row, m->key, &kb) : -1;
    if (result == 0 && mi < 0) result = -1;
    if (result == 0) {
      rmember *mm = &st.mem.v[mi];
      val g = row.v[ro->group];
      int32_t gi = g.t == VT_NULL ? -1 : group_of(&st, g, &kb);
      mm = &st.mem.v[mi];
      if (g.t != VT_NULL && gi < 0) result = -1;
      else {
        if (mm->group != gi) {
          if (mm->group >= 0) {
            leave(&st, mm->group, mi);
            if (mark_dirty(&st, mm->group) != 0) result = -1;
          }
          if (gi >= 0 && join(&st, gi, mi) != 0) result = -1;
          mm->group = gi;
        }
        if (gi >= 0 && mark_dirty(&st, gi) != 0) result = -1;
        mm->time = row.time;
        if (set_values(&st, mm, vals) != 0) result = -1;
      }
    }
    for (unsigned k = 0; k < ro->ncols; k++)
      if (vals[k].t == VT_STR && ro->cols[k].fn >= 0) vg_free((void *)vals[k].u.s);
    if (result != 0) break;
  }
  exec_count_rollup(pr, ro->member, 0);
  if (exec_rollup_bad_keep(pr, (int)(ro - p->rollups)) != 0 && result == 0) result = -1;
  if (result == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "source %s: reading table %s failed: %s", m->name, m->table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
  }
  if (result == 0 && cur != INT32_MIN && flush(&st, cur) != 0) result = -1;
  if (result == 0) {
    /* the (key, time) index every source is read by; one name per rollup */
    const vm_source *s = &p->sources[ro->source];
    vg_buf ix = {NULL, 0, 0}, name = {NULL, 0, 0};
    int brc = vg_buf_printf(&name, "%s index", s->table);
    if (!brc)
      brc = vg_buf_append(&ix, "CREATE INDEX temp.", 18) | exec_quote_ident(&ix, name.data) | vg_buf_append(&ix, " ON ", 4) |
            exec_quote_ident(&ix, s->table) | vg_buf_append(&ix, "(", 1) | exec_quote_ident(&ix, m->cols[ro->group].name) |
            vg_buf_append(&ix, ", ", 2) | exec_quote_ident(&ix, m->cols[m->time].name) | vg_buf_append(&ix, ")", 1);
    if (brc) result = -1;
    else if (sqlite3_exec(pr->db, ix.data, NULL, NULL, NULL) != SQLITE_OK) {
      exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "rollup %s: cannot index its rows: %s", s->name, sqlite3_errmsg(pr->db));
      pr->failed = 1;
      result = -1;
    }
    vg_buf_free(&ix);
    vg_buf_free(&name);
  }
done:
  sqlite3_finalize(q);
  rstate_free(&st);
  vg_free(vals);
  vg_free(row.v);
  vg_free(row.buf);
  vg_buf_free(&kb);
  return result;
}

int exec_rollup_of(const vm_program *p, int si) {
  for (unsigned i = 0; i < p->nrollups; i++)
    if (p->rollups[i].source == si) return (int)i;
  return -1;
}

int exec_rollups(exec_pack *pr) {
  const vm_program *p = pr->p;
  if (!p->nrollups) return 0;
  int day_rc = exec_sql_day_register(pr->db);
  if (day_rc == SQLITE_NOMEM) return -1;
  if (day_rc != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "rollups: %s", sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  for (unsigned i = 0; i < p->nrollups; i++) {
    long long rows = pr->rows_read;
    int rc = one_rollup(pr, &p->rollups[i], 0);
    if (rc == 2) { /* again, in day order: what the first pass read and counted does not count */
      pr->rows_read = rows;
      exec_rollup_bad_clear(pr, p->rollups[i].member);
      rc = one_rollup(pr, &p->rollups[i], 1);
    }
    if (rc != 0) return -1;
  }
  return 0;
}
