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

#endif
