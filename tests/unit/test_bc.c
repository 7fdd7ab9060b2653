/*
** test_bc.c — CUnit tests of the .vgc writer, reader, verifier, disassembler
** and the program queries (vm_lookback, vm_line_at).
**
** Programs are built by hand: prog_base() makes the tables (tiers, params,
** two sources, constants) and add_fn() assembles a function from opcode and
** operand ints ended by END.  Every verifier check has a bad program here
** whose error text must name the problem.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "../../core/limits.h"
#include "../../core/bc.h"
#include "../../runtime/vm.h"
#include "../../stdlib/lib.h"

int unit_register_bc(void);

enum { END = -1 };
enum { CAP_CODE = 2 * VM_MAX_STACK + 4096, CAP_FN = 16, CAP_LINES = 64, CAP_RULES = 4 };

/* ---- Building programs --------------------------------------------------- */

static char *dup(vm_program *p, const char *s) { return vg_arena_strdup(&p->arena, s); }
static void *alloc(vm_program *p, size_t n) { return vg_arena_alloc(&p->arena, n); }

/* The tables every test program shares; no functions or rules yet.
**   source 0 snap:   rep_id number, snapshot_date date, conversion_rate number, owner string
**   source 1 target: rep_id number, day date, amount number
**   consts: 0 "conversion below floor", 1 1.5, 2 2025-03-31, 3 1 day, 4 true, 5 null */
static vm_program *prog_base(void) {
  vm_program *p = vg_realloc(NULL, sizeof *p);
  memset(p, 0, sizeof *p);
  p->pack = dup(p, "t");
  p->title = dup(p, "test \"pack\"");
  p->nfiles = 2;
  p->files = alloc(p, 2 * sizeof(char *));
  p->files[0] = dup(p, "a.rules");
  p->files[1] = dup(p, "b.rules");
  p->ntiers = 3;
  p->tiers = alloc(p, 3 * sizeof(char *));
  p->tiers[0] = dup(p, "yellow");
  p->tiers[1] = dup(p, "orange");
  p->tiers[2] = dup(p, "red");
  p->nparams = 3;
  p->params = alloc(p, 3 * sizeof *p->params);
  p->params[0].name = dup(p, "slump");
  p->params[0].value = val_num(0.2);
  p->params[1].name = dup(p, "grace");
  p->params[1].value = val_dur(5);
  p->params[2].name = dup(p, "region");
  p->params[2].value = val_str(dup(p, "north\n"), 6);

  static const char *const c0[] = {"rep_id", "snapshot_date", "conversion_rate", "owner"};
  static const uint8_t t0[] = {VT_NUM, VT_DATE, VT_NUM, VT_STR};
  static const char *const c1[] = {"rep_id", "day", "amount"};
  static const uint8_t t1[] = {VT_NUM, VT_DATE, VT_NULL};
  p->nsources = 2;
  p->sources = alloc(p, 2 * sizeof *p->sources);
  for (int s = 0; s < 2; s++) {
    vm_source *src = &p->sources[s];
    src->name = dup(p, s ? "target" : "snap");
    src->table = dup(p, s ? "targets" : "sales_snapshot");
    src->key = 0;
    src->time = 1;
    src->every = s ? -1 : 14;
    src->where = -1;
    src->label = -1; /* prog_full names snap's entities by fn 5 */
    src->ncols = s ? 3 : 4;
    src->cols = alloc(p, src->ncols * sizeof *src->cols);
    for (unsigned c = 0; c < src->ncols; c++) {
      src->cols[c].name = dup(p, s ? c1[c] : c0[c]);
      src->cols[c].type = s ? t1[c] : t0[c];
    }
  }
  p->nconsts = 6;
  p->consts = alloc(p, 6 * sizeof *p->consts);
  p->consts[0] = val_str(dup(p, "conversion below floor"), 22);
  p->consts[1] = val_num(1.5);
  p->consts[2] = val_date(lib_days_from_civil(2025, 3, 31));
  p->consts[3] = val_dur(1);
  p->consts[4] = val_bool(1);
  p->consts[5] = val_null();
  p->funcs = alloc(p, CAP_FN * sizeof *p->funcs);
  p->code = alloc(p, CAP_CODE);
  p->lines = alloc(p, CAP_LINES * sizeof *p->lines);
  p->rules = alloc(p, CAP_RULES * sizeof *p->rules);
  return p;
}

/* Appends a function with the given bytes and one line entry (pc 0,
** a.rules:10+index:3).  Returns its index. */
static int add_fn_raw(vm_program *p, int kind, int src, const uint8_t *code, size_t n) {
  int fi = p->nfuncs++;
  vm_func *f = &p->funcs[fi];
  f->kind = (uint8_t)kind;
  f->source = (uint16_t)src;
  f->code_off = p->ncode;
  f->code_len = (uint32_t)n;
  f->line_off = p->nlines;
  f->nlines = 1;
  if (n) memcpy(p->code + p->ncode, code, n);
  p->ncode += (uint32_t)n;
  p->lines[p->nlines++] = (vm_lineinfo){0, 0, (uint32_t)(10 + fi), 3};
  return fi;
}

/* Assembles opcode ints, each followed by vm_ops[op].nops operand ints,
** until END.  Returns the byte length. */
static size_t assemble(uint8_t *out, va_list ap) {
  size_t n = 0;
  for (int op; (op = va_arg(ap, int)) != END;) {
    out[n++] = (uint8_t)op;
    int nops = op >= 0 && op < OP__COUNT ? vm_ops[op].nops : 0; /* bad opcodes get none */
    for (int k = 0; k < nops; k++) {
      int v = va_arg(ap, int);
      out[n++] = (uint8_t)v;
      out[n++] = (uint8_t)(v >> 8);
    }
  }
  return n;
}

static int add_fn(vm_program *p, int kind, int src, ...) {
  uint8_t code[512];
  va_list ap;
  va_start(ap, src);
  size_t n = assemble(code, ap);
  va_end(ap);
  return add_fn_raw(p, kind, src, code, n);
}

/* Another line entry for the function added last. */
static void add_line(vm_program *p, uint32_t pc, int file, uint32_t line, uint32_t col) {
  p->lines[p->nlines++] = (vm_lineinfo){pc, (uint16_t)file, line, col};
  p->funcs[p->nfuncs - 1].nlines++;
}

static void add_rule(vm_program *p, const char *name, int src, int fn, int file, uint32_t line) {
  p->rules[p->nrules++] = (vm_rule){dup(p, name), (uint16_t)src, (uint16_t)fn, (uint16_t)file, line, 1, -1, -1, 0, NULL, 0, NULL};
}

