/*
** pack.c — how the parts of a run report (pack.h).
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pack.h"

void exec_diag(const exec_opts *o, vg_severity sev, vg_dcode code, const char *file, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vg_vreport(o->diag, o->ud, sev, code, file, line, col, fmt, ap);
  va_end(ap);
}
