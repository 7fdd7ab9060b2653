/*
** fmt.c — vigil fmt: the canonical layout of a .rules file.
**
** The formatter works on the token stream of the real lexer with trivia on
** (grammar/lexer.l returns COMMENT and NEWLINE tokens too), so every comment
** is kept where it was and every value is printed from its own bytes in the
** source.  A small recursive-descent walk that mirrors grammar/parser.y
** decides the layout: one statement per line, two spaces per block level,
** single spaces around binary operators, and the line breaks the user put
** inside a statement kept as continuation lines.  The style is written down
** in docs/LANGUAGE.md §15, "The canonical layout".  This file is the walk,
** the lexing and the check; fmt_layout.c is the layout engine the walk drives
** (fmt.h).
**
** Safety: a file is formatted only when the parser accepts it without any
** error, and the result is lexed again and compared token by token with the
** original (only `;` and the separators between test rows may go, and `<>`
** becomes `!=`); any difference is an internal error and nothing is returned.
*/
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#define YYSTYPE VG_YYSTYPE
#define YYLTYPE VG_YYLTYPE
#include "parser.h"
#include "lexer.h"

/* Deeper nesting of parentheses, `not` and unary minus than this is refused
** (the walk is recursive; the parser itself stops far earlier for `not`). */
#define FMT_MAX_NESTING 1000

/* ---- expressions (the levels of grammar/parser.y) -------------------------- */

static void x_expr(fm *f, int sp);

static int enter(fm *f) {
  if (++f->depth > FMT_MAX_NESTING) {
    f->too_deep = 1;
    return 0;
  }
  return 1;
}

static void x_literal(fm *f, int sp) {
  if (cur(f) == '-') {
    fmt_take(f, sp);
    fmt_take(f, 0);
  } else {
    fmt_take(f, sp);
  }
}

/* last N snapshots | last DURATION | expr */
static void x_arg(fm *f, int sp) {
  if (cur(f) != LAST) { x_expr(f, sp); return; }
  fmt_take(f, sp);
  int num = cur(f) == NUMBER;
  fmt_take(f, 1);
  if (num) fmt_take(f, 1);
}

static void x_postfix(fm *f, int sp) {
  int t = cur(f);
  if (t == IDENT && peek(f, 1) == '(') {
    fmt_take(f, sp);
    fmt_take(f, 0);
    if (cur(f) != ')') {
      x_arg(f, 0);
      while (cur(f) == ',') { fmt_take(f, 0); x_arg(f, 1); }
    }
    fmt_take(f, 0);
  } else if (t == IDENT && peek(f, 1) == '.') {
    fmt_take(f, sp);
    fmt_take(f, 0);
    fmt_take(f, 0);
  } else if (t == IDENT && peek(f, 1) == '[') {
    fmt_take(f, sp);
    fmt_take(f, 0);
    x_expr(f, 0);
    fmt_take(f, 0); /* ] */
    fmt_take(f, 0); /* . */
    fmt_take(f, 0);
  } else if (t == '(') {
    fmt_take(f, sp);
    x_expr(f, 0);
    fmt_take(f, 0);
  } else {
    fmt_take(f, sp);
  }
}

static void x_unary(fm *f, int sp) {
  if (cur(f) != '-') { x_postfix(f, sp); return; }
  if (!enter(f)) return;
  fmt_take(f, sp);
  x_unary(f, 0);
  f->depth--;
}

static void x_mul(fm *f, int sp) {
  x_unary(f, sp);
  while (cur(f) == '*' || cur(f) == '/') { fmt_take(f, 1); x_unary(f, 1); }
}

static void x_add(fm *f, int sp) {
  x_mul(f, sp);
  while (cur(f) == '+' || cur(f) == '-') { fmt_take(f, 1); x_mul(f, 1); }
}

static void x_list(fm *f) { /* ( expr, ... ) */
  fmt_take(f, 1);
  x_expr(f, 0);
  while (cur(f) == ',') { fmt_take(f, 0); x_expr(f, 1); }
  fmt_take(f, 0);
}

