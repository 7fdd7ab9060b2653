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
** in docs/LANGUAGE.md §15, "The canonical layout".
**
** Safety: a file is formatted only when the parser accepts it without any
** error, and the result is lexed again and compared token by token with the
** original (only `;` and the separators between test rows may go, and `<>`
** becomes `!=`); any difference is an internal error and nothing is returned.
*/
#include <stdlib.h>
#include <string.h>
#include "../compiler/ast.h"
#define YYSTYPE VG_YYSTYPE
#define YYLTYPE VG_YYLTYPE
#include "parser.h"
#include "lexer.h"

/* Deeper nesting of parentheses, `not` and unary minus than this is refused
** (the walk is recursive; the parser itself stops far earlier for `not`). */
#define FMT_MAX_NESTING 1000

enum { TV_NL, TV_COMMENT };

typedef struct ftriv {
  uint8_t kind;
  uint32_t s, e;
} ftriv;

typedef struct ftok {
  int t;
  uint32_t s, e;
  uint32_t tv;  /* trivia items lexed before this token */
  uint8_t dropped;
} ftok;

/* Kinds of statements whose names are aligned in runs of consecutive lines. */
enum { K_PARAM, K_LET, K_CLAUSE, K_FIELD, K_RCOL, K__COUNT };

typedef struct fm {
  const char *src;
  ftok *tok;
  int ntok;        /* the last one is the end of file (t == 0) */
  ftriv *tv;
  uint32_t ntv;
  int pos;         /* the next token */
  int last;        /* the last token printed (or skipped over in a dry run) */
  uint32_t pending;/* the first trivia item not yet handled */
  vg_buf out;
  size_t col;      /* bytes on the current output line (0: nothing yet) */
  int ind;         /* indentation of the line being started, in spaces */
  int stmt;        /* indentation of the current statement */
  int level;       /* block nesting */
  int block_start; /* nothing printed since a '{' */
  int force_blank; /* the next statement is preceded by a blank line */
  uint32_t def_from, def_to; /* comments met before a '{', printed after it */
  int dry;         /* walk without printing (looking ahead for alignment) */
  int depth;
  int oom, too_deep;
  int lost;        /* the walk lost its way (a bug): nothing is returned */
  int run_left[K__COUNT], run_w[K__COUNT];
} fm;

/* ---- output ---------------------------------------------------------------- */

static void raw(fm *f, const char *s, size_t n) {
  if (f->oom) return;
  if (vg_buf_append(&f->out, s, n) != 0) f->oom = 1;
}

/* Text on the current line; the line's indentation comes first. */
static void put(fm *f, const char *s, size_t n) {
  if (f->dry || n == 0) return;
  if (f->col == 0) {
    for (int i = 0; i < f->ind; i++) raw(f, " ", 1);
    f->col = (size_t)f->ind;
  }
  raw(f, s, n);
  f->col += n;
  f->block_start = 0;
}

static void spaces(fm *f, int n) {
  for (int i = 0; i < n; i++) put(f, " ", 1);
}

static void end_line(fm *f) {
  if (f->dry || f->col == 0) return;
  while (f->out.len > 0 && f->out.data[f->out.len - 1] == ' ') f->out.len--;
  raw(f, "\n", 1);
  f->col = 0;
}

/* One empty line here, unless the output is empty, already ends with one, or
** a block has just been opened. */
static void blank_line(fm *f) {
  if (f->dry) return;
  end_line(f);
  if (f->block_start || f->out.len == 0) return;
  if (f->out.len >= 2 && f->out.data[f->out.len - 2] == '\n') return;
  raw(f, "\n", 1);
}

static void put_comment(fm *f, const ftriv *c) {
  uint32_t e = c->e;
  while (e > c->s && (f->src[e - 1] == ' ' || f->src[e - 1] == '\t' || f->src[e - 1] == '\r')) e--;
  put(f, f->src + c->s, e - c->s);
}

static void trailing_comment(fm *f, const ftriv *c) {
  put(f, "  ", 2);
  put_comment(f, c);
  end_line(f);
}

