/*
** schema_info.c — a schema's tables and columns as the caller sees them
** (vg_schema_read, include/vigil.h), with a guess of each table's key and
** time column: what `vigil new pack` scaffolds sources from.
**
** A schema file runs in the box of compiler/schema.c (a private in-memory
** database, the pack-SQL authorizer and time bound); a database is opened
** read-only and read in one transaction.
*/
#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "../compiler/ast.h"
#include "../core/conn.h"
#include "../core/limits.h"
#include "vigil.h"

struct vg_schema {
  vg_arena arena;
  vg_schema_table *tables;
  int ntables, cap;
  vg_buf sql; /* the CREATE statements */
};

static int is_date_decl(const char *decl) { return decl && *decl && schema_decl_type(decl) == VT_DATE; }

/* An untyped column (a view's computed one) whose name reads as a date. */
static int date_name(const char *n) {
  size_t len = strlen(n);
  static const char *const suf[] = {"_date", "_day", "_on", "_at", "_time"};
  if (strcasecmp(n, "date") == 0 || strcasecmp(n, "day") == 0) return 1;
  for (size_t i = 0; i < sizeof suf / sizeof *suf; i++) {
    size_t k = strlen(suf[i]);
    if (len > k && strcasecmp(n + len - k, suf[i]) == 0) return 1;
  }
  return 0;
}

static int is_id_name(const char *n) {
  size_t len = strlen(n);
  return strcasecmp(n, "id") == 0 || (len > 3 && strcasecmp(n + len - 3, "_id") == 0);
}

/* The time a column can be: declared as a date (2), untyped with a date's
** name (1), or not (0). */
static int time_rank(const vg_schema_column *c) {
  if (is_date_decl(c->decl_type)) return 2;
  if (!*c->decl_type && date_name(c->name)) return 1;
  return 0;
}

static int col_index(const vg_schema_table *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (strcasecmp(t->cols[i].name, name) == 0) return i;
  return -1;
}

