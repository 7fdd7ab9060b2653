/*
** out.c — the output encoders of the vigil command (the rule is in out.h
** and docs/CLI.md "Output encoding") and checked writes.
*/
#include "out.h"
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* ---- UTF-8 ----------------------------------------------------------------------- */

/* The length (1..4) of the valid UTF-8 sequence at p[0..n) (n >= 1), with
** its code point in *cp; 0 when p[0] does not start one (a stray
** continuation byte, an overlong form, a surrogate, a code point past
** U+10FFFF, a sequence cut short). */
static size_t utf8_seq(const unsigned char *p, size_t n, unsigned *cp) {
  unsigned b = p[0], c, lo = 0x80, hi = 0xbf;
  size_t len;
  if (b < 0x80) { *cp = b; return 1; }
  if (b >= 0xc2 && b <= 0xdf) { len = 2; c = b & 0x1f; }
  else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    c = b & 0x0f;
    if (b == 0xe0) lo = 0xa0;      /* overlong */
    if (b == 0xed) hi = 0x9f;      /* surrogates */
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    c = b & 0x07;
    if (b == 0xf0) lo = 0x90;      /* overlong */
    if (b == 0xf4) hi = 0x8f;      /* past U+10FFFF */
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) return 0;
  c = (c << 6) | (p[1] & 0x3fu);
  for (size_t i = 2; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    c = (c << 6) | (p[i] & 0x3fu);
  }
  *cp = c;
  return len;
}

