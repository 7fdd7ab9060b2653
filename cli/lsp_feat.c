/*
** lsp_feat.c — the methods of `vigil lsp` over a pack's outline
** (include/vigil.h, "Outlines"): diagnostics, quick fixes, completion,
** hover, definition, references, formatting and document symbols.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lsp.h"

/* The document of a file path, or NULL when it is not open. */
static lsp_doc *doc_of_path(lsp_server *s, const char *path) {
  for (size_t i = 0; path && i < s->ndocs; i++)
    if (strcmp(s->docs[i].path, path) == 0) return &s->docs[i];
  return NULL;
}

static json_t *range(const lsp_doc *d, int l0, int c0, int l1, int c1) {
  return json_pack("{s:o,s:o}", "start", lsp_pos(d, l0, c0), "end", lsp_pos(d, l1, c1));
}

/* A Location of a span, with uri from the open document or the path. */
static json_t *location(lsp_server *s, const vg_span *sp) {
  lsp_doc *d = doc_of_path(s, sp->file);
  json_t *uri;
  if (d) uri = lsp_jstr(d->uri);
  else {
    size_t n = strlen(sp->file) + 8;
    char *u = malloc(n);
    if (!u) return NULL;
    snprintf(u, n, "file://%s", sp->file);
    uri = lsp_jstr(u);
    free(u);
  }
  return json_pack("{s:o,s:o}", "uri", uri, "range", range(d, sp->line, sp->col, sp->end_line, sp->end_col));
}

/* ---- diagnostics ------------------------------------------------------------------ */

static json_t *diagnostic(const lsp_doc *d, const lsp_diag *g) {
  int line = g->line > 0 ? g->line : 1, col = g->col > 0 ? g->col : 1;
  int end = g->end_col > col ? g->end_col : col + 1;
  json_t *j = json_pack("{s:o,s:i,s:s,s:o}", "range", range(d, line, col, line, end), "severity",
                        g->severity == VG_ERROR ? 1 : g->severity == VG_WARNING ? 2 : 3, "source", "vigil",
                        "message", lsp_jstr(g->message));
  if (g->code) json_object_set_new(j, "code", lsp_jstr(g->code));
  return j;
}

void lsp_publish(lsp_server *s, lsp_pack *p, const lsp_doc *changed) {
  for (size_t i = 0; i < s->ndocs; i++) {
    lsp_doc *d = &s->docs[i];
    if (strcmp(d->folder, p->folder) != 0) continue;
    json_t *arr = json_array();
    for (size_t k = 0; k < p->ndiags; k++) {
      const lsp_diag *g = &p->diags[k];
      if (g->file ? strcmp(g->file, d->path) == 0 : d == changed) json_array_append_new(arr, diagnostic(d, g));
    }
    lsp_send(s, json_pack("{s:s,s:{s:o,s:o}}", "method", "textDocument/publishDiagnostics", "params", "uri",
                          lsp_jstr(d->uri), "diagnostics", arr));
  }
}

/* The quick fixes: each note "did you mean 'X'?" of d between lines l0 and
** l1 (0-based) replaces the misspelled name with X. */
json_t *lsp_code_actions(lsp_server *s, lsp_doc *d, int l0, int l1) {
  lsp_pack *p = lsp_pack_of(s, d);
  json_t *arr = json_array();
  for (size_t k = 0; k < p->ndiags; k++) {
    const lsp_diag *g = &p->diags[k];
    if (!g->file || strcmp(g->file, d->path) != 0 || g->severity != VG_NOTE || g->line - 1 < l0 || g->line - 1 > l1) continue;
    const char *m = strstr(g->message, "did you mean '");
    if (!m) continue;
    m += 14;
    const char *e = strchr(m, '\'');
    if (!e || e == m) continue;
    char *name = strndup(m, (size_t)(e - m));
    if (!name) continue;
    /* the error the note is about: the diagnostic before it */
    json_t *diags = json_array();
    if (k > 0 && p->diags[k - 1].severity != VG_NOTE) json_array_append_new(diags, diagnostic(d, &p->diags[k - 1]));
    char title[300];
    snprintf(title, sizeof title, "Change to '%s'", name);
    json_t *edit = json_pack("{s:o,s:o}", "range", range(d, g->line, g->col, g->line, g->end_col > g->col ? g->end_col : g->col),
                             "newText", lsp_jstr(name));
    json_t *changes = json_object();
    json_object_set_new(changes, d->uri, json_pack("[o]", edit));
    json_array_append_new(arr, json_pack("{s:o,s:s,s:o,s:b,s:{s:o}}", "title", lsp_jstr(title), "kind", "quickfix",
                                         "diagnostics", diags, "isPreferred", 1, "edit", "changes", changes));
    free(name);
  }
  return arr;
}

