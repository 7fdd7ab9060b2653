/*
** params.c — param overrides for runs (vg_params, include/vigil.h): each
** value is read as a literal of the rule language and must have the type of
** the param it overrides.  Programs are never changed; a run applies the
** overrides of its pack to its own copy of the param table (runtime/run.c).
*/
#include <stdio.h>
#include <string.h>
#include "ast.h"
#include "../core/params.h"
#include "../core/prog.h"

vg_params *vg_params_new(void) {
  vg_params *ps = vg_realloc(NULL, sizeof *ps);
  if (ps) memset(ps, 0, sizeof *ps);
  return ps;
}

void vg_params_free(vg_params *ps) {
  if (!ps) return;
  vg_vec_free(&ps->v);
  vg_arena_free(&ps->arena);
  vg_free(ps);
}

/* Collects the first diagnostic's message (of the literal's parse). */
static void first_message(void *ud, const vg_diag *d) {
  char *buf = ud;
  if (!buf[0]) snprintf(buf, 256, "%s", d->message);
}

/* Read literal as a value of the language into *out (a string in arena).
** Returns VG_OK; VG_EPARAM with the reason in err; VG_ENOMEM. */
static vg_status read_literal(const char *literal, vg_arena *arena, val *out, char *err, size_t errcap) {
  char first[256] = "";
  cc c;
  memset(&c, 0, sizeof c);
  c.diag = first_message;
  c.ud = first;
  c.max_errors = 1;
  vg_status rc = VG_OK;
  ast *lit = NULL;
  size_t len = strlen(literal);
  if (cc_add_file(&c, "param", literal, len) < 0 || parse_source(&c, 0, PARSE_LITERAL, 0, (uint32_t)len, &lit) != 0 ||
      !lit) {
    rc = c.oom ? VG_ENOMEM : VG_EPARAM;
    snprintf(err, errcap, "%s%s%s", c.oom ? "out of memory" : "not a literal of the rule language", first[0] && !c.oom ? ": " : "",
             c.oom ? "" : first);
    goto done;
  }
  switch (lit->kind) {
  case A_NUM: *out = val_num(lit->num); break;
  case A_DUR: *out = val_dur(lit->num); break;
  case A_DATE: *out = val_date(lit->date); break;
  case A_BOOL: *out = val_bool(lit->num != 0); break;
  case A_STR: {
    char *s = vg_arena_strndup(arena, lit->str, lit->len);
    if (!s) {
      snprintf(err, errcap, "out of memory");
      rc = VG_ENOMEM;
      goto done;
    }
    *out = val_str(s, lit->len);
    break;
  }
  default: *out = val_null();
  }
done:
  vg_arena_free(&c.arena);
  return rc;
}

/* What a param of type t takes, for a message: "a duration, e.g. ...". */
static const char *literal_hint(int t) {
  switch (t) {
  case VT_NUM: return "a number, e.g. 3, 0.25 or 20%";
  case VT_DUR: return "a duration, e.g. 7days or 2weeks";
  case VT_DATE: return "a date YYYY-MM-DD, e.g. 2025-06-30";
  case VT_BOOL: return "true or false";
  case VT_STR: return "a string in double quotes, e.g. \"won\" (on a command line, quote them for the shell)";
  default: return "a literal of its type";
  }
}

vg_status vg_params_set(vg_params *ps, const vg_program *p, const char *name, const char *literal, char *err,
                        size_t errcap) {
  char dummy[8];
  if (!err || !errcap) { err = dummy; errcap = sizeof dummy; }
  err[0] = 0;
  int pi = -1;
  for (int i = 0; i < p->nparams && pi < 0; i++)
    if (strcmp(p->params[i].name, name) == 0) pi = i;
  if (pi < 0) {
    vg_buf names = {NULL, 0, 0};
    for (int i = 0; i < p->nparams; i++) vg_buf_printf(&names, "%s%s", i ? ", " : "", p->params[i].name);
    snprintf(err, errcap, "pack %s has no param '%s'%s%s", p->pack, name,
             p->nparams ? "; its params are " : " (it declares none)", names.data ? names.data : "");
    vg_buf_free(&names);
    return VG_ENOPARAM;
  }
  /* the value, the pack and the name live in the set: it may outlive p */
  val v;
  vg_status rc = read_literal(literal, &ps->arena, &v, err, errcap);
  int want = p->params[pi].value.t;
  if (rc == VG_EPARAM) {
    /* say which literal the param takes */
    size_t n = strlen(err);
    snprintf(err + n, errcap - n, "; param %s takes %s", name, literal_hint(want));
  }
  if (rc != VG_OK) return rc;
  if (v.t != want) {
    snprintf(err, errcap, "param %s is a %s, and this is a %s: write %s", name, val_type_name(want), val_type_name(v.t),
             literal_hint(want));
    return VG_EPARAM;
  }
  /* a warning (VG_OK with err set): 20 for a param the pack uses as a fraction */
  if (p->params[pi].fraction && v.t == VT_NUM && v.u.n > 1 && !strchr(literal, '%'))
    snprintf(err, errcap, "param %s is used as a fraction, and %g is above 1: write %g%% or %g", name, v.u.n,
             v.u.n, v.u.n / 100);
  for (size_t i = 0; i < ps->v.n; i++)
    if (strcmp(ps->v.v[i].pack, p->pack) == 0 && strcmp(ps->v.v[i].name, name) == 0) {
      ps->v.v[i].value = v; /* the last value wins */
      return VG_OK;
    }
  vg_param_value e = {vg_arena_strdup(&ps->arena, p->pack), vg_arena_strdup(&ps->arena, name), v};
  if (!e.pack || !e.name || vg_vec_push(&ps->v, e) != 0) {
    snprintf(err, errcap, "out of memory");
    return VG_ENOMEM;
  }
  return VG_OK;
}
