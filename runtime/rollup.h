/*
** rollup.h — the rows of rollups: a team's view across its reps, made into
** a temporary table before any rule runs.
*/
#ifndef VIGIL_ROLLUP_H
#define VIGIL_ROLLUP_H

#include "pack.h"

/* Make the rows of every rollup of the program into its temporary table, up
** to the last evaluation date (docs/LANGUAGE.md "Rollups").  0, or -1 with
** pr->failed set (reported) or not (out of memory). */
int exec_rollups(exec_pack *pr);
/* The rollup whose source is si, or -1. */
int exec_rollup_of(const vm_program *p, int si);

#endif
