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

/* Evaluate the rules of source si on the window s of one key at date;
** key_known: pr->keytext holds the key's text.  0 or -1 (scan.c). */
int exec_eval_key(exec_pack *pr, int si, const vm_series *s, const int *rules, int nrules, int32_t date, int key_known);

/* A backtest's source read in the table's own order, every key's window
** kept in memory (sweep.c).  exec_sweep_fits: whether to try (1 or 0);
** exec_sweep_source returns 0, -1, or EXEC_SWEEP_GIVE_UP when the table must
** be read in key order instead (after undoing what the sweep did). */
enum { EXEC_SWEEP_GIVE_UP = 4 };
int exec_sweep_fits(exec_pack *pr, int si, uint32_t lookback);
/* 1 when a function of p looks something up or reads the org chart (an
** evaluation then reads more than its key's rows).  (sweep.c) */
int exec_reads_elsewhere(const vm_program *p);
/* Whether a backtest of p at its snapshot dates can find them as it reads
** (exec_opts.find_dates): the rules on one source, no rollup, no org, no
** lookup.  1 or 0. */
int exec_sweep_finds_dates(const vm_program *p);
/* o->find_dates: the snapshot dates into pr->dates (pr->found) unless the
** sweep found them.  0, or -1 (pr->failed when reported). */
int exec_sweep_dates(exec_pack *pr);
int exec_sweep_source(exec_pack *pr, int si, vm_series *ser, const int *rules, int nrules, uint32_t lookback);
/* The distinct days of the time columns of the sources the programs' rules
** are on (a rollup's: its members'), read as text within [from, to],
** sorted, into *out (vg_realloc'd; *nout of them).  0, -1 when out of
** memory, -2 on a database error (reported).  (sweep.c) */
int exec_snapshot_dates(sqlite3 *db, const exec_opts *o, const vm_program *const *programs, int n, int32_t from, int32_t to,
                        int32_t **out, int *nout);

/* The memory the sweep's windows may take (tests lower it), and how many
** sweeps finished and gave up (what tests look at to know which path ran). */
extern size_t exec_sweep_bytes;
extern long exec_sweeps_done, exec_sweeps_given_up;
/* Keys a nightly walk evaluated on their newest row alone, windows it
** read whole (after a probe needed them, or a row it could not rule out),
** of those the windows read by the walk going on (no seek again), and the
** evidence windows read the same way after them. */
extern long exec_probes, exec_probe_reads, exec_probe_walks, exec_evid_walks;
/* 0: a backtest at its snapshot dates always finds them first, in a pass
** of their own (tests compare the two) */
extern int exec_find_dates;

/* For vigil check --db: a note for each table whose rules look back a
** bounded number of rows but that has no index making the per-key query a
** search (a nightly run then reads it whole).  pr needs p, db and o. */
void exec_index_advice(exec_pack *pr);

#endif
