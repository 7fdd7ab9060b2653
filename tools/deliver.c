/*
** deliver.c — vg_deliver_run: the digests of vigil_outbox delivered, each
** once, with its state in vigil_delivery.
**
** A message is one run's digest for one recipient: the outbox rows of that
** run and recipient, the text (else Markdown) row as text/plain and the
** HTML row as text/html, the latest row of each format.  Its key,
** "vigil-RUN-HASH" (HASH: 64-bit FNV-1a of the recipient, the subject and
** both parts), is its identity: the Message-ID's left-hand side, and the
** primary key of vigil_delivery.  `digest --outbox` replaces the outbox
** rows of a run, but the same run gives the same digests, so the rows come
** back with the same key and the message stays sent.
**
** Exactly once, as far as a sender can make it: before an attempt, the
** message's row says pending with the attempt counted (committed); after
** the server accepted it, sent (committed, alone).  A crash in between
** leaves it pending, and the next run sends it again with the same
** Message-ID, which is what lets a receiver recognise the second copy.
** A crash before the server accepted loses nothing: the row is pending.
*/
#include "deliver_api.h"
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "deliver.h"
#include "../core/diagcodes.h"
#include "../core/dl.h"
#include "../runtime/exec.h"

dl_api dl_fn;

int dl_api_load(char *err, size_t errcap) {
  static vg_dl_once once = VG_DL_ONCE_INIT;
  static const char *const curl[] = {"libcurl.so.4", "libcurl.so", NULL};
  static const char *const crypto[] = {"libcrypto.so.3", "libcrypto.so", NULL};
#define X(name) #name,
  static const char *const cnames[] = {DV_CURL_API(X)}, *const knames[] = {DV_CRYPTO_API(X)};
#undef X
#define X(name) (void **)&dl_fn.f_##name,
  static void **const cslots[] = {DV_CURL_API(X)}, **const kslots[] = {DV_CRYPTO_API(X)};
#undef X
  static const vg_dl_lib libs[] = {
      {curl, cnames, cslots, sizeof cnames / sizeof *cnames, "delivery needs libcurl (Debian package libcurl4)"},
      {crypto, knames, kslots, sizeof knames / sizeof *knames, "delivery needs libcrypto (Debian package libssl3)"}};
  return vg_dl_load(&once, libs, 2, err, errcap);
}

/* One message. */
typedef struct dv_msg {
  long long run_id;
  char *recipient;          /* NULL: unrouted */
  char *subject, *plain, *html;
  char key[64];
  int plain_text;           /* plain is the text digest (not Markdown) */
  char *status;             /* from vigil_delivery, or NULL */
  int attempts;
  const char *channel, *address; /* the configuration's or the recipients table's (owned by addr) */
  char *addr;               /* a copy of the address when it came from the table */
  char *addr_channel;
} dv_msg;

typedef struct dv_ctx {
  const vg_deliver_opts *o;
  dl_conf conf;
  sqlite3 *db;
  dv_msg *m;
  size_t n, cap;
  int have_state, have_recipients, have_routes;
  int problems; /* messages without address, or failed */
} dv_ctx;

static void dv_diag(const dv_ctx *c, vg_dcode code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

static void dv_diag(const dv_ctx *c, vg_dcode code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vg_vreport(c->o->diag, c->o->ud, VG_ERROR, code, NULL, 0, 0, fmt, ap);
  va_end(ap);
}

static char *dup_col(sqlite3_stmt *st, int i, int *oom) {
  const unsigned char *t = sqlite3_column_text(st, i);
  if (!t) return NULL;
  size_t n = (size_t)sqlite3_column_bytes(st, i);
  char *d = vg_realloc(NULL, n + 1);
  if (!d) { *oom = 1; return NULL; }
  memcpy(d, t, n);
  d[n] = 0;
  return d;
}

static void msg_free(dv_msg *m) {
  vg_free(m->recipient);
  vg_free(m->subject);
  vg_free(m->plain);
  vg_free(m->html);
  vg_free(m->status);
  vg_free(m->addr);
  vg_free(m->addr_channel);
}

static int table_exists(sqlite3 *db, const char *name) {
  sqlite3_stmt *st = NULL;
  int r = 0;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    r = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return r;
}

static void fnv(unsigned long long *h, const char *s, int present) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  *h ^= present && s ? 1u : 2u;
  *h *= 1099511628211ull;
  for (; *p; p++) {
    *h ^= *p;
    *h *= 1099511628211ull;
  }
  *h ^= 0xff; /* the end of the field */
  *h *= 1099511628211ull;
}

