/*
** sema_int.h — what the parts of the checker share (sema.c and sema_*.c);
** nothing outside compiler/sema*.c includes it.  The checked pack they
** build is in sema.h.
**
**   sema.c        the driver (sema_compile) and the name index
**   sema_decl.c   declarations: the pack, tiers, params, defs, org, routes,
**                 sources, rollups and rules
**   sema_names.c  names and scopes: lets, params, columns, lookups, params
**                 set per key
**   sema_expr.c   expressions and types: check(), its limits, operators
**   sema_func.c   calls: built-in functions, windows and window functions,
**                 manager(), defs (inlining, and their cycles and sizes
**                 measured once)
*/
#ifndef VIGIL_SEMA_INT_H
#define VIGIL_SEMA_INT_H

#include "sema.h"
#include "../core/map.h"
#include "../core/vec.h"

/* Where an expression is checked.  CX_ROLLUP: the argument of a rollup
** column's aggregate, on one member row (row-local like a where). */
typedef enum { CX_RULE, CX_WHERE, CX_DEF, CX_PARAMDEF, CX_ROLLUP } cx_kind;

/* Names to entries of a list, in constant expected time (core/map.h): entry
** i is the i-th name added.  Lookups stay constant-time in packs of many
** names. */
typedef struct sema_index {
  vg_map map;
  vg_vec(const char *) names; /* entry i's name */
} sema_index;

/* The first entry named name, or -1. */
int32_t sema_index_find(const sema_index *x, const char *name);
/* Adds name as the next entry (x->names.n); a name an earlier entry has is
** still an entry (its position counts) but is not found.  0, or -1 with
** c->oom set. */
int sema_index_add(cc *c, sema_index *x, const char *name);
/* Empties x for reuse. */
void sema_index_reset(sema_index *x);
void sema_index_free(sema_index *x);

typedef struct scope {
  cx_kind kind;
  int source;             /* the rule's (or where's) source, -1 in defs */
  ast *lets;              /* D_LET list visible here (checked ->a) */
  const sema_index *letmap; /* the same lets by name (entry: index in let_at) */
  ast **let_at;           /* the lets by index */
  ast *def;               /* the def whose body is checked */
  int def_index;          /* its index in sema.defs */
  ast **args;             /* its arguments (checked trees), or NULL: typed T_ANY */
  int nargs;
  int inlining;           /* depth of def inlining */
  int label;              /* a source's label: the current row only (no windows, no stale) */
} scope;

/* What sema knows of a def before inlining it (sema_def_measure). */
typedef struct def_info {
  uint64_t cost;          /* nodes a copy of the body builds, nested defs' copies included */
  uint64_t base;          /* its inlined size, not counting the arguments' trees ... */
  uint64_t *uses;         /* ... each counted uses[i] times (per parameter) */
  int nparams;
  int height;             /* defs in the longest chain of calls from it (itself included) */
} def_info;

/* A parameter of a def (sema_def_param). */
typedef struct sema_defparam {
  int def, pos;
  const char *name;
} sema_defparam;

/* A name of the schema in s->smap: table i of the schema (t NULL) or
** column i of table t, by its exact or its case-folded name; SK_DONE marks
** a list indexed (sema_table, sema_column). */
enum { SK_EXACT, SK_FOLDED, SK_DONE };
typedef struct sema_sref {
  const cc_table *t;
  int i;
  int kind;
} sema_sref;

/* A column in a source's read list (sema_source_column): the index of the
** pairs (source, column) read so far. */
typedef struct sema_colref { int src, col; } sema_colref;

typedef struct sema {
  cc *c;
  sm_pack pk;
  ast **defs; int ndefs;
  uint8_t *def_state;     /* recursion check: 0 new, 1 visiting, 2 done, 3 bad */
  uint8_t *def_used;      /* inlined into a rule or a where */
  def_info *dinfo;        /* per def, valid for state 2 */
  sema_index params, defmap, sources, tiers;
  int *tier_rule;         /* per tier: 1 + the last rule given a clause of it */
  ast **tier_clause;      /* ... and that clause */
  sema_index rules;
  sema_index lets;        /* the lets of the rule being checked (reused) */
  vg_map smap;            /* the schema's tables and columns by name ... */
  vg_vec(sema_sref) srefs; /* ... its entries */
  vg_map pmap;            /* the defs' parameters by (def, name) ... */
  vg_vec(sema_defparam) dparams; /* ... its entries */
  ast **let_at;           /* ... by index */
  vg_map colmap;          /* the read lists' columns by (source, name) ... */
  vg_vec(sema_colref) cols; /* ... its entries */
  uint64_t nodes0;        /* c->nodes when checking began (the parser's are not counted) */
  uint64_t pack_size;     /* inlined sizes of the pack's checked expressions so far */
  int level;              /* recursion of check() */
  ast *fiscal;            /* the pack's `fiscal year starts`, or NULL */
  int fiscal_month;       /* its month, 1 (January) without one */
} sema;

/* ---- the defs' parameters, by hash (sema.c) ---------------------------------- */

