/*
** reads.c — what a function of a program reads (reads.h).
*/
#include <stdint.h>
#include "reads.h"

/* Which columns each rule's code reads (following its value functions),
** from its operands' kinds: own[c] for its source's columns, look[src][c]
** for columns it looks up. */
void exec_mark_reads(const vm_program *p, int fn, uint8_t *own, uint8_t **look, uint8_t *params, uint8_t *seen) {
  if (fn < 0 || seen[fn]) return;
  seen[fn] = 1;
  const vm_func *f = &p->funcs[fn];
  const uint8_t *code = p->code + f->code_off;
  vm_insn in;
  for (uint32_t pc = 0; pc < f->code_len && vm_decode(code, f->code_len, pc, &in) == VM_DEC_OK; pc += in.len) {
    const vm_opinfo *oi = &vm_ops[in.op];
    for (int k = 0; k < oi->nops; k++) {
      unsigned v = in.o[k];
      switch (oi->kind[k]) {
      case VM_K_COL: own[v] = 1; break;
      case VM_K_PARAM: if (params) params[v] = 1; break;
      case VM_K_LCOL: /* the operand before it is the source */
        if (look) {
          const vm_source *t = &p->sources[in.o[k - 1]];
          uint8_t *l = look[in.o[k - 1]];
          l[v] = l[t->key] = l[t->time] = 1;
          if (t->where >= 0) exec_mark_reads(p, t->where, l, NULL, NULL, seen);
        }
        break;
      case VM_K_FN: exec_mark_reads(p, (int)v, own, look, params, seen); break;
      default: break;
      }
    }
  }
}
