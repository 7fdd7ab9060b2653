/*
** pack.c — how the parts of a run report (pack.h).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pack.h"

void exec_diag(const exec_opts *o, vg_severity sev, vg_dcode code, const char *file, int line, int col, const char *fmt, ...) {
  if (!o->diag) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  vg_diag d;
  memset(&d, 0, sizeof d);
  d.severity = sev;
  d.file = file;
  d.line = line;
  d.col = col;
  d.end_col = col > 0 ? col + 1 : 0;
  d.code = vg_dcode_name(code);
  d.message = msg;
  o->diag(o->ud, &d);
}
