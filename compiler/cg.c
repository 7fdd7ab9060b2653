/*
** cg.c — code generation: a checked pack (sema.h) becomes a vm_program.
**
** Every rule compiles to one rule function: its tier clauses from the highest
** tier down, each `COND; JMPF next; MESSAGE; RECIPIENT; EMIT tier; RET`.  A
** clause whose condition is `c1 and c2 and ...` tests it conjunct by conjunct
** (`c1; JMPF next; c2; JMPF next; ...`) when skipping the later conjuncts
** cannot change the type warnings the run counts (warning_free), and a first
** conjunct every clause shares is tested once before them (`c1; JMPF end`).
** Whatever is evaluated on other rows (a `for` condition, the argument of a
** window function, prev, pct_change, streak) compiles to a value function of
** its own, called by the window instruction with a cursor; a value function
** is always numbered after the function that calls it, which is what lets the
** verifier prove the call graph acyclic.  A source's where is a value
** function too.  Last come the measures of the rules' clauses (the sides
** of their comparisons, for an alert's size), which a limit drops rather
** than fails.
*/
#include <stdio.h>
#include <string.h>
#include "sema.h"
#include "../core/prog.h"
#include "../core/bc.h"
#include "../core/map.h"
#include "../core/vec.h"
#include "../stdlib/lib.h"

typedef struct fnb {
  vm_func fn;              /* its entry of the program's function table (link_funcs sets the offsets) */
  int index;
  long depth;              /* values on the VM's stack after the code so far (as the verifier counts) */
  vg_buf code;
  vg_buf lines;            /* vm_lineinfo[] */
  vm_lineinfo last;
  int has_last;
} fnb;

typedef struct cgen {
  cc *c;
  const sm_pack *pk;
  vm_program *p;
  vg_vec(fnb *) fb;                  /* the functions so far */
  vg_vec(val) consts;
  vg_map cmap;                       /* the constants by value */
  size_t bytes;                      /* instructions and line entries so far (VG_MAX_CODE) */
  vg_loc top;                        /* the expression being compiled (a clause, a let, ...) */
  int failed;
  int soft;                          /* compiling measures: a limit drops them instead (rule_measures) */
} cgen;

/* A limit of the bytecode at loc (E-limit: the compilation stops), or a bug
** of Vigil's (what starts with "internal"). */
static void fail(cgen *g, vg_loc loc, const char *what) {
  if (g->failed) return;
  if (g->soft) { g->failed = 1; return; } /* rule_measures takes it back */
  if (strncmp(what, "internal", 8) == 0) cc_error(g->c, loc, DIAG_E_INTERNAL, "%s", what);
  else cc_limit(g->c, loc, "%s", what);
  g->failed = 1;
}

/* Counts n more bytes of code or line table; 0, or -1 past VG_MAX_CODE
** (reported at the expression being compiled): measured as the program
** grows, not after. */
static int grow(cgen *g, size_t n) {
  g->bytes += n;
  if (g->bytes <= VG_MAX_CODE) return 0;
  char msg[160];
  snprintf(msg, sizeof msg, "this pack is too large for the bytecode (over %u bytes of code and line table)", (unsigned)VG_MAX_CODE);
  fail(g, g->top, msg);
  return -1;
}

/* ---- constants -------------------------------------------------------------- */

static uint32_t val_hash(val v) {
  uint64_t h = 1469598103934665603ull ^ v.t;
  if (v.t == VT_STR) {
    for (uint32_t i = 0; i < v.len; i++) h = (h ^ (unsigned char)v.u.s[i]) * 1099511628211ull;
  } else {
    unsigned char b[8];
    memcpy(b, &v.u, sizeof b < sizeof v.u ? sizeof b : sizeof v.u);
    if (v.t == VT_DATE) { memset(b, 0, sizeof b); memcpy(b, &v.u.d, sizeof v.u.d); }
    if (v.t == VT_BOOL) { memset(b, 0, sizeof b); b[0] = (unsigned char)v.u.b; }
    if (v.t == VT_NULL) memset(b, 0, sizeof b);
    for (int i = 0; i < 8; i++) h = (h ^ b[i]) * 1099511628211ull;
  }
  return (uint32_t)(h ^ (h >> 32));
}

static int val_same(val a, val b) {
  if (a.t != b.t) return 0;
  switch (a.t) {
  case VT_NULL: return 1;
  case VT_NUM: case VT_DUR: return memcmp(&a.u.n, &b.u.n, sizeof a.u.n) == 0;
  case VT_DATE: return a.u.d == b.u.d;
  case VT_BOOL: return a.u.b == b.u.b;
  case VT_STR: return a.len == b.len && memcmp(a.u.s, b.u.s, a.len) == 0;
  }
  return 0;
}

typedef struct const_key {
  const cgen *g;
  val v;
} const_key;

