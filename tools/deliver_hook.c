/*
** deliver_hook.c — one message posted to an incoming webhook by libcurl,
** its JSON body built by jansson in the format of the service:
**
**   generic   {"key", "run_id", "recipient", "subject", "text", "html"}
**   slack     {"text"}                                   (Slack incoming webhooks)
**   teams     {"@type": "MessageCard", "@context", "summary", "title", "text"}
**   feishu    {"msg_type": "text", "content": {"text"}}  (Feishu / Lark custom bots)
**   dingtalk  {"msgtype": "markdown", "markdown": {"title", "text"}}
**   wecom     {"msgtype": "markdown", "markdown": {"content"}}
**
** A text longer than the service takes is cut between characters and ends
** with a note saying so.  Every request carries the message's key as
** Idempotency-Key.  A 2xx answer is accepted, except where the service
** answers 200 with an error code in its JSON (feishu "code", dingtalk and
** wecom "errcode" other than 0).  429 waits its Retry-After (seconds or an
** HTTP date); 5xx, 429, a
** timeout and a connection failure are tried again; other answers fail
** the message at once.
**
** A dingtalk or feishu hook with a secret (secret_env, secret_file) is
** signed as each service documents its custom robot's security setting,
** with OpenSSL's HMAC-SHA256 and base64:
**
**   dingtalk  timestamp (ms) and sign in the URL's query; sign is
**             base64(HMAC(key SECRET, "TIMESTAMP\nSECRET")), URL-encoded
**   feishu    "timestamp" (s) and "sign" in the body; sign is
**             base64(HMAC(key "TIMESTAMP\nSECRET", the empty message))
*/
#include "deliver_api.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "deliver.h"

static const char *const format_names[] = {"generic", "slack", "teams", "feishu", "dingtalk", "wecom"};
/* the longest text (bytes) each takes in its text field: Slack truncates
** past 40 000 characters; a Teams card is at most 28 KB; a Feishu request
** and a DingTalk message at most 20 000 bytes; WeCom markdown 4096 bytes */
static const size_t format_limits[] = {0, 40000, 24000, 18000, 18000, 4096};

int dl_hook_format(const char *name) {
  for (int i = 0; i < (int)(sizeof format_names / sizeof *format_names); i++)
    if (strcmp(name, format_names[i]) == 0) return i;
  return -1;
}

const char *dl_hook_format_name(int f) { return f >= 0 && f <= DL_HOOK_WECOM ? format_names[f] : "?"; }

/* s, cut to at most limit bytes between characters with a note, as a JSON string. */
static json_t *text_of(const char *s, size_t limit) {
  size_t n = strlen(s);
  if (limit == 0 || n <= limit) return json_stringn(s, n);
  static const char note[] = "\n\n[... cut here: the whole digest is longer than this service takes]";
  size_t k = limit - (sizeof note - 1);
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
  char *b = malloc(k + sizeof note);
  if (!b) return NULL;
  memcpy(b, s, k);
  memcpy(b + k, note, sizeof note);
  json_t *j = json_stringn(b, k + sizeof note - 1);
  free(b);
  return j;
}

/* base64(HMAC-SHA256(key, msg)) into out (at least 64 bytes); 0, or -1. */
static int hmac_b64(const char *key, const char *msg, char *out) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), md, &n) || n != 32) return -1;
  EVP_EncodeBlock((unsigned char *)out, md, (int)n); /* 32 bytes: 44 characters and a NUL */
  memset(md, 0, sizeof md);
  return 0;
}

/* The signature of a request to h at now_ms: *ts the timestamp as the
** service wants it, sign its base64.  0, or -1 (no HMAC, or no memory). */
static int sign_of(const dl_hook *h, long long now_ms, char *ts, size_t tcap, char sign[64]) {
  snprintf(ts, tcap, "%lld", h->format == DL_HOOK_DINGTALK ? now_ms : now_ms / 1000);
  size_t n = strlen(ts) + 1 + strlen(h->secret) + 1;
  char *s = malloc(n);
  if (!s) return -1;
  snprintf(s, n, "%s\n%s", ts, h->secret);
  int rc = h->format == DL_HOOK_DINGTALK ? hmac_b64(h->secret, s, sign) : hmac_b64(s, "", sign);
  memset(s, 0, n);
  free(s);
  return rc;
}

