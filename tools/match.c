/*
** match.c — matching the alerts of two versions of a pack (vg_match_alerts,
** include/vigil.h): by rule name, key and day, in the order `vigil diff`
** reports them.  The command prints; the matching is here, for any
** embedder.
*/
#include <stdlib.h>
#include <string.h>
#include "../include/vigil.h"
#include "../core/mem.h"

/* An alert of one version, with its rule's place in the report. */
typedef struct entry {
  const vg_dated_alert *a;
  long i;    /* its index in the caller's array */
  int rule;  /* its rule's index in rules */
} entry;

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an > bn) - (an < bn);
}

/* Keys in a stable order: integers (decimal digits, optional '-')
** numerically first, then other text bytewise (a NUL byte is a byte). */
static int is_int_text(const char *s, size_t n) {
  size_t i = n && s[0] == '-' ? 1 : 0;
  if (i == n || n - i > 18) return 0;
  for (; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

static int cmp_key(const char *a, size_t an, const char *b, size_t bn) {
  int ia = is_int_text(a, an), ib = is_int_text(b, bn);
  if (ia && ib) {
    long long x = strtoll(a, NULL, 10), y = strtoll(b, NULL, 10);
    if (x != y) return x < y ? -1 : 1;
  }
  if (ia != ib) return ia ? -1 : 1;
  return cmp_bytes(a, an, b, bn);
}

static int cmp_entry(const void *x, const void *y) {
  const entry *p = x, *q = y;
  if (p->rule != q->rule) return p->rule < q->rule ? -1 : 1;
  int c = cmp_key(p->a->key, p->a->key_len, q->a->key, q->a->key_len);
  return c ? c : (p->a->day > q->a->day) - (p->a->day < q->a->day);
}

/* The entries of v[0..n), sorted; NULL (and *st set) on failure. */
static entry *sorted(const vg_dated_alert *v, size_t n, const char *const *rules, int nrules, vg_status *st) {
  entry *e = vg_realloc(NULL, (n ? n : 1) * sizeof *e);
  if (!e) { *st = VG_ENOMEM; return NULL; }
  for (size_t i = 0; i < n; i++) {
    int r = 0;
    while (r < nrules && strcmp(rules[r], v[i].rule) != 0) r++;
    if (r == nrules) { vg_free(e); *st = VG_EUSAGE; return NULL; }
    e[i] = (entry){&v[i], (long)i, r};
  }
  if (n > 1) qsort(e, n, sizeof *e, cmp_entry);
  return e;
}

vg_status vg_match_alerts(const vg_dated_alert *old_alerts, size_t nold, const vg_dated_alert *new_alerts, size_t nnew,
                          const char *const *rules, int nrules, vg_alert_pair **out, size_t *nout) {
  *out = NULL;
  *nout = 0;
  vg_status st = VG_OK;
  entry *a = sorted(old_alerts, nold, rules, nrules, &st);
  entry *b = a ? sorted(new_alerts, nnew, rules, nrules, &st) : NULL;
  vg_alert_pair *p = b ? vg_realloc(NULL, (nold + nnew ? nold + nnew : 1) * sizeof *p) : NULL;
  if (!p) {
    vg_free(a);
    vg_free(b);
    return a && b ? VG_ENOMEM : st;
  }
  /* merge the two sorted lists */
  size_t n = 0, i = 0, j = 0;
  while (i < nold || j < nnew) {
    int c = i == nold ? 1 : j == nnew ? -1 : cmp_entry(&a[i], &b[j]);
    p[n].old_i = c <= 0 ? a[i++].i : -1;
    p[n].new_i = c >= 0 ? b[j++].i : -1;
    n++;
  }
  vg_free(a);
  vg_free(b);
  *out = p;
  *nout = n;
  return VG_OK;
}
