/*
** sarif.c — `check --format sarif`: the diagnostics of a run as one SARIF
** 2.1.0 log (docs/CLI.md, "SARIF output"; tests/check-schemas.py validates
** it against the official schema).
**
** The diagnostics are kept as they come and written at the end, because the
** log starts with the rules of the codes used.  A note (a diagnostic without
** a code) belongs to the error or warning before it: a located one becomes
** one of that result's relatedLocations, and a "did you mean 'NAME'?" also a
** fix that puts NAME in place of the span.  A note without a place or
** without a result before it is a toolExecutionNotification of the run.
** File names become URIs relative to SRCROOT (the current folder, declared
** in originalUriBaseIds), or absolute file: URIs for files outside it, both
** percent-encoded (RFC 3986).
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "out.h"

typedef struct sarif_item {
  vg_severity severity;
  char *code, *file, *message;
  int line, col, end_col;
  int owner; /* a note: the index of its result; -1 for a notification; a result: its own index */
} sarif_item;

struct sarif_log {
  sarif_item *items;
  int n, cap;
  int last_result; /* -1: none yet */
};

static char *dup_or_null(const char *s) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) out_of_memory();
  return d;
}

void sarif_add(diag_sink *s, const vg_diag *d) {
  sarif_log *g = s->sarif;
  if (!g) {
    g = calloc(1, sizeof *g);
    if (!g) out_of_memory();
    g->last_result = -1;
    s->sarif = g;
  }
  if (g->n == g->cap) {
    int cap = g->cap ? g->cap * 2 : 32;
    sarif_item *p = realloc(g->items, (size_t)cap * sizeof *p);
    if (!p) out_of_memory();
    g->items = p;
    g->cap = cap;
  }
  sarif_item *it = &g->items[g->n];
  it->severity = d->severity;
  it->code = dup_or_null(d->code);
  it->file = dup_or_null(d->file);
  it->message = dup_or_null(d->message ? d->message : "");
  it->line = d->line;
  it->col = d->col;
  it->end_col = d->end_col;
  if (d->severity == VG_NOTE && !d->code) it->owner = d->file && g->last_result >= 0 ? g->last_result : -1;
  else it->owner = g->last_result = g->n;
  g->n++;
}

/* ---- URIs ------------------------------------------------------------------ */

/* p[0..n) percent-encoded: RFC 3986's unreserved characters and '/' as
** they are, every other byte as %XX. */
static void uri_encode(diag_sink *s, const char *p, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~/", c)) {
      char ch = (char)c;
      sink_put(s, &ch, 1);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      sink_put(s, e, 3);
    }
  }
}

/* The absolute path of file (relative to cwd when it does not start with
** '/'), with "." and ".." steps and repeated slashes taken out, in out. */
static void absolute_path(diag_sink *out, const char *cwd, const char *file) {
  out->len = 0;
  if (file[0] != '/' && cwd) sink_str(out, cwd);
  const char *p = file;
  sink_put(out, "", 0);
  for (;;) {
    while (*p == '/') p++;
    if (!*p) break;
    size_t n = strcspn(p, "/");
    if (n == 1 && p[0] == '.') {
      /* nothing */
    } else if (n == 2 && p[0] == '.' && p[1] == '.') {
      while (out->len > 0 && out->buf[out->len - 1] != '/') out->len--;
      if (out->len > 0) out->len--; /* the slash */
      out->buf[out->len] = 0;
    } else {
      sink_str(out, "/");
      sink_put(out, p, n);
    }
    p += n;
  }
  if (out->len == 0) sink_str(out, "/");
}