static void make_key(dv_msg *m) {
  unsigned long long h = 14695981039346656037ull;
  fnv(&h, m->recipient, 1);
  fnv(&h, m->subject, 1);
  fnv(&h, m->plain, 1);
  fnv(&h, m->html, 1);
  snprintf(m->key, sizeof m->key, "vigil-%lld-%016llx", m->run_id, h);
}

/* The outbox's messages, grouped per run and recipient.  VG_OK, VG_EDB, VG_ENOMEM. */
static vg_status load_outbox(dv_ctx *c) {
  if (!table_exists(c->db, "vigil_outbox")) return VG_OK;
  sqlite3_stmt *st = NULL;
  const char *q = "SELECT run_id, recipient, format, subject, body FROM vigil_outbox WHERE ?1 = 0 OR run_id = ?1"
                  " ORDER BY run_id, recipient IS NULL, recipient, id";
  if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK) {
    dv_diag(c, DIAG_E_DATABASE, "%s: reading vigil_outbox failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
    return VG_EDB;
  }
  sqlite3_bind_int64(st, 1, c->o->run_id);
  int oom = 0, rc;
  while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    long long run = sqlite3_column_int64(st, 0);
    const char *rcp = (const char *)sqlite3_column_text(st, 1);
    dv_msg *m = c->n ? &c->m[c->n - 1] : NULL;
    int same = m && m->run_id == run && (rcp ? m->recipient && strcmp(m->recipient, rcp) == 0 : !m->recipient);
    if (!same) {
      if (c->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 16;
        dv_msg *nm = vg_realloc(c->m, nc * sizeof *nm);
        if (!nm) { oom = 1; break; }
        c->m = nm;
        c->cap = nc;
      }
      m = &c->m[c->n++];
      memset(m, 0, sizeof *m);
      m->run_id = run;
      m->recipient = dup_col(st, 1, &oom);
    }
    const char *fmt = (const char *)sqlite3_column_text(st, 2);
    int html = fmt && strcmp(fmt, "html") == 0, text = fmt && strcmp(fmt, "text") == 0;
    if (!html && !text && m->plain_text) continue; /* text wins over Markdown as the plain part */
    char **slot = html ? &m->html : &m->plain;
    if (text) m->plain_text = 1;
    vg_free(*slot);
    *slot = dup_col(st, 4, &oom);
    vg_free(m->subject);
    m->subject = dup_col(st, 3, &oom);
  }
  sqlite3_finalize(st);
  if (oom) return VG_ENOMEM;
  for (size_t i = 0; i < c->n; i++) make_key(&c->m[i]);
  return VG_OK;
}

/* Each message's state from vigil_delivery. */
static vg_status load_state(dv_ctx *c) {
  if (!c->have_state) return VG_OK;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db, "SELECT status, attempts FROM vigil_delivery WHERE key = ?1", -1, &st, NULL) != SQLITE_OK) {
    dv_diag(c, DIAG_E_DATABASE, "%s: reading vigil_delivery failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
    return VG_EDB;
  }
  int oom = 0;
  for (size_t i = 0; i < c->n && !oom; i++) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, c->m[i].key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      c->m[i].status = dup_col(st, 0, &oom);
      c->m[i].attempts = sqlite3_column_int(st, 1);
    }
  }
  sqlite3_finalize(st);
  return oom ? VG_ENOMEM : VG_OK;
}

static vg_status from_table(dv_ctx *c, dv_msg *m);
static vg_status from_org(dv_ctx *c, dv_msg *m);

