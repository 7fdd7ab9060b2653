/*
** diagcodes.c — the name table of the diagnostic codes, expanded from
** diagcodes.def in the order of the vg_dcode enum.
*/
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "diagcodes.h"

#define DIAG(id, code, group, doc) {code, group, doc},
const vg_dcode_info vg_dcodes[DIAG__COUNT] = {
#include "diagcodes.def"
};
#undef DIAG

const char *vg_dcode_name(vg_dcode d) {
  return (unsigned)d < DIAG__COUNT ? vg_dcodes[d].code : NULL;
}

int vg_diag_code_count(void) { return DIAG__COUNT; }

const char *vg_diag_code(int i, const char **group, const char **meaning) {
  if (i < 0 || i >= DIAG__COUNT) return NULL;
  if (group) *group = vg_dcodes[i].group;
  if (meaning) *meaning = vg_dcodes[i].meaning;
  return vg_dcodes[i].code;
}

void vg_vreport(vg_diag_fn fn, void *ud, vg_severity sev, vg_dcode code, const char *file, int line, int col,
                const char *fmt, va_list ap) {
  if (!fn) return;
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  vg_diag d;
  memset(&d, 0, sizeof d);
  d.severity = sev;
  d.file = file;
  d.line = line;
  d.col = col;
  d.end_col = col > 0 ? col + 1 : 0;
  d.code = vg_dcode_name(code);
  d.message = msg;
  fn(ud, &d);
}
