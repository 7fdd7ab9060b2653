/*
** evidence.h — what an alert keeps of the numbers behind it: a JSON object
** of the rule's values and the key's last rows.
*/
#ifndef VIGIL_EVIDENCE_H
#define VIGIL_EVIDENCE_H

#include "pack.h"

/* Rows of a key's window an alert's evidence shows at most; a recording run
** keeps at least this many in each series so the trend is there. */
#define EXEC_EVID_ROWS 6

/* Plan each rule's evidence (pr->evid); 0 or -1 (memory). */
int exec_evidence_plan(exec_pack *pr);
/* The evidence JSON of rule's alert of tier (the clause's) on series s at
** date, in the pack's alert arena; NULL when out of memory. */
const char *exec_evidence(exec_pack *pr, int rule, int tier, const vm_series *s, int32_t date);
void exec_evidence_free(exec_pack *pr);

#endif
