/*
** cmd_backtest.c — `vigil backtest`: what the rules would have caught.
**
** Evaluates packs as of every date of a range in one pass per source
** (vg_backtest) and reports, in text, per rule and tier the alerts of each
** date and, per rule and key, the first date it fired and how long it
** stayed; or every alert as JSON lines or CSV.
*/
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char *const usage_backtest =
  "usage: vigil backtest --db FILE --from DATE --to DATE [--every DURATION | --at-snapshots]\n"
  "                      [--set NAME=VALUE]... [--format text|jsonl|csv] [--record] PATH...\n"
  "\n"
  "Evaluate the packs as of every date in [--from, --to] in one pass over each\n"
  "table: the alerts separate 'vigil run --as-of' calls would give.\n"
  "\n"
  "  --every DURATION   evaluate every DURATION from --from (default 1 day), e.g. 2weeks\n"
  "  --at-snapshots     evaluate at each date the rules' tables have rows for\n"
  "  --set NAME=VALUE   override a param, as for run\n"
  "  --format FORMAT    text (default: per rule and tier, alerts per date; per rule and\n"
  "                     key, first date and days open), jsonl (every alert), csv\n"
  "  --record           also write the alerts to the vigil_backtest table\n"
  "exit status: 0 success, 1 errors in the packs or a failed backtest, 2 bad command line\n";

enum { BT_TEXT, BT_JSONL, BT_CSV };

/* One alert, kept for the text report. */
typedef struct bt_alert {
  char *pack, *rule, *tier, *key, *as_of;
} bt_alert;

typedef struct bt_out {
  int format;
  diag_sink line;
  int header_done;
  bt_alert *v; size_t n, cap;
} bt_out;

static char *dupstr(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d) { fputs("vigil: out of memory\n", stderr); exit(EXIT_INPUT); }
  return d;
}

static void csv_field(diag_sink *s, const char *v) {
  if (!v) return;
  if (!strpbrk(v, ",\"\n\r")) { sink_str(s, v); return; }
  sink_str(s, "\"");
  for (const char *p = v; *p; p++) {
    if (*p == '"') sink_str(s, "\"");
    sink_put(s, p, 1);
  }
  sink_str(s, "\"");
}

static void on_alert(void *ud, const vg_alert *a) {
  bt_out *o = ud;
  diag_sink *s = &o->line;
  s->len = 0;
  if (o->format == BT_JSONL) {
    sink_str(s, "{\"pack\":"); sink_json(s, a->pack);
    sink_str(s, ",\"rule\":"); sink_json(s, a->rule);
    sink_str(s, ",\"tier\":"); sink_json(s, a->tier);
    sink_str(s, ",\"key\":"); sink_json(s, a->key);
    sink_str(s, ",\"as_of\":"); sink_json(s, a->as_of);
    sink_str(s, ",\"message\":"); sink_json(s, a->message);
    sink_str(s, ",\"recipient\":"); sink_json(s, a->recipient);
    sink_str(s, "}\n");
    fwrite(s->buf, 1, s->len, stdout);
  } else if (o->format == BT_CSV) {
    if (!o->header_done) { fputs("pack,rule,tier,key,as_of,message,recipient\n", stdout); o->header_done = 1; }
    const char *f[7] = {a->pack, a->rule, a->tier, a->key, a->as_of, a->message, a->recipient};
    for (int i = 0; i < 7; i++) {
      if (i) sink_str(s, ",");
      csv_field(s, f[i]);
    }
    sink_str(s, "\n");
    fwrite(s->buf, 1, s->len, stdout);
  } else {
    if (o->n == o->cap) {
      o->cap = o->cap ? o->cap * 2 : 256;
      o->v = realloc(o->v, o->cap * sizeof *o->v);
      if (!o->v) { fputs("vigil: out of memory\n", stderr); exit(EXIT_INPUT); }
    }
    bt_alert *b = &o->v[o->n++];
    b->pack = dupstr(a->pack);
    b->rule = dupstr(a->rule);
    b->tier = dupstr(a->tier);
    b->key = dupstr(a->key);
    b->as_of = dupstr(a->as_of);
  }
}

