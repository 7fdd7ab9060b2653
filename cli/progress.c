/*
** progress.c — the progress line of a run, a backtest or a diff, and Ctrl-C.
**
** The library tells the commands' progress callback (cli_poll, the
** vg_progress_fn of vg_run_opts and vg_backtest_opts) what was done so far:
** rows read, keys evaluated, the time since the call began.  On a terminal
** (stderr a tty, TERM not dumb, no --quiet, no --diagnostics-format json)
** cli_poll draws one line on stderr, rewritten in place with '\r' at most
** ten times a second; it is erased before a diagnostic is written (the
** diagnostics' hook, cli_before_stderr), when the evaluation is over
** (VG_PHASE_DONE, before any alert or summary), and when the call returns
** (cli_interrupt_status).  Elsewhere nothing is drawn.
**
** SIGINT and SIGTERM only set a flag, which cli_poll returns: the library
** stops the evaluation, rolls back and records nothing (include/vigil.h,
** vg_progress_fn).  The command then says "vigil: interrupted: nothing
** recorded" and exits 130 (128 + SIGINT, as shells report it).  A signal
** that arrives once the evaluation is over (while the run commits or its
** alerts are printed) lets the command finish: the run stands.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cli.h"

static volatile sig_atomic_t interrupted;

/* The line: whether it may be drawn, whether it is on the screen, when it
** was drawn last (the call's elapsed seconds), and what it is about. */
static struct {
  int on, shown;
  double last;
  const char *what;
} line;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

static void erase_line(void) {
  if (!line.shown) return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  line.shown = 0;
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

void cli_progress_begin(const char *what, int quiet) {
  const char *term = getenv("TERM");
  line.on = !quiet && isatty(2) && term && *term && strcmp(term, "dumb") != 0;
  line.shown = 0;
  line.last = -1;
  line.what = what;
  cli_before_stderr = line.on ? erase_line : NULL;
}

/* n with thousands separators into buf (at least 32 bytes). */
static const char *thousands(long long n, char *buf) {
  char tmp[32];
  int len = snprintf(tmp, sizeof tmp, "%lld", n < 0 ? 0 : n);
  int k = 0;
  for (int i = 0; i < len; i++) {
    if (i && (len - i) % 3 == 0) buf[k++] = ',';
    buf[k++] = tmp[i];
  }
  buf[k] = 0;
  return buf;
}

/* How far the call is (0..0.99) when it can tell: the rows read of the
** library's estimate of the rows it reads, else, over several packs, the
** packs done; -1 when it cannot. */
static double how_far(const vg_progress *p) {
  double f = -1;
  if (p->rows_total > 0) f = (double)p->rows_read / (double)p->rows_total;
  else if (p->rows_total < 0 && p->npacks > 1 && p->pack_index > 0) f = (double)p->pack_index / p->npacks;
  return f > 0.99 ? 0.99 : f; /* an estimate: not 100% before the end */
}

/* ", 42%, about 7s left" into buf (at least 64 bytes), once the call has run
** a second and done 5% (a rate measured on less says little); else "". */
static const char *time_left(const vg_progress *p, char *buf) {
  double f = how_far(p);
  buf[0] = 0;
  if (f < 0.05 || p->elapsed < 1.0) return buf;
  double left = p->elapsed * (1 - f) / f;
  if (left < 90) snprintf(buf, 64, ", %d%%, about %ds left", (int)(f * 100), (int)left + 1);
  else snprintf(buf, 64, ", %d%%, about %.0f min left", (int)(f * 100), left / 60);
  return buf;
}

static void draw(const vg_progress *p) {
  char rows[32], keys[32], rate[32], left[64], text[512];
  double secs = p->elapsed;
  long long per_sec = secs > 0 ? (long long)((double)p->rows_read / secs) : 0;
  char pack[160] = ""; /* several packs: which one, and how many there are */
  if (p->npacks > 1) snprintf(pack, sizeof pack, "pack %.100s (%d/%d), ", p->pack ? p->pack : "?", p->pack_index + 1, p->npacks);
  int n = snprintf(text, sizeof text, "vigil: %s: %s%d date%s, %s rows read (%s/s), %s key%s evaluated, %d:%02d%s", line.what,
                   pack, p->dates_total, p->dates_total == 1 ? "" : "s", thousands(p->rows_read, rows),
                   thousands(per_sec, rate), thousands(p->keys_done, keys), p->keys_done == 1 ? "" : "s",
                   (int)(secs / 60), (int)secs % 60, time_left(p, left));
  if (n < 0) return;
  size_t len = (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
  /* one screen line, or '\r' would not go back to its start */
  struct winsize ws;
  if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && len > (size_t)ws.ws_col - 1) {
    len = (size_t)ws.ws_col - 1;
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80) len--; /* not inside a UTF-8 character */
  }
  fputs("\r\033[K", stderr);
  fwrite(text, 1, len, stderr);
  fflush(stderr);
  line.shown = 1;
}

int cli_poll(void *ud, const vg_progress *p) {
  (void)ud;
  if (line.on) {
    if (p->phase == VG_PHASE_DONE) erase_line();
    else if (p->elapsed >= 0.1 && p->elapsed - line.last >= 0.1) { /* nothing for a short call; 10 a second */
      line.last = p->elapsed;
      draw(p);
    }
  }
  return interrupted != 0;
}

int cli_interrupt_status(vg_status st, int rc) {
  erase_line();
  line.on = 0;
  cli_before_stderr = NULL;
  if (st != VG_ESTOPPED || !interrupted) return rc;
  fputs("vigil: interrupted: nothing recorded\n", stderr);
  return EXIT_INTERRUPTED;
}
