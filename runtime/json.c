/*
** json.c — JSON strings and UTF-8 (json.h).
*/
#include "json.h"

int exec_utf8_len(const unsigned char *p, size_t n) {
  unsigned lo = 0x80, hi = 0xbf;
  int len;
  if (p[0] < 0x80) return 1;
  if (p[0] >= 0xc2 && p[0] <= 0xdf) len = 2;
  else if (p[0] >= 0xe0 && p[0] <= 0xef) {
    len = 3;
    if (p[0] == 0xe0) lo = 0xa0; /* overlong */
    if (p[0] == 0xed) hi = 0x9f; /* surrogates */
  } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
    len = 4;
    if (p[0] == 0xf0) lo = 0x90; /* overlong */
    if (p[0] == 0xf4) hi = 0x8f; /* past U+10FFFF */
  } else {
    return 0;
  }
  if (n < (size_t)len || p[1] < lo || p[1] > hi) return 0;
  for (int i = 2; i < len; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  return len;
}

int exec_json_str(vg_buf *b, const char *s, size_t n) {
  int rc = vg_buf_append(b, "\"", 1);
  for (size_t i = 0; i < n && rc == 0;) {
    /* printable ASCII that needs no escape goes as it is, a run at a time */
    size_t j = i;
    while (j < n && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7f && s[j] != '"' && s[j] != '\\') j++;
    if (j > i) {
      rc |= vg_buf_append(b, s + i, j - i);
      i = j;
      continue;
    }
    unsigned char ch = (unsigned char)s[i];
    int k = exec_utf8_len((const unsigned char *)s + i, n - i);
    if (k == 0) { rc |= vg_buf_append(b, "\xef\xbf\xbd", 3); i++; continue; } /* U+FFFD */
    if (ch == '"' || ch == '\\') rc |= vg_buf_printf(b, "\\%c", ch);
    else if (ch < 0x20 || ch == 0x7f) rc |= vg_buf_printf(b, "\\u%04x", ch);
    else rc |= vg_buf_append(b, s + i, (size_t)k);
    i += (size_t)k;
  }
  return rc | vg_buf_append(b, "\"", 1);
}
