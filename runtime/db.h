/*
** db.h — how libvigil uses SQLite databases it did not make: every
** connection opened one way (vg_db_open, in vigil.h: the busy timeout),
** transactions that take their lock at one place, and the checks of the
** tables a run records into and of the rowid a scan breaks ties with.
*/
#ifndef VIGIL_DB_H
#define VIGIL_DB_H

#include <sqlite3.h>
#include "mem.h"
#include "../include/vigil.h"

/* Begin a transaction on db and take its lock now: BEGIN IMMEDIATE (the
** write lock) when write, else BEGIN and a read of the schema (the read
** lock, held until the transaction ends).  A lock another process holds is
** waited for up to the busy timeout, here and nowhere later, so the caller
** reports vg_db_errmsg(db) for it once.  Returns SQLite's result code; on
** failure a transaction may be open (end it with ROLLBACK or by closing). */
int exec_db_begin(sqlite3 *db, int write);

/* In a write transaction: can the database be written (a folder the
** journal cannot be created in, a full disk, a file at its max_page_count)?
** Writes page 1 in a savepoint that is rolled back, and checks there is room
** for a new page; nothing is named in the user's schema.  Returns 0, or -1
** with the reason in why. */
int exec_db_probe_write(sqlite3 *db, char *why, size_t cap);

#endif
