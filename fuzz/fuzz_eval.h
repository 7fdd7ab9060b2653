/*
** fuzz_eval.h — running a program the way fuzz_run and fuzz_vgc do, with
** differential checks.  Every callback reads every byte it is handed (so a
** bad pointer or a missing NUL is caught) and the alerts are written down,
** one line each, to compare evaluations that must agree:
**
**   1. vg_run, dry run, as of FUZZ_AS_OF, with per-key index seeks (the
**      default) and again with no_seek (whole tables in key order), each
**      alert with its evidence (vg_run_opts.evidence): the status and the
**      alerts must be the same (docs: "the same alerts"), evidence and all.
**   2. vg_backtest of the single date FUZZ_AS_OF (one pass over each
**      source, nothing recorded): the same status and alerts as 1 (no
**      earlier run is recorded in the fuzz database, so every alert is new;
**      a backtest has no evidence).
**   3. vg_run --shard 1/2 and 2/2: together the alerts of 1. (as a multiset);
**   4. vg_backtest from FUZZ_BT_FROM to FUZZ_AS_OF every 7 days: alerts that
**      stay open, clear, and escalate across dates (runtime/life.c), run
**      twice: as it comes (a table written date by date is read in its own
**      order, runtime/sweep.c) and with the sweep's memory budget at 0 (the
**      ordered scan): the same status, alerts and diagnostics.
** A disagreement prints both listings and aborts: a finding.
*/
#ifndef VIGIL_FUZZ_EVAL_H
#define VIGIL_FUZZ_EVAL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil.h"
#include "mem.h"

/* the sweep's memory budget (runtime/sweep.c): 0 makes a backtest read in key order */
extern size_t exec_sweep_bytes;

#define FUZZ_AS_OF "2025-06-30"
#define FUZZ_BT_FROM "2025-05-26"

static volatile unsigned fuzz_sink;

static void fuzz_touch(const char *s) {
  unsigned h = 0;
  if (s)
    for (; *s; s++) h = h * 31u + (unsigned char)*s;
  fuzz_sink += h;
}

static void fuzz_on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  fuzz_touch(d->message);
  fuzz_touch(d->code);
  fuzz_touch(d->file);
  if (d->line_text)
    for (size_t i = 0; i < d->line_len; i++) fuzz_sink += (unsigned char)d->line_text[i];
}

/* Text of n bytes (any bytes, NUL included) into b, escaped, or (null). */
static void fuzz_put_text(vg_buf *b, const char *s, size_t n) {
  if (!s) {
    if (vg_buf_append(b, "(null)", 6) != 0) abort();
    return;
  }
  if (s[n] != 0) { fprintf(stderr, "fuzz: a text is not NUL-terminated after its length\n"); abort(); }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c < 0x20 || c >= 0x7f || c == '\\' || c == ']' ? vg_buf_printf(b, "\\x%02x", c) : vg_buf_append(b, &s[i], 1)) != 0)
      abort();
  }
}

/* ud: a vg_buf that collects one line per alert (or NULL).  Texts are
** written whole, with their lengths: bytes after a NUL count too. */
static int fuzz_on_alert(void *ud, const vg_alert *a) {
  fuzz_touch(a->pack); fuzz_touch(a->rule); fuzz_touch(a->tier); fuzz_touch(a->key);
  fuzz_touch(a->as_of); fuzz_touch(a->message); fuzz_touch(a->recipient);
  fuzz_touch(a->status); fuzz_touch(a->first_seen);
  vg_buf *b = ud;
  if (!b) return 0;
  if (vg_buf_printf(b, "%s %s %s key=[", a->pack, a->rule, a->tier) != 0) abort();
  fuzz_put_text(b, a->key, a->key_len);
  if (vg_buf_printf(b, "] as_of=%s msg=[", a->as_of) != 0) abort();
  fuzz_put_text(b, a->message, a->message_len);
  if (vg_buf_append(b, "] to=[", 6) != 0) abort();
  fuzz_put_text(b, a->recipient, a->recipient_len);
  if (vg_buf_printf(b, "] %s since %s runs %d\n", a->status ? a->status : "(null)", a->first_seen ? a->first_seen : "(null)",
                    a->runs) != 0)
    abort();
  if (a->evidence) { /* (a line of its own: fuzz_no_evidence drops it) */
    if (vg_buf_append(b, "  evidence ", 11) != 0) abort();
    fuzz_put_text(b, a->evidence, strlen(a->evidence));
    if (vg_buf_append(b, "\n", 1) != 0) abort();
  }
  return 0;
}