/* "artifactLocation": {...} of file: relative to SRCROOT when it lies in
** cwd, else an absolute file: URI. */
static void put_artifact(diag_sink *s, const char *cwd, const char *file, diag_sink *tmp) {
  sink_str(s, "\"artifactLocation\": {\"uri\": \"");
  if (!cwd && file[0] != '/') { /* no current folder to be relative to */
    uri_encode(s, file, strlen(file));
    sink_str(s, "\"}");
    return;
  }
  absolute_path(tmp, cwd, file);
  size_t base = cwd ? strlen(cwd) : 0;
  if (cwd && strncmp(tmp->buf, cwd, base) == 0 && tmp->buf[base] == '/' && tmp->buf[base + 1]) {
    uri_encode(s, tmp->buf + base + 1, tmp->len - base - 1);
    sink_str(s, "\", \"uriBaseId\": \"SRCROOT\"}");
  } else {
    sink_str(s, "file://");
    uri_encode(s, tmp->buf, tmp->len);
    sink_str(s, "\"}");
  }
}

/* "startLine": L, "startColumn": C, "endColumn": E of item it (the columns
** only when it has them; a span of at least one column). */
static void put_region(diag_sink *s, const sarif_item *it) {
  out_format(s, "\"startLine\": %d", it->line);
  if (it->col > 0) out_format(s, ", \"startColumn\": %d, \"endColumn\": %d", it->col, it->end_col > it->col ? it->end_col : it->col + 1);
}

/* "physicalLocation": {"artifactLocation": ..., "region": ...} of item it. */
static void put_physical(diag_sink *s, const char *cwd, const sarif_item *it, diag_sink *tmp) {
  sink_str(s, "\"physicalLocation\": {");
  put_artifact(s, cwd, it->file, tmp);
  if (it->line > 0) {
    sink_str(s, ", \"region\": {");
    put_region(s, it);
    sink_str(s, "}");
  }
  sink_str(s, "}");
}

/* The item's message text, closing the message object a caller opened,
** then its location when it has a file: the tail of a notification and of
** a result. */
static void put_message_located(diag_sink *s, const char *cwd, const sarif_item *it, diag_sink *tmp) {
  out_json_str(s, it->message);
  sink_str(s, "}");
  if (it->file) {
    sink_str(s, ", \"locations\": [{");
    put_physical(s, cwd, it, tmp);
    sink_str(s, "}]");
  }
}

/* The file: URI of docs/DIAGNOSTICS.md, as installed beside this program
** (PREFIX/share/doc/vigil/, `make install`) or in the source tree it was built
** in (build/rel/vigil, ./vigil); else where `make install` puts it by default. */
static void information_uri(diag_sink *s) {
  static const char *const beside[] = {"../share/doc/vigil/DIAGNOSTICS.md", "../../docs/DIAGNOSTICS.md", "docs/DIAGNOSTICS.md"};
  char exe[PATH_MAX];
  char *dir = realpath("/proc/self/exe", exe) ? exe : NULL;
  char *slash = dir ? strrchr(dir, '/') : NULL;
  if (slash) {
    *slash = 0;
    diag_sink p, abs;
    memset(&p, 0, sizeof p);
    memset(&abs, 0, sizeof abs);
    for (size_t i = 0; i < sizeof beside / sizeof *beside; i++) {
      p.len = 0;
      sink_str(&p, dir);
      sink_str(&p, "/");
      sink_str(&p, beside[i]);
      absolute_path(&abs, NULL, p.buf);
      if (access(abs.buf, R_OK) == 0) {
        sink_str(s, "file://");
        uri_encode(s, abs.buf, abs.len);
        free(p.buf);
        free(abs.buf);
        return;
      }
    }
    free(p.buf);
    free(abs.buf);
  }
  sink_str(s, "file:///usr/local/share/doc/vigil/DIAGNOSTICS.md");
}

/* ---- the log --------------------------------------------------------------- */

/* NAME of a message "did you mean 'NAME'?", in *name and *n; 0 when it is not one. */
static int did_you_mean(const char *m, const char **name, size_t *n) {
  static const char pre[] = "did you mean '";
  size_t len = strlen(m);
  if (strncmp(m, pre, sizeof pre - 1) != 0 || len < sizeof pre + 1 || strcmp(m + len - 2, "'?") != 0) return 0;
  *name = m + sizeof pre - 1;
  *n = len - (sizeof pre - 1) - 2;
  return *n > 0;
}

