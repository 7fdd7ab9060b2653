/*
** cmd_backtest.c — `vigil backtest`: what the rules would have caught.
**
** Evaluates packs as of every date of a range in one pass per source
** (vg_backtest) and reports, in text, per rule and tier the alerts of each
** date and, per rule and key, the first date it fired and how long it
** stayed; or every alert as JSON lines or CSV.  With --outcome, it
** reports instead the lead time of each rule against an outcome: which keys
** that had the bad outcome it flagged, how many days before, and how many
** keys it flagged that did not have it.
*/
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"

static const char *const usage_backtest =
  "usage: vigil backtest --db FILE --from DATE --to DATE [--every DURATION | --at-snapshots]\n"
  "                      [--set NAME=VALUE]... [--format text|jsonl|csv] [--csv-raw] [--record]\n"
  "                      [--outcome SQL | --outcome-table TABLE] [--report alerts|lead-time]\n"
  "                      [--follow-symlinks] PATH...\n"
  "\n"
  "Evaluate the packs as of every date in [--from, --to] in one pass over each\n"
  "table: the alerts separate 'vigil run --as-of' calls would give.\n"
  "\n"
  "  --every DURATION   evaluate every DURATION from --from (default 1 day), e.g. 2weeks\n"
  "  --at-snapshots     evaluate at each date the rules' tables have rows for\n"
  "  --set NAME=VALUE   override a param, as for run\n"
  "  --format FORMAT    text (default: per rule and tier, alerts per date; per rule and\n"
  "                     key, first date and days open), jsonl (every alert), csv\n"
  "  --csv-raw          keep CSV cells as they are (default: a cell starting with\n"
  "                     = + - @ tab or CR gets a leading ', so no spreadsheet runs it)\n"
  "  --record           also write the alerts to the vigil_backtest table\n"
  "  --outcome SQL      a query on --db giving the keys that had the bad outcome, and\n"
  "                     optionally in a second column its date (default: --to);\n"
  "                     the report becomes the lead time of each rule and tier\n"
  "  --outcome-table T  the same as --outcome 'SELECT * FROM T'\n"
  "  --report REPORT    alerts (default), or lead-time (the default with an outcome)\n"
  "  --follow-symlinks  read source files that are symbolic links (refused by default)\n"
  "exit status: 0 success, 1 errors in the packs or a failed backtest, 2 bad command line\n";

enum { BT_TEXT, BT_JSONL, BT_CSV };
enum { REPORT_ALERTS, REPORT_LEAD_TIME };

/* One alert, kept for the text report. */
typedef struct bt_alert {
  char *pack, *rule, *tier, *key, *as_of;
  size_t key_len;   /* the key's bytes (it may hold NUL bytes) */
} bt_alert;

typedef struct bt_out {
  int format;
  int csv_raw;     /* --csv-raw */
  int keep;        /* keep every alert (for the text report or lead time) */
  diag_sink line;
  int header_done;
  bt_alert *v; size_t n, cap;
} bt_out;

static char *dupstr(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d) out_of_memory();
  return d;
}

/* A NUL-terminated copy of p[0..n) (which may hold NUL bytes). */
static char *dupbytes(const char *p, size_t n) {
  char *d = malloc(n + 1);
  if (!d) out_of_memory();
  if (n) memcpy(d, p, n);
  d[n] = 0;
  return d;
}

/* Keys compared as bytes with their lengths (a NUL byte does not end them). */
static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an > bn) - (an < bn);
}


