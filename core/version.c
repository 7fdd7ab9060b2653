/*
** version.c — what the library says about itself: its version and the
** names of its statuses (include/vigil.h).
*/
#include "../include/vigil.h"

const char *vg_libversion(void) { return VG_VERSION; }

int vg_libversion_number(void) { return VG_VERSION_NUMBER; }

const char *vg_status_name(vg_status st) {
  switch (st) {
  case VG_OK: return "VG_OK";
  case VG_EINPUT: return "VG_EINPUT";
  case VG_EUSAGE: return "VG_EUSAGE";
  case VG_ENOMEM: return "VG_ENOMEM";
  case VG_EIO: return "VG_EIO";
  case VG_EDB: return "VG_EDB";
  case VG_ENOPARAM: return "VG_ENOPARAM";
  case VG_EPARAM: return "VG_EPARAM";
  case VG_ESTOPPED: return "VG_ESTOPPED";
  }
  return "VG_UNKNOWN";
}
