/*
** lint.c — warnings about rules that compile but are probably wrong, and
** "did you mean" suggestions for misspelled names.
**
** The warnings run after a pack checked without errors, on the checked
** trees (sema.h), and only when the caller asked for them (vigil check).
** Every warning has a stable code, documented in docs/DIAGNOSTICS.md.
*/
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include "sema.h"
#include "../stdlib/lib.h"
#include "../core/prog.h"

/* ---- did you mean ------------------------------------------------------------ */

/* Levenshtein distance of a and b, or max + 1 when it exceeds max. */
static int distance(const char *a, const char *b, int max) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 64 || m > 64) return max + 1;
  if ((n > m ? n - m : m - n) > (size_t)max) return max + 1;
  int row[65];
  for (size_t j = 0; j <= m; j++) row[j] = (int)j;
  for (size_t i = 1; i <= n; i++) {
    int prev = row[0], best = row[0] = (int)i;
    for (size_t j = 1; j <= m; j++) {
      int cur = row[j];
      int sub = prev + (a[i - 1] != b[j - 1]);
      int del = row[j] + 1, ins = row[j - 1] + 1;
      row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
      if (row[j] < best) best = row[j];
      prev = cur;
    }
    if (best > max) return max + 1;
  }
  return row[m];
}

void lint_suggest(lint_suggester *g, const char *candidate) {
  if (!candidate || strcmp(candidate, g->name) == 0) return;
  int max = (int)strlen(g->name) / 3;
  if (max < 1) max = 1;
  if (max > 3) max = 3;
  int d = distance(g->name, candidate, max);
  if (d <= max && (!g->best || d < g->dist)) {
    g->best = candidate;
    g->dist = d;
  }
}

void lint_note(cc *c, vg_loc loc, const lint_suggester *g) {
  if (g->best) cc_note(c, loc, "did you mean '%s'?", g->best);
}

/* ---- helpers over checked trees ------------------------------------------------ */

/* 1 when the value of n depends on no row, lookup, as_of or window. */
static int constant(const ast *n) {
  if (!n) return 1;
  switch (n->kind) {
  case A_COL: case A_LOOKUP: case A_ASOF: case A_STALE: case A_ARGREF: case A_MANAGER: case A_PERSON_NAME: return 0;
  case A_CALL:
    if (n->op != WF_NONE) return 0;
    for (const ast *a = n->a; a; a = a->next)
      if (!constant(a)) return 0;
    return 1;
  case A_IN:
    if (!constant(n->a)) return 0;
    for (const ast *a = n->b; a; a = a->next)
      if (!constant(a)) return 0;
    return 1;
  default: return constant(n->a) && constant(n->b) && constant(n->c);
  }
}

/* The literal value of n (a number, duration or date, maybe negated). */
static int literal_number(const ast *n, double *v) {
  if (!n) return 0;
  if (n->kind == A_NUM || n->kind == A_DUR) { *v = n->num; return 1; }
  if (n->kind == A_DATE) { *v = n->date; return 1; }
  if (n->kind == A_NEG && literal_number(n->a, v)) { *v = -*v; return 1; }
  return 0;
}

/* A threshold: expression op literal, normalised so the literal is on the right. */
typedef struct threshold { const ast *e; int op; double k; } threshold;

static int as_threshold(const ast *n, threshold *t) {
  if (!n || n->kind != A_BIN || n->op < BIN_LT || n->op > BIN_GE) return 0;
  double k;
  if (literal_number(n->b, &k)) { t->e = n->a; t->op = n->op; t->k = k; return 1; }
  if (literal_number(n->a, &k)) {
    static const int flip[] = {[BIN_LT] = BIN_GT, [BIN_LE] = BIN_GE, [BIN_GT] = BIN_LT, [BIN_GE] = BIN_LE};
    t->e = n->b; t->op = flip[n->op]; t->k = k;
    return 1;
  }
  return 0;
}

/* 1 when low (e op a) implies high (e op b), for thresholds on one expression. */
static int implies(const threshold *lo, const threshold *hi) {
  if (!ast_same_tree(lo->e, hi->e)) return 0;
  int up_lo = lo->op == BIN_GT || lo->op == BIN_GE, up_hi = hi->op == BIN_GT || hi->op == BIN_GE;
  if (up_lo != up_hi) return 0;
  int strict_lo = lo->op == BIN_GT || lo->op == BIN_LT, strict_hi = hi->op == BIN_GT || hi->op == BIN_LT;
  double a = lo->k, b = hi->k;
  if (!up_lo) { a = -a; b = -b; } /* x < a  is  -x > -a */
  if (a > b) return 1;
  if (a == b) return strict_lo || !strict_hi;
  return 0;
}

