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
#include "../runtime/val.h"

/* ---- Calendar (lib_date.c) ------------------------------------------- */

/* Days since 1970-01-01 of a valid proleptic Gregorian date. */
int32_t lib_days_from_civil(int y, int m, int d);
/* The inverse of lib_days_from_civil. */
void lib_civil_from_days(int32_t days, int *y, int *m, int *d);
/* 1 when y-m-d is a real calendar date with 1 <= y <= 9999. */
int lib_date_valid(int y, int m, int d);

/* Parse date text as SQLite's date functions read it: "YYYY-MM-DD", optionally
** followed by 'T' or ' ' and a time "HH:MM", "HH:MM:SS" or "HH:MM:SS.SSS"
** (optionally followed by "Z" or "+HH:MM"/"-HH:MM", which is ignored: the
** calendar day is the written one).  Leading and trailing blanks are allowed.
** Returns 1 and sets *out on success; returns 0 for anything else, including
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

/* Type classes used by the checker to type a call (see lib_sig). */
enum {
  LIB_T_ANY = 0x3e, /* any type */
  LIB_T_NUM = 1 << 1, LIB_T_BOOL = 1 << 2, LIB_T_STR = 1 << 3,
  LIB_T_DATE = 1 << 4, LIB_T_DUR = 1 << 5
};

typedef struct lib_func {
  const char *name;
  int min_args, max_args; /* max_args -1: variadic */
  int arg_mask;           /* LIB_T_* bits every argument may have (null always may) */
  int ret;                /* result: a VT_* type, or -1 for the arguments' common type
                          ** (the checker then requires all non-null arguments to agree) */
  const char *synopsis;   /* one line for docs and did-you-mean */
  /* Computes the result from args[0..n).  buf/cap is scratch space the
  ** function may point a string result into.  Never fails: a wrong type
  ** or an out-of-range argument gives null. */
  val (*fn)(const val *args, int n, char *buf, size_t cap);
} lib_func;

/* The table of built-in scalar functions, ended by a {NULL} entry.
** Indices into it are what OP_CALL carries. */
extern const lib_func lib_funcs[];
int lib_func_count(void);
/* Index of a built-in scalar function by name, or -1. */
int lib_func_find(const char *name);

#endif
