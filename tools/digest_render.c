/*
** digest_render.c — one person's digest, shaped by digest.c, as text,
** Markdown or HTML (digest.h).
**
** Each alert yields a head (tier, rule, message) and detail
** lines (its life, the route, the trend, the values) built as clean text
** (valid UTF-8, no control characters: the terminal rule of CLI.md
** "Output encoding", a NUL byte as \0, a control character or a byte that
** is not UTF-8 as \xNN, a tab or line break as a space); each format then
** escapes that text its own way and adds its own markup, so no data string
** reaches a body unescaped.  Nothing in a body depends on the clock.
** The text of the database is in digest.c's internal form (a NUL byte as
** 0xC0 0x80); put_clean shows it as \0.
*/
#include <stdio.h>
#include <string.h>
#include "digest.h"
#include "../runtime/json.h"

/* ---- clean text and escaping ------------------------------------------------ */

/* Append data text s (internal form) to b as clean text, by the terminal
** rule (CLI.md "Output encoding"): a tab, line feed or carriage return
** becomes a space (the text is wrapped anew), a NUL byte \0, another control
** byte or a byte that is not UTF-8 \xNN, a C1 control or a Unicode control
** that reorders or breaks lines \uNNNN.  NULL appends nothing.  0 or -1
** (memory). */
static int put_clean(vg_buf *b, const char *s) {
  int rc = 0;
  size_t len = s ? strlen(s) : 0;
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  while (p && p < end && rc == 0) {
    int n = exec_utf8_len(p, (size_t)(end - p));
    unsigned cp = n == 1 ? p[0] : n == 2 ? ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu)
                : n == 3 ? ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu) : 0x10000;
    if (n == 0 && p[0] == 0xc0 && p + 1 < end) { /* the internal form of NUL and of 0xC0 */
      rc = p[1] == 0x80 ? vg_buf_append(b, "\\0", 2) : vg_buf_append(b, "\\xc0", 4);
      p += 2;
    } else if (n == 0) {
      rc = vg_buf_printf(b, "\\x%02x", p[0]);
      p++;
    } else if (cp == '\t' || cp == '\n' || cp == '\r') {
      rc = vg_buf_append(b, " ", 1);
      p++;
    } else if (cp < 0x20 || cp == 0x7f) {
      rc = vg_buf_printf(b, "\\x%02x", cp);
      p++;
    } else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
               (cp >= 0x2066 && cp <= 0x2069)) {
      rc = vg_buf_printf(b, "\\u%04x", cp);
      p += n;
    } else {
      rc = vg_buf_append(b, p, (size_t)n);
      p += n;
    }
  }
  return rc;
}

static int put(vg_buf *b, const char *s) { return vg_buf_append(b, s, strlen(s)); }

/* Clean text t for Markdown: the characters that could start markup are
** backslash-escaped (CommonMark allows it before any ASCII punctuation). */
static int put_md(vg_buf *b, const char *t) {
  int rc = 0;
  for (const char *p = t; *p && rc == 0; p++) {
    if (strchr("\\`*_[]<>|#&~", *p)) rc = vg_buf_append(b, "\\", 1);
    if (rc == 0) rc = vg_buf_append(b, p, 1);
  }
  return rc;
}

/* Clean text t as HTML text or attribute value. */
static int put_html(vg_buf *b, const char *t) {
  int rc = 0;
  for (const char *p = t; *p && rc == 0; p++) {
    switch (*p) {
    case '&': rc = put(b, "&amp;"); break;
    case '<': rc = put(b, "&lt;"); break;
    case '>': rc = put(b, "&gt;"); break;
    case '"': rc = put(b, "&quot;"); break;
    case '\'': rc = put(b, "&#39;"); break;
    default: rc = vg_buf_append(b, p, 1);
    }
  }
  return rc;
}