/* ---- completion -------------------------------------------------------------------- */

/* LSP's CompletionItemKind and SymbolKind of a symbol. */
static int item_kind(vg_sym_kind k) {
  switch (k) {
  case VG_SYM_KEYWORD: return 14;
  case VG_SYM_FUNCTION: case VG_SYM_DEF: return 3;
  case VG_SYM_COLUMN: return 5;
  case VG_SYM_LET: return 6;
  case VG_SYM_PARAM: return 21;
  case VG_SYM_SOURCE: case VG_SYM_ROLLUP: return 7;
  case VG_SYM_TIER: return 20;
  default: return 1;
  }
}
static int symbol_kind(vg_sym_kind k) {
  switch (k) {
  case VG_SYM_PACK: return 4;
  case VG_SYM_TIER: return 22;
  case VG_SYM_PARAM: return 14;
  case VG_SYM_DEF: return 12;
  case VG_SYM_SOURCE: case VG_SYM_ROLLUP: return 5;
  case VG_SYM_RULE: return 24;
  case VG_SYM_LET: return 13;
  case VG_SYM_TEST: return 6;
  default: return 13;
  }
}

static void on_candidate(void *ud, const vg_symbol *sym) {
  json_t *arr = ud;
  for (size_t i = 0; i < json_array_size(arr); i++) /* one item per name (a column in two tables) */
    if (strcmp(json_string_value(json_object_get(json_array_get(arr, i), "label")), sym->name) == 0) return;
  /* the order of the list: a rule's own names (its lets, its source's columns)
  ** first, then the pack's, the functions, the keywords */
  int rank = sym->kind == VG_SYM_LET || sym->kind == VG_SYM_COLUMN ? 0 : sym->kind == VG_SYM_FUNCTION ? 2
           : sym->kind == VG_SYM_KEYWORD ? 3 : 1;
  char *sort = malloc(strlen(sym->name) + 2);
  if (!sort) return;
  sort[0] = (char)('0' + rank);
  strcpy(sort + 1, sym->name);
  json_array_append_new(arr, json_pack("{s:o,s:i,s:o,s:o}", "label", lsp_jstr(sym->name), "kind", item_kind(sym->kind),
                                       "detail", lsp_jstr(sym->detail), "sortText", lsp_jstr(sort)));
  free(sort);
}

json_t *lsp_completion(lsp_server *s, lsp_doc *d, int line, int col) {
  lsp_pack *p = lsp_pack_of(s, d);
  json_t *arr = json_array();
  if (p->outline) vg_outline_complete(p->outline, d->path, line, col, on_candidate, arr);
  return json_pack("{s:b,s:o}", "isIncomplete", 0, "items", arr);
}

/* ---- hover, definition, references ---------------------------------------------- */

static const char *kind_name(vg_sym_kind k) {
  static const char *const names[] = {"pack", "tier", "param", "def", "source", "rollup", "rule", "let",
                                      "test", "column", "function", "keyword"};
  return (unsigned)k < sizeof names / sizeof *names ? names[k] : "name";
}

json_t *lsp_hover(lsp_server *s, lsp_doc *d, int line, int col) {
  lsp_pack *p = lsp_pack_of(s, d);
  int k = p->outline ? vg_outline_at(p->outline, d->path, line, col) : -1;
  const vg_symbol *sym = vg_outline_symbol(p->outline, k);
  if (!sym) return NULL;
  size_t n = strlen(sym->detail) + strlen(sym->name) + 200;
  char *md = malloc(n);
  if (!md) return NULL;
  if (sym->kind == VG_SYM_PARAM)
    snprintf(md, n, "```vigil\n%s\n```\nparam: a run overrides it with `--set %s=VALUE`", sym->detail, sym->name);
  else
    snprintf(md, n, "```vigil\n%s\n```\n%s", sym->detail, kind_name(sym->kind));
  json_t *r = json_pack("{s:{s:s,s:o}}", "contents", "kind", "markdown", "value", lsp_jstr(md));
  free(md);
  return r;
}

