/*
** test.c — `vigil test`: unit tests for rules, written in the rule language.
**
** A test block (grammar/parser.y, "tests") gives an evaluation date, param
** overrides, table rows and the alerts it expects.  For a PATH this file:
**
**   1. compiles the pack with vg_compile_path (against its schema.sql), so
**      the tests run exactly the program `vigil run` would;
**   2. parses the pack's files and its tests/ *.rules files again, into a
**      cc of its own, for the test blocks and for where each tier clause is
**      written (coverage);
**   3. per test: a fresh shared-cache in-memory SQLite database
**      (file:vgtest<pid>_<address>_<n>?mode=memory&cache=shared, kept alive by this
**      runner's connection while vg_run opens it by URI), the schema from
**      schema.sql, the rows inserted with bound parameters, vg_run as a dry
**      run with the test's params (vg_params), and the comparison of
**      the alerts with the expectations;
**   4. reports each test and each tier clause through the caller's callbacks.
**
** The library never prints: located errors go through the diag callback
** (and, as text, into the result of the test they belong to).
*/
#include <fnmatch.h>
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "../compiler/ast.h"
#include "../runtime/exec.h"
#include "../core/vec.h"
#include "../stdlib/lib.h"

/* One tier clause of the pack: rule and tier index into the program. */
typedef struct tr_clause {
  int rule, tier;
  int file, line;
  int fired;              /* some test that ran raised it */
} tr_clause;

/* One alert of a test's run (texts in the test's arena). */
typedef struct tr_alert {
  int rule, tier;         /* indexes into the program, -1 when unknown */
  const char *key, *message;
  size_t key_len, message_len; /* texts may hold NUL bytes */
  int used;               /* matched by an expectation */
} tr_alert;

/* One expect line. */
typedef struct tr_expect {
  const ast *d;
  int rule, tier;         /* tier -1: "no alert" */
  const char *key;
  const char *message;    /* NULL when the test gives none */
  int met;
} tr_expect;

typedef struct tr {
  cc c;                   /* the parsed files; diagnostics of tests go through it */
  const vg_test_opts *o;
  const char *path;
  vm_program *p;
  char *schema_sql;
  char *schema_path;
  int npack_files;        /* files [0, npack_files) are the pack's */
  int file_errors[VG_MAX_FILES];
  tr_clause *clauses; int nclauses; /* sorted by rule, then tier (not one per rule and tier: a pack may have 65 535 of each) */
  vg_params *params;      /* the current test's param overrides */
  vg_buf detail;          /* the current test's error lines */
  vg_arena targ;          /* the current test's texts */
  vg_vec(tr_alert) alerts;
  int run_failed;         /* vg_run reported an error */
  schema_box run_box;     /* the box of the current test's run (a reader: vg_run's connection) */
  int oom;
  unsigned long seq;
} tr;

typedef vg_vec(char *) tr_paths;

/* ---- files ---------------------------------------------------------------------- */

/* dir + "/" + name in the cc's arena. */
static char *join(tr *t, const char *dir, const char *name) {
  size_t len = strlen(dir) + strlen(name) + 2;
  char *s = vg_arena_alloc(&t->c.arena, len);
  if (!s) { t->oom = 1; return NULL; }
  snprintf(s, len, "%s%s%s", dir, compile_has_suffix(dir, "/") ? "" : "/", name);
  return s;
}

/* The *.rules files of dir (not starting with '.'), sorted, appended to
** *out (the paths in the cc's arena).  A missing folder is no file.
** Returns 0 or -1 (oom). */
static int list_rules(tr *t, const char *dir, tr_paths *out) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || !compile_has_suffix(e->d_name, ".rules")) continue;
    char *full = join(t, dir, e->d_name);
    if (!full) { closedir(d); return -1; }
    if (vg_vec_push(out, full) != 0) { closedir(d); t->oom = 1; return -1; }
  }
  closedir(d);
  if (out->n) qsort(out->v, out->n, sizeof *out->v, compile_cmp_str);
  return 0;
}

/* compile_read_file's flags for the options: links only when allowed. */
static int read_flags(const tr *t) { return t->o->follow_symlinks ? COMPILE_READ_FOLLOW : 0; }

/* Add a file to the cc; returns its index or -1 (error reported). */
static int add_file(tr *t, const char *path) {
  size_t len;
  char why[256];
  char *text = compile_read_file(path, &len, VG_MAX_FILE_SIZE, read_flags(t) | COMPILE_READ_TEXT, why, sizeof why);
  if (!text) {
    if (errno == ENOMEM) t->oom = 1;
    else cc_error_plain(&t->c, "%s: %s", path, why);
    return -1;
  }
  int fi = cc_add_file(&t->c, path, text, len);
  vg_free(text);
  if (fi < 0 && t->c.oom) t->oom = 1;
  return fi;
}

