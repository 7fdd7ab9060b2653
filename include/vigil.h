/*
** vigil.h — the public interface of libvigil.
**
** libvigil compiles Vigil rule packs (.rules text, or a compiled .vgc) into
** programs and evaluates them over a SQLite database.  It never prints:
** diagnostics reach the caller through a vg_diag_fn, alerts through a
** vg_alert_fn, and text renderings go into caller-owned buffers.
**
** Ownership: every pointer handed to a callback is valid only during the
** call.  A vg_program belongs to the caller and is freed with vg_free_program.
*/
#ifndef VIGIL_H
#define VIGIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every name declared here is exported by libvigil.so (and kept global in
** libvigil.a); the library is compiled with -fvisibility=hidden, so nothing
** else is (make check-symbols). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* The version of this header; vg_libversion() gives the library's (they
** differ when a program runs with another libvigil than it was built with).
** VG_VERSION_NUMBER is MAJOR * 1000000 + MINOR * 1000 + PATCH. */
#define VG_VERSION "0.1.0"
#define VG_VERSION_NUMBER 1000

/* Results of the library's functions.  VG_EINPUT means "the input has
** errors" (diagnostics were reported), the CLI's exit status 1. */
typedef enum vg_status {
  VG_OK = 0,
  VG_EINPUT = 1,  /* errors in rules, a .vgc, or the data; see the diagnostics */
  VG_EUSAGE = 2,  /* a bad argument (unknown param in --set, bad date, ...) */
  VG_ENOMEM = 3,
  VG_EIO = 4,     /* a file could not be read or written */
  VG_EDB = 5,     /* SQLite failed (message in the diagnostics) */
  VG_ENOPARAM = 6, /* a param override names a param the pack does not declare */
  VG_EPARAM = 7,  /* a param override's value is not a literal of the param's type */
  VG_ESTOPPED = 8 /* a callback of the caller's returned nonzero: the call stopped there
                  ** (vg_run_opts.progress, alert, summary; no diagnostic is reported) */
} vg_status;

/* The library's version: VG_VERSION and VG_VERSION_NUMBER as it was built. */
const char *vg_libversion(void);
int vg_libversion_number(void);

/* The name of a status as written in this header ("VG_EDB"); "VG_UNKNOWN"
** for a value that is not one. */
const char *vg_status_name(vg_status st);

/* Frees memory the library returns to the caller (vg_disasm, vg_format).
** NULL is allowed. */
void vg_free(void *p);

typedef enum vg_severity { VG_ERROR = 0, VG_WARNING = 1, VG_NOTE = 2 } vg_severity;

/* One diagnostic.  file is NULL for one that has no place in a file (a
** command-line or database problem).  line and col are 1-based (col counts
** characters, not bytes); end_col is one past the last column of the span
** on that line.  line_text/line_len is the source line (no newline). */
typedef struct vg_diag {
  vg_severity severity;
  const char *code;      /* stable identifier, e.g. "E-unknown-column", or NULL */
  const char *file;
  int line, col, end_col;
  const char *line_text;
  size_t line_len;
  const char *message;
} vg_diag;

typedef void (*vg_diag_fn)(void *ud, const vg_diag *d);

/* The table of diagnostic codes (docs/DIAGNOSTICS.md), in its order: for i
** in [0, vg_diag_code_count()) the code ("E-unknown-column"), and in *group
** (the section of docs/DIAGNOSTICS.md that explains it, "names") and
** *meaning (one line of markdown) when they are not NULL.  NULL for an i out
** of range.  The strings are static. */
int vg_diag_code_count(void);
const char *vg_diag_code(int i, const char **group, const char **meaning);

typedef struct vg_program vg_program;

struct sqlite3; /* a SQLite connection (sqlite3.h); this header does not need sqlite3.h */

/* ---- Compiling --------------------------------------------------------- */

typedef struct vg_compile_opts {
  const char *schema_path; /* --schema FILE.sql, or NULL */
  const char *db_path;     /* --db FILE whose schema to check against, or NULL */
  vg_diag_fn diag;         /* where diagnostics go (may be NULL) */
  void *ud;
  int max_errors;          /* stop reporting after this many; <= 0: 50 */
  int warnings;            /* also report warnings (docs/DIAGNOSTICS.md) */
  int follow_symlinks;     /* read source files that are symbolic links (by default a link is
                           ** refused: sources are regular files; see vg_compile_path) */
} vg_compile_opts;

/* Compile one PATH: a .rules file, a pack folder (its .rules in name order,
** with its schema.sql), or a .vgc file (read and verified).  Schema
** precedence: opts->db_path, opts->schema_path, the pack folder's (or the
** .rules file's folder's) schema.sql; without any, columns are not checked.
** Every file read (.rules, schema.sql, .vgc) must be a regular file: a
** symbolic link is refused unless opts->follow_symlinks (a folder PATH may
** be a link; the files in it may not), and a .rules or schema.sql that is
** not UTF-8 text (a NUL byte, an invalid sequence) is refused without
** quoting it ("not a text file: line N ...").
** Returns VG_OK and sets *out, or an error status with the diagnostics
** reported (and *out NULL). */
vg_status vg_compile_path(const char *path, const vg_compile_opts *opts, vg_program **out);

/* 0 when text[0..len) is UTF-8 text without NUL bytes, as a source file must
** be; otherwise the 1-based line of the first NUL byte or invalid UTF-8
** sequence (*nul, when not NULL, says which). */
size_t vg_text_bad_line(const char *text, size_t len, int *nul);