static void x_cmp(fm *f, int sp) {
  x_add(f, sp);
  switch (cur(f)) {
  case '=': case NE: case '<': case LE: case '>': case GE:
    fmt_take(f, 1);
    x_add(f, 1);
    break;
  case IS:
    fmt_take(f, 1);
    if (cur(f) == NOT) fmt_take(f, 1);
    fmt_take(f, 1);
    break;
  case NOT: /* not in, not between */
  case IN:
  case BETWEEN:
    if (cur(f) == NOT) fmt_take(f, 1);
    if (cur(f) == IN) {
      fmt_take(f, 1);
      x_list(f);
    } else {
      fmt_take(f, 1); /* between */
      x_add(f, 1);
      fmt_take(f, 1); /* and */
      x_add(f, 1);
    }
    break;
  default: break;
  }
}

static void x_not(fm *f, int sp) {
  if (cur(f) != NOT) { x_cmp(f, sp); return; }
  if (!enter(f)) return;
  fmt_take(f, sp);
  x_not(f, 1);
  f->depth--;
}

static void x_and(fm *f, int sp) {
  x_not(f, sp);
  while (cur(f) == AND) { fmt_take(f, 1); x_not(f, 1); }
}

static void x_expr(fm *f, int sp) {
  if (!enter(f)) return;
  if (cur(f) == IF) { /* if C then A else B */
    fmt_take(f, sp);
    x_expr(f, 1);
    fmt_take(f, 1); /* then */
    x_expr(f, 1);
    fmt_take(f, 1); /* else */
    x_expr(f, 1);
    f->depth--;
    return;
  }
  x_and(f, sp);
  while (cur(f) == OR) { fmt_take(f, 1); x_and(f, 1); }
  f->depth--;
}

static void i_param(fm *f) {
  int pad = fmt_pad_for(f, K_PARAM, i_param);
  fmt_take_stmt(f);
  fmt_take(f, 1);
  fmt_take(f, pad);
  x_literal(f, 1);
  if (cur(f) == ON) { /* on SOURCE[KEY][.COLUMN] */
    fmt_take(f, 1);
    fmt_take(f, 1);
    fmt_take(f, 0); /* [ */
    fmt_take(f, 0);
    fmt_take(f, 0); /* ] */
    if (cur(f) == '.') {
      fmt_take(f, 0);
      fmt_take(f, 0);
    }
  }
  fmt_opt_semi(f);
}

static void i_let(fm *f) {
  int pad = fmt_pad_for(f, K_LET, i_let);
  fmt_take_stmt(f);
  fmt_take(f, 1);
  fmt_take(f, pad);
  x_expr(f, 1);
  fmt_opt_semi(f);
}

static void i_clause(fm *f) {
  int pad = fmt_pad_for(f, K_CLAUSE, i_clause);
  fmt_take_stmt(f);
  fmt_take(f, pad); /* when */
  x_expr(f, 1);
  if (cur(f) == FOR) { /* for N snapshots | for DURATION */
    fmt_take(f, 1);
    int dur = cur(f) == DURATION;
    fmt_take(f, 1);
    if (!dur) fmt_take(f, 1);
  }
  fmt_opt_semi(f);
}

static void i_field(fm *f) {
  int pad = fmt_pad_for(f, K_FIELD, i_field);
  fmt_take_stmt(f);
  x_expr(f, pad);
  fmt_opt_semi(f);
}

/* a rollup's column: NAME = AGGREGATE(x), names padded like lets */
static void i_rcol(fm *f) {
  int pad = fmt_pad_for(f, K_RCOL, i_rcol);
  fmt_take_stmt(f);
  fmt_take(f, pad); /* = */
  x_expr(f, 1);
  fmt_opt_semi(f);
}

/* escalate after DURATION */
static void i_escalate(fm *f) {
  fmt_take_stmt(f);
  fmt_take(f, 1);
  fmt_take(f, 1);
  fmt_opt_semi(f);
}

static void rule_items(fm *f) {
  while (cur(f) != '}' && cur(f) != 0) {
    int start = f->pos;
    switch (cur(f)) {
    case LET: i_let(f); break;
    case MESSAGE:
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_opt_semi(f);
      break;
    case NOTIFY:
      fmt_take_stmt(f);
      x_expr(f, 1);
      fmt_opt_semi(f);
      break;
    case IDENT:
      if (peek(f, 1) == IDENT) { /* escalate after DURATION */
        i_escalate(f);
        break;
      }
      i_clause(f);
      break;
    default: i_clause(f); break;
    }
    if (f->pos == start) f->lost = 1;
  }
}

