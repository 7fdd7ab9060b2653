/*
** alerts.h — the alerts of an evaluation: added as rules emit them, set
** aside in a temporary table of the connection once they pass a memory
** budget (memory holds the window, not every alert of a long backtest),
** and read back in order (date, rule, key order) by an iterator, wherever
** they are.
*/
#ifndef VIGIL_ALERTS_H
#define VIGIL_ALERTS_H

#include "pack.h"

/* Append an alert of rule at tier for the key being evaluated (texts of
** mlen / rlen bytes are copied; NULL for null).  Returns it (valid until
** the next alert is added), or NULL when out of memory. */
exec_alert *exec_add_alert(exec_pack *pr, int rule, int tier, const char *message, size_t mlen, const char *recipient,
                    size_t rlen);
/* The VM's emit callback (vm_emit_fn); ud is the exec_pack. */
int exec_on_emit(void *ud, int rule, int tier, const char *message, size_t mlen, const char *recipient, size_t rlen);

/* Bytes of alerts held in memory (their array as allocated, and their
** texts) before they are spilled to a temporary table.  1 MiB keeps a
** backtest of 80,000 keys over two years under the 32 MiB peak of issue 15
** with every key's window in memory (sweep.c, bench/README.md), and costs
** no measurable time against 10 MiB. */
#ifndef EXEC_SPILL_BYTES
#define EXEC_SPILL_BYTES (1u * 1024u * 1024u)
#endif

/* A nightly run's budget, as a multiple of that one: it holds one key's
** window at a time, so alerts can take more of the 32 MiB (8 MiB: at SIZE
** 4 of the benchmark a recorded run's 2,789 alerts with their evidence,
** 2.2 MB, no longer go through a temporary file, which cost a tenth of the
** run).  The fuzz build sets 1. */
#ifndef EXEC_RUN_SPILL_FACTOR
#define EXEC_RUN_SPILL_FACTOR 8u
#endif

/* The budget in use (tests lower it to make every evaluation spill); a
** pack's (exec_pack.spill_bytes) is set from it when it starts. */
extern size_t exec_spill_bytes;

/* The pack's temporary table, made before any statement runs (a schema
** change would abort the statements running).  0, or -1 with a diagnostic. */
int exec_spill_table(exec_pack *pr);
/* Move the alerts in memory to the temporary table and free their texts,
** tallying them.  0, or -1 with a diagnostic. */
int exec_spill(exec_pack *pr);

/* Between two keys (the only moment alerts can be set aside): spill when
** the alerts in memory are past the budget.  0, or -1 with a diagnostic. */
static inline int exec_alerts_room(exec_pack *pr) {
  if (pr->alerts.n && pr->alert_arena.bytes + pr->alerts.cap * sizeof *pr->alerts.v > pr->spill_bytes)
    return exec_spill(pr);
  return 0;
}

/* Where the alerts stand, to go back to (a scan redone in day order). */
typedef struct exec_alerts_mark {
  size_t n;            /* alerts in memory */
  long long nspilled;  /* alerts set aside */
  long seq;            /* the next alert's seq */
} exec_alerts_mark;
static inline exec_alerts_mark exec_alerts_here(const exec_pack *pr) {
  exec_alerts_mark m = {pr->alerts.n, pr->nspilled, pr->seq_next};
  return m;
}
/* Forget the alerts added since m, in memory and, when some were set aside
** since, in the temporary table (untallied).  0, or -1 with a diagnostic. */
int exec_alerts_back(exec_pack *pr, const exec_alerts_mark *m);

/* When every source is done: tally the alerts per tier and status, and
** put them in order (in memory, or all in the table to be read back in
** order).  0, or -1 with a diagnostic. */
int exec_alerts_done(exec_pack *pr);

/* The alerts of an evaluated pack, in order (date, rule, key), whether
** they are in memory or spilled.  cur's texts are valid until the next call. */
typedef struct exec_iter {
  exec_pack *pr;
  size_t i;
  sqlite3_stmt *st;
  exec_alert cur;
} exec_iter;
/* 0, or -1 with a diagnostic (a database error). */
int exec_iter_open(exec_pack *pr, exec_iter *it);
/* The next alert, or NULL at the end (or on an error: it->pr->failed). */
const exec_alert *exec_iter_next(exec_iter *it);
void exec_iter_close(exec_iter *it);

#endif
