/*
** sema_names.c — names and scopes: a name in a rule is a let, a column of
** the rule's source (whose read list grows as columns are used) or a param;
** in a def, a parameter or a param.  Lookups of other sources, and params
** set per key from a source (param NAME = V on SOURCE[KEY].COLUMN).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sema_int.h"
#include "../stdlib/lib.h"

/* The read lists' columns are found by (source, name) in s->colmap: a pack
** without a schema can read tens of thousands of columns of one source. */
typedef struct col_key {
  const sema *s;
  int src;
  const char *name;
} col_key;

static int same_col(const void *ctx, uint32_t i) {
  const col_key *k = ctx;
  const sema_colref *r = &k->s->cols.v[i];
  return r->src == k->src && strcmp(k->s->pk.sources[r->src].cols[r->col], k->name) == 0;
}

int sema_source_column(sema *s, int src, const char *name) {
  sm_source *so = &s->pk.sources[src];
  uint8_t type = T_ANY;
  const char *canon = name;
  if (so->schema) {
    int ci = sema_column(s, so->schema, name);
    if (ci < 0) return -1;
    canon = so->schema->cols[ci].name;
    type = so->schema->cols[ci].type;
  } else if (s->c->has_schema) {
    return -1; /* the table itself is missing; already reported */
  }
  uint32_t h = vg_hash_more(vg_hash(&src, sizeof src), canon, strlen(canon));
  col_key k = {s, src, canon};
  long i = vg_map_find(&s->colmap, h, same_col, &k);
  if (i >= 0) return s->cols.v[i].col;
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
  sema_colref r = {src, so->ncols};
  if (vg_vec_push(&s->cols, r) != 0) { s->c->oom = 1; return -1; }
  if (vg_map_put(&s->colmap, h, (uint32_t)(s->cols.n - 1)) != 0) {
    s->cols.n--;
    s->c->oom = 1;
    return -1;
  }
  so->cols[so->ncols] = canon;
  so->types[so->ncols] = type;
  return so->ncols++;
}

ast *sema_col_node(sema *s, int src, int col, vg_loc loc) {
  ast *n = ast_new(s->c, A_COL, loc);
  if (!n) return NULL;
  n->ref = col;
  n->num = src;
  n->type = s->pk.sources[src].types[col];
  return n;
}

/* ---- params set per key --------------------------------------------------- */

