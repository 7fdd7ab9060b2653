/*
** sema.c — name resolution and type checking.
**
** One pass over the declarations collects the pack, tiers, params, defs,
** sources and rules and reports duplicates; then every expression is
** checked in its scope by check(), which returns the resolved tree:
**   - a name becomes a let's tree, an A_COL (the source's column list grows
**     as columns are used), or an A_PARAM;
**   - a call of a def is replaced by the def's body, checked with the call's
**     arguments in place of its parameters (defs are inlined);
**   - every node gets a type (a val_type, or T_ANY when unknown).
** Errors are reported and checking goes on, so one run lists them all; but
** a limit (cc_limit) stops everything.
**
** Resources are bounded before they are spent (limits.h): names are looked
** up in hash tables (packs of many names or lets stay linear); the calls
** between defs are checked once, without recursion, for cycles and depth;
** each def's inlined size (as a function of its arguments' sizes) and the
** nodes a copy of its body builds are computed once, so a call that would
** pass VG_MAX_INLINED or VG_MAX_CHECK_NODES is refused before its body is
** copied; check() counts its recursion and the nodes built as it goes.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sema.h"
#include "../stdlib/lib.h"
#include "../core/prog.h"

/* Where an expression is checked. */
/* CX_ROLLUP: the argument of a rollup column's aggregate, on one member row
** (row-local like a where). */
typedef enum { CX_RULE, CX_WHERE, CX_DEF, CX_PARAMDEF, CX_ROLLUP } cx_kind;

/* A table from names to indices (open addressing), sized once for the
** names it will hold: lookups stay constant-time in packs of many names. */
typedef struct nmap {
  const char **keys;
  int32_t *vals;
  uint32_t mask;
  uint32_t *gen, cur;     /* reusable tables: a slot is taken when gen[j] == cur */
} nmap;

typedef struct scope {
  cx_kind kind;
  int source;             /* the rule's (or where's) source, -1 in defs */
  ast *lets;              /* D_LET list visible here (checked ->a) */
  const nmap *letmap;     /* the same lets by name (value: index in let_at) */
  ast **let_at;           /* the lets by index */
  ast *def;               /* the def whose body is checked */
  ast **args;             /* its arguments (checked trees), or NULL: typed T_ANY */
  int nargs;
  int inlining;           /* depth of def inlining */
} scope;

/* What sema knows of a def before inlining it (def_measure). */
typedef struct def_info {
  uint64_t cost;          /* nodes a copy of the body builds, nested defs' copies included */
  uint64_t base;          /* its inlined size, not counting the arguments' trees ... */
  uint64_t *uses;         /* ... each counted uses[i] times (per parameter) */
  int nparams;
  int height;             /* defs in the longest chain of calls from it (itself included) */
} def_info;

typedef struct sema {
  cc *c;
  sm_pack pk;
  ast **defs; int ndefs;
  uint8_t *def_state;     /* recursion check: 0 new, 1 visiting, 2 done, 3 bad */
  uint8_t *def_used;      /* inlined into a rule or a where */
  def_info *dinfo;        /* per def, valid for state 2 */
  nmap params, defmap, sources, tiers;
  int *tier_rule;         /* per tier: 1 + the last rule given a clause of it */
  ast **tier_clause;      /* ... and that clause */
  nmap lets;              /* the lets of the rule being checked (reused) */
  ast **let_at;           /* ... by index */
  uint64_t nodes0;        /* c->nodes when checking began (the parser's are not counted) */
  uint64_t pack_size;     /* inlined sizes of the pack's checked expressions so far */
  int level;              /* recursion of check() */
  ast *fiscal;            /* the pack's `fiscal year starts`, or NULL */
  int fiscal_month;       /* its month, 1 (January) without one */
} sema;

static ast *check(sema *s, scope *sc, ast *n);

/* Where a row-local context is, for messages. */
static const char *row_local(const scope *sc) {
  return sc->kind == CX_ROLLUP ? "in a rollup's column (it reads one row of each member)" : "in a source's where";
}

static const char *type_name(int t) {
  if (t == T_ANY) return "unknown";
  return val_type_name(t);
}

static int known(int t) { return t != T_ANY && t != VT_NULL; }

/* 1 when the error just reported is shown: only then are "did you mean"
** candidates worth looking through (a pack can have 65 535 params or tiers,
** and thousands of errors past --max-errors). */
static int shown(const cc *c) { return c->nerrors <= c->max_errors && !c->stopped; }

/* ---- lookups of names ------------------------------------------------------ */

static uint32_t name_hash(const char *name) {
  uint32_t h = 2166136261u;
  for (const char *q = name; *q; q++) h = (h ^ (unsigned char)*q) * 16777619u;
  return h;
}

/* Room for n names.  Returns 0, or -1 with c->oom set. */
static int nmap_init(cc *c, nmap *m, size_t n) {
  size_t cap = 16;
  while (cap < 2 * n + 2) cap *= 2;
  m->keys = vg_arena_alloc(&c->arena, cap * sizeof *m->keys);
  m->vals = vg_arena_alloc(&c->arena, cap * sizeof *m->vals);
  if (!m->keys || !m->vals) { c->oom = 1; m->keys = NULL; return -1; }
  m->mask = (uint32_t)(cap - 1);
  m->gen = NULL;
  m->cur = 0;
  return 0;
}

static int nmap_taken(const nmap *m, uint32_t j) { return m->keys[j] && (!m->gen || m->gen[j] == m->cur); }

/* The value of name, or -1. */
static int32_t nmap_find(const nmap *m, const char *name) {
  if (!m || !m->keys) return -1;
  for (uint32_t j = name_hash(name) & m->mask; nmap_taken(m, j); j = (j + 1) & m->mask)
    if (strcmp(m->keys[j], name) == 0) return m->vals[j];
  return -1;
}

/* Adds name -> v (at most the n names of nmap_init).  Returns -1, or the
** value name already has (then nothing is added). */
static int32_t nmap_add(nmap *m, const char *name, int32_t v) {
  if (!m->keys) return -1;
  uint32_t j;
  for (j = name_hash(name) & m->mask; nmap_taken(m, j); j = (j + 1) & m->mask)
    if (strcmp(m->keys[j], name) == 0) return m->vals[j];
  m->keys[j] = name;
  m->vals[j] = v;
  if (m->gen) m->gen[j] = m->cur;
  return -1;
}

/* Room for n names in a table emptied by nmap_reset.  Returns 0 or -1. */
static int nmap_init_reusable(cc *c, nmap *m, size_t n) {
  if (nmap_init(c, m, n) != 0) return -1;
  m->gen = vg_arena_alloc(&c->arena, ((size_t)m->mask + 1) * sizeof *m->gen);
  if (!m->gen) { c->oom = 1; m->keys = NULL; return -1; }
  m->cur = 1;
  return 0;
}

/* Empties a reusable table in constant time. */
static void nmap_reset(nmap *m) {
  if (++m->cur == 0) { /* wrapped: really clear */
    memset(m->gen, 0, ((size_t)m->mask + 1) * sizeof *m->gen);
    m->cur = 1;
  }
}

static int find_param(const sema *s, const char *name) { return nmap_find(&s->params, name); }
static int find_source(const sema *s, const char *name) { return nmap_find(&s->sources, name); }
static int find_def(const sema *s, const char *name) { return nmap_find(&s->defmap, name); }
static int find_tier(const sema *s, const char *name) { return nmap_find(&s->tiers, name); }

/* Index of column `name` in source src's read list, adding it.  Returns -1
** when the schema does not have it (no error reported here). */
static int source_column(sema *s, int src, const char *name) {
  sm_source *so = &s->pk.sources[src];
  uint8_t type = T_ANY;
  const char *canon = name;
  if (so->schema) {
    int ci = schema_column(so->schema, name);
    if (ci < 0) return -1;
    canon = so->schema->cols[ci].name;
    type = so->schema->cols[ci].type;
  } else if (s->c->has_schema) {
    return -1; /* the table itself is missing; already reported */
  }
  for (int i = 0; i < so->ncols; i++)
    if (strcmp(so->cols[i], canon) == 0) return i;
  if (so->ncols == so->cap) {
    int ncap = so->cap ? so->cap * 2 : 8;
    const char **nc = vg_arena_alloc(&s->c->arena, (size_t)ncap * sizeof *nc);
    uint8_t *nt = vg_arena_alloc(&s->c->arena, (size_t)ncap);
    if (!nc || !nt) { s->c->oom = 1; return -1; }
    if (so->ncols) {
      memcpy(nc, so->cols, (size_t)so->ncols * sizeof *nc);
      memcpy(nt, so->types, (size_t)so->ncols);
    }
    so->cols = nc;
    so->types = nt;
    so->cap = ncap;
  }
  so->cols[so->ncols] = canon;
  so->types[so->ncols] = type;
  return so->ncols++;
}

static ast *col_node(sema *s, int src, int col, vg_loc loc) {
  ast *n = ast_new(s->c, A_COL, loc);
  if (!n) return NULL;
  n->ref = col;
  n->num = src;
  n->type = s->pk.sources[src].types[col];
  return n;
}

/* A shallow copy of n for a list: checked trees can be shared (a let used
** twice), and a list link must not be written into a shared node. */
static ast *listed(sema *s, ast *n) {
  ast *m = ast_new(s->c, n->kind, n->loc);
  if (!m) return NULL;
  *m = *n;
  m->next = NULL;
  return m;
}

static ast *null_node(sema *s, vg_loc loc) {
  ast *n = ast_new(s->c, A_NULL, loc);
  if (n) n->type = T_ANY;
  return n;
}

/* ---- types ------------------------------------------------------------------ */

