/*
** exec.h — evaluating one program over a SQLite database, at one date or at
** many (a backtest), in one pass per source: what run.c and the tools use.
** run.c owns the transaction, the recording and the public vg_run /
** vg_backtest.  The state and the parts of an evaluation: pack.h.
*/
#ifndef VIGIL_EXEC_H
#define VIGIL_EXEC_H

#include <sqlite3.h>
#include "pack.h"
#include "alerts.h"
#include "life.h"
#include "scan.h"
#include "rollup.h"
#include "json.h"
#include "../include/vigil.h"

/* Evaluate pr->p over pr->db at dates[0..ndates) (set p, db, o, dates and
** ndates first).  Returns 0; or -1 with pr->failed set (an error was
** reported: a missing column, an evaluation error) or not (out of memory). */
int exec_pack_eval(exec_pack *pr);
void exec_pack_free(exec_pack *pr);

/* ---- run.c ------------------------------------------------------------------- */

/* vg_run, with exec_opts.on_open and open_ud set from on_open and open_ud. */
vg_status exec_run(const vg_program *const *programs, int n, const vg_run_opts *o, int (*on_open)(void *, sqlite3 *),
                   void *open_ud);

/* The alerts of pr, resolved entries left out. */
long long exec_open_alerts(const exec_pack *pr);
/* 1 when table has column col (0 when not, or the table is missing). */
int exec_has_column(sqlite3 *db, const char *table, const char *col);
/* Now, UTC, ISO 8601 with milliseconds ("2025-03-14T06:00:01.234Z"; cap >= 32). */
void exec_now_utc(char *buf, size_t cap);

#endif
