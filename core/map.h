/*
** map.h — the one hash index of libvigil: finds an entry of the caller's
** own array by a key, in constant expected time.
**
** The index holds, per slot, an entry's number and its key's hash (open
** addressing, linear probing, at most half full); the entries and their keys
** stay in the caller's array, so growing the index never moves them and
** needs no callback.  The caller hashes a key (vg_hash) and says whether
** entry i has a key (the eq callback):
**
**   uint32_t h = vg_hash(name, len), slot;
**   long i = vg_map_find(&m, h, same_name, ctx, &slot);
**   if (i < 0) { ...append entry e at index n...; if (vg_map_put(&m, h, n) != 0) oom; }
*/
#ifndef VIGIL_MAP_H
#define VIGIL_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct vg_map {
  struct vg_map_slot { uint32_t hash, item; } *slot; /* item: entry + 1, 0 empty */
  uint32_t cap, n;
} vg_map;

/* FNV-1a of n bytes (vg_hash_more continues a hash). */
uint32_t vg_hash(const void *p, size_t n);
uint32_t vg_hash_more(uint32_t h, const void *p, size_t n);

/* Does entry i have the key being looked for?  ctx is vg_map_find's. */
typedef int (*vg_map_eq)(const void *ctx, uint32_t i);

/* The entry whose key has hash h and for which eq says so, or -1. */
long vg_map_find(const vg_map *m, uint32_t h, vg_map_eq eq, const void *ctx);
/* Add entry i with hash h (the caller has checked it is not there).
** 0, or -1 when out of memory (the map unchanged). */
int vg_map_put(vg_map *m, uint32_t h, uint32_t i);
/* Room for n entries in all without growing: 0 or -1. */
int vg_map_reserve(vg_map *m, uint32_t n);
void vg_map_free(vg_map *m);

#endif
