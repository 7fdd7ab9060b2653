/*
** outline.c — a pack's declarations, the uses of their names and the names
** that may be written at a place (include/vigil.h, "Outlines"): what an
** editor's language server (vigil lsp) asks of the compiler.
**
** The files are parsed and walked before they are checked (the checker
** rewrites the trees: names become columns and params, lets and defs are
** inlined), then checked as vg_compile_string checks them, for the
** diagnostics.  The compilation context lives as long as the outline: every
** string handed out is in its arena.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../compiler/ast.h"
#include "../core/funcs.h"
#include "../core/map.h"

/* What the outline keeps of a symbol beyond the public part. */
typedef struct osym {
  int file;            /* -1: no place */
  uint32_t s, e;       /* the declaration's bytes */
  uint32_t ns, ne;     /* its name's */
  int parent;          /* VG_SYM_LET: the rule or rollup; VG_SYM_RULE: its source (-1: unknown) */
  const cc_table *table; /* VG_SYM_SOURCE: its table; VG_SYM_COLUMN: its table */
} osym;

typedef struct oref {
  int file;
  uint32_t s, e;
} oref;

struct vg_outline {
  cc c;
  vg_vec(vg_symbol) syms;
  vg_vec(osym) os;
  vg_vec(vg_ref) refs;
  vg_vec(oref) ors;
  int ndecl;           /* symbols [0, ndecl) are the pack's declarations */
  vg_map index;        /* every symbol by (kind, scope, name); the first of equal ones */
};

/* The scope part of a symbol's key: a let's rule or rollup, a column's table. */
static uint32_t scope_key(const vg_outline *o, size_t i) {
  if (o->syms.v[i].kind == VG_SYM_LET) return (uint32_t)(o->os.v[i].parent + 1);
  if (o->syms.v[i].kind == VG_SYM_COLUMN && o->os.v[i].table) return (uint32_t)(o->os.v[i].table - o->c.tables + 1);
  return 0;
}

static uint32_t key_hash(int kind, uint32_t scope, const char *name) {
  uint32_t h = vg_hash(name, strlen(name));
  uint32_t ks[2] = {(uint32_t)kind, scope};
  return vg_hash_more(h, ks, sizeof ks);
}

typedef struct key { const vg_outline *o; int kind; uint32_t scope; const char *name; } key;

static int same_key(const void *ctx, uint32_t i) {
  const key *k = ctx;
  return (int)k->o->syms.v[i].kind == k->kind && scope_key(k->o, i) == k->scope && strcmp(k->o->syms.v[i].name, k->name) == 0;
}

/* The symbol of kind named name in scope (scope_key's), or -1. */
static int lookup(const vg_outline *o, int kind, uint32_t scope, const char *name) {
  if (!name) return -1;
  key k = {o, kind, scope, name};
  return (int)vg_map_find(&o->index, key_hash(kind, scope, name), same_key, &k);
}

/* Index every symbol (once they all are made). */
static void index_all(vg_outline *o) {
  if (vg_map_reserve(&o->index, (uint32_t)o->syms.n) != 0) { o->c.oom = 1; return; }
  for (size_t i = 0; i < o->syms.n; i++) {
    key k = {o, (int)o->syms.v[i].kind, scope_key(o, i), o->syms.v[i].name};
    uint32_t h = key_hash(k.kind, k.scope, k.name);
    if (vg_map_find(&o->index, h, same_key, &k) < 0 && vg_map_put(&o->index, h, (uint32_t)i) != 0) { o->c.oom = 1; return; }
  }
}

static const char *const keywords[] = {
  "pack", "tiers", "param", "def", "source", "rule", "rollup", "test", "on", "let", "when", "for", "message",
  "notify", "clear", "escalate", "after", "last", "snapshots", "and", "or", "not", "is", "null", "in", "between",
  "true", "false", "as_of", "stale", "if", "then", "else", "table", "key", "time", "every", "where", "label", "org",
  "route", "up", "fiscal", "year", "starts", "from", "by", "horizon", "expect", "set", "no", "alert",
};
static const char *const units[] = {"day", "days", "week", "weeks"};

static void span_of(const cc *c, int file, uint32_t s, uint32_t e, vg_span *sp) {
  memset(sp, 0, sizeof *sp);
  if (file < 0) return;
  sp->file = c->files[file].path;
  cc_line_col(c, file, s, &sp->line, &sp->col);
  cc_line_col(c, file, e, &sp->end_line, &sp->end_col);
}

