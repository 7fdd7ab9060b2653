/*
** opcodes.c — the tables generated from opcodes.def, and the names of
** value types.
**
** Nothing here is kept by hand in step with the opcode list: vm_ops is the
** X-macro expansion of opcodes.def, in the same order as the vm_opcode enum
** of vm.h (which is expanded from the same file).
*/
#include "prog.h"

/* One row per opcode: name, operand count, stack effect, one-line effect. */
#define OP(name, nops, pops, pushes, doc) {#name, nops, pops, pushes, doc},
const vm_opinfo vm_ops[OP__COUNT] = {
#include "opcodes.def"
};
#undef OP

/* Returns the user-facing name of a val_type, or "?" for a value that is
** not one (never NULL). */
const char *val_type_name(int t) {
  static const char *const names[VT__COUNT] = {
    "null", "number", "bool", "string", "date", "duration"
  };
  if (t < 0 || t >= VT__COUNT) return "?";
  return names[t];
}
