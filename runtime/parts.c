/*
** parts.c — recording a sharded run (parts.h).
*/
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "parts.h"
#include "alerts.h"
#include "life.h"
#include "db.h"
#include "exec.h"
#include "../core/pg.h"
#include "../core/shard.h"
#include "../stdlib/lib.h"

/* The place of an alert in an unsharded run's recording, as text that
** sorts the same in SQLite and PostgreSQL (hex digits): rule, then the
** keys evaluated before the keys the life sweep resolved, then the key in
** the order a scan reads keys (numbers before text, numbers by value, text
** byte by byte). */
static int ord_text(vg_buf *b, const exec_pack *pr, const exec_alert *al) {
  const vm_program *p = pr->p;
  const vm_source *s = &p->sources[p->rules[al->rule].source];
  int64_t v;
  b->len = 0;
  int rc = vg_buf_printf(b, "%08x%c", (unsigned)al->rule, al->seq >= pr->seq_swept ? '1' : '0');
  if (s->cols[s->key].type != VT_STR && db_key_int(al->key, al->key_len, &v))
    return rc | vg_buf_printf(b, "1%016" PRIx64, (uint64_t)v ^ (UINT64_C(1) << 63));
  rc |= vg_buf_append(b, "2", 1);
  for (size_t i = 0; i < al->key_len && rc == 0; i++) rc = vg_buf_printf(b, "%02x", (unsigned char)al->key[i]);
  return rc;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s, size_t n) {
  if (s) sqlite3_bind_text64(st, i, s, n, SQLITE_STATIC, SQLITE_UTF8);
  else sqlite3_bind_null(st, i);
}

