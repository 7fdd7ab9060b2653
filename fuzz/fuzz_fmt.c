/*
** fuzz_fmt.c — libFuzzer target: arbitrary bytes as a .rules file given to
** the formatter (vg_format, `vigil fmt`).
**
** vigil.h promises that formatting "never changes what the file means, and
** is idempotent", and that it refuses only files with errors.  So for an
** input x with f = vg_format(x):
**   - f != NULL: vg_format(f) == f, byte for byte;
**   - f != NULL: x and f compile (against the fuzz schema, as fuzz_compile
**     does) to the same status, and when both compile, to the same program
**     once source positions are set aside (rule lines and the line tables:
**     the layout moves them; everything else, constants included, must be
**     equal byte for byte in the .vgc encoding);
**   - x compiles: f != NULL (a file without errors is always formatted);
**   - the formatter never reports an internal error (its own check that the
**     output lexes to the input's tokens failed).
** Any of these failing aborts with both texts: a finding.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil.h"
#include "bc.h"
#include "fuzz_db.h"

static const char *db_path;
static char first_error[512];
static int skip_nul;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  db_path = fuzz_make_db(0);
  /* FUZZ_SKIP_NUL=1: ignore inputs with a NUL byte, so that a long run is not
  ** stopped over and over by the known finding fuzz/regressions/fmt/
  ** nul-in-comment.rules (vg_format returns a C string: a NUL kept in a
  ** comment ends it).  Unset (CI), every input is checked. */
  const char *e = getenv("FUZZ_SKIP_NUL");
  skip_nul = e && *e && *e != '0';
  return 0;
}

static void on_fmt_diag(void *ud, const vg_diag *d) {
  (void)ud;
  /* by its code: a message may quote the input, which can say anything */
  if (d->code && strcmp(d->code, "E-internal") == 0) {
    fprintf(stderr, "fuzz_fmt: the formatter reported: %s\n", d->message);
    abort();
  }
  if (d->severity == VG_ERROR && !first_error[0] && d->message)
    snprintf(first_error, sizeof first_error, "%d:%d: %s", d->line, d->col, d->message);
}

static vg_status compile(const char *text, size_t len, vg_program **out) {
  vg_compile_opts o = {.db_path = db_path};
  return vg_compile_string("fuzz.rules", text, len, NULL, &o, out);
}

/* The program's .vgc bytes without its source positions (lines and columns). */
static void strip_and_write(vm_program *p, vg_buf *out) {
  for (int i = 0; i < p->nrules; i++) p->rules[i].line = p->rules[i].col = 0; /* (where a declaration starts is the format's to change) */
  for (int i = 0; i < p->nfuncs; i++) p->funcs[i].line_off = p->funcs[i].nlines = 0;
  p->nlines = 0;
  if (bc_write(p, out) != 0) abort();
}

static void fail(const char *what, const uint8_t *x, size_t n, const char *f) {
  fprintf(stderr, "fuzz_fmt: %s\n--- input (%zu bytes)\n%.*s\n--- formatted\n%s\n", what, n, (int)n, (const char *)x,
          f ? f : "(null)");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (skip_nul && memchr(data, 0, size)) return 0;
  first_error[0] = 0;
  char *f = vg_format("fuzz.rules", (const char *)data, size, on_fmt_diag, NULL);
  vg_program *px = NULL;
  vg_status sx = compile((const char *)data, size, &px);
  if (!f) {
    if (sx == VG_OK) {
      char why[600];
      snprintf(why, sizeof why, "the file compiles but is not formatted (%s)", first_error[0] ? first_error : "no error reported");
      fail(why, data, size, NULL);
    }
    vg_free_program(px);
    return 0;
  }
  size_t flen = strlen(f);

  char *ff = vg_format("fuzz.rules", f, flen, on_fmt_diag, NULL);
  if (!ff) fail("the formatted text is not formatted again", data, size, f);
  if (strcmp(ff, f) != 0) {
    fprintf(stderr, "--- formatted twice\n%s\n", ff);
    fail("formatting is not idempotent", data, size, f);
  }
  free(ff);

  vg_program *pf = NULL;
  vg_status sf = compile(f, flen, &pf);
  if (sx != sf) {
    char why[128];
    snprintf(why, sizeof why, "the input compiles with status %d, the formatted text with %d", (int)sx, (int)sf);
    fail(why, data, size, f);
  }
  if (sx == VG_OK) {
    vg_buf bx = {NULL, 0, 0}, bf = {NULL, 0, 0};
    strip_and_write(px, &bx);
    strip_and_write(pf, &bf);
    if (bx.len != bf.len || memcmp(bx.data, bf.data, bx.len) != 0) {
      char *dx = vg_disasm(px), *df = vg_disasm(pf);
      fprintf(stderr, "--- program of the input\n%s--- program of the formatted text\n%s", dx ? dx : "", df ? df : "");
      free(dx);
      free(df);
      fail("the formatted text compiles to another program", data, size, f);
    }
    vg_buf_free(&bx);
    vg_buf_free(&bf);
  }
  vg_free_program(px);
  vg_free_program(pf);
  free(f);
  return 0;
}
