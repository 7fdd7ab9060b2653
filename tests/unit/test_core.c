/*
** test_core.c — the core helpers every layer builds on: the growable array
** (core/vec.h) and the hash index (core/map.h), including out of memory.
*/
#include <CUnit/CUnit.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "../../core/map.h"
#include "../../core/mem.h"
#include "../../core/vec.h"
#include "../../core/shard.h"
#include "../../core/dl.h"

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

/* The shard of a key is PostgreSQL's hash partition.  The expected
** remainders are PostgreSQL 15's own (x86-64), from
** satisfies_hash_partition() on tables PARTITION BY HASH over a bigint and
** a text column: they are the reference, not this code's output. */
static void test_shard_hash(void) {
  static const struct { int64_t v; int m, r; } ints[] = {{0, 2, 0}, {1, 2, 0}, {-1, 2, 1}, {2, 2, 0}, {42, 2, 0}, {1000000, 2, 1}, {-123456789, 2, 0}, {4294967296, 2, 0}, {-4294967297, 2, 0}, {9223372036854775807, 2, 0}, {INT64_MIN, 2, 1}, {0, 3, 2}, {1, 3, 2}, {-1, 3, 2}, {2, 3, 0}, {42, 3, 0}, {1000000, 3, 0}, {-123456789, 3, 2}, {4294967296, 3, 2}, {-4294967297, 3, 1}, {9223372036854775807, 3, 0}, {INT64_MIN, 3, 1}, {0, 5, 3}, {1, 5, 0}, {-1, 5, 4}, {2, 5, 1}, {42, 5, 4}, {1000000, 5, 1}, {-123456789, 5, 1}, {4294967296, 5, 0}, {-4294967297, 5, 4}, {9223372036854775807, 5, 1}, {INT64_MIN, 5, 4}, {0, 7, 4}, {1, 7, 5}, {-1, 7, 0}, {2, 7, 6}, {42, 7, 0}, {1000000, 7, 4}, {-123456789, 7, 4}, {4294967296, 7, 5}, {-4294967297, 7, 4}, {9223372036854775807, 7, 3}, {INT64_MIN, 7, 0}};
  for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
    int got = db_shard_index(db_hash_int(ints[i].v), ints[i].m);
    if (got != ints[i].r) printf("\nshard of %lld mod %d: %d, PostgreSQL says %d\n", (long long)ints[i].v, ints[i].m, got, ints[i].r);
    CU_ASSERT_EQUAL(got, ints[i].r);
  }
  static const struct { const char *v; int m, r; } texts[] = {{"", 2, 0}, {"a", 2, 0}, {"rep-1", 2, 0}, {"exactly12byt", 2, 0}, {"thirteen byte", 2, 0}, {"客户成功手册", 2, 1}, {"", 3, 2}, {"a", 3, 2}, {"rep-1", 3, 1}, {"exactly12byt", 3, 1}, {"thirteen byte", 3, 1}, {"客户成功手册", 3, 2}, {"", 5, 1}, {"a", 5, 2}, {"rep-1", 5, 2}, {"exactly12byt", 5, 0}, {"thirteen byte", 5, 4}, {"客户成功手册", 5, 2}, {"", 7, 1}, {"a", 7, 3}, {"rep-1", 7, 3}, {"exactly12byt", 7, 5}, {"thirteen byte", 7, 4}, {"客户成功手册", 7, 2}};
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    int got = db_shard_index(db_hash_text(texts[i].v, strlen(texts[i].v)), texts[i].m);
    if (got != texts[i].r) printf("\nshard of '%s' mod %d: %d, PostgreSQL says %d\n", texts[i].v, texts[i].m, got, texts[i].r);
    CU_ASSERT_EQUAL(got, texts[i].r);
  }
  /* an alert's key text hashes as the key did: an integer key's digits as
  ** the integer (in a column that may hold numbers), anything else as text */
  CU_ASSERT_EQUAL(db_shard_of_text("42", 2, 1, 7), 0);
  CU_ASSERT_EQUAL(db_shard_of_text("-9223372036854775808", 20, 1, 7), 0);
  CU_ASSERT_EQUAL(db_shard_of_text("rep-1", 5, 1, 7), 3);
  CU_ASSERT_EQUAL(db_shard_of_text("42", 2, 0, 7), db_shard_index(db_hash_text("42", 2), 7));
  CU_ASSERT_EQUAL(db_shard_of_text("042", 3, 1, 7), db_shard_index(db_hash_text("042", 3), 7));
  CU_ASSERT_EQUAL(db_shard_of_text("+42", 3, 1, 7), db_shard_index(db_hash_text("+42", 3), 7));
  int64_t v;
  CU_ASSERT_TRUE(db_key_int("-17", 3, &v) && v == -17);
  CU_ASSERT_FALSE(db_key_int("", 0, &v));
  CU_ASSERT_FALSE(db_key_int("99999999999999999999", 20, &v)); /* out of range */
  /* --shard I/N */
  int i, n;
  CU_ASSERT_TRUE(db_shard_parse("2/3", &i, &n) && i == 1 && n == 3);
  CU_ASSERT_TRUE(db_shard_parse("1/1", &i, &n) && i == 0 && n == 1);
  CU_ASSERT_FALSE(db_shard_parse("0/3", &i, &n));
  CU_ASSERT_FALSE(db_shard_parse("4/3", &i, &n));
  CU_ASSERT_FALSE(db_shard_parse("1/1025", &i, &n));
  CU_ASSERT_FALSE(db_shard_parse("1/", &i, &n));
  CU_ASSERT_FALSE(db_shard_parse("-1/3", &i, &n));
  CU_ASSERT_FALSE(db_shard_parse("1/3x", &i, &n));
  CU_ASSERT_FALSE(db_shard_parse(NULL, &i, &n));
}