static void own_line_comment(fm *f, const ftriv *c, int ind) {
  end_line(f);
  f->ind = ind;
  put_comment(f, c);
  end_line(f);
}

/* Characters (UTF-8 code points) of a token: the width used for alignment. */
static int tok_width(const fm *f, int k) {
  int w = 0;
  for (uint32_t i = f->tok[k].s; i < f->tok[k].e; i++) w += ((unsigned char)f->src[i] & 0xc0) != 0x80;
  return w;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

/* The canonical text of token k: its bytes in the source, except that `<>`
** is written `!=` and the white space inside a duration (`5   days`, or a
** line break) becomes one space.  The text goes to emit(ud, ...). */
static void tok_text(const fm *f, int k, void (*emit)(void *, const char *, size_t), void *ud) {
  const ftok *t = &f->tok[k];
  const char *s = f->src + t->s;
  size_t n = t->e - t->s;
  if (t->t == NE) { emit(ud, "!=", 2); return; }
  if (t->t == DURATION) {
    size_t a = 0;
    while (a < n && !is_space(s[a])) a++;
    if (a < n) {
      size_t b = a;
      while (b < n && is_space(s[b])) b++;
      emit(ud, s, a);
      emit(ud, " ", 1);
      emit(ud, s + b, n - b);
      return;
    }
  }
  emit(ud, s, n);
}

static void emit_put(void *ud, const char *s, size_t n) { put(ud, s, n); }

/* ---- trivia ---------------------------------------------------------------- */

/* Comments met before a '{' (where no line may break) come after it: the
** first at the end of the '{' line, the others on their own lines. */
static void flush_deferred(fm *f, int ind) {
  int first = 1;
  for (uint32_t i = f->def_from; i < f->def_to; i++) {
    if (f->tv[i].kind != TV_COMMENT) continue;
    if (first && f->col > 0) trailing_comment(f, &f->tv[i]);
    else own_line_comment(f, &f->tv[i], ind);
    first = 0;
  }
  f->def_from = f->def_to = 0;
}

/* The trivia before token k, which starts a statement (or is a block's
** closing '}'): a comment right after the previous token stays at the end of
** that line, other comments get their own lines at indentation cind; one
** blank line is kept where the source had blank lines (a final one only when
** final_ok); force adds one before the first comment line or the token.
** Then token k's line is started at indentation tind. */
static void lead_stmt(fm *f, int k, int cind, int tind, int force, int final_ok) {
  if (f->dry) return;
  flush_deferred(f, cind);
  int nl = 0, first = 1;
  int j = f->last + 1; /* tokens left out lie between the last one printed and k */
  for (uint32_t i = f->pending; i < f->tok[k].tv; i++) {
    const ftriv *t = &f->tv[i];
    for (; j < k && f->tok[j].tv <= i; j++) nl = 0; /* a `;` alone on a line is not an empty line */
    if (t->kind == TV_NL) {
      nl++;
    } else {
      if (first && nl == 0 && f->col > 0) {
        trailing_comment(f, t);
      } else {
        end_line(f);
        if (nl >= 2 || force) blank_line(f);
        force = 0;
        own_line_comment(f, t, cind);
      }
      nl = 0;
    }
    first = 0;
  }
  end_line(f);
  if ((nl >= 2 && final_ok) || force) blank_line(f);
  f->ind = tind;
  f->stmt = tind;
  f->pending = f->tok[k].tv;
}

/* The trivia before token k inside a statement: a line break or a comment
** there breaks the line, and the token continues the statement on a new line
** indented 4 more than the statement; otherwise n spaces go before it. */
static void lead_inner(fm *f, int k, int n) {
  if (f->dry) return;
  int broke = 0, nl = 0, first = 1;
  int cont = f->stmt + 4;
  for (uint32_t i = f->pending; i < f->tok[k].tv; i++) {
    const ftriv *t = &f->tv[i];
    if (t->kind == TV_NL) {
      nl++;
    } else if (first && nl == 0 && f->col > 0) {
      trailing_comment(f, t);
    } else {
      own_line_comment(f, t, cont);
    }
    broke = 1;
    first = 0;
  }
  if (broke) {
    end_line(f);
    f->ind = cont;
  } else {
    spaces(f, n);
  }
  f->pending = f->tok[k].tv;
}

/* ---- tokens ---------------------------------------------------------------- */

static int cur(const fm *f) { return f->oom || f->too_deep || f->lost ? 0 : f->tok[f->pos].t; }
static int peek(const fm *f, int d) {
  int p = f->pos + d;
  return p < f->ntok ? f->tok[p].t : 0;
}

static void emit_tok(fm *f) {
  tok_text(f, f->pos, emit_put, f);
  f->last = f->pos;
  f->pos++;
}

/* The next token inside a statement, after n spaces (or a kept line break). */
static void take(fm *f, int n) {
  if (cur(f) == 0) { f->lost = 1; return; }
  lead_inner(f, f->pos, n);
  emit_tok(f);
}

/* The next token starts a statement at the current block level. */
static void take_stmt(fm *f) {
  if (cur(f) == 0) { f->lost = 1; return; }
  int ind = 2 * f->level;
  lead_stmt(f, f->pos, ind, ind, f->force_blank, 1);
  f->force_blank = 0;
  emit_tok(f);
}

/* A token that is left out (a `;`, a separator between test rows): its
** trivia is handled with the next token's. */
static void drop(fm *f) {
  if (!f->dry) f->tok[f->pos].dropped = 1;
  f->pos++;
}

static int tok_is(const fm *f, int k, const char *word) {
  size_t n = strlen(word);
  return f->tok[k].e - f->tok[k].s == n && memcmp(f->src + f->tok[k].s, word, n) == 0;
}

/* An optional `;`.  It is kept in the one place where leaving it out would
** change the tokens: after a number, before a name spelled like a duration
** unit (`notify 5; days when ...`, with a tier named days). */
static void opt_semi(fm *f) {
  if (cur(f) != ';') return;
  int next = f->pos + 1;
  if (f->last >= 0 && f->tok[f->last].t == NUMBER && f->tok[next].t == IDENT &&
      (tok_is(f, next, "day") || tok_is(f, next, "days") || tok_is(f, next, "week") || tok_is(f, next, "weeks"))) {
    take(f, 0);
    return;
  }
  drop(f);
}

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
    take(f, sp);
    take(f, 0);
  } else {
    take(f, sp);
  }
}