static int same_const(const void *ctx, uint32_t i) {
  const const_key *k = ctx;
  return val_same(k->g->consts.v[i], k->v);
}

/* Index of constant v (added once).  Returns -1 when out of memory. */
static long konst(cgen *g, val v) {
  uint32_t h = val_hash(v);
  const_key k = {g, v};
  long i = vg_map_find(&g->cmap, h, same_const, &k);
  if (i >= 0) return i;
  if (v.t == VT_STR) {
    char *s = vg_arena_strndup(&g->p->arena, v.u.s, v.len);
    if (!s) return -1;
    v.u.s = s;
  }
  if (vg_vec_push(&g->consts, v) != 0) return -1;
  if (vg_map_put(&g->cmap, h, (uint32_t)(g->consts.n - 1)) != 0) {
    g->consts.n--;
    return -1;
  }
  return (long)g->consts.n - 1;
}

/* ---- emitting ---------------------------------------------------------------- */

static uint32_t pc_of(const fnb *f) { return (uint32_t)f->code.len; }

static void at(cgen *g, fnb *f, vg_loc loc) {
  if (g->failed || loc.file >= g->c->nfiles) return;
  vm_lineinfo li;
  int line, col;
  cc_line_col(g->c, loc.file, loc.start, &line, &col);
  li.pc = pc_of(f);
  li.file = loc.file;
  li.line = (uint32_t)line;
  li.col = (uint32_t)col;
  if (f->has_last && f->last.line == li.line && f->last.col == li.col && f->last.file == li.file) return;
  if (f->has_last && f->last.pc == li.pc && f->lines.len >= sizeof li) {
    f->lines.len -= sizeof li; /* nothing emitted since: replace */
  } else if (grow(g, sizeof li) != 0) {
    return;
  }
  if (vg_buf_append(&f->lines, &li, sizeof li) != 0) g->c->oom = 1;
  f->last = li;
  f->has_last = 1;
}

/* Emit op with its operands (vm_ops[op].nops of them), counting the stack
** depth as the verifier will, so a limit is a located E-limit here. */
static void emit(cgen *g, fnb *f, vg_loc loc, int op, long a, long b, long c3) {
  if (g->failed || g->c->oom) return;
  long ops[3] = {a, b, c3};
  uint8_t bytes[7];
  int n = 0;
  bytes[n++] = (uint8_t)op;
  for (int i = 0; i < vm_ops[op].nops; i++) {
    if (ops[i] < 0 || ops[i] > 0xffff) {
      fail(g, loc, "this pack is too large for the bytecode (an operand exceeds 65535)");
      return;
    }
    bytes[n++] = (uint8_t)(ops[i] & 0xff);
    bytes[n++] = (uint8_t)(ops[i] >> 8);
  }
  const uint16_t o16[3] = {(uint16_t)a, (uint16_t)b, (uint16_t)c3}; /* the first nops are in range (above) */
  f->depth += vm_ops[op].pushes - (long)vm_op_pops((unsigned)op, o16);
  if (f->depth > VM_MAX_STACK) {
    char msg[200];
    snprintf(msg, sizeof msg, "this expression needs more than %d values on the VM's stack at once (calls with many arguments nested in each other)",
             VM_MAX_STACK);
    fail(g, loc, msg);
    return;
  }
  if (grow(g, (size_t)n) != 0) return;
  if (vg_buf_append(&f->code, bytes, (size_t)n) != 0) g->c->oom = 1;
}

static void emit_const(cgen *g, fnb *f, vg_loc loc, val v) {
  long k = konst(g, v);
  if (k < 0) { g->c->oom = 1; return; }
  emit(g, f, loc, OP_CONST, k, 0, 0);
}

/* A forward jump whose offset is patched by patch(). */
static uint32_t emit_jump(cgen *g, fnb *f, vg_loc loc, int op) {
  emit(g, f, loc, op, 0, 0, 0);
  return pc_of(f);
}

static void patch(cgen *g, fnb *f, uint32_t after, vg_loc loc) {
  if (g->failed || g->c->oom) return; /* the jump may not have been emitted */
  uint32_t off = pc_of(f) - after;
  if (off > 0xffff) { fail(g, loc, "a rule's code is too long for a jump (over 65535 bytes)"); return; }
  if (f->code.data) {
    f->code.data[after - 2] = (char)(off & 0xff);
    f->code.data[after - 1] = (char)(off >> 8);
  }
}

