/*
** map.c — the hash index (map.h) and the growable array (vec.h).
*/
#include <stdint.h>
#include <string.h>
#include "map.h"
#include "vec.h"

uint32_t vg_hash_more(uint32_t h, const void *p, size_t n) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
  return h;
}

uint32_t vg_hash(const void *p, size_t n) { return vg_hash_more(2166136261u, p, n); }

long vg_map_find(const vg_map *m, uint32_t h, vg_map_eq eq, const void *ctx) {
  if (!m->cap) return -1;
  for (uint32_t j = h & (m->cap - 1); m->slot[j].item; j = (j + 1) & (m->cap - 1))
    if (m->slot[j].hash == h && eq(ctx, m->slot[j].item - 1)) return (long)m->slot[j].item - 1;
  return -1;
}

static void place(struct vg_map_slot *s, uint32_t cap, uint32_t h, uint32_t item) {
  uint32_t j = h & (cap - 1);
  while (s[j].item) j = (j + 1) & (cap - 1);
  s[j].hash = h;
  s[j].item = item;
}

int vg_map_reserve(vg_map *m, uint32_t n) {
  if ((uint64_t)n * 2 <= m->cap) return 0;
  if (n > UINT32_MAX / 4) return -1;
  uint32_t cap = m->cap ? m->cap : 16;
  while ((uint64_t)n * 2 > cap) cap *= 2;
  struct vg_map_slot *s = vg_realloc(NULL, (size_t)cap * sizeof *s);
  if (!s) return -1;
  memset(s, 0, (size_t)cap * sizeof *s);
  for (uint32_t j = 0; j < m->cap; j++)
    if (m->slot[j].item) place(s, cap, m->slot[j].hash, m->slot[j].item);
  vg_free(m->slot);
  m->slot = s;
  m->cap = cap;
  return 0;
}

int vg_map_put(vg_map *m, uint32_t h, uint32_t i) {
  if (i == UINT32_MAX || vg_map_reserve(m, m->n + 1) != 0) return -1;
  place(m->slot, m->cap, h, i + 1);
  m->n++;
  return 0;
}

void vg_map_free(vg_map *m) {
  vg_free(m->slot);
  m->slot = NULL;
  m->cap = m->n = 0;
}

int vg_vec_grow_(void **v, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t ncap = *cap ? *cap : 8;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return -1;
    ncap *= 2;
  }
  if (elem && ncap > SIZE_MAX / elem) return -1;
  void *nv = vg_realloc(*v, ncap * elem);
  if (!nv) return -1;
  *v = nv;
  *cap = ncap;
  return 0;
}

void *vg_vec_zero_(void *p, size_t n) { return memset(p, 0, n); }