/* last N snapshots | last DURATION | expr */
static void x_arg(fm *f, int sp) {
  if (cur(f) != LAST) { x_expr(f, sp); return; }
  take(f, sp);
  int num = cur(f) == NUMBER;
  take(f, 1);
  if (num) take(f, 1);
}

static void x_postfix(fm *f, int sp) {
  int t = cur(f);
  if (t == IDENT && peek(f, 1) == '(') {
    take(f, sp);
    take(f, 0);
    if (cur(f) != ')') {
      x_arg(f, 0);
      while (cur(f) == ',') { take(f, 0); x_arg(f, 1); }
    }
    take(f, 0);
  } else if (t == IDENT && peek(f, 1) == '.') {
    take(f, sp);
    take(f, 0);
    take(f, 0);
  } else if (t == IDENT && peek(f, 1) == '[') {
    take(f, sp);
    take(f, 0);
    x_expr(f, 0);
    take(f, 0); /* ] */
    take(f, 0); /* . */
    take(f, 0);
  } else if (t == '(') {
    take(f, sp);
    x_expr(f, 0);
    take(f, 0);
  } else {
    take(f, sp);
  }
}

static void x_unary(fm *f, int sp) {
  if (cur(f) != '-') { x_postfix(f, sp); return; }
  if (!enter(f)) return;
  take(f, sp);
  x_unary(f, 0);
  f->depth--;
}

static void x_mul(fm *f, int sp) {
  x_unary(f, sp);
  while (cur(f) == '*' || cur(f) == '/') { take(f, 1); x_unary(f, 1); }
}

