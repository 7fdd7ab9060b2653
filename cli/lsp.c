/*
** lsp.c — `vigil lsp`: the JSON-RPC framing (Content-Length headers), the
** message loop, the open documents and the analysis of their pack folders.
** The methods are in lsp_feat.c; see lsp.h.
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "lsp.h"

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) { fputs("vigil: out of memory\n", stderr); exit(EXIT_INPUT); }
  return q;
}
static char *xstrdup(const char *p) {
  size_t n = strlen(p) + 1;
  return memcpy(xrealloc(NULL, n), p, n);
}

void lsp_init(lsp_server *s) {
  memset(s, 0, sizeof *s);
  s->disk = 1;
  s->exit_code = 1;
}

static void free_diags(lsp_pack *p) {
  for (size_t i = 0; i < p->ndiags; i++) {
    free(p->diags[i].file);
    free(p->diags[i].code);
    free(p->diags[i].message);
  }
  p->ndiags = 0;
}

void lsp_free(lsp_server *s) {
  for (size_t i = 0; i < s->ndocs; i++) {
    free(s->docs[i].uri); free(s->docs[i].path); free(s->docs[i].folder); free(s->docs[i].text);
    free(s->docs[i].lines);
  }
  for (size_t i = 0; i < s->npacks; i++) {
    free_diags(&s->packs[i]);
    free(s->packs[i].diags);
    free(s->packs[i].folder);
    vg_outline_free(s->packs[i].outline);
  }
  free(s->docs);
  free(s->packs);
  free(s->in);
  memset(s, 0, sizeof *s);
}

/* ---- JSON ------------------------------------------------------------------ */

json_t *lsp_jstr(const char *p) {
  if (!p) return json_null();
  json_t *j = json_string(p);
  if (j) return j;
  /* not UTF-8: each byte that is not part of a valid sequence becomes U+FFFD */
  size_t n = strlen(p);
  char *b = xrealloc(NULL, n * 3 + 1), *o = b;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)p[i];
    size_t k = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 9;
    int ok = k != 9 && i + k < n + (k == 0);
    for (size_t m = 1; ok && m <= k; m++) ok = ((unsigned char)p[i + m] & 0xc0) == 0x80;
    if (ok && k > 0) {
      char tmp[5];
      memcpy(tmp, p + i, k + 1);
      tmp[k + 1] = 0;
      json_t *t = json_string(tmp); /* overlongs, surrogates: jansson decides */
      ok = t != NULL;
      json_decref(t);
    }
    if (ok) { memcpy(o, p + i, k + 1); o += k + 1; i += k + 1; }
    else { memcpy(o, "\xef\xbf\xbd", 3); o += 3; i++; }
  }
  *o = 0;
  j = json_string(b);
  free(b);
  return j ? j : json_string("");
}

void lsp_send(lsp_server *s, json_t *msg) {
  if (!msg) return;
  json_object_set_new(msg, "jsonrpc", json_string("2.0"));
  char *body = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (!body) return;
  size_t n = strlen(body);
  char head[64];
  int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", n);
  char *all = xrealloc(NULL, (size_t)h + n);
  memcpy(all, head, (size_t)h);
  memcpy(all + h, body, n);
  if (s->write) s->write(s->ud, all, (size_t)h + n);
  free(all);
  free(body);
}

static void send_error(lsp_server *s, json_t *id, int code, const char *message) {
  json_t *m = json_object();
  json_object_set(m, "id", id ? id : json_null());
  json_t *e = json_object();
  json_object_set_new(e, "code", json_integer(code));
  json_object_set_new(e, "message", lsp_jstr(message));
  json_object_set_new(m, "error", e);
  lsp_send(s, m);
}

static void send_result(lsp_server *s, json_t *id, json_t *result) {
  json_t *m = json_object();
  json_object_set(m, "id", id);
  json_object_set_new(m, "result", result ? result : json_null());
  lsp_send(s, m);
}

