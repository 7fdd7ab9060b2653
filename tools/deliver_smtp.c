/*
** deliver_smtp.c — one mail message, sent over SMTP by libcurl: STARTTLS
** (required or tried) or SMTPS, AUTH with the configured user, and a MIME
** message built by curl_mime: multipart/alternative with the digest as
** text/plain and as text/html (quoted-printable, UTF-8), or the one part
** there is.  Headers: From, To, Subject (RFC 2047 when not ASCII), Date,
** Message-ID (the delivery's idempotency key).  SMTP and TLS are libcurl's;
** nothing here speaks the protocol.
*/
#include "deliver_api.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "deliver.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int base64(vg_buf *out, const unsigned char *p, size_t n) {
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i += 3) {
    unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '='};
    rc = vg_buf_append(out, q, 4);
  }
  return rc;
}

int dl_subject_header(vg_buf *out, const char *subject) {
  size_t n = strlen(subject);
  int ascii = 1;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)subject[i] < ' ' || (unsigned char)subject[i] >= 0x7f) ascii = 0;
  if (ascii && strstr(subject, "=?") == NULL) return vg_buf_append(out, subject, n);
  /* 45 bytes make 60 base64 characters: 72 with =?UTF-8?B? and ?= */
  int rc = 0;
  size_t i = 0;
  while (i < n && rc == 0) {
    size_t k = n - i > 45 ? 45 : n - i;
    while (k > 1 && i + k < n && ((unsigned char)subject[i + k] & 0xC0) == 0x80) k--; /* not inside a character */
    unsigned char chunk[45];
    for (size_t j = 0; j < k; j++) chunk[j] = subject[i + j] == '\r' || subject[i + j] == '\n' ? ' ' : (unsigned char)subject[i + j];
    rc |= vg_buf_append(out, i ? " =?UTF-8?B?" : "=?UTF-8?B?", i ? 11 : 10);
    rc |= base64(out, chunk, k);
    rc |= vg_buf_append(out, "?=", 2);
    i += k;
  }
  return rc;
}

