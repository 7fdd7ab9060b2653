/*
** schema.c — the tables and columns rules are checked against, read from a
** database file or from CREATE statements, and the mapping from SQLite's
** declared column types to the rule language's types.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "ast.h"
#include "../core/conn.h"

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
  if (db_begin(db, 0) != SQLITE_OK) {
    cc_error_plain(c, "%s: %s", path, vg_db_errmsg(db));
    sqlite3_close(db);
    return -1;
  }
  int rc = load_tables(c, db, path);
  sqlite3_close(db); /* ends the read transaction */
  return rc;
}

/* ---- the box -------------------------------------------------------------------- */

/* The functions a schema may call: what CHECK constraints, defaults,
** generated columns, index expressions and views plausibly use.  None of
** them makes a value longer than its arguments (no printf, replace,
** zeroblob, randomblob, hex), none does work in one step beyond linear in
** its arguments (no like, glob, instr, two-argument trim: a progress handler
** cannot interrupt a single step), none reads outside the database. */
static const char *const box_functions[] = {
  "abs", "avg", "coalesce", "count", "current_date", "current_time", "current_timestamp", "date", "datetime",
  "ifnull", "iif", "julianday", "length", "lower", "max", "min", "nullif", "round", "strftime", "substr",
  "substring", "sum", "time", "total", "typeof", "upper",
};

static const char *const ONLY_WHAT = "(only CREATE TABLE, CREATE INDEX, CREATE VIEW and INSERT of rows)";

static double box_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int box_progress(void *ud) {
  schema_box *b = ud;
  if (box_now() <= b->deadline) return 0;
  b->timed_out = 1;
  return 1;
}

static int box_function_ok(const char *name) {
  if (!name) return 0;
  for (size_t i = 0; i < sizeof box_functions / sizeof *box_functions; i++)
    if (strcasecmp(box_functions[i], name) == 0) return 1;
  return 0;
}

static int is_schema_table(const char *name) {
  return name && (strcasecmp(name, "sqlite_master") == 0 || strcasecmp(name, "sqlite_temp_master") == 0 ||
                  strcasecmp(name, "sqlite_schema") == 0 || strcasecmp(name, "sqlite_temp_schema") == 0);
}

static int box_is_create(int kind) {
  return kind == SQLITE_CREATE_TABLE || kind == SQLITE_CREATE_INDEX || kind == SQLITE_CREATE_VIEW;
}

/* Remember a table or view the pack creates, and its line, for messages
** about it after the statements ran. */
typedef struct obj_key {
  const schema_box *b;
  const char *name;
} obj_key;

static int same_obj(const void *ctx, uint32_t i) {
  const obj_key *k = ctx;
  return strcmp(k->b->objs.v[i].name, k->name) == 0;
}

static void box_note(schema_box *b, const char *name, int view) {
  if (!name) return;
  size_t n = strlen(name) + 1;
  uint32_t h = vg_hash(name, n - 1);
  obj_key k = {b, name};
  if (vg_map_find(&b->objmap, h, same_obj, &k) >= 0) return;
  /* out of memory: only a line number is lost */
  char *copy = vg_realloc(NULL, n);
  if (!copy) return;
  memcpy(copy, name, n);
  schema_box_obj o = {copy, b->line, view};
  if (vg_vec_push(&b->objs, o) != 0) { vg_free(copy); return; }
  if (vg_map_put(&b->objmap, h, (uint32_t)(b->objs.n - 1)) != 0) {
    b->objs.n--;
    vg_free(copy);
  }
}

/* Refuse, keeping the first refusal of the statement for its message:
** what (BOX_STATEMENT: "... is not allowed in a schema (only ...)"), the
** name of a function (BOX_FUNCTION), or a message of its own (BOX_PLAIN). */
enum { BOX_STATEMENT, BOX_FUNCTION, BOX_PLAIN };
static int box_deny(schema_box *b, int kind, const char *what) {
  if (!b->denied[0]) {
    if (kind == BOX_FUNCTION) snprintf(b->denied, sizeof b->denied, "the function %s()", what ? what : "?");
    else snprintf(b->denied, sizeof b->denied, "%s", what);
    b->denied_kind = kind;
  }
  return SQLITE_DENY;
}

