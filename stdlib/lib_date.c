/*
** lib_date.c — proleptic Gregorian calendar arithmetic and strict parsing and
** printing of ISO date text.  Day numbers count from 1970-01-01; the
** conversions are Howard Hinnant's days_from_civil / civil_from_days.
*/
#include "lib.h"

/* Days since 1970-01-01; meaningful only for a valid date (no failure case). */
int32_t lib_days_from_civil(int y, int m, int d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;                                   /* [0, 399] */
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
  return (int32_t)(era * 146097 + doe - 719468);
}

/* Defined for every int32_t day number (no failure case). */
void lib_civil_from_days(int32_t days, int *y, int *m, int *d) {
  int64_t z = (int64_t)days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                                          /* [0, 146096] */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;     /* [0, 399] */
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                   /* [0, 365] */
  int64_t mp = (5 * doy + 2) / 153;                                        /* [0, 11] */
  int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = mm;
  *y = (int)(yoe + era * 400 + (mm <= 2));
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* 0 for a month outside 1..12. */
int lib_days_in_month(int y, int m) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return mdays[m - 1] + (m == 2 && is_leap(y));
}

/* Returns 0 for anything that is not a real date in years 1..9999. */
int lib_date_valid(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return 0;
  return d <= lib_days_in_month(y, m);
}

int lib_day_in_range(int64_t days) {
  return days >= lib_days_from_civil(1, 1, 1) && days <= lib_days_from_civil(9999, 12, 31);
}

/* ---- Weeks, months, quarters and years ------------------------------------ */

/* 1970-01-01 was a Thursday; defined for every int32_t day. */
int lib_iso_weekday(int32_t days) {
  return (int)(((int64_t)days % 7 + 7 + 3) % 7) + 1;
}

/* The day number of the 1st of month index mi (year * 12 + month - 1, mi >= 0). */
static int32_t first_of(int64_t mi) {
  return lib_days_from_civil((int)(mi / 12), (int)(mi % 12) + 1, 1);
}

/* A month index is year * 12 + month - 1: for a day of years 1..9999 it is
** at least 12, and a period's start (at most 11 months earlier) and end (at
** most 12 later) stay within years 0..10000, where the day numbers fit. */
int lib_period(int32_t days, int kind, int first_month, lib_span *out) {
  int y, m, d;
  if (!lib_day_in_range(days) || first_month < 1 || first_month > 12) return 0;
  lib_civil_from_days(days, &y, &m, &d);
  int64_t mi = (int64_t)y * 12 + m - 1;
  int k = (m - first_month + 12) % 12;  /* months since the fiscal year began */
  int64_t from, months;
  switch (kind) {
  case LIB_WEEK:
    out->start = days - (lib_iso_weekday(days) - 1);
    out->end = out->start + 6;
    out->number = 0;
    out->year = 0;
    return 1;
  case LIB_MONTH: from = mi; months = 1; out->number = m; break;
  case LIB_QUARTER: from = mi - k % 3; months = 3; out->number = k / 3 + 1; break;
  case LIB_YEAR: from = mi - k; months = 12; out->number = 0; break;
  default: return 0;
  }
  out->start = first_of(from);
  out->end = first_of(from + months) - 1;
  /* the fiscal year is named by the calendar year it ends in */
  out->year = (int)((mi - k + 11) / 12);
  return 1;
}

/* ---- Parsing ------------------------------------------------------------ */

