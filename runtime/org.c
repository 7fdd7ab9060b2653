/*
** org.c — the org chart a pack's routes and manager() climb.
**
** `org { table T person P manager M [name N] }` names a table of people and
** their managers.  A run reads it whole, once, into a map from a person's
** text (an integer as digits, as a recipient is written) to their manager
** and display name — the chart as the table holds it now, for every date of
** a backtest alike.  Loading checks it and reports, once each:
**   - a manager who is not a person of the table (the climb stops there),
**   - a cycle (4 -> 9 -> 4): a climb never loops, it stops where it would
**     meet a person twice,
**   - a person listed twice (the row with the larger rowid is used).
** While alerts are routed, a recipient who is not in the table and a climb
** that runs past the top (a person with no manager) are counted per rule and
** reported after the run, with an example.
*/
#include <stdio.h>
#include <string.h>
#include "org.h"
#include "db.h"
#include "json.h"
#include "../core/map.h"
#include "../core/vec.h"
#include "../core/limits.h"
#include "../stdlib/lib.h"

typedef struct org_person {
  const char *id;      /* in pr->arena */
  size_t len;
  const char *name;    /* display name or NULL (name_len bytes) */
  const char *mgr;     /* the manager's text (mgr_len bytes), NULL for none */
  size_t name_len, mgr_len;
  const char *addr[2]; /* email and chat (org { email E chat C }), NULL for none */
  size_t addr_len[2];
  int32_t up;          /* the manager's index, -1 none, -2 not a person */
} org_person;

/* Per rule: recipients not in the org, and climbs past its top, with an example. */
enum { ORG_MISSING, ORG_TOP, ORG__COUNT };
typedef struct org_count {
  long n[ORG__COUNT];
  const char *example[ORG__COUNT];
  int levels[ORG__COUNT];
} org_count;

struct org_map {
  vg_vec(org_person) people; /* in the order the table gave them */
  vg_map index;              /* a person's text -> people */
  org_count *counts;         /* per rule: [ORG_MISSING], [ORG_TOP] */
};

/* What vg_map_find looks for: a person's text. */
typedef struct org_key {
  const org_person *v;
  const char *s;
  size_t n;
} org_key;

static int same_person(const void *ctx, uint32_t i) {
  const org_key *k = ctx;
  return k->v[i].len == k->n && memcmp(k->v[i].id, k->s, k->n) == 0;
}

static int32_t find(const org_map *m, const char *s, size_t n) {
  org_key k = {m->people.v, s, n};
  return (int32_t)vg_map_find(&m->index, vg_hash(s, n), same_person, &k);
}

/* A column as a person's text (an integral number in digits), or NULL. */
static const char *col_text(exec_pack *pr, sqlite3_stmt *st, int i, size_t *len) {
  char buf[64];
  switch (sqlite3_column_type(st, i)) {
  case SQLITE_NULL: return NULL;
  case SQLITE_INTEGER:
    snprintf(buf, sizeof buf, "%lld", (long long)sqlite3_column_int64(st, i));
    break;
  case SQLITE_FLOAT:
    lib_format_text(val_num(sqlite3_column_double(st, i)), buf, sizeof buf);
    break;
  default: {
    const char *t = (const char *)sqlite3_column_text(st, i);
    *len = (size_t)sqlite3_column_bytes(st, i);
    return t ? vg_arena_strndup(&pr->arena, t, *len) : NULL;
  }
  }
  *len = strlen(buf);
  return vg_arena_strndup(&pr->arena, buf, *len);
}

static int add_person(org_map *m, const char *id, size_t len, const char *mgr, size_t mlen, const char *name,
                      size_t nlen, const char *const addr[2], const size_t alen[2], long *dups, int32_t *dup_example) {
  int32_t at = find(m, id, len);
  if (at >= 0) { /* a later row of the same person wins */
    org_person *p = &m->people.v[at];
    p->mgr = mgr;
    p->mgr_len = mlen;
    p->name = name;
    p->name_len = nlen;
    for (int k = 0; k < 2; k++) {
      p->addr[k] = addr[k];
      p->addr_len[k] = alen[k];
    }
    if ((*dups)++ == 0) *dup_example = at;
    return 0;
  }
  if (m->people.n >= INT32_MAX) return -1;
  org_person *p = vg_vec_add(&m->people);
  if (!p) return -1;
  if (vg_map_put(&m->index, vg_hash(id, len), (uint32_t)(m->people.n - 1)) != 0) {
    m->people.n--;
    return -1;
  }
  p->id = id;
  p->len = len;
  p->mgr = mgr;
  p->mgr_len = mlen;
  p->name = name;
  p->name_len = nlen;
  for (int k = 0; k < 2; k++) {
    p->addr[k] = addr[k];
    p->addr_len[k] = alen[k];
  }
  p->up = -1;
  return 0;
}