/* ---- text positions ------------------------------------------------------------ */

/* The byte offset where line (1-based) starts, or len past the last line. */
static size_t line_start(const lsp_doc *d, int line) {
  return line >= 1 && (size_t)line <= d->nlines ? d->lines[line - 1] : d->len;
}

int lsp_u16_col(const lsp_doc *d, int line, int col) {
  if (!d) return col > 0 ? col - 1 : 0;
  const char *t = d->text;
  size_t i = line_start(d, line), len = d->len;
  int u = 0;
  for (int c = 1; c < col && i < len && t[i] != '\n'; c++) {
    unsigned char b = (unsigned char)t[i];
    u += b >= 0xf0 ? 2 : 1;
    i++;
    while (i < len && ((unsigned char)t[i] & 0xc0) == 0x80) i++;
  }
  return u;
}

int lsp_char_col(const lsp_doc *d, int line, int u16) {
  const char *t = d->text;
  size_t i = line_start(d, line), len = d->len;
  int u = 0, c = 1;
  while (u < u16 && i < len && t[i] != '\n') {
    unsigned char b = (unsigned char)t[i];
    u += b >= 0xf0 ? 2 : 1;
    i++;
    while (i < len && ((unsigned char)t[i] & 0xc0) == 0x80) i++;
    c++;
  }
  return c;
}

json_t *lsp_pos(const lsp_doc *d, int line, int col) {
  json_t *p = json_object();
  json_object_set_new(p, "line", json_integer(line > 0 ? line - 1 : 0));
  json_object_set_new(p, "character", json_integer(lsp_u16_col(d, line, col)));
  return p;
}

/* ---- documents and packs -------------------------------------------------------- */

lsp_doc *lsp_find_doc(lsp_server *s, const char *uri) {
  for (size_t i = 0; uri && i < s->ndocs; i++)
    if (strcmp(s->docs[i].uri, uri) == 0) return &s->docs[i];
  return NULL;
}

static int hex(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The path of a file: URI (percent-decoded; %00 is kept as it is), or the
** URI itself for another scheme. */
static char *uri_path(const char *uri) {
  const char *p = strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
  char *r = xrealloc(NULL, strlen(p) + 1), *o = r;
  for (; *p; p++) {
    if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0 && (hex(p[1]) | hex(p[2])) != 0) {
      *o++ = (char)(hex(p[1]) * 16 + hex(p[2]));
      p += 2;
    } else {
      *o++ = *p;
    }
  }
  *o = 0;
  return r;
}

static char *folder_of(const char *path) {
  const char *sl = strrchr(path, '/');
  if (!sl) return xstrdup(".");
  if (sl == path) return xstrdup("/");
  char *f = xrealloc(NULL, (size_t)(sl - path) + 1);
  memcpy(f, path, (size_t)(sl - path));
  f[sl - path] = 0;
  return f;
}

lsp_pack *lsp_pack_of(lsp_server *s, const lsp_doc *d) {
  for (size_t i = 0; i < s->npacks; i++)
    if (strcmp(s->packs[i].folder, d->folder) == 0) return &s->packs[i];
  s->packs = xrealloc(s->packs, (s->npacks + 1) * sizeof *s->packs);
  lsp_pack *p = &s->packs[s->npacks++];
  memset(p, 0, sizeof *p);
  p->folder = xstrdup(d->folder);
  return p;
}

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A whole regular file (NUL-terminated; no more than 16 MiB), or NULL. */
static char *read_small(const char *path, size_t *len) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 16 * 1024 * 1024) return NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *b = xrealloc(NULL, (size_t)st.st_size + 1);
  size_t n = fread(b, 1, (size_t)st.st_size, f);
  fclose(f);
  b[n] = 0;
  *len = n;
  return b;
}