static void x_add(fm *f, int sp) {
  x_mul(f, sp);
  while (cur(f) == '+' || cur(f) == '-') { take(f, 1); x_mul(f, 1); }
}

static void x_list(fm *f) { /* ( expr, ... ) */
  take(f, 1);
  x_expr(f, 0);
  while (cur(f) == ',') { take(f, 0); x_expr(f, 1); }
  take(f, 0);
}

static void x_cmp(fm *f, int sp) {
  x_add(f, sp);
  switch (cur(f)) {
  case '=': case NE: case '<': case LE: case '>': case GE:
    take(f, 1);
    x_add(f, 1);
    break;
  case IS:
    take(f, 1);
    if (cur(f) == NOT) take(f, 1);
    take(f, 1);
    break;
  case NOT: /* not in, not between */
  case IN:
  case BETWEEN:
    if (cur(f) == NOT) take(f, 1);
    if (cur(f) == IN) {
      take(f, 1);
      x_list(f);
    } else {
      take(f, 1); /* between */
      x_add(f, 1);
      take(f, 1); /* and */
      x_add(f, 1);
    }
    break;
  default: break;
  }
}

static void x_not(fm *f, int sp) {
  if (cur(f) != NOT) { x_cmp(f, sp); return; }
  if (!enter(f)) return;
  take(f, sp);
  x_not(f, 1);
  f->depth--;
}

static void x_and(fm *f, int sp) {
  x_not(f, sp);
  while (cur(f) == AND) { take(f, 1); x_not(f, 1); }
}

static void x_expr(fm *f, int sp) {
  if (!enter(f)) return;
  if (cur(f) == IF) { /* if C then A else B */
    take(f, sp);
    x_expr(f, 1);
    take(f, 1); /* then */
    x_expr(f, 1);
    take(f, 1); /* else */
    x_expr(f, 1);
    f->depth--;
    return;
  }
  x_and(f, sp);
  while (cur(f) == OR) { take(f, 1); x_and(f, 1); }
  f->depth--;
}

/* ---- alignment -------------------------------------------------------------- */

/* Whether the trivia between tokens a and b holds an empty line or a
** comment on its own line: either ends a run of aligned statements. */
static int run_break(const fm *f, int a, int b) {
  int run = 0, j = a + 1;
  uint32_t from = a >= 0 ? f->tok[a].tv : 0;
  for (uint32_t i = from; i < f->tok[b].tv; i++) {
    for (; j < b && f->tok[j].tv <= i; j++) run = 0; /* a token left out, such as a `;` */
    if (f->tv[i].kind == TV_COMMENT) {
      if (i > from) return 1; /* not right after the statement: on its own line */
      run = 0;
      continue;
    }
    if (++run >= 2) return 1;
  }
  return 0;
}

static int kind_at(const fm *f, int kind) {
  int t = cur(f);
  switch (kind) {
  case K_PARAM: return t == PARAM;
  case K_LET: return t == LET;
  case K_CLAUSE: return t == IDENT && peek(f, 1) == WHEN;
  case K_FIELD: return t == IDENT && peek(f, 1) != '=';
  case K_RCOL: return t == IDENT && peek(f, 1) == '=';
  default: return 0;
  }
}

static int name_tok(const fm *f, int kind) { return kind == K_PARAM || kind == K_LET ? f->pos + 1 : f->pos; }

/* The spaces after the name of the statement at f->pos: names are padded to
** the widest of the run of consecutive statements of the same kind (a run
** ends at an empty line, a comment line or a statement of another kind). */
static int pad_for(fm *f, int kind, void (*item)(fm *)) {
  if (f->dry) return 1;
  if (f->run_left[kind] == 0) {
    int pos = f->pos, last = f->last, depth = f->depth, force = f->force_blank;
    int w = 0, n = 0;
    f->dry = 1;
    for (;;) {
      int tw = tok_width(f, name_tok(f, kind));
      if (tw > w) w = tw;
      n++;
      item(f);
      if (cur(f) == 0 || !kind_at(f, kind) || run_break(f, f->last, f->pos)) break;
    }
    f->dry = 0;
    f->lost = 0;
    f->pos = pos;
    f->last = last;
    f->depth = depth;
    f->force_blank = force;
    f->run_left[kind] = n;
    f->run_w[kind] = w;
  }
  f->run_left[kind]--;
  int pad = 1 + f->run_w[kind] - tok_width(f, name_tok(f, kind));
  return pad > 0 ? pad : 1;
}

