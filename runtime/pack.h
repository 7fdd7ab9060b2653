/*
** pack.h — the state of evaluating one program over a SQLite database (an
** exec_pack), which every part of the run shares, and how the parts report.
**
** The parts, each with its header, over this one:
**   rows.h       reading a source's rows, the series ring, bad-data counts
**   lookup.h     lookups into other sources (cached point queries)
**   alerts.h     the alerts: storage, spill to a temporary table, iterator
**   scan.h       evaluating the rules of a source: the scan, index seeks
**   life.h       the life of an alert across evaluations
**   org.h        the org chart routes climb
**   evidence.h   what an alert keeps of the numbers behind it
**   rollup.h     the rows of rollups
**   prefilter.h  a WHERE that drops rows no rule can fire on
** and exec.h, the driver (exec_pack_eval) that run.c and the tools use.
*/
#ifndef VIGIL_PACK_H
#define VIGIL_PACK_H

#include <sqlite3.h>
#include "vm.h"
#include "../core/diagcodes.h"
#include "../core/vec.h"
#include "../include/vigil.h"

typedef struct exec_opts {
  vg_diag_fn diag; void *ud;
  const char *db_path;  /* for messages */
  int no_seek;          /* never use per-key index seeks */
  /* called on the run's connection once it is open (vigil test puts it in
  ** the box of compiler/schema.c); nonzero fails the run */
  int (*on_open)(void *ud, sqlite3 *db);
  void *open_ud;
  uint64_t step_budget;   /* per evaluation (0: VM_STEP_BUDGET) */
  int shard, nshards;   /* nshards > 1: evaluate only the keys of shard shard (0-based) of nshards (core/shard.h) */
  struct exec_progress *progress; /* NULL, or the caller's callback the VMs poll: nonzero stops (exec_pack.stopped) */
  /* a backtest at its snapshot dates whose one source is read in its own
  ** order finds them as it reads (sweep.c): the dates given are every day of
  ** the range, and exec_run_source puts the snapshot dates in their place */
  int find_dates;
} exec_opts;

/* The progress callback of a call and what it is told (vg_progress): the
** counts of the packs already evaluated, to which the current pack's add. */
typedef struct exec_progress {
  vg_progress_fn fn;
  void *ud;
  vg_progress p;
  long long rows_base, keys_base; /* of the packs evaluated before the current one */
  double t0;                      /* the monotonic clock when the call began */
} exec_progress;

/* The monotonic clock, in seconds. */
double exec_clock(void);

/* The life of an alert across evaluations (life.h). */
typedef enum { LIFE_NEW, LIFE_ONGOING, LIFE_ESCALATED, LIFE_RESOLVED, LIFE__COUNT } exec_life;

/* One alert: the evaluation date it is for, and its texts (in the pack's
** arena).  A LIFE_RESOLVED entry is not an alert: it records that an alert
** open at the previous evaluation is closed now. */
typedef struct exec_alert {
  int rule, tier;
  int fired;                 /* the tier it was recorded at (before `escalate after`) */
  int32_t date;
  long seq;
  const char *key, *message, *recipient; /* NUL-terminated, but may hold NUL bytes: */
  size_t key_len, message_len, recipient_len; /* their lengths (0 for NULL) */
  uint8_t status;            /* an exec_life */
  int32_t first_seen;        /* the first evaluation date of this open stretch */
  int runs;                  /* evaluations it has been open, this one included */
  uint8_t up;                /* extra levels of route: 1 when open `escalate after` days */
  const char *evidence;      /* JSON, or NULL (not asked for, or resolved) */
  const char *route;         /* JSON array of the people it goes to, or NULL without an org */
} exec_alert;

typedef vg_vec(exec_alert) exec_alerts;

/* The parts' own state, opaque here. */
typedef struct src_run src_run;       /* rows.h: per source */
typedef struct life_map life_map;     /* life.c */
typedef struct org_map org_map;       /* org.c */
typedef struct evid_plan evid_plan;   /* evidence.c: per rule */
typedef struct bad_count bad_count;   /* rows.h */

/* The state of evaluating one program.  Zero it, then exec_pack_eval. */
typedef struct exec_pack {
  vm_program *p;
  sqlite3 *db;
  const exec_opts *o;
  const int32_t *dates; int ndates; /* evaluation dates, ascending, distinct */
  int32_t as_of;             /* the date being evaluated */
  vm_state vm, wvm;          /* rules; wheres (never nested in each other) */
  src_run *srcs;             /* per source (rows.h) */
  vg_arena arena;            /* texts that live as long as the evaluation (life keys, examples) */
  vg_arena alert_arena;      /* the texts of the alerts in memory (key, message, recipient, evidence, route) */
  exec_alerts alerts;        /* in memory; sorted by date, rule, key order when done */
  long seq_next;             /* the next alert's seq: the order of evaluation */
  long seq_walk;             /* the seqs the walk down the keys gave last (scan.c: going down from 0) */
  long seq_swept;            /* the first seq of the life sweep's resolved entries (keys no longer read) */
  /* Alerts past the memory budget go to a temporary table of the connection
  ** (memory holds the window, not every alert of a long backtest); read them
  ** back with exec_iter (alerts.h). */
  long long nspilled;
  sqlite3_stmt *spill_ins;
  char spill_table[48];
  size_t spill_bytes;        /* the alerts' budget in memory (run.c: exec_spill_bytes, more in a nightly run) */
  long long *tally;          /* [ntiers * LIFE__COUNT]: alerts per tier and life status (filled when done) */
  const char *cur_key;       /* text of the key being evaluated (cur_key_len bytes) */
  size_t cur_key_len;
  vg_buf keytext;            /* its storage (any length) */
  life_map *life;            /* alerts open at the previous evaluation, by (rule, key) */
  org_map *org;              /* the org chart, when the program has one */
  int want_evidence;         /* compute each alert's evidence (set before exec_pack_eval) */
  evid_plan *evid;           /* per rule: what its evidence holds */
  long long rows_read;
  long long keys_done;       /* evaluations of a key at a date (for the progress callback) */
  bad_count **rollup_bad;    /* per rollup: the bad data its rows met (rows.h) */
  int lookup_nomem;          /* a lookup ran out of memory (the VM hears only that it failed) */
  int warnings;              /* bad-data kinds reported */
  int failed;                /* an input error was reported */
  int stopped;               /* o->progress asked to stop: the evaluation fails, unreported */
  long long bad_events;      /* bad data counted so far (any kind, any source) */
  int32_t *found;            /* o->find_dates: the snapshot dates found, which dates then points to */
  int nfound;                /* ... how many so far */
  int sweeping;              /* in a sweep (sweep.c): an evaluation error is not reported ... */
  int sweep_redo;            /* ... but set here, and the source is read again in key order */
} exec_pack;

/* Tell the caller's progress callback (o->progress, not NULL) what was done
** so far; returns pr->stopped, set when it asked to stop (exec.c). */
int exec_poll(exec_pack *pr);

/* vg_progress.rows_total for programs[0..n) read over db, every source read
** whole (no seeks); -1 when a table it reads is not a rowid table of the
** main database (exec.c). */
long long exec_rows_total(sqlite3 *db, const vm_program *programs, int n);

/* ---- reporting ---------------------------------------------------------------- */

/* Report a diagnostic through o->diag: its code (DIAG_NONE for a note,
** which has none) and, when it is about a place in a .rules file, the place
** (file NULL and line, col 0 when not). */
void exec_diag(const exec_opts *o, vg_severity sev, vg_dcode code, const char *file, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 7, 8)))
#endif
  ;

#endif