/* ---- diagnostics -------------------------------------------------------------------- */

/* The cc's diagnostics: to the caller, and errors into the current test's detail. */
static void on_cc_diag(void *ud, const vg_diag *d) {
  tr *t = ud;
  if (t->o->diag) t->o->diag(t->o->ud, d);
  if (d->severity != VG_ERROR) return;
  if (d->file && d->line > 0)
    vg_buf_printf(&t->detail, "%s:%d:%d: %s\n", d->file, d->line, d->col, d->message);
  else
    vg_buf_printf(&t->detail, "%s\n", d->message);
}

/* The run's diagnostics: errors only (a test checks alerts; data warnings
** of a run are not its business). */
static void on_run_diag(void *ud, const vg_diag *d) {
  tr *t = ud;
  if (d->severity != VG_ERROR) return;
  t->run_failed = 1;
  if (t->o->diag) t->o->diag(t->o->ud, d);
  if (d->file && d->line > 0 && d->col > 0) vg_buf_printf(&t->detail, "%s:%d:%d: %s\n", d->file, d->line, d->col, d->message);
  else if (d->file && d->line > 0) vg_buf_printf(&t->detail, "%s:%d: %s\n", d->file, d->line, d->message);
  else vg_buf_printf(&t->detail, "%s\n", d->message);
}

/* ---- literals -------------------------------------------------------------------------- */

/* The value of a literal node; strings point into the cc's arena. */
static val lit_val(const ast *n) {
  switch (n->kind) {
  case A_NUM: return val_num(n->num);
  case A_DUR: return val_num(n->num); /* a duration is stored as its number of days */
  case A_DATE: return val_date(n->date);
  case A_STR: return val_str(n->str, n->len);
  case A_BOOL: return val_num(n->num != 0 ? 1 : 0);
  default: return val_null();
  }
}

static int integral(double x) { return x >= -9007199254740992.0 && x <= 9007199254740992.0 && x == (double)(long long)x; }

static int bind_lit(sqlite3_stmt *st, int i, const ast *n) {
  val v = lit_val(n);
  switch (v.t) {
  case VT_NUM:
    if (integral(v.u.n)) return sqlite3_bind_int64(st, i, (sqlite3_int64)v.u.n);
    return sqlite3_bind_double(st, i, v.u.n);
  case VT_DATE: {
    char buf[16];
    lib_format_date(v.u.d, buf);
    return sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
  }
  case VT_STR: return sqlite3_bind_text(st, i, v.u.s, (int)v.len, SQLITE_TRANSIENT);
  default: return sqlite3_bind_null(st, i);
  }
}

/* A key literal as the run writes keys (an integer in decimal digits, text
** as it is, a date YYYY-MM-DD); NULL for null or out of memory. */
static const char *key_text(tr *t, const ast *n) {
  val v = lit_val(n);
  if (v.t == VT_NULL) return NULL;
  if (v.t == VT_STR) return vg_arena_strndup(&t->targ, v.u.s, v.len);
  char buf[64];
  lib_format_text(v, buf, sizeof buf);
  return vg_arena_strdup(&t->targ, buf);
}

/* The source text of a node. */
static void node_text(const tr *t, const ast *n, const char **s, size_t *len) {
  const vg_file *f = &t->c.files[n->loc.file];
  uint32_t a = n->loc.start, b = n->loc.end;
  if (b > f->len) b = (uint32_t)f->len;
  if (a > b) a = b;
  *s = f->src + a;
  *len = b - a;
}

/* ---- SQL ------------------------------------------------------------------------------- */

static void put_ident(vg_buf *b, const char *name) {
  vg_buf_append(b, "\"", 1);
  for (const char *s = name; *s; s++) {
    if (*s == '"') vg_buf_append(b, "\"", 1);
    vg_buf_append(b, s, 1);
  }
  vg_buf_append(b, "\"", 1);
}

/* A table item's table, columns and rows against the schema.  Errors reported. */
static void check_table(tr *t, const ast *it) {
  const cc_table *tb = schema_table(&t->c, it->name);
  if (!tb) {
    vg_buf names = {NULL, 0, 0};
    for (int i = 0; i < t->c.ntables; i++) vg_buf_printf(&names, "%s%s", i ? ", " : "", t->c.tables[i].name);
    cc_error(&t->c, it->name_loc, DIAG_E_TEST, "table '%s' is not in the pack's schema.sql (its tables are %s)", it->name,
             names.data ? names.data : "none");
    vg_buf_free(&names);
    return;
  }
  int ncols = 0;
  for (const ast *col = it->b; col; col = col->next) {
    ncols++;
    int ci = schema_column(tb, col->name);
    if (ci < 0) {
      cc_error(&t->c, col->loc, DIAG_E_TEST, "table %s has no column '%s'", tb->name, col->name);
      continue;
    }
    for (const ast *prev = it->b; prev != col; prev = prev->next)
      if (schema_column(tb, prev->name) == ci) {
        cc_error(&t->c, col->loc, DIAG_E_TEST, "column '%s' is given twice", col->name);
        break;
      }
  }
  for (const ast *row = it->c; row; row = row->next) {
    int n = 0;
    for (const ast *v = row->a; v; v = v->next) n++;
    if (n != ncols)
      cc_error(&t->c, row->loc, DIAG_E_TEST, "this row has %d value%s for %d column%s", n, n == 1 ? "" : "s", ncols, ncols == 1 ? "" : "s");
  }
}

