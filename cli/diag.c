/*
** diag.c — rendering diagnostics for the terminal and for machines, and the
** option helpers every command uses.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "out.h"

/* ---- diagnostics -------------------------------------------------------------- */

void sink_put(diag_sink *s, const char *p, size_t n) {
  if (n > ((size_t)-1) / 4 - s->len) out_of_memory();
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 4096;
    while (cap < s->len + n + 1) cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b) out_of_memory();
    s->buf = b;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, p, n);
  s->len += n;
  s->buf[s->len] = 0;
}

void sink_str(diag_sink *s, const char *p) { sink_put(s, p, strlen(p)); }

const char *sev_name(vg_severity s) { return s == VG_ERROR ? "error" : s == VG_WARNING ? "warning" : "note"; }

/* One workflow annotation line per diagnostic, on stdout. */
static void render_github(diag_sink *s, const vg_diag *d) {
  s->len = 0;
  sink_str(s, d->severity == VG_ERROR ? "::error" : d->severity == VG_WARNING ? "::warning" : "::notice");
  const char *sep = " ";
  if (d->file) { sink_str(s, " file="); out_github(s, d->file, strlen(d->file), 1); sep = ","; }
  if (d->line > 0) { out_format(s, "%sline=%d", sep, d->line); sep = ","; }
  if (d->col > 0) out_format(s, ",col=%d,endColumn=%d", d->col, d->end_col);
  if (d->code) { out_format(s, "%stitle=", sep); out_github(s, d->code, strlen(d->code), 1); }
  sink_str(s, "::");
  if (d->message) out_github(s, d->message, strlen(d->message), 0);
  sink_str(s, "\n");
  out_flush_sink(stdout, s);
}

/* k spaces. */
static void pad_to(diag_sink *s, size_t k) {
  for (; k > 0; k--) sink_put(s, " ", 1);
}

/* The byte offset in line[0..n) where column col (1-based, counted as the
** library counts them: bytes that are not UTF-8 continuation bytes) starts. */
static size_t col_offset(const char *line, size_t n, int col) {
  int c = 1;
  size_t i = 0;
  while (i < n && c < col) {
    i++;
    while (i < n && ((unsigned char)line[i] & 0xc0) == 0x80) i++;
    c++;
  }
  return i;
}

/* The text rendering, on stderr: "FILE:LINE:COL: error: MESSAGE [CODE]", the
** source line, and a caret under the span.  Every piece of text is written
** by the terminal rule (cli/out.h); the caret line is as wide as what the
** line prints before the span (escapes included), with the line's tabs. */
static void render_text(diag_sink *s, const vg_diag *d) {
  const char *bold = s->color ? "\033[1m" : "", *reset = s->color ? "\033[0m" : "";
  const char *col = !s->color ? "" : d->severity == VG_ERROR ? "\033[1;31m" : d->severity == VG_WARNING ? "\033[1;35m" : "\033[1;36m";
  diag_sink t;
  memset(&t, 0, sizeof t);
  sink_str(&t, bold);
  if (d->file && d->col > 0) out_format(&t, "%s:%d:%d:", d->file, d->line, d->col);
  else if (d->file && d->line > 0) out_format(&t, "%s:%d:", d->file, d->line);
  else sink_str(&t, "vigil:");
  sink_str(&t, reset);
  sink_str(&t, " ");
  sink_str(&t, col);
  sink_str(&t, sev_name(d->severity));
  sink_str(&t, ":");
  sink_str(&t, reset);
  out_format(&t, " %s", d->message ? d->message : "");
  if (d->code && d->severity != VG_NOTE) out_format(&t, " [%s]", d->code);
  sink_str(&t, "\n");
  if (d->line_text && d->col > 0) {
    size_t start = col_offset(d->line_text, d->line_len, d->col);
    size_t end = d->end_col > d->col ? col_offset(d->line_text, d->line_len, d->end_col) : start;
    sink_str(&t, "  ");
    out_term_source(&t, d->line_text, d->line_len);
    sink_str(&t, "\n  ");
    /* the caret line: a tab where the line has one, spaces as wide as the rest */
    size_t run = 0;
    for (size_t i = 0; i < start; i++) {
      if (d->line_text[i] != '\t') continue;
      pad_to(&t, out_term_width(d->line_text + run, i - run));
      sink_str(&t, "\t");
      run = i + 1;
    }
    pad_to(&t, out_term_width(d->line_text + run, start - run));
    size_t span = end > start ? out_term_width(d->line_text + start, end - start) : 1;
    if (end <= start && d->end_col > d->col) span = (size_t)(d->end_col - d->col); /* a span past the line's end */
    sink_str(&t, s->color ? "\033[1;32m^" : "^");
    for (size_t k = 1; k < span; k++) sink_str(&t, "~");
    sink_str(&t, reset);
    sink_str(&t, "\n");
  }
  fwrite(t.buf, 1, t.len, stderr);
  free(t.buf);
}

static void on_diag_copy(diag_sink *s, const vg_diag *d);

void (*cli_before_stderr)(void);

void on_diag(void *ud, const vg_diag *dg) {
  diag_sink *s = ud;
  if (cli_before_stderr) cli_before_stderr();
  vg_diag copy = *dg;
  const vg_diag *d = &copy;
  if (s->werror && copy.severity == VG_WARNING) copy.severity = VG_ERROR; /* --werror */
  diag_sink msg;
  memset(&msg, 0, sizeof msg);
  for (const diag_context *c = s->context; c && c->code && dg->code && dg->message; c++)
    if (strcmp(c->code, dg->code) == 0) {
      sink_str(&msg, c->prefix);
      sink_str(&msg, dg->message);
      sink_str(&msg, c->suffix);
      copy.message = msg.buf;
      break;
    }
  on_diag_copy(s, d);
  free(msg.buf);
}

