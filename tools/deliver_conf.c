/*
** deliver_conf.c — the delivery configuration file (docs/CLI.md, "vigil
** deliver"): INI-like, one "key = value" per line under [deliver], [smtp]
** and [people] sections; '#' or ';' at the start of a line is a comment.
** Secrets never come from the file: password_env names an environment
** variable, password_file a file whose first line is the password; a
** "password" key is an error.  Every error names path:line:col.
*/
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deliver.h"
#include "../core/diagcodes.h"

typedef struct cf_ctx {
  dl_conf *c;
  vg_diag_fn diag;
  void *ud;
  int errors, oom;
  int line;
} cf_ctx;

static void report_at(cf_ctx *x, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;
static void cf_err(cf_ctx *x, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;

/* An error at path:line:col; without a line (the file as a whole), the
** message starts with the path instead. */
static void report_at(cf_ctx *x, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vg_vreport(x->diag, x->ud, VG_ERROR, DIAG_E_DELIVER_CONFIG, line ? x->c->path : NULL, line, col, fmt, ap);
  va_end(ap);
}

static void cf_err(cf_ctx *x, int line, int col, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (line) report_at(x, line, col, "%s", msg);
  else report_at(x, 0, 0, "%s: %s", x->c->path, msg);
  x->errors++;
}

static char *dup_n(cf_ctx *x, const char *s, size_t n) {
  char *d = vg_realloc(NULL, n + 1);
  if (!d) { x->oom = 1; return NULL; }
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/* Replace *slot with a copy of v. */
static void set_str(cf_ctx *x, char **slot, const char *v) {
  char *d = dup_n(x, v, strlen(v));
  if (!d) return;
  vg_free(*slot);
  *slot = d;
}

int dl_mail_address_ok(const char *a) {
  size_t n = strlen(a);
  if (n == 0 || n > 254) return 0;
  const char *at = strrchr(a, '@');
  if (!at || at == a || !at[1] || strchr(at + 1, '.') == NULL) return 0;
  for (const char *p = a; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    if (ch <= ' ' || ch >= 0x7f || strchr("\"<>(),;:\\[]", ch)) return 0;
  }
  return 1;
}

/* The address inside "Name <addr>", or the whole text; a copy, NULL when
** there is none (reported). */
static char *from_address(cf_ctx *x, const char *from, int line) {
  const char *lt = strrchr(from, '<');
  const char *a = from;
  size_t n = strlen(from);
  if (lt) {
    const char *gt = strchr(lt, '>');
    if (!gt || gt[1]) { cf_err(x, line, 1, "from = %s: an address in <...> at the end, or an address alone", from); return NULL; }
    a = lt + 1;
    n = (size_t)(gt - a);
  }
  char *d = dup_n(x, a, n);
  if (d && !dl_mail_address_ok(d)) {
    cf_err(x, line, 1, "from = %s: '%s' is not a mail address", from, d);
    vg_free(d);
    return NULL;
  }
  for (const char *p = from; d && *p; p++)
    if ((unsigned char)*p < ' ' || (unsigned char)*p == 0x7f) {
      cf_err(x, line, 1, "from: a control character in the name");
      vg_free(d);
      return NULL;
    }
  return d;
}

/* A number in [lo, hi]; -1 (reported) when v is not one. */
static double number(cf_ctx *x, const char *key, const char *v, double lo, double hi, int col) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (!*v || *end || errno || !(d >= lo && d <= hi)) {
    cf_err(x, x->line, col, "%s = %s: a number from %g to %g", key, v, lo, hi);
    return -1;
  }
  return d;
}

/* The password from the environment variable or the file (its first line). */
static void read_password(cf_ctx *x, const char *key, const char *v, int col) {
  dl_conf *c = x->c;
  if (strcmp(key, "password_env") == 0) {
    const char *p = getenv(v);
    if (!p || !*p) { cf_err(x, x->line, col, "password_env = %s: the environment variable is not set", v); return; }
    set_str(x, &c->password, p);
    return;
  }
  FILE *f = fopen(v, "rb");
  if (!f) { cf_err(x, x->line, col, "password_file = %s: %s", v, strerror(errno)); return; }
  char buf[1024];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  buf[strcspn(buf, "\r\n")] = 0;
  if (!buf[0]) cf_err(x, x->line, col, "password_file = %s: the file is empty", v);
  else set_str(x, &c->password, buf);
  memset(buf, 0, sizeof buf);
}

static void key_deliver(cf_ctx *x, const char *k, const char *v, int col) {
  dl_conf *c = x->c;
  double d;
  if (strcmp(k, "channel") == 0) {
    if (strcmp(v, "smtp") != 0 && (strncmp(v, "webhook:", 8) != 0 || !v[8]))
      cf_err(x, x->line, col, "channel = %s: the channels are: smtp, webhook:NAME", v);
    else set_str(x, &c->channel, v);
  } else if (strcmp(k, "attempts") == 0) {
    if ((d = number(x, k, v, 1, 100, col)) >= 0) c->attempts = (int)d;
  } else if (strcmp(k, "backoff") == 0) {
    if ((d = number(x, k, v, 0, 3600, col)) >= 0) c->backoff = d;
  } else if (strcmp(k, "backoff_max") == 0) {
    if ((d = number(x, k, v, 0, 86400, col)) >= 0) c->backoff_max = d;
  } else if (strcmp(k, "unrouted") == 0) {
    if (!dl_mail_address_ok(v)) cf_err(x, x->line, col, "unrouted = %s: not a mail address", v);
    else set_str(x, &c->unrouted, v);
  } else {
    cf_err(x, x->line, 1, "unknown key '%s' in [deliver] (channel, attempts, backoff, backoff_max, unrouted)", k);
  }
}

static void key_smtp(cf_ctx *x, const char *k, const char *v, int col) {
  dl_conf *c = x->c;
  double d;
  if (strcmp(k, "url") == 0) {
    const char *rest = strncmp(v, "smtp://", 7) == 0 ? v + 7 : strncmp(v, "smtps://", 8) == 0 ? v + 8 : NULL;
    if (!rest || !*rest) cf_err(x, x->line, col, "url = %s: smtp://HOST[:PORT] or smtps://HOST[:PORT]", v);
    else if (strchr(rest, '@')) cf_err(x, x->line, col, "url: no user or password in the URL (user = ..., password_env = ...)");
    else set_str(x, &c->url, v);
  } else if (strcmp(k, "starttls") == 0) {
    if (strcmp(v, "required") == 0) c->starttls = 2;
    else if (strcmp(v, "try") == 0) c->starttls = 1;
    else if (strcmp(v, "no") == 0) c->starttls = 0;
    else cf_err(x, x->line, col, "starttls = %s: required, try or no", v);
  } else if (strcmp(k, "user") == 0) {
    set_str(x, &c->user, v);
  } else if (strcmp(k, "password_env") == 0 || strcmp(k, "password_file") == 0) {
    read_password(x, k, v, col);
  } else if (strcmp(k, "password") == 0) {
    cf_err(x, x->line, 1, "no password in the configuration file: password_env = VARIABLE or password_file = PATH");
  } else if (strcmp(k, "from") == 0) {
    char *a = from_address(x, v, x->line);
    if (a) {
      vg_free(c->from_addr);
      c->from_addr = a;
      set_str(x, &c->from, v);
    }
  } else if (strcmp(k, "cacert") == 0) {
    set_str(x, &c->cacert, v);
  } else if (strcmp(k, "message_id_domain") == 0) {
    set_str(x, &c->domain, v);
  } else if (strcmp(k, "timeout") == 0) {
    if ((d = number(x, k, v, 1, 3600, col)) >= 0) c->timeout = (long)d;
  } else {
    cf_err(x, x->line, 1,
           "unknown key '%s' in [smtp] (url, starttls, user, password_env, password_file, from, cacert,"
           " message_id_domain, timeout)", k);
  }
}

static void key_person(cf_ctx *x, const char *k, const char *v, int col) {
  dl_conf *c = x->c;
  const char *addr = v;
  size_t chn = 0;
  const char *colon = strchr(v, ':'), *at = strchr(v, '@');
  if (colon && (!at || colon < at)) {
    chn = (size_t)(colon - v);
    addr = colon + 1;
    if (!(chn == 4 && strncmp(v, "smtp", 4) == 0) && !(chn == 7 && strncmp(v, "webhook", 7) == 0)) {
      cf_err(x, x->line, col, "%s = %s: the channels are: smtp, webhook:NAME", k, v);
      return;
    }
  }
  if (chn == 7) {
    if (!*addr) { cf_err(x, x->line, col, "%s = %s: webhook:NAME, the name of a [webhook NAME] section", k, v); return; }
  } else if (!dl_mail_address_ok(addr)) {
    cf_err(x, x->line, col, "%s = %s: not a mail address", k, v);
    return;
  }
  for (size_t i = 0; i < c->npeople; i++)
    if (strcmp(c->people[i].person, k) == 0) {
      cf_err(x, x->line, 1, "person %s is given twice (first on line %d)", k, c->people[i].line);
      return;
    }
  dl_person *np = vg_realloc(c->people, (c->npeople + 1) * sizeof *np);
  if (!np) { x->oom = 1; return; }
  c->people = np;
  dl_person *p = &c->people[c->npeople];
  memset(p, 0, sizeof *p);
  p->line = x->line;
  p->person = dup_n(x, k, strlen(k));
  p->address = dup_n(x, addr, strlen(addr));
  p->channel = chn ? dup_n(x, v, chn) : NULL;
  c->npeople++;
}

const dl_hook *dl_conf_hook(const dl_conf *c, const char *name) {
  for (size_t i = 0; i < c->nhooks; i++)
    if (strcmp(c->hooks[i].name, name) == 0) return &c->hooks[i];
  return NULL;
}

/* A value read from the environment variable or the file's first line
** (url_env, url_file); NULL (reported) when there is none. */
static void secret_into(cf_ctx *x, char **slot, const char *key, const char *v, int col) {
  if (strstr(key, "_env")) {
    const char *p = getenv(v);
    if (!p || !*p) cf_err(x, x->line, col, "%s = %s: the environment variable is not set", key, v);
    else set_str(x, slot, p);
    return;
  }
  FILE *f = fopen(v, "rb");
  if (!f) { cf_err(x, x->line, col, "%s = %s: %s", key, v, strerror(errno)); return; }
  char buf[2048];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  buf[strcspn(buf, "\r\n")] = 0;
  if (!buf[0]) cf_err(x, x->line, col, "%s = %s: the file is empty", key, v);
  else set_str(x, slot, buf);
  memset(buf, 0, sizeof buf);
}

static void key_hook(cf_ctx *x, dl_hook *h, const char *k, const char *v, int col) {
  double d;
  if (strcmp(k, "url") == 0 || strcmp(k, "url_env") == 0 || strcmp(k, "url_file") == 0) {
    if (k[3]) secret_into(x, &h->url, k, v, col);
    else set_str(x, &h->url, v);
    if (h->url && strncmp(h->url, "https://", 8) != 0 && strncmp(h->url, "http://", 7) != 0) {
      cf_err(x, x->line, col, "%s: the URL is http://... or https://...", k);
      vg_free(h->url);
      h->url = NULL;
    }
  } else if (strcmp(k, "format") == 0) {
    int f = dl_hook_format(v);
    if (f < 0) cf_err(x, x->line, col, "format = %s: generic, slack, teams, feishu, dingtalk or wecom", v);
    else h->format = f;
  } else if (strcmp(k, "timeout") == 0) {
    if ((d = number(x, k, v, 1, 3600, col)) >= 0) h->timeout = (long)d;
  } else if (strcmp(k, "cacert") == 0) {
    set_str(x, &h->cacert, v);
  } else if (strcmp(k, "secret_env") == 0 || strcmp(k, "secret_file") == 0) {
    if (h->secret) memset(h->secret, 0, strlen(h->secret));
    secret_into(x, &h->secret, k, v, col);
  } else if (strcmp(k, "secret") == 0) {
    cf_err(x, x->line, 1, "no secret in the configuration file: secret_env = VARIABLE or secret_file = PATH");
  } else {
    cf_err(x, x->line, 1,
           "unknown key '%s' in [webhook %s] (url, url_env, url_file, format, timeout, cacert, secret_env, secret_file)", k,
           h->name);
  }
}

/* A new [webhook NAME]; NULL when the name is taken (reported) or out of memory. */
static dl_hook *new_hook(cf_ctx *x, const char *name, int col) {
  dl_conf *c = x->c;
  if (dl_conf_hook(c, name)) {
    cf_err(x, x->line, col, "[webhook %s] is given twice (first on line %d)", name, dl_conf_hook(c, name)->line);
    return NULL;
  }
  dl_hook *nh = vg_realloc(c->hooks, (c->nhooks + 1) * sizeof *nh);
  if (!nh) { x->oom = 1; return NULL; }
  c->hooks = nh;
  dl_hook *h = &c->hooks[c->nhooks];
  memset(h, 0, sizeof *h);
  h->name = dup_n(x, name, strlen(name));
  if (!h->name) return NULL;
  h->timeout = 30;
  h->line = x->line;
  h->format = -1;
  c->nhooks++;
  return h;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) s[--n] = 0;
  return s;
}

int dl_conf_read(dl_conf *c, const char *path, vg_diag_fn diag, void *ud) {
  memset(c, 0, sizeof c[0]);
  c->path = path;
  c->attempts = 5;
  c->backoff = 1;
  c->backoff_max = 60;
  c->timeout = 30;
  c->starttls = 2;
  cf_ctx x = {c, diag, ud, 0, 0, 0};
  FILE *f = fopen(path, "rb");
  if (!f) {
    cf_err(&x, 0, 0, "cannot read the configuration: %s", strerror(errno));
    return x.errors;
  }
  enum { S_NONE, S_DELIVER, S_SMTP, S_PEOPLE, S_HOOK } sec = S_NONE;
  size_t hook = 0;
  char line[4096];
  while (fgets(line, sizeof line, f) && !x.oom) {
    x.line++;
    if (!strchr(line, '\n') && !feof(f)) {
      cf_err(&x, x.line, 1, "line longer than %zu bytes", sizeof line - 2);
      int ch;
      while ((ch = fgetc(f)) != EOF && ch != '\n') {}
      continue;
    }
    line[strcspn(line, "\n")] = 0;
    char *s = trim(line);
    if (!*s || *s == '#' || *s == ';') continue;
    int col = (int)(s - line) + 1;
    if (*s == '[') {
      char *end = strchr(s, ']');
      if (!end || end[1]) { cf_err(&x, x.line, col, "a section is [NAME] alone on its line"); continue; }
      *end = 0;
      char *name = trim(s + 1);
      if (strcmp(name, "deliver") == 0) sec = S_DELIVER;
      else if (strcmp(name, "smtp") == 0) { sec = S_SMTP; c->has_smtp = 1; }
      else if (strcmp(name, "people") == 0) sec = S_PEOPLE;
      else if (strncmp(name, "webhook", 7) == 0 && (name[7] == ' ' || name[7] == '\t')) {
        char *hn = trim(name + 7);
        sec = S_NONE;
        if (!*hn || strchr(hn, ' ')) cf_err(&x, x.line, col, "[webhook NAME]: one word after webhook");
        else if (new_hook(&x, hn, col)) { sec = S_HOOK; hook = c->nhooks - 1; }
      } else {
        cf_err(&x, x.line, col, "unknown section [%s] (deliver, smtp, people, webhook NAME)", name);
        sec = S_NONE;
      }
      continue;
    }
    char *eq = strchr(s, '=');
    if (!eq) { cf_err(&x, x.line, col, "expected KEY = VALUE or [SECTION]"); continue; }
    *eq = 0;
    char *k = trim(s), *v = trim(eq + 1);
    int vcol = (int)(v - line) + 1;
    if (!*k) { cf_err(&x, x.line, col, "a key before '='"); continue; }
    if (!*v) { cf_err(&x, x.line, vcol, "%s: no value after '='", k); continue; }
    switch (sec) {
    case S_DELIVER: key_deliver(&x, k, v, vcol); break;
    case S_SMTP: key_smtp(&x, k, v, vcol); break;
    case S_PEOPLE: key_person(&x, k, v, vcol); break;
    case S_HOOK: key_hook(&x, &c->hooks[hook], k, v, vcol); break;
    default: cf_err(&x, x.line, col, "'%s' outside a section ([deliver], [smtp], [people])", k); break;
    }
  }
  int rerr = ferror(f);
  fclose(f);
  if (x.oom) return -1;
  if (rerr) cf_err(&x, x.line, 0, "cannot read the configuration");
  if (x.errors == 0) {
    if (!c->channel) set_str(&x, &c->channel, "smtp");
    int smtp = c->channel && strcmp(c->channel, "smtp") == 0;
    for (size_t i = 0; i < c->npeople; i++) {
      dl_person *p = &c->people[i];
      if (!p->channel || strcmp(p->channel, "smtp") == 0) smtp = 1;
      else if (!dl_conf_hook(c, p->address)) cf_err(&x, p->line, 1, "%s: there is no [webhook %s]", p->person, p->address);
    }
    if (c->channel && strncmp(c->channel, "webhook:", 8) == 0 && !dl_conf_hook(c, c->channel + 8))
      cf_err(&x, 0, 0, "channel = %s: there is no [webhook %s]", c->channel, c->channel + 8);
    for (size_t i = 0; i < c->nhooks; i++) {
      if (!c->hooks[i].url) cf_err(&x, c->hooks[i].line, 1, "[webhook %s] needs url, url_env or url_file", c->hooks[i].name);
      if (c->hooks[i].format < 0) c->hooks[i].format = DL_HOOK_GENERIC;
      if (c->hooks[i].secret && c->hooks[i].format != DL_HOOK_FEISHU && c->hooks[i].format != DL_HOOK_DINGTALK)
        cf_err(&x, c->hooks[i].line, 1, "[webhook %s]: a secret signs the feishu and dingtalk formats only", c->hooks[i].name);
    }
    if (!c->has_smtp) {
      if (smtp) cf_err(&x, 0, 0, "no [smtp] section: the smtp channel needs url and from");
    } else if (!c->url) cf_err(&x, 0, 0, "[smtp] needs url = smtp://HOST[:PORT] or smtps://HOST[:PORT]");
    else if (!c->from) cf_err(&x, 0, 0, "[smtp] needs from = ADDRESS (or Name <ADDRESS>)");
    if (c->password && !c->user) cf_err(&x, 0, 0, "[smtp] a password without user = NAME");
    if (c->user && !c->password) cf_err(&x, 0, 0, "[smtp] user %s without password_env or password_file", c->user);
    if (c->backoff_max < c->backoff) c->backoff_max = c->backoff;
    if (!c->domain && c->from_addr) set_str(&x, &c->domain, strrchr(c->from_addr, '@') + 1);
    if (!c->domain) set_str(&x, &c->domain, "vigil.invalid");
  }
  return x.oom ? -1 : x.errors;
}

void dl_conf_free(dl_conf *c) {
  if (c->password) memset(c->password, 0, strlen(c->password));
  char **s[] = {&c->channel, &c->unrouted, &c->url, &c->user, &c->password, &c->from, &c->from_addr, &c->cacert, &c->domain};
  for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
    vg_free(*s[i]);
    *s[i] = NULL;
  }
  for (size_t i = 0; i < c->npeople; i++) {
    vg_free(c->people[i].person);
    vg_free(c->people[i].channel);
    vg_free(c->people[i].address);
  }
  vg_free(c->people);
  c->people = NULL;
  c->npeople = 0;
  for (size_t i = 0; i < c->nhooks; i++) {
    if (c->hooks[i].url) memset(c->hooks[i].url, 0, strlen(c->hooks[i].url));
    if (c->hooks[i].secret) memset(c->hooks[i].secret, 0, strlen(c->hooks[i].secret));
    vg_free(c->hooks[i].secret);
    vg_free(c->hooks[i].name);
    vg_free(c->hooks[i].url);
    vg_free(c->hooks[i].cacert);
  }
  vg_free(c->hooks);
  c->hooks = NULL;
  c->nhooks = 0;
}
