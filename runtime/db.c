/*
** db.c — the databases a run reads and records into (db.h): quoted names,
** the recording tables, checked before anything is written, the probe that
** the database can be written, and the real rowid of a table.  Connections
** are opened and transactions begun by core/conn.c.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "db.h"
#include "../core/pg.h"
#include "../core/diagcodes.h"
#include "../core/limits.h"

int exec_quote_ident(vg_buf *b, const char *name) {
  if (vg_buf_append(b, "\"", 1) != 0) return -1;
  for (const char *s = name; *s; s++) {
    if (*s == '"' && vg_buf_append(b, "\"", 1) != 0) return -1;
    if (vg_buf_append(b, s, 1) != 0) return -1;
  }
  return vg_buf_append(b, "\"", 1);
}

/* The first column of the first row of sql as an integer; -1 on failure. */
static long long db_int(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  long long v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

int exec_db_probe_write(sqlite3 *db, char *why, size_t cap) {
  /* Rewriting user_version with its own value writes page 1, so the
  ** journal is created and page 1 copied into it, as the run's first write
  ** would; the savepoint rolls it back.  (It used to create a table
  ** main.vigil_probe, which a user table of that name made fail.) */
  long long v = db_int(db, "PRAGMA main.user_version");
  char sql[160];
  snprintf(sql, sizeof sql, "SAVEPOINT vigil_probe; PRAGMA main.user_version = %lld; ROLLBACK TO vigil_probe; RELEASE vigil_probe;", v);
  if (v < 0 || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
    snprintf(why, cap, "%s", vg_db_errmsg(db));
    return -1;
  }
  /* recording adds pages: with none free and the file at its page limit
  ** (PRAGMA max_page_count), the first one would fail */
  long long pages = db_int(db, "PRAGMA main.page_count"), max = db_int(db, "PRAGMA main.max_page_count");
  if (pages >= 0 && max > 0 && pages >= max && db_int(db, "PRAGMA main.freelist_count") == 0) {
    snprintf(why, cap, "%s", sqlite3_errstr(SQLITE_FULL));
    return -1;
  }
  return 0;
}

/* ---- the recording tables ------------------------------------------------------- */

/* What Vigil writes into a column. */
enum { COL_TEXT, COL_INT, COL_ROWID };

typedef struct rec_col {
  const char *name;
  uint8_t kind;   /* COL_* */
  uint8_t group;  /* 0: always there; 1, 2: added together by a later version */
} rec_col;

typedef struct rec_table {
  const char *name;
  const char *cols;   /* the column definitions Vigil creates it with */
  const char *index;  /* the index it creates with it */
  rec_col want[16];   /* the columns Vigil writes ({NULL} ends) */
  int rowid;          /* Vigil reads its rowid */
} rec_table;

static const rec_table rec_tables[EXEC_REC__COUNT] = {
  {"vigil_runs",
   "run_id INTEGER PRIMARY KEY AUTOINCREMENT, pack TEXT NOT NULL, as_of TEXT NOT NULL, started_at TEXT NOT NULL,"
   " finished_at TEXT NOT NULL, status TEXT NOT NULL, rows_read INTEGER NOT NULL, alerts INTEGER NOT NULL",
   "CREATE UNIQUE INDEX IF NOT EXISTS vigil_runs_pack_as_of ON vigil_runs(pack, as_of)",
   {{"run_id", COL_ROWID, 0}, {"pack", COL_TEXT, 0}, {"as_of", COL_TEXT, 0}, {"started_at", COL_TEXT, 0},
    {"finished_at", COL_TEXT, 0}, {"status", COL_TEXT, 0}, {"rows_read", COL_INT, 0}, {"alerts", COL_INT, 0}, {NULL, 0, 0}},
   1},
  {"vigil_alerts",
   "run_id INTEGER NOT NULL REFERENCES vigil_runs(run_id), pack TEXT NOT NULL, rule TEXT NOT NULL, tier TEXT NOT NULL,"
   " key TEXT NOT NULL, as_of TEXT NOT NULL, message TEXT, recipient TEXT, status TEXT NOT NULL DEFAULT 'new',"
   " first_seen TEXT, runs INTEGER NOT NULL DEFAULT 1, tier_rank INTEGER, evidence TEXT, route TEXT",
   "CREATE INDEX IF NOT EXISTS vigil_alerts_run ON vigil_alerts(run_id)",
   {{"run_id", COL_INT, 0}, {"pack", COL_TEXT, 0}, {"rule", COL_TEXT, 0}, {"tier", COL_TEXT, 0}, {"key", COL_TEXT, 0},
    {"as_of", COL_TEXT, 0}, {"message", COL_TEXT, 0}, {"recipient", COL_TEXT, 0}, {"status", COL_TEXT, 1},
    {"first_seen", COL_TEXT, 1}, {"runs", COL_INT, 1}, {"tier_rank", COL_INT, 2}, {"evidence", COL_TEXT, 2},
    {"route", COL_TEXT, 2}, {NULL, 0, 0}},
   1},
  {"vigil_backtest",
   "pack TEXT NOT NULL, rule TEXT NOT NULL, tier TEXT NOT NULL, key TEXT NOT NULL, as_of TEXT NOT NULL, message TEXT,"
   " recipient TEXT",
   "CREATE INDEX IF NOT EXISTS vigil_backtest_pack ON vigil_backtest(pack, as_of)",
   {{"pack", COL_TEXT, 0}, {"rule", COL_TEXT, 0}, {"tier", COL_TEXT, 0}, {"key", COL_TEXT, 0}, {"as_of", COL_TEXT, 0},
    {"message", COL_TEXT, 0}, {"recipient", COL_TEXT, 0}, {NULL, 0, 0}},
   0},
  {"vigil_outbox",
   "id INTEGER PRIMARY KEY, run_id INTEGER, recipient TEXT, subject TEXT NOT NULL, body TEXT NOT NULL, format TEXT NOT NULL,"
   " created TEXT NOT NULL",
   "CREATE INDEX IF NOT EXISTS vigil_outbox_run ON vigil_outbox(run_id, format)",
   {{"run_id", COL_INT, 0}, {"recipient", COL_TEXT, 0}, {"subject", COL_TEXT, 0}, {"body", COL_TEXT, 0},
    {"format", COL_TEXT, 0}, {"created", COL_TEXT, 0}, {NULL, 0, 0}},
   0},
  {"vigil_parts",
   "part_id INTEGER PRIMARY KEY AUTOINCREMENT, pack TEXT NOT NULL, as_of TEXT NOT NULL, shard INTEGER NOT NULL,"
   " nshards INTEGER NOT NULL, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, status TEXT NOT NULL,"
   " rows_read INTEGER NOT NULL, alerts INTEGER NOT NULL",
   "CREATE UNIQUE INDEX IF NOT EXISTS vigil_parts_shard ON vigil_parts(pack, as_of, nshards, shard)",
   {{"part_id", COL_ROWID, 0}, {"pack", COL_TEXT, 0}, {"as_of", COL_TEXT, 0}, {"shard", COL_INT, 0},
    {"nshards", COL_INT, 0}, {"started_at", COL_TEXT, 0}, {"finished_at", COL_TEXT, 0}, {"status", COL_TEXT, 0},
    {"rows_read", COL_INT, 0}, {"alerts", COL_INT, 0}, {NULL, 0, 0}},
   1},
  {"vigil_part_alerts",
   "part_id INTEGER NOT NULL, ord TEXT NOT NULL, pack TEXT NOT NULL, rule TEXT NOT NULL, tier TEXT NOT NULL,"
   " key TEXT NOT NULL, as_of TEXT NOT NULL, message TEXT, recipient TEXT, status TEXT NOT NULL, first_seen TEXT,"
   " runs INTEGER NOT NULL, tier_rank INTEGER, evidence TEXT, route TEXT",
   "CREATE INDEX IF NOT EXISTS vigil_part_alerts_part ON vigil_part_alerts(part_id)",
   {{"part_id", COL_INT, 0}, {"ord", COL_TEXT, 0}, {"pack", COL_TEXT, 0}, {"rule", COL_TEXT, 0}, {"tier", COL_TEXT, 0},
    {"key", COL_TEXT, 0}, {"as_of", COL_TEXT, 0}, {"message", COL_TEXT, 0}, {"recipient", COL_TEXT, 0},
    {"status", COL_TEXT, 0}, {"first_seen", COL_TEXT, 0}, {"runs", COL_INT, 0}, {"tier_rank", COL_INT, 0},
    {"evidence", COL_TEXT, 0}, {"route", COL_TEXT, 0}, {NULL, 0, 0}},
   0},
};

/* Append text to b with each from[i] replaced by to[i] (the first that matches). */
static int replace_words(vg_buf *b, const char *text, const char *const *from, const char *const *to, int n) {
  int rc = 0;
  while (*text && rc == 0) {
    int k = 0;
    while (k < n && strncmp(text, from[k], strlen(from[k])) != 0) k++;
    if (k < n) {
      rc = vg_buf_append(b, to[k], strlen(to[k]));
      text += strlen(from[k]);
    } else {
      rc = vg_buf_append(b, text++, 1);
    }
  }
  return rc;
}

/* The same table in PostgreSQL: 64-bit integers; the rowid an identity
** primary key (vigil_rowid, hidden from SQLite's view of the table, where
** SQLite's table has no INTEGER PRIMARY KEY).  Made in the run's
** transaction (pg.h). */
static int create_pg(sqlite3 *db, const rec_table *rt) {
  static const char *const from[] = {"INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER PRIMARY KEY", "INTEGER"};
  static const char *const to[] = {"BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                                   "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT"};
  vg_buf q = {NULL, 0, 0};
  /* the first runs on a new database (two shards at once): one creates the
  ** tables, the other waits for it and finds them (a lock for the
  ** transaction, on a number of Vigil's own) */
  int rc = vg_buf_printf(&q, "SELECT pg_advisory_xact_lock(7362836); CREATE TABLE IF NOT EXISTS %s(", rt->name);
  if (!strstr(rt->cols, "INTEGER PRIMARY KEY")) rc |= vg_buf_printf(&q, "vigil_rowid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, ");
  rc |= replace_words(&q, rt->cols, from, to, 3);
  rc |= vg_buf_printf(&q, "); %s", rt->index);
  if (rc != 0) { vg_buf_free(&q); return SQLITE_NOMEM; }
  char err[512];
  rc = pg_exec_ddl(db, q.data, &rt->name, 1, err, sizeof err);
  vg_buf_free(&q);
  return rc;
}

int exec_db_create(sqlite3 *db, exec_rec_table t) {
  const rec_table *rt = &rec_tables[t];
  if (pg_is(db)) return create_pg(db, rt);
  char q[1024]; /* the texts above are constants well under this */
  snprintf(q, sizeof q, "CREATE TABLE IF NOT EXISTS %s(%s); %s;", rt->name, rt->cols, rt->index);
  return sqlite3_exec(db, q, NULL, NULL, NULL);
}

/* SQLite's affinity of a declared type (https://sqlite.org/datatype3.html 3.1). */
enum { AFF_BLOB, AFF_TEXT, AFF_NUM };
static int affinity(const char *decl) {
  char up[64];
  size_t n = decl ? strlen(decl) : 0;
  if (n >= sizeof up) n = sizeof up - 1;
  for (size_t i = 0; i < n; i++) up[i] = (char)(decl[i] >= 'a' && decl[i] <= 'z' ? decl[i] - 32 : decl[i]);
  up[n] = 0;
  if (strstr(up, "INT")) return AFF_NUM;
  if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT")) return AFF_TEXT;
  if (n == 0 || strstr(up, "BLOB")) return AFF_BLOB;
  return AFF_NUM; /* REAL, NUMERIC */
}

/* One column of pragma table_xinfo. */
typedef struct have_col {
  char *name, *type;
  int notnull, has_default, pk, hidden;
} have_col;

static void have_free(have_col *v, int n) {
  for (int i = 0; i < n; i++) {
    vg_free(v[i].name);
    vg_free(v[i].type);
  }
  vg_free(v);
}

static char *dup_text(const unsigned char *s) {
  size_t n = s ? strlen((const char *)s) : 0;
  char *d = vg_realloc(NULL, n + 1);
  if (d) {
    if (n) memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

/* The columns of table name (in main, or as a query finds it) into *out.
** Returns the count, or -1 (SQLite's error in db) or -3 (memory). */
static int read_cols(sqlite3 *db, const char *name, int in_main, have_col **out) {
  sqlite3_stmt *st = NULL;
  *out = NULL;
  if (sqlite3_prepare_v2(db, in_main ? "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk, hidden FROM pragma_table_xinfo(?1, 'main')"
                                     : "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, pk, hidden FROM pragma_table_xinfo(?1)",
                         -1, &st, NULL) != SQLITE_OK)
    return -1;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  have_col *v = NULL;
  int n = 0, cap = 0, rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      have_col *nv = vg_realloc(v, (size_t)cap * sizeof *nv);
      if (!nv) { have_free(v, n); sqlite3_finalize(st); return -3; }
      v = nv;
    }
    have_col *c = &v[n];
    c->name = dup_text(sqlite3_column_text(st, 0));
    c->type = dup_text(sqlite3_column_text(st, 1));
    if (!c->name || !c->type) { vg_free(c->name); vg_free(c->type); have_free(v, n); sqlite3_finalize(st); return -3; }
    c->notnull = sqlite3_column_int(st, 2);
    c->has_default = sqlite3_column_int(st, 3);
    c->pk = sqlite3_column_int(st, 4);
    c->hidden = sqlite3_column_int(st, 5);
    n++;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) { have_free(v, n); return -1; }
  *out = v;
  return n;
}

static const have_col *find_col(const have_col *v, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (strcasecmp(v[i].name, name) == 0) return &v[i];
  return NULL;
}

/* 1 when sql (one ?1 = the table) gives a row, 0 when not, -1 on error. */
static int db_has_row(sqlite3 *db, const char *sql, const char *table) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
  sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Why table rt (its columns v[0..n)) does not take what Vigil writes, into
** why; 0 when it does, -1 on a read error, -3 when out of memory. */
static int misfit(sqlite3 *db, const rec_table *rt, const have_col *v, int n, vg_buf *why) {
  int rc = 0;
  int npk = 0;
  for (int i = 0; i < n; i++) npk += v[i].pk > 0;
  for (const rec_col *w = rt->want; w->name && rc == 0 && !why->len; w++) {
    const have_col *c = find_col(v, n, w->name);
    if (!c) {
      if (w->group) continue; /* a later version's column: checked below */
      rc = vg_buf_printf(why, "it has no column %s", w->name);
      break;
    }
    int aff = affinity(c->type);
    if (c->hidden) {
      rc = vg_buf_printf(why, "column %s is generated or hidden, and a run writes it", c->name);
    } else if (w->kind == COL_ROWID) {
      /* the rowid alias: the only PRIMARY KEY column, declared INTEGER, and
      ** no index for the key (INTEGER PRIMARY KEY DESC makes one: not an alias) */
      int pk_index = db_has_row(db, "SELECT 1 FROM pragma_index_list(?1, 'main') WHERE origin = 'pk'", rt->name);
      if (pk_index < 0) return -1;
      if (c->pk != 1 || npk != 1 || strcasecmp(c->type, "INTEGER") != 0 || pk_index)
        rc = vg_buf_printf(why, "column %s is not the table's rowid (it must be declared %s INTEGER PRIMARY KEY), so runs"
                                " could not be told apart", c->name, c->name);
    } else if (c->pk > 0) {
      rc = vg_buf_printf(why, "column %s is part of the PRIMARY KEY, and a run writes many rows with the same %s",
                         c->name, c->name);
    } else if (w->kind == COL_TEXT && aff == AFF_NUM) {
      rc = vg_buf_printf(why, "column %s is %s, and a run writes text into it (TEXT, or no type)", c->name, c->type);
    } else if (w->kind == COL_INT && aff == AFF_TEXT) {
      rc = vg_buf_printf(why, "column %s is %s, and a run writes a number into it (INTEGER, or no type)", c->name, c->type);
    }
  }
  if (rc != 0 || why->len) return rc ? -3 : 0;
  /* a later version's columns come as a group: all there, or all added */
  for (int g = 1; g <= 2 && rc == 0 && !why->len; g++) {
    const char *there = NULL, *missing = NULL;
    for (const rec_col *w = rt->want; w->name; w++) {
      if (w->group != g) continue;
      if (find_col(v, n, w->name)) { if (!there) there = w->name; }
      else if (!missing) missing = w->name;
    }
    if (there && missing) rc = vg_buf_printf(why, "it has column %s but not %s (a run adds them together)", there, missing);
  }
  if (rc != 0 || why->len) return rc ? -3 : 0;
  /* columns Vigil does not write must fill themselves */
  for (int i = 0; i < n && rc == 0 && !why->len; i++) {
    const rec_col *w = rt->want;
    while (w->name && strcasecmp(w->name, v[i].name) != 0) w++;
    if (w->name || v[i].hidden) continue;
    int alias = v[i].pk == 1 && npk == 1 && strcasecmp(v[i].type, "INTEGER") == 0;
    if (v[i].notnull && !v[i].has_default && !alias)
      rc = vg_buf_printf(why, "column %s is NOT NULL without a default, and a run does not write it", v[i].name);
  }
  if (rc != 0 || why->len) return rc ? -3 : 0;
  if (rt->rowid) {
    static const char *const names[] = {"rowid", "_rowid_", "oid"};
    for (int k = 0; k < 3 && rc == 0 && !why->len; k++)
      if (find_col(v, n, names[k]))
        rc = vg_buf_printf(why, "it declares a column %s, which hides the rowid Vigil reads", names[k]);
  }
  if (rc != 0 || why->len) return rc ? -3 : 0;
  /* a WITHOUT ROWID table needs a key Vigil does not write; pragma
  ** table_list says which they are (SQLite 3.37 on; before, the checks
  ** above still catch vigil_runs) */
  if (db_has_row(db, "SELECT 1 FROM pragma_table_list WHERE schema = 'main' AND name = ?1 COLLATE NOCASE AND wr", rt->name) == 1)
    rc = vg_buf_printf(why, "it is a WITHOUT ROWID table");
  return rc ? -3 : 0;
}

int exec_db_check_table(sqlite3 *db, exec_rec_table t, const char *db_path, const char *what, vg_diag_fn diag, void *ud) {
  const rec_table *rt = &rec_tables[t];
  vg_buf why = {NULL, 0, 0}, msg = {NULL, 0, 0};
  int rc = 0;
  /* a view or another object of that name cannot be written as a table */
  sqlite3_stmt *st = NULL;
  const char *type = NULL;
  char typebuf[16] = "";
  if (sqlite3_prepare_v2(db, "SELECT type FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE AND type != 'index'", -1, &st,
                         NULL) != SQLITE_OK) {
    rc = -2;
  } else {
    sqlite3_bind_text(st, 1, rt->name, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
      snprintf(typebuf, sizeof typebuf, "%s", (const char *)sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
      type = typebuf;
    } else if (s != SQLITE_DONE) {
      rc = -2;
    }
  }
  sqlite3_finalize(st);
  if (rc == 0 && type) {
    if (strcmp(type, "table") != 0) {
      rc = vg_buf_printf(&why, "it is a %s, not a table", type) ? -3 : -1;
    } else {
      have_col *v = NULL;
      int n = read_cols(db, rt->name, 1, &v);
      if (n == -3) rc = -3;
      else if (n < 0) rc = -2;
      else {
        int m = misfit(db, rt, v, n, &why);
        rc = m == -3 ? -3 : m < 0 ? -2 : why.len ? -1 : 0;
      }
      have_free(v, n > 0 ? n : 0);
    }
  }
  if (rc == -1 || rc == -2) {
    int bad = rc == -2 ? vg_buf_printf(&msg, "%s: cannot read the columns of table %s: %s", db_path, rt->name, vg_db_errmsg(db))
                       : vg_buf_printf(&msg, "%s: table %s is not a table Vigil can record into: %s; %s. Rename or drop it"
                                             " (Vigil then creates it), or give it the shape Vigil creates: CREATE TABLE %s(%s)",
                                       db_path, rt->name, why.data, what, rt->name, rt->cols);
    if (bad) rc = -3;
    else if (diag) {
      vg_diag d;
      memset(&d, 0, sizeof d);
      d.severity = VG_ERROR;
      d.code = vg_dcode_name(rc == -2 ? DIAG_E_DATABASE : DIAG_E_RECORD_TABLE);
      d.message = msg.data;
      diag(ud, &d);
    }
  }
  vg_buf_free(&why);
  vg_buf_free(&msg);
  return rc;
}

/* ---- the rowid of a source table ------------------------------------------------ */

int exec_db_rowid(sqlite3 *db, const char *table, vg_buf *out) {
  have_col *v = NULL;
  int n = read_cols(db, table, 0, &v);
  if (n == -3) return -1;
  if (n < 0) return vg_buf_append(out, "rowid", 5) ? -1 : 1; /* no such table: its query fails anyway */
  static const char *const names[] = {"rowid", "_rowid_", "oid"};
  int rc = 0;
  /* a PostgreSQL table's rowid is its integer primary key (declared
  ** INTEGER PRIMARY KEY by core/pg.c); without one it has none */
  for (int k = 0; k < 3 && rc == 0 && !pg_is(db); k++)
    if (!find_col(v, n, names[k])) rc = vg_buf_append(out, names[k], strlen(names[k])) ? -1 : 1;
  if (rc == 0) {
    /* all three are columns: the rowid's alias, if it has one */
    int npk = 0, alias = -1;
    for (int i = 0; i < n; i++) {
      npk += v[i].pk > 0;
      if (v[i].pk == 1 && strcasecmp(v[i].type, "INTEGER") == 0) alias = i;
    }
    /* (core/pg.c declares a PostgreSQL table's rowid column INTEGER PRIMARY KEY,
    ** HIDDEN for vigil_rowid, which makes SQLite list an index for it) */
    if (npk == 1 && alias >= 0 &&
        (pg_is(db) || db_has_row(db, "SELECT 1 FROM pragma_index_list(?1) WHERE origin = 'pk'", table) == 0))
      rc = exec_quote_ident(out, v[alias].name) ? -1 : 1;
  }
  have_free(v, n);
  return rc;
}