/* The result type of a op b, or -1 when the types do not go together. */
static int arith_type(int op, int a, int b) {
  if (!known(a) || !known(b)) {
    /* one side unknown: keep what can be inferred */
    int k = known(a) ? a : b;
    if (!known(k)) return T_ANY;
    if (k == VT_STR || k == VT_BOOL) return -1;
    return T_ANY;
  }
  switch (op) {
  case BIN_ADD:
    if (a == VT_NUM && b == VT_NUM) return VT_NUM;
    if (a == VT_DATE && b == VT_DUR) return VT_DATE;
    if (a == VT_DUR && b == VT_DATE) return VT_DATE;
    if (a == VT_DUR && b == VT_DUR) return VT_DUR;
    return -1;
  case BIN_SUB:
    if (a == VT_NUM && b == VT_NUM) return VT_NUM;
    if (a == VT_DATE && b == VT_DATE) return VT_DUR;
    if (a == VT_DATE && b == VT_DUR) return VT_DATE;
    if (a == VT_DUR && b == VT_DUR) return VT_DUR;
    return -1;
  case BIN_MUL:
    if (a == VT_NUM && b == VT_NUM) return VT_NUM;
    if ((a == VT_DUR && b == VT_NUM) || (a == VT_NUM && b == VT_DUR)) return VT_DUR;
    return -1;
  case BIN_DIV:
    if (a == VT_NUM && b == VT_NUM) return VT_NUM;
    if (a == VT_DUR && b == VT_NUM) return VT_DUR;
    if (a == VT_DUR && b == VT_DUR) return VT_NUM;
    return -1;
  }
  return -1;
}

static const char *op_text(int op) {
  static const char *t[] = {"+", "-", "*", "/", "=", "!=", "<", "<=", ">", ">=", "and", "or"};
  return op >= 0 && op < (int)(sizeof t / sizeof *t) ? t[op] : "?";
}

/* 1 when values of types a and b can be compared with each other. */
static int comparable(int a, int b) { return !known(a) || !known(b) || a == b; }

static void want_bool(sema *s, ast *n, const char *what) {
  if (n && known(n->type) && n->type != VT_BOOL) {
    if (n->type == VT_NUM)
      cc_error(s->c, n->loc, DIAG_E_TYPE, "%s must be a condition (bool), not a number; compare it, e.g. '... = 1'", what);
    else
      cc_error(s->c, n->loc, DIAG_E_TYPE, "%s must be a condition (bool), not a %s", what, type_name(n->type));
  }
}

/* ---- windows and window functions ---------------------------------------- */


static wf_kind window_fn(const char *name) {
  if (fn_agg_find(name) >= 0) return WF_AGG;
  switch (fn_window_find(name)) {
  case WIN_PREV: return WF_PREV;
  case WIN_PCTCHG: return WF_PCTCHG;
  case WIN_STREAK: return WF_STREAK;
  default: return WF_NONE;
  }
}

static int count_args(const ast *a) {
  int n = 0;
  for (; a; a = a->next) n++;
  return n;
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
    return null_node(s, n->loc);
  }
  ast *x = n->a;
  n->op = (uint8_t)wf; /* tells the code generator which kind of call this is */
  if (wf == WF_AGG) {
    int k = fn_agg_find(n->name);
    if (nargs != 2 || !x->next || x->next->kind != A_WINDOW) {
      cc_error(c, n->loc, DIAG_E_ARITY, "%s takes an expression and a window: %s(x, last N snapshots) or %s(x, last N days)",
               n->name, n->name, n->name);
      return null_node(s, n->loc);
    }
    ast *w = x->next;
    if (x->kind == A_WINDOW) { cc_error(c, x->loc, DIAG_E_WINDOW, "a window is only allowed as the last argument"); return null_node(s, n->loc); }
    ast *cx = check(s, sc, x);
    if (!cx || !(cx = listed(s, cx))) return NULL;
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
      want_bool(s, cx, "the first argument of count");
      n->type = VT_NUM;
      break;
    default:
      want_bool(s, cx, n->name);
      n->type = VT_BOOL;
    }
    return n;
  }
  if (n->a && n->a->kind == A_WINDOW) {
    cc_error(c, n->a->loc, DIAG_E_WINDOW, "%s does not take a window", n->name);
    return null_node(s, n->loc);
  }
  for (ast *a = n->a; a; a = a->next)
    if (a->kind == A_WINDOW) {
      cc_error(c, a->loc, DIAG_E_WINDOW, "%s does not take a window", n->name);
      return null_node(s, n->loc);
    }
  if (wf == WF_PREV) {
    if (nargs < 1 || nargs > 2) {
      cc_error(c, n->loc, DIAG_E_ARITY, "prev takes 1 or 2 arguments: prev(x) or prev(x, k), got %d", nargs);
      return null_node(s, n->loc);
    }
    int k = 1;
    if (nargs == 2) {
      ast *ka = x->next;
      if (ka->kind != A_NUM || ka->num < 1 || ka->num != floor(ka->num) || ka->num > VG_MAX_WINDOW) {
        cc_error(c, ka->loc, DIAG_E_WINDOW, "the second argument of prev must be a whole number from 1 to %d", VG_MAX_WINDOW);
        return null_node(s, n->loc);
      }
      k = (int)ka->num;
    }
    ast *cx = check(s, sc, x);
    if (!cx || !(cx = listed(s, cx))) return NULL;
    n->a = cx;
    n->ival = k;
    n->ref = -2; /* prev */
    n->type = cx->type == VT_NULL ? T_ANY : cx->type;
    return n;
  }
  if (nargs != 1) {
    cc_error(c, n->loc, DIAG_E_ARITY, "%s takes 1 argument, got %d", n->name, nargs);
    return null_node(s, n->loc);
  }
  ast *cx = check(s, sc, x);
  if (!cx || !(cx = listed(s, cx))) return NULL;
  n->a = cx;
  if (wf == WF_PCTCHG) {
    if (known(cx->type) && cx->type != VT_NUM && cx->type != VT_DUR)
      cc_error(c, cx->loc, DIAG_E_TYPE, "pct_change needs a number, not a %s", type_name(cx->type));
    n->ref = -3;
    n->type = VT_NUM;
  } else {
    want_bool(s, cx, "the argument of streak");
    n->ref = -4;
    n->type = VT_NUM;
  }
  return n;
}

/* ---- calls ------------------------------------------------------------------ */

static uint64_t sat_add64(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
static uint64_t sat_mul64(uint64_t a, uint64_t b) { return a && b > UINT64_MAX / a ? UINT64_MAX : a * b; }

/* The nodes the checker has built so far (the parser's not counted). */
static uint64_t built(const sema *s) { return s->c->nodes - s->nodes0; }

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
    return null_node(s, n->loc);
  }
  if (s->def_state[di] == 3) return null_node(s, n->loc); /* its body has errors, reported once */
  if (sc->kind != CX_DEF) s->def_used[di] = 1;
  if (sc->inlining >= VG_MAX_DEPTH) {
    /* def_measure refuses longer chains first; kept as the guard of check()'s recursion */
    cc_limit(c, n->loc, "defs nested deeper than %d calls", VG_MAX_DEPTH);
    return NULL;
  }
  ast **args = vg_arena_alloc(&c->arena, (size_t)(nargs ? nargs : 1) * sizeof *args);
  if (!args) { c->oom = 1; return NULL; }
  int i = 0;
  for (ast *a = n->a; a; a = a->next, i++) {
    if (a->kind == A_WINDOW) {
      cc_error(c, a->loc, DIAG_E_WINDOW, "a window can only be passed to a window function");
      return null_node(s, n->loc);
    }
    ast *next = a->next;
    args[i] = check(s, sc, a);
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
  inner.args = args;
  inner.nargs = nargs;
  inner.inlining = sc->inlining + 1;
  if (inner.kind == CX_DEF || inner.kind == CX_PARAMDEF) inner.kind = sc->kind;
  ast *body = ast_clone(c, def->a);
  if (!body) return NULL;
  int before = c->nerrors;
  /* the body's root takes the call's place in the tree: same level */
  s->level--;
  ast *r = check(s, &inner, body);
  s->level++;
  if (c->nerrors > before) cc_note(c, n->loc, "in this call of %s", def->name);
  return r;
}

/* param NAME = V on SOURCE[KEY][.COLUMN]: after the sources are checked,
** find the source and the column holding the per-key value; its type must
** be the param's (a duration param reads a number of days). */
static void check_overrides(sema *s) {
  cc *c = s->c;
  for (int i = 0; i < s->pk.nparams; i++) {
    sm_param *pm = &s->pk.params[i];
    ast *o = pm->decl->b;
    if (!o) continue;
    int src = find_source(s, o->name);
    if (src < 0) {
      cc_error(c, o->name_loc, DIAG_E_UNKNOWN_SOURCE, "unknown source '%s'", o->name);
      lint_suggester g = {o->name, NULL, 0};
      for (int k = 0; k < s->pk.nsources && shown(c); k++) lint_suggest(&g, s->pk.sources[k].name);
      lint_note(c, o->name_loc, &g);
      continue;
    }
    sm_source *so = &s->pk.sources[src];
    if (so->ncols < 2) continue; /* the source has errors */
    so->used = 1;
    const char *col = o->str ? o->str : pm->name;
    int ci = source_column(s, src, col);
    if (ci < 0) {
      if (so->schema) cc_error(c, o->loc, DIAG_E_UNKNOWN_COLUMN, "table %s (source %s) has no column '%s' to override param %s",
                               so->table, so->name, col, pm->name);
      continue;
    }
    int pt = pm->value.t, ct = so->types[ci];
    if (known(ct) && ct != pt && !(pt == VT_DUR && ct == VT_NUM))
      cc_error(c, o->loc, DIAG_E_TYPE, "param %s is a %s; column %s of %s is a %s%s", pm->name, type_name(pt), col, so->table,
               type_name(ct), pt == VT_DUR ? " (a duration param reads a number of days)" : "");
    pm->over = src;
    pm->over_col = ci;
    pm->over_key = o->a ? o->a->name : NULL;
  }
}

/* Sources' wheres are checked before the overrides are known: an overridden
** param found in one now is an error (a where reads one row, not a key's). */
static void where_overrides(sema *s, const ast *n) {
  if (!n) return;
  if (n->kind == A_PARAM && n->ref >= 0 && n->ref < s->pk.nparams && s->pk.params[n->ref].over >= 0) {
    const sm_param *pm = &s->pk.params[n->ref];
    cc_error(s->c, n->loc, DIAG_E_CONTEXT, "param %s is set per %s from source %s; it can be read in rules only", pm->name,
             pm->over_key, s->pk.sources[pm->over].name);
    return;
  }
  int list_a = n->kind == A_CALL, list_b = n->kind == A_IN;
  for (const ast *k = n->a; k; k = list_a ? k->next : NULL) where_overrides(s, k);
  for (const ast *k = n->b; k; k = list_b ? k->next : NULL) where_overrides(s, k);
  where_overrides(s, n->c);
}

