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
  /* called on the run's connection once it is open (vigil test puts it in
  ** the box of compiler/schema.c); nonzero fails the run */
  int (*on_open)(void *ud, sqlite3 *db);
  void *open_ud;
} exec_opts;

/* vg_run, with exec_opts.on_open and open_ud set from on_open and open_ud. */
vg_status exec_run(vg_program *const *programs, int n, const vg_run_opts *o, int (*on_open)(void *, sqlite3 *), void *open_ud);

/* The life of an alert across evaluations (life.c). */
typedef enum { LIFE_NEW, LIFE_ONGOING, LIFE_ESCALATED, LIFE_RESOLVED, LIFE__COUNT } exec_life;

/* One alert: the evaluation date it is for, and its texts (in the pack's
** arena).  A LIFE_RESOLVED entry is not an alert: it records that an alert
** open at the previous evaluation is closed now. */
typedef struct exec_alert {
  int rule, tier;
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

/* The org chart (org.c). */
typedef struct org_map org_map;
enum { ORG_MISSING, ORG_TOP, ORG__COUNT };
typedef struct org_count {
  long n[ORG__COUNT];
  const char *example[ORG__COUNT];
  int levels[ORG__COUNT];
} org_count;

typedef struct life_map life_map;

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
  vg_arena arena;            /* texts that live as long as the evaluation (life keys, examples) */
  vg_arena alert_arena;      /* the texts of the alerts in memory (key, message, recipient, evidence, route) */
  exec_alert *alerts; long nalerts, capalerts; /* in memory; sorted by date, rule, key order when done */
  long seq_next;             /* the next alert's seq: the order of evaluation */
  /* Alerts past EXEC_SPILL_BYTES go to a temporary table of the connection
  ** (memory holds the window, not every alert of a long backtest); read them
  ** back with exec_iter. */
  long long nspilled;
  sqlite3_stmt *spill_ins;
  char spill_table[48];
  long long *tally;          /* [ntiers * LIFE__COUNT]: alerts per tier and life status (filled when done) */
  const char *cur_key;       /* text of the key being evaluated (cur_key_len bytes) */
  size_t cur_key_len;
  vg_buf keytext;            /* its storage (any length) */
  life_map *life;            /* alerts open at the previous evaluation, by (rule, key) */
  org_map *org;              /* the org chart, when the program has one */
  int want_evidence;         /* compute each alert's evidence (set before exec_pack_eval) */
  struct evid_plan *evid;    /* per rule: what its evidence holds */
  long long rows_read;
  void **rollup_bad;         /* per rollup: the bad data its rows met (exec.c) */
  int warnings;              /* bad-data kinds reported */
  int failed;                /* an input error was reported */
} exec_pack;

/* Evaluate pr->p over pr->db at dates[0..ndates) (set p, db, o, dates and
** ndates first).  Returns 0; or -1 with pr->failed set (an error was
** reported: a missing column, an evaluation error) or not (out of memory). */
int exec_pack_eval(exec_pack *pr);
void exec_pack_free(exec_pack *pr);

/* Append an alert of rule at tier for the key being evaluated (texts of
** mlen / rlen bytes are copied; NULL for null).  Returns its index, or -1
** when out of memory. */
long exec_add_alert(exec_pack *pr, int rule, int tier, const char *message, size_t mlen, const char *recipient,
                    size_t rlen);

/* Bytes of alerts held in memory before they are spilled to a temporary table. */
#ifndef EXEC_SPILL_BYTES
#define EXEC_SPILL_BYTES (10u * 1024u * 1024u)
#endif

/* The budget in use (tests lower it to make every evaluation spill). */
extern size_t exec_spill_bytes;

/* The alerts of an evaluated pack, in order (date, rule, key), whether
** they are in memory or spilled.  cur's texts are valid until the next call. */
typedef struct exec_iter {
  exec_pack *pr;
  long i;
  sqlite3_stmt *st;
  exec_alert cur;
} exec_iter;
/* 0, or -1 with a diagnostic (a database error). */
int exec_iter_open(exec_pack *pr, exec_iter *it);
/* The next alert, or NULL at the end (or on an error: it->pr->failed). */
const exec_alert *exec_iter_next(exec_iter *it);
void exec_iter_close(exec_iter *it);

/* ---- life.c ------------------------------------------------------------------ */

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
int exec_life_step(exec_pack *pr, int rule, const char *key, size_t klen, long before, int32_t date, const vm_series *s);
/* At the end of a one-date run: close what was open and was not seen. */
int exec_life_sweep(exec_pack *pr, int32_t date);
void exec_life_free(exec_pack *pr);
/* A copy of the map, to put back when a source's scan is redone in day
** order (exec.c: scan_source).  NULL when out of memory. */
typedef struct life_saved life_saved;
life_saved *exec_life_save(exec_pack *pr);
/* Makes the saved copy the map again (it is consumed); 0 or -1 (memory). */
int exec_life_restore(exec_pack *pr, life_saved *sv);
void exec_life_saved_free(life_saved *sv);

/* Mark what function fn reads (and the functions it calls): columns of its
** source in own, params in params (may be NULL), and for each lookup the
** target's column, key, time and where columns in look[source] (look may be
** NULL).  seen[nfuncs] must start zeroed. */
void exec_mark_reads(const vm_program *p, int fn, uint8_t *own, uint8_t **look, uint8_t *params, uint8_t *seen);

