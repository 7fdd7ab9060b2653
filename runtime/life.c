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
#include "alerts.h"
#include "org.h"

typedef struct life_entry {
  int rule;
  const char *key;           /* in the pack's arena (klen bytes, may hold NULs) */
  size_t klen;
  uint32_t hash;
  int open, seen;            /* open at the previous evaluation; met by this one */
  int tier, runs;
  int32_t first_seen;
  char *message, *recipient; /* owned (vg_realloc): alert texts may be spilled */
  size_t mlen, rlen;
} life_entry;

struct life_map {
  life_entry *v;             /* open addressing; key NULL: empty */
  uint32_t cap, n;
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

static uint32_t hash_of(int rule, const char *key, size_t n) {
  uint32_t h = 2166136261u ^ (uint32_t)rule;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)key[i]) * 16777619u;
  return h;
}

/* The entry of (rule, key), added (closed) when add; NULL when absent or out of memory. */
static life_entry *find(exec_pack *pr, int rule, const char *key, size_t klen, int add) {
  life_map *m = pr->life;
  if (!m) {
    if (!add) return NULL;
    m = pr->life = vg_realloc(NULL, sizeof *m);
    if (!m) return NULL;
    memset(m, 0, sizeof *m);
  }
  if (add && (m->n + 1) * 2 > m->cap) {
    uint32_t ncap = m->cap ? m->cap * 2 : 64;
    life_entry *nv = vg_realloc(NULL, ncap * sizeof *nv);
    if (!nv) return NULL;
    memset(nv, 0, ncap * sizeof *nv);
    for (uint32_t i = 0; i < m->cap; i++) {
      if (!m->v[i].key) continue;
      uint32_t j = m->v[i].hash & (ncap - 1);
      while (nv[j].key) j = (j + 1) & (ncap - 1);
      nv[j] = m->v[i];
    }
    vg_free(m->v);
    m->v = nv;
    m->cap = ncap;
  }
  if (!m->cap) return NULL;
  uint32_t h = hash_of(rule, key, klen), j = h & (m->cap - 1);
  while (m->v[j].key) {
    if (m->v[j].hash == h && m->v[j].rule == rule && m->v[j].klen == klen && memcmp(m->v[j].key, key, klen) == 0)
      return &m->v[j];
    j = (j + 1) & (m->cap - 1);
  }
  if (!add) return NULL;
  char *k = vg_arena_strndup(&pr->arena, key, klen);
  if (!k) return NULL;
  life_entry *e = &m->v[j];
  memset(e, 0, sizeof *e);
  e->rule = rule;
  e->key = k;
  e->klen = klen;
  e->hash = h;
  m->n++;
  return e;
}

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
  long i = exec_add_alert(pr, e->rule, e->tier, NULL, 0, e->recipient, e->rlen);
  pr->as_of = keep;
  if (i < 0) return -1;
  exec_alert *a = &pr->alerts[i];
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

int exec_life_step(exec_pack *pr, int rule, const char *key, size_t klen, long before, int32_t date, const vm_series *s) {
  const vm_rule *ru = &pr->p->rules[rule];
  life_entry *prev = find(pr, rule, key, klen, 0);
  if (prev) prev->seen = 1;
  int was_open = prev && prev->open;
  if (pr->nalerts == before && was_open && ru->clear >= 0) {
    /* clear when: the alert stays open until its clear condition holds */
    val v;
    vm_status st = vm_eval_value(&pr->vm, ru->clear, s, date, &v);
    if (st != VM_OK) return (int)st;
    if (!(v.t == VT_BOOL && v.u.b) && exec_add_alert(pr, rule, prev->tier, prev->message, prev->mlen, prev->recipient, prev->rlen) < 0)
      return -1;
  }
  if (pr->nalerts == before) {
    if (was_open && resolve(pr, prev, date) != 0) return -1;
    return 0;
  }
  exec_alert *a = &pr->alerts[pr->nalerts - 1]; /* a rule emits at most one alert */
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
  for (uint32_t i = 0; i < m->cap; i++) {
    life_entry *e = &m->v[i];
    if (e->key && e->open && !e->seen && resolve(pr, e, date) != 0) return -1;
  }
  return 0;
}

struct life_saved {
  life_entry *v;
  uint32_t cap, n;
};

static void free_entries(life_entry *v, uint32_t cap) {
  for (uint32_t i = 0; v && i < cap; i++) {
    vg_free(v[i].message);
    vg_free(v[i].recipient);
  }
}

life_saved *exec_life_save(exec_pack *pr) {
  life_saved *sv = vg_realloc(NULL, sizeof *sv);
  if (!sv) return NULL;
  memset(sv, 0, sizeof *sv);
  life_map *m = pr->life;
  if (m && m->cap) {
    sv->v = vg_realloc(NULL, m->cap * sizeof *sv->v);
    if (!sv->v) { vg_free(sv); return NULL; }
    memcpy(sv->v, m->v, m->cap * sizeof *sv->v);
    sv->cap = m->cap;
    sv->n = m->n;
    /* the texts are owned: copy them too */
    for (uint32_t i = 0; i < sv->cap; i++) {
      life_entry *e = &sv->v[i];
      const char *msg = e->message, *rcp = e->recipient;
      e->message = e->recipient = NULL;
      if (own(&e->message, &e->mlen, msg, e->mlen) != 0 || own(&e->recipient, &e->rlen, rcp, e->rlen) != 0) {
        free_entries(sv->v, i + 1);
        vg_free(sv->v);
        vg_free(sv);
        return NULL;
      }
    }
  }
  return sv;
}

int exec_life_restore(exec_pack *pr, life_saved *sv) {
  if (!sv->cap) {
    exec_life_free(pr);
  } else {
    if (!pr->life) {
      pr->life = vg_realloc(NULL, sizeof *pr->life);
      if (!pr->life) return -1;
      memset(pr->life, 0, sizeof *pr->life);
    }
    free_entries(pr->life->v, pr->life->cap);
    vg_free(pr->life->v);
    pr->life->v = sv->v; /* the saved copy becomes the map */
    pr->life->cap = sv->cap;
    pr->life->n = sv->n;
    sv->v = NULL;
    sv->cap = 0;
  }
  return 0;
}

void exec_life_saved_free(life_saved *sv) {
  if (!sv) return;
  free_entries(sv->v, sv->cap);
  vg_free(sv->v);
  vg_free(sv);
}

void exec_life_free(exec_pack *pr) {
  if (!pr->life) return;
  free_entries(pr->life->v, pr->life->cap);
  vg_free(pr->life->v);
  vg_free(pr->life);
  pr->life = NULL;
}
