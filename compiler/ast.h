/*
** ast.h — the syntax tree, the compilation context and diagnostics.
**
** Data flow of a compilation (compiler/compile.c drives it):
**   source text --grammar/lexer.l, parser.y--> ast (one list of declarations)
**   --sema.c--> names resolved, defs and lets inlined, every node typed
**   --cg.c--> vm_program (bytecode) --bc_verify--> ready to run or save.
**
** Everything a compilation allocates (nodes, names, diagnostics text) lives
** in cc->arena and is freed at once by cc_free; the grammar's actions only
** build nodes, so error recovery cannot leak.
*/
#ifndef VIGIL_AST_H
#define VIGIL_AST_H

#include <stdarg.h>
#include <stdint.h>
#include "../include/vigil.h"
#include "../core/map.h"
#include "../core/mem.h"
#include "../core/val.h"
#include "../core/limits.h"
#include "../core/diagcodes.h"
#include "../core/vec.h"

/* A place in a source file: byte offsets [start, end). */
typedef struct vg_loc {
  uint16_t file;
  uint32_t start, end;
} vg_loc;

typedef enum {
  /* expressions */
  A_NUM, A_STR, A_DATE, A_DUR, A_BOOL, A_NULL, /* literals (A_NUM also for percents) */
  A_NAME,      /* an identifier; sema turns it into A_COL, A_PARAM, or the let's tree */
  A_ASOF, A_STALE,
  A_NEG, A_NOT,              /* a */
  A_BIN,                     /* a op b; op is one of the BIN_* */
  A_ISNULL,                  /* a is [not] null; flag: not */
  A_IN,                      /* a [not] in (list b); flag: not */
  A_BETWEEN,                 /* a [not] between b and c; flag: not */
  A_CALL,                    /* name(args a...); args linked by next */
  A_LOOKUP,                  /* source name [a].column str */
  A_WINDOW,                  /* last num snapshots (flag 0) | last num days (flag 1) */
  A_COL, A_PARAM,            /* resolved: ref is the column / param index */
  A_ARGREF,                  /* inside a def body: ref is the parameter index */
  A_FMT,                     /* message part: a formatted with ival (LIB_FMT_*), num digits */
  /* declarations */
  D_PACK, D_TIERS, D_PARAM, D_DEF, D_SOURCE, D_FIELD, D_RULE, D_LET, D_CLAUSE, D_MESSAGE, D_NOTIFY,
  /* tests (vigil test): a D_TEST (str: its name, b: its items) holds
  **   D_TASOF   a: the date literal
  **   D_TSET    name: the param, a: the literal
  **   D_TTABLE  name: the table, b: A_NAME columns, c: A_ROW rows (a: literals)
  **   D_TEXPECT name: the tier (NULL for "no alert"), str: the rule,
  **             a: the key literal, c: the message literal or NULL
  ** Compiling a pack ignores them. */
  D_TEST, D_TASOF, D_TSET, D_TTABLE, D_TEXPECT, A_ROW,
  D_ESCALATE, /* escalate after DURATION (num: days), in a rule or for the pack */
  D_ORG,      /* org { table T person P manager M [name N] } (b: D_FIELD list) */
  D_ROUTE,    /* route TIER, ... up N (a: A_NAME tiers, num: N) */
  A_MANAGER,  /* checked manager(x, n): a the person, ival n levels up */
  A_IF,       /* if a then b else c */
  D_ROLLUP,   /* rollup NAME from SOURCE by COLUMN { ITEM ... }: a the member source (A_NAME),
              ** c the group column (A_NAME), b the items: D_FIELD (every, horizon) and
              ** D_LET (NAME = AGGREGATE(expr), a column) */
  D_FISCAL,   /* fiscal year starts MONTH (str: a month name, else num: a number; name_loc: the month) */
  A_PERSON_NAME /* checked person_name(x): a the person */
} ast_kind;

typedef enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_EQ, BIN_NE, BIN_LT, BIN_LE, BIN_GT, BIN_GE, BIN_AND, BIN_OR } ast_binop;

/* The type lattice of the checker: a val_type, or T_ANY when unknown
** (a column without schema, null). */
#define T_ANY 0xff

