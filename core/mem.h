/*
** mem.h — every allocation of libvigil goes through vg_realloc, so a test can
** make any of them fail.  On top of it: an arena (many small allocations
** freed in one call: a compilation's AST, a program) and a growable byte
** buffer (scratch text that is reused, not freed, between evaluations).
*/
#ifndef VIGIL_MEM_H
#define VIGIL_MEM_H

#include <stddef.h>

/* realloc(p, n), or free(p) and NULL when n == 0.  Returns NULL on failure,
** leaving p valid.  vg_mem_fail_after(k) makes the k-th following call fail
** (k < 0: never), for tests of the out-of-memory paths. */
void *vg_realloc(void *p, size_t n);
void vg_free(void *p);
void vg_mem_fail_after(long k);

typedef struct vg_arena_block vg_arena_block;
typedef struct vg_arena {
  vg_arena_block *head;
  size_t bytes;   /* allocated in its blocks, headers included */
} vg_arena;

/* n bytes aligned for any type, zeroed; NULL when out of memory.  The memory
** lives until vg_arena_free. */
void *vg_arena_alloc(vg_arena *a, size_t n);
/* A NUL-terminated copy of s[0..n) in the arena; NULL when out of memory. */
char *vg_arena_strndup(vg_arena *a, const char *s, size_t n);
char *vg_arena_strdup(vg_arena *a, const char *s);
/* Frees every block; the arena is then empty and reusable. */
void vg_arena_free(vg_arena *a);

typedef struct vg_buf {
  char *data;
  size_t len, cap;
} vg_buf;

/* Make room for n more bytes; 0 on success, -1 when out of memory. */
int vg_buf_reserve(vg_buf *b, size_t n);
int vg_buf_append(vg_buf *b, const void *p, size_t n);
int vg_buf_printf(vg_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
void vg_buf_free(vg_buf *b);

#endif
