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
#include <unistr.h>
#include "pg.h"
#include "shard.h"
#include "limits.h"
#include "mem.h"
#include "vec.h"

#define PG_STR_(x) #x
#define PG_STR(x) PG_STR_(x)

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
  struct pg_link *next;
} pg_link;

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

static char *pg_strdup(const char *s) {
  size_t n = strlen(s);
  char *d = vg_realloc(NULL, n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

/* libpq's message without its trailing newline, into err. */
static void pg_msg(PGconn *c, const PGresult *r, char *err, size_t cap) {
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
static int quote(vg_buf *b, const char *name) {
  int rc = vg_buf_append(b, "\"", 1);
  for (const char *p = name; *p && rc == 0; p++) rc = *p == '"' ? vg_buf_append(b, "\"\"", 2) : vg_buf_append(b, p, 1);
  return rc | vg_buf_append(b, "\"", 1);
}

/* Run sql without parameters; 0, or -1 with the message in err. */
static int link_exec(pg_link *l, const char *sql, char *err, size_t cap) {
  PGresult *r = PQexec(l->c, sql);
  int ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
  if (!ok) pg_msg(l->c, r, err, cap);
  PQclear(r);
  return ok ? 0 : -1;
}

static int link_begin(pg_link *l, char *err, size_t cap) {
  if (l->in_txn) return 0;
  if (link_exec(l, l->readonly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL REPEATABLE READ", err,
                cap) != 0)
    return -1;
  l->in_txn = 1;
  return 0;
}

/* End the transaction (COMMIT when commit, else ROLLBACK). */
static int link_end(pg_link *l, int commit, char *err, size_t cap) {
  if (!l->in_txn) return 0;
  l->in_txn = 0;
  l->txn_gen++;
  return link_exec(l, commit ? "COMMIT" : "ROLLBACK", err, cap);
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

static const char *decl_of(int cls) {
  switch (cls) {
  case C_INT: case C_BOOL: return "INTEGER";
  case C_REAL: case C_FLOAT4: return "REAL";
  case C_DATE: return "DATE";
  case C_TIME: case C_TIMETZ: return "TIMESTAMP";
  case C_BYTEA: return "BLOB";
  default: return "TEXT";
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
static int rel_attach(pg_link *l, int i, int current, char *err, size_t cap) {
  pg_rel *r = l->rels.v[i];
  vg_buf q = {NULL, 0, 0}, front = {NULL, 0, 0};
  int rc = current ? vg_buf_printf(&front, "%s", r->name) : vg_buf_printf(&front, "%s.%s", r->schema, r->name);
  rc |= vg_buf_append(&q, "CREATE VIRTUAL TABLE main.", 26);
  rc |= quote(&q, front.data ? front.data : "");
  rc |= vg_buf_printf(&q, " USING vigil_pg(%d)", i);
  int res = SQLITE_NOMEM;
  if (rc == 0) { /* a name taken already (two names differing in case only): the first keeps it */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, "SELECT 1 FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE", -1, &st, NULL) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, front.data, -1, SQLITE_STATIC);
      if (sqlite3_step(st) == SQLITE_ROW) rc = 1;
    }
    sqlite3_finalize(st);
    if (rc == 1) { vg_buf_free(&q); vg_buf_free(&front); return SQLITE_OK; }
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

/* ---- the virtual table ------------------------------------------------------------------ */

typedef struct pg_vtab {
  sqlite3_vtab base;
  pg_link *l;
  pg_rel *r;
} pg_vtab;

typedef struct pg_cur {
  sqlite3_vtab_cursor base;
  char name[40];          /* the PostgreSQL cursor, while declared */
  unsigned long gen;      /* the transaction it was declared in */
  PGresult *res;          /* the current batch */
  int row, nrows, eof;
  int batch;              /* rows asked for by the last FETCH */
  int *pos;               /* column -> position in the result, or -1 (not read) */
  sqlite3_int64 counter;  /* the rowid of a table without a key */
} pg_cur;

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err) {
  pg_link *l = aux;
  long i = argc >= 4 ? strtol(argv[3], NULL, 10) : -1;
  if (i < 0 || (size_t)i >= l->rels.n) {
    *err = sqlite3_mprintf("vigil_pg: no such table");
    return SQLITE_ERROR;
  }
  pg_rel *r = l->rels.v[i];
  vg_buf d = {NULL, 0, 0};
  int rc = vg_buf_append(&d, "CREATE TABLE x(", 15);
  for (int k = 0; k < r->ncols; k++) {
    if (k) rc |= vg_buf_append(&d, ", ", 2);
    rc |= quote(&d, r->cols[k].name);
    rc |= vg_buf_printf(&d, " %s%s%s", decl_of(r->cols[k].cls), strcmp(r->cols[k].name, "vigil_rowid") == 0 ? " HIDDEN" : "",
                        k == r->pk ? " PRIMARY KEY" : "");
  }
  rc |= vg_buf_append(&d, ")", 1);
  if (rc != 0) { vg_buf_free(&d); return SQLITE_NOMEM; }
  rc = sqlite3_declare_vtab(db, d.data);
  vg_buf_free(&d);
  if (rc != SQLITE_OK) return rc;
  pg_vtab *t = sqlite3_malloc(sizeof *t);
  if (!t) return SQLITE_NOMEM;
  memset(t, 0, sizeof *t);
  t->l = l;
  t->r = r;
  *out = &t->base;
  return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

/* The plan xBestIndex hands xFilter (idxStr): "COLUSED-HEX;" then, per
** comparison sent to PostgreSQL, OP (one of = > < G L for = > < >= <=) and
** its column, then "|" and, when the order is PostgreSQL's, per ORDER BY
** term its column and a or d. */
static int pushable(const pg_rel *r, int col) { return col >= 0 && col < r->ncols && r->cols[col].cls <= C_TEXT && r->cols[col].cls != C_BOOL; }

static int orderable(const pg_rel *r, int col) {
  int c = col < 0 ? r->pk : col;
  if (c < 0 || c >= r->ncols) return 0;
  int k = r->cols[c].cls;
  return k == C_INT || k == C_TEXT || k == C_DATE || k == C_TIME || k == C_TIMETZ || k == C_BOOL;
}

static int vt_best_index(sqlite3_vtab *vt, sqlite3_index_info *ix) {
  const pg_rel *r = ((pg_vtab *)vt)->r;
  vg_buf p = {NULL, 0, 0};
  int rc = vg_buf_printf(&p, "%llx;", (unsigned long long)ix->colUsed);
  int argv = 0, eq = 0, range = 0;
  for (int i = 0; i < ix->nConstraint && rc == 0; i++) {
    const struct sqlite3_index_constraint *c = &ix->aConstraint[i];
    int col = c->iColumn < 0 ? r->pk : c->iColumn;
    if (!c->usable || !pushable(r, col)) continue;
    const char *coll = sqlite3_vtab_collation(ix, i);
    if (r->cols[col].cls == C_TEXT && coll && sqlite3_stricmp(coll, "BINARY") != 0) continue;
    char op;
    if (c->op == SQLITE_INDEX_CONSTRAINT_FUNCTION) { /* vigil_in_shard(col, 'I/N'): xFindFunction */
      if (r->cols[col].cls != C_INT && r->cols[col].cls != C_TEXT) continue;
      rc |= vg_buf_printf(&p, "S%d ", col);
      ix->aConstraintUsage[i].argvIndex = ++argv;
      continue;
    }
    switch (c->op) {
    case SQLITE_INDEX_CONSTRAINT_EQ: op = '='; eq = 1; break;
    case SQLITE_INDEX_CONSTRAINT_GT: op = '>'; range = 1; break;
    case SQLITE_INDEX_CONSTRAINT_LT: op = '<'; range = 1; break;
    case SQLITE_INDEX_CONSTRAINT_GE: op = 'G'; range = 1; break;
    case SQLITE_INDEX_CONSTRAINT_LE: op = 'L'; range = 1; break;
    default: continue;
    }
    rc |= vg_buf_printf(&p, "%c%d ", op, col);
    ix->aConstraintUsage[i].argvIndex = ++argv;
    ix->aConstraintUsage[i].omit = 0; /* SQLite checks it again */
  }
  rc |= vg_buf_append(&p, "|", 1);
  int all = ix->nOrderBy > 0;
  for (int i = 0; i < ix->nOrderBy; i++) all &= orderable(r, ix->aOrderBy[i].iColumn);
  for (int i = 0; all && i < ix->nOrderBy && rc == 0; i++)
    rc |= vg_buf_printf(&p, "%d%c ", ix->aOrderBy[i].iColumn < 0 ? r->pk : ix->aOrderBy[i].iColumn, ix->aOrderBy[i].desc ? 'd' : 'a');
  if (rc != 0) { vg_buf_free(&p); return SQLITE_NOMEM; }
  ix->orderByConsumed = all;
  ix->estimatedCost = eq ? 10.0 : range ? 1e4 : 1e6;
  ix->estimatedRows = eq ? 10 : range ? 10000 : 1000000;
  ix->idxStr = sqlite3_mprintf("%s", p.data);
  ix->needToFreeIdxStr = 1;
  vg_buf_free(&p);
  return ix->idxStr ? SQLITE_OK : SQLITE_NOMEM;
}

static int vt_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out) {
  pg_cur *c = sqlite3_malloc(sizeof *c);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  c->eof = 1;
  c->pos = sqlite3_malloc((int)sizeof(int) * (((pg_vtab *)vt)->r->ncols + 1));
  if (!c->pos) { sqlite3_free(c); return SQLITE_NOMEM; }
  *out = &c->base;
  return SQLITE_OK;
}

static void cur_release(pg_cur *c, pg_link *l) {
  PQclear(c->res);
  c->res = NULL;
  if (c->name[0] && l->in_txn && c->gen == l->txn_gen && PQstatus(l->c) == CONNECTION_OK) {
    char sql[64], err[8];
    snprintf(sql, sizeof sql, "CLOSE %s", c->name);
    (void)link_exec(l, sql, err, sizeof err);
  }
  c->name[0] = 0;
}

static int vt_close(sqlite3_vtab_cursor *cur) {
  pg_cur *c = (pg_cur *)cur;
  cur_release(c, ((pg_vtab *)cur->pVtab)->l);
  sqlite3_free(c->pos);
  sqlite3_free(c);
  return SQLITE_OK;
}

static int vt_error(sqlite3_vtab *vt, const char *msg) {
  sqlite3_free(vt->zErrMsg);
  vt->zErrMsg = sqlite3_mprintf("%s", msg);
  return SQLITE_ERROR;
}

/* The next batch of the cursor's rows. */
static int cur_fetch(pg_cur *c, pg_vtab *t) {
  char sql[96], err[512];
  PQclear(c->res);
  c->res = NULL;
  c->batch = c->batch ? (c->batch < 8192 ? c->batch * 4 : 8192) : 64;
  snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", c->batch, c->name);
  c->res = PQexec(t->l->c, sql);
  if (!c->res || PQresultStatus(c->res) != PGRES_TUPLES_OK) {
    pg_msg(t->l->c, c->res, err, sizeof err);
    c->eof = 1;
    return vt_error(&t->base, err);
  }
  c->row = 0;
  c->nrows = PQntuples(c->res);
  c->eof = c->nrows == 0;
  return SQLITE_OK;
}

/* The text of value v as a parameter compared with a column of class cls,
** and the cast it needs, or 0 when PostgreSQL could not compare it the way
** SQLite does (the comparison is then left to SQLite alone). */
static int param_of(sqlite3_value *v, int cls, vg_buf *text, const char **cast) {
  int vt = sqlite3_value_type(v);
  text->len = 0;
  if (cls == C_INT || cls == C_REAL || cls == C_FLOAT4) {
    if (vt == SQLITE_INTEGER && cls == C_INT) { *cast = "::int8"; return vg_buf_printf(text, "%lld", (long long)sqlite3_value_int64(v)) == 0; }
    if (vt == SQLITE_INTEGER || vt == SQLITE_FLOAT) {
      double d = sqlite3_value_double(v);
      if (d != d || d - d != 0) return 0; /* NaN or an infinity: left to SQLite */
      *cast = "::float8";
      return vg_buf_printf(text, "%.17g", d) == 0;
    }
    return 0;
  }
  if (vt != SQLITE_TEXT && vt != SQLITE_INTEGER && vt != SQLITE_FLOAT) return 0;
  const unsigned char *s = sqlite3_value_text(v);
  int n = sqlite3_value_bytes(v);
  if (!s || memchr(s, 0, (size_t)n) || u8_check(s, (size_t)n)) return 0; /* PostgreSQL text holds no NUL, only UTF-8 */
  *cast = "::text";
  return vg_buf_append(text, s, (size_t)n) == 0;
}

static int vt_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc, sqlite3_value **argv) {
  (void)idxNum;
  pg_cur *c = (pg_cur *)cur;
  pg_vtab *t = (pg_vtab *)cur->pVtab;
  pg_link *l = t->l;
  const pg_rel *r = t->r;
  char err[512];
  cur_release(c, l);
  c->eof = 1;
  c->batch = 0;
  c->counter = 0;
  if (link_begin(l, err, sizeof err) != 0) return vt_error(&t->base, err);
  unsigned long long used = strtoull(idxStr, NULL, 16);
  const char *p = strchr(idxStr, ';') + 1;
  vg_buf q = {NULL, 0, 0}, val = {NULL, 0, 0};
  const char **params = sqlite3_malloc((int)sizeof(char *) * (argc + 1));
  vg_buf *vals = sqlite3_malloc((int)sizeof(vg_buf) * (argc + 1));
  if (!params || !vals) { sqlite3_free(params); sqlite3_free(vals); return SQLITE_NOMEM; }
  memset(vals, 0, sizeof(vg_buf) * (size_t)(argc + 1));
  int rc = 0, np = 0, first = 1;
  rc |= vg_buf_append(&q, "SELECT ", 7);
  int npos = 0;
  for (int k = 0; k < r->ncols; k++) {
    int want = k == r->pk || (k < 63 ? (used >> k) & 1 : (used >> 63) & 1);
    c->pos[k] = want ? npos++ : -1;
    if (!want) continue;
    if (c->pos[k]) rc |= vg_buf_append(&q, ", ", 2);
    rc |= quote(&q, r->cols[k].name);
    /* a real's exact value, as a double: its own text is the shortest that
    ** reads back as the float4 (0.1), not the value it holds */
    if (r->cols[k].cls == C_FLOAT4) rc |= vg_buf_append(&q, "::float8", 8);
  }
  if (npos == 0) rc |= vg_buf_append(&q, "1", 1);
  rc |= vg_buf_append(&q, " FROM ", 6);
  rc |= quote(&q, r->schema);
  rc |= vg_buf_append(&q, ".", 1);
  rc |= quote(&q, r->name);
  for (int a = 0; a < argc && *p && *p != '|' && rc == 0; a++) {
    char op = *p++;
    int col = (int)strtol(p, (char **)&p, 10);
    while (*p == ' ') p++;
    if (op == 'S') { /* the shard, as PostgreSQL's hash partitioning computes it (shard.h) */
      int si, sn;
      if (!db_shard_parse((const char *)sqlite3_value_text(argv[a]), &si, &sn)) continue;
      rc |= vg_buf_append(&q, first ? " WHERE " : " AND ", first ? 7 : 5);
      first = 0;
      rc |= vg_buf_printf(&q, "((%s(", r->cols[col].cls == C_INT ? "hashint8extended" : "hashtextextended");
      rc |= quote(&q, r->cols[col].name);
      rc |= vg_buf_printf(&q, "%s, 8816678312871386365)::numeric + 5305509591434766563 + 18446744073709551616)"
                              " %% 18446744073709551616 %% %d) = %d", r->cols[col].cls == C_INT ? "::int8" : "", sn, si);
      continue;
    }
    const char *cast = "";
    if (!param_of(argv[a], r->cols[col].cls, &vals[np], &cast)) continue;
    rc |= vg_buf_append(&q, first ? " WHERE " : " AND ", first ? 7 : 5);
    first = 0;
    rc |= quote(&q, r->cols[col].name);
    if (r->cols[col].cls == C_TEXT) rc |= vg_buf_append(&q, " COLLATE \"C\"", 12);
    const char *ops = op == '=' ? "=" : op == '>' ? ">" : op == '<' ? "<" : op == 'G' ? ">=" : "<=";
    rc |= vg_buf_printf(&q, " %s $%d%s", ops, np + 1, cast);
    rc |= vg_buf_append(&vals[np], "", 1); /* NUL-terminated for libpq */
    np++;
  }
  p = strchr(idxStr, '|') + 1;
  for (first = 1; *p && rc == 0; first = 0) {
    int col = (int)strtol(p, (char **)&p, 10);
    char dir = *p++;
    while (*p == ' ') p++;
    rc |= vg_buf_append(&q, first ? " ORDER BY " : ", ", first ? 10 : 2);
    rc |= quote(&q, r->cols[col].name);
    if (r->cols[col].cls == C_TEXT) rc |= vg_buf_append(&q, " COLLATE \"C\"", 12);
    /* SQLite puts NULLs first in ascending order */
    rc |= dir == 'd' ? vg_buf_append(&q, " DESC NULLS LAST", 16) : vg_buf_append(&q, " NULLS FIRST", 12);
  }
  int res = SQLITE_OK;
  if (rc != 0) {
    res = SQLITE_NOMEM;
  } else {
    for (int k = 0; k < np; k++) params[k] = vals[k].data;
    vg_buf d = {NULL, 0, 0};
    snprintf(c->name, sizeof c->name, "vigil_c%lu", ++l->ncursors);
    if (vg_buf_printf(&d, "DECLARE %s NO SCROLL CURSOR FOR %s", c->name, q.data) != 0) {
      res = SQLITE_NOMEM;
      c->name[0] = 0;
    } else {
      PGresult *pr = PQexecParams(l->c, d.data, np, NULL, params, NULL, NULL, 0);
      if (!pr || PQresultStatus(pr) != PGRES_COMMAND_OK) {
        pg_msg(l->c, pr, err, sizeof err);
        c->name[0] = 0;
        res = vt_error(&t->base, err);
      }
      PQclear(pr);
      c->gen = l->txn_gen;
    }
    vg_buf_free(&d);
    if (res == SQLITE_OK) res = cur_fetch(c, t);
  }
  vg_buf_free(&q);
  vg_buf_free(&val);
  for (int k = 0; k < argc; k++) vg_buf_free(&vals[k]);
  sqlite3_free(vals);
  sqlite3_free(params);
  return res;
}

static int vt_next(sqlite3_vtab_cursor *cur) {
  pg_cur *c = (pg_cur *)cur;
  c->counter++;
  if (++c->row < c->nrows) return SQLITE_OK;
  if (c->nrows < c->batch) { c->eof = 1; return SQLITE_OK; }
  return cur_fetch(c, (pg_vtab *)cur->pVtab);
}

static int vt_eof(sqlite3_vtab_cursor *cur) { return ((pg_cur *)cur)->eof; }

static int vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *cx, int i) {
  pg_cur *c = (pg_cur *)cur;
  const pg_rel *r = ((pg_vtab *)cur->pVtab)->r;
  int at = i >= 0 && i < r->ncols ? c->pos[i] : -1;
  if (at < 0 || PQgetisnull(c->res, c->row, at)) { sqlite3_result_null(cx); return SQLITE_OK; }
  const char *s = PQgetvalue(c->res, c->row, at);
  int n = PQgetlength(c->res, c->row, at);
  switch (r->cols[i].cls) {
  case C_INT: sqlite3_result_int64(cx, strtoll(s, NULL, 10)); break;
  case C_BOOL: sqlite3_result_int(cx, s[0] == 't'); break;
  case C_REAL: case C_FLOAT4: sqlite3_result_double(cx, strtod(s, NULL)); break; /* NaN: SQLite makes it NULL */
  case C_BYTEA: {
    size_t len = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)s, &len);
    if (!b) return SQLITE_NOMEM;
    sqlite3_result_blob64(cx, b, len, SQLITE_TRANSIENT);
    PQfreemem(b);
    break;
  }
  case C_TIMETZ: /* in UTC (the session's TimeZone): "+00" as ISO 8601 writes it, "+00:00" */
    if (n >= 3 && strcmp(s + n - 3, "+00") == 0) {
      char *t = sqlite3_mprintf("%.*s+00:00", n - 3, s);
      if (!t) return SQLITE_NOMEM;
      sqlite3_result_text(cx, t, -1, sqlite3_free);
      break;
    }
    sqlite3_result_text(cx, s, n, SQLITE_TRANSIENT);
    break;
  default: sqlite3_result_text(cx, s, n, SQLITE_TRANSIENT); break;
  }
  return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out) {
  pg_cur *c = (pg_cur *)cur;
  const pg_rel *r = ((pg_vtab *)cur->pVtab)->r;
  *out = r->pk >= 0 && c->pos[r->pk] >= 0 ? strtoll(PQgetvalue(c->res, c->row, c->pos[r->pk]), NULL, 10) : c->counter;
  return SQLITE_OK;
}