/* Compile rules from memory (name is used in diagnostics).  schema_sql is
** CREATE TABLE text or NULL.  Same result contract as vg_compile_path. */
vg_status vg_compile_string(const char *name, const char *text, size_t len, const char *schema_sql,
                            const vg_compile_opts *opts, vg_program **out);

void vg_free_program(vg_program *p);

/* The pack's name. */
const char *vg_program_pack(const vg_program *p);

/* The pack's rules in declaration order, and its tiers, lowest first: how
** many there are, and the name of the i-th (NULL when i is out of range).
** The names live as long as the program. */
int vg_program_rule_count(const vg_program *p);
const char *vg_program_rule_name(const vg_program *p, int i);
int vg_program_tier_count(const vg_program *p);
const char *vg_program_tier_name(const vg_program *p, int i);
/* The pack's params in declaration order, likewise (for --set completion). */
int vg_program_param_count(const vg_program *p);
const char *vg_program_param_name(const vg_program *p, int i);

/* ---- Params per run ------------------------------------------------------ */

/* Param overrides for runs: a set of (pack, param, value) built by the
** caller and handed to vg_run / vg_backtest in their options.  Programs are
** never changed by it, so one compiled program can serve runs with
** different values, one after another or at the same time.  A set may be
** read by several runs at once; it must not be changed (vg_params_set)
** while a run reads it. */
typedef struct vg_params vg_params;

/* An empty set, or NULL when out of memory.  Free it with vg_params_free. */
vg_params *vg_params_new(void);
void vg_params_free(vg_params *ps);

/* Override param `name` of program p with a literal of the language
** ("7days", "25%", "0.25", "\"EMEA\"", "2025-01-31", "true"); its type must
** be the param's.  The value is kept in ps for p's pack (by its name: a run
** applies it to the program of that pack); setting the same pack and name
** again replaces it.  Returns VG_OK; VG_ENOPARAM when p declares no param
** `name`; VG_EPARAM when literal is not a literal of the language or has
** another type than the param; VG_ENOMEM.  The reason, when not VG_OK, goes
** to err (errcap bytes; err may be NULL).  On VG_OK err is empty, or holds
** a warning (W-fraction): the pack uses the param as a fraction (1 - p, or
** compared with a column named as a rate) and the value, written without %,
** is above 1 (20 where 20% was meant); the value is set all the same.  A
** program read from a .vgc file does not know its fraction params and gives
** no such warning.  Neither p nor literal need outlive the call. */
vg_status vg_params_set(vg_params *ps, const vg_program *p, const char *name, const char *literal, char *err,
                        size_t errcap);

/* Serialize to the .vgc format.  Returns VG_OK, VG_ENOMEM or VG_EIO (the
** reason in err). */
vg_status vg_save_program(const vg_program *p, const char *path, char *err, size_t errcap);

/* Disassemble into a NUL-terminated string the caller frees with vg_free.
** Returns NULL when out of memory. */
char *vg_disasm(const vg_program *p);

/* ---- Running ------------------------------------------------------------ */

typedef struct vg_alert {
  const char *pack, *rule, *tier;
  const char *key;        /* the entity key as text (key_len bytes: see below) */
  const char *as_of;      /* YYYY-MM-DD */
  const char *message;    /* NULL when the rule has no message */
  const char *recipient;  /* NULL for a null recipient */
  const char *status;     /* "new", "ongoing" or "escalated" against the previous
                          ** evaluation (the pack's previous recorded run; in a
                          ** backtest, the previous date) */
  const char *first_seen; /* YYYY-MM-DD: when this open stretch began */
  int runs;               /* evaluations it has been open, this one included */
  const char *evidence;   /* JSON: the values behind the alert (vigil_alerts.evidence), or NULL
                          ** when not computed (a dry run without vg_run_opts.evidence, a backtest) */
  const char *route;      /* JSON array of the people it goes to (org routing), or NULL */
  size_t key_len;        /* bytes of key (it may hold NUL bytes; key[key_len] is NUL) */
  size_t message_len;    /* bytes of message (0 when NULL) */
  size_t recipient_len;  /* bytes of recipient (0 when NULL) */
} vg_alert;

/* Returns 0 to go on; nonzero stops the call, which returns VG_ESTOPPED
** (what that leaves recorded: vg_run). */
typedef int (*vg_alert_fn)(void *ud, const vg_alert *a);

/* Per pack, after the run: what was read and found. */
typedef struct vg_run_summary {
  const char *pack;
  long long rows_read, alerts;
  int warnings;           /* bad-data kinds reported */
  long long run_id;       /* the vigil_runs row, or 0 with dry_run */
  int ntiers;             /* the pack's tiers, lowest first */
  const char *const *tiers;
  const long long *life;  /* [ntiers][4]: alerts new, ongoing, escalated, resolved per tier */
  int shard;              /* a sharded run (nshards > 1): this shard (1..nshards), which recorded its part */
  int nshards;
  int shards_missing;     /* parts still to come before the run is published (run_id is 0 until then) */
} vg_run_summary;

/* Returns 0 to go on; nonzero stops the call (VG_ESTOPPED), as vg_alert_fn. */
typedef int (*vg_summary_fn)(void *ud, const vg_run_summary *s);

