/*
** embed.c — a C program that embeds libvigil, as an application would:
** built against the installed library through pkg-config
**
**   cc embed.c $(pkg-config --cflags --libs vigil sqlite3) -o embed
**
** (tests/embed/run.sh builds it so, against the shared and the static
** library, and runs it; make test runs that).  It makes a small sales
** database with SQLite, compiles a pack from a string, evaluates it as of a
** date (a dry run, then with a param overridden, then a recorded run) and
** checks every alert it gets through the callback.
**
**   embed DIR      work in DIR (it must exist); prints nothing when all is
**                  well, exits 1 after naming what went wrong
**   embed --layout the layout of the structs the Python example mirrors
*/
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil.h>

static const char *const RULES =
    "pack embed \"embedding example\"\n"
    "\n"
    "param floor = 100\n"
    "\n"
    "source sales {\n"
    "  table sales\n"
    "  key   rep\n"
    "  time  day\n"
    "}\n"
    "\n"
    "rule low_sales on sales {\n"
    "  red    when amount < floor / 2\n"
    "  orange when amount < floor\n"
    "  message \"rep {rep}: {amount} on {day}, below {floor}\"\n"
    "  notify rep\n"
    "}\n";

static const char *const SCHEMA = "CREATE TABLE sales (rep INTEGER NOT NULL, day DATE NOT NULL, amount REAL);";

/* (rep 3's low value is after the evaluation date: invisible) */
static const char *const ROWS =
    "INSERT INTO sales VALUES (1, '2025-03-01', 120), (1, '2025-03-08', 90), (2, '2025-03-01', 200),"
    " (2, '2025-03-08', 40), (3, '2025-03-08', 150), (3, '2025-03-20', 10);";

static int failures;

static void fail(const char *what) {
  fprintf(stderr, "embed.c: %s\n", what);
  failures++;
}

#define CHECK(cond) ((cond) ? (void)0 : fail(#cond))

/* The alerts of a run, as "TIER KEY RECIPIENT MESSAGE" lines. */
typedef struct seen {
  char text[2048];
  long long run_id;
  long long alerts;
} seen;

/* (the callbacks return 0: nonzero would stop the run, VG_ESTOPPED) */
static int on_alert(void *ud, const vg_alert *a) {
  seen *s = ud;
  size_t len = strlen(s->text);
  snprintf(s->text + len, sizeof s->text - len, "%s %.*s %.*s %.*s\n", a->tier, (int)a->key_len, a->key,
           (int)a->recipient_len, a->recipient ? a->recipient : "", (int)a->message_len,
           a->message ? a->message : "");
  return 0;
}

static int on_summary(void *ud, const vg_run_summary *sum) {
  seen *s = ud;
  s->run_id = sum->run_id;
  s->alerts = sum->alerts;
  return 0;
}

/* Diagnostics: errors are failures unless a check expects them (ud: the
** code seen). */
static void on_diag(void *ud, const vg_diag *d) {
  if (ud) { /* the first error's code */
    if (d->severity == VG_ERROR && !*(char *)ud) snprintf(ud, 64, "%s", d->code ? d->code : "?");
    return;
  }
  if (d->severity == VG_ERROR) {
    fprintf(stderr, "embed.c: unexpected diagnostic: %s: %s\n", d->code ? d->code : "-", d->message);
    failures++;
  }
}

static int make_db(const char *path) {
  sqlite3 *db = NULL;
  remove(path);
  int rc = sqlite3_open(path, &db);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, SCHEMA, NULL, NULL, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, ROWS, NULL, NULL, NULL);
  if (rc != SQLITE_OK) fprintf(stderr, "embed.c: %s: %s\n", path, sqlite3_errmsg(db));
  sqlite3_close(db);
  return rc == SQLITE_OK;
}

/* Evaluate p as of 2025-03-10 with the params ps (may be NULL); 0 on failure. */
static int run(const char *db, const vg_program *p, const vg_params *ps, int dry_run, seen *out) {
  memset(out, 0, sizeof *out);
  const vg_program *progs[] = {p};
  vg_run_opts ro = {
      .db_path = db,
      .params = ps,
      .as_of = "2025-03-10",
      .dry_run = dry_run,
      .diag = on_diag,
      .alert = on_alert,
      .summary = on_summary,
      .out_ud = out,
  };
  vg_status st = vg_run(progs, 1, &ro);
  if (st != VG_OK) fprintf(stderr, "embed.c: vg_run: %s\n", vg_status_name(st));
  return st == VG_OK;
}

static long long count_recorded(const char *path, long long run_id) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  long long n = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "SELECT count(*) FROM vigil_alerts WHERE run_id = ?1", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, run_id);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