/* A value as a text parameter (NULL for NULL); 0, or -1 when PostgreSQL
** cannot hold it (a NUL byte, bytes that are not UTF-8, a blob). */
static int write_param(sqlite3_value *v, vg_buf *b, const char **out) {
  b->len = 0;
  *out = NULL;
  switch (sqlite3_value_type(v)) {
  case SQLITE_NULL: return 0;
  case SQLITE_INTEGER: if (vg_buf_printf(b, "%lld", (long long)sqlite3_value_int64(v)) != 0) return -1; break;
  case SQLITE_FLOAT: {
    double d = sqlite3_value_double(v);
    if (vg_buf_printf(b, "%s", d != d ? "NaN" : d > 1e308 * 10 ? "Infinity" : d < -1e308 * 10 ? "-Infinity" : "") != 0) return -1;
    if (b->len == 0 && vg_buf_printf(b, "%.17g", d) != 0) return -1;
    break;
  }
  case SQLITE_TEXT: {
    const unsigned char *s = sqlite3_value_text(v);
    size_t n = (size_t)sqlite3_value_bytes(v);
    if (memchr(s, 0, n) || u8_check(s, n) || vg_buf_append(b, s, n) != 0 || vg_buf_append(b, "", 1) != 0) return -1;
    break;
  }
  default: return -1;
  }
  *out = b->data;
  return 0;
}

