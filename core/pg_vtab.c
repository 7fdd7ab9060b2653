/*
** pg_vtab.c — the virtual-table module vigil_pg: one PostgreSQL table or
** view as a SQLite table (pg.h; how it reads, orders and writes: pg.c's
** header comment).
*/
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include "pg.h"
#include "pg_int.h"
#include "shard.h"
#include "mem.h"

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
    rc |= pg_quote(&d, r->cols[k].name);
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
    if (c->op == SQLITE_INDEX_CONSTRAINT_FUNCTION || c->op == SQLITE_INDEX_CONSTRAINT_FUNCTION + 1) {
      /* vigil_in_shard(col, 'I/N') (S), vigil_window(key, 'LIMIT/DAY/TIME') (W): xFindFunction */
      if (r->cols[col].cls != C_INT && r->cols[col].cls != C_TEXT) continue;
      rc |= vg_buf_printf(&p, "%c%d ", c->op == SQLITE_INDEX_CONSTRAINT_FUNCTION ? 'S' : 'W', col);
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
    (void)pg_link_exec(l, sql, err, sizeof err);
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

/* Run sql with np text parameters as a statement prepared once per
** connection (a lookup runs the same query for every key: parsed once).
** The result, or NULL when out of memory. */
static PGresult *exec_prepared(pg_link *l, const char *sql, int np, const char *const *params) {
  char name[32];
  size_t i = 0;
  while (i < l->preps.n && strcmp(l->preps.v[i], sql) != 0) i++;
  snprintf(name, sizeof name, "vigil_p%zu", i);
  if (i == l->preps.n) {
    char *copy = pg_strdup(sql);
    if (!copy) return NULL;
    PGresult *pr = PQprepare(l->c, name, sql, np, NULL);
    if (!pr || PQresultStatus(pr) != PGRES_COMMAND_OK) { vg_free(copy); return pr; }
    PQclear(pr);
    if (vg_vec_push(&l->preps, copy) != 0) { vg_free(copy); return NULL; } /* (the name stays taken: harmless) */
  }
  return PQexecPrepared(l->c, name, np, params, NULL, NULL, 0);
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

/* The condition "expr is in shard si (0-based) of sn", computed by
** PostgreSQL as its hash partitioning does (shard.h). */
static int shard_expr(vg_buf *q, int cls, const char *expr, int sn, int si) {
  return vg_buf_printf(q, "((%s(%s%s, 8816678312871386365)::numeric + 5305509591434766563 + 18446744073709551616)"
                          " %% 18446744073709551616 %% %d) = %d",
                       cls == C_INT ? "hashint8extended" : "hashtextextended", expr, cls == C_INT ? "::int8" : "", sn, si);
}

/* The columns c reads (c->pos), each as "<prefix>"col"[::float8] AS "col"". */
static int select_list(vg_buf *q, const pg_rel *r, const pg_cur *c, const char *prefix) {
  int rc = 0, n = 0;
  for (int k = 0; k < r->ncols; k++) {
    if (c->pos[k] < 0) continue;
    if (n++) rc |= vg_buf_append(q, ", ", 2);
    rc |= vg_buf_append(q, prefix, strlen(prefix));
    rc |= pg_quote(q, r->cols[k].name);
    /* a real's exact value, as a double: its own text is the shortest that
    ** reads back as the float4 (0.1), not the value it holds */
    if (r->cols[k].cls == C_FLOAT4) rc |= vg_buf_append(q, "::float8", 8);
    rc |= vg_buf_append(q, " AS ", 4);
    rc |= pg_quote(q, r->cols[k].name);
  }
  if (n == 0) rc |= vg_buf_append(q, "1", 1);
  return rc;
}

/* vigil_window(KEY, 'LIMIT/YYYY-MM-DD/TIME'): each key's newest LIMIT rows
** whose time's day is on or before the day, found by a seek per key on
** PostgreSQL's side (the keys by a loose index scan: a recursive query,
** one seek each; each key's rows newest first through the (key, time)
** index), then the rows with a NULL key (bad data the scan reports), for
** this shard's keys only.  The query into q without its ORDER BY; 1 when
** made, 0 when the window cannot be (its time is not a date or timestamp:
** the table is then read whole, which SQLite's vigil_window accepts), -1
** when out of memory. */
static int window_sql(vg_buf *q, const pg_rel *r, const pg_cur *c, int key, const char *spec, int shard, int nshards) {
  char *end;
  long limit = strtol(spec, &end, 10);
  if (limit < 1 || *end != '/' || strlen(end + 1) < 12 || end[11] != '/') return 0;
  char day[11];
  memcpy(day, end + 1, 10);
  day[10] = 0;
  for (int i = 0; i < 10; i++)
    if (i == 4 || i == 7 ? day[i] != '-' : day[i] < '0' || day[i] > '9') return 0;
  const char *tname = end + 12;
  int time = -1;
  for (int k = 0; k < r->ncols && time < 0; k++)
    if (strcmp(r->cols[k].name, tname) == 0) time = k;
  for (int k = 0; k < r->ncols && time < 0; k++)
    if (sqlite3_stricmp(r->cols[k].name, tname) == 0) time = k;
  if (time < 0 || (r->cols[time].cls != C_DATE && r->cols[time].cls != C_TIME && r->cols[time].cls != C_TIMETZ)) return 0;
  int text = r->cols[key].cls == C_TEXT;
  vg_buf t = {NULL, 0, 0}, k = {NULL, 0, 0};
  int rc = vg_buf_append(&t, r->schema[0] ? "" : "", 0) | pg_quote(&t, r->schema) | vg_buf_append(&t, ".", 1) | pg_quote(&t, r->name);
  rc |= pg_quote(&k, r->cols[key].name);
  const char *coll = text ? " COLLATE \"C\"" : "";
  if (rc == 0) {
    /* (in a subquery: the ORDER BY added after it may COLLATE, which an
    ** ORDER BY of a UNION itself may not) */
    rc |= vg_buf_append(q, "SELECT * FROM (SELECT ", 22);
    rc |= select_list(q, r, c, "w.");
    /* (NULLS FIRST as the advised index has it, so each step is a seek) */
    rc |= vg_buf_printf(q, " FROM (WITH RECURSIVE k(v) AS ((SELECT %s FROM %s WHERE %s IS NOT NULL ORDER BY %s%s NULLS FIRST LIMIT 1)"
                           " UNION ALL SELECT (SELECT %s FROM %s WHERE %s%s > k.v ORDER BY %s%s NULLS FIRST LIMIT 1) FROM k WHERE k.v IS NOT NULL)"
                           " SELECT v FROM k WHERE v IS NOT NULL",
                        k.data, t.data, k.data, k.data, coll, k.data, t.data, k.data, coll, k.data, coll);
    if (nshards > 1) {
      rc |= vg_buf_append(q, " AND ", 5);
      rc |= shard_expr(q, r->cols[key].cls, "v", nshards, shard);
    }
    rc |= vg_buf_printf(q, ") keys CROSS JOIN LATERAL (SELECT * FROM %s x WHERE x.%s = keys.v AND x.", t.data, k.data);
    rc |= pg_quote(q, r->cols[time].name);
    if (r->cols[time].cls == C_DATE) rc |= vg_buf_printf(q, " <= DATE '%s'", day);
    else if (r->cols[time].cls == C_TIME) rc |= vg_buf_printf(q, " < DATE '%s' + 1", day);
    else rc |= vg_buf_printf(q, " < (DATE '%s' + 1)::timestamp AT TIME ZONE 'UTC'", day);
    rc |= vg_buf_append(q, " ORDER BY x.", 12);
    rc |= pg_quote(q, r->cols[time].name);
    rc |= vg_buf_append(q, " DESC NULLS LAST", 16);
    if (r->pk >= 0) {
      rc |= vg_buf_append(q, ", x.", 4);
      rc |= pg_quote(q, r->cols[r->pk].name);
      rc |= vg_buf_append(q, " DESC NULLS LAST", 16);
    }
    rc |= vg_buf_printf(q, " LIMIT %ld) w", limit);
    if (nshards <= 1 || shard == 0) { /* a NULL key is in shard 1 */
      rc |= vg_buf_append(q, " UNION ALL SELECT ", 18);
      rc |= select_list(q, r, c, "");
      rc |= vg_buf_printf(q, " FROM %s WHERE %s IS NULL", t.data, k.data);
    }
    rc |= vg_buf_append(q, ") u", 3);
  }
  vg_buf_free(&t);
  vg_buf_free(&k);
  return rc ? -1 : 1;
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
  if (pg_link_begin(l, err, sizeof err) != 0) return vt_error(&t->base, err);
  unsigned long long used = strtoull(idxStr, NULL, 16);
  const char *p = strchr(idxStr, ';') + 1;
  vg_buf q = {NULL, 0, 0}, val = {NULL, 0, 0};
  const char **params = sqlite3_malloc((int)sizeof(char *) * (argc + 1));
  vg_buf *vals = sqlite3_malloc((int)sizeof(vg_buf) * (argc + 1));
  if (!params || !vals) { sqlite3_free(params); sqlite3_free(vals); return SQLITE_NOMEM; }
  memset(vals, 0, sizeof(vg_buf) * (size_t)(argc + 1));
  int rc = 0, np = 0, first = 1, point = 0;
  int npos = 0;
  for (int k = 0; k < r->ncols; k++) {
    int want = k == r->pk || (k < 63 ? (used >> k) & 1 : (used >> 63) & 1);
    c->pos[k] = want ? npos++ : -1;
  }
  /* a window (each key's newest rows) replaces the whole query but its order */
  int window = 0, wshard = 0, wnshards = 0, wkey = -1;
  const char *wspec = NULL;
  int wa = 0;
  for (const char *w = p; *w && *w != '|' && wa < argc; wa++) { /* one argv per constraint, in order */
    char op = *w++;
    int col = (int)strtol(w, (char **)&w, 10);
    while (*w == ' ') w++;
    if (op == 'W') { wkey = col; wspec = (const char *)sqlite3_value_text(argv[wa]); }
    if (op == 'S' && !db_shard_parse((const char *)sqlite3_value_text(argv[wa]), &wshard, &wnshards)) wnshards = 0;
  }
  if (wkey >= 0 && wspec) window = window_sql(&q, r, c, wkey, wspec, wshard, wnshards);
  if (window < 0) rc = -1;
  if (!window) {
    rc |= vg_buf_append(&q, "SELECT ", 7);
    rc |= select_list(&q, r, c, "");
    rc |= vg_buf_append(&q, " FROM ", 6);
    rc |= pg_quote(&q, r->schema);
    rc |= vg_buf_append(&q, ".", 1);
    rc |= pg_quote(&q, r->name);
  }
  for (int a = 0; a < argc && *p && *p != '|' && rc == 0 && !window; a++) {
    char op = *p++;
    int col = (int)strtol(p, (char **)&p, 10);
    while (*p == ' ') p++;
    if (op == 'W') continue; /* (handled by window_sql, or not at all) */
    if (op == 'S') { /* the shard, as PostgreSQL's hash partitioning computes it (shard.h) */
      int si, sn;
      if (!db_shard_parse((const char *)sqlite3_value_text(argv[a]), &si, &sn)) continue;
      rc |= vg_buf_append(&q, first ? " WHERE " : " AND ", first ? 7 : 5);
      first = 0;
      vg_buf e = {NULL, 0, 0};
      rc |= pg_quote(&e, r->cols[col].name);
      rc |= shard_expr(&q, r->cols[col].cls, e.data ? e.data : "", sn, si);
      vg_buf_free(&e);
      continue;
    }
    const char *cast = "";
    if (!param_of(argv[a], r->cols[col].cls, &vals[np], &cast)) continue;
    rc |= vg_buf_append(&q, first ? " WHERE " : " AND ", first ? 7 : 5);
    first = 0;
    rc |= pg_quote(&q, r->cols[col].name);
    if (r->cols[col].cls == C_TEXT) rc |= vg_buf_append(&q, " COLLATE \"C\"", 12);
    const char *ops = op == '=' ? "=" : op == '>' ? ">" : op == '<' ? "<" : op == 'G' ? ">=" : "<=";
    point |= op == '=';
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
    rc |= pg_quote(&q, r->cols[col].name);
    if (r->cols[col].cls == C_TEXT) rc |= vg_buf_append(&q, " COLLATE \"C\"", 12);
    /* SQLite puts NULLs first in ascending order */
    rc |= dir == 'd' ? vg_buf_append(&q, " DESC NULLS LAST", 16) : vg_buf_append(&q, " NULLS FIRST", 12);
  }
  int res = SQLITE_OK;
  if (rc != 0) {
    res = SQLITE_NOMEM;
  } else {
    for (int k = 0; k < np; k++) params[k] = vals[k].data;
    /* a point query (a lookup, a key's rows): one round trip, no cursor,
    ** unless it has more rows than a small batch */
    if (point && vg_buf_append(&q, " LIMIT 1025", 11) == 0) {
      PGresult *pr = exec_prepared(l, q.data, np, params);
      if (pr && PQresultStatus(pr) == PGRES_TUPLES_OK && PQntuples(pr) < 1025) {
        c->res = pr;
        c->row = 0;
        c->nrows = PQntuples(pr);
        c->batch = c->nrows + 1; /* the last batch (vt_next) */
        c->eof = c->nrows == 0;
        goto done;
      }
      if (!pr || PQresultStatus(pr) != PGRES_TUPLES_OK) {
        pg_msg(l->c, pr, err, sizeof err);
        PQclear(pr);
        res = pr ? vt_error(&t->base, err) : SQLITE_NOMEM;
        goto done;
      }
      PQclear(pr);
      q.len -= 11; /* more: through a cursor */
      q.data[q.len] = 0;
    }
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
done:
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
  if (pg_link_begin(l, err, sizeof err) != 0) return vt_error(vt, err);
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
  rc |= pg_quote(&q, r->schema);
  rc |= vg_buf_append(&q, ".", 1);
  rc |= pg_quote(&q, r->name);
  if (!del) {
    int n = 0;
    rc |= vg_buf_append(&q, ins ? " (" : " SET ", ins ? 2 : 5);
    for (int k = 0; k < r->ncols && rc == 0; k++) {
      sqlite3_value *v = argv[2 + k];
      if (k == r->pk && ins && sqlite3_value_type(v) == SQLITE_NULL && sqlite3_value_type(argv[1]) != SQLITE_NULL) v = argv[1];
      if (k == r->pk && ins && sqlite3_value_type(v) == SQLITE_NULL) continue; /* the key makes itself */
      if (sqlite3_value_nochange(v)) continue;
      if (n++) rc |= vg_buf_append(&q, ", ", 2);
      rc |= pg_quote(&q, r->cols[k].name);
      if (!ins) rc |= vg_buf_printf(&q, " = $%d", np + 1);
      if (write_param(v, &vals[np], &params[np]) != 0) bad = 1;
      np++;
    }
    if (ins) {
      rc |= vg_buf_append(&q, ") VALUES (", 10);
      for (int k = 0; k < np; k++) rc |= vg_buf_printf(&q, k ? ", $%d" : "$%d", k + 1);
      rc |= vg_buf_append(&q, ")", 1);
      if (n == 0) { q.len = 0; rc |= vg_buf_append(&q, "INSERT INTO ", 12) | pg_quote(&q, r->schema) | vg_buf_append(&q, ".", 1) | pg_quote(&q, r->name) | vg_buf_append(&q, " DEFAULT VALUES", 15); }
      if (r->pk >= 0) rc |= vg_buf_append(&q, " RETURNING ", 11) | pg_quote(&q, r->cols[r->pk].name);
    }
  }
  if (!ins) {
    rc |= vg_buf_append(&q, " WHERE ", 7);
    rc |= pg_quote(&q, r->cols[r->pk].name);
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

/* vigil_in_shard(COLUMN, 'I/N') and vigil_window(KEY, 'LIMIT/DAY/TIME')
** become constraints xBestIndex can hand PostgreSQL (SQLite still checks
** them: the same hash; a window is whatever PostgreSQL sent). */
static int vt_find_function(sqlite3_vtab *vt, int nArg, const char *name, void (**fn)(sqlite3_context *, int, sqlite3_value **),
                            void **arg) {
  (void)vt;
  *arg = NULL;
  if (nArg == 2 && strcmp(name, "vigil_in_shard") == 0) {
    *fn = db_sql_in_shard;
    return SQLITE_INDEX_CONSTRAINT_FUNCTION;
  }
  if (nArg == 2 && strcmp(name, "vigil_window") == 0) {
    *fn = pg_sql_window;
    return SQLITE_INDEX_CONSTRAINT_FUNCTION + 1;
  }
  return 0;
}

void pg_sql_window(sqlite3_context *cx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  sqlite3_result_int(cx, 1); /* every row SQLite sees is in the window: PostgreSQL chose them */
}

/* Transactions: a SQLite transaction that wrote commits or rolls back the
** PostgreSQL one (xSync is where a failure can still fail the commit). */
static int vt_begin(sqlite3_vtab *vt) {
  char err[512];
  pg_vtab *t = (pg_vtab *)vt;
  return pg_link_begin(t->l, err, sizeof err) == 0 ? SQLITE_OK : vt_error(vt, err);
}

static int vt_sync(sqlite3_vtab *vt) {
  char err[512];
  pg_vtab *t = (pg_vtab *)vt;
  return pg_link_end(t->l, 1, err, sizeof err) == 0 ? SQLITE_OK : vt_error(vt, err);
}

static int vt_commit(sqlite3_vtab *vt) {
  (void)vt;
  return SQLITE_OK;
}

static int vt_rollback(sqlite3_vtab *vt) {
  char err[512];
  (void)pg_link_end(((pg_vtab *)vt)->l, 0, err, sizeof err);
  return SQLITE_OK;
}

const sqlite3_module pg_module = {
  .iVersion = 1, .xCreate = vt_connect, .xConnect = vt_connect, .xBestIndex = vt_best_index,
  .xDisconnect = vt_disconnect, .xDestroy = vt_disconnect, .xOpen = vt_open, .xClose = vt_close, .xFilter = vt_filter,
  .xNext = vt_next, .xEof = vt_eof, .xColumn = vt_column, .xRowid = vt_rowid, .xUpdate = vt_update,
  .xBegin = vt_begin, .xSync = vt_sync, .xCommit = vt_commit, .xRollback = vt_rollback,
  .xFindFunction = vt_find_function};