static void on_summary(void *ud, const vg_run_summary *sm) {
  (void)ud;
  fprintf(stderr, "vigil: pack %s: %lld rows read, %lld alerts over the period\n", sm->pack, sm->rows_read, sm->alerts);
}

static int cmp_rule_key(const void *x, const void *y) {
  const bt_alert *a = x, *b = y;
  int c = strcmp(a->pack, b->pack);
  if (!c) c = strcmp(a->rule, b->rule);
  if (!c) c = strcmp(a->key, b->key);
  if (!c) c = strcmp(a->as_of, b->as_of);
  return c;
}

/* The text report: per pack, rule and tier the alerts of each date; then
** per rule and key the first date it fired, the last, and on how many
** evaluation dates it was open. */
static void report_text(bt_out *o) {
  /* alerts arrive ordered by date, then pack, rule, key */
  printf("alerts per date\n");
  size_t i = 0;
  while (i < o->n) {
    size_t j = i;
    while (j < o->n && strcmp(o->v[j].as_of, o->v[i].as_of) == 0) j++;
    printf("  %s", o->v[i].as_of);
    size_t k = i;
    while (k < j) {
      size_t m = k, cnt = 0;
      while (m < j && strcmp(o->v[m].pack, o->v[k].pack) == 0 && strcmp(o->v[m].rule, o->v[k].rule) == 0 &&
             strcmp(o->v[m].tier, o->v[k].tier) == 0) { m++; cnt++; }
      printf("  %s/%s %s %zu", o->v[k].pack, o->v[k].rule, o->v[k].tier, cnt);
      k = m;
    }
    putchar('\n');
    i = j;
  }
  qsort(o->v, o->n, sizeof *o->v, cmp_rule_key);
  printf("\nper rule and key: first and last date it fired, and on how many evaluation dates\n");
  i = 0;
  while (i < o->n) {
    size_t j = i;
    while (j < o->n && strcmp(o->v[j].pack, o->v[i].pack) == 0 && strcmp(o->v[j].rule, o->v[i].rule) == 0 &&
           strcmp(o->v[j].key, o->v[i].key) == 0)
      j++;
    printf("  %s/%s  key %s  first %s  last %s  on %zu date%s\n", o->v[i].pack, o->v[i].rule, o->v[i].key, o->v[i].as_of,
           o->v[j - 1].as_of, j - i, j - i == 1 ? "" : "s");
    i = j;
  }
}