static void on_pack_diag(void *ud, const vg_diag *dg) {
  lsp_pack *p = ud;
  if (p->ndiags == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 16;
    p->diags = xrealloc(p->diags, p->cap * sizeof *p->diags);
  }
  lsp_diag *d = &p->diags[p->ndiags++];
  d->file = dg->file ? xstrdup(dg->file) : NULL;
  d->line = dg->line;
  d->col = dg->col;
  d->end_col = dg->end_col;
  d->severity = dg->severity;
  d->code = dg->code ? xstrdup(dg->code) : NULL;
  d->message = xstrdup(dg->message ? dg->message : "");
}

void lsp_analyze(lsp_server *s, lsp_doc *d) {
  lsp_pack *p = lsp_pack_of(s, d);
  /* the folder's .rules files (open documents as the editor has them) */
  char **names = NULL;
  size_t n = 0;
  DIR *dir = s->disk ? opendir(p->folder) : NULL;
  for (struct dirent *e; dir && (e = readdir(dir)) != NULL;) {
    if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".rules") || n >= 256) continue;
    names = xrealloc(names, (n + 1) * sizeof *names);
    size_t k = strlen(p->folder) + strlen(e->d_name) + 2;
    names[n] = xrealloc(NULL, k);
    snprintf(names[n++], k, "%s/%s", p->folder, e->d_name);
  }
  if (dir) closedir(dir);
  for (size_t i = 0; i < s->ndocs; i++) {
    if (strcmp(s->docs[i].folder, p->folder) != 0) continue;
    int seen = 0;
    for (size_t k = 0; k < n && !seen; k++) seen = strcmp(names[k], s->docs[i].path) == 0;
    if (seen || n >= 256) continue;
    names = xrealloc(names, (n + 1) * sizeof *names);
    names[n++] = xstrdup(s->docs[i].path);
  }
  if (n > 1) qsort(names, n, sizeof *names, cmp_str);
  const char **texts = xrealloc(NULL, (n + 1) * sizeof *texts);
  size_t *lens = xrealloc(NULL, (n + 1) * sizeof *lens);
  char **owned = xrealloc(NULL, (n + 1) * sizeof *owned);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    owned[i] = NULL;
    const lsp_doc *od = NULL;
    for (size_t k = 0; k < s->ndocs && !od; k++)
      if (strcmp(s->docs[k].path, names[i]) == 0) od = &s->docs[k];
    if (od) { texts[m] = od->text; lens[m] = od->len; names[m++] = names[i]; continue; }
    size_t len = 0;
    owned[i] = read_small(names[i], &len);
    if (!owned[i] || vg_text_bad_line(owned[i], len, NULL) != 0) { free(names[i]); continue; } /* vigil check reports it */
    texts[m] = owned[i]; lens[m] = len; names[m++] = names[i];
  }
  char *schema = NULL;
  if (!s->db) {
    char *sp = NULL;
    if (s->schema) sp = xstrdup(s->schema);
    else if (s->disk) {
      size_t k = strlen(p->folder) + 12;
      sp = xrealloc(NULL, k);
      snprintf(sp, k, "%s/schema.sql", p->folder);
    }
    size_t len;
    if (sp) schema = read_small(sp, &len);
    free(sp);
  }
  const char *base = strrchr(p->folder, '/');
  base = base && base[1] ? base + 1 : p->folder;
  free_diags(p);
  vg_outline_free(p->outline);
  p->outline = NULL;
  vg_compile_opts co = {.db_path = s->db, .diag = on_pack_diag, .ud = p, .warnings = 1};
  vg_outline_new((const char *const *)names, texts, lens, (int)m, base, schema, &co, &p->outline);
  for (size_t i = 0; i < n; i++) free(owned[i]);
  for (size_t i = 0; i < m; i++) free(names[i]);
  free(names); free(texts); free(lens); free(owned); free(schema);
  lsp_publish(s, p, d);
}

/* ---- methods ------------------------------------------------------------------- */