/* What a run or a backtest has done so far, given to vg_progress_fn. */
typedef enum vg_phase {
  VG_PHASE_EVAL,          /* reading the sources and evaluating the rules */
  VG_PHASE_DONE           /* every pack is evaluated; recording (unless a dry run) and the alerts follow */
} vg_phase;

typedef struct vg_progress {
  vg_phase phase;
  const char *pack;       /* the pack being evaluated */
  int pack_index, npacks; /* it is the pack_index-th (from 0) of the call's npacks */
  int dates_total;        /* the call's evaluation dates (1 for vg_run; during a backtest at_snapshots
                          ** that finds them as it reads, those found so far) */
  int dates_done;         /* dates evaluated for every pack: dates_total at VG_PHASE_DONE, else 0 (a
                          ** backtest reads each source once and evaluates each key at every date) */
  long long rows_read;    /* source rows read so far by the call (every pack) */
  long long keys_done;    /* evaluations of a key at a date done so far (every pack) */
  double elapsed;         /* seconds since the call began (a monotonic clock) */
  long long rows_total;   /* an estimate of the source rows the call reads in all (every pack), when
                          ** known cheaply: every source is read whole (a backtest, a run with
                          ** no_seek) from rowid tables of the database (max(rowid) - min(rowid) + 1
                          ** each); -1 when not (a run that may seek, PostgreSQL, a view, WITHOUT
                          ** ROWID).  rows_read may end below it (a where, deleted rows) or above it
                          ** (lookups, the org chart) */
} vg_progress;

/* Polled while the programs are evaluated: when the evaluation of each
** program starts, then about every million instructions of its rules, every
** 65536 rows a full scan reads (and once per key evaluated, when stopped),
** and once when every pack is evaluated, before anything is recorded
** (VG_PHASE_DONE).  p says what
** was done so far (valid during the call only).  Returns 0 to go on;
** nonzero stops the evaluation: nothing is recorded, no alert is given,
** and the call returns VG_ESTOPPED.  It is how a caller shows progress,
** bounds a run by time, or cancels it from another thread (the callback
** reads a flag the other thread sets); it must not use the run's connection. */
typedef int (*vg_progress_fn)(void *ud, const vg_progress *p);

typedef struct vg_run_opts {
  const char *db_path;    /* the database to open; with db, only its name in messages (may be NULL) */
  struct sqlite3 *db;     /* or the caller's open connection (see "Databases" below) */
  const vg_params *params; /* param overrides (NULL: every param as compiled); an override of a pack
                          ** not in the run is ignored */
  const char *as_of;      /* YYYY-MM-DD, or NULL for today's local date */
  int dry_run;            /* open read-only, record nothing */
  int strict;             /* bad data fails the run */
  vg_diag_fn diag; void *ud;
  vg_alert_fn alert;      /* called for every alert, in output order, once the run has succeeded */
  vg_summary_fn summary;  /* called per pack after its alerts */
  vg_progress_fn progress; /* NULL, or polled during the evaluation (see vg_progress_fn) */
  void *out_ud;           /* handed to alert, summary and progress */
  int no_seek;            /* always read whole tables in key order (no per-key index seeks) */
  int evidence;           /* compute each alert's evidence in a dry run too (a recording run always does) */
  unsigned long long step_budget; /* instructions one rule (or one where, rollup column) may take
                          ** on one key at one date; past it the run fails (VG_EINPUT).  0: the
                          ** default, 50 million (VM_STEP_BUDGET when libvigil was built) */
  int shard;              /* nshards > 1: evaluate only the keys in shard `shard` (1..nshards): those
                          ** PostgreSQL's PARTITION BY HASH (key) with MODULUS nshards puts in
                          ** REMAINDER shard - 1 (PostgreSQL computes it when it holds the table).
                          ** Recording, the shard records its part; the run is published (vigil_runs,
                          ** vigil_alerts) when every shard's part is in (docs/LANGUAGE.md,
                          ** "Sharded runs").  0, 0: every key. */
  int nshards;
} vg_run_opts;

/* Evaluate programs[0..n) (in that order) over the database and, unless
** dry_run, record the run in vigil_runs / vigil_alerts in one transaction.
** Returns VG_OK; VG_EINPUT when the run failed (a source table or column is
** missing or has another type than compiled for, --strict with bad data, an
** evaluation error): nothing is recorded and no alert is reported;
** VG_EUSAGE for a bad as_of; VG_EDB when SQLite fails, the database stays
** locked by another process past the busy timeout, or (recording) it cannot
** be written or its vigil_runs / vigil_alerts are not tables Vigil can
** record into (checked before anything is evaluated; docs/CLI.md §6.2);
** VG_ESTOPPED when a callback stopped it: progress during the evaluation
** (nothing is recorded, no alert given), or alert or summary, which are
** called once the run is recorded (committed, or released into the caller's
** transaction): it stays recorded, and no further alert or summary is given. */
vg_status vg_run(const vg_program *const *programs, int n, const vg_run_opts *opts);

/* For `vigil check --db`: a note (VG_NOTE) for each table that rules read
** with a bounded lookback but that lacks an index on (key, time), with the
** CREATE INDEX that would let a nightly run seek the last rows of each key
** (tables whose key cannot repeat need none).  Vigil never changes the
** schema itself.  VG_OK, or VG_EDB when the database cannot be opened or
** read (a lock held past the busy timeout: no false note is given). */
vg_status vg_index_advice(const vg_program *p, const char *db_path, vg_diag_fn diag, void *ud);

