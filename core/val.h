/*
** val.h — the runtime value of the Vigil VM.
**
** A value is 16 bytes: a type tag and a payload.  Strings are never owned
** by a value: they point into the constant pool, a row buffer of the window,
** or the evaluation's scratch arena, all of which outlive the value's use.
*/
#ifndef VIGIL_VAL_H
#define VIGIL_VAL_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  VT_NULL = 0, /* SQL null */
  VT_NUM,      /* IEEE-754 double */
  VT_BOOL,     /* b is 0 or 1 */
  VT_STR,      /* s[0..len), UTF-8, not NUL-terminated in general */
  VT_DATE,     /* d: days since 1970-01-01 (proleptic Gregorian) */
  VT_DUR,      /* n: a number of days, may be fractional */
  VT__COUNT
} val_type;

typedef struct val {
  uint8_t t;    /* a val_type */
  uint32_t len; /* byte length when t == VT_STR */
  union {
    double n;      /* VT_NUM, VT_DUR */
    int32_t d;     /* VT_DATE */
    int b;         /* VT_BOOL */
    const char *s; /* VT_STR */
  } u;
} val;

static inline val val_null(void) { val v; v.t = VT_NULL; v.len = 0; v.u.n = 0; return v; }
static inline val val_num(double n) { val v; v.t = VT_NUM; v.len = 0; v.u.n = n; return v; }
static inline val val_dur(double n) { val v; v.t = VT_DUR; v.len = 0; v.u.n = n; return v; }
static inline val val_bool(int b) { val v; v.t = VT_BOOL; v.len = 0; v.u.b = b != 0; return v; }
static inline val val_date(int32_t d) { val v; v.t = VT_DATE; v.len = 0; v.u.d = d; return v; }
static inline val val_str(const char *s, size_t len) {
  val v; v.t = VT_STR; v.len = (uint32_t)len; v.u.s = s; return v;
}

/* The name of a type as users read it ("number", "date", ...). */
const char *val_type_name(int t);

#endif