static json_t *capabilities(void) {
  return json_pack("{s:{s:b,s:i},s:{s:[s,s]},s:b,s:b,s:b,s:b,s:b,s:{s:[s]}}",
                   "textDocumentSync", "openClose", 1, "change", 1,
                   "completionProvider", "triggerCharacters", ".", "[",
                   "hoverProvider", 1, "definitionProvider", 1, "referencesProvider", 1,
                   "documentFormattingProvider", 1, "documentSymbolProvider", 1,
                   "codeActionProvider", "codeActionKinds", "quickfix");
}

static void did_open(lsp_server *s, const char *uri, const char *text, size_t len) {
  lsp_doc *d = lsp_find_doc(s, uri);
  if (!d) {
    s->docs = xrealloc(s->docs, (s->ndocs + 1) * sizeof *s->docs);
    d = &s->docs[s->ndocs++];
    memset(d, 0, sizeof *d);
    d->uri = xstrdup(uri);
    d->path = uri_path(uri);
    d->folder = folder_of(d->path);
  }
  free(d->text);
  d->text = xrealloc(NULL, len + 1);
  memcpy(d->text, text, len);
  d->text[len] = 0;
  d->len = len;
  d->nlines = 1;
  for (size_t i = 0; i < len; i++) d->nlines += text[i] == '\n';
  free(d->lines);
  d->lines = xrealloc(NULL, d->nlines * sizeof *d->lines);
  d->lines[0] = 0;
  for (size_t i = 0, k = 1; i < len; i++)
    if (text[i] == '\n') d->lines[k++] = i + 1;
  lsp_analyze(s, d);
}

static void did_close(lsp_server *s, const char *uri) {
  lsp_doc *d = lsp_find_doc(s, uri);
  if (!d) return;
  json_t *m = json_pack("{s:s,s:{s:o,s:[]}}", "method", "textDocument/publishDiagnostics", "params", "uri", lsp_jstr(uri),
                        "diagnostics");
  lsp_send(s, m);
  free(d->uri); free(d->path); free(d->folder); free(d->text); free(d->lines);
  *d = s->docs[--s->ndocs];
}

/* textDocument.uri of params, or NULL. */
static const char *doc_uri(json_t *params) {
  return json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
}

/* position of params as a 1-based (line, col) in d; 0 when malformed. */
static int get_pos(json_t *params, const lsp_doc *d, int *line, int *col) {
  json_t *p = json_object_get(params, "position");
  json_t *l = json_object_get(p, "line"), *c = json_object_get(p, "character");
  if (!json_is_integer(l) || !json_is_integer(c)) return 0;
  json_int_t li = json_integer_value(l), ci = json_integer_value(c);
  if (li < 0 || ci < 0 || li > 10000000 || ci > 10000000) return 0;
  *line = (int)li + 1;
  *col = lsp_char_col(d, *line, (int)ci);
  return 1;
}

