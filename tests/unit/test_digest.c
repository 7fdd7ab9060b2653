/*
** test_digest.c — vg_digest_run and `vigil digest`.
**
** The databases are made by SQL (vigil_runs / vigil_alerts as a run records
** them, with the tier_rank, evidence and route columns), so every case is
** written out here: a run of pack saas with new, ongoing, escalated and
** resolved alerts, several recipients, a route two levels deep, an alert
** with no recipient, and Markdown and HTML special characters in a message
** and a key; a previous run (for "escalated from"); a run of another pack;
** and a database of the older schema without the three columns.  Checked:
** who gets which digest, grouping and order, the texts (one Markdown body
** against a golden copy), escaping, HTML structure, the outbox and its
** replacement, run selection and errors, and the command's exit statuses
** (the binary in $VIGIL).
*/
#include <CUnit/CUnit.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "unit.h"
#include "vigil.h"
#include "../../core/mem.h"
#include "testutil.h"

static char dir[256];   /* the temporary folder */
static char db1[300];   /* the main fixture */

static const char *const schema_sql =
  "CREATE TABLE vigil_runs(run_id INTEGER PRIMARY KEY AUTOINCREMENT, pack TEXT NOT NULL, as_of TEXT NOT NULL,"
  " started_at TEXT NOT NULL, finished_at TEXT NOT NULL, status TEXT NOT NULL, rows_read INTEGER NOT NULL,"
  " alerts INTEGER NOT NULL);"
  "CREATE TABLE vigil_alerts(run_id INTEGER NOT NULL, pack TEXT NOT NULL, rule TEXT NOT NULL, tier TEXT NOT NULL,"
  " key TEXT NOT NULL, as_of TEXT NOT NULL, message TEXT, recipient TEXT, status TEXT NOT NULL DEFAULT 'new',"
  " first_seen TEXT, runs INTEGER NOT NULL DEFAULT 1, tier_rank INTEGER, evidence TEXT, route TEXT);";

#define ROUTE17 "'[{\"to\":\"17\",\"name\":\"Dana Kim\",\"level\":0},{\"to\":\"4\",\"name\":\"Lee Park\",\"level\":1}]'"

/* Run 1 (saas, 2025-06-16) is the previous run of run 2 (saas, 2025-06-30);
** run 3 is of pack dist.  Persons of run 2: 17 (Dana Kim) with Lee Park (4)
** one level up; 4 with Ada <Boss> (1) above; 5 (no name); and no one. */
static const char *const fixture_sql =
  "INSERT INTO vigil_runs VALUES (1,'saas','2025-06-16','t','t','ok',10,3),(2,'saas','2025-06-30','t','t','ok',10,5),"
  " (3,'dist','2025-06-20','t','t','ok',5,1);"
  "INSERT INTO vigil_alerts VALUES"
  " (1,'saas','revenue_at_risk','orange','17','2025-06-16','revenue 40000 at risk','17','ongoing','2025-06-02',2,1,NULL," ROUTE17 "),"
  " (1,'saas','milestone_late','orange','17','2025-06-16','milestone M3 late','17','new','2025-06-16',1,1,"
  "  '{\"rule\":\"milestone_late\",\"key_column\":\"rep_id\",\"values\":{}}'," ROUTE17 "),"
  " (1,'saas','conversion_slump','yellow','5','2025-06-16','conversion 15% below 16%','5','new','2025-06-16',1,0,NULL,"
  "  '[{\"to\":\"5\",\"name\":null,\"level\":0}]'),"
  " (2,'saas','conversion_slump','orange','17','2025-06-30','conversion 12% below 16% for two snapshots','17','new','2025-06-30',1,1,"
  "  '{\"rule\":\"conversion_slump\",\"key_column\":\"rep_id\",\"values\":{\"floor\":0.16,\"conversion_rate\":0.12,"
  "\"baseline_conversion\":0.2,\"slump\":0.2},\"window\":{\"dates\":[\"2025-05-23\",\"2025-06-06\",\"2025-06-20\"],"
  "\"conversion_rate\":[0.15,0.13,0.12],\"baseline_conversion\":[0.2,0.2,0.2]}}'," ROUTE17 "),"
  " (2,'saas','revenue_at_risk','red','17','2025-06-30','revenue 52000 at risk','17','escalated','2025-06-02',3,2,"
  "  '{\"rule\":\"revenue_at_risk\",\"key_column\":\"rep_id\",\"values\":{\"at_risk\":52000.4,\"limit\":50000,"
  "\"grace\":\"5 days\",\"stale\":false},\"window\":{\"dates\":[\"2025-06-16\",\"2025-06-30\"],\"at_risk\":[40000,52000.4]}}',"
  ROUTE17 "),"
  " (2,'saas','milestone_late','orange','17','2025-06-30',NULL,'17','resolved','2025-06-16',1,1,NULL," ROUTE17 "),"
  " (2,'saas','conversion_slump','yellow','5','2025-06-30','conversion 14% below 16%','5','ongoing','2025-06-16',2,0,"
  "  '{\"rule\":\"conversion_slump\",\"key_column\":\"rep_id\",\"values\":{\"floor\":0.16,\"conversion_rate\":0.14},"
  "\"window\":{\"dates\":[\"2025-06-16\",\"2025-06-30\"],\"conversion_rate\":[0.15,0.14]}}',"
  "  '[{\"to\":\"5\",\"name\":null,\"level\":0}]'),"
  " (2,'saas','snapshot_missing','red','A*b_<c>&#1','2025-06-30',"
  "  'late *again* <b>bold</b> & [link](x) | pipe _u_ `tick` \\ back',NULL,'new','2025-06-30',1,2,NULL,NULL),"
  " (2,'saas','conversion_slump','orange','4','2025-06-30','conversion 10% below 16%','4','new','2025-06-30',1,1,NULL,"
  "  '[{\"to\":\"4\",\"name\":\"Lee Park\",\"level\":0},{\"to\":\"1\",\"name\":\"Ada <Boss>\",\"level\":1}]'),"
  " (3,'dist','aging','red','C-9','2025-06-20','90 days overdue','77','new','2025-06-20',1,2,NULL,NULL);";

/* ---- helpers ------------------------------------------------------------------------------ */

/* A fresh database at dir/name from SQL; its path in path. */
static int make_db(char *path, size_t cap, const char *name, const char *sql) {
  snprintf(path, cap, "%s/%s", dir, name);
  remove(path);
  sqlite3 *db = NULL;
  if (sqlite3_open(path, &db) != SQLITE_OK) { sqlite3_close(db); return -1; }
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) fprintf(stderr, "make_db: %s\n", err ? err : "?");
  sqlite3_free(err);
  sqlite3_close(db);
  return rc == SQLITE_OK ? 0 : -1;
}

