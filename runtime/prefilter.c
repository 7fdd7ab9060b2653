/*
** prefilter.c — letting SQLite drop the rows no rule can fire on.
**
** A nightly run over a source of one row per key (an invoice table: its key
** is its INTEGER PRIMARY KEY or has a unique index of its own) whose rules
** look back no rows must still see every row: the VM decides.  Most rows
** raise nothing, and pulling each out of SQLite costs more than SQLite's own
** filtering.  So when every rule on such a source guards its alerts with
** conditions that can be written in SQL, the scan gets a WHERE that holds
** for every row on which some tier could fire, and SQLite skips the others.
**
** The WHERE is derived from the verified bytecode, not from source text, so
** a .vgc cannot put SQL of its own into it: identifiers are quoted, values
** are bound parameters (?1 is as_of, ?2... the constants) or days written
** by lib_format_date ('YYYY-MM-DD'), and the only function is vigil_day(),
** the runtime's own reading of date text.
**
** Each value on the VM stack is simulated as two SQL texts:
**   exact  an expression whose SQL value equals the VM's value (NULL for
**          null), or none;
**   may    for a bool: an expression that is true whenever the VM value is
**          true (a necessary condition), or none (it may be anything).
** Atoms are exact only where SQL and the VM agree exactly: number columns
** read as CAST(x AS REAL) when SQLite holds a number and NULL otherwise (the
** VM reads text in a number column as null), date columns through
** vigil_day(), constants and params as bound values, as_of as ?1,
** date ± whole-day durations, date - date, comparisons of two values of one
** type, IS NULL, and three-valued NOT / AND / OR (which SQL shares).
** Everything else (strings, calls, lookups, windows, stale...) is none;
** `a and b` keeps the may of whichever side has one.
**
** "Exact" needs to hold only on rows without bad data, since the WHERE
** keeps the others whatever the tiers say (or_bad_rows, below): there a
** date column holds null or a text lib_parse_date reads.  So a day read
** from a column, moved by known days (sym.lin), is null exactly when the
** column is (`"x" IS NULL`, no vigil_day() call), and a comparison of such
** a day with a day known when the WHERE is made (as_of, constants) is
** `(cheap AND exact)`: cheap compares the text with an ISO day, widened by
** the day a zone can move a time (day_cheap), true wherever exact is, null
** where the column is; SQLite's AND stops at a false cheap, so vigil_day()
** runs only on the rows the text test lets through.  The bad-data test of
** the date columns is one vigil_unread() call a row for them all (issue 15,
** item 5: the invoice rule called vigil_day() 4.04 times a row, now 0.03,
** and vigil_unread() once).
**
** A rule function is accepted only in the shapes the code generator emits:
** per tier, COND JMPF over (message, recipient, EMIT, RET), or the clause's
** conjuncts each with its JMPF, maybe after a first conjunct all tiers
** share with a JMPF to the function's end (rule_guards).  A tier's may is
** the AND of the conditions on its path.  The WHERE is the OR of every
** tier's may, with the conjuncts all tiers share written
** once (A and B1 or A and B2 is A and (B1 or B2): SQLite would call each
** vigil_day() again); if any tier has none, or the code has another shape,
** there is no prefilter.  Rows with bad data are kept whatever the tiers
** say (or_bad_rows): the prefilter only ever drops rows that are good data
** on which no tier fires, so every way of reading finds the same bad data.
** For the same reason there is no prefilter when a condition (or the
** source's where) could count something on a dropped row: a column of no
** declared type (a type warning), a lookup (its rows' bad data) or
** manager() (counts_insn).
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../stdlib/lib.h"
#include "prefilter.h"

enum { S_UNKNOWN = 0xff };

typedef struct sym {
  uint8_t type;  /* VT_* of the value, S_UNKNOWN when not known */
  char *exact;   /* NULL: none */
  char *may;     /* NULL: none (bools only) */
  /* lin: the value is k + sgn * (the day of date column col), a day or a
  ** number of days, known when the WHERE is made (sgn 0: the constant k) */
  int lin, col, sgn;
  double k;
} sym;

typedef struct pf {
  char **guards;     /* each tier's may, in the order met */
  int nguards, capguards;
  const vm_program *p;
  const vm_source *s;
  sym *st;
  int sp, cap;
  val *binds;    /* ?2 ... */
  int nbinds, capbinds;
  int failed;    /* out of memory */
  int32_t as_of; /* ?1's value */
} pf;

