/*
** lib.h — Vigil's standard library: calendar arithmetic, value formatting
** and the built-in scalar functions called by OP_CALL.
**
** Every function here is pure and allocation-free: text results are written
** into a caller-supplied buffer.
*/
#ifndef VIGIL_LIB_H
#define VIGIL_LIB_H

#include <stddef.h>
#include <stdint.h>
#include "../core/val.h"
#include "../core/funcs.h"

/* ---- Calendar (lib_date.c) ------------------------------------------- */

/* Days since 1970-01-01 of a valid proleptic Gregorian date. */
int32_t lib_days_from_civil(int y, int m, int d);
/* The inverse of lib_days_from_civil. */
void lib_civil_from_days(int32_t days, int *y, int *m, int *d);
/* 1 when y-m-d is a real calendar date with 1 <= y <= 9999. */
int lib_date_valid(int y, int m, int d);
/* The days of month m (1-12) of year y, 28-31; 0 for another m. */
int lib_days_in_month(int y, int m);
/* 1 when a day number is a date of years 1..9999 (0001-01-01 .. 9999-12-31),
** the dates values may hold. */
int lib_day_in_range(int64_t days);
/* ISO weekday of a day number: 1 Monday ... 7 Sunday. */
int lib_iso_weekday(int32_t days);

/* The calendar periods: an ISO week (Monday to Sunday), a calendar month, a
** quarter and a year of a fiscal year whose first month is first_month
** (1 is the calendar year). */
enum { LIB_WEEK, LIB_MONTH, LIB_QUARTER, LIB_YEAR };
typedef struct lib_span {
  int32_t start, end; /* its first and last day; either may lie in year 0 or
                      ** 10000, outside the dates values hold */
  int number;         /* the quarter 1-4 of the fiscal year, the month 1-12 (0 for weeks and years) */
  int year;           /* the fiscal year, named by the calendar year it ends in (0 for weeks) */
} lib_span;
/* The period of the given kind (LIB_*) holding days.  Returns 0 and leaves
** *out alone when days is not a date of years 1..9999, the kind is unknown
** or first_month is not 1..12. */
int lib_period(int32_t days, int kind, int first_month, lib_span *out);

/* Parse date text as SQLite's date functions read it: "YYYY-MM-DD", optionally
** followed by 'T' or ' ' and a time "HH:MM", "HH:MM:SS" or "HH:MM:SS.SSS"
** (optionally followed by "Z" or "+HH:MM"/"-HH:MM", which is ignored: the
** calendar day is the written one).  Leading and trailing blanks are allowed.
** Returns 1 and sets *out (unless out is NULL: only whether s is a date) on
** success; returns 0 for anything else, including
** an impossible date such as 2025-02-30. */
int lib_parse_date(const char *s, size_t len, int32_t *out);

/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void lib_format_date(int32_t days, char *buf);

/* ---- Formatting (lib_fmt.c) ------------------------------------------ */

/* Formats of message interpolation: default, {x:pct}, {x:N}. */
enum { LIB_FMT_DEFAULT = 0, LIB_FMT_PCT = 1, LIB_FMT_FIXED = 2 };

/* Format v as the brief's "Message formatting" says, into buf[0..cap).
** fmt is a LIB_FMT_*; digits is N for LIB_FMT_FIXED.
** Default: numbers as %.15g, dates YYYY-MM-DD, durations "N days" ("1 day",
** "-1 day"), booleans true/false, null "null", strings as they are.
** pct: x*100 to one decimal, trailing ".0" dropped, '%' appended.
** fixed: N decimals.  No format prints "-0": a result that rounds to zero
** is printed without its sign.  pct and fixed of a non-number (or a duration,
** which is formatted by its number of days) print as the default does.
** Returns the length written (always < cap; output is truncated to fit,
** and NUL-terminated). */
size_t lib_format(val v, int fmt, int digits, char *buf, size_t cap);

/* x (finite) in the shortest of %.15g, %.16g, %.17g that reads back as x,
** zero as "0": the numbers of evidence JSON.  t holds at least 32 bytes;
** returns the length. */
size_t lib_format_exact(double x, char *t);

/* The text of a key or recipient: an integral finite number in decimal
** digits (no exponent, however large), anything else as lib_format's
** default.  Same contract. */
size_t lib_format_text(val v, char *buf, size_t cap);

/* The length of the well-formed UTF-8 sequence at s[0..n) (1 to 4), or 0
** when s does not start with one (a stray continuation byte, an overlong
** form, a surrogate, a code point past U+10FFFF, a cut sequence). */
size_t lib_utf8_seq(const unsigned char *s, size_t n);

/* Text of n bytes (any bytes) as a diagnostic shows it, into buf[0..cap):
** well-formed UTF-8 as it is, but NUL as \0, other control characters (C0,
** DEL and the C1 range U+0080-U+009F) and bytes that are not UTF-8 as \xNN;
** cut with "..." at a character boundary when it does not fit.  Returns the
** length written (always < cap; NUL-terminated; cap >= 8). */
size_t lib_show_text(const char *s, size_t n, char *buf, size_t cap);

/* ---- Built-in scalar functions (lib_func.c) -------------------------- */

/* A scalar function's implementation: computes the result from args[0..n).
** buf/cap is scratch space the function may point a string result into.
** Never fails: a wrong type or an out-of-range argument gives null. */
typedef val (*lib_fn)(const val *args, int n, char *buf, size_t cap);

/* The implementations, by the index OP_CALL carries (core/funcs.def: the
** names, arity and types are fn_scalars[i]). */
extern const lib_fn lib_fn_impl[FN__COUNT];

#endif
