/*
** sema_decl.c — declarations: one pass collects the pack, tiers, params,
** defs, sources and rules and reports duplicates; then the org, each
** source's fields, each rollup (a source whose rows aggregate a member
** source's), and each rule's lets, clauses, message and notify.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sema_int.h"
#include "../stdlib/lib.h"

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

/* org { table T person P manager M [name N] [email E] [chat C] }: the
** table that routes and manager() climb (read whole at run time: the org
** chart as it is now); E and C, text columns, are each person's mail
** address and chat webhook, carried in the routes for vigil deliver. */
static void check_org(sema *s) {
  cc *c = s->c;
  sm_pack *pk = &s->pk;
  static const char *fields[] = {"table", "person", "manager", "name", "email", "chat"};
  enum { NF = (int)(sizeof fields / sizeof *fields) };
  ast *seen[NF] = {NULL};
  for (ast *f = pk->org->b; f; f = f->next) {
    int k = -1;
    for (int i = 0; i < NF; i++)
      if (strcmp(f->name, fields[i]) == 0) k = i;
    if (k < 0) {
      cc_error(c, f->name_loc, DIAG_E_ORG, "unknown org field '%s' (expected table, person, manager, name, email or chat)", f->name);
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
  pk->org_email = seen[4] ? seen[4]->a->name : NULL;
  pk->org_chat = seen[5] ? seen[5]->a->name : NULL;
  if (strcmp(pk->org_person, pk->org_manager) == 0) {
    cc_error(c, seen[2]->a->loc, DIAG_E_ORG, "the person and the manager of the org must be different columns");
    return;
  }
  if (!c->has_schema) return;
  const cc_table *t = sema_table(s, pk->org_table);
  if (!t) {
    sema_unknown_table(s, seen[0]->a->loc, pk->org_table);
    return;
  }
  pk->org_table = t->name;
  int types[NF] = {-1, -1, -1, -1, -1, -1};
  for (int k = 1; k < NF; k++) {
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
  for (int k = 4; k < NF; k++)
    if (types[k] >= 0 && known(types[k]) && types[k] != VT_STR)
      cc_error(c, seen[k]->a->loc, DIAG_E_TYPE, "the %s column '%s' is a %s: it holds addresses, as text", fields[k],
               seen[k]->a->name, type_name(types[k]));
}

void sema_collect(sema *s, const char *default_pack) {
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
    if (!pk->tiers) { c->oom = 1; return; }
    for (ast *t = tiers->a; t; t = t->next) {
      if (find_tier(s, t->name) >= 0) cc_error(c, t->loc, DIAG_E_DUPLICATE, "tier '%s' is listed twice", t->name);
      else if (strcmp(t->name, "clear") == 0) cc_error(c, t->loc, DIAG_E_DUPLICATE, "'clear' cannot be a tier: 'clear when' is a rule's clear condition");
      else {
        if (sema_index_add(c, &s->tiers, t->name) != 0) return;
        pk->tiers[pk->ntiers++] = t->name;
      }
    }
  } else {
    static const char *dflt[] = {"yellow", "orange", "red"};
    pk->tiers = dflt;
    pk->ntiers = 3;
    for (int i = 0; i < 3; i++)
      if (sema_index_add(c, &s->tiers, dflt[i]) != 0) return;
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
  for (ast *d = c->decls.head; d && !c->oom; d = d->next) {
    if (d->kind == D_PARAM) {
      int prev = find_param(s, d->name);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "param '%s' is declared twice", d->name);
        cc_note(c, pk->params[prev].decl->name_loc, "first declared here");
        continue;
      }
      if (sema_index_add(c, &s->params, d->name) != 0) return;
      sm_param *p = &pk->params[pk->nparams++];
      p->decl = d;
      p->name = d->name;
      p->over = -1;
      p->value = d->a ? literal_value(s, d->a) : val_null();
      if (p->value.t == VT_NULL)
        cc_error(c, d->a ? d->a->loc : d->loc, DIAG_E_TYPE, "param '%s' needs a value that is not null (its type comes from it)", d->name);
    } else if (d->kind == D_DEF) {
      if (fn_scalar_find(d->name) >= 0 || sema_window_fn(d->name) != WF_NONE) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "def '%s' has the name of a built-in function", d->name);
        continue;
      }
      int prev = find_def(s, d->name);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "def '%s' is declared twice", d->name);
        cc_note(c, s->defs[prev]->name_loc, "first declared here");
        continue;
      }
      if (count_args(d->b) > VG_MAX_LIST) {
        cc_limit(c, d->name_loc, "def %s has too many parameters (%d; at most %d)", d->name, count_args(d->b), VG_MAX_LIST);
        return;
      }
      if (sema_index_add(c, &s->defmap, d->name) != 0) return;
      int pos = 0;
      for (ast *p = d->b; p; p = p->next, pos++) {
        if (sema_def_param(s, s->ndefs, p->name) >= 0)
          cc_error(c, p->loc, DIAG_E_DUPLICATE, "parameter '%s' is listed twice", p->name);
        else if (sema_def_param_add(s, s->ndefs, pos, p->name) != 0)
          return;
      }
      s->defs[s->ndefs++] = d;
    } else if (d->kind == D_SOURCE || d->kind == D_ROLLUP) {
      int prev = find_source(s, d->name);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "source '%s' is declared twice", d->name);
        cc_note(c, pk->sources[prev].decl->name_loc, "first declared here");
        continue;
      }
      if (sema_index_add(c, &s->sources, d->name) != 0) return;
      sm_source *so = &pk->sources[pk->nsources++];
      memset(so, 0, sizeof *so);
      so->decl = d;
      so->name = d->name;
      so->every = -1;
      so->rollup = d->kind == D_ROLLUP ? d : NULL;
      so->member = -1;
      so->horizon = -1;
    } else if (d->kind == D_RULE) {
      int prev = sema_index_find(&s->rules, d->name);
      if (prev >= 0) {
        cc_error(c, d->name_loc, DIAG_E_DUPLICATE, "rule '%s' is declared twice", d->name);
        cc_note(c, pk->rules[prev].decl->name_loc, "first declared here");
        continue;
      }
      if (sema_index_add(c, &s->rules, d->name) != 0) return;
      sm_rule *r = &pk->rules[pk->nrules++];
      memset(r, 0, sizeof *r);
      r->decl = d;
      r->name = d->name;
      r->escalate = -1;
    }
  }
}