/* ---- evidence.c ----------------------------------------------------------- */

/* Rows of a key's window an alert's evidence shows at most; a recording run
** keeps at least this many in each series so the trend is there. */
#define EXEC_EVID_ROWS 6

/* Plan each rule's evidence (pr->evid); 0 or -1 (memory). */
int exec_evidence_plan(exec_pack *pr);
/* The evidence JSON of rule on series s at date, in the pack's arena; NULL
** when out of memory. */
const char *exec_evidence(exec_pack *pr, int rule, const vm_series *s, int32_t date);
void exec_evidence_free(exec_pack *pr);

/* ---- prefilter.c ---------------------------------------------------------- */

/* For a nightly scan of source si (one row per key, rules looking back no
** rows): a WHERE (into where) that holds on every row some tier of rules
** could fire on, with ?1 = as_of and ?2... = (*binds)[0...] (to free).
** Returns 1 when there is one, 0 when not, -1 when out of memory. */
int exec_prefilter(exec_pack *pr, int si, const int *rules, int nrules, vg_buf *where, val **binds, int *nbinds);
/* 1 when the source's key cannot repeat in its table (INTEGER PRIMARY KEY,
** or alone in a unique index). */
int exec_key_unique(exec_pack *pr, const vm_source *s);

/* For vigil check --db: a note for each table whose rules look back a
** bounded number of rows but that has no index making the per-key query a
** search (a nightly run then reads it whole).  pr needs p, db and o. */
void exec_index_advice(exec_pack *pr);

/* ---- org.c ------------------------------------------------------------------ */

/* Read and check the program's org table (nothing without an org).  0, or
** -1 (pr->failed set when it was reported; else out of memory). */
int exec_org_load(exec_pack *pr);
/* The person `levels` above person (text), counted for rule when there is
** none.  *out is NULL then.  0, or -1 when out of memory. */
int exec_org_manager(exec_pack *pr, int rule, const char *person, size_t len, int levels, const char **out,
                     size_t *outlen);
/* The route of an alert of rule to recipient (len bytes), climbing `levels`:
** a JSON array in the pack's arena; NULL without an org or recipient (or
** memory). */
const char *exec_org_route(exec_pack *pr, int rule, const char *recipient, size_t len, int levels);
/* Report per rule the recipients not in the org and the climbs past its top. */
void exec_org_report(exec_pack *pr);
void exec_org_free(exec_pack *pr);
/* Append s (n bytes, any bytes) to b as a JSON string that is valid UTF-8:
** a byte that is not part of valid UTF-8 becomes U+FFFD, control characters
** (NUL included) \u00XX (docs/CLI.md "Output encoding").  0 or -1 (memory). */
int exec_json_str(vg_buf *b, const char *s, size_t n);
/* The length (1..4) of the valid UTF-8 sequence at p[0..n) (n >= 1), or 0
** when p[0] does not start one (stray continuation, overlong, surrogate,
** past U+10FFFF, cut short). */
int exec_utf8_len(const unsigned char *p, size_t n);

/* 1 when table has column col (0 when not, or the table is missing). */
int exec_has_column(sqlite3 *db, const char *table, const char *col);
/* Now, UTC, ISO 8601 with milliseconds ("2025-03-14T06:00:01.234Z"; cap >= 32). */
void exec_now_utc(char *buf, size_t cap);

/* ---- reading rows (exec.c), shared with rollup.c ------------------------------ */

/* "SELECT col, ... [, ROWID] FROM table" for source s into b, ROWID being
** the expression that reads the real rowid (exec_rowid_expr), or none for
** NULL.  0 or -1 (memory). */
int exec_select_list(vg_buf *b, const vm_source *s, const char *rowid);
/* The expression that reads source si's real rowid (not a column named
** rowid), or NULL when it has none reachable.  0, or -1 (memory). */
int exec_rowid_expr(exec_pack *pr, int si, const char **out);
/* Read the statement's row into r as source si's column types say, counting
** bad data; *skip when the row has no usable key or time.  0 or -1 (memory). */
int exec_read_row(exec_pack *pr, int si, sqlite3_stmt *st, vm_row *r, int rowid_col, int *skip);
/* 1 when row r passes source si's where (or it has none), 0 when not, -1 on error. */
int exec_where_ok(exec_pack *pr, int si, vm_row *r);
/* The SQL function vigil_day(t): the day the runtime reads in time text t, or NULL. */
void exec_sql_vigil_day(sqlite3_context *cx, int argc, sqlite3_value **argv);
/* The rollup whose source is si, or -1. */
int exec_rollup_of(const vm_program *p, int si);
/* While on, bad data read from source si counts for its rollups (reported apart). */
void exec_count_rollup(exec_pack *pr, int si, int on);
/* Keep what rollup ro counted (and start its member's count afresh for the
** next rollup of the same members): each rollup reports its own.  0 or -1. */
int exec_rollup_bad_keep(exec_pack *pr, int ro);
/* Forget what the rows of member source si read for a rollup counted. */
void exec_rollup_bad_clear(exec_pack *pr, int si);

/* ---- rollup.c ----------------------------------------------------------------- */

/* Make the rows of every rollup of the program into its temporary table, up
** to the last evaluation date (docs/LANGUAGE.md "Rollups").  0, or -1 with
** pr->failed set (reported) or not (out of memory). */
int exec_rollups(exec_pack *pr);

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
