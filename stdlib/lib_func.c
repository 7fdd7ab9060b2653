/*
** lib_func.c — the built-in scalar functions and their table.
**
** Every function is total: a missing, null or wrongly typed argument, or an
** out-of-range one, gives null.  Compiled packs refer to a function by its
** index in lib_funcs, so new entries go at the end.
*/
#include <math.h>
#include <string.h>

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

static val f_quarter(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  return ymd(args, n, &y, &m, &d) ? val_num((m - 1) / 3 + 1) : val_null();
}

/* Days 1-7 of a quarter are week 1, days 8-14 week 2, ... */
static val f_week_of_quarter(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  if (!ymd(args, n, &y, &m, &d)) return val_null();
  return val_num(1 + (args[0].u.d - lib_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)) / 7);
}

/* Days 1-10 of a month are dekad 1, 11-20 dekad 2, 21-end dekad 3. */
static val f_dekad(const val *args, int n, char *buf, size_t cap) {
  int y, m, d;
  (void)buf; (void)cap;
  if (!ymd(args, n, &y, &m, &d)) return val_null();
  return val_num(d <= 10 ? 1 : d <= 20 ? 2 : 3);
}

/* ISO weekday: 1 Monday ... 7 Sunday (1970-01-01 was a Thursday). */
static val f_weekday(const val *args, int n, char *buf, size_t cap) {
  const val *a = arg(args, n, 0, VT_DATE);
  int64_t r;
  (void)buf; (void)cap;
  if (!a) return val_null();
  r = ((int64_t)a->u.d % 7 + 7 + 3) % 7;
  return val_num((double)(r + 1));
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

const lib_func lib_funcs[] = {
  {"days", 1, 1, LIB_T_DUR, VT_NUM, "days(d: duration) -> number: the number of days in d", f_days},
  {"date", 1, 1, LIB_T_STR | LIB_T_DATE, VT_DATE,
   "date(x: string or date) -> date: ISO date text as a date, null if unreadable", f_date},
  {"year", 1, 1, LIB_T_DATE, VT_NUM, "year(d: date) -> number: the year", f_year},
  {"month", 1, 1, LIB_T_DATE, VT_NUM, "month(d: date) -> number: the month, 1-12", f_month},
  {"quarter", 1, 1, LIB_T_DATE, VT_NUM, "quarter(d: date) -> number: the quarter, 1-4", f_quarter},
  {"week_of_quarter", 1, 1, LIB_T_DATE, VT_NUM,
   "week_of_quarter(d: date) -> number: 1 for the quarter's first 7 days, 2 for the next 7, ...",
   f_week_of_quarter},
  {"dekad", 1, 1, LIB_T_DATE, VT_NUM,
   "dekad(d: date) -> number: 1 for days 1-10 of the month, 2 for 11-20, 3 for 21-end", f_dekad},
  {"weekday", 1, 1, LIB_T_DATE, VT_NUM,
   "weekday(d: date) -> number: ISO weekday, 1 Monday ... 7 Sunday", f_weekday},
  {"abs", 1, 1, LIB_T_NUM | LIB_T_DUR, -1,
   "abs(x: number or duration) -> same type: the magnitude of x", f_abs},
  {"round", 1, 2, LIB_T_NUM, VT_NUM,
   "round(x: number [, digits: number]) -> number: x rounded half away from zero", f_round},
  {"least", 1, -1, LIB_T_ANY, -1,
   "least(a, ...) -> same type: the smallest non-null argument", f_least},
  {"greatest", 1, -1, LIB_T_ANY, -1,
   "greatest(a, ...) -> same type: the largest non-null argument", f_greatest},
  {"coalesce", 1, -1, LIB_T_ANY, -1,
   "coalesce(a, ...) -> same type: the first non-null argument", f_coalesce},
  {"length", 1, 1, LIB_T_STR, VT_NUM,
   "length(s: string) -> number: the number of characters (code points)", f_length},
  {"trim", 1, 1, LIB_T_STR, VT_STR,
   "trim(s: string) -> string: s without leading and trailing white space", f_trim},
  {"lower", 1, 1, LIB_T_STR, VT_STR, "lower(s: string) -> string: s in ASCII lower case", f_lower},
  {"upper", 1, 1, LIB_T_STR, VT_STR, "upper(s: string) -> string: s in ASCII upper case", f_upper},
  {NULL, 0, 0, 0, 0, NULL, NULL},
};

/* The number of functions in lib_funcs, not counting the end marker. */
int lib_func_count(void) {
  return (int)(sizeof lib_funcs / sizeof lib_funcs[0]) - 1;
}

/* Returns -1 for an unknown name (or NULL). */
int lib_func_find(const char *name) {
  if (name == NULL) return -1;
  for (int i = 0; lib_funcs[i].name != NULL; i++)
    if (strcmp(lib_funcs[i].name, name) == 0) return i;
  return -1;
}