/* Data text s, cleaned, then escaped for the format. */
static int put_data(dg_ctx *c, vg_buf *b, const char *s) {
  c->scratch.len = 0;
  if (put_clean(&c->scratch, s ? s : "") != 0 || vg_buf_append(&c->scratch, "", 0) != 0) return -1;
  switch (c->o->format) {
  case VG_DIGEST_MARKDOWN: return put_md(b, c->scratch.data);
  case VG_DIGEST_HTML: return put_html(b, c->scratch.data);
  default: return put(b, c->scratch.data);
  }
}

/* A rule name in Markdown: a code span when it can be one, else escaped. */
static int put_md_code(dg_ctx *c, vg_buf *b, const char *s) {
  c->scratch.len = 0;
  if (put_clean(&c->scratch, s ? s : "") != 0 || vg_buf_append(&c->scratch, "", 0) != 0) return -1;
  const char *t = c->scratch.data;
  if (*t && !strchr(t, '`') && t[0] != ' ' && t[strlen(t) - 1] != ' ')
    return put(b, "`") || put(b, t) || put(b, "`");
  return put_md(b, t);
}

/* Code points in s[0..n). */
static size_t width_of(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++) w += ((unsigned char)s[i] & 0xc0) != 0x80;
  return w;
}

/* Clean text t as wrapped lines: the first starts with indent1, the others
** with indent2; words (split at spaces) are never broken. */
static int put_wrapped(vg_buf *b, const char *t, const char *indent1, const char *indent2) {
  int rc = put(b, indent1);
  size_t col = width_of(indent1, strlen(indent1)), start = col;
  const char *p = t;
  while (rc == 0 && *p) {
    while (*p == ' ') p++;
    if (!*p) break;
    size_t n = strcspn(p, " "), w = width_of(p, n);
    if (col > start && col + 1 + w > DG_WIDTH) {
      rc = put(b, "\n") || put(b, indent2);
      col = start = width_of(indent2, strlen(indent2));
    } else if (col > start) {
      rc = put(b, " ");
      col++;
    }
    if (rc == 0) rc = vg_buf_append(b, p, n);
    col += w;
    p += n;
  }
  return rc || put(b, "\n");
}

/* ---- one person's digest ------------------------------------------------------ */

/* A value's name in words: a let, column or param name with its
** underscores as spaces ("conversion_rate" is shown "conversion rate"). */
static int put_label(vg_buf *b, const char *name) {
  size_t from = b->len;
  int rc = put_clean(b, name);
  for (size_t i = from; rc == 0 && i < b->len; i++)
    if (b->data[i] == '_') b->data[i] = ' ';
  return rc;
}

/* "rep_id 17" (the evidence's key column) or "key 17"; with the entity's
** name, "Dana Kim (rep_id 17)". */
static int put_key_label(vg_buf *b, const dg_entry *e, const char *name) {
  if (name) return put_clean(b, name) || put(b, " (") || put_key_label(b, e, NULL) || put(b, ")");
  return put_clean(b, e->kc ? e->kc : "key") || put(b, " ") || put_clean(b, e->a->key);
}

/* The person as "Dana Kim (17)", "17", or the unrouted phrase. */
static int put_person(vg_buf *b, const char *person, const char *name) {
  if (!person) return put(b, "alerts without a recipient");
  if (name) return put_clean(b, name) || put(b, " (") || put_clean(b, person) || put(b, ")");
  return put_clean(b, person);
}