static int vt_update(sqlite3_vtab *vt, int argc, sqlite3_value **argv, sqlite3_int64 *rowid) {
  pg_vtab *t = (pg_vtab *)vt;
  pg_link *l = t->l;
  const pg_rel *r = t->r;
  char err[512];
  if (l->readonly) return vt_error(vt, "PostgreSQL: the database is open read-only");
  int del = argc == 1, ins = !del && sqlite3_value_type(argv[0]) == SQLITE_NULL;
  if (!ins && r->pk < 0) {
    snprintf(err, sizeof err, "PostgreSQL table %s.%s has no integer primary key, so its rows cannot be changed one by one", r->schema, r->name);
    return vt_error(vt, err);
  }
  if (link_begin(l, err, sizeof err) != 0) return vt_error(vt, err);
  vg_buf q = {NULL, 0, 0};
  vg_buf *vals = sqlite3_malloc((int)sizeof(vg_buf) * (r->ncols + 1));
  const char **params = sqlite3_malloc((int)sizeof(char *) * (r->ncols + 1));
  if (!vals || !params) { sqlite3_free(vals); sqlite3_free(params); return SQLITE_NOMEM; }
  memset(vals, 0, sizeof(vg_buf) * (size_t)(r->ncols + 1));
  int rc = 0, np = 0, bad = 0;
  if (del) {
    rc |= vg_buf_append(&q, "DELETE FROM ", 12);
  } else if (ins) {
    rc |= vg_buf_append(&q, "INSERT INTO ", 12);
  } else {
    rc |= vg_buf_append(&q, "UPDATE ", 7);
  }
  rc |= quote(&q, r->schema);
  rc |= vg_buf_append(&q, ".", 1);
  rc |= quote(&q, r->name);
  if (!del) {
    int n = 0;
    rc |= vg_buf_append(&q, ins ? " (" : " SET ", ins ? 2 : 5);
    for (int k = 0; k < r->ncols && rc == 0; k++) {
      sqlite3_value *v = argv[2 + k];
      if (k == r->pk && ins && sqlite3_value_type(v) == SQLITE_NULL && sqlite3_value_type(argv[1]) != SQLITE_NULL) v = argv[1];
      if (k == r->pk && ins && sqlite3_value_type(v) == SQLITE_NULL) continue; /* the key makes itself */
      if (sqlite3_value_nochange(v)) continue;
      if (n++) rc |= vg_buf_append(&q, ", ", 2);
      rc |= quote(&q, r->cols[k].name);
      if (!ins) rc |= vg_buf_printf(&q, " = $%d", np + 1);
      if (write_param(v, &vals[np], &params[np]) != 0) bad = 1;
      np++;
    }
    if (ins) {
      rc |= vg_buf_append(&q, ") VALUES (", 10);
      for (int k = 0; k < np; k++) rc |= vg_buf_printf(&q, k ? ", $%d" : "$%d", k + 1);
      rc |= vg_buf_append(&q, ")", 1);
      if (n == 0) { q.len = 0; rc |= vg_buf_append(&q, "INSERT INTO ", 12) | quote(&q, r->schema) | vg_buf_append(&q, ".", 1) | quote(&q, r->name) | vg_buf_append(&q, " DEFAULT VALUES", 15); }
      if (r->pk >= 0) rc |= vg_buf_append(&q, " RETURNING ", 11) | quote(&q, r->cols[r->pk].name);
    }
  }
  if (!ins) {
    rc |= vg_buf_append(&q, " WHERE ", 7);
    rc |= quote(&q, r->cols[r->pk].name);
    rc |= vg_buf_printf(&q, " = $%d", np + 1);
    if (write_param(argv[0], &vals[np], &params[np]) != 0) bad = 1;
    np++;
  }
  int res = SQLITE_OK;
  if (rc != 0) {
    res = SQLITE_NOMEM;
  } else if (bad) {
    res = vt_error(vt, "PostgreSQL text cannot hold a NUL byte or bytes that are not UTF-8");
  } else {
    PGresult *pr = PQexecParams(l->c, q.data, np, NULL, params, NULL, NULL, 0);
    ExecStatusType st = pr ? PQresultStatus(pr) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      pg_msg(l->c, pr, err, sizeof err);
      res = vt_error(vt, err);
    } else if (ins && r->pk >= 0 && PQntuples(pr) == 1) {
      *rowid = strtoll(PQgetvalue(pr, 0, 0), NULL, 10);
    }
    PQclear(pr);
  }
  vg_buf_free(&q);
  for (int k = 0; k <= r->ncols; k++) vg_buf_free(&vals[k]);
  sqlite3_free(vals);
  sqlite3_free(params);
  return res;
}

