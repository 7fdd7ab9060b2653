/*
** opts.c — what several commands share on the command line: the options
** --db, --schema, --as-of, --from, --to, --every, --at-snapshots, --set,
** --follow-symlinks and the PATHs (one parser, so each is read and refused
** the same way by every command that takes it), and the param overrides
** --set builds.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "out.h"

char *cli_read_stdin(size_t *len) {
  size_t cap = 65536, n = 0;
  char *b = malloc(cap);
  for (;;) {
    if (!b) { errno = ENOMEM; return NULL; }
    ssize_t got = read(0, b + n, cap - n - 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) { free(b); return NULL; }
    if (got == 0) break;
    n += (size_t)got;
    if (cap - n < 2) {
      char *nb = cap > ((size_t)-1) / 2 ? NULL : realloc(b, cap * 2);
      if (!nb) free(b);
      b = nb;
      cap *= 2;
    }
  }
  b[n] = 0;
  *len = n;
  return b;
}

/* Why a value written YYYY-MM-DD is not a date, into why (empty when the
** value is not in that form): no such month, or no such day in its month. */
static void date_why(const char *v, char *why, size_t cap) {
  static const char *months[] = {"January", "February", "March", "April", "May", "June", "July",
                                 "August", "September", "October", "November", "December"};
  why[0] = 0;
  for (int k = 0; k < 10; k++)
    if (k == 4 || k == 7 ? v[k] != '-' : !(v[k] >= '0' && v[k] <= '9')) return;
  if (v[10]) return;
  int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
  if (m < 1 || m > 12) {
    snprintf(why, cap, ": there is no month %02d (months run 01 to 12)", m);
    return;
  }
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int last = mdays[m - 1] + (m == 2 && leap);
  if (d < 1 || d > last)
    snprintf(why, cap, ": %s %d has %d days, so there is no day %02d", months[m - 1], y, last, d);
}

/* A date option's value: 1, or -1 after the usage error. */
static int date_opt(const cli_opts *o, const char *name, const char *v, const char **out) {
  int d;
  if (!vg_parse_date(v, &d)) {
    char fmt[64], why[128];
    date_why(v, why, sizeof why);
    if (why[0]) {
      char msg[256];
      snprintf(msg, sizeof msg, "%s '%s' is not a calendar date%s", name, v, why);
      usage_error(o->usage, "%s", msg);
    } else {
      snprintf(fmt, sizeof fmt, "%s needs a date YYYY-MM-DD, not '%%s'", name);
      usage_error(o->usage, fmt, v);
    }
    return -1;
  }
  *out = v;
  return 1;
}

/* A file option's value: 1, or -1 after the usage error when it is missing. */
static int file_opt(const cli_opts *o, const char *name, const char *v, const char **out) {
  if (!*v) {
    usage_error(o->usage, "%s needs a file", name);
    return -1;
  }
  *out = v;
  return 1;
}

/* 1 when a PostgreSQL --db carries a password: postgresql://USER:PASSWORD@...,
** or a password= keyword or URI parameter. */
static int has_password(const char *db) {
  if (!vg_db_is_postgres(db)) return 0;
  if (strstr(db, "password=")) return 1;
  const char *p = strstr(db, "://");
  if (!p) return 0;
  p += 3;
  size_t host = strcspn(p, "/?");
  const char *at = memchr(p, '@', host);
  return at && memchr(p, ':', (size_t)(at - p)) != NULL;
}

