/*
** cmd_fmt.c — `vigil fmt [--check] [--write] PATH...`: the canonical layout
** of .rules files (libvigil's vg_format; the style is in docs/LANGUAGE.md
** §15, "The canonical layout").
**
** A PATH is a .rules file, or a folder: its .rules files, then those of its
** subfolders (a pack's tests/, or every pack of examples/), in name order.  Without options the formatted text goes to stdout;
** --write rewrites the files that change (a temporary file renamed over the
** original); --check prints nothing for formatted files and, for each other
** one, its name and a unified diff (computed here: a line LCS), then exits 1.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "out.h"

static const char *const usage_fmt =
  "usage: vigil fmt [--check | --write] [--follow-symlinks] PATH...\n"
  "\n"
  "Format .rules files in the canonical layout: one statement per line, two\n"
  "spaces per block, single spaces around operators, comments kept where they\n"
  "are.  A PATH is a .rules file or a folder: its .rules files and those of its\n"
  "subfolders (a pack's tests/, or all the packs of a folder of packs).\n"
  "Files with syntax errors are reported and left alone.  A PATH of - formats\n"
  "standard input (named <stdin> in messages; not with --write).\n"
  "\n"
  "  (no option)   print the formatted text on stdout\n"
  "  --write       rewrite the files whose layout changes, in place\n"
  "  --check       print the name and a unified diff of each file that is not\n"
  "                formatted, and exit 1 if there is one; change nothing\n"
  "  --follow-symlinks  read .rules files that are symbolic links, and folders\n"
  "                that are (refused and skipped by default)\n"
  "exit status: 0 success, 1 syntax errors (or unformatted files with --check),\n"
  "2 bad command line\n";

/* ---- files --------------------------------------------------------------- */

typedef struct strv {
  char **v;
  size_t n, cap;
} strv;

static void strv_push(strv *s, char *p) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    char **nv = realloc(s->v, s->cap * sizeof *nv);
    if (!nv) out_of_memory();
    s->v = nv;
  }
  s->v[s->n++] = p;
}

static char *join(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  char *r = malloc(n + m + 2);
  if (!r) out_of_memory();
  memcpy(r, a, n);
  size_t k = n;
  if (n && a[n - 1] != '/') r[k++] = '/';
  memcpy(r + k, b, m + 1);
  return r;
}

static int has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Appends the .rules files under dir to out: its own (regular files, in
** name order), then those of its subfolders (in name order, recursively;
** names starting with '.' are skipped).  Without follow, a symbolic link
** named *.rules is listed (and refused when read) and other links are
** skipped.  Returns 0, or -1 when dir cannot be read (errno set). */
static int list_rules(const char *dir, strv *out, int depth, int follow) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  strv files = {NULL, 0, 0}, dirs = {NULL, 0, 0};
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char *p = join(dir, e->d_name);
    struct stat st;
    int ok = (follow ? stat(p, &st) : lstat(p, &st)) == 0;
    if (ok && (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && has_suffix(e->d_name, ".rules")) strv_push(&files, p);
    else if (ok && S_ISDIR(st.st_mode) && depth < 16) strv_push(&dirs, p);
    else free(p);
  }
  closedir(d);
  if (files.n) qsort(files.v, files.n, sizeof *files.v, cmp_str);
  if (dirs.n) qsort(dirs.v, dirs.n, sizeof *dirs.v, cmp_str);
  for (size_t i = 0; i < files.n; i++) strv_push(out, files.v[i]);
  for (size_t i = 0; i < dirs.n; i++) {
    (void)list_rules(dirs.v[i], out, depth + 1, follow);
    free(dirs.v[i]);
  }
  free(files.v);
  free(dirs.v);
  return 0;
}

