/*
** fuzz_lsp.c — libFuzzer target: bytes as the stream a client sends to
** `vigil lsp` (cli/lsp.c's message loop: Content-Length framing, JSON-RPC,
** every method).
**
** Each input starts a fresh server (no disk: only open documents; the fuzz
** database's schema as --db), initialized, with one document open (a small
** pack), then feeds it the input in pieces whose size the first byte picks
** (framing across reads).  What aborts it (a finding): any sanitizer report
** or leak; a message the server writes that is not "Content-Length: N\r\n\r\n"
** followed by N bytes of one JSON object with "jsonrpc": "2.0".
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "vigil.h"
#include "fuzz_db.h"
#include "../cli/lsp.h"

static const char *db_path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  db_path = fuzz_make_db(0);
  return 0;
}

static void check_output(void *ud, const char *data, size_t len) {
  (void)ud;
  size_t n = 0;
  int used = 0;
  /* the message is not NUL-terminated (lsp_send writes its bytes): sscanf
  ** reads the header from a terminated copy of its first bytes */
  char head[64];
  size_t hl = len < sizeof head - 1 ? len : sizeof head - 1;
  memcpy(head, data, hl);
  head[hl] = 0;
  if (sscanf(head, "Content-Length: %zu\r\n\r\n%n", &n, &used) != 1 || used <= 0 || (size_t)used + n != len) {
    fprintf(stderr, "fuzz_lsp: a badly framed message: %.*s\n", (int)(len < 200 ? len : 200), data);
    abort();
  }
  json_error_t err;
  json_t *j = json_loadb(data + used, n, 0, &err);
  if (!json_is_object(j) || !json_is_string(json_object_get(j, "jsonrpc"))) {
    fprintf(stderr, "fuzz_lsp: the server wrote what is not a JSON-RPC object: %.*s\n", (int)n, data + used);
    abort();
  }
  json_decref(j);
}

static void feed_json(lsp_server *s, const char *body) {
  char head[64];
  int h = snprintf(head, sizeof head, "Content-Length: %zu\r\n\r\n", strlen(body));
  lsp_feed(s, head, (size_t)h);
  lsp_feed(s, body, strlen(body));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lsp_server s;
  lsp_init(&s);
  s.write = check_output;
  s.disk = 0;
  s.db = db_path;
  feed_json(&s, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"capabilities\":{}}}");
  feed_json(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{\"textDocument\":"
                "{\"uri\":\"file:///fuzz/p/a.rules\",\"languageId\":\"vigil\",\"version\":1,\"text\":"
                "\"pack p\\ntiers low, high\\nparam k = 3\\ndef twice(x) = x * 2\\n"
                "source s { table deals key id time day }\\n"
                "rule r on s {\\n  let v = twice(amount)\\n  low when v > k\\n  message \\\"{id}: {v}\\\"\\n}\\n\"}}}");
  size_t chunk = size ? (size_t)data[0] % 64 + 1 : 1;
  const char *p = (const char *)data + (size ? 1 : 0);
  size_t left = size ? size - 1 : 0;
  while (left > 0) {
    size_t k = left < chunk ? left : chunk;
    if (lsp_feed(&s, p, k) != 0) break;
    p += k;
    left -= k;
  }
  lsp_free(&s);
  return 0;
}