/* fn 0 assembled from the arguments (ended by END), then the helpers the
** function operands refer to: fn 1 value on snap, fn 2 value on target,
** fn 3 a rule function on snap (rule 0 "r"). */
static vm_program *code_prog(int kind, int src, ...) {
  vm_program *p = prog_base();
  uint8_t code[512];
  va_list ap;
  va_start(ap, src);
  size_t n = assemble(code, ap);
  va_end(ap);
  add_fn_raw(p, kind, src, code, n);
  add_fn(p, VM_FN_VALUE, 0, OP_COL, 2, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 1, OP_COL, 2, OP_RETV, END);
  add_fn(p, VM_FN_RULE, 0, OP_RET, END);
  add_rule(p, "r", 0, 3, 0, 5);
  return p;
}

/* A program that uses every opcode: two rules, a where on each source. */
static vm_program *prog_full(void) {
  vm_program *p = prog_base();
  int days = fn_scalar_find("days");
  /* fn 0: rule "slump": orange when fn 2 holds for 2 snapshots */
  add_fn(p, VM_FN_RULE, 0, OP_FOR, 2, 2, OP_JMPF, 22, OP_CONST, 0, OP_COL, 2, OP_FMT, 1, 1, OP_CONCAT, 2,
         OP_COL, 0, OP_TEXT, OP_EMIT, 1, OP_RET, OP_RET, END);
  add_line(p, 8, 0, 14, 11);
  add_line(p, 22, 1, 15, 3);
  /* fn 1: rule "trend": red when fn 4 holds */
  add_fn(p, VM_FN_RULE, 0, OP_FOR, 4, 1, OP_JMPF, 6, OP_NULL, OP_NULL, OP_EMIT, 2, OP_RET, OP_RET, END);
  /* fn 2: conversion_rate < target.amount * days(grace) */
  add_fn(p, VM_FN_VALUE, 0, OP_COL, 2, OP_COL, 0, OP_LOOKUP, 1, 2, OP_PARAM, 1, OP_CALL, days, 1, OP_MUL,
         OP_LT, OP_RETV, END);
  /* fn 3: where of snap */
  add_fn(p, VM_FN_VALUE, 0, OP_COL, 3, OP_ISNULL, OP_NOT, OP_RETV, END);
  /* fn 4: the window functions; stack 4 */
  add_fn(p, VM_FN_VALUE, 0, OP_PREV, 5, 1, OP_PCTCHG, 5, OP_ADD, OP_AGGN, 5, 3, AGG_AVG, OP_SUB, OP_AGGD, 5,
         28, AGG_SUM, OP_DIV, OP_NEG, OP_CONST, 1, OP_GE, OP_STREAK, 6, OP_AND, OP_ASOF, OP_CONST, 2, OP_LE,
         OP_OR, OP_STALE, OP_NOT, OP_EQ, OP_NULL, OP_TRUE, OP_FALSE, OP_IN, 2, OP_NE, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_COL, 2, OP_RETV, END);                      /* fn 5 */
  add_fn(p, VM_FN_VALUE, 0, OP_COL, 2, OP_CONST, 1, OP_LT, OP_RETV, END);  /* fn 6 */
  /* fn 7: if true then 1.5 else 1 day */
  add_fn(p, VM_FN_VALUE, 0, OP_TRUE, OP_JMPF, 6, OP_CONST, 1, OP_JMP, 3, OP_CONST, 3, OP_RETV, END);
  /* fn 8: where of target */
  add_fn(p, VM_FN_VALUE, 1, OP_COL, 2, OP_CONST, 4, OP_GT, OP_RETV, END);
  p->sources[0].where = 3;
  p->sources[1].where = 8;
  p->sources[0].label = 5; /* snap's entities are named by a value function */
  add_rule(p, "slump", 0, 0, 0, 12);
  add_rule(p, "trend", 0, 1, 1, 20);
  /* slump's size: its orange clause's conversion_rate (fn 5) < fn 6 */
  vm_rule *sl = &p->rules[p->nrules - 2];
  sl->measures = vg_arena_alloc(&p->arena, sizeof *sl->measures);
  if (sl->measures) {
    sl->measures[0] = (vm_measure){1, OP_LT, 5, 6};
    sl->nmeasures = 1;
  }
  return p;
}

/* Asserts that bc_verify rejects p with an error containing needle; frees p. */
#define EXPECT_BAD(p, needle)                                                            \
  do {                                                                                   \
    char err_[512] = "";                                                                 \
    vm_program *p_ = (p);                                                                \
    CU_ASSERT_EQUAL(bc_verify(p_, err_, sizeof err_), -1);                               \
    CU_ASSERT_PTR_NOT_NULL(strstr(err_, needle));                                        \
    if (!strstr(err_, needle))                                                           \
      fprintf(stderr, "\n%s:%d: wanted \"%s\" in \"%s\"\n", __FILE__, __LINE__, needle, err_); \
    vm_program_free(p_);                                                                 \
  } while (0)

/* A program whose fn 0 is the given code (kind, source, ops...) must fail. */
#define BAD_CODE(needle, ...) EXPECT_BAD(code_prog(__VA_ARGS__, END), needle)

/* Mutates a valid full program with stmt (p in scope), which must then fail. */
#define BAD_TABLE(stmt, needle)            \
  do {                                     \
    vm_program *p = prog_full();           \
    stmt;                                  \
    EXPECT_BAD(p, needle);                 \
  } while (0)

/* Verifies p, asserting success (and printing the error if not). */
static int verify_ok(vm_program *p, int line) {
  char err[512] = "";
  int rc = bc_verify(p, err, sizeof err);
  if (rc) fprintf(stderr, "\n%s:%d: unexpected verify error: %s\n", __FILE__, line, err);
  CU_assertImplementation(rc == 0, (unsigned)line, "bc_verify(p) == 0", __FILE__, "", CU_FALSE);
  return rc;
}

/* The listing of p as a NUL-terminated string the caller frees (vg_free). */
static char *listing(const vm_program *p) {
  vg_buf b = {0};
  CU_ASSERT_EQUAL(bc_disasm(p, &b), 0);
  return b.data;
}

/* ---- Format: round trip, truncation, corruption ---------------------------- */