/* Every row of sql on db as "a|b|c\n" lines (NULL as "NULL"); static buffer. */
static const char *rows(const char *db_path, const char *sql) {
  static char out[16384];
  out[0] = 0;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  size_t n = 0;
  if (sqlite3_open(db_path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW && n < sizeof out - 512) {
      for (int i = 0; i < sqlite3_column_count(st); i++) {
        const unsigned char *t = sqlite3_column_text(st, i);
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? "|" : "", t ? (const char *)t : "NULL");
      }
      n += (size_t)snprintf(out + n, sizeof out - n, "\n");
    }
  } else {
    snprintf(out, sizeof out, "error: %s\n", db ? sqlite3_errmsg(db) : "?");
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

#define ROWS(db, sql, want)                                                        \
  do {                                                                             \
    const char *got_ = rows(db, sql);                                              \
    if (strcmp(got_, want) != 0) printf("\n%s\nwant:\n%s\ngot:\n%s\n", sql, want, got_); \
    CU_ASSERT_STRING_EQUAL(got_, want);                                            \
  } while (0)

/* Runs a shell command; stdout into dir/out.txt, stderr into dir/err.txt.
** Returns the exit status (-1 when it did not run). */
static int sh(const char *cmd) {
  char full[4096];
  snprintf(full, sizeof full, "%s >'%s/out.txt' 2>'%s/err.txt'", cmd, dir, dir);
  int st = system(full);
  return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static char *out_file(const char *name) {
  char p[400];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return tu_slurp(p, NULL);
}

/* ---- collecting digests ---------------------------------------------------------------------- */

typedef struct got_digest {
  char *recipient, *name, *subject, *body, *section, *toc;
  int alerts, resolved;
} got_digest;

enum { MAX_GOT = 32 };
static got_digest got[MAX_GOT];
static int ngot;
static vg_digest_summary gsum;
static int have_sum;
static char gdiags[4096];

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void on_digest(void *ud, const vg_digest *d) {
  (void)ud;
  if (ngot == MAX_GOT) return;
  got_digest *g = &got[ngot++];
  g->recipient = dup_or_null(d->recipient);
  g->name = dup_or_null(d->name);
  g->subject = dup_or_null(d->subject);
  g->body = dup_or_null(d->body);
  g->section = dup_or_null(d->section);
  g->toc = dup_or_null(d->toc);
  g->alerts = d->alerts;
  g->resolved = d->resolved;
}

static void on_summary(void *ud, const vg_digest_summary *s) {
  (void)ud;
  gsum = *s;
  gsum.pack = gsum.as_of = NULL; /* valid only during the call */
  have_sum = 1;
}

static void on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  size_t n = strlen(gdiags);
  snprintf(gdiags + n, sizeof gdiags - n, "%s [%s]\n", d->message, d->code ? d->code : "no code");
}

static void forget(void) {
  for (int i = 0; i < ngot; i++) {
    free(got[i].recipient);
    free(got[i].name);
    free(got[i].subject);
    free(got[i].body);
    free(got[i].section);
    free(got[i].toc);
  }
  memset(got, 0, sizeof got);
  ngot = 0;
  have_sum = 0;
  memset(&gsum, 0, sizeof gsum);
  gdiags[0] = 0;
}

/* vg_digest_run on db with the given run, pack, format, person and outbox. */
static vg_status digest(const char *db, long long run_id, const char *pack, vg_digest_format f, const char *to, int outbox) {
  forget();
  vg_digest_opts o;
  memset(&o, 0, sizeof o);
  o.db_path = db;
  o.run_id = run_id;
  o.pack = pack;
  o.format = f;
  o.to = to;
  o.outbox = outbox;
  o.diag = on_diag;
  o.digest = on_digest;
  o.summary = on_summary;
  return vg_digest_run(&o);
}

/* The digest of recipient (NULL: the unrouted one), or NULL. */
static const got_digest *find(const char *recipient) {
  for (int i = 0; i < ngot; i++)
    if ((!recipient && !got[i].recipient) || (recipient && got[i].recipient && strcmp(recipient, got[i].recipient) == 0))
      return &got[i];
  return NULL;
}

/* 1 when a occurs in s before b (both occur). */
static int before(const char *s, const char *a, const char *b) {
  const char *x = s ? strstr(s, a) : NULL, *y = s ? strstr(s, b) : NULL;
  if (!x || !y) fprintf(stderr, "\nbefore: missing '%s' or '%s'\n", a, b);
  return x && y && x < y;
}

static int has(const char *s, const char *part) {
  int ok = s && strstr(s, part);
  if (!ok) fprintf(stderr, "\nmissing: %s\nin:\n%s\n", part, s ? s : "(null)");
  return ok;
}

/* ---- who gets what, in which order ------------------------------------------------------------ */

static void test_persons_and_order(void) {
  CU_ASSERT_EQUAL_FATAL(digest(db1, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  /* latest of any pack: run 2 (2025-06-30 after dist's 2025-06-20) */
  CU_ASSERT(have_sum);
  CU_ASSERT_EQUAL(gsum.run_id, 2);
  CU_ASSERT_EQUAL(gsum.alerts, 5);
  CU_ASSERT_EQUAL(gsum.resolved, 1);
  CU_ASSERT_EQUAL(gsum.digests, 5);
  CU_ASSERT_EQUAL(gsum.outbox, 0);
  /* persons by the severity they hold: the highest open tier, then how many
  ** alerts of it, then how many open ones (Lee Park 1 red + 2 orange before
  ** Dana Kim 1 red + 1 orange), then numerically; the unrouted digest last */
  CU_ASSERT_EQUAL_FATAL(ngot, 5);
  const char *order[5] = {"4", "17", "1", "5", NULL};
  for (int i = 0; i < 5; i++) {
    if (order[i]) {
      CU_ASSERT(got[i].recipient && strcmp(got[i].recipient, order[i]) == 0);
    } else {
      CU_ASSERT_PTR_NULL(got[i].recipient);
    }
  }
  CU_ASSERT_STRING_EQUAL(got[0].name, "Lee Park");
  CU_ASSERT_STRING_EQUAL(got[1].name, "Dana Kim");
  CU_ASSERT_STRING_EQUAL(got[2].name, "Ada <Boss>");
  CU_ASSERT_PTR_NULL(got[3].name);
  CU_ASSERT_PTR_NULL(got[4].name);
  /* alerts per digest: the route's second level gets Dana's alerts too */
  int alerts[5] = {3, 2, 1, 1, 1}, resolved[5] = {1, 1, 0, 0, 0};
  for (int i = 0; i < 5; i++) {
    CU_ASSERT_EQUAL(got[i].alerts, alerts[i]);
    CU_ASSERT_EQUAL(got[i].resolved, resolved[i]);
    CU_ASSERT_PTR_EQUAL(got[i].section != NULL, 1);
    CU_ASSERT_STRING_EQUAL(got[i].section, got[i].body); /* text: the section is the body */
  }
  CU_ASSERT_STRING_EQUAL(got[2].subject, "Vigil saas 2025-06-30: 1 orange for Ada <Boss>");
  CU_ASSERT_STRING_EQUAL(got[0].subject, "Vigil saas 2025-06-30: 1 red, 2 orange, 1 resolved for Lee Park");
  CU_ASSERT_STRING_EQUAL(got[3].subject, "Vigil saas 2025-06-30: 1 yellow for 5");
  CU_ASSERT_STRING_EQUAL(got[1].subject, "Vigil saas 2025-06-30: 1 red, 1 orange, 1 resolved for Dana Kim");
  CU_ASSERT_STRING_EQUAL(got[4].subject, "Vigil saas 2025-06-30: 1 red without a recipient");

  /* Lee Park: Dana's key (red) before his own (orange); inside the group the
  ** red alert, the orange one, then the resolved entry (which has no evidence
  ** but joins rep_id 17 by the previous run's key column) */
  const char *lee = find("4")->body;
  CU_ASSERT(has(lee, "Vigil digest for Lee Park (4)\nPack saas, as of 2025-06-30 (run 2): 1 red, 2 orange on 2 keys.\n"));
  CU_ASSERT(before(lee, "\nDana Kim (rep_id 17): red\n", "\nLee Park (key 4): orange\n"));
  CU_ASSERT(before(lee, "* red revenue_at_risk", "* orange conversion_slump: conversion 12%"));
  CU_ASSERT(before(lee, "* orange conversion_slump: conversion 12%", "* resolved milestone_late (was orange)"));
  CU_ASSERT(before(lee, "* resolved milestone_late", "\nLee Park (key 4): orange\n"));
  CU_ASSERT_PTR_NULL(strstr(lee, "key 17"));
  CU_ASSERT(has(lee, "    Routed to you: 1 level above Dana Kim (17).\n"));
  CU_ASSERT(has(lee, "  Since the last run: 1 new, 1 escalated, 1 resolved.\n"));
  CU_ASSERT(has(lee, "\nIn all: 2 new, 1 escalated, 0 ongoing, 1 resolved.\n"));
  /* Dana: her own alerts, not routed from anyone */
  const char *dana = find("17")->body;
  CU_ASSERT_PTR_NULL(strstr(dana, "Routed to you"));
  CU_ASSERT_PTR_NULL(strstr(dana, "key 4"));
  CU_ASSERT(has(dana, "    Escalated from orange; open since 2025-06-02, 3 runs.\n"));
  CU_ASSERT(has(dana, "    New since the last run.\n"));
  CU_ASSERT(has(dana, "    No longer fires; it was open since 2025-06-16, 1 run.\n"));
  /* the trend, with the window's steady column among the values, and the
  ** current values a trend shows left out of them */
  CU_ASSERT(has(dana, "    Trend: conversion rate 0.15 \xe2\x86\x92 0.13 \xe2\x86\x92 0.12 (2025-05-23 to 2025-06-20)\n"));
  CU_ASSERT(has(dana, "    Values: floor 0.16, baseline conversion 0.2, slump 0.2\n"));
  CU_ASSERT(has(dana, "    Trend: at risk 40,000 \xe2\x86\x92 52,000 (2025-06-16 to 2025-06-30)\n"));
  CU_ASSERT(has(dana, "    Values: limit 50,000, grace 5 days, stale false\n"));
  /* 5: ongoing, unchanged */
  const char *five = find("5")->body;
  CU_ASSERT(has(five, "Vigil digest for 5\n"));
  CU_ASSERT(has(five, "    Open since 2025-06-16, 2 runs.\n"));
  CU_ASSERT(has(five, "  No change since the last run.\n"));
  /* Ada, two levels from nobody: one level above Lee Park */
  CU_ASSERT(has(find("1")->body, "    Routed to you: 1 level above Lee Park (4).\n"));
  /* text lines are wrapped: none wider than 72 columns here (no long word) */
  for (int i = 0; i < ngot; i++) {
    const char *p = got[i].body;
    while (*p) {
      size_t n = strcspn(p, "\n"), w = 0;
      for (size_t k = 0; k < n; k++) w += ((unsigned char)p[k] & 0xc0) != 0x80;
      CU_ASSERT(w <= 72);
      p += n + (p[n] == '\n');
    }
  }
  const char *un = find(NULL)->body;
  CU_ASSERT(has(un, "Vigil digest: alerts without a recipient\n"));
  CU_ASSERT(has(un, "\nkey A*b_<c>&#1: red\n  * red snapshot_missing: late *again* <b>bold</b> & [link](x) | pipe\n    _u_ `tick` \\ back\n"));
  forget();
}

/* ---- Markdown: a golden body, and escaping --------------------------------------------------------- */

static const char *const golden_lee_md =
  "# Vigil digest for Lee Park (4)\n"
  "\n"
  "Pack saas, as of 2025-06-30 (run 2): 1 red, 2 orange on 2 keys.\n"
  "\n"
  "## Dana Kim (rep\\_id 17): red\n"
  "\n"
  "- **red** `revenue_at_risk`: revenue 52000 at risk\n"
  "  - Escalated from orange; open since 2025-06-02, 3 runs.\n"
  "  - Routed to you: 1 level above Dana Kim (17).\n"
  "  - Trend: at risk 40,000 \xe2\x86\x92 52,000 (2025-06-16 to 2025-06-30)\n"
  "  - Values: limit 50,000, grace 5 days, stale false\n"
  "- **orange** `conversion_slump`: conversion 12% below 16% for two snapshots\n"
  "  - New since the last run.\n"
  "  - Routed to you: 1 level above Dana Kim (17).\n"
  "  - Trend: conversion rate 0.15 \xe2\x86\x92 0.13 \xe2\x86\x92 0.12 (2025-05-23 to 2025-06-20)\n"
  "  - Values: floor 0.16, baseline conversion 0.2, slump 0.2\n"
  "- **resolved** `milestone_late` (was orange)\n"
  "  - No longer fires; it was open since 2025-06-16, 1 run.\n"
  "  - Routed to you: 1 level above Dana Kim (17).\n"
  "\n"
  "Since the last run: 1 new, 1 escalated, 1 resolved.\n"
  "\n"
  "## Lee Park (key 4): orange\n"
  "\n"
  "- **orange** `conversion_slump`: conversion 10% below 16%\n"
  "  - New since the last run.\n"
  "\n"
  "Since the last run: 1 new.\n"
  "\n"
  "In all: 2 new, 1 escalated, 0 ongoing, 1 resolved.\n";

static const char *const golden_unrouted_md =
  "# Vigil digest: alerts without a recipient\n"
  "\n"
  "Pack saas, as of 2025-06-30 (run 2): 1 red on 1 key.\n"
  "\n"
  "## key A\\*b\\_\\<c\\>\\&\\#1: red\n"
  "\n"
  "- **red** `snapshot_missing`: late \\*again\\* \\<b\\>bold\\</b\\> \\& \\[link\\](x) \\| pipe \\_u\\_ \\`tick\\` \\\\ back\n"
  "  - New since the last run.\n"
  "\n"
  "Since the last run: 1 new.\n"
  "\n"
  "In all: 1 new, 0 escalated, 0 ongoing, 0 resolved.\n";

static void test_markdown(void) {
  CU_ASSERT_EQUAL_FATAL(digest(db1, 2, NULL, VG_DIGEST_MARKDOWN, NULL, 0), VG_OK);
  const got_digest *lee = find("4"), *un = find(NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(lee);
  CU_ASSERT_PTR_NOT_NULL_FATAL(un);
  if (strcmp(lee->body, golden_lee_md) != 0) printf("\nmarkdown, got:\n%s\nwant:\n%s\n", lee->body, golden_lee_md);
  CU_ASSERT_STRING_EQUAL(lee->body, golden_lee_md);
  if (strcmp(un->body, golden_unrouted_md) != 0) printf("\nmarkdown, got:\n%s\nwant:\n%s\n", un->body, golden_unrouted_md);
  CU_ASSERT_STRING_EQUAL(un->body, golden_unrouted_md);
  CU_ASSERT(has(find("1")->body, "# Vigil digest for Ada \\<Boss\\> (1)\n"));
  /* the subject is the same in every format */
  CU_ASSERT_STRING_EQUAL(lee->subject, "Vigil saas 2025-06-30: 1 red, 2 orange, 1 resolved for Lee Park");
  /* deterministic: the same run twice gives the same bodies */
  char *first = strdup(lee->body);
  CU_ASSERT_EQUAL(digest(db1, 2, NULL, VG_DIGEST_MARKDOWN, "4", 0), VG_OK);
  CU_ASSERT_EQUAL(ngot, 1);
  if (ngot == 1) CU_ASSERT_STRING_EQUAL(got[0].body, first);
  free(first);
  forget();
}

/* ---- HTML: a document, every data string escaped ------------------------------------------------------ */

/* 1 when the tags of an HTML text nest properly (void elements aside) and
** no '<' opens anything but a tag, a comment-free doctype or a closing tag. */
static int tags_balanced(const char *h) {
  static const char *const voids[] = {"meta", "br", "hr", "img", "link", "input", "!DOCTYPE", NULL};
  char stack[64][16];
  int depth = 0;
  for (const char *p = h; (p = strchr(p, '<')) != NULL;) {
    const char *e = strchr(p, '>');
    if (!e) return 0;
    int closing = p[1] == '/';
    const char *n = p + 1 + closing;
    size_t len = strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789!DOCTYPE");
    if (len == 0 || len >= 16) { fprintf(stderr, "\nbad tag at: %.40s\n", p); return 0; }
    char name[16];
    memcpy(name, n, len);
    name[len] = 0;
    int is_void = 0;
    for (int i = 0; voids[i]; i++) is_void |= strcmp(voids[i], name) == 0;
    if (closing) {
      if (depth == 0 || strcmp(stack[depth - 1], name) != 0) { fprintf(stderr, "\nunbalanced </%s>\n", name); return 0; }
      depth--;
    } else if (!is_void) {
      if (depth == 64) return 0;
      memcpy(stack[depth++], name, len + 1);
    }
    p = e + 1;
  }
  if (depth) fprintf(stderr, "\nunclosed <%s>\n", stack[depth - 1]);
  return depth == 0;
}

static void test_html(void) {
  CU_ASSERT_EQUAL_FATAL(digest(db1, 2, NULL, VG_DIGEST_HTML, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 5);
  for (int i = 0; i < ngot; i++) {
    const char *b = got[i].body;
    CU_ASSERT(strncmp(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 62) == 0);
    size_t n = strlen(b);
    CU_ASSERT(n > 16 && strcmp(b + n - 16, "</body>\n</html>\n") == 0);
    CU_ASSERT(tags_balanced(b));
    /* the section is the body's <div>, balanced on its own */
    char want[64];
    snprintf(want, sizeof want, "<div id=\"digest-%d\" style=", i + 1);
    CU_ASSERT(strncmp(got[i].section, want, strlen(want)) == 0);
    /* the table of contents entry: a link to the section's anchor */
    snprintf(want, sizeof want, "<li style=\"margin:0 0 4px\"><a href=\"#digest-%d\"", i + 1);
    CU_ASSERT(got[i].toc && strncmp(got[i].toc, want, strlen(want)) == 0);
    CU_ASSERT(got[i].toc && tags_balanced(got[i].toc));
    CU_ASSERT_PTR_NOT_NULL(strstr(b, got[i].section));
    CU_ASSERT(tags_balanced(got[i].section));
    CU_ASSERT_PTR_NULL(strstr(b, "<b>"));
    CU_ASSERT_PTR_NULL(strstr(b, "<Boss>"));
  }
  const char *un = find(NULL)->body;
  CU_ASSERT(has(un, "<title>Vigil saas 2025-06-30: 1 red without a recipient</title>"));
  CU_ASSERT(has(un, ">key A*b_&lt;c&gt;&amp;#1: red</h2>"));
  CU_ASSERT(has(un, "</code>: late *again* &lt;b&gt;bold&lt;/b&gt; &amp; [link](x) | pipe _u_ `tick` \\ back\n"));
  const char *ada = find("1")->body;
  CU_ASSERT(has(ada, "<title>Vigil saas 2025-06-30: 1 orange for Ada &lt;Boss&gt;</title>"));
  CU_ASSERT(has(ada, "<h1 style=\"font-size:20px;margin:0 0 4px\">Vigil digest for Ada &lt;Boss&gt; (1)</h1>"));
  const char *lee = find("4")->body;
  CU_ASSERT(before(lee, ">Dana Kim (rep_id 17): red</h2>", ">Lee Park (key 4): orange</h2>"));
  CU_ASSERT(has(find("4")->toc, ">Lee Park (4)</a>: 1 red, 2 orange; since the last run 2 new, 1 escalated</li>\n"));
  CU_ASSERT(has(find("1")->toc, ">Ada &lt;Boss&gt; (1)</a>: 1 orange; since the last run 1 new</li>\n"));
  CU_ASSERT(has(find("5")->toc, ">5</a>: 1 yellow</li>\n"));
  CU_ASSERT(has(find(NULL)->toc, ">alerts without a recipient</a>: 1 red; since the last run 1 new</li>\n"));
  CU_ASSERT_EQUAL(gsum.new_alerts, 3);
  CU_ASSERT_EQUAL(gsum.escalated, 1);
  CU_ASSERT(has(lee, "<li>Trend: conversion rate 0.15 \xe2\x86\x92 0.13 \xe2\x86\x92 0.12 (2025-05-23 to 2025-06-20)</li>"));
  forget();
}

/* ---- inside a key: tier, then new or escalated before ongoing, then rowid ---------------------------- */

static void test_entry_order(void) {
  char db[300], sql[4096];
  snprintf(sql, sizeof sql, "%s%s", schema_sql,
    "INSERT INTO vigil_runs VALUES (1,'o','2025-01-01','t','t','ok',1,4);"
    "INSERT INTO vigil_alerts VALUES"
    " (1,'o','r_old','orange','7','2025-01-01','old orange','9','ongoing','2024-12-01',3,1,NULL,NULL),"
    " (1,'o','r_yellow','yellow','7','2025-01-01','new yellow','9','new','2025-01-01',1,0,NULL,NULL),"
    " (1,'o','r_new','orange','7','2025-01-01','new orange','9','new','2025-01-01',1,1,NULL,NULL),"
    " (1,'o','r_red','red','7','2025-01-01','old red','9','ongoing','2024-12-01',3,2,NULL,NULL);");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "order.db", sql), 0);
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 1);
  CU_ASSERT(before(got[0].body, "old red", "new orange"));
  CU_ASSERT(before(got[0].body, "new orange", "old orange"));
  CU_ASSERT(before(got[0].body, "old orange", "new yellow"));
  forget();
}

/* Of one tier and newness, by size (docs/LANGUAGE.md §4.6.1), the largest
** first, then those without one in recording order: recorded here in the
** opposite order.  The size in words on the card, in every format and in
** the outbox; a size not of the shape a run records counts as none. */
#define SZ(rel, v, t, op) "'{\"rule\":\"r\",\"key_column\":\"rep_id\",\"values\":{},\"size\":{\"value\":" v \
  ",\"threshold\":" t ",\"op\":\"" op "\",\"rel\":" rel "}}'"
static void test_size_order(void) {
  char db[300], sql[8192];
  snprintf(sql, sizeof sql, "%s%s", schema_sql,
    "INSERT INTO vigil_runs VALUES (1,'z','2025-01-01','t','t','ok',1,6);"
    "INSERT INTO vigil_alerts VALUES"
    " (1,'z','r_none','orange','7','2025-01-01','no size','9','new','2025-01-01',1,1,NULL,NULL),"
    " (1,'z','r_bad','orange','7','2025-01-01','bad size','9','new','2025-01-01',1,1,"
    "  '{\"rule\":\"r\",\"key_column\":\"rep_id\",\"size\":{\"value\":1,\"threshold\":2,\"rel\":0.9}}',NULL),"
    " (1,'z','r_small','orange','7','2025-01-01','small','9','new','2025-01-01',1,1," SZ("0.1", "0.18", "0.2", "<") ",NULL),"
    " (1,'z','r_zero','orange','7','2025-01-01','zero','9','new','2025-01-01',1,1," SZ("3", "3", "0", ">") ",NULL),"
    " (1,'z','r_big','orange','7','2025-01-01','big','9','new','2025-01-01',1,1," SZ("0.5", "0.1", "0.2", "<") ",NULL),"
    " (1,'z','r_old','orange','7','2025-01-01','old huge','9','ongoing','2024-12-01',3,1," SZ("9", "20", "2", ">=") ",NULL),"
    " (1,'z','r_at','yellow','7','2025-01-01','yellow equal','9','new','2025-01-01',1,0," SZ("0", "5", "5", "<=") ",NULL);");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "size.db", sql), 0);
  static const vg_digest_format formats[] = {VG_DIGEST_TEXT, VG_DIGEST_MARKDOWN, VG_DIGEST_HTML};
  for (int f = 0; f < 3; f++) {
    CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, formats[f], NULL, f == 2), VG_OK);
    CU_ASSERT_EQUAL_FATAL(ngot, 1);
    const char *b = got[0].body;
    CU_ASSERT(before(b, "zero", "big"));      /* rel 3 (the threshold is 0: absolute) */
    CU_ASSERT(before(b, "big", "small"));     /* 0.5 before 0.1 */
    CU_ASSERT(before(b, "small", "no size")); /* then those without a size, in recording order */
    CU_ASSERT(before(b, "no size", "bad size"));
    CU_ASSERT(before(b, "bad size", "old huge")); /* newness before size */
    CU_ASSERT(before(b, "old huge", "yellow equal"));       /* tier before both */
    CU_ASSERT(has(b, "Size: 0.1, 50% below the threshold 0.2."));
    CU_ASSERT(has(b, "Size: 3, 3 above the threshold 0."));
    CU_ASSERT(has(b, "Size: 20, 900% above the threshold 2."));
    CU_ASSERT(has(b, "Size: 5, at the threshold 5."));
    CU_ASSERT(!strstr(b, "Size: 1,")); /* the bad one shows none */
    if (f == 2) {
      sqlite3 *h = NULL;
      sqlite3_stmt *st = NULL;
      int same = 0;
      if (sqlite3_open(db, &h) == SQLITE_OK &&
          sqlite3_prepare_v2(h, "SELECT body FROM vigil_outbox WHERE recipient = '9'", -1, &st, NULL) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW)
        same = strcmp((const char *)sqlite3_column_text(st, 0), b) == 0;
      sqlite3_finalize(st);
      sqlite3_close(h);
      CU_ASSERT(same);
    }
  }
  forget();
}
#undef SZ