/* ud: a vg_buf that collects one line per diagnostic. */
static void fuzz_on_diag_line(void *ud, const vg_diag *d) {
  fuzz_on_diag(NULL, d);
  if (vg_buf_printf(ud, "%d %s %s:%d:%d %s\n", (int)d->severity, d->code ? d->code : "-", d->file ? d->file : "-", d->line,
                    d->col, d->message) != 0)
    abort();
}

static int fuzz_on_summary(void *ud, const vg_run_summary *s) {
  (void)ud;
  fuzz_touch(s->pack);
  fuzz_sink += (unsigned)(s->rows_read + s->alerts + s->warnings + s->run_id);
  for (int i = 0; i < s->ntiers; i++) {
    fuzz_touch(s->tiers[i]);
    for (int k = 0; k < 4; k++) fuzz_sink += (unsigned)s->life[i * 4 + k];
  }
  return 0;
}

/* A dry run as of FUZZ_AS_OF, each alert with its evidence; of shard shard
** (1-based) of nshards when nshards > 1. */
static vg_status fuzz_run_once(vg_program *p, const char *db, int no_seek, int shard, int nshards, vg_buf *alerts) {
  vg_run_opts o;
  memset(&o, 0, sizeof o);
  o.db_path = db;
  o.as_of = FUZZ_AS_OF;
  o.dry_run = 1;
  o.evidence = 1;
  o.no_seek = no_seek;
  o.shard = shard;
  o.nshards = nshards;
  o.diag = fuzz_on_diag;
  o.alert = fuzz_on_alert;
  o.summary = fuzz_on_summary;
  o.out_ud = alerts;
  return vg_run((const vg_program *const *)&p, 1, &o);
}