static void test_crc(void) {
  CU_ASSERT_EQUAL(bc_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
  CU_ASSERT_EQUAL(bc_crc32(NULL, 0), 0u);
}

static void test_roundtrip(void) {
  vm_program *p = prog_full(), *q = NULL;
  char err[512] = "";
  vg_buf f1 = {0}, f2 = {0};
  if (verify_ok(p, __LINE__)) { vm_program_free(p); return; }
  CU_ASSERT_EQUAL(bc_write(p, &f1), 0);
  CU_ASSERT_EQUAL(bc_read((const uint8_t *)f1.data, f1.len, &q, err, sizeof err), 0);
  CU_ASSERT_STRING_EQUAL(err, "");
  CU_ASSERT_PTR_NOT_NULL_FATAL(q);
  char *l1 = listing(p), *l2 = listing(q);
  CU_ASSERT_STRING_EQUAL(l1, l2);
  CU_ASSERT_EQUAL(bc_write(q, &f2), 0);
  CU_ASSERT_EQUAL(f1.len, f2.len);
  CU_ASSERT(f1.len == f2.len && memcmp(f1.data, f2.data, f1.len) == 0);
  CU_ASSERT(q->consts[0].len == 22 && memcmp(q->consts[0].u.s, "conversion below floor", 22) == 0);
  CU_ASSERT_EQUAL(q->params[2].value.len, 6);
  vg_free(l1);
  vg_free(l2);
  vg_buf_free(&f1);
  vg_buf_free(&f2);
  vm_program_free(p);
  vm_program_free(q);
}

/* Lines of the listing that golden files depend on. */
static void test_disasm_lines(void) {
  vm_program *p = prog_full();
  if (verify_ok(p, __LINE__)) { vm_program_free(p); return; }
  char *l = listing(p);
  static const char *const want[] = {
    "pack t \"test \\\"pack\\\"\"\n",
    "file 1 b.rules\n",
    "tiers yellow, orange, red\n",
    "param 0 slump = 0.2\n",
    "param 1 grace = 5 days\n",
    "param 2 region = \"north\\n\"\n",
    "source 0 snap table sales_snapshot key rep_id time snapshot_date every 14 days where fn 3 label fn 5\n",
    "  col 3 owner: string\n",
    "source 1 target table targets key rep_id time day every none where fn 8\n",
    "  col 2 amount: any\n",
    "rule 0 slump on snap fn 0 at a.rules:12 lookback 1\n",
    "rule 1 trend on snap fn 1 at b.rules:20 lookback unbounded\n",
    "\nfn 0 rule source snap stack 2\n; a.rules:10:3\n"
    "0000 FOR     2 2               ; fn 2 on 2 rows\n"
    "0005 JMPF    22                ; to 0030\n"
    "; a.rules:14:11\n"
    "0008 CONST   0                 ; \"conversion below floor\"\n"
    "0011 COL     2                 ; conversion_rate\n"
    "0014 FMT     1 1               ; pct\n"
    "0019 CONCAT  2\n"
    "; b.rules:15:3\n"
    "0022 COL     0                 ; rep_id\n"
    "0025 TEXT\n"
    "0026 EMIT    1                 ; orange\n"
    "0029 RET\n"
    "0030 RET\n",
    "fn 2 value source snap stack 3\n",
    "0006 LOOKUP  1 2               ; target.amount\n",
    "0011 PARAM   1                 ; grace\n",
    "0014 CALL    0 1               ; days\n",
    "0000 PREV    5 1               ; fn 5 at cursor+1\n",
    "0009 AGGN    5 3 1             ; avg of fn 5 over 3 rows\n",
    "0017 AGGD    5 28 0            ; sum of fn 5 over 28 days\n",
    "0026 CONST   1                 ; 1.5\n",
    "0035 CONST   2                 ; 2025-03-31\n",
    "0046 IN      2\n",
    "0007 JMP     3                 ; to 0013\n",
    "0010 CONST   3                 ; 1 day\n",
    "fn 8 value source target stack 2\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    CU_ASSERT_PTR_NOT_NULL(strstr(l, want[i]));
    if (!strstr(l, want[i])) fprintf(stderr, "\nmissing from the listing: %s\n", want[i]);
  }
  CU_ASSERT_PTR_NULL(strstr(l, " \n")); /* no trailing blanks */
  vg_free(l);
  vm_program_free(p);
}

/* A valid file of the full program in f. */
static int write_full(vg_buf *f) {
  vm_program *p = prog_full();
  int rc = verify_ok(p, __LINE__);
  if (rc == 0) rc = bc_write(p, f);
  vm_program_free(p);
  return rc;
}

/* Reads data and asserts it is rejected with an error containing needle
** (any error when needle is NULL). */
static void expect_reject(const uint8_t *data, size_t len, const char *needle, int line) {
  vm_program *q = NULL;
  char err[512] = "";
  int rc = bc_read(data, len, &q, err, sizeof err);
  int ok = rc == -1 && q == NULL && err[0] && (!needle || strstr(err, needle));
  if (!ok) fprintf(stderr, "\n%s:%d: wanted rejection \"%s\", got rc %d \"%s\"\n", __FILE__, line,
                   needle ? needle : "", rc, err);
  CU_assertImplementation(ok, (unsigned)line, "bc_read rejects the file", __FILE__, "", CU_FALSE);
  vm_program_free(q);
}

static void test_truncations(void) {
  vg_buf f = {0};
  if (write_full(&f)) return;
  const uint8_t *d = (const uint8_t *)f.data;
  for (size_t n = 0; n < f.len; n++) expect_reject(d, n, NULL, __LINE__);
  expect_reject(d, 10, "truncated file (10 bytes, the header alone is 16)", __LINE__);
  char want[80];
  snprintf(want, sizeof want, "truncated file (%zu bytes, header says %zu)", f.len - 1, f.len);
  expect_reject(d, f.len - 1, want, __LINE__);
  vg_buf_free(&f);
}

static void test_bitflips(void) {
  vg_buf f = {0};
  if (write_full(&f)) return;
  uint8_t *d = (uint8_t *)f.data;
  for (size_t i = 0; i < f.len; i++)
    for (int bit = 0; bit < 8; bit++) {
      d[i] ^= (uint8_t)(1u << bit);
      expect_reject(d, f.len, NULL, __LINE__);
      d[i] ^= (uint8_t)(1u << bit);
    }
  d[20] ^= 1;
  expect_reject(d, f.len, "checksum mismatch: the file is corrupt", __LINE__);
  vg_buf_free(&f);
}

/* Rewrites the header's payload length and checksum after a payload edit. */
static void reseal(uint8_t *d, size_t len) {
  uint32_t plen = (uint32_t)(len - 16), crc = bc_crc32(d + 16, plen);
  for (int k = 0; k < 4; k++) {
    d[8 + k] = (uint8_t)(plen >> (8 * k));
    d[12 + k] = (uint8_t)(crc >> (8 * k));
  }
}

static void test_header_errors(void) {
  vg_buf f = {0};
  if (write_full(&f)) return;
  uint8_t *d = (uint8_t *)f.data;
  vm_program *q = NULL;
  char err[256];
  CU_ASSERT_EQUAL(bc_read(d, f.len, &q, err, sizeof err), 0);
  vm_program_free(q);
  d[0] = 'X';
  expect_reject(d, f.len, "bad magic", __LINE__);
  expect_reject(d, 2, "bad magic", __LINE__);
  d[0] = 'V';
  d[4] = (uint8_t)(VG_BC_VERSION + 1);
  {
    char want[128];
    snprintf(want, sizeof want, "unsupported bytecode version %d (this build reads version %d only)", VG_BC_VERSION + 1,
             VG_BC_VERSION);
    expect_reject(d, f.len, want, __LINE__);
  }
  d[4] = (uint8_t)VG_BC_VERSION;
  d[6] = 1;
  expect_reject(d, f.len, "unsupported flags 0x0001", __LINE__);
  d[6] = 0;
  CU_ASSERT_EQUAL(vg_buf_append(&f, "", 1), 0); /* one byte more than the header says */
  d = (uint8_t *)f.data;
  expect_reject(d, f.len, "1 trailing bytes after the payload", __LINE__);
  reseal(d, f.len); /* now the payload itself is one byte too long */
  expect_reject(d, f.len, "1 trailing bytes at the end of the payload", __LINE__);
  f.len--;
  reseal(d, f.len);
  CU_ASSERT_EQUAL(bc_read(d, f.len, &q, err, sizeof err), 0);
  vm_program_free(q);
  /* payload: pack "t" (4+1 bytes), title (4+11), then the u16 file count */
  size_t files = 16 + 5 + 4 + strlen("test \"pack\"");
  CU_ASSERT_EQUAL(d[files], 2);
  d[files] = 0xff;
  d[files + 1] = 0xff;
  reseal(d, f.len);
  expect_reject(d, f.len, "section files: count 65535 larger than the remaining", __LINE__);
  d[files] = 2;
  d[files + 1] = 0;
  d[16 + 3] = 0x7f; /* the pack name's length */
  reseal(d, f.len);
  expect_reject(d, f.len, "section pack: truncated at payload offset 4", __LINE__);
  d[16 + 3] = 0;
  d[16 + 4] = 0; /* a NUL inside the pack name */
  reseal(d, f.len);
  expect_reject(d, f.len, "contains a NUL byte", __LINE__);
  vg_buf_free(&f);
}

/* Every payload byte replaced, with a valid checksum: the reader and the
** verifier see arbitrary tables and must never crash; what they accept
** must list and answer queries. */
static void test_resealed_mutations(void) {
  vg_buf f = {0};
  if (write_full(&f)) return;
  uint8_t *d = (uint8_t *)f.data;
  static const uint8_t repl[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
  int accepted = 0;
  for (size_t i = 16; i < f.len; i++) {
    uint8_t keep = d[i];
    for (size_t r = 0; r < sizeof repl; r++) {
      vm_program *q = NULL;
      char err[256] = "";
      d[i] = repl[r];
      reseal(d, f.len);
      if (bc_read(d, f.len, &q, err, sizeof err) == 0) {
        vg_buf b = {0};
        accepted++;
        CU_ASSERT_EQUAL(bc_disasm(q, &b), 0);
        for (int k = 0; k < q->nrules; k++) (void)vm_lookback(q, q->rules[k].fn);
        vg_buf_free(&b);
        vm_program_free(q);
      } else {
        CU_ASSERT(err[0] != 0);
        CU_ASSERT_PTR_NULL(q);
      }
    }
    d[i] = keep;
  }
  CU_ASSERT(accepted > 0); /* some edits (a name's letter) are harmless */
  /* every shorter payload, properly sealed, is rejected by the parser */
  for (size_t n = 16; n < f.len; n++) {
    reseal(d, n);
    expect_reject(d, n, NULL, __LINE__);
  }
  vg_buf_free(&f);
}

static void test_write_oom(void) {
  vm_program *p = prog_full();
  vg_buf f = {0};
  if (verify_ok(p, __LINE__) == 0) {
    CU_ASSERT_EQUAL(vg_buf_append(&f, "x", 1), 0);
    for (long k = 0; k < 20; k++) {
      vg_mem_fail_after(k);
      int rc = bc_write(p, &f);
      vg_mem_fail_after(-1);
      if (rc == 0) break;
      CU_ASSERT_EQUAL(f.len, 1); /* restored */
    }
  }
  vg_buf_free(&f);
  vm_program_free(p);
}

/* ---- Verifier: tables -------------------------------------------------- */

static void test_verify_tables(void) {
  BAD_TABLE(p->pack = NULL, "missing string: the pack name");
  BAD_TABLE(p->tiers[1] = NULL, "missing string: tier 1");
  BAD_TABLE(p->sources[1].cols[2].name = NULL, "missing string: source 1 column 2");
  BAD_TABLE(p->consts[0].u.s = NULL, "missing string: constant 0");
  BAD_TABLE(p->rules[1].name = NULL, "missing string: rule 1 name");
  BAD_TABLE(p->funcs = NULL, "missing array");
  BAD_TABLE(p->ntiers = 0, "no tiers");
  BAD_TABLE(p->consts[3].t = VT__COUNT, "constant 3: invalid type 6");
  BAD_TABLE(p->params[1].value.t = 9, "param 1 (grace): invalid value type 9");
  BAD_TABLE(p->sources[0].cols[3].type = VT_BOOL, "source 0 (snap), column 3 (owner): invalid column type 2 (bool)");
  BAD_TABLE(p->sources[1].cols[0].type = VT_DUR, "invalid column type 5 (duration)");
  BAD_TABLE(p->sources[0].key = 4, "source 0 (snap): key column 4 out of range (4 columns)");
  BAD_TABLE(p->sources[1].time = 3, "source 1 (target): time column 3 out of range (3 columns)");
  /* fuzz finding (fuzz/regressions/vgc/time-column-string.vgc): a string
  ** time column was read as a day number from the string's pointer bits */
  BAD_TABLE(p->sources[0].cols[1].type = VT_STR, "source 0 (snap): the time column 1 (snapshot_date) is a string, not a date");
  BAD_TABLE(p->sources[0].time = 0, "source 0 (snap): the time column 0 (rep_id) is a number, not a date");
  BAD_TABLE((p->sources[0].time = 0, p->sources[0].cols[0].type = VT_DATE), "source 0 (snap): the key and the time are one column (0)");
  BAD_TABLE(p->sources[0].every = NAN, "every is not a number");
  BAD_TABLE(p->sources[0].label = 9, "source 0 (snap): label function 9 is not a value function of the source");
  BAD_TABLE(p->sources[0].label = -2, "label function -2 is not a value function of the source");
  BAD_TABLE(p->sources[0].label = 0, "label function 0 is not a value function of the source");
  BAD_TABLE(p->sources[0].label = 8, "source 0 (snap): label function 8 is not a value function of the source");
  BAD_TABLE(p->sources[0].where = 9, "source 0 (snap): where function 9 out of range (9 functions)");
  BAD_TABLE(p->sources[0].where = -2, "where function -2 out of range");
  BAD_TABLE(p->sources[0].where = 0, "where function 0 is not a value function");
  BAD_TABLE(p->sources[0].where = 8, "where function 8 reads source 1");
  BAD_TABLE(p->rules[0].source = 2, "rule 0 (slump): source 2 out of range (2 sources)");
  BAD_TABLE(p->rules[0].fn = 9, "rule 0 (slump): function 9 out of range (9 functions)");
  BAD_TABLE(p->rules[0].fn = 2, "rule 0 (slump): function 2 is not a rule function");
  BAD_TABLE(p->rules[1].source = 1, "rule 1 (trend): function 1 reads source 0, not the rule's source 1");
  BAD_TABLE(p->rules[1].file = 2, "rule 1 (trend): file 2 out of range (2 files)");
  BAD_TABLE(p->rules[0].measures = NULL, "missing array: rule 0 measures");
  BAD_TABLE(p->rules[0].measures[0].tier = 3, "rule 0 (slump): measure 0: tier 3 out of range (3 tiers)");
  BAD_TABLE(p->rules[0].measures[0].op = OP_EQ, "rule 0 (slump): measure 0: operator 13 is not <, <=, > or >=");
  BAD_TABLE(p->rules[0].measures[0].lhs = 0, "rule 0 (slump): measure 0: function 0 is not a value function of the rule's source");
  BAD_TABLE(p->rules[0].measures[0].rhs = 8, "measure 0: function 8 is not a value function");
  BAD_TABLE(p->rules[0].measures[0].rhs = -1, "measure 0: function -1 is not a value function");
}

/* The saved fuzz input of that finding is a .vgc of this version that reads
** as far as the check (fuzz/README.md, finding 5). */
static void test_verify_saved_time_column(void) {
  FILE *f = fopen("fuzz/regressions/vgc/time-column-string.vgc", "rb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  uint8_t data[4096];
  size_t n = fread(data, 1, sizeof data, f);
  fclose(f);
  vm_program *p = NULL;
  char err[512] = "";
  CU_ASSERT_EQUAL(bc_read(data, n, &p, err, sizeof err), -1);
  CU_ASSERT_PTR_NULL(p);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "source 0 (snap): the time column 1 (snapshot_date) is a string, not a date"));
  if (!strstr(err, "is a string, not a date")) printf("\n%s\n", err);
}

static void test_verify_layout(void) {
  BAD_TABLE(p->funcs[4].kind = 2, "function 4: invalid kind 2");
  BAD_TABLE(p->funcs[4].source = 2, "function 4: source 2 out of range (2 sources)");
  BAD_TABLE(p->funcs[8].code_len += 1, "function 8: code range");
  BAD_TABLE(p->funcs[8].code_off = UINT32_MAX, "outside the code");
  BAD_TABLE(p->funcs[8].nlines = 2, "function 8: lines 10+2 outside the line table (11 entries)");
  BAD_TABLE(p->funcs[8].line_off = UINT32_MAX, "outside the line table");
  BAD_TABLE(p->lines[1].pc = 31, "function 0, line entry 1: pc 31 outside the function (31 bytes)");
  BAD_TABLE(p->lines[2].pc = 5, "function 0, line entry 2: pc 5 before the previous entry's pc 8");
  BAD_TABLE(p->lines[2].file = 2, "function 0, line entry 2: file 2 out of range (2 files)");
  /* equal pcs are allowed: the later entry wins */
  vm_program *p = prog_full();
  p->lines[2].pc = 8;
  CU_ASSERT_EQUAL(verify_ok(p, __LINE__), 0);
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 0, 8), &p->lines[2]);
  vm_program_free(p);
}

