/*
** test_lib.c — CUnit tests of the standard library (stdlib/lib.h): the
** calendar, date parsing and printing, value formatting and the built-in
** scalar functions.  unit_register_lib() adds the suites.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "../../stdlib/lib.h"

int unit_register_lib(void);

/* ---- Helpers (macros, so that failures report the test's line) ---------- */

/* lib_format_date's text for a year without 4 digits ("????-??-??"). */
#define NO_DATE "?\?\?\?-?\?-?\?"

#define D(y, m, d) lib_days_from_civil((y), (m), (d))

/* Parses a C string; its length is strlen. */
static int parse(const char *s, int32_t *out) { return lib_parse_date(s, strlen(s), out); }

static char fbuf[512];

/* lib_format into fbuf. */
static const char *fmt(val v, int f, int digits) {
  size_t n = lib_format(v, f, digits, fbuf, sizeof fbuf);
  return n == strlen(fbuf) ? fbuf : "<bad length>";
}

static const char *fmt_text(val v) {
  size_t n = lib_format_text(v, fbuf, sizeof fbuf);
  return n == strlen(fbuf) ? fbuf : "<bad length>";
}

static char scratch[16];

/* Calls a built-in by name, in its form for n arguments as the checker
** picks it, with scratch as its buffer. */
static val call(const char *name, const val *args, int n) {
  int i = fn_scalar_find_args(name, n);
  if (i < 0) return val_str("<no such function>", 18);
  return lib_fn_impl[i](args, n, scratch, sizeof scratch);
}

#define NARGS(...) ((int)(sizeof((val[]){__VA_ARGS__}) / sizeof(val)))
#define CALL(name, ...) call((name), (val[]){__VA_ARGS__}, NARGS(__VA_ARGS__))
#define S(lit) val_str((lit), sizeof(lit) - 1)
#define NUL val_null()

#define ASSERT_NULL(v) CU_ASSERT_EQUAL((v).t, VT_NULL)
#define ASSERT_NUM(v, x) do { val v_ = (v); CU_ASSERT_EQUAL(v_.t, VT_NUM); \
    CU_ASSERT_DOUBLE_EQUAL(v_.u.n, (x), 1e-12); } while (0)
#define ASSERT_DUR(v, x) do { val v_ = (v); CU_ASSERT_EQUAL(v_.t, VT_DUR); \
    CU_ASSERT_DOUBLE_EQUAL(v_.u.n, (x), 1e-12); } while (0)
#define ASSERT_DATE(v, days) do { val v_ = (v); CU_ASSERT_EQUAL(v_.t, VT_DATE); \
    CU_ASSERT_EQUAL(v_.u.d, (days)); } while (0)
#define ASSERT_BOOL(v, x) do { val v_ = (v); CU_ASSERT_EQUAL(v_.t, VT_BOOL); \
    CU_ASSERT_EQUAL(v_.u.b, (x)); } while (0)
#define ASSERT_STR(v, lit) do { val v_ = (v); CU_ASSERT_EQUAL(v_.t, VT_STR); \
    CU_ASSERT_EQUAL(v_.len, sizeof(lit) - 1); \
    CU_ASSERT(v_.t == VT_STR && v_.len == sizeof(lit) - 1 && memcmp(v_.u.s, (lit), v_.len) == 0); \
  } while (0)

#define PARSES(text, y, m, d) do { int32_t o_ = -99999; \
    CU_ASSERT_EQUAL(parse((text), &o_), 1); CU_ASSERT_EQUAL(o_, D((y), (m), (d))); } while (0)
#define REJECTS(text) do { int32_t o_ = -99999; \
    CU_ASSERT_EQUAL(parse((text), &o_), 0); CU_ASSERT_EQUAL(o_, -99999); } while (0)

/* ---- Calendar ----------------------------------------------------------- */