/* ---- Backtests ------------------------------------------------------------ */

typedef struct vg_backtest_opts {
  const char *db_path;    /* as vg_run_opts.db_path */
  struct sqlite3 *db;     /* as vg_run_opts.db */
  const vg_params *params; /* param overrides, as vg_run_opts.params */
  const char *from, *to;  /* YYYY-MM-DD, both evaluated (from <= to) */
  int every_days;         /* evaluate at from, from + N, ... <= to (0: every day) */
  int at_snapshots;       /* instead: at each distinct day of the time columns of the
                          ** sources the rules are on, within [from, to] */
  int record;             /* write vigil_backtest (replacing the pack's rows for those dates) */
  vg_diag_fn diag; void *ud;
  vg_alert_fn alert;      /* every alert, ordered by date, then as vg_run orders them */
  vg_summary_fn summary;
  vg_progress_fn progress; /* as vg_run_opts.progress */
  void *out_ud;           /* handed to alert, summary and progress */
  unsigned long long step_budget; /* as vg_run_opts.step_budget */
  int shard;              /* as vg_run_opts.shard: only the keys of shard `shard` of nshards (with
                          ** record: refused, VG_EUSAGE) */
  int nshards;
} vg_backtest_opts;

/* Evaluate programs as of every date of the range in one pass over each
** source: the same alerts separate vg_run calls (as_of each date) would
** give.  Returns VG_OK, VG_EUSAGE (bad dates), VG_EINPUT, VG_EDB,
** VG_ENOMEM or VG_ESTOPPED, as vg_run (with record, the alerts are given
** once vigil_backtest is written). */
vg_status vg_backtest(const vg_program *const *programs, int n, const vg_backtest_opts *o);

/* Parse a YYYY-MM-DD date; 1 on success (days since 1970-01-01 in *days). */
int vg_parse_date(const char *text, int *days);

/* ---- Lead time (vigil backtest --outcome) ---------------------------------- */
/* How early a rule flagged the keys that went on to have a bad outcome
** (docs/CLI.md §7.1).  The caller gives the outcomes and a backtest's
** alerts of one rule; days are vg_parse_date's. */

/* One bad outcome: a key, written as alerts write keys, and its day. */
typedef struct vg_outcome {
  const char *key;
  size_t key_len;
  int day;
} vg_outcome;

/* One alert of a backtest: its rule, tier, key and evaluation day. */
typedef struct vg_dated_alert {
  const char *rule;       /* (vg_rule_lead_time does not read it) */
  const char *tier;
  const char *key;
  size_t key_len;
  int day;
} vg_dated_alert;

typedef struct vg_lead_time {
  size_t outcomes;        /* the outcomes given */
  size_t flagged;         /* outcomes the rule alerted on, on or before their day */
  double median, mean;    /* lead time in days of the flagged outcomes (NAN when none) */
  size_t alerted;         /* keys the rule alerted at least once */
  size_t hit_keys;        /* of those, keys with a flagged outcome (precision: hit_keys / alerted) */
  size_t false_alarms;    /* alerted keys without any outcome */
  size_t late;            /* alerted keys with outcomes, none of them flagged (alerted only after) */
} vg_lead_time;

/* Sort outcomes v[0..n) by key (as bytes) and day and drop repeated (key,
** day) pairs: returns how many are left at the front (the repeats are moved
** behind them, so their keys can still be freed); *nkeys (may be NULL) gets
** the distinct keys.  vg_rule_lead_time needs the outcomes so. */
size_t vg_outcomes_normalize(vg_outcome *v, size_t n, size_t *nkeys);

/* The lead time of one rule over its alerts[0..n) (any order), counting
** those of tier (NULL: every tier), against the normalized outcomes
** os[0..nos).  An outcome (key, day) is flagged when the rule alerted the
** key on a day after the key's previous outcome (if any) and on or before
** day; its lead time is day minus the first such day.  VG_OK or VG_ENOMEM. */
vg_status vg_rule_lead_time(const vg_dated_alert *alerts, size_t n, const char *tier, const vg_outcome *os, size_t nos,
                            vg_lead_time *out);

/* ---- Matching two versions' alerts (vigil diff) ---------------------------- */

/* One (rule, key, day) that either version alerted: the index of its alert
** in old and in new, -1 where that version gave none. */
typedef struct vg_alert_pair {
  long old_i, new_i;
} vg_alert_pair;

/* Match the alerts of two versions of a pack (two backtests over the same
** dates) by rule name, key and day, as `vigil diff` does: a pair with both
** indexes is an alert of both (in the same tier or not), one with -1 an
** alert added or removed.  rules[0..nrules) is the order of the report;
** every alert's rule must be among them (VG_EUSAGE otherwise).  Pairs come
** ordered by rule (as in rules), key (integers numerically first, then other
** text as bytes) and day; *out (freed with vg_free) holds *nout of them.
** VG_OK, VG_EUSAGE or VG_ENOMEM. */
vg_status vg_match_alerts(const vg_dated_alert *old_alerts, size_t nold, const vg_dated_alert *new_alerts, size_t nnew,
                          const char *const *rules, int nrules, vg_alert_pair **out, size_t *nout);