/* What each authorizer action is called in a message. */
static const char *box_action_name(int action) {
  switch (action) {
  case SQLITE_CREATE_TEMP_INDEX: return "CREATE TEMP INDEX";
  case SQLITE_CREATE_TEMP_TABLE: return "CREATE TEMP TABLE";
  case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TEMP TRIGGER";
  case SQLITE_CREATE_TEMP_VIEW: return "CREATE TEMP VIEW";
  case SQLITE_CREATE_TRIGGER: return "CREATE TRIGGER";
  case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
  case SQLITE_DELETE: return "DELETE";
  case SQLITE_DROP_INDEX: case SQLITE_DROP_TEMP_INDEX: return "DROP INDEX";
  case SQLITE_DROP_TABLE: case SQLITE_DROP_TEMP_TABLE: return "DROP TABLE";
  case SQLITE_DROP_TRIGGER: case SQLITE_DROP_TEMP_TRIGGER: return "DROP TRIGGER";
  case SQLITE_DROP_VIEW: case SQLITE_DROP_TEMP_VIEW: return "DROP VIEW";
  case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE";
  case SQLITE_INSERT: return "INSERT";
  case SQLITE_PRAGMA: return "PRAGMA";
  case SQLITE_UPDATE: return "UPDATE";
  case SQLITE_ATTACH: return "ATTACH";
  case SQLITE_DETACH: return "DETACH";
  case SQLITE_ALTER_TABLE: return "ALTER TABLE";
  case SQLITE_REINDEX: return "REINDEX";
  case SQLITE_ANALYZE: return "ANALYZE";
  case SQLITE_RECURSIVE: return "a recursive WITH";
  case SQLITE_TRANSACTION: case SQLITE_SAVEPOINT: return "a transaction";
  case SQLITE_SELECT: return "SELECT";
  default: return "this statement";
  }
}

