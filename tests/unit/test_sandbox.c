/*
** test_sandbox.c — issue 11 items 1 and 3: the box a pack's SQL runs in
** (compiler/schema.c, schema_box_*).
**
**   A pack's schema.sql is run by `vigil check`, `compile`, `disasm` (through
**   vg_compile_path) and `vigil test` (vg_test_path: the compile, then each
**   test's in-memory database, its rows and its run).  It is not trusted:
**   it may only create tables, indexes and views and insert rows of values,
**   call a short list of functions, and stay within a time bound, a length
**   bound on every value and statement, a size bound on its database and a
**   bound on how far its views expand.
**
**   Each finding of the issue is a regression test here (fts3_tokenizer()
**   crashing and leaking an address, randomblob in a recursive CTE, zeroblob
**   doubled until the machine runs out of memory, a trigger that hangs
**   `vigil test`), then one test per refused kind of statement or function,
**   what a schema may still do (the shipped schema.sql files included), a
**   NUL byte, each bound (value and statement length, database size, view
**   expansion, the time bound of a test's database and of its run), and the
**   message each refusal gives.
**
** Tests that could crash, hang or exhaust memory run in a child process
** (alarm and, without AddressSanitizer, RLIMIT_AS), so a crash, a hang or an
** out-of-memory is a failed assertion.  No test measures time: the time
** bound is shortened through vg_test_opts.sql_seconds and its message
** asserted.
*/
#include <signal.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "vigil.h"
#include "unit.h"

#if defined(__SANITIZE_ADDRESS__)
#define SB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_ASAN 1
#endif
#endif
#ifndef SB_ASAN
#define SB_ASAN 0
#endif

/* ---- diagnostics ---------------------------------------------------------------- */

static char sb_diags[16384];

static void sb_diag(void *ud, const vg_diag *d) {
  (void)ud;
  size_t n = strlen(sb_diags);
  snprintf(sb_diags + n, sizeof sb_diags - n, "%s%s\n", d->severity == VG_ERROR ? "error: " : "", d->message ? d->message : "");
}

/* The results of vg_test_path: each test's diff goes to the diagnostics. */
static void sb_result(void *ud, const vg_test_result *r) {
  (void)ud;
  size_t n = strlen(sb_diags);
  snprintf(sb_diags + n, sizeof sb_diags - n, "test %s: %d %s\n", r->name, (int)r->outcome, r->diff ? r->diff : "");
}

static int has(const char *out, const char *text) {
  if (strstr(out, text)) return 1;
  fprintf(stderr, "\n  no [%s] in:\n%s\n", text, out);
  return 0;
}

/* ---- the pack ------------------------------------------------------------------- */

static char sb_dir[256];

static const char *tmp_dir(void) {
  if (!sb_dir[0]) {
    snprintf(sb_dir, sizeof sb_dir, "/tmp/vigil-sandbox-XXXXXX");
    if (!mkdtemp(sb_dir)) sb_dir[0] = 0;
  }
  return sb_dir;
}

static int put_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t n = strlen(text);
  int ok = fwrite(text, 1, n, f) == n;
  return fclose(f) == 0 && ok ? 0 : -1;
}

static const char *const TABLE_T = "CREATE TABLE t(k INTEGER, d DATE, x REAL);\n";
static const char *const RULES = "source s { table t key k time d }\nrule r on s { red when x > 0 }\n";
static const char *const TESTS =
  "test \"one\" {\n  as_of 2025-01-02\n  table t (k, d, x) {\n    (1, 2025-01-01, 5)\n  }\n  expect red r 1\n}\n";

/* The pack folder tmp/pack: RULES (or rules), schema.sql = schema and
** tests/t.rules = tests (TESTS when NULL).  Returns its path. */
static const char *make_pack_with(const char *schema, const char *rules, const char *tests) {
  static char pack[320];
  char path[400], cmd[800];
  snprintf(pack, sizeof pack, "%s/pack", tmp_dir());
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/tests'", pack, pack);
  if (system(cmd) != 0) return NULL;
  snprintf(path, sizeof path, "%s/p.rules", pack);
  if (put_file(path, rules ? rules : RULES) != 0) return NULL;
  snprintf(path, sizeof path, "%s/schema.sql", pack);
  if (put_file(path, schema) != 0) return NULL;
  snprintf(path, sizeof path, "%s/tests/t.rules", pack);
  if (put_file(path, tests ? tests : TESTS) != 0) return NULL;
  return pack;
}

static const char *make_pack(const char *schema) { return make_pack_with(schema, NULL, NULL); }

