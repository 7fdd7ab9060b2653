/*
** reads.c — what a function of a program reads (reads.h).
*/
#include <stdint.h>
#include "reads.h"

/* Which columns each rule's code reads (following its value functions):
** own[c] for its source's columns, look[src][c] for columns it looks up. */
void exec_mark_reads(const vm_program *p, int fn, uint8_t *own, uint8_t **look, uint8_t *params, uint8_t *seen) {
  if (fn < 0 || seen[fn]) return;
  seen[fn] = 1;
  const vm_func *f = &p->funcs[fn];
  const uint8_t *c = p->code + f->code_off, *e = c + f->code_len;
  while (c < e) {
    int op = *c;
    uint16_t A = vm_ops[op].nops > 0 ? (uint16_t)(c[1] | (unsigned)c[2] << 8) : 0;
    uint16_t B = vm_ops[op].nops > 1 ? (uint16_t)(c[3] | (unsigned)c[4] << 8) : 0;
    if (op == OP_COL) own[A] = 1;
    if (op == OP_PARAM && params) params[A] = 1;
    if (op == OP_LOOKUP && look) {
      const vm_source *t = &p->sources[A];
      look[A][B] = look[A][t->key] = look[A][t->time] = 1;
      if (t->where >= 0) exec_mark_reads(p, t->where, look[A], NULL, NULL, seen);
    }
    if (op == OP_PREV || op == OP_PCTCHG || op == OP_STREAK || op == OP_FOR || op == OP_AGGN || op == OP_AGGD ||
        op == OP_FORD)
      exec_mark_reads(p, A, own, look, params, seen);
    c += 1 + 2 * vm_ops[op].nops;
  }
}