static void on_alert(void *ud, const vg_alert *a) {
  bt_out *o = ud;
  diag_sink *s = &o->line;
  s->len = 0;
  if (o->keep) {
    if (o->n == o->cap) {
      o->cap = o->cap ? o->cap * 2 : 256;
      o->v = realloc(o->v, o->cap * sizeof *o->v);
      if (!o->v) out_of_memory();
    }
    bt_alert *b = &o->v[o->n++];
    b->pack = dupstr(a->pack);
    b->rule = dupstr(a->rule);
    b->tier = dupstr(a->tier);
    b->key = dupbytes(a->key, a->key_len);
    b->key_len = a->key_len;
    b->as_of = dupstr(a->as_of);
  } else if (o->format == BT_JSONL) {
    sink_str(s, "{\"pack\":"); out_json_str(s, a->pack);
    sink_str(s, ",\"rule\":"); out_json_str(s, a->rule);
    sink_str(s, ",\"tier\":"); out_json_str(s, a->tier);
    sink_str(s, ",\"key\":"); out_json(s, a->key, a->key_len);
    sink_str(s, ",\"as_of\":"); out_json_str(s, a->as_of);
    sink_str(s, ",\"message\":"); out_json(s, a->message, a->message_len);
    sink_str(s, ",\"recipient\":"); out_json(s, a->recipient, a->recipient_len);
    sink_str(s, "}\n");
    out_flush_sink(stdout, s);
  } else if (o->format == BT_CSV) {
    if (!o->header_done) { sink_str(s, "pack,rule,tier,key,as_of,message,recipient\n"); o->header_done = 1; }
    const char *f[7] = {a->pack, a->rule, a->tier, a->key, a->as_of, a->message, a->recipient};
    size_t n[7] = {strlen(a->pack), strlen(a->rule), strlen(a->tier), a->key_len, strlen(a->as_of), a->message_len,
                   a->recipient_len};
    for (int i = 0; i < 7; i++) {
      if (i) sink_str(s, ",");
      out_csv(s, f[i], n[i], o->csv_raw);
    }
    sink_str(s, "\n");
    out_flush_sink(stdout, s);
  }
}

static void on_summary(void *ud, const vg_run_summary *sm) {
  (void)ud;
  out_printf(stderr, "vigil: pack %s: %lld rows read, %lld alerts over the period\n", sm->pack, sm->rows_read, sm->alerts);
}

static int cmp_rule_key(const void *x, const void *y) {
  const bt_alert *a = x, *b = y;
  int c = strcmp(a->pack, b->pack);
  if (!c) c = strcmp(a->rule, b->rule);
  if (!c) c = cmp_bytes(a->key, a->key_len, b->key, b->key_len);
  if (!c) c = strcmp(a->as_of, b->as_of);
  return c;
}

/* The text report: per pack, rule and tier the alerts of each date; then
** per rule and key the first date it fired, the last, and on how many
** evaluation dates it was open. */
static void report_text(bt_out *o, vg_program *const *progs, int nprogs) {
  /* alerts arrive ordered by date, then pack, rule, key: a rule's tiers are
  ** interleaved, so each rule's alerts are counted per tier, highest first */
  out_printf(stdout, "alerts per date\n");
  size_t i = 0;
  while (i < o->n) {
    size_t j = i;
    while (j < o->n && strcmp(o->v[j].as_of, o->v[i].as_of) == 0) j++;
    out_printf(stdout, "  %s", o->v[i].as_of);
    size_t k = i;
    while (k < j) {
      size_t m = k;
      while (m < j && strcmp(o->v[m].pack, o->v[k].pack) == 0 && strcmp(o->v[m].rule, o->v[k].rule) == 0) m++;
      const vg_program *p = NULL;
      for (int pi = 0; pi < nprogs && !p; pi++)
        if (strcmp(vg_program_pack(progs[pi]), o->v[k].pack) == 0) p = progs[pi];
      for (int ti = p ? vg_program_tier_count(p) - 1 : -1; ti >= 0; ti--) {
        const char *tier = vg_program_tier_name(p, ti);
        size_t cnt = 0;
        for (size_t x = k; x < m; x++) cnt += strcmp(o->v[x].tier, tier) == 0;
        if (cnt) out_printf(stdout, "  %s/%s %s %zu", o->v[k].pack, o->v[k].rule, tier, cnt);
      }
      k = m;
    }
    out_printf(stdout, "\n");
    i = j;
  }
  if (o->n > 1) qsort(o->v, o->n, sizeof *o->v, cmp_rule_key); /* no alert: v is NULL */
  out_printf(stdout, "\nper rule and key: first and last date it fired, and on how many evaluation dates\n");
  i = 0;
  while (i < o->n) {
    size_t j = i;
    while (j < o->n && strcmp(o->v[j].pack, o->v[i].pack) == 0 && strcmp(o->v[j].rule, o->v[i].rule) == 0 &&
           cmp_bytes(o->v[j].key, o->v[j].key_len, o->v[i].key, o->v[i].key_len) == 0)
      j++;
    out_printf(stdout, "  %s/%s  key %.*s  first %s  last %s  on %zu date%s\n", o->v[i].pack, o->v[i].rule,
               (int)o->v[i].key_len, o->v[i].key, o->v[i].as_of, o->v[j - 1].as_of, j - i, j - i == 1 ? "" : "s");
    i = j;
  }
}