static void test_civil_known(void) {
  int y, m, d;
  CU_ASSERT_EQUAL(D(1970, 1, 1), 0);
  CU_ASSERT_EQUAL(D(1969, 12, 31), -1);
  CU_ASSERT_EQUAL(D(2000, 3, 1), 11017);
  CU_ASSERT_EQUAL(D(2024, 2, 29), 19782);
  CU_ASSERT_EQUAL(D(2025, 3, 31), 20178);
  CU_ASSERT_EQUAL(D(1, 1, 1), -719162);
  CU_ASSERT_EQUAL(D(9999, 12, 31), 2932896);
  lib_civil_from_days(19782, &y, &m, &d);
  CU_ASSERT_EQUAL(y, 2024); CU_ASSERT_EQUAL(m, 2); CU_ASSERT_EQUAL(d, 29);
  lib_civil_from_days(-1, &y, &m, &d);
  CU_ASSERT_EQUAL(y, 1969); CU_ASSERT_EQUAL(m, 12); CU_ASSERT_EQUAL(d, 31);
  /* The extremes of int32_t do not overflow. */
  lib_civil_from_days(INT32_MAX, &y, &m, &d);
  CU_ASSERT(y > 5000000 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
  lib_civil_from_days(INT32_MIN, &y, &m, &d);
  CU_ASSERT(y < -5000000 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
}

/* Walks every day of years 1..9999 by hand and checks both conversions. */
static void test_civil_round_trip(void) {
  int y = 1, m = 1, d = 1, bad = 0;
  int32_t days = D(1, 1, 1);
  for (;;) {
    int y2, m2, d2;
    lib_civil_from_days(days, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d || D(y, m, d) != days) bad++;
    if (y == 9999 && m == 12 && d == 31) break;
    days++;
    if (lib_date_valid(y, m, d + 1)) d++;
    else if (m < 12) { m++; d = 1; }
    else { y++; m = 1; d = 1; }
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT_EQUAL(days, 2932896);
}

static void test_date_valid(void) {
  CU_ASSERT_TRUE(lib_date_valid(2025, 3, 31));
  CU_ASSERT_TRUE(lib_date_valid(2024, 2, 29));
  CU_ASSERT_TRUE(lib_date_valid(2000, 2, 29));
  CU_ASSERT_FALSE(lib_date_valid(1900, 2, 29));
  CU_ASSERT_FALSE(lib_date_valid(2023, 2, 29));
  CU_ASSERT_FALSE(lib_date_valid(2025, 2, 30));
  CU_ASSERT_FALSE(lib_date_valid(2025, 4, 31));
  CU_ASSERT_TRUE(lib_date_valid(2025, 12, 31));
  CU_ASSERT_FALSE(lib_date_valid(2025, 0, 1));
  CU_ASSERT_FALSE(lib_date_valid(2025, 13, 1));
  CU_ASSERT_FALSE(lib_date_valid(2025, 1, 0));
  CU_ASSERT_FALSE(lib_date_valid(2025, 1, 32));
  CU_ASSERT_TRUE(lib_date_valid(1, 1, 1));
  CU_ASSERT_TRUE(lib_date_valid(9999, 12, 31));
  CU_ASSERT_FALSE(lib_date_valid(0, 1, 1));
  CU_ASSERT_FALSE(lib_date_valid(10000, 1, 1));
  CU_ASSERT_FALSE(lib_date_valid(-1, 1, 1));
}

static void test_parse_valid(void) {
  PARSES("2025-03-31", 2025, 3, 31);
  PARSES("1970-01-01", 1970, 1, 1);
  PARSES("0001-01-01", 1, 1, 1);
  PARSES("9999-12-31", 9999, 12, 31);
  PARSES("2024-02-29", 2024, 2, 29);
  PARSES("2000-02-29", 2000, 2, 29);
  PARSES("2025-03-31  ", 2025, 3, 31);
  PARSES("2025-03-31\r\n", 2025, 3, 31);
  /* Times are read and dropped; a zone moves the day as SQLite's date() does. */
  PARSES("2025-03-31T12:34", 2025, 3, 31);
  PARSES("2025-03-31 12:34", 2025, 3, 31);
  PARSES("2025-03-31 12:34:56", 2025, 3, 31);
  PARSES("2025-03-31T23:59:59.999", 2025, 3, 31);
  PARSES("2025-03-31T00:00:00.1", 2025, 3, 31);
  PARSES("2025-03-31T00:00:00.123456789", 2025, 3, 31);
  PARSES("2025-03-31T23:59Z", 2025, 3, 31);
  PARSES("2025-03-31T23:59:59Z", 2025, 3, 31);
  PARSES("2025-03-31 23:59:59.5+05:30", 2025, 3, 31);
  PARSES("2025-03-31T03:00+05:30", 2025, 3, 30);
  PARSES("2025-03-31T23:59:59-05:00", 2025, 4, 1);
  PARSES("2025-03-31T10:00-14:00", 2025, 4, 1);
  PARSES("2025-01-01 10:00:00+14:00", 2024, 12, 31);
  PARSES("2025-03-31 08:00:00 ", 2025, 3, 31);
  /* what SQLite's date() also reads: blanks and 'T's before the time, hour
  ** 24, a blank before the zone, a lower-case z */
  PARSES("2025-03-31T", 2025, 3, 31);
  PARSES("2025-03-31T ", 2025, 3, 31);
  PARSES("2025-03-31  12:00", 2025, 3, 31);
  PARSES("2025-03-31TT12:00", 2025, 3, 31);
  PARSES("2025-03-31T24:00", 2025, 3, 31);
  PARSES("2025-03-31T12:00 Z", 2025, 3, 31);
  PARSES("2025-03-31T12:00z", 2025, 3, 31);
  PARSES("2025-03-31 23:00 -05:00", 2025, 4, 1);
  {
    /* Only len bytes are read. */
    int32_t o = 0;
    CU_ASSERT_EQUAL(lib_parse_date("2025-03-31xyz", 10, &o), 1);
    CU_ASSERT_EQUAL(o, D(2025, 3, 31));
  }
}

static void test_parse_invalid(void) {
  int32_t o = 7;
  REJECTS("");
  REJECTS("   ");
  REJECTS(" 2025-03-31"); /* SQLite's date() reads no leading blank */
  REJECTS("garbage");
  REJECTS("2025-02-30");
  REJECTS("2023-02-29");
  REJECTS("1900-02-29");
  REJECTS("2025-04-31");
  REJECTS("2025-13-01");
  REJECTS("2025-00-10");
  REJECTS("2025-01-00");
  REJECTS("2025-01-32");
  REJECTS("0000-01-01");
  REJECTS("25-03-31");
  REJECTS("02025-03-31");
  REJECTS("2025-3-31");
  REJECTS("2025-03-1");
  REJECTS("20250331");
  REJECTS("2025/03/31");
  REJECTS("+2025-03-31");
  REJECTS("-2025-03-31");
  REJECTS("2025-03-31x");
  REJECTS("2025-03-31 x");
  REJECTS("2025-03-31Z");
  REJECTS("2025-03-31T12");
  REJECTS("2025-03-31T12:");
  REJECTS("2025-03-31T1:00");
  REJECTS("2025-03-31T12:0");
  REJECTS("2025-03-31T12:60");
  REJECTS("2025-03-31T12:00:60");
  REJECTS("2025-03-31T12:00:5");
  REJECTS("2025-03-31T12:00:00.");
  REJECTS("2025-03-31T12:00:00.5X");
  REJECTS("2025-03-31T12:00:00,5");
  REJECTS("2025-03-31T12:00+15:00");
  REJECTS("2025-03-31T12:00+05:60");
  REJECTS("2025-03-31T12:00+05");
  REJECTS("2025-03-31T12:00+0530");
  REJECTS("2025-03-31T12:00ZZ");
  REJECTS("2025-03-31 12:00:00 2025");
  REJECTS("2025-03-31 extra");
  REJECTS("２０２５-03-31");
  /* An embedded NUL is not white space. */
  CU_ASSERT_EQUAL(lib_parse_date("2025-03-31\0", 11, &o), 0);
  CU_ASSERT_EQUAL(lib_parse_date("2025-03-31", 9, &o), 0);
  CU_ASSERT_EQUAL(lib_parse_date(NULL, 0, &o), 0);
  CU_ASSERT_EQUAL(o, 7);
}

/* A plain date (ten bytes) is read by a path of its own: it must read
** exactly what the general grammar reads, which is reached by adding a
** trailing blank (allowed after any date).  Every shape of ten bytes made
** from digits, '-' and a few others, over years, months and days in and
** out of range. */
static void test_parse_date_plain(void) {
  static const char alphabet[] = "0123456789-T :+x";
  long checked = 0, read = 0;
  char a[40], b[40]; /* (room for any int: gcc -O1 under SAN warns otherwise) */
  for (int y = 0; y <= 9999; y += 197)
    for (int m = 0; m <= 13; m++)
      for (int d = 0; d <= 32; d++) {
        snprintf(a, sizeof a, "%04d-%02d-%02d", y, m, d);
        for (int pos = -1; pos < 10; pos++)
          for (int c = 0; c < (pos < 0 ? 1 : (int)sizeof alphabet - 1); c++) {
            memcpy(b, a, 11);
            if (pos >= 0) b[pos] = alphabet[c];
            b[10] = ' ';
            b[11] = 0;
            int32_t plain = -1, general = -1;
            int rp = lib_parse_date(b, 10, &plain), rg = lib_parse_date(b, 11, &general);
            if (rp != rg || (rp && plain != general)) {
              CU_FAIL("a plain date reads differently");
              fprintf(stderr, "\n  [%.10s]: plain %d %d, general %d %d\n", b, rp, (int)plain, rg, (int)general);
              return;
            }
            checked++;
            read += rp;
          }
      }
  CU_ASSERT(checked > 1000000);
  CU_ASSERT(read > 10000);
}

static void test_format_date(void) {
  char buf[11];
  lib_format_date(D(2025, 3, 31), buf);
  CU_ASSERT_STRING_EQUAL(buf, "2025-03-31");
  lib_format_date(0, buf);
  CU_ASSERT_STRING_EQUAL(buf, "1970-01-01");
  lib_format_date(D(1, 1, 1), buf);
  CU_ASSERT_STRING_EQUAL(buf, "0001-01-01");
  lib_format_date(D(9999, 12, 31), buf);
  CU_ASSERT_STRING_EQUAL(buf, "9999-12-31");
  lib_format_date(D(2024, 2, 29), buf);
  CU_ASSERT_STRING_EQUAL(buf, "2024-02-29");
  /* Years without a 4-digit form never overflow buf. */
  lib_format_date(D(9999, 12, 31) + 1, buf);
  CU_ASSERT_STRING_EQUAL(buf, NO_DATE);
  lib_format_date(INT32_MAX, buf);
  CU_ASSERT_STRING_EQUAL(buf, NO_DATE);
  lib_format_date(INT32_MIN, buf);
  CU_ASSERT_STRING_EQUAL(buf, NO_DATE);
  {
    /* Every printed date parses back to itself. */
    int bad = 0;
    for (int32_t d = D(1, 1, 1); d <= D(9999, 12, 31); d += 17) {
      int32_t back = 0;
      lib_format_date(d, buf);
      if (!parse(buf, &back) || back != d) bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
  }
}

/* ---- Formatting --------------------------------------------------------- */

static void test_fmt_number(void) {
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.2), LIB_FMT_DEFAULT, 0), "0.2");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(9), LIB_FMT_DEFAULT, 0), "9");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1250000), LIB_FMT_DEFAULT, 0), "1250000");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.1 + 0.2), LIB_FMT_DEFAULT, 0), "0.3");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-2.5), LIB_FMT_DEFAULT, 0), "-2.5");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1e20), LIB_FMT_DEFAULT, 0), "1e+20");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1e-5), LIB_FMT_DEFAULT, 0), "1e-05");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(123456789012345678.0), LIB_FMT_DEFAULT, 0),
                         "1.23456789012346e+17");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.0), LIB_FMT_DEFAULT, 0), "0");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.0), LIB_FMT_DEFAULT, 0), "0");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(NAN), LIB_FMT_DEFAULT, 0), "nan");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-NAN), LIB_FMT_DEFAULT, 0), "nan");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(INFINITY), LIB_FMT_DEFAULT, 0), "inf");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-INFINITY), LIB_FMT_DEFAULT, 0), "-inf");
}

static void test_fmt_pct(void) {
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.205), LIB_FMT_PCT, 0), "20.5%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.2), LIB_FMT_PCT, 0), "20%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.22), LIB_FMT_PCT, 0), "22%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.15), LIB_FMT_PCT, 0), "-15%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.0004), LIB_FMT_PCT, 0), "0%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.0004), LIB_FMT_PCT, 0), "0%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.0006), LIB_FMT_PCT, 0), "-0.1%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.0), LIB_FMT_PCT, 0), "0%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.0), LIB_FMT_PCT, 0), "0%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1), LIB_FMT_PCT, 0), "100%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(12.5), LIB_FMT_PCT, 0), "1250%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.12345), LIB_FMT_PCT, 0), "12.3%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-1.0 / 3), LIB_FMT_PCT, 0), "-33.3%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1e-9), LIB_FMT_PCT, 0), "0%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(NAN), LIB_FMT_PCT, 0), "nan%");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-INFINITY), LIB_FMT_PCT, 0), "-inf%");
  /* x*100 overflows to infinity. */
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1e307), LIB_FMT_PCT, 0), "inf%");
}