/* A cursor over the text being parsed. */
typedef struct { const char *s; size_t len, i; } scan;

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_blank(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Reads exactly n digits as a number in [lo, hi]; 0 if there are not. */
static int get_num(scan *p, int n, int lo, int hi, int *out) {
  int v = 0;
  if (p->len - p->i < (size_t)n) return 0;
  for (int k = 0; k < n; k++) {
    char c = p->s[p->i + (size_t)k];
    if (!is_digit(c)) return 0;
    v = v * 10 + (c - '0');
  }
  if (v < lo || v > hi) return 0;
  p->i += (size_t)n;
  *out = v;
  return 1;
}

/* Consumes c if it is next; 0 if it is not. */
static int get_char(scan *p, char c) {
  if (p->i < p->len && p->s[p->i] == c) { p->i++; return 1; }
  return 0;
}

/* "HH:MM[:SS[.fraction]]" (hours 0-24, as SQLite reads them), blanks, then
** an optional "Z"/"z" or "+HH:MM"/"-HH:MM" (zone hours 0-14).  Sets *shift
** to the days the zone moves the time by in UTC (-1, 0 or 1), as SQLite's
** date() does: '2025-01-01T23:00-05:00' is 2025-01-02. */
static int get_time(scan *p, int *shift) {
  int h, mi, sec, zh, zm;
  *shift = 0;
  if (!get_num(p, 2, 0, 24, &h) || !get_char(p, ':') || !get_num(p, 2, 0, 59, &mi))
    return 0;
  if (get_char(p, ':')) {
    if (!get_num(p, 2, 0, 59, &sec)) return 0;
    if (get_char(p, '.')) {
      if (p->i >= p->len || !is_digit(p->s[p->i])) return 0;
      while (p->i < p->len && is_digit(p->s[p->i])) p->i++;
    }
  }
  while (p->i < p->len && is_blank(p->s[p->i])) p->i++;
  if (get_char(p, 'Z') || get_char(p, 'z')) return 1;
  int sign = get_char(p, '+') ? 1 : get_char(p, '-') ? -1 : 0;
  if (!sign) return 1;
  if (!get_num(p, 2, 0, 14, &zh) || !get_char(p, ':') || !get_num(p, 2, 0, 59, &zm)) return 0;
  int utc = h * 60 + mi - sign * (zh * 60 + zm);
  *shift = utc < 0 ? -1 : utc >= 24 * 60 ? 1 : 0;
  return 1;
}

/* Returns 0 (and leaves *out alone) for text that is not a readable date.
** The grammar is SQLite's: the date, then any run of blanks and 'T's, then
** optionally a time (get_time), then trailing blanks; no leading blank. */
int lib_parse_date(const char *s, size_t len, int32_t *out) {
  scan p = {s, len, 0};
  int y, m, d, shift = 0;
  if (s == NULL) return 0;
  if (len == 10) { /* a plain date, what most tables hold: the grammar below, unrolled */
    const unsigned char *u = (const unsigned char *)s;
    unsigned a = u[0] - 48u, b = u[1] - 48u, c = u[2] - 48u, e = u[3] - 48u;
    unsigned f = u[5] - 48u, g = u[6] - 48u, h = u[8] - 48u, k = u[9] - 48u;
    if ((a > 9) | (b > 9) | (c > 9) | (e > 9) | (f > 9) | (g > 9) | (h > 9) | (k > 9) | (u[4] != '-') | (u[7] != '-')) return 0;
    y = (int)(a * 1000 + b * 100 + c * 10 + e);
    m = (int)(f * 10 + g);
    d = (int)(h * 10 + k);
    if (m < 1 || m > 12 || d < 1 || d > 31 || !lib_date_valid(y, m, d)) return 0;
    if (out) *out = lib_days_from_civil(y, m, d);
    return 1;
  }
  if (!get_num(&p, 4, 0, 9999, &y) || !get_char(&p, '-') || !get_num(&p, 2, 1, 12, &m) ||
      !get_char(&p, '-') || !get_num(&p, 2, 1, 31, &d))
    return 0;
  while (p.i < p.len && (is_blank(s[p.i]) || s[p.i] == 'T')) p.i++;
  if (p.i < p.len && !get_time(&p, &shift)) return 0;
  while (p.i < p.len && is_blank(s[p.i])) p.i++;
  if (p.i != p.len || !lib_date_valid(y, m, d)) return 0;
  if (out) *out = lib_days_from_civil(y, m, d) + shift;
  return 1;
}

/* ---- Printing ----------------------------------------------------------- */

static void put_digits(char *buf, int v, int n) {
  for (int k = n - 1; k >= 0; k--) { buf[k] = (char)('0' + v % 10); v /= 10; }
}

/* A day whose year is outside 0..9999 has no 4-digit form: it is written as
** "????-??-??" rather than overflowing buf. */
void lib_format_date(int32_t days, char *buf) {
  int y, m, d;
  lib_civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) {
    for (int k = 0; k < 10; k++) buf[k] = k == 4 || k == 7 ? '-' : '?';
    buf[10] = '\0';
    return;
  }
  put_digits(buf, y, 4);
  buf[4] = '-';
  put_digits(buf + 5, m, 2);
  buf[7] = '-';
  put_digits(buf + 8, d, 2);
  buf[10] = '\0';
}