/* vigil_in_shard(COLUMN, 'I/N') becomes a constraint xBestIndex can hand
** PostgreSQL (SQLite still checks it with the same function). */
static int vt_find_function(sqlite3_vtab *vt, int nArg, const char *name, void (**fn)(sqlite3_context *, int, sqlite3_value **),
                            void **arg) {
  (void)vt;
  if (nArg != 2 || strcmp(name, "vigil_in_shard") != 0) return 0;
  *fn = db_sql_in_shard;
  *arg = NULL;
  return SQLITE_INDEX_CONSTRAINT_FUNCTION;
}

/* Transactions: a SQLite transaction that wrote commits or rolls back the
** PostgreSQL one (xSync is where a failure can still fail the commit). */
static int vt_begin(sqlite3_vtab *vt) {
  char err[512];
  pg_vtab *t = (pg_vtab *)vt;
  return link_begin(t->l, err, sizeof err) == 0 ? SQLITE_OK : vt_error(vt, err);
}

static int vt_sync(sqlite3_vtab *vt) {
  char err[512];
  pg_vtab *t = (pg_vtab *)vt;
  return link_end(t->l, 1, err, sizeof err) == 0 ? SQLITE_OK : vt_error(vt, err);
}

static int vt_commit(sqlite3_vtab *vt) {
  (void)vt;
  return SQLITE_OK;
}

