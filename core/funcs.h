/*
** funcs.h — the rule language's functions as the program format knows
** them: every scalar function OP_CALL may call (its index, name, arity and
** types), every aggregate of OP_AGGN / OP_AGGD and the window functions.
** All of it is expanded from funcs.def, the one table; the implementations
** of the scalar functions are the standard library's (stdlib/lib.h).
*/
#ifndef VIGIL_FUNCS_H
#define VIGIL_FUNCS_H

/* Type classes of a function's arguments (fn_sig.arg_mask). */
enum {
  LIB_T_ANY = 0x3e, /* any type */
  LIB_T_NUM = 1 << 1, LIB_T_BOOL = 1 << 2, LIB_T_STR = 1 << 3,
  LIB_T_DATE = 1 << 4, LIB_T_DUR = 1 << 5
};

/* Flags of a function (fn_sig.flags).
** LIB_F_FISCAL: the last argument (max_args = min_args + 1) is optional
**   and is always a number: the first month of the fiscal year, 1-12
**   (default 1, January).  arg_mask types the other arguments.  When a call
**   does not give it, the checker appends the pack's `fiscal year starts`
**   month as a constant (and nothing when that month is January). */
enum { LIB_F_FISCAL = 1 << 0 };

/* The scalar functions, by their OP_CALL index: FN_days, FN_date, ... */
#define SCALAR(c, name, mn, mx, mask, ret, flags, syn) FN_##c,
#define AGGREGATE(c, name, syn)
#define WINDOW(c, name, mn, mx, syn)
enum {
#include "funcs.def"
  FN__COUNT
};
#undef SCALAR
#undef AGGREGATE
#undef WINDOW

/* The aggregates, by their OP_AGGN / OP_AGGD operand: AGG_SUM, ... */
#define SCALAR(c, name, mn, mx, mask, ret, flags, syn)
#define AGGREGATE(c, name, syn) AGG_##c,
#define WINDOW(c, name, mn, mx, syn)
typedef enum {
#include "funcs.def"
  AGG__COUNT
} vm_agg;
#undef SCALAR
#undef AGGREGATE
#undef WINDOW

/* The window functions: WIN_PREV, WIN_PCTCHG, WIN_STREAK. */
#define SCALAR(c, name, mn, mx, mask, ret, flags, syn)
#define AGGREGATE(c, name, syn)
#define WINDOW(c, name, mn, mx, syn) WIN_##c,
enum {
#include "funcs.def"
  WIN__COUNT
};
#undef SCALAR
#undef AGGREGATE
#undef WINDOW

typedef struct fn_sig {
  const char *name;
  int min_args, max_args; /* max_args -1: variadic */
  int arg_mask;           /* LIB_T_* bits every argument may have (null always may) */
  int ret;                /* result: a VT_* type, or -1 for the arguments' common type
                          ** (the checker then requires all non-null arguments to agree) */
  int flags;              /* LIB_F_* */
  const char *synopsis;   /* one line for the docs and did-you-mean */
} fn_sig;

extern const fn_sig fn_scalars[FN__COUNT];  /* arg_mask, ret, flags: as funcs.def says */
extern const fn_sig fn_aggs[AGG__COUNT];    /* name and synopsis */
extern const fn_sig fn_windows[WIN__COUNT]; /* name, arity and synopsis */

/* The index of a scalar function by name (its first form), or -1. */
int fn_scalar_find(const char *name);
/* The index of the form of name that takes nargs arguments; the first form
** of that name when none does (the checker then reports the arity); -1 for
** an unknown name. */
int fn_scalar_find_args(const char *name, int nargs);
/* The AGG_* of an aggregate's name, or -1. */
int fn_agg_find(const char *name);
/* The WIN_* of a window function's name, or -1. */
int fn_window_find(const char *name);

#endif
