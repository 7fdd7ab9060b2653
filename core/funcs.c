/*
** funcs.c — the function tables, expanded from funcs.def, and the lookups
** by name the checker uses.
*/
#include <string.h>

#include "funcs.h"
#include "val.h"

#define SCALAR(c, name, mn, mx, mask, ret, flags, syn) {name, mn, mx, mask, ret, flags, syn},
#define AGGREGATE(c, name, syn)
#define WINDOW(c, name, mn, mx, syn)
const fn_sig fn_scalars[FN__COUNT] = {
#include "funcs.def"
};
#undef SCALAR
#undef AGGREGATE
#undef WINDOW

#define SCALAR(c, name, mn, mx, mask, ret, flags, syn)
#define AGGREGATE(c, name, syn) {name, 2, 2, LIB_T_ANY, -1, 0, syn},
#define WINDOW(c, name, mn, mx, syn)
const fn_sig fn_aggs[AGG__COUNT] = {
#include "funcs.def"
};
#undef SCALAR
#undef AGGREGATE
#undef WINDOW

#define SCALAR(c, name, mn, mx, mask, ret, flags, syn)
#define AGGREGATE(c, name, syn)
#define WINDOW(c, name, mn, mx, syn) {name, mn, mx, LIB_T_ANY, -1, 0, syn},
const fn_sig fn_windows[WIN__COUNT] = {
#include "funcs.def"
};
#undef SCALAR
#undef AGGREGATE
#undef WINDOW

static int find(const fn_sig *t, int n, const char *name) {
  if (name == NULL) return -1;
  for (int i = 0; i < n; i++)
    if (strcmp(t[i].name, name) == 0) return i;
  return -1;
}

int fn_scalar_find(const char *name) { return find(fn_scalars, FN__COUNT, name); }
int fn_agg_find(const char *name) { return find(fn_aggs, AGG__COUNT, name); }
int fn_window_find(const char *name) { return find(fn_windows, WIN__COUNT, name); }

int fn_scalar_find_args(const char *name, int nargs) {
  int first = fn_scalar_find(name);
  if (first < 0) return -1;
  for (int i = first; i < FN__COUNT; i++) {
    const fn_sig *f = &fn_scalars[i];
    if (strcmp(f->name, name) == 0 && nargs >= f->min_args && (f->max_args < 0 || nargs <= f->max_args))
      return i;
  }
  return first;
}