/* ---- statements and blocks -------------------------------------------------- */

static void block_open(fm *f) {
  if (cur(f) != '{') { f->lost = 1; return; }
  if (!f->dry) {
    f->def_from = f->pending;
    f->def_to = f->tok[f->pos].tv;
    f->pending = f->def_to;
    spaces(f, 1);
  }
  emit_tok(f);
  f->level++;
  if (f->dry) return;
  f->block_start = 1;
  for (int k = K_LET; k < K__COUNT; k++) f->run_left[k] = 0;
}

static void block_close(fm *f) {
  if (cur(f) != '}') { f->lost = 1; return; }
  int ind = 2 * f->level;
  f->level--;
  lead_stmt(f, f->pos, ind, ind - 2, 0, 0);
  emit_tok(f);
}

static void i_param(fm *f) {
  int pad = pad_for(f, K_PARAM, i_param);
  take_stmt(f);
  take(f, 1);
  take(f, pad);
  x_literal(f, 1);
  if (cur(f) == ON) { /* on SOURCE[KEY][.COLUMN] */
    take(f, 1);
    take(f, 1);
    take(f, 0); /* [ */
    take(f, 0);
    take(f, 0); /* ] */
    if (cur(f) == '.') {
      take(f, 0);
      take(f, 0);
    }
  }
  opt_semi(f);
}

static void i_let(fm *f) {
  int pad = pad_for(f, K_LET, i_let);
  take_stmt(f);
  take(f, 1);
  take(f, pad);
  x_expr(f, 1);
  opt_semi(f);
}

static void i_clause(fm *f) {
  int pad = pad_for(f, K_CLAUSE, i_clause);
  take_stmt(f);
  take(f, pad); /* when */
  x_expr(f, 1);
  if (cur(f) == FOR) { /* for N snapshots | for DURATION */
    take(f, 1);
    int dur = cur(f) == DURATION;
    take(f, 1);
    if (!dur) take(f, 1);
  }
  opt_semi(f);
}

static void i_field(fm *f) {
  int pad = pad_for(f, K_FIELD, i_field);
  take_stmt(f);
  x_expr(f, pad);
  opt_semi(f);
}

/* a rollup's column: NAME = AGGREGATE(x), names padded like lets */
static void i_rcol(fm *f) {
  int pad = pad_for(f, K_RCOL, i_rcol);
  take_stmt(f);
  take(f, pad); /* = */
  x_expr(f, 1);
  opt_semi(f);
}

/* escalate after DURATION */
static void i_escalate(fm *f) {
  take_stmt(f);
  take(f, 1);
  take(f, 1);
  opt_semi(f);
}