typedef struct ast ast;
struct ast {
  uint8_t kind, op, type, flag;
  vg_loc loc;
  const char *name;  /* identifiers, declaration names, function names */
  vg_loc name_loc;
  ast *a, *b, *c;    /* children; lists hang off a or b via next */
  ast *next;         /* next in a list */
  double num;        /* A_NUM, A_DUR (days), A_WINDOW count, A_FMT digits */
  int32_t date;      /* A_DATE */
  const char *str;   /* A_STR text (unescaped), D_PACK title, A_LOOKUP column */
  uint32_t len;
  int32_t ref;       /* resolved index */
  uint16_t depth;    /* height of the tree under this node (bounded by VG_MAX_DEPTH) */
  uint32_t size;     /* after checking: nodes under this one with lets and defs inlined */
  int ival;          /* D_CLAUSE: for N (0 without), A_FMT: LIB_FMT_* */
};

typedef struct ast_list { ast *head, *tail; } ast_list;

/* One source file of the compilation. */
typedef struct vg_file {
  const char *path;
  const char *src; size_t len;
  uint32_t *lines; uint32_t nlines; /* byte offset of each line's start */
} vg_file;

/* A column of the schema. */
typedef struct cc_column { const char *name; uint8_t type; } cc_column;
typedef struct cc_table { const char *name; cc_column *cols; int ncols; } cc_table;

typedef struct cc {
  vg_arena arena;
  vg_file files[VG_MAX_FILES];
  int nfiles;
  ast_list decls;
  /* schema; has_schema 0 means columns are not checked */
  int has_schema;
  const char *schema_what; /* where the schema comes from, for messages: "the database x.db", or NULL */
  cc_table *tables; int ntables;
  /* diagnostics */
  vg_diag_fn diag; void *ud;
  int nerrors, nwarnings, max_errors;
  int syntax_errors;  /* errors while parsing: some declarations may be partial */
  int lint;           /* report warnings (vigil check) */
  const char *data_path;    /* the SQLite --db whose data W-fraction may read (lint.c), or NULL */
  struct sqlite3 *data_db;  /* ... opened when first needed, closed by lint_fractions */
  int data_failed;          /* ... could not be opened: not tried again */
  int depth_reported; /* VG_MAX_DEPTH reported once */
  int parser_full;    /* bison's stack ran out (a nesting error, not memory) */
  int lexer_stopped;  /* the lexer ended the input early (nesting past the limit) */
  int stopped;        /* a limit was reported (cc_limit): nothing more is parsed,
                      ** checked, generated or reported */
  uint64_t nodes;     /* tree nodes built so far (ast_new, ast_clone) */
  int oom;
} cc;

/* Append n to list l (n may be NULL: ignored). */
void ast_append(ast_list *l, ast *n);
/* A new zeroed node in the arena; NULL (and cc->oom set) when out of memory. */
ast *ast_new(cc *c, int kind, vg_loc loc);
/* A deep copy of n and its lists (not of ->next of n itself). */
ast *ast_clone(cc *c, const ast *n);
/* 1 when a and b are the same checked expression (same kinds, operators,
** references and literals all the way down). */
int ast_same_tree(const ast *a, const ast *b);

/* Add a file (the text is copied into the arena).  Returns its index, or -1
** (and an error reported) when there are too many files or no memory. */
int cc_add_file(cc *c, const char *path, const char *text, size_t len);

