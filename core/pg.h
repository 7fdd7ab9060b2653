/*
** pg.h — PostgreSQL, the second backend: a PostgreSQL database opened as a
** SQLite connection whose tables are PostgreSQL's (a virtual-table module
** over libpq), so that every reader above (the schema read by check and
** compile, the run's scan and lookups, the org chart, the alert life, the
** digest) runs unchanged, with SQLite's semantics, on either backend.
**
** vg_db_open (conn.c) opens one for a --db that pg_is_uri accepts.  The
** rules of the backend (types, ordering, the tie-break, transactions):
** docs/LANGUAGE.md, "PostgreSQL".
*/
#ifndef VIGIL_PG_H
#define VIGIL_PG_H

#include <sqlite3.h>
#include <stddef.h>
#include "mem.h"

/* 1 when path names a PostgreSQL database: postgresql://..., postgres://...,
** or pg: followed by a libpq keyword string (empty: the PG* environment). */
int pg_is_uri(const char *path);

/* Open the PostgreSQL database uri as an in-memory SQLite connection whose
** main schema holds one virtual table per table and view PostgreSQL shows:
** those of the first schema on the search path by their names, the others
** as "SCHEMA.TABLE".  readonly: every transaction is READ ONLY.  Returns
** SQLITE_OK, or an error code with the reason in err. */
int pg_open(const char *uri, int readonly, sqlite3 **out, char *err, size_t errcap);

/* 1 when db was opened by pg_open. */
int pg_is(sqlite3 *db);

/* Unless every table in tables[0..n) is one of db's already (then nothing
** is run): run sql (no parameters) on db's PostgreSQL connection, in its
** transaction (or, when none is open, in one of its own, committed), then
** make each of them (just created) a virtual table of db.  Returns SQLITE_OK or an error (its message in db's
** error: sqlite3_errmsg after a failed statement is not kept, so the
** message is also in err). */
int pg_exec_ddl(sqlite3 *db, const char *sql, const char *const *tables, int n, char *err, size_t errcap);

/* For index advice: 1 when PostgreSQL has an index that gives table (as db
** names it) in the order a run reads it (key, then time: the ORDER BY the
** module sends); 0 when not, with the CREATE INDEX that would in create;
** -1 when table is not PostgreSQL's or on an error. */
int pg_order_index(sqlite3 *db, const char *table, const char *key, const char *time, struct vg_buf *create);

/* SQL function vigil_window(KEY, 'LIMIT/YYYY-MM-DD/TIME'): 1.  On a
** PostgreSQL table the run's scan asks for each key's newest LIMIT rows up
** to that day with it, and PostgreSQL sends only those (runtime/scan.c). */
void pg_sql_window(sqlite3_context *cx, int argc, sqlite3_value **argv);

/* PostgreSQL's estimate of the rows per distinct key of table (its
** statistics: ANALYZE), or -1 when it has none. */
double pg_rows_per_key(sqlite3 *db, const char *table, const char *key);

/* Run sql with text parameters params[0..n) on db's PostgreSQL connection,
** in its transaction (begun when none is open); *first, when not NULL,
** gets the first column of the first row as an integer (0 without rows).
** Returns 0, or -1 with the message in err. */
int pg_query(sqlite3 *db, const char *sql, int n, const char *const *params, long long *first, char *err, size_t errcap);
/* End db's PostgreSQL transaction: COMMIT when commit, else ROLLBACK.
** Returns 0, or -1 with the message in err. */
int pg_end(sqlite3 *db, int commit, char *err, size_t errcap);

#endif