static void test_fmt_fixed(void) {
  CU_ASSERT_STRING_EQUAL(fmt(val_num(3.14159), LIB_FMT_FIXED, 2), "3.14");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1), LIB_FMT_FIXED, 3), "1.000");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.001), LIB_FMT_FIXED, 2), "0.00");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.006), LIB_FMT_FIXED, 2), "-0.01");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.0), LIB_FMT_FIXED, 0), "0");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.0), LIB_FMT_FIXED, 2), "0.00");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.4), LIB_FMT_FIXED, 0), "0");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-0.6), LIB_FMT_FIXED, 0), "-1");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(2.5), LIB_FMT_FIXED, 0), "2"); /* printf: ties to even */
  CU_ASSERT_STRING_EQUAL(fmt(val_num(1250000), LIB_FMT_FIXED, 1), "1250000.0");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(-10), LIB_FMT_FIXED, 1), "-10.0");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(3.7), LIB_FMT_FIXED, -1), "4");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.5), LIB_FMT_FIXED, 1000), "0.50000000000000000000");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(NAN), LIB_FMT_FIXED, 2), "nan");
  CU_ASSERT_STRING_EQUAL(fmt(val_num(INFINITY), LIB_FMT_FIXED, 2), "inf");
  /* "-", the 309 digits of DBL_MAX, ".", 20 decimals. */
  CU_ASSERT_EQUAL(strlen(fmt(val_num(-1.7976931348623157e308), LIB_FMT_FIXED, 20)), 331);
}

/* Numbers are printed without printf where that is sure to give printf's
** text (whole numbers in the default format; {x:N} away from a tie): the
** same text as printf for values of every magnitude, ties and near-ties,
** negatives and negative zero, N from 0 to 10. */
static void test_fmt_like_printf(void) {
  static const double fixed[] = {0.125, 0.375, 2.5, 3.5, -2.5, 0.5, 1.005, 1.015, 2.675, 0.045, -0.0049, -0.005, 1e-9,
                                 -0.0, 0.0, 123456789.125, 4503599627370495.5, 1e15, 1e16, 99.995, 0.1 + 0.2, 1.0 / 3};
  uint64_t seed = 0x9e3779b97f4a7c15u;
  char want[512];
  int bad = 0;
  for (int i = 0; i < 200000 && bad < 5; i++) {
    double x;
    if (i < (int)(sizeof fixed / sizeof fixed[0])) {
      x = fixed[i];
    } else {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
      int kind = (int)(seed % 4);
      double u = (double)(seed >> 11) / 9007199254740992.0; /* [0, 1) */
      int e = (int)((seed >> 3) % 40) - 20;
      x = kind == 0 ? u * pow(10, e) : kind == 1 ? floor(u * pow(10, e % 16 + 1)) : kind == 2 ? floor(u * 1e6) / 1000 + 0.0005
        : -u * pow(10, e);
      if (kind == 3 && (seed & 16)) x = floor(x * 1000) / 1000; /* exact thousandths and their ties */
    }
    for (int d = 0; d <= 10 && bad < 5; d++) {
      snprintf(want, sizeof want, "%.*f", d, x);
      if (want[0] == '-' && want[strspn(want + 1, "0.") + 1] == '\0') memmove(want, want + 1, strlen(want));
      if (strcmp(fmt(val_num(x), LIB_FMT_FIXED, d), want) != 0) {
        fprintf(stderr, "\n  %.17g :%d gave %s, printf %s", x, d, fbuf, want);
        bad++;
      }
    }
    if (x == 0) snprintf(want, sizeof want, "0");
    else snprintf(want, sizeof want, "%.15g", x);
    if (strcmp(fmt(val_num(x), LIB_FMT_DEFAULT, 0), want) != 0) {
      fprintf(stderr, "\n  %.17g gave %s, printf %s", x, fbuf, want);
      bad++;
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
}

/* lib_format_exact, the numbers of evidence JSON: the text of the printf
** loop it replaces (the shortest of %.15g, %.16g and %.17g that strtod
** reads back), for short decimals of every magnitude and sign (prices,
** rates, their sums and ratios), decimals of 16 digits, whole numbers,
** random bits, and the edges of its fast paths (1e-4, 1e-3, 1e15). */
static void test_fmt_exact_like_printf(void) {
  static const double fixed[] = {0.196, 0.15680000000000002, 0.1 + 0.2, 1.0 / 3, 1e-4, 9.9999999999999991e-05, 1e15,
                                 999999999999999.9, 999999999999999.0, 0.0001000000000000001, 123456.789, -0.5, 5e-324,
                                 1.7976931348623157e308, 4503599627370495.5, 0.30000000000000004, 2.675, 1e14 + 0.5,
                                 1e-3, 0.0010000000000000002, 0.00099999999999999980, 0.5, 0.25000000000000006,
                                 999999999999999.88, 0.12345678901234566, 0.1234567890123456};
  uint64_t seed = 0x2545f4914f6cdd1du;
  char want[64], got[64];
  int bad = 0;
  for (int i = 0; i < 1000000 && bad < 5; i++) {
    double x;
    if (i < (int)(sizeof fixed / sizeof fixed[0])) {
      x = fixed[i];
    } else {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
      int kind = (int)(seed % 6), e = (int)((seed >> 3) % 24) - 8;
      double u = (double)(seed >> 11) / 9007199254740992.0; /* [0, 1) */
      double dec = floor(u * 1e7) / pow(10, (double)((seed >> 5) % 12)); /* a short decimal */
      /* (a decimal of 16 digits: the edge between %.16g and %.17g) */
      double dec16 = floor(u * 1e16) / pow(10, (double)((seed >> 5) % 19));
      x = kind == 0 ? u * pow(10, e) : kind == 1 ? dec : kind == 2 ? dec * 3 + dec / 7 : kind == 3 ? floor(u * pow(10, e % 17 + 1))
        : kind == 4 ? -dec : (seed & 128) ? -dec16 : dec16;
      if (seed & 32) { /* a neighbour: one ulp away */
        uint64_t b;
        memcpy(&b, &x, sizeof b);
        b += (seed & 64) ? 1 : (uint64_t)-1;
        memcpy(&x, &b, sizeof b);
      }
      if (!isfinite(x)) continue;
    }
    if (x == 0) {
      strcpy(want, "0");
    } else {
      for (int prec = 15; prec <= 17; prec++) {
        snprintf(want, sizeof want, "%.*g", prec, x);
        if (prec == 17 || strtod(want, NULL) == x) break;
      }
    }
    size_t n = lib_format_exact(x, got);
    if (strcmp(got, want) != 0 || n != strlen(got)) {
      fprintf(stderr, "\n  %.17g gave %s, printf %s", x, got, want);
      bad++;
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
}

static void test_fmt_duration(void) {
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(1), LIB_FMT_DEFAULT, 0), "1 day");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(-1), LIB_FMT_DEFAULT, 0), "-1 day");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(0), LIB_FMT_DEFAULT, 0), "0 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(-0.0), LIB_FMT_DEFAULT, 0), "0 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(5), LIB_FMT_DEFAULT, 0), "5 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(14), LIB_FMT_DEFAULT, 0), "14 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(-2), LIB_FMT_DEFAULT, 0), "-2 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(1.5), LIB_FMT_DEFAULT, 0), "1.5 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(0.5), LIB_FMT_DEFAULT, 0), "0.5 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(INFINITY), LIB_FMT_DEFAULT, 0), "inf days");
}

static void test_fmt_other(void) {
  CU_ASSERT_STRING_EQUAL(fmt(val_date(D(2025, 3, 31)), LIB_FMT_DEFAULT, 0), "2025-03-31");
  CU_ASSERT_STRING_EQUAL(fmt(val_bool(1), LIB_FMT_DEFAULT, 0), "true");
  CU_ASSERT_STRING_EQUAL(fmt(val_bool(0), LIB_FMT_DEFAULT, 0), "false");
  CU_ASSERT_STRING_EQUAL(fmt(NUL, LIB_FMT_DEFAULT, 0), "null");
  CU_ASSERT_STRING_EQUAL(fmt(S("rep 42 \"x\" {y}"), LIB_FMT_DEFAULT, 0), "rep 42 \"x\" {y}");
  CU_ASSERT_STRING_EQUAL(fmt(S("回款率"), LIB_FMT_DEFAULT, 0), "回款率");
  CU_ASSERT_STRING_EQUAL(fmt(val_str("abcdef", 3), LIB_FMT_DEFAULT, 0), "abc");
  CU_ASSERT_STRING_EQUAL(fmt(val_str(NULL, 0), LIB_FMT_DEFAULT, 0), "");
  /* pct and fixed apply to numbers only; the rest print as the default does. */
  CU_ASSERT_STRING_EQUAL(fmt(NUL, LIB_FMT_PCT, 0), "null");
  CU_ASSERT_STRING_EQUAL(fmt(NUL, LIB_FMT_FIXED, 2), "null");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(5), LIB_FMT_PCT, 0), "5 days");
  CU_ASSERT_STRING_EQUAL(fmt(val_dur(1), LIB_FMT_FIXED, 2), "1 day");
  CU_ASSERT_STRING_EQUAL(fmt(val_date(0), LIB_FMT_PCT, 0), "1970-01-01");
  CU_ASSERT_STRING_EQUAL(fmt(val_bool(1), LIB_FMT_FIXED, 2), "true");
  CU_ASSERT_STRING_EQUAL(fmt(S("0.5"), LIB_FMT_PCT, 0), "0.5");
  /* An unknown format is the default. */
  CU_ASSERT_STRING_EQUAL(fmt(val_num(0.5), 99, 0), "0.5");
}

