/*
** vm.h — the compiled program and the virtual machine that evaluates it.
**
** A program is what a pack compiles to, and exactly what a .vgc file holds
** (docs/BYTECODE.md): tiers, params, sources with the columns the rules
** read, rules, and functions of bytecode with their line tables.  All of
** its memory belongs to its arena and is freed by vm_program_free.
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
#include "val.h"
#include "mem.h"

#define OP(name, nops, pops, pushes, doc) OP_##name,
typedef enum { 
#include "opcodes.def"
  OP__COUNT
} vm_opcode;
#undef OP

/* Aggregates of OP_AGGN / OP_AGGD (operand C). */
typedef enum { AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_COUNT, AGG_ALL, AGG_ANY, AGG__COUNT } vm_agg;

typedef struct vm_opinfo {
  const char *name; /* "CONST" */
  int nops;         /* 16-bit operands after the opcode byte */
  int pops;         /* -1: operand-dependent (IN: A+1, CALL: B, CONCAT: A) */
  int pushes;
  const char *doc;
} vm_opinfo;
extern const vm_opinfo vm_ops[OP__COUNT];
extern const char *const vm_agg_names[AGG__COUNT];

/* A column a program reads.  type is VT_NUM, VT_STR or VT_DATE as the
** schema declares it, or VT_NULL for a column of no usable declared type
** (values are then read as SQLite stores them). */
typedef struct vm_column {
  char *name;
  uint8_t type;
} vm_column;

typedef struct vm_source {
  char *name;     /* the rule language's name */
  char *table;    /* the SQLite table */
  uint16_t key;   /* index into cols of the key column */
  uint16_t time;  /* index into cols of the time column */
  double every;   /* expected cadence in days; < 0 when not declared */
  int32_t where;  /* function index of the where filter, or -1 */
  uint16_t ncols;
  vm_column *cols;
} vm_source;

typedef struct vm_param {
  char *name;
  val value;      /* the default, or the --set override; strings live in the arena */
} vm_param;

/* A named value of a rule's evidence: value function fn of the rule's
** source, evaluated on the current row when the rule fires. */
typedef struct vm_evidence {
  char *name;
  int32_t fn;
} vm_evidence;

typedef struct vm_rule {
  char *name;
  uint16_t source;
  uint16_t fn;    /* the rule's main function */
  uint16_t file;  /* index into files */
  uint32_t line;  /* where the rule is declared */
  int32_t clear;  /* `clear when`: a value function of the rule's source, or -1 */
  double escalate; /* `escalate after D`: days an alert stays open before it is
                   ** raised one tier; < 0 when it never is */
  uint16_t nevid;  /* the rule's lets, kept as evidence with each alert */
  vm_evidence *evid;
} vm_rule;

/* One entry of a function's line table: instructions from pc on come from
** file:line:col (until the next entry). */
typedef struct vm_lineinfo {
  uint32_t pc;
  uint16_t file;
  uint32_t line, col;
} vm_lineinfo;

enum { VM_FN_RULE = 0, VM_FN_VALUE = 1 };

typedef struct vm_func {
  uint8_t kind;       /* VM_FN_RULE (ends in RET, emits) or VM_FN_VALUE (ends in RETV) */
  uint16_t source;    /* whose columns OP_COL reads */
  uint16_t max_stack; /* the deepest the value stack gets, as the verifier computes it */
  uint32_t code_off, code_len; /* into code */
  uint32_t line_off, nlines;   /* into lines */
} vm_func;