/* The values of an alert: with evidence that names its params, the params
** (thresholds) on a line of their own, a param used as a fraction as a
** percent, durations of whole weeks in weeks; without, one line as recorded. */
static void test_values(void) {
  char db[300], sql[4096];
  snprintf(sql, sizeof sql, "%s%s", schema_sql,
    "INSERT INTO vigil_runs VALUES (1,'v','2025-06-30','t','t','ok',1,2);"
    "INSERT INTO vigil_alerts VALUES"
    " (1,'v','slump','orange','7','2025-06-30','m1','9','new','2025-06-30',1,1,"
    "  '{\"rule\":\"slump\",\"key_column\":\"rep_id\",\"values\":{\"floor\":0.16,\"rate\":0.12,"
    "\"late\":\"21 days\",\"due\":\"2025-06-01\",\"slump\":0.125,\"grace\":\"14 days\",\"wait\":\"1 day\","
    "\"limit\":50000},\"params\":{\"slump\":\"percent\",\"grace\":\"duration\",\"wait\":\"duration\","
    "\"limit\":\"number\"}}',NULL),"
    " (1,'v','old','yellow','8','2025-06-30','m2','9','new','2025-06-30',1,0,"
    "  '{\"rule\":\"old\",\"key_column\":\"rep_id\",\"values\":{\"rate\":0.12,\"slump\":0.2}}',NULL);");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "values.db", sql), 0);
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 1);
  const char *b = got[0].body;
  CU_ASSERT(has(b, "    Values: floor 0.16, rate 0.12, late 3 weeks, due 2025-06-01\n"));
  CU_ASSERT(has(b, "    Thresholds: slump 12.5%, grace 2 weeks, wait 1 day, limit 50,000\n"));
  CU_ASSERT(has(b, "    Values: rate 0.12, slump 0.2\n")); /* no params object: as recorded, on one line */
  if (!has(b, "Thresholds: slump 12.5%")) printf("\n%s\n", b);
  forget();
}

