/*
** pg.c — PostgreSQL tables as SQLite virtual tables (pg.h).
**
** One libpq connection (a "link") per SQLite connection that pg_open makes.
** Each PostgreSQL table or view becomes a virtual table of module vigil_pg:
**
**   reading   xBestIndex hands PostgreSQL the comparisons it can evaluate
**             the way SQLite would (integers and floats as numbers, text
**             byte for byte under COLLATE "C") and the ORDER BY when every
**             term orders alike on both (integers, text, dates, times);
**             SQLite re-checks every comparison (omit stays 0), so what
**             PostgreSQL returns need only hold the rows SQLite wants.
**             Rows stream through a cursor (DECLARE, then FETCH in growing
**             batches): a table is never held whole in memory.
**   values    read in PostgreSQL's text form with the session set to ISO
**             dates, UTC and exact float digits: integers and booleans as
**             SQLite integers, double precision, real and numeric as SQLite
**             reals (NaN as NULL, as SQLite stores it), bytea as a blob,
**             anything else (dates, times, text) as text.
**   rowid     the table's single-column integer primary key, when it has
**             one (as SQLite's INTEGER PRIMARY KEY is its rowid), else an
**             integer column named vigil_rowid (hidden from SQLite's view);
**             without either, a row has no rowid Vigil can use
**             (runtime/db.c says so) and cannot be updated or deleted.
**   writing   INSERT, UPDATE and DELETE by that key, one statement each.
**   txns      the link runs one PostgreSQL transaction (REPEATABLE READ:
**             one snapshot for everything a run reads, READ ONLY when opened
**             so) from the first statement until a SQLite transaction that
**             wrote commits (xSync: COMMIT, whose failure fails SQLite's
**             commit) or rolls back.
**
** Every name sent to PostgreSQL is quoted ("a""b"); every value is a
** parameter.  Nothing from a rule file or a row becomes SQL text.
*/
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pg.h"
#include "pg_int.h"
#include "dl.h"
#include "limits.h"
#include "mem.h"
#include "vec.h"

#define PG_STR_(x) #x
#define PG_STR(x) PG_STR_(x)

/* The links, to find one by its SQLite connection (pg_is, pg_exec_ddl). */
static pg_link *links;
static pthread_mutex_t links_mu = PTHREAD_MUTEX_INITIALIZER;

static pg_link *link_of(sqlite3 *db) {
  pthread_mutex_lock(&links_mu);
  pg_link *l = links;
  while (l && l->db != db) l = l->next;
  pthread_mutex_unlock(&links_mu);
  return l;
}

int pg_is_uri(const char *path) {
  return path && (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0 || strncmp(path, "pg:", 3) == 0);
}

int pg_is(sqlite3 *db) { return link_of(db) != NULL; }

/* ---- small helpers ------------------------------------------------------------------ */