static void test_fmt_truncation(void) {
  char b[8];
  memset(b, 'X', sizeof b);
  CU_ASSERT_EQUAL(lib_format(S("hello"), LIB_FMT_DEFAULT, 0, b, 4), 3);
  CU_ASSERT_STRING_EQUAL(b, "hel");
  CU_ASSERT_EQUAL(lib_format(S("hello"), LIB_FMT_DEFAULT, 0, b, 6), 5);
  CU_ASSERT_STRING_EQUAL(b, "hello");
  CU_ASSERT_EQUAL(lib_format(val_num(1250000), LIB_FMT_DEFAULT, 0, b, 4), 3);
  CU_ASSERT_STRING_EQUAL(b, "125");
  CU_ASSERT_EQUAL(lib_format(val_dur(5), LIB_FMT_DEFAULT, 0, b, 5), 4);
  CU_ASSERT_STRING_EQUAL(b, "5 da");
  CU_ASSERT_EQUAL(lib_format(val_date(0), LIB_FMT_DEFAULT, 0, b, sizeof b), 7);
  CU_ASSERT_STRING_EQUAL(b, "1970-01");
  CU_ASSERT_EQUAL(lib_format(val_bool(1), LIB_FMT_DEFAULT, 0, b, 1), 0);
  CU_ASSERT_STRING_EQUAL(b, "");
  /* A multi-byte character is not cut in half: "aé" is 61 C3 A9. */
  CU_ASSERT_EQUAL(lib_format(S("a\xC3\xA9"), LIB_FMT_DEFAULT, 0, b, 3), 1);
  CU_ASSERT_STRING_EQUAL(b, "a");
  CU_ASSERT_EQUAL(lib_format(S("a\xC3\xA9"), LIB_FMT_DEFAULT, 0, b, 4), 3);
  CU_ASSERT_STRING_EQUAL(b, "a\xC3\xA9");
  /* cap 0 writes nothing. */
  b[0] = 'X';
  CU_ASSERT_EQUAL(lib_format(S("hello"), LIB_FMT_DEFAULT, 0, b, 0), 0);
  CU_ASSERT_EQUAL(lib_format_text(val_num(5), b, 0), 0);
  CU_ASSERT_EQUAL(b[0], 'X');
  CU_ASSERT_EQUAL(lib_format_text(val_num(123456), b, 4), 3);
  CU_ASSERT_STRING_EQUAL(b, "123");
}

static void test_fmt_text(void) {
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(101)), "101");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(-42)), "-42");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(0)), "0");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(-0.0)), "0");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(1e16)), "10000000000000000");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(1e17)), "100000000000000000");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(-999999999999999872.0)), "-999999999999999872");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(1e18)), "1000000000000000000"); /* an integer is always digits */
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(2.5)), "2.5");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(NAN)), "nan");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_num(INFINITY)), "inf");
  CU_ASSERT_STRING_EQUAL(fmt_text(S("alice@example.com")), "alice@example.com");
  CU_ASSERT_STRING_EQUAL(fmt_text(NUL), "null");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_date(D(2025, 1, 2))), "2025-01-02");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_dur(1)), "1 day");
  CU_ASSERT_STRING_EQUAL(fmt_text(val_bool(0)), "false");
}

/* ---- Built-in functions ------------------------------------------------- */

static void test_func_table(void) {
  int n = FN__COUNT;
  CU_ASSERT_EQUAL(n, 30);
  for (int i = 0; i < n; i++) {
    const fn_sig *f = &fn_scalars[i];
    lib_fn fn = lib_fn_impl[i];
    CU_ASSERT_PTR_NOT_NULL(f->name);
    CU_ASSERT_PTR_NOT_NULL(f->synopsis);
    CU_ASSERT_PTR_NOT_NULL(fn);
    /* the synopsis starts with the name and its arguments */
    CU_ASSERT(strncmp(f->synopsis, f->name, strlen(f->name)) == 0 && f->synopsis[strlen(f->name)] == '(');
    CU_ASSERT(f->min_args >= 1 && (f->max_args == -1 || f->max_args >= f->min_args));
    CU_ASSERT(f->arg_mask != 0 && (f->arg_mask & ~LIB_T_ANY) == 0);
    CU_ASSERT(f->ret == -1 || (f->ret > VT_NULL && f->ret < VT__COUNT));
    /* a name is found at its first entry; a later one is another form
    ** (another number of arguments) of the same function */
    CU_ASSERT(fn_scalar_find(f->name) >= 0 && fn_scalar_find(f->name) <= i);
    CU_ASSERT_EQUAL(fn_scalar_find_args(f->name, f->min_args), i);
    CU_ASSERT((f->flags & ~LIB_F_FISCAL) == 0);
    if (f->flags & LIB_F_FISCAL) CU_ASSERT_EQUAL(f->max_args, f->min_args + 1);
    /* With no arguments, or only nulls, nothing crashes and the result is null. */
    ASSERT_NULL(fn(NULL, 0, scratch, sizeof scratch));
    ASSERT_NULL(fn((val[]){NUL, NUL, NUL}, f->max_args == -1 ? 3 : f->max_args,
                      scratch, sizeof scratch));
  }
  CU_ASSERT_EQUAL(fn_scalar_find("nope"), -1);
  CU_ASSERT_EQUAL(fn_scalar_find(""), -1);
  CU_ASSERT_EQUAL(fn_scalar_find("YEAR"), -1);
  CU_ASSERT_EQUAL(fn_scalar_find(NULL), -1);
  CU_ASSERT(fn_scalar_find("coalesce") >= 0);
  /* the forms of date: one argument (text or date) or three (y, m, d) */
  {
    int d1 = fn_scalar_find_args("date", 1), d3 = fn_scalar_find_args("date", 3);
    CU_ASSERT(d1 >= 0 && d3 >= 0 && d1 != d3);
    CU_ASSERT_EQUAL(fn_scalar_find("date"), d1);
    CU_ASSERT_EQUAL(fn_scalar_find_args("date", 2), d1); /* no form: the first */
    CU_ASSERT_EQUAL(fn_scalar_find_args("nope", 1), -1);
    CU_ASSERT_EQUAL(fn_scalar_find_args("quarter", 2), fn_scalar_find("quarter"));
  }
  /* aggregates and window functions: found by name, each once */
  for (int i = 0; i < AGG__COUNT; i++) CU_ASSERT_EQUAL(fn_agg_find(fn_aggs[i].name), i);
  for (int i = 0; i < WIN__COUNT; i++) CU_ASSERT_EQUAL(fn_window_find(fn_windows[i].name), i);
  CU_ASSERT_EQUAL(fn_agg_find("prev"), -1);
  CU_ASSERT_EQUAL(fn_window_find("sum"), -1);
  CU_ASSERT_EQUAL(fn_window_find("streak"), WIN_STREAK);
  CU_ASSERT_STRING_EQUAL(fn_aggs[AGG_ANY].name, "any");
}

static void test_func_days_date(void) {
  ASSERT_NUM(CALL("days", val_dur(5)), 5);
  ASSERT_NUM(CALL("days", val_dur(-1.5)), -1.5);
  ASSERT_NULL(CALL("days", NUL));
  ASSERT_NULL(CALL("days", val_num(5)));
  ASSERT_NULL(CALL("days", val_date(5)));

  ASSERT_DATE(CALL("date", S("2025-03-31")), D(2025, 3, 31));
  ASSERT_DATE(CALL("date", S("2024-02-29T10:00:00Z")), D(2024, 2, 29));
  ASSERT_NULL(CALL("date", S(" 2024-02-29"))); /* no leading blank, as in SQLite */
  ASSERT_DATE(CALL("date", val_date(123)), 123);
  ASSERT_NULL(CALL("date", S("2025-02-30")));
  ASSERT_NULL(CALL("date", S("")));
  ASSERT_NULL(CALL("date", S("31/03/2025")));
  ASSERT_NULL(CALL("date", NUL));
  ASSERT_NULL(CALL("date", val_num(20250331)));
  ASSERT_NULL(CALL("date", val_bool(1)));
}