/* A new function for the code at loc; NULL when out of memory (c->oom set)
** or past VG_MAX_ITEMS functions (reported at loc). */
static fnb *new_fn(cgen *g, int kind, int source, vg_loc loc) {
  if (g->failed || g->c->oom) return NULL;
  if (g->fb.n >= VG_MAX_ITEMS) {
    char msg[200];
    snprintf(msg, sizeof msg, "this pack needs more than %d functions in the bytecode (one per rule, let, where, "
             "clear condition, 'for' and window function)", VG_MAX_ITEMS);
    fail(g, loc, msg);
    return NULL;
  }
  fnb *f = vg_realloc(NULL, sizeof *f);
  if (!f) { g->c->oom = 1; return NULL; }
  if (vg_vec_push(&g->fb, f) != 0) {
    vg_free(f);
    g->c->oom = 1;
    return NULL;
  }
  memset(f, 0, sizeof *f);
  f->index = (int)g->fb.n - 1;
  f->fn.kind = (uint8_t)kind;
  f->fn.source = (uint16_t)source;
  return f;
}

/* ---- expressions --------------------------------------------------------------- */

static void expr(cgen *g, fnb *f, int source, const ast *n);

/* Compile n into a value function of its own; returns its index, or -1
** when it could not be completed (a limit met inside it: in rule_measures
** that failure is soft, and a half-built function must not be used). */
static long value_fn(cgen *g, int source, const ast *n) {
  fnb *f = new_fn(g, VM_FN_VALUE, source, n->loc);
  if (!f) return -1;
  expr(g, f, source, n);
  emit(g, f, n->loc, OP_RETV, 0, 0, 0);
  return g->failed || g->c->oom ? -1 : f->index;
}

static const int binop[] = {
  [BIN_ADD] = OP_ADD, [BIN_SUB] = OP_SUB, [BIN_MUL] = OP_MUL, [BIN_DIV] = OP_DIV,
  [BIN_EQ] = OP_EQ, [BIN_NE] = OP_NE, [BIN_LT] = OP_LT, [BIN_LE] = OP_LE,
  [BIN_GT] = OP_GT, [BIN_GE] = OP_GE, [BIN_AND] = OP_AND, [BIN_OR] = OP_OR,
};

static void call(cgen *g, fnb *f, int source, const ast *n) {
  switch (n->op) {
  case WF_AGG: {
    const ast *w = n->a->next;
    long fn = value_fn(g, source, n->a);
    if (fn < 0) return;
    at(g, f, n->loc);
    emit(g, f, n->loc, w->flag ? OP_AGGD : OP_AGGN, fn, (long)w->num, n->ref);
    return;
  }
  case WF_PREV: {
    long fn = value_fn(g, source, n->a);
    if (fn < 0) return;
    at(g, f, n->loc);
    emit(g, f, n->loc, OP_PREV, fn, n->ival, 0);
    return;
  }
  case WF_PCTCHG: case WF_STREAK: {
    long fn = value_fn(g, source, n->a);
    if (fn < 0) return;
    at(g, f, n->loc);
    emit(g, f, n->loc, n->op == WF_PCTCHG ? OP_PCTCHG : OP_STREAK, fn, 0, 0);
    return;
  }
  default: {
    long nargs = 0;
    for (const ast *a = n->a; a; a = a->next, nargs++) expr(g, f, source, a);
    at(g, f, n->loc);
    emit(g, f, n->loc, OP_CALL, n->ref, nargs, 0);
  }
  }
}