/* ---- children ------------------------------------------------------------------- */

/* What a child does: the pack, and whether to compile it or run its tests. */
static const char *child_pack;
static int child_test;
static double child_seconds;

/* In the child: alarm, a memory bound, then compile or test; writes the
** status and the diagnostics to fd. */
static void child_main(int fd) {
  alarm(60);
#if !SB_ASAN
  struct rlimit rl = {(rlim_t)2 << 30, (rlim_t)2 << 30}; /* 2 GiB of address space */
  setrlimit(RLIMIT_AS, &rl);
#endif
  sb_diags[0] = 0;
  vg_status st;
  if (child_test) {
    vg_test_opts o;
    memset(&o, 0, sizeof o);
    o.diag = sb_diag;
    o.result = sb_result;
    o.sql_seconds = child_seconds;
    vg_test_summary sum;
    memset(&sum, 0, sizeof sum);
    st = vg_test_path(child_pack, &o, &sum);
  } else {
    vg_compile_opts co;
    memset(&co, 0, sizeof co);
    co.diag = sb_diag;
    vg_program *p = NULL;
    st = vg_compile_path(child_pack, &co, &p);
    vg_free_program(p);
  }
  dprintf(fd, "%d\n%s", (int)st, sb_diags);
}

/* Run child_main on pack in a child process; out receives the status line
** and the diagnostics.  Returns 1 when the child exited normally. */
static int in_child(const char *pack, int test, double seconds, char *out, size_t cap) {
  child_pack = pack;
  child_test = test;
  child_seconds = seconds;
  int p[2];
  out[0] = 0;
  if (!pack || pipe(p) != 0) return 0;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return 0;
  }
  if (pid == 0) {
    close(p[0]);
    child_main(p[1]);
    close(p[1]);
    _exit(0);
  }
  close(p[1]);
  size_t n = 0;
  ssize_t k;
  while (n + 1 < cap && (k = read(p[0], out + n, cap - 1 - n)) > 0) n += (size_t)k;
  out[n] = 0;
  close(p[0]);
  int st;
  if (waitpid(pid, &st, 0) < 0) return 0;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 1;
  if (WIFSIGNALED(st)) fprintf(stderr, "\n  the child process died of signal %d\n", WTERMSIG(st));
  else fprintf(stderr, "\n  the child process failed (wait status %d)\n", st);
  return 0;
}

/* The pack with schema compiles (test 0) or tests (1) in a child, which
** exits normally with VG_EINPUT and a message holding each of the texts
** (NULL-terminated). */
static void refused_in_child(const char *schema, int test, const char *const *texts) {
  char out[16384];
  CU_ASSERT_TRUE(in_child(make_pack(schema), test, 0, out, sizeof out));
  CU_ASSERT_EQUAL(atoi(out), VG_EINPUT);
  for (int i = 0; texts[i]; i++) CU_ASSERT_TRUE(has(out, texts[i]));
}

/* ---- in process ------------------------------------------------------------------- */

/* Compile RULES against schema (vg_compile_string: --schema FILE and
** schema.sql take the same path). */
static vg_status compile_with(const char *schema) {
  sb_diags[0] = 0;
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = sb_diag;
  vg_program *p = NULL;
  vg_status st = vg_compile_string("t.rules", RULES, strlen(RULES), schema, &co, &p);
  vg_free_program(p);
  return st;
}

static const char *const ONLY = "is not allowed in a schema (only CREATE TABLE, CREATE INDEX, CREATE VIEW and INSERT of rows)";

/* ======================================================================== */
/* The findings                                                             */
/* ======================================================================== */

/* Regression (fixed): a pack's schema.sql registered a tokenizer at an
** address of its choosing with fts3_tokenizer() and used it in an FTS3
** table: vigil check, compile, disasm and test died of SIGSEGV with the
** instruction pointer read from 0x4141414141414141.  Expected: the schema is
** refused, cleanly, by check/compile/disasm (vg_compile_path) and by test
** (vg_test_path). */
static const char *const FTS3_BOOM =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL);\n"
  "SELECT fts3_tokenizer('simple', x'4141414141414141');\n"
  "CREATE VIRTUAL TABLE boom USING fts3(a, tokenize=simple);\n"
  "INSERT INTO boom VALUES ('x');\n";

static void test_fts3_tokenizer_compile(void) {
  const char *const texts[] = {"schema.sql: the schema does not load: line 2: the function fts3_tokenizer() is not allowed in a schema", NULL};
  refused_in_child(FTS3_BOOM, 0, texts);
}