/* Create the schema and insert the test's rows, in the box (writable, on
** db).  Returns 0, or -1 with errors reported. */
static int fill_db(tr *t, schema_box *box, const ast *test) {
  sqlite3 *db = box->db;
  char err[1024];
  if (schema_box_exec(box, t->schema_sql, err, sizeof err) != 0) {
    cc_error(&t->c, test->name_loc, DIAG_E_TEST, "%s: cannot create the schema: %s", t->schema_path, err);
    return -1;
  }
  /* the rows are Vigil's statements; the schema's defaults and constraints
  ** they set off were checked by schema_box_exec, and the bounds stay on */
  int bad = 0;
  sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
  for (const ast *it = test->b; it; it = it->next) {
    if (it->kind != D_TTABLE) continue;
    const cc_table *tb = schema_table(&t->c, it->name);
    int ncols = 0;
    for (const ast *col = it->b; col; col = col->next) ncols++;
    if (!tb) { bad = 1; continue; } /* reported by check_items */
    vg_buf sql = {NULL, 0, 0};
    vg_buf_append(&sql, "INSERT INTO ", 12);
    put_ident(&sql, tb->name);
    vg_buf_append(&sql, " (", 2);
    for (const ast *col = it->b; col; col = col->next) {
      if (col != it->b) vg_buf_append(&sql, ", ", 2);
      put_ident(&sql, tb->cols[schema_column(tb, col->name)].name);
    }
    vg_buf_append(&sql, ") VALUES (", 10);
    for (int i = 0; i < ncols; i++) vg_buf_append(&sql, i ? ", ?" : "?", i ? 3 : 1);
    if (vg_buf_append(&sql, ")", 2) != 0) { vg_buf_free(&sql); t->oom = 1; return -1; }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql.data, -1, &st, NULL);
    if (rc != SQLITE_OK) {
      schema_box_why(box, rc, err, sizeof err);
      cc_error(&t->c, it->name_loc, DIAG_E_TEST, "cannot insert into table %s: %s", tb->name, err);
      vg_buf_free(&sql);
      bad = 1;
      continue;
    }
    vg_buf_free(&sql);
    for (const ast *row = it->c; row; row = row->next) {
      int i = 1;
      for (const ast *v = row->a; v; v = v->next) bind_lit(st, i++, v);
      if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
        schema_box_why(box, rc, err, sizeof err);
        cc_error(&t->c, row->loc, DIAG_E_TEST, "cannot insert this row into %s: %s", tb->name, err);
        bad = 1;
      }
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
    }
    sqlite3_finalize(st);
  }
  int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    schema_box_why(box, rc, err, sizeof err);
    cc_error(&t->c, test->name_loc, DIAG_E_TEST, "cannot write the test's rows: %s", err);
    bad = 1;
  }
  return bad ? -1 : 0;
}

/* ---- the run ---------------------------------------------------------------------------- */

static int find_rule(const vm_program *p, const char *name) {
  for (int i = 0; i < p->nrules; i++)
    if (strcmp(p->rules[i].name, name) == 0) return i;
  return -1;
}

static int find_tier(const vm_program *p, const char *name) {
  for (int i = 0; i < p->ntiers; i++)
    if (strcmp(p->tiers[i], name) == 0) return i;
  return -1;
}

static int cmp_clause(const void *x, const void *y) {
  const tr_clause *a = x, *b = y;
  if (a->rule != b->rule) return a->rule < b->rule ? -1 : 1;
  return a->tier < b->tier ? -1 : a->tier > b->tier;
}

/* The clause of rule and tier (the clauses are sorted), or NULL. */
static tr_clause *find_clause(const tr *t, int rule, int tier) {
  tr_clause key = {rule, tier, 0, 0, 0};
  return t->nclauses ? bsearch(&key, t->clauses, (size_t)t->nclauses, sizeof *t->clauses, cmp_clause) : NULL;
}

static int has_clause(const tr *t, int rule, int tier) { return find_clause(t, rule, tier) != NULL; }