static void expr(cgen *g, fnb *f, int source, const ast *n) {
  if (!n || g->c->oom || g->failed) return;
  switch (n->kind) {
  case A_NUM: emit_const(g, f, n->loc, val_num(n->num)); break;
  case A_DUR: emit_const(g, f, n->loc, val_dur(n->num)); break;
  case A_DATE: emit_const(g, f, n->loc, val_date(n->date)); break;
  case A_STR: emit_const(g, f, n->loc, val_str(n->str, n->len)); break;
  case A_BOOL: emit(g, f, n->loc, n->num != 0 ? OP_TRUE : OP_FALSE, 0, 0, 0); break;
  case A_NULL: emit(g, f, n->loc, OP_NULL, 0, 0, 0); break;
  case A_ASOF: emit(g, f, n->loc, OP_ASOF, 0, 0, 0); break;
  case A_STALE: emit(g, f, n->loc, OP_STALE, 0, 0, 0); break;
  case A_COL: emit(g, f, n->loc, OP_COL, n->ref, 0, 0); break;
  case A_PARAM: emit(g, f, n->loc, OP_PARAM, n->ref, 0, 0); break;
  case A_NEG: expr(g, f, source, n->a); at(g, f, n->loc); emit(g, f, n->loc, OP_NEG, 0, 0, 0); break;
  case A_NOT: expr(g, f, source, n->a); emit(g, f, n->loc, OP_NOT, 0, 0, 0); break;
  case A_BIN:
    expr(g, f, source, n->a);
    expr(g, f, source, n->b);
    at(g, f, n->loc);
    emit(g, f, n->loc, binop[n->op], 0, 0, 0);
    break;
  case A_ISNULL:
    expr(g, f, source, n->a);
    emit(g, f, n->loc, OP_ISNULL, 0, 0, 0);
    if (n->flag) emit(g, f, n->loc, OP_NOT, 0, 0, 0);
    break;
  case A_IN: {
    long k = 0;
    expr(g, f, source, n->a);
    for (const ast *e = n->b; e; e = e->next, k++) expr(g, f, source, e);
    at(g, f, n->loc);
    emit(g, f, n->loc, OP_IN, k, 0, 0);
    if (n->flag) emit(g, f, n->loc, OP_NOT, 0, 0, 0);
    break;
  }
  case A_BETWEEN: /* a >= lo and a <= hi: SQL's definition */
    expr(g, f, source, n->a);
    expr(g, f, source, n->b);
    at(g, f, n->loc);
    emit(g, f, n->loc, OP_GE, 0, 0, 0);
    expr(g, f, source, n->a);
    expr(g, f, source, n->c);
    emit(g, f, n->loc, OP_LE, 0, 0, 0);
    emit(g, f, n->loc, OP_AND, 0, 0, 0);
    if (n->flag) emit(g, f, n->loc, OP_NOT, 0, 0, 0);
    break;
  case A_IF: { /* cond; JMPF else; then; JMP end; else: else; end: */
    expr(g, f, source, n->a);
    uint32_t to_else = emit_jump(g, f, n->loc, OP_JMPF);
    expr(g, f, source, n->b);
    uint32_t to_end = emit_jump(g, f, n->loc, OP_JMP);
    patch(g, f, to_else, n->loc);
    expr(g, f, source, n->c);
    patch(g, f, to_end, n->loc);
    break;
  }
  case A_CALL: call(g, f, source, n); break;
  case A_LOOKUP:
    expr(g, f, source, n->a);
    at(g, f, n->loc);
    emit(g, f, n->loc, OP_LOOKUP, (long)n->num, n->ref, 0);
    break;
  case A_MANAGER:
    expr(g, f, source, n->a);
    emit(g, f, n->loc, OP_TEXT, 0, 0, 0);
    at(g, f, n->loc);
    emit(g, f, n->loc, OP_MANAGER, n->ival, 0, 0);
    break;
  case A_PERSON_NAME:
    expr(g, f, source, n->a);
    emit(g, f, n->loc, OP_TEXT, 0, 0, 0);
    at(g, f, n->loc);
    emit(g, f, n->loc, OP_PNAME, 0, 0, 0);
    break;
  default:
    fail(g, n->loc, "internal error: unexpected node in code generation");
  }
}

/* ---- rules ----------------------------------------------------------------------- */

/* A clause's condition: plain, `for N snapshots` (FOR over a value
** function) or `for D` (FORD, calendar persistence). */
static void condition(cgen *g, fnb *f, int source, const ast *cl) {
  if (cl->ival > 0 || cl->num > 0) {
    long fn = value_fn(g, source, cl->a);
    if (fn < 0) return;
    at(g, f, cl->loc);
    if (cl->ival > 0) emit(g, f, cl->loc, OP_FOR, fn, cl->ival, 0);
    else emit(g, f, cl->loc, OP_FORD, fn, (long)cl->num, 0);
  } else {
    expr(g, f, source, cl->a);
  }
}

/* ---- tier clauses that stop at the first false conjunct ------------------------------ */

/* 1 when evaluating n can never count a type warning (vm->type_warnings,
** which `--strict` and the run's warning report read), so that skipping it
** changes nothing the run reports.  runtime/vm.c counts one in arith()
** (+ - * / of types that do not go together), in cmp_op() (two non-null
** values of different types), in NEG of a non-number, in the window
** aggregates and pct_change (values of other rows); a lookup reads rows of
** another source and counts their bad data, and calls back into the run
** (as manager() does).  The checker accepts + - * / and comparisons only
** of types that go together, and a column of a declared type reads a value
** of another type as null (bad data, counted from the code alone): so a
** tree whose every node has a known static type performs none of those
** operations on the wrong types.  T_ANY (a column of no declared type, a
** value computed from one, null) may hold anything.  Lookups, manager(),
** windows, window functions and stale are refused whatever their types.
** When in doubt: 0, and the clause is evaluated whole as before. */
static int warning_free(const ast *n) {
  if (!n) return 1;
  if (n->type == T_ANY || n->type == VT_NULL) return 0;
  switch (n->kind) {
  case A_NUM: case A_STR: case A_DATE: case A_DUR: case A_BOOL: case A_ASOF: case A_COL: case A_PARAM:
    return 1;
  case A_CALL:
    if (n->op != WF_NONE) return 0;
    for (const ast *a = n->a; a; a = a->next)
      if (!warning_free(a)) return 0;
    return 1;
  case A_IN:
    if (!warning_free(n->a)) return 0;
    for (const ast *e = n->b; e; e = e->next)
      if (!warning_free(e)) return 0;
    return 1;
  case A_NEG: case A_NOT: case A_BIN: case A_ISNULL: case A_BETWEEN: case A_IF:
    return warning_free(n->a) && warning_free(n->b) && warning_free(n->c);
  default: /* A_LOOKUP, A_MANAGER, A_STALE, A_WINDOW, anything new */
    return 0;
  }
}