/* Cycles: follow each person's chain, colouring people on the walk (1) and
** done (2); meeting a 1 closes a cycle. */
static void find_cycles(exec_pack *pr, org_map *m) {
  uint8_t *mark = vg_realloc(NULL, m->people.n ? m->people.n : 1);
  int32_t *path = vg_realloc(NULL, (m->people.n ? m->people.n : 1) * sizeof *path);
  if (!mark || !path) { vg_free(mark); vg_free(path); return; } /* the check is skipped; climbs stay bounded */
  memset(mark, 0, m->people.n);
  long on_cycles = 0;
  char example[512] = "";
  for (uint32_t i = 0; i < (uint32_t)m->people.n; i++) {
    uint32_t np = 0;
    int32_t x = (int32_t)i;
    while (x >= 0 && mark[x] == 0) {
      mark[x] = 1;
      path[np++] = x;
      x = m->people.v[x].up;
    }
    if (x >= 0 && mark[x] == 1) {
      uint32_t k = 0;
      while (path[k] != x) k++;
      on_cycles += (long)(np - k);
      if (!example[0]) {
        size_t used = 0;
        for (uint32_t q = k; q <= np && used < sizeof example - 80; q++) {
          const org_person *p = &m->people.v[q < np ? path[q] : x];
          char shown[64];
          lib_show_text(p->id, p->len, shown, sizeof shown);
          int w = snprintf(example + used, sizeof example - used, "%s%s", q > k ? " -> " : "", shown);
          if (w > 0) used += (size_t)w;
        }
      }
    }
    for (uint32_t q = 0; q < np; q++) mark[path[q]] = 2;
  }
  if (on_cycles) {
    pr->warnings++;
    exec_diag(pr->o, VG_WARNING, DIAG_W_ORG_CYCLE, NULL, 0, 0,
              "org %s: %ld person(s) are their own manager's manager (a cycle, e.g. %s): a route stops where it would "
              "meet someone twice", pr->p->org_table, on_cycles, example);
  }
  vg_free(mark);
  vg_free(path);
}