char *pg_strdup(const char *s) {
  size_t n = strlen(s);
  char *d = vg_realloc(NULL, n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

/* libpq's message without its trailing newline, into err. */
void pg_msg(PGconn *c, const PGresult *r, char *err, size_t cap) {
  const char *m = r ? PQresultErrorMessage(r) : NULL;
  if (!m || !*m) m = c ? PQerrorMessage(c) : "out of memory";
  if (!m || !*m) m = "unknown PostgreSQL error";
  size_t n = strcspn(m, "\n"); /* the first line: the rest points into the SQL */
  const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (state && strcmp(state, "55P03") == 0) /* lock_not_available: as SQLite's busy timeout says it */
    snprintf(err, cap, "PostgreSQL: a table is locked by another session (waited lock_timeout): %.*s", (int)n, m);
  else
    snprintf(err, cap, "PostgreSQL: %.*s", (int)n, m);
}

/* Append name as a quoted PostgreSQL (or SQLite) identifier. */
int pg_quote(vg_buf *b, const char *name) {
  int rc = vg_buf_append(b, "\"", 1);
  for (const char *p = name; *p && rc == 0; p++) rc = *p == '"' ? vg_buf_append(b, "\"\"", 2) : vg_buf_append(b, p, 1);
  return rc | vg_buf_append(b, "\"", 1);
}

/* Run sql without parameters; 0, or -1 with the message in err. */
int pg_link_exec(pg_link *l, const char *sql, char *err, size_t cap) {
  PGresult *r = PQexec(l->c, sql);
  int ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
  if (!ok) pg_msg(l->c, r, err, cap);
  PQclear(r);
  return ok ? 0 : -1;
}

int pg_link_begin(pg_link *l, char *err, size_t cap) {
  if (l->in_txn) return 0;
  if (pg_link_exec(l, l->readonly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL REPEATABLE READ", err,
                cap) != 0)
    return -1;
  l->in_txn = 1;
  return 0;
}

/* End the transaction (COMMIT when commit, else ROLLBACK). */
int pg_link_end(pg_link *l, int commit, char *err, size_t cap) {
  if (!l->in_txn) return 0;
  l->in_txn = 0;
  l->txn_gen++;
  return pg_link_exec(l, commit ? "COMMIT" : "ROLLBACK", err, cap);
}

/* The class of a type by its OID (pg_type.h's fixed OIDs). */
static int class_of(unsigned oid) {
  switch (oid) {
  case 20: case 21: case 23: case 26: return C_INT;        /* int8, int2, int4, oid */
  case 701: case 1700: return C_REAL;                       /* float8, numeric */
  case 700: return C_FLOAT4;                                /* float4: read widened, exactly */
  case 16: return C_BOOL;
  case 25: case 1043: case 1042: case 19: return C_TEXT;   /* text, varchar, bpchar, name */
  case 1082: return C_DATE;
  case 1114: return C_TIME;                                 /* timestamp */
  case 1184: return C_TIMETZ;                               /* timestamptz */
  case 17: return C_BYTEA;
  default: return C_OTHER;
  }
}


static void rel_free(pg_rel *r) {
  if (!r) return;
  for (int i = 0; i < r->ncols; i++) vg_free(r->cols[i].name);
  vg_free(r->cols);
  vg_free(r->schema);
  vg_free(r->name);
  vg_free(r);
}

/* ---- the catalog ----------------------------------------------------------------------- */

/* Every column of every table and view the session can read (of one table
** in the current schema when only is set): schema, table, column, type
** OID, and whether the column is the single-column primary key. */
static const char catalog_sql[] =
    "SELECT n.nspname, c.relname, a.attname, a.atttypid::int8,"
    " COALESCE((SELECT i.indkey[0] = a.attnum FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND i.indnatts = 1),"
    " false), n.nspname = current_schema()"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
    " WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND NOT c.relispartition"
    " AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
    " AND has_table_privilege(c.oid, 'SELECT') AND ($1::text IS NULL OR (n.nspname = current_schema() AND c.relname = $1))"
    " ORDER BY n.nspname, c.relname, a.attnum";

/* Create the virtual table of l->rels.v[i] in db (name: the table's, or
** "SCHEMA.TABLE" outside the current schema). */
/* 1 when db has a table of that name (as SQLite matches names: any case). */
static int attached(sqlite3 *db, const char *name) {
  sqlite3_stmt *st = NULL;
  int have = 0;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    have = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return have;
}

static int rel_attach(pg_link *l, int i, int current, char *err, size_t cap) {
  pg_rel *r = l->rels.v[i];
  vg_buf q = {NULL, 0, 0}, front = {NULL, 0, 0};
  int rc = current ? vg_buf_printf(&front, "%s", r->name) : vg_buf_printf(&front, "%s.%s", r->schema, r->name);
  rc |= vg_buf_append(&q, "CREATE VIRTUAL TABLE main.", 26);
  rc |= pg_quote(&q, front.data ? front.data : "");
  rc |= vg_buf_printf(&q, " USING vigil_pg(%d)", i);
  int res = SQLITE_NOMEM;
  if (rc == 0 && attached(l->db, front.data)) { /* a name taken already (two differing in case only): the first keeps it */
    vg_buf_free(&q);
    vg_buf_free(&front);
    return SQLITE_OK;
  }
  if (rc == 0) {
    char *msg = NULL;
    res = sqlite3_exec(l->db, q.data, NULL, NULL, &msg);
    if (res != SQLITE_OK) snprintf(err, cap, "%s: %s", front.data, msg ? msg : sqlite3_errstr(res));
    sqlite3_free(msg);
  } else {
    snprintf(err, cap, "out of memory");
  }
  vg_buf_free(&q);
  vg_buf_free(&front);
  return res;
}

/* Read the catalog (of one table when only) and attach what it lists. */
static int read_catalog(pg_link *l, const char *only, char *err, size_t cap) {
  const char *params[1] = {only};
  PGresult *res = PQexecParams(l->c, catalog_sql, 1, NULL, params, NULL, NULL, 0);
  if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
    pg_msg(l->c, res, err, cap);
    PQclear(res);
    return SQLITE_ERROR;
  }
  int n = PQntuples(res), rc = SQLITE_OK;
  for (int row = 0; row < n && rc == SQLITE_OK;) {
    const char *schema = PQgetvalue(res, row, 0), *name = PQgetvalue(res, row, 1);
    int end = row;
    while (end < n && strcmp(PQgetvalue(res, end, 0), schema) == 0 && strcmp(PQgetvalue(res, end, 1), name) == 0) end++;
    pg_rel *r = vg_realloc(NULL, sizeof *r);
    if (r) memset(r, 0, sizeof *r);
    if (r) r->pk = -1;
    if (r && (r->schema = pg_strdup(schema)) && (r->name = pg_strdup(name)) &&
        (r->cols = vg_realloc(NULL, (size_t)(end - row) * sizeof *r->cols))) {
      for (int k = row; k < end; k++) {
        pg_col *c = &r->cols[r->ncols];
        if (!(c->name = pg_strdup(PQgetvalue(res, k, 2)))) break;
        c->cls = class_of((unsigned)strtoul(PQgetvalue(res, k, 3), NULL, 10));
        if (PQgetvalue(res, k, 4)[0] == 't' && c->cls == C_INT) r->pk = r->ncols;
        r->ncols++;
      }
    }
    /* without an integer primary key, an integer column vigil_rowid is the
    ** rowid (a partitioned table's key cannot be one column) */
    for (int k = 0; r && r->pk < 0 && k < r->ncols; k++)
      if (r->cols[k].cls == C_INT && strcmp(r->cols[k].name, "vigil_rowid") == 0) r->pk = k;
    if (!r || r->ncols != end - row || vg_vec_push(&l->rels, r) != 0) {
      rel_free(r);
      snprintf(err, cap, "out of memory");
      rc = SQLITE_NOMEM;
      break;
    }
    rc = rel_attach(l, (int)l->rels.n - 1, PQgetvalue(res, row, 5)[0] == 't', err, cap);
    row = end;
  }
  PQclear(res);
  return rc;
}

/* ---- opening and closing ---------------------------------------------------------------------- */

/* vigil_pg_fail(MSG): fails with MSG, which becomes db's error message. */
static void sql_fail(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  sqlite3_result_error(cx, (const char *)sqlite3_value_text(argv[0]), -1);
}

/* Make err db's error message (sqlite3_errmsg), and return code. */
static int fail_with(sqlite3 *db, const char *err, int code) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT vigil_pg_fail(?1)", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, err, -1, SQLITE_STATIC);
    (void)sqlite3_step(st);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  return code;
}