/* The first conjunct of n's top-level `and` chain (left-nested: `a and b
** and c` is ((a and b) and c)), and whether every later one is warning-free. */
static const ast *first_conjunct(const ast *n) {
  while (n->kind == A_BIN && n->op == BIN_AND) n = n->a;
  return n;
}
static int rest_warning_free(const ast *n) {
  for (; n->kind == A_BIN && n->op == BIN_AND; n = n->a)
    if (!warning_free(n->b)) return 0;
  return 1;
}

/* 1 when clause cl's condition is tested conjunct by conjunct (chained):
** no `for`, an `and` at the top, every conjunct after the first warning-free. */
static int chained(const ast *cl) {
  return cl->ival == 0 && cl->num == 0 && cl->a->kind == A_BIN && cl->a->op == BIN_AND && rest_warning_free(cl->a);
}

/* The condition every tier clause of r starts with, to be tested once before
** them, or NULL: each clause chained, and their first conjuncts the same
** warning-free tree (evaluated once instead of once per clause, and when it
** is not true no other conjunct is evaluated at all). */
static const ast *shared_prefix(const sm_rule *r) {
  if (r->nclauses < 1) return NULL;
  const ast *c1 = NULL;
  for (int k = 0; k < r->nclauses; k++) {
    const ast *cl = r->clauses[k];
    if (!chained(cl)) return NULL;
    const ast *first = first_conjunct(cl->a);
    if (!c1) c1 = first;
    else if (!ast_same_tree(c1, first)) return NULL;
  }
  return warning_free(c1) ? c1 : NULL;
}

typedef vg_vec(uint32_t) jumps;

/* Conjunct n of a chain and a JMPF past the clause (added to skips); the
** chain's first conjunct only when with_first. */
static void chain(cgen *g, fnb *f, int source, const ast *n, int with_first, jumps *skips) {
  if (n->kind == A_BIN && n->op == BIN_AND) {
    chain(g, f, source, n->a, with_first, skips);
    n = n->b;
  } else if (!with_first) {
    return;
  }
  expr(g, f, source, n);
  uint32_t j = emit_jump(g, f, n->loc, OP_JMPF);
  if (vg_vec_push(skips, j) != 0) g->c->oom = 1;
}

static void rule_fn(cgen *g, const sm_rule *r) {
  g->top = r->decl->name_loc;
  fnb *f = new_fn(g, VM_FN_RULE, r->source, r->decl->name_loc);
  if (!f) return;
  g->p->rules[g->p->nrules].fn = (uint16_t)f->index;
  /* `c1; JMPF end` once when every clause starts with c1 (see shared_prefix) */
  const ast *prefix = shared_prefix(r);
  uint32_t to_end = 0;
  if (prefix) {
    g->top = prefix->loc;
    at(g, f, r->clauses[r->nclauses - 1]->loc); /* where the rule's code starts, as without the prefix */
    expr(g, f, r->source, prefix);
    to_end = emit_jump(g, f, prefix->loc, OP_JMPF);
  }
  jumps skips = {0};
  for (int k = r->nclauses - 1; k >= 0; k--) { /* the highest tier first */
    const ast *cl = r->clauses[k];
    int t = cl->ref;
    g->top = cl->loc;
    at(g, f, cl->loc);
    skips.n = 0;
    if (chained(cl)) { /* c1; JMPF skip; c2; JMPF skip; ... (c1 left out after a prefix) */
      chain(g, f, r->source, cl->a, !prefix, &skips);
    } else {
      condition(g, f, r->source, cl);
      if (vg_vec_push(&skips, emit_jump(g, f, cl->loc, OP_JMPF)) != 0) g->c->oom = 1;
    }
    if (r->has_message) {
      long parts = 0;
      for (const ast *p = r->message; p; p = p->next, parts++) {
        g->top = p->loc;
        if (p->kind == A_FMT) {
          expr(g, f, r->source, p->a);
          at(g, f, p->loc);
          emit(g, f, p->loc, OP_FMT, (long)p->num, p->ival, 0);
        } else {
          emit_const(g, f, p->loc, val_str(p->str, p->len));
        }
      }
      if (parts == 0) emit_const(g, f, cl->loc, val_str("", 0));
      else if (parts > 1) emit(g, f, cl->loc, OP_CONCAT, parts, 0, 0);
      else if (r->message->kind != A_FMT) { /* a plain string: already text */ }
    } else {
      emit(g, f, cl->loc, OP_NULL, 0, 0, 0);
    }
    if (r->notify) {
      g->top = r->notify->loc;
      expr(g, f, r->source, r->notify);
      emit(g, f, r->notify->loc, OP_TEXT, 0, 0, 0);
    } else {
      emit(g, f, cl->loc, OP_NULL, 0, 0, 0);
    }
    at(g, f, cl->loc);
    emit(g, f, cl->loc, OP_EMIT, t, 0, 0);
    emit(g, f, cl->loc, OP_RET, 0, 0, 0);
    for (size_t i = 0; i < skips.n; i++) patch(g, f, skips.v[i], cl->loc);
  }
  vg_vec_free(&skips);
  if (prefix) patch(g, f, to_end, prefix->loc);
  emit(g, f, r->decl->loc, OP_RET, 0, 0, 0);
}