int exec_org_load(exec_pack *pr) {
  const vm_program *p = pr->p;
  if (!p->org_table) return 0;
  org_map *m = vg_realloc(NULL, sizeof *m);
  if (!m) return -1;
  memset(m, 0, sizeof *m);
  pr->org = m;
  m->counts = vg_realloc(NULL, (p->nrules ? p->nrules : 1) * sizeof *m->counts);
  if (!m->counts) return -1;
  memset(m->counts, 0, (p->nrules ? p->nrules : 1) * sizeof *m->counts);
  vg_buf q = {NULL, 0, 0};
  int rc = vg_buf_append(&q, "SELECT ", 7);
  rc |= exec_quote_ident(&q, p->org_person);
  rc |= vg_buf_append(&q, ", ", 2);
  rc |= exec_quote_ident(&q, p->org_manager);
  /* the columns: person, manager, then name, email and chat where declared
  ** (NULL in their place otherwise) */
  const char *opt[3] = {p->org_name, p->org_email, p->org_chat};
  for (int k = 0; k < 3; k++) {
    rc |= vg_buf_append(&q, ", ", 2);
    rc |= opt[k] ? exec_quote_ident(&q, opt[k]) : vg_buf_append(&q, "NULL", 4);
  }
  rc |= vg_buf_append(&q, " FROM ", 6);
  rc |= exec_quote_ident(&q, p->org_table);
  if (rc) { vg_buf_free(&q); return -1; }
  sqlite3_stmt *st = NULL;
  /* the larger rowid wins for a person listed twice (the real rowid, not a
  ** column named rowid: exec_db_rowid); a table without one is read in its
  ** own order */
  vg_buf q2 = {NULL, 0, 0}, rid = {NULL, 0, 0};
  int has_rid = exec_db_rowid(pr->db, p->org_table, &rid);
  if (has_rid < 0 || vg_buf_printf(&q2, "%s%s%s", q.data, has_rid ? " ORDER BY " : "", has_rid ? rid.data : "") != 0) {
    vg_buf_free(&q);
    vg_buf_free(&q2);
    vg_buf_free(&rid);
    return -1;
  }
  vg_buf_free(&rid);
  if (sqlite3_prepare_v2(pr->db, q2.data, -1, &st, NULL) != SQLITE_OK &&
      sqlite3_prepare_v2(pr->db, q.data, -1, &st, NULL) != SQLITE_OK) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "org: cannot read table %s: %s", p->org_table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    vg_buf_free(&q);
    vg_buf_free(&q2);
    return -1;
  }
  vg_buf_free(&q);
  vg_buf_free(&q2);
  long dups = 0, nulls = 0;
  int32_t dup_example = -1;
  int result = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    pr->rows_read++;
    size_t len = 0, mlen = 0, nlen = 0;
    const char *id = col_text(pr, st, 0, &len);
    if (!id) {
      if (sqlite3_column_type(st, 0) == SQLITE_NULL) { nulls++; continue; }
      result = -1;
      break;
    }
    const char *mgr = col_text(pr, st, 1, &mlen);
    if (!mgr && sqlite3_column_type(st, 1) != SQLITE_NULL) { result = -1; break; }
    const char *name = col_text(pr, st, 2, &nlen);
    if (!name && sqlite3_column_type(st, 2) != SQLITE_NULL) { result = -1; break; }
    const char *addr[2];
    size_t alen[2] = {0, 0};
    int bad = 0;
    for (int k = 0; k < 2; k++) {
      addr[k] = col_text(pr, st, 3 + k, &alen[k]);
      bad |= !addr[k] && sqlite3_column_type(st, 3 + k) != SQLITE_NULL;
    }
    if (bad || add_person(m, id, len, mgr, mlen, name, nlen, addr, alen, &dups, &dup_example) != 0) { result = -1; break; }
  }
  if (result == 0 && rc != SQLITE_DONE) {
    exec_diag(pr->o, VG_ERROR, DIAG_E_DATABASE, NULL, 0, 0, "org: reading table %s failed: %s", p->org_table, sqlite3_errmsg(pr->db));
    pr->failed = 1;
    result = -1;
  }
  sqlite3_finalize(st);
  if (result != 0) return -1;
  /* managers to indices */
  long missing = 0;
  const org_person *miss_example = NULL;
  for (size_t i = 0; i < m->people.n; i++) {
    org_person *x = &m->people.v[i];
    if (!x->mgr) { x->up = -1; continue; }
    x->up = find(m, x->mgr, x->mgr_len);
    if (x->up < 0) {
      x->up = -2;
      if (missing++ == 0) miss_example = x;
    }
  }
  if (nulls) {
    pr->warnings++;
    exec_diag(pr->o, VG_WARNING, DIAG_W_ORG_NULL_PERSON, NULL, 0, 0, "org %s: %ld row(s) with a NULL %s are skipped", p->org_table, nulls, p->org_person);
  }
  if (dups) {
    char shown[96];
    lib_show_text(m->people.v[dup_example].id, m->people.v[dup_example].len, shown, sizeof shown);
    pr->warnings++;
    exec_diag(pr->o, VG_WARNING, DIAG_W_ORG_REPEATED_PERSON, NULL, 0, 0, "org %s: %ld row(s) repeat a person (e.g. %s); the last row of each is used",
              p->org_table, dups, shown);
  }
  if (missing) {
    char shown[96], mshown[96];
    lib_show_text(miss_example->id, miss_example->len, shown, sizeof shown);
    lib_show_text(miss_example->mgr, miss_example->mgr_len, mshown, sizeof mshown);
    pr->warnings++;
    exec_diag(pr->o, VG_WARNING, DIAG_W_ORG_UNKNOWN_MANAGER, NULL, 0, 0,
              "org %s: %ld person(s) have a manager who is not in the table (e.g. %s, manager %s): a route stops there",
              p->org_table, missing, shown, mshown);
  }
  find_cycles(pr, m);
  return 0;
}

/* Climbs from person index i up to `levels` levels; the index reached, or
** -1 when the chain ends (no manager, not a person, or someone met twice). */
static int32_t climb(const org_map *m, int32_t i, int levels, int32_t *stop) {
  int32_t seen[VG_MAX_ROUTE + 1];
  int nseen = 0;
  seen[nseen++] = i;
  for (int k = 0; k < levels; k++) {
    int32_t u = m->people.v[i].up;
    if (u < 0) { *stop = i; return -1; }
    for (int q = 0; q < nseen; q++)
      if (seen[q] == u) { *stop = i; return -1; }
    seen[nseen++] = u;
    i = u;
  }
  return i;
}

/* Count a missing person or a climb past the top for rule; the first
** example is kept as diagnostics show it (copied: alert texts may be
** spilled). */
static void count(exec_pack *pr, int rule, int kind, const char *person, size_t len, int levels) {
  if (rule < 0) return;
  org_count *c = &pr->org->counts[rule];
  if (c->n[kind]++ == 0) {
    char shown[96];
    if (person) lib_show_text(person, len, shown, sizeof shown);
    c->example[kind] = person ? vg_arena_strdup(&pr->arena, shown) : NULL;
    c->levels[kind] = levels;
  }
}

int exec_org_name(exec_pack *pr, const char *person, size_t len, const char **out, size_t *outlen) {
  org_map *m = pr->org;
  int32_t i = m ? find(m, person, len) : -1;
  *out = i >= 0 ? m->people.v[i].name : NULL;
  *outlen = i >= 0 && *out ? m->people.v[i].name_len : 0;
  return 0;
}

