/*
** out.h — the output encoders of the vigil command: how any bytes (keys,
** messages, recipients and names from the data and from rule files, which
** may hold NUL bytes, invalid UTF-8 and control characters) are written in
** each output format.  The rule is written once, in docs/CLI.md
** "Output encoding":
**
**   machine formats (JSON, XML, CSV) are always valid UTF-8: a byte that is
**   not part of valid UTF-8 becomes U+FFFD; JSON escapes every control
**   character (\u0000 ...); XML and CSV, which have no escape for them,
**   replace the control characters they cannot carry with U+FFFD; a CSV
**   cell that a spreadsheet would run as a formula (first character = + -
**   @ tab or CR) gets a leading ' unless the caller asks for raw cells;
**
**   terminal text shows every byte: printable UTF-8 as it is, NUL as \0,
**   tab, line feed and carriage return as \t \n \r, other control bytes and
**   bytes that are not valid UTF-8 as \xNN, C1 controls and the Unicode
**   controls that reorder or break lines (bidi overrides, U+2028...) as
**   \uNNNN.  So no data can move the cursor, clear the screen, set a title,
**   ring the bell or start a line of its own.  A message continues after a
**   line break on a new line that starts with its indent (block mode);
**
**   GitHub workflow commands: the terminal rule, with %, CR and LF written
**   %25 %0D %0A (and : , in properties %3A %2C).
**
** Every function appends to a diag_sink (exiting with "vigil: out of memory"
** when it cannot grow, as sink_put does).  A NULL p is "no value": null in
** JSON, an empty CSV cell, nothing elsewhere.
**
** Writing: out_write and out_printf write to a FILE and remember the first
** error; out_finish, at the end of main, flushes and closes standard output
** and turns any write error into "vigil: error writing the output: REASON"
** and exit status 1, so no output is lost silently.
*/
#ifndef VIGIL_OUT_H
#define VIGIL_OUT_H

#include <stdio.h>
#include "cli.h"

/* p[0..n) as a JSON string literal; NULL as null. */
void out_json(diag_sink *s, const char *p, size_t n);
/* The same for a NUL-terminated p. */
void out_json_str(diag_sink *s, const char *p);

/* p[0..n) as XML character data (attr 0) or as an attribute value in
** double quotes (attr 1: tab, LF and CR as character references, so that
** attribute normalization keeps them). */
void out_xml(diag_sink *s, const char *p, size_t n, int attr);

/* p[0..n) as one CSV field (RFC 4180: quoted when it holds a comma, a quote
** or a line break); a formula-leading cell neutralised with ' unless raw.
** NULL writes nothing (an empty cell). */
void out_csv(diag_sink *s, const char *p, size_t n, int raw);

/* p[0..n) as terminal text on one line. */
void out_term(diag_sink *s, const char *p, size_t n);
/* The same for a NUL-terminated p (NULL: nothing). */
void out_term_str(diag_sink *s, const char *p);
/* p[0..n) as terminal text where a line feed starts a new line that begins
** with indent (a message under its alert); everything else as out_term. */
void out_term_block(diag_sink *s, const char *p, size_t n, const char *indent);
/* p[0..n) as a source line is quoted: as out_term, but a tab stays a tab
** (so that the caret line below it can line up with tabs). */
void out_term_source(diag_sink *s, const char *p, size_t n);
/* The terminal columns out_term writes for p[0..n) (a code point counts
** one; an escape its length). */
size_t out_term_width(const char *p, size_t n);

/* p[0..n) in a GitHub workflow command: a property value (property 1) or
** the message (0). */
void out_github(diag_sink *s, const char *p, size_t n, int property);

/* Appends like snprintf, but every %s argument is data written by the
** terminal rule (out_term), and a field width (%-20s, %*s) counts terminal
** columns, not bytes.  %.*s takes exactly that many bytes (which may include
** NUL bytes).  Conversions: d i u x c s f g e %, with l, ll, z. */
void out_format(diag_sink *s, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
/* out_format into a scratch buffer, then out_write to f. */
void out_printf(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* fwrite p[0..n) to f; the first failure (and its errno) is remembered
** for out_finish. */
void out_write(FILE *f, const void *p, size_t n);
/* fflush(stdout), its failure remembered as out_write's are. */
void out_flush(void);
/* The sink's text written to f with out_write; the sink is then emptied. */
void out_flush_sink(FILE *f, diag_sink *s);

/* At the end of main: flushes and closes standard output; when that or any
** earlier write to it failed, prints "vigil: error writing the output:
** REASON" on stderr and returns EXIT_INPUT; otherwise returns rc. */
int out_finish(int rc);

/* What a library status means for the exit status, after printing "vigil:
** out of memory" for VG_ENOMEM (the library reports every other failure
** through its diagnostics): VG_OK 0, VG_EUSAGE, VG_ENOPARAM and VG_EPARAM
** EXIT_USAGE, others EXIT_INPUT. */
int out_status(vg_status st);

/* Prints "vigil: out of memory" and exits with EXIT_INPUT. */
void out_of_memory(void)
#if defined(__GNUC__)
  __attribute__((noreturn))
#endif
  ;

#endif