/* ---- Tests (vigil test) -------------------------------------------------- */
/* See docs/LANGUAGE.md §13 "Tests".  A test block
**   test "NAME" { as_of DATE  set P = LIT  table T (COLS) { (ROW) ... }
**                 expect TIER RULE KEY [message "TEXT"]  expect no alert RULE KEY }
** runs the pack on a fresh in-memory database built from the pack's
** schema.sql and the rows given, as of DATE (a dry run), and compares the
** alerts of every rule named in an expect with the expected ones. */

typedef enum vg_test_outcome {
  VG_TEST_PASS = 0,
  VG_TEST_FAIL = 1,   /* ran; the alerts differ from the expectations (see diff) */
  VG_TEST_ERROR = 2   /* did not run: errors in the test (reported as diagnostics) or a failed run */
} vg_test_outcome;

/* One test's result. */
typedef struct vg_test_result {
  const char *pack;      /* the pack's name */
  const char *name;      /* the test's name */
  const char *file;      /* where the test block is */
  int line;
  vg_test_outcome outcome;
  /* VG_TEST_FAIL: the differences, one per line, each ending in '\n':
  **   "- expected TIER RULE KEY \"MESSAGE\""  (the message only when the test gives one)
  **   "- expected no alert RULE KEY"
  **   "+ actual TIER RULE KEY \"MESSAGE\""   (no message part for a rule without one)
  **   "+ actual no alert RULE KEY"
  ** (an expectation not met is followed by what happened for that rule and key;
  ** unexpected alerts of a rule the test names come last).  A key is written as
  ** the test writes it: digits bare, other text quoted.
  ** VG_TEST_ERROR: the errors, one per line ("FILE:LINE:COL: MESSAGE").
  ** VG_TEST_PASS: NULL. */
  const char *diff;
  int expectations;      /* expect lines of the test */
  int alerts;            /* alerts the run raised (all rules), 0 when it did not run */
  double seconds;        /* time taken */
} vg_test_result;

typedef void (*vg_test_fn)(void *ud, const vg_test_result *r);

/* One tier clause of a rule of the pack, for coverage: covered when some test
** of the pack (passing or failing) raised an alert of that rule and tier. */
typedef struct vg_test_clause {
  const char *pack, *rule, *tier;
  const char *file;      /* where the clause is written */
  int line;
  int covered;
} vg_test_clause;

typedef void (*vg_test_clause_fn)(void *ud, const vg_test_clause *c);

typedef struct vg_test_opts {
  vg_diag_fn diag; void *ud;  /* compile errors, errors in tests, run errors (may be NULL) */
  vg_test_fn result;          /* each test, in file order then declaration order (may be NULL) */
  vg_test_clause_fn clause;   /* each tier clause after the tests, rule by rule, lowest tier first (may be NULL) */
  void *out_ud;               /* handed to result and clause */
  int follow_symlinks;        /* as vg_compile_opts.follow_symlinks, for the pack, its schema.sql and tests */
  double sql_seconds;         /* the time bound of the pack's SQL in each test: its database (schema.sql
                              ** and rows), then its run (which reads the schema's views); <= 0: 10 s */
  const char *run;            /* NULL: every test; else only the tests whose NAME or PACK/NAME matches
                              ** this shell glob (fnmatch: * ? [...]); the others are not run nor reported */
} vg_test_opts;

/* Counts for one PATH (added to, so one summary can sum several PATHs). */
typedef struct vg_test_summary {
  int passed, failed, errors; /* tests by outcome */
  int clauses, covered;       /* tier clauses of the pack, and those covered */
} vg_test_summary;

/* Run the tests of PATH: a pack folder (its *.rules are the pack; the tests
** are the test blocks of its *.rules and of its tests/ *.rules files, which
** may hold test blocks only) or one .rules file (the pack and its tests).
** The pack's schema.sql (in the folder, or beside the file) is required.
** Each test gets a fresh in-memory SQLite database; params it sets are
** restored afterwards.  Returns VG_OK when every test passed (including
** when there is none); VG_EINPUT when a test failed or had errors, or the
** pack or a test file has errors (diagnostics reported; a pack that does not
** compile runs no test and reports no clause); VG_EIO when a file cannot be
** read; VG_ENOMEM.  sum (may be NULL) is added to. */
vg_status vg_test_path(const char *path, const vg_test_opts *opts, vg_test_summary *sum);

/* ---- end of tests -------------------------------------------------------- */

/* ---- Formatting (vigil fmt) ---------------------------------------------- */
/* (declared by the formatter's author; see docs/LANGUAGE.md §15) */

/* The canonical layout of one .rules file's text (name is used in
** diagnostics).  Returns a NUL-terminated string the caller frees with
** vg_free, or NULL when the file is not formatted: it has lexical or syntax
** errors (or any other error the parser reports), or memory ran out; the
** reasons go to diag (which may be NULL).  Formatting keeps every comment,
** prints every value from its own text, never changes what the file means,
** and is idempotent: vg_format(vg_format(x)) == vg_format(x). */
char *vg_format(const char *name, const char *text, size_t len, vg_diag_fn diag, void *ud);

/* ---- end of formatting --------------------------------------------------- */

/* ---- Outlines (vigil lsp) ------------------------------------------------ */
/* What an editor needs to know about a pack: its declarations with their
** places, the uses of their names, and the names that may be written at a
** place.  Built from the pack's text in memory (an editor's unsaved buffers),
** checked as vg_compile_string checks (the same diagnostics). */