/* The authorizer.  Every decision is made while a statement is prepared
** (and again if SQLite prepares it again), so nothing a pack wrote runs
** before it is looked at; b->kind is the statement's first action, which
** tells a CREATE's own bookkeeping from the pack's reads and writes. */
static int box_auth(void *ud, int action, const char *a, const char *b2, const char *dbname, const char *inner) {
  schema_box *b = ud;
  (void)dbname; /* no other database can be attached, and the pack cannot create temp objects */
  (void)inner;
  if (b->mode == SCHEMA_BOX_OWN) return SQLITE_OK;
  /* views expand where they are read, each time: a view of views of views
  ** can make a statement of a few lines into millions of parts, all in the
  ** prepare, where no progress handler runs */
  if (++b->calls > SCHEMA_BOX_MAX_PARTS) {
    char msg[96];
    snprintf(msg, sizeof msg, "too large once the views it reads are expanded (more than %d parts)", SCHEMA_BOX_MAX_PARTS);
    return box_deny(b, BOX_PLAIN, msg);
  }
  if (action == SQLITE_FUNCTION)
    return box_function_ok(b2) ? SQLITE_OK : box_deny(b, BOX_FUNCTION, b2);
  if (b->mode == SCHEMA_BOX_CHECK) {
    /* a view's body or a default, prepared (never run) to see what it calls */
    if (action == SQLITE_SELECT || action == SQLITE_READ) return SQLITE_OK;
    return box_deny(b, BOX_STATEMENT, box_action_name(action));
  }
  switch (action) {
  case SQLITE_CREATE_TABLE: case SQLITE_CREATE_INDEX: case SQLITE_CREATE_VIEW:
    if (!b->kind) {
      b->kind = action;
      if (action != SQLITE_CREATE_INDEX) box_note(b, a, action == SQLITE_CREATE_VIEW);
    }
    return box_is_create(b->kind) ? SQLITE_OK : box_deny(b, BOX_STATEMENT, box_action_name(action));
  case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE: case SQLITE_READ:
    /* a CREATE writes its schema table, and reads the table it indexes or
    ** its own columns (CHECK constraints, generated columns) */
    if (is_schema_table(a) && (!b->kind || box_is_create(b->kind)) && action != SQLITE_READ) return SQLITE_OK;
    if (b->kind == SQLITE_INSERT && (action == SQLITE_READ || is_schema_table(a)))
      return box_deny(b, BOX_STATEMENT, "an INSERT that reads a table");
    if (action == SQLITE_READ) {
      if (box_is_create(b->kind) || b->kind == SQLITE_SELECT) return SQLITE_OK;
      return is_schema_table(a) ? SQLITE_OK : box_deny(b, BOX_STATEMENT, "reading a table here");
    }
    if (action == SQLITE_INSERT && (!b->kind || b->kind == SQLITE_INSERT)) {
      b->kind = SQLITE_INSERT;
      b->selects = 0; /* (again if SQLite prepares the statement again) */
      return SQLITE_OK;
    }
    return box_deny(b, BOX_STATEMENT, box_action_name(action));
  case SQLITE_SELECT:
    if (!b->kind) b->kind = SQLITE_SELECT; /* a query: refused once prepared, unless a function is first */
    if (b->kind == SQLITE_CREATE_TABLE) return box_deny(b, BOX_STATEMENT, "CREATE TABLE ... AS SELECT");
    /* INSERT ... VALUES of several rows is one SELECT; a second one is a
    ** query (a join of VALUES lists, a subquery) that can make any number
    ** of rows, or take any time, from a few lines */
    if (b->kind == SQLITE_INSERT && ++b->selects > 1) return box_deny(b, BOX_STATEMENT, "an INSERT whose rows come from a query");
    return SQLITE_OK;
  case SQLITE_TRANSACTION: case SQLITE_SAVEPOINT:
    if (!b->kind) b->kind = action;
    return SQLITE_OK;
  case SQLITE_REINDEX:
    /* CREATE INDEX fills the index it creates */
    return b->kind == SQLITE_CREATE_INDEX || b->kind == SQLITE_CREATE_TABLE ? SQLITE_OK : box_deny(b, BOX_STATEMENT, "REINDEX");
  default:
    return box_deny(b, BOX_STATEMENT, box_action_name(action));
  }
}

int schema_box_open(schema_box *b, sqlite3 *db, double seconds, int writable) {
  memset(b, 0, sizeof *b);
  b->db = db;
  b->seconds = seconds > 0 ? seconds : SCHEMA_BOX_SECONDS;
  b->mode = SCHEMA_BOX_OWN;
  b->writable = writable;
  static const int config[][2] = {
    {SQLITE_DBCONFIG_DEFENSIVE, 1},                /* no writes to the schema table, no corrupting pragmas */
    {SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0},    /* fts3_tokenizer() cannot register a pointer */
    {SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0},    /* no load_extension(), in C or in SQL */
    {SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0},           /* a view or default calls only innocuous functions */
    {SQLITE_DBCONFIG_ENABLE_TRIGGER, 0},           /* no trigger fires (none can be created either) */
    {SQLITE_DBCONFIG_WRITABLE_SCHEMA, 0},
    {SQLITE_DBCONFIG_ENABLE_VIEW, 1},              /* views are part of a schema */
  };
  for (size_t i = 0; i < sizeof config / sizeof *config; i++) {
    int got = -1;
    if (sqlite3_db_config(db, config[i][0], config[i][1], &got) != SQLITE_OK || got != config[i][1]) return -1;
  }
  sqlite3_enable_load_extension(db, 0);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, SCHEMA_BOX_MAX_LENGTH);
  sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, SCHEMA_BOX_MAX_LENGTH);
  sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0); /* no other database: this also stops VACUUM INTO */
  sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
  sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100);
  if (writable) {
    /* only for the pack's statements: Vigil's own queries on a reader may be deeper */
    sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
    sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 50);
    sqlite3_limit(db, SQLITE_LIMIT_VDBE_OP, 1000000);
    sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 32);
    /* the size bound, set by Vigil before the authorizer goes on: the
    ** database is in memory, so its pages are the memory it takes */
    sqlite3_stmt *st = NULL;
    int page = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      page = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (page <= 0) return -1;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %u", SCHEMA_BOX_MAX_BYTES / (unsigned)page);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) return -1;
  }
  b->deadline = box_now() + b->seconds;
  sqlite3_progress_handler(db, SCHEMA_BOX_STEPS, box_progress, b);
  if (writable) sqlite3_set_authorizer(db, box_auth, b);
  return 0;
}

