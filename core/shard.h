/*
** shard.h — which shard a key belongs to: the hash PostgreSQL's hash
** partitioning computes (PARTITION BY HASH (key), MODULUS n), so that a
** run's shard I of N reads the keys of one hash partition, and PostgreSQL
** can compute the same on its side (pg.c pushes it down).
**
** A key is hashed by what it is: an integer (also a real with an integer
** value) as PostgreSQL hashes an int2, int4 or int8; anything else as the
** bytes of its text.  NULL is in shard 1, as in PostgreSQL's remainder 0.
*/
#ifndef VIGIL_SHARD_H
#define VIGIL_SHARD_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* PostgreSQL's hashint8extended(v, HASH_PARTITION_SEED). */
uint64_t db_hash_int(int64_t v);
/* PostgreSQL's hash_bytes_extended(p, n, HASH_PARTITION_SEED) (hashtextextended
** under a deterministic collation). */
uint64_t db_hash_text(const void *p, size_t n);
/* The partition (0 .. n-1) of a row whose key hashed to h. */
int db_shard_index(uint64_t h, int n);

/* The partition of a key value read from SQLite. */
int db_shard_of_value(sqlite3_value *v, int n);
/* The partition of a key known by its text (an alert's key): numeric says
** the key column may hold numbers, and then a text that is an integer as
** Vigil writes it ("-42") hashes as that integer. */
int db_shard_of_text(const char *key, size_t len, int numeric, int n);

/* 1 with *out set when key[0..len) is an integer as Vigil writes one
** ("-42": no sign for positives, no leading zeros, no blanks); else 0. */
int db_key_int(const char *key, size_t len, int64_t *out);

/* SQL function vigil_in_shard(KEY, 'I/N'): 1 when KEY is in shard I of N. */
void db_sql_in_shard(sqlite3_context *cx, int argc, sqlite3_value **argv);
/* Parse "I/N" (1 <= I <= N <= 1024) into *i (0-based) and *n: 1, or 0. */
int db_shard_parse(const char *spec, int *i, int *n);

#endif
