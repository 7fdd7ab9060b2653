/*
** fmt.h — vigil fmt's two halves (tools/fmt.c): the layout engine
** (fmt_layout.c: output lines, comments and blank lines, tokens taken or
** dropped, the alignment of names in runs, blocks) and the walk that mirrors
** grammar/parser.y and tells the engine what comes next (fmt.c).
*/
#ifndef VIGIL_TOOLS_FMT_H
#define VIGIL_TOOLS_FMT_H

#include <stddef.h>
#include <stdint.h>
#include "../compiler/ast.h"

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

/* The next token's kind (0 at the end, or once the walk has failed); the
** kind d tokens further on. */
static inline int cur(const fm *f) { return f->oom || f->too_deep || f->lost ? 0 : f->tok[f->pos].t; }
static inline int peek(const fm *f, int d) {
  int p = f->pos + d;
  return p < f->ntok ? f->tok[p].t : 0;
}

/* ---- the layout engine (fmt_layout.c) ----------------------------------------- */

/* Ends the current output line (trailing spaces dropped), if it has text. */
void fmt_end_line(fm *f);
int fmt_is_space(char ch);
/* The canonical text of token k, given to emit(ud, ...). */
void fmt_tok_text(const fm *f, int k, void (*emit)(void *, const char *, size_t), void *ud);
/* The trivia before token k, which starts a statement or closes a block;
** then token k's line is started at indentation tind. */
void fmt_lead_stmt(fm *f, int k, int cind, int tind, int force, int final_ok);
/* The next token inside a statement, after n spaces (or a kept line break). */
void fmt_take(fm *f, int n);
/* The next token starts a statement at the current block level. */
void fmt_take_stmt(fm *f);
/* The next token is left out (its trivia goes with the following one). */
void fmt_drop(fm *f);
/* An optional `;`: left out, except where that would change the tokens. */
void fmt_opt_semi(fm *f);
/* The spaces after the name of the statement of that kind at f->pos
** (item walks one such statement: the run is measured by a dry walk). */
int fmt_pad_for(fm *f, int kind, void (*item)(fm *));
/* A block's `{` (comments before it come after it) and its `}`. */
void fmt_block_open(fm *f);
void fmt_block_close(fm *f);

#endif
