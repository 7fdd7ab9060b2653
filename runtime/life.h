/*
** life.h — the life of an alert across evaluations (new, ongoing,
** escalated, resolved), `clear when` and `escalate after`.
*/
#ifndef VIGIL_LIFE_H
#define VIGIL_LIFE_H

#include "pack.h"

/* Record that (rule, key) had an open alert at the previous evaluation
** (a vg_run loads the previous recorded run this way).  0 or -1 (memory). */
int exec_life_open(exec_pack *pr, int rule, const char *key, size_t klen, int tier, int32_t first_seen, int runs,
                   const char *message, size_t mlen, const char *recipient, size_t rlen);
/* After rule was evaluated for the current key at date (its alerts from
** index `before` on): hold it open if it has a clear condition that does not
** hold, set each alert's status, first_seen and runs, raise it a tier when it
** has been open `escalate` days, and record a LIFE_RESOLVED entry when an
** open alert closed.  Returns 0, -1 when out of memory, or the vm_status of
** a failed evaluation of the clear condition (for the caller to report). */
int exec_life_step(exec_pack *pr, int rule, const char *key, size_t klen, size_t before, int32_t date, const vm_series *s);
/* At the end of a one-date run: close what was open and was not seen. */
int exec_life_sweep(exec_pack *pr, int32_t date);
void exec_life_free(exec_pack *pr);
/* A copy of the map, to put back when a source's scan is redone in day
** order (scan.c).  NULL when out of memory. */
typedef struct life_saved life_saved;
life_saved *exec_life_save(exec_pack *pr);
/* Makes the saved copy the map again (it is consumed); 0 or -1 (memory). */
int exec_life_restore(exec_pack *pr, life_saved *sv);
void exec_life_saved_free(life_saved *sv);

/* How vigil_alerts.status names each exec_life. */
extern const char *const exec_life_names[LIFE__COUNT];

#endif