static int on_alert(void *ud, const vg_alert *a) {
  tr *t = ud;
  tr_alert *x = vg_vec_add(&t->alerts);
  if (!x) { t->oom = 1; return 0; }
  x->rule = find_rule(t->p, a->rule);
  x->tier = find_tier(t->p, a->tier);
  x->key = vg_arena_strndup(&t->targ, a->key ? a->key : "", a->key ? a->key_len : 0);
  x->key_len = a->key ? a->key_len : 0;
  x->message = a->message ? vg_arena_strndup(&t->targ, a->message, a->message_len) : NULL;
  x->message_len = a->message ? a->message_len : 0;
  x->used = 0;
  if (!x->key || (a->message && !x->message)) { t->alerts.n--; t->oom = 1; }
  return 0;
}

/* ---- the diff ---------------------------------------------------------------------------- */

/* A key as a test writes it: an integer bare, anything else quoted. */
static void put_quoted(vg_buf *b, const char *s) {
  vg_buf_append(b, "\"", 1);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') { vg_buf_append(b, "\\", 1); vg_buf_append(b, s, 1); }
    else if (*s == '\n') vg_buf_append(b, "\\n", 2);
    else vg_buf_append(b, s, 1);
  }
  vg_buf_append(b, "\"", 1);
}

static void put_key(vg_buf *b, const char *k) {
  const char *s = k;
  if (*s == '-') s++;
  int digits = *s != 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') digits = 0;
  if (digits) vg_buf_printf(b, "%s", k);
  else put_quoted(b, k);
}

static void put_line(tr *t, vg_buf *b, const char *what, int tier, int rule, const char *key, const char *msg) {
  vg_buf_printf(b, "%s ", what);
  if (tier < 0) vg_buf_printf(b, "no alert");
  else vg_buf_printf(b, "%s", t->p->tiers[tier]);
  vg_buf_printf(b, " %s ", t->p->rules[rule].name);
  put_key(b, key);
  if (msg && tier >= 0) {
    vg_buf_append(b, " ", 1);
    put_quoted(b, msg);
  }
  vg_buf_append(b, "\n", 1);
}

/* 1 when text s (n bytes, which may hold NULs) is the NUL-terminated t. */
static int same_text(const char *s, size_t n, const char *t) {
  return strlen(t) == n && memcmp(s, t, n) == 0;
}

/* Compare the alerts with the expectations; the differences into diff.
** Returns 1 when they agree. */
static int compare(tr *t, tr_expect *ex, int nex, vg_buf *diff) {
  int ok = 1;
  for (int i = 0; i < nex; i++) {
    tr_expect *e = &ex[i];
    tr_alert *a = NULL;
    for (size_t k = 0; k < t->alerts.n && !a; k++)
      if (!t->alerts.v[k].used && t->alerts.v[k].rule == e->rule && same_text(t->alerts.v[k].key, t->alerts.v[k].key_len, e->key))
        a = &t->alerts.v[k];
    if (a) a->used = 1;
    if (e->tier < 0) e->met = a == NULL;
    else e->met = a && a->tier == e->tier && (!e->message || (a->message && same_text(a->message, a->message_len, e->message)));
    if (e->met) continue;
    ok = 0;
    put_line(t, diff, "- expected", e->tier, e->rule, e->key, e->message);
    if (a) put_line(t, diff, "+ actual", a->tier, a->rule, a->key, a->message);
    else put_line(t, diff, "+ actual", -1, e->rule, e->key, NULL);
  }
  /* alerts of the rules the test names that no expectation is about */
  for (size_t k = 0; k < t->alerts.n; k++) {
    tr_alert *a = &t->alerts.v[k];
    if (a->used || a->rule < 0) continue;
    int named = 0;
    for (int i = 0; i < nex && !named; i++) named = ex[i].rule == a->rule;
    if (!named) continue;
    ok = 0;
    put_line(t, diff, "+ actual", a->tier, a->rule, a->key, a->message);
  }
  return ok;
}

