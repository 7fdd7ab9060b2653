/*
** deliver.h — vg_deliver_run's parts: the configuration file
** (deliver_conf.c), the mail message and its sending over libcurl
** (deliver_smtp.c), and the delivery state in the database (deliver.c).
** Nothing here prints: errors come back as text for the caller to report.
*/
#ifndef VIGIL_DELIVER_H
#define VIGIL_DELIVER_H

#include <stddef.h>
#include "../core/mem.h"
#include "../include/vigil.h"

/* One person's address from the configuration's [people] section. */
typedef struct dl_person {
  char *person;   /* the recipient as recorded in vigil_outbox */
  char *channel;  /* "smtp" or "webhook"; NULL: the default channel */
  char *address;  /* the mail address, or the webhook's name */
  int line;       /* where it was given */
} dl_person;

/* An incoming webhook ([webhook NAME]). */
enum { DL_HOOK_GENERIC, DL_HOOK_SLACK, DL_HOOK_TEAMS, DL_HOOK_FEISHU, DL_HOOK_DINGTALK, DL_HOOK_WECOM };
typedef struct dl_hook {
  char *name;
  char *url;      /* from url, url_env or url_file: it may hold the service's token */
  int format;     /* DL_HOOK_* */
  long timeout;   /* seconds per attempt */
  char *cacert;
  char *secret;   /* from secret_env or secret_file: signs a dingtalk or feishu request; NULL: unsigned */
  int line;
} dl_hook;

/* The configuration (docs/CLI.md "vigil deliver", "Configuration"). */
typedef struct dl_conf {
  const char *path;
  /* [deliver] */
  char *channel;        /* the default channel: "smtp" or "webhook:NAME" */
  int attempts;         /* tries per message before it is failed (>= 1) */
  double backoff;       /* seconds before the first retry; doubles each time */
  double backoff_max;   /* the cap of one wait */
  char *unrouted;       /* the address of the digest of alerts without a recipient, or NULL */
  /* [smtp] */
  char *url;            /* smtp://host:port or smtps://host:port */
  int starttls;         /* 0 no, 1 try, 2 required */
  char *user;
  char *password;       /* read from password_env or password_file; never from the file itself */
  char *from;           /* the From header: "Name <addr>" or "addr" */
  char *from_addr;      /* its address (the envelope sender) */
  char *cacert;         /* a CA bundle to verify the server with, or NULL (the system's) */
  char *domain;         /* the Message-ID's right-hand side (default: the From address's domain) */
  long timeout;         /* seconds per attempt */
  int has_smtp;
  dl_person *people;
  size_t npeople;
  dl_hook *hooks;
  size_t nhooks;
} dl_conf;

/* The webhook called name, or NULL. */
const dl_hook *dl_conf_hook(const dl_conf *c, const char *name);

/* Read the configuration at path into c (zeroed first).  Errors are
** reported through diag with path:line:col; returns the number of errors
** (0: c is usable), or -1 when out of memory.  Free with dl_conf_free. */
int dl_conf_read(dl_conf *c, const char *path, vg_diag_fn diag, void *ud);
void dl_conf_free(dl_conf *c);

/* 1 when addr is a plain mail address Vigil will send to: local@domain,
** printable ASCII without spaces, quotes, angle brackets, commas or
** semicolons, at most 254 bytes. */
int dl_mail_address_ok(const char *addr);

/* One message to send. */
typedef struct dl_mail {
  const char *to;         /* the address */
  const char *to_name;    /* a display name, or NULL */
  const char *subject;    /* UTF-8, one line */
  const char *plain;      /* text/plain part, or NULL */
  const char *html;       /* text/html part, or NULL */
  const char *message_id; /* "<key@domain>" */
} dl_mail;

/* Append to out the header value for subject: as is when it is printable
** ASCII, else RFC 2047 encoded words (=?UTF-8?B?...?=, each at most 75
** characters, cut between characters).  A CR or LF becomes a space.
** Returns 0, or -1 when out of memory. */
int dl_subject_header(vg_buf *out, const char *subject);

/* The Date header value for time t (RFC 5322: "Sun, 06 Dec 2026 11:00:58 +0000"). */
void dl_date_header(char *buf, size_t cap, long long t);

/* Send m over SMTP as c configures it (libcurl: STARTTLS or SMTPS, AUTH,
** multipart/alternative MIME).  Returns 0 when the server accepted it, with
** its last answer in answer; -1 with the reason in err.  Neither holds the
** password. */
int dl_smtp_send(const dl_conf *c, const dl_mail *m, char *answer, size_t acap, char *err, size_t ecap);

/* A description of the message as it would be sent (headers, parts), for
** --dry-run.  Returns 0, or -1 when out of memory. */
int dl_mail_describe(vg_buf *out, const dl_conf *c, const dl_mail *m);

/* The format named (DL_HOOK_*), or -1; and a format's name. */
int dl_hook_format(const char *name);
const char *dl_hook_format_name(int f);

/* Post m to the webhook h, with key as Idempotency-Key.  Returns 0 when the
** service accepted it (its answer in answer), 1 when it may take it later
** (5xx, 429 with *retry_after seconds when it said, a timeout, no
** connection), 2 when it never will (another 4xx, an error code in its
** answer is 1); the reason in err.  The URL (which may hold a token) is in
** neither. */
int dl_hook_send(const dl_hook *h, const dl_mail *m, const char *key, long long run_id, const char *recipient, char *answer,
                 size_t acap, char *err, size_t ecap, double *retry_after);

#endif
