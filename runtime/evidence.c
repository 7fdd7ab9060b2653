/*
** evidence.c — what an alert keeps of the numbers behind it.
**
** When a run records its alerts, each alert (not a resolved entry) gets a
** JSON object, stored in vigil_alerts.evidence:
**
**   {"rule":"conversion_slump","key_column":"rep_id",
**    "values":{"floor":0.16,"conversion_rate":0.12,"baseline_conversion":0.2,"slump":0.2},
**    "window":{"dates":["2025-05-23","2025-06-06","2025-06-20"],
**              "conversion_rate":[0.15,0.13,0.12],"baseline_conversion":[0.2,0.2,0.2]},
**    "params":{"slump":"percent"},
**    "size":{"value":0.12,"threshold":0.16,"op":"<","rel":0.25}}
**
** label (after key_column, only for a source that declares `label COLUMN`):
** that column's value on the current row as text (a number as messages
** print it), or null.
**
** values: the rule's lets (in order; compiled as evidence functions), then
** the columns its conditions, message and clear condition read on the
** current row, then the params they read.  window: the dates of the key's
** last rows, oldest first — up to EXEC_EVID_ROWS (a recording run keeps that
** many in each series) — and each of those columns on each row.  Numbers
** are JSON numbers (null when not finite), dates "YYYY-MM-DD", durations
** "N days", as messages print them.  params (absent when the rule reads
** none; older evidence lacks it): which of values are params, and how each
** shows: "percent" when its default is written as a percent (20%) or the
** pack uses it as a fraction (W-fraction's analysis; a program loaded from
** a .vgc file keeps neither), else its type (number, duration, date, text,
** bool, null).
**
** size (last; absent when the alert has none; older evidence lacks it):
** how far the deciding value lies past its threshold (docs/LANGUAGE.md
** §4.6.1): of the measures of the clause that fired (its comparisons of
** numbers, cg.c), the first whose two sides are numbers and whose
** comparison holds on the current row, as
** {"value":L,"threshold":R,"op":"<","rel":|L - R| / |R|} (|L - R| when R is
** 0).  An alert `escalate after` raised keeps the size of the clause that
** fired; one kept open because its `clear when` does not hold yet has a
** size only if a comparison of that clause still holds.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evidence.h"
#include "reads.h"
#include "json.h"
#include "../stdlib/lib.h"

struct evid_plan {
  uint8_t *cols;     /* [ncols of the rule's source] */
  uint8_t *params;   /* [nparams] */
  uint32_t rows;     /* rows of window */
};

int exec_evidence_plan(exec_pack *pr) {
  const vm_program *p = pr->p;
  pr->evid = vg_realloc(NULL, (p->nrules ? p->nrules : 1) * sizeof *pr->evid);
  if (!pr->evid) return -1;
  memset(pr->evid, 0, (p->nrules ? p->nrules : 1) * sizeof *pr->evid);
  uint8_t *seen = vg_realloc(NULL, p->nfuncs ? p->nfuncs : 1);
  if (!seen) return -1;
  for (int r = 0; r < p->nrules; r++) {
    const vm_rule *ru = &p->rules[r];
    struct evid_plan *e = &pr->evid[r];
    const vm_source *s = &p->sources[ru->source];
    e->cols = vg_realloc(NULL, s->ncols ? s->ncols : 1);
    e->params = vg_realloc(NULL, p->nparams ? p->nparams : 1);
    if (!e->cols || !e->params) { vg_free(seen); return -1; }
    memset(e->cols, 0, s->ncols ? s->ncols : 1);
    memset(e->params, 0, p->nparams ? p->nparams : 1);
    memset(seen, 0, p->nfuncs ? p->nfuncs : 1);
    exec_mark_reads(p, ru->fn, e->cols, NULL, e->params, seen);
    exec_mark_reads(p, ru->clear, e->cols, NULL, e->params, seen);
    e->rows = EXEC_EVID_ROWS;
  }
  vg_free(seen);
  return 0;
}

void exec_evidence_free(exec_pack *pr) {
  if (!pr->evid) return;
  for (int r = 0; r < pr->p->nrules; r++) {
    vg_free(pr->evid[r].cols);
    vg_free(pr->evid[r].params);
  }
  vg_free(pr->evid);
  pr->evid = NULL;
}

