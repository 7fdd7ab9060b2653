/*
** cli.h — what the vigil command's files share: diagnostics rendering (text
** with a caret, JSON, SARIF, GitHub annotations) and option parsing.
*/
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>
#include "vigil.h"

enum { EXIT_INPUT = 1, EXIT_USAGE = 2 };

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
  /* kept for SARIF / JSON, rendered at the end */
  char *buf; size_t len, cap;
} diag_sink;

enum { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_GITHUB };

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

/* Prints "vigil: MESSAGE" and the command's synopsis; returns EXIT_USAGE. */
int usage_error(const char *cmd_usage, const char *fmt, const char *arg);
/* The value of option name at argv[*i] ("--opt=V" or "--opt V", advancing
** *i); "" when the value is missing; NULL when argv[*i] is another option. */
const char *opt_value(int argc, char **argv, int *i, const char *name);
int is_help(const char *a);

/* The param overrides of --set NAME=VALUE options sets[0..nsets) for the
** programs: each applies to every program that declares NAME.  Returns 0
** with *out (NULL without --set; free it with vg_params_free), or
** EXIT_USAGE after printing why (a name no program declares, a value that
** is not a literal of the param's type). */
int cli_params(vg_program *const *progs, int n, const char *const *sets, int nsets, vg_params **out);

/* The commands implemented in their own files. */
int cmd_test(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_digest(int argc, char **argv);

#endif