/* ---- one test ----------------------------------------------------------------------------- */

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Check the test's items; fills *as_of and the expectations.  Returns the
** number of errors reported. */
static int check_items(tr *t, const ast *test, const ast **as_of, tr_expect **out, int *nout) {
  int before = t->c.nerrors;
  int nex = 0;
  for (const ast *it = test->b; it; it = it->next) nex += it->kind == D_TEXPECT;
  tr_expect *ex = vg_arena_alloc(&t->targ, (size_t)(nex ? nex : 1) * sizeof *ex);
  if (!ex) { t->oom = 1; return 1; }
  int n = 0;
  *as_of = NULL;
  for (const ast *it = test->b; it; it = it->next) {
    switch (it->kind) {
    case D_TASOF:
      if (*as_of) {
        int line, col;
        cc_line_col(&t->c, (*as_of)->loc.file, (*as_of)->loc.start, &line, &col);
        cc_error(&t->c, it->loc, DIAG_E_TEST, "a second as_of in this test (the first is on line %d)", line);
      } else {
        *as_of = it;
      }
      break;
    case D_TTABLE: check_table(t, it); break;
    case D_TSET: {
      int pi = -1;
      for (int i = 0; i < t->p->nparams; i++)
        if (strcmp(t->p->params[i].name, it->name) == 0) pi = i;
      if (pi < 0) {
        vg_buf names = {NULL, 0, 0};
        for (int i = 0; i < t->p->nparams; i++) vg_buf_printf(&names, "%s%s", i ? ", " : "", t->p->params[i].name);
        cc_error(&t->c, it->name_loc, DIAG_E_TEST, "pack %s has no param '%s' (%s%s)", t->p->pack, it->name,
                 t->p->nparams ? "its params are " : "it declares none", names.data ? names.data : "");
        vg_buf_free(&names);
      }
      break;
    }
    case D_TEXPECT: {
      tr_expect *e = &ex[n];
      memset(e, 0, sizeof *e);
      e->d = it;
      e->tier = -1;
      int bad = 0;
      e->rule = find_rule(t->p, it->str);
      if (e->rule < 0) {
        vg_buf names = {NULL, 0, 0};
        for (int i = 0; i < t->p->nrules; i++) vg_buf_printf(&names, "%s%s", i ? ", " : "", t->p->rules[i].name);
        cc_error(&t->c, it->b ? it->b->loc : it->loc, DIAG_E_TEST, "unknown rule '%s' (the rules of pack %s are %s)", it->str,
                 t->p->pack, names.data ? names.data : "none");
        vg_buf_free(&names);
        bad = 1;
      }
      if (it->name) {
        e->tier = find_tier(t->p, it->name);
        if (e->tier < 0) {
          vg_buf names = {NULL, 0, 0};
          for (int i = 0; i < t->p->ntiers; i++) vg_buf_printf(&names, "%s%s", i ? ", " : "", t->p->tiers[i]);
          cc_error(&t->c, it->name_loc, DIAG_E_TEST, "unknown tier '%s' (the tiers are %s)", it->name, names.data ? names.data : "");
          vg_buf_free(&names);
          bad = 1;
        } else if (e->rule >= 0 && !has_clause(t, e->rule, e->tier)) {
          cc_error(&t->c, it->name_loc, DIAG_E_TEST, "rule %s has no %s clause, so it never raises %s %s alert", it->str,
                   it->name, strchr("aeiouAEIOU", it->name[0]) && it->name[0] ? "an" : "a", it->name);
          bad = 1;
        }
      }
      e->key = it->a ? key_text(t, it->a) : NULL;
      if (!e->key) {
        if (t->oom) return 1;
        cc_error(&t->c, it->a ? it->a->loc : it->loc, DIAG_E_TEST, "a key cannot be null");
        bad = 1;
      }
      if (it->c) {
        e->message = vg_arena_strndup(&t->targ, it->c->str, it->c->len);
        if (!e->message) { t->oom = 1; return 1; }
      }
      if (bad) break;
      for (int k = 0; k < n; k++)
        if (ex[k].rule == e->rule && strcmp(ex[k].key, e->key) == 0) {
          int line, col;
          cc_line_col(&t->c, ex[k].d->loc.file, ex[k].d->loc.start, &line, &col);
          cc_error(&t->c, it->loc, DIAG_E_TEST, "a second expectation for rule %s and key %s (the first is on line %d)", it->str, e->key, line);
          bad = 1;
          break;
        }
      if (!bad) n++;
      break;
    }
    default: break;
    }
  }
  if (!*as_of) cc_error(&t->c, test->name_loc, DIAG_E_TEST, "this test has no as_of (write 'as_of YYYY-MM-DD' in it)");
  *out = ex;
  *nout = n;
  return t->c.nerrors - before;
}

/* The test's params, for its run (t->params).  Returns the number of
** errors reported. */
static int set_params(tr *t, const ast *test) {
  int errors = 0;
  vg_params_free(t->params);
  t->params = vg_params_new();
  if (!t->params) { t->oom = 1; return 1; }
  for (const ast *it = test->b; it; it = it->next) {
    if (it->kind != D_TSET || !it->a) continue;
    int known = 0;
    for (int i = 0; i < t->p->nparams; i++) known |= strcmp(t->p->params[i].name, it->name) == 0;
    if (!known) continue; /* reported by check_items */
    const char *s;
    size_t len;
    node_text(t, it->a, &s, &len);
    char *lit = vg_arena_strndup(&t->targ, s, len);
    if (!lit) { t->oom = 1; return 1; }
    char err[512];
    vg_status st = vg_params_set(t->params, t->p, it->name, lit, err, sizeof err);
    if (st == VG_ENOMEM) { t->oom = 1; return 1; }
    if (st != VG_OK) {
      cc_error(&t->c, it->a->loc, DIAG_E_TEST, "set %s: %s", it->name, err);
      errors++;
    }
  }
  return errors;
}