static void test_func_date_parts(void) {
  val d = val_date(D(2025, 3, 31));
  ASSERT_NUM(CALL("year", d), 2025);
  ASSERT_NUM(CALL("month", d), 3);
  ASSERT_NUM(CALL("quarter", d), 1);
  ASSERT_NUM(CALL("quarter", val_date(D(2025, 4, 1))), 2);
  ASSERT_NUM(CALL("quarter", val_date(D(2025, 9, 30))), 3);
  ASSERT_NUM(CALL("quarter", val_date(D(2025, 12, 31))), 4);
  ASSERT_NUM(CALL("year", val_date(D(1, 1, 1))), 1);
  ASSERT_NUM(CALL("month", val_date(D(1969, 12, 31))), 12);

  /* week_of_quarter: week 1 is the Monday-to-Sunday week holding the
  ** quarter's first day.  2025-Q1 starts on a Wednesday, so its week 1 is
  ** 2024-12-30 .. 2025-01-05 and 2025-03-31 is in week 14. */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 1, 1))), 1);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 1, 5))), 1);  /* Sunday */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 1, 6))), 2);  /* Monday (was 1) */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 1, 7))), 2);  /* (was 1) */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 2, 5))), 6);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 2, 9))), 6);  /* Sunday */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 2, 10))), 7); /* (was 6) */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 3, 31))), 14); /* (was 13) */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 4, 1))), 1);
  /* the calibration week: week 6 of 2025-Q2 is Monday 2025-05-05 .. Sunday
  ** 2025-05-11 (the old count made it 2025-05-06 .. 2025-05-12) */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 5, 4))), 5);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 5, 5))), 6);  /* (was 5) */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 5, 11))), 6);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 5, 12))), 7); /* (was 6) */
  /* a quarter that starts on a Monday: the weeks are the old 7-day blocks */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2024, 1, 1))), 1);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2024, 1, 7))), 1);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2024, 1, 8))), 2);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2024, 6, 30))), 13); /* Q2 starts Monday 04-01 */
  /* a quarter that starts on a Sunday: its first day is all of week 1 */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2023, 1, 1))), 1);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2023, 1, 2))), 2);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2023, 1, 8))), 2);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2023, 1, 9))), 3);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2023, 3, 31))), 14);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(2025, 10, 15))), 3);
  /* the first quarter of all: its Monday (0001-01-01) is the first date */
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(1, 1, 1))), 1);
  ASSERT_NUM(CALL("week_of_quarter", val_date(D(1, 3, 31))), 13);

  ASSERT_NUM(CALL("dekad", val_date(D(2025, 3, 1))), 1);
  ASSERT_NUM(CALL("dekad", val_date(D(2025, 3, 10))), 1);
  ASSERT_NUM(CALL("dekad", val_date(D(2025, 3, 11))), 2);
  ASSERT_NUM(CALL("dekad", val_date(D(2025, 3, 20))), 2);
  ASSERT_NUM(CALL("dekad", val_date(D(2025, 3, 21))), 3);
  ASSERT_NUM(CALL("dekad", val_date(D(2025, 3, 31))), 3);
  ASSERT_NUM(CALL("dekad", val_date(D(2024, 2, 29))), 3);

  ASSERT_NUM(CALL("weekday", val_date(0)), 4);                 /* Thursday */
  ASSERT_NUM(CALL("weekday", val_date(-1)), 3);                /* Wednesday */
  ASSERT_NUM(CALL("weekday", val_date(D(2025, 3, 31))), 1);    /* Monday */
  ASSERT_NUM(CALL("weekday", val_date(D(2025, 3, 30))), 7);    /* Sunday */
  ASSERT_NUM(CALL("weekday", val_date(D(2000, 1, 1))), 6);     /* Saturday */
  ASSERT_NUM(CALL("weekday", val_date(D(1, 1, 1))), 1);        /* Monday */
  ASSERT_NUM(CALL("weekday", val_date(D(9999, 12, 31))), 5);   /* Friday */
  ASSERT_NUM(CALL("weekday", val_date(INT32_MIN)), 1 + ((INT32_MIN % 7 + 7 + 3) % 7));

  {
    static const char *parts[] = {"year", "month", "quarter", "week_of_quarter", "dekad",
                                  "weekday"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
      ASSERT_NULL(CALL(parts[i], NUL));
      ASSERT_NULL(CALL(parts[i], val_num(20178)));
      ASSERT_NULL(CALL(parts[i], S("2025-03-31")));
      ASSERT_NULL(CALL(parts[i], val_dur(3)));
    }
  }
}

/* day, days_in_month, start/end of week and month: calendar, whatever the
** fiscal year. */
static void test_func_month_week(void) {
  ASSERT_NUM(CALL("day", val_date(D(2025, 3, 31))), 31);
  ASSERT_NUM(CALL("day", val_date(D(2025, 3, 1))), 1);
  ASSERT_NUM(CALL("day", val_date(D(2024, 2, 29))), 29);
  ASSERT_NUM(CALL("day", val_date(D(1, 1, 1))), 1);

  ASSERT_NUM(CALL("days_in_month", val_date(D(2024, 2, 1))), 29);   /* leap year */
  ASSERT_NUM(CALL("days_in_month", val_date(D(2025, 2, 14))), 28);
  ASSERT_NUM(CALL("days_in_month", val_date(D(1900, 2, 28))), 28);  /* not leap: 100 */
  ASSERT_NUM(CALL("days_in_month", val_date(D(2000, 2, 28))), 29);  /* leap: 400 */
  ASSERT_NUM(CALL("days_in_month", val_date(D(2025, 4, 30))), 30);
  ASSERT_NUM(CALL("days_in_month", val_date(D(2025, 12, 1))), 31);
  ASSERT_NUM(CALL("days_in_month", val_date(D(9999, 12, 31))), 31);

  ASSERT_DATE(CALL("start_of_month", val_date(D(2024, 2, 29))), D(2024, 2, 1));
  ASSERT_DATE(CALL("start_of_month", val_date(D(2025, 3, 1))), D(2025, 3, 1));
  ASSERT_DATE(CALL("end_of_month", val_date(D(2024, 2, 1))), D(2024, 2, 29));
  ASSERT_DATE(CALL("end_of_month", val_date(D(2025, 2, 1))), D(2025, 2, 28));
  ASSERT_DATE(CALL("end_of_month", val_date(D(2025, 4, 30))), D(2025, 4, 30));
  ASSERT_DATE(CALL("end_of_month", val_date(D(2025, 12, 5))), D(2025, 12, 31));
  ASSERT_DATE(CALL("end_of_month", val_date(D(9999, 12, 5))), D(9999, 12, 31));
  ASSERT_DATE(CALL("start_of_month", val_date(D(1, 1, 31))), D(1, 1, 1));

  /* ISO weeks, Monday to Sunday, across a year end */
  ASSERT_DATE(CALL("start_of_week", val_date(D(2024, 12, 31))), D(2024, 12, 30));
  ASSERT_DATE(CALL("end_of_week", val_date(D(2024, 12, 31))), D(2025, 1, 5));
  ASSERT_DATE(CALL("start_of_week", val_date(D(2025, 1, 5))), D(2024, 12, 30));   /* Sunday */
  ASSERT_DATE(CALL("end_of_week", val_date(D(2025, 1, 5))), D(2025, 1, 5));
  ASSERT_DATE(CALL("start_of_week", val_date(D(2025, 3, 31))), D(2025, 3, 31));   /* Monday */
  ASSERT_DATE(CALL("end_of_week", val_date(D(2025, 3, 31))), D(2025, 4, 6));
  ASSERT_DATE(CALL("start_of_week", val_date(D(2024, 3, 3))), D(2024, 2, 26));    /* over Feb 29 */
  ASSERT_DATE(CALL("start_of_week", val_date(D(1970, 1, 1))), D(1969, 12, 29));   /* day 0, a Thursday */
  /* the ends of the date range: 0001-01-01 is a Monday, 9999-12-31 a Friday */
  ASSERT_DATE(CALL("start_of_week", val_date(D(1, 1, 3))), D(1, 1, 1));
  ASSERT_DATE(CALL("end_of_week", val_date(D(9999, 12, 26))), D(9999, 12, 26));
  ASSERT_NULL(CALL("end_of_week", val_date(D(9999, 12, 31))));  /* 10000-01-02 */
  ASSERT_NULL(CALL("start_of_week", val_date(D(1, 1, 1) - 1)));  /* not a date of 1..9999 */
  ASSERT_NULL(CALL("start_of_week", val_date(INT32_MIN)));
  ASSERT_NULL(CALL("end_of_week", val_date(INT32_MAX)));

  {
    static const char *fs[] = {"day", "days_in_month", "start_of_week", "end_of_week",
                               "start_of_month", "end_of_month", "width"};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
      ASSERT_NULL(CALL(fs[i], NUL));
      ASSERT_NULL(CALL(fs[i], val_num(20178)));
      ASSERT_NULL(CALL(fs[i], val_dur(3)));
    }
  }
}

