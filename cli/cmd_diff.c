/*
** cmd_diff.c — `vigil diff OLD NEW`: what a change to a rule pack does.
**
** Backtests two versions of a pack over the same period (vg_backtest, one
** pass per source each) and compares their alerts by rule name, key and
** date (vg_match_alerts, tools/match.c): the alerts the change adds,
** removes, or moves to another tier.
** Reported per rule and tier (text, a Markdown comment for a pull request,
** or JSON lines) and, with --details, alert by alert.
**
** OLD and NEW are paths, or git:REV:PATH, which is extracted from the
** repository (the whole folder for a pack folder) into a temporary folder
** that is removed afterwards.
*/
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "out.h"

extern char **environ;

static const char *const usage_diff =
  "usage: vigil diff OLD NEW --db FILE --from DATE --to DATE [--every DURATION | --at-snapshots]\n"
  "                  [--details] [--format text|markdown|jsonl] [--quiet] [--follow-symlinks]\n"
  "\n"
  "Backtest two versions of a pack over the same dates and report the alerts the\n"
  "change adds, removes or moves to another tier, per rule and tier.  Alerts are\n"
  "matched by rule name, key and date (the pack's name may differ).\n"
  "\n"
  "  OLD, NEW           a pack folder or .rules file (or .vgc), or git:REV:PATH for\n"
  "                     PATH as of the git revision REV (e.g. git:HEAD:examples/saas)\n"
  "  --db FILE          the SQLite database with the snapshot tables (read only)\n"
  "  --from, --to DATE  the period, both included\n"
  "  --every DURATION   evaluate every DURATION from --from (default 1 day)\n"
  "  --at-snapshots     evaluate at each date the rules' tables have rows for\n"
  "  --details          also list every changed alert (rule, key, date)\n"
  "  --format FORMAT    text (default), markdown (a pull-request comment), jsonl\n"
  "  --quiet            no progress line and no rows-read lines on stderr, as for run\n"
  "  --follow-symlinks  read source files that are symbolic links (refused by default;\n"
  "                     a git:REV:PATH version never has them)\n"
  "exit status: 0 success (whether or not anything changed), 1 errors in a pack or a\n"
  "failed backtest, 2 bad command line, 130 interrupted (SIGINT or SIGTERM)\n";

enum { DF_TEXT, DF_MARKDOWN, DF_JSONL };

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) out_of_memory();
  return q;
}

static char *xstrdup(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d) out_of_memory();
  return d;
}

/* A NUL-terminated copy of p[0..n) (which may hold NUL bytes). */
static char *xdupbytes(const char *p, size_t n) {
  char *d = xrealloc(NULL, n + 1);
  if (n) memcpy(d, p, n);
  d[n] = 0;
  return d;
}

/* ---- getting a version: a path, or git:REV:PATH ------------------------------------ */

typedef struct version {
  const char *spec;   /* as given */
  char *path;         /* what to compile */
  char *extracted;    /* git: the folder or file extracted (NULL for a plain path) */
  char *rel;          /* git: PATH relative to the repository's top */
  char *rev;          /* git: REV */
} version;

/* Runs argv (found on PATH) with standard output into out_path (or
** inherited when NULL).  Returns its exit status, or -1 when it could not
** run or was killed. */
static int run_prog(char *const argv[], const char *out_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (out_path) posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid;
  int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err) {
    fprintf(stderr, "vigil: cannot run %s: %s\n", argv[0], strerror(err));
    return -1;
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The first line of a file (its trailing newline dropped), or NULL. */
static char *first_line(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char buf[4096];
  char *r = NULL;
  if (fgets(buf, sizeof buf, f)) {
    buf[strcspn(buf, "\r\n")] = 0;
    r = xstrdup(buf);
  } else {
    r = xstrdup("");
  }
  fclose(f);
  return r;
}

/* Runs a git command and returns the first line of its output, or NULL when
** it failed (git printed why). */
static char *git_line(char *const argv[], const char *tmp) {
  char out[4200];
  snprintf(out, sizeof out, "%s/.git-out", tmp);
  int st = run_prog(argv, out);
  char *line = st == 0 ? first_line(out) : NULL;
  unlink(out);
  return line;
}

/* PATH relative to the repository's top: prefix (the current folder's, with
** a trailing '/', or "") joined with path, "." and ".." resolved.  An
** absolute path must lie inside top.  NULL when it leaves the repository. */
static char *repo_relative(const char *top, const char *prefix, const char *path) {
  size_t tl = strlen(top);
  char *joined;
  if (path[0] == '/') {
    if (strncmp(path, top, tl) != 0 || (path[tl] != '/' && path[tl] != 0)) return NULL;
    joined = xstrdup(path + tl);
  } else {
    joined = xrealloc(NULL, strlen(prefix) + strlen(path) + 2);
    sprintf(joined, "%s/%s", prefix, path);
  }
  /* resolve components into out */
  char *out = xrealloc(NULL, strlen(joined) + 1);
  size_t ol = 0;
  char *save = NULL;
  for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    if (strcmp(c, ".") == 0) continue;
    if (strcmp(c, "..") == 0) {
      if (ol == 0) { free(joined); free(out); return NULL; }
      while (ol > 0 && out[ol - 1] != '/') ol--;
      if (ol > 0) ol--; /* the '/' */
      continue;
    }
    if (ol) out[ol++] = '/';
    size_t cl = strlen(c);
    memcpy(out + ol, c, cl);
    ol += cl;
  }
  out[ol] = 0;
  free(joined);
  return out;
}