static int fuzz_cmp_line(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

/* b without its evidence lines, into out. */
static void fuzz_no_evidence(const vg_buf *b, vg_buf *out) {
  for (size_t i = 0; i < b->len;) {
    const char *e = memchr(b->data + i, '\n', b->len - i);
    size_t n = e ? (size_t)(e - (b->data + i)) + 1 : b->len - i;
    if (!(n >= 11 && memcmp(b->data + i, "  evidence ", 11) == 0) && vg_buf_append(out, b->data + i, n) != 0) abort();
    i += n;
  }
}

/* The lines of b (one alert each: no newline inside, fuzz_put_text escapes
** it) sorted, into out. */
static void fuzz_sorted(const vg_buf *b, vg_buf *out) {
  size_t n = 0;
  for (size_t i = 0; i < b->len; i++) n += b->data[i] == '\n';
  char **v = malloc((n ? n : 1) * sizeof *v);
  char *copy = malloc(b->len + 1);
  if (!v || !copy) abort();
  if (b->len) memcpy(copy, b->data, b->len);
  copy[b->len] = 0;
  size_t k = 0;
  for (char *l = copy; k < n; k++) {
    char *e = strchr(l, '\n');
    *e = 0;
    v[k] = l;
    l = e + 1;
  }
  qsort(v, n, sizeof *v, fuzz_cmp_line);
  for (size_t i = 0; i < n; i++)
    if (vg_buf_printf(out, "%s\n", v[i]) != 0) abort();
  free(v);
  free(copy);
}

/* diags: NULL, or a vg_buf for one line per diagnostic. */
static vg_status fuzz_backtest(vg_program *p, const char *db, const char *from, vg_buf *alerts, vg_buf *diags) {
  vg_backtest_opts o;
  memset(&o, 0, sizeof o);
  o.db_path = db;
  o.from = from;
  o.to = FUZZ_AS_OF;
  o.every_days = 7;
  o.diag = diags ? fuzz_on_diag_line : fuzz_on_diag;
  o.ud = diags;
  o.alert = fuzz_on_alert;
  o.summary = fuzz_on_summary;
  o.out_ud = alerts;
  return vg_backtest((const vg_program *const *)&p, 1, &o);
}

static void fuzz_differ(const char *who, const char *what, vg_status s1, const vg_buf *a, vg_status s2,
                        const vg_buf *b) {
  fprintf(stderr, "%s: %s\n--- status %d, alerts:\n%s--- status %d, alerts:\n%s", who, what, (int)s1,
          a->data ? a->data : "", (int)s2, b->data ? b->data : "");
  abort();
}

static int fuzz_same(const vg_buf *a, const vg_buf *b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Runs p over db as described at the top; aborts when two evaluations that
** must agree do not. */
static void fuzz_evaluate(const char *who, vg_program *p, const char *db) {
  vg_buf seek = {NULL, 0, 0}, scan = {NULL, 0, 0}, one = {NULL, 0, 0};
  vg_status s_seek = fuzz_run_once(p, db, 0, 0, 0, &seek);
  vg_status s_scan = fuzz_run_once(p, db, 1, 0, 0, &scan);
  if (s_seek == VG_ENOMEM || s_scan == VG_ENOMEM) {
    fprintf(stderr, "%s: vg_run says out of memory\n", who); /* malloc failing aborts under libFuzzer */
    abort();
  }
  if (s_seek != s_scan || !fuzz_same(&seek, &scan))
    fuzz_differ(who, "vg_run with index seeks and with no_seek disagree", s_seek, &seek, s_scan, &scan);
  vg_status s_one = fuzz_backtest(p, db, FUZZ_AS_OF, &one, NULL);
  if (s_one == VG_ENOMEM) {
    fprintf(stderr, "%s: vg_backtest says out of memory\n", who);
    abort();
  }
  vg_buf bare = {NULL, 0, 0};
  fuzz_no_evidence(&seek, &bare);
  if (s_one != s_seek || !fuzz_same(&one, &bare))
    fuzz_differ(who, "vg_backtest of the one date " FUZZ_AS_OF " and vg_run as of it disagree", s_one, &one,
                s_seek, &bare);
  vg_buf_free(&bare);
  /* shards 1/2 and 2/2 together give the unsharded alerts (a key's
  ** alerts depend on its own rows and what it looks up, read whole) */
  if (s_seek == VG_OK) {
    vg_buf parts = {NULL, 0, 0}, a = {NULL, 0, 0}, b = {NULL, 0, 0};
    for (int i = 1; i <= 2; i++) {
      vg_status st = fuzz_run_once(p, db, 0, i, 2, &parts);
      if (st != VG_OK) fuzz_differ(who, "a shard of a run that succeeds fails", s_seek, &seek, st, &parts);
    }
    fuzz_sorted(&seek, &a);
    fuzz_sorted(&parts, &b);
    if (!fuzz_same(&a, &b)) fuzz_differ(who, "shards 1/2 and 2/2 together and the unsharded run disagree", s_seek, &a, VG_OK, &b);
    vg_buf_free(&parts);
    vg_buf_free(&a);
    vg_buf_free(&b);
  }
  vg_buf_free(&seek);
  vg_buf_free(&scan);
  vg_buf_free(&one);
  if (s_one == VG_OK) {
    /* the sweep and the ordered scan: the same alerts and diagnostics */
    vg_buf a = {NULL, 0, 0}, b = {NULL, 0, 0};
    vg_status s_a = fuzz_backtest(p, db, FUZZ_BT_FROM, &a, &a);
    size_t keep = exec_sweep_bytes;
    exec_sweep_bytes = 0;
    vg_status s_b = fuzz_backtest(p, db, FUZZ_BT_FROM, &b, &b);
    exec_sweep_bytes = keep;
    if (s_a != s_b || !fuzz_same(&a, &b))
      fuzz_differ(who, "a backtest read in the table's order (sweep) and in key order disagree", s_a, &a, s_b, &b);
    vg_buf_free(&a);
    vg_buf_free(&b);
  }
}

#endif
