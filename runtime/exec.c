/*
** exec.c — running one program over a SQLite database: the driver.
**
** exec_pack_eval checks the tables the program reads, makes the rollups'
** rows (rollup.c), loads the org chart (org.c), plans the evidence
** (evidence.c), evaluates the rules of each source (scan.c) and, when every
** source is done, closes what was open and not seen (life.c), reports the
** bad data read and puts the alerts in order (alerts.c).
**
** Bad data (rows.c counts it per source and column, with an example key) is
** reported once per rule and column that reads it, and once per rollup and
** column.  Recording happens in run.c, in the transaction the run holds.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "exec.h"
#include "rows.h"
#include "db.h"
#include "lookup.h"
#include "scan.h"
#include "org.h"
#include "evidence.h"
#include "rollup.h"
#include "reads.h"

/* What each kind of bad data (rows.h) is, as reports say it. */
static const char *const bad_what[BAD__COUNT] = {
  "value(s) that are not numbers in a number column, read as null",
  "unreadable date(s), read as null",
  "row(s) with a NULL key, skipped",
  "row(s) whose key cannot be read as its column's type, skipped",
  "row(s) with a NULL time, skipped",
  "row(s) with an unreadable time, skipped",
  "duplicate row(s) for the same key and day; the one with the larger rowid is used",
};
static const vg_dcode bad_code[BAD__COUNT] = {
  DIAG_W_NOT_NUMBER, DIAG_W_BAD_DATE, DIAG_W_NULL_KEY, DIAG_W_BAD_KEY, DIAG_W_NULL_TIME, DIAG_W_BAD_TIME, DIAG_W_DUPLICATE_ROW,
};

/* ---- checks before running ---------------------------------------------------------- */

/* The columns the program reads must exist with the types it was compiled
** for (a .vgc may meet another database than it was compiled against). */
static int check_tables(exec_pack *pr) {
  const vm_program *p = pr->p;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(pr->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: cannot read the schema: %s", pr->o->db_path, sqlite3_errmsg(pr->db));
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
        exec_diag(pr->o, VG_ERROR, DIAG_E_MISSING_COLUMN, NULL, 0, 0, "pack %s, source %s: the database has no column %s.%s", p->pack, s->name, s->table,
             s->cols[k].name);
        rc = -1;
      }
    }
  }
  sqlite3_finalize(st);
  return rc;
}

/* ---- bad data ----------------------------------------------------------------------- */