static int json_val(vg_buf *b, val v) {
  char buf[128];
  switch (v.t) {
  case VT_NUM: {
    if (!isfinite(v.u.n)) return vg_buf_append(b, "null", 4);
    /* the shortest of %.15g, %.16g, %.17g that reads back exactly */
    return vg_buf_append(b, buf, lib_format_exact(v.u.n, buf));
  }
  case VT_BOOL: return v.u.b ? vg_buf_append(b, "true", 4) : vg_buf_append(b, "false", 5);
  case VT_STR: return exec_json_str(b, v.u.s, v.len);
  case VT_DATE: case VT_DUR: {
    size_t n = lib_format(v, LIB_FMT_DEFAULT, 0, buf, sizeof buf);
    return exec_json_str(b, buf, n);
  }
  default: return vg_buf_append(b, "null", 4);
  }
}

/* How a param's value shows: "percent" when its default is written as a
** percent or the pack uses it as a fraction (W-fraction's analysis), else
** its type. */
static const char *param_kind(const vm_param *pa) {
  if ((pa->fraction || pa->percent) && pa->value.t == VT_NUM) return "percent";
  switch (pa->value.t) {
  case VT_NUM: return "number";
  case VT_BOOL: return "bool";
  case VT_STR: return "text";
  case VT_DATE: return "date";
  case VT_DUR: return "duration";
  default: return "null";
  }
}

/* The size of rule's alert of tier (docs/LANGUAGE.md §4.6.1): the first of
** the clause's measures whose sides are numbers and whose comparison holds
** on the current row, as ,"size":{"value":L,"threshold":R,"op":"<","rel":X}
** (rel |L - R| / |R|, or |L - R| when R is 0); nothing when none does. */
static int size_json(exec_pack *pr, const vm_rule *ru, int tier, const vm_series *s, int32_t date, vg_buf *b) {
  for (unsigned k = 0; k < ru->nmeasures; k++) {
    const vm_measure *m = &ru->measures[k];
    if (m->tier != tier) continue;
    val l, r;
    if (vm_eval_value(&pr->vm, m->lhs, s, date, &l) != VM_OK || l.t != VT_NUM || !isfinite(l.u.n)) continue;
    if (vm_eval_value(&pr->vm, m->rhs, s, date, &r) != VM_OK || r.t != VT_NUM || !isfinite(r.u.n)) continue;
    double x = l.u.n, y = r.u.n;
    int holds = m->op == OP_LT ? x < y : m->op == OP_LE ? x <= y : m->op == OP_GT ? x > y : x >= y;
    if (!holds) continue;
    double rel = y != 0 ? fabs(x - y) / fabs(y) : fabs(x - y);
    const char *op = m->op == OP_LT ? "<" : m->op == OP_LE ? "<=" : m->op == OP_GT ? ">" : ">=";
    int rc = vg_buf_append(b, ",\"size\":{\"value\":", 17) | json_val(b, l);
    rc |= vg_buf_append(b, ",\"threshold\":", 13) | json_val(b, r);
    rc |= vg_buf_append(b, ",\"op\":\"", 7) | vg_buf_append(b, op, strlen(op));
    rc |= vg_buf_append(b, "\",\"rel\":", 8) | json_val(b, val_num(rel)) | vg_buf_append(b, "}", 1);
    return rc;
  }
  return 0;
}

