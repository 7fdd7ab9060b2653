/*
** sema_func.c — calls: built-in scalar functions, window functions (sum(x,
** W), prev, pct_change, streak), manager(), and defs, inlined at each call
** with the call's arguments.  Before any body is copied, the calls between
** defs are checked once, without recursion, for cycles and depth, and each
** def's inlined size (as a function of its arguments' sizes) and the nodes a
** copy of its body builds are measured, so a call that would pass
** VG_MAX_INLINED or VG_MAX_CHECK_NODES is refused before it is made.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sema_int.h"
#include "../stdlib/lib.h"

/* ---- windows and window functions ---------------------------------------- */

wf_kind sema_window_fn(const char *name) {
  if (fn_agg_find(name) >= 0) return WF_AGG;
  switch (fn_window_find(name)) {
  case WIN_PREV: return WF_PREV;
  case WIN_PCTCHG: return WF_PCTCHG;
  case WIN_STREAK: return WF_STREAK;
  default: return WF_NONE;
  }
}

static int check_window(sema *s, ast *w) {
  if (!w || w->kind != A_WINDOW) return 0;
  double n = w->num;
  if (w->flag == 0) {
    if (n < 1 || n != floor(n) || n > VG_MAX_WINDOW) {
      cc_error(s->c, w->loc, DIAG_E_WINDOW, "a window needs a whole number of snapshots from 1 to %d", VG_MAX_WINDOW);
      return 0;
    }
  } else if (n < 1 || n != floor(n) || n > VG_MAX_WINDOW) {
    cc_error(s->c, w->loc, DIAG_E_WINDOW, "a day window needs a whole number of days from 1 to %d", VG_MAX_WINDOW);
    return 0;
  }
  return 1;
}

/* A call of a window function: sum(x, W), count(c, W), prev(x[, k]), ... */
static ast *check_window_call(sema *s, scope *sc, ast *n, wf_kind wf) {
  cc *c = s->c;
  int nargs = count_args(n->a);
  if (sc->kind == CX_WHERE || sc->kind == CX_PARAMDEF || sc->kind == CX_ROLLUP) {
    cc_error(c, n->name_loc, DIAG_E_CONTEXT, "'%s' reads earlier rows and cannot be used %s", n->name, row_local(sc));
    return sema_null(s, n->loc);
  }
  if (sc->label) {
    cc_error(c, n->name_loc, DIAG_E_CONTEXT, "'%s' reads earlier rows; a label names the entity by its current row", n->name);
    return sema_null(s, n->loc);
  }
  ast *x = n->a;
  n->op = (uint8_t)wf; /* tells the code generator which kind of call this is */
  if (wf == WF_AGG) {
    int k = fn_agg_find(n->name);
    if (nargs != 2 || !x->next || x->next->kind != A_WINDOW) {
      cc_error(c, n->loc, DIAG_E_ARITY, "%s takes an expression and a window: %s(x, last N snapshots) or %s(x, last N days)",
               n->name, n->name, n->name);
      return sema_null(s, n->loc);
    }
    ast *w = x->next;
    if (x->kind == A_WINDOW) { cc_error(c, x->loc, DIAG_E_WINDOW, "a window is only allowed as the last argument"); return sema_null(s, n->loc); }
    ast *cx = sema_check(s, sc, x);
    if (!cx || !(cx = sema_listed(s, cx))) return NULL;
    check_window(s, w);
    n->a = cx;
    cx->next = w;
    n->ref = k;
    switch (k) {
    case AGG_SUM: case AGG_AVG:
      if (known(cx->type) && cx->type != VT_NUM && cx->type != VT_DUR)
        cc_error(c, cx->loc, DIAG_E_TYPE, "%s needs numbers or durations, not a %s", n->name, type_name(cx->type));
      n->type = cx->type == VT_NULL ? T_ANY : cx->type;
      break;
    case AGG_MIN: case AGG_MAX:
      n->type = cx->type == VT_NULL ? T_ANY : cx->type;
      break;
    case AGG_COUNT:
      sema_want_bool(s, cx, "the first argument of count");
      n->type = VT_NUM;
      break;
    default:
      sema_want_bool(s, cx, n->name);
      n->type = VT_BOOL;
    }
    return n;
  }
  if (n->a && n->a->kind == A_WINDOW) {
    cc_error(c, n->a->loc, DIAG_E_WINDOW, "%s does not take a window", n->name);
    return sema_null(s, n->loc);
  }
  for (ast *a = n->a; a; a = a->next)
    if (a->kind == A_WINDOW) {
      cc_error(c, a->loc, DIAG_E_WINDOW, "%s does not take a window", n->name);
      return sema_null(s, n->loc);
    }
  if (wf == WF_PREV) {
    if (nargs < 1 || nargs > 2) {
      cc_error(c, n->loc, DIAG_E_ARITY, "prev takes 1 or 2 arguments: prev(x) or prev(x, k), got %d", nargs);
      return sema_null(s, n->loc);
    }
    int k = 1;
    if (nargs == 2) {
      ast *ka = x->next;
      if (ka->kind != A_NUM || ka->num < 1 || ka->num != floor(ka->num) || ka->num > VG_MAX_WINDOW) {
        cc_error(c, ka->loc, DIAG_E_WINDOW, "the second argument of prev must be a whole number from 1 to %d", VG_MAX_WINDOW);
        return sema_null(s, n->loc);
      }
      k = (int)ka->num;
    }
    ast *cx = sema_check(s, sc, x);
    if (!cx || !(cx = sema_listed(s, cx))) return NULL;
    n->a = cx;
    n->ival = k;
    n->ref = -2; /* prev */
    n->type = cx->type == VT_NULL ? T_ANY : cx->type;
    return n;
  }
  if (nargs != 1) {
    cc_error(c, n->loc, DIAG_E_ARITY, "%s takes 1 argument, got %d", n->name, nargs);
    return sema_null(s, n->loc);
  }
  ast *cx = sema_check(s, sc, x);
  if (!cx || !(cx = sema_listed(s, cx))) return NULL;
  n->a = cx;
  if (wf == WF_PCTCHG) {
    if (known(cx->type) && cx->type != VT_NUM && cx->type != VT_DUR)
      cc_error(c, cx->loc, DIAG_E_TYPE, "pct_change needs a number, not a %s", type_name(cx->type));
    n->ref = -3;
    n->type = VT_NUM;
  } else {
    sema_want_bool(s, cx, "the argument of streak");
    n->ref = -4;
    n->type = VT_NUM;
  }
  return n;
}