typedef enum vg_sym_kind {
  VG_SYM_PACK = 0, VG_SYM_TIER, VG_SYM_PARAM, VG_SYM_DEF, VG_SYM_SOURCE, VG_SYM_ROLLUP, VG_SYM_RULE,
  VG_SYM_LET,      /* a rule's let, or a rollup's column (scope: the rule or rollup) */
  VG_SYM_TEST,
  VG_SYM_COLUMN,   /* a column of the schema (scope: its table; no place) */
  VG_SYM_FUNCTION, /* a built-in function (detail: its synopsis; no place) */
  VG_SYM_KEYWORD   /* a keyword or a duration's unit (no place) */
} vg_sym_kind;

/* A place: file NULL for none; lines 1-based, columns 1-based in characters
** as vg_diag counts them; end_line/end_col one past the end. */
typedef struct vg_span {
  const char *file;
  int line, col, end_line, end_col;
} vg_span;

typedef struct vg_symbol {
  vg_sym_kind kind;
  const char *name;
  const char *scope;  /* VG_SYM_LET: its rule or rollup; VG_SYM_COLUMN: its table; else NULL */
  vg_span span;       /* the whole declaration */
  vg_span name_span;  /* its name */
  const char *detail; /* one line for a hover or a completion: its type and origin */
} vg_symbol;

/* A use of a declared name: symbol is the index of what it names. */
typedef struct vg_ref {
  int symbol;
  vg_span span;
} vg_ref;

typedef struct vg_outline vg_outline;

/* Outline and check the files names[i] with texts[i] (lens[i] bytes), i < n,
** as one pack, in that order (as vg_compile_path compiles a folder's files;
** default_pack names the pack when no `pack` declaration does; NULL: the
** first file's name without .rules).  The schema: opts->db_path, else
** schema_sql (CREATE TABLE text, may be NULL: columns are not checked).
** Diagnostics go to opts->diag as vg_compile_string reports them.  Returns
** VG_OK or VG_EINPUT (errors: the outline holds what parsed) with *out set
** (free it with vg_outline_free); VG_ENOMEM with *out NULL.  The strings an
** outline hands out live as long as it. */
vg_status vg_outline_new(const char *const *names, const char *const *texts, const size_t *lens, int n,
                         const char *default_pack, const char *schema_sql, const vg_compile_opts *opts,
                         vg_outline **out);
void vg_outline_free(vg_outline *o);

/* Its symbols (declarations first, in file order, then columns, functions
** and keywords) and its references (every use of a declared name, in file
** order); NULL when i is out of range. */
int vg_outline_symbol_count(const vg_outline *o);
const vg_symbol *vg_outline_symbol(const vg_outline *o, int i);
int vg_outline_ref_count(const vg_outline *o);
const vg_ref *vg_outline_ref(const vg_outline *o, int i);

/* The symbol whose name (declared or used) is at (line, col) of file, or -1. */
int vg_outline_at(const vg_outline *o, const char *file, int line, int col);

/* The names that may be written at (line, col) of file, each handed to fn:
** after `SOURCE[KEY].` the source's columns only; else keywords, units,
** functions, the pack's tiers, params, defs, sources and rollups and, in a
** rule, its lets and its source's columns.  Returns how many. */
int vg_outline_complete(const vg_outline *o, const char *file, int line, int col,
                        void (*fn)(void *ud, const vg_symbol *s), void *ud);

/* ---- end of outlines ----------------------------------------------------- */

/* ---- Digests (vigil digest) ---------------------------------------------- */
/* See docs/CLI.md §9.  A digest is one person's view of a recorded
** run: every alert of the run routed to them (vigil_alerts.route, or the
** recipient when there is no route), grouped by key, the highest tier
** first, with the alert's life, its evidence (the trend and the values it
** compared) and the run's resolved entries for those keys. */

typedef enum vg_digest_format {
  VG_DIGEST_TEXT = 0,      /* plain text, lines wrapped at 72 columns */
  VG_DIGEST_MARKDOWN = 1,  /* headings and lists; data escaped */
  VG_DIGEST_HTML = 2       /* a complete HTML5 document, inline styles, data escaped */
} vg_digest_format;

typedef struct vg_digest {
  const char *recipient;   /* the person as text; NULL: the alerts with no recipient */
  const char *name;        /* the recipient's display name from the route, or NULL */
  const char *subject;     /* one line, e.g. "Vigil saas 2025-06-30: 2 red, 3 orange for Dana Kim" */
  const char *body;        /* the whole digest in the chosen format */
  const char *section;     /* VG_DIGEST_HTML: the digest as one <div> with inline styles and no
                           ** document around it (to put several on one page); otherwise body */
  int alerts;              /* open alerts in it */
  int resolved;            /* resolved entries in it (alerts that closed at this run) */
  const char *toc;         /* VG_DIGEST_HTML: one <li> for a page's table of contents, a link to
                           ** the section (its id is "digest-N", N its place in the call's order,
                           ** from 1) with the person, the open alerts per tier and what is new
                           ** or escalated since the previous run; otherwise NULL */
} vg_digest;

typedef void (*vg_digest_fn)(void *ud, const vg_digest *d);

/* What vg_digest_run found, after the digests. */
typedef struct vg_digest_summary {
  long long run_id;
  const char *pack, *as_of;
  long long alerts, resolved; /* in the whole run (every recipient) */
  int digests;                /* digests made (after the `to` filter) */
  int outbox;                 /* rows written to vigil_outbox (0 without outbox) */
  long long new_alerts, escalated; /* in the whole run: new and escalated since the previous run */
} vg_digest_summary;