/* The first line of the bytes [s, e) of file, trimmed, in the arena. */
static const char *first_line(cc *c, int file, uint32_t s, uint32_t e) {
  const vg_file *f = &c->files[file];
  if (e > f->len) e = (uint32_t)f->len;
  uint32_t k = s;
  while (k < e && f->src[k] != '\n' && f->src[k] != '{') k++;
  while (k > s && (f->src[k - 1] == ' ' || f->src[k - 1] == '\t' || f->src[k - 1] == '\r')) k--;
  return vg_arena_strndup(&c->arena, f->src + s, k - s);
}

static const char *fmt(cc *c, const char *f, const char *a, const char *b, const char *d) {
  size_t n = strlen(f) + strlen(a) + strlen(b) + strlen(d) + 1;
  char *s = vg_arena_alloc(&c->arena, n);
  if (s) snprintf(s, n, f, a, b, d);
  return s;
}

/* Add a symbol; returns its index or -1 (out of memory). */
static int add_sym(vg_outline *o, vg_sym_kind kind, const char *name, const char *scope, int file, vg_loc loc,
                   vg_loc nloc, const char *detail) {
  if (!name) return -1;
  if (vg_vec_reserve(&o->syms, 1) || vg_vec_reserve(&o->os, 1)) { o->c.oom = 1; return -1; }
  vg_symbol *s = &o->syms.v[o->syms.n];
  osym *x = &o->os.v[o->os.n];
  memset(s, 0, sizeof *s);
  memset(x, 0, sizeof *x);
  s->kind = kind;
  s->name = name;
  s->scope = scope;
  s->detail = detail ? detail : "";
  x->file = file;
  x->parent = -1;
  if (file >= 0) {
    x->s = loc.start; x->e = loc.end; x->ns = nloc.start; x->ne = nloc.end;
    span_of(&o->c, file, loc.start, loc.end, &s->span);
    span_of(&o->c, file, nloc.start, nloc.end, &s->name_span);
  }
  o->syms.n++;
  o->os.n++;
  return (int)o->syms.n - 1;
}

/* The declaration of kind k named name, or -1. */
static int find_decl(const vg_outline *o, int k, const char *name) { return lookup(o, k, 0, name); }

/* The column symbol `name` of table t, or -1. */
static int find_column(const vg_outline *o, const cc_table *t, const char *name) {
  return t ? lookup(o, VG_SYM_COLUMN, (uint32_t)(t - o->c.tables + 1), name) : -1;
}

static void add_ref(vg_outline *o, int sym, vg_loc loc) {
  if (sym < 0) return;
  if (vg_vec_reserve(&o->refs, 1) || vg_vec_reserve(&o->ors, 1)) { o->c.oom = 1; return; }
  vg_ref *r = &o->refs.v[o->refs.n++];
  r->symbol = sym;
  span_of(&o->c, loc.file, loc.start, loc.end, &r->span);
  oref *x = &o->ors.v[o->ors.n++];
  x->file = loc.file;
  x->s = loc.start;
  x->e = loc.end;
}

/* The scope names are resolved in: a rule (its lets, its source's columns)
** or a source (its table's columns), and a def's parameters (not symbols). */
typedef struct scope {
  int rule;              /* the rule or rollup symbol, or -1 */
  int source;            /* the source symbol whose columns names may be, or -1 */
  const ast *def_params;
} scope;

static int source_scope_col(const vg_outline *o, int source, const char *name) {
  if (source < 0) return -1;
  if (o->syms.v[source].kind == VG_SYM_ROLLUP) return lookup(o, VG_SYM_LET, (uint32_t)(source + 1), name);
  return find_column(o, o->os.v[source].table, name);
}

static int resolve(const vg_outline *o, const scope *sc, const char *name) {
  for (const ast *p = sc->def_params; p; p = p->next)
    if (p->name && strcmp(p->name, name) == 0) return -1;
  if (sc->rule >= 0) {
    int l = lookup(o, VG_SYM_LET, (uint32_t)(sc->rule + 1), name);
    if (l >= 0) return l;
  }
  int k = find_decl(o, VG_SYM_PARAM, name);
  if (k >= 0) return k;
  return source_scope_col(o, sc->source, name);
}

