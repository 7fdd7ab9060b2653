/*
** exec.h — evaluating one program over a SQLite database, at one date or at
** many (a backtest), in one pass per source.  Used by run.c, which owns the
** transaction, the recording and the public vg_run / vg_backtest.
*/
#ifndef VIGIL_EXEC_H
#define VIGIL_EXEC_H

#include <sqlite3.h>
#include "vm.h"
#include "../include/vigil.h"

typedef struct exec_opts {
  vg_diag_fn diag; void *ud;
  const char *db_path;  /* for messages */
  int no_seek;          /* never use per-key index seeks */
} exec_opts;

/* One alert: the evaluation date it is for, and its texts (in the pack's arena). */
typedef struct exec_alert {
  int rule, tier;
  int32_t date;
  long seq;
  const char *key, *message, *recipient;
} exec_alert;

typedef struct src_run src_run;

/* The state of evaluating one program.  Zero it, then exec_pack_eval. */
typedef struct exec_pack {
  vm_program *p;
  sqlite3 *db;
  const exec_opts *o;
  const int32_t *dates; int ndates; /* evaluation dates, ascending, distinct */
  int32_t as_of;             /* the date being evaluated */
  vm_state vm, wvm;          /* rules; wheres (never nested in each other) */
  src_run *srcs;
  vg_arena arena;            /* alert texts */
  exec_alert *alerts; long nalerts, capalerts; /* sorted by date, rule, key order when done */
  const char *cur_key;       /* text of the key being evaluated */
  vg_buf keytext;            /* its storage (any length) */
  long long rows_read;
  int warnings;              /* bad-data kinds reported */
  int failed;                /* an input error was reported */
} exec_pack;

/* Evaluate pr->p over pr->db at dates[0..ndates) (set p, db, o, dates and
** ndates first).  Returns 0; or -1 with pr->failed set (an error was
** reported: a missing column, an evaluation error) or not (out of memory). */
int exec_pack_eval(exec_pack *pr);
void exec_pack_free(exec_pack *pr);

/* Append name to b as a quoted SQL identifier ("a""b"): nothing in a name
** can end the quote.  Returns 0 or -1 (out of memory). */
int exec_quote_ident(vg_buf *b, const char *name);

/* Report a diagnostic without a column through o->diag. */
void exec_diag(const exec_opts *o, vg_severity sev, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 5, 6)))
#endif
  ;

#endif