/* ---- lead time against an outcome --------------------------------------------------- */

/* One bad outcome: a key and the day it happened. */
typedef struct outcome {
  char *key;
  size_t key_len;
  int day;
} outcome;

typedef struct outcome_set {
  outcome *v;
  size_t n;
  size_t nkeys;   /* distinct keys */
} outcome_set;

static int cmp_outcome(const void *x, const void *y) {
  const outcome *a = x, *b = y;
  int c = cmp_bytes(a->key, a->key_len, b->key, b->key_len);
  return c ? c : (a->day > b->day) - (a->day < b->day);
}

/* A date column's value: ISO text YYYY-MM-DD, optionally followed by a time
** after 'T' or a space (a time of day is dropped).  1 on success. */
static int outcome_day(sqlite3_stmt *st, int col, int *day) {
  if (sqlite3_column_type(st, col) != SQLITE_TEXT) return 0;
  const char *t = (const char *)sqlite3_column_text(st, col);
  size_t n = (size_t)sqlite3_column_bytes(st, col);
  if (!t || n < 10 || (n > 10 && t[10] != 'T' && t[10] != ' ')) return 0;
  char d[11];
  memcpy(d, t, 10);
  d[10] = 0;
  return vg_parse_date(d, day);
}

/* The key column's value as the alerts write keys: an integer in decimal
** digits (also a REAL with an integral value), other values as SQLite's text.
** NULL for a NULL key; *len gets the key's bytes (text may hold NUL bytes). */
static char *outcome_key(sqlite3_stmt *st, int col, size_t *len) {
  char buf[64];
  switch (sqlite3_column_type(st, col)) {
  case SQLITE_NULL: return NULL;
  case SQLITE_INTEGER:
    snprintf(buf, sizeof buf, "%lld", (long long)sqlite3_column_int64(st, col));
    *len = strlen(buf);
    return dupstr(buf);
  case SQLITE_FLOAT: {
    double x = sqlite3_column_double(st, col);
    if (x == floor(x) && fabs(x) < 9e15) snprintf(buf, sizeof buf, "%lld", (long long)x);
    else snprintf(buf, sizeof buf, "%.15g", x);
    *len = strlen(buf);
    return dupstr(buf);
  }
  default: {
    const char *t = (const char *)sqlite3_column_text(st, col);
    if (!t) out_of_memory(); /* (not NULL: the value is not NULL) */
    *len = (size_t)sqlite3_column_bytes(st, col);
    return dupbytes(t, *len);
  }
  }
}

