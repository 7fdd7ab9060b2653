/*
** alerts.c — the alerts of an evaluation (alerts.h).
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alerts.h"

size_t exec_spill_bytes = EXEC_SPILL_BYTES;

int exec_on_emit(void *ud, int rule, int tier, const char *message, size_t mlen, const char *recipient, size_t rlen) {
  return exec_add_alert(ud, rule, tier, message, mlen, recipient, rlen) ? 0 : -1;
}

exec_alert *exec_add_alert(exec_pack *pr, int rule, int tier, const char *message, size_t mlen, const char *recipient,
                           size_t rlen) {
  exec_alert *a = vg_vec_add(&pr->alerts);
  if (!a) return NULL;
  a->rule = rule;
  a->tier = tier;
  a->fired = tier;
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
  if ((message && !a->message) || (recipient && !a->recipient)) {
    pr->alerts.n--;
    return NULL;
  }
  return a;
}

/* By date, then rule in declaration order, then key in the order read. */
static int cmp_alert(const void *x, const void *y) {
  const exec_alert *a = x, *b = y;
  if (a->date != b->date) return a->date < b->date ? -1 : 1;
  if (a->rule != b->rule) return a->rule < b->rule ? -1 : 1;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- alerts past the memory budget: a temporary table ----------------------------- */

static const char *const spill_cols =
    "seq, date, rule, tier, key, message, recipient, status, first_seen, runs, up, evidence, route";

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s, size_t n) {
  if (s) sqlite3_bind_text64(st, i, s, n, SQLITE_STATIC, SQLITE_UTF8);
  else sqlite3_bind_null(st, i);
}

int exec_spill_table(exec_pack *pr) {
  snprintf(pr->spill_table, sizeof pr->spill_table, "vigil_spill_%p", (void *)pr);
  char sql[512];
  snprintf(sql, sizeof sql,
           "CREATE TEMP TABLE IF NOT EXISTS \"%s\"(seq INTEGER PRIMARY KEY, date INTEGER, rule INTEGER, tier INTEGER,"
           " key TEXT, message TEXT, recipient TEXT, status INTEGER, first_seen INTEGER, runs INTEGER, up INTEGER,"
           " evidence TEXT, route TEXT); DELETE FROM temp.\"%s\"", pr->spill_table, pr->spill_table);
  if (sqlite3_exec(pr->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: cannot make a temporary table for alerts: %s", pr->o->db_path,
              sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  return 0;
}

int exec_spill(exec_pack *pr) {
  if (!pr->spill_ins) {
    char ins[512];
    snprintf(ins, sizeof ins, "INSERT INTO temp.\"%s\"(%s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
             pr->spill_table, spill_cols);
    if (sqlite3_prepare_v2(pr->db, ins, -1, &pr->spill_ins, NULL) != SQLITE_OK) {
      exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: cannot set alerts aside in a temporary table: %s", pr->o->db_path,
                sqlite3_errmsg(pr->db));
      pr->failed = 1;
      return -1;
    }
  }
  sqlite3_stmt *st = pr->spill_ins;
  for (size_t i = 0; i < pr->alerts.n; i++) {
    const exec_alert *a = &pr->alerts.v[i];
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
      exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: setting alerts aside in a temporary table failed: %s", pr->o->db_path,
                sqlite3_errmsg(pr->db));
      pr->failed = 1;
      return -1;
    }
  }
  sqlite3_reset(st);
  pr->nspilled += (long long)pr->alerts.n;
  pr->alerts.n = 0;
  /* an array grown past half the budget would leave no room for the next
  ** key's alerts: it starts again small */
  if (pr->alerts.cap * sizeof *pr->alerts.v > pr->spill_bytes / 2) vg_vec_free(&pr->alerts);
  vg_arena_free(&pr->alert_arena);
  return 0;
}

int exec_alerts_back(exec_pack *pr, const exec_alerts_mark *m) {
  if (pr->nspilled == m->nspilled) { /* all since m are in memory, after the mark */
    pr->alerts.n = m->n;
    return 0;
  }
  /* a spill since m moved the alerts of before m to the table (and freed
  ** their texts): those of after m in the table go, and all in memory */
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT tier, status FROM temp.\"%s\" WHERE seq >= ?1", pr->spill_table);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(pr->db, sql, -1, &st, NULL);
  long long gone = 0;
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, m->seq);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      pr->tally[sqlite3_column_int(st, 0) * LIFE__COUNT + sqlite3_column_int(st, 1)]--;
      gone++;
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_OK) {
    snprintf(sql, sizeof sql, "DELETE FROM temp.\"%s\" WHERE seq >= ?1", pr->spill_table);
    rc = sqlite3_prepare_v2(pr->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(st, 1, m->seq);
      rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
  }
  if (rc != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: taking back alerts set aside failed: %s", pr->o->db_path,
              sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  pr->nspilled -= gone;
  pr->alerts.n = 0;
  return 0;
}

int exec_alerts_done(exec_pack *pr) {
  if (pr->nspilled) return exec_spill(pr); /* all of them in the table: read back in order */
  for (size_t i = 0; i < pr->alerts.n; i++) pr->tally[pr->alerts.v[i].tier * LIFE__COUNT + pr->alerts.v[i].status]++;
  if (pr->alerts.n > 1) qsort(pr->alerts.v, pr->alerts.n, sizeof *pr->alerts.v, cmp_alert);
  return 0;
}

/* ---- reading them back -------------------------------------------------------------- */

int exec_iter_open(exec_pack *pr, exec_iter *it) {
  memset(it, 0, sizeof *it);
  it->pr = pr;
  if (!pr->nspilled) return 0;
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT %s FROM temp.\"%s\" ORDER BY date, rule, seq", spill_cols, pr->spill_table);
  if (sqlite3_prepare_v2(pr->db, sql, -1, &it->st, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: reading the alerts set aside failed: %s", pr->o->db_path, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    return -1;
  }
  return 0;
}

const exec_alert *exec_iter_next(exec_iter *it) {
  exec_pack *pr = it->pr;
  if (!it->st) return it->i < pr->alerts.n ? &pr->alerts.v[it->i++] : NULL;
  int rc = sqlite3_step(it->st);
  if (rc != SQLITE_ROW) {
    if (rc != SQLITE_DONE) {
      exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "%s: reading the alerts set aside failed: %s", pr->o->db_path, sqlite3_errmsg(pr->db));
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