static int vt_rollback(sqlite3_vtab *vt) {
  char err[512];
  (void)link_end(((pg_vtab *)vt)->l, 0, err, sizeof err);
  return SQLITE_OK;
}

static const sqlite3_module pg_module = {
  .iVersion = 1, .xCreate = vt_connect, .xConnect = vt_connect, .xBestIndex = vt_best_index,
  .xDisconnect = vt_disconnect, .xDestroy = vt_disconnect, .xOpen = vt_open, .xClose = vt_close, .xFilter = vt_filter,
  .xNext = vt_next, .xEof = vt_eof, .xColumn = vt_column, .xRowid = vt_rowid, .xUpdate = vt_update,
  .xBegin = vt_begin, .xSync = vt_sync, .xCommit = vt_commit, .xRollback = vt_rollback,
  .xFindFunction = vt_find_function};

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
    if (l->in_txn && PQstatus(l->c) == CONNECTION_OK) (void)link_exec(l, "ROLLBACK", err, sizeof err);
    PQfinish(l->c);
  }
  for (size_t i = 0; i < l->rels.n; i++) rel_free(l->rels.v[i]);
  vg_vec_free(&l->rels);
  vg_free(l);
}

static void quiet(void *ud, const char *msg) {
  (void)ud;
  (void)msg;
}