/* The whole file (NUL-terminated) or NULL with errno set: ELOOP for a
** symbolic link (unless follow), EINVAL for what is not a regular file
** (checked on the descriptor opened, so nothing can swap it in between). */
static char *slurp(const char *path, size_t *len, int follow) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0) return NULL;
  struct stat fst;
  int refused = fstat(fd, &fst) != 0 ? errno : !S_ISREG(fst.st_mode) ? EINVAL : 0;
  if (refused) {
    close(fd);
    errno = refused;
    return NULL;
  }
  FILE *f = fdopen(fd, "rb");
  if (!f) { close(fd); return NULL; }
  size_t cap = 65536, n = 0;
  char *b = malloc(cap);
  for (;;) {
    if (!b) { fclose(f); errno = ENOMEM; return NULL; }
    size_t got = fread(b + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
    if (cap - n < 2) {
      char *nb = cap > ((size_t)-1) / 2 ? NULL : realloc(b, cap * 2);
      if (!nb) free(b);
      b = nb;
      cap *= 2;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(b); errno = EIO; return NULL; }
  b[n] = 0;
  *len = n;
  return b;
}

/* Replace path's contents atomically: a temporary file in the same folder,
** with path's permissions, renamed over it.  Returns 0 or -1 (reported). */
static int write_atomic(const char *path, const char *text, size_t len) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp) out_of_memory();
  const char *slash = strrchr(path, '/');
  size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
  memcpy(tmp, path, dl);
  snprintf(tmp + dl, n + 16 - dl, ".vigil-fmt-XXXXXX");
  int fd = mkstemp(tmp);
  if (fd < 0) {
    out_printf(stderr, "vigil: %s: cannot create a temporary file: %s\n", path, strerror(errno));
    free(tmp);
    return -1;
  }
  struct stat st;
  if (stat(path, &st) == 0) (void)fchmod(fd, st.st_mode & 07777);
  size_t off = 0;
  int bad = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      bad = 1;
      break;
    }
    off += (size_t)w;
  }
  if (!bad && fsync(fd) != 0) bad = 1;
  if (close(fd) != 0) bad = 1;
  if (!bad && rename(tmp, path) != 0) bad = 1;
  if (bad) {
    out_printf(stderr, "vigil: %s: cannot write: %s\n", path, strerror(errno));
    unlink(tmp);
  }
  free(tmp);
  return bad ? -1 : 0;
}

/* ---- a unified diff ---------------------------------------------------------- */

typedef struct line {
  const char *s;
  size_t n; /* with its '\n' when it has one */
} line;

static line *split_lines(const char *t, size_t len, size_t *count) {
  size_t k = 0;
  for (size_t i = 0; i < len; i++) k += t[i] == '\n';
  line *v = malloc((k + 2) * sizeof *v);
  if (!v) out_of_memory();
  size_t n = 0, s = 0;
  for (size_t i = 0; i < len; i++) {
    if (t[i] != '\n') continue;
    v[n].s = t + s;
    v[n].n = i + 1 - s;
    n++;
    s = i + 1;
  }
  if (s < len) {
    v[n].s = t + s;
    v[n].n = len - s;
    n++;
  }
  *count = n;
  return v;
}

static int line_eq(const line *a, const line *b) { return a->n == b->n && memcmp(a->s, b->s, a->n) == 0; }

/* One edit script entry: ' ' same, '-' only in a, '+' only in b. */
typedef struct edit {
  char op;
  size_t ai, bi; /* the line's index in a (for ' ' and '-') and in b (' ' and '+') */
} edit;

/* The edit script from a to b: common prefix and suffix, and an LCS table
** for the middle (when the middle is too large for one, it is all replaced). */
static edit *diff_lines(const line *a, size_t na, const line *b, size_t nb, size_t *nedits) {
  size_t pre = 0, suf = 0;
  while (pre < na && pre < nb && line_eq(&a[pre], &b[pre])) pre++;
  while (suf < na - pre && suf < nb - pre && line_eq(&a[na - 1 - suf], &b[nb - 1 - suf])) suf++;
  size_t ma = na - pre - suf, mb = nb - pre - suf;
  edit *e = malloc((na + nb + 1) * sizeof *e);
  if (!e) out_of_memory();
  size_t k = 0;
  for (size_t i = 0; i < pre; i++) e[k++] = (edit){' ', i, i};
  unsigned *t = NULL;
  if (ma && mb && ma <= 20000 && mb <= 20000 && (ma + 1) * (mb + 1) <= 8u * 1024 * 1024)
    t = malloc((ma + 1) * (mb + 1) * sizeof *t);
  if (t) {
    /* t[i][j]: LCS length of a[pre+i..] and b[pre+j..] */
    size_t w = mb + 1;
    for (size_t i = ma + 1; i-- > 0;)
      for (size_t j = mb + 1; j-- > 0;) {
        if (i == ma || j == mb) t[i * w + j] = 0;
        else if (line_eq(&a[pre + i], &b[pre + j])) t[i * w + j] = t[(i + 1) * w + j + 1] + 1;
        else t[i * w + j] = t[(i + 1) * w + j] > t[i * w + j + 1] ? t[(i + 1) * w + j] : t[i * w + j + 1];
      }
    size_t i = 0, j = 0;
    while (i < ma || j < mb) {
      if (i < ma && j < mb && line_eq(&a[pre + i], &b[pre + j])) {
        e[k++] = (edit){' ', pre + i, pre + j};
        i++;
        j++;
      } else if (i < ma && (j == mb || t[(i + 1) * w + j] >= t[i * w + j + 1])) {
        e[k++] = (edit){'-', pre + i, pre + j};
        i++;
      } else {
        e[k++] = (edit){'+', pre + i, pre + j};
        j++;
      }
    }
    free(t);
  } else {
    for (size_t i = 0; i < ma; i++) e[k++] = (edit){'-', pre + i, pre};
    for (size_t j = 0; j < mb; j++) e[k++] = (edit){'+', pre + ma, pre + j};
  }
  for (size_t i = 0; i < suf; i++) e[k++] = (edit){' ', na - suf + i, nb - suf + i};
  *nedits = k;
  return e;
}

