/*
** opcodes.c — the tables generated from opcodes.def, the decoder, and the
** names of value types.
**
** Nothing here is kept by hand in step with the opcode list: vm_ops and
** vm_kind_names are X-macro expansions of opcodes.def, in the order of the
** vm_opcode and vm_opkind enums of prog.h (expanded from the same file).
*/
#include "prog.h"

/* pops as vm_opinfo holds it: pops, popvar, popadd */
#define POPS(n) n, 0, 0
#define POPA(k) -1, 0, k
#define POPB(k) -1, 1, k
#define NOPS(a, b, c) ((VM_K_##a != VM_K__) + (VM_K_##b != VM_K__) + (VM_K_##c != VM_K__))
#define OP(name, a, b, c, pops, pushes, only, flow, doc) \
  {#name, NOPS(a, b, c), pops, pushes, {VM_K_##a, VM_K_##b, VM_K_##c}, VM_ONLY_##only, VM_FLOW_##flow, doc},
const vm_opinfo vm_ops[OP__COUNT] = {
#include "opcodes.def"
};
#undef POPS
#undef POPA
#undef POPB
#undef NOPS

#define KIND(name, what, check) #name,
const char *const vm_kind_names[VM_K__COUNT] = {
  "",
#include "opcodes.def"
};

/* Operands that are present come before absent ones, so an operand's
** position says which byte pair it is: enforced for every row here. */
#define OP(name, a, b, c, pops, pushes, only, flow, doc) \
  _Static_assert(VM_K_##a != VM_K__ || (VM_K_##b == VM_K__ && VM_K_##c == VM_K__), #name ": operands in order"); \
  _Static_assert(VM_K_##b != VM_K__ || VM_K_##c == VM_K__, #name ": operands in order");
#include "opcodes.def"

/* An operand that refers to the one before it (ARGC, LCOL) follows it. */
#define OP(name, a, b, c, pops, pushes, only, flow, doc) \
  _Static_assert((VM_K_##b != VM_K_ARGC || VM_K_##a == VM_K_LIB) && VM_K_##a != VM_K_ARGC && \
                 VM_K_##c != VM_K_ARGC, #name ": ARGC follows LIB"); \
  _Static_assert((VM_K_##b != VM_K_LCOL || VM_K_##a == VM_K_LSRC) && VM_K_##a != VM_K_LCOL && \
                 VM_K_##c != VM_K_LCOL, #name ": LCOL follows LSRC");
#include "opcodes.def"

/* See prog.h. */
vm_decst vm_decode(const uint8_t *code, uint32_t len, uint32_t pc, vm_insn *out) {
  *out = (vm_insn){0};
  if (pc >= len) return VM_DEC_TRUNCATED;
  unsigned op = code[pc];
  out->op = op;
  if (op >= OP__COUNT) return VM_DEC_OPCODE;
  const vm_opinfo *i = &vm_ops[op];
  out->len = 1 + 2 * (uint32_t)i->nops;
  if (out->len > len - pc) return VM_DEC_TRUNCATED;
  for (int k = 0; k < i->nops; k++) out->o[k] = vm_operand(code + pc, k);
  out->pops = vm_op_pops(op, out->o);
  out->pushes = (uint32_t)i->pushes;
  return VM_DEC_OK;
}

/* Returns the user-facing name of a val_type, or "?" for a value that is
** not one (never NULL). */
const char *val_type_name(int t) {
  static const char *const names[VT__COUNT] = {
    "null", "number", "bool", "string", "date", "duration"
  };
  if (t < 0 || t >= VT__COUNT) return "?";
  return names[t];
}