static void request(lsp_server *s, const char *method, json_t *id, json_t *params) {
  if (strcmp(method, "initialize") == 0) {
    s->initialized = 1;
    send_result(s, id, json_pack("{s:o,s:{s:s,s:s}}", "capabilities", capabilities(), "serverInfo", "name", "vigil",
                                 "version", VG_VERSION));
    return;
  }
  if (s->shutdown) { send_error(s, id, -32600, "the server is shutting down"); return; }
  if (!s->initialized) { send_error(s, id, -32002, "the server is not initialized"); return; }
  if (strcmp(method, "shutdown") == 0) { s->shutdown = 1; send_result(s, id, NULL); return; }
  static const char *const doc_methods[] = {"textDocument/completion", "textDocument/hover", "textDocument/definition",
                                            "textDocument/references", "textDocument/formatting",
                                            "textDocument/documentSymbol", "textDocument/codeAction"};
  size_t k = 0, nm = sizeof doc_methods / sizeof *doc_methods;
  while (k < nm && strcmp(method, doc_methods[k]) != 0) k++;
  if (k == nm) { send_error(s, id, -32601, "unknown method"); return; }
  lsp_doc *d = lsp_find_doc(s, doc_uri(params));
  if (!d) { send_error(s, id, -32602, "textDocument.uri: not an open document"); return; }
  int line = 0, col = 0;
  if (k <= 3 && !get_pos(params, d, &line, &col)) { send_error(s, id, -32602, "position: expected {line, character}"); return; }
  json_t *r = NULL;
  switch (k) {
  case 0: r = lsp_completion(s, d, line, col); break;
  case 1: r = lsp_hover(s, d, line, col); break;
  case 2: r = lsp_definition(s, d, line, col); break;
  case 3: r = lsp_references(s, d, line, col, json_is_true(json_object_get(json_object_get(params, "context"), "includeDeclaration"))); break;
  case 4: r = lsp_formatting(s, d); break;
  case 5: r = lsp_symbols(s, d); break;
  default: {
    json_t *rg = json_object_get(params, "range");
    json_t *a = json_object_get(json_object_get(rg, "start"), "line"), *b = json_object_get(json_object_get(rg, "end"), "line");
    if (!json_is_integer(a) || !json_is_integer(b)) { send_error(s, id, -32602, "range: expected {start, end}"); return; }
    json_int_t la = json_integer_value(a), lb = json_integer_value(b);
    r = lsp_code_actions(s, d, la < 0 ? 0 : la > 10000000 ? 10000000 : (int)la, lb < 0 ? 0 : lb > 10000000 ? 10000000 : (int)lb);
  }
  }
  send_result(s, id, r);
}

static void notification(lsp_server *s, const char *method, json_t *params) {
  if (strcmp(method, "exit") == 0) { s->exited = 1; s->exit_code = s->shutdown ? 0 : 1; return; }
  if (!s->initialized || s->shutdown) return;
  const char *uri = doc_uri(params);
  if (strcmp(method, "textDocument/didOpen") == 0) {
    json_t *t = json_object_get(json_object_get(params, "textDocument"), "text");
    if (uri && json_is_string(t)) did_open(s, uri, json_string_value(t), json_string_length(t));
  } else if (strcmp(method, "textDocument/didChange") == 0) {
    json_t *ch = json_object_get(params, "contentChanges");
    size_t n = json_array_size(ch);
    json_t *t = n ? json_object_get(json_array_get(ch, n - 1), "text") : NULL; /* full sync: the last is the text */
    if (uri && lsp_find_doc(s, uri) && json_is_string(t)) did_open(s, uri, json_string_value(t), json_string_length(t));
  } else if (strcmp(method, "textDocument/didClose") == 0) {
    if (uri) did_close(s, uri);
  }
  /* initialized, didSave, $/... and others: nothing to do */
}

static void message(lsp_server *s, const char *body, size_t len) {
  json_error_t err;
  json_t *m = json_loadb(body, len, 0, &err);
  if (!m) { send_error(s, NULL, -32700, "parse error: the message is not JSON"); return; }
  json_t *id = json_object_get(m, "id");
  json_t *method = json_object_get(m, "method");
  int bad_id = id && !json_is_string(id) && !json_is_integer(id) && !json_is_null(id);
  if (bad_id) id = NULL;
  if (!json_is_object(m) || !json_is_string(method) || bad_id) {
    /* a response to us (we send no requests) is dropped; anything else is not a request */
    if (!(json_is_object(m) && (json_object_get(m, "result") || json_object_get(m, "error"))))
      send_error(s, id, -32600, "invalid request: expected an object with a method");
  } else {
    json_t *params = json_object_get(m, "params");
    if (json_object_get(m, "id")) request(s, json_string_value(method), id ? id : json_null(), params);
    else notification(s, json_string_value(method), params);
  }
  json_decref(m);
}

/* ---- framing ------------------------------------------------------------------- */

