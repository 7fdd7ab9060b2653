/*
** parts.h — recording a sharded run (vg_run_opts.nshards > 1).
**
** Each shard records its part in its own transaction: a row of
** vigil_parts and its alerts in vigil_part_alerts (re-running a shard
** replaces its part).  Nothing a reader looks at (vigil_runs,
** vigil_alerts) changes until every part of the run is in; then the shard
** that completes it publishes it, in one transaction: one vigil_runs row
** (replacing an earlier run of the pack for that date) and the alerts in the
** order an unsharded run records them, and the parts are removed.  A
** killed shard leaves no part; running it again completes the run.
*/
#ifndef VIGIL_PARTS_H
#define VIGIL_PARTS_H

#include "pack.h"

/* In the run's transaction: record each pack's part.  0, or -1 (reported). */
int exec_record_parts(sqlite3 *db, const exec_opts *o, exec_pack *prs, int n, const char *as_of, const char *started);

/* After the part's transaction committed: publish the run of pack at as_of
** when all o->nshards parts are in.  *run_id: its vigil_runs row, or 0 with
** *missing the parts still to come.  0, or -1 (reported). */
int exec_publish(sqlite3 *db, const exec_opts *o, const char *pack, const char *as_of, long long *run_id, int *missing);

#endif