/* A param overridden per key, read in a rule on source sc->source:
** coalesce(SOURCE[KEY].COLUMN, param) with KEY the rule's column. */
static ast *override_param(sema *s, scope *sc, ast *n, int pi) {
  cc *c = s->c;
  sm_param *pm = &s->pk.params[pi];
  if (sc->kind != CX_RULE || sc->def) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "param %s is set per %s from source %s; %s", pm->name, pm->over_key,
             s->pk.sources[pm->over].name,
             sc->def ? "a def cannot read it: pass it as an argument" : "it can be read in rules only");
    return null_node(s, n->loc);
  }
  sm_source *rs = &s->pk.sources[sc->source];
  int kc = pm->over_key ? source_column(s, sc->source, pm->over_key) : -1;
  if (kc < 0) {
    if (rs->schema || !c->has_schema)
      cc_error(c, n->loc, DIAG_E_UNKNOWN_COLUMN, "param %s is set per %s, and source %s (table %s) has no column '%s'", pm->name,
               pm->over_key, rs->name, rs->table, pm->over_key);
    return null_node(s, n->loc);
  }
  sm_source *os = &s->pk.sources[pm->over];
  ast *key = col_node(s, sc->source, kc, n->loc);
  ast *look = ast_new(c, A_LOOKUP, n->loc);
  ast *dflt = ast_new(c, A_PARAM, n->loc);
  ast *call = ast_new(c, A_CALL, n->loc);
  if (!key || !look || !dflt || !call) return NULL;
  if (known(key->type) && known(os->types[0]) && key->type != os->types[0])
    cc_error(c, n->loc, DIAG_E_TYPE, "param %s is set per %s, a %s here; the key of source %s is a %s", pm->name, pm->over_key,
             type_name(key->type), os->name, type_name(os->types[0]));
  look->name = os->name;
  look->str = os->cols[pm->over_col];
  look->a = key;
  look->ref = pm->over_col;
  look->num = pm->over;
  look->type = os->types[pm->over_col];
  look->size = 2;
  look->depth = 2;
  ast *value = look;
  if (pm->value.t == VT_DUR) { /* days to a duration */
    ast *day = ast_new(c, A_DUR, n->loc), *mul = ast_new(c, A_BIN, n->loc);
    if (!day || !mul) return NULL;
    day->num = 1;
    day->type = VT_DUR;
    mul->op = BIN_MUL;
    mul->a = look;
    mul->b = day;
    mul->type = VT_DUR;
    value = mul;
  }
  dflt->ref = pi;
  dflt->type = pm->value.t;
  value->next = dflt;
  call->name = "coalesce";
  call->ref = FN_coalesce;
  call->a = value;
  call->type = pm->value.t;
  return call;
}

/* manager(x) and manager(x, N): the person N levels (default 1) above x in
** the org chart, as text (x is read as notify reads a recipient). */
static ast *check_manager(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  int nargs = count_args(n->a);
  if (nargs < 1 || nargs > 2) {
    cc_error(c, n->loc, DIAG_E_ARITY, "manager takes 1 or 2 arguments (a person, and how many levels up), got %d", nargs);
    return null_node(s, n->loc);
  }
  if (!s->pk.org) {
    cc_error(c, n->name_loc, DIAG_E_ROUTE, "manager() climbs the org chart: declare it with 'org { table T person P manager M }'");
    return null_node(s, n->loc);
  }
  if (sc->kind == CX_WHERE || sc->kind == CX_ROLLUP || sc->def) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "manager() reads the org table; it cannot be used %s", sc->def ? "in a def: pass the value as an argument" : row_local(sc));
    return null_node(s, n->loc);
  }
  int levels = 1;
  ast *x = n->a, *k = x->next;
  if (k) {
    if (k->kind != A_NUM || k->flag || k->num < 0 || k->num > VG_MAX_ROUTE || k->num != (double)(int)k->num) {
      cc_error(c, k->loc, DIAG_E_ROUTE, "the levels of manager(x, N) must be a whole number from 0 to %d", VG_MAX_ROUTE);
      return null_node(s, n->loc);
    }
    levels = (int)k->num;
  }
  x->next = NULL;
  if (x->kind == A_WINDOW) {
    cc_error(c, x->loc, DIAG_E_WINDOW, "manager does not take a window");
    return null_node(s, n->loc);
  }
  ast *cx = check(s, sc, x);
  if (!cx) return NULL;
  if (known(cx->type) && cx->type != VT_NUM && cx->type != VT_STR)
    cc_error(c, cx->loc, DIAG_E_TYPE, "manager takes a person (a number or a string), not a %s", type_name(cx->type));
  n->kind = A_MANAGER;
  n->a = cx;
  n->ival = levels;
  n->type = VT_STR;
  return n;
}

static ast *check_call(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  wf_kind wf = window_fn(n->name);
  if (wf != WF_NONE) return check_window_call(s, sc, n, wf);
  int di = find_def(s, n->name);
  if (di >= 0) return inline_def(s, sc, n, di);
  if (strcmp(n->name, "manager") == 0) return check_manager(s, sc, n);
  int fi = fn_scalar_find_args(n->name, count_args(n->a)); /* the form for that many arguments */
  if (fi < 0) {
    cc_error(c, n->name_loc, DIAG_E_UNKNOWN_FUNCTION, "unknown function '%s'", n->name);
    lint_suggester g = {n->name, NULL, 0};
    for (int i = 0; i < FN__COUNT; i++) lint_suggest(&g, fn_scalars[i].name);
    for (int i = 0; i < AGG__COUNT; i++) lint_suggest(&g, fn_aggs[i].name);
    for (int i = 0; i < WIN__COUNT; i++) lint_suggest(&g, fn_windows[i].name);
    for (int i = 0; i < s->ndefs && shown(c); i++) lint_suggest(&g, s->defs[i]->name);
    lint_note(c, n->name_loc, &g);
    return null_node(s, n->loc);
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
    return null_node(s, n->loc);
  }
  ast_list out = {NULL, NULL};
  int common = T_ANY, k = 0;
  for (ast *a = n->a; a; k++) {
    ast *next = a->next;
    if (a->kind == A_WINDOW) {
      cc_error(c, a->loc, DIAG_E_WINDOW, "%s does not take a window", f->name);
      return null_node(s, n->loc);
    }
    ast *ca = check(s, sc, a);
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
    ast_append(&out, listed(s, ca));
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

/* ---- names ------------------------------------------------------------------ */

static ast *check_name(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  const char *name = n->name;
  if (sc->def) {
    int i = 0;
    for (ast *p = sc->def->b; p; p = p->next, i++)
      if (strcmp(p->name, name) == 0) {
        if (sc->args) return sc->args[i];
        ast *r = ast_new(c, A_ARGREF, n->loc);
        if (r) { r->ref = i; r->type = T_ANY; }
        return r;
      }
    int pi = find_param(s, name);
    if (pi >= 0) {
      n->kind = A_PARAM; n->ref = pi; n->type = s->pk.params[pi].value.t;
      if (sc->kind != CX_DEF) s->pk.params[pi].used = 1;
      if (s->pk.params[pi].over >= 0) return override_param(s, sc, n, pi);
      return n;
    }
    cc_error(c, n->loc, DIAG_E_UNKNOWN_NAME, "unknown name '%s' in def %s (a def sees only its parameters and params: pass columns and lets as arguments)",
             name, sc->def->name);
    lint_suggester g = {name, NULL, 0};
    if (shown(c)) {
      for (ast *p = sc->def->b; p; p = p->next) lint_suggest(&g, p->name);
      for (int k = 0; k < s->pk.nparams; k++) lint_suggest(&g, s->pk.params[k].name);
    }
    lint_note(c, n->loc, &g);
    return null_node(s, n->loc);
  }
  int32_t li = nmap_find(sc->letmap, name);
  if (li >= 0) {
    ast *l = sc->let_at[li];
    l->flag = 1; /* used */
    return l->a ? l->a : null_node(s, n->loc);
  }
  int pi = find_param(s, name);
  if (sc->source >= 0) {
    sm_source *so = &s->pk.sources[sc->source];
    int has_col = so->schema ? schema_column(so->schema, name) >= 0 : 0;
    if (has_col && pi >= 0) {
      cc_error(c, n->loc, DIAG_E_AMBIGUOUS, "'%s' is both a column of %s and a param; rename the param", name, so->table);
      return null_node(s, n->loc);
    }
    if (pi < 0 && (has_col || !c->has_schema)) {
      int ci = source_column(s, sc->source, name);
      if (ci >= 0) return col_node(s, sc->source, ci, n->loc);
      return null_node(s, n->loc);
    }
  }
  if (pi >= 0) {
    n->kind = A_PARAM; n->ref = pi; n->type = s->pk.params[pi].value.t;
    s->pk.params[pi].used = 1;
    if (s->pk.params[pi].over >= 0) return override_param(s, sc, n, pi);
    return n;
  }
  if (sc->source >= 0 && s->pk.sources[sc->source].schema) {
    const sm_source *so = &s->pk.sources[sc->source];
    cc_error(c, n->loc, DIAG_E_UNKNOWN_COLUMN, "unknown name '%s': not a column of table %s (source %s), a let or a param",
             name, so->table, so->name);
    lint_suggester g = {name, NULL, 0};
    if (shown(c)) {
      for (int i = 0; i < so->schema->ncols; i++) lint_suggest(&g, so->schema->cols[i].name);
      for (ast *l = sc->lets; l; l = l->next) lint_suggest(&g, l->name);
      for (int i = 0; i < s->pk.nparams; i++) lint_suggest(&g, s->pk.params[i].name);
    }
    lint_note(c, n->loc, &g);
  } else if (sc->source >= 0)
    return null_node(s, n->loc); /* the source's table is missing: reported once */
  else
    cc_error(c, n->loc, DIAG_E_UNKNOWN_NAME, "unknown name '%s'", name);
  return null_node(s, n->loc);
}

static ast *check_lookup(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  if (sc->kind != CX_RULE) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "a lookup reads another source; it cannot be used %s",
             sc->kind == CX_WHERE || sc->kind == CX_ROLLUP ? row_local(sc) : "here");
    return null_node(s, n->loc);
  }
  if (sc->def) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "a def cannot read a source: pass the value as an argument");
    return null_node(s, n->loc);
  }
  int src = find_source(s, n->name);
  if (src < 0) {
    cc_error(c, n->name_loc, DIAG_E_UNKNOWN_SOURCE, "unknown source '%s'", n->name);
    lint_suggester g = {n->name, NULL, 0};
    for (int i = 0; i < s->pk.nsources && shown(c); i++) lint_suggest(&g, s->pk.sources[i].name);
    lint_note(c, n->name_loc, &g);
    return null_node(s, n->loc);
  }
  sm_source *so = &s->pk.sources[src];
  so->used = 1;
  ast *key = n->a;
  if (key) {
    key = check(s, sc, key);
    if (!key) return NULL;
  } else {
    key = col_node(s, sc->source, 0, n->loc);
    if (!key) return NULL;
  }
  int ci = source_column(s, src, n->str);
  if (ci < 0) {
    if (so->schema) {
      cc_error(c, n->b ? n->b->loc : n->loc, DIAG_E_UNKNOWN_COLUMN, "table %s (source %s) has no column '%s'", so->table, so->name, n->str);
      lint_suggester g = {n->str, NULL, 0};
      for (int i = 0; i < so->schema->ncols; i++) lint_suggest(&g, so->schema->cols[i].name);
      lint_note(c, n->b ? n->b->loc : n->loc, &g);
    }
    return null_node(s, n->loc);
  }
  int kt = so->types[0];
  if (known(key->type) && known(kt) && key->type != kt)
    cc_error(c, key->loc, DIAG_E_TYPE, "the key of source %s is a %s; this is a %s", so->name, type_name(kt), type_name(key->type));
  n->a = key;
  n->ref = ci;
  n->num = src;
  n->type = so->types[ci];
  return n;
}

