/*
** lib_func.c — the built-in scalar functions and their table.
**
** Every function is total: a missing, null or wrongly typed argument, or an
** out-of-range one, gives null.  Compiled packs refer to a function by its
** index in core/funcs.def, so new entries go at the end of it (a new form
** of an existing name too: date(y, m, d)); each is f_CNAME here.
*/
#include <math.h>
#include <string.h>
#include <unistr.h>
#include <uniwidth.h>

#include "lib.h"

/* args[i] when it exists and has type t, else NULL. */
static const val *arg(const val *args, int n, int i, int t) {
  return i < n && args[i].t == t ? &args[i] : NULL;
}

/* ---- Dates and durations ------------------------------------------------ */

static val f_days(const val *args, int n, char *buf, size_t cap) {
  const val *d = arg(args, n, 0, VT_DUR);
  (void)buf; (void)cap;
  return d ? val_num(d->u.n) : val_null();
}

static val f_date(const val *args, int n, char *buf, size_t cap) {
  int32_t days;
  const val *s = arg(args, n, 0, VT_STR);
  (void)buf; (void)cap;
  if (arg(args, n, 0, VT_DATE)) return args[0];
  return s && lib_parse_date(s->u.s, s->len, &days) ? val_date(days) : val_null();
}

/* Splits a date argument into y-m-d; 0 if args[0] is not a date. */
static int ymd(const val *args, int n, int *y, int *m, int *d) {
  const val *a = arg(args, n, 0, VT_DATE);
  if (a) lib_civil_from_days(a->u.d, y, m, d);
  return a != NULL;
}

static val f_year(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  return ymd(args, n, &y, &m, &d) ? val_num(y) : val_null();
}

static val f_month(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  return ymd(args, n, &y, &m, &d) ? val_num(m) : val_null();
}

/* The first month of the fiscal year: args[i] when given (a whole number
** 1-12), else 1.  0 when args[i] is given and is not one. */
static int first_month(const val *args, int n, int i) {
  if (i >= n) return 1;
  const val *f = arg(args, n, i, VT_NUM);
  if (!f || !(f->u.n >= 1 && f->u.n <= 12) || f->u.n != floor(f->u.n)) return 0;
  return (int)f->u.n;
}

/* The period of `kind` holding args[0], in the fiscal year whose first
** month is args[1] (when the function takes one); 0 when the arguments
** are not a date of years 1..9999 and a first month. */
static int period(const val *args, int n, int kind, int fiscal, lib_span *sp) {
  const val *a = arg(args, n, 0, VT_DATE);
  return a && lib_period(a->u.d, kind, fiscal ? first_month(args, n, 1) : 1, sp);
}

/* A day as a date value; null outside years 1..9999. */
static val day_val(int32_t days) {
  return lib_day_in_range(days) ? val_date(days) : val_null();
}

static val f_quarter(const val *args, int n, char *buf, size_t cap) {
  lib_span sp;
  (void)buf; (void)cap;
  return period(args, n, LIB_QUARTER, 1, &sp) ? val_num(sp.number) : val_null();
}

/* Week 1 is the Monday-to-Sunday week holding the quarter's first day. */
static val f_week_of_quarter(const val *args, int n, char *buf, size_t cap) {
  lib_span q;
  (void)buf; (void)cap;
  if (!period(args, n, LIB_QUARTER, 1, &q)) return val_null();
  int32_t monday = q.start - (lib_iso_weekday(q.start) - 1);
  return val_num(1 + (args[0].u.d - monday) / 7);
}

static val f_day(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  return ymd(args, n, &y, &m, &d) ? val_num(d) : val_null();
}

static val f_days_in_month(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  return ymd(args, n, &y, &m, &d) ? val_num(lib_days_in_month(y, m)) : val_null();
}

/* The start (end 0) or the end (end 1) of a period, as a date. */
static val bound(const val *args, int n, int kind, int end) {
  lib_span sp;
  if (!period(args, n, kind, kind == LIB_QUARTER || kind == LIB_YEAR, &sp)) return val_null();
  return day_val(end ? sp.end : sp.start);
}

