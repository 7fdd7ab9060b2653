/*
** conn.h — how libvigil uses SQLite databases it did not make: every
** connection opened one way (vg_db_open and vg_db_errmsg, in vigil.h: the
** busy timeout, one message for a lock held too long), and transactions
** that take their lock at one place.
*/
#ifndef VIGIL_CONN_H
#define VIGIL_CONN_H

#include <sqlite3.h>
#include "../include/vigil.h"

/* Begin a transaction on db and take its lock now: BEGIN IMMEDIATE (the
** write lock) when write, else BEGIN and a read of the schema (the read
** lock, held until the transaction ends).  A lock another process holds is
** waited for up to the busy timeout, here and nowhere later, so the caller
** reports vg_db_errmsg(db) for it once.  Returns SQLite's result code; on
** failure a transaction may be open (end it with ROLLBACK or by closing). */
int db_begin(sqlite3 *db, int write);

#endif