/* The message's channel and address: the configuration's [people], else
** vigil_recipients, else the org chart's email or chat (as the run's routes
** carry them), else the default channel when it is a webhook, else none
** (unrouted: [deliver] unrouted, else a default webhook). */
static vg_status find_address(dv_ctx *c, dv_msg *m) {
  const char *dflt = c->conf.channel;
  int hook_default = strncmp(dflt, "webhook:", 8) == 0;
  if (!m->recipient) {
    if (c->conf.unrouted) { m->address = c->conf.unrouted; m->channel = "smtp"; }
    else if (hook_default) { m->address = dflt + 8; m->channel = "webhook"; }
    return VG_OK;
  }
  for (size_t i = 0; i < c->conf.npeople; i++)
    if (strcmp(c->conf.people[i].person, m->recipient) == 0) {
      m->address = c->conf.people[i].address;
      m->channel = c->conf.people[i].channel ? c->conf.people[i].channel : "smtp";
      return VG_OK;
    }
  vg_status st = c->have_recipients ? from_table(c, m) : VG_OK;
  if (st == VG_OK && !m->address && c->have_routes) st = from_org(c, m);
  if (st == VG_OK && !m->address && hook_default) { m->address = dflt + 8; m->channel = "webhook"; }
  return st;
}

/* The person's row of vigil_recipients: address ADDR, smtp:ADDR or
** webhook:NAME (or NAME with channel 'webhook'). */
static vg_status from_table(dv_ctx *c, dv_msg *m) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db, "SELECT address, channel FROM vigil_recipients WHERE person = ?1", -1, &st, NULL) != SQLITE_OK) {
    dv_diag(c, DIAG_E_DATABASE, "%s: reading vigil_recipients failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
    return VG_EDB;
  }
  sqlite3_bind_text(st, 1, m->recipient, -1, SQLITE_STATIC);
  int oom = 0;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    m->addr = dup_col(st, 0, &oom);
    m->addr_channel = dup_col(st, 1, &oom);
    m->address = m->addr;
    m->channel = m->addr_channel && strcmp(m->addr_channel, "webhook") == 0 ? "webhook" : "smtp";
    if (m->addr && strncmp(m->addr, "webhook:", 8) == 0) { m->address = m->addr + 8; m->channel = "webhook"; }
    else if (m->addr && strncmp(m->addr, "smtp:", 5) == 0) m->address = m->addr + 5;
  }
  sqlite3_finalize(st);
  return oom ? VG_ENOMEM : VG_OK;
}

/* The person's email and chat from the org chart, as the routes of the
** run's alerts carry them (org { email E chat C }): the one of the default
** channel's kind when the person has both (chat with channel = webhook:...),
** else the one there is.  A chat value names a [webhook NAME]. */
static vg_status from_org(dv_ctx *c, dv_msg *m) {
  static const char *const q =
    "SELECT CASE WHEN json_type(j.value, '$.email') = 'text' THEN json_extract(j.value, '$.email') END,"
    " CASE WHEN json_type(j.value, '$.chat') = 'text' THEN json_extract(j.value, '$.chat') END"
    " FROM vigil_alerts a, json_each(CASE WHEN json_valid(a.route) AND json_type(a.route) = 'array' THEN a.route"
    " ELSE '[]' END) j WHERE a.run_id = ?1 AND json_type(j.value) = 'object'"
    " AND CAST(json_extract(j.value, '$.to') AS TEXT) = ?2"
    " AND (json_type(j.value, '$.email') = 'text' OR json_type(j.value, '$.chat') = 'text')"
    " ORDER BY a.rowid DESC LIMIT 1";
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(c->db, q, -1, &st, NULL) != SQLITE_OK) {
    dv_diag(c, DIAG_E_DATABASE, "%s: reading the routes of vigil_alerts failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
    return VG_EDB;
  }
  sqlite3_bind_int64(st, 1, m->run_id);
  sqlite3_bind_text(st, 2, m->recipient, -1, SQLITE_STATIC);
  int oom = 0, rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    int hook_default = strncmp(c->conf.channel, "webhook:", 8) == 0;
    int has_mail = sqlite3_column_type(st, 0) != SQLITE_NULL, has_chat = sqlite3_column_type(st, 1) != SQLITE_NULL;
    int chat = has_chat && (hook_default || !has_mail);
    m->addr = dup_col(st, chat ? 1 : 0, &oom);
    m->address = m->addr;
    m->channel = chat ? "webhook" : "smtp";
  } else if (rc != SQLITE_DONE) {
    dv_diag(c, DIAG_E_DATABASE, "%s: reading the routes of vigil_alerts failed: %s", c->o->db_path, sqlite3_errmsg(c->db));
    sqlite3_finalize(st);
    return VG_EDB;
  }
  sqlite3_finalize(st);
  return oom ? VG_ENOMEM : VG_OK;
}