/* ---- expressions ------------------------------------------------------------ */

static ast *check_node(sema *s, scope *sc, ast *n);

static uint32_t sat_add(uint32_t a, uint32_t b) { return a > UINT32_MAX - b ? UINT32_MAX : a + b; }

/* Returns the checked tree (maybe another node than n), or NULL when out of
** memory or after a limit (c->stopped).  Measures the inlined tree (its size
** and height) and counts the recursion and the nodes built as it goes. */
static ast *check(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  if (c->oom || c->stopped) return NULL;
  if (s->level >= 10 * VG_MAX_DEPTH) {
    /* recursion follows the inlined tree (inline_def keeps a body at its
    ** call's level), so this is the height limit below, met before the
    ** stack could overflow */
    cc_limit(c, n ? n->loc : (vg_loc){0, 0, 0},
             "this expression is nested too deeply once its lets and defs are inlined (over %d levels)", 10 * VG_MAX_DEPTH);
    return NULL;
  }
  s->level++;
  ast *r = check_node(s, sc, n);
  s->level--;
  if (!r) return NULL;
  if (built(s) > VG_MAX_CHECK_NODES) {
    cc_limit(c, r->loc, "this pack is too large once its defs are inlined: checking it would build over %d tree nodes "
             "(each call of a def copies the def's body)", VG_MAX_CHECK_NODES);
    return NULL;
  }
  if (r->size) return r; /* measured already: a shared let tree, an argument */
  uint32_t size = 1;
  unsigned depth = 0;
  ast *kids[3] = {r->a, r->b, r->c};
  for (int i = 0; i < 3; i++) {
    int is_list = (i == 0 && (r->kind == A_CALL)) || (i == 1 && r->kind == A_IN);
    for (ast *k = kids[i]; k; k = is_list ? k->next : NULL) {
      size = sat_add(size, k->size ? k->size : 1);
      if (k->depth > depth) depth = k->depth;
      if (!is_list) break;
    }
  }
  r->size = size;
  r->depth = (uint16_t)(depth + 1 > UINT16_MAX ? UINT16_MAX : depth + 1);
  if (size > VG_MAX_INLINED) {
    cc_limit(c, r->loc, "this expression is too large once its lets and defs are inlined (over %d nodes)", VG_MAX_INLINED);
    return NULL;
  }
  if (depth + 1 > 10u * VG_MAX_DEPTH) {
    cc_limit(c, r->loc, "this expression is nested too deeply once its lets and defs are inlined (over %d levels)",
             10 * VG_MAX_DEPTH);
    return NULL;
  }
  return r;
}

/* A top-level expression checked (a clause, a message part, notify, clear,
** a where): its inlined size counts toward VG_MAX_PACK_SIZE.  (A let's own
** tree is compiled once more as evidence; that code is bounded by
** VG_MAX_CODE in the code generator.) */
static ast *check_top(sema *s, scope *sc, ast *n) {
  ast *r = check(s, sc, n);
  if (!r) return NULL;
  s->pack_size = sat_add64(s->pack_size, r->size ? r->size : 1);
  if (s->pack_size > VG_MAX_PACK_SIZE) {
    cc_limit(s->c, r->loc, "this pack is too large once its lets and defs are inlined (over %d nodes in all its expressions)",
             VG_MAX_PACK_SIZE);
    return NULL;
  }
  return r;
}

static ast *check_node(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  if (!n) { /* a part the parser could not build: its error is reported */
    vg_loc none = {0, 0, 0};
    return null_node(s, none);
  }
  switch (n->kind) {
  case A_NUM: n->type = VT_NUM; return n;
  case A_STR: n->type = VT_STR; return n;
  case A_DATE: n->type = VT_DATE; return n;
  case A_DUR: n->type = VT_DUR; return n;
  case A_BOOL: n->type = VT_BOOL; return n;
  case A_NULL: n->type = VT_NULL; return n;
  case A_ARGREF: case A_COL: case A_PARAM: return n;
  case A_ASOF: n->type = VT_DATE; return n;
  case A_STALE:
    if (sc->kind != CX_RULE || sc->source < 0) {
      cc_error(c, n->loc, DIAG_E_CONTEXT, "'stale' describes a rule's current row; it cannot be used %s",
               sc->kind == CX_WHERE || sc->kind == CX_ROLLUP ? row_local(sc) : "in a def");
      return null_node(s, n->loc);
    }
    if (s->pk.sources[sc->source].every < 0) {
      cc_error(c, n->loc, DIAG_E_STALE, "'stale' needs the source's cadence: add 'every DURATION' to source %s",
               s->pk.sources[sc->source].name);
      cc_note(c, s->pk.sources[sc->source].decl->name_loc, "source %s is declared here", s->pk.sources[sc->source].name);
    }
    n->type = VT_BOOL;
    return n;
  case A_NAME: return check_name(s, sc, n);
  case A_NEG: {
    ast *a = check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    if (known(a->type) && a->type != VT_NUM && a->type != VT_DUR)
      cc_error(c, n->loc, DIAG_E_TYPE, "cannot negate a %s", type_name(a->type));
    n->type = a->type == VT_NULL ? T_ANY : a->type;
    return n;
  }
  case A_NOT: {
    ast *a = check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    want_bool(s, a, "the operand of 'not'");
    n->type = VT_BOOL;
    return n;
  }
  case A_BIN: {
    ast *a = check(s, sc, n->a), *b = check(s, sc, n->b);
    if (!a || !b) return NULL;
    n->a = a; n->b = b;
    if (n->op == BIN_AND || n->op == BIN_OR) {
      want_bool(s, a, n->op == BIN_AND ? "each side of 'and'" : "each side of 'or'");
      want_bool(s, b, n->op == BIN_AND ? "each side of 'and'" : "each side of 'or'");
      n->type = VT_BOOL;
    } else if (n->op >= BIN_EQ) {
      if (!comparable(a->type, b->type))
        cc_error(c, n->loc, DIAG_E_TYPE, "cannot compare a %s with a %s", type_name(a->type), type_name(b->type));
      else if (n->op >= BIN_LT && a->type == VT_BOOL)
        cc_error(c, n->loc, DIAG_E_TYPE, "booleans can be compared with = and != only");
      n->type = VT_BOOL;
    } else {
      int t = arith_type(n->op, a->type, b->type);
      if (t < 0) {
        cc_error(c, n->loc, DIAG_E_TYPE, "cannot apply '%s' to a %s and a %s", op_text(n->op), type_name(a->type), type_name(b->type));
        t = T_ANY;
      }
      n->type = (uint8_t)t;
    }
    return n;
  }
  case A_ISNULL: {
    ast *a = check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    n->type = VT_BOOL;
    return n;
  }
  case A_IN: {
    if (count_args(n->b) > VG_MAX_LIST) {
      cc_limit(c, n->loc, "too many values in an 'in' list (at most %d)", VG_MAX_LIST);
      return NULL;
    }
    ast *a = check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    ast_list out = {NULL, NULL};
    for (ast *e = n->b; e;) {
      ast *next = e->next;
      ast *ce = check(s, sc, e);
      if (!ce) return NULL;
      if (!comparable(a->type, ce->type))
        cc_error(c, ce->loc, DIAG_E_TYPE, "cannot compare a %s with a %s", type_name(a->type), type_name(ce->type));
      ast_append(&out, listed(s, ce));
      e = next;
    }
    n->b = out.head;
    n->type = VT_BOOL;
    return n;
  }
  case A_BETWEEN: {
    ast *a = check(s, sc, n->a), *lo = check(s, sc, n->b), *hi = check(s, sc, n->c);
    if (!a || !lo || !hi) return NULL;
    n->a = a; n->b = lo; n->c = hi;
    if (!comparable(a->type, lo->type) || !comparable(a->type, hi->type) || !comparable(lo->type, hi->type))
      cc_error(c, n->loc, DIAG_E_TYPE, "between needs values of one type: a %s between a %s and a %s",
               type_name(a->type), type_name(lo->type), type_name(hi->type));
    else if (a->type == VT_BOOL || lo->type == VT_BOOL || hi->type == VT_BOOL)
      cc_error(c, n->loc, DIAG_E_TYPE, "booleans can be compared with = and != only");
    n->type = VT_BOOL;
    return n;
  }
  case A_IF: {
    /* SQL's CASE WHEN: a condition that is false or null takes the else */
    ast *cond = check(s, sc, n->a), *yes = check(s, sc, n->b), *no = check(s, sc, n->c);
    if (!cond || !yes || !no) return NULL;
    n->a = cond; n->b = yes; n->c = no;
    want_bool(s, cond, "the condition of 'if'");
    if (!comparable(yes->type, no->type))
      cc_error(c, n->loc, DIAG_E_TYPE, "the two branches of 'if' must have one type: 'then' gives a %s, 'else' a %s",
               type_name(yes->type), type_name(no->type));
    n->type = known(yes->type) ? yes->type : known(no->type) ? no->type : T_ANY;
    return n;
  }
  case A_CALL: return check_call(s, sc, n);
  case A_LOOKUP: return check_lookup(s, sc, n);
  case A_WINDOW:
    cc_error(c, n->loc, DIAG_E_WINDOW, "a window can only be an argument of a window function (sum, avg, min, max, count, all, any)");
    return null_node(s, n->loc);
  case A_FMT: {
    ast *a = check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    if (n->ival != LIB_FMT_DEFAULT && known(a->type) && a->type != VT_NUM)
      cc_error(c, n->loc, DIAG_E_TYPE, "format '%s' needs a number, not a %s", n->ival == LIB_FMT_PCT ? "pct" : "N", type_name(a->type));
    n->type = VT_STR;
    return n;
  }
  default:
    cc_error(c, n->loc, DIAG_E_INTERNAL, "unexpected node in an expression");
    return null_node(s, n->loc);
  }
}

