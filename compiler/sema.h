/*
** sema.h — the checked pack: what sema.c hands to the code generator.
**
** After sema, every expression tree is resolved (A_COL, A_PARAM, lookups
** bound to sources and columns, defs and lets inlined) and typed, so code
** generation is a plain walk.
*/
#ifndef VIGIL_SEMA_H
#define VIGIL_SEMA_H

#include "ast.h"
#include "../core/prog.h"

/* The kind of an A_CALL after checking (its op): a built-in scalar function
** (ref: FN_*, its index in core/funcs.def), an aggregate over a window (ref: AGG_*, the
** window is the second argument), prev (ival: k rows back), pct_change or
** streak. */
typedef enum { WF_NONE, WF_AGG, WF_PREV, WF_PCTCHG, WF_STREAK } wf_kind;

typedef struct sm_source {
  ast *decl;
  const char *name, *table;
  const cc_table *schema;  /* NULL without a schema */
  double every;            /* days, < 0 when not declared */
  ast *where;              /* checked condition, or NULL */
  int ncols, cap;          /* the columns read; 0 is the key, 1 the time */
  const char **cols;
  uint8_t *types;
  int used;                /* some rule is on it or looks it up */
  ast *label_decl;         /* the `label` field's expression as written, or NULL */
  ast *label;              /* it checked (sema_check_label), or NULL */
  /* a rollup (rollup NAME from MEMBER by GROUP): the rows aggregate the
  ** member source's keys; its columns are [GROUP, MEMBER's time, members,
  ** reporting, the declared columns...] (schema is built from them) */
  ast *rollup;             /* the D_ROLLUP, or NULL for a plain source */
  int member;              /* the member source */
  int group_col;           /* the group column in the member's read list */
  double horizon;          /* days; < 0: members never expire */
  int nrcols;
  struct sm_rcol *rcols;   /* members, reporting, then the declared columns */
} sm_source;

typedef struct sm_rcol {
  const char *name;
  uint8_t type;            /* a val_type, or T_ANY */
  uint8_t agg;             /* a vm_rcagg */
  ast *arg;                /* checked, on the member source's row; NULL for members / reporting */
} sm_rcol;

typedef struct sm_rule {
  ast *decl;
  const char *name;
  int source;
  ast **clauses;           /* its tier clauses by tier, lowest first: D_CLAUSE with ->ref */
  int nclauses;            /* the tier and a checked ->a (a rule may have none) */
  ast *message;            /* list of A_STR / A_FMT parts, or NULL */
  int has_message;
  ast *notify;             /* checked expression, or NULL */
  ast *clear;              /* `clear when`: a D_CLAUSE with checked ->a, or NULL */
  double escalate;         /* days, < 0: the pack's */
  ast *lets;               /* its D_LET items (checked ->a), linked by next: the evidence */
} sm_rule;

typedef struct sm_param {
  ast *decl;
  const char *name;
  val value;
  int used;
  int fraction;            /* used as a fraction (1 - p, compared with a rate column): W-fraction */
  /* param NAME = V on SOURCE[KEY][.COLUMN]: overridden per key (over < 0: not) */
  int over;                /* the source read */
  int over_col;            /* its column holding the value */
  const char *over_key;    /* the column of a rule's source that names the key */
} sm_param;

typedef struct sm_pack {
  const char *name, *title;
  int ntiers; const char **tiers;
  int nparams; sm_param *params;
  int nsources; sm_source *sources;
  int nrules; sm_rule *rules;
  double escalate;         /* the pack's `escalate after`, days; < 0 none */
  /* org { table person manager [name] }: the org chart routes climb */
  ast *org;                /* the D_ORG, or NULL */
  const char *org_table, *org_person, *org_manager, *org_name; /* org_name may be NULL */
  const char *org_email, *org_chat; /* the address columns, NULL when not declared */
  uint8_t *routes;         /* per tier: levels above the recipient (route ... up N) */
} sm_pack;

/* ---- lint.c -------------------------------------------------------------- */

/* Collects the candidate closest to a misspelled name (edit distance up to
** a third of its length, at most 3). */
typedef struct lint_suggester {
  const char *name;
  const char *best;
  int dist;
} lint_suggester;
void lint_suggest(lint_suggester *g, const char *candidate);
/* Report "did you mean 'X'?" as a note at loc, if a candidate was close. */
void lint_note(cc *c, vg_loc loc, const lint_suggester *g);
/* Marks the params a pack uses as fractions (sm_param.fraction) and, when
** c->lint, warns about values above 1 used so (W-fraction). */
void lint_fractions(cc *c, sm_pack *pk);
/* The warnings of a checked pack (docs/DIAGNOSTICS.md). */
void lint_pack(cc *c, const sm_pack *pk, ast *const *defs, int ndefs, const uint8_t *def_used);

/* ---- fiscal.c ------------------------------------------------------------- */

/* The month (1-12) of a D_FISCAL declaration: a month name in any case or a
** number; 0 when it is neither (an error reported, with did-you-mean). */
int sema_fiscal_month(cc *c, const ast *d);
/* Checks a written first-month argument a (checked) of fiscal function fn:
** a number; a number literal must be a whole 1-12.  Errors are reported. */
void sema_check_fiscal_arg(cc *c, const char *fn, const ast *a);
/* The constant first-month argument the checker appends; NULL when out of
** memory. */
ast *sema_fiscal_arg(cc *c, vg_loc loc, int month);

/* Code generation: build the program from a checked pack.  Returns NULL
** (with c->oom set or an error reported) on failure. */
struct vg_program *cg_program(cc *c, const sm_pack *pk);

#endif
