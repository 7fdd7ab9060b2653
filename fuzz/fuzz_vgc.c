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
** bc_write (which must give back exactly the bytes that were read), and run
** with vg_run as a dry run, as of
** 2025-06-30, over a small database: fuzz/schema.sql filled with
** fuzz/data.sql (~20 rows a table, with nulls and bad values), created once
** per process in a temporary file (fuzz_db.h).  build.sh lowers VM_STEP_BUDGET to 100000
** so a slow program fails its evaluation instead of timing out.
**
** Aborts (a finding) on any sanitizer report, and when a verified program
** does not survive bc_write + bc_read byte for byte.
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