static const char *level(vg_severity v) { return v == VG_ERROR ? "error" : v == VG_WARNING ? "warning" : "note"; }

/* The driver's reportingDescriptor of code (NULL: the errors without a code). */
static void put_rule(diag_sink *s, const char *code, vg_severity sev, const char *info) {
  const char *group = NULL, *meaning = NULL;
  for (int i = 0; code && i < vg_diag_code_count(); i++) {
    const char *g, *m, *c = vg_diag_code(i, &g, &m);
    if (strcmp(c, code) == 0) { group = g; meaning = m; break; }
  }
  sink_str(s, "{\"id\": ");
  out_json_str(s, code ? code : "vigil");
  diag_sink t;
  memset(&t, 0, sizeof t);
  if (group) {
    sink_str(s, ", \"shortDescription\": {\"text\": ");
    out_json_str(s, meaning);
    sink_str(s, "}, \"fullDescription\": {\"text\": ");
    out_json_str(s, meaning);
    sink_str(s, "}, \"help\": {\"text\": ");
    explain_text(&t, code, group, meaning);
    out_json_str(s, t.buf);
    sink_str(s, "}, \"helpUri\": \"");
    sink_str(s, info);
    sink_str(s, "#");
    for (const char *p = code; *p; p++) {
      char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
      sink_put(s, &c, 1);
    }
    sink_str(s, "\"");
  } else {
    const char *what = "A problem outside the rules text, without a code: a file that cannot be read, a schema that does not load.";
    out_format(&t, "%s\nMore in docs/DIAGNOSTICS.md, section \"Errors without a code\".\n", what);
    sink_str(s, ", \"shortDescription\": {\"text\": ");
    out_json_str(s, what);
    sink_str(s, "}, \"fullDescription\": {\"text\": ");
    out_json_str(s, what);
    sink_str(s, "}, \"help\": {\"text\": ");
    out_json_str(s, t.buf);
    sink_str(s, "}, \"helpUri\": \"");
    sink_str(s, info);
    sink_str(s, "#errors-without-a-code\"");
  }
  free(t.buf);
  out_format(s, ", \"defaultConfiguration\": {\"level\": \"%s\"}}", level(sev));
}

/* The index in codes[0..n) of code (NULL matches NULL), or -1. */
static int rule_index(char **codes, int n, const char *code) {
  for (int i = 0; i < n; i++)
    if ((!codes[i] && !code) || (codes[i] && code && strcmp(codes[i], code) == 0)) return i;
  return -1;
}