typedef void (*vg_digest_summary_fn)(void *ud, const vg_digest_summary *s);

typedef struct vg_digest_opts {
  const char *db_path;
  long long run_id;        /* > 0: that vigil_runs row; 0: the latest run (largest as_of, then
                           ** run_id) of `pack`, or of any pack when pack is NULL */
  const char *pack;        /* NULL: any; with run_id > 0 the run must be of this pack */
  vg_digest_format format;
  const char *to;          /* NULL: every digest; else only the digest of the person whose
                           ** recipient text, or display name, is `to` */
  int outbox;              /* also insert each digest into vigil_outbox, in one transaction */
  vg_diag_fn diag; void *ud;   /* errors (unknown run, no vigil tables, a read-only db with outbox...) */
  vg_digest_fn digest;     /* each digest: persons by the severity they hold (the highest open
                           ** tier, then how many alerts of it, then how many open ones), then
                           ** in key order (numbers numerically); the digest of alerts without a
                           ** recipient last (may be NULL) */
  vg_digest_summary_fn summary; /* once, after the digests (may be NULL) */
  void *out_ud;            /* handed to digest and summary */
} vg_digest_opts;

/* Make the digests of one recorded run (vigil_runs / vigil_alerts; the
** columns tier_rank, evidence and route are used when the table has them).
** With o->outbox, vigil_outbox is created when missing and, in one
** transaction with the reading, this run's rows of this format (only the
** digests made, with o->to) are replaced by the new ones.  The digests are
** handed over only once all went well.  Output is deterministic: nothing in
** a subject or body depends on the time.  Returns VG_OK (also when the run
** has no alert: no digest); VG_EINPUT when there is no such run (or no
** recorded run at all, or no vigil tables); VG_EDB when the database cannot
** be opened or read, or (outbox) written; VG_EUSAGE for bad options;
** VG_ENOMEM.  Errors are reported through o->diag. */
vg_status vg_digest_run(const vg_digest_opts *o);

/* ---- end of digests ------------------------------------------------------ */

/* ---- Delivery: sending the outbox ----------------------------------------- */

/* What became of one message (a run's digest for one person). */
typedef enum vg_delivery_state {
  VG_DELIVERY_SENT = 0,     /* the server accepted it now */
  VG_DELIVERY_ALREADY,      /* sent before (vigil_delivery says so): not sent again */
  VG_DELIVERY_FAILED,       /* not accepted after the last attempt (now or before) */
  VG_DELIVERY_NO_ADDRESS,   /* the recipient has no address: left pending */
  VG_DELIVERY_WOULD_SEND,   /* dry run or check: would be sent (description holds what) */
  VG_DELIVERY_RETRY         /* an attempt failed (error), another follows after a wait */
} vg_delivery_state;

typedef struct vg_delivery {
  const char *key;          /* the idempotency key: "vigil-RUN-HASH" (Message-ID <key@domain>) */
  long long run_id;
  const char *recipient;    /* the person as recorded; NULL: the digest of alerts without a recipient */
  const char *channel;      /* "smtp" or "webhook"; NULL when there is no address */
  const char *address;      /* the mail address or the webhook's name; NULL when there is none */
  const char *subject;
  vg_delivery_state state;
  int attempts;             /* tries so far, in every run of deliver */
  const char *answer;       /* the server's last answer when accepted, or NULL */
  const char *error;        /* the last error (FAILED, RETRY), or NULL */
  const char *description;  /* WOULD_SEND: the message's headers and parts, lines ending in \n; else NULL */
} vg_delivery;

typedef void (*vg_delivery_fn)(void *ud, const vg_delivery *d);

typedef struct vg_deliver_opts {
  const char *db_path;      /* the database holding vigil_outbox */
  const char *config_path;  /* the configuration file (docs/CLI.md, "vigil deliver") */
  long long run_id;         /* > 0: only this run's digests; 0: every run's */
  int check;                /* validate the configuration and every address; send and write nothing */
  int dry_run;              /* describe what would be sent; send and write nothing */
  int retry_failed;         /* give failed messages their attempts again */
  vg_diag_fn diag; void *ud; /* errors: configuration (file:line:col), no address, failures, database */
  vg_delivery_fn delivery;  /* each message, as it is decided (may be NULL) */
  void *out_ud;
} vg_deliver_opts;

/* Deliver the digests stored in vigil_outbox (vigil digest --outbox).  One
** message per run and recipient: a mail with the text or Markdown digest as
** text/plain, the HTML one as text/html (the latest row of each format), or
** a post to a chat webhook in its service's JSON format.
** Its idempotency key is made from the run, the recipient and the content,
** so the same digest stored again keeps its key and its state, kept in
** vigil_delivery (created when missing).  Before each attempt the message
** is recorded pending with the attempt counted; it is marked sent, in its
** own transaction, only after the server accepted it.  Retries wait
** backoff, 2 backoff, ... (capped) and a message becomes failed after the
** configured attempts.  Returns VG_OK when every message is sent (now or
** before); VG_EINPUT when the configuration is not valid, a recipient has
** no address or a message failed (each reported through o->diag);
** VG_EDB; VG_EUSAGE for bad options; VG_ENOMEM.  Secrets are read from
** the environment or a file the configuration names, and never reported,
** stored or handed over. */
vg_status vg_deliver_run(const vg_deliver_opts *o);

