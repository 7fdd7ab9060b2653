/*
** opts.c — what several commands share on the command line: --set and the
** param overrides it builds.
*/
#include <stdlib.h>
#include <string.h>
#include "out.h"

int cli_params(vg_program *const *progs, int n, const char *const *sets, int nsets, vg_params **out) {
  *out = NULL;
  if (nsets == 0) return 0;
  vg_params *ps = vg_params_new();
  if (!ps) out_of_memory();
  int rc = 0;
  /* each --set applies to every pack that declares the param; a name no pack
  ** declares is a command-line error */
  for (int k = 0; k < nsets && rc == 0; k++) {
    /* the whole name, however long: a cut name could match another param */
    const char *eq = strchr(sets[k], '=');
    char *name = strndup(sets[k], (size_t)(eq - sets[k]));
    if (!name) out_of_memory();
    int applied = 0;
    char unknown[512] = "";
    for (int i = 0; i < n && rc == 0; i++) {
      char err[512];
      vg_status st = vg_params_set(ps, progs[i], name, eq + 1, err, sizeof err);
      if (st == VG_OK) applied++;
      else if (st == VG_ENOPARAM) { if (!unknown[0]) snprintf(unknown, sizeof unknown, "%s", err); }
      else if (st == VG_ENOMEM) out_of_memory();
      else { out_printf(stderr, "vigil: --set %s: %s\n", sets[k], err); rc = EXIT_USAGE; }
    }
    if (!applied && rc == 0) {
      if (n == 1) out_printf(stderr, "vigil: --set %s: %s\n", sets[k], unknown);
      else out_printf(stderr, "vigil: --set %s: no pack has a param '%s'\n", sets[k], name);
      rc = EXIT_USAGE;
    }
    free(name);
  }
  if (rc) vg_params_free(ps);
  else *out = ps;
  return rc;
}