/* ---- calls ------------------------------------------------------------------ */

static ast *inline_def(sema *s, scope *sc, ast *n, int di) {
  cc *c = s->c;
  ast *def = s->defs[di];
  int nparams = count_args(def->b), nargs = count_args(n->a);
  if (nargs > VG_MAX_LIST) {
    cc_limit(c, n->loc, "too many arguments (%d; at most %d)", nargs, VG_MAX_LIST);
    return NULL;
  }
  if (nargs != nparams) {
    cc_error(c, n->loc, DIAG_E_ARITY, "%s takes %d argument%s, got %d", def->name, nparams, nparams == 1 ? "" : "s", nargs);
    cc_note(c, def->name_loc, "%s is defined here", def->name);
    return sema_null(s, n->loc);
  }
  if (s->def_state[di] == 3) return sema_null(s, n->loc); /* its body has errors, reported once */
  if (sc->kind != CX_DEF) s->def_used[di] = 1;
  if (sc->inlining >= VG_MAX_DEPTH) {
    /* def_measure refuses longer chains first; kept as the guard of sema_check()'s recursion */
    cc_limit(c, n->loc, "defs nested deeper than %d calls", VG_MAX_DEPTH);
    return NULL;
  }
  ast **args = vg_arena_alloc(&c->arena, (size_t)(nargs ? nargs : 1) * sizeof *args);
  if (!args) { c->oom = 1; return NULL; }
  int i = 0;
  for (ast *a = n->a; a; a = a->next, i++) {
    if (a->kind == A_WINDOW) {
      cc_error(c, a->loc, DIAG_E_WINDOW, "a window can only be passed to a window function");
      return sema_null(s, n->loc);
    }
    ast *next = a->next;
    args[i] = sema_check(s, sc, a);
    if (!args[i]) return NULL;
    a->next = next;
  }
  /* measured before the body is copied: its size with these arguments, and
  ** the nodes the copy builds */
  const def_info *di_ = &s->dinfo[di];
  uint64_t size = di_->base;
  for (i = 0; i < nargs && i < di_->nparams; i++) size = sat_add64(size, sat_mul64(di_->uses[i], args[i]->size ? args[i]->size : 1));
  if (size > VG_MAX_INLINED) {
    cc_limit(c, n->loc, "this expression is too large once its lets and defs are inlined (over %d nodes)", VG_MAX_INLINED);
    return NULL;
  }
  if (sat_add64(built(s), di_->cost) > VG_MAX_CHECK_NODES) {
    cc_limit(c, n->loc, "this pack is too large once its defs are inlined: checking it would build over %d tree nodes "
             "(each call of a def copies the def's body)", VG_MAX_CHECK_NODES);
    return NULL;
  }
  scope inner = *sc;
  inner.def = def;
  inner.def_index = di;
  inner.args = args;
  inner.nargs = nargs;
  inner.inlining = sc->inlining + 1;
  if (inner.kind == CX_DEF || inner.kind == CX_PARAMDEF) inner.kind = sc->kind;
  ast *body = ast_clone(c, def->a);
  if (!body) return NULL;
  int before = c->nerrors;
  /* the body's root takes the call's place in the tree: same level */
  s->level--;
  ast *r = sema_check(s, &inner, body);
  s->level++;
  if (c->nerrors > before) cc_note(c, n->loc, "in this call of %s", def->name);
  return r;
}

