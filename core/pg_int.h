/*
** pg_int.h — what core/pg.c (the connection, the catalog, transactions) and
** core/pg_vtab.c (the virtual-table module) share.  Not for other files:
** the rest of libvigil uses pg.h.
*/
#ifndef VIGIL_PG_INT_H
#define VIGIL_PG_INT_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include "mem.h"
#include "vec.h"

/* The libpq functions used, called through pg_fn: libpq is opened when a
** first connection is made (pg_api_load, core/dl.h), not at every start. */
#define PG_API(X) \
  X(PQclear) \
  X(PQconnectdb) \
  X(PQerrorMessage) \
  X(PQexec) \
  X(PQexecParams) \
  X(PQexecPrepared) \
  X(PQfinish) \
  X(PQfreemem) \
  X(PQgetisnull) \
  X(PQgetlength) \
  X(PQgetvalue) \
  X(PQntuples) \
  X(PQprepare) \
  X(PQresultErrorField) \
  X(PQresultErrorMessage) \
  X(PQresultStatus) \
  X(PQsetNoticeProcessor) \
  X(PQstatus) \
  X(PQunescapeBytea)
typedef struct pg_api {
#define X(name) __typeof__(name) *f_##name;
  PG_API(X)
#undef X
} pg_api;
extern pg_api pg_fn;
/* Open libpq, once per process.  0, or -1 with err set. */
int pg_api_load(char *err, size_t errcap);
#define PQclear (pg_fn.f_PQclear)
#define PQconnectdb (pg_fn.f_PQconnectdb)
#define PQerrorMessage (pg_fn.f_PQerrorMessage)
#define PQexec (pg_fn.f_PQexec)
#define PQexecParams (pg_fn.f_PQexecParams)
#define PQexecPrepared (pg_fn.f_PQexecPrepared)
#define PQfinish (pg_fn.f_PQfinish)
#define PQfreemem (pg_fn.f_PQfreemem)
#define PQgetisnull (pg_fn.f_PQgetisnull)
#define PQgetlength (pg_fn.f_PQgetlength)
#define PQgetvalue (pg_fn.f_PQgetvalue)
#define PQntuples (pg_fn.f_PQntuples)
#define PQprepare (pg_fn.f_PQprepare)
#define PQresultErrorField (pg_fn.f_PQresultErrorField)
#define PQresultErrorMessage (pg_fn.f_PQresultErrorMessage)
#define PQresultStatus (pg_fn.f_PQresultStatus)
#define PQsetNoticeProcessor (pg_fn.f_PQsetNoticeProcessor)
#define PQstatus (pg_fn.f_PQstatus)
#define PQunescapeBytea (pg_fn.f_PQunescapeBytea)

/* How a column's values come to SQLite. */
enum { C_INT, C_REAL, C_FLOAT4, C_BOOL, C_TEXT, C_DATE, C_TIME, C_TIMETZ, C_BYTEA, C_OTHER };

typedef struct pg_col {
  char *name;
  int cls;
} pg_col;

typedef struct pg_rel {
  char *schema, *name;
  pg_col *cols;
  int ncols;
  int pk; /* the single-column integer primary key, or -1 */
} pg_rel;

typedef struct pg_link {
  PGconn *c;
  sqlite3 *db;
  int readonly;
  int in_txn;
  unsigned long txn_gen;   /* bumped when a transaction ends: its cursors are gone */
  unsigned long ncursors;  /* names cursors */
  vg_vec(pg_rel *) rels;
  vg_vec(char *) preps;    /* statements prepared on the connection: "vigil_p<i>" is preps.v[i] */
  struct pg_link *next;
} pg_link;

/* A copy of s (vg_realloc), or NULL. */
char *pg_strdup(const char *s);
/* libpq's message (its first line) into err, "PostgreSQL: ..." (a lock
** timeout said as such). */
void pg_msg(PGconn *c, const PGresult *r, char *err, size_t cap);
/* Append name as a quoted identifier ("a""b"). */
int pg_quote(vg_buf *b, const char *name);
/* Run sql without parameters: 0, or -1 with the message in err. */
int pg_link_exec(pg_link *l, const char *sql, char *err, size_t cap);
/* Begin the link's transaction if none is open: 0 or -1 (err). */
int pg_link_begin(pg_link *l, char *err, size_t cap);
/* End it: COMMIT when commit, else ROLLBACK.  0 or -1 (err). */
int pg_link_end(pg_link *l, int commit, char *err, size_t cap);

/* The module (pg_vtab.c); its client data is the link. */
extern const sqlite3_module pg_module;

#endif
