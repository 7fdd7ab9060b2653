/*
** run.c — the public entry points that evaluate programs: vg_run (one date,
** recorded in vigil_runs / vigil_alerts) and vg_backtest (every date of a
** range, in one pass per source).  Both open the database, hold one
** transaction (one snapshot of the data; an atomic recording), evaluate
** each program with exec.c, and hand the alerts over only once all went
** well.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "exec.h"
#include "db.h"
#include "parts.h"
#include "../core/pg.h"
#include "../core/shard.h"
#include "../core/diagcodes.h"
#include "../core/params.h"
#include "../stdlib/lib.h"

int vg_parse_date(const char *text, int *days) {
  int32_t d;
  size_t n = strlen(text);
  if (n != 10 || !lib_parse_date(text, n, &d)) return 0;
  *days = d;
  return 1;
}

/* ---- what a program holds (for reports that list every rule) ------------- */

int vg_program_rule_count(const vg_program *p) { return p->nrules; }
const char *vg_program_rule_name(const vg_program *p, int i) {
  return i >= 0 && i < p->nrules ? p->rules[i].name : NULL;
}
int vg_program_tier_count(const vg_program *p) { return p->ntiers; }
const char *vg_program_tier_name(const vg_program *p, int i) {
  return i >= 0 && i < p->ntiers ? p->tiers[i] : NULL;
}
int vg_program_param_count(const vg_program *p) { return p->nparams; }
const char *vg_program_param_name(const vg_program *p, int i) {
  return i >= 0 && i < p->nparams ? p->params[i].name : NULL;
}

/* ---- recording ------------------------------------------------------------ */


long long exec_open_alerts(const exec_pack *pr) {
  long long n = 0;
  for (int t = 0; t < pr->p->ntiers; t++)
    for (int s = 0; s < LIFE__COUNT; s++) n += s != LIFE_RESOLVED ? pr->tally[t * LIFE__COUNT + s] : 0;
  return n;
}

int exec_has_column(sqlite3 *db, const char *table, const char *col) {
  sqlite3_stmt *st = NULL;
  int found = 0;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}

void exec_now_utc(char *buf, size_t cap) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static int exec_sql(sqlite3 *db, const exec_opts *o, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    int busy = (sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY;
    exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", o->db_path, busy || !err ? vg_db_errmsg(db) : err);
    sqlite3_free(err);
    return -1;
  }
  return 0;
}