/* ---- Verifier: instructions -------------------------------------------- */

static void test_verify_operands(void) {
  enum { R = VM_FN_RULE, V = VM_FN_VALUE };
  int round = fn_scalar_find("round"), coalesce = fn_scalar_find("coalesce");
  CU_ASSERT(round >= 0 && coalesce >= 0);
  BAD_CODE("function 0, pc 1: invalid opcode 200", R, 0, OP_NULL, 200);
  BAD_CODE("function 0, pc 0: constant index 6 out of range (6 constants)", V, 0, OP_CONST, 6, OP_RETV);
  BAD_CODE("column 4 out of range (4 columns in source snap)", V, 0, OP_COL, 4, OP_RETV);
  BAD_CODE("column 3 out of range (3 columns in source target)", V, 1, OP_COL, 3, OP_RETV);
  BAD_CODE("param 3 out of range (3 params)", V, 0, OP_PARAM, 3, OP_RETV);
  BAD_CODE("library function 999 out of range", V, 0, OP_NULL, OP_CALL, 999, 1, OP_RETV);
  BAD_CODE("(round) takes 1 to 2 arguments, not 3", V, 0, OP_NULL, OP_NULL, OP_NULL,
           OP_CALL, round, 3, OP_RETV);
  BAD_CODE("(coalesce) takes at least 1 arguments, not 0", V, 0, OP_CALL, coalesce, 0, OP_RETV);
  BAD_CODE("format kind 3 out of range (0..2)", V, 0, OP_NULL, OP_FMT, 0, 3, OP_RETV);
  BAD_CODE("format with 21 decimals (at most 20)", V, 0, OP_NULL, OP_FMT, 21, 2, OP_RETV);
  BAD_CODE("CONCAT of no strings", V, 0, OP_CONCAT, 0, OP_RETV);
  BAD_CODE("IN with an empty list", V, 0, OP_NULL, OP_IN, 0, OP_RETV);
  BAD_CODE("lookup source 2 out of range (2 sources)", V, 0, OP_NULL, OP_LOOKUP, 2, 0, OP_RETV);
  BAD_CODE("lookup column 3 out of range (3 columns in source target)", V, 0, OP_NULL, OP_LOOKUP, 1, 3, OP_RETV);
  BAD_CODE("function operand 4 out of range (4 functions)", V, 0, OP_PREV, 4, 1, OP_RETV);
  BAD_CODE("function operand 3 is not a value function", V, 0, OP_PCTCHG, 3, OP_RETV);
  BAD_CODE("function operand 0 must come after the current function 0", V, 0, OP_STREAK, 0, OP_RETV);
  BAD_CODE("function operand 2 reads source target, not snap", V, 0, OP_FOR, 2, 1, OP_RETV);
  BAD_CODE("function operand 2 reads source target, not snap", V, 0, OP_AGGN, 2, 1, AGG_SUM, OP_RETV);
  BAD_CODE("function operand 3 is not a value function", V, 0, OP_AGGD, 3, 7, AGG_SUM, OP_RETV);
  BAD_CODE("FOR over 0 rows (B must be >= 1)", V, 0, OP_FOR, 1, 0, OP_RETV);
  BAD_CODE("AGGN over 0 rows (B must be >= 1)", V, 0, OP_AGGN, 1, 0, AGG_SUM, OP_RETV);
  BAD_CODE("aggregate 7 out of range (7 aggregates)", V, 0, OP_AGGN, 1, 2, AGG__COUNT, OP_RETV);
  BAD_CODE("aggregate 9 out of range", V, 0, OP_AGGD, 1, 7, 9, OP_RETV);
  BAD_CODE("tier 3 out of range (3 tiers)", R, 0, OP_NULL, OP_NULL, OP_EMIT, 3, OP_RET);
  BAD_CODE("EMIT in a value function", V, 0, OP_NULL, OP_NULL, OP_EMIT, 0, OP_NULL, OP_RETV);
  BAD_CODE("RET in a value function", V, 0, OP_RET);
  BAD_CODE("RETV in a rule function", R, 0, OP_NULL, OP_RETV);
  BAD_CODE("function 0, pc 1: MANAGER in a program without an org", V, 0, OP_NULL, OP_MANAGER, 1, OP_RETV);
  BAD_CODE("function 0, pc 1: PNAME in a program without an org", V, 0, OP_NULL, OP_PNAME, OP_RETV);
  BAD_CODE("function 0, pc 0: FORD in a function of source target, which has no cadence (every)", V, 1, OP_FORD, 2, 1,
           OP_RETV);
  BAD_CODE("function 0, pc 0: FORD over 0 rows (B must be >= 1)", V, 0, OP_FORD, 1, 0, OP_RETV);
  BAD_CODE("function 0, pc 0: function operand 2 reads source target, not snap", V, 0, OP_FORD, 2, 0, OP_RETV);
  {
    vm_program *q = code_prog(V, 0, OP_NULL, OP_MANAGER, VG_MAX_ROUTE + 1, OP_RETV, END);
    q->org_table = dup(q, "org");
    q->org_person = dup(q, "person");
    q->org_manager = dup(q, "manager");
    q->routes = alloc(q, q->ntiers);
    memset(q->routes, 0, q->ntiers);
    char want[80];
    snprintf(want, sizeof want, "function 0, pc 1: MANAGER %d levels up (at most %d)", VG_MAX_ROUTE + 1, VG_MAX_ROUTE);
    EXPECT_BAD(q, want);
  }
  /* valid neighbours of the above */
  vm_program *p = code_prog(V, 0, OP_PREV, 1, 0, OP_AGGD, 1, 0, AGG_ANY, OP_NULL, OP_FMT, 20, 2,
                            OP_CALL, coalesce, 3, OP_RETV, END);
  CU_ASSERT_EQUAL(verify_ok(p, __LINE__), 0);
  CU_ASSERT_EQUAL(p->funcs[0].max_stack, 3);
  vm_program_free(p);
}

