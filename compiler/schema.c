/*
** schema.c — the tables and columns rules are checked against, read from a
** database file or from CREATE statements, and the mapping from SQLite's
** declared column types to the rule language's types.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ast.h"
#include "../runtime/db.h"

/* SQLite's affinity rules (https://sqlite.org/datatype3.html, 3.1), with
** DATE, DATETIME and TIMESTAMP read as dates as the brief says. */
uint8_t schema_decl_type(const char *decl) {
  if (!decl || !*decl) return T_ANY;
  char up[64];
  size_t n = strlen(decl);
  if (n >= sizeof up) n = sizeof up - 1;
  for (size_t i = 0; i < n; i++) up[i] = (char)((decl[i] >= 'a' && decl[i] <= 'z') ? decl[i] - 32 : decl[i]);
  up[n] = 0;
  if (strncmp(up, "DATETIME", 8) == 0 || strncmp(up, "DATE", 4) == 0 || strncmp(up, "TIMESTAMP", 9) == 0)
    return VT_DATE;
  if (strstr(up, "INT")) return VT_NUM;
  if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT")) return VT_STR;
  if (strstr(up, "BLOB")) return T_ANY;
  if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB")) return VT_NUM;
  return VT_NUM; /* NUMERIC affinity: NUMERIC, DECIMAL, BOOLEAN, ... */
}

/* Read every table of db into c.  Returns 0, or -1 with an error reported. */
static int load_tables(cc *c, sqlite3 *db, const char *what) {
  sqlite3_stmt *tabs = NULL, *cols = NULL;
  int rc = sqlite3_prepare_v2(db,
      "SELECT name FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
      -1, &tabs, NULL);
  if (rc != SQLITE_OK) goto fail;
  int cap = 0;
  while ((rc = sqlite3_step(tabs)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(tabs, 0);
    if (c->ntables == cap) {
      int ncap = cap ? cap * 2 : 16;
      cc_table *t = vg_arena_alloc(&c->arena, (size_t)ncap * sizeof *t);
      if (!t) { c->oom = 1; goto done; }
      if (c->ntables) memcpy(t, c->tables, (size_t)c->ntables * sizeof *t);
      c->tables = t;
      cap = ncap;
    }
    cc_table *t = &c->tables[c->ntables];
    memset(t, 0, sizeof *t);
    t->name = vg_arena_strdup(&c->arena, name ? name : "");
    if (sqlite3_prepare_v2(db, "SELECT name, type FROM pragma_table_info(?1) ORDER BY cid", -1, &cols, NULL) != SQLITE_OK)
      goto fail;
    sqlite3_bind_text(cols, 1, name, -1, SQLITE_TRANSIENT);
    int ccap = 0;
    while ((rc = sqlite3_step(cols)) == SQLITE_ROW) {
      if (t->ncols == ccap) {
        int ncap = ccap ? ccap * 2 : 16;
        cc_column *cl = vg_arena_alloc(&c->arena, (size_t)ncap * sizeof *cl);
        if (!cl) { c->oom = 1; goto done; }
        if (t->ncols) memcpy(cl, t->cols, (size_t)t->ncols * sizeof *cl);
        t->cols = cl;
        ccap = ncap;
      }
      const char *cn = (const char *)sqlite3_column_text(cols, 0);
      const char *ct = (const char *)sqlite3_column_text(cols, 1);
      t->cols[t->ncols].name = vg_arena_strdup(&c->arena, cn ? cn : "");
      t->cols[t->ncols].type = schema_decl_type(ct);
      t->ncols++;
    }
    sqlite3_finalize(cols);
    cols = NULL;
    if (rc != SQLITE_DONE) goto fail;
    c->ntables++;
  }
  if (rc != SQLITE_DONE) goto fail;
  c->has_schema = 1;
done:
  sqlite3_finalize(tabs);
  sqlite3_finalize(cols);
  return c->oom ? -1 : 0;
fail:
  cc_error_plain(c, "%s: cannot read the schema: %s", what, vg_db_errmsg(db));
  sqlite3_finalize(tabs);
  sqlite3_finalize(cols);
  return -1;
}

int schema_load_db(cc *c, const char *path) {
  sqlite3 *db = NULL;
  char err[256];
  vg_status st = vg_db_open(path, SQLITE_OPEN_READONLY, &db, err, sizeof err);
  if (st != VG_OK) {
    if (st == VG_ENOMEM) c->oom = 1;
    else cc_error_plain(c, "%s: cannot open the database: %s", path, err);
    return -1;
  }
  /* one read transaction: one snapshot of the schema, and a lock another
  ** process holds is waited for here */
  if (exec_db_begin(db, 0) != SQLITE_OK) {
    cc_error_plain(c, "%s: %s", path, vg_db_errmsg(db));
    sqlite3_close(db);
    return -1;
  }
  int rc = load_tables(c, db, path);
  sqlite3_close(db); /* ends the read transaction */
  return rc;
}

/* The schema text runs on a private in-memory database, but it is text from
** a pack someone else may have written: it must not reach other files
** (ATTACH, VACUUM INTO) or run forever. */
static int deny_outside(void *ud, int action, const char *a, const char *b, const char *db, const char *trigger) {
  (void)ud; (void)a; (void)b; (void)db; (void)trigger;
  switch (action) {
  case SQLITE_ATTACH: case SQLITE_DETACH: case SQLITE_PRAGMA: return SQLITE_DENY;
  default: return SQLITE_OK;
  }
}

static int too_long(void *ud) {
  long *steps = ud;
  return ++*steps > 100000; /* callbacks every 1000 instructions: 100 million instructions */
}

int schema_exec_ddl(sqlite3 *db, const char *sql, char *err, size_t errcap) {
  long steps = 0;
  /* no attached database: this also stops VACUUM INTO, which attaches its target */
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_set_authorizer(db, deny_outside, NULL);
  sqlite3_progress_handler(db, 1000, too_long, &steps);
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  sqlite3_progress_handler(db, 0, NULL, NULL);
  sqlite3_set_authorizer(db, NULL, NULL);
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_INTERRUPT) snprintf(err, errcap, "it takes too long to run (a schema only declares tables)");
    else if (rc == SQLITE_AUTH) snprintf(err, errcap, "%s (ATTACH, DETACH and PRAGMA are not allowed in a schema)", msg ? msg : "not authorized");
    else if (msg && strstr(msg, "too many attached")) snprintf(err, errcap, "a schema cannot attach or write other databases (%s)", msg);
    else snprintf(err, errcap, "%s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

int schema_load_sql(cc *c, const char *what, const char *sql) {
  sqlite3 *db = NULL;
  if (vg_db_open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, NULL, 0) != VG_OK) {
    c->oom = 1;
    return -1;
  }
  char err[512];
  if (schema_exec_ddl(db, sql, err, sizeof err) != 0) {
    cc_error_plain(c, "%s: the schema does not load: %s", what, err);
    sqlite3_close(db);
    return -1;
  }
  int rc = load_tables(c, db, what);
  sqlite3_close(db);
  return rc;
}

const cc_table *schema_table(const cc *c, const char *name) {
  for (int i = 0; i < c->ntables; i++)
    if (strcmp(c->tables[i].name, name) == 0) return &c->tables[i];
  for (int i = 0; i < c->ntables; i++)
    if (strcasecmp(c->tables[i].name, name) == 0) return &c->tables[i];
  return NULL;
}

int schema_column(const cc_table *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(t->cols[i].name, name) == 0) return i;
  for (int i = 0; i < t->ncols; i++)
    if (strcasecmp(t->cols[i].name, name) == 0) return i;
  return -1;
}