/* A card is headed by the entity's name: the evidence's label (the source's
** label column), else the org chart's name of a key that is a person (an
** alert of the run routed to its own key names it), else the key. */
static void test_names(void) {
  char db[300], sql[4096];
  snprintf(sql, sizeof sql, "%s%s", schema_sql,
    "INSERT INTO vigil_runs VALUES (1,'n','2025-06-30','t','t','ok',1,6);"
    "INSERT INTO vigil_alerts VALUES"
    " (1,'n','a','orange','7','2025-06-30','m7','4','new','2025-06-30',1,1,"
    "  '{\"rule\":\"a\",\"key_column\":\"rep_id\",\"label\":\"Ann Lee\",\"values\":{}}',"
    "  '[{\"to\":\"4\",\"name\":\"Boss\",\"level\":0}]'),"
    /* rep 8 alerts 4; another alert of rep 8 goes to 8 itself, who is Bo Chen */
    " (1,'n','b','orange','8','2025-06-30','m8','4','new','2025-06-30',1,1,"
    "  '{\"rule\":\"b\",\"key_column\":\"rep_id\",\"values\":{}}','[{\"to\":\"4\",\"name\":\"Boss\",\"level\":0}]'),"
    " (1,'n','c','yellow','8','2025-06-30','m8b','8','new','2025-06-30',1,0,"
    "  '{\"rule\":\"c\",\"key_column\":\"rep_id\",\"values\":{}}',"
    "  '[{\"to\":\"8\",\"name\":\"Bo Chen\",\"level\":0},{\"to\":\"4\",\"name\":\"Boss\",\"level\":1}]'),"
    /* milestone 8 is not person 8: another key column */
    " (1,'n','d','yellow','8','2025-06-30','m8c','4','new','2025-06-30',1,0,"
    "  '{\"rule\":\"d\",\"key_column\":\"milestone_id\",\"values\":{}}','[{\"to\":\"4\",\"name\":\"Boss\",\"level\":0}]'),"
    /* a null or empty label names nothing */
    " (1,'n','e','yellow','9','2025-06-30','m9','4','new','2025-06-30',1,0,"
    "  '{\"rule\":\"e\",\"key_column\":\"rep_id\",\"label\":null,\"values\":{}}','[{\"to\":\"4\",\"name\":\"Boss\",\"level\":0}]'),"
    " (1,'n','f','yellow','10','2025-06-30','m10','4','new','2025-06-30',1,0,"
    "  '{\"rule\":\"f\",\"key_column\":\"rep_id\",\"label\":\"\",\"values\":{}}','[{\"to\":\"4\",\"name\":\"Boss\",\"level\":0}]');");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "names.db", sql), 0);
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_TEXT, "4", 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 1);
  const char *b = got[0].body;
  CU_ASSERT(has(b, "\nAnn Lee (rep_id 7): orange\n"));
  CU_ASSERT(has(b, "\nBo Chen (rep_id 8): orange\n"));
  CU_ASSERT(has(b, "\nmilestone_id 8: yellow\n"));
  CU_ASSERT(has(b, "\nrep_id 9: yellow\n"));
  CU_ASSERT(has(b, "\nrep_id 10: yellow\n"));
  if (!has(b, "Ann Lee (rep_id 7)")) printf("\n%s\n", b);
  forget();
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_MARKDOWN, "4", 0), VG_OK);
  CU_ASSERT(ngot == 1 && has(got[0].body, "\n## Ann Lee (rep\\_id 7): orange\n"));
  forget();
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_HTML, "4", 0), VG_OK);
  CU_ASSERT(ngot == 1 && has(got[0].body, ">Bo Chen (rep_id 8): orange</h2>"));
  forget();
}