/* The first symbolic link (mode 120000) under object REV:PATH, as `git
** ls-tree -r` lists it (a path from the top), or NULL when there is none;
** "" when the listing failed.  A revision is someone's pull request: a link
** in it could point a pack member at any file of this machine, so a
** version from git is never read through one (whatever --follow-symlinks
** says). */
static char *git_symlink(const char *top, const char *rev, const char *rel, const char *tmp) {
  char out[4200];
  snprintf(out, sizeof out, "%s/.git-tree", tmp);
  char *argv[] = {"git", "-C", (char *)top, "ls-tree", "-r", (char *)rev, "--", (char *)(*rel ? rel : "."), NULL};
  char *found = NULL;
  if (run_prog(argv, out) != 0) found = xstrdup("");
  FILE *f = found ? NULL : fopen(out, "rb");
  if (!found && !f) found = xstrdup("");
  char line[8192];
  while (f && !found && fgets(line, sizeof line, f)) {
    char *tab = strchr(line, '\t');
    if (strncmp(line, "120000 ", 7) != 0 || !tab) continue;
    tab[1 + strcspn(tab + 1, "\r\n")] = 0;
    found = xstrdup(tab + 1);
  }
  if (f) fclose(f);
  unlink(out);
  return found;
}

/* nftw callback: stops at the first entry that is neither a folder nor a
** regular file (a link tar made, whatever git listed). */
static int not_plain(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)p; (void)ftw;
  return flag == FTW_SL || flag == FTW_SLN || (flag == FTW_F && !S_ISREG(sb->st_mode));
}

