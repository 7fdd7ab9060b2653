/*
** db.c — opening SQLite databases the one way Vigil does (db.h, vigil.h).
**
** Every connection libvigil and the vigil command open goes through
** vg_db_open: the schema read by check, compile and run from .rules, the
** run's own connection, the snapshot dates of a backtest, index advice,
** digests, the databases of vigil test and the CLI's outcome query.  Each
** waits VG_BUSY_TIMEOUT_S for a lock another process holds, and a lock
** held longer is one message everywhere (vg_db_errmsg).
*/
#include <stdio.h>
#include <string.h>
#include "db.h"
#include "../compiler/limits.h"

#define DB_STR_(x) #x
#define DB_STR(x) DB_STR_(x)

vg_status vg_db_open(const char *path, int flags, struct sqlite3 **out, char *err, size_t errcap) {
  sqlite3 *db = NULL;
  *out = NULL;
  int rc = sqlite3_open_v2(path, &db, flags, NULL);
  if (rc != SQLITE_OK) {
    if (err && errcap) snprintf(err, errcap, "%s", db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return db ? VG_EDB : VG_ENOMEM;
  }
  sqlite3_busy_timeout(db, VG_BUSY_TIMEOUT_S * 1000);
  *out = db;
  return VG_OK;
}

const char *vg_db_errmsg(struct sqlite3 *db) {
  if (!db) return "out of memory";
  if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY)
    return "the database is locked by another process (waited " DB_STR(VG_BUSY_TIMEOUT_S) " s)";
  return sqlite3_errmsg(db);
}

/* The first column of the first row of sql as an integer; -1 on failure. */
static long long db_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

int exec_db_probe_write(sqlite3 *db, char *why, size_t cap) {
  /* Rewriting user_version with its own value writes page 1, so the
  ** journal is created and page 1 copied into it, as the run's first write
  ** would; the savepoint rolls it back.  (It used to create a table
  ** main.vigil_probe, which a user table of that name made fail.) */
  long long v = db_int(db, "PRAGMA main.user_version");
  char sql[160];
  snprintf(sql, sizeof sql, "SAVEPOINT vigil_probe; PRAGMA main.user_version = %lld; ROLLBACK TO vigil_probe; RELEASE vigil_probe;", v);
  if (v < 0 || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    snprintf(why, cap, "%s", vg_db_errmsg(db));
    return -1;
  }
  /* recording adds pages: with none free and the file at its page limit
  ** (PRAGMA max_page_count), the first one would fail */
  long long pages = db_int(db, "PRAGMA main.page_count"), max = db_int(db, "PRAGMA main.max_page_count");
  if (pages >= 0 && max > 0 && pages >= max && db_int(db, "PRAGMA main.freelist_count") == 0) {
    snprintf(why, cap, "%s", sqlite3_errstr(SQLITE_FULL));
    return -1;
  }
  return 0;
}

int exec_db_begin(sqlite3 *db, int write) {
  int rc = sqlite3_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
  /* a deferred BEGIN takes no lock: the first read does, and keeps it */
  if (rc == SQLITE_OK && !write) rc = sqlite3_exec(db, "SELECT count(*) FROM main.sqlite_schema", NULL, NULL, NULL);
  return rc;
}