/* The open alerts per tier, highest first: "2 red, 3 orange" (clean text). */
static int put_tier_counts(vg_buf *b, const dg_view *v) {
  int rc = 0, first = 1;
  /* the entries are not in tier order across groups: pick tiers by rank,
  ** highest first, each distinct (rank, name) once */
  int last_rank = 1 << 30;
  const char *last_name = NULL;
  for (;;) {
    const dg_alert *best = NULL;
    for (long i = 0; i < v->ne; i++) {
      const dg_alert *a = v->e[i].a;
      if (a->life == DG_RESOLVED) continue;
      int after_last = a->rank < last_rank || (a->rank == last_rank && last_name && strcmp(a->tier, last_name) > 0);
      if (!after_last) continue;
      if (!best || a->rank > best->rank || (a->rank == best->rank && strcmp(a->tier, best->tier) < 0)) best = a;
    }
    if (!best) break;
    long n = 0;
    for (long i = 0; i < v->ne; i++)
      n += v->e[i].a->life != DG_RESOLVED && v->e[i].a->rank == best->rank && strcmp(v->e[i].a->tier, best->tier) == 0;
    rc |= vg_buf_printf(b, "%s%ld ", first ? "" : ", ", n);
    rc |= put_clean(b, best->tier);
    first = 0;
    last_rank = best->rank;
    last_name = best->tier;
  }
  return rc;
}

static int put_counts(vg_buf *b, const int *count) {
  return vg_buf_printf(b, "%d new, %d escalated, %d ongoing, %d resolved.", count[DG_NEW], count[DG_ESCALATED],
                       count[DG_ONGOING], count[DG_RESOLVED]);
}

/* The window of an alert is a run of cells per column: the end of the run
** starting at cell i; the start of column name's run (or -1); whether the
** run [i, j) holds one value throughout. */
static long segment_end(const dg_alert *a, long i) {
  long j = i;
  while (j < a->ncells && strcmp(a->cells[j].name, a->cells[i].name) == 0) j++;
  return j;
}

static long find_segment(const dg_alert *a, const char *name) {
  for (long i = 0; i < a->ncells; i++)
    if (strcmp(a->cells[i].name, name) == 0) return i;
  return -1;
}

static int is_flat(const dg_alert *a, long i, long j) {
  for (long k = i + 1; k < j; k++)
    if (strcmp(a->cells[k].text, a->cells[i].text) != 0) return 0;
  return 1;
}