/* param NAME = V on SOURCE[KEY][.COLUMN]: after the sources are checked,
** find the source and the column holding the per-key value; its type must
** be the param's (a duration param reads a number of days). */
void sema_check_overrides(sema *s) {
  cc *c = s->c;
  for (int i = 0; i < s->pk.nparams; i++) {
    sm_param *pm = &s->pk.params[i];
    ast *o = pm->decl->b;
    if (!o) continue;
    int src = find_source(s, o->name);
    if (src < 0) {
      sema_unknown_source(s, o->name_loc, o->name, NULL);
      continue;
    }
    sm_source *so = &s->pk.sources[src];
    if (so->ncols < 2) continue; /* the source has errors */
    so->used = 1;
    const char *col = o->str ? o->str : pm->name;
    int ci = sema_source_column(s, src, col);
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
void sema_where_overrides(sema *s, const ast *n) {
  if (!n) return;
  if (n->kind == A_PARAM && n->ref >= 0 && n->ref < s->pk.nparams && s->pk.params[n->ref].over >= 0) {
    const sm_param *pm = &s->pk.params[n->ref];
    cc_error(s->c, n->loc, DIAG_E_CONTEXT, "param %s is set per %s from source %s; it can be read in rules only", pm->name,
             pm->over_key, s->pk.sources[pm->over].name);
    return;
  }
  int list_a = n->kind == A_CALL, list_b = n->kind == A_IN;
  for (const ast *k = n->a; k; k = list_a ? k->next : NULL) sema_where_overrides(s, k);
  for (const ast *k = n->b; k; k = list_b ? k->next : NULL) sema_where_overrides(s, k);
  sema_where_overrides(s, n->c);
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
    return sema_null(s, n->loc);
  }
  sm_source *rs = &s->pk.sources[sc->source];
  int kc = pm->over_key ? sema_source_column(s, sc->source, pm->over_key) : -1;
  if (kc < 0) {
    if (rs->schema || !c->has_schema)
      cc_error(c, n->loc, DIAG_E_UNKNOWN_COLUMN, "param %s is set per %s, and source %s (table %s) has no column '%s'", pm->name,
               pm->over_key, rs->name, rs->table, pm->over_key);
    return sema_null(s, n->loc);
  }
  sm_source *os = &s->pk.sources[pm->over];
  ast *key = sema_col_node(s, sc->source, kc, n->loc);
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

/* ---- names and lookups ------------------------------------------------------ */

ast *sema_check_name(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  const char *name = n->name;
  if (sc->def) {
    int i = sema_def_param(s, sc->def_index, name);
    if (i >= 0) {
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
    return sema_null(s, n->loc);
  }
  int32_t li = sema_index_find(sc->letmap, name);
  if (li >= 0) {
    ast *l = sc->let_at[li];
    l->flag = 1; /* used */
    return l->a ? l->a : sema_null(s, n->loc);
  }
  int pi = find_param(s, name);
  if (sc->source >= 0) {
    sm_source *so = &s->pk.sources[sc->source];
    int has_col = so->schema ? sema_column(s, so->schema, name) >= 0 : 0;
    if (has_col && pi >= 0) {
      cc_error(c, n->loc, DIAG_E_AMBIGUOUS, "'%s' is both a column of %s and a param; rename the param", name, so->table);
      return sema_null(s, n->loc);
    }
    if (pi < 0 && (has_col || !c->has_schema)) {
      int ci = sema_source_column(s, sc->source, name);
      if (ci >= 0) return sema_col_node(s, sc->source, ci, n->loc);
      return sema_null(s, n->loc);
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
    return sema_null(s, n->loc); /* the source's table is missing: reported once */
  else
    cc_error(c, n->loc, DIAG_E_UNKNOWN_NAME, "unknown name '%s'", name);
  return sema_null(s, n->loc);
}

ast *sema_check_lookup(sema *s, scope *sc, ast *n) {
  cc *c = s->c;
  if (sc->kind != CX_RULE) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "a lookup reads another source; it cannot be used %s",
             sc->kind == CX_WHERE || sc->kind == CX_ROLLUP ? row_local(sc) : "here");
    return sema_null(s, n->loc);
  }
  if (sc->def) {
    cc_error(c, n->loc, DIAG_E_CONTEXT, "a def cannot read a source: pass the value as an argument");
    return sema_null(s, n->loc);
  }
  int src = find_source(s, n->name);
  if (src < 0) {
    sema_unknown_source(s, n->name_loc, n->name, NULL);
    return sema_null(s, n->loc);
  }
  sm_source *so = &s->pk.sources[src];
  so->used = 1;
  ast *key = n->a;
  if (key) {
    key = sema_check(s, sc, key);
    if (!key) return NULL;
  } else {
    key = sema_col_node(s, sc->source, 0, n->loc);
    if (!key) return NULL;
  }
  int ci = sema_source_column(s, src, n->str);
  if (ci < 0) {
    if (so->schema) {
      cc_error(c, n->b ? n->b->loc : n->loc, DIAG_E_UNKNOWN_COLUMN, "table %s (source %s) has no column '%s'", so->table, so->name, n->str);
      lint_suggester g = {n->str, NULL, 0};
      for (int i = 0; i < so->schema->ncols; i++) lint_suggest(&g, so->schema->cols[i].name);
      lint_note(c, n->b ? n->b->loc : n->loc, &g);
    }
    return sema_null(s, n->loc);
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

/* An unknown source `name` at loc: the error (why, when not NULL, follows in
** parentheses), then the closest source's name or, when none is close, the
** pack's sources. */
void sema_unknown_source(sema *s, vg_loc loc, const char *name, const char *why) {
  cc *c = s->c;
  if (why) cc_error(c, loc, DIAG_E_UNKNOWN_SOURCE, "unknown source '%s' (%s)", name, why);
  else cc_error(c, loc, DIAG_E_UNKNOWN_SOURCE, "unknown source '%s'", name);
  if (!shown(c)) return;
  lint_suggester g = {name, NULL, 0};
  for (int i = 0; i < s->pk.nsources; i++) lint_suggest(&g, s->pk.sources[i].name);
  if (g.best) { lint_note(c, loc, &g); return; }
  if (s->pk.nsources == 0) { cc_note(c, loc, "the pack declares no source: add 'source NAME { table ... }'"); return; }
  char list[400];
  size_t len = 0;
  int i = 0;
  for (; i < s->pk.nsources; i++) {
    const char *nm = s->pk.sources[i].name;
    if (len + strlen(nm) + 8 > sizeof list) break;
    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", nm);
  }
  cc_note(c, loc, "the pack's sources are %s%s", list, i < s->pk.nsources ? ", ..." : "");
}

/* A table the schema does not have, at loc: the error names where the schema
** comes from (the database or schema file), then a note with the closest
** table, one whose name starts with this one, or the schema's tables. */
void sema_unknown_table(sema *s, vg_loc loc, const char *name) {
  cc *c = s->c;
  cc_error(c, loc, DIAG_E_UNKNOWN_TABLE, "%s has no table '%s'", c->schema_what ? c->schema_what : "the schema", name);
  if (!shown(c)) return;
  lint_suggester g = {name, NULL, 0};
  for (int i = 0; i < c->ntables; i++) lint_suggest(&g, c->tables[i].name);
  size_t n = strlen(name);
  for (int i = 0; i < c->ntables && !g.best && n; i++)
    if (strncmp(c->tables[i].name, name, n) == 0) g.best = c->tables[i].name;
  if (g.best) { lint_note(c, loc, &g); return; }
  /* the list leaves out vigil's own tables (vigil_runs, vigil_alerts, ...) */
  char list[400];
  size_t len = 0;
  int i = 0, listed = 0, more = 0;
  for (; i < c->ntables; i++) {
    const char *nm = c->tables[i].name;
    if (strncmp(nm, "vigil_", 6) == 0) continue;
    if (len + strlen(nm) + 8 > sizeof list) { more = 1; break; }
    len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", listed++ ? ", " : "", nm);
  }
  if (!listed && !more) cc_note(c, loc, "it has no tables of data");
  else cc_note(c, loc, "its tables are %s%s", list, more ? ", ..." : "");
}
