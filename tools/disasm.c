/*
** disasm.c — the readable listing of a program (vigil disasm, compile --dump).
**
** The layout is fixed because golden tests diff it:
**
**   pack NAME "TITLE"
**   file I PATH                        one per file
**   tiers T0, T1, ...
**   org table T person P manager M [name N] routes T0 +R0, T1 +R1, ...   (with an org)
**   param I NAME = VALUE               one per param
**   source I NAME table T key K time T every D|none where fn F|none [label fn L]
**     col I NAME: TYPE                 TYPE is a val_type_name, "any" for VT_NULL
**   rule I NAME on SOURCE fn F at FILE:LINE lookback N|unbounded [clear fn C] [escalate after D days]
**     evidence NAME fn F               one per let of the rule
**     measure TIER fn L OP fn R        one per measure of its clauses (size)
**
**   fn N value|rule source NAME stack M
**   ; FILE:LINE:COL                    whenever the position changes
**   PPPP OPCODE  OPERANDS          ; COMMENT
**
** Operands are decimal; the comment names what they refer to.  Lines carry
** no trailing blanks.  Values print as the language writes them, strings
** quoted with \" \\ \n and \xNN escapes; numbers in the shortest form that
** reads back exactly.
*/
#include "../core/bc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../stdlib/lib.h"

/* The output buffer and a sticky out-of-memory flag. */
typedef struct out {
  vg_buf *b;
  int failed;
} out;

#if defined(__GNUC__)
static void pf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
/* Appends formatted text; sets o->failed when out of memory. */
static void pf(out *o, const char *fmt, ...) {
  char small[256];
  va_list ap;
  if (o->failed) return;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) { o->failed = 1; return; }
  if ((size_t)n < sizeof small) {
    if (vg_buf_append(o->b, small, (size_t)n)) o->failed = 1;
    return;
  }
  if (vg_buf_reserve(o->b, (size_t)n + 1)) { o->failed = 1; return; }
  va_start(ap, fmt);
  vsnprintf(o->b->data + o->b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  o->b->len += (size_t)n;
}

/* Appends s[0..n) escaping quotes and backslashes (when quoted) and control
** bytes, so that no name or string can break a line of the listing. */
static void put_escaped(out *o, const char *s, size_t n, int quoted) {
  if (quoted) pf(o, "\"");
  for (size_t i = 0; s && i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (quoted && (c == '"' || c == '\\')) pf(o, "\\%c", c);
    else if (c == '\n') pf(o, "\\n");
    else if (c < 0x20 || c == 0x7f) pf(o, "\\x%02x", c);
    else pf(o, "%c", c);
  }
  if (quoted) pf(o, "\"");
}
static void put_name(out *o, const char *s) {
  if (s) put_escaped(o, s, strlen(s), 0);
  else pf(o, "?");
}

/* The shortest %g form of d that reads back as d. */
static void fmt_num(char *buf, size_t cap, double d) {
  snprintf(buf, cap, "%.15g", d);
  if (strtod(buf, NULL) != d) snprintf(buf, cap, "%.17g", d);
}

/* A duration as the language writes it: "5 days", "1 day", "-1 day". */
static void put_dur(out *o, double n) {
  char num[40];
  fmt_num(num, sizeof num, n);
  pf(o, "%s %s", num, n == 1 || n == -1 ? "day" : "days");
}

/* A value as the language writes it (strings quoted). */
static void put_val(out *o, val v) {
  char buf[40];
  switch (v.t) {
  case VT_NULL: pf(o, "null"); break;
  case VT_NUM: fmt_num(buf, sizeof buf, v.u.n); pf(o, "%s", buf); break;
  case VT_BOOL: pf(o, "%s", v.u.b ? "true" : "false"); break;
  case VT_STR: put_escaped(o, v.u.s, v.len, 1); break;
  case VT_DATE: lib_format_date(v.u.d, buf); pf(o, "%s", buf); break;
  case VT_DUR: put_dur(o, v.u.n); break;
  default: pf(o, "<bad type %u>", v.t); break;
  }
}

