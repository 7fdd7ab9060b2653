/*
** testutil.c — what the suites that run the vigil binary share (testutil.h).
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

const char *tu_vigil(void) {
  static char abs[PATH_MAX];
  if (!abs[0]) {
    const char *v = getenv("VIGIL");
    if (!v || !*v) v = "./vigil";
    if (!realpath(v, abs)) snprintf(abs, sizeof abs, "%s", v);
  }
  return abs;
}

const char *tu_root(void) {
  const char *r = getenv("VIGIL_ROOT");
  return r && *r ? r : ".";
}

char *tu_slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, len = 0, got;
  char *b = malloc(cap);
  while (b && (got = fread(b + len, 1, cap - len - 1, f)) > 0) {
    len += got;
    if (cap - len < 2) {
      char *nb = realloc(b, cap * 2);
      if (!nb) { free(b); b = NULL; break; }
      b = nb;
      cap *= 2;
    }
  }
  fclose(f);
  if (b) b[len] = 0;
  if (n) *n = b ? len : 0;
  return b;
}

char *tu_slurp_or_empty(const char *path) {
  char *b = tu_slurp(path, NULL);
  return b ? b : calloc(1, 1);
}