static void rule_items(fm *f) {
  while (cur(f) != '}' && cur(f) != 0) {
    int start = f->pos;
    switch (cur(f)) {
    case LET: i_let(f); break;
    case MESSAGE:
      take_stmt(f);
      take(f, 1);
      opt_semi(f);
      break;
    case NOTIFY:
      take_stmt(f);
      x_expr(f, 1);
      opt_semi(f);
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
  take_stmt(f);
  take(f, 1);
  take(f, 1); /* ( */
  take(f, 0);
  while (cur(f) == ',') { take(f, 0); take(f, 1); }
  take(f, 0); /* ) */
  block_open(f);
  while (cur(f) == '(') {
    take_stmt(f);
    x_literal(f, 0);
    while (cur(f) == ',') { take(f, 0); x_literal(f, 1); }
    take(f, 0);
    if (cur(f) == ',' || cur(f) == ';') drop(f);
  }
  block_close(f);
}

static void test_items(fm *f) {
  while (cur(f) != '}' && cur(f) != 0) {
    int start = f->pos;
    if (cur(f) == ASOF) {
      take_stmt(f);
      take(f, 1);
    } else if (peek(f, 2) == '=') { /* set NAME = LITERAL */
      take_stmt(f);
      take(f, 1);
      take(f, 1);
      x_literal(f, 1);
    } else if (peek(f, 2) == '(') {
      t_table(f);
    } else if (peek(f, 3) == IDENT) { /* expect no alert RULE KEY */
      take_stmt(f);
      take(f, 1);
      take(f, 1);
      take(f, 1);
      x_literal(f, 1);
    } else { /* expect TIER RULE KEY [message "..."] */
      take_stmt(f);
      take(f, 1);
      take(f, 1);
      x_literal(f, 1);
      if (cur(f) == MESSAGE) {
        take(f, 1);
        take(f, 1);
      }
    }
    opt_semi(f);
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
      take_stmt(f);
      take(f, 1);
      if (cur(f) == STRING) take(f, 1);
      break;
    case TIERS:
      take_stmt(f);
      take(f, 1);
      while (cur(f) == ',') { take(f, 0); take(f, 1); }
      break;
    case PARAM:
      i_param(f);
      break;
    case ROLLUP: /* rollup NAME from SOURCE by COLUMN { FIELD | NAME = AGG(x) ... } */
      take_stmt(f);
      for (int k = 0; k < 5; k++) take(f, 1);
      block_open(f);
      while (cur(f) != '}' && cur(f) != 0) {
        int s = f->pos;
        if (cur(f) == IDENT && peek(f, 1) == '=') i_rcol(f);
        else i_field(f);
        if (f->pos == s) f->lost = 1;
      }
      block_close(f);
      break;
    case IDENT:
      if (peek(f, 1) == '{') { /* org { FIELD ... } */
        take_stmt(f);
        block_open(f);
        while (cur(f) != '}' && cur(f) != 0) {
          int s = f->pos;
          i_field(f);
          if (f->pos == s) f->lost = 1;
        }
        block_close(f);
      } else if (peek(f, 2) == DURATION) { /* escalate after DURATION, for the whole pack */
        i_escalate(f);
      } else { /* route TIER, ... up N; fiscal year starts MONTH has the same shape */
        take_stmt(f);
        take(f, 1);
        while (cur(f) == ',') { take(f, 0); take(f, 1); }
        take(f, 1); /* up */
        take(f, 1);
      }
      break;
    case DEF:
      take_stmt(f);
      take(f, 1);
      take(f, 0); /* ( */
      if (cur(f) != ')') {
        take(f, 0);
        while (cur(f) == ',') { take(f, 0); take(f, 1); }
      }
      take(f, 0); /* ) */
      take(f, 1); /* = */
      x_expr(f, 1);
      break;
    case SOURCE:
      take_stmt(f);
      take(f, 1);
      block_open(f);
      while (cur(f) != '}' && cur(f) != 0) {
        int s = f->pos;
        i_field(f);
        if (f->pos == s) f->lost = 1;
      }
      block_close(f);
      break;
    case RULE:
      take_stmt(f);
      take(f, 1);
      take(f, 1); /* on */
      take(f, 1);
      block_open(f);
      rule_items(f);
      block_close(f);
      break;
    case TEST:
      take_stmt(f);
      take(f, 1);
      block_open(f);
      test_items(f);
      block_close(f);
      break;
    default:
      f->lost = 1;
      break;
    }
    opt_semi(f);
    prev_block = block;
    ndecls++;
    if (f->pos == start) f->lost = 1;
  }
  if (f->oom || f->too_deep || f->lost) return;
  /* comments after the last declaration; the file ends with one newline */
  lead_stmt(f, f->ntok - 1, 0, 0, 0, 0);
  end_line(f);
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
    tok_text(a, i, emit_buf, &x);
    tok_text(b, j, emit_buf, &y);
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
    while (ae > a->tv[p].s && is_space(a->src[ae - 1])) ae--;
    while (be > b->tv[q].s && is_space(b->src[be - 1])) be--;
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
