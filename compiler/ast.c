/*
** ast.c — nodes, source files with their line maps, and diagnostics.
*/
#include "ast.h"
#include <stdio.h>
#include <string.h>

void ast_append(ast_list *l, ast *n) {
  if (!n) return;
  n->next = NULL;
  if (l->tail) l->tail->next = n;
  else l->head = n;
  l->tail = n;
}

/* Returns the node, or NULL with c->oom set. */
ast *ast_new(cc *c, int kind, vg_loc loc) {
  ast *n = vg_arena_alloc(&c->arena, sizeof *n);
  if (!n) { c->oom = 1; return NULL; }
  c->nodes++;
  n->kind = (uint8_t)kind;
  n->loc = loc;
  n->type = T_ANY;
  n->ref = -1;
  n->depth = 1;
  return n;
}

static ast *clone_list(cc *c, const ast *l) {
  ast_list out = {NULL, NULL};
  for (; l; l = l->next) ast_append(&out, ast_clone(c, l));
  return out.head;
}

/* Returns the copy, or NULL with c->oom set (or for a NULL n). */
ast *ast_clone(cc *c, const ast *n) {
  if (!n) return NULL;
  ast *m = vg_arena_alloc(&c->arena, sizeof *m);
  if (!m) { c->oom = 1; return NULL; }
  c->nodes++;
  *m = *n;
  m->next = NULL;
  int list_a = n->kind == A_CALL, list_b = n->kind == A_IN;
  m->a = list_a ? clone_list(c, n->a) : ast_clone(c, n->a);
  m->b = list_b ? clone_list(c, n->b) : ast_clone(c, n->b);
  m->c = ast_clone(c, n->c);
  return m;
}

/* Returns the file's index, or -1 with an error reported. */
int cc_add_file(cc *c, const char *path, const char *text, size_t len) {
  if (c->nfiles >= VG_MAX_FILES) {
    cc_error_plain(c, "%s: too many files in one pack (at most %d)", path, VG_MAX_FILES);
    return -1;
  }
  if (len > VG_MAX_FILE_SIZE) {
    cc_error_plain(c, "%s: file too large (%zu bytes; at most %u)", path, len, (unsigned)VG_MAX_FILE_SIZE);
    return -1;
  }
  vg_file *f = &c->files[c->nfiles];
  f->path = vg_arena_strdup(&c->arena, path);
  char *src = vg_arena_strndup(&c->arena, text, len);
  uint32_t nl = 1;
  for (size_t i = 0; i < len; i++) nl += text[i] == '\n';
  f->lines = vg_arena_alloc(&c->arena, nl * sizeof *f->lines);
  if (!f->path || !src || !f->lines) { c->oom = 1; return -1; }
  f->src = src;
  f->len = len;
  f->nlines = 0;
  f->lines[f->nlines++] = 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] == '\n') f->lines[f->nlines++] = (uint32_t)(i + 1);
  return c->nfiles++;
}

/* Characters (UTF-8 code points) in s[0..n). */
static int utf8_chars(const char *s, size_t n) {
  int k = 0;
  for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xc0) != 0x80;
  return k;
}

void cc_line_col(const cc *c, int file, uint32_t off, int *line, int *col) {
  const vg_file *f = &c->files[file];
  if (off > f->len) off = (uint32_t)f->len;
  uint32_t lo = 0, hi = f->nlines; /* last line start <= off */
  while (hi - lo > 1) {
    uint32_t mid = (lo + hi) / 2;
    if (f->lines[mid] <= off) lo = mid;
    else hi = mid;
  }
  *line = (int)lo + 1;
  *col = utf8_chars(f->src + f->lines[lo], off - f->lines[lo]) + 1;
}

