/*
** lsp.h — `vigil lsp`, a Language Server Protocol server (docs/CLI.md):
** the JSON-RPC framing and message loop (lsp.c) and the methods (lsp_feat.c),
** a client of the library's outlines (include/vigil.h, "Outlines").
**
** The server is a push parser: lsp_feed takes the bytes of the client's
** stream in pieces of any size and answers each complete message through
** the server's writer.  Nothing a client sends can crash it: a body that is
** not JSON is answered -32700, one that is not a request -32600, an unknown
** method -32601, bad params -32602.
*/
#ifndef VIGIL_CLI_LSP_H
#define VIGIL_CLI_LSP_H

#include <stddef.h>
#include <jansson.h>
#include "vigil.h"

/* An open document. */
typedef struct lsp_doc {
  char *uri, *path, *folder;
  char *text;
  size_t len;
  size_t *lines, nlines; /* the byte offset where each line starts */
} lsp_doc;

/* The last analysis of a pack folder: its outline and the diagnostics of
** its files (a note "did you mean 'X'?" becomes a quick fix). */
typedef struct lsp_diag {
  char *file;             /* NULL: no place (shown at the top of the changed document) */
  int line, col, end_col; /* as vg_diag */
  vg_severity severity;
  char *code, *message;
} lsp_diag;

typedef struct lsp_pack {
  char *folder;
  vg_outline *outline;
  lsp_diag *diags;
  size_t ndiags, cap;
} lsp_pack;

typedef struct lsp_server {
  void (*write)(void *ud, const char *data, size_t len); /* one framed message */
  void *ud;
  const char *db, *schema; /* --db, --schema */
  int disk;                /* read the pack folder's other files and schema.sql from disk */
  int initialized, shutdown, exited, exit_code;
  lsp_doc *docs; size_t ndocs;
  lsp_pack *packs; size_t npacks;
  char *in; size_t in_len, in_cap; /* bytes not yet a whole message */
} lsp_server;

/* The largest message body taken (a larger Content-Length ends the session). */
#define LSP_MAX_BODY (64u * 1024u * 1024u)

void lsp_init(lsp_server *s);
/* Take n more bytes of the stream.  Returns 0 to go on, 1 once `exit` came
** (s->exit_code: 0 after shutdown, else 1), -1 when the stream cannot be
** read on (a header without a usable Content-Length: reported on stderr). */
int lsp_feed(lsp_server *s, const char *data, size_t n);
void lsp_free(lsp_server *s);

/* ---- lsp.c, for lsp_feat.c ---- */
void lsp_send(lsp_server *s, json_t *msg);  /* frames and writes msg; takes the reference */
json_t *lsp_jstr(const char *p);            /* a JSON string of any bytes (not UTF-8: U+FFFD) */
lsp_doc *lsp_find_doc(lsp_server *s, const char *uri);
lsp_pack *lsp_pack_of(lsp_server *s, const lsp_doc *d);
/* The UTF-16 column (0-based) of the 1-based character column col on line
** (1-based) of d's text, and back. */
int lsp_u16_col(const lsp_doc *d, int line, int col);
int lsp_char_col(const lsp_doc *d, int line, int u16);
/* {"line", "character"} of a 1-based (line, col) in d's text. */
json_t *lsp_pos(const lsp_doc *d, int line, int col);
/* Analyze d's pack again and publish the diagnostics of its open files. */
void lsp_analyze(lsp_server *s, lsp_doc *d);

/* ---- lsp_feat.c: the methods; each returns the result (NULL: null) or sets
** *err to a JSON-RPC error code ---- */
json_t *lsp_completion(lsp_server *s, lsp_doc *d, int line, int col);
json_t *lsp_hover(lsp_server *s, lsp_doc *d, int line, int col);
json_t *lsp_definition(lsp_server *s, lsp_doc *d, int line, int col);
json_t *lsp_references(lsp_server *s, lsp_doc *d, int line, int col, int decl);
json_t *lsp_formatting(lsp_server *s, lsp_doc *d);
json_t *lsp_symbols(lsp_server *s, lsp_doc *d);
json_t *lsp_code_actions(lsp_server *s, lsp_doc *d, int line0, int line1);
/* publishDiagnostics for every open document of pack p. */
void lsp_publish(lsp_server *s, lsp_pack *p, const lsp_doc *changed);

int cmd_lsp(int argc, char **argv);

#endif
