/*
** vm.c — the interpreter.
**
** A stack machine over a verified program (bc_verify).  A frame runs one
** function at a cursor (a row offset into the key's window, 0 = current).
** Window instructions (FOR, AGGN, AGGD, PREV, PCTCHG, STREAK) call value
** functions at other cursors; the verifier guarantees a callee's index is
** greater than its caller's, so frames nest at most nfuncs deep, and the
** VM additionally caps the depth (VM_MAX_DEPTH) and the steps of one
** evaluation (vm->budget), and polls the caller (vm->poll) every
** VM_POLL_STEPS steps.
**
** Text made during an evaluation (formats, concatenations, function
** results) goes into a scratch region that is rewound, not freed, between
** evaluations: no heap allocation per row in the steady state.
*/
#include <math.h>
#include <string.h>
#include "vm.h"
#include "../core/limits.h"
#include "../stdlib/lib.h"

/* Dispatch (as Lua's lvm.c does it): with GCC or Clang, each handler ends
** by fetching the next instruction and jumping through a table of label
** addresses (computed goto); elsewhere (or with -DVM_SWITCH) a plain switch
** in a loop.  Measured with bench/vmbench.c (issue 13, medians of 5 runs, 2
** cores shared): computed goto took 5-9% off the VM's ns per row of each
** nightly rule against the switch it replaced.
**
** Operands are decoded by the handler, which knows how many its opcode has
** (VM_NOPS_<op>, from opcodes.def): A, B, C are then constants of the
** handler's own code, not values every fetch loads through the opcode table
** and keeps across dispatches (issue 15: the fetch was a quarter of the VM's
** instructions).  An operand is read as vm_decode (core/prog.h) reads it;
** code that reached the VM is verified, so it is not checked again.
** Handlers that share one body (vmalso) have the same operands. */
#define KIND(name, what, check)
#define OP(name, a, b, c, pops, pushes, only, flow, doc) \
  VM_NOPS_OP_##name = (VM_K_##a != VM_K__) + (VM_K_##b != VM_K__) + (VM_K_##c != VM_K__),