/* The module's destructor: the SQLite connection is closing. */
static void link_free(void *p) {
  pg_link *l = p;
  pthread_mutex_lock(&links_mu);
  for (pg_link **pp = &links; *pp; pp = &(*pp)->next)
    if (*pp == l) { *pp = l->next; break; }
  pthread_mutex_unlock(&links_mu);
  if (l->c) {
    char err[8];
    if (l->in_txn && PQstatus(l->c) == CONNECTION_OK) (void)pg_link_exec(l, "ROLLBACK", err, sizeof err);
    PQfinish(l->c);
  }
  for (size_t i = 0; i < l->rels.n; i++) rel_free(l->rels.v[i]);
  vg_vec_free(&l->rels);
  for (size_t i = 0; i < l->preps.n; i++) vg_free(l->preps.v[i]);
  vg_vec_free(&l->preps);
  vg_free(l);
}

static void quiet(void *ud, const char *msg) {
  (void)ud;
  (void)msg;
}

pg_api pg_fn;

int pg_api_load(char *err, size_t errcap) {
  static vg_dl_once once = VG_DL_ONCE_INIT;
  static const char *const sonames[] = {"libpq.so.5", "libpq.so", NULL};
#define X(name) #name,
  static const char *const names[] = {PG_API(X)};
#undef X
#define X(name) (void **)&pg_fn.f_##name,
  static void **const slots[] = {PG_API(X)};
#undef X
  static const vg_dl_lib libpq = {sonames, names, slots, sizeof names / sizeof *names,
                                  "PostgreSQL needs libpq (Debian package libpq5)"};
  return vg_dl_load(&once, &libpq, 1, err, errcap);
}