/* 1 when db's last call failed on a lock another process held past the busy timeout. */
static int locked(sqlite3 *db) { return (sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY; }

/* Runs the outcome query on a read-only connection of its own.  Rows with a
** NULL key or (with a second column) an unreadable date are skipped and
** reported; repeated (key, day) pairs count once.  Returns 0, or EXIT_INPUT
** after printing the error. */
static int load_outcomes(const char *db_path, const char *sql, int default_day, outcome_set *os) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  const char *tail = NULL;
  int rc = 0;
  memset(os, 0, sizeof *os);
  char err[256];
  if (vg_db_open(db_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, &db, err, sizeof err) != VG_OK) {
    out_printf(stderr, "vigil: %s: cannot open the database: %s\n", db_path, err);
    return EXIT_INPUT;
  }
  if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK || !st) {
    if (locked(db)) out_printf(stderr, "vigil: %s: %s\n", db_path, vg_db_errmsg(db));
    else out_printf(stderr, "vigil: --outcome: %s\n", st ? sqlite3_errmsg(db) : sqlite3_errcode(db) ? sqlite3_errmsg(db) : "no statement");
    rc = EXIT_INPUT;
    goto done;
  }
  while (tail && (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == '\r' || *tail == ';')) tail++;
  if (tail && *tail) {
    out_printf(stderr, "vigil: --outcome: give one SELECT statement (text after it: '%s')\n", tail);
    rc = EXIT_INPUT;
    goto done;
  }
  if (!sqlite3_stmt_readonly(st) || sqlite3_column_count(st) < 1) {
    fprintf(stderr, "vigil: --outcome: the query must be a SELECT returning the key (and optionally the outcome's date)\n");
    rc = EXIT_INPUT;
    goto done;
  }
  int has_date = sqlite3_column_count(st) >= 2;
  size_t cap = 0, null_keys = 0, bad_dates = 0;
  char *bad_example = NULL;
  size_t bad_len = 0;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    size_t klen = 0;
    char *key = outcome_key(st, 0, &klen);
    if (!key) { null_keys++; continue; }
    int day = default_day;
    if (has_date && !outcome_day(st, 1, &day)) {
      if (!bad_dates++) { bad_example = key; bad_len = klen; }
      else free(key);
      continue;
    }
    if (os->n == cap) {
      cap = cap ? cap * 2 : 64;
      os->v = realloc(os->v, cap * sizeof *os->v);
      if (!os->v) out_of_memory();
    }
    os->v[os->n].key = key;
    os->v[os->n].key_len = klen;
    os->v[os->n].day = day;
    os->n++;
  }
  if (step != SQLITE_DONE) {
    if (locked(db)) out_printf(stderr, "vigil: %s: %s\n", db_path, vg_db_errmsg(db));
    else out_printf(stderr, "vigil: --outcome: %s\n", sqlite3_errmsg(db));
    free(bad_example);
    rc = EXIT_INPUT;
    goto done;
  }
  if (null_keys) fprintf(stderr, "vigil: warning: --outcome: %zu row(s) with a NULL key, skipped\n", null_keys);
  if (bad_dates)
    out_printf(stderr, "vigil: warning: --outcome: %zu row(s) whose second column is not a date (YYYY-MM-DD), skipped (e.g. key %.*s)\n",
               bad_dates, (int)bad_len, bad_example);
  free(bad_example);
  if (os->n) qsort(os->v, os->n, sizeof *os->v, cmp_outcome);
  size_t m = 0;
  for (size_t i = 0; i < os->n; i++) {
    int same_key = m && cmp_bytes(os->v[m - 1].key, os->v[m - 1].key_len, os->v[i].key, os->v[i].key_len) == 0;
    if (same_key && os->v[m - 1].day == os->v[i].day) {
      free(os->v[i].key);
      continue;
    }
    if (!same_key) os->nkeys++;
    os->v[m++] = os->v[i];
  }
  os->n = m;
done:
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

static void free_outcomes(outcome_set *os) {
  for (size_t i = 0; i < os->n; i++) free(os->v[i].key);
  free(os->v);
}

/* The outcomes of key[0..klen): [*lo, *hi) in os->v. */
static void outcomes_of(const outcome_set *os, const char *key, size_t klen, size_t *lo, size_t *hi) {
  size_t a = 0, b = os->n;
  while (a < b) {
    size_t mid = a + (b - a) / 2;
    if (cmp_bytes(os->v[mid].key, os->v[mid].key_len, key, klen) < 0) a = mid + 1;
    else b = mid;
  }
  size_t e = a;
  while (e < os->n && cmp_bytes(os->v[e].key, os->v[e].key_len, key, klen) == 0) e++;
  *lo = a;
  *hi = e;
}

/* The lead-time numbers of one rule (tier NULL: any tier) or one rule and tier. */
typedef struct lt_row {
  const char *pack, *rule, *tier;
  size_t outcomes, flagged;
  double median, mean;   /* lead time in days of the flagged outcomes; NAN when none */
  size_t alerted;        /* keys the rule alerted at least once in the period */
  size_t hit_keys;       /* of those, keys with a flagged outcome */
  size_t false_alarms;   /* alerted keys without any outcome */
  size_t late;           /* alerted keys with outcomes, none of them flagged (alerted only after) */
} lt_row;

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static int day_of(const char *as_of) {
  int d = 0;
  vg_parse_date(as_of, &d);
  return d;
}