static void test_fts3_tokenizer_test(void) {
  const char *const texts[] = {"the function fts3_tokenizer() is not allowed in a schema", NULL};
  refused_in_child(FTS3_BOOM, 1, texts);
}

/* The same with the virtual table alone: refused before the tokenizer is
** looked up. */
static void test_fts3_table_alone(void) {
  const char *const texts[] = {"line 2: CREATE VIRTUAL TABLE ", ONLY, NULL};
  refused_in_child("CREATE TABLE t(k INTEGER, d DATE, x REAL);\nCREATE VIRTUAL TABLE boom USING fts3(a, tokenize=simple);\n", 0, texts);
}

/* Regression (fixed): hex(fts3_tokenizer('simple')) gave the address of the
** tokenizer module inside libsqlite3 (an ASLR leak), into a table of the
** schema or, through a view, into an alert of `vigil test`.  Expected:
** refused, in a statement, a DEFAULT and a view. */
static void test_fts3_tokenizer_leak(void) {
  CU_ASSERT_EQUAL(compile_with("CREATE TABLE t(k INTEGER, d DATE, x REAL);"
                               "CREATE TABLE leak AS SELECT hex(fts3_tokenizer('simple')) AS h;"),
                  VG_EINPUT);
  CU_ASSERT_TRUE(has(sb_diags, "is not allowed in a schema"));
  CU_ASSERT_EQUAL(compile_with("CREATE TABLE t(k INTEGER, d DATE, x REAL, h TEXT DEFAULT (fts3_tokenizer('simple')));"), VG_EINPUT);
  CU_ASSERT_TRUE(has(sb_diags, "the function fts3_tokenizer() is not allowed in a schema"));
  /* through a view into an alert's message */
  const char *const texts[] = {"the function fts3_tokenizer() is not allowed in a schema", NULL};
  char out[16384];
  CU_ASSERT_TRUE(in_child(make_pack_with("CREATE TABLE t0(k INTEGER, d DATE, x REAL);\n"
                                         "CREATE VIEW t AS SELECT k, d, x, fts3_tokenizer('simple') AS h FROM t0;\n",
                                         "source s { table t key k time d }\nrule r on s { red when x > 0 message \"{h}\" }\n",
                                         "test \"leak\" {\n  as_of 2025-01-02\n  table t0 (k, d, x) {\n    (1, 2025-01-01, 5)\n  }\n"
                                         "  expect red r 1 \"\"\n}\n"),
                         1, 0, out, sizeof out));
  CU_ASSERT_EQUAL(atoi(out), VG_EINPUT);
  for (int i = 0; texts[i]; i++) CU_ASSERT_TRUE(has(out, texts[i]));
}

/* Regression (fixed): length(hex(randomblob(200000000))) in a 20-step
** recursive CTE ran for about a minute and passed: each step makes 400 MB,
** and the step-counting progress handler never fired.  Expected: refused at
** once (randomblob() and hex() are not on the list of functions, and a
** recursive WITH is not allowed). */
static void test_randomblob_cte(void) {
  const char *const texts[] = {"schema.sql: the schema does not load: line 2: ", "is not allowed in a schema", NULL};
  refused_in_child("CREATE TABLE t(k INTEGER, d DATE, x REAL);\n"
                   "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20)"
                   " SELECT sum(length(hex(randomblob(200000000)))) FROM c;\n",
                   0, texts);
}

/* Regression (fixed): zeroblob(900000000) doubled by INSERT ... SELECT grew
** until the machine ran out of memory.  Expected: refused (zeroblob() is not
** on the list; an INSERT may not read a table).  The child has 2 GiB of
** address space, so a failure is an assertion, not the machine's memory. */
static void test_zeroblob_doubling(void) {
  const char *const texts[] = {"the function zeroblob() ", "is not allowed in a schema", NULL};
  refused_in_child("CREATE TABLE t(k INTEGER, d DATE, x REAL);\n"
                   "CREATE TABLE z(b);\n"
                   "INSERT INTO z VALUES (zeroblob(900000000));\n"
                   "INSERT INTO z SELECT b FROM z;\nINSERT INTO z SELECT b FROM z;\nINSERT INTO z SELECT b FROM z;\n"
                   "INSERT INTO z SELECT b FROM z;\nINSERT INTO z SELECT b FROM z;\n",
                   0, texts);
  /* the doubling without a function: an INSERT that reads a table */
  const char *const texts2[] = {"line 3: an INSERT that reads a table ", ONLY, NULL};
  refused_in_child("CREATE TABLE t(k INTEGER, d DATE, x REAL);\n"
                   "CREATE TABLE z(b); INSERT INTO z VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');\n"
                   "INSERT INTO z SELECT b FROM z;\nINSERT INTO z SELECT b FROM z;\nINSERT INTO z SELECT b FROM z;\n",
                   0, texts2);
}

