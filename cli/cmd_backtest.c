/*
** cmd_backtest.c — `vigil backtest`: what the rules would have caught.
**
** Evaluates packs as of every date of a range in one pass per source
** (vg_backtest) and reports, in text, per rule and tier the alerts of each
** date and, per rule and key, the first date it fired and how long it
** stayed; or every alert as JSON lines or CSV.  With --outcome, it
** reports instead the lead time of each rule against an outcome: which keys
** that had the bad outcome it flagged, how many days before, and how many
** keys it flagged that did not have it (computed by vg_rule_lead_time,
** tools/leadtime.c: this file reads the outcomes and prints).
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
  "                      [--shard I/N] [--diagnostics-format text|json] [--quiet] [--follow-symlinks]\n"
  "                      PATH...\n"
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
  "  --shard I/N        only the keys in shard I of N, as for run (not with --record)\n"
  "  --diagnostics-format FORMAT\n"
  "                     text (default) or json: warnings, errors and the summary on\n"
  "                     stderr as JSON lines, as for run\n"
  "  --quiet            no progress line and no summary on stderr, as for run\n"
  "  --follow-symlinks  read source files that are symbolic links (refused by default)\n"
  "exit status: 0 success, 1 errors in the packs or a failed backtest, 2 bad command line,\n"
  "130 interrupted (SIGINT or SIGTERM: rolled back, nothing recorded)\n";

enum { BT_TEXT, BT_JSONL, BT_CSV };
enum { REPORT_ALERTS, REPORT_LEAD_TIME };

/* One alert, kept for the lead-time report. */
typedef struct bt_alert {
  char *pack, *rule, *tier, *key, *as_of;
  size_t key_len;   /* the key's bytes (it may hold NUL bytes) */
} bt_alert;

/* One rule's alerts at the current date, per tier (the text report). */
typedef struct bt_group {
  char *pack, *rule;
  const vg_program *p;  /* the rule's pack (NULL: not found, nothing printed) */
  size_t *count;        /* per tier of p */
} bt_group;

/* The text report, in bounded memory: the current date's counts per rule
** and tier; the finished lines per date and, per rule and key, the first
** and last date and the number of dates, in a temporary SQLite database
** (a file SQLite deletes on close, with a small page cache) rather than
** every alert in memory (docs/CLI.md §7). */
typedef struct bt_text {
  sqlite3 *db;
  sqlite3_stmt *line, *upsert;
  vg_program *const *progs;
  int nprogs;
  char date[16];        /* the current date ("" before the first alert) */
  bt_group *g; size_t ng, gcap;
  int failed;           /* the temporary database failed (reported once) */
} bt_text;

