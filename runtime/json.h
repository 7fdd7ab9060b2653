/*
** json.h — text as JSON strings and UTF-8 as the outputs check it
** (docs/CLI.md "Output encoding"): evidence, routes, digests.
*/
#ifndef VIGIL_JSON_H
#define VIGIL_JSON_H

#include <stddef.h>
#include "../core/mem.h"

/* Append s (n bytes, any bytes) to b as a JSON string that is valid UTF-8:
** a byte that is not part of valid UTF-8 becomes U+FFFD, control characters
** (NUL included) \u00XX.  0 or -1 (memory). */
int exec_json_str(vg_buf *b, const char *s, size_t n);
/* The length (1..4) of the valid UTF-8 sequence at p[0..n) (n >= 1), or 0
** when p[0] does not start one (stray continuation, overlong, surrogate,
** past U+10FFFF, cut short). */
int exec_utf8_len(const unsigned char *p, size_t n);

#endif