/* A key value read from SQLite: an integer-valued real is the integer, NULL is in shard 1. */
static void test_shard_value(void) {
  sqlite3 *db = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &db), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_create_function(db, "vigil_in_shard", 2, SQLITE_UTF8, NULL, db_sql_in_shard, NULL, NULL), SQLITE_OK);
  static const char *const q[] = {
    "SELECT vigil_in_shard(42, '1/7')",            /* 42 mod 7 is remainder 0: shard 1 */
    "SELECT vigil_in_shard(42.0, '1/7')",          /* the same key */
    "SELECT vigil_in_shard(NULL, '1/7')",          /* NULL: shard 1 */
    "SELECT NOT vigil_in_shard(NULL, '2/7')",
    "SELECT vigil_in_shard('rep-1', '4/7')",       /* remainder 3 */
    "SELECT NOT vigil_in_shard('42', '1/7') OR 1", /* text '42' hashes as text (whatever its shard) */
  };
  for (size_t k = 0; k < sizeof q / sizeof *q; k++) {
    sqlite3_stmt *st = NULL;
    CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, q[k], -1, &st, NULL), SQLITE_OK);
    CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
    if (sqlite3_column_int(st, 0) != 1) printf("\n%s: not 1\n", q[k]);
    CU_ASSERT_EQUAL(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
  }
  sqlite3_stmt *st = NULL;
  CU_ASSERT_EQUAL(sqlite3_prepare_v2(db, "SELECT vigil_in_shard(1, '0/3')", -1, &st, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ERROR); /* not a shard */
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* Optional libraries (core/dl.h): opened by their first name that opens,
** every symbol found or a clear reason why not; and libpq and libcurl are
** not linked into the command (they are opened when needed). */
static void test_dl_open(void) {
  char err[256];
  void *fn = NULL;
  void **const slots[] = {&fn};
  const char *const missing[] = {"libvigil-none.so.9", NULL}, *const m[] = {"libm.so.6", NULL};
  const char *const names[] = {"cos"}, *const bad[] = {"vigil_no_such_function"};
  CU_ASSERT_EQUAL(vg_dl_open(missing, names, slots, 1, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "libvigil-none.so.9"));
  CU_ASSERT_EQUAL(vg_dl_open(m, bad, slots, 1, err, sizeof err), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, "no symbol vigil_no_such_function"));
  const char *const two[] = {"libvigil-none.so.9", "libm.so.6", NULL};
  CU_ASSERT_EQUAL(vg_dl_open(two, names, slots, 1, err, sizeof err), 0);
  CU_ASSERT_PTR_NOT_NULL(fn);
  if (fn) CU_ASSERT_DOUBLE_EQUAL(((double (*)(double))fn)(0.0), 1.0, 1e-12);
  /* once per process: the first outcome stays, with what needs the library */
  vg_dl_once once = VG_DL_ONCE_INIT, once2 = VG_DL_ONCE_INIT;
  const vg_dl_lib none = {missing, names, slots, 1, "this test needs libvigil-none"}, libm = {m, names, slots, 1, "cos"};
  CU_ASSERT_EQUAL(vg_dl_load(&once, &none, 1, err, sizeof err), -1);
  CU_ASSERT_EQUAL(strncmp(err, "this test needs libvigil-none: ", 31), 0);
  err[0] = 0;
  CU_ASSERT_EQUAL(vg_dl_load(&once, &libm, 1, err, sizeof err), -1);
  CU_ASSERT_EQUAL(strncmp(err, "this test needs libvigil-none: ", 31), 0);
  fn = NULL;
  CU_ASSERT_EQUAL(vg_dl_load(&once2, &libm, 1, err, sizeof err), 0);
  CU_ASSERT_PTR_NOT_NULL(fn);
  /* the command's own dependencies (readelf on $VIGIL, the vigil under test) */
  const char *vigil = getenv("VIGIL");
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "readelf -d '%s' 2>/dev/null | grep NEEDED", vigil && !strchr(vigil, '\'') ? vigil : "build/rel/vigil");
  FILE *f = popen(cmd, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char line[256], all[4096] = "";
  while (fgets(line, sizeof line, f)) strncat(all, line, sizeof all - strlen(all) - 1);
  pclose(f);
  CU_ASSERT_PTR_NOT_NULL(strstr(all, "libsqlite3"));
  CU_ASSERT_PTR_NULL(strstr(all, "libpq"));
  CU_ASSERT_PTR_NULL(strstr(all, "libcurl"));
  CU_ASSERT_PTR_NULL(strstr(all, "libcrypto"));
}

int unit_register_core(void) {
  CU_pSuite s = CU_add_suite("core", NULL, NULL);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "growable array", test_vec) || !CU_add_test(s, "hash index", test_map)) return CU_get_error();
  if (!CU_add_test(s, "shard: PostgreSQL's hash partitions", test_shard_hash) ||
      !CU_add_test(s, "shard: a key value read from SQLite", test_shard_value) ||
      !CU_add_test(s, "optional libraries opened when needed", test_dl_open))
    return CU_get_error();
  return CUE_SUCCESS;
}
