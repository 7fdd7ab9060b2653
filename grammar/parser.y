/*
** parser.y — the grammar of the Vigil rule language.
**
** A pure, reentrant parser with locations.  Actions only build AST nodes
** (compiler/ast.h); names, types and everything else are checked in
** compiler/sema.c.  Errors recover at declaration and statement boundaries
** so one run reports several of them.
**
** Expression precedence, loosest first: if-then-else, or, and, not, comparisons (one per
** expression: `a < b < c` is an error), + -, * /, unary -, postfix.  The
** levels are spelled out as nonterminals, so no %prec is needed and
** `between a and b` does not fight with the logical `and`.
*/
%require "3.6"
%define api.pure full
%define api.prefix {vg_yy}
%define api.location.type {vg_loc}
%define parse.error detailed
%define parse.lac full
%locations
%expect 0
%param {void *scanner}
%parse-param {cc *c} {ast **out}

%code requires {
#include "../compiler/ast.h"
}

%code provides {
int vg_yylex(VG_YYSTYPE *lval, VG_YYLTYPE *lloc, void *scanner);
}

%code {
#include <string.h>
#include "../stdlib/lib.h"

struct lex_extra *vg_yyget_extra(void *scanner);

#define YYLLOC_DEFAULT(Cur, Rhs, N)                         \
  do {                                                      \
    if (N) {                                                \
      (Cur).file = YYRHSLOC(Rhs, 1).file;                   \
      (Cur).start = YYRHSLOC(Rhs, 1).start;                 \
      (Cur).end = YYRHSLOC(Rhs, N).end;                     \
    } else {                                                \
      (Cur).file = YYRHSLOC(Rhs, 0).file;                   \
      (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;       \
    }                                                       \
  } while (0)

static void vg_yyerror(VG_YYLTYPE *loc, void *scanner, cc *c, ast **out, const char *msg) {
  (void)out;
  const struct lex_extra *x = vg_yyget_extra(scanner);
  /* at a '}' the lexer added for a '{' left open: that '{' is the error, reported */
  if (x->synth_at && loc->start + 1 == x->synth_at && loc->end == loc->start) return;
  if (strcmp(msg, "memory exhausted") == 0) {
    /* the parser's stack is bounded (YYMAXDEPTH): too deep a nesting */
    if (!c->depth_reported)
      cc_limit(c, *loc, "expression nested too deeply for the parser (at most %d levels)", VG_MAX_DEPTH);
    c->depth_reported = 1;
    c->parser_full = 1;
    return;
  }
  if (c->depth_reported && c->lexer_stopped) return; /* the lexer cut the file short */
  if (strncmp(msg, "syntax error, ", 14) == 0) msg += 14;
  cc_error(c, *loc, DIAG_E_SYNTAX, "%s", msg);
}

/* Node constructors: they keep the tree's height, so a too-deep
** expression is an error here and never a stack overflow later. */
static ast *mk(cc *c, int kind, vg_loc loc, ast *a, ast *b, ast *cc3) {
  ast *n = ast_new(c, kind, loc);
  if (!n) return NULL;
  n->a = a; n->b = b; n->c = cc3;
  unsigned d = 0;
  if (a && a->depth > d) d = a->depth;
  if (b && b->depth > d) d = b->depth;
  if (cc3 && cc3->depth > d) d = cc3->depth;
  for (ast *l = (kind == A_CALL || kind == A_IN) ? (kind == A_CALL ? a : b) : NULL; l; l = l->next)
    if (l->depth > d) d = l->depth;
  if (d + 1 > VG_MAX_DEPTH) {
    /* reported once; the subtree is dropped, so no later walk recurses deeper */
    if (!c->depth_reported) cc_limit(c, loc, "expression nested deeper than %d levels", VG_MAX_DEPTH);
    c->depth_reported = 1;
    n->kind = A_NULL;
    n->a = n->b = n->c = NULL;
    d = 0;
  }
  n->depth = (uint16_t)(d + 1);
  return n;
}

/* ( e ): parentheses count toward the nesting limit too. */
static ast *paren(cc *c, vg_loc loc, ast *e) {
  if (!e) return NULL;
  if (e->depth + 1 > VG_MAX_DEPTH) return mk(c, A_NOT, loc, e, NULL, NULL); /* reports and drops */
  e->depth++;
  return e;
}
static ast *bin(cc *c, int op, vg_loc loc, ast *a, ast *b) {
  ast *n = mk(c, A_BIN, loc, a, b, NULL);
  if (n) n->op = (uint8_t)op;
  return n;
}
static ast *lit(cc *c, int kind, vg_loc loc) { return mk(c, kind, loc, NULL, NULL, NULL); }
/* fiscal year starts MONTH: 'fiscal', 'year' and 'starts' are not reserved.
** NULL (an error reported at the first wrong word) when the words are not these. */
static ast *fiscal(cc *c, vg_loc loc, const char *w1, vg_loc l1, const ast *year, const char *w3, vg_loc l3,
                   vg_loc month) {
  const char *bad = NULL;
  vg_loc at = l1;
  if (!year) return NULL; /* out of memory, already noted */
  if (strcmp(w1, "fiscal") != 0) bad = w1;
  else if (strcmp(year->name, "year") != 0) { bad = year->name; at = year->loc; }
  else if (year->next) { bad = year->next->name; at = year->next->loc; }
  else if (strcmp(w3, "starts") != 0) { bad = w3; at = l3; }
  if (bad) {
    cc_error(c, at, DIAG_E_SYNTAX, "unexpected '%s' (did you mean 'fiscal year starts MONTH'?)", bad);
    return NULL;
  }
  ast *n = lit(c, D_FISCAL, loc);
  if (n) n->name_loc = month;
  return n;
}
static ast *named(cc *c, int kind, vg_loc loc, const char *name, vg_loc name_loc) {
  ast *n = mk(c, kind, loc, NULL, NULL, NULL);
  if (n) { n->name = name; n->name_loc = name_loc; }
  return n;
}
/* A declaration named by the name node nm: NULL when nm is (memory ran out). */
static ast *declared(cc *c, int kind, vg_loc loc, const ast *nm) { return nm ? named(c, kind, loc, nm->name, nm->loc) : NULL; }
}

%union {
  double num;
  int32_t date;
  struct { const char *s; uint32_t len; } str;
  ast *node;
  ast_list list;
}

%token START_FILE START_EXPR START_LITERAL
%token <num> NUMBER "number" PERCENT "percent" DURATION "duration"
%token <date> DATE "date"
%token <str> STRING "string" IDENT "identifier"
%token PACK "'pack'" TIERS "'tiers'" PARAM "'param'" DEF "'def'" SOURCE "'source'" RULE "'rule'" ON "'on'"
%token LET "'let'" WHEN "'when'" FOR "'for'" MESSAGE "'message'" NOTIFY "'notify'"
%token LAST "'last'" SNAPSHOTS "'snapshots'"
%token AND "'and'" OR "'or'" NOT "'not'" IS "'is'" NUL "'null'" IN "'in'" BETWEEN "'between'"
%token TRUE "'true'" FALSE "'false'" ASOF "'as_of'" STALE "'stale'" TEST "'test'"
%token IF "'if'" THEN "'then'" ELSE "'else'" ROLLUP "'rollup'"
%token COMMENT "comment" NEWLINE "line break"  /* only when the lexer keeps trivia (vigil fmt) */
%token LE "'<='" GE "'>='" NE "'!='"
%token '<' "'<'" '>' "'>'" '=' "'='" '+' "'+'" '-' "'-'" '*' "'*'" '/' "'/'"
%token '(' "'('" ')' "')'" '[' "'['" ']' "']'" '{' "'{'" '}' "'}'" ',' "','" '.' "'.'" ';' "';'"

%type <node> decl field rule_item expr or_expr and_expr not_expr cmp_expr add_expr mul_expr unary postfix primary literal arg name opt_title
%type <str> opt_column
%type <list> names opt_names args expr_list fields rule_items test_items rows literals rollup_items
%type <node> test_item row opt_tmessage escalate rollup_item
%type <num> opt_for

%%

start
  : START_FILE file
  | START_EXPR expr            { *out = $2; }
  | START_LITERAL literal      { *out = $2; }
  ;

file
  : %empty
  | file decl                  { ast_append(&c->decls, $2); }
  | file error
  ;

opt_semi: %empty | ';' ;
opt_column: %empty { $$.s = NULL; $$.len = 0; } | '.' IDENT { $$ = $2; } ;

name: IDENT                    { $$ = named(c, A_NAME, @1, $1.s, @1); } ;

decl
  : PACK name opt_title opt_semi {
      $$ = declared(c, D_PACK, @$, $2);
      if ($$ && $3) { $$->str = $3->str; $$->len = $3->len; }
    }
  | TIERS names opt_semi         { $$ = mk(c, D_TIERS, @$, $2.head, NULL, NULL); }
  | escalate                     { $$ = $1; }
  | IDENT '{' fields '}' opt_semi {
      /* org { table T person P manager M [name N] }: 'org' is not reserved */
      $$ = lit(c, D_ORG, @$);
      if ($$) { $$->b = $3.head; $$->name_loc = @1; }
      if (strcmp($1.s, "org") != 0) cc_error(c, @1, DIAG_E_SYNTAX, "unexpected '%s {' (did you mean 'org {' or 'source NAME {'?)", $1.s);
    }
  | IDENT names IDENT NUMBER opt_semi {
      /* route TIER, ... up N, or fiscal year starts N: 'route', 'up', 'fiscal',
      ** 'year' and 'starts' are not reserved */
      if (strcmp($1.s, "fiscal") == 0) {
        $$ = fiscal(c, @$, $1.s, @1, $2.head, $3.s, @3, @4);
        if ($$) $$->num = $4;
      } else {
        $$ = mk(c, D_ROUTE, @$, $2.head, NULL, NULL);
        if ($$) $$->num = $4;
        if (strcmp($1.s, "route") != 0 || strcmp($3.s, "up") != 0)
          cc_error(c, @1, DIAG_E_SYNTAX, "unexpected '%s' (did you mean 'route TIER, ... up N'?)", $1.s);
        else if (!($4 >= 0 && $4 <= VG_MAX_ROUTE) || $4 != (double)(long)$4) /* range first: (long)1e308 is undefined */
          cc_error(c, @4, DIAG_E_ROUTE, "'route ... up' takes a whole number of levels from 0 to %d", VG_MAX_ROUTE);
      }
    }
  | IDENT names IDENT IDENT opt_semi {
      /* fiscal year starts MONTH (a name) */
      if (strcmp($1.s, "route") == 0) {
        $$ = NULL;
        cc_error(c, @4, DIAG_E_ROUTE, "'route ... up' takes a whole number of levels from 0 to %d, not '%s'", VG_MAX_ROUTE, $4.s);
      } else {
        $$ = fiscal(c, @$, $1.s, @1, $2.head, $3.s, @3, @4);
        if ($$) $$->str = $4.s;
      }
    }
  | ROLLUP name IDENT name IDENT name '{' rollup_items '}' opt_semi {
      /* rollup NAME from SOURCE by COLUMN { ... }: 'from' and 'by' are not reserved */
      $$ = declared(c, D_ROLLUP, @$, $2);
      if ($$) {
        $$->a = $4;
        $$->c = $6;
        $$->b = $8.head;
      }
      if (!$3.s || !$5.s) { /* out of memory: reported */ }
      else if (strcmp($3.s, "from") != 0 || strcmp($5.s, "by") != 0)
        cc_error(c, strcmp($3.s, "from") != 0 ? @3 : @5, DIAG_E_SYNTAX, "expected 'rollup NAME from SOURCE by COLUMN { ... }'");
    }
  | PARAM name '=' literal opt_semi { $$ = declared(c, D_PARAM, @$, $2); if ($$) $$->a = $4; }
  | PARAM name '=' literal ON IDENT '[' IDENT ']' opt_column opt_semi {
      /* param NAME = LITERAL on SOURCE[KEY_COLUMN][.COLUMN]: overridden per key */
      $$ = declared(c, D_PARAM, @$, $2);
      if ($$) {
        $$->a = $4;
        $$->b = named(c, A_LOOKUP, @5, $6.s, @6);
        if ($$->b) {
          $$->b->a = named(c, A_NAME, @8, $8.s, @8);
          $$->b->str = $10.s;
          $$->b->loc = @$;
        }
      }
    }
  | DEF name '(' opt_names ')' '=' expr opt_semi {
      $$ = declared(c, D_DEF, @$, $2);
      if ($$) { $$->b = $4.head; $$->a = $7; }
    }
  | SOURCE name '{' fields '}' opt_semi {
      $$ = declared(c, D_SOURCE, @$, $2);
      if ($$) $$->b = $4.head;
    }
  | TEST STRING '{' test_items '}' opt_semi {
      $$ = lit(c, D_TEST, @$);
      if ($$) { $$->str = $2.s; $$->len = $2.len; $$->b = $4.head; $$->name_loc = @2; }
    }
  | RULE name ON name '{' rule_items '}' opt_semi {
      $$ = declared(c, D_RULE, @$, $2);
      if ($$) { $$->a = $4; $$->b = $6.head; }
    }
  ;

/* ---- tests (vigil test) -------------------------------------------------- */
test_items
  : %empty                     { $$.head = $$.tail = NULL; }
  | test_items test_item       { $$ = $1; ast_append(&$$, $2); }
  | test_items error           { $$ = $1; }
  ;
test_item
  : ASOF DATE opt_semi         { $$ = mk(c, D_TASOF, @$, lit(c, A_DATE, @2), NULL, NULL); if ($$ && $$->a) $$->a->date = $2; }
  | IDENT IDENT '=' literal opt_semi {
      /* set NAME = LITERAL */
      $$ = named(c, D_TSET, @$, $2.s, @2);
      if ($$) $$->a = $4;
      if (strcmp($1.s, "set") != 0) cc_error(c, @1, DIAG_E_TEST, "unexpected '%s' in a test (expected as_of, set, table or expect)", $1.s);
    }
  | IDENT IDENT '(' names ')' '{' rows '}' opt_semi {
      /* table NAME (COLUMNS) { (ROW) ... } */
      $$ = named(c, D_TTABLE, @$, $2.s, @2);
      if ($$) { $$->b = $4.head; $$->c = $7.head; }
      if (strcmp($1.s, "table") != 0) cc_error(c, @1, DIAG_E_TEST, "unexpected '%s' in a test (expected as_of, set, table or expect)", $1.s);
    }
  | IDENT IDENT IDENT literal opt_tmessage opt_semi {
      /* expect TIER RULE KEY [message "..."] */
      $$ = named(c, D_TEXPECT, @$, $2.s, @2);
      if ($$) { $$->str = $3.s; $$->len = $3.len; $$->a = $4; $$->c = $5; $$->b = named(c, A_NAME, @3, $3.s, @3); }
      if (strcmp($1.s, "expect") != 0) cc_error(c, @1, DIAG_E_TEST, "unexpected '%s' in a test (expected as_of, set, table or expect)", $1.s);
    }
  | IDENT IDENT IDENT IDENT literal opt_semi {
      /* expect no alert RULE KEY */
      $$ = named(c, D_TEXPECT, @$, NULL, @2);
      if ($$) { $$->str = $4.s; $$->len = $4.len; $$->a = $5; $$->b = named(c, A_NAME, @4, $4.s, @4); }
      if (strcmp($1.s, "expect") != 0 || strcmp($2.s, "no") != 0 || strcmp($3.s, "alert") != 0)
        cc_error(c, @1, DIAG_E_TEST, "expected 'expect no alert RULE KEY'");
    }
  ;
opt_tmessage: %empty { $$ = NULL; } | MESSAGE STRING { $$ = lit(c, A_STR, @2); if ($$) { $$->str = $2.s; $$->len = $2.len; } } ;
rows
  : %empty                     { $$.head = $$.tail = NULL; }
  | rows row                   { $$ = $1; ast_append(&$$, $2); }
  ;
row: '(' literals ')' opt_comma { $$ = mk(c, A_ROW, @$, $2.head, NULL, NULL); } ;
opt_comma: %empty | ',' | ';' ;
literals
  : literal                    { $$.head = $$.tail = NULL; ast_append(&$$, $1); }
  | literals ',' literal       { $$ = $1; ast_append(&$$, $3); }
  ;

opt_title: %empty { $$ = NULL; } | STRING { $$ = lit(c, A_STR, @1); if ($$) { $$->str = $1.s; $$->len = $1.len; } } ;

names
  : name                       { $$.head = $$.tail = NULL; ast_append(&$$, $1); }
  | names ',' name             { $$ = $1; ast_append(&$$, $3); }
  ;
opt_names: %empty { $$.head = $$.tail = NULL; } | names { $$ = $1; } ;

fields
  : %empty                     { $$.head = $$.tail = NULL; }
  | fields field               { $$ = $1; ast_append(&$$, $2); }
  | fields error               { $$ = $1; }
  ;
field: IDENT expr opt_semi     { $$ = named(c, D_FIELD, @$, $1.s, @1); if ($$) $$->a = $2; } ;

/* a rollup's items: every D, horizon D (fields) and NAME = AGGREGATE(x) (columns) */
rollup_items
  : %empty                     { $$.head = $$.tail = NULL; }
  | rollup_items rollup_item   { $$ = $1; ast_append(&$$, $2); }
  | rollup_items error         { $$ = $1; }
  ;
rollup_item
  : field                      { $$ = $1; }
  | IDENT '=' expr opt_semi    { $$ = named(c, D_LET, @$, $1.s, @1); if ($$) $$->a = $3; }
  ;

rule_items
  : %empty                     { $$.head = $$.tail = NULL; }
  | rule_items rule_item       { $$ = $1; ast_append(&$$, $2); }
  | rule_items error           { $$ = $1; }
  ;
rule_item
  : LET name '=' expr opt_for opt_semi {
      /* 'for' persists a tier's condition; a let is a value: say where it goes */
      if ($5 != 0 && $2)
        cc_error(c, @5, DIAG_E_SYNTAX, "'for' belongs to a tier's clause, not to a let: write 'let %s = ...' "
                 "and then 'red when %s for %ld %s' (or orange, yellow)", $2->name, $2->name,
                 (long)($5 > 0 ? $5 : -$5), $5 > 0 ? "snapshots" : "days");
      $$ = declared(c, D_LET, @$, $2); if ($$) $$->a = $4;
    }
  | IDENT WHEN expr opt_for opt_semi {
      /* ival: for N snapshots; num: for D days (opt_for gives -D) */
      $$ = named(c, D_CLAUSE, @$, $1.s, @1);
      if ($$) {
        $$->a = $3;
        if ($4 > 0) $$->ival = (int)$4;
        else if ($4 < 0) $$->num = -$4;
        if ($4 != 0) $$->flag = 1;
        if ($4 != 0) $$->c = lit(c, A_WINDOW, @4); /* where the `for` is written */
      }
    }
  | MESSAGE STRING opt_semi    { $$ = mk(c, D_MESSAGE, @$, parse_message(c, @2), NULL, NULL); }
  | NOTIFY expr opt_semi       { $$ = mk(c, D_NOTIFY, @$, $2, NULL, NULL); }
  | escalate                   { $$ = $1; }
  ;

/* escalate after DURATION: 'escalate' and 'after' are not reserved */
escalate
  : IDENT IDENT DURATION opt_semi {
      $$ = lit(c, D_ESCALATE, @$);
      if ($$) $$->num = $3;
      if (strcmp($1.s, "escalate") != 0 || strcmp($2.s, "after") != 0)
        cc_error(c, @1, DIAG_E_SYNTAX, "unexpected '%s %s' (did you mean 'escalate after DURATION'?)", $1.s, $2.s);
      else if ($3 <= 0)
        cc_error(c, @3, DIAG_E_WINDOW, "'escalate after' takes a positive duration");
    }
  ;
opt_for
  : %empty                     { $$ = 0; }
  | FOR NUMBER snapshots       {
      if (!($2 >= 1 && $2 <= VG_MAX_WINDOW) || $2 != (double)(long)$2) { /* range first: (long)1e308 is undefined */
        cc_error(c, @2, DIAG_E_WINDOW, "'for' needs a whole number of snapshots from 1 to %d", VG_MAX_WINDOW);
        $$ = 1;
      } else $$ = $2;
    }
  | FOR DURATION               {
      /* calendar persistence: a whole number of days, returned negated */
      if (!($2 >= 1 && $2 <= VG_MAX_WINDOW) || $2 != (double)(long)$2) {
        cc_error(c, @2, DIAG_E_WINDOW, "'for' needs a whole number of days from 1 to %d (or a number of snapshots)", VG_MAX_WINDOW);
        $$ = -1;
      } else $$ = -$2;
    }
  ;

literal
  : NUMBER                     { $$ = lit(c, A_NUM, @1); if ($$) $$->num = $1; }
  | PERCENT                    { $$ = lit(c, A_NUM, @1); if ($$) { $$->num = $1; $$->flag = 1; } }
  | '-' NUMBER                 { $$ = lit(c, A_NUM, @$); if ($$) $$->num = -$2; }
  | '-' PERCENT                { $$ = lit(c, A_NUM, @$); if ($$) { $$->num = -$2; $$->flag = 1; } }
  | DURATION                   { $$ = lit(c, A_DUR, @1); if ($$) $$->num = $1; }
  | '-' DURATION               { $$ = lit(c, A_DUR, @$); if ($$) $$->num = -$2; }
  | DATE                       { $$ = lit(c, A_DATE, @1); if ($$) $$->date = $1; }
  | STRING                     { $$ = lit(c, A_STR, @1); if ($$) { $$->str = $1.s; $$->len = $1.len; } }
  | TRUE                       { $$ = lit(c, A_BOOL, @1); if ($$) $$->num = 1; }
  | FALSE                      { $$ = lit(c, A_BOOL, @1); }
  | NUL                        { $$ = lit(c, A_NULL, @1); }
  ;

/* 'snapshot' is not reserved (a source may be called snapshot): after a
** count it is recognised by its spelling. */
snapshots
  : SNAPSHOTS
  | IDENT {
      if (strcmp($1.s, "snapshot") != 0)
        cc_error(c, @1, DIAG_E_SYNTAX, "'%s' is not a unit here: write N snapshots, N days or N weeks", $1.s);
    }
  ;

/* if C then A else B: the loosest of all, like Python's conditional
** expression; inside an operation it needs parentheses. */
expr
  : or_expr
  | IF expr THEN expr ELSE expr { $$ = mk(c, A_IF, @$, $2, $4, $6); }
  ;

or_expr
  : or_expr OR and_expr        { $$ = bin(c, BIN_OR, @$, $1, $3); }
  | and_expr
  ;
and_expr
  : and_expr AND not_expr      { $$ = bin(c, BIN_AND, @$, $1, $3); }
  | not_expr
  ;
not_expr
  : NOT not_expr               { $$ = mk(c, A_NOT, @$, $2, NULL, NULL); }
  | cmp_expr
  ;
cmp_expr
  : add_expr
  | add_expr '=' add_expr      { $$ = bin(c, BIN_EQ, @$, $1, $3); }
  | add_expr NE add_expr       { $$ = bin(c, BIN_NE, @$, $1, $3); }
  | add_expr '<' add_expr      { $$ = bin(c, BIN_LT, @$, $1, $3); }
  | add_expr LE add_expr       { $$ = bin(c, BIN_LE, @$, $1, $3); }
  | add_expr '>' add_expr      { $$ = bin(c, BIN_GT, @$, $1, $3); }
  | add_expr GE add_expr       { $$ = bin(c, BIN_GE, @$, $1, $3); }
  | add_expr IS NUL            { $$ = mk(c, A_ISNULL, @$, $1, NULL, NULL); }
  | add_expr IS NOT NUL        { $$ = mk(c, A_ISNULL, @$, $1, NULL, NULL); if ($$) $$->flag = 1; }
  | add_expr IN '(' expr_list ')' { $$ = mk(c, A_IN, @$, $1, $4.head, NULL); }
  | add_expr NOT IN '(' expr_list ')' { $$ = mk(c, A_IN, @$, $1, $5.head, NULL); if ($$) $$->flag = 1; }
  | add_expr BETWEEN add_expr AND add_expr { $$ = mk(c, A_BETWEEN, @$, $1, $3, $5); }
  | add_expr NOT BETWEEN add_expr AND add_expr { $$ = mk(c, A_BETWEEN, @$, $1, $4, $6); if ($$) $$->flag = 1; }
  ;
add_expr
  : add_expr '+' mul_expr      { $$ = bin(c, BIN_ADD, @$, $1, $3); }
  | add_expr '-' mul_expr      { $$ = bin(c, BIN_SUB, @$, $1, $3); }
  | mul_expr
  ;
mul_expr
  : mul_expr '*' unary         { $$ = bin(c, BIN_MUL, @$, $1, $3); }
  | mul_expr '/' unary         { $$ = bin(c, BIN_DIV, @$, $1, $3); }
  | unary
  ;
unary
  : '-' unary                  { $$ = mk(c, A_NEG, @$, $2, NULL, NULL); }
  | postfix
  ;
postfix
  : primary
  | IDENT '(' ')'              { $$ = named(c, A_CALL, @$, $1.s, @1); }
  | IDENT '(' args ')'         { $$ = mk(c, A_CALL, @$, $3.head, NULL, NULL); if ($$) { $$->name = $1.s; $$->name_loc = @1; } }
  | IDENT '.' IDENT            {
      $$ = named(c, A_LOOKUP, @$, $1.s, @1);
      if ($$) { $$->str = $3.s; $$->len = $3.len; $$->b = named(c, A_NAME, @3, $3.s, @3); }
    }
  | IDENT '[' expr ']' '.' IDENT {
      $$ = mk(c, A_LOOKUP, @$, $3, NULL, NULL);
      if ($$) { $$->name = $1.s; $$->name_loc = @1; $$->str = $6.s; $$->len = $6.len; $$->b = named(c, A_NAME, @6, $6.s, @6); }
    }
  ;
args
  : arg                        { $$.head = $$.tail = NULL; ast_append(&$$, $1); }
  | args ',' arg               { $$ = $1; ast_append(&$$, $3); }
  ;
arg
  : expr
  | LAST NUMBER snapshots      { $$ = lit(c, A_WINDOW, @$); if ($$) $$->num = $2; }
  | LAST DURATION              { $$ = lit(c, A_WINDOW, @$); if ($$) { $$->num = $2; $$->flag = 1; } }
  ;
expr_list
  : expr                       { $$.head = $$.tail = NULL; ast_append(&$$, $1); }
  | expr_list ',' expr         { $$ = $1; ast_append(&$$, $3); }
  ;
primary
  : NUMBER                     { $$ = lit(c, A_NUM, @1); if ($$) $$->num = $1; }
  | PERCENT                    { $$ = lit(c, A_NUM, @1); if ($$) { $$->num = $1; $$->flag = 1; } /* flag: written as a percent */ }
  | DURATION                   { $$ = lit(c, A_DUR, @1); if ($$) $$->num = $1; }
  | DATE                       { $$ = lit(c, A_DATE, @1); if ($$) $$->date = $1; }
  | STRING                     { $$ = lit(c, A_STR, @1); if ($$) { $$->str = $1.s; $$->len = $1.len; } }
  | TRUE                       { $$ = lit(c, A_BOOL, @1); if ($$) $$->num = 1; }
  | FALSE                      { $$ = lit(c, A_BOOL, @1); }
  | NUL                        { $$ = lit(c, A_NULL, @1); }
  | ASOF                       { $$ = lit(c, A_ASOF, @1); }
  | STALE                      { $$ = lit(c, A_STALE, @1); }
  | IDENT                      { $$ = named(c, A_NAME, @1, $1.s, @1); }
  | '(' expr ')'               { $$ = paren(c, @$, $2); }
  ;

%%