/* The SaaS demo (examples/saas, make demo): its rep sources declare `label
** rep_name`, so a rep's card is headed by the rep's name, not `rep_id 17`
** (issue 16, item 12).  Rep 17 loses 15% of contract amount (red, to 9002). */
static void test_saas_demo_names(void) {
  char db[300], cmd[2048], path[600];
  snprintf(db, sizeof db, "%s/saas.db", dir);
  remove(db);
  sqlite3 *h = NULL;
  CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &h), SQLITE_OK);
  const char *files[] = {"schema.sql", "demo.sql"};
  int ok = 1;
  for (int i = 0; i < 2 && ok; i++) {
    snprintf(path, sizeof path, "%s/examples/saas/%s", tu_root(), files[i]);
    char *sql = tu_slurp(path, NULL), *err = NULL;
    ok = sql && sqlite3_exec(h, sql, NULL, NULL, &err) == SQLITE_OK;
    if (!ok) fprintf(stderr, "\n  %s: %s\n", path, err ? err : "unreadable");
    sqlite3_free(err);
    free(sql);
  }
  sqlite3_close(h);
  CU_ASSERT_FATAL(ok);
  const char *v = tu_vigil();
  snprintf(cmd, sizeof cmd, "'%s' run --db '%s' --as-of 2025-06-30 '%s/examples/saas'", v, db, tu_root());
  CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --format text --to 9002", v, db);
  CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
  char *o = out_file("out.txt");
  CU_ASSERT(has(o, "\nInes Garcia (rep_id 17): red\n"));
  CU_ASSERT_PTR_NULL(o ? strstr(o, "\nrep_id 17:") : NULL);
  if (!has(o, "Ines Garcia (rep_id 17)")) printf("\n%.3000s\n", o ? o : "(no output)");
  free(o);
  /* every digest: a rep's card from the activity rollup, and a goal
  ** revision's, are named by their labels' lookups (no "rep_id N" left),
  ** a team's by the org's name for its supervisor */
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --format text", v, db);
  CU_ASSERT_EQUAL_FATAL(sh(cmd), 0);
  o = out_file("out.txt");
  CU_ASSERT(has(o, "\nMateo Herrera (rep_id 172): orange\n"));
  CU_ASSERT(has(o, "\nSamuel Brennan (revision_id 914): yellow\n"));
  /* a team's card in its director's digest: person_name(supervisor_id) */
  CU_ASSERT(has(o, "\nEmery Sato (supervisor_id 9017): red\n"));
  CU_ASSERT_PTR_NULL(o ? strstr(o, "\nsupervisor_id ") : NULL);
  CU_ASSERT_PTR_NULL(o ? strstr(o, "\nrep_id ") : NULL);
  free(o);
}

/* ---- the outbox ------------------------------------------------------------------------------------- */