/* One line of the diff: its text by the terminal rule (cli/out.h; a tab
** stays a tab), so a file's bytes cannot act on the terminal. */
static void put_line(char op, const line *l) {
  diag_sink s;
  memset(&s, 0, sizeof s);
  sink_put(&s, &op, 1);
  int nl = l->n > 0 && l->s[l->n - 1] == '\n';
  out_term_source(&s, l->s, l->n - (size_t)nl);
  sink_str(&s, nl ? "\n" : "\n\\ No newline at end of file\n");
  out_flush_sink(stdout, &s);
  free(s.buf);
}

/* "start,count" of a hunk side, as diff -u writes it. */
static void range(size_t start, size_t count) {
  if (count == 1) out_printf(stdout, "%zu", start + 1);
  else out_printf(stdout, "%zu,%zu", count ? start + 1 : start, count);
}

#define CONTEXT 3

static void unified_diff(const char *name, const char *a, size_t alen, const char *b, size_t blen) {
  size_t na, nb, ne;
  line *la = split_lines(a, alen, &na), *lb = split_lines(b, blen, &nb);
  edit *e = diff_lines(la, na, lb, nb, &ne);
  out_printf(stdout, "--- a/%s\n+++ b/%s\n", name, name);
  size_t i = 0;
  while (i < ne) {
    while (i < ne && e[i].op == ' ') i++;
    if (i == ne) break;
    /* a hunk: from CONTEXT lines before this change to CONTEXT lines after
    ** the last change that is at most 2*CONTEXT same lines from the next */
    size_t start = i > CONTEXT ? i - CONTEXT : 0, end = i;
    for (;;) {
      while (end < ne && e[end].op != ' ') end++;
      size_t same = end;
      while (same < ne && e[same].op == ' ') same++;
      if (same < ne && same - end <= 2 * CONTEXT) { end = same; continue; }
      end = end + CONTEXT < ne ? end + CONTEXT : ne;
      break;
    }
    size_t as = 0, ac = 0, bs = 0, bc = 0;
    int af = 0, bf = 0;
    for (size_t k = start; k < end; k++) {
      if (e[k].op != '+') { if (!af) { as = e[k].ai; af = 1; } ac++; }
      if (e[k].op != '-') { if (!bf) { bs = e[k].bi; bf = 1; } bc++; }
    }
    if (!af) as = e[start].ai;
    if (!bf) bs = e[start].bi;
    out_printf(stdout, "@@ -");
    range(as, ac);
    out_printf(stdout, " +");
    range(bs, bc);
    out_printf(stdout, " @@\n");
    for (size_t k = start; k < end; k++) {
      if (e[k].op == '+') put_line('+', &lb[e[k].bi]);
      else put_line(e[k].op, &la[e[k].ai]);
    }
    i = end;
  }
  free(e);
  free(la);
  free(lb);
}

/* ---- the command ------------------------------------------------------------- */

enum { MODE_PRINT, MODE_CHECK, MODE_WRITE };