static int record(sqlite3 *db, const exec_opts *o, exec_pack *prs, int n, const char *as_of, const char *started,
                  long long *ids) {
  if (exec_db_create(db, EXEC_REC_RUNS) != SQLITE_OK || exec_db_create(db, EXEC_REC_ALERTS) != SQLITE_OK) {
    exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", o->db_path, vg_db_errmsg(db));
    return -1;
  }
  /* a database recorded by an earlier version lacks the lifecycle columns */
  if (!exec_has_column(db, "vigil_alerts", "status") &&
      exec_sql(db, o, "ALTER TABLE vigil_alerts ADD COLUMN status TEXT NOT NULL DEFAULT 'new';"
                      "ALTER TABLE vigil_alerts ADD COLUMN first_seen TEXT;"
                      "ALTER TABLE vigil_alerts ADD COLUMN runs INTEGER NOT NULL DEFAULT 1;") != 0)
    return -1;
  if (!exec_has_column(db, "vigil_alerts", "tier_rank") &&
      exec_sql(db, o, "ALTER TABLE vigil_alerts ADD COLUMN tier_rank INTEGER;"
                      "ALTER TABLE vigil_alerts ADD COLUMN evidence TEXT;"
                      "ALTER TABLE vigil_alerts ADD COLUMN route TEXT;") != 0)
    return -1;
  sqlite3_stmt *del_a = NULL, *del_r = NULL, *ins_r = NULL, *ins_a = NULL;
  int rc = 0;
  char finished[40];
  exec_now_utc(finished, sizeof finished);
  if (sqlite3_prepare_v2(db, "DELETE FROM vigil_alerts WHERE run_id IN (SELECT run_id FROM vigil_runs WHERE pack = ?1 AND as_of = ?2)", -1, &del_a, NULL) ||
      sqlite3_prepare_v2(db, "DELETE FROM vigil_runs WHERE pack = ?1 AND as_of = ?2", -1, &del_r, NULL) ||
      sqlite3_prepare_v2(db, "INSERT INTO vigil_runs(pack, as_of, started_at, finished_at, status, rows_read, alerts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &ins_r, NULL) ||
      sqlite3_prepare_v2(db, "INSERT INTO vigil_alerts(run_id, pack, rule, tier, key, as_of, message, recipient, status, first_seen, runs, tier_rank, evidence, route) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", -1, &ins_a, NULL)) {
    rc = -1;
    goto done;
  }
  for (int i = 0; i < n && rc == 0; i++) {
    exec_pack *pr = &prs[i];
    const vm_program *p = pr->p;
    sqlite3_stmt *dels[2] = {del_a, del_r};
    for (int k = 0; k < 2; k++) {
      sqlite3_reset(dels[k]);
      sqlite3_bind_text(dels[k], 1, p->pack, -1, SQLITE_STATIC);
      sqlite3_bind_text(dels[k], 2, as_of, -1, SQLITE_STATIC);
      if (sqlite3_step(dels[k]) != SQLITE_DONE) { rc = -1; goto done; }
    }
    sqlite3_reset(ins_r);
    sqlite3_bind_text(ins_r, 1, p->pack, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_r, 2, as_of, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_r, 3, started, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_r, 4, finished, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins_r, 5, pr->warnings ? "warnings" : "ok", -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins_r, 6, pr->rows_read);
    sqlite3_bind_int64(ins_r, 7, exec_open_alerts(pr));
    if (sqlite3_step(ins_r) != SQLITE_DONE) { rc = -1; goto done; }
    long long run_id = sqlite3_last_insert_rowid(db);
    ids[i] = run_id;
    exec_iter it;
    if (exec_iter_open(pr, &it) != 0) { rc = -1; goto done; }
    for (const exec_alert *al; (al = exec_iter_next(&it)) != NULL;) {
      sqlite3_reset(ins_a);
      sqlite3_bind_int64(ins_a, 1, run_id);
      sqlite3_bind_text(ins_a, 2, p->pack, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins_a, 3, p->rules[al->rule].name, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins_a, 4, p->tiers[al->tier], -1, SQLITE_STATIC);
      sqlite3_bind_text64(ins_a, 5, al->key, al->key_len, SQLITE_STATIC, SQLITE_UTF8);
      sqlite3_bind_text(ins_a, 6, as_of, -1, SQLITE_STATIC);
      if (al->message) sqlite3_bind_text64(ins_a, 7, al->message, al->message_len, SQLITE_STATIC, SQLITE_UTF8);
      else sqlite3_bind_null(ins_a, 7);
      if (al->recipient) sqlite3_bind_text64(ins_a, 8, al->recipient, al->recipient_len, SQLITE_STATIC, SQLITE_UTF8);
      else sqlite3_bind_null(ins_a, 8);
      char first[16];
      lib_format_date(al->first_seen, first);
      sqlite3_bind_text(ins_a, 9, exec_life_names[al->status], -1, SQLITE_STATIC);
      sqlite3_bind_text(ins_a, 10, first, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(ins_a, 11, al->runs);
      sqlite3_bind_int(ins_a, 12, al->tier);
      if (al->evidence) sqlite3_bind_text(ins_a, 13, al->evidence, -1, SQLITE_STATIC);
      else sqlite3_bind_null(ins_a, 13);
      if (al->route) sqlite3_bind_text(ins_a, 14, al->route, -1, SQLITE_STATIC);
      else sqlite3_bind_null(ins_a, 14);
      if (sqlite3_step(ins_a) != SQLITE_DONE) { rc = -1; break; }
    }
    exec_iter_close(&it);
    if (rc != 0 || pr->failed) { rc = -1; goto done; }
  }
done:
  if (rc != 0) exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: recording the run failed: %s", o->db_path, sqlite3_errmsg(db));
  sqlite3_finalize(del_a);
  sqlite3_finalize(del_r);
  sqlite3_finalize(ins_r);
  sqlite3_finalize(ins_a);
  return rc;
}

/* vigil_backtest: the alerts of a recorded backtest (exactly those it gives:
** not the entries of alerts that close), replacing the pack's earlier ones
** for the dates evaluated. */
static int record_backtest(sqlite3 *db, const exec_opts *o, exec_pack *prs, int n) {
  if (exec_db_create(db, EXEC_REC_BACKTEST) != SQLITE_OK) {
    exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", o->db_path, vg_db_errmsg(db));
    return -1;
  }
  sqlite3_stmt *del = NULL, *ins = NULL;
  int rc = 0;
  if (sqlite3_prepare_v2(db, "DELETE FROM vigil_backtest WHERE pack = ?1 AND as_of BETWEEN ?2 AND ?3", -1, &del, NULL) ||
      sqlite3_prepare_v2(db, "INSERT INTO vigil_backtest(pack, rule, tier, key, as_of, message, recipient)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &ins, NULL)) {
    rc = -1;
    goto done;
  }
  for (int i = 0; i < n && rc == 0; i++) {
    exec_pack *pr = &prs[i];
    char lo[16], hi[16], day[16];
    lib_format_date(pr->dates[0], lo);
    lib_format_date(pr->dates[pr->ndates - 1], hi);
    sqlite3_reset(del);
    sqlite3_bind_text(del, 1, pr->p->pack, -1, SQLITE_STATIC);
    sqlite3_bind_text(del, 2, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(del, 3, hi, -1, SQLITE_STATIC);
    if (sqlite3_step(del) != SQLITE_DONE) { rc = -1; break; }
    exec_iter it;
    if (exec_iter_open(pr, &it) != 0) { rc = -1; break; }
    for (const exec_alert *al; (al = exec_iter_next(&it)) != NULL;) {
      if (al->status == LIFE_RESOLVED) continue; /* not an alert: the table holds what the backtest gives */
      lib_format_date(al->date, day);
      sqlite3_reset(ins);
      sqlite3_bind_text(ins, 1, pr->p->pack, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 2, pr->p->rules[al->rule].name, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 3, pr->p->tiers[al->tier], -1, SQLITE_STATIC);
      sqlite3_bind_text64(ins, 4, al->key, al->key_len, SQLITE_STATIC, SQLITE_UTF8);
      sqlite3_bind_text(ins, 5, day, -1, SQLITE_TRANSIENT);
      if (al->message) sqlite3_bind_text64(ins, 6, al->message, al->message_len, SQLITE_STATIC, SQLITE_UTF8);
      else sqlite3_bind_null(ins, 6);
      if (al->recipient) sqlite3_bind_text64(ins, 7, al->recipient, al->recipient_len, SQLITE_STATIC, SQLITE_UTF8);
      else sqlite3_bind_null(ins, 7);
      if (sqlite3_step(ins) != SQLITE_DONE) { rc = -1; break; }
    }
    exec_iter_close(&it);
    if (pr->failed) rc = -1;
  }
done:
  if (rc != 0) exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: recording the backtest failed: %s", o->db_path, sqlite3_errmsg(db));
  sqlite3_finalize(del);
  sqlite3_finalize(ins);
  return rc;
}

/* The alerts open at the pack's latest recorded run before as_of become the
** previous state of the alerts' life (life.c).  A database without runs, or
** recorded by a version without the lifecycle columns, is read as far as it
** goes.  Returns 0, or -1 when out of memory. */
static int load_previous(sqlite3 *db, exec_pack *pr, const char *as_of) {
  if (!exec_has_column(db, "vigil_alerts", "key") || !exec_has_column(db, "vigil_runs", "as_of")) return 0;
  int life = exec_has_column(db, "vigil_alerts", "status");
  char sql[640];
  snprintf(sql, sizeof sql,
           "SELECT a.rule, a.key, a.tier, %s, %s, a.message, a.recipient FROM vigil_alerts a"
           " WHERE a.run_id = (SELECT run_id FROM vigil_runs WHERE pack = ?1 AND as_of < ?2 ORDER BY as_of DESC LIMIT 1)%s",
           life ? "coalesce(a.first_seen, a.as_of)" : "a.as_of", life ? "a.runs" : "1",
           life ? " AND a.status != 'resolved'" : "");
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    sqlite3_finalize(st);
    return 0; /* no usable history: every alert is new */
  }
  sqlite3_bind_text(st, 1, pr->p->pack, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, as_of, -1, SQLITE_STATIC);
  int rc = 0;
  while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
    const char *rule = (const char *)sqlite3_column_text(st, 0), *key = (const char *)sqlite3_column_text(st, 1);
    const char *tier = (const char *)sqlite3_column_text(st, 2), *first = (const char *)sqlite3_column_text(st, 3);
    int ri = -1, ti = -1;
    for (int i = 0; rule && i < pr->p->nrules; i++)
      if (strcmp(pr->p->rules[i].name, rule) == 0) ri = i;
    for (int i = 0; tier && i < pr->p->ntiers; i++)
      if (strcmp(pr->p->tiers[i], tier) == 0) ti = i;
    int32_t fs;
    if (ri < 0 || ti < 0 || !key || !first || !lib_parse_date(first, strlen(first), &fs)) continue; /* a rule since removed */
    if (pr->o->nshards > 1) { /* a shard's alerts are its keys' */
      const vm_source *s = &pr->p->sources[pr->p->rules[ri].source];
      if (db_shard_of_text(key, (size_t)sqlite3_column_bytes(st, 1), s->cols[s->key].type != VT_STR, pr->o->nshards) != pr->o->shard)
        continue;
    }
    const char *msg = (const char *)sqlite3_column_text(st, 5), *rcp = (const char *)sqlite3_column_text(st, 6);
    rc = exec_life_open(pr, ri, key, (size_t)sqlite3_column_bytes(st, 1), ti, fs, sqlite3_column_int(st, 4), msg,
                        msg ? (size_t)sqlite3_column_bytes(st, 5) : 0, rcp, rcp ? (size_t)sqlite3_column_bytes(st, 6) : 0);
  }
  sqlite3_finalize(st);
  return rc;
}

/* ---- the shared driver -------------------------------------------------------- */

typedef struct drive {
  exec_opts eo;
  vm_program *views; /* per program: what this run evaluates (run_views) */
  vg_arena arena;    /* the views' param tables */
  int dry_run;
  unsigned tables;  /* the recording tables it writes: bits 1 << exec_rec_table (checked before evaluating) */
  int evidence;   /* compute each alert's evidence */
  sqlite3 *db;
  int borrowed;     /* db is the caller's (opts.db): left open, its temporary objects dropped */
  enum { TXN_NONE, TXN_OWN, TXN_SAVEPOINT } txn; /* what drive_end ends */
  int made_temp;    /* (borrowed) the run may have made temporary tables: drop them */
  exec_pack *prs;
  int n;
  exec_progress prog; /* eo.progress points to it when the caller gave a progress callback */
} drive;

/* Set up d->prog for the caller's callback fn (NULL: none). */
static void progress_begin(drive *d, vg_progress_fn fn, void *ud) {
  if (!fn) return;
  d->prog.fn = fn;
  d->prog.ud = ud;
  d->prog.t0 = exec_clock();
  d->eo.progress = &d->prog;
}

/* The last poll, once every pack is evaluated (VG_PHASE_DONE): nonzero
** when the callback says stop. */
static int progress_done(drive *d, int ndates) {
  exec_progress *g = d->eo.progress;
  if (!g) return 0;
  g->p.phase = VG_PHASE_DONE;
  g->p.dates_total = g->p.dates_done = ndates;
  g->p.rows_read = g->rows_base;
  g->p.keys_done = g->keys_base;
  g->p.elapsed = exec_clock() - g->t0;
  return g->fn(g->ud, &g->p) != 0;
}

/* The name a database is given in messages: the path, or for a caller's
** connection given without one, its file name (":memory:" for none). */
static const char *db_label(const char *path, sqlite3 *db) {
  if (path) return path;
  const char *f = db ? sqlite3_db_filename(db, "main") : NULL;
  return f && *f ? f : ":memory:";
}

/* A run needs a database: a path or the caller's connection. */
static vg_status need_db(const exec_opts *eo, const char *path, sqlite3 *db) {
  if (path || db) return VG_OK;
  exec_diag(eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "no database: give db_path or db");
  return VG_EUSAGE;
}

/* The run's view of each program: a copy of its header whose param table
** is this run's own (the values as compiled, with the overrides of ps for
** the program's pack); the rest (code, constants, sources) is the program's,
** shared and only read.  So a program is never written by a run, and one
** program can serve runs with different params at the same time.  Returns
** VG_OK; VG_ENOPARAM / VG_EPARAM (reported) when an override does not fit
** the program of its pack (set for another program of the same name);
** VG_ENOMEM. */
static vg_status run_views(drive *d, const vg_program *const *programs, int n, const vg_params *ps) {
  d->views = vg_arena_alloc(&d->arena, (size_t)(n ? n : 1) * sizeof *d->views);
  if (!d->views) return VG_ENOMEM;
  for (int i = 0; i < n; i++) {
    vm_program *v = &d->views[i];
    *v = *programs[i];
    memset(&v->arena, 0, sizeof v->arena); /* (the program's: never freed through a view) */
    if (!ps) continue;
    if (v->nparams) {
      v->params = vg_arena_alloc(&d->arena, v->nparams * sizeof *v->params);
      if (!v->params) return VG_ENOMEM;
      memcpy(v->params, programs[i]->params, v->nparams * sizeof *v->params);
    }
    for (size_t k = 0; k < ps->v.n; k++) {
      const vg_param_value *e = &ps->v.v[k];
      if (strcmp(e->pack, v->pack) != 0) continue;
      int pi = -1;
      for (int j = 0; j < v->nparams && pi < 0; j++)
        if (strcmp(v->params[j].name, e->name) == 0) pi = j;
      if (pi < 0 || v->params[pi].value.t != e->value.t) {
        exec_diag(&d->eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "pack %s: the override of param '%s' was set for another program of that pack (%s)", v->pack,
                 e->name, pi < 0 ? "this one has no such param" : "here it has another type");
        return pi < 0 ? VG_ENOPARAM : VG_EPARAM;
      }
      v->params[pi].value = e->value;
    }
  }
  return VG_OK;
}

/* Before a run on the caller's connection: a temporary table of the
** caller's named as a rollup's table would be replaced by the rollup's rows
** (rollup.c makes them under the table's name) and then dropped.  Returns
** VG_OK, or VG_EUSAGE (reported) when there is one. */
static vg_status check_temp_names(drive *d, int n) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(d->db, "SELECT 1 FROM temp.sqlite_schema WHERE name = ?1 COLLATE NOCASE", -1, &st, NULL) != SQLITE_OK) {
    exec_diag(&d->eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", d->eo.db_path, vg_db_errmsg(d->db));
    sqlite3_finalize(st);
    return VG_EDB;
  }
  vg_status rc = VG_OK;
  for (int i = 0; i < n && rc == VG_OK; i++)
    for (unsigned r = 0; r < d->views[i].nrollups && rc == VG_OK; r++) {
      const char *table = d->views[i].sources[d->views[i].rollups[r].source].table;
      sqlite3_reset(st);
      sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
      if (sqlite3_step(st) == SQLITE_ROW) {
        exec_diag(&d->eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0,
                  "%s: the connection has a temporary table '%s', which a rollup of pack %s makes for the run; "
                  "drop it or run on another connection", d->eo.db_path, table, d->views[i].pack);
        rc = VG_EUSAGE;
      }
    }
  sqlite3_finalize(st);
  return rc;
}

/* Open the database (read-only for a dry run), or take the caller's; begin
** the transaction (a savepoint inside the caller's) and evaluate every
** program (its view) at dates.  Returns VG_OK or the failure. */
static vg_status drive_eval(drive *d, sqlite3 *db, int n, const int32_t *dates, int ndates, int history) {
  if (db) {
    d->db = db;
    d->borrowed = 1;
  } else {
    /* NOMUTEX: the connection is used by this thread only, and serialized mode
    ** locks a mutex on every sqlite3_column_* call (17% of a nightly run) */
    int flags = (d->dry_run ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    char err[256];
    vg_status st = vg_db_open(d->eo.db_path, flags, &d->db, err, sizeof err);
    if (st != VG_OK) {
      exec_diag(&d->eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: cannot open the database: %s", d->eo.db_path, err);
      return st;
    }
    if (d->eo.on_open && d->eo.on_open(d->eo.open_ud, d->db) != 0) {
      exec_diag(&d->eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: cannot set up the connection: %s", d->eo.db_path, sqlite3_errmsg(d->db));
      return VG_EDB;
    }
  }
  if (!d->dry_run && sqlite3_db_readonly(d->db, "main") == 1) {
    /* SQLite falls back to read-only for a file it cannot write: say so
    ** before evaluating anything, not at the end */
    exec_diag(&d->eo, VG_ERROR, DIAG_E_READ_ONLY, NULL, 0, 0, "%s: the database is read-only, and a run records its alerts in it", d->eo.db_path);
    return VG_EDB;
  }
  d->prs = vg_realloc(NULL, (size_t)(n ? n : 1) * sizeof *d->prs);
  if (!d->prs) return VG_ENOMEM;
  memset(d->prs, 0, (size_t)(n ? n : 1) * sizeof *d->prs);
  d->n = n;
  if (d->borrowed) {
    vg_status st = check_temp_names(d, n);
    if (st != VG_OK) return st;
    d->made_temp = 1;
  }
  /* PostgreSQL: Vigil's tables made before the run's transaction begins (a
  ** table made meanwhile by another run, a shard, would not be in its
  ** snapshot); empty, they stay if the run fails */
  for (int t = 0; t < EXEC_REC__COUNT && !d->dry_run && pg_is(d->db); t++)
    if ((d->tables & 1u << t) && exec_db_create(d->db, (exec_rec_table)t) != SQLITE_OK) {
      exec_diag(&d->eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", d->eo.db_path, vg_db_errmsg(d->db));
      return VG_EDB;
    }
  if (d->borrowed && !sqlite3_get_autocommit(d->db)) {
    /* the caller's transaction is open: the run is a savepoint in it, and
    ** its snapshot and locks are the caller's */
    if (sqlite3_exec(d->db, "SAVEPOINT vigil_run", NULL, NULL, NULL) != SQLITE_OK) {
      exec_diag(&d->eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", d->eo.db_path, vg_db_errmsg(d->db));
      return VG_EDB;
    }
    d->txn = TXN_SAVEPOINT;
  } else {
    /* one transaction: the data read is one snapshot, and the recording is
    ** atomic; its lock is taken (or waited for) now */
    d->txn = TXN_OWN;
    if (db_begin(d->db, !d->dry_run) != SQLITE_OK) {
      exec_diag(&d->eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", d->eo.db_path, vg_db_errmsg(d->db));
      return VG_EDB;
    }
  }
  /* a recording run writes: find out now, not after evaluating, whether it
  ** can (a folder the journal cannot be created in, a full disk) */
  char why[256];
  if (!d->dry_run && exec_db_probe_write(d->db, why, sizeof why) != 0) {
    exec_diag(&d->eo, VG_ERROR, DIAG_E_READ_ONLY, NULL, 0, 0, "%s: a run records its alerts, and the database cannot be written: %s", d->eo.db_path, why);
    return VG_EDB;
  }
  /* and whether the tables it records into take what it writes */
  for (int t = 0; t < EXEC_REC__COUNT && !d->dry_run; t++) {
    if (!(d->tables & 1u << t)) continue;
    int rc = exec_db_check_table(d->db, (exec_rec_table)t, d->eo.db_path, "nothing was evaluated or recorded", d->eo.diag,
                                 d->eo.ud);
    if (rc != 0) return rc == -3 ? VG_ENOMEM : VG_EDB;
  }
  /* what the call will read, when every source is read whole */
  if (d->eo.progress)
    d->prog.p.rows_total = (d->eo.no_seek || ndates > 1) && d->eo.nshards <= 1 ? exec_rows_total(d->db, d->views, n) : -1;
  for (int i = 0; i < n; i++) {
    exec_pack *pr = &d->prs[i];
    pr->p = &d->views[i];
    pr->db = d->db;
    pr->o = &d->eo;
    pr->dates = dates;
    pr->ndates = ndates;
    pr->want_evidence = d->evidence;
    /* (a nightly run holds one key's window at a time: its alerts may take more) */
    pr->spill_bytes = history ? exec_spill_bytes * EXEC_RUN_SPILL_FACTOR : exec_spill_bytes;
    if (history) {
      char day[16];
      lib_format_date(dates[0], day);
      if (load_previous(d->db, pr, day) != 0) return VG_ENOMEM;
    }
    if (d->eo.progress) {
      d->prog.p.pack_index = i;
      d->prog.p.npacks = n;
    }
    if (exec_pack_eval(pr) != 0) return pr->stopped ? VG_ESTOPPED : pr->failed ? VG_EINPUT : VG_ENOMEM;
    d->prog.rows_base += pr->rows_read;
    d->prog.keys_base += pr->keys_done;
  }
  return VG_OK;
}

/* Commit (or, for a dry run or a failure, roll back): the run's own
** transaction, or its savepoint in the caller's. */
static vg_status drive_end(drive *d, vg_status status) {
  if (d->txn == TXN_OWN) {
    if (status == VG_OK) {
      /* a dry run's connection is read-only: COMMIT only ends its read, and
      ** keeps the alerts set aside in a temporary table for the caller */
      if (exec_sql(d->db, &d->eo, "COMMIT") != 0) status = VG_EDB;
    } else {
      sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
    }
  } else if (d->txn == TXN_SAVEPOINT) {
    if (status == VG_OK) {
      if (exec_sql(d->db, &d->eo, "RELEASE vigil_run") != 0) status = VG_EDB;
    }
    /* (the caller's transaction stays open, as it was before the run) */
    if (status != VG_OK) sqlite3_exec(d->db, "ROLLBACK TO vigil_run; RELEASE vigil_run", NULL, NULL, NULL);
  }
  d->txn = TXN_NONE;
  return status;
}

/* Drop temp.name if it exists (a caller's connection, after the run). */
static void drop_temp(sqlite3 *db, const char *name) {
  vg_buf q = {NULL, 0, 0};
  if (vg_buf_append(&q, "DROP TABLE IF EXISTS temp.", 26) == 0 && exec_quote_ident(&q, name) == 0 &&
      vg_buf_append(&q, "", 1) == 0)
    sqlite3_exec(db, q.data, NULL, NULL, NULL);
  vg_buf_free(&q);
}

/* Free the evaluation; close the run's own connection, or leave the
** caller's as it found it: its temporary tables and the SQL functions
** vigil_day and vigil_unread the run made are dropped. */
static void drive_free(drive *d) {
  for (int i = 0; i < d->n; i++)
    if (d->prs[i].p) exec_pack_free(&d->prs[i]);
  if (d->borrowed && d->made_temp) {
    for (int i = 0; i < d->n; i++) {
      if (d->prs[i].spill_table[0]) drop_temp(d->db, d->prs[i].spill_table);
      for (unsigned r = 0; r < d->views[i].nrollups; r++)
        drop_temp(d->db, d->views[i].sources[d->views[i].rollups[r].source].table);
    }
    sqlite3_create_function_v2(d->db, "vigil_day", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
    sqlite3_create_function_v2(d->db, "vigil_unread", -1, SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
  }
  vg_free(d->prs);
  if (!d->borrowed) sqlite3_close(d->db);
  vg_arena_free(&d->arena);
}

static int same_pack_twice(const exec_opts *o, const vg_program *const *programs, int n, const char *what) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(programs[i]->pack, programs[j]->pack) == 0) {
        exec_diag(o, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "pack %s is given twice; %s", programs[i]->pack, what);
        return 1;
      }
  return 0;
}

/* Hand one alert to the caller: 0, or nonzero when the caller says stop. */
static int give(const exec_pack *pr, const exec_alert *al, const char *day, vg_alert_fn fn, void *ud) {
  if (al->status == LIFE_RESOLVED) return 0; /* not an alert: counted in the summary */
  char first[16];
  lib_format_date(al->first_seen, first);
  vg_alert va = {.pack = pr->p->pack, .rule = pr->p->rules[al->rule].name, .tier = pr->p->tiers[al->tier],
                 .key = al->key, .as_of = day, .message = al->message, .recipient = al->recipient,
                 .status = exec_life_names[al->status], .first_seen = first, .runs = al->runs, .evidence = al->evidence,
                 .route = al->route, .key_len = al->key_len, .message_len = al->message_len,
                 .recipient_len = al->recipient_len};
  return fn(ud, &va);
}

/* The summary of pack pr: per tier, how many alerts are new, ongoing,
** escalated and resolved.  counts has room for ntiers * LIFE__COUNT.
** Returns what fn returns (nonzero: stop). */
static int summarize(const exec_pack *pr, long long run_id, long long *counts, vg_summary_fn fn, void *ud, int missing) {
  memcpy(counts, pr->tally, (size_t)pr->p->ntiers * LIFE__COUNT * sizeof *counts);
  vg_run_summary s = {pr->p->pack, pr->rows_read, exec_open_alerts(pr), pr->warnings, run_id,
                      pr->p->ntiers, (const char *const *)pr->p->tiers, counts,
                      pr->o->nshards > 1 ? pr->o->shard + 1 : 0, pr->o->nshards > 1 ? pr->o->nshards : 0, missing};
  return fn(ud, &s);
}

/* ---- vg_index_advice ------------------------------------------------------------- */

vg_status vg_index_advice(const vg_program *p, const char *db_path, vg_diag_fn diag, void *ud) {
  exec_opts eo;
  memset(&eo, 0, sizeof eo);
  eo.diag = diag;
  eo.ud = ud;
  eo.db_path = db_path;
  sqlite3 *db = NULL;
  char err[256];
  vg_status st = vg_db_open(db_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, &db, err, sizeof err);
  if (st != VG_OK) {
    exec_diag(&eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: cannot open the database: %s", db_path, err);
    return st;
  }
  /* a lock held too long is an error, not a table without its index */
  if (db_begin(db, 0) != SQLITE_OK) {
    exec_diag(&eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", db_path, vg_db_errmsg(db));
    sqlite3_close(db);
    return VG_EDB;
  }
  exec_pack pr;
  memset(&pr, 0, sizeof pr);
  pr.p = (vm_program *)p;
  pr.db = db;
  pr.o = &eo;
  exec_index_advice(&pr);
  sqlite3_close(db);
  return VG_OK;
}

/* 1 (reported) when shard of nshards is not a shard: 1 to N, N at most 1024. */
static int bad_shard(const exec_opts *eo, int shard, int nshards) {
  if (nshards > 1 ? shard >= 1 && shard <= nshards && nshards <= 1024 : nshards >= 0) return 0;
  exec_diag(eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "shard %d of %d: a shard is 1 to N, N at most 1024", shard, nshards);
  return 1;
}

/* ---- vg_run ------------------------------------------------------------------------ */

vg_status vg_run(const vg_program *const *programs, int n, const vg_run_opts *o) {
  return exec_run(programs, n, o, NULL, NULL);
}

vg_status exec_run(const vg_program *const *programs, int n, const vg_run_opts *o, int (*on_open)(void *, sqlite3 *),
                   void *open_ud) {
  drive d;
  memset(&d, 0, sizeof d);
  d.eo.on_open = on_open;
  d.eo.open_ud = open_ud;
  d.eo.diag = o->diag;
  d.eo.ud = o->ud;
  d.eo.db_path = db_label(o->db_path, o->db);
  d.eo.no_seek = o->no_seek;
  d.eo.shard = o->shard - 1;
  d.eo.nshards = o->nshards;
  d.eo.step_budget = o->step_budget;
  progress_begin(&d, o->progress, o->out_ud);
  if (need_db(&d.eo, o->db_path, o->db) != VG_OK) return VG_EUSAGE;
  if (bad_shard(&d.eo, o->shard, o->nshards)) return VG_EUSAGE;
  d.dry_run = o->dry_run;
  d.tables = 1u << EXEC_REC_RUNS | 1u << EXEC_REC_ALERTS;
  if (o->nshards > 1) d.tables |= 1u << EXEC_REC_PARTS | 1u << EXEC_REC_PART_ALERTS;
  d.evidence = !o->dry_run || o->evidence;
  int32_t as_of;
  char as_of_text[16];
  if (o->as_of) {
    int day;
    if (!vg_parse_date(o->as_of, &day)) {
      exec_diag(&d.eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "as_of %s: not a date (expected YYYY-MM-DD)", o->as_of);
      return VG_EUSAGE;
    }
    as_of = day;
  } else {
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    as_of = lib_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  }
  lib_format_date(as_of, as_of_text);
  if (same_pack_twice(&d.eo, programs, n, "a run records each pack once")) return VG_EUSAGE;
  char started[40];
  exec_now_utc(started, sizeof started);
  long long *ids = vg_realloc(NULL, (size_t)(n ? n : 1) * sizeof *ids);
  if (!ids) return VG_ENOMEM;
  memset(ids, 0, (size_t)(n ? n : 1) * sizeof *ids);
  vg_status status = run_views(&d, programs, n, o->params);
  if (status == VG_OK) status = drive_eval(&d, o->db, n, &as_of, 1, 1);
  if (status == VG_OK && o->strict) {
    int bad = 0;
    for (int i = 0; i < n; i++) bad += d.prs[i].warnings;
    if (bad) {
      exec_diag(&d.eo, VG_ERROR, DIAG_E_STRICT, NULL, 0, 0, "the data has problems (listed above); nothing is recorded");
      status = VG_EINPUT;
    }
  }
  if (status == VG_OK && progress_done(&d, 1)) status = VG_ESTOPPED;
  int sharded = o->nshards > 1;
  int *missing = vg_realloc(NULL, (size_t)(n ? n : 1) * sizeof *missing);
  if (!missing) status = VG_ENOMEM;
  else memset(missing, 0, (size_t)(n ? n : 1) * sizeof *missing);
  if (status == VG_OK && !o->dry_run &&
      (sharded ? exec_record_parts(d.db, &d.eo, d.prs, n, as_of_text, started) : record(d.db, &d.eo, d.prs, n, as_of_text, started, ids)) != 0)
    status = VG_EDB;
  status = drive_end(&d, status);
  /* a shard's part is in: publish the run if it was the last */
  for (int i = 0; status == VG_OK && sharded && !o->dry_run && i < n; i++)
    if (exec_publish(d.db, &d.eo, d.prs[i].p->pack, as_of_text, &ids[i], &missing[i]) != 0) status = VG_EDB;
  if (status == VG_OK) {
    for (int i = 0; i < n; i++) {
      exec_pack *pr = &d.prs[i];
      if (o->alert) {
        exec_iter it;
        if (exec_iter_open(pr, &it) != 0) { status = VG_EDB; break; }
        for (const exec_alert *al; status == VG_OK && (al = exec_iter_next(&it)) != NULL;)
          if (give(pr, al, as_of_text, o->alert, o->out_ud) != 0) status = VG_ESTOPPED;
        exec_iter_close(&it);
        if (status != VG_OK) break;
        if (pr->failed) { status = VG_EDB; break; }
      }
      if (o->summary) {
        long long *counts = vg_realloc(NULL, (size_t)pr->p->ntiers * LIFE__COUNT * sizeof *counts);
        if (!counts) { status = VG_ENOMEM; break; }
        int stop = summarize(pr, ids[i], counts, o->summary, o->out_ud, missing[i]);
        vg_free(counts);
        if (stop) { status = VG_ESTOPPED; break; }
      }
    }
  }
  drive_free(&d);
  vg_free(ids);
  vg_free(missing);
  return status;
}

/* ---- vg_backtest -------------------------------------------------------------------- */

vg_status vg_backtest(const vg_program *const *programs, int n, const vg_backtest_opts *o) {
  drive d;
  memset(&d, 0, sizeof d);
  d.eo.diag = o->diag;
  d.eo.ud = o->ud;
  d.eo.db_path = db_label(o->db_path, o->db);
  d.eo.no_seek = 1;
  d.eo.shard = o->shard - 1;
  d.eo.nshards = o->nshards;
  d.eo.step_budget = o->step_budget;
  progress_begin(&d, o->progress, o->out_ud);
  if (need_db(&d.eo, o->db_path, o->db) != VG_OK) return VG_EUSAGE;
  if (bad_shard(&d.eo, o->shard, o->nshards)) return VG_EUSAGE;
  if (o->record && o->nshards > 1) {
    exec_diag(&d.eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "a sharded backtest is not recorded (vigil_backtest keeps one"
              " backtest per pack and dates, and a shard would replace the others' rows): record it unsharded");
    return VG_EUSAGE;
  }
  d.dry_run = !o->record;
  d.tables = 1u << EXEC_REC_BACKTEST;
  int from, to;
  if (!o->from || !vg_parse_date(o->from, &from) || !o->to || !vg_parse_date(o->to, &to) || from > to) {
    exec_diag(&d.eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "a backtest needs from and to dates (YYYY-MM-DD), from on or before to");
    return VG_EUSAGE;
  }
  if (o->every_days < 0 || (o->every_days > 0 && o->at_snapshots)) {
    exec_diag(&d.eo, VG_ERROR, DIAG_E_OPTIONS, NULL, 0, 0, "give every_days or at_snapshots, not both");
    return VG_EUSAGE;
  }
  if (same_pack_twice(&d.eo, programs, n, "a backtest evaluates each pack once")) return VG_EUSAGE;
  int32_t *dates = NULL;
  int ndates = 0;
  vg_status status = VG_OK;
  /* one pack whose rules are on one source: the read finds the snapshot
  ** dates (the sweep, or exec_sweep_dates before a read in key order) */
  d.eo.find_dates = exec_find_dates && o->at_snapshots && n == 1 && !o->record && o->nshards <= 1 && to > from && to - from < 200000 &&
                    exec_sweep_finds_dates((const vm_program *)programs[0]);
  if (o->at_snapshots && !d.eo.find_dates) {
    /* a read of its own (or, on the caller's connection, in the caller's
    ** transaction when one is open) */
    sqlite3 *db = o->db;
    char err[256];
    /* NOMUTEX: this thread's connection alone (serialized mode would lock
    ** a mutex in each of the 3 API calls a row takes: 4 % of a backtest) */
    if (!db) status = vg_db_open(o->db_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, &db, err, sizeof err);
    if (status != VG_OK) {
      exec_diag(&d.eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: cannot open the database: %s", d.eo.db_path, err);
      return status;
    }
    int own_txn = sqlite3_get_autocommit(db);
    if (own_txn && db_begin(db, 0) != SQLITE_OK) {
      exec_diag(&d.eo, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", d.eo.db_path, vg_db_errmsg(db));
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      if (!o->db) sqlite3_close(db);
      return VG_EDB;
    }
    int rc = exec_snapshot_dates(db, &d.eo, (const vm_program *const *)programs, n, from, to, &dates, &ndates);
    if (own_txn) sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (!o->db) sqlite3_close(db);
    if (rc != 0) return rc == -1 ? VG_ENOMEM : VG_EINPUT;
  } else {
    int step = o->every_days > 0 && !d.eo.find_dates ? o->every_days : 1;
    ndates = (to - from) / step + 1;
    dates = vg_realloc(NULL, (size_t)ndates * sizeof *dates);
    if (!dates) return VG_ENOMEM;
    for (int i = 0; i < ndates; i++) dates[i] = from + i * step;
  }
  if (ndates == 0) {
    vg_free(dates);
    return VG_OK; /* nothing to evaluate: no snapshot in the range */
  }
  status = run_views(&d, programs, n, o->params);
  if (status == VG_OK) status = drive_eval(&d, o->db, n, dates, ndates, 0);
  int32_t *every_day = NULL; /* (find_dates: the range's days, given) */
  if (d.eo.find_dates && status == VG_OK) {
    every_day = dates;
    dates = d.prs[0].found; /* (the pack's, freed with it) */
    ndates = d.prs[0].ndates;
  }
  if (status == VG_OK && ndates > 0 && progress_done(&d, ndates)) status = VG_ESTOPPED;
  if (status == VG_OK && o->record && record_backtest(d.db, &d.eo, d.prs, n) != 0) status = VG_EDB;
  status = drive_end(&d, status);
  if (status == VG_OK && o->alert) {
    /* by date, then pack in the order given, rule, key: what separate runs give */
    exec_iter *its = vg_realloc(NULL, (size_t)(n ? n : 1) * sizeof *its);
    const exec_alert **cur = vg_realloc(NULL, (size_t)(n ? n : 1) * sizeof *cur);
    int opened = 0;
    if (!its || !cur) status = VG_ENOMEM;
    for (; status == VG_OK && opened < n; opened++) {
      if (exec_iter_open(&d.prs[opened], &its[opened]) != 0) { status = VG_EDB; break; }
      cur[opened] = exec_iter_next(&its[opened]);
    }
    for (int di = 0; status == VG_OK && di < ndates; di++) {
      char day[16];
      lib_format_date(dates[di], day);
      for (int i = 0; i < n && status == VG_OK; i++)
        for (; status == VG_OK && cur[i] && cur[i]->date == dates[di]; cur[i] = exec_iter_next(&its[i]))
          if (give(&d.prs[i], cur[i], day, o->alert, o->out_ud) != 0) status = VG_ESTOPPED;
    }
    for (int i = 0; i < opened; i++) {
      exec_iter_close(&its[i]);
      if (d.prs[i].failed && status == VG_OK) status = VG_EDB;
    }
    vg_free(its);
    vg_free(cur);
  }
  /* (no snapshot date in the range: nothing evaluated, no summary) */
  if (status == VG_OK && o->summary && ndates > 0)
    for (int i = 0; i < n; i++) {
      long long *counts = vg_realloc(NULL, (size_t)d.prs[i].p->ntiers * LIFE__COUNT * sizeof *counts);
      if (!counts) { status = VG_ENOMEM; break; }
      int stop = summarize(&d.prs[i], 0, counts, o->summary, o->out_ud, 0);
      vg_free(counts);
      if (stop) { status = VG_ESTOPPED; break; }
    }
  drive_free(&d);
  vg_free(every_day ? every_day : dates);
  return status;
}