/* A rollup (docs/LANGUAGE.md "Rollups"): source `source`'s rows are made
** by the runtime, before any rule runs, into a temporary table named as the
** source's table: at each time t at which a member row of some group
** arrives, the group's row aggregates its members' latest rows on or before
** t.  Columns of the table: the member source's column `group` (the key),
** its time column, then cols[] in order. */
typedef enum {
  RC_MEMBERS,    /* members of the group at t (no fn) */
  RC_REPORTING,  /* members whose latest row is at most the members' every old at t (no fn) */
  RC_SUM, RC_AVG, RC_MIN, RC_MAX,  /* of fn's value over the members, nulls skipped; null when none */
  RC_COUNT,      /* members on whose row fn is true */
  RC_SHARE,      /* members on whose row fn is true / members on whose row it is not null; null when none */
  RC__COUNT
} vm_rcagg;

typedef struct vm_rcol {
  char *name;
  uint8_t type;      /* VT_NUM, VT_STR, VT_DATE, or VT_NULL (as read) */
  uint8_t agg;       /* a vm_rcagg */
  int32_t fn;        /* a value function of the member source, -1 for members and reporting */
} vm_rcol;

typedef struct vm_rollup {
  uint16_t source;   /* the rollup's own source */
  uint16_t member;   /* the member source */
  uint16_t group;    /* the member source's column that names the group */
  double horizon;    /* days: a member whose latest row is older at t is left out; < 0 never */
  uint16_t ncols;
  vm_rcol *cols;
} vm_rollup;

typedef struct vg_program {
  vg_arena arena;
  char *pack, *title;
  uint16_t ntiers; char **tiers;       /* lowest first */
  uint16_t nparams; vm_param *params;
  uint16_t nsources; vm_source *sources;
  uint16_t nrules; vm_rule *rules;
  uint16_t nfuncs; vm_func *funcs;
  uint32_t nconsts; val *consts;
  uint16_t nfiles; char **files;
  uint32_t ncode; uint8_t *code;
  uint32_t nlines; vm_lineinfo *lines;
  /* the org chart (org { ... }): table and columns, NULL without an org;
  ** org_name may be NULL */
  char *org_table, *org_person, *org_manager, *org_name;
  uint8_t *routes;                     /* ntiers: levels above the recipient, per tier */
  uint16_t nrollups; vm_rollup *rollups;
} vm_program;

void vm_program_free(vm_program *p);

/* Rows back from the cursor that function fn may read (0: the cursor's row
** only), or VM_UNBOUNDED when it reads back without a row bound (streak, a
** day window).  Follows nested functions.  The program must be verified. */
#define VM_UNBOUNDED UINT32_MAX
uint32_t vm_lookback(const vm_program *p, int fn);

/* Where a pc of function fn came from; NULL if the table has no entry. */
const vm_lineinfo *vm_line_at(const vm_program *p, int fn, uint32_t pc);

/* ---- The window of one key --------------------------------------------- */

typedef struct vm_row {
  int32_t time;     /* calendar day of the row */
  int64_t rowid;
  int64_t ikey;     /* the key when it is an SQLite INTEGER (kint): exact beyond 2^53 */
  int kint;
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
} vm_series;

static inline const vm_row *vm_series_row(const vm_series *s, uint32_t off) {
  if (off >= s->n) return NULL;
  return &s->rows[(s->head + s->cap - off) % s->cap];
}

/* ---- Evaluation -------------------------------------------------------- */

typedef enum {
  VM_OK = 0,
  VM_ERR_BUDGET,   /* the step budget of one evaluation ran out */
  VM_ERR_DEPTH,    /* nested functions deeper than VM_MAX_DEPTH */
  VM_ERR_NOMEM,
  VM_ERR_LOOKUP,   /* the lookup callback failed (database error) */
  VM_ERR_INTERNAL  /* an instruction the verifier should have rejected */
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

struct vm_state {
  const vm_program *prog;
  int32_t as_of;
  vm_lookup_fn lookup; vm_emit_fn emit; void *ud;
  vm_manager_fn manager;    /* NULL: manager() is null */
  uint64_t budget;          /* steps allowed per evaluation */
  /* set by the VM */
  int cur_rule;             /* the rule being evaluated */
  uint64_t steps;
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