static void test_verify_operands_truncated(void) {
  static const uint8_t raw[] = {OP_NULL, OP_CONST, 0};
  vm_program *p = prog_base();
  add_fn_raw(p, VM_FN_VALUE, 0, raw, sizeof raw);
  EXPECT_BAD(p, "function 0, pc 1: CONST operands run past the end of the function");
}

static void test_verify_jumps(void) {
  enum { R = VM_FN_RULE, V = VM_FN_VALUE };
  BAD_CODE("jump offset 0: jumps must go forward", R, 0, OP_JMP, 0, OP_RET);
  BAD_CODE("function 0, pc 1: jump target 6 outside the function (6 bytes)", V, 0, OP_TRUE, OP_JMPF, 2, OP_NULL,
           OP_RETV);
  BAD_CODE("jump target 65538 outside the function", R, 0, OP_JMP, 65535, OP_RET);
  /* JMPF +1 lands on the CONST's operand */
  BAD_CODE("function 0, pc 1: jump target 5 lands inside the CONST at pc 4", V, 0, OP_TRUE, OP_JMPF, 1, OP_CONST,
           0, OP_RETV);
  BAD_CODE("unreachable code", R, 0, OP_RET, OP_RET);
  BAD_CODE("function 0, pc 4: unreachable code", V, 0, OP_NULL, OP_JMP, 1, OP_NULL, OP_RETV);
  BAD_CODE("function 0: falls off its end", R, 0, OP_NULL, OP_NULL, OP_EMIT, 0);
  BAD_CODE("function 0: falls off its end", V, 0, OP_TRUE, OP_JMPF, 2, OP_NULL, OP_RETV, OP_NULL);
  vm_program *p = prog_base();
  add_fn_raw(p, VM_FN_RULE, 0, NULL, 0);
  p->funcs[0].nlines = 0;
  p->nlines = 0;
  EXPECT_BAD(p, "function 0: falls off its end");
}