/* Names by index, "?" when out of range (the listing of an unverified
** program must not read outside its tables). */
static const char *src_name(const vm_program *p, unsigned i) { return i < p->nsources ? p->sources[i].name : "?"; }
static const char *col_name(const vm_program *p, unsigned s, unsigned c) {
  return s < p->nsources && c < p->sources[s].ncols ? p->sources[s].cols[c].name : "?";
}
static const char *file_name(const vm_program *p, unsigned i) { return i < p->nfiles ? p->files[i] : "?"; }

/* Everything before the functions: pack, files, tiers, params, sources and
** rules (with their lookback). */
static void put_header(out *o, const vm_program *p) {
  pf(o, "pack ");
  put_name(o, p->pack);
  pf(o, " ");
  if (p->title) put_escaped(o, p->title, strlen(p->title), 1);
  else pf(o, "?");
  pf(o, "\n");
  for (unsigned i = 0; i < p->nfiles; i++) {
    pf(o, "file %u ", i);
    put_name(o, p->files[i]);
    pf(o, "\n");
  }
  pf(o, "tiers");
  for (unsigned i = 0; i < p->ntiers; i++) {
    pf(o, "%s", i ? ", " : " ");
    put_name(o, p->tiers[i]);
  }
  pf(o, "\n");
  if (p->org_table) {
    pf(o, "org table ");
    put_name(o, p->org_table);
    pf(o, " person ");
    put_name(o, p->org_person);
    pf(o, " manager ");
    put_name(o, p->org_manager);
    if (p->org_name) {
      pf(o, " name ");
      put_name(o, p->org_name);
    }
    if (p->org_email) {
      pf(o, " email ");
      put_name(o, p->org_email);
    }
    if (p->org_chat) {
      pf(o, " chat ");
      put_name(o, p->org_chat);
    }
    pf(o, " routes");
    for (unsigned i = 0; i < p->ntiers; i++) {
      pf(o, "%s", i ? ", " : " ");
      put_name(o, p->tiers[i]);
      pf(o, " +%u", p->routes ? p->routes[i] : 0);
    }
    pf(o, "\n");
  }
  for (unsigned i = 0; i < p->nparams; i++) {
    pf(o, "param %u ", i);
    put_name(o, p->params[i].name);
    pf(o, " = ");
    put_val(o, p->params[i].value);
    pf(o, "\n");
  }
  for (unsigned i = 0; i < p->nsources; i++) {
    const vm_source *s = &p->sources[i];
    pf(o, "source %u ", i);
    put_name(o, s->name);
    pf(o, " table ");
    put_name(o, s->table);
    pf(o, " key ");
    put_name(o, col_name(p, i, s->key));
    pf(o, " time ");
    put_name(o, col_name(p, i, s->time));
    pf(o, " every ");
    if (s->every < 0) pf(o, "none");
    else put_dur(o, s->every);
    if (s->where < 0) pf(o, " where none");
    else pf(o, " where fn %d", (int)s->where);
    if (s->label >= 0) pf(o, " label fn %d", (int)s->label);
    pf(o, "\n");
    for (unsigned c = 0; c < s->ncols; c++) {
      unsigned t = s->cols[c].type;
      pf(o, "  col %u ", c);
      put_name(o, s->cols[c].name);
      pf(o, ": %s\n", t == VT_NULL ? "any" : val_type_name((int)t));
    }
  }
  static const char *const aggs[RC__COUNT] = {"members", "reporting", "sum", "avg", "min", "max", "count", "share"};
  for (unsigned i = 0; i < p->nrollups; i++) {
    const vm_rollup *ro = &p->rollups[i];
    pf(o, "rollup ");
    put_name(o, src_name(p, ro->source));
    pf(o, " from ");
    put_name(o, src_name(p, ro->member));
    pf(o, " by ");
    put_name(o, col_name(p, ro->member, ro->group));
    pf(o, " horizon ");
    if (ro->horizon < 0) pf(o, "none\n");
    else {
      put_dur(o, ro->horizon);
      pf(o, "\n");
    }
    for (unsigned k = 0; k < ro->ncols; k++) {
      const vm_rcol *c = &ro->cols[k];
      pf(o, "  rcol %u ", k);
      put_name(o, c->name);
      pf(o, ": %s = %s", c->type == VT_NULL ? "any" : val_type_name((int)c->type), c->agg < RC__COUNT ? aggs[c->agg] : "?");
      if (c->fn >= 0) pf(o, " of fn %d", (int)c->fn);
      pf(o, "\n");
    }
  }
  for (unsigned i = 0; i < p->nrules; i++) {
    const vm_rule *r = &p->rules[i];
    uint32_t lb = vm_lookback(p, r->fn);
    pf(o, "rule %u ", i);
    put_name(o, r->name);
    pf(o, " on ");
    put_name(o, src_name(p, r->source));
    pf(o, " fn %u at ", r->fn);
    put_name(o, file_name(p, r->file));
    pf(o, ":%u lookback ", r->line);
    if (lb == VM_UNBOUNDED) pf(o, "unbounded");
    else pf(o, "%u", lb);
    if (r->clear >= 0) pf(o, " clear fn %d", (int)r->clear);
    if (r->escalate >= 0) pf(o, " escalate after %.15g days", r->escalate);
    pf(o, "\n");
    for (unsigned k = 0; k < r->nevid; k++) {
      pf(o, "  evidence ");
      put_name(o, r->evid[k].name);
      pf(o, " fn %d\n", (int)r->evid[k].fn);
    }
    for (unsigned k = 0; k < r->nmeasures; k++) {
      const vm_measure *m = &r->measures[k];
      static const char *const ops[] = {[OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">="};
      pf(o, "  measure ");
      put_name(o, m->tier < p->ntiers ? p->tiers[m->tier] : "?");
      pf(o, " fn %d %s fn %d\n", (int)m->lhs, m->op <= OP_GE && ops[m->op] ? ops[m->op] : "?", (int)m->rhs);
    }
  }
}

/* The `; ...` comment of one instruction of function fi; nothing for
** opcodes whose operands need no naming. */
static void put_comment(out *o, const vm_program *p, int fi, uint32_t pc, uint32_t len, unsigned op,
                        const unsigned *a) {
  const vm_func *f = &p->funcs[fi];
  const char *agg = a[2] < AGG__COUNT ? fn_aggs[a[2]].name : "?";
  switch (op) {
  case OP_CONST:
    pf(o, " ; ");
    if (a[0] < p->nconsts) put_val(o, p->consts[a[0]]);
    else pf(o, "?");
    break;
  case OP_COL: pf(o, " ; "); put_name(o, col_name(p, f->source, a[0])); break;
  case OP_PARAM: pf(o, " ; "); put_name(o, a[0] < p->nparams ? p->params[a[0]].name : "?"); break;
  case OP_CALL: pf(o, " ; %s", a[0] < FN__COUNT ? fn_scalars[a[0]].name : "?"); break;
  case OP_FMT:
    if (a[1] == LIB_FMT_FIXED) pf(o, " ; fixed %u", a[0]);
    else pf(o, " ; %s", a[1] == LIB_FMT_PCT ? "pct" : a[1] == LIB_FMT_DEFAULT ? "default" : "?");
    break;
  case OP_LOOKUP:
    pf(o, " ; ");
    put_name(o, src_name(p, a[0]));
    pf(o, ".");
    put_name(o, col_name(p, a[0], a[1]));
    break;
  case OP_MANAGER: pf(o, " ; %u level%s up", a[0], a[0] == 1 ? "" : "s"); break;
  case OP_PREV: pf(o, " ; fn %u at cursor+%u", a[0], a[1]); break;
  case OP_PCTCHG: case OP_STREAK: pf(o, " ; fn %u", a[0]); break;
  case OP_FOR: pf(o, " ; fn %u on %u row%s", a[0], a[1], a[1] == 1 ? "" : "s"); break;
  case OP_FORD: pf(o, " ; fn %u for %u day%s", a[0], a[1], a[1] == 1 ? "" : "s"); break;
  case OP_AGGN: pf(o, " ; %s of fn %u over %u row%s", agg, a[0], a[1], a[1] == 1 ? "" : "s"); break;
  case OP_AGGD: pf(o, " ; %s of fn %u over %u day%s", agg, a[0], a[1], a[1] == 1 ? "" : "s"); break;
  case OP_JMP: case OP_JMPF: pf(o, " ; to %04u", pc + len + a[0]); break;
  case OP_EMIT: pf(o, " ; "); put_name(o, a[0] < p->ntiers ? p->tiers[a[0]] : "?"); break;
  default: break;
  }
}

/* The header line and every instruction of function fi.  Stops at code
** that does not decode (only possible in an unverified program). */
static void put_func(out *o, const vm_program *p, int fi) {
  const vm_func *f = &p->funcs[fi];
  const vm_lineinfo *shown = NULL;
  pf(o, "\nfn %d %s source ", fi, f->kind == VM_FN_RULE ? "rule" : f->kind == VM_FN_VALUE ? "value" : "?");
  put_name(o, src_name(p, f->source));
  pf(o, " stack %u\n", f->max_stack);
  if ((uint64_t)f->code_off + f->code_len > p->ncode) {
    pf(o, "; code range outside the program\n");
    return;
  }
  const uint8_t *code = p->code + f->code_off;
  for (uint32_t pc = 0; pc < f->code_len;) {
    const vm_lineinfo *l = vm_line_at(p, fi, pc);
    if (l && (!shown || l->file != shown->file || l->line != shown->line || l->col != shown->col)) {
      pf(o, "; ");
      put_name(o, file_name(p, l->file));
      pf(o, ":%u:%u\n", l->line, l->col);
      shown = l;
    }
    vm_insn in;
    vm_decst ds = vm_decode(code, f->code_len, pc, &in);
    if (ds == VM_DEC_OPCODE) {
      pf(o, "%04u ??? opcode %u\n", pc, in.op);
      return;
    }
    if (ds == VM_DEC_TRUNCATED) {
      pf(o, "%04u %s (truncated)\n", pc, vm_ops[in.op].name);
      return;
    }
    unsigned a[3] = {in.o[0], in.o[1], in.o[2]};
    char ops[24] = "";
    size_t used = 0;
    for (int k = 0; k < vm_ops[in.op].nops; k++)
      used += (size_t)snprintf(ops + used, sizeof ops - used, "%s%u", k ? " " : "", a[k]);
    size_t mark = o->b->len;
    pf(o, "%04u %-7s %-17s", pc, vm_ops[in.op].name, ops);
    size_t before = o->b->len;
    put_comment(o, p, fi, pc, in.len, in.op, a);
    if (!o->failed && o->b->len == before) { /* no comment: drop the padding */
      while (o->b->len > mark && o->b->data[o->b->len - 1] == ' ') o->b->len--;
      o->b->data[o->b->len] = 0;
    }
    pf(o, "\n");
    pc += in.len;
  }
}

/* See bc.h.  Returns 0, or -1 when out of memory (out keeps what was
** written). */
int bc_disasm(const vm_program *p, vg_buf *b) {
  out o = {b, 0};
  put_header(&o, p);
  for (int i = 0; i < p->nfuncs; i++) put_func(&o, p, i);
  return o.failed ? -1 : 0;
}
