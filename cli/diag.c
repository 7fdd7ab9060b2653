/*
** diag.c — rendering diagnostics for the terminal and for machines, and the
** option helpers every command uses.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* ---- diagnostics -------------------------------------------------------------- */




void sink_put(diag_sink *s, const char *p, size_t n) {
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 4096;
    while (cap < s->len + n + 1) cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b) { fputs("vigil: out of memory\n", stderr); exit(EXIT_INPUT); }
    s->buf = b;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, p, n);
  s->len += n;
  s->buf[s->len] = 0;
}

void sink_str(diag_sink *s, const char *p) { sink_put(s, p, strlen(p)); }

/* p as a JSON string literal (UTF-8 passes through). */
void sink_json(diag_sink *s, const char *p) {
  if (!p) { sink_str(s, "null"); return; }
  sink_str(s, "\"");
  for (; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    char esc[8];
    if (ch == '"') sink_str(s, "\\\"");
    else if (ch == '\\') sink_str(s, "\\\\");
    else if (ch == '\n') sink_str(s, "\\n");
    else if (ch == '\t') sink_str(s, "\\t");
    else if (ch == '\r') sink_str(s, "\\r");
    else if (ch < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", ch); sink_str(s, esc); }
    else sink_put(s, (const char *)&ch, 1);
  }
  sink_str(s, "\"");
}

const char *sev_name(vg_severity s) { return s == VG_ERROR ? "error" : s == VG_WARNING ? "warning" : "note"; }

/* GitHub workflow commands escape %, CR and LF, and in properties also : and ,. */
static void gh_escape(FILE *f, const char *p, int property) {
  for (; p && *p; p++) {
    if (*p == '%') fputs("%25", f);
    else if (*p == '\r') fputs("%0D", f);
    else if (*p == '\n') fputs("%0A", f);
    else if (property && *p == ':') fputs("%3A", f);
    else if (property && *p == ',') fputs("%2C", f);
    else fputc(*p, f);
  }
}

/* One workflow annotation line per diagnostic, on stdout. */
static void render_github(const vg_diag *d) {
  FILE *f = stdout;
  fputs(d->severity == VG_ERROR ? "::error" : d->severity == VG_WARNING ? "::warning" : "::notice", f);
  const char *sep = " ";
  if (d->file) { fputs(" file=", f); gh_escape(f, d->file, 1); sep = ","; }
  if (d->line > 0) { fprintf(f, "%sline=%d", sep, d->line); sep = ","; }
  if (d->col > 0) fprintf(f, ",col=%d,endColumn=%d", d->col, d->end_col);
  if (d->code) { fprintf(f, "%stitle=", sep); gh_escape(f, d->code, 1); }
  fputs("::", f);
  gh_escape(f, d->message, 0);
  fputc('\n', f);
}

static void render_text(diag_sink *s, const vg_diag *d) {
  FILE *f = stderr;
  const char *bold = s->color ? "\033[1m" : "", *reset = s->color ? "\033[0m" : "";
  const char *col = !s->color ? "" : d->severity == VG_ERROR ? "\033[1;31m" : d->severity == VG_WARNING ? "\033[1;35m" : "\033[1;36m";
  if (d->file && d->col > 0) fprintf(f, "%s%s:%d:%d:%s ", bold, d->file, d->line, d->col, reset);
  else if (d->file && d->line > 0) fprintf(f, "%s%s:%d:%s ", bold, d->file, d->line, reset);
  else fprintf(f, "%svigil:%s ", bold, reset);
  fprintf(f, "%s%s:%s %s", col, sev_name(d->severity), reset, d->message);
  if (d->code && d->severity != VG_NOTE) fprintf(f, " [%s]", d->code);
  fputc('\n', f);
  if (!d->line_text || d->col <= 0) return;
  fprintf(f, "  %.*s\n  ", (int)d->line_len, d->line_text);
  /* the caret line: keep tabs so it lines up; one column per character */
  int c = 1;
  for (size_t i = 0; i < d->line_len && c < d->col; i++) {
    unsigned char ch = (unsigned char)d->line_text[i];
    if ((ch & 0xc0) == 0x80) continue;
    fputc(ch == '\t' ? '\t' : ' ', f);
    c++;
  }
  fputs(s->color ? "\033[1;32m^" : "^", f);
  for (int k = d->col + 1; k < d->end_col; k++) fputc('~', f);
  fprintf(f, "%s\n", reset);
}

void on_diag(void *ud, const vg_diag *dg) {
  diag_sink *s = ud;
  vg_diag copy = *dg;
  const vg_diag *d = &copy;
  if (s->werror && copy.severity == VG_WARNING) copy.severity = VG_ERROR; /* --werror */
  if (d->severity == VG_ERROR) s->errors++;
  if (d->severity == VG_WARNING) s->warnings++;
  if (s->format == FMT_TEXT) { render_text(s, d); return; }
  if (s->format == FMT_GITHUB) { render_github(d); return; }
  char num[64];
  if (s->format == FMT_JSON) {
    sink_str(s, s->first ? "\n  {" : ",\n  {");
    s->first = 0;
    sink_str(s, "\"file\": "); sink_json(s, d->file);
    snprintf(num, sizeof num, ", \"line\": %d, \"column\": %d, \"end_column\": %d", d->line, d->col, d->end_col);
    sink_str(s, num);
    sink_str(s, ", \"severity\": "); sink_json(s, sev_name(d->severity));
    sink_str(s, ", \"code\": "); sink_json(s, d->code);
    sink_str(s, ", \"message\": "); sink_json(s, d->message);
    sink_str(s, "}");
    return;
  }
  /* SARIF 2.1.0 result */
  sink_str(s, s->first ? "\n        {" : ",\n        {");
  s->first = 0;
  sink_str(s, "\"ruleId\": "); sink_json(s, d->code ? d->code : "vigil");
  sink_str(s, ", \"level\": "); sink_json(s, d->severity == VG_ERROR ? "error" : d->severity == VG_WARNING ? "warning" : "note");
  sink_str(s, ", \"message\": {\"text\": "); sink_json(s, d->message); sink_str(s, "}");
  if (d->file) {
    sink_str(s, ", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
    sink_json(s, d->file);
    sink_str(s, "}");
    if (d->line > 0) {
      snprintf(num, sizeof num, ", \"region\": {\"startLine\": %d", d->line);
      sink_str(s, num);
      if (d->col > 0) {
        snprintf(num, sizeof num, ", \"startColumn\": %d, \"endColumn\": %d", d->col, d->end_col);
        sink_str(s, num);
      }
      sink_str(s, "}");
    }
    sink_str(s, "}}]");
  }
  sink_str(s, "}");
}

void sink_begin(diag_sink *s, int format) {
  memset(s, 0, sizeof *s);
  s->format = format;
  s->first = 1;
  s->color = format == FMT_TEXT && isatty(2) && !getenv("NO_COLOR");
}

void sink_end(diag_sink *s) {
  if (s->format == FMT_JSON) {
    fputs("[", stdout);
    if (s->buf) fputs(s->buf, stdout);
    fputs(s->first ? "]\n" : "\n]\n", stdout);
  } else if (s->format == FMT_SARIF) {
    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
          "  \"runs\": [\n    {\n      \"tool\": {\"driver\": {\"name\": \"vigil\", \"version\": \"" VG_VERSION "\","
          " \"informationUri\": \"docs/DIAGNOSTICS.md\"}},\n      \"results\": [", stdout);
    if (s->buf) fputs(s->buf, stdout);
    fputs(s->first ? "]\n    }\n  ]\n}\n" : "\n      ]\n    }\n  ]\n}\n", stdout);
  }
  free(s->buf);
  s->buf = NULL;
}

int usage_error(const char *cmd_usage, const char *fmt, const char *arg) {
  fputs("vigil: ", stderr);
  fprintf(stderr, fmt, arg);
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

/* v as one CSV field (RFC 4180: quoted when it holds a comma, quote or line
** break); nothing for NULL. */
void csv_field(diag_sink *s, const char *v) {
  if (!v) return;
  if (!strpbrk(v, ",\"\n\r")) { sink_str(s, v); return; }
  sink_str(s, "\"");
  for (const char *p = v; *p; p++) {
    if (*p == '"') sink_str(s, "\"");
    sink_put(s, p, 1);
  }
  sink_str(s, "\"");
}