/* The person argument x of manager() and person_name() (fname), checked: a
** number or a string, read as notify reads a recipient.  A window is an
** error and checks as null; NULL when checking failed hard. */
static ast *person_arg(sema *s, scope *sc, ast *x, const char *fname) {
  if (x->kind == A_WINDOW) {
    cc_error(s->c, x->loc, DIAG_E_WINDOW, "%s does not take a window", fname);
    return sema_null(s, x->loc);
  }
  ast *cx = sema_check(s, sc, x);
  if (cx && known(cx->type) && cx->type != VT_NUM && cx->type != VT_STR)
    cc_error(s->c, cx->loc, DIAG_E_TYPE, "%s takes a person (a number or a string), not a %s", fname, type_name(cx->type));
  return cx;
}

/* manager(x) and manager(x, N): the person N levels (default 1) above x in
** the org chart, as text (x is read as notify reads a recipient). */
static ast *check_manager(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  int nargs = count_args(n->a);
  if (nargs < 1 || nargs > 2) {
    cc_error(c, n->loc, DIAG_E_ARITY, "manager takes 1 or 2 arguments (a person, and how many levels up), got %d", nargs);
    return sema_null(s, n->loc);
  }
  if (!s->pk.org) {
    cc_error(c, n->name_loc, DIAG_E_ROUTE, "manager() climbs the org chart: declare it with 'org { table T person P manager M }'");
    return sema_null(s, n->loc);
  }
  if (sc->kind == CX_WHERE || sc->kind == CX_ROLLUP || sc->def) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "manager() reads the org table; it cannot be used %s", sc->def ? "in a def: pass the value as an argument" : row_local(sc));
    return sema_null(s, n->loc);
  }
  int levels = 1;
  ast *x = n->a, *k = x->next;
  if (k) {
    if (k->kind != A_NUM || k->flag || k->num < 0 || k->num > VG_MAX_ROUTE || k->num != (double)(int)k->num) {
      cc_error(c, k->loc, DIAG_E_ROUTE, "the levels of manager(x, N) must be a whole number from 0 to %d", VG_MAX_ROUTE);
      return sema_null(s, n->loc);
    }
    levels = (int)k->num;
  }
  x->next = NULL;
  ast *cx = person_arg(s, sc, x, "manager");
  if (!cx) return NULL;
  n->kind = A_MANAGER;
  n->a = cx;
  n->ival = levels;
  n->type = VT_STR;
  return n;
}

/* person_name(x): the org chart's name for person x, as text (x is read as
** notify reads a recipient).  It reads the org's name column, so it needs
** one; like manager(), not in a where, a rollup's column or a def. */
static ast *check_person_name(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  int nargs = count_args(n->a);
  if (nargs != 1) {
    cc_error(c, n->loc, DIAG_E_ARITY, "person_name takes 1 argument (a person), got %d", nargs);
    return sema_null(s, n->loc);
  }
  if (!s->pk.org || !s->pk.org_name) {
    cc_error(c, n->name_loc, DIAG_E_ROUTE, "person_name() reads the org chart's names: declare them with "
             "'org { table T person P manager M name N }'");
    return sema_null(s, n->loc);
  }
  if (sc->kind == CX_WHERE || sc->kind == CX_ROLLUP || sc->def) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "person_name() reads the org table; it cannot be used %s",
             sc->def ? "in a def: pass the value as an argument" : row_local(sc));
    return sema_null(s, n->loc);
  }
  ast *cx = person_arg(s, sc, n->a, "person_name");
  if (!cx) return NULL;
  n->kind = A_PERSON_NAME;
  n->a = cx;
  n->type = VT_STR;
  return n;
}