static val f_start_of_week(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_WEEK, 0);
}
static val f_end_of_week(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_WEEK, 1);
}
static val f_start_of_month(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_MONTH, 0);
}
static val f_end_of_month(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_MONTH, 1);
}
static val f_start_of_quarter(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_QUARTER, 0);
}
static val f_end_of_quarter(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_QUARTER, 1);
}
static val f_start_of_year(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_YEAR, 0);
}
static val f_end_of_year(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return bound(args, n, LIB_YEAR, 1);
}

static val f_fiscal_year(const val *args, int n, char *buf, size_t cap) {
  lib_span sp;
  (void)buf; (void)cap;
  return period(args, n, LIB_YEAR, 1, &sp) ? val_num(sp.year) : val_null();
}

/* args[i] as a whole number in [lo, hi]; 0 if it is not one. */
static int whole(const val *args, int n, int i, int lo, int hi, int *out) {
  const val *a = arg(args, n, i, VT_NUM);
  if (!a || !(a->u.n >= lo && a->u.n <= hi) || a->u.n != floor(a->u.n)) return 0;
  *out = (int)a->u.n;
  return 1;
}

/* date(y, m, d): null unless y-m-d is a real date of years 1..9999. */
static val f_date_ymd(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  if (n != 3 || !whole(args, n, 0, 1, 9999, &y) || !whole(args, n, 1, 1, 12, &m) ||
      !whole(args, n, 2, 1, 31, &d) || !lib_date_valid(y, m, d))
    return val_null();
  return val_date(lib_days_from_civil(y, m, d));
}

/* Days 1-10 of a month are dekad 1, 11-20 dekad 2, 21-end dekad 3. */
static val f_dekad(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  if (!ymd(args, n, &y, &m, &d)) return val_null();
  return val_num(d <= 10 ? 1 : d <= 20 ? 2 : 3);
}

/* ISO weekday: 1 Monday ... 7 Sunday. */
static val f_weekday(const val *args, int n, char *buf, size_t cap) {
  const val *a = arg(args, n, 0, VT_DATE);
  (void)buf; (void)cap;
  return a ? val_num(lib_iso_weekday(a->u.d)) : val_null();
}

/* ---- Numbers ------------------------------------------------------------ */

static val f_abs(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  if (arg(args, n, 0, VT_NUM)) return val_num(fabs(args[0].u.n));
  if (arg(args, n, 0, VT_DUR)) return val_dur(fabs(args[0].u.n));
  return val_null();
}

/* Half away from zero at 10^-digits.  A negative digits divides by 10^-digits
** (exact for the power) rather than multiplying by an inexact 10^digits.
** When the scaled x is already integral (|x * 10^digits| >= 2^52) or not
** finite, x itself is returned: scaling back could only add error. */
static val f_round(const val *args, int n, char *buf, size_t cap) {
  const val *x = arg(args, n, 0, VT_NUM), *dg = arg(args, n, 1, VT_NUM);
  double digits = 0, p, s;
  (void)buf; (void)cap;
  if (!x || (n > 1 && !dg)) return val_null();
  if (dg) {
    digits = dg->u.n;
    if (!(digits >= -15 && digits <= 15) || digits != floor(digits)) return val_null();
  }
  p = pow(10, fabs(digits));
  s = digits >= 0 ? x->u.n * p : x->u.n / p;
  if (!(fabs(s) < 4503599627370496.0)) return *x;
  return val_num(digits >= 0 ? round(s) / p : round(s) * p);
}

/* ---- Comparisons -------------------------------------------------------- */

/* Orders two non-null values of the same comparable type: <0, 0 or >0. */
static int cmp(const val *a, const val *b) {
  switch (a->t) {
  case VT_NUM: case VT_DUR: return (a->u.n > b->u.n) - (a->u.n < b->u.n);
  case VT_DATE: return (a->u.d > b->u.d) - (a->u.d < b->u.d);
  case VT_BOOL: return (a->u.b > b->u.b) - (a->u.b < b->u.b);
  default: {
    uint32_t k = a->len < b->len ? a->len : b->len;
    int c = k ? memcmp(a->u.s, b->u.s, k) : 0;
    return c ? c : (a->len > b->len) - (a->len < b->len);
  }
  }
}

