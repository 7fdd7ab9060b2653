/*
** fuzz_vgc.c — libFuzzer target: arbitrary bytes as a compiled .vgc file.
**
** The input is read with bc_read (parser + verifier).  Mutated files almost
** never keep a valid CRC, so when the bytes as given are rejected and they
** are at least a header long, the header's payload length and checksum are
** patched to match and the bytes are read again: the header checks are
** fuzzed by the first read, the payload parser and verifier by the second.
**
** A program the verifier accepts is listed (bc_disasm), written back with
** bc_write (which must give back exactly the bytes that were read), and
** evaluated over the fuzz database (fuzz/schema.sql filled with
** fuzz/data.sql, made once per process: fuzz_db.h) as fuzz_eval.h describes:
** vg_run dry runs with and without index seeks and a one-date vg_backtest,
** which must all give the same alerts, then a five-date vg_backtest.
** build.sh lowers VM_STEP_BUDGET to 100000 so a slow program fails its
** evaluation instead of timing out.
**
** Aborts (a finding) on any sanitizer report, when a verified program does
** not survive bc_write + bc_read byte for byte, and when evaluations that
** must agree do not.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil.h"
#include "bc.h"
#include "fuzz_db.h"
#include "fuzz_eval.h"

static const char *db_path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  db_path = fuzz_make_db(1);
  return 0;
}

static void put_le32(uint8_t *b, uint32_t v) {
  for (int k = 0; k < 4; k++) b[k] = (uint8_t)(v >> (8 * k));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  vm_program *p = NULL;
  uint8_t *copy = NULL;
  const uint8_t *accepted = data;
  if (bc_read(data, size, &p, err, sizeof err) != 0) {
    if (size < 16 || size - 16 > UINT32_MAX) return 0;
    copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    put_le32(copy + 8, (uint32_t)(size - 16));
    put_le32(copy + 12, bc_crc32(copy + 16, size - 16));
    if (bc_read(copy, size, &p, err, sizeof err) != 0) { free(copy); return 0; }
    accepted = copy;
  }

  vg_buf b = {NULL, 0, 0};
  if (bc_disasm(p, &b) != 0) abort();
  vg_buf_free(&b);

  /* The encoding is canonical: writing a program that was read gives back
  ** the very bytes that were read (and they read again). */
  if (bc_write(p, &b) != 0) { fprintf(stderr, "fuzz_vgc: bc_write failed\n"); abort(); }
  if (b.len != size || memcmp(b.data, accepted, size) != 0) {
    fprintf(stderr, "fuzz_vgc: bc_write(bc_read(x)) != x (%zu bytes read, %zu written)\n", size, b.len);
    abort();
  }
  free(copy);
  vm_program *q = NULL;
  if (bc_read((const uint8_t *)b.data, b.len, &q, err, sizeof err) != 0) {
    fprintf(stderr, "fuzz_vgc: a verified program does not read back after bc_write: %s\n", err);
    abort();
  }
  vg_free_program(q);
  vg_buf_free(&b);

  fuzz_evaluate("fuzz_vgc", p, db_path);
  vg_free_program(p);
  return 0;
}