/* g's best: candidate, when it is the start of the unknown name (3 letters or
** more) and longer than the best so far. */
static void prefix_of(lint_suggester *g, const char *candidate) {
  size_t n = strlen(candidate);
  if (n >= 3 && strlen(g->name) > n && strncmp(g->name, candidate, n) == 0 && (!g->best || n > strlen(g->best)))
    g->best = candidate;
}

ast *sema_check_call(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  wf_kind wf = sema_window_fn(n->name);
  if (wf != WF_NONE) return check_window_call(s, sc, n, wf);
  int di = find_def(s, n->name);
  if (di >= 0) return inline_def(s, sc, n, di);
  if (strcmp(n->name, "manager") == 0) return check_manager(s, sc, n);
  if (strcmp(n->name, "person_name") == 0) return check_person_name(s, sc, n);
  int fi = fn_scalar_find_args(n->name, count_args(n->a)); /* the form for that many arguments */
  if (fi < 0) {
    cc_error(c, n->name_loc, DIAG_E_UNKNOWN_FUNCTION, "unknown function '%s'", n->name);
    lint_suggester g = {n->name, NULL, 0};
    for (int i = 0; i < FN__COUNT; i++) lint_suggest(&g, fn_scalars[i].name);
    for (int i = 0; i < AGG__COUNT; i++) lint_suggest(&g, fn_aggs[i].name);
    for (int i = 0; i < WIN__COUNT; i++) lint_suggest(&g, fn_windows[i].name);
    for (int i = 0; i < s->ndefs && shown(c); i++) lint_suggest(&g, s->defs[i]->name);
    lint_suggest(&g, "manager");
    lint_suggest(&g, "person_name");
    /* too far to be a typo, but a longer spelling of one: absolute, maximum */
    if (!g.best) {
      for (int i = 0; i < FN__COUNT; i++) prefix_of(&g, fn_scalars[i].name);
      for (int i = 0; i < AGG__COUNT; i++) prefix_of(&g, fn_aggs[i].name);
    }
    if (g.best) lint_note(c, n->name_loc, &g);
    else if (shown(c)) cc_note(c, n->name_loc, "the built-in functions are listed in docs/LANGUAGE.md, section 9.1 (Index of functions)");
    return sema_null(s, n->loc);
  }
  const fn_sig *f = &fn_scalars[fi];
  int nargs = count_args(n->a);
  if (nargs > VG_MAX_LIST) {
    cc_limit(c, n->loc, "too many arguments (%d; at most %d)", nargs, VG_MAX_LIST);
    return NULL;
  }
  if (nargs < f->min_args || (f->max_args >= 0 && nargs > f->max_args)) {
    int forms[4], nforms = 0; /* the argument counts of a function with several forms: date(x), date(y, m, d) */
    for (int i = fi; i < FN__COUNT && nforms < 4; i++)
      if (strcmp(fn_scalars[i].name, f->name) == 0) forms[nforms++] = fn_scalars[i].min_args;
    if (nforms == 2)
      cc_error(c, n->loc, DIAG_E_ARITY, "%s takes %d or %d arguments, got %d", f->name, forms[0], forms[1], nargs);
    else if (f->min_args == f->max_args)
      cc_error(c, n->loc, DIAG_E_ARITY, "%s takes %d argument%s, got %d", f->name, f->min_args, f->min_args == 1 ? "" : "s", nargs);
    else if (f->max_args < 0)
      cc_error(c, n->loc, DIAG_E_ARITY, "%s takes at least %d argument%s, got %d", f->name, f->min_args, f->min_args == 1 ? "" : "s", nargs);
    else
      cc_error(c, n->loc, DIAG_E_ARITY, "%s takes %d to %d arguments, got %d", f->name, f->min_args, f->max_args, nargs);
    return sema_null(s, n->loc);
  }
  ast_list out = {NULL, NULL};
  int common = T_ANY, k = 0;
  for (ast *a = n->a; a; k++) {
    ast *next = a->next;
    if (a->kind == A_WINDOW) {
      cc_error(c, a->loc, DIAG_E_WINDOW, "%s does not take a window", f->name);
      return sema_null(s, n->loc);
    }
    ast *ca = sema_check(s, sc, a);
    if (!ca) return NULL;
    if ((f->flags & LIB_F_FISCAL) && k == f->max_args - 1)
      sema_check_fiscal_arg(c, f->name, ca); /* the fiscal year's first month */
    else if (known(ca->type) && !(f->arg_mask & (1 << ca->type)))
      cc_error(c, ca->loc, DIAG_E_TYPE, "%s does not take a %s here", f->name, type_name(ca->type));
    if (f->ret < 0 && known(ca->type)) {
      if (known(common) && common != ca->type)
        cc_error(c, ca->loc, DIAG_E_TYPE, "the arguments of %s must have one type: a %s and a %s", f->name, type_name(common), type_name(ca->type));
      else common = ca->type;
    }
    ast_append(&out, sema_listed(s, ca));
    a = next;
  }
  /* a fiscal function without a first month follows the pack's fiscal year */
  if ((f->flags & LIB_F_FISCAL) && nargs < f->max_args && s->fiscal_month != 1)
    ast_append(&out, sema_fiscal_arg(c, n->loc, s->fiscal_month));
  n->a = out.head;
  n->ref = fi;
  n->type = (uint8_t)(f->ret >= 0 ? f->ret : common);
  return n;
}