static char *fmt_sql(pf *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *fmt_sql(pf *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? vg_realloc(NULL, (size_t)n + 1) : NULL;
  if (!s) { f->failed = 1; return NULL; }
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

static void sym_free(sym *x) {
  vg_free(x->exact);
  vg_free(x->may);
  x->exact = x->may = NULL;
}

static void push(pf *f, uint8_t type, char *exact, char *may) {
  if (f->sp == f->cap) { /* the verifier bounds the depth; grow anyway */
    int ncap = f->cap ? f->cap * 2 : 16;
    sym *ns = vg_realloc(f->st, (size_t)ncap * sizeof *ns);
    if (!ns) { f->failed = 1; vg_free(exact); vg_free(may); return; }
    f->st = ns;
    f->cap = ncap;
  }
  f->st[f->sp++] = (sym){type, exact, may, 0, -1, 0, 0};
}

/* Marks the value just pushed as k + sgn * day(col) (sym.lin). */
static void set_lin(pf *f, int col, int sgn, double k) {
  if (f->failed || f->sp == 0 || !f->st[f->sp - 1].exact) return;
  sym *x = &f->st[f->sp - 1];
  x->lin = 1;
  x->col = col;
  x->sgn = sgn;
  x->k = k;
}

static sym pop(pf *f) {
  if (f->sp == 0) return (sym){S_UNKNOWN, NULL, NULL, 0, -1, 0, 0};
  return f->st[--f->sp];
}

/* A bound value: "?N". */
static char *bind(pf *f, val v) {
  if (f->nbinds == f->capbinds) {
    int ncap = f->capbinds ? f->capbinds * 2 : 8;
    val *nb = vg_realloc(f->binds, (size_t)ncap * sizeof *nb);
    if (!nb) { f->failed = 1; return NULL; }
    f->binds = nb;
    f->capbinds = ncap;
  }
  f->binds[f->nbinds++] = v;
  return fmt_sql(f, "?%d", f->nbinds + 1);
}

/* A constant or param value as a sym. */
static void push_value(pf *f, val v) {
  switch (v.t) {
  case VT_NULL: push(f, VT_NULL, fmt_sql(f, "NULL"), NULL); break;
  case VT_BOOL: {
    char *e = fmt_sql(f, "%d", v.u.b ? 1 : 0);
    push(f, VT_BOOL, e, e ? fmt_sql(f, "%s", e) : NULL);
    break;
  }
  case VT_NUM: case VT_DUR:
    if (!isfinite(v.u.n)) { push(f, S_UNKNOWN, NULL, NULL); break; }
    push(f, v.t, bind(f, v), NULL);
    if (v.t == VT_DUR) set_lin(f, -1, 0, v.u.n);
    break;
  case VT_DATE:
    push(f, VT_DATE, fmt_sql(f, "%d", (int)v.u.d), NULL);
    set_lin(f, -1, 0, v.u.d);
    break;
  default: push(f, S_UNKNOWN, NULL, NULL); break; /* strings: collations and encodings differ */
  }
}

/* A quoted identifier ("a""b"). */
static char *ident(pf *f, const char *name) {
  vg_buf b = {NULL, 0, 0};
  if (exec_quote_ident(&b, name) != 0) { f->failed = 1; vg_buf_free(&b); return NULL; }
  char *s = fmt_sql(f, "%s", b.data);
  vg_buf_free(&b);
  return s;
}

static void push_col(pf *f, int c) {
  const vm_column *col = &f->s->cols[c];
  char *id = ident(f, col->name);
  if (!id) { push(f, S_UNKNOWN, NULL, NULL); return; }
  if (col->type == VT_NUM)
    push(f, VT_NUM, fmt_sql(f, "(CASE WHEN +%s < '' THEN CAST(%s AS REAL) END)", id, id), NULL); /* (a number: below any text) */
  else if (col->type == VT_DATE) {
    push(f, VT_DATE, fmt_sql(f, "vigil_day(%s)", id), NULL);
    set_lin(f, c, 1, 0);
  } else
    push(f, S_UNKNOWN, NULL, NULL);
  vg_free(id);
}

/* 1 when v, the constant pushed right before the operation, is a whole
** number of days. */
static int whole_days(const val *v) {
  return v && v->t == VT_DUR && v->u.n == floor(v->u.n) && fabs(v->u.n) < 1e9;
}

static void arith(pf *f, int op, const val *rhs_const) {
  sym b = pop(f), a = pop(f);
  uint8_t t = S_UNKNOWN;
  char *e = NULL;
  if (a.exact && b.exact) {
    if (a.type == VT_DATE && b.type == VT_DUR && whole_days(rhs_const)) {
      t = VT_DATE; /* date ± whole days: the day number moves by that many (no fraction to drop) */
      e = fmt_sql(f, "(%s %c %s)", a.exact, op == OP_ADD ? '+' : '-', b.exact);
    } else if (op == OP_SUB && a.type == VT_DATE && b.type == VT_DATE) {
      t = VT_DUR;
      e = fmt_sql(f, "(%s - %s)", a.exact, b.exact);
    }
  }
  /* k + sgn * day(col) stays so when at most one side reads a column */
  int lin = e && a.lin && b.lin && (a.sgn == 0 || b.sgn == 0);
  int col = a.sgn ? a.col : b.col, sgn = op == OP_ADD ? a.sgn + b.sgn : a.sgn - b.sgn;
  double k = op == OP_ADD ? a.k + b.k : a.k - b.k;
  sym_free(&a);
  sym_free(&b);
  push(f, e ? t : S_UNKNOWN, e, NULL);
  if (lin) set_lin(f, col, sgn, k);
}

/* A text comparison of date column col's value with the day's ISO text:
** `(+"col") COLLATE BINARY <op> 'YYYY-MM-DD'` (the day in years 1..9999):
** the + takes away the column's affinity, which would have SQLite try to
** read both texts as numbers at each comparison (a DATE column's is
** NUMERIC), and BINARY its collation. */
static int day_text(pf *f, vg_buf *b, int col, const char *op, double day) {
  char iso[16];
  lib_format_date((int32_t)day, iso);
  int rc = vg_buf_append(b, "(+", 2);
  rc |= exec_quote_ident(b, f->s->cols[col].name);
  rc |= vg_buf_printf(b, ") COLLATE BINARY %s '%s'", op, iso);
  return rc;
}

/* A cheap necessary condition, for a row without bad data, of
** day(col) <op> bound, or NULL (none).  A date text lib_parse_date reads
** begins with its day's 'YYYY-MM-DD' (years 0001..9999), and a time's zone
** moves the day it reads by at most one either way (get_time): so its day
** d and the day p of its first ten characters have p - 1 <= d <= p + 1, and
** the text compares with a day's ISO text (BINARY, 4-digit years: the order
** of the days) as p does.  day > B needs p >= B, text >= iso(B); day < B
** needs p <= B, text < iso(B + 1).  Null in, null out (so `cheap AND
** exact` is exact on such rows, not only necessary). */
static char *day_cheap(pf *f, int col, int op, double bound) {
  double lo = -HUGE_VAL, hi = HUGE_VAL; /* the whole days the condition allows */
  switch (op) {
  case OP_GT: lo = floor(bound) + 1; break;
  case OP_GE: lo = ceil(bound); break;
  case OP_LT: hi = ceil(bound) - 1; break;
  case OP_LE: hi = floor(bound); break;
  case OP_EQ: if (bound != floor(bound)) return NULL; lo = hi = bound; break;
  default: return NULL;
  }
  /* text >= iso(lo - 1); text < iso(hi + 2); a side out of the range of
  ** readable days is left out (the exact test decides) */
  int has_lo = fabs(lo) < 1e9 && lib_day_in_range((int64_t)(lo - 1)); /* (no cast out of range: a bound */
  int has_hi = fabs(hi) < 1e9 && lib_day_in_range((int64_t)(hi + 2));  /* of 1e300 days is no day) */
  if (!has_lo && !has_hi) return NULL;
  vg_buf b = {NULL, 0, 0};
  int rc = vg_buf_append(&b, "(", 1);
  if (has_lo) rc |= day_text(f, &b, col, ">=", lo - 1);
  if (has_lo && has_hi) rc |= vg_buf_append(&b, " AND ", 5);
  if (has_hi) rc |= day_text(f, &b, col, "<", hi + 2);
  rc |= vg_buf_append(&b, ")", 1);
  char *c = rc ? NULL : fmt_sql(f, "%s", b.data);
  if (rc) f->failed = 1;
  vg_buf_free(&b);
  return c;
}

static void compare(pf *f, int op) {
  static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
  sym b = pop(f), a = pop(f);
  char *e = NULL;
  int same = a.type == b.type && a.type != S_UNKNOWN && a.type != VT_NULL;
  int with_null = (a.type == VT_NULL && b.type != S_UNKNOWN) || (b.type == VT_NULL && a.type != S_UNKNOWN);
  if (a.exact && b.exact && (same || with_null)) e = fmt_sql(f, "(%s %s %s)", a.exact, ops[op - OP_EQ], b.exact);
  /* k + sgn * day(col) <op> c, with c known: a cheap text test first, so
  ** that SQLite calls vigil_day() only on the rows it lets through */
  if (e && same && a.lin && b.lin && (a.sgn == 0) != (b.sgn == 0)) {
    static const int flip[] = {OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE}; /* x op y is y flip(op) x */
    int o = op;
    if (a.sgn == 0) { sym t = a; a = b; b = t; o = flip[op - OP_EQ]; } /* the column's side left */
    double bound = b.k - a.k;    /* sgn * day  o  bound */
    if (a.sgn < 0) { bound = -bound; o = flip[o - OP_EQ]; }
    char *c = a.sgn == 1 || a.sgn == -1 ? day_cheap(f, a.col, o, bound) : NULL;
    if (c) {
      char *both = fmt_sql(f, "(%s AND %s)", c, e);
      vg_free(c);
      vg_free(e);
      e = both;
    }
  }
  sym_free(&a);
  sym_free(&b);
  push(f, e ? VT_BOOL : S_UNKNOWN, e, e ? fmt_sql(f, "%s", e) : NULL);
}

static void logic(pf *f, int op) {
  sym b = pop(f), a = pop(f);
  char *e = NULL, *m = NULL;
  const char *w = op == OP_AND ? "AND" : "OR";
  if (a.exact && b.exact) e = fmt_sql(f, "(%s %s %s)", a.exact, w, b.exact);
  if (op == OP_AND) {
    if (a.may && b.may) m = fmt_sql(f, "(%s AND %s)", a.may, b.may);
    else if (a.may || b.may) m = fmt_sql(f, "%s", a.may ? a.may : b.may);
  } else if (a.may && b.may) {
    m = fmt_sql(f, "(%s OR %s)", a.may, b.may);
  }
  sym_free(&a);
  sym_free(&b);
  push(f, VT_BOOL, e, m);
}

/* The guards found so far (texts owned). */
static int add_guard(pf *f, const char *may) {
  if (f->nguards == f->capguards) {
    int ncap = f->capguards ? f->capguards * 2 : 8;
    char **ng = vg_realloc(f->guards, (size_t)ncap * sizeof *ng);
    if (!ng) return -1;
    f->guards = ng;
    f->capguards = ncap;
  }
  char *c = fmt_sql(f, "%s", may);
  if (!c) return -1;
  f->guards[f->nguards++] = c;
  return 0;
}

/* The conditions known to be true on the code's path so far: each pending
** JMPF's may (or NULL: none) and its target, the innermost last.  A JMPF is
** passed only when its condition is true, control flow is forward only
** (JMP is refused), and an entry is dropped at its target, where the jump
** joins the path; so at an EMIT every condition in the list holds. */
typedef struct pending { char *may; uint32_t target; } pending;
typedef vg_vec(pending) path;

static void path_pop(path *pa) {
  vg_free(pa->v[--pa->n].may);
}

/* The AND of the path's conditions, as logic() writes a left-nested `and`
** chain, so that the guard reads as it did when the chain was one
** condition; NULL when none is known (or out of memory: f->failed). */
static char *path_guard(pf *f, const path *pa) {
  char *g = NULL;
  for (size_t i = 0; i < pa->n && !f->failed; i++) {
    if (!pa->v[i].may) continue;
    char *next = g ? fmt_sql(f, "(%s AND %s)", g, pa->v[i].may) : fmt_sql(f, "%s", pa->v[i].may);
    vg_free(g);
    g = next;
  }
  return g;
}

/* The guards of rule function fn, added to f->guards; 0, or -1 when there
** is no usable guard (or the shape is not the code generator's): every
** EMIT behind at least one known condition, JMPFs at an empty stack whose
** targets nest, and each guarded block ending in EMIT; RET right where its
** innermost JMPF goes.  A tier's guard is the AND of every condition on its
** path: a clause tested whole (COND JMPF), conjunct by conjunct (c1 JMPF
** c2 JMPF ...), or behind a first conjunct all clauses share (c1 JMPF end,
** end being the function's last RET). */
/* How deep counts_fn follows function operands before it gives up (and
** says "may count": the safe answer). */
#define COUNTS_DEPTH 32

static int counts_fn(const vm_program *p, int fn, int depth);

/* 1 when instruction in of a function of source si can count something the
** run reports on a row the WHERE would drop: a column of no declared type
** (its values may be of any type: W-dynamic-type), a lookup (the bad data of
** the rows it reads), manager() (recipients missing from the org), or a
** function operand whose function can.  Values of declared types are read
** as their type or null, with their bad data counted as the row is read
** (or_bad_rows keeps such rows), so operations on them count nothing. */
static int counts_insn(const vm_program *p, int si, const vm_insn *in, int depth) {
  switch (in->op) {
  case OP_COL: return in->o[0] >= p->sources[si].ncols || p->sources[si].cols[in->o[0]].type == VT_NULL;
  case OP_LOOKUP: case OP_MANAGER: return 1;
  default: break;
  }
  for (int k = 0; k < vm_ops[in->op].nops; k++)
    if (vm_ops[in->op].kind[k] == VM_K_FN && counts_fn(p, in->o[k], depth + 1)) return 1;
  return 0;
}

static int counts_fn(const vm_program *p, int fn, int depth) {
  if (depth > COUNTS_DEPTH || fn < 0 || fn >= (int)p->nfuncs) return 1;
  const vm_func *fu = &p->funcs[fn];
  const uint8_t *code = p->code + fu->code_off;
  vm_insn in;
  for (uint32_t pc = 0; pc < fu->code_len; pc += in.len)
    if (vm_decode(code, fu->code_len, pc, &in) != VM_DEC_OK || counts_insn(p, fu->source, &in, depth)) return 1;
  return 0;
}

static int rule_guards(pf *f, int fn, vg_buf *out) {
  (void)out;
  const vm_program *p = f->p;
  const vm_func *fu = &p->funcs[fn];
  const uint8_t *code = p->code + fu->code_off;
  uint32_t n = fu->code_len, pc = 0;
  path pa = {0};
  int emitted = 0, result = 0;
  int counting = 0; /* an instruction since the last JMPF or EMIT can count (counts_insn) */
  val last_const = val_null();
  int have_const = 0;
  vm_insn in;
  for (; pc < n && result == 0 && !f->failed; pc += in.len) {
    if (vm_decode(code, n, pc, &in) != VM_DEC_OK) { result = -1; break; } /* never, once verified */
    while (pa.n && pa.v[pa.n - 1].target == pc) path_pop(&pa); /* a jump joins the path here */
    if (pa.n && pa.v[pa.n - 1].target < pc) { result = -1; break; } /* never, once verified and nested */
    int op = (int)in.op;
    int was_const = 0;
    counting |= counts_insn(p, fu->source, &in, 0);
    switch (op) {
    case OP_CONST:
      last_const = p->consts[in.o[0]];
      have_const = was_const = 1;
      push_value(f, last_const);
      break;
    case OP_PARAM:
      last_const = p->params[in.o[0]].value;
      have_const = was_const = 1;
      push_value(f, last_const);
      break;
    case OP_NULL: push_value(f, val_null()); break;
    case OP_TRUE: push_value(f, val_bool(1)); break;
    case OP_FALSE: push_value(f, val_bool(0)); break;
    case OP_COL: push_col(f, in.o[0]); break;
    case OP_ASOF:
      push(f, VT_DATE, fmt_sql(f, "?1"), NULL);
      set_lin(f, -1, 0, f->as_of);
      break;
    case OP_ADD: case OP_SUB: {
      const val *k = NULL;
      if (have_const && pc > 0) k = &last_const; /* only a constant right before the op is the rhs */
      arith(f, op, k);
      break;
    }
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: compare(f, op); break;
    case OP_AND: case OP_OR: logic(f, op); break;
    case OP_NOT: {
      sym a = pop(f);
      char *e = a.exact ? fmt_sql(f, "(NOT %s)", a.exact) : NULL;
      sym_free(&a);
      push(f, e ? VT_BOOL : S_UNKNOWN, e, e ? fmt_sql(f, "%s", e) : NULL);
      break;
    }
    case OP_ISNULL: {
      sym a = pop(f);
      char *e = NULL;
      if (a.exact && a.lin && a.sgn != 0) {
        /* a day read from a column, moved by a constant: null where the
        ** column is null, on a row without bad data (or_bad_rows keeps the
        ** others), with no vigil_day() call */
        char *id = ident(f, f->s->cols[a.col].name);
        e = id ? fmt_sql(f, "(%s IS NULL)", id) : NULL;
        vg_free(id);
      } else if (a.exact) {
        e = fmt_sql(f, "(%s IS NULL)", a.exact);
      }
      sym_free(&a);
      push(f, VT_BOOL, e, e ? fmt_sql(f, "%s", e) : NULL);
      break;
    }
    case OP_JMPF: {
      /* a condition is evaluated on every row, the dropped ones too: one
      ** that can count would count on the paths that read every row and not
      ** on this one (the message and recipient, after the last JMPF of a
      ** tier, are evaluated only on rows that fire) */
      if (counting) { result = -1; break; }
      sym g = pop(f);
      uint32_t target = pc + in.len + in.o[0];
      if (f->sp != 0 || emitted || (pa.n && target > pa.v[pa.n - 1].target)) {
        result = -1; /* a value left under it, after an EMIT, or jumps that do not nest */
        sym_free(&g);
        break;
      }
      if (vg_vec_push(&pa, ((pending){g.may, target})) != 0) { f->failed = 1; sym_free(&g); break; }
      g.may = NULL; /* owned by the path now */
      sym_free(&g);
      break;
    }
    case OP_EMIT: {
      counting = 0;
      char *guard = path_guard(f, &pa);
      if (!guard) result = -1; /* an unguarded alert, or no usable condition */
      else if (add_guard(f, guard) != 0) f->failed = 1;
      vg_free(guard);
      for (int k = 0; k < 2; k++) {
        sym x = pop(f);
        sym_free(&x);
      }
      emitted = 1;
      break;
    }
    case OP_RET:
      /* the end of a guarded block must be where its innermost JMPF goes */
      if (pa.n && (pc + in.len != pa.v[pa.n - 1].target || !emitted)) result = -1;
      emitted = 0;
      while (f->sp) {
        sym x = pop(f);
        sym_free(&x);
      }
      break;
    default: {
      /* anything else: its result is not known; pops and pushes as decoded */
      if (op == OP_JMP || op == OP_RETV) { result = -1; break; }
      for (uint32_t k = 0; k < in.pops; k++) {
        sym x = pop(f);
        sym_free(&x);
      }
      for (uint32_t k = 0; k < in.pushes; k++) push(f, S_UNKNOWN, NULL, NULL);
      break;
    }
    }
    if (!was_const) have_const = 0;
  }
  while (f->sp) {
    sym x = pop(f);
    sym_free(&x);
  }
  if (pa.n) result = -1;
  while (pa.n) path_pop(&pa);
  vg_vec_free(&pa);
  return f->failed ? -1 : result;
}

/* 1 when no two rows of the source's table can share a key: the key is the
** table's INTEGER PRIMARY KEY, or alone in a unique index that is not partial. */
/* ---- the WHERE: tiers' guards OR-ed, their common conjuncts factored out --------- */

/* The end of the quoted identifier starting at s[i] ('"'): the index after it. */
static size_t skip_quoted(const char *s, size_t i) {
  for (i++; s[i]; i++)
    if (s[i] == '"') {
      if (s[i + 1] != '"') return i + 1;
      i++;
    }
  return i;
}

/* When s is "(A AND B)" (as logic() writes it), the offsets of A's end and
** B's start; 0 otherwise. */
static int split_and(const char *s, size_t *a_end, size_t *b_start) {
  size_t n = strlen(s);
  if (n < 2 || s[0] != '(' || s[n - 1] != ')') return 0;
  int depth = 0;
  size_t at = 0;
  for (size_t i = 0; i < n;) {
    char ch = s[i];
    if (ch == '"') { i = skip_quoted(s, i); continue; }
    if (ch == '(') depth++;
    else if (ch == ')') {
      depth--;
      if (depth == 0 && i != n - 1) return 0; /* "(A) AND (B)": not one group */
    } else if (depth == 1 && !at && strncmp(s + i, " AND ", 5) == 0) {
      at = i;
    }
    i++;
  }
  if (!at) return 0;
  *a_end = at;
  *b_start = at + 5;
  return 1;
}

/* The top-level conjuncts of s into list (texts owned by the list). */
typedef struct conj { char **v; int n, cap; } conj;
static int conj_add(conj *l, const char *s, size_t n) {
  if (l->n == l->cap) {
    int ncap = l->cap ? l->cap * 2 : 8;
    char **nv = vg_realloc(l->v, (size_t)ncap * sizeof *nv);
    if (!nv) return -1;
    l->v = nv;
    l->cap = ncap;
  }
  char *c = vg_realloc(NULL, n + 1);
  if (!c) return -1;
  memcpy(c, s, n);
  c[n] = 0;
  l->v[l->n++] = c;
  return 0;
}
static int conj_split(conj *l, const char *s) {
  size_t a, b;
  if (!split_and(s, &a, &b)) return conj_add(l, s, strlen(s));
  char *left = vg_realloc(NULL, a), *right = vg_realloc(NULL, strlen(s) - b);
  if (!left || !right) { vg_free(left); vg_free(right); return -1; }
  memcpy(left, s + 1, a - 1);
  left[a - 1] = 0;
  size_t rn = strlen(s) - b - 1;
  memcpy(right, s + b, rn);
  right[rn] = 0;
  int rc = conj_split(l, left) | conj_split(l, right);
  vg_free(left);
  vg_free(right);
  return rc ? -1 : 0;
}
static void conj_free(conj *l) {
  for (int i = 0; i < l->n; i++) vg_free(l->v[i]);
  vg_free(l->v);
}
static int conj_has(const conj *l, const char *s) {
  for (int i = 0; i < l->n; i++)
    if (strcmp(l->v[i], s) == 0) return 1;
  return 0;
}

/* where = the OR of the guards, with the conjuncts every guard has written
** once: A and B1 or A and B2 is A and (B1 or B2).  SQLite does not share
** repeated calls, and each vigil_day() is a date parse. */
static int combine(pf *f, vg_buf *where) {
  conj *g = vg_realloc(NULL, (size_t)f->nguards * sizeof *g);
  if (!g) return -1;
  memset(g, 0, (size_t)f->nguards * sizeof *g);
  int rc = 0;
  for (int i = 0; i < f->nguards && rc == 0; i++) rc = conj_split(&g[i], f->guards[i]);
  int any_rest_empty = 0, first = 1;
  if (rc == 0) {
    rc |= vg_buf_append(where, "(", 1);
    /* the common conjuncts: those of the first guard found in every other */
    for (int k = 0; k < g[0].n; k++) {
      int all = 1;
      for (int i = 1; i < f->nguards && all; i++) all = conj_has(&g[i], g[0].v[k]);
      if (!all || (k > 0 && conj_has(&(conj){g[0].v, k, k}, g[0].v[k]))) continue;
      rc |= vg_buf_printf(where, "%s%s", first ? "" : " AND ", g[0].v[k]);
      first = 0;
    }
    /* the rest of each guard, OR-ed; nothing when some guard has no rest */
    vg_buf rest = {NULL, 0, 0};
    for (int i = 0; i < f->nguards && !any_rest_empty; i++) {
      vg_buf one = {NULL, 0, 0};
      int n = 0;
      for (int k = 0; k < g[i].n; k++) {
        int common = 1;
        for (int j = 0; j < f->nguards && common; j++) common = conj_has(&g[j], g[i].v[k]);
        if (common) continue;
        rc |= vg_buf_printf(&one, "%s%s", n++ ? " AND " : "", g[i].v[k]);
      }
      if (n == 0) any_rest_empty = 1;
      else rc |= vg_buf_printf(&rest, "%s(%s)", rest.len ? " OR " : "", one.data);
      vg_buf_free(&one);
    }
    if (!any_rest_empty && rest.len) rc |= vg_buf_printf(where, "%s(%s)", first ? "" : " AND ", rest.data);
    else if (first) rc |= vg_buf_append(where, "1", 1);
    vg_buf_free(&rest);
    rc |= vg_buf_append(where, ")", 1);
  }
  for (int i = 0; i < f->nguards; i++) conj_free(&g[i]);
  vg_free(g);
  return rc ? -1 : 0;
}

int exec_key_unique(exec_pack *pr, const vm_source *s) {
  static const char *const q =
      "SELECT 1 FROM pragma_table_info(?1) WHERE pk = 1 AND name = ?2 COLLATE NOCASE AND upper(type) = 'INTEGER'"
      " AND (SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1"
      " UNION ALL "
      "SELECT 1 FROM pragma_index_list(?1) AS il WHERE il.\"unique\" AND NOT il.partial"
      " AND (SELECT count(*) FROM pragma_index_info(il.name)) = 1"
      " AND (SELECT name FROM pragma_index_info(il.name)) = ?2 COLLATE NOCASE";
  sqlite3_stmt *st = NULL;
  int found = 0;
  if (sqlite3_prepare_v2(pr->db, q, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, s->table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, s->cols[s->key].name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}

/* OR the rows with bad data into where, so that SQLite keeps them: each is
** read, and its bad data counted, as every other way of reading the source
** counts it (docs/LANGUAGE.md §11.1).  Bad data is rare; the test is by type
** but for date text, which only the runtime can read: SQLite orders every
** number below every text and blob, so `+x >= ''` holds for text and blobs
** only (a comparison, cheaper than typeof(), which makes a text per row; the
** + takes away the column's affinity, with which SQLite would try to read
** both sides as numbers at each comparison: a text the column's affinity
** would read as a number is still text to exec_read_row);
** the date columns are tested by one vigil_unread() call (a row's every
** date column read once, where vigil_day() was a call a column). */
static int or_bad_rows(const vm_source *s, vg_buf *where) {
  vg_buf b = {NULL, 0, 0}, dates = {NULL, 0, 0};
  int rc = 0;
  for (int i = 0; i < s->ncols && rc == 0; i++) {
    vg_buf id = {NULL, 0, 0};
    rc = exec_quote_ident(&id, s->cols[i].name);
    int t = s->cols[i].type;
    const char *or = b.len ? " OR " : "";
    if (rc) {
    } else if (i == s->time || (i == s->key && t == VT_DATE)) { /* (null is bad here too) */
      rc = vg_buf_printf(&b, "%s%s IS NULL", or, id.data);
      rc |= vg_buf_printf(&dates, "%s%s", dates.len ? ", " : "", id.data);
    } else if (i == s->key) {
      if (t == VT_NUM) rc = vg_buf_printf(&b, "%s%s IS NULL OR +%s >= ''", or, id.data, id.data);
      else rc = vg_buf_printf(&b, "%s%s IS NULL", or, id.data);
    } else if (t == VT_NUM) {
      rc = vg_buf_printf(&b, "%s+%s >= ''", or, id.data);
    } else if (t == VT_DATE) {
      rc = vg_buf_printf(&dates, "%s%s", dates.len ? ", " : "", id.data);
    }
    vg_buf_free(&id);
  }
  if (rc == 0 && dates.len) rc = vg_buf_printf(&b, "%svigil_unread(%s)", b.len ? " OR " : "", dates.data);
  if (rc == 0 && b.len) {
    vg_buf w = {NULL, 0, 0};
    rc = vg_buf_printf(&w, "%s OR %s", where->data, b.data);
    if (rc == 0) {
      where->len = 0;
      rc = vg_buf_append(where, w.data, w.len);
    }
    vg_buf_free(&w);
  }
  vg_buf_free(&b);
  vg_buf_free(&dates);
  return rc ? -1 : 0;
}

int exec_prefilter(exec_pack *pr, int si, const int *rules, int nrules, vg_buf *where, val **binds, int *nbinds) {
  const vm_program *p = pr->p;
  where->len = 0;
  *binds = NULL;
  *nbinds = 0;
  if (pr->ndates != 1 || pr->o->no_seek || nrules == 0) return 0;
  for (int i = 0; i < nrules; i++) {
    const vm_rule *r = &p->rules[rules[i]];
    if (r->clear >= 0 || vm_lookback(p, r->fn) != 0) return 0;
  }
  if (!exec_key_unique(pr, &p->sources[si])) return 0;
  /* the source's where runs on every row the scan reads: on a dropped row
  ** it could not count what it counts on the other paths */
  if (p->sources[si].where >= 0 && counts_fn(p, p->sources[si].where, 0)) return 0;
  pf f;
  memset(&f, 0, sizeof f);
  f.p = p;
  f.s = &p->sources[si];
  f.as_of = pr->dates[0];
  vg_buf w = {NULL, 0, 0};
  int ok = 1;
  for (int i = 0; i < nrules && ok; i++)
    if (rule_guards(&f, p->rules[rules[i]].fn, &w) != 0) ok = 0;
  vg_free(f.st);
  vg_buf_free(&w);
  int rc = !ok || f.failed || f.nguards == 0 ? (f.failed ? -1 : 0)
         : combine(&f, where) == 0 && or_bad_rows(f.s, where) == 0 ? 1 : -1;
  for (int i = 0; i < f.nguards; i++) vg_free(f.guards[i]);
  vg_free(f.guards);
  if (rc != 1) {
    vg_free(f.binds);
    where->len = 0;
    return rc;
  }
  *binds = f.binds;
  *nbinds = f.nbinds;
  return 1;
}
