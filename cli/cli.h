/*
** cli.h — what the vigil command's files share: diagnostics rendering (text
** with a caret, JSON, SARIF, GitHub annotations) and option parsing.
*/
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>
#include "vigil.h"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_FAIL_ON = 3 /* run --fail-on: an alert of that tier or higher */,
       EXIT_INTERRUPTED = 130 /* SIGINT or SIGTERM stopped a run, backtest or diff (progress.c) */ };

/* The command line's context for a library diagnostic with this code: the
** library never names a flag, the command adds the one it was given. */
typedef struct diag_context {
  const char *code, *prefix, *suffix;
} diag_context;

typedef struct diag_sink {
  int format;           /* FMT_* */
  int color;
  int errors, warnings;
  int first;            /* json: no comma before the first */
  int werror;           /* report warnings as errors */
  const diag_context *context; /* NULL, or entries ending with a NULL code */
  /* kept for JSON, rendered at the end */
  char *buf; size_t len, cap;
  struct sarif_log *sarif; /* kept for SARIF (sarif.c), rendered at the end */
} diag_sink;

/* FMT_JSONL: --diagnostics-format json, one JSON object per line on stderr,
** written as it comes (docs/CLI.md, Diagnostics as JSON lines). */
enum { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_GITHUB, FMT_JSONL };

/* Text buffer helpers (exit the program when out of memory).  The encoders
** that write data into such a buffer are in out.h. */
void sink_put(diag_sink *s, const char *p, size_t n);
void sink_str(diag_sink *s, const char *p);
const char *sev_name(vg_severity s);
/* The vg_diag_fn of every command: ud is a diag_sink. */
void on_diag(void *ud, const vg_diag *d);
void sink_begin(diag_sink *s, int format);
/* Prints what JSON/SARIF collected and frees the buffer. */
void sink_end(diag_sink *s);

/* --format sarif (sarif.c): sarif_add keeps a diagnostic; sarif_write prints
** the SARIF 2.1.0 log of those kept on stdout; sarif_free frees them. */
typedef struct sarif_log sarif_log;
void sarif_add(diag_sink *s, const vg_diag *d);
void sarif_write(diag_sink *s);
void sarif_free(diag_sink *s);

/* What `vigil explain CODE` prints for a code of the table (vg_diag_code:
** its group and meaning), appended to out; SARIF rules carry the same help. */
void explain_text(diag_sink *out, const char *code, const char *group, const char *meaning);

/* --color=auto|always|never (main.c sets it before any command runs):
** CLI_COLOR_AUTO colors text diagnostics when stderr is a terminal, TERM is
** not "dumb" and NO_COLOR is unset or empty. */
enum { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };
extern int cli_color;

/* Standard input, whole and NUL-terminated (for the PATH '-'); NULL with
** errno set when it cannot be read. */
char *cli_read_stdin(size_t *len);

/* An error of the command itself (no file, no code), fmt with one %s: "vigil:
** MESSAGE" on stderr, or a diagnostic line with FMT_JSONL.  Returns EXIT_INPUT. */
int cli_fail(diag_sink *s, const char *fmt, const char *arg);
/* --diagnostics-format VALUE: FMT_TEXT or FMT_JSONL, -1 for another value. */
int cli_diag_format(const char *v);

/* Prints "vigil: MESSAGE" and the command's synopsis; returns EXIT_USAGE. */
int usage_error(const char *cmd_usage, const char *fmt, const char *arg);
/* The value of option name at argv[*i] ("--opt=V" or "--opt V", advancing
** *i); "" when the value is missing; NULL when argv[*i] is another option. */
const char *opt_value(int argc, char **argv, int *i, const char *name);
int is_help(const char *a);

/* ---- the options several commands share (opts.c) ---------------------------- */

/* Which shared options a command takes (cli_opts.accept). */
enum {
  CLI_DB = 1 << 0,      /* --db FILE */
  CLI_SCHEMA = 1 << 1,  /* --schema FILE */
  CLI_AS_OF = 1 << 2,   /* --as-of YYYY-MM-DD */
  CLI_RANGE = 1 << 3,   /* --from DATE, --to DATE, --every N(day|week)(s), --at-snapshots */
  CLI_SET = 1 << 4,     /* --set NAME=VALUE, repeated (at most 256) */
  CLI_FOLLOW = 1 << 5,  /* --follow-symlinks */
  CLI_PATHS = 1 << 6    /* PATH... (at most 256): every argument that is not an option */
};

typedef struct cli_opts {
  unsigned accept;      /* CLI_*: set before parsing */
  const char *usage;    /* the command's synopsis, printed with a usage error */
  const char *db, *schema, *as_of, *from, *to;
  int every_days, at_snapshots, follow;
  const char *sets[256];
  int nsets;
  const char *paths[256];
  int npaths;
} cli_opts;

/* Parse argv[*i] when it is a shared option o->accept takes (advancing *i
** past its value) or, with CLI_PATHS, a PATH: returns 1.  Returns 0 when it
** is neither (the command's own option, or an unknown one), and -1 after
** printing a usage error (the command returns EXIT_USAGE). */
int cli_opt(cli_opts *o, int argc, char **argv, int *i);

/* After parsing: "--db FILE is required" (cli_need_db); "--from and --to
** are required", then "give --every or --at-snapshots, not both"
** (cli_need_range).  0, or EXIT_USAGE after printing the error. */
int cli_need_db(const cli_opts *o);
/* --shard I/N: 1 <= I <= N <= 1024 into *i and *n; 0, or -1 when malformed. */
int cli_parse_shard(const char *v, int *i, int *n);
int cli_need_range(const cli_opts *o);

/* Compile o->paths with co into progs (room for 256), *n of them.  Returns
** 0, or the exit status of the last failure (the diagnostics went to co). */
int cli_compile(const cli_opts *o, const vg_compile_opts *co, vg_program **progs, int *n);

/* The param overrides of --set NAME=VALUE options sets[0..nsets) for the
** programs: each applies to every program that declares NAME.  Returns 0
** with *out (NULL without --set; free it with vg_params_free), or
** EXIT_USAGE after printing why (a name no program declares, a value that
** is not a literal of the param's type). */
int cli_params(vg_program *const *progs, int n, const char *const *sets, int nsets, vg_params **out);

/* The commands implemented in their own files. */
/* progress.c: SIGINT/SIGTERM set a flag (cli_interrupt_begin); cli_poll is
** the commands' progress callback (nonzero once interrupted), which draws
** the progress line when cli_progress_begin(what, quiet) allowed it (stderr
** a terminal, TERM not dumb, not quiet); given the library's status and the
** command's exit code, cli_interrupt_status erases the line, says "vigil:
** interrupted: nothing recorded" and returns EXIT_INTERRUPTED when the
** signal stopped the call, else returns rc. */
void cli_interrupt_begin(void);
void cli_progress_begin(const char *what, int quiet);
int cli_poll(void *ud, const vg_progress *p);
int cli_interrupt_status(vg_status st, int rc);
/* diag.c: called (when not NULL) before a diagnostic is written on stderr:
** the progress line erases itself */
extern void (*cli_before_stderr)(void);

int cmd_test(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_digest(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_complete(int argc, char **argv);
/* The command line's command, run as main runs it (cmd_complete reads --help texts through it). */
int cli_dispatch(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_deliver(int argc, char **argv);

#endif