/* on_diag, after the command's context was added. */
static void on_diag_copy(diag_sink *s, const vg_diag *d) {
  if (d->severity == VG_ERROR) s->errors++;
  if (d->severity == VG_WARNING) s->warnings++;
  if (s->format == FMT_TEXT) { render_text(s, d); return; }
  if (s->format == FMT_GITHUB) { render_github(s, d); return; }
  char num[64];
  if (s->format == FMT_JSONL) {
    /* one line, written now: a script reads it as it comes */
    diag_sink t;
    memset(&t, 0, sizeof t);
    sink_str(&t, "{\"type\":\"diagnostic\",\"severity\":"); out_json_str(&t, sev_name(d->severity));
    sink_str(&t, ",\"code\":"); out_json_str(&t, d->code);
    sink_str(&t, ",\"file\":"); out_json_str(&t, d->file);
    snprintf(num, sizeof num, ",\"line\":%d,\"column\":%d,\"end_column\":%d", d->line, d->col, d->end_col);
    sink_str(&t, num);
    sink_str(&t, ",\"message\":"); out_json_str(&t, d->message);
    sink_str(&t, "}\n");
    out_flush_sink(stderr, &t);
    free(t.buf);
    return;
  }
  if (s->format == FMT_JSON) {
    sink_str(s, s->first ? "\n  {" : ",\n  {");
    s->first = 0;
    sink_str(s, "\"file\": "); out_json_str(s, d->file);
    snprintf(num, sizeof num, ", \"line\": %d, \"column\": %d, \"end_column\": %d", d->line, d->col, d->end_col);
    sink_str(s, num);
    sink_str(s, ", \"severity\": "); out_json_str(s, sev_name(d->severity));
    sink_str(s, ", \"code\": "); out_json_str(s, d->code);
    sink_str(s, ", \"message\": "); out_json_str(s, d->message);
    sink_str(s, "}");
    return;
  }
  sarif_add(s, d); /* FMT_SARIF: written whole by sink_end */
}

void explain_text(diag_sink *out, const char *code, const char *group, const char *meaning) {
  out_format(out, "%s: %s (%s)\n  %s\n", code, code[0] == 'E' ? "an error" : "a warning", group, meaning);
  out_format(out, "More in docs/DIAGNOSTICS.md, section \"%s\", under %s.\n", group, code);
}

int cli_color = CLI_COLOR_AUTO;

/* Color for text on stderr: --color, else a terminal that is not dumb, and
** NO_COLOR unset or empty (no-color.org: "when present and not an empty string"). */
static int want_color(void) {
  if (cli_color != CLI_COLOR_AUTO) return cli_color == CLI_COLOR_ALWAYS;
  const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
  if (no && *no) return 0;
  if (term && strcmp(term, "dumb") == 0) return 0;
  return isatty(2);
}

void sink_begin(diag_sink *s, int format) {
  memset(s, 0, sizeof *s);
  s->format = format;
  s->first = 1;
  s->color = format == FMT_TEXT && want_color();
}

void sink_end(diag_sink *s) {
  if (s->format == FMT_JSON) {
    out_write(stdout, "[", 1);
    if (s->buf) out_write(stdout, s->buf, s->len);
    const char *end = s->first ? "]\n" : "\n]\n";
    out_write(stdout, end, strlen(end));
  } else if (s->format == FMT_SARIF) {
    sarif_write(s);
  }
  sarif_free(s);
  free(s->buf);
  s->buf = NULL;
}

int cli_fail(diag_sink *s, const char *fmt, const char *arg) {
  if (s->format != FMT_JSONL) {
    fputs("vigil: ", stderr);
    out_printf(stderr, fmt, arg);
    fputc('\n', stderr);
    return EXIT_INPUT;
  }
  diag_sink m;
  memset(&m, 0, sizeof m);
  out_format(&m, fmt, arg);
  vg_diag d;
  memset(&d, 0, sizeof d);
  d.severity = VG_ERROR;
  d.message = m.buf;
  on_diag(s, &d);
  free(m.buf);
  return EXIT_INPUT;
}

int cli_diag_format(const char *v) {
  return strcmp(v, "text") == 0 ? FMT_TEXT : strcmp(v, "json") == 0 ? FMT_JSONL : -1;
}

int usage_error(const char *cmd_usage, const char *fmt, const char *arg) {
  fputs("vigil: ", stderr);
  out_printf(stderr, fmt, arg); /* the argument as terminal text */
  fputc('\n', stderr);
  /* the synopsis: the usage text up to its first empty line */
  const char *end = strstr(cmd_usage, "\n\n");
  fwrite(cmd_usage, 1, end ? (size_t)(end - cmd_usage) + 1 : strlen(cmd_usage), stderr);
  fputs("Run with --help for the options.\n", stderr);
  return EXIT_USAGE;
}

/* Option value: "--opt=V" or "--opt V".  Returns NULL when absent. */
const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != 0) return NULL;
  if (*i + 1 >= argc) return "";
  return argv[++*i];
}

int is_help(const char *a) { return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0; }