int pg_open(const char *uri, int readonly, sqlite3 **out, char *err, size_t errcap) {
  *out = NULL;
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
  if (link_exec(l, "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 3;"
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
  if (link_begin(l, err, errcap) != 0 || link_exec(l, sql, err, errcap) != 0) return fail_with(db, err, SQLITE_ERROR);
  for (int i = 0; i < n; i++) {
    /* already attached? */
    sqlite3_stmt *st = NULL;
    int have = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_schema WHERE name = ?1", -1, &st, NULL) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
      have = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    if (have) continue;
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
  if (link_begin(l, err, sizeof err) != 0) return -1;
  /* a btree on (key, time), ascending with NULLs first (or its mirror,
  ** read backwards), key under COLLATE "C" when text: the order the scan
  ** asks for (pg_module's ORDER BY), so PostgreSQL streams it unsorted */
  const char *params[5] = {r->schema, r->name, key, time, text ? "t" : "f"};
  PGresult *res = PQexecParams(l->c,
      "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
      " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_class ic ON ic.oid = i.indexrelid"
      " JOIN pg_am am ON am.oid = ic.relam"
      " WHERE n.nspname = $1 AND c.relname = $2 AND am.amname = 'btree' AND i.indpred IS NULL AND i.indnkeyatts >= 2"
      " AND (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = i.indkey[0]) = $3"
      " AND (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = i.indkey[1]) = $4"
      " AND ((i.indoption[0] & 3 = 2 AND i.indoption[1] & 3 = 2) OR (i.indoption[0] & 3 = 1 AND i.indoption[1] & 3 = 1))"
      " AND ($5 = 'f' OR i.indcollation[0] = 'pg_catalog.\"C\"'::regcollation)",
      5, NULL, params, NULL, NULL, 0);
  if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) { PQclear(res); return -1; }
  int have = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
  PQclear(res);
  if (have) return 1;
  vg_buf name = {NULL, 0, 0};
  int rc = vg_buf_printf(&name, "%s_%s_%s", r->name, key, time);
  rc |= vg_buf_append(create, "CREATE INDEX ", 13);
  rc |= quote(create, name.data ? name.data : "");
  rc |= vg_buf_append(create, " ON ", 4);
  rc |= quote(create, r->schema);
  rc |= vg_buf_append(create, ".", 1);
  rc |= quote(create, r->name);
  rc |= vg_buf_append(create, " (", 2);
  rc |= quote(create, key);
  if (text) rc |= vg_buf_append(create, " COLLATE \"C\"", 12);
  rc |= vg_buf_append(create, " NULLS FIRST, ", 14);
  rc |= quote(create, time);
  rc |= vg_buf_append(create, " NULLS FIRST)", 13);
  vg_buf_free(&name);
  return rc ? -1 : 0;
}

int pg_query(sqlite3 *db, const char *sql, int n, const char *const *params, long long *first, char *err, size_t errcap) {
  pg_link *l = link_of(db);
  if (!l) { snprintf(err, errcap, "not a PostgreSQL database"); return -1; }
  if (link_begin(l, err, errcap) != 0) return -1;
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
  return link_end(l, commit, err, errcap);
}
