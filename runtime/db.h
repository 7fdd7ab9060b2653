/*
** db.h — the databases a run reads and records into: quoting names in SQL,
** the checks of the tables it writes and of the rowid a scan breaks ties
** with.  Connections and transactions: core/conn.h.
*/
#ifndef VIGIL_DB_H
#define VIGIL_DB_H

#include <sqlite3.h>
#include "../core/mem.h"
#include "../core/conn.h"
#include "../include/vigil.h"

/* Append name to b as a quoted SQL identifier ("a""b"): nothing in a name
** can end the quote, so nothing in a rule file can become SQL.  Returns 0
** or -1 (out of memory). */
int exec_quote_ident(vg_buf *b, const char *name);

/* In a write transaction: can the database be written (a folder the
** journal cannot be created in, a full disk, a file at its max_page_count)?
** Writes page 1 in a savepoint that is rolled back, and checks there is room
** for a new page; nothing is named in the user's schema.  Returns 0, or -1
** with the reason in why. */
int exec_db_probe_write(sqlite3 *db, char *why, size_t cap);

/* Append to out the expression that reads table's real rowid: rowid,
** _rowid_ or oid, the first that is not the name of one of its columns
** (SQLite lets a column take those names, and then the name reads the
** column), else its INTEGER PRIMARY KEY column (quoted).  The table is
** looked up as a query names it (temp, then main).  Returns 1; 0 when there
** is none to reach (all three are columns and there is no INTEGER PRIMARY
** KEY: rows then have no rowid for Vigil; also a WITHOUT ROWID table, which
** its caller finds by the query failing); -1 when out of memory. */
int exec_db_rowid(sqlite3 *db, const char *table, vg_buf *out);

/* The tables Vigil records into. */
typedef enum exec_rec_table {
  EXEC_REC_RUNS,      /* vigil_runs: one row per recorded run */
  EXEC_REC_ALERTS,    /* vigil_alerts: the alerts of each run */
  EXEC_REC_BACKTEST,  /* vigil_backtest: backtest --record */
  EXEC_REC_OUTBOX,    /* vigil_outbox: digest --outbox */
  EXEC_REC_PARTS,     /* vigil_parts: the shards of a sharded run, until all are in */
  EXEC_REC_PART_ALERTS, /* vigil_part_alerts: their alerts */
  EXEC_REC__COUNT
} exec_rec_table;

/* Create table t (and its index) when missing.  Returns SQLite's result
** code (its message in db). */
int exec_db_create(sqlite3 *db, exec_rec_table t);

/* Before anything is evaluated or written: if the database has table t,
** does it take what Vigil writes?  The columns Vigil writes exist, as
** columns Vigil can write (not generated), of a type that keeps the value
** (text in TEXT or untyped columns; numbers in INTEGER, REAL, NUMERIC or
** untyped ones), none of them part of a PRIMARY KEY; vigil_runs.run_id is
** the rowid (INTEGER PRIMARY KEY of a rowid table); vigil_alerts has a
** rowid no column hides (digests read it); a column Vigil does not write
** is not NOT NULL without a default; of the columns later versions added
** to vigil_alerts (status, first_seen, runs; tier_rank, evidence, route) a
** group is all there or all missing (a run adds it).  Returns 0 (no such
** table, or it fits); -1 when it does not, reported through diag as
** "DB: table T ...: REASON; WHAT. ... CREATE TABLE T(...)"; -2 when the
** schema cannot be read (reported too); -3 when out of memory. */
int exec_db_check_table(sqlite3 *db, exec_rec_table t, const char *db_path, const char *what, vg_diag_fn diag, void *ud);

#endif