int pg_open(const char *uri, int readonly, sqlite3 **out, char *err, size_t errcap) {
  *out = NULL;
  if (pg_api_load(err, errcap) != 0) return SQLITE_CANTOPEN;
  const char *info = strncmp(uri, "pg:", 3) == 0 ? uri + 3 : uri;
  pg_link *l = vg_realloc(NULL, sizeof *l);
  if (!l) { snprintf(err, errcap, "out of memory"); return SQLITE_NOMEM; }
  memset(l, 0, sizeof *l);
  l->readonly = readonly;
  l->c = PQconnectdb(info);
  if (!l->c || PQstatus(l->c) != CONNECTION_OK) {
    pg_msg(l->c, NULL, err, errcap);
    link_free(l);
    return SQLITE_CANTOPEN;
  }
  PQsetNoticeProcessor(l->c, quiet, NULL); /* the library never prints */
  /* the text forms the module reads: ISO dates, UTC, exact floats, UTF-8;
  ** a lock held by another session is waited for as SQLite's is, unless the
  ** session sets its own lock_timeout (PGOPTIONS='-c lock_timeout=5s') */
  if (pg_link_exec(l, "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 3;"
                   " SET client_encoding = 'UTF8'; SET IntervalStyle = 'iso_8601';"
                   " SET client_min_messages = 'warning';"
                   " SELECT CASE WHEN current_setting('lock_timeout') = '0'"
                   " THEN set_config('lock_timeout', '" PG_STR(VG_BUSY_TIMEOUT_S) "s', false) END",
                err, errcap) != 0) {
    link_free(l);
    return SQLITE_ERROR;
  }
  int rc = sqlite3_open_v2(":memory:", &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errcap, "%s", l->db ? sqlite3_errmsg(l->db) : "out of memory");
    sqlite3_close(l->db);
    link_free(l);
    return rc;
  }
  sqlite3 *db = l->db;
  rc = sqlite3_create_function_v2(db, "vigil_pg_fail", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, sql_fail, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errcap, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
    link_free(l);
    return rc;
  }
  rc = sqlite3_create_module_v2(db, "vigil_pg", &pg_module, l, link_free);
  if (rc != SQLITE_OK) { /* the destructor ran */
    snprintf(err, errcap, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
  }
  pthread_mutex_lock(&links_mu);
  l->next = links;
  links = l;
  pthread_mutex_unlock(&links_mu);
  rc = read_catalog(l, NULL, err, errcap);
  if (rc != SQLITE_OK) {
    sqlite3_close(db); /* frees the link */
    return rc;
  }
  *out = db;
  return SQLITE_OK;
}