static void report(dv_ctx *c, const dv_msg *m, vg_delivery_state s, const char *answer, const char *error, const char *descr) {
  if (!c->o->delivery) return;
  vg_delivery d = {m->key, m->run_id, m->recipient, m->address ? m->channel : NULL, m->address, m->subject, s,
                   m->attempts, answer, error, descr};
  c->o->delivery(c->o->out_ud, &d);
}

static const char *who(const dv_msg *m) { return m->recipient ? m->recipient : "(alerts without a recipient)"; }
static const char *via(const dv_msg *m) { return m->channel && strcmp(m->channel, "webhook") == 0 ? "webhook " : ""; }

/* Record the message's state: SQL with ?1 key, ?2 attempts, ?3 text, ?4 now. */
static int record(dv_ctx *c, const dv_msg *m, const char *sql, const char *text) {
  char now[40];
  exec_now_utc(now, sizeof now);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(c->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, m->key, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, m->attempts);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, m->run_id);
    sqlite3_bind_text(st, 6, m->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, m->channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, m->address, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK)
    dv_diag(c, DIAG_E_DATABASE, "%s: recording the delivery of %s failed: %s", c->o->db_path, m->key, vg_db_errmsg(c->db));
  return rc == SQLITE_OK ? 0 : -1;
}

static const char *const sql_pending =
  "INSERT INTO vigil_delivery(key, run_id, recipient, channel, address, status, attempts, first_try, updated)"
  " VALUES (?1, ?5, ?6, ?7, ?8, 'pending', ?2, ?4, ?4) ON CONFLICT(key) DO UPDATE SET status = 'pending',"
  " attempts = ?2, channel = ?7, address = ?8, updated = ?4";
static const char *const sql_sent =
  "UPDATE vigil_delivery SET status = 'sent', attempts = ?2, answer = ?3, sent_at = ?4, updated = ?4 WHERE key = ?1";
static const char *const sql_error = "UPDATE vigil_delivery SET attempts = ?2, last_error = ?3, updated = ?4 WHERE key = ?1";
static const char *const sql_failed =
  "UPDATE vigil_delivery SET status = 'failed', attempts = ?2, last_error = ?3, updated = ?4 WHERE key = ?1";

static void wait_seconds(double s) {
  if (s <= 0) return;
  struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
  while (nanosleep(&ts, &ts) != 0) {}
}

