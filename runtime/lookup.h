/*
** lookup.h — lookups into other sources: the row of a source whose key
** equals a value and whose time is the latest on or before a day, through
** the source's where.  A point query per source (key = ?, newest first),
** prepared once and cached for the last key and day.
*/
#ifndef VIGIL_LOOKUP_H
#define VIGIL_LOOKUP_H

#include "pack.h"

/* The VM's lookup callback (vm_lookup_fn); ud is the exec_pack. */
int exec_lookup(void *ud, vm_state *vm, int si, val key, int32_t day, const vm_row **row);

#endif