/* The body as JSON text (free with free()), or NULL (not valid UTF-8, or
** out of memory); a feishu body signed when ts and sign are given. */
static char *body_of(const dl_hook *h, const dl_mail *m, const char *key, long long run_id, const char *recipient,
                     const char *ts, const char *sign) {
  const char *plain = m->plain ? m->plain : m->html ? m->html : "";
  size_t lim = format_limits[h->format];
  /* the chat services get the subject as the first line */
  size_t tn = strlen(m->subject) + 2 + strlen(plain) + 1;
  char *t = malloc(tn);
  if (!t) return NULL;
  snprintf(t, tn, "%s\n\n%s", m->subject, plain);
  json_t *o = NULL;
  switch (h->format) {
  case DL_HOOK_GENERIC:
    o = json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:s?}", "key", key, "run_id", (json_int_t)run_id, "recipient", recipient,
                  "subject", m->subject, "text", m->plain, "html", m->html);
    break;
  case DL_HOOK_SLACK:
    o = json_pack("{s:o}", "text", text_of(t, lim));
    break;
  case DL_HOOK_TEAMS:
    o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "@type", "MessageCard", "@context", "https://schema.org/extensions",
                  "summary", m->subject, "title", m->subject, "text", text_of(plain, lim));
    break;
  case DL_HOOK_FEISHU:
    o = json_pack("{s:s, s:{s:o}}", "msg_type", "text", "content", "text", text_of(t, lim));
    if (o && sign && (json_object_set_new(o, "timestamp", json_string(ts)) || json_object_set_new(o, "sign", json_string(sign)))) {
      json_decref(o);
      o = NULL;
    }
    break;
  case DL_HOOK_DINGTALK:
    o = json_pack("{s:s, s:{s:s, s:o}}", "msgtype", "markdown", "markdown", "title", m->subject, "text", text_of(t, lim));
    break;
  default:
    o = json_pack("{s:s, s:{s:o}}", "msgtype", "markdown", "markdown", "content", text_of(t, lim));
    break;
  }
  free(t);
  char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return s;
}

typedef struct resp {
  char buf[2048];
  size_t len;
  double retry_after;
} resp;

static size_t on_body(char *p, size_t size, size_t n, void *ud) {
  resp *r = ud;
  size_t k = size * n, room = sizeof r->buf - 1 - r->len;
  memcpy(r->buf + r->len, p, k < room ? k : room);
  r->len += k < room ? k : room;
  r->buf[r->len] = 0;
  return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud) {
  resp *r = ud;
  size_t k = size * n;
  if (k > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
    char v[64];
    size_t m = k - 12 < sizeof v - 1 ? k - 12 : sizeof v - 1;
    memcpy(v, p + 12, m);
    v[m] = 0;
    v[strcspn(v, "\r\n")] = 0;
    char *s0 = v + strspn(v, " \t"), *end;
    double s = strtod(s0, &end);
    if (end != s0 && *s0 >= '0' && *s0 <= '9' && s >= 0) {
      r->retry_after = s; /* delay-seconds */
    } else {
      /* an HTTP-date (RFC 9110 10.2.3), read by libcurl; a date past or
      ** unreadable leaves the backoff */
      time_t when = curl_getdate(s0, NULL), now = time(NULL);
      if (when != (time_t)-1 && when > now) r->retry_after = (double)(when - now);
    }
  }
  return k;
}

/* The answer as one printable line, at most cap - 1 bytes. */
static void printable(char *out, size_t cap, const char *s) {
  size_t j = 0;
  for (size_t i = 0; s[i] && j + 1 < cap; i++) out[j++] = (unsigned char)s[i] < ' ' || (unsigned char)s[i] >= 0x7f ? ' ' : s[i];
  out[j] = 0;
}

/* A service's error inside a 200 answer: its code, 0 when none. */
static long long service_error(const dl_hook *h, const char *body) {
  if (h->format != DL_HOOK_FEISHU && h->format != DL_HOOK_DINGTALK && h->format != DL_HOOK_WECOM) return 0;
  json_t *j = json_loads(body, 0, NULL);
  long long code = 0;
  if (j) {
    json_t *c = json_object_get(j, h->format == DL_HOOK_FEISHU ? "code" : "errcode");
    if (!c && h->format == DL_HOOK_FEISHU) c = json_object_get(j, "StatusCode");
    if (json_is_integer(c)) code = json_integer_value(c);
    json_decref(j);
  }
  return code;
}

