/*
** fuzz_run.c — libFuzzer target: arbitrary bytes as a .rules file, compiled
** and then run (STYLE.md 19: "compiles and runs against a tiny database,
** with a step budget").
**
** fuzz_vgc reaches the VM only with programs that survive byte mutations
** and the verifier; this target reaches it with every program the compiler
** accepts, so the runtime (exec, run, life, vm, the stdlib, message
** formatting) sees realistic programs over bad data.  The input is compiled
** against the fuzz schema (opts.db_path: a database made from
** fuzz/schema.sql and filled with fuzz/data.sql, see fuzz_db.h), and a
** program that compiles is evaluated over that database as fuzz_eval.h
** describes: vg_run with and without index seeks, a one-date vg_backtest
** (all three must give the same alerts) and a five-date vg_backtest.
** build.sh lowers VM_STEP_BUDGET to 100000.
**
** Aborts (a finding) on any sanitizer report and when evaluations disagree.
*/
#include <stdint.h>

#include "vigil.h"
#include "fuzz_db.h"
#include "fuzz_eval.h"

static const char *db_path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  db_path = fuzz_make_db(1);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vg_compile_opts co = {.db_path = db_path, .diag = fuzz_on_diag};
  vg_program *p = NULL;
  if (vg_compile_string("fuzz.rules", (const char *)data, size, NULL, &co, &p) != VG_OK) return 0;
  fuzz_evaluate("fuzz_run", p, db_path);
  vg_free_program(p);
  return 0;
}