static void walk(vg_outline *o, const scope *sc, const ast *n, int depth) {
  for (; n && depth < 400; n = n->next) {
    switch (n->kind) {
    case A_NAME:
      if (n->name) add_ref(o, resolve(o, sc, n->name), n->loc);
      continue;
    case A_CALL:
      if (n->name) {
        int k = find_decl(o, VG_SYM_DEF, n->name);
        if (k < 0) k = lookup(o, VG_SYM_FUNCTION, 0, n->name); /* else a built-in function */
        add_ref(o, k, n->name_loc);
      }
      walk(o, sc, n->a, depth + 1);
      continue;
    case A_LOOKUP: {
      int src = n->name ? find_decl(o, VG_SYM_SOURCE, n->name) : -1;
      if (src < 0 && n->name) src = find_decl(o, VG_SYM_ROLLUP, n->name);
      add_ref(o, src, n->name_loc);
      if (n->b && n->b->name) add_ref(o, source_scope_col(o, src, n->b->name), n->b->loc);
      walk(o, sc, n->a, depth + 1);
      continue;
    }
    case A_STR: case A_NUM: case A_DATE: case A_DUR: case A_BOOL: case A_NULL:
      continue;
    default:
      walk(o, sc, n->a, depth + 1);
      walk(o, sc, n->b, depth + 1);
      walk(o, sc, n->c, depth + 1);
    }
  }
}

static const char *type_name(uint8_t t) {
  return t == VT_NUM ? "number" : t == VT_STR ? "string" : t == VT_DATE ? "date" : t == VT_BOOL ? "boolean"
       : t == VT_DUR ? "duration" : "any";
}

/* The value of field `name` of a declaration's fields, or NULL. */
static const ast *field(const ast *d, const char *name) {
  for (const ast *f = d->b; f; f = f->next)
    if (f->kind == D_FIELD && f->name && strcmp(f->name, name) == 0) return f->a;
  return NULL;
}

/* Pass 1: the declarations. */
static void declare(vg_outline *o) {
  cc *c = &o->c;
  for (const ast *d = c->decls.head; d && !c->oom; d = d->next) {
    int f = d->loc.file;
    const char *line = first_line(c, f, d->loc.start, d->loc.end);
    switch (d->kind) {
    case D_PACK: add_sym(o, VG_SYM_PACK, d->name, NULL, f, d->loc, d->name_loc, line); break;
    case D_TIERS:
      for (const ast *t = d->a; t; t = t->next) add_sym(o, VG_SYM_TIER, t->name, NULL, f, t->loc, t->loc, line);
      break;
    case D_PARAM: add_sym(o, VG_SYM_PARAM, d->name, NULL, f, d->loc, d->name_loc, line); break;
    case D_DEF: add_sym(o, VG_SYM_DEF, d->name, NULL, f, d->loc, d->name_loc, line); break;
    case D_SOURCE: {
      const ast *t = field(d, "table");
      const char *tn = t && t->kind == A_NAME ? t->name : t && t->kind == A_STR ? t->str : NULL;
      const cc_table *tab = tn ? schema_table(c, tn) : NULL;
      int k = add_sym(o, VG_SYM_SOURCE, d->name, NULL, f, d->loc, d->name_loc,
                      fmt(c, "source %s: table %s%s", d->name ? d->name : "", tn ? tn : "?", tab || !c->has_schema ? "" : " (not in the schema)"));
      if (k >= 0) o->os.v[k].table = tab;
      break;
    }
    case D_ROLLUP: {
      int k = add_sym(o, VG_SYM_ROLLUP, d->name, NULL, f, d->loc, d->name_loc, line);
      for (const ast *it = d->b; it && k >= 0; it = it->next)
        if (it->kind == D_LET) {
          int l = add_sym(o, VG_SYM_LET, it->name, d->name, f, it->loc, it->name_loc,
                          fmt(c, "%s (a column of rollup %s)", first_line(c, f, it->loc.start, it->loc.end), d->name, ""));
          if (l >= 0) o->os.v[l].parent = k;
        }
      break;
    }
    case D_RULE: {
      const char *on = d->a && d->a->name ? d->a->name : "?";
      int k = add_sym(o, VG_SYM_RULE, d->name, NULL, f, d->loc, d->name_loc, fmt(c, "rule %s on %s%s", d->name ? d->name : "", on, ""));
      for (const ast *it = d->b; it && k >= 0; it = it->next)
        if (it->kind == D_LET) {
          int l = add_sym(o, VG_SYM_LET, it->name, d->name, f, it->loc, it->name_loc,
                          fmt(c, "%s (in rule %s)", first_line(c, f, it->loc.start, it->loc.end), d->name, ""));
          if (l >= 0) o->os.v[l].parent = k;
        }
      break;
    }
    case D_TEST:
      add_sym(o, VG_SYM_TEST, d->str ? d->str : "", NULL, f, d->loc, d->name_loc, line);
      break;
    default: break;
    }
  }
  o->ndecl = (int)o->syms.n;
  for (int t = 0; t < c->ntables; t++)
    for (int k = 0; k < c->tables[t].ncols; k++) {
      const cc_column *col = &c->tables[t].cols[k];
      vg_loc none = {0, 0, 0};
      int s = add_sym(o, VG_SYM_COLUMN, col->name, c->tables[t].name, -1, none, none,
                      fmt(c, "column %s (%s) of table %s", col->name, type_name(col->type), c->tables[t].name));
      if (s >= 0) o->os.v[s].table = &c->tables[t];
    }
  vg_loc none = {0, 0, 0};
  for (int i = 0; i < FN__COUNT; i++)
    if (fn_scalar_find(fn_scalars[i].name) == i)
      add_sym(o, VG_SYM_FUNCTION, fn_scalars[i].name, NULL, -1, none, none, fn_scalars[i].synopsis);
  for (int i = 0; i < AGG__COUNT; i++) add_sym(o, VG_SYM_FUNCTION, fn_aggs[i].name, NULL, -1, none, none, fn_aggs[i].synopsis);
  for (int i = 0; i < WIN__COUNT; i++) add_sym(o, VG_SYM_FUNCTION, fn_windows[i].name, NULL, -1, none, none, fn_windows[i].synopsis);
  for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
    add_sym(o, VG_SYM_KEYWORD, keywords[i], NULL, -1, none, none, "keyword");
  for (size_t i = 0; i < sizeof units / sizeof *units; i++)
    add_sym(o, VG_SYM_KEYWORD, units[i], NULL, -1, none, none, "a duration's unit: 3 days, 2 weeks");
  if (!c->oom) index_all(o);
  /* the rules' sources, once every source is known */
  for (int i = 0; i < o->ndecl && !c->oom; i++)
    if (o->syms.v[i].kind == VG_SYM_RULE) {
      const char *on = o->syms.v[i].detail;
      const char *sp = strstr(on, " on ");
      if (!sp) continue;
      int s = find_decl(o, VG_SYM_SOURCE, sp + 4);
      o->os.v[i].parent = s >= 0 ? s : find_decl(o, VG_SYM_ROLLUP, sp + 4);
    }
}

