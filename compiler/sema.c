/*
** sema.c — name resolution and type checking: the driver, and the name
** index the checker's lookups go through.
**
** One pass over the declarations collects the pack, tiers, params, defs,
** sources and rules and reports duplicates (sema_decl.c); then every
** expression is checked in its scope by sema_check() (sema_expr.c), which
** returns the resolved tree:
**   - a name becomes a let's tree, an A_COL (the source's column list grows
**     as columns are used), or an A_PARAM (sema_names.c);
**   - a call of a def is replaced by the def's body, checked with the call's
**     arguments in place of its parameters (defs are inlined, sema_func.c);
**   - every node gets a type (a val_type, or T_ANY when unknown).
** Errors are reported and checking goes on, so one run lists them all; but
** a limit (cc_limit) stops everything.
**
** Resources are bounded before they are spent (limits.h): names are looked
** up in hash indexes (core/map.h), so packs of many names or lets stay
** linear; the calls between defs are checked once, without recursion, for
** cycles and depth; each def's inlined size (as a function of its arguments'
** sizes) and the nodes a copy of its body builds are computed once, so a
** call that would pass VG_MAX_INLINED or VG_MAX_CHECK_NODES is refused
** before its body is copied; sema_check() counts its recursion and the nodes
** built as it goes.
*/
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "sema_int.h"

/* ---- the name index ----------------------------------------------------------- */

typedef struct index_key {
  const sema_index *x;
  const char *name;
} index_key;

static int same_name(const void *ctx, uint32_t i) {
  const index_key *k = ctx;
  return strcmp(k->x->names.v[i], k->name) == 0;
}

int32_t sema_index_find(const sema_index *x, const char *name) {
  if (!x || !x->map.n) return -1;
  index_key k = {x, name};
  return (int32_t)vg_map_find(&x->map, vg_hash(name, strlen(name)), same_name, &k);
}

int sema_index_add(cc *c, sema_index *x, const char *name) {
  uint32_t h = vg_hash(name, strlen(name));
  index_key k = {x, name};
  uint32_t i = (uint32_t)x->names.n;
  int found = x->map.n && vg_map_find(&x->map, h, same_name, &k) >= 0;
  if (vg_vec_push(&x->names, name) != 0 || (!found && vg_map_put(&x->map, h, i) != 0)) {
    if (x->names.n > i) x->names.n = i;
    c->oom = 1;
    return -1;
  }
  return 0;
}

/* ---- the defs' parameters ---------------------------------------------------- */

typedef struct param_key {
  const sema *s;
  int def;
  const char *name;
} param_key;

static int same_param(const void *ctx, uint32_t i) {
  const param_key *k = ctx;
  const sema_defparam *p = &k->s->dparams.v[i];
  return p->def == k->def && strcmp(p->name, k->name) == 0;
}

static uint32_t param_hash(int d, const char *name) { return vg_hash_more(vg_hash(&d, sizeof d), name, strlen(name)); }

int sema_def_param(const sema *s, int d, const char *name) {
  param_key k = {s, d, name};
  long i = vg_map_find(&s->pmap, param_hash(d, name), same_param, &k);
  return i < 0 ? -1 : s->dparams.v[i].pos;
}

int sema_def_param_add(sema *s, int d, int pos, const char *name) {
  if (sema_def_param(s, d, name) >= 0) return 0;
  sema_defparam p = {d, pos, name};
  if (vg_vec_push(&s->dparams, p) != 0) { s->c->oom = 1; return -1; }
  if (vg_map_put(&s->pmap, param_hash(d, name), (uint32_t)(s->dparams.n - 1)) != 0) {
    s->dparams.n--;
    s->c->oom = 1;
    return -1;
  }
  return 0;
}

void sema_index_reset(sema_index *x) {
  vg_map_free(&x->map);
  x->names.n = 0;
}

void sema_index_free(sema_index *x) {
  vg_map_free(&x->map);
  vg_vec_free(&x->names);
}

/* ---- the schema's tables and columns --------------------------------------------- */

typedef struct sref_key {
  const sema *s;
  const cc_table *t;
  int kind;
  const char *name;
} sref_key;

static uint32_t sref_hash(const cc_table *t, int kind, const char *name) {
  uint32_t h = vg_hash_more(vg_hash(&t, sizeof t), &kind, sizeof kind);
  if (kind == SK_FOLDED) {
    for (const char *p = name; *p; p++) {
      unsigned char ch = (unsigned char)tolower((unsigned char)*p); /* as strcasecmp compares */
      h = vg_hash_more(h, &ch, 1);
    }
  } else if (kind == SK_EXACT) {
    h = vg_hash_more(h, name, strlen(name));
  }
  return h;
}

static const char *sref_name(const sema *s, const sema_sref *r) {
  return r->t ? r->t->cols[r->i].name : s->c->tables[r->i].name;
}

static int same_sref(const void *ctx, uint32_t i) {
  const sref_key *k = ctx;
  const sema_sref *r = &k->s->srefs.v[i];
  if (r->t != k->t || r->kind != k->kind) return 0;
  if (r->kind == SK_DONE) return 1;
  const char *name = sref_name(k->s, r);
  return r->kind == SK_EXACT ? strcmp(name, k->name) == 0 : strcasecmp(name, k->name) == 0;
}

/* The entry of t (NULL: the tables) of that kind and name, or -1. */
static long sref_find(const sema *s, const cc_table *t, int kind, const char *name) {
  sref_key k = {s, t, kind, name};
  return vg_map_find(&s->smap, sref_hash(t, kind, name), same_sref, &k);
}