/* Extracts git:REV:PATH into tmp/side.  Returns 0, or EXIT_INPUT /
** EXIT_USAGE after printing why. */
static int extract_git(version *v, const char *tmp, const char *side) {
  const char *rest = v->spec + 4;
  const char *colon = strchr(rest, ':');
  if (!colon || colon == rest || !colon[1]) {
    fprintf(stderr, "vigil: diff: '%s': expected git:REV:PATH, e.g. git:HEAD:examples/saas\n", v->spec);
    return EXIT_USAGE;
  }
  v->rev = xrealloc(NULL, (size_t)(colon - rest) + 1);
  memcpy(v->rev, rest, (size_t)(colon - rest));
  v->rev[colon - rest] = 0;
  char *top_argv[] = {"git", "rev-parse", "--show-toplevel", NULL};
  char *pre_argv[] = {"git", "rev-parse", "--show-prefix", NULL};
  char *top = git_line(top_argv, tmp);
  char *prefix = top ? git_line(pre_argv, tmp) : NULL;
  if (!top || !prefix) {
    fprintf(stderr, "vigil: diff: '%s': not inside a git repository\n", v->spec);
    free(top);
    free(prefix);
    return EXIT_INPUT;
  }
  v->rel = repo_relative(top, prefix, colon + 1);
  free(prefix);
  if (!v->rel) {
    fprintf(stderr, "vigil: diff: '%s': the path is outside the repository\n", v->spec);
    free(top);
    return EXIT_INPUT;
  }
  size_t ol = strlen(v->rev) + strlen(v->rel) + 2;
  char *object = xrealloc(NULL, ol);
  snprintf(object, ol, "%s:%s", v->rev, v->rel);
  char *type_argv[] = {"git", "cat-file", "-t", object, NULL};
  char *type = git_line(type_argv, tmp);
  int rc = 0;
  const char *base = strrchr(v->rel, '/') ? strrchr(v->rel, '/') + 1 : v->rel;
  if (!*base) base = "pack";
  size_t pl = strlen(tmp) + strlen(side) + strlen(base) + 3;
  v->extracted = xrealloc(NULL, pl);
  char sidedir[4200], tar[4200];
  snprintf(sidedir, sizeof sidedir, "%s/%s", tmp, side);
  snprintf(v->extracted, pl, "%s/%s/%s", tmp, side, base);
  char *link = type ? git_symlink(top, v->rev, v->rel, tmp) : NULL;
  if (!type) {
    fprintf(stderr, "vigil: diff: '%s': no such path at revision %s\n", v->spec, v->rev);
    rc = EXIT_INPUT;
  } else if (link) {
    if (*link)
      fprintf(stderr, "vigil: diff: '%s': %s is a symbolic link at revision %s; a version from git is read without links\n",
              v->spec, link, v->rev);
    else
      fprintf(stderr, "vigil: diff: '%s': cannot list the files at revision %s\n", v->spec, v->rev);
    rc = EXIT_INPUT;
  } else if (mkdir(sidedir, 0700) != 0) {
    fprintf(stderr, "vigil: diff: %s: %s\n", sidedir, strerror(errno));
    rc = EXIT_INPUT;
  } else if (strcmp(type, "tree") == 0) {
    /* a pack folder, whole: its .rules, schema.sql and tests */
    snprintf(tar, sizeof tar, "%s/%s.tar", tmp, side);
    char *archive_argv[] = {"git", "-C", top, "archive", "--format=tar", "-o", tar, object, NULL}; /* from the top: */
    /* (git archive refuses REV:PATH from a subfolder) */
    char *tar_argv[] = {"tar", "-xf", tar, "-C", v->extracted, NULL};
    if (mkdir(v->extracted, 0700) != 0 || run_prog(archive_argv, NULL) != 0 || run_prog(tar_argv, NULL) != 0) {
      fprintf(stderr, "vigil: diff: '%s': extracting the folder failed\n", v->spec);
      rc = EXIT_INPUT;
    } else if (nftw(v->extracted, not_plain, 16, FTW_PHYS) != 0) {
      fprintf(stderr, "vigil: diff: '%s': the folder at revision %s holds a symbolic link or a special file; a version "
              "from git is read without them\n", v->spec, v->rev);
      rc = EXIT_INPUT;
    }
    unlink(tar);
  } else if (strcmp(type, "blob") == 0) {
    char *show_argv[] = {"git", "cat-file", "blob", object, NULL};
    if (run_prog(show_argv, v->extracted) != 0) {
      fprintf(stderr, "vigil: diff: '%s': extracting the file failed\n", v->spec);
      rc = EXIT_INPUT;
    }
  } else {
    fprintf(stderr, "vigil: diff: '%s': not a file or folder at revision %s\n", v->spec, v->rev);
    rc = EXIT_INPUT;
  }
  free(link);
  free(type);
  free(object);
  free(top);
  if (rc == 0) v->path = xstrdup(v->extracted);
  return rc;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb; (void)flag; (void)ftw;
  remove(p);
  return 0;
}

static void remove_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* ---- diagnostics: git paths shown as given, repeats of NEW's data warnings dropped ------ */

typedef struct diff_diag {
  diag_sink sink;
  const version *v;          /* the version being compiled or run */
  char **seen; size_t nseen; /* warning messages already shown (OLD's) */
  int dedupe;                /* drop warnings seen before (while running NEW) */
} diff_diag;

static void on_diff_diag(void *ud, const vg_diag *d) {
  diff_diag *dd = ud;
  vg_diag copy = *d;
  char *file = NULL;
  const version *v = dd->v;
  if (v && v->extracted && d->file) {
    size_t el = strlen(v->extracted);
    if (strncmp(d->file, v->extracted, el) == 0) {
      size_t fl = strlen(v->rev) + strlen(v->rel) + strlen(d->file + el) + 8;
      file = xrealloc(NULL, fl);
      snprintf(file, fl, "git:%s:%s%s", v->rev, v->rel, d->file + el);
      copy.file = file;
    }
  }
  if (d->severity == VG_WARNING) {
    for (size_t i = 0; i < dd->nseen; i++)
      if (strcmp(dd->seen[i], d->message) == 0) {
        if (dd->dedupe) { free(file); return; }
        break;
      }
    dd->seen = xrealloc(dd->seen, (dd->nseen + 1) * sizeof *dd->seen);
    dd->seen[dd->nseen++] = xstrdup(d->message);
  }
  on_diag(&dd->sink, &copy);
  free(file);
}

/* ---- the alerts of one version ----------------------------------------------------------- */

typedef struct d_alert {
  char *rule, *tier, *key, *as_of;
  size_t key_len;   /* the key's bytes (it may hold NUL bytes) */
} d_alert;

typedef struct d_alerts {
  d_alert *v;
  size_t n, cap;
  long long rows_read;
} d_alerts;

static int collect(void *ud, const vg_alert *a) {
  d_alerts *s = ud;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 1024;
    s->v = xrealloc(s->v, s->cap * sizeof *s->v);
  }
  d_alert *d = &s->v[s->n++];
  d->rule = xstrdup(a->rule);
  d->tier = xstrdup(a->tier);
  d->key = xdupbytes(a->key, a->key_len);
  d->key_len = a->key_len;
  d->as_of = xstrdup(a->as_of);
  return 0;
}

