/*
** lib_fmt.c — the text of values: message interpolation ({x}, {x:pct},
** {x:N}) and the text of keys and recipients.
**
** Numbers print as C's printf prints the double, then "-0" is repaired: no
** format prints a minus sign on a result that is zero.  Whole numbers in the
** default format and {x:N} away from a tie are written without printf (a
** message per alert, a value per placeholder: printf was most of the cost).  A non-finite
** number's numeric text is "nan", "inf" or "-inf" in every format (the '%'
** of pct and the " days" of a duration still follow it).  pct and {x:N}
** apply to numbers only: any other type, durations included, prints as the
** default format does.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"

/* Largest N honoured by {x:N}; larger values are clamped to it. */
#define FIXED_MAX 20

/* An output buffer that silently truncates, always leaving room for a NUL. */
typedef struct { char *buf; size_t cap, len; } out;

/* Appends s[0..n), cut at a UTF-8 character boundary if it does not fit. */
static void put(out *o, const char *s, size_t n) {
  size_t room = o->cap - 1 - o->len;
  if (n > room) {
    n = room;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = '\0';
}

static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

/* Removes the sign of a printed number that is all zeros ("-0.00" -> "0.00"). */
static void drop_minus_zero(char *t) {
  if (t[0] != '-' || t[strspn(t + 1, "0.") + 1] != '\0') return;
  memmove(t, t + 1, strlen(t));
}

/* Writes the text of a non-finite x into t and returns 1; returns 0 if x is finite. */
static int non_finite(double x, char *t) {
  if (isnan(x)) strcpy(t, "nan");
  else if (isinf(x)) strcpy(t, x < 0 ? "-inf" : "inf");
  else return 0;
  return 1;
}

/* The decimal digits of u into t, then a NUL; returns the length. */
static size_t udigits(uint64_t u, char *t) {
  char tmp[24];
  size_t n = 0, k = 0;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  while (n) t[k++] = tmp[--n];
  t[k] = '\0';
  return k;
}

/* x as %.15g, with zero (either sign) as "0".  t holds at least 32 bytes.
** A whole number below 10^15 is its digits, which is what %.15g prints
** (the common case in messages: counts, days, whole amounts), without
** printf. */
static void num_g(double x, char *t, size_t tcap) {
  if (non_finite(x, t)) return;
  if (x == 0) { strcpy(t, "0"); return; }
  if (x == floor(x) && fabs(x) < 1e15) {
    if (x < 0) *t++ = '-';
    udigits((uint64_t)fabs(x), t);
    return;
  }
  snprintf(t, tcap, "%.15g", x);
}

/* Powers of ten, exact as doubles. */
static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
                             1e17, 1e18, 1e19};

/* r / 10^k (k <= 19) with k decimals into t, then a NUL; returns the length. */
static size_t put_scaled(uint64_t r, int k, char *t) {
  uint64_t scale = (uint64_t)p10[k];
  size_t n = udigits(r / scale, t);
  if (k > 0) {
    t[n++] = '.';
    uint64_t f = r % scale;
    for (int i = k - 1; i >= 0; i--, f /= 10) t[n + (size_t)i] = (char)('0' + f % 10);
    n += (size_t)k;
    t[n] = '\0';
  }
  return n;
}

/* p / 2^q rounded to the nearest integer, ties to even (1 <= q <= 64). */
static uint64_t div_pow2_even(unsigned __int128 p, int q) {
  unsigned __int128 one = 1, rem = p & ((one << q) - 1), half = one << (q - 1);
  uint64_t r = (uint64_t)(p >> q);
  return r + (rem > half || (rem == half && (r & 1)));
}

