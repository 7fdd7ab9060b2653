/*
** leadtime.c — lead time of a rule against an outcome (vg_rule_lead_time,
** include/vigil.h): which keys that had a bad outcome the rule flagged, how
** many days before, and how many keys it flagged that did not have it.
** `vigil backtest --outcome` reads the outcomes and prints the numbers; the
** computation is here, below the public interface, for any embedder.
*/
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../include/vigil.h"
#include "../core/mem.h"

/* Keys compared as bytes with their lengths (a NUL byte does not end them). */
static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an > bn) - (an < bn);
}

static int cmp_outcome(const void *x, const void *y) {
  const vg_outcome *a = x, *b = y;
  int c = cmp_bytes(a->key, a->key_len, b->key, b->key_len);
  return c ? c : (a->day > b->day) - (a->day < b->day);
}

static int cmp_alert(const void *x, const void *y) {
  const vg_dated_alert *a = x, *b = y;
  int c = cmp_bytes(a->key, a->key_len, b->key, b->key_len);
  return c ? c : (a->day > b->day) - (a->day < b->day);
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* The outcomes of key[0..klen): [*lo, *hi) in os[0..n), sorted. */
static void outcomes_of(const vg_outcome *os, size_t n, const char *key, size_t klen, size_t *lo, size_t *hi) {
  size_t a = 0, b = n;
  while (a < b) {
    size_t mid = a + (b - a) / 2;
    if (cmp_bytes(os[mid].key, os[mid].key_len, key, klen) < 0) a = mid + 1;
    else b = mid;
  }
  size_t e = a;
  while (e < n && cmp_bytes(os[e].key, os[e].key_len, key, klen) == 0) e++;
  *lo = a;
  *hi = e;
}

size_t vg_outcomes_normalize(vg_outcome *v, size_t n, size_t *nkeys) {
  if (n > 1) qsort(v, n, sizeof *v, cmp_outcome);
  size_t m = 0, keys = 0;
  for (size_t i = 0; i < n; i++) {
    int same_key = m && cmp_bytes(v[m - 1].key, v[m - 1].key_len, v[i].key, v[i].key_len) == 0;
    if (same_key && v[m - 1].day == v[i].day) continue;
    if (!same_key) keys++;
    /* a swap, not a copy: the repeats end up after the first m, their keys
    ** still there for the caller to free */
    vg_outcome t = v[m];
    v[m++] = v[i];
    v[i] = t;
  }
  if (nkeys) *nkeys = keys;
  return m;
}

vg_status vg_rule_lead_time(const vg_dated_alert *alerts, size_t n, const char *tier, const vg_outcome *os, size_t nos,
                            vg_lead_time *r) {
  memset(r, 0, sizeof *r);
  r->outcomes = nos;
  r->median = r->mean = NAN;
  vg_dated_alert *v = vg_realloc(NULL, (n ? n : 1) * sizeof *v);
  double *leads = vg_realloc(NULL, (nos ? nos : 1) * sizeof *leads);
  int *days = vg_realloc(NULL, (n ? n : 1) * sizeof *days);
  if (!v || !leads || !days) {
    vg_free(v);
    vg_free(leads);
    vg_free(days);
    return VG_ENOMEM;
  }
  if (n) memcpy(v, alerts, n * sizeof *v);
  if (n > 1) qsort(v, n, sizeof *v, cmp_alert);
  size_t i = 0;
  while (i < n) {
    size_t j = i, nd = 0;
    while (j < n && cmp_bytes(v[j].key, v[j].key_len, v[i].key, v[i].key_len) == 0) {
      if (!tier || strcmp(v[j].tier, tier) == 0) days[nd++] = v[j].day;
      j++;
    }
    if (nd) {
      r->alerted++;
      size_t lo, hi;
      outcomes_of(os, nos, v[i].key, v[i].key_len, &lo, &hi);
      if (lo == hi) r->false_alarms++;
      else {
        int hit = 0;
        size_t a = 0; /* days[] ascending: the first date after the previous outcome */
        for (size_t k = lo; k < hi; k++) {
          int prev = k > lo ? os[k - 1].day : INT_MIN;
          while (a < nd && days[a] <= prev) a++;
          if (a < nd && days[a] <= os[k].day) {
            leads[r->flagged++] = (double)(os[k].day - days[a]);
            hit = 1;
          }
        }
        if (hit) r->hit_keys++;
        else r->late++;
      }
    }
    i = j;
  }
  if (r->flagged) {
    qsort(leads, r->flagged, sizeof *leads, cmp_double);
    size_t h = r->flagged / 2;
    r->median = r->flagged % 2 ? leads[h] : (leads[h - 1] + leads[h]) / 2;
    double sum = 0;
    for (size_t k = 0; k < r->flagged; k++) sum += leads[k];
    r->mean = sum / (double)r->flagged;
  }
  vg_free(v);
  vg_free(leads);
  vg_free(days);
  return VG_OK;
}
