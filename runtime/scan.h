/*
** scan.h — evaluating the rules of one source: one ordered scan of its
** table (or, for a nightly run, index seeks for the last rows of each key),
** the rules evaluated on each key's window.
*/
#ifndef VIGIL_SCAN_H
#define VIGIL_SCAN_H

#include "pack.h"

/* Evaluate the rules on source si at every evaluation date.  0, or -1
** (pr->failed when an error was reported; else out of memory). */
int exec_run_source(exec_pack *pr, int si);

/* For vigil check --db: a note for each table whose rules look back a
** bounded number of rows but that has no index making the per-key query a
** search (a nightly run then reads it whole).  pr needs p, db and o. */
void exec_index_advice(exec_pack *pr);

#endif