int pg_exec_ddl(sqlite3 *db, const char *sql, const char *const *tables, int n, char *err, size_t errcap) {
  pg_link *l = link_of(db);
  if (!l) { snprintf(err, errcap, "not a PostgreSQL database"); return SQLITE_MISUSE; }
  if (l->readonly) { snprintf(err, errcap, "PostgreSQL: the database is open read-only"); return fail_with(db, err, SQLITE_READONLY); }
  /* all there already: no DDL at all (CREATE INDEX IF NOT EXISTS still locks
  ** its table, and two shards recording at once would deadlock on it) */
  int missing = 0;
  for (int i = 0; i < n; i++) missing += !attached(db, tables[i]);
  if (!missing) return SQLITE_OK;
  /* outside a transaction, in one of its own, committed before the catalog
  ** is read: inside one, a table another session created meanwhile stays
  ** out of the transaction's snapshot, catalog included */
  int own = !l->in_txn;
  if (pg_link_begin(l, err, errcap) != 0 || pg_link_exec(l, sql, err, errcap) != 0 ||
      (own && pg_link_end(l, 1, err, errcap) != 0))
    return fail_with(db, err, SQLITE_ERROR);
  for (int i = 0; i < n; i++) {
    if (attached(db, tables[i])) continue;
    int rc = read_catalog(l, tables[i], err, errcap);
    if (rc != SQLITE_OK) return fail_with(db, err, rc);
  }
  return SQLITE_OK;
}

/* The relation db names table: by its name in the current schema, or as
** "SCHEMA.TABLE". */
static const pg_rel *rel_named(const pg_link *l, const char *table) {
  for (size_t i = 0; i < l->rels.n; i++) {
    const pg_rel *c = l->rels.v[i];
    size_t sn = strlen(c->schema);
    if (strncmp(table, c->schema, sn) == 0 && table[sn] == '.' && strcmp(table + sn + 1, c->name) == 0) return c;
  }
  for (size_t i = 0; i < l->rels.n; i++)
    if (strcmp(l->rels.v[i]->name, table) == 0) return l->rels.v[i];
  return NULL;
}