/* The code points a terminal (or a viewer) would act on rather than show:
** C0 controls, DEL, C1 controls, and the format controls that reorder text
** or break lines (U+061C, U+200E, U+200F, U+2028 to U+202E, U+2066 to
** U+2069). */
static int is_control(unsigned cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static const char REPLACEMENT[] = "\xef\xbf\xbd"; /* U+FFFD */

/* ---- terminal text ------------------------------------------------------------------ */

enum { T_LINE, T_SOURCE, T_BLOCK, T_GITHUB, T_GITHUB_PROP };

/* The visible form of control code point cp, or of the invalid byte cp
** (bad), into buf (at least 8 bytes); its length. */
static size_t term_escape(unsigned cp, int bad, char *buf) {
  if (bad) return (size_t)snprintf(buf, 8, "\\x%02x", cp);
  switch (cp) {
  case 0: memcpy(buf, "\\0", 3); return 2;
  case '\t': memcpy(buf, "\\t", 3); return 2;
  case '\n': memcpy(buf, "\\n", 3); return 2;
  case '\r': memcpy(buf, "\\r", 3); return 2;
  default: return (size_t)snprintf(buf, 8, cp < 0x80 ? "\\x%02x" : "\\u%04x", cp);
  }
}

/* Walks p[0..n) by the terminal rule in mode; appends to s when s is not
** NULL; returns the columns written (a line break in T_BLOCK restarts the
** count after the indent). */
static size_t term_walk(diag_sink *s, const char *p, size_t n, int mode, const char *indent) {
  const unsigned char *u = (const unsigned char *)p;
  size_t width = 0, run = 0; /* run: where the bytes not yet appended start */
  char esc[8];
  for (size_t i = 0; p && i < n;) {
    unsigned cp = u[i];
    size_t k = utf8_seq(u + i, n - i, &cp);
    const char *rep = NULL;
    size_t rlen = 0;
    if (k == 0) {
      k = 1;
      rlen = term_escape(u[i], 1, esc);
      rep = esc;
    } else if (mode >= T_GITHUB && (cp == '%' || cp == '\r' || cp == '\n' ||
                                    (mode == T_GITHUB_PROP && (cp == ':' || cp == ',')))) {
      rlen = (size_t)snprintf(esc, sizeof esc, "%%%02X", cp);
      rep = esc;
    } else if (is_control(cp)) {
      if (mode == T_SOURCE && cp == '\t') { width++; i += k; continue; }
      if (mode == T_BLOCK && cp == '\n') {
        if (s) {
          sink_put(s, p + run, i - run);
          sink_put(s, "\n", 1);
          sink_str(s, indent);
        }
        width = strlen(indent);
        i += k;
        run = i;
        continue;
      }
      rlen = term_escape(cp, 0, esc);
      rep = esc;
    }
    if (rep) {
      if (s) {
        sink_put(s, p + run, i - run);
        sink_put(s, rep, rlen);
      }
      width += rlen;
      i += k;
      run = i;
    } else {
      width++;
      i += k;
    }
  }
  if (s && p && n > run) sink_put(s, p + run, n - run);
  return width;
}

void out_term(diag_sink *s, const char *p, size_t n) { term_walk(s, p, n, T_LINE, NULL); }
void out_term_str(diag_sink *s, const char *p) {
  if (p) term_walk(s, p, strlen(p), T_LINE, NULL);
}
void out_term_block(diag_sink *s, const char *p, size_t n, const char *indent) { term_walk(s, p, n, T_BLOCK, indent); }
void out_term_source(diag_sink *s, const char *p, size_t n) { term_walk(s, p, n, T_SOURCE, NULL); }
size_t out_term_width(const char *p, size_t n) { return term_walk(NULL, p, n, T_LINE, NULL); }

void out_github(diag_sink *s, const char *p, size_t n, int property) {
  term_walk(s, p, n, property ? T_GITHUB_PROP : T_GITHUB, NULL);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

void out_json(diag_sink *s, const char *p, size_t n) {
  if (!p) { sink_str(s, "null"); return; }
  const unsigned char *u = (const unsigned char *)p;
  sink_put(s, "\"", 1);
  size_t run = 0;
  char esc[8];
  for (size_t i = 0; i < n;) {
    unsigned cp = u[i];
    if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') { i++; continue; } /* (most bytes: as they are) */
    size_t k = utf8_seq(u + i, n - i, &cp);
    const char *rep = NULL;
    size_t rlen = 0;
    if (k == 0) {
      k = 1;
      rep = REPLACEMENT;
      rlen = 3;
    } else if (cp == '"' || cp == '\\') {
      esc[0] = '\\';
      esc[1] = (char)cp;
      rep = esc;
      rlen = 2;
    } else if (is_control(cp)) {
      const char *named = cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : cp == '\r' ? "\\r" : cp == '\b' ? "\\b" : cp == '\f' ? "\\f" : NULL;
      if (named) memcpy(esc, named, 3);
      else snprintf(esc, sizeof esc, "\\u%04x", cp);
      rep = esc;
      rlen = strlen(esc);
    }
    if (rep) {
      sink_put(s, p + run, i - run);
      sink_put(s, rep, rlen);
      run = i + k;
    }
    i += k;
  }
  sink_put(s, p + run, n - run);
  sink_put(s, "\"", 1);
}

void out_json_str(diag_sink *s, const char *p) { out_json(s, p, p ? strlen(p) : 0); }

/* ---- XML ------------------------------------------------------------------------------------- */

void out_xml(diag_sink *s, const char *p, size_t n, int attr) {
  const unsigned char *u = (const unsigned char *)p;
  size_t run = 0;
  char esc[16];
  for (size_t i = 0; p && i < n;) {
    unsigned cp = u[i];
    size_t k = utf8_seq(u + i, n - i, &cp);
    const char *rep = NULL;
    if (k == 0) {
      k = 1;
      rep = REPLACEMENT;
    } else if (cp == '&') rep = "&amp;";
    else if (cp == '<') rep = "&lt;";
    else if (cp == '>') rep = "&gt;";
    else if (cp == '"') rep = "&quot;";
    else if (cp == '\'') rep = "&apos;";
    else if (cp == '\r' || (attr && (cp == '\n' || cp == '\t'))) {
      snprintf(esc, sizeof esc, "&#%u;", cp);
      rep = esc;
    } else if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0xfffe || cp == 0xffff) {
      rep = REPLACEMENT; /* XML 1.0 cannot hold these, not even as references */
    } else if (is_control(cp) && cp >= 0x20) {
      snprintf(esc, sizeof esc, "&#x%x;", cp); /* DEL, C1, bidi: allowed, but not raw */
      rep = esc;
    }
    if (rep) {
      sink_put(s, p + run, i - run);
      sink_str(s, rep);
      run = i + k;
    }
    i += k;
  }
  if (p && n > run) sink_put(s, p + run, n - run);
}

/* ---- CSV --------------------------------------------------------------------------------------- */

void out_csv(diag_sink *s, const char *p, size_t n, int raw) {
  if (!p) return;
  const unsigned char *u = (const unsigned char *)p;
  int quote = 0;
  for (size_t i = 0; i < n; i++)
    if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r') quote = 1;
  if (quote) sink_put(s, "\"", 1);
  /* a cell a spreadsheet would evaluate: =1+1, +1, -1, @SUM(A1), a tab or CR first */
  if (!raw && n && strchr("=+-@\t\r", p[0])) sink_put(s, "'", 1);
  size_t run = 0;
  for (size_t i = 0; i < n;) {
    unsigned cp = u[i];
    if (cp >= 0x20 && cp < 0x7f && cp != '"') { i++; continue; } /* (most bytes: as they are) */
    size_t k = utf8_seq(u + i, n - i, &cp);
    const char *rep = NULL;
    if (k == 0) {
      k = 1;
      rep = REPLACEMENT;
    } else if (cp == '"') {
      rep = "\"\"";
    } else if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
      rep = REPLACEMENT; /* CSV has no escapes: NUL and control characters cannot be carried */
    }
    if (rep) {
      sink_put(s, p + run, i - run);
      sink_str(s, rep);
      run = i + k;
    }
    i += k;
  }
  sink_put(s, p + run, n - run);
  if (quote) sink_put(s, "\"", 1);
}

