/*
** fuzz_db.h — the fuzz targets' database: fuzz/schema.sql (and optionally
** fuzz/data.sql), embedded by fuzz/build.sh as schema_sql.inc/data_sql.inc,
** loaded into a temporary file once per process and removed at exit.
*/
#ifndef VIGIL_FUZZ_DB_H
#define VIGIL_FUZZ_DB_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fuzz_schema_sql[] __attribute__((unused)) =
#include "schema_sql.inc"
    ;
static const char fuzz_data_sql[] __attribute__((unused)) =
#include "data_sql.inc"
    ;

static char fuzz_db_path[128];

static void fuzz_remove_db(void) {
  if (fuzz_db_path[0]) unlink(fuzz_db_path);
}

/* Creates the database in $TMPDIR (or /tmp); exits on failure. */
static const char *fuzz_make_db(int with_data) {
  const char *tmp = getenv("TMPDIR");
  snprintf(fuzz_db_path, sizeof fuzz_db_path, "%s/vigil-fuzz-XXXXXX", tmp && *tmp && strlen(tmp) < 64 ? tmp : "/tmp");
  int fd = mkstemp(fuzz_db_path);
  if (fd < 0) { perror("fuzz: mkstemp"); exit(1); }
  close(fd);
  atexit(fuzz_remove_db);
  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open(fuzz_db_path, &db) != SQLITE_OK ||
      sqlite3_exec(db, fuzz_schema_sql, NULL, NULL, &err) != SQLITE_OK ||
      (with_data && sqlite3_exec(db, fuzz_data_sql, NULL, NULL, &err) != SQLITE_OK)) {
    fprintf(stderr, "fuzz: cannot build the database %s: %s\n", fuzz_db_path, err ? err : sqlite3_errmsg(db));
    exit(1);
  }
  sqlite3_close(db);
  return fuzz_db_path;
}

#endif
