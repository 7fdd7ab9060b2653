/*
** reads.h — what a function of a program reads: which columns, params and
** looked-up columns (for bad-data reports and evidence).
*/
#ifndef VIGIL_READS_H
#define VIGIL_READS_H

#include <stdint.h>
#include "../core/prog.h"

/* Mark what function fn reads (and the functions it calls): columns of its
** source in own, params in params (may be NULL), and for each lookup the
** target's column, key, time and where columns in look[source] (look may be
** NULL).  seen[nfuncs] must start zeroed. */
void exec_mark_reads(const vm_program *p, int fn, uint8_t *own, uint8_t **look, uint8_t *params, uint8_t *seen);

#endif
