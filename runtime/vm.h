/*
** vm.h — the virtual machine that evaluates a program (core/prog.h).
**
** Evaluation is row-oriented.  The runtime (exec.c) keeps, per key, the
** window of rows the rules need (a vm_series) and asks the VM to evaluate
** each rule on it; the VM reads columns from the series, calls back into the
** runtime for lookups into other sources, and reports alerts through
** vm_state.emit.
*/
#ifndef VIGIL_VM_H
#define VIGIL_VM_H

#include <stdint.h>
#include <stddef.h>
#include "../core/prog.h"

/* ---- The window of one key --------------------------------------------- */

typedef struct vm_row {
  int32_t time;     /* calendar day of the row */
  int64_t rowid;
  int64_t ikey;     /* the key when it is an SQLite INTEGER (kint): exact beyond 2^53 */
  int kint;
  int kblob;        /* the key is an SQLite BLOB (read as a string, but never equal to text) */
  val *v;           /* ncols values; strings point into buf */
  char *buf;
  size_t buflen, bufcap;
} vm_row;

/* Rows of one key, newest last.  Bounded series are a ring of cap rows;
** unbounded ones grow (and never wrap).  row 0 is the newest. */
typedef struct vm_series {
  vm_row *rows;
  uint32_t cap, n, head; /* head: slot of the newest row */
  int bounded;
  uint16_t ncols;
  /* 0: the series is the key's whole window.  Otherwise it is a probe: its
  ** n rows are the window's newest, and the window has at least `least`
  ** rows (>= n); an evaluation whose course depends on a row or a length
  ** past n stops with VM_NEED_ROWS (a nightly run then reads the window) */
  uint32_t least;
} vm_series;

static inline const vm_row *vm_series_row(const vm_series *s, uint32_t off) {
  if (off >= s->n) return NULL;
  /* (head + cap - off) % cap without the division: off < n <= cap, head < cap */
  return &s->rows[s->head >= off ? s->head - off : s->head + s->cap - off];
}

/* ---- Evaluation -------------------------------------------------------- */

typedef enum {
  VM_OK = 0,
  VM_ERR_BUDGET,   /* the step budget of one evaluation ran out */
  VM_ERR_DEPTH,    /* nested functions deeper than VM_MAX_DEPTH */
  VM_ERR_NOMEM,
  VM_ERR_LOOKUP,   /* the lookup callback failed (database error) */
  VM_ERR_INTERNAL, /* an instruction the verifier should have rejected */
  VM_ERR_STOPPED,  /* vm->poll asked to stop (then every later evaluation stops at once) */
  VM_NEED_ROWS     /* a probe (vm_series.least) needs rows it does not hold: not an error */
} vm_status;

typedef struct vm_state vm_state;

/* Called for OP_LOOKUP: the row of source src whose key equals key and
** whose time is the latest on or before day, through the source's where.
** Sets *row (NULL when none) and returns 0, or returns -1 on a database
** error.  The row stays valid until the next lookup of the same source. */
typedef int (*vm_lookup_fn)(void *ud, vm_state *vm, int src, val key, int32_t day, const vm_row **row);
/* Called for OP_EMIT.  message and recipient are NULL for null; otherwise
** they are mlen / rlen bytes (which may include NUL bytes), followed by a
** NUL, and live until the end of the evaluation.  Returns 0, or -1 when out
** of memory. */
typedef int (*vm_emit_fn)(void *ud, int rule, int tier, const char *message, size_t mlen, const char *recipient,
                          size_t rlen);

/* Called for OP_MANAGER: the person `levels` above person (text of len
** bytes) in the org chart.  Sets *out and *outlen (*out NULL when there is no
** one there) and returns 0, or -1 when out of memory. */
typedef int (*vm_manager_fn)(void *ud, vm_state *vm, const char *person, size_t len, int levels, const char **out,
                             size_t *outlen);

/* Called for OP_PNAME: the org chart's name for person (text of len bytes).
** Sets *out and *outlen (*out NULL when the person is not in the chart or has
** no name) and returns 0. */
typedef int (*vm_person_name_fn)(void *ud, const char *person, size_t len, const char **out, size_t *outlen);

struct vm_state {
  const vm_program *prog;
  int32_t as_of;
  vm_lookup_fn lookup; vm_emit_fn emit; void *ud;
  vm_manager_fn manager;    /* NULL: manager() is null */
  vm_person_name_fn person_name; /* NULL: person_name() is null */
  uint64_t budget;          /* steps allowed per evaluation */
  int (*poll)(void *ud);    /* NULL, or called at the first step, then every VM_POLL_STEPS
                            ** steps (counted over evaluations): nonzero stops */
  void *poll_ud;
  /* set by the VM */
  int cur_rule;             /* the rule being evaluated */
  uint64_t steps;
  uint64_t limit;           /* steps of this evaluation before the next check: budget or poll */
  uint64_t poll_left;       /* steps before the next poll, at mark */
  uint64_t mark;            /* steps of this evaluation when poll_left was counted */
  int stopped;              /* poll asked to stop */
  uint64_t type_warnings;   /* operations that met a type they do not take */
  int err_fn; uint32_t err_pc; /* where the last error happened */
  /* scratch: value stack and text produced while evaluating */
  val *stack; uint32_t stack_cap;
  vg_buf scratch;
};

void vm_state_init(vm_state *vm, const vm_program *p, int32_t as_of);
void vm_state_free(vm_state *vm);

/* Evaluate rule r on series s (row 0 current).  Alerts go to vm->emit.
** Returns VM_OK or an error; on error vm->err_fn/err_pc say where. */
vm_status vm_eval_rule(vm_state *vm, int r, const vm_series *s);

/* Evaluate value function fn on the row at cursor 0 of s with evaluation
** time day (used for a source's where).  *out is the result, valid until the
** next evaluation on vm.  Not reentrant: never call it on a vm_state that is
** inside vm_eval_rule (the runtime keeps a second vm_state for wheres). */
vm_status vm_eval_value(vm_state *vm, int fn, const vm_series *s, int32_t day, val *out);

#endif