/* Split an and-chain into its conjuncts (at most cap). Returns the count. */
static int conjuncts(const ast *n, const ast **out, int cap, int k) {
  if (n && n->kind == A_BIN && n->op == BIN_AND) {
    k = conjuncts(n->a, out, cap, k);
    return conjuncts(n->b, out, cap, k);
  }
  if (k < cap) out[k] = n;
  return k + 1;
}

/* 1 when whenever lo holds, hi holds: equal conjuncts but at most one
** threshold pair where lo's implies hi's. */
static int condition_implies(const ast *lo, const ast *hi) {
  const ast *a[16], *b[16];
  int n = conjuncts(lo, a, 16, 0), m = conjuncts(hi, b, 16, 0);
  if (n != m || n > 16) return 0;
  int differ = 0;
  for (int i = 0; i < n; i++) {
    if (ast_same_tree(a[i], b[i])) continue;
    threshold x, y;
    if (differ || !as_threshold(a[i], &x) || !as_threshold(b[i], &y) || !implies(&x, &y)) return 0;
    differ = 1;
  }
  return 1; /* identical conditions, or one threshold implied */
}

static int is_count_like(const ast *n) {
  return n && n->kind == A_CALL &&
         ((n->op == WF_AGG && n->ref == AGG_COUNT) || n->op == WF_STREAK);
}

/* Walk a checked tree for per-expression warnings. */
static void walk(cc *c, const ast *n, const sm_source *so) {
  if (!n) return;
  if (n->kind == A_BIN && n->op >= BIN_EQ && n->op <= BIN_GE) {
    const ast *pct = n->a && n->a->kind == A_NUM && n->a->flag ? n->a : n->b && n->b->kind == A_NUM && n->b->flag ? n->b : NULL;
    const ast *other = pct == n->a ? n->b : n->a;
    if (pct && is_count_like(other))
      cc_warning(c, n->loc, DIAG_W_PERCENT_COUNT, "%s counts rows; comparing it with a percent (%g) is probably a mistake",
                 other->name, pct->num);
  }
  if (n->kind == A_CALL && n->op == WF_AGG && n->a && n->a->next && n->a->next->kind == A_WINDOW) {
    const ast *w = n->a->next;
    if (w->flag && so && so->every > 0 && w->num <= so->every)
      cc_warning(c, w->loc, DIAG_W_WINDOW_CADENCE,
                 "a %g-day window holds at most one row of source %s, which is expected every %g days", w->num, so->name,
                 so->every);
  }
  int list_a = n->kind == A_CALL, list_b = n->kind == A_IN;
  for (const ast *x = n->a; x; x = list_a ? x->next : NULL) {
    walk(c, x, so);
    if (!list_a) break;
  }
  for (const ast *x = n->b; x; x = list_b ? x->next : NULL) {
    walk(c, x, so);
    if (!list_b) break;
  }
  walk(c, n->c, so);
}

/* W-unreachable-tier compares a clause with this many higher clauses at most. */
#define LINT_MAX_HIGHER 64

void lint_pack(cc *c, const sm_pack *pk, ast *const *defs, int ndefs, const uint8_t *def_used) {
  for (int i = 0; i < pk->nparams; i++)
    if (!pk->params[i].used)
      cc_warning(c, pk->params[i].decl->name_loc, DIAG_W_UNUSED_PARAM, "param '%s' is never used", pk->params[i].name);
  for (int i = 0; i < ndefs; i++)
    if (!def_used[i]) cc_warning(c, defs[i]->name_loc, DIAG_W_UNUSED_DEF, "def '%s' is never used", defs[i]->name);
  for (int i = 0; i < pk->nsources; i++)
    if (!pk->sources[i].used)
      cc_warning(c, pk->sources[i].decl->name_loc, DIAG_W_UNUSED_SOURCE, "source '%s' is never used: no rule is on it or looks it up",
                 pk->sources[i].name);
  for (int r = 0; r < pk->nrules; r++) {
    const sm_rule *ru = &pk->rules[r];
    if (!ru->clauses) continue;
    const sm_source *so = &pk->sources[ru->source];
    for (const ast *it = ru->decl->b; it; it = it->next)
      if (it->kind == D_LET && !it->flag)
        cc_warning(c, it->name_loc, DIAG_W_UNUSED_LET, "let '%s' is never used", it->name);
    for (int k = 0; k < ru->nclauses; k++) {
      const ast *cl = ru->clauses[k];
      int t = cl->ref;
      if (cl->ival == 1)
        cc_warning(c, cl->loc, DIAG_W_FOR_ONE, "'for 1 snapshots' is the same as no 'for': the condition on the current row");
      if (constant(cl->a))
        cc_warning(c, cl->a->loc, DIAG_W_CONSTANT_CONDITION, "this condition does not depend on the data: the %s clause %s",
                   pk->tiers[t], "always or never fires");
      walk(c, cl->a, so);
      /* the higher clauses, the nearest first; at most LINT_MAX_HIGHER of
      ** them, so a rule with a clause for each of thousands of tiers is not
      ** quadratic */
      for (int j = k + 1; j < ru->nclauses && j <= k + LINT_MAX_HIGHER; j++) {
        const ast *hi = ru->clauses[j];
        int h = hi->ref;
        if (hi->ival != cl->ival || hi->num != cl->num) continue;
        if (condition_implies(cl->a, hi->a)) {
          cc_warning(c, cl->loc, DIAG_W_UNREACHABLE_TIER,
                     "the %s clause can never be the outcome: whenever it holds, the higher %s clause holds too",
                     pk->tiers[t], pk->tiers[h]);
          cc_note(c, hi->loc, "the %s clause is here", pk->tiers[h]);
          break;
        }
      }
    }
    for (const ast *p = ru->message; p; p = p->next)
      if (p->kind == A_FMT) walk(c, p->a, so);
    walk(c, ru->notify, so);
  }
}