/* table NAME (COLUMNS) { (ROW) ... } inside a test */
static void t_table(fm *f) {
  fmt_take_stmt(f);
  fmt_take(f, 1);
  fmt_take(f, 1); /* ( */
  fmt_take(f, 0);
  while (cur(f) == ',') { fmt_take(f, 0); fmt_take(f, 1); }
  fmt_take(f, 0); /* ) */
  fmt_block_open(f);
  while (cur(f) == '(') {
    fmt_take_stmt(f);
    x_literal(f, 0);
    while (cur(f) == ',') { fmt_take(f, 0); x_literal(f, 1); }
    fmt_take(f, 0);
    if (cur(f) == ',' || cur(f) == ';') fmt_drop(f);
  }
  fmt_block_close(f);
}

static void test_items(fm *f) {
  while (cur(f) != '}' && cur(f) != 0) {
    int start = f->pos;
    if (cur(f) == ASOF) {
      fmt_take_stmt(f);
      fmt_take(f, 1);
    } else if (peek(f, 2) == '=') { /* set NAME = LITERAL */
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_take(f, 1);
      x_literal(f, 1);
    } else if (peek(f, 2) == '(') {
      t_table(f);
    } else if (peek(f, 3) == IDENT) { /* expect no alert RULE KEY */
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_take(f, 1);
      fmt_take(f, 1);
      x_literal(f, 1);
    } else { /* expect TIER RULE KEY [message "..."] */
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_take(f, 1);
      x_literal(f, 1);
      if (cur(f) == MESSAGE) {
        fmt_take(f, 1);
        fmt_take(f, 1);
      }
    }
    fmt_opt_semi(f);
    if (f->pos == start) f->lost = 1;
  }
}

static void fmt_file(fm *f) {
  int prev_block = 0, ndecls = 0;
  while (cur(f) != 0) {
    int t = cur(f), start = f->pos;
    int rollup = t == ROLLUP;
    int block = t == SOURCE || t == RULE || t == TEST || (t == IDENT && peek(f, 1) == '{') || rollup;
    f->force_blank = ndecls > 0 && (block || prev_block);
    switch (t) {
    case PACK:
      fmt_take_stmt(f);
      fmt_take(f, 1);
      if (cur(f) == STRING) fmt_take(f, 1);
      break;
    case TIERS:
      fmt_take_stmt(f);
      fmt_take(f, 1);
      while (cur(f) == ',') { fmt_take(f, 0); fmt_take(f, 1); }
      break;
    case PARAM:
      i_param(f);
      break;
    case ROLLUP: /* rollup NAME from SOURCE by COLUMN { FIELD | NAME = AGG(x) ... } */
      fmt_take_stmt(f);
      for (int k = 0; k < 5; k++) fmt_take(f, 1);
      fmt_block_open(f);
      while (cur(f) != '}' && cur(f) != 0) {
        int s = f->pos;
        if (cur(f) == IDENT && peek(f, 1) == '=') i_rcol(f);
        else i_field(f);
        if (f->pos == s) f->lost = 1;
      }
      fmt_block_close(f);
      break;
    case IDENT:
      if (peek(f, 1) == '{') { /* org { FIELD ... } */
        fmt_take_stmt(f);
        fmt_block_open(f);
        while (cur(f) != '}' && cur(f) != 0) {
          int s = f->pos;
          i_field(f);
          if (f->pos == s) f->lost = 1;
        }
        fmt_block_close(f);
      } else if (peek(f, 2) == DURATION) { /* escalate after DURATION, for the whole pack */
        i_escalate(f);
      } else { /* route TIER, ... up N; fiscal year starts MONTH has the same shape */
        fmt_take_stmt(f);
        fmt_take(f, 1);
        while (cur(f) == ',') { fmt_take(f, 0); fmt_take(f, 1); }
        fmt_take(f, 1); /* up */
        fmt_take(f, 1);
      }
      break;
    case DEF:
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_take(f, 0); /* ( */
      if (cur(f) != ')') {
        fmt_take(f, 0);
        while (cur(f) == ',') { fmt_take(f, 0); fmt_take(f, 1); }
      }
      fmt_take(f, 0); /* ) */
      fmt_take(f, 1); /* = */
      x_expr(f, 1);
      break;
    case SOURCE:
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_block_open(f);
      while (cur(f) != '}' && cur(f) != 0) {
        int s = f->pos;
        i_field(f);
        if (f->pos == s) f->lost = 1;
      }
      fmt_block_close(f);
      break;
    case RULE:
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_take(f, 1); /* on */
      fmt_take(f, 1);
      fmt_block_open(f);
      rule_items(f);
      fmt_block_close(f);
      break;
    case TEST:
      fmt_take_stmt(f);
      fmt_take(f, 1);
      fmt_block_open(f);
      test_items(f);
      fmt_block_close(f);
      break;
    default:
      f->lost = 1;
      break;
    }
    fmt_opt_semi(f);
    prev_block = block;
    ndecls++;
    if (f->pos == start) f->lost = 1;
  }
  if (f->oom || f->too_deep || f->lost) return;
  /* comments after the last declaration; the file ends with one newline */
  fmt_lead_stmt(f, f->ntok - 1, 0, 0, 0, 0);
  fmt_end_line(f);
}