/* Formats one file; returns 0 ok, 1 errors or (check) not formatted. */
static int fmt_one(const char *path, int mode, int follow, diag_sink *sink, int *unformatted) {
  size_t len = 0;
  int from_stdin = strcmp(path, "-") == 0;
  char *text = from_stdin ? cli_read_stdin(&len) : slurp(path, &len, follow);
  if (from_stdin) path = "<stdin>";
  if (!text) {
    if (errno == ELOOP && !follow) out_printf(stderr, "vigil: %s: a symbolic link, not read (--follow-symlinks reads it)\n", path);
    else if (errno == EINVAL) out_printf(stderr, "vigil: %s: not a regular file, not read\n", path);
    else out_printf(stderr, "vigil: %s: cannot read: %s\n", path, strerror(errno));
    return 1;
  }
  /* no line of a file that is not text is ever shown */
  int nul = 0;
  size_t bad = vg_text_bad_line(text, len, &nul);
  if (bad) {
    out_printf(stderr, "vigil: %s: not a text file: line %zu %s (a source is UTF-8 text; its lines are not shown)\n", path, bad,
               nul ? "has a NUL byte" : "is not valid UTF-8");
    free(text);
    return 1;
  }
  char *out = vg_format(path, text, len, on_diag, sink);
  if (!out) {
    free(text);
    return 1;
  }
  size_t olen = strlen(out);
  int same = olen == len && memcmp(out, text, len) == 0;
  int rc = 0;
  if (mode == MODE_PRINT) {
    out_write(stdout, out, olen); /* the file's new text, byte for byte (for a redirect) */
  } else if (!same && mode == MODE_CHECK) {
    out_printf(stdout, "%s\n", path);
    unified_diff(path, text, len, out, olen);
    ++*unformatted;
    rc = 1;
  } else if (!same && mode == MODE_WRITE) {
    if (write_atomic(path, out, olen) != 0) rc = 1;
    else out_printf(stderr, "vigil: formatted %s\n", path);
  }
  vg_free(out);
  free(text);
  return rc;
}

int cmd_fmt(int argc, char **argv) {
  int mode = MODE_PRINT, check = 0, write = 0, only_paths = 0, follow = 0, stdin_used = 0;
  strv paths = {NULL, 0, 0};
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (!only_paths && is_help(a)) { fputs(usage_fmt, stdout); free(paths.v); return 0; }
    if (!only_paths && strcmp(a, "--") == 0) { only_paths = 1; continue; }
    if (!only_paths && strcmp(a, "--check") == 0) { check = 1; continue; }
    if (!only_paths && strcmp(a, "--write") == 0) { write = 1; continue; }
    if (!only_paths && strcmp(a, "--follow-symlinks") == 0) { follow = 1; continue; }
    if (!only_paths && a[0] == '-' && a[1]) { free(paths.v); return usage_error(usage_fmt, "fmt: unknown option '%s'", a); }
    if (strcmp(a, "-") == 0 && stdin_used++) { free(paths.v); return usage_error(usage_fmt, "fmt: %s", "'-' (standard input) given twice"); }
    strv_push(&paths, (char *)a);
  }
  if (check && write) { free(paths.v); return usage_error(usage_fmt, "fmt: %s", "--check and --write exclude each other"); }
  if (paths.n == 0) { free(paths.v); return usage_error(usage_fmt, "fmt: %s", "no PATH given"); }
  if (write && stdin_used) { free(paths.v); return usage_error(usage_fmt, "fmt: %s", "--write and '-': standard input cannot be rewritten"); }
  mode = check ? MODE_CHECK : write ? MODE_WRITE : MODE_PRINT;

  /* the files, folders expanded */
  strv files = {NULL, 0, 0};
  strv owned = {NULL, 0, 0};
  int rc = 0;
  for (size_t i = 0; i < paths.n; i++) {
    struct stat st;
    if (strcmp(paths.v[i], "-") == 0) { strv_push(&files, paths.v[i]); continue; }
    if (stat(paths.v[i], &st) != 0) { /* a PATH may be a link to a folder; files are checked when read */
      out_printf(stderr, "vigil: %s: %s\n", paths.v[i], strerror(errno));
      rc = 1;
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      strv_push(&files, paths.v[i]);
      continue;
    }
    size_t before = files.n;
    if (list_rules(paths.v[i], &files, 0, follow) < 0) {
      out_printf(stderr, "vigil: %s: %s\n", paths.v[i], strerror(errno));
      rc = 1;
      continue;
    }
    for (size_t k = before; k < files.n; k++) strv_push(&owned, files.v[k]);
    if (files.n == before) {
      out_printf(stderr, "vigil: %s: no .rules files in this folder\n", paths.v[i]);
      rc = 1;
    }
  }

  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  int unformatted = 0;
  for (size_t i = 0; i < files.n; i++)
    if (fmt_one(files.v[i], mode, follow, &sink, &unformatted) != 0) rc = 1;
  sink_end(&sink);
  out_flush();
  if (mode == MODE_CHECK && unformatted)
    out_printf(stderr, "vigil: %d file%s not formatted (vigil fmt --write fixes %s)\n", unformatted,
            unformatted == 1 ? "" : "s", unformatted == 1 ? "it" : "them");

  for (size_t i = 0; i < owned.n; i++) free(owned.v[i]);
  free(owned.v);
  free(files.v);
  free(paths.v);
  return rc;
}