/* ---- the program ------------------------------------------------------------------- */

static char *dup(cgen *g, const char *s) {
  char *d = vg_arena_strdup(&g->p->arena, s ? s : "");
  if (!d) g->c->oom = 1;
  return d;
}

static void *arr(cgen *g, size_t n, size_t size) {
  void *p = vg_arena_alloc(&g->p->arena, (n ? n : 1) * size);
  if (!p) g->c->oom = 1;
  return p;
}

/* The measures of a clause's condition n (docs/LANGUAGE.md §4.6.1): its
** comparisons of numbers (<, <=, >, >=; a side of no declared type counts,
** the run checks the values), reached through `and` and `or`, in the order
** written; at most MEASURES_PER_CLAUSE of them, appended to m[*k]. */
#define MEASURES_PER_CLAUSE 4
static void measures(const ast *n, const ast **m, int *k) {
  if (!n || *k >= MEASURES_PER_CLAUSE || n->kind != A_BIN) return;
  if (n->op == BIN_AND || n->op == BIN_OR) {
    measures(n->a, m, k);
    measures(n->b, m, k);
    return;
  }
  if (n->op < BIN_LT || n->op > BIN_GE) return;
  int num_a = n->a->type == VT_NUM || n->a->type == T_ANY, num_b = n->b->type == VT_NUM || n->b->type == T_ANY;
  if (num_a && num_b && (n->a->type == VT_NUM || n->b->type == VT_NUM)) m[(*k)++] = n;
}

/* Drops the functions made since the first n (rule_measures). */
static void drop_fns(cgen *g, size_t n) {
  while (g->fb.n > n) {
    fnb *f = g->fb.v[--g->fb.n];
    vg_buf_free(&f->code);
    vg_buf_free(&f->lines);
    vg_free(f);
  }
}

/* Rule r's measures, compiled after every other function, so they never
** change how the rest is numbered or whether it fits: a measure that would
** pass a limit of the bytecode (functions, code) is dropped with the ones
** after it, and its rule's alerts have no size (docs/LANGUAGE.md §4.6.1).
** 0, or -1 when the pack has no room left for measures. */
static int rule_measures(cgen *g, const sm_rule *r, vm_rule *vr) {
  const ast *m[MEASURES_PER_CLAUSE];
  int total = 0;
  for (int k = 0; k < r->nclauses; k++) {
    int n = 0;
    measures(r->clauses[k]->a, m, &n);
    total += n;
  }
  if (total == 0) return 0;
  vr->measures = arr(g, (size_t)total, sizeof *vr->measures);
  if (g->c->oom) return -1;
  g->soft = 1;
  for (int k = 0; k < r->nclauses && !g->failed; k++) {
    int n = 0;
    measures(r->clauses[k]->a, m, &n);
    for (int i = 0; i < n && !g->failed && !g->c->oom; i++) {
      size_t nfns = g->fb.n, bytes = g->bytes;
      g->top = m[i]->loc;
      long lhs = value_fn(g, r->source, m[i]->a);
      long rhs = lhs < 0 ? -1 : value_fn(g, r->source, m[i]->b);
      if (rhs < 0) {
        drop_fns(g, nfns);
        g->bytes = bytes;
        break;
      }
      vm_measure *ms = &vr->measures[vr->nmeasures++];
      ms->tier = (uint16_t)r->clauses[k]->ref;
      ms->op = (uint8_t)binop[m[i]->op];
      ms->lhs = (int32_t)lhs;
      ms->rhs = (int32_t)rhs;
    }
  }
  g->soft = 0;
  int full = g->failed;
  g->failed = 0;
  if (vr->nmeasures == 0) vr->measures = NULL;
  return full ? -1 : 0;
}

