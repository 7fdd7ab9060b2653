/*
** fuzz_run.c — libFuzzer target: arbitrary bytes as a .rules file, compiled
** and then run (STYLE.md 19: "compiles and runs against a tiny database,
** with a step budget").
**
** fuzz_vgc reaches the VM only with programs that survive byte mutations
** and the verifier; this target reaches it with every program the compiler
** accepts, so the runtime (exec, vm, the stdlib, message formatting) sees
** realistic programs over bad data.  The input is compiled against the fuzz
** database's schema (opts.db_path: fuzz/schema.sql, see fuzz_compile.c),
** and a program that compiles is run with vg_run as a dry run, as of
** 2025-06-30, over the same database filled with fuzz/data.sql (fuzz_db.h).
** build.sh lowers VM_STEP_BUDGET to 100000.
**
** Aborts (a finding) on any sanitizer report.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil.h"
#include "fuzz_db.h"

static const char *db_path;
static volatile unsigned sink;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  db_path = fuzz_make_db(1);
  return 0;
}

static void touch(const char *s) {
  unsigned h = 0;
  if (s)
    for (; *s; s++) h = h * 31u + (unsigned char)*s;
  sink += h;
}

static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  touch(d->message);
  touch(d->code);
  touch(d->file);
  if (d->line_text)
    for (size_t i = 0; i < d->line_len; i++) sink += (unsigned char)d->line_text[i];
}

static void on_alert(void *ud, const vg_alert *a) {
  (void)ud;
  touch(a->pack); touch(a->rule); touch(a->tier); touch(a->key);
  touch(a->as_of); touch(a->message); touch(a->recipient);
}

static void on_summary(void *ud, const vg_run_summary *s) {
  (void)ud;
  touch(s->pack);
  sink += (unsigned)(s->rows_read + s->alerts + s->warnings + s->run_id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vg_compile_opts co = {NULL, db_path, on_diag, NULL, 0, 0};
  vg_program *p = NULL;
  if (vg_compile_string("fuzz.rules", (const char *)data, size, NULL, &co, &p) != VG_OK) return 0;

  vg_program *progs[1] = {p};
  vg_run_opts o;
  memset(&o, 0, sizeof o);
  o.db_path = db_path;
  o.as_of = "2025-06-30";
  o.dry_run = 1;
  o.diag = on_diag;
  o.alert = on_alert;
  o.summary = on_summary;
  vg_run(progs, 1, &o);
  vg_free_program(p);
  return 0;
}
