/*
** sema_expr.c — expressions and types: sema_check() resolves and types an
** expression tree, bounding what it builds as it goes (limits.h): its
** recursion, the nodes built, and each tree's inlined size and height.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sema_int.h"
#include "../stdlib/lib.h"

ast *sema_null(sema *s, vg_loc loc) {
  ast *n = ast_new(s->c, A_NULL, loc);
  if (n) n->type = T_ANY;
  return n;
}

/* A shallow copy of n for a list: checked trees can be shared (a let used
** twice), and a list link must not be written into a shared node. */
ast *sema_listed(sema *s, ast *n) {
  ast *m = ast_new(s->c, n->kind, n->loc);
  if (!m) return NULL;
  *m = *n;
  m->next = NULL;
  return m;
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

/* A date met with a number (compared, added, subtracted): the number is
** probably meant as days; the message says how to write a duration, with the
** literal's own value when the number is one. */
static void date_number_error(sema *s, ast *n, ast *a, ast *b) {
  ast *num = a->type == VT_NUM ? a : b;
  char days[64];
  if (num->kind == A_NUM && !num->flag && isfinite(num->num) && fabs(num->num) < 1e9)
    snprintf(days, sizeof days, "%g days", num->num);
  else
    snprintf(days, sizeof days, "30 days");
  ast *date = num == a ? b : a;
  const char *col = date->kind == A_COL && date->num >= 0 && (int)date->num < s->pk.nsources && date->ref >= 0 &&
                    date->ref < s->pk.sources[(int)date->num].ncols ? s->pk.sources[(int)date->num].cols[date->ref] : "due_date";
  if (n->op >= BIN_EQ) {
    char eg[200];
    if (date == a) snprintf(eg, sizeof eg, "%s %s as_of - %s", col, op_text(n->op), days);
    else snprintf(eg, sizeof eg, "as_of - %s %s %s", days, op_text(n->op), col);
    cc_error(s->c, n->loc, DIAG_E_TYPE, "cannot compare a %s with a %s: a number is not a date; for %s before as_of "
             "write 'as_of - %s', e.g. '%s'", type_name(a->type), type_name(b->type), days, days, eg);
  } else
    cc_error(s->c, n->loc, DIAG_E_TYPE, "cannot apply '%s' to a %s and a %s: a duration has a unit, write '%s' (or weeks)",
             op_text(n->op), type_name(a->type), type_name(b->type), days);
}

static int date_and_number(int a, int b) { return (a == VT_DATE && b == VT_NUM) || (a == VT_NUM && b == VT_DATE); }

void sema_want_bool(sema *s, ast *n, const char *what) {
  if (n && known(n->type) && n->type != VT_BOOL) {
    if (n->type == VT_NUM)
      cc_error(s->c, n->loc, DIAG_E_TYPE, "%s must be a condition (bool), not a number; compare it, e.g. '... = 1'", what);
    else
      cc_error(s->c, n->loc, DIAG_E_TYPE, "%s must be a condition (bool), not a %s", what, type_name(n->type));
  }
}

/* ---- expressions ------------------------------------------------------------ */

static ast *check_node(sema *s, scope *sc, ast *n);

static uint32_t sat_add(uint32_t a, uint32_t b) { return a > UINT32_MAX - b ? UINT32_MAX : a + b; }

/* Returns the checked tree (maybe another node than n), or NULL when out of
** memory or after a limit (c->stopped).  Measures the inlined tree (its size
** and height) and counts the recursion and the nodes built as it goes. */
ast *sema_check(sema *s, scope *sc, ast *n) {
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
ast *sema_check_top(sema *s, scope *sc, ast *n) {
  ast *r = sema_check(s, sc, n);
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
    return sema_null(s, none);
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
    if (sc->label) {
      cc_error(c, n->loc, DIAG_E_CONTEXT, "'stale' cannot name an entity: a label is a column or a lookup");
      return sema_null(s, n->loc);
    }
    if (sc->kind != CX_RULE || sc->source < 0) {
      cc_error(c, n->loc, DIAG_E_CONTEXT, "'stale' describes a rule's current row; it cannot be used %s",
               sc->kind == CX_WHERE || sc->kind == CX_ROLLUP ? row_local(sc) : "in a def");
      return sema_null(s, n->loc);
    }
    if (s->pk.sources[sc->source].every < 0) {
      cc_error(c, n->loc, DIAG_E_STALE, "'stale' needs the source's cadence: add 'every DURATION' to source %s",
               s->pk.sources[sc->source].name);
      cc_note(c, s->pk.sources[sc->source].decl->name_loc, "source %s is declared here", s->pk.sources[sc->source].name);
    }
    n->type = VT_BOOL;
    return n;
  case A_NAME: return sema_check_name(s, sc, n);
  case A_NEG: {
    ast *a = sema_check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    if (known(a->type) && a->type != VT_NUM && a->type != VT_DUR)
      cc_error(c, n->loc, DIAG_E_TYPE, "cannot negate a %s", type_name(a->type));
    n->type = a->type == VT_NULL ? T_ANY : a->type;
    return n;
  }
  case A_NOT: {
    ast *a = sema_check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    sema_want_bool(s, a, "the operand of 'not'");
    n->type = VT_BOOL;
    return n;
  }
  case A_BIN: {
    ast *a = sema_check(s, sc, n->a), *b = sema_check(s, sc, n->b);
    if (!a || !b) return NULL;
    n->a = a; n->b = b;
    if (n->op == BIN_AND || n->op == BIN_OR) {
      sema_want_bool(s, a, n->op == BIN_AND ? "each side of 'and'" : "each side of 'or'");
      sema_want_bool(s, b, n->op == BIN_AND ? "each side of 'and'" : "each side of 'or'");
      n->type = VT_BOOL;
    } else if (n->op >= BIN_EQ) {
      if (date_and_number(a->type, b->type))
        date_number_error(s, n, a, b);
      else if (!comparable(a->type, b->type))
        cc_error(c, n->loc, DIAG_E_TYPE, "cannot compare a %s with a %s", type_name(a->type), type_name(b->type));
      else if (n->op >= BIN_LT && a->type == VT_BOOL)
        cc_error(c, n->loc, DIAG_E_TYPE, "booleans can be compared with = and != only");
      n->type = VT_BOOL;
    } else {
      int t = arith_type(n->op, a->type, b->type);
      if (t < 0 && (n->op == BIN_ADD || n->op == BIN_SUB) && date_and_number(a->type, b->type)) {
        date_number_error(s, n, a, b);
        t = T_ANY;
      } else if (t < 0) {
        cc_error(c, n->loc, DIAG_E_TYPE, "cannot apply '%s' to a %s and a %s", op_text(n->op), type_name(a->type), type_name(b->type));
        t = T_ANY;
      }
      n->type = (uint8_t)t;
    }
    return n;
  }
  case A_ISNULL: {
    ast *a = sema_check(s, sc, n->a);
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
    ast *a = sema_check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    ast_list out = {NULL, NULL};
    for (ast *e = n->b; e;) {
      ast *next = e->next;
      ast *ce = sema_check(s, sc, e);
      if (!ce) return NULL;
      if (!comparable(a->type, ce->type))
        cc_error(c, ce->loc, DIAG_E_TYPE, "cannot compare a %s with a %s", type_name(a->type), type_name(ce->type));
      ast_append(&out, sema_listed(s, ce));
      e = next;
    }
    n->b = out.head;
    n->type = VT_BOOL;
    return n;
  }
  case A_BETWEEN: {
    ast *a = sema_check(s, sc, n->a), *lo = sema_check(s, sc, n->b), *hi = sema_check(s, sc, n->c);
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
    ast *cond = sema_check(s, sc, n->a), *yes = sema_check(s, sc, n->b), *no = sema_check(s, sc, n->c);
    if (!cond || !yes || !no) return NULL;
    n->a = cond; n->b = yes; n->c = no;
    sema_want_bool(s, cond, "the condition of 'if'");
    if (!comparable(yes->type, no->type))
      cc_error(c, n->loc, DIAG_E_TYPE, "the two branches of 'if' must have one type: 'then' gives a %s, 'else' a %s",
               type_name(yes->type), type_name(no->type));
    n->type = known(yes->type) ? yes->type : known(no->type) ? no->type : T_ANY;
    return n;
  }
  case A_CALL: return sema_check_call(s, sc, n);
  case A_LOOKUP: return sema_check_lookup(s, sc, n);
  case A_WINDOW:
    cc_error(c, n->loc, DIAG_E_WINDOW, "a window can only be an argument of a window function (sum, avg, min, max, count, all, any)");
    return sema_null(s, n->loc);
  case A_FMT: {
    ast *a = sema_check(s, sc, n->a);
    if (!a) return NULL;
    n->a = a;
    if (n->ival != LIB_FMT_DEFAULT && known(a->type) && a->type != VT_NUM)
      cc_error(c, n->loc, DIAG_E_TYPE, "format '%s' needs a number, not a %s", n->ival == LIB_FMT_PCT ? "pct" : "N", type_name(a->type));
    n->type = VT_STR;
    return n;
  }
  default:
    cc_error(c, n->loc, DIAG_E_INTERNAL, "unexpected node in an expression");
    return sema_null(s, n->loc);
  }
}