/* Regression (fixed): a trigger with an endless recursive CTE passed `vigil
** check` (the DDL only creates it) and hung `vigil test` forever when a
** test's rows were inserted (the progress handler was removed after the
** DDL).  Expected: refused by check and by test; test returns. */
static const char *const ENDLESS_TRIGGER =
  "CREATE TABLE t(k INTEGER, d DATE, x REAL);\n"
  "CREATE TABLE sink(n);\n"
  "CREATE TRIGGER hang AFTER INSERT ON t BEGIN\n"
  "  INSERT INTO sink WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c;\n"
  "END;\n";

static void test_trigger_check(void) {
  const char *const texts[] = {"line 3: CREATE TRIGGER ", ONLY, NULL};
  refused_in_child(ENDLESS_TRIGGER, 0, texts);
}

static void test_trigger_test(void) {
  const char *const texts[] = {"line 3: CREATE TRIGGER ", ONLY, NULL};
  refused_in_child(ENDLESS_TRIGGER, 1, texts);
}

/* ======================================================================== */
/* The class: what a schema may not do                                      */
/* ======================================================================== */

typedef struct sb_case {
  const char *sql;   /* after CREATE TABLE t (line 1) */
  const char *text;  /* in the message */
} sb_case;

/* Each statement (on line 2 of the schema) is refused with a message that
** says what is not allowed. */
static void test_refused(void) {
  static const sb_case cases[] = {
    {"CREATE VIRTUAL TABLE v USING fts5(a);", "line 2: CREATE VIRTUAL TABLE is not allowed in a schema (only CREATE TABLE, CREATE INDEX, CREATE VIEW and INSERT of rows)"},
    {"CREATE VIRTUAL TABLE v USING fts4(a);", "line 2: CREATE VIRTUAL TABLE is not allowed"},
    {"CREATE VIRTUAL TABLE v USING rtree(id, a, b);", "line 2: CREATE VIRTUAL TABLE is not allowed"},
    {"CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; END;", "line 2: CREATE TRIGGER is not allowed"},
    {"CREATE TEMP TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; END;", "line 2: CREATE TEMP TRIGGER is not allowed"},
    {"ATTACH ':memory:' AS o;", "line 2: ATTACH is not allowed"},
    {"DETACH o;", "line 2: DETACH is not allowed"},
    {"PRAGMA writable_schema = 1;", "line 2: PRAGMA is not allowed"},
    {"PRAGMA max_page_count = 1000000000;", "line 2: PRAGMA is not allowed"},
    {"SELECT load_extension('/tmp/nothing.so');", "line 2: the function load_extension() is not allowed in a schema"},
    {"INSERT INTO t VALUES (1, '2025-01-01', random());", "line 2: the function random() is not allowed in a schema"},
    {"INSERT INTO t VALUES (1, '2025-01-01', length(printf('%.*c', 100, 'x')));", "the function printf() is not allowed"},
    {"CREATE TABLE u(a CHECK (hex(a) <> ''));", "line 2: the function hex() is not allowed"},
    {"CREATE TABLE u(a DEFAULT (randomblob(16)));", "line 2: table u, column a: the function randomblob() is not allowed"},
    {"CREATE TABLE u(a, b AS (replace(a, 'x', 'yy')));", "line 2: the function replace() is not allowed"},
    {"CREATE INDEX i ON t(quote(x));", "line 2: the function quote() is not allowed"},
    {"CREATE VIEW v AS SELECT zeroblob(10) AS z FROM t;", "line 2: view v: the function zeroblob() is not allowed"},
    {"CREATE VIEW v AS SELECT x FROM t WHERE x LIKE 'a%';", "line 2: view v: the function like() is not allowed"},
    {"CREATE VIEW v AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT i FROM c;", "line 2: view v: a recursive WITH is not allowed"},
    {"CREATE VIEW w AS SELECT 1 AS a;\nCREATE VIEW v AS SELECT a, sqlite_version() AS s FROM w;", "line 3: view v: the function sqlite_version() is not allowed"},
    {"SELECT 1;", "line 2: a query (a statement that returns rows) is not allowed"},
    {"VALUES (1);", "line 2: a query (a statement that returns rows) is not allowed"},
    {"EXPLAIN CREATE TABLE u(a);", "line 2: a query (a statement that returns rows) is not allowed"},
    {"INSERT INTO t VALUES (1, '2025-01-01', 1) RETURNING k;", "line 2: an INSERT that reads a table is not allowed"},
    {"UPDATE t SET x = 1;", "line 2: UPDATE is not allowed"},
    {"DELETE FROM t;", "line 2: DELETE is not allowed"},
    {"DROP TABLE t;", "line 2: DROP TABLE is not allowed"},
    {"DROP TABLE IF EXISTS gone;", "line 2: DROP TABLE is not allowed"},
    {"ALTER TABLE t ADD COLUMN y;", "line 2: ALTER TABLE is not allowed"},
    {"CREATE TEMP TABLE u(a);", "line 2: CREATE TEMP TABLE is not allowed"},
    {"CREATE TEMP VIEW u AS SELECT 1 AS a;", "line 2: CREATE TEMP VIEW is not allowed"},
    {"VACUUM;", "line 2: VACUUM is not allowed"},
    {"VACUUM INTO '/tmp/vigil-sandbox-vacuum.db';", "line 2: VACUUM is not allowed"},
    {"ANALYZE;", "line 2: ANALYZE is not allowed"},
    {"REINDEX;", "line 2: REINDEX is not allowed"},
    {"CREATE TABLE u AS SELECT 1 AS a;", "line 2: CREATE TABLE ... AS SELECT is not allowed"},
    {"INSERT INTO t SELECT * FROM t;", "line 2: an INSERT that reads a table is not allowed"},
    {"INSERT INTO t VALUES ((SELECT max(k) FROM t), '2025-01-01', 1);", "line 2: an INSERT that reads a table is not allowed"},
    {"INSERT INTO t SELECT * FROM pragma_table_info('t');", "line 2: an INSERT that reads a table is not allowed"},
    {"WITH c(a, b, e) AS (VALUES (4, '2025-01-01', 1)) INSERT INTO t SELECT a, b, e FROM c;", "line 2: an INSERT whose rows come from a query is not allowed"},
    {"INSERT INTO t SELECT a.column1, '2025-01-01', 1 FROM (VALUES (1), (2)) a, (VALUES (1), (2)) b;", "line 2: an INSERT whose rows come from a query is not allowed"},
    {"INSERT INTO t SELECT 1, '2025-01-01', 1 UNION ALL SELECT 2, '2025-01-01', 1;", "line 2: an INSERT whose rows come from a query is not allowed"},
    {"INSERT INTO t VALUES ((SELECT 1), '2025-01-01', (SELECT 2));", "line 2: an INSERT whose rows come from a query is not allowed"},
    {"INSERT INTO sqlite_master VALUES ('table', 'x', 'x', 0, 'CREATE TABLE x(a)');", "line 2: "},
    {"INSERT INTO t VALUES (1, '2025-01-01', 1) ON CONFLICT DO NOTHING;\nCREATE UNIQUE INDEX ui ON t(k);\n"
     "INSERT INTO t VALUES (1, '2025-01-01', 1) ON CONFLICT (k) DO UPDATE SET x = x + 1;", "line 4: an INSERT that reads a table is not allowed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char sql[1024];
    snprintf(sql, sizeof sql, "%s%s\n", TABLE_T, cases[i].sql);
    vg_status st = compile_with(sql);
    CU_ASSERT_EQUAL(st, VG_EINPUT);
    if (st != VG_EINPUT || !strstr(sb_diags, cases[i].text))
      fprintf(stderr, "\n  case %zu: %s\n  status %d, expected [%s] in:\n%s", i, cases[i].sql, (int)st, cases[i].text, sb_diags);
    CU_ASSERT_PTR_NOT_NULL(strstr(sb_diags, cases[i].text));
  }
  CU_ASSERT_NOT_EQUAL(access("/tmp/vigil-sandbox-vacuum.db", F_OK), 0);
}

/* What a schema may do: tables with constraints, defaults (the date
** keywords too), generated columns and the listed functions; indexes,
** partial and on expressions; views, joins and aggregates; transactions;
** rows of values, several per INSERT, or one SELECT of values;
** comments; a forward reference from a view. */
static void test_accepted(void) {
  static const char *const cases[] = {
    "BEGIN; CREATE TABLE u(a INTEGER PRIMARY KEY, b TEXT NOT NULL DEFAULT 'x' CHECK (length(b) < 10), c DATE DEFAULT CURRENT_DATE,"
    " e TEXT DEFAULT (date('now')), f REAL CHECK (abs(f) <= 1 AND round(f, 2) = f), g TEXT AS (upper(b)) STORED,"
    " h TEXT AS (coalesce(lower(b), ifnull(b, nullif(b, '')))), UNIQUE (b, c)); COMMIT;",
    "CREATE TABLE u(a, b DEFAULT CURRENT_TIMESTAMP, c DEFAULT CURRENT_TIME, d DEFAULT (julianday('2025-01-01')),"
    " e DEFAULT (strftime('%Y', 'now')), f DEFAULT (datetime('now')), g DEFAULT (time('now')), h DEFAULT (-1), i DEFAULT 'it''s');",
    "CREATE INDEX i1 ON t(k, d); CREATE UNIQUE INDEX i2 ON t(d, k) WHERE x > 0; CREATE INDEX i3 ON t(abs(x), substr(d, 1, 4));",
    "CREATE VIEW v1 AS SELECT k, max(d) AS d, sum(x) AS x, count(*) AS n, avg(x) AS a, total(x) AS tt, min(x) AS lo FROM t GROUP BY k;"
    " CREATE VIEW v2 AS SELECT a.k, b.d, typeof(a.x) AS ty, iif(a.x > 0, 1, 0) AS pos, substring(b.d, 1, 7) AS m FROM t a JOIN t b ON a.k = b.k;",
    "CREATE VIEW later AS SELECT k FROM u; CREATE TABLE u(k);",
    "INSERT INTO t VALUES (1, '2025-01-01', 1.5), (2, '2025-01-02', NULL); INSERT INTO t(k, d) VALUES (3, date('2025-01-01', '+1 day'));",
    "INSERT INTO t SELECT 4, '2025-01-01', 1; INSERT INTO t DEFAULT VALUES; REPLACE INTO t VALUES (5, '2025-01-01', 2);",
    "SAVEPOINT s; CREATE TABLE u(a); RELEASE s;",
    "-- a comment\n/* another */ CREATE TABLE \"odd name\"(\"a b\" TEXT); INSERT INTO \"odd name\" VALUES ('x');",
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char sql[2048];
    snprintf(sql, sizeof sql, "%s%s\n", TABLE_T, cases[i]);
    vg_status st = compile_with(sql);
    CU_ASSERT_EQUAL(st, VG_OK);
    if (st != VG_OK) fprintf(stderr, "\n  case %zu not accepted: %s\n%s", i, cases[i], sb_diags);
  }
}

/* A NUL byte in schema.sql: SQLite would stop reading there, and a trigger
** after it would go unseen by the reader of the file; refused with its
** line. */
static void test_nul_byte(void) {
  char path[400];
  const char *pack = make_pack(TABLE_T);
  CU_ASSERT_PTR_NOT_NULL_FATAL(pack);
  snprintf(path, sizeof path, "%s/schema.sql", pack);
  static const char text[] = "CREATE TABLE t(k INTEGER, d DATE, x REAL);\n\nCREATE TABLE u(a);\0CREATE TABLE v(b);\n";
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fwrite(text, 1, sizeof text - 1, f);
  fclose(f);
  sb_diags[0] = 0;
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = sb_diag;
  vg_program *p = NULL;
  CU_ASSERT_EQUAL(vg_compile_path(pack, &co, &p), VG_EINPUT);
  vg_free_program(p);
  /* a file with a NUL byte is not text: refused when it is read, before the
  ** box (which would refuse it too) */
  CU_ASSERT_TRUE(has(sb_diags, "schema.sql: not a text file: line 3 has a NUL byte"));
}

/* The shipped packs' schema.sql files load through the box (the golden and
** testrunner suites run their tests too), and so do the fuzzers' and the
** error goldens'. */
static void test_shipped_schemas(void) {
  /* every pack of examples/ (globbed: a new pack is covered), then the others */
  const char *root = getenv("VIGIL_ROOT");
  char pattern[512];
  snprintf(pattern, sizeof pattern, "%s/examples/*/schema.sql", root ? root : ".");
  glob_t g;
  memset(&g, 0, sizeof g);
  CU_ASSERT_EQUAL_FATAL(glob(pattern, 0, NULL, &g), 0);
  CU_ASSERT(g.gl_pathc >= 4);
  static const char *const others[] = {"fuzz/schema.sql", "tests/golden/errors/schema.sql", "bench/rules/nightly/schema.sql"};
  size_t nfiles = g.gl_pathc + sizeof others / sizeof *others;
  for (size_t i = 0; i < nfiles; i++) {
    char path[512];
    const char *file = i < g.gl_pathc ? g.gl_pathv[i] : others[i - g.gl_pathc];
    if (i < g.gl_pathc) snprintf(path, sizeof path, "%s", file);
    else snprintf(path, sizeof path, "%s/%s", root ? root : ".", file);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (!f) continue;
    static char sql[1 << 20];
    size_t n = fread(sql, 1, sizeof sql - 1, f);
    fclose(f);
    sql[n] = 0;
    sb_diags[0] = 0;
    vg_compile_opts co;
    memset(&co, 0, sizeof co);
    co.diag = sb_diag;
    vg_program *p = NULL;
    /* any rules: only the schema's loading is looked at */
    static const char rules[] = "param p = 1\n";
    vg_status st = vg_compile_string("t.rules", rules, sizeof rules - 1, sql, &co, &p);
    vg_free_program(p);
    CU_ASSERT_EQUAL(st, VG_OK);
    if (st != VG_OK) fprintf(stderr, "\n  %s does not load:\n%s", file, sb_diags);
  }
  globfree(&g);
}

/* ======================================================================== */
/* The bounds                                                               */
/* ======================================================================== */

/* No value (string, blob or row) longer than 1 000 000 bytes: a generated
** column that doubles a 600 KB text, and a statement over the same length. */
static void test_value_length(void) {
  size_t big = 600000;
  char *sql = malloc(2 * big + 512);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sql);
  int n = snprintf(sql, 512, "%sCREATE TABLE u(a TEXT, b TEXT AS (a || a) STORED);\nINSERT INTO u(a) VALUES ('", TABLE_T);
  memset(sql + n, 'a', big);
  strcpy(sql + n + big, "');\n");
  CU_ASSERT_EQUAL(compile_with(sql), VG_EINPUT);
  CU_ASSERT_TRUE(has(sb_diags, "line 3: a value longer than 1000000 bytes"));
  /* a statement longer than that */
  n = snprintf(sql, 512, "%sCREATE TABLE u(a TEXT);\nINSERT INTO u VALUES ('", TABLE_T);
  memset(sql + n, 'a', big);
  n += (int)big;
  n += snprintf(sql + n, 16, "' || '");
  memset(sql + n, 'a', big);
  strcpy(sql + n + big, "');\n");
  CU_ASSERT_EQUAL(compile_with(sql), VG_EINPUT);
  CU_ASSERT_TRUE(has(sb_diags, "line 3: a statement longer than 1000000 bytes"));
  free(sql);
}