static const char *const part_sql[] = {
  "DELETE FROM vigil_part_alerts WHERE part_id IN"
  " (SELECT part_id FROM vigil_parts WHERE pack = ?1 AND as_of = ?2 AND nshards = ?3 AND shard = ?4)",
  "DELETE FROM vigil_parts WHERE pack = ?1 AND as_of = ?2 AND nshards = ?3 AND shard = ?4",
  "INSERT INTO vigil_parts(pack, as_of, nshards, shard, started_at, finished_at, status, rows_read, alerts)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  "INSERT INTO vigil_part_alerts(part_id, ord, pack, rule, tier, key, as_of, message, recipient, status, first_seen, runs,"
  " tier_rank, evidence, route) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
};

int exec_record_parts(sqlite3 *db, const exec_opts *o, exec_pack *prs, int n, const char *as_of, const char *started) {
  /* (and the tables the last shard publishes into) */
  if (exec_db_create(db, EXEC_REC_PARTS) != SQLITE_OK || exec_db_create(db, EXEC_REC_PART_ALERTS) != SQLITE_OK ||
      exec_db_create(db, EXEC_REC_RUNS) != SQLITE_OK || exec_db_create(db, EXEC_REC_ALERTS) != SQLITE_OK) {
    exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: %s", o->db_path, vg_db_errmsg(db));
    return -1;
  }
  sqlite3_stmt *st[4] = {NULL, NULL, NULL, NULL};
  vg_buf ord = {NULL, 0, 0};
  int rc = 0;
  char finished[40];
  exec_now_utc(finished, sizeof finished);
  for (int k = 0; k < 4 && rc == 0; k++)
    if (sqlite3_prepare_v2(db, part_sql[k], -1, &st[k], NULL) != SQLITE_OK) rc = -1;
  for (int i = 0; i < n && rc == 0; i++) {
    exec_pack *pr = &prs[i];
    const vm_program *p = pr->p;
    for (int k = 0; k < 3 && rc == 0; k++) {
      sqlite3_reset(st[k]);
      sqlite3_bind_text(st[k], 1, p->pack, -1, SQLITE_STATIC);
      sqlite3_bind_text(st[k], 2, as_of, -1, SQLITE_STATIC);
      sqlite3_bind_int(st[k], 3, o->nshards);
      sqlite3_bind_int(st[k], 4, o->shard + 1);
      if (k == 2) {
        sqlite3_bind_text(st[k], 5, started, -1, SQLITE_STATIC);
        sqlite3_bind_text(st[k], 6, finished, -1, SQLITE_STATIC);
        sqlite3_bind_text(st[k], 7, pr->warnings ? "warnings" : "ok", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st[k], 8, pr->rows_read);
        sqlite3_bind_int64(st[k], 9, exec_open_alerts(pr));
      }
      if (sqlite3_step(st[k]) != SQLITE_DONE) rc = -1;
    }
    if (rc != 0) break;
    long long part = sqlite3_last_insert_rowid(db);
    exec_iter it;
    if (exec_iter_open(pr, &it) != 0) { rc = -1; break; }
    sqlite3_stmt *ins = st[3];
    for (const exec_alert *al; rc == 0 && (al = exec_iter_next(&it)) != NULL;) {
      char first[16];
      lib_format_date(al->first_seen, first);
      if (ord_text(&ord, pr, al) != 0 || vg_buf_append(&ord, "", 1) != 0) { rc = -1; break; }
      sqlite3_reset(ins);
      sqlite3_bind_int64(ins, 1, part);
      sqlite3_bind_text(ins, 2, ord.data, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 3, p->pack, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 4, p->rules[al->rule].name, -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 5, p->tiers[al->tier], -1, SQLITE_STATIC);
      sqlite3_bind_text64(ins, 6, al->key, al->key_len, SQLITE_STATIC, SQLITE_UTF8);
      sqlite3_bind_text(ins, 7, as_of, -1, SQLITE_STATIC);
      bind_opt(ins, 8, al->message, al->message_len);
      bind_opt(ins, 9, al->recipient, al->recipient_len);
      sqlite3_bind_text(ins, 10, exec_life_names[al->status], -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 11, first, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(ins, 12, al->runs);
      sqlite3_bind_int(ins, 13, al->tier);
      bind_opt(ins, 14, al->evidence, al->evidence ? strlen(al->evidence) : 0);
      bind_opt(ins, 15, al->route, al->route ? strlen(al->route) : 0);
      if (sqlite3_step(ins) != SQLITE_DONE) rc = -1;
    }
    exec_iter_close(&it);
    if (pr->failed) rc = -1;
  }
  if (rc != 0)
    exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: recording shard %d of %d failed: %s", o->db_path, o->shard + 1,
              o->nshards, vg_db_errmsg(db));
  for (int k = 0; k < 4; k++) sqlite3_finalize(st[k]);
  vg_buf_free(&ord);
  return rc;
}

/* ---- publishing ---------------------------------------------------------------------- */

/* The statements that publish a complete run ($1 pack, $2 as_of, $3 nshards;
** SQLite numbers $N parameters in the order they first appear). */
static const char *const publish_sql[] = {
  "DELETE FROM vigil_alerts WHERE run_id IN (SELECT run_id FROM vigil_runs WHERE pack = $1 AND as_of = $2)",
  "DELETE FROM vigil_runs WHERE pack = $1 AND as_of = $2",
  "INSERT INTO vigil_runs(pack, as_of, started_at, finished_at, status, rows_read, alerts)"
  " SELECT pack, as_of, min(started_at), max(finished_at), max(status), sum(rows_read), sum(alerts) FROM vigil_parts"
  " WHERE pack = $1 AND as_of = $2 AND nshards = $3 GROUP BY pack, as_of",
  "INSERT INTO vigil_alerts(run_id, pack, rule, tier, key, as_of, message, recipient, status, first_seen, runs, tier_rank,"
  " evidence, route)"
  " SELECT (SELECT run_id FROM vigil_runs WHERE pack = $1 AND as_of = $2), a.pack, a.rule, a.tier, a.key, a.as_of,"
  " a.message, a.recipient, a.status, a.first_seen, a.runs, a.tier_rank, a.evidence, a.route"
  " FROM vigil_part_alerts a JOIN vigil_parts p ON p.part_id = a.part_id"
  " WHERE p.pack = $1 AND p.as_of = $2 AND p.nshards = $3 ORDER BY a.ord",
  "DELETE FROM vigil_part_alerts WHERE part_id IN (SELECT part_id FROM vigil_parts WHERE pack = $1 AND as_of = $2)",
  "DELETE FROM vigil_parts WHERE pack = $1 AND as_of = $2",
};

/* One statement of the publication, on either backend; *first (when not
** NULL) gets the first column of its first row.  0, or -1 with err. */
static int pub_exec(sqlite3 *db, int pg, const char *sql, const char *const *params, long long *first, char *err, size_t cap) {
  if (pg) { /* PostgreSQL takes as many parameters as the statement names */
    int np = 0;
    for (const char *q = sql; (q = strchr(q, '$')) != NULL; q++)
      if (q[1] >= '1' && q[1] <= '3' && q[1] - '0' > np) np = q[1] - '0';
    return pg_query(db, sql, np, params, first, err, cap);
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    snprintf(err, cap, "%s", vg_db_errmsg(db));
    return -1;
  }
  for (int k = 0; k < 3; k++) {
    char name[4] = {'$', (char)('1' + k), 0, 0};
    int at = sqlite3_bind_parameter_index(st, name);
    if (at > 0) sqlite3_bind_text(st, at, params[k], -1, SQLITE_STATIC);
  }
  int rc = sqlite3_step(st);
  if (first) *first = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) snprintf(err, cap, "%s", vg_db_errmsg(db));
  sqlite3_finalize(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int exec_publish(sqlite3 *db, const exec_opts *o, const char *pack, const char *as_of, long long *run_id, int *missing) {
  int pg = pg_is(db);
  char nsh[16], err[512] = "";
  snprintf(nsh, sizeof nsh, "%d", o->nshards);
  const char *params[3] = {pack, as_of, nsh};
  long long have = 0;
  *run_id = 0;
  *missing = 0;
  /* one publisher at a time: PostgreSQL's lock is taken before the
  ** transaction's snapshot, so it sees the parts every other shard committed */
  int rc = pg ? pg_query(db, "LOCK TABLE vigil_parts IN EXCLUSIVE MODE", 0, NULL, NULL, err, sizeof err)
              : (db_begin(db, 1) == SQLITE_OK ? 0 : (snprintf(err, sizeof err, "%s", vg_db_errmsg(db)), -1));
  if (rc == 0)
    rc = pub_exec(db, pg, "SELECT count(DISTINCT shard) FROM vigil_parts WHERE pack = $1 AND as_of = $2 AND nshards = $3",
                  params, &have, err, sizeof err);
  if (rc == 0 && have < o->nshards) *missing = o->nshards - (int)have;
  for (size_t k = 0; rc == 0 && !*missing && k < sizeof publish_sql / sizeof *publish_sql; k++)
    rc = pub_exec(db, pg, publish_sql[k], params, NULL, err, sizeof err);
  if (rc == 0 && !*missing)
    rc = pub_exec(db, pg, "SELECT run_id FROM vigil_runs WHERE pack = $1 AND as_of = $2", params, run_id, err, sizeof err);
  int commit = rc == 0 && !*missing;
  if (pg) {
    if (pg_end(db, commit, err + strlen(err), sizeof err - strlen(err)) != 0) rc = -1;
  } else if (sqlite3_exec(db, commit ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK && commit) {
    snprintf(err, sizeof err, "%s", vg_db_errmsg(db));
    rc = -1;
  }
  if (rc != 0) {
    exec_diag(o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: shard %d of %d of pack %s is recorded, but publishing the run"
              " failed: %s (running any shard again publishes it)", o->db_path, o->shard + 1, o->nshards, pack, err);
    *run_id = 0;
  }
  return rc;
}