/* vg_run's connection for a test: a reader in the box (the time and length
** bounds; its statements are Vigil's, over the tables and views the
** test's box made and checked). */
static int box_run(void *ud, sqlite3 *db) {
  tr *t = ud;
  return schema_box_open(&t->run_box, db, t->o->sql_seconds, 0);
}

/* Does the test name (or PACK/NAME) match vg_test_opts.run? */
static int selected(tr *t, const char *pattern, const char *name) {
  if (fnmatch(pattern, name, 0) == 0) return 1;
  size_t np = strlen(t->p->pack), nn = strlen(name);
  char *full = vg_arena_alloc(&t->targ, np + nn + 2);
  if (!full) { t->oom = 1; return 0; }
  memcpy(full, t->p->pack, np);
  full[np] = '/';
  memcpy(full + np + 1, name, nn + 1);
  return fnmatch(pattern, full, 0) == 0;
}

static void run_test(tr *t, const ast *test, vg_test_summary *sum) {
  double t0 = now_seconds();
  t->detail.len = 0;
  if (t->detail.data) t->detail.data[0] = 0;
  vg_arena_free(&t->targ);
  t->alerts.n = 0;
  t->run_failed = 0;
  char *name = vg_arena_strndup(&t->targ, test->str ? test->str : "", test->str ? test->len : 0);
  if (!name) { t->oom = 1; return; }
  if (t->o->run && !selected(t, t->o->run, name)) return;
  int line, col;
  cc_line_col(&t->c, test->loc.file, test->loc.start, &line, &col);
  vg_test_result r;
  memset(&r, 0, sizeof r);
  r.pack = t->p->pack;
  r.name = name;
  r.file = t->c.files[test->loc.file].path;
  r.line = line;
  for (const ast *it = test->b; it; it = it->next) r.expectations += it->kind == D_TEXPECT;

  vg_buf diff = {NULL, 0, 0};
  const ast *as_of = NULL;
  tr_expect *ex = NULL;
  int nex = 0;
  int errors = 0;
  if (t->file_errors[test->loc.file]) {
    vg_buf_printf(&t->detail, "%s: the file has errors (reported above); its tests do not run\n", r.file);
    errors = 1;
  }
  if (!errors) errors = check_items(t, test, &as_of, &ex, &nex);
  if (!t->file_errors[test->loc.file] && !t->oom) errors += set_params(t, test);
  sqlite3 *db = NULL;
  schema_box box;
  memset(&box, 0, sizeof box);
  char uri[128];
  if (!errors && !t->oom) {
    /* the run's state's address too: two calls at once in one process (two
    ** threads) must not share a database */
    snprintf(uri, sizeof uri, "file:vgtest%ld_%p_%lu?mode=memory&cache=shared", (long)getpid(), (void *)t, ++t->seq);
    char err[256];
    if (vg_db_open(uri, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, &db, err, sizeof err) != VG_OK) {
      cc_error(&t->c, test->name_loc, DIAG_E_TEST, "cannot open an in-memory database: %s", err);
      errors++;
    } else if (schema_box_open(&box, db, t->o->sql_seconds, 1) != 0) {
      cc_error(&t->c, test->name_loc, DIAG_E_TEST, "SQLite refuses the settings of the box the test's database is made in (%s)",
               sqlite3_errmsg(db));
      errors++;
    } else if (fill_db(t, &box, test) != 0) {
      errors++;
    }
  }
  if (!errors && !t->oom) {
    char day[16];
    lib_format_date(as_of->a ? as_of->a->date : 0, day);
    vg_run_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.db_path = uri;
    ro.as_of = day;
    ro.dry_run = 1;
    ro.params = t->params;
    ro.diag = on_run_diag;
    ro.ud = t;
    ro.alert = on_alert;
    ro.out_ud = t;
    memset(&t->run_box, 0, sizeof t->run_box);
    const vg_program *prog = t->p;
    vg_status st = exec_run(&prog, 1, &ro, box_run, t);
    /* (the run closed its connection: its box needs no schema_box_close)
    ** Stopped by the time bound, the run is an error whatever it returned:
    ** a read cut short may have looked like the end of a table */
    if (t->run_box.timed_out) {
      vg_diag d;
      memset(&d, 0, sizeof d);
      d.severity = VG_ERROR;
      d.code = vg_dcode_name(DIAG_E_TEST_TIMEOUT);
      char msg[512];
      snprintf(msg, sizeof msg, "the test's run takes too long (more than %g s): look for a slow view in %s",
               t->run_box.seconds, t->schema_path);
      d.message = msg;
      on_run_diag(t, &d);
      errors = 1;
    }
    if (st == VG_ENOMEM) t->oom = 1;
    else if (st != VG_OK) {
      if (!t->run_failed) vg_buf_printf(&t->detail, "the run failed\n");
      errors = 1;
    }
  }
  schema_box_close(&box);
  sqlite3_close(db);
  if (t->oom) { vg_buf_free(&diff); return; }
  if (errors) {
    r.outcome = VG_TEST_ERROR;
    r.diff = t->detail.data ? t->detail.data : "the test has errors\n";
    sum->errors++;
  } else {
    r.alerts = (int)t->alerts.n;
    for (size_t k = 0; k < t->alerts.n; k++)
      if (t->alerts.v[k].rule >= 0 && t->alerts.v[k].tier >= 0) {
        tr_clause *cl = find_clause(t, t->alerts.v[k].rule, t->alerts.v[k].tier);
        if (cl) cl->fired = 1;
      }
    if (compare(t, ex, nex, &diff)) {
      r.outcome = VG_TEST_PASS;
      sum->passed++;
    } else {
      r.outcome = VG_TEST_FAIL;
      r.diff = diff.data ? diff.data : "";
      sum->failed++;
    }
  }
  r.seconds = now_seconds() - t0;
  if (t->o->result) t->o->result(t->o->out_ud, &r);
  vg_buf_free(&diff);
}