static void test_outbox(void) {
  char db[300], sql[8192];
  snprintf(sql, sizeof sql, "%s%s", schema_sql, fixture_sql);
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "outbox.db", sql), 0);
  /* markdown, every digest */
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_MARKDOWN, NULL, 1), VG_OK);
  CU_ASSERT_EQUAL(gsum.outbox, 5);
  ROWS(db, "SELECT run_id, coalesce(recipient, '-'), format, subject FROM vigil_outbox ORDER BY id",
       "2|4|markdown|Vigil saas 2025-06-30: 1 red, 2 orange, 1 resolved for Lee Park\n"
       "2|17|markdown|Vigil saas 2025-06-30: 1 red, 1 orange, 1 resolved for Dana Kim\n"
       "2|1|markdown|Vigil saas 2025-06-30: 1 orange for Ada <Boss>\n"
       "2|5|markdown|Vigil saas 2025-06-30: 1 yellow for 5\n"
       "2|-|markdown|Vigil saas 2025-06-30: 1 red without a recipient\n");
  /* the bodies are those handed over; created is a UTC timestamp */
  ROWS(db, "SELECT count(*) FROM vigil_outbox WHERE created GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'", "5\n");
  {
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int same = 0;
    if (sqlite3_open(db, &h) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT body FROM vigil_outbox WHERE recipient = '4'", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      same = strcmp((const char *)sqlite3_column_text(st, 0), find("4")->body) == 0;
    sqlite3_finalize(st);
    sqlite3_close(h);
    CU_ASSERT(same);
  }
  /* again: replaced, not added */
  CU_ASSERT_EQUAL(digest(db, 2, NULL, VG_DIGEST_MARKDOWN, NULL, 1), VG_OK);
  ROWS(db, "SELECT count(*), count(DISTINCT recipient), count(recipient IS NULL OR NULL) FROM vigil_outbox", "5|4|1\n");
  /* html for one person: added beside the markdown rows; twice: still one */
  CU_ASSERT_EQUAL(digest(db, 2, NULL, VG_DIGEST_HTML, "Lee Park", 1), VG_OK);
  CU_ASSERT_EQUAL(digest(db, 2, NULL, VG_DIGEST_HTML, "4", 1), VG_OK);
  CU_ASSERT_EQUAL(gsum.outbox, 1);
  ROWS(db, "SELECT format, count(*) FROM vigil_outbox GROUP BY format ORDER BY format", "html|1\nmarkdown|5\n");
  ROWS(db, "SELECT recipient, substr(body, 1, 15) FROM vigil_outbox WHERE format = 'html'", "4|<!DOCTYPE html>\n");
  /* html for everyone replaces that one row too */
  CU_ASSERT_EQUAL(digest(db, 2, NULL, VG_DIGEST_HTML, NULL, 1), VG_OK);
  ROWS(db, "SELECT format, count(*) FROM vigil_outbox GROUP BY format ORDER BY format", "html|5\nmarkdown|5\n");
  /* another run's rows are separate */
  CU_ASSERT_EQUAL(digest(db, 0, "dist", VG_DIGEST_MARKDOWN, NULL, 1), VG_OK);
  ROWS(db, "SELECT run_id, format, count(*) FROM vigil_outbox GROUP BY 1, 2 ORDER BY 1, 2", "2|html|5\n2|markdown|5\n3|markdown|1\n");
  /* a read-only database: an error, nothing written */
  char uri[400];
  snprintf(uri, sizeof uri, "file:%s?mode=ro", db);
  CU_ASSERT_EQUAL(digest(uri, 2, NULL, VG_DIGEST_TEXT, NULL, 1), VG_EDB);
  CU_ASSERT(has(gdiags, "the database is read-only, and storing the digests in vigil_outbox writes into it [E-read-only]\n"));
  CU_ASSERT_EQUAL(ngot, 0);
  ROWS(db, "SELECT count(*) FROM vigil_outbox WHERE format = 'text'", "0\n");
  /* without outbox the database is only read (and works read-only) */
  CU_ASSERT_EQUAL(digest(uri, 2, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL(ngot, 5);
  forget();
}

/* ---- which run ---------------------------------------------------------------------------------------- */

static void test_run_selection(void) {
  CU_ASSERT_EQUAL(digest(db1, 0, "dist", VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL(gsum.run_id, 3);
  CU_ASSERT_EQUAL(ngot, 1);
  if (ngot == 1) CU_ASSERT_STRING_EQUAL(got[0].subject, "Vigil dist 2025-06-20: 1 red for 77");
  CU_ASSERT_EQUAL(digest(db1, 3, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL(gsum.run_id, 3);
  CU_ASSERT_EQUAL(digest(db1, 1, "saas", VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL(gsum.run_id, 1);
  /* run 1 has no previous run: its ongoing alert cannot say from which tier */
  CU_ASSERT_EQUAL(digest(db1, 0, "saas", VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL(gsum.run_id, 2);
  /* errors */
  CU_ASSERT_EQUAL(digest(db1, 99, NULL, VG_DIGEST_TEXT, NULL, 0), VG_EINPUT);
  CU_ASSERT(has(gdiags, "no run 99 in vigil_runs [E-no-run]\n"));
  CU_ASSERT_EQUAL(ngot, 0);
  CU_ASSERT_FALSE(have_sum);
  CU_ASSERT_EQUAL(digest(db1, 3, "saas", VG_DIGEST_TEXT, NULL, 0), VG_EINPUT);
  CU_ASSERT(has(gdiags, "run 3 is a run of pack dist, not saas [E-no-run]\n"));
  CU_ASSERT_EQUAL(digest(db1, 0, "nope", VG_DIGEST_TEXT, NULL, 0), VG_EINPUT);
  CU_ASSERT(has(gdiags, "no recorded run of pack nope [E-no-run]\n"));
  CU_ASSERT_EQUAL(digest(db1, -1, NULL, VG_DIGEST_TEXT, NULL, 0), VG_EUSAGE);
  CU_ASSERT(has(gdiags, "a digest needs a database, a run id >= 0 (0: the latest) and a format [E-options]\n"));
  CU_ASSERT_EQUAL(digest(db1, 0, NULL, (vg_digest_format)7, NULL, 0), VG_EUSAGE);
  char db[300];
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "plain.db", "CREATE TABLE sales(x);"), 0);
  CU_ASSERT_EQUAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_EINPUT);
  CU_ASSERT(has(gdiags, "no recorded runs here"));
  CU_ASSERT(has(gdiags, "'vigil run' records them) [E-no-run]\n"));
  snprintf(db, sizeof db, "%s/missing.db", dir);
  CU_ASSERT_EQUAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_EDB);
  CU_ASSERT(has(gdiags, "cannot open the database"));
  CU_ASSERT(has(gdiags, "[E-database]\n"));
  /* latest: the largest as_of, then the largest run_id; no runs at all */
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "ties.db", schema_sql), 0);
  CU_ASSERT_EQUAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_EINPUT);
  CU_ASSERT(has(gdiags, "no recorded run (vigil_runs is empty) [E-no-run]\n"));
  char sql[2048];
  snprintf(sql, sizeof sql, "%s%s", schema_sql,
           "INSERT INTO vigil_runs VALUES (5,'b','2025-01-02','t','t','ok',1,0),(6,'a','2025-01-02','t','t','ok',1,0),"
           "(7,'c','2025-01-01','t','t','ok',1,0);");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "ties.db", sql), 0);
  /* a run without alerts: no digest, and that is fine */
  CU_ASSERT_EQUAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL(gsum.run_id, 6);
  CU_ASSERT_EQUAL(gsum.alerts, 0);
  CU_ASSERT_EQUAL(gsum.digests, 0);
  CU_ASSERT_EQUAL(ngot, 0);
  CU_ASSERT_EQUAL(digest(db, 0, "c", VG_DIGEST_TEXT, NULL, 1), VG_OK);
  CU_ASSERT_EQUAL(gsum.run_id, 7);
  ROWS(db, "SELECT count(*) FROM vigil_outbox", "0\n");
  /* --to someone with nothing in the run */
  CU_ASSERT_EQUAL(digest(db1, 2, NULL, VG_DIGEST_TEXT, "nobody", 0), VG_OK);
  CU_ASSERT_EQUAL(ngot, 0);
  forget();
}

/* ---- older databases, odd data -------------------------------------------------------------------------- */

static void test_old_schema(void) {
  /* no tier_rank, evidence or route: the recipient only, no trend, tiers by name */
  char db[300];
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "old.db",
    "CREATE TABLE vigil_runs(run_id INTEGER PRIMARY KEY AUTOINCREMENT, pack TEXT NOT NULL, as_of TEXT NOT NULL,"
    " started_at TEXT NOT NULL, finished_at TEXT NOT NULL, status TEXT NOT NULL, rows_read INTEGER NOT NULL, alerts INTEGER NOT NULL);"
    "CREATE TABLE vigil_alerts(run_id INTEGER NOT NULL, pack TEXT NOT NULL, rule TEXT NOT NULL, tier TEXT NOT NULL,"
    " key TEXT NOT NULL, as_of TEXT NOT NULL, message TEXT, recipient TEXT, status TEXT NOT NULL DEFAULT 'new',"
    " first_seen TEXT, runs INTEGER NOT NULL DEFAULT 1);"
    "INSERT INTO vigil_runs VALUES (1,'old','2025-03-01','t','t','ok',1,3),(2,'old','2025-03-14','t','t','ok',1,4);"
    "INSERT INTO vigil_alerts VALUES (1,'old','r1','yellow','9','2025-03-01','m','900','new','2025-03-01',1),"
    " (2,'old','r1','orange','9','2025-03-14','r1 on 9','900','escalated','2025-03-01',2),"
    " (2,'old','r2','yellow','10','2025-03-14','r2 on 10','900','new','2025-03-14',1),"
    " (2,'old','r3','red','11','2025-03-14','r3 on 11','900','new','2025-03-14',1),"
    " (2,'old','r4','red','12','2025-03-14','r4 on 12',NULL,'new','2025-03-14',1);"), 0);
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 2);
  const char *b = find("900")->body;
  CU_ASSERT(has(b, "Vigil digest for 900\nPack old, as of 2025-03-14 (run 2): 1 red, 1 orange, 1 yellow on 3 keys.\n"));
  CU_ASSERT(before(b, "\nkey 11: red\n", "\nkey 9: orange\n"));
  CU_ASSERT(before(b, "\nkey 9: orange\n", "\nkey 10: yellow\n"));
  CU_ASSERT(has(b, "    Escalated from yellow; open since 2025-03-01, 2 runs.\n"));
  CU_ASSERT_PTR_NULL(strstr(b, "Trend:"));
  CU_ASSERT_PTR_NULL(strstr(b, "Routed"));
  CU_ASSERT_STRING_EQUAL(find(NULL)->subject, "Vigil old 2025-03-14: 1 red without a recipient");
  /* older still: no status, first_seen or runs: every alert is new */
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "older.db",
    "CREATE TABLE vigil_runs(run_id INTEGER PRIMARY KEY AUTOINCREMENT, pack TEXT NOT NULL, as_of TEXT NOT NULL,"
    " started_at TEXT NOT NULL, finished_at TEXT NOT NULL, status TEXT NOT NULL, rows_read INTEGER NOT NULL, alerts INTEGER NOT NULL);"
    "CREATE TABLE vigil_alerts(run_id INTEGER NOT NULL, pack TEXT NOT NULL, rule TEXT NOT NULL, tier TEXT NOT NULL,"
    " key TEXT NOT NULL, as_of TEXT NOT NULL, message TEXT, recipient TEXT);"
    "INSERT INTO vigil_runs VALUES (1,'older','2025-03-01','t','t','ok',1,2);"
    "INSERT INTO vigil_alerts VALUES (1,'older','r','watch','b','2025-03-01',NULL,'x'),"
    " (1,'older','r','act','a','2025-03-01','go','x');"), 0);
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_MARKDOWN, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 1);
  /* custom tiers without tier_rank: ranked by first appearance in the run,
  ** the first lowest (watch 0, act 1) */
  CU_ASSERT(before(got[0].body, "## key a: act", "## key b: watch"));
  CU_ASSERT(has(got[0].body, "- **watch** `r`\n  - New since the last run.\n"));
  CU_ASSERT(has(got[0].body, "In all: 2 new, 0 escalated, 0 ongoing, 0 resolved.\n"));
  forget();
}