static void test_verify_stack(void) {
  enum { R = VM_FN_RULE, V = VM_FN_VALUE };
  BAD_CODE("function 0, pc 1: stack underflow: ADD pops 2 values, the stack holds 1", V, 0, OP_NULL, OP_ADD,
           OP_RETV);
  BAD_CODE("stack underflow: IN pops 3 values, the stack holds 2", V, 0, OP_NULL, OP_NULL, OP_IN, 2, OP_RETV);
  BAD_CODE("stack underflow: CONCAT pops 2 values", V, 0, OP_NULL, OP_CONCAT, 2, OP_RETV);
  BAD_CODE("stack underflow: CALL pops 1 values", V, 0, OP_CALL, fn_scalar_find("days"), 1, OP_RETV);
  BAD_CODE("stack underflow: JMPF", R, 0, OP_JMPF, 1, OP_RET, OP_RET);
  BAD_CODE("RET with 1 values on the stack (needs 0)", R, 0, OP_NULL, OP_RET);
  BAD_CODE("RETV with 0 values on the stack (needs exactly 1)", V, 0, OP_RETV);
  BAD_CODE("RETV with 2 values on the stack (needs exactly 1)", V, 0, OP_NULL, OP_NULL, OP_RETV);
  /* merge: the JMPF path arrives at pc 5 with 0 values, the fall-through with 1 */
  BAD_CODE("function 0, pc 5: stack depth 1 here disagrees with depth 0 after the jump at pc 1", V, 0, OP_TRUE,
           OP_JMPF, 1, OP_NULL, OP_NULL, OP_RETV);
  /* two jumps to pc 10 with different depths */
  BAD_CODE("function 0, pc 6: jump arrives at pc 10 with stack depth 1, the jump at pc 1 with 0", V, 0, OP_TRUE,
           OP_JMPF, 6, OP_NULL, OP_TRUE, OP_JMPF, 1, OP_NULL, OP_RETV);
  /* deeper than VM_MAX_STACK */
  uint8_t deep[VM_MAX_STACK + 2];
  memset(deep, OP_NULL, sizeof deep);
  deep[sizeof deep - 1] = OP_RETV;
  vm_program *p = prog_base();
  add_fn_raw(p, V, 0, deep, sizeof deep);
  char want[80];
  snprintf(want, sizeof want, "function 0, pc %d: stack deeper than %d values", VM_MAX_STACK, VM_MAX_STACK);
  EXPECT_BAD(p, want);
  /* exactly VM_MAX_STACK is fine (the RETV then sees too many, so use ADDs) */
  uint8_t full[2 * VM_MAX_STACK];
  memset(full, OP_NULL, VM_MAX_STACK);
  memset(full + VM_MAX_STACK, OP_ADD, VM_MAX_STACK - 1);
  full[sizeof full - 1] = OP_RETV;
  p = prog_base();
  add_fn_raw(p, V, 0, full, sizeof full);
  CU_ASSERT_EQUAL(verify_ok(p, __LINE__), 0);
  CU_ASSERT_EQUAL(p->funcs[0].max_stack, VM_MAX_STACK);
  vm_program_free(p);
}