/* ---- defs: cycles, depth and size, measured once ------------------------------ */

/* A call of a def met in a def's body (in the order sema_check() meets them);
** skip: the index after the calls inside its arguments. */
typedef struct def_call {
  int callee;
  const ast *call;
  int skip;
} def_call;

typedef vg_vec(def_call) call_buf;

/* Appends the calls of defs in n to b and counts n's nodes (as ast_clone
** copies them) into *nodes.  Recursion: the height of a parsed tree
** (VG_MAX_DEPTH).  Returns 0, or -1 when out of memory. */
static int body_calls(sema *s, const ast *n, call_buf *b, uint64_t *nodes) {
  if (!n) return 0;
  (*nodes)++;
  size_t at = SIZE_MAX;
  int callee = n->kind == A_CALL ? find_def(s, n->name) : -1;
  if (callee >= 0) {
    def_call *k = vg_vec_add(b);
    if (!k) return -1;
    at = b->n - 1;
    k->callee = callee;
    k->call = n;
  }
  int list_a = n->kind == A_CALL, list_b = n->kind == A_IN;
  for (const ast *k = n->a; k; k = list_a ? k->next : NULL)
    if (body_calls(s, k, b, nodes) != 0) return -1;
  for (const ast *k = n->b; k; k = list_b ? k->next : NULL)
    if (body_calls(s, k, b, nodes) != 0) return -1;
  if (body_calls(s, n->c, b, nodes) != 0) return -1;
  if (at != SIZE_MAX) b->v[at].skip = (int)b->n;
  return 0;
}

/* Adds the inlined size of n, counted mult times, to d's measure f: a
** parameter adds to its uses (its argument's tree is counted there), a call
** of a measured def adds that def's size with these arguments.  This is the
** size sema_check() gives the tree (prev drops its count; a def with errors is
** a null).  Recursion: the height of the parsed body. */
static void size_walk(sema *s, def_info *f, int d, const ast *n, uint64_t mult) {
  if (!n || !mult) return;
  switch (n->kind) {
  case A_NAME: {
    int i = sema_def_param(s, d, n->name);
    if (i >= 0) f->uses[i] = sat_add64(f->uses[i], mult);
    else f->base = sat_add64(f->base, mult);
    return;
  }
  case A_CALL: {
    int callee = find_def(s, n->name);
    if (callee >= 0) {
      const def_info *g = &s->dinfo[callee];
      if (s->def_state[callee] != 2 || count_args(n->a) != g->nparams) { /* a null in its place */
        f->base = sat_add64(f->base, mult);
        return;
      }
      f->base = sat_add64(f->base, sat_mul64(mult, g->base)); /* the body replaces the call */
      int j = 0;
      for (const ast *a = n->a; a; a = a->next, j++) size_walk(s, f, d, a, sat_mul64(mult, g->uses[j]));
      return;
    }
    f->base = sat_add64(f->base, mult);
    if (strcmp(n->name, "prev") == 0) { size_walk(s, f, d, n->a, mult); return; }
    for (const ast *a = n->a; a; a = a->next) size_walk(s, f, d, a, mult);
    return;
  }
  case A_IN:
    f->base = sat_add64(f->base, mult);
    size_walk(s, f, d, n->a, mult);
    for (const ast *a = n->b; a; a = a->next) size_walk(s, f, d, a, mult);
    return;
  default:
    f->base = sat_add64(f->base, mult);
    size_walk(s, f, d, n->a, mult);
    size_walk(s, f, d, n->b, mult);
    size_walk(s, f, d, n->c, mult);
  }
}