static void report_counts(exec_pack *pr, const vm_rule *r, int si, const uint8_t *used, const bad_count *bad, const char *how) {
  const vm_program *p = pr->p;
  const vm_source *s = &p->sources[si];
  for (int k = 0; k < s->ncols; k++) {
    if (!used[k]) continue;
    for (int b = 0; b < BAD__COUNT; b++) {
      const bad_count *bc = &bad[k * BAD__COUNT + b];
      if (!bc->n) continue;
      pr->warnings++;
      /* without a rowid (a WITHOUT ROWID table, a PostgreSQL table without
      ** an integer primary key) nothing says which duplicate is newer */
      const char *what = b == BAD_DUP && pr->srcs && pr->srcs[si].rowid_known && !pr->srcs[si].rowid_sql
                             ? "duplicate row(s) for the same key and day; the table has no rowid (an integer primary key) to"
                               " tell which is newer, and the one read first is used"
                             : bad_what[b];
      exec_diag(pr->o, VG_WARNING, bad_code[b], p->files[r->file], (int)r->line, (int)r->col, "rule %s: table %s, column %s%s: %lld %s%s%s%s", r->name,
           s->table, s->cols[k].name, how, bc->n, what, bc->example[0] ? " (e.g. key " : "", bc->example,
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
      exec_diag(pr->o, VG_WARNING, bad_code[b], NULL, 0, 0, "rollup %s: table %s, column %s: %lld %s%s%s%s", p->sources[ro->source].name,
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

static int on_person_name(void *ud, const char *person, size_t len, const char **out, size_t *outlen) {
  return exec_org_name(ud, person, len, out, outlen);
}

static int on_manager(void *ud, vm_state *vm, const char *person, size_t len, int levels, const char **out,
                      size_t *outlen) {
  exec_pack *pr = ud;
  return exec_org_manager(pr, vm->cur_rule, person, len, levels, out, outlen);
}

void exec_pack_free(exec_pack *pr) {
  vg_free(pr->found);
  if (pr->srcs) {
    for (int i = 0; i < pr->p->nsources; i++) {
      sqlite3_finalize(pr->srcs[i].lookup);
      vg_free(pr->srcs[i].lrow.v);
      vg_free(pr->srcs[i].lrow.buf);
      vg_free(pr->srcs[i].cand.v);
      vg_free(pr->srcs[i].cand.buf);
      vg_free(pr->srcs[i].lkeybuf);
      vg_free(pr->srcs[i].rowid_sql);
      vg_free(pr->srcs[i].pend);
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
  vg_vec_free(&pr->alerts);
  exec_life_free(pr);
  exec_org_free(pr);
  exec_evidence_free(pr);
  vg_buf_free(&pr->keytext);
  vg_arena_free(&pr->arena);
  vg_arena_free(&pr->alert_arena);
  sqlite3_finalize(pr->spill_ins);
  vg_free(pr->tally);
}

double exec_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int exec_poll(exec_pack *pr) {
  exec_progress *g = pr->o->progress;
  if (!pr->stopped) {
    g->p.phase = VG_PHASE_EVAL;
    g->p.pack = pr->p->pack;
    g->p.dates_total = pr->o->find_dates && pr->dates != pr->found ? pr->nfound : pr->ndates; /* (found so far) */
    g->p.dates_done = 0;
    g->p.rows_read = g->rows_base + pr->rows_read;
    g->p.keys_done = g->keys_base + pr->keys_done;
    g->p.elapsed = exec_clock() - g->t0;
    if (g->fn(g->ud, &g->p) != 0) pr->stopped = 1;
  }
  return pr->stopped;
}

/* Rows of table t by its rowids, (max - min + 1): the two ends of the
** table's b-tree, each an O(log n) lookup, so cheap.  -1 when t is not an
** ordinary rowid table of the main database (a view, WITHOUT ROWID, a
** virtual table such as PostgreSQL's, one the temp schema hides) or its
** rowid cannot be named (exec_db_rowid). */
static long long table_rows(sqlite3 *db, const char *t) {
  sqlite3_stmt *st = NULL;
  long long n = -1;
  vg_buf rid = {NULL, 0, 0};
  if (sqlite3_prepare_v2(db, "SELECT sum(schema = 'main' AND type = 'table' AND NOT wr), count(*) FROM pragma_table_list"
                         " WHERE name = ?1 COLLATE NOCASE AND schema IN ('main', 'temp')", -1, &st, NULL) != SQLITE_OK ||
      sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
      sqlite3_column_int(st, 0) != 1 || sqlite3_column_int(st, 1) != 1)
    goto done;
  sqlite3_finalize(st);
  st = NULL;
  if (exec_db_rowid(db, t, &rid) != 1) goto done;
  /* two subqueries: SQLite answers a lone min() or max() of the rowid from
  ** the b-tree's end, not both in one */
  char *sql = sqlite3_mprintf("SELECT coalesce((SELECT max(%s) FROM main.\"%w\") - (SELECT min(%s) FROM main.\"%w\") + 1, 0)",
                              rid.data, t, rid.data, t);
  if (!sql) goto done;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  sqlite3_free(sql);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
done:
  sqlite3_finalize(st);
  vg_buf_free(&rid);
  return n;
}

long long exec_rows_total(sqlite3 *db, const vm_program *programs, int n) {
  long long total = 0;
  for (int i = 0; i < n; i++) {
    const vm_program *p = &programs[i];
    /* each source a rule is on is scanned once; each rollup reads its
    ** members' table once more */
    for (int si = 0; si < p->nsources; si++) {
      if (exec_rollup_of(p, si) >= 0) continue;
      int reads = 0;
      for (int r = 0; r < p->nrules; r++) reads += p->rules[r].source == si;
      reads = reads > 0;
      for (int k = 0; k < p->nrollups; k++) reads += p->rollups[k].member == si;
      if (!reads) continue;
      long long rows = table_rows(db, p->sources[si].table);
      if (rows < 0) return -1;
      total += rows * reads;
    }
  }
  return total;
}

/* The VMs' poll: the caller's progress callback, until it says stop. */
static int poll_progress(void *ud) { return exec_poll(ud); }

int exec_pack_eval(exec_pack *pr) {
  pr->as_of = pr->ndates ? pr->dates[pr->ndates - 1] : 0;
  vm_program *p = pr->p;
  vm_state_init(&pr->vm, p, pr->as_of);
  vm_state_init(&pr->wvm, p, pr->as_of);
  pr->vm.lookup = exec_lookup;
  pr->vm.emit = exec_on_emit;
  pr->vm.manager = on_manager;
  pr->vm.person_name = on_person_name;
  pr->vm.ud = pr;
  if (pr->o->step_budget) pr->vm.budget = pr->wvm.budget = pr->o->step_budget;
  if (pr->o->progress) {
    pr->vm.poll = pr->wvm.poll = poll_progress;
    pr->vm.poll_ud = pr->wvm.poll_ud = pr;
  }
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
    /* the row being read: its pending bad data, then the columns the where reads */
    size_t nc = (size_t)(p->sources[i].ncols ? p->sources[i].ncols : 1);
    uint8_t *seen = vg_realloc(NULL, p->nfuncs ? p->nfuncs : 1);
    pr->srcs[i].pend = vg_realloc(NULL, 2 * nc);
    if (!seen || !pr->srcs[i].pend) { vg_free(seen); return -1; }
    memset(seen, 0, p->nfuncs ? p->nfuncs : 1);
    memset(pr->srcs[i].pend, 0, 2 * nc);
    if (p->sources[i].where >= 0) exec_mark_reads(p, p->sources[i].where, pr->srcs[i].pend + nc, NULL, NULL, seen);
    vg_free(seen);
  }
  pr->tally = vg_realloc(NULL, (size_t)(p->ntiers ? p->ntiers : 1) * LIFE__COUNT * sizeof *pr->tally);
  if (!pr->tally) return -1;
  memset(pr->tally, 0, (size_t)(p->ntiers ? p->ntiers : 1) * LIFE__COUNT * sizeof *pr->tally);
  if (check_tables(pr) != 0) { pr->failed = 1; return -1; }
  if (exec_spill_table(pr) != 0) return -1;
  if (exec_rollups(pr) != 0) return -1;
  if (exec_org_load(pr) != 0) return -1;
  if (pr->want_evidence && exec_evidence_plan(pr) != 0) return -1;
  for (int i = 0; i < p->nsources; i++)
    if (exec_run_source(pr, i) != 0 || pr->failed) return -1;
  if (pr->stopped) return -1; /* (met where an evaluation's failure is not one: evidence) */
  if (pr->vm.type_warnings) {
    pr->warnings++;
    exec_diag(pr->o, VG_WARNING, DIAG_W_DYNAMIC_TYPE, NULL, 0, 0, "pack %s: %llu operation(s) met a value of a type they do not take and gave null",
         p->pack, (unsigned long long)pr->vm.type_warnings);
  }
  pr->seq_swept = pr->seq_next; /* alerts from here on: the sweep's (parts.c orders by it) */
  if (pr->ndates == 1 && exec_life_sweep(pr, pr->dates[0]) != 0) return -1;
  report_bad(pr);
  exec_org_report(pr);
  return exec_alerts_done(pr);
}