/* max_stack as computed over branches and operand-dependent pops. */
static void test_max_stack(void) {
  vm_program *p = prog_full();
  static const uint16_t want[] = {2, 2, 3, 1, 4, 1, 2, 1, 2};
  if (verify_ok(p, __LINE__) == 0)
    for (int i = 0; i < 9; i++) {
      CU_ASSERT_EQUAL(p->funcs[i].max_stack, want[i]);
      if (p->funcs[i].max_stack != want[i]) fprintf(stderr, "\nfn %d: max_stack %u\n", i, p->funcs[i].max_stack);
    }
  vm_program_free(p);
  /* the deeper arm of an if-then-else counts: TRUE JMPF(+8) NULL NULL NULL ADD ADD JMP(+1) NULL RETV */
  p = code_prog(VM_FN_VALUE, 0, OP_TRUE, OP_JMPF, 8, OP_NULL, OP_NULL, OP_NULL, OP_ADD, OP_ADD, OP_JMP, 1,
                OP_NULL, OP_RETV, END);
  CU_ASSERT_EQUAL(verify_ok(p, __LINE__), 0);
  CU_ASSERT_EQUAL(p->funcs[0].max_stack, 3);
  vm_program_free(p);
}

/* ---- Queries -------------------------------------------------------------- */

static void test_lookback(void) {
  vm_program *p = prog_full();
  if (verify_ok(p, __LINE__) == 0) {
    CU_ASSERT_EQUAL(vm_lookback(p, 0), 1);            /* FOR fn2 2 */
    CU_ASSERT_EQUAL(vm_lookback(p, 1), VM_UNBOUNDED); /* FOR fn4 1, fn4 has STREAK and AGGD */
    CU_ASSERT_EQUAL(vm_lookback(p, 2), 0);            /* COL and LOOKUP */
    CU_ASSERT_EQUAL(vm_lookback(p, 7), 0);            /* reads nothing */
    CU_ASSERT_EQUAL(vm_lookback(p, 99), VM_UNBOUNDED);
  }
  vm_program_free(p);

  /* fn0 = max(PREV fn1 3, FOR fn2 5), fn1 = PCTCHG fn3, fn2 = AGGN fn3 4, fn3 = PREV fn4 2, fn4 = COL */
  p = prog_base();
  add_fn(p, VM_FN_VALUE, 0, OP_PREV, 1, 3, OP_FOR, 2, 5, OP_AND, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_PCTCHG, 3, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_AGGN, 3, 4, AGG_MAX, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_PREV, 4, 2, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_COL, 2, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_PREV, 6, 65535, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_STREAK, 7, OP_RETV, END);
  add_fn(p, VM_FN_VALUE, 0, OP_COL, 2, OP_RETV, END);
  if (verify_ok(p, __LINE__) == 0) {
    CU_ASSERT_EQUAL(vm_lookback(p, 4), 0);
    CU_ASSERT_EQUAL(vm_lookback(p, 3), 2);
    CU_ASSERT_EQUAL(vm_lookback(p, 2), 5);  /* 3 + 2 */
    CU_ASSERT_EQUAL(vm_lookback(p, 1), 3);  /* 1 + 2 */
    CU_ASSERT_EQUAL(vm_lookback(p, 0), 9);  /* max(3 + 3, 4 + 5) */
    CU_ASSERT_EQUAL(vm_lookback(p, 5), VM_UNBOUNDED); /* saturates over STREAK */
    CU_ASSERT_EQUAL(vm_lookback(p, 6), VM_UNBOUNDED);
  }
  vm_program_free(p);
}

static void test_line_at(void) {
  vm_program *p = prog_full();
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 0, 0), &p->lines[0]);
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 0, 7), &p->lines[0]);
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 0, 8), &p->lines[1]);
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 0, 21), &p->lines[1]);
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 0, 22), &p->lines[2]);
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 0, 1000), &p->lines[2]);
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 1, 3), &p->lines[3]);
  CU_ASSERT_PTR_NULL(vm_line_at(p, 9, 0));
  CU_ASSERT_PTR_NULL(vm_line_at(p, -1, 0));
  p->lines[3].pc = 2; /* fn 1's only entry starts at pc 2 */
  CU_ASSERT_PTR_NULL(vm_line_at(p, 1, 1));
  CU_ASSERT_PTR_EQUAL(vm_line_at(p, 1, 2), &p->lines[3]);
  vm_program_free(p);
}

/* ---- The opcode table and the decoder ------------------------------------- */

/* Every operand of every opcode has a kind, none past its operands, and
** every kind is the kind of some operand. */
static void test_kinds_cover(void) {
  int used[VM_K__COUNT] = {0};
  for (int op = 0; op < OP__COUNT; op++) {
    const vm_opinfo *i = &vm_ops[op];
    CU_ASSERT(i->nops >= 0 && i->nops <= 3);
    for (int k = 0; k < 3; k++) {
      int kind = i->kind[k];
      CU_ASSERT(kind >= 0 && kind < VM_K__COUNT);
      if (k < i->nops) {
        CU_ASSERT(kind != VM_K__);
        if (kind == VM_K__) fprintf(stderr, "\n%s: operand %d has no kind\n", i->name, k);
      } else {
        CU_ASSERT_EQUAL(kind, VM_K__);
      }
      if (kind > VM_K__ && kind < VM_K__COUNT) used[kind]++;
    }
    /* a pop count that depends on an operand names one that counts values */
    if (i->pops < 0) {
      CU_ASSERT(i->popvar >= 0 && i->popvar < i->nops);
      int kind = i->popvar >= 0 && i->popvar < 3 ? i->kind[i->popvar] : VM_K__;
      CU_ASSERT(kind == VM_K_LIST || kind == VM_K_PARTS || kind == VM_K_ARGC);
    }
    /* a jump or branch has a JUMP operand; nothing else has one */
    int jumps = i->nops > 0 && i->kind[0] == VM_K_JUMP;
    CU_ASSERT_EQUAL(jumps, i->flow == VM_FLOW_JUMP || i->flow == VM_FLOW_BRANCH);
  }
  for (int kind = 1; kind < VM_K__COUNT; kind++) {
    CU_ASSERT(used[kind] > 0);
    CU_ASSERT(vm_kind_names[kind] && vm_kind_names[kind][0]);
    if (!used[kind]) fprintf(stderr, "\nkind %s is no operand's\n", vm_kind_names[kind]);
  }
  CU_ASSERT_STRING_EQUAL(vm_kind_names[VM_K_FN], "FN");
  CU_ASSERT_EQUAL(vm_ops[OP_AGGD].kind[2], VM_K_AGG);
  CU_ASSERT_EQUAL(vm_ops[OP_CALL].kind[1], VM_K_ARGC);
}

