/*
** harness.c — running rules end to end for the unit tests (see harness.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "vigil.h"
#include "harness.h"

th_alert th_alerts[TH_MAX_ALERTS];
int th_nalerts;
vg_run_summary th_summaries[TH_MAX_SUMMARIES];
int th_nsummaries;
char th_diags[TH_DIAG_SIZE];

static char tmpdir[256], dbpath[320];

void th_on_diag(void *ud, const vg_diag *d) {
  (void)ud;
  size_t n = strlen(th_diags);
  snprintf(th_diags + n, sizeof th_diags - n, "%s: %s",
           d->severity == VG_ERROR ? "error" : d->severity == VG_WARNING ? "warning" : "note",
           d->message ? d->message : "");
  n = strlen(th_diags);
  if (d->file) snprintf(th_diags + n, sizeof th_diags - n, " (%s:%d:%d)", d->file, d->line, d->col);
  n = strlen(th_diags);
  if (d->code) snprintf(th_diags + n, sizeof th_diags - n, " [%s]", d->code);
  n = strlen(th_diags);
  snprintf(th_diags + n, sizeof th_diags - n, "\n");
}

static int on_alert(void *ud, const vg_alert *a) {
  (void)ud;
  if (th_nalerts >= TH_MAX_ALERTS) return 0;
  th_alert *r = &th_alerts[th_nalerts++];
  memset(r, 0, sizeof *r);
  snprintf(r->pack, sizeof r->pack, "%s", a->pack);
  snprintf(r->rule, sizeof r->rule, "%s", a->rule);
  snprintf(r->tier, sizeof r->tier, "%s", a->tier);
  snprintf(r->key, sizeof r->key, "%s", a->key);
  snprintf(r->as_of, sizeof r->as_of, "%s", a->as_of);
  r->has_message = a->message != NULL;
  r->has_recipient = a->recipient != NULL;
  snprintf(r->message, sizeof r->message, "%s", a->message ? a->message : "");
  snprintf(r->recipient, sizeof r->recipient, "%s", a->recipient ? a->recipient : "");
  snprintf(r->evidence, sizeof r->evidence, "%s", a->evidence ? a->evidence : "");
  snprintf(r->route, sizeof r->route, "%s", a->route ? a->route : "");
  snprintf(r->status, sizeof r->status, "%s", a->status ? a->status : "");
  return 0;
}

static int on_summary(void *ud, const vg_run_summary *s) {
  (void)ud;
  if (th_nsummaries < TH_MAX_SUMMARIES) th_summaries[th_nsummaries++] = *s;
  return 0;
}

const char *th_db_path(void) { return dbpath; }

void th_clear_diags(void) { th_diags[0] = 0; }

int th_fresh_db(void) {
  if (!tmpdir[0]) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vigil-unit-XXXXXX");
    if (!mkdtemp(tmpdir)) { tmpdir[0] = 0; return -1; }
    snprintf(dbpath, sizeof dbpath, "%s/t.db", tmpdir);
  }
  return remove(dbpath) == 0 || access(dbpath, F_OK) != 0 ? 0 : -1;
}

int th_exec(const char *sql) {
  sqlite3 *db = NULL;
  char *err = NULL;
  int rc = sqlite3_open(dbpath, &db) == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK ? 0 : -1;
  if (rc) fprintf(stderr, "\n  test sql fails: %s\n", err ? err : db ? sqlite3_errmsg(db) : "?");
  sqlite3_free(err);
  sqlite3_close(db);
  return rc;
}

int th_make_db(const char *sql) { return th_fresh_db() == 0 && th_exec(sql) == 0 ? 0 : -1; }

vg_program *th_compile(const char *name, const char *rules, vg_status *status) {
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.db_path = dbpath;
  co.diag = th_on_diag;
  vg_program *p = NULL;
  vg_status st = vg_compile_string(name, rules, strlen(rules), NULL, &co, &p);
  if (status) *status = st;
  if (st != VG_OK) {
    /* a caller that takes the status may expect the failure */
    if (!status) fprintf(stderr, "\n  does not compile:\n%s\n%s", rules, th_diags);
    vg_free_program(p);
    return NULL;
  }
  return p;
}

int th_no_seek;
int th_evidence;
const vg_params *th_params;

int th_run(vg_program **p, int n, const char *as_of, int dry_run, int strict) {
  th_nalerts = 0;
  th_nsummaries = 0;
  vg_run_opts ro;
  memset(&ro, 0, sizeof ro);
  ro.db_path = dbpath;
  ro.as_of = as_of;
  ro.dry_run = dry_run;
  ro.strict = strict;
  ro.diag = th_on_diag;
  ro.alert = on_alert;
  ro.summary = on_summary;
  ro.no_seek = th_no_seek;
  ro.evidence = th_evidence;
  ro.params = th_params;
  return (int)vg_run((const vg_program *const *)p, n, &ro);
}

int th_backtest_one(vg_program *p, const char *as_of) {
  th_nalerts = 0;
  th_nsummaries = 0;
  vg_backtest_opts bo;
  memset(&bo, 0, sizeof bo);
  bo.db_path = dbpath;
  bo.from = bo.to = as_of;
  bo.diag = th_on_diag;
  bo.alert = on_alert;
  const vg_program *cp = p;
  return (int)vg_backtest(&cp, 1, &bo);
}

int th_run_full(const char *sql, const char *rules, const char *as_of, int dry_run, int strict) {
  th_clear_diags();
  th_nalerts = 0;
  if (th_make_db(sql) != 0) return -1;
  vg_status cst = VG_OK;
  vg_program *p = th_compile("t.rules", rules, &cst);
  if (!p) return 100 + (int)cst;
  int st = th_run(&p, 1, as_of, dry_run, strict);
  vg_free_program(p);
  return st;
}

int th_run_on(const char *sql, const char *rules, const char *as_of) { return th_run_full(sql, rules, as_of, 1, 0); }

const char *th_alert_lines(int with_rule) {
  static char out[16384];
  out[0] = 0;
  for (int i = 0; i < th_nalerts; i++) {
    size_t n = strlen(out);
    if (n > sizeof out - 1024) break;
    snprintf(out + n, sizeof out - n, "%.60s%s%.100s %.30s %.700s\n", with_rule ? th_alerts[i].rule : "",
             with_rule ? " " : "", th_alerts[i].key, th_alerts[i].tier,
             th_alerts[i].has_message ? th_alerts[i].message : "-");
  }
  return out;
}

int th_alerts_are(int with_rule, const char *want) {
  const char *got = th_alert_lines(with_rule);
  if (strcmp(got, want) == 0) return 1;
  fprintf(stderr, "\n  alerts: expected\n%s  got\n%s  diagnostics:\n%s", want, got, th_diags);
  return 0;
}

int th_diag_has(const char *text) {
  if (strstr(th_diags, text)) return 1;
  fprintf(stderr, "\n  no diagnostic contains [%s]:\n%s", text, th_diags);
  return 0;
}

int th_cleanup(void) {
  if (tmpdir[0]) {
    remove(dbpath);
    rmdir(tmpdir);
    tmpdir[0] = 0;
  }
  return 0;
}