const char *exec_evidence(exec_pack *pr, int rule, int tier, const vm_series *s, int32_t date) {
  const vm_program *p = pr->p;
  const vm_rule *ru = &p->rules[rule];
  const vm_source *so = &p->sources[ru->source];
  const struct evid_plan *e = &pr->evid[rule];
  vg_buf b = {NULL, 0, 0};
  int rc = vg_buf_append(&b, "{\"rule\":", 8);
  rc |= exec_json_str(&b, ru->name, strlen(ru->name));
  rc |= vg_buf_append(&b, ",\"key_column\":", 14);
  rc |= exec_json_str(&b, so->cols[so->key].name, strlen(so->cols[so->key].name));
  const vm_row *cur = vm_series_row(s, 0);
  if (so->label >= 0) { /* the entity's name: the label's text on the current row */
    val v;
    if (vm_eval_value(&pr->vm, so->label, s, date, &v) != VM_OK) v = val_null();
    rc |= vg_buf_append(&b, ",\"label\":", 9);
    if (v.t == VT_NULL) rc |= vg_buf_append(&b, "null", 4);
    else if (v.t == VT_STR) rc |= json_val(&b, v);
    else {
      char buf[128];
      size_t n = lib_format(v, LIB_FMT_DEFAULT, 0, buf, sizeof buf);
      rc |= exec_json_str(&b, buf, n);
    }
  }
  rc |= vg_buf_append(&b, ",\"values\":{", 11);
  int first = 1;
  for (unsigned k = 0; k < ru->nevid && rc == 0; k++) {
    val v;
    if (vm_eval_value(&pr->vm, ru->evid[k].fn, s, date, &v) != VM_OK) v = val_null();
    rc |= vg_buf_append(&b, first ? "" : ",", first ? 0 : 1);
    rc |= exec_json_str(&b, ru->evid[k].name, strlen(ru->evid[k].name));
    rc |= vg_buf_append(&b, ":", 1) | json_val(&b, v);
    first = 0;
  }
  for (unsigned c = 0; c < so->ncols && rc == 0; c++) {
    if (!e->cols[c] || c == so->key || c == so->time) continue;
    rc |= vg_buf_append(&b, first ? "" : ",", first ? 0 : 1);
    rc |= exec_json_str(&b, so->cols[c].name, strlen(so->cols[c].name));
    rc |= vg_buf_append(&b, ":", 1) | json_val(&b, cur ? cur->v[c] : val_null());
    first = 0;
  }
  for (unsigned i = 0; i < p->nparams && rc == 0; i++) {
    if (!e->params[i]) continue;
    rc |= vg_buf_append(&b, first ? "" : ",", first ? 0 : 1);
    rc |= exec_json_str(&b, p->params[i].name, strlen(p->params[i].name));
    rc |= vg_buf_append(&b, ":", 1) | json_val(&b, p->params[i].value);
    first = 0;
  }
  uint32_t n = s->n < e->rows ? s->n : e->rows;
  rc |= vg_buf_append(&b, "},\"window\":{\"dates\":[", 21);
  for (uint32_t k = n; k-- > 0 && rc == 0;) {
    const vm_row *r = vm_series_row(s, k);
    rc |= vg_buf_append(&b, k + 1 == n ? "" : ",", k + 1 == n ? 0 : 1) | json_val(&b, val_date(r->time));
  }
  rc |= vg_buf_append(&b, "]", 1);
  for (unsigned c = 0; c < so->ncols && rc == 0; c++) {
    if (!e->cols[c] || c == so->key || c == so->time) continue;
    rc |= vg_buf_append(&b, ",", 1) | exec_json_str(&b, so->cols[c].name, strlen(so->cols[c].name));
    rc |= vg_buf_append(&b, ":[", 2);
    for (uint32_t k = n; k-- > 0 && rc == 0;) {
      const vm_row *r = vm_series_row(s, k);
      rc |= vg_buf_append(&b, k + 1 == n ? "" : ",", k + 1 == n ? 0 : 1) | json_val(&b, r->v[c]);
    }
    rc |= vg_buf_append(&b, "]", 1);
  }
  rc |= vg_buf_append(&b, "}", 1);
  /* which values are params, and how each shows (additive: older evidence
  ** has no "params") */
  first = 1;
  for (unsigned i = 0; i < p->nparams && rc == 0; i++) {
    if (!e->params[i]) continue;
    rc |= vg_buf_append(&b, first ? ",\"params\":{" : ",", first ? 11 : 1);
    rc |= exec_json_str(&b, p->params[i].name, strlen(p->params[i].name));
    const char *kind = param_kind(&p->params[i]);
    rc |= vg_buf_append(&b, ":\"", 2) | vg_buf_append(&b, kind, strlen(kind)) | vg_buf_append(&b, "\"", 1);
    first = 0;
  }
  rc |= vg_buf_append(&b, first ? "" : "}", first ? 0 : 1);
  if (rc == 0) rc |= size_json(pr, ru, tier, s, date, &b);
  rc |= vg_buf_append(&b, "}", 1);
  const char *out = rc ? NULL : vg_arena_strndup(&pr->alert_arena, b.data, b.len);
  vg_buf_free(&b);
  return out;
}