void schema_box_close(schema_box *b) {
  if (b->db) {
    sqlite3_progress_handler(b->db, 0, NULL, NULL);
    if (b->writable) sqlite3_set_authorizer(b->db, NULL, NULL);
  }
  for (size_t i = 0; i < b->objs.n; i++) vg_free(b->objs.v[i].name);
  vg_vec_free(&b->objs);
  vg_map_free(&b->objmap);
  b->db = NULL;
}

/* A refusal by the authorizer (what, and whether it is a function), with
** the list of functions for a function. */
static void box_refusal(const char *what, int kind, char *err, size_t errcap) {
  if (kind == BOX_PLAIN) {
    snprintf(err, errcap, "%s", what);
    return;
  }
  if (kind == BOX_STATEMENT) {
    snprintf(err, errcap, "%s is not allowed in a schema %s", what, ONLY_WHAT);
    return;
  }
  size_t n = (size_t)snprintf(err, errcap, "%s is not allowed in a schema (it may call only ", what);
  for (size_t i = 0; i < sizeof box_functions / sizeof *box_functions && n < errcap; i++)
    n += (size_t)snprintf(err + n, errcap - n, "%s%s", i ? ", " : "", box_functions[i]);
  if (n < errcap) snprintf(err + n, errcap - n, ")");
}

static void box_denied(const schema_box *b, char *err, size_t errcap) { box_refusal(b->denied, b->denied_kind, err, errcap); }

/* SQLite's own refusal of a function or virtual table that is not innocuous
** in a view or default (SQLITE_DBCONFIG_TRUSTED_SCHEMA off) comes before
** the authorizer: the same message as the authorizer's.  0 when msg is not
** one. */
static int box_unsafe(const char *msg, char *err, size_t errcap) {
  static const char unsafe[] = "unsafe use of ";
  if (strncmp(msg, unsafe, sizeof unsafe - 1) != 0) return 0;
  const char *what = msg + sizeof unsafe - 1;
  char buf[160];
  int function = strncmp(what, "virtual table", 13) != 0;
  snprintf(buf, sizeof buf, "%s%s", function ? "the function " : "", what);
  box_refusal(buf, function ? BOX_FUNCTION : BOX_STATEMENT, err, errcap);
  return 1;
}

void schema_box_why(const schema_box *b, int rc, char *err, size_t errcap) {
  int prim = rc & 0xff;
  const char *msg = b->db ? sqlite3_errmsg(b->db) : "";
  if (b->timed_out || prim == SQLITE_INTERRUPT)
    snprintf(err, errcap, "it takes too long (more than %g s)", b->seconds);
  else if (prim == SQLITE_AUTH && b->denied[0])
    box_refusal(b->denied, b->denied_kind, err, errcap);
  else if (box_unsafe(msg, err, errcap))
    return;
  else if (prim == SQLITE_TOOBIG)
    snprintf(err, errcap, "a value longer than %d bytes", SCHEMA_BOX_MAX_LENGTH);
  else if (prim == SQLITE_FULL)
    snprintf(err, errcap, "its tables hold more than %u MiB (a schema declares tables; a test's rows belong in its test)",
             SCHEMA_BOX_MAX_BYTES >> 20);
  else
    snprintf(err, errcap, "%s", msg);
}

