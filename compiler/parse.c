/*
** parse.c — runs the flex scanner and the bison parser over a file, an
** expression inside a message, or a command-line literal; and splits
** message strings into text and interpolations.
*/
#include <string.h>
#include "ast.h"
#include "../stdlib/lib.h"
#define YYSTYPE VG_YYSTYPE
#define YYLTYPE VG_YYLTYPE
#include "parser.h"
#include "lexer.h"

int vg_yyparse(void *scanner, cc *c, ast **out);

/* Returns the number of errors reported while parsing. */
int parse_source(cc *c, int file, int mode, uint32_t start, uint32_t end, ast **out) {
  int before = c->nerrors;
  const vg_file *f = &c->files[file];
  struct lex_extra x;
  memset(&x, 0, sizeof x);
  x.c = c;
  x.file = file;
  if (mode == PARSE_FILE) { start = 0; end = (uint32_t)f->len; }
  x.pos = start;
  x.blocks = mode == PARSE_FILE;
  x.in_message = mode == PARSE_MESSAGE_EXPR;
  if (mode == PARSE_MESSAGE_EXPR) mode = PARSE_EXPR;
  x.start_token = mode == PARSE_EXPR ? START_EXPR : mode == PARSE_LITERAL ? START_LITERAL : START_FILE;
  yyscan_t scanner;
  if (vg_yylex_init_extra(&x, &scanner) != 0) { c->oom = 1; return 1; }
  YY_BUFFER_STATE b = vg_yy_scan_bytes(f->src + start, (int)(end - start), scanner);
  ast *result = NULL;
  int rc = vg_yyparse(scanner, c, &result);
  vg_yy_delete_buffer(b, scanner);
  vg_yylex_destroy(scanner);
  if (rc == 2 && !c->parser_full) c->oom = 1;
  if (out) *out = result;
  if (rc != 0 && c->nerrors == before) {
    vg_loc l = {(uint16_t)file, start, end};
    cc_error(c, l, DIAG_E_SYNTAX, "could not parse this");
  }
  return c->nerrors - before;
}

/* A literal text piece of a message, unescaped: \" \\ \n, {{ and }}. */
static ast *text_part(cc *c, vg_loc loc, const char *s, size_t n) {
  char *d = vg_arena_alloc(&c->arena, n + 1);
  ast *p = ast_new(c, A_STR, loc);
  if (!d || !p) { c->oom = 1; return NULL; }
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\\' && i + 1 < n) {
      i++;
      d[j++] = s[i] == 'n' ? '\n' : s[i];
    } else if ((s[i] == '{' || s[i] == '}') && i + 1 < n && s[i + 1] == s[i]) {
      d[j++] = s[i++];
    } else {
      d[j++] = s[i];
    }
  }
  d[j] = 0;
  p->str = d;
  p->len = (uint32_t)j;
  return p;
}

/* The raw bytes of an interpolation read as the lexer reads them (INMSG):
** a string literal is written \"...\" (inside it, \ escapes one byte), a
** quoted name `...`.  Returns the position in [i, e) of the next byte ch
** outside both, or e (*open set when e is inside one). */
static uint32_t interp_find(const char *src, uint32_t i, uint32_t e, char ch, int *open) {
  int inq = 0, inb = 0;
  *open = 0;
  for (; i < e; i++) {
    if (inb) {
      if (src[i] == '`') inb = 0;
    } else if (src[i] == '\\') {
      if (i + 1 < e && src[i + 1] == '"') inq = !inq;
      i++;
    } else if (!inq) {
      if (src[i] == ch) return i;
      if (src[i] == '`') inb = 1;
    }
  }
  *open = inq || inb;
  return e;
}