/* The schema's database holds at most 64 MiB: rows of values whose default
** is a 500 KB text fill it up (a DEFAULT multiplies a statement's size by
** its rows), and the schema is refused with the bound in the message.  In a
** child with 2 GiB of address space. */
static void test_database_size(void) {
  size_t big = 500000;
  char *sql = malloc(big + 4096);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sql);
  int n = snprintf(sql, 512, "%sCREATE TABLE u(a INTEGER, b TEXT DEFAULT '", TABLE_T);
  memset(sql + n, 'b', big);
  n += (int)big;
  n += snprintf(sql + n, 64, "');\nINSERT INTO u(a) VALUES (0)");
  for (int i = 1; i < 200; i++) n += snprintf(sql + n, 16, ",(%d)", i);
  snprintf(sql + n, 8, ";\n");
  const char *const texts[] = {"line 3: its tables hold more than 64 MiB", NULL};
  refused_in_child(sql, 0, texts);
  free(sql);
}

/* Views expand where they are read, each time, all while a statement is
** prepared (no progress handler runs then): eight views, each four times
** the one before, expand 4^8 times.  The check of the views stops at 20000
** parts, with a message that says so. */
static void test_view_expansion(void) {
  char sql[4096];
  int n = snprintf(sql, sizeof sql, "%sCREATE VIEW v0 AS SELECT k, d, x FROM t;\n", TABLE_T);
  for (int i = 1; i <= 8; i++)
    n += snprintf(sql + n, sizeof sql - (size_t)n,
                  "CREATE VIEW v%d AS SELECT k, d, x FROM v%d UNION ALL SELECT k, d, x FROM v%d"
                  " UNION ALL SELECT k, d, x FROM v%d UNION ALL SELECT k, d, x FROM v%d;\n",
                  i, i - 1, i - 1, i - 1, i - 1);
  CU_ASSERT_EQUAL(compile_with(sql), VG_EINPUT);
  CU_ASSERT_TRUE(has(sb_diags, ": too large once the views it reads are expanded (more than 20000 parts)"));
  CU_ASSERT_TRUE(has(sb_diags, "line 8: view v6: "));
}