void sarif_write(diag_sink *s) {
  sarif_log *g = s->sarif;
  int n = g ? g->n : 0;
  diag_sink o, tmp;
  memset(&o, 0, sizeof o);
  memset(&tmp, 0, sizeof tmp);
  char cwdbuf[PATH_MAX];
  const char *cwd = getcwd(cwdbuf, sizeof cwdbuf);
  if (cwd && strcmp(cwd, "/") == 0) cwd = ""; /* SRCROOT "file:///" */
  diag_sink info;
  memset(&info, 0, sizeof info);
  information_uri(&info);
  /* the codes, in the order of their first result */
  char **codes = calloc((size_t)n + 1, sizeof *codes);
  vg_severity *sev = calloc((size_t)n + 1, sizeof *sev);
  if (!codes || !sev) out_of_memory();
  int ncodes = 0;
  for (int i = 0; i < n; i++) {
    sarif_item *it = &g->items[i];
    if (it->owner != i || rule_index(codes, ncodes, it->code) >= 0) continue;
    sev[ncodes] = it->code && it->code[0] == 'W' ? VG_WARNING : VG_ERROR;
    codes[ncodes++] = it->code;
  }
  sink_str(&o, "{\n  \"$schema\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n"
               "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
               "      \"tool\": {\"driver\": {\"name\": \"vigil\", \"version\": \"" VG_VERSION "\", \"informationUri\": \"");
  sink_put(&o, info.buf, info.len);
  sink_str(&o, "\", \"rules\": [");
  for (int r = 0; r < ncodes; r++) {
    sink_str(&o, r ? ",\n        " : "\n        ");
    put_rule(&o, codes[r], sev[r], info.buf);
  }
  sink_str(&o, ncodes ? "\n      ]}},\n" : "]}},\n");
  if (cwd) {
    sink_str(&o, "      \"originalUriBaseIds\": {\"SRCROOT\": {\"uri\": \"file://");
    uri_encode(&o, cwd, strlen(cwd));
    sink_str(&o, "/\"}},\n");
  }
  sink_str(&o, "      \"columnKind\": \"unicodeCodePoints\",\n");
  /* notes without a result to belong to */
  int nnotes = 0;
  for (int i = 0; i < n; i++) {
    sarif_item *it = &g->items[i];
    if (it->owner != -1) continue;
    sink_str(&o, nnotes++ ? ",\n        {" : "      \"invocations\": [{\"executionSuccessful\": true, \"toolExecutionNotifications\": [\n        {");
    sink_str(&o, "\"level\": \"note\", \"message\": {\"text\": ");
    put_message_located(&o, cwd, it, &tmp);
    sink_str(&o, "}");
  }
  if (nnotes) sink_str(&o, "\n      ]}],\n");
  sink_str(&o, "      \"results\": [");
  int first = 1;
  for (int i = 0; i < n; i++) {
    sarif_item *it = &g->items[i];
    if (it->owner != i) continue;
    sink_str(&o, first ? "\n        {" : ",\n        {");
    first = 0;
    sink_str(&o, "\"ruleId\": ");
    out_json_str(&o, it->code ? it->code : "vigil");
    out_format(&o, ", \"ruleIndex\": %d, \"level\": \"%s\", \"message\": {\"text\": ", rule_index(codes, ncodes, it->code),
               level(it->severity));
    put_message_located(&o, cwd, it, &tmp);
    int nrel = 0, nfix = 0;
    for (int k = i + 1; k < n && g->items[k].owner != k; k++) {
      sarif_item *nt = &g->items[k];
      if (nt->owner != i) continue;
      sink_str(&o, nrel++ ? ", {" : ", \"relatedLocations\": [{");
      put_physical(&o, cwd, nt, &tmp);
      sink_str(&o, ", \"message\": {\"text\": ");
      out_json_str(&o, nt->message);
      sink_str(&o, "}}");
    }
    if (nrel) sink_str(&o, "]");
    for (int k = i + 1; k < n && g->items[k].owner != k; k++) {
      sarif_item *nt = &g->items[k];
      const char *name;
      size_t len;
      if (nt->owner != i || nt->line <= 0 || nt->col <= 0 || !did_you_mean(nt->message, &name, &len)) continue;
      sink_str(&o, nfix++ ? ", {" : ", \"fixes\": [{");
      sink_str(&o, "\"description\": {\"text\": ");
      out_json_str(&o, nt->message);
      sink_str(&o, "}, \"artifactChanges\": [{");
      put_artifact(&o, cwd, nt->file, &tmp);
      sink_str(&o, ", \"replacements\": [{\"deletedRegion\": {");
      put_region(&o, nt);
      sink_str(&o, "}, \"insertedContent\": {\"text\": ");
      out_json(&o, name, len);
      sink_str(&o, "}}]}]}");
    }
    if (nfix) sink_str(&o, "]");
    sink_str(&o, "}");
  }
  sink_str(&o, first ? "]\n    }\n  ]\n}\n" : "\n      ]\n    }\n  ]\n}\n");
  out_write(stdout, o.buf, o.len);
  free(o.buf);
  free(tmp.buf);
  free(info.buf);
  free(codes);
  free(sev);
}

void sarif_free(diag_sink *s) {
  sarif_log *g = s->sarif;
  if (!g) return;
  for (int i = 0; i < g->n; i++) {
    free(g->items[i].code);
    free(g->items[i].file);
    free(g->items[i].message);
  }
  free(g->items);
  free(g);
  s->sarif = NULL;
}