/* Lead time over the alerts v[0..n) of one rule, sorted by key then date,
** keeping those of tier (NULL: all).  An outcome (key, day) is flagged when
** the rule alerted the key on a date after the key's previous outcome (if
** any) and on or before day; its lead time is day minus the first such date. */
static void lead_time(const bt_alert *v, size_t n, const char *tier, const outcome_set *os, lt_row *r) {
  r->outcomes = os->n;
  double *leads = malloc((os->n ? os->n : 1) * sizeof *leads);
  int *days = malloc((n ? n : 1) * sizeof *days);
  if (!leads || !days) out_of_memory();
  size_t i = 0;
  while (i < n) {
    size_t j = i, nd = 0;
    while (j < n && cmp_bytes(v[j].key, v[j].key_len, v[i].key, v[i].key_len) == 0) {
      if (!tier || strcmp(v[j].tier, tier) == 0) days[nd++] = day_of(v[j].as_of);
      j++;
    }
    if (nd) {
      r->alerted++;
      size_t lo, hi;
      outcomes_of(os, v[i].key, v[i].key_len, &lo, &hi);
      if (lo == hi) r->false_alarms++;
      else {
        int hit = 0;
        size_t a = 0; /* days[] ascending: the first date after the previous outcome */
        for (size_t k = lo; k < hi; k++) {
          int prev = k > lo ? os->v[k - 1].day : INT_MIN;
          while (a < nd && days[a] <= prev) a++;
          if (a < nd && days[a] <= os->v[k].day) {
            leads[r->flagged++] = (double)(os->v[k].day - days[a]);
            hit = 1;
          }
        }
        if (hit) r->hit_keys++;
        else r->late++;
      }
    }
    i = j;
  }
  r->median = r->mean = NAN;
  if (r->flagged) {
    qsort(leads, r->flagged, sizeof *leads, cmp_double);
    size_t h = r->flagged / 2;
    r->median = r->flagged % 2 ? leads[h] : (leads[h - 1] + leads[h]) / 2;
    double sum = 0;
    for (size_t k = 0; k < r->flagged; k++) sum += leads[k];
    r->mean = sum / (double)r->flagged;
  }
  free(leads);
  free(days);
}

/* A share as a percent with one decimal, a trailing ".0" dropped; "-" for 0/0. */
static const char *pct_text(size_t num, size_t den, char *buf, size_t cap) {
  if (!den) return "-";
  snprintf(buf, cap, "%.1f", 100.0 * (double)num / (double)den);
  size_t l = strlen(buf);
  if (l > 2 && strcmp(buf + l - 2, ".0") == 0) buf[l - 2] = 0;
  strncat(buf, "%", cap - strlen(buf) - 1);
  return buf;
}

/* A median lead time: "14 days", "14.5 days", "1 day"; "-" when there is none. */
static void days_text(double d, char *buf, size_t cap) {
  if (isnan(d)) snprintf(buf, cap, "-");
  else if (d == floor(d)) snprintf(buf, cap, "%.0f day%s", d, d == 1 ? "" : "s");
  else snprintf(buf, cap, "%.1f days", d);
}

static void json_number(diag_sink *s, double x) {
  char buf[64];
  if (isnan(x)) { sink_str(s, "null"); return; }
  snprintf(buf, sizeof buf, "%.15g", x);
  sink_str(s, buf);
}

static void json_share(diag_sink *s, size_t num, size_t den) {
  if (!den) sink_str(s, "null");
  else json_number(s, (double)num / (double)den);
}

static void json_count(diag_sink *s, const char *name, size_t n) {
  char buf[64];
  snprintf(buf, sizeof buf, ",\"%s\":%zu", name, n);
  sink_str(s, buf);
}