/* The declaration symbol of decl d (by kind and place), or -1. */
static int sym_of(const vg_outline *o, const ast *d, vg_sym_kind k) {
  int f = lookup(o, (int)k, 0, d->name);
  if (f >= 0 && o->os.v[f].file == d->loc.file && o->os.v[f].s == d->loc.start) return f;
  for (int i = 0; i < o->ndecl; i++) /* one of two of the same name */
    if (o->syms.v[i].kind == k && o->os.v[i].file == d->loc.file && o->os.v[i].s == d->loc.start) return i;
  return -1;
}

/* Pass 2: the uses of names. */
static void uses(vg_outline *o) {
  cc *c = &o->c;
  for (const ast *d = c->decls.head; d && !c->oom; d = d->next) {
    scope sc = {-1, -1, NULL};
    switch (d->kind) {
    case D_PARAM:
      if (d->b && d->b->name) {
        int s = find_decl(o, VG_SYM_SOURCE, d->b->name);
        add_ref(o, s, d->b->name_loc);
        if (d->b->a && d->b->a->name) add_ref(o, source_scope_col(o, s, d->b->a->name), d->b->a->loc);
      }
      break;
    case D_DEF:
      sc.def_params = d->b;
      walk(o, &sc, d->a, 0);
      break;
    case D_SOURCE:
      sc.source = sym_of(o, d, VG_SYM_SOURCE);
      for (const ast *f = d->b; f; f = f->next)
        if (f->kind == D_FIELD && f->name && strcmp(f->name, "table") != 0) walk(o, &sc, f->a, 0);
      break;
    case D_ROLLUP: {
      int src = d->a && d->a->name ? find_decl(o, VG_SYM_SOURCE, d->a->name) : -1;
      if (d->a) add_ref(o, src, d->a->loc);
      sc.source = src;
      if (d->c && d->c->name) add_ref(o, source_scope_col(o, src, d->c->name), d->c->loc);
      for (const ast *it = d->b; it; it = it->next) walk(o, &sc, it->a, 0);
      break;
    }
    case D_RULE: {
      int r = sym_of(o, d, VG_SYM_RULE);
      sc.rule = r;
      sc.source = r >= 0 ? o->os.v[r].parent : -1;
      if (d->a) add_ref(o, sc.source, d->a->loc);
      for (const ast *it = d->b; it; it = it->next) {
        if (it->kind == D_CLAUSE && it->name) add_ref(o, find_decl(o, VG_SYM_TIER, it->name), it->name_loc);
        walk(o, &sc, it->a, 0); /* a message's parts too: A_FMT holds its expression */
      }
      break;
    }
    case D_ROUTE:
      for (const ast *t = d->a; t; t = t->next)
        if (t->name) add_ref(o, find_decl(o, VG_SYM_TIER, t->name), t->loc);
      break;
    case D_TEST:
      for (const ast *it = d->b; it; it = it->next) {
        if (it->kind == D_TEXPECT && it->b && it->b->name) add_ref(o, find_decl(o, VG_SYM_RULE, it->b->name), it->b->loc);
        if (it->kind == D_TEXPECT && it->name) add_ref(o, find_decl(o, VG_SYM_TIER, it->name), it->name_loc);
        if (it->kind == D_TSET && it->name) add_ref(o, find_decl(o, VG_SYM_PARAM, it->name), it->name_loc);
      }
      break;
    default: break;
    }
  }
}