/* ---- formatting --------------------------------------------------------------------------------- */

static void pad(diag_sink *s, size_t k) {
  static const char spaces[] = "                                ";
  while (k > 0) {
    size_t m = k < sizeof spaces - 1 ? k : sizeof spaces - 1;
    sink_put(s, spaces, m);
    k -= m;
  }
}

/* One numeric conversion: spec (a whole printf conversion) with its value,
** appended.  Integers come as long long (spec with "ll"), or as double. */
static void append_num(diag_sink *s, const char *spec, int kind, long long i, unsigned long long u, double d) {
  char small[64];
  int len = kind == 0 ? snprintf(small, sizeof small, spec, i) : kind == 1 ? snprintf(small, sizeof small, spec, u)
                                                                            : snprintf(small, sizeof small, spec, d);
  if (len < 0) return;
  if ((size_t)len < sizeof small) { sink_put(s, small, (size_t)len); return; }
  char *big = malloc((size_t)len + 1);
  if (!big) out_of_memory();
  if (kind == 0) snprintf(big, (size_t)len + 1, spec, i);
  else if (kind == 1) snprintf(big, (size_t)len + 1, spec, u);
  else snprintf(big, (size_t)len + 1, spec, d);
  sink_put(s, big, (size_t)len);
  free(big);
}

