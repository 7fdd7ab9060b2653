/*
** digest.h — vg_digest_run's state, shared by its two halves: digest.c
** reads a recorded run and shapes it (who gets what, grouped per key);
** digest_render.c writes one person's digest as text, Markdown or HTML.
*/
#ifndef VIGIL_DIGEST_H
#define VIGIL_DIGEST_H

#include <sqlite3.h>
#include "../core/mem.h"
#include "../core/vec.h"
#include "../include/vigil.h"

enum { DG_NEW, DG_ONGOING, DG_ESCALATED, DG_RESOLVED };

enum { DG_WIDTH = 72,     /* text lines wrap at this many columns */
       DG_TREND_MAX = 12, /* values of a trend shown; older ones become "…" */
       DG_RANK_MAX = 1 << 20 /* tier_rank is clamped to [0, this] */ };

/* One evidence value ("values") or window cell ("window"): its name (the
** let, column or param; for a cell, the column or "dates"), its text as a
** digest shows it, and whether it is a param. */
typedef struct dg_cell {
  long long id;            /* the alert's rowid */
  const char *name, *text;
  int param;               /* a value the evidence's "params" names: a threshold */
} dg_cell;

typedef vg_vec(dg_cell) dg_cells;

/* A key that an alert of the run is routed to (the route's first entry is
** the key: the key is a person of the org), with the org chart's name. */
typedef struct dg_named {
  const char *key, *key_column, *name;
  long long id;            /* the alert's rowid */
} dg_named;

typedef struct dg_alert {
  long long id;            /* rowid in vigil_alerts */
  const char *rule, *tier, *key, *message, *recipient;
  const char *first_seen;  /* NULL when unknown */
  const char *prev_tier;   /* escalated: its open tier at the previous run, or NULL */
  const char *key_column;  /* evidence.key_column, or NULL */
  const char *label;       /* evidence.label (the source's label column) as text, or NULL */
  const char *owner, *owner_name; /* the route's first entry (level 0), or NULL */
  int life, runs, rank;
  int has_size;            /* the evidence has a size (docs/LANGUAGE.md §4.6.1) */
  double size;             /* its rel */
  const char *size_text;   /* "0.12, 25% below the threshold 0.16", or NULL */
  const dg_cell *vals, *cells;
  long nvals, ncells;
} dg_alert;

/* One (person, alert) pair: the alert is delivered to the person. */
typedef struct dg_link {
  const char *person, *name;
  long alert;              /* index in ctx->alerts */
  int level;
} dg_link;

typedef struct dg_person {
  const char *person, *name;
  long first, n;           /* links[first .. first+n) */
  int rank;                /* the highest open tier's rank held; -1: none open */
  long at_rank, open;      /* open alerts of that rank; open alerts */
} dg_person;

/* An alert in one person's digest. */
typedef struct dg_entry {
  const dg_alert *a;
  int level;
  const char *kc;          /* the key column its group is named by */
} dg_entry;

typedef struct dg_group {
  long first, n;           /* entries[first .. first+n) */
  int rank;                /* the highest open tier's rank; -1: resolved entries only */
  const char *key, *key_column;
  const char *name;        /* the entity's name (dg_entity_name), or NULL */
} dg_group;

/* One finished digest, kept until the transaction is over. */
typedef struct dg_out {
  const char *recipient, *name, *subject, *body, *section, *toc;
  const char *recipient_b, *name_b; /* recipient and name as their bytes, for the caller */
  int alerts, resolved;
} dg_out;

typedef struct dg_ctx {
  const vg_digest_opts *o;
  sqlite3 *db;
  vg_arena arena;
  long long run_id, prev_id;
  const char *pack, *as_of;
  int has_status, has_first_seen, has_runs, has_rank, has_evidence, has_route;
  vg_vec(dg_alert) alerts; /* in rowid order */
  dg_cells vals, cells;    /* evidence values and window cells, by alert */
  vg_vec(dg_link) links;
  vg_vec(dg_person) persons;
  vg_vec(dg_out) outs;
  vg_vec(const char *) tier_names; /* rank fallback */
  vg_vec(dg_named) named;  /* the keys that are persons of the org, by key */
  long long total_alerts, total_resolved, total_new, total_escalated;
  vg_buf body, section, details, line, scratch, subject, toc;
  long index;              /* the digest being rendered, from 1 (its anchor "digest-N") */
  const char *to;          /* o->to in the internal form */
  const char *pack_b, *as_of_b; /* pack and as_of as their bytes, for the caller */
  int oom;
} dg_ctx;

/* One person's digest as it is rendered: the entries, grouped per key. */
typedef struct dg_view {
  const dg_person *p;
  dg_entry *e; long ne;
  dg_group *g; long ng;
  int count[4];            /* by life */
  long open_groups;
} dg_view;

/* Render v into c->body (with HTML, c->section and c->toc too) and c->subject.
** 0, or -1 when out of memory. */
int dg_render(dg_ctx *c, const dg_view *v);

#endif