/* ---- lexing ------------------------------------------------------------------ */

/* Lex file fi of c, trivia included.  Returns 0, or -1 when out of memory. */
static int lex_all(cc *c, int fi, ftok **toks, int *ntok, ftriv **tv, uint32_t *ntv) {
  const char *src = c->files[fi].src;
  size_t len = c->files[fi].len;
  struct lex_extra x;
  memset(&x, 0, sizeof x);
  x.c = c;
  x.file = fi;
  x.trivia = 1;
  yyscan_t scanner;
  if (vg_yylex_init_extra(&x, &scanner) != 0) return -1;
  YY_BUFFER_STATE b = vg_yy_scan_bytes(src, (int)len, scanner);
  size_t cap_t = 0, cap_v = 0;
  int n = 0, rc = 0;
  uint32_t nv = 0;
  ftok *t = NULL;
  ftriv *v = NULL;
  for (;;) {
    VG_YYSTYPE lval;
    VG_YYLTYPE lloc;
    memset(&lloc, 0, sizeof lloc);
    int k = vg_yylex(&lval, &lloc, scanner);
    if (c->oom) { rc = -1; break; }
    if (k == COMMENT || k == NEWLINE) {
      if (nv == cap_v) {
        cap_v = cap_v ? cap_v * 2 : 256;
        ftriv *nn = vg_realloc(v, cap_v * sizeof *nn);
        if (!nn) { rc = -1; break; }
        v = nn;
      }
      v[nv].kind = k == COMMENT ? TV_COMMENT : TV_NL;
      v[nv].s = lloc.start;
      v[nv].e = lloc.end;
      nv++;
      continue;
    }
    if ((size_t)n == cap_t) {
      cap_t = cap_t ? cap_t * 2 : 256;
      ftok *nn = vg_realloc(t, cap_t * sizeof *nn);
      if (!nn) { rc = -1; break; }
      t = nn;
    }
    t[n].t = k;
    t[n].s = k ? lloc.start : (uint32_t)len;
    t[n].e = k ? lloc.end : (uint32_t)len;
    t[n].tv = nv;
    t[n].dropped = 0;
    n++;
    if (k == 0) break;
  }
  vg_yy_delete_buffer(b, scanner);
  vg_yylex_destroy(scanner);
  if (rc != 0) {
    vg_free(t);
    vg_free(v);
    return -1;
  }
  *toks = t;
  *ntok = n;
  *tv = v;
  *ntv = nv;
  return 0;
}

/* ---- checking the result ----------------------------------------------------- */

typedef struct tbuf {
  vg_buf b;
  int failed;
} tbuf;

static void emit_buf(void *ud, const char *s, size_t n) {
  tbuf *t = ud;
  if (!t->failed && vg_buf_append(&t->b, s, n) != 0) t->failed = 1;
}