/* The position of def d's first parameter named name, or -1. */
int sema_def_param(const sema *s, int d, const char *name);
/* Adds def d's parameter at pos (a name given twice is found at its first
** position).  0, or -1 with c->oom set. */
int sema_def_param_add(sema *s, int d, int pos, const char *name);

/* ---- the schema's names, by hash (sema.c) ------------------------------------ */

/* schema_table and schema_column (the exact name, else the first that is
** equal ignoring case), by hash: a wide table is looked up at every name of
** a rule.  Out of memory: c->oom is set and the answer found linearly. */
const cc_table *sema_table(sema *s, const char *name);
int sema_column(sema *s, const cc_table *t, const char *name);

/* ---- small helpers ------------------------------------------------------- */

/* Where a row-local context is, for messages. */
static inline const char *row_local(const scope *sc) {
  return sc->kind == CX_ROLLUP ? "in a rollup's column (it reads one row of each member)" : "in a source's where";
}

static inline const char *type_name(int t) {
  if (t == T_ANY) return "unknown";
  return val_type_name(t);
}

static inline int known(int t) { return t != T_ANY && t != VT_NULL; }

/* 1 when the error just reported is shown: only then are "did you mean"
** candidates worth looking through (a pack can have 65 535 params or tiers,
** and thousands of errors past --max-errors). */
static inline int shown(const cc *c) { return c->nerrors <= c->max_errors && !c->stopped; }

static inline int count_args(const ast *a) {
  int n = 0;
  for (; a; a = a->next) n++;
  return n;
}

static inline uint64_t sat_add64(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
static inline uint64_t sat_mul64(uint64_t a, uint64_t b) { return a && b > UINT64_MAX / a ? UINT64_MAX : a * b; }

/* The nodes the checker has built so far (the parser's not counted). */
static inline uint64_t built(const sema *s) { return s->c->nodes - s->nodes0; }

static inline int find_param(const sema *s, const char *name) { return sema_index_find(&s->params, name); }
static inline int find_source(const sema *s, const char *name) { return sema_index_find(&s->sources, name); }
/* Report an unknown source name at loc, with the closest source or the pack's list. */
void sema_unknown_source(sema *s, vg_loc loc, const char *name, const char *why);
/* Report a table the schema does not have, with where the schema comes from and the closest table or the list. */
void sema_unknown_table(sema *s, vg_loc loc, const char *name);
static inline int find_def(const sema *s, const char *name) { return sema_index_find(&s->defmap, name); }
static inline int find_tier(const sema *s, const char *name) { return sema_index_find(&s->tiers, name); }

/* ---- sema_expr.c: expressions and types ------------------------------------ */

/* Returns the checked tree (maybe another node than n), or NULL when out of
** memory or after a limit (c->stopped). */
ast *sema_check(sema *s, scope *sc, ast *n);
/* sema_check of a top-level expression (a clause, a message part, notify,
** clear, a where): its inlined size counts toward VG_MAX_PACK_SIZE. */
ast *sema_check_top(sema *s, scope *sc, ast *n);
/* A null typed T_ANY that stands in for a part with errors; NULL when out
** of memory. */
ast *sema_null(sema *s, vg_loc loc);
/* A shallow copy of n for a list; NULL when out of memory. */
ast *sema_listed(sema *s, ast *n);
/* Reports E-type unless n is a condition (bool) or of unknown type. */
void sema_want_bool(sema *s, ast *n, const char *what);

/* ---- sema_names.c: names and scopes ------------------------------------------ */

/* Index of column name in source src's read list, adding it.  -1 when the
** schema does not have it (no error reported here) or out of memory
** (c->oom set). */
int sema_source_column(sema *s, int src, const char *name);
/* An A_COL of source src's column col; NULL when out of memory. */
ast *sema_col_node(sema *s, int src, int col, vg_loc loc);
ast *sema_check_name(sema *s, scope *sc, ast *n);
ast *sema_check_lookup(sema *s, scope *sc, ast *n);
/* The params set per key (param NAME = V on SOURCE[KEY].COLUMN), once the
** sources are checked. */
void sema_check_overrides(sema *s);
/* E-context for a param set per key read in a where or a rollup's column. */
void sema_where_overrides(sema *s, const ast *n);

/* ---- sema_func.c: calls, windows, defs ------------------------------------- */

/* The kind of window function name is, or WF_NONE. */
wf_kind sema_window_fn(const char *name);
ast *sema_check_call(sema *s, scope *sc, ast *n);
/* The calls between defs: cycles (E-recursion), depth, and each def's
** measure (s->dinfo) for inlining. */
void sema_def_measure(sema *s);

/* ---- sema_decl.c: declarations ---------------------------------------------- */

/* The pack, its tiers, params, defs, sources and rules, with duplicates
** reported. */
void sema_collect(sema *s, const char *default_pack);
void sema_check_source(sema *s, int si);
void sema_check_rollup(sema *s, int si);
/* A source's or rollup's label, once every source and rollup is checked (it
** may look one up). */
void sema_check_label(sema *s, int si);
void sema_check_rule(sema *s, int ri);

#endif
