/*
** fuzz_db.h — the fuzz targets' database: fuzz/schema.sql (and optionally
** fuzz/data.sql), embedded by fuzz/build.sh as schema_sql.inc/data_sql.inc,
** loaded into a temporary file once per process and removed at exit (a
** crashing process leaves its file behind: /dev/shm/vigil-fuzz-*).
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

/* Up to two databases a process (fuzz_run uses one to compile against and
** one to run on). */
static char fuzz_db_paths[2][128];
static int fuzz_ndbs;

static void fuzz_remove_dbs(void) {
  for (int i = 0; i < fuzz_ndbs; i++) unlink(fuzz_db_paths[i]);
}

/* Creates a database in $TMPDIR, else /dev/shm (writes cost nothing there),
** else /tmp; exits on failure. */
static const char *fuzz_make_db(int with_data) {
  if (fuzz_ndbs == 2) { fprintf(stderr, "fuzz: too many databases\n"); exit(1); }
  char *path = fuzz_db_paths[fuzz_ndbs];
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp || strlen(tmp) > 64) tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(path, sizeof fuzz_db_paths[0], "%s/vigil-fuzz-XXXXXX", tmp);
  int fd = mkstemp(path);
  if (fd < 0) { perror("fuzz: mkstemp"); exit(1); }
  close(fd);
  if (fuzz_ndbs++ == 0) atexit(fuzz_remove_dbs);
  sqlite3 *db = NULL;
  char *err = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK ||
      sqlite3_exec(db, fuzz_schema_sql, NULL, NULL, &err) != SQLITE_OK ||
      (with_data && sqlite3_exec(db, fuzz_data_sql, NULL, NULL, &err) != SQLITE_OK)) {
    fprintf(stderr, "fuzz: cannot build the database %s: %s\n", path, err ? err : sqlite3_errmsg(db));
    exit(1);
  }
  sqlite3_close(db);
  return path;
}

#endif