/* Def d's measure, once the defs it calls are measured.  Returns 0 or -1
** (out of memory). */
static int def_info_of(sema *s, int d, const def_call *calls, int ncalls, uint64_t nodes) {
  def_info *f = &s->dinfo[d];
  const ast *def = s->defs[d];
  f->nparams = count_args(def->b);
  f->uses = vg_arena_alloc(&s->c->arena, (size_t)(f->nparams ? f->nparams : 1) * sizeof *f->uses);
  if (!f->uses) { s->c->oom = 1; return -1; }
  f->cost = nodes;
  f->height = 1;
  for (int k = 0; k < ncalls; k++) {
    const def_info *g = &s->dinfo[calls[k].callee];
    if (s->def_state[calls[k].callee] != 2) continue;
    f->cost = sat_add64(f->cost, g->cost);
  }
  size_walk(s, f, d, def->a, 1);
  return 0;
}

/* Checks the calls between defs once, without recursion (a chain of calls
** can be as long as there are defs): a def that calls itself, directly or
** not, is E-recursion (state 3, as is every def that calls it); a chain of
** calls deeper than VG_MAX_DEPTH is E-limit at the call that makes it so.
** Then measures each good def (def_info) for inline_def. */
void sema_def_measure(sema *s) {
  cc *c = s->c;
  int nd = s->ndefs;
  if (!nd) return;
  call_buf b = {0};
  int *off = vg_arena_alloc(&c->arena, (size_t)(nd + 1) * sizeof *off);
  uint64_t *nodes = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *nodes);
  int *stk = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *stk);
  int *pos = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *pos);
  uint8_t *bad = vg_arena_alloc(&c->arena, (size_t)nd);
  s->dinfo = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *s->dinfo);
  if (!off || !nodes || !stk || !pos || !bad || !s->dinfo) {
    c->oom = 1;
    return;
  }
  for (int d = 0; d < nd; d++) {
    off[d] = (int)b.n;
    if (body_calls(s, s->defs[d]->a, &b, &nodes[d]) != 0) { c->oom = 1; goto done; }
  }
  off[nd] = (int)b.n;
  for (int root = 0; root < nd; root++) {
    if (s->def_state[root] != 0) continue;
    int sp = 0;
    stk[sp++] = root;
    pos[root] = off[root];
    s->def_state[root] = 1;
    while (sp > 0) {
      int d = stk[sp - 1];
      if (pos[d] < off[d + 1]) {
        const def_call *k = &b.v[pos[d]++];
        int e = k->callee;
        if (s->def_state[e] == 1) {
          cc_error(c, k->call->loc, DIAG_E_RECURSION, "def %s calls itself%s%s: defs cannot be recursive", k->call->name,
                   e == d ? "" : " through ", e == d ? "" : s->defs[d]->name);
          bad[d] = 1;
          pos[d] = k->skip; /* not into this call's arguments */
        } else if (s->def_state[e] == 0) {
          s->def_state[e] = 1;
          pos[e] = off[e];
          stk[sp++] = e;
        } else if (s->def_state[e] == 3) {
          bad[d] = 1;
        }
        continue;
      }
      /* every call of d seen: d is done */
      sp--;
      s->def_state[d] = bad[d] ? 3 : 2;
      if (sp > 0 && bad[d]) bad[stk[sp - 1]] = 1;
      if (bad[d]) continue;
      const def_call *deepest = NULL;
      int h = 0;
      for (int k = off[d]; k < off[d + 1]; k++)
        if (s->def_state[b.v[k].callee] == 2 && s->dinfo[b.v[k].callee].height > h) {
          h = s->dinfo[b.v[k].callee].height;
          deepest = &b.v[k];
        }
      if (def_info_of(s, d, b.v ? b.v + off[d] : NULL, off[d + 1] - off[d], nodes[d]) != 0) goto done;
      s->dinfo[d].height = h + 1;
      if (h + 1 > VG_MAX_DEPTH) {
        cc_limit(c, deepest->call->loc, "defs nested deeper than %d calls", VG_MAX_DEPTH);
        goto done;
      }
    }
  }
done:
  vg_vec_free(&b);
}
