/*
** cmd_explain.c — `vigil explain CODE`: what a diagnostic code means, from
** the library's table of codes (vg_diag_code: core/diagcodes.def, the text
** docs/DIAGNOSTICS.md's list is generated from).  An unknown code is an
** error with the nearest code as a suggestion.
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"

static const char *const usage_explain =
  "usage: vigil explain CODE\n"
  "\n"
  "Print what a diagnostic code (E-... an error, W-... a warning) means and\n"
  "where docs/DIAGNOSTICS.md explains it.  Case does not matter.\n"
  "exit status: 0 success, 1 no such code, 2 bad command line\n";

/* Edit distance of a and b, letters compared without case (bounded inputs). */
static size_t distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 200 || m > 200) return (size_t)-1;
  size_t row[201];
  for (size_t j = 0; j <= m; j++) row[j] = j;
  for (size_t i = 1; i <= n; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= m; j++) {
      size_t up = row[j];
      size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
      size_t best = diag + cost;
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[m];
}

int cmd_explain(int argc, char **argv) {
  const char *code = NULL;
  for (int i = 2; i < argc; i++) {
    if (is_help(argv[i])) { fputs(usage_explain, stdout); return 0; }
    if (argv[i][0] == '-') return usage_error(usage_explain, "unknown option '%s'", argv[i]);
    if (code) return usage_error(usage_explain, "%s", "explain takes one CODE");
    code = argv[i];
  }
  if (!code) return usage_error(usage_explain, "%s", "no CODE given (e.g. E-unknown-column)");
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  for (int i = 0; i < vg_diag_code_count(); i++) {
    const char *group, *meaning, *c = vg_diag_code(i, &group, &meaning);
    if (strcasecmp(c, code) == 0) {
      diag_sink t;
      memset(&t, 0, sizeof t);
      explain_text(&t, c, group, meaning);
      out_flush_sink(stdout, &t);
      free(t.buf);
      return 0;
    }
    size_t d = distance(code, c);
    if (d < best_d) { best_d = d; best = c; }
  }
  if (best && best_d <= 2 + strlen(code) / 4) out_printf(stderr, "vigil: explain: unknown code '%s'; did you mean '%s'?\n", code, best);
  else out_printf(stderr, "vigil: explain: unknown code '%s' (the codes: docs/DIAGNOSTICS.md)\n", code);
  return EXIT_INPUT;
}
