/*
** org.h — the org chart a pack's routes and manager() climb.
*/
#ifndef VIGIL_ORG_H
#define VIGIL_ORG_H

#include "pack.h"

/* Read and check the program's org table (nothing without an org).  0, or
** -1 (pr->failed set when it was reported; else out of memory). */
int exec_org_load(exec_pack *pr);
/* The person `levels` above person (text), counted for rule when there is
** none.  *out is NULL then.  0, or -1 when out of memory. */
/* The org chart's name for person (len bytes): *out NULL when the person is
** not in the chart or has no name (nothing is counted: a name is for people
** to read, not a route).  Returns 0. */
int exec_org_name(exec_pack *pr, const char *person, size_t len, const char **out, size_t *outlen);
int exec_org_manager(exec_pack *pr, int rule, const char *person, size_t len, int levels, const char **out,
                     size_t *outlen);
/* The route of an alert of rule to recipient (len bytes), climbing `levels`:
** a JSON array in the pack's alert arena; NULL without an org or recipient
** (or memory). */
const char *exec_org_route(exec_pack *pr, int rule, const char *recipient, size_t len, int levels);
/* Report per rule the recipients not in the org and the climbs past its top. */
void exec_org_report(exec_pack *pr);
void exec_org_free(exec_pack *pr);

#endif