/* Adds entry i of t unless one of that kind and name is there (the first
** is found).  0, or -1 with c->oom set. */
static int sref_add(sema *s, const cc_table *t, int kind, int i, const char *name) {
  if (sref_find(s, t, kind, name) >= 0) return 0;
  sema_sref r = {t, i, kind};
  if (vg_vec_push(&s->srefs, r) != 0) { s->c->oom = 1; return -1; }
  if (vg_map_put(&s->smap, sref_hash(t, kind, name), (uint32_t)(s->srefs.n - 1)) != 0) {
    s->srefs.n--;
    s->c->oom = 1;
    return -1;
  }
  return 0;
}

/* Indexes the names of t's columns (t NULL: of the schema's tables) when
** first asked for: a table is complete by then.  0, or -1 with c->oom set. */
static int index_names(sema *s, const cc_table *t) {
  if (sref_find(s, t, SK_DONE, "") >= 0) return 0;
  int n = t ? t->ncols : s->c->ntables;
  for (int i = 0; i < n; i++) {
    const char *name = t ? t->cols[i].name : s->c->tables[i].name;
    if (sref_add(s, t, SK_EXACT, i, name) != 0 || sref_add(s, t, SK_FOLDED, i, name) != 0) return -1;
  }
  return sref_add(s, t, SK_DONE, 0, "");
}

const cc_table *sema_table(sema *s, const char *name) {
  if (index_names(s, NULL) != 0) return schema_table(s->c, name);
  long i = sref_find(s, NULL, SK_EXACT, name);
  if (i < 0) i = sref_find(s, NULL, SK_FOLDED, name);
  return i < 0 ? NULL : &s->c->tables[s->srefs.v[i].i];
}

int sema_column(sema *s, const cc_table *t, const char *name) {
  if (index_names(s, t) != 0) return schema_column(t, name);
  long i = sref_find(s, t, SK_EXACT, name);
  if (i < 0) i = sref_find(s, t, SK_FOLDED, name);
  return i < 0 ? -1 : s->srefs.v[i].i;
}

/* ---- the driver ------------------------------------------------------------------ */

/* Checks the pack into s->pk.  Returns 1 when it has no errors (warnings
** reported when c->lint), else 0. */
static int check_pack(sema *s, const char *default_pack) {
  cc *c = s->c;
  sema_collect(s, default_pack);
  if (c->oom || c->stopped) return 0;
  /* defs: their calls and sizes, then each checked once on its own */
  sema_def_measure(s);
  s->nodes0 = c->nodes;
  for (int i = 0; i < s->ndefs && !c->stopped && !c->oom; i++) {
    if (s->def_state[i] == 3) continue;
    /* measured before the body is copied, as a call is (inline_def) */
    const def_info *f = &s->dinfo[i];
    uint64_t size = f->base;
    for (int k = 0; k < f->nparams; k++) size = sat_add64(size, f->uses[k]);
    if (size > VG_MAX_INLINED) {
      cc_limit(c, s->defs[i]->a ? s->defs[i]->a->loc : s->defs[i]->name_loc,
               "this expression is too large once its lets and defs are inlined (over %d nodes)", VG_MAX_INLINED);
      break;
    }
    if (sat_add64(built(s), f->cost) > VG_MAX_CHECK_NODES) {
      cc_limit(c, s->defs[i]->name_loc, "this pack is too large once its defs are inlined: checking it would build over %d tree nodes "
               "(each call of a def copies the def's body)", VG_MAX_CHECK_NODES);
      break;
    }
    int before = c->nerrors;
    scope sc = {.kind = CX_DEF, .source = -1, .def = s->defs[i], .def_index = i};
    ast *body = ast_clone(c, s->defs[i]->a);
    if (body) sema_check(s, &sc, body);
    if (c->nerrors > before) s->def_state[i] = 3;
  }
  if (c->stopped || c->oom) return 0;
  for (int i = 0; i < s->pk.nsources && !c->stopped; i++)
    if (!s->pk.sources[i].rollup) sema_check_source(s, i);
  for (int i = 0; i < s->pk.nsources && !c->stopped; i++)
    if (s->pk.sources[i].rollup) sema_check_rollup(s, i);
  if (!c->stopped) sema_check_overrides(s);
  for (int i = 0; i < s->pk.nsources && !c->stopped; i++) {
    sema_where_overrides(s, s->pk.sources[i].where);
    for (int k = 0; k < s->pk.sources[i].nrcols; k++) sema_where_overrides(s, s->pk.sources[i].rcols[k].arg);
  }
  for (int i = 0; i < s->pk.nsources && !c->stopped && !c->oom; i++) sema_check_label(s, i);
  for (int i = 0; i < s->pk.nrules && !c->stopped && !c->oom; i++) sema_check_rule(s, i);
  /* warnings only on a pack without errors: an erroneous part is checked as
  ** null, which would make lints report what is not there */
  if (c->oom || c->nerrors) return 0;
  lint_fractions(c, &s->pk);
  if (c->lint) lint_pack(c, &s->pk, s->defs, s->ndefs, s->def_used);
  return 1;
}

struct vg_program *sema_compile(cc *c, const char *default_pack) {
  sema s;
  memset(&s, 0, sizeof s);
  s.c = c;
  int ok = check_pack(&s, default_pack);
  /* the indexes serve the checking only; the checked pack is in the arena */
  sema_index_free(&s.params);
  sema_index_free(&s.defmap);
  sema_index_free(&s.sources);
  sema_index_free(&s.tiers);
  sema_index_free(&s.rules);
  sema_index_free(&s.lets);
  vg_map_free(&s.smap);
  vg_vec_free(&s.srefs);
  vg_map_free(&s.pmap);
  vg_vec_free(&s.dparams);
  vg_map_free(&s.colmap);
  vg_vec_free(&s.cols);
  return ok ? cg_program(c, &s.pk) : NULL;
}