/* Every opcode decodes, with operands 0x0201, 0x0403, 0x0605, to its table
** length and stack effect; each shorter prefix is truncated. */
static void test_decode(void) {
  for (int op = 0; op < OP__COUNT; op++) {
    const vm_opinfo *i = &vm_ops[op];
    uint8_t code[8] = {(uint8_t)op, 1, 2, 3, 4, 5, 6, 0};
    uint32_t want = 1 + 2 * (uint32_t)i->nops;
    vm_insn in;
    CU_ASSERT_EQUAL(vm_decode(code, sizeof code, 0, &in), VM_DEC_OK);
    CU_ASSERT_EQUAL(in.op, (unsigned)op);
    CU_ASSERT_EQUAL(in.len, want);
    for (int k = 0; k < 3; k++) CU_ASSERT_EQUAL(in.o[k], k < i->nops ? 0x0201 + 0x0202 * k : 0);
    CU_ASSERT_EQUAL(in.pushes, (uint32_t)i->pushes);
    CU_ASSERT_EQUAL(in.pops, i->pops >= 0 ? (uint32_t)i->pops : (uint32_t)in.o[i->popvar] + (uint32_t)i->popadd);
    /* the instruction at the very end of the code */
    CU_ASSERT_EQUAL(vm_decode(code, want, 0, &in), VM_DEC_OK);
    CU_ASSERT_EQUAL(in.len, want);
    for (uint32_t n = 1; n < want; n++) {
      CU_ASSERT_EQUAL(vm_decode(code, n, 0, &in), VM_DEC_TRUNCATED);
      CU_ASSERT_EQUAL(in.op, (unsigned)op);
      CU_ASSERT_EQUAL(in.len, want);
    }
  }
  /* the operand-dependent pops, as the stack-depth tests rely on them */
  vm_insn in;
  const uint8_t in3[] = {OP_IN, 3, 0}, call2[] = {OP_CALL, 7, 0, 2, 0}, cat4[] = {OP_CONCAT, 4, 0};
  CU_ASSERT(vm_decode(in3, sizeof in3, 0, &in) == VM_DEC_OK && in.pops == 4);
  CU_ASSERT(vm_decode(call2, sizeof call2, 0, &in) == VM_DEC_OK && in.pops == 2);
  CU_ASSERT(vm_decode(cat4, sizeof cat4, 0, &in) == VM_DEC_OK && in.pops == 4);
  /* a pc inside the code, the end of the code, an invalid opcode */
  const uint8_t code[] = {OP_NULL, OP_CONST, 5, 0, OP_RETV, OP__COUNT, 0xff};
  CU_ASSERT(vm_decode(code, sizeof code, 1, &in) == VM_DEC_OK && in.op == OP_CONST && in.o[0] == 5 && in.len == 3);
  CU_ASSERT(vm_decode(code, sizeof code, 4, &in) == VM_DEC_OK && in.op == OP_RETV && in.pops == 1);
  CU_ASSERT_EQUAL(vm_decode(code, 3, 1, &in), VM_DEC_TRUNCATED);
  CU_ASSERT_EQUAL(vm_decode(code, sizeof code, sizeof code, &in), VM_DEC_TRUNCATED);
  CU_ASSERT_EQUAL(in.len, 0);
  CU_ASSERT(vm_decode(code, sizeof code, 5, &in) == VM_DEC_OPCODE && in.op == OP__COUNT);
  CU_ASSERT(vm_decode(code, sizeof code, 6, &in) == VM_DEC_OPCODE && in.op == 0xff);
}

/* The listing of code that does not decode stops there, naming why. */
static void test_disasm_undecodable(void) {
  static const uint8_t trunc[] = {OP_NULL, OP_AGGN, 1, 0, 2};
  static const uint8_t bad[] = {OP_NULL, 0xee};
  vm_program *p = prog_base();
  add_fn_raw(p, VM_FN_VALUE, 0, trunc, sizeof trunc);
  add_fn_raw(p, VM_FN_VALUE, 0, bad, sizeof bad);
  char *l = listing(p);
  CU_ASSERT_PTR_NOT_NULL(strstr(l, "0000 NULL\n0001 AGGN (truncated)\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(l, "0000 NULL\n0001 ??? opcode 238\n"));
  vg_free(l);
  CU_ASSERT_EQUAL(vm_lookback(p, 0), VM_UNBOUNDED); /* undecodable code: the safe answer */
  vm_program_free(p);
}

static void test_names(void) {
  CU_ASSERT_STRING_EQUAL(vm_ops[OP_CONST].name, "CONST");
  CU_ASSERT_STRING_EQUAL(vm_ops[OP_NULL].name, "NULL");
  CU_ASSERT_EQUAL(vm_ops[OP_AGGN].nops, 3);
  CU_ASSERT_EQUAL(vm_ops[OP_IN].pops, -1);
  CU_ASSERT_STRING_EQUAL(vm_ops[OP__COUNT - 1].name, "PNAME");
  CU_ASSERT_STRING_EQUAL(fn_aggs[AGG_ANY].name, "any");
  CU_ASSERT_STRING_EQUAL(val_type_name(VT_DUR), "duration");
  CU_ASSERT_STRING_EQUAL(val_type_name(VT__COUNT), "?");
  CU_ASSERT_STRING_EQUAL(val_type_name(-1), "?");
}

/* ---- Registration ------------------------------------------------------- */

typedef struct { const char *name; CU_TestFunc fn; } test_entry;

static int add_suite(const char *name, const test_entry *t, size_t n) {
  CU_pSuite s = CU_add_suite(name, NULL, NULL);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < n; i++)
    if (!CU_add_test(s, t[i].name, t[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}

/* Adds the bc suites to the (initialised) registry; CUE_SUCCESS or the error. */
int unit_register_bc(void) {
  static const test_entry format[] = {
    {"crc32", test_crc},
    {"round trip", test_roundtrip},
    {"listing lines", test_disasm_lines},
    {"every truncation rejected", test_truncations},
    {"every bit flip rejected", test_bitflips},
    {"header and section errors", test_header_errors},
    {"resealed mutations never crash", test_resealed_mutations},
    {"write out of memory", test_write_oom},
  };
  static const test_entry verify[] = {
    {"tables", test_verify_tables},
    {"the saved fuzz input of a string time column", test_verify_saved_time_column},
    {"function layout", test_verify_layout},
    {"operands", test_verify_operands},
    {"truncated operands", test_verify_operands_truncated},
    {"jumps", test_verify_jumps},
    {"stack depth", test_verify_stack},
    {"max_stack", test_max_stack},
  };
  static const test_entry query[] = {
    {"vm_lookback", test_lookback},
    {"vm_line_at", test_line_at},
    {"opcode and type names", test_names},
  };
  static const test_entry table[] = {
    {"operand kinds cover every operand", test_kinds_cover},
    {"vm_decode", test_decode},
    {"listing of undecodable code", test_disasm_undecodable},
  };
  int rc = add_suite("bc format", format, sizeof format / sizeof format[0]);
  if (rc == CUE_SUCCESS) rc = add_suite("bc verify", verify, sizeof verify / sizeof verify[0]);
  if (rc == CUE_SUCCESS) rc = add_suite("bc queries", query, sizeof query / sizeof query[0]);
  if (rc == CUE_SUCCESS) rc = add_suite("bc opcode table", table, sizeof table / sizeof table[0]);
  return rc;
}