/* x in [1e-3, 1e15) with no form of 15 digits or fewer that reads back,
** as %.16g prints it when that reads back, else as %.17g: without printf,
** in integers.  x is m / 2^q exactly; the decimal of d digits that %.*g
** prints is m * 10^k / 2^q rounded to the nearest, ties to even, for the k
** that gives d digits, and it reads back as x when it lies within half a
** gap of x (a quarter below a power of two, whose lower gap is half;
** exactly half: when strtod's tie to even goes to x, m even; neither
** happens in this range, where a power of two has a short form and a
** decimal of 16 digits is never exactly between two doubles, but the test
** costs nothing and keeps the reasoning whole).  Every product stays below
** 2^120.  Returns the length, or 0 (not normal, not in range). */
static size_t exact_16_17(double x, char *t) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int be = (int)(bits >> 52 & 0x7ff);
  uint64_t m = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
  int q = 1075 - be; /* x = m / 2^q: 3 <= q <= 62 in that range */
  if (be == 0 || q < 1 || q > 62) return 0;
  typedef unsigned __int128 u128;
  const u128 lo = (u128)UINT64_C(10000000000000000) << q, hi = (u128)UINT64_C(100000000000000000) << q;
  int k = 16 - (int)floor(log10(x)); /* 17 digits: m * 10^k / 2^q in [10^16, 10^17) */
  while (k > 0 && k <= 19 && (u128)m * (uint64_t)p10[k] >= hi) k--;
  while (k <= 19 && (u128)m * (uint64_t)p10[k] < lo) k++;
  if (k < 2 || k > 19) return 0;
  uint64_t unit = (uint64_t)p10[k - 1];
  uint64_t d16 = div_pow2_even((u128)m * unit, q);
  u128 a = (u128)d16 << q, b = (u128)m * unit; /* d16 / 10^(k-1) against x, times 10^(k-1) 2^q */
  u128 off = a >= b ? a - b : b - a;
  u128 gap = a < b && m == UINT64_C(1) << 52 && be > 1 ? off * 4 : off * 2; /* against unit */
  uint64_t r;
  int kk;
  if (gap < unit || (gap == unit && !(m & 1))) {
    r = d16;
    kk = k - 1;
  } else {
    r = div_pow2_even((u128)m * (uint64_t)p10[k], q);
    kk = k;
  }
  if (r == (uint64_t)p10[kk - k + 17]) { /* (rounded up to one digit more) */
    r /= 10;
    kk--;
  }
  while (kk > 0 && r % 10 == 0) { /* %g drops trailing zeros */
    r /= 10;
    kk--;
  }
  return put_scaled(r, kk, t);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as x (finite):
** JSON's numbers.  A value with a decimal form of at most 15 digits and
** between 1e-4 and 1e15, where %g writes no exponent, is found without
** printf: the fewest decimals k for which the integer r nearest x * 10^k
** gives back x as r / 10^k.  That division is rounded correctly, as
** strtod rounds the text, so both give the double nearest the same
** number; and a decimal of at most 15 digits within half an ulp of x is
** the one %.15g prints (15-digit decimals lie farther apart than ulps).
** t holds at least 32 bytes; returns the length. */
size_t lib_format_exact(double x, char *t) {
  if (x == 0) { strcpy(t, "0"); return 1; }
  double ax = fabs(x);
  size_t sign = x < 0;
  if (sign) *t = '-';
  if (ax >= 1e-4 && ax < 1e15) {
    for (int k = 0; k <= 19; k++) {
      double y = ax * p10[k];
      if (!(y < 1e15)) break;
      double r = nearbyint(y);
      if (r == 0 || r / p10[k] != ax) continue;
      uint64_t ri = (uint64_t)r;
      while (k > 0 && ri % 10 == 0) { ri /= 10; k--; } /* (a shorter form read back too) */
      return sign + put_scaled(ri, k, t + sign);
    }
  }
  size_t n = ax >= 1e-3 && ax < 1e15 ? exact_16_17(ax, t + sign) : 0;
  if (n) return sign + n;
  char buf[40];
  /* (in that range no form of 15 digits or fewer reads back: it would
  ** have been found) */
  for (int prec = ax >= 1e-4 && ax < 1e15 ? 16 : 15; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, x);
    if (prec == 17 || strtod(buf, NULL) == x) break;
  }
  strcpy(t, buf);
  return strlen(t);
}

/* x with N <= 8 decimals as printf's %.Nf prints it (zero unsigned), when
** that is sure without printf: |x| * 10^N, rounded once, below 2^50, and
** its fraction farther from one half than that rounding can move it (so
** the exact value rounds to the same integer).  1 when written, 0 when
** printf must decide. */
static int fixed_fast(double x, int digits, char *t) {
  if (digits > 8) return 0;
  double y = fabs(x) * p10[digits];
  if (!(y < 0x1p50)) return 0;
  double fl = floor(y), frac = y - fl;
  if (fabs(frac - 0.5) <= y * 0x1p-50 + 0x1p-60) return 0;
  uint64_t r = (uint64_t)fl + (frac > 0.5);
  if (x < 0 && r != 0) *t++ = '-';
  put_scaled(r, digits, t);
  return 1;
}

/* x with N fixed decimals.  t must hold 332 + N bytes (DBL_MAX has 309 digits). */
static void num_fixed(double x, int digits, char *t, size_t tcap) {
  if (non_finite(x, t)) return;
  if (fixed_fast(x, digits, t)) return;
  snprintf(t, tcap, "%.*f", digits, x);
  drop_minus_zero(t);
}