/* Guess t's key and time: an index on (KEY, TIME, ...) says both; else the
** first NOT NULL date column (else the first date column) and the primary
** key, else the first NOT NULL *_id column, else the first *_id column. */
static int guess(vg_schema *s, sqlite3 *db, vg_schema_table *t) {
  char why[512];
  t->key = t->time = -1;
  if (!t->is_view) {
    sqlite3_stmt *il = NULL, *ii = NULL;
    if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_index_list(?1) ORDER BY seq DESC", -1, &il, NULL) != SQLITE_OK)
      return -1;
    sqlite3_bind_text(il, 1, t->name, -1, SQLITE_STATIC);
    while (t->time < 0 && sqlite3_step(il) == SQLITE_ROW) {
      const char *iname = (const char *)sqlite3_column_text(il, 0);
      if (!iname || sqlite3_prepare_v2(db, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno", -1, &ii, NULL) != SQLITE_OK)
        break;
      sqlite3_bind_text(ii, 1, iname, -1, SQLITE_STATIC);
      int k = -1, tm = -1;
      if (sqlite3_step(ii) == SQLITE_ROW && sqlite3_column_text(ii, 0))
        k = col_index(t, (const char *)sqlite3_column_text(ii, 0));
      if (k >= 0 && sqlite3_step(ii) == SQLITE_ROW && sqlite3_column_text(ii, 0))
        tm = col_index(t, (const char *)sqlite3_column_text(ii, 0));
      if (k >= 0 && tm >= 0 && tm != k && time_rank(&t->cols[tm])) {
        t->key = k, t->time = tm;
        snprintf(why, sizeof why, "key and time from the index %s on (%s, %s)", iname, t->cols[k].name, t->cols[tm].name);
      }
      sqlite3_finalize(ii);
      ii = NULL;
    }
    sqlite3_finalize(il);
    if (t->time >= 0) goto found;
  }
  const char *time_why = NULL;
  for (int pass = 0; pass < 3 && t->time < 0; pass++)
    for (int i = 0; i < t->ncols && t->time < 0; i++) {
      const vg_schema_column *c = &t->cols[i];
      int r = time_rank(c);
      if ((pass == 0 && r == 2 && c->notnull) || (pass == 1 && r == 2) || (pass == 2 && r == 1)) {
        t->time = i;
        time_why = pass == 0 ? "its first NOT NULL date column" : pass == 1 ? "its first date column"
                                                                            : "the first untyped column named like a date";
      }
    }
  if (t->time < 0) {
    t->guess = "no date column (DATE, DATETIME or TIMESTAMP) for its time";
    return 0;
  }
  const char *key_why = NULL;
  int npk = 0;
  for (int i = 0; i < t->ncols; i++) npk += t->cols[i].pk > 0;
  for (int i = 0; i < t->ncols && npk == 1; i++)
    if (t->cols[i].pk && i != t->time) t->key = i, key_why = "its primary key";
  for (int pass = 0; pass < 3 && t->key < 0; pass++)
    for (int i = 0; i < t->ncols && t->key < 0; i++) {
      const vg_schema_column *c = &t->cols[i];
      if (i == t->time) continue;
      if ((pass == 0 && is_id_name(c->name) && c->notnull) || (pass == 1 && is_id_name(c->name)) || pass == 2) {
        t->key = i;
        key_why = pass == 0 ? "its first NOT NULL column named *_id" : pass == 1 ? "its first column named *_id"
                                                                                 : "its first column that is not the time";
      }
    }
  if (t->key < 0) {
    t->time = -1;
    t->guess = "no column for a key besides its date";
    return 0;
  }
  snprintf(why, sizeof why, "key: %s; time: %s", key_why, time_why);
found:
  t->guess = vg_arena_strdup(&s->arena, why);
  return t->guess ? 0 : -1;
}

static int put_quoted(vg_buf *b, const char *name) {
  if (vg_buf_append(b, "\"", 1) != 0) return -1;
  for (const char *p = name; *p; p++)
    if (vg_buf_append(b, p, 1) != 0 || (*p == '"' && vg_buf_append(b, p, 1) != 0)) return -1;
  return vg_buf_append(b, "\"", 1);
}

static int put_plain_table(vg_buf *b, const vg_schema_table *t) {
  if (vg_buf_printf(b, "CREATE TABLE ") != 0 || put_quoted(b, t->name) != 0 || vg_buf_printf(b, " (") != 0) return -1;
  for (int i = 0; i < t->ncols; i++) {
    const vg_schema_column *c = &t->cols[i];
    int bad = 0;
    for (const char *p = c->decl_type; *p; p++) bad |= !(isalnum((unsigned char)*p) || *p == ' ' || *p == '_');
    if ((i && vg_buf_printf(b, ", ") != 0) || put_quoted(b, c->name) != 0 ||
        (*c->decl_type && !bad && vg_buf_printf(b, " %s", c->decl_type) != 0) ||
        (c->notnull && vg_buf_printf(b, " NOT NULL") != 0))
      return -1;
  }
  return vg_buf_printf(b, ");\n");
}

static int read_table(vg_schema *s, sqlite3 *db, const char *name, int is_view, const char *sql) {
  if (s->ntables == s->cap) {
    int ncap = s->cap ? s->cap * 2 : 16;
    vg_schema_table *nt = vg_arena_alloc(&s->arena, (size_t)ncap * sizeof *nt);
    if (!nt) return -1;
    if (s->ntables) memcpy(nt, s->tables, (size_t)s->ntables * sizeof *nt);
    s->tables = nt, s->cap = ncap;
  }
  vg_schema_table *t = &s->tables[s->ntables];
  memset(t, 0, sizeof *t);
  t->name = vg_arena_strdup(&s->arena, name);
  t->is_view = is_view;
  if (!t->name) return -1;
  int virtual = sql && strncasecmp(sql, "CREATE VIRTUAL", 14) == 0;
  if (sql && !virtual && vg_buf_printf(&s->sql, "%s;\n", sql) != 0) return -1;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
          "SELECT name, coalesce(type, ''), \"notnull\", dflt_value IS NOT NULL, pk FROM pragma_table_info(?1) ORDER BY cid",
          -1, &st, NULL) != SQLITE_OK)
    return -2;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  int cap = 0, rc;
  vg_schema_column *cols = NULL;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (t->ncols == cap) {
      int ncap = cap ? cap * 2 : 16;
      vg_schema_column *nc = vg_arena_alloc(&s->arena, (size_t)ncap * sizeof *nc);
      if (!nc) { sqlite3_finalize(st); return -1; }
      if (t->ncols) memcpy(nc, cols, (size_t)t->ncols * sizeof *nc);
      cols = nc, cap = ncap;
    }
    vg_schema_column *c = &cols[t->ncols++];
    const char *cn = (const char *)sqlite3_column_text(st, 0), *ct = (const char *)sqlite3_column_text(st, 1);
    c->name = vg_arena_strdup(&s->arena, cn ? cn : "");
    c->decl_type = vg_arena_strdup(&s->arena, ct ? ct : "");
    c->notnull = sqlite3_column_int(st, 2);
    c->has_default = sqlite3_column_int(st, 3);
    c->pk = sqlite3_column_int(st, 4);
    if (!c->name || !c->decl_type) { sqlite3_finalize(st); return -1; }
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return -2;
  t->cols = cols;
  s->ntables++;
  /* a virtual table (PostgreSQL's, through core/pg_vtab.c) is written as the
  ** plain table a schema.sql can hold: its columns and declared types */
  if (virtual && put_plain_table(&s->sql, t) != 0) return -1;
  return guess(s, db, t) != 0 ? -2 : 0;
}