vg_status vg_outline_new(const char *const *names, const char *const *texts, const size_t *lens, int n,
                         const char *default_pack, const char *schema_sql, const vg_compile_opts *opts,
                         vg_outline **out) {
  *out = NULL;
  vg_outline *o = vg_realloc(NULL, sizeof *o);
  if (!o) return VG_ENOMEM;
  memset(o, 0, sizeof *o);
  cc *c = &o->c;
  if (opts) { c->diag = opts->diag; c->ud = opts->ud; c->max_errors = opts->max_errors; c->lint = opts->warnings; }
  if (c->max_errors <= 0) c->max_errors = VG_DEFAULT_MAX_ERRORS;
  int bad = 0;
  if (opts && opts->db_path) bad = schema_load_db(c, opts->db_path) != 0;
  else if (schema_sql) bad = schema_load_sql(c, "schema.sql", schema_sql, 0) != 0;
  for (int i = 0; i < n && !bad && !c->oom; i++) bad = cc_add_file(c, names[i], texts[i], lens[i]) < 0;
  if (!bad)
    for (int i = 0; i < c->nfiles && !c->oom && !c->stopped; i++) parse_source(c, i, PARSE_FILE, 0, 0, NULL);
  c->syntax_errors = c->nerrors;
  if (!c->oom) declare(o);
  if (!c->oom) uses(o);
  if (!bad && !c->oom && !c->stopped && n > 0) {
    const char *base = strrchr(names[0], '/');
    base = base ? base + 1 : names[0];
    char pack[256];
    snprintf(pack, sizeof pack, "%s", default_pack ? default_pack : base);
    size_t pl = strlen(pack);
    if (!default_pack && pl > 6 && strcmp(pack + pl - 6, ".rules") == 0) pack[pl - 6] = 0;
    vg_program *p = sema_compile(c, pack);
    vg_free_program(p);
  }
  if (c->oom) {
    vg_outline_free(o);
    return VG_ENOMEM;
  }
  *out = o;
  return c->nerrors || bad ? VG_EINPUT : VG_OK;
}

void vg_outline_free(vg_outline *o) {
  if (!o) return;
  vg_vec_free(&o->syms);
  vg_vec_free(&o->os);
  vg_vec_free(&o->refs);
  vg_vec_free(&o->ors);
  vg_map_free(&o->index);
  vg_arena_free(&o->c.arena);
  vg_free(o);
}

int vg_outline_symbol_count(const vg_outline *o) { return o ? (int)o->syms.n : 0; }
const vg_symbol *vg_outline_symbol(const vg_outline *o, int i) {
  return o && i >= 0 && (size_t)i < o->syms.n ? &o->syms.v[i] : NULL;
}
int vg_outline_ref_count(const vg_outline *o) { return o ? (int)o->refs.n : 0; }
const vg_ref *vg_outline_ref(const vg_outline *o, int i) {
  return o && i >= 0 && (size_t)i < o->refs.n ? &o->refs.v[i] : NULL;
}