/* Parse "{expr}" / "{expr:pct}" / "{expr:N}" at raw bytes [s, e) of the file
** (braces excluded).  Returns an A_FMT node or NULL (error reported). */
static ast *interp_part(cc *c, int file, uint32_t s, uint32_t e) {
  const char *src = c->files[file].src;
  vg_loc loc = {(uint16_t)file, s, e};
  /* the format follows the last ':' outside strings and quoted names */
  uint32_t colon = 0;
  int open;
  for (uint32_t i = interp_find(src, s, e, ':', &open); i < e; i = interp_find(src, i + 1, e, ':', &open)) colon = i;
  ast *f = ast_new(c, A_FMT, loc);
  if (!f) return NULL;
  f->ival = LIB_FMT_DEFAULT;
  uint32_t ee = colon ? colon : e;
  if (colon) {
    const char *spec = src + colon + 1;
    size_t n = e - colon - 1;
    vg_loc sl = {(uint16_t)file, colon + 1, e};
    if (n == 3 && memcmp(spec, "pct", 3) == 0) {
      f->ival = LIB_FMT_PCT;
    } else {
      size_t i = 0;
      int digits = 0;
      while (i < n && spec[i] >= '0' && spec[i] <= '9' && digits <= 20) digits = digits * 10 + (spec[i++] - '0');
      if (n == 0 || i != n || digits > 20) {
        cc_error(c, sl, DIAG_E_FORMAT, "unknown format '%.*s' (use 'pct' or a number of decimals from 0 to 20)", (int)n, spec);
      }
      f->ival = LIB_FMT_FIXED;
      f->num = digits;
    }
  }
  uint32_t a = s, b = ee;
  while (a < b && (src[a] == ' ' || src[a] == '\t')) a++;
  while (b > a && (src[b - 1] == ' ' || src[b - 1] == '\t')) b--;
  if (a == b) {
    cc_error(c, loc, DIAG_E_FORMAT, "empty interpolation '{}' (write {{ for a literal brace)");
    return NULL;
  }
  ast *e1 = NULL;
  if (parse_source(c, file, PARSE_MESSAGE_EXPR, a, b, &e1) != 0 || !e1) return NULL;
  f->a = e1;
  f->depth = (uint16_t)(e1->depth + 1);
  return f;
}

/* Returns the list of parts (possibly empty: NULL), errors reported. */
ast *parse_message(cc *c, vg_loc loc) {
  const char *src = c->files[loc.file].src;
  uint32_t s = loc.start + 1, e = loc.end > loc.start + 1 ? loc.end - 1 : loc.start + 1;
  if (e > s && src[e] != '"') e = loc.end; /* unterminated: take it all */
  ast_list parts = {NULL, NULL};
  uint32_t text = s;
  for (uint32_t i = s; i < e; i++) {
    char ch = src[i];
    if (ch == '\\') { i++; continue; }
    if ((ch == '{' || ch == '}') && i + 1 < e && src[i + 1] == ch) { i++; continue; }
    if (ch == '}') {
      vg_loc l = {loc.file, i, i + 1};
      cc_error(c, l, DIAG_E_FORMAT, "'}' without '{' in message (write }} for a literal brace)");
      continue;
    }
    if (ch != '{') continue;
    int open;
    uint32_t j = interp_find(src, i + 1, e, '}', &open);
    if (j >= e) {
      vg_loc l = {loc.file, i, e};
      if (open)
        cc_error(c, l, DIAG_E_FORMAT, "'{' without '}' in message: a \\\" or ` inside it is not closed");
      else
        cc_error(c, l, DIAG_E_FORMAT, "'{' without '}' in message (write {{ for a literal brace)");
      break;
    }
    if (i > text) {
      vg_loc tl = {loc.file, text, i};
      ast_append(&parts, text_part(c, tl, src + text, i - text));
    }
    ast_append(&parts, interp_part(c, loc.file, i + 1, j));
    i = j;
    text = j + 1;
  }
  if (e > text) {
    vg_loc tl = {loc.file, text, e};
    ast_append(&parts, text_part(c, tl, src + text, e - text));
  }
  return parts.head;
}