/* Send one message, with its retries.  VG_OK (sent or failed: counted),
** VG_EDB, VG_ENOMEM. */
static vg_status send_one(dv_ctx *c, dv_msg *m) {
  vg_buf mid = {NULL, 0, 0};
  if (vg_buf_printf(&mid, "<%s@%s>", m->key, c->conf.domain)) return VG_ENOMEM;
  dl_mail mail = {m->address, NULL, m->subject ? m->subject : "", m->plain, m->html, mid.data};
  int retry = m->status && strcmp(m->status, "failed") == 0;
  int budget = c->conf.attempts - (retry ? 0 : m->attempts);
  if (budget < 1) budget = 1; /* a message left pending by crashes gets one more try each run */
  vg_status st = VG_OK;
  char answer[512], err[1024];
  for (int k = 0; k < budget; k++) {
    m->attempts++;
    if (record(c, m, sql_pending, NULL) != 0) { st = VG_EDB; break; }
    double retry_after = 0;
    int r = strcmp(m->channel, "webhook") == 0
              ? dl_hook_send(dl_conf_hook(&c->conf, m->address), &mail, m->key, m->run_id, m->recipient, answer, sizeof answer,
                             err, sizeof err, &retry_after)
              : dl_smtp_send(&c->conf, &mail, answer, sizeof answer, err, sizeof err) == 0 ? 0 : 1;
    if (r == 0) {
      if (record(c, m, sql_sent, answer) != 0) { st = VG_EDB; break; }
      report(c, m, VG_DELIVERY_SENT, answer, NULL, NULL);
      break;
    }
    if (k + 1 == budget || r == 2) {
      if (record(c, m, sql_failed, err) != 0) { st = VG_EDB; break; }
      dv_diag(c, DIAG_E_SEND_FAILED, "%s: %s to %s%s failed after %d attempt%s: %s", m->key, who(m), via(m), m->address,
              m->attempts, m->attempts == 1 ? "" : "s", err);
      report(c, m, VG_DELIVERY_FAILED, NULL, err, NULL);
      c->problems++;
      break;
    }
    if (record(c, m, sql_error, err) != 0) { st = VG_EDB; break; }
    report(c, m, VG_DELIVERY_RETRY, NULL, err, NULL);
    double wait = c->conf.backoff * pow(2, k);
    if (wait > c->conf.backoff_max) wait = c->conf.backoff_max;
    if (retry_after > wait) wait = retry_after > c->conf.backoff_max ? c->conf.backoff_max : retry_after; /* 429 */
    wait_seconds(wait);
  }
  vg_buf_free(&mid);
  return st;
}