static int collect_summary(void *ud, const vg_run_summary *sm) {
  d_alerts *s = ud;
  s->rows_read += sm->rows_read;
  return 0;
}

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an > bn) - (an < bn);
}

/* The rules in report order: NEW's in declaration order, then those only OLD has. */
typedef struct names {
  const char **v;
  int n;
} names;

static void names_add(names *ns, const char *s) {
  for (int i = 0; i < ns->n; i++)
    if (strcmp(ns->v[i], s) == 0) return;
  ns->v = xrealloc(ns->v, (size_t)(ns->n + 1) * sizeof *ns->v);
  ns->v[ns->n++] = s;
}

static int names_index(const names *ns, const char *s) {
  for (int i = 0; i < ns->n; i++)
    if (strcmp(ns->v[i], s) == 0) return i;
  return -1;
}

/* One (rule, key, date) that either version alerted, with each one's tier. */
typedef struct change {
  const char *rule, *key, *as_of;
  size_t key_len;
  const char *old_tier, *new_tier; /* NULL: no alert */
} change;

enum { CH_ADDED, CH_REMOVED, CH_MOVED, CH_SAME };

static int change_kind(const change *c) {
  if (!c->old_tier) return CH_ADDED;
  if (!c->new_tier) return CH_REMOVED;
  return strcmp(c->old_tier, c->new_tier) ? CH_MOVED : CH_SAME;
}

/* Per rule and tier. */
typedef struct tier_count {
  long before, after, added, removed, moved_in, moved_out;
} tier_count;

/* ---- rendering ------------------------------------------------------------------- */

static const char *const kind_word[] = {"added", "removed", "moved", "same"};

/* Markdown table cell text p[0..n): written by the terminal rule first
** (control characters, line breaks and bytes that are not UTF-8 as visible
** escapes), then '|' and '`' escaped and < > as entities. */
static void md_text_n(diag_sink *s, const char *p, size_t n) {
  diag_sink t;
  memset(&t, 0, sizeof t);
  out_term(&t, p, n);
  for (size_t i = 0; i < t.len; i++) {
    char ch = t.buf[i];
    if (ch == '|') sink_str(s, "\\|");
    else if (ch == '`') sink_str(s, "\\`");
    else if (ch == '<') sink_str(s, "&lt;");
    else if (ch == '>') sink_str(s, "&gt;");
    else sink_put(s, &ch, 1);
  }
  free(t.buf);
}

static void md_text(diag_sink *s, const char *p) { md_text_n(s, p, strlen(p)); }

static void sinkf_long(diag_sink *s, const char *fmt, long v) {
  char buf[256];
  snprintf(buf, sizeof buf, fmt, v);
  sink_str(s, buf);
}

/* A signed change for Markdown: "+3", "−2" (a real minus), "0". */
static void md_delta(diag_sink *s, long v, int sign) {
  if (v == 0) { sink_str(s, "0"); return; }
  sink_str(s, sign > 0 ? "+" : "\xe2\x88\x92");
  sinkf_long(s, "%ld", v);
}

