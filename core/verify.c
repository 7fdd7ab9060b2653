/*
** verify.c — bc_verify: every property docs/BYTECODE.md lists under "What
** the verifier guarantees", checked on an in-memory program (read from a
** .vgc by bc.c, or made by the compiler).  Tables first, then each
** function: its layout, then its code in one forward pass that decodes
** each instruction (vm_decode), checks each operand by its kind
** (core/opcodes.def) and computes the stack depth.
*/
#include "bc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "limits.h"
#include "funcs.h"

/* max_stack is a u16, and the VM sizes its stack from it */
_Static_assert(VM_MAX_STACK <= UINT16_MAX, "VM_MAX_STACK must fit vm_func.max_stack (a u16)");

/* Like bc_fail(), prefixed with "function F, pc P: ". */
static int fail_at(char *err, size_t cap, int fn, uint32_t pc, const char *fmt, ...) BC_PRINTF_LIKE(5, 6);
static int fail_at(char *err, size_t cap, int fn, uint32_t pc, const char *fmt, ...) {
  va_list ap;
  if (!err || cap == 0) return -1;
  int n = snprintf(err, cap, "function %d, pc %u: ", fn, pc);
  if (n < 0 || (size_t)n >= cap) return -1;
  va_start(ap, fmt);
  vsnprintf(err + n, cap - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

#define MISSING(what, ...) bc_fail(err, cap, "missing string: " what, __VA_ARGS__)

/* Every array of a non-zero count exists and every name is non-NULL.
** Returns 0 or -1 with err. */
static int verify_strings(const vm_program *p, char *err, size_t cap) {
  if (!p->pack) return bc_fail(err, cap, "missing string: the pack name");
  if (!p->title) return bc_fail(err, cap, "missing string: the title");
  if ((p->nfiles && !p->files) || (p->ntiers && !p->tiers) || (p->nparams && !p->params) ||
      (p->nsources && !p->sources) || (p->nrules && !p->rules) || (p->nfuncs && !p->funcs) ||
      (p->nconsts && !p->consts) || (p->ncode && !p->code) || (p->nlines && !p->lines))
    return bc_fail(err, cap, "missing array: a table with a non-zero count has no storage");
  for (unsigned i = 0; i < p->nfiles; i++)
    if (!p->files[i]) return MISSING("file %u", i);
  for (unsigned i = 0; i < p->ntiers; i++)
    if (!p->tiers[i]) return MISSING("tier %u", i);
  for (unsigned i = 0; i < p->nparams; i++)
    if (!p->params[i].name) return MISSING("param %u name", i);
  for (unsigned i = 0; i < p->nsources; i++) {
    const vm_source *s = &p->sources[i];
    if (!s->name || !s->table) return MISSING("source %u name or table", i);
    if (s->ncols && !s->cols) return bc_fail(err, cap, "missing array: source %u columns", i);
    for (unsigned c = 0; c < s->ncols; c++)
      if (!s->cols[c].name) return MISSING("source %u column %u", i, c);
  }
  if (p->nrollups && !p->rollups) return bc_fail(err, cap, "missing array: the rollups");
  for (unsigned i = 0; i < p->nrollups; i++) {
    if (p->rollups[i].ncols && !p->rollups[i].cols) return bc_fail(err, cap, "missing array: rollup %u columns", i);
    for (unsigned c = 0; c < p->rollups[i].ncols; c++)
      if (!p->rollups[i].cols[c].name) return MISSING("rollup %u column %u", i, c);
  }
  for (unsigned i = 0; i < p->nrules; i++) {
    if (!p->rules[i].name) return MISSING("rule %u name", i);
    if (p->rules[i].nevid && !p->rules[i].evid) return bc_fail(err, cap, "missing array: rule %u evidence", i);
    if (p->rules[i].nmeasures && !p->rules[i].measures) return bc_fail(err, cap, "missing array: rule %u measures", i);
  }
  if (p->org_table) {
    if (!p->org_person || !p->org_manager) return bc_fail(err, cap, "missing string: the org's person or manager column");
    if (p->ntiers && !p->routes) return bc_fail(err, cap, "missing array: the org's routes");
    for (unsigned i = 0; i < p->ntiers; i++)
      if (p->routes[i] > VG_MAX_ROUTE) return bc_fail(err, cap, "tier %u routes %u levels up (at most %d)", i, p->routes[i], VG_MAX_ROUTE);
  }
  for (uint32_t i = 0; i < p->nconsts; i++)
    if (p->consts[i].t == VT_STR && !p->consts[i].u.s) return MISSING("constant %u", i);
  for (unsigned i = 0; i < p->nparams; i++)
    if (p->params[i].value.t == VT_STR && !p->params[i].value.u.s) return MISSING("param %u value", i);
  return 0;
}

/* 1 when source si is the source of a rollup. */
static int is_rollup(const vm_program *p, unsigned si) {
  for (unsigned i = 0; i < p->nrollups; i++)
    if (p->rollups[i].source == si) return 1;
  return 0;
}

/* Rollups: the sources they make and read, their columns (the runtime
** creates the rollup's table from them, and the source must read only
** those), and their functions.  The table is named "vigil rollup
** PACK.SOURCE", so that no program can make a temporary table that hides
** one of the database's.  Returns 0 or -1 with err. */
static int verify_rollups(const vm_program *p, char *err, size_t cap) {
  for (unsigned i = 0; i < p->nrollups; i++) {
    const vm_rollup *ro = &p->rollups[i];
    if (ro->source >= p->nsources || ro->member >= p->nsources)
      return bc_fail(err, cap, "rollup %u: source %u or member %u out of range (%u sources)", i, ro->source, ro->member,
                  p->nsources);
    const vm_source *s = &p->sources[ro->source], *m = &p->sources[ro->member];
    if (is_rollup(p, ro->member))
      return bc_fail(err, cap, "rollup %u (%s): its member source %s is a rollup", i, s->name, m->name);
    for (unsigned j = 0; j < i; j++)
      if (p->rollups[j].source == ro->source) return bc_fail(err, cap, "rollup %u (%s): the source has two rollups", i, s->name);
    if (ro->group >= m->ncols || ro->group == m->time)
      return bc_fail(err, cap, "rollup %u (%s): group column %u is not a column of %s other than its time", i, s->name,
                  ro->group, m->name);
    if (ro->horizon != ro->horizon) return bc_fail(err, cap, "rollup %u (%s): horizon is not a number", i, s->name);
    size_t want = strlen(p->pack) + strlen(s->name) + 14;
    if (strncmp(s->table, "vigil rollup ", 13) != 0 || strlen(s->table) != want ||
        strncmp(s->table + 13, p->pack, strlen(p->pack)) != 0 || s->table[13 + strlen(p->pack)] != '.' ||
        strcmp(s->table + 14 + strlen(p->pack), s->name) != 0)
      return bc_fail(err, cap, "rollup %u (%s): its table must be named 'vigil rollup %s.%s'", i, s->name, p->pack, s->name);
    if (s->where != -1) return bc_fail(err, cap, "rollup %u (%s): a rollup has no where", i, s->name);
    /* the source reads its key, its time and columns of the rollup's table */
    if (strcmp(s->cols[s->key].name, m->cols[ro->group].name) != 0 || strcmp(s->cols[s->time].name, m->cols[m->time].name) != 0)
      return bc_fail(err, cap, "rollup %u (%s): its key and time must be the member's group and time columns", i, s->name);
    for (unsigned c = 0; c < s->ncols; c++) {
      if (c == s->key || c == s->time) continue;
      int found = 0;
      for (unsigned k = 0; k < ro->ncols && !found; k++)
        found = strcmp(ro->cols[k].name, s->cols[c].name) == 0 && ro->cols[k].type == s->cols[c].type;
      if (!found)
        return bc_fail(err, cap, "rollup %u (%s): source column %u (%s) is not one of the rollup's columns", i, s->name, c,
                    s->cols[c].name);
    }
    for (unsigned k = 0; k < ro->ncols; k++) {
      const vm_rcol *rc = &ro->cols[k];
      if (rc->agg >= RC__COUNT) return bc_fail(err, cap, "rollup %u (%s), column %u: aggregate %u out of range", i, s->name, k, rc->agg);
      if (rc->type != VT_NUM && rc->type != VT_STR && rc->type != VT_DATE && rc->type != VT_NULL)
        return bc_fail(err, cap, "rollup %u (%s), column %u (%s): invalid column type %u", i, s->name, k, rc->name, rc->type);
      int needs_fn = rc->agg != RC_MEMBERS && rc->agg != RC_REPORTING;
      if (!needs_fn ? rc->fn != -1
                    : (rc->fn < 0 || rc->fn >= p->nfuncs || p->funcs[rc->fn].kind != VM_FN_VALUE ||
                       p->funcs[rc->fn].source != ro->member))
        return bc_fail(err, cap, "rollup %u (%s), column %u (%s): function %d is not a value function of source %s", i, s->name,
                    k, rc->name, (int)rc->fn, m->name);
      if (!needs_fn || rc->agg == RC_MIN || rc->agg == RC_MAX ? 0 : rc->type != VT_NUM)
        return bc_fail(err, cap, "rollup %u (%s), column %u (%s): %s gives a number", i, s->name, k, rc->name,
                    rc->agg == RC_COUNT ? "count" : rc->agg == RC_SHARE ? "share" : "sum/avg");
      if (!needs_fn && rc->type != VT_NUM)
        return bc_fail(err, cap, "rollup %u (%s), column %u (%s): members and reporting are numbers", i, s->name, k, rc->name);
      for (unsigned j = 0; j < k; j++)
        if (strcmp(ro->cols[j].name, rc->name) == 0)
          return bc_fail(err, cap, "rollup %u (%s): column %s appears twice", i, s->name, rc->name);
      if (strcmp(rc->name, m->cols[ro->group].name) == 0 || strcmp(rc->name, m->cols[m->time].name) == 0)
        return bc_fail(err, cap, "rollup %u (%s): column %s has the name of the key or the time", i, s->name, rc->name);
    }
  }
  /* no other source reads a rollup's table */
  for (unsigned i = 0; i < p->nsources; i++)
    if (!is_rollup(p, i) && strncmp(p->sources[i].table, "vigil rollup ", 13) == 0)
      return bc_fail(err, cap, "source %u (%s): table names starting 'vigil rollup ' are the rollups'", i, p->sources[i].name);
  return 0;
}

/* Tiers, constants, params, sources and rules.  Returns 0 or -1 with err. */
/* fn is a value function reading source src. */
static int is_value_fn_of(const vm_program *p, int32_t fn, unsigned src) {
  return fn >= 0 && fn < (int32_t)p->nfuncs && p->funcs[fn].kind == VM_FN_VALUE && p->funcs[fn].source == src;
}

static int verify_tables(const vm_program *p, char *err, size_t cap) {
  if (p->ntiers < 1) return bc_fail(err, cap, "no tiers: a program needs at least one");
  for (uint32_t i = 0; i < p->nconsts; i++)
    if (p->consts[i].t > VT_DUR) return bc_fail(err, cap, "constant %u: invalid type %u", i, p->consts[i].t);
  for (unsigned i = 0; i < p->nparams; i++)
    if (p->params[i].value.t > VT_DUR)
      return bc_fail(err, cap, "param %u (%s): invalid value type %u", i, p->params[i].name,
                  p->params[i].value.t);
  for (unsigned i = 0; i < p->nsources; i++) {
    const vm_source *s = &p->sources[i];
    for (unsigned c = 0; c < s->ncols; c++) {
      unsigned t = s->cols[c].type;
      if (t != VT_NUM && t != VT_STR && t != VT_DATE && t != VT_NULL)
        return bc_fail(err, cap, "source %u (%s), column %u (%s): invalid column type %u (%s)", i, s->name,
                    c, s->cols[c].name, t, val_type_name((int)t));
    }
    if (s->key >= s->ncols)
      return bc_fail(err, cap, "source %u (%s): key column %u out of range (%u columns)", i, s->name, s->key, s->ncols);
    if (s->time >= s->ncols)
      return bc_fail(err, cap, "source %u (%s): time column %u out of range (%u columns)", i, s->name, s->time,
                  s->ncols);
    /* the runtime reads the time as a day number and the key apart from it */
    if (s->cols[s->time].type != VT_DATE)
      return bc_fail(err, cap, "source %u (%s): the time column %u (%s) is a %s, not a date", i, s->name, s->time,
                  s->cols[s->time].name, val_type_name((int)s->cols[s->time].type));
    if (s->key == s->time)
      return bc_fail(err, cap, "source %u (%s): the key and the time are one column (%u)", i, s->name, s->key);
    if (s->every != s->every) return bc_fail(err, cap, "source %u (%s): every is not a number", i, s->name);
    if (s->label != -1 && !is_value_fn_of(p, s->label, i))
      return bc_fail(err, cap, "source %u (%s): label function %d is not a value function of the source", i, s->name,
                     (int)s->label);
    if (s->where != -1) {
      if (s->where < 0 || s->where >= p->nfuncs)
        return bc_fail(err, cap, "source %u (%s): where function %d out of range (%u functions)", i, s->name,
                    (int)s->where, p->nfuncs);
      const vm_func *f = &p->funcs[s->where];
      if (f->kind != VM_FN_VALUE)
        return bc_fail(err, cap, "source %u (%s): where function %d is not a value function", i, s->name,
                    (int)s->where);
      if (f->source != i)
        return bc_fail(err, cap, "source %u (%s): where function %d reads source %u", i, s->name,
                    (int)s->where, f->source);
    }
  }
  if (verify_rollups(p, err, cap)) return -1;
  for (unsigned i = 0; i < p->nrules; i++) {
    const vm_rule *r = &p->rules[i];
    if (r->source >= p->nsources)
      return bc_fail(err, cap, "rule %u (%s): source %u out of range (%u sources)", i, r->name, r->source,
                  p->nsources);
    if (r->fn >= p->nfuncs)
      return bc_fail(err, cap, "rule %u (%s): function %u out of range (%u functions)", i, r->name, r->fn,
                  p->nfuncs);
    if (p->funcs[r->fn].kind != VM_FN_RULE)
      return bc_fail(err, cap, "rule %u (%s): function %u is not a rule function", i, r->name, r->fn);
    if (p->funcs[r->fn].source != r->source)
      return bc_fail(err, cap, "rule %u (%s): function %u reads source %u, not the rule's source %u", i,
                  r->name, r->fn, p->funcs[r->fn].source, r->source);
    if (r->file >= p->nfiles)
      return bc_fail(err, cap, "rule %u (%s): file %u out of range (%u files)", i, r->name, r->file, p->nfiles);
    if (r->clear != -1) {
      if (r->clear < 0 || r->clear >= p->nfuncs)
        return bc_fail(err, cap, "rule %u (%s): clear function %d out of range (%u functions)", i, r->name, (int)r->clear,
                    p->nfuncs);
      if (!is_value_fn_of(p, r->clear, r->source))
        return bc_fail(err, cap, "rule %u (%s): clear function %d is not a value function of the rule's source", i, r->name,
                    (int)r->clear);
    }
    if (r->escalate != r->escalate) return bc_fail(err, cap, "rule %u (%s): escalate is not a number", i, r->name);
    for (unsigned k = 0; k < r->nevid; k++) {
      if (!r->evid[k].name) return MISSING("rule %u evidence %u name", i, k);
      int32_t fn = r->evid[k].fn;
      if (!is_value_fn_of(p, fn, r->source))
        return bc_fail(err, cap, "rule %u (%s): evidence %u (%s): function %d is not a value function of the rule's source", i,
                    r->name, k, r->evid[k].name, (int)fn);
    }
    for (unsigned k = 0; k < r->nmeasures; k++) {
      const vm_measure *m = &r->measures[k];
      if (m->tier >= p->ntiers)
        return bc_fail(err, cap, "rule %u (%s): measure %u: tier %u out of range (%u tiers)", i, r->name, k, m->tier,
                    p->ntiers);
      if (m->op != OP_LT && m->op != OP_LE && m->op != OP_GT && m->op != OP_GE)
        return bc_fail(err, cap, "rule %u (%s): measure %u: operator %u is not <, <=, > or >=", i, r->name, k, m->op);
      int32_t side[2] = {m->lhs, m->rhs};
      for (int j = 0; j < 2; j++)
        if (!is_value_fn_of(p, side[j], r->source))
          return bc_fail(err, cap, "rule %u (%s): measure %u: function %d is not a value function of the rule's source", i,
                      r->name, k, (int)side[j]);
    }
  }
  return 0;
}

/* A function's kind, source, code range and line table.  Returns 0 or -1. */
static int verify_layout(const vm_program *p, int fi, char *err, size_t cap) {
  const vm_func *f = &p->funcs[fi];
  if (f->kind != VM_FN_RULE && f->kind != VM_FN_VALUE)
    return bc_fail(err, cap, "function %d: invalid kind %u", fi, f->kind);
  if (f->source >= p->nsources)
    return bc_fail(err, cap, "function %d: source %u out of range (%u sources)", fi, f->source, p->nsources);
  if ((uint64_t)f->code_off + f->code_len > p->ncode)
    return bc_fail(err, cap, "function %d: code range %u+%u outside the code (%u bytes)", fi, f->code_off,
                f->code_len, p->ncode);
  if ((uint64_t)f->line_off + f->nlines > p->nlines)
    return bc_fail(err, cap, "function %d: lines %u+%u outside the line table (%u entries)", fi, f->line_off,
                f->nlines, p->nlines);
  for (uint32_t j = 0; j < f->nlines; j++) {
    const vm_lineinfo *l = &p->lines[f->line_off + j];
    if (l->pc >= f->code_len)
      return bc_fail(err, cap, "function %d, line entry %u: pc %u outside the function (%u bytes)", fi, j, l->pc,
                  f->code_len);
    if (j > 0 && l->pc < l[-1].pc)
      return bc_fail(err, cap, "function %d, line entry %u: pc %u before the previous entry's pc %u", fi, j,
                  l->pc, l[-1].pc);
    if (l->file >= p->nfiles)
      return bc_fail(err, cap, "function %d, line entry %u: file %u out of range (%u files)", fi, j, l->file,
                  p->nfiles);
  }
  return 0;
}

/* An operand of kind FN: a value function of the same source with a
** greater index.  Returns 0 or -1 with err. */
static int verify_fnop(const vm_program *p, int fi, uint32_t pc, unsigned a, char *err, size_t cap) {
  if (a >= p->nfuncs)
    return fail_at(err, cap, fi, pc, "function operand %u out of range (%u functions)", a, p->nfuncs);
  if (p->funcs[a].kind != VM_FN_VALUE)
    return fail_at(err, cap, fi, pc, "function operand %u is not a value function", a);
  if ((int)a <= fi)
    return fail_at(err, cap, fi, pc, "function operand %u must come after the current function %d", a, fi);
  if (p->funcs[a].source != p->funcs[fi].source)
    return fail_at(err, cap, fi, pc, "function operand %u reads source %s, not %s", a,
                   p->sources[p->funcs[a].source].name, p->sources[p->funcs[fi].source].name);
  return 0;
}

/* Operand k of instruction in, by its kind (core/opcodes.def, KIND).  An
** operand that refers to the one before it (ARGC, LCOL) is checked after
** that one.  Returns 0 or -1 with err. */
static int verify_operand(const vm_program *p, int fi, uint32_t pc, const vm_insn *in, int k, char *err,
                          size_t cap) {
  const vm_func *f = &p->funcs[fi];
  const vm_source *src = &p->sources[f->source];
  const char *name = vm_ops[in->op].name;
  unsigned v = in->o[k], prev = k > 0 ? in->o[k - 1] : 0;
  char letter = (char)('A' + k);
  switch ((vm_opkind)vm_ops[in->op].kind[k]) {
  case VM_K__: case VM_K_BACK: case VM_K_DAYS: case VM_K__COUNT:
    break;
  case VM_K_CONST:
    if (v >= p->nconsts)
      return fail_at(err, cap, fi, pc, "constant index %u out of range (%u constants)", v, p->nconsts);
    break;
  case VM_K_COL:
    if (v >= src->ncols)
      return fail_at(err, cap, fi, pc, "column %u out of range (%u columns in source %s)", v, src->ncols, src->name);
    break;
  case VM_K_PARAM:
    if (v >= p->nparams) return fail_at(err, cap, fi, pc, "param %u out of range (%u params)", v, p->nparams);
    break;
  case VM_K_LIST:
    if (v < 1) return fail_at(err, cap, fi, pc, "%s with an empty list (%c must be >= 1)", name, letter);
    break;
  case VM_K_PARTS:
    if (v < 1) return fail_at(err, cap, fi, pc, "%s of no strings (%c must be >= 1)", name, letter);
    break;
  case VM_K_LIB:
    if (v >= FN__COUNT)
      return fail_at(err, cap, fi, pc, "library function %u out of range (%d functions)", v, (int)FN__COUNT);
    break;
  case VM_K_ARGC: {
    const fn_sig *lf = &fn_scalars[prev];
    if ((int)v < lf->min_args || (lf->max_args >= 0 && (int)v > lf->max_args)) {
      if (lf->max_args < 0)
        return fail_at(err, cap, fi, pc, "library function %u (%s) takes at least %d arguments, not %u", prev,
                       lf->name, lf->min_args, v);
      return fail_at(err, cap, fi, pc, "library function %u (%s) takes %d to %d arguments, not %u", prev,
                     lf->name, lf->min_args, lf->max_args, v);
    }
    break;
  }
  case VM_K_DIGITS:
    if (v > 20) return fail_at(err, cap, fi, pc, "format with %u decimals (at most 20)", v);
    break;
  case VM_K_FORMAT:
    if (v > 2) return fail_at(err, cap, fi, pc, "format kind %u out of range (0..2)", v);
    break;
  case VM_K_LSRC:
    if (v >= p->nsources)
      return fail_at(err, cap, fi, pc, "lookup source %u out of range (%u sources)", v, p->nsources);
    break;
  case VM_K_LCOL:
    if (v >= p->sources[prev].ncols)
      return fail_at(err, cap, fi, pc, "lookup column %u out of range (%u columns in source %s)", v,
                     p->sources[prev].ncols, p->sources[prev].name);
    break;
  case VM_K_FN:
    return verify_fnop(p, fi, pc, v, err, cap);
  case VM_K_PERIOD:
    if (!(src->every > 0))
      return fail_at(err, cap, fi, pc, "%s in a function of source %s, which has no cadence (every)", name, src->name);
    if (v < 1) return fail_at(err, cap, fi, pc, "%s over %u rows (%c must be >= 1)", name, v, letter);
    break;
  case VM_K_ROWS:
    if (v < 1) return fail_at(err, cap, fi, pc, "%s over %u rows (%c must be >= 1)", name, v, letter);
    break;
  case VM_K_AGG:
    if (v >= AGG__COUNT) return fail_at(err, cap, fi, pc, "aggregate %u out of range (%d aggregates)", v, AGG__COUNT);
    break;
  case VM_K_JUMP: /* the target is checked with the stack depth it is reached with */
    if (v < 1) return fail_at(err, cap, fi, pc, "jump offset 0: jumps must go forward (%c >= 1)", letter);
    break;
  case VM_K_TIER:
    if (v >= p->ntiers) return fail_at(err, cap, fi, pc, "tier %u out of range (%u tiers)", v, p->ntiers);
    break;
  case VM_K_LEVELS:
    if (v > VG_MAX_ROUTE) return fail_at(err, cap, fi, pc, "%s %u levels up (at most %d)", name, v, VG_MAX_ROUTE);
    break;
  }
  return 0;
}

/* Where instruction in may appear (opcodes.def, only), then its operands in
** order.  Returns 0 or -1 with err. */
static int verify_insn(const vm_program *p, int fi, uint32_t pc, const vm_insn *in, char *err, size_t cap) {
  const vm_opinfo *oi = &vm_ops[in->op];
  int kind = p->funcs[fi].kind;
  /* a return in the wrong kind of function names the other kind's return */
  const char *instead = "";
  if (oi->flow == VM_FLOW_RETURN)
    instead = oi->only == VM_ONLY_RULE ? " (it must use RETV)" : " (it must use RET)";
  switch ((vm_only)oi->only) {
  case VM_ONLY_ANY: break;
  case VM_ONLY_RULE:
    if (kind != VM_FN_RULE) return fail_at(err, cap, fi, pc, "%s in a value function%s", oi->name, instead);
    break;
  case VM_ONLY_VALUE:
    if (kind != VM_FN_VALUE) return fail_at(err, cap, fi, pc, "%s in a rule function%s", oi->name, instead);
    break;
  case VM_ONLY_ORG:
    if (!p->org_table) return fail_at(err, cap, fi, pc, "%s in a program without an org", oi->name);
    break;
  }
  for (int k = 0; k < oi->nops; k++)
    if (verify_operand(p, fi, pc, in, k, err, cap)) return -1;
  return 0;
}

/* What the stack-depth pass knows about a pc: the depth a jump arrives
** with (-1: no jump lands here) and the first jump that does. */
typedef struct vmark {
  int32_t depth;
  uint32_t from;
} vmark;

/* Decodes and checks function fi instruction by instruction, computing the
** stack depth in one forward pass (jumps only go forward, so every jump
** into a pc is seen before the pc).  mark has room for code_len entries.
** Sets max_stack.  Returns 0 or -1 with err. */
static int verify_code(vm_program *p, int fi, vmark *mark, char *err, size_t cap) {
  vm_func *f = &p->funcs[fi];
  const uint8_t *code = p->code + f->code_off;
  uint32_t n = f->code_len, pc = 0;
  int32_t d = 0, maxd = 0;
  int live = 1;
  for (uint32_t i = 0; i < n; i++) mark[i].depth = -1;
  while (pc < n) {
    if (mark[pc].depth >= 0) {
      if (live && d != mark[pc].depth)
        return fail_at(err, cap, fi, pc, "stack depth %d here disagrees with depth %d after the jump at pc %u",
                       (int)d, (int)mark[pc].depth, mark[pc].from);
      d = mark[pc].depth;
      live = 1;
    } else if (!live) {
      return fail_at(err, cap, fi, pc, "unreachable code (no jump lands here)");
    }
    vm_insn in;
    vm_decst ds = vm_decode(code, n, pc, &in);
    if (ds == VM_DEC_OPCODE) return fail_at(err, cap, fi, pc, "invalid opcode %u", in.op);
    const vm_opinfo *oi = &vm_ops[in.op];
    if (ds == VM_DEC_TRUNCATED)
      return fail_at(err, cap, fi, pc, "%s operands run past the end of the function", oi->name);
    for (uint32_t k = 1; k < in.len; k++)
      if (mark[pc + k].depth >= 0)
        return fail_at(err, cap, fi, mark[pc + k].from, "jump target %u lands inside the %s at pc %u", pc + k,
                       oi->name, pc);
    if (verify_insn(p, fi, pc, &in, err, cap)) return -1;
    /* pops is at most 65535 + 1: the arithmetic below cannot overflow */
    int32_t pops = (int32_t)in.pops;
    if (oi->flow == VM_FLOW_RETURN && d != pops)
      return fail_at(err, cap, fi, pc, "%s with %d values on the stack (needs %s%d)", oi->name, (int)d,
                     pops ? "exactly " : "", (int)pops);
    if (d < pops)
      return fail_at(err, cap, fi, pc, "stack underflow: %s pops %d values, the stack holds %d", oi->name, (int)pops,
                     (int)d);
    d = d - pops + (int32_t)in.pushes;
    if (d > VM_MAX_STACK) return fail_at(err, cap, fi, pc, "stack deeper than %d values", VM_MAX_STACK);
    if (d > maxd) maxd = d;
    for (int k = 0; k < oi->nops; k++) {
      if (oi->kind[k] != VM_K_JUMP) continue;
      uint64_t target = (uint64_t)pc + in.len + in.o[k];
      if (target >= n)
        return fail_at(err, cap, fi, pc, "jump target %llu outside the function (%u bytes)",
                       (unsigned long long)target, n);
      vmark *m = &mark[target];
      if (m->depth >= 0 && m->depth != d)
        return fail_at(err, cap, fi, pc, "jump arrives at pc %u with stack depth %d, the jump at pc %u with %d",
                       (unsigned)target, (int)d, m->from, (int)m->depth);
      if (m->depth < 0) {
        m->depth = d;
        m->from = pc;
      }
    }
    if (oi->flow == VM_FLOW_JUMP || oi->flow == VM_FLOW_RETURN) live = 0;
    pc += in.len;
  }
  if (live)
    return bc_fail(err, cap, "function %d: falls off its end (every path must end in %s)", fi,
                   f->kind == VM_FN_RULE ? "RET" : "RETV");
  f->max_stack = (uint16_t)maxd;
  return 0;
}

/* See bc.h.  Returns 0, -1 with err, or -2 (out of memory). */
int bc_verify(vm_program *p, char *err, size_t cap) {
  if (err && cap) err[0] = 0;
  if (verify_strings(p, err, cap) || verify_tables(p, err, cap)) return -1;
  uint32_t maxlen = 0;
  for (int i = 0; i < p->nfuncs; i++) {
    if (verify_layout(p, i, err, cap)) return -1;
    if (p->funcs[i].code_len > maxlen) maxlen = p->funcs[i].code_len;
  }
  vmark *mark = NULL;
  if (maxlen) {
    mark = vg_realloc(NULL, (size_t)maxlen * sizeof *mark);
    if (!mark) {
      bc_fail(err, cap, "out of memory");
      return -2;
    }
  }
  int rc = 0;
  for (int i = 0; i < p->nfuncs && rc == 0; i++) rc = verify_code(p, i, mark, err, cap);
  vg_free(mark);
  return rc;
}
