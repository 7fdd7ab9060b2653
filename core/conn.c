/*
** conn.c — opening SQLite databases the one way Vigil does (conn.h, vigil.h).
**
** Every connection libvigil and the vigil command open goes through
** vg_db_open: the schema read by check, compile and run from .rules, the
** run's own connection, the snapshot dates of a backtest, index advice,
** digests, the databases of vigil test and the CLI's outcome query.  A
** PostgreSQL --db (pg.h) opens as an in-memory connection over its tables.  Each
** waits VG_BUSY_TIMEOUT_S for a lock another process holds, and a lock
** held longer is one message everywhere (vg_db_errmsg).
*/
#include <stdio.h>
#include "conn.h"
#include "limits.h"
#include "pg.h"

#define DB_STR_(x) #x
#define DB_STR(x) DB_STR_(x)

vg_status vg_db_open(const char *path, int flags, struct sqlite3 **out, char *err, size_t errcap) {
  sqlite3 *db = NULL;
  *out = NULL;
  if (pg_is_uri(path)) { /* PostgreSQL: its tables in an in-memory connection (pg.c) */
    int rc = pg_open(path, !(flags & SQLITE_OPEN_READWRITE), out, err ? err : (char[1]){0}, err ? errcap : 1);
    return rc == SQLITE_OK ? VG_OK : rc == SQLITE_NOMEM ? VG_ENOMEM : VG_EDB;
  }
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

int vg_db_is_postgres(const char *path) { return pg_is_uri(path); }

const char *vg_db_errmsg(struct sqlite3 *db) {
  if (!db) return "out of memory";
  if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY)
    return "the database is locked by another process (waited " DB_STR(VG_BUSY_TIMEOUT_S) " s)";
  return sqlite3_errmsg(db);
}

int db_begin(sqlite3 *db, int write) {
  int rc = sqlite3_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL);
  /* a deferred BEGIN takes no lock: the first read does, and keeps it */
  if (rc == SQLITE_OK && !write) rc = sqlite3_exec(db, "SELECT count(*) FROM main.sqlite_schema", NULL, NULL, NULL);
  return rc;
}