void dl_date_header(char *buf, size_t cap, long long t) {
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  snprintf(buf, cap, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The headers, each one line without CRLF, into a curl list; NULL when out of memory. */
static struct curl_slist *headers(const dl_conf *c, const dl_mail *m) {
  vg_buf b = {NULL, 0, 0};
  char date[64];
  dl_date_header(date, sizeof date, (long long)time(NULL));
  struct curl_slist *l = NULL, *t;
  const char *fixed[4][2] = {{"From: ", c->from}, {"Date: ", date}, {"Message-ID: ", m->message_id}, {NULL, NULL}};
  for (int i = 0; fixed[i][0]; i++) {
    b.len = 0;
    if (vg_buf_printf(&b, "%s%s", fixed[i][0], fixed[i][1]) || !(t = curl_slist_append(l, b.data))) goto oom;
    l = t;
  }
  b.len = 0;
  if (vg_buf_printf(&b, "To: <%s>", m->to) || !(t = curl_slist_append(l, b.data))) goto oom;
  l = t;
  b.len = 0;
  if (vg_buf_append(&b, "Subject: ", 9) || dl_subject_header(&b, m->subject) || vg_buf_append(&b, "", 1) ||
      !(t = curl_slist_append(l, b.data)))
    goto oom;
  l = t;
  vg_buf_free(&b);
  return l;
oom:
  vg_buf_free(&b);
  curl_slist_free_all(l);
  return NULL;
}

/* What the server said last: the last line it sent (CURLINFO_HEADER_IN is
** the server's responses in SMTP).  What the client sends (AUTH) is never
** looked at. */
typedef struct answer_buf {
  char *buf;
  size_t cap;
} answer_buf;

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud) {
  (void)h;
  answer_buf *a = ud;
  if (type != CURLINFO_HEADER_IN || a->cap == 0) return 0;
  size_t n = size;
  while (n && (data[n - 1] == '\n' || data[n - 1] == '\r')) n--;
  if (n >= a->cap) n = a->cap - 1;
  for (size_t i = 0; i < n; i++) a->buf[i] = (unsigned char)data[i] < ' ' || (unsigned char)data[i] >= 0x7f ? '?' : data[i];
  a->buf[n] = 0;
  return 0;
}

/* The MIME body: the parts there are, as multipart/alternative when both. */
static curl_mime *body(CURL *h, const dl_mail *m) {
  curl_mime *mime = curl_mime_init(h), *alt = NULL;
  if (!mime) return NULL;
  curl_mime *into = mime;
  if (m->plain && m->html) {
    if (!(alt = curl_mime_init(h))) goto fail;
    into = alt;
  }
  const char *texts[2] = {m->plain, m->html};
  const char *types[2] = {"text/plain; charset=utf-8", "text/html; charset=utf-8"};
  for (int i = 0; i < 2; i++) {
    if (!texts[i]) continue;
    curl_mimepart *p = curl_mime_addpart(into);
    if (!p || curl_mime_data(p, texts[i], CURL_ZERO_TERMINATED) != CURLE_OK || curl_mime_type(p, types[i]) != CURLE_OK ||
        curl_mime_encoder(p, "quoted-printable") != CURLE_OK)
      goto fail;
  }
  if (alt) {
    curl_mimepart *p = curl_mime_addpart(mime);
    if (!p || curl_mime_subparts(p, alt) != CURLE_OK) goto fail;
    alt = NULL; /* the part owns it now */
    if (curl_mime_type(p, "multipart/alternative") != CURLE_OK) goto fail;
  }
  return mime;
fail:
  curl_mime_free(alt);
  curl_mime_free(mime);
  return NULL;
}

int dl_smtp_send(const dl_conf *c, const dl_mail *m, char *answer, size_t acap, char *err, size_t ecap) {
  char cerr[CURL_ERROR_SIZE];
  cerr[0] = 0;
  if (acap) answer[0] = 0;
  answer_buf ab = {answer, acap};
  CURL *h = curl_easy_init();
  struct curl_slist *rcpt = NULL, *hdr = NULL;
  curl_mime *mime = NULL;
  int rc = -1;
  if (!h || !(rcpt = curl_slist_append(NULL, m->to)) || !(hdr = headers(c, m)) || !(mime = body(h, m))) {
    snprintf(err, ecap, "out of memory making the message");
    goto done;
  }
  char from[300];
  snprintf(from, sizeof from, "<%s>", c->from_addr);
  CURLcode e = CURLE_OK;
  e |= curl_easy_setopt(h, CURLOPT_URL, c->url);
  e |= curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
  e |= curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  e |= curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
  e |= curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
  e |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
  e |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  e |= curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout);
  e |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout);
  e |= curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
  e |= curl_easy_setopt(h, CURLOPT_DEBUGDATA, &ab);
  e |= curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* (to on_debug only, which keeps the server's last line) */
  if (strncmp(c->url, "smtp://", 7) == 0)
    e |= curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(c->starttls == 2 ? CURLUSESSL_ALL : c->starttls ? CURLUSESSL_TRY : CURLUSESSL_NONE));
  if (c->cacert) e |= curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
  if (c->user) {
    e |= curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
    e |= curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
  }
  if (e != CURLE_OK) {
    snprintf(err, ecap, "libcurl does not take the SMTP options (is it built with SMTP and TLS?)");
    goto done;
  }
  CURLcode r = curl_easy_perform(h);
  if (r == CURLE_OK) {
    rc = 0;
  } else {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    snprintf(err, ecap, "%s%s%s", cerr[0] ? cerr : curl_easy_strerror(r), acap && answer[0] ? "; the server said: " : "",
             acap ? answer : "");
  }
done:
  curl_mime_free(mime);
  curl_slist_free_all(hdr);
  curl_slist_free_all(rcpt);
  if (h) curl_easy_cleanup(h);
  return rc;
}

int dl_mail_describe(vg_buf *out, const dl_conf *c, const dl_mail *m) {
  int rc = vg_buf_printf(out, "From: %s\nTo: <%s>\nSubject: ", c->from, m->to);
  rc |= dl_subject_header(out, m->subject);
  rc |= vg_buf_printf(out, "\nMessage-ID: %s\nvia %s", m->message_id, c->url);
  if (c->user) rc |= vg_buf_printf(out, " as %s", c->user);
  rc |= vg_buf_printf(out, "\nparts:");
  if (m->plain) rc |= vg_buf_printf(out, " text/plain (%zu bytes)", strlen(m->plain));
  if (m->html) rc |= vg_buf_printf(out, "%s text/html (%zu bytes)", m->plain ? "," : "", strlen(m->html));
  return rc;
}
