/*
** fuzz_schema.c — libFuzzer target: arbitrary bytes as a pack's schema.sql.
**
** The bytes are written to a file and loaded the way `vigil check --schema
** FILE` and a pack's schema.sql are (vg_compile_string with
** opts.schema_path: the file is read, refused if it holds a NUL, then run in
** the box of compiler/schema.c), and a small fixed pack is compiled against
** it.  The same text also goes straight into a fresh box (schema_box_open,
** schema_box_exec), whose database is then looked at.  When the pack
** compiles, `vigil test` runs its test on a pack folder holding the same
** schema.sql (vg_test_path: each test's database is made in the box and the
** run reads the schema's tables and views in a reader box), so the rows'
** inserts and the run are fuzzed too.  The fuzz build lowers the box's time
** bound to 1 s (-DSCHEMA_BOX_SECONDS=1.0, fuzz/build.sh): an input that hits
** it costs 1 s, and an input the box cannot stop shows as a libFuzzer
** timeout (10 s).  Aborts (a finding) when:
**   - a sanitizer reports anything (ASan, UBSan, leaks), or memory or time
**     runs past libFuzzer's limits (fuzz_schema.options: 2 GiB, 10 s): the
**     box bounds both;
**   - a schema the box accepted holds anything but tables, indexes and views
**     in main (a trigger, a virtual table, a temp object);
**   - the box and the compile disagree on whether the text loads (when
**     neither ran out of time);
**   - the compiler reports an internal error.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "vigil.h"
#include "../compiler/ast.h"

static char dir[256], schema_path[300], pack_schema[320];
static volatile unsigned sink;
static int loaded_msg;   /* the compile said the schema does not load */
static int timed_msg;    /* ... because it took too long */
static int text_msg;     /* the file was refused before the box: not UTF-8 text */

static const char RULES[] =
  "source s { table t key k time d }\n"
  "source sv { table v key k time d }\n"
  "rule r on s { red when x > 0 message \"{x}\" }\n"
  "rule rv on sv { yellow when x > 1 }\n";

static const char TESTS[] =
  "test \"fuzz\" {\n"
  "  as_of 2025-01-03\n"
  "  table t (k, d, x) {\n"
  "    (1, 2025-01-01, 5)\n"
  "    (2, 2025-01-02, \"two\")\n"
  "    (1, 2025-01-02, null)\n"
  "  }\n"
  "  expect red r 1\n"
  "}\n";

static void put(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
    fprintf(stderr, "fuzz_schema: cannot write %s\n", path);
    abort();
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  snprintf(dir, sizeof dir, "/tmp/vigil-fuzz-schema-XXXXXX");
  if (!mkdtemp(dir)) abort();
  snprintf(schema_path, sizeof schema_path, "%s/in.sql", dir);
  char path[400];
  snprintf(path, sizeof path, "%s/pack", dir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/pack/tests", dir);
  mkdir(path, 0700);
  snprintf(path, sizeof path, "%s/pack/p.rules", dir);
  put(path, RULES, sizeof RULES - 1);
  snprintf(path, sizeof path, "%s/pack/tests/t.rules", dir);
  put(path, TESTS, sizeof TESTS - 1);
  snprintf(pack_schema, sizeof pack_schema, "%s/pack/schema.sql", dir);
  return 0;
}

static void touch(const char *s, size_t n) {
  unsigned h = 0;
  for (size_t i = 0; i < n; i++) h = h * 31u + (unsigned char)s[i];
  sink += h;
}

static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  if (d->message) {
    touch(d->message, strlen(d->message));
    if (strstr(d->message, "the schema does not load")) loaded_msg = 1;
    if (strstr(d->message, "it takes too long")) timed_msg = 1;
    if (strstr(d->message, "not a text file")) text_msg = 1;
  }
  if (d->file) touch(d->file, strlen(d->file));
  if (d->line_text) touch(d->line_text, d->line_len);
  if (d->code && strcmp(d->code, "E-internal") == 0) {
    fprintf(stderr, "fuzz_schema: the compiler reported: %s\n", d->message);
    abort();
  }
}

static void on_result(void *ud, const vg_test_result *r) {
  (void)ud;
  if (r->diff) touch(r->diff, strlen(r->diff));
}

/* The box's database after an accepted schema: tables, indexes and views
** of main only. */
static void check_db(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT type, name FROM main.sqlite_schema WHERE type NOT IN ('table', 'index', 'view')"
                         " OR sql LIKE 'create virtual%' UNION ALL SELECT type, name FROM temp.sqlite_schema",
                         -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "fuzz_schema: cannot look at the box's database: %s\n", sqlite3_errmsg(db));
    abort();
  }
  if (sqlite3_step(st) == SQLITE_ROW) {
    fprintf(stderr, "fuzz_schema: the box accepted a %s named %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
    abort();
  }
  sqlite3_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  put(schema_path, data, size);

  /* 1. the path of vigil check --schema FILE */
  loaded_msg = timed_msg = text_msg = 0;
  vg_compile_opts o;
  memset(&o, 0, sizeof o);
  o.schema_path = schema_path;
  o.diag = on_diag;
  vg_program *p = NULL;
  vg_status st = vg_compile_string("fuzz.rules", RULES, sizeof RULES - 1, NULL, &o, &p);
  if (st != VG_OK && p) { fprintf(stderr, "fuzz_schema: status %d with a program\n", (int)st); abort(); }
  if (st == VG_OK && !p) { fprintf(stderr, "fuzz_schema: VG_OK without a program\n"); abort(); }
  vg_free_program(p);

  /* 2. the same text in a fresh box (up to a NUL, which step 1 refuses) */
  if (!memchr(data, 0, size)) {
    char *sql = malloc(size + 1);
    if (!sql) abort();
    memcpy(sql, data, size);
    sql[size] = 0;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) abort();
    schema_box box;
    if (schema_box_open(&box, db, 0, 1) != 0) { fprintf(stderr, "fuzz_schema: no box: %s\n", sqlite3_errmsg(db)); abort(); }
    char err[1024];
    int rc = schema_box_exec(&box, sql, err, sizeof err);
    touch(err, rc ? strlen(err) : 0);
    if (rc == 0) check_db(db);
    int timed = box.timed_out;
    schema_box_close(&box);
    sqlite3_close(db);
    free(sql);
    /* a file that is not UTF-8 text never reaches the box of step 1 */
    if (!timed && !timed_msg && !text_msg && (rc == 0) == (loaded_msg != 0)) {
      fprintf(stderr, "fuzz_schema: the box %s the schema and the compile %s it\n", rc == 0 ? "loads" : "refuses",
              loaded_msg ? "refuses" : "loads");
      abort();
    }
  }

  /* 3. vigil test on a pack with this schema.sql, when the pack compiles */
  if (st == VG_OK) {
    put(pack_schema, data, size);
    vg_test_opts to;
    memset(&to, 0, sizeof to);
    to.diag = on_diag;
    to.result = on_result;
    to.sql_seconds = 1;
    vg_test_summary sum;
    memset(&sum, 0, sizeof sum);
    char path[400];
    snprintf(path, sizeof path, "%s/pack", dir);
    vg_test_path(path, &to, &sum);
  }
  return 0;
}