/* Report an error / warning / note at loc, an error or a warning with its
** code (core/diagcodes.def).  The message is printf-formatted.
** Errors beyond max_errors are counted but not reported. */
void cc_error(cc *c, vg_loc loc, vg_dcode code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;
void cc_warning(cc *c, vg_loc loc, vg_dcode code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;
void cc_note(cc *c, vg_loc loc, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
/* A limit of limits.h exceeded at loc: reports it (code E-limit) and stops
** the compilation (c->stopped), so the limit is the last diagnostic and no
** more of the input is parsed or checked: continuing past a limit is what
** would spend the time and memory the limit bounds.  Once c->stopped is set
** every later report is dropped (it could only be a consequence). */
void cc_limit(cc *c, vg_loc loc, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
/* cc_limit with no place in a file. */
void cc_limit_plain(cc *c, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
/* An error with no place in a file. */
void cc_error_plain(cc *c, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
/* A bug of Vigil's own, code E-internal (the fuzzers look for that code). */
void cc_internal_error(cc *c, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* 1-based line and column (in characters) of a byte offset. */
void cc_line_col(const cc *c, int file, uint32_t off, int *line, int *col);

/* ---- The parser (grammar/parser.y) ------------------------------------- */

/* The lexer's state beyond flex's own. */
struct lex_extra {
  cc *c;
  int file;
  uint32_t pos;     /* byte offset in the file of the next byte scanned */
  int start_token;  /* returned first, to select what the parser parses */
  int depth;        /* nesting of parentheses and brackets */
  int in_message;   /* scanning an interpolation inside a message string */
  int trivia;       /* also return COMMENT and NEWLINE tokens (vigil fmt) */
  /* A whole file: a '{' still open at a declaration's keyword or at the end
  ** is reported at the '{' and closed there (lexer.l, close_block). */
  int blocks;
  int nopen;             /* '{' not yet closed */
  uint32_t open_at[8];   /* where the innermost of them start */
  uint32_t synth_at;     /* where the last '}' the lexer added is (+1; 0: none) */
};

/* What the parser parses: a whole file, one expression (message parts), or
** one literal (param defaults given on the command line). */
enum { PARSE_FILE = 0, PARSE_EXPR = 1, PARSE_LITERAL = 2 };

/* Parse file `file` (or the bytes [start, end) of it for PARSE_EXPR and
** PARSE_LITERAL).  PARSE_FILE appends the declarations to c->decls; the
** others set *out.  Errors are reported to c; returns the number of errors. */
int parse_source(cc *c, int file, int mode, uint32_t start, uint32_t end, ast **out);
/* PARSE_EXPR inside a message string (strings there are written \"...\"). */
enum { PARSE_MESSAGE_EXPR = 3 };

/* Split a message string (raw text between the quotes at loc) into parts:
** A_STR literal pieces and A_FMT interpolations.  Errors are reported. */
ast *parse_message(cc *c, vg_loc loc);

/* ---- Schema (compiler/schema.c) ----------------------------------------- */

/* Load the tables and columns of a SQLite database file (read-only), or of
** CREATE statements (run in the box below, in a private in-memory
** database, with a time bound of seconds: <= 0 for SCHEMA_BOX_SECONDS).
** Return 0, or -1 with an error reported. */
int schema_load_db(cc *c, const char *path);
int schema_load_sql(cc *c, const char *what, const char *sql, double seconds);

/* The box for SQL from a pack (its schema.sql, --schema FILE, the schema
** text of vg_compile_string), which is not trusted.  A connection in the
** box has the SQLite hardening settings (defensive, no FTS3 tokenizer, no
** extensions, untrusted schema, no triggers), limits on the length of a
** value and of a statement, and a wall-clock time bound (a progress handler
** every SCHEMA_BOX_STEPS VM steps) that stays on until schema_box_close.
** A writable box (the private database the pack's SQL fills) also has a size
** bound (max_page_count) and an authorizer: in SCHEMA_BOX_PACK mode only
** CREATE TABLE, CREATE INDEX, CREATE VIEW, INSERT of rows, transactions and
** the functions of a short list; SCHEMA_BOX_OWN lets Vigil's own statements
** through (the time and length bounds still hold).  A reader box (vigil
** test's run, which reads the schema's views) has no authorizer: its
** statements are Vigil's, and the views were checked when they loaded. */
#ifndef SCHEMA_BOX_SECONDS
#define SCHEMA_BOX_SECONDS 10.0                  /* the fuzz build lowers it (fuzz/build.sh) */
#endif
#define SCHEMA_BOX_MAX_LENGTH 1000000            /* bytes in a value, a row or a statement */
#define SCHEMA_BOX_MAX_BYTES (64u * 1024u * 1024u) /* the private database's size */
#define SCHEMA_BOX_STEPS 100
#define SCHEMA_BOX_MAX_PARTS 20000               /* authorizer calls for one statement of the pack */
enum { SCHEMA_BOX_OWN, SCHEMA_BOX_PACK, SCHEMA_BOX_CHECK };
struct sqlite3;
typedef struct schema_box_obj {
  char *name;              /* a table or view the pack created */
  int line, view;
} schema_box_obj;
typedef struct schema_box {
  struct sqlite3 *db;
  double seconds, deadline;
  int mode;                /* SCHEMA_BOX_OWN, _PACK or _CHECK */
  int kind;                /* the statement being prepared: its first action */
  int timed_out;           /* the time bound ran out */
  int writable;
  char denied[128];        /* what the authorizer refused first */
  int denied_kind;         /* ... and how to say it (schema.c: BOX_STATEMENT, _FUNCTION, _PLAIN) */
  int line;                /* the statement's line */
  long calls;              /* authorizer calls for the statement: its size once views are expanded */
  int selects;             /* SELECTs in the statement */
  vg_vec(schema_box_obj) objs; /* the tables and views created, once each ... */
  vg_map objmap;           /* ... by name */
} schema_box;
/* Put db in the box (seconds <= 0: SCHEMA_BOX_SECONDS, counted from now).
** Returns 0, or -1 when SQLite refuses a setting (the box is not made). */
int schema_box_open(schema_box *b, struct sqlite3 *db, double seconds, int writable);
/* Run a pack's SQL in a writable box, statement by statement, then check
** its views and defaults.  Returns 0, or -1 with the reason in err ("line
** N: ..."); the mode is SCHEMA_BOX_OWN afterwards. */
int schema_box_exec(schema_box *b, const char *sql, char *err, size_t errcap);
/* Why a statement failed with rc in the box (the time bound, a value too
** long, the size bound, or SQLite's message), into err. */
void schema_box_why(const schema_box *b, int rc, char *err, size_t errcap);
/* The handlers off and the box's memory freed (db stays open). */
void schema_box_close(schema_box *b);
/* The table named name (exact, then case-insensitive as SQLite matches), or NULL. */
const cc_table *schema_table(const cc *c, const char *name);
/* The column's index in t, or -1. */
int schema_column(const cc_table *t, const char *name);
/* The type a declared SQLite type reads as: VT_NUM, VT_STR, VT_DATE or T_ANY. */
uint8_t schema_decl_type(const char *decl);

/* ---- Files (compile.c) ---------------------------------------------------- */

/* How compile_read_file reads. */
enum {
  COMPILE_READ_FOLLOW = 1, /* follow a symbolic link (else it is refused) */
  COMPILE_READ_TEXT = 2    /* the file must be UTF-8 text without NUL bytes */
};
/* A whole file, NUL-terminated, in a vg_realloc'd buffer the caller frees
** with vg_free.  Only a regular file is read, through a descriptor that is
** checked (fstat) after it is opened: a symbolic link is refused (errno
** ELOOP) unless flags has COMPILE_READ_FOLLOW, anything else that is not a
** regular file (a folder, a FIFO, a device) too (EINVAL), and with
** COMPILE_READ_TEXT a file that is not UTF-8 text (EILSEQ), so that no
** line of it is ever quoted.  NULL with errno set on failure (EFBIG past
** limit bytes, ENOMEM, ENOENT...) and the reason, to follow "PATH: ", in
** why (which may be NULL). */
char *compile_read_file(const char *path, size_t *len, size_t limit, int flags, char *why, size_t whycap);
/* 1 when errno err from compile_read_file is a refusal (a link, not a
** regular file, not text) whose reason is in why, rather than a failure
** to read. */
int compile_read_refused(int err);
/* 1 when s ends with suf. */
int compile_has_suffix(const char *s, const char *suf);
/* qsort comparison of two char * by strcmp. */
int compile_cmp_str(const void *a, const void *b);

/* ---- Checking and code generation --------------------------------------- */

/* Resolve, check and compile the declarations in c->decls into a program.
** Returns NULL when there were errors (reported) or memory ran out. */
struct vg_program *sema_compile(cc *c, const char *default_pack);

#endif