int dl_hook_send(const dl_hook *h, const dl_mail *m, const char *key, long long run_id, const char *recipient, char *answer,
                 size_t acap, char *err, size_t ecap, double *retry_after) {
  *retry_after = 0;
  if (acap) answer[0] = 0;
  char ts[32] = "", sign[64] = "";
  if (h->secret) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (sign_of(h, (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts, sizeof ts, sign) != 0) {
      snprintf(err, ecap, "webhook %s: the request cannot be signed (HMAC-SHA256 failed, or no memory)", h->name);
      return 2;
    }
  }
  char *body = body_of(h, m, key, run_id, recipient, ts, h->secret && h->format == DL_HOOK_FEISHU ? sign : NULL);
  if (!body) {
    snprintf(err, ecap, "the message cannot be made into JSON (text that is not UTF-8, or no memory)");
    return 2;
  }
  char cerr[CURL_ERROR_SIZE], idem[200];
  cerr[0] = 0;
  snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
  resp r;
  memset(&r, 0, sizeof r);
  struct curl_slist *hdr = NULL, *t;
  CURL *c = curl_easy_init();
  char *url = NULL, *esc = NULL;
  int rc = 1;
  if (!c || !(t = curl_slist_append(hdr, "Content-Type: application/json; charset=utf-8")) || !(hdr = t) ||
      !(t = curl_slist_append(hdr, idem)) || !(hdr = t)) {
    snprintf(err, ecap, "out of memory making the request");
    goto done;
  }
  if (h->secret && h->format == DL_HOOK_DINGTALK) { /* the URL with &timestamp=...&sign=... */
    size_t n = strlen(h->url) + 120;
    if (!(esc = curl_easy_escape(c, sign, 0)) || !(url = malloc(n))) {
      snprintf(err, ecap, "out of memory making the request");
      goto done;
    }
    snprintf(url, n, "%s%stimestamp=%s&sign=%s", h->url, strchr(h->url, '?') ? "&" : "?", ts, esc);
  }
  int e = 0;
  e |= (int)curl_easy_setopt(c, CURLOPT_URL, url ? url : h->url);
  e |= (int)curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  e |= (int)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
  e |= (int)curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
  e |= (int)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  e |= (int)curl_easy_setopt(c, CURLOPT_TIMEOUT, h->timeout);
  e |= (int)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->timeout);
  e |= (int)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  e |= (int)curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
  e |= (int)curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  e |= (int)curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  e |= (int)curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil-deliver");
  e |= (int)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (h->cacert) e |= (int)curl_easy_setopt(c, CURLOPT_CAINFO, h->cacert);
  if (e) {
    snprintf(err, ecap, "libcurl does not take the HTTP options");
    rc = 2;
    goto done;
  }
  CURLcode res = curl_easy_perform(c);
  char said[300];
  printable(said, sizeof said, r.buf);
  if (res != CURLE_OK) {
    snprintf(err, ecap, "webhook %s: %s", h->name, cerr[0] ? cerr : curl_easy_strerror(res));
    goto done; /* a timeout, a refused connection: tried again */
  }
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  long long serr = code / 100 == 2 ? service_error(h, r.buf) : 0;
  if (code / 100 == 2 && serr == 0) {
    snprintf(answer, acap, "%ld %s", code, said);
    rc = 0;
  } else if (code / 100 == 2) {
    snprintf(err, ecap, "webhook %s: %ld, but the service says error %lld: %s", h->name, code, serr, said);
  } else {
    snprintf(err, ecap, "webhook %s: HTTP %ld: %s", h->name, code, said);
    if (code == 429) *retry_after = r.retry_after;
    else if (code < 500) rc = 2; /* a request the service will never take */
  }
done:
  curl_slist_free_all(hdr);
  if (c) curl_easy_cleanup(c);
  curl_free(esc);
  if (url) memset(url, 0, strlen(url));
  free(url);
  free(body);
  memset(sign, 0, sizeof sign);
  return rc;
}