int exec_org_manager(exec_pack *pr, int rule, const char *person, size_t len, int levels, const char **out,
                     size_t *outlen) {
  org_map *m = pr->org;
  *out = NULL;
  *outlen = 0;
  if (!m) return 0;
  int32_t i = find(m, person, len);
  if (i < 0) {
    count(pr, rule, ORG_MISSING, person, len, levels);
    return 0;
  }
  int32_t stop = -1;
  int32_t j = climb(m, i, levels, &stop);
  if (j < 0) {
    count(pr, rule, ORG_TOP, m->people.v[stop].id, m->people.v[stop].len, levels);
    return 0;
  }
  *out = m->people.v[j].id;
  *outlen = m->people.v[j].len;
  return 0;
}

const char *exec_org_route(exec_pack *pr, int rule, const char *recipient, size_t len, int levels) {
  org_map *m = pr->org;
  if (!m || !recipient) return NULL;
  vg_buf b = {NULL, 0, 0};
  int rc = vg_buf_append(&b, "[", 1);
  int32_t i = find(m, recipient, len);
  if (i < 0) {
    count(pr, rule, ORG_MISSING, recipient, len, levels);
    rc |= vg_buf_append(&b, "{\"to\":", 6);
    rc |= exec_json_str(&b, recipient, len);
    rc |= vg_buf_append(&b, ",\"name\":null,\"level\":0}", 23);
  } else {
    int32_t seen[VG_MAX_ROUTE + 1];
    int nseen = 0;
    for (int lv = 0; lv <= levels; lv++) {
      const org_person *x = &m->people.v[i];
      seen[nseen++] = i;
      rc |= vg_buf_printf(&b, "%s{\"to\":", lv ? "," : "");
      rc |= exec_json_str(&b, x->id, x->len);
      rc |= vg_buf_append(&b, ",\"name\":", 8);
      if (x->name) rc |= exec_json_str(&b, x->name, x->name_len);
      else rc |= vg_buf_append(&b, "null", 4);
      for (int k = 0; k < 2; k++) {
        if (!(k ? pr->p->org_chat : pr->p->org_email)) continue;
        rc |= vg_buf_append(&b, k ? ",\"chat\":" : ",\"email\":", k ? 8 : 9);
        if (x->addr[k]) rc |= exec_json_str(&b, x->addr[k], x->addr_len[k]);
        else rc |= vg_buf_append(&b, "null", 4);
      }
      rc |= vg_buf_printf(&b, ",\"level\":%d}", lv);
      if (lv == levels) break;
      int32_t u = x->up;
      int again = 0;
      for (int q = 0; q < nseen && u >= 0; q++) again |= seen[q] == u;
      if (u < 0 || again) {
        count(pr, rule, ORG_TOP, x->id, x->len, levels);
        break;
      }
      i = u;
    }
  }
  rc |= vg_buf_append(&b, "]", 1);
  const char *r = rc ? NULL : vg_arena_strndup(&pr->alert_arena, b.data, b.len);
  vg_buf_free(&b);
  return r;
}

void exec_org_report(exec_pack *pr) {
  org_map *m = pr->org;
  if (!m) return;
  for (int r = 0; r < pr->p->nrules; r++) {
    const org_count *c = &m->counts[r];
    const vm_rule *ru = &pr->p->rules[r];
    if (c->n[ORG_MISSING]) {
      pr->warnings++;
      exec_diag(pr->o, VG_WARNING, DIAG_W_ROUTE_UNKNOWN_PERSON, pr->p->files[ru->file], (int)ru->line, (int)ru->col, "rule %s: %ld time(s) a person to route from is not in org table %s (e.g. %s)",
                pr->p->rules[r].name, c->n[ORG_MISSING], pr->p->org_table, c->example[ORG_MISSING] ? c->example[ORG_MISSING] : "?");
    }
    if (c->n[ORG_TOP]) {
      pr->warnings++;
      exec_diag(pr->o, VG_WARNING, DIAG_W_ROUTE_END, pr->p->files[ru->file], (int)ru->line, (int)ru->col,
                "rule %s: %ld time(s) a route or manager() found no one %d level(s) up: the chain in org table %s "
                "ends at %s (no manager, a manager not in the table, or a cycle)",
                pr->p->rules[r].name, c->n[ORG_TOP], c->levels[ORG_TOP], pr->p->org_table,
                c->example[ORG_TOP] ? c->example[ORG_TOP] : "?");
    }
  }
}

void exec_org_free(exec_pack *pr) {
  org_map *m = pr->org;
  if (!m) return;
  vg_vec_free(&m->people);
  vg_map_free(&m->index);
  vg_free(m->counts);
  vg_free(m);
  pr->org = NULL;
}