/* The detail lines of an entry, clean text, each ending in '\n'. */
static int put_details(vg_buf *b, const dg_entry *en) {
  const dg_alert *a = en->a;
  int rc = 0;
  const char *runs_s = a->runs == 1 ? "" : "s";
  /* its life */
  switch (a->life) {
  case DG_NEW: rc |= put(b, "New since the last run."); break;
  case DG_ONGOING:
    if (a->first_seen) rc |= put(b, "Open since ") || put_clean(b, a->first_seen) || vg_buf_printf(b, ", %d run%s.", a->runs, runs_s);
    else rc |= vg_buf_printf(b, "Open for %d run%s.", a->runs, runs_s);
    break;
  case DG_ESCALATED:
    if (a->prev_tier) rc |= put(b, "Escalated from ") || put_clean(b, a->prev_tier);
    else rc |= put(b, "Escalated from the previous run");
    if (a->first_seen) rc |= put(b, "; open since ") || put_clean(b, a->first_seen) || vg_buf_printf(b, ", %d run%s.", a->runs, runs_s);
    else rc |= vg_buf_printf(b, "; open for %d run%s.", a->runs, runs_s);
    break;
  default:
    if (a->first_seen) rc |= put(b, "No longer fires; it was open since ") || put_clean(b, a->first_seen) ||
                             vg_buf_printf(b, ", %d run%s.", a->runs, runs_s);
    else rc |= vg_buf_printf(b, "No longer fires; it was open for %d run%s.", a->runs, runs_s);
  }
  rc |= put(b, "\n");
  /* why this person gets it */
  if (en->level > 0 && (a->owner || a->recipient)) {
    rc |= vg_buf_printf(b, "Routed to you: %d level%s above ", en->level, en->level == 1 ? "" : "s");
    rc |= a->owner ? put_person(b, a->owner, a->owner_name) : put_clean(b, a->recipient);
    rc |= put(b, ".\n");
  }
  /* how far past its threshold (docs/LANGUAGE.md §4.6.1) */
  if (a->size_text && a->life != DG_RESOLVED) rc |= put(b, "Size: ") || put_clean(b, a->size_text) || put(b, ".\n");
  /* the trend: each window column that moves, over the window's dates */
  const char *d_first = NULL, *d_last = NULL;
  for (long i = 0; i < a->ncells; i++)
    if (strcmp(a->cells[i].name, "dates") == 0) {
      if (!d_first) d_first = a->cells[i].text;
      d_last = a->cells[i].text;
    }
  for (long i = 0; i < a->ncells;) {
    long j = segment_end(a, i);
    if (strcmp(a->cells[i].name, "dates") != 0 && !is_flat(a, i, j)) {
      rc |= put(b, "Trend: ") || put_label(b, a->cells[i].name) || put(b, " ");
      long from = j - i > DG_TREND_MAX ? j - DG_TREND_MAX : i;
      if (from > i) rc |= put(b, "\xe2\x80\xa6 \xe2\x86\x92 ");
      for (long k = from; k < j; k++) rc |= (k > from ? put(b, " \xe2\x86\x92 ") : 0) || put_clean(b, a->cells[k].text);
      if (d_first && d_last != d_first) rc |= put(b, " (") || put_clean(b, d_first) || put(b, " to ") || put_clean(b, d_last) || put(b, ")");
      else if (d_first) rc |= put(b, " (") || put_clean(b, d_first) || put(b, ")");
      rc |= put(b, "\n");
    }
    i = j;
  }
  /* the values it compared (the observed ones: lets and columns), but those
  ** a trend shows; then the window's steady columns the values do not name;
  ** then the params, the thresholds, on a line of their own (evidence
  ** without "params" has none marked: they stay among the values) */
  int any = 0;
  for (long i = 0; i < a->nvals; i++) {
    if (a->vals[i].param) continue;
    long lo = find_segment(a, a->vals[i].name);
    if (lo >= 0 && !is_flat(a, lo, segment_end(a, lo))) continue;
    rc |= put(b, any ? ", " : "Values: ") || put_label(b, a->vals[i].name) || put(b, " ") || put_clean(b, a->vals[i].text);
    any = 1;
  }
  for (long i = 0; i < a->ncells;) {
    long j = segment_end(a, i);
    int named = strcmp(a->cells[i].name, "dates") == 0;
    for (long k = 0; k < a->nvals && !named; k++) named = strcmp(a->vals[k].name, a->cells[i].name) == 0;
    if (!named && is_flat(a, i, j)) {
      rc |= put(b, any ? ", " : "Values: ") || put_label(b, a->cells[i].name) || put(b, " ") || put_clean(b, a->cells[j - 1].text);
      any = 1;
    }
    i = j;
  }
  if (any) rc |= put(b, "\n");
  any = 0;
  for (long i = 0; i < a->nvals; i++) {
    if (!a->vals[i].param) continue;
    rc |= put(b, any ? ", " : "Thresholds: ") || put_label(b, a->vals[i].name) || put(b, " ") || put_clean(b, a->vals[i].text);
    any = 1;
  }
  if (any) rc |= put(b, "\n");
  return rc;
}

/* What changed for a group since the last run, clean text. */
static int put_group_change(vg_buf *b, const dg_view *v, const dg_group *g) {
  int n[4] = {0, 0, 0, 0};
  for (long i = g->first; i < g->first + g->n; i++) n[v->e[i].a->life]++;
  if (!n[DG_NEW] && !n[DG_ESCALATED] && !n[DG_RESOLVED]) return put(b, "No change since the last run.");
  int rc = put(b, "Since the last run: "), first = 1;
  static const char *const what[4] = {"new", NULL, "escalated", "resolved"};
  static const int order[3] = {DG_NEW, DG_ESCALATED, DG_RESOLVED};
  for (int k = 0; k < 3; k++) {
    if (!n[order[k]]) continue;
    rc |= vg_buf_printf(b, "%s%d %s", first ? "" : ", ", n[order[k]], what[order[k]]);
    first = 0;
  }
  return rc || put(b, ".");
}

