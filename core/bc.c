/*
** bc.c — the .vgc file: writer and reader, plus the queries on a verified
** program that the runtime needs (vm_line_at, vm_lookback) and
** vm_program_free.  The layout is documented in docs/BYTECODE.md; keep the
** two in step.
**
** Reading is two stages.  The parser only checks that the bytes describe
** well-formed tables (every count is checked against the bytes that remain
** before anything is allocated); bc_verify (verify.c) then checks what the
** tables mean: indices in range, operands valid, stack depths consistent.
** The compiler runs bc_verify on its own output too, so a program that
** reaches the VM has always passed it.
*/
#include "bc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HEADER_SIZE 16u
static const uint8_t vgc_magic[4] = {'V', 'G', 'C', 0};

/* See bc.h. */
int bc_fail(char *err, size_t cap, const char *fmt, ...) {
  va_list ap;
  if (!err || cap == 0) return -1;
  va_start(ap, fmt);
  vsnprintf(err, cap, fmt, ap);
  va_end(ap);
  return -1;
}

static uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | (b[1] << 8)); }
static uint32_t le32(const uint8_t *b) {
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

/* ---- CRC-32 --------------------------------------------------------------- */

/* Reflected polynomial 0xEDB88320, a nibble at a time; never fails. */
uint32_t bc_crc32(const uint8_t *data, size_t len) {
  static const uint32_t tab[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < len; i++) {
    c ^= data[i];
    c = (c >> 4) ^ tab[c & 15];
    c = (c >> 4) ^ tab[c & 15];
  }
  return ~c;
}

/* ---- Writer ------------------------------------------------------------- */

/* Appends to b; failed sticks after the first out-of-memory. */
typedef struct wr {
  vg_buf *b;
  int failed;
} wr;

static void put_bytes(wr *w, const void *p, size_t n) {
  if (!w->failed && vg_buf_append(w->b, p, n) != 0) w->failed = 1;
}
static void put_u8(wr *w, unsigned v) {
  uint8_t b = (uint8_t)v;
  put_bytes(w, &b, 1);
}
static void put_u16(wr *w, unsigned v) {
  uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  put_bytes(w, b, 2);
}
static void put_u32(wr *w, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  put_bytes(w, b, 4);
}
static void put_f64(wr *w, double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  put_u32(w, (uint32_t)u);
  put_u32(w, (uint32_t)(u >> 32));
}
/* A string is a u32 length and its bytes; NULL is written as "". */
static void put_strn(wr *w, const char *s, size_t n) {
  if (!s) n = 0;
  if (n > UINT32_MAX) { w->failed = 1; return; }
  put_u32(w, (uint32_t)n);
  if (n) put_bytes(w, s, n);
}
static void put_str(wr *w, const char *s) { put_strn(w, s, s ? strlen(s) : 0); }

/* A typed value: u8 type, then its payload (docs/BYTECODE.md, "Values"). */
static void put_val(wr *w, val v) {
  put_u8(w, v.t);
  switch (v.t) {
  case VT_NUM: case VT_DUR: put_f64(w, v.u.n); break;
  case VT_DATE: put_u32(w, (uint32_t)v.u.d); break;
  case VT_BOOL: put_u8(w, v.u.b != 0); break;
  case VT_STR: put_strn(w, v.u.s, v.len); break;
  default: break;
  }
}

/* See bc.h.  Returns 0, or -1 (out->len restored) when out of memory. */
int bc_write(const vm_program *p, vg_buf *out) {
  wr w = {out, 0};
  size_t start = out->len;
  uint8_t hdr[HEADER_SIZE] = {'V', 'G', 'C', 0, (uint8_t)VG_BC_VERSION, (uint8_t)(VG_BC_VERSION >> 8)};
  put_bytes(&w, hdr, sizeof hdr);

  put_str(&w, p->pack);
  put_str(&w, p->title);
  put_u16(&w, p->nfiles);
  for (unsigned i = 0; i < p->nfiles; i++) put_str(&w, p->files[i]);
  put_u16(&w, p->ntiers);
  for (unsigned i = 0; i < p->ntiers; i++) put_str(&w, p->tiers[i]);
  /* org: u8 present; table, person, manager, u8 has name, [name], u8 has
  ** email, [email], u8 has chat, [chat], routes */
  put_u8(&w, p->org_table != NULL);
  if (p->org_table) {
    put_str(&w, p->org_table);
    put_str(&w, p->org_person);
    put_str(&w, p->org_manager);
    put_u8(&w, p->org_name != NULL);
    if (p->org_name) put_str(&w, p->org_name);
    put_u8(&w, p->org_email != NULL);
    if (p->org_email) put_str(&w, p->org_email);
    put_u8(&w, p->org_chat != NULL);
    if (p->org_chat) put_str(&w, p->org_chat);
    for (unsigned i = 0; i < p->ntiers; i++) put_u8(&w, p->routes[i]);
  }
  put_u16(&w, p->nparams);
  for (unsigned i = 0; i < p->nparams; i++) {
    put_str(&w, p->params[i].name);
    put_val(&w, p->params[i].value);
  }
  put_u16(&w, p->nsources);
  for (unsigned i = 0; i < p->nsources; i++) {
    const vm_source *s = &p->sources[i];
    put_str(&w, s->name);
    put_str(&w, s->table);
    put_u16(&w, s->key);
    put_u16(&w, s->time);
    put_f64(&w, s->every);
    put_u32(&w, (uint32_t)s->where);
    put_u32(&w, (uint32_t)s->label);
    put_u16(&w, s->ncols);
    for (unsigned c = 0; c < s->ncols; c++) {
      put_str(&w, s->cols[c].name);
      put_u8(&w, s->cols[c].type);
    }
  }
  put_u16(&w, p->nrollups);
  for (unsigned i = 0; i < p->nrollups; i++) {
    const vm_rollup *ro = &p->rollups[i];
    put_u16(&w, ro->source);
    put_u16(&w, ro->member);
    put_u16(&w, ro->group);
    put_f64(&w, ro->horizon);
    put_u16(&w, ro->ncols);
    for (unsigned c = 0; c < ro->ncols; c++) {
      put_str(&w, ro->cols[c].name);
      put_u8(&w, ro->cols[c].type);
      put_u8(&w, ro->cols[c].agg);
      put_u32(&w, (uint32_t)ro->cols[c].fn);
    }
  }
  put_u16(&w, p->nrules);
  for (unsigned i = 0; i < p->nrules; i++) {
    const vm_rule *r = &p->rules[i];
    put_str(&w, r->name);
    put_u16(&w, r->source);
    put_u16(&w, r->fn);
    put_u16(&w, r->file);
    put_u32(&w, r->line);
    put_u32(&w, r->col);
    put_u32(&w, (uint32_t)r->clear);
    put_f64(&w, r->escalate);
    put_u16(&w, r->nevid);
    for (unsigned k = 0; k < r->nevid; k++) {
      put_str(&w, r->evid[k].name);
      put_u32(&w, (uint32_t)r->evid[k].fn);
    }
    put_u16(&w, r->nmeasures);
    for (unsigned k = 0; k < r->nmeasures; k++) {
      put_u16(&w, r->measures[k].tier);
      put_u8(&w, r->measures[k].op);
      put_u32(&w, (uint32_t)r->measures[k].lhs);
      put_u32(&w, (uint32_t)r->measures[k].rhs);
    }
  }
  put_u32(&w, p->nconsts);
  for (uint32_t i = 0; i < p->nconsts; i++) put_val(&w, p->consts[i]);
  put_u16(&w, p->nfuncs);
  for (unsigned i = 0; i < p->nfuncs; i++) {
    const vm_func *f = &p->funcs[i];
    put_u8(&w, f->kind);
    put_u16(&w, f->source);
    put_u32(&w, f->code_off);
    put_u32(&w, f->code_len);
    put_u32(&w, f->line_off);
    put_u32(&w, f->nlines);
  }
  put_u32(&w, p->ncode);
  if (p->ncode) put_bytes(&w, p->code, p->ncode);
  put_u32(&w, p->nlines);
  for (uint32_t i = 0; i < p->nlines; i++) {
    const vm_lineinfo *l = &p->lines[i];
    put_u32(&w, l->pc);
    put_u16(&w, l->file);
    put_u32(&w, l->line);
    put_u32(&w, l->col);
  }

  if (!w.failed) {
    size_t plen = out->len - start - HEADER_SIZE;
    uint8_t *h = (uint8_t *)out->data + start;
    if (plen > UINT32_MAX) {
      w.failed = 1;
    } else {
      uint32_t crc = bc_crc32(h + HEADER_SIZE, plen);
      for (int k = 0; k < 4; k++) {
        h[8 + k] = (uint8_t)(plen >> (8 * k));
        h[12 + k] = (uint8_t)(crc >> (8 * k));
      }
    }
  }
  if (w.failed) {
    out->len = start;
    if (out->data) out->data[start] = 0;
    return -1;
  }
  return 0;
}

/* ---- Reader ------------------------------------------------------------- */

/* A cursor over the payload.  After the first error every read returns 0
** and failed stays set, so parsing code checks once per loop. */
typedef struct rd {
  const uint8_t *p;
  size_t n, pos;
  const char *sect;  /* the section being read, for messages */
  vg_arena *arena;
  char *err;
  size_t errcap;
  int failed;
} rd;

/* 1 when k more bytes remain; else records a truncation error and 0. */
static int rd_need(rd *r, size_t k) {
  if (r->failed) return 0;
  if (r->n - r->pos >= k) return 1;
  r->failed = 1;
  bc_fail(r->err, r->errcap, "section %s: truncated at payload offset %zu (%zu bytes needed, %zu left)",
       r->sect, r->pos, k, r->n - r->pos);
  return 0;
}
static unsigned rd_u8(rd *r) { return rd_need(r, 1) ? r->p[r->pos++] : 0; }
static uint16_t rd_u16(rd *r) {
  if (!rd_need(r, 2)) return 0;
  r->pos += 2;
  return le16(r->p + r->pos - 2);
}
static uint32_t rd_u32(rd *r) {
  if (!rd_need(r, 4)) return 0;
  r->pos += 4;
  return le32(r->p + r->pos - 4);
}
static double rd_f64(rd *r) {
  uint64_t lo = rd_u32(r), hi = rd_u32(r);
  uint64_t u = lo | (hi << 32);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* Reads a count (a u16 when wide == 0, else a u32) of elements that take at
** least min bytes each; 0 and an error when they cannot fit in what is left. */
static uint32_t rd_count(rd *r, int wide, size_t min) {
  uint32_t n = wide ? rd_u32(r) : rd_u16(r);
  if (r->failed) return 0;
  if ((uint64_t)n * min > r->n - r->pos) {
    r->failed = 1;
    bc_fail(r->err, r->errcap, "section %s: count %u larger than the remaining %zu bytes allow",
         r->sect, n, r->n - r->pos);
    return 0;
  }
  return n;
}

/* count elements of size bytes, zeroed, in the arena; NULL for none or on
** error (out of memory is recorded). */
static void *rd_array(rd *r, uint32_t count, size_t size) {
  if (r->failed || count == 0) return NULL;
  void *a = vg_arena_alloc(r->arena, (size_t)count * size);
  if (!a) {
    r->failed = 1;
    bc_fail(r->err, r->errcap, "out of memory");
  }
  return a;
}

/* A string (u32 length, bytes) copied into the arena and NUL-terminated.
** *len gets its length.  A name (is_name) must not contain NUL bytes.
** Returns NULL on error. */
static char *rd_strn(rd *r, int is_name, uint32_t *len) {
  uint32_t n = rd_u32(r);
  if (!rd_need(r, n)) return NULL;
  const char *s = (const char *)r->p + r->pos;
  if (is_name && memchr(s, 0, n)) {
    r->failed = 1;
    bc_fail(r->err, r->errcap, "section %s: a name at payload offset %zu contains a NUL byte", r->sect, r->pos);
    return NULL;
  }
  char *c = vg_arena_strndup(r->arena, s, n);
  if (!c) {
    r->failed = 1;
    bc_fail(r->err, r->errcap, "out of memory");
    return NULL;
  }
  r->pos += n;
  if (len) *len = n;
  return c;
}
static char *rd_name(rd *r) { return rd_strn(r, 1, NULL); }

/* A typed value (put_val's layout); an unknown type or a bool that is not 0
** or 1 is an error.  Returns a null value on error. */
static val rd_val(rd *r) {
  unsigned t = rd_u8(r);
  uint32_t len = 0;
  char *s;
  if (r->failed) return val_null();
  switch (t) {
  case VT_NULL: return val_null();
  case VT_NUM: return val_num(rd_f64(r));
  case VT_DUR: return val_dur(rd_f64(r));
  case VT_DATE: return val_date((int32_t)rd_u32(r));
  case VT_BOOL: {
    unsigned b = rd_u8(r);
    if (b > 1 && !r->failed) {
      r->failed = 1;
      bc_fail(r->err, r->errcap, "section %s: bool value %u is neither 0 nor 1", r->sect, b);
    }
    return val_bool((int)b);
  }
  case VT_STR:
    s = rd_strn(r, 0, &len);
    return s ? val_str(s, len) : val_null();
  default:
    r->failed = 1;
    bc_fail(r->err, r->errcap, "section %s: unknown value type %u at payload offset %zu", r->sect, t, r->pos - 1);
    return val_null();
  }
}

/* Minimum encoded sizes, to bound counts before allocating. */
enum {
  SZ_STR = 4, SZ_PARAM = SZ_STR + 1, SZ_SOURCE = 2 * SZ_STR + 2 + 2 + 8 + 4 + 4 + 2,
  SZ_COL = SZ_STR + 1, SZ_RULE = SZ_STR + 2 + 2 + 2 + 4 + 4 + 4 + 8 + 2 + 2, SZ_CONST = 1,
  SZ_FUNC = 1 + 2 + 4 * 4, SZ_LINE = 4 + 2 + 4 + 4, SZ_ROLLUP = 2 + 2 + 2 + 8 + 2, SZ_RCOL = SZ_STR + 1 + 1 + 4
};

/* Reads a section that is a u16 count of names. */
static char **rd_names(rd *r, const char *sect, uint16_t *count) {
  r->sect = sect;
  *count = (uint16_t)rd_count(r, 0, SZ_STR);
  char **a = rd_array(r, *count, sizeof *a);
  for (unsigned i = 0; i < *count && !r->failed; i++) a[i] = rd_name(r);
  return a;
}

/* Parses the payload's sections into p (whose arena r->arena is).  Errors
** are left in r. */
static void parse_payload(rd *r, vm_program *p) {
  r->sect = "pack";
  p->pack = rd_name(r);
  r->sect = "title";
  p->title = rd_name(r);
  p->files = rd_names(r, "files", &p->nfiles);
  p->tiers = rd_names(r, "tiers", &p->ntiers);

  r->sect = "org";
  unsigned has_org = rd_u8(r);
  if (has_org > 1 && !r->failed) {
    r->failed = 1;
    bc_fail(r->err, r->errcap, "section org: flag %u (0 or 1)", has_org);
  }
  if (has_org == 1 && !r->failed) {
    p->org_table = rd_name(r);
    p->org_person = rd_name(r);
    p->org_manager = rd_name(r);
    char **cols[] = {&p->org_name, &p->org_email, &p->org_chat};
    static const char *const what[] = {"name", "email", "chat"};
    for (int k = 0; k < 3 && !r->failed; k++) {
      unsigned has = rd_u8(r);
      if (has > 1 && !r->failed) {
        r->failed = 1;
        bc_fail(r->err, r->errcap, "section org: %s flag %u (0 or 1)", what[k], has);
      }
      if (has == 1) *cols[k] = rd_name(r);
    }
    p->routes = rd_array(r, p->ntiers, 1);
    for (unsigned i = 0; i < p->ntiers && !r->failed; i++) p->routes[i] = (uint8_t)rd_u8(r);
  }

  r->sect = "params";
  p->nparams = (uint16_t)rd_count(r, 0, SZ_PARAM);
  p->params = rd_array(r, p->nparams, sizeof *p->params);
  for (unsigned i = 0; i < p->nparams && !r->failed; i++) {
    p->params[i].name = rd_name(r);
    p->params[i].value = rd_val(r);
    p->params[i].fraction = p->params[i].percent = 0; /* not in the file */
  }

  r->sect = "sources";
  p->nsources = (uint16_t)rd_count(r, 0, SZ_SOURCE);
  p->sources = rd_array(r, p->nsources, sizeof *p->sources);
  for (unsigned i = 0; i < p->nsources && !r->failed; i++) {
    vm_source *s = &p->sources[i];
    s->name = rd_name(r);
    s->table = rd_name(r);
    s->key = rd_u16(r);
    s->time = rd_u16(r);
    s->every = rd_f64(r);
    s->where = (int32_t)rd_u32(r);
    s->label = (int32_t)rd_u32(r);
    s->ncols = (uint16_t)rd_count(r, 0, SZ_COL);
    s->cols = rd_array(r, s->ncols, sizeof *s->cols);
    for (unsigned c = 0; c < s->ncols && !r->failed; c++) {
      s->cols[c].name = rd_name(r);
      s->cols[c].type = (uint8_t)rd_u8(r);
    }
  }

  r->sect = "rollups";
  p->nrollups = (uint16_t)rd_count(r, 0, SZ_ROLLUP);
  p->rollups = rd_array(r, p->nrollups, sizeof *p->rollups);
  for (unsigned i = 0; i < p->nrollups && !r->failed; i++) {
    vm_rollup *ro = &p->rollups[i];
    ro->source = rd_u16(r);
    ro->member = rd_u16(r);
    ro->group = rd_u16(r);
    ro->horizon = rd_f64(r);
    ro->ncols = (uint16_t)rd_count(r, 0, SZ_RCOL);
    ro->cols = rd_array(r, ro->ncols, sizeof *ro->cols);
    for (unsigned c = 0; c < ro->ncols && !r->failed; c++) {
      ro->cols[c].name = rd_name(r);
      ro->cols[c].type = (uint8_t)rd_u8(r);
      ro->cols[c].agg = (uint8_t)rd_u8(r);
      ro->cols[c].fn = (int32_t)rd_u32(r);
    }
  }

  r->sect = "rules";
  p->nrules = (uint16_t)rd_count(r, 0, SZ_RULE);
  p->rules = rd_array(r, p->nrules, sizeof *p->rules);
  for (unsigned i = 0; i < p->nrules && !r->failed; i++) {
    vm_rule *ru = &p->rules[i];
    ru->name = rd_name(r);
    ru->source = rd_u16(r);
    ru->fn = rd_u16(r);
    ru->file = rd_u16(r);
    ru->line = rd_u32(r);
    ru->col = rd_u32(r);
    ru->clear = (int32_t)rd_u32(r);
    ru->escalate = rd_f64(r);
    ru->nevid = (uint16_t)rd_count(r, 0, SZ_STR + 4);
    ru->evid = rd_array(r, ru->nevid, sizeof *ru->evid);
    for (unsigned k = 0; k < ru->nevid && !r->failed; k++) {
      ru->evid[k].name = rd_name(r);
      ru->evid[k].fn = (int32_t)rd_u32(r);
    }
    ru->nmeasures = (uint16_t)rd_count(r, 0, 2 + 1 + 4 + 4);
    ru->measures = rd_array(r, ru->nmeasures, sizeof *ru->measures);
    for (unsigned k = 0; k < ru->nmeasures && !r->failed; k++) {
      ru->measures[k].tier = rd_u16(r);
      ru->measures[k].op = (uint8_t)rd_u8(r);
      ru->measures[k].lhs = (int32_t)rd_u32(r);
      ru->measures[k].rhs = (int32_t)rd_u32(r);
    }
  }

  r->sect = "consts";
  p->nconsts = rd_count(r, 1, SZ_CONST);
  p->consts = rd_array(r, p->nconsts, sizeof *p->consts);
  for (uint32_t i = 0; i < p->nconsts && !r->failed; i++) p->consts[i] = rd_val(r);

  r->sect = "funcs";
  p->nfuncs = (uint16_t)rd_count(r, 0, SZ_FUNC);
  p->funcs = rd_array(r, p->nfuncs, sizeof *p->funcs);
  for (unsigned i = 0; i < p->nfuncs && !r->failed; i++) {
    vm_func *f = &p->funcs[i];
    f->kind = (uint8_t)rd_u8(r);
    f->source = rd_u16(r);
    f->code_off = rd_u32(r);
    f->code_len = rd_u32(r);
    f->line_off = rd_u32(r);
    f->nlines = rd_u32(r);
  }

  r->sect = "code";
  p->ncode = rd_count(r, 1, 1);
  p->code = rd_array(r, p->ncode, 1);
  if (p->code) {
    memcpy(p->code, r->p + r->pos, p->ncode);
    r->pos += p->ncode;
  }

  r->sect = "lines";
  p->nlines = rd_count(r, 1, SZ_LINE);
  p->lines = rd_array(r, p->nlines, sizeof *p->lines);
  for (uint32_t i = 0; i < p->nlines && !r->failed; i++) {
    vm_lineinfo *l = &p->lines[i];
    l->pc = rd_u32(r);
    l->file = rd_u16(r);
    l->line = rd_u32(r);
    l->col = rd_u32(r);
  }

  if (!r->failed && r->pos != r->n) {
    r->failed = 1;
    bc_fail(r->err, r->errcap, "%zu trailing bytes at the end of the payload", r->n - r->pos);
  }
}

/* See bc.h.  Returns 0 and a verified program, or -1 and err. */
int bc_read(const uint8_t *data, size_t len, vm_program **out, char *err, size_t errcap) {
  *out = NULL;
  if (err && errcap) err[0] = 0;
  size_t m = len < 4 ? len : 4;
  if (m && memcmp(data, vgc_magic, m) != 0)
    return bc_fail(err, errcap, "not a Vigil bytecode file (bad magic)");
  if (len < HEADER_SIZE)
    return bc_fail(err, errcap, "truncated file (%zu bytes, the header alone is %u)", len, HEADER_SIZE);
  unsigned version = le16(data + 4), flags = le16(data + 6);
  uint32_t plen = le32(data + 8), crc = le32(data + 12);
  if (version != VG_BC_VERSION)
    return bc_fail(err, errcap, "unsupported bytecode version %u (this build reads version %d only)",
                version, VG_BC_VERSION);
  if (flags != 0) return bc_fail(err, errcap, "unsupported flags 0x%04x (must be 0)", flags);
  if (len - HEADER_SIZE < plen)
    return bc_fail(err, errcap, "truncated file (%zu bytes, header says %llu)", len,
                (unsigned long long)plen + HEADER_SIZE);
  if (len - HEADER_SIZE > plen)
    return bc_fail(err, errcap, "%zu trailing bytes after the payload", len - HEADER_SIZE - plen);
  if (bc_crc32(data + HEADER_SIZE, plen) != crc)
    return bc_fail(err, errcap, "checksum mismatch: the file is corrupt");

  vm_program *p = vg_realloc(NULL, sizeof *p);
  if (!p) return bc_fail(err, errcap, "out of memory");
  memset(p, 0, sizeof *p);
  rd r = {data + HEADER_SIZE, plen, 0, "header", &p->arena, err, errcap, 0};
  parse_payload(&r, p);
  if (r.failed || bc_verify(p, err, errcap) != 0) {
    vm_program_free(p);
    return -1;
  }
  *out = p;
  return 0;
}

/* ---- Queries on a verified program ---------------------------------------- */

/* See vm.h.  NULL when fn is out of range or no entry starts at or before pc. */
const vm_lineinfo *vm_line_at(const vm_program *p, int fn, uint32_t pc) {
  if (!p || fn < 0 || fn >= p->nfuncs) return NULL;
  const vm_func *f = &p->funcs[fn];
  /* (no entries: p->lines may be NULL, and NULL + 0 is undefined) */
  if (f->nlines == 0 || (uint64_t)f->line_off + f->nlines > p->nlines) return NULL;
  const vm_lineinfo *l = p->lines + f->line_off;
  uint32_t lo = 0, hi = f->nlines; /* the answer is l[lo - 1]: entries before lo have pc <= pc */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (l[mid].pc <= pc) lo = mid + 1;
    else hi = mid;
  }
  return lo ? &l[lo - 1] : NULL;
}

static uint32_t sat_add(uint32_t a, uint32_t b) {
  uint64_t s = (uint64_t)a + b;
  return s >= VM_UNBOUNDED ? VM_UNBOUNDED : (uint32_t)s;
}

/* The lookback of function f, given lb[g - base] for every g > f.  Returns
** VM_UNBOUNDED for code that does not decode (never for verified code). */
static uint32_t fn_lookback(const vm_program *p, int f, int base, const uint32_t *lb) {
  const vm_func *fn = &p->funcs[f];
  if ((uint64_t)fn->code_off + fn->code_len > p->ncode) return VM_UNBOUNDED;
  const uint8_t *code = p->code + fn->code_off;
  uint32_t r = 0;
  vm_insn in;
  for (uint32_t pc = 0; pc < fn->code_len; pc += in.len) {
    if (vm_decode(code, fn->code_len, pc, &in) != VM_DEC_OK) return VM_UNBOUNDED;
    unsigned a = in.o[0], b = in.o[1];
    uint32_t sub = (int)a > f && a < p->nfuncs ? lb[(int)a - base] : VM_UNBOUNDED, x = 0;
    switch (in.op) {
    case OP_PREV: x = sat_add(b, sub); break;
    case OP_PCTCHG: x = sat_add(1, sub); break;
    case OP_FOR: case OP_AGGN: x = sat_add(b ? b - 1 : 0, sub); break;
    /* at most one row a day: B days back hold at most B rows, and one more
    ** row on or before t - B ends the stretch */
    case OP_FORD: x = sat_add(b, sub); break;
    case OP_STREAK: case OP_AGGD: x = VM_UNBOUNDED; break;
    default: break;
    }
    if (x > r) r = x;
  }
  return r;
}

/* See vm.h.  Functions only refer to greater indices, so the lookbacks are
** computed from the last function down to fn.  Returns VM_UNBOUNDED (the
** safe answer) when fn is out of range or the scratch allocation fails. */
uint32_t vm_lookback(const vm_program *p, int fn) {
  if (!p || fn < 0 || fn >= p->nfuncs) return VM_UNBOUNDED;
  uint32_t *lb = vg_realloc(NULL, (size_t)(p->nfuncs - fn) * sizeof *lb);
  if (!lb) return VM_UNBOUNDED;
  for (int f = p->nfuncs - 1; f >= fn; f--) lb[f - fn] = fn_lookback(p, f, fn, lb);
  uint32_t r = lb[0];
  vg_free(lb);
  return r;
}

/* See vm.h.  Accepts NULL. */
void vm_program_free(vm_program *p) {
  if (!p) return;
  vg_arena_free(&p->arena);
  vg_free(p);
}
