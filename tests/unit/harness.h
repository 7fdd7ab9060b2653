/*
** harness.h — running rules end to end, shared by test_vm.c and
** test_runtime.c.
**
** The harness keeps one temporary folder with one SQLite file (t.db).
** th_run_on() builds that database from SQL, compiles rules against its
** schema with vg_compile_string and runs them with vg_run; every alert of
** the run is recorded in th_alerts, every diagnostic of the compile and
** the run is appended to th_diags ("SEVERITY: MESSAGE", followed by
** " (FILE:LINE:COL)" when the diagnostic has a file and " [CODE]" when it
** has a code), and every per-pack
** summary in th_summaries.  The state is reset by each run as described
** below; th_cleanup() removes the folder (a suite's cleanup function).
*/
#ifndef VIGIL_TEST_HARNESS_H
#define VIGIL_TEST_HARNESS_H

#include "vigil.h"

/* One alert as reported to the alert callback (texts copied). */
typedef struct th_alert {
  char pack[64], rule[64], tier[32], key[1024], as_of[16];
  char message[1024], recipient[256];
  int has_message, has_recipient; /* 0 when the alert had a NULL one */
  char evidence[2048], route[1024], status[16]; /* "" for NULL */
} th_alert;

enum { TH_MAX_ALERTS = 256, TH_MAX_SUMMARIES = 4, TH_DIAG_SIZE = 16384 };

extern th_alert th_alerts[TH_MAX_ALERTS]; /* the alerts of the last run, in order */
extern int th_nalerts;
extern vg_run_summary th_summaries[TH_MAX_SUMMARIES]; /* the summaries of the last run */
extern int th_nsummaries;
extern char th_diags[TH_DIAG_SIZE]; /* the diagnostics since th_clear_diags() */

/* Set to read tables whole (vg_run_opts.no_seek) in th_run. */
extern int th_no_seek;
/* Set to compute evidence in dry runs too (vg_run_opts.evidence). */
extern int th_evidence;
/* Param overrides for th_run (vg_run_opts.params; NULL: none). */
extern const vg_params *th_params;

/* The test database's path (valid after th_fresh_db() or th_make_db()). */
const char *th_db_path(void);

/* The diagnostic callback that appends to th_diags. */
void th_on_diag(void *ud, const vg_diag *d);
/* Forgets the diagnostics collected so far. */
void th_clear_diags(void);

/* An empty test database (the temporary folder is made on first use).
** Returns 0 or -1. */
int th_fresh_db(void);

/* Runs sql on the test database.  Returns 0 or -1 (and prints the error). */
int th_exec(const char *sql);

/* A fresh test database loaded from sql: th_fresh_db() then th_exec(sql). */
int th_make_db(const char *sql);

/* Compiles rules (file name name) against the test database's schema.
** Returns the program, or NULL when the rules do not compile (the rules and
** the diagnostics are printed).  *status, when status is not NULL, receives
** vg_compile_string's status. */
vg_program *th_compile(const char *name, const char *rules, vg_status *status);

/* Runs n programs on the test database as of as_of.  Clears the alerts and
** summaries first (not the diagnostics).  Returns vg_run's status. */
int th_run(vg_program **p, int n, const char *as_of, int dry_run, int strict);

/* Backtests p over the one date as_of (vg_backtest, from = to): the alerts
** replace th_alerts.  Returns vg_backtest's status. */
int th_backtest_one(vg_program *p, const char *as_of);

/* Clears the diagnostics and alerts, makes the database from sql, compiles
** rules against it and runs them.  Returns the run's status, 100 + the
** compile status when the rules do not compile, or -1 when sql fails. */
int th_run_full(const char *sql, const char *rules, const char *as_of, int dry_run, int strict);

/* th_run_full as a dry run, not strict. */
int th_run_on(const char *sql, const char *rules, const char *as_of);

/* Every alert of the last run as "KEY TIER MESSAGE" lines, with the rule
** name first when with_rule; a NULL message as "-". */
const char *th_alert_lines(int with_rule);

/* 1 when th_alert_lines(with_rule) is want; otherwise prints both and the
** diagnostics and returns 0. */
int th_alerts_are(int with_rule, const char *want);

/* 1 when a diagnostic contains text; otherwise prints them and returns 0. */
int th_diag_has(const char *text);

/* Removes the test database and the temporary folder.  Returns 0 (usable
** as a CUnit suite's cleanup function). */
int th_cleanup(void);

#endif
