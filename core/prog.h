/*
** prog.h — the compiled program: what a pack compiles to, and exactly what
** a .vgc file holds (docs/BYTECODE.md): tiers, params, sources with the
** columns the rules read, rollups, rules, and functions of bytecode with
** their line tables.  All of its memory belongs to its arena and is freed
** by vm_program_free.  The compiler (compiler/cg.c) builds it, bc.c reads,
** writes and verifies it, the VM (runtime/vm.h) runs it.
*/
#ifndef VIGIL_PROG_H
#define VIGIL_PROG_H

#include <stdint.h>
#include <stddef.h>
#include "val.h"
#include "mem.h"
#include "funcs.h" /* vm_agg, the functions OP_CALL calls */

#define OP(name, nops, pops, pushes, doc) OP_##name,
typedef enum { 
#include "opcodes.def"
  OP__COUNT
} vm_opcode;
#undef OP


typedef struct vm_opinfo {
  const char *name; /* "CONST" */
  int nops;         /* 16-bit operands after the opcode byte */
  int pops;         /* -1: operand-dependent (IN: A+1, CALL: B, CONCAT: A) */
  int pushes;
  const char *doc;
} vm_opinfo;
extern const vm_opinfo vm_ops[OP__COUNT];

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
  uint32_t line, col; /* where the rule is declared (col: 1-based, in characters) */
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

#endif