/* The tier colour of an HTML badge. */
static const char *tier_color(const dg_alert *a) {
  if (a->life == DG_RESOLVED) return "#5f6b7a";
  if (strcmp(a->tier, "red") == 0) return "#c62828";
  if (strcmp(a->tier, "orange") == 0) return "#d35400";
  if (strcmp(a->tier, "yellow") == 0) return "#a67c00";
  return "#3d5a80";
}

#define H_SECTION "max-width:760px;margin:0 auto 16px;padding:16px;background:#ffffff;border:1px solid #d9dee5;" \
  "border-radius:8px;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933"
#define H_H1 "font-size:20px;margin:0 0 4px"
#define H_META "margin:0 0 8px;color:#52606d"
#define H_H2 "font-size:16px;margin:20px 0 8px;padding-top:12px;border-top:1px solid #e4e7eb"
#define H_UL "margin:0;padding-left:20px"
#define H_LI "margin:0 0 8px"
#define H_SUB "margin:4px 0 0;padding-left:18px;color:#3e4c59;font-size:14px"
#define H_CODE "font-family:SFMono-Regular,Consolas,'Liberation Mono',monospace;font-size:13px;background:#f0f2f5;" \
  "padding:0 4px;border-radius:3px"
#define H_NOTE "margin:4px 0 0;color:#52606d;font-size:14px"
#define H_FOOT "margin:20px 0 0;padding-top:12px;border-top:1px solid #e4e7eb;color:#52606d"
#define H_BADGE "display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;color:#ffffff;background:"

/* The line buffer's clean text, escaped for the format. */
static int put_line(dg_ctx *c, vg_buf *b) {
  const char *t = c->line.data ? c->line.data : "";
  switch (c->o->format) {
  case VG_DIGEST_MARKDOWN: return put_md(b, t);
  case VG_DIGEST_HTML: return put_html(b, t);
  default: return put(b, t);
  }
}

/* One entry: the head (tier, rule, message) and the detail lines. */
static int render_entry(dg_ctx *c, vg_buf *b, const dg_entry *en) {
  const dg_alert *a = en->a;
  vg_digest_format f = c->o->format;
  int rc = 0;
  const char *tier = a->life == DG_RESOLVED ? "resolved" : a->tier;
  if (f == VG_DIGEST_TEXT) {
    c->line.len = 0;
    rc |= put_clean(&c->line, tier) || put(&c->line, " ") || put_clean(&c->line, a->rule);
    if (a->life == DG_RESOLVED) rc |= put(&c->line, " (was ") || put_clean(&c->line, a->tier) || put(&c->line, ")");
    if (a->message) rc |= put(&c->line, ": ") || put_clean(&c->line, a->message);
    rc |= vg_buf_append(&c->line, "", 0) || put_wrapped(b, c->line.data, "  * ", "    ");
  } else if (f == VG_DIGEST_MARKDOWN) {
    rc |= put(b, "- **") || put_data(c, b, tier) || put(b, "** ") || put_md_code(c, b, a->rule);
    if (a->life == DG_RESOLVED) rc |= put(b, " (was ") || put_data(c, b, a->tier) || put(b, ")");
    if (a->message) rc |= put(b, ": ") || put_data(c, b, a->message);
    rc |= put(b, "\n");
  } else {
    rc |= put(b, "<li style=\"" H_LI "\"><span style=\"" H_BADGE) || put(b, tier_color(a)) || put(b, "\">") ||
          put_data(c, b, tier) || put(b, "</span> <code style=\"" H_CODE "\">") || put_data(c, b, a->rule) || put(b, "</code>");
    if (a->life == DG_RESOLVED) rc |= put(b, " (was ") || put_data(c, b, a->tier) || put(b, ")");
    if (a->message) rc |= put(b, ": ") || put_data(c, b, a->message);
    rc |= put(b, "\n<ul style=\"" H_SUB "\">\n");
  }
  c->details.len = 0; /* clean text, a line each */
  rc |= put_details(&c->details, en) || vg_buf_append(&c->details, "", 0);
  for (const char *p = rc ? "" : c->details.data; *p && rc == 0;) {
    size_t n = strcspn(p, "\n");
    c->line.len = 0;
    rc |= vg_buf_append(&c->line, p, n) || vg_buf_append(&c->line, "", 0);
    if (f == VG_DIGEST_TEXT) rc |= put_wrapped(b, c->line.data, "    ", "      ");
    else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "  - ") || put_line(c, b) || put(b, "\n");
    else rc |= put(b, "<li>") || put_line(c, b) || put(b, "</li>\n");
    p += n + (p[n] == '\n');
  }
  if (f == VG_DIGEST_HTML) rc |= put(b, "</ul></li>\n");
  return rc;
}

