/*
** fuzz_compile.c — libFuzzer target: arbitrary bytes as a .rules file.
**
** Compiles the input with vg_compile_string against a fixed schema, with
** warnings on so the linter runs too.  The schema is fuzz/schema.sql, the
** union of the tables the examples and tests use, so the seeds resolve their
** columns.  It is given as a database file made once per process
** (opts.db_path, fuzz_db.h) rather than as schema_sql: loading 26 CREATE
** TABLEs into a fresh in-memory database on every input (schema_sql) costs
** ~5.5 ms under ASan, reading them from a file ~2 ms.  Every
** diagnostic is read byte by byte, so a bad pointer or length in one is
** caught.  If the input compiles, the program is disassembled (vg_disasm),
** serialized with bc_write and read back with bc_read, and the listing of
** the copy must equal the original's.  Aborts (a finding) when:
**   - a sanitizer reports anything (ASan, UBSan, leaks);
**   - the compiler reports an internal error (its output did not verify);
**   - a compiled program does not survive the .vgc round trip (it must read
**     back, list the same, and write the same bytes again).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil.h"
#include "bc.h"
#include "fuzz_db.h"

static const char *db_path;
static volatile unsigned sink;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  db_path = fuzz_make_db(0);
  return 0;
}

/* Touch every byte a diagnostic points at. */
static void touch(const char *s, size_t n) {
  unsigned h = 0;
  for (size_t i = 0; i < n; i++) h = h * 31u + (unsigned char)s[i];
  sink += h;
}

static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  if (d->message) touch(d->message, strlen(d->message));
  if (d->code) touch(d->code, strlen(d->code));
  if (d->file) touch(d->file, strlen(d->file));
  if (d->line_text) touch(d->line_text, d->line_len);
  /* by its code: a message may quote the input, which can say anything */
  if (d->code && strcmp(d->code, "E-internal") == 0) {
    fprintf(stderr, "fuzz_compile: the compiler reported: %s\n", d->message);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vg_compile_opts o = {.db_path = db_path, .diag = on_diag, .warnings = 1};
  vg_program *p = NULL;
  vg_status st = vg_compile_string("fuzz.rules", (const char *)data, size, NULL, &o, &p);
  if (st != VG_OK) {
    if (p) { fprintf(stderr, "fuzz_compile: status %d with a program\n", (int)st); abort(); }
    return 0;
  }
  if (!p) { fprintf(stderr, "fuzz_compile: VG_OK without a program\n"); abort(); }

  char *listing = vg_disasm(p);
  if (!listing) abort(); /* out of memory: cannot happen at these sizes */

  /* The .vgc round trip: what the compiler makes, the reader must accept
  ** and give back unchanged. */
  vg_buf b = {NULL, 0, 0};
  if (bc_write(p, &b) != 0) { fprintf(stderr, "fuzz_compile: bc_write failed\n"); abort(); }
  vm_program *q = NULL;
  char err[512];
  if (bc_read((const uint8_t *)b.data, b.len, &q, err, sizeof err) != 0) {
    fprintf(stderr, "fuzz_compile: the compiled program does not read back: %s\n", err);
    abort();
  }
  vg_buf b2 = {NULL, 0, 0};
  if (bc_write(q, &b2) != 0) abort();
  if (b2.len != b.len || memcmp(b2.data, b.data, b.len) != 0) {
    fprintf(stderr, "fuzz_compile: the .vgc bytes changed in a write/read/write round trip\n");
    abort();
  }
  vg_buf_free(&b2);
  char *listing2 = vg_disasm(q);
  if (!listing2) abort();
  if (strcmp(listing, listing2) != 0) {
    fprintf(stderr, "fuzz_compile: the listing changed in the .vgc round trip\n--- before\n%s--- after\n%s",
            listing, listing2);
    abort();
  }
  free(listing2);
  vg_free_program(q);
  vg_buf_free(&b);
  free(listing);
  vg_free_program(p);
  return 0;
}