/* ---- a PATH ------------------------------------------------------------------------------- */

/* Where each tier clause of the pack is written. */
static int collect_clauses(tr *t) {
  int n = 0;
  for (const ast *d = t->c.decls.head; d; d = d->next)
    if (d->kind == D_RULE && d->loc.file < t->npack_files)
      for (const ast *it = d->b; it; it = it->next) n += it->kind == D_CLAUSE;
  t->clauses = vg_arena_alloc(&t->c.arena, (size_t)(n ? n : 1) * sizeof *t->clauses);
  if (!t->clauses) { t->oom = 1; return -1; }
  for (const ast *d = t->c.decls.head; d; d = d->next) {
    if (d->kind != D_RULE || d->loc.file >= t->npack_files) continue;
    int r = find_rule(t->p, d->name);
    if (r < 0) continue;
    for (const ast *it = d->b; it; it = it->next) {
      if (it->kind != D_CLAUSE) continue;
      int tier = find_tier(t->p, it->name);
      if (tier < 0) continue;
      tr_clause *c = &t->clauses[t->nclauses++];
      c->rule = r;
      c->tier = tier;
      c->file = it->loc.file;
      int col;
      cc_line_col(&t->c, it->loc.file, it->loc.start, &c->line, &col);
    }
  }
  if (t->nclauses > 1) qsort(t->clauses, (size_t)t->nclauses, sizeof *t->clauses, cmp_clause);
  int n2 = 0; /* one per rule and tier (a compiled pack has no duplicates; kept safe) */
  for (int i = 0; i < t->nclauses; i++)
    if (n2 == 0 || cmp_clause(&t->clauses[n2 - 1], &t->clauses[i]) != 0) t->clauses[n2++] = t->clauses[i];
  t->nclauses = n2;
  return 0;
}

