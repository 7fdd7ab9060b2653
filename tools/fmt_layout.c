/*
** fmt_layout.c — vigil fmt's layout engine: the output lines, where the
** comments and blank lines of the source go, the tokens taken into a
** statement or dropped, the alignment of names in runs of statements, and
** blocks.  The walk in fmt.c decides what comes next and calls these; the
** style is docs/LANGUAGE.md §15, "The canonical layout".
*/
#include <string.h>
#include "fmt.h"
#define YYSTYPE VG_YYSTYPE
#define YYLTYPE VG_YYLTYPE
#include "parser.h"

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

void fmt_end_line(fm *f) {
  if (f->dry || f->col == 0) return;
  while (f->out.len > 0 && f->out.data[f->out.len - 1] == ' ') f->out.len--;
  raw(f, "\n", 1);
  f->col = 0;
}

/* One empty line here, unless the output is empty, already ends with one, or
** a block has just been opened. */
static void blank_line(fm *f) {
  if (f->dry) return;
  fmt_end_line(f);
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
  fmt_end_line(f);
}

static void own_line_comment(fm *f, const ftriv *c, int ind) {
  fmt_end_line(f);
  f->ind = ind;
  put_comment(f, c);
  fmt_end_line(f);
}

/* Characters (UTF-8 code points) of a token: the width used for alignment. */
static int tok_width(const fm *f, int k) {
  int w = 0;
  for (uint32_t i = f->tok[k].s; i < f->tok[k].e; i++) w += ((unsigned char)f->src[i] & 0xc0) != 0x80;
  return w;
}

int fmt_is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

/* The canonical text of token k: its bytes in the source, except that `<>`
** is written `!=` and the white space inside a duration (`5   days`, or a
** line break) becomes one space.  The text goes to emit(ud, ...). */
void fmt_tok_text(const fm *f, int k, void (*emit)(void *, const char *, size_t), void *ud) {
  const ftok *t = &f->tok[k];
  const char *s = f->src + t->s;
  size_t n = t->e - t->s;
  if (t->t == NE) { emit(ud, "!=", 2); return; }
  if (t->t == DURATION) {
    size_t a = 0;
    while (a < n && !fmt_is_space(s[a])) a++;
    if (a < n) {
      size_t b = a;
      while (b < n && fmt_is_space(s[b])) b++;
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
void fmt_lead_stmt(fm *f, int k, int cind, int tind, int force, int final_ok) {
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
        fmt_end_line(f);
        if (nl >= 2 || force) blank_line(f);
        force = 0;
        own_line_comment(f, t, cind);
      }
      nl = 0;
    }
    first = 0;
  }
  fmt_end_line(f);
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
    fmt_end_line(f);
    f->ind = cont;
  } else {
    spaces(f, n);
  }
  f->pending = f->tok[k].tv;
}

/* ---- tokens ---------------------------------------------------------------- */


static void emit_tok(fm *f) {
  fmt_tok_text(f, f->pos, emit_put, f);
  f->last = f->pos;
  f->pos++;
}

/* The next token inside a statement, after n spaces (or a kept line break). */
void fmt_take(fm *f, int n) {
  if (cur(f) == 0) { f->lost = 1; return; }
  lead_inner(f, f->pos, n);
  emit_tok(f);
}

/* The next token starts a statement at the current block level. */
void fmt_take_stmt(fm *f) {
  if (cur(f) == 0) { f->lost = 1; return; }
  int ind = 2 * f->level;
  fmt_lead_stmt(f, f->pos, ind, ind, f->force_blank, 1);
  f->force_blank = 0;
  emit_tok(f);
}

/* A token that is left out (a `;`, a separator between test rows): its
** trivia is handled with the next token's. */
void fmt_drop(fm *f) {
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
void fmt_opt_semi(fm *f) {
  if (cur(f) != ';') return;
  int next = f->pos + 1;
  if (f->last >= 0 && f->tok[f->last].t == NUMBER && f->tok[next].t == IDENT &&
      (tok_is(f, next, "day") || tok_is(f, next, "days") || tok_is(f, next, "week") || tok_is(f, next, "weeks"))) {
    fmt_take(f, 0);
    return;
  }
  fmt_drop(f);
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
int fmt_pad_for(fm *f, int kind, void (*item)(fm *)) {
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

void fmt_block_open(fm *f) {
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

void fmt_block_close(fm *f) {
  if (cur(f) != '}') { f->lost = 1; return; }
  int ind = 2 * f->level;
  f->level--;
  fmt_lead_stmt(f, f->pos, ind, ind - 2, 0, 0);
  emit_tok(f);
}