/* ---- declarations ----------------------------------------------------------- */

static val literal_value(sema *s, const ast *lit) {
  switch (lit->kind) {
  case A_NUM: return val_num(lit->num);
  case A_DUR: return val_dur(lit->num);
  case A_DATE: return val_date(lit->date);
  case A_BOOL: return val_bool(lit->num != 0);
  case A_STR: return val_str(lit->str, lit->len);
  default: (void)s; return val_null();
  }
}

/* ---- defs: cycles, depth and size, measured once ------------------------------ */

/* A call of a def met in a def's body (in the order check() meets them);
** skip: the index after the calls inside its arguments. */
typedef struct def_call {
  int callee;
  const ast *call;
  int skip;
} def_call;

typedef struct call_buf {
  def_call *v;
  int n, cap;
} call_buf;

/* Appends the calls of defs in n to b and counts n's nodes (as ast_clone
** copies them) into *nodes.  Recursion: the height of a parsed tree
** (VG_MAX_DEPTH).  Returns 0, or -1 when out of memory. */
static int body_calls(sema *s, const ast *n, call_buf *b, uint64_t *nodes) {
  if (!n) return 0;
  (*nodes)++;
  int at = -1;
  if (n->kind == A_CALL && find_def(s, n->name) >= 0) {
    if (b->n == b->cap) {
      int ncap = b->cap ? b->cap * 2 : 64;
      def_call *nv = vg_realloc(b->v, (size_t)ncap * sizeof *nv);
      if (!nv) return -1;
      b->v = nv;
      b->cap = ncap;
    }
    at = b->n++;
    b->v[at].callee = find_def(s, n->name);
    b->v[at].call = n;
  }
  int list_a = n->kind == A_CALL, list_b = n->kind == A_IN;
  for (const ast *k = n->a; k; k = list_a ? k->next : NULL)
    if (body_calls(s, k, b, nodes) != 0) return -1;
  for (const ast *k = n->b; k; k = list_b ? k->next : NULL)
    if (body_calls(s, k, b, nodes) != 0) return -1;
  if (body_calls(s, n->c, b, nodes) != 0) return -1;
  if (at >= 0) b->v[at].skip = b->n;
  return 0;
}

/* Adds the inlined size of n, counted mult times, to d's measure f: a
** parameter adds to its uses (its argument's tree is counted there), a call
** of a measured def adds that def's size with these arguments.  This is the
** size check() gives the tree (prev drops its count; a def with errors is
** a null).  Recursion: the height of the parsed body. */
static void size_walk(sema *s, def_info *f, const nmap *params, const ast *n, uint64_t mult) {
  if (!n || !mult) return;
  switch (n->kind) {
  case A_NAME: {
    int32_t i = nmap_find(params, n->name);
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
      for (const ast *a = n->a; a; a = a->next, j++) size_walk(s, f, params, a, sat_mul64(mult, g->uses[j]));
      return;
    }
    f->base = sat_add64(f->base, mult);
    if (strcmp(n->name, "prev") == 0) { size_walk(s, f, params, n->a, mult); return; }
    for (const ast *a = n->a; a; a = a->next) size_walk(s, f, params, a, mult);
    return;
  }
  case A_IN:
    f->base = sat_add64(f->base, mult);
    size_walk(s, f, params, n->a, mult);
    for (const ast *a = n->b; a; a = a->next) size_walk(s, f, params, a, mult);
    return;
  default:
    f->base = sat_add64(f->base, mult);
    size_walk(s, f, params, n->a, mult);
    size_walk(s, f, params, n->b, mult);
    size_walk(s, f, params, n->c, mult);
  }
}

/* Def d's measure, once the defs it calls are measured.  Returns 0 or -1
** (out of memory). */
static int def_info_of(sema *s, int d, const def_call *calls, int ncalls, uint64_t nodes, nmap *params) {
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
  nmap_reset(params);
  int i = 0;
  for (const ast *p = def->b; p; p = p->next, i++) nmap_add(params, p->name, i);
  size_walk(s, f, params, def->a, 1);
  return 0;
}

/* Checks the calls between defs once, without recursion (a chain of calls
** can be as long as there are defs): a def that calls itself, directly or
** not, is E-recursion (state 3, as is every def that calls it); a chain of
** calls deeper than VG_MAX_DEPTH is E-limit at the call that makes it so.
** Then measures each good def (def_info) for inline_def. */
static void def_measure(sema *s) {
  cc *c = s->c;
  int nd = s->ndefs;
  if (!nd) return;
  call_buf b = {NULL, 0, 0};
  int *off = vg_arena_alloc(&c->arena, (size_t)(nd + 1) * sizeof *off);
  uint64_t *nodes = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *nodes);
  int *stk = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *stk);
  int *pos = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *pos);
  uint8_t *bad = vg_arena_alloc(&c->arena, (size_t)nd);
  s->dinfo = vg_arena_alloc(&c->arena, (size_t)nd * sizeof *s->dinfo);
  nmap params;
  if (!off || !nodes || !stk || !pos || !bad || !s->dinfo || nmap_init_reusable(c, &params, VG_MAX_LIST) != 0) {
    c->oom = 1;
    return;
  }
  for (int d = 0; d < nd; d++) {
    off[d] = b.n;
    if (body_calls(s, s->defs[d]->a, &b, &nodes[d]) != 0) { c->oom = 1; goto done; }
  }
  off[nd] = b.n;
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
      if (def_info_of(s, d, b.v ? b.v + off[d] : NULL, off[d + 1] - off[d], nodes[d], &params) != 0) goto done;
      s->dinfo[d].height = h + 1;
      if (h + 1 > VG_MAX_DEPTH) {
        cc_limit(c, deepest->call->loc, "defs nested deeper than %d calls", VG_MAX_DEPTH);
        goto done;
      }
    }
  }
done:
  vg_free(b.v);
}

/* org { table T person P manager M [name N] }: the table that routes and
** manager() climb (read whole at run time: the org chart as it is now). */
static void check_org(sema *s) {
  cc *c = s->c;
  sm_pack *pk = &s->pk;
  static const char *fields[] = {"table", "person", "manager", "name"};
  ast *seen[4] = {NULL, NULL, NULL, NULL};
  for (ast *f = pk->org->b; f; f = f->next) {
    int k = -1;
    for (int i = 0; i < 4; i++)
      if (strcmp(f->name, fields[i]) == 0) k = i;
    if (k < 0) {
      cc_error(c, f->name_loc, DIAG_E_ORG, "unknown org field '%s' (expected table, person, manager or name)", f->name);
      continue;
    }
    if (seen[k]) {
      cc_error(c, f->name_loc, DIAG_E_DUPLICATE, "'%s' is given twice in the org", f->name);
      continue;
    }
    if (!f->a || f->a->kind != A_NAME) {
      cc_error(c, f->a ? f->a->loc : f->loc, DIAG_E_ORG, "'%s' takes a name (backquote a name that is not a plain identifier)", f->name);
      continue;
    }
    seen[k] = f;
  }
  for (int k = 0; k < 3; k++)
    if (!seen[k]) {
      cc_error(c, pk->org->name_loc, DIAG_E_ORG, "the org has no '%s' (it needs table, person and manager)", fields[k]);
      return;
    }
  pk->org_table = seen[0]->a->name;
  pk->org_person = seen[1]->a->name;
  pk->org_manager = seen[2]->a->name;
  pk->org_name = seen[3] ? seen[3]->a->name : NULL;
  if (strcmp(pk->org_person, pk->org_manager) == 0) {
    cc_error(c, seen[2]->a->loc, DIAG_E_ORG, "the person and the manager of the org must be different columns");
    return;
  }
  if (!c->has_schema) return;
  const cc_table *t = schema_table(c, pk->org_table);
  if (!t) {
    cc_error(c, seen[0]->a->loc, DIAG_E_UNKNOWN_TABLE, "the schema has no table '%s'", pk->org_table);
    return;
  }
  pk->org_table = t->name;
  int types[4] = {-1, -1, -1, -1};
  for (int k = 1; k < 4; k++) {
    if (!seen[k]) continue;
    for (int i = 0; i < t->ncols; i++)
      if (strcmp(t->cols[i].name, seen[k]->a->name) == 0) types[k] = t->cols[i].type;
    if (types[k] < 0) {
      cc_error(c, seen[k]->a->loc, DIAG_E_UNKNOWN_COLUMN, "table %s has no column '%s'", t->name, seen[k]->a->name);
      lint_suggester g = {seen[k]->a->name, NULL, 0};
      for (int i = 0; i < t->ncols; i++) lint_suggest(&g, t->cols[i].name);
      lint_note(c, seen[k]->a->loc, &g);
    }
  }
  if (types[1] >= 0 && types[2] >= 0 && known(types[1]) && known(types[2]) && types[1] != types[2])
    cc_error(c, seen[2]->a->loc, DIAG_E_TYPE, "the manager column '%s' is a %s and the person column '%s' a %s: they must name people alike",
             pk->org_manager, type_name(types[2]), pk->org_person, type_name(types[1]));
}

