/*
** life.c — the life of an alert across evaluations.
**
** An alert of (rule, key) is *new* when it was not open at the previous
** evaluation, *ongoing* when it was, *escalated* when its tier is higher than
** it was; when an open alert no longer fires it is *resolved* (recorded, not
** reported as an alert).  `clear when COND` holds a fired alert open, at its
** tier and with its message, until COND holds; `escalate after D` raises an
** alert open for D days or more by one tier.
**
** The previous evaluation is, for a run, the pack's latest recorded run
** before its as_of (run.c loads it with exec_life_open); for a backtest, the
** previous date of the range, carried in the same map as the key's dates are
** evaluated in order.
*/
#include <string.h>
#include "life.h"
#include "../core/map.h"
#include "../core/vec.h"
#include "alerts.h"
#include "org.h"

typedef struct life_entry {
  int rule;
  const char *key;           /* in the pack's arena (klen bytes, may hold NULs) */
  size_t klen;
  int open, seen;            /* open at the previous evaluation; met by this one */
  int tier, runs;
  int32_t first_seen;
  char *message, *recipient; /* owned (vg_realloc): alert texts may be spilled */
  size_t mlen, rlen;
} life_entry;

typedef vg_vec(life_entry) life_entries;

/* The entries in the order they were added, indexed by (rule, key). */
struct life_map {
  life_entries e;
  vg_map index;
};

/* *dst = a copy of src (n bytes; NULL for NULL), the old one freed.  0 or -1. */
static int own(char **dst, size_t *dlen, const char *src, size_t n) {
  if (*dst && src && *dlen == n && memcmp(*dst, src, n) == 0) return 0;
  char *c = NULL;
  if (src) {
    c = vg_realloc(NULL, n + 1);
    if (!c) return -1;
    if (n) memcpy(c, src, n);
    c[n] = 0;
  }
  vg_free(*dst);
  *dst = c;
  *dlen = src ? n : 0;
  return 0;
}

static uint32_t hash_of(int rule, const char *key, size_t n) { return vg_hash_more(2166136261u ^ (uint32_t)rule, key, n); }

/* What vg_map_find looks for: (rule, key) among the entries. */
typedef struct life_key {
  const life_entry *v;
  int rule;
  const char *key;
  size_t klen;
} life_key;

static int same_entry(const void *ctx, uint32_t i) {
  const life_key *k = ctx;
  const life_entry *e = &k->v[i];
  return e->rule == k->rule && e->klen == k->klen && memcmp(e->key, k->key, k->klen) == 0;
}

/* Index the entries again (after they were replaced).  0 or -1 (memory). */
static int reindex(life_map *m) {
  vg_map_free(&m->index);
  if (vg_map_reserve(&m->index, (uint32_t)m->e.n) != 0) return -1;
  for (size_t i = 0; i < m->e.n; i++) {
    const life_entry *e = &m->e.v[i];
    if (vg_map_put(&m->index, hash_of(e->rule, e->key, e->klen), (uint32_t)i) != 0) return -1;
  }
  return 0;
}

/* The entry of (rule, key), added (closed) when add; NULL when absent or out
** of memory.  Adding may move the entries: an entry found before is stale. */
static life_entry *find(exec_pack *pr, int rule, const char *key, size_t klen, int add) {
  life_map *m = pr->life;
  if (!m) {
    if (!add) return NULL;
    m = pr->life = vg_realloc(NULL, sizeof *m);
    if (!m) return NULL;
    memset(m, 0, sizeof *m);
  }
  uint32_t h = hash_of(rule, key, klen);
  life_key k = {m->e.v, rule, key, klen};
  long i = vg_map_find(&m->index, h, same_entry, &k);
  if (i >= 0) return &m->e.v[i];
  if (!add) return NULL;
  char *kc = vg_arena_strndup(&pr->arena, key, klen);
  life_entry *e = kc ? vg_vec_add(&m->e) : NULL;
  if (!e) return NULL;
  if (vg_map_put(&m->index, h, (uint32_t)(m->e.n - 1)) != 0) {
    m->e.n--;
    return NULL;
  }
  e->rule = rule;
  e->key = kc;
  e->klen = klen;
  return e;
}

const char *const exec_life_names[LIFE__COUNT] = {"new", "ongoing", "escalated", "resolved"};

int exec_life_open(exec_pack *pr, int rule, const char *key, size_t klen, int tier, int32_t first_seen, int runs,
                   const char *message, size_t mlen, const char *recipient, size_t rlen) {
  life_entry *e = find(pr, rule, key, klen, 1);
  if (!e) return -1;
  e->open = 1;
  e->tier = tier;
  e->first_seen = first_seen;
  e->runs = runs > 0 ? runs : 1;
  if (own(&e->message, &e->mlen, message, mlen) != 0 || own(&e->recipient, &e->rlen, recipient, rlen) != 0) return -1;
  return 0;
}

/* A LIFE_RESOLVED entry for an alert that closed at date. */
static int resolve(exec_pack *pr, life_entry *e, int32_t date) {
  int32_t keep = pr->as_of;
  pr->as_of = date;
  exec_alert *a = exec_add_alert(pr, e->rule, e->tier, NULL, 0, e->recipient, e->rlen);
  pr->as_of = keep;
  if (!a) return -1;
  a->key = e->key;
  a->key_len = e->klen;
  a->status = LIFE_RESOLVED;
  a->first_seen = e->first_seen;
  a->runs = e->runs;
  e->open = 0;
  if (pr->org && e->recipient && !(a->route = exec_org_route(pr, e->rule, e->recipient, e->rlen, pr->p->routes[e->tier])))
    return -1;
  return 0;
}

