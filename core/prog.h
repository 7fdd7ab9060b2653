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

/* ---- Instructions (core/opcodes.def) ----------------------------------- */

#define OP(name, a, b, c, pops, pushes, only, flow, doc) OP_##name,
typedef enum {
#include "opcodes.def"
  OP__COUNT
} vm_opcode;

/* The kind of an operand: what it indexes or counts (opcodes.def, KIND). */
#define KIND(name, what, check) VM_K_##name,
typedef enum {
  VM_K__ = 0, /* no operand (written _ in opcodes.def) */
#include "opcodes.def"
  VM_K__COUNT
} vm_opkind;

/* Where an instruction may appear, and where control goes after it. */
typedef enum { VM_ONLY_ANY, VM_ONLY_RULE, VM_ONLY_VALUE, VM_ONLY_ORG } vm_only;
typedef enum { VM_FLOW_NEXT, VM_FLOW_JUMP, VM_FLOW_BRANCH, VM_FLOW_RETURN } vm_flow;

/* One row of opcodes.def. */
typedef struct vm_opinfo {
  const char *name;   /* "CONST" */
  int nops;           /* 16-bit operands after the opcode byte, 0..3 */
  int pops;           /* values popped; -1: operand popvar's value + popadd */
  int popvar, popadd;
  int pushes;
  uint8_t kind[3];    /* vm_opkind of A, B, C (VM_K__ past nops) */
  uint8_t only;       /* vm_only */
  uint8_t flow;       /* vm_flow */
  const char *doc;
} vm_opinfo;
extern const vm_opinfo vm_ops[OP__COUNT];

/* Names and descriptions of the operand kinds, by vm_opkind ("" for VM_K__). */
extern const char *const vm_kind_names[VM_K__COUNT];

/* Operand k (0 = A) of the instruction whose opcode byte is at ins. */
static inline uint16_t vm_operand(const uint8_t *ins, int k) {
  return (uint16_t)(ins[1 + 2 * k] | (unsigned)ins[2 + 2 * k] << 8);
}

/* Values instruction op (a valid opcode) pops, given its operands o[]. */
static inline uint32_t vm_op_pops(unsigned op, const uint16_t *o) {
  const vm_opinfo *i = &vm_ops[op];
  return i->pops >= 0 ? (uint32_t)i->pops : (uint32_t)o[i->popvar] + (uint32_t)i->popadd;
}

/* One decoded instruction. */
typedef struct vm_insn {
  unsigned op;        /* the opcode byte (OP__COUNT or more when invalid) */
  uint32_t len;       /* bytes, opcode and operands: 1 + 2 * nops */
  uint16_t o[3];      /* operands A, B, C; 0 past the opcode's */
  uint32_t pops, pushes;
} vm_insn;

typedef enum {
  VM_DEC_OK = 0,
  VM_DEC_OPCODE,     /* code[pc] is not an opcode: only op is set */
  VM_DEC_TRUNCATED   /* the operands run past len (or pc >= len): op and len are set */
} vm_decst;

/* Decodes the instruction at code[pc] of code[0..len): the one definition
** of an instruction's shape, used by the verifier, the disassembler, the
** lookback scan, the prefilter and the runtime's column scan (the VM reads
** operands directly with vm_operand, as this does).  Never reads outside
** code[0..len). */
vm_decst vm_decode(const uint8_t *code, uint32_t len, uint32_t pc, vm_insn *out);

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
  int32_t label;  /* the label: a value function of this source on the current row (the entity's name), or -1 */
  uint16_t ncols;
  vm_column *cols;
} vm_source;

typedef struct vm_param {
  char *name;
  val value;      /* the default, or the --set override; strings live in the arena */
  int fraction;   /* the pack uses it as a fraction (W-fraction); not kept in a .vgc file */
  int percent;    /* its default is written as a percent literal (20%); not kept in a .vgc file */
} vm_param;

/* A named value of a rule's evidence: value function fn of the rule's
** source, evaluated on the current row when the rule fires. */
typedef struct vm_evidence {
  char *name;
  int32_t fn;
} vm_evidence;

/* A measure of a tier clause (docs/LANGUAGE.md §4.6.1): a comparison of
** two numbers (<, <=, > or >=) in the clause's condition, reached through
** `and`, `or` and `for`; lhs and rhs are value functions of the rule's
** source, evaluated on the current row when an alert of the clause is kept
** as evidence.  A rule's measures are in the order written, per clause. */
typedef struct vm_measure {
  uint16_t tier;  /* the clause's tier */
  uint8_t op;     /* OP_LT, OP_LE, OP_GT or OP_GE */
  int32_t lhs, rhs;
} vm_measure;

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
  uint16_t nmeasures; /* the measures of its clauses (size) */
  vm_measure *measures;
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
  ** org_name, org_email and org_chat (the address columns) may be NULL */
  char *org_table, *org_person, *org_manager, *org_name, *org_email, *org_chat;
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
