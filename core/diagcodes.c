/*
** diagcodes.c — the name table of the diagnostic codes, expanded from
** diagcodes.def in the order of the vg_dcode enum.
*/
#include <stddef.h>
#include "diagcodes.h"

#define DIAG(id, code, group, doc) {code, group, doc},
const vg_dcode_info vg_dcodes[DIAG__COUNT] = {
#include "diagcodes.def"
};
#undef DIAG

const char *vg_dcode_name(vg_dcode d) {
  return (unsigned)d < DIAG__COUNT ? vg_dcodes[d].code : NULL;
}