typedef struct bt_out {
  int format;
  int csv_raw;     /* --csv-raw */
  int keep;        /* keep every alert (for lead time) */
  diag_sink line;
  int header_done;
  int diag_json;   /* --diagnostics-format json */
  int quiet;       /* --quiet: no summary */
  bt_alert *v; size_t n, cap;
  bt_text *text;   /* the text report's tallies, or NULL */
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


static void text_fail(bt_text *t) {
  if (!t->failed) out_printf(stderr, "vigil: backtest: the text report's temporary database: %s\n", sqlite3_errmsg(t->db));
  t->failed = 1;
}

/* Opens the temporary database; 0, or -1 (reported). */
static int text_open(bt_text *t, vg_program *const *progs, int nprogs) {
  memset(t, 0, sizeof *t);
  t->progs = progs;
  t->nprogs = nprogs;
  /* "": a private file in the temporary directory, deleted on close */
  if (sqlite3_open_v2("", &t->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
      sqlite3_exec(t->db, "PRAGMA cache_size = -1024; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                   "CREATE TABLE line (text BLOB);"
                   "CREATE TABLE k (pack TEXT, rule TEXT, key BLOB, first TEXT, last TEXT, n INTEGER,"
                   " PRIMARY KEY (pack, rule, key)) WITHOUT ROWID; BEGIN",
                   NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(t->db, "INSERT INTO line VALUES (?1)", -1, &t->line, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(t->db, "INSERT INTO k VALUES (?1, ?2, ?3, ?4, ?4, 1) ON CONFLICT (pack, rule, key)"
                         " DO UPDATE SET last = excluded.last, n = n + 1", -1, &t->upsert, NULL) != SQLITE_OK) {
    text_fail(t);
    return -1;
  }
  return 0;
}

static void text_close(bt_text *t) {
  for (size_t i = 0; i < t->gcap; i++) {
    free(t->g[i].pack);
    free(t->g[i].rule);
    free(t->g[i].count);
  }
  free(t->g);
  sqlite3_finalize(t->line);
  sqlite3_finalize(t->upsert);
  sqlite3_close(t->db);
}

/* The current date's line ("  DATE  pack/rule tier N ..."), its rules'
** tiers highest first, into the temporary database. */
static void text_flush_date(bt_text *t) {
  if (!t->date[0] || t->failed) return;
  diag_sink s;
  memset(&s, 0, sizeof s);
  out_format(&s, "  %s", t->date);
  for (size_t i = 0; i < t->ng; i++) {
    const bt_group *g = &t->g[i];
    for (int ti = g->p ? vg_program_tier_count(g->p) - 1 : -1; ti >= 0; ti--)
      if (g->count[ti]) out_format(&s, "  %s/%s %s %zu", g->pack, g->rule, vg_program_tier_name(g->p, ti), g->count[ti]);
  }
  sink_str(&s, "\n");
  sqlite3_bind_blob(t->line, 1, s.buf, (int)s.len, SQLITE_STATIC);
  if (sqlite3_step(t->line) != SQLITE_DONE) text_fail(t);
  sqlite3_reset(t->line);
  free(s.buf);
  t->ng = 0;
}

/* One alert into the tallies (alerts arrive ordered by date, then pack,
** rule, key: a rule's tiers are interleaved).  0, or -1 when the
** temporary database failed. */
static int text_add(bt_text *t, const vg_alert *a) {
  if (strcmp(t->date, a->as_of) != 0) {
    text_flush_date(t);
    snprintf(t->date, sizeof t->date, "%s", a->as_of);
  }
  bt_group *g = t->ng ? &t->g[t->ng - 1] : NULL;
  if (!g || strcmp(g->pack, a->pack) != 0 || strcmp(g->rule, a->rule) != 0) {
    if (t->ng == t->gcap) {
      size_t cap = t->gcap ? t->gcap * 2 : 16;
      t->g = realloc(t->g, cap * sizeof *t->g);
      if (!t->g) out_of_memory();
      memset(t->g + t->gcap, 0, (cap - t->gcap) * sizeof *t->g);
      t->gcap = cap;
    }
    g = &t->g[t->ng++];
    free(g->pack);
    free(g->rule);
    free(g->count);
    g->pack = dupstr(a->pack);
    g->rule = dupstr(a->rule);
    g->p = NULL;
    for (int pi = 0; pi < t->nprogs && !g->p; pi++)
      if (strcmp(vg_program_pack(t->progs[pi]), a->pack) == 0) g->p = t->progs[pi];
    int nt = g->p ? vg_program_tier_count(g->p) : 0;
    g->count = calloc((size_t)(nt ? nt : 1), sizeof *g->count);
    if (!g->count) out_of_memory();
  }
  for (int ti = g->p ? vg_program_tier_count(g->p) - 1 : -1; ti >= 0; ti--)
    if (strcmp(vg_program_tier_name(g->p, ti), a->tier) == 0) { g->count[ti]++; break; }
  sqlite3_bind_text(t->upsert, 1, a->pack, -1, SQLITE_STATIC);
  sqlite3_bind_text(t->upsert, 2, a->rule, -1, SQLITE_STATIC);
  sqlite3_bind_blob(t->upsert, 3, a->key ? a->key : "", (int)a->key_len, SQLITE_STATIC);
  sqlite3_bind_text(t->upsert, 4, a->as_of, -1, SQLITE_STATIC);
  if (sqlite3_step(t->upsert) != SQLITE_DONE) text_fail(t);
  sqlite3_reset(t->upsert);
  return t->failed ? -1 : 0;
}

/* The text report: per pack, rule and tier the alerts of each date; then
** per rule and key the first date it fired, the last, and on how many
** evaluation dates it was open (pack, rule and key in byte order).
** 0, or 1 when the temporary database failed. */
static int report_text(bt_text *t) {
  text_flush_date(t);
  sqlite3_stmt *st = NULL;
  if (t->failed) return 1;
  out_printf(stdout, "alerts per date\n");
  if (sqlite3_prepare_v2(t->db, "SELECT text FROM line ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
    text_fail(t);
    return 1;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    out_write(stdout, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) { text_fail(t); return 1; }
  out_printf(stdout, "\nper rule and key: first and last date it fired, and on how many evaluation dates\n");
  if (sqlite3_prepare_v2(t->db, "SELECT pack, rule, key, first, last, n FROM k ORDER BY pack, rule, key", -1, &st,
                         NULL) != SQLITE_OK) {
    text_fail(t);
    return 1;
  }
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *key = sqlite3_column_blob(st, 2);
    int key_len = sqlite3_column_bytes(st, 2);
    long long n = sqlite3_column_int64(st, 5);
    out_printf(stdout, "  %s/%s  key %.*s  first %s  last %s  on %lld date%s\n", (const char *)sqlite3_column_text(st, 0),
               (const char *)sqlite3_column_text(st, 1), key_len, key ? key : "", (const char *)sqlite3_column_text(st, 3),
               (const char *)sqlite3_column_text(st, 4), n, n == 1 ? "" : "s");
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) { text_fail(t); return 1; }
  return 0;
}

static int on_alert(void *ud, const vg_alert *a) {
  bt_out *o = ud;
  diag_sink *s = &o->line;
  s->len = 0;
  if (o->text) {
    if (text_add(o->text, a) != 0) return 1;
  } else if (o->keep) {
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
  return 0;
}

static int on_summary(void *ud, const vg_run_summary *sm) {
  bt_out *o = ud;
  if (o->quiet) return 0;
  if (o->diag_json) {
    diag_sink s;
    memset(&s, 0, sizeof s);
    sink_str(&s, "{\"type\":\"summary\",\"pack\":");
    out_json_str(&s, sm->pack);
    out_format(&s, ",\"rows_read\":%lld,\"alerts\":%lld,\"status\":\"%s\"}\n", sm->rows_read, sm->alerts,
               sm->warnings ? "warnings" : "ok");
    out_flush_sink(stderr, &s);
    free(s.buf);
    return 0;
  }
  out_printf(stderr, "vigil: pack %s: %lld rows read, %lld alerts over the period\n", sm->pack, sm->rows_read, sm->alerts);
  return 0;
}

static int cmp_rule_key(const void *x, const void *y) {
  const bt_alert *a = x, *b = y;
  int c = strcmp(a->pack, b->pack);
  if (!c) c = strcmp(a->rule, b->rule);
  if (!c) c = cmp_bytes(a->key, a->key_len, b->key, b->key_len);
  if (!c) c = strcmp(a->as_of, b->as_of);
  return c;
}

/* ---- lead time against an outcome --------------------------------------------------- */

/* The bad outcomes (their keys are this file's, freed by free_outcomes),
** normalized for vg_rule_lead_time. */
typedef struct outcome_set {
  vg_outcome *v;
  size_t n;
  size_t all;     /* n, and the repeats behind them (whose keys are freed too) */
  size_t nkeys;   /* distinct keys */
} outcome_set;

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
  os->all = os->n;
  os->n = vg_outcomes_normalize(os->v, os->all, &os->nkeys);
done:
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rc;
}

static void free_outcomes(outcome_set *os) {
  size_t all = os->all > os->n ? os->all : os->n; /* (all is 0 when the query failed) */
  for (size_t i = 0; i < all; i++) free((char *)os->v[i].key);
  free(os->v);
}

/* The lead-time numbers (vg_rule_lead_time) of one rule (tier NULL: any tier) or
** one rule and tier. */
typedef struct lt_row {
  const char *pack, *rule, *tier;
  vg_lead_time lt;
} lt_row;

static int day_of(const char *as_of) {
  int d = 0;
  vg_parse_date(as_of, &d);
  return d;
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
  vg_dated_alert *da = malloc((o->n ? o->n : 1) * sizeof *da); /* one rule's alerts, as vg_lead_time reads them */
  if (!rows || !da) out_of_memory();
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
        for (size_t k = lo; k < hi; k++)
          da[k - lo] = (vg_dated_alert){.rule = o->v[k].rule, .tier = o->v[k].tier, .key = o->v[k].key,
                                        .key_len = o->v[k].key_len, .day = day_of(o->v[k].as_of)};
        if (vg_rule_lead_time(da, hi - lo, tier, os->v, os->n, &r->lt) != VG_OK) out_of_memory();
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
      snprintf(fl, sizeof fl, "%zu/%zu", r->lt.flagged, r->lt.outcomes);
      days_text(r->lt.median, med, sizeof med);
      if (isnan(r->lt.mean)) snprintf(mean, sizeof mean, "-");
      else snprintf(mean, sizeof mean, "%.1f days", r->lt.mean);
      out_printf(stdout, "%-*s  %9s  %6s  %11s  %9s  %7zu  %12zu  %4zu  %9s\n", (int)w, name.buf, fl,
                 pct_text(r->lt.flagged, r->lt.outcomes, rec, sizeof rec), med, mean, r->lt.alerted, r->lt.false_alarms, r->lt.late,
                 pct_text(r->lt.hit_keys, r->lt.alerted, prec, sizeof prec));
    }
    free(name.buf);
  } else if (o->format == BT_JSONL) {
    for (size_t i = 0; i < nrows; i++) {
      const lt_row *r = &rows[i];
      s->len = 0;
      sink_str(s, "{\"pack\":"); out_json_str(s, r->pack);
      sink_str(s, ",\"rule\":"); out_json_str(s, r->rule);
      sink_str(s, ",\"tier\":"); out_json_str(s, r->tier);
      json_count(s, "outcomes", r->lt.outcomes);
      json_count(s, "flagged", r->lt.flagged);
      json_count(s, "missed", r->lt.outcomes - r->lt.flagged);
      sink_str(s, ",\"median_lead_days\":"); json_number(s, r->lt.median);
      sink_str(s, ",\"mean_lead_days\":"); json_number(s, r->lt.mean);
      json_count(s, "alerted_keys", r->lt.alerted);
      json_count(s, "false_alarms", r->lt.false_alarms);
      json_count(s, "late_keys", r->lt.late);
      sink_str(s, ",\"precision\":"); json_share(s, r->lt.hit_keys, r->lt.alerted);
      sink_str(s, ",\"recall\":"); json_share(s, r->lt.flagged, r->lt.outcomes);
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
      snprintf(buf, sizeof buf, ",%zu,%zu,%zu,", r->lt.outcomes, r->lt.flagged, r->lt.outcomes - r->lt.flagged);
      sink_str(s, buf);
      if (!isnan(r->lt.median)) json_number(s, r->lt.median);
      sink_str(s, ",");
      if (!isnan(r->lt.mean)) json_number(s, r->lt.mean);
      snprintf(buf, sizeof buf, ",%zu,%zu,%zu,", r->lt.alerted, r->lt.false_alarms, r->lt.late);
      sink_str(s, buf);
      if (r->lt.alerted) json_share(s, r->lt.hit_keys, r->lt.alerted);
      sink_str(s, ",");
      if (r->lt.outcomes) json_share(s, r->lt.flagged, r->lt.outcomes);
      sink_str(s, "\n");
      out_flush_sink(stdout, s);
    }
  }
  free(rows);
  free(da);
}

int cmd_backtest(int argc, char **argv) {
  cli_opts o = {.accept = CLI_DB | CLI_RANGE | CLI_SET | CLI_FOLLOW | CLI_PATHS, .usage = usage_backtest};
  int format = BT_TEXT, report = -1, csv_raw = 0, record = 0, shard = 0, nshards = 0, diag_format = FMT_TEXT, quiet = 0;
  const char *outcome_sql = NULL, *outcome_table = NULL;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_backtest, stdout); return 0; }
    int r = cli_opt(&o, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if (strcmp(argv[i], "--record") == 0) {
      record = 1;
    } else if (strcmp(argv[i], "--csv-raw") == 0) {
      csv_raw = 1;
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
    } else if ((v = opt_value(argc, argv, &i, "--shard"))) {
      if (cli_parse_shard(v, &shard, &nshards) != 0)
        return usage_error(usage_backtest, "--shard %s: expected I/N, 1 <= I <= N <= 1024 (e.g. 2/3)", v);
    } else if ((v = opt_value(argc, argv, &i, "--report"))) {
      if (strcmp(v, "alerts") == 0) report = REPORT_ALERTS;
      else if (strcmp(v, "lead-time") == 0) report = REPORT_LEAD_TIME;
      else return usage_error(usage_backtest, "unknown report '%s' (alerts or lead-time)", v);
    } else if ((v = opt_value(argc, argv, &i, "--diagnostics-format"))) {
      if ((diag_format = cli_diag_format(v)) < 0)
        return usage_error(usage_backtest, "unknown diagnostics format '%s' (text or json)", v);
    } else {
      return usage_error(usage_backtest, "unknown option '%s'", argv[i]);
    }
  }
  if (cli_need_db(&o) || cli_need_range(&o)) return EXIT_USAGE;
  if (o.npaths == 0) return usage_error(usage_backtest, "%s", "no PATH given");
  vg_backtest_opts bo = {.db_path = o.db, .from = o.from, .to = o.to, .every_days = o.every_days,
                         .at_snapshots = o.at_snapshots, .record = record, .shard = shard, .nshards = nshards};
  if (record && nshards > 1) return usage_error(usage_backtest, "%s", "--record and --shard: a sharded backtest is not recorded");
  if (outcome_sql && outcome_table) return usage_error(usage_backtest, "%s", "give --outcome or --outcome-table, not both");
  int has_outcome = outcome_sql || outcome_table;
  if (report < 0) report = has_outcome ? REPORT_LEAD_TIME : REPORT_ALERTS;
  if (report == REPORT_LEAD_TIME && !has_outcome)
    return usage_error(usage_backtest, "%s", "--report lead-time needs --outcome SQL or --outcome-table TABLE");
  if (report == REPORT_ALERTS && has_outcome)
    return usage_error(usage_backtest, "%s", "an outcome is for --report lead-time, not --report alerts");
  diag_sink sink;
  sink_begin(&sink, diag_format);
  static const diag_context backtest_context[] = {
    {"E-read-only", "", " (--record writes the alerts; without it nothing is written)"},
    {NULL, NULL, NULL},
  };
  sink.context = backtest_context;
  vg_compile_opts co = {.db_path = o.db, .diag = on_diag, .ud = &sink, .follow_symlinks = o.follow};
  vg_program *progs[256];
  int nprogs = 0;
  int rc = cli_compile(&o, &co, progs, &nprogs);
  vg_params *params = NULL;
  if (rc == 0) rc = cli_params(progs, nprogs, o.sets, o.nsets, &params);
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
    out.diag_json = diag_format == FMT_JSONL;
    out.quiet = quiet;
    out.keep = report == REPORT_LEAD_TIME;
    bt_text text;
    if (format == BT_TEXT && !out.keep) {
      out.text = &text;
      if (text_open(&text, progs, nprogs) != 0) rc = 1;
    }
    bo.diag = on_diag;
    bo.ud = &sink;
    bo.alert = on_alert;
    bo.summary = on_summary;
    bo.out_ud = &out;
    bo.progress = cli_poll;
    cli_interrupt_begin();
    cli_progress_begin("backtest", quiet || diag_format != FMT_TEXT);
    if (rc == 0) {
      vg_status st = vg_backtest((const vg_program *const *)progs, nprogs, &bo);
      rc = cli_interrupt_status(st, out_status(st));
    }
    if (out.text && out.text->failed) rc = 1; /* reported; the backtest stopped there */
    if (rc == 0 && report == REPORT_LEAD_TIME) report_lead_time(&out, progs, nprogs, &outcomes, bo.from, bo.to);
    else if (rc == 0 && out.text) rc = report_text(out.text);
    if (out.text) text_close(out.text);
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