/* The least (sign 1) or greatest (sign -1) non-null argument; null when all
** are null or two non-null arguments differ in type. */
static val pick(const val *args, int n, int sign) {
  const val *best = NULL;
  for (int i = 0; i < n; i++) {
    if (args[i].t == VT_NULL) continue;
    if (best && args[i].t != best->t) return val_null();
    if (!best || sign * cmp(&args[i], best) < 0) best = &args[i];
  }
  return best ? *best : val_null();
}

static val f_least(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return pick(args, n, 1);
}

static val f_greatest(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  return pick(args, n, -1);
}

static val f_coalesce(const val *args, int n, char *buf, size_t cap) {
  (void)buf; (void)cap;
  for (int i = 0; i < n; i++)
    if (args[i].t != VT_NULL) return args[i];
  return val_null();
}

/* ---- Strings ------------------------------------------------------------ */

/* Code points: bytes that are not UTF-8 continuation bytes. */
static val f_length(const val *args, int n, char *buf, size_t cap) {
  const val *s = arg(args, n, 0, VT_STR);
  uint32_t count = 0;
  (void)buf; (void)cap;
  if (!s) return val_null();
  for (uint32_t i = 0; i < s->len; i++)
    count += ((unsigned char)s->u.s[i] & 0xC0) != 0x80;
  return val_num(count);
}

/* Display width (GNU libunistring's uc_width, East Asian Width): wide and
** fullwidth characters 2, combining marks and other zero-width characters
** 0, control characters 0, others 1.  Bytes that are not UTF-8: each
** ill-formed sequence, as u8_mbtouc delimits it (a stray byte, a truncated
** character, an encoded surrogate), counts 1,
** the width of the U+FFFD a display shows in its place.  A NUL byte does
** not end the text. */
static val f_width(const val *args, int n, char *buf, size_t cap) {
  const val *s = arg(args, n, 0, VT_STR);
  double w = 0;
  (void)buf; (void)cap;
  if (!s) return val_null();
  if (s->len == 0) return val_num(0);
  const uint8_t *p = (const uint8_t *)s->u.s, *end = p + s->len;
  while (p < end) {
    ucs4_t uc;
    int k = u8_mbtouc(&uc, p, (size_t)(end - p));
    int cw = uc_width(uc, "UTF-8");
    if (cw > 0) w += cw;
    p += k > 0 ? k : 1;
  }
  return val_num(w);
}

static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* The result points into the argument's bytes. */
static val f_trim(const val *args, int n, char *buf, size_t cap) {
  const val *s = arg(args, n, 0, VT_STR);
  uint32_t b = 0, e;
  (void)buf; (void)cap;
  if (!s) return val_null();
  e = s->len;
  while (b < e && is_space(s->u.s[b])) b++;
  while (e > b && is_space(s->u.s[e - 1])) e--;
  return val_str(s->u.s + b, e - b);
}

/* ASCII case mapping into buf; null if the result does not fit in cap. */
static val map_case(const val *args, int n, char *buf, size_t cap, int upper) {
  const val *s = arg(args, n, 0, VT_STR);
  if (!s) return val_null();
  if (s->len == 0) return *s;
  if (s->len > cap) return val_null();
  for (uint32_t i = 0; i < s->len; i++) {
    char c = s->u.s[i];
    if (upper && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    buf[i] = c;
  }
  return val_str(buf, s->len);
}

static val f_lower(const val *args, int n, char *buf, size_t cap) {
  return map_case(args, n, buf, cap, 0);
}

static val f_upper(const val *args, int n, char *buf, size_t cap) {
  return map_case(args, n, buf, cap, 1);
}

/* ---- The table ---------------------------------------------------------- */

#define SCALAR(c, name, mn, mx, mask, ret, flags, syn) f_##c,
#define AGGREGATE(c, name, syn)
#define WINDOW(c, name, mn, mx, syn)
const lib_fn lib_fn_impl[FN__COUNT] = {
#include "../core/funcs.def"
};
#undef SCALAR
#undef AGGREGATE
#undef WINDOW