static void collect(sema *s, const char *default_pack) {
  cc *c = s->c;
  sm_pack *pk = &s->pk;
  ast *pack = NULL, *tiers = NULL;
  int np = 0, nd = 0, ns = 0, nr = 0;
  pk->escalate = -1;
  s->fiscal_month = 1;
  for (ast *d = c->decls.head; d; d = d->next) {
    switch (d->kind) {
    case D_PACK:
      if (pack && strcmp(pack->name, d->name) != 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "a pack has one name; this says '%s', an earlier line '%s'", d->name, pack->name);
        cc_note(c, pack->loc, "the pack is named here");
      } else if (!pack) pack = d;
      break;
    case D_ESCALATE:
      if (pk->escalate >= 0) cc_error(c, d->loc, DIAG_E_DUPLICATE, "a pack has one 'escalate after'");
      pk->escalate = d->num;
      break;
    case D_TIERS:
      if (tiers) {
        cc_error(c, d->loc, DIAG_E_DUPLICATE, "a pack has one 'tiers' line");
        cc_note(c, tiers->loc, "the tiers are declared here");
      } else tiers = d;
      break;
    case D_FISCAL:
      if (s->fiscal) {
        cc_error(c, d->loc, DIAG_E_DUPLICATE, "a pack has one 'fiscal year starts'");
        cc_note(c, s->fiscal->loc, "the fiscal year is declared here");
      } else {
        int m = sema_fiscal_month(c, d);
        s->fiscal = d;
        s->fiscal_month = m ? m : 1;
      }
      break;
    case D_ORG:
      if (pk->org) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "a pack has one 'org'");
        cc_note(c, pk->org->name_loc, "the org is declared here");
      } else pk->org = d;
      break;
    case D_PARAM: np++; break;
    case D_DEF: nd++; break;
    case D_SOURCE: case D_ROLLUP: ns++; break;
    case D_RULE: nr++; break;
    }
  }
  pk->name = pack ? pack->name : default_pack;
  pk->title = pack && pack->str ? pack->str : "";
  if (tiers && count_args(tiers->a) > VG_MAX_ITEMS) {
    cc_limit(c, tiers->loc, "too many tiers (at most %d)", VG_MAX_ITEMS);
    return;
  }
  if (np > VG_MAX_ITEMS || nd > VG_MAX_ITEMS || ns > VG_MAX_ITEMS || nr > VG_MAX_ITEMS) {
    cc_limit_plain(c, "too many declarations in one pack (at most %d of each kind)", VG_MAX_ITEMS);
    return;
  }
  if (tiers) {
    int n = count_args(tiers->a);
    pk->tiers = vg_arena_alloc(&c->arena, (size_t)n * sizeof *pk->tiers);
    if (!pk->tiers || nmap_init(c, &s->tiers, (size_t)n) != 0) { c->oom = 1; return; }
    for (ast *t = tiers->a; t; t = t->next) {
      if (find_tier(s, t->name) >= 0) cc_error(c, t->loc, DIAG_E_DUPLICATE, "tier '%s' is listed twice", t->name);
      else if (strcmp(t->name, "clear") == 0) cc_error(c, t->loc, DIAG_E_DUPLICATE, "'clear' cannot be a tier: 'clear when' is a rule's clear condition");
      else {
        nmap_add(&s->tiers, t->name, pk->ntiers);
        pk->tiers[pk->ntiers++] = t->name;
      }
    }
  } else {
    static const char *dflt[] = {"yellow", "orange", "red"};
    pk->tiers = dflt;
    pk->ntiers = 3;
    if (nmap_init(c, &s->tiers, 3) != 0) return;
    for (int i = 0; i < 3; i++) nmap_add(&s->tiers, dflt[i], i);
  }
  pk->routes = vg_arena_alloc(&c->arena, (size_t)pk->ntiers + 1);
  s->tier_rule = vg_arena_alloc(&c->arena, ((size_t)pk->ntiers + 1) * sizeof *s->tier_rule);
  s->tier_clause = vg_arena_alloc(&c->arena, ((size_t)pk->ntiers + 1) * sizeof *s->tier_clause);
  if (!pk->routes || !s->tier_rule || !s->tier_clause) { c->oom = 1; return; }
  memset(pk->routes, 0, (size_t)pk->ntiers + 1);
  if (pk->org) check_org(s);
  uint8_t *routed = vg_arena_alloc(&c->arena, (size_t)pk->ntiers + 1);
  if (!routed) { c->oom = 1; return; }
  memset(routed, 0, (size_t)pk->ntiers + 1);
  for (ast *d = c->decls.head; d; d = d->next) {
    if (d->kind != D_ROUTE) continue;
    if (!pk->org && !c->syntax_errors)
      cc_error(c, d->loc, DIAG_E_ROUTE, "'route' climbs the org chart: declare it first with 'org { table T person P manager M }'");
    for (ast *t = d->a; t; t = t->next) {
      int ti = find_tier(s, t->name);
      if (ti < 0) {
        cc_error(c, t->loc, DIAG_E_UNKNOWN_TIER, "unknown tier '%s' in a route", t->name);
        lint_suggester g = {t->name, NULL, 0};
        for (int i = 0; i < pk->ntiers && shown(c); i++) lint_suggest(&g, pk->tiers[i]);
        lint_note(c, t->loc, &g);
      } else if (routed[ti]) {
        cc_error(c, t->loc, DIAG_E_DUPLICATE, "tier '%s' is routed twice", t->name);
      } else {
        routed[ti] = 1;
        pk->routes[ti] = d->num >= 0 && d->num <= VG_MAX_ROUTE ? (uint8_t)d->num : 0;
      }
    }
  }
  pk->params = vg_arena_alloc(&c->arena, (size_t)(np + 1) * sizeof *pk->params);
  s->defs = vg_arena_alloc(&c->arena, (size_t)(nd + 1) * sizeof *s->defs);
  s->def_state = vg_arena_alloc(&c->arena, (size_t)(nd + 1));
  s->def_used = vg_arena_alloc(&c->arena, (size_t)(nd + 1));
  pk->sources = vg_arena_alloc(&c->arena, (size_t)(ns + 1) * sizeof *pk->sources);
  pk->rules = vg_arena_alloc(&c->arena, (size_t)(nr + 1) * sizeof *pk->rules);
  if (!pk->params || !s->defs || !s->def_state || !s->def_used || !pk->sources || !pk->rules) { c->oom = 1; return; }
  nmap rules, dparams;
  if (nmap_init(c, &s->params, (size_t)np) != 0 || nmap_init(c, &s->defmap, (size_t)nd) != 0 ||
      nmap_init(c, &s->sources, (size_t)ns) != 0 || nmap_init(c, &rules, (size_t)nr) != 0 ||
      nmap_init_reusable(c, &dparams, VG_MAX_LIST) != 0)
    return;
  for (ast *d = c->decls.head; d; d = d->next) {
    if (d->kind == D_PARAM) {
      int prev = nmap_add(&s->params, d->name, pk->nparams);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "param '%s' is declared twice", d->name);
        cc_note(c, pk->params[prev].decl->name_loc, "first declared here");
        continue;
      }
      sm_param *p = &pk->params[pk->nparams++];
      p->decl = d;
      p->name = d->name;
      p->over = -1;
      p->value = d->a ? literal_value(s, d->a) : val_null();
      if (p->value.t == VT_NULL)
        cc_error(c, d->a ? d->a->loc : d->loc, DIAG_E_TYPE, "param '%s' needs a value that is not null (its type comes from it)", d->name);
    } else if (d->kind == D_DEF) {
      if (fn_scalar_find(d->name) >= 0 || window_fn(d->name) != WF_NONE) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "def '%s' has the name of a built-in function", d->name);
        continue;
      }
      int prev = nmap_add(&s->defmap, d->name, s->ndefs);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "def '%s' is declared twice", d->name);
        cc_note(c, s->defs[prev]->name_loc, "first declared here");
        continue;
      }
      if (count_args(d->b) > VG_MAX_LIST) {
        cc_limit(c, d->name_loc, "def %s has too many parameters (%d; at most %d)", d->name, count_args(d->b), VG_MAX_LIST);
        return;
      }
      nmap_reset(&dparams);
      for (ast *p = d->b; p; p = p->next)
        if (nmap_add(&dparams, p->name, 0) >= 0) cc_error(c, p->loc, DIAG_E_DUPLICATE, "parameter '%s' is listed twice", p->name);
      s->defs[s->ndefs++] = d;
    } else if (d->kind == D_SOURCE || d->kind == D_ROLLUP) {
      int prev = nmap_add(&s->sources, d->name, pk->nsources);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "source '%s' is declared twice", d->name);
        cc_note(c, pk->sources[prev].decl->name_loc, "first declared here");
        continue;
      }
      sm_source *so = &pk->sources[pk->nsources++];
      memset(so, 0, sizeof *so);
      so->decl = d;
      so->name = d->name;
      so->every = -1;
      so->rollup = d->kind == D_ROLLUP ? d : NULL;
      so->member = -1;
      so->horizon = -1;
    } else if (d->kind == D_RULE) {
      int prev = nmap_add(&rules, d->name, pk->nrules);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "rule '%s' is declared twice", d->name);
        cc_note(c, pk->rules[prev].decl->name_loc, "first declared here");
        continue;
      }
      sm_rule *r = &pk->rules[pk->nrules++];
      memset(r, 0, sizeof *r);
      r->decl = d;
      r->name = d->name;
      r->escalate = -1;
    }
  }
}