/* Whether the formatted text (lexed as b) has the same tokens as the source
** (a) less the dropped ones, and the same comments: returns 1 when it does,
** 0 when not, -1 when out of memory. */
static int same_tokens(const fm *a, const fm *b) {
  int i = 0, j = 0;
  tbuf x, y;
  memset(&x, 0, sizeof x);
  memset(&y, 0, sizeof y);
  int same = 1;
  for (;;) {
    while (i < a->ntok && a->tok[i].dropped) i++;
    if (i >= a->ntok || j >= b->ntok) { same = i >= a->ntok && j >= b->ntok; break; }
    if (a->tok[i].t != b->tok[j].t) { same = 0; break; }
    x.b.len = y.b.len = 0;
    fmt_tok_text(a, i, emit_buf, &x);
    fmt_tok_text(b, j, emit_buf, &y);
    if (x.failed || y.failed) { same = -1; break; }
    if (x.b.len != y.b.len || (x.b.len && memcmp(x.b.data, y.b.data, x.b.len) != 0)) { same = 0; break; }
    i++;
    j++;
  }
  vg_buf_free(&x.b);
  vg_buf_free(&y.b);
  if (same != 1) return same;
  /* comments: the same texts in the same order */
  uint32_t p = 0, q = 0;
  for (;;) {
    while (p < a->ntv && a->tv[p].kind != TV_COMMENT) p++;
    while (q < b->ntv && b->tv[q].kind != TV_COMMENT) q++;
    if (p >= a->ntv || q >= b->ntv) return p >= a->ntv && q >= b->ntv;
    uint32_t ae = a->tv[p].e, be = b->tv[q].e;
    while (ae > a->tv[p].s && fmt_is_space(a->src[ae - 1])) ae--;
    while (be > b->tv[q].s && fmt_is_space(b->src[be - 1])) be--;
    if (ae - a->tv[p].s != be - b->tv[q].s || memcmp(a->src + a->tv[p].s, b->src + b->tv[q].s, ae - a->tv[p].s) != 0)
      return 0;
    p++;
    q++;
  }
}

/* ---- the public entry -------------------------------------------------------- */

char *vg_format(const char *name, const char *text, size_t len, vg_diag_fn diag, void *ud) {
  cc c;
  memset(&c, 0, sizeof c);
  c.diag = diag;
  c.ud = ud;
  c.max_errors = VG_DEFAULT_MAX_ERRORS;
  char *result = NULL;
  fm f, g;
  memset(&f, 0, sizeof f);
  memset(&g, 0, sizeof g);
  if (!name) name = "<input>";
  if (cc_add_file(&c, name, text, len) < 0) goto done;
  /* only a file the parser accepts is formatted */
  if (parse_source(&c, 0, PARSE_FILE, 0, 0, NULL) != 0 || c.oom) goto done;
  f.src = c.files[0].src;
  if (lex_all(&c, 0, &f.tok, &f.ntok, &f.tv, &f.ntv) != 0) { c.oom = 1; goto done; }
  if (c.nerrors) goto done;
  f.last = -1;
  fmt_file(&f);
  if (f.oom) { c.oom = 1; goto done; }
  if (f.too_deep) {
    vg_loc l = {0, 0, 0};
    cc_error(&c, l, DIAG_E_LIMIT, "nested deeper than %d levels: vigil fmt leaves this file as it is", FMT_MAX_NESTING);
    goto done;
  }
  if (!f.out.data && vg_buf_append(&f.out, "", 0) != 0) { c.oom = 1; goto done; }
  /* the result must have the same tokens and comments */
  if (!f.lost) {
    int fi = cc_add_file(&c, name, f.out.data, f.out.len);
    if (fi < 0) goto done;
    int before = c.nerrors;
    g.src = c.files[fi].src;
    c.diag = NULL; /* an error here is the formatter's, reported below */
    int rc = lex_all(&c, fi, &g.tok, &g.ntok, &g.tv, &g.ntv);
    c.diag = diag;
    if (rc != 0) { c.oom = 1; goto done; }
    int same = c.nerrors == before ? same_tokens(&f, &g) : 0;
    c.nerrors = before;
    if (same < 0) { c.oom = 1; goto done; }
    if (!same) f.lost = 1;
  }
  if (f.lost) {
    cc_internal_error(&c, "%s: internal error in vigil fmt: the formatted text would not mean the same; the file is left as it is", name);
    goto done;
  }
  result = f.out.data;
  f.out.data = NULL;
done:
  if (c.oom) cc_error_plain(&c, "%s: out of memory", name);
  vg_buf_free(&f.out);
  vg_free(f.tok);
  vg_free(f.tv);
  vg_free(g.tok);
  vg_free(g.tv);
  vg_arena_free(&c.arena);
  return result;
}