json_t *lsp_definition(lsp_server *s, lsp_doc *d, int line, int col) {
  lsp_pack *p = lsp_pack_of(s, d);
  int k = p->outline ? vg_outline_at(p->outline, d->path, line, col) : -1;
  const vg_symbol *sym = vg_outline_symbol(p->outline, k);
  if (!sym || !sym->name_span.file) return NULL;
  return location(s, &sym->name_span);
}

json_t *lsp_references(lsp_server *s, lsp_doc *d, int line, int col, int decl) {
  lsp_pack *p = lsp_pack_of(s, d);
  int k = p->outline ? vg_outline_at(p->outline, d->path, line, col) : -1;
  const vg_symbol *sym = vg_outline_symbol(p->outline, k);
  json_t *arr = json_array();
  if (!sym) return arr;
  if (decl && sym->name_span.file) json_array_append_new(arr, location(s, &sym->name_span));
  for (int i = 0; i < vg_outline_ref_count(p->outline); i++) {
    const vg_ref *r = vg_outline_ref(p->outline, i);
    if (r->symbol == k && r->span.file) json_array_append_new(arr, location(s, &r->span));
  }
  return arr;
}

/* ---- formatting and symbols --------------------------------------------------------- */

json_t *lsp_formatting(lsp_server *s, lsp_doc *d) {
  (void)s;
  char *f = vg_format(d->path, d->text, d->len, NULL, NULL);
  if (!f) return NULL; /* errors: the diagnostics say which */
  json_t *r = json_array();
  if (strcmp(f, d->text) != 0) {
    /* one edit: the whole text (its last line and past it) */
    int lines = 1;
    for (size_t i = 0; i < d->len; i++) lines += d->text[i] == '\n';
    json_t *rg = json_pack("{s:{s:i,s:i},s:{s:i,s:i}}", "start", "line", 0, "character", 0, "end", "line", lines, "character", 0);
    json_array_append_new(r, json_pack("{s:o,s:o}", "range", rg, "newText", lsp_jstr(f)));
  }
  vg_free(f);
  return r;
}

static json_t *doc_symbol(const lsp_doc *d, const vg_symbol *sym) {
  const char *detail = sym->detail;
  return json_pack("{s:o,s:o,s:i,s:o,s:o}", "name", lsp_jstr(sym->name), "detail", lsp_jstr(detail), "kind",
                   symbol_kind(sym->kind), "range", range(d, sym->span.line, sym->span.col, sym->span.end_line, sym->span.end_col),
                   "selectionRange", range(d, sym->name_span.line, sym->name_span.col, sym->name_span.end_line, sym->name_span.end_col));
}

json_t *lsp_symbols(lsp_server *s, lsp_doc *d) {
  lsp_pack *p = lsp_pack_of(s, d);
  json_t *arr = json_array();
  json_t *rule = NULL;
  const char *rule_name = NULL;
  for (int i = 0; i < vg_outline_symbol_count(p->outline); i++) {
    const vg_symbol *sym = vg_outline_symbol(p->outline, i);
    if (!sym->span.file || strcmp(sym->span.file, d->path) != 0) continue;
    json_t *j = doc_symbol(d, sym);
    if (sym->kind == VG_SYM_LET && rule && rule_name && sym->scope && strcmp(sym->scope, rule_name) == 0) {
      json_t *ch = json_object_get(rule, "children");
      if (!ch) { ch = json_array(); json_object_set_new(rule, "children", ch); }
      json_array_append_new(ch, j);
      continue;
    }
    json_array_append_new(arr, j);
    if (sym->kind == VG_SYM_RULE || sym->kind == VG_SYM_ROLLUP) { rule = j; rule_name = sym->name; }
  }
  return arr;
}