static vg_status deliver_all(dv_ctx *c) {
  const vg_deliver_opts *o = c->o;
  int readonly = o->check || o->dry_run;
  if (vg_db_is_postgres(o->db_path)) {
    dv_diag(c, DIAG_E_OPTIONS, "%s: deliver reads the outbox of a SQLite database (PostgreSQL is not supported yet)", o->db_path);
    return VG_EUSAGE;
  }
  char err[256];
  vg_status st = vg_db_open(o->db_path, (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_URI, &c->db,
                            err, sizeof err);
  if (st != VG_OK) {
    dv_diag(c, DIAG_E_DATABASE, "%s: cannot open the database: %s", o->db_path, err);
    return st;
  }
  if (!readonly) {
    const char *ddl =
      "CREATE TABLE IF NOT EXISTS vigil_delivery(key TEXT NOT NULL PRIMARY KEY, run_id INTEGER, recipient TEXT,"
      " channel TEXT, address TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, answer TEXT,"
      " last_error TEXT, first_try TEXT, sent_at TEXT, updated TEXT NOT NULL)";
    if (sqlite3_exec(c->db, ddl, NULL, NULL, NULL) != SQLITE_OK) {
      dv_diag(c, DIAG_E_DATABASE, "%s: cannot create vigil_delivery: %s", o->db_path, vg_db_errmsg(c->db));
      return VG_EDB;
    }
  }
  c->have_state = table_exists(c->db, "vigil_delivery");
  c->have_recipients = table_exists(c->db, "vigil_recipients");
  c->have_routes = exec_has_column(c->db, "vigil_alerts", "route");
  if ((st = load_outbox(c)) != VG_OK || (st = load_state(c)) != VG_OK) return st;
  for (size_t i = 0; i < c->n && st == VG_OK; i++) st = find_address(c, &c->m[i]);
  for (size_t i = 0; i < c->n && st == VG_OK; i++) {
    dv_msg *m = &c->m[i];
    if (m->status && strcmp(m->status, "sent") == 0) { report(c, m, VG_DELIVERY_ALREADY, NULL, NULL, NULL); continue; }
    int hook = m->address && strcmp(m->channel, "webhook") == 0;
    if (hook && !dl_conf_hook(&c->conf, m->address)) {
      dv_diag(c, DIAG_E_NO_ADDRESS, "%s: %s's webhook '%s' is not configured; the digest stays pending", m->key, who(m),
              m->address);
      m->address = NULL;
    } else if (!hook && m->address && (!c->conf.has_smtp || !dl_mail_address_ok(m->address))) {
      dv_diag(c, DIAG_E_NO_ADDRESS, "%s: %s's address '%s' is %s; the digest stays pending", m->key, who(m), m->address,
              c->conf.has_smtp ? "not a mail address" : "a mail address, and there is no [smtp]");
      m->address = NULL;
    } else if (!m->address) {
      dv_diag(c, DIAG_E_NO_ADDRESS, "%s: %s has no address (%s); the digest stays pending", m->key, who(m),
              m->recipient ? "not in [people] of the configuration, vigil_recipients or the org chart's email and chat" : "[deliver] unrouted is not set");
    }
    if (!m->address) {
      report(c, m, VG_DELIVERY_NO_ADDRESS, NULL, NULL, NULL);
      c->problems++;
      continue;
    }
    if (m->status && strcmp(m->status, "failed") == 0 && !o->retry_failed) {
      dv_diag(c, DIAG_E_SEND_FAILED, "%s: %s to %s%s failed before (%d attempts); --retry-failed tries again", m->key, who(m),
              via(m), m->address, m->attempts);
      report(c, m, VG_DELIVERY_FAILED, NULL, NULL, NULL);
      c->problems++;
      continue;
    }
    if (readonly) {
      vg_buf d = {NULL, 0, 0}, mid = {NULL, 0, 0};
      int rc = vg_buf_printf(&mid, "<%s@%s>", m->key, c->conf.domain);
      dl_mail mail = {m->address, NULL, m->subject ? m->subject : "", m->plain, m->html, mid.data};
      if (rc == 0 && o->dry_run && strcmp(m->channel, "webhook") == 0) {
        const dl_hook *h = dl_conf_hook(&c->conf, m->address);
        rc = vg_buf_printf(&d, "POST to webhook %s (%s body)\nIdempotency-Key: %s\n", h->name, dl_hook_format_name(h->format),
                           m->key);
      } else if (rc == 0 && o->dry_run) {
        rc = dl_mail_describe(&d, &c->conf, &mail) | vg_buf_append(&d, "\n", 1);
      }
      if (rc == 0) report(c, m, VG_DELIVERY_WOULD_SEND, NULL, NULL, d.data);
      vg_buf_free(&d);
      vg_buf_free(&mid);
      if (rc) st = VG_ENOMEM;
      continue;
    }
    st = send_one(c, m);
  }
  if (st == VG_OK && c->problems) st = VG_EINPUT;
  return st;
}

vg_status vg_deliver_run(const vg_deliver_opts *o) {
  dv_ctx c;
  memset(&c, 0, sizeof c);
  c.o = o;
  if (!o->db_path || !o->config_path || o->run_id < 0 || (o->check && o->dry_run)) {
    dv_diag(&c, DIAG_E_OPTIONS, "a delivery needs a database, a configuration file and a run id >= 0 (0: every run);"
                                " check and dry_run do not go together");
    return VG_EUSAGE;
  }
  int e = dl_conf_read(&c.conf, o->config_path, o->diag, o->ud);
  vg_status st = e < 0 ? VG_ENOMEM : e > 0 ? VG_EINPUT : VG_OK;
  int curl = 0;
  char lerr[512];
  if (st == VG_OK && !o->check && !o->dry_run && dl_api_load(lerr, sizeof lerr) != 0) {
    dv_diag(&c, DIAG_E_OPTIONS, "%s", lerr);
    st = VG_EINPUT;
  }
  if (st == VG_OK && !o->check && !o->dry_run) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      dv_diag(&c, DIAG_E_OPTIONS, "libcurl cannot be initialised");
      st = VG_ENOMEM;
    } else {
      curl = 1;
    }
  }
  if (st == VG_OK) st = deliver_all(&c);
  if (c.db) sqlite3_close(c.db);
  if (curl) curl_global_cleanup();
  for (size_t i = 0; i < c.n; i++) msg_free(&c.m[i]);
  vg_free(c.m);
  dl_conf_free(&c.conf);
  return st;
}