static void report_lead_time(bt_out *o, vg_program *const *progs, int nprogs, const outcome_set *os, const char *from,
                             const char *to) {
  if (o->n > 1) qsort(o->v, o->n, sizeof *o->v, cmp_rule_key); /* no alert: v is NULL */
  /* one row per rule (any tier), then one per tier it alerted at, lowest first */
  size_t nrows = 0, cap = 16;
  lt_row *rows = malloc(cap * sizeof *rows);
  if (!rows) out_of_memory();
  for (int pi = 0; pi < nprogs; pi++) {
    const char *pack = vg_program_pack(progs[pi]);
    for (int ri = 0; ri < vg_program_rule_count(progs[pi]); ri++) {
      const char *rule = vg_program_rule_name(progs[pi], ri);
      size_t lo = 0, hi;
      while (lo < o->n && (strcmp(o->v[lo].pack, pack) != 0 || strcmp(o->v[lo].rule, rule) != 0)) lo++;
      for (hi = lo; hi < o->n && strcmp(o->v[hi].pack, pack) == 0 && strcmp(o->v[hi].rule, rule) == 0; hi++) {}
      for (int ti = -1; ti < vg_program_tier_count(progs[pi]); ti++) {
        const char *tier = ti < 0 ? NULL : vg_program_tier_name(progs[pi], ti);
        if (tier) {
          int seen = 0;
          for (size_t k = lo; k < hi && !seen; k++) seen = strcmp(o->v[k].tier, tier) == 0;
          if (!seen) continue;
        }
        if (nrows == cap) {
          cap *= 2;
          rows = realloc(rows, cap * sizeof *rows);
          if (!rows) out_of_memory();
        }
        lt_row *r = &rows[nrows++];
        memset(r, 0, sizeof *r);
        r->pack = pack;
        r->rule = rule;
        r->tier = tier;
        lead_time(o->v + lo, hi - lo, tier, os, r);
      }
    }
  }
  diag_sink *s = &o->line;
  if (o->format == BT_TEXT) {
    out_printf(stdout, "lead time, %s to %s: %zu outcome%s on %zu key%s\n", from, to, os->n, os->n == 1 ? "" : "s", os->nkeys,
               os->nkeys == 1 ? "" : "s");
    out_printf(stdout, "(flagged: outcomes the rule alerted on or before; lead: days from the first such alert to the outcome)\n\n");
    /* the first column: "PACK/RULE", or "  TIER" under it; as wide as the widest */
    diag_sink name;
    memset(&name, 0, sizeof name);
    size_t w = 4;
    for (size_t i = 0; i < nrows; i++) {
      name.len = 0;
      if (rows[i].tier) out_format(&name, "  %s", rows[i].tier);
      else out_format(&name, "%s/%s", rows[i].pack, rows[i].rule);
      size_t l = out_term_width(name.buf, name.len); /* (already escaped: its width as printed) */
      if (l > w) w = l;
    }
    out_printf(stdout, "%-*s  %9s  %6s  %11s  %9s  %7s  %12s  %4s  %9s\n", (int)w, "rule", "flagged", "recall", "median lead",
               "mean lead", "alerted", "false alarms", "late", "precision");
    for (size_t i = 0; i < nrows; i++) {
      const lt_row *r = &rows[i];
      char fl[64], rec[32], med[32], mean[32], prec[32];
      name.len = 0;
      if (r->tier) out_format(&name, "  %s", r->tier);
      else out_format(&name, "%s/%s", r->pack, r->rule);
      snprintf(fl, sizeof fl, "%zu/%zu", r->flagged, r->outcomes);
      days_text(r->median, med, sizeof med);
      if (isnan(r->mean)) snprintf(mean, sizeof mean, "-");
      else snprintf(mean, sizeof mean, "%.1f days", r->mean);
      out_printf(stdout, "%-*s  %9s  %6s  %11s  %9s  %7zu  %12zu  %4zu  %9s\n", (int)w, name.buf, fl,
                 pct_text(r->flagged, r->outcomes, rec, sizeof rec), med, mean, r->alerted, r->false_alarms, r->late,
                 pct_text(r->hit_keys, r->alerted, prec, sizeof prec));
    }
    free(name.buf);
  } else if (o->format == BT_JSONL) {
    for (size_t i = 0; i < nrows; i++) {
      const lt_row *r = &rows[i];
      s->len = 0;
      sink_str(s, "{\"pack\":"); out_json_str(s, r->pack);
      sink_str(s, ",\"rule\":"); out_json_str(s, r->rule);
      sink_str(s, ",\"tier\":"); out_json_str(s, r->tier);
      json_count(s, "outcomes", r->outcomes);
      json_count(s, "flagged", r->flagged);
      json_count(s, "missed", r->outcomes - r->flagged);
      sink_str(s, ",\"median_lead_days\":"); json_number(s, r->median);
      sink_str(s, ",\"mean_lead_days\":"); json_number(s, r->mean);
      json_count(s, "alerted_keys", r->alerted);
      json_count(s, "false_alarms", r->false_alarms);
      json_count(s, "late_keys", r->late);
      sink_str(s, ",\"precision\":"); json_share(s, r->hit_keys, r->alerted);
      sink_str(s, ",\"recall\":"); json_share(s, r->flagged, r->outcomes);
      sink_str(s, "}\n");
      out_flush_sink(stdout, s);
    }
  } else {
    out_printf(stdout, "pack,rule,tier,outcomes,flagged,missed,median_lead_days,mean_lead_days,alerted_keys,false_alarms,"
                       "late_keys,precision,recall\n");
    for (size_t i = 0; i < nrows; i++) {
      const lt_row *r = &rows[i];
      s->len = 0;
      out_csv(s, r->pack, strlen(r->pack), o->csv_raw);
      sink_str(s, ",");
      out_csv(s, r->rule, strlen(r->rule), o->csv_raw);
      sink_str(s, ",");
      out_csv(s, r->tier, r->tier ? strlen(r->tier) : 0, o->csv_raw);
      char buf[256];
      snprintf(buf, sizeof buf, ",%zu,%zu,%zu,", r->outcomes, r->flagged, r->outcomes - r->flagged);
      sink_str(s, buf);
      if (!isnan(r->median)) json_number(s, r->median);
      sink_str(s, ",");
      if (!isnan(r->mean)) json_number(s, r->mean);
      snprintf(buf, sizeof buf, ",%zu,%zu,%zu,", r->alerted, r->false_alarms, r->late);
      sink_str(s, buf);
      if (r->alerted) json_share(s, r->hit_keys, r->alerted);
      sink_str(s, ",");
      if (r->outcomes) json_share(s, r->flagged, r->outcomes);
      sink_str(s, "\n");
      out_flush_sink(stdout, s);
    }
  }
  free(rows);
}

