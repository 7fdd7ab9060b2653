/*
** test_core.c — the core helpers every layer builds on: the growable array
** (core/vec.h) and the hash index (core/map.h), including out of memory.
*/
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "../../core/map.h"
#include "../../core/mem.h"
#include "../../core/vec.h"

static void test_vec(void) {
  vg_vec(int32_t) v = {0};
  for (int32_t i = 0; i < 1000; i++) CU_ASSERT_EQUAL_FATAL(vg_vec_push(&v, i * 3), 0);
  CU_ASSERT_EQUAL(v.n, 1000);
  CU_ASSERT(v.cap >= 1000);
  for (int32_t i = 0; i < 1000; i++) CU_ASSERT_EQUAL(v.v[i], i * 3);
  int32_t *z = vg_vec_add(&v);
  CU_ASSERT_PTR_NOT_NULL_FATAL(z);
  CU_ASSERT_EQUAL(*z, 0);
  CU_ASSERT_EQUAL(v.n, 1001);
  /* out of memory: the push fails and the array is as it was */
  size_t n = v.n, cap = v.cap;
  while (v.n < v.cap) CU_ASSERT_EQUAL(vg_vec_push(&v, 7), 0);
  n = v.n;
  cap = v.cap;
  vg_mem_fail_after(0);
  CU_ASSERT_EQUAL(vg_vec_push(&v, 1), -1);
  vg_mem_fail_after(0);
  CU_ASSERT_PTR_NULL(vg_vec_add(&v));
  vg_mem_fail_after(-1);
  CU_ASSERT_EQUAL(v.n, n);
  CU_ASSERT_EQUAL(v.cap, cap);
  CU_ASSERT_EQUAL(v.v[0], 0);
  vg_vec_free(&v);
  CU_ASSERT_PTR_NULL(v.v);
  CU_ASSERT_EQUAL(v.n + v.cap, 0);
  /* a size that overflows is refused, not wrapped */
  vg_vec(char) big = {0};
  CU_ASSERT_EQUAL(vg_vec_reserve(&big, SIZE_MAX - 1), -1);
  CU_ASSERT_PTR_NULL(big.v);
}

typedef struct { const char **names; const char *want; size_t len; } look;

static int same(const void *ctx, uint32_t i) {
  const look *l = ctx;
  return strlen(l->names[i]) == l->len && memcmp(l->names[i], l->want, l->len) == 0;
}

static long find(const vg_map *m, const char **names, const char *s) {
  look l = {names, s, strlen(s)};
  return vg_map_find(m, vg_hash(s, l.len), same, &l);
}

static void test_map(void) {
  static char store[2000][16];
  const char *names[2000];
  vg_map m = {0};
  CU_ASSERT_EQUAL(find(&m, names, "x"), -1); /* empty */
  for (int i = 0; i < 2000; i++) {
    snprintf(store[i], sizeof store[i], "n%d", i);
    names[i] = store[i];
    CU_ASSERT_EQUAL(find(&m, names, names[i]), -1);
    CU_ASSERT_EQUAL_FATAL(vg_map_put(&m, vg_hash(names[i], strlen(names[i])), (uint32_t)i), 0);
  }
  CU_ASSERT_EQUAL(m.n, 2000);
  CU_ASSERT(m.cap >= 4000);
  for (int i = 0; i < 2000; i++) CU_ASSERT_EQUAL(find(&m, names, names[i]), i);
  CU_ASSERT_EQUAL(find(&m, names, "n2000"), -1);
  CU_ASSERT_EQUAL(find(&m, names, ""), -1);
  /* growing fails: the map is as it was */
  while ((m.n + 1) * 2 <= m.cap) {
    CU_ASSERT_EQUAL(vg_map_put(&m, vg_hash("n0", 2), 0), 0);
  }
  uint32_t n = m.n, cap = m.cap;
  vg_mem_fail_after(0);
  CU_ASSERT_EQUAL(vg_map_put(&m, 1, 1), -1);
  vg_mem_fail_after(-1);
  CU_ASSERT_EQUAL(m.n, n);
  CU_ASSERT_EQUAL(m.cap, cap);
  CU_ASSERT_EQUAL(find(&m, names, "n1999"), 1999);
  /* one hash for all: still found by the comparison */
  vg_map c = {0};
  for (uint32_t i = 0; i < 50; i++) CU_ASSERT_EQUAL(vg_map_put(&c, 42, i), 0);
  for (uint32_t i = 0; i < 50; i++) {
    look l = {names, names[i], strlen(names[i])};
    CU_ASSERT_EQUAL(vg_map_find(&c, 42, same, &l), (long)i);
  }
  vg_map_free(&c);
  vg_map_free(&m);
  CU_ASSERT_EQUAL(m.cap, 0);
  /* FNV-1a's published values */
  CU_ASSERT_EQUAL(vg_hash("", 0), 2166136261u);
  CU_ASSERT_EQUAL(vg_hash("a", 1), 0xe40c292cu);
  CU_ASSERT_EQUAL(vg_hash_more(vg_hash("fo", 2), "o", 1), vg_hash("foo", 3));
}

int unit_register_core(void) {
  CU_pSuite s = CU_add_suite("core", NULL, NULL);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "growable array", test_vec) || !CU_add_test(s, "hash index", test_map)) return CU_get_error();
  return CUE_SUCCESS;
}
