/*
** dl.h — optional libraries, opened when first needed.
**
** libpq (PostgreSQL, core/pg.c) and libcurl with libcrypto (delivery,
** tools/deliver*.c) bring some thirty libraries with them (Kerberos, LDAP,
** GnuTLS, ...): linked in, the dynamic loader mapped and relocated all of
** them at every start of every command, 4 ms of CPU a process.  They are
** opened with dlopen by the code that needs them, once per process; a
** machine without them runs everything else.
*/
#ifndef VIGIL_DL_H
#define VIGIL_DL_H

#include <pthread.h>
#include <stddef.h>

/* Open the library (the first of sonames, a NULL-ended list, that opens)
** and set *slots[i] to the address of names[i] for i < n.  0, or -1 with
** err set (dlerror's message, or the symbol missing). */
int vg_dl_open(const char *const *sonames, const char *const *names, void **const *slots, size_t n, char *err,
               size_t errcap);

/* One library for vg_dl_load: vg_dl_open's arguments, and what needs it,
** for the message ("PostgreSQL needs libpq (Debian package libpq5)"). */
typedef struct vg_dl_lib {
  const char *const *sonames;
  const char *const *names;
  void **const *slots;
  size_t n;
  const char *need;
} vg_dl_lib;

/* Libraries opened once per process, whichever thread asks first. */
typedef struct vg_dl_once {
  pthread_mutex_t mu;
  int state; /* 0: not tried; 1: open; -1: failed (err) */
  char err[320];
} vg_dl_once;
#define VG_DL_ONCE_INIT {PTHREAD_MUTEX_INITIALIZER, 0, ""}

/* Open libs[0..nlibs) in order the first time; later calls give that
** outcome.  0, or -1 with err set ("NEED: why"). */
int vg_dl_load(vg_dl_once *once, const vg_dl_lib *libs, size_t nlibs, char *err, size_t errcap);

#endif
