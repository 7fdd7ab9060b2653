/*
** interrupt.c — Ctrl-C during a run, a backtest or a diff.
**
** cli_interrupt_begin installs a handler for SIGINT and SIGTERM that only
** sets a flag; cli_poll, the commands' vg_run_opts.progress (and
** vg_backtest_opts.progress), returns it, so the library stops the
** evaluation, rolls back and records nothing (include/vigil.h,
** vg_progress_fn).  The command then says "vigil: interrupted: nothing
** recorded" and exits 130 (128 + SIGINT, as shells report it).  A signal
** that arrives once the evaluation is over (while the run commits or its
** alerts are printed) lets the command finish: the run stands.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

void cli_interrupt_begin(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int cli_poll(void *ud, const vg_progress *p) {
  (void)ud;
  (void)p;
  return interrupted != 0;
}

int cli_interrupt_status(vg_status st, int rc) {
  if (st != VG_ESTOPPED || !interrupted) return rc;
  fputs("vigil: interrupted: nothing recorded\n", stderr);
  return EXIT_INTERRUPTED;
}