int cmd_diff(int argc, char **argv) {
  cli_opts o = {.accept = CLI_DB | CLI_RANGE | CLI_FOLLOW, .usage = usage_diff};
  const char *specs[2];
  int nspecs = 0, details = 0, format = DF_TEXT, quiet = 0;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_diff, stdout); return 0; }
    int r = cli_opt(&o, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if (strcmp(argv[i], "--details") == 0) {
      details = 1;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if ((v = opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0) format = DF_TEXT;
      else if (strcmp(v, "markdown") == 0 || strcmp(v, "md") == 0) format = DF_MARKDOWN;
      else if (strcmp(v, "jsonl") == 0) format = DF_JSONL;
      else return usage_error(usage_diff, "unknown format '%s' (text, markdown or jsonl)", v);
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error(usage_diff, "unknown option '%s'", argv[i]);
    } else {
      if (nspecs == 2) return usage_error(usage_diff, "%s", "diff takes two versions, OLD and NEW");
      specs[nspecs++] = argv[i];
    }
  }
  if (nspecs != 2) return usage_error(usage_diff, "%s", "give two versions of the pack, OLD and NEW");
  if (cli_need_db(&o) || cli_need_range(&o)) return EXIT_USAGE;
  vg_backtest_opts bo = {.db_path = o.db, .from = o.from, .to = o.to, .every_days = o.every_days,
                         .at_snapshots = o.at_snapshots};
  int from_day, to_day;
  vg_parse_date(bo.from, &from_day);
  vg_parse_date(bo.to, &to_day);
  if (from_day > to_day) return usage_error(usage_diff, "%s", "--from must be on or before --to");
  if (!vg_db_is_postgres(bo.db_path) && access(bo.db_path, F_OK) != 0) {
    fprintf(stderr, "vigil: %s: no such database\n", bo.db_path);
    return EXIT_INPUT;
  }

  version ver[2];
  memset(ver, 0, sizeof ver);
  char tmp[4096] = "";
  int rc = 0;
  for (int k = 0; k < 2 && rc == 0; k++) {
    ver[k].spec = specs[k];
    if (strncmp(specs[k], "git:", 4) != 0) {
      ver[k].path = xstrdup(specs[k]);
      continue;
    }
    if (!tmp[0]) {
      const char *t = getenv("TMPDIR");
      snprintf(tmp, sizeof tmp, "%s/vigil-diff-XXXXXX", t && *t ? t : "/tmp");
      if (!mkdtemp(tmp)) {
        fprintf(stderr, "vigil: diff: cannot make a temporary folder %s: %s\n", tmp, strerror(errno));
        tmp[0] = 0;
        rc = EXIT_INPUT;
        break;
      }
    }
    rc = extract_git(&ver[k], tmp, k == 0 ? "old" : "new");
  }

  diff_diag dd;
  memset(&dd, 0, sizeof dd);
  sink_begin(&dd.sink, FMT_TEXT);
  vg_program *prog[2] = {NULL, NULL};
  d_alerts al[2];
  memset(al, 0, sizeof al);
  for (int k = 0; k < 2 && rc == 0; k++) {
    dd.v = &ver[k];
    vg_compile_opts co = {.db_path = bo.db_path, .diag = on_diff_diag, .ud = &dd, .follow_symlinks = o.follow};
    vg_status st = vg_compile_path(ver[k].path, &co, &prog[k]);
    if (st != VG_OK) rc = out_status(st);
  }
  /* the programs are in memory: the extracted files are no longer needed */
  if (tmp[0]) remove_tree(tmp);
  tmp[0] = 0;
  for (int k = 0; k < 2 && rc == 0; k++) {
    dd.v = &ver[k];
    dd.dedupe = k == 1;
    bo.diag = on_diff_diag;
    bo.ud = &dd;
    bo.alert = collect;
    bo.summary = collect_summary;
    bo.out_ud = &al[k];
    bo.progress = cli_poll;
    cli_interrupt_begin();
    cli_progress_begin(k == 0 ? "diff: old" : "diff: new", quiet);
    vg_status st = vg_backtest((const vg_program *const *)&prog[k], 1, &bo);
    rc = cli_interrupt_status(st, out_status(st));
    if (rc == 0 && !quiet)
      out_printf(stderr, "vigil: %s %s (pack %s): %lld rows read, %zu alerts over the period\n", k == 0 ? "old" : "new",
              specs[k], vg_program_pack(prog[k]), al[k].rows_read, al[k].n);
  }

  if (rc == 0) {
    /* the rules and tiers in report order: NEW's, then those only OLD has */
    names rules = {NULL, 0}, tiers = {NULL, 0};
    for (int k = 1; k >= 0; k--) {
      for (int r = 0; r < vg_program_rule_count(prog[k]); r++) names_add(&rules, vg_program_rule_name(prog[k], r));
      for (int t = 0; t < vg_program_tier_count(prog[k]); t++) names_add(&tiers, vg_program_tier_name(prog[k], t));
    }
    /* matched by rule, key and date (vg_match_alerts), in report order */
    vg_dated_alert *da[2];
    for (int k = 0; k < 2; k++) {
      da[k] = xrealloc(NULL, al[k].n * sizeof *da[k]);
      for (size_t x = 0; x < al[k].n; x++) {
        const d_alert *a = &al[k].v[x];
        int day = 0;
        vg_parse_date(a->as_of, &day);
        da[k][x] = (vg_dated_alert){.rule = a->rule, .tier = a->tier, .key = a->key, .key_len = a->key_len, .day = day};
      }
    }
    vg_alert_pair *pairs = NULL;
    size_t nch = 0;
    /* (every alert's rule is in rules, the union of both versions': only
    ** memory can fail) */
    if (vg_match_alerts(da[0], al[0].n, da[1], al[1].n, rules.v, rules.n, &pairs, &nch) != VG_OK) out_of_memory();
    change *ch = xrealloc(NULL, nch * sizeof *ch);
    for (size_t x = 0; x < nch; x++) {
      const d_alert *a = pairs[x].old_i >= 0 ? &al[0].v[pairs[x].old_i] : &al[1].v[pairs[x].new_i];
      ch[x] = (change){.rule = a->rule, .key = a->key, .key_len = a->key_len, .as_of = a->as_of,
                       .old_tier = pairs[x].old_i >= 0 ? al[0].v[pairs[x].old_i].tier : NULL,
                       .new_tier = pairs[x].new_i >= 0 ? al[1].v[pairs[x].new_i].tier : NULL};
    }
    vg_free(pairs);
    free(da[0]);
    free(da[1]);
    /* counts per rule and tier */
    size_t nt = (size_t)tiers.n;
    tier_count *tc = xrealloc(NULL, (size_t)rules.n * nt * sizeof *tc);
    memset(tc, 0, (size_t)rules.n * nt * sizeof *tc);
    long total[4] = {0, 0, 0, 0}, before = 0, after = 0;
    for (size_t x = 0; x < nch; x++) {
      const change *c = &ch[x];
      int r = names_index(&rules, c->rule);
      int to = c->old_tier ? names_index(&tiers, c->old_tier) : -1;
      int tn = c->new_tier ? names_index(&tiers, c->new_tier) : -1;
      tier_count *row = &tc[(size_t)r * nt];
      int kind = change_kind(c);
      total[kind]++;
      if (to >= 0) { row[to].before++; before++; }
      if (tn >= 0) { row[tn].after++; after++; }
      if (kind == CH_ADDED) row[tn].added++;
      else if (kind == CH_REMOVED) row[to].removed++;
      else if (kind == CH_MOVED) { row[tn].moved_in++; row[to].moved_out++; }
    }
    /* which rules changed; keys touched per rule */
    int *changed = xrealloc(NULL, (size_t)rules.n * sizeof *changed);
    long *keys = xrealloc(NULL, (size_t)rules.n * sizeof *keys);
    memset(changed, 0, (size_t)rules.n * sizeof *changed);
    memset(keys, 0, (size_t)rules.n * sizeof *keys);
    long all_keys = 0;
    const change *prev = NULL; /* the last change seen: ch is ordered by rule, key, date */
    for (size_t x = 0; x < nch; x++) {
      if (change_kind(&ch[x]) == CH_SAME) continue;
      int r = names_index(&rules, ch[x].rule);
      changed[r] = 1;
      if (!prev || strcmp(prev->rule, ch[x].rule) != 0 || cmp_bytes(prev->key, prev->key_len, ch[x].key, ch[x].key_len) != 0) {
        keys[r]++;
        all_keys++;
      }
      prev = &ch[x];
    }
    int nchanged = 0;
    for (int r = 0; r < rules.n; r++) nchanged += changed[r];
    int *in_old = xrealloc(NULL, (size_t)rules.n * sizeof *in_old); /* is the rule in each version */
    int *in_new = xrealloc(NULL, (size_t)rules.n * sizeof *in_new);
    for (int r = 0; r < rules.n; r++) {
      in_old[r] = in_new[r] = 0;
      for (int q = 0; q < vg_program_rule_count(prog[0]); q++) in_old[r] |= strcmp(vg_program_rule_name(prog[0], q), rules.v[r]) == 0;
      for (int q = 0; q < vg_program_rule_count(prog[1]); q++) in_new[r] |= strcmp(vg_program_rule_name(prog[1], q), rules.v[r]) == 0;
    }
    char dates[128];
    if (bo.at_snapshots) snprintf(dates, sizeof dates, "at each snapshot date");
    else {
      int step = bo.every_days ? bo.every_days : 1;
      int nd = (to_day - from_day) / step + 1;
      if (step == 1) snprintf(dates, sizeof dates, "every day (%d dates)", nd);
      else snprintf(dates, sizeof dates, "every %d days (%d dates)", step, nd);
    }

    diag_sink s;
    memset(&s, 0, sizeof s);
    if (format == DF_TEXT) {
      out_printf(stdout, "vigil diff: %s -> %s\n", specs[0], specs[1]);
      out_printf(stdout, "backtest on %s, %s to %s, %s\n", bo.db_path, bo.from, bo.to, dates);
      out_printf(stdout, "%ld alerts before, %ld after: %ld added, %ld removed, %ld moved to another tier (%ld key%s, %d rule%s)\n",
             before, after, total[CH_ADDED], total[CH_REMOVED], total[CH_MOVED], all_keys, all_keys == 1 ? "" : "s",
             nchanged, nchanged == 1 ? "" : "s");
      for (int r = 0; r < rules.n; r++) {
        if (!changed[r]) continue;
        long ra = 0, rr = 0, rm = 0;
        for (size_t t = 0; t < nt; t++) {
          ra += tc[(size_t)r * nt + t].added;
          rr += tc[(size_t)r * nt + t].removed;
          rm += tc[(size_t)r * nt + t].moved_in;
        }
        out_printf(stdout, "\n%s%s: %ld added, %ld removed, %ld moved (%ld key%s)\n", rules.v[r],
               !in_old[r] ? " (new rule)" : !in_new[r] ? " (rule removed)" : "", ra, rr, rm,
               keys[r], keys[r] == 1 ? "" : "s");
        out_printf(stdout, "  %-8s %7s %7s %7s %7s %9s %9s\n", "tier", "before", "after", "added", "removed", "moved in", "moved out");
        for (size_t t = 0; t < nt; t++) {
          const tier_count *c = &tc[(size_t)r * nt + t];
          if (!c->before && !c->after) continue;
          out_printf(stdout, "  %-8s %7ld %7ld %7ld %7ld %9ld %9ld\n", tiers.v[t], c->before, c->after, c->added, c->removed,
                 c->moved_in, c->moved_out);
        }
        if (details)
          for (size_t x = 0; x < nch; x++) {
            const change *c = &ch[x];
            int kind = change_kind(c);
            if (kind == CH_SAME || strcmp(c->rule, rules.v[r]) != 0) continue;
            int kl = (int)c->key_len;
            if (kind == CH_ADDED) out_printf(stdout, "  + %s  key %.*s  %s\n", c->as_of, kl, c->key, c->new_tier);
            else if (kind == CH_REMOVED) out_printf(stdout, "  - %s  key %.*s  %s\n", c->as_of, kl, c->key, c->old_tier);
            else out_printf(stdout, "  ~ %s  key %.*s  %s -> %s\n", c->as_of, kl, c->key, c->old_tier, c->new_tier);
          }
      }
      int first = 1;
      for (int r = 0; r < rules.n; r++) {
        if (changed[r]) continue;
        out_printf(stdout, first ? "\nunchanged: %s" : ", %s", rules.v[r]);
        first = 0;
      }
      if (!first) out_printf(stdout, "\n");
    } else if (format == DF_MARKDOWN) {
      sink_str(&s, "### Vigil: what this rule change does\n\n");
      sink_str(&s, "`"); md_text(&s, specs[0]); sink_str(&s, "` \xe2\x86\x92 `"); md_text(&s, specs[1]);
      sink_str(&s, "`, backtested on `"); md_text(&s, bo.db_path); sink_str(&s, "` from ");
      sink_str(&s, bo.from); sink_str(&s, " to "); sink_str(&s, bo.to); sink_str(&s, ", "); sink_str(&s, dates);
      sink_str(&s, ".\n\n");
      if (!nchanged) {
        sink_str(&s, "**No alert changes.**");
        sinkf_long(&s, " Both versions raise the same %ld alerts.\n\n", before);
      } else {
        sink_str(&s, "**");
        sinkf_long(&s, "%ld added, ", total[CH_ADDED]);
        sinkf_long(&s, "%ld removed, ", total[CH_REMOVED]);
        sinkf_long(&s, "%ld moved to another tier**", total[CH_MOVED]);
        sinkf_long(&s, " on %ld key", all_keys);
        sink_str(&s, all_keys == 1 ? "" : "s");
        sinkf_long(&s, " (%ld alerts before, ", before);
        sinkf_long(&s, "%ld after).\n\n", after);
        sink_str(&s, "| rule | tier | before | after | added | removed | moved in | moved out |\n");
        sink_str(&s, "|---|---|--:|--:|--:|--:|--:|--:|\n");
        for (int r = 0; r < rules.n; r++) {
          if (!changed[r]) continue;
          int firstrow = 1;
          for (size_t t = 0; t < nt; t++) {
            const tier_count *c = &tc[(size_t)r * nt + t];
            if (!c->before && !c->after) continue;
            sink_str(&s, "| ");
            if (firstrow) {
              sink_str(&s, "`"); md_text(&s, rules.v[r]); sink_str(&s, "`");
              if (!in_old[r]) sink_str(&s, " (new)");
              if (!in_new[r]) sink_str(&s, " (removed)");
            }
            firstrow = 0;
            sink_str(&s, " | "); md_text(&s, tiers.v[t]);
            sinkf_long(&s, " | %ld", c->before);
            sinkf_long(&s, " | %ld | ", c->after);
            md_delta(&s, c->added, 1); sink_str(&s, " | ");
            md_delta(&s, c->removed, -1); sink_str(&s, " | ");
            md_delta(&s, c->moved_in, 1); sink_str(&s, " | ");
            md_delta(&s, c->moved_out, -1); sink_str(&s, " |\n");
          }
        }
        sink_str(&s, "\n");
      }
      int first = 1;
      for (int r = 0; r < rules.n; r++) {
        if (changed[r]) continue;
        sink_str(&s, first ? "Unchanged: `" : ", `");
        md_text(&s, rules.v[r]);
        sink_str(&s, "`");
        first = 0;
      }
      if (!first) sink_str(&s, ".\n");
      if (details && nchanged) {
        sink_str(&s, "\n<details>\n<summary>Changed alerts by rule and key (");
        sinkf_long(&s, "%ld", total[CH_ADDED] + total[CH_REMOVED] + total[CH_MOVED]);
        sink_str(&s, " alerts)</summary>\n\n");
        sink_str(&s, "| rule | key | change | tier | dates | first | last |\n|---|---|---|---|--:|---|---|\n");
        /* one row per rule, key, kind of change and tiers: how many dates, first and last */
        char *used = xrealloc(NULL, nch);
        memset(used, 0, nch);
        for (size_t x = 0; x < nch; x++) {
          const change *c = &ch[x];
          int kind = change_kind(c);
          if (used[x] || kind == CH_SAME) continue;
          size_t cnt = 1, last = x;
          for (size_t y = x + 1;
               y < nch && strcmp(ch[y].rule, c->rule) == 0 && cmp_bytes(ch[y].key, ch[y].key_len, c->key, c->key_len) == 0; y++) {
            const change *d = &ch[y];
            if (used[y] || change_kind(d) != kind) continue;
            if (c->old_tier && strcmp(c->old_tier, d->old_tier) != 0) continue;
            if (c->new_tier && strcmp(c->new_tier, d->new_tier) != 0) continue;
            used[y] = 1;
            cnt++;
            last = y;
          }
          sink_str(&s, "| `"); md_text(&s, c->rule); sink_str(&s, "` | "); md_text_n(&s, c->key, c->key_len);
          sink_str(&s, " | "); sink_str(&s, kind_word[kind]); sink_str(&s, " | ");
          if (kind == CH_ADDED) md_text(&s, c->new_tier);
          else if (kind == CH_REMOVED) md_text(&s, c->old_tier);
          else { md_text(&s, c->old_tier); sink_str(&s, " \xe2\x86\x92 "); md_text(&s, c->new_tier); }
          sinkf_long(&s, " | %ld | ", (long)cnt);
          sink_str(&s, c->as_of); sink_str(&s, " | "); sink_str(&s, ch[last].as_of); sink_str(&s, " |\n");
        }
        free(used);
        sink_str(&s, "\n</details>\n");
      }
      out_flush_sink(stdout, &s);
    } else {
      for (int r = 0; r < rules.n; r++)
        for (size_t t = 0; t < nt; t++) {
          const tier_count *c = &tc[(size_t)r * nt + t];
          if (!c->before && !c->after) continue;
          s.len = 0;
          sink_str(&s, "{\"type\":\"summary\",\"rule\":"); out_json_str(&s, rules.v[r]);
          sink_str(&s, ",\"tier\":"); out_json_str(&s, tiers.v[t]);
          sinkf_long(&s, ",\"before\":%ld", c->before);
          sinkf_long(&s, ",\"after\":%ld", c->after);
          sinkf_long(&s, ",\"added\":%ld", c->added);
          sinkf_long(&s, ",\"removed\":%ld", c->removed);
          sinkf_long(&s, ",\"moved_in\":%ld", c->moved_in);
          sinkf_long(&s, ",\"moved_out\":%ld}\n", c->moved_out);
          out_flush_sink(stdout, &s);
        }
      for (size_t x = 0; details && x < nch; x++) {
        const change *c = &ch[x];
        int kind = change_kind(c);
        if (kind == CH_SAME) continue;
        s.len = 0;
        sink_str(&s, "{\"type\":\"alert\",\"change\":\""); sink_str(&s, kind_word[kind]);
        sink_str(&s, "\",\"rule\":"); out_json_str(&s, c->rule);
        sink_str(&s, ",\"key\":"); out_json(&s, c->key, c->key_len);
        sink_str(&s, ",\"as_of\":"); out_json_str(&s, c->as_of);
        sink_str(&s, ",\"old_tier\":"); out_json_str(&s, c->old_tier);
        sink_str(&s, ",\"new_tier\":"); out_json_str(&s, c->new_tier);
        sink_str(&s, "}\n");
        out_flush_sink(stdout, &s);
      }
    }
    free(s.buf);
    free(in_old);
    free(in_new);
    free(changed);
    free(keys);
    free(tc);
    free(ch);
    free(rules.v);
    free(tiers.v);
  }

  for (int k = 0; k < 2; k++) {
    for (size_t i = 0; i < al[k].n; i++) {
      free(al[k].v[i].rule);
      free(al[k].v[i].tier);
      free(al[k].v[i].key);
      free(al[k].v[i].as_of);
    }
    free(al[k].v);
    vg_free_program(prog[k]);
    free(ver[k].path);
    free(ver[k].extracted);
    free(ver[k].rel);
    free(ver[k].rev);
  }
  for (size_t i = 0; i < dd.nseen; i++) free(dd.seen[i]);
  free(dd.seen);
  if (tmp[0]) remove_tree(tmp);
  return rc;
}