/* Each struct the Python example mirrors: "STRUCT SIZE", then
** "STRUCT.FIELD OFFSET" for each field. */
#define SIZE(s) printf("%s %zu\n", #s, sizeof(s))
#define AT(s, f) printf("%s.%s %zu\n", #s, #f, offsetof(s, f))
static int layout(void) {
  SIZE(vg_diag);
  AT(vg_diag, severity), AT(vg_diag, code), AT(vg_diag, file), AT(vg_diag, line), AT(vg_diag, col);
  AT(vg_diag, end_col), AT(vg_diag, line_text), AT(vg_diag, line_len), AT(vg_diag, message);
  SIZE(vg_compile_opts);
  AT(vg_compile_opts, schema_path), AT(vg_compile_opts, db_path), AT(vg_compile_opts, diag);
  AT(vg_compile_opts, ud), AT(vg_compile_opts, max_errors), AT(vg_compile_opts, warnings);
  AT(vg_compile_opts, follow_symlinks);
  SIZE(vg_alert);
  AT(vg_alert, pack), AT(vg_alert, rule), AT(vg_alert, tier), AT(vg_alert, key), AT(vg_alert, as_of);
  AT(vg_alert, message), AT(vg_alert, recipient), AT(vg_alert, status), AT(vg_alert, first_seen);
  AT(vg_alert, runs), AT(vg_alert, evidence), AT(vg_alert, route), AT(vg_alert, key_len);
  AT(vg_alert, message_len), AT(vg_alert, recipient_len);
  SIZE(vg_run_summary);
  AT(vg_run_summary, pack), AT(vg_run_summary, rows_read), AT(vg_run_summary, alerts);
  AT(vg_run_summary, warnings), AT(vg_run_summary, run_id), AT(vg_run_summary, ntiers);
  AT(vg_run_summary, tiers), AT(vg_run_summary, life), AT(vg_run_summary, shard), AT(vg_run_summary, nshards);
  AT(vg_run_summary, shards_missing);
  SIZE(vg_run_opts);
  AT(vg_run_opts, db_path), AT(vg_run_opts, db), AT(vg_run_opts, params), AT(vg_run_opts, as_of);
  AT(vg_run_opts, dry_run), AT(vg_run_opts, strict), AT(vg_run_opts, diag), AT(vg_run_opts, ud);
  AT(vg_run_opts, alert), AT(vg_run_opts, summary), AT(vg_run_opts, progress), AT(vg_run_opts, out_ud);
  AT(vg_run_opts, no_seek), AT(vg_run_opts, evidence), AT(vg_run_opts, step_budget), AT(vg_run_opts, shard);
  AT(vg_run_opts, nshards);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--layout") == 0) return layout();
  if (argc != 2) {
    fprintf(stderr, "usage: embed DIR | embed --layout\n");
    return 2;
  }
  char db[4096];
  snprintf(db, sizeof db, "%s/embed.db", argv[1]);

  /* the library is the one this program was built for */
  CHECK(strcmp(vg_libversion(), VG_VERSION) == 0);
  CHECK(vg_libversion_number() == VG_VERSION_NUMBER);
  CHECK(strcmp(vg_status_name(VG_EDB), "VG_EDB") == 0);
  if (!make_db(db)) return 1;

  /* compile from memory, the columns checked against the schema */
  vg_compile_opts co = {.diag = on_diag};
  vg_program *p = NULL;
  vg_status st = vg_compile_string("embed.rules", RULES, strlen(RULES), SCHEMA, &co, &p);
  CHECK(st == VG_OK && p != NULL);
  if (!p) return 1;
  CHECK(strcmp(vg_program_pack(p), "embed") == 0);
  CHECK(vg_program_rule_count(p) == 1 && strcmp(vg_program_rule_name(p, 0), "low_sales") == 0);
  char *dis = vg_disasm(p);
  CHECK(dis != NULL && strstr(dis, "low_sales") != NULL);
  vg_free(dis);

  /* a dry run: rep 1 under the floor, rep 2 under half of it */
  seen s;
  if (run(db, p, NULL, 1, &s)) {
    CHECK(strcmp(s.text, "orange 1 1 rep 1: 90 on 2025-03-08, below 100\n"
                         "red 2 2 rep 2: 40 on 2025-03-08, below 100\n") == 0);
    CHECK(s.alerts == 2 && s.run_id == 0);
  } else fail("the dry run failed");

  /* the same program with another floor: params belong to the run */
  vg_params *ps = vg_params_new();
  char err[256] = "";
  CHECK(ps != NULL && vg_params_set(ps, p, "floor", "85", err, sizeof err) == VG_OK);
  CHECK(vg_params_set(ps, p, "no_such_param", "1", err, sizeof err) == VG_ENOPARAM);
  if (run(db, p, ps, 1, &s))
    CHECK(strcmp(s.text, "red 2 2 rep 2: 40 on 2025-03-08, below 85\n") == 0);
  else fail("the run with floor=85 failed");
  vg_params_free(ps);

  /* a recorded run: the alerts are in vigil_alerts */
  if (run(db, p, NULL, 0, &s)) {
    CHECK(s.run_id > 0 && s.alerts == 2);
    CHECK(count_recorded(db, s.run_id) == 2);
  } else fail("the recorded run failed");
  vg_free_program(p);

  /* errors come back as a status and coded diagnostics */
  char code[64] = "";
  vg_compile_opts bad = {.diag = on_diag, .ud = code};
  const char *typo = "pack t\nsource s { table sales key rep time day }\nrule r on s { red when amout < 1 }\n";
  p = NULL;
  CHECK(vg_compile_string("typo.rules", typo, strlen(typo), SCHEMA, &bad, &p) == VG_EINPUT && p == NULL);
  CHECK(strcmp(code, "E-unknown-column") == 0);

  if (failures) fprintf(stderr, "embed.c: %d check(s) failed\n", failures);
  return failures ? 1 : 0;
}
