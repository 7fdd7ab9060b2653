/*
** mem.c — the single allocation function, the arena and the byte buffer.
*/
#include "mem.h"
#include "../include/vigil.h" /* vg_free is public */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long fail_countdown = -1;

void vg_mem_fail_after(long k) { fail_countdown = k; }

/* See mem.h.  Returns NULL (p untouched) on failure or injected failure. */
void *vg_realloc(void *p, size_t n) {
  if (n == 0) { free(p); return NULL; }
  if (fail_countdown >= 0 && fail_countdown-- == 0) return NULL;
  return realloc(p, n);
}

void vg_free(void *p) { free(p); }

struct vg_arena_block {
  vg_arena_block *next;
  size_t used, size;
  /* data follows, max-aligned */
};

#define ARENA_ALIGN 16u
#define ARENA_HDR ((sizeof(vg_arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define ARENA_BLOCK 16384u

/* Returns zeroed memory or NULL when out of memory (or n is absurd). */
void *vg_arena_alloc(vg_arena *a, size_t n) {
  size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (need < n) return NULL;
  vg_arena_block *b = a->head;
  if (!b || b->size - b->used < need) {
    size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    if (size > ((size_t)-1) - ARENA_HDR) return NULL;
    b = vg_realloc(NULL, ARENA_HDR + size);
    if (!b) return NULL;
    b->size = size;
    b->used = 0;
    a->bytes += ARENA_HDR + size;
    /* a big single allocation goes behind the current block so the rest of
    ** the current block is not wasted */
    if (a->head && need > ARENA_BLOCK) {
      b->next = a->head->next;
      a->head->next = b;
    } else {
      b->next = a->head;
      a->head = b;
    }
  }
  void *p = (char *)b + ARENA_HDR + b->used;
  b->used += need;
  memset(p, 0, n);
  return p;
}

char *vg_arena_strndup(vg_arena *a, const char *s, size_t n) {
  char *p = vg_arena_alloc(a, n + 1);
  if (!p) return NULL;
  if (n) memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *vg_arena_strdup(vg_arena *a, const char *s) { return vg_arena_strndup(a, s, strlen(s)); }

void vg_arena_free(vg_arena *a) {
  vg_arena_block *b = a->head;
  while (b) {
    vg_arena_block *next = b->next;
    vg_free(b);
    b = next;
  }
  a->head = NULL;
  a->bytes = 0;
}

int vg_buf_reserve(vg_buf *b, size_t n) {
  if (b->cap - b->len >= n) return 0;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len < n) {
    if (cap > ((size_t)-1) / 2) return -1;
    cap *= 2;
  }
  char *d = vg_realloc(b->data, cap);
  if (!d) return -1;
  b->data = d;
  b->cap = cap;
  return 0;
}

int vg_buf_append(vg_buf *b, const void *p, size_t n) {
  if (vg_buf_reserve(b, n + 1) != 0) return -1;
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return 0;
}

int vg_buf_printf(vg_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || vg_buf_reserve(b, (size_t)n + 1) != 0) return -1;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return 0;
}

void vg_buf_free(vg_buf *b) {
  vg_free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