/* The fiscal functions at fiscal starts 1, 2, 4, 7, 10 and 12. */
static void test_func_fiscal(void) {
  static const struct {
    int d[3], start, quarter, soq[3], eoq[3], soy[3], eoy[3], fy, woq;
  } cases[] = {
    /* date, first month: quarter, its start and end, the year's start and
    ** end, fiscal_year, week_of_quarter */
    {{2025, 3, 31},  1, 1, {2025, 1, 1}, {2025, 3, 31}, {2025, 1, 1}, {2025, 12, 31}, 2025, 14},
    {{2025, 1, 1},  1, 1, {2025, 1, 1}, {2025, 3, 31}, {2025, 1, 1}, {2025, 12, 31}, 2025,  1},
    {{2024, 12, 31},  1, 4, {2024, 10, 1}, {2024, 12, 31}, {2024, 1, 1}, {2024, 12, 31}, 2024, 14},
    {{2024, 2, 29},  1, 1, {2024, 1, 1}, {2024, 3, 31}, {2024, 1, 1}, {2024, 12, 31}, 2024,  9},
    {{2025, 1, 31},  2, 4, {2024, 11, 1}, {2025, 1, 31}, {2024, 2, 1}, {2025, 1, 31}, 2025, 14},
    {{2025, 2, 1},  2, 1, {2025, 2, 1}, {2025, 4, 30}, {2025, 2, 1}, {2026, 1, 31}, 2026,  1},
    {{2024, 2, 29},  2, 1, {2024, 2, 1}, {2024, 4, 30}, {2024, 2, 1}, {2025, 1, 31}, 2025,  5},
    {{2025, 3, 31},  4, 4, {2025, 1, 1}, {2025, 3, 31}, {2024, 4, 1}, {2025, 3, 31}, 2025, 14},
    {{2025, 4, 1},  4, 1, {2025, 4, 1}, {2025, 6, 30}, {2025, 4, 1}, {2026, 3, 31}, 2026,  1},
    {{2025, 6, 15},  4, 1, {2025, 4, 1}, {2025, 6, 30}, {2025, 4, 1}, {2026, 3, 31}, 2026, 11},
    {{2024, 2, 29},  4, 4, {2024, 1, 1}, {2024, 3, 31}, {2023, 4, 1}, {2024, 3, 31}, 2024,  9},
    {{2025, 6, 30},  7, 4, {2025, 4, 1}, {2025, 6, 30}, {2024, 7, 1}, {2025, 6, 30}, 2025, 14},
    {{2025, 7, 1},  7, 1, {2025, 7, 1}, {2025, 9, 30}, {2025, 7, 1}, {2026, 6, 30}, 2026,  1},
    {{2025, 12, 31},  7, 2, {2025, 10, 1}, {2025, 12, 31}, {2025, 7, 1}, {2026, 6, 30}, 2026, 14},
    {{2026, 1, 1},  7, 3, {2026, 1, 1}, {2026, 3, 31}, {2025, 7, 1}, {2026, 6, 30}, 2026,  1},
    {{2025, 9, 30}, 10, 4, {2025, 7, 1}, {2025, 9, 30}, {2024, 10, 1}, {2025, 9, 30}, 2025, 14},
    {{2025, 10, 1}, 10, 1, {2025, 10, 1}, {2025, 12, 31}, {2025, 10, 1}, {2026, 9, 30}, 2026,  1},
    {{2026, 2, 28}, 10, 2, {2026, 1, 1}, {2026, 3, 31}, {2025, 10, 1}, {2026, 9, 30}, 2026,  9},
    {{2024, 2, 29}, 10, 2, {2024, 1, 1}, {2024, 3, 31}, {2023, 10, 1}, {2024, 9, 30}, 2024,  9},
    {{2024, 11, 30}, 12, 4, {2024, 9, 1}, {2024, 11, 30}, {2023, 12, 1}, {2024, 11, 30}, 2024, 14},
    {{2024, 12, 1}, 12, 1, {2024, 12, 1}, {2025, 2, 28}, {2024, 12, 1}, {2025, 11, 30}, 2025,  1},
    {{2025, 2, 28}, 12, 1, {2024, 12, 1}, {2025, 2, 28}, {2024, 12, 1}, {2025, 11, 30}, 2025, 14},
    {{2023, 12, 5}, 12, 1, {2023, 12, 1}, {2024, 2, 29}, {2023, 12, 1}, {2024, 11, 30}, 2024,  2},
    {{2025, 11, 30}, 12, 4, {2025, 9, 1}, {2025, 11, 30}, {2024, 12, 1}, {2025, 11, 30}, 2025, 13},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    val d = val_date(D(cases[i].d[0], cases[i].d[1], cases[i].d[2]));
    val f = val_num(cases[i].start);
#define YMD(a) D((a)[0], (a)[1], (a)[2])
    ASSERT_NUM(CALL("quarter", d, f), cases[i].quarter);
    ASSERT_DATE(CALL("start_of_quarter", d, f), YMD(cases[i].soq));
    ASSERT_DATE(CALL("end_of_quarter", d, f), YMD(cases[i].eoq));
    ASSERT_DATE(CALL("start_of_year", d, f), YMD(cases[i].soy));
    ASSERT_DATE(CALL("end_of_year", d, f), YMD(cases[i].eoy));
    ASSERT_NUM(CALL("fiscal_year", d, f), cases[i].fy);
    ASSERT_NUM(CALL("week_of_quarter", d, f), cases[i].woq);
    if (cases[i].start == 1) { /* the default: the same without the argument */
      ASSERT_NUM(CALL("quarter", d), cases[i].quarter);
      ASSERT_DATE(CALL("start_of_quarter", d), YMD(cases[i].soq));
      ASSERT_DATE(CALL("end_of_quarter", d), YMD(cases[i].eoq));
      ASSERT_DATE(CALL("start_of_year", d), YMD(cases[i].soy));
      ASSERT_DATE(CALL("end_of_year", d), YMD(cases[i].eoy));
      ASSERT_NUM(CALL("fiscal_year", d), cases[i].fy);
      ASSERT_NUM(CALL("week_of_quarter", d), cases[i].woq);
    }
#undef YMD
  }
  /* fiscal_year is named by the calendar year in which the fiscal year ends */
  ASSERT_NUM(CALL("fiscal_year", val_date(D(2025, 7, 1)), val_num(7)), 2026);
  ASSERT_NUM(CALL("fiscal_year", val_date(D(2025, 6, 30)), val_num(7)), 2025);
  ASSERT_NUM(CALL("fiscal_year", val_date(D(2025, 12, 31))), 2025);
  ASSERT_NUM(CALL("fiscal_year", val_date(D(2025, 1, 1)), val_num(1)), 2025);
  /* the ends of the date range */
  ASSERT_DATE(CALL("end_of_year", val_date(D(9999, 12, 31))), D(9999, 12, 31));
  ASSERT_NULL(CALL("end_of_year", val_date(D(9999, 12, 31)), val_num(7)));  /* 10000-06-30 */
  ASSERT_NULL(CALL("end_of_quarter", val_date(D(9999, 12, 31)), val_num(2))); /* 10000-01-31 */
  ASSERT_DATE(CALL("end_of_quarter", val_date(D(9999, 12, 31)), val_num(4)), D(9999, 12, 31));
  ASSERT_NUM(CALL("fiscal_year", val_date(D(9999, 12, 31)), val_num(7)), 10000);
  ASSERT_NULL(CALL("start_of_year", val_date(D(1, 1, 1)), val_num(7)));      /* 0000-07-01 */
  ASSERT_NULL(CALL("start_of_quarter", val_date(D(1, 1, 1)), val_num(12)));  /* 0000-12-01 */
  ASSERT_DATE(CALL("start_of_quarter", val_date(D(1, 1, 1)), val_num(1)), D(1, 1, 1));
  ASSERT_NULL(CALL("start_of_quarter", val_date(INT32_MIN)));
  ASSERT_NULL(CALL("end_of_year", val_date(INT32_MAX)));
  /* a first month that is not one: null */
  {
    static const char *fs[] = {"quarter", "week_of_quarter", "start_of_quarter", "end_of_quarter",
                               "start_of_year", "end_of_year", "fiscal_year"};
    val d = val_date(D(2025, 5, 5));
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
      ASSERT_NULL(CALL(fs[i], d, val_num(0)));
      ASSERT_NULL(CALL(fs[i], d, val_num(13)));
      ASSERT_NULL(CALL(fs[i], d, val_num(-1)));
      ASSERT_NULL(CALL(fs[i], d, val_num(6.5)));
      ASSERT_NULL(CALL(fs[i], d, val_num(NAN)));
      ASSERT_NULL(CALL(fs[i], d, val_num(INFINITY)));
      ASSERT_NULL(CALL(fs[i], d, val_num(1e300)));
      ASSERT_NULL(CALL(fs[i], d, NUL));
      ASSERT_NULL(CALL(fs[i], d, S("7")));
      ASSERT_NULL(CALL(fs[i], d, val_dur(7)));
      ASSERT_NULL(CALL(fs[i], NUL, val_num(7)));
      ASSERT_NULL(CALL(fs[i], S("2025-05-05")));
      ASSERT_NULL(CALL(fs[i], val_num(20213), val_num(7)));
    }
  }
}

