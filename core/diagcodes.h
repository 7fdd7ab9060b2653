/*
** diagcodes.h — the diagnostic codes as a C enum, from the one list
** (diagcodes.def).  The compiler, the test runner and the formatter report
** with a vg_dcode; what reaches vg_diag.code is its text (vg_dcode_name).
*/
#ifndef VIGIL_DIAGCODES_H
#define VIGIL_DIAGCODES_H

#include <stdarg.h>
#include "../include/vigil.h"

typedef enum vg_dcode {
#define DIAG(id, code, group, doc) DIAG_##id,
#include "diagcodes.def"
#undef DIAG
  DIAG__COUNT
} vg_dcode;

/* A diagnostic without a code (an error from outside the rules text). */
#define DIAG_NONE DIAG__COUNT

typedef struct vg_dcode_info {
  const char *code;     /* "E-unknown-column" */
  const char *group;    /* the section of docs/DIAGNOSTICS.md, "names" */
  const char *meaning;  /* one line of markdown */
} vg_dcode_info;

/* One entry per code, in the order of diagcodes.def (index: the vg_dcode). */
extern const vg_dcode_info vg_dcodes[DIAG__COUNT];

/* The code's text, e.g. "E-unknown-column"; NULL for a value that is not a
** vg_dcode. */
const char *vg_dcode_name(vg_dcode d);

/* Report one diagnostic to fn (nothing when fn is NULL): the message is
** fmt formatted (cut at 1023 bytes), code its text, file:line:col its place
** (NULL / 0 when it has none).  The one way the runtime and the tools
** report; the compiler's diagnostics gather in cc_ first (compiler/ast.h). */
void vg_vreport(vg_diag_fn fn, void *ud, vg_severity sev, vg_dcode code, const char *file, int line, int col,
                const char *fmt, va_list ap);

#endif