enum {
#include "../core/opcodes.def"
};
#define vmdecode(l)                              \
  if (VM_NOPS_##l > 0) A = vm_operand(ip, 0);    \
  if (VM_NOPS_##l > 1) B = vm_operand(ip, 1);    \
  if (VM_NOPS_##l > 2) C = vm_operand(ip, 2);    \
  ip += 1 + 2 * VM_NOPS_##l;
#if defined(__GNUC__) && !defined(VM_SWITCH)
#define VM_GOTO 1
#define vmdispatch(o) goto *vm_labels[o];
#define vmcase(l) L_##l: { vmdecode(l) }
#define vmalso(l, next) L_##l: (void)sizeof(char[VM_NOPS_##l == VM_NOPS_##next ? 1 : -1]); /* the same operands */
#define vmbreak do { vmfetch(); goto *vm_labels[op]; } while (0)
#else
#define VM_GOTO 0
#define vmdispatch(o) switch (o)
#define vmcase(l) case l: { vmdecode(l) }
#define vmalso(l, next) case l: (void)sizeof(char[VM_NOPS_##l == VM_NOPS_##next ? 1 : -1]); /* the same operands */
#define vmbreak break
#endif

/* The next instruction into op; at and ip are where it starts (its handler
** decodes its operands and moves ip past them).  Counts a
** step in the frame's copy of the count, and past the frame's limit
** syncs it back and stops when the budget is spent or polls (over_limit).
**
** The budget is tested at calls, not per instruction: control flow is
** forward only (docs/BYTECODE.md), so a frame runs at most code_len of its
** own instructions.  At entry and after each call that runs other frames
** (vmsync_in), a frame whose count plus code_len stays within vm->limit
** cannot reach it before its next call: its limit is then "never" and the
** test per instruction never fires.  Otherwise (near the budget or a poll)
** it tests vm->limit at every step as before, so the count, the step at
** which the budget runs out and the polls are exactly as they were. */
#define vmfetch()                                                  \
  do {                                                             \
    at = ip;                                                       \
    op = *ip;                                                      \
    if (++steps > limit) {                                         \
      vm->steps = steps;                                           \
      if ((status = over_limit(vm)) != VM_OK) goto out;            \
      vmsync_in();                                                 \
    }                                                              \
  } while (0)

/* Before a call that runs other frames (or reads vm->steps): the frame's
** count into vm->steps.  After it: the count back, and the frame's limit. */
#define vmsync_out() (vm->steps = steps)
#define vmsync_in()                                                          \
  do {                                                                       \
    steps = vm->steps;                                                       \
    limit = vm->limit - steps >= f->code_len && vm->limit >= steps ? UINT64_MAX : vm->limit; \
  } while (0)

/* ---- scratch text ---------------------------------------------------------- */

typedef struct scratch_block {
  struct scratch_block *next;
  size_t used, size;
  char data[];
} scratch_block;

/* Scratch lives in vm->scratch: data points at the first block; len is
** unused.  Blocks are kept between evaluations. */
static scratch_block *scratch_first(vm_state *vm) { return (scratch_block *)vm->scratch.data; }

static void scratch_reset(vm_state *vm) {
  for (scratch_block *b = scratch_first(vm); b; b = b->next) b->used = 0;
}

/* n bytes that stay put until the next reset; NULL when out of memory. */
static char *scratch_alloc(vm_state *vm, size_t n) {
  scratch_block **link = (scratch_block **)&vm->scratch.data;
  for (scratch_block *b = *link; b; link = &b->next, b = b->next)
    if (b->size - b->used >= n) {
      char *p = b->data + b->used;
      b->used += n;
      return p;
    }
  size_t size = n > 65536 ? n : 65536;
  scratch_block *b = vg_realloc(NULL, sizeof *b + size);
  if (!b) return NULL;
  b->next = NULL;
  b->size = size;
  b->used = n;
  *link = b;
  return b->data;
}

static void scratch_free(vm_state *vm) {
  scratch_block *b = scratch_first(vm);
  while (b) {
    scratch_block *n = b->next;
    vg_free(b);
    b = n;
  }
  vm->scratch.data = NULL;
}

/* ---- state ------------------------------------------------------------------ */

void vm_state_init(vm_state *vm, const vm_program *p, int32_t as_of) {
  memset(vm, 0, sizeof *vm);
  vm->prog = p;
  vm->as_of = as_of;
  vm->budget = VM_STEP_BUDGET;
}

void vm_state_free(vm_state *vm) {
  vg_free(vm->stack);
  vm->stack = NULL;
  vm->stack_cap = 0;
  scratch_free(vm);
}

/* The stack holds any chain of nested frames: the sum of every function's
** max_stack bounds it, since a chain visits each function at most once. */
static int ensure_stack(vm_state *vm) {
  if (vm->stack) return 0;
  uint64_t need = 1;
  for (int i = 0; i < vm->prog->nfuncs; i++) need += vm->prog->funcs[i].max_stack;
  if (need > (1u << 26)) return -1;
  vm->stack = vg_realloc(NULL, (size_t)need * sizeof *vm->stack);
  if (!vm->stack) return -1;
  vm->stack_cap = (uint32_t)need;
  return 0;
}

/* ---- operations on values ------------------------------------------------------ */

static int32_t date_min(void) { return lib_days_from_civil(1, 1, 1); }
static int32_t date_max(void) { return lib_days_from_civil(9999, 12, 31); }

static val date_plus(int32_t d, double days) {
  double r = (double)d + trunc(days);
  if (!(r >= date_min() && r <= date_max())) return val_null();
  return val_date((int32_t)r);
}

static val arith(vm_state *vm, int op, val a, val b) {
  if (a.t == VT_NULL || b.t == VT_NULL) return val_null();
  switch (op) {
  case OP_ADD:
    if (a.t == VT_NUM && b.t == VT_NUM) return val_num(a.u.n + b.u.n);
    if (a.t == VT_DATE && b.t == VT_DUR) return date_plus(a.u.d, b.u.n);
    if (a.t == VT_DUR && b.t == VT_DATE) return date_plus(b.u.d, a.u.n);
    if (a.t == VT_DUR && b.t == VT_DUR) return val_dur(a.u.n + b.u.n);
    break;
  case OP_SUB:
    if (a.t == VT_NUM && b.t == VT_NUM) return val_num(a.u.n - b.u.n);
    if (a.t == VT_DATE && b.t == VT_DATE) return val_dur((double)a.u.d - (double)b.u.d);
    if (a.t == VT_DATE && b.t == VT_DUR) return date_plus(a.u.d, -b.u.n);
    if (a.t == VT_DUR && b.t == VT_DUR) return val_dur(a.u.n - b.u.n);
    break;
  case OP_MUL:
    if (a.t == VT_NUM && b.t == VT_NUM) return val_num(a.u.n * b.u.n);
    if (a.t == VT_DUR && b.t == VT_NUM) return val_dur(a.u.n * b.u.n);
    if (a.t == VT_NUM && b.t == VT_DUR) return val_dur(a.u.n * b.u.n);
    break;
  case OP_DIV:
    if ((a.t == VT_NUM || a.t == VT_DUR) && (b.t == VT_NUM || b.t == VT_DUR)) {
      if (a.t == VT_NUM && b.t == VT_DUR) break;
      if (b.u.n == 0) return val_null();
      double r = a.u.n / b.u.n;
      return (a.t == VT_DUR && b.t == VT_NUM) ? val_dur(r) : val_num(r);
    }
    break;
  }
  vm->type_warnings++;
  return val_null();
}

/* -1, 0, 1; or 2 when the values cannot be compared (null or types). */
static int compare(val a, val b) {
  if (a.t == VT_NULL || b.t == VT_NULL || a.t != b.t) return 2;
  switch (a.t) {
  case VT_NUM: case VT_DUR:
    if (a.u.n < b.u.n) return -1;
    if (a.u.n > b.u.n) return 1;
    return a.u.n == b.u.n ? 0 : 2; /* NaN compares with nothing */
  case VT_DATE: return a.u.d < b.u.d ? -1 : a.u.d > b.u.d;
  case VT_BOOL: return a.u.b < b.u.b ? -1 : a.u.b > b.u.b;
  case VT_STR: {
    uint32_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.u.s, b.u.s, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return a.len < b.len ? -1 : a.len > b.len;
  }
  }
  return 2;
}

static val cmp_op(vm_state *vm, int op, val a, val b) {
  int c = compare(a, b);
  if (c == 2) {
    if (a.t != VT_NULL && b.t != VT_NULL && a.t != b.t) vm->type_warnings++;
    return val_null();
  }
  switch (op) {
  case OP_EQ: return val_bool(c == 0);
  case OP_NE: return val_bool(c != 0);
  case OP_LT: return val_bool(c < 0);
  case OP_LE: return val_bool(c <= 0);
  case OP_GT: return val_bool(c > 0);
  default: return val_bool(c >= 0);
  }
}

/* Three-valued logic: 0 false, 1 true, 2 null (anything not a bool is null). */
static int tv(val v) { return v.t == VT_BOOL ? v.u.b : 2; }
static val from_tv(int t) { return t == 2 ? val_null() : val_bool(t); }
static int is_true(val v) { return v.t == VT_BOOL && v.u.b; }

/* A copy of s[0..n) with a NUL in scratch; NULL when out of memory. */
static char *scratch_str(vm_state *vm, const char *s, size_t n) {
  char *d = scratch_alloc(vm, n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/* ---- the interpreter -------------------------------------------------------------- */

typedef struct frame {
  const vm_series *s;
  int32_t t0;       /* evaluation time of cursor 0 */
  uint32_t cursor;
  int depth;
} frame;

static vm_status run(vm_state *vm, int fn, const frame *fr, uint32_t base, val *out);

/* Evaluation time of the row at cursor c. */
static int32_t eval_time(const frame *fr, uint32_t c) {
  if (c == 0) return fr->t0;
  const vm_row *r = vm_series_row(fr->s, c);
  return r ? r->time : fr->t0;
}

/* Run value function fn at cursor c: *out is its result. */
static vm_status call_at(vm_state *vm, int fn, const frame *fr, uint32_t c, uint32_t base, val *out) {
  if (fr->depth + 1 >= VM_MAX_DEPTH) return VM_ERR_DEPTH;
  /* A function that only reads a column (COL A; RETV: what prev(x) and
  ** sum(x, ...) of a column compile to) is read here without a frame, when
  ** its two steps cannot reach vm->limit: the count is the same. */
  const vm_func *f = &vm->prog->funcs[fn];
  const uint8_t *code = vm->prog->code + f->code_off;
  if (f->code_len == 4 && code[0] == OP_COL && code[3] == OP_RETV && vm->limit >= vm->steps + 2) {
    const vm_row *r = vm_series_row(fr->s, c);
    *out = r ? r->v[vm_operand(code, 0)] : val_null();
    vm->steps += 2;
    return VM_OK;
  }
  frame sub = *fr;
  sub.cursor = c;
  sub.depth = fr->depth + 1;
  return run(vm, fn, &sub, base, out);
}

/* Aggregate kind k of fn over rows [c, last] (or, for a day window, rows
** from c while their time is after t - days). */
static vm_status aggregate(vm_state *vm, int fn, int k, uint32_t c, uint32_t rows, int days,
                           const frame *fr, uint32_t base, val *out) {
  const vm_series *s = fr->s;
  double sum = 0;
  long n = 0, count = 0;
  int any = 0, all = 1, type = VT_NULL;
  val best = val_null();
  int32_t t = eval_time(fr, c);
  for (uint32_t i = c;; i++) {
    if (i >= s->n) {
      if (s->least) return VM_NEED_ROWS; /* (a probe: the window goes on) */
      break;
    }
    if (days) {
      const vm_row *r = vm_series_row(s, i);
      if ((double)r->time <= (double)t - rows) break;
    } else if (i - c >= rows) {
      break;
    }
    val v;
    vm_status st = call_at(vm, fn, fr, i, base, &v);
    if (st != VM_OK) return st;
    n++;
    switch (k) {
    case AGG_SUM: case AGG_AVG:
      if (v.t == VT_NULL) break;
      if (v.t != VT_NUM && v.t != VT_DUR) { vm->type_warnings++; break; }
      if (type == VT_NULL) type = v.t;
      else if (type != v.t) { vm->type_warnings++; break; }
      sum += v.u.n;
      count++;
      break;
    case AGG_MIN: case AGG_MAX: {
      if (v.t == VT_NULL) break;
      if (best.t == VT_NULL) { best = v; break; }
      int cmp = compare(v, best);
      if (cmp == 2) { vm->type_warnings++; break; }
      if ((k == AGG_MIN && cmp < 0) || (k == AGG_MAX && cmp > 0)) best = v;
      break;
    }
    case AGG_COUNT: if (is_true(v)) count++; break;
    case AGG_ALL: if (!is_true(v)) all = 0; break;
    case AGG_ANY: if (is_true(v)) any = 1; break;
    }
  }
  switch (k) {
  case AGG_SUM: *out = count == 0 ? val_null() : type == VT_DUR ? val_dur(sum) : val_num(sum); break;
  case AGG_AVG: *out = count == 0 ? val_null() : type == VT_DUR ? val_dur(sum / (double)count) : val_num(sum / (double)count); break;
  case AGG_MIN: case AGG_MAX:
    *out = best;
    if (best.t == VT_STR) { /* the row's text may not outlive the next call */
      char *d = scratch_str(vm, best.u.s, best.len);
      if (!d) return VM_ERR_NOMEM;
      out->u.s = d;
    }
    break;
  case AGG_COUNT: *out = val_num((double)count); break;
  case AGG_ALL: *out = val_bool(n > 0 && all); break;
  default: *out = val_bool(any); break;
  }
  return VM_OK;
}

/* The steps of this evaluation passed vm->limit: the budget ran out, or it
** is time to poll (vm->limit is the nearer of the two, so the loop checks
** one number). */
static vm_status over_limit(vm_state *vm) {
  if (vm->steps > vm->budget) return VM_ERR_BUDGET;
  if (vm->stopped || vm->poll(vm->poll_ud) != 0) {
    vm->stopped = 1;
    return VM_ERR_STOPPED;
  }
  vm->poll_left = VM_POLL_STEPS;
  vm->mark = vm->steps;
  vm->limit = vm->budget - vm->steps > VM_POLL_STEPS ? vm->steps + VM_POLL_STEPS : vm->budget;
  return VM_OK;
}

/* Before and after an evaluation: its limit, and the steps it took off the
** count to the next poll. */
static void eval_begin(vm_state *vm) {
  vm->steps = 0;
  vm->mark = 0;
  vm->limit = vm->budget;
  if (vm->poll && vm->stopped) vm->limit = 0;
  else if (vm->poll && vm->poll_left < vm->budget) vm->limit = vm->poll_left;
}

static void eval_end(vm_state *vm) {
  uint64_t used = vm->steps - vm->mark;
  vm->poll_left = used >= vm->poll_left ? 0 : vm->poll_left - used;
}

static vm_status run(vm_state *vm, int fn, const frame *fr, uint32_t base, val *out) {
  const vm_program *p = vm->prog;
  const vm_func *f = &p->funcs[fn];
  const uint8_t *code = p->code + f->code_off;
  const uint8_t *ip = code; /* verified code ends every path in RET or RETV: never past code_len */
  val *st = vm->stack + base;
  uint32_t sp = 0;
  uint32_t nbase = base + f->max_stack; /* where callees' stacks start */
  vm_status status = VM_OK;
  /* the row at the cursor, which OP_COL reads, and its evaluation time:
  ** the series does not change during an evaluation */
  const vm_row *row = vm_series_row(fr->s, fr->cursor);
  int32_t t_cur = fr->cursor == 0 || !row ? fr->t0 : row->time; /* eval_time(fr, fr->cursor) */
  char buf[512];
  const uint8_t *at = ip;
  int op;
  uint16_t A = 0, B = 0, C = 0;
  uint64_t steps, limit;
  vmsync_in();
#if VM_GOTO
#define OP(name, a, b, c, pops, pushes, only, flow, doc) &&L_OP_##name,
  static const void *const vm_labels[OP__COUNT] = {
#include "../core/opcodes.def"
  };
#endif

  for (;;) {
    vmfetch();
    vmdispatch(op) {
    vmcase(OP_CONST) st[sp++] = p->consts[A]; vmbreak;
    vmcase(OP_NULL) st[sp++] = val_null(); vmbreak;
    vmcase(OP_TRUE) st[sp++] = val_bool(1); vmbreak;
    vmcase(OP_FALSE) st[sp++] = val_bool(0); vmbreak;
    vmcase(OP_COL) {
      st[sp++] = row ? row->v[A] : val_null();
      vmbreak;
    }
    vmcase(OP_PARAM) st[sp++] = p->params[A].value; vmbreak;
    vmcase(OP_ASOF) st[sp++] = val_date(t_cur); vmbreak;
    vmcase(OP_STALE) {
      const vm_row *r = vm_series_row(fr->s, 0);
      const vm_source *src = &p->sources[f->source];
      if (!r || src->every < 0) st[sp++] = val_null();
      else st[sp++] = val_bool((double)vm->as_of - (double)r->time > src->every);
      vmbreak;
    }
    vmalso(OP_ADD, OP_DIV) vmalso(OP_SUB, OP_DIV) vmalso(OP_MUL, OP_DIV) vmcase(OP_DIV) {
      sp--;
      st[sp - 1] = arith(vm, op, st[sp - 1], st[sp]);
      vmbreak;
    }
    vmcase(OP_NEG) {
      val v = st[sp - 1];
      if (v.t == VT_NUM) st[sp - 1] = val_num(-v.u.n);
      else if (v.t == VT_DUR) st[sp - 1] = val_dur(-v.u.n);
      else {
        if (v.t != VT_NULL) vm->type_warnings++;
        st[sp - 1] = val_null();
      }
      vmbreak;
    }
    vmalso(OP_EQ, OP_GE) vmalso(OP_NE, OP_GE) vmalso(OP_LT, OP_GE) vmalso(OP_LE, OP_GE) vmalso(OP_GT, OP_GE) vmcase(OP_GE) {
      sp--;
      st[sp - 1] = cmp_op(vm, op, st[sp - 1], st[sp]);
      vmbreak;
    }
    vmcase(OP_NOT) {
      int t = tv(st[sp - 1]);
      st[sp - 1] = from_tv(t == 2 ? 2 : !t);
      vmbreak;
    }
    vmcase(OP_AND) {
      int a = tv(st[sp - 2]), b = tv(st[sp - 1]);
      sp--;
      st[sp - 1] = from_tv(a == 0 || b == 0 ? 0 : (a == 2 || b == 2) ? 2 : 1);
      vmbreak;
    }
    vmcase(OP_OR) {
      int a = tv(st[sp - 2]), b = tv(st[sp - 1]);
      sp--;
      st[sp - 1] = from_tv(a == 1 || b == 1 ? 1 : (a == 2 || b == 2) ? 2 : 0);
      vmbreak;
    }
    vmcase(OP_ISNULL) st[sp - 1] = val_bool(st[sp - 1].t == VT_NULL); vmbreak;
    vmcase(OP_IN) {
      val x = st[sp - A - 1];
      int result = 0, saw_null = 0;
      for (uint32_t i = sp - A; i < sp; i++) {
        int c = compare(x, st[i]);
        if (c == 0) result = 1;
        else if (c == 2) saw_null = 1;
      }
      sp -= A;
      st[sp - 1] = x.t == VT_NULL ? val_null() : result ? val_bool(1) : saw_null ? val_null() : val_bool(0);
      vmbreak;
    }
    vmcase(OP_CALL) {
      /* room for a text result as long as the texts it is made of (lower, upper) */
      size_t room = 512;
      for (uint32_t i = sp - B; i < sp; i++)
        if (st[i].t == VT_STR && st[i].len > room) room = st[i].len;
      char *tmp = scratch_alloc(vm, room);
      if (!tmp) { status = VM_ERR_NOMEM; goto out; }
      val r = lib_fn_impl[A](st + sp - B, B, tmp, room);
      sp -= B;
      st[sp++] = r;
      vmbreak;
    }
    vmcase(OP_FMT) {
      val v = st[sp - 1];
      if (v.t == VT_STR) vmbreak; /* text is its own default format, and pct or N of text prints the default */
      size_t n = lib_format(v, B == 0 ? LIB_FMT_DEFAULT : B == 1 ? LIB_FMT_PCT : LIB_FMT_FIXED, A, buf, sizeof buf);
      char *d = scratch_str(vm, buf, n);
      if (!d) { status = VM_ERR_NOMEM; goto out; }
      st[sp - 1] = val_str(d, n);
      vmbreak;
    }
    vmcase(OP_CONCAT) {
      size_t n = 0;
      for (uint32_t i = sp - A; i < sp; i++) n += st[i].t == VT_STR ? st[i].len : 4;
      char *d = scratch_alloc(vm, n + 1), *w = d;
      if (!d) { status = VM_ERR_NOMEM; goto out; }
      for (uint32_t i = sp - A; i < sp; i++) {
        if (st[i].t == VT_STR) { if (st[i].len) memcpy(w, st[i].u.s, st[i].len); w += st[i].len; }
        else { memcpy(w, "null", 4); w += 4; }
      }
      *w = 0;
      sp -= A;
      st[sp++] = val_str(d, n);
      vmbreak;
    }
    vmcase(OP_TEXT) {
      val v = st[sp - 1];
      if (v.t == VT_NULL || v.t == VT_STR) vmbreak;
      size_t n = lib_format_text(v, buf, sizeof buf);
      char *d = scratch_str(vm, buf, n);
      if (!d) { status = VM_ERR_NOMEM; goto out; }
      st[sp - 1] = val_str(d, n);
      vmbreak;
    }
    vmcase(OP_MANAGER) {
      val v = st[sp - 1];
      if (v.t != VT_STR || !vm->manager) { st[sp - 1] = val_null(); vmbreak; }
      const char *m = NULL;
      size_t mlen = 0;
      if (vm->manager(vm->ud, vm, v.u.s, v.len, A, &m, &mlen) != 0) { status = VM_ERR_NOMEM; goto out; }
      if (!m) { st[sp - 1] = val_null(); vmbreak; }
      char *d = scratch_str(vm, m, mlen);
      if (!d) { status = VM_ERR_NOMEM; goto out; }
      st[sp - 1] = val_str(d, mlen);
      vmbreak;
    }
    vmcase(OP_PNAME) {
      val v = st[sp - 1];
      const char *m = NULL;
      size_t mlen = 0;
      if (v.t == VT_STR && vm->person_name && vm->person_name(vm->ud, v.u.s, v.len, &m, &mlen) != 0) {
        status = VM_ERR_NOMEM;
        goto out;
      }
      if (!m) { st[sp - 1] = val_null(); vmbreak; }
      char *d = scratch_str(vm, m, mlen);
      if (!d) { status = VM_ERR_NOMEM; goto out; }
      st[sp - 1] = val_str(d, mlen);
      vmbreak;
    }
    vmcase(OP_LOOKUP) {
      val key = st[sp - 1];
      if (key.t == VT_NULL || !vm->lookup) { st[sp - 1] = val_null(); vmbreak; }
      const vm_row *r = NULL;
      if (vm->lookup(vm->ud, vm, A, key, t_cur, &r) != 0) {
        status = VM_ERR_LOOKUP;
        goto out;
      }
      val v = r ? r->v[B] : val_null();
      if (v.t == VT_STR) {
        char *d = scratch_str(vm, v.u.s, v.len);
        if (!d) { status = VM_ERR_NOMEM; goto out; }
        v.u.s = d;
      }
      st[sp - 1] = v;
      vmbreak;
    }
    vmcase(OP_PREV) {
      uint32_t c = fr->cursor + B;
      val v = val_null();
      if (c < fr->s->n) {
        vmsync_out();
        status = call_at(vm, A, fr, c, nbase, &v);
        vmsync_in();
        if (status != VM_OK) goto out;
      } else if (fr->s->least) {
        status = VM_NEED_ROWS;
        goto out;
      }
      st[sp++] = v;
      vmbreak;
    }
    vmcase(OP_PCTCHG) {
      val x = val_null(), pv = val_null();
      vmsync_out();
      status = call_at(vm, A, fr, fr->cursor, nbase, &x);
      if (status == VM_OK && fr->cursor + 1 < fr->s->n) status = call_at(vm, A, fr, fr->cursor + 1, nbase, &pv);
      else if (status == VM_OK && fr->s->least) status = VM_NEED_ROWS;
      vmsync_in();
      if (status != VM_OK) goto out;
      if (x.t == VT_NULL || pv.t == VT_NULL) st[sp++] = val_null();
      else if (x.t != pv.t || (x.t != VT_NUM && x.t != VT_DUR)) { vm->type_warnings++; st[sp++] = val_null(); }
      else if (pv.u.n == 0) st[sp++] = val_null();
      else st[sp++] = val_num((x.u.n - pv.u.n) / pv.u.n);
      vmbreak;
    }
    vmcase(OP_STREAK) {
      uint32_t k = 0;
      vmsync_out();
      for (uint32_t c = fr->cursor;; c++, k++) {
        if (c >= fr->s->n) {
          if (fr->s->least) status = VM_NEED_ROWS; /* (a probe: the streak may go on) */
          break;
        }
        val v;
        if ((status = call_at(vm, A, fr, c, nbase, &v)) != VM_OK) break;
        if (!is_true(v)) break;
      }
      vmsync_in();
      if (status != VM_OK) goto out;
      st[sp++] = val_num(k);
      vmbreak;
    }
    vmcase(OP_FOR) {
      /* enough rows, or else false (a probe knows only that the window has
      ** at least s->least rows) */
      if (fr->s->least && (uint64_t)fr->cursor + B > fr->s->least) {
        status = VM_NEED_ROWS;
        goto out;
      }
      int ok = fr->s->least || (uint64_t)fr->cursor + B <= fr->s->n;
      vmsync_out();
      for (uint32_t i = 0; ok && i < B; i++) {
        val v;
        if (fr->cursor + i >= fr->s->n) { status = VM_NEED_ROWS; break; } /* (a probe's rows end) */
        if ((status = call_at(vm, A, fr, fr->cursor + i, nbase, &v)) != VM_OK) break;
        ok = is_true(v);
      }
      vmsync_in();
      if (status != VM_OK) goto out;
      st[sp++] = val_bool(ok);
      vmbreak;
    }
    vmcase(OP_FORD) {
      /* calendar persistence: back from the cursor, each row true, no gap
      ** longer than the cadence, until a row on or before t - B days */
      const vm_series *s = fr->s;
      double t = t_cur, every = p->sources[f->source].every;
      const vm_row *r = row;
      /* the latest row must be inside the period (later than t - B) and within the cadence of t */
      int ok = r && every > 0 && t - (double)r->time <= every && (double)r->time > t - B;
      vmsync_out();
      for (uint32_t c = fr->cursor; ok; c++) {
        val v;
        if ((status = call_at(vm, A, fr, c, nbase, &v)) != VM_OK) break;
        if (!is_true(v)) { ok = 0; break; }
        const vm_row *cur = vm_series_row(s, c), *older = vm_series_row(s, c + 1);
        if ((double)cur->time <= t - B) break; /* the stretch reaches back far enough */
        if (!older && s->least) { status = VM_NEED_ROWS; break; } /* (a probe's rows end) */
        ok = older && (double)cur->time - (double)older->time <= every;
      }
      vmsync_in();
      if (status != VM_OK) goto out;
      st[sp++] = val_bool(ok);
      vmbreak;
    }
    vmalso(OP_AGGN, OP_AGGD) vmcase(OP_AGGD) {
      val v;
      vmsync_out();
      status = aggregate(vm, A, C, fr->cursor, B, op == OP_AGGD, fr, nbase, &v);
      vmsync_in();
      if (status != VM_OK) goto out;
      st[sp++] = v;
      vmbreak;
    }
    vmcase(OP_JMP) ip += A; vmbreak;
    vmcase(OP_JMPF) {
      sp--;
      if (!is_true(st[sp])) ip += A;
      vmbreak;
    }
    vmcase(OP_EMIT) {
      val m = st[sp - 2], r = st[sp - 1];
      sp -= 2;
      const char *ms = NULL, *rs = NULL;
      if (m.t == VT_STR && !(ms = scratch_str(vm, m.u.s, m.len))) { status = VM_ERR_NOMEM; goto out; }
      if (r.t == VT_STR && !(rs = scratch_str(vm, r.u.s, r.len))) { status = VM_ERR_NOMEM; goto out; }
      if (vm->emit && vm->emit(vm->ud, vm->cur_rule, A, ms, m.len, rs, r.len) != 0) { status = VM_ERR_NOMEM; goto out; }
      vmbreak;
    }
    vmcase(OP_RET) goto out;
    vmcase(OP_RETV) *out = st[sp - 1]; goto out;
#if !VM_GOTO
    default: /* never: verified code has only valid opcodes */
      status = VM_ERR_INTERNAL;
      goto out;
#endif
    }
  }
out: /* the only way out */
  vm->steps = steps;
  if (status != VM_OK && vm->err_fn < 0) {
    vm->err_fn = fn; /* the innermost frame says where */
    vm->err_pc = (uint32_t)(at - code);
  }
  return status;
}

vm_status vm_eval_rule(vm_state *vm, int r, const vm_series *s) {
  if (ensure_stack(vm) != 0) return VM_ERR_NOMEM;
  scratch_reset(vm);
  eval_begin(vm);
  vm->err_fn = -1;
  vm->cur_rule = r;
  frame fr = {s, vm->as_of, 0, 0};
  val ignored = val_null();
  vm_status st = run(vm, vm->prog->rules[r].fn, &fr, 0, &ignored);
  eval_end(vm);
  return st;
}

vm_status vm_eval_value(vm_state *vm, int fn, const vm_series *s, int32_t day, val *out) {
  if (ensure_stack(vm) != 0) return VM_ERR_NOMEM;
  scratch_reset(vm);
  eval_begin(vm);
  vm->err_fn = -1;
  *out = val_null();
  frame fr = {s, day, 0, 0};
  vm_status st = run(vm, fn, &fr, 0, out);
  eval_end(vm);
  return st;
}