/* The file index of path, or -1. */
static int file_index(const vg_outline *o, const char *path) {
  for (int i = 0; path && i < o->c.nfiles; i++)
    if (strcmp(o->c.files[i].path, path) == 0) return i;
  return -1;
}

/* The byte offset of (line, col) in file f (clamped to the line). */
static uint32_t offset_of(const vg_outline *o, int f, int line, int col) {
  const vg_file *vf = &o->c.files[f];
  if (line < 1 || vf->nlines == 0) return 0;
  if ((uint32_t)line > vf->nlines) return (uint32_t)vf->len;
  uint32_t off = vf->lines[line - 1];
  for (int k = 1; k < col && off < vf->len && vf->src[off] != '\n'; k++) {
    off++;
    while (off < vf->len && ((unsigned char)vf->src[off] & 0xc0) == 0x80) off++;
  }
  return off;
}

int vg_outline_at(const vg_outline *o, const char *file, int line, int col) {
  int f = o ? file_index(o, file) : -1;
  if (f < 0) return -1;
  uint32_t off = offset_of(o, f, line, col);
  for (size_t i = 0; i < o->refs.n; i++)
    if (o->ors.v[i].file == f && o->ors.v[i].s <= off && off <= o->ors.v[i].e) return o->refs.v[i].symbol;
  for (int i = 0; i < o->ndecl; i++)
    if (o->os.v[i].file == f && o->os.v[i].ns <= off && off <= o->os.v[i].ne) return i;
  return -1;
}

static int is_ident(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; }

int vg_outline_complete(const vg_outline *o, const char *file, int line, int col,
                        void (*fn)(void *ud, const vg_symbol *s), void *ud) {
  int f = o ? file_index(o, file) : -1;
  if (f < 0 || !fn) return 0;
  const vg_file *vf = &o->c.files[f];
  uint32_t off = offset_of(o, f, line, col), k = off;
  while (k > 0 && is_ident(vf->src[k - 1])) k--;
  int count = 0;
  /* SOURCE[KEY].  : that source's columns */
  if (k > 1 && vf->src[k - 1] == '.' && vf->src[k - 2] == ']') {
    uint32_t b = k - 2;
    int nest = 0;
    while (b > 0) {
      char ch = vf->src[b];
      if (ch == ']') nest++;
      else if (ch == '[' && --nest == 0) break;
      else if (ch == '\n') break;
      b--;
    }
    uint32_t e = b;
    while (b > 0 && is_ident(vf->src[b - 1])) b--;
    char name[256];
    if (e > b && e - b < sizeof name) {
      memcpy(name, vf->src + b, e - b);
      name[e - b] = 0;
      int src = find_decl(o, VG_SYM_SOURCE, name);
      if (src < 0) src = find_decl(o, VG_SYM_ROLLUP, name);
      for (size_t i = 0; src >= 0 && i < o->syms.n; i++) {
        int in = o->syms.v[src].kind == VG_SYM_ROLLUP ? o->syms.v[i].kind == VG_SYM_LET && o->os.v[i].parent == src
               : o->syms.v[i].kind == VG_SYM_COLUMN && o->os.v[i].table && o->os.v[i].table == o->os.v[src].table;
        if (in) { fn(ud, &o->syms.v[i]); count++; }
      }
      if (src >= 0) return count;
    }
  }
  /* the rule around the place */
  int rule = -1;
  for (int i = 0; i < o->ndecl; i++)
    if (o->syms.v[i].kind == VG_SYM_RULE && o->os.v[i].file == f && o->os.v[i].s <= off && off <= o->os.v[i].e) rule = i;
  int source = rule >= 0 ? o->os.v[rule].parent : -1;
  for (size_t i = 0; i < o->syms.n; i++) {
    const vg_symbol *s = &o->syms.v[i];
    int in;
    switch (s->kind) {
    case VG_SYM_TIER: case VG_SYM_PARAM: case VG_SYM_DEF: case VG_SYM_SOURCE: case VG_SYM_ROLLUP:
    case VG_SYM_FUNCTION: case VG_SYM_KEYWORD:
      in = 1; break;
    case VG_SYM_LET:
      in = rule >= 0 && (o->os.v[i].parent == rule || o->os.v[i].parent == source); break;
    case VG_SYM_COLUMN:
      in = source >= 0 && o->os.v[source].table && o->os.v[i].table == o->os.v[source].table; break;
    default: in = 0;
    }
    if (in) { fn(ud, s); count++; }
  }
  return count;
}