/* Move the function builders into the program: one code block, one line table. */
static void link_funcs(cgen *g) {
  vm_program *p = g->p;
  size_t ncode = 0, nlines = 0;
  for (size_t i = 0; i < g->fb.n; i++) {
    ncode += g->fb.v[i]->code.len;
    nlines += g->fb.v[i]->lines.len / sizeof(vm_lineinfo);
  }
  p->code = arr(g, ncode, 1);
  p->lines = arr(g, nlines, sizeof *p->lines);
  p->funcs = arr(g, g->fb.n, sizeof *p->funcs);
  if (g->c->oom) return;
  size_t co = 0, lo = 0;
  for (size_t i = 0; i < g->fb.n; i++) {
    fnb *f = g->fb.v[i];
    vm_func *fn = &p->funcs[i];
    *fn = f->fn;
    fn->code_off = (uint32_t)co;
    fn->code_len = (uint32_t)f->code.len;
    if (f->code.len) memcpy(p->code + co, f->code.data, f->code.len);
    co += f->code.len;
    size_t nl = f->lines.len / sizeof(vm_lineinfo);
    fn->line_off = (uint32_t)lo;
    fn->nlines = (uint32_t)nl;
    if (nl) memcpy(p->lines + lo, f->lines.data, f->lines.len);
    lo += nl;
  }
  p->ncode = (uint32_t)co;
  p->nlines = (uint32_t)lo;
  p->nfuncs = (uint16_t)g->fb.n;
}