/* code: DIAG__COUNT for a diagnostic without a code. */
static void report(cc *c, vg_severity sev, vg_loc loc, int has_loc, vg_dcode code, const char *fmt, va_list ap) {
  if (c->stopped) return; /* after a limit: only consequences of it */
  if (sev == VG_ERROR) {
    if (++c->nerrors > c->max_errors) return;
  } else if (sev == VG_WARNING) {
    c->nwarnings++;
  }
  if (!c->diag) return;
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  vg_diag d;
  memset(&d, 0, sizeof d);
  d.severity = sev;
  d.code = vg_dcode_name(code);
  d.message = msg;
  if (has_loc && loc.file < c->nfiles) {
    const vg_file *f = &c->files[loc.file];
    int line, col, eline, ecol;
    cc_line_col(c, loc.file, loc.start, &line, &col);
    cc_line_col(c, loc.file, loc.end, &eline, &ecol);
    d.file = f->path;
    d.line = line;
    d.col = col;
    uint32_t ls = f->lines[line - 1], le = ls;
    while (le < f->len && f->src[le] != '\n') le++;
    if (le > ls && f->src[le - 1] == '\r') le--;
    d.line_text = f->src + ls;
    d.line_len = le - ls;
    int last = utf8_chars(f->src + ls, le - ls) + 1;
    d.end_col = eline == line ? ecol : last;
    if (d.end_col <= d.col) d.end_col = d.col + 1;
  }
  c->diag(c->ud, &d);
}

void cc_error(cc *c, vg_loc loc, vg_dcode code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(c, VG_ERROR, loc, 1, code, fmt, ap);
  va_end(ap);
}

void cc_warning(cc *c, vg_loc loc, vg_dcode code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(c, VG_WARNING, loc, 1, code, fmt, ap);
  va_end(ap);
}

void cc_note(cc *c, vg_loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (c->nerrors <= c->max_errors) report(c, VG_NOTE, loc, 1, DIAG__COUNT, fmt, ap);
  va_end(ap);
}

void cc_limit(cc *c, vg_loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(c, VG_ERROR, loc, 1, DIAG_E_LIMIT, fmt, ap);
  va_end(ap);
  c->stopped = 1;
}

void cc_limit_plain(cc *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vg_loc none = {0, 0, 0};
  report(c, VG_ERROR, none, 0, DIAG_E_LIMIT, fmt, ap);
  va_end(ap);
  c->stopped = 1;
}

void cc_error_plain(cc *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vg_loc none = {0, 0, 0};
  report(c, VG_ERROR, none, 0, DIAG__COUNT, fmt, ap);
  va_end(ap);
}

void cc_internal_error(cc *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vg_loc none = {0, 0, 0};
  report(c, VG_ERROR, none, 0, DIAG_E_INTERNAL, fmt, ap);
  va_end(ap);
}

/* 1 when a and b are the same checked expression (lint.c, cg.c). */
int ast_same_tree(const ast *a, const ast *b) {
  if (a == b) return 1;
  if (!a || !b || a->kind != b->kind || a->op != b->op || a->ref != b->ref || a->flag != b->flag) return 0;
  switch (a->kind) {
  case A_NUM: case A_DUR: return a->num == b->num;
  case A_DATE: return a->date == b->date;
  case A_STR: return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
  case A_COL: case A_LOOKUP: if (a->num != b->num) return 0; break;
  case A_CALL: if (a->ival != b->ival || strcmp(a->name, b->name) != 0) return 0; break;
  case A_WINDOW: return a->num == b->num;
  case A_MANAGER: if (a->ival != b->ival) return 0; break;
  default: break;
  }
  int list_a = a->kind == A_CALL, list_b = a->kind == A_IN;
  const ast *x = a->a, *y = b->a;
  for (; x || y; x = list_a ? x->next : NULL, y = list_a ? y->next : NULL) {
    if (!ast_same_tree(x, y)) return 0;
    if (!list_a) break;
  }
  x = a->b; y = b->b;
  for (; x || y; x = list_b ? x->next : NULL, y = list_b ? y->next : NULL) {
    if (!ast_same_tree(x, y)) return 0;
    if (!list_b) break;
  }
  return ast_same_tree(a->c, b->c);
}
