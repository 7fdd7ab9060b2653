/*
** params.h — param overrides for runs (vg_params in include/vigil.h).  The
** compiler layer builds them (compiler/params.c reads each value as a
** literal of the language and checks it against a program's param); the
** runtime reads them at the start of a run (runtime/run.c), without
** changing any program: one program can serve runs with different values.
*/
#ifndef VIGIL_PARAMS_H
#define VIGIL_PARAMS_H

#include "val.h"
#include "vec.h"
#include "../include/vigil.h"

/* One override: the param `name` of the pack named `pack` takes value
** (strings in the set's arena). */
typedef struct vg_param_value {
  const char *pack, *name;
  val value;
} vg_param_value;

struct vg_params {
  vg_arena arena;                 /* pack names, param names, string values */
  vg_vec(vg_param_value) v;       /* at most one per (pack, name): a later set replaces */
};

#endif
