/*
** dl.c — opening an optional library (dl.h).
*/
#include <dlfcn.h>
#include <stdio.h>
#include "dl.h"

int vg_dl_open(const char *const *sonames, const char *const *names, void **const *slots, size_t n, char *err,
               size_t errcap) {
  void *h = NULL;
  const char *tried = sonames[0];
  for (size_t i = 0; sonames[i] && !h; i++) h = dlopen(tried = sonames[i], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char *why = dlerror();
    snprintf(err, errcap, "%s", why ? why : tried);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    *slots[i] = dlsym(h, names[i]);
    if (!*slots[i]) {
      snprintf(err, errcap, "%s: no symbol %s", tried, names[i]);
      dlclose(h);
      return -1;
    }
  }
  return 0; /* (open for the rest of the process) */
}

int vg_dl_load(vg_dl_once *once, const vg_dl_lib *libs, size_t nlibs, char *err, size_t errcap) {
  pthread_mutex_lock(&once->mu);
  for (size_t i = 0; once->state == 0 && i <= nlibs; i++) {
    char why[256];
    if (i == nlibs) once->state = 1;
    else if (vg_dl_open(libs[i].sonames, libs[i].names, libs[i].slots, libs[i].n, why, sizeof why) != 0) {
      snprintf(once->err, sizeof once->err, "%s: %s", libs[i].need, why);
      once->state = -1;
    }
  }
  int ok = once->state == 1;
  if (!ok) snprintf(err, errcap, "%s", once->err);
  pthread_mutex_unlock(&once->mu);
  return ok ? 0 : -1;
}