struct vg_program *cg_program(cc *c, const sm_pack *pk) {
  cgen g;
  memset(&g, 0, sizeof g);
  g.c = c;
  g.pk = pk;
  vm_program *p = vg_realloc(NULL, sizeof *p);
  if (!p) { c->oom = 1; return NULL; }
  memset(p, 0, sizeof *p);
  g.p = p;
  p->pack = dup(&g, pk->name);
  p->title = dup(&g, pk->title);
  p->ntiers = (uint16_t)pk->ntiers;
  p->tiers = arr(&g, (size_t)pk->ntiers, sizeof *p->tiers);
  p->nfiles = (uint16_t)c->nfiles;
  p->files = arr(&g, (size_t)c->nfiles, sizeof *p->files);
  p->nparams = (uint16_t)pk->nparams;
  p->params = arr(&g, (size_t)pk->nparams, sizeof *p->params);
  p->nsources = (uint16_t)pk->nsources;
  p->sources = arr(&g, (size_t)pk->nsources, sizeof *p->sources);
  p->rules = arr(&g, (size_t)pk->nrules, sizeof *p->rules);
  if (c->oom) goto fail;
  for (int i = 0; i < pk->ntiers; i++) p->tiers[i] = dup(&g, pk->tiers[i]);
  if (pk->org && pk->org_table) {
    p->org_table = dup(&g, pk->org_table);
    p->org_person = dup(&g, pk->org_person);
    p->org_manager = dup(&g, pk->org_manager);
    p->org_name = pk->org_name ? dup(&g, pk->org_name) : NULL;
    p->org_email = pk->org_email ? dup(&g, pk->org_email) : NULL;
    p->org_chat = pk->org_chat ? dup(&g, pk->org_chat) : NULL;
    p->routes = arr(&g, (size_t)pk->ntiers, 1);
    if (c->oom) goto fail;
    memcpy(p->routes, pk->routes, (size_t)pk->ntiers);
  }
  for (int i = 0; i < c->nfiles; i++) p->files[i] = dup(&g, c->files[i].path);
  for (int i = 0; i < pk->nparams; i++) {
    p->params[i].name = dup(&g, pk->params[i].name);
    val v = pk->params[i].value;
    if (v.t == VT_STR) {
      char *s = vg_arena_strndup(&p->arena, v.u.s, v.len);
      if (!s) { c->oom = 1; goto fail; }
      v.u.s = s;
    }
    p->params[i].value = v;
    p->params[i].fraction = pk->params[i].fraction;
    const ast *lit = pk->params[i].decl ? pk->params[i].decl->a : NULL;
    p->params[i].percent = lit && lit->kind == A_NUM && lit->flag;
  }
  /* rule functions first, in declaration order, then the wheres */
  for (int i = 0; i < pk->nrules; i++) {
    const sm_rule *r = &pk->rules[i];
    vm_rule *vr = &p->rules[p->nrules];
    vr->name = dup(&g, r->name);
    vr->source = (uint16_t)r->source;
    vr->file = r->decl->loc.file;
    int line, col;
    cc_line_col(c, r->decl->loc.file, r->decl->loc.start, &line, &col);
    vr->line = (uint32_t)line;
    vr->col = (uint32_t)col;
    vr->escalate = r->escalate >= 0 ? r->escalate : pk->escalate;
    vr->clear = -1;
    rule_fn(&g, r);
    if (r->clear && !c->oom && !g.failed) {
      /* the clear condition: a value function, with its `for` inside */
      g.top = r->clear->loc;
      fnb *f = new_fn(&g, VM_FN_VALUE, r->source, r->clear->loc);
      if (!f) goto fail;
      vr->clear = f->index;
      condition(&g, f, r->source, r->clear);
      emit(&g, f, r->clear->loc, OP_RETV, 0, 0, 0);
    }
    /* the evidence: each let, a value function on the current row */
    int nl = 0;
    for (const ast *l = r->lets; l; l = l->next) nl++; /* at most VG_MAX_LETS (sema.c) */
    vr->evid = nl ? arr(&g, (size_t)nl, sizeof *vr->evid) : NULL;
    if (c->oom) goto fail;
    for (const ast *l = r->lets; l && vr->nevid < nl && !g.failed; l = l->next) {
      g.top = l->loc;
      long fn = value_fn(&g, r->source, l->a);
      if (fn < 0) goto fail;
      vr->evid[vr->nevid].name = dup(&g, l->name);
      vr->evid[vr->nevid++].fn = (int32_t)fn;
    }
    p->nrules++;
    if (c->oom || g.failed) goto fail;
  }
  for (int i = 0; i < pk->nsources; i++) {
    const sm_source *so = &pk->sources[i];
    vm_source *vs = &p->sources[i];
    vs->name = dup(&g, so->name);
    vs->table = dup(&g, so->table);
    vs->key = 0;
    vs->time = 1;
    vs->every = so->every;
    vs->where = -1;
    vs->label = -1;
    vs->ncols = (uint16_t)so->ncols;
    vs->cols = arr(&g, (size_t)so->ncols, sizeof *vs->cols);
    if (c->oom) goto fail;
    for (int k = 0; k < so->ncols; k++) {
      vs->cols[k].name = dup(&g, so->cols[k]);
      vs->cols[k].type = so->types[k] == T_ANY ? VT_NULL : so->types[k];
    }
    if (so->where) {
      g.top = so->where->loc;
      long fn = value_fn(&g, i, so->where);
      if (fn < 0) goto fail;
      vs->where = (int32_t)fn;
    }
    if (so->label) { /* the entity's name, evaluated on the current row for the evidence */
      g.top = so->label->loc;
      long fn = value_fn(&g, i, so->label);
      if (fn < 0) goto fail;
      vs->label = (int32_t)fn;
    }
  }
  /* rollups: each column's argument, a value function of the member source */
  int nrollups = 0;
  for (int i = 0; i < pk->nsources; i++) nrollups += pk->sources[i].rollup != NULL;
  p->rollups = nrollups ? arr(&g, (size_t)nrollups, sizeof *p->rollups) : NULL;
  if (c->oom) goto fail;
  for (int i = 0; i < pk->nsources && !g.failed; i++) {
    const sm_source *so = &pk->sources[i];
    if (!so->rollup) continue;
    vm_rollup *ro = &p->rollups[p->nrollups++];
    ro->source = (uint16_t)i;
    ro->member = (uint16_t)so->member;
    ro->group = (uint16_t)so->group_col;
    ro->horizon = so->horizon;
    ro->ncols = (uint16_t)so->nrcols;
    ro->cols = arr(&g, (size_t)so->nrcols, sizeof *ro->cols);
    if (c->oom) goto fail;
    for (int k = 0; k < so->nrcols; k++) {
      const sm_rcol *rc = &so->rcols[k];
      ro->cols[k].name = dup(&g, rc->name);
      ro->cols[k].type = rc->type == T_ANY ? VT_NULL : rc->type;
      ro->cols[k].agg = rc->agg;
      ro->cols[k].fn = rc->arg ? (int32_t)value_fn(&g, so->member, rc->arg) : -1;
      if (rc->arg && ro->cols[k].fn < 0) goto fail;
    }
  }
  if (c->oom || g.failed) goto fail;
  /* the measures, last (rule_measures) */
  for (int i = 0; i < p->nrules && !c->oom; i++)
    if (rule_measures(&g, &pk->rules[i], &p->rules[i]) != 0) break;
  if (c->oom) goto fail;
  link_funcs(&g);
  p->consts = arr(&g, g.consts.n, sizeof *p->consts);
  if (c->oom) goto fail;
  if (g.consts.n) memcpy(p->consts, g.consts.v, g.consts.n * sizeof *p->consts);
  p->nconsts = (uint32_t)g.consts.n;
  {
    char err[256];
    int vrc = bc_verify(p, err, sizeof err);
    if (vrc == -2) { /* its scratch memory: out of memory, not a bug */
      c->oom = 1;
      goto fail;
    }
    if (vrc != 0) {
      cc_internal_error(c, "internal error: the compiled program does not verify: %s", err);
      goto fail;
    }
  }
  goto done;
fail:
  vm_program_free(p);
  p = NULL;
done:
  for (size_t i = 0; i < g.fb.n; i++) {
    vg_buf_free(&g.fb.v[i]->code);
    vg_buf_free(&g.fb.v[i]->lines);
    vg_free(g.fb.v[i]);
  }
  vg_vec_free(&g.fb);
  vg_vec_free(&g.consts);
  vg_map_free(&g.cmap);
  return p;
}