int exec_life_step(exec_pack *pr, int rule, const char *key, size_t klen, size_t before, int32_t date, const vm_series *s) {
  const vm_rule *ru = &pr->p->rules[rule];
  life_entry *prev = find(pr, rule, key, klen, 0);
  if (prev) prev->seen = 1;
  int was_open = prev && prev->open;
  if (pr->alerts.n == before && was_open && ru->clear >= 0) {
    /* clear when: the alert stays open until its clear condition holds */
    val v;
    vm_status st = vm_eval_value(&pr->vm, ru->clear, s, date, &v);
    if (st != VM_OK) return (int)st;
    if (!(v.t == VT_BOOL && v.u.b) && !exec_add_alert(pr, rule, prev->tier, prev->message, prev->mlen, prev->recipient, prev->rlen))
      return -1;
  }
  if (pr->alerts.n == before) {
    if (was_open && resolve(pr, prev, date) != 0) return -1;
    return 0;
  }
  exec_alert *a = &pr->alerts.v[pr->alerts.n - 1]; /* a rule emits at most one alert */
  if (was_open) {
    a->first_seen = prev->first_seen;
    a->runs = prev->runs + 1;
    a->status = a->tier > prev->tier ? LIFE_ESCALATED : LIFE_ONGOING;
  } else {
    a->first_seen = date;
    a->runs = 1;
    a->status = LIFE_NEW;
  }
  if (ru->escalate >= 0 && (double)date - (double)a->first_seen >= ru->escalate) {
    /* open long enough: one tier up (if there is one) and one level further up the org chart */
    a->up = 1;
    if (a->tier + 1 < pr->p->ntiers) {
      a->tier++;
      if (!was_open || a->tier > prev->tier) a->status = was_open ? LIFE_ESCALATED : LIFE_NEW;
    }
  }
  /* one date (a run): no later evaluation reads the map, and the sweep
  ** needs only the seen marks; keep no copy of every alert */
  if (pr->ndates == 1) return 0;
  life_entry *e = prev ? prev : find(pr, rule, key, klen, 1);
  if (!e) return -1;
  e->open = 1;
  e->seen = 1;
  e->tier = a->tier;
  e->first_seen = a->first_seen;
  e->runs = a->runs;
  /* the message only matters to hold the alert open (clear when) */
  if (own(&e->message, &e->mlen, ru->clear >= 0 ? a->message : NULL, a->message_len) != 0 ||
      own(&e->recipient, &e->rlen, a->recipient, a->recipient_len) != 0)
    return -1;
  return 0;
}

int exec_life_sweep(exec_pack *pr, int32_t date) {
  life_map *m = pr->life;
  if (!m) return 0;
  /* in the order they were added: a run's, the order the previous run recorded them */
  for (size_t i = 0; i < m->e.n; i++) {
    life_entry *e = &m->e.v[i];
    if (e->open && !e->seen && resolve(pr, e, date) != 0) return -1;
  }
  return 0;
}

struct life_saved {
  life_entries e;
};

static void free_entries(life_entries *e) {
  for (size_t i = 0; i < e->n; i++) {
    vg_free(e->v[i].message);
    vg_free(e->v[i].recipient);
  }
  vg_vec_free(e);
}

life_saved *exec_life_save(exec_pack *pr) {
  life_saved *sv = vg_realloc(NULL, sizeof *sv);
  if (!sv) return NULL;
  memset(sv, 0, sizeof *sv);
  life_map *m = pr->life;
  if (!m || !m->e.n) return sv;
  if (vg_vec_reserve(&sv->e, m->e.n) != 0) { vg_free(sv); return NULL; }
  /* the texts are owned: copy them too */
  for (size_t i = 0; i < m->e.n; i++) {
    life_entry *e = &sv->e.v[sv->e.n++];
    *e = m->e.v[i];
    e->message = e->recipient = NULL;
    if (own(&e->message, &e->mlen, m->e.v[i].message, e->mlen) != 0 ||
        own(&e->recipient, &e->rlen, m->e.v[i].recipient, e->rlen) != 0) {
      exec_life_saved_free(sv);
      return NULL;
    }
  }
  return sv;
}

int exec_life_restore(exec_pack *pr, life_saved *sv) {
  if (!sv->e.n) {
    exec_life_free(pr);
    return 0;
  }
  if (!pr->life) {
    pr->life = vg_realloc(NULL, sizeof *pr->life);
    if (!pr->life) return -1;
    memset(pr->life, 0, sizeof *pr->life);
  }
  free_entries(&pr->life->e);
  pr->life->e = sv->e; /* the saved copy becomes the map */
  memset(&sv->e, 0, sizeof sv->e);
  return reindex(pr->life);
}

void exec_life_saved_free(life_saved *sv) {
  if (!sv) return;
  free_entries(&sv->e);
  vg_free(sv);
}

void exec_life_free(exec_pack *pr) {
  if (!pr->life) return;
  free_entries(&pr->life->e);
  vg_map_free(&pr->life->index);
  vg_free(pr->life);
  pr->life = NULL;
}
