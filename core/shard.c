/*
** shard.c — the shard of a key (shard.h).
**
** The hash is Bob Jenkins' lookup3, as PostgreSQL adapted it in
** src/common/hashfn.c (hash_bytes_extended, hash_bytes_uint32_extended),
** with PostgreSQL's partition seed and the combine step of
** compute_partition_hash_value; bytes are read little-endian, as
** PostgreSQL reads them on the little-endian machines it mostly runs on
** (on a big-endian server the partitions differ: docs/LANGUAGE.md).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shard.h"

#define SEED 0x7A5B22367996DCFDull  /* HASH_PARTITION_SEED */
#define ROT(x, k) (((x) << (k)) | ((x) >> (32 - (k))))

#define MIX(a, b, c)                                                         \
  do {                                                                       \
    a -= c; a ^= ROT(c, 4); c += b;                                          \
    b -= a; b ^= ROT(a, 6); a += c;                                          \
    c -= b; c ^= ROT(b, 8); b += a;                                          \
    a -= c; a ^= ROT(c, 16); c += b;                                         \
    b -= a; b ^= ROT(a, 19); a += c;                                         \
    c -= b; c ^= ROT(b, 4); b += a;                                          \
  } while (0)

#define FINAL(a, b, c)                                                       \
  do {                                                                       \
    c ^= b; c -= ROT(b, 14);                                                 \
    a ^= c; a -= ROT(c, 11);                                                 \
    b ^= a; b -= ROT(a, 25);                                                 \
    c ^= b; c -= ROT(b, 16);                                                 \
    a ^= c; a -= ROT(c, 4);                                                  \
    b ^= a; b -= ROT(a, 14);                                                 \
    c ^= b; c -= ROT(b, 24);                                                 \
  } while (0)

static uint32_t le32(const unsigned char *k) {
  return (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 | (uint32_t)k[3] << 24;
}

uint64_t db_hash_text(const void *p, size_t n) {
  const unsigned char *k = p;
  uint32_t len = (uint32_t)n;
  uint32_t a, b, c;
  a = b = c = 0x9e3779b9u + len + 3923095u;
  a += (uint32_t)(SEED >> 32);
  b += (uint32_t)SEED;
  MIX(a, b, c);
  while (len >= 12) {
    a += le32(k);
    b += le32(k + 4);
    c += le32(k + 8);
    MIX(a, b, c);
    k += 12;
    len -= 12;
  }
  switch (len) { /* the last 11 bytes; c's lowest byte is the length's */
  case 11: c += (uint32_t)k[10] << 24; /* fall through */
  case 10: c += (uint32_t)k[9] << 16;  /* fall through */
  case 9: c += (uint32_t)k[8] << 8;    /* fall through */
  case 8: b += (uint32_t)k[7] << 24;   /* fall through */
  case 7: b += (uint32_t)k[6] << 16;   /* fall through */
  case 6: b += (uint32_t)k[5] << 8;    /* fall through */
  case 5: b += k[4];                   /* fall through */
  case 4: a += (uint32_t)k[3] << 24;   /* fall through */
  case 3: a += (uint32_t)k[2] << 16;   /* fall through */
  case 2: a += (uint32_t)k[1] << 8;    /* fall through */
  case 1: a += k[0];                   /* fall through */
  default: break;
  }
  FINAL(a, b, c);
  return (uint64_t)b << 32 | c;
}

uint64_t db_hash_int(int64_t v) {
  /* hashint8extended: the low half, xor the high half (its complement for
  ** a negative value), so that an int4 and an int8 of one value agree */
  uint32_t lo = (uint32_t)(uint64_t)v, hi = (uint32_t)((uint64_t)v >> 32);
  lo ^= v >= 0 ? hi : ~hi;
  uint32_t a, b, c;
  a = b = c = 0x9e3779b9u + 4u + 3923095u;
  a += (uint32_t)(SEED >> 32);
  b += (uint32_t)SEED;
  MIX(a, b, c);
  a += lo;
  FINAL(a, b, c);
  return (uint64_t)b << 32 | c;
}

int db_shard_index(uint64_t h, int n) {
  /* compute_partition_hash_value: hash_combine64(0, h) */
  return (int)((h + (uint64_t)0x49a0f4dd15e5a8e3ull) % (uint64_t)n);
}

int db_shard_of_value(sqlite3_value *v, int n) {
  switch (sqlite3_value_type(v)) {
  case SQLITE_NULL: return 0;
  case SQLITE_INTEGER: return db_shard_index(db_hash_int(sqlite3_value_int64(v)), n);
  case SQLITE_FLOAT: {
    double d = sqlite3_value_double(v);
    if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == floor(d)) return db_shard_index(db_hash_int((int64_t)d), n);
    break;
  }
  default: break;
  }
  const void *p = sqlite3_value_type(v) == SQLITE_BLOB ? sqlite3_value_blob(v) : (const void *)sqlite3_value_text(v);
  return db_shard_index(db_hash_text(p, (size_t)sqlite3_value_bytes(v)), n);
}

int db_key_int(const char *key, size_t len, int64_t *out) {
  if (len == 0 || len > 20) return 0;
  char buf[24], *end, back[24];
  memcpy(buf, key, len);
  buf[len] = 0;
  long long v = strtoll(buf, &end, 10);
  if (*end != 0 || (size_t)snprintf(back, sizeof back, "%lld", v) != len || memcmp(back, key, len) != 0) return 0;
  *out = (int64_t)v;
  return 1;
}

int db_shard_of_text(const char *key, size_t len, int numeric, int n) {
  int64_t v;
  if (numeric && db_key_int(key, len, &v)) return db_shard_index(db_hash_int(v), n);
  return db_shard_index(db_hash_text(key, len), n);
}

int db_shard_parse(const char *spec, int *i, int *n) {
  char *end;
  if (!spec || *spec < '0' || *spec > '9') return 0;
  long a = strtol(spec, &end, 10);
  if (*end != '/' || end[1] < '0' || end[1] > '9') return 0;
  long b = strtol(end + 1, &end, 10);
  if (*end || a < 1 || b < 1 || a > b || b > 1024) return 0;
  *i = (int)a - 1;
  *n = (int)b;
  return 1;
}

void db_sql_in_shard(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  int i, n;
  if (!db_shard_parse((const char *)sqlite3_value_text(argv[1]), &i, &n)) {
    sqlite3_result_error(cx, "vigil_in_shard: the shard is I/N, 1 <= I <= N <= 1024", -1);
    return;
  }
  sqlite3_result_int(cx, db_shard_of_value(argv[0], n) == i);
}