/* The fields of a source: table, key, time, every, where. */
static void check_source(sema *s, int si) {
  cc *c = s->c;
  sm_source *so = &s->pk.sources[si];
  ast *key = NULL, *time = NULL, *where = NULL;
  ast *seen[5] = {NULL, NULL, NULL, NULL, NULL};
  static const char *fields[] = {"table", "key", "time", "every", "where"};
  for (ast *f = so->decl->b; f; f = f->next) {
    int k = -1;
    for (int i = 0; i < 5; i++)
      if (strcmp(f->name, fields[i]) == 0) k = i;
    if (k < 0) {
      cc_error(c, f->name_loc, DIAG_E_SOURCE_FIELD, "unknown source field '%s' (expected table, key, time, every or where)", f->name);
      continue;
    }
    if (seen[k]) {
      cc_error(c, f->name_loc, DIAG_E_DUPLICATE, "'%s' is given twice in source %s", f->name, so->name);
      continue;
    }
    seen[k] = f;
    if (k <= 2 && (!f->a || f->a->kind != A_NAME)) {
      cc_error(c, f->a ? f->a->loc : f->loc, DIAG_E_SOURCE_FIELD, "'%s' takes a name (backquote a name that is not a plain identifier)", f->name);
      continue;
    }
    switch (k) {
    case 0: so->table = f->a->name; break;
    case 1: key = f->a; break;
    case 2: time = f->a; break;
    case 3:
      if (!f->a || f->a->kind != A_DUR || f->a->num <= 0)
        cc_error(c, f->a ? f->a->loc : f->loc, DIAG_E_SOURCE_FIELD, "'every' takes a positive duration, e.g. 'every 2 weeks'");
      else so->every = f->a->num;
      break;
    case 4: where = f->a; break;
    }
  }
  int no_table = !so->table;
  if (no_table) { cc_error(c, so->decl->name_loc, DIAG_E_SOURCE_FIELD, "source %s has no 'table'", so->name); so->table = so->name; }
  if (!key) cc_error(c, so->decl->name_loc, DIAG_E_SOURCE_FIELD, "source %s has no 'key' (the column that names the entity)", so->name);
  if (!time) cc_error(c, so->decl->name_loc, DIAG_E_SOURCE_FIELD, "source %s has no 'time' (the column that orders its rows)", so->name);
  if (key && time && strcmp(key->name, time->name) == 0) {
    cc_error(c, time->loc, DIAG_E_SOURCE_FIELD, "the key and the time of source %s must be different columns", so->name);
    return;
  }
  if (c->has_schema) {
    so->schema = schema_table(c, so->table);
    if (!so->schema) {
      if (!no_table)
        cc_error(c, seen[0] ? seen[0]->a->loc : so->decl->name_loc, DIAG_E_UNKNOWN_TABLE, "the schema has no table '%s'", so->table);
      return;
    }
    so->table = so->schema->name;
  }
  if (!key || !time) return;
  /* the key and the time are always columns 0 and 1 */
  if (key && source_column(s, si, key->name) != 0) {
    cc_error(c, key->loc, DIAG_E_UNKNOWN_COLUMN, "table %s has no column '%s'", so->table, key->name);
    return;
  }
  if (time && source_column(s, si, time->name) != 1) {
    cc_error(c, time->loc, DIAG_E_UNKNOWN_COLUMN, "table %s has no column '%s'", so->table, time->name);
    return;
  }
  if (known(so->types[1]) && so->types[1] != VT_DATE)
    cc_error(c, time->loc, DIAG_E_TYPE, "the time column '%s' is declared as a %s; declare it DATE (ISO text YYYY-MM-DD)",
             time->name, type_name(so->types[1]));
  so->types[1] = VT_DATE;
  if (where) {
    scope sc = {.kind = CX_WHERE, .source = si};
    so->where = check_top(s, &sc, where);
    want_bool(s, so->where, "a source's where");
  }
}

/* `for D` (a clause's num, in days) counts calendar time: it needs the
** source's cadence to tell a missing snapshot. */
static void check_for_days(sema *s, const ast *cl, const sm_source *so) {
  if (cl->num <= 0 || so->every > 0) return;
  cc_error(s->c, cl->c ? cl->c->loc : cl->loc, DIAG_E_CADENCE,
           "'for' a duration counts calendar time and needs the cadence of source %s to tell a missing snapshot: "
           "add 'every DURATION' to it (or count rows: 'for N snapshots')", so->name);
  cc_note(s->c, so->decl->name_loc, "source %s is declared here", so->name);
}

/* ---- rollups ---------------------------------------------------------------- */

static const char *const rc_names[RC__COUNT] = {"members", "reporting", "sum", "avg", "min", "max", "count", "share"};

/* Add a column to a rollup's synthetic table. */
static int rollup_table_col(sema *s, cc_table *t, int *cap, const char *name, uint8_t type) {
  if (t->ncols == *cap) {
    int ncap = *cap ? *cap * 2 : 8;
    cc_column *nc = vg_arena_alloc(&s->c->arena, (size_t)ncap * sizeof *nc);
    if (!nc) { s->c->oom = 1; return -1; }
    if (t->ncols) memcpy(nc, t->cols, (size_t)t->ncols * sizeof *nc);
    t->cols = nc;
    *cap = ncap;
  }
  t->cols[t->ncols].name = name;
  t->cols[t->ncols].type = type;
  t->ncols++;
  return 0;
}

/* rollup NAME from MEMBER by GROUP { every D  horizon D  COLUMN = AGG(x) ... }:
** a source whose key is GROUP's value and whose row at time t aggregates, over
** the member keys whose latest row on or before t names that group, the
** declared expressions of those latest rows.  Its table is a temporary one
** the runtime fills before the rules run; here it gets a synthetic schema
** [GROUP, MEMBER's time, members, reporting, COLUMN...] so that rules,
** windows, lookups and routes read it like any source. */
static void check_rollup(sema *s, int si) {
  cc *c = s->c;
  sm_source *so = &s->pk.sources[si];
  ast *d = so->rollup;
  ast *mem = d->a, *grp = d->c;
  if (!mem || !grp) return; /* a syntax error, reported */
  int mi = find_source(s, mem->name);
  if (mi < 0) {
    cc_error(c, mem->loc, DIAG_E_UNKNOWN_SOURCE, "unknown source '%s' (a rollup's members are the rows of a source)", mem->name);
    lint_suggester g = {mem->name, NULL, 0};
    for (int i = 0; i < s->pk.nsources; i++) lint_suggest(&g, s->pk.sources[i].name);
    lint_note(c, mem->loc, &g);
    return;
  }
  sm_source *ms = &s->pk.sources[mi];
  if (ms->rollup) {
    cc_error(c, mem->loc, DIAG_E_ROLLUP, "source %s is a rollup itself; a rollup's members are the rows of a plain source", ms->name);
    return;
  }
  ms->used = 1;
  so->member = mi;
  if (ms->ncols < 2) return; /* the member source has errors, reported */
  int gc = source_column(s, mi, grp->name);
  if (gc < 0) {
    if (ms->schema) {
      cc_error(c, grp->loc, DIAG_E_UNKNOWN_COLUMN, "table %s (source %s) has no column '%s' to group by", ms->table, ms->name,
               grp->name);
      lint_suggester g = {grp->name, NULL, 0};
      for (int i = 0; i < ms->schema->ncols; i++) lint_suggest(&g, ms->schema->cols[i].name);
      lint_note(c, grp->loc, &g);
    }
    return;
  }
  if (gc == 1) {
    cc_error(c, grp->loc, DIAG_E_ROLLUP, "a rollup groups by a column that names the group, not by the time column '%s'", grp->name);
    return;
  }
  so->group_col = gc;
  so->every = ms->every; /* the members' cadence unless the rollup says otherwise */
  cc_table *t = vg_arena_alloc(&c->arena, sizeof *t);
  if (!t) { c->oom = 1; return; }
  int cap = 0;
  if (rollup_table_col(s, t, &cap, ms->cols[gc], ms->types[gc]) || rollup_table_col(s, t, &cap, ms->cols[1], VT_DATE) ||
      rollup_table_col(s, t, &cap, "members", VT_NUM) || rollup_table_col(s, t, &cap, "reporting", VT_NUM))
    return;
  int nitems = 0;
  for (ast *it = d->b; it; it = it->next) nitems++;
  so->rcols = vg_arena_alloc(&c->arena, (size_t)(nitems + 2) * sizeof *so->rcols);
  if (!so->rcols) { c->oom = 1; return; }
  so->rcols[0] = (sm_rcol){"members", VT_NUM, RC_MEMBERS, NULL};
  so->rcols[1] = (sm_rcol){"reporting", VT_NUM, RC_REPORTING, NULL};
  so->nrcols = 2;
  ast *every = NULL, *horizon = NULL;
  for (ast *it = d->b; it; it = it->next) {
    if (it->kind == D_FIELD) {
      ast **slot = strcmp(it->name, "every") == 0 ? &every : strcmp(it->name, "horizon") == 0 ? &horizon : NULL;
      if (!slot) {
        cc_error(c, it->name_loc, DIAG_E_ROLLUP, "unknown rollup field '%s' (expected every, horizon, or a column: NAME = sum(x))",
                 it->name);
        continue;
      }
      if (*slot) {
        cc_error(c, it->name_loc, DIAG_E_DUPLICATE, "'%s' is given twice in rollup %s", it->name, so->name);
        continue;
      }
      *slot = it;
      if (!it->a || it->a->kind != A_DUR || it->a->num <= 0) {
        cc_error(c, it->a ? it->a->loc : it->loc, DIAG_E_ROLLUP, "'%s' takes a positive duration, e.g. '%s 4 weeks'", it->name,
                 it->name);
        continue;
      }
      if (slot == &every) so->every = it->a->num;
      else so->horizon = it->a->num;
      continue;
    }
    /* NAME = AGG(x) */
    int clash = 0;
    for (int k = 0; k < t->ncols; k++) clash |= strcmp(t->cols[k].name, it->name) == 0;
    if (clash) {
      cc_error(c, it->name_loc, DIAG_E_DUPLICATE, "rollup %s already has a column '%s' (its columns are %s, %s, members, "
               "reporting and the ones it declares)", so->name, it->name, ms->cols[gc], ms->cols[1]);
      continue;
    }
    ast *call = it->a;
    int agg = -1;
    if (call && call->kind == A_CALL)
      for (int k = RC_SUM; k < RC__COUNT; k++)
        if (strcmp(call->name, rc_names[k]) == 0) agg = k;
    if (agg < 0 || count_args(call->a) != 1 || call->a->kind == A_WINDOW) {
      cc_error(c, call ? call->loc : it->loc, DIAG_E_ROLLUP,
               "a rollup column is one aggregate of the members' rows: sum(x), avg(x), min(x), max(x), count(cond) "
               "or share(cond)");
      continue;
    }
    scope sc = {.kind = CX_ROLLUP, .source = mi};
    ast *x = check(s, &sc, call->a);
    if (!x) return;
    uint8_t type = VT_NUM;
    switch (agg) {
    case RC_SUM: case RC_AVG:
      if (known(x->type) && x->type != VT_NUM)
        cc_error(c, x->loc, DIAG_E_TYPE, "%s in a rollup needs numbers, not a %s%s", call->name, type_name(x->type),
                 x->type == VT_DUR ? " (use days(...))" : "");
      break;
    case RC_MIN: case RC_MAX:
      if (known(x->type) && x->type != VT_NUM && x->type != VT_DATE && x->type != VT_STR)
        cc_error(c, x->loc, DIAG_E_TYPE, "%s in a rollup takes numbers, dates or text, not a %s%s", call->name,
                 type_name(x->type), x->type == VT_DUR ? " (use days(...))" : "");
      type = x->type == VT_NULL ? T_ANY : x->type;
      break;
    default: /* count, share */
      want_bool(s, x, agg == RC_COUNT ? "the argument of count" : "the argument of share");
      break;
    }
    so->rcols[so->nrcols++] = (sm_rcol){it->name, type, (uint8_t)agg, x};
    if (rollup_table_col(s, t, &cap, it->name, type)) return;
  }
  char *tname = vg_arena_alloc(&c->arena, strlen(s->pk.name) + strlen(so->name) + 16);
  if (!tname) { c->oom = 1; return; }
  sprintf(tname, "vigil rollup %s.%s", s->pk.name, so->name);
  t->name = tname;
  so->table = tname;
  so->schema = t;
  if (c->has_schema && schema_table(c, tname)) {
    cc_error(c, d->name_loc, DIAG_E_ROLLUP, "the schema has a table named '%s', the name Vigil gives rollup %s's rows", tname,
             so->name);
    return;
  }
  /* the key and the time are columns 0 and 1, as for every source */
  if (source_column(s, si, ms->cols[gc]) != 0 || source_column(s, si, ms->cols[1]) != 1) {
    cc_internal_error(c, "internal error: rollup %s: its key and time are not columns 0 and 1", so->name);
    return;
  }
  so->types[1] = VT_DATE;
}