int lsp_feed(lsp_server *s, const char *data, size_t n) {
  if (s->exited) return 1;
  if (n) {
    if (s->in_len + n > s->in_cap) {
      size_t cap = s->in_cap ? s->in_cap : 65536;
      while (cap < s->in_len + n) cap *= 2;
      s->in = xrealloc(s->in, cap);
      s->in_cap = cap;
    }
    memcpy(s->in + s->in_len, data, n);
    s->in_len += n;
  }
  size_t at = 0;
  int rc = 0;
  while (!s->exited) {
    /* the header: lines up to an empty one */
    const char *p = s->in + at;
    size_t avail = s->in_len - at, hl = 0;
    for (size_t i = 0; i + 3 < avail + 0 && !hl; i++)
      if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') hl = i + 4;
    if (!hl) {
      if (avail > 8192) { fputs("vigil lsp: a message header longer than 8 KiB\n", stderr); rc = -1; }
      break;
    }
    long long clen = -1;
    for (size_t i = 0; i < hl - 2;) {
      size_t e = i;
      while (e < hl - 2 && p[e] != '\r') e++;
      if (e - i > 15 && strncasecmp(p + i, "Content-Length:", 15) == 0) {
        char num[32];
        size_t k = e - i - 15;
        if (k < sizeof num) {
          memcpy(num, p + i + 15, k);
          num[k] = 0;
          char *end;
          long long v = strtoll(num, &end, 10);
          while (*end == ' ' || *end == '\t') end++;
          if (*end == 0 && v >= 0) clen = v;
        }
      }
      i = e + 2;
    }
    if (clen < 0 || clen > (long long)LSP_MAX_BODY) {
      fputs(clen < 0 ? "vigil lsp: a message without a Content-Length header\n"
                     : "vigil lsp: a message larger than 64 MiB\n", stderr);
      rc = -1;
      break;
    }
    if (avail - hl < (size_t)clen) break;
    at += hl + (size_t)clen;
    message(s, p + hl, (size_t)clen);
  }
  memmove(s->in, s->in + at, s->in_len - at);
  s->in_len -= at;
  if (s->exited) return 1;
  return rc;
}

/* ---- the command ------------------------------------------------------------- */

static const char *const usage_lsp =
  "usage: vigil lsp [--db FILE | --schema FILE.sql]\n"
  "\n"
  "A Language Server Protocol server on stdin and stdout, for editors: diagnostics\n"
  "as `vigil check` gives them (did-you-mean as quick fixes), completion, hover,\n"
  "go to definition, references across the pack folder, formatting as `vigil fmt`\n"
  "and document symbols.  A document's pack is its folder: its .rules files and\n"
  "its schema.sql.\n"
  "\n"
  "  --db FILE           check columns against this database's tables\n"
  "  --schema FILE.sql   check columns against these CREATE statements\n"
  "exit status: 0 after shutdown and exit, 1 when the stream ends otherwise, 2 bad\n"
  "command line\n";

static void write_stdout(void *ud, const char *data, size_t len) {
  (void)ud;
  fwrite(data, 1, len, stdout);
  fflush(stdout);
}

int cmd_lsp(int argc, char **argv) {
  cli_opts o = {.accept = CLI_SCHEMA | CLI_DB, .usage = usage_lsp};
  for (int i = 2; i < argc; i++) {
    if (is_help(argv[i])) { fputs(usage_lsp, stdout); return 0; }
    int r = cli_opt(&o, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r == 0) return usage_error(usage_lsp, "unknown option '%s'", argv[i]);
  }
  if (o.schema && o.db) return usage_error(usage_lsp, "%s", "give --schema or --db, not both");
  lsp_server s;
  lsp_init(&s);
  s.write = write_stdout;
  s.db = o.db;
  s.schema = o.schema;
  char buf[65536];
  int rc = 0;
  while (rc == 0) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    rc = lsp_feed(&s, buf, (size_t)n);
  }
  int code = s.exited ? s.exit_code : 1;
  lsp_free(&s);
  return code;
}