/* Every day of 1999-2101 at every fiscal start: the periods hold the day,
** follow one another without a gap, and agree with quarter() and
** week_of_quarter(). */
static void test_func_fiscal_properties(void) {
  int bad = 0;
  for (int f = 1; f <= 12 && bad < 10; f++) {
    val fv = val_num(f);
    for (int32_t x = D(1999, 1, 1); x <= D(2101, 12, 31) && bad < 10; x++) {
      val d = val_date(x);
      int32_t sq = CALL("start_of_quarter", d, fv).u.d, eq = CALL("end_of_quarter", d, fv).u.d;
      int32_t sy = CALL("start_of_year", d, fv).u.d, ey = CALL("end_of_year", d, fv).u.d;
      int32_t sw = CALL("start_of_week", d).u.d, ew = CALL("end_of_week", d).u.d;
      int32_t sm = CALL("start_of_month", d).u.d, em = CALL("end_of_month", d).u.d;
      double q = CALL("quarter", d, fv).u.n, w = CALL("week_of_quarter", d, fv).u.n;
      double fy = CALL("fiscal_year", d, fv).u.n, dim = CALL("days_in_month", d).u.n;
      int y, m, dd, ys, ms, ds;
      lib_civil_from_days(x, &y, &m, &dd);
      lib_civil_from_days(sq, &ys, &ms, &ds);
      int ok = sq <= x && x <= eq && sy <= x && x <= ey && sy <= sq && eq <= ey &&
               ds == 1 && (ms - f + 12) % 3 == 0 && /* quarters start on the 1st of a fiscal month */
               CALL("quarter", val_date(eq + 1), fv).u.n == (q == 4 ? 1 : q + 1) &&
               CALL("start_of_quarter", val_date(eq + 1), fv).u.d == eq + 1 &&
               CALL("start_of_year", val_date(ey + 1), fv).u.d == ey + 1 &&
               (ey - sy == 364 || ey - sy == 365) && (eq - sq >= 88 && eq - sq <= 91) &&
               (q - 1) * 3 == (ms - f + 12) % 12 &&
               CALL("fiscal_year", val_date(ey), fv).u.n == fy && CALL("year", val_date(ey)).u.n == fy &&
               sw <= x && x <= ew && ew - sw == 6 && CALL("weekday", val_date(sw)).u.n == 1 &&
               w == 1 + (sw - CALL("start_of_week", val_date(sq)).u.d) / 7 && w >= 1 && w <= 14 &&
               sm <= x && x <= em && em - sm + 1 == dim && CALL("day", d).u.n == dd &&
               CALL("day", val_date(sm)).u.n == 1 && CALL("day", val_date(em + 1)).u.n == 1;
      if (!ok) {
        bad++;
        char b[11];
        lib_format_date(x, b);
        CU_FAIL("a fiscal period property fails");
        fprintf(stderr, "\n  fiscal properties fail for %s with the year starting in month %d\n", b, f);
      }
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
}

static void test_func_date_ymd(void) {
  ASSERT_DATE(CALL("date", val_num(2024), val_num(2), val_num(29)), D(2024, 2, 29));
  ASSERT_DATE(CALL("date", val_num(1), val_num(1), val_num(1)), D(1, 1, 1));
  ASSERT_DATE(CALL("date", val_num(9999), val_num(12), val_num(31)), D(9999, 12, 31));
  ASSERT_DATE(CALL("date", val_num(2025), val_num(12), val_num(31)), D(2025, 12, 31));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(2), val_num(29)));  /* not a leap year */
  ASSERT_NULL(CALL("date", val_num(1900), val_num(2), val_num(29)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(4), val_num(31)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(13), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(0), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(1), val_num(0)));
  ASSERT_NULL(CALL("date", val_num(0), val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(10000), val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(-2025), val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(1.5), val_num(1)));  /* not whole */
  ASSERT_NULL(CALL("date", val_num(2025.5), val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(1), val_num(1.000001)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(1), val_num(NAN)));
  ASSERT_NULL(CALL("date", val_num(INFINITY), val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(1e300), val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(-1e300), val_num(1)));
  ASSERT_NULL(CALL("date", NUL, val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), NUL, val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(1), NUL));
  ASSERT_NULL(CALL("date", S("2025"), val_num(1), val_num(1)));
  ASSERT_NULL(CALL("date", val_num(2025), val_num(1)));                 /* two: no form */
  /* one argument keeps its meaning */
  ASSERT_DATE(CALL("date", S("2025-03-31")), D(2025, 3, 31));
  ASSERT_NULL(CALL("date", val_num(2025)));
}

static void test_func_width(void) {
  static const char cjk[] = "\xE6\xA0\xB8\xE5\xBF\x83\xE5\x8A\x9F\xE8\x83\xBD\xE5\xBB\xB6"
                            "\xE6\x9C\x9F\xE4\xB8\x89\xE4\xB8\xAA\xE6\x9C\x88"; /* 核心功能延期三个月 */
  ASSERT_NUM(CALL("width", S(cjk)), 18);
  ASSERT_NUM(CALL("length", S(cjk)), 9);
  ASSERT_NUM(CALL("width", S("")), 0);
  ASSERT_NUM(CALL("width", S("abc 123")), 7);
  ASSERT_NUM(CALL("width", S("caf\xC3\xA9")), 4);                /* precomposed é */
  ASSERT_NUM(CALL("width", S("cafe\xCC\x81")), 4);               /* e + combining acute */
  ASSERT_NUM(CALL("length", S("cafe\xCC\x81")), 5);
  ASSERT_NUM(CALL("width", S("\xEF\xBC\xA1\xEF\xBC\xA2")), 4);   /* fullwidth ＡＢ */
  ASSERT_NUM(CALL("width", S("\xED\x95\x9C\xEA\xB8\x80")), 4);   /* Hangul 한글 */
  ASSERT_NUM(CALL("width", S("\xE3\x81\x8B\xE3\x82\xAB")), 4);   /* かカ */
  ASSERT_NUM(CALL("width", S("\xEF\xBD\xB6")), 1);               /* halfwidth ｶ */
  ASSERT_NUM(CALL("width", S("\xF0\x9F\x93\x88")), 2);           /* emoji 📈 */
  ASSERT_NUM(CALL("width", S("\xF0\x9F\x93\x88\xF0\x9F\x93\x89")), 4);
  /* per code point, not per grapheme: an emoji sequence is the sum of its parts */
  ASSERT_NUM(CALL("width", S("\xE2\x9D\xA4\xEF\xB8\x8F")), 1);       /* U+2764 U+FE0F, a heart */
  ASSERT_NUM(CALL("width", S("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9")), 4); /* man ZWJ woman */
  ASSERT_NUM(CALL("width", S("\xE2\x80\x8B")), 0);               /* zero width space */
  ASSERT_NUM(CALL("width", S("a\tb\n")), 2);                     /* control characters: 0 */
  ASSERT_NUM(CALL("width", val_str("a\0b", 3)), 2);              /* NUL does not end the text */
  /* not UTF-8: each ill-formed sequence is one column, the U+FFFD a display shows */
  ASSERT_NUM(CALL("width", S("\xFF")), 1);
  ASSERT_NUM(CALL("width", S("a\xFF" "b")), 3);
  ASSERT_NUM(CALL("width", S("\xE6\xA0")), 1);                   /* a truncated CJK character */
  ASSERT_NUM(CALL("width", S("\xE6\xA0" "a")), 2);
  ASSERT_NUM(CALL("width", S("\x80\x80")), 2);                   /* two stray continuation bytes */
  ASSERT_NUM(CALL("width", S("\xED\xA0\x80")), 1);               /* an encoded surrogate: one sequence */
  ASSERT_NULL(CALL("width", NUL));
  ASSERT_NULL(CALL("width", val_num(3)));
}

static void test_func_abs_round(void) {
  ASSERT_NUM(CALL("abs", val_num(-3)), 3);
  ASSERT_NUM(CALL("abs", val_num(2.5)), 2.5);
  ASSERT_DUR(CALL("abs", val_dur(-2)), 2);
  ASSERT_DUR(CALL("abs", val_dur(7)), 7);
  CU_ASSERT_FALSE(signbit(CALL("abs", val_num(-0.0)).u.n));
  ASSERT_NULL(CALL("abs", NUL));
  ASSERT_NULL(CALL("abs", S("-3")));
  ASSERT_NULL(CALL("abs", val_date(-3)));

  ASSERT_NUM(CALL("round", val_num(2.5)), 3);
  ASSERT_NUM(CALL("round", val_num(-2.5)), -3);
  ASSERT_NUM(CALL("round", val_num(0.5)), 1);
  ASSERT_NUM(CALL("round", val_num(2.4)), 2);
  ASSERT_NUM(CALL("round", val_num(-0.4)), 0);
  ASSERT_NUM(CALL("round", val_num(3.14159), val_num(2)), 3.14);
  ASSERT_NUM(CALL("round", val_num(0.125), val_num(2)), 0.13);
  ASSERT_NUM(CALL("round", val_num(-0.125), val_num(2)), -0.13);
  ASSERT_NUM(CALL("round", val_num(7), val_num(0)), 7);
  ASSERT_NUM(CALL("round", val_num(1234.5), val_num(-2)), 1200);
  ASSERT_NUM(CALL("round", val_num(1250), val_num(-2)), 1300);
  ASSERT_NUM(CALL("round", val_num(-1250), val_num(-2)), -1300);
  ASSERT_NUM(CALL("round", val_num(0.1 + 0.2), val_num(15)), 0.3);
  ASSERT_NUM(CALL("round", val_num(4e15), val_num(-15)), 4e15);
  /* Already integral at that scale: x itself. */
  CU_ASSERT_EQUAL(CALL("round", val_num(1e300), val_num(15)).u.n, 1e300);
  CU_ASSERT_EQUAL(CALL("round", val_num(12345.678901234567), val_num(15)).u.n,
                  12345.678901234567);
  CU_ASSERT_EQUAL(CALL("round", val_num(INFINITY)).u.n, INFINITY);
  CU_ASSERT(isnan(CALL("round", val_num(NAN), val_num(2)).u.n));
  ASSERT_NULL(CALL("round", val_num(1.5), val_num(1.5)));
  ASSERT_NULL(CALL("round", val_num(1.5), val_num(16)));
  ASSERT_NULL(CALL("round", val_num(1.5), val_num(-16)));
  ASSERT_NUM(CALL("round", val_num(1.5), val_num(-15)), 0);
  ASSERT_NULL(CALL("round", val_num(1.5), val_num(NAN)));
  ASSERT_NULL(CALL("round", val_num(1.5), val_num(INFINITY)));
  ASSERT_NULL(CALL("round", val_num(1.5), NUL));
  ASSERT_NULL(CALL("round", val_num(1.5), S("2")));
  ASSERT_NULL(CALL("round", NUL));
  ASSERT_NULL(CALL("round", NUL, val_num(2)));
  ASSERT_NULL(CALL("round", val_dur(1.5)));
  ASSERT_NULL(CALL("round", S("1.5")));
}