int dg_render(dg_ctx *c, const dg_view *v) {
  vg_digest_format f = c->o->format;
  vg_buf *b = &c->body;
  int rc = 0;
  long open = v->count[DG_NEW] + v->count[DG_ONGOING] + v->count[DG_ESCALATED];
  /* subject */
  c->subject.len = 0;
  rc |= put(&c->subject, "Vigil ") || put_clean(&c->subject, c->pack) || put(&c->subject, " ") ||
        put_clean(&c->subject, c->as_of) || put(&c->subject, ": ");
  if (open) rc |= put_tier_counts(&c->subject, v);
  else rc |= put(&c->subject, "nothing open");
  if (v->count[DG_RESOLVED]) rc |= vg_buf_printf(&c->subject, ", %d resolved", v->count[DG_RESOLVED]);
  if (v->p->person) rc |= put(&c->subject, " for ") || put_clean(&c->subject, v->p->name ? v->p->name : v->p->person);
  else rc |= put(&c->subject, " without a recipient");
  rc |= vg_buf_append(&c->subject, "", 0);
  /* the title and the overview line, clean text in scratch buffers */
  vg_buf title = {NULL, 0, 0}, over = {NULL, 0, 0}, text = {NULL, 0, 0};
  rc |= put(&title, v->p->person ? "Vigil digest for " : "Vigil digest: ") || put_person(&title, v->p->person, v->p->name) ||
        vg_buf_append(&title, "", 0);
  rc |= put(&over, "Pack ") || put_clean(&over, c->pack) || put(&over, ", as of ") || put_clean(&over, c->as_of) ||
        vg_buf_printf(&over, " (run %lld): ", c->run_id);
  if (open) rc |= put_tier_counts(&over, v) || vg_buf_printf(&over, " on %ld key%s.", v->open_groups, v->open_groups == 1 ? "" : "s");
  else rc |= put(&over, "no open alerts.");
  rc |= vg_buf_append(&over, "", 0);
  b->len = 0;
  if (rc) goto done;
  if (f == VG_DIGEST_TEXT) {
    rc |= put_wrapped(b, title.data, "", "") || put_wrapped(b, over.data, "", "");
  } else if (f == VG_DIGEST_MARKDOWN) {
    rc |= put(b, "# ") || put_md(b, title.data) || put(b, "\n\n") || put_md(b, over.data) || put(b, "\n");
  } else {
    rc |= vg_buf_printf(b, "<div id=\"digest-%ld\" style=\"", c->index) || put(b, H_SECTION "\">\n<h1 style=\"" H_H1 "\">") || put_html(b, title.data) ||
          put(b, "</h1>\n<p style=\"" H_META "\">") || put_html(b, over.data) || put(b, "</p>\n");
  }
  for (long gi = 0; gi < v->ng && rc == 0; gi++) {
    const dg_group *g = &v->g[gi];
    const dg_alert *head = v->e[g->first].a;
    text.len = 0;
    rc |= put_key_label(&text, &v->e[g->first], g->name) || put(&text, ": ") || put_clean(&text, g->rank >= 0 ? head->tier : "resolved") ||
          vg_buf_append(&text, "", 0);
    if (rc) break;
    if (f == VG_DIGEST_TEXT) rc |= put(b, "\n") || put_wrapped(b, text.data, "", "  ");
    else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "\n## ") || put_md(b, text.data) || put(b, "\n\n");
    else rc |= put(b, "<h2 style=\"" H_H2 "\">") || put_html(b, text.data) || put(b, "</h2>\n<ul style=\"" H_UL "\">\n");
    for (long i = g->first; i < g->first + g->n && rc == 0; i++) rc |= render_entry(c, b, &v->e[i]);
    text.len = 0;
    rc |= put_group_change(&text, v, g) || vg_buf_append(&text, "", 0);
    if (rc) break;
    if (f == VG_DIGEST_TEXT) rc |= put_wrapped(b, text.data, "  ", "  ");
    else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "\n") || put_md(b, text.data) || put(b, "\n");
    else rc |= put(b, "</ul>\n<p style=\"" H_NOTE "\">") || put_html(b, text.data) || put(b, "</p>\n");
  }
  text.len = 0;
  rc |= put(&text, "In all: ") || put_counts(&text, v->count) || vg_buf_append(&text, "", 0);
  if (rc) goto done;
  if (f == VG_DIGEST_TEXT) rc |= put(b, "\n") || put_wrapped(b, text.data, "", "");
  else if (f == VG_DIGEST_MARKDOWN) rc |= put(b, "\n") || put_md(b, text.data) || put(b, "\n");
  else {
    rc |= put(b, "<p style=\"" H_FOOT "\">") || put_html(b, text.data) || put(b, "</p>\n</div>\n");
    /* the table of contents entry: the person, a link to the section; the
    ** open alerts per tier; what is new or escalated */
    c->toc.len = 0;
    rc |= vg_buf_printf(&c->toc, "<li style=\"margin:0 0 4px\"><a href=\"#digest-%ld\" style=\"color:#1f4e8c\">", c->index);
    text.len = 0;
    rc |= put_person(&text, v->p->person, v->p->name) || vg_buf_append(&text, "", 0);
    if (rc == 0) rc |= put_html(&c->toc, text.data) || put(&c->toc, "</a>: ");
    text.len = 0;
    if (open) rc |= put_tier_counts(&text, v);
    else rc |= put(&text, "nothing open");
    if (v->count[DG_NEW] || v->count[DG_ESCALATED]) {
      rc |= put(&text, "; since the last run ");
      if (v->count[DG_NEW]) rc |= vg_buf_printf(&text, "%d new", v->count[DG_NEW]);
      if (v->count[DG_ESCALATED]) rc |= vg_buf_printf(&text, "%s%d escalated", v->count[DG_NEW] ? ", " : "", v->count[DG_ESCALATED]);
    }
    rc |= vg_buf_append(&text, "", 0);
    if (rc == 0) rc |= put_html(&c->toc, text.data) || put(&c->toc, "</li>\n") || vg_buf_append(&c->toc, "", 0);
    if (rc) c->toc.len = 0;
    /* the section alone, then the document around it */
    c->section.len = 0;
    rc |= vg_buf_append(&c->section, b->data, b->len);
    b->len = 0;
    rc |= put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>") ||
          put_html(b, c->subject.data) ||
          put(b, "</title>\n</head>\n<body style=\"margin:0;padding:8px;background:#f3f4f6\">\n") ||
          vg_buf_append(b, c->section.data, c->section.len) || put(b, "</body>\n</html>\n");
  }
done:
  vg_buf_free(&title);
  vg_buf_free(&over);
  vg_buf_free(&text);
  return rc;
}