int cmd_backtest(int argc, char **argv) {
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  const char *sets[256], *paths[256];
  int nsets = 0, npaths = 0, format = BT_TEXT;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_backtest, stdout); return 0; }
    if ((v = opt_value(argc, argv, &i, "--db"))) {
      if (!*v) return usage_error(usage_backtest, "%s needs a file", "--db");
      bo.db_path = v;
    } else if ((v = opt_value(argc, argv, &i, "--from"))) {
      int d;
      if (!vg_parse_date(v, &d)) return usage_error(usage_backtest, "--from needs a date YYYY-MM-DD, not '%s'", v);
      bo.from = v;
    } else if ((v = opt_value(argc, argv, &i, "--to"))) {
      int d;
      if (!vg_parse_date(v, &d)) return usage_error(usage_backtest, "--to needs a date YYYY-MM-DD, not '%s'", v);
      bo.to = v;
    } else if ((v = opt_value(argc, argv, &i, "--every"))) {
      char *end;
      long n = strtol(v, &end, 10);
      while (*end == ' ') end++;
      long mult = strcmp(end, "day") == 0 || strcmp(end, "days") == 0 ? 1
                : strcmp(end, "week") == 0 || strcmp(end, "weeks") == 0 ? 7 : 0;
      if (end == v || n < 1 || n > 3660 || mult == 0)
        return usage_error(usage_backtest, "--every needs a duration such as 1day or 2weeks, not '%s'", v);
      bo.every_days = (int)(n * mult);
    } else if (strcmp(argv[i], "--at-snapshots") == 0) {
      bo.at_snapshots = 1;
    } else if (strcmp(argv[i], "--record") == 0) {
      bo.record = 1;
    } else if ((v = opt_value(argc, argv, &i, "--set"))) {
      if (!strchr(v, '=') || v[0] == '=') return usage_error(usage_backtest, "--set needs NAME=VALUE, not '%s'", v);
      if (nsets < 256) sets[nsets++] = v;
    } else if ((v = opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0) format = BT_TEXT;
      else if (strcmp(v, "jsonl") == 0) format = BT_JSONL;
      else if (strcmp(v, "csv") == 0) format = BT_CSV;
      else return usage_error(usage_backtest, "unknown format '%s' (text, jsonl or csv)", v);
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error(usage_backtest, "unknown option '%s'", argv[i]);
    } else if (npaths < 256) {
      paths[npaths++] = argv[i];
    }
  }
  if (!bo.db_path) return usage_error(usage_backtest, "%s", "--db FILE is required");
  if (!bo.from || !bo.to) return usage_error(usage_backtest, "%s", "--from and --to are required");
  if (bo.every_days && bo.at_snapshots) return usage_error(usage_backtest, "%s", "give --every or --at-snapshots, not both");
  if (npaths == 0) return usage_error(usage_backtest, "%s", "no PATH given");
  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  vg_compile_opts co = {NULL, bo.db_path, on_diag, &sink, 0, 0};
  vg_program *progs[256];
  int rc = 0, nprogs = 0;
  for (int i = 0; i < npaths; i++) {
    vg_program *p = NULL;
    if (vg_compile_path(paths[i], &co, &p) != VG_OK) { rc = EXIT_INPUT; continue; }
    progs[nprogs++] = p;
  }
  for (int k = 0; k < nsets && rc == 0; k++) {
    char name[256], err[512];
    const char *eq = strchr(sets[k], '=');
    size_t n = (size_t)(eq - sets[k]);
    if (n >= sizeof name) n = sizeof name - 1;
    memcpy(name, sets[k], n);
    name[n] = 0;
    int applied = 0;
    for (int i = 0; i < nprogs && rc == 0; i++) {
      vg_status st = vg_set_param(progs[i], name, eq + 1, err, sizeof err);
      if (st == VG_OK) applied++;
      else if (!strstr(err, "has no param")) { fprintf(stderr, "vigil: %s\n", err); rc = EXIT_USAGE; }
    }
    if (!applied && rc == 0) { fprintf(stderr, "vigil: --set %s: no pack has a param '%s'\n", sets[k], name); rc = EXIT_USAGE; }
  }
  if (rc == 0) {
    bt_out out;
    memset(&out, 0, sizeof out);
    out.format = format;
    bo.diag = on_diag;
    bo.ud = &sink;
    bo.alert = on_alert;
    bo.summary = on_summary;
    bo.out_ud = &out;
    vg_status st = vg_backtest(progs, nprogs, &bo);
    if (st == VG_EUSAGE) rc = EXIT_USAGE;
    else if (st != VG_OK) rc = EXIT_INPUT;
    else if (format == BT_TEXT) report_text(&out);
    for (size_t i = 0; i < out.n; i++) {
      free(out.v[i].pack);
      free(out.v[i].rule);
      free(out.v[i].tier);
      free(out.v[i].key);
      free(out.v[i].as_of);
    }
    free(out.v);
    free(out.line.buf);
  }
  for (int i = 0; i < nprogs; i++) vg_free_program(progs[i]);
  return rc;
}