/* x*100 to one decimal, a trailing ".0" dropped, then '%'. */
static void num_pct(double x, char *t, size_t tcap) {
  size_t n;
  num_fixed(x * 100, 1, t, tcap - 1);
  n = strlen(t);
  if (n >= 2 && strcmp(t + n - 2, ".0") == 0) t[n -= 2] = '\0';
  strcpy(t + n, "%");
}

/* Returns the length written; with cap 0 nothing is written and 0 returned. */
size_t lib_format(val v, int fmt, int digits, char *buf, size_t cap) {
  char t[400];
  out o = {buf, cap, 0};
  if (cap == 0) return 0;
  buf[0] = '\0';
  switch (v.t) {
  case VT_NUM:
    if (fmt == LIB_FMT_PCT) num_pct(v.u.n, t, sizeof t);
    else if (fmt == LIB_FMT_FIXED)
      num_fixed(v.u.n, digits < 0 ? 0 : digits > FIXED_MAX ? FIXED_MAX : digits, t, sizeof t);
    else num_g(v.u.n, t, sizeof t);
    puts_(&o, t);
    break;
  case VT_DUR:
    num_g(v.u.n, t, sizeof t);
    puts_(&o, t);
    puts_(&o, v.u.n == 1 || v.u.n == -1 ? " day" : " days");
    break;
  case VT_DATE:
    lib_format_date(v.u.d, t);
    puts_(&o, t);
    break;
  case VT_BOOL: puts_(&o, v.u.b ? "true" : "false"); break;
  case VT_STR: if (v.len > 0) put(&o, v.u.s, v.len); break;
  default: puts_(&o, "null"); break;
  }
  return o.len;
}

/* Returns the length written; with cap 0 nothing is written and 0 returned. */
size_t lib_format_text(val v, char *buf, size_t cap) {
  if (v.t == VT_NUM && isfinite(v.u.n) && v.u.n == floor(v.u.n)) {
    char t[400]; /* DBL_MAX has 309 digits */
    out o = {buf, cap, 0};
    if (cap == 0) return 0;
    snprintf(t, sizeof t, "%.0f", v.u.n == 0 ? 0.0 : v.u.n);
    puts_(&o, t);
    return o.len;
  }
  return lib_format(v, LIB_FMT_DEFAULT, 0, buf, cap);
}

size_t lib_utf8_seq(const unsigned char *s, size_t n) {
  if (n == 0) return 0;
  unsigned c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c == 0xE0) { len = 3; lo = 0xA0; }
  else if (c >= 0xE1 && c <= 0xEC) len = 3;
  else if (c == 0xED) { len = 3; hi = 0x9F; } /* no surrogates */
  else if (c >= 0xEE && c <= 0xEF) len = 3;
  else if (c == 0xF0) { len = 4; lo = 0x90; }
  else if (c >= 0xF1 && c <= 0xF3) len = 4;
  else if (c == 0xF4) { len = 4; hi = 0x8F; }
  else return 0;
  if (n < len || s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  return len;
}

size_t lib_show_text(const char *s, size_t n, char *buf, size_t cap) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *u = (const unsigned char *)s;
  size_t w = 0, i = 0, marks[4] = {0, 0, 0, 0}; /* where the last pieces began */
  if (cap < 8) { if (cap) buf[0] = 0; return 0; }
  for (; i < n; ) {
    char piece[4];
    size_t plen, adv = lib_utf8_seq(u + i, n - i);
    int c1 = adv == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0; /* U+0080-U+009F */
    if (adv == 1 && u[i] == 0) { piece[0] = '\\'; piece[1] = '0'; plen = 2; }
    else if (adv == 0 || c1 || (adv == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
      piece[0] = '\\'; piece[1] = 'x'; piece[2] = hex[u[i] >> 4]; piece[3] = hex[u[i] & 15];
      plen = 4;
      adv = 1; /* a C1 control shows both of its bytes, one at a time */
    } else {
      memcpy(piece, s + i, adv);
      plen = adv;
    }
    if (w + plen > cap - 1) break;
    memmove(marks, marks + 1, 3 * sizeof *marks);
    marks[3] = w;
    memcpy(buf + w, piece, plen);
    w += plen;
    i += adv;
  }
  if (i < n) { /* cut: drop pieces until "..." fits */
    for (int k = 3; k >= 0 && w + 3 > cap - 1; k--) w = marks[k];
    memcpy(buf + w, "...", 3);
    w += 3;
  }
  buf[w] = 0;
  return w;
}