/* The statement's first keyword(s) (two after CREATE, DROP, ALTER), upper
** case, for a statement the authorizer never saw (VACUUM, REINDEX). */
static void first_words(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (int w = 0; w < 2; w++) {
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) break;
    if (w) out[n++] = ' ';
    for (; ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) && n + 2 < cap; s++)
      out[n++] = (char)(*s >= 'a' ? *s - 32 : *s);
    out[n] = 0;
    if (strcmp(out, "CREATE") && strcmp(out, "DROP") && strcmp(out, "ALTER")) break;
  }
  out[n] = 0;
  if (!n) snprintf(out, cap, "this statement");
}

/* Skip white space and comments: where the next statement's text starts. */
static const char *skip_space(const char *s) {
  for (;;) {
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\f' || *s == '\v') s++;
    if (s[0] == '-' && s[1] == '-') {
      while (*s && *s != '\n') s++;
    } else if (s[0] == '/' && s[1] == '*') {
      const char *e = strstr(s + 2, "*/");
      s = e ? e + 2 : s + strlen(s);
    } else {
      return s;
    }
  }
}

static void quote_name(char *out, size_t cap, const char *name) {
  size_t n = 0;
  if (cap < 3) return;
  out[n++] = '"';
  for (; *name && n + 3 < cap; name++) {
    if (*name == '"') out[n++] = '"';
    out[n++] = *name;
  }
  out[n++] = '"';
  out[n] = 0;
}

/* Prepare (never step) sql in SCHEMA_BOX_CHECK mode: what it would call.
** Returns 0, or -1 with the reason in err. */
static int box_check(schema_box *b, const char *sql, char *err, size_t errcap) {
  b->mode = SCHEMA_BOX_CHECK;
  b->denied[0] = 0;
  b->calls = 0;
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(b->db, sql, -1, &st, NULL);
  sqlite3_finalize(st);
  b->mode = SCHEMA_BOX_OWN;
  if (rc == SQLITE_OK) return 0;
  if (b->denied[0]) box_denied(b, err, errcap);
  else schema_box_why(b, rc, err, errcap);
  return -1;
}