/* ---- end of delivery ------------------------------------------------------ */

/* ---- Databases ----------------------------------------------------------- */

/* A run or a backtest on the caller's connection (vg_run_opts.db,
** vg_backtest_opts.db) instead of a path: an in-memory database, a
** connection with the caller's own settings (busy timeout, extensions), or
** a transaction the caller has open.  The connection is left open and as
** it was found; it must not be used by another thread during the call.
**
** Transactions.  When the connection is in autocommit mode (no transaction
** open), the run is one transaction of its own, as with db_path: BEGIN
** IMMEDIATE for a recording run (or a backtest with record), BEGIN and a
** read otherwise, committed or rolled back before the call returns.  When
** the caller has a transaction open, the run is SAVEPOINT vigil_run inside
** it: its reads see the caller's transaction (its snapshot, its uncommitted
** rows), its recording is released into the caller's transaction on success
** (committed or rolled back with it) and rolled back on failure, leaving
** the caller's transaction open and as it was.  A recording run inside a
** caller's read transaction needs the write lock then (SQLITE_BUSY, as
** VG_EDB, when another connection holds it).
**
** A dry run on the caller's connection records nothing, but the connection
** is not made read-only.  During the call Vigil makes temporary tables on
** the connection (each rollup's rows, named as its source's table; alerts
** set aside, vigil_spill_*) and the SQL functions vigil_day(1) and
** vigil_unread(-1); it drops and removes them before returning.  A temporary table of the caller's named as
** a rollup's table is refused before anything is read (VG_EUSAGE). */

/* ---- A schema's tables (tools/schema_info.c) --------------------------------- */

/* The tables and views of a schema file (CREATE statements, run in the same
** box as a pack's schema.sql) or of a database, with a guess of each one's
** key and time column: what `vigil new pack` scaffolds a source from. */
typedef struct vg_schema_column {
  const char *name;
  const char *decl_type; /* as declared; "" when none */
  int notnull;           /* declared NOT NULL */
  int has_default;       /* has a DEFAULT */
  int pk;                /* its position in the primary key (1, 2, ...), 0 when not in it */
} vg_schema_column;
typedef struct vg_schema_table {
  const char *name;
  int is_view;
  int ncols;
  const vg_schema_column *cols;
  int key, time;         /* the guessed key and time columns (indexes into cols), -1 when none */
  const char *guess;     /* why, in a phrase: "key and time from the index I on (K, T)", "key:
                         ** its primary key; time: its first NOT NULL date column", or why
                         ** there is none */
} vg_schema_table;
typedef struct vg_schema vg_schema;
/* Read exactly one of schema_path (a file of CREATE statements; a link is
** refused unless follow_symlinks) and db_path (a SQLite file or a PostgreSQL
** database, read-only).  Tables and views are in the order they were made;
** SQLite's and Vigil's own (sqlite_*, vigil_*) are left out.  The time is
** the second column of an index on (KEY, TIME, ...) whose second column is
** a date; else the first NOT NULL date column, the first date column, or
** the first untyped column named like a date (*_date, *_on, *_at, ...); the
** key is then the one-column primary key, else the first *_id column
** (NOT NULL ones first), else the first other column.  VG_OK with *out
** (free with vg_schema_free); VG_EINPUT (the file cannot be read, or its
** SQL fails or is refused), VG_EDB, VG_EUSAGE (not exactly one path) or
** VG_ENOMEM, with the reason in err. */
vg_status vg_schema_read(const char *schema_path, const char *db_path, int follow_symlinks, vg_schema **out,
                         char *err, size_t errcap);
int vg_schema_table_count(const vg_schema *s);
/* Table i (0-based), or NULL out of range; valid until vg_schema_free. */
const vg_schema_table *vg_schema_table_at(const vg_schema *s, int i);
/* The schema as CREATE statements: the file's text, or the database's
** tables, views and indexes, one statement a line, each ending with ";". */
const char *vg_schema_sql(const vg_schema *s);
void vg_schema_free(vg_schema *s);

/* Open the SQLite database at path with SQLite's open flags, the way every
** connection libvigil opens is opened: a lock another process holds is
** waited for (SQLite's busy timeout, VG_BUSY_TIMEOUT_S seconds in
** core/limits.h), not an error at once.  For a caller's own queries on
** the same database.  Returns VG_OK with *db set (close it with
** sqlite3_close); VG_EDB with SQLite's reason in err (NULL: not wanted), or
** VG_ENOMEM; *db is NULL then. */
vg_status vg_db_open(const char *path, int flags, struct sqlite3 **db, char *err, size_t errcap);

/* 1 when path names a PostgreSQL database rather than a SQLite file:
** postgresql://..., postgres://..., or pg: followed by a libpq keyword
** string (pg: alone: the PG* environment variables).  vg_db_open and every
** db_path of the options above accept one: its tables are read, and Vigil's
** tables written, in PostgreSQL, through an in-memory SQLite connection
** whose tables are PostgreSQL's (docs/LANGUAGE.md, "PostgreSQL"). */
int vg_db_is_postgres(const char *path);

/* Why the last call on db failed, as every Vigil message says it: "the
** database is locked by another process (waited 5 s)" for a lock held past
** the busy timeout, SQLite's message otherwise.  Valid until the next call
** on db. */
const char *vg_db_errmsg(struct sqlite3 *db);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