static void vformat(diag_sink *s, const char *fmt, va_list ap) {
  const char *f = fmt;
  while (*f) {
    if (*f != '%') {
      const char *e = strchr(f, '%');
      size_t k = e ? (size_t)(e - f) : strlen(f);
      sink_put(s, f, k);
      f += k;
      continue;
    }
    f++;
    if (*f == '%') { sink_put(s, "%", 1); f++; continue; }
    char spec[64];
    size_t sl = 0;
    int left = 0, width = -1, prec = -1;
    spec[sl++] = '%';
    while (*f && strchr("-+ 0#", *f)) {
      if (*f == '-') left = 1;
      if (sl < 8) spec[sl++] = *f;
      f++;
    }
    if (*f == '*') {
      width = va_arg(ap, int);
      if (width < 0) { left = 1; width = -width; }
      f++;
    } else {
      for (width = *f >= '0' && *f <= '9' ? 0 : -1; *f >= '0' && *f <= '9'; f++) width = width * 10 + (*f - '0');
    }
    if (*f == '.') {
      f++;
      if (*f == '*') { prec = va_arg(ap, int); f++; }
      else for (prec = 0; *f >= '0' && *f <= '9'; f++) prec = prec * 10 + (*f - '0');
    }
    int lmod = 0; /* 1 l, 2 ll, 3 z */
    if (*f == 'l') { f++; lmod = 1; if (*f == 'l') { f++; lmod = 2; } }
    else if (*f == 'z') { f++; lmod = 3; }
    char conv = *f ? *f++ : 0;
    if (conv == 's' || conv == 'c') {
      char ch = 0;
      const char *str;
      size_t len;
      if (conv == 'c') {
        ch = (char)va_arg(ap, int);
        str = &ch;
        len = 1;
      } else {
        str = va_arg(ap, const char *);
        len = !str ? 0 : prec >= 0 ? (size_t)prec : strlen(str);
      }
      size_t w = out_term_width(str, len);
      if (!left && width > 0 && (size_t)width > w) pad(s, (size_t)width - w);
      out_term(s, str, len);
      if (left && width > 0 && (size_t)width > w) pad(s, (size_t)width - w);
      continue;
    }
    /* a number: its spec rebuilt with the width and precision written out */
    if (width >= 0) sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%d", width);
    if (prec >= 0) sl += (size_t)snprintf(spec + sl, sizeof spec - sl, ".%d", prec);
    if (conv == 'd' || conv == 'i') {
      long long v = lmod == 1 ? va_arg(ap, long) : lmod == 2 ? va_arg(ap, long long) : lmod == 3 ? (long long)va_arg(ap, ssize_t)
                                                                                    : va_arg(ap, int);
      snprintf(spec + sl, sizeof spec - sl, "ll%c", conv);
      append_num(s, spec, 0, v, 0, 0);
    } else if (conv == 'u' || conv == 'x' || conv == 'X') {
      unsigned long long v = lmod == 1 ? va_arg(ap, unsigned long) : lmod == 2 ? va_arg(ap, unsigned long long)
                           : lmod == 3 ? (unsigned long long)va_arg(ap, size_t) : va_arg(ap, unsigned);
      snprintf(spec + sl, sizeof spec - sl, "ll%c", conv);
      append_num(s, spec, 1, 0, v, 0);
    } else if (conv == 'f' || conv == 'g' || conv == 'e') {
      double v = va_arg(ap, double);
      snprintf(spec + sl, sizeof spec - sl, "%c", conv);
      append_num(s, spec, 2, 0, 0, v);
    } else {
      sink_str(s, "?"); /* not a conversion out_format knows: the rest is dropped */
      return;
    }
  }
}

void out_format(diag_sink *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(s, fmt, ap);
  va_end(ap);
}

void out_printf(FILE *f, const char *fmt, ...) {
  diag_sink s;
  memset(&s, 0, sizeof s);
  va_list ap;
  va_start(ap, fmt);
  vformat(&s, fmt, ap);
  va_end(ap);
  out_write(f, s.buf, s.len);
  free(s.buf);
}

/* ---- writing --------------------------------------------------------------------------------------- */

static int write_errno; /* the first failed write to standard output: its errno (-1 when unknown) */

void out_write(FILE *f, const void *p, size_t n) {
  if (!n) return;
  errno = 0;
  if (fwrite(p, 1, n, f) != n && f == stdout && !write_errno) write_errno = errno ? errno : -1;
}

void out_flush(void) {
  errno = 0;
  if (fflush(stdout) != 0 && !write_errno) write_errno = errno ? errno : -1;
}

void out_flush_sink(FILE *f, diag_sink *s) {
  out_write(f, s->buf, s->len);
  s->len = 0;
}

int out_finish(int rc) {
  int prev = ferror(stdout) != 0 || write_errno != 0;
  errno = 0;
  int flush_fail = fflush(stdout) != 0;
  if (flush_fail && !write_errno) write_errno = errno ? errno : -1;
  errno = 0;
  int close_fail = fclose(stdout) != 0;
  int close_errno = errno;
  /* standard output closed by the caller (>&-) is fine when nothing was written */
  if (close_fail && close_errno == EBADF && !prev && !flush_fail) close_fail = 0;
  if (close_fail && !write_errno) write_errno = close_errno ? close_errno : -1;
  if (!prev && !flush_fail && !close_fail) return rc;
  if (write_errno > 0) fprintf(stderr, "vigil: error writing the output: %s\n", strerror(write_errno));
  else fputs("vigil: error writing the output\n", stderr);
  return EXIT_INPUT;
}

int out_status(vg_status st) {
  if (st == VG_OK) return 0;
  if (st == VG_ENOMEM) fputs("vigil: out of memory\n", stderr);
  return st == VG_EUSAGE || st == VG_ENOPARAM || st == VG_EPARAM ? EXIT_USAGE : EXIT_INPUT;
}

void out_of_memory(void) {
  fputs("vigil: out of memory\n", stderr);
  exit(EXIT_INPUT);
}