/* ---- sources ---------------------------------------------------------------- */

/* The fields of a source: table, key, time, every, where, label. */
void sema_check_source(sema *s, int si) {
  cc *c = s->c;
  sm_source *so = &s->pk.sources[si];
  ast *key = NULL, *time = NULL, *where = NULL;
  ast *seen[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
  static const char *fields[] = {"table", "key", "time", "every", "where", "label"};
  for (ast *f = so->decl->b; f; f = f->next) {
    int k = -1;
    for (int i = 0; i < 6; i++)
      if (strcmp(f->name, fields[i]) == 0) k = i;
    if (k < 0) {
      cc_error(c, f->name_loc, DIAG_E_SOURCE_FIELD, "unknown source field '%s' (expected table, key, time, every, where or label)",
               f->name);
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
    case 5: so->label_decl = f->a; break;
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
    so->schema = sema_table(s, so->table);
    if (!so->schema) {
      if (!no_table)
        sema_unknown_table(s, seen[0] ? seen[0]->a->loc : so->decl->name_loc, so->table);
      return;
    }
    so->table = so->schema->name;
  }
  if (!key || !time) return;
  /* the key and the time are always columns 0 and 1 */
  if (key && sema_source_column(s, si, key->name) != 0) {
    cc_error(c, key->loc, DIAG_E_UNKNOWN_COLUMN, "table %s has no column '%s'", so->table, key->name);
    return;
  }
  if (time && sema_source_column(s, si, time->name) != 1) {
    cc_error(c, time->loc, DIAG_E_UNKNOWN_COLUMN, "table %s has no column '%s'", so->table, time->name);
    return;
  }
  if (known(so->types[1]) && so->types[1] != VT_DATE)
    cc_error(c, time->loc, DIAG_E_TYPE, "the time column '%s' is declared as a %s; declare it DATE (ISO text YYYY-MM-DD)",
             time->name, type_name(so->types[1]));
  so->types[1] = VT_DATE;
  if (where) {
    scope sc = {.kind = CX_WHERE, .source = si};
    so->where = sema_check_top(s, &sc, where);
    sema_want_bool(s, so->where, "a source's where");
  }
}

/* The label (LANGUAGE.md §4.5): an expression on the current row, checked
** as a rule's is (columns, params, defs, lookups, as_of) but without lets,
** windows or stale.  A bare name the table lacks keeps the message of the
** other column fields; a constant would name every entity alike. */
void sema_check_label(sema *s, int si) {
  cc *c = s->c;
  sm_source *so = &s->pk.sources[si];
  ast *l = so->label_decl;
  if (!l || so->ncols < 2) return; /* none, or the source has errors */
  switch (l->kind) {
  case A_STR: case A_NUM: case A_DATE: case A_DUR: case A_BOOL: case A_NULL:
    cc_error(c, l->loc, DIAG_E_SOURCE_FIELD, "'label' names each entity: give a column ('label full_name') or a lookup "
             "('label roster.full_name'), not a constant");
    return;
  case A_NAME:
    if (so->schema && sema_column(s, so->schema, l->name) < 0 && find_param(s, l->name) < 0) {
      if (so->rollup)
        cc_error(c, l->loc, DIAG_E_UNKNOWN_COLUMN, "rollup %s has no column '%s': its rows are aggregates; name a group "
                 "by a lookup into a source keyed by %s ('label SOURCE.COLUMN')", so->name, l->name, so->cols[0]);
      else cc_error(c, l->loc, DIAG_E_UNKNOWN_COLUMN, "table %s has no column '%s'", so->table, l->name);
      return;
    }
    break;
  default: break;
  }
  scope sc = {.kind = CX_RULE, .source = si, .label = 1};
  so->label = sema_check_top(s, &sc, l);
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
void sema_check_rollup(sema *s, int si) {
  cc *c = s->c;
  sm_source *so = &s->pk.sources[si];
  ast *d = so->rollup;
  ast *mem = d->a, *grp = d->c;
  if (!mem || !grp) return; /* a syntax error, reported */
  int mi = find_source(s, mem->name);
  if (mi < 0) {
    sema_unknown_source(s, mem->loc, mem->name, "a rollup's members are the rows of a source");
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
  int gc = sema_source_column(s, mi, grp->name);
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
      if (strcmp(it->name, "label") == 0) { /* checked by sema_check_label */
        if (so->label_decl) cc_error(c, it->name_loc, DIAG_E_DUPLICATE, "'label' is given twice in rollup %s", so->name);
        else so->label_decl = it->a;
        continue;
      }
      ast **slot = strcmp(it->name, "every") == 0 ? &every : strcmp(it->name, "horizon") == 0 ? &horizon : NULL;
      if (!slot) {
        cc_error(c, it->name_loc, DIAG_E_ROLLUP,
                 "unknown rollup field '%s' (expected every, horizon, label, or a column: NAME = sum(x))", it->name);
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
    ast *x = sema_check(s, &sc, call->a);
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
      sema_want_bool(s, x, agg == RC_COUNT ? "the argument of count" : "the argument of share");
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
  if (c->has_schema && sema_table(s, tname)) {
    cc_error(c, d->name_loc, DIAG_E_ROLLUP, "the schema has a table named '%s', the name Vigil gives rollup %s's rows", tname,
             so->name);
    return;
  }
  /* the key and the time are columns 0 and 1, as for every source */
  if (sema_source_column(s, si, ms->cols[gc]) != 0 || sema_source_column(s, si, ms->cols[1]) != 1) {
    cc_internal_error(c, "internal error: rollup %s: its key and time are not columns 0 and 1", so->name);
    return;
  }
  so->types[1] = VT_DATE;
}

/* ---- rules ------------------------------------------------------------------ */

static int cmp_clause_tier(const void *x, const void *y) {
  int a = (*(ast *const *)x)->ref, b = (*(ast *const *)y)->ref;
  return (a > b) - (a < b);
}

void sema_check_rule(sema *s, int ri) {
  cc *c = s->c;
  sm_rule *r = &s->pk.rules[ri];
  ast *on = r->decl->a;
  r->source = on ? find_source(s, on->name) : -1;
  if (r->source < 0) {
    if (on) {
      sema_unknown_source(s, on->loc, on->name, NULL);
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
  if (!s->let_at && !(s->let_at = vg_arena_alloc(&c->arena, VG_MAX_LETS * sizeof *s->let_at))) { c->oom = 1; return; }
  sema_index_reset(&s->lets);
  ast_list lets = {NULL, NULL};
  int nlet = 0;
  ast *msg_decl = NULL, *notify_decl = NULL;
  for (ast *it = r->decl->b; it && !c->stopped && !c->oom;) {
    ast *next = it->next;
    scope sc = {.kind = CX_RULE, .source = r->source, .lets = lets.head, .letmap = &s->lets, .let_at = s->let_at};
    switch (it->kind) {
    case D_LET: {
      if (sema_index_find(&s->lets, it->name) >= 0) {
        cc_error(c, it->name_loc, DIAG_E_DUPLICATE, "let '%s' is declared twice in rule %s", it->name, r->name);
        break;
      }
      it->a = sema_check(s, &sc, it->a);
      ast_append(&lets, it);
      s->let_at[nlet] = it;
      if (sema_index_add(c, &s->lets, it->name) == 0) nlet++;
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
        it->a = sema_check_top(s, &sc, it->a);
        sema_want_bool(s, it->a, "the clear condition");
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
      it->a = sema_check_top(s, &sc, it->a);
      sema_want_bool(s, it->a, "a tier's condition");
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
          ast_append(&parts, p->kind == A_FMT ? sema_check_top(s, &sc, p) : p);
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
      r->notify = sema_check_top(s, &sc, it->a);
      break;
    }
    it = next;
  }
  r->lets = lets.head;
  qsort(r->clauses, (size_t)r->nclauses, sizeof *r->clauses, cmp_clause_tier);
  if (r->nclauses == 0 && !c->syntax_errors && !c->stopped)
    cc_error(c, r->decl->name_loc, DIAG_E_NO_CLAUSE, "rule %s has no tier clause ('TIER when CONDITION')", r->name);
}