/* After the statements: each view's body (views expand into the queries
** that read them, so what they call is found by preparing a read of each)
** and each column's default (SQLite resolves a default only where a row is
** inserted) call only the listed functions. */
static int box_check_objects(schema_box *b, char *err, size_t errcap) {
  char why[1024], sql[600], name[300];
  for (size_t i = 0; i < b->objs.n; i++) {
    if (box_now() > b->deadline) {
      b->timed_out = 1;
      schema_box_why(b, SQLITE_INTERRUPT, err, errcap);
      return -1;
    }
    const schema_box_obj *o = &b->objs.v[i];
    quote_name(name, sizeof name, o->name);
    if (o->view) {
      snprintf(sql, sizeof sql, "SELECT * FROM main.%s", name);
      if (box_check(b, sql, why, sizeof why) != 0) {
        snprintf(err, errcap, "line %d: view %s: %s", o->line, o->name, why);
        return -1;
      }
      continue;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(b->db, "SELECT name, dflt_value FROM pragma_table_info(?1) WHERE dflt_value IS NOT NULL", -1, &st,
                                NULL);
    if (rc != SQLITE_OK) {
      schema_box_why(b, rc, why, sizeof why);
      snprintf(err, errcap, "line %d: table %s: %s", o->line, o->name, why);
      return -1;
    }
    sqlite3_bind_text(st, 1, o->name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const char *col = (const char *)sqlite3_column_text(st, 0);
      const char *dflt = (const char *)sqlite3_column_text(st, 1);
      vg_buf q = {NULL, 0, 0};
      vg_buf_printf(&q, "SELECT (%s)", dflt ? dflt : "NULL");
      int bad = q.data ? box_check(b, q.data, why, sizeof why) : -1;
      if (!q.data) snprintf(why, sizeof why, "out of memory");
      vg_buf_free(&q);
      if (bad) {
        snprintf(err, errcap, "line %d: table %s, column %s: %s", o->line, o->name, col ? col : "?", why);
        sqlite3_finalize(st);
        return -1;
      }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      schema_box_why(b, rc, why, sizeof why);
      snprintf(err, errcap, "line %d: table %s: %s", o->line, o->name, why);
      return -1;
    }
  }
  return 0;
}

int schema_box_exec(schema_box *b, const char *sql, char *err, size_t errcap) {
  char why[1024];
  const char *s = sql;
  const char *counted = sql; /* lines are counted up to here */
  int line = 1;
  for (;;) {
    s = skip_space(s);
    if (!*s) break;
    for (; counted < s; counted++) line += *counted == '\n';
    b->line = line;
    if (box_now() > b->deadline) { /* preparing does not call the progress handler */
      b->timed_out = 1;
      schema_box_why(b, SQLITE_INTERRUPT, why, sizeof why);
      snprintf(err, errcap, "line %d: %s", line, why);
      b->mode = SCHEMA_BOX_OWN;
      return -1;
    }
    b->mode = SCHEMA_BOX_PACK;
    b->kind = 0;
    b->calls = 0;
    b->selects = 0;
    b->denied[0] = 0;
    b->denied_kind = 0;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(b->db, s, -1, &st, &tail);
    int bad = 0;
    if (rc != SQLITE_OK) {
      if (b->denied[0]) box_denied(b, why, sizeof why);
      else if ((rc & 0xff) == SQLITE_TOOBIG) /* at prepare: the text (a literal is no longer than its statement) */
        snprintf(why, sizeof why, "a statement longer than %d bytes (split it)", SCHEMA_BOX_MAX_LENGTH);
      else schema_box_why(b, rc, why, sizeof why);
      bad = 1;
    } else if (st && (sqlite3_column_count(st) > 0 || b->kind == SQLITE_SELECT)) {
      snprintf(why, sizeof why, "a query (a statement that returns rows) is not allowed in a schema %s", ONLY_WHAT);
      bad = 1;
    } else if (st && !b->kind) {
      char words[64];
      first_words(s, words, sizeof words);
      snprintf(why, sizeof why, "%s is not allowed in a schema %s", words, ONLY_WHAT);
      bad = 1;
    } else if (st) {
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
      if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_AUTH && b->denied[0]) box_denied(b, why, sizeof why);
        else schema_box_why(b, rc, why, sizeof why);
        bad = 1;
      }
    }
    sqlite3_finalize(st);
    if (bad) {
      snprintf(err, errcap, "line %d: %s", line, why);
      b->mode = SCHEMA_BOX_OWN;
      return -1;
    }
    if (!tail || tail <= s) break;
    s = tail;
  }
  b->mode = SCHEMA_BOX_OWN;
  return box_check_objects(b, err, errcap);
}

int schema_load_sql(cc *c, const char *what, const char *sql, double seconds) {
  sqlite3 *db = NULL;
  if (vg_db_open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db, NULL, 0) != VG_OK) {
    c->oom = 1;
    return -1;
  }
  schema_box box;
  char err[1024];
  if (schema_box_open(&box, db, seconds, 1) != 0) {
    cc_error_plain(c, "%s: the schema does not load: SQLite refuses the settings of the box it runs in (%s)", what,
                   sqlite3_errmsg(db));
    schema_box_close(&box);
    sqlite3_close(db);
    return -1;
  }
  if (schema_box_exec(&box, sql, err, sizeof err) != 0) {
    cc_error_plain(c, "%s: the schema does not load: %s", what, err);
    schema_box_close(&box);
    sqlite3_close(db);
    return -1;
  }
  int rc = load_tables(c, db, what);
  schema_box_close(&box);
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