static void test_odd_data(void) {
  /* tier_rank wins over names; invalid JSON counts as absent; a route entry
  ** without "to" is skipped; a person twice on one route gets it once;
  ** control characters and bad UTF-8 are shown as escapes; a long window is cut */
  char db[300], sql[8192];
  snprintf(sql, sizeof sql, "%s%s", schema_sql,
    "INSERT INTO vigil_runs VALUES (1,'odd','2025-02-01','t','t','ok',1,4);"
    "INSERT INTO vigil_alerts VALUES"
    " (1,'odd','a','watch','1','2025-02-01','low','p','new','2025-02-01',1,0,'not json','{bad'),"
    " (1,'odd','b','act','2','2025-02-01','high','p','new','2025-02-01',1,1,"
    "  '{\"key_column\":\"deal\",\"values\":[1,2],\"window\":{\"dates\":\"x\",\"v\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14]}}',"
    "  '[{\"name\":\"no to\"},{\"to\":\"p\",\"name\":\"Pat\",\"level\":0},{\"to\":\"p\",\"level\":1},7]'),"
    " (1,'odd','c','act','3','2025-02-01','line one' || char(10) || 'line two' || char(27) || '[31m' || x'ff','q','new','2025-02-01',1,1,NULL,"
    "  '[{\"to\":\"q\",\"name\":null,\"level\":0},{\"to\":9,\"level\":2}]');");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "odd.db", sql), 0);
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_TEXT, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 3);
  const got_digest *p = find("p"), *q = find("q"), *nine = find("9");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_PTR_NOT_NULL_FATAL(q);
  CU_ASSERT_PTR_NOT_NULL_FATAL(nine);
  CU_ASSERT_EQUAL(p->alerts, 2);
  CU_ASSERT_STRING_EQUAL(p->name, "Pat");
  CU_ASSERT(before(p->body, "\ndeal 2: act\n", "\nkey 1: watch\n"));
  CU_ASSERT(has(p->body, "    Trend: v \xe2\x80\xa6 \xe2\x86\x92 3 \xe2\x86\x92 4"));
  CU_ASSERT(has(p->body, "\xe2\x86\x92 14\n"));
  /* (the terminal rule: the line break becomes a space, ESC and the byte
  ** that is not UTF-8 visible escapes) */
  CU_ASSERT(has(q->body, "* act c: line one line two\\x1b[31m\\xff\n"));
  CU_ASSERT(has(nine->body, "    Routed to you: 2 levels above q.\n"));
  CU_ASSERT_STRING_EQUAL(nine->subject, "Vigil odd 2025-02-01: 1 act for 9");
  forget();
}

/* ---- many alerts; out of memory ---------------------------------------------------------------------------- */

static void test_many(void) {
  /* 300 alerts on 120 keys for 30 reps, every one routed to "boss" too:
  ** every array grows past its first block */
  char db[300], sql[4096];
  snprintf(sql, sizeof sql, "%s%s", schema_sql,
    "INSERT INTO vigil_runs VALUES (1,'many','2025-01-01','t','t','ok',1,300);"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
    " INSERT INTO vigil_alerts SELECT 1, 'many', 'r' || (i % 5), CASE i % 3 WHEN 0 THEN 'yellow' WHEN 1 THEN 'orange' ELSE 'red' END,"
    " CAST(i % 120 AS TEXT), '2025-01-01', 'm' || i, CAST(i % 30 AS TEXT), 'new', '2025-01-01', 1, i % 3,"
    " json_object('key_column', 'k', 'values', json_object('a', i, 'b', i * 0.5),"
    "   'window', json_object('dates', json_array('2024-12-01', '2025-01-01'), 'x', json_array(i, i + 1))),"
    " json_array(json_object('to', CAST(i % 30 AS TEXT), 'name', 'N' || (i % 30), 'level', 0),"
    "   json_object('to', 'boss', 'name', 'Boss', 'level', 1))"
    " FROM n;");
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "many.db", sql), 0);
  CU_ASSERT_EQUAL_FATAL(digest(db, 0, NULL, VG_DIGEST_HTML, NULL, 0), VG_OK);
  CU_ASSERT_EQUAL_FATAL(ngot, 31);
  /* the boss first (100 red), then the reps with red alerts (rep r gets
  ** tier r % 3), orange, yellow, each tier numerically */
  CU_ASSERT_STRING_EQUAL(got[0].recipient, "boss");
  CU_ASSERT_EQUAL(got[0].alerts, 300);
  CU_ASSERT_STRING_EQUAL(got[0].subject, "Vigil many 2025-01-01: 100 red, 100 orange, 100 yellow for Boss");
  for (int i = 1; i <= 30; i++) {
    int k = i - 1, r = (k / 10 == 0 ? 2 : k / 10 == 1 ? 1 : 0) + 3 * (k % 10);
    char want[16];
    snprintf(want, sizeof want, "%d", r);
    CU_ASSERT(got[i].recipient && strcmp(got[i].recipient, want) == 0);
    CU_ASSERT_EQUAL(got[i].alerts, 10);
  }
  /* keys of red alerts first (numerically), then orange, then yellow */
  CU_ASSERT(before(got[0].body, ">N2 (k 2): red</h2>", ">N5 (k 5): red</h2>"));
  CU_ASSERT(before(got[0].body, ">k 119: red</h2>", ">N1 (k 1): orange</h2>"));
  CU_ASSERT(before(got[0].body, ">k 118: orange</h2>", ">N0 (k 0): yellow</h2>"));
  CU_ASSERT(tags_balanced(got[0].body));
  forget();
}