int pg_order_index(sqlite3 *db, const char *table, const char *key, const char *time, vg_buf *create) {
  pg_link *l = link_of(db);
  const pg_rel *r = l ? rel_named(l, table) : NULL;
  if (!r) return -1;
  int text = 0;
  for (int k = 0; k < r->ncols; k++)
    if (strcmp(r->cols[k].name, key) == 0) text = r->cols[k].cls == C_TEXT;
  char err[512];
  if (pg_link_begin(l, err, sizeof err) != 0) return -1;
  /* a btree on (key, time), ascending with NULLs first (or its mirror,
  ** read backwards), key under COLLATE "C" when text: the order the scan
  ** asks for (pg_module's ORDER BY), so PostgreSQL streams it unsorted */
  /* with a rowid (the tie-break), the index ends with it: each key's
  ** newest rows come from it in the scan's order, without a sort */
  const char *rowid = r->pk >= 0 && strcmp(r->cols[r->pk].name, key) != 0 ? r->cols[r->pk].name : NULL;
  const char *params[6] = {r->schema, r->name, key, time, text ? "t" : "f", rowid};
  PGresult *res = PQexecParams(l->c,
      "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
      " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class ic ON ic.oid = i.indexrelid"
      " JOIN pg_am am ON am.oid = ic.relam"
      " WHERE n.nspname = $1 AND c.relname = $2 AND am.amname = 'btree' AND i.indpred IS NULL AND i.indnkeyatts >= 2"
      " AND (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = i.indkey[0]) = $3"
      " AND (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = i.indkey[1]) = $4"
      " AND ((i.indoption[0] & 3 = 2 AND i.indoption[1] & 3 = 2) OR (i.indoption[0] & 3 = 1 AND i.indoption[1] & 3 = 1))"
      " AND ($5 = 'f' OR i.indcollation[0] = 'pg_catalog.\"C\"'::regcollation)"
      " AND ($6::text IS NULL OR (i.indnkeyatts >= 3 AND i.indoption[2] & 3 = i.indoption[1] & 3"
      " AND (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = i.indkey[2]) = $6))",
      6, NULL, params, NULL, NULL, 0);
  if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) { PQclear(res); return -1; }
  int have = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
  PQclear(res);
  if (have) return 1;
  vg_buf name = {NULL, 0, 0};
  int rc = vg_buf_printf(&name, "%s_%s_%s", r->name, key, time);
  rc |= vg_buf_append(create, "CREATE INDEX ", 13);
  rc |= pg_quote(create, name.data ? name.data : "");
  rc |= vg_buf_append(create, " ON ", 4);
  rc |= pg_quote(create, r->schema);
  rc |= vg_buf_append(create, ".", 1);
  rc |= pg_quote(create, r->name);
  rc |= vg_buf_append(create, " (", 2);
  rc |= pg_quote(create, key);
  if (text) rc |= vg_buf_append(create, " COLLATE \"C\"", 12);
  rc |= vg_buf_append(create, " NULLS FIRST, ", 14);
  rc |= pg_quote(create, time);
  rc |= vg_buf_append(create, " NULLS FIRST", 12);
  if (rowid) {
    rc |= vg_buf_append(create, ", ", 2);
    rc |= pg_quote(create, rowid);
    rc |= vg_buf_append(create, " NULLS FIRST", 12);
  }
  rc |= vg_buf_append(create, ")", 1);
  vg_buf_free(&name);
  return rc ? -1 : 0;
}

int pg_query(sqlite3 *db, const char *sql, int n, const char *const *params, long long *first, char *err, size_t errcap) {
  pg_link *l = link_of(db);
  if (!l) { snprintf(err, errcap, "not a PostgreSQL database"); return -1; }
  if (pg_link_begin(l, err, errcap) != 0) return -1;
  PGresult *res = PQexecParams(l->c, sql, n, NULL, params, NULL, NULL, 0);
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    pg_msg(l->c, res, err, errcap);
    PQclear(res);
    return -1;
  }
  if (first) *first = st == PGRES_TUPLES_OK && PQntuples(res) > 0 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
  PQclear(res);
  return 0;
}

int pg_end(sqlite3 *db, int commit, char *err, size_t errcap) {
  pg_link *l = link_of(db);
  if (!l) { snprintf(err, errcap, "not a PostgreSQL database"); return -1; }
  return pg_link_end(l, commit, err, errcap);
}

double pg_rows_per_key(sqlite3 *db, const char *table, const char *key) {
  pg_link *l = link_of(db);
  const pg_rel *r = l ? rel_named(l, table) : NULL;
  char err[512];
  if (!r || pg_link_begin(l, err, sizeof err) != 0) return -1;
  /* the planner's statistics (ANALYZE): rows / distinct keys; n_distinct < 0
  ** is minus the fraction of rows that are distinct */
  const char *params[3] = {r->schema, r->name, key};
  PGresult *res = PQexecParams(l->c,
      "SELECT c.reltuples, s.n_distinct FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      " JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = $3"
      " WHERE n.nspname = $1 AND c.relname = $2",
      3, NULL, params, NULL, NULL, 0);
  double per = -1;
  if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) >= 1) {
    double rows = strtod(PQgetvalue(res, 0, 0), NULL), nd = strtod(PQgetvalue(res, 0, 1), NULL);
    if (nd < 0) per = -1 / nd;
    else if (nd > 0 && rows > 0) per = rows / nd;
  }
  PQclear(res);
  return per;
}