static void test_func_least_greatest(void) {
  ASSERT_NUM(CALL("least", val_num(3), val_num(1), val_num(2)), 1);
  ASSERT_NUM(CALL("greatest", val_num(3), val_num(1), val_num(2)), 3);
  ASSERT_NUM(CALL("least", val_num(-0.5)), -0.5);
  ASSERT_NUM(CALL("least", NUL, val_num(5), NUL, val_num(2)), 2);
  ASSERT_NUM(CALL("greatest", NUL, val_num(5), NUL, val_num(2)), 5);
  ASSERT_NULL(CALL("least", NUL, NUL));
  ASSERT_NULL(CALL("greatest", NUL));
  ASSERT_DATE(CALL("least", val_date(D(2025, 3, 31)), val_date(D(2024, 12, 1))), D(2024, 12, 1));
  ASSERT_DATE(CALL("greatest", val_date(D(2025, 3, 31)), NUL, val_date(D(2024, 12, 1))),
              D(2025, 3, 31));
  ASSERT_DUR(CALL("least", val_dur(5), val_dur(-1)), -1);
  ASSERT_DUR(CALL("greatest", val_dur(5), val_dur(-1)), 5);
  ASSERT_STR(CALL("least", S("b"), S("ab"), S("a")), "a");
  ASSERT_STR(CALL("greatest", S("b"), S("ab"), S("a")), "b");
  ASSERT_STR(CALL("greatest", S("a"), S("ab")), "ab");
  ASSERT_STR(CALL("least", S("a"), S("")), "");
  ASSERT_STR(CALL("greatest", S("z"), S("\xC3\xA9")), "\xC3\xA9"); /* bytes are unsigned */
  ASSERT_BOOL(CALL("least", val_bool(1), val_bool(0)), 0);
  ASSERT_BOOL(CALL("greatest", val_bool(0), val_bool(1)), 1);
  /* Mixed types. */
  ASSERT_NULL(CALL("least", val_num(1), S("1")));
  ASSERT_NULL(CALL("greatest", val_num(1), NUL, val_dur(1)));
  ASSERT_NULL(CALL("least", val_date(1), val_num(1)));
}

static void test_func_coalesce(void) {
  ASSERT_NUM(CALL("coalesce", NUL, NUL, val_num(3)), 3);
  ASSERT_NUM(CALL("coalesce", val_num(0), val_num(3)), 0);
  ASSERT_STR(CALL("coalesce", NUL, S("x"), val_num(1)), "x");
  ASSERT_BOOL(CALL("coalesce", val_bool(0)), 0);
  ASSERT_DATE(CALL("coalesce", NUL, val_date(9)), 9);
  ASSERT_NULL(CALL("coalesce", NUL));
  ASSERT_NULL(CALL("coalesce", NUL, NUL, NUL));
}

static void test_func_strings(void) {
  val t;
  ASSERT_NUM(CALL("length", S("")), 0);
  ASSERT_NUM(CALL("length", S("abc")), 3);
  ASSERT_NUM(CALL("length", S("销售额")), 3);
  ASSERT_NUM(CALL("length", S("caf\xC3\xA9!")), 5);
  ASSERT_NUM(CALL("length", S("\xF0\x9F\x93\x88")), 1);
  ASSERT_NULL(CALL("length", NUL));
  ASSERT_NULL(CALL("length", val_num(123)));

  {
    static const char text[] = " \t a b \r\n";
    t = CALL("trim", val_str(text, sizeof text - 1));
    ASSERT_STR(t, "a b");
    CU_ASSERT_PTR_EQUAL(t.u.s, text + 3);
  }
  ASSERT_STR(CALL("trim", S("x")), "x");
  ASSERT_STR(CALL("trim", S("")), "");
  ASSERT_STR(CALL("trim", S(" \f\v ")), "");
  ASSERT_STR(CALL("trim", S("\xE3\x80\x80x")), "\xE3\x80\x80x"); /* ASCII white space only */
  ASSERT_NULL(CALL("trim", NUL));
  ASSERT_NULL(CALL("trim", val_bool(1)));

  ASSERT_STR(CALL("lower", S("AbC \xC3\x89 Z9")), "abc \xC3\x89 z9");
  ASSERT_STR(CALL("upper", S("AbC \xC3\xA9 z9")), "ABC \xC3\xA9 Z9");
  ASSERT_STR(CALL("lower", S("")), "");
  ASSERT_STR(CALL("upper", S("0123456789abcdef")), "0123456789ABCDEF"); /* exactly fits */
  CU_ASSERT_PTR_EQUAL(CALL("upper", S("a")).u.s, scratch);
  ASSERT_NULL(CALL("upper", S("0123456789abcdefg"))); /* one byte too long */
  ASSERT_NULL(CALL("lower", NUL));
  ASSERT_NULL(CALL("upper", val_num(1)));
  {
    int i = fn_scalar_find("lower");
    ASSERT_NULL(lib_fn_impl[i]((val[]){S("A")}, 1, NULL, 0));
  }
}

/* ---- Registration ------------------------------------------------------- */

typedef struct { const char *name; CU_TestFunc fn; } test_def;

static int add_suite(const char *name, const test_def *tests, size_t n) {
  CU_pSuite s = CU_add_suite(name, NULL, NULL);
  if (s == NULL) return (int)CU_get_error();
  for (size_t i = 0; i < n; i++)
    if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL) return (int)CU_get_error();
  return CUE_SUCCESS;
}

/* Returns CUE_SUCCESS, or the CUnit error that stopped registration. */
int unit_register_lib(void) {
  static const test_def date_tests[] = {
    {"civil known days", test_civil_known},
    {"civil round trip 1..9999", test_civil_round_trip},
    {"date_valid", test_date_valid},
    {"parse valid", test_parse_valid},
    {"parse invalid", test_parse_invalid},
    {"a plain date reads as the general grammar reads it", test_parse_date_plain},
    {"format_date", test_format_date},
  };
  static const test_def fmt_tests[] = {
    {"default numbers", test_fmt_number},
    {"pct", test_fmt_pct},
    {"fixed", test_fmt_fixed},
    {"numbers print as printf prints them", test_fmt_like_printf},
    {"evidence numbers: the shortest form that reads back, as the printf loop wrote it", test_fmt_exact_like_printf},
    {"durations", test_fmt_duration},
    {"other types", test_fmt_other},
    {"truncation", test_fmt_truncation},
    {"format_text", test_fmt_text},
  };
  static const test_def func_tests[] = {
    {"table and lookup", test_func_table},
    {"days and date", test_func_days_date},
    {"date parts", test_func_date_parts},
    {"day, month and week periods", test_func_month_week},
    {"fiscal quarters and years", test_func_fiscal},
    {"fiscal periods: properties of every day", test_func_fiscal_properties},
    {"date(y, m, d)", test_func_date_ymd},
    {"width", test_func_width},
    {"abs and round", test_func_abs_round},
    {"least and greatest", test_func_least_greatest},
    {"coalesce", test_func_coalesce},
    {"strings", test_func_strings},
  };
  int rc = add_suite("lib_date", date_tests, sizeof date_tests / sizeof date_tests[0]);
  if (rc == CUE_SUCCESS) rc = add_suite("lib_fmt", fmt_tests, sizeof fmt_tests / sizeof fmt_tests[0]);
  if (rc == CUE_SUCCESS) rc = add_suite("lib_func", func_tests, sizeof func_tests / sizeof func_tests[0]);
  return rc;
}