/* ---- W-fraction: 20 where 20% was meant ----------------------------------------- */

/* 1 when a column's name says it holds a fraction: a rate, share, ratio or percent. */
static int fraction_name(const char *name) {
  static const char *const words[] = {"rate", "share", "ratio", "percent", "pct"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (strstr(name, words[i])) return 1;
  return 0;
}

/* The rows and the SQLite steps (in thousands) the data of one column may cost. */
#define FRACTION_ROWS 10000
#define FRACTION_KSTEPS 2000

static int fraction_progress(void *ud) { return ++*(int *)ud > FRACTION_KSTEPS; }

/* 1 when the data says column col of table holds fractions (check --db, a
** SQLite file): among the first FRACTION_ROWS rows, the values that are not
** NULL are all numbers between 0 and 1, and some lie strictly between (a
** flag of 0s and 1s is no fraction).  Any failure says 0. */
static int fraction_data(cc *c, const char *table, const char *col) {
  if (!c->lint || !c->data_path || c->data_failed || !table) return 0;
  if (!c->data_db) {
    char err[256];
    if (vg_db_open(c->data_path, SQLITE_OPEN_READONLY, &c->data_db, err, sizeof err) != VG_OK) {
      sqlite3_close(c->data_db);
      c->data_db = NULL;
      c->data_failed = 1;
      return 0;
    }
  }
  char *sql = sqlite3_mprintf("SELECT count(*), total(typeof(v) IN ('integer', 'real') AND v >= 0 AND v <= 1), "
                              "total(v > 0 AND v < 1) FROM (SELECT \"%w\" AS v FROM \"%w\" LIMIT %d) WHERE v IS NOT NULL",
                              col, table, FRACTION_ROWS);
  if (!sql) { c->oom = 1; return 0; }
  int steps = 0, yes = 0;
  sqlite3_stmt *st = NULL;
  sqlite3_progress_handler(c->data_db, 1000, fraction_progress, &steps);
  if (sqlite3_prepare_v2(c->data_db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    sqlite3_int64 n = sqlite3_column_int64(st, 0);
    yes = n > 0 && sqlite3_column_double(st, 1) == (double)n && sqlite3_column_double(st, 2) > 0;
  }
  sqlite3_finalize(st);
  sqlite3_progress_handler(c->data_db, 0, NULL, NULL);
  sqlite3_free(sql);
  return yes;
}

/* 1 when x would be warned about as a fraction: a literal above 1 without
** %, or a param not yet marked whose number is above 1 and not a percent. */
static int fraction_suspect(const sm_pack *pk, const ast *x) {
  if (x->kind == A_NUM) return !x->flag && x->num > 1;
  if (x->kind != A_PARAM || x->ref < 0 || x->ref >= pk->nparams) return 0;
  const sm_param *pa = &pk->params[x->ref];
  if (pa->fraction || pa->value.t != VT_NUM || !(pa->value.u.n > 1)) return 0;
  const ast *lit = pa->decl->a ? pa->decl->a : pa->decl;
  return !(lit->kind == A_NUM && lit->flag);
}

/* The table of the plain source a column node reads, or NULL. */
static const char *col_table(const sm_pack *pk, const ast *n) {
  if (!n || n->kind != A_COL || n->num < 0 || (int)n->num >= pk->nsources) return NULL;
  const sm_source *so = &pk->sources[(int)n->num];
  return so->rollup ? NULL : so->table;
}

static const char *col_name(const sm_pack *pk, const ast *n) {
  if (!n || n->kind != A_COL || n->num < 0 || (int)n->num >= pk->nsources) return NULL;
  const sm_source *so = &pk->sources[(int)n->num];
  return n->ref >= 0 && n->ref < so->ncols ? so->cols[n->ref] : NULL;
}

/* "20% or 0.2" for v. */
static void fraction_fix(double v, char *out, size_t cap) { snprintf(out, cap, "%g%% or %g", v, v / 100); }

/* x is used as a fraction at use (how: "1 - p", "compared with conversion_rate,
** a rate by its name"): a param is marked, and warned about (once, at its
** value) when above 1; a literal above 1 written without % is warned about. */
static void fraction_use(cc *c, sm_pack *pk, const ast *x, const ast *use, const char *how) {
  char fix[64];
  if (x->kind == A_PARAM && x->ref >= 0 && x->ref < pk->nparams) {
    sm_param *pa = &pk->params[x->ref];
    int first = !pa->fraction;
    pa->fraction = 1;
    if (!c->lint || !first || pa->value.t != VT_NUM || !(pa->value.u.n > 1)) return;
    const ast *lit = pa->decl->a ? pa->decl->a : pa->decl;
    if (lit->kind == A_NUM && lit->flag) return; /* written as a percent: 150% is meant */
    fraction_fix(pa->value.u.n, fix, sizeof fix);
    cc_warning(c, lit->loc, DIAG_W_FRACTION, "param %s is %g but is used as a fraction (%s): write %s", pa->name,
               pa->value.u.n, how, fix);
    cc_note(c, use->loc, "used as a fraction here");
  } else if (c->lint && x->kind == A_NUM && !x->flag && x->num > 1) {
    fraction_fix(x->num, fix, sizeof fix);
    cc_warning(c, x->loc, DIAG_W_FRACTION, "%g is used as a fraction (%s): write %s", x->num, how, fix);
  }
}

static void fraction_walk(cc *c, sm_pack *pk, const ast *n) {
  if (!n) return;
  if (n->kind == A_BIN && (n->op == BIN_ADD || n->op == BIN_SUB) && n->type == VT_NUM) {
    /* 1 - p, 1 + p, p + 1 */
    const ast *one = n->a, *x = n->b;
    if (!(one && one->kind == A_NUM && one->num == 1 && !one->flag) && n->op == BIN_ADD) { one = n->b; x = n->a; }
    if (one && one->kind == A_NUM && one->num == 1 && !one->flag && x && (x->kind == A_PARAM || x->kind == A_NUM)) {
      char how[160];
      if (x->kind == A_PARAM && x->ref >= 0 && x->ref < pk->nparams)
        snprintf(how, sizeof how, "in '1 %s %s'", n->op == BIN_ADD ? "+" : "-", pk->params[x->ref].name);
      else
        snprintf(how, sizeof how, "in '1 %s %g'", n->op == BIN_ADD ? "+" : "-", x->num);
      fraction_use(c, pk, x, n, how);
    }
  } else if (n->kind == A_BIN && n->op >= BIN_EQ && n->op <= BIN_GE) {
    /* compared with a column named as a fraction */
    for (int side = 0; side < 2; side++) {
      const ast *col = side ? n->b : n->a, *x = side ? n->a : n->b;
      const char *cn = col_name(pk, col), *why = NULL;
      if (!cn || !x) continue;
      if (fraction_name(cn)) why = "a fraction by its name";
      else if (fraction_suspect(pk, x) && fraction_data(c, col_table(pk, col), cn)) why = "its values lie between 0 and 1";
      if (!why) continue;
      char how[200];
      snprintf(how, sizeof how, "compared with %.100s, %s", cn, why);
      fraction_use(c, pk, x, n, how);
    }
  }
  int list_a = n->kind == A_CALL, list_b = n->kind == A_IN;
  for (const ast *x = n->a; x; x = list_a ? x->next : NULL) {
    fraction_walk(c, pk, x);
    if (!list_a) break;
  }
  for (const ast *x = n->b; x; x = list_b ? x->next : NULL) {
    fraction_walk(c, pk, x);
    if (!list_b) break;
  }
  fraction_walk(c, pk, n->c);
}

void lint_fractions(cc *c, sm_pack *pk) {
  for (int r = 0; r < pk->nrules; r++) {
    const sm_rule *ru = &pk->rules[r];
    for (int k = ru->nclauses - 1; k >= 0; k--) fraction_walk(c, pk, ru->clauses[k]->a); /* the highest tier first */
  }
  if (c->data_db) sqlite3_close(c->data_db);
  c->data_db = NULL;
}
