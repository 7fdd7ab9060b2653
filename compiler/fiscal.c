/*
** fiscal.c — the pack's fiscal year (`fiscal year starts MONTH`) and the
** first-month argument of the fiscal functions (stdlib/lib.h, LIB_F_FISCAL).
**
** The month is not stored in the program: the checker appends it, as a
** constant, to each call of a fiscal function that does not give one, so
** the code of quarter(d) in a pack whose year starts in April is the code
** of quarter(d, 4), and nothing in the bytecode format changes.
*/
#include <math.h>
#include <string.h>

#include "sema.h"
#include "../stdlib/lib.h"

static const char *const month_names[12] = {"january", "february", "march", "april", "may", "june",
                                            "july", "august", "september", "october", "november", "december"};

int sema_fiscal_month(cc *c, const ast *d) {
  if (!d->str) {
    if (!(d->num >= 1 && d->num <= 12) || d->num != floor(d->num)) {
      cc_error(c, d->name_loc, DIAG_E_MONTH,
               "'fiscal year starts' takes a month: a name (january ... december) or a number from 1 to 12, not %g",
               d->num);
      return 0;
    }
    return (int)d->num;
  }
  /* month names are matched without regard to (ASCII) case */
  char low[16];
  size_t n = strlen(d->str);
  if (n < sizeof low) {
    for (size_t i = 0; i <= n; i++) {
      char ch = d->str[i];
      low[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
    }
    for (int m = 0; m < 12; m++)
      if (strcmp(low, month_names[m]) == 0) return m + 1;
  }
  cc_error(c, d->name_loc, DIAG_E_MONTH,
           "unknown month '%s' in 'fiscal year starts' (a month name, january ... december, or a number from 1 to 12)",
           d->str);
  if (n < sizeof low) {
    lint_suggester g = {low, NULL, 0};
    for (int m = 0; m < 12; m++) lint_suggest(&g, month_names[m]);
    /* an abbreviation: "sept", "oct" */
    for (int m = 0; m < 12 && !g.best && n >= 3; m++)
      if (strncmp(month_names[m], low, n) == 0) g.best = month_names[m];
    lint_note(c, d->name_loc, &g);
  }
  return 0;
}

void sema_check_fiscal_arg(cc *c, const char *fn, const ast *a) {
  if (a->type != T_ANY && a->type != VT_NULL && a->type != VT_NUM) {
    cc_error(c, a->loc, DIAG_E_TYPE, "the last argument of %s, the first month of the fiscal year, must be a number, not a %s",
             fn, val_type_name(a->type));
    return;
  }
  if (a->kind == A_NUM && (!(a->num >= 1 && a->num <= 12) || a->num != floor(a->num)))
    cc_error(c, a->loc, DIAG_E_MONTH, "the first month of the fiscal year is a whole number from 1 to 12, not %g", a->num);
}

ast *sema_fiscal_arg(cc *c, vg_loc loc, int month) {
  ast *n = ast_new(c, A_NUM, loc);
  if (!n) return NULL;
  n->num = month;
  n->type = VT_NUM;
  n->depth = 1;
  return n;
}