int cli_opt(cli_opts *o, int argc, char **argv, int *i) {
  const char *v, *a = argv[*i];
  if ((o->accept & CLI_DB) && (v = opt_value(argc, argv, i, "--db"))) {
    /* a command line shows in ps, in shell history and in every message
    ** that names the database: the password goes where libpq reads it */
    if (has_password(v)) {
      usage_error(o->usage, "%s", "--db: no password on the command line (ps and the messages would show it); "
                                  "put it in ~/.pgpass or PGPASSFILE, or PGPASSWORD");
      return -1;
    }
    return file_opt(o, "--db", v, &o->db);
  }
  if ((o->accept & CLI_SCHEMA) && (v = opt_value(argc, argv, i, "--schema"))) return file_opt(o, "--schema", v, &o->schema);
  if ((o->accept & CLI_AS_OF) && (v = opt_value(argc, argv, i, "--as-of"))) return date_opt(o, "--as-of", v, &o->as_of);
  if ((o->accept & CLI_RANGE) && (v = opt_value(argc, argv, i, "--from"))) return date_opt(o, "--from", v, &o->from);
  if ((o->accept & CLI_RANGE) && (v = opt_value(argc, argv, i, "--to"))) return date_opt(o, "--to", v, &o->to);
  if ((o->accept & CLI_RANGE) && (v = opt_value(argc, argv, i, "--every"))) {
    char *end;
    long n = strtol(v, &end, 10);
    while (*end == ' ') end++;
    long mult = strcmp(end, "day") == 0 || strcmp(end, "days") == 0 ? 1
              : strcmp(end, "week") == 0 || strcmp(end, "weeks") == 0 ? 7 : 0;
    if (end == v || n < 1 || n > 3660 || mult == 0) {
      usage_error(o->usage, "--every needs a duration such as 1day or 2weeks, not '%s'", v);
      return -1;
    }
    o->every_days = (int)(n * mult);
    return 1;
  }
  if ((o->accept & CLI_RANGE) && strcmp(a, "--at-snapshots") == 0) {
    o->at_snapshots = 1;
    return 1;
  }
  if ((o->accept & CLI_SET) && (v = opt_value(argc, argv, i, "--set"))) {
    if (!strchr(v, '=') || v[0] == '=') {
      usage_error(o->usage, "--set needs NAME=VALUE, not '%s'", v);
      return -1;
    }
    if (o->nsets == 256) {
      usage_error(o->usage, "%s", "at most 256 --set options");
      return -1;
    }
    o->sets[o->nsets++] = v;
    return 1;
  }
  if ((o->accept & CLI_FOLLOW) && strcmp(a, "--follow-symlinks") == 0) {
    o->follow = 1;
    return 1;
  }
  if ((o->accept & CLI_PATHS) && !(a[0] == '-' && a[1])) {
    if (o->npaths == 256) {
      usage_error(o->usage, "%s", "at most 256 PATHs");
      return -1;
    }
    o->paths[o->npaths++] = a;
    return 1;
  }
  return 0;
}

int cli_need_db(const cli_opts *o) {
  return o->db ? 0 : usage_error(o->usage, "%s", "--db FILE is required");
}

int cli_need_range(const cli_opts *o) {
  if (!o->from || !o->to) return usage_error(o->usage, "%s", "--from and --to are required");
  if (o->every_days && o->at_snapshots) return usage_error(o->usage, "%s", "give --every or --at-snapshots, not both");
  return 0;
}

int cli_compile(const cli_opts *o, const vg_compile_opts *co, vg_program **progs, int *n) {
  int rc = 0;
  *n = 0;
  for (int i = 0; i < o->npaths; i++) {
    vg_program *p = NULL;
    vg_status st = vg_compile_path(o->paths[i], co, &p);
    if (st != VG_OK) { rc = out_status(st); continue; }
    progs[(*n)++] = p;
  }
  return rc;
}

int cli_params(vg_program *const *progs, int n, const char *const *sets, int nsets, vg_params **out) {
  *out = NULL;
  if (nsets == 0) return 0;
  vg_params *ps = vg_params_new();
  if (!ps) out_of_memory();
  int rc = 0;
  /* each --set applies to every pack that declares the param; a name no pack
  ** declares is a command-line error */
  for (int k = 0; k < nsets && rc == 0; k++) {
    /* the whole name, however long: a cut name could match another param */
    const char *eq = strchr(sets[k], '=');
    char *name = strndup(sets[k], (size_t)(eq - sets[k]));
    if (!name) out_of_memory();
    int applied = 0;
    char unknown[512] = "";
    for (int i = 0; i < n && rc == 0; i++) {
      char err[512];
      vg_status st = vg_params_set(ps, progs[i], name, eq + 1, err, sizeof err);
      if (st == VG_OK) {
        applied++;
        if (err[0]) out_printf(stderr, "vigil: warning: --set %s: %s [W-fraction]\n", sets[k], err); /* 20 for 20% */
      }
      else if (st == VG_ENOPARAM) { if (!unknown[0]) snprintf(unknown, sizeof unknown, "%s", err); }
      else if (st == VG_ENOMEM) out_of_memory();
      else { out_printf(stderr, "vigil: --set %s: %s\n", sets[k], err); rc = EXIT_USAGE; }
    }
    if (!applied && rc == 0) {
      if (n == 1) out_printf(stderr, "vigil: --set %s: %s\n", sets[k], unknown);
      else out_printf(stderr, "vigil: --set %s: no pack has a param '%s'\n", sets[k], name);
      rc = EXIT_USAGE;
    }
    free(name);
  }
  if (rc) vg_params_free(ps);
  else *out = ps;
  return rc;
}

int cli_parse_shard(const char *v, int *i, int *n) {
  char *end;
  if (*v < '0' || *v > '9') return -1;
  long a = strtol(v, &end, 10);
  if (*end != '/' || end[1] < '0' || end[1] > '9') return -1;
  long b = strtol(end + 1, &end, 10);
  if (*end || a < 1 || a > b || b > 1024) return -1;
  *i = (int)a;
  *n = (int)b;
  return 0;
}