/* The time bound stays on for a test's run: a view of a five-way join of
** 100 rows (10^10 rows) read by a rule would run for hours.  vigil test
** stops it at the bound (shortened to 0.5 s for the test) with a message
** that says so, and the other tests of the pack still run. */
static void test_run_time_bound(void) {
  char schema[4096];
  int n = snprintf(schema, sizeof schema, "CREATE TABLE n(i INTEGER);\nINSERT INTO n VALUES (0)");
  for (int i = 1; i < 100; i++) n += snprintf(schema + n, sizeof schema - (size_t)n, ",(%d)", i);
  snprintf(schema + n, sizeof schema - (size_t)n,
           ";\nCREATE TABLE t0(k INTEGER, d DATE, x REAL);\n"
           "CREATE VIEW t AS SELECT k, d, (SELECT count(*) FROM n a, n b, n c, n e, n f) AS x FROM t0;\n");
  static const char tests[] =
    "test \"slow\" {\n  as_of 2025-01-02\n  table t0 (k, d, x) {\n    (1, 2025-01-01, 5)\n  }\n  expect red r 1\n}\n";
  char out[16384];
  CU_ASSERT_TRUE(in_child(make_pack_with(schema, NULL, tests), 1, 0.5, out, sizeof out));
  CU_ASSERT_EQUAL(atoi(out), VG_EINPUT);
  CU_ASSERT_TRUE(has(out, "the test's run takes too long (more than 0.5 s)"));
}