static int cmp_clause_tier(const void *x, const void *y) {
  int a = (*(ast *const *)x)->ref, b = (*(ast *const *)y)->ref;
  return (a > b) - (a < b);
}

static void check_rule(sema *s, int ri) {
  cc *c = s->c;
  sm_rule *r = &s->pk.rules[ri];
  ast *on = r->decl->a;
  r->source = on ? find_source(s, on->name) : -1;
  if (r->source < 0) {
    if (on) {
      cc_error(c, on->loc, DIAG_E_UNKNOWN_SOURCE, "unknown source '%s'", on->name);
      lint_suggester g = {on->name, NULL, 0};
      if (shown(c))
        for (int i = 0; i < s->pk.nsources && shown(c); i++) lint_suggest(&g, s->pk.sources[i].name);
      lint_note(c, on->loc, &g);
    }
    return;
  }
  sm_source *so = &s->pk.sources[r->source];
  so->used = 1;
  if (so->ncols < 2) return; /* the source itself has errors */
  /* counted first: a rule past the let limit is refused before any is checked */
  int nlets = 0, nitems = 0;
  for (ast *it = r->decl->b; it; it = it->next) {
    nitems += it->kind == D_CLAUSE;
    if (it->kind == D_LET && ++nlets > VG_MAX_LETS) {
      cc_limit(c, it->name_loc, "rule %s has too many lets (at most %d)", r->name, VG_MAX_LETS);
      return;
    }
  }
  /* the clauses, sorted by tier once collected (a rule holds one per tier
  ** it uses, not an entry for every tier of the pack) */
  r->clauses = vg_arena_alloc(&c->arena, (size_t)(nitems ? nitems : 1) * sizeof *r->clauses);
  if (!r->clauses) { c->oom = 1; return; }
  /* the lets by name, in a table reused from rule to rule */
  if (!s->lets.keys && nmap_init_reusable(c, &s->lets, VG_MAX_LETS) != 0) return;
  if (!s->let_at && !(s->let_at = vg_arena_alloc(&c->arena, VG_MAX_LETS * sizeof *s->let_at))) { c->oom = 1; return; }
  nmap_reset(&s->lets);
  ast_list lets = {NULL, NULL};
  int nlet = 0;
  ast *msg_decl = NULL, *notify_decl = NULL;
  for (ast *it = r->decl->b; it && !c->stopped && !c->oom;) {
    ast *next = it->next;
    scope sc = {.kind = CX_RULE, .source = r->source, .lets = lets.head, .letmap = &s->lets, .let_at = s->let_at};
    switch (it->kind) {
    case D_LET: {
      if (nmap_find(&s->lets, it->name) >= 0) {
        cc_error(c, it->name_loc, DIAG_E_DUPLICATE, "let '%s' is declared twice in rule %s", it->name, r->name);
        break;
      }
      it->a = check(s, &sc, it->a);
      ast_append(&lets, it);
      s->let_at[nlet] = it;
      nmap_add(&s->lets, it->name, nlet++);
      break;
    }
    case D_ESCALATE:
      if (r->escalate >= 0) cc_error(c, it->loc, DIAG_E_DUPLICATE, "rule %s has two 'escalate after' lines", r->name);
      r->escalate = it->num;
      break;
    case D_CLAUSE: {
      if (strcmp(it->name, "clear") == 0) {
        /* clear when COND: once fired, the alert stays open until COND holds */
        if (r->clear) {
          cc_error(c, it->name_loc, DIAG_E_DUPLICATE, "rule %s has two 'clear when' lines", r->name);
          break;
        }
        it->a = check_top(s, &sc, it->a);
        want_bool(s, it->a, "the clear condition");
        check_for_days(s, it, so);
        r->clear = it;
        break;
      }
      int t = find_tier(s, it->name);
      if (t < 0) {
        char list[512] = "";
        size_t used = 0;
        for (int i = 0; i < s->pk.ntiers && used < sizeof list - 8; i++) {
          int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", s->pk.tiers[i]);
          if (w < 0 || (size_t)w >= sizeof list - used) { snprintf(list + used, sizeof list - used, ", ..."); break; }
          used += (size_t)w;
        }
        cc_error(c, it->name_loc, DIAG_E_UNKNOWN_TIER, "unknown tier '%s' (the tiers are %s)", it->name, list);
        lint_suggester g = {it->name, NULL, 0};
        if (shown(c))
          for (int i = 0; i < s->pk.ntiers; i++) lint_suggest(&g, s->pk.tiers[i]);
        lint_note(c, it->name_loc, &g);
        break;
      }
      if (s->tier_rule[t] == ri + 1) {
        cc_error(c, it->name_loc, DIAG_E_DUPLICATE, "rule %s has two '%s' clauses (a rule has one clause per tier)", r->name, it->name);
        cc_note(c, s->tier_clause[t]->name_loc, "the first is here");
        break;
      }
      s->tier_rule[t] = ri + 1;
      s->tier_clause[t] = it;
      it->ref = t;
      it->a = check_top(s, &sc, it->a);
      want_bool(s, it->a, "a tier's condition");
      check_for_days(s, it, so);
      r->clauses[r->nclauses++] = it;
      break;
    }
    case D_MESSAGE:
      if (msg_decl) {
        cc_error(c, it->loc, DIAG_E_DUPLICATE, "rule %s has two messages", r->name);
        break;
      }
      msg_decl = it;
      if (count_args(it->a) > VG_MAX_LIST) {
        cc_limit(c, it->loc, "too many parts in a message (at most %d interpolations and texts)", VG_MAX_LIST);
        return;
      }
      {
        ast_list parts = {NULL, NULL};
        for (ast *p = it->a; p;) {
          ast *pn = p->next;
          ast_append(&parts, p->kind == A_FMT ? check_top(s, &sc, p) : p);
          p = pn;
        }
        r->message = parts.head;
        r->has_message = 1;
      }
      break;
    case D_NOTIFY:
      if (notify_decl) {
        cc_error(c, it->loc, DIAG_E_DUPLICATE, "rule %s has two notify lines", r->name);
        break;
      }
      notify_decl = it;
      r->notify = check_top(s, &sc, it->a);
      break;
    }
    it = next;
  }
  r->lets = lets.head;
  qsort(r->clauses, (size_t)r->nclauses, sizeof *r->clauses, cmp_clause_tier);
  if (r->nclauses == 0 && !c->syntax_errors && !c->stopped)
    cc_error(c, r->decl->name_loc, DIAG_E_NO_CLAUSE, "rule %s has no tier clause ('TIER when CONDITION')", r->name);
}

struct vg_program *sema_compile(cc *c, const char *default_pack) {
  sema s;
  memset(&s, 0, sizeof s);
  s.c = c;
  collect(&s, default_pack);
  if (c->oom || c->stopped) return NULL;
  /* defs: their calls and sizes, then each checked once on its own */
  def_measure(&s);
  s.nodes0 = c->nodes;
  for (int i = 0; i < s.ndefs && !c->stopped && !c->oom; i++) {
    if (s.def_state[i] == 3) continue;
    /* measured before the body is copied, as a call is (inline_def) */
    const def_info *f = &s.dinfo[i];
    uint64_t size = f->base;
    for (int k = 0; k < f->nparams; k++) size = sat_add64(size, f->uses[k]);
    if (size > VG_MAX_INLINED) {
      cc_limit(c, s.defs[i]->a ? s.defs[i]->a->loc : s.defs[i]->name_loc,
               "this expression is too large once its lets and defs are inlined (over %d nodes)", VG_MAX_INLINED);
      break;
    }
    if (sat_add64(built(&s), f->cost) > VG_MAX_CHECK_NODES) {
      cc_limit(c, s.defs[i]->name_loc, "this pack is too large once its defs are inlined: checking it would build over %d tree nodes "
               "(each call of a def copies the def's body)", VG_MAX_CHECK_NODES);
      break;
    }
    int before = c->nerrors;
    scope sc = {.kind = CX_DEF, .source = -1, .def = s.defs[i]};
    ast *body = ast_clone(c, s.defs[i]->a);
    if (body) check(&s, &sc, body);
    if (c->nerrors > before) s.def_state[i] = 3;
  }
  if (c->stopped || c->oom) return NULL;
  for (int i = 0; i < s.pk.nsources && !c->stopped; i++)
    if (!s.pk.sources[i].rollup) check_source(&s, i);
  for (int i = 0; i < s.pk.nsources && !c->stopped; i++)
    if (s.pk.sources[i].rollup) check_rollup(&s, i);
  if (!c->stopped) check_overrides(&s);
  for (int i = 0; i < s.pk.nsources && !c->stopped; i++) {
    where_overrides(&s, s.pk.sources[i].where);
    for (int k = 0; k < s.pk.sources[i].nrcols; k++) where_overrides(&s, s.pk.sources[i].rcols[k].arg);
  }
  for (int i = 0; i < s.pk.nrules && !c->stopped && !c->oom; i++) check_rule(&s, i);
  /* warnings only on a pack without errors: an erroneous part is checked as
  ** null, which would make lints report what is not there */
  if (c->oom || c->nerrors) return NULL;
  if (c->lint) lint_pack(c, &s.pk, s.defs, s.ndefs, s.def_used);
  return cg_program(c, &s.pk);
}