/* Every allocation failing in turn: VG_ENOMEM, nothing handed over and
** nothing written; then the whole right result.  (SAN=1 finds leaks.) */
static void test_out_of_memory(void) {
  char db[300], sql[8192];
  snprintf(sql, sizeof sql, "%s%s", schema_sql, fixture_sql);
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "oom.db", sql), 0);
  int ok = 0, failed = 0;
  for (long k = 0; k < 100000 && !ok; k++) {
    vg_mem_fail_after(k);
    vg_status st = digest(db, 2, NULL, VG_DIGEST_MARKDOWN, NULL, 1);
    vg_mem_fail_after(-1);
    if (st == VG_OK) {
      ok = 1;
      const got_digest *lee = find("4");
      CU_ASSERT(lee && strcmp(lee->body, golden_lee_md) == 0);
      CU_ASSERT_EQUAL(ngot, 5);
    } else {
      CU_ASSERT_EQUAL(st, VG_ENOMEM);
      CU_ASSERT_EQUAL(ngot, 0);
      failed++;
      if (failed % 25 == 1) ROWS(db, "SELECT count(*) FROM sqlite_master WHERE name = 'vigil_outbox'", "0\n");
    }
  }
  CU_ASSERT(ok);
  CU_ASSERT(failed > 20);
  ROWS(db, "SELECT count(*) FROM vigil_outbox", "5\n");
  forget();
}

/* ---- the command ------------------------------------------------------------------------------------------ */

static void test_cli(void) {
  char cmd[2048];
  const char *v = tu_vigil();
  snprintf(cmd, sizeof cmd, "'%s' digest --help", v);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  char *o = out_file("out.txt");
  CU_ASSERT(has(o, "usage: vigil digest --db FILE"));
  free(o);
  snprintf(cmd, sizeof cmd, "'%s' --help", v);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  o = out_file("out.txt");
  CU_ASSERT(has(o, "  digest "));
  free(o);
  /* usage errors */
  const char *bad[] = {"", "--db", "--db x.db --run abc", "--db x.db --run 0", "--db x.db --format pdf", "--db x.db --bogus",
                       "--db x.db extra", "--db x.db --to ''"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    snprintf(cmd, sizeof cmd, "'%s' digest %s", v, bad[i]);
    int rc = sh(cmd);
    if (rc != 2) fprintf(stderr, "\n'%s': exit %d\n", bad[i], rc);
    CU_ASSERT_EQUAL(rc, 2);
  }
  /* run errors */
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --run 99", v, db1);
  CU_ASSERT_EQUAL(sh(cmd), 1);
  o = out_file("err.txt");
  CU_ASSERT(has(o, "no run 99 in vigil_runs"));
  free(o);
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s/missing.db'", v, dir);
  CU_ASSERT_EQUAL(sh(cmd), 1);
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --run 3 --pack saas", v, db1);
  CU_ASSERT_EQUAL(sh(cmd), 1);
  /* text: digests one after another */
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --run latest", v, db1);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  o = out_file("out.txt");
  CU_ASSERT(before(o, "Vigil digest for Lee Park (4)\n", "\n========================================================================\n\nVigil digest for Dana Kim (17)\n"));
  CU_ASSERT(before(o, "Vigil digest for Dana Kim (17)\n", "Vigil digest: alerts without a recipient\n"));
  free(o);
  o = out_file("err.txt");
  CU_ASSERT(has(o, "vigil: run 2 (pack saas, as of 2025-06-30): 5 digests; 5 alerts, 1 resolved in the run\n"));
  free(o);
  /* markdown, one person by name, into a file: the library's body exactly */
  char path[400];
  snprintf(path, sizeof path, "%s/lee.md", dir);
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --format markdown --to 'Lee Park' -o '%s'", v, db1, path);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  o = tu_slurp(path, NULL);
  CU_ASSERT(o && strcmp(o, golden_lee_md) == 0);
  free(o);
  /* markdown, several: separated by a thematic break */
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --format markdown", v, db1);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  o = out_file("out.txt");
  CU_ASSERT(has(o, "In all: 2 new, 1 escalated, 0 ongoing, 1 resolved.\n\n---\n\n# Vigil digest for Dana Kim (17)\n"));
  free(o);
  /* html, several: one page, a section each */
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --format html", v, db1);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  o = out_file("out.txt");
  CU_ASSERT(o && strncmp(o, "<!DOCTYPE html>", 15) == 0 && strstr(o + 1, "<!DOCTYPE") == NULL);
  CU_ASSERT(has(o, "<title>Vigil saas 2025-06-30: 5 digests</title>"));
  CU_ASSERT(tags_balanced(o));
  int sections = 0;
  for (const char *p = o; p && (p = strstr(p, "<div id=\"digest-")) != NULL; p++) sections++;
  CU_ASSERT_EQUAL(sections, 5);
  /* the summary first: the run, what changed, then who holds what, most
  ** severe first, each a link to the section */
  CU_ASSERT(before(o, "<body", "<div id=\"summary\""));
  CU_ASSERT(has(o, ">Vigil saas, as of 2025-06-30 (run 2)</h1>"));
  CU_ASSERT(has(o, ">5 open alerts, 1 resolved; since the last run: 3 new, 1 escalated.</p>"));
  CU_ASSERT(before(o, "<div id=\"summary\"", "<div id=\"digest-1\""));
  CU_ASSERT(before(o, "<a href=\"#digest-1\"", "<a href=\"#digest-5\""));
  CU_ASSERT(before(o, "<a href=\"#digest-5\"", "<div id=\"digest-1\""));
  CU_ASSERT_PTR_NULL(strstr(o, "<script"));
  free(o);
  /* html, one person: the digest's own document */
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --format html --to 17", v, db1);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  o = out_file("out.txt");
  CU_ASSERT(has(o, "<title>Vigil saas 2025-06-30: 1 red, 1 orange, 1 resolved for Dana Kim</title>"));
  free(o);
  /* the outbox from the command */
  char db[300], sql[8192];
  snprintf(sql, sizeof sql, "%s%s", schema_sql, fixture_sql);
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "cli.db", sql), 0);
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s' --outbox --format html --pack saas", v, db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  ROWS(db, "SELECT run_id, format, count(*) FROM vigil_outbox GROUP BY 1, 2", "2|html|5\n");
  o = out_file("err.txt");
  CU_ASSERT(has(o, "stored in vigil_outbox"));
  free(o);
  /* a run without alerts: exit 0, and it says so */
  CU_ASSERT_EQUAL_FATAL(make_db(db, sizeof db, "empty.db", schema_sql), 0);
  {
    sqlite3 *h = NULL;
    CU_ASSERT_EQUAL(sqlite3_open(db, &h), SQLITE_OK);
    CU_ASSERT_EQUAL(sqlite3_exec(h, "INSERT INTO vigil_runs VALUES (1,'e','2025-01-01','t','t','ok',3,0)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
  }
  snprintf(cmd, sizeof cmd, "'%s' digest --db '%s'", v, db);
  CU_ASSERT_EQUAL(sh(cmd), 0);
  o = out_file("err.txt");
  CU_ASSERT(has(o, "vigil: run 1 (pack e, as of 2025-01-01) has no alerts: no digest\n"));
  free(o);
  o = out_file("out.txt");
  CU_ASSERT(o && !*o);
  free(o);
}

/* ---- registration ------------------------------------------------------------------------------------------- */

static int suite_init(void) {
  snprintf(dir, sizeof dir, "/tmp/vigil-digest-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  char sql[8192];
  snprintf(sql, sizeof sql, "%s%s", schema_sql, fixture_sql);
  return make_db(db1, sizeof db1, "fixture.db", sql);
}

static int suite_cleanup(void) {
  forget();
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int unit_register_digest(void) {
  CU_pSuite s = CU_add_suite("digest", suite_init, suite_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "persons, grouping, order and texts", test_persons_and_order) ||
      !CU_add_test(s, "markdown: golden body and escaping", test_markdown) ||
      !CU_add_test(s, "html: documents and escaping", test_html) ||
      !CU_add_test(s, "inside a key: tier, new or escalated first", test_entry_order) ||
      !CU_add_test(s, "inside a key: then size, the largest first", test_size_order) ||
      !CU_add_test(s, "values: thresholds apart, percents, weeks", test_values) ||
      !CU_add_test(s, "cards named by the label or the org chart", test_names) ||
      !CU_add_test(s, "the SaaS demo: rep cards headed by the rep's name", test_saas_demo_names) ||
      !CU_add_test(s, "outbox: rows, replaced on a second run", test_outbox) ||
      !CU_add_test(s, "run selection and errors", test_run_selection) ||
      !CU_add_test(s, "older schemas", test_old_schema) ||
      !CU_add_test(s, "odd data: ranks, bad JSON, controls", test_odd_data) ||
      !CU_add_test(s, "many alerts: every array grows", test_many) ||
      !CU_add_test(s, "out of memory at every allocation", test_out_of_memory) ||
      !CU_add_test(s, "vigil digest: output and exit statuses", test_cli))
    return CU_get_error();
  return CUE_SUCCESS;
}