vg_status vg_test_path(const char *path, const vg_test_opts *o, vg_test_summary *sum) {
  vg_test_opts none;
  vg_test_summary scratch;
  if (!o) { memset(&none, 0, sizeof none); o = &none; }
  if (!sum) { memset(&scratch, 0, sizeof scratch); sum = &scratch; }
  tr *t = vg_realloc(NULL, sizeof *t);
  if (!t) return VG_ENOMEM;
  memset(t, 0, sizeof *t);
  t->o = o;
  t->path = path;
  t->c.diag = on_cc_diag;
  t->c.ud = t;
  t->c.max_errors = 1000000;
  vg_status rc = VG_OK;
  tr_paths packs = {0}, tests = {0};

  struct stat st;
  if (stat(path, &st) != 0) {
    cc_error_plain(&t->c, "%s: %s", path, strerror(errno));
    rc = VG_EIO;
    goto done;
  }
  if (S_ISDIR(st.st_mode)) {
    if (list_rules(t, path, &packs) != 0) goto done;
    char *tdir = join(t, path, "tests");
    struct stat ls;
    if (tdir && !o->follow_symlinks && lstat(tdir, &ls) == 0 && S_ISLNK(ls.st_mode)) {
      cc_error_plain(&t->c, "%s: a symbolic link, not read: test files are read from a folder of the pack, unless following links is "
                     "asked for", tdir);
      rc = VG_EINPUT;
      goto done;
    }
    if (!tdir || list_rules(t, tdir, &tests) != 0) goto done;
    t->schema_path = join(t, path, "schema.sql");
  } else {
    if (!compile_has_suffix(path, ".rules")) {
      cc_error_plain(&t->c, "%s: vigil test needs a pack folder or a .rules file (the tests are in the rules' source)", path);
      rc = VG_EINPUT;
      goto done;
    }
    if (vg_vec_push(&packs, (char *)path) != 0) { t->oom = 1; goto done; }
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    t->schema_path = vg_arena_alloc(&t->c.arena, dl + 11);
    if (!t->schema_path) { t->oom = 1; goto done; }
    memcpy(t->schema_path, path, dl);
    memcpy(t->schema_path + dl, "schema.sql", 11);
  }
  if (!t->schema_path) goto done;
  size_t slen;
  char why[256];
  t->schema_sql = compile_read_file(t->schema_path, &slen, VG_MAX_FILE_SIZE, read_flags(t) | COMPILE_READ_TEXT, why, sizeof why);
  if (!t->schema_sql) {
    if (errno == ENOMEM) { t->oom = 1; goto done; }
    if (compile_read_refused(errno)) cc_error_plain(&t->c, "%s: %s", t->schema_path, why);
    else
      cc_error_plain(&t->c, "%s: cannot read the pack's schema: %s (vigil test builds each test's database from it)",
                     t->schema_path, strerror(errno));
    rc = VG_EINPUT;
    goto done;
  }

  /* the program the tests run */
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.schema_path = t->schema_path;
  co.follow_symlinks = o->follow_symlinks;
  co.diag = o->diag;
  co.ud = o->ud;
  rc = vg_compile_path(path, &co, &t->p);
  if (rc != VG_OK) goto done;

  /* the pack's files again (their errors were the compile's to report), then the tests' */
  t->c.diag = NULL;
  for (size_t i = 0; i < packs.n && !t->oom; i++) {
    int fi = add_file(t, packs.v[i]);
    if (fi < 0) { rc = t->oom ? VG_ENOMEM : VG_EIO; goto done; }
    parse_source(&t->c, fi, PARSE_FILE, 0, 0, NULL);
  }
  t->npack_files = t->c.nfiles;
  t->c.diag = on_cc_diag;
  t->c.nerrors = 0;
  for (size_t i = 0; i < tests.n && !t->oom; i++) {
    int fi = add_file(t, tests.v[i]);
    if (fi < 0) { rc = t->oom ? VG_ENOMEM : VG_EIO; goto done; }
    int before = t->c.nerrors;
    ast *last = t->c.decls.tail;
    parse_source(&t->c, fi, PARSE_FILE, 0, 0, NULL);
    for (const ast *d = last ? last->next : t->c.decls.head; d; d = d->next)
      if (d->kind != D_TEST)
        cc_error(&t->c, d->name_loc.end > d->name_loc.start ? d->name_loc : d->loc, DIAG_E_TEST,
                 "a file under tests/ holds test blocks only; this declaration belongs in the pack");
    t->file_errors[fi] = t->c.nerrors - before;
  }
  if (t->oom) goto done;
  if (schema_load_sql(&t->c, t->schema_path, t->schema_sql, 0) != 0) { rc = t->c.oom ? VG_ENOMEM : VG_EINPUT; goto done; }
  if (collect_clauses(t) != 0) goto done;
  int before = sum->failed + sum->errors;
  for (const ast *d = t->c.decls.head; d && !t->oom; d = d->next)
    if (d->kind == D_TEST) run_test(t, d, sum);
  if (t->oom) goto done;

  for (int i = 0; i < t->nclauses; i++) {
    const tr_clause *c = &t->clauses[i];
    vg_test_clause vc;
    vc.pack = t->p->pack;
    vc.rule = t->p->rules[c->rule].name;
    vc.tier = t->p->tiers[c->tier];
    vc.file = t->c.files[c->file].path;
    vc.line = c->line;
    vc.covered = c->fired != 0;
    sum->clauses++;
    sum->covered += vc.covered;
    if (o->clause) o->clause(o->out_ud, &vc);
  }
  if (sum->failed + sum->errors > before || t->c.nerrors) rc = VG_EINPUT;

done:
  if (t->oom || t->c.oom) rc = VG_ENOMEM;
  vg_vec_free(&packs);
  vg_vec_free(&tests);
  vg_free(t->schema_sql);
  vg_vec_free(&t->alerts);
  vg_buf_free(&t->detail);
  vg_arena_free(&t->targ);
  vg_free_program(t->p);
  vg_params_free(t->params);
  vg_arena_free(&t->c.arena);
  vg_free(t);
  return rc;
}