/* The time bound of a test's database (schema.sql, then the rows): no
** statement a schema may run is slow (the rows of an INSERT are values, the
** database has 64 MiB), so the bound is shown with one that has run out
** before the first statement, 1e-9 s; the test is an error whose message
** names the bound.  (vigil check and compile load the schema through the
** same schema_box_exec, with the default bound.) */
static void test_schema_time_bound(void) {
  char out[16384];
  CU_ASSERT_TRUE(in_child(make_pack(TABLE_T), 1, 1e-9, out, sizeof out));
  CU_ASSERT_EQUAL(atoi(out), VG_EINPUT);
  CU_ASSERT_TRUE(has(out, "schema.sql: cannot create the schema: line 1: it takes too long (more than 1e-09 s)"));
}

/* The default bound does not get in the way of a cheap pack's tests. */
static void test_time_bound_default(void) {
  char out[16384];
  CU_ASSERT_TRUE(in_child(make_pack(TABLE_T), 1, 0, out, sizeof out));
  CU_ASSERT_EQUAL(atoi(out), VG_OK);
}

static int cleanup(void) {
  if (sb_dir[0]) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sb_dir);
    if (system(cmd) != 0) return 1;
    sb_dir[0] = 0;
  }
  return 0;
}

int unit_register_sandbox(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } tests[] = {
    {"regression: fts3_tokenizer() in schema.sql, compile (child)", test_fts3_tokenizer_compile},
    {"regression: fts3_tokenizer() in schema.sql, vigil test (child)", test_fts3_tokenizer_test},
    {"regression: an FTS3 table in schema.sql (child)", test_fts3_table_alone},
    {"regression: hex(fts3_tokenizer()) leaks no address", test_fts3_tokenizer_leak},
    {"regression: randomblob() in a recursive CTE (child)", test_randomblob_cte},
    {"regression: zeroblob() doubled by INSERT ... SELECT (child, RLIMIT_AS)", test_zeroblob_doubling},
    {"regression: an endless trigger, check (child)", test_trigger_check},
    {"regression: an endless trigger, vigil test (child)", test_trigger_test},
    {"box: each kind of statement and function refused, with its message", test_refused},
    {"box: what a schema may do", test_accepted},
    {"box: the shipped schema.sql files load", test_shipped_schemas},
    {"box: a NUL byte in schema.sql", test_nul_byte},
    {"box: a value longer than 1000000 bytes", test_value_length},
    {"box: a database over 64 MiB (child)", test_database_size},
    {"box: views that expand too far", test_view_expansion},
    {"box: a test's run has a time bound (child)", test_run_time_bound},
    {"box: a test's database has a time bound (child)", test_schema_time_bound},
    {"box: the time bound leaves a cheap test alone (child)", test_time_bound_default},
  };
  CU_pSuite s = CU_add_suite("sandbox: the box for a pack's SQL", NULL, cleanup);
  if (!s) return (int)CU_get_error();
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}
