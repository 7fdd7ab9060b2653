/*
** vec.h — the one growable array of libvigil.
**
**   vg_vec(int32_t) dates = {0};
**   if (vg_vec_push(&dates, d) != 0) return -1;   (out of memory)
**   for (size_t i = 0; i < dates.n; i++) ... dates.v[i] ...
**   vg_vec_free(&dates);
**
** Memory comes from vg_realloc (so tests can make it fail); the capacity
** doubles; a size that would overflow is out of memory.
*/
#ifndef VIGIL_VEC_H
#define VIGIL_VEC_H

#include <stddef.h>
#include "mem.h"

#define vg_vec(T) struct { T *v; size_t n, cap; }

/* Make room in *v (capacity *cap, elements of elem bytes) for need
** elements.  0, or -1 when out of memory (*v and *cap unchanged). */
int vg_vec_grow_(void **v, size_t *cap, size_t need, size_t elem);

/* Room for k more elements of vec: 0 or -1. */
#define vg_vec_reserve(vec, k) vg_vec_grow_((void **)&(vec)->v, &(vec)->cap, (vec)->n + (k), sizeof *(vec)->v)
/* Append x: 0, or -1 when out of memory (vec unchanged). */
#define vg_vec_push(vec, x) (vg_vec_reserve(vec, 1) != 0 ? -1 : ((vec)->v[(vec)->n++] = (x), 0))
/* A pointer to a new zeroed last element, or NULL when out of memory. */
#define vg_vec_add(vec) \
  (vg_vec_reserve(vec, 1) != 0 ? NULL : vg_vec_zero_((vec)->v + (vec)->n++, sizeof *(vec)->v))
#define vg_vec_free(vec) (vg_free((vec)->v), (vec)->v = NULL, (vec)->n = (vec)->cap = 0)

void *vg_vec_zero_(void *p, size_t n);

#endif
