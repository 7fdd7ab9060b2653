/*
** prefilter.h — letting SQLite drop the rows no rule can fire on.
*/
#ifndef VIGIL_PREFILTER_H
#define VIGIL_PREFILTER_H

#include "pack.h"
#include "db.h"

/* For a nightly scan of source si (one row per key, rules looking back no
** rows): a WHERE (into where) that holds on every row some tier of rules
** could fire on, with ?1 = as_of and ?2... = (*binds)[0...] (to free).
** Returns 1 when there is one, 0 when not, -1 when out of memory. */
int exec_prefilter(exec_pack *pr, int si, const int *rules, int nrules, vg_buf *where, val **binds, int *nbinds);
/* 1 when the source's key cannot repeat in its table (INTEGER PRIMARY KEY,
** or alone in a unique index). */
int exec_key_unique(exec_pack *pr, const vm_source *s);

#endif