int cmd_backtest(int argc, char **argv) {
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  const char *sets[256], *paths[256];
  int nsets = 0, npaths = 0, format = BT_TEXT, report = -1, csv_raw = 0, follow = 0;
  const char *outcome_sql = NULL, *outcome_table = NULL;
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
    } else if (strcmp(argv[i], "--follow-symlinks") == 0) {
      follow = 1;
    } else if (strcmp(argv[i], "--record") == 0) {
      bo.record = 1;
    } else if (strcmp(argv[i], "--csv-raw") == 0) {
      csv_raw = 1;
    } else if ((v = opt_value(argc, argv, &i, "--set"))) {
      if (!strchr(v, '=') || v[0] == '=') return usage_error(usage_backtest, "--set needs NAME=VALUE, not '%s'", v);
      if (nsets == 256) return usage_error(usage_backtest, "%s", "at most 256 --set options");
      sets[nsets++] = v;
    } else if ((v = opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0) format = BT_TEXT;
      else if (strcmp(v, "jsonl") == 0) format = BT_JSONL;
      else if (strcmp(v, "csv") == 0) format = BT_CSV;
      else return usage_error(usage_backtest, "unknown format '%s' (text, jsonl or csv)", v);
    } else if ((v = opt_value(argc, argv, &i, "--outcome"))) {
      if (!*v) return usage_error(usage_backtest, "%s needs a query", "--outcome");
      outcome_sql = v;
    } else if ((v = opt_value(argc, argv, &i, "--outcome-table"))) {
      if (!*v) return usage_error(usage_backtest, "%s needs a table name", "--outcome-table");
      outcome_table = v;
    } else if ((v = opt_value(argc, argv, &i, "--report"))) {
      if (strcmp(v, "alerts") == 0) report = REPORT_ALERTS;
      else if (strcmp(v, "lead-time") == 0) report = REPORT_LEAD_TIME;
      else return usage_error(usage_backtest, "unknown report '%s' (alerts or lead-time)", v);
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error(usage_backtest, "unknown option '%s'", argv[i]);
    } else {
      if (npaths == 256) return usage_error(usage_backtest, "%s", "at most 256 PATHs");
      paths[npaths++] = argv[i];
    }
  }
  if (!bo.db_path) return usage_error(usage_backtest, "%s", "--db FILE is required");
  if (!bo.from || !bo.to) return usage_error(usage_backtest, "%s", "--from and --to are required");
  if (bo.every_days && bo.at_snapshots) return usage_error(usage_backtest, "%s", "give --every or --at-snapshots, not both");
  if (npaths == 0) return usage_error(usage_backtest, "%s", "no PATH given");
  if (outcome_sql && outcome_table) return usage_error(usage_backtest, "%s", "give --outcome or --outcome-table, not both");
  int has_outcome = outcome_sql || outcome_table;
  if (report < 0) report = has_outcome ? REPORT_LEAD_TIME : REPORT_ALERTS;
  if (report == REPORT_LEAD_TIME && !has_outcome)
    return usage_error(usage_backtest, "%s", "--report lead-time needs --outcome SQL or --outcome-table TABLE");
  if (report == REPORT_ALERTS && has_outcome)
    return usage_error(usage_backtest, "%s", "an outcome is for --report lead-time, not --report alerts");
  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  static const diag_context backtest_context[] = {
    {"E-read-only", "", " (--record writes the alerts; without it nothing is written)"},
    {NULL, NULL, NULL},
  };
  sink.context = backtest_context;
  vg_compile_opts co = {.db_path = bo.db_path, .diag = on_diag, .ud = &sink, .follow_symlinks = follow};
  vg_program *progs[256];
  int rc = 0, nprogs = 0;
  for (int i = 0; i < npaths; i++) {
    vg_program *p = NULL;
    vg_status st = vg_compile_path(paths[i], &co, &p);
    if (st != VG_OK) { rc = out_status(st); continue; }
    progs[nprogs++] = p;
  }
  vg_params *params = NULL;
  if (rc == 0) rc = cli_params(progs, nprogs, sets, nsets, &params);
  bo.params = params;
  outcome_set outcomes;
  memset(&outcomes, 0, sizeof outcomes);
  if (rc == 0 && has_outcome) {
    diag_sink q;
    memset(&q, 0, sizeof q);
    if (outcome_table) {
      sink_str(&q, "SELECT * FROM \"");
      for (const char *c = outcome_table; *c; c++) {
        if (*c == '"') sink_str(&q, "\""); /* a quote is doubled */
        sink_put(&q, c, 1);
      }
      sink_str(&q, "\"");
    } else {
      sink_str(&q, outcome_sql);
    }
    int to_day = 0;
    vg_parse_date(bo.to, &to_day);
    rc = load_outcomes(bo.db_path, q.buf, to_day, &outcomes);
    free(q.buf);
  }
  if (rc == 0) {
    bt_out out;
    memset(&out, 0, sizeof out);
    out.format = format;
    out.csv_raw = csv_raw;
    out.keep = format == BT_TEXT || report == REPORT_LEAD_TIME;
    bo.diag = on_diag;
    bo.ud = &sink;
    bo.alert = on_alert;
    bo.summary = on_summary;
    bo.out_ud = &out;
    rc = out_status(vg_backtest((const vg_program *const *)progs, nprogs, &bo));
    if (rc == 0 && report == REPORT_LEAD_TIME) report_lead_time(&out, progs, nprogs, &outcomes, bo.from, bo.to);
    else if (rc == 0 && format == BT_TEXT) report_text(&out, progs, nprogs);
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
  free_outcomes(&outcomes);
  vg_params_free(params);
  for (int i = 0; i < nprogs; i++) vg_free_program(progs[i]);
  return rc;
}
