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

#include <stddef.h>

/* Open the library (the first of sonames, a NULL-ended list, that opens)
** and set *slots[i] to the address of names[i] for i < n.  0, or -1 with
** err set (dlerror's message, or the symbol missing). */
int vg_dl_open(const char *const *sonames, const char *const *names, void **const *slots, size_t n, char *err,
               size_t errcap);

#endif