/* Every table and view of db but SQLite's and Vigil's own, in the order
** they were made; with_sql: also their CREATE statements and indexes. */
static vg_status read_all(vg_schema *s, sqlite3 *db, int with_sql, char *err, size_t errcap) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db,
      "SELECT name, type = 'view', sql FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
      " AND name NOT LIKE 'vigil\\_%' ESCAPE '\\' ORDER BY rowid",
      -1, &st, NULL);
  if (rc != SQLITE_OK) goto fail;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *sql = with_sql ? (const char *)sqlite3_column_text(st, 2) : NULL;
    int r = read_table(s, db, name ? name : "", sqlite3_column_int(st, 1), sql);
    if (r == -1) { sqlite3_finalize(st); return VG_ENOMEM; }
    if (r == -2) goto fail;
  }
  sqlite3_finalize(st);
  st = NULL;
  if (rc != SQLITE_DONE) goto fail;
  if (with_sql) {
    rc = sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL"
                                " AND tbl_name NOT LIKE 'vigil\\_%' ESCAPE '\\' ORDER BY rowid", -1, &st, NULL);
    if (rc != SQLITE_OK) goto fail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      if (vg_buf_printf(&s->sql, "%s;\n", (const char *)sqlite3_column_text(st, 0)) != 0) {
        sqlite3_finalize(st);
        return VG_ENOMEM;
      }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) goto fail;
  }
  return VG_OK;
fail:
  sqlite3_finalize(st);
  if (err) snprintf(err, errcap, "cannot read the schema: %s", vg_db_errmsg(db));
  return VG_EDB;
}

vg_status vg_schema_read(const char *schema_path, const char *db_path, int follow_symlinks, vg_schema **out, char *err,
                         size_t errcap) {
  if (err && errcap) err[0] = 0;
  if (!out || (!schema_path) == (!db_path)) return VG_EUSAGE;
  *out = NULL;
  vg_schema *s = vg_realloc(NULL, sizeof *s);
  if (!s) return VG_ENOMEM;
  memset(s, 0, sizeof *s);
  sqlite3 *db = NULL;
  vg_status st = VG_OK;
  if (schema_path) {
    char why[256];
    size_t len = 0;
    char *text = compile_read_file(schema_path, &len, VG_MAX_FILE_SIZE,
                                   COMPILE_READ_TEXT | (follow_symlinks ? COMPILE_READ_FOLLOW : 0), why, sizeof why);
    if (!text) {
      st = errno == ENOMEM ? VG_ENOMEM : VG_EINPUT;
      if (err) snprintf(err, errcap, "%s: %s", schema_path, why);
      goto done;
    }
    schema_box box;
    int orc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (orc != SQLITE_OK || schema_box_open(&box, db, 0, 1) != 0) {
      vg_free(text);
      st = orc == SQLITE_NOMEM ? VG_ENOMEM : VG_EDB;
      if (err) snprintf(err, errcap, "%s: cannot make the schema's database", schema_path);
      goto done;
    }
    char why2[512];
    if (schema_box_exec(&box, text, why2, sizeof why2) != 0) {
      st = VG_EINPUT;
      if (err) snprintf(err, errcap, "%s: %s", schema_path, why2);
    } else {
      st = read_all(s, db, 0, err, errcap);
      if (st == VG_OK && vg_buf_append(&s->sql, text, len) != 0) st = VG_ENOMEM;
    }
    schema_box_close(&box);
    vg_free(text);
  } else {
    char why[256];
    st = vg_db_open(db_path, SQLITE_OPEN_READONLY, &db, why, sizeof why);
    if (st != VG_OK) {
      if (err) snprintf(err, errcap, "%s: cannot open the database: %s", db_path, why);
      goto done;
    }
    if (db_begin(db, 0) != SQLITE_OK) {
      st = VG_EDB;
      if (err) snprintf(err, errcap, "%s: %s", db_path, vg_db_errmsg(db));
      goto done;
    }
    st = read_all(s, db, 1, err, errcap);
    if (st == VG_EDB && err) {
      char tmp[512];
      snprintf(tmp, sizeof tmp, "%s", err);
      snprintf(err, errcap, "%s: %s", db_path, tmp);
    }
  }
  if (st == VG_OK && vg_buf_append(&s->sql, "", 1) != 0) st = VG_ENOMEM;
done:
  if (db) sqlite3_close(db);
  if (st != VG_OK) {
    vg_schema_free(s);
    return st;
  }
  *out = s;
  return VG_OK;
}

int vg_schema_table_count(const vg_schema *s) { return s ? s->ntables : 0; }

const vg_schema_table *vg_schema_table_at(const vg_schema *s, int i) {
  return s && i >= 0 && i < s->ntables ? &s->tables[i] : NULL;
}

const char *vg_schema_sql(const vg_schema *s) { return s && s->sql.data ? s->sql.data : ""; }

void vg_schema_free(vg_schema *s) {
  if (!s) return;
  vg_arena_free(&s->arena);
  vg_buf_free(&s->sql);
  vg_free(s);
}
